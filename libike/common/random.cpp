#include "libike/common/random.hpp"

#include <sodium.h>

namespace ike {

void SystemRandom::fill(MutableByteView out) {
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

SeededRandom::SeededRandom(std::uint64_t seed) {
  for (int i = 0; i < 8; ++i) seed_[i] = static_cast<std::uint8_t>(seed >> (8 * i));
}

void SeededRandom::fill(MutableByteView out) {
  if (out.empty()) return;
  // Mix the counter into the seed so successive calls differ.
  auto s = seed_;
  for (int i = 0; i < 8; ++i) s[24 + i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
  ++counter_;
  randombytes_buf_deterministic(out.data(), out.size(), s.data());
}

}  // namespace ike
