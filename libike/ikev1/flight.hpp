// Retransmission for one IKEv1 exchange. RFC 2409 has no message IDs to
// order retries by, so kite does what deployed IKEv1 does (RFC 2408 §5
// leaves it to the implementation): while we await an answer our last
// message is resent on a timer with exponential backoff until a give-up,
// and when the peer repeats the message we last answered (its answer got
// lost) we resend our answer verbatim — never re-encrypted, so the CBC IV
// chain stays as the peer expects.
#pragma once
#include <optional>

#include "libike/common/bytes.hpp"
#include "libike/ikev2/retransmit.hpp"
#include "libike/tunnel/environment.hpp"

namespace ike::v1 {

// Timing as for IKEv2 (RFC 7296 §2.1 backoff): the engine's options.
using v2::RetransmitPolicy;

class Flight {
 public:
  // The peer's message repeats the last one we took in.
  bool is_duplicate(ByteView wire) const;
  // A new peer message was taken in: stops awaiting, remembers it.
  void received(ByteView wire);
  // Our message went out; with `await` the timer runs until received().
  void sent(Bytes wire, TimePoint now, bool await, const RetransmitPolicy& policy);
  const Bytes& last_sent() const { return last_sent_; }
  // Our last message answers the peer's last one. Not so after the peer's
  // final message of an exchange (QM3, MM6, AM3): a repeat of that one
  // gets no resend, else each end would answer the other's repeat forever.
  bool answered() const { return answered_; }
  bool awaiting() const { return timer_.busy(); }
  void stop() { timer_.restart(); }

  using Due = v2::RequestWindow::Due;
  Due on_timer(TimePoint now, const RetransmitPolicy& policy) { return timer_.on_timer(now, policy); }
  unsigned transmissions() const { return timer_.transmissions(); }
  std::optional<TimePoint> deadline() const { return timer_.deadline(); }

 private:
  Bytes last_received_;
  Bytes last_sent_;
  bool answered_ = false;
  v2::RequestWindow timer_;
};

}  // namespace ike::v1
