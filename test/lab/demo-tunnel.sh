#!/usr/bin/env bash
# Runs inside the lab guest for demo.sh: one tunnel between left and right,
# shown the way an operator would look at it. DEMO_PEERS picks the gateways
# (kited | strongswan), DEMO_FAMILY the address family (4 | 6).
# shellcheck source=lib.sh
source "$LAB_DIR/lib.sh"
peers=${DEMO_PEERS:-kited}
f=${DEMO_FAMILY:-4}

# The two ways to run a pair of gateways; everything after is shared.
start_gateways() {
  case $peers in
    kited)
      # kited installs the routes to the peer's subnet itself (spd mode).
      kited_start right <(kite_conf_psk right family="$f" negotiation=passive)
      kited_start left <(kite_conf_psk left family="$f" negotiation=active)
      step "kitectl up lab (left)"
      kitectl_in left up lab --timeout 20
      ;;
    strongswan)
      lab_static_routes left
      lab_static_routes right
      charon_start right <(swan_conf_psk right family="$f")
      charon_start left <(swan_conf_psk left family="$f")
      step "swanctl --initiate (left)"
      swanctl_in left --initiate --child net --timeout 20 >/dev/null
      ;;
    *) fail "DEMO_PEERS must be kited or strongswan, not '$peers'" ;;
  esac
}
show_gateway() { # NS
  case $peers in
    kited) kitectl_in "$1" status ;;
    strongswan) swanctl_in "$1" --list-sas ;;
  esac
}
stop_gateways() {
  case $peers in
    kited) kited_stop left && kited_stop right ;;
    strongswan) charon_stop left && charon_stop right ;;
  esac
}

lab_topology
start_gateways
sa_installed left 2
sa_installed right 2
ping_through left "$(inner_addr right "$f")" -I "$(inner_addr left "$f")"
for ns in left right; do
  step "$ns: the gateway's view"
  show_gateway "$ns" | sed 's/^/    /'
done
step "left: ip -s xfrm state (keys elided)"
ip -n left -s xfrm state | sed -E -e 's/0x[0-9a-f]{16,}/<key>/' -e 's/^/    /'
esp_counters_moved left
esp_counters_moved right
stop_gateways
kernel_clean left
kernel_clean right
step "the tunnel carried traffic through kernel ESP and left nothing behind"
