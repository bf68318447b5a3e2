#!/usr/bin/env bash
# What users install is what the lab proves: kited and kitectl as shipped in
# the Debian package (build-deb/kite_<version>_amd64.deb, built by
# test/run.sh's package stage, which runs before the lab; unpacked here with
# dpkg-deb -x: stripped, hardened, Debian's build flags) carry one tunnel.
# kited (left, active) <-> strongSwan (right), IKEv2 PSK over IPv4,
# aes128-sha256-modp2048 / esp aes128-sha256: `kitectl up` returns 0, both
# sides report the suite, pings cross kernel ESP both ways, the counters
# moved, and SIGTERM of kited leaves neither kernel any XFRM state
# (interop.bash, kited_initiates). Skipped when no package was built.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

debs=("$LAB_DIR"/../../build-deb/kite_*_amd64.deb)
deb=${debs[-1]}
[[ -f $deb ]] || lab_skip "no build-deb/kite_*_amd64.deb: packaging/build-deb.sh (the package stage) makes it"
step "unpack $(basename "$deb") ($(date -r "$deb" '+%F %T'))"
dpkg-deb -x "$deb" "$LAB_OUT/pkg"
KITED=$LAB_OUT/pkg/usr/sbin/kited
# shellcheck disable=SC2034 # lib.sh's and interop.bash's helpers use it
KITECTL=$LAB_OUT/pkg/usr/bin/kitectl
log "$("$KITED" --version), kitectl from the same package"

kited_initiates 4 aes128-sha256-modp2048
