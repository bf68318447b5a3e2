# shellcheck shell=bash
# What the route-mode scenarios share (sourced, not a scenario): a route-mode
# kite.yaml, interface counters, and checks on kited's VTI, its route and
# the mark on SAs and policies. $IFACE is kited's interface name.
IFACE=${IFACE:-kite-lab}

# kite_conf_route NS INTERFACE [k=v...]: kite_conf_psk's tunnel (same keys)
# in route mode: the spd block replaced by route: {interface, remote: the
# peer's IPv4 LAN}.
kite_conf_route() {
  local ns=$1 iface=$2 peer
  shift 2
  peer=$(peer_of "$ns")
  kite_conf_psk "$ns" "$@" | awk -v iface="$iface" -v remote="$(inner_net "$peer" 4)" '
    /^    mode: spd$/ { print "    mode: route"; print "    route:"; print "      interface: " iface
                        print "      remote: [" remote "]"; skip = 3; next }
    skip > 0 { skip--; next }
    { print }'
}

# link_packets NS INTERFACE: "rx tx" packet counters of the interface.
link_packets() {
  ip -n "$1" -s -j link show dev "$2" | jq -r '.[0].stats64 | "\(.rx.packets) \(.tx.packets)"'
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

