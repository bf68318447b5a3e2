# shellcheck shell=bash
# Helpers shared by the kited scenarios (kited-*.sh, swan-kited-*.sh), sourced
# after lib.sh. Not a scenario itself (run.sh runs only *.sh). They check
# what an operator would look at: kitectl's answers, swanctl --list-sas,
# the kernel's ESP counters and XFRM state.
#
# Suites, as "kite keys | strongSwan proposals | what both sides must report":
#   suite_keys NAME   -> SUITE_KITE (kite_conf_psk keys), SUITE_IKE/SUITE_ESP
#                        (swan_conf_psk proposals), SUITE_SHOW_IKE /
#                        SUITE_SHOW_ESP (kitectl show --json, see kite_expect),
#                        SUITE_SWAN_IKE / SUITE_SWAN_ESP (swanctl --list-sas)

# suite_keys NAME: sets the SUITE_* variables above for one named suite.
suite_keys() {
  case $1 in
    aes128-sha256-modp2048)
      SUITE_KITE=(encryption=aes128 integrity=sha256 dh_group=14 esp_encryption=aes128 esp_integrity=sha256)
      SUITE_IKE=aes128-sha256-modp2048 SUITE_ESP=aes128-sha256
      SUITE_SHOW_IKE=aes128/sha256/prfsha256/14 SUITE_SHOW_ESP=aes128/sha256
      SUITE_SWAN_IKE=AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
      SUITE_SWAN_ESP=ESP:AES_CBC-128/HMAC_SHA2_256_128
      ;;
    aes256-sha512-ecp384)
      # esp_integrity is ignored for AEAD (kite warns); kite names the
      # 16-byte-ICV GCM "aes256gcm", strongSwan "aes256gcm16".
      SUITE_KITE=(encryption=aes256 integrity=sha512 dh_group=20 esp_encryption=aes256gcm esp_integrity=sha512)
      SUITE_IKE=aes256-sha512-ecp384 SUITE_ESP=aes256gcm16
      SUITE_SHOW_IKE=aes256/sha512/prfsha512/20 SUITE_SHOW_ESP=aes256gcm/null
      SUITE_SWAN_IKE=AES_CBC-256/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/ECP_384
      SUITE_SWAN_ESP=ESP:AES_GCM_16-256
      ;;
    aes128-sha1-modp1024)
      SUITE_KITE=(encryption=aes128 integrity=sha1 dh_group=2 esp_encryption=3des esp_integrity=md5)
      SUITE_IKE=aes128-sha1-modp1024 SUITE_ESP=3des-md5
      SUITE_SHOW_IKE=aes128/sha1/prfsha1/2 SUITE_SHOW_ESP=3des/md5
      SUITE_SWAN_IKE=AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024
      SUITE_SWAN_ESP=ESP:3DES_CBC/HMAC_MD5_96
      ;;
    aes128-sha256-x25519)
      SUITE_KITE=(encryption=aes128 integrity=sha256 dh_group=31 esp_encryption=chacha20poly1305 esp_integrity=sha256)
      SUITE_IKE=aes128-sha256-x25519 SUITE_ESP=chacha20poly1305
      SUITE_SHOW_IKE=aes128/sha256/prfsha256/31 SUITE_SHOW_ESP=chacha20poly1305/null
      SUITE_SWAN_IKE=AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519
      SUITE_SWAN_ESP=ESP:CHACHA20_POLY1305
      ;;
    *) fail "unknown suite $1" ;;
  esac
}

# kctl NS ARGS...: kitectl against NS's kited. The control socket is a
# file, so no `ip netns exec` is needed (one process start less than
# kitectl_in; they are slow in UML).
kctl() {
  local ns=$1
  shift
  "$KITECTL" --socket "$LAB_RUN/$ns/kited.sock" "$@"
}

# kite_json NS COMMAND...: `kitectl --json COMMAND...` in NS; the reply line
# lands in KITE_JSON and in $LAB_OUT/NS/<command>.json. Returns kitectl's
# exit status (the reply is kept either way).
kite_json() {
  local ns=$1 rc=0
  shift
  KITE_JSON=$(kctl "$ns" --json "$@") || rc=$?
  printf '%s\n' "$KITE_JSON" >"$LAB_OUT/$ns/$1.json"
  return "$rc"
}

