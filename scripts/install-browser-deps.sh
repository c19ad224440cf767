#!/usr/bin/env bash
# Installs what the browser tests (tests/browser/) need: Debian's `chromium`
# (apt) and `playwright-core` (npm, into tests/browser/node_modules, at the
# version pinned by tests/browser/package-lock.json). Only playwright-core:
# the tests start /usr/bin/chromium themselves and attach over CDP, so no
# browser download happens (see ../shared FACTS "Chromium").
# Idempotent: does nothing when both are present.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
browser_dir="$root/tests/browser"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_missing=()
for p in chromium nodejs npm; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    apt_missing+=("$p")
  fi
done
# npm from NodeSource ships inside the nodejs package: do not ask apt for it.
if command -v npm >/dev/null 2>&1; then
  apt_missing=("${apt_missing[@]/npm/}")
fi
if command -v node >/dev/null 2>&1; then
  apt_missing=("${apt_missing[@]/nodejs/}")
fi
want=()
for p in "${apt_missing[@]}"; do
  if [ -n "$p" ]; then want+=("$p"); fi
done

if [ "${#want[@]}" -gt 0 ]; then
  echo "install-browser-deps: installing ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
else
  echo "install-browser-deps: chromium and node present"
fi

if [ -f "$browser_dir/node_modules/playwright-core/package.json" ]; then
  echo "install-browser-deps: playwright-core present"
else
  echo "install-browser-deps: installing playwright-core into tests/browser/node_modules"
  # The playwright-core package needs no post-install browser download.
  (cd "$browser_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi
echo "install-browser-deps: done"
