// Quick Mode client identities (RFC 2409 §5.5, RFC 2407 §4.6.2): IDci/IDcr
// as ID_IPV4_ADDR_SUBNET / ID_IPV6_ADDR_SUBNET built from an SPD mapping,
// read back into subnets, and the responder's check against its mappings.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "libike/ikev1/codec/payloads.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike::v1 {

// Address and mask, protocol 0, port 0 (any traffic).
IdPayload subnet_identification(const Subnet& s);
// The subnet an ID names: an address (host), a subnet with a contiguous
// mask, or a range that is exactly one CIDR block. Protocol/port
// restrictions are refused (kite's kernel policies are per subnet).
std::optional<Subnet> subnet_of(const IdPayload& id);
// The first configured mapping whose local subnet contains `proposed.local`
// and whose remote subnet contains `proposed.remote` (exact or narrower).
std::optional<std::size_t> find_mapping(const SpdMapping& proposed,
                                        const std::vector<SpdMapping>& mappings);
// "192.168.1.0/24 === 10.0.1.0/24".
std::string to_string(const SpdMapping& m);

}  // namespace ike::v1
