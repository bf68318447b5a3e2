// IKEv2 key derivation (RFC 7296 §2.13, §2.14, §2.17, §2.18). Nonces and
// SPIs are the raw bytes from the wire (SPIs 8 bytes each), g^ir the
// shared secret as KeyExchange::shared_secret returns it.
#pragma once
#include "libike/crypto/crypto.hpp"

namespace ike::crypto::v2 {

// RFC 7296 §2.13: prf+(K, S) = T1 | T2 | T3 | ... with
//   T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n),
// truncated to `length`. Fails past 255 blocks (the counter is one octet).
Result<Secret> prf_plus(const Prf& prf, ByteView key, ByteView seed, std::size_t length);

// RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir). For the fixed-key PRFs
// (AES-XCBC-PRF-128, AES-CMAC-PRF-128) the key is the first 64 bits of Ni
// followed by the first 64 bits of Nr.
Secret skeyseed(const Prf& prf, ByteView ni, ByteView nr, const Secret& g_ir);

// RFC 7296 §2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) when an
// IKE SA is rekeyed (nonces of the CREATE_CHILD_SA exchange).
Secret rekey_skeyseed(const Prf& prf, const Secret& sk_d_old, const Secret& g_ir_new, ByteView ni,
                      ByteView nr);

// Key lengths for the IKE SA key set.
struct IkeSaKeySizes {
  std::size_t sk_d = 0;      // = SK_pi = SK_pr: the PRF's key length (§2.13)
  std::size_t integ = 0;     // SK_ai, SK_ar: 0 with an AEAD cipher
  std::size_t encr = 0;      // SK_ei, SK_er: key plus AEAD salt
};
// integ is null when the cipher is an AEAD (RFC 5282 §7.1).
IkeSaKeySizes ike_sa_key_sizes(const Prf& prf, const Integrity* integ, const Cipher& cipher);

struct IkeSaKeys {
  Secret sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr;
};

// RFC 7296 §2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
//   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), taken in that order.
Result<IkeSaKeys> derive_ike_sa_keys(const Prf& prf, const Secret& skeyseed, ByteView ni,
                                     ByteView nr, ByteView spi_i, ByteView spi_r,
                                     const IkeSaKeySizes& sizes);

// RFC 7296 §2.17: KEYMAT = prf+(SK_d, Ni | Nr) for a Child SA without
// PFS (and for the Child SA of IKE_AUTH, with IKE_SA_INIT's nonces).
Result<Secret> child_sa_keymat(const Prf& prf, const Secret& sk_d, ByteView ni, ByteView nr,
                               std::size_t length);

// RFC 7296 §2.17: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr) when the
// CREATE_CHILD_SA exchange carried KE payloads.
Result<Secret> child_sa_keymat_pfs(const Prf& prf, const Secret& sk_d, const Secret& g_ir_new,
                                   ByteView ni, ByteView nr, std::size_t length);

// RFC 7296 §2.17: keys come out of KEYMAT in the order encryption then
// integrity key for the initiator-to-responder SA, then the same for the
// responder-to-initiator SA.
struct ChildSaKeys {
  Secret encr_i, integ_i;  // initiator -> responder
  Secret encr_r, integ_r;  // responder -> initiator
};
std::size_t child_sa_keymat_size(std::size_t encr, std::size_t integ);
// Fails when keymat is shorter than child_sa_keymat_size(encr, integ).
Result<ChildSaKeys> split_child_sa_keymat(const Secret& keymat, std::size_t encr,
                                          std::size_t integ);

}  // namespace ike::crypto::v2
