#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each, starting
# from the checked-in corpus (test/fuzz/corpus/<target>/, regression inputs
# included) and failing on any crash, leak or sanitizer report.
set -euo pipefail
build=${1:?build dir}; seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
targets=("$build"/test/fuzz/fuzz_*)
if ((${#targets[@]} == 0)); then echo "fuzz: no targets built"; exit 1; fi
for t in "${targets[@]}"; do
  name=$(basename "$t")
  corpus="$here/corpus/$name"
  work=$(mktemp -d)
  mkdir -p "$corpus"
  echo "fuzz: $name for ${seconds}s (corpus $(ls "$corpus" | wc -l) inputs)"
  # Regression inputs first: every checked-in input must pass as is.
  if compgen -G "$corpus/*" >/dev/null; then "$t" -runs=0 "$corpus" >/dev/null 2>&1 || { "$t" -runs=0 "$corpus"; exit 1; }; fi
  "$t" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$work/" "$work" "$corpus" 2>&1 | tail -n 12
  rm -rf "$work"
done
