// One IKEv1 ISAKMP SA (RFC 2409) with its Quick Mode exchanges and IPsec
// SAs: the frame the exchange units share. Phase 1 lives in main_mode.cpp,
// aggressive_mode.cpp and phase1.cpp; Quick Mode in quick_mode*.cpp;
// Informational in informational.cpp. Internal to libike/ikev1: the
// engine sees only ike::IkeSa (ikev1.hpp).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libike/crypto/crypto.hpp"
#include "libike/engine/ike_sa.hpp"
#include "libike/ikev1/codec/codec.hpp"
#include "libike/ikev1/flight.hpp"
#include "libike/ikev1/nat_t.hpp"
#include "libike/ikev1/phase1_crypto.hpp"
#include "libike/ikev1/proposals.hpp"

namespace ike::v1 {

// The ISAKMP SA's states, explicit transitions (STYLE.md §8). Each
// "Sent" state awaits the peer's next message of phase 1.
enum class SaState : std::uint8_t {
  Idle,          // initiator not started; responder before MM1/AM1
  MmSaSent,      // I: MM1 (SA) sent
  MmKeSent,      // I: MM3 (KE, Ni) sent
  MmAuthSent,    // I: MM5 (IDii, HASH_I) sent
  MmSaAnswered,  // R: MM2 sent
  MmKeAnswered,  // R: MM4 sent
  AmSent,        // I: AM1 sent
  AmAnswered,    // R: AM2 sent
  Established,   // phase 1 done (RFC 2409 §5)
  Closed,        // ended; finished() for the engine
};
std::string_view to_string(SaState s);

// Phase-1 negotiation material (RFC 2409 §5): exactly the bytes hashed.
struct Phase1 {
  std::optional<Phase1Suite> suite;
  Bytes sai_b;  // the initiator's SA body as it went on the wire
  std::unique_ptr<crypto::KeyExchange> dh;
  Bytes gxi, gxr, ni, nr;  // KE and nonce bodies of each side
  Bytes idii_b, idir_b;    // ID bodies of each side
  std::optional<IdPayload> peer_id;
  std::unique_ptr<Phase1Crypto> crypto;
};

// An installed IPsec SA pair.
struct Ikev1Child {
  std::size_t mapping_index = 0;
  std::uint32_t spi_in = 0, spi_out = 0;
  EspSuite suite;
  SpdMapping selectors;
  TimePoint established{};
  bool udp_encap = false;
  // Quick Mode rekeying (rekey.cpp): this pair is being replaced; or it is
  // the replacement, its outbound SA still held back until `outbound_at`.
  bool rekeying = false;
  bool we_initiated = false;  // our Quick Mode made it
  Bytes low_nonce = {};       // the lower of that Quick Mode's nonces
  std::optional<TimePoint> outbound_at = std::nullopt;
  std::optional<std::uint32_t> replaces = std::nullopt;  // inbound SPI of the pair it replaces
  bool redundant = false;  // the peer's pair lost a rekey collision: never promoted
  // Due for a rekey while our new phase 1 was under way: the heir rekeys it
  // (phase1_rekey.cpp), so no Quick Mode straddles the change of ISAKMP SA.
  bool rekey_deferred = false;
  // Replaced and DELETEd (one-way, §3.15): kept until then for packets the
  // peer sent before the DELETE reached it.
  std::optional<TimePoint> gone_at = std::nullopt;
};

// A Quick Mode exchange (RFC 2409 §5.5), either side.
enum class QmState : std::uint8_t {
  Sent1,  // I: QM1 sent, awaiting QM2
  Sent2,  // R: QM2 sent, awaiting QM3
  Done,   // installed (or given up); kept to answer a repeated message
};
struct QuickMode {
  bool initiator = true;
  QmState state = QmState::Sent1;
  std::uint32_t message_id = 0;
  Bytes iv;  // this exchange's CBC chain (Appendix B)
  std::size_t mapping_index = 0;
  SpdMapping selectors;  // (local, remote) as negotiated
  std::uint32_t spi_in = 0, spi_out = 0;
  Bytes ni, nr;  // the initiator's and the responder's nonce bodies
  std::unique_ptr<crypto::KeyExchange> dh;
  std::optional<Secret> pfs_shared;  // g(qm)^xy
  std::optional<EspSuite> suite;
  Flight flight;
  std::optional<TimePoint> forget_at;  // Done: dropped then
  std::optional<std::uint32_t> replaces;  // a rekey: inbound SPI of the pair it replaces
};

class Ikev1Sa final : public ike::IkeSa {
 public:
  Ikev1Sa(IkeSaOwner& owner, bool initiator, std::uint64_t local_cookie, TimePoint now);
  ~Ikev1Sa() override;

