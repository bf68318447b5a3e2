#!/usr/bin/env bash
# Failures, strongSwan initiator -> kited responder (IKEv2, IPv4): each
# makes `swanctl --initiate` fail with charon logging the peer's notify,
# kited's last_error says why (for proposals: both sides' offers), and
# neither kernel keeps any XFRM state:
#   1. wrong pre-shared key   (kited answers AUTHENTICATION_FAILED)
#   2. IKE proposal mismatch  (aes256 vs aes128: NO_PROPOSAL_CHOSEN in IKE_SA_INIT)
#   3. ESP proposal mismatch  (aes256 vs aes128: NO_PROPOSAL_CHOSEN for the
#      CHILD SA in IKE_AUTH; the IKE SA stays, as RFC 7296 §1.2 has it,
#      until charon deletes it)
# Finally settings that agree only after a retry bring the tunnel up:
# charon offers modp2048 then ecp384 with a modp2048 KE, kited takes only
# ecp384 (20) and answers INVALID_KE_PAYLOAD, charon retries with it.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

lab_topology
lab_static_routes left
kited_start right <(kite_conf_psk right negotiation=passive)

# initiate_fails: charon's initiation fails.
initiate_fails() {
  step "swanctl --initiate (left) must fail"
  if swanctl_in left --initiate --child net --timeout 20 >"$LAB_OUT/left/initiate.out" 2>&1; then
    fail "charon's initiation succeeded"
  fi
  grep -E 'failed|establishing' "$LAB_OUT/left/initiate.out" | tail -n 2 | sed 's/^/    /'
}

step "1. wrong pre-shared key"
charon_start left <(swan_conf_psk left psk=not-the-lab-secret-42)
initiate_fails
swan_logged left 'received AUTHENTICATION_FAILED notify error'
kite_last_error right 'AUTHENTICATION_FAILED.*pre-shared key'
kite_expect right down
kernel_clean left
kernel_clean right

step "2. IKE proposal mismatch (charon offers aes256 only)"
swan_reload left <(swan_conf_psk left ike=aes256-sha256-modp2048)
initiate_fails
swan_logged left 'received NO_PROPOSAL_CHOSEN notify error'
kite_last_error right 'NO_PROPOSAL_CHOSEN for IKE SA: ours: aes128-sha256-modp2048, theirs: aes256'
kite_expect right down
kernel_clean left
kernel_clean right

step "3. ESP proposal mismatch (charon offers esp aes256 only)"
swan_reload left <(swan_conf_psk left esp=aes256-sha256)
initiate_fails
swan_logged left 'received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built'
kite_last_error right 'NO_PROPOSAL_CHOSEN for CHILD_SA: ours: aes128-sha256, theirs: aes256'
kernel_clean left
kernel_clean right
kite_show right
step "swanctl --terminate (left): the IKE SA without a CHILD SA goes too"
swanctl_in left --terminate --ike lab --timeout 20 >/dev/null
kite_expect right down

step "INVALID_KE_PAYLOAD: kited asks charon for group 20"
kite_reload right <(kite_conf_psk right negotiation=passive dh_group=20)
swan_reload left <(swan_conf_psk left ike=aes128-sha256-modp2048-ecp384)
swanctl_in left --initiate --child net --timeout 20 >/dev/null
swan_logged left 'peer didn.t accept DH group MODP_2048, it requested ECP_384'
kite_expect right up aes128/sha256/prfsha256/20 aes128/sha256
ping_through left 10.2.0.1 -I 10.1.0.1
charon_stop left
kernel_clean left
kernel_clean right
kited_stop right
kernel_clean right
