#!/usr/bin/env bash
# Two SPD mappings in one tunnel, kited <-> strongSwan over IPv4. left
# (kited) protects 10.1.0.0/24, right (charon) 10.2.0.0/24 and 10.2.1.0/24;
# kited's tunnel maps 10.1.0.0/24 to both.
#  1. kited initiates: one CHILD SA per mapping, the first in IKE_AUTH, the
#     second by CREATE_CHILD_SA with PFS (esp aes128-sha256-modp2048);
#     charon narrows its two-subnet child to each. Both subnets answer
#     pings through their own SA; `kitectl down` cleans both kernels.
#  2. charon initiates one CHILD SA with both subnets as traffic selectors
#     (TSi 10.2.0.0/24,10.2.1.0/24): kited (passive) answers with both in
#     one SA and installs a policy per pair. Both subnets answer pings;
#     charon's terminate cleans both kernels.
#  3. charon initiates with selectors wider than kited's mappings
#     (10.2.0.0/16 === 10.1.0.0/16): kited narrows them (RFC 7296 §2.9) to
#     10.2.0.0/24,10.2.1.0/24 === 10.1.0.0/24 and charon installs that.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

lab_topology
ip -n left addr add 10.1.1.1/24 dev lan0
ip -n right addr add 10.2.1.1/24 dev lan0
lab_static_routes right
swan_two() { swan_conf_psk right local_ts=10.2.0.0/24,10.2.1.0/24 esp=aes128-sha256-modp2048; }
kite_two() { kite_conf_psk left remote="10.2.0.0/24, 10.2.1.0/24" pfs=14 "$@"; }
suite_keys aes128-sha256-modp2048

# pings_both: traffic to and from both of right's subnets; every CHILD SA
# of left carried packets both ways (kitectl show --json, from the kernel).
pings_both() {
  ping_through left 10.2.0.1 -I 10.1.0.1
  ping_through left 10.2.1.1 -I 10.1.0.1
  ping_through right 10.1.0.1 -I 10.2.1.1
  esp_counters_moved left
  esp_counters_moved right
  kite_json left show lab
  [[ $(jq '[.tunnel.children[] | .packets_in > 0 and .packets_out > 0] | all' <<<"$KITE_JSON") == true ]] ||
    fail "a CHILD SA of left carried no traffic: $(jq -c '[.tunnel.children[] | [.packets_in, .packets_out]]' <<<"$KITE_JSON")"
}

step "1. kited initiates: a CHILD SA per mapping"
charon_start right <(swan_two)
kited_start left <(kite_two negotiation=active)
kctl left up lab --timeout 20 | sed 's/^/    /'
# The second CHILD SA follows the first (CREATE_CHILD_SA): wait for it.
two_children() { [[ $(kctl left --json show lab | jq '.tunnel.children | length') == 2 ]]; }
wait_until 10 "two CHILD SAs in left" two_children ||
  fail "kited did not set up a second CHILD SA"
kite_show left
kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP" 2
maps=$(jq -r '[.tunnel.children[] | "\(.mappings | map("\(.local)=\(.remote)") | join(",")) pfs \(.pfs_group)"] | sort | join("; ")' <<<"$KITE_JSON")
[[ $maps == "10.1.0.0/24=10.2.0.0/24 pfs null; 10.1.0.0/24=10.2.1.0/24 pfs 14" ]] ||
  fail "left's CHILD SAs: got '$maps'"
log "left's CHILD SAs: $maps"
swan_expect right "$SUITE_SWAN_IKE" "$SUITE_SWAN_ESP" 2
pings_both
step "kitectl down lab (left)"
kctl left down lab | sed 's/^/    /'
kernel_clean left
kernel_clean right

step "2. charon initiates one CHILD SA with two subnets"
kite_reload left <(kite_two negotiation=passive)
swanctl_in right --initiate --child net --timeout 20 >"$LAB_OUT/right/initiate.out" 2>&1 || {
  tail -n 20 "$LAB_OUT/right/initiate.out"
  fail "charon could not initiate"
}
kite_show left
kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP" 1
maps=$(jq -r '[.tunnel.children[0].mappings[] | "\(.local)=\(.remote)"] | sort | join(",")' <<<"$KITE_JSON")
[[ $maps == "10.1.0.0/24=10.2.0.0/24,10.1.0.0/24=10.2.1.0/24" ]] || fail "left's CHILD SA covers '$maps'"
swan_expect right "$SUITE_SWAN_IKE" "$SUITE_SWAN_ESP" 1
pings_both
step "swanctl --terminate (right)"
swanctl_in right --terminate --ike lab --timeout 20 >/dev/null
kernel_clean left
kernel_clean right

step "3. charon initiates 10.2.0.0/16 === 10.1.0.0/16: kited narrows"
swan_reload right <(swan_conf_psk right local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16 esp=aes128-sha256-modp2048)
swanctl_in right --initiate --child net --timeout 20 >"$LAB_OUT/right/initiate.out" 2>&1 || {
  tail -n 20 "$LAB_OUT/right/initiate.out"
  fail "charon could not initiate"
}
kite_json left show lab
maps=$(jq -r '[.tunnel.children[0].mappings[] | "\(.local)=\(.remote)"] | sort | join(",")' <<<"$KITE_JSON")
[[ $maps == "10.1.0.0/24=10.2.0.0/24,10.1.0.0/24=10.2.1.0/24" ]] || fail "left's CHILD SA covers '$maps'"
swan_logged right 'CHILD_SA net\{[0-9]+\} established .* TS 10.2.0.0/24 10.2.1.0/24 === 10.1.0.0/24'
ping_through left 10.2.1.1 -I 10.1.0.1
swanctl_in right --terminate --ike lab --timeout 20 >/dev/null
kernel_clean left
kernel_clean right

kited_stop left
charon_stop right
kernel_clean left
kernel_clean right
