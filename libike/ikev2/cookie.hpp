// Stateless cookies against IKE_SA_INIT floods (RFC 7296 §2.6). Once too
// many IKE SAs are half-open, a responder answers an IKE_SA_INIT request
// without a valid cookie with N(COOKIE) and keeps no state:
//   Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>)
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "libike/common/address.hpp"
#include "libike/common/random.hpp"
#include "libike/common/secret.hpp"
#include "libike/ikev2/codec/message.hpp"

namespace ike::v2 {

class CookieJar {
 public:
  explicit CookieJar(Random& random);
  Bytes make(ByteView ni, const IpAddress& peer, std::uint64_t spi_i) const;
  bool verify(ByteView cookie, ByteView ni, const IpAddress& peer, std::uint64_t spi_i) const;
  // A new secret; cookies of the previous one stay valid until the next.
  void rotate(Random& random);

  // Decides on an IKE_SA_INIT request before any state exists: the
  // encoded N(COOKIE) response to send instead of answering, or nullopt to
  // go on (cookies not demanded, or a valid one echoed as first payload).
  std::optional<Bytes> challenge(const Message& request, const IpAddress& peer, bool demand) const;

 private:
  Bytes make_with(std::uint8_t version, const Secret& secret, ByteView ni, const IpAddress& peer,
                  std::uint64_t spi_i) const;
  std::uint8_t version_ = 0;
  Secret secret_, previous_;
};

}  // namespace ike::v2
