#!/usr/bin/env bash
# The one test command (README): installs dependencies from Debian's
# packages, builds, and runs every stage. Run as root on Debian 12.
#
#   test/run.sh                  everything: unit, fuzz, package, lab
#   KITE_STAGES="unit" test/run.sh       only some stages (unit fuzz package lab)
#   KITE_FUZZ_SECONDS=10 test/run.sh     shorter fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
stages=${KITE_STAGES:-"unit fuzz package lab"}
jobs=${KITE_JOBS:-$(nproc)}
start=$(date +%s)

banner() { printf '\n==== %s (%ss)\n' "$*" "$(($(date +%s) - start))"; }

banner "dependencies"
test/deps.sh

if [[ " $stages " == *" unit "* || " $stages " == *" lab "* ]]; then
  banner "build (gcc, Release, -Werror)"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKITE_WERROR=ON >/dev/null
  cmake --build build -j "$jobs"
fi

if [[ " $stages " == *" unit "* ]]; then
  banner "unit tests"
  ctest --test-dir build --output-on-failure -j "$jobs"
fi

if [[ " $stages " == *" fuzz "* ]]; then
  banner "build (clang, ASan+UBSan, libFuzzer) and unit tests under sanitizers"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DKITE_SANITIZE=ON -DKITE_FUZZ=ON -DKITE_WERROR=ON >/dev/null
  cmake --build build-fuzz -j "$jobs"
  ctest --test-dir build-fuzz --output-on-failure -j "$jobs"
  banner "fuzzing"
  test/fuzz/run.sh build-fuzz "${KITE_FUZZ_SECONDS:-60}"
fi

# Before the lab: its package-binaries scenario runs the .deb's kited.
if [[ " $stages " == *" package "* ]]; then
  banner "package: build the .deb, lintian, install into a clean Debian 12 root (test/package)"
  test/package/install-test.sh
fi

if [[ " $stages " == *" lab "* ]]; then
  banner "kernel lab"
  test/lab/run.sh "$root/build"
fi

banner "all stages passed: $stages"
