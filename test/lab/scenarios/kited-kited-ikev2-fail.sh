#!/usr/bin/env bash
# Failures between two kited (IKEv2, IPv4; left active, right passive):
# each makes left's `kitectl up` exit non-zero with a last_error that says
# why, right's last_error says it from the responder's side (for
# proposals: both offers), and neither kernel keeps any XFRM state:
#   1. wrong pre-shared key   (right answers AUTHENTICATION_FAILED)
#   2. IKE proposal mismatch  (aes256 vs aes128: NO_PROPOSAL_CHOSEN)
#   3. ESP proposal mismatch  (aes256 vs aes128: NO_PROPOSAL_CHOSEN for the
#      CHILD SA; left deletes the IKE SA, right follows)
# Then matching settings bring the tunnel up.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

lab_topology
kited_start right <(kite_conf_psk right negotiation=passive)

step "1. wrong pre-shared key"
kited_start left <(kite_conf_psk left psk=not-the-lab-secret-42)
kite_up_fails left 'AUTHENTICATION_FAILED'
kite_last_error right 'AUTHENTICATION_FAILED: AUTH from 192.0.2.1 does not verify \(pre-shared key mismatch\?\)'
kernel_clean left
kernel_clean right

step "2. IKE proposal mismatch (left offers aes256 only)"
kite_reload left <(kite_conf_psk left encryption=aes256)
kite_up_fails left 'NO_PROPOSAL_CHOSEN for IKE SA'
kite_last_error right 'NO_PROPOSAL_CHOSEN for IKE SA: ours: aes128-sha256-modp2048, theirs: aes256-sha256-modp2048'
kernel_clean left
kernel_clean right

step "3. ESP proposal mismatch (left offers esp aes256 only)"
kite_reload left <(kite_conf_psk left esp_encryption=aes256)
kite_up_fails left 'CHILD_SA 10.1.0.0/24 === 10.2.0.0/24: peer answered NO_PROPOSAL_CHOSEN'
kite_last_error right 'NO_PROPOSAL_CHOSEN for CHILD_SA: ours: aes128-sha256, theirs: aes256-sha256'
kernel_clean left
kernel_clean right
right_down() { [[ $(kctl right --json show lab | jq -r .tunnel.state) == down ]]; }
wait_until 5 "right to drop the IKE SA left deleted" right_down || fail "right's tunnel is not down"

step "matching settings: up"
kite_reload left <(kite_conf_psk left)
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
kite_expect right up aes128/sha256/prfsha256/14 aes128/sha256
kited_stop left
kited_stop right
kernel_clean left
kernel_clean right
