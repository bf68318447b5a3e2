#include "libike/ikev2/keys.hpp"

#include "libike/crypto/kdf_v2.hpp"

namespace ike::v2 {
namespace {

Bytes spi_bytes(std::uint64_t spi) {
  Bytes b(8);
  for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(spi >> (56 - 8 * i));
  return b;
}

}  // namespace

SkKeys IkeCrypto::outbound(bool initiator) const {
  const auto& e = initiator ? keys.sk_ei : keys.sk_er;
  const auto& a = initiator ? keys.sk_ai : keys.sk_ar;
  return {cipher.get(), integrity.get(), e.view(), a.view()};
}

SkKeys IkeCrypto::inbound(bool initiator) const { return outbound(!initiator); }

namespace {

Result<IkeCrypto> make_crypto(const IkeSuite& suite) {
  IkeCrypto c;
  c.prf = crypto::make_prf(suite.prf);
  c.cipher = crypto::make_cipher(suite.encr);
  if (suite.integ) c.integrity = crypto::make_integrity(*suite.integ);
  if (!c.prf || !c.cipher || (suite.integ && !c.integrity))
    return fail("negotiated IKE algorithm not available in this build");
  return c;
}

// RFC 7296 §2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
// = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
Status fill_keys(IkeCrypto& c, const Secret& skeyseed, ByteView ni, ByteView nr, std::uint64_t spi_i,
                 std::uint64_t spi_r) {
  auto sizes = crypto::v2::ike_sa_key_sizes(*c.prf, c.integrity.get(), *c.cipher);
  auto k = crypto::v2::derive_ike_sa_keys(*c.prf, skeyseed, ni, nr, spi_bytes(spi_i), spi_bytes(spi_r), sizes);
  if (!k) return fail(k.error().message);
  c.keys = {std::move(k->sk_d), std::move(k->sk_ai), std::move(k->sk_ar), std::move(k->sk_ei),
            std::move(k->sk_er), std::move(k->sk_pi), std::move(k->sk_pr)};
  return {};
}

}  // namespace

Result<IkeCrypto> derive_ike_crypto(const IkeSuite& suite, const Secret& shared_secret,
                                    ByteView ni, ByteView nr, std::uint64_t spi_i,
                                    std::uint64_t spi_r) {
  auto c = make_crypto(suite);
  if (!c) return c;
  // RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir).
  auto seed = crypto::v2::skeyseed(*c->prf, ni, nr, shared_secret);
  if (auto st = fill_keys(*c, seed, ni, nr, spi_i, spi_r); !st) return fail(st.error().message);
  return c;
}

Result<IkeCrypto> derive_rekeyed_ike_crypto(const IkeCrypto& old, const IkeSuite& suite,
                                            const Secret& shared_secret, ByteView ni, ByteView nr,
                                            std::uint64_t spi_i, std::uint64_t spi_r) {
  auto c = make_crypto(suite);
  if (!c) return c;
  auto seed = crypto::v2::rekey_skeyseed(*old.prf, old.keys.sk_d, shared_secret, ni, nr);
  if (auto st = fill_keys(*c, seed, ni, nr, spi_i, spi_r); !st) return fail(st.error().message);
  return c;
}

Result<ChildKeys> derive_child_keys(const crypto::Prf& prf, const Secret& sk_d,
                                    const ChildSuite& suite, const Secret* pfs_shared, ByteView ni,
                                    ByteView nr) {
  auto cipher = crypto::make_cipher(suite.encr);
  auto integ = suite.integ ? crypto::make_integrity(*suite.integ) : nullptr;
  if (!cipher || (suite.integ && !integ)) return fail("negotiated ESP algorithm not available");
  auto e = cipher->keymat_size();  // AEAD: key plus salt (RFC 4106 §8.1)
  auto a = integ ? integ->key_size() : 0;
  auto size = crypto::v2::child_sa_keymat_size(e, a);
  // RFC 7296 §2.17.
  auto keymat = pfs_shared ? crypto::v2::child_sa_keymat_pfs(prf, sk_d, *pfs_shared, ni, nr, size)
                           : crypto::v2::child_sa_keymat(prf, sk_d, ni, nr, size);
  if (!keymat) return fail(keymat.error().message);
  auto split = crypto::v2::split_child_sa_keymat(*keymat, e, a);
  if (!split) return fail(split.error().message);
  return ChildKeys{std::move(split->encr_i), std::move(split->integ_i), std::move(split->encr_r),
                   std::move(split->integ_r)};
}

Bytes psk_auth(const crypto::Prf& prf, const Secret& psk, ByteView real_message,
               ByteView other_nonce, const Secret& sk_p, ByteView id_body) {
  auto maced_id = prf.compute(sk_p.view(), id_body);
  auto pad_key = prf.compute(psk.view(), as_bytes("Key Pad for IKEv2"));
  Secret octets(real_message);
  octets.append(other_nonce);
  octets.append(maced_id.view());
  return prf.compute(pad_key.view(), octets.view()).reveal();
}

}  // namespace ike::v2
