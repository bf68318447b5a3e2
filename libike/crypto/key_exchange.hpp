// Key-exchange details beyond crypto.hpp: public value sizes for codecs,
// the MODP group constants, and a factory that takes a fixed private
// value (known-answer tests against RFC 5903 §8 and RFC 7748 §6.1; real
// code always draws the private value from Random).
#pragma once
#include <memory>
#include <optional>
#include <string_view>

#include "libike/crypto/crypto.hpp"

namespace ike::crypto {

enum class GroupFamily : std::uint8_t { Modp, Ecp, Curve25519 };
GroupFamily family(DhGroup group);

// Length of the KE payload's key exchange data (RFC 7296 §3.4): the
// prime's length for MODP, 2 * field length for ECP (RFC 5903 §7), 32
// for Curve25519 (RFC 8031 §3).
std::size_t public_value_size(DhGroup group);

// The MODP groups as published (hex, big-endian). `order` is the prime
// order q of the subgroup g generates: for the safe primes of RFC 2409 /
// RFC 3526 it is (p-1)/2 and left empty here; RFC 5114 §2.3 gives it.
struct ModpParams {
  std::string_view prime;
  std::string_view generator;
  std::string_view order;
  std::size_t exponent_bytes;  // private exponent length we draw
};
std::optional<ModpParams> modp_params(DhGroup group);

// The private value as big-endian bytes: the MODP exponent, the ECP
// scalar (1 <= d < n), or the 32-byte X25519 scalar (clamped by X25519).
Result<std::unique_ptr<KeyExchange>> make_key_exchange_from_private(DhGroup group,
                                                                    const Secret& private_value);

namespace detail {
// Per-family constructors behind make_key_exchange*.
Result<std::unique_ptr<KeyExchange>> make_modp(DhGroup group, const Secret& exponent);
Result<std::unique_ptr<KeyExchange>> make_modp_random(DhGroup group, Random& random);
Result<std::unique_ptr<KeyExchange>> make_ecp(DhGroup group, const Secret& scalar);
Result<std::unique_ptr<KeyExchange>> make_ecp_random(DhGroup group, Random& random);
Result<std::unique_ptr<KeyExchange>> make_x25519(const Secret& scalar);
}  // namespace detail

}  // namespace ike::crypto
