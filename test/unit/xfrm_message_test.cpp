// xfrm/messages: the exact netlink bytes kite sends to XFRM. Messages are
// decoded here with the kernel's own uapi structs and a walker written
// independently of xfrm/netlink.cpp, so a layout mistake cannot cancel out.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <string>

#include "xfrm/algorithms.hpp"
#include "xfrm/messages.hpp"
#include "xfrm/ownership.hpp"

using namespace kite::xfrm;
using ike::Bytes;
using ike::crypto::EncrAlg;
using ike::crypto::IntegAlg;

namespace {

ike::IpAddress ip(const char* s) { return *ike::IpAddress::parse(s); }
ike::Subnet net(const char* s) { return *ike::Subnet::parse(s); }

// A decoded message: header, fixed part of `Fixed`, attributes by type.
template <typename Fixed>
struct Decoded {
  nlmsghdr header{};
  Fixed fixed{};
  std::map<int, Bytes> attrs;
  bool has(int type) const { return attrs.count(type) > 0; }
  template <typename T>
  T attr(int type) const {
    REQUIRE(attrs.at(type).size() >= sizeof(T));
    T v;
    std::memcpy(&v, attrs.at(type).data(), sizeof(T));
    return v;
  }
};

std::size_t pad4(std::size_t n) { return (n + 3) / 4 * 4; }

template <typename Fixed>
Decoded<Fixed> decode(const Bytes& msg, std::size_t fixed_size = sizeof(Fixed)) {
  Decoded<Fixed> d;
  REQUIRE(msg.size() >= 16);
  std::memcpy(&d.header, msg.data(), 16);
  REQUIRE(d.header.nlmsg_len == msg.size());
  REQUIRE(msg.size() % 4 == 0);
  std::size_t at = 16;
  if (fixed_size > 0) {
    REQUIRE(msg.size() >= at + fixed_size);
    std::memcpy(&d.fixed, msg.data() + at, fixed_size);
    at += pad4(fixed_size);
  }
  while (at < msg.size()) {
    std::uint16_t len = 0, type = 0;
    std::memcpy(&len, &msg[at], 2);
    std::memcpy(&type, &msg[at + 2], 2);
    REQUIRE(len >= 4);
    REQUIRE(at + len <= msg.size());
    REQUIRE(d.attrs.count(type) == 0);  // kite never repeats an attribute
    d.attrs[type] = Bytes(msg.begin() + static_cast<long>(at) + 4, msg.begin() + static_cast<long>(at + len));
    at += pad4(len);
  }
  REQUIRE(at == msg.size());
  return d;
}

Bytes key_of(std::size_t n, std::uint8_t first) {
  Bytes k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = static_cast<std::uint8_t>(first + i);
  return k;
}

ike::EspSa cbc_sa(EncrAlg enc, IntegAlg integ) {
  ike::EspSa sa;
  sa.id = {ip("192.0.2.2"), 0xc0001234};
  sa.src = ip("192.0.2.1");
  sa.reqid = kOwnedReqidFirst + 7;
  sa.encryption = enc;
  sa.encryption_key = ike::Secret(key_of(kernel_algorithm(enc).key_bytes, 0x10));
  sa.integrity = integ;
  sa.integrity_key = ike::Secret(key_of(kernel_algorithm(integ).key_bytes, 0x80));
  sa.tunnel = "t1";
  return sa;
}

ike::EspSa aead_sa(EncrAlg enc) {
  auto sa = cbc_sa(enc, IntegAlg::HmacSha256_128);
  sa.integrity.reset();
  sa.integrity_key = {};
  return sa;
}

// The expected payload of an xfrm_algo-style attribute: 64-byte name,
// then the u32 fields, then the key.
Bytes algo_payload(const char* name, std::initializer_list<std::uint32_t> fields, const Bytes& key) {
  Bytes out(64, 0);
  std::memcpy(out.data(), name, std::strlen(name));
  for (auto f : fields) {
    std::uint8_t raw[4];
    std::memcpy(raw, &f, 4);
    out.insert(out.end(), raw, raw + 4);
  }
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

Decoded<xfrm_usersa_info> built_sa(const ike::EspSa& sa) {
  auto msg = build_add_sa(sa);
  REQUIRE(msg.ok());
  return decode<xfrm_usersa_info>(*msg);
}

}  // namespace

TEST_CASE("ALLOCSPI asks for a larval tunnel-mode ESP SA in kite's SPI range") {
  auto msg = build_allocspi(ip("198.51.100.7"), ip("192.0.2.1"), 0x6b690003);
  auto d = decode<xfrm_userspi_info>(msg);
  CHECK(d.header.nlmsg_type == XFRM_MSG_ALLOCSPI);
  CHECK(d.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK(d.header.nlmsg_seq == 0);
  CHECK(msg.size() == 16 + pad4(sizeof(xfrm_userspi_info)));
  CHECK(d.fixed.info.id.daddr.a4 == htonl(0xc0000201));
  CHECK(d.fixed.info.saddr.a4 == htonl(0xc6336407));
  CHECK(d.fixed.info.id.proto == IPPROTO_ESP);
  CHECK(d.fixed.info.id.spi == 0);
  CHECK(d.fixed.info.family == AF_INET);
  CHECK(d.fixed.info.mode == XFRM_MODE_TUNNEL);
  CHECK(d.fixed.info.reqid == 0x6b690003);
  CHECK(d.fixed.min == 0xc0000000);
  CHECK(d.fixed.max == 0xcfffffff);
  CHECK(d.attrs.empty());
}

TEST_CASE("SM4-CBC with HMAC-SM3-128: exact algorithm attributes") {
  auto sa = cbc_sa(EncrAlg::Sm4Cbc, IntegAlg::HmacSm3_128);
  auto msg = build_add_sa(sa);
  REQUIRE(msg.ok());
  auto d = decode<xfrm_usersa_info>(*msg);
  CHECK(d.header.nlmsg_type == XFRM_MSG_NEWSA);
  REQUIRE(d.has(XFRMA_ALG_CRYPT));
  REQUIRE(d.has(XFRMA_ALG_AUTH_TRUNC));
  CHECK_FALSE(d.has(XFRMA_ALG_AEAD));
  CHECK_FALSE(d.has(XFRMA_ALG_AUTH));
  CHECK(d.attrs[XFRMA_ALG_CRYPT] == algo_payload("cbc(sm4)", {128}, key_of(16, 0x10)));
  CHECK(d.attrs[XFRMA_ALG_AUTH_TRUNC] == algo_payload("hmac(sm3)", {256, 128}, key_of(32, 0x80)));
  // The attribute headers on the wire: nla_len 4+64+4+16 = 88, type 2;
  // 4+64+8+32 = 108, type 20 (XFRMA_ALG_AUTH_TRUNC).
  auto at = 16 + pad4(sizeof(xfrm_usersa_info));
  CHECK(Bytes(msg->begin() + static_cast<long>(at), msg->begin() + static_cast<long>(at + 4)) ==
        Bytes{88, 0, 2, 0});
  CHECK(Bytes(msg->begin() + static_cast<long>(at + 88), msg->begin() + static_cast<long>(at + 92)) ==
        Bytes{108, 0, 20, 0});
}

TEST_CASE("every CBC cipher maps to its kernel name and key bits") {
  struct Case {
    EncrAlg alg;
    const char* name;
    std::uint32_t bits;
  };
  auto c = GENERATE(Case{EncrAlg::DesCbc, "cbc(des)", 64}, Case{EncrAlg::TripleDesCbc, "cbc(des3_ede)", 192},
                    Case{EncrAlg::Aes128Cbc, "cbc(aes)", 128}, Case{EncrAlg::Aes192Cbc, "cbc(aes)", 192},
                    Case{EncrAlg::Aes256Cbc, "cbc(aes)", 256}, Case{EncrAlg::Sm4Cbc, "cbc(sm4)", 128});
  auto d = built_sa(cbc_sa(c.alg, IntegAlg::HmacSha1_96));
  CHECK(d.attrs[XFRMA_ALG_CRYPT] == algo_payload(c.name, {c.bits}, key_of(c.bits / 8, 0x10)));
}

TEST_CASE("every integrity algorithm maps to its kernel name, key and truncation") {
  struct Case {
    IntegAlg alg;
    const char* name;
    std::uint32_t key_bits, trunc_bits;
  };
  auto c = GENERATE(Case{IntegAlg::HmacMd5_96, "hmac(md5)", 128, 96},
                    Case{IntegAlg::HmacSha1_96, "hmac(sha1)", 160, 96},
                    Case{IntegAlg::HmacSha256_128, "hmac(sha256)", 256, 128},
                    Case{IntegAlg::HmacSha384_192, "hmac(sha384)", 384, 192},
                    Case{IntegAlg::HmacSha512_256, "hmac(sha512)", 512, 256},
                    Case{IntegAlg::HmacSm3_128, "hmac(sm3)", 256, 128},
                    Case{IntegAlg::AesXcbc96, "xcbc(aes)", 128, 96},
                    Case{IntegAlg::AesCmac96, "cmac(aes)", 128, 96});
  auto d = built_sa(cbc_sa(EncrAlg::TripleDesCbc, c.alg));
  CHECK(d.attrs[XFRMA_ALG_AUTH_TRUNC] ==
        algo_payload(c.name, {c.key_bits, c.trunc_bits}, key_of(c.key_bits / 8, 0x80)));
}

TEST_CASE("AES-GCM: rfc4106(gcm(aes)), key bits include the 4-byte salt, ICV bits") {
  struct Case {
    EncrAlg alg;
    std::uint32_t key_bits, icv_bits;
  };
  auto c = GENERATE(Case{EncrAlg::Aes128Gcm16, 160, 128}, Case{EncrAlg::Aes256Gcm16, 288, 128},
                    Case{EncrAlg::Aes128Gcm12, 160, 96}, Case{EncrAlg::Aes256Gcm12, 288, 96},
                    Case{EncrAlg::Aes128Gcm8, 160, 64}, Case{EncrAlg::Aes256Gcm8, 288, 64});
  auto d = built_sa(aead_sa(c.alg));
  CHECK_FALSE(d.has(XFRMA_ALG_CRYPT));
  CHECK_FALSE(d.has(XFRMA_ALG_AUTH_TRUNC));
  CHECK(d.attrs[XFRMA_ALG_AEAD] ==
        algo_payload("rfc4106(gcm(aes))", {c.key_bits, c.icv_bits}, key_of(c.key_bits / 8, 0x10)));
}

TEST_CASE("ChaCha20-Poly1305: rfc7539esp, 256-bit key + salt, 128-bit ICV") {
  auto d = built_sa(aead_sa(EncrAlg::ChaCha20Poly1305));
  CHECK(d.attrs[XFRMA_ALG_AEAD] ==
        algo_payload("rfc7539esp(chacha20,poly1305)", {288, 128}, key_of(36, 0x10)));
}

TEST_CASE("the SA header: tunnel mode, addresses, SPI in network order, reqid") {
  auto sa = cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128);
  sa.selector_src = net("10.1.0.0/24");
  sa.selector_dst = net("10.2.0.0/16");
  auto d = built_sa(sa);
  const auto& i = d.fixed;
  CHECK(d.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK(i.id.daddr.a4 == htonl(0xc0000202));
  CHECK(i.saddr.a4 == htonl(0xc0000201));
  CHECK(i.id.spi == htonl(0xc0001234));
  CHECK(i.id.proto == IPPROTO_ESP);
  CHECK(i.family == AF_INET);
  CHECK(i.mode == XFRM_MODE_TUNNEL);
  CHECK(i.reqid == kOwnedReqidFirst + 7);
  CHECK(i.replay_window == 32);
  CHECK(i.flags == 0);
  CHECK(i.sel.family == AF_INET);
  CHECK(i.sel.saddr.a4 == htonl(0x0a010000));
  CHECK(i.sel.daddr.a4 == htonl(0x0a020000));
  CHECK(i.sel.prefixlen_s == 24);
  CHECK(i.sel.prefixlen_d == 16);
  CHECK(i.sel.proto == 0);
  CHECK_FALSE(d.has(XFRMA_ENCAP));
  CHECK_FALSE(d.has(XFRMA_MARK));
  CHECK_FALSE(d.has(XFRMA_IF_ID));
  CHECK_FALSE(d.has(XFRMA_REPLAY_ESN_VAL));
}

TEST_CASE("without a single selector the SA accepts any inner family") {
  auto d = built_sa(cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128));
  CHECK(d.fixed.sel.family == AF_UNSPEC);
  CHECK((d.fixed.flags & XFRM_STATE_AF_UNSPEC) != 0);
}

TEST_CASE("inbound SAs complete the larval SA with UPDSA") {
  auto sa = cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128);
  sa.inbound = true;
  CHECK(built_sa(sa).header.nlmsg_type == XFRM_MSG_UPDSA);
}

