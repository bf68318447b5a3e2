#!/usr/bin/env bash
# Failures, strongSwan initiator -> kited responder (IKEv1, IPv4): charon's
# initiate fails, kited's last_error names the cause in one line, and
# neither kernel keeps any XFRM state:
#   1. wrong pre-shared key (Main Mode: MM5 does not decrypt at kited,
#      which answers AUTHENTICATION-FAILED)
#   2. IKE proposal mismatch: kited logs both sides' offers
#   3. ESP proposal mismatch: the quick mode fails, kited logs both offers
#   4. Aggressive Mode identity mismatch: kited checks the ID of AM1
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=ikev1.bash
source "$LAB_DIR/scenarios/ikev1.bash"

lab_topology
lab_static_routes left

initiate_fails() {
  step "swanctl --initiate (left) must fail"
  if swanctl_in left --initiate --child net --timeout 15 >"$LAB_OUT/left/initiate.out" 2>&1; then
    fail "charon's initiate succeeded"
  fi
  tail -n 3 "$LAB_OUT/left/initiate.out" | sed 's/^/    /'
  swanctl_in left --terminate --ike lab --force --timeout 5 >/dev/null 2>&1 || true
  kernel_clean left
  kernel_clean right
}

step "1. wrong pre-shared key"
kited_start right <(kite_v1 right negotiation=passive)
charon_start left <(swan_v1 left psk=not-the-lab-secret-42)
initiate_fails
kite_last_error right 'pre-shared keys differ.*sent AUTHENTICATION-FAILED'

step "2. IKE proposal mismatch (charon offers aes256 only)"
swan_reload left <(swan_v1 left ike=aes256-sha256-modp2048)
initiate_fails
kite_last_error right 'no matching IKE proposal: peer offered aes256-sha256-modp2048; ours: aes128-sha256-modp2048; sent NO-PROPOSAL-CHOSEN'

step "3. ESP proposal mismatch (charon offers esp aes256 only)"
swan_reload left <(swan_v1 left esp=aes256-sha256)
initiate_fails
kite_last_error right 'no matching ESP proposal: peer offered aes256-sha256; ours: aes128-sha256; sent NO-PROPOSAL-CHOSEN'

step "4. Aggressive Mode, charon claims an identity kited does not expect"
kite_reload right <(kite_v1 right negotiation=passive mode=aggressive remote_id=fqdn:left.lab.example \
  local_id=fqdn:right.lab.example)
swan_reload left <(swan_v1 left aggressive=yes local_id=intruder.lab.example remote_id=right.lab.example)
initiate_fails
kite_last_error right 'peer identity fqdn:intruder.lab.example does not match the expected fqdn:left.lab.example'

kited_stop right
charon_stop left
kernel_clean left
kernel_clean right
