#!/usr/bin/env bash
# Issue 5 end to end: what `make run` starts (scripts/run.sh: picortc-capture
# with the live test pattern into picortc serve) is watched by headless
# Chromium through the viewer page, which must decode frames of the test
# pattern's size, over AES-GCM SRTP and without console errors. Exit 77
# (skipped) without Chromium or playwright-core.
#   make_run_browser.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source_dir=$2
harness="$source_dir/tests/browser/harness.mjs"
[ -x /usr/bin/chromium ] && [ -d "$source_dir/tests/browser/node_modules/playwright-core" ] || {
  echo "SKIP: chromium or playwright-core missing (scripts/install-browser-deps.sh)"; exit 77; }

work=$(mktemp -d /tmp/picortc-makerun-XXXXXX)
run_pid=""
cleanup() {
  if [ -n "$run_pid" ]; then kill -TERM "$run_pid" 2>/dev/null || true; wait "$run_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PORT=$port SOCKET="$work/cam.sock" SIZE=640x480 RUN_SECONDS=120 \
  bash "$source_dir/scripts/run.sh" "$build" >"$work/run.out" 2>&1 &
run_pid=$!

url=""
for _ in $(seq 1 100); do
  url=$(grep -o "http://127.0.0.1:$port/?stream=cam" "$work/run.out" | head -n 1 || true)
  [ -n "$url" ] && break
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { echo "make run did not print its URL:"; cat "$work/run.out"; exit 1; }
echo "make run serves at $url"

status=0
result=$(node "$harness" --url "$url" --pages 1 --min-frames 30 --timeout 45) || status=$?
echo "$result"
[ "$status" = 77 ] && exit 77
[ "$status" = 0 ] || { echo "--- make run output"; tail -n 40 "$work/run.out"; exit 1; }
node -e '
  const r = JSON.parse(process.argv[1]);
  const p = r.pages[0];
  console.log(`test pattern: ${p.width}x${p.height}, ${p.framesDecoded} frames decoded, ` +
              `first frame ${p.timeToFirstFrameMs} ms after page load; SRTP ${p.srtpCipher || "(not reported)"}, ` +
              `DTLS role ${p.dtlsRole || "(not reported)"}, ${p.consoleErrors.length} console errors`);
  let ok = r.ok && p.width === 640 && p.height === 480 && p.framesDecodedGrowth > 0;
  // Chromium 156 says "SRTP_AEAD_AES_128_GCM" (the BoringSSL name), RFC 7714 has no prefix.
  if (String(p.srtpCipher).replace(/^SRTP_/, "") !== "AEAD_AES_128_GCM") { console.log(`FAIL: SRTP cipher "${p.srtpCipher}"`); ok = false; }
  if (p.dtlsRole && p.dtlsRole !== "client") { console.log(`FAIL: DTLS role "${p.dtlsRole}"`); ok = false; }
  if (p.consoleErrors.length !== 0) { console.log(`FAIL: console errors ${JSON.stringify(p.consoleErrors)}`); ok = false; }
  process.exit(ok ? 0 : 1);
' "$result"
