#!/usr/bin/env bash
# A kilobyte lifetime drives the rekeys (issue 6): lifetime_kb 2560 divided
# by the test-only KITE_TEST_LIFETIME_DIVISOR=20 is 128 KiB per SA (soft
# at 85-90 %), the lifetime in seconds (3600 s / 20) too long to matter.
# 20 s of 1200-byte pings at 50 a second move ~1.2 MB each way, so about
# ten CHILD SA rekeys come from the kernel's byte-limit EXPIREs; no ping is
# lost, and every SA pair carried about the soft volume before it went.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
# shellcheck source=lifecycle.bash
source "$LAB_DIR/scenarios/lifecycle.bash"

lab_topology
export KITE_TEST_LIFETIME_DIVISOR=20
kited_start right <(kite_conf_lifecycle right negotiation=passive esp_lifetime=3600s esp_lifetime_kb=2560)
kited_start left <(kite_conf_lifecycle left negotiation=active esp_lifetime=3600s esp_lifetime_kb=2560)

kctl left up lab --timeout 20 | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
ip -n left -s xfrm state | grep -m2 -E 'byte (soft|hard) limit' | sed 's/^/    /' || true
ping_steady left 10.2.0.1 20 -I 10.1.0.1 -s 1200

child=$(($(kite_logged left 'CHILD_SA .* rekeyed, now') + $(kite_logged right 'CHILD_SA .* rekeyed, now')))
log "CHILD SA rekeys driven by bytes: $child (about 20 s x 61 KB/s / 112 KB = 11 expected)"
((child >= 6 && child <= 20)) || fail "$child CHILD SA rekeys, want about 11"
# Every SA in the kernel now is below the hard byte limit.
ip -n left -s xfrm state | awk '/lifetime current:/ { getline; print "    current: " $0 }' | head -n 4
kernel_pairs left 2
kernel_pairs right 2

kited_stop left
kernel_clean left
kernel_clean right
kited_stop right
kernel_clean right
