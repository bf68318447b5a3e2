// Encrypted ISAKMP messages (RFC 2408 §3.1 E flag, RFC 2409 Appendix B).
// Everything after the 28-byte header is CBC-encrypted with the phase-1
// cipher under SKEYID_e-derived key material. The codec is stateless about
// IVs: the caller passes the IV for this message and gets back the last
// ciphertext block, which RFC 2409 Appendix B makes the IV of the next
// message in the same exchange. Which IV belongs to which message ID
// (phase-1 chain, per-M-ID Quick Mode / Informational IVs, retransmits) is
// the engine's state; phase1_iv / phase2_iv compute the starting points.
//
//   auto d = v1::decrypt_body(datagram, *cipher, key, iv_for_this_msg);
//   if (!d) { log(to_string(d.error())); ... }   // after_decryption=true: wrong key?
//   exchange.iv = d->next_iv;
//   auto e = v1::encrypt_message(reply, *cipher, key, exchange.iv);
//   send(e->wire); exchange.iv = e->next_iv;
#pragma once
#include <cstdint>

#include "libike/common/bytes.hpp"
#include "libike/crypto/crypto.hpp"
#include "libike/ikev1/codec/message.hpp"

namespace ike::v1 {

struct DecryptedMessage {
  Message message;  // header as received (E flag set), payloads, received chain
  Bytes next_iv;    // last ciphertext block of `wire`
};

// Decrypts and parses an E-flagged message. `iv` must be one cipher block.
// The ciphertext must be a non-empty multiple of the block size. Padding is
// whatever follows the last payload (any length, any content: RFC 2409 asks
// for zeros, peers differ). A header announcing no payload is BadValue.
// Errors: DecryptFailed for framing/cipher
// problems; parse errors of the plaintext carry after_decryption = true.
ParseResult<DecryptedMessage> decrypt_body(ByteView wire, const crypto::Cipher& cipher,
                                           ByteView key, ByteView iv);

struct EncryptedMessage {
  Bytes wire;     // header (E flag set, final length) + ciphertext
  Bytes next_iv;  // last ciphertext block
};

// Encodes m's payloads, pads with zero bytes to a multiple of the block
// size (none when already aligned), encrypts with `iv` (one block), and
// writes the header with the E flag set whatever m.header.flags says.
// An empty payload list is BadValue.
ParseResult<EncryptedMessage> encrypt_message(const Message& m, const crypto::Cipher& cipher,
                                              ByteView key, ByteView iv);

// RFC 2409 Appendix B: phase-1 IV = HASH(g^xi | g^xr) truncated to the
// cipher's block size (the negotiated hash, not the prf).
Bytes phase1_iv(crypto::HashAlg hash, ByteView gxi, ByteView gxr, std::size_t block_size);
// RFC 2409 Appendix B: the IV of a Quick Mode or Informational exchange =
// HASH(last phase-1 CBC output block | M-ID) truncated to the block size.
Bytes phase2_iv(crypto::HashAlg hash, ByteView last_phase1_block, std::uint32_t message_id,
                std::size_t block_size);

}  // namespace ike::v1
