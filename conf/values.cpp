#include "conf/values.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <numeric>
#include <vector>

#include <fmt/format.h>

namespace kite::conf {

using ike::crypto::DhGroup;
using ike::crypto::EncrAlg;
using ike::crypto::IntegAlg;

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  std::uint64_t v = 0;
  if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  std::uint64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: unit = 0;
    }
    if (unit != 0) text.remove_suffix(1);
    else unit = 1;
  }
  auto n = parse_uint(text);
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
  if (!n || *n > kMax / unit) return std::nullopt;
  return std::chrono::seconds(static_cast<std::int64_t>(*n * unit));
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

bool is_valid_interface_name(std::string_view name) {
  // IFNAMSIZ is 16 with the terminating NUL (linux/if.h, dev_valid_name()).
  // The kernel takes more characters, but only these survive shells,
  // sysctl paths (net.ipv4.conf.<dev>) and systemd-networkd unquoted.
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

static bool is_valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
  });
}

bool is_valid_fqdn(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  while (true) {
    auto dot = name.find('.');
    if (!is_valid_label(name.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    name.remove_prefix(dot + 1);
  }
}

namespace {

struct EncrName {
  std::string_view name;
  EncrAlg alg;
};
constexpr std::array kEncr{
    EncrName{"aes128", EncrAlg::Aes128Cbc},     EncrName{"aes192", EncrAlg::Aes192Cbc},
    EncrName{"aes256", EncrAlg::Aes256Cbc},     EncrName{"3des", EncrAlg::TripleDesCbc},
    EncrName{"des", EncrAlg::DesCbc},           EncrName{"sm4", EncrAlg::Sm4Cbc},
    EncrName{"aes128gcm", EncrAlg::Aes128Gcm16}, EncrName{"aes256gcm", EncrAlg::Aes256Gcm16},
    EncrName{"chacha20poly1305", EncrAlg::ChaCha20Poly1305},
};
constexpr std::array<std::string_view, kEncr.size()> kEncrNames{
    "aes128", "aes192", "aes256", "3des", "des", "sm4", "aes128gcm", "aes256gcm",
    "chacha20poly1305"};

struct IntegName {
  std::string_view name;
  IntegAlg alg;
};
constexpr std::array kInteg{
    IntegName{"md5", IntegAlg::HmacMd5_96},       IntegName{"sha1", IntegAlg::HmacSha1_96},
    IntegName{"sha256", IntegAlg::HmacSha256_128}, IntegName{"sha384", IntegAlg::HmacSha384_192},
    IntegName{"sha512", IntegAlg::HmacSha512_256}, IntegName{"sm3", IntegAlg::HmacSm3_128},
};
constexpr std::array<std::string_view, kInteg.size()> kIntegNames{"md5",    "sha1",   "sha256",
                                                                  "sha384", "sha512", "sm3"};

constexpr std::array kGroups{DhGroup::Modp768,  DhGroup::Modp1024,     DhGroup::Modp1536,
                             DhGroup::Modp2048, DhGroup::Modp3072,     DhGroup::Modp4096,
                             DhGroup::Modp2048s256, DhGroup::Ecp256, DhGroup::Ecp384,
                             DhGroup::Ecp521,   DhGroup::Curve25519};

}  // namespace

std::optional<EncrAlg> encryption_from_name(std::string_view name) {
  for (const auto& e : kEncr)
    if (e.name == name) return e.alg;
  return std::nullopt;
}

std::optional<IntegAlg> integrity_from_name(std::string_view name) {
  for (const auto& e : kInteg)
    if (e.name == name) return e.alg;
  return std::nullopt;
}

std::optional<DhGroup> dh_group_from_number(std::uint64_t number) {
  for (auto g : kGroups)
    if (static_cast<std::uint64_t>(g) == number) return g;
  return std::nullopt;
}

std::span<const std::string_view> encryption_names() { return kEncrNames; }
std::span<const std::string_view> integrity_names() { return kIntegNames; }
std::string_view dh_group_list() { return "1 2 5 14 15 16 24 19 20 21 31"; }

std::string_view config_name(EncrAlg alg) {
  for (const auto& e : kEncr)
    if (e.alg == alg) return e.name;
  return "?";
}

std::string_view config_name(IntegAlg alg) {
  for (const auto& e : kInteg)
    if (e.alg == alg) return e.name;
  return "?";
}

bool is_aead_cipher(EncrAlg alg) {
  switch (alg) {
    case EncrAlg::Aes128Gcm16: case EncrAlg::Aes256Gcm16: case EncrAlg::Aes128Gcm12:
    case EncrAlg::Aes256Gcm12: case EncrAlg::Aes128Gcm8:  case EncrAlg::Aes256Gcm8:
    case EncrAlg::ChaCha20Poly1305:
      return true;
    default:
      return false;
  }
}

bool is_weak_algorithm(EncrAlg alg) { return alg == EncrAlg::DesCbc; }
bool is_weak_algorithm(IntegAlg alg) { return alg == IntegAlg::HmacMd5_96; }
bool is_weak_algorithm(DhGroup g) {
  return g == DhGroup::Modp768 || g == DhGroup::Modp1024 || g == DhGroup::Modp1536 ||
         g == DhGroup::Modp2048s256;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string_view closest(std::string_view word, std::span<const std::string_view> candidates) {
  // Near misses only: typos and transpositions, not unrelated short words.
  std::size_t limit = std::min<std::size_t>(2, std::max<std::size_t>(1, word.size() / 3));
  std::string_view best;
  std::size_t best_distance = limit + 1;
  for (auto c : candidates) {
    auto d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  auto best = closest(word, candidates);
  return best.empty() ? std::string() : fmt::format("; did you mean '{}'?", best);
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (auto w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

}  // namespace kite::conf
