#!/usr/bin/env bash
# strongSwan initiator <-> kited responder (negotiation: passive), IKEv2 PSK
# over IPv4 (10.1.0.0/24 <-> 10.2.0.0/24), two suites in sequence:
#   ike aes128-sha1-modp1024 / esp 3des-md5
#   ike aes128-sha256-x25519 (curve25519) / esp chacha20poly1305
# `swanctl --initiate`, both sides report the suite, ping both ways through
# kernel ESP, counters moved, charon's terminate / `kitectl down` on the
# responder clean both kernels (interop.bash, swan_initiates).
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"
swan_initiates 4 down aes128-sha1-modp1024 aes128-sha256-x25519
