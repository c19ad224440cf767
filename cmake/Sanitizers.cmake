# PICORTC_SANITIZE=address,undefined  or  thread. Applies to everything.
set(PICORTC_SANITIZE "" CACHE STRING "Sanitizers: address,undefined | thread | empty")
if(PICORTC_SANITIZE)
  set(san_flags -fsanitize=${PICORTC_SANITIZE} -fno-omit-frame-pointer)
  if(PICORTC_SANITIZE MATCHES "undefined")
    list(APPEND san_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${san_flags})
  add_link_options(${san_flags})
endif()

if(PICORTC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "PICORTC_FUZZ needs clang (use the 'fuzz' preset)")
  endif()
  # Every library is built with coverage instrumentation; only fuzz targets
  # link the libFuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
