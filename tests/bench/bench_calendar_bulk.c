/*
 * bench_calendar_bulk.c — the bulk calendar functions timed from C, for
 * reference beside bench_calendar.py (which times them through ctypes
 * against numpy and pandas).
 *
 *   bench_calendar_bulk [N]          N elements (default 1,000,000)
 *
 * The same workload as bench_calendar.py, generated here with a C PRNG
 * (so the same distributions, not the same numbers): a calendar at
 * utc+08:00, Monday to Friday 08:30-12:00 and 14:00-17:30, about 32 holiday
 * days a year 2020-2031 in blocks whose dates move (no make-up days); N
 * instants uniform over 2020-01-01 .. 2030-12-31 local time.
 *
 *  1. psvc_calendar_add_workdays_n, offsets 0..30 working days;
 *  2. psvc_calendar_add_seconds_n, offsets 1..40 whole business hours;
 *
 * each over the whole arrays, best of 5 after a warm-up, and for comparison
 * the scalar function in a loop over the same elements; the bulk results
 * must equal the scalar ones. Prints ns per element and PASS/FAIL against
 * the per-element targets (<= 4 ns and <= 10 ns). Exit status 1 on a
 * mismatch, 2 if a target is missed.
 *
 * Links the shared library, as a binding does. Timing uses
 * clock_gettime(CLOCK_MONOTONIC).
 */
#include <powersvc.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_S 86400
#define OFFSET_S (8 * 3600)
#define REPEATS 5
#define TARGET_WORKDAYS_NS 4.0
#define TARGET_SECONDS_NS 10.0

static uint64_t rng_state = 20260101;

static uint64_t next_u64(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static int64_t uniform(int64_t lo, int64_t hi) { /* [lo, hi) */
  return lo + (int64_t)(next_u64() % (uint64_t)(hi - lo));
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, int rc) {
  fprintf(stderr, "bench_calendar_bulk: %s: %s (%s)\n", what, psvc_strerror(rc),
          psvc_errmsg(NULL));
  exit(1);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fprintf(stderr, "bench_calendar_bulk: out of memory\n");
    exit(1);
  }
  return p;
}

/* Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Appends "holiday A..B" for n days from (y, m, d) + shift. */
static size_t block(char *buf, size_t at, size_t cap, int y, int m, int d, int shift, int n) {
  int64_t first = days_from_civil(y, m, d) + shift, last = first + n - 1;
  int y1, m1, d1, y2, m2, d2;
  civil_from_days(first, &y1, &m1, &d1);
  civil_from_days(last, &y2, &m2, &d2);
  int w = snprintf(buf + at, cap - at, "holiday %04d-%02d-%02d..%04d-%02d-%02d\n", y1, m1, d1,
                   y2, m2, d2);
  return at + (size_t)w;
}

static psvc_calendar *make_calendar(int *nholidays) {
  size_t cap = 16384, at = 0;
  char *text = xmalloc(cap);
  at += (size_t)snprintf(text, cap, "utc+08:00\nhours mon-fri 08:30-12:00 14:00-17:30\n");
  int days = 0;
  for (int y = 2020; y <= 2031; y++) {
    at = block(text, at, cap, y, 1, 1, 0, 3);                           /* New Year */
    at = block(text, at, cap, y, 1, 21, (int)uniform(0, 22), 8);        /* Spring Festival */
    at = block(text, at, cap, y, 4, 3, (int)uniform(0, 3), 3);          /* Qingming */
    at = block(text, at, cap, y, 5, 1, 0, 5);                           /* Labour Day */
    at = block(text, at, cap, y, 6, 1, (int)uniform(0, 25), 3);         /* Dragon Boat */
    at = block(text, at, cap, y, 9, 8, (int)uniform(0, 19), 3);         /* Mid-Autumn */
    at = block(text, at, cap, y, 10, 1, 0, 7);                          /* National Day */
    days += 32;
  }
  psvc_calendar *cal;
  char *err = NULL;
  int rc = psvc_calendar_parse(text, &cal, &err);
  if (rc != PSVC_OK) {
    fprintf(stderr, "bench_calendar_bulk: calendar: %s\n", err ? err : "?");
    exit(1);
  }
  free(text);
  *nholidays = days;
  return cal;
}

typedef int (*bulk_fn)(const psvc_calendar *, const psvc_time *, const void *, psvc_time *,
                       size_t);

static int workdays_n(const psvc_calendar *c, const psvc_time *t, const void *k, psvc_time *o,
                      size_t n) {
  return psvc_calendar_add_workdays_n(c, t, k, o, n);
}

static int seconds_n(const psvc_calendar *c, const psvc_time *t, const void *k, psvc_time *o,
                     size_t n) {
  return psvc_calendar_add_seconds_n(c, t, k, o, n);
}

