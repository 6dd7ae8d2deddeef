/*
 * fuzz_common.h — shared by the libFuzzer targets of tests/fuzz/: input
 * helpers and the invariant checks. An invariant that fails aborts, which
 * libFuzzer reports as a crash with the input that caused it.
 */
#ifndef PSVC_FUZZ_COMMON_H
#define PSVC_FUZZ_COMMON_H

#include <powersvc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "invariant violated: %s\n", what);
    abort();
  }
}

/* The input as a NUL-terminated string (inner NULs end it early). */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  fuzz_check(s != NULL, "out of memory in the harness");
  memcpy(s, data, size);
  s[size] = 0;
  return s;
}

/* A reader over the input bytes: numbers run out as zeros. */
typedef struct fuzz_in {
  const uint8_t *p;
  size_t n;
} fuzz_in;

static inline uint64_t fuzz_u(fuzz_in *in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) {
    v = v << 8 | (in->n ? *in->p : 0);
    if (in->n)
      in->p++, in->n--;
  }
  return v;
}

/* T-22/T-23 invariants of a calendar at instants taken from the input. */
static inline void fuzz_calendar_invariants(const psvc_calendar *cal, const uint8_t *data,
                                            size_t size) {
  fuzz_in in = {data, size};
  for (int k = 0; k < 4; k++) {
    psvc_time t = (psvc_time)(fuzz_u(&in, 5) % 253402300800ull);
    int64_t secs = (int64_t)(fuzz_u(&in, 3) % 2000000) + 1;
    int days = (int)(fuzz_u(&in, 1) % 40);
    psvc_time r;
    int rc = psvc_calendar_add_seconds(cal, t, secs, &r);
    fuzz_check(rc == PSVC_OK || rc == PSVC_ERANGE, "add_seconds: unexpected code");
    if (rc == PSVC_OK) {
      int64_t e;
      fuzz_check(r > t, "add_seconds went backwards");
      fuzz_check(psvc_calendar_elapsed(cal, t, r, &e) == PSVC_OK && e == secs,
                 "elapsed(t, add_seconds(t, s)) != s");
      fuzz_check(psvc_calendar_elapsed(cal, t, r - 1, &e) == PSVC_OK && e < secs,
                 "add_seconds is not the earliest such instant");
    }
    rc = psvc_calendar_add_workdays(cal, t, days, &r);
    fuzz_check(rc == PSVC_OK || rc == PSVC_ERANGE, "add_workdays: unexpected code");
    if (rc == PSVC_OK)
      fuzz_check(r >= t, "add_workdays went backwards");
  }
}

#endif
