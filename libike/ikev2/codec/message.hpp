// An IKEv2 message: the fixed header (RFC 7296 §3.1) and its payloads in
// wire order. decode() parses and validates every payload (parse, then act:
// it never looks at SA state); encode() writes it back, chaining the Next
// Payload fields and computing every length.
//
//   auto m = v2::decode(datagram);
//   if (!m) return drop(v2::to_string(m.error()));
//   if (auto* n = m->find_notify(v2::NotifyType::Cookie)) ...
#pragma once
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

#include "libike/common/bytes.hpp"
#include "libike/ikev2/codec/constants.hpp"
#include "libike/ikev2/codec/errors.hpp"
#include "libike/ikev2/codec/payloads.hpp"

namespace ike::v2 {

// §3.1. Next Payload and Length are not stored: encode derives them.
// The minor version is written as 0 and ignored on receipt (§3.1).
struct Header {
  std::uint64_t spi_i = 0;
  std::uint64_t spi_r = 0;
  ExchangeType exchange = ExchangeType::IkeSaInit;
  bool initiator = false;       // I: sent by the original initiator of the IKE SA
  bool response = false;        // R
  bool higher_version = false;  // V
  std::uint32_t message_id = 0;

  friend bool operator==(const Header&, const Header&) = default;
};

// The header alone plus the two derived fields, for dispatch before the
// payloads are parsed (find the IKE SA by SPI, pick keys, see whether the
// body is an SK payload).
struct WireHeader {
  Header header;
  PayloadType first_payload = PayloadType::None;
  std::uint32_t length = 0;
};

struct Message {
  Header header;
  std::vector<Payload> payloads;

  template <typename T>
  Message& add(T payload) {
    payloads.emplace_back(std::move(payload));
    return *this;
  }

  // First payload of a type, or nullptr.
  template <typename T>
  const T* find() const {
    for (const auto& p : payloads)
      if (const T* t = std::get_if<T>(&p)) return t;
    return nullptr;
  }
  template <typename T>
  T* find() {
    for (auto& p : payloads)
      if (T* t = std::get_if<T>(&p)) return t;
    return nullptr;
  }
  template <typename T>
  std::vector<const T*> find_all() const {
    std::vector<const T*> out;
    for (const auto& p : payloads)
      if (const T* t = std::get_if<T>(&p)) out.push_back(t);
    return out;
  }
  template <typename T>
  bool has() const {
    return find<T>() != nullptr;
  }

  const NotifyPayload* find_notify(NotifyType type) const;
  std::vector<const NotifyPayload*> find_notifies(NotifyType type) const;
  bool has_notify(NotifyType type) const { return find_notify(type) != nullptr; }
  // The first error notify (type < 16384, §3.10.1), if any.
  const NotifyPayload* first_error() const;

  friend bool operator==(const Message&, const Message&) = default;
};

// A response header for a request (§2.2, §3.1): same SPIs, exchange and
// message ID, R set, I set when we are the original initiator.
Header response_header(const Header& request, bool we_are_initiator);

// §3.1: the header only. Checks the length field against `wire` (equal),
// the major version (2) and the size limits.
ParseResult<WireHeader> decode_header(ByteView wire);

// The whole message. An SK payload comes back as an opaque
// EncryptedPayload (it must be the last payload, §3.14); an unknown
// payload without the critical bit as UnknownPayload.
ParseResult<Message> decode(ByteView wire);

// Writes the message. Precondition: each payload fits its 16-bit length
// (throws std::length_error otherwise, a programming error).
Bytes encode(const Message& message);

// A payload chain without the IKE header (the SK plaintext), first payload
// type returned through `first`. Used by protected.cpp; public for tests.
Bytes encode_chain(const std::vector<Payload>& payloads, PayloadType& first);
// Parses a chain starting with payload type `first` that fills `data`
// exactly. `base` is added to error offsets; `inner` marks them as SK
// plaintext offsets. SK payloads are refused inside (BadNesting).
ParseResult<std::vector<Payload>> decode_chain(ByteView data, PayloadType first,
                                               std::size_t base, bool inner);

}  // namespace ike::v2
