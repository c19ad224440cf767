#!/usr/bin/env bash
# Runs every benchmark binary of a build and prints its numbers.
set -euo pipefail
build=${1:-build/ci}
found=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  found=1
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.5
done
[ "$found" = 1 ] || { echo "no benchmarks built in $build/bench"; exit 1; }
