# Cross-build for the Luckfox Pico boards (Rockchip RV1106/RV1103, Cortex-A7)
# with the compiler of the Luckfox Pico SDK: arm-rockchip830-linux-uclibcgnueabihf
# (GCC 8.3, uClibc-ng). NOT TESTED in CI: the SDK is not available there. What
# this file assumes is listed here and in docs/toolchain.md.
#
#   cmake -S . -B build/rv1106 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/luckfox-rv1106.cmake \
#     -DLUCKFOX_SDK_PATH=$HOME/luckfox-pico \
#     -DLUCKFOX_STAGING_DIR=<prefix with the target's OpenSSL 3, libsrtp2 ...> \
#     -DPICORTC_TESTS=OFF -DPICORTC_BENCH=OFF -DCMAKE_BUILD_TYPE=Release
#
# Assumed:
#  - LUCKFOX_SDK_PATH (cache variable or environment) is a checkout of the
#    Luckfox Pico SDK (github.com/LuckfoxTECH/luckfox-pico); the compiler is
#    <SDK>/tools/linux/toolchain/arm-rockchip830-linux-uclibcgnueabihf/bin/
#    arm-rockchip830-linux-uclibcgnueabihf-{gcc,g++}, and its own sysroot (uClibc-ng,
#    libstdc++, kernel headers) is .../arm-rockchip830-linux-uclibcgnueabihf/sysroot.
#    LUCKFOX_TOOLCHAIN_DIR overrides the toolchain folder.
#  - The toolchain sysroot has no OpenSSL, libsrtp2, x264, libjpeg, GTest.
#    LUCKFOX_STAGING_DIR (cache variable or environment, optional) is a prefix
#    tree holding them built for uClibc with this compiler, in usr/include and
#    usr/lib (or include and lib) with pkg-config files in usr/lib/pkgconfig:
#    typically Buildroot's output/staging of the SDK's own Buildroot build with
#    BR2_PACKAGE_OPENSSL, BR2_PACKAGE_LIBSRTP (and BR2_PACKAGE_X264,
#    BR2_PACKAGE_JPEG for picortc-capture with the software encoder).
#  - Header-only dependencies (nlohmann-json, CLI11) are also looked up in the
#    staging tree; they are plain headers, so copying them there is enough.
#  - Glibc-isms: picortc uses epoll, eventfd, signalfd, accept4, getifaddrs,
#    getrandom and MSG_NOSIGNAL, all of which uClibc-ng provides when built
#    with its default Linux-specific options.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)

list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES LUCKFOX_SDK_PATH LUCKFOX_TOOLCHAIN_DIR LUCKFOX_STAGING_DIR)
foreach(var LUCKFOX_SDK_PATH LUCKFOX_TOOLCHAIN_DIR LUCKFOX_STAGING_DIR)
  if(NOT ${var} AND DEFINED ENV{${var}})
    set(${var} "$ENV{${var}}")
  endif()
endforeach()

set(LUCKFOX_TRIPLE arm-rockchip830-linux-uclibcgnueabihf)
if(NOT LUCKFOX_TOOLCHAIN_DIR)
  if(NOT LUCKFOX_SDK_PATH)
    message(FATAL_ERROR "luckfox-rv1106.cmake: set LUCKFOX_SDK_PATH (cache variable or environment) "
                        "to the Luckfox Pico SDK checkout, or LUCKFOX_TOOLCHAIN_DIR to the toolchain folder")
  endif()
  set(LUCKFOX_TOOLCHAIN_DIR "${LUCKFOX_SDK_PATH}/tools/linux/toolchain/${LUCKFOX_TRIPLE}")
endif()
set(LUCKFOX_SDK_PATH "${LUCKFOX_SDK_PATH}" CACHE PATH "Luckfox Pico SDK checkout")
set(LUCKFOX_TOOLCHAIN_DIR "${LUCKFOX_TOOLCHAIN_DIR}" CACHE PATH "arm-rockchip830-linux-uclibcgnueabihf toolchain folder")
set(LUCKFOX_STAGING_DIR "${LUCKFOX_STAGING_DIR}" CACHE PATH "Target libraries (OpenSSL 3, libsrtp2 ...) built for uClibc")

