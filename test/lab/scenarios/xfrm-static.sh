#!/usr/bin/env bash
# xfrm/ against real kernel ESP, before any IKE: kite-xfrm-static installs
# static-keyed SA pairs and policies through XfrmKernel in left and right,
# traffic crosses, the kernel's counters move (ip -s xfrm state, and
# GETSA through query_sa), deletion leaves the kernel empty. Covers
# aes128-sha256 (v4), aes128gcm16 (v6), chacha20poly1305 over UDP encap
# (v4), 3des-md5 with ESN and a 128-packet window (v6), ALLOCSPI+UPDSA with
# aes256-sha512 and lifetimes, flush_owned next to foreign state, rollback
# when a policy is taken, and SM4/SM3, which this kernel lacks: one clear
# error and nothing installed.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"

TOOL=${KITE_XFRM_STATIC:-$LAB_BUILD/xfrm/kite-xfrm-static}
[[ -x $TOOL ]] || fail "no $TOOL (build the kite-xfrm-static target first)"

# hexkey BYTES: sets KEY to BYTES bytes of a fixed test pattern (printf -v:
# no subshell, process starts are slow in UML).
hexkey() {
  local i b
  KEY=
  for ((i = 0; i < $1; i++)); do
    printf -v b '%02x' $(((i * 37 + $1) & 255))
    KEY+=$b
  done
}