  // ---- ike::IkeSa --------------------------------------------------------
  IkeVersion version() const override { return IkeVersion::V1; }
  bool is_initiator() const override { return initiator; }
  std::uint64_t local_spi() const override;
  std::uint64_t remote_spi() const override;
  IkeSaPhase phase() const override;
  Endpoint remote_endpoint() const override { return remote; }
  TimePoint created_at() const override { return created; }
  std::optional<TimePoint> established_at() const override { return up_since; }
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
  bool finished() const override { return done; }
  std::optional<TimePoint> last_heard() const override { return heard; }
  bool probe_liveness(TimePoint now, std::chrono::milliseconds budget) override;  // dpd.cpp
  void fill_status(TunnelStatus& status) const override;
  std::vector<ChildView> children() const override;
  bool succeeded_by(ike::IkeSa& heir, TimePoint now) override;  // phase1_rekey.cpp
  bool rekey(bool ike_sa, TimePoint now) override;              // phase1_rekey.cpp

  // ---- the frame the exchange units use ---------------------------------
  IkeSaOwner& owner;
  const bool initiator;
  const ExchangeMode mode;  // initiator: configured; responder: as the peer began
  SaState state = SaState::Idle;
  Cookie cky_i{}, cky_r{};
  Endpoint local, remote;  // current endpoints (float to 4500 with NAT-T)
  NatState nat;
  Phase1 p1;
  Flight p1_flight;
  std::vector<std::unique_ptr<QuickMode>> quick_modes;
  std::vector<Ikev1Child> child_sas;
  std::vector<std::size_t> waiting;  // mappings asked for before phase 1 ended
  std::string peer_error;            // the peer's last authenticated error notify
  TimePoint created{};
  std::optional<TimePoint> up_since, expires_at;
  bool done = false;
  // DPD (dpd.cpp): the last authenticated message from the peer, and the
  // R-U-THERE probe under way.
  std::optional<TimePoint> heard;
  struct DpdProbe {
    TimePoint deadline, next_send;
    std::chrono::milliseconds wait{0};  // after the first R-U-THERE, doubled each time
    unsigned sent = 0;
  };
  std::optional<DpdProbe> dpd;
  // An authenticated message came from the peer (DPD: it is alive).
  void alive(TimePoint now);
  void dpd_timer(TimePoint now);
  // ISAKMP SA lifetime and succession (phase1_rekey.cpp): RFC 2409 has no
  // phase-1 rekey exchange, so a new phase 1 with the peer takes over the
  // IPsec SAs and the old ISAKMP SA is deleted (make-before-break).
  std::optional<TimePoint> rekey_at, hard_expiry_at;
  bool heir_started = false;
  bool is_heir = false;  // started by start_heir: the IPsec SAs come from the old SA
  // Our heir's cookie while its phase 1 runs.
  std::optional<std::uint64_t> heir_negotiating;
  // An heir is up: our IPsec SAs are its now; we carry on a moment for
  // exchanges in flight, then go.
  std::optional<std::uint64_t> heir_spi;
  std::optional<TimePoint> retire_at;
  // We are an heir: the SA we took over from (a DELETE for a pair it still
  // holds may reach us).
  std::optional<std::uint64_t> predecessor_spi;
  void start_lifetime(TimePoint now);
  void lifetime_timers(TimePoint now);
  void start_heir(TimePoint now);
  std::optional<TimePoint> retire_deadline() const;
  bool settle_heirs(Ikev1Sa& rival, TimePoint now);
  void retire(TimePoint now);
  // Our IPsec SAs move to the heir; false if there is none (any more).
  bool hand_over_children(TimePoint now);
  void give_children_to(Ikev1Sa& heir, TimePoint now, bool ending);
  // Our heir's phase 1 failed: rekey again soon, and the deferred pairs now.
  void heir_failed(TimePoint now);
  Ikev1Sa* kin(std::optional<std::uint64_t> cookie);
  // Where IPsec SAs live: our heir once it is up, else this SA.
  Ikev1Sa& carrier();
  // A pair by the peer's inbound SPI, here or at our heir or predecessor.
  Ikev1Child* family_child_by_outbound(std::uint32_t spi, Ikev1Sa*& holder);
  // INITIAL-CONTACT on this SA: the pairs it took over from predecessors
  // are stale (the peer restarted); they go without a DELETE.
  void drop_adopted(TimePoint now);
  bool quick_mode_pending() const;
  // Quick Mode rekeying (rekey.cpp).
  void rekey_child(Ikev1Child& child, TimePoint now);
  void rekey_timers(TimePoint now);
  void finish_rekey(std::uint32_t spi_in, TimePoint now);
  void promote(Ikev1Child& child);
  // The pair of the mapping a peer's Quick Mode replaces (IKEv1 does not
  // say): the one we are rekeying ourselves, else the oldest settled one.
  std::optional<std::uint32_t> replaced_by_peer(std::size_t mapping_index) const;
  void rekey_failed(std::uint32_t replaced);
  // Two pairs for one mapping made at once by both ends: one goes. True if
  // ours (`spi_in`) went.
  bool settle_rivals(std::size_t mapping_index, TimePoint now);
  std::chrono::milliseconds outbound_delay() const;

