#include "export/proposals.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace kite::exporter {
namespace {

using ike::crypto::EncrAlg;
using ike::crypto::PrfAlg;
using Names = std::vector<std::string>;

// Every algorithm of `algs` by its name in the dialect; the first one
// without a counterpart fails, with `section` ("ike", "ipsec") in front.
template <typename Alg, typename NameOf>
ike::Result<Names> names(const std::vector<Alg>& algs, Dialect dialect, NameOf name_of,
                         std::string_view section) {
  Names out;
  for (const auto alg : algs) {
    auto n = name_of(dialect, alg);
    if (!n) return ike::fail(fmt::format("{} {}", section, n.error().message));
    if (std::find(out.begin(), out.end(), *n) == out.end()) out.push_back(std::move(*n));
  }
  return out;
}

std::vector<EncrAlg> ciphers(const std::vector<EncrAlg>& all, bool aead) {
  std::vector<EncrAlg> out;
  for (auto e : all)
    if (ike::crypto::is_aead(e) == aead) out.push_back(e);
  return out;
}

// kited offers the PRFs of its integrity algorithms beside AEAD ciphers,
// or HMAC-SHA-256/384/512 without any; one of them is enough here.
std::vector<PrfAlg> prfs_for(const ike::IkeProposalConfig& cfg) {
  std::vector<PrfAlg> out;
  for (auto i : cfg.integrity) {
    const auto prf = ike::crypto::prf_for(i);
    if (std::find(out.begin(), out.end(), prf) == out.end()) out.push_back(prf);
  }
  if (out.empty()) out.push_back(PrfAlg::HmacSha256);
  return out;
}

// IKEv1: each combination on its own, ciphers outermost, as kited orders
// its transforms.
std::vector<Suite> expand(const Suite& s) {
  std::vector<Suite> out;
  const Names none{""};
  const Names& integs = s.integrity.empty() ? none : s.integrity;
  const Names& groups = s.groups.empty() ? none : s.groups;
  for (const auto& e : s.encryption)
    for (const auto& i : integs)
      for (const auto& g : groups) {
        Suite one{{e}, {}, {}, {}};
        if (!i.empty()) one.integrity = {i};
        if (!g.empty()) one.groups = {g};
        out.push_back(std::move(one));
      }
  return out;
}

void append(std::vector<Suite>& out, const Suite& s, ike::IkeVersion version) {
  if (version == ike::IkeVersion::V2) {
    out.push_back(s);
    return;
  }
  for (auto& one : expand(s)) out.push_back(std::move(one));
}

}  // namespace

ike::Result<std::vector<Suite>> ike_suites(Dialect dialect, const ike::IkeProposalConfig& cfg,
                                           ike::IkeVersion version) {
  auto groups = names(cfg.dh_groups, dialect, group_name, "ike");
  if (!groups) return ike::fail(groups.error());
  std::vector<Suite> out;
  for (bool aead : {false, true}) {
    const auto algs = ciphers(cfg.encryption, aead);
    if (algs.empty() || (!aead && cfg.integrity.empty())) continue;
    if (aead && version == ike::IkeVersion::V1)
      return ike::fail(fmt::format("ike encryption {}: IKEv1 has no AEAD ciphers for the IKE SA",
                                   ike::crypto::name(algs.front())));
    Suite s;
    auto encr = names(algs, dialect, encryption_name, "ike");
    if (!encr) return ike::fail(encr.error());
    s.encryption = std::move(*encr);
    auto second = aead ? names(prfs_for(cfg), dialect, prf_name, "ike")
                       : names(cfg.integrity, dialect, integrity_name, "ike");
    if (!second) return ike::fail(second.error());
    (aead ? s.prf : s.integrity) = std::move(*second);
    s.groups = *groups;
    append(out, s, version);
  }
  if (out.empty()) return ike::fail("ike: no proposal (a classic cipher needs an integrity algorithm)");
  return out;
}

ike::Result<std::vector<Suite>> esp_suites(Dialect dialect, const ike::EspProposalConfig& cfg,
                                           ike::IkeVersion version) {
  Names pfs;
  if (cfg.pfs) {
    auto g = names(std::vector{*cfg.pfs}, dialect, group_name, "ipsec pfs");
    if (!g) return ike::fail(g.error());
    pfs = std::move(*g);
  }
  std::vector<Suite> out;
  for (bool aead : {false, true}) {
    const auto algs = ciphers(cfg.encryption, aead);
    if (algs.empty() || (!aead && cfg.integrity.empty())) continue;
    Suite s;
    auto encr = names(algs, dialect, encryption_name, "ipsec");
    if (!encr) return ike::fail(encr.error());
    s.encryption = std::move(*encr);
    if (!aead) {
      auto integ = names(cfg.integrity, dialect, integrity_name, "ipsec");
      if (!integ) return ike::fail(integ.error());
      s.integrity = std::move(*integ);
    }
    s.groups = pfs;
    append(out, s, version);
  }
  if (out.empty()) return ike::fail("ipsec: no proposal (a classic cipher needs an integrity algorithm)");
  return out;
}

std::string swanctl_proposals(const std::vector<Suite>& suites) {
  std::vector<std::string> out;
  for (const auto& s : suites) {
    Names words = s.encryption;
    for (const auto* kind : {&s.integrity, &s.prf, &s.groups})
      words.insert(words.end(), kind->begin(), kind->end());
    out.push_back(fmt::format("{}", fmt::join(words, "-")));
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

std::string libreswan_proposals(const std::vector<Suite>& suites) {
  std::vector<std::string> out;
  for (const auto& s : suites) {
    // Kinds are separated by '-', alternatives of one kind by '+'; the
    // integrity place holds the PRF with AEAD (IKE) or "none" (ESP + PFS).
    std::vector<std::string> kinds{fmt::format("{}", fmt::join(s.encryption, "+"))};
    if (!s.integrity.empty()) kinds.push_back(fmt::format("{}", fmt::join(s.integrity, "+")));
    else if (!s.prf.empty()) kinds.push_back(fmt::format("{}", fmt::join(s.prf, "+")));
    else if (!s.groups.empty()) kinds.push_back("none");
    if (!s.groups.empty()) kinds.push_back(fmt::format("{}", fmt::join(s.groups, "+")));
    out.push_back(fmt::format("{}", fmt::join(kinds, "-")));
  }
  return fmt::format("{}", fmt::join(out, ","));
}

}  // namespace kite::exporter
