// xfrm/netlink, xfrm/parsers, xfrm/describe: what kite reads from the
// kernel, from crafted messages — including every truncated prefix — and
// the wording of kernel errors.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "xfrm/describe.hpp"
#include "xfrm/messages.hpp"
#include "xfrm/netlink.hpp"
#include "xfrm/parsers.hpp"
#include "xfrm/xfrm_kernel.hpp"

using namespace kite::xfrm;
using ike::Bytes;

namespace {

ike::IpAddress ip(const char* s) { return *ike::IpAddress::parse(s); }
ike::Subnet net(const char* s) { return *ike::Subnet::parse(s); }

void append(Bytes& out, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  out.insert(out.end(), p, p + n);
  out.resize((out.size() + 3) / 4 * 4, 0);
}

// A payload as the kernel lays it out: the fixed struct, then attributes.
template <typename Fixed>
Bytes payload(const Fixed& fixed, const std::vector<std::pair<std::uint16_t, Bytes>>& attrs = {}) {
  Bytes out;
  append(out, &fixed, sizeof fixed);
  for (const auto& [type, value] : attrs) {
    nlattr a{static_cast<std::uint16_t>(4 + value.size()), type};
    out.insert(out.end(), reinterpret_cast<const std::uint8_t*>(&a),
               reinterpret_cast<const std::uint8_t*>(&a) + 4);
    append(out, value.data(), value.size());
  }
  return out;
}

template <typename T>
Bytes raw(const T& v) {
  Bytes out(sizeof v);
  std::memcpy(out.data(), &v, sizeof v);
  return out;
}

xfrm_selector selector(const char* src, const char* dst) {
  xfrm_selector s{};
  auto a = net(src), b = net(dst);
  s.family = a.is_v6() ? AF_INET6 : AF_INET;
  std::memcpy(&s.saddr, a.network.bytes().data(), a.network.size());
  std::memcpy(&s.daddr, b.network.bytes().data(), b.network.size());
  s.prefixlen_s = a.prefix;
  s.prefixlen_d = b.prefix;
  return s;
}

Bytes acquire_payload(std::uint32_t reqid) {
  xfrm_user_acquire ua{};
  ua.sel = selector("10.1.0.7/32", "10.2.0.9/32");  // the packet
  ua.policy.sel = selector("10.1.0.0/24", "10.2.0.0/24");
  ua.policy.dir = XFRM_POLICY_OUT;
  xfrm_user_tmpl t{};
  t.reqid = reqid;
  t.id.proto = IPPROTO_ESP;
  return payload(ua, {{XFRMA_TMPL, raw(t)}});
}

Bytes expire_payload(std::uint32_t spi, bool hard) {
  xfrm_user_expire ue{};
  ue.state.family = AF_INET6;
  std::memcpy(&ue.state.id.daddr, ip("2001:db8::2").bytes().data(), 16);
  std::memcpy(&ue.state.saddr, ip("2001:db8::1").bytes().data(), 16);
  ue.state.id.spi = htonl(spi);
  ue.state.id.proto = IPPROTO_ESP;
  ue.hard = hard ? 1 : 0;
  return payload(ue);
}

// Every strict prefix of a valid message must be rejected, never read past.
template <typename Parse>
void every_prefix_fails(const Bytes& full, Parse parse) {
  for (std::size_t n = 0; n < full.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    CHECK_FALSE(parse(ike::ByteView(full).first(n)).has_value());
  }
}

}  // namespace

TEST_CASE("ACQUIRE: reqid from the template, subnets from the policy selector") {
  auto full = acquire_payload(0x6b690005);
  auto a = parse_acquire(full);
  REQUIRE(a.has_value());
  CHECK(a->reqid == 0x6b690005);
  CHECK(a->src == net("10.1.0.0/24"));
  CHECK(a->dst == net("10.2.0.0/24"));
  every_prefix_fails(full, [](ike::ByteView v) { return parse_acquire(v); });
}

TEST_CASE("ACQUIRE without a template or with a partial one is malformed") {
  xfrm_user_acquire ua{};
  ua.policy.sel = selector("10.1.0.0/24", "10.2.0.0/24");
  CHECK_FALSE(parse_acquire(payload(ua)).has_value());
  CHECK_FALSE(parse_acquire(payload(ua, {{XFRMA_TMPL, Bytes(sizeof(xfrm_user_tmpl) - 4)}})).has_value());
  ua.policy.sel.prefixlen_d = 33;
  xfrm_user_tmpl t{};
  CHECK_FALSE(parse_acquire(payload(ua, {{XFRMA_TMPL, raw(t)}})).has_value());
}

