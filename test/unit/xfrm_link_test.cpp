// xfrm/link and xfrm/link_table: route mode's rtnetlink link messages
// (exact ifinfomsg, nested IFLA_LINKINFO / IFLA_INFO_DATA and IFLA_AF_SPEC
// attributes, decoded by a walker independent of xfrm/), the link parser
// and ownership rule, and — as root, in a throwaway network namespace — a
// VTI (and an xfrm interface where the kernel has them) created, found,
// refused when foreign and flushed.
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "xfrm/link.hpp"
#include "xfrm/link_table.hpp"
#include "xfrm/ownership.hpp"

using namespace kite::xfrm;
using ike::Bytes;

namespace {

ike::IpAddress ip(const char* s) { return *ike::IpAddress::parse(s); }

using Attrs = std::map<int, Bytes>;

// Attributes from `at` to the end of `data` (4-byte aligned TLVs).
Attrs walk(const Bytes& data, std::size_t at = 0) {
  Attrs out;
  while (at < data.size()) {
    std::uint16_t len = 0, type = 0;
    REQUIRE(at + 4 <= data.size());
    std::memcpy(&len, &data[at], 2);
    std::memcpy(&type, &data[at + 2], 2);
    REQUIRE(len >= 4);
    REQUIRE(at + len <= data.size());
    REQUIRE(out.count(type) == 0);
    out[type] = Bytes(data.begin() + static_cast<long>(at + 4), data.begin() + static_cast<long>(at + len));
    at += (len + 3u) / 4 * 4;
  }
  REQUIRE(at == data.size());
  return out;
}

struct Link {
  nlmsghdr header{};
  ifinfomsg ifi{};
  Attrs attrs;
};

Link decode(const Bytes& msg) {
  Link l;
  REQUIRE(msg.size() >= 16 + sizeof(ifinfomsg));
  std::memcpy(&l.header, msg.data(), 16);
  REQUIRE(l.header.nlmsg_len == msg.size());
  std::memcpy(&l.ifi, msg.data() + 16, sizeof(ifinfomsg));
  l.attrs = walk(msg, 16 + sizeof(ifinfomsg));
  return l;
}

std::uint32_t u32(const Bytes& b) {
  REQUIRE(b.size() == 4);
  std::uint32_t v = 0;
  std::memcpy(&v, b.data(), 4);
  return v;
}

std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

// The IFLA_INFO_DATA of a link message, after checking IFLA_INFO_KIND.
Attrs info_data(const Link& l, const std::string& kind) {
  auto info = walk(l.attrs.at(IFLA_LINKINFO));
  CHECK(str(info.at(IFLA_INFO_KIND)) == kind);
  return walk(info.at(IFLA_INFO_DATA));
}

}  // namespace

