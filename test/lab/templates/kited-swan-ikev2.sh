#!/usr/bin/env bash
# TEMPLATE (not run: copy to scenarios/ once kited negotiates IKEv2).
# kited <-> strongSwan, IKEv2 PSK, IPv4: kited in left initiates, charon in
# right responds; ike aes128-sha256-modp2048, esp aes128-sha256,
# 10.1.0.0/24 <-> 10.2.0.0/24. For the other role: right's swan_conf_psk
# with start=none and `swanctl_in right --initiate --child net`, left's
# kite_conf_psk with negotiation=passive. For another suite change both
# sides: kite_conf_psk encryption=aes256 integrity=sha512 dh_group=20
# esp_encryption=aes256gcm16 ... and swan_conf_psk ike=aes256-sha512-ecp384
# esp=aes256gcm16. For IPv6: family=6 on both and the fd0x:: addresses.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"

lab_topology
# charon installs no routes in the lab; kited installs its own (spd mode).
lab_static_routes right

charon_start right <(swan_conf_psk right family=4)
kited_start left <(kite_conf_psk left family=4 negotiation=active)

step "kitectl up (left)"
kitectl_in left up lab --timeout 20
kitectl_in left status | sed 's/^/    /'
sa_installed left 2
sa_installed right 2

ping_through left 10.2.0.1 -I 10.1.0.1
ping_through right 10.1.0.1 -I 10.2.0.1
esp_counters_moved left
esp_counters_moved right

step "kitectl down (left): deletes the SAs and tells the peer"
kitectl_in left down lab
kernel_clean left
kernel_clean right

kited_stop left
charon_stop right
kernel_clean left
kernel_clean right
