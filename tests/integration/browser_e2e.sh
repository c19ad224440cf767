#!/usr/bin/env bash
# Browser end to end (issue 4): `picortc serve` with one stream fed by
# `picortc feed` from an ffmpeg clip; two headless Chromium pages open the
# viewer page at / at once and must both decode frames at the clip's size,
# with framesDecoded still growing (no freeze). Prints the time from page
# load to the first decoded frame. serve answers Chromium's actpass offer
# passive, so it is the DTLS server and picks the SRTP profile: both pages
# must report SRTP AEAD_AES_128_GCM (and, where Chromium says, DTLS role
# client), neither page may log a console error, and Chromium must have sent
# REMB (its bandwidth estimate, for bitrate adaptation). Exit 77 (skipped) when
# Chromium or playwright-core is missing; `make test` installs both.
#   browser_e2e.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source_dir=$2
picortc="$build/apps/picortc/picortc"
harness="$source_dir/tests/browser/harness.mjs"
[ -x /usr/bin/chromium ] && [ -d "$source_dir/tests/browser/node_modules/playwright-core" ] || {
  echo "SKIP: chromium or playwright-core missing (scripts/install-browser-deps.sh)"; exit 77; }

work=$(mktemp -d /tmp/picortc-browser-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

width=640 height=360
clip="$work/clip.h264"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=${width}x${height}:rate=30" -frames:v 150 \
  -c:v libx264 -profile:v baseline -preset veryfast -g 30 -pix_fmt yuv420p -f h264 "$clip"

# A port the kernel says is free now; serve prints the URL it listens on.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# PICORTC_TEST_EMULATOR: qemu for cross builds (cmake/PicortcHelpers.cmake).
${PICORTC_TEST_EMULATOR:-} "$picortc" serve --stream "cam=$work/cam.sock" --http "127.0.0.1:$port" --ice-server none >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
${PICORTC_TEST_EMULATOR:-} "$picortc" feed "$clip" --socket "$work/cam.sock" --loop --duration 120 2>"$work/feed.err" &
pids+=($!)

url=""
for _ in $(seq 1 100); do
  url=$(grep -o "http://[0-9.:]*/?stream=cam" "$work/serve.out" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "serve did not start:"; cat "$work/serve.err"; exit 1; }
echo "serving at $url"

status=0
result=$(node "$harness" --url "$url" --pages 2 --min-frames 300 --timeout 60) || status=$?
echo "$result"
[ "$status" = 77 ] && exit 77
if [ "$status" != 0 ]; then
  echo "--- serve stderr"; tail -n 40 "$work/serve.err"
  exit 1
fi
# Both pages at the clip's resolution (the harness already checked that
# framesDecoded grows on each), over AES-GCM SRTP, without console errors.
node -e '
  const r = JSON.parse(process.argv[1]);
  const [w, h] = [Number(process.argv[2]), Number(process.argv[3])];
  let ok = r.ok && r.pages.length === 2;
  const fail = (page, why) => { console.log(`FAIL page ${page}: ${why}`); ok = false; };
  // Chromium 156 names the profile as BoringSSL does, "SRTP_AEAD_AES_128_GCM";
  // webrtc-stats examples use the RFC 7714 name without the prefix.
  const isAesGcm = (cipher) => String(cipher).replace(/^SRTP_/, "") === "AEAD_AES_128_GCM";
  for (const p of r.pages) {
    console.log(`page ${p.page}: ${p.width}x${p.height}, ${p.framesDecoded} frames decoded, ` +
                `first frame ${p.timeToFirstFrameMs} ms after page load, growth ${p.framesDecodedGrowth}; ` +
                `SRTP ${p.srtpCipher || "(not reported)"}, DTLS role ${p.dtlsRole || "(not reported)"}, ` +
                `TLS version ${p.tlsVersion || "(not reported)"}, ${p.consoleErrors.length} console errors`);
    if (!p.ok) fail(p.page, "did not decode frames that keep coming");
    if (p.width !== w || p.height !== h) fail(p.page, `decoded ${p.width}x${p.height}, the clip is ${w}x${h}`);
    if (!(p.framesDecodedGrowth > 0)) fail(p.page, "framesDecoded stopped growing");
    if (!isAesGcm(p.srtpCipher)) fail(p.page, `SRTP cipher "${p.srtpCipher}", expected AEAD_AES_128_GCM`);
    // Chromium reports the role it played; serve is the DTLS server.
    if (p.dtlsRole && p.dtlsRole !== "client") fail(p.page, `DTLS role "${p.dtlsRole}", expected client`);
    if (p.consoleErrors.length !== 0) fail(p.page, `console errors: ${JSON.stringify(p.consoleErrors)}`);
  }
  process.exit(ok ? 0 : 1);
' "$result" "$width" "$height"
# serve's answer offers goog-remb and no transport-cc, so Chromium must
# report its receive-side estimate in REMB: what bitrate adaptation needs
# from a browser viewer (docs/serve.md). Counted in /metrics, ended
# sessions included. Chromium's first REMB comes 1-4 s after the first
# frame (seen here), hence pages that decode 300 frames (10 s) above.
rembs=$(curl -sf "http://127.0.0.1:$port/metrics" | sed -n 's/^picortc_rembs_received_total{stream="cam"} //p')
echo "REMBs received from the pages: ${rembs:-none}"
[ "${rembs:-0}" -gt 0 ] || { echo "FAIL: Chromium sent no REMB"; exit 1; }
