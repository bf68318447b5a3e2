// Who may use kited's control socket (SPEC.md §3: "anyone else is
// refused"). The socket's mode (0660, group `kite`) is the first gate; this
// is the second, so that a socket whose mode was widened by mistake (a
// chmod, a lax bind mount) still refuses strangers: the peer's credentials
// as the kernel recorded them at connect() (SO_PEERCRED, SO_PEERGROUPS)
// must be root, kited's own user, or a member of the socket's group.
// A refused client gets one {"ok":false,"error":"permission denied: ..."}
// line and is disconnected (kitectl exits 3, as when connect() is denied).
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "libike/common/result.hpp"

namespace kite::daemon {

struct PeerCredentials {
  uid_t uid = 0;
  gid_t gid = 0;  // primary (effective) group
  pid_t pid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

// The credentials of the process at the other end of a connected Unix
// socket. Supplementary groups from SO_PEERGROUPS (Linux 4.13+); where
// that is missing, from the group database (getgrouplist) for the uid.
ike::Result<PeerCredentials> peer_credentials(int fd);

struct AccessPolicy {
  uid_t owner = 0;             // kited's effective uid: it may always talk to itself
  std::optional<gid_t> group;  // the socket's group, when it exists
  std::string group_name = "kite";
};

// nullopt when the peer may use the socket, else the one-line reason
// ("permission denied: uid 1001 is not root and not in group kite").
std::optional<std::string> access_refusal(const PeerCredentials& peer, const AccessPolicy& policy);

}  // namespace kite::daemon
