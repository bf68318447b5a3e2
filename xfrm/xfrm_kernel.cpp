#include "xfrm/xfrm_kernel.hpp"

#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <fmt/format.h>

#include <cerrno>

#include "xfrm/describe.hpp"
#include "xfrm/messages.hpp"
#include "xfrm/ownership.hpp"

namespace kite::xfrm {

using ike::fail;

namespace {

std::string failure_text(const NetlinkFailure& f) { return f.describe(); }

bool any_owned(const std::vector<std::uint32_t>& reqids) {
  for (auto r : reqids)
    if (is_owned_reqid(r)) return true;
  return false;
}

}  // namespace

ike::Result<std::unique_ptr<XfrmKernel>> XfrmKernel::open() {
  auto socket = NetlinkSocket::open(NETLINK_XFRM);
  if (!socket) return fail(fmt::format("XFRM: {}", socket.error().message));
  return std::unique_ptr<XfrmKernel>(new XfrmKernel(std::move(*socket)));
}

ike::Result<std::uint32_t> XfrmKernel::allocate_spi(const ike::IpAddress& src,
                                                    const ike::IpAddress& dst,
                                                    std::uint32_t reqid) {
  std::optional<SaInfo> larval;
  auto done = socket_.request(build_allocspi(src, dst, reqid), [&](const NetlinkMessage& m) {
    if (m.type == XFRM_MSG_NEWSA) larval = parse_sa(m.payload);
  });
  auto what = fmt::format("cannot allocate an inbound SPI for {} -> {} (reqid {:#x})",
                          src.to_string(), dst.to_string(), reqid);
  if (!done) return fail(fmt::format("{}: {}", what, failure_text(done.error())));
  if (!larval || larval->id.spi == 0) return fail(fmt::format("{}: kernel sent no SPI", what));
  return larval->id.spi;
}

ike::Status XfrmKernel::add_sa(const ike::EspSa& sa) {
  auto message = build_add_sa(sa);
  if (!message) {
    auto tunnel = sa.tunnel.empty() ? std::string() : fmt::format("tunnel {}: ", sa.tunnel);
    return fail(fmt::format("{}cannot install {}: {}", tunnel, describe(sa), message.error().message));
  }
  auto done = socket_.request(std::move(*message));
  if (!done) return fail(add_sa_error(sa, done.error().error, done.error().message));
  if (sa.mark != 0) marks_[{sa.id.dst, sa.id.spi}] = sa.mark;
  return {};
}

std::uint32_t XfrmKernel::mark_of(const ike::SaId& id) const {
  auto it = marks_.find({id.dst, id.spi});
  return it == marks_.end() ? 0 : it->second;
}

ike::Status XfrmKernel::delete_sa(const ike::SaId& id) {
  auto done = socket_.request(build_delete_sa(id, mark_of(id)));
  if (!done && done.error().error != ESRCH)
    return fail(fmt::format("cannot delete {}: {}", describe(id), failure_text(done.error())));
  marks_.erase({id.dst, id.spi});
  return {};
}

ike::Result<ike::SaCounters> XfrmKernel::query_sa(const ike::SaId& id) {
  std::optional<SaInfo> info;
  auto done = socket_.request(build_get_sa(id, mark_of(id)), [&](const NetlinkMessage& m) {
    if (m.type == XFRM_MSG_NEWSA) info = parse_sa(m.payload);
  });
  if (!done)
    return fail(fmt::format("cannot read counters of {}: {}", describe(id), failure_text(done.error())));
  if (!info) return fail(fmt::format("cannot read counters of {}: malformed reply", describe(id)));
  return info->counters;
}

ike::Result<bool> XfrmKernel::policy_owned_by_kite(const ike::PolicyId& id) {
  auto message = build_get_policy(id);
  if (!message) return fail(message.error());
  std::optional<PolicyInfo> existing;
  auto done = socket_.request(std::move(*message), [&](const NetlinkMessage& m) {
    if (m.type == XFRM_MSG_NEWPOLICY) existing = parse_policy(m.payload);
  });
  if (!done) return fail(failure_text(done.error()));
  return existing && any_owned(existing->reqids);
}

ike::Status XfrmKernel::add_policy(const ike::Policy& policy) {
  auto message = build_add_policy(policy, false);
  if (!message)
    return fail(fmt::format("cannot add {}: {}", describe(policy.id), message.error().message));
  auto done = socket_.request(std::move(*message));
  if (done) return {};
  if (done.error().error != EEXIST)
    return fail(policy_error(policy, "add", done.error().error, done.error().message));
  // The selector is taken. Replace it only if kite owns the current one.
  auto owned = policy_owned_by_kite(policy.id);
  if (!owned || !*owned)
    return fail(policy_conflict_error(policy));
  auto updated = socket_.request(std::move(*build_add_policy(policy, true)));
  if (!updated) return fail(policy_error(policy, "replace", updated.error().error, updated.error().message));
  return {};
}

ike::Status XfrmKernel::delete_policy(const ike::PolicyId& id) {
  auto message = build_delete_policy(id);
  if (!message) return fail(fmt::format("cannot delete {}: {}", describe(id), message.error().message));
  auto done = socket_.request(std::move(*message));
  if (!done && done.error().error != ENOENT)
    return fail(fmt::format("cannot delete {}: {}", describe(id), failure_text(done.error())));
  return {};
}

ike::Result<std::vector<SaInfo>> XfrmKernel::list_sas() {
  std::vector<SaInfo> out;
  auto done = socket_.dump(build_dump_sas(), [&](const NetlinkMessage& m) {
    if (m.type != XFRM_MSG_NEWSA) return;
    if (auto sa = parse_sa(m.payload)) out.push_back(std::move(*sa));
  });
  if (!done) return fail(fmt::format("cannot list SAs: {}", failure_text(done.error())));
  return out;
}

ike::Result<std::vector<PolicyInfo>> XfrmKernel::list_policies() {
  std::vector<PolicyInfo> out;
  auto done = socket_.dump(build_dump_policies(), [&](const NetlinkMessage& m) {
    if (m.type != XFRM_MSG_NEWPOLICY) return;
    if (auto p = parse_policy(m.payload)) out.push_back(std::move(*p));
  });
  if (!done) return fail(fmt::format("cannot list policies: {}", failure_text(done.error())));
  return out;
}

ike::Status XfrmKernel::flush_owned() {
  // Policies first: with a policy but no SA, traffic would trigger
  // ACQUIREs for SAs that are about to disappear.
  auto policies = list_policies();
  if (!policies) return fail(policies.error());
  std::vector<std::string> errors;
  for (const auto& p : *policies) {
    if (!p.main_type || !any_owned(p.reqids)) continue;
    auto done = socket_.request(build_delete_policy(PolicyIndex{p.index, p.id.dir, p.id.mark, p.id.if_id}));
    if (!done && done.error().error != ENOENT)
      errors.push_back(fmt::format("{}: {}", describe(p.id), failure_text(done.error())));
  }
  auto sas = list_sas();
  if (!sas) return fail(sas.error());
  for (const auto& sa : *sas) {
    if (!is_owned_reqid(sa.reqid)) continue;
    auto id = sa.id;
    if (id.spi == 0) {
      // SPI 0: a larval ACQUIRE state a trap left (a `passive` tunnel's
      // traps raise them and nothing negotiates). DELSA cannot address it,
      // but ALLOCSPI finds it by reqid and addresses (xfrm_find_acq) and
      // gives it an SPI; then it can go like any other. Else it would stay
      // for net.core.xfrm_acq_expires (30 s) after kited has gone.
      auto spi = allocate_spi(sa.src, sa.id.dst, sa.reqid);
      if (!spi) {
        errors.push_back(spi.error().message);
        continue;
      }
      id.spi = *spi;
    }
    auto done = socket_.request(build_delete_sa(id, sa.mark));
    if (!done && done.error().error != ESRCH)
      errors.push_back(fmt::format("{}: {}", describe(id), failure_text(done.error())));
    marks_.erase({id.dst, id.spi});
  }
  if (errors.empty()) return {};
  return fail(fmt::format("cannot remove {} of kite's kernel entries, first: {}", errors.size(),
                          errors.front()));
}

std::optional<KernelEvent> parse_event(const NetlinkMessage& message) {
  if (message.type == XFRM_MSG_ACQUIRE) {
    if (auto acquire = parse_acquire(message.payload)) return *acquire;
  } else if (message.type == XFRM_MSG_EXPIRE) {
    auto expire = parse_expire(message.payload);
    if (expire && expire->sa.spi != 0) return *expire;
  }
  return std::nullopt;
}

ike::Result<XfrmEvents> XfrmEvents::open() {
  // Multicast groups are bits (1 << (group - 1)) in the bind mask.
  unsigned groups = (1u << (XFRMNLGRP_ACQUIRE - 1)) | (1u << (XFRMNLGRP_EXPIRE - 1));
  auto socket = NetlinkSocket::open(NETLINK_XFRM, groups);
  if (!socket) return fail(fmt::format("XFRM events: {}", socket.error().message));
  return XfrmEvents(std::move(*socket));
}

ike::Result<EventBatch> XfrmEvents::read_events() {
  EventBatch batch;
  auto done = socket_.drain([&](const NetlinkMessage& m) {
    if (auto event = parse_event(m)) batch.events.push_back(std::move(*event));
  });
  if (!done) {
    if (done.error().error != ENOBUFS)
      return fail(fmt::format("XFRM events: {}", failure_text(done.error())));
    batch.lost = true;
  }
  return batch;
}

}  // namespace kite::xfrm
