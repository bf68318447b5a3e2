// Traffic selectors (RFC 7296 §2.9, §3.13): building them from SPD
// mappings, the responder's narrowing, the initiator's check of the
// narrowed answer, and the address ranges <-> CIDR conversion the kernel
// policies need.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "libike/common/address.hpp"
#include "libike/ikev2/codec/payloads.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike::v2 {

// The CIDR blocks that exactly cover [first, last] (same family), at most
// `limit` of them; empty if more would be needed.
std::vector<Subnet> range_to_subnets(const IpAddress& first, const IpAddress& last,
                                     std::size_t limit = 16);

// A selector that names whole subnets: any protocol, every port.
bool is_any_protocol(const TrafficSelector& ts);

struct NarrowedSelectors {
  TrafficSelectors local;   // what we answer for our side
  TrafficSelectors remote;  // ... and for the peer's side
  std::vector<SpdMapping> pairs;  // (local, remote) CIDR pairs for the kernel
  std::size_t mapping_index = 0;  // the configured mapping that matched first
};

// Responder (§2.9): intersects the peer's selectors with one configured
// mapping, then adds the other mappings that share its local subnet (one
// SA may then cover several peer subnets, as strongSwan offers them).
// `remote_ts` is the peer's side (TSi when we respond), `local_ts` ours.
// Selectors restricted to one protocol or port range are skipped: kernel
// policies here are per subnet. nullopt: TS_UNACCEPTABLE.
std::optional<NarrowedSelectors> narrow(const TrafficSelectors& local_ts,
                                        const TrafficSelectors& remote_ts,
                                        const std::vector<SpdMapping>& mappings);

// Initiator: the responder may only narrow what we proposed for mapping
// `proposed` (§2.9); the pairs to install, or nullopt if it widened or
// answered nothing usable.
std::optional<std::vector<SpdMapping>> accept_narrowed(const TrafficSelectors& local_ts,
                                                       const TrafficSelectors& remote_ts,
                                                       const SpdMapping& proposed);

}  // namespace ike::v2
