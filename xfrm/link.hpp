// Pure rtnetlink builders and parsers for route mode's interfaces (SPEC.md
// §2 `mode: route`): an xfrm interface (kind "xfrm", IFLA_XFRM_IF_ID), or
// where the kernel has none a VTI (kind "vti"/"vti6", IFLA_VTI_IKEY/OKEY),
// the way `ip link add NAME type xfrm if_id N` / `type vti local L remote R
// ikey K okey K` builds them (iproute2 ip/link_xfrm.c, ip/link_vti.c).
//
// Ownership, as for SAs (ownership.hpp): an interface is kite's only if it
// is of one of these kinds and its if_id, or both its keys, lie in kite's
// reqid range 0x6b690000..0x6b69ffff — the engine takes the id from the
// tunnel's reqid. Nothing else is ever changed or deleted.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "libike/common/address.hpp"
#include "libike/common/bytes.hpp"
#include "libike/common/result.hpp"

namespace kite::xfrm {

// ESP tunnel overhead is at most ~80 bytes (outer IPv6 header 40, ESP
// header and IV 8+16, padding and trailer up to 17, ICV 16, NAT-T 8):
// 1400 keeps inner packets unfragmented on a 1500-byte underlay.
inline constexpr std::uint32_t kInterfaceMtu = 1400;

struct XfrmLinkSpec {
  std::string name;
  std::uint32_t if_id = 0;
  std::uint32_t link = 0;  // IFLA_XFRM_LINK: underlying ifindex (0 = any)
};

struct VtiLinkSpec {
  std::string name;
  ike::IpAddress local, remote;  // outer addresses; IPv6 makes a vti6
  std::uint32_t key = 0;         // ikey = okey = the SAs' and policies' mark
  std::uint32_t link = 0;        // IFLA_VTI_LINK (0 = any)
};

// One interface from RTM_NEWLINK (a dump or a get).
struct LinkInfo {
  std::uint32_t index = 0;
  std::string name;
  std::string kind;  // IFLA_INFO_KIND, "" if none
  std::optional<std::uint32_t> if_id;       // kind xfrm
  std::optional<std::uint32_t> ikey, okey;  // kind vti/vti6 (host order)
  std::uint32_t flags = 0;                  // IFF_*
  std::uint32_t mtu = 0;
};

// "xfrm" interface with this if_id, or a VTI with equal keys, in kite's range.
bool is_owned_link(const LinkInfo& link);

// RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL (an existing name: EEXIST).
// Refused for a name that is not 1..15 characters, an if_id/key of 0 or
// mixed-family VTI addresses.
ike::Result<ike::Bytes> build_add_xfrm_link(const XfrmLinkSpec& spec);
ike::Result<ike::Bytes> build_add_vti_link(const VtiLinkSpec& spec);
// RTM_NEWLINK on an existing interface: up, MTU, and for a VTI (IPv4)
// net.ipv4.conf.<dev>.disable_policy = 1 via IFLA_AF_SPEC/AF_INET/
// IFLA_INET_CONF (ip-sysctl.rst: "Disable IPSEC policy (SPD) for this
// interface"), as strongSwan's route-based VPN guide asks of a VTI.
ike::Bytes build_set_link_up(std::uint32_t index, std::uint32_t mtu, bool disable_policy);
ike::Bytes build_delete_link(std::uint32_t index);
// RTM_GETLINK by name (ENODEV if there is none), and a dump of all.
ike::Bytes build_get_link(const std::string& name);
ike::Bytes build_dump_links();

std::optional<LinkInfo> parse_link(ike::ByteView payload);

}  // namespace kite::xfrm
