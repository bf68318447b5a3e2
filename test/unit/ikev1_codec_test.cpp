// IKEv1/ISAKMP codec: wire format, round trips, and hostile input
// (truncation, lying lengths, bad nesting, zero lengths, oversize).
#include <catch2/catch.hpp>

#include "ikev1_samples.hpp"
#include "libike/ikev1/codec/codec.hpp"

using namespace ike;
using namespace ike::v1;

namespace {

Bytes must_encode(const Message& m) {
  auto wire = encode(m);
  INFO((wire ? "" : to_string(wire.error())));
  REQUIRE(wire.ok());
  return *wire;
}

Message must_decode(ByteView wire) {
  auto m = decode(wire);
  INFO((m ? "" : to_string(m.error())));
  REQUIRE(m.ok());
  return *m;
}

ParseError decode_error(ByteView wire) {
  auto m = decode(wire);
  REQUIRE_FALSE(m.ok());
  return m.error();
}

void set_length(Bytes& wire) {
  auto n = static_cast<std::uint32_t>(wire.size());
  for (int i = 0; i < 4; ++i) wire[24 + i] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
}

// A message of one payload with the given raw body, header length fixed.
Bytes one_payload(PayloadType type, const Bytes& body) {
  Writer w;
  write_header(samples::header(kMainMode, false), type, 0, w);
  w.u8(0);
  w.u8(0);
  w.u16(static_cast<std::uint16_t>(body.size() + 4));
  w.bytes(body);
  Bytes out = w.take();
  set_length(out);
  return out;
}

// Main Mode message 1 written out by hand from RFC 2408 §3.1-3.6 and
// RFC 2409 App. A, independent of the encoder.
const char* kMainMode1Hex =
    "1122334455667788 0000000000000000 01 10 02 00 00000000 00000068"
    "0d 00 0038 00000001 00000001"                          // SA, next VID
    "00 00 002c 01 01 00 01"                                // P #1 ISAKMP, 1 transform
    "00 00 0024 01 01 0000"                                 // T #1 KEY_IKE
    "8001 0007 800e 0080 8002 0002 8003 0001 8004 000e"     // AES-128 SHA PSK MODP2048
    "800b 0001 800c 7080"                                   // 28800 seconds
    "00 00 0014 4a131c81070358455c5728f20e95452f";          // VID RFC 3947

}  // namespace

TEST_CASE("hand-written Main Mode 1 decodes into the expected structs and re-encodes byte-exact") {
  Bytes wire = from_hex(kMainMode1Hex);
  Message m = must_decode(wire);
  CHECK(m.header.exchange == kMainMode);
  CHECK(m.header.responder_cookie == Cookie{});
  REQUIRE(m.payloads.size() == 2);
  const auto& sa = std::get<SaPayload>(m.payloads[0]);
  CHECK(sa.doi == kDoiIpsec);
  CHECK(sa.situation == situation::kIdentityOnly);
  REQUIRE(sa.proposals.size() == 1);
  CHECK(sa.proposals[0].protocol == ProtocolId::Isakmp);
  CHECK(sa.proposals[0].spi.empty());
  REQUIRE(sa.proposals[0].transforms.size() == 1);
  const auto& attrs = sa.proposals[0].transforms[0].attributes;
  REQUIRE(attrs.size() == 7);
  CHECK(find(attrs, Phase1Attr::EncryptionAlgorithm)->as_integer() == 7u);
  CHECK(find(attrs, Phase1Attr::KeyLength)->as_integer() == 128u);
  CHECK(find(attrs, Phase1Attr::AuthenticationMethod)->basic_value ==
        static_cast<std::uint16_t>(AuthMethod::PreSharedKey));
  CHECK(find(attrs, Phase1Attr::LifeDuration)->as_integer() == 28800u);
  CHECK(std::get<VendorIdPayload>(m.payloads[1]).data ==
        from_hex("4a131c81070358455c5728f20e95452f"));
  CHECK(to_hex(sa_body_for_hash(sa)) == to_hex(ByteView(wire).subspan(32, 52)));
  CHECK(must_encode(m) == wire);
}

