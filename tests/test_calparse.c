/*
 * test_calparse.c — lib/calparse.c through the public API: the calendar
 * text format of docs/calendar-format.md (rule T-22) and the iCalendar
 * holiday import.
 *
 * "The parsed calendar equals the one built with the API" is checked by
 * asking both the same questions (is_workday of every day of a range, and
 * add_seconds / add_workdays / elapsed from several instants of each day)
 * and comparing every answer and code.
 *
 * Environment: PSVC_CAL_SEED (default 0x5eed2026) reproduces the random
 * texts.
 */
#include "fault.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_S ((int64_t)86400)
#define SENT ((psvc_time)-777)
#define CN 480

/* ---- dates, independently of the library ----------------------------------------- */

#define Y_LO 1970
#define Y_HI 10001
static int64_t ystart[Y_HI - Y_LO + 2];
static int dates_ready;

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m) {
  static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return md[m - 1] + (m == 2 && leap(y));
}

static void dates_init(void) {
  if (dates_ready)
    return;
  for (int y = Y_LO; y <= Y_HI; y++)
    ystart[y - Y_LO + 1] = ystart[y - Y_LO] + 365 + leap(y);
  dates_ready = 1;
}

static int64_t day_of(int y, int m, int d) {
  int64_t n = ystart[y - Y_LO];
  for (int i = 1; i < m; i++)
    n += month_days(y, i);
  return n + d - 1;
}

static void date_of(int64_t day, int *y, int *m, int *d) {
  int lo = 0, hi = Y_HI - Y_LO;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (ystart[mid] <= day)
      lo = mid;
    else
      hi = mid - 1;
  }
  int yy = Y_LO + lo, mm = 1;
  int64_t r = day - ystart[lo];
  while (r >= month_days(yy, mm))
    r -= month_days(yy, mm++);
  *y = yy;
  *m = mm;
  *d = (int)r + 1;
}

/* ISO weekday: 1970-01-01 was a Thursday. */
static int iso_wd(int64_t day) { return (int)((day % 7 + 3) % 7) + 1; }

static psvc_time lt(int y, int m, int d, int hh, int mi, int ss, int off_min) {
  return day_of(y, m, d) * DAY_S + hh * 3600 + mi * 60 + ss - (int64_t)off_min * 60;
}

/* ---- comparing calendars by their answers ----------------------------------------- */

typedef struct fp {
  int64_t *v;
  size_t n, cap;
} fp;

static void fp_put(fp *f, int64_t x) {
  if (f->n == f->cap) {
    f->cap = f->cap ? 2 * f->cap : 1024;
    f->v = realloc(f->v, f->cap * sizeof *f->v);
    if (!f->v)
      ck_abort_msg("out of memory in the test");
  }
  f->v[f->n++] = x;
}

/* Every answer about [day_lo, day_hi] (UTC days; instants spread over each). */
static void fingerprint(const psvc_calendar *c, int64_t day_lo, int64_t day_hi, fp *f) {
  static const int64_t secs[] = {1, 1800, 25201, 200000};
  static const int days[] = {0, 1, 3};
  f->n = 0;
  for (int64_t day = day_lo; day <= day_hi; day++) {
    int y, m, d;
    date_of(day, &y, &m, &d);
    fp_put(f, psvc_calendar_is_workday(c, y, m, d));
    for (int k = 0; k < 4; k++) {
      psvc_time t = day * DAY_S + k * 21601, out = SENT;
      int64_t e = SENT;
      for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
        fp_put(f, psvc_calendar_add_seconds(c, t, secs[i], &out));
        fp_put(f, out);
      }
      for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        fp_put(f, psvc_calendar_add_workdays(c, t, days[i], &out));
        fp_put(f, out);
      }
      fp_put(f, psvc_calendar_elapsed(c, t, t + DAY_S + 13, &e));
      fp_put(f, e);
    }
  }
}

static void fp_free(fp *f) {
  free(f->v);
  f->v = NULL;
  f->n = f->cap = 0;
}

/* Do a and b answer every question about [lo, hi] alike? */
static void same_calendar(const psvc_calendar *a, const psvc_calendar *b, int64_t lo, int64_t hi,
                          const char *what) {
  fp x = {NULL, 0, 0}, y = {NULL, 0, 0};
  fingerprint(a, lo, hi, &x);
  fingerprint(b, lo, hi, &y);
  ck_assert_msg(x.n == y.n, "%s: %zu vs %zu answers", what, x.n, y.n);
  for (size_t i = 0; i < x.n; i++)
    if (x.v[i] != y.v[i]) {
      size_t per_day = x.n / (size_t)(hi - lo + 1);
      int yy, mm, dd;
      date_of(lo + (int64_t)(i / per_day), &yy, &mm, &dd);
      ck_abort_msg("%s: answer %zu (UTC day %04d-%02d-%02d, item %zu) differs: %" PRId64
                   " vs %" PRId64,
                   what, i, yy, mm, dd, i % per_day, x.v[i], y.v[i]);
    }
  fp_free(&x);
  fp_free(&y);
}

static psvc_calendar *parse_ok(const char *text) {
  psvc_calendar *c = NULL;
  char *err = (char *)"untouched";
  int rc = psvc_calendar_parse(text, &c, &err);
  ck_assert_msg(rc == PSVC_OK, "parse: rc %d, err '%s', text:\n%s", rc, err ? err : "(null)",
                text);
  ck_assert_ptr_nonnull(c);
  ck_assert_ptr_null(err); /* no error: *err is NULL */
  return c;
}

static psvc_calendar *api_new(int off) {
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, off), PSVC_OK);
  return c;
}

static void api_hours(psvc_calendar *c, unsigned mask, int open, int close) {
  for (int wd = 1; wd <= 7; wd++)
    if ((mask >> wd & 1u) && psvc_calendar_add_hours(c, wd, open, close) != PSVC_OK)
      ck_abort_msg("add_hours(%d, %d, %d): %s", wd, open, close, psvc_errmsg(NULL));
}

static void api_holidays(psvc_calendar *c, int64_t from, int64_t to) {
  for (int64_t day = from; day <= to; day++) {
    int y, m, d;
    date_of(day, &y, &m, &d);
    if (psvc_calendar_add_holiday(c, y, m, d) != PSVC_OK)
      ck_abort_msg("add_holiday(%04d-%02d-%02d): %s", y, m, d, psvc_errmsg(NULL));
  }
}

#define WD(d) (1u << (d))
#define MON_FRI (WD(1) | WD(2) | WD(3) | WD(4) | WD(5))
#define HM(h, m) ((h) * 60 + (m))

static char *read_source_relative(const char *rel) {
  const char *f = __FILE__, *slash = strrchr(f, '/');
  char path[4096];
  if (slash)
    snprintf(path, sizeof path, "%.*s/%s", (int)(slash - f), f, rel);
  else
    snprintf(path, sizeof path, "./%s", rel);
  FILE *file = fopen(path, "rb");
  ck_assert_msg(file != NULL, "cannot open %s", path);
  size_t cap = 4096, n = 0, got;
  char *buf = malloc(cap);
  ck_assert_ptr_nonnull(buf);
  while ((got = fread(buf + n, 1, cap - n - 1, file)) > 0) {
    n += got;
    if (n == cap - 1) {
      cap *= 2;
      buf = realloc(buf, cap);
      ck_assert_ptr_nonnull(buf);
    }
  }
  fclose(file);
  buf[n] = 0;
  return buf;
}

static char *cn2026_text(void) { return read_source_relative("../examples/data/cn-2026.cal"); }

