#include "xfrm/link.hpp"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "xfrm/netlink.hpp"
#include "xfrm/ownership.hpp"

namespace kite::xfrm {
namespace {

constexpr std::uint16_t kRequest = NLM_F_REQUEST | NLM_F_ACK;

// One attribute (header, payload, padding) for a nest; MessageBuilder lays
// out the outermost level, nests are their attributes' concatenation.
void append_attr(ike::Bytes& out, std::uint16_t type, ike::ByteView payload) {
  nlattr header{};
  header.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + payload.size());
  header.nla_type = type;
  const auto raw = view_of(header);
  out.insert(out.end(), raw.begin(), raw.end());
  out.insert(out.end(), payload.begin(), payload.end());
  out.resize(NLA_ALIGN(out.size()), 0);
}

template <typename T>
void append_value(ike::Bytes& out, std::uint16_t type, const T& value) {
  append_attr(out, type, view_of(value));
}

ike::ByteView text(const std::string& s) {  // with its NUL, as the kernel's NLA_STRING
  return {reinterpret_cast<const std::uint8_t*>(s.c_str()), s.size() + 1};
}

bool valid_name(const std::string& name) { return !name.empty() && name.size() < IFNAMSIZ; }

// IFLA_LINKINFO { IFLA_INFO_KIND kind, IFLA_INFO_DATA data }.
ike::Bytes link_info(const std::string& kind, const ike::Bytes& data) {
  ike::Bytes info;
  append_attr(info, IFLA_INFO_KIND, {reinterpret_cast<const std::uint8_t*>(kind.data()), kind.size()});
  append_attr(info, IFLA_INFO_DATA, data);
  return info;
}

ike::Bytes new_link(const std::string& name, const std::string& kind, const ike::Bytes& data) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  MessageBuilder msg(RTM_NEWLINK, kRequest | NLM_F_CREATE | NLM_F_EXCL);
  msg.put_header(ifi);
  msg.put_attr(IFLA_IFNAME, text(name));
  msg.put_attr(IFLA_LINKINFO, link_info(kind, data));
  return msg.finish();
}

std::optional<std::uint32_t> u32_attr(const Attributes& attrs, std::uint16_t type) {
  auto raw = attrs.find(type);
  if (!raw) return std::nullopt;
  return read_struct<std::uint32_t>(*raw);
}

std::string string_attr(const Attributes& attrs, std::uint16_t type) {
  auto raw = attrs.find(type);
  if (!raw) return {};
  std::string s(reinterpret_cast<const char*>(raw->data()), raw->size());
  if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  return s;
}

// IFLA_LINKINFO's kind and, for kite's kinds, the ids inside IFLA_INFO_DATA.
void parse_link_info(ike::ByteView nest, LinkInfo& out) {
  auto info = Attributes::parse(nest, 0);
  if (!info) return;
  out.kind = string_attr(*info, IFLA_INFO_KIND);
  auto data_raw = info->find(IFLA_INFO_DATA);
  if (!data_raw) return;
  auto data = Attributes::parse(*data_raw, 0);
  if (!data) return;
  if (out.kind == "xfrm") {
    out.if_id = u32_attr(*data, IFLA_XFRM_IF_ID);
  } else if (out.kind == "vti" || out.kind == "vti6") {
    if (auto k = u32_attr(*data, IFLA_VTI_IKEY)) out.ikey = ntohl(*k);
    if (auto k = u32_attr(*data, IFLA_VTI_OKEY)) out.okey = ntohl(*k);
  }
}

}  // namespace

bool is_owned_link(const LinkInfo& link) {
  if (link.kind == "xfrm") return link.if_id && is_owned_reqid(*link.if_id);
  if (link.kind == "vti" || link.kind == "vti6")
    return link.ikey && link.okey && *link.ikey == *link.okey && is_owned_reqid(*link.ikey);
  return false;
}

