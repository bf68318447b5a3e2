#include "libike/ikev2/traffic_selectors.hpp"

#include <algorithm>

namespace ike::v2 {
namespace {

struct Range {
  IpAddress first, last;
};

std::optional<Range> intersect(const TrafficSelector& ts, const Subnet& s) {
  if (ts.start_address.is_v6() != s.is_v6() || ts.end_address.is_v6() != s.is_v6())
    return std::nullopt;
  auto first = std::max(ts.start_address, s.first());
  auto last = std::min(ts.end_address, s.last());
  if (last < first) return std::nullopt;
  return Range{first, last};
}

// Adds one to an address (false on overflow past the last address).
bool increment(IpAddress& a) {
  auto raw = a.bytes();
  Bytes b(raw.begin(), raw.end());
  for (std::size_t i = b.size(); i-- > 0;) {
    if (++b[i] != 0) {
      a = *IpAddress::from_bytes(b);
      return true;
    }
  }
  return false;
}

// The largest prefix block starting at `first` that does not pass `last`.
Subnet largest_block(const IpAddress& first, const IpAddress& last) {
  auto bits = static_cast<unsigned>(first.size() * 8);
  for (unsigned prefix = 0; prefix <= bits; ++prefix) {
    if (first.first_in_prefix(prefix) == first && first.last_in_prefix(prefix) <= last)
      return Subnet{first, static_cast<std::uint8_t>(prefix)};
  }
  return Subnet::host(first);
}

void add_ranges(std::vector<Range>& out, const TrafficSelectors& ts, const Subnet& s) {
  for (const auto& t : ts.selectors) {
    if (!is_any_protocol(t)) continue;
    if (auto r = intersect(t, s)) out.push_back(*r);
  }
}

bool inside(const Subnet& inner, const Subnet& outer) {
  return outer.contains(inner.first()) && outer.contains(inner.last());
}

// CIDR blocks of the ranges, without blocks inside others (a peer may
// send the triggering packet's hosts before the subnets, §2.9).
std::vector<Subnet> to_subnets(const std::vector<Range>& ranges) {
  std::vector<Subnet> all;
  for (const auto& r : ranges) {
    auto part = range_to_subnets(r.first, r.last);
    all.insert(all.end(), part.begin(), part.end());
  }
  std::vector<Subnet> out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    bool covered = false;
    for (std::size_t j = 0; j < all.size() && !covered; ++j)
      covered = j != i && inside(all[i], all[j]) && (all[i] != all[j] || j < i);
    if (!covered) out.push_back(all[i]);
  }
  return out;
}

TrafficSelectors to_selectors(const std::vector<Subnet>& subnets) {
  TrafficSelectors out;
  for (const auto& s : subnets) out.selectors.push_back(TrafficSelector::subnet(s));
  return out;
}

}  // namespace

std::vector<Subnet> range_to_subnets(const IpAddress& first, const IpAddress& last,
                                     std::size_t limit) {
  std::vector<Subnet> out;
  if (first.is_v6() != last.is_v6() || last < first) return out;
  auto at = first;
  for (;;) {
    if (out.size() == limit) return {};
    auto block = largest_block(at, last);
    out.push_back(block);
    auto next = block.last();
    if (next >= last || !increment(next)) return out;
    at = next;
  }
}

bool is_any_protocol(const TrafficSelector& ts) {
  return ts.ip_protocol == 0 && ts.start_port == 0 && ts.end_port == 65535;
}

std::optional<NarrowedSelectors> narrow(const TrafficSelectors& local_ts,
                                        const TrafficSelectors& remote_ts,
                                        const std::vector<SpdMapping>& mappings) {
  for (std::size_t i = 0; i < mappings.size(); ++i) {
    std::vector<Range> local, remote;
    add_ranges(local, local_ts, mappings[i].local);
    add_ranges(remote, remote_ts, mappings[i].remote);
    if (local.empty() || remote.empty()) continue;
    // Other mappings with the same local subnet may ride on this SA: every
    // (local, remote) combination then stays inside configured mappings.
    for (std::size_t j = i + 1; j < mappings.size(); ++j)
      if (mappings[j].local == mappings[i].local) add_ranges(remote, remote_ts, mappings[j].remote);
    auto locals = to_subnets(local);
    auto remotes = to_subnets(remote);
    if (locals.empty() || remotes.empty()) continue;
    NarrowedSelectors n;
    n.mapping_index = i;
    n.local = to_selectors(locals);
    n.remote = to_selectors(remotes);
    for (const auto& l : locals)
      for (const auto& r : remotes) n.pairs.push_back({l, r});
    return n;
  }
  return std::nullopt;
}

std::optional<std::vector<SpdMapping>> accept_narrowed(const TrafficSelectors& local_ts,
                                                       const TrafficSelectors& remote_ts,
                                                       const SpdMapping& proposed) {
  std::vector<Subnet> locals, remotes;
  for (const auto& t : local_ts.selectors) {
    auto part = range_to_subnets(t.start_address, t.end_address);
    if (!is_any_protocol(t) || part.empty()) return std::nullopt;
    locals.insert(locals.end(), part.begin(), part.end());
  }
  for (const auto& t : remote_ts.selectors) {
    auto part = range_to_subnets(t.start_address, t.end_address);
    if (!is_any_protocol(t) || part.empty()) return std::nullopt;
    remotes.insert(remotes.end(), part.begin(), part.end());
  }
  if (locals.empty() || remotes.empty()) return std::nullopt;
  std::vector<SpdMapping> pairs;
  for (const auto& l : locals) {
    if (!inside(l, proposed.local)) return std::nullopt;
    for (const auto& r : remotes) {
      if (!inside(r, proposed.remote)) return std::nullopt;
      pairs.push_back({l, r});
    }
  }
  return pairs;
}

}  // namespace ike::v2
