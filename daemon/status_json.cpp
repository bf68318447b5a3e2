#include "daemon/status_json.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace kite::daemon {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::int64_t age_seconds(ike::TimePoint since, ike::TimePoint now) {
  return std::max<std::int64_t>(0, duration_cast<seconds>(now - since).count());
}

Json nullable(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json mapping_json(const ike::SpdMapping& m) {
  return Json{{"local", m.local.to_string()}, {"remote", m.remote.to_string()}};
}

Json child_json(const ike::ChildSaStatus& c, ike::TimePoint now) {
  const std::int64_t age = age_seconds(c.established, now);
  Json mappings = Json::array();
  for (const auto& m : c.mappings) mappings.push_back(mapping_json(m));
  return Json{
      {"spi_in", spi_hex(c.spi_in)},
      {"spi_out", spi_hex(c.spi_out)},
      {"mappings", std::move(mappings)},
      {"encryption", c.encryption},
      {"integrity", nullable(c.integrity)},
      {"pfs_group", c.pfs_group ? Json(*c.pfs_group) : Json(nullptr)},
      {"udp_encap", c.udp_encap},
      {"age", age},
      {"lifetime", c.lifetime.count()},
      {"expires_in", std::max<std::int64_t>(0, c.lifetime.count() - age)},
      {"bytes_in", c.bytes_in},
      {"bytes_out", c.bytes_out},
      {"packets_in", c.packets_in},
      {"packets_out", c.packets_out},
  };
}

// Seconds from now until `when` (0 once passed); null when unknown.
Json seconds_until(const std::optional<ike::TimePoint>& when, ike::TimePoint now) {
  if (!when) return nullptr;
  return std::max<std::int64_t>(0, duration_cast<seconds>(*when - now).count());
}

Json ike_sa_json(const ike::TunnelStatus& t, ike::TimePoint now) {
  if (t.ike_spi_i == 0 && t.ike_spi_r == 0) return nullptr;
  return Json{
      {"age", t.established ? Json(age_seconds(*t.established, now)) : Json(nullptr)},
      {"rekey_in", seconds_until(t.ike_rekey_at, now)},
      {"expires_in", seconds_until(t.ike_expires_at, now)},
      {"spi_i", ike_spi_hex(t.ike_spi_i)},
      {"spi_r", ike_spi_hex(t.ike_spi_r)},
      {"encryption", t.ike_encryption},
      {"integrity", nullable(t.ike_integrity)},
      {"prf", t.ike_prf},
      {"dh_group", t.ike_dh_group ? Json(*t.ike_dh_group) : Json(nullptr)},
  };
}

}  // namespace

std::string_view state_name(ike::TunnelState state) {
  switch (state) {
    case ike::TunnelState::Down: return "down";
    case ike::TunnelState::Connecting: return "connecting";
    case ike::TunnelState::Up: return "up";
    case ike::TunnelState::Rekeying: return "rekeying";
  }
  return "unknown";
}

std::string_view version_name(ike::IkeVersion version) {
  return version == ike::IkeVersion::V1 ? "ikev1" : "ikev2";
}

std::string_view event_name(ike::TunnelEvent::Kind kind) {
  using K = ike::TunnelEvent::Kind;
  switch (kind) {
    case K::Up: return "up";
    case K::Down: return "down";
    case K::Rekeyed: return "rekeyed";
    case K::DpdTimeout: return "dpd_timeout";
    case K::NegotiationFailed: return "negotiation_failed";
    case K::Warning: return "warning";
    case K::Info: return "info";
    case K::Debug: return "debug";
  }
  return "info";
}

std::string spi_hex(std::uint32_t spi) { return fmt::format("{:08x}", spi); }
std::string ike_spi_hex(std::uint64_t spi) { return fmt::format("{:016x}", spi); }

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  const auto ms = duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

// Route mode: the interface the tunnel's SAs are bound to, else null.
Json interface_json(const ike::TunnelStatus& t) {
  if (!t.route) return nullptr;
  const bool vti = t.route->kind == ike::InterfaceKind::Vti;
  return Json{{"name", t.route->interface},
              {"kind", vti ? "vti" : "xfrm"},
              {vti ? "mark" : "if_id", t.route->id}};
}

Json tunnel_summary(const ike::TunnelStatus& t, ike::TimePoint now) {
  std::uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;
  for (const auto& c : t.children) {
    bytes_in += c.bytes_in;
    bytes_out += c.bytes_out;
    packets_in += c.packets_in;
    packets_out += c.packets_out;
  }
  const bool established = t.established && t.state != ike::TunnelState::Down;
  return Json{
      {"name", t.name},
      {"peer", t.peer.to_string()},
      {"state", state_name(t.state)},
      {"ike_version", version_name(t.version)},
      {"uptime", established ? Json(age_seconds(*t.established, now)) : Json(nullptr)},
      {"bytes_in", bytes_in},
      {"bytes_out", bytes_out},
      {"packets_in", packets_in},
      {"packets_out", packets_out},
      {"mode", t.route ? "route" : "spd"},
      {"interface", interface_json(t)},
  };
}

Json tunnel_detail(const ike::TunnelStatus& t, ike::TimePoint now) {
  Json j = tunnel_summary(t, now);
  j["ike_sa"] = ike_sa_json(t, now);
  j["nat_detected"] = t.nat_detected;
  Json children = Json::array();
  for (const auto& c : t.children) children.push_back(child_json(c, now));
  j["children"] = std::move(children);
  j["last_error"] = nullable(t.last_error);
  return j;
}

Json counters_json(const ike::EngineCounters& c) {
  return Json{
      {"ike_sas_established", c.ike_sas_established},
      {"ike_sas_failed", c.ike_sas_failed},
      {"half_open", c.half_open},
      {"retransmits", c.retransmits},
      {"datagrams_in", c.datagrams_in},
      {"datagrams_dropped", c.datagrams_dropped},
  };
}

Json event_json(const ike::TunnelEvent& event, std::chrono::system_clock::time_point when) {
  return Json{
      {"event", event_name(event.kind)},
      {"time", utc_timestamp(when)},
      {"tunnel", nullable(event.tunnel)},
      {"message", event.message},
  };
}

}  // namespace kite::daemon
