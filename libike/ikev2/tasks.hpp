// Exchanges we initiate, as small task objects (STYLE.md §8, after
// strongSwan's tasks with build/process). The IKE SA runs one at a time
// (window size 1, RFC 7296 §2.3) and queues the rest. Rekeying and DPD
// (issue 6) are more tasks of the same shape.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "libike/engine/ike_sa.hpp"
#include "libike/ikev2/codec/codec.hpp"
#include "libike/tunnel/environment.hpp"

namespace ike::v2 {

class Ikev2Sa;

enum class TaskOutcome : std::uint8_t {
  Done,   // exchange finished (successfully or not; the task reported it)
  Again,  // send a new request with the same message ID (COOKIE, INVALID_KE)
  Ignore,  // not an answer to what is outstanding (a stale duplicate): keep waiting
};

class Task {
 public:
  virtual ~Task() = default;
  virtual ExchangeType exchange() const = 0;
  virtual std::string_view name() const = 0;
  // The request payloads (the SK contents after IKE_SA_INIT); nullopt
  // when the task cannot run (it has reported why).
  virtual std::optional<std::vector<Payload>> build(Ikev2Sa& sa, TimePoint now) = 0;
  virtual TaskOutcome process(Ikev2Sa& sa, const Message& response, TimePoint now) = 0;
  // Given up or cancelled: release what build() reserved (larval SPIs).
  virtual void abort(Ikev2Sa& sa) { (void)sa; }
  // The configured mapping this task creates a CHILD SA for, if any.
  virtual std::optional<std::size_t> mapping() const { return std::nullopt; }
  // A DPD liveness check: retransmitted within the probe budget, and no
  // answer means the peer is dead.
  virtual bool liveness() const { return false; }
  // Rekeys the IKE SA (§2.18) / the CHILD SA with this inbound SPI (§1.3.3).
  virtual bool rekeys_ike() const { return false; }
  virtual std::optional<std::uint32_t> rekeys_child() const { return std::nullopt; }
  // §2.8.1: while this CHILD SA rekey was in flight we answered the peer's
  // rekey of the same CHILD SA, which made `peer_spi_in` with nonces ni, nr.
  virtual void collided(std::uint32_t peer_spi_in, ByteView ni, ByteView nr) {
    (void)peer_spi_in;
    (void)ni;
    (void)nr;
  }
  // Deletes the IKE SA it runs on: stays there when work moves to a successor.
  virtual bool closes_ike_sa() const { return false; }
  // Cut short because its (rekeyed) IKE SA went: sent again, as it is, on
  // the successor (§1.4: CHILD SA control goes under the successor).
  virtual bool resend_on_successor() const { return false; }
};

std::unique_ptr<Task> make_init_task();                                     // ike_sa_init.cpp
std::unique_ptr<Task> make_auth_task();                                     // ike_auth.cpp
// A new CHILD SA for a mapping; with `rekey_spi_in`, the replacement of
// that CHILD SA (REKEY_SA, §1.3.3), which is deleted once the new one is in.
std::unique_ptr<Task> make_create_child_task(std::size_t mapping_index,
                                             std::optional<std::uint32_t> rekey_spi_in = std::nullopt);  // create_child.cpp
std::unique_ptr<Task> make_delete_child_task(std::vector<std::uint32_t> spis_in);  // informational.cpp
// Deletes the IKE SA (§1.4.1); `notify` rides along (AUTHENTICATION_FAILED
// when we reject the responder's AUTH, §2.21.2); `why` is how it ends.
std::unique_ptr<Task> make_delete_ike_task(IkeSaEnd why = {},
                                           std::optional<NotifyType> notify = std::nullopt);  // informational.cpp
std::unique_ptr<Task> make_liveness_task();                                 // informational.cpp
std::unique_ptr<Task> make_ike_rekey_task();                                // ike_rekey.cpp

}  // namespace ike::v2
