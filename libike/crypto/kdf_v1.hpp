// IKEv1 key derivation (RFC 2409 §5, §5.5 and Appendix B), pre-shared-key
// authentication. `prf` is the negotiated PRF or, as RFC 2409 §4 says
// when none is negotiated, the HMAC of the negotiated hash. Byte strings
// are as sent on the wire: Ni_b/Nr_b are the nonce payload bodies, CKY-I/R
// the 8-byte cookies, g^xy the shared secret padded to the group size.
#pragma once
#include <cstdint>

#include "libike/crypto/crypto.hpp"

namespace ike::crypto::v1 {

// RFC 2409 §5: the four phase-1 secrets.
struct Phase1Keys {
  Secret skeyid;
  Secret skeyid_d;  // derives phase-2 KEYMAT
  Secret skeyid_a;  // authenticates ISAKMP messages (HASH payloads)
  Secret skeyid_e;  // source of the ISAKMP encryption key
};

// RFC 2409 §5, pre-shared keys: SKEYID = prf(pre-shared-key, Ni_b | Nr_b).
Secret skeyid_psk(const Prf& prf, const Secret& psk, ByteView ni_b, ByteView nr_b);

// RFC 2409 §5:
//   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
//   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
//   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
Phase1Keys derive_phase1_keys(const Prf& prf, Secret skeyid, const Secret& gxy, ByteView cky_i,
                              ByteView cky_r);

// Both steps for pre-shared keys.
Phase1Keys derive_phase1_keys_psk(const Prf& prf, const Secret& psk, ByteView ni_b, ByteView nr_b,
                                  const Secret& gxy, ByteView cky_i, ByteView cky_r);

// RFC 2409 Appendix B: the ISAKMP SA's encryption key is the first
// key_size bytes of SKEYID_e or, when SKEYID_e is too short, of
// Ka = K1 | K2 | ... with K1 = prf(SKEYID_e, 0) and Kn = prf(SKEYID_e, Kn-1).
Secret encryption_key(const Prf& prf, const Secret& skeyid_e, std::size_t key_size);

// RFC 2409 Appendix B: the phase-1 IV is HASH(g^xi | g^xr) truncated to
// the cipher's block size (g^xi the initiator's public value).
Bytes phase1_iv(HashAlg hash_alg, ByteView gxi, ByteView gxr, std::size_t block_size);

// RFC 2409 Appendix B: a quick-mode or informational exchange starts with
// IV = HASH(last phase-1 CBC output block | M-ID), M-ID in network order,
// truncated to the block size.
Bytes phase2_iv(HashAlg hash_alg, ByteView last_phase1_block, std::uint32_t message_id,
                std::size_t block_size);

// RFC 2409 §5.5, without PFS, for one SA (one direction: `spi` is the
// receiving side's SPI, `protocol` the IPsec protocol ID, 3 for ESP):
//   KEYMAT = K1 | K2 | ..., K1 = prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b),
//   Kn = prf(SKEYID_d, Kn-1 | protocol | SPI | Ni_b | Nr_b); first `length` bytes.
Secret quick_mode_keymat(const Prf& prf, const Secret& skeyid_d, std::uint8_t protocol,
                         ByteView spi, ByteView ni_b, ByteView nr_b, std::size_t length);

// RFC 2409 §5.5 with PFS: g(qm)^xy precedes the protocol in every Kn.
Secret quick_mode_keymat_pfs(const Prf& prf, const Secret& skeyid_d, const Secret& gqm_xy,
                             std::uint8_t protocol, ByteView spi, ByteView ni_b, ByteView nr_b,
                             std::size_t length);

}  // namespace ike::crypto::v1
