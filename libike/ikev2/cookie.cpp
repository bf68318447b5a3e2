#include "libike/ikev2/cookie.hpp"

#include "libike/crypto/crypto.hpp"

namespace ike::v2 {

CookieJar::CookieJar(Random& random) { rotate(random); }

void CookieJar::rotate(Random& random) {
  previous_ = secret_;
  secret_ = Secret(random.bytes(32));
  ++version_;
}

Bytes CookieJar::make_with(std::uint8_t version, const Secret& secret, ByteView ni,
                           const IpAddress& peer, std::uint64_t spi_i) const {
  Bytes spi(8);
  for (std::size_t i = 0; i < 8; ++i) spi[i] = static_cast<std::uint8_t>(spi_i >> (56 - 8 * i));
  Secret input(ni);
  input.append(peer.bytes());
  input.append(spi);
  input.append(secret.view());
  Bytes cookie{version};
  auto h = crypto::hash(crypto::HashAlg::Sha256, input.view());
  cookie.insert(cookie.end(), h.begin(), h.end());
  return cookie;
}

Bytes CookieJar::make(ByteView ni, const IpAddress& peer, std::uint64_t spi_i) const {
  return make_with(version_, secret_, ni, peer, spi_i);
}

bool CookieJar::verify(ByteView cookie, ByteView ni, const IpAddress& peer,
                       std::uint64_t spi_i) const {
  if (cookie.empty()) return false;
  if (cookie[0] == version_) return equal_constant_time(cookie, make(ni, peer, spi_i));
  auto prev = static_cast<std::uint8_t>(version_ - 1);
  if (cookie[0] == prev && !previous_.empty())
    return equal_constant_time(cookie, make_with(prev, previous_, ni, peer, spi_i));
  return false;
}

std::optional<Bytes> CookieJar::challenge(const Message& request, const IpAddress& peer,
                                          bool demand) const {
  if (!demand) return std::nullopt;
  const auto* nonce = request.find<NoncePayload>();
  if (!nonce) return std::nullopt;  // malformed: the SA answers INVALID_SYNTAX
  const auto* echoed = request.find_notify(NotifyType::Cookie);
  if (echoed && verify(echoed->data, nonce->data, peer, request.header.spi_i)) return std::nullopt;
  Message reply;
  reply.header = response_header(request.header, false);
  reply.add(NotifyPayload::make(NotifyType::Cookie, make(nonce->data, peer, request.header.spi_i)));
  return encode(reply);
}

}  // namespace ike::v2
