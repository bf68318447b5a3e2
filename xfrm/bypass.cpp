#include "xfrm/bypass.hpp"

#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>

#include "xfrm/netlink.hpp"

namespace kite::xfrm {

ike::Status bypass_ipsec(int fd, bool v6) {
  // IP_XFRM_POLICY / IPV6_XFRM_POLICY take an xfrm_userpolicy_info with no
  // templates: "allow, no transform" (xfrm_compile_policy() in
  // xfrm_user.c). Sockets only know the in and out directions.
  for (std::uint8_t dir : {std::uint8_t{XFRM_POLICY_IN}, std::uint8_t{XFRM_POLICY_OUT}}) {
    xfrm_userpolicy_info policy{};
    policy.sel.family = v6 ? AF_INET6 : AF_INET;
    policy.lft.soft_byte_limit = policy.lft.hard_byte_limit = XFRM_INF;
    policy.lft.soft_packet_limit = policy.lft.hard_packet_limit = XFRM_INF;
    policy.dir = dir;
    policy.action = XFRM_POLICY_ALLOW;
    int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
    int option = v6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
    if (setsockopt(fd, level, option, &policy, sizeof policy) != 0)
      return ike::fail(fmt::format("cannot exempt the IKE socket from IPsec ({}): {}",
                                   dir == XFRM_POLICY_IN ? "in" : "out", describe_errno(errno)));
  }
  return {};
}

}  // namespace kite::xfrm
