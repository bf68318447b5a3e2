# shellcheck shell=bash
# Helpers for kernel lab scenarios (scenarios/README.md). A scenario starts
#
#   source "$LAB_DIR/lib.sh"
#
# and then builds the topology, starts peers and asserts like a user would.
# Sourcing turns on errexit/nounset/pipefail and an exit trap that, when the
# scenario fails or times out, dumps diagnostics (daemon logs, addresses,
# routes, XFRM state and policies of every namespace) and then stops every
# daemon the scenario started. Runs inside the guest, as root.
#
# Topology (lab_topology): namespaces "left" and "right" joined by a veth
# pair (wan0 on each side); each has a protected subnet on a dummy (lan0).
#
#             left                                  right
#   lan0 10.1.0.1/24 fd01::1/64          lan0 10.2.0.1/24 fd02::1/64
#   wan0 192.0.2.1/24 2001:db8::1/64 --- wan0 192.0.2.2/24 2001:db8::2/64

if [[ $- == *i* ]]; then
  LAB_INTERACTIVE=1 # guest-shellrc: helpers only, no errexit or traps
else
  LAB_INTERACTIVE=0
  set -euo pipefail
fi

: "${LAB_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
: "${LAB_BUILD:=$LAB_DIR/../../build}"
: "${LAB_OUT:=/tmp/lab-out}" # the scenario's result dir (host-visible)
: "${LAB_SCENARIO:=$(basename "$0" .sh)}"
: "${LAB_KEEP:=0}"
LAB_RUN=/tmp/lab # guest tmpfs: sockets and pid files, per namespace
KITED=${KITED:-$LAB_BUILD/daemon/kited}
KITECTL=${KITECTL:-$LAB_BUILD/daemon/kitectl}
CHARON=${CHARON:-/usr/lib/ipsec/charon}
mkdir -p "$LAB_OUT" "$LAB_RUN"

# Addresses, by namespace and family (outer = IKE/ESP, inner = protected).
declare -A LAB_OUTER=([left4]=192.0.2.1 [right4]=192.0.2.2
  [left6]=2001:db8::1 [right6]=2001:db8::2)
declare -A LAB_INNER=([left4]=10.1.0.1 [right4]=10.2.0.1
  [left6]=fd01::1 [right6]=fd02::1)
declare -A LAB_NET=([left4]=10.1.0.0/24 [right4]=10.2.0.0/24
  [left6]=fd01::/64 [right6]=fd02::/64)
declare -A LAB_PEER=([left]=right [right]=left)
outer_addr() { echo "${LAB_OUTER[$1$2]}"; } # NS FAMILY(4|6)
inner_addr() { echo "${LAB_INNER[$1$2]}"; } # NS FAMILY
inner_net() { echo "${LAB_NET[$1$2]}"; }    # NS FAMILY
peer_of() { echo "${LAB_PEER[$1]}"; }       # NS

# Daemons started by this scenario: "kind:ns:pid", stopped at exit.
LAB_DAEMONS=()
# Every process start costs ~50 ms in UML, so the helpers that run often
# avoid them: lab_now sets LAB_NOW (ms since the epoch) from bash 5's
# EPOCHREALTIME, lab_sleep waits on a FIFO nobody writes to.
lab_now() {
  local t=${EPOCHREALTIME/[.,]/}
  LAB_NOW=${t:0:-3}
}
mkfifo "$LAB_RUN/.sleep.$$" && exec {LAB_SLEEP_FD}<>"$LAB_RUN/.sleep.$$" && rm -f "$LAB_RUN/.sleep.$$"
lab_sleep() { read -r -t "$1" -u "$LAB_SLEEP_FD" _ || true; }
lab_now
LAB_START_MS=$LAB_NOW

# ---- logging ----------------------------------------------------------------
log() {
  lab_now
  printf '[%6.2fs] %s\n' "$((LAB_NOW - LAB_START_MS))e-3" "$*"
}
step() { log "==> $*"; }
fail() {
  log "FAIL: $*"
  exit 1
}
# Exit status 77: the scenario does not apply here (reported as SKIP).
lab_skip() {
  log "SKIP: $*"
  exit 77
}

