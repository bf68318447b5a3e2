#!/usr/bin/env bash
# strongSwan <-> strongSwan, IKEv2 with PSK, IPv6 outside and inside: proves
# the lab itself (kernel ESP, namespaces, charon per namespace, assertions).
# left initiates; ike aes128-sha256-modp2048, esp aes128-sha256,
# fd01::/64 <-> fd02::/64 over 2001:db8::1 <-> ::2.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"

lab_topology
lab_static_routes left
lab_static_routes right

charon_start right <(swan_conf_psk right family=6)
charon_start left <(swan_conf_psk left family=6)

step "initiate from left"
swanctl_in left --initiate --child net --timeout 20
sa_installed left 2
sa_installed right 2

ping_through left fd02::1 -I fd01::1
ping_through right fd01::1 -I fd02::1
esp_counters_moved left
esp_counters_moved right

step "terminate from left"
swanctl_in left --terminate --ike lab --timeout 20
kernel_clean left
kernel_clean right

charon_stop left
charon_stop right
# With the daemons gone, not even their per-socket policies remain.
kernel_clean left
kernel_clean right
