#!/usr/bin/env bash
# TEMPLATE (not run: copy to scenarios/ once kited negotiates IKEv2).
# kited <-> kited, IKEv2 PSK, IPv4: left active, right passive; defaults of
# kite_conf_psk (aes128-sha256, group 14; esp aes128-sha256, no PFS).
# Checks what an operator sees: `kitectl up` returns 0 only when up, both
# `kitectl status` show the tunnel up, traffic crosses kernel ESP, and
# SIGTERM leaves nothing in the kernel on either side.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"

lab_topology
kited_start right <(kite_conf_psk right negotiation=passive)
kited_start left <(kite_conf_psk left negotiation=active)

step "kitectl up (left)"
kitectl_in left up lab --timeout 20
for ns in left right; do
  step "$ns: kitectl status"
  kitectl_in "$ns" status | tee "$LAB_OUT/$ns/status.txt" | sed 's/^/    /'
  grep -q -w up "$LAB_OUT/$ns/status.txt" || fail "tunnel not up in $ns"
done

ping_through left 10.2.0.1 -I 10.1.0.1
ping_through right 10.1.0.1 -I 10.2.0.1
esp_counters_moved left
esp_counters_moved right

# SIGTERM: kited deletes its SAs and policies and informs the peer, which
# then removes its own.
kited_stop left
kernel_clean left
kernel_clean right
kited_stop right
kernel_clean right