# ---- running things in a namespace -------------------------------------------
in_ns() { # NS CMD... : run CMD in network namespace NS
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# wait_until TIMEOUT_S DESCRIPTION CMD...: polls CMD (quietly) every 0.1 s
# until it succeeds; returns 1 (and says what) after TIMEOUT_S seconds.
wait_until() {
  local timeout=$1 desc=$2 deadline
  shift 2
  lab_now
  deadline=$((LAB_NOW + timeout * 1000))
  until "$@" >/dev/null 2>&1; do
    lab_now
    if ((LAB_NOW >= deadline)); then
      log "timed out after ${timeout}s waiting for: $desc"
      return 1
    fi
    lab_sleep 0.1
  done
}

# ---- topology -----------------------------------------------------------------
# lab_topology: creates left and right as drawn above. No routes between the
# protected subnets: a daemon installs them, or the scenario calls
# lab_static_routes.
lab_topology() {
  step "topology: left <-> right (veth), protected subnets on dummies"
  local ns
  ip netns add left
  ip netns add right
  ip link add wan0 netns left type veth peer name wan0 netns right
  # One ip(8) per namespace: every process start costs ~50 ms in UML.
  for ns in left right; do
    ip -n "$ns" -batch - <<EOF
link set lo up
link add lan0 type dummy
addr add $(outer_addr "$ns" 4)/24 dev wan0
addr add $(outer_addr "$ns" 6)/64 dev wan0 nodad
addr add $(inner_addr "$ns" 4)/24 dev lan0
addr add $(inner_addr "$ns" 6)/64 dev lan0 nodad
link set wan0 up
link set lan0 up
EOF
  done
}

# lab_static_routes NS: routes NS's traffic for the peer's protected subnets
# (both families) via the peer's outer address, sourced from NS's own
# protected address, as a gateway that does not install routes needs.
lab_static_routes() {
  local ns=$1 peer
  peer=$(peer_of "$ns")
  ip -n "$ns" -batch - <<EOF
route add $(inner_net "$peer" 4) via $(outer_addr "$peer" 4) src $(inner_addr "$ns" 4)
route add $(inner_net "$peer" 6) via $(outer_addr "$peer" 6) src $(inner_addr "$ns" 6)
EOF
}

# lab_forwarding NS: lets NS forward (for topologies with hosts behind it).
lab_forwarding() {
  in_ns "$1" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# ---- strongSwan (charon) -------------------------------------------------------
charon_vici() { echo "unix://$LAB_RUN/$1/charon.vici"; } # NS
swanctl_in() { # NS ARGS... : swanctl against NS's charon
  local ns=$1
  shift
  STRONGSWAN_CONF=$LAB_OUT/$ns/strongswan.conf swanctl "$@" --uri "$(charon_vici "$ns")"
}

# swan_conf_psk NS key=value...: prints a swanctl.conf for one PSK tunnel
# from NS to its peer, connection "lab", child "net". Keys (defaults):
#   family=4  version=2  ike=aes128-sha256-modp2048  esp=aes128-sha256
#   psk=lab-secret-0123456789  start=none (none|start|trap)
#   local_ts / remote_ts (the protected subnets of the family)
#   aggressive=no (IKEv1)  dpd=0s  rekey=0s (0: off)
swan_conf_psk() {
  local ns=$1 kv
  shift
  local -A o=([family]=4 [version]=2 [ike]=aes128-sha256-modp2048
    [esp]=aes128-sha256 [psk]=lab-secret-0123456789 [start]=none
    [aggressive]=no [dpd]=0s [rekey]=0s)
  for kv in "$@"; do o[${kv%%=*}]=${kv#*=}; done
  local f=${o[family]} peer
  peer=$(peer_of "$ns")
  : "${o[local_ts]:=$(inner_net "$ns" "$f")}" "${o[remote_ts]:=$(inner_net "$peer" "$f")}"
  cat <<EOF
connections {
  lab {
    version = ${o[version]}
    aggressive = ${o[aggressive]}
    local_addrs = $(outer_addr "$ns" "$f")
    remote_addrs = $(outer_addr "$peer" "$f")
    proposals = ${o[ike]}
    dpd_delay = ${o[dpd]}
    rekey_time = ${o[rekey]}
    local {
      auth = psk
      id = $(outer_addr "$ns" "$f")
    }
    remote {
      auth = psk
      id = $(outer_addr "$peer" "$f")
    }
    children {
      net {
        mode = tunnel
        local_ts = ${o[local_ts]}
        remote_ts = ${o[remote_ts]}
        esp_proposals = ${o[esp]}
        start_action = ${o[start]}
        rekey_time = ${o[rekey]}
      }
    }
  }
}
secrets {
  ike-lab {
    id-local = $(outer_addr "$ns" "$f")
    id-remote = $(outer_addr "$peer" "$f")
    secret = "${o[psk]}"
  }
}
EOF
}

# charon_start NS [SWANCTL_CONF]: starts charon in NS with its own
# strongswan.conf (only the plugins a PSK gateway needs, no route
# installation unless CHARON_INSTALL_ROUTES=yes, a private /run for its pid
# file, VICI in $LAB_RUN/NS), waits for VICI and loads SWANCTL_CONF (a file,
# or stdin when "-" or absent). Logs: $LAB_OUT/NS/charon.log.
# CHARON_CONF_EXTRA: more settings for the charon section (e.g. the IKEv1
# Aggressive Mode PSK responder switch).
charon_start() {
  local ns=$1 conf=${2:--} dir=$LAB_OUT/$1 run=$LAB_RUN/$1 pid
  ((BASH_SUBSHELL == 0)) || fail "${FUNCNAME[0]} runs in a subshell (piped into?); pass the config as a file or <(...)"
  step "charon: start in $ns"
  mkdir -p "$dir" "$run"
  if [[ $conf == - ]]; then cat >"$dir/swanctl.conf"; else cp "$conf" "$dir/swanctl.conf"; fi
  cat >"$dir/strongswan.conf" <<EOF
# swanctl reads this too; loading only installed plugins keeps it quiet.
swanctl {
  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey
}
charon {
  port = 500
  port_nat_t = 4500
  install_routes = ${CHARON_INSTALL_ROUTES:-no}
  install_virtual_ip = no
  retransmit_timeout = 1.0
  retransmit_base = 1.4
  retransmit_tries = 3
  load_modular = no
  load = random nonce openssl kdf pem pkcs1 x509 pubkey kernel-netlink socket-default vici
  ${CHARON_CONF_EXTRA:-}
  plugins {
    vici {
      socket = $(charon_vici "$ns")
    }
  }
  filelog {
    lab {
      path = $dir/charon.log
      time_format = %H:%M:%S
      ike_name = yes
      flush_line = yes
      default = 1
      ike = 2
      knl = 2
      cfg = 2
    }
  }
}
EOF
  # ip netns exec gives a private mount namespace only for /sys; unshare -m
  # makes /run private too (charon's pid file path is fixed: /run/charon.pid).
  # Every step execs the next, so $! ends up being charon's pid.
  (
    export STRONGSWAN_CONF=$dir/strongswan.conf
    exec ip netns exec "$ns" unshare -m --propagation private \
      bash -c 'mount -t tmpfs lab-run /run && exec "$@"' charon "$CHARON"
  ) >"$dir/charon.out" 2>&1 &
  pid=$!
  LAB_DAEMONS+=("charon:$ns:$pid")
  # test -S is a builtin: polling it costs no process starts.
  if ! wait_until 10 "charon's VICI socket in $ns" lab_listening "$pid" "$LAB_RUN/$ns/charon.vici" ||
    lab_gone "$pid" || ! wait_until 5 "charon's VICI in $ns to answer" swanctl_in "$ns" --stats; then
    fail "charon did not start in $ns (see $dir/charon.out and charon.log)"
  fi
  swanctl_in "$ns" --load-all --file "$dir/swanctl.conf" \
    >"$dir/swanctl-load.out" 2>&1 || {
    cat "$dir/swanctl-load.out"
    fail "swanctl --load-all failed in $ns"
  }
}

# charon_stop NS: SIGTERM (charon removes its SAs and policies), waits.
charon_stop() { lab_stop_daemon charon "$1"; }

# ---- kited ----------------------------------------------------------------
kited_socket() { echo "$LAB_RUN/$1/kited.sock"; } # NS
kitectl_in() { # NS ARGS... : kitectl against NS's kited
  local ns=$1
  shift
  in_ns "$ns" "$KITECTL" --socket "$(kited_socket "$ns")" "$@"
}

# kite_conf_psk NS key=value...: prints a kite.yaml (SPEC.md §2) for one PSK
# tunnel "lab" from NS to its peer, control socket from kited_socket. Keys
# (defaults): family=4 version=ikev2 negotiation=active encryption=aes128
# integrity=sha256 dh_group=14 esp_encryption=aes128 esp_integrity=sha256
# pfs=none psk=lab-secret-0123456789 local (local subnet) remote (peer's)
# log_level=debug.
kite_conf_psk() {
  local ns=$1 kv
  shift
  local -A o=([family]=4 [version]=ikev2 [negotiation]=active [encryption]=aes128
    [integrity]=sha256 [dh_group]=14 [esp_encryption]=aes128 [esp_integrity]=sha256
    [pfs]=none [psk]=lab-secret-0123456789 [log_level]=debug)
  for kv in "$@"; do o[${kv%%=*}]=${kv#*=}; done
  local f=${o[family]} peer
  peer=$(peer_of "$ns")
  : "${o[local]:=$(inner_net "$ns" "$f")}" "${o[remote]:=$(inner_net "$peer" "$f")}"
  cat <<EOF
gateway:
  name: lab-$ns
  local_address: $(outer_addr "$ns" "$f")
  control_socket: $(kited_socket "$ns")
  log_level: ${o[log_level]}
customer_gateways:
  - name: $peer
    address: $(outer_addr "$peer" "$f")
tunnels:
  - name: lab
    customer_gateway: $peer
    pre_shared_key: "${o[psk]}"
    negotiation: ${o[negotiation]}
    mode: spd
    spd:
      - local: ${o[local]}
        remote: [${o[remote]}]
    ike:
      version: ${o[version]}
      encryption: ${o[encryption]}
      integrity: ${o[integrity]}
      dh_group: ${o[dh_group]}
    ipsec:
      encryption: ${o[esp_encryption]}
      integrity: ${o[esp_integrity]}
      pfs: ${o[pfs]}
EOF
}

# kited_start NS [CONFIG]: writes CONFIG (a file, or stdin when "-" or
# absent) to $LAB_OUT/NS/kite.yaml, starts `kited --config ... --foreground
# --runtime-dir $LAB_RUN/NS --socket $(kited_socket NS)` in NS (private
# /run, cwd $LAB_RUN/NS) and waits for its control socket. Extra kited
# arguments: KITED_ARGS (array). Log: $LAB_OUT/NS/kited.log. Like charon_start, never in a pipe:
#   kited_start left <(kite_conf_psk left negotiation=active)
kited_start() {
  local ns=$1 conf=${2:--} dir=$LAB_OUT/$1 run=$LAB_RUN/$1 pid
  ((BASH_SUBSHELL == 0)) || fail "${FUNCNAME[0]} runs in a subshell (piped into?); pass the config as a file or <(...)"
  step "kited: start in $ns"
  [[ -x $KITED ]] || fail "no kited at $KITED (build first)"
  mkdir -p "$dir" "$run"
  if [[ $conf == - ]]; then cat >"$dir/kite.yaml"; else cp "$conf" "$dir/kite.yaml"; fi
  # Every step execs the next, so $! ends up being kited's pid.
  (
    cd "$run"
    exec ip netns exec "$ns" unshare -m --propagation private \
      bash -c 'mount -t tmpfs lab-run /run && exec "$@"' kited \
      "$KITED" --config "$dir/kite.yaml" --foreground \
      --runtime-dir "$run" --socket "$(kited_socket "$ns")" ${KITED_ARGS[@]+"${KITED_ARGS[@]}"}
  ) >"$dir/kited.log" 2>&1 &
  pid=$!
  LAB_DAEMONS+=("kited:$ns:$pid")
  wait_until 10 "kited's control socket in $ns" lab_listening "$pid" "$(kited_socket "$ns")" ||
    fail "kited did not start in $ns"
  lab_gone "$pid" && fail "kited exited at start in $ns (see $dir/kited.log)"
  return 0
}

# kited_stop NS: SIGTERM (kited deletes its SAs and policies and tells the
# peer), waits; fails if kited does not exit 0 within 10 s.
kited_stop() { lab_stop_daemon kited "$1"; }

# lab_stop_daemon KIND NS: SIGTERM the daemon, wait up to 10 s, SIGKILL if
# needed; fails unless it exited with status 0 (charon: any).
lab_stop_daemon() {
  local kind=$1 ns=$2 i entry pid="" rc=0 keep=()
  for i in "${!LAB_DAEMONS[@]}"; do
    entry=${LAB_DAEMONS[$i]}
    if [[ $entry == "$kind:$ns:"* ]]; then pid=${entry##*:}; else keep+=("$entry"); fi
  done
  [[ -n $pid ]] || fail "no $kind running in $ns"
  LAB_DAEMONS=(${keep[@]+"${keep[@]}"})
  step "$kind: stop in $ns"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_until 10 "$kind in $ns to exit" lab_gone "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    fail "$kind in $ns ignored SIGTERM for 10 s"
  fi
  wait "$pid" 2>/dev/null || rc=$?
  if [[ $kind == kited ]] && ((rc != 0)); then fail "kited in $ns exited with status $rc"; fi
  return 0
}
# lab_gone PID: the process has exited (or is a zombie, not yet reaped).
lab_gone() {
  local stat
  kill -0 "$1" 2>/dev/null || return 0
  read -r _ _ stat _ <"/proc/$1/stat" 2>/dev/null || return 0
  [[ $stat == Z ]]
}
# lab_listening PID SOCKET: SOCKET exists, or PID is gone (no use waiting).
# Builtins only: polled often.
lab_listening() { [[ -S $2 ]] || lab_gone "$1"; }

# ---- assertions -------------------------------------------------------------
# ping_through NS DST [PING_ARGS...]: traffic from NS reaches DST, e.g.
#   ping_through left 10.2.0.1 -I 10.1.0.1
# Waits up to PING_TIMEOUT (10) s for a first reply (negotiation on demand
# may drop the first packets), then 3 pings must all be answered.
ping_through() {
  local ns=$1 dst=$2
  shift 2
  step "ping $dst from $ns $*"
  wait_until "${PING_TIMEOUT:-10}" "a reply from $dst in $ns" \
    in_ns "$ns" ping -c 1 -W 1 "$@" "$dst" || fail "no reply from $dst in $ns"
  in_ns "$ns" ping -c 3 -i 0.1 -W 2 "$@" "$dst" | sed 's/^/    /' ||
    fail "ping $dst from $ns lost packets"
}

# ping_blocked NS DST [PING_ARGS...]: no reply within 2 s (e.g. a tunnel
# that is down must not let traffic pass).
ping_blocked() {
  local ns=$1 dst=$2
  shift 2
  step "ping $dst from $ns $* must fail"
  if in_ns "$ns" ping -c 2 -i 0.5 -W 1 "$@" "$dst" >/dev/null 2>&1; then
    fail "$dst answered from $ns"
  fi
}

# esp_counters NS: prints "in_bytes in_packets out_bytes out_packets" summed
# over NS's ESP SAs (out: the SA's source is one of NS's addresses). One awk
# reads NS's addresses, then `ip -s xfrm state`.
esp_counters() {
  local ns=$1
  { ip -n "$ns" -o addr show && ip -n "$ns" -s xfrm state; } | awk '
    /^[0-9]+: / && ($3 == "inet" || $3 == "inet6") { sub(/\/.*/, "", $4); mine[$4] = 1; next }
    /^src / { src = $2; esp = 0; next }
    /proto esp/ { esp = 1 }
    /lifetime current:/ {
      getline; gsub(/[(),]/, " ")
      if (esp) { if (src in mine) { ob += $1; op += $3 } else { ib += $1; ip += $3 } }
    }
    END { printf "%d %d %d %d\n", ib, ip, ob, op }'
}

# esp_counters_moved NS: NS has ESP SAs that carried packets both ways, i.e.
# the kernel encrypted and decrypted.
esp_counters_moved() {
  local ns=$1 ib ip ob op
  read -r ib ip ob op < <(esp_counters "$ns")
  log "ESP in $ns: in ${ib} bytes/${ip} packets, out ${ob} bytes/${op} packets"
  ((ip > 0 && ib > 0)) || fail "no ESP packets decrypted in $ns"
  ((op > 0 && ob > 0)) || fail "no ESP packets encrypted in $ns"
}

xfrm_state_count() { ip -n "$1" xfrm state | grep -c '^src ' || true; }   # NS
xfrm_policy_count() { ip -n "$1" xfrm policy | grep -c '^src ' || true; } # NS
# lab_xfrm_leftovers NS [TRAPS_OK]: prints NS's XFRM states and policies,
# leaving out per-socket policies ("socket in|out": a daemon's bypass for
# its own IKE sockets, gone with the socket; `ip xfrm policy` lists them
# too) and, with TRAPS_OK=1, policies whose template has a reqid of kite's
# range (0x6b690000..0x6b69ffff, xfrm/ownership.hpp): a running kited's
# fail-closed traps.
lab_xfrm_leftovers() {
  ip -n "$1" xfrm state
  ip -n "$1" xfrm policy | awk -v traps_ok="${2:-0}" '
    function flush() { if (block != "" && !sock && !(traps_ok && kite)) printf "%s", block }
    /^src / { flush(); block = ""; sock = 0; kite = 0 }
    { block = block $0 "\n" }
    /^\tsocket (in|out) / { sock = 1 }
    match($0, /reqid [0-9]+/) {
      r = substr($0, RSTART + 6, RLENGTH - 6) + 0
      if (r >= 1802043392 && r <= 1802108927) kite = 1
    }
    END { flush() }'
}
lab_kernel_empty() { [[ -z $(lab_xfrm_leftovers "$1" "${2:-0}") ]]; }
lab_kited_runs_in() {
  local entry
  for entry in ${LAB_DAEMONS[@]+"${LAB_DAEMONS[@]}"}; do [[ $entry == "kited:$1:"* ]] && return 0; done
  return 1
}

# kernel_clean NS [TIMEOUT_S]: within TIMEOUT_S (5) s, `ip xfrm state` and
# `ip xfrm policy` in NS are empty (teardown left nothing behind), apart
# from per-socket policies of daemons still running and, while a kited
# runs in NS, its fail-closed trap policies (every loaded spd tunnel keeps
# one triple per mapping until it is removed); once the daemons have
# stopped there are none of those either. Never any SA.
kernel_clean() {
  local ns=$1 timeout=${2:-5} traps_ok=0
  lab_kited_runs_in "$ns" && traps_ok=1
  step "kernel clean in $ns"
  if ! wait_until "$timeout" "empty XFRM state and policy in $ns" lab_kernel_empty "$ns" "$traps_ok"; then
    lab_xfrm_leftovers "$ns" "$traps_ok" | sed 's/^/    /'
    fail "XFRM state or policies left in $ns"
  fi
}

# fail_closed NS COUNT: a loaded kited tunnel with no SA: no XFRM state and
# COUNT policies of kite's, all of them without an SA (traps).
fail_closed() {
  local ns=$1 want=$2 n
  step "fail closed in $ns: $want trap policies, no SA"
  [[ -z $(ip -n "$ns" xfrm state) ]] || fail "SAs left in $ns"
  n=$(ip -n "$ns" xfrm policy | awk 'match($0, /reqid [0-9]+/) {
    r = substr($0, RSTART + 6, RLENGTH - 6) + 0; if (r >= 1802043392 && r <= 1802108927) n++ }
    END { print n + 0 }')
  ((n == want)) || { ip -n "$ns" xfrm policy | sed 's/^/    /'; fail "$n kite policies in $ns, want $want"; }
}

# sa_installed NS [COUNT]: waits up to 10 s for at least COUNT (2) ESP SAs.
sa_installed() {
  local ns=$1 want=${2:-2}
  wait_until 10 "$want ESP SAs in $ns" lab_has_sas "$ns" "$want" ||
    fail "fewer than $want ESP SAs in $ns"
}
lab_has_sas() { (($(ip -n "$1" xfrm state | grep -c 'proto esp' || true) >= $2)); }

# ---- diagnostics and teardown --------------------------------------------------
lab_section() { printf '\n---- %s\n' "$*"; }
dump_diagnostics() {
  local ns f
  lab_section "diagnostics for $LAB_SCENARIO (full logs in $LAB_OUT)"
  for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
    lab_section "$ns: addresses"
    ip -n "$ns" -br addr 2>&1
    lab_section "$ns: routes (all tables) and rules"
    ip -n "$ns" route show table all 2>&1 | grep -v -e '^local' -e '^multicast' -e 'fe80::/64'
    ip -n "$ns" -6 route show table all 2>&1 | grep -v -e '^local' -e '^multicast' -e 'fe80::/64'
    ip -n "$ns" rule 2>&1
    lab_section "$ns: ip -s xfrm state"
    ip -n "$ns" -s xfrm state 2>&1
    lab_section "$ns: ip xfrm policy"
    ip -n "$ns" xfrm policy 2>&1
    lab_section "$ns: /proc/net/xfrm_stat (non-zero)"
    # shellcheck disable=SC2016 # awk's $2
    in_ns "$ns" awk '$2 != 0' /proc/net/xfrm_stat 2>&1
    if [[ -S $LAB_RUN/$ns/charon.vici ]]; then
      lab_section "$ns: swanctl --list-sas"
      timeout 5 env STRONGSWAN_CONF="$LAB_OUT/$ns/strongswan.conf" \
        swanctl --list-sas --uri "$(charon_vici "$ns")" 2>&1
    fi
    if [[ -S $(kited_socket "$ns") && -x $KITECTL ]]; then
      lab_section "$ns: kitectl status"
      timeout 5 "$KITECTL" --socket "$(kited_socket "$ns")" status 2>&1
    fi
  done
  for f in "$LAB_OUT"/*/charon.log "$LAB_OUT"/*/charon.out "$LAB_OUT"/*/kited.log; do
    [[ -s $f ]] || continue
    lab_section "tail of $f"
    tail -n 60 "$f"
  done
}

lab_stop_all() {
  local entry pid
  for entry in ${LAB_DAEMONS[@]+"${LAB_DAEMONS[@]}"}; do
    pid=${entry##*:}
    kill -TERM "$pid" 2>/dev/null || true
  done
  for entry in ${LAB_DAEMONS[@]+"${LAB_DAEMONS[@]}"}; do
    pid=${entry##*:}
    wait_until 5 "${entry%:*} to exit" lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  done
  LAB_DAEMONS=()
}

# lab_check_daemons: every daemon not stopped by the scenario must still
# run; says which died and how (a crash otherwise shows up only as an odd
# assertion). Returns 1 if any died.
lab_check_daemons() {
  local entry pid st died=0
  for entry in ${LAB_DAEMONS[@]+"${LAB_DAEMONS[@]}"}; do
    pid=${entry##*:}
    lab_gone "$pid" || continue
    st=0
    wait "$pid" 2>/dev/null || st=$?
    if ((st > 128)); then st="signal $((st - 128))"; else st="status $st"; fi
    log "${entry%%:*} in $(cut -d: -f2 <<<"$entry") died unexpectedly ($st)"
    died=1
  done
  return "$died"
}

lab_finish() {
  local rc=$?
  trap - EXIT TERM
  set +e
  if ! lab_check_daemons && ((rc == 0)); then rc=1; fi
  if ((rc != 0 && rc != 77)); then dump_diagnostics; fi
  if [[ $LAB_KEEP != 1 ]]; then lab_stop_all; fi
  case $rc in
    0) log "PASS: $LAB_SCENARIO" ;;
    77) ;;
    *) log "FAIL: $LAB_SCENARIO (exit $rc)" ;;
  esac
  exit "$rc"
}

lab_timed_out() {
  log "FAIL: timed out (SIGTERM from the lab's per-scenario limit)"
  exit 124
}

if ((!LAB_INTERACTIVE)); then
  trap lab_finish EXIT
  trap lab_timed_out TERM
  if [[ ${LAB_TRACE:-0} == 1 ]]; then
    PS4='+ ${EPOCHREALTIME} ${BASH_SOURCE[0]##*/}:${LINENO}: '
    set -x
  fi
fi
