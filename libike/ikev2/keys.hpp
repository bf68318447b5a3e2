// Key material of an IKE SA and its CHILD SAs (RFC 7296 §2.13-§2.15,
// §2.17): the SK_* set from SKEYSEED, child KEYMAT, and the PSK AUTH
// value, over ike_crypto's KDF (kdf_v2.hpp). Every key lives in a Secret;
// nothing here logs.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>

#include "libike/common/result.hpp"
#include "libike/common/secret.hpp"
#include "libike/crypto/crypto.hpp"
#include "libike/ikev2/codec/protected.hpp"
#include "libike/ikev2/proposals.hpp"

namespace ike::v2 {

// RFC 7296 §2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}.
struct IkeKeys {
  Secret sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr;
};

// The negotiated transforms with their keys: what protects IKE messages.
struct IkeCrypto {
  std::unique_ptr<crypto::Prf> prf;
  std::unique_ptr<crypto::Cipher> cipher;
  std::unique_ptr<crypto::Integrity> integrity;  // null with AEAD
  IkeKeys keys;

  // Keys for messages we send / receive; `initiator`: we are the
  // original initiator of the IKE SA.
  SkKeys outbound(bool initiator) const;
  SkKeys inbound(bool initiator) const;
};

// RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir), then the SK_* set from
// prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
Result<IkeCrypto> derive_ike_crypto(const IkeSuite& suite, const Secret& shared_secret,
                                    ByteView ni, ByteView nr, std::uint64_t spi_i,
                                    std::uint64_t spi_r);

// RFC 7296 §2.18: the IKE SA that replaces a rekeyed one. SKEYSEED =
// prf(SK_d (old), g^ir (new) | Ni | Nr) with the OLD SA's PRF, then the
// SK_* set with the new suite's PRF and the new SPIs.
Result<IkeCrypto> derive_rekeyed_ike_crypto(const IkeCrypto& old, const IkeSuite& suite,
                                            const Secret& shared_secret, ByteView ni, ByteView nr,
                                            std::uint64_t spi_i, std::uint64_t spi_r);

// RFC 7296 §2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), taken as
// initiator->responder encryption then integrity key, then
// responder->initiator. AEAD keys include the salt (RFC 4106 §8.1).
struct ChildKeys {
  Secret encr_ir, integ_ir;  // initiator -> responder
  Secret encr_ri, integ_ri;  // responder -> initiator
};
Result<ChildKeys> derive_child_keys(const crypto::Prf& prf, const Secret& sk_d,
                                    const ChildSuite& suite, const Secret* pfs_shared, ByteView ni,
                                    ByteView nr);

// RFC 7296 §2.15, shared keys:
//   AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
//   SignedOctets = RealMessage | Nonce of the other side | prf(SK_px, ID body)
Bytes psk_auth(const crypto::Prf& prf, const Secret& psk, ByteView real_message,
               ByteView other_nonce, const Secret& sk_p, ByteView id_body);

}  // namespace ike::v2
