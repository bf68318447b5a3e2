#!/usr/bin/env bash
# Dead peer detection, action clear, on a `negotiation: traffic` tunnel
# (issue 6): the first ping brings the tunnel up; right dies (SIGKILL,
# kernel state flushed as by a reboot); within the 30 s DPD timeout left
# removes its SAs but keeps its trap policies and does not negotiate on
# its own. When right is back, the next ping (an XFRM acquire through the
# trap) brings the tunnel up again; kernels clean after SIGTERM.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=lifecycle.bash
source "$LAB_DIR/scenarios/lifecycle.bash"

lab_topology
kited_start right <(kite_conf_lifecycle right negotiation=passive dpd_timeout=30s)
kited_start left <(kite_conf_lifecycle left negotiation=traffic dpd_timeout=30s dpd_action=clear)
ping_through left 10.2.0.1 -I 10.1.0.1
kernel_pairs left 2

kited_crash right
lab_now
killed=$LAB_NOW
wait_until 40 "left's DPD timeout" grep -q 'DPD: no answer' "$LAB_OUT/left/kited.log" ||
  fail "left did not declare right dead within 40 s"
lab_now
took=$(((LAB_NOW - killed + 999) / 1000))
log "right declared dead after ${took} s"
((took <= 31)) || fail "DPD took ${took} s, the timeout is 30 s"
grep -q 'dpd action clear' "$LAB_OUT/left/kited.log" || fail "no clear after the DPD timeout"
wait_until 5 "left's SAs to go" lab_sa_count_is left 0 || fail "left kept SAs of a dead peer"
# The traps stay: out, in and fwd of the mapping, waiting for traffic.
traps=$(ip -n left xfrm policy | grep -c 'tmpl src' || true)
((traps == 3)) || fail "left has $traps policies with templates, want the 3 traps"
initiations=$(kite_logged left 'initiating IKEv2')
lab_sleep 5
[[ $(kite_logged left 'initiating IKEv2') == "$initiations" ]] || fail "left negotiated again by itself after clear"
kite_expect left down

step "right comes back; the next ping through the trap brings the tunnel up"
kited_start right <(kite_conf_lifecycle right negotiation=passive dpd_timeout=30s)
ping_through left 10.2.0.1 -I 10.1.0.1
kernel_pairs left 2
kernel_pairs right 2

kited_stop left
kernel_clean left
kernel_clean right
kited_stop right
kernel_clean right
