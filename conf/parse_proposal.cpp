// Stage 1: the `ike` and `ipsec` blocks of a tunnel: versions, algorithm
// lists (a name or a list, most preferred first), identities, lifetimes.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "conf/parse.hpp"
#include "conf/values.hpp"

namespace kite::conf {

namespace {

using ike::crypto::DhGroup;
using ike::crypto::EncrAlg;
using ike::crypto::IntegAlg;
using std::chrono::seconds;

constexpr std::array<std::string_view, 8> kIkeKeys{"version",  "exchange_mode", "encryption", "integrity",
                                                   "dh_group", "local_id",      "remote_id",  "lifetime"};
constexpr std::array<std::string_view, 5> kIpsecKeys{"encryption", "integrity", "pfs", "lifetime", "lifetime_kb"};
constexpr std::array<std::string_view, 2> kIdentityKeys{"type", "value"};
constexpr std::array<std::string_view, 2> kVersions{"ikev1", "ikev2"};
constexpr std::array<std::string_view, 2> kExchangeModes{"main", "aggressive"};
constexpr std::array<std::string_view, 2> kIdentityTypes{"ip", "fqdn"};

// Lifetimes as cloud VPNs bound them: IKE and IPsec SAs 60 s .. 1 day;
// lifetime_kb 0 (no volume limit) or 2560 .. 4608000 KiB.
constexpr seconds kMinLifetime{60}, kMaxLifetime{86400};
constexpr std::uint64_t kMinLifetimeKb = 2560, kMaxLifetimeKb = 4608000;

template <typename Alg>
struct AlgorithmKind {
  std::string_view kind;  // "encryption algorithm"
  std::optional<Alg> (*lookup)(std::string_view);
  std::string (*show)(Alg);
  bool (*weak)(Alg);
  std::span<const std::string_view> names;  // for "did you mean"
  std::string_view known;                   // the list the message offers
};

const AlgorithmKind<EncrAlg> kEncryption{
    "encryption algorithm", [](std::string_view s) { return encryption_from_name(s); },
    [](EncrAlg a) { return std::string(config_name(a)); }, [](EncrAlg a) { return is_weak_algorithm(a); },
    encryption_names(), "aes128 aes192 aes256 3des des sm4 aes128gcm aes256gcm chacha20poly1305"};
const AlgorithmKind<IntegAlg> kIntegrity{
    "integrity algorithm", [](std::string_view s) { return integrity_from_name(s); },
    [](IntegAlg a) { return std::string(config_name(a)); }, [](IntegAlg a) { return is_weak_algorithm(a); },
    integrity_names(), "md5 sha1 sha256 sha384 sha512 sm3"};
const AlgorithmKind<DhGroup> kDhGroup{
    "DH group",
    [](std::string_view s) {
      auto n = parse_uint(s);
      return n ? dh_group_from_number(*n) : std::nullopt;
    },
    [](DhGroup g) { return fmt::format("group {}", static_cast<unsigned>(g)); },
    [](DhGroup g) { return is_weak_algorithm(g); }, {}, dh_group_list()};

// One algorithm list: unknown names are errors (with "did you mean"),
// weak ones and repeats are warnings. nullopt when anything was wrong.
template <typename Alg>
std::optional<std::vector<Alg>> read_algorithms(FileCtx& ctx, const Value& v, const AlgorithmKind<Alg>& k) {
  auto items = read_scalar_list(ctx, v);
  if (items.empty()) {
    if (v.node.IsSequence()) ctx.error(v.where, "unknown-algorithm", fmt::format("{} is an empty list", v.name));
    return std::nullopt;
  }
  std::vector<Alg> out;
  bool ok = items.size() == (v.node.IsSequence() ? v.node.size() : 1);
  for (const auto& item : items) {
    const std::string& text = item.node.Scalar();
    auto alg = k.lookup(text);
    if (!alg) {
      ok = false;
      ctx.error(item.where, "unknown-algorithm",
                fmt::format("{} '{}' is not a known {} ({}){}", v.name, text, k.kind, k.known,
                            did_you_mean(text, k.names)));
    } else if (std::find(out.begin(), out.end(), *alg) != out.end()) {
      ctx.warn(item.where, "duplicate-algorithm",
               fmt::format("{} lists {} twice; the repeat is ignored", v.name, k.show(*alg)));
    } else {
      if (k.weak(*alg))
        ctx.warn(item.where, "weak-algorithm", fmt::format("{} {} is weak; prefer a stronger one", v.name, k.show(*alg)));
      out.push_back(*alg);
    }
  }
  return ok ? std::optional(std::move(out)) : std::nullopt;
}

void read_lifetime(FileCtx& ctx, const Value& v, seconds& out) {
  auto d = read_duration(ctx, v);
  if (d && (*d < kMinLifetime || *d > kMaxLifetime))
    ctx.error(v.where, "lifetime-range",
              fmt::format("{} {}s is out of range {}s..{}s", v.name, d->count(), kMinLifetime.count(),
                          kMaxLifetime.count()));
  else if (d)
    out = *d;
}

void read_lifetime_kb(FileCtx& ctx, const Value& v, std::uint64_t& out) {
  auto kb = read_uint(ctx, v, 0, kMaxLifetimeKb, "lifetime-range");
  if (kb && *kb != 0 && *kb < kMinLifetimeKb)
    ctx.error(v.where, "lifetime-range",
              fmt::format("{} {} is out of range: 0 (no limit) or {}..{}", v.name, *kb, kMinLifetimeKb, kMaxLifetimeKb));
  else if (kb)
    out = *kb;
}

std::optional<ike::Identity> read_identity(FileCtx& ctx, const Value& v) {
  Fields f(ctx, v, kIdentityKeys);
  auto type_v = require(ctx, f, "type", v.name);
  auto value_v = require(ctx, f, "value", v.name);
  auto type = type_v ? read_choice(ctx, *type_v, kIdentityTypes) : std::nullopt;
  auto value = value_v ? read_string(ctx, *value_v) : std::nullopt;
  if (!type || !value) return std::nullopt;
  ike::Identity id{static_cast<ike::Identity::Type>(*type), *value};
  if (id.type == ike::Identity::Type::Ip) {
    auto a = ike::IpAddress::parse(*value);
    if (a) return ike::Identity{id.type, a->to_string()};
    ctx.error(value_v->where, "identity", fmt::format("{} '{}' is not an IP address (type ip)", value_v->name, *value));
    return std::nullopt;
  }
  if (is_valid_fqdn(*value)) return id;
  ctx.error(value_v->where, "identity", fmt::format("{} '{}' is not a host name (type fqdn)", value_v->name, *value));
  return std::nullopt;
}

// AEAD ciphers carry their own integrity (RFC 5282, RFC 7634): with only
// AEAD ciphers listed an explicit integrity list is ignored, with a warning;
// a mixed list keeps it for the non-AEAD ones.
template <typename Proposal>
void settle_integrity(FileCtx& ctx, const std::optional<Value>& integrity, Proposal& p) {
  bool all_aead = std::all_of(p.encryption.begin(), p.encryption.end(), [](EncrAlg a) { return is_aead_cipher(a); });
  if (!all_aead) return;
  if (integrity)
    ctx.warn(integrity->where, "aead-integrity",
             fmt::format("{} is ignored: every {} algorithm is AEAD and carries its own integrity",
                         integrity->name, integrity->name.substr(0, integrity->name.rfind('.')) + ".encryption"));
  p.integrity.clear();
}

template <typename Proposal>
void read_suite(FileCtx& ctx, const Fields& f, Proposal& p) {
  auto encryption = f.get("encryption");
  auto integrity = f.get("integrity");
  if (encryption)
    if (auto algs = read_algorithms(ctx, *encryption, kEncryption)) p.encryption = std::move(*algs);
  if (integrity)
    if (auto algs = read_algorithms(ctx, *integrity, kIntegrity)) p.integrity = std::move(*algs);
  settle_integrity(ctx, integrity, p);
}

// IKEv1 (RFC 2409) defines no AEAD cipher for the ISAKMP SA, and RFC 7634
// defines ChaCha20-Poly1305 for IKEv2 only.
void check_ikev1_ciphers(FileCtx& ctx, const std::optional<Value>& encryption, const std::vector<EncrAlg>& algs,
                         bool ipsec) {
  for (auto a : algs) {
    if (!is_aead_cipher(a) || (ipsec && a != EncrAlg::ChaCha20Poly1305)) continue;
    ctx.error(encryption ? encryption->where : Where{}, "ikev1-aead",
              fmt::format("{} {} is not available with IKEv1", encryption ? encryption->name : "encryption",
                          config_name(a)));
  }
}

// `pfs: none` or one DH group number (RFC 7296 §1.3.1: KE in CREATE_CHILD_SA).
void read_pfs(FileCtx& ctx, const Value& v, ike::EspProposalConfig& p) {
  auto text = read_string(ctx, v);
  if (!text) return;
  if (*text == "none") {
    p.pfs.reset();
    return;
  }
  auto group = kDhGroup.lookup(*text);
  if (!group) {
    ctx.error(v.where, "unknown-algorithm",
              fmt::format("{} '{}' is not none or a known DH group ({})", v.name, *text, dh_group_list()));
    return;
  }
  if (is_weak_algorithm(*group)) ctx.warn(v.where, "weak-algorithm", fmt::format("{} {} is weak; prefer a stronger one", v.name, kDhGroup.show(*group)));
  p.pfs = group;
}

}  // namespace

void parse_ike(FileCtx& ctx, const Value& v, ike::TunnelConfig& t) {
  Fields f(ctx, v, kIkeKeys);
  if (auto version = f.get("version"))
    if (auto i = read_choice(ctx, *version, kVersions)) t.version = static_cast<ike::IkeVersion>(*i);
  if (auto mode = f.get("exchange_mode")) {
    if (auto i = read_choice(ctx, *mode, kExchangeModes)) t.exchange_mode = static_cast<ike::ExchangeMode>(*i);
    if (t.version == ike::IkeVersion::V2)
      ctx.warn(mode->key_at, "ikev1-only",
               fmt::format("{} only applies to IKEv1 and is ignored for ikev2", mode->name));
  }
  read_suite(ctx, f, t.ike);
  if (t.version == ike::IkeVersion::V1) check_ikev1_ciphers(ctx, f.get("encryption"), t.ike.encryption, false);
  if (auto groups = f.get("dh_group"))
    if (auto algs = read_algorithms(ctx, *groups, kDhGroup)) t.ike.dh_groups = std::move(*algs);
  if (auto id = f.get("local_id")) t.local_id = read_identity(ctx, *id);
  if (auto id = f.get("remote_id")) t.remote_id = read_identity(ctx, *id);
  if (auto lifetime = f.get("lifetime")) read_lifetime(ctx, *lifetime, t.ike.lifetime);
}

void parse_ipsec(FileCtx& ctx, const Value& v, ike::TunnelConfig& t) {
  Fields f(ctx, v, kIpsecKeys);
  read_suite(ctx, f, t.ipsec);
  if (t.version == ike::IkeVersion::V1) check_ikev1_ciphers(ctx, f.get("encryption"), t.ipsec.encryption, true);
  if (auto pfs = f.get("pfs")) read_pfs(ctx, *pfs, t.ipsec);
  if (auto lifetime = f.get("lifetime")) read_lifetime(ctx, *lifetime, t.ipsec.lifetime);
  if (auto kb = f.get("lifetime_kb")) read_lifetime_kb(ctx, *kb, t.ipsec.lifetime_kb);
}

}  // namespace kite::conf
