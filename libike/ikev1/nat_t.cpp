#include "libike/ikev1/nat_t.hpp"

#include "libike/crypto/crypto.hpp"

namespace ike::v1 {
namespace {

// MD5("RFC 3947"), RFC 3947 §3.1.
const Bytes kVidRfc3947 = from_hex("4a131c81070358455c5728f20e95452f");
// MD5("draft-ietf-ipsec-nat-t-ike-02\n") (with the newline, as deployed),
// MD5("draft-ietf-ipsec-nat-t-ike-02") and -03.
const Bytes kVidDraft02n = from_hex("90cb80913ebb696e086381b5ec427b1f");
const Bytes kVidDraft02 = from_hex("cd60464335df21f87cfdb2fc68b6a448");
const Bytes kVidDraft03 = from_hex("7d9419a65310ca6f2c179d9215529d56");
// RFC 3706 §5.1: the DPD vendor ID (major 1, minor 0).
const Bytes kVidDpd = from_hex("afcad71368a1f1c96b8696fc77570100");
// MD5("kite"): tells a kite peer it talks to kite.
const Bytes kVidKite = from_hex("4781ac9273d3335229ca90e8e00a1c71");

Bytes nat_d_hash(crypto::HashAlg hash, const Cookie& cky_i, const Cookie& cky_r, const Endpoint& ep) {
  return crypto::hash(hash, nat_d_input(cky_i, cky_r, ep.address.bytes(), ep.port));
}

}  // namespace

std::vector<Payload> our_vendor_ids() {
  return {VendorIdPayload{kVidRfc3947}, VendorIdPayload{kVidDraft02n}, VendorIdPayload{kVidDpd},
          VendorIdPayload{kVidKite}};
}

PeerVendorIds read_vendor_ids(const std::vector<Payload>& payloads) {
  PeerVendorIds v;
  for (const auto* vid : find_payloads<VendorIdPayload>(payloads)) {
    const auto& d = vid->data;
    if (d == kVidRfc3947) v.nat_t_rfc = true;
    if (d == kVidDraft02n || d == kVidDraft02 || d == kVidDraft03) v.nat_t_draft = true;
    if (d == kVidDpd) v.dpd = true;
    if (d == kVidKite) v.kite = true;
  }
  return v;
}

std::vector<Payload> nat_d_payloads(crypto::HashAlg hash, const Cookie& cky_i, const Cookie& cky_r,
                                    const Endpoint& local, const Endpoint& remote, bool draft) {
  return {NatDPayload{nat_d_hash(hash, cky_i, cky_r, remote), draft},
          NatDPayload{nat_d_hash(hash, cky_i, cky_r, local), draft}};
}

void detect_nat(NatState& nat, const std::vector<Payload>& payloads, crypto::HashAlg hash,
                const Cookie& cky_i, const Cookie& cky_r, const Endpoint& local, const Endpoint& remote) {
  auto hashes = find_payloads<NatDPayload>(payloads);
  if (hashes.size() < 2) return;
  nat.local_behind = !equal_constant_time(hashes.front()->hash, nat_d_hash(hash, cky_i, cky_r, local));
  auto sender = nat_d_hash(hash, cky_i, cky_r, remote);
  bool seen = false;
  for (std::size_t i = 1; i < hashes.size(); ++i) seen = seen || equal_constant_time(hashes[i]->hash, sender);
  nat.remote_behind = !seen;
}

}  // namespace ike::v1