TEST_CASE("every payload type survives encode then decode") {
  std::vector<Payload> all = {
      samples::phase1_sa(true),
      samples::esp_sa(),
      KePayload{samples::filled(128, 1)},
      IdPayload::ipv4({10, 1, 2, 3}),
      IdPayload::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
      IdPayload::ipv4_subnet({10, 1, 0, 0}, {255, 255, 0, 0}),
      IdPayload::ipv6_subnet({0xfd, 1}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
      IdPayload::ipv4_range({10, 0, 0, 1}, {10, 0, 0, 9}),
      IdPayload::ipv6_range({0xfd, 1}, {0xfd, 2}),
      IdPayload::fqdn("vpn.example.net"),
      IdPayload::user_fqdn("ops@example.net"),
      IdPayload::key_id(as_bytes("group-key")),
      HashPayload{samples::filled(32, 2)},
      NoncePayload{samples::filled(24, 3)},
      NotificationPayload{kDoiIpsec, ProtocolId::Esp, NotifyType::InvalidSpi, {1, 2, 3, 4}, {}},
      NotificationPayload{kDoiIpsec, ProtocolId::Isakmp, NotifyType::NoProposalChosen, {}, {}},
      NotificationPayload{kDoiIpsec, ProtocolId::Esp, NotifyType::ResponderLifetime, {9, 9, 9, 9},
                          from_hex("80010001 00020004 00000e10")},
      NotificationPayload{kDoiIpsec, ProtocolId::Esp, NotifyType::ReplayStatus, {1, 1, 1, 1}, {0, 0, 0, 1}},
      make_dpd(NotifyType::RUThere, samples::filled(16, 4), 0x01020304),
      make_dpd(NotifyType::RUThereAck, samples::filled(16, 4), 0xfffffffe),
      DeletePayload{kDoiIpsec, ProtocolId::Esp, 4, {{1, 2, 3, 4}, {5, 6, 7, 8}}},
      DeletePayload{kDoiIpsec, ProtocolId::Isakmp, 16, {samples::filled(16, 5)}},
      VendorIdPayload{samples::filled(16, 6)},
      NatDPayload{samples::filled(20, 7), false},
      NatDPayload{samples::filled(20, 8), true},
      NatOaPayload{IdType::Ipv4Addr, {192, 0, 2, 1}, false},
      NatOaPayload{IdType::Ipv6Addr, samples::filled(16, 9), true},
      OpaquePayload{PayloadType::CertificateRequest, {4}},
  };
  for (const auto& p : all) {
    INFO("payload " << name(payload_type(p)));
    Message m{samples::header(ExchangeType::Informational, true, 7), {p}, {}};
    Bytes wire = must_encode(m);
    Message back = must_decode(wire);
    CHECK(back == m);
    CHECK(must_encode(back) == wire);
  }
}

TEST_CASE("Main Mode 1-6, Aggressive Mode 1-3 and Quick Mode 1 round trip") {
  std::vector<Message> msgs;
  for (int n = 1; n <= 6; ++n) msgs.push_back(samples::main_mode(n));
  for (int n = 1; n <= 3; ++n) msgs.push_back(samples::aggressive_mode(n));
  msgs.push_back(samples::quick_mode_1());
  for (const auto& m : msgs) {
    Bytes wire = must_encode(m);
    std::size_t declared = std::size_t{wire[24]} << 24 | std::size_t{wire[25]} << 16 |
                           std::size_t{wire[26]} << 8 | wire[27];
    CHECK(wire.size() == declared);
    Message back = must_decode(wire);
    CHECK(back == m);
    CHECK(must_encode(back) == wire);
  }
}

TEST_CASE("Quick Mode 1 exposes ESP proposal, lifetimes, subnets and NAT-OA") {
  Message m = must_decode(must_encode(samples::quick_mode_1()));
  CHECK(m.header.exchange == ExchangeType::QuickMode);
  CHECK(m.header.message_id == 0x5eed1234u);
  const auto* sa = find_payload<SaPayload>(m.payloads);
  REQUIRE(sa);
  const auto& p = sa->proposals.at(0);
  CHECK(p.protocol == ProtocolId::Esp);
  CHECK(p.spi == Bytes{0xc0, 0x01, 0xd0, 0x0d});
  CHECK(p.transforms.at(0).id == static_cast<std::uint8_t>(EspTransform::AesCbc));
  const auto& attrs = p.transforms.at(0).attributes;
  CHECK(attrs.at(3).as_integer() == 1843200u);
  CHECK_FALSE(attrs.at(3).basic);
  CHECK(find(attrs, IpsecAttr::EncapsulationMode)->basic_value ==
        static_cast<std::uint16_t>(EncapsulationMode::UdpTunnel));
  CHECK(find(p.transforms.at(1).attributes, IpsecAttr::EncapsulationMode)->basic_value ==
        static_cast<std::uint16_t>(EncapsulationMode::UdpTunnelDraft));
  auto ids = find_payloads<IdPayload>(m.payloads);
  REQUIRE(ids.size() == 2);
  CHECK(ids[0]->type == IdType::Ipv4AddrSubnet);
  CHECK(ids[0]->data == Bytes{192, 168, 1, 0, 255, 255, 255, 0});
  CHECK(ids[1]->data == Bytes{10, 0, 1, 0, 255, 255, 255, 0});
  CHECK(find_payload<NatOaPayload>(m.payloads)->address == Bytes{192, 0, 2, 10});
}

TEST_CASE("Life Duration as basic, 4-byte and odd-width variable attributes") {
  CHECK(DataAttribute::integer(12, 3600).basic);
  auto four = DataAttribute::integer(12, 86400);
  CHECK_FALSE(four.basic);
  CHECK(four.variable_value == from_hex("00015180"));
  CHECK(DataAttribute::integer(12, 1ull << 40).variable_value.size() == 8);
  // A peer may send any width: 3 bytes, leading zeros, 8 bytes.
  CHECK(DataAttribute::tlv(12, from_hex("015180")).as_integer() == 86400u);
  CHECK(DataAttribute::tlv(12, from_hex("0000000000015180")).as_integer() == 86400u);
  CHECK(DataAttribute::tlv(12, from_hex("000000000000000000015180")).as_integer() == 86400u);
  CHECK_FALSE(DataAttribute::tlv(12, from_hex("010000000000000000")).as_integer());
  CHECK_FALSE(DataAttribute::tlv(12, {}).as_integer());

  // Decoded from the wire: TLV Life Duration with a 3-byte value keeps its
  // form so that SAi_b hashes and re-encodes exactly.
  auto attrs = decode_attributes(from_hex("800b 0001 000c 0003 015180 800e 0100"), 0);
  REQUIRE(attrs.ok());
  REQUIRE(attrs->size() == 3);
  CHECK(attrs->at(1).variable_value == from_hex("015180"));
  CHECK(attrs->at(2).as_integer() == 256u);
  Writer w;
  REQUIRE(encode_attributes(*attrs, w).ok());
  CHECK(w.data() == from_hex("800b 0001 000c 0003 015180 800e 0100"));
  // A TLV whose length runs past the transform.
  auto bad = decode_attributes(from_hex("000c 0008 00015180"), 100);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ParseErrc::Truncated);
  CHECK(bad.error().offset == 100);
}

