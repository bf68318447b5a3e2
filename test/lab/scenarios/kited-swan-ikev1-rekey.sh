#!/usr/bin/env bash
# IKEv1 Quick Mode rekeying against strongSwan (version = 1, issue 6):
# kited (left, active) has an IPsec SA lifetime of 4 s (80 s divided by
# the test-only KITE_TEST_LIFETIME_DIVISOR=20), charon never rekeys. 60 s
# of ping at 50 packets a second: none lost, the tunnel in the kernel at
# every sample, at least 20 rekeys by kited (a new Quick Mode, then the
# old pair's DELETE, which charon follows). kited's ISAKMP SA lifetime is
# 8 s (160 s / 20): at least 5 new phase 1s, charon adopting the IPsec SAs
# into each new ISAKMP SA as it comes up and deleting the old one on
# kited's DELETE (no Quick Mode of kited's straddles the change, else that
# pair would die at charon with the old SA); kernels clean.
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
kited_start left <(kite_conf_lifecycle left version=ikev1 negotiation=active esp_lifetime=80s ike_lifetime=160s)
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
ping_steady left 10.2.0.1 60 -I 10.1.0.1

rekeys=$(kite_logged left 'IPsec SA .* rekeyed, now')
log "kited rekeyed $rekeys IPsec SAs during the ping"
((rekeys >= 20)) || fail "only $rekeys IPsec SA rekeys"
isakmp=$(kite_logged left 'ISAKMP SA rekeyed')
log "kited replaced its ISAKMP SA $isakmp times (new phase 1)"
((isakmp >= 5)) || fail "only $isakmp ISAKMP SA rekeys"
# charon moves the IPsec SAs to each new ISAKMP SA as it comes up and
# deletes the old one (with what it still carries) on kited's DELETE.
adopted=$(grep -c -E 'detected reauth of existing IKE_SA, adopting [1-9]' "$LAB_OUT/right/charon.log" || true)
deleted=$(grep -c 'received DELETE for IKE_SA' "$LAB_OUT/right/charon.log" || true)
log "charon adopted the IPsec SAs into a new ISAKMP SA $adopted times, deleted an old one on kited's DELETE $deleted times"
((adopted >= isakmp)) || fail "charon adopted IPsec SAs only $adopted times"
((deleted >= isakmp - 1)) || fail "charon deleted only $deleted old ISAKMP SAs"
# The heir and at most one old ISAKMP SA in its last two seconds.
ike_sas=$(swanctl_in right --list-sas | grep -c 'ESTABLISHED' || true)
((ike_sas >= 1 && ike_sas <= 2)) || fail "charon holds $ike_sas IKE SAs, want 1 or 2: $(swanctl_in right --list-sas)"
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
