// Real-shaped IKEv2 messages for the codec tests and the fuzz corpus:
// what strongSwan or kite would put on the wire in IKE_SA_INIT and
// IKE_AUTH, with every payload type represented somewhere.
#pragma once
#include "libike/common/bytes.hpp"
#include "libike/ikev2/codec/codec.hpp"

namespace ike::v2::samples {

inline Bytes filled(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
  return b;
}

inline Header init_header() {
  Header h;
  h.spi_i = 0x0102030405060708;
  h.exchange = ExchangeType::IkeSaInit;
  h.initiator = true;
  return h;
}

// RFC 7296 §1.2: HDR, SAi1, KEi, Ni, N(NAT_DETECTION_*), VID.
inline Message init_request() {
  Proposal cbc{1, ProtocolId::Ike, {},
               {Transform::encr(EncrId::AesCbc, 256), Transform::encr(EncrId::AesCbc, 128),
                Transform::prf(PrfId::HmacSha256), Transform::prf(PrfId::HmacSha384),
                Transform::integ(IntegId::HmacSha256_128), Transform::integ(IntegId::HmacSha384_192),
                Transform::dh(14), Transform::dh(19)}};
  Proposal gcm{2, ProtocolId::Ike, {},
               {Transform::encr(EncrId::AesGcm16, 256), Transform::prf(PrfId::HmacSha384),
                Transform::dh(19), Transform::dh(31)}};
  Proposal chacha{3, ProtocolId::Ike, {},
                  {Transform::encr(EncrId::ChaCha20Poly1305), Transform::prf(PrfId::HmacSha256),
                   Transform::dh(31)}};
  Message m{init_header(), {}};
  m.add(SaPayload{{cbc, gcm, chacha}});
  m.add(KePayload{14, filled(256, 3)});
  m.add(NoncePayload{filled(32, 9)});
  m.add(NotifyPayload::make(NotifyType::NatDetectionSourceIp, filled(20, 1)));
  m.add(NotifyPayload::make(NotifyType::NatDetectionDestinationIp, filled(20, 2)));
  m.add(NotifyPayload::make(NotifyType::Ikev2FragmentationSupported));
  m.add(VendorIdPayload{filled(16, 0x40)});
  return m;
}

inline Header auth_header() {
  Header h = init_header();
  h.spi_r = 0x1112131415161718;
  h.exchange = ExchangeType::IkeAuth;
  h.message_id = 1;
  return h;
}

inline Subnet subnet(const char* text) { return *Subnet::parse(text); }

// RFC 7296 §1.2: HDR, SK {IDi, [N(INITIAL_CONTACT)], AUTH, SAi2, TSi, TSr}
// (the inner payloads; encode_protected wraps them).
inline Message auth_request_inner() {
  Proposal esp{1, ProtocolId::Esp, Proposal::spi32(0xc0ffee01),
               {Transform::encr(EncrId::AesCbc, 128), Transform::integ(IntegId::HmacSha256_128),
                Transform::esn(EsnId::No)}};
  Message m{auth_header(), {}};
  m.add(IdiPayload{Identification::address(*IpAddress::parse("203.0.113.5"))});
  m.add(NotifyPayload::make(NotifyType::InitialContact));
  m.add(AuthPayload{AuthMethod::SharedKeyMic, filled(32, 0x77)});
  m.add(SaPayload{{esp}});
  m.add(TsiPayload{{{TrafficSelector::subnet(subnet("192.168.1.0/24"))}}});
  m.add(TsrPayload{{{TrafficSelector::subnet(subnet("10.0.1.0/24"), 6),
                     TrafficSelector::subnet(subnet("fd00:1::/64"))}}});
  return m;
}

// Every other payload type once, for round trips.
inline Message everything_else() {
  Message m{auth_header(), {}};
  m.header.exchange = ExchangeType::Informational;
  m.header.response = true;
  m.add(IdrPayload{Identification::fqdn("vpn.example.net")});
  m.add(CertPayload{4, filled(40, 5)});
  m.add(CertReqPayload{4, {}});
  m.add(DeletePayload{ProtocolId::Ike, {}});
  m.add(DeletePayload{ProtocolId::Esp, {0x11223344, 0x55667788}});
  m.add(ConfigPayload{CfgType::Request,
                      {{static_cast<std::uint16_t>(CfgAttrType::InternalIp4Address), {}},
                       {static_cast<std::uint16_t>(CfgAttrType::InternalIp4Dns), {8, 8, 8, 8}}}});
  m.add(EapPayload{{1, 2, 0, 4}});
  m.add(UnknownPayload{PayloadType{200}, false, {1, 2, 3}});
  m.add(NotifyPayload::child(NotifyType::RekeySa, ProtocolId::Esp, 0xabcdef01));
  m.add(NotifyPayload::invalid_ke(19));
  m.add(NotifyPayload::make(NotifyType::Cookie, filled(8, 0x21)));
  return m;
}

}  // namespace ike::v2::samples
