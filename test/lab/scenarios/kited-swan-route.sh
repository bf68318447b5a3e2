#!/usr/bin/env bash
# Route mode against strongSwan: kited (left, `mode: route`, active) and a
# charon (right) configured from `kitectl export --format swanctl` for that
# tunnel, following the export's own instructions for a kernel without xfrm
# interfaces (UML has ip_vti only): a VTI created with `ip link add ...
# type vti ... ikey ID okey ID`, disable_policy, a route to kite's LAN
# through it, and if_id_in/if_id_out replaced by mark_in/mark_out. Checks:
# charon's CHILD SA is 0.0.0.0/0 === 0.0.0.0/0, pings between the LANs pass
# through both VTIs (their counters) and kernel ESP; `kitectl down` and
# SIGTERM leave kited's side without interface, route, SA or policy, and
# charon's without SA or policy.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=route.bash
source "$LAB_DIR/scenarios/route.bash"

SWAN_IFACE=swan-vti

lab_topology
suite_keys aes128-sha256-modp2048
kite_conf_route left "$IFACE" negotiation=active >"$LAB_OUT/kite-left.yaml"

step "kitectl export --format swanctl for right, VTI variant"
mkdir -p "$LAB_OUT/right"
"$KITECTL" export lab --format swanctl --config "$LAB_OUT/kite-left.yaml" --output "$LAB_OUT/right/export.conf" ||
  fail "kitectl export failed"
id=$(sed -n 's/^ *if_id_in = //p' "$LAB_OUT/right/export.conf")
[[ $id == 0x* ]] || fail "the export has no if_id_in"
grep -q 'local_ts = 0.0.0.0/0' "$LAB_OUT/right/export.conf" || fail "the export's local_ts is not 0.0.0.0/0"
grep -q 'remote_ts = 0.0.0.0/0' "$LAB_OUT/right/export.conf" || fail "the export's remote_ts is not 0.0.0.0/0"
sed -e 's/if_id_in = /mark_in = /' -e 's/if_id_out = /mark_out = /' "$LAB_OUT/right/export.conf" >"$LAB_OUT/right/vti.conf"
grep -E '^ *(mark_|local_ts|remote_ts)' "$LAB_OUT/right/vti.conf" | sed 's/^/    /'
ip -n right -batch - <<EOF
link add $SWAN_IFACE type vti local $(outer_addr right 4) remote $(outer_addr left 4) ikey $id okey $id
link set $SWAN_IFACE up mtu 1400
route add $(inner_net left 4) dev $SWAN_IFACE
EOF
in_ns right sysctl -q -w "net.ipv4.conf.$SWAN_IFACE.disable_policy=1"
charon_start right "$LAB_OUT/right/vti.conf"
kited_start left "$LAB_OUT/kite-left.yaml"
route_mode_installed left

step "kitectl up lab (left)"
kctl left up lab --timeout 20 | sed 's/^/    /'
kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
sas_bound left "$(printf '0x%x' "$(jq -r '.tunnel.interface.mark' <<<"$KITE_JSON")")"
swan_expect right "$SUITE_SWAN_IKE" "$SUITE_SWAN_ESP"
sas=$(swanctl_in right --list-sas)
[[ $sas == *"local  0.0.0.0/0"* && $sas == *"remote 0.0.0.0/0"* ]] ||
  fail "charon's CHILD SA is not 0.0.0.0/0 both ways"

step "pings between the LANs go through kited's and charon's VTIs"
read -r l_rx0 l_tx0 < <(link_packets left "$IFACE")
read -r r_rx0 r_tx0 < <(link_packets right "$SWAN_IFACE")
traffic_both_ways 4
read -r l_rx1 l_tx1 < <(link_packets left "$IFACE")
read -r r_rx1 r_tx1 < <(link_packets right "$SWAN_IFACE")
log "left $IFACE: rx $l_rx0 -> $l_rx1, tx $l_tx0 -> $l_tx1; right $SWAN_IFACE: rx $r_rx0 -> $r_rx1, tx $r_tx0 -> $r_tx1"
((l_tx1 - l_tx0 >= 4 && l_rx1 - l_rx0 >= 4)) || fail "pings did not pass through $IFACE"
((r_tx1 - r_tx0 >= 4 && r_rx1 - r_rx0 >= 4)) || fail "pings did not pass through $SWAN_IFACE"
kite_traffic_counted left

step "kitectl down lab (left): SAs go on both sides, kited's interface stays"
kctl left down lab | sed 's/^/    /'
kernel_clean left
kernel_clean right
route_mode_installed left

step "up again, then SIGTERM kited"
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left "$(inner_addr right 4)" -I "$(inner_addr left 4)"
kited_stop left
route_mode_gone left
kernel_clean left
kernel_clean right
charon_stop right
kernel_clean right
ip -n right link del "$SWAN_IFACE"
