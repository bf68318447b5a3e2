// Pre-shared keys: from a file (refused when group or others may read or
// write it) and their shape. No message here ever contains the key.
#pragma once
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "libike/common/result.hpp"
#include "libike/common/secret.hpp"

namespace kite::conf {

// 1..128 bytes: covers every cloud VPN's limit (AWS 8-64, Alibaba 1-100,
// Azure 1-128) and the SPEC.md §2 example "123456".
inline constexpr std::size_t kMinPskLength = 1;
inline constexpr std::size_t kMaxPskLength = 128;

struct PskProblem {
  std::string rule;    // "psk-file", "psk-file-mode", "psk-length", "psk-charset"
  std::string detail;  // names the file and its mode, never the key
};

// Reads a PSK file: must be a regular file with no group/other permission
// bits (like ssh's private keys); one trailing newline ("\n" or "\r\n") is
// dropped. The content is then checked like an inline key.
ike::Result<ike::Secret, PskProblem> read_psk_file(const std::filesystem::path& path);

// Length within [kMinPskLength, kMaxPskLength] bytes and no control
// characters (a stray '\r' or '\t' is almost always a copy-paste mistake
// and breaks the exported swanctl/libreswan config).
std::optional<PskProblem> check_psk(const ike::Secret& psk, std::string_view source);

}  // namespace kite::conf
