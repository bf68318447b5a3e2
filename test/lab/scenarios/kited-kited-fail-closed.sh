#!/usr/bin/env bash
# Fail closed: kite routes the peer's subnets towards the peer (spd routes,
# table 220), so a tunnel without SAs must not let that traffic out in
# clear text. left runs a `passive` tunnel and right has no IPsec at all
# (only a route back): left's pings to right's LAN fail and not one echo
# request reaches right (its IcmpInEchos stay put), because left keeps its
# trap policies from load on. Then right's kited brings the tunnel up
# (pings pass through ESP), `kitectl down` on left takes the SAs away and
# the traps are back at both ends: blocked again, nothing in clear. Only
# kited's SIGTERM removes the policies.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

# icmp_echos_in NS: echo requests NS's stack has received so far.
icmp_echos_in() { in_ns "$1" nstat -asz IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }'; }

# nothing_in_clear: left's ping to right's LAN is blocked and right saw no
# echo request of it.
nothing_in_clear() {
  local before after
  before=$(icmp_echos_in right)
  ping_blocked left 10.2.0.1 -I 10.1.0.1
  after=$(icmp_echos_in right)
  ((after == before)) || fail "right received $((after - before)) echo requests in clear text"
  log "right received no echo request ($before before, $after after)"
}

lab_topology
# right answers in clear text if anything reaches it: a route back to left's LAN.
lab_static_routes right
suite_keys aes128-sha256-modp2048
kited_start left <(kite_conf_psk left negotiation=passive)

step "passive tunnel loaded, peer without IPsec: left keeps trap policies, nothing leaves in clear"
ip -n left route show table 220 | grep -q '^10.2.0.0/24 ' || fail "no spd route to 10.2.0.0/24 in table 220"
fail_closed left 3
nothing_in_clear

step "right's kited brings the tunnel up"
kited_start right <(kite_conf_psk right negotiation=active)
kctl right up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
esp_counters_moved left

step "kitectl down lab (left): SAs go, traps stay at both ends"
kctl left down lab | sed 's/^/    /'
kite_expect left down
wait_until 5 "no SA in left" bash -c "[[ -z \$(ip -n left xfrm state) ]]" || fail "SAs left in left"
fail_closed left 3
wait_until 5 "no SA in right" bash -c "[[ -z \$(ip -n right xfrm state) ]]" || fail "SAs left in right"
fail_closed right 3
# right's kited is active: it would renegotiate only after its retry
# interval (30 s), so the ping below meets the traps.
nothing_in_clear

kited_stop left
kernel_clean left
kited_stop right
kernel_clean right
