# abi.cmake — the ABI checks that run inside ctest (docs/abi.md).
# Included by tests/CMakeLists.txt.
#
#   abi.headertest_c    powersvc.h compiles alone as C99, -pedantic -Wall -Wextra -Werror
#   abi.headertest_cxx  ... and as C++11 (libgit2's headertest)
#   abi.symbols         the shared library exports exactly tests/abi/symbols.txt:
#                       psvc_* only, each at a PSVC_x.y version node; SONAME
#                       libpowersvc.so.1 (check-symbols.sh)
#   abi.install         `cmake --install` into a temporary prefix, then consumers
#                       built out of tree with pkg-config, find_package (shared)
#                       and find_package (static), and the README's example
#                       (tests/install/run.sh)
#
# The abidiff comparison with tests/abi/libpowersvc.abi needs a debug-info
# build and abigail-tools; .ci/run runs it (tests/abi/abicheck.sh) on the
# `test` preset's library.
#
# The header tests call the compiler directly rather than building a target:
# the test then always compiles the header as it is now (a stale object can
# never pass for it), a broken header fails the test with the compiler's
# message instead of breaking the whole build, and none of the project's own
# flags or definitions (_POSIX_C_SOURCE, sanitizers) leak in.

set(PSVC_ABI_DIR ${CMAKE_CURRENT_LIST_DIR})
set(PSVC_HEADERTEST_OUT ${CMAKE_CURRENT_BINARY_DIR}/headertest)
file(MAKE_DIRECTORY ${PSVC_HEADERTEST_OUT})

# ---- header compile tests -----------------------------------------------------
add_test(NAME abi.headertest_c
  COMMAND ${CMAKE_C_COMPILER} -std=c99 -pedantic -Wall -Wextra -Werror
          -Wstrict-prototypes -Wundef
          -I${PROJECT_SOURCE_DIR}/include
          -c ${PSVC_ABI_DIR}/headertest.c -o ${PSVC_HEADERTEST_OUT}/headertest_c.o)

# The project is C only; the C++ header test needs a C++ compiler, found
# without enabling CXX for the whole project. In CI (CI set in the
# environment) a missing C++ compiler is an error, never a skipped test.
include(CheckLanguage)
check_language(CXX)
if(CMAKE_CXX_COMPILER)
  add_test(NAME abi.headertest_cxx
    COMMAND ${CMAKE_CXX_COMPILER} -x c++ -std=c++11 -pedantic -Wall -Wextra -Werror
            -Wundef
            -I${PROJECT_SOURCE_DIR}/include
            -c ${PSVC_ABI_DIR}/headertest.c -o ${PSVC_HEADERTEST_OUT}/headertest_cxx.o)
elseif(DEFINED ENV{CI} AND NOT "$ENV{CI}" STREQUAL "" AND NOT "$ENV{CI}" STREQUAL "false")
  message(FATAL_ERROR "abi.headertest_cxx: no working C++ compiler found, and CI is "
    "set: CI must compile powersvc.h as C++ (install g++ or set CXX)")
else()
  message(WARNING "abi.headertest_cxx: no working C++ compiler found; the test "
    "will report SKIPPED (install g++ or set CXX)")
  add_test(NAME abi.headertest_cxx
    COMMAND ${CMAKE_COMMAND} -E echo
            "SKIPPED: no C++ compiler found at configure time (install g++ or set CXX)")
  set_tests_properties(abi.headertest_cxx PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED:")
endif()

# ---- exported symbols -------------------------------------------------------------
add_test(NAME abi.symbols
  COMMAND bash ${PSVC_ABI_DIR}/check-symbols.sh
          $<TARGET_FILE:powersvc> ${PSVC_ABI_DIR}/symbols.txt)

# ---- install and consumers --------------------------------------------------------
# The consumers are built with the compiler of this build and, in sanitizer
# or coverage builds, with the same instrumentation, since the installed
# libraries carry it.
set(PSVC_CONSUMER_FLAGS "")
if(PSVC_SANITIZE)
  list(APPEND PSVC_CONSUMER_FLAGS ${PSVC_SAN_FLAGS})
endif()
if(PSVC_COVERAGE)
  list(APPEND PSVC_CONSUMER_FLAGS --coverage)
endif()
list(JOIN PSVC_CONSUMER_FLAGS " " PSVC_CONSUMER_FLAGS)

add_test(NAME abi.install
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/install/run.sh
          ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties(abi.install PROPERTIES
  TIMEOUT 600
  ENVIRONMENT "CC=${CMAKE_C_COMPILER};PSVC_CMAKE=${CMAKE_COMMAND};PSVC_CMAKE_GENERATOR=${CMAKE_GENERATOR};PSVC_CONSUMER_FLAGS=${PSVC_CONSUMER_FLAGS}")

set_tests_properties(abi.headertest_c abi.headertest_cxx abi.symbols abi.install
  PROPERTIES LABELS abi)