TEST_CASE("every truncated prefix is an error, never a crash") {
  std::vector<Message> msgs = {samples::main_mode(1), samples::main_mode(5),
                               samples::aggressive_mode(2), samples::quick_mode_1()};
  for (const auto& m : msgs) {
    Bytes wire = must_encode(m);
    for (std::size_t n = 0; n < wire.size(); ++n) {
      Bytes prefix(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
      CHECK_FALSE(decode(prefix).ok());
      if (n < kHeaderSize) continue;
      set_length(prefix);  // the header agrees: the payloads must catch it
      auto r = decode(prefix);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().offset <= n);
    }
  }
}

TEST_CASE("header checks: version, length, E flag") {
  Bytes wire = from_hex(kMainMode1Hex);
  Bytes v = wire;
  v[17] = 0x20;
  CHECK(decode_error(v).code == ParseErrc::BadVersion);
  CHECK(to_notify(decode_error(v)) == NotifyType::InvalidMajorVersion);
  v[17] = 0x11;
  CHECK(decode_error(v).code == ParseErrc::BadVersion);
  Bytes longer = wire;
  longer.push_back(0);
  CHECK(decode_error(longer).code == ParseErrc::BadLength);
  set_length(longer);
  auto trailing = decode_error(longer);
  CHECK(trailing.code == ParseErrc::BadLength);
  CHECK(trailing.offset == wire.size());
  Bytes e = wire;
  e[19] = flags::kEncryption;
  CHECK(decode_error(e).code == ParseErrc::BadValue);
  Message m = samples::main_mode(1);
  m.header.flags = flags::kEncryption;
  CHECK_FALSE(encode(m).ok());
}

