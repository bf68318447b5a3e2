// Message IDs, windows and retransmission (RFC 7296 §2.1-§2.3), window
// size 1 in both directions. RequestWindow is our side as a requester:
// one request outstanding, resent with exponential backoff until a
// response or give-up. ResponseWindow is our side as a responder: the
// next expected message ID and the last response, re-sent verbatim when
// the peer retransmits the request it answers (§2.1).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

#include "libike/common/bytes.hpp"
#include "libike/tunnel/environment.hpp"

namespace ike::v2 {

struct RetransmitPolicy {
  std::chrono::milliseconds timeout{1000};  // first wait, doubled each try
  unsigned tries = 5;                       // transmissions before giving up
};

class RequestWindow {
 public:
  std::uint32_t next_id() const { return next_id_; }
  bool busy() const { return pending_.has_value(); }
  std::optional<std::uint32_t> pending_id() const {
    return pending_ ? std::optional<std::uint32_t>(pending_->id) : std::nullopt;
  }
  // Records the request just sent (first transmission at `now`).
  void sent(std::uint32_t id, Bytes wire, TimePoint now, const RetransmitPolicy& policy);
  // The response arrived: the window moves on to id + 1.
  void completed();
  // The request is dropped without consuming its ID (IKE_SA_INIT retried
  // with a cookie or another group reuses message ID 0, §2.6, §1.2).
  void restart();

  enum class Due : std::uint8_t { Nothing, Resend, GiveUp };
  // What the timer says at `now`; on Resend the caller sends wire() again.
  Due on_timer(TimePoint now, const RetransmitPolicy& policy);
  const Bytes& wire() const { return pending_->wire; }
  unsigned transmissions() const { return pending_ ? pending_->transmissions : 0; }
  std::optional<TimePoint> deadline() const {
    return pending_ ? std::optional<TimePoint>(pending_->deadline) : std::nullopt;
  }

 private:
  struct Pending {
    std::uint32_t id = 0;
    Bytes wire;
    unsigned transmissions = 0;
    TimePoint deadline{};
  };
  std::uint32_t next_id_ = 0;
  std::optional<Pending> pending_;
};

class ResponseWindow {
 public:
  enum class Verdict : std::uint8_t { New, Retransmit, Drop };
  // §2.2: the expected ID is new; the ID last answered is a retransmit;
  // anything else is dropped.
  Verdict classify(std::uint32_t id) const;
  // Stores the response to request `id` and expects id + 1 next.
  void answered(std::uint32_t id, Bytes wire);
  const Bytes& last_response() const { return last_response_; }
  std::uint32_t expected() const { return expected_; }

 private:
  std::uint32_t expected_ = 0;
  std::optional<std::uint32_t> last_id_;
  Bytes last_response_;
};

}  // namespace ike::v2
