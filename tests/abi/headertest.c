/*
 * headertest.c — powersvc.h must compile on its own, first, with nothing
 * else included and the strictest flags an integrator might use: as C99 and
 * as C++11, -pedantic -Wall -Wextra -Werror (libgit2's headertest). ctest
 * compiles this file as abi.headertest_c and abi.headertest_cxx
 * (tests/abi/abi.cmake); it is never linked or run.
 *
 * Beyond the include, it expands a few macros so that their definitions are
 * compiled too, in both languages.
 */
#include <powersvc.h>

int psvc_headertest(void);

int psvc_headertest(void) {
  psvc_allocator a = PSVC_ALLOCATOR_INIT;
  psvc_time t = 0;
  return (int)a.size + (int)t + PSVC_VERSION_NUMBER + PSVC_STORE_ABI + PSVC_EINVAL;
}
