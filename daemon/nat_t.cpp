#include "daemon/nat_t.hpp"

#include <algorithm>

namespace kite::daemon {

NatTDatagram classify_nat_t(ike::ByteView datagram) {
  if (datagram.size() == 1 && datagram[0] == 0xff) return {NatTKind::Keepalive, {}};
  if (datagram.size() < kNonEspMarkerSize) return {NatTKind::Malformed, {}};
  const auto marker = datagram.first(kNonEspMarkerSize);
  if (std::any_of(marker.begin(), marker.end(), [](std::uint8_t b) { return b != 0; }))
    return {NatTKind::Esp, {}};
  // RFC 3948 §2.2: a marker with nothing behind it carries no IKE header.
  if (datagram.size() == kNonEspMarkerSize) return {NatTKind::Malformed, {}};
  return {NatTKind::Ike, datagram.subspan(kNonEspMarkerSize)};
}

ike::Bytes add_non_esp_marker(ike::ByteView ike_message) {
  ike::Bytes out(kNonEspMarkerSize + ike_message.size(), 0);
  std::copy(ike_message.begin(), ike_message.end(), out.begin() + kNonEspMarkerSize);
  return out;
}

}  // namespace kite::daemon
