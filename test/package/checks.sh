# The checks of install-test.sh inside the test root ($run_root, in_root).
# shellcheck shell=bash
# run_root, root and out are set by install-test.sh; dpkg-query's ${...}
# formats are meant literally.
# shellcheck disable=SC2154,SC2016

# Every file the package installs, with mode and owner: one more or one less
# fails, so nothing is shipped by accident (a static library, a lab tool).
expected_files() {
  cat <<'EOF'
/etc/kite 755 root:root d
/etc/kite/kite.yaml 600 root:root f
/etc/kite/tunnels.d 700 root:root d
/lib/systemd/system/kite.service 644 root:root f
/usr/bin/kitectl 755 root:root f
/usr/sbin/kited 755 root:root f
/usr/share/bash-completion/completions/kitectl 644 root:root f
/usr/share/doc/kite/README.Debian 644 root:root f
/usr/share/doc/kite/README.md.gz 644 root:root f
/usr/share/doc/kite/changelog.Debian.gz 644 root:root f
/usr/share/doc/kite/copyright 644 root:root f
/usr/share/lintian/overrides/kite 644 root:root f
/usr/share/man/man5/kite.yaml.5.gz 644 root:root f
/usr/share/man/man8/kitectl.8.gz 644 root:root f
/usr/share/man/man8/kited.8.gz 644 root:root f
EOF
}

# Paths of kite's own files and directories (not the shared ones such as
# /usr/share/man/man8) per `dpkg -L`.
package_files() {
  in_root dpkg -L kite | while IFS= read -r p; do
    [[ -d $run_root$p ]] || { echo "$p"; continue; }
    case $p in
      /etc/kite | /etc/kite/*) echo "$p" ;;
    esac
  done | sort
}

check_installed() {
  step "installed files, conffile, group, binaries"
  local want got p mode owner type
  want=$(expected_files | cut -d' ' -f1 | sort)
  got=$(package_files)
  if [[ $want != "$got" ]]; then
    diff <(echo "$want") <(echo "$got") | sed 's/^/  /' || true
    fail "the package's files differ from expected_files in test/package/checks.sh (< expected, > installed)"
  fi
  while read -r p mode owner type; do
    [[ $type == d && -d $run_root$p || $type == f && -f $run_root$p ]] || fail "$p is not a ${type/d/directory}"
    got=$(stat -c '%a %U:%G' "$run_root$p")
    [[ $got == "$mode $owner" ]] || fail "$p is $got, expected $mode $owner"
  done < <(expected_files)
  ok "$(expected_files | wc -l) paths where they belong, with their modes"

  [[ -z $(ls -A "$run_root/etc/kite/tunnels.d") ]] || fail "/etc/kite/tunnels.d is not empty"
  in_root dpkg-query -W -f='${Conffiles}\n' kite | grep -q '^ /etc/kite/kite.yaml ' ||
    fail "/etc/kite/kite.yaml is not a conffile"
  ok "/etc/kite/kite.yaml is a conffile; /etc/kite/tunnels.d/ is there and empty"

  local group gid
  group=$(in_root getent group kite) || fail "no group kite after installation"
  gid=$(cut -d: -f3 <<<"$group")
  ((gid < 1000)) || fail "group kite has GID $gid: not a system group"
  ok "group kite (system GID $gid)"

  local missing
  missing=$(in_root ldd /usr/sbin/kited /usr/bin/kitectl | grep 'not found' || true)
  [[ -z $missing ]] || fail "libraries missing in a clean root (Depends incomplete?): $missing"
  local version want_version
  version=$(in_root kited --version) || fail "kited --version failed"
  want_version=$(sed -n 's/^project(kite VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
  [[ $version == "kited $want_version" ]] || fail "kited --version says '$version', not 'kited $want_version'"
  in_root kitectl --help >/dev/null || fail "kitectl --help failed"
  ok "$version; kitectl --help; every library resolved"

  local out rc=0
  out=$(in_root kitectl check --config /etc/kite/kite.yaml 2>&1) || rc=$?
  # shellcheck disable=SC2001 # indenting every line
  ((rc == 0)) || { sed 's/^/  /' <<<"$out"; fail "kitectl check rejects the shipped config (exit $rc)"; }
  ok "kitectl check --config /etc/kite/kite.yaml: $out"
  in_root sh -c 'sed "s/^  local_address: .*/  local_address: 300.1.1.1/" /etc/kite/kite.yaml >/tmp/bad.yaml'
  rc=0
  in_root kitectl check --config /tmp/bad.yaml >/dev/null 2>&1 || rc=$?
  ((rc == 2)) || fail "kitectl check of an invalid config exited $rc, not 2"
  ok "an invalid config: kitectl check exits 2"
  local tunnel
  tunnel=$(sed -n 's/^  - name: \([A-Za-z0-9._-]*\).*/\1/p' "$run_root/etc/kite/kite.yaml" | tail -n 1)
  in_root kitectl export "$tunnel" --format swanctl >/dev/null 2>&1 ||
    fail "kitectl export $tunnel of the shipped config failed"
  ok "kitectl export $tunnel (the shipped config's tunnel) for strongSwan"

  [[ ! -e $run_root/etc/systemd/system/multi-user.target.wants/kite.service ]] ||
    fail "kite.service was enabled on installation (README.Debian says it is not)"
  ok "kite.service installed, not enabled"
}

