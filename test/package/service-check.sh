#!/usr/bin/env bash
# Runs the installed kited the way kite.service does, without systemd (no
# systemd runs here): in a network namespace of its own (the config's
# local_address on lo; nothing leaves it), chrooted into the test root, as
# root with group kite, only the unit's capability bounding
# set, no_new_privs, the unit's UMask, /run/kite as RuntimeDirectory,
# NOTIFY_SOCKET and JOURNAL_STREAM set, and under strace. Then checks:
#
# - READY=1 arrives; the control socket is 0660 group kite; kitectl works
#   for root and a member of kite, and is refused to anyone else;
# - ExecReload (kitectl reload, run with the unit's privileges) succeeds,
#   fails with exit 2 for an invalid config while kited keeps running;
#   SIGHUP reloads; RELOADING=1/READY=1 around reloads; SIGTERM: exit 0
#   after STOPPING=1;
# - log lines carry journal priorities and never the PSK (at debug level);
# - from the traces of kited and of ExecReload (trace-check.sh): every
#   system call is in the unit's SystemCallFilter, every socket in
#   RestrictAddressFamilies, nothing is written outside /run/kite, /tmp and
#   /dev/null (ProtectSystem=strict), no memory is both writable and
#   executable (MemoryDenyWriteExecute).
#
# What this cannot show without systemd: the mount namespace itself
# (ProtectSystem, PrivateTmp, ...), seccomp as the kernel applies it, and
# systemctl's handling of Type=notify; the checks above cover what kited
# must do for those to hold.
#
#   test/package/service-check.sh ROOT [UNIT]   (UNIT: ROOT's kite.service)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
run_root=$(cd "${1:?usage: service-check.sh ROOT [UNIT]}" && pwd)
unit=${2:-$run_root/lib/systemd/system/kite.service}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

for tool in strace perl ip setpriv systemd-analyze; do
  command -v "$tool" >/dev/null || fail "service-check needs $tool (test/deps.sh)"
done
[[ -x $run_root/usr/sbin/kited ]] || fail "no kited in $run_root"

work=$(mktemp -d /tmp/kite-service-check.XXXXXX)
ns=kite-pkg-$$
kited_pid='' strace_pid='' notify_pid=''
finish() {
  local rc=$? pid
  # Everything still running in the namespace is this script's (kited, or
  # what was about to become kited).
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  [[ -z $strace_pid ]] || wait "$strace_pid" 2>/dev/null || true
  [[ -z $notify_pid ]] || { kill "$notify_pid" 2>/dev/null; wait "$notify_pid" 2>/dev/null || true; }
  ip netns del "$ns" 2>/dev/null || true
  if ((rc)) || [[ ${KITE_PKG_KEEP:-0} == 1 ]]; then
    if ((rc)); then
      echo "  kited's output ($work/kited.log):"
      tail -n 25 "$work/kited.log" 2>/dev/null | sed 's/^/    /'
    fi
    echo "  kept: $work (kited.log, notify.log, trace)"
  else
    rm -rf "$work"
  fi
}
trap finish EXIT