if(NOT EXISTS "${LUCKFOX_TOOLCHAIN_DIR}/bin/${LUCKFOX_TRIPLE}-g++")
  message(FATAL_ERROR "luckfox-rv1106.cmake: no ${LUCKFOX_TRIPLE}-g++ in ${LUCKFOX_TOOLCHAIN_DIR}/bin")
endif()
set(CMAKE_C_COMPILER "${LUCKFOX_TOOLCHAIN_DIR}/bin/${LUCKFOX_TRIPLE}-gcc")
set(CMAKE_CXX_COMPILER "${LUCKFOX_TOOLCHAIN_DIR}/bin/${LUCKFOX_TRIPLE}-g++")

# The compiler's built-in sysroot (libc, libstdc++, kernel headers).
set(luckfox_sysroot "${LUCKFOX_TOOLCHAIN_DIR}/${LUCKFOX_TRIPLE}/sysroot")
if(EXISTS "${luckfox_sysroot}")
  set(CMAKE_SYSROOT "${luckfox_sysroot}")
endif()

# RV1106: one Cortex-A7 with VFPv4 and NEON, hard-float ABI (as the SDK builds).
set(cpu_flags "-mcpu=cortex-a7 -mfpu=neon-vfpv4 -mfloat-abi=hard")
set(CMAKE_C_FLAGS_INIT "${cpu_flags}")
set(CMAKE_CXX_FLAGS_INIT "${cpu_flags}")

set(CMAKE_FIND_ROOT_PATH "${luckfox_sysroot}")
if(LUCKFOX_STAGING_DIR)
  list(APPEND CMAKE_FIND_ROOT_PATH "${LUCKFOX_STAGING_DIR}")
  # Staging headers are not under the compiler's sysroot: add them (after the
  # compiler's own, so libc headers are never shadowed), and let the linker
  # resolve the shared libraries' dependencies there.
  foreach(dir "${LUCKFOX_STAGING_DIR}/usr/include" "${LUCKFOX_STAGING_DIR}/include")
    if(EXISTS "${dir}")
      string(APPEND CMAKE_C_FLAGS_INIT " -idirafter ${dir}")
      string(APPEND CMAKE_CXX_FLAGS_INIT " -idirafter ${dir}")
    endif()
  endforeach()
  set(link_flags "")
  foreach(dir "${LUCKFOX_STAGING_DIR}/usr/lib" "${LUCKFOX_STAGING_DIR}/lib")
    if(EXISTS "${dir}")
      string(APPEND link_flags " -L${dir} -Wl,-rpath-link,${dir}")
    endif()
  endforeach()
  set(CMAKE_EXE_LINKER_FLAGS_INIT "${link_flags}")
  set(CMAKE_SHARED_LINKER_FLAGS_INIT "${link_flags}")
  set(ENV{PKG_CONFIG_PATH} "")
  set(ENV{PKG_CONFIG_LIBDIR} "${LUCKFOX_STAGING_DIR}/usr/lib/pkgconfig:${LUCKFOX_STAGING_DIR}/usr/share/pkgconfig:${LUCKFOX_STAGING_DIR}/lib/pkgconfig")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} "${LUCKFOX_STAGING_DIR}")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Optional: tests under qemu-user with uClibc's loader from the toolchain
# sysroot (untested; on the board itself, run the test binaries directly).
find_program(PICORTC_QEMU_ARM NAMES qemu-arm-static qemu-arm)
if(PICORTC_QEMU_ARM AND EXISTS "${luckfox_sysroot}")
  set(guest_library_path "${luckfox_sysroot}/lib:${luckfox_sysroot}/usr/lib")
  if(LUCKFOX_STAGING_DIR)
    string(APPEND guest_library_path ":${LUCKFOX_STAGING_DIR}/usr/lib")
  endif()
  set(CMAKE_CROSSCOMPILING_EMULATOR
      "${PICORTC_QEMU_ARM};-L;${luckfox_sysroot};-E;LD_LIBRARY_PATH=${guest_library_path}")
endif()
