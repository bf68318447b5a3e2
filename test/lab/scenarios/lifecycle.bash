# shellcheck shell=bash
# Helpers of the tunnel lifecycle scenarios (rekeying, lifetimes, DPD:
# kited-*-rekey*.sh, kited-kited-dpd*.sh), sourced after lib.sh and
# interop.bash. Not a scenario itself (run.sh runs only *.sh).
#
# Lifetimes of seconds: the config's minimum is 60 s, so kited takes the
# test-only environment variable KITE_TEST_LIFETIME_DIVISOR (every
# configured lifetime divided by it; kited logs a warning). The scenarios
# export it before kited_start.

# kite_conf_lifecycle NS key=value...: kite_conf_psk NS with the same keys,
# plus ike_lifetime=DURATION esp_lifetime=DURATION esp_lifetime_kb=KB
# dpd_timeout=DURATION dpd_action=restart|clear (dpd off unless
# dpd_timeout is given).
kite_conf_lifecycle() {
  local ns=$1 kv
  shift
  local -a pass=()
  local -A o=([ike_lifetime]="" [esp_lifetime]="" [esp_lifetime_kb]="" [dpd_timeout]="" [dpd_action]=restart)
  for kv in "$@"; do
    case ${kv%%=*} in
      ike_lifetime | esp_lifetime | esp_lifetime_kb | dpd_timeout | dpd_action) o[${kv%%=*}]=${kv#*=} ;;
      *) pass+=("$kv") ;;
    esac
  done
  # The ike block's last line is dh_group, the ipsec block's pfs (the
  # tunnel's last lines); the dpd block goes after them.
  kite_conf_psk "$ns" ${pass[@]+"${pass[@]}"} | awk -v ike="${o[ike_lifetime]}" -v esp="${o[esp_lifetime]}" \
    -v kb="${o[esp_lifetime_kb]}" -v dpd="${o[dpd_timeout]}" -v action="${o[dpd_action]}" '
    { print }
    /^      dh_group:/ && ike != "" { print "      lifetime: " ike }
    /^      pfs:/ {
      if (esp != "") print "      lifetime: " esp
      if (kb != "") print "      lifetime_kb: " kb
    }
    END {
      if (dpd != "") printf "    dpd:\n      enabled: true\n      timeout: %s\n      action: %s\n", dpd, action
      else printf "    dpd:\n      enabled: false\n"
    }'
}

# kite_logged NS PATTERN: lines of NS's kited log matching the extended regex.
kite_logged() { grep -c -E "$2" "$LAB_OUT/$1/kited.log" || true; }

# ping_steady NS DST SECONDS [PING_ARGS...]: 50 pings a second for SECONDS
# from NS; fails unless every one is answered (make-before-break: not one
# packet lost while SAs are replaced). The pings must also have crossed the
# tunnel: all along, a sampler checks that NS's outbound policy for its
# mapping (with its ESP template) and an outbound ESP SA are in the kernel,
# since without them the lab's direct link would carry them in clear.
ping_steady() {
  local ns=$1 dst=$2 secs=$3 out sent received gaps watch=$LAB_OUT/$1/tunnel-watch.out
  shift 3
  step "ping $dst from $ns: 50 per second for ${secs} s, none may be lost"
  : >"$watch"
  tunnel_watch "$ns" "$watch" &
  local watcher=$!
  # Every reply is kept, time-stamped (-D), in NS's ping-steady.out: a lost
  # one is named with the times of its neighbours, to match with the logs.
  local replies=$LAB_OUT/$ns/ping-steady.out
  in_ns "$ns" ping -n -D -i 0.02 -c $((secs * 50)) -W 2 "$@" "$dst" >"$replies" 2>&1 || true
  out=$(cat "$replies")
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  printf '%s\n' "$out" | tail -n 2 | sed 's/^/    /'
  read -r sent received < <(awk '/packets transmitted/ { print $1, $4 }' <<<"$out")
  ((sent == secs * 50)) || fail "only ${sent:-0} of $((secs * 50)) pings sent"
  ((received == sent)) || fail "$((sent - received)) of $sent pings lost: $(ping_gaps "$replies" "$sent")"
  gaps=$(grep -c gap "$watch" || true)
  log "tunnel watch: $(grep -c ok "$watch" || true) samples with policy and outbound SA, $gaps without"
  ((gaps == 0)) || fail "the tunnel was not in place all along: $(grep gap "$watch" | head -n 3)"
}

