#include "libike/ikev2/nat.hpp"

#include "libike/crypto/crypto.hpp"

namespace ike::v2 {
namespace {

Bytes be64(std::uint64_t v) {
  Bytes b(8);
  for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  return b;
}

bool any_matches(const std::vector<const NotifyPayload*>& ns, const Bytes& want) {
  for (const auto* n : ns)
    if (equal_constant_time(n->data, want)) return true;
  return false;
}

}  // namespace

Bytes nat_detection_hash(std::uint64_t spi_i, std::uint64_t spi_r, const Endpoint& ep) {
  Bytes port{static_cast<std::uint8_t>(ep.port >> 8), static_cast<std::uint8_t>(ep.port)};
  return crypto::hash(crypto::HashAlg::Sha1, concat(be64(spi_i), be64(spi_r), ep.address.bytes(), port));
}

std::vector<NotifyPayload> nat_detection_notifies(std::uint64_t spi_i, std::uint64_t spi_r,
                                                  const Endpoint& local, const Endpoint& remote) {
  return {NotifyPayload::make(NotifyType::NatDetectionSourceIp, nat_detection_hash(spi_i, spi_r, local)),
          NotifyPayload::make(NotifyType::NatDetectionDestinationIp,
                              nat_detection_hash(spi_i, spi_r, remote))};
}

NatState detect_nat(const Message& m, std::uint64_t spi_i, std::uint64_t spi_r,
                    const Endpoint& local, const Endpoint& remote) {
  auto src = m.find_notifies(NotifyType::NatDetectionSourceIp);
  auto dst = m.find_notifies(NotifyType::NatDetectionDestinationIp);
  NatState s;
  if (src.empty() || dst.empty()) return s;
  s.supported = true;
  s.remote_behind = !any_matches(src, nat_detection_hash(spi_i, spi_r, remote));
  s.local_behind = !any_matches(dst, nat_detection_hash(spi_i, spi_r, local));
  return s;
}

}  // namespace ike::v2
