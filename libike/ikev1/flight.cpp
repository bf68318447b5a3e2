#include "libike/ikev1/flight.hpp"

#include <algorithm>

namespace ike::v1 {

bool Flight::is_duplicate(ByteView wire) const {
  return !last_received_.empty() && std::equal(wire.begin(), wire.end(), last_received_.begin(), last_received_.end());
}

void Flight::received(ByteView wire) {
  last_received_.assign(wire.begin(), wire.end());
  answered_ = false;
  timer_.restart();
}

void Flight::sent(Bytes wire, TimePoint now, bool await, const RetransmitPolicy& policy) {
  timer_.restart();
  if (await) timer_.sent(0, wire, now, policy);
  last_sent_ = std::move(wire);
  answered_ = true;
}

}  // namespace ike::v1
