#!/usr/bin/env bash
# kited <-> kited rekeying under load (issue 6): CHILD SA lifetime 3 s and
# IKE SA lifetime 6 s (60 s and 120 s divided by the test-only
# KITE_TEST_LIFETIME_DIVISOR=20) on both ends, so both rekey, sometimes at
# once (RFC 7296 §2.8.1/§2.8.2 collisions). During 60 s of ping at 50
# packets a second not one packet is lost; at least 20 CHILD SA and 5 IKE
# SA rekeys happened, every one make-before-break, and afterwards each side
# holds one IKE SA and one SA pair; no errors logged; kernels clean after
# SIGTERM.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=lifecycle.bash
source "$LAB_DIR/scenarios/lifecycle.bash"

lab_topology
export KITE_TEST_LIFETIME_DIVISOR=20
kited_start right <(kite_conf_lifecycle right negotiation=passive ike_lifetime=120s esp_lifetime=60s)
kited_start left <(kite_conf_lifecycle left negotiation=active ike_lifetime=120s esp_lifetime=60s)
grep -q 'KITE_TEST_LIFETIME_DIVISOR=20' "$LAB_OUT/left/kited.log" || fail "kited did not take the test-only divisor"

step "kitectl up lab (left)"
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
ping_steady left 10.2.0.1 60 -I 10.1.0.1

child=$(($(kite_logged left 'CHILD_SA .* rekeyed, now') + $(kite_logged right 'CHILD_SA .* rekeyed, now')))
ike=$(($(kite_logged left 'IKE SA rekeyed: ') + $(kite_logged right 'IKE SA rekeyed: ')))
collisions=$(($(kite_logged left 'rekey collision') + $(kite_logged right 'rekey collision')))
log "rekeys during the ping: $child CHILD SA, $ike IKE SA ($collisions collisions settled)"
((child >= 20)) || fail "only $child CHILD SA rekeys"
((ike >= 5)) || fail "only $ike IKE SA rekeys"
for ns in left right; do
  errors=$(kite_logged "$ns" ' error ')
  ((errors == 0)) || fail "$ns logged $errors errors: $(grep ' error ' "$LAB_OUT/$ns/kited.log" | head -n 3)"
done
kite_expect left up aes128/sha256/prfsha256/14 aes128/sha256
kite_expect right up aes128/sha256/prfsha256/14 aes128/sha256
kernel_pairs left 2
kernel_pairs right 2

kited_stop left
kernel_clean left
kernel_clean right
kited_stop right
kernel_clean right