  const TunnelConfig& config() const { return owner.config(); }
  Random& random() { return owner.env().random(); }
  RetransmitPolicy retransmit_policy() const;
  bool udp_encap() const { return nat.any(); }
  // A quick mode of ours is under way (or waiting for phase 1).
  bool first_quick_mode_pending() const;
  // One event line naming the tunnel; never key material.
  void event(TunnelEvent::Kind kind, const std::string& message);

  // Messages.
  Header header(ExchangeType exchange, std::uint32_t message_id) const;
  std::uint32_t new_message_id();
  void send_wire(const Bytes& wire);
  // The next phase-1 message: plaintext or on the phase-1 IV chain;
  // `await`: retransmitted until the peer's next message.
  void send_phase1(std::vector<Payload> payloads, bool encrypt, bool await, TimePoint now);
  // An Informational exchange (§5.7): HDR*, HASH(1), N/D once keys exist,
  // plaintext before (or when `plaintext`).
  void send_informational(std::vector<Payload> body, bool plaintext = false);
  // A notify about the ISAKMP SA (protocol ISAKMP, SPI = CKY-I | CKY-R).
  NotificationPayload isakmp_notify(NotifyType type, Bytes data = {}) const;
  DeletePayload isakmp_delete() const;
  // Tells the peer `type` (plaintext, or encrypted followed by a DELETE of
  // the ISAKMP SA) and fails with "<reason>; sent <TYPE>".
  void reject(NotifyType type, const std::string& reason, TimePoint now, bool plaintext);

  // Lifecycle.
  void establish(TimePoint now);
  void end(IkeSaEnd why, TimePoint now);
  void fail(const std::string& reason, TimePoint now) { end({true, reason}, now); }

  // IPsec SAs.
  Result<std::uint32_t> allocate_spi(std::size_t mapping_index);
  std::optional<UdpEncap> child_encap() const;
  Ikev1Child* child_by_outbound(std::uint32_t spi);
  void remove_child(std::uint32_t spi_in);
  QuickMode* find_quick_mode(std::uint32_t message_id);

 private:
  bool awaiting_phase1() const;
  void on_phase1(const Datagram& d, const WireHeader& h, TimePoint now);
  void on_phase1_unreadable(const ParseError& e, const WireHeader& h, TimePoint now);
  void on_quick_mode(const Datagram& d, const WireHeader& h, TimePoint now);
  void on_informational(const Datagram& d, const WireHeader& h, TimePoint now);
  void resend(const Flight& flight, std::string_view what);
  void quick_mode_timers(TimePoint now);
  std::uint32_t dpd_sequence_ = 0;
  void maybe_float(const Datagram& d);
};

// ---- the exchange units ----------------------------------------------------

// main_mode.cpp (RFC 2409 §5, Main Mode with pre-shared keys).
void main_mode_start(Ikev1Sa& sa, TimePoint now);
void main_mode_process(Ikev1Sa& sa, const Message& m, const Datagram& d, TimePoint now);
// aggressive_mode.cpp (RFC 2409 §5, Aggressive Mode with pre-shared keys).
void aggressive_mode_start(Ikev1Sa& sa, TimePoint now);
void aggressive_mode_process(Ikev1Sa& sa, const Message& m, const Datagram& d, TimePoint now);

// quick_mode.cpp (RFC 2409 §5.5), initiator side and what both share.
// With `replaces`, a rekey of that pair (rekey.cpp).
void quick_mode_start(Ikev1Sa& sa, std::size_t mapping_index, TimePoint now,
                      std::optional<std::uint32_t> replaces = std::nullopt);
// HASH(1), HASH(2) or HASH(3), whichever `m` must carry (qm null: a new QM1).
bool quick_mode_hash_ok(const Ikev1Sa& sa, const QuickMode* qm, const Message& m);
void quick_mode_response(Ikev1Sa& sa, QuickMode& qm, const Message& m, TimePoint now);
Status install_quick_mode(Ikev1Sa& sa, QuickMode& qm, TimePoint now);
// Ends a Quick Mode that failed: frees its SPI, reports the reason; an
// ISAKMP SA we initiated that is left without IPsec SAs is closed.
void quick_mode_failed(Ikev1Sa& sa, QuickMode& qm, const std::string& reason, TimePoint now);
// quick_mode_responder.cpp.
void quick_mode_request(Ikev1Sa& sa, const Message& m, std::uint32_t message_id, Bytes iv,
                        ByteView wire, TimePoint now);
void quick_mode_final(Ikev1Sa& sa, QuickMode& qm, TimePoint now);

// informational.cpp (RFC 2409 §5.7, RFC 2408 §3.14-3.15, RFC 3706).
void informational_received(Ikev1Sa& sa, const Message& m, bool authenticated, TimePoint now);

}  // namespace ike::v1