# ping_gaps FILE SENT: the first lost sequence numbers in ping -D output,
# each with the UTC time of the last reply before it.
ping_gaps() {
  awk -v sent="$2" '
    match($0, /icmp_seq=[0-9]+/) {
      seq = substr($0, RSTART + 9, RLENGTH - 9); got[seq] = 1
      t = $1; gsub(/[][]/, "", t); at[seq] = t
    }
    END {
      n = 0; last = ""
      for (s = 1; s <= sent && n < 5; s++) {
        if (s in got) { last = at[s]; continue }
        cmd = "date -u -d @" (last == "" ? 0 : last) " +%H:%M:%S.%N"; cmd | getline when; close(cmd)
        printf "%sseq %d (after %s)", (n++ ? ", " : ""), s, substr(when, 1, 12)
      }
    }' "$1"
}

# tunnel_watch NS FILE: until killed, samples NS's kernel (two ip(8) per
# sample) and appends "ok" or "gap <time> <what>" to FILE.
tunnel_watch() {
  local ns=$1 file=$2 dump out_pol out_sa
  out_pol="src $(inner_net "$ns" 4) dst $(inner_net "$(peer_of "$ns")" 4)"
  # A state's first line starts a line; a policy template's is indented.
  out_sa=$'\n'"src $(outer_addr "$ns" 4) dst $(outer_addr "$(peer_of "$ns")" 4)"
  while :; do
    # (ip -batch runs only the first xfrm command: two calls.)
    dump=$(ip -n "$ns" xfrm policy list dir out 2>/dev/null)$'\n'$(ip -n "$ns" xfrm state list 2>/dev/null)
    if [[ $dump != *"$out_pol"*"tmpl src"* ]]; then
      lab_now
      echo "gap $LAB_NOW no outbound policy" >>"$file"
    elif [[ $dump != *"$out_sa"* ]]; then
      lab_now
      echo "gap $LAB_NOW no outbound ESP SA" >>"$file"
    else
      echo ok >>"$file"
    fi
    lab_sleep 0.05
  done
}

# kernel_pairs NS N: within 5 s NS holds exactly N ESP SAs (a rekey that
# is half done has more for a moment).
kernel_pairs() {
  local ns=$1 want=$2
  wait_until 5 "exactly $want ESP SAs in $ns" lab_sa_count_is "$ns" "$want" ||
    fail "$ns holds $(ip -n "$ns" xfrm state | grep -c 'proto esp' || true) ESP SAs, want $want"
}
lab_sa_count_is() { (($(ip -n "$1" xfrm state | grep -c 'proto esp' || true) == $2)); }

# kited_crash NS: the peer dies without a word: SIGKILL kited, and flush
# NS's XFRM state and policies as its reboot would. The scenario's exit
# trap no longer expects that kited to run.
kited_crash() {
  local ns=$1 i entry pid="" keep=()
  for i in "${!LAB_DAEMONS[@]}"; do
    entry=${LAB_DAEMONS[$i]}
    if [[ $entry == "kited:$ns:"* ]]; then pid=${entry##*:}; else keep+=("$entry"); fi
  done
  [[ -n $pid ]] || fail "no kited running in $ns"
  LAB_DAEMONS=(${keep[@]+"${keep[@]}"})
  step "kited in $ns dies (SIGKILL, kernel state flushed as by a reboot)"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  ip -n "$ns" xfrm state flush
  ip -n "$ns" xfrm policy flush
  mv "$LAB_OUT/$ns/kited.log" "$LAB_OUT/$ns/kited-crashed.log"
}

# kite_is_up NS: `kitectl show --json lab` in NS says up (for wait_until).
kite_is_up() { [[ $(kctl "$1" --json show lab 2>/dev/null | jq -r '.tunnel.state') == up ]]; }