/* ---- random numbers ---------------------------------------------------------------- */

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t rnext(rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static int64_t rr(rng *r, int64_t lo, int64_t hi) {
  return lo + (int64_t)(rnext(r) % (uint64_t)(hi - lo + 1));
}

static int pct(rng *r, int p) { return rr(r, 0, 99) < p; }

static uint64_t prop_seed(void) {
  const char *s = getenv("PSVC_CAL_SEED");
  if (!s || !*s)
    return 0x5eed2026ull;
  char *end;
  unsigned long long v = strtoull(s, &end, 0);
  return *end ? 0x5eed2026ull : (uint64_t)v;
}

/* ---- every directive form ------------------------------------------------------------- */

START_TEST(test_T22_parse_every_directive_form) {
  dates_init();
  psvc_calendar *p = parse_ok("# a comment line\n"
                              "\n"
                              "utc+08:00\n"
                              "hours mon-fri 08:30-12:00 14:00-17:30   # two windows\n"
                              "hours sat 09:00-12:00\n"
                              "hours sun 00:00-01:00 23:00-24:00\n"
                              "holiday 2026-10-01..2026-10-07\n"
                              "holiday 2026-12-31\n"
                              "workday 2026-10-10 as mon\n"
                              "workday 2026-09-20 as sat\n");
  psvc_calendar *a = api_new(CN);
  api_hours(a, MON_FRI, HM(8, 30), HM(12, 0));
  api_hours(a, MON_FRI, HM(14, 0), HM(17, 30));
  api_hours(a, WD(6), HM(9, 0), HM(12, 0));
  api_hours(a, WD(7), 0, 60);
  api_hours(a, WD(7), HM(23, 0), 1440);
  api_holidays(a, day_of(2026, 10, 1), day_of(2026, 10, 7));
  api_holidays(a, day_of(2026, 12, 31), day_of(2026, 12, 31));
  ck_assert_int_eq(psvc_calendar_add_workday(a, 2026, 10, 10, 1), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_workday(a, 2026, 9, 20, 6), PSVC_OK);
  same_calendar(p, a, day_of(2026, 9, 1), day_of(2027, 1, 20), "every directive form");
  /* spot checks straight from the text */
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2026, 10, 7), 0);
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2026, 10, 10), 1);
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2026, 12, 31), 0);
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2026, 10, 11), 1); /* a Sunday: 00-01, 23-24 */
  int64_t e = 0;
  ck_assert_int_eq(psvc_calendar_elapsed(p, lt(2026, 10, 11, 0, 0, 0, CN),
                                         lt(2026, 10, 12, 0, 0, 0, CN), &e),
                   PSVC_OK);
  ck_assert_int_eq(e, 2 * 3600);
  ck_assert_int_eq(psvc_calendar_elapsed(p, lt(2026, 9, 20, 0, 0, 0, CN),
                                         lt(2026, 9, 21, 0, 0, 0, CN), &e),
                   PSVC_OK);
  ck_assert_int_eq(e, 3 * 3600); /* the make-up Sunday works Saturday's hours */
  psvc_calendar_free(p);
  psvc_calendar_free(a);
}
END_TEST

START_TEST(test_T22_parse_utc_offsets) {
  dates_init();
  static const struct {
    const char *line;
    int off;
  } offs[] = {
      {"", 0},           {"utc", 0},          {"utc+00:00", 0},   {"utc-00:00", 0},
      {"utc+08:00", 480}, {"utc-05:30", -330}, {"utc+05:45", 345}, {"UTC+09:30", 570},
      {"Utc-03:30", -210}, {"utc+14:00", 840},  {"utc-14:00", -840}, {"utc+12:45", 765},
  };
  for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
    char text[200];
    snprintf(text, sizeof text, "%s\nhours mon-fri 09:00-17:00\nhours sun 00:00-24:00\n",
             offs[i].line);
    psvc_calendar *p = parse_ok(text), *a = api_new(offs[i].off);
    api_hours(a, MON_FRI, HM(9, 0), HM(17, 0));
    api_hours(a, WD(7), 0, 1440);
    same_calendar(p, a, day_of(2026, 9, 26), day_of(2026, 10, 6), text);
    /* the end of the local day tells the offset */
    psvc_time out = 0;
    psvc_time t = lt(2026, 9, 30, 12, 0, 0, offs[i].off);
    ck_assert_int_eq(psvc_calendar_add_workdays(p, t, 0, &out), PSVC_OK);
    ck_assert_msg(out == lt(2026, 9, 30, 23, 59, 59, offs[i].off), "'%s': offset %d",
                  offs[i].line, offs[i].off);
    psvc_calendar_free(p);
    psvc_calendar_free(a);
  }
}
END_TEST

START_TEST(test_T22_parse_weekday_lists_and_windows) {
  dates_init();
  psvc_calendar *p = parse_ok("hours mon-wed,sat 09:00-10:00\n"
                              "hours tue,thu,sun 11:00-12:00 13:00-14:00 15:00-16:00\n"
                              "hours fri 00:00-24:00\n"
                              "hours mon 09:30-11:00\n"        /* overlaps mon 09:00-10:00 */
                              "hours wed 10:00-10:30\n"        /* touches wed 09:00-10:00 */
                              "hours sat-sun 20:00-21:00\n"
                              "hours thu-thu 06:00-07:00\n"
                              "hours mon-sun 23:59-24:00\n");
  psvc_calendar *a = api_new(0);
  api_hours(a, WD(1) | WD(2) | WD(3) | WD(6), HM(9, 0), HM(10, 0));
  api_hours(a, WD(2) | WD(4) | WD(7), HM(11, 0), HM(12, 0));
  api_hours(a, WD(2) | WD(4) | WD(7), HM(13, 0), HM(14, 0));
  api_hours(a, WD(2) | WD(4) | WD(7), HM(15, 0), HM(16, 0));
  api_hours(a, WD(5), 0, 1440);
  api_hours(a, WD(1), HM(9, 30), HM(11, 0));
  api_hours(a, WD(3), HM(10, 0), HM(10, 30));
  api_hours(a, WD(6) | WD(7), HM(20, 0), HM(21, 0));
  api_hours(a, WD(4), HM(6, 0), HM(7, 0));
  api_hours(a, 0xfeu, HM(23, 59), 1440);
  same_calendar(p, a, day_of(2026, 9, 21), day_of(2026, 10, 12), "weekday lists");
  /* Monday: 09:00-11:00 merged, plus the last minute */
  int64_t e = 0;
  ck_assert_int_eq(psvc_calendar_elapsed(p, lt(2026, 9, 28, 0, 0, 0, 0),
                                         lt(2026, 9, 29, 0, 0, 0, 0), &e),
                   PSVC_OK);
  ck_assert_int_eq(e, 2 * 3600 + 60);
  /* 16 windows on one weekday over several lines are fine */
  psvc_calendar *w = parse_ok("hours tue 00:00-00:10 01:00-01:10 02:00-02:10 03:00-03:10\n"
                              "hours tue 04:00-04:10 05:00-05:10 06:00-06:10 07:00-07:10\n"
                              "hours tue 08:00-08:10 09:00-09:10 10:00-10:10 11:00-11:10\n"
                              "hours tue 12:00-12:10 13:00-13:10 14:00-14:10 15:00-15:10\n");
  ck_assert_int_eq(psvc_calendar_elapsed(w, lt(2026, 9, 29, 0, 0, 0, 0),
                                         lt(2026, 9, 30, 0, 0, 0, 0), &e),
                   PSVC_OK);
  ck_assert_int_eq(e, 16 * 600);
  psvc_calendar_free(w);
  psvc_calendar_free(p);
  psvc_calendar_free(a);
}
END_TEST