# crypto_args ENC ENC_BYTES [INTEG INTEG_BYTES]: sets CRYPTO to tool options.
crypto_args() {
  hexkey "$2"
  CRYPTO=(--enc "$1" --enc-key "$KEY")
  if (($# > 2)); then
    hexkey "$4"
    CRYPTO+=(--integ "$3" --integ-key "$KEY")
  fi
}

# tunnel_args NS FAMILY SPI_OUT SPI_IN: sets ARGS to NS's side of the tunnel.
tunnel_args() {
  local ns=$1 f=$2 peer
  peer=$(peer_of "$ns")
  ARGS=(--local "$(outer_addr "$ns" "$f")" --remote "$(outer_addr "$peer" "$f")"
    --local-net "$(inner_net "$ns" "$f")" --remote-net "$(inner_net "$peer" "$f")"
    --spi-out "$3" --spi-in "$4")
}

static_add() { # NS FAMILY SPI_OUT SPI_IN EXTRA...
  tunnel_args "$1" "$2" "$3" "$4"
  local ns=$1
  shift 4
  in_ns "$ns" "$TOOL" add "${ARGS[@]}" "${CRYPTO[@]}" "$@" | sed 's/^/    /'
}

static_del() { # NS FAMILY SPI_OUT SPI_IN
  tunnel_args "$@"
  in_ns "$1" "$TOOL" del "${ARGS[@]}" || fail "kite-xfrm-static del failed in $1"
}

# query_moved NS DST SPI: query_sa (XFRM_MSG_GETSA) reports packets on the SA.
query_moved() {
  local line
  line=$(in_ns "$1" "$TOOL" show --dst "$2" --spi "$3") || fail "query_sa failed in $1"
  log "query_sa in $1: $line"
  [[ $line =~ \ packets\ ([0-9]+)\  ]] || fail "unexpected show output: $line"
  ((BASH_REMATCH[1] > 0)) || fail "query_sa: no packets on SA $3 in $1"
}

# prove NAME FAMILY SPI_L SPI_R [EXTRA...]: a pair of static SAs with
# CRYPTO on both sides, ping through, counters, delete, kernel empty.
prove() {
  local name=$1 f=$2 spi_l=$3 spi_r=$4
  shift 4
  step "$name over IPv$f"
  static_add left "$f" "$spi_r" "$spi_l" "$@" || fail "$name: install failed in left"
  static_add right "$f" "$spi_l" "$spi_r" "$@" || fail "$name: install failed in right"
  ping_through left "$(inner_addr right "$f")" -I "$(inner_addr left "$f")"
  esp_counters_moved left
  esp_counters_moved right
  query_moved left "$(outer_addr right "$f")" "$spi_r"
  query_moved left "$(outer_addr left "$f")" "$spi_l"
  if [[ -n ${CHECK_STATE:-} ]]; then
    # No `| grep -q` here: with pipefail, ip's SIGPIPE would fail the check.
    local state
    state=$(in_ns left ip -s xfrm state)
    [[ $state == *"$CHECK_STATE"* ]] || fail "$name: '$CHECK_STATE' not in left's ip -s xfrm state"
  fi
  static_del left "$f" "$spi_r" "$spi_l"
  static_del right "$f" "$spi_l" "$spi_r"
  kernel_clean left
  kernel_clean right
}

lab_topology
lab_static_routes left
lab_static_routes right

crypto_args aes128 16 sha256 32
prove "aes128-sha256" 4 0xc1000001 0xc2000001

crypto_args aes128gcm 20
prove "aes128gcm16" 6 0xc1000002 0xc2000002

step "chacha20poly1305 in UDP encapsulation (RFC 3948)"
for ns in left right; do
  in_ns "$ns" "$TOOL" encap-socket --port 4500 >"$LAB_OUT/encap-$ns.out" 2>&1 &
  LAB_DAEMONS+=("encap:$ns:$!")
done
crypto_args chacha20poly1305 36
CHECK_STATE="encap type espinudp sport 4500 dport 4500" \
  prove "chacha20poly1305+udp-encap" 4 0xc1000003 0xc2000003 --encap 4500:4500
lab_stop_daemon encap left
lab_stop_daemon encap right

crypto_args 3des 24 md5 16
CHECK_STATE="esn" prove "3des-md5+esn+window-128" 6 0xc1000004 0xc2000004 --esn --replay 128

step "ALLOCSPI then UPDSA (the IKE path), aes256-sha512, lifetimes"
spi_l=$(in_ns left "$TOOL" allocspi --local 192.0.2.1 --remote 192.0.2.2) || fail "allocspi in left"
spi_r=$(in_ns right "$TOOL" allocspi --local 192.0.2.2 --remote 192.0.2.1) || fail "allocspi in right"
log "allocated SPIs: left $spi_l right $spi_r"
crypto_args aes256 32 sha512 64
CHECK_STATE="expire add: soft 300(sec), hard 360(sec)" \
  prove "aes256-sha512 via ALLOCSPI" 4 "$spi_l" "$spi_r" --update-in \
  --lifetime 300:360 --lifetime-bytes 100000000:200000000

step "flush_owned removes kite's SAs and policies, keeps foreign ones"
crypto_args aes128 16 sha1 20
static_add left 4 0xc2000005 0xc1000005 || fail "install failed"
ip -n left xfrm state add src 192.0.2.9 dst 192.0.2.1 proto esp spi 0x777 reqid 7 mode tunnel \
  enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha1)' \
  0x000102030405060708090a0b0c0d0e0f10111213 96
ip -n left xfrm policy add src 10.7.0.0/24 dst 10.1.0.0/24 dir in \
  tmpl src 192.0.2.9 dst 192.0.2.1 proto esp reqid 7 mode tunnel
in_ns left "$TOOL" flush || fail "flush failed"
(($(xfrm_state_count left) == 1 && $(xfrm_policy_count left) == 1)) || {
  lab_xfrm_leftovers left
  fail "flush removed too much or too little"
}
[[ $(ip -n left xfrm state) == *"reqid 7 "* ]] || fail "the foreign SA is gone"
ip -n left xfrm state flush
ip -n left xfrm policy flush
kernel_clean left

step "a taken policy selector: the install fails and is rolled back"
ip -n left xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
  tmpl src 192.0.2.9 dst 192.0.2.1 proto esp reqid 7 mode tunnel
if out=$(static_add left 4 0xc2000006 0xc1000006 2>&1); then fail "install over a foreign policy succeeded"; fi
log "refused: $out"
[[ $out == *"kite did not install"* ]] || fail "unclear error: $out"
(($(xfrm_state_count left) == 0 && $(xfrm_policy_count left) == 1)) || {
  lab_xfrm_leftovers left
  fail "rollback left state behind"
}
ip -n left xfrm policy flush

step "SM4/SM3: this kernel lacks them; one clear error, nothing installed"
crypto_args sm4 16 sm3 32
if out=$(static_add left 4 0xc2000007 0xc1000007 --tunnel sm-tunnel 2>&1); then
  fail "SM4/SM3 SA installed: does this kernel have them? ($out)"
fi
log "refused: $out"
[[ $out == *"kernel has no cbc(sm4) (CONFIG_CRYPTO_SM4_GENERIC) or hmac(sm3) (CONFIG_CRYPTO_SM3_GENERIC); tunnel sm-tunnel not installed"* ]] ||
  fail "unclear SM4 error: $out"
[[ $out != *"$KEY"* ]] || fail "the error printed key material"
kernel_clean left
kernel_clean right
