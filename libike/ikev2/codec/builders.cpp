// Builders and accessors on the payload structs (payloads.hpp).
#include <algorithm>
#include <string_view>

#include "libike/common/reader.hpp"
#include "libike/common/writer.hpp"
#include "libike/ikev2/codec/payloads.hpp"

namespace ike::v2 {

Transform Transform::encr(EncrId id, std::uint16_t key_bits) {
  Transform t{TransformType::Encr, static_cast<std::uint16_t>(id), {}};
  if (key_bits != 0) t.attributes.push_back(TransformAttribute::key_length(key_bits));
  return t;
}
Transform Transform::prf(PrfId id) { return {TransformType::Prf, static_cast<std::uint16_t>(id), {}}; }
Transform Transform::integ(IntegId id) {
  return {TransformType::Integ, static_cast<std::uint16_t>(id), {}};
}
Transform Transform::dh(std::uint16_t group) { return {TransformType::Dh, group, {}}; }
Transform Transform::esn(EsnId id) { return {TransformType::Esn, static_cast<std::uint16_t>(id), {}}; }

std::optional<std::uint16_t> Transform::key_length() const {
  for (const auto& a : attributes)
    if (a.type == kAttrKeyLength && a.tv) return a.value;
  return std::nullopt;
}

Bytes Proposal::spi32(std::uint32_t spi) {
  Writer w;
  w.u32(spi);
  return w.take();
}
Bytes Proposal::spi64(std::uint64_t spi) {
  Writer w;
  w.u64(spi);
  return w.take();
}
std::optional<std::uint32_t> Proposal::spi_u32() const {
  if (spi.size() != 4) return std::nullopt;
  return Reader(spi).u32();
}
std::optional<std::uint64_t> Proposal::spi_u64() const {
  if (spi.size() != 8) return std::nullopt;
  return Reader(spi).u64();
}
std::vector<const Transform*> Proposal::of_type(TransformType type) const {
  std::vector<const Transform*> out;
  for (const auto& t : transforms)
    if (t.type == type) out.push_back(&t);
  return out;
}

Identification Identification::address(const IpAddress& a) {
  auto raw = a.bytes();
  return {a.is_v6() ? IdType::Ipv6Addr : IdType::Ipv4Addr, Bytes(raw.begin(), raw.end()), {}};
}
Identification Identification::fqdn(std::string_view name) {
  auto raw = as_bytes(name);
  return {IdType::Fqdn, Bytes(raw.begin(), raw.end()), {}};
}
Identification Identification::rfc822(std::string_view addr) {
  auto raw = as_bytes(addr);
  return {IdType::Rfc822Addr, Bytes(raw.begin(), raw.end()), {}};
}
Identification Identification::key_id(ByteView id) {
  return {IdType::KeyId, Bytes(id.begin(), id.end()), {}};
}
std::optional<IpAddress> Identification::ip() const {
  if (type != IdType::Ipv4Addr && type != IdType::Ipv6Addr) return std::nullopt;
  return IpAddress::from_bytes(data);
}
std::string_view Identification::text() const {
  if (type != IdType::Fqdn && type != IdType::Rfc822Addr) return {};
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}
// RFC 7296 §2.15: RestOfInitIDPayload = ID Type | RESERVED | data.
Bytes Identification::body() const {
  // Sized up front: GCC 12 -O3 misreads an insert after push_backs
  // (-Warray-bounds false positive).
  Bytes out(4 + data.size());
  out[0] = static_cast<std::uint8_t>(type);
  std::copy(reserved.begin(), reserved.end(), out.begin() + 1);
  std::copy(data.begin(), data.end(), out.begin() + 4);
  return out;
}

NotifyPayload NotifyPayload::make(NotifyType type, Bytes data) {
  return {ProtocolId::None, {}, type, std::move(data)};
}
NotifyPayload NotifyPayload::child(NotifyType type, ProtocolId protocol, std::uint32_t spi,
                                   Bytes data) {
  return {protocol, Proposal::spi32(spi), type, std::move(data)};
}
NotifyPayload NotifyPayload::invalid_ke(std::uint16_t group) {
  Writer w;
  w.u16(group);
  return make(NotifyType::InvalidKePayload, w.take());
}
std::optional<std::uint16_t> NotifyPayload::invalid_ke_group() const {
  if (type != NotifyType::InvalidKePayload || data.size() != 2) return std::nullopt;
  return Reader(data).u16();
}
std::optional<std::uint32_t> NotifyPayload::spi_u32() const {
  if (spi.size() != 4) return std::nullopt;
  return Reader(spi).u32();
}

TrafficSelector TrafficSelector::subnet(const Subnet& s, std::uint8_t ip_protocol) {
  return {ip_protocol, 0, 65535, s.first(), s.last()};
}

PayloadType payload_type(const Payload& p) {
  struct Typer {
    PayloadType operator()(const SaPayload&) const { return PayloadType::Sa; }
    PayloadType operator()(const KePayload&) const { return PayloadType::Ke; }
    PayloadType operator()(const IdiPayload&) const { return PayloadType::IdI; }
    PayloadType operator()(const IdrPayload&) const { return PayloadType::IdR; }
    PayloadType operator()(const CertPayload&) const { return PayloadType::Cert; }
    PayloadType operator()(const CertReqPayload&) const { return PayloadType::CertReq; }
    PayloadType operator()(const AuthPayload&) const { return PayloadType::Auth; }
    PayloadType operator()(const NoncePayload&) const { return PayloadType::Nonce; }
    PayloadType operator()(const NotifyPayload&) const { return PayloadType::Notify; }
    PayloadType operator()(const DeletePayload&) const { return PayloadType::Delete; }
    PayloadType operator()(const VendorIdPayload&) const { return PayloadType::VendorId; }
    PayloadType operator()(const TsiPayload&) const { return PayloadType::TsI; }
    PayloadType operator()(const TsrPayload&) const { return PayloadType::TsR; }
    PayloadType operator()(const EncryptedPayload&) const { return PayloadType::Sk; }
    PayloadType operator()(const ConfigPayload&) const { return PayloadType::Cp; }
    PayloadType operator()(const EapPayload&) const { return PayloadType::Eap; }
    PayloadType operator()(const UnknownPayload& u) const { return u.type; }
  };
  return std::visit(Typer{}, p);
}

}  // namespace ike::v2
