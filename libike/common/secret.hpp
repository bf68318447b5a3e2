// Secret material (keys, PSKs, DH shared secrets, SKEYSEED...): wiped with
// sodium_memzero whenever its storage is released, and impossible to print
// by accident (no operator<<, and fmt prints only "<secret N bytes>").
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include <fmt/format.h>

#include "libike/common/bytes.hpp"

namespace ike {

void wipe(void* data, std::size_t size);  // sodium_memzero

// Allocator whose deallocate wipes first, so vector growth also wipes the
// old buffer.
template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) {
    wipe(p, n * sizeof(T));
    ::operator delete(p);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const { return true; }
};

class Secret {
 public:
  Secret() = default;
  explicit Secret(ByteView data) : bytes_(data.begin(), data.end()) {}
  explicit Secret(std::size_t size) : bytes_(size, 0) {}
  static Secret from_string(std::string_view s) { return Secret(as_bytes(s)); }

  ByteView view() const { return {bytes_.data(), bytes_.size()}; }
  MutableByteView mutable_view() { return {bytes_.data(), bytes_.size()}; }
  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  void resize(std::size_t n) { bytes_.resize(n); }
  void append(ByteView more) { bytes_.insert(bytes_.end(), more.begin(), more.end()); }
  // [offset, offset+len) as a new secret; caller guarantees the range.
  Secret slice(std::size_t offset, std::size_t len) const {
    return Secret(view().subspan(offset, len));
  }
  // Copies out as plain bytes: only where the value stops being secret
  // (e.g. a MAC that goes on the wire).
  Bytes reveal() const { return Bytes(bytes_.begin(), bytes_.end()); }

  friend bool operator==(const Secret& a, const Secret& b) {
    return equal_constant_time(a.view(), b.view());
  }

 private:
  std::vector<std::uint8_t, WipingAllocator<std::uint8_t>> bytes_;
};

}  // namespace ike

template <>
struct fmt::formatter<ike::Secret> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const ike::Secret& s, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "<secret {} bytes>", s.size());
  }
};
