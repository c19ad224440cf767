#!/usr/bin/env bash
# `make run`: the main job on a built-in default. Starts `picortc serve` with
# one stream named `cam` on port 8080 and `picortc-capture` writing the live
# test pattern (or a camera) into its ingest socket, prints the URL to open,
# and runs until Ctrl-C (or RUN_SECONDS, if set).
#
#   CAMERA=/dev/video0 make run      use a V4L2 camera instead of the test pattern
#   PORT=9000 SIZE=1280x720 FPS=30 BITRATE=2000 make run
set -euo pipefail
build=${1:-build/ci}
picortc="$build/apps/picortc/picortc"
capture="$build/apps/picortc-capture/picortc-capture"
socket=${SOCKET:-/tmp/picortc-cam.sock}
port=${PORT:-8080}
size=${SIZE:-1280x720}
fps=${FPS:-30}
bitrate=${BITRATE:-2000}
source=testpattern
if [ -n "${CAMERA:-}" ]; then source="v4l2:$CAMERA"; fi

for binary in "$picortc" "$capture"; do
  [ -x "$binary" ] || { echo "make run: $binary is not built" >&2; exit 1; }
done

pids=()
sleeper=""
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}" $sleeper; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

# PICORTC_TEST_EMULATOR: qemu when the tests run a cross build (empty otherwise).
${PICORTC_TEST_EMULATOR:-} "$picortc" serve --stream "cam=$socket" --http "0.0.0.0:$port" &
pids+=($!)
${PICORTC_TEST_EMULATOR:-} "$capture" --source "$source" --size "$size" --fps "$fps" --bitrate "$bitrate" --socket "$socket" &
pids+=($!)

sleep 1
for pid in "${pids[@]}"; do
  kill -0 "$pid" 2>/dev/null || { echo "make run: a process exited at start (see above)" >&2; exit 1; }
done
echo
echo "  picortc is serving '$source' as stream 'cam'."
echo "  Open  http://127.0.0.1:$port/?stream=cam   (or this machine's address from another device)"
echo "  WHEP  http://127.0.0.1:$port/whep/cam     Metrics http://127.0.0.1:$port/metrics"
echo "  Ctrl-C stops."
echo
if [ -n "${RUN_SECONDS:-}" ]; then
  # In the background: a signal interrupts `wait` at once (not a foreground sleep).
  sleep "$RUN_SECONDS" &
  sleeper=$!
  wait "$sleeper" || true
else
  wait -n "${pids[@]}" || true
fi
