#!/usr/bin/env bash
# Prepares cross-building for 32-bit ARM (Debian armhf, Cortex-A7 class):
#   - the cross compiler (crossbuild-essential-armhf) and qemu-user-static,
#     installed with apt only when missing;
#   - a sysroot of the armhf libraries picortc links with, in
#     build/sysroot-armhf/ (or $1): the armhf .deb files are downloaded with
#     `apt-get download` and unpacked with `dpkg -x`.
# Installing our -dev packages as armhf with dpkg/apt does not work here (the
# armhf and amd64 versions in the archive differ, see FACTS.md), hence the
# unpacked folder. libc, libstdc++ and libgcc come from the cross toolchain
# (/usr/arm-linux-gnueabihf), so they are not in the sysroot.
# Idempotent: a sysroot whose stamp lists the same packages is left alone.
#   scripts/armhf-sysroot.sh [SYSROOT_DIR]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sysroot="${1:-${repo_root}/build/sysroot-armhf}"

# Run-time libraries and their -dev packages. The closure was worked out with
# `apt-cache depends --recurse pkg:armhf` minus what the cross toolchain has
# (libc6, libstdc++6, libgcc-s1, libcrypt, libnsl, libtirpc, linux-libc-dev).
#   libsrtp2-1 (Debian builds it on NSS): libnss3, libnspr4, libsqlite3-0.
#   libcpp-httplib0.11 (a shared library in Debian): zlib, brotli, OpenSSL.
#   nlohmann-json3-dev and libcli11-dev are header-only (Architecture: all);
#   unpacked here too so that a cross build never looks into the host's /usr.
packages=(
  libssl3 libssl-dev
  libsrtp2-1 libsrtp2-dev
  libnss3 libnss3-dev libnspr4 libnspr4-dev libsqlite3-0
  libmosquitto1 libmosquitto-dev
  libx264-164 libx264-dev
  libjpeg62-turbo libjpeg62-turbo-dev
  libcpp-httplib0.11 libcpp-httplib-dev
  zlib1g zlib1g-dev libbrotli1 libbrotli-dev
  libgtest-dev libgmock-dev
  libbenchmark1debian libbenchmark-dev
  nlohmann-json3-dev libcli11-dev
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# 1. Tools.
missing=()
for p in crossbuild-essential-armhf qemu-user-static; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "armhf-sysroot: installing ${missing[*]}"
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The sysroot.
stamp="${sysroot}/.picortc-sysroot"
want_stamp="$(printf '%s\n' "${packages[@]}")"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "armhf-sysroot: ${sysroot} is up to date (${#packages[@]} packages)"
  exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx armhf; then
  echo "armhf-sysroot: adding the armhf architecture to dpkg"
  $SUDO dpkg --add-architecture armhf
fi
if ! apt-cache show libssl3:armhf >/dev/null 2>&1; then
  # Some mirrors lack an index for one suite; what was fetched is enough.
  $SUDO apt-get update -qq || true
fi

debs="${sysroot}.debs"
rm -rf "$sysroot" "$debs"
mkdir -p "$sysroot" "$debs"
echo "armhf-sysroot: downloading ${#packages[@]} armhf packages"
(
  cd "$debs"
  specs=()
  for p in "${packages[@]}"; do
    # Architecture: all packages (the header-only ones) take no :armhf suffix.
    arch="$(apt-cache show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Architecture: //p' | head -n1)"
    if [ "$arch" = "all" ]; then specs+=("$p"); else specs+=("$p:armhf"); fi
  done
  # apt-get download runs as the _apt user when root; let it write here.
  chmod 0777 .
  apt-get download -qq "${specs[@]}"
)
for deb in "$debs"/*.deb; do
  dpkg -x "$deb" "$sysroot"
done
rm -rf "$debs"

# Absolute symbolic links (e.g. libfoo.so -> /lib/arm-linux-gnueabihf/...)
# would point into the host: re-point them inside the sysroot.
while IFS= read -r -d '' link; do
  target="$(readlink "$link")"
  case "$target" in
    /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "${sysroot}${target}")" "$link" ;;
  esac
done < <(find "$sysroot" -type l -print0)

printf '%s\n' "${packages[@]}" > "$stamp"
echo "armhf-sysroot: ${sysroot} ready"
