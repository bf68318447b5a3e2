#include "libike/ikev2/proposals.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "libike/ikev2/transforms.hpp"

namespace ike::v2 {
namespace {

using crypto::DhGroup;
using crypto::EncrAlg;
using crypto::IntegAlg;
using crypto::PrfAlg;

template <typename T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

template <typename T>
void add_unique(std::vector<T>& v, const T& x) {
  if (!contains(v, x)) v.push_back(x);
}

std::vector<EncrAlg> ciphers(const std::vector<EncrAlg>& all, bool aead) {
  std::vector<EncrAlg> out;
  for (auto e : all)
    if (crypto::is_aead(e) == aead) out.push_back(e);
  return out;
}

// The first transform of `type` in the peer's order that `accept` takes.
template <typename Accept>
const Transform* pick(const Proposal& p, TransformType type, Accept accept) {
  for (const auto* t : p.of_type(type))
    if (accept(*t)) return t;
  return nullptr;
}

bool accepts_encr(const Transform& t, const std::vector<EncrAlg>& ours) {
  auto e = encr_of(t);
  return e && contains(ours, *e);
}
bool accepts_integ(const Transform& t, const std::vector<IntegAlg>& ours) {
  auto i = integ_of(t);
  return i && contains(ours, *i);
}

// RFC 5282 §8: with an AEAD cipher the integrity transform is absent or
// NONE; without one it must be a real algorithm we accept.
std::optional<const Transform*> pick_integ(const Proposal& p, bool aead,
                                           const std::vector<IntegAlg>& ours) {
  auto integs = p.of_type(TransformType::Integ);
  if (aead) {
    if (integs.empty()) return static_cast<const Transform*>(nullptr);
    for (const auto* t : integs)
      if (t->id == 0) return t;
    return std::nullopt;
  }
  if (auto* t = pick(p, TransformType::Integ, [&](const Transform& x) { return accepts_integ(x, ours); }))
    return t;
  return std::nullopt;
}

std::string join_names(const Proposal& p, TransformType type) {
  std::string out;
  for (const auto* t : p.of_type(type)) {
    if (!out.empty()) out += '/';
    out += transform_name(*t);
  }
  return out;
}

bool has_real(const Proposal& p, TransformType type) {
  for (const auto* t : p.of_type(type))
    if (t->id != 0) return true;
  return false;
}

std::string describe_proposal(const Proposal& p) {
  std::vector<std::string> parts{join_names(p, TransformType::Encr)};
  if (has_real(p, TransformType::Integ)) parts.push_back(join_names(p, TransformType::Integ));
  // The PRF is implied by the integrity word unless there is none (AEAD).
  if (!has_real(p, TransformType::Integ) && p.protocol == ProtocolId::Ike)
    parts.push_back(join_names(p, TransformType::Prf));
  if (has_real(p, TransformType::Dh)) parts.push_back(join_names(p, TransformType::Dh));
  if (has_real(p, TransformType::Esn)) parts.push_back("esn");
  return fmt::format("{}", fmt::join(parts, "-"));
}

// Copies the chosen transforms in the canonical order.
Proposal reply_of(const Proposal& p, std::initializer_list<const Transform*> chosen) {
  Proposal r{p.number, p.protocol, {}, {}};
  for (const auto* t : chosen)
    if (t) r.transforms.push_back(*t);
  return r;
}

// Exactly one transform of `type` (or none when `optional`).
std::optional<const Transform*> single(const Proposal& p, TransformType type, bool optional) {
  auto all = p.of_type(type);
  if (all.size() == 1) return all.front();
  if (all.empty() && optional) return static_cast<const Transform*>(nullptr);
  return std::nullopt;
}

// The ESP DH decision (RFC 7296 §1.3.1, §3.3.2): in CREATE_CHILD_SA with
// PFS our group must be offered; without PFS, no group or NONE.
std::optional<const Transform*> pick_esp_dh(const Proposal& p, const EspProposalConfig& ours,
                                            PfsUse pfs) {
  auto dhs = p.of_type(TransformType::Dh);
  if (pfs == PfsUse::Ignore) return static_cast<const Transform*>(nullptr);
  if (ours.pfs) {
    for (const auto* t : dhs)
      if (dh_of(*t) == ours.pfs) return t;
    return std::nullopt;
  }
  if (dhs.empty()) return static_cast<const Transform*>(nullptr);
  for (const auto* t : dhs)
    if (t->id == 0) return t;
  return std::nullopt;
}

// ESN: kite runs without extended sequence numbers; a proposal without
// the ESN transform is taken as "no ESN" (lenient towards old peers).
std::optional<const Transform*> pick_esn(const Proposal& p) {
  auto esns = p.of_type(TransformType::Esn);
  if (esns.empty()) return static_cast<const Transform*>(nullptr);
  for (const auto* t : esns)
    if (t->id == static_cast<std::uint16_t>(EsnId::No)) return t;
  return std::nullopt;
}

std::optional<EspChoice> match_esp(const Proposal& p, const EspProposalConfig& ours, PfsUse pfs) {
  if (p.protocol != ProtocolId::Esp || !p.spi_u32()) return std::nullopt;
  const auto* encr = pick(p, TransformType::Encr, [&](const Transform& t) { return accepts_encr(t, ours.encryption); });
  if (!encr) return std::nullopt;
  auto integ = pick_integ(p, crypto::is_aead(*encr_of(*encr)), ours.integrity);
  auto dh = pick_esp_dh(p, ours, pfs);
  auto esn = pick_esn(p);
  if (!integ || !dh || !esn) return std::nullopt;
  EspChoice c;
  c.reply = reply_of(p, {encr, *integ, *dh, *esn});
  c.suite.encr = *encr_of(*encr);
  if (*integ && (*integ)->id != 0) c.suite.integ = integ_of(**integ);
  if (*dh && (*dh)->id != 0) c.suite.dh = dh_of(**dh);
  c.peer_spi = *p.spi_u32();
  return c;
}

}  // namespace

std::string to_string(const IkeSuite& s) {
  std::string out(crypto::name(s.encr));
  if (s.integ) out += fmt::format("-{}", crypto::name(*s.integ));
  out += fmt::format("-{}-{}", crypto::name(s.prf), crypto::name(s.dh));
  return out;
}

std::string to_string(const ChildSuite& s) {
  std::string out(crypto::name(s.encr));
  if (s.integ) out += fmt::format("-{}", crypto::name(*s.integ));
  if (s.dh) out += fmt::format("-{}", crypto::name(*s.dh));
  if (s.esn) out += "-esn";
  return out;
}

std::vector<PrfAlg> prfs_for(const IkeProposalConfig& cfg) {
  std::vector<PrfAlg> out;
  for (auto i : cfg.integrity) add_unique(out, crypto::prf_for(i));
  if (out.empty()) out = {PrfAlg::HmacSha256, PrfAlg::HmacSha384, PrfAlg::HmacSha512};
  return out;
}

SaPayload ike_offer(const IkeProposalConfig& cfg) {
  SaPayload sa;
  for (bool aead : {false, true}) {
    auto encrs = ciphers(cfg.encryption, aead);
    if (encrs.empty() || (!aead && cfg.integrity.empty())) continue;
    Proposal p;
    p.number = static_cast<std::uint8_t>(sa.proposals.size() + 1);
    p.protocol = ProtocolId::Ike;
    for (auto e : encrs) p.transforms.push_back(encr_transform(e));
    for (auto prf : prfs_for(cfg)) p.transforms.push_back(prf_transform(prf));
    if (!aead)
      for (auto i : cfg.integrity) p.transforms.push_back(integ_transform(i));
    for (auto g : cfg.dh_groups) p.transforms.push_back(dh_transform(g));
    sa.proposals.push_back(std::move(p));
  }
  return sa;
}

SaPayload esp_offer(const EspProposalConfig& cfg, std::uint32_t spi, PfsUse pfs) {
  SaPayload sa;
  for (bool aead : {false, true}) {
    auto encrs = ciphers(cfg.encryption, aead);
    if (encrs.empty() || (!aead && cfg.integrity.empty())) continue;
    Proposal p;
    p.number = static_cast<std::uint8_t>(sa.proposals.size() + 1);
    p.protocol = ProtocolId::Esp;
    p.spi = Proposal::spi32(spi);
    for (auto e : encrs) p.transforms.push_back(encr_transform(e));
    if (!aead)
      for (auto i : cfg.integrity) p.transforms.push_back(integ_transform(i));
    if (pfs == PfsUse::Config && cfg.pfs) p.transforms.push_back(dh_transform(*cfg.pfs));
    p.transforms.push_back(Transform::esn(EsnId::No));
    sa.proposals.push_back(std::move(p));
  }
  return sa;
}

std::string describe(const SaPayload& sa) {
  std::vector<std::string> out;
  for (const auto& p : sa.proposals) out.push_back(describe_proposal(p));
  if (out.empty()) return "(none)";
  return fmt::format("{}", fmt::join(out, " "));
}

std::string describe(const IkeProposalConfig& cfg) { return describe(ike_offer(cfg)); }
std::string describe(const EspProposalConfig& cfg, PfsUse pfs) {
  return describe(esp_offer(cfg, 0, pfs));
}

std::optional<IkeChoice> ProposalMatcher::select_ike(const SaPayload& offer,
                                                     const IkeProposalConfig& ours,
                                                     std::optional<std::uint16_t> ke_group) {
  auto prfs = prfs_for(ours);
  for (const auto& p : offer.proposals) {
    if (p.protocol != ProtocolId::Ike) continue;
    const auto* encr = pick(p, TransformType::Encr, [&](const Transform& t) { return accepts_encr(t, ours.encryption); });
    const auto* prf = pick(p, TransformType::Prf, [&](const Transform& t) {
      auto a = prf_of(t);
      return a && contains(prfs, *a);
    });
    if (!encr || !prf) continue;
    auto integ = pick_integ(p, crypto::is_aead(*encr_of(*encr)), ours.integrity);
    if (!integ) continue;
    auto accepts_dh = [&](const Transform& t) {
      auto g = dh_of(t);
      return g && contains(ours.dh_groups, *g);
    };
    const Transform* dh = pick(p, TransformType::Dh, [&](const Transform& t) {
      return ke_group && t.id == *ke_group && accepts_dh(t);
    });
    if (!dh) dh = pick(p, TransformType::Dh, accepts_dh);
    if (!dh) continue;
    IkeChoice c;
    c.reply = reply_of(p, {encr, prf, *integ, dh});
    c.suite = {*encr_of(*encr), *integ && (*integ)->id != 0 ? integ_of(**integ) : std::nullopt,
               *prf_of(*prf), *dh_of(*dh)};
    return c;
  }
  return std::nullopt;
}

std::optional<EspChoice> ProposalMatcher::select_esp(const SaPayload& offer,
                                                     const EspProposalConfig& ours, PfsUse pfs) {
  for (const auto& p : offer.proposals)
    if (auto c = match_esp(p, ours, pfs)) return c;
  return std::nullopt;
}

std::optional<IkeSuite> ProposalMatcher::accept_ike(const SaPayload& reply,
                                                    const IkeProposalConfig& ours) {
  if (reply.proposals.size() != 1) return std::nullopt;
  const auto& p = reply.proposals.front();
  if (p.protocol != ProtocolId::Ike) return std::nullopt;
  auto encr = single(p, TransformType::Encr, false);
  auto prf = single(p, TransformType::Prf, false);
  auto integ = single(p, TransformType::Integ, true);
  auto dh = single(p, TransformType::Dh, false);
  if (!encr || !prf || !integ || !dh) return std::nullopt;
  // Re-run our own selection on the single proposal: it must pass.
  auto again = select_ike(reply, ours, std::nullopt);
  if (!again) return std::nullopt;
  return again->suite;
}

std::optional<EspChoice> ProposalMatcher::accept_esp(const SaPayload& reply,
                                                     const EspProposalConfig& ours, PfsUse pfs) {
  if (reply.proposals.size() != 1) return std::nullopt;
  const auto& p = reply.proposals.front();
  if (!single(p, TransformType::Encr, false) || !single(p, TransformType::Integ, true) ||
      !single(p, TransformType::Dh, true) || !single(p, TransformType::Esn, true))
    return std::nullopt;
  return match_esp(p, ours, pfs);
}

}  // namespace ike::v2