TEST_CASE("EXPIRE: SA id and hard flag") {
  auto hard = parse_expire(expire_payload(0xc0000011, true));
  REQUIRE(hard.has_value());
  CHECK(hard->hard);
  CHECK(hard->sa.spi == 0xc0000011);
  CHECK(hard->sa.dst == ip("2001:db8::2"));
  auto soft = parse_expire(expire_payload(0xc0000011, false));
  REQUIRE(soft.has_value());
  CHECK_FALSE(soft->hard);
  every_prefix_fails(expire_payload(1, true), [](ike::ByteView v) { return parse_expire(v); });
}

TEST_CASE("GETSA reply: counters, times and mark") {
  xfrm_usersa_info info{};
  info.family = AF_INET;
  info.id.daddr.a4 = htonl(0xc0000202);
  info.saddr.a4 = htonl(0xc0000201);
  info.id.spi = htonl(0xc0abcdef);
  info.id.proto = IPPROTO_ESP;
  info.reqid = 0x6b690001;
  info.curlft.bytes = 123456;
  info.curlft.packets = 789;
  info.curlft.add_time = 1700000000;
  info.curlft.use_time = 1700000100;
  info.stats.replay = 3;
  info.stats.integrity_failed = 4;
  auto full = payload(info, {{XFRMA_MARK, raw(xfrm_mark{42, 0xffffffff})}});
  auto sa = parse_sa(full);
  REQUIRE(sa.has_value());
  CHECK(sa->id == ike::SaId{ip("192.0.2.2"), 0xc0abcdef});
  CHECK(sa->src == ip("192.0.2.1"));
  CHECK(sa->proto == IPPROTO_ESP);
  CHECK(sa->reqid == 0x6b690001);
  CHECK(sa->mark == 42);
  CHECK(sa->counters.bytes == 123456);
  CHECK(sa->counters.packets == 789);
  CHECK(sa->counters.replay_errors == 3);
  CHECK(sa->counters.integrity_errors == 4);
  CHECK(sa->counters.added.time_since_epoch() == std::chrono::seconds(1700000000));
  REQUIRE(sa->counters.last_used.has_value());
  CHECK(sa->counters.last_used->time_since_epoch() == std::chrono::seconds(1700000100));
  every_prefix_fails(payload(info), [](ike::ByteView v) { return parse_sa(v); });
  info.curlft.use_time = 0;
  CHECK_FALSE(parse_sa(payload(info))->counters.last_used.has_value());
  info.family = 99;
  CHECK_FALSE(parse_sa(payload(info)).has_value());
}

TEST_CASE("policy dump entries round-trip from kite's own NEWPOLICY") {
  ike::Policy p;
  p.id = {net("fd00:1::/64"), net("fd00:2::/64"), ike::Direction::Fwd, 7, 9};
  p.tmpl_src = ip("2001:db8::1");
  p.tmpl_dst = ip("2001:db8::2");
  p.reqid = 0x6b690042;
  auto msg = build_add_policy(p, false);
  REQUIRE(msg.ok());
  Bytes body(msg->begin() + sizeof(nlmsghdr), msg->end());
  auto info = parse_policy(body);
  REQUIRE(info.has_value());
  CHECK(info->id == p.id);
  CHECK(info->reqids == std::vector<std::uint32_t>{0x6b690042});
  CHECK(info->priority == default_priority(p.id));
  CHECK(info->main_type);
  every_prefix_fails(Bytes(body.begin(), body.begin() + sizeof(xfrm_userpolicy_info)),
                     [](ike::ByteView v) { return parse_policy(v); });
}

TEST_CASE("policy dump: sub policies flagged, socket policies and bad templates rejected") {
  xfrm_userpolicy_info info{};
  info.sel = selector("10.1.0.0/24", "10.2.0.0/24");
  info.dir = XFRM_POLICY_IN;
  xfrm_userpolicy_type type{};
  type.type = XFRM_POLICY_TYPE_SUB;
  auto sub = parse_policy(payload(info, {{XFRMA_POLICY_TYPE, raw(type)}}));
  REQUIRE(sub.has_value());
  CHECK_FALSE(sub->main_type);
  CHECK(sub->reqids.empty());
  CHECK_FALSE(parse_policy(payload(info, {{XFRMA_TMPL, Bytes(10)}})).has_value());
  info.dir = XFRM_POLICY_MAX;  // per-socket policies live above the three directions
  CHECK_FALSE(parse_policy(payload(info)).has_value());
}