# kite_expect NS STATE [IKE ESP [CHILDREN]]: `kitectl show --json lab` in NS
# says STATE; when up, the IKE SA is IKE ("encr/integ/prf/group") and every
# CHILD SA ESP ("encr/integ", integ "null" for AEAD), CHILDREN of them
# (default 1).
kite_expect() {
  local ns=$1 want_state=$2 want_ike=${3:-} want_esp=${4:-} want_children=${5:-1} got
  kite_json "$ns" show lab || fail "kitectl show lab failed in $ns: $KITE_JSON"
  got=$(jq -r '.tunnel | [.state,
      (.ike_sa // {} | "\(.encryption)/\(.integrity)/\(.prf)/\(.dh_group)"),
      ([.children[] | "\(.encryption)/\(.integrity)"] | unique | join(",")),
      (.children | length)] | join(" ")' <<<"$KITE_JSON")
  local want="$want_state"
  [[ $want_state == up ]] && want+=" $want_ike $want_esp $want_children"
  if [[ $want_state != up ]]; then got=${got%% *}; fi
  [[ $got == "$want" ]] || fail "kitectl show in $ns: got '$got', want '$want'"
  log "kitectl show in $ns: $got"
}

# kite_last_error NS PATTERN: the tunnel's last_error (kitectl show --json)
# matches the extended regex PATTERN.
kite_last_error() {
  local ns=$1 pattern=$2 err
  kite_json "$ns" show lab || fail "kitectl show lab failed in $ns: $KITE_JSON"
  err=$(jq -r '.tunnel.last_error // ""' <<<"$KITE_JSON")
  log "last_error in $ns: $err"
  [[ $err =~ $pattern ]] || fail "last_error in $ns does not match /$pattern/"
}

# kite_traffic_counted NS: `kitectl status --json` reports the tunnel up and
# counts packets both ways (from the kernel's SA counters).
kite_traffic_counted() {
  local ns=$1 got
  kctl "$ns" status | sed 's/^/    /'
  kite_json "$ns" status || fail "kitectl status failed in $ns"
  got=$(jq -r '.tunnels[] | select(.name == "lab") |
      "\(.state) \(.packets_in > 0 and .bytes_in > 0) \(.packets_out > 0 and .bytes_out > 0)"' <<<"$KITE_JSON")
  [[ $got == "up true true" ]] || fail "kitectl status in $ns: want up with traffic both ways, got '$got'"
}

# kite_up_fails NS PATTERN: `kitectl up lab` exits 1 ("failed", not 3
# "kited not reachable") and says why (matching PATTERN), as an operator
# would see it.
kite_up_fails() {
  local ns=$1 pattern=$2 out rc=0
  step "kitectl up lab in $ns must fail"
  out=$(kctl "$ns" up lab --timeout 20 2>&1) || rc=$?
  printf '%s\n' "$out" | sed 's/^/    /'
  ((rc == 1)) || fail "kitectl up in $ns exited $rc, want 1"
  [[ $out =~ $pattern ]] || fail "kitectl up's error in $ns does not match /$pattern/"
}

# swan_expect NS IKE ESP [CHILDREN]: swanctl --list-sas in NS shows the IKE
# SA ESTABLISHED with IKE and CHILDREN (1) CHILD SAs INSTALLED with ESP.
swan_expect() {
  local ns=$1 ike=$2 esp=$3 children=${4:-1} out n
  out=$(swanctl_in "$ns" --list-sas)
  printf '%s\n' "$out" | sed 's/^/    /'
  [[ $out == *ESTABLISHED* ]] || fail "no ESTABLISHED IKE SA in $ns"
  [[ $out == *"$ike"* ]] || fail "IKE SA in $ns is not $ike"
  n=$(grep -c "INSTALLED, TUNNEL, .*$esp" <<<"$out" || true)
  ((n == children)) || fail "$ns has $n CHILD SAs with $esp, want $children"
}

# swan_logged NS PATTERN: charon's log in NS has a line matching PATTERN
# (grep -E), which the log shows.
swan_logged() {
  local ns=$1 pattern=$2
  wait_until 5 "charon in $ns to log /$pattern/" grep -q -E "$pattern" "$LAB_OUT/$ns/charon.log" ||
    fail "charon in $ns did not log /$pattern/"
  log "charon in $ns: $(grep -E "$pattern" "$LAB_OUT/$ns/charon.log" | tail -n 1)"
}

# swan_reload NS FILE: replaces NS's swanctl.conf and loads it into the
# running charon (connections and secrets).
swan_reload() {
  local ns=$1 conf=$2
  cp "$conf" "$LAB_OUT/$ns/swanctl.conf"
  swanctl_in "$ns" --load-all --clear --file "$LAB_OUT/$ns/swanctl.conf" >"$LAB_OUT/$ns/swanctl-load.out" 2>&1 ||
    fail "swanctl --load-all failed in $ns: $(cat "$LAB_OUT/$ns/swanctl-load.out")"
}

# kite_reload NS FILE: replaces NS's kite.yaml and `kitectl reload`s it.
kite_reload() {
  local ns=$1 conf=$2
  cp "$conf" "$LAB_OUT/$ns/kite.yaml"
  kctl "$ns" reload | sed 's/^/    /' || fail "kitectl reload failed in $ns"
}

# traffic_both_ways F: pings across the tunnel in both directions (family F)
# and checks that the kernel's ESP counters moved on both sides.
traffic_both_ways() {
  local f=$1
  ping_through left "$(inner_addr right "$f")" -I "$(inner_addr left "$f")"
  ping_through right "$(inner_addr left "$f")" -I "$(inner_addr right "$f")"
  esp_counters_moved left
  esp_counters_moved right
}

# kite_show NS: `kitectl show lab` in NS, into the log (what an operator
# reads; the checks use --json).
kite_show() {
  step "$1: kitectl show lab"
  kctl "$1" show lab | sed 's/^/    /'
}

# kited_initiates F SUITE...: kited (left, negotiation active) <-> charon
# (right) over address family F, one suite after another in the same
# daemons (both reloaded in between). Per suite: `kitectl up` returns 0,
# both sides report the suite (kitectl show --json, swanctl --list-sas),
# pings cross kernel ESP both ways, the ESP counters moved on both sides
# and kitectl status counts the traffic. Every suite but the last ends with
# `kitectl down` (kited tells charon), the last with SIGTERM of kited; each
# time neither kernel keeps any XFRM state.
kited_initiates() {
  local f=$1 suite first=1 last=${*: -1}
  shift
  lab_topology
  # charon installs no routes in the lab; kited installs its own (spd mode).
  lab_static_routes right
  for suite in "$@"; do
    suite_keys "$suite"
    if ((first)); then
      charon_start right <(swan_conf_psk right family="$f" ike="$SUITE_IKE" esp="$SUITE_ESP")
      kited_start left <(kite_conf_psk left family="$f" negotiation=active "${SUITE_KITE[@]}")
    else
      step "reload both sides with $SUITE_IKE / $SUITE_ESP"
      swan_reload right <(swan_conf_psk right family="$f" ike="$SUITE_IKE" esp="$SUITE_ESP")
      kite_reload left <(kite_conf_psk left family="$f" negotiation=active "${SUITE_KITE[@]}")
    fi
    step "kitectl up lab (left) with $SUITE_IKE / $SUITE_ESP"
    kctl left up lab --timeout 20 | sed 's/^/    /'
    ((first)) && kite_show left
    kite_expect left up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
    swan_expect right "$SUITE_SWAN_IKE" "$SUITE_SWAN_ESP"
    traffic_both_ways "$f"
    kite_traffic_counted left
    if [[ $suite != "$last" ]]; then
      step "kitectl down lab (left): deletes the SAs and tells charon"
      kctl left down lab | sed 's/^/    /'
      kernel_clean left
      kernel_clean right
      kite_expect left down
      swan_logged right 'received DELETE for IKE_SA'
    fi
    first=0
  done
  step "SIGTERM kited (left): deletes its SAs and tells charon"
  kited_stop left
  kernel_clean left
  kernel_clean right
  charon_stop right
  kernel_clean right
}

# swan_initiates F END SUITE...: charon (left) initiates, kited (right,
# negotiation passive) responds, over address family F, one suite after
# another in the same daemons. Per suite: `swanctl --initiate` succeeds,
# both sides report the suite, pings cross kernel ESP both ways, counters
# moved, kitectl status counts the traffic. Every suite but the last ends
# with charon's terminate (kited follows the DELETE), the last by END:
# `down` (kitectl down on the responder) or `sigterm` (kited stops); charon
# follows kited's DELETE. Each time neither kernel keeps any XFRM state.
swan_initiates() {
  local f=$1 end=$2 suite first=1 last=${*: -1}
  shift 2
  lab_topology
  lab_static_routes left
  for suite in "$@"; do
    suite_keys "$suite"
    if ((first)); then
      kited_start right <(kite_conf_psk right family="$f" negotiation=passive "${SUITE_KITE[@]}")
      charon_start left <(swan_conf_psk left family="$f" ike="$SUITE_IKE" esp="$SUITE_ESP")
    else
      step "reload both sides with $SUITE_IKE / $SUITE_ESP"
      kite_reload right <(kite_conf_psk right family="$f" negotiation=passive "${SUITE_KITE[@]}")
      swan_reload left <(swan_conf_psk left family="$f" ike="$SUITE_IKE" esp="$SUITE_ESP")
    fi
    step "swanctl --initiate (left) with $SUITE_IKE / $SUITE_ESP"
    swanctl_in left --initiate --child net --timeout 20 >"$LAB_OUT/left/initiate.out" 2>&1 || {
      tail -n 20 "$LAB_OUT/left/initiate.out"
      fail "charon could not initiate"
    }
    swan_expect left "$SUITE_SWAN_IKE" "$SUITE_SWAN_ESP"
    ((first)) && kite_show right
    kite_expect right up "$SUITE_SHOW_IKE" "$SUITE_SHOW_ESP"
    traffic_both_ways "$f"
    kite_traffic_counted right
    if [[ $suite != "$last" ]]; then
      step "swanctl --terminate (left): kited deletes its side on the peer's DELETE"
      swanctl_in left --terminate --ike lab --timeout 20 >/dev/null
      kernel_clean left
      kernel_clean right
      kite_expect right down
    fi
    first=0
  done
  if [[ $end == down ]]; then
    step "kitectl down lab (right, the responder): deletes the SAs and tells charon"
    kctl right down lab | sed 's/^/    /'
    kernel_clean right
    kernel_clean left
    swan_logged left 'received DELETE for IKE_SA'
    kite_expect right down
    kited_stop right
  else
    step "SIGTERM kited (right, the responder): deletes its SAs and tells charon"
    kited_stop right
    kernel_clean right
    kernel_clean left
    swan_logged left 'received DELETE for IKE_SA'
  fi
  charon_stop left
  kernel_clean left
  kernel_clean right
}
