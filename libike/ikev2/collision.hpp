// Rekey collisions (RFC 7296 §2.8.1, §2.8.2): when both ends rekeyed the
// same SA, the new SA made by the exchange holding the lowest of the four
// nonces is redundant and deleted by whoever created it.
#pragma once
#include <algorithm>

#include "libike/common/bytes.hpp"

namespace ike::v2 {

// §2.8.1: "Lowest" compares octet by octet; a nonce that ends first is the lower one.
inline bool nonce_lower(ByteView a, ByteView b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// Whether the lowest of the four nonces is one of exchange A's.
inline bool lowest_nonce_in_first(ByteView a_ni, ByteView a_nr, ByteView b_ni, ByteView b_nr) {
  auto a = nonce_lower(a_ni, a_nr) ? a_ni : a_nr;
  auto b = nonce_lower(b_ni, b_nr) ? b_ni : b_nr;
  return nonce_lower(a, b);
}

}  // namespace ike::v2