TEST_CASE("xfrm interface: RTM_NEWLINK create-exclusive, name, kind xfrm, if_id, link") {
  auto msg = build_add_xfrm_link({"kite-tom", 0x6b690007, 3});
  REQUIRE(msg.ok());
  auto l = decode(*msg);
  CHECK(l.header.nlmsg_type == RTM_NEWLINK);
  CHECK(l.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
  CHECK(l.ifi.ifi_family == AF_UNSPEC);
  CHECK(l.ifi.ifi_index == 0);
  CHECK(l.attrs.at(IFLA_IFNAME) == Bytes({'k', 'i', 't', 'e', '-', 't', 'o', 'm', 0}));
  auto data = info_data(l, "xfrm");
  CHECK(u32(data.at(IFLA_XFRM_IF_ID)) == 0x6b690007);
  CHECK(u32(data.at(IFLA_XFRM_LINK)) == 3);
  auto unlinked = build_add_xfrm_link({"kite-tom", 0x6b690007, 0});
  REQUIRE(unlinked.ok());
  CHECK(info_data(decode(*unlinked), "xfrm").count(IFLA_XFRM_LINK) == 0);
}

TEST_CASE("VTI: kind vti, ikey = okey in network order, outer addresses; IPv6 makes a vti6") {
  auto msg = build_add_vti_link({"kite-tom", ip("192.0.2.1"), ip("198.51.100.2"), 0x6b690001, 0});
  REQUIRE(msg.ok());
  auto data = info_data(decode(*msg), "vti");
  CHECK(u32(data.at(IFLA_VTI_IKEY)) == htonl(0x6b690001));
  CHECK(u32(data.at(IFLA_VTI_OKEY)) == htonl(0x6b690001));
  CHECK(data.at(IFLA_VTI_LOCAL) == Bytes({192, 0, 2, 1}));
  CHECK(data.at(IFLA_VTI_REMOTE) == Bytes({198, 51, 100, 2}));
  CHECK(data.count(IFLA_VTI_LINK) == 0);
  auto v6 = build_add_vti_link({"kite-v6", ip("2001:db8::1"), ip("2001:db8::2"), 0x6b690002, 4});
  REQUIRE(v6.ok());
  auto d6 = info_data(decode(*v6), "vti6");
  CHECK(d6.at(IFLA_VTI_LOCAL).size() == 16);
  CHECK(d6.at(IFLA_VTI_REMOTE).back() == 2);
  CHECK(u32(d6.at(IFLA_VTI_LINK)) == 4);
}

TEST_CASE("link builders refuse what the kernel would reject or misread") {
  CHECK_FALSE(build_add_xfrm_link({"", 0x6b690001, 0}).ok());
  CHECK_FALSE(build_add_xfrm_link({"a-name-of-16-chr", 0x6b690001, 0}).ok());  // IFNAMSIZ 16 with NUL
  CHECK(build_add_xfrm_link({"a-name-of-15-ch", 0x6b690001, 0}).ok());
  CHECK_FALSE(build_add_xfrm_link({"kite-x", 0, 0}).ok());
  CHECK_FALSE(build_add_vti_link({"kite-x", ip("192.0.2.1"), ip("2001:db8::2"), 1, 0}).ok());
  CHECK_FALSE(build_add_vti_link({"kite-x", ip("192.0.2.1"), ip("192.0.2.2"), 0, 0}).ok());
}

TEST_CASE("set up: IFF_UP, MTU, and disable_policy through IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF") {
  auto l = decode(build_set_link_up(9, 1400, true));
  CHECK(l.header.nlmsg_type == RTM_NEWLINK);
  CHECK(l.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK(l.ifi.ifi_index == 9);
  CHECK(l.ifi.ifi_flags == IFF_UP);
  CHECK(l.ifi.ifi_change == IFF_UP);
  CHECK(u32(l.attrs.at(IFLA_MTU)) == 1400);
  auto spec = walk(l.attrs.at(IFLA_AF_SPEC));
  auto inet = walk(spec.at(AF_INET));
  auto conf = walk(inet.at(IFLA_INET_CONF));
  REQUIRE(conf.size() == 1);
  CHECK(u32(conf.at(IPV4_DEVCONF_NOPOLICY)) == 1);
  auto plain = decode(build_set_link_up(9, 0, false));
  CHECK(plain.attrs.empty());
}

TEST_CASE("delete, get by name and dump requests") {
  auto del = decode(build_delete_link(12));
  CHECK(del.header.nlmsg_type == RTM_DELLINK);
  CHECK(del.ifi.ifi_index == 12);
  CHECK(del.attrs.empty());
  auto get = decode(build_get_link("kite-a"));
  CHECK(get.header.nlmsg_type == RTM_GETLINK);
  CHECK(get.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK(str(get.attrs.at(IFLA_IFNAME)) == std::string("kite-a", 7));
  auto dump = decode(build_dump_links());
  CHECK(dump.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
}

TEST_CASE("link parser reads name, kind and ids; ownership needs kind and id in kite's range") {
  // An RTM_NEWLINK answer is laid out like the create request (the same
  // attributes), so the builders make realistic kernel messages.
  auto payload = [](const Bytes& msg) { return ike::ByteView(msg).subspan(16); };
  auto vti = *build_add_vti_link({"kite-a", ip("192.0.2.1"), ip("192.0.2.2"), 0x6b690005, 0});
  // The kernel fills ifi_index; the request leaves it 0, which the parser refuses.
  CHECK_FALSE(parse_link(payload(vti)).has_value());
  const int index = 7;
  std::memcpy(&vti[16 + offsetof(ifinfomsg, ifi_index)], &index, 4);
  auto link = parse_link(payload(vti));
  REQUIRE(link.has_value());
  CHECK(link->index == 7);
  CHECK(link->name == "kite-a");
  CHECK(link->kind == "vti");
  CHECK(link->ikey == 0x6b690005u);
  CHECK(link->okey == 0x6b690005u);
  CHECK(is_owned_link(*link));

  LinkInfo x{1, "kite-x", "xfrm", 0x6b690009, {}, {}, 0, 0};
  CHECK(is_owned_link(x));
  x.if_id = 9;  // someone else's if_id
  CHECK_FALSE(is_owned_link(x));
  LinkInfo foreign_vti{2, "vti0", "vti", {}, 0x6b690001, 0x2a, 0, 0};  // keys differ
  CHECK_FALSE(is_owned_link(foreign_vti));
  LinkInfo dummy{3, "kite-d", "dummy", 0x6b690001, {}, {}, 0, 0};
  CHECK_FALSE(is_owned_link(dummy));
  for (std::size_t n = 0; n < vti.size() - 16; ++n) {
    auto cut = ike::ByteView(vti).subspan(16, n);
    auto r = parse_link(cut);
    if (r) CHECK(r->index == 7);  // truncations never crash, never invent an index
  }
}

TEST_CASE("interfaces in a throwaway namespace", "[root]") {
  if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
    SUCCEED("skipped: needs root to create a network namespace");
    return;
  }
  REQUIRE(std::system("ip link add wan0 type veth peer name wan1 && ip link set wan0 up && "
                      "ip addr add 192.0.2.1/24 dev wan0 && "
                      "ip link add kite-foreign type veth peer name kite-foreign1") == 0);
  auto links = LinkTable::open();
  REQUIRE(links.ok());
  auto foreign = links->find("kite-foreign");
  REQUIRE(foreign.ok());
  REQUIRE(foreign->has_value());
  CHECK((*foreign)->kind == "veth");
  CHECK_FALSE(is_owned_link(**foreign));
  auto none = links->find("kite-none");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  // Someone else's interface of that name is neither deleted nor replaced.
  auto refused = links->remove("kite-foreign");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("not kite's") != std::string::npos);
  CHECK_FALSE(links->create_vti({"kite-foreign", ip("192.0.2.1"), ip("192.0.2.3"), 0x6b690012, 0}).ok());
  // The probe answers either way and leaves nothing behind.
  auto xfrmi = links->supports_xfrm_interfaces();
  REQUIRE(xfrmi.ok());
  CHECK_FALSE(links->find("kite-probe")->has_value());
  auto made = links->create_vti({"kite-t", ip("192.0.2.1"), ip("192.0.2.2"), 0x6b690011, 0});
  if (!made) {
    // A kernel without ip_vti (this host's may lack it; the kernel lab's
    // UML has it and kited-kited-route.sh covers it there).
    CHECK(made.error().message.find("EOPNOTSUPP") != std::string::npos);
    auto flushed = links->flush_owned();
    REQUIRE(flushed.ok());
    CHECK(flushed->empty());
    CHECK(links->find("kite-foreign")->has_value());
    return;
  }
  CHECK(made->kind == "vti");
  auto found = links->find("kite-t");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->flags & IFF_UP);
  CHECK((*found)->mtu == kInterfaceMtu);
  CHECK((*found)->ikey == 0x6b690011u);
  CHECK(std::system("test \"$(cat /proc/sys/net/ipv4/conf/kite-t/disable_policy)\" = 1") == 0);
  REQUIRE(links->add_route(*ike::Subnet::parse("10.9.0.0/24"), made->index).ok());
  CHECK(std::system("ip route show 10.9.0.0/24 | grep -q 'dev kite-t proto 107'") == 0);
  REQUIRE(links->delete_route(*ike::Subnet::parse("10.9.0.0/24")).ok());
  CHECK(std::system("test -z \"$(ip route show 10.9.0.0/24)\"") == 0);
  if (*xfrmi) REQUIRE(links->create_xfrm({"kite-x", 0x6b690013, 0}).ok());
  auto flushed = links->flush_owned();
  REQUIRE(flushed.ok());
  CHECK(flushed->size() == (*xfrmi ? 2u : 1u));
  CHECK_FALSE(links->find("kite-t")->has_value());
  CHECK(links->find("kite-foreign")->has_value());
  CHECK(links->find("wan0")->has_value());
}
