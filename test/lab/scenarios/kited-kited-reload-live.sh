#!/usr/bin/env bash
# Live reload (SPEC.md §3 `kitectl reload`, §4 SIGHUP; issue 5 item 3):
# one kited gateway (left) with tunnels to three kited customer gateways,
# each in its own namespace (kited tells tunnels to one peer apart by
# address, so each tunnel here has its own peer):
#
#   alpha  left 10.1.0.0/24 <-> right 10.2.0.0/24  (192.0.2.2)     untouched
#   beta   left 10.1.0.0/24 <-> p2    10.3.0.0/24  (198.51.100.2)  changed: esp aes128 -> aes256
#   gamma  left 10.1.0.0/24 <-> p3    10.4.0.0/24  (198.51.100.6)  removed
#   delta  left 10.1.0.0/24 <-> p3    10.5.0.0/24                  added (replaces gamma)
#
# While a ping runs through alpha every 50 ms, `kitectl reload` on left
# re-creates beta (it comes back with aes256 on both sides, new SPIs),
# removes gamma (DELETE sent: p3's kernel loses gamma's SAs although p3
# still has gamma configured) and adds delta (passive on left; p3's reload
# then swaps gamma for delta and initiates it). alpha keeps its SPIs and
# the ping loses not one packet. An invalid config makes `kitectl reload`
# exit 2 with file:line:col and changes nothing; SIGHUP reloads too (an
# invalid config is logged and ignored, a valid one applied). At the end
# kited stops everywhere and every kernel is clean.
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"
# shellcheck source=interop.bash
source "$LAB_DIR/scenarios/interop.bash"

declare -A ADDR=([left]=192.0.2.1 [right]=192.0.2.2 [p2]=198.51.100.2 [p3]=198.51.100.6)
PEERS=(right p2 p3)

# topology_multi: lab_topology plus p2 and p3, each on its own veth to left
# (198.51.100.0/30 and .4/30) with a protected subnet on lan0 and a default
# route via left (they reach left's IKE address 192.0.2.1 that way).
topology_multi() {
  lab_topology
  step "topology: p2 and p3 behind their own veths to left"
  local ns i=1 l r
  for ns in p2 p3; do
    l=198.51.100.$((4 * (i - 1) + 1)) r=${ADDR[$ns]}
    ip netns add "$ns"
    ip link add "wan$i" netns left type veth peer name wan0 netns "$ns"
    ip -n left -batch - <<EOF
addr add $l/30 dev wan$i
link set wan$i up
EOF
    ip -n "$ns" -batch - <<EOF
link set lo up
link add lan0 type dummy
addr add $r/30 dev wan0
link set wan0 up
link set lan0 up
route add default via $l
EOF
    i=$((i + 1))
  done
  ip -n p2 addr add 10.3.0.1/24 dev lan0
  ip -n p3 addr add 10.4.0.1/24 dev lan0
  ip -n p3 addr add 10.5.0.1/24 dev lan0
}

