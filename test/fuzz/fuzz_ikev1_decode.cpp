// libFuzzer target for the IKEv1/ISAKMP codec: decode() on plaintext,
// decrypt_body() with a fixed AES-128-CBC key, a bare payload chain (what
// decrypt_body parses after the cipher), and on success the
// re-encode / re-decode round trip must hold (same payloads, and for
// plaintext the same bytes once re-encoded twice).
#include <cstdint>
#include <cstdlib>

#include "libike/crypto/crypto.hpp"
#include "libike/ikev1/codec/codec.hpp"

using namespace ike;
using namespace ike::v1;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// Exercise the accessors a handler would use on a decoded message.
void touch(const Message& m) {
  for (const auto& p : m.payloads) {
    if (const auto* sa = std::get_if<SaPayload>(&p)) {
      check(sa_body_for_hash(*sa) == sa->received_body.bytes);
      for (const auto& prop : sa->proposals) {
        for (const auto& t : prop.transforms) {
          for (const auto& a : t.attributes) (void)a.as_integer();
        }
      }
    } else if (const auto* id = std::get_if<IdPayload>(&p)) {
      check(id_body_for_hash(*id) == id->received_body.bytes);
    } else if (const auto* n = std::get_if<NotificationPayload>(&p)) {
      (void)dpd_sequence(*n);
    }
  }
  if (!m.payloads.empty() && std::holds_alternative<HashPayload>(m.payloads.front())) {
    auto after = bytes_after_hash(m);
    check(after.ok());
    std::vector<Payload> rest(m.payloads.begin() + 1, m.payloads.end());
    auto reencoded = encode_payloads(rest);
    check(reencoded.ok() && reencoded->size() == after->size());
  }
}

void round_trip_plain(const Message& m, ByteView wire) {
  auto again = encode(m);
  check(again.ok());
  auto back = decode(*again);
  check(back.ok() && *back == m);
  // A peer may encode differently (reserved bits), but our own encoding is
  // a fixed point.
  check(encode(*back).value() == *again);
  (void)wire;
}

void round_trip_encrypted(const DecryptedMessage& d, const crypto::Cipher& c, ByteView key,
                          ByteView iv) {
  auto e = encrypt_message(d.message, c, key, iv);
  check(e.ok());
  auto back = decrypt_body(e->wire, c, key, iv);
  check(back.ok() && back->message == d.message && back->next_iv == e->next_iv);
}

// The post-decryption path without the cipher in the way: a bare payload
// chain (first byte = first payload type) with trailing bytes allowed.
void bare_chain(ByteView data) {
  if (data.empty()) return;
  auto chain = decode_payload_chain(static_cast<PayloadType>(data[0]), data.subspan(1), 0, true);
  if (!chain) return;
  auto again = encode_payloads(chain->payloads);
  check(again.ok() && again->size() == chain->received.bytes.size());
  auto first = chain->payloads.empty() ? PayloadType::None : payload_type(chain->payloads.front());
  auto back = decode_payload_chain(first, *again, 0, false);
  check(back.ok() && back->payloads == chain->payloads);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto cipher = crypto::make_cipher(crypto::EncrAlg::Aes128Cbc);
  static const Bytes key(16, 0x4b);
  static const Bytes iv(16, 0x1f);
  ByteView wire(data, size);

  if (auto m = decode(wire)) {
    touch(*m);
    round_trip_plain(*m, wire);
  } else {
    (void)to_string(m.error());
    (void)to_notify(m.error());
  }
  bare_chain(wire);
  if (auto d = decrypt_body(wire, *cipher, key, iv)) {
    touch(d->message);
    round_trip_encrypted(*d, *cipher, key, iv);
  }
  return 0;
}