START_TEST(test_T22_parse_comments_blank_crlf_case) {
  dates_init();
  const char *lf = "utc+08:00\n"
                   "hours mon-fri 08:30-12:00 14:00-17:30\n"
                   "holiday 2026-10-01..2026-10-07\n"
                   "workday 2026-10-10 as mon\n";
  const char *variants[] = {
      /* CRLF line ends, no final line end */
      "utc+08:00\r\nhours mon-fri 08:30-12:00 14:00-17:30\r\n"
      "holiday 2026-10-01..2026-10-07\r\nworkday 2026-10-10 as mon",
      /* upper and mixed case, tabs, extra blanks, comments everywhere */
      "# China\n\n   \n\t\nUTC+08:00   # offset\n"
      "HOURS\tMON-FRI\t08:30-12:00    14:00-17:30\t# office\n"
      "   Holiday 2026-10-01..2026-10-07#no space before the comment\n"
      "\r\n"
      "WorkDay   2026-10-10   AS   Mon   \n"
      "# the end\n",
      /* the same windows split over lines, the range as single days */
      "utc+08:00\nhours mon,tue,wed,thu,fri 08:30-12:00\nhours Mon-Fri 14:00-17:30\n"
      "holiday 2026-10-01\nholiday 2026-10-02\nholiday 2026-10-03..2026-10-07\n"
      "holiday 2026-10-05\n" /* listed twice: harmless */
      "workday 2026-10-10 as MON\n",
  };
  psvc_calendar *base = parse_ok(lf);
  for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
    psvc_calendar *v = parse_ok(variants[i]);
    same_calendar(base, v, day_of(2026, 9, 20), day_of(2026, 10, 20), variants[i]);
    psvc_calendar_free(v);
  }
  /* and the base equals the API-built calendar */
  psvc_calendar *a = api_new(CN);
  api_hours(a, MON_FRI, HM(8, 30), HM(12, 0));
  api_hours(a, MON_FRI, HM(14, 0), HM(17, 30));
  api_holidays(a, day_of(2026, 10, 1), day_of(2026, 10, 7));
  ck_assert_int_eq(psvc_calendar_add_workday(a, 2026, 10, 10, 1), PSVC_OK);
  same_calendar(base, a, day_of(2026, 9, 20), day_of(2026, 10, 20), "base vs API");
  psvc_calendar_free(a);
  psvc_calendar_free(base);
}
END_TEST

START_TEST(test_T22_parse_empty_texts) {
  dates_init();
  static const char *const empties[] = {"", "\n", "# nothing\n", "\r\n\r\n", "  \t \n# x\n"};
  for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
    psvc_calendar *p = parse_ok(empties[i]), *a = api_new(0);
    same_calendar(p, a, day_of(2026, 9, 28), day_of(2026, 10, 4), "empty text");
    psvc_time out = SENT;
    ck_assert_int_eq(psvc_calendar_add_seconds(p, lt(2026, 9, 30, 0, 0, 0, 0), 1, &out),
                     PSVC_ERANGE); /* no working time at all */
    ck_assert_int_eq(out, SENT);
    psvc_calendar_free(p);
    psvc_calendar_free(a);
  }
}
END_TEST

START_TEST(test_T22_parse_null_arguments) {
  psvc_calendar *c = (psvc_calendar *)&c;
  char *err = NULL;
  ck_assert_int_eq(psvc_calendar_parse(NULL, &c, &err), PSVC_EINVAL);
  ck_assert_ptr_eq(c, (psvc_calendar *)&c);
  ck_assert_ptr_null(err);
  ck_assert_int_eq(psvc_calendar_parse("utc\n", NULL, &err), PSVC_EINVAL);
  ck_assert_ptr_null(err);
  ck_assert_int_eq(psvc_calendar_parse(NULL, NULL, NULL), PSVC_EINVAL);
  ck_assert_str_ne(psvc_errmsg(NULL), "");
  /* err may be NULL, on success and on failure */
  c = NULL;
  ck_assert_int_eq(psvc_calendar_parse("hours mon 09:00-10:00\n", &c, NULL), PSVC_OK);
  psvc_calendar_free(c);
  c = (psvc_calendar *)&c;
  ck_assert_int_eq(psvc_calendar_parse("bogus\n", &c, NULL), PSVC_EPARSE);
  ck_assert_ptr_eq(c, (psvc_calendar *)&c);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "line 1:"));
}
END_TEST

/* ---- errors ------------------------------------------------------------------------ */

/* Parses text expecting PSVC_EPARSE at `line`: *err is "line N: ...",
   psvc_errmsg(NULL) carries it, *out is untouched; again with err NULL. */
static void expect_parse_error(const char *text, int line, const char *word) {
  psvc_calendar *c = (psvc_calendar *)&c;
  char *err = NULL;
  int rc = psvc_calendar_parse(text, &c, &err);
  ck_assert_msg(rc == PSVC_EPARSE, "rc %d (want PSVC_EPARSE) for:\n%s", rc, text);
  ck_assert_msg(c == (psvc_calendar *)&c, "*out written on failure for:\n%s", text);
  ck_assert_msg(err != NULL, "no *err for:\n%s", text);
  char want[32];
  snprintf(want, sizeof want, "line %d: ", line);
  ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "err '%s', want '%s...' for:\n%s", err,
                want, text);
  ck_assert_msg(strlen(err) > strlen(want), "err '%s' says nothing", err);
  ck_assert_msg(strstr(psvc_errmsg(NULL), err) != NULL, "errmsg '%s' lacks '%s'",
                psvc_errmsg(NULL), err);
  if (word)
    ck_assert_msg(strstr(err, word) != NULL, "err '%s' should mention '%s'", err, word);
  psvc_free(err);
  rc = psvc_calendar_parse(text, &c, NULL);
  ck_assert_int_eq(rc, PSVC_EPARSE);
  ck_assert_ptr_eq(c, (psvc_calendar *)&c);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), want));
}

