#!/usr/bin/env bash
# kited <-> kited, IKEv1 PSK over IPv4 (10.1.0.0/24 <-> 10.2.0.0/24), left
# active, right passive, in two rounds with both daemons reloaded between:
#   1. Main Mode, address identities, 3des-sha1-modp1024 / esp des-md5
#   2. Aggressive Mode, FQDN identities, aes256-sha256-modp1536 / esp
#      aes128-sha256 with PFS (modp1536)
# Each round: `kitectl up` returns 0, both sides report the suite and the
# same cookies and SPIs (one side's inbound is the other's outbound), pings
# cross kernel ESP both ways and the counters moved. Round 1 ends with
# `kitectl down` on the responder (its DELETEs remove left's SAs), round 2
# with SIGTERM of the initiator; each time neither kernel keeps any XFRM
# state or policy.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=ikev1.bash
source "$LAB_DIR/scenarios/ikev1.bash"

lab_topology

# both_agree: the IKE cookies and ESP SPIs of left and right mirror.
both_agree() {
  local l r
  kite_json left show lab
  l=$(jq -r '.tunnel | "\(.ike_sa.spi_i)/\(.ike_sa.spi_r) \(.children[0].spi_in)/\(.children[0].spi_out)"' <<<"$KITE_JSON")
  kite_json right show lab
  r=$(jq -r '.tunnel | "\(.ike_sa.spi_i)/\(.ike_sa.spi_r) \(.children[0].spi_out)/\(.children[0].spi_in)"' <<<"$KITE_JSON")
  [[ $l == "$r" ]] || fail "cookies/SPIs disagree: left $l, right (swapped) $r"
  log "cookies ${l% *}, ESP in/out ${l#* }"
}

step "1. Main Mode, address identities"
v1_suite 3des-sha1-modp1024
kited_start right <(kite_v1 right negotiation=passive "${SUITE_KITE[@]}")
kited_start left <(kite_v1 left negotiation=active "${SUITE_KITE[@]}")
kctl left up lab --timeout 20 | sed 's/^/    /'
kite_show left
kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
kite_expect right up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
both_agree
traffic_both_ways 4
kite_traffic_counted left
kite_traffic_counted right
step "kitectl down lab (right, the responder): its DELETEs remove left's SAs"
kctl right down lab | sed 's/^/    /'
kernel_clean right
kernel_clean left
kite_expect right down
kite_expect left down

step "2. Aggressive Mode, FQDN identities, PFS"
v1_suite aes256-sha256-modp1536
kite_reload right <(kite_v1 right negotiation=passive mode=aggressive pfs=5 "${SUITE_KITE[@]}" \
  local_id=fqdn:right.lab.example remote_id=fqdn:left.lab.example)
kite_reload left <(kite_v1 left negotiation=active mode=aggressive pfs=5 "${SUITE_KITE[@]}" \
  local_id=fqdn:left.lab.example remote_id=fqdn:right.lab.example)
kctl left up lab --timeout 20 | sed 's/^/    /'
kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
kite_expect right up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
[[ $(jq -r '.tunnel.children[0].pfs_group' <<<"$KITE_JSON") == 5 ]] || fail "right's CHILD SA has no PFS group 5"
both_agree
traffic_both_ways 4

step "SIGTERM kited (left): deletes its SAs and tells right"
kited_stop left
kernel_clean left
kernel_clean right
kited_stop right
kernel_clean right
