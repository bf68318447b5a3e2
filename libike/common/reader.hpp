// A bounds-checked reader over received bytes (STYLE.md §7, as s2n's
// stuffer). Every read checks the remaining length first; a failed read
// leaves the reader unchanged and returns false/nullopt. Decoders build on
// this and never index raw buffers.
#pragma once
#include <cstdint>
#include <optional>

#include "libike/common/bytes.hpp"

namespace ike {

class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[pos_++];
  }
  std::optional<std::uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    auto v = static_cast<std::uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::optional<std::uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | data_[pos_ + i];
    pos_ += 4;
    return v;
  }
  std::optional<std::uint64_t> u64() {
    if (remaining() < 8) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | data_[pos_ + i];
    pos_ += 8;
    return v;
  }
  // Borrows the next n bytes.
  std::optional<ByteView> bytes(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    auto v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  // Borrows everything left.
  ByteView rest() {
    auto v = data_.subspan(pos_);
    pos_ = data_.size();
    return v;
  }
  bool skip(std::size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  ByteView data_;
  std::size_t pos_ = 0;
};

}  // namespace ike
