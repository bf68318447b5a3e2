// make_key_exchange: dispatch on the group's family.
#include "libike/crypto/crypto.hpp"

namespace ike::crypto {

Result<std::unique_ptr<KeyExchange>> make_key_exchange(DhGroup, Random&) {
  return fail("key exchange: not implemented yet");
}

}  // namespace ike::crypto
