// One IKEv2 SA (RFC 7296): its state, keys, message windows, the queue of
// exchanges we initiate (tasks.hpp) and its CHILD SAs. The exchange logic
// lives in one unit per exchange (ike_sa_init.cpp, ike_auth.cpp,
// create_child.cpp, informational.cpp); this file is the frame they share.
// Internal to libike/ikev2: the engine sees only ike::IkeSa (ikev2.hpp).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libike/crypto/crypto.hpp"
#include "libike/engine/ike_sa.hpp"
#include "libike/ikev2/child_sa.hpp"
#include "libike/ikev2/codec/codec.hpp"
#include "libike/ikev2/keys.hpp"
#include "libike/ikev2/nat.hpp"
#include "libike/ikev2/proposals.hpp"
#include "libike/ikev2/retransmit.hpp"

namespace ike::v2 {

// The IKE SA's own states (explicit transitions, STYLE.md §8). Rekeying
// (issue 6) adds states here; DPD is a task, not a state.
enum class SaState : std::uint8_t {
  Idle,         // initiator, not started
  InitSent,     // initiator: IKE_SA_INIT outstanding
  InitDone,     // responder: IKE_SA_INIT answered, IKE_AUTH awaited (half-open)
  AuthSent,     // initiator: IKE_AUTH outstanding
  Established,  // authenticated (§1.2)
  Deleting,     // our DELETE of the IKE SA is outstanding (§1.4.1)
  Closed,       // ended; lingers to answer retransmitted requests
};
std::string_view to_string(SaState s);

class Task;

class Ikev2Sa final : public ike::IkeSa {
 public:
  Ikev2Sa(IkeSaOwner& owner, bool initiator, std::uint64_t local_spi, TimePoint now);
  ~Ikev2Sa() override;

  // ---- ike::IkeSa --------------------------------------------------------
  IkeVersion version() const override { return IkeVersion::V2; }
  bool is_initiator() const override { return initiator; }
  std::uint64_t local_spi() const override { return initiator ? spi_i : spi_r; }
  std::uint64_t remote_spi() const override { return initiator ? spi_r : spi_i; }
  IkeSaPhase phase() const override;
  Endpoint remote_endpoint() const override { return remote; }
  TimePoint created_at() const override { return created; }
  std::optional<TimePoint> established_at() const override { return established; }
  void start(TimePoint now) override;
  void on_datagram(const Datagram& datagram, TimePoint now) override;
  void on_timer(TimePoint now) override;
  std::optional<TimePoint> next_deadline() const override;
  void create_child(std::size_t mapping_index, TimePoint now) override;
  bool has_child_for(std::size_t mapping_index) const override;
  bool owns_child_spi(std::uint32_t spi) const override;
  void on_child_expire(std::uint32_t spi, bool hard, TimePoint now) override;
  void close(TimePoint now) override;
  void abandon(const std::string& reason, TimePoint now) override;
  bool finished() const override;
  std::optional<TimePoint> last_heard() const override { return heard; }
  bool probe_liveness(TimePoint now, std::chrono::milliseconds budget) override;
  bool rekeying() const override;
  Bytes lowest_nonce() const override;
  bool rekey(bool ike_sa, TimePoint now) override;
  void fill_status(TunnelStatus& status) const override;
  std::vector<ChildView> children() const override;

  // ---- the frame the exchange units use ---------------------------------
  IkeSaOwner& owner;
  const bool initiator;  // original initiator of this IKE SA
  SaState state = SaState::Idle;
  std::uint64_t spi_i = 0, spi_r = 0;
  Endpoint local, remote;  // current IKE endpoints (float to 4500 on NAT)
  NatState nat;

  // IKE_SA_INIT material (§1.2, §2.15 needs the real message bytes).
  Bytes ni, nr;
  Bytes init_request, init_response;
  std::unique_ptr<crypto::KeyExchange> dh;
  std::optional<IkeSuite> suite;
  std::optional<IkeCrypto> keys;

  RequestWindow requests;
  ResponseWindow responses;
  std::unique_ptr<Task> active;        // the exchange we have in flight
  std::deque<std::unique_ptr<Task>> queue;  // waiting for the window
  std::vector<ChildSa> child_sas;

  TimePoint created{};
  std::optional<TimePoint> established;
  std::optional<TimePoint> expires_at;  // half-open timeout or linger end
  bool done = false;                    // finished(): the engine may destroy it
  bool superseded = false;              // rekeyed: a successor carries the children
  // DPD: last authenticated message from the peer; while a liveness check
  // runs, the time by which anything must come back.
  std::optional<TimePoint> heard;
  std::optional<TimePoint> dpd_deadline;
  std::chrono::milliseconds dpd_budget{0};
  // IKE SA lifetime (§2.8): rekey at the soft point, gone at the hard one.
  std::optional<TimePoint> rekey_at, hard_expiry_at;
  // Our SPI of the SA that replaced this one (§2.18): its CHILD SAs, queued
  // exchanges and retries live there (heir()).
  std::optional<std::uint64_t> successor_spi;
  // Made by the peer's rekey of the SA with this local SPI (we answered).
  std::optional<std::uint64_t> predecessor_spi;
  // A peer's rekey of this SA that we answered while ours was in flight
  // (§2.8.2): our SPI of the SA it made, and its nonces.
  struct PeerIkeRekey {
    std::uint64_t successor_spi = 0;
    Bytes ni, nr;
  };
  std::optional<PeerIkeRekey> peer_ike_rekey;
  // The peer deleted this SA while a request of ours was in flight: the
  // SA ends once that exchange is over (informational.cpp).
  bool end_when_answered = false;
  // We answered the peer's rekey that made this SA: our requests wait
  // until the peer surely has our answer (it deletes the old SA or talks
  // to us here), else they could reach it before the SA exists there.
  std::optional<TimePoint> hold_requests_until;
  void release_requests(TimePoint now);
  // CREATE_CHILD_SA exchanges to try again later (TEMPORARY_FAILURE, §2.25).
  struct Retry {
    TimePoint at;
    std::size_t mapping = 0;
    std::optional<std::uint32_t> rekey_spi_in;  // a CHILD SA rekey, else a new CHILD SA
  };
  std::vector<Retry> retries;

