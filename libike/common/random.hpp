// Randomness is injected (STYLE.md §1): the daemon passes SystemRandom
// (libsodium's CSPRNG), tests and the two-peer simulation pass
// SeededRandom so every run is reproducible.
#pragma once
#include <array>
#include <cstdint>

#include "libike/common/bytes.hpp"

namespace ike {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(MutableByteView out) = 0;

  Bytes bytes(std::size_t n) {
    Bytes b(n);
    fill(b);
    return b;
  }
  std::uint32_t u32() {
    std::array<std::uint8_t, 4> b{};
    fill(b);
    return std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3];
  }
  std::uint64_t u64() { return std::uint64_t(u32()) << 32 | u32(); }
  // Uniform in [0, bound) for small bounds (jitter, loss simulation).
  std::uint32_t uniform(std::uint32_t bound) { return bound == 0 ? 0 : u32() % bound; }
};

class SystemRandom final : public Random {
 public:
  void fill(MutableByteView out) override;
};

// Deterministic stream from a seed (libsodium randombytes_buf_deterministic
// over a counter). Tests only: predictable by design.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);
  void fill(MutableByteView out) override;

 private:
  std::array<std::uint8_t, 32> seed_{};
  std::uint64_t counter_ = 0;
};

}  // namespace ike