TEST_CASE("lying payload lengths") {
  Bytes wire = from_hex(kMainMode1Hex);
  SECTION("SA claims more than the message holds") {
    wire[30] = 0x01;
    auto e = decode_error(wire);
    CHECK(e.code == ParseErrc::Truncated);
    CHECK(e.offset == 28);
    CHECK(e.payload == PayloadType::SecurityAssociation);
  }
  SECTION("SA claims less: the proposal runs past it") {
    wire[31] = 0x30;
    CHECK(decode_error(wire).code == ParseErrc::BadNesting);
  }
  SECTION("payload length below the generic header") {
    wire[31] = 0x03;
    wire[30] = 0x00;
    CHECK(decode_error(wire).code == ParseErrc::BadLength);
  }
  SECTION("zero length") {
    wire[30] = 0;
    wire[31] = 0;
    auto e = decode_error(wire);
    CHECK(e.code == ParseErrc::ZeroLength);
    CHECK(to_notify(e) == NotifyType::BadProposalSyntax);
  }
  SECTION("transform runs past its proposal") {
    wire[50] = 0x00;
    wire[51] = 0x30;
    auto e = decode_error(wire);
    CHECK(e.code == ParseErrc::BadNesting);
    CHECK(e.payload == PayloadType::Transform);
  }
  SECTION("transform count larger than the transforms present") {
    wire[47] = 0x02;
    CHECK(decode_error(wire).code == ParseErrc::BadNesting);
  }
  SECTION("transform chain says more follow") {
    wire[48] = 0x03;
    CHECK(decode_error(wire).code == ParseErrc::BadNesting);
  }
  SECTION("proposal chained with a non-proposal type") {
    wire[40] = 0x05;
    CHECK(decode_error(wire).code == ParseErrc::BadNesting);
  }
  SECTION("transform zero length inside a proposal") {
    wire[50] = 0;
    wire[51] = 0;
    CHECK(decode_error(wire).code == ParseErrc::ZeroLength);
  }
}

TEST_CASE("nesting and unknown payload types at top level") {
  auto e = decode_error(one_payload(PayloadType::Proposal, from_hex("01010001")));
  CHECK(e.code == ParseErrc::BadNesting);
  auto u = decode_error(one_payload(static_cast<PayloadType>(99), from_hex("00")));
  CHECK(u.code == ParseErrc::UnknownPayload);
  CHECK(static_cast<int>(u.payload) == 99);
  CHECK(to_notify(u) == NotifyType::InvalidPayloadType);
  CHECK(to_string(u).find("unknown payload") != std::string::npos);
}

