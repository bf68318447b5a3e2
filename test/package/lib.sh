# Helpers of the package stage (install-test.sh, service-check.sh): output,
# the cached Debian 12 root and a fresh copy of it per run.
# shellcheck shell=bash
# cache is set by install-test.sh.
# shellcheck disable=SC2154

export _pkg_t0=${_pkg_t0:-$(date +%s)}
step() { printf '\n---- package: %s (%ss)\n' "$*" "$(($(date +%s) - _pkg_t0))"; }
ok() { printf '  ok: %s\n' "$*"; }
fail() {
  printf '\npackage: FAILED: %s\n' "$*" >&2
  exit 1
}

# Any command that fails unexpectedly (set -e) says where, not just exits.
set -E
trap 'fail "unexpected failure (exit $?) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR

# The Debian mirror this machine's apt uses (sources.list or deb822
# .sources), for SUITE (bookworm, bookworm-security).
debian_mirror() {
  local suite=$1 files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && files+=("$f")
  done
  ((${#files[@]})) || return 0
  awk -v suite="$suite" '
    function emit(u) { if (!done) { print u; done = 1 } }
    function flush() { if (uris != "" && (" " suites " ") ~ (" " suite " ")) emit(uris); uris = ""; suites = "" }
    FNR == 1 { flush() }
    /^[[:space:]]*#/ { next }
    /^deb[[:space:]]/ {
      n = split($0, w, /[[:space:]]+/); i = 2
      if (w[i] ~ /^\[/) { while (i <= n && w[i] !~ /\]$/) i++; i++ }
      if (w[i + 1] == suite) emit(w[i])
      next
    }
    /^[[:space:]]*$/ { flush(); next }
    /^URIs:/ { uris = $2 }
    /^Suites:/ { $1 = ""; suites = $0 }
    END { flush() }' "${files[@]}" 2>/dev/null
}

# Test roots (CACHE/run.PID) of runs that are over: unmounted, removed.
remove_stale_roots() {
  local r m
  for r in "$1"/run.*; do
    [[ -d $r ]] || continue
    ! kill -0 "${r##*.}" 2>/dev/null || continue
    for m in "$r/var/cache/apt/archives" "$r/proc"; do
      mountpoint -q "$m" && umount -l "$m"
    done
    rm -rf "$r"
  done
}

# Debootstraps a minimal Debian 12 into BASE once; later runs reuse it (one
# at a time: CACHE/.lock).
prepare_base() {
  local base=$1 mirror
  mkdir -p "$(dirname "$base")"
  exec {_pkg_lock}>"$(dirname "$base")/.lock"
  flock "$_pkg_lock"
  if [[ -f $base/.kite-ready ]]; then
    ok "cached root $base (made $(date -r "$base/.kite-ready" +%F); remove it to make it again)"
    exec {_pkg_lock}>&-
    return
  fi
  mirror=$(debian_mirror bookworm)
  [[ -n $mirror ]] || fail "no Debian bookworm mirror in /etc/apt/sources.list*"
  echo "  debootstrap --variant=minbase bookworm from $mirror (once, ~2 min)"
  rm -rf "$base.tmp"
  if ! nice debootstrap --variant=minbase bookworm "$base.tmp" "$mirror" >"$base.log" 2>&1; then
    tail -n 20 "$base.log"
    fail "debootstrap failed ($base.log)"
  fi
  touch "$base.tmp/.kite-ready"
  rm -rf "$base"
  mv "$base.tmp" "$base"
  exec {_pkg_lock}>&-
  ok "debootstrapped $base"
}

_pkg_mounts=()
# Unmounts what fresh_root mounted; removes the root unless KITE_PKG_KEEP=1.
cleanup_root() {
  local m i
  for ((i = ${#_pkg_mounts[@]} - 1; i >= 0; i--)); do
    m=${_pkg_mounts[i]}
    mountpoint -q "$m" && umount -l "$m"
  done
  _pkg_mounts=()
  if [[ -n ${run_root:-} && -d $run_root ]]; then
    if [[ ${KITE_PKG_KEEP:-0} == 1 ]]; then
      echo "  test root kept: $run_root (chroot $run_root bash)"
      run_root=''
    else
      rm -rf "$run_root"
    fi
  fi
}

# A fresh copy of BASE at RUN with /proc, apt's download cache (kept in the
# cache folder between runs), DNS, the mirror's sources and a
# policy-rc.d that keeps services from starting.
fresh_root() {
  local base=$1 run=$2 mirror security m
  for m in "$run/proc" "$run/var/cache/apt/archives"; do
    mountpoint -q "$m" && umount -l "$m"
  done
  rm -rf "$run"
  cp -a "$base" "$run"
  trap cleanup_root EXIT
  mount -t proc proc "$run/proc"
  _pkg_mounts+=("$run/proc")
  mkdir -p "$cache/apt-archives/partial"
  mount --bind "$cache/apt-archives" "$run/var/cache/apt/archives"
  _pkg_mounts+=("$run/var/cache/apt/archives")
  cp -L /etc/resolv.conf "$run/etc/resolv.conf"
  mirror=$(debian_mirror bookworm)
  security=$(debian_mirror bookworm-security)
  {
    echo "deb $mirror bookworm bookworm-updates main"
    [[ -z $security ]] || echo "deb $security bookworm-security main"
  } >"$run/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' >"$run/usr/sbin/policy-rc.d"
  chmod 755 "$run/usr/sbin/policy-rc.d"
  in_root apt-get update -q >"$run/tmp/apt-update.log" 2>&1 ||
    { tail -n 20 "$run/tmp/apt-update.log"; fail "apt-get update in the test root failed"; }
}

# Runs a command in the test root with a clean environment.
in_root() {
  chroot "$run_root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
