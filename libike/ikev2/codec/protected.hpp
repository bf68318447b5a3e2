// The Encrypted (SK) payload, RFC 7296 §3.14, and its AEAD form, RFC 5282
// (AES-GCM) / RFC 7634 (ChaCha20-Poly1305). Every IKEv2 message after
// IKE_SA_INIT is a header followed by one SK payload holding the real
// payloads:
//
//   HDR | SK { IV | encrypt(payloads | padding | pad length) | ICV }
//
// The engine keeps a Message whose `payloads` are the inner payloads and
// lets encode_protected wrap them; decode_protected authenticates first
// and only then decrypts and parses (parse, then act).
#pragma once
#include "libike/common/bytes.hpp"
#include "libike/common/random.hpp"
#include "libike/common/result.hpp"
#include "libike/crypto/crypto.hpp"
#include "libike/ikev2/codec/message.hpp"

namespace ike::v2 {

// The keys of ONE direction (§2.14): SK_ei/SK_ai for messages the original
// initiator sends, SK_er/SK_ar for the responder's. The views borrow from
// the IKE SA's Secrets for the duration of a call.
struct SkKeys {
  const crypto::Cipher* cipher = nullptr;
  const crypto::Integrity* integrity = nullptr;  // nullptr with an AEAD cipher
  ByteView encryption_key;  // cipher->keymat_size() bytes (AEAD: key || salt)
  ByteView integrity_key;   // integrity->key_size() bytes; empty with AEAD
};

// Wraps message.payloads into one SK payload and writes the message:
// random IV from `random` (CBC: block-size IV; AEAD: 8-byte explicit IV,
// RFC 5282 §3), padding to the cipher block (§3.14), then
//  - CBC: ICV = integrity over the whole message up to the ICV;
//  - AEAD: AAD = IKE header || SK generic header, ICV = the AEAD tag
//    (RFC 5282 §5.1).
// Fails on inconsistent keys or an oversize message.
Result<Bytes> encode_protected(const Message& message, const SkKeys& keys, Random& random);

// Verifies and opens a message whose only payload is SK (payloads before
// SK are refused with BadNesting). Order (§3.14, §2.21): the ICV (CBC) or
// the AEAD tag is checked over the bytes as received BEFORE anything else
// is parsed, so any altered bit gives IntegrityFailed; then the header,
// the SK framing, the padding, and the inner payload chain whose first
// type is the SK payload's Next Payload. The returned Message holds the
// inner payloads. Inner-chain errors carry inner = true.
ParseResult<Message> decode_protected(ByteView wire, const SkKeys& keys);

// Bytes that encode_protected adds around the inner payloads (header, SK
// header, IV, padding, ICV) at most: for the engine's size budgeting.
std::size_t protected_overhead(const SkKeys& keys);

}  // namespace ike::v2
