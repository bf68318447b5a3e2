// One IKEv2 SA pair driven directly (no engine): authenticated but
// malformed requests get INVALID_SYNTAX / UNSUPPORTED_CRITICAL_PAYLOAD,
// forged ones are dropped without an answer (RFC 7296 §2.21).
#include <catch2/catch.hpp>

#include <deque>

#include "libike/engine/kernel_state.hpp"
#include "libike/ikev2/ike_sa.hpp"
#include "libike/ikev2/proposals.hpp"
#include "test/unit/sim/fake_kernel.hpp"

using namespace ike;
using namespace ike::v2;
using namespace std::chrono_literals;
using kite::test::FakeKernel;

namespace {

class Owner final : public IkeSaOwner, public Environment {
 public:
  Owner(const char* local, const char* peer, std::uint64_t seed, std::uint32_t spi_base)
      : kernel_(spi_base), rng_(seed), state_(kernel_, "t1", *IpAddress::parse(local)) {
    cfg_.name = "t1";
    cfg_.local_address = *IpAddress::parse(local);
    cfg_.peer_address = *IpAddress::parse(peer);
    cfg_.psk = Secret::from_string("secret");
    gw_.local_address = cfg_.local_address;
  }
  // IkeSaOwner
  const TunnelConfig& config() const override { return cfg_; }
  const GatewayConfig& gateway() const override { return gw_; }
  Environment& env() override { return *this; }
  std::uint32_t reqid(std::size_t i) const override { return 0x6b690001u + static_cast<std::uint32_t>(i); }
  Status install_child(const NegotiatedChild& c, TimePoint) override { return state_.install_child(c); }
  void remove_child(std::uint32_t spi) override { state_.remove_child(spi); }
  void release_spi(std::uint32_t spi) override { state_.release_spi(spi); }
  bool has_other_ike_sa(const ike::IkeSa&) const override { return false; }
  void initial_contact(const ike::IkeSa&, TimePoint) override {}
  void ike_established(ike::IkeSa&, TimePoint) override { ++established; }
  std::uint64_t new_ike_spi() override { return 0x3333; }
  void adopt(std::unique_ptr<ike::IkeSa> sa, TimePoint) override { adopted.push_back(std::move(sa)); }
  void ike_ended(ike::IkeSa&, const IkeSaEnd& e, TimePoint) override { ended.push_back(e); }
  void child_failed(ike::IkeSa&, const std::string& why, TimePoint) override { child_errors.push_back(why); }
  const EngineOptions& options() const override { return opts_; }
  EngineCounters& counters() override { return counters_; }
  // Environment
  void send(const Datagram& d) override { out.push_back(d); }
  void event(const TunnelEvent& e) override { events.push_back(e); }
  Kernel& kernel() override { return kernel_; }
  Random& random() override { return rng_; }

  TunnelConfig cfg_;
  GatewayConfig gw_;
  EngineOptions opts_;
  EngineCounters counters_;
  FakeKernel kernel_;
  SeededRandom rng_;
  KernelState state_;
  std::deque<Datagram> out;
  std::vector<TunnelEvent> events;
  std::vector<IkeSaEnd> ended;
  std::vector<std::string> child_errors;
  std::vector<std::unique_ptr<ike::IkeSa>> adopted;
  int established = 0;
};

Datagram flip(const Datagram& d) { return {d.remote, d.local, d.payload}; }

struct Pair {
  Owner oi{"192.0.2.1", "192.0.2.2", 1, 0xa0000000u};
  Owner orr{"192.0.2.2", "192.0.2.1", 2, 0xb0000000u};
  TimePoint now = TimePoint{} + 1000h;
  Ikev2Sa init{oi, true, 0x1111, now};
  std::unique_ptr<Ikev2Sa> resp;

