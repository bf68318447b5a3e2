// Traffic selectors: CIDR conversion and §2.9 narrowing.
#include <catch2/catch.hpp>

#include "libike/ikev2/traffic_selectors.hpp"

using namespace ike;
using namespace ike::v2;

namespace {
Subnet net(const char* s) { return *Subnet::parse(s); }
IpAddress ip(const char* s) { return *IpAddress::parse(s); }
TrafficSelectors ts(std::initializer_list<const char*> nets) {
  TrafficSelectors out;
  for (auto n : nets) out.selectors.push_back(TrafficSelector::subnet(net(n)));
  return out;
}
}  // namespace

TEST_CASE("ranges become the fewest CIDR blocks") {
  CHECK(range_to_subnets(ip("10.0.0.0"), ip("10.0.0.255")) == std::vector<Subnet>{net("10.0.0.0/24")});
  CHECK(range_to_subnets(ip("10.0.0.1"), ip("10.0.0.2")) == std::vector<Subnet>{net("10.0.0.1/32"), net("10.0.0.2/32")});
  CHECK(range_to_subnets(ip("0.0.0.0"), ip("255.255.255.255")) == std::vector<Subnet>{net("0.0.0.0/0")});
  CHECK(range_to_subnets(ip("fd00::"), ip("fd00::ffff")) == std::vector<Subnet>{net("fd00::/112")});
  CHECK(range_to_subnets(ip("10.0.0.5"), ip("10.0.0.4")).empty());
  // Too many blocks: refused.
  CHECK(range_to_subnets(ip("10.0.0.1"), ip("10.0.255.254"), 4).empty());
}

TEST_CASE("responder narrows to the intersection with its mapping") {
  std::vector<SpdMapping> ours{{net("10.2.0.0/24"), net("10.1.0.0/16")}};
  // Peer (initiator) proposes TSi = its side, TSr = ours.
  auto n = narrow(ts({"10.2.0.0/16"}), ts({"10.1.5.0/24"}), ours);
  REQUIRE(n);
  CHECK(n->local == ts({"10.2.0.0/24"}));
  CHECK(n->remote == ts({"10.1.5.0/24"}));
  CHECK(n->pairs == std::vector<SpdMapping>{{net("10.2.0.0/24"), net("10.1.5.0/24")}});
  CHECK_FALSE(narrow(ts({"10.3.0.0/24"}), ts({"10.1.0.0/24"}), ours));
  CHECK_FALSE(narrow(ts({"10.2.0.0/24"}), ts({"fd00::/64"}), ours));
}

TEST_CASE("one SA may carry several peer subnets of one local subnet") {
  std::vector<SpdMapping> ours{{net("10.2.0.0/24"), net("10.1.1.0/24")},
                               {net("10.2.0.0/24"), net("10.1.2.0/24")},
                               {net("10.9.0.0/24"), net("10.1.3.0/24")}};
  auto n = narrow(ts({"10.2.0.0/24"}), ts({"10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"}), ours);
  REQUIRE(n);
  CHECK(n->mapping_index == 0);
  CHECK(n->remote == ts({"10.1.1.0/24", "10.1.2.0/24"}));
  CHECK(n->pairs.size() == 2);
}

TEST_CASE("selectors for one protocol or port are skipped; host selectors folded") {
  std::vector<SpdMapping> ours{{net("10.2.0.0/24"), net("10.1.0.0/24")}};
  auto peer = ts({"10.1.0.0/24"});
  auto tcp = TrafficSelector::subnet(net("10.1.0.0/24"), 6);
  CHECK_FALSE(narrow(ts({"10.2.0.0/24"}), TrafficSelectors{{tcp}}, ours));
  // The triggering packet's hosts first, then the subnets (§2.9).
  auto n = narrow(ts({"10.2.0.7/32", "10.2.0.0/24"}), ts({"10.1.0.9/32", "10.1.0.0/24"}), ours);
  REQUIRE(n);
  CHECK(n->pairs == std::vector<SpdMapping>{{net("10.2.0.0/24"), net("10.1.0.0/24")}});
}

TEST_CASE("initiator accepts narrowing but never widening") {
  SpdMapping proposed{net("10.1.0.0/16"), net("10.2.0.0/16")};
  auto ok = accept_narrowed(ts({"10.1.3.0/24"}), ts({"10.2.0.0/16"}), proposed);
  REQUIRE(ok);
  CHECK(*ok == std::vector<SpdMapping>{{net("10.1.3.0/24"), net("10.2.0.0/16")}});
  CHECK_FALSE(accept_narrowed(ts({"10.0.0.0/8"}), ts({"10.2.0.0/16"}), proposed));
  CHECK_FALSE(accept_narrowed(ts({}), ts({"10.2.0.0/16"}), proposed));
}
