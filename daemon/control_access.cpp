#include "daemon/control_access.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "daemon/sys_error.hpp"

namespace kite::daemon {
namespace {

// SO_PEERGROUPS: the peer's supplementary groups as of connect().
// nullopt when the kernel does not know the option.
ike::Result<std::optional<std::vector<gid_t>>> peer_groups(int fd) {
  std::vector<gid_t> groups(64);
  for (int tries = 0; tries < 4; ++tries) {
    auto len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      return std::optional<std::vector<gid_t>>(std::move(groups));
    }
    if (errno == ENOPROTOOPT) return std::optional<std::vector<gid_t>>();
    if (errno != ERANGE) return sys_fail("getsockopt(SO_PEERGROUPS)");
    groups.resize(len / sizeof(gid_t) + 1);  // len says how much is needed
  }
  return ike::fail("getsockopt(SO_PEERGROUPS): the peer's group list keeps growing");
}

// The group database's view of the uid's groups (fallback only: it can
// differ from the process's, e.g. before a re-login after `adduser`).
std::vector<gid_t> database_groups(uid_t uid, gid_t gid) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return {};
  int n = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  if (::getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<std::size_t>(n));
    if (::getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0) return {};
  }
  groups.resize(static_cast<std::size_t>(n));
  return groups;
}

}  // namespace

ike::Result<PeerCredentials> peer_credentials(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return sys_fail("getsockopt(SO_PEERCRED)");
  PeerCredentials peer{cred.uid, cred.gid, cred.pid, {}};
  auto groups = peer_groups(fd);
  if (!groups) return ike::fail(groups.error());
  peer.groups = *groups ? std::move(**groups) : database_groups(cred.uid, cred.gid);
  return peer;
}

std::optional<std::string> access_refusal(const PeerCredentials& peer, const AccessPolicy& policy) {
  if (peer.uid == 0 || peer.uid == policy.owner) return std::nullopt;
  if (policy.group) {
    const gid_t g = *policy.group;
    if (peer.gid == g || std::find(peer.groups.begin(), peer.groups.end(), g) != peer.groups.end())
      return std::nullopt;
    return "permission denied: uid " + std::to_string(peer.uid) + " is not root and not in group " +
           policy.group_name;
  }
  return "permission denied: uid " + std::to_string(peer.uid) +
         " is not root (group " + policy.group_name + " does not exist: root only)";
}

}  // namespace kite::daemon