START_TEST(test_T22_parse_errors) {
  dates_init();
  static const struct {
    const char *text;
    int line;
    const char *word; /* the offending text the message quotes, or NULL */
  } cases[] = {
      /* unknown directives and garbage */
      {"utc+08:00\nhours mon-fri 08:30-12:00\nholyday 2026-10-01\n", 3, "holyday"},
      {"hours mon 09:00-10:00\n\n\n# c\nbogus\n", 5, "bogus"},
      {"\x01\x02\x03\n", 1, NULL},
      {"hours mon 09:00-10:00\n\xff\xfe\xfd hours\n", 2, NULL},
      {"hours\x01mon 09:00-10:00\n", 1, NULL},
      {"utc+08:00\r\nhours mon 08:00-09:00\r\nbad\r\n", 3, "bad"},
      {"workday2026-10-10 as mon\n", 1, NULL},
      /* weekdays */
      {"hours mon-frx 08:00-09:00\n", 1, "mon-frx"},
      {"hours fri-mon 08:00-09:00\n", 1, "fri-mon"},
      {"hours monday 08:00-09:00\n", 1, "monday"},
      {"hours mon, 08:00-09:00\n", 1, NULL},
      {"hours ,mon 08:00-09:00\n", 1, NULL},
      {"hours mon,,tue 08:00-09:00\n", 1, NULL},
      {"hours mon- 08:00-09:00\n", 1, NULL},
      {"hours 08:00-09:00\n", 1, NULL},
      {"hours\n", 1, NULL},
      /* windows */
      {"hours mon 8:30-12:00\n", 1, "8:30-12:00"},
      {"hours mon 08:30\n", 1, "08:30"},
      {"hours mon 08:60-09:00\n", 1, NULL},
      {"hours mon 24:30-24:40\n", 1, NULL},
      {"hours mon 08:00-25:00\n", 1, NULL},
      {"hours mon 08:00-24:01\n", 1, NULL},
      {"hours mon 08:00-09:00-10:00\n", 1, NULL},
      {"hours mon 08:00~09:00\n", 1, NULL},
      {"hours mon 08:00-09:00 x\n", 1, NULL},
      {"hours mon -09:00\n", 1, NULL},
      {"hours mon\n", 1, NULL},
      /* opening not before closing */
      {"hours mon 12:00-08:30\n", 1, "12:00-08:30"},
      {"hours mon 09:00-09:00\n", 1, NULL},
      {"hours mon 00:00-00:00\n", 1, NULL},
      {"hours mon 24:00-24:00\n", 1, NULL},
      /* more than 16 windows on a weekday */
      {"hours wed 00:00-00:10 01:00-01:10 02:00-02:10 03:00-03:10 04:00-04:10 05:00-05:10 "
       "06:00-06:10 07:00-07:10 08:00-08:10\n"
       "hours mon-wed 09:00-09:10 10:00-10:10 11:00-11:10 12:00-12:10 13:00-13:10 14:00-14:10 "
       "15:00-15:10 16:00-16:10\n",
       2, NULL},
      /* offsets */
      {"utc+08:00\n# again\nutc+08:00\n", 3, NULL},
      {"utc\nutc\n", 2, NULL},
      {"utc+15:00\n", 1, "utc+15:00"},
      {"utc+8\n", 1, "utc+8"},
      {"utc+14:01\n", 1, NULL},
      {"utc-14:30\n", 1, NULL},
      {"utc+08:60\n", 1, NULL},
      {"utc+0800\n", 1, NULL},
      {"utc+08:00:00\n", 1, NULL},
      {"utc 08:00\n", 1, NULL},
      {"utc+08:00 extra\n", 1, NULL},
      {"utcx\n", 1, NULL},
      {"utc*08:00\n", 1, NULL},
      {"utc+8:00\n", 1, NULL},
      /* dates */
      {"holiday 2026-02-30\n", 1, "2026-02-30"},
      {"holiday 2026-2-3\n", 1, NULL},
      {"holiday 1969-12-31\n", 1, NULL},
      {"holiday 10000-01-01\n", 1, NULL},
      {"holiday 2026-13-01\n", 1, NULL},
      {"holiday 2026-00-10\n", 1, NULL},
      {"holiday 2100-02-29\n", 1, NULL},
      {"holiday 2026-10-01..2026-10-32\n", 1, NULL},
      {"holiday 2026/10/01\n", 1, NULL},
      {"holiday 2026-10-01..\n", 1, NULL},
      {"holiday ..2026-10-01\n", 1, NULL},
      {"holiday 2026-10-01...2026-10-03\n", 1, NULL},
      {"holiday\n", 1, NULL},
      {"holiday 2026-10-01 2026-10-02\n", 1, NULL},
      {"workday 2026-02-30 as mon\n", 1, NULL},
      {"workday 1969-12-31 as mon\n", 1, NULL},
      /* ranges */
      {"holiday 2026-10-07..2026-10-01\n", 1, NULL},
      {"holiday 2000-01-01..2010-01-08\n", 1, NULL}, /* 3,661 days */
      {"holiday 1970-01-01..9999-12-31\n", 1, NULL},
      /* workday syntax */
      {"workday 2026-10-10 mon\n", 1, NULL},
      {"workday 2026-10-10 as\n", 1, NULL},
      {"workday 2026-10-10 as xyz\n", 1, NULL},
      {"workday 2026-10-10 as mon extra\n", 1, NULL},
      {"workday 2026-10-10 like mon\n", 1, NULL},
      {"workday 2026-10-10\n", 1, NULL},
      {"workday\n", 1, NULL},
      {"workday 2026-10-10 as mon-fri\n", 1, NULL},
      /* a day both a holiday and a make-up day, in either order */
      {"holiday 2026-10-01..2026-10-07\nworkday 2026-10-03 as mon\n", 2, "2026-10-03"},
      {"workday 2026-10-03 as mon\nholiday 2026-10-01..2026-10-07\n", 2, "2026-10-03"},
      {"workday 2026-10-03 as mon\n\nholiday 2026-10-03\n", 3, "2026-10-03"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_parse_error(cases[i].text, cases[i].line, cases[i].word);
  /* the longest range is 3,660 days (calendar-format.md) */
  ck_assert_int_eq(day_of(2010, 1, 7) - day_of(2000, 1, 1) + 1, 3660);
  psvc_calendar *c = parse_ok("holiday 2000-01-01..2010-01-07\n");
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2010, 1, 7), 0);
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_parse_long_lines) {
  dates_init();
  /* 4,096 bytes are fine, 4,097 are not; the line number is right */
  size_t sizes[] = {4096, 4097, 10000, 100000};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t n = sizes[i];
    char *text = malloc(n + 64);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "utc+08:00\nhours mon 09:00-10:00\n");
    size_t at = strlen(text);
    text[at] = '#';
    memset(text + at + 1, 'x', n - 1);
    strcpy(text + at + n, "\nholiday 2026-10-01\n");
    if (n <= 4096) {
      psvc_calendar *c = parse_ok(text);
      ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 10, 1), 0);
      psvc_calendar_free(c);
    } else {
      expect_parse_error(text, 3, NULL);
    }
    free(text);
  }
  /* a 4,096-byte directive line: hours with windows repeated up to the limit */
  char *text = malloc(4200);
  ck_assert_ptr_nonnull(text);
  strcpy(text, "hours mon");
  while (strlen(text) + 12 <= 4096)
    strcat(text, " 09:00-10:00");
  size_t len = strlen(text);
  memset(text + len, ' ', 4096 - len);
  text[4096] = 0;
  psvc_calendar *c = parse_ok(text);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 9, 28), 1);
  psvc_calendar_free(c);
  strcat(text, " \n"); /* now 4,097 bytes */
  expect_parse_error(text, 1, NULL);
  free(text);
}
END_TEST

/* ---- the shipped calendar: RULES.md Appendix A ---------------------------------------- */

START_TEST(test_T22_cn2026_matches_appendix_a) {
  dates_init();
  static const int hol[][2][3] = {
      {{2026, 1, 1}, {2026, 1, 3}},   {{2026, 2, 15}, {2026, 2, 23}},
      {{2026, 4, 4}, {2026, 4, 6}},   {{2026, 5, 1}, {2026, 5, 5}},
      {{2026, 6, 19}, {2026, 6, 21}}, {{2026, 9, 25}, {2026, 9, 27}},
      {{2026, 10, 1}, {2026, 10, 7}},
  };
  static const int mk[][3] = {{2026, 1, 4}, {2026, 2, 14}, {2026, 2, 28},
                              {2026, 5, 9}, {2026, 9, 20}, {2026, 10, 10}};
  char *text = cn2026_text();
  psvc_calendar *c = parse_ok(text);
  free(text);
  int holidays = 0, makeups = 0, workdays = 0;
  for (int64_t day = day_of(2025, 12, 1); day <= day_of(2027, 1, 31); day++) {
    int y, m, d, want = iso_wd(day) <= 5, kind = 0;
    date_of(day, &y, &m, &d);
    for (size_t i = 0; i < sizeof hol / sizeof hol[0]; i++)
      if (day >= day_of(hol[i][0][0], hol[i][0][1], hol[i][0][2]) &&
          day <= day_of(hol[i][1][0], hol[i][1][1], hol[i][1][2]))
        want = 0, kind = 1;
    for (size_t i = 0; i < sizeof mk / sizeof mk[0]; i++)
      if (day == day_of(mk[i][0], mk[i][1], mk[i][2])) {
        ck_assert_int_ge(iso_wd(day), 6); /* a weekend day worked (Appendix A) */
        want = 1, kind = 2;
      }
    holidays += kind == 1;
    makeups += kind == 2;
    workdays += want && y == 2026;
    ck_assert_msg(psvc_calendar_is_workday(c, y, m, d) == want,
                  "Appendix A: %04d-%02d-%02d (%s) is %s", y, m, d,
                  kind == 1 ? "holiday" : kind == 2 ? "make-up day" : "ordinary day",
                  want ? "a working day" : "a day off");
    /* a working day has the office hours 08:30-12:00, 14:00-17:30 (7 h) */
    int64_t e = -1;
    ck_assert_int_eq(psvc_calendar_elapsed(c, lt(y, m, d, 0, 0, 0, CN),
                                           lt(y, m, d, 23, 59, 59, CN) + 1, &e),
                     PSVC_OK);
    ck_assert_int_eq(e, want ? 7 * 3600 : 0);
  }
  ck_assert_int_eq(holidays, 3 + 9 + 3 + 5 + 3 + 3 + 7);
  ck_assert_int_eq(makeups, 6);
  ck_assert_int_eq(workdays, 261 - 19 + 6); /* 261 weekdays in 2026, 19 of them off */
  /* +08:00: the end of the local day */
  psvc_time out = 0;
  ck_assert_int_eq(psvc_calendar_add_workdays(c, lt(2026, 9, 30, 10, 0, 0, CN), 0, &out),
                   PSVC_OK);
  ck_assert_int_eq(out, lt(2026, 9, 30, 15, 59, 59, 0));
  psvc_calendar_free(c);
}
END_TEST

