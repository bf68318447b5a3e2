#!/usr/bin/env bash
# Failures, kited initiator -> strongSwan responder (IKEv1, IPv4): each
# makes `kitectl up` exit non-zero with a last_error that says why, and
# neither kernel keeps any XFRM state:
#   1. wrong pre-shared key (Main Mode: charon cannot read MM5 and answers
#      with a notify kited cannot read either)
#   2. identity mismatch (kited expects another responder ID: it answers
#      MM6 with INVALID-ID-INFORMATION and a DELETE)
#   3. IKE proposal mismatch (aes256 vs aes128: NO-PROPOSAL-CHOSEN)
#   4. ESP proposal mismatch (aes256 vs aes128: NO-PROPOSAL-CHOSEN for the
#      quick mode; kited then deletes the ISAKMP SA it just set up)
# Finally the right settings bring the tunnel up (the failures left nothing
# in the way).
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=ikev1.bash
source "$LAB_DIR/scenarios/ikev1.bash"

lab_topology
lab_static_routes right
charon_start right <(swan_v1 right)

# clean_both: neither kernel keeps anything, charon has no established SA.
clean_both() {
  kernel_clean left
  kernel_clean right
  # shellcheck disable=SC2016 # eval expands it, each time it polls
  wait_until 10 "charon to drop its SAs" eval '[[ $(swanctl_in right --list-sas 2>&1) != *ESTABLISHED* ]]' ||
    fail "charon still has an SA: $(swanctl_in right --list-sas 2>&1)"
}

step "1. wrong pre-shared key"
kited_start left <(kite_v1 left psk=not-the-lab-secret-42)
kite_up_fails left 'AUTHENTICATION-FAILED'
kite_last_error left 'pre-shared keys differ'
swan_logged right 'decryption failed'
# charon keeps its half-open SA until its own timeout: nobody can tell it
# otherwise without a shared key. The kernels stay empty.
kernel_clean left
kernel_clean right

step "2. identity mismatch"
kite_reload left <(kite_v1 left remote_id=fqdn:someone.else)
kite_up_fails left 'INVALID-ID-INFORMATION'
kite_last_error left 'peer identity 192.0.2.2 does not match the expected fqdn:someone.else; sent INVALID-ID-INFORMATION'
clean_both

step "3. IKE proposal mismatch (kited offers aes256 only)"
kite_reload left <(kite_v1 left encryption=aes256)
kite_up_fails left 'NO-PROPOSAL-CHOSEN'
kite_last_error left 'NO-PROPOSAL-CHOSEN.*aes256-sha256-modp2048'
clean_both

step "4. ESP proposal mismatch (kited offers esp aes256 only)"
kite_reload left <(kite_v1 left esp_encryption=aes256)
kite_up_fails left 'NO-PROPOSAL-CHOSEN'
kite_last_error left 'quick mode 10.1.0.0/24 === 10.2.0.0/24: peer answered NO-PROPOSAL-CHOSEN'
clean_both

step "the right settings: up"
kite_reload left <(kite_v1 left)
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
kite_last_error left '^$'
kited_stop left
charon_stop right
kernel_clean left
kernel_clean right