TEST_CASE("IPv6 SA addresses fill all 16 bytes") {
  auto sa = cbc_sa(EncrAlg::Aes256Gcm16, IntegAlg::HmacSha256_128);
  sa.integrity.reset();
  sa.id.dst = ip("2001:db8::2");
  sa.src = ip("2001:db8::1");
  sa.selector_src = net("fd00:1::/64");
  sa.selector_dst = net("fd00:2::/48");
  auto d = built_sa(sa);
  CHECK(d.fixed.family == AF_INET6);
  CHECK(std::memcmp(&d.fixed.id.daddr, ip("2001:db8::2").bytes().data(), 16) == 0);
  CHECK(std::memcmp(&d.fixed.saddr, ip("2001:db8::1").bytes().data(), 16) == 0);
  CHECK(d.fixed.sel.family == AF_INET6);
  CHECK(d.fixed.sel.prefixlen_s == 64);
  CHECK(d.fixed.sel.prefixlen_d == 48);
}

TEST_CASE("UDP encapsulation: ESP-in-UDP with ports in network order") {
  auto sa = cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128);
  sa.encap = ike::UdpEncap{4500, 31337};
  auto encap = built_sa(sa).attr<xfrm_encap_tmpl>(XFRMA_ENCAP);
  CHECK(encap.encap_type == UDP_ENCAP_ESPINUDP);
  CHECK(encap.encap_sport == htons(4500));
  CHECK(encap.encap_dport == htons(31337));
  xfrm_address_t zero{};
  CHECK(std::memcmp(&encap.encap_oa, &zero, sizeof zero) == 0);
}

