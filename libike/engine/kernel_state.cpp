#include "libike/engine/kernel_state.hpp"

#include <algorithm>

namespace ike {
namespace {

// The policy triple of one selector pair (local, remote) in tunnel mode.
std::vector<Policy> triple(const SpdMapping& m, const IpAddress& local, const IpAddress& remote,
                           std::uint32_t reqid, bool trap, const std::string& tunnel) {
  Policy out{{m.local, m.remote, Direction::Out, 0, 0}, local, remote, reqid, 0, trap, tunnel};
  Policy in{{m.remote, m.local, Direction::In, 0, 0}, remote, local, reqid, 0, trap, tunnel};
  Policy fwd{{m.remote, m.local, Direction::Fwd, 0, 0}, remote, local, reqid, 0, trap, tunnel};
  return {out, in, fwd};
}

EspSa esp_sa(const NegotiatedChild& c, bool inbound, const std::string& tunnel) {
  EspSa sa;
  sa.id = inbound ? SaId{c.local, c.spi_in} : SaId{c.remote, c.spi_out};
  sa.src = inbound ? c.remote : c.local;
  sa.reqid = c.reqid;
  sa.inbound = inbound;
  sa.encryption = c.encryption;
  sa.encryption_key = inbound ? c.encr_key_in : c.encr_key_out;
  sa.integrity = c.integrity;
  sa.integrity_key = inbound ? c.integ_key_in : c.integ_key_out;
  sa.esn = c.esn;
  // c.encap is from our point of view (src = our port); inbound packets
  // come from the peer's port to ours.
  if (c.encap) sa.encap = inbound ? UdpEncap{c.encap->dst_port, c.encap->src_port} : *c.encap;
  sa.lifetime = c.lifetime;
  if (c.selectors.size() == 1) {
    const auto& m = c.selectors.front();
    sa.selector_src = inbound ? m.remote : m.local;
    sa.selector_dst = inbound ? m.local : m.remote;
  }
  sa.tunnel = tunnel;
  return sa;
}

}  // namespace

Status KernelState::install_traps(const std::vector<SpdMapping>& mappings,
                                  const std::vector<std::uint32_t>& reqids, const IpAddress& local,
                                  const IpAddress& remote) {
  for (std::size_t i = 0; i < mappings.size(); ++i) {
    for (auto& p : bound(triple(mappings[i], local, remote, reqids.at(i), true, tunnel_))) {
      if (auto st = kernel_.add_policy(p); !st) {
        remove_traps();
        return st;
      }
      traps_.push_back(p);
    }
  }
  return {};
}

void KernelState::remove_traps() {
  for (const auto& t : traps_)
    if (!find_ref(t.id)) (void)kernel_.delete_policy(t.id);
  traps_.clear();
}

std::vector<Policy> KernelState::policies_for(const NegotiatedChild& c) const {
  std::vector<Policy> out;
  for (const auto& m : c.selectors)
    for (auto& p : bound(triple(m, c.local, c.remote, c.reqid, false, tunnel_))) out.push_back(p);
  return out;
}

// Route mode: with an xfrm interface the kernel matches SAs and policies by
// if_id (XFRMA_IF_ID); a VTI looks both up with its key as the packet mark
// (ip_vti.c: okey on output, ikey on input and for the inbound policy
// check), so SAs and all three policies carry mark = key (mask ~0).
std::vector<Policy> KernelState::bound(std::vector<Policy> policies) const {
  for (auto& p : policies) {
    p.id.if_id = if_id_;
    p.id.mark = mark_;
  }
  return policies;
}

EspSa KernelState::bound(EspSa sa) const {
  sa.if_id = if_id_;
  sa.mark = mark_;
  return sa;
}

KernelState::PolicyRef* KernelState::find_ref(const PolicyId& id) {
  for (auto& r : refs_)
    if (r.policy.id == id) return &r;
  return nullptr;
}

const Policy* KernelState::find_trap(const PolicyId& id) const {
  for (const auto& t : traps_)
    if (t.id == id) return &t;
  return nullptr;
}

// Adds the policies not yet referenced (an existing one for the same
// selector already points at this mapping's reqid) and counts users.
Status KernelState::add_policies(const std::vector<Policy>& wanted, std::vector<PolicyId>& added) {
  for (const auto& p : wanted) {
    if (auto* ref = find_ref(p.id)) {
      ++ref->users;
      added.push_back(p.id);
      continue;
    }
    if (auto st = kernel_.add_policy(p); !st) return st;
    refs_.push_back({p, 1});
    added.push_back(p.id);
  }
  return {};
}

void KernelState::release_policy(const PolicyId& id) {
  auto* ref = find_ref(id);
  if (!ref || --ref->users > 0) return;
  std::erase_if(refs_, [&](const PolicyRef& r) { return r.policy.id == id; });
  if (const auto* trap = find_trap(id))
    (void)kernel_.add_policy(*trap);  // back to waiting for traffic
  else
    (void)kernel_.delete_policy(id);
}

Status KernelState::install_child(const NegotiatedChild& c) {
  auto in = bound(esp_sa(c, true, tunnel_));
  auto out = bound(esp_sa(c, false, tunnel_));
  if (auto st = kernel_.add_sa(in); !st) {
    release_spi(c.spi_in);
    return st;
  }
  if (!c.defer_outbound) {
    if (auto st = kernel_.add_sa(out); !st) {
      (void)kernel_.delete_sa(in.id);
      return st;
    }
  }
  std::vector<PolicyId> added;
  if (auto st = add_policies(policies_for(c), added); !st) {
    for (const auto& id : added) release_policy(id);
    if (!c.defer_outbound) (void)kernel_.delete_sa(out.id);
    (void)kernel_.delete_sa(in.id);
    return st;
  }
  Installed record{c.spi_in, in.id, out.id, std::move(added), std::nullopt};
  if (c.defer_outbound) record.pending_out = std::move(out);
  children_.push_back(std::move(record));
  return {};
}

Status KernelState::install_outbound(std::uint32_t spi_in) {
  for (auto& c : children_) {
    if (c.spi_in != spi_in || !c.pending_out) continue;
    auto st = kernel_.add_sa(*c.pending_out);
    c.pending_out.reset();  // once: a failure leaves the old pair in use until it goes
    return st;
  }
  return {};
}

void KernelState::remove_child(std::uint32_t spi_in) {
  auto it = std::find_if(children_.begin(), children_.end(),
                         [&](const Installed& i) { return i.spi_in == spi_in; });
  if (it == children_.end()) return;
  // Policies first: no moment where a policy points at a missing SA.
  for (const auto& id : it->policies) release_policy(id);
  if (!it->pending_out) (void)kernel_.delete_sa(it->out);
  (void)kernel_.delete_sa(it->in);
  children_.erase(it);
}

void KernelState::release_spi(std::uint32_t spi_in) { (void)kernel_.delete_sa({local_, spi_in}); }

void KernelState::remove_all() {
  while (!children_.empty()) remove_child(children_.back().spi_in);
  remove_traps();
}

std::optional<KernelState::Traffic> KernelState::traffic(std::uint32_t spi_in) const {
  for (const auto& c : children_) {
    if (c.spi_in != spi_in) continue;
    auto in = kernel_.query_sa(c.in);
    auto out = kernel_.query_sa(c.out);
    if (!in || !out) return std::nullopt;
    return Traffic{*in, *out};
  }
  return std::nullopt;
}

std::optional<std::uint64_t> KernelState::inbound_packets(std::uint32_t spi_in) const {
  for (const auto& c : children_) {
    if (c.spi_in != spi_in) continue;
    auto in = kernel_.query_sa(c.in);
    if (!in) return std::nullopt;
    return in->packets;
  }
  return std::nullopt;
}

}  // namespace ike
