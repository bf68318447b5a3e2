#!/usr/bin/env bash
# Route mode (SPEC.md §2 `mode: route`) between two kited, IKEv2 over IPv4.
# The UML kernel has ip_vti but no xfrm_interface, so each kited says so in
# its log and creates a VTI "kite-lab" (ikey = okey = the tunnel's mark, in
# kite's 0x6b69xxxx range) instead, with a route to the peer's LAN through
# it. Checks: a stale kite VTI (as a crashed kited leaves) is removed at
# start; the CHILD SA's selectors are 0.0.0.0/0 both ways; every SA and
# policy carries the mark; `kitectl show --json` names the interface; pings
# between the LANs go through the VTI (its tx/rx packet counters and the
# ESP SA counters move on both sides); removing the tunnel by reload takes
# out interface, route, SAs and policies, adding it back restores them; an
# interface of the configured name that is not kite's refuses the tunnel
# and is left alone; SIGTERM leaves no interface, route, SA or policy.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

IFACE=kite-lab

# kite_conf_route NS NEGOTIATION [INTERFACE]: kite_conf_psk's tunnel in
# route mode (the spd block replaced by route: {interface, remote}).
kite_conf_route() {
  local ns=$1 negotiation=$2 iface=${3:-$IFACE} peer
  peer=$(peer_of "$ns")
  kite_conf_psk "$ns" negotiation="$negotiation" | awk -v iface="$iface" -v remote="$(inner_net "$peer" 4)" '
    /^    mode: spd$/ { print "    mode: route"; print "    route:"; print "      interface: " iface
                        print "      remote: [" remote "]"; skip = 3; next }
    skip > 0 { skip--; next }
    { print }'
}

# link_packets NS: "rx tx" packet counters of the interface.
link_packets() {
  ip -n "$1" -s -j link show dev "$IFACE" | jq -r '.[0].stats64 | "\(.rx.packets) \(.tx.packets)"'
}

# route_mode_installed NS: the VTI is up with kite's key and the route to the
# peer's LAN goes through it.
route_mode_installed() {
  local ns=$1 peer details
  peer=$(peer_of "$ns")
  details=$(ip -n "$ns" -d link show dev "$IFACE") || fail "no interface $IFACE in $ns"
  printf '%s\n' "$details" | sed 's/^/    /'
  [[ $details == *"vti remote $(outer_addr "$peer" 4) local $(outer_addr "$ns" 4)"* ]] ||
    fail "$IFACE in $ns is not a VTI between the gateways"
  # iproute2 prints VTI keys as dotted quads: 0x6b69xxxx is 107.105.x.x.
  [[ $details =~ ikey\ 107\.105\.[0-9]+\.[0-9]+\ okey\ 107\.105\. ]] ||
    fail "$IFACE in $ns has no key in kite's range"
  [[ $(ip -n "$ns" -j link show dev "$IFACE" | jq -r '.[0].flags | index("UP") != null') == true ]] ||
    fail "$IFACE in $ns is not up"
  [[ $(ip -n "$ns" -j link show dev "$IFACE" | jq -r '.[0].mtu') == 1400 ]] || fail "$IFACE in $ns: MTU not 1400"
  [[ $(in_ns "$ns" cat /proc/sys/net/ipv4/conf/$IFACE/disable_policy) == 1 ]] ||
    fail "disable_policy is not set on $IFACE in $ns"
  local route
  route=$(ip -n "$ns" route show "$(inner_net "$peer" 4)")
  log "route in $ns: $route"
  [[ $route == *"dev $IFACE"* ]] || fail "no route to $(inner_net "$peer" 4) via $IFACE in $ns"
}

# route_mode_gone NS: no interface and no route left.
route_mode_gone() {
  local ns=$1
  step "interface and route gone in $ns"
  if ip -n "$ns" link show dev "$IFACE" >/dev/null 2>&1; then fail "$IFACE still exists in $ns"; fi
  [[ -z $(ip -n "$ns" route show dev "$IFACE" 2>/dev/null) ]] || fail "routes via $IFACE left in $ns"
  [[ -z $(ip -n "$ns" route show "$(inner_net "$(peer_of "$ns")" 4)") ]] || fail "route to the peer LAN left in $ns"
}

# sas_bound NS MARK: every SA and policy carries the mark; selectors are 0/0.
sas_bound() {
  local ns=$1 mark=$2 states policies n_sa n_sa_marked n_pol n_wild n_pol_marked
  states=$(ip -n "$ns" xfrm state)
  policies=$(ip -n "$ns" xfrm policy) # also the daemons' per-socket bypasses (dir "socket")
  n_sa=$(grep -c 'proto esp' <<<"$states" || true)
  n_sa_marked=$(grep -c "mark $mark/0xffffffff" <<<"$states" || true)
  n_pol=$(grep -cE '^\s+dir (in|out|fwd) ' <<<"$policies" || true)
  n_wild=$(grep -A1 '^src 0.0.0.0/0 dst 0.0.0.0/0' <<<"$policies" | grep -cE '^\s+dir (in|out|fwd) ' || true)
  n_pol_marked=$(grep -c "mark $mark/0xffffffff" <<<"$policies" || true)
  log "$ns: $n_sa SAs ($n_sa_marked with mark $mark), $n_pol policies ($n_wild 0.0.0.0/0 both ways, $n_pol_marked marked)"
  ((n_sa == 2 && n_sa_marked == 2)) || fail "SAs in $ns are not bound to mark $mark"
  ((n_pol == 3 && n_wild == 3 && n_pol_marked == 3)) || fail "policies in $ns are not 0.0.0.0/0 with mark $mark"
}

