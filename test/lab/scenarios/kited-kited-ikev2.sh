#!/usr/bin/env bash
# kited <-> kited, IKEv2 PSK over IPv4 (10.1.0.0/24 <-> 10.2.0.0/24), left
# active, right passive, kite's defaults (aes128-sha256-modp2048 / esp
# aes128-sha256). Checks what an operator sees: `kitectl up` returns 0 once
# up, `kitectl show --json` on both sides names the same algorithms and
# SPIs (one side's inbound is the other's outbound), pings cross kernel ESP
# both ways, the kernel's counters and kitectl status count them. Then
# `kitectl down` on the responder (the initiator follows its DELETE), `kitectl
# up` again, and SIGTERM of the initiator; each teardown leaves no XFRM
# state or policy on either side.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

lab_topology
suite_keys aes128-sha256-modp2048
kited_start right <(kite_conf_psk right negotiation=passive)
kited_start left <(kite_conf_psk left negotiation=active)

step "kitectl up lab (left)"
kctl left up lab --timeout 20 | sed 's/^/    /'
kite_show left
kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
spis_left=$(jq -r '.tunnel | "\(.ike_sa.spi_i)/\(.ike_sa.spi_r) \(.children[0].spi_in)/\(.children[0].spi_out)"' <<<"$KITE_JSON")
kite_expect right up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
spis_right=$(jq -r '.tunnel | "\(.ike_sa.spi_i)/\(.ike_sa.spi_r) \(.children[0].spi_out)/\(.children[0].spi_in)"' <<<"$KITE_JSON")
[[ $spis_left == "$spis_right" ]] || fail "SPIs disagree: left $spis_left, right (swapped) $spis_right"
log "SPIs agree: IKE ${spis_left% *}, ESP in/out ${spis_left#* }"
traffic_both_ways 4
kite_traffic_counted left
kite_traffic_counted right

step "kitectl down lab (right, the responder): deletes the SAs and tells left"
kctl right down lab | sed 's/^/    /'
kernel_clean right
kernel_clean left
kite_expect left down
kite_expect right down

step "kitectl up lab (left) again"
kctl left up lab --timeout 20 | sed 's/^/    /'
kite_expect right up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
ping_through left 10.2.0.1 -I 10.1.0.1

# SIGTERM: kited deletes its SAs and policies and informs the peer, which
# then removes its own.
step "SIGTERM kited (left)"
kited_stop left
kernel_clean left
kernel_clean right
kite_expect right down
kited_stop right
kernel_clean right
