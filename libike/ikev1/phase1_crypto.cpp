#include "libike/ikev1/phase1_crypto.hpp"

namespace ike::v1 {

Result<std::unique_ptr<Phase1Crypto>> Phase1Crypto::derive(const Phase1Suite& suite, const Phase1Inputs& in) {
  std::unique_ptr<Phase1Crypto> c(new Phase1Crypto());
  c->hash_ = suite.hash();
  c->prf_ = crypto::make_prf(suite.prf());
  c->cipher_ = crypto::make_cipher(suite.encr);
  if (!c->prf_ || !c->cipher_ || c->cipher_->is_aead()) return fail("phase-1 algorithms unavailable");
  // RFC 2409 §5 (pre-shared keys): SKEYID = prf(pre-shared-key, Ni_b | Nr_b).
  c->keys_ = crypto::v1::derive_phase1_keys_psk(*c->prf_, *in.psk, in.ni_b, in.nr_b, *in.gxy, in.cky_i, in.cky_r);
  // Appendix B: the key is taken from SKEYID_e, expanded when too short.
  c->encryption_key_ = crypto::v1::encryption_key(*c->prf_, c->keys_.skeyid_e, c->cipher_->keymat_size());
  c->phase1_iv = v1::phase1_iv(c->hash_, in.gxi, in.gxr, c->cipher_->block_size());
  c->gxi_.assign(in.gxi.begin(), in.gxi.end());
  c->gxr_.assign(in.gxr.begin(), in.gxr.end());
  c->cky_i_ = in.cky_i;
  c->cky_r_ = in.cky_r;
  return c;
}

Bytes Phase1Crypto::hash_i(ByteView sai_b, ByteView idii_b) const {
  return prf_->compute(keys_.skeyid.view(), hash_i_input(gxi_, gxr_, cky_i_, cky_r_, sai_b, idii_b)).reveal();
}

Bytes Phase1Crypto::hash_r(ByteView sai_b, ByteView idir_b) const {
  return prf_->compute(keys_.skeyid.view(), hash_r_input(gxi_, gxr_, cky_i_, cky_r_, sai_b, idir_b)).reveal();
}

Bytes Phase1Crypto::prf_a(ByteView input) const {
  return prf_->compute(keys_.skeyid_a.view(), input).reveal();
}

Result<Bytes> Phase1Crypto::seal(const Message& m, Bytes& iv) const {
  auto e = encrypt_message(m, *cipher_, encryption_key_.view(), iv);
  if (!e) return fail(to_string(e.error()));
  iv = std::move(e->next_iv);
  return std::move(e->wire);
}

ParseResult<Message> Phase1Crypto::open(ByteView wire, Bytes& iv) const {
  auto d = decrypt_body(wire, *cipher_, encryption_key_.view(), iv);
  if (!d) return ike::fail(d.error());
  iv = std::move(d->next_iv);
  return std::move(d->message);
}

Bytes Phase1Crypto::exchange_iv(std::uint32_t message_id) const {
  return phase2_iv(hash_, phase1_iv, message_id, cipher_->block_size());
}

}  // namespace ike::v1
