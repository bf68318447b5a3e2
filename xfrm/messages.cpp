#include "xfrm/messages.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "libike/common/secret.hpp"
#include "xfrm/algorithms.hpp"
#include "xfrm/netlink.hpp"
#include "xfrm/uapi.hpp"

namespace kite::xfrm {

using ike::Bytes;
using ike::fail;

namespace {

constexpr std::uint16_t kRequest = NLM_F_REQUEST | NLM_F_ACK;
// The legacy replay_window field drives a 32-bit bitmap (struct
// xfrm_replay_state); larger windows need XFRMA_REPLAY_ESN_VAL.
constexpr std::uint32_t kLegacyReplayBits = 32;

// ~0 means "no limit" for byte/packet counts (XFRM_INF); for the
// *_expires_seconds fields the kernel already treats 0 as no limit.
std::uint64_t limit(std::uint64_t value) { return value == 0 ? XFRM_INF : value; }

xfrm_lifetime_cfg to_lifetime(const ike::SaLifetime& l) {
  xfrm_lifetime_cfg cfg{};
  cfg.soft_byte_limit = limit(l.soft_bytes);
  cfg.hard_byte_limit = limit(l.hard_bytes);
  cfg.soft_packet_limit = XFRM_INF;
  cfg.hard_packet_limit = XFRM_INF;
  cfg.soft_add_expires_seconds = l.soft_seconds;
  cfg.hard_add_expires_seconds = l.hard_seconds;
  return cfg;
}

xfrm_lifetime_cfg unlimited() { return to_lifetime({}); }

xfrm_usersa_id to_sa_id(const ike::SaId& id) {
  xfrm_usersa_id out{};
  out.daddr = uapi::to_xfrm(id.dst);
  out.spi = htonl(id.spi);
  out.family = uapi::family_of(id.dst);
  out.proto = IPPROTO_ESP;
  return out;
}

void put_mark(MessageBuilder& msg, std::uint32_t mark) {
  // The SA/policy matches packets whose mark equals `mark` exactly.
  if (mark != 0) msg.put_attr(XFRMA_MARK, xfrm_mark{mark, 0xffffffff});
}

void put_if_id(MessageBuilder& msg, std::uint32_t if_id) {
  if (if_id != 0) msg.put_attr(XFRMA_IF_ID, if_id);
}

// The name field of xfrm_algo/_auth/_aead: NUL-padded to 64 bytes.
template <typename Algo>
void set_name(Algo& algo, std::string_view name) {
  std::memcpy(algo.alg_name, name.data(), std::min(name.size(), sizeof(algo.alg_name) - 1));
}

unsigned bits(std::size_t bytes) { return static_cast<unsigned>(bytes * 8); }

ike::Status check_key(const KernelAlgorithm& alg, const ike::Secret& key, std::string_view what) {
  if (key.size() == alg.key_bytes) return {};
  return fail(fmt::format("{} key for {} must be {} bytes, not {}", what, alg.name,
                          alg.key_bytes, key.size()));
}

// RFC 4303 §3.2: an AEAD algorithm carries its own ICV and must not be
// combined with an integrity algorithm; a plain cipher needs one.
ike::Status put_algorithms(MessageBuilder& msg, const ike::EspSa& sa) {
  auto enc = kernel_algorithm(sa.encryption);
  if (enc.name.empty()) return fail("unknown encryption algorithm");
  if (auto ok = check_key(enc, sa.encryption_key, "encryption"); !ok) return ok;
  if (enc.kind == AlgorithmKind::Aead) {
    if (sa.integrity) return fail(fmt::format("{} is AEAD: no integrity algorithm allowed", enc.name));
    xfrm_algo_aead aead{};
    set_name(aead, enc.name);
    aead.alg_key_len = bits(enc.key_bytes);  // salt included (RFC 4106 §8.1)
    aead.alg_icv_len = enc.icv_bits;
    msg.put_attr(XFRMA_ALG_AEAD, view_of(aead), sa.encryption_key.view());
    return {};
  }
  if (!sa.integrity) return fail(fmt::format("{} needs an integrity algorithm", enc.name));
  auto integ = kernel_algorithm(*sa.integrity);
  if (integ.name.empty()) return fail("unknown integrity algorithm");
  if (auto ok = check_key(integ, sa.integrity_key, "integrity"); !ok) return ok;
  xfrm_algo crypt{};
  set_name(crypt, enc.name);
  crypt.alg_key_len = bits(enc.key_bytes);
  msg.put_attr(XFRMA_ALG_CRYPT, view_of(crypt), sa.encryption_key.view());
  // XFRMA_ALG_AUTH_TRUNC rather than XFRMA_ALG_AUTH: the truncation length
  // is explicit instead of the kernel's per-algorithm default.
  xfrm_algo_auth auth{};
  set_name(auth, integ.name);
  auth.alg_key_len = bits(integ.key_bytes);
  auth.alg_trunc_len = integ.icv_bits;
  msg.put_attr(XFRMA_ALG_AUTH_TRUNC, view_of(auth), sa.integrity_key.view());
  return {};
}

// Windows above 32 packets and ESN need struct xfrm_replay_state_esn with a
// bitmap of bmp_len 32-bit words, and the legacy replay_window field must
// then be 0 (verify_replay() in xfrm_user.c).
bool uses_legacy_replay(const ike::EspSa& sa) {
  return !sa.esn && sa.replay_window <= kLegacyReplayBits;
}

void put_replay(MessageBuilder& msg, const ike::EspSa& sa) {
  if (uses_legacy_replay(sa)) return;
  // ESN requires a window of at least 1 (xfrm_init_replay()), also on
  // outbound SAs where it is unused.
  std::uint32_t window = std::max<std::uint32_t>(sa.replay_window, 1);
  std::uint32_t words = (window + 31) / 32;
  xfrm_replay_state_esn esn{};
  esn.bmp_len = words;
  esn.replay_window = window;
  Bytes bitmap(words * 4, 0);
  msg.put_attr(XFRMA_REPLAY_ESN_VAL, view_of(esn), bitmap);
}

xfrm_usersa_info sa_info(const ike::EspSa& sa) {
  xfrm_usersa_info info{};
  // In tunnel mode the policy decides what enters the SA; the SA selector
  // narrows it further only when the caller names exactly one mapping.
  if (sa.selector_src && sa.selector_dst && sa.selector_src->is_v6() == sa.selector_dst->is_v6()) {
    info.sel = uapi::to_selector(*sa.selector_src, *sa.selector_dst);
  } else {
    info.flags |= XFRM_STATE_AF_UNSPEC;  // keep sel.family AF_UNSPEC: any inner family
  }
  info.id.daddr = uapi::to_xfrm(sa.id.dst);
  info.id.spi = htonl(sa.id.spi);
  info.id.proto = IPPROTO_ESP;
  info.saddr = uapi::to_xfrm(sa.src);
  info.family = uapi::family_of(sa.id.dst);
  info.mode = XFRM_MODE_TUNNEL;
  info.reqid = sa.reqid;
  info.lft = to_lifetime(sa.lifetime);
  if (uses_legacy_replay(sa)) info.replay_window = static_cast<std::uint8_t>(sa.replay_window);
  if (sa.esn) info.flags |= XFRM_STATE_ESN;
  return info;
}

ike::Status check_sa(const ike::EspSa& sa) {
  if (sa.src.is_v6() != sa.id.dst.is_v6())
    return fail("SA source and destination are of different address families");
  if (sa.id.spi == 0) return fail("SPI 0 is reserved (RFC 4303 §2.1)");
  if (sa.replay_window > kMaxReplayWindow)
    return fail(fmt::format("replay window {} exceeds the kernel's {}", sa.replay_window,
                            kMaxReplayWindow));
  return {};
}

}  // namespace

std::uint32_t default_priority(const ike::PolicyId& id) {
  // Prefixes measured on the IPv6 scale so /32 IPv4 and /128 IPv6 host
  // selectors both rank as most specific. Range: base .. base + 0x8080.
  unsigned scale = id.dst.is_v6() ? 1 : 4;
  unsigned dst_free = 128 - std::min<unsigned>(id.dst.prefix * scale, 128);
  unsigned src_free = 128 - std::min<unsigned>(id.src.prefix * scale, 128);
  return kPolicyPriorityBase + (dst_free << 8) + src_free;
}

Bytes build_allocspi(const ike::IpAddress& src, const ike::IpAddress& dst, std::uint32_t reqid) {
  xfrm_userspi_info spi{};
  spi.info.id.daddr = uapi::to_xfrm(dst);
  spi.info.id.proto = IPPROTO_ESP;
  spi.info.saddr = uapi::to_xfrm(src);
  spi.info.family = uapi::family_of(dst);
  spi.info.mode = XFRM_MODE_TUNNEL;
  spi.info.reqid = reqid;
  spi.min = kSpiMin;
  spi.max = kSpiMax;
  MessageBuilder msg(XFRM_MSG_ALLOCSPI, kRequest);
  msg.put_header(spi);
  return msg.finish();
}

ike::Result<Bytes> build_add_sa(const ike::EspSa& sa) {
  if (auto ok = check_sa(sa); !ok) return fail(ok.error());
  MessageBuilder msg(sa.inbound ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA, kRequest);
  msg.put_header(sa_info(sa));
  if (auto ok = put_algorithms(msg, sa); !ok) {
    auto partial = msg.finish();  // may already hold a key
    ike::wipe(partial.data(), partial.size());
    return fail(ok.error());
  }
  put_replay(msg, sa);
  if (sa.encap) {
    // RFC 3948: ESP in UDP with the non-ESP marker on the IKE port
    // (UDP_ENCAP_ESPINUDP); encap_oa (NAT-OA) is unused in tunnel mode.
    xfrm_encap_tmpl encap{};
    encap.encap_type = UDP_ENCAP_ESPINUDP;
    encap.encap_sport = htons(sa.encap->src_port);
    encap.encap_dport = htons(sa.encap->dst_port);
    msg.put_attr(XFRMA_ENCAP, encap);
  }
  put_mark(msg, sa.mark);
  put_if_id(msg, sa.if_id);
  return msg.finish();
}

Bytes build_delete_sa(const ike::SaId& id, std::uint32_t mark) {
  MessageBuilder msg(XFRM_MSG_DELSA, kRequest);
  msg.put_header(to_sa_id(id));
  put_mark(msg, mark);
  return msg.finish();
}

Bytes build_get_sa(const ike::SaId& id, std::uint32_t mark) {
  MessageBuilder msg(XFRM_MSG_GETSA, kRequest);
  msg.put_header(to_sa_id(id));
  put_mark(msg, mark);
  return msg.finish();
}

ike::Result<Bytes> build_add_policy(const ike::Policy& policy, bool update) {
  const auto& id = policy.id;
  if (id.src.is_v6() != id.dst.is_v6())
    return fail("policy source and destination subnets are of different address families");
  if (policy.tmpl_src.is_v6() != policy.tmpl_dst.is_v6())
    return fail("tunnel endpoints are of different address families");
  xfrm_userpolicy_info info{};
  info.sel = uapi::to_selector(id.src, id.dst);
  info.lft = unlimited();
  info.priority = policy.priority != 0 ? policy.priority : default_priority(id);
  info.dir = uapi::to_xfrm(id.dir);
  info.action = XFRM_POLICY_ALLOW;
  // One template: ESP in tunnel mode between the outer addresses, bound to
  // the SAs by reqid; any algorithm (the SA decides).
  xfrm_user_tmpl tmpl{};
  tmpl.id.daddr = uapi::to_xfrm(policy.tmpl_dst);
  tmpl.id.proto = IPPROTO_ESP;
  tmpl.family = uapi::family_of(policy.tmpl_dst);
  tmpl.saddr = uapi::to_xfrm(policy.tmpl_src);
  tmpl.reqid = policy.reqid;
  tmpl.mode = XFRM_MODE_TUNNEL;
  tmpl.aalgos = tmpl.ealgos = tmpl.calgos = ~0u;
  MessageBuilder msg(update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY, kRequest);
  msg.put_header(info);
  msg.put_attr(XFRMA_TMPL, tmpl);
  put_mark(msg, id.mark);
  put_if_id(msg, id.if_id);
  return msg.finish();
}

namespace {

ike::Result<Bytes> policy_id_message(std::uint16_t type, const ike::PolicyId& id) {
  if (id.src.is_v6() != id.dst.is_v6())
    return fail("policy source and destination subnets are of different address families");
  xfrm_userpolicy_id pid{};
  pid.sel = uapi::to_selector(id.src, id.dst);
  pid.dir = uapi::to_xfrm(id.dir);
  MessageBuilder msg(type, kRequest);
  msg.put_header(pid);
  put_mark(msg, id.mark);
  put_if_id(msg, id.if_id);
  return msg.finish();
}

}  // namespace

ike::Result<Bytes> build_delete_policy(const ike::PolicyId& id) {
  return policy_id_message(XFRM_MSG_DELPOLICY, id);
}

ike::Result<Bytes> build_get_policy(const ike::PolicyId& id) {
  return policy_id_message(XFRM_MSG_GETPOLICY, id);
}

Bytes build_delete_policy(const PolicyIndex& id) {
  xfrm_userpolicy_id pid{};
  pid.index = id.index;
  pid.dir = uapi::to_xfrm(id.dir);
  MessageBuilder msg(XFRM_MSG_DELPOLICY, kRequest);
  msg.put_header(pid);
  put_mark(msg, id.mark);
  put_if_id(msg, id.if_id);
  return msg.finish();
}

Bytes build_dump_sas() {
  // xfrm_dump_sa() parses attributes right after nlmsghdr: XFRMA_PROTO
  // restricts the walk to ESP.
  MessageBuilder msg(XFRM_MSG_GETSA, NLM_F_REQUEST | NLM_F_DUMP);
  std::uint8_t proto = IPPROTO_ESP;
  msg.put_attr(XFRMA_PROTO, proto);
  return msg.finish();
}

Bytes build_dump_policies() {
  MessageBuilder msg(XFRM_MSG_GETPOLICY, NLM_F_REQUEST | NLM_F_DUMP);
  return msg.finish();
}

}  // namespace kite::xfrm
