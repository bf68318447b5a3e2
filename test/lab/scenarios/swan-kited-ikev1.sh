#!/usr/bin/env bash
# strongSwan initiator (version = 1) <-> kited responder (negotiation:
# passive), IKEv1 PSK over IPv4, one round after another in the same
# daemons (reloaded between):
#   1. Main Mode, addresses,  aes128-sha1-modp2048   / esp 3des-sha1
#   2. Aggressive Mode, FQDNs, 3des-sha1-modp1024     / esp des-md5, PFS modp1024
#   3. Main Mode, addresses,  aes256-sha256-modp1536 / esp aes128-sha256
# Each round: `swanctl --initiate` succeeds, swanctl --list-sas and kitectl
# show report the suite, pings cross kernel ESP both ways, the counters
# moved and kitectl status counts them. Round 1 ends with charon's
# terminate (kited follows its DELETEs), round 2 with `kitectl down` on the
# responder (charon follows kited's), round 3 with SIGTERM of kited; each
# time neither kernel keeps any XFRM state.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=ikev1.bash
source "$LAB_DIR/scenarios/ikev1.bash"

lab_topology
lab_static_routes left

round() {
  step "swanctl --initiate (left) with $SUITE_IKE / $SUITE_ESP"
  swanctl_in left --initiate --child net --timeout 20 >"$LAB_OUT/left/initiate.out" 2>&1 || {
    tail -n 20 "$LAB_OUT/left/initiate.out"
    fail "charon could not initiate"
  }
  swan_expect left "$SUITE_SWAN_IKE" "$SUITE_SWAN_ESP"
  kite_expect right up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
  traffic_both_ways 4
  kite_traffic_counted right
}

step "1. Main Mode, aes128-sha1-modp2048 / 3des-sha1"
v1_suite aes128-sha1-modp2048
kited_start right <(kite_v1 right negotiation=passive "${SUITE_KITE[@]}")
charon_start left <(swan_v1 left ike="$SUITE_IKE" esp="$SUITE_ESP")
round
kite_show right
step "swanctl --terminate (left): kited removes its side on charon's DELETEs"
swanctl_in left --terminate --ike lab --timeout 20 >/dev/null
kernel_clean left
kernel_clean right
kite_expect right down

step "2. Aggressive Mode, FQDN identities, 3des-sha1-modp1024 / des-md5 with PFS"
v1_suite 3des-sha1-modp1024
kite_reload right <(kite_v1 right negotiation=passive "${SUITE_KITE[@]}" mode=aggressive pfs=2 \
  local_id=fqdn:right.lab.example remote_id=fqdn:left.lab.example)
swan_reload left <(swan_v1 left ike="$SUITE_IKE" esp="$SUITE_ESP-modp1024" aggressive=yes \
  local_id=left.lab.example remote_id=right.lab.example)
SUITE_SWAN_ESP+=/MODP_1024
round
step "kitectl down lab (right, the responder): deletes the SAs and tells charon"
kctl right down lab | sed 's/^/    /'
kernel_clean right
kernel_clean left
swan_logged left 'received DELETE for ISAKMP_SA|deleting IKE_SA'

step "3. Main Mode, aes256-sha256-modp1536 / aes128-sha256"
v1_suite aes256-sha256-modp1536
kite_reload right <(kite_v1 right negotiation=passive "${SUITE_KITE[@]}")
swan_reload left <(swan_v1 left ike="$SUITE_IKE" esp="$SUITE_ESP")
round
step "SIGTERM kited (right): deletes its SAs and tells charon"
kited_stop right
kernel_clean right
kernel_clean left
charon_stop left
kernel_clean left