ike::Result<ike::Bytes> build_add_xfrm_link(const XfrmLinkSpec& spec) {
  if (!valid_name(spec.name)) return ike::fail("interface name must be 1..15 characters");
  // An if_id of 0 matches SAs and policies without one (xfrm_interface_core.c
  // refuses it since 6.2).
  if (spec.if_id == 0) return ike::fail("xfrm interface needs a non-zero if_id");
  ike::Bytes data;
  append_value(data, IFLA_XFRM_IF_ID, spec.if_id);
  if (spec.link != 0) append_value(data, IFLA_XFRM_LINK, spec.link);
  return new_link(spec.name, "xfrm", data);
}

ike::Result<ike::Bytes> build_add_vti_link(const VtiLinkSpec& spec) {
  if (!valid_name(spec.name)) return ike::fail("interface name must be 1..15 characters");
  if (spec.key == 0) return ike::fail("VTI needs a non-zero key");
  if (spec.local.is_v6() != spec.remote.is_v6()) return ike::fail("VTI local and remote differ in family");
  ike::Bytes data;
  // ikey/okey are __be32 (if_tunnel.h); the VTI uses them as the packet
  // mark for the XFRM lookups (ip_vti.c: okey on xmit, ikey on receive).
  const std::uint32_t key = htonl(spec.key);
  append_value(data, IFLA_VTI_IKEY, key);
  append_value(data, IFLA_VTI_OKEY, key);
  append_attr(data, IFLA_VTI_LOCAL, spec.local.bytes());
  append_attr(data, IFLA_VTI_REMOTE, spec.remote.bytes());
  if (spec.link != 0) append_value(data, IFLA_VTI_LINK, spec.link);
  return new_link(spec.name, spec.local.is_v6() ? "vti6" : "vti", data);
}

ike::Bytes build_set_link_up(std::uint32_t index, std::uint32_t mtu, bool disable_policy) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = static_cast<int>(index);
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  MessageBuilder msg(RTM_NEWLINK, kRequest);
  msg.put_header(ifi);
  if (mtu != 0) msg.put_attr(IFLA_MTU, mtu);
  if (disable_policy) {
    // IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { [IPV4_DEVCONF_NOPOLICY] = 1 } } }
    // (rtnetlink inet_set_link_af(): the nested type is the devconf index).
    ike::Bytes conf, inet, spec;
    append_value(conf, IPV4_DEVCONF_NOPOLICY, std::uint32_t{1});
    append_attr(inet, IFLA_INET_CONF, conf);
    append_attr(spec, AF_INET, inet);
    msg.put_attr(IFLA_AF_SPEC, spec);
  }
  return msg.finish();
}

ike::Bytes build_delete_link(std::uint32_t index) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = static_cast<int>(index);
  MessageBuilder msg(RTM_DELLINK, kRequest);
  msg.put_header(ifi);
  return msg.finish();
}

ike::Bytes build_get_link(const std::string& name) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  MessageBuilder msg(RTM_GETLINK, kRequest);
  msg.put_header(ifi);
  msg.put_attr(IFLA_IFNAME, text(name));
  return msg.finish();
}

ike::Bytes build_dump_links() {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  MessageBuilder msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
  msg.put_header(ifi);
  return msg.finish();
}

std::optional<LinkInfo> parse_link(ike::ByteView payload) {
  auto ifi = read_struct<ifinfomsg>(payload);
  auto attrs = Attributes::parse(payload, sizeof(ifinfomsg));
  if (!ifi || !attrs || ifi->ifi_index <= 0) return std::nullopt;
  LinkInfo out;
  out.index = static_cast<std::uint32_t>(ifi->ifi_index);
  out.flags = ifi->ifi_flags;
  out.name = string_attr(*attrs, IFLA_IFNAME);
  if (out.name.empty()) return std::nullopt;
  out.mtu = u32_attr(*attrs, IFLA_MTU).value_or(0);
  if (auto info = attrs->find(IFLA_LINKINFO)) parse_link_info(*info, out);
  return out;
}

}  // namespace kite::xfrm
