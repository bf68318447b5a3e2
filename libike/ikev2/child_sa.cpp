#include "libike/ikev2/child_sa.hpp"

namespace ike::v2 {
namespace {

// soft = 90% - jitter (0..5%) of hard; for short lifetimes (whole
// seconds, as XFRM counts them) at least 1 before hard, jitter 0..1.
std::uint64_t soft_of(std::uint64_t hard, Random& random) {
  if (hard < 2) return hard;
  auto soft = hard - std::max<std::uint64_t>(1, hard / 10);
  auto span = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::max<std::uint64_t>(1, hard / 20), 0xffffffffu));
  return soft > span ? soft - random.uniform(span + 1) : soft;
}

}  // namespace

SaLifetime child_lifetime(const EspProposalConfig& cfg, Random& random) {
  SaLifetime l;
  l.hard_seconds = static_cast<std::uint64_t>(cfg.lifetime.count());
  l.soft_seconds = soft_of(l.hard_seconds, random);
  l.hard_bytes = cfg.lifetime_kb * 1024;
  l.soft_bytes = soft_of(l.hard_bytes, random);
  return l;
}

NegotiatedChild to_negotiated(ChildMaterial m, const IpAddress& local, const IpAddress& remote,
                              std::optional<UdpEncap> encap, SaLifetime lifetime) {
  NegotiatedChild c;
  c.spi_in = m.spi_in;
  c.spi_out = m.spi_out;
  c.reqid = m.reqid;
  c.local = local;
  c.remote = remote;
  c.encap = encap;
  c.encryption = m.suite.encr;
  c.integrity = m.suite.integ;
  c.pfs_group = m.suite.dh;
  c.esn = m.suite.esn;
  // RFC 7296 §2.17: initiator->responder keys come first in KEYMAT.
  auto& k = m.keys;
  c.encr_key_out = std::move(m.we_initiated ? k.encr_ir : k.encr_ri);
  c.integ_key_out = std::move(m.we_initiated ? k.integ_ir : k.integ_ri);
  c.encr_key_in = std::move(m.we_initiated ? k.encr_ri : k.encr_ir);
  c.integ_key_in = std::move(m.we_initiated ? k.integ_ri : k.integ_ir);
  c.selectors = std::move(m.selectors);
  c.lifetime = lifetime;
  return c;
}

ChildView to_view(const ChildSa& child) {
  ChildView v;
  v.spi_in = child.spi_in;
  v.spi_out = child.spi_out;
  v.selectors = child.selectors;
  v.encryption = child.suite.encr;
  v.integrity = child.suite.integ;
  v.pfs_group = child.suite.dh;
  v.udp_encap = child.udp_encap;
  v.established = child.established;
  v.lifetime = child.lifetime;
  return v;
}

}  // namespace ike::v2
