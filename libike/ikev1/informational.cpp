// Informational exchanges (RFC 2409 §5.7, RFC 2408 §3.14-3.15): notifies
// and deletes, one-way (no answer). Protected ones carry HASH(1) =
// prf(SKEYID_a, M-ID | N/D), checked by the frame before they get here.
// Plaintext ones are trusted for nothing but ending a phase 1 still in
// progress with the error the peer names (it cannot do more harm than
// dropping our packets would). R-U-THERE (RFC 3706 §5) is answered with
// R-U-THERE-ACK; sending R-U-THERE is dpd.cpp's.
#include <fmt/format.h>

#include "libike/common/reader.hpp"
#include "libike/ikev1/ikev1_sa.hpp"
#include "libike/ikev1/selectors.hpp"

namespace ike::v1 {
namespace {

std::uint32_t spi_value(const Bytes& spi) {
  Reader r(spi);
  return spi.size() == 4 ? r.u32().value_or(0) : 0;
}

// The Quick Mode an error is about: named by the SPI we offered, else the
// oldest we started that is still waiting (peers often send ISAKMP-level
// notifies for Quick Mode failures).
QuickMode* failed_quick_mode(Ikev1Sa& sa, const NotificationPayload& n) {
  QuickMode* oldest = nullptr;
  for (auto& qm : sa.quick_modes) {
    if (!qm->initiator || qm->state != QmState::Sent1) continue;
    if (n.protocol == ProtocolId::Esp && qm->spi_in == spi_value(n.spi)) return qm.get();
    if (!oldest) oldest = qm.get();
  }
  return oldest;
}

std::string error_text(const Ikev1Sa& sa, const NotificationPayload& n) {
  std::string text = fmt::format("peer answered {}", name(n.type));
  if (n.type == NotifyType::NoProposalChosen && sa.state != SaState::Established)
    text += fmt::format(" to our IKE proposal (ours: {})", describe_phase1(sa.config().ike));
  return text;
}

void on_error(Ikev1Sa& sa, const NotificationPayload& n, bool authenticated, TimePoint now) {
  if (sa.state != SaState::Established) {
    auto text = error_text(sa, n);
    return sa.fail(authenticated ? text : text + " (unauthenticated)", now);
  }
  if (!authenticated) return sa.event(TunnelEvent::Kind::Debug, "ignored unauthenticated " + std::string(name(n.type)));
  if (auto* qm = failed_quick_mode(sa, n)) {
    auto text = fmt::format("quick mode {}: {}", to_string(qm->selectors), error_text(sa, n));
    if (n.type == NotifyType::NoProposalChosen)
      text += fmt::format(" (ours: {})", describe_esp(sa.config().ipsec));
    return quick_mode_failed(sa, *qm, text, now);
  }
  // About the ISAKMP SA itself: a DELETE usually follows and ends it
  // with this as the reason.
  sa.peer_error = std::string(name(n.type));
  sa.event(TunnelEvent::Kind::Debug, error_text(sa, n));
}

void on_status(Ikev1Sa& sa, const NotificationPayload& n, TimePoint now) {
  switch (n.type) {
    case NotifyType::RUThere:
      // RFC 3706 §5.3: the ACK echoes the sequence number.
      if (auto seq = dpd_sequence(n))
        sa.send_informational({make_dpd(NotifyType::RUThereAck, concat(sa.cky_i, sa.cky_r), *seq)});
      return;
    case NotifyType::RUThereAck:
      return;  // DPD (dpd.cpp): the frame noted the peer alive already
    case NotifyType::InitialContact:
      // RFC 2407 §4.6.3.3: the peer has no other SA with us; ours are stale.
      if (sa.state == SaState::Established) {
        sa.owner.initial_contact(sa, now);
        sa.drop_adopted(now);
      }
      return;
    default:
      sa.event(TunnelEvent::Kind::Debug, fmt::format("ignored notify {}", name(n.type)));
  }
}

void on_delete(Ikev1Sa& sa, const DeletePayload& d, TimePoint now) {
  if (d.protocol == ProtocolId::Isakmp) {
    auto ours = concat(sa.cky_i, sa.cky_r);
    for (const auto& spi : d.spis) {
      if (spi != ours) continue;
      // After a phase-1 rekey the IPsec SAs outlive the old ISAKMP SA.
      if (sa.heir_spi) sa.hand_over_children(now);
      if (sa.peer_error.empty() && sa.state == SaState::Established) return sa.end({false, "deleted by the peer"}, now);
      return sa.fail("peer rejected the ISAKMP SA" + (sa.peer_error.empty() ? "" : ": " + sa.peer_error), now);
    }
    return;
  }
  if (d.protocol != ProtocolId::Esp) return;
  // RFC 2408 §3.15: the SPIs are the sender's inbound ones, our outbound.
  // Around a phase-1 rekey the pair may sit at our other ISAKMP SA still.
  for (const auto& spi : d.spis) {
    Ikev1Sa* holder = nullptr;
    auto* c = sa.family_child_by_outbound(spi_value(spi), holder);
    if (!c) continue;
    sa.event(TunnelEvent::Kind::Info, fmt::format("IPsec SA {:08x}/{:08x} deleted by the peer", c->spi_in, c->spi_out));
    holder->remove_child(c->spi_in);
  }
}

}  // namespace

void informational_received(Ikev1Sa& sa, const Message& m, bool authenticated, TimePoint now) {
  for (const auto& p : m.payloads) {
    if (sa.state == SaState::Closed) return;
    if (const auto* n = std::get_if<NotificationPayload>(&p)) {
      if (is_error(n->type))
        on_error(sa, *n, authenticated, now);
      else if (authenticated)
        on_status(sa, *n, now);
    } else if (const auto* d = std::get_if<DeletePayload>(&p); d && authenticated) {
      on_delete(sa, *d, now);
    }
  }
}

}  // namespace ike::v1