# The bash completion with bash-completion's two helpers stubbed, and
# kitectl faked for the tunnel names a running kited would give.
check_completion() {
  step "bash completion for kitectl"
  local script
  script=$(
    cat <<'EOF'
_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
_filedir() { COMPREPLY=(FILES); }
kitectl() { echo '{"gateway":"gw","ok":true,"tunnels":[{"name":"t-1","peer":"x"},{"name":"t.2"}]}'; }
source /usr/share/bash-completion/completions/kitectl
complete -p kitectl >/dev/null || { echo "no completion registered"; exit 1; }
try() {
  local want=$1; shift
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
  _kitectl
  local got="${COMPREPLY[*]}"
  if [[ $got != "$want" ]]; then echo "'$*': got '$got', expected '$want'"; exit 1; fi
}
try "status show up down reload check monitor export version" kitectl ""
try "status show" kitectl s
try "--socket --json --help" kitectl --
try "--timeout --socket --json --help" kitectl up --
try "--config" kitectl check --c
try "--count --debug --socket --json --help" kitectl monitor --
try "t-1 t.2" kitectl --json show ""
try "t-1 t.2" kitectl down t
try "" kitectl up t-1 ""
try "FILES" kitectl check --config ""
try "FILES" kitectl --socket ""
try "show" kitectl --socket /x sh
try "--format --config --output --socket --json --help" kitectl export --
try "libreswan" kitectl export t-1 --format l
try "t-1 t.2" kitectl export --format swanctl ""
try "FILES" kitectl export t-1 --output ""
echo ok
EOF
  )
  local out
  out=$(in_root bash -c "$script" 2>&1) || fail "bash completion: $out"
  ok "commands, options, files and tunnel names complete"
}

check_conffile_kept_on_reinstall() {
  local deb=$1
  step "a changed conffile survives a reinstall"
  echo "# changed by the administrator" >>"$run_root/etc/kite/kite.yaml"
  cp "$out/$deb" "$run_root/tmp/"
  in_root sh -c "cd /tmp && apt-get install -y -q --reinstall ./$deb" >>"$out/install.log" 2>&1 ||
    fail "apt-get install --reinstall failed ($out/install.log)"
  grep -q '^# changed by the administrator' "$run_root/etc/kite/kite.yaml" ||
    fail "reinstalling replaced the administrator's /etc/kite/kite.yaml"
  [[ $(stat -c %a "$run_root/etc/kite/kite.yaml") == 600 ]] || fail "kite.yaml lost mode 0600"
  ok "administrator's change kept, mode 0600"
}

check_remove_and_purge() {
  local deb=$1 files
  files=$(expected_files | awk '$4 == "f" && $1 !~ "^/etc/" { print $1 }')
  step "apt-get remove, then purge"
  in_root apt-get remove -y -q kite >>"$out/install.log" 2>&1 || fail "apt-get remove kite failed"
  for p in $files; do [[ ! -e $run_root$p ]] || fail "$p is still there after remove"; done
  [[ -f $run_root/etc/kite/kite.yaml ]] || fail "remove deleted the conffile (only purge may)"
  [[ $(in_root dpkg-query -W -f='${db:Status-Abbrev}' kite) == "rc " ]] ||
    fail "kite is not in state rc (removed, config-files) after remove"
  ok "remove: programs gone, /etc/kite/kite.yaml kept (state rc)"

  in_root apt-get purge -y -q kite >>"$out/install.log" 2>&1 || fail "apt-get purge kite failed"
  for p in $files; do [[ ! -e $run_root$p ]] || fail "$p is still there after purge"; done
  for p in /etc/kite /usr/share/doc/kite /var/lib/systemd/deb-systemd-helper-enabled/kite.service.dsh-also; do
    [[ ! -e $run_root$p ]] || fail "$p is still there after purge"
  done
  ! in_root dpkg-query -W kite >/dev/null 2>&1 ||
    [[ $(in_root dpkg-query -W -f='${db:Status-Abbrev}' kite) == "un " ]] ||
    fail "dpkg still knows kite after purge"
  in_root getent group kite >/dev/null ||
    fail "purge removed group kite (Debian keeps system groups: README.Debian)"
  ok "purge: every file and /etc/kite gone; group kite kept, as Debian does for system groups"

  step "purge keeps what the administrator added"
  in_root sh -c "cd /tmp && apt-get install -y -q ./$deb" >>"$out/install.log" 2>&1 ||
    fail "installing again after purge failed (postinst with an existing group kite?)"
  printf 'tunnels: []\n' >"$run_root/etc/kite/tunnels.d/customer.yaml"
  in_root apt-get purge -y -q kite >>"$out/install.log" 2>&1 || fail "apt-get purge kite failed"
  [[ -f $run_root/etc/kite/tunnels.d/customer.yaml ]] ||
    fail "purge deleted /etc/kite/tunnels.d/customer.yaml, which the administrator wrote"
  [[ ! -e $run_root/etc/kite/kite.yaml ]] || fail "purge left /etc/kite/kite.yaml"
  ok "reinstall with an existing group works; purge removes kite.yaml, keeps tunnels.d/customer.yaml"
}

# kite.service as installed: systemd 252 parses every line, and the
# exposure score of `systemd-analyze security` (README: 2.0) does not get
# worse than KITE_MAX_EXPOSURE.
check_unit() {
  step "kite.service: syntax and systemd-analyze security"
  local unit=$run_root/lib/systemd/system/kite.service out score max=${KITE_MAX_EXPOSURE:-2.0}
  out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v 'is not executable' || true)
  [[ -z $out ]] || fail "systemd-analyze verify: $out"
  out=$(systemd-analyze security --offline=yes --root="$run_root" kite.service 2>&1) ||
    fail "systemd-analyze security failed: $out"
  score=$(sed -n 's/.*Overall exposure level for kite.service: \([0-9.]*\).*/\1/p' <<<"$out")
  [[ -n $score ]] || fail "no exposure level in: $out"
  awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }' ||
    fail "systemd-analyze security scores kite.service $score, worse than $max (README.md, Install)"
  ok "every line parsed; exposure $score (at most $max)"
}