TEST_CASE("lifetimes: seconds as add_expires, bytes as limits, 0 is unlimited") {
  auto sa = cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128);
  SECTION("all set") {
    sa.lifetime = {3240, 3600, 1700000000, 1887436800};
    auto lft = built_sa(sa).fixed.lft;
    CHECK(lft.soft_add_expires_seconds == 3240);
    CHECK(lft.hard_add_expires_seconds == 3600);
    CHECK(lft.soft_byte_limit == 1700000000);
    CHECK(lft.hard_byte_limit == 1887436800);
    CHECK(lft.soft_packet_limit == XFRM_INF);
    CHECK(lft.hard_packet_limit == XFRM_INF);
    CHECK(lft.soft_use_expires_seconds == 0);
    CHECK(lft.hard_use_expires_seconds == 0);
  }
  SECTION("none set") {
    auto lft = built_sa(sa).fixed.lft;
    CHECK(lft.soft_add_expires_seconds == 0);
    CHECK(lft.hard_add_expires_seconds == 0);
    CHECK(lft.soft_byte_limit == XFRM_INF);
    CHECK(lft.hard_byte_limit == XFRM_INF);
  }
}

TEST_CASE("ESN and large windows use XFRMA_REPLAY_ESN_VAL with a bitmap") {
  auto sa = cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128);
  SECTION("ESN with the default window") {
    sa.esn = true;
    auto d = built_sa(sa);
    CHECK((d.fixed.flags & XFRM_STATE_ESN) != 0);
    CHECK(d.fixed.replay_window == 0);
    auto esn = d.attr<xfrm_replay_state_esn>(XFRMA_REPLAY_ESN_VAL);
    CHECK(esn.bmp_len == 1);
    CHECK(esn.replay_window == 32);
    CHECK(esn.seq == 0);
    CHECK(esn.oseq == 0);
    CHECK(d.attrs[XFRMA_REPLAY_ESN_VAL].size() == sizeof(xfrm_replay_state_esn) + 4);
  }
  SECTION("a 1024-packet window without ESN") {
    sa.replay_window = 1024;
    auto d = built_sa(sa);
    CHECK((d.fixed.flags & XFRM_STATE_ESN) == 0);
    CHECK(d.fixed.replay_window == 0);
    auto esn = d.attr<xfrm_replay_state_esn>(XFRMA_REPLAY_ESN_VAL);
    CHECK(esn.bmp_len == 32);
    CHECK(esn.replay_window == 1024);
    CHECK(d.attrs[XFRMA_REPLAY_ESN_VAL].size() == sizeof(xfrm_replay_state_esn) + 128);
  }
  SECTION("ESN with window 0 still gets the minimum window of 1") {
    sa.esn = true;
    sa.replay_window = 0;
    CHECK(built_sa(sa).attr<xfrm_replay_state_esn>(XFRMA_REPLAY_ESN_VAL).replay_window == 1);
  }
  SECTION("window 0 without ESN disables replay protection") {
    sa.replay_window = 0;
    auto d = built_sa(sa);
    CHECK(d.fixed.replay_window == 0);
    CHECK_FALSE(d.has(XFRMA_REPLAY_ESN_VAL));
  }
}

