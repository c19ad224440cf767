#!/usr/bin/env bash
# Installs picortc's build and test dependencies from Debian packages.
# Idempotent: packages already installed are skipped, and apt is not touched
# at all when nothing is missing.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh build    only what the build needs
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config
  libssl-dev libsrtp2-dev libmosquitto-dev libx264-dev libjpeg-dev
  libcpp-httplib-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  ffmpeg clang libclang-rt-14-dev
  coturn mosquitto mosquitto-clients python3-aiortc
  iproute2 iptables
)

want=("${build_pkgs[@]}")
if [ "${1:-all}" != "build" ]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# coturn and mosquitto are started by the tests themselves, never as services.
for svc in coturn mosquitto; do
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
done
echo "install-deps: done"