/* ---- random texts against the API ------------------------------------------------------ */

typedef struct tgen {
  char *s;
  size_t n, cap;
  rng *r;
  int crlf;
} tgen;

static void tput(tgen *t, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(k, 0);
    if ((size_t)k < t->cap - t->n) {
      t->n += (size_t)k;
      return;
    }
    t->cap = t->cap * 2 + (size_t)k;
    t->s = realloc(t->s, t->cap);
    ck_assert_ptr_nonnull(t->s);
  }
}

/* A keyword in random case. */
static void tword(tgen *t, const char *w) {
  char b[32];
  size_t i = 0;
  for (; w[i] && i < sizeof b - 1; i++)
    b[i] = pct(t->r, 20) && w[i] >= 'a' && w[i] <= 'z' ? (char)(w[i] - 32) : w[i];
  b[i] = 0;
  tput(t, "%s", b);
}

static void tspace(tgen *t) { tput(t, "%s", pct(t->r, 80) ? " " : pct(t->r, 50) ? "\t" : "   "); }

static void teol(tgen *t) {
  if (pct(t->r, 15))
    tput(t, "%s# note", pct(t->r, 50) ? " " : "");
  tput(t, "%s", t->crlf ? "\r\n" : "\n");
  if (pct(t->r, 10))
    tput(t, "%s", t->crlf ? "\r\n" : "\n");
}

static const char *const wdn[8] = {"", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

START_TEST(test_T22_parse_random_texts_equal_api) {
  dates_init();
  uint64_t seed = prop_seed();
  for (int k = 0; k < 300; k++) {
    rng r = {seed ^ 0x7e47ull ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull)};
    tgen t = {malloc(256), 0, 256, &r, pct(&r, 30)};
    ck_assert_ptr_nonnull(t.s);
    t.s[0] = 0;
    int off = pct(&r, 20) ? 0 : (int)rr(&r, -56, 56) * 15;
    psvc_calendar *a = api_new(off);
    if (off != 0 || pct(&r, 50)) {
      tword(&t, "utc");
      if (off != 0 || pct(&r, 50))
        tput(&t, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
      teol(&t);
    }
    int nlines = (int)rr(&r, 0, 5);
    for (int l = 0; l < nlines; l++) {
      /* a weekday set as a comma list of days and ranges */
      unsigned mask = 0;
      tword(&t, "hours");
      tspace(&t);
      int parts = (int)rr(&r, 1, 3);
      for (int p = 0; p < parts; p++) {
        int d0 = (int)rr(&r, 1, 7), d1 = pct(&r, 50) ? d0 : (int)rr(&r, d0, 7);
        if (p)
          tput(&t, ",");
        tword(&t, wdn[d0]);
        if (d1 != d0) {
          tput(&t, "-");
          tword(&t, wdn[d1]);
        }
        for (int d = d0; d <= d1; d++)
          mask |= 1u << d;
      }
      int nw = (int)rr(&r, 1, 3);
      for (int w = 0; w < nw; w++) {
        int open = (int)rr(&r, 0, 1439), close = (int)rr(&r, open + 1, 1440);
        if (pct(&r, 15))
          open = 0;
        if (pct(&r, 15))
          close = 1440;
        tspace(&t);
        tput(&t, "%02d:%02d-%02d:%02d", open / 60, open % 60, close / 60, close % 60);
        api_hours(a, mask, open, close);
      }
      teol(&t);
    }
    /* holidays (single days and ranges) and make-up days around a centre */
    int64_t center = pct(&r, 50) ? day_of(2026, 10, 1) + rr(&r, -200, 200)
                                 : rr(&r, day_of(1970, 3, 1), day_of(9999, 10, 1));
    int64_t used[64];
    int nused = 0;
    int nhol = (int)rr(&r, 0, 4);
    for (int h = 0; h < nhol; h++) {
      int64_t from = center + rr(&r, -30, 30), to = from + (pct(&r, 50) ? 0 : rr(&r, 0, 9));
      int y0, m0, d0, y1, m1, d1;
      date_of(from, &y0, &m0, &d0);
      date_of(to, &y1, &m1, &d1);
      tword(&t, "holiday");
      tspace(&t);
      if (from == to && pct(&r, 70))
        tput(&t, "%04d-%02d-%02d", y0, m0, d0);
      else
        tput(&t, "%04d-%02d-%02d..%04d-%02d-%02d", y0, m0, d0, y1, m1, d1);
      teol(&t);
      for (int64_t d = from; d <= to; d++) {
        int seen = 0;
        for (int u = 0; u < nused; u++)
          seen |= used[u] == d;
        if (!seen && nused < 64)
          used[nused++] = d;
      }
      api_holidays(a, from, to);
    }
    int nmk = (int)rr(&r, 0, 3);
    for (int w = 0; w < nmk; w++) {
      int64_t day = center + rr(&r, -40, 40);
      int clash = 0;
      for (int u = 0; u < nused; u++)
        clash |= used[u] == day;
      if (clash)
        continue;
      used[nused++] = day;
      int y, m, d, as = (int)rr(&r, 1, 7);
      date_of(day, &y, &m, &d);
      tword(&t, "workday");
      tspace(&t);
      tput(&t, "%04d-%02d-%02d", y, m, d);
      tspace(&t);
      tword(&t, "as");
      tspace(&t);
      tword(&t, wdn[as]);
      teol(&t);
      ck_assert_int_eq(psvc_calendar_add_workday(a, y, m, d, as), PSVC_OK);
    }
    psvc_calendar *p = NULL;
    char *err = NULL;
    int rc = psvc_calendar_parse(t.s, &p, &err);
    if (rc != PSVC_OK)
      ck_abort_msg("PSVC_CAL_SEED=%#" PRIx64 " text %d: rc %d '%s':\n%s", seed, k, rc,
                   err ? err : "", t.s);
    char what[400];
    snprintf(what, sizeof what, "PSVC_CAL_SEED=%#" PRIx64 " text %d:\n%.300s", seed, k, t.s);
    same_calendar(p, a, center - 45, center + 45, what);
    psvc_calendar_free(p);
    psvc_calendar_free(a);
    free(t.s);
  }
}
END_TEST

/* ---- fuzz-ish: mutated copies of cn-2026.cal ----------------------------------------- */

static size_t count_lines(const char *s) {
  size_t n = 1;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

START_TEST(test_T22_parse_mutated_texts_never_crash) {
  dates_init();
  static const char *const tokens[] = {"..", "-", ":", "as", " mon", "sun", "24:00", "00:00",
                                       "#",  "\n", "\r\n", " ", "\t", "9", "0", "utc+",
                                       "holiday ", "workday ", "hours ", ",", "2026-02-29",
                                       "9999-12-31", "1970-01-01", "\xe5\x85\x83", "\xff"};
  char *orig = cn2026_text();
  size_t olen = strlen(orig);
  uint64_t seed = prop_seed();
  int ok = 0, bad = 0;
  for (int k = 0; k < 3000; k++) {
    rng r = {seed ^ 0xf022ull ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull)};
    size_t cap = olen * 2 + 4096, n = olen;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    memcpy(s, orig, olen + 1);
    int muts = (int)rr(&r, 1, 8);
    for (int j = 0; j < muts && n > 0; j++) {
      size_t at = (size_t)rr(&r, 0, (int64_t)n - 1);
      switch (rr(&r, 0, 5)) {
      case 0: /* flip a byte (never to NUL) */
        s[at] = (char)rr(&r, 1, 255);
        break;
      case 1: { /* delete a run */
        size_t len = (size_t)rr(&r, 1, 40);
        if (len > n - at)
          len = n - at;
        memmove(s + at, s + at + len, n - at - len + 1);
        n -= len;
        break;
      }
      case 2: { /* insert a token */
        const char *tok = tokens[rr(&r, 0, sizeof tokens / sizeof tokens[0] - 1)];
        size_t len = strlen(tok);
        if (n + len + 1 < cap) {
          memmove(s + at + len, s + at, n - at + 1);
          memcpy(s + at, tok, len);
          n += len;
        }
        break;
      }
      case 3: { /* duplicate a line */
        char *b = s + at;
        while (b > s && b[-1] != '\n')
          b--;
        char *e = strchr(b, '\n');
        size_t len = e ? (size_t)(e - b) + 1 : strlen(b);
        if (n + len + 1 < cap) {
          memmove(b + len, b, (size_t)(s + n - b) + 1);
          n += len;
        }
        break;
      }
      case 4: /* truncate */
        s[at] = 0;
        n = at;
        break;
      default: /* a digit changed */
        if (s[at] >= '0' && s[at] <= '9')
          s[at] = (char)('0' + rr(&r, 0, 9));
        break;
      }
    }
    psvc_calendar *c = (psvc_calendar *)&c;
    char *err = NULL;
    int rc = psvc_calendar_parse(s, &c, &err);
    if (rc == PSVC_OK) {
      ck_assert_ptr_ne(c, (psvc_calendar *)&c);
      ck_assert_ptr_null(err);
      int y = 2026, m = (int)rr(&r, 1, 12), d = (int)rr(&r, 1, 28);
      int w = psvc_calendar_is_workday(c, y, m, d);
      ck_assert(w == 0 || w == 1);
      psvc_time out;
      int64_t e;
      psvc_time t0 = lt(2026, m, d, 10, 0, 0, 0);
      rc = psvc_calendar_add_seconds(c, t0, 3600 * rr(&r, 1, 100), &out);
      ck_assert(rc == PSVC_OK || rc == PSVC_ERANGE);
      rc = psvc_calendar_add_workdays(c, t0, (int)rr(&r, 0, 30), &out);
      ck_assert(rc == PSVC_OK || rc == PSVC_ERANGE);
      ck_assert_int_eq(psvc_calendar_elapsed(c, t0, t0 + 40 * DAY_S, &e), PSVC_OK);
      ck_assert(e >= 0 && e <= 40 * DAY_S);
      psvc_calendar_free(c);
      ok++;
    } else {
      ck_assert_msg(rc == PSVC_EPARSE, "mutation %d: rc %d for:\n%s", k, rc, s);
      ck_assert_ptr_eq(c, (psvc_calendar *)&c);
      ck_assert_ptr_nonnull(err);
      long line = -1;
      ck_assert_msg(sscanf(err, "line %ld: ", &line) == 1, "err '%s'", err);
      ck_assert_msg(line >= 1 && (size_t)line <= count_lines(s), "mutation %d: '%s' (%zu lines)",
                    k, err, count_lines(s));
      ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), err));
      psvc_free(err);
      bad++;
    }
    free(s);
  }
  free(orig);
  ck_assert_int_gt(ok, 100); /* both outcomes happen */
  ck_assert_int_gt(bad, 1000);
}
END_TEST