lab_topology

step "a stale kite VTI (crashed kited) and a foreign interface in left"
ip -n left link add kite-stale type vti local 192.0.2.1 remote 192.0.2.9 ikey 0x6b69fff0 okey 0x6b69fff0
ip -n left link add kite-busy type dummy

suite_keys aes128-sha256-modp2048
kited_start right <(kite_conf_route right passive)
kited_start left <(kite_conf_route left active)

step "kited removed the stale VTI, kept the foreign interface, said VTI"
if ip -n left link show dev kite-stale >/dev/null 2>&1; then fail "stale kite-stale still there"; fi
ip -n left link show dev kite-busy >/dev/null || fail "kited removed a foreign interface"
for ns in left right; do
  grep -E "no xfrm interface support in this kernel; using a VTI with mark 0x6b69[0-9a-f]{4}" \
    "$LAB_OUT/$ns/kited.log" | sed 's/^/    /' || fail "$ns: no log line about the VTI fallback"
  route_mode_installed "$ns"
done

step "kitectl up lab (left)"
kctl left up lab --timeout 20 | sed 's/^/    /'
kite_show left
for ns in left right; do
  kite_expect "$ns" up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
  read -r mode kind name mark sel < <(jq -r '.tunnel | [.mode, .interface.kind, .interface.name,
      (.interface.mark | tostring), (.children[0].mappings[0] | "\(.local)-\(.remote)")] | join(" ")' <<<"$KITE_JSON")
  log "$ns: mode $mode, interface $name ($kind, mark $mark), selectors $sel"
  [[ $mode == route && $kind == vti && $name == "$IFACE" ]] || fail "$ns: kitectl show does not name the VTI"
  [[ $sel == "0.0.0.0/0-0.0.0.0/0" ]] || fail "$ns: selectors $sel, want 0.0.0.0/0 both ways"
  sas_bound "$ns" "$(printf '0x%x' "$mark")"
done

step "pings between the LANs go through the VTIs"
read -r l_rx0 l_tx0 < <(link_packets left)
read -r r_rx0 r_tx0 < <(link_packets right)
traffic_both_ways 4
read -r l_rx1 l_tx1 < <(link_packets left)
read -r r_rx1 r_tx1 < <(link_packets right)
log "left $IFACE: rx $l_rx0 -> $l_rx1, tx $l_tx0 -> $l_tx1; right: rx $r_rx0 -> $r_rx1, tx $r_tx0 -> $r_tx1"
((l_tx1 - l_tx0 >= 4 && l_rx1 - l_rx0 >= 4)) || fail "left's pings did not pass through $IFACE"
((r_tx1 - r_tx0 >= 4 && r_rx1 - r_rx0 >= 4)) || fail "right's pings did not pass through $IFACE"
kite_traffic_counted left
kite_traffic_counted right

step "reload left without the tunnel: interface, route, SAs and policies go"
kite_conf_route left active | awk '/^tunnels:$/ { print "tunnels: []"; exit } { print }' >"$LAB_OUT/left/none.yaml"
kite_reload left "$LAB_OUT/left/none.yaml"
route_mode_gone left
kernel_clean left
kernel_clean right
route_mode_installed right # right's tunnel is still configured

step "reload left with the tunnel on a foreign interface name: refused, the interface untouched"
kite_conf_route left active kite-busy >"$LAB_OUT/left/busy.yaml"
cp "$LAB_OUT/left/busy.yaml" "$LAB_OUT/left/kite.yaml"
if out=$(kctl left reload 2>&1); then fail "reload onto a foreign interface succeeded: $out"; fi
printf '%s\n' "$out" | sed 's/^/    /'
[[ $out == *"kite-busy exists and is not kite's"* ]] || fail "reload error does not name the foreign interface"
ip -n left -d link show dev kite-busy | grep -q dummy || fail "kite-busy was changed"
kernel_clean left

step "reload left with the tunnel again: interface and route back, tunnel up"
kite_conf_route left active >"$LAB_OUT/left/back.yaml"
kite_reload left "$LAB_OUT/left/back.yaml"
route_mode_installed left
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1

step "SIGTERM kited (left), then right"
kited_stop left
route_mode_gone left
kernel_clean left
kernel_clean right
kited_stop right
route_mode_gone right
kernel_clean right
ip -n left link show dev kite-busy >/dev/null || fail "kited removed a foreign interface at shutdown"
