// The engine's view of IKEv1: the factories and datagram routing
// (ikev1.hpp).
#include <algorithm>

#include "libike/ikev1/identity.hpp"
#include "libike/ikev1/ikev1.hpp"
#include "libike/ikev1/ikev1_sa.hpp"

namespace ike::v1 {
namespace {

std::uint64_t value_of(const Cookie& c) {
  std::uint64_t v = 0;
  for (auto b : c) v = v << 8 | b;
  return v;
}

}  // namespace

std::unique_ptr<ike::IkeSa> make_initiator(IkeSaOwner& owner, std::uint64_t local_cookie, TimePoint now) {
  return std::make_unique<Ikev1Sa>(owner, true, local_cookie, now);
}

std::unique_ptr<ike::IkeSa> make_responder(IkeSaOwner& owner, std::uint64_t local_cookie, const Datagram& first,
                                           TimePoint now) {
  auto sa = std::make_unique<Ikev1Sa>(owner, false, local_cookie, now);
  sa->local = first.local;
  sa->remote = first.remote;
  if (auto h = decode_header(first.payload)) sa->cky_i = h->header.initiator_cookie;
  // A half-open responder does not live forever.
  sa->expires_at = now + owner.options().half_open_timeout;
  return sa;
}

std::optional<DatagramRoute> route(ByteView datagram) {
  auto h = decode_header(datagram);
  if (!h) return std::nullopt;
  const auto& hdr = h->header;
  DatagramRoute r;
  r.initiator_cookie = value_of(hdr.initiator_cookie);
  r.responder_cookie = value_of(hdr.responder_cookie);
  r.aggressive = hdr.exchange == ExchangeType::Aggressive;
  bool phase1 = hdr.exchange == kMainMode || r.aggressive;
  r.starts_phase1 = phase1 && r.responder_cookie == 0 && hdr.message_id == 0;
  return r;
}

std::optional<Identity> aggressive_mode_identity(ByteView datagram) {
  auto m = decode(datagram);
  if (!m || m->header.exchange != ExchangeType::Aggressive) return std::nullopt;
  const auto* id = find_payload<IdPayload>(m->payloads);
  return id ? to_identity(*id) : std::nullopt;
}

}  // namespace ike::v1
