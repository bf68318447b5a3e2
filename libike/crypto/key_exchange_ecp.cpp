// Elliptic-curve Diffie-Hellman over the NIST prime curves as IKE uses
// them (RFC 5903): the public value is x || y, each coordinate padded to
// the field length (§7), and the shared secret is the x coordinate of
// d * Q alone (§7). The private scalar comes
// from the injected Random, so a seeded simulation is reproducible.
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "libike/crypto/key_exchange.hpp"
#include "libike/crypto/ossl.hpp"

namespace ike::crypto::detail {

namespace {

struct Curve {
  int nid;
  std::size_t field_bytes;
  unsigned top_bits;  // significant bits in the order's first byte
};

std::optional<Curve> curve_of(DhGroup group) {
  switch (group) {
    case DhGroup::Ecp256: return Curve{NID_X9_62_prime256v1, 32, 8};
    case DhGroup::Ecp384: return Curve{NID_secp384r1, 48, 8};
    case DhGroup::Ecp521: return Curve{NID_secp521r1, 66, 1};
    default: return std::nullopt;
  }
}

EcGroupPtr load_curve(int nid) {
  EcGroupPtr group(EC_GROUP_new_by_curve_name_ex(libctx(), nullptr, nid));
  if (!group) std::abort();
  return group;
}

class EcpKeyExchange final : public KeyExchange {
 public:
  EcpKeyExchange(DhGroup group, Curve curve, EcGroupPtr ec, BnPtr d)
      : group_(group), curve_(curve), ec_(std::move(ec)), d_(std::move(d)) {
    BN_set_flags(d_.get(), BN_FLG_CONSTTIME);
    BnCtxPtr ctx(BN_CTX_new());
    EcPointPtr point(EC_POINT_new(ec_.get()));
    if (!ctx || !point ||
        EC_POINT_mul(ec_.get(), point.get(), d_.get(), nullptr, nullptr, ctx.get()) != 1) {
      std::abort();
    }
    public_ = encode(point.get(), ctx.get(), true).reveal();
  }
  DhGroup group() const override { return group_; }
  ByteView public_value() const override { return public_; }

  Result<Secret> shared_secret(ByteView peer) const override {
    if (peer.size() != 2 * curve_.field_bytes) return fail("key exchange: peer ECP value has the wrong length");
    BnCtxPtr ctx(BN_CTX_new());
    if (!ctx) std::abort();
    EcPointPtr q = decode(peer, ctx.get());
    if (!q) return fail("key exchange: peer ECP value is not a point on the curve");
    EcPointPtr shared(EC_POINT_new(ec_.get()));
    if (!shared || EC_POINT_mul(ec_.get(), shared.get(), nullptr, q.get(), d_.get(), ctx.get()) != 1) {
      std::abort();
    }
    if (EC_POINT_is_at_infinity(ec_.get(), shared.get()) == 1) {
      return fail("key exchange: ECP shared secret is the point at infinity");
    }
    return encode(shared.get(), ctx.get(), false);
  }

 private:
  // x || y (with_y) or x alone, each padded to the field length.
  Secret encode(const EC_POINT* point, BN_CTX* ctx, bool with_y) const {
    BnPtr x = new_bn();
    BnPtr y = new_bn();
    if (EC_POINT_get_affine_coordinates(ec_.get(), point, x.get(), y.get(), ctx) != 1) std::abort();
    const int n = static_cast<int>(curve_.field_bytes);
    Secret out(with_y ? 2 * curve_.field_bytes : curve_.field_bytes);
    if (BN_bn2binpad(x.get(), out.data(), n) != n ||
        (with_y && BN_bn2binpad(y.get(), out.data() + n, n) != n)) {
      std::abort();
    }
    return out;
  }

  // RFC 5903 §7 and RFC 6989 §2.3: both coordinates below p, the point on
  // the curve and not the point at infinity (x || y cannot encode it).
  EcPointPtr decode(ByteView peer, BN_CTX* ctx) const {
    const std::size_t n = curve_.field_bytes;
    BnPtr x = bn_from_bytes(peer.data(), n);
    BnPtr y = bn_from_bytes(peer.data() + n, n);
    BnPtr p = new_bn();
    if (EC_GROUP_get_curve(ec_.get(), p.get(), nullptr, nullptr, ctx) != 1) std::abort();
    if (BN_cmp(x.get(), p.get()) >= 0 || BN_cmp(y.get(), p.get()) >= 0) return nullptr;
    EcPointPtr q(EC_POINT_new(ec_.get()));
    if (!q) std::abort();
    if (EC_POINT_set_affine_coordinates(ec_.get(), q.get(), x.get(), y.get(), ctx) != 1 ||
        EC_POINT_is_on_curve(ec_.get(), q.get(), ctx) != 1 ||
        EC_POINT_is_at_infinity(ec_.get(), q.get()) == 1) {
      ERR_clear_error();  // OpenSSL queued why; the caller gets our error
      return nullptr;
    }
    return q;
  }

  DhGroup group_;
  Curve curve_;
  EcGroupPtr ec_;
  BnPtr d_;
  Bytes public_;
};

}  // namespace

Result<std::unique_ptr<KeyExchange>> make_ecp(DhGroup group, const Secret& scalar) {
  auto curve = curve_of(group);
  if (!curve) return fail("key exchange: not an ECP group");
  EcGroupPtr ec = load_curve(curve->nid);
  BnPtr d = bn_from_bytes(scalar.data(), scalar.size());
  // The scalar must be in [1, n-1] (SEC 1 §3.2.1).
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(ec.get())) >= 0) {
    return fail("key exchange: ECP private scalar out of range");
  }
  return std::unique_ptr<KeyExchange>(new EcpKeyExchange(group, *curve, std::move(ec), std::move(d)));
}

// Rejection sampling (FIPS 186-4 B.4.2): draw field-length bytes, clear
// the bits above the order's length, retry while the value is not in
// [1, n-1]. For all three curves a retry is rare (< 2^-32 for P-256).
Result<std::unique_ptr<KeyExchange>> make_ecp_random(DhGroup group, Random& random) {
  auto curve = curve_of(group);
  if (!curve) return fail("key exchange: not an ECP group");
  for (int attempt = 0; attempt < 64; ++attempt) {
    Secret d(curve->field_bytes);
    random.fill(d.mutable_view());
    d.data()[0] &= static_cast<std::uint8_t>((1u << curve->top_bits) - 1);
    auto kx = make_ecp(group, d);
    if (kx) return kx;
  }
  return fail("key exchange: random source produced no valid ECP scalar");
}

}  // namespace ike::crypto::detail
