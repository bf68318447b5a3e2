#!/usr/bin/env bash
# Dead peer detection, action restart (issue 6): left (active, dpd 30 s,
# restart) and right (passive) are up and idle; right dies (SIGKILL, its
# kernel state flushed as by a reboot). Left notices within the 30 s DPD
# timeout (its liveness checks go unanswered), logs the DPD timeout,
# removes its SAs and starts negotiating again at once. When right comes
# back (a fresh kited), left brings the tunnel up by itself and traffic
# flows; kernels clean after SIGTERM.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=lifecycle.bash
source "$LAB_DIR/scenarios/lifecycle.bash"

lab_topology
kited_start right <(kite_conf_lifecycle right negotiation=passive dpd_timeout=30s)
kited_start left <(kite_conf_lifecycle left negotiation=active dpd_timeout=30s dpd_action=restart)
kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1

kited_crash right
lab_now
killed=$LAB_NOW
wait_until 40 "left's DPD timeout" grep -q 'DPD: no answer' "$LAB_OUT/left/kited.log" ||
  fail "left did not declare right dead within 40 s"
lab_now
took=$(((LAB_NOW - killed + 999) / 1000))
log "left: $(grep 'DPD: no answer' "$LAB_OUT/left/kited.log" | tail -n 1)"
log "right declared dead after ${took} s"
((took <= 31)) || fail "DPD took ${took} s, the timeout is 30 s"
grep -q 'dpd action restart' "$LAB_OUT/left/kited.log" || fail "no restart after the DPD timeout"
wait_until 5 "left's SAs to go" lab_sa_count_is left 0 || fail "left kept SAs of a dead peer"
[[ $(kite_logged left 'initiating IKEv2') -ge 2 ]] || fail "left did not negotiate again"

step "right comes back: left re-establishes the tunnel by itself"
kited_start right <(kite_conf_lifecycle right negotiation=passive dpd_timeout=30s)
wait_until 60 "left up again" kite_is_up left || fail "left did not bring the tunnel back"
ping_through left 10.2.0.1 -I 10.1.0.1
kernel_pairs left 2
kernel_pairs right 2

kited_stop left
kernel_clean left
kernel_clean right
kited_stop right
kernel_clean right
