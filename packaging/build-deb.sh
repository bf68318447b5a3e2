#!/usr/bin/env bash
# Builds kite's Debian package: kite_<version>_<arch>.deb and its -dbgsym.
#
#   packaging/build-deb.sh [--from worktree|head] [--check] [OUTDIR]
#
# Debian tools want debian/ at the top of the source, so this stages a copy
# of the source in OUTDIR/.stage/kite-<version> with packaging/debian as
# debian/ and runs `dpkg-buildpackage -b -us -uc` there. The packages,
# .buildinfo and .changes land in OUTDIR (default: build-deb/ in the
# repository), the build log in OUTDIR/build.log.
#
#   --from worktree  (default) the files git tracks or would track (not
#                    ignored), as they are in the working tree: what you
#                    are editing, without build directories
#   --from head      the committed tree (git archive HEAD): a release build
#   --check          build and run the unit tests (dh_auto_test); by default
#                    DEB_BUILD_OPTIONS=nocheck, since test/run.sh runs them
#
# KITE_JOBS sets the build's parallelism (default 2: shared cores). With
# ccache installed, unchanged sources are not compiled again (OUTDIR/.ccache).
# Needs the Build-Depends of packaging/debian/control: run as root, it
# installs the missing ones with apt-get build-dep.
set -euo pipefail

from=worktree
check=0
out=
while (($#)); do
  case $1 in
    --from) from=${2:?--from needs worktree or head}; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    --check) check=1; shift ;;
    -h | --help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "build-deb: unknown option $1" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
[[ $from == worktree || $from == head ]] || { echo "build-deb: --from worktree|head" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${out:-$root/build-deb}" && cd "${out:-$root/build-deb}" && pwd)
jobs=${KITE_JOBS:-2}

die() { echo "build-deb: $*" >&2; exit 1; }

# Run as root on Debian, a missing tool or Build-Depends is installed
# with apt; otherwise the build stops and says what is missing.
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
  ((EUID == 0)) || die "dpkg-dev and debhelper are missing: apt-get install dpkg-dev debhelper"
  echo "build-deb: installing dpkg-dev debhelper fakeroot"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dpkg-dev debhelper fakeroot >/dev/null
fi

# One version: the CMake project's, which the changelog's top entry must carry.
version=$(sed -n 's/^project(kite VERSION \([0-9][0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[[ -n $version ]] || die "no 'project(kite VERSION x.y.z' in CMakeLists.txt"
deb_version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)
[[ ${deb_version%-*} == "$version" ]] ||
  die "CMakeLists.txt says $version but packaging/debian/changelog says $deb_version:" \
    "add a changelog entry 'kite ($version-1) unstable; urgency=medium'"

# A fixed staging path (OUTDIR/.stage), so that compiler command lines are
# the same from one build to the next and ccache can reuse its objects.
# Every build starts from an empty stage all the same.
stage=$out/.stage
exec 9>"$out/.lock"
flock -n 9 || { echo "build-deb: waiting for another build in $out" >&2; flock 9; }
rm -rf "$stage"
src=$stage/kite-$version
mkdir -p "$src"
keep_stage=0
cleanup() {
  if ((keep_stage)); then echo "build-deb: staged tree kept in $stage" >&2; else rm -rf "$stage"; fi
}
trap cleanup EXIT

echo "build-deb: staging the $from tree of $root in $src"
if [[ $from == head ]]; then
  git -C "$root" archive --format=tar HEAD | tar -x -C "$src"
elif git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  # Tracked and untracked-but-not-ignored files that exist (not deleted).
  git -C "$root" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -f $root/$f || -L $root/$f ]] && printf '%s\0' "$f"; done |
    tar -C "$root" --null -T - -cf - | tar -x -C "$src"
else
  tar -C "$root" --exclude='./build*' --exclude=./.git --exclude=./.lab -cf - . | tar -x -C "$src"
fi
# -L: the packaging refers to packaging/ files by path, but a symlink in
# packaging/debian would still point at the right file.
rm -rf "$src/debian"
cp -rL "$root/packaging/debian" "$src/debian"

# ccache (when installed; KITE_DEB_CCACHE=0 turns it off) makes a rebuild
# of unchanged sources take seconds: the compilers in /usr/lib/ccache come
# first in PATH, and the cache is OUTDIR/.ccache unless CCACHE_DIR says.
if [[ ${KITE_DEB_CCACHE:-1} != 0 && -d /usr/lib/ccache ]]; then
  export PATH=/usr/lib/ccache:$PATH CCACHE_DIR=${CCACHE_DIR:-$out/.ccache}
  ccache=on
else
  ccache=off
fi

options="parallel=$jobs"
profiles=()
if ((!check)); then
  options="nocheck $options"
  profiles=(-Pnocheck)
fi

if ! (cd "$src" && dpkg-checkbuilddeps "${profiles[@]}" 2>/dev/null); then
  ((EUID == 0)) || die "$(cd "$src" && dpkg-checkbuilddeps "${profiles[@]}" 2>&1 | sed 's/^dpkg-checkbuilddeps: error: //')"
  echo "build-deb: installing the Build-Depends (apt-get build-dep)"
  (cd "$src" && DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q --no-install-recommends \
    ${profiles:+-P nocheck} ./) >/dev/null || die "could not install the Build-Depends"
fi
echo "build-deb: dpkg-buildpackage -b -us -uc ${profiles[*]} (DEB_BUILD_OPTIONS='$options', ccache $ccache)"
start=$(date +%s)
log=$stage/build.log
if ! (cd "$src" && DEB_BUILD_OPTIONS=$options nice dpkg-buildpackage -b -us -uc "${profiles[@]}") \
  >"$log" 2>&1; then
  keep_stage=1
  # The compiler's and CMake's errors, then the end of the log.
  grep -E -m 40 'error:|Error|\*\*\*' "$log" >&2 || true
  echo "..." >&2
  tail -n 15 "$log" >&2
  die "dpkg-buildpackage failed after $(($(date +%s) - start))s; full log: $log"
fi

rm -f "$out"/kite_*.deb "$out"/kite-dbgsym_*.deb "$out"/kite_*.buildinfo "$out"/kite_*.changes
mv "$stage"/*.deb "$stage"/*.buildinfo "$stage"/*.changes "$out"/
cp "$log" "$out/build.log"
echo "build-deb: built in $(($(date +%s) - start))s:"
for f in "$out"/*.deb; do echo "  $f"; done
