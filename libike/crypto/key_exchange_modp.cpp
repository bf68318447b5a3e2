// Finite-field Diffie-Hellman over the MODP groups (RFC 2409 §6, RFC 3526,
// RFC 5114 §2.3) with OpenSSL BIGNUMs. The private exponent comes from the
// injected Random; g^x and g^xy are left-padded to the prime's length
// (RFC 7296 §3.4).
#include <openssl/err.h>

#include "libike/crypto/key_exchange.hpp"
#include "libike/crypto/ossl.hpp"

namespace ike::crypto::detail {

namespace {

BnPtr bn_from_hex(std::string_view hex) {
  Bytes bytes = from_hex(hex);
  return bn_from_bytes(bytes.data(), bytes.size());
}

Secret bn_to_secret(const BIGNUM* bn, std::size_t size) {
  Secret out(size);
  if (BN_bn2binpad(bn, out.data(), static_cast<int>(size)) < 0) std::abort();
  return out;
}

struct ModpGroup {
  BnPtr p;
  BnPtr g;
  BnPtr q;  // null for safe primes
  BnPtr p_minus_1;
  std::size_t size = 0;
};

ModpGroup load_group(const ModpParams& params) {
  ModpGroup group;
  group.p = bn_from_hex(params.prime);
  group.g = bn_from_hex(params.generator);
  if (!params.order.empty()) group.q = bn_from_hex(params.order);
  group.p_minus_1.reset(BN_dup(group.p.get()));
  if (!group.p_minus_1 || BN_sub_word(group.p_minus_1.get(), 1) != 1) std::abort();
  group.size = params.prime.size() / 2;
  return group;
}

class ModpKeyExchange final : public KeyExchange {
 public:
  ModpKeyExchange(DhGroup group, ModpGroup params, BnPtr x)
      : group_(group), params_(std::move(params)), x_(std::move(x)) {
    // Constant-time exponentiation for the secret exponent.
    BN_set_flags(x_.get(), BN_FLG_CONSTTIME);
    Secret pub = power(params_.g.get());
    public_ = pub.reveal();
  }
  DhGroup group() const override { return group_; }
  ByteView public_value() const override { return public_; }

  Result<Secret> shared_secret(ByteView peer) const override {
    if (peer.size() != params_.size) return fail("key exchange: peer MODP value has the wrong length");
    BnPtr y = bn_from_bytes(peer.data(), peer.size());
    // Reject 0, 1, p-1 and anything >= p: 1 < y < p-1 (RFC 7296 §5,
    // RFC 6989 §2.1 for the MODP groups).
    if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), params_.p_minus_1.get()) >= 0) {
      return fail("key exchange: peer MODP value out of range");
    }
    // RFC 6989 §2.2 / RFC 5114 §4: y must lie in the order-q subgroup.
    if (params_.q && !in_subgroup(y.get())) {
      return fail("key exchange: peer MODP value not in the prime-order subgroup");
    }
    Secret z = power(y.get());
    BnPtr check = bn_from_bytes(z.data(), z.size());
    if (BN_cmp(check.get(), BN_value_one()) <= 0) return fail("key exchange: degenerate shared secret");
    return z;
  }

 private:
  // base^x mod p, padded to the prime's length.
  Secret power(const BIGNUM* base) const {
    BnCtxPtr ctx(BN_CTX_secure_new());
    BnPtr r = new_bn();
    if (!ctx || BN_mod_exp_mont_consttime(r.get(), base, x_.get(), params_.p.get(), ctx.get(),
                                          nullptr) != 1) {
      std::abort();
    }
    return bn_to_secret(r.get(), params_.size);
  }

  bool in_subgroup(const BIGNUM* y) const {
    BnCtxPtr ctx(BN_CTX_new());
    BnPtr r = new_bn();
    if (!ctx || BN_mod_exp(r.get(), y, params_.q.get(), params_.p.get(), ctx.get()) != 1) {
      std::abort();
    }
    return BN_is_one(r.get()) == 1;
  }

  DhGroup group_;
  ModpGroup params_;
  BnPtr x_;
  Bytes public_;
};

}  // namespace

Result<std::unique_ptr<KeyExchange>> make_modp(DhGroup group, const Secret& exponent) {
  auto params = modp_params(group);
  if (!params) return fail("key exchange: not a MODP group");
  ModpGroup loaded = load_group(*params);
  BnPtr x = bn_from_bytes(exponent.data(), exponent.size());
  if (BN_is_zero(x.get()) || BN_is_one(x.get())) return fail("key exchange: degenerate private exponent");
  if (loaded.q && BN_cmp(x.get(), loaded.q.get()) >= 0) {
    return fail("key exchange: private exponent not below the subgroup order");
  }
  return std::unique_ptr<KeyExchange>(new ModpKeyExchange(group, std::move(loaded), std::move(x)));
}

Result<std::unique_ptr<KeyExchange>> make_modp_random(DhGroup group, Random& random) {
  auto params = modp_params(group);
  if (!params) return fail("key exchange: not a MODP group");
  if (params->order.empty()) {
    // Safe prime: any exponent of the chosen length (RFC 3526 §8).
    for (int attempt = 0; attempt < 8; ++attempt) {
      Secret x(params->exponent_bytes);
      random.fill(x.mutable_view());
      auto kx = make_modp(group, x);
      if (kx) return kx;
    }
    return fail("key exchange: random source produced degenerate exponents");
  }
  // Subgroup of prime order q (RFC 5114): x = (r mod (q - 1)) + 1 with
  // r 64 bits longer than q so the bias is negligible (FIPS 186-4 B.1.1).
  Secret r(params->exponent_bytes + 8);
  random.fill(r.mutable_view());
  BnPtr q_minus_1 = bn_from_hex(params->order);
  BnPtr rn = bn_from_bytes(r.data(), r.size());
  BnPtr x = new_bn();
  BnCtxPtr ctx(BN_CTX_secure_new());
  if (!ctx || BN_sub_word(q_minus_1.get(), 1) != 1 ||
      BN_mod(x.get(), rn.get(), q_minus_1.get(), ctx.get()) != 1 || BN_add_word(x.get(), 1) != 1) {
    std::abort();
  }
  Secret exponent(params->exponent_bytes);
  if (BN_bn2binpad(x.get(), exponent.data(), static_cast<int>(exponent.size())) < 0) std::abort();
  return make_modp(group, exponent);
}

}  // namespace ike::crypto::detail
