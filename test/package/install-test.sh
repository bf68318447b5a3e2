#!/usr/bin/env bash
# The package stage of test/run.sh (SPEC.md §5): builds kite's .deb, runs
# lintian, installs the package into a clean Debian 12 root with apt (its
# dependencies from the Debian mirror this machine uses) and checks there
# what a user gets: files, conffile, group, `kitectl check` of the shipped
# config, `kited --version`, bash completion; starts the installed kited
# the way kite.service does (service-check.sh); then reinstall with a
# changed conffile, remove and purge. Run as root on Debian 12.
#
#   test/package/install-test.sh
#
#   KITE_PKG_CACHE=/var/cache/kite-test  where the debootstrapped root (made
#                                        once, ~2 min) and apt's downloads stay
#   KITE_PKG_SKIP_BUILD=1                test the .debs already in build-deb/
#   KITE_PKG_KEEP=1                      keep the test root (path printed) until
#                                        the next run
#   KITE_DEB_FROM=head                   package the committed tree
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/test/package
out=$root/build-deb
cache=${KITE_PKG_CACHE:-/var/cache/kite-test}
base=$cache/bookworm-root
start=$(date +%s)

# shellcheck source=lib.sh
source "$here/lib.sh"

[[ $(id -u) == 0 ]] || fail "run as root (debootstrap, chroot)"
for tool in dpkg-buildpackage lintian debootstrap chroot; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run test/deps.sh"
done

# --- build -----------------------------------------------------------------
if [[ ${KITE_PKG_SKIP_BUILD:-0} == 1 ]]; then
  step "using the packages in $out"
else
  step "build the package (packaging/build-deb.sh)"
  packaging/build-deb.sh --from "${KITE_DEB_FROM:-worktree}" "$out" ||
    fail "the package did not build (see above)"
fi
version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
arch=$(dpkg --print-architecture)
deb=$out/kite_${version}_${arch}.deb
dbgsym=$out/kite-dbgsym_${version}_${arch}.deb
changes=$out/kite_${version}_${arch}.changes
[[ -f $deb ]] || fail "no $deb"
[[ -f $dbgsym ]] || fail "no $dbgsym (debhelper makes it from the stripped debug info)"
ok "$(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), $(basename "$dbgsym")"

# --- lintian ---------------------------------------------------------------
step "lintian (errors and warnings fail; overrides in packaging/debian/kite.lintian-overrides)"
lintian_log=$out/lintian.log
# As nobody: lintian advises against running as root. Overridden tags are
# shown (O:) with their justification (N:), and only E: and W: fail
# (--fail-on would count the overridden ones too when they are shown).
HOME=/tmp setpriv --reuid=nobody --regid=nogroup --clear-groups \
  lintian --fail-on none --display-info --show-overrides "$changes" >"$lintian_log" 2>&1 ||
  fail "lintian did not run: $(cat "$lintian_log")"
sed 's/^/  /' "$lintian_log"
! grep -q '^[EW]:' "$lintian_log" || fail "lintian found errors or warnings: $lintian_log"
ok "lintian: $(grep -c '^E:' "$lintian_log" || true) errors, $(grep -c '^W:' "$lintian_log" || true) warnings," \
  "$(grep -c '^I:' "$lintian_log" || true) info, $(grep -c '^O:' "$lintian_log" || true) overridden"

# --- a clean Debian 12 root --------------------------------------------------
step "a clean Debian 12 root"
remove_stale_roots "$cache"
prepare_base "$base"
run_root=$cache/run.$$
fresh_root "$base" "$run_root"
ok "fresh copy of $base in $run_root"

# --- install -----------------------------------------------------------------
step "apt-get install ./$(basename "$deb") (dependencies from the mirror)"
cp "$deb" "$run_root/tmp/"
in_root sh -c "cd /tmp && apt-get install -y -q --no-install-recommends ./$(basename "$deb")" \
  >"$out/install.log" 2>&1 || { tail -n 30 "$out/install.log"; fail "apt-get install failed ($out/install.log)"; }
# shellcheck disable=SC2016 # dpkg-query's format
ok "installed: $(in_root dpkg-query -W -f='${Package} ${Version} ${Status}' kite)"

# shellcheck source=checks.sh
source "$here/checks.sh"
check_installed
check_completion
check_unit

# --- the installed kited under kite.service's restrictions --------------------
"$here/service-check.sh" "$run_root" ||
  fail "the installed kited did not run as kite.service would run it (see above)"

check_conffile_kept_on_reinstall "$(basename "$deb")"
check_remove_and_purge "$(basename "$deb")"

cleanup_root
step "package stage passed in $(($(date +%s) - start))s"
