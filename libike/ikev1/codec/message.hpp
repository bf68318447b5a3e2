// A whole ISAKMP message: the fixed header (RFC 2408 §3.1) and the ordered
// payload list chained by next-payload numbers (§3.2).
//
//   auto m = v1::decode(datagram);            // plaintext messages
//   if (!m) log(to_string(m.error()));        // typed error, offset, payload
//   for (auto& p : m->payloads) std::visit(handler, p);
//
//   v1::Message out{header, {sa, ke, nonce, vid}};
//   auto wire = v1::encode(out);              // next payload / lengths computed
//
// Encrypted messages (E flag) go through decrypt_body / encrypt_message in
// crypt.hpp; the hash helpers for RFC 2409 are in hash_inputs.hpp.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "libike/common/bytes.hpp"
#include "libike/common/writer.hpp"
#include "libike/ikev1/codec/constants.hpp"
#include "libike/ikev1/codec/error.hpp"
#include "libike/ikev1/codec/payloads.hpp"

namespace ike::v1 {

// Codec limits (Oversize beyond them): one UDP datagram, and more payloads
// than any IKEv1 exchange uses (Main Mode 1 with a dozen vendor IDs is ~15).
inline constexpr std::size_t kMaxMessageSize = 65535;
inline constexpr std::size_t kMaxPayloads = 64;

using Cookie = std::array<std::uint8_t, kCookieSize>;

// RFC 2408 §3.1, less the fields the encoder computes (next payload,
// version, length).
struct Header {
  Cookie initiator_cookie{};
  Cookie responder_cookie{};  // zero in the first message of an exchange
  ExchangeType exchange = kMainMode;
  std::uint8_t flags = 0;     // flags::kEncryption | kCommit | kAuthenticationOnly
  std::uint32_t message_id = 0;

  bool encrypted() const { return (flags & flags::kEncryption) != 0; }
  // CKY-I | CKY-R: the ISAKMP SPI in Delete and DPD notifies (RFC 3706 §5.1).
  Bytes cookies() const { return concat(initiator_cookie, responder_cookie); }
  friend bool operator==(const Header&, const Header&) = default;
};

// The header as read off the wire, with the computed fields.
struct WireHeader {
  Header header;
  PayloadType first_payload = PayloadType::None;
  std::uint32_t length = 0;
};

// Where each decoded payload sat: `bytes` is the payload chain as received
// (plaintext, from the first generic header to the end of the last payload,
// without encryption padding), offsets[i] the start of payloads[i] in it.
// Used by bytes_after_hash (hash_inputs.hpp). Filled by decode, empty for
// messages built in code; ignored by ==.
struct ReceivedChain {
  Bytes bytes;
  std::vector<std::size_t> offsets;

  bool empty() const { return offsets.empty(); }
  friend bool operator==(const ReceivedChain&, const ReceivedChain&) { return true; }
};

struct Message {
  Header header;
  std::vector<Payload> payloads;
  ReceivedChain received;

  friend bool operator==(const Message&, const Message&) = default;
};

// Parses the 28-byte header of `wire`: version 1.0 (BadVersion), length
// equal to wire.size() (BadLength) and at most kMaxMessageSize (Oversize).
ParseResult<WireHeader> decode_header(ByteView wire);

// A plaintext message. An E flag is BadValue (use decrypt_body); bytes
// after the last payload are BadLength.
ParseResult<Message> decode(ByteView wire);

// A bare payload chain starting with `first`; `base` = offset of `data` in
// the message (for errors). `allow_trailing` accepts bytes after the last
// payload (encryption padding).
struct DecodedChain {
  std::vector<Payload> payloads;
  ReceivedChain received;
};
ParseResult<DecodedChain> decode_payload_chain(PayloadType first, ByteView data, std::size_t base,
                                               bool allow_trailing);

// The payload chain: generic headers with next-payload links (0 after the
// last) and lengths, no ISAKMP header. Deterministic: the bytes after a
// HASH payload in encode(m) are exactly encode_payloads(the rest).
ParseResult<Bytes> encode_payloads(std::span<const Payload> payloads);

// Header + chain, plaintext. A header with the E flag is BadValue (use
// encrypt_message, which pads and encrypts).
ParseResult<Bytes> encode(const Message& m);

// The 28 header bytes for a message of `length` bytes starting with `first`.
void write_header(const Header& h, PayloadType first, std::uint32_t length, Writer& w);

}  // namespace ike::v1
