# PHN_SANITIZE: build the library, the CLI and every test program with
# AddressSanitizer (LeakSanitizer included) and UndefinedBehaviorSanitizer,
# and stop at the first report (-fno-sanitize-recover=all). The `asan` preset
# (CMakePresets.json) turns it on in build-asan/ with gcc.
#
# What the test suite gets (only when PHN_SANITIZE is ON):
#  - ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS for every test, set by
#    phn_sanitize_tests() below at ctest time (so tests added anywhere in the
#    tree are covered without a property of their own). LeakSanitizer is on;
#    tests/sanitizers/lsan.supp names only dependency frames.
#  - phn_sanitize_python_tests(<test>...): for tests whose Python interpreter
#    loads libphonenorm through ctypes. The interpreter is not instrumented,
#    so the ASan runtime must be the first library in the process:
#    LD_PRELOAD it. LeakSanitizer is off in that process (CPython's own
#    allocations at exit would bury any report); phonenorm's leaks are caught
#    by the C test programs and the CLI tests, which keep it on.
#  - PHN_SANITIZE_FLAGS: the compile and link flags, for tests that build a
#    program of their own against phonenorm (the install consumer).
option(PHN_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

set(PHN_SANITIZE_FLAGS "")
if(NOT PHN_SANITIZE)
  function(phn_sanitize_tests)
  endfunction()
  function(phn_sanitize_python_tests)
  endfunction()
  return()
endif()

if(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU" AND NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "PHN_SANITIZE needs gcc or clang (this is ${CMAKE_C_COMPILER_ID})")
endif()
if(NOT CMAKE_C_COMPILER_ID STREQUAL CMAKE_CXX_COMPILER_ID)
  message(FATAL_ERROR "PHN_SANITIZE: the C and C++ compilers must be the same family "
          "(${CMAKE_C_COMPILER_ID} and ${CMAKE_CXX_COMPILER_ID}): one sanitizer runtime")
endif()

set(PHN_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
add_compile_options(${PHN_SANITIZE_FLAGS})
add_link_options(-fsanitize=address,undefined)
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  # clang links its runtime statically into executables only; libphonenorm.so
  # (linked with --no-undefined) and the Python preload need the shared one.
  add_link_options(-shared-libsan)
  list(APPEND PHN_SANITIZE_FLAGS -shared-libsan)
  set(_phn_asan_rt_name libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so)
else()
  set(_phn_asan_rt_name libasan.so)
endif()

# The shared ASan runtime of this compiler, for LD_PRELOAD.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=${_phn_asan_rt_name}
  OUTPUT_VARIABLE PHN_ASAN_RUNTIME OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT IS_ABSOLUTE "${PHN_ASAN_RUNTIME}" OR NOT EXISTS "${PHN_ASAN_RUNTIME}")
  message(FATAL_ERROR "PHN_SANITIZE: ${CMAKE_C_COMPILER} does not know where "
          "${_phn_asan_rt_name} is (got '${PHN_ASAN_RUNTIME}')")
endif()
get_filename_component(PHN_ASAN_RUNTIME "${PHN_ASAN_RUNTIME}" REALPATH)
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  # clang's shared runtime sits in its resource directory, off the loader's path.
  get_filename_component(_phn_asan_rt_dir "${PHN_ASAN_RUNTIME}" DIRECTORY)
  add_link_options("LINKER:-rpath,${_phn_asan_rt_dir}")
  list(APPEND PHN_SANITIZE_FLAGS "-Wl,-rpath,${_phn_asan_rt_dir}")
endif()

# Options for the tests. halt_on_error/abort_on_error=0: a report fails the
# test with a non-zero exit and the stack on stderr, without a core dump.
# detect_stack_use_after_return and the init-order checks cost little here.
set(_phn_supp "${PROJECT_SOURCE_DIR}/tests/sanitizers")
set(PHN_ASAN_OPTIONS "halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:detect_invalid_pointer_pairs=0")
set(PHN_UBSAN_OPTIONS "halt_on_error=1:print_stacktrace=1:report_error_type=1")
set(PHN_LSAN_OPTIONS "suppressions=${_phn_supp}/lsan.supp:print_suppressions=0")

function(phn_sanitize_tests)
  # CTest reads this file before it adds any test and runs every test with
  # its environment; a value the caller already set comes last, so it wins.
  set(_f "${PROJECT_BINARY_DIR}/phn_sanitizer_env.cmake")
  file(WRITE "${_f}" "# Written by cmake/PhnSanitize.cmake (PHN_SANITIZE=ON).
set(ENV{ASAN_OPTIONS} \"${PHN_ASAN_OPTIONS}:\$ENV{ASAN_OPTIONS}\")
set(ENV{UBSAN_OPTIONS} \"${PHN_UBSAN_OPTIONS}:\$ENV{UBSAN_OPTIONS}\")
set(ENV{LSAN_OPTIONS} \"${PHN_LSAN_OPTIONS}:\$ENV{LSAN_OPTIONS}\")
")
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY TEST_INCLUDE_FILES "${_f}")
endfunction()

function(phn_sanitize_python_tests)
  set_property(TEST ${ARGN} APPEND PROPERTY ENVIRONMENT
    "LD_PRELOAD=${PHN_ASAN_RUNTIME}"
    "ASAN_OPTIONS=${PHN_ASAN_OPTIONS}:detect_leaks=0")
endfunction()
