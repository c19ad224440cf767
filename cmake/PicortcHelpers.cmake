# GCC 8 (the board SDK's compiler) keeps std::filesystem in a separate
# library; from GCC 9 on it is part of libstdc++. Only test and fuzz-replay
# code uses <filesystem>; the libraries do not (docs/toolchain.md).
function(picortc_link_std_filesystem target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 9)
    target_link_libraries(${target} PRIVATE stdc++fs)
  endif()
endfunction()

# picortc_test_emulator_environment(TEST_NAME)
#   Cross builds run tests under an emulator (qemu-user, see
#   cmake/toolchains/): CTest prepends it to a test whose command is an
#   executable target, but a binary of this build that the test itself starts
#   cannot be exec'd without binfmt_misc. The test gets the emulator's command
#   line in $PICORTC_TEST_EMULATOR (space-separated, so its arguments must not
#   contain spaces; unset in native builds): tests/support/child_process.hpp
#   prepends it to our binaries, a shell script writes
#   `${PICORTC_TEST_EMULATOR:-} "$bin" ...`. Called by picortc_add_test; call
#   it for tests added with plain add_test that start our binaries.
function(picortc_test_emulator_environment test_name)
  if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
    list(JOIN CMAKE_CROSSCOMPILING_EMULATOR " " emulator_command)
    set_property(TEST ${test_name} APPEND PROPERTY ENVIRONMENT "PICORTC_TEST_EMULATOR=${emulator_command}")
  endif()
endfunction()

# picortc_add_library(NAME SOURCES ... DEPS ...)
#   A module library picortc_<NAME>; include root is src/ ("core/bytes.hpp").
function(picortc_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(picortc_${name} STATIC ${ARG_SOURCES})
  target_include_directories(picortc_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(picortc_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  picortc_target_defaults(picortc_${name})
endfunction()

# picortc_add_test(NAME SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s])
#   A GoogleTest executable registered with CTest (one CTest entry per binary,
#   run with --gtest_brief so failures stand out).
function(picortc_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main Threads::Threads)
  # Shared test helpers: #include "support/temp_dir.hpp".
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    PICORTC_SOURCE_DIR="${PROJECT_SOURCE_DIR}" PICORTC_BINARY_DIR="${PROJECT_BINARY_DIR}")
  picortc_target_defaults(${name})
  picortc_link_std_filesystem(${name})
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
  picortc_test_emulator_environment(${name})
endfunction()

# picortc_add_fuzzer(NAME SOURCE file DEPS ...)
#   With PICORTC_FUZZ: a libFuzzer binary fuzz_<NAME>.
#   Without: fuzz_replay_<NAME>, which feeds every file of
#   fuzz/corpus/<NAME>/ to the same entry point; registered with CTest so a
#   crash once found stays fixed.
function(picortc_add_fuzzer name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPS" ${ARGN})
  set(corpus ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
  if(PICORTC_FUZZ)
    add_executable(fuzz_${name} ${ARG_SOURCE})
    target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(fuzz_replay_${name} ${ARG_SOURCE} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
    target_link_libraries(fuzz_replay_${name} PRIVATE ${ARG_DEPS})
    picortc_target_defaults(fuzz_replay_${name})
    picortc_link_std_filesystem(fuzz_replay_${name})
    if(PICORTC_TESTS)
      add_test(NAME fuzz_replay_${name} COMMAND fuzz_replay_${name} ${corpus})
      set_tests_properties(fuzz_replay_${name} PROPERTIES TIMEOUT 300 LABELS fuzz)
    endif()
  endif()
endfunction()
