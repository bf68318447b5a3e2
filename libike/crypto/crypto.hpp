// The crypto suite's small interfaces (Prf, Integrity, Cipher,
// KeyExchange). Implementations live in this folder over OpenSSL 3 and
// libsodium; callers get them from the make_* factories and never see a
// library type. Stateless: keys go in with every call, so one object per
// algorithm can be shared by every SA.
#pragma once
#include <memory>

#include "libike/common/bytes.hpp"
#include "libike/common/random.hpp"
#include "libike/common/result.hpp"
#include "libike/common/secret.hpp"
#include "libike/crypto/algorithms.hpp"

namespace ike::crypto {

class Prf {
 public:
  virtual ~Prf() = default;
  virtual PrfAlg alg() const = 0;
  virtual std::size_t output_size() const = 0;
  // Key size for prf+ derived keys (SK_d, SK_pi, SK_pr): RFC 7296 §2.13,
  // the PRF's preferred key length (= output size for HMACs).
  virtual std::size_t key_size() const = 0;
  virtual Secret compute(ByteView key, ByteView data) const = 0;
};

class Integrity {
 public:
  virtual ~Integrity() = default;
  virtual IntegAlg alg() const = 0;
  virtual std::size_t key_size() const = 0;
  virtual std::size_t icv_size() const = 0;  // truncated length on the wire
  virtual Bytes sign(ByteView key, ByteView data) const = 0;
  // Constant-time comparison of the truncated ICV.
  virtual bool verify(ByteView key, ByteView data, ByteView icv) const = 0;
};

class Cipher {
 public:
  virtual ~Cipher() = default;
  virtual EncrAlg alg() const = 0;
  virtual bool is_aead() const = 0;
  // Keying material length to derive: the key plus, for AEAD, the salt
  // (RFC 5282 §7.1: 4-byte salt for GCM; RFC 7634 §2: 4 for ChaCha20).
  virtual std::size_t keymat_size() const = 0;
  virtual std::size_t block_size() const = 0;  // padding unit (1 for ChaCha20)
  virtual std::size_t iv_size() const = 0;     // explicit IV on the wire (8 for AEAD)
  virtual std::size_t icv_size() const = 0;    // AEAD tag length, 0 for CBC

  // CBC: plaintext must be a multiple of block_size() (the caller pads:
  // IKEv1 and IKEv2 pad differently). aad is ignored.
  // AEAD: returns ciphertext || tag; nonce = salt || iv.
  virtual Result<Bytes> encrypt(ByteView keymat, ByteView iv, ByteView plaintext,
                                ByteView aad) const = 0;
  // AEAD: input is ciphertext || tag; fails when the tag does not verify.
  virtual Result<Bytes> decrypt(ByteView keymat, ByteView iv, ByteView ciphertext,
                                ByteView aad) const = 0;
};

class KeyExchange {
 public:
  virtual ~KeyExchange() = default;
  virtual DhGroup group() const = 0;
  // Our public value as it goes in a KE payload (MODP: zero-padded to the
  // prime's length; ECP: x || y, RFC 5903 §7; Curve25519: 32 bytes).
  virtual ByteView public_value() const = 0;
  // Validates the peer's value (0, 1, p-1, outside the subgroup, off-curve,
  // wrong length, all-zero X25519 result) before computing g^ir.
  virtual Result<Secret> shared_secret(ByteView peer_public) const = 0;
};

std::unique_ptr<Prf> make_prf(PrfAlg alg);
std::unique_ptr<Integrity> make_integrity(IntegAlg alg);
std::unique_ptr<Cipher> make_cipher(EncrAlg alg);
// The private value comes from `random` (deterministic in tests).
Result<std::unique_ptr<KeyExchange>> make_key_exchange(DhGroup group, Random& random);
// A plain hash (IKEv1 phase-1 IV, NAT-D): HASH(data).
Bytes hash(HashAlg alg, ByteView data);
std::size_t hash_size(HashAlg alg);

}  // namespace ike::crypto
