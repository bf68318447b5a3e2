#!/usr/bin/env bash
# Rekeying against strongSwan under load (issue 6). kited (left, active)
# has a CHILD SA lifetime of 3 s and an IKE SA lifetime of 6 s (60 s and
# 120 s divided by the test-only KITE_TEST_LIFETIME_DIVISOR=20). First
# charon never rekeys: during 60 s of ping at 50 packets a second kited
# rekeys at least 20 CHILD SAs and 5 IKE SAs and not one packet is lost.
# Then the roles turn: charon rekeys every 10 s (rekey_time; much less
# and charon's own hard lifetime, 110 % of it, overtakes its rekeys),
# kited's lifetimes are longer (15 s and 20 s after a reload), so kited answers
# charon's CHILD SA and IKE SA rekeys (holding its new outbound SA back
# until charon deletes the old pair): 40 s more of ping, again without
# loss. Each side ends with one IKE SA and one outbound SA (charon keeps
# the inbound SA of a replaced CHILD SA a few seconds longer for late
# packets, its delete_rekeyed_delay); kernels clean after SIGTERM.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=lifecycle.bash
source "$LAB_DIR/scenarios/lifecycle.bash"

lab_topology
lab_static_routes right
export KITE_TEST_LIFETIME_DIVISOR=20
charon_start right <(swan_conf_psk right rekey=0s)
kited_start left <(kite_conf_lifecycle left negotiation=active ike_lifetime=120s esp_lifetime=60s)
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1

step "phase 1: kited rekeys, charon answers"
ping_steady left 10.2.0.1 60 -I 10.1.0.1
child=$(kite_logged left 'CHILD_SA .* rekeyed, now')
ike=$(kite_logged left 'IKE SA rekeyed: ')
log "kited rekeyed $child CHILD SAs and $ike IKE SAs in 60 s"
((child >= 20)) || fail "only $child CHILD SA rekeys"
((ike >= 5)) || fail "only $ike IKE SA rekeys"
swan_expect right AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 ESP:AES_CBC-128/HMAC_SHA2_256_128

step "phase 2: charon rekeys (rekey_time 10 s), kited answers (lifetimes 15 s and 20 s)"
swan_reload right <(swan_conf_psk right rekey=10s)
kite_reload left <(kite_conf_lifecycle left negotiation=active ike_lifetime=400s esp_lifetime=300s)
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
peer_child_before=$(kite_logged left 'CHILD_SA .* deleted by peer')
peer_ike_before=$(kite_logged left 'IKE SA rekeyed by peer')
ping_steady left 10.2.0.1 40 -I 10.1.0.1
peer_child=$(($(kite_logged left 'CHILD_SA .* deleted by peer') - peer_child_before))
peer_ike=$(($(kite_logged left 'IKE SA rekeyed by peer') - peer_ike_before))
log "charon's rekeys answered by kited: $peer_child CHILD SA (old pairs deleted by charon), $peer_ike IKE SA"
((peer_child >= 3)) || fail "only $peer_child CHILD SA rekeys by charon"
((peer_ike >= 2)) || fail "only $peer_ike IKE SA rekeys by charon"
[[ $(kite_logged left 'IKE SA deleted by peer') == 0 ]] ||
  fail "charon deleted an IKE SA that carried the tunnel: $(grep 'IKE SA deleted by peer' "$LAB_OUT/left/kited.log" | head -n 1)"
errors=$(kite_logged left ' error ')
((errors == 0)) || fail "kited logged $errors errors: $(grep ' error ' "$LAB_OUT/left/kited.log" | head -n 3)"
kite_expect left up aes128/sha256/prfsha256/14 aes128/sha256
kernel_pairs left 2
outbound=$(ip -n right xfrm state | grep -c '^src 192.0.2.2 ' || true)
((outbound == 1)) || fail "charon has $outbound outbound SAs, want 1"

kited_stop left
kernel_clean left
kernel_clean right
charon_stop right
kernel_clean right
