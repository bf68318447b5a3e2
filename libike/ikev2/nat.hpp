// NAT detection (RFC 7296 §2.23): NAT_DETECTION_SOURCE_IP and
// NAT_DETECTION_DESTINATION_IP carry SHA-1(SPIi | SPIr | IP | Port); a
// hash that does not match the addresses we see means a NAT in between.
#pragma once
#include <cstdint>
#include <vector>

#include "libike/common/address.hpp"
#include "libike/ikev2/codec/message.hpp"

namespace ike::v2 {

Bytes nat_detection_hash(std::uint64_t spi_i, std::uint64_t spi_r, const Endpoint& ep);

// The two notifies for a message from `local` to `remote` (SPIr is 0 in
// the IKE_SA_INIT request).
std::vector<NotifyPayload> nat_detection_notifies(std::uint64_t spi_i, std::uint64_t spi_r,
                                                  const Endpoint& local, const Endpoint& remote);

struct NatState {
  bool supported = false;      // the peer sent NAT_DETECTION_* notifies
  bool local_behind = false;   // we are behind a NAT
  bool remote_behind = false;  // the peer is
  bool any() const { return local_behind || remote_behind; }
};

// Evaluates a received IKE_SA_INIT message that arrived from `remote` at
// `local`.
NatState detect_nat(const Message& m, std::uint64_t spi_i, std::uint64_t spi_r,
                    const Endpoint& local, const Endpoint& remote);

}  // namespace ike::v2
