#!/usr/bin/env bash
# Smoke test of kited on the host (root): two network namespaces joined by
# a veth, a kited in each (one active, one passive), kitectl over each
# control socket, a reload, SIGTERM, and nothing of kite's left behind. The
# host kernel has XFRM but no ESP, so IKE comes up and the CHILD SA install
# fails cleanly; the kernel lab (test/lab) is where tunnels carry traffic.
#   daemon/tools/netns_smoke.sh [BUILD_DIR]     (default: build)
set -euo pipefail
build=$(realpath "${1:-build}")
kited=$build/daemon/kited
kitectl=$build/daemon/kitectl
work=$(mktemp -d /tmp/kite-smoke.XXXXXX)
ns_a=kite-smoke-a-$$
ns_b=kite-smoke-b-$$

cleanup() {
  for ns in "$ns_a" "$ns_b"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "netns_smoke: FAIL: $*" >&2; for f in "$work"/*/log; do echo "== $f"; cat "$f"; done >&2; exit 1; }

ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add "ks-a-$$" type veth peer name "ks-b-$$"
ip link set "ks-a-$$" netns "$ns_a"
ip link set "ks-b-$$" netns "$ns_b"
ip -n "$ns_a" addr add 10.98.0.1/24 dev "ks-a-$$"
ip -n "$ns_b" addr add 10.98.0.2/24 dev "ks-b-$$"
for ns in "$ns_a" "$ns_b"; do ip -n "$ns" link set lo up; done
ip -n "$ns_a" link set "ks-a-$$" up
ip -n "$ns_b" link set "ks-b-$$" up

config() {  # dir local peer negotiation local_cidr remote_cidr
  mkdir -p "$work/$1"
  cat > "$work/$1/kite.yaml" <<YAML
gateway:
  name: gw-$1
  local_address: $2
  log_level: debug
customer_gateways:
  - name: peer
    address: $3
tunnels:
  - name: t1
    customer_gateway: peer
    pre_shared_key: "smoke-test-psk-1234"
    negotiation: $4
    mode: spd
    spd:
      - local: $5
        remote: [$6]
YAML
}
config a 10.98.0.1 10.98.0.2 active 192.168.1.0/24 192.168.2.0/24
config b 10.98.0.2 10.98.0.1 passive 192.168.2.0/24 192.168.1.0/24

"$kitectl" check --config "$work/a/kite.yaml" >/dev/null || fail "kitectl check"
start() {  # dir ns
  ip netns exec "$2" "$kited" --foreground --config "$work/$1/kite.yaml" \
    --runtime-dir "$work/$1/run" >"$work/$1/log" 2>&1 &
  for _ in $(seq 50); do [[ -S $work/$1/run/kited.sock ]] && return; sleep 0.1; done
  fail "kited $1 did not create its socket"
}
start b "$ns_b"
start a "$ns_a"
ctl() { "$kitectl" --socket "$work/$1/run/kited.sock" "${@:2}"; }

status=$(ctl a status --json) || fail "kitectl status (a)"
grep -q '"name":"t1"' <<<"$status" || fail "status has no t1: $status"
grep -q '"peer":"10.98.0.2"' <<<"$status" || fail "status peer: $status"
ctl b show t1 --json | grep -q '"ok":true' || fail "kitectl show (b)"
ctl a version | grep -q '^kited ' || fail "kitectl version"
for _ in $(seq 50); do grep -q "IKE SA established" "$work/a/log" && break; sleep 0.1; done
grep -q "IKE SA established" "$work/a/log" || fail "no IKE SA between the two kited"
rc=0; ctl a show nope >/dev/null 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "show of an unknown tunnel exited $rc, not 1"
rc=0; "$kitectl" --socket "$work/none.sock" status >/dev/null 2>&1 || rc=$?
[[ $rc == 3 ]] || fail "unreachable daemon exited $rc, not 3"

sed -i 's/^  log_level: debug/  log_level: info/' "$work/a/kite.yaml"
ctl a reload | grep -q "unchanged 1" || fail "reload"
echo "  bogus: 1" >> "$work/a/kite.yaml"
rc=0; ctl a reload >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "reload of an invalid config exited $rc, not 2"
ctl a status --json | grep -q '"name":"t1"' || fail "invalid reload changed the running config"

for ns in "$ns_a" "$ns_b"; do ip netns pids "$ns" | xargs -r kill -TERM; done
for _ in $(seq 50); do [[ -z $(ip netns pids "$ns_a")$(ip netns pids "$ns_b") ]] && break; sleep 0.1; done
[[ -z $(ip netns pids "$ns_a")$(ip netns pids "$ns_b") ]] || fail "kited did not exit on SIGTERM"
for ns in "$ns_a" "$ns_b"; do
  [[ -z $(ip -n "$ns" xfrm state) ]] || fail "xfrm states left in $ns"
  [[ -z $(ip -n "$ns" xfrm policy | grep -v socket | grep -v '^src 0.0.0.0/0 dst 0.0.0.0/0' || true) ]] ||
    fail "xfrm policies left in $ns"
  [[ -z $(ip -n "$ns" route show table 220) ]] || fail "routes left in table 220 of $ns"
done
[[ ! -e $work/a/run/kited.sock ]] || fail "control socket left behind"
echo "netns_smoke: ok"
