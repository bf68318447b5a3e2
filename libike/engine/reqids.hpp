// reqids tie kernel policies to SAs (one per tunnel mapping). kite's
// come from the range the xfrm layer owns (xfrm/ownership.hpp: 0x6b69xxxx,
// "ki"), so kited can find and flush exactly its own kernel state.
#pragma once
#include <cstdint>
#include <optional>
#include <set>

namespace ike {

class ReqidPool {
 public:
  static constexpr std::uint32_t kFirst = 0x6b690001;
  static constexpr std::uint32_t kLast = 0x6b69ffff;

  std::optional<std::uint32_t> allocate() {
    for (std::uint32_t tries = 0; tries <= kLast - kFirst; ++tries) {
      auto r = next_;
      next_ = next_ == kLast ? kFirst : next_ + 1;
      if (used_.insert(r).second) return r;
    }
    return std::nullopt;
  }
  void release(std::uint32_t reqid) { used_.erase(reqid); }

 private:
  std::uint32_t next_ = kFirst;
  std::set<std::uint32_t> used_;
};

}  // namespace ike
