#!/usr/bin/env bash
# Checks an strace -f log of kited (or kitectl) against kite.service's
# restrictions: SystemCallFilter (expanded with systemd-analyze, in order: the first list
# allows, ~ removes, later lists add; plus what systemd always allows),
# RestrictAddressFamilies, ProtectSystem=strict (no successful write outside
# the runtime directory, /tmp and /dev/null) and MemoryDenyWriteExecute.
# Only the process that executed PROGRAM (default /usr/sbin/kited; the
# ExecReload command is checked the same way) and its children count.
#
#   test/package/trace-check.sh TRACE UNIT RUNTIME_DIR [PROGRAM]
set -euo pipefail
trace=${1:?usage: trace-check.sh TRACE UNIT RUNTIME_DIR [PROGRAM]}
unit=${2:?}
runtime_dir=${3:?}
program=${4:-/usr/sbin/kited}
name=${program##*/}

# The program's lines: from its execve on, for its PID and any it cloned.
lines=$(awk -v exe="execve(\"$program\"" '
  index($0, exe) && / = 0$/ { pids[$1] = 1; on = 1 }
  on && ($1 in pids) {
    print
    if ($2 ~ /^(clone|clone3|fork|vfork)\(/ && $NF ~ /^[0-9]+$/) pids[$NF] = 1
  }' "$trace")
[[ -n $lines ]] || { echo "  trace-check: no execve of $program in $trace"; exit 1; }

# --- system calls -----------------------------------------------------------
declare -A expanded=()
expand() { # a syscall or @group: its syscalls, one per line
  local name=$1 line
  if [[ $name != @* ]]; then echo "$name"; return; fi
  [[ -z ${expanded[$name]:-} ]] || return 0
  expanded[$name]=1
  while read -r line; do
    [[ -z $line || $line == \#* || $line == "$name" ]] && continue
    expand "$line"
  done < <(systemd-analyze syscall-filter "$name")
}
declare -A allowed=()
first=1 deny_mode=0
while IFS= read -r value; do
  [[ -n $value ]] || { allowed=(); first=1; continue; }
  remove=0
  [[ $value == \~* ]] && { remove=1; value=${value#\~}; }
  if ((first)); then deny_mode=$remove; first=0; fi
  for item in $value; do
    [[ $item == *:* ]] && item=${item%%:*}  # name:errno
    while read -r s; do
      if ((remove != deny_mode)); then unset "allowed[$s]"; else allowed[$s]=1; fi
    done < <(expand "$item")
  done
done < <(sed -n 's/^SystemCallFilter=//p' "$unit")
# Always allowed by systemd (systemd.exec(5), SystemCallFilter=).
for s in execve exit exit_group getrlimit rt_sigreturn sigreturn $(expand @default); do
  if ((deny_mode)); then unset "allowed[$s]"; else allowed[$s]=1; fi
done

used=$(sed -n 's/^[0-9]\+ \+\([a-z0-9_]\+\)(.*/\1/p' <<<"$lines" | sort -u)
refused=()
for s in $used; do
  if ((deny_mode)); then [[ -z ${allowed[$s]:-} ]] || refused+=("$s"); else [[ -n ${allowed[$s]:-} ]] || refused+=("$s"); fi
done
problems=0
if ((${#refused[@]})); then
  echo "  SystemCallFilter refuses system calls $name made: ${refused[*]}"
  for s in "${refused[@]}"; do grep -m 2 "^[0-9]* \+$s(" <<<"$lines" | sed 's/^/    /'; done
  problems=1
else
  echo "  ok: all $(wc -w <<<"$used") system calls $name made are in SystemCallFilter"
fi

# --- address families ----------------------------------------------------------
families=$(sed -n 's/^RestrictAddressFamilies=//p' "$unit" | tail -n 1)
used_families=$(sed -n 's/^[0-9]\+ \+socket\(pair\)\?(\(AF_[A-Z0-9]\+\).*/\2/p' <<<"$lines" | sort -u)
missing_families=()
for f in $used_families; do
  [[ " $families " == *" $f "* ]] || missing_families+=("$f")
done
if ((${#missing_families[@]})); then
  echo "  RestrictAddressFamilies lacks ${missing_families[*]}, which $name uses"
  problems=1
else
  echo "  ok: sockets of families $(tr '\n' ' ' <<<"$used_families")within RestrictAddressFamilies"
fi

# --- writes (ProtectSystem=strict) ------------------------------------------------
writes=$(grep -E '^[0-9]+ +(openat|open|creat)\(.*O_(WRONLY|RDWR|CREAT|TRUNC)' <<<"$lines" | grep -v '= -1' || true)
writes+=$'\n'$(grep -E '^[0-9]+ +(mkdir|mkdirat|unlink|unlinkat|rename|renameat2?|chmod|fchmodat|chown|lchown|fchownat|symlink|symlinkat|link|linkat|truncate|mknod|mknodat)\(' <<<"$lines" | grep -v '= -1' || true)
writes+=$'\n'$(grep -E '^[0-9]+ +bind\(.*sun_path=' <<<"$lines" | grep -v '= -1' || true)
outside=$(grep -o '"/[^"]*"' <<<"$writes" | tr -d '"' | sort -u |
  grep -v -E "^($runtime_dir(/.*)?|/tmp/.*|/dev/null)$" || true)
if [[ -n $outside ]]; then
  echo "  ProtectSystem=strict: $name wrote outside $runtime_dir and /tmp: $(tr '\n' ' ' <<<"$outside")"
  problems=1
else
  echo "  ok: every write within $runtime_dir, /tmp or /dev/null"
fi

# --- MemoryDenyWriteExecute -------------------------------------------------------
wx=$(grep -E '^[0-9]+ +(mmap|mprotect|pkey_mprotect)\(' <<<"$lines" |
  grep -E 'PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE|^[0-9]+ +(pkey_)?mprotect\(.*PROT_EXEC' || true)
if [[ -n $wx ]]; then
  echo "  MemoryDenyWriteExecute: $name maps memory writable and executable:"
  head -n 3 <<<"$wx" | sed 's/^/    /'
  problems=1
else
  echo "  ok: no writable and executable memory"
fi
exit "$problems"
