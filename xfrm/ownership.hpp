// What kite owns in the kernel. Every SA and policy kite installs carries a
// reqid from this range ("ki" = 0x6b69 in the upper half), so that after a
// crash kited can find and remove exactly its own state (flush_owned) and
// never touch SAs or policies that other software or an operator added.
// The engine must allocate every reqid from this range.
#pragma once
#include <cstdint>

namespace kite::xfrm {

inline constexpr std::uint32_t kOwnedReqidFirst = 0x6b690000;
inline constexpr std::uint32_t kOwnedReqidLast = 0x6b69ffff;

constexpr bool is_owned_reqid(std::uint32_t reqid) {
  return reqid >= kOwnedReqidFirst && reqid <= kOwnedReqidLast;
}

}  // namespace kite::xfrm