/* ---- iCalendar import ------------------------------------------------------------------- */

static psvc_calendar *office(void) {
  psvc_calendar *c = api_new(CN);
  api_hours(c, MON_FRI, HM(8, 30), HM(12, 0));
  api_hours(c, MON_FRI, HM(14, 0), HM(17, 30));
  return c;
}

/* A VCALENDAR around `events` (LF line ends). */
static char *vcal(const char *events) {
  const char *head = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//libpowersvc tests//EN\n";
  const char *tail = "END:VCALENDAR\n";
  size_t n = strlen(head) + strlen(events) + strlen(tail) + 1;
  char *s = malloc(n);
  ck_assert_ptr_nonnull(s);
  snprintf(s, n, "%s%s%s", head, events, tail);
  return s;
}

/* LF -> CRLF */
static char *crlf(const char *s) {
  char *d = malloc(2 * strlen(s) + 1), *p = d;
  ck_assert_ptr_nonnull(d);
  for (; *s; s++) {
    if (*s == '\n')
      *p++ = '\r';
    *p++ = *s;
  }
  *p = 0;
  return d;
}

static void import_ok(psvc_calendar *c, const char *text) {
  char *err = (char *)"untouched";
  int rc = psvc_calendar_import_ical(c, text, &err);
  ck_assert_msg(rc == PSVC_OK, "import: rc %d '%s' for:\n%s", rc, err ? err : "(null)", text);
  ck_assert_ptr_null(err);
}

/* An import that must fail at `line` (0: any line) and change nothing. */
static void import_fails(const char *text, int line, int line_max) {
  psvc_calendar *c = office(), *same = office();
  ck_assert_int_eq(psvc_calendar_add_holiday(c, 2026, 9, 30), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_holiday(same, 2026, 9, 30), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 10, 10, 1), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_workday(same, 2026, 10, 10, 1), PSVC_OK);
  char *err = NULL;
  int rc = psvc_calendar_import_ical(c, text, &err);
  ck_assert_msg(rc == PSVC_EPARSE, "import: rc %d, want PSVC_EPARSE, for:\n%s", rc, text);
  ck_assert_ptr_nonnull(err);
  long got = -1;
  ck_assert_msg(sscanf(err, "line %ld: ", &got) == 1, "err '%s'", err);
  if (line)
    ck_assert_msg(got >= line && got <= (line_max ? line_max : line),
                  "err '%s', want line %d..%d, for:\n%s", err, line, line_max ? line_max : line,
                  text);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), err));
  psvc_free(err);
  same_calendar(c, same, day_of(2026, 9, 1), day_of(2026, 12, 31), "after a failed import");
  ck_assert_int_eq(psvc_calendar_import_ical(c, text, NULL), PSVC_EPARSE); /* err NULL */
  same_calendar(c, same, day_of(2026, 9, 1), day_of(2026, 12, 31), "after a failed import");
  psvc_calendar_free(c);
  psvc_calendar_free(same);
}

START_TEST(test_T22_ical_all_day_events) {
  dates_init();
  char *text = vcal("BEGIN:VEVENT\nUID:nd-2026\nSUMMARY:National Day\n"
                    "DTSTART;VALUE=DATE:20261001\nDTEND;VALUE=DATE:20261008\nEND:VEVENT\n"
                    "BEGIN:VEVENT\nUID:d3\nDTSTART;VALUE=DATE:20261102\nDURATION:P3D\n"
                    "END:VEVENT\n"
                    "BEGIN:VEVENT\nUID:w1\nDTSTART;VALUE=DATE:20261207\nDURATION:P1W\n"
                    "END:VEVENT\n"
                    "BEGIN:VEVENT\nUID:one\nDTSTART;VALUE=DATE:20261125\nEND:VEVENT\n"
                    "BEGIN:VEVENT\nUID:timed\nSUMMARY:a meeting, not a holiday\n"
                    "DTSTART:20261021T090000Z\nDTEND:20261021T100000Z\nEND:VEVENT\n"
                    "BEGIN:VEVENT\nUID:timed-tz\nDTSTART;TZID=Asia/Shanghai:20261022T090000\n"
                    "DTEND;TZID=Asia/Shanghai:20261023T090000\nEND:VEVENT\n");
  psvc_calendar *c = office(), *a = office();
  import_ok(c, text);
  api_holidays(a, day_of(2026, 10, 1), day_of(2026, 10, 7)); /* DTEND is exclusive */
  api_holidays(a, day_of(2026, 11, 2), day_of(2026, 11, 4)); /* P3D */
  api_holidays(a, day_of(2026, 12, 7), day_of(2026, 12, 13)); /* P1W */
  api_holidays(a, day_of(2026, 11, 25), day_of(2026, 11, 25)); /* no end: one day */
  same_calendar(c, a, day_of(2026, 9, 1), day_of(2027, 1, 10), "imported holidays");
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 10, 8), 1);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 11, 5), 1);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 12, 14), 1);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 11, 26), 1);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 10, 21), 1); /* timed events skipped */
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 10, 22), 1);
  /* importing again changes nothing; CRLF line ends read the same */
  import_ok(c, text);
  char *t2 = crlf(text);
  psvc_calendar *d = office();
  import_ok(d, t2);
  same_calendar(c, d, day_of(2026, 9, 1), day_of(2027, 1, 10), "CRLF import");
  same_calendar(c, a, day_of(2026, 9, 1), day_of(2027, 1, 10), "imported twice");
  psvc_calendar_free(d);
  psvc_calendar_free(c);
  psvc_calendar_free(a);
  free(t2);
  free(text);
}
END_TEST