TEST_CASE("SA DOI and situation, ID sizes, delete and NAT-OA shapes") {
  Writer sa;
  REQUIRE(encode_sa_body(samples::phase1_sa(false), sa).ok());
  Bytes body = sa.take();
  body[3] = 2;
  CHECK(decode_error(one_payload(PayloadType::SecurityAssociation, body)).code == ParseErrc::BadDoi);
  body[3] = 1;
  body[7] = 3;
  auto sit = decode_error(one_payload(PayloadType::SecurityAssociation, body));
  CHECK(sit.code == ParseErrc::BadSituation);
  CHECK(to_notify(sit) == NotifyType::SituationNotSupported);
  CHECK(decode_error(one_payload(PayloadType::SecurityAssociation, from_hex("00000001 00000001")))
            .code == ParseErrc::BadNesting);

  auto id = decode_error(one_payload(PayloadType::Identification, from_hex("01000000 0a0000")));
  CHECK(id.code == ParseErrc::BadLength);
  CHECK(to_notify(id) == NotifyType::InvalidIdInformation);
  CHECK(decode_error(one_payload(PayloadType::Identification, from_hex("010000"))).code ==
        ParseErrc::BadLength);

  CHECK(decode_error(one_payload(PayloadType::Delete, from_hex("00000001 03 04 0002 01020304")))
            .code == ParseErrc::BadLength);
  CHECK(decode_error(one_payload(PayloadType::Delete, from_hex("00000001 03 00 0002"))).code ==
        ParseErrc::BadValue);
  CHECK(decode_error(one_payload(PayloadType::NatOa, from_hex("04000000 0a000000 ffffff00")))
            .code == ParseErrc::BadValue);
  CHECK(decode_error(one_payload(PayloadType::NatOa, from_hex("01000000 0a0000"))).code ==
        ParseErrc::BadLength);
  CHECK(decode_error(one_payload(PayloadType::Notification, from_hex("00000001 03 08 000b 0102")))
            .code == ParseErrc::BadLength);

  Message bad{samples::header(kMainMode, false), {IdPayload{IdType::Ipv4Addr, 0, 0, {1, 2}, {}}}, {}};
  CHECK(encode(bad).error().code == ParseErrc::BadValue);
}

TEST_CASE("oversize: too many payloads, proposals, long payloads") {
  Message many{samples::header(kMainMode, false), {}, {}};
  for (std::size_t i = 0; i <= kMaxPayloads; ++i) many.payloads.push_back(samples::vid(1));
  CHECK(encode(many).error().code == ParseErrc::Oversize);
  many.payloads.pop_back();
  Bytes wire = must_encode(many);
  CHECK(must_decode(wire).payloads.size() == kMaxPayloads);
  // One more VID appended by hand: the decoder refuses the 65th payload.
  wire[kHeaderSize + (kMaxPayloads - 1) * 20] = static_cast<std::uint8_t>(PayloadType::VendorId);
  Bytes extra = from_hex("00000014");
  extra.resize(20, 0xab);
  wire.insert(wire.end(), extra.begin(), extra.end());
  set_length(wire);
  CHECK(decode_error(wire).code == ParseErrc::Oversize);

  Message huge{samples::header(kMainMode, false), {KePayload{Bytes(70000, 1)}}, {}};
  CHECK(encode(huge).error().code == ParseErrc::Oversize);

  SaPayload sa = samples::phase1_sa(false);
  sa.proposals.resize(kMaxProposals + 1, sa.proposals[0]);
  Message props{samples::header(kMainMode, false), {sa}, {}};
  Bytes pw = must_encode(props);
  CHECK(decode_error(pw).code == ParseErrc::Oversize);

  Bytes big(kMaxMessageSize + 1, 0);
  Bytes head = from_hex(kMainMode1Hex);
  std::copy(head.begin(), head.begin() + kHeaderSize, big.begin());
  set_length(big);
  CHECK(decode_error(big).code == ParseErrc::Oversize);
}

