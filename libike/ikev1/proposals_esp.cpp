// Phase-2 (IPsec SA) proposals for ESP in tunnel mode: RFC 2407 §4.4.4
// transform IDs, §4.5 SA attributes, §4.6.3.1 RESPONDER-LIFETIME;
// RFC 3947 §5.1 UDP-encapsulated modes.
#include <algorithm>

#include <fmt/format.h>

#include "libike/common/reader.hpp"
#include "libike/ikev1/proposal_words.hpp"
#include "libike/ikev1/proposals.hpp"
#include "libike/ikev1/transform_ids.hpp"

namespace ike::v1 {
namespace {

using detail::u16_of;

constexpr auto kSeconds = static_cast<std::uint16_t>(LifeType::Seconds);
constexpr auto kKilobytes = static_cast<std::uint16_t>(LifeType::Kilobytes);

struct EspAttrs {
  std::optional<std::uint16_t> encap, auth, key_bits, group;
  std::optional<std::uint64_t> life_seconds, life_kb;
  bool unsupported = false;  // key rounds, compression, an unknown type
};

// RFC 2407 §4.5: "SA Life Duration" applies to the "SA Life Type" before it.
void read_lifetime(std::optional<std::uint16_t> type, const DataAttribute& a, EspAttrs& r) {
  if (type == kSeconds) r.life_seconds = a.as_integer();
  if (type == kKilobytes) r.life_kb = a.as_integer();
}

EspAttrs read_esp(const Transform& t) {
  EspAttrs r;
  std::optional<std::uint16_t> life_type;
  for (const auto& a : t.attributes) {
    auto v = u16_of(a);
    switch (static_cast<IpsecAttr>(a.type)) {
      case IpsecAttr::SaLifeType: life_type = v; break;
      case IpsecAttr::SaLifeDuration: read_lifetime(life_type, a, r); break;
      case IpsecAttr::GroupDescription: r.group = v; break;
      case IpsecAttr::EncapsulationMode: r.encap = v; break;
      case IpsecAttr::AuthenticationAlgorithm: r.auth = v; break;
      case IpsecAttr::KeyLength: r.key_bits = v; break;
      default: r.unsupported = true; break;
    }
  }
  return r;
}

bool encap_ok(std::optional<std::uint16_t> encap, bool udp) {
  auto mode = static_cast<EncapsulationMode>(encap.value_or(static_cast<std::uint16_t>(EncapsulationMode::Tunnel)));
  if (udp) return mode == EncapsulationMode::UdpTunnel || mode == EncapsulationMode::UdpTunnelDraft;
  return mode == EncapsulationMode::Tunnel;
}

template <typename T>
bool contains(const std::vector<T>& list, const T& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// The PFS rule: the initiator gets exactly what it asked for; the
// responder requires its group when it has one and otherwise goes along
// with the peer's.
bool pfs_ok(std::optional<std::uint16_t> group, const EspProposalConfig& ours, bool initiator,
            std::optional<crypto::DhGroup>& out) {
  if (group) {
    out = crypto::dh_group_from_number(*group);
    if (!out) return false;
  }
  if (ours.pfs) return out == ours.pfs;
  return !initiator || !out;
}

std::optional<EspSuite> match_esp(const Transform& t, const EspProposalConfig& ours, bool udp,
                                  bool initiator) {
  auto a = read_esp(t);
  if (a.unsupported || !encap_ok(a.encap, udp)) return std::nullopt;
  EspSuite s;
  auto encr = esp_cipher_alg(t.id, a.key_bits.value_or(0));
  if (!encr || !contains(ours.encryption, *encr)) return std::nullopt;
  s.encr = *encr;
  if (crypto::is_aead(*encr)) {
    if (a.auth) return std::nullopt;
  } else {
    auto integ = a.auth ? esp_auth_alg(*a.auth) : std::nullopt;
    if (!integ || !contains(ours.integrity, *integ)) return std::nullopt;
    s.integ = integ;
  }
  if (!pfs_ok(a.group, ours, initiator, s.pfs)) return std::nullopt;
  s.encap = static_cast<EncapsulationMode>(a.encap.value_or(1));
  auto our_seconds = static_cast<std::uint64_t>(ours.lifetime.count());
  s.life_seconds = std::min(a.life_seconds.value_or(our_seconds), our_seconds);
  s.life_kb = std::min(a.life_kb.value_or(ours.lifetime_kb), ours.lifetime_kb);
  if (s.life_seconds == 0) s.life_seconds = our_seconds;
  if (s.life_kb == 0) s.life_kb = ours.lifetime_kb;
  return s;
}

// RFC 2407 §4.6.3.1: the responder's actual lifetimes, as SA attributes,
// for each kind where ours is below what the initiator proposed.
Attributes lowered_lifetimes(const Transform& t, const EspProposalConfig& ours) {
  auto a = read_esp(t);
  Attributes out;
  auto our_seconds = static_cast<std::uint64_t>(ours.lifetime.count());
  if (a.life_seconds && *a.life_seconds > our_seconds) {
    out.push_back(DataAttribute::tv(IpsecAttr::SaLifeType, kSeconds));
    out.push_back(DataAttribute::integer(IpsecAttr::SaLifeDuration, our_seconds));
  }
  if (!a.life_kb || *a.life_kb > ours.lifetime_kb) {
    out.push_back(DataAttribute::tv(IpsecAttr::SaLifeType, kKilobytes));
    out.push_back(DataAttribute::integer(IpsecAttr::SaLifeDuration, ours.lifetime_kb));
  }
  return out;
}

Transform esp_transform(std::uint8_t number, CipherNumber cipher, std::optional<std::uint16_t> auth,
                        const EspProposalConfig& cfg, EncapsulationMode mode) {
  Transform t;
  t.number = number;
  t.id = static_cast<std::uint8_t>(cipher.id);
  auto& a = t.attributes;
  a.push_back(DataAttribute::tv(IpsecAttr::SaLifeType, kSeconds));
  a.push_back(DataAttribute::integer(IpsecAttr::SaLifeDuration, static_cast<std::uint64_t>(cfg.lifetime.count())));
  a.push_back(DataAttribute::tv(IpsecAttr::SaLifeType, kKilobytes));
  a.push_back(DataAttribute::integer(IpsecAttr::SaLifeDuration, cfg.lifetime_kb));
  if (cfg.pfs) a.push_back(DataAttribute::tv(IpsecAttr::GroupDescription, static_cast<std::uint16_t>(*cfg.pfs)));
  a.push_back(DataAttribute::tv(IpsecAttr::EncapsulationMode, static_cast<std::uint16_t>(mode)));
  if (auth) a.push_back(DataAttribute::tv(IpsecAttr::AuthenticationAlgorithm, *auth));
  if (cipher.key_bits) a.push_back(DataAttribute::tv(IpsecAttr::KeyLength, cipher.key_bits));
  return t;
}

std::uint32_t spi_value(const Bytes& spi) {
  Reader r(spi);
  return r.u32().value_or(0);
}

bool shares_number(const SaPayload& sa, const Proposal& p) {
  return std::count_if(sa.proposals.begin(), sa.proposals.end(),
                       [&](const Proposal& q) { return q.number == p.number; }) > 1;
}

std::string describe_transform(const Transform& t) {
  auto a = read_esp(t);
  auto encr = esp_cipher_alg(t.id, a.key_bits.value_or(0));
  auto word = detail::cipher_word(encr, t.id, a.key_bits.value_or(0));
  if (a.auth) word += fmt::format("-{}", detail::integ_word(esp_auth_alg(*a.auth), "auth", *a.auth));
  if (a.group) word += fmt::format("-{}", detail::group_word(*a.group));
  return word;
}

}  // namespace

std::string to_string(const EspSuite& s) {
  std::string out(crypto::name(s.encr));
  if (s.integ) out += fmt::format("-{}", crypto::name(*s.integ));
  if (s.pfs) out += fmt::format("-{}", crypto::name(*s.pfs));
  return out;
}

EncapsulationMode tunnel_encapsulation(bool udp, bool draft_nat_t) {
  if (!udp) return EncapsulationMode::Tunnel;
  return draft_nat_t ? EncapsulationMode::UdpTunnelDraft : EncapsulationMode::UdpTunnel;
}

SaPayload esp_offer(const EspProposalConfig& cfg, std::uint32_t spi_in, EncapsulationMode mode) {
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::Esp;
  Writer w(p.spi);
  w.u32(spi_in);
  std::uint8_t number = 1;
  for (auto encr : cfg.encryption) {
    auto cipher = esp_cipher(encr);
    if (!cipher) continue;
    if (crypto::is_aead(encr)) {
      p.transforms.push_back(esp_transform(number++, *cipher, std::nullopt, cfg, mode));
      continue;
    }
    for (auto integ : cfg.integrity) {
      auto auth = esp_auth(integ);
      if (auth && number < 0xff) p.transforms.push_back(esp_transform(number++, *cipher, auth, cfg, mode));
    }
  }
  SaPayload sa;
  sa.proposals.push_back(std::move(p));
  return sa;
}

std::optional<EspChoice> select_esp(const SaPayload& offer, const EspProposalConfig& ours, bool udp) {
  for (const auto& p : offer.proposals) {
    if (p.protocol != ProtocolId::Esp || p.spi.size() != 4 || shares_number(offer, p)) continue;
    for (const auto& t : p.transforms) {
      auto suite = match_esp(t, ours, udp, false);
      if (!suite) continue;
      Proposal chosen{p.number, p.protocol, {}, {t}};
      return EspChoice{SaPayload{offer.doi, offer.situation, {chosen}, {}}, *suite, spi_value(p.spi),
                       lowered_lifetimes(t, ours)};
    }
  }
  return std::nullopt;
}

std::optional<EspChoice> accept_esp(const SaPayload& reply, const EspProposalConfig& ours, bool udp) {
  if (reply.proposals.size() != 1) return std::nullopt;
  const auto& p = reply.proposals.front();
  if (p.protocol != ProtocolId::Esp || p.spi.size() != 4 || p.transforms.size() != 1) return std::nullopt;
  auto suite = match_esp(p.transforms.front(), ours, udp, true);
  if (!suite) return std::nullopt;
  return EspChoice{reply, *suite, spi_value(p.spi), {}};
}

void apply_responder_lifetime(EspSuite& suite, ByteView notify_data) {
  auto attrs = decode_attributes(notify_data, 0);
  if (!attrs) return;
  std::optional<std::uint16_t> type;
  for (const auto& a : *attrs) {
    if (a.type == static_cast<std::uint16_t>(IpsecAttr::SaLifeType)) type = u16_of(a);
    if (a.type != static_cast<std::uint16_t>(IpsecAttr::SaLifeDuration)) continue;
    auto v = a.as_integer();
    if (!v || *v == 0) continue;
    if (type == kSeconds) suite.life_seconds = std::min(suite.life_seconds, *v);
    if (type == kKilobytes) suite.life_kb = std::min(suite.life_kb, *v);
  }
}

std::string describe_esp(const SaPayload& sa) {
  std::vector<std::string> words;
  for (const auto& p : sa.proposals) {
    if (p.protocol != ProtocolId::Esp) {
      words.push_back(fmt::format("protocol#{}", static_cast<unsigned>(p.protocol)));
      continue;
    }
    for (const auto& t : p.transforms) words.push_back(describe_transform(t));
  }
  return detail::join_words(words);
}

std::string describe_esp(const EspProposalConfig& cfg) {
  std::vector<std::string> words;
  auto pfs = cfg.pfs ? fmt::format("-{}", crypto::name(*cfg.pfs)) : std::string();
  for (auto e : cfg.encryption) {
    if (crypto::is_aead(e)) {
      words.push_back(fmt::format("{}{}", crypto::name(e), pfs));
      continue;
    }
    for (auto i : cfg.integrity) words.push_back(fmt::format("{}-{}{}", crypto::name(e), crypto::name(i), pfs));
  }
  return detail::join_words(words);
}

}  // namespace ike::v1
