#!/usr/bin/env bash
# Runs every benchmark binary of a build and prints its numbers.
#   scripts/bench.sh [BUILD_DIR]   (FANOUT_SECONDS: seconds per fan-out step, default 15)
set -euo pipefail
build=${1:-build/ci}
found=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  found=1
  echo "== $(basename "$b")"
  case "$(basename "$b")" in
    # Not a Google Benchmark: runs serve, feed and N receivers itself.
    bench_serve_fanout) "$b" "$build" "${FANOUT_SECONDS:-15}" ;;
    *) "$b" --benchmark_min_time=0.5 ;;
  esac
done
[ "$found" = 1 ] || { echo "no benchmarks built in $build/bench"; exit 1; }
