// libreswan (4.x) ipsec.conf and ipsec.secrets for the customer gateway,
// in one text: left is the customer gateway, right is kited. One conn per
// subnet on kited's side, its peer subnets as leftsubnets={...} (libreswan
// makes one SA per pair, as kited does); several conns share the IKE SA.
#include <algorithm>

#include <fmt/format.h>

#include "export/exporter.hpp"
#include "export/peer_view.hpp"
#include "export/proposals.hpp"

namespace kite::exporter {
namespace {

using Lines = std::string;

// The subnets of this side against one subnet of kited's, in config order.
struct ConnGroup {
  ike::Subnet right;
  std::vector<ike::Subnet> left;
};

std::vector<ConnGroup> groups_of(const PeerView& v) {
  std::vector<ConnGroup> out;
  for (const auto& p : v.pairs) {
    auto it = std::find_if(out.begin(), out.end(), [&](const ConnGroup& g) { return g.right == p.remote; });
    if (it == out.end()) it = out.insert(out.end(), ConnGroup{p.remote, {}});
    it->left.push_back(p.local);
  }
  return out;
}

std::string_view auto_of(PeerRole role) {
  switch (role) {
    case PeerRole::Responder: return "add";
    case PeerRole::Initiator: return "start";
    case PeerRole::OnDemand: return "ondemand";
  }
  return "add";
}

std::string_view dpd_action(PeerRole role) {
  switch (role) {
    case PeerRole::Responder: return "clear";
    case PeerRole::Initiator: return "restart";
    case PeerRole::OnDemand: return "hold";
  }
  return "clear";
}

std::string_view role_comment(PeerRole role) {
  switch (role) {
    case PeerRole::Responder:
      return "# kited initiates this tunnel and keeps it up (negotiation: active): this\n"
             "# side only responds (auto=add) and leaves restarts to kited.\n";
    case PeerRole::Initiator:
      return "# kited only responds (negotiation: passive): this side brings the tunnel\n"
             "# up (auto=start) and restarts it after a dead peer (dpdaction=restart).\n";
    case PeerRole::OnDemand:
      return "# kited negotiates on the first packet (negotiation: traffic); so does this\n"
             "# side (auto=ondemand).\n";
  }
  return "";
}

void header(Lines& out, const PeerView& v) {
  const auto& t = *v.tunnel;
  fmt::format_to(std::back_inserter(out),
                 "# libreswan ipsec.conf and ipsec.secrets for the customer gateway's side of\n"
                 "# kite tunnel \"{0}\":\n"
                 "#   left:  customer gateway {1}, {2} (this side)\n"
                 "#   right: kite gateway {3}, {4} (kited)\n"
                 "# Written by `kitectl export`. Two files in one: up to the ipsec.secrets\n"
                 "# line below it goes to /etc/ipsec.d/{0}.conf, the rest to\n"
                 "# /etc/ipsec.d/{0}.secrets; then `ipsec restart` (or `ipsec auto --add`).\n"
                 "#\n"
                 "# THIS TEXT CONTAINS THE TUNNEL'S PRE-SHARED KEY (the ipsec.secrets part):\n"
                 "# keep that file readable by root only (chmod 600), send it only over a\n"
                 "# protected channel, and delete copies once it is installed.\n"
                 "#\n",
                 t.name, comment_text(t.customer_gateway), v.local_address.to_string(),
                 comment_text(v.gateway_name), v.remote_address.to_string());
  out += role_comment(v.role);
  if (t.mode == ike::TunnelMode::Route)
    fmt::format_to(std::back_inserter(out),
                   "#\n# kited's side is route-based (interface {}): its selectors are wildcards\n"
                   "# and it routes the leftsubnets into the tunnel. rightsubnet is any\n"
                   "# address behind kited, so everything the left subnets send leaves through\n"
                   "# the tunnel: narrow it to the networks behind kited if that is too much.\n",
                   comment_text(t.route ? t.route->interface : std::string("?")));
  out += "\n";
}

void endpoints(Lines& out, const PeerView& v, const ConnGroup& g) {
  fmt::format_to(std::back_inserter(out), "\tleft={}\n\tleftid={}\n", v.local_address.to_string(),
                 id_text(v.local_id));
  std::vector<std::string> left;
  for (const auto& s : g.left) left.push_back(s.to_string());
  if (left.size() == 1)
    fmt::format_to(std::back_inserter(out), "\tleftsubnet={}\n", left.front());
  else
    fmt::format_to(std::back_inserter(out), "\tleftsubnets={{{}}}\n", fmt::join(left, ","));
  fmt::format_to(std::back_inserter(out), "\tright={}\n\trightid={}\n\trightsubnet={}\n",
                 v.remote_address.to_string(), id_text(v.remote_id), g.right.to_string());
  if (v.remote_ike_port != 500)
    fmt::format_to(std::back_inserter(out), "\trightikeport={}\n", v.remote_ike_port);
  if (v.remote_nat_t_port != 4500)
    fmt::format_to(std::back_inserter(out),
                   "\t# kited takes NAT-T on port {}, not 4500: keep this path free of NAT.\n",
                   v.remote_nat_t_port);
}

void timers(Lines& out, const PeerView& v) {
  const auto& t = *v.tunnel;
  fmt::format_to(std::back_inserter(out), "\tikelifetime={}\n\tsalifetime={}\n",
                 seconds(t.ike.lifetime), seconds(t.ipsec.lifetime));
  // The default margin (9 min, up to twice that with rekeyfuzz) must stay
  // below the lifetimes.
  const auto shortest = std::min(t.ike.lifetime, t.ipsec.lifetime);
  if (shortest < ike::Seconds(1080))
    fmt::format_to(std::back_inserter(out), "\trekeymargin={}\n", seconds(shortest / 10));
  if (t.ipsec.lifetime_kb != 0)
    fmt::format_to(std::back_inserter(out),
                   "\t# kited also rekeys after {} KiB; libreswan 4.7 and later can match that\n"
                   "\t# with ipsec-max-bytes={}KiB (it is not negotiated, so this is optional).\n",
                   t.ipsec.lifetime_kb, t.ipsec.lifetime_kb);
  if (!t.dpd.enabled) {
    out += "\t# DPD is off on kited's side.\n";
    return;
  }
  fmt::format_to(std::back_inserter(out), "\tdpddelay={}\n\tdpdtimeout={}\n\tdpdaction={}\n",
                 seconds(t.dpd.timeout / 3), seconds(t.dpd.timeout), dpd_action(v.role));
}

struct Proposals {
  std::string ike, esp;
  bool trimmed = false;  // aggressive mode: only the first of several kept
};

void conn(Lines& out, const PeerView& v, const ConnGroup& g, const std::string& name,
          const Proposals& p) {
  const auto& t = *v.tunnel;
  const bool v1 = t.version == ike::IkeVersion::V1;
  fmt::format_to(std::back_inserter(out), "conn {}\n", name);
  endpoints(out, v, g);
  fmt::format_to(std::back_inserter(out), "\tauthby=secret\n\tikev2={}\n", v1 ? "no" : "insist");
  if (v1 && t.exchange_mode == ike::ExchangeMode::Aggressive) out += "\taggressive=yes\n";
  if (p.trimmed)
    out += "\t# Aggressive mode takes exactly one ike= and one esp= proposal: kited's\n"
           "\t# first choice.\n";
  fmt::format_to(std::back_inserter(out), "\tike={}\n\tesp={}\n\tpfs={}\n", p.ike, p.esp,
                 t.ipsec.pfs ? "yes" : "no");
  timers(out, v);
  fmt::format_to(std::back_inserter(out), "\tauto={}\n\n", auto_of(v.role));
}

void secrets(Lines& out, const PeerView& v) {
  const auto& t = *v.tunnel;
  // libreswan's quoted strings have no escapes: a key with a '"' goes as hex.
  std::string secret = psk_hex(t.psk);
  if (auto text = psk_text(t.psk); text && text->find('"') == std::string::npos)
    secret = "\"" + *text + "\"";
  fmt::format_to(std::back_inserter(out), "# ---- ipsec.secrets: /etc/ipsec.d/{}.secrets (chmod 600) ----\n",
                 t.name);
  if (secret.front() != '"') out += "# In hex: as text it would not read back unchanged.\n";
  fmt::format_to(std::back_inserter(out), "{} {} : PSK {}\n", id_text(v.local_id),
                 id_text(v.remote_id), secret);
}

ike::Result<Proposals> proposals_of(const ike::TunnelConfig& t) {
  auto ike = ike_suites(Dialect::Libreswan, t.ike, t.version);
  if (!ike) return ike::fail(ike.error());
  auto esp = esp_suites(Dialect::Libreswan, t.ipsec, t.version);
  if (!esp) return ike::fail(esp.error());
  Proposals p;
  if (t.version == ike::IkeVersion::V1 && t.exchange_mode == ike::ExchangeMode::Aggressive) {
    p.trimmed = ike->size() > 1 || esp->size() > 1;
    ike->resize(1);
    esp->resize(1);
  }
  p.ike = libreswan_proposals(*ike);
  p.esp = libreswan_proposals(*esp);
  return p;
}

}  // namespace

ike::Result<std::string> to_libreswan(const ike::TunnelConfig& tunnel, const ike::GatewayConfig& gateway) {
  auto view = mirror(tunnel, gateway);
  if (!view) return ike::fail(view.error());
  auto proposals = proposals_of(tunnel);
  if (!proposals)
    return ike::fail(fmt::format("tunnel '{}': {}", tunnel.name, proposals.error().message));
  std::string out;
  header(out, *view);
  const auto groups = groups_of(*view);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string name = groups.size() == 1 ? tunnel.name : fmt::format("{}-{}", tunnel.name, i + 1);
    conn(out, *view, groups[i], name, *proposals);
  }
  secrets(out, *view);
  return out;
}

}  // namespace kite::exporter
