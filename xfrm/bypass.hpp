// Per-socket IPsec bypass for kited's own IKE sockets: with protected
// subnets that include the gateways' outer addresses, IKE and NAT-T
// traffic must not itself be caught by the tunnel's policies. Like every
// IKE daemon, kited gives each IKE socket a per-socket policy that allows
// traffic in and out with no transform (`ip xfrm policy` shows them as
// "socket in/out"; they disappear with the socket).
#pragma once
#include "libike/common/result.hpp"

namespace kite::xfrm {

// fd: a UDP socket of family AF_INET (v6 = false) or AF_INET6 (v6 = true).
ike::Status bypass_ipsec(int fd, bool v6);

}  // namespace kite::xfrm
