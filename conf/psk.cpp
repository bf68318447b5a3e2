#include "conf/psk.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

namespace kite::conf {

// Enough to tell "too long" without reading a huge file into memory.
static constexpr std::size_t kMaxPskFileRead = 4096;

static std::string who_may(mode_t mode) {
  std::string out;
  auto add = [&](mode_t bits, const char* text) {
    if ((mode & bits) == 0) return;
    if (!out.empty()) out += ", ";
    out += text;
  };
  add(S_IRGRP, "readable by group");
  add(S_IWGRP, "writable by group");
  add(S_IROTH, "readable by others");
  add(S_IWOTH, "writable by others");
  add(S_IXGRP | S_IXOTH, "executable by group or others");
  return out;
}

static std::optional<PskProblem> check_file_mode(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return PskProblem{"psk-file", fmt::format("cannot read pre_shared_key_file {}: {}", path.string(),
                                              std::strerror(errno))};
  if (!S_ISREG(st.st_mode))
    return PskProblem{"psk-file", fmt::format("pre_shared_key_file {} is not a regular file", path.string())};
  mode_t perms = st.st_mode & 07777;
  if ((perms & (S_IRWXG | S_IRWXO)) != 0)
    return PskProblem{"psk-file-mode",
                      fmt::format("pre_shared_key_file {} has mode {:04o} ({}); a key file must be "
                                  "private to its owner: chmod 600 {}",
                                  path.string(), perms, who_may(perms), path.string())};
  return std::nullopt;
}

ike::Result<ike::Secret, PskProblem> read_psk_file(const std::filesystem::path& path) {
  if (auto problem = check_file_mode(path)) return ike::fail(*problem);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return ike::fail(PskProblem{"psk-file", fmt::format("cannot read pre_shared_key_file {}: {}",
                                                        path.string(), std::strerror(errno))});
  // Read straight into wiping storage; a std::string would leave copies.
  ike::Secret psk;
  char c = 0;
  while (psk.size() <= kMaxPskFileRead && in.get(c)) {
    auto byte = static_cast<std::uint8_t>(c);
    psk.append({&byte, 1});
  }
  auto v = psk.view();
  std::size_t n = v.size();
  if (n > 0 && v[n - 1] == '\n') --n;
  if (n > 0 && n < v.size() && v[n - 1] == '\r') --n;
  psk.resize(n);
  if (auto problem = check_psk(psk, fmt::format("pre_shared_key_file {}", path.string())))
    return ike::fail(*problem);
  return psk;
}

std::optional<PskProblem> check_psk(const ike::Secret& psk, std::string_view source) {
  if (psk.size() < kMinPskLength || psk.size() > kMaxPskLength) {
    std::string size = psk.size() > kMaxPskFileRead ? fmt::format("more than {}", kMaxPskFileRead)
                                                    : fmt::format("{}", psk.size());
    return PskProblem{"psk-length", fmt::format("{}: a pre-shared key must be {}..{} bytes, this one has {}",
                                                source, kMinPskLength, kMaxPskLength, size)};
  }
  for (auto b : psk.view())
    if (b < 0x20 || b == 0x7F)
      return PskProblem{"psk-charset",
                        fmt::format("{}: a pre-shared key must not contain control characters", source)};
  return std::nullopt;
}

}  // namespace kite::conf