# --- the unit's settings --------------------------------------------------------
unit_values() { sed -n "s/^$1=//p" "$unit"; }
exec_start=$(unit_values ExecStart)
exec_reload=$(unit_values ExecReload)
group=$(unit_values Group)
umask_value=$(unit_values UMask)
runtime_dir=/run/$(unit_values RuntimeDirectory)
runtime_mode=$(unit_values RuntimeDirectoryMode)
caps=$(unit_values CapabilityBoundingSet)
[[ -n $exec_start && -n $group && -n $caps ]] || fail "$unit lacks ExecStart, Group or CapabilityBoundingSet"
bounding="-all"
for c in $caps; do
  c=${c#CAP_}
  bounding+=",+${c,,}"
done
gid=$(chroot "$run_root" getent group "$group" | cut -d: -f3)
[[ -n $gid ]] || fail "no group $group in the test root"
# Exactly what systemd would run with these settings (User=root).
as_unit=(setpriv "--bounding-set=$bounding" --inh-caps=-all "--regid=$gid" --clear-groups --no-new-privs --)

# --- the stage: network namespace, runtime directory, notify socket -----------
config=$run_root/etc/kite/kite.yaml
local_address=$(sed -n 's/^  local_address: *\([^ #]*\).*/\1/p' "$config")
[[ -n $local_address ]] || fail "no gateway.local_address in $config"
# Debug logging, so that the PSK check below sees the most log lines.
sed -i 's/^\(  log_level:\) *[a-z]*/\1 debug/' "$config"
psk=$(sed -n 's/^ *pre_shared_key: *"\(.*\)".*/\1/p' "$config")
# The address goes on lo: this host's kernel may lack the dummy module, and
# with no other interface and no routes, nothing kited sends leaves the
# namespace.
ip netns add "$ns"
ip -n "$ns" addr add "$local_address" dev lo
ip -n "$ns" link set lo up

rm -rf "$run_root$runtime_dir"
mkdir -m "$runtime_mode" "$run_root$runtime_dir"
chgrp "$gid" "$run_root$runtime_dir"
notify_path=/run/kite-notify
rm -f "$run_root$notify_path"
perl -MIO::Socket::UNIX -e '
  my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM(), Local => $ARGV[0]) or die "notify socket: $!\n";
  $| = 1;
  while (defined($s->recv(my $m, 4096))) { $m =~ s/\n/ /g; print "$m\n"; }' \
  "$run_root$notify_path" >"$work/notify.log" 2>&1 &
notify_pid=$!
for ((i = 0; i < 100; i++)); do [[ -S $run_root$notify_path ]] && break; sleep 0.1; done
[[ -S $run_root$notify_path ]] || fail "the notify socket listener (perl) did not start"

# --- start ------------------------------------------------------------------------
step "start: $exec_start (caps ${caps// /,}, group $group, umask $umask_value)"
# shellcheck disable=SC2086 # ExecStart's words
strace -f -qq -s 256 -o "$work/trace" \
  ip netns exec "$ns" chroot "$run_root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  NOTIFY_SOCKET=$notify_path JOURNAL_STREAM=8:4242 \
  /bin/sh -c "umask $umask_value && exec ${as_unit[*]} $exec_start" >"$work/kited.log" 2>&1 &
strace_pid=$!

wait_for() { # SECONDS WHAT COMMAND...
  local t=$1 what=$2 i
  shift 2
  for ((i = 0; i < t * 10; i++)); do
    "$@" && return 0
    kill -0 "$strace_pid" 2>/dev/null || fail "kited exited while waiting for $what"
    sleep 0.1
  done
  fail "no $what within ${t}s"
}
notified() { [[ $(grep -c "$1" "$work/notify.log") -ge $2 ]]; }
wait_for 20 "READY=1" notified 'READY=1' 1
kited_pid=$(sed -n 's|^\([0-9]*\) *execve("/usr/sbin/kited".* = 0$|\1|p' "$work/trace" | tail -n 1)
[[ -n $kited_pid ]] || fail "kited's PID is not in the trace"
ok "READY=1 from kited (PID $kited_pid): $(grep -m1 'ready' "$work/kited.log" | cut -c1-110)"

# --- the control socket -------------------------------------------------------------
step "control socket and kitectl"
sock=$run_root$runtime_dir/kited.sock
[[ -S $sock ]] || fail "no control socket $runtime_dir/kited.sock"
[[ $(stat -c '%a %g' "$sock") == "660 $gid" ]] || fail "control socket is $(stat -c '%a %g' "$sock"), expected 660 $gid"
[[ $(stat -c '%a %g' "$run_root$runtime_dir") == "$runtime_mode $gid" ]] ||
  [[ $(stat -c '0%a %g' "$run_root$runtime_dir") == "$runtime_mode $gid" ]] ||
  fail "$runtime_dir is $(stat -c '%a %g' "$run_root$runtime_dir")"
