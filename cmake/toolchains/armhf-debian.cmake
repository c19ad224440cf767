# Cross-build for 32-bit ARM (Cortex-A7, hard float, NEON) with Debian's
# arm-linux-gnueabihf GCC (crossbuild-essential-armhf), against the armhf
# libraries that scripts/armhf-sysroot.sh unpacks into build/sysroot-armhf.
# Tests run under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR), so `ctest` works
# on an x86_64 host. See docs/toolchain.md.
#
#   scripts/armhf-sysroot.sh
#   cmake --preset armhf && cmake --build --preset armhf && ctest --preset armhf
#
# PICORTC_ARMHF_SYSROOT (cache or environment) overrides the sysroot folder.
# Its path must not contain spaces (it is passed to qemu inside one string).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(PICORTC_CROSS_TRIPLE arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${PICORTC_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${PICORTC_CROSS_TRIPLE}-g++)

# The toolchain file is read again inside every try_compile project, where
# cache variables are not visible unless forwarded.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES PICORTC_ARMHF_SYSROOT)
if(NOT PICORTC_ARMHF_SYSROOT)
  if(DEFINED ENV{PICORTC_ARMHF_SYSROOT})
    set(PICORTC_ARMHF_SYSROOT "$ENV{PICORTC_ARMHF_SYSROOT}")
  else()
    get_filename_component(PICORTC_ARMHF_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../../build/sysroot-armhf" ABSOLUTE)
  endif()
endif()
set(PICORTC_ARMHF_SYSROOT "${PICORTC_ARMHF_SYSROOT}" CACHE PATH "armhf libraries unpacked by scripts/armhf-sysroot.sh")
if(NOT EXISTS "${PICORTC_ARMHF_SYSROOT}/usr/include/openssl/ssl.h")
  message(FATAL_ERROR "No armhf sysroot at ${PICORTC_ARMHF_SYSROOT}: run scripts/armhf-sysroot.sh first")
endif()
set(sysroot "${PICORTC_ARMHF_SYSROOT}")
set(multiarch_lib_dirs "${sysroot}/usr/lib/${PICORTC_CROSS_TRIPLE}" "${sysroot}/lib/${PICORTC_CROSS_TRIPLE}")

# RV1106 and most 32-bit boards of its class: Cortex-A7, VFPv4 + NEON, EABIhf.
set(cpu_flags "-mcpu=cortex-a7 -mfpu=neon-vfpv4 -mfloat-abi=hard")
set(CMAKE_C_FLAGS_INIT "${cpu_flags}")
set(CMAKE_CXX_FLAGS_INIT "${cpu_flags}")

# The sysroot is not a complete one (libc, libstdc++ and the kernel headers
# are the cross toolchain's, in /usr/arm-linux-gnueabihf), so it is not given
# as --sysroot: its headers are added as system include folders (it holds no
# libc header, so nothing of the toolchain's is shadowed) and the linker is
# told where the shared libraries' own dependencies are.
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES "${sysroot}/usr/include/${PICORTC_CROSS_TRIPLE}" "${sysroot}/usr/include")
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES "${sysroot}/usr/include/${PICORTC_CROSS_TRIPLE}" "${sysroot}/usr/include")
set(link_flags "")
foreach(dir IN LISTS multiarch_lib_dirs)
  string(APPEND link_flags " -Wl,-rpath-link,${dir}")
endforeach()
set(CMAKE_EXE_LINKER_FLAGS_INIT "${link_flags}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${link_flags}")

# find_package / find_library / find_path look only into the sysroot and the
# cross toolchain, never into the host's /usr (x86_64 libraries would link
# or, worse, their headers would silently describe another ABI). Programs
# (pkg-config, qemu) are the host's.
set(CMAKE_FIND_ROOT_PATH "${sysroot}" "/usr/${PICORTC_CROSS_TRIPLE}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config: only the sysroot's .pc files, with their -I/-L re-rooted.
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_LIBDIR} "${sysroot}/usr/lib/${PICORTC_CROSS_TRIPLE}/pkgconfig:${sysroot}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${sysroot}")

# ctest runs every test executable through qemu-user. -L gives the guest its
# dynamic loader and libc; LD_LIBRARY_PATH the sysroot's shared libraries
# (libsrtp2 pulls libnss3/libnspr4 at run time).
find_program(PICORTC_QEMU_ARM NAMES qemu-arm-static qemu-arm)
if(PICORTC_QEMU_ARM)
  string(REPLACE ";" ":" guest_library_path "${multiarch_lib_dirs}")
  set(CMAKE_CROSSCOMPILING_EMULATOR
      "${PICORTC_QEMU_ARM};-L;/usr/${PICORTC_CROSS_TRIPLE};-E;LD_LIBRARY_PATH=${guest_library_path}")
endif()
