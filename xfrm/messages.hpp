// Pure XFRM request builders (STYLE.md §3: struct in, bytes out). Each
// function returns one complete netlink message with sequence number 0;
// the socket numbers and sends it. Layouts follow include/uapi/linux/xfrm.h
// and the kernel's checks in net/xfrm/xfrm_user.c.
#pragma once
#include <cstdint>

#include "libike/common/bytes.hpp"
#include "libike/common/result.hpp"
#include "libike/tunnel/kernel.hpp"

namespace kite::xfrm {

// Inbound SPIs come from this range. RFC 4303 §2.1 reserves 1..255; a
// recognisable high range makes kite's SPIs easy to spot in captures.
inline constexpr std::uint32_t kSpiMin = 0xc0000000;
inline constexpr std::uint32_t kSpiMax = 0xcfffffff;

// Largest anti-replay window the kernel accepts (XFRMA_REPLAY_ESN_MAX bits).
inline constexpr std::uint32_t kMaxReplayWindow = 4096;

// Policies kite installs get priorities from kPolicyPriorityBase upwards
// (the kernel prefers the lowest value), so an operator's own policies at
// the default priority 0 (e.g. an IKE bypass) always win over kite's.
inline constexpr std::uint32_t kPolicyPriorityBase = 0x100000;

// Default priority when Policy::priority is 0: more specific selectors get
// lower numbers so they win over broader ones. The destination prefix
// weighs most (as in routing), the source prefix breaks ties.
std::uint32_t default_priority(const ike::PolicyId& id);

// XFRM_MSG_ALLOCSPI: a larval ESP SA src -> dst in tunnel mode with a fresh
// SPI from [kSpiMin, kSpiMax]; the reply is an XFRM_MSG_NEWSA.
ike::Bytes build_allocspi(const ike::IpAddress& src, const ike::IpAddress& dst,
                          std::uint32_t reqid);

// XFRM_MSG_UPDSA for inbound SAs (completing the larval SA of
// build_allocspi), XFRM_MSG_NEWSA for outbound ones. Fails on key sizes or
// combinations the kernel would reject, before anything is sent.
ike::Result<ike::Bytes> build_add_sa(const ike::EspSa& sa);

// XFRM_MSG_DELSA / XFRM_MSG_GETSA by (daddr, spi, ESP). An SA installed with
// a mark is only found with the same mark.
ike::Bytes build_delete_sa(const ike::SaId& id, std::uint32_t mark = 0);
ike::Bytes build_get_sa(const ike::SaId& id, std::uint32_t mark = 0);

// XFRM_MSG_NEWPOLICY (fails if the selector is taken) or UPDPOLICY
// (replaces), with one ESP tunnel-mode template.
ike::Result<ike::Bytes> build_add_policy(const ike::Policy& policy, bool update);

// XFRM_MSG_DELPOLICY / XFRM_MSG_GETPOLICY by selector and direction.
ike::Result<ike::Bytes> build_delete_policy(const ike::PolicyId& id);
ike::Result<ike::Bytes> build_get_policy(const ike::PolicyId& id);

// XFRM_MSG_DELPOLICY by the kernel's policy index (from a dump).
struct PolicyIndex {
  std::uint32_t index = 0;
  ike::Direction dir = ike::Direction::Out;
  std::uint32_t mark = 0;
  std::uint32_t if_id = 0;
};
ike::Bytes build_delete_policy(const PolicyIndex& id);

// NLM_F_DUMP requests: every ESP SA, every policy.
ike::Bytes build_dump_sas();
ike::Bytes build_dump_policies();

}  // namespace kite::xfrm