TEST_CASE("NLMSG_ERROR: ACK, errno, extended ACK text, capped or not") {
  nlmsgerr ack{};
  CHECK(parse_error(raw(ack), 0)->error == 0);

  nlmsgerr err{};
  err.error = -ENOSYS;
  err.msg.nlmsg_len = 200;  // the request's length; capped: not echoed
  auto capped = payload(err, {{NLMSGERR_ATTR_MSG, Bytes{'n', 'o', ' ', 'a', 'l', 'g', 0}}});
  auto e = parse_error(capped, NLM_F_CAPPED | NLM_F_ACK_TLVS);
  REQUIRE(e.has_value());
  CHECK(e->error == ENOSYS);
  CHECK(e->message == "no alg");
  // Without the final attribute's padding (allowed), every shorter prefix
  // either fails or carries no text.
  capped.resize(sizeof(nlmsgerr) + 4 + 7);
  CHECK(parse_error(capped, NLM_F_CAPPED | NLM_F_ACK_TLVS)->message == "no alg");
  every_prefix_fails(capped, [](ike::ByteView v) {
    auto r = parse_error(v, NLM_F_CAPPED | NLM_F_ACK_TLVS);
    return r && !r->message.empty() ? r : std::nullopt;
  });

  // Not capped: the whole request (here 20 bytes) sits before the TLVs.
  err.msg.nlmsg_len = 20;
  Bytes uncapped = raw(err);
  uncapped.insert(uncapped.end(), 4, 0xee);  // rest of the echoed request
  nlattr a{8, NLMSGERR_ATTR_MSG};
  append(uncapped, &a, 4);
  uncapped.insert(uncapped.end(), {'b', 'a', 'd', 0});
  auto u = parse_error(uncapped, NLM_F_ACK_TLVS);
  REQUIRE(u.has_value());
  CHECK(u->message == "bad");

  err.error = 5;  // the kernel never sends a positive error
  CHECK_FALSE(parse_error(raw(err), 0).has_value());
  CHECK_FALSE(parse_error(Bytes(10), 0).has_value());
}

TEST_CASE("a datagram splits into its messages; bad lengths are rejected") {
  Bytes datagram;
  nlmsghdr h1{20, XFRM_MSG_EXPIRE, 0, 7, 0};
  append(datagram, &h1, 16);
  datagram.insert(datagram.end(), {1, 2, 3, 4});
  nlmsghdr h2{18, NLMSG_DONE, NLM_F_MULTI, 8, 0};
  Bytes second(18, 0);
  std::memcpy(second.data(), &h2, 16);
  second[16] = 9;
  datagram.insert(datagram.end(), second.begin(), second.end());  // no trailing pad
  auto messages = split_messages(datagram);
  REQUIRE(messages.has_value());
  REQUIRE(messages->size() == 2);
  CHECK((*messages)[0].type == XFRM_MSG_EXPIRE);
  CHECK((*messages)[0].seq == 7);
  CHECK((*messages)[0].payload.size() == 4);
  CHECK((*messages)[1].type == NLMSG_DONE);
  CHECK((*messages)[1].payload.size() == 2);
  CHECK((*messages)[1].payload[0] == 9);

  CHECK_FALSE(split_messages(ike::ByteView(datagram).first(30)).has_value());
  nlmsghdr tiny{8, 0, 0, 0, 0};
  CHECK_FALSE(split_messages(raw(tiny)).has_value());
  CHECK(split_messages(Bytes{})->empty());
}

TEST_CASE("attribute streams with impossible lengths are rejected") {
  CHECK_FALSE(Attributes::parse(Bytes{3, 0, 1, 0}, 0).has_value());
  CHECK_FALSE(Attributes::parse(Bytes{12, 0, 1, 0, 0, 0, 0, 0}, 0).has_value());
  CHECK_FALSE(Attributes::parse(Bytes{1, 2}, 4).has_value());
  auto ok = Attributes::parse(Bytes{5, 0, 0x01, 0x80, 0xaa}, 0);  // NLA_F_NESTED bit masked
  REQUIRE(ok.has_value());
  CHECK(ok->find(1)->size() == 1);
  CHECK_FALSE(ok->find(2).has_value());
}

