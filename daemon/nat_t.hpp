// RFC 3948 framing on the NAT-T port (4500). IKE messages there start with
// a 4-byte zero "non-ESP marker" (§2.2) so they can share the port with
// UDP-encapsulated ESP, whose first 4 bytes are a non-zero SPI; a single
// 0xFF byte is a NAT-keepalive (§2.3). With UDP_ENCAP_ESPINUDP set on the
// socket the kernel takes ESP itself, so userspace sees IKE and keepalives.
#pragma once
#include "libike/common/bytes.hpp"

namespace kite::daemon {

enum class NatTKind {
  Ike,        // IKE message; `ike` is the message without the marker
  Keepalive,  // RFC 3948 §2.3, dropped
  Esp,        // non-zero SPI: ESP the kernel did not take, dropped
  Malformed,  // too short to tell, dropped
};

struct NatTDatagram {
  NatTKind kind = NatTKind::Malformed;
  ike::ByteView ike;
};

inline constexpr std::size_t kNonEspMarkerSize = 4;

// Classifies a datagram received on the NAT-T port.
NatTDatagram classify_nat_t(ike::ByteView datagram);
// Prefixes an IKE message with the non-ESP marker for sending on 4500.
ike::Bytes add_non_esp_marker(ike::ByteView ike_message);

}  // namespace kite::daemon