START_TEST(test_T22_ical_folded_lines) {
  dates_init();
  /* RFC 5545 3.1: a CRLF followed by one space or tab is removed */
  const char *text = "BEGIN:VCALENDAR\r\n"
                     "VERSION:2.0\r\n"
                     "BEGIN:VEVENT\r\n"
                     "SUMMARY:A very long summary that a producer folded at seventy-five octe\r\n"
                     " ts as the RFC says\r\n"
                     "DTSTART;VALUE=DA\r\n"
                     " TE:2026\r\n"
                     "\t1001\r\n"
                     "DTE\r\n"
                     " ND;VALUE=DATE:20261003\r\n"
                     "END:VEVENT\r\n"
                     "END:VCALENDAR\r\n";
  psvc_calendar *c = office(), *a = office();
  import_ok(c, text);
  api_holidays(a, day_of(2026, 10, 1), day_of(2026, 10, 2));
  same_calendar(c, a, day_of(2026, 9, 20), day_of(2026, 10, 20), "folded lines");
  /* LF-only folding too */
  psvc_calendar *d = office();
  import_ok(d, "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:202610\n 01\n"
               "DTEND;VALUE=DATE:20261003\nEND:VEVENT\nEND:VCALENDAR\n");
  same_calendar(d, a, day_of(2026, 9, 20), day_of(2026, 10, 20), "LF folded lines");
  psvc_calendar_free(c);
  psvc_calendar_free(d);
  psvc_calendar_free(a);
}
END_TEST