TEST_CASE("route mode: mark and if_id attributes only when set") {
  auto sa = cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128);
  sa.mark = 0x2a;
  sa.if_id = 7;
  auto d = built_sa(sa);
  auto mark = d.attr<xfrm_mark>(XFRMA_MARK);
  CHECK(mark.v == 0x2a);
  CHECK(mark.m == 0xffffffff);
  CHECK(d.attr<std::uint32_t>(XFRMA_IF_ID) == 7);
}

TEST_CASE("SAs the kernel would reject fail before anything is sent") {
  auto sa = cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128);
  SECTION("short encryption key") {
    sa.encryption_key = ike::Secret(key_of(15, 0));
    auto r = build_add_sa(sa);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "encryption key for cbc(aes) must be 16 bytes, not 15");
  }
  SECTION("GCM key without its salt") {
    sa = aead_sa(EncrAlg::Aes128Gcm16);
    sa.encryption_key = ike::Secret(key_of(16, 0));
    CHECK_FALSE(build_add_sa(sa).ok());
  }
  SECTION("wrong integrity key") {
    sa.integrity_key = ike::Secret(key_of(20, 0));
    CHECK_FALSE(build_add_sa(sa).ok());
  }
  SECTION("AEAD plus integrity") {
    sa = aead_sa(EncrAlg::ChaCha20Poly1305);
    sa.integrity = IntegAlg::HmacSha256_128;
    sa.integrity_key = ike::Secret(key_of(32, 0));
    CHECK_FALSE(build_add_sa(sa).ok());
  }
  SECTION("CBC without integrity") {
    sa.integrity.reset();
    CHECK_FALSE(build_add_sa(sa).ok());
  }
  SECTION("SPI 0") {
    sa.id.spi = 0;
    CHECK_FALSE(build_add_sa(sa).ok());
  }
  SECTION("mixed outer families") {
    sa.src = ip("2001:db8::1");
    CHECK_FALSE(build_add_sa(sa).ok());
  }
  SECTION("window beyond the kernel's maximum") {
    sa.replay_window = 4097;
    CHECK_FALSE(build_add_sa(sa).ok());
  }
}