static int workdays_loop(const psvc_calendar *c, const psvc_time *t, const void *k,
                         psvc_time *o, size_t n) {
  const int32_t *days = k;
  for (size_t i = 0; i < n; i++) {
    int rc = psvc_calendar_add_workdays(c, t[i], days[i], &o[i]);
    if (rc)
      return rc;
  }
  return PSVC_OK;
}

static int seconds_loop(const psvc_calendar *c, const psvc_time *t, const void *k,
                        psvc_time *o, size_t n) {
  const int64_t *secs = k;
  for (size_t i = 0; i < n; i++) {
    int rc = psvc_calendar_add_seconds(c, t[i], secs[i], &o[i]);
    if (rc)
      return rc;
  }
  return PSVC_OK;
}

/* Best of REPEATS after a warm-up, in ns per element. */
static double time_it(bulk_fn fn, const char *name, const psvc_calendar *c, const psvc_time *t,
                      const void *k, psvc_time *o, size_t n) {
  int rc = fn(c, t, k, o, n);
  if (rc)
    die(name, rc);
  double best = 1e30;
  for (int r = 0; r < REPEATS; r++) {
    double t0 = now_s();
    rc = fn(c, t, k, o, n);
    double dt = now_s() - t0;
    if (rc)
      die(name, rc);
    if (dt < best)
      best = dt;
  }
  return best / (double)n * 1e9;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
  if (n == 0) {
    fprintf(stderr, "usage: bench_calendar_bulk [N]\n");
    return 1;
  }
  int nholidays;
  psvc_calendar *cal = make_calendar(&nholidays);

  psvc_time *t = xmalloc(n * sizeof *t), *out = xmalloc(n * sizeof *out),
            *ref = xmalloc(n * sizeof *ref);
  int32_t *days = xmalloc(n * sizeof *days);
  int64_t *secs = xmalloc(n * sizeof *secs);
  int64_t lo = days_from_civil(2020, 1, 1) * DAY_S - OFFSET_S;
  int64_t hi = days_from_civil(2031, 1, 1) * DAY_S - OFFSET_S;
  for (size_t i = 0; i < n; i++) {
    t[i] = uniform(lo, hi);
    days[i] = (int32_t)uniform(0, 31);
    secs[i] = uniform(1, 41) * 3600;
  }

  printf("bench_calendar_bulk: libpowersvc %s, %zu elements, best of %d after a warm-up\n",
         psvc_version(), n, REPEATS);
  printf("  calendar: utc+08:00, Mon-Fri 08:30-12:00 14:00-17:30, %d holiday days in "
         "2020-2031, no make-up days\n\n",
         nholidays);

  int bad = 0;
  double wd_bulk = time_it(workdays_n, "psvc_calendar_add_workdays_n", cal, t, days, out, n);
  double wd_loop = time_it(workdays_loop, "psvc_calendar_add_workdays", cal, t, days, ref, n);
  if (memcmp(out, ref, n * sizeof *out) != 0) {
    fprintf(stderr, "MISMATCH: add_workdays_n differs from add_workdays\n");
    bad = 1;
  }
  double s_bulk = time_it(seconds_n, "psvc_calendar_add_seconds_n", cal, t, secs, out, n);
  double s_loop = time_it(seconds_loop, "psvc_calendar_add_seconds", cal, t, secs, ref, n);
  if (memcmp(out, ref, n * sizeof *out) != 0) {
    fprintf(stderr, "MISMATCH: add_seconds_n differs from add_seconds\n");
    bad = 1;
  }

  bool ok_wd = wd_bulk <= TARGET_WORKDAYS_NS, ok_s = s_bulk <= TARGET_SECONDS_NS;
  printf("  %-52s %8.2f ns/element   target <= %2.0f ns  %s\n",
         "psvc_calendar_add_workdays_n (+0..30 working days)", wd_bulk, TARGET_WORKDAYS_NS,
         ok_wd ? "PASS" : "FAIL");
  printf("  %-52s %8.2f ns/element\n", "psvc_calendar_add_workdays, scalar loop", wd_loop);
  printf("  %-52s %8.2f ns/element   target <= %2.0f ns  %s\n",
         "psvc_calendar_add_seconds_n (+1..40 business hours)", s_bulk, TARGET_SECONDS_NS,
         ok_s ? "PASS" : "FAIL");
  printf("  %-52s %8.2f ns/element\n", "psvc_calendar_add_seconds, scalar loop", s_loop);
  printf("  bulk results = scalar results: %s\n", bad ? "NO (FAIL)" : "yes");

  psvc_calendar_free(cal);
  free(t);
  free(out);
  free(ref);
  free(days);
  free(secs);
  return bad ? 1 : (ok_wd && ok_s) ? 0 : 2;
}
