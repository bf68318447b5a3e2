#!/bin/bash
# PID 1 of the lab guest (run.sh boots linux.uml with init=this file).
#
# The root file system is the host's, read-only (hostfs). This script mounts
# what a scratch system needs, makes the lab's work directory writable, loads
# the kernel modules, runs each scenario with a time limit (its output and
# exit status go to LAB_RESULTS/<name>/ on the host), resets the guest between
# scenarios, and powers off. It must never exit on its own (PID 1 exiting
# panics the kernel), so no errexit here: every step checks for itself, and
# a failure before the scenarios is recorded as every scenario's failure.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

say() { echo "lab: $*"; }
now_ms() { date +%s%3N; }

power_off() {
  sync
  poweroff -f >/dev/null 2>&1
  # Only reached if poweroff failed; halting beats a kernel panic.
  echo o >/proc/sysrq-trigger
  sleep 10
}
trap power_off EXIT

# run.sh preloads guest-noavx.so from the work directory, which may only be
# visible once mounted below; keep it off until then.
lab_preload=${LD_PRELOAD:-}
unset LD_PRELOAD

# The host's instructions (written by run.sh): paths, scenario list, options.
# shellcheck source=/dev/null
source "${LAB_ENV:?LAB_ENV not on the kernel command line}" || exit 1

