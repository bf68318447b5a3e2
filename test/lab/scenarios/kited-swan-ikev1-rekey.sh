#!/usr/bin/env bash
# IKEv1 Quick Mode rekeying against strongSwan (version = 1, issue 6):
# kited (left, active) has an IPsec SA lifetime of 4 s (80 s divided by
# the test-only KITE_TEST_LIFETIME_DIVISOR=20), charon never rekeys. 60 s
# of ping at 50 packets a second: none lost, the tunnel in the kernel at
# every sample, at least 20 rekeys by kited (a new Quick Mode, then the
# old pair's DELETE, which charon follows); kernels clean.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=lifecycle.bash
source "$LAB_DIR/scenarios/lifecycle.bash"

lab_topology
lab_static_routes right
export KITE_TEST_LIFETIME_DIVISOR=20
charon_start right <(swan_conf_psk right version=1 rekey=0s)
kited_start left <(kite_conf_lifecycle left version=ikev1 negotiation=active esp_lifetime=80s)
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
ping_steady left 10.2.0.1 60 -I 10.1.0.1

rekeys=$(kite_logged left 'IPsec SA .* rekeyed, now')
log "kited rekeyed $rekeys IPsec SAs during the ping"
((rekeys >= 20)) || fail "only $rekeys IPsec SA rekeys"
errors=$(kite_logged left ' error ')
((errors == 0)) || fail "kited logged $errors errors: $(grep ' error ' "$LAB_OUT/left/kited.log" | head -n 3)"
kernel_pairs left 2
outbound=$(ip -n right xfrm state | grep -c '^src 192.0.2.2 ' || true)
((outbound == 1)) || fail "charon has $outbound outbound SAs, want 1"

kited_stop left
kernel_clean left
kernel_clean right
charon_stop right
kernel_clean right
