#!/usr/bin/env bash
# kited initiator <-> strongSwan responder, IKEv2 PSK over IPv4
# (10.1.0.0/24 <-> 10.2.0.0/24), two suites in sequence:
#   ike aes128-sha256-modp2048 / esp aes128-sha256
#   ike aes256-sha512-ecp384   / esp aes256gcm16
# `kitectl up`, both sides report the suite, ping both ways through kernel
# ESP, counters moved, `kitectl down` / SIGTERM clean both kernels
# (interop.bash, kited_initiates).
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
kited_initiates 4 aes128-sha256-modp2048 aes256-sha512-ecp384
