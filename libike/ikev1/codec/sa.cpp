#include "libike/ikev1/codec/sa.hpp"

#include "libike/common/reader.hpp"
#include "libike/ikev1/codec/generic.hpp"

namespace ike::v1 {

using detail::GenericHeader;
using detail::read_generic;

namespace {

constexpr auto kSa = PayloadType::SecurityAssociation;
constexpr auto kProposal = PayloadType::Proposal;
constexpr auto kTransform = PayloadType::Transform;
// RFC 2408 §3.5/§3.6: fixed fields after the generic header.
constexpr std::size_t kTransformFixed = 4;

// Reads one nested payload (proposal or transform): header, then a body
// that must lie inside the enclosing payload, else BadNesting.
struct Nested {
  GenericHeader header;
  ByteView body;
  std::size_t body_offset;
};

ParseResult<Nested> read_nested(Reader& r, std::size_t base, PayloadType self, PayloadType chain) {
  std::size_t at = base + r.offset();
  auto h = read_generic(r, base, self);
  if (!h) return fail(h.error());
  if (h->next != chain && h->next != PayloadType::None) {
    return parse_fail(ParseErrc::BadNesting, at, self, "next payload inside SA is not a proposal/transform");
  }
  std::size_t body_offset = base + r.offset();
  auto body = r.bytes(h->body_size());
  if (!body) {
    return parse_fail(ParseErrc::BadNesting, at, self, "length runs past the enclosing payload");
  }
  return Nested{*h, *body, body_offset};
}

// RFC 2408 §3.6: Transform # | Transform-ID | RESERVED2 | SA Attributes.
ParseResult<Transform> decode_transform(const Nested& n) {
  Reader r(n.body);
  auto number = r.u8();
  auto id = r.u8();
  if (!number || !id || !r.skip(2)) {
    return parse_fail(ParseErrc::BadLength, n.body_offset, kTransform, "transform shorter than its fixed fields");
  }
  auto attrs = decode_attributes(r.rest(), n.body_offset + kTransformFixed);
  if (!attrs) return fail(attrs.error());
  return Transform{*number, *id, std::move(*attrs)};
}

// The transform chain of one proposal: exactly `count` transforms linked
// by next-payload 3, the last with 0, filling the proposal to its end.
ParseResult<std::vector<Transform>> decode_transforms(ByteView data, std::size_t base,
                                                      std::uint8_t count) {
  Reader r(data);
  std::vector<Transform> out;
  PayloadType next = count == 0 ? PayloadType::None : kTransform;
  while (next == kTransform) {
    if (out.size() == count) {
      return parse_fail(ParseErrc::BadNesting, base + r.offset(), kProposal, "more transforms than declared");
    }
    auto n = read_nested(r, base, kTransform, kTransform);
    if (!n) return fail(n.error());
    auto t = decode_transform(*n);
    if (!t) return fail(t.error());
    out.push_back(std::move(*t));
    next = n->header.next;
  }
  if (out.size() != count) {
    return parse_fail(ParseErrc::BadNesting, base + r.offset(), kProposal, "fewer transforms than declared");
  }
  if (!r.empty()) {
    return parse_fail(ParseErrc::BadLength, base + r.offset(), kProposal, "bytes after the last transform");
  }
  return out;
}

// RFC 2408 §3.5: Proposal # | Protocol-Id | SPI Size | # of Transforms |
// SPI | Transforms.
ParseResult<Proposal> decode_proposal(const Nested& n) {
  Reader r(n.body);
  auto number = r.u8();
  auto protocol = r.u8();
  auto spi_size = r.u8();
  auto count = r.u8();
  if (!number || !protocol || !spi_size || !count) {
    return parse_fail(ParseErrc::BadLength, n.body_offset, kProposal, "proposal shorter than its fixed fields");
  }
  auto spi = r.bytes(*spi_size);
  if (!spi) return parse_fail(ParseErrc::BadLength, n.body_offset, kProposal, "SPI runs past the proposal");
  std::size_t transforms_at = n.body_offset + r.offset();
  auto transforms = decode_transforms(r.rest(), transforms_at, *count);
  if (!transforms) return fail(transforms.error());
  return Proposal{*number, static_cast<ProtocolId>(*protocol), Bytes(spi->begin(), spi->end()),
                  std::move(*transforms)};
}

ParseResult<std::vector<Proposal>> decode_proposals(ByteView data, std::size_t base) {
  Reader r(data);
  std::vector<Proposal> out;
  PayloadType next = kProposal;
  while (next == kProposal) {
    if (out.size() == kMaxProposals) {
      return parse_fail(ParseErrc::Oversize, base + r.offset(), kSa, "too many proposals");
    }
    if (r.empty()) return parse_fail(ParseErrc::BadNesting, base + r.offset(), kSa, "proposal missing");
    auto n = read_nested(r, base, kProposal, kProposal);
    if (!n) return fail(n.error());
    auto p = decode_proposal(*n);
    if (!p) return fail(p.error());
    out.push_back(std::move(*p));
    next = n->header.next;
  }
  if (!r.empty()) return parse_fail(ParseErrc::BadLength, base + r.offset(), kSa, "bytes after the last proposal");
  return out;
}

}  // namespace

// RFC 2408 §3.4 with RFC 2407 §4.6.1: DOI | Situation | Proposals.
ParseResult<SaPayload> decode_sa_body(ByteView body, std::size_t base) {
  Reader r(body);
  auto doi = r.u32();
  auto sit = r.u32();
  if (!doi || !sit) return parse_fail(ParseErrc::BadLength, base, kSa, "SA shorter than DOI and situation");
  if (*doi != kDoiIpsec) return parse_fail(ParseErrc::BadDoi, base, kSa, "DOI is not IPsec");
  // Secrecy/integrity situations carry labelled-domain fields (RFC 2407
  // §4.6.1) that nobody deploys; kite speaks identity-only.
  if (*sit != situation::kIdentityOnly) {
    return parse_fail(ParseErrc::BadSituation, base + 4, kSa, "situation is not SIT_IDENTITY_ONLY");
  }
  auto proposals = decode_proposals(r.rest(), base + 8);
  if (!proposals) return fail(proposals.error());
  return SaPayload{*doi, *sit, std::move(*proposals), ReceivedBytes{Bytes(body.begin(), body.end())}};
}

namespace {

ParseResult<void> encode_transform(const Transform& t, bool last, Writer& w) {
  auto at = detail::begin_generic(w, last ? PayloadType::None : kTransform);
  w.u8(t.number);
  w.u8(t.id);
  w.u16(0);
  if (auto st = encode_attributes(t.attributes, w); !st) return st;
  return detail::end_generic(w, at, kTransform);
}

ParseResult<void> encode_proposal(const Proposal& p, bool last, Writer& w) {
  if (p.spi.size() > 255 || p.transforms.size() > 255) {
    return parse_fail(ParseErrc::Oversize, w.size(), kProposal, "SPI or transform count over 255");
  }
  auto at = detail::begin_generic(w, last ? PayloadType::None : kProposal);
  w.u8(p.number);
  w.u8(static_cast<std::uint8_t>(p.protocol));
  w.u8(static_cast<std::uint8_t>(p.spi.size()));
  w.u8(static_cast<std::uint8_t>(p.transforms.size()));
  w.bytes(p.spi);
  for (std::size_t i = 0; i < p.transforms.size(); ++i) {
    auto st = encode_transform(p.transforms[i], i + 1 == p.transforms.size(), w);
    if (!st) return st;
  }
  return detail::end_generic(w, at, kProposal);
}

}  // namespace

ParseResult<void> encode_sa_body(const SaPayload& sa, Writer& w) {
  // An SA must offer something (RFC 2408 §3.4); the decoder insists too.
  if (sa.proposals.empty()) return parse_fail(ParseErrc::BadNesting, w.size(), kSa, "SA without proposals");
  w.u32(sa.doi);
  w.u32(sa.situation);
  for (std::size_t i = 0; i < sa.proposals.size(); ++i) {
    auto st = encode_proposal(sa.proposals[i], i + 1 == sa.proposals.size(), w);
    if (!st) return st;
  }
  return {};
}

Bytes sa_body_for_hash(const SaPayload& sa) {
  if (!sa.received_body.empty()) return sa.received_body.bytes;
  Writer w;
  if (!encode_sa_body(sa, w)) return {};
  return w.take();
}

}  // namespace ike::v1
