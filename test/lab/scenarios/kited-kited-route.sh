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
# and is left alone; SIGTERM leaves no interface, route, SA or policy. Then
# the same over IKEv1 (Quick Mode IDs 0.0.0.0/0), pings through the VTIs.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

# shellcheck source=route.bash
source "$LAB_DIR/scenarios/route.bash"

lab_topology

step "a stale kite VTI (crashed kited) and a foreign interface in left"
ip -n left link add kite-stale type vti local 192.0.2.1 remote 192.0.2.9 ikey 0x6b69fff0 okey 0x6b69fff0
ip -n left link add kite-busy type dummy

suite_keys aes128-sha256-modp2048
kited_start right <(kite_conf_route right "$IFACE" negotiation=passive)
kited_start left <(kite_conf_route left "$IFACE" negotiation=active)

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
read -r l_rx0 l_tx0 < <(link_packets left "$IFACE")
read -r r_rx0 r_tx0 < <(link_packets right "$IFACE")
traffic_both_ways 4
read -r l_rx1 l_tx1 < <(link_packets left "$IFACE")
read -r r_rx1 r_tx1 < <(link_packets right "$IFACE")
log "left $IFACE: rx $l_rx0 -> $l_rx1, tx $l_tx0 -> $l_tx1; right: rx $r_rx0 -> $r_rx1, tx $r_tx0 -> $r_tx1"
((l_tx1 - l_tx0 >= 4 && l_rx1 - l_rx0 >= 4)) || fail "left's pings did not pass through $IFACE"
((r_tx1 - r_tx0 >= 4 && r_rx1 - r_rx0 >= 4)) || fail "right's pings did not pass through $IFACE"
kite_traffic_counted left
kite_traffic_counted right

step "reload left without the tunnel: interface, route, SAs and policies go"
kite_conf_route left "$IFACE" negotiation=active | awk '/^tunnels:$/ { print "tunnels: []"; exit } { print }' >"$LAB_OUT/left/none.yaml"
kite_reload left "$LAB_OUT/left/none.yaml"
route_mode_gone left
kernel_clean left
kernel_clean right
route_mode_installed right # right's tunnel is still configured

step "reload left with the tunnel on a foreign interface name: refused, the interface untouched"
kite_conf_route left kite-busy negotiation=active >"$LAB_OUT/left/busy.yaml"
cp "$LAB_OUT/left/busy.yaml" "$LAB_OUT/left/kite.yaml"
if out=$(kctl left reload 2>&1); then fail "reload onto a foreign interface succeeded: $out"; fi
printf '%s\n' "$out" | sed 's/^/    /'
[[ $out == *"kite-busy exists and is not kite's"* ]] || fail "reload error does not name the foreign interface"
ip -n left -d link show dev kite-busy | grep -q dummy || fail "kite-busy was changed"
kernel_clean left

step "reload left with the tunnel again: interface and route back, tunnel up"
kite_conf_route left "$IFACE" negotiation=active >"$LAB_OUT/left/back.yaml"
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

step "IKEv1: the same tunnel as Quick Mode with 0.0.0.0/0 IDs, through the VTIs"
kited_start right <(kite_conf_route right "$IFACE" negotiation=passive version=ikev1)
kited_start left <(kite_conf_route left "$IFACE" negotiation=active version=ikev1)
kctl left up lab --timeout 20 | sed 's/^/    /'
for ns in left right; do
  kite_expect "$ns" up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
  mark=$(jq -r '.tunnel.interface.mark' <<<"$KITE_JSON")
  sas_bound "$ns" "$(printf '0x%x' "$mark")"
done
read -r l_rx0 l_tx0 < <(link_packets left "$IFACE")
traffic_both_ways 4
read -r l_rx1 l_tx1 < <(link_packets left "$IFACE")
((l_tx1 - l_tx0 >= 4 && l_rx1 - l_rx0 >= 4)) || fail "IKEv1: left's pings did not pass through $IFACE"
kited_stop left
kited_stop right
for ns in left right; do
  route_mode_gone "$ns"
  kernel_clean "$ns"
done