# conf NS TUNNEL...: a kite.yaml for NS; TUNNEL is
# "name,peer,local,remote,negotiation,esp" (esp: "aes128" or a YAML list).
# p2 and p3 route through their default route (kited could not route via
# left's address, which is not on their link), the others install routes.
conf() {
  local ns=$1 t name peer lnet rnet neg esp
  shift
  local -A cgw=()
  cat <<EOF
gateway:
  name: gw-$ns
  local_address: ${ADDR[$ns]}
  control_socket: $(kited_socket "$ns")
  log_level: debug
  install_routes: $([[ $ns == left || $ns == right ]] && echo true || echo false)
customer_gateways:
EOF
  for t in "$@"; do
    IFS=, read -r name peer lnet rnet neg esp <<<"$t"
    [[ -n ${cgw[$peer]:-} ]] && continue
    cgw[$peer]=1
    printf '  - name: %s\n    address: %s\n' "$peer" "${ADDR[$peer]}"
  done
  echo "tunnels:"
  for t in "$@"; do
    IFS=, read -r name peer lnet rnet neg esp <<<"$t"
    cat <<EOF
  - name: $name
    customer_gateway: $peer
    pre_shared_key: "secret-of-$name-0123456789"
    negotiation: $neg
    mode: spd
    spd:
      - local: $lnet
        remote: [$rnet]
    ipsec:
      encryption: ${esp//;/, }
      integrity: sha256
EOF
  done
}

# The tunnels, seen from left and from the peer.
L_ALPHA=alpha,right,10.1.0.0/24,10.2.0.0/24,active,aes128
L_BETA=beta,p2,10.1.0.0/24,10.3.0.0/24,active,aes128
L_BETA256=beta,p2,10.1.0.0/24,10.3.0.0/24,active,aes256
L_GAMMA=gamma,p3,10.1.0.0/24,10.4.0.0/24,active,aes128
L_DELTA=delta,p3,10.1.0.0/24,10.5.0.0/24,passive,aes128
R_ALPHA=alpha,left,10.2.0.0/24,10.1.0.0/24,passive,aes128
R_BETA="beta,left,10.3.0.0/24,10.1.0.0/24,passive,[aes128;aes256]"
R_GAMMA=gamma,left,10.4.0.0/24,10.1.0.0/24,passive,aes128
R_DELTA=delta,left,10.5.0.0/24,10.1.0.0/24,active,aes128

# show NS TUNNEL JQ: `kitectl --json show TUNNEL` in NS, filtered by JQ.
show() { kctl "$1" --json show "$2" | jq -r ".tunnel | $3"; }
# summary NS TUNNEL: "state encryption spi_in/spi_out" of its first CHILD SA.
summary() { show "$1" "$2" '"\(.state) \(.children[0].encryption) \(.children[0].spi_in)/\(.children[0].spi_out)"'; }
is_up() { [[ $(show "$1" "$2" .state) == up ]]; }
esp_sas_with() { ip -n "$1" xfrm state | grep -c "^src .*$2" || true; } # NS ADDR

# reload NS FILE [WANT_RC]: replaces NS's kite.yaml, `kitectl reload`s;
# exit status must be WANT_RC (0). Output kept in RELOAD_OUT.
reload() {
  local ns=$1 file=$2 want=${3:-0} rc=0
  [[ $file -ef $LAB_OUT/$ns/kite.yaml ]] || cp "$file" "$LAB_OUT/$ns/kite.yaml"
  RELOAD_OUT=$(kctl "$ns" reload 2>&1) || rc=$?
  printf '%s\n' "$RELOAD_OUT" | sed 's/^/    /'
  ((rc == want)) || fail "kitectl reload in $ns exited $rc, want $want"
}

kited_pid() { # NS: the pid lib.sh recorded for NS's kited
  local e
  for e in "${LAB_DAEMONS[@]}"; do [[ $e == kited:$1:* ]] && echo "${e##*:}"; done
}

topology_multi
kited_start right <(conf right "$R_ALPHA")
kited_start p2 <(conf p2 "$R_BETA")
kited_start p3 <(conf p3 "$R_GAMMA")
kited_start left <(conf left "$L_ALPHA" "$L_BETA" "$L_GAMMA")

step "left brings up alpha, beta and gamma"
for t in alpha beta gamma; do kctl left up "$t" --timeout 30 | sed 's/^/    /'; done
kctl left status | sed 's/^/    /'
ping_through left 10.2.0.1 -I 10.1.0.1
ping_through left 10.3.0.1 -I 10.1.0.1
ping_through left 10.4.0.1 -I 10.1.0.1
alpha_before=$(summary left alpha)
beta_before=$(summary left beta)
log "alpha: $alpha_before; beta: $beta_before"
[[ $beta_before == "up aes128 "* ]] || fail "beta: $beta_before, want up with aes128"

step "continuous ping through alpha (every 50 ms) during the reloads"
ping_log=$LAB_OUT/left/ping-alpha.out
# Not in_ns (a function: $! would be a subshell): ip netns exec execs
# ping, so $! is ping, and SIGINT ends it with its statistics.
ip netns exec left ping -n -i 0.05 -I 10.1.0.1 10.2.0.1 >"$ping_log" 2>&1 &
ping_pid=$!
lab_sleep 1

step "kitectl reload on left: beta changed (esp aes256), gamma removed, delta added"
lab_now
t0=$LAB_NOW
reload left <(conf left "$L_ALPHA" "$L_BETA256" "$L_DELTA")
lab_now
log "kitectl reload took $((LAB_NOW - t0)) ms"
[[ $RELOAD_OUT == *"added 1 (delta), removed 1 (gamma), changed 1 (beta), unchanged 1"* ]] ||
  fail "unexpected reload summary"

step "gamma is gone from both kernels: left sent DELETE, p3 removed its SAs"
kernel_clean p3
((0 == $(esp_sas_with left 198.51.100.6))) || fail "left still has SAs with p3"
((0 == $(ip -n left xfrm policy list dst 10.4.0.0/24 | grep -c '^src ' || true))) || fail "left still has gamma's policies"
kctl left show gamma >/dev/null 2>&1 && fail "left still shows gamma"
[[ $(show p3 gamma .state) == down ]] || fail "p3's gamma is not down"

step "beta comes back with aes256 on both sides"
wait_until 20 "beta up again on left" is_up left beta || fail "beta did not come back"
beta_after=$(summary left beta)
log "beta: $beta_before -> $beta_after"
[[ $beta_after == "up aes256 "* ]] || fail "left's beta: $beta_after, want up with aes256"
[[ ${beta_after##* } != "${beta_before##* }" ]] || fail "beta kept its SPIs"
[[ $(summary p2 beta) == "up aes256 "* ]] || fail "p2's beta: $(summary p2 beta)"
ping_through left 10.3.0.1 -I 10.1.0.1

step "p3 swaps gamma for delta (active): delta comes up on left (added passive)"
reload p3 <(conf p3 "$R_DELTA")
wait_until 20 "delta up on left" is_up left delta || fail "delta did not come up"
ping_through left 10.5.0.1 -I 10.1.0.1
ping_blocked left 10.4.0.1 -I 10.1.0.1

step "right reloads an unchanged config: nothing happens"
reload right "$LAB_OUT/right/kite.yaml"
[[ $RELOAD_OUT == *"unchanged 1"* ]] || fail "right's reload changed something"

step "alpha was never touched"
kill -0 "$ping_pid" 2>/dev/null || fail "the ping through alpha ended early: $(tail -n 3 "$ping_log")"
kill -INT "$ping_pid"
wait_until 5 "ping to print its statistics" lab_gone "$ping_pid" || kill -KILL "$ping_pid"
wait "$ping_pid" || true
tail -n 4 "$ping_log" | sed 's/^/    /'
read -r sent received < <(awk '/packets transmitted/ { print $1, $4 }' "$ping_log")
last=$(grep -o 'icmp_seq=[0-9]*' "$ping_log" | tail -n 1 | cut -d= -f2)
# SIGINT may catch the last request in flight (sent, no reply yet).
if ((received == sent - 1 && last == sent - 1)); then sent=$((sent - 1)); fi
((sent >= 40)) || fail "only $sent pings sent through alpha"
((received == sent)) || fail "alpha lost $((sent - received)) of $sent pings during the reloads"
log "alpha: $received of $sent pings answered (every 50 ms) during the reloads"
[[ $(summary left alpha) == "$alpha_before" ]] || fail "alpha changed: $alpha_before -> $(summary left alpha)"

step "an invalid config: kitectl reload exits 2 with the reason, nothing changes"
before=$(kctl left --json status | jq -c '[.tunnels[] | {name, state}]')
spis=$(for t in alpha beta delta; do summary left "$t"; done)
# beta's mapping again under another name: the same (local, peer) pair.
reload left <(conf left "$L_ALPHA" "$L_BETA256" "$L_DELTA" "${L_BETA256/beta/beta-copy}") 2
[[ $RELOAD_OUT == *"kite.yaml:"*":"*": spd-mapping-overlap: "* ]] ||
  fail "kitectl reload did not name file:line:col and the rule"
[[ $(kctl left --json status | jq -c '[.tunnels[] | {name, state}]') == "$before" ]] || fail "the invalid reload changed the tunnels"
[[ $(for t in alpha beta delta; do summary left "$t"; done) == "$spis" ]] || fail "the invalid reload changed SAs"
kite_json left reload 2>/dev/null && fail "kitectl --json reload succeeded on an invalid config"
jq -e '.ok == false and .invalid_config == true and (.diagnostics | length) > 0' <<<"$KITE_JSON" >/dev/null ||
  fail "kitectl --json reload: $KITE_JSON"

step "SIGHUP with the invalid config: logged, nothing changes"
pid=$(kited_pid left)
kill -HUP "$pid"
wait_until 5 "kited to log the refused reload" grep -q 'reload: .*invalid configuration.*nothing changed' "$LAB_OUT/left/kited.log" ||
  fail "kited did not log the invalid SIGHUP reload"
[[ $(for t in alpha beta delta; do summary left "$t"; done) == "$spis" ]] || fail "the invalid SIGHUP changed SAs"

step "SIGHUP with a valid config: beta back to aes128, alpha and delta untouched"
conf left "$L_ALPHA" "$L_BETA" "$L_DELTA" >"$LAB_OUT/left/kite.yaml"
kill -HUP "$pid"
beta_aes128() { [[ $(summary left beta) == "up aes128 "* ]]; }
wait_until 20 "beta up with aes128" beta_aes128 || fail "SIGHUP did not re-create beta: $(summary left beta)"
grep 'reloaded ' "$LAB_OUT/left/kited.log" | tail -n 1 | sed 's/^/    /'
[[ $(summary left alpha) == "$alpha_before" ]] || fail "SIGHUP touched alpha"
ping_through left 10.2.0.1 -I 10.1.0.1
ping_through left 10.3.0.1 -I 10.1.0.1
ping_through left 10.5.0.1 -I 10.1.0.1

step "stop: left first (peers follow its DELETEs), then the peers"
kited_stop left
for ns in left "${PEERS[@]}"; do kernel_clean "$ns"; done
for ns in "${PEERS[@]}"; do kited_stop "$ns"; done
for ns in "${PEERS[@]}"; do kernel_clean "$ns"; done
