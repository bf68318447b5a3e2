// Real-shaped IKEv1 messages for the codec tests: Main Mode 1-6,
// Aggressive Mode 1-3 and a Quick Mode 1 as a PSK gateway (strongSwan,
// libreswan, Cisco) sends them. Values are made up but sized as on the
// wire (MODP-2048 KE, 32-byte nonces, SHA-1 NAT-D, MD5 vendor IDs).
#pragma once
#include "libike/common/bytes.hpp"
#include "libike/ikev1/codec/codec.hpp"

namespace ike::v1::samples {

inline Bytes filled(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
  return b;
}

inline Header header(ExchangeType x, bool responder_known, std::uint32_t mid = 0) {
  Header h;
  h.initiator_cookie = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  if (responder_known) h.responder_cookie = {0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01};
  h.exchange = x;
  h.message_id = mid;
  return h;
}

// RFC 2409 App. A phase-1 transform: AES-CBC-128 / SHA / PSK / MODP-2048,
// 28800 s as a basic Life Duration.
inline Transform ike_transform(std::uint8_t number, std::uint16_t key_bits) {
  return Transform{number, kTransformKeyIke,
                   {DataAttribute::tv(Phase1Attr::EncryptionAlgorithm, 7),
                    DataAttribute::tv(Phase1Attr::KeyLength, key_bits),
                    DataAttribute::tv(Phase1Attr::HashAlgorithm, 2),
                    DataAttribute::tv(Phase1Attr::AuthenticationMethod, 1),
                    DataAttribute::tv(Phase1Attr::GroupDescription, 14),
                    DataAttribute::tv(Phase1Attr::LifeType, 1),
                    DataAttribute::integer(Phase1Attr::LifeDuration, 28800)}};
}

inline SaPayload phase1_sa(bool offer) {
  Proposal p{1, ProtocolId::Isakmp, {}, {ike_transform(1, 256)}};
  if (offer) {
    p.transforms.push_back(ike_transform(2, 128));
    // 3DES / SHA / PSK / MODP-1024, a day as a variable Life Duration.
    p.transforms.push_back(Transform{3, kTransformKeyIke,
                                     {DataAttribute::tv(Phase1Attr::EncryptionAlgorithm, 5),
                                      DataAttribute::tv(Phase1Attr::HashAlgorithm, 2),
                                      DataAttribute::tv(Phase1Attr::AuthenticationMethod, 1),
                                      DataAttribute::tv(Phase1Attr::GroupDescription, 2),
                                      DataAttribute::tv(Phase1Attr::LifeType, 1),
                                      DataAttribute::integer(Phase1Attr::LifeDuration, 86400)}});
  }
  return SaPayload{kDoiIpsec, situation::kIdentityOnly, {p}, {}};
}

inline Payload vid(std::uint8_t seed) { return VendorIdPayload{filled(16, seed)}; }
// RFC 3947 VID: MD5("RFC 3947").
inline Payload vid_rfc3947() { return VendorIdPayload{from_hex("4a131c81070358455c5728f20e95452f")}; }
// RFC 3706 DPD VID.
inline Payload vid_dpd() { return VendorIdPayload{from_hex("afcad71368a1f1c96b8696fc77570100")}; }

inline Message main_mode(int n) {
  bool resp = n > 1;
  Header h = header(kMainMode, resp);
  switch (n) {
    case 1: return Message{h, {phase1_sa(true), vid_rfc3947(), vid_dpd(), vid(1)}, {}};
    case 2: return Message{h, {phase1_sa(false), vid_rfc3947(), vid_dpd()}, {}};
    case 3:
    case 4:
      return Message{h,
                     {KePayload{filled(256, static_cast<std::uint8_t>(n))},
                      NoncePayload{filled(32, static_cast<std::uint8_t>(n + 10))},
                      NatDPayload{filled(20, 3), false}, NatDPayload{filled(20, 4), false}},
                     {}};
    case 5: {
      auto id = IdPayload::ipv4({203, 0, 113, 5});
      id.protocol = 17;
      id.port = 500;
      NotificationPayload ic{kDoiIpsec, ProtocolId::Isakmp, NotifyType::InitialContact,
                             h.cookies(), {}};
      return Message{h, {id, HashPayload{filled(20, 5)}, ic}, {}};
    }
    default:
      return Message{h, {IdPayload::fqdn("vpn.example.net"), HashPayload{filled(20, 6)}}, {}};
  }
}

inline Message aggressive_mode(int n) {
  Header h = header(ExchangeType::Aggressive, n > 1);
  auto ke = KePayload{filled(256, static_cast<std::uint8_t>(20 + n))};
  auto nonce = NoncePayload{filled(16, static_cast<std::uint8_t>(30 + n))};
  switch (n) {
    case 1:
      return Message{h, {phase1_sa(true), ke, nonce, IdPayload::user_fqdn("gw@example.org"), vid_rfc3947()}, {}};
    case 2:
      return Message{h,
                     {phase1_sa(false), ke, nonce, IdPayload::fqdn("peer.example.net"),
                      HashPayload{filled(20, 7)}, NatDPayload{filled(20, 8), false},
                      NatDPayload{filled(20, 9), false}, vid_dpd()},
                     {}};
    default:
      return Message{h, {HashPayload{filled(20, 10)}, NatDPayload{filled(20, 11), true},
                         NatDPayload{filled(20, 12), true}}, {}};
  }
}

// ESP AES-256 + HMAC-SHA2-256, PFS MODP-2048, UDP-encapsulated tunnel,
// an hour or 1843200 KB (a variable Life Duration).
inline SaPayload esp_sa() {
  Transform t{1, static_cast<std::uint8_t>(EspTransform::AesCbc),
              {DataAttribute::tv(IpsecAttr::SaLifeType, 1),
               DataAttribute::integer(IpsecAttr::SaLifeDuration, 3600),
               DataAttribute::tv(IpsecAttr::SaLifeType, 2),
               DataAttribute::integer(IpsecAttr::SaLifeDuration, 1843200),
               DataAttribute::tv(IpsecAttr::GroupDescription, 14),
               DataAttribute::tv(IpsecAttr::EncapsulationMode, 3),
               DataAttribute::tv(IpsecAttr::AuthenticationAlgorithm, 5),
               DataAttribute::tv(IpsecAttr::KeyLength, 256)}};
  Transform t2 = t;
  t2.number = 2;
  t2.attributes[5] = DataAttribute::tv(IpsecAttr::EncapsulationMode, 61443);
  Proposal p{1, ProtocolId::Esp, {0xc0, 0x01, 0xd0, 0x0d}, {t, t2}};
  return SaPayload{kDoiIpsec, situation::kIdentityOnly, {p}, {}};
}

inline Message quick_mode_1() {
  Header h = header(ExchangeType::QuickMode, true, 0x5eed1234);
  auto idci = IdPayload::ipv4_subnet({192, 168, 1, 0}, {255, 255, 255, 0});
  auto idcr = IdPayload::ipv4_subnet({10, 0, 1, 0}, {255, 255, 255, 0});
  return Message{h,
                 {HashPayload{filled(20, 13)}, esp_sa(), NoncePayload{filled(32, 14)},
                  KePayload{filled(256, 15)}, idci, idcr,
                  NatOaPayload{IdType::Ipv4Addr, {192, 0, 2, 10}, false}},
                 {}};
}

}  // namespace ike::v1::samples