TEST_CASE("DELSA and GETSA address the SA by daddr, SPI and ESP") {
  ike::SaId id{ip("2001:db8::9"), 0xc0000042};
  for (bool get : {false, true}) {
    auto msg = get ? build_get_sa(id) : build_delete_sa(id);
    auto d = decode<xfrm_usersa_id>(msg);
    CHECK(d.header.nlmsg_type == (get ? XFRM_MSG_GETSA : XFRM_MSG_DELSA));
    CHECK(d.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
    CHECK(std::memcmp(&d.fixed.daddr, id.dst.bytes().data(), 16) == 0);
    CHECK(d.fixed.spi == htonl(0xc0000042));
    CHECK(d.fixed.family == AF_INET6);
    CHECK(d.fixed.proto == IPPROTO_ESP);
    CHECK(d.attrs.empty());
  }
  auto marked = decode<xfrm_usersa_id>(build_delete_sa(id, 9));
  CHECK(marked.attr<xfrm_mark>(XFRMA_MARK).v == 9);
}

namespace {

ike::Policy policy(const char* src, const char* dst, ike::Direction dir, const char* outer_src,
                   const char* outer_dst) {
  ike::Policy p;
  p.id = {net(src), net(dst), dir, 0, 0};
  p.tmpl_src = ip(outer_src);
  p.tmpl_dst = ip(outer_dst);
  p.reqid = kOwnedReqidFirst + 3;
  p.tunnel = "t1";
  return p;
}

Decoded<xfrm_userpolicy_info> built_policy(const ike::Policy& p, bool update = false) {
  auto msg = build_add_policy(p, update);
  REQUIRE(msg.ok());
  return decode<xfrm_userpolicy_info>(*msg);
}

}  // namespace

TEST_CASE("IPv4 policy: selector, direction, allow, one ESP tunnel template") {
  auto p = policy("10.1.0.0/24", "10.2.0.0/16", ike::Direction::Out, "192.0.2.1", "192.0.2.2");
  auto d = built_policy(p);
  CHECK(d.header.nlmsg_type == XFRM_MSG_NEWPOLICY);
  CHECK(d.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
  const auto& i = d.fixed;
  CHECK(i.sel.family == AF_INET);
  CHECK(i.sel.saddr.a4 == htonl(0x0a010000));
  CHECK(i.sel.daddr.a4 == htonl(0x0a020000));
  CHECK(i.sel.prefixlen_s == 24);
  CHECK(i.sel.prefixlen_d == 16);
  CHECK(i.dir == XFRM_POLICY_OUT);
  CHECK(i.action == XFRM_POLICY_ALLOW);
  CHECK(i.priority == default_priority(p.id));
  CHECK(i.lft.hard_byte_limit == XFRM_INF);
  CHECK(i.lft.hard_add_expires_seconds == 0);
  REQUIRE(d.attrs[XFRMA_TMPL].size() == sizeof(xfrm_user_tmpl));
  auto t = d.attr<xfrm_user_tmpl>(XFRMA_TMPL);
  CHECK(t.id.daddr.a4 == htonl(0xc0000202));
  CHECK(t.saddr.a4 == htonl(0xc0000201));
  CHECK(t.id.proto == IPPROTO_ESP);
  CHECK(t.id.spi == 0);
  CHECK(t.family == AF_INET);
  CHECK(t.reqid == kOwnedReqidFirst + 3);
  CHECK(t.mode == XFRM_MODE_TUNNEL);
  CHECK(t.optional == 0);
  CHECK(t.aalgos == 0xffffffff);
  CHECK(t.ealgos == 0xffffffff);
  CHECK(t.calgos == 0xffffffff);
  CHECK(d.attrs.size() == 1);
}

TEST_CASE("IPv6 policies in and fwd, IPv6 inside IPv4, update and explicit priority") {
  auto p = policy("fd00:2::/48", "fd00:1::/64", ike::Direction::In, "198.51.100.2", "198.51.100.1");
  p.priority = 77;
  auto d = built_policy(p, true);
  CHECK(d.header.nlmsg_type == XFRM_MSG_UPDPOLICY);
  CHECK(d.fixed.sel.family == AF_INET6);
  CHECK(std::memcmp(&d.fixed.sel.saddr, ip("fd00:2::").bytes().data(), 16) == 0);
  CHECK(std::memcmp(&d.fixed.sel.daddr, ip("fd00:1::").bytes().data(), 16) == 0);
  CHECK(d.fixed.sel.prefixlen_s == 48);
  CHECK(d.fixed.sel.prefixlen_d == 64);
  CHECK(d.fixed.dir == XFRM_POLICY_IN);
  CHECK(d.fixed.priority == 77);
  auto t = d.attr<xfrm_user_tmpl>(XFRMA_TMPL);
  CHECK(t.family == AF_INET);  // the outer family, not the selector's
  CHECK(t.saddr.a4 == htonl(0xc6336402));
  p.id.dir = ike::Direction::Fwd;
  CHECK(built_policy(p).fixed.dir == XFRM_POLICY_FWD);
}

TEST_CASE("policy mark and if_id") {
  auto p = policy("10.1.0.0/24", "10.2.0.0/24", ike::Direction::Out, "192.0.2.1", "192.0.2.2");
  p.id.mark = 5;
  p.id.if_id = 12;
  auto d = built_policy(p);
  CHECK(d.attr<xfrm_mark>(XFRMA_MARK).v == 5);
  CHECK(d.attr<xfrm_mark>(XFRMA_MARK).m == 0xffffffff);
  CHECK(d.attr<std::uint32_t>(XFRMA_IF_ID) == 12);
}

TEST_CASE("route mode: wildcard policy bound by if_id, unbound by default, deleted by its if_id") {
  auto p = policy("0.0.0.0/0", "0.0.0.0/0", ike::Direction::In, "192.0.2.2", "192.0.2.1");
  auto plain = built_policy(p);
  CHECK_FALSE(plain.has(XFRMA_MARK));
  CHECK_FALSE(plain.has(XFRMA_IF_ID));
  p.id.if_id = kOwnedReqidFirst + 7;
  auto d = built_policy(p);
  CHECK(d.fixed.sel.prefixlen_s == 0);
  CHECK(d.fixed.sel.prefixlen_d == 0);
  CHECK(d.fixed.sel.family == AF_INET);
  CHECK(d.attr<std::uint32_t>(XFRMA_IF_ID) == kOwnedReqidFirst + 7);
  CHECK_FALSE(d.has(XFRMA_MARK));
  auto del = build_delete_policy(p.id);
  REQUIRE(del.ok());
  auto dd = decode<xfrm_userpolicy_id>(*del);
  CHECK(dd.attr<std::uint32_t>(XFRMA_IF_ID) == kOwnedReqidFirst + 7);
  // A VTI binding: the mark, exact match, on the inbound SA as well.
  auto sa = cbc_sa(EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128);
  sa.inbound = true;
  sa.mark = kOwnedReqidFirst + 7;
  auto sd = built_sa(sa);
  CHECK(sd.header.nlmsg_type == XFRM_MSG_UPDSA);
  CHECK(sd.attr<xfrm_mark>(XFRMA_MARK).v == kOwnedReqidFirst + 7);
  CHECK(sd.attr<xfrm_mark>(XFRMA_MARK).m == 0xffffffff);
  CHECK_FALSE(sd.has(XFRMA_IF_ID));
}

TEST_CASE("policies with mixed selector or outer families are refused") {
  auto p = policy("10.1.0.0/24", "fd00::/64", ike::Direction::Out, "192.0.2.1", "192.0.2.2");
  CHECK_FALSE(build_add_policy(p, false).ok());
  CHECK_FALSE(build_delete_policy(p.id).ok());
  p = policy("10.1.0.0/24", "10.2.0.0/24", ike::Direction::Out, "192.0.2.1", "2001:db8::2");
  CHECK_FALSE(build_add_policy(p, false).ok());
}

TEST_CASE("default priority: more specific selectors win (lower value)") {
  auto prio = [](const char* src, const char* dst) {
    return default_priority({net(src), net(dst), ike::Direction::Out, 0, 0});
  };
  CHECK(prio("10.1.0.0/24", "10.2.0.5/32") < prio("10.1.0.0/24", "10.2.0.0/24"));
  CHECK(prio("10.1.0.0/24", "10.2.0.0/24") < prio("10.1.0.0/24", "10.2.0.0/16"));
  CHECK(prio("10.1.0.0/24", "10.2.0.0/24") < prio("10.1.0.0/16", "10.2.0.0/24"));
  // The destination weighs more than the source.
  CHECK(prio("0.0.0.0/0", "10.2.0.0/24") < prio("10.1.0.0/32", "10.2.0.0/16"));
  CHECK(prio("10.1.0.1/32", "10.2.0.1/32") == kPolicyPriorityBase);
  CHECK(prio("fd00::1/128", "fd00::2/128") == kPolicyPriorityBase);
  CHECK(prio("0.0.0.0/0", "0.0.0.0/0") == kPolicyPriorityBase + (128u << 8) + 128u);
  CHECK(prio("::/0", "::/0") == prio("0.0.0.0/0", "0.0.0.0/0"));
}

TEST_CASE("DELPOLICY and GETPOLICY by selector, DELPOLICY by index") {
  auto p = policy("10.1.0.0/24", "10.2.0.0/24", ike::Direction::Fwd, "192.0.2.1", "192.0.2.2");
  p.id.mark = 3;
  for (bool get : {false, true}) {
    auto msg = get ? build_get_policy(p.id) : build_delete_policy(p.id);
    REQUIRE(msg.ok());
    auto d = decode<xfrm_userpolicy_id>(*msg);
    CHECK(d.header.nlmsg_type == (get ? XFRM_MSG_GETPOLICY : XFRM_MSG_DELPOLICY));
    CHECK(d.fixed.dir == XFRM_POLICY_FWD);
    CHECK(d.fixed.index == 0);
    CHECK(d.fixed.sel.prefixlen_d == 24);
    CHECK(d.fixed.sel.daddr.a4 == htonl(0x0a020000));
    CHECK(d.attr<xfrm_mark>(XFRMA_MARK).v == 3);
  }
  auto d = decode<xfrm_userpolicy_id>(build_delete_policy(PolicyIndex{0x1234, ike::Direction::In, 0, 4}));
  CHECK(d.header.nlmsg_type == XFRM_MSG_DELPOLICY);
  CHECK(d.fixed.index == 0x1234);
  CHECK(d.fixed.dir == XFRM_POLICY_IN);
  CHECK(d.fixed.sel.family == 0);
  CHECK_FALSE(d.has(XFRMA_MARK));
  CHECK(d.attr<std::uint32_t>(XFRMA_IF_ID) == 4);
}

TEST_CASE("dump requests") {
  auto sas = decode<int>(build_dump_sas(), 0);
  CHECK(sas.header.nlmsg_type == XFRM_MSG_GETSA);
  CHECK(sas.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
  CHECK(sas.attrs.at(XFRMA_PROTO) == Bytes{IPPROTO_ESP});
  auto policies = decode<int>(build_dump_policies(), 0);
  CHECK(policies.header.nlmsg_type == XFRM_MSG_GETPOLICY);
  CHECK(policies.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
  CHECK(policies.attrs.empty());
}

TEST_CASE("kite's reqid range") {
  CHECK(is_owned_reqid(0x6b690000));
  CHECK(is_owned_reqid(0x6b69ffff));
  CHECK_FALSE(is_owned_reqid(0x6b68ffff));
  CHECK_FALSE(is_owned_reqid(0x6b6a0000));
  CHECK_FALSE(is_owned_reqid(0));
}
