#!/usr/bin/env bash
# Failures, kited initiator -> strongSwan responder (IKEv2, IPv4): each
# makes `kitectl up` exit non-zero with a last_error that says why,
# strongSwan logs the failure, and neither kernel keeps any XFRM state:
#   1. wrong pre-shared key   (charon: MAC mismatched, AUTHENTICATION_FAILED)
#   2. IKE proposal mismatch  (aes256 vs aes128: NO_PROPOSAL_CHOSEN in IKE_SA_INIT)
#   3. ESP proposal mismatch  (aes256 vs aes128: NO_PROPOSAL_CHOSEN for the
#      CHILD SA; kited then deletes the IKE SA it just set up)
# Finally settings that agree only after a retry bring the tunnel up: kited
# offers DH groups 14 and 20 with a group-14 KE, charon wants ecp384 (20)
# and answers INVALID_KE_PAYLOAD, kited retries with group 20 (RFC 7296
# §1.2); the failures before left nothing in the way.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

lab_topology
lab_static_routes right
charon_start right <(swan_conf_psk right)

step "1. wrong pre-shared key"
kited_start left <(kite_conf_psk left psk=not-the-lab-secret-42)
kite_up_fails left 'AUTHENTICATION_FAILED'
kite_last_error left 'AUTHENTICATION_FAILED'
swan_logged right 'MAC mismatched'
swan_logged right 'N\(AUTH_FAILED\)'
kernel_clean left
kernel_clean right

step "2. IKE proposal mismatch (kited offers aes256 only)"
kite_reload left <(kite_conf_psk left encryption=aes256)
kite_up_fails left 'NO_PROPOSAL_CHOSEN'
kite_last_error left 'NO_PROPOSAL_CHOSEN.*aes256'
swan_logged right 'received proposals: IKE:AES_CBC_256'
swan_logged right 'N\(NO_PROP\)'
kernel_clean left
kernel_clean right

step "3. ESP proposal mismatch (kited offers esp aes256 only)"
kite_reload left <(kite_conf_psk left esp_encryption=aes256)
kite_up_fails left 'NO_PROPOSAL_CHOSEN'
kite_last_error left 'CHILD_SA.*NO_PROPOSAL_CHOSEN'
swan_logged right 'received proposals: ESP:AES_CBC_256'
swan_logged right 'failed to establish CHILD_SA'
kernel_clean left
kernel_clean right
# kited deleted the IKE SA that carried no CHILD SA; charon followed.
swan_no_sas() { [[ -z $(swanctl_in right --list-sas 2>&1) ]]; }
wait_until 5 "charon to drop the IKE SA" swan_no_sas ||
  fail "charon still has an IKE SA: $(swanctl_in right --list-sas 2>&1)"

step "INVALID_KE_PAYLOAD: kited retries with the group charon wants"
swan_reload right <(swan_conf_psk right ike=aes128-sha256-ecp384)
kite_reload left <(kite_conf_psk left dh_group="[14, 20]")
kctl left up lab --timeout 20 | sed 's/^/    /'
swan_logged right 'N\(INVAL_KE\)'
kite_expect left up aes128/sha256/prfsha256/20 aes128/sha256
ping_through left 10.2.0.1 -I 10.1.0.1
kite_last_error left '^$'
kited_stop left
charon_stop right
kernel_clean left
kernel_clean right
