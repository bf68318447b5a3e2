// Pure parsers for what the XFRM kernel sends (STYLE.md §7: parse, then
// act). Each takes the payload after nlmsghdr, checks every length and
// returns nullopt for anything malformed or not describable in kite's
// terms. Layouts: include/uapi/linux/xfrm.h.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "libike/common/bytes.hpp"
#include "libike/tunnel/engine.hpp"
#include "libike/tunnel/kernel.hpp"

namespace kite::xfrm {

// An SA as the kernel reports it: XFRM_MSG_NEWSA payloads of a GETSA reply,
// an SA dump or the ALLOCSPI reply.
struct SaInfo {
  ike::SaId id;
  ike::IpAddress src;
  std::uint8_t proto = 0;  // IPPROTO_ESP for kite's
  std::uint32_t reqid = 0;
  std::uint32_t mark = 0;  // XFRMA_MARK value, 0 if none
  ike::SaCounters counters;
};
std::optional<SaInfo> parse_sa(ike::ByteView payload);

// A policy from an XFRM_MSG_NEWPOLICY payload (policy dump).
struct PolicyInfo {
  ike::PolicyId id;
  std::uint32_t index = 0;     // the kernel's handle, for deletion by index
  std::uint32_t priority = 0;
  bool main_type = true;       // false for XFRM_POLICY_TYPE_SUB policies
  std::vector<std::uint32_t> reqids;  // one per template
};
std::optional<PolicyInfo> parse_policy(ike::ByteView payload);

// XFRM_MSG_ACQUIRE: a packet hit a policy whose template has no SA. The
// reqid comes from the (first) template, the selector from the policy, so
// the engine can tell which tunnel and which SPD mapping to negotiate.
std::optional<ike::Acquire> parse_acquire(ike::ByteView payload);

// XFRM_MSG_EXPIRE: an SA reached its soft (rekey) or hard (gone) lifetime.
std::optional<ike::Expire> parse_expire(ike::ByteView payload);

}  // namespace kite::xfrm