TEST_CASE("event socket messages: ACQUIRE and EXPIRE become events") {
  auto acq = acquire_payload(0x6b690009);
  auto event = parse_event({XFRM_MSG_ACQUIRE, 0, 0, 0, acq});
  REQUIRE(event.has_value());
  CHECK(std::get<ike::Acquire>(*event).reqid == 0x6b690009);

  auto exp = expire_payload(0xc0000001, true);
  event = parse_event({XFRM_MSG_EXPIRE, 0, 0, 0, exp});
  REQUIRE(event.has_value());
  CHECK(std::get<ike::Expire>(*event).sa.spi == 0xc0000001);

  auto larval = expire_payload(0, true);  // the kernel's own acquire state
  CHECK_FALSE(parse_event({XFRM_MSG_EXPIRE, 0, 0, 0, larval}).has_value());
  CHECK_FALSE(parse_event({XFRM_MSG_NEWSA, 0, 0, 0, exp}).has_value());
  CHECK_FALSE(parse_event({XFRM_MSG_ACQUIRE, 0, 0, 0, ike::ByteView(acq).first(40)}).has_value());
}

TEST_CASE("a kernel without SM4/SM3 gives one clear line, without keys") {
  ike::EspSa sa;
  sa.id = {ip("192.0.2.2"), 0xc0000001};
  sa.src = ip("192.0.2.1");
  sa.reqid = 0x6b690001;
  sa.encryption = ike::crypto::EncrAlg::Sm4Cbc;
  sa.encryption_key = ike::Secret(Bytes(16, 0xab));
  sa.integrity = ike::crypto::IntegAlg::HmacSha256_128;
  sa.integrity_key = ike::Secret(Bytes(32, 0xcd));
  sa.tunnel = "tom-vpn-conn";
  auto line = add_sa_error(sa, ENOSYS, "");
  CHECK(line ==
        "kernel has no cbc(sm4) (CONFIG_CRYPTO_SM4_GENERIC); tunnel tom-vpn-conn not installed "
        "(ESP SA 0xc0000001 192.0.2.1 -> 192.0.2.2: ENOSYS (Function not implemented))");
  sa.integrity = ike::crypto::IntegAlg::HmacSm3_128;
  CHECK(add_sa_error(sa, ENOENT, "").rfind(
            "kernel has no cbc(sm4) (CONFIG_CRYPTO_SM4_GENERIC) or hmac(sm3) "
            "(CONFIG_CRYPTO_SM3_GENERIC); tunnel tom-vpn-conn not installed",
            0) == 0);
  sa.encryption = ike::crypto::EncrAlg::Aes128Cbc;
  sa.integrity = ike::crypto::IntegAlg::HmacSha256_128;
  CHECK(add_sa_error(sa, ENOSYS, "").rfind(
            "kernel has no cbc(aes) (CONFIG_CRYPTO_AES) or hmac(sha256) (CONFIG_CRYPTO_SHA256);", 0) == 0);
  CHECK(add_sa_error(sa, EPROTONOSUPPORT, "Requested type not found")
            .rfind("kernel has no ESP support (CONFIG_INET_ESP / CONFIG_INET6_ESP); tunnel "
                   "tom-vpn-conn not installed",
                   0) == 0);
  CHECK(add_sa_error(sa, EINVAL, "Requested CRYPT algorithm not found").rfind("kernel has no ", 0) == 0);
  sa.inbound = true;
  CHECK(add_sa_error(sa, ESRCH, "").find("(the SPI reservation has expired)") != std::string::npos);
  sa.inbound = false;
  auto other = add_sa_error(sa, EEXIST, "");
  CHECK(other ==
        "tunnel tom-vpn-conn: cannot install ESP SA 0xc0000001 192.0.2.1 -> 192.0.2.2 "
        "(reqid 0x6b690001): EEXIST (File exists)");
  for (const auto& text : {line, other}) {
    CHECK(text.find("abab") == std::string::npos);
    CHECK(text.find("cdcd") == std::string::npos);
  }
}

TEST_CASE("policy errors name the tunnel, the selector and the kernel's reason") {
  ike::Policy p;
  p.id = {net("10.1.0.0/24"), net("10.2.0.0/24"), ike::Direction::Out, 0, 0};
  p.reqid = 0x6b690002;
  p.tunnel = "t1";
  CHECK(policy_error(p, "add", EINVAL, "Invalid policy") ==
        "tunnel t1: cannot add policy out 10.1.0.0/24 -> 10.2.0.0/24 (reqid 0x6b690002): "
        "EINVAL (Invalid argument), kernel says: Invalid policy");
  CHECK(policy_conflict_error(p) ==
        "tunnel t1: cannot add policy out 10.1.0.0/24 -> 10.2.0.0/24 (reqid 0x6b690002): the "
        "selector is held by a policy that kite did not install (EEXIST); remove it or change "
        "the tunnel's subnets");
}
