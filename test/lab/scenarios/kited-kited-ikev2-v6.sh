#!/usr/bin/env bash
# kited <-> kited, IKEv2 PSK over IPv6 outside (2001:db8::1 <-> ::2) and
# inside (fd01::/64 <-> fd02::/64), left active, right passive, ike
# aes256-sha512-ecp384 / esp aes256gcm16: `kitectl up`, both sides report
# the suite, pings cross kernel ESP (esp6) both ways, counters moved; SIGTERM
# of the initiator leaves no XFRM state or policy on either side.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

lab_topology
suite_keys aes256-sha512-ecp384
kited_start right <(kite_conf_psk right family=6 negotiation=passive "${SUITE_KITE[@]}")
kited_start left <(kite_conf_psk left family=6 negotiation=active "${SUITE_KITE[@]}")

step "kitectl up lab (left)"
kctl left up lab --timeout 20 | sed 's/^/    /'
kite_show right
kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
kite_expect right up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
[[ $(jq -r '.tunnel | "\(.peer) \(.children[0].mappings[0].local) \(.children[0].mappings[0].remote)"' <<<"$KITE_JSON") == "2001:db8::1 fd02::/64 fd01::/64" ]] ||
  fail "right's tunnel is not 2001:db8::1 with fd02::/64 <=> fd01::/64"
# (No `| grep -q`: under pipefail, ip's SIGPIPE when grep stops early fails it.)
[[ $(ip -n left xfrm state) == *"src 2001:db8::1 dst 2001:db8::2"* ]] || fail "no IPv6 outer SA in left"
traffic_both_ways 6
kite_traffic_counted left
kite_traffic_counted right

step "SIGTERM kited (left)"
kited_stop left
kernel_clean left
kernel_clean right
kite_expect right down
kited_stop right
kernel_clean right
