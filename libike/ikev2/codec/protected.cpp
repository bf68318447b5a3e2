// The Encrypted payload (RFC 7296 §3.14; AEAD per RFC 5282 §5 and RFC 7634
// §3): authenticate first, then decrypt, then parse.
#include "libike/ikev2/codec/protected.hpp"

#include <algorithm>

#include "libike/common/reader.hpp"

namespace ike::v2 {
namespace {

// Byte offsets of the one-SK-payload layout (§3.14, Figure 21).
constexpr std::size_t kSkHeaderAt = kHeaderSize;
constexpr std::size_t kIvAt = kHeaderSize + kGenericHeaderSize;

struct Layout {
  bool aead = false;
  std::size_t iv = 0;     // explicit IV on the wire
  std::size_t icv = 0;    // integrity checksum or AEAD tag
  std::size_t block = 1;  // padding unit
};

// The keys must agree with their algorithms before any byte is touched.
std::optional<Layout> layout_of(const SkKeys& k) {
  if (k.cipher == nullptr || k.encryption_key.size() != k.cipher->keymat_size()) return std::nullopt;
  Layout l;
  l.aead = k.cipher->is_aead();
  l.iv = k.cipher->iv_size();
  l.block = std::max<std::size_t>(1, k.cipher->block_size());
  if (l.aead) {
    l.icv = k.cipher->icv_size();
  } else {
    if (k.integrity == nullptr || k.integrity_key.size() != k.integrity->key_size()) return std::nullopt;
    l.icv = k.integrity->icv_size();
  }
  return l;
}

// §3.14: payloads | Padding | Pad Length, a multiple of the block size.
// The padding is zeros (any value is allowed; none is checked on receipt).
Bytes pad(Bytes inner, std::size_t block) {
  std::size_t pad_len = (block - (inner.size() + 1) % block) % block;
  inner.insert(inner.end(), pad_len, 0);
  inner.push_back(static_cast<std::uint8_t>(pad_len));
  return inner;
}

// The IKE header and SK generic header for a body of `sk_body` bytes:
// encode() of a placeholder SK payload computes every length and the Next
// Payload chain, then the placeholder is cut off.
Bytes header_prefix(const Header& h, PayloadType first_inner, std::size_t sk_body) {
  Message outer{h, {}};
  outer.add(EncryptedPayload{first_inner, Bytes(sk_body, 0)});
  Bytes wire = encode(outer);
  wire.resize(kIvAt);
  return wire;
}

Failure<ParseError> sk_fail(ParseErrc code, std::size_t offset, std::string_view detail) {
  return parse_fail(code, offset, PayloadType::Sk, detail);
}

// Step 1 (§2.21, §3.14): the ICV or AEAD tag over the bytes as received,
// before anything else. AEAD returns the plaintext, CBC nothing yet.
ParseResult<Bytes> authenticate(ByteView wire, const SkKeys& k, const Layout& l) {
  std::size_t n = wire.size();
  if (l.aead) {
    // RFC 5282 §5.1: AAD = IKE header || SK generic header; the tag is
    // the ICV at the end.
    auto pt = k.cipher->decrypt(k.encryption_key, wire.subspan(kIvAt, l.iv),
                                wire.subspan(kIvAt + l.iv), wire.first(kIvAt));
    if (!pt) return sk_fail(ParseErrc::IntegrityFailed, n - l.icv, "AEAD tag does not verify");
    return std::move(*pt);
  }
  if (!k.integrity->verify(k.integrity_key, wire.first(n - l.icv), wire.last(l.icv)))
    return sk_fail(ParseErrc::IntegrityFailed, n - l.icv, "integrity checksum does not verify");
  return Bytes{};
}

// Step 3: the SK generic header, now authenticated; returns the first
// inner payload type.
ParseResult<PayloadType> check_framing(ByteView wire, const WireHeader& h) {
  if (h.first_payload != PayloadType::Sk)
    return parse_fail(ParseErrc::BadNesting, 16, h.first_payload, "protected message does not start with SK");
  Reader r(wire.subspan(kSkHeaderAt));
  auto first_inner = static_cast<PayloadType>(r.u8().value());
  r.skip(1);
  if (r.u16().value() != wire.size() - kSkHeaderAt)
    return sk_fail(ParseErrc::BadLength, kSkHeaderAt, "SK payload does not end the message");
  return first_inner;
}

// Step 4: CBC decryption of the authenticated ciphertext.
ParseResult<Bytes> decrypt_cbc(ByteView wire, const SkKeys& k, const Layout& l) {
  ByteView ct = wire.subspan(kIvAt + l.iv, wire.size() - kIvAt - l.iv - l.icv);
  if (ct.empty() || ct.size() % l.block != 0)
    return sk_fail(ParseErrc::DecryptFailed, kIvAt + l.iv, "ciphertext not a whole number of blocks");
  auto pt = k.cipher->decrypt(k.encryption_key, wire.subspan(kIvAt, l.iv), ct, {});
  if (!pt) return sk_fail(ParseErrc::DecryptFailed, kIvAt + l.iv, "cipher refused the ciphertext");
  return std::move(*pt);
}

}  // namespace

std::size_t protected_overhead(const SkKeys& keys) {
  auto l = layout_of(keys);
  if (!l) return 0;
  return kIvAt + l->iv + l->block + l->icv;
}

Result<Bytes> encode_protected(const Message& message, const SkKeys& keys, Random& random) {
  auto l = layout_of(keys);
  if (!l) return fail("IKEv2 SK: cipher, integrity and key sizes do not match");
  for (const auto& p : message.payloads)
    if (std::holds_alternative<EncryptedPayload>(p)) return fail("IKEv2 SK: SK payload inside SK");
  PayloadType first = PayloadType::None;
  Bytes plaintext = pad(encode_chain(message.payloads, first), l->block);
  std::size_t sk_body = l->iv + plaintext.size() + l->icv;
  if (kIvAt + sk_body > kMaxMessageSize) return fail("IKEv2 SK: message above 64 KiB");
  Bytes wire = header_prefix(message.header, first, sk_body);
  Bytes iv = random.bytes(l->iv);
  // RFC 5282 §5.1: AEAD additional data = IKE header || SK generic header.
  auto ct = keys.cipher->encrypt(keys.encryption_key, iv, plaintext, l->aead ? ByteView(wire) : ByteView());
  if (!ct) return fail(ct.error());
  if (ct->size() != plaintext.size() + (l->aead ? l->icv : 0)) return fail("IKEv2 SK: unexpected ciphertext size");
  wire.insert(wire.end(), iv.begin(), iv.end());
  wire.insert(wire.end(), ct->begin(), ct->end());
  if (!l->aead) {
    // §3.14: the checksum covers the whole message up to itself.
    Bytes icv = keys.integrity->sign(keys.integrity_key, wire);
    if (icv.size() != l->icv) return fail("IKEv2 SK: unexpected checksum size");
    wire.insert(wire.end(), icv.begin(), icv.end());
  }
  return wire;
}

ParseResult<Message> decode_protected(ByteView wire, const SkKeys& keys) {
  auto l = layout_of(keys);
  if (!l) return sk_fail(ParseErrc::DecryptFailed, 0, "keys do not match their algorithms");
  // Smallest message: headers, IV, one block (or the pad length octet), ICV.
  std::size_t min = kIvAt + l->iv + (l->aead ? 1 : l->block) + l->icv;
  if (wire.size() < min) return sk_fail(ParseErrc::Truncated, wire.size(), "shorter than an empty SK payload");
  if (wire.size() > kMaxMessageSize) return sk_fail(ParseErrc::Oversize, 0, "message above 64 KiB");
  auto aead_plain = authenticate(wire, keys, *l);
  if (!aead_plain) return fail(aead_plain.error());
  auto h = decode_header(wire);
  if (!h) return fail(h.error());
  auto first_inner = check_framing(wire, *h);
  if (!first_inner) return fail(first_inner.error());
  auto plaintext = l->aead ? std::move(aead_plain) : decrypt_cbc(wire, keys, *l);
  if (!plaintext) return fail(plaintext.error());
  // §3.14: the last octet is the Pad Length; the padding itself is ignored.
  const Bytes& pt = *plaintext;
  if (pt.empty() || std::size_t{pt.back()} + 1 > pt.size())
    return sk_fail(ParseErrc::BadPadding, kIvAt + l->iv, "pad length beyond the plaintext");
  ByteView inner = ByteView(pt).first(pt.size() - 1 - pt.back());
  auto payloads = decode_chain(inner, *first_inner, 0, true);
  if (!payloads) return fail(payloads.error());
  return Message{h->header, std::move(*payloads)};
}

}  // namespace ike::v2
