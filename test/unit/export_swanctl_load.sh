#!/usr/bin/env bash
# strongSwan's own parser takes what `kitectl export --format swanctl`
# writes: for a set of representative tunnels (IKEv2 with two mappings,
# IKEv1 aggressive with FQDN ids, PFS and a key that needs hex, AEAD with
# mixed ESP proposals and a key with '#', '{' and '$', route mode with
# if_id) charon
# loads every connection and secret, and reports the ids and selectors
# kited expects. charon runs in a throwaway network namespace with a
# private /run; it never negotiates (this host's kernel has no ESP; the
# kernel lab's export-swanctl scenario brings a tunnel up).
#
#   test/unit/export_swanctl_load.sh BUILD/daemon/kitectl
#
# Exit 77 (skipped) without root, charon, swanctl or network namespaces.
set -euo pipefail
kitectl=${1:?usage: $0 KITECTL}
charon=${CHARON:-/usr/lib/ipsec/charon}

skip() {
  echo "SKIP: $*"
  exit 77
}
((EUID == 0)) || skip "needs root (network namespace)"
[[ -x $charon ]] || skip "no charon at $charon"
command -v swanctl >/dev/null || skip "no swanctl"

dir=$(mktemp -d /tmp/kite-export-load.XXXXXX)
ns=kite-export-$$
charon_pid=
cleanup() {
  if [[ -n $charon_pid ]]; then
    kill -TERM "$charon_pid" 2>/dev/null || true
    wait "$charon_pid" 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
fail() {
  {
    echo "FAIL: $*"
    [[ -s $dir/charon.log ]] && tail -n 30 "$dir/charon.log"
  } >&2
  exit 1
}

cat >"$dir/kite.yaml" <<'EOF'
gateway:
  name: gw-load
  local_address: 192.0.2.1
customer_gateways:
  - name: peer4
    address: 198.51.100.7
tunnels:
  - name: v2-two-mappings
    customer_gateway: peer4
    pre_shared_key: "plain-secret-0123"
    negotiation: active
    spd:
      - local: 10.1.0.0/24
        remote: [10.2.0.0/24, 10.3.0.0/24]
  - name: v1.aggressive
    customer_gateway: peer4
    pre_shared_key: '0x"odd" key'
    negotiation: passive
    spd:
      - local: 10.1.1.0/24
        remote: [10.4.0.0/24]
    dpd: {enabled: true, timeout: 60s, action: clear}
    ike:
      version: ikev1
      exchange_mode: aggressive
      encryption: [aes256, aes128]
      integrity: sha1
      dh_group: 14
      local_id: {type: fqdn, value: gw.kite.example}
      remote_id: {type: fqdn, value: branch.example}
      lifetime: 8h
    ipsec:
      encryption: aes256
      integrity: sha256
      pfs: 14
  - name: aead-traffic
    customer_gateway: peer4
    pre_shared_key: "sp ace # {x} $HOME"
    negotiation: traffic
    spd:
      - local: 10.1.2.0/24
        remote: [10.5.0.0/24]
    ike:
      encryption: aes256gcm
      dh_group: [20, 31]
    ipsec:
      encryption: [aes256gcm, chacha20poly1305, aes128]
      integrity: sha256
      pfs: 19
      lifetime_kb: 0
  - name: route-mode
    customer_gateway: peer4
    pre_shared_key: "route-secret"
    mode: route
    route:
      interface: kite-rt
      remote: [10.6.0.0/24, 10.7.0.0/24]
EOF
cat >"$dir/kite6.yaml" <<'EOF'
gateway:
  name: gw-load6
  local_address: 2001:db8::1
customer_gateways:
  - name: peer6
    address: 2001:db8::7
tunnels:
  - name: v6
    customer_gateway: peer6
    pre_shared_key: "v6-secret"
    spd:
      - local: fd01::/64
        remote: [fd02::/64]
    ike:
      encryption: [aes128, aes256]
      integrity: [sha256, sha512]
      dh_group: [14, 19]
EOF

cat >"$dir/strongswan.conf" <<EOF
swanctl {
  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey
}
charon {
  port = 0
  port_nat_t = 0
  install_routes = no
  load_modular = no
  load = random nonce openssl kdf pem pkcs1 x509 pubkey kernel-netlink socket-default vici
  plugins {
    vici {
      socket = unix://$dir/charon.vici
    }
  }
  filelog {
    test {
      path = $dir/charon.log
      default = 1
      cfg = 2
    }
  }
}
EOF
export STRONGSWAN_CONF=$dir/strongswan.conf
# charon's pid file path is fixed (/run/charon.pid): a private /run keeps
# it from meeting any other charon on this host. Each step execs the next,
# so $! is charon.
ip netns exec "$ns" unshare -m --propagation private \
  bash -c 'mount -t tmpfs kite-export /run && exec "$@"' charon "$charon" \
  >"$dir/charon.out" 2>&1 &
charon_pid=$!
swan() { swanctl "$@" --uri "unix://$dir/charon.vici"; }
for _ in $(seq 100); do
  [[ -S $dir/charon.vici ]] && swan --stats >/dev/null 2>&1 && break
  kill -0 "$charon_pid" 2>/dev/null || fail "charon exited: $(cat "$dir/charon.out")"
  sleep 0.1
done
swan --stats >/dev/null 2>&1 || fail "charon's VICI socket did not answer"

# load NAME SECTION [CONFIG]: exports tunnel NAME, loads it (connection
# SECTION and its secret), then prints `swanctl --list-conns`.
load() {
  local name=$1 section=$2 config=${3:-$dir/kite.yaml} out
  "$kitectl" export "$name" --format swanctl --config "$config" --output "$dir/$name.conf" 2>/dev/null ||
    fail "kitectl export $name"
  # swanctl exits 0 on a file it cannot parse: read what it says too.
  out=$(swan --load-conns --file "$dir/$name.conf" 2>&1) || fail "$name: $out"
  [[ $out == *"loaded connection '$section'"* && $out != *invalid* && $out != *failed* ]] ||
    fail "$name: connection not loaded: $out"
  out=$(swan --load-creds --noprompt --file "$dir/$name.conf" 2>&1) || fail "$name: $out"
  [[ $out == *"loaded ike secret 'ike-$section'"* ]] || fail "$name: secret not loaded: $out"
  swan --list-conns 2>&1
}

expect() { # TEXT WHAT: TEXT contains WHAT
  [[ $1 == *"$2"* ]] || fail "expected \"$2\" in:
$1"
}

conns=$(load v2-two-mappings v2-two-mappings)
expect "$conns" "v2-two-mappings: IKEv2"
expect "$conns" "id: 198.51.100.7"
expect "$conns" "net-1: TUNNEL"
expect "$conns" "local:  10.2.0.0/24"
expect "$conns" "net-2: TUNNEL"
expect "$conns" "local:  10.3.0.0/24"
expect "$conns" "remote: 10.1.0.0/24"

conns=$(load v1.aggressive v1_aggressive)
expect "$conns" "v1_aggressive: IKEv1"
expect "$conns" "id: branch.example"
expect "$conns" "id: gw.kite.example"

conns=$(load aead-traffic aead-traffic)
expect "$conns" "local:  10.5.0.0/24"

# Route mode: route-based on this side too, wildcard selectors bound to an
# xfrm interface by if_id (charon logs the if_id it parsed).
conns=$(load route-mode route-mode)
expect "$conns" "local:  0.0.0.0/0"
expect "$conns" "remote: 0.0.0.0/0"
if_id=$(sed -n 's/^ *if_id_in = //p' "$dir/route-mode.conf")
[[ -n $if_id ]] || fail "route-mode export has no if_id_in"
expect "$(cat "$dir/charon.log")" "if_id_in = $((if_id))"

conns=$(load v6 v6 "$dir/kite6.yaml")
expect "$conns" "remote: 2001:db8::1"
expect "$conns" "local:  fd02::/64"
echo "PASS: strongSwan loaded 5 exported configurations"
