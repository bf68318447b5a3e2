#include "xfrm/parsers.hpp"

#include <arpa/inet.h>
#include <linux/xfrm.h>

#include "xfrm/netlink.hpp"
#include "xfrm/uapi.hpp"

namespace kite::xfrm {

namespace {

std::chrono::system_clock::time_point from_unix(std::uint64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

std::uint32_t mark_of(const Attributes& attrs) {
  if (auto raw = attrs.find(XFRMA_MARK))
    if (auto mark = read_struct<xfrm_mark>(*raw)) return mark->v;
  return 0;
}

std::uint32_t u32_of(const Attributes& attrs, std::uint16_t type) {
  if (auto raw = attrs.find(type))
    if (auto value = read_struct<std::uint32_t>(*raw)) return *value;
  return 0;
}

// XFRMA_TMPL holds an array of struct xfrm_user_tmpl; a partial trailing
// entry makes the attribute malformed.
std::optional<std::vector<std::uint32_t>> template_reqids(const Attributes& attrs) {
  std::vector<std::uint32_t> reqids;
  auto raw = attrs.find(XFRMA_TMPL);
  if (!raw) return reqids;
  if (raw->size() % sizeof(xfrm_user_tmpl) != 0) return std::nullopt;
  for (std::size_t at = 0; at < raw->size(); at += sizeof(xfrm_user_tmpl))
    reqids.push_back(read_struct<xfrm_user_tmpl>(raw->subspan(at))->reqid);
  return reqids;
}

std::optional<ike::SaId> sa_id_of(const xfrm_usersa_info& info) {
  auto dst = uapi::from_xfrm(info.id.daddr, info.family);
  if (!dst) return std::nullopt;
  return ike::SaId{*dst, ntohl(info.id.spi)};
}

ike::SaCounters counters_of(const xfrm_usersa_info& info) {
  ike::SaCounters c;
  c.bytes = info.curlft.bytes;
  c.packets = info.curlft.packets;
  c.replay_errors = info.stats.replay;
  c.integrity_errors = info.stats.integrity_failed;
  c.added = from_unix(info.curlft.add_time);
  if (info.curlft.use_time != 0) c.last_used = from_unix(info.curlft.use_time);
  return c;
}

}  // namespace

std::optional<SaInfo> parse_sa(ike::ByteView payload) {
  auto info = read_struct<xfrm_usersa_info>(payload);
  auto attrs = Attributes::parse(payload, sizeof(xfrm_usersa_info));
  if (!info || !attrs) return std::nullopt;
  auto id = sa_id_of(*info);
  auto src = uapi::from_xfrm(info->saddr, info->family);
  if (!id || !src) return std::nullopt;
  return SaInfo{*id, *src, info->id.proto, info->reqid, mark_of(*attrs), counters_of(*info)};
}

std::optional<PolicyInfo> parse_policy(ike::ByteView payload) {
  auto info = read_struct<xfrm_userpolicy_info>(payload);
  auto attrs = Attributes::parse(payload, sizeof(xfrm_userpolicy_info));
  if (!info || !attrs) return std::nullopt;
  auto sel = uapi::from_selector(info->sel);
  auto dir = uapi::direction_from_xfrm(info->dir);  // socket policies have others
  auto reqids = template_reqids(*attrs);
  if (!sel || !dir || !reqids) return std::nullopt;
  PolicyInfo out;
  out.id = {sel->src, sel->dst, *dir, u32_of(*attrs, XFRMA_IF_ID), mark_of(*attrs)};
  out.index = info->index;
  out.priority = info->priority;
  out.reqids = std::move(*reqids);
  if (auto type = attrs->find(XFRMA_POLICY_TYPE)) {
    auto t = read_struct<xfrm_userpolicy_type>(*type);
    if (!t) return std::nullopt;
    out.main_type = t->type == XFRM_POLICY_TYPE_MAIN;
  }
  return out;
}

std::optional<ike::Acquire> parse_acquire(ike::ByteView payload) {
  auto acquire = read_struct<xfrm_user_acquire>(payload);
  auto attrs = Attributes::parse(payload, sizeof(xfrm_user_acquire));
  if (!acquire || !attrs) return std::nullopt;
  auto reqids = template_reqids(*attrs);
  auto sel = uapi::from_selector(acquire->policy.sel);
  if (!reqids || reqids->empty() || !sel) return std::nullopt;
  return ike::Acquire{reqids->front(), sel->src, sel->dst};
}

std::optional<ike::Expire> parse_expire(ike::ByteView payload) {
  auto expire = read_struct<xfrm_user_expire>(payload);
  if (!expire) return std::nullopt;
  auto id = sa_id_of(expire->state);
  if (!id) return std::nullopt;
  return ike::Expire{*id, expire->hard != 0};
}

}  // namespace kite::xfrm
