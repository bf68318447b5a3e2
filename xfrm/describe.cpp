#include "xfrm/describe.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <vector>

#include "xfrm/algorithms.hpp"
#include "xfrm/netlink.hpp"

namespace kite::xfrm {

namespace {

std::string_view to_string(ike::Direction dir) {
  switch (dir) {
    case ike::Direction::In: return "in";
    case ike::Direction::Out: return "out";
    case ike::Direction::Fwd: return "fwd";
  }
  return "?";
}

std::string errno_text(int error, const std::string& kernel_message) {
  auto text = describe_errno(error);
  return kernel_message.empty() ? text : fmt::format("{}, kernel says: {}", text, kernel_message);
}

std::string tunnel_prefix(const std::string& tunnel) {
  return tunnel.empty() ? std::string() : fmt::format("tunnel {}: ", tunnel);
}

// The algorithms an SA asks for; the ones Debian's kernels are known to
// lack (SM4, SM3: SPEC.md §2) first, since they are the likely culprits.
std::vector<KernelAlgorithm> suspects(const ike::EspSa& sa) {
  std::vector<KernelAlgorithm> all{kernel_algorithm(sa.encryption)};
  if (sa.integrity) all.push_back(kernel_algorithm(*sa.integrity));
  std::vector<KernelAlgorithm> rare;
  for (const auto& a : all)
    if (a.name.find("sm4") != std::string_view::npos || a.name.find("sm3") != std::string_view::npos)
      rare.push_back(a);
  return rare.empty() ? all : rare;
}

std::string missing_what(const ike::EspSa& sa, int error) {
  if (error == EPROTONOSUPPORT) return "no ESP support (CONFIG_INET_ESP / CONFIG_INET6_ESP)";
  std::string out = "no ";
  auto list = suspects(sa);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += " or ";
    out += fmt::format("{} ({})", list[i].name, list[i].config);
  }
  return out;
}

}  // namespace

std::string describe(const ike::EspSa& sa) {
  return fmt::format("ESP SA {:#010x} {} -> {}", sa.id.spi, sa.src.to_string(),
                     sa.id.dst.to_string());
}

std::string describe(const ike::SaId& id) {
  return fmt::format("ESP SA {:#010x} to {}", id.spi, id.dst.to_string());
}

std::string describe(const ike::PolicyId& id) {
  auto out = fmt::format("policy {} {} -> {}", to_string(id.dir), id.src.to_string(),
                         id.dst.to_string());
  if (id.mark != 0) out += fmt::format(" mark {:#x}", id.mark);
  if (id.if_id != 0) out += fmt::format(" if_id {}", id.if_id);
  return out;
}

bool is_missing_algorithm(int error) {
  return error == ENOSYS || error == ENOENT || error == EPROTONOSUPPORT;
}

std::string add_sa_error(const ike::EspSa& sa, int error, const std::string& kernel_message) {
  // Kernels since 6.1 also say so in the extended ACK ("Requested
  // AUTH_TRUNC algorithm not found"), whatever the errno.
  bool missing = is_missing_algorithm(error) ||
                 kernel_message.find("algorithm not found") != std::string::npos;
  if (missing) {
    auto tunnel = sa.tunnel.empty() ? std::string("tunnel") : fmt::format("tunnel {}", sa.tunnel);
    return fmt::format("kernel has {}; {} not installed ({}: {})", missing_what(sa, error), tunnel,
                       describe(sa), errno_text(error, kernel_message));
  }
  // UPDSA finds no larval SA: the SPI reservation from ALLOCSPI timed out
  // (net.core.xfrm_acq_expires, 30 s by default) or was deleted.
  std::string hint = sa.inbound && error == ESRCH ? " (the SPI reservation has expired)" : "";
  return fmt::format("{}cannot install {} (reqid {:#x}): {}{}", tunnel_prefix(sa.tunnel), describe(sa),
                     sa.reqid, errno_text(error, kernel_message), hint);
}

std::string policy_error(const ike::Policy& policy, const char* action, int error,
                         const std::string& kernel_message) {
  return fmt::format("{}cannot {} {} (reqid {:#x}): {}", tunnel_prefix(policy.tunnel), action,
                     describe(policy.id), policy.reqid, errno_text(error, kernel_message));
}

std::string policy_conflict_error(const ike::Policy& policy) {
  return fmt::format("{}cannot add {} (reqid {:#x}): the selector is held by a policy that kite "
                     "did not install (EEXIST); remove it or change the tunnel's subnets",
                     tunnel_prefix(policy.tunnel), describe(policy.id), policy.reqid);
}

}  // namespace kite::xfrm
