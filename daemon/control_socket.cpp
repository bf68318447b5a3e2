#include "daemon/control_socket.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "daemon/sys_error.hpp"

namespace kite::daemon {
namespace {

ike::Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return ike::fail("control socket path \"" + path + "\" is empty or longer than " +
                     std::to_string(sizeof addr.sun_path - 1) + " bytes");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

bool someone_listening(const sockaddr_un& addr) {
  Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!probe) return false;
  return ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

ike::Status remove_stale(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};  // nothing there
  if (!S_ISSOCK(st.st_mode)) return ike::fail(path + " exists and is not a socket");
  if (someone_listening(addr)) return ike::fail("another kited is listening on " + path);
  if (::unlink(path.c_str()) != 0) return sys_fail("unlink stale " + path);
  return {};
}

// Mode 0660 with the group when it exists, else 0600 (and a note saying so).
// kited does not create the group: the package does (postinst); a kited
// started by hand without it stays root-only, which is safe. Sets
// `socket.group` to the group that may use the socket.
void set_access(const ListenOptions& options, ListeningSocket& socket) {
  auto& notes = socket.notes;
  const group* gr = options.group.empty() ? nullptr : ::getgrnam(options.group.c_str());
  if (gr == nullptr) {
    ::chmod(options.path.c_str(), 0600);
    if (!options.group.empty())
      notes.push_back("group " + options.group + " does not exist: control socket " +
                      options.path + " is usable by its owner only (`groupadd --system " +
                      options.group + "` and restart kited to let its members in)");
    return;
  }
  if (::chown(options.path.c_str(), static_cast<uid_t>(-1), gr->gr_gid) != 0) {
    notes.push_back(errno_text("chown " + options.path + " to group " + options.group) +
                    "; socket left owner-only");
    ::chmod(options.path.c_str(), 0600);
    return;
  }
  ::chmod(options.path.c_str(), 0660);
  socket.group = gr->gr_gid;
}

}  // namespace

ike::Status make_directories(const std::string& dir, unsigned mode) {
  if (dir.empty()) return {};
  std::filesystem::path built;
  for (const auto& part : std::filesystem::path(dir)) {
    built /= part;
    if (::mkdir(built.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
      return sys_fail("mkdir " + built.string());
  }
  return {};
}

ike::Result<ListeningSocket> listen_unix(const ListenOptions& options) {
  auto addr = unix_address(options.path);
  if (!addr) return ike::fail(addr.error());
  const auto dir = std::filesystem::path(options.path).parent_path();
  if (auto st = make_directories(dir.string(), 0755); !st) return ike::fail(st.error());
  if (auto st = remove_stale(options.path, *addr); !st) return ike::fail(st.error());

  ListeningSocket out;
  out.fd = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!out.fd) return sys_fail("socket(AF_UNIX)");
  // Nobody but the owner may connect in the window before chmod.
  const mode_t old_mask = ::umask(0177);
  const int bound = ::bind(out.fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr);
  const int bind_errno = errno;
  ::umask(old_mask);
  if (bound != 0) return sys_fail("bind " + options.path, bind_errno);
  // Listen before widening access: the socket file exists from bind() on,
  // and a client that sees it (a script waiting for kited, kitectl right
  // after start) must not get ECONNREFUSED while the group lookup (NSS,
  // slow on a busy host) runs. Until chmod only the owner can connect.
  if (::listen(out.fd.get(), 64) != 0) return sys_fail("listen " + options.path);
  set_access(options, out);
  return out;
}

ike::Result<Fd> connect_unix(const std::string& path) {
  auto addr = unix_address(path);
  if (!addr) return ike::fail(addr.error());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return sys_fail("socket(AF_UNIX)");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    const int err = errno;
    std::string hint;
    if (err == ENOENT || err == ECONNREFUSED) hint = " (is kited running? --socket PATH to choose another)";
    if (err == EACCES || err == EPERM) hint = " (run as root or as a member of group kite)";
    return ike::fail("cannot reach kited at " + path + ": " + std::strerror(err) + hint);
  }
  return fd;
}

}  // namespace kite::daemon
