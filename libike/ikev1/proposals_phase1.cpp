// Phase-1 (ISAKMP SA) proposals: RFC 2409 §5 and Appendix A attributes.
#include <algorithm>

#include <fmt/format.h>

#include "libike/ikev1/proposal_words.hpp"
#include "libike/ikev1/proposals.hpp"
#include "libike/ikev1/transform_ids.hpp"

namespace ike::v1 {

namespace detail {

std::optional<std::uint16_t> u16_of(const DataAttribute& a) {
  auto v = a.as_integer();
  if (!v || *v > 0xffff) return std::nullopt;
  return static_cast<std::uint16_t>(*v);
}

std::string cipher_word(std::optional<crypto::EncrAlg> alg, std::uint16_t id, std::uint16_t bits) {
  if (alg) return std::string(crypto::name(*alg));
  return bits ? fmt::format("encr#{}/{}", id, bits) : fmt::format("encr#{}", id);
}

std::string integ_word(std::optional<crypto::IntegAlg> alg, const char* what, std::uint16_t id) {
  if (alg) return std::string(crypto::name(*alg));
  return fmt::format("{}#{}", what, id);
}

std::string group_word(std::uint16_t number) {
  if (auto g = crypto::dh_group_from_number(number)) return std::string(crypto::name(*g));
  return fmt::format("group#{}", number);
}

std::string join_words(const std::vector<std::string>& words) {
  std::vector<std::string> seen;
  for (const auto& w : words)
    if (std::find(seen.begin(), seen.end(), w) == seen.end()) seen.push_back(w);
  return seen.empty() ? "none" : fmt::format("{}", fmt::join(seen, " "));
}

}  // namespace detail

namespace {

using detail::u16_of;

// The attributes of one phase-1 transform, as far as kite understands them.
struct Phase1Attrs {
  std::optional<std::uint16_t> encr, key_bits, hash, auth, group;
  std::optional<std::uint64_t> life_seconds;
  bool unsupported = false;  // an attribute we cannot honour (PRF, group type...)
};

Phase1Attrs read_phase1(const Transform& t) {
  Phase1Attrs r;
  std::optional<std::uint16_t> life_type;
  for (const auto& a : t.attributes) {
    auto v = u16_of(a);
    switch (static_cast<Phase1Attr>(a.type)) {
      case Phase1Attr::EncryptionAlgorithm: r.encr = v; break;
      case Phase1Attr::KeyLength: r.key_bits = v; break;
      case Phase1Attr::HashAlgorithm: r.hash = v; break;
      case Phase1Attr::AuthenticationMethod: r.auth = v; break;
      case Phase1Attr::GroupDescription: r.group = v; break;
      case Phase1Attr::LifeType: life_type = v; break;
      // RFC 2409 Appendix A: a Life Duration belongs to the Life Type
      // before it; kilobyte limits on the ISAKMP SA are not enforced.
      case Phase1Attr::LifeDuration:
        if (life_type == static_cast<std::uint16_t>(LifeType::Seconds)) r.life_seconds = a.as_integer();
        break;
      default: r.unsupported = true; break;
    }
  }
  if (t.id != kTransformKeyIke) r.unsupported = true;
  return r;
}

template <typename T>
bool contains(const std::vector<T>& list, const T& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::optional<Phase1Suite> match_phase1(const Phase1Attrs& a, const IkeProposalConfig& ours) {
  if (a.unsupported || !a.encr || !a.hash || !a.auth || !a.group) return std::nullopt;
  if (*a.auth != static_cast<std::uint16_t>(AuthMethod::PreSharedKey)) return std::nullopt;
  auto encr = phase1_cipher_alg(*a.encr, a.key_bits.value_or(0));
  auto integ = phase1_hash_alg(*a.hash);
  auto group = crypto::dh_group_from_number(*a.group);
  if (!encr || !integ || !group) return std::nullopt;
  if (!contains(ours.encryption, *encr) || !contains(ours.integrity, *integ) ||
      !contains(ours.dh_groups, *group))
    return std::nullopt;
  Phase1Suite s{*encr, *integ, *group, ours.lifetime, Seconds{0}};
  if (a.life_seconds && *a.life_seconds > 0) {
    s.peer_lifetime = Seconds{static_cast<Seconds::rep>(std::min<std::uint64_t>(*a.life_seconds, 1u << 30))};
    s.lifetime = std::min(s.lifetime, s.peer_lifetime);
  }
  return s;
}

Transform phase1_transform(std::uint8_t number, CipherNumber cipher, std::uint16_t hash,
                           crypto::DhGroup group, Seconds life) {
  Transform t;
  t.number = number;
  t.id = kTransformKeyIke;
  auto& a = t.attributes;
  a.push_back(DataAttribute::tv(Phase1Attr::EncryptionAlgorithm, cipher.id));
  if (cipher.key_bits) a.push_back(DataAttribute::tv(Phase1Attr::KeyLength, cipher.key_bits));
  a.push_back(DataAttribute::tv(Phase1Attr::HashAlgorithm, hash));
  a.push_back(DataAttribute::tv(Phase1Attr::AuthenticationMethod,
                                static_cast<std::uint16_t>(AuthMethod::PreSharedKey)));
  a.push_back(DataAttribute::tv(Phase1Attr::GroupDescription, static_cast<std::uint16_t>(group)));
  a.push_back(DataAttribute::tv(Phase1Attr::LifeType, static_cast<std::uint16_t>(LifeType::Seconds)));
  a.push_back(DataAttribute::integer(Phase1Attr::LifeDuration, static_cast<std::uint64_t>(life.count())));
  return t;
}

std::string describe_transform(const Transform& t) {
  auto a = read_phase1(t);
  auto encr = a.encr ? phase1_cipher_alg(*a.encr, a.key_bits.value_or(0)) : std::nullopt;
  auto integ = a.hash ? phase1_hash_alg(*a.hash) : std::nullopt;
  auto word = fmt::format("{}-{}-{}", detail::cipher_word(encr, a.encr.value_or(0), a.key_bits.value_or(0)),
                          detail::integ_word(integ, "hash", a.hash.value_or(0)),
                          detail::group_word(a.group.value_or(0)));
  if (a.auth != static_cast<std::uint16_t>(AuthMethod::PreSharedKey))
    word += fmt::format("-auth#{}", a.auth.value_or(0));
  return word;
}

}  // namespace

std::string to_string(const Phase1Suite& s) {
  return fmt::format("{}-{}-{}", crypto::name(s.encr), crypto::name(s.integ), crypto::name(s.group));
}

SaPayload phase1_offer(const IkeProposalConfig& cfg, std::optional<crypto::DhGroup> only_group) {
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::Isakmp;
  std::uint8_t number = 1;
  for (auto encr : cfg.encryption) {
    auto cipher = phase1_cipher(encr);
    if (!cipher) continue;  // AEAD: ESP only in IKEv1
    for (auto integ : cfg.integrity) {
      auto hash = phase1_hash(integ);
      if (!hash) continue;
      for (auto group : cfg.dh_groups) {
        if (only_group && group != *only_group) continue;
        if (number == 0xff) break;  // the transform number is one octet
        p.transforms.push_back(phase1_transform(number++, *cipher, *hash, group, cfg.lifetime));
      }
    }
  }
  SaPayload sa;
  sa.proposals.push_back(std::move(p));
  return sa;
}

std::optional<Phase1Choice> select_phase1(const SaPayload& offer, const IkeProposalConfig& ours) {
  for (const auto& p : offer.proposals) {
    if (p.protocol != ProtocolId::Isakmp) continue;
    for (const auto& t : p.transforms) {
      auto suite = match_phase1(read_phase1(t), ours);
      if (!suite) continue;
      // RFC 2409 §5: the responder answers with the chosen transform as it
      // was offered, attributes unaltered.
      Proposal chosen{p.number, p.protocol, p.spi, {t}};
      SaPayload reply{offer.doi, offer.situation, {chosen}, {}};
      return Phase1Choice{std::move(reply), *suite};
    }
  }
  return std::nullopt;
}

std::optional<Phase1Suite> accept_phase1(const SaPayload& reply, const IkeProposalConfig& ours) {
  if (reply.proposals.size() != 1) return std::nullopt;
  const auto& p = reply.proposals.front();
  if (p.protocol != ProtocolId::Isakmp || p.transforms.size() != 1) return std::nullopt;
  return match_phase1(read_phase1(p.transforms.front()), ours);
}

std::string describe_phase1(const SaPayload& sa) {
  std::vector<std::string> words;
  for (const auto& p : sa.proposals)
    for (const auto& t : p.transforms) words.push_back(describe_transform(t));
  return detail::join_words(words);
}

std::string describe_phase1(const IkeProposalConfig& cfg) {
  std::vector<std::string> words;
  for (auto e : cfg.encryption)
    for (auto i : cfg.integrity)
      for (auto g : cfg.dh_groups)
        words.push_back(fmt::format("{}-{}-{}", crypto::name(e), crypto::name(i), crypto::name(g)));
  return detail::join_words(words);
}

}  // namespace ike::v1
