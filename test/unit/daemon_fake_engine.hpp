// A test double for ike::Engine: tunnels whose negotiation succeeds, fails
// or hangs on a deadline the daemon's timer drives, plus an optional
// heartbeat event stream. Records every call for assertions.
#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "libike/tunnel/engine.hpp"

namespace kite::test {

class FakeEngine final : public ike::Engine {
 public:
  enum class Behaviour { Succeed, Fail, Hang };
  struct Tunnel {
    ike::TunnelStatus status;
    Behaviour behaviour = Behaviour::Succeed;
    std::optional<ike::TimePoint> settles_at;
  };

  std::map<std::string, Tunnel> tunnels;
  std::vector<std::string> calls;
  std::function<void(const ike::TunnelEvent&)> sink = [](const ike::TunnelEvent&) {};
  std::chrono::milliseconds negotiation_time{30};
  std::optional<std::chrono::milliseconds> heartbeat;
  std::optional<ike::TimePoint> next_beat;

  void add(const std::string& name, const std::string& peer, Behaviour b = Behaviour::Succeed) {
    ike::TunnelConfig config;
    config.name = name;
    config.peer_address = *ike::IpAddress::parse(peer);
    (void)add_tunnel(config, ike::Clock::now());
    tunnels[name].behaviour = b;
  }

  ike::Status add_tunnel(const ike::TunnelConfig& t, ike::TimePoint) override {
    calls.push_back("add " + t.name);
    if (tunnels.contains(t.name)) return ike::fail("tunnel " + t.name + " exists");
    Tunnel& tunnel = tunnels[t.name];
    tunnel.status.name = t.name;
    tunnel.status.peer = t.peer_address;
    tunnel.status.version = t.version;
    return {};
  }
  ike::Status remove_tunnel(std::string_view name, ike::TimePoint) override {
    calls.push_back("remove " + std::string(name));
    if (tunnels.erase(std::string(name)) == 0) return ike::fail("no tunnel named " + std::string(name));
    return {};
  }
  ike::Status up(std::string_view name, ike::TimePoint now) override {
    calls.push_back("up " + std::string(name));
    auto it = tunnels.find(std::string(name));
    if (it == tunnels.end()) return ike::fail("no tunnel named \"" + std::string(name) + "\"");
    Tunnel& t = it->second;
    if (t.status.state == ike::TunnelState::Up) return {};
    t.status.state = ike::TunnelState::Connecting;
    if (t.behaviour != Behaviour::Hang) t.settles_at = now + negotiation_time;
    return {};
  }
  ike::Status down(std::string_view name, ike::TimePoint) override {
    calls.push_back("down " + std::string(name));
    auto it = tunnels.find(std::string(name));
    if (it == tunnels.end()) return ike::fail("no tunnel named \"" + std::string(name) + "\"");
    it->second.status.state = ike::TunnelState::Down;
    it->second.status.established.reset();
    it->second.status.children.clear();
    it->second.settles_at.reset();
    sink({ike::TunnelEvent::Kind::Down, std::string(name), "deleted by operator"});
    return {};
  }
  void shutdown(ike::TimePoint) override { calls.push_back("shutdown"); }
  void on_datagram(const ike::Datagram&, ike::TimePoint) override { calls.push_back("datagram"); }
  void on_acquire(const ike::Acquire&, ike::TimePoint) override { calls.push_back("acquire"); }
  void on_expire(const ike::Expire&, ike::TimePoint) override { calls.push_back("expire"); }

  void on_timer(ike::TimePoint now) override {
    for (auto& [name, t] : tunnels)
      if (t.settles_at && *t.settles_at <= now) settle(name, t, now);
    if (heartbeat && (!next_beat || *next_beat <= now)) {
      if (next_beat) sink({ike::TunnelEvent::Kind::Info, "", "tick"});
      next_beat = now + *heartbeat;
    }
  }
  std::optional<ike::TimePoint> next_deadline() const override {
    std::optional<ike::TimePoint> next = heartbeat ? next_beat.value_or(ike::Clock::now())
                                                   : std::optional<ike::TimePoint>();
    for (const auto& [name, t] : tunnels)
      if (t.settles_at && (!next || *t.settles_at < *next)) next = t.settles_at;
    return next;
  }

  std::optional<ike::TunnelStatus> status(std::string_view name) const override {
    auto it = tunnels.find(std::string(name));
    if (it == tunnels.end()) return std::nullopt;
    return it->second.status;
  }
  std::vector<ike::TunnelStatus> status_all() const override {
    std::vector<ike::TunnelStatus> out;
    for (const auto& [name, t] : tunnels) out.push_back(t.status);
    return out;
  }
  ike::EngineCounters counters() const override {
    ike::EngineCounters c;
    c.ike_sas_established = 1;
    c.retransmits = 2;
    return c;
  }

  static ike::ChildSaStatus sample_child(ike::TimePoint established) {
    ike::ChildSaStatus c;
    c.spi_in = 0xc0ffee01;
    c.spi_out = 0x00001234;
    c.mappings.push_back({*ike::Subnet::parse("192.168.1.0/24"), *ike::Subnet::parse("10.0.1.0/24")});
    c.encryption = "aes128";
    c.integrity = "sha256";
    c.established = established;
    c.lifetime = std::chrono::seconds(3600);
    c.bytes_in = 2048;
    c.bytes_out = 1 << 20;
    c.packets_in = 10;
    c.packets_out = 20;
    return c;
  }

 private:
  void settle(const std::string& name, Tunnel& t, ike::TimePoint now) {
    t.settles_at.reset();
    if (t.behaviour == Behaviour::Fail) {
      t.status.state = ike::TunnelState::Down;
      t.status.last_error = "peer answered AUTHENTICATION_FAILED";
      sink({ike::TunnelEvent::Kind::NegotiationFailed, name, t.status.last_error});
      return;
    }
    t.status.state = ike::TunnelState::Up;
    t.status.established = now;
    t.status.ike_spi_i = 0x0123456789abcdefULL;
    t.status.ike_spi_r = 0xfedcba9876543210ULL;
    t.status.ike_encryption = "aes128";
    t.status.ike_integrity = "sha256";
    t.status.ike_prf = "prfsha256";
    t.status.ike_dh_group = 14;
    t.status.children = {sample_child(now)};
    sink({ike::TunnelEvent::Kind::Up, name, "IKE SA and 1 CHILD SA established"});
  }
};

}  // namespace kite::test
