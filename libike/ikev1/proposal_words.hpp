// Internal to the proposal units: attribute values and the config words
// that NO-PROPOSAL-CHOSEN log lines are made of.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libike/crypto/algorithms.hpp"
#include "libike/ikev1/codec/attributes.hpp"

namespace ike::v1::detail {

// A basic or variable attribute whose value fits 16 bits.
std::optional<std::uint16_t> u16_of(const DataAttribute& a);
// "aes128", else "encr#12/256".
std::string cipher_word(std::optional<crypto::EncrAlg> alg, std::uint16_t id, std::uint16_t bits);
// "sha256", else "<what>#<n>".
std::string integ_word(std::optional<crypto::IntegAlg> alg, const char* what, std::uint16_t id);
// "modp2048", else "group#30".
std::string group_word(std::uint16_t number);
// Space separated, duplicates dropped, order kept; "none" when empty.
std::string join_words(const std::vector<std::string>& words);

}  // namespace ike::v1::detail