  Pair() {
    for (auto* o : {&oi, &orr})
      o->cfg_.mappings = {{*Subnet::parse(o == &oi ? "10.1.0.0/24" : "10.2.0.0/24"),
                           *Subnet::parse(o == &oi ? "10.2.0.0/24" : "10.1.0.0/24")}};
  }
  // Moves datagrams until both queues are empty.
  void pump() {
    while (!oi.out.empty() || !orr.out.empty()) {
      while (!oi.out.empty()) {
        auto d = flip(oi.out.front());
        oi.out.pop_front();
        if (!resp) {
          resp = std::make_unique<Ikev2Sa>(orr, false, 0x2222, now);
          resp->local = d.local;
          resp->remote = d.remote;
        }
        resp->on_datagram(d, now);
      }
      while (!orr.out.empty()) {
        auto d = flip(orr.out.front());
        orr.out.pop_front();
        init.on_datagram(d, now);
      }
    }
  }
  // A request from the initiator, protected with its real keys.
  Datagram request(std::vector<Payload> payloads, ExchangeType ex = ExchangeType::Informational,
                   std::uint32_t later = 0) {
    Message m;
    m.header = init.header_for(ex, init.requests.next_id() + later, false);
    m.payloads = std::move(payloads);
    auto wire = encode_protected(m, init.keys->outbound(true), oi.rng_);
    REQUIRE(wire);
    return {{orr.cfg_.local_address, 500}, {oi.cfg_.local_address, 500}, *wire};
  }
  // The responder's answer, opened with the initiator's keys.
  Message answer() {
    REQUIRE(orr.out.size() == 1);
    auto m = decode_protected(orr.out.front().payload, init.keys->inbound(true));
    orr.out.clear();
    REQUIRE(m);
    return *m;
  }
};

}  // namespace

TEST_CASE("an SA pair comes up without the engine") {
  Pair p;
  p.init.start(p.now);
  p.pump();
  CHECK(p.init.state == SaState::Established);
  CHECK(p.resp->state == SaState::Established);
  CHECK(p.oi.kernel_.sas().size() == 2);
  CHECK(p.orr.kernel_.sas().size() == 2);
  CHECK(p.oi.established == 1);
  CHECK(p.resp->children().size() == 1);
}

TEST_CASE("bad protected content is answered with INVALID_SYNTAX") {
  Pair p;
  p.init.start(p.now);
  p.pump();
  // A KE payload with no data is malformed (§3.4) but authentic.
  p.resp->on_datagram(p.request({KePayload{14, {}}}), p.now);
  auto m = p.answer();
  REQUIRE(m.first_error());
  CHECK(m.first_error()->type == NotifyType::InvalidSyntax);
  CHECK(p.resp->state == SaState::Established);
}

TEST_CASE("an unknown critical payload is answered with UNSUPPORTED_CRITICAL_PAYLOAD") {
  Pair p;
  p.init.start(p.now);
  p.pump();
  p.resp->on_datagram(p.request({UnknownPayload{static_cast<PayloadType>(200), true, {1, 2}}}), p.now);
  auto m = p.answer();
  REQUIRE(m.first_error());
  CHECK(m.first_error()->type == NotifyType::UnsupportedCriticalPayload);
}

TEST_CASE("a message that fails integrity is dropped silently") {
  Pair p;
  p.init.start(p.now);
  p.pump();
  auto d = p.request({});
  d.payload.back() ^= 1;
  p.resp->on_datagram(d, p.now);
  CHECK(p.orr.out.empty());
  CHECK(p.resp->state == SaState::Established);
  // The real one still works: an empty INFORMATIONAL is answered (§1.4).
  p.resp->on_datagram(p.request({}), p.now);
  auto m = p.answer();
  CHECK(m.payloads.empty());
}

