#!/usr/bin/env bash
# kited initiator <-> strongSwan responder (version = 1), IKEv1 PSK over
# IPv4, one round after another in the same daemons (reloaded between):
#   1. Main Mode, addresses,  3des-sha1-modp1024     / esp des-md5
#   2. Main Mode, addresses,  aes128-sha1-modp2048   / esp 3des-sha1, PFS modp2048
#   3. Aggressive Mode, FQDNs, aes256-sha256-modp1536 / esp aes128-sha256
# Each round: `kitectl up` returns 0, kitectl show and swanctl --list-sas
# report the suite, pings cross kernel ESP both ways, the counters moved and
# kitectl status counts them. Rounds 1 and 2 end with `kitectl down` (charon
# logs kited's DELETE), round 3 with SIGTERM of kited; each time neither
# kernel keeps any XFRM state.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=ikev1.bash
source "$LAB_DIR/scenarios/ikev1.bash"

lab_topology
lab_static_routes right
# strongSwan answers Aggressive Mode with a PSK only when told it may.
CHARON_CONF_EXTRA="i_dont_care_about_security_and_use_aggressive_mode_psk = yes"

# round NAME: up, both sides report the suite, traffic both ways.
round() {
  step "kitectl up lab (left) with $SUITE_IKE / $SUITE_ESP"
  kctl left up lab --timeout 20 | sed 's/^/    /'
  kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
  swan_expect right "$SUITE_SWAN_IKE" "$SUITE_SWAN_ESP"
  traffic_both_ways 4
  kite_traffic_counted left
}

down_round() {
  step "kitectl down lab (left): deletes the SAs and tells charon"
  kctl left down lab | sed 's/^/    /'
  kernel_clean left
  kernel_clean right
  kite_expect left down
  swan_logged right 'received DELETE for ISAKMP_SA|deleting IKE_SA'
}

step "1. Main Mode, 3des-sha1-modp1024 / des-md5"
v1_suite 3des-sha1-modp1024
charon_start right <(swan_v1 right ike="$SUITE_IKE" esp="$SUITE_ESP")
kited_start left <(kite_v1 left "${SUITE_KITE[@]}")
round
kite_show left
down_round

step "2. Main Mode, aes128-sha1-modp2048 / 3des-sha1 with PFS"
v1_suite aes128-sha1-modp2048
swan_reload right <(swan_v1 right ike="$SUITE_IKE" esp="$SUITE_ESP-modp2048")
kite_reload left <(kite_v1 left "${SUITE_KITE[@]}" pfs=14)
SUITE_SWAN_ESP+=/MODP_2048
round
down_round

step "3. Aggressive Mode, FQDN identities, aes256-sha256-modp1536 / aes128-sha256"
v1_suite aes256-sha256-modp1536
swan_reload right <(swan_v1 right ike="$SUITE_IKE" esp="$SUITE_ESP" aggressive=yes \
  local_id=right.lab.example remote_id=left.lab.example)
kite_reload left <(kite_v1 left "${SUITE_KITE[@]}" mode=aggressive \
  local_id=fqdn:left.lab.example remote_id=fqdn:right.lab.example)
round
step "SIGTERM kited (left): deletes its SAs and tells charon"
kited_stop left
kernel_clean left
kernel_clean right
charon_stop right
kernel_clean right
