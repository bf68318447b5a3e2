#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "libike/common/bytes.hpp"
#include "libike/common/random.hpp"
#include "libike/common/reader.hpp"
#include "libike/common/result.hpp"
#include "libike/common/secret.hpp"
#include "libike/common/writer.hpp"

using namespace ike;

TEST_CASE("hex round trip and rejection") {
  auto b = from_hex("00ff10 ab");
  CHECK(b == Bytes{0x00, 0xff, 0x10, 0xab});
  CHECK(to_hex(b) == "00ff10ab");
  CHECK_THROWS(from_hex("0g"));
  CHECK_THROWS(from_hex("abc"));
}

TEST_CASE("constant-time equality") {
  CHECK(equal_constant_time(from_hex("0102"), from_hex("0102")));
  CHECK_FALSE(equal_constant_time(from_hex("0102"), from_hex("0103")));
  CHECK_FALSE(equal_constant_time(from_hex("0102"), from_hex("01")));
}

TEST_CASE("secrets never print their bytes") {
  auto s = Secret::from_string("hunter2");
  auto text = fmt::format("{}", s);
  CHECK(text == "<secret 7 bytes>");
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(s.slice(1, 3) == Secret::from_string("unt"));
}

TEST_CASE("reader refuses to read past the end and stays put") {
  Bytes data = from_hex("0102030405");
  Reader r(data);
  CHECK(r.u16() == 0x0102);
  CHECK_FALSE(r.u32().has_value());
  CHECK(r.offset() == 2);
  CHECK(r.u8() == 0x03);
  CHECK_FALSE(r.bytes(3).has_value());
  CHECK(r.bytes(2)->size() == 2);
  CHECK(r.empty());
  CHECK_FALSE(r.u8().has_value());
}

TEST_CASE("writer patches reserved lengths") {
  Writer w;
  auto at = w.reserve_u16();
  w.u32(0xdeadbeef);
  w.patch_u16(at, static_cast<std::uint16_t>(w.size()));
  CHECK(to_hex(w.data()) == "0006deadbeef");
}

TEST_CASE("results carry a value or an error") {
  auto half = [](int x) -> Result<int> {
    if (x % 2) return fail("odd");
    return x / 2;
  };
  REQUIRE(half(4).ok());
  CHECK(*half(4) == 2);
  CHECK_FALSE(half(3).ok());
  CHECK(half(3).error().message == "odd");
  Status st = fail("nope");
  CHECK_FALSE(st.ok());
}

TEST_CASE("seeded randomness is reproducible, system randomness is not constant") {
  SeededRandom a(7), b(7), c(8);
  CHECK(a.bytes(16) == b.bytes(16));
  CHECK(a.bytes(16) != c.bytes(16));
  CHECK(a.bytes(16) != a.bytes(16));
  SystemRandom sys;
  CHECK(sys.bytes(32) != sys.bytes(32));
}

#include "libike/common/address.hpp"

TEST_CASE("addresses and subnets, v4 and v6") {
  auto a = IpAddress::parse("10.1.2.3");
  REQUIRE(a);
  CHECK(a->to_string() == "10.1.2.3");
  CHECK_FALSE(IpAddress::parse("10.1.2"));
  auto s = Subnet::parse("10.1.2.3/16");
  REQUIRE(s);
  CHECK(s->to_string() == "10.1.0.0/16");
  CHECK(s->last().to_string() == "10.1.255.255");
  CHECK(s->contains(*a));
  CHECK(s->overlaps(*Subnet::parse("10.1.200.0/24")));
  CHECK_FALSE(s->overlaps(*Subnet::parse("10.2.0.0/24")));
  CHECK_FALSE(Subnet::parse("10.0.0.0/33"));
  CHECK_FALSE(Subnet::parse("10.0.0.0/"));
  auto v6 = Subnet::parse("fd01::1/64");
  REQUIRE(v6);
  CHECK(v6->to_string() == "fd01::/64");
  CHECK_FALSE(v6->overlaps(*s));
  CHECK(Endpoint{*IpAddress::parse("2001:db8::1"), 4500}.to_string() == "[2001:db8::1]:4500");
}