# ---- mounts -----------------------------------------------------------------
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 run /run
mount -t tmpfs -o mode=1777 tmp /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 shm /dev/shm 2>/dev/null
# The kernel's devtmpfs lacks these links (bash's <(...) needs /dev/fd).
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# Lab paths on host /tmp or /run are hidden by the tmpfs mounts above; mount
# them back from the host (hostfs) at the same path. The work directory is
# mounted read-write in any case: results go there.
expose() { # PATH [ro]
  mkdir -p "$1" 2>/dev/null
  mount -t hostfs -o "$1" ${2:+-o "$2"} lab "$1"
}
for p in "$LAB_ROOT" "$LAB_BUILD" "${LAB_SCENARIO_FILES[@]%/*}"; do
  case $p in /tmp/* | /run/*) mountpoint -q "$p" || expose "$p" ro ;; esac
done
if ! expose "$LAB_WORK" || ! touch "$LAB_RESULTS/.writable"; then
  say "cannot mount $LAB_WORK read-write from the host"
  exit 1
fi
rm -f "$LAB_RESULTS/.writable"
[[ -n $lab_preload ]] && export LD_PRELOAD=$lab_preload

# ---- guest-wide settings ----------------------------------------------------
hostname kite-lab
ip link set lo up
# Make any scenario failure before it starts visible on the host.
guest_failed() {
  local s
  say "guest setup failed: $*"
  for s in "${LAB_SCENARIO_FILES[@]}"; do
    mkdir -p "$LAB_RESULTS/$(basename "$s" .sh)"
    echo "guest setup failed: $*" >"$LAB_RESULTS/$(basename "$s" .sh)/log"
    echo 1 >"$LAB_RESULTS/$(basename "$s" .sh)/rc"
  done
  exit 1
}
# The kernel runs modprobe for autoloading (e.g. "crypto-cbc(des3_ede)")
# with an empty environment; route it through a wrapper that keeps the
# guest's AVX masks.
printf '#!/bin/sh\nexport GLIBC_TUNABLES=%q OPENSSL_ia32cap=%q\nexec /sbin/modprobe "$@"\n' \
  "${GLIBC_TUNABLES:-}" "${OPENSSL_ia32cap:-}" >/run/lab-modprobe
chmod 0755 /run/lab-modprobe
echo /run/lab-modprobe >/proc/sys/kernel/modprobe
# ESP needs a default RNG ("stdrng", from drbg) for its IVs (echainiv,
# seqiv); the rest would autoload, but loading it now keeps scenarios fast.
modules=${LAB_MODULES:-"ipv6 xfrm_user esp4 esp6 veth dummy drbg
  authenc authencesn cbc hmac sha512_generic gcm ghash-generic ctr seqiv
  echainiv chacha20poly1305 des_generic xcbc cmac"}
# shellcheck disable=SC2086 # one word per module
modprobe -a $modules || guest_failed "modprobe -a $modules"
# jitterentropy only adds a noise source to drbg's seed (drbg seeds from
# get_random_bytes without it). Its power-on self test measures CPU timer
# jitter, which under UML fails on some hosts ("Bad address" on a 6.18 host
# without AMX), so it is loaded when it can be and never required.
modprobe jitterentropy_rng 2>/dev/null ||
  echo "lab: jitterentropy_rng unavailable here (its self test failed); drbg seeds without it"

# ---- scenarios --------------------------------------------------------------
# Everything a scenario started is killed afterwards and its namespaces and
# kernel state are removed, so the next one starts from a clean guest.
reset_guest() {
  kill -KILL -1 2>/dev/null # every process but PID 1
  sleep 0.1
  wait 2>/dev/null
  ip -all netns delete 2>/dev/null
  ip xfrm state flush
  ip xfrm policy flush
  rm -rf /tmp/lab
}

run_scenario() { # FILE INDEX COUNT
  local file=$1 name dir rc start
  name=$(basename "$file" .sh)
  dir=$LAB_RESULTS/$name
  mkdir -p "$dir"
  say "[$2/$3] $name ..."
  start=$(now_ms)
  # timeout(1) signals the scenario's whole process group; lib.sh dumps
  # diagnostics on SIGTERM before -k's SIGKILL arrives.
  if [[ $LAB_VERBOSE == 1 ]]; then
    LAB_OUT=$dir LAB_SCENARIO=$name timeout -k 15 "$LAB_SCENARIO_TIMEOUT" \
      bash "$file" 2>&1 | tee "$dir/log"
    rc=${PIPESTATUS[0]}
  else
    LAB_OUT=$dir LAB_SCENARIO=$name timeout -k 15 "$LAB_SCENARIO_TIMEOUT" \
      bash "$file" >"$dir/log" 2>&1
    rc=$?
  fi
  echo "$(($(now_ms) - start))" >"$dir/ms"
  echo "$rc" >"$dir/rc"
  case $rc in
    0) say "[$2/$3] $name PASS" ;;
    77) say "[$2/$3] $name SKIP" ;;
    124) say "[$2/$3] $name TIMEOUT after ${LAB_SCENARIO_TIMEOUT}s" ;;
    *) say "[$2/$3] $name FAIL (exit $rc)" ;;
  esac
}

export LAB_DIR LAB_ROOT LAB_BUILD LAB_WORK LAB_RESULTS LAB_TRACE LAB_VERBOSE
# In shell mode the last scenario's daemons and namespaces stay for a look.
[[ $LAB_SHELL == 1 ]] && export LAB_KEEP=1
count=${#LAB_SCENARIO_FILES[@]}
for i in "${!LAB_SCENARIO_FILES[@]}"; do
  run_scenario "${LAB_SCENARIO_FILES[$i]}" $((i + 1)) "$count"
  if [[ $LAB_SHELL != 1 || $((i + 1)) -lt $count ]]; then
    reset_guest
  fi
done

if [[ $LAB_SHELL == 1 ]]; then
  say "interactive shell; lib.sh helpers are loaded; 'exit' powers off"
  # setsid -c makes the console this shell's controlling terminal (job
  # control, ^C); without a tty (e.g. stdin not a terminal) plain bash.
  LAB_OUT=$LAB_RESULTS/shell setsid -c -w bash --rcfile "$LAB_DIR/guest-shellrc" -i \
    </dev/console >/dev/console 2>&1 ||
    bash --rcfile "$LAB_DIR/guest-shellrc" -i
fi
say "powering off"