TEST_CASE("HASH_I/HASH_R inputs use the received SA and ID bodies") {
  // A peer's SA with a 3-byte Life Duration: our encoder would never produce
  // these bytes, and SAi_b must still be them.
  Bytes body = from_hex(
      "00000001 00000001"
      "00 00 0017 01 01 00 01"
      "00 00 000f 01 01 0000 000c 0003 015180");
  Bytes wire = one_payload(PayloadType::SecurityAssociation, body);
  Message m = must_decode(wire);
  const auto& sa = std::get<SaPayload>(m.payloads[0]);
  CHECK(sa_body_for_hash(sa) == body);
  SaPayload copy = sa;
  copy.received_body = {};
  CHECK(sa_body_for_hash(copy) == body);  // same bytes: attribute form kept

  Bytes id_body = from_hex("02 11 01f4");
  auto name = as_bytes("gw.example");
  id_body.insert(id_body.end(), name.begin(), name.end());
  Message idm = must_decode(one_payload(PayloadType::Identification, id_body));
  const auto& id = std::get<IdPayload>(idm.payloads[0]);
  CHECK(id.protocol == 17);
  CHECK(id.port == 500);
  CHECK(id_body_for_hash(id) == id_body);
  CHECK(id_body_for_hash(IdPayload::fqdn("gw.example")) == from_hex("02000000 67772e6578616d706c65"));

  Cookie ci{1, 1, 1, 1, 1, 1, 1, 1}, cr{2, 2, 2, 2, 2, 2, 2, 2};
  Bytes gxi{0xa}, gxr{0xb}, sai{0xc}, idb{0xd};
  CHECK(hash_i_input(gxi, gxr, ci, cr, sai, idb) ==
        from_hex("0a0b 0101010101010101 0202020202020202 0c0d"));
  CHECK(hash_r_input(gxi, gxr, ci, cr, sai, idb) ==
        from_hex("0b0a 0202020202020202 0101010101010101 0c0d"));
  CHECK(nat_d_input(ci, cr, Bytes{192, 0, 2, 1}, 4500) ==
        from_hex("0101010101010101 0202020202020202 c0000201 1194"));
}

TEST_CASE("Quick Mode HASH(1): prepend_hash and bytes_after_hash agree") {
  Message qm = samples::quick_mode_1();
  std::vector<Payload> rest(qm.payloads.begin() + 1, qm.payloads.end());
  Bytes seen;
  auto built = prepend_hash(rest, [&](ByteView following) {
    seen.assign(following.begin(), following.end());
    return quick_hash1_input(qm.header.message_id, following);  // stand-in for the prf
  });
  REQUIRE(built.ok());
  Message out{qm.header, *built, {}};
  Bytes wire = must_encode(out);
  // The bytes after the HASH payload on the wire are exactly what was hashed.
  auto hash_len = std::get<HashPayload>(out.payloads[0]).data.size() + 4;
  CHECK(Bytes(wire.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + hash_len), wire.end()) == seen);
  CHECK(*bytes_after_hash(out) == seen);

  Message in = must_decode(wire);
  CHECK(*bytes_after_hash(in) == seen);
  CHECK(std::get<HashPayload>(in.payloads[0]).data == quick_hash1_input(0x5eed1234, seen));
  CHECK(quick_hash2_input(1, Bytes{9}, Bytes{8}) == from_hex("00000001 09 08"));
  CHECK(quick_hash3_input(1, Bytes{9}, Bytes{8}) == from_hex("00 00000001 09 08"));

  Message hash_last{qm.header, {HashPayload{{1, 2}}}, {}};
  CHECK(bytes_after_hash(must_decode(must_encode(hash_last)))->empty());
  Message no_hash{qm.header, rest, {}};
  CHECK(bytes_after_hash(no_hash).error().code == ParseErrc::BadNesting);
}

TEST_CASE("DPD notify sequence and error names") {
  auto n = make_dpd(NotifyType::RUThere, samples::filled(16, 1), 42);
  CHECK(n.protocol == ProtocolId::Isakmp);
  CHECK(dpd_sequence(n) == 42u);
  n.data.pop_back();
  CHECK_FALSE(dpd_sequence(n));
  CHECK(name(NotifyType::RUThereAck) == "R-U-THERE-ACK");
  CHECK(name(static_cast<NotifyType>(36136)) == "R-U-THERE");
  CHECK(static_cast<int>(NotifyType::InitialContact) == 24578);
  CHECK(static_cast<int>(NotifyType::ResponderLifetime) == 24576);
  CHECK(is_error(NotifyType::AuthenticationFailed));
  CHECK_FALSE(is_error(NotifyType::InitialContact));
  CHECK(name(ExchangeType::QuickMode) == "QUICK");
  ParseError e{ParseErrc::Truncated, 44, PayloadType::SecurityAssociation, "proposal header", true};
  CHECK(to_string(e) ==
        "ikev1: truncated in SA payload (type 1) at offset 44: proposal header (after decryption: wrong key?)");
  CHECK(to_notify(e) == NotifyType::BadProposalSyntax);
}