TEST_CASE("a retransmitted request gets the identical stored response") {
  Pair p;
  p.init.start(p.now);
  p.pump();
  auto d = p.request({});
  p.resp->on_datagram(d, p.now);
  REQUIRE(p.orr.out.size() == 1);
  auto first = p.orr.out.front().payload;
  p.orr.out.clear();
  p.resp->on_datagram(d, p.now);
  REQUIRE(p.orr.out.size() == 1);
  CHECK(p.orr.out.front().payload == first);
}

TEST_CASE("DELETE of a CHILD_SA is answered with our SPI of the pair") {
  Pair p;
  p.init.start(p.now);
  p.pump();
  auto child = p.init.children().front();
  p.resp->on_datagram(p.request({DeletePayload{ProtocolId::Esp, {child.spi_in}}}), p.now);
  auto m = p.answer();
  const auto* del = m.find<DeletePayload>();
  REQUIRE(del);
  CHECK(del->spis == std::vector<std::uint32_t>{child.spi_out});
  CHECK(p.resp->children().empty());
  CHECK(p.orr.kernel_.empty());
}

TEST_CASE("a peer's IKE SA rekey: the successor takes the CHILD SAs, the old one goes quietly") {
  Pair p;
  p.init.start(p.now);
  p.pump();
  // The initiator's side of the rekey (§2.18), built by hand.
  auto kx = crypto::make_key_exchange(crypto::DhGroup::Modp2048, p.oi.rng_);
  REQUIRE(kx);
  Bytes ni(32, 0x42);
  auto offer = ike_offer(p.oi.cfg_.ike);
  for (auto& prop : offer.proposals) prop.spi = Proposal::spi64(0x4444);
  auto pub = (*kx)->public_value();
  p.resp->on_datagram(p.request({offer, NoncePayload{ni}, KePayload{14, Bytes(pub.begin(), pub.end())}},
                                ExchangeType::CreateChildSa),
                      p.now);
  auto m = p.answer();
  REQUIRE_FALSE(m.first_error());
  const auto* sap = m.find<SaPayload>();
  const auto* nr = m.find<NoncePayload>();
  const auto* ke = m.find<KePayload>();
  REQUIRE((sap && nr && ke));
  CHECK(sap->proposals[0].spi_u64() == 0x3333u);
  REQUIRE(p.orr.adopted.size() == 1);
  auto& next = static_cast<Ikev2Sa&>(*p.orr.adopted.front());
  CHECK(next.local_spi() == 0x3333);
  CHECK(next.remote_spi() == 0x4444);
  CHECK(next.children().size() == 1);
  CHECK(p.resp->children().empty());
  // Our side derives the same keys: the successor answers an INFORMATIONAL.
  auto shared = (*kx)->shared_secret(ke->data);
  REQUIRE(shared);
  auto suite = ProposalMatcher::accept_ike(*sap, p.oi.cfg_.ike);
  REQUIRE(suite);
  auto keys = derive_rekeyed_ike_crypto(*p.init.keys, *suite, *shared, ni, nr->data, 0x4444, 0x3333);
  REQUIRE(keys);
  Message info;
  info.header = {0x4444, 0x3333, ExchangeType::Informational, true, false, false, 0};
  auto wire = encode_protected(info, keys->outbound(true), p.oi.rng_);
  REQUIRE(wire);
  next.on_datagram({{p.orr.cfg_.local_address, 500}, {p.oi.cfg_.local_address, 500}, *wire}, p.now);
  REQUIRE(p.orr.out.size() == 1);
  auto answer = decode_protected(p.orr.out.front().payload, keys->inbound(true));
  CHECK(answer);
  p.orr.out.clear();
  // The peer deletes the old IKE SA: no CHILD SA leaves the kernel.
  p.resp->on_datagram(p.request({DeletePayload{ProtocolId::Ike, {}}}, ExchangeType::Informational, 1), p.now);
  CHECK(p.resp->state == SaState::Closed);
  REQUIRE(p.orr.ended.size() == 1);
  CHECK(p.orr.ended[0].reason.empty());
  CHECK(p.orr.kernel_.sas().size() == 2);
}