  const TunnelConfig& config() const { return owner.config(); }
  Random& random() { return owner.env().random(); }
  RetransmitPolicy retransmit_policy() const;
  // One event line naming the tunnel; never key material.
  void event(TunnelEvent::Kind kind, const std::string& message);

  // Messages.
  Header header_for(ExchangeType exchange, std::uint32_t id, bool response) const;
  Result<Bytes> seal(const Message& m);
  void send_wire(const Bytes& wire, const Endpoint& from, const Endpoint& to);
  void enqueue(std::unique_ptr<Task> task, TimePoint now);
  void pump(TimePoint now);

  // Lifecycle.
  void establish(TimePoint now);
  void start_lifetime(TimePoint now);
  // The live SA that replaced this one (following successive rekeys).
  Ikev2Sa* heir();
  // A rekeyed SA passes its queued exchanges, retries and any CHILD SA
  // still recorded here to its heir, which goes on with them.
  void hand_over(TimePoint now);
  // Removes every child, leaves the SA Closed (lingering when `linger`)
  // and tells the owner.
  void end(IkeSaEnd why, TimePoint now, bool linger);
  void fail(const std::string& reason, TimePoint now, bool linger = false) {
    end({true, reason}, now, linger);
  }

  // Children.
  std::size_t mapping_count() const;
  std::optional<UdpEncap> child_encap() const;
  Result<std::uint32_t> allocate_spi(std::size_t mapping_index);
  // Installs a negotiated child through the owner and records it. With
  // `replaces` (we answer a rekey of that CHILD SA) its outbound SA waits
  // until the replaced one goes.
  Status install_child(ChildMaterial material, std::size_t mapping_index, TimePoint now,
                       std::optional<std::uint32_t> replaces = std::nullopt);
  ChildSa* child_by_inbound(std::uint32_t spi);
  ChildSa* child_by_outbound(std::uint32_t spi);
  // Removes a CHILD SA; first its replacement (if we answered its rekey)
  // gets its outbound SA, unless `promote` is false (the whole IKE SA goes).
  void remove_child(std::uint32_t spi_in, bool promote = true);
  void promote_replacement(std::uint32_t replaced_spi_in);
  // Whether the peer surely has a CHILD SA (ChildSa::confirmed, or older
  // than any retransmission of the answer that made it could be).
  bool settled(const ChildSa& child, TimePoint now) const;

 private:
  void handle_request(const Datagram& d, const WireHeader& h, TimePoint now);
  void handle_response(const Datagram& d, const WireHeader& h, TimePoint now);
  ParseResult<Message> open(const Datagram& d, const WireHeader& h) const;
  std::optional<std::vector<Payload>> respond(const Message& request, const Datagram& d,
                                              TimePoint now);
  void send_active(TimePoint now);
  void give_up(TimePoint now);
  void peer_dead(TimePoint now);
  void alive(TimePoint now);  // an authenticated message from the peer
  void lifetime_timers(TimePoint now);
  void maybe_float(const Datagram& d);
};

// A CHILD SA request as the responder sees it, in IKE_AUTH (§1.2) or
// CREATE_CHILD_SA (§1.3.1).
struct ChildOffer {
  const SaPayload* sa = nullptr;
  const TrafficSelectors* tsi = nullptr;
  const TrafficSelectors* tsr = nullptr;
  const KePayload* ke = nullptr;  // CREATE_CHILD_SA with PFS
  PfsUse pfs = PfsUse::Ignore;
  ByteView ni, nr;               // the nonces KEYMAT is derived from (§2.17)
  bool transport_requested = false;
  std::optional<std::uint32_t> replaces = std::nullopt;  // REKEY_SA: inbound SPI of the CHILD SA it replaces
};
// Negotiates and installs the CHILD SA: the SA, [KEr], TSi and TSr to
// answer with, or one error notify (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE,
// INVALID_KE_PAYLOAD). create_child.cpp.
std::vector<Payload> respond_child(Ikev2Sa& sa, const ChildOffer& offer, TimePoint now);

// The exchange handlers, one unit each (responder side). Each returns the
// response payloads; respond_init may leave the SA Closed (stateless error).
std::vector<Payload> respond_init(Ikev2Sa& sa, const Message& request, const Datagram& d,
                                  TimePoint now);
std::vector<Payload> respond_auth(Ikev2Sa& sa, const Message& request, TimePoint now);
std::vector<Payload> respond_create_child(Ikev2Sa& sa, const Message& request, TimePoint now);
std::vector<Payload> respond_informational(Ikev2Sa& sa, const Message& request, TimePoint now);
std::vector<Payload> respond_ike_rekey(Ikev2Sa& sa, const Message& request, TimePoint now);

}  // namespace ike::v2
