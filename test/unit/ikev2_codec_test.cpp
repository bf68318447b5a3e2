// IKEv2 codec (libike/ikev2/codec): round trips, a published capture,
// every truncated prefix, and malformed inputs (RFC 7296 §2.5, §3).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "ikev2_samples.hpp"
#include "libike/common/writer.hpp"

using namespace ike;
using namespace ike::v2;

namespace {

Message with(std::vector<Payload> payloads) { return Message{samples::init_header(), std::move(payloads)}; }

Bytes wire_of(std::vector<Payload> payloads) { return encode(with(std::move(payloads))); }

ParseError error_of(ByteView wire) {
  auto m = decode(wire);
  REQUIRE_FALSE(m.ok());
  return m.error();
}

void round_trip(const Message& m) {
  Bytes wire = encode(m);
  auto back = decode(wire);
  INFO(to_hex(wire));
  if (!back) FAIL(to_string(back.error()));
  CHECK(*back == m);
  CHECK(encode(*back) == wire);
}

void set_u16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

// Every strict prefix must fail, both as is (the header length then lies)
// and with the header length patched to the prefix (the payload chain
// must then notice).
void every_prefix_fails(const Bytes& wire) {
  for (std::size_t n = 0; n < wire.size(); ++n) {
    Bytes cut(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
    INFO("prefix " << n);
    CHECK_FALSE(decode(cut).ok());
    if (n >= kHeaderSize) {
      Writer w;
      w.u32(static_cast<std::uint32_t>(n));
      std::copy(w.data().begin(), w.data().end(), cut.begin() + 24);
      CHECK_FALSE(decode(cut).ok());
    }
  }
}

// From Wireshark's test/captures/ikev2-decrypt-aes128ccm12.pcap (the UDP
// payloads): an IKE_SA_INIT exchange and an encrypted INFORMATIONAL.
const char* kCaptureInitRequest =
    "ea684d21597afd3600000000000000002120220800000000000000f822000028"
    "00000024010100030300000c0100000f800e0080030000080200000500000008"
    "04000013280000480013000032c6dffe5c43b0d5811f7eaaa84c9f78bf99b906"
    "9c2b072e0b82f46bf6f66dd45f97ef89ee285fd5df527a44776b529fc9d8a909"
    "d842a6fb59b96a095395617229000024b655462d6f4b66f872ccd7f0f4b48577"
    "32921339cbaa5237edba244f262b68232900001c00004004949c9db5739d75a9"
    "74a49c184618369b34b7f9422900001c000040053e721b46be07d53111425d7f"
    "80d2c6e220c6072e000000100000402f0001000200030004";
const char* kCaptureInitResponse =
    "ea684d21597afd36d9fe2ab22dac23ac2120222000000000000000f022000028"
    "00000024010100030300000c0100000f800e0080030000080200000500000008"
    "0400001328000048001300002c66beadb6ce8535d6218cb401aa5a1eb4035b97"
    "caddaf36374a979c0446b8800506bf9d6f950952326bf3011913da93bb8e40f8"
    "15376be1a06801c0a63e3b54290000249e5d267379e681e7d38d81c710d38340"
    "1de7e3607b926d90a9958adcb52831aa2900001c000040047a0785273d592038"
    "29a697550f31cbb94eb72b432900001c00004005c3e58a8cc9933ce0b78f2a50"
    "e8de80134e12ce310000000800004014";
const char* kCaptureInformational =
    "ea684d21597afd36d9fe2ab22dac23ac2e202508000000020000003d2a000021"
    "cca0b35de5abc51c9987cbf1f5ecff210eb767cdb85179383b964d78e2";

}  // namespace

TEST_CASE("ikev2 codec: each payload type round-trips", "[ikev2][codec]") {
  round_trip(samples::init_request());
  round_trip(samples::auth_request_inner());
  round_trip(samples::everything_else());
  round_trip(with({EncryptedPayload{PayloadType::IdI, samples::filled(48, 1)}}));
  round_trip(with({}));  // header only
  Message m = with({NoncePayload{samples::filled(kMaxNonceSize, 1)}});
  m.header.response = true;
  m.header.higher_version = true;
  m.header.message_id = 0xfffffffe;
  round_trip(m);
  // TLV attributes and unknown transform types survive as well.
  Transform t{TransformType{9}, 4242, {{kAttrKeyLength, true, 256, {}}, {77, false, 0, {1, 2, 3}}}};
  round_trip(with({SaPayload{{Proposal{7, ProtocolId::Ike, Proposal::spi64(9), {t}}}}}));
}

TEST_CASE("ikev2 codec: header fields", "[ikev2][codec]") {
  Message m = samples::init_request();
  Bytes wire = encode(m);
  REQUIRE(wire.size() > kHeaderSize);
  CHECK(wire[16] == static_cast<std::uint8_t>(PayloadType::Sa));
  CHECK(wire[17] == 0x20);  // version 2.0
  CHECK(wire[18] == 34);    // IKE_SA_INIT
  CHECK(wire[19] == kFlagInitiator);
  auto h = decode_header(wire);
  REQUIRE(h.ok());
  CHECK(h->header == m.header);
  CHECK(h->first_payload == PayloadType::Sa);
  CHECK(h->length == wire.size());

  // §3.1: minor version and unassigned flag bits are ignored.
  wire[17] = 0x21;
  wire[19] |= 0x07;
  auto again = decode(wire);
  REQUIRE(again.ok());
  CHECK(again->header == m.header);
  wire[17] = 0x30;
  CHECK(error_of(wire).code == ParseErrc::BadVersion);
  CHECK(error_notify(error_of(wire)) == NotifyType::InvalidMajorVersion);
}

TEST_CASE("ikev2 codec: published capture decodes", "[ikev2][codec]") {
  Bytes req = from_hex(kCaptureInitRequest);
  auto m = decode(req);
  REQUIRE(m.ok());
  CHECK(m->header.spi_i == 0xea684d21597afd36);
  CHECK(m->header.spi_r == 0);
  CHECK(m->header.exchange == ExchangeType::IkeSaInit);
  CHECK(m->header.initiator);
  const auto* sa = m->find<SaPayload>();
  REQUIRE(sa);
  REQUIRE(sa->proposals.size() == 1);
  const auto& p = sa->proposals[0];
  CHECK(p.protocol == ProtocolId::Ike);
  REQUIRE(p.transforms.size() == 3);
  CHECK(p.transforms[0].id == static_cast<std::uint16_t>(EncrId::AesCcm12));
  CHECK(p.transforms[0].key_length() == 128);
  CHECK(p.of_type(TransformType::Prf).at(0)->id == static_cast<std::uint16_t>(PrfId::HmacSha256));
  CHECK(p.of_type(TransformType::Dh).at(0)->id == 19);
  REQUIRE(m->find<KePayload>());
  CHECK(m->find<KePayload>()->group == 19);
  CHECK(m->find<KePayload>()->data.size() == 64);
  CHECK(m->find<NoncePayload>()->data.size() == 32);
  CHECK(m->has_notify(NotifyType::NatDetectionSourceIp));
  CHECK(m->has_notify(NotifyType::NatDetectionDestinationIp));
  CHECK(m->find_notify(NotifyType::SignatureHashAlgorithms)->data == Bytes{0, 1, 0, 2, 0, 3, 0, 4});
  CHECK(encode(*m) == req);

  Bytes resp = from_hex(kCaptureInitResponse);
  auto r = decode(resp);
  REQUIRE(r.ok());
  CHECK(r->header.response);
  CHECK(r->header.spi_r == 0xd9fe2ab22dac23ac);
  CHECK(r->find_notify(NotifyType{16404}));  // MULTIPLE_AUTH_SUPPORTED, unnamed here
  CHECK(encode(*r) == resp);

  Bytes info = from_hex(kCaptureInformational);
  auto i = decode(info);
  REQUIRE(i.ok());
  CHECK(i->header.exchange == ExchangeType::Informational);
  REQUIRE(i->payloads.size() == 1);
  const auto* sk = i->find<EncryptedPayload>();
  REQUIRE(sk);
  CHECK(sk->first_inner == PayloadType::Delete);
  CHECK(sk->data.size() == 29);
  CHECK(encode(*i) == info);
}

TEST_CASE("ikev2 codec: every truncated prefix fails", "[ikev2][codec]") {
  every_prefix_fails(encode(samples::init_request()));
  every_prefix_fails(encode(samples::auth_request_inner()));
  every_prefix_fails(encode(samples::everything_else()));
  every_prefix_fails(from_hex(kCaptureInitRequest));
}

TEST_CASE("ikev2 codec: lying lengths", "[ikev2][codec]") {
  Bytes ok = wire_of({NoncePayload{samples::filled(32, 1)}, VendorIdPayload{{1, 2, 3, 4}}});
  SECTION("header length beyond the datagram") {
    Bytes w = ok;
    w[27] = static_cast<std::uint8_t>(w[27] + 1);
    CHECK(error_of(w).code == ParseErrc::Truncated);
  }
  SECTION("bytes after the header length") {
    Bytes w = ok;
    w.push_back(0);
    CHECK(error_of(w).code == ParseErrc::BadLength);
  }
  SECTION("payload length beyond the message") {
    Bytes w = ok;
    set_u16(w, 30, 200);
    auto e = error_of(w);
    CHECK(e.code == ParseErrc::BadLength);
    CHECK(e.payload == PayloadType::Nonce);
    CHECK(e.offset == 28);
  }
  SECTION("payload length below the generic header") {
    Bytes w = ok;
    set_u16(w, 30, 3);
    CHECK(error_of(w).code == ParseErrc::BadLength);
  }
  SECTION("zero payload length") {
    Bytes w = ok;
    set_u16(w, 30, 0);
    CHECK(error_of(w).code == ParseErrc::BadLength);
  }
  SECTION("chain ends before the message does") {
    Bytes w = ok;
    w[28] = 0;  // Nonce says "last", VID left over
    CHECK(error_of(w).code == ParseErrc::BadLength);
  }
  SECTION("chain announces a payload the message lacks") {
    Bytes w = ok;
    w[28 + 36] = static_cast<std::uint8_t>(PayloadType::VendorId);  // VID says "more"
    CHECK(error_of(w).code == ParseErrc::Truncated);
  }
}

TEST_CASE("ikev2 codec: SA nesting", "[ikev2][codec]") {
  // SA body at 32: proposal header (8), then transforms of 8 or 12 bytes.
  Proposal p{1, ProtocolId::Ike, {},
             {Transform::encr(EncrId::AesCbc, 128), Transform::prf(PrfId::HmacSha256),
              Transform::integ(IntegId::HmacSha256_128), Transform::dh(14)}};
  Bytes ok = wire_of({SaPayload{{p}}});
  REQUIRE(decode(ok).ok());
  constexpr std::size_t prop = 32, first_transform = 40;
  auto code = [](Bytes w) { return error_of(w).code; };

  SECTION("transform length beyond the proposal") {
    Bytes w = ok;
    set_u16(w, first_transform + 2 + 12 + 8 + 8, 40);  // the DH transform
    CHECK(code(w) == ParseErrc::BadNesting);
  }
  SECTION("proposal length beyond the SA payload") {
    Bytes w = ok;
    set_u16(w, prop + 2, 200);
    CHECK(code(w) == ParseErrc::BadNesting);
  }
  SECTION("transform count larger than the transforms present") {
    Bytes w = ok;
    w[prop + 7] = 5;
    CHECK(code(w) == ParseErrc::BadNesting);
  }
  SECTION("transform count smaller than the transforms present") {
    Bytes w = ok;
    w[prop + 7] = 3;
    CHECK(code(w) == ParseErrc::BadNesting);
  }
  SECTION("zero transforms") {
    Bytes w = ok;
    w[prop + 7] = 0;
    CHECK(code(w) == ParseErrc::ZeroLength);
  }
  SECTION("last proposal announces another") {
    Bytes w = ok;
    w[prop] = 2;
    CHECK(code(w) == ParseErrc::BadNesting);
  }
  SECTION("bad last-substruc value") {
    Bytes w = ok;
    w[first_transform] = 1;
    CHECK(code(w) == ParseErrc::BadValue);
  }
  SECTION("transform length below 8") {
    Bytes w = ok;
    set_u16(w, first_transform + 2, 4);
    CHECK(code(w) == ParseErrc::BadLength);
  }
  SECTION("ESP SPI size other than 4") {
    Proposal esp = p;
    esp.protocol = ProtocolId::Esp;
    esp.spi = {1, 2, 3};
    CHECK(code(wire_of({SaPayload{{esp}}})) == ParseErrc::BadValue);
  }
  SECTION("proposal numbers must be 1, 2, 3...") {
    Proposal second = p;
    second.number = 3;
    CHECK(code(wire_of({SaPayload{{p, second}}})) == ParseErrc::BadValue);
    second.number = 2;
    CHECK(decode(wire_of({SaPayload{{p, second}}})).ok());
  }
  SECTION("key length attribute in TLV form") {
    Proposal q = p;
    q.transforms[0].attributes = {{kAttrKeyLength, false, 0, {0, 128}}};
    CHECK(code(wire_of({SaPayload{{q}}})) == ParseErrc::BadValue);
  }
  SECTION("attribute beyond its transform") {
    Proposal q = p;
    q.transforms[0].attributes = {{99, false, 0, {1, 2, 3, 4}}};
    Bytes w = wire_of({SaPayload{{q}}});
    set_u16(w, first_transform + 8 + 2, 9);  // TLV length 9 > 4 bytes left
    CHECK(code(w) == ParseErrc::BadNesting);
  }
  SECTION("SA without proposals") { CHECK(code(wire_of({SaPayload{}})) == ParseErrc::ZeroLength); }
}

TEST_CASE("ikev2 codec: payload content checks", "[ikev2][codec]") {
  auto code = [](std::vector<Payload> p) { return error_of(wire_of(std::move(p))).code; };
  CHECK(code({KePayload{14, {}}}) == ParseErrc::ZeroLength);
  CHECK(code({NoncePayload{samples::filled(15, 1)}}) == ParseErrc::BadLength);
  CHECK(code({NoncePayload{samples::filled(257, 1)}}) == ParseErrc::Oversize);
  CHECK(code({IdiPayload{{IdType::Ipv4Addr, {1, 2, 3, 4, 5}, {}}}}) == ParseErrc::BadLength);
  CHECK(code({IdrPayload{{IdType::Ipv6Addr, {1, 2, 3, 4}, {}}}}) == ParseErrc::BadLength);
  CHECK(code({IdiPayload{{IdType::Fqdn, {}, {}}}}) == ParseErrc::ZeroLength);
  CHECK(code({AuthPayload{AuthMethod::SharedKeyMic, {}}}) == ParseErrc::ZeroLength);
  CHECK(code({VendorIdPayload{}}) == ParseErrc::ZeroLength);
  CHECK(code({TsiPayload{}}) == ParseErrc::ZeroLength);
  CHECK(code({NotifyPayload::make(NotifyType::InvalidKePayload, {0, 14, 0})}) == ParseErrc::BadLength);
  CHECK(code({NotifyPayload::make(NotifyType::Cookie, {})}) == ParseErrc::BadLength);
  CHECK(code({NotifyPayload::make(NotifyType::Cookie, samples::filled(65, 1))}) == ParseErrc::BadLength);
  CHECK(code({NotifyPayload::make(NotifyType::NatDetectionSourceIp, samples::filled(19, 1))}) ==
        ParseErrc::BadLength);
  CHECK(code({NotifyPayload{ProtocolId::Esp, {1, 2, 3}, NotifyType::InvalidSpi, {}}}) == ParseErrc::BadValue);
  CHECK(code({NotifyPayload::make(NotifyType::RekeySa)}) == ParseErrc::BadLength);
  CHECK(code({DeletePayload{ProtocolId::None, {}}}) == ParseErrc::BadValue);

  SECTION("delete SPI count does not match") {
    Bytes w = wire_of({DeletePayload{ProtocolId::Esp, {1, 2}}});
    set_u16(w, 32 + 2, 3);
    CHECK(error_of(w).code == ParseErrc::BadLength);
  }
  SECTION("selector length does not match its type") {
    Bytes w = wire_of({TsiPayload{{{TrafficSelector::subnet(samples::subnet("10.0.0.0/8"))}}}});
    set_u16(w, 32 + 4 + 2, 40);
    CHECK(error_of(w).code == ParseErrc::BadLength);
  }
  SECTION("unknown TS type") {
    Bytes w = wire_of({TsiPayload{{{TrafficSelector::subnet(samples::subnet("10.0.0.0/8"))}}}});
    w[32 + 4] = 10;
    CHECK(error_of(w).code == ParseErrc::BadValue);
  }
  SECTION("selector count beyond the payload") {
    Bytes w = wire_of({TsiPayload{{{TrafficSelector::subnet(samples::subnet("10.0.0.0/8"))}}}});
    w[32] = 2;
    CHECK(error_of(w).code == ParseErrc::BadNesting);
  }
}

TEST_CASE("ikev2 codec: unknown payloads and the critical bit", "[ikev2][codec]") {
  UnknownPayload unknown{PayloadType{210}, false, {9, 9}};
  auto m = decode(wire_of({NoncePayload{samples::filled(16, 1)}, unknown}));
  REQUIRE(m.ok());
  REQUIRE(m->payloads.size() == 2);
  CHECK(std::get<UnknownPayload>(m->payloads[1]) == unknown);

  // §2.5: with the critical bit the message is refused, naming the type.
  unknown.critical = true;
  ParseError e = error_of(wire_of({NoncePayload{samples::filled(16, 1)}, unknown}));
  CHECK(e.code == ParseErrc::UnsupportedCritical);
  CHECK(e.payload == PayloadType{210});
  CHECK(error_notify(e) == NotifyType::UnsupportedCriticalPayload);
  CHECK(error_notify_data(e) == Bytes{210});
  CHECK(to_string(e).find("210") != std::string::npos);

  // The critical bit on a known payload is ignored.
  Bytes w = wire_of({NoncePayload{samples::filled(16, 1)}});
  w[29] = kCriticalBit;
  CHECK(decode(w).ok());
}

TEST_CASE("ikev2 codec: SK placement and limits", "[ikev2][codec]") {
  EncryptedPayload sk{PayloadType::IdI, samples::filled(40, 1)};
  CHECK(error_of(wire_of({sk, NoncePayload{samples::filled(16, 1)}})).code == ParseErrc::BadNesting);
  CHECK(error_of(wire_of({EncryptedPayload{PayloadType::IdI, {}}})).code == ParseErrc::ZeroLength);
  CHECK(decode(wire_of({NoncePayload{samples::filled(16, 1)}, sk})).ok());

  std::vector<Payload> many(kMaxPayloads + 1, VendorIdPayload{{1}});
  CHECK(error_of(wire_of(many)).code == ParseErrc::Oversize);
  many.pop_back();
  CHECK(decode(wire_of(many)).ok());

  std::vector<Payload> big(40, VendorIdPayload{samples::filled(2000, 1)});
  CHECK(error_of(wire_of(big)).code == ParseErrc::Oversize);
  CHECK_THROWS_AS(encode(with({VendorIdPayload{Bytes(70000, 1)}})), std::length_error);
}

TEST_CASE("ikev2 codec: helpers", "[ikev2][codec]") {
  Message m = samples::everything_else();
  CHECK(m.find_notify(NotifyType::Cookie)->data.size() == 8);
  CHECK(m.find_notify(NotifyType::NoProposalChosen) == nullptr);
  CHECK(m.find_notifies(NotifyType::Cookie).size() == 1);
  REQUIRE(m.first_error());
  CHECK(m.first_error()->invalid_ke_group() == 19);
  CHECK(m.find_all<DeletePayload>().size() == 2);
  CHECK(m.find_notify(NotifyType::RekeySa)->spi_u32() == 0xabcdef01u);
  CHECK(m.find<IdrPayload>()->text() == "vpn.example.net");

  Header req = samples::auth_header();
  Header resp = response_header(req, false);
  CHECK(resp.response);
  CHECK_FALSE(resp.initiator);
  CHECK(resp.message_id == req.message_id);
  CHECK(resp.spi_r == req.spi_r);

  // §2.15: the AUTH input covers the ID body including RESERVED.
  Identification id = Identification::address(*IpAddress::parse("192.0.2.1"));
  CHECK(id.body() == Bytes{1, 0, 0, 0, 192, 0, 2, 1});
  CHECK(id.ip()->to_string() == "192.0.2.1");
  Bytes w = wire_of({IdiPayload{id}});
  w[33] = 0x5a;
  auto back = decode(w);
  REQUIRE(back.ok());
  CHECK(back->find<IdiPayload>()->body() == Bytes{1, 0x5a, 0, 0, 192, 0, 2, 1});

  CHECK(Proposal{1, ProtocolId::Esp, Proposal::spi32(7), {}}.spi_u32() == 7u);
  CHECK(to_string(NotifyType::TsUnacceptable) == "TS_UNACCEPTABLE");
  CHECK(to_string(NotifyType{40000}) == "40000");
  CHECK(to_string(ExchangeType::CreateChildSa) == "CREATE_CHILD_SA");
  CHECK(to_string(PayloadType::Sk) == "SK");
  CHECK(error_notify(ParseError{ParseErrc::BadNesting, 0, PayloadType::Sa, "", false}) ==
        NotifyType::InvalidSyntax);
  CHECK_FALSE(error_notify(ParseError{ParseErrc::IntegrityFailed, 0, PayloadType::Sk, "", false}));
}

// Writes the sample messages as fuzz seeds: run with
//   KITE_CORPUS_DIR=test/fuzz/corpus/fuzz_ikev2_decode ikev2_codec_test "[.corpus]"
TEST_CASE("ikev2 codec: write fuzz seeds", "[.corpus]") {
  const char* dir = std::getenv("KITE_CORPUS_DIR");
  REQUIRE(dir);
  auto write = [&](const char* name, const Bytes& b) {
    std::ofstream(std::string(dir) + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  };
  write("seed_init_request", encode(samples::init_request()));
  write("seed_auth_inner", encode(samples::auth_request_inner()));
  write("seed_everything_else", encode(samples::everything_else()));
  write("seed_capture_init_request", from_hex(kCaptureInitRequest));
  write("seed_capture_init_response", from_hex(kCaptureInitResponse));
  write("seed_capture_informational", from_hex(kCaptureInformational));
}
