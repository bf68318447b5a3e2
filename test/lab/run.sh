#!/usr/bin/env bash
# The kernel lab (README.md beside this file): boots Debian's user-mode-linux
# kernel, which has ESP, with the host's root file system, runs the scenario
# scripts in scenarios/ inside it, and reports each one.
#
#   test/lab/run.sh BUILD_DIR
#
# Environment:
#   LAB_SCENARIOS="a b"      run only these (names in scenarios/ or paths to
#                            .sh files); set but empty: run none
#   LAB_SCENARIO_TIMEOUT=240 seconds per scenario before it is killed
#   LAB_BOOT_TIMEOUT=N       seconds for the whole boot (default: derived)
#   LAB_VERBOSE=1            stream the scenarios' output (guest console)
#   LAB_SHELL=1              after the scenarios, an interactive shell in the
#                            guest (scenario state kept); exit it to power off
#   LAB_TRACE=1              scenarios run with xtrace
#   LAB_MEM=512M             guest memory
#   KITE_*, DEMO_*, KITED, KITECTL, CHARON   passed on to the scenarios
#
# Results land in BUILD_DIR/lab/results/<scenario>/ (log, rc, ms, and the
# daemons' logs and configs). Exit status: 0 when every scenario passed or
# skipped, 1 otherwise (including a guest that died or timed out).
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
(($# == 1)) || usage

lab_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$lab_dir/../.." && pwd)
build=$(realpath -m "$1")
work=$build/lab
results=$work/results
kernel=${LAB_KERNEL:-/usr/bin/linux.uml}
# Generous on purpose: a hang guard, not a speed test (a loaded 2-core
# machine runs a 35 s scenario past 60 s).
scenario_timeout=${LAB_SCENARIO_TIMEOUT:-240}

die() { echo "lab: $*" >&2; exit 1; }

# ---- preflight -------------------------------------------------------------
((EUID == 0)) || die "must run as root (namespaces and UML's hostfs root)"
[[ -x $kernel ]] || die "$kernel missing: test/deps.sh installs user-mode-linux"
command -v gcc >/dev/null || die "gcc missing: test/deps.sh installs it"
command -v modprobe >/dev/null || die "modprobe missing: test/deps.sh installs kmod"
command -v charon >/dev/null || [[ -x /usr/lib/ipsec/charon ]] ||
  die "strongSwan missing: test/deps.sh installs strongswan-charon"

# modprobe in the guest looks in /usr/lib/modules/<uname -r>; the guest's
# root is the host's (read-only), so the link must exist on the host.
kver=$("$kernel" --version 2>/dev/null | head -n 1 | tr -d '[:space:]')
[[ -d /usr/lib/uml/modules/$kver ]] || die "no UML modules for kernel '$kver'"
if [[ ! -e /usr/lib/modules/$kver ]]; then
  mkdir -p /usr/lib/modules
  ln -sfn "/usr/lib/uml/modules/$kver" "/usr/lib/modules/$kver"
fi

# ---- helpers built from source into the work dir ---------------------------
mkdir -p "$work"
# One lab run per work dir at a time (several people share build/); a
# second run waits for the first instead of wiping its results.
exec {lock_fd}>"$work/.lock"
if ! flock -n "$lock_fd"; then
  echo "lab: another lab run is using $work; waiting for it (up to 15 min)"
  flock -w 900 "$lock_fd" || die "gave up waiting for $work/.lock"
fi
build_if_stale() { # OUTPUT SOURCE GCC_ARGS...
  local out=$1 src=$2
  shift 2
  if [[ ! -x $out || $src -nt $out ]]; then
    gcc -O2 -Wall -Wextra -Werror "$@" -o "$out.tmp" "$src"
    mv -f "$out.tmp" "$out"
  fi
}
build_if_stale "$work/uml-launch" "$lab_dir/uml-launch.c"
build_if_stale "$work/guest-noavx.so" "$lab_dir/guest-noavx.c" -shared -fPIC

# ---- which scenarios -------------------------------------------------------
scenarios=()
if [[ -v LAB_SCENARIOS ]]; then
  for s in $LAB_SCENARIOS; do
    if [[ $s == */* ]]; then
      [[ -f $s ]] || die "no scenario file $s"
      scenarios+=("$(realpath "$s")")
    else
      [[ -f $lab_dir/scenarios/${s%.sh}.sh ]] || die "no scenario $s in $lab_dir/scenarios"
      scenarios+=("$lab_dir/scenarios/${s%.sh}.sh")
    fi
  done
else
  for s in "$lab_dir"/scenarios/*.sh; do
    [[ -e $s ]] && scenarios+=("$s")
  done
fi
if ((${#scenarios[@]} == 0)) && [[ ${LAB_SHELL:-0} != 1 ]]; then
  echo "lab: no scenarios selected"
  exit 0
fi

# ---- the guest's instructions ----------------------------------------------
# guest-init.sh (PID 1 in the guest) sources this file. Paths are the same
# inside and outside: the guest's root is the host's root.
rm -rf "$results" "$work/uml"
mkdir -p "$results"
env_file=$work/guest.env
{
  printf 'LAB_DIR=%q\n' "$lab_dir"
  printf 'LAB_ROOT=%q\n' "$root"
  printf 'LAB_BUILD=%q\n' "$build"
  printf 'LAB_WORK=%q\n' "$work"
  printf 'LAB_RESULTS=%q\n' "$results"
  printf 'LAB_SCENARIO_TIMEOUT=%q\n' "$scenario_timeout"
  printf 'LAB_VERBOSE=%q\n' "${LAB_VERBOSE:-0}"
  printf 'LAB_SHELL=%q\n' "${LAB_SHELL:-0}"
  printf 'LAB_TRACE=%q\n' "${LAB_TRACE:-0}"
  printf 'LAB_MODULES=%q\n' "${LAB_MODULES:-}"
  # Pass-through for scenarios: KITE_*, DEMO_* and tool overrides.
  for v in $(compgen -e | grep -E '^(KITE_|DEMO_|KITED$|KITECTL$|CHARON$)' || true); do
    declare -p "$v"
  done
  printf 'LAB_SCENARIO_FILES=('
  ((${#scenarios[@]} == 0)) || printf '%q ' "${scenarios[@]}"
  printf ')\n'
} >"$env_file"

# Keep the guest off AVX (uml-launch.c, README.md): glibc's string functions,
# OpenSSL's assembly and libsodium's dispatch. They are kernel command-line
# words so that init itself already starts with them.
glibc_tunables=glibc.cpu.hwcaps=-AVX,-AVX2,-AVX512F,-AVX512CD,-AVX512BW,-AVX512DQ,-AVX512VL,-FMA,-AVX_Fast_Unaligned_Load
# OpenSSL 3.0 OPENSSL_ia32cap: "~" clears bits. Word 0 (CPUID.1 EDX|ECX<<32):
# AVX (60), FMA (44), XOP (43). Word 1 (CPUID.7 EBX|ECX<<32): AVX2 (5),
# AVX512F/DQ/IFMA/PF/ER/CD/BW/VL (16 17 21 26 27 28 30 31), and the ECX bits
# VBMI (33) VBMI2 (38) VAES (41) VPCLMULQDQ (42) VNNI (43) BITALG (44)
# VPOPCNTDQ (46).
openssl_ia32cap='~0x1000180000000000:~0x5e42dc230020'

# shellcheck disable=SC2054 # the commas belong to kernel arguments
boot_args=(
  "$kernel" "mem=${LAB_MEM:-512M}" rootfstype=hostfs rootflags=/ ro
  "init=$lab_dir/guest-init.sh" quiet
  con0=fd:0,fd:1 con=null
  "uml_dir=$work/uml" "umid=kite-lab-$$"
  "LAB_ENV=$env_file"
  "GLIBC_TUNABLES=$glibc_tunables"
  "OPENSSL_ia32cap=$openssl_ia32cap"
  "LD_PRELOAD=$work/guest-noavx.so"
)

# ---- boot --------------------------------------------------------------------
console=$work/console.log
: >"$console" # before the follower below starts reading it
start_ms=$(date +%s%3N)
echo "lab: booting $kernel ($kver) for ${#scenarios[@]} scenario(s); results in $results"
if [[ ${LAB_SHELL:-0} == 1 ]]; then
  # Interactive: the terminal is the guest console, no time limit.
  "$work/uml-launch" "${boot_args[@]}" || true
else
  boot_timeout=${LAB_BOOT_TIMEOUT:-$((30 + ${#scenarios[@]} * (scenario_timeout + 20)))}
  # timeout(1) runs UML in its own process group and kills the whole group
  # (UML runs every guest process as a host process) when time is up.
  timeout -k 5 "$boot_timeout" "$work/uml-launch" "${boot_args[@]}" \
    </dev/null >"$console" 2>&1 &
  uml_pid=$!
  trap 'kill -TERM "$uml_pid" 2>/dev/null || true' INT TERM
  # Live progress: the guest prints "lab: ..." lines on its console.
  # LAB_VERBOSE: everything from the first such line on.
  if [[ ${LAB_VERBOSE:-0} == 1 ]]; then range='/^lab: /,$'; else range='/^lab: /'; fi
  tail -s 0.2 -n +1 -F --pid="$uml_pid" "$console" 2>/dev/null |
    sed -u -n -e 's/\r$//' -e "${range}p" &
  follow_pid=$!
  uml_rc=0
  wait "$uml_pid" || uml_rc=$?
  wait "$follow_pid" || true
  trap - INT TERM
  if ((uml_rc == 124 || uml_rc == 137)); then
    echo "lab: the guest did not power off within ${boot_timeout}s; killed"
  elif ((uml_rc != 0)); then
    echo "lab: UML exited with status $uml_rc"
  fi
fi
boot_ms=$(($(date +%s%3N) - start_ms))

# ---- report ------------------------------------------------------------------
failed=0
printf '\nlab: %-32s %-7s %s\n' "scenario" "result" "time"
for s in "${scenarios[@]}"; do
  name=$(basename "$s" .sh)
  dir=$results/$name
  rc=$(cat "$dir/rc" 2>/dev/null || echo none)
  ms=$(cat "$dir/ms" 2>/dev/null || echo 0)
  case $rc in
    0) verdict=PASS ;;
    77) verdict=SKIP ;;
    124) verdict=TIMEOUT failed=1 ;;
    none) verdict=NORUN failed=1 ;;
    *) verdict=FAIL failed=1 ;;
  esac
  printf 'lab: %-32s %-7s %d.%01ds\n' "$name" "$verdict" $((ms / 1000)) $((ms % 1000 / 100))
  if [[ $verdict == SKIP ]]; then
    sed -n 's/^.*SKIP: /lab:     /p' "$dir/log" 2>/dev/null | head -n 1
  fi
  if [[ $verdict != PASS && $verdict != SKIP && ${LAB_VERBOSE:-0} != 1 ]]; then
    echo "lab: ---- last lines of $dir/log"
    tail -n 80 "$dir/log" 2>/dev/null | sed 's/^/lab: | /' || echo "lab: | (no log)"
  fi
done
if grep -q -E 'Kernel panic|Attempted to kill init' "$console" 2>/dev/null; then
  echo "lab: the guest kernel panicked; see $console"
  failed=1
fi
echo "lab: boot and scenarios took $((boot_ms / 1000)).$((boot_ms % 1000 / 100))s; console: $console"
if ((failed)); then
  echo "lab: FAILED"
  exit 1
fi
echo "lab: all passed"