START_TEST(test_T22_ical_makeup_day_stays_working) {
  dates_init();
  psvc_calendar *c = office();
  ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 10, 10, 1), PSVC_OK);
  char *text = vcal("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nDTEND;VALUE=DATE:20261012\n"
                    "END:VEVENT\n");
  import_ok(c, text);
  for (int d = 1; d <= 11; d++)
    ck_assert_msg(psvc_calendar_is_workday(c, 2026, 10, d) == (d == 10),
                  "2026-10-%02d after the import", d);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 10, 12), 1);
  int64_t e = 0; /* the make-up day works Monday's hours */
  ck_assert_int_eq(psvc_calendar_elapsed(c, lt(2026, 10, 10, 0, 0, 0, CN),
                                         lt(2026, 10, 11, 0, 0, 0, CN), &e),
                   PSVC_OK);
  ck_assert_int_eq(e, 7 * 3600);
  free(text);
  /* on the shipped calendar: a 2027 block imports next to the 2026 data */
  char *cn = cn2026_text();
  psvc_calendar *p = parse_ok(cn);
  free(cn);
  text = vcal("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nDURATION:P3D\nEND:VEVENT\n"
              "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261009\nDTEND;VALUE=DATE:20261011\n"
              "END:VEVENT\n");
  import_ok(p, text);
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2026, 12, 31), 1);
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2027, 1, 1), 0);
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2027, 1, 4), 1);
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2026, 10, 9), 0);
  ck_assert_int_eq(psvc_calendar_is_workday(p, 2026, 10, 10), 1); /* still a make-up day */
  free(text);
  psvc_calendar_free(p);
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_ical_errors) {
  dates_init();
  char *t;
  /* recurring events are refused */
  t = vcal("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nRRULE:FREQ=YEARLY\nEND:VEVENT\n");
  import_fails(t, 4, 7);
  free(t);
  t = vcal("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nRDATE;VALUE=DATE:20271001\n"
           "END:VEVENT\n");
  import_fails(t, 4, 7);
  free(t);
  /* a good event before a bad one: nothing of either is kept */
  t = vcal("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261101\nEND:VEVENT\n"
           "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261230\nDTEND;VALUE=DATE:20261228\nEND:VEVENT\n");
  import_fails(t, 7, 10);
  free(t);
  /* a bad date */
  import_fails("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260230\nEND:VEVENT\n"
               "END:VCALENDAR\n",
               3, 3);
  import_fails("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2026-10-01\nEND:VEVENT\n"
               "END:VCALENDAR\n",
               3, 3);
  import_fails("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\n"
               "DURATION:PT8H\nEND:VEVENT\nEND:VCALENDAR\n",
               4, 4);
  /* missing END:VCALENDAR: reported at the end of the text */
  import_fails("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nEND:VEVENT\n", 4, 5);
  import_fails("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 2, 3);
  import_fails("", 0, 0);
  /* content outside VCALENDAR, before or after it */
  import_fails("X-FOO:bar\nBEGIN:VCALENDAR\nEND:VCALENDAR\n", 1, 1);
  import_fails("BEGIN:VCALENDAR\nEND:VCALENDAR\nBEGIN:VEVENT\n", 3, 3);
  import_fails("BEGIN:VCALENDAR\nEND:VCALENDAR\nBEGIN:VCALENDAR\nEND:VCALENDAR\n", 3, 3);
  /* an unclosed VEVENT, a nested one, an END without BEGIN */
  import_fails("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nEND:VCALENDAR\n", 4,
               4);
  import_fails("BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VEVENT\nEND:VEVENT\nEND:VCALENDAR\n", 3, 3);
  import_fails("BEGIN:VCALENDAR\nEND:VEVENT\nEND:VCALENDAR\n", 2, 2);
  /* a line that is not NAME:VALUE */
  import_fails("BEGIN:VCALENDAR\nthis is not a content line\nEND:VCALENDAR\n", 2, 2);
  /* NULL arguments */
  psvc_calendar *c = office();
  ck_assert_int_eq(psvc_calendar_import_ical(NULL, "BEGIN:VCALENDAR\nEND:VCALENDAR\n", NULL),
                   PSVC_EINVAL);
  char *err = NULL;
  ck_assert_int_eq(psvc_calendar_import_ical(c, NULL, &err), PSVC_EINVAL);
  ck_assert_ptr_null(err);
  ck_assert_str_ne(psvc_errmsg(NULL), "");
  /* an empty VCALENDAR is fine and adds nothing */
  psvc_calendar *a = office();
  import_ok(c, "BEGIN:VCALENDAR\nEND:VCALENDAR\n");
  same_calendar(c, a, day_of(2026, 9, 1), day_of(2026, 10, 31), "an empty VCALENDAR");
  psvc_calendar_free(a);
  psvc_calendar_free(c);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------------------ */

/* Parses `text` with the k-th allocation failing, for every k: the code is
   PSVC_ENOMEM (or OK, then the calendar is right), *out untouched, nothing
   leaked. `want_rc` is the code without failures (OK or EPARSE). */
static void parse_alloc_loop(const char *text, int want_rc, int64_t lo, int64_t hi) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  fault_alloc_arm(&fa, 0);
  psvc_calendar *good = NULL;
  char *err = NULL;
  ck_assert_int_eq(psvc_calendar_parse(text, &good, &err), want_rc);
  long n = fa.count;
  ck_assert_int_gt(n, 0);
  psvc_free(err);
  fp want = {NULL, 0, 0}, got = {NULL, 0, 0};
  fa.paused = true;
  if (good)
    fingerprint(good, lo, hi, &want);
  fa.paused = false;
  long nomem = 0, baseline = fa.live_blocks; /* `good`'s blocks */
  for (long k = 1; k <= n + 1; k++) {
    fault_alloc_arm(&fa, k);
    psvc_calendar *c = (psvc_calendar *)&fa;
    err = NULL;
    int rc = psvc_calendar_parse(text, &c, &err);
    if (k == n + 1) { /* past the last allocation: as without failures */
      ck_assert_int_eq(rc, want_rc);
    } else if (rc == PSVC_ENOMEM) {
      nomem++;
      ck_assert_ptr_null(err);
    } else {
      ck_assert_msg(rc == want_rc, "k=%ld of %ld: rc %d (%s), want PSVC_ENOMEM or %d", k, n, rc,
                    psvc_errmsg(NULL), want_rc);
    }
    if (rc == PSVC_OK) {
      fa.paused = true;
      fingerprint(c, lo, hi, &got);
      fa.paused = false;
      ck_assert(got.n == want.n && memcmp(got.v, want.v, got.n * sizeof *got.v) == 0);
      psvc_calendar_free(c);
    } else {
      ck_assert_msg(c == (psvc_calendar *)&fa, "k=%ld: *out written on failure", k);
      if (rc == PSVC_EPARSE && err) /* err may be NULL if copying the message failed */
        ck_assert_ptr_nonnull(strstr(err, "line "));
      psvc_free(err);
    }
    ck_assert_msg(fa.live_blocks == baseline, "k=%ld: %ld blocks leaked", k,
                  fa.live_blocks - baseline);
  }
  ck_assert_int_gt(nomem, 0);
  psvc_calendar_free(good);
  ck_assert_msg(fa.live_blocks == 0, "%ld blocks leaked", fa.live_blocks);
  fp_free(&want);
  fp_free(&got);
  FAULT_ALLOC_END(&fa);
}

START_TEST(test_T22_parse_alloc_failure_every_k) {
  dates_init();
  char *cn = cn2026_text();
  parse_alloc_loop(cn, PSVC_OK, day_of(2026, 9, 15), day_of(2026, 10, 15));
  free(cn);
}
END_TEST

START_TEST(test_T22_parse_alloc_failure_hours_after_holidays) {
  dates_init();
  /* hours after the holidays: each window is added while exceptions exist
     (the tables are rebuilt then, which allocates) */
  parse_alloc_loop("utc+08:00\nholiday 2026-10-01..2026-10-07\nworkday 2026-10-10 as mon\n"
                   "hours mon-fri 08:30-12:00\nhours sat 09:00-10:00\n",
                   PSVC_OK, day_of(2026, 9, 25), day_of(2026, 10, 15));
}
END_TEST

START_TEST(test_T22_parse_alloc_failure_error_text) {
  dates_init();
  /* an error at line 4: EPARSE (maybe without *err) or ENOMEM, never a leak */
  parse_alloc_loop("utc+08:00\nholiday 2026-10-01..2026-10-07\nhours mon 09:00-10:00\n"
                   "holiday 2026-02-30\n",
                   PSVC_EPARSE, 0, 0);
  parse_alloc_loop("hours mon 09:00-10:00\nbogus\n", PSVC_EPARSE, 0, 0);
}
END_TEST

START_TEST(test_T22_import_alloc_failure_every_k) {
  dates_init();
  char *text = vcal("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nDTEND;VALUE=DATE:20261008\n"
                    "END:VEVENT\n"
                    "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261101\nDURATION:P1W\nEND:VEVENT\n"
                    "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nEND:VEVENT\n");
  char *bad = vcal("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nEND:VEVENT\n"
                   "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261301\nEND:VEVENT\n");
  int64_t lo = day_of(2026, 9, 25), hi = day_of(2026, 12, 31);
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  for (int which = 0; which < 2; which++) {
    const char *t = which ? bad : text;
    int want_rc = which ? PSVC_EPARSE : PSVC_OK;
    fp before = {NULL, 0, 0}, after = {NULL, 0, 0}, got = {NULL, 0, 0};
    fault_alloc_arm(&fa, 0);
    /* the calendar before and after a good import, and the allocation count */
    psvc_calendar *c = office();
    ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 10, 10, 1), PSVC_OK);
    ck_assert_int_eq(psvc_calendar_add_holiday(c, 2026, 9, 30), PSVC_OK);
    fingerprint(c, lo, hi, &before);
    fault_alloc_arm(&fa, 0);
    char *err = NULL;
    ck_assert_int_eq(psvc_calendar_import_ical(c, t, &err), want_rc);
    long n = fa.count;
    psvc_free(err);
    fingerprint(c, lo, hi, &after);
    psvc_calendar_free(c);
    ck_assert_int_gt(n, 0);
    for (long k = 1; k <= n; k++) {
      fa.paused = true;
      c = office();
      ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 10, 10, 1), PSVC_OK);
      ck_assert_int_eq(psvc_calendar_add_holiday(c, 2026, 9, 30), PSVC_OK);
      fa.paused = false;
      fault_alloc_arm(&fa, k);
      err = NULL;
      int rc = psvc_calendar_import_ical(c, t, &err);
      ck_assert_msg(rc == PSVC_ENOMEM || rc == want_rc, "k=%ld of %ld: rc %d (%s)", k, n, rc,
                    psvc_errmsg(NULL));
      fa.paused = true;
      fingerprint(c, lo, hi, &got);
      const fp *w = rc == PSVC_OK ? &after : &before;
      ck_assert_msg(got.n == w->n && memcmp(got.v, w->v, got.n * sizeof *got.v) == 0,
                    "k=%ld: rc %d but the calendar reads %s", k, rc,
                    rc == PSVC_OK ? "unlike a good import" : "changed");
      psvc_free(err);
      psvc_calendar_free(c);
      fa.paused = false;
      ck_assert_msg(fa.live_blocks == 0, "k=%ld: %ld blocks leaked", k, fa.live_blocks);
    }
    fp_free(&before);
    fp_free(&after);
    fp_free(&got);
  }
  FAULT_ALLOC_END(&fa);
  free(text);
  free(bad);
}
END_TEST

static Suite *calparse_suite(void) {
  Suite *s = suite_create("calparse");
  TCase *tc = tcase_create("parse");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_T22_parse_every_directive_form);
  tcase_add_test(tc, test_T22_parse_utc_offsets);
  tcase_add_test(tc, test_T22_parse_weekday_lists_and_windows);
  tcase_add_test(tc, test_T22_parse_comments_blank_crlf_case);
  tcase_add_test(tc, test_T22_parse_empty_texts);
  tcase_add_test(tc, test_T22_parse_null_arguments);
  tcase_add_test(tc, test_T22_cn2026_matches_appendix_a);
  tcase_add_test(tc, test_T22_parse_random_texts_equal_api);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_T22_parse_errors);
  tcase_add_test(tc, test_T22_parse_long_lines);
  tcase_add_test(tc, test_T22_parse_mutated_texts_never_crash);
  suite_add_tcase(s, tc);

  tc = tcase_create("ical");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_T22_ical_all_day_events);
  tcase_add_test(tc, test_T22_ical_folded_lines);
  tcase_add_test(tc, test_T22_ical_makeup_day_stays_working);
  tcase_add_test(tc, test_T22_ical_errors);
  suite_add_tcase(s, tc);

  tc = tcase_create("alloc");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_T22_parse_alloc_failure_every_k);
  tcase_add_test(tc, test_T22_parse_alloc_failure_hours_after_holidays);
  tcase_add_test(tc, test_T22_parse_alloc_failure_error_text);
  tcase_add_test(tc, test_T22_import_alloc_failure_every_k);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(calparse_suite()); }
