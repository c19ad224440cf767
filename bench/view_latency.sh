#!/bin/sh
# Latency from the sender's ingest socket to `picortc view`'s output on
# loopback (p50/p99 over >= 1000 frames) and view's CPU per 2 Mbit/s.
# Usage: bench/view_latency.sh [BUILD_DIR] [FRAMES]
set -eu
build=${1:-build/release}
frames=${2:-1200}
cmake --build "$build" --target picortc view_latency_bench >/dev/null
clip="$build/tests/clips/bench_720p30_2mbit.h264"
if [ ! -f "$clip" ]; then
  mkdir -p "$(dirname "$clip")"
  ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v 300 \
    -c:v libx264 -profile:v baseline -preset veryfast -tune zerolatency -g 30 \
    -b:v 2M -maxrate 2M -bufsize 1M -pix_fmt yuv420p -f h264 "$clip"
fi
exec "$build/tests/unit/viewer/view_latency_bench" "$build/apps/picortc/picortc" "$clip" "$frames" 30
