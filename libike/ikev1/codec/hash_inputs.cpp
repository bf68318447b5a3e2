#include "libike/ikev1/codec/hash_inputs.hpp"

#include "libike/common/writer.hpp"

namespace ike::v1 {

namespace {
Bytes be32(std::uint32_t v) {
  Writer w;
  w.u32(v);
  return w.take();
}
}  // namespace

ParseResult<Bytes> bytes_after_hash(const Message& m) {
  // RFC 2409 §5.5: "the HASH payload MUST immediately follow the ISAKMP
  // header"; a HASH elsewhere would let a peer choose what is covered.
  if (m.payloads.empty() || !std::holds_alternative<HashPayload>(m.payloads.front())) {
    return parse_fail(ParseErrc::BadNesting, kHeaderSize, PayloadType::Hash, "HASH is not the first payload");
  }
  const auto& rx = m.received;
  if (rx.empty()) {
    return encode_payloads(std::span<const Payload>(m.payloads).subspan(1));
  }
  if (rx.offsets.size() != m.payloads.size() || rx.offsets.back() > rx.bytes.size()) {
    return parse_fail(ParseErrc::BadValue, 0, PayloadType::Hash, "received chain does not match the payloads");
  }
  std::size_t from = m.payloads.size() > 1 ? rx.offsets[1] : rx.bytes.size();
  return Bytes(rx.bytes.begin() + static_cast<std::ptrdiff_t>(from), rx.bytes.end());
}

ParseResult<std::vector<Payload>> prepend_hash(std::vector<Payload> rest,
                                               const HashOverFollowing& compute) {
  auto following = encode_payloads(rest);
  if (!following) return fail(following.error());
  rest.insert(rest.begin(), HashPayload{compute(*following)});
  return rest;
}

Bytes hash_i_input(ByteView gxi, ByteView gxr, const Cookie& cky_i, const Cookie& cky_r,
                   ByteView sai_b, ByteView idii_b) {
  return concat(gxi, gxr, cky_i, cky_r, sai_b, idii_b);
}

Bytes hash_r_input(ByteView gxi, ByteView gxr, const Cookie& cky_i, const Cookie& cky_r,
                   ByteView sai_b, ByteView idir_b) {
  return concat(gxr, gxi, cky_r, cky_i, sai_b, idir_b);
}

Bytes quick_hash1_input(std::uint32_t message_id, ByteView following) {
  return concat(be32(message_id), following);
}

Bytes quick_hash2_input(std::uint32_t message_id, ByteView ni_b, ByteView following) {
  return concat(be32(message_id), ni_b, following);
}

Bytes quick_hash3_input(std::uint32_t message_id, ByteView ni_b, ByteView nr_b) {
  Writer w;
  w.u8(0);
  w.u32(message_id);
  w.bytes(ni_b);
  w.bytes(nr_b);
  return w.take();
}

Bytes nat_d_input(const Cookie& cky_i, const Cookie& cky_r, ByteView ip, std::uint16_t port) {
  Writer w;
  w.bytes(cky_i);
  w.bytes(cky_r);
  w.bytes(ip);
  w.u16(port);
  return w.take();
}

}  // namespace ike::v1
