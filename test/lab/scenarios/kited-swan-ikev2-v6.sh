#!/usr/bin/env bash
# kited initiator <-> strongSwan responder, IKEv2 PSK over IPv6
# (2001:db8::1 <-> ::2 outside, fd01::/64 <-> fd02::/64 inside), two
# suites in sequence:
#   ike aes128-sha1-modp1024 / esp 3des-md5
#   ike aes128-sha256-x25519 (curve25519) / esp chacha20poly1305
# `kitectl up`, both sides report the suite, ping both ways through kernel
# ESP, counters moved, `kitectl down` / SIGTERM clean both kernels
# (interop.bash, kited_initiates).
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
kited_initiates 6 aes128-sha1-modp1024 aes128-sha256-x25519
