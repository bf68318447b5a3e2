// Curve25519 key exchange for IKEv2 (RFC 8031) over libsodium's X25519
// (RFC 7748 §5): 32-byte public values, and an all-zero shared secret
// (a low-order peer point) is rejected (RFC 8031 §2.3, RFC 7748 §6.1).
#include <sodium.h>

#include <array>

#include "libike/crypto/key_exchange.hpp"

namespace ike::crypto::detail {

namespace {

constexpr std::size_t kSize = 32;

class X25519KeyExchange final : public KeyExchange {
 public:
  explicit X25519KeyExchange(const Secret& scalar) : scalar_(scalar), public_(kSize) {
    if (crypto_scalarmult_base(public_.data(), scalar_.data()) != 0) std::abort();
  }
  DhGroup group() const override { return DhGroup::Curve25519; }
  ByteView public_value() const override { return public_; }

  Result<Secret> shared_secret(ByteView peer) const override {
    if (peer.size() != kSize) return fail("key exchange: peer Curve25519 value has the wrong length");
    Secret out(kSize);
    // libsodium returns -1 for small-order points and all-zero output.
    if (crypto_scalarmult(out.data(), scalar_.data(), peer.data()) != 0 ||
        sodium_is_zero(out.data(), out.size()) == 1) {
      return fail("key exchange: Curve25519 shared secret is all zero (low-order peer value)");
    }
    return out;
  }

 private:
  Secret scalar_;
  Bytes public_;
};

}  // namespace

Result<std::unique_ptr<KeyExchange>> make_x25519(const Secret& scalar) {
  if (scalar.size() != kSize) return fail("key exchange: Curve25519 private value must be 32 bytes");
  if (sodium_init() < 0) return fail("key exchange: libsodium failed to initialise");
  return std::unique_ptr<KeyExchange>(new X25519KeyExchange(scalar));
}

}  // namespace ike::crypto::detail
