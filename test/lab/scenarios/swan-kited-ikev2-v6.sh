#!/usr/bin/env bash
# strongSwan initiator <-> kited responder (negotiation: passive), IKEv2 PSK
# over IPv6 (2001:db8::1 <-> ::2 outside, fd01::/64 <-> fd02::/64 inside),
# two suites in sequence:
#   ike aes128-sha256-modp2048 / esp aes128-sha256
#   ike aes256-sha512-ecp384   / esp aes256gcm16
# `swanctl --initiate`, both sides report the suite, ping both ways through
# kernel ESP, counters moved, charon's terminate / SIGTERM of the kited
# responder clean both kernels (interop.bash, swan_initiates).
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
swan_initiates 6 sigterm aes128-sha256-modp2048 aes256-sha512-ecp384
