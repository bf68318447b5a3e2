// The Security Association payload, RFC 7296 §3.3: proposals, each with
// its transforms, each with its attributes. Every substructure length is
// checked against its parent before anything inside it is read.
#include "libike/ikev2/codec/detail.hpp"

namespace ike::v2::detail {
namespace {

// §3.3.1 / §3.3.2: "Last Substruc" is 0 for the last proposal/transform,
// 2 before another proposal, 3 before another transform.
constexpr std::uint8_t kLast = 0;
constexpr std::uint8_t kMoreProposals = 2;
constexpr std::uint8_t kMoreTransforms = 3;
constexpr std::size_t kProposalHeader = 8;
constexpr std::size_t kTransformHeader = 8;
constexpr std::size_t kAttributeHeader = 4;

// §3.3.5: AF=1 is TV (2-byte value in the header), AF=0 is TLV.
ParseResult<TransformAttribute> decode_attribute(const Body& b, Reader& r) {
  std::size_t at = r.offset();
  if (r.remaining() < kAttributeHeader)
    return b.fail(ParseErrc::BadNesting, at, "attribute beyond transform");
  std::uint16_t type = r.u16().value();
  std::uint16_t word = r.u16().value();
  TransformAttribute a;
  a.type = static_cast<std::uint16_t>(type & ~kAttrFormatTv);
  a.tv = (type & kAttrFormatTv) != 0;
  if (a.tv) {
    a.value = word;
  } else {
    auto data = r.bytes(word);
    if (!data) return b.fail(ParseErrc::BadNesting, at, "attribute value beyond transform");
    a.data.assign(data->begin(), data->end());
  }
  // §3.3.5: Key Length is always TV.
  if (a.type == kAttrKeyLength && !a.tv)
    return b.fail(ParseErrc::BadValue, at, "key length attribute in TLV format");
  return a;
}

// §3.3.2: one transform; `r` is positioned at its Last Substruc octet
// inside the proposal.
ParseResult<Transform> decode_transform(const Body& b, Reader& r, bool& last) {
  std::size_t at = r.offset();
  if (r.remaining() < kTransformHeader)
    return b.fail(ParseErrc::BadNesting, at, "transform header beyond proposal");
  std::uint8_t more = r.u8().value();
  r.skip(1);
  std::uint16_t length = r.u16().value();
  if (more != kLast && more != kMoreTransforms)
    return b.fail(ParseErrc::BadValue, at, "transform last-substruc value");
  last = more == kLast;
  if (length < kTransformHeader) return b.fail(ParseErrc::BadLength, at, "transform length below 8");
  if (std::size_t{length} - 4 > r.remaining())
    return b.fail(ParseErrc::BadNesting, at, "transform length beyond proposal");
  Transform t;
  t.type = static_cast<TransformType>(r.u8().value());
  r.skip(1);
  t.id = r.u16().value();
  if (static_cast<unsigned>(t.type) == 0) return b.fail(ParseErrc::BadValue, at, "transform type 0");
  Body attrs{b.data.subspan(0, at + length), b.base, b.type, b.inner};
  Reader ar(attrs.data);
  ar.skip(r.offset());
  while (!ar.empty()) {
    auto a = decode_attribute(attrs, ar);
    if (!a) return fail(a.error());
    t.attributes.push_back(std::move(*a));
  }
  r.skip(ar.offset() - r.offset());
  return t;
}

// §3.3.1: SPI sizes the RFC allows for each protocol (IKE: 0 in
// IKE_SA_INIT, 8 when rekeying; AH/ESP: 4). Unknown protocols keep theirs.
bool spi_size_ok(ProtocolId protocol, std::size_t size) {
  switch (protocol) {
    case ProtocolId::Ike: return size == 0 || size == 8;
    case ProtocolId::Ah:
    case ProtocolId::Esp: return size == 4;
    default: return true;
  }
}

ParseResult<Proposal> decode_transforms(const Body& b, Reader& r, Proposal p, unsigned count,
                                        std::size_t at) {
  if (count == 0) return b.fail(ParseErrc::ZeroLength, at, "proposal without transforms");
  bool last = false;
  for (unsigned i = 0; i < count; ++i) {
    if (last) return b.fail(ParseErrc::BadNesting, r.offset(), "transform after the last one");
    auto t = decode_transform(b, r, last);
    if (!t) return fail(t.error());
    p.transforms.push_back(std::move(*t));
  }
  if (!last) return b.fail(ParseErrc::BadNesting, r.offset(), "more transforms announced");
  if (!r.empty()) return b.fail(ParseErrc::BadNesting, r.offset(), "bytes after the last transform");
  return p;
}

// §3.3.1: one proposal; `r` is positioned at its Last Substruc octet.
ParseResult<Proposal> decode_proposal(const Body& b, Reader& r, bool& last) {
  std::size_t at = r.offset();
  if (r.remaining() < kProposalHeader)
    return b.fail(ParseErrc::BadNesting, at, "proposal header beyond SA payload");
  std::uint8_t more = r.u8().value();
  r.skip(1);
  std::uint16_t length = r.u16().value();
  if (more != kLast && more != kMoreProposals)
    return b.fail(ParseErrc::BadValue, at, "proposal last-substruc value");
  last = more == kLast;
  if (length < kProposalHeader) return b.fail(ParseErrc::BadLength, at, "proposal length below 8");
  if (std::size_t{length} - 4 > r.remaining())
    return b.fail(ParseErrc::BadNesting, at, "proposal length beyond SA payload");
  Proposal p;
  p.number = r.u8().value();
  p.protocol = static_cast<ProtocolId>(r.u8().value());
  std::uint8_t spi_size = r.u8().value();
  std::uint8_t count = r.u8().value();
  if (p.number == 0) return b.fail(ParseErrc::BadValue, at, "proposal number 0");
  if (p.protocol == ProtocolId::None) return b.fail(ParseErrc::BadValue, at, "protocol ID 0");
  if (!spi_size_ok(p.protocol, spi_size))
    return b.fail(ParseErrc::BadValue, at, "SPI size for the protocol");
  if (spi_size > length - kProposalHeader)
    return b.fail(ParseErrc::BadNesting, at, "SPI beyond proposal");
  auto spi = r.bytes(spi_size).value();
  p.spi.assign(spi.begin(), spi.end());
  // The transforms live in [r.offset(), at + length): parse them with a
  // reader that cannot see past the proposal.
  Reader tr(b.data.subspan(0, at + length));
  tr.skip(r.offset());
  r.skip(at + length - r.offset());
  return decode_transforms(b, tr, std::move(p), count, at);
}

// §3.3.1: "the first Proposal MUST have a Proposal Num of one, and each
// subsequent proposal MUST have a number one more than the previous". A
// reply carries the single chosen proposal with the offer's number.
bool numbering_ok(const std::vector<Proposal>& proposals) {
  if (proposals.size() < 2) return true;
  for (std::size_t i = 0; i < proposals.size(); ++i)
    if (proposals[i].number != i + 1) return false;
  return true;
}

void encode_transform(const Transform& t, bool last, Writer& w) {
  w.u8(last ? kLast : kMoreTransforms);
  w.u8(0);
  std::size_t len_at = w.reserve_u16();
  std::size_t start = len_at - 2;
  w.u8(static_cast<std::uint8_t>(t.type));
  w.u8(0);
  w.u16(t.id);
  for (const auto& a : t.attributes) {
    auto type = static_cast<std::uint16_t>(a.type & ~kAttrFormatTv);
    if (a.tv) {
      w.u16(static_cast<std::uint16_t>(type | kAttrFormatTv));
      w.u16(a.value);
    } else {
      w.u16(type);
      w.u16(checked_u16(a.data.size(), "transform attribute"));
      w.bytes(a.data);
    }
  }
  w.patch_u16(len_at, checked_u16(w.size() - start, "transform"));
}

void encode_proposal(const Proposal& p, bool last, Writer& w) {
  w.u8(last ? kLast : kMoreProposals);
  w.u8(0);
  std::size_t len_at = w.reserve_u16();
  std::size_t start = len_at - 2;
  w.u8(p.number);
  w.u8(static_cast<std::uint8_t>(p.protocol));
  w.u8(checked_u8(p.spi.size(), "SPI"));
  w.u8(checked_u8(p.transforms.size(), "transform count"));
  w.bytes(p.spi);
  for (std::size_t i = 0; i < p.transforms.size(); ++i)
    encode_transform(p.transforms[i], i + 1 == p.transforms.size(), w);
  w.patch_u16(len_at, checked_u16(w.size() - start, "proposal"));
}

}  // namespace

ParseResult<SaPayload> decode_sa(const Body& b) {
  Reader r(b.data);
  SaPayload sa;
  if (r.empty()) return b.fail(ParseErrc::ZeroLength, 0, "SA payload without proposals");
  bool last = false;
  while (!last) {
    if (r.empty()) return b.fail(ParseErrc::BadNesting, r.offset(), "more proposals announced");
    auto p = decode_proposal(b, r, last);
    if (!p) return fail(p.error());
    sa.proposals.push_back(std::move(*p));
  }
  if (!r.empty()) return b.fail(ParseErrc::BadNesting, r.offset(), "bytes after the last proposal");
  if (!numbering_ok(sa.proposals))
    return b.fail(ParseErrc::BadValue, 0, "proposal numbers not 1, 2, 3...");
  return sa;
}

void encode_sa(const SaPayload& sa, Writer& w) {
  for (std::size_t i = 0; i < sa.proposals.size(); ++i)
    encode_proposal(sa.proposals[i], i + 1 == sa.proposals.size(), w);
}

}  // namespace ike::v2::detail
