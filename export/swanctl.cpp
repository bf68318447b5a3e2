// swanctl.conf for the customer gateway (strongSwan 5.x, vici): one
// connection named after the tunnel, one child per kite SPD mapping (kited
// negotiates a CHILD_SA per mapping, and IKEv1 carries one selector pair
// per SA) or, in route mode, one wildcard child per family bound to an
// xfrm interface, and the pre-shared key in `secrets`.
#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "export/exporter.hpp"
#include "export/peer_view.hpp"
#include "export/proposals.hpp"

namespace kite::exporter {
namespace {

using Lines = std::string;

struct Child {
  std::string name;
  std::vector<std::string> local_ts, remote_ts;
};

// Route mode: kited negotiates 0.0.0.0/0 <-> 0.0.0.0/0 (and ::/0 for IPv6
// routes), one CHILD_SA per family, and routes into its interface; this
// side does the same, bound to an xfrm interface by if_id (route_comment).
std::vector<Child> children_of(const PeerView& v) {
  std::vector<Child> out;
  const auto& t = *v.tunnel;
  if (t.mode == ike::TunnelMode::Route) {
    for (bool v6 : {false, true}) {
      const bool present = std::any_of(v.pairs.begin(), v.pairs.end(),
                                       [&](const ike::SpdMapping& p) { return p.local.is_v6() == v6; });
      if (!present) continue;
      const auto any = any_of_family(v6).to_string();
      out.push_back({v6 ? "net-v6" : "net", {any}, {any}});
    }
    return out;
  }
  for (std::size_t i = 0; i < v.pairs.size(); ++i) {
    const auto& p = v.pairs[i];
    std::string name = v.pairs.size() == 1 ? "net" : fmt::format("net-{}", i + 1);
    out.push_back({std::move(name), {p.local.to_string()}, {p.remote.to_string()}});
  }
  return out;
}

// Route mode: what kited routes into its interface (this side's networks).
std::vector<std::string> routed(const PeerView& v) {
  std::vector<std::string> out;
  if (v.tunnel->route)
    for (const auto& s : v.tunnel->route->remote) out.push_back(s.to_string());
  return out;
}

std::string_view start_action(PeerRole role) {
  switch (role) {
    case PeerRole::Responder: return "none";
    case PeerRole::Initiator: return "start";
    case PeerRole::OnDemand: return "trap";
  }
  return "none";
}

// Who restarts after a dead peer: whoever brings the tunnel up. With
// kited active that is kited, so this side only clears.
std::string_view dpd_action(PeerRole role) {
  switch (role) {
    case PeerRole::Responder: return "clear";
    case PeerRole::Initiator: return "restart";
    case PeerRole::OnDemand: return "trap";
  }
  return "clear";
}

std::string_view role_comment(PeerRole role) {
  switch (role) {
    case PeerRole::Responder:
      return "# kited initiates this tunnel and keeps it up (negotiation: active): this\n"
             "# side responds (start_action = none) and leaves restarts to kited.\n";
    case PeerRole::Initiator:
      return "# kited only responds (negotiation: passive): this side brings the tunnel\n"
             "# up when loaded (start_action = start), keeps trying (keyingtries = 0) and\n"
             "# restarts it after a dead peer (dpd_action = restart).\n";
    case PeerRole::OnDemand:
      return "# kited negotiates on the first packet (negotiation: traffic); so does this\n"
             "# side (start_action = trap).\n";
  }
  return "";
}

// The xfrm interface id this side uses: any non-zero number unique on the
// host; derived from the tunnel name (FNV-1a) so that several exports
// rarely collide, and stable across exports.
std::uint32_t peer_if_id(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
  return (h % 0xfffffffeu) + 1;
}

std::string peer_interface(const ike::TunnelConfig& t) {
  return t.route && !t.route->interface.empty() ? t.route->interface : std::string("kite0");
}

void route_comment(Lines& out, const PeerView& v) {
  const auto& t = *v.tunnel;
  const auto id = peer_if_id(t.name);
  const auto dev = peer_interface(t);
  fmt::format_to(std::back_inserter(out),
                 "#\n# kited's side is route-based (interface {0}): its traffic selectors are\n"
                 "# 0.0.0.0/0 <-> 0.0.0.0/0 and it routes {1} into the tunnel.\n"
                 "# This side is route-based too: the CHILD_SAs below are bound to an xfrm\n"
                 "# interface by if_id {2:#x} (if_id_in/if_id_out), so they only carry what\n"
                 "# is routed into it. Before loading, as root:\n"
                 "#   ip link add {0} type xfrm if_id {2:#x}\n"
                 "#   ip link set {0} up mtu 1400\n"
                 "#   ip route add <the networks behind kited> dev {0}\n"
                 "# and set charon.install_routes = no (strongswan.conf): the routes are\n"
                 "# yours, a route for 0.0.0.0/0 would take every packet.\n"
                 "# A kernel without xfrm interfaces (no xfrm_interface module) can use a VTI:\n"
                 "# replace if_id_in/if_id_out by mark_in = mark_out = {2:#x} and run\n"
                 "#   ip link add {0} type vti local {3} remote {4} ikey {2:#x} okey {2:#x}\n"
                 "#   sysctl -w net.ipv4.conf.{0}.disable_policy=1\n",
                 comment_text(dev), fmt::join(routed(v), ", "), id, v.local_address.to_string(),
                 v.remote_address.to_string());
}

void header(Lines& out, const PeerView& v) {
  const auto& t = *v.tunnel;
  fmt::format_to(std::back_inserter(out),
                 "# strongSwan swanctl.conf for the customer gateway's side of kite tunnel\n"
                 "# \"{0}\":\n"
                 "#   this side:  customer gateway {1}, {2}\n"
                 "#   other side: kite gateway {3}, {4} (kited)\n"
                 "# Written by `kitectl export`: install it as /etc/swanctl/conf.d/{0}.conf\n"
                 "# and run `swanctl --load-all`.\n"
                 "#\n"
                 "# THIS FILE CONTAINS THE TUNNEL'S PRE-SHARED KEY (section secrets, at the\n"
                 "# end): keep it readable by root only (chmod 600), send it only over a\n"
                 "# protected channel, and delete copies once it is installed.\n"
                 "#\n",
                 t.name, comment_text(t.customer_gateway), v.local_address.to_string(),
                 comment_text(v.gateway_name), v.remote_address.to_string());
  out += role_comment(v.role);
  if (t.mode == ike::TunnelMode::Route) route_comment(out, v);
  out += "\n";
}

void ike_timers(Lines& out, const PeerView& v) {
  const auto& t = *v.tunnel;
  const auto life = t.ike.lifetime;
  // IKEv1 has no IKE SA rekeying, strongSwan reauthenticates instead.
  fmt::format_to(std::back_inserter(out),
                 "    # kited's IKE SA lifetime is {}: renew at 90 %, give up at 100 %.\n"
                 "    {} = {}\n    over_time = {}\n",
                 seconds(life), t.version == ike::IkeVersion::V2 ? "rekey_time" : "reauth_time",
                 seconds(rekey_at(life)), seconds(life - rekey_at(life)));
  if (!t.dpd.enabled) {
    out += "    # DPD is off on kited's side.\n";
    return;
  }
  fmt::format_to(std::back_inserter(out),
                 "    # kited declares a silent peer dead after {}.\n    dpd_delay = {}\n",
                 seconds(t.dpd.timeout), seconds(t.dpd.timeout / 3));
  if (t.version == ike::IkeVersion::V1)
    fmt::format_to(std::back_inserter(out), "    dpd_timeout = {}\n", seconds(t.dpd.timeout));
}

void auth_round(Lines& out, std::string_view side, const ike::Identity& id) {
  fmt::format_to(std::back_inserter(out), "    {} {{\n      auth = psk\n      id = {}\n    }}\n",
                 side, id_text(id));
}

void child(Lines& out, const PeerView& v, const Child& c, const std::string& esp) {
  const auto& ipsec = v.tunnel->ipsec;
  fmt::format_to(std::back_inserter(out),
                 "      {} {{\n        local_ts = {}\n        remote_ts = {}\n"
                 "        esp_proposals = {}\n        rekey_time = {}\n        life_time = {}\n",
                 c.name, fmt::join(c.local_ts, ", "), fmt::join(c.remote_ts, ", "), esp,
                 seconds(rekey_at(ipsec.lifetime)), seconds(ipsec.lifetime));
  if (ipsec.lifetime_kb != 0) {
    const std::uint64_t life = ipsec.lifetime_kb * 1024;
    fmt::format_to(std::back_inserter(out), "        rekey_bytes = {}\n        life_bytes = {}\n",
                   life - life / 10, life);
  }
  if (v.tunnel->mode == ike::TunnelMode::Route)
    fmt::format_to(std::back_inserter(out), "        if_id_in = {0:#x}\n        if_id_out = {0:#x}\n",
                   peer_if_id(v.tunnel->name));
  if (v.tunnel->dpd.enabled)
    fmt::format_to(std::back_inserter(out), "        dpd_action = {}\n", dpd_action(v.role));
  fmt::format_to(std::back_inserter(out), "        start_action = {}\n      }}\n",
                 start_action(v.role));
}

void connection(Lines& out, const PeerView& v, const std::string& ike, const std::string& esp) {
  const auto& t = *v.tunnel;
  const bool v1 = t.version == ike::IkeVersion::V1;
  fmt::format_to(std::back_inserter(out),
                 "connections {{\n  {} {{\n    version = {}\n", section_name(t.name), v1 ? 1 : 2);
  if (v1 && t.exchange_mode == ike::ExchangeMode::Aggressive) out += "    aggressive = yes\n";
  fmt::format_to(std::back_inserter(out), "    local_addrs = {}\n    remote_addrs = {}\n",
                 v.local_address.to_string(), v.remote_address.to_string());
  if (v.remote_ike_port != 500)
    fmt::format_to(std::back_inserter(out), "    remote_port = {}\n", v.remote_ike_port);
  if (v.remote_nat_t_port != 4500)
    fmt::format_to(std::back_inserter(out),
                   "    # kited takes NAT-T on port {}, not 4500: strongSwan cannot follow\n"
                   "    # that, so keep this path free of NAT.\n",
                   v.remote_nat_t_port);
  fmt::format_to(std::back_inserter(out), "    proposals = {}\n", ike);
  ike_timers(out, v);
  if (!v1) out += "    mobike = no\n";
  if (v.role == PeerRole::Initiator) out += "    keyingtries = 0\n";
  auth_round(out, "local", v.local_id);
  auth_round(out, "remote", v.remote_id);
  const auto children = children_of(v);
  out += "    children {\n";
  if (children.size() > 1 && t.mode == ike::TunnelMode::Spd)
    out += "      # One CHILD_SA per kite SPD mapping, as kited negotiates them.\n";
  for (const auto& c : children) child(out, v, c, esp);
  out += "    }\n  }\n}\n\n";
}

void secrets(Lines& out, const PeerView& v) {
  const auto& t = *v.tunnel;
  // Quoted when it reads back unchanged: no quotes or backslashes (the
  // parser's escapes), no 0x/0s prefix (swanctl would decode it as hex or
  // base64); hex otherwise.
  std::string secret = psk_hex(t.psk);
  if (auto text = psk_text(t.psk); text && text->find_first_of("\"\\") == std::string::npos &&
                                   !text->starts_with("0x") && !text->starts_with("0s"))
    secret = "\"" + *text + "\"";
  fmt::format_to(std::back_inserter(out),
                 "secrets {{\n  # The pre-shared key of kite tunnel \"{}\".\n  ike-{} {{\n"
                 "    id-local = {}\n    id-remote = {}\n",
                 t.name, section_name(t.name), id_text(v.local_id), id_text(v.remote_id));
  if (secret.front() != '"') out += "    # In hex: as text it would not read back unchanged.\n";
  fmt::format_to(std::back_inserter(out), "    secret = {}\n  }}\n}}\n", secret);
}

}  // namespace

ike::Result<std::string> to_swanctl(const ike::TunnelConfig& tunnel, const ike::GatewayConfig& gateway) {
  auto in_tunnel = [&](const ike::Error& e) {
    return ike::fail(fmt::format("tunnel '{}': {}", tunnel.name, e.message));
  };
  auto view = mirror(tunnel, gateway);
  if (!view) return ike::fail(view.error());
  auto ike = ike_suites(Dialect::StrongSwan, tunnel.ike, tunnel.version);
  if (!ike) return in_tunnel(ike.error());
  auto esp = esp_suites(Dialect::StrongSwan, tunnel.ipsec, tunnel.version);
  if (!esp) return in_tunnel(esp.error());
  std::string out;
  header(out, *view);
  connection(out, *view, swanctl_proposals(*ike), swanctl_proposals(*esp));
  secrets(out, *view);
  return out;
}

}  // namespace kite::exporter
