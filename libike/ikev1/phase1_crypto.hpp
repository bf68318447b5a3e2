// The keys of an ISAKMP SA and what is done with them (RFC 2409 §5 and
// Appendix B): SKEYID and its three offspring, the encryption key, the
// phase-1 CBC IV chain, HASH_I/HASH_R, prf(SKEYID_a, ...) for Quick Mode
// and Informational hashes, and sealing/opening E-flagged messages. No
// key ever leaves as anything but a Secret or a hash on the wire.
#pragma once
#include <cstdint>
#include <memory>

#include "libike/common/result.hpp"
#include "libike/crypto/crypto.hpp"
#include "libike/crypto/kdf_v1.hpp"
#include "libike/ikev1/codec/codec.hpp"
#include "libike/ikev1/proposals.hpp"

namespace ike::v1 {

// What the phase-1 key derivation is computed from.
struct Phase1Inputs {
  const Secret* psk = nullptr;
  const Secret* gxy = nullptr;  // g^xy, padded to the group size
  ByteView ni_b, nr_b;          // nonce payload bodies
  Cookie cky_i{}, cky_r{};
  ByteView gxi, gxr;            // KE payload bodies
};

class Phase1Crypto {
 public:
  static Result<std::unique_ptr<Phase1Crypto>> derive(const Phase1Suite& suite, const Phase1Inputs& in);

  // RFC 2409 §5: HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b),
  // HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b).
  Bytes hash_i(ByteView sai_b, ByteView idii_b) const;
  Bytes hash_r(ByteView sai_b, ByteView idir_b) const;
  // prf(SKEYID_a, input): HASH(1)/(2)/(3) of §5.5, Informational §5.7.
  Bytes prf_a(ByteView input) const;

  // E-flagged messages with the CBC IV chain `iv`, which moves to the
  // last ciphertext block on success only (Appendix B).
  Result<Bytes> seal(const Message& m, Bytes& iv) const;
  ParseResult<Message> open(ByteView wire, Bytes& iv) const;

  // Appendix B: the first IV of a Quick Mode or Informational exchange,
  // from the last CBC block of phase 1 (`phase1_iv`, frozen once phase 1
  // is done) and the message ID.
  Bytes exchange_iv(std::uint32_t message_id) const;

  const crypto::Prf& prf() const { return *prf_; }
  const Secret& skeyid_d() const { return keys_.skeyid_d; }

  // The phase-1 chain: starts at HASH(g^xi | g^xr), follows every
  // encrypted phase-1 message.
  Bytes phase1_iv;

 private:
  Phase1Crypto() = default;
  crypto::HashAlg hash_{};
  std::unique_ptr<crypto::Prf> prf_;
  std::unique_ptr<crypto::Cipher> cipher_;
  crypto::v1::Phase1Keys keys_;
  Secret encryption_key_;
  Bytes gxi_, gxr_;
  Cookie cky_i_{}, cky_r_{};
};

}  // namespace ike::v1