status=$(in_root kitectl status 2>&1) || fail "kitectl status as root: $status"
ok "socket 0660 group $group; kitectl status: $(tr '\n' ' ' <<<"$status" | cut -c1-100)"
in_root setpriv --reuid=65534 --regid=65534 "--groups=$gid" kitectl status >/dev/null 2>&1 ||
  fail "kitectl status as nobody in group $group was refused"
rc=0
in_root setpriv --reuid=65534 --regid=65534 --clear-groups kitectl status >/dev/null 2>&1 || rc=$?
((rc == 3)) || fail "kitectl status as nobody outside group $group exited $rc, not 3 (refused)"
ok "a member of $group may use kitectl; anyone else is refused (exit 3)"

# --- reload -----------------------------------------------------------------------
step "reload: ExecReload=$exec_reload, SIGHUP, an invalid config"
# Traced too: ExecReload runs under the same restrictions as kited.
# shellcheck disable=SC2086
out=$(strace -f -qq -s 256 -o "$work/trace-reload" chroot "$run_root" /usr/bin/env -i \
  PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "${as_unit[@]}" $exec_reload 2>&1) ||
  fail "ExecReload failed: $out"
wait_for 5 "READY=1 after the reload" notified 'READY=1' 2
grep -q 'RELOADING=1' "$work/notify.log" || fail "no RELOADING=1 around the reload"
ok "ExecReload: $out (RELOADING=1, READY=1)"
cp "$config" "$work/kite.yaml.good"
sed -i 's/^  local_address: .*/  local_address: 300.1.1.1/' "$config"
rc=0
# shellcheck disable=SC2086
out=$(in_root "${as_unit[@]}" $exec_reload 2>&1) || rc=$?
cp "$work/kite.yaml.good" "$config"
((rc == 2)) || fail "ExecReload with an invalid config exited $rc, not 2: $out"
kill -0 "$kited_pid" 2>/dev/null || fail "kited died on an invalid config"
ok "an invalid config: ExecReload exits 2 ($(head -n 1 <<<"$out" | cut -c1-80)), kited runs on"
reloads=$(grep -c 'reloaded' "$work/kited.log" || true)
kill -HUP "$kited_pid"
reloaded_again() { [[ $(grep -c reloaded "$work/kited.log") -gt $reloads ]]; }
wait_for 5 "a reload after SIGHUP" reloaded_again
ok "SIGHUP reloads"

# --- stop ---------------------------------------------------------------------------
step "stop: SIGTERM"
kill -TERM "$kited_pid"
rc=0
timeout 15 tail --pid="$kited_pid" -f /dev/null || fail "kited did not exit within 15s of SIGTERM"
wait "$strace_pid" || rc=$?
strace_pid='' kited_pid=''
((rc == 0)) || fail "kited exited $rc after SIGTERM, not 0"
grep -q 'STOPPING=1' "$work/notify.log" || fail "no STOPPING=1"
ok "STOPPING=1, exit 0"

# --- logs -----------------------------------------------------------------------------
step "logs"
lines=$(grep -c . "$work/kited.log" || true)
bad=$(grep -cv '^<[0-7]>' "$work/kited.log" || true)
((lines > 0 && bad == 0)) || fail "$bad of $lines log lines lack a <N> journal priority"
[[ -z $psk ]] || ! grep -qF -- "$psk" "$work/kited.log" "$work/trace.log" 2>/dev/null ||
  fail "the PSK appears in kited's log"
ok "$lines lines, each with a journal priority (<$(cut -c2 "$work/kited.log" | sort -u | tr -d '\n')>); no PSK at debug level"

# --- what the trace says about the unit's restrictions ---------------------------
step "kite.service's restrictions against what kited and ExecReload did (strace)"
"$here/trace-check.sh" "$work/trace" "$unit" "$runtime_dir" || fail "kited needs more than kite.service allows"
"$here/trace-check.sh" "$work/trace-reload" "$unit" "$runtime_dir" "${exec_reload%% *}" ||
  fail "ExecReload ($exec_reload) needs more than kite.service allows"
