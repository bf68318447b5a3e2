// The scalar vocabulary of the config (SPEC.md §2), free of YAML: durations,
// names, algorithm names, and "did you mean" suggestions.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "libike/crypto/algorithms.hpp"

namespace kite::conf {

// "30s", "5m", "1h", "1d" or a plain number of seconds; nullopt when
// malformed or beyond ~136 years (kept well inside std::chrono::seconds).
std::optional<std::chrono::seconds> parse_duration(std::string_view text);
// A decimal unsigned integer, no sign, no spaces.
std::optional<std::uint64_t> parse_uint(std::string_view text);

// Tunnel and customer gateway names: [A-Za-z0-9._-], 1..60 characters.
inline constexpr std::size_t kMaxNameLength = 60;
bool is_valid_name(std::string_view name);
// Linux interface names: 1..15 bytes, no '/', ':' or white space, not "." / "..".
bool is_valid_interface_name(std::string_view name);
// A DNS-style host name for an FQDN identity: labels of [A-Za-z0-9-_], dots.
bool is_valid_fqdn(std::string_view name);

// Algorithm names exactly as SPEC.md §2 spells them.
std::optional<ike::crypto::EncrAlg> encryption_from_name(std::string_view name);
std::optional<ike::crypto::IntegAlg> integrity_from_name(std::string_view name);
std::optional<ike::crypto::DhGroup> dh_group_from_number(std::uint64_t number);
std::span<const std::string_view> encryption_names();
std::span<const std::string_view> integrity_names();
std::string_view dh_group_list();  // "1 2 5 14 15 16 24 19 20 21 31"

std::string_view config_name(ike::crypto::EncrAlg alg);
std::string_view config_name(ike::crypto::IntegAlg alg);
bool is_aead_cipher(ike::crypto::EncrAlg alg);
// SPEC.md §2: des, md5 and groups 1 2 5 24 are weak (accepted, warned).
bool is_weak_algorithm(ike::crypto::EncrAlg alg);
bool is_weak_algorithm(ike::crypto::IntegAlg alg);
bool is_weak_algorithm(ike::crypto::DhGroup group);

// Levenshtein distance, for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a small distance, or "" when none is close.
std::string_view closest(std::string_view word, std::span<const std::string_view> candidates);
// "; did you mean 'x'?" or "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);
// "a, b, c" for messages.
std::string join(std::span<const std::string_view> words);

}  // namespace kite::conf
