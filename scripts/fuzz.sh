#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a while, starting from the
# committed seed corpus (fuzz/corpus/<name>/). New inputs go to a scratch
# corpus under the build dir; a crash leaves its input there and fails the run.
#   scripts/fuzz.sh build/fuzz 60      60 seconds per target
set -euo pipefail
build=${1:-build/fuzz}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
failed=0
found=0
for target in "$build"/fuzz/*/fuzz_*; do
  [ -x "$target" ] || continue
  found=1
  name=$(basename "$target"); name=${name#fuzz_}
  scratch="$build/fuzz-corpus/$name"
  artifacts="$build/fuzz-artifacts/$name/"
  mkdir -p "$scratch" "$artifacts"
  echo "== $name: ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts" "$scratch" "$root/fuzz/corpus/$name" 2>"$build/fuzz-$name.log"; then
    echo "!! $name failed; see $build/fuzz-$name.log and $artifacts"
    failed=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz-$name.log" || true
done
[ "$found" = 1 ] || { echo "no fuzz targets in $build/fuzz"; exit 1; }
exit $failed
