#include "daemon/kitectl/format.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <fmt/format.h>

namespace kite::kitectl {
namespace {

using Row = std::vector<std::string>;

std::string render_table(const std::vector<Row>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string uptime_text(const Json& t) {
  auto it = t.find("uptime");
  if (it == t.end() || !it->is_number()) return "-";
  return format_duration(it->get<std::int64_t>());
}

std::string nullable_number(const Json& o, std::string_view key, std::string_view none) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return std::string(none);
  return std::to_string(it->get<std::int64_t>());
}

std::string algorithms(const Json& o) {
  std::string s = text(o, "encryption");
  for (const char* key : {"integrity", "prf"}) {
    const std::string part = text(o, key, "");
    if (!part.empty()) s.append(1, '/').append(part);
  }
  return s;
}

std::string traffic(const Json& o) {
  return fmt::format("in {} / {} packets, out {} / {} packets", format_bytes(number(o, "bytes_in")),
                     number(o, "packets_in"), format_bytes(number(o, "bytes_out")),
                     number(o, "packets_out"));
}

// "5m" for a number of seconds, `none` when null or missing.
std::string nullable_duration(const Json& o, std::string_view key, std::string_view none) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return std::string(none);
  return format_duration(it->get<std::int64_t>());
}

std::string format_ike_sa(const Json& t) {
  auto sa = t.find("ike_sa");
  if (sa == t.end() || !sa->is_object()) return "  ike sa: none\n";
  std::string out = fmt::format("  ike sa: spi {}/{}, {}, dh group {}, nat {}\n", text(*sa, "spi_i"),
                                text(*sa, "spi_r"), algorithms(*sa), nullable_number(*sa, "dh_group", "-"),
                                t.value("nat_detected", false) ? "detected" : "not detected");
  if (sa->contains("age"))
    out += fmt::format("    age {}, rekey in {}, expires in {}\n", nullable_duration(*sa, "age", "-"),
                       nullable_duration(*sa, "rekey_in", "-"), nullable_duration(*sa, "expires_in", "-"));
  return out;
}

std::string format_child(const Json& c, std::size_t index) {
  std::string out = fmt::format(
      "  child sa {}: spi in {} out {}, {}, pfs {}{}\n", index, text(c, "spi_in"),
      text(c, "spi_out"), algorithms(c), nullable_number(c, "pfs_group", "none"),
      c.value("udp_encap", false) ? ", udp-encapsulated" : "");
  out += fmt::format("    age {}, lifetime {} (rekey/expiry in {})\n",
                     format_duration(static_cast<std::int64_t>(number(c, "age"))),
                     format_duration(static_cast<std::int64_t>(number(c, "lifetime"))),
                     format_duration(static_cast<std::int64_t>(number(c, "expires_in"))));
  if (auto maps = c.find("mappings"); maps != c.end() && maps->is_array())
    for (const auto& m : *maps) out += fmt::format("    {} <=> {}\n", text(m, "local"), text(m, "remote"));
  out += "    " + traffic(c) + "\n";
  return out;
}

}  // namespace

std::string format_duration(std::int64_t s) {
  if (s < 0) s = 0;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr std::array<const char*, 5> units{"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double v = static_cast<double>(bytes) / 1024.0;
  std::size_t u = 0;
  while (v >= 1024.0 && u + 1 < units.size()) {
    v /= 1024.0;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string text(const Json& o, std::string_view key, std::string_view fallback) {
  if (!o.is_object()) return std::string(fallback);
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return std::string(fallback);
  return it->get<std::string>();
}

std::uint64_t number(const Json& o, std::string_view key) {
  if (!o.is_object()) return 0;
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return 0;
  return it->is_number_unsigned() ? it->get<std::uint64_t>()
                                  : static_cast<std::uint64_t>(std::max<std::int64_t>(0, it->get<std::int64_t>()));
}

std::string format_status(const Json& reply) {
  auto tunnels = reply.find("tunnels");
  if (tunnels == reply.end() || !tunnels->is_array() || tunnels->empty())
    return "no tunnels configured\n";
  std::vector<Row> rows{{"NAME", "PEER", "STATE", "IKE", "UPTIME", "BYTES-IN", "PKTS-IN",
                         "BYTES-OUT", "PKTS-OUT"}};
  for (const auto& t : *tunnels) {
    rows.push_back({text(t, "name"), text(t, "peer"), text(t, "state"), text(t, "ike_version"),
                    uptime_text(t), format_bytes(number(t, "bytes_in")),
                    std::to_string(number(t, "packets_in")), format_bytes(number(t, "bytes_out")),
                    std::to_string(number(t, "packets_out"))});
  }
  std::string out = render_table(rows);
  // kited's counters since it started, below the table.
  if (auto c = reply.find("counters"); c != reply.end() && c->is_object())
    out += fmt::format(
        "ike sas: {} established, {} failed, {} half-open; {} retransmits; {} datagrams in, "
        "{} dropped\n",
        number(*c, "ike_sas_established"), number(*c, "ike_sas_failed"), number(*c, "half_open"),
        number(*c, "retransmits"), number(*c, "datagrams_in"), number(*c, "datagrams_dropped"));
  return out;
}

std::string format_show(const Json& t) {
  const std::string uptime = uptime_text(t);
  std::string out = fmt::format("tunnel {}: {} ({}), peer {}{}\n", text(t, "name"), text(t, "state"),
                                text(t, "ike_version"), text(t, "peer"),
                                uptime == "-" ? "" : ", up for " + uptime);
  if (auto i = t.find("interface"); i != t.end() && i->is_object()) {
    const bool vti = text(*i, "kind") == "vti";
    out += fmt::format("  interface: {} ({}, {} {:#x})\n", text(*i, "name"),
                       vti ? "VTI" : "xfrm interface", vti ? "mark" : "if_id",
                       number(*i, vti ? "mark" : "if_id"));
  }
  out += format_ike_sa(t);
  std::size_t index = 1;
  if (auto children = t.find("children"); children != t.end() && children->is_array())
    for (const auto& c : *children) out += format_child(c, index++);
  if (index == 1) out += "  child sas: none\n";
  out += "  total: " + traffic(t) + "\n";
  out += "  last error: " + text(t, "last_error", "none") + "\n";
  return out;
}

std::string format_event(const Json& e) {
  std::string where = text(e, "tunnel", "");
  if (!where.empty()) where += ": ";
  return fmt::format("{} {} {}{}\n", text(e, "time"), text(e, "event"), where, text(e, "message", ""));
}

}  // namespace kite::kitectl
