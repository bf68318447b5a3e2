// Appends big-endian fields to a byte buffer; the serializing half of
// Reader. Length fields are written as placeholders and patched once the
// body is known (reserve_u16/patch_u16).
#pragma once
#include <cstdint>

#include "libike/common/bytes.hpp"

namespace ike {

class Writer {
 public:
  Writer() = default;
  explicit Writer(Bytes& out) : out_(&out) {}

  void u8(std::uint8_t v) { buf().push_back(v); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void bytes(ByteView v) { buf().insert(buf().end(), v.begin(), v.end()); }
  void zeros(std::size_t n) { buf().insert(buf().end(), n, 0); }

  // Returns the offset of a 2-byte placeholder to patch later.
  std::size_t reserve_u16() {
    auto at = size();
    u16(0);
    return at;
  }
  std::size_t reserve_u32() {
    auto at = size();
    u32(0);
    return at;
  }
  void patch_u16(std::size_t at, std::uint16_t v) {
    buf()[at] = static_cast<std::uint8_t>(v >> 8);
    buf()[at + 1] = static_cast<std::uint8_t>(v);
  }
  void patch_u32(std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) buf()[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }

  std::size_t size() const { return out_ ? out_->size() : own_.size(); }
  Bytes take() { return out_ ? *out_ : std::move(own_); }
  const Bytes& data() const { return out_ ? *out_ : own_; }

 private:
  Bytes& buf() { return out_ ? *out_ : own_; }
  Bytes own_;
  Bytes* out_ = nullptr;
};

}  // namespace ike
