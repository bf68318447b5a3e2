// NAT traversal for IKEv1 (RFC 3947) and the vendor IDs kite exchanges:
// RFC 3947 and draft-ietf-ipsec-nat-t-ike-02 (NAT-T), RFC 3706 (DPD) and
// kite's own. NAT-D payloads go in Main Mode 3/4 and Aggressive Mode 2/3;
// when a NAT is detected the initiator moves to port 4500 from MM5/AM3
// (RFC 3947 §4) and ESP is UDP-encapsulated (RFC 3948).
#pragma once
#include <vector>

#include "libike/common/address.hpp"
#include "libike/crypto/algorithms.hpp"
#include "libike/ikev1/codec/codec.hpp"

namespace ike::v1 {

// What the peer's vendor IDs told us.
struct PeerVendorIds {
  bool nat_t_rfc = false;    // RFC 3947
  bool nat_t_draft = false;  // draft-ietf-ipsec-nat-t-ike-02/03
  bool dpd = false;          // RFC 3706
  bool kite = false;
};

struct NatState {
  PeerVendorIds peer;
  bool local_behind = false;   // a NAT changes our address/port
  bool remote_behind = false;  // ... or the peer's
  bool any() const { return local_behind || remote_behind; }
  bool supported() const { return peer.nat_t_rfc || peer.nat_t_draft; }
  // Only the drafts' numbers (NAT-D 130, mode 61443) when the peer does
  // not speak RFC 3947.
  bool draft() const { return !peer.nat_t_rfc && peer.nat_t_draft; }
};

// Our vendor IDs for Main Mode 1/2 and Aggressive Mode 1/2.
std::vector<Payload> our_vendor_ids();
PeerVendorIds read_vendor_ids(const std::vector<Payload>& payloads);

// RFC 3947 §3.2: HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash;
// the first payload names the destination (`remote`), the second our
// source (`local`).
std::vector<Payload> nat_d_payloads(crypto::HashAlg hash, const Cookie& cky_i, const Cookie& cky_r,
                                    const Endpoint& local, const Endpoint& remote, bool draft);
// RFC 3947 §3.2: the first NAT-D must match our own address and port (else
// we are behind a NAT), one of the others the sender's as we see it (else
// the peer is). No NAT-D payloads: nothing is detected.
void detect_nat(NatState& nat, const std::vector<Payload>& payloads, crypto::HashAlg hash,
                const Cookie& cky_i, const Cookie& cky_r, const Endpoint& local, const Endpoint& remote);

}  // namespace ike::v1
