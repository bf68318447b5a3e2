#!/usr/bin/env bash
# `kitectl export --format swanctl` gives the customer gateway a config that
# comes up against kited as it is, nothing edited by hand. kited (left) has
# one tunnel with two SPD mappings (10.1.0.0/24 -> 10.2.0.0/24 and
# 10.3.0.0/24), ike aes256-sha256 with ecp256/modp2048, esp aes256gcm plus
# aes128-sha256, PFS ecp256, FQDN ids and a PSK with '#', '{' and '$' in it.
# strongSwan (right) runs only what kitectl exported, twice:
#   1. kited active: strongSwan responds; `kitectl up` brings up one
#      CHILD_SA per mapping; `kitectl down` clears both kernels.
#   2. kited passive: the export says start_action = start, so charon
#      initiates on load; SIGTERM of charon clears both kernels.
# Each time: pings cross kernel ESP for both mappings, the ESP counters
# moved on both sides, and kitectl status counts the traffic.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"

# kite_yaml NEGOTIATION: kited's config (left).
kite_yaml() {
  cat <<EOF
gateway:
  name: lab-left
  local_address: 192.0.2.1
  control_socket: $(kited_socket left)
  log_level: debug
customer_gateways:
  - name: right
    address: 192.0.2.2
tunnels:
  - name: lab
    customer_gateway: right
    pre_shared_key: 'lab #key {x} \$HOME 0123'
    negotiation: $1
    mode: spd
    spd:
      - local: 10.1.0.0/24
        remote: [10.2.0.0/24, 10.3.0.0/24]
    ike:
      version: ikev2
      encryption: aes256
      integrity: sha256
      dh_group: [19, 14]
      local_id: {type: fqdn, value: kited.lab.example}
      remote_id: {type: fqdn, value: customer.lab.example}
    ipsec:
      encryption: [aes256gcm, aes128]
      integrity: sha256
      pfs: 19
EOF
}

# export_for NEGOTIATION: writes kite.yaml and what `kitectl export` makes of
# it into $LAB_OUT/export-NEGOTIATION/ (no daemon involved).
export_for() {
  local dir=$LAB_OUT/export-$1
  mkdir -p "$dir"
  kite_yaml "$1" >"$dir/kite.yaml"
  step "kitectl export lab --format swanctl (negotiation: $1)"
  "$KITECTL" export lab --format swanctl --config "$dir/kite.yaml" --output "$dir/swanctl.conf" ||
    fail "kitectl export failed"
  grep -E '^ *(proposals|esp_proposals|local_ts|remote_ts|id|start_action) =' "$dir/swanctl.conf" |
    sed 's/^ */    /'
}

# swan_loaded: charon took the exported connection, both children and the
# secret (swanctl --load-all exits 0 even on a file it could not parse).
swan_loaded() {
  local out
  out=$(swanctl_in right --list-conns)
  [[ $out == *"lab: IKEv2"* && $out == *"net-1: TUNNEL"* && $out == *"net-2: TUNNEL"* ]] ||
    fail "charon did not load the exported connection: $out"
  grep -q "loaded ike secret 'ike-lab'" "$LAB_OUT/right/swanctl-load.out" ||
    fail "charon did not load the exported secret"
}

# both_mappings_carry: two CHILD SAs on each side, pings for both mappings
# both ways, ESP counters moved, kitectl status counts the traffic.
both_mappings_carry() {
  sa_installed left 4
  sa_installed right 4
  local sas
  sas=$(swanctl_in right --list-sas)
  printf '%s\n' "$sas" | sed 's/^/    /'
  (($(grep -c 'INSTALLED, TUNNEL' <<<"$sas") == 2)) || fail "charon has not 2 CHILD SAs installed"
  ping_through left 10.2.0.1 -I 10.1.0.1
  ping_through left 10.3.0.1 -I 10.1.0.1
  ping_through right 10.1.0.1 -I 10.3.0.1
  esp_counters_moved left
  esp_counters_moved right
  local status
  status=$(kitectl_in left --json status)
  jq -e '.tunnels[] | select(.name == "lab") | .state == "up" and .packets_in > 0 and .packets_out > 0' \
    <<<"$status" >/dev/null || fail "kitectl status does not count the traffic: $status"
}

# kite_up: kitectl status (left) says the tunnel is up.
kite_up() {
  "$KITECTL" --socket "$(kited_socket left)" --json status |
    jq -e '.tunnels[] | select(.name == "lab") | .state == "up"' >/dev/null
}

lab_topology
ip -n right addr add 10.3.0.1/24 dev lan0 # a second protected subnet behind charon
lab_static_routes right                    # charon installs no routes; kited does

# ---- 1. kited active, strongSwan responds --------------------------------------
export_for active
grep -q 'start_action = none' "$LAB_OUT/export-active/swanctl.conf" || fail "want start_action = none"
charon_start right "$LAB_OUT/export-active/swanctl.conf"
swan_loaded
kited_start left "$LAB_OUT/export-active/kite.yaml"
step "kitectl up lab (kited initiates)"
kitectl_in left up lab --timeout 20 | sed 's/^/    /'
both_mappings_carry
step "kitectl down lab: kited deletes the SAs and tells charon"
kitectl_in left down lab
kernel_clean left
kernel_clean right
kited_stop left
charon_stop right

# ---- 2. kited passive, strongSwan initiates as exported ------------------------
export_for passive
grep -q 'start_action = start' "$LAB_OUT/export-passive/swanctl.conf" || fail "want start_action = start"
kited_start left "$LAB_OUT/export-passive/kite.yaml"
charon_start right "$LAB_OUT/export-passive/swanctl.conf" # initiates on load
swan_loaded
wait_until 20 "kited to report lab up" kite_up ||
  fail "the tunnel did not come up from strongSwan's side"
both_mappings_carry
step "charon stops: it deletes the SAs and tells kited"
charon_stop right
kernel_clean left
kernel_clean right
kited_stop left
