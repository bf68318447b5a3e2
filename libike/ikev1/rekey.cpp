// Quick Mode rekeying (issue 6). At an IPsec SA pair's soft lifetime the
// ISAKMP SA runs a new Quick Mode for its mapping; RFC 2409 has no
// REKEY_SA, so the new pair simply joins the mapping (same reqid, same
// policies). Make-before-break: our new inbound SA is in as soon as QM2
// arrives, and the responder starts sending on the new pair once QM3
// reaches it; our new outbound SA follows half a retransmission timeout
// later (QM3 has surely arrived then, barring loss), and only then the old
// pair goes, with a DELETE (RFC 2408 §3.15) the peer follows.
//
// Both ends may rekey one pair at once, each answering the other's Quick
// Mode: two new pairs. RFC 2409 says nothing; kite applies RFC 7296
// §2.8.1's rule: the pair from the Quick Mode holding the lowest of the
// four nonces is deleted by the end that initiated it; the other end
// deletes the old pair as usual. Each end decides once it holds both.
#include <fmt/format.h>

#include "libike/common/writer.hpp"
#include "libike/ikev1/ikev1_sa.hpp"
#include "libike/ikev2/collision.hpp"

namespace ike::v1 {

void Ikev1Sa::rekey_child(Ikev1Child& child, TimePoint now) {
  if (state != SaState::Established || child.rekeying || child.outbound_at || child.gone_at) return;
  // A newer working pair of the mapping exists already (a DELETE lost on
  // the way, a collision one end did not see): this one is surplus and
  // goes instead of being rekeyed, so extra pairs never outlive a lifetime.
  for (const auto& other : child_sas) {
    if (&other == &child || other.mapping_index != child.mapping_index || other.rekeying || other.outbound_at ||
        other.gone_at || other.redundant || other.established <= child.established)
      continue;
    event(TunnelEvent::Kind::Info, fmt::format("IPsec SA {:08x}/{:08x} is surplus ({:08x} is newer), deleting it",
                                               child.spi_in, child.spi_out, other.spi_in));
    Bytes b;
    Writer(b).u32(child.spi_in);
    send_informational({DeletePayload{kDoiIpsec, ProtocolId::Esp, 4, {std::move(b)}}});
    child.gone_at = now + owner.options().retransmit_timeout;
    return;
  }
  if (heir_negotiating && !heir_spi) {
    child.rekey_deferred = true;  // phase1_rekey.cpp: the heir rekeys it
    event(TunnelEvent::Kind::Debug, fmt::format("IPsec SA {:08x}/{:08x}: rekey after the new phase 1",
                                                child.spi_in, child.spi_out));
    return;
  }
  child.rekeying = true;
  event(TunnelEvent::Kind::Info, fmt::format("rekeying IPsec SA {:08x}/{:08x}", child.spi_in, child.spi_out));
  quick_mode_start(*this, child.mapping_index, now, child.spi_in);
}

std::chrono::milliseconds Ikev1Sa::outbound_delay() const { return owner.options().retransmit_timeout / 2; }

// A held-back outbound SA goes in (once).
void Ikev1Sa::promote(Ikev1Child& c) {
  if (!c.outbound_at) return;
  c.outbound_at.reset();
  if (c.redundant) return;  // the peer deletes it
  if (auto st = owner.install_outbound(c.spi_in); !st)
    event(TunnelEvent::Kind::Warning, fmt::format("IPsec SA {:08x}/{:08x}: outbound SA: {}", c.spi_in, c.spi_out,
                                                  st.error().message));
}

// Our rekey's pair gets its outbound SA, then the old pair goes. A pair we
// answered the peer's rekey with gets its outbound SA when the old pair
// goes (the peer's DELETE, remove_child) or, failing that, at its
// fallback time.
void Ikev1Sa::finish_rekey(std::uint32_t spi_in, TimePoint now) {
  auto it = std::find_if(child_sas.begin(), child_sas.end(), [&](const Ikev1Child& c) { return c.spi_in == spi_in; });
  if (it == child_sas.end() || !it->outbound_at) return;
  if (!it->we_initiated) return promote(*it);
  // A rekey collision settled first (ours may be the one that goes).
  for (auto mapping = it->mapping_index; settle_rivals(mapping, now);) {
  }
  it = std::find_if(child_sas.begin(), child_sas.end(), [&](const Ikev1Child& c) { return c.spi_in == spi_in; });
  if (it == child_sas.end()) return;
  auto replaced = it->replaces;
  auto spi_out = it->spi_out;
  promote(*it);
  if (!replaced) return;
  auto old = std::find_if(child_sas.begin(), child_sas.end(), [&](const Ikev1Child& c) { return c.spi_in == *replaced; });
  if (old == child_sas.end()) return;
  event(TunnelEvent::Kind::Rekeyed, fmt::format("IPsec SA {:08x}/{:08x} rekeyed, now {:08x}/{:08x}", old->spi_in,
                                                old->spi_out, spi_in, spi_out));
  Bytes b;
  Writer(b).u32(old->spi_in);
  send_informational({DeletePayload{kDoiIpsec, ProtocolId::Esp, 4, {std::move(b)}}});
  // The peer keeps sending on the old pair until our DELETE arrives: its
  // SAs stay a retransmission timeout longer (our outbound traffic uses the
  // newer SA already: the kernel picks the newest).
  old->gone_at = now + owner.options().retransmit_timeout;
}

void Ikev1Sa::rekey_timers(TimePoint now) {
  std::vector<std::uint32_t> due, gone;
  for (const auto& c : child_sas) {
    if (c.outbound_at && now >= *c.outbound_at) due.push_back(c.spi_in);
    if (c.gone_at && now >= *c.gone_at) gone.push_back(c.spi_in);
  }
  for (auto spi : due) finish_rekey(spi, now);
  for (auto spi : gone) remove_child(spi);
}

std::optional<std::uint32_t> Ikev1Sa::replaced_by_peer(std::size_t mapping) const {
  const Ikev1Child* oldest = nullptr;
  for (const auto& c : child_sas) {
    if (c.mapping_index != mapping || c.outbound_at || c.gone_at) continue;
    if (c.rekeying) return c.spi_in;
    if (!oldest || c.established < oldest->established) oldest = &c;
  }
  return oldest ? std::optional<std::uint32_t>(oldest->spi_in) : std::nullopt;
}

// Rivals: our rekey's pair and the peer's, both replacing the same pair.
bool Ikev1Sa::settle_rivals(std::size_t mapping, TimePoint) {
  for (const auto& ours : child_sas) {
    if (!ours.we_initiated || ours.mapping_index != mapping || !ours.replaces) continue;
    for (auto& theirs : child_sas) {
      if (theirs.we_initiated || theirs.mapping_index != mapping || theirs.replaces != ours.replaces) continue;
      if (!v2::nonce_lower(ours.low_nonce, theirs.low_nonce)) {
        theirs.redundant = true;  // the peer deletes it
        continue;
      }
      // Ours holds the lowest nonce: we delete it; the peer's stays.
      auto spi = ours.spi_in;
      event(TunnelEvent::Kind::Info, fmt::format("IPsec SA rekey collision: ours ({:08x}) is redundant, deleting it", spi));
      // The old pair stays marked as rekeying: the peer deletes it.
      Bytes b;
      Writer(b).u32(spi);
      send_informational({DeletePayload{kDoiIpsec, ProtocolId::Esp, 4, {std::move(b)}}});
      remove_child(spi);
      return true;
    }
  }
  return false;
}

// A rekey's Quick Mode failed: the old pair stays until its hard expiry.
void Ikev1Sa::rekey_failed(std::uint32_t replaced) {
  for (auto& c : child_sas)
    if (c.spi_in == replaced) c.rekeying = false;
}

}  // namespace ike::v1
