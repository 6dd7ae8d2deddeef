/*
 * test_calendar.c — lib/calendar.c through the public API: business
 * calendars and their arithmetic (rules T-22, T-23).
 *
 * The library computes with closed forms and tables; this file holds the
 * obvious algorithm as the reference (TESTING.md, "Property tests"): a
 * calendar is a UTC offset, the worked minutes of each ISO weekday, holidays
 * and make-up days, and every question is answered by walking minute by
 * minute (a day without working time, or a whole day inside the range, is
 * skipped in one step). Dates are converted with a table of year starts
 * built by adding year lengths, independently of the library's algorithm.
 *
 * Environment: PSVC_CAL_SEED (default 0x5eed2026) and PSVC_CAL_CASES (the
 * number of random cases of the property test, default 100000) make a
 * failure reproducible and the run longer or shorter.
 */
#include "fault.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TMAX ((psvc_time)253402300799) /* 9999-12-31T23:59:59Z */
#define DAY_S ((int64_t)86400)
#define SENT ((psvc_time)-777)         /* an out value no call may produce */
#define PROP_ITERS 10                  /* the property test is a loop test */

static const char *const wd_name[8] = {"-", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* ---- dates, independently of the library ----------------------------------------- */

#define Y_LO 1970
#define Y_HI 10001
static int64_t ystart[Y_HI - Y_LO + 2]; /* day number of 1 January of Y_LO + i */
static int dates_ready;

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m) {
  static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return md[m - 1] + (m == 2 && leap(y));
}

static void dates_init(void) {
  if (dates_ready)
    return;
  ystart[0] = 0;
  for (int y = Y_LO; y <= Y_HI; y++)
    ystart[y - Y_LO + 1] = ystart[y - Y_LO] + 365 + leap(y);
  dates_ready = 1;
}

static int valid_date(int y, int m, int d) {
  return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

/* Days since 1970-01-01 of a date in 1970 .. 10001. */
static int64_t day_of(int y, int m, int d) {
  int64_t n = ystart[y - Y_LO];
  for (int i = 1; i < m; i++)
    n += month_days(y, i);
  return n + d - 1;
}

static void date_of(int64_t day, int *y, int *m, int *d) {
  if (day < 0) { /* local days before 1970 reachable from valid instants */
    *y = 1969;
    *m = 12;
    *d = (int)(32 + day);
    return;
  }
  int lo = 0, hi = Y_HI - Y_LO; /* the last year starting on or before day */
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

static int64_t fdiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ISO weekday of a day number: 1970-01-01 was a Thursday. */
static int iso_wd(int64_t day) { return (int)((((day % 7) + 7) % 7 + 3) % 7) + 1; }

/* The UTC instant of a local wall-clock time at a UTC offset. */
static psvc_time lt(int y, int m, int d, int hh, int mi, int ss, int off_min) {
  return day_of(y, m, d) * DAY_S + hh * 3600 + mi * 60 + ss - (int64_t)off_min * 60;
}

/* "2026-10-13 23:59:59 (+480)" for messages. */
static const char *fmt_local(psvc_time t, int off_min, char *buf, size_t n) {
  int64_t l = t + (int64_t)off_min * 60, day = fdiv(l, DAY_S), sod = l - day * DAY_S;
  int y, m, d;
  if (day < -2 || day > 2932898) {
    snprintf(buf, n, "t=%" PRId64, (int64_t)t);
    return buf;
  }
  date_of(day, &y, &m, &d);
  snprintf(buf, n, "%" PRId64 " = %04d-%02d-%02d %02d:%02d:%02d local %s", (int64_t)t, y, m, d,
           (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), wd_name[iso_wd(day)]);
  return buf;
}

/* ---- the reference ------------------------------------------------------------------ */

#define REF_MAXEX 160

typedef struct ref_cal {
  int off;                     /* UTC offset, minutes */
  unsigned char work[8][1440]; /* work[p][m]: minute m of weekday p is worked; p 0 never */
  int64_t total[8];            /* business seconds of a day of profile p */
  int nex;
  int64_t exday[REF_MAXEX];
  int exprof[REF_MAXEX]; /* 0 holiday, 1..7 make-up day working that weekday */
} ref_cal;

static void ref_init(ref_cal *r, int off) {
  memset(r, 0, sizeof *r);
  r->off = off;
}

static void ref_hours(ref_cal *r, int wd, int open, int close) {
  for (int m = open; m < close; m++)
    r->work[wd][m] = 1;
  r->total[wd] = 0;
  for (int m = 0; m < 1440; m++)
    r->total[wd] += r->work[wd][m] ? 60 : 0;
}

/* Exceptions are kept sorted by day, so that a lookup is a binary search. */
static int ref_find(const ref_cal *r, int64_t day) {
  int lo = 0, hi = r->nex;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (r->exday[mid] < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < r->nex && r->exday[lo] == day ? lo : -1;
}

static void ref_except(ref_cal *r, int64_t day, int prof) {
  if (r->nex >= REF_MAXEX)
    ck_abort_msg("the reference holds at most %d exceptions", REF_MAXEX);
  int at = r->nex;
  while (at > 0 && r->exday[at - 1] > day) {
    r->exday[at] = r->exday[at - 1];
    r->exprof[at] = r->exprof[at - 1];
    at--;
  }
  r->exday[at] = day;
  r->exprof[at] = prof;
  r->nex++;
}

/* The profile of a local day: the exception if there is one, else its weekday. */
static int ref_profile(const ref_cal *r, int64_t day) {
  int i = ref_find(r, day);
  return i >= 0 ? r->exprof[i] : iso_wd(day);
}

static int ref_any_work(const ref_cal *r) {
  for (int p = 1; p <= 7; p++)
    if (r->total[p])
      return 1;
  return 0;
}

/* The smallest t' >= t with `s` business seconds in [t, t'). */
static int ref_add_seconds(const ref_cal *r, psvc_time t, int64_t s, psvc_time *out) {
  if (t < 0 || t > TMAX || s < 0)
    return PSVC_ERANGE;
  if (s == 0) {
    *out = t;
    return PSVC_OK;
  }
  if (s > TMAX - t) /* even if every second counted, t' > TMAX */
    return PSVC_ERANGE;
  if (!ref_any_work(r))
    return PSVC_ERANGE;
  int64_t off = (int64_t)r->off * 60, left = s;
  int64_t day = fdiv(t + off, DAY_S), sod = t + off - day * DAY_S;
  for (;; day++, sod = 0) {
    if (day * DAY_S - off > TMAX)
      return PSVC_ERANGE; /* the walk went past the end of time */
    int p = ref_profile(r, day);
    if (r->total[p] == 0)
      continue;
    if (sod == 0 && left > r->total[p]) {
      left -= r->total[p];
      continue;
    }
    for (; sod < DAY_S; sod = (sod / 60 + 1) * 60) {
      if (!r->work[p][sod / 60])
        continue;
      int64_t avail = (sod / 60 + 1) * 60 - sod;
      if (left <= avail) {
        int64_t res = day * DAY_S + sod + left - off;
        if (res > TMAX)
          return PSVC_ERANGE;
        *out = res;
        return PSVC_OK;
      }
      left -= avail;
    }
  }
}

/* Business seconds in [t0, t1). */
static int ref_elapsed(const ref_cal *r, psvc_time t0, psvc_time t1, int64_t *out) {
  if (t0 < 0 || t0 > TMAX || t1 < 0 || t1 > TMAX || t1 < t0)
    return PSVC_ERANGE;
  int64_t off = (int64_t)r->off * 60, x = t0 + off, e = t1 + off, sum = 0;
  while (x < e) {
    int64_t day = fdiv(x, DAY_S), sod = x - day * DAY_S;
    int64_t lim = e - day * DAY_S < DAY_S ? e - day * DAY_S : DAY_S;
    int p = ref_profile(r, day);
    if (r->total[p] == 0) {
      x = day * DAY_S + lim;
      continue;
    }
    if (sod == 0 && lim == DAY_S) {
      sum += r->total[p];
      x = (day + 1) * DAY_S;
      continue;
    }
    while (sod < lim) {
      int64_t end = (sod / 60 + 1) * 60 < lim ? (sod / 60 + 1) * 60 : lim;
      if (r->work[p][sod / 60])
        sum += end - sod;
      sod = end;
    }
    x = day * DAY_S + lim;
  }
  *out = sum;
  return PSVC_OK;
}

/* T-23: 23:59:59 local of the n-th working day after t's local day. */
static int ref_add_workdays(const ref_cal *r, psvc_time t, int64_t n, psvc_time *out) {
  if (t < 0 || t > TMAX || n < 0)
    return PSVC_ERANGE;
  int64_t off = (int64_t)r->off * 60, day = fdiv(t + off, DAY_S);
  if (n > 0) {
    if (!ref_any_work(r))
      return PSVC_ERANGE;
    /* the n-th working day after `day` is at least day + n */
    if ((day + n + 1) * DAY_S - 1 - off > TMAX)
      return PSVC_ERANGE;
    for (int64_t k = 0; k < n;) {
      day++;
      if ((day + 1) * DAY_S - 1 - off > TMAX)
        return PSVC_ERANGE;
      if (r->total[ref_profile(r, day)] > 0)
        k++;
    }
  }
  int64_t res = (day + 1) * DAY_S - 1 - off;
  if (res > TMAX)
    return PSVC_ERANGE;
  *out = res;
  return PSVC_OK;
}

static int ref_is_workday(const ref_cal *r, int y, int m, int d) {
  if (!valid_date(y, m, d))
    return PSVC_ERANGE;
  return r->total[ref_profile(r, day_of(y, m, d))] > 0;
}

/* ---- random numbers (splitmix64: reproducible everywhere) ----------------------------- */

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t rnext(rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (hi - lo well below 2^63). */
static int64_t rr(rng *r, int64_t lo, int64_t hi) {
  return lo + (int64_t)(rnext(r) % (uint64_t)(hi - lo + 1));
}

static int pct(rng *r, int p) { return rr(r, 0, 99) < p; }

static uint64_t env_u64(const char *name, uint64_t dflt) {
  const char *s = getenv(name);
  if (!s || !*s)
    return dflt;
  char *end;
  unsigned long long v = strtoull(s, &end, 0);
  return *end ? dflt : (uint64_t)v;
}

static uint64_t prop_seed(void) { return env_u64("PSVC_CAL_SEED", 0x5eed2026ull); }

/* ---- a calendar built twice: through the API and as a reference ----------------------- */

typedef struct gen {
  psvc_calendar *cal;
  ref_cal ref;
  int64_t lo, hi, center; /* the era's days and the focus of exceptions and queries */
  int bounds[64], nbounds; /* window edges, minutes */
  char text[16384];        /* the calendar in docs/calendar-format.md form, for messages */
  size_t ntext;
  char where[160];         /* seed / iteration / calendar, for messages */
} gen;

static void gtext(gen *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (g->ntext < sizeof g->text) {
    int n = vsnprintf(g->text + g->ntext, sizeof g->text - g->ntext, fmt, ap);
    if (n > 0)
      g->ntext += (size_t)n;
  }
  va_end(ap);
}

static void gen_fail(const gen *g, const char *what) {
  fprintf(stderr, "---- calendar of the failing case (%s) ----\n%s----\n", g->where, g->text);
  ck_abort_msg("%s: %s", g->where, what);
}

static void gen_start(gen *g, int off) {
  memset(g, 0, sizeof *g);
  if (psvc_calendar_new(&g->cal, off) != PSVC_OK)
    ck_abort_msg("psvc_calendar_new(%d): %s", off, psvc_errmsg(NULL));
  ref_init(&g->ref, off);
  gtext(g, "utc%c%02d:%02d\n", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
}

static void gen_hours(gen *g, int wd, int open, int close) {
  int rc = psvc_calendar_add_hours(g->cal, wd, open, close);
  if (rc != PSVC_OK) {
    char b[200];
    snprintf(b, sizeof b, "add_hours(%d, %d, %d) = %d: %s", wd, open, close, rc,
             psvc_errmsg(NULL));
    gen_fail(g, b);
  }
  ref_hours(&g->ref, wd, open, close);
  gtext(g, "hours %s %02d:%02d-%02d:%02d\n", wd_name[wd], open / 60, open % 60, close / 60,
        close % 60);
}

static void gen_holiday(gen *g, int64_t day) {
  int y, m, d;
  date_of(day, &y, &m, &d);
  if (!valid_date(y, m, d))
    return;
  int have = ref_find(&g->ref, day);
  int want = have >= 0 && g->ref.exprof[have] != 0 ? PSVC_EINVAL : PSVC_OK;
  int rc = psvc_calendar_add_holiday(g->cal, y, m, d);
  if (rc != want) {
    char b[200];
    snprintf(b, sizeof b, "add_holiday(%04d-%02d-%02d) = %d, want %d (T-22: %s)", y, m, d, rc,
             want, have >= 0 ? "already an exception day" : "new holiday");
    gen_fail(g, b);
  }
  if (rc == PSVC_OK && have < 0) {
    ref_except(&g->ref, day, 0);
    gtext(g, "holiday %04d-%02d-%02d\n", y, m, d);
  }
}

static void gen_workday(gen *g, int64_t day, int as) {
  int y, m, d;
  date_of(day, &y, &m, &d);
  if (!valid_date(y, m, d))
    return;
  int have = ref_find(&g->ref, day);
  if (have >= 0 && g->ref.exprof[have] != 0)
    as = g->ref.exprof[have]; /* the same make-up day again: harmless */
  int want = have >= 0 && g->ref.exprof[have] == 0 ? PSVC_EINVAL : PSVC_OK;
  int rc = psvc_calendar_add_workday(g->cal, y, m, d, as);
  if (rc != want) {
    char b[200];
    snprintf(b, sizeof b, "add_workday(%04d-%02d-%02d as %d) = %d, want %d", y, m, d, as, rc,
             want);
    gen_fail(g, b);
  }
  if (rc == PSVC_OK && have < 0) {
    ref_except(&g->ref, day, as);
    gtext(g, "workday %04d-%02d-%02d as %s\n", y, m, d, wd_name[as]);
  }
}

static int random_offset(rng *r) {
  static const int common[] = {0, 480, -300, 330, 345, 525, 765, -570, 840, -840, 60, -60, 570};
  switch (rr(r, 0, 3)) {
  case 0:
  case 1: return common[rr(r, 0, (int64_t)(sizeof common / sizeof common[0]) - 1)];
  case 2: return (int)rr(r, -28, 28) * 30;
  default: return (int)rr(r, -840, 840);
  }
}

static void random_window(rng *r, int *open, int *close) {
  switch (rr(r, 0, 9)) {
  case 0: *open = 0, *close = 1440; return;                                 /* all day */
  case 1: *open = 0, *close = (int)rr(r, 1, 1440); return;                  /* from midnight */
  case 2: *open = (int)rr(r, 0, 1439), *close = 1440; return;               /* to 24:00 */
  case 3: *open = (int)rr(r, 0, 1439), *close = *open + 1; return;          /* one minute */
  default:
    *open = (int)rr(r, 0, 1439);
    *close = (int)rr(r, *open + 1, *open + 600 < 1440 ? *open + 600 : 1440);
    return;
  }
}

static void random_hours(gen *g, rng *r, int max_per_day) {
  for (int wd = 1; wd <= 7; wd++) {
    int n = pct(r, 25) ? 0 : (int)rr(r, 0, max_per_day);
    for (int i = 0; i < n; i++) {
      int open, close;
      random_window(r, &open, &close);
      gen_hours(g, wd, open, close);
    }
  }
}

/* Eras: the days the calendar's exceptions and the queries concentrate on. */
static void random_era(gen *g, rng *r) {
  int64_t first = day_of(1970, 1, 1), last = day_of(9999, 12, 31);
  switch (rr(r, 0, 5)) {
  case 0: g->lo = first, g->hi = day_of(1971, 12, 31); break;
  case 1: g->lo = day_of(2026, 9, 1), g->hi = day_of(2027, 3, 31); break; /* year end */
  case 2: g->lo = day_of(2099, 11, 1), g->hi = day_of(2100, 4, 30); break; /* 2100: not leap */
  case 3: g->lo = day_of(9990, 1, 1), g->hi = last; break;
  case 4: g->lo = day_of(9999, 9, 1), g->hi = last; break; /* the last months of time */
  default: g->lo = first, g->hi = last; break;
  }
  g->center = rr(r, g->lo, g->hi);
  if (pct(r, 10))
    g->center = pct(r, 50) ? g->lo : g->hi;
}

static void collect_bounds(gen *g) {
  g->nbounds = 0;
  for (int p = 1; p <= 7; p++)
    for (int m = 0; m <= 1440 && g->nbounds < 64; m++) {
      int before = m > 0 ? g->ref.work[p][m - 1] : 0, after = m < 1440 ? g->ref.work[p][m] : 0;
      if (before != after)
        g->bounds[g->nbounds++] = m;
    }
}

/* A random calendar: hours, then holiday blocks and make-up days around the
   focus, sometimes more hours after them (the tables are rebuilt with
   exceptions present), and now and then the first and last days of time. */
static void gen_random(gen *g, rng *r) {
  gen_start(g, random_offset(r));
  random_era(g, r);
  if (!pct(r, 8))
    random_hours(g, r, 3);
  int nblocks = (int)rr(r, 0, 6);
  for (int b = 0; b < nblocks; b++) {
    int64_t start = g->center + rr(r, -40, 40), len = rr(r, 1, 10);
    for (int64_t d = start; d < start + len; d++)
      gen_holiday(g, d);
    if (pct(r, 15))
      gen_holiday(g, start); /* listed twice: harmless */
  }
  int nmake = (int)rr(r, 0, 5);
  for (int i = 0; i < nmake; i++)
    gen_workday(g, g->center + rr(r, -40, 40), (int)rr(r, 1, 7));
  /* the first and the last day of time: often when the era is there, rarely
     otherwise (the tables then span eight millennia, which is slow to build) */
  if (rr(r, 0, 999) < (g->center - day_of(1970, 1, 1) < 800 ? 100 : 5))
    gen_holiday(g, day_of(1970, 1, 1));
  if (rr(r, 0, 999) < (day_of(9999, 12, 31) - g->center < 4000 ? 100 : 5)) {
    if (pct(r, 50))
      gen_holiday(g, day_of(9999, 12, 31));
    else
      gen_workday(g, day_of(9999, 12, 31), (int)rr(r, 1, 7));
  }
  if (pct(r, 30))
    random_hours(g, r, 1);
  collect_bounds(g);
}

static void gen_free(gen *g) {
  psvc_calendar_free(g->cal);
  g->cal = NULL;
}

/* ---- random queries -------------------------------------------------------------------- */

static int64_t pick_day(const gen *g, rng *r) {
  int k = (int)rr(r, 0, 99);
  if (k < 60)
    return g->center + rr(r, -50, 50);
  if (k < 80 && g->ref.nex)
    return g->ref.exday[rr(r, 0, g->ref.nex - 1)] + rr(r, -1, 1);
  return rr(r, g->lo, g->hi);
}

static psvc_time pick_time(const gen *g, rng *r) {
  int k = (int)rr(r, 0, 99);
  if (k < 6) { /* the ends of time, and just outside them */
    switch (rr(r, 0, 5)) {
    case 0: return 0;
    case 1: return TMAX;
    case 2: return TMAX - rr(r, 0, 3 * DAY_S);
    case 3: return rr(r, 0, 3 * DAY_S);
    case 4: return -rr(r, 1, 100);
    default: return TMAX + rr(r, 1, 100);
    }
  }
  int64_t day = pick_day(g, r), sod;
  if (k < 50) {
    sod = rr(r, 0, DAY_S - 1);
  } else if (k < 85 && g->nbounds) {
    static const int delta[] = {-61, -60, -1, 0, 0, 0, 1, 59, 60};
    sod = (int64_t)g->bounds[rr(r, 0, g->nbounds - 1)] * 60 + delta[rr(r, 0, 8)];
    sod = sod < 0 ? 0 : sod >= DAY_S ? DAY_S - 1 : sod;
  } else {
    static const int64_t fixed[] = {0, 1, 43200, DAY_S - 1};
    sod = fixed[rr(r, 0, 3)];
  }
  return day * DAY_S + sod - (int64_t)g->ref.off * 60;
}

static int64_t week_total(const ref_cal *r) {
  int64_t w = 0;
  for (int p = 1; p <= 7; p++)
    w += r->total[p];
  return w ? w : DAY_S;
}

static int64_t pick_secs(const gen *g, rng *r, psvc_time t) {
  int64_t w = week_total(&g->ref);
  int k = (int)rr(r, 0, 99);
  if (k < 8)
    return 0;
  if (k < 25)
    return rr(r, 1, 3600);
  if (k < 30)
    return rr(r, 1, 60);
  if (k < 55)
    return rr(r, 1, 2 * w + 1);
  if (k < 75) { /* whole days of a profile, and one second either side */
    int p = (int)rr(r, 1, 7);
    int64_t s = rr(r, 1, 10) * (g->ref.total[p] ? g->ref.total[p] : 3600) + rr(r, -1, 1);
    return s > 0 ? s : 1;
  }
  if (k < 92)
    return rr(r, 1, 10 * w + 1);
  if (k < 96) { /* up to and past the end of time */
    if (t >= lt(9990, 1, 1, 0, 0, 0, 0) && t <= TMAX)
      return rr(r, (TMAX - t) / 2, TMAX - t + 10);
    if (t < 0 || t > TMAX)
      return rr(r, 1, TMAX);
    /* more than the seconds left before the end of time: ERANGE, whatever the hours */
    return pct(r, 50) ? rr(r, TMAX - t + 1, TMAX + 10) : TMAX - t + rr(r, 1, 100);
  }
  return -rr(r, 1, 1000);
}

static int64_t pick_days(rng *r) {
  int k = (int)rr(r, 0, 99);
  if (k < 10)
    return 0;
  if (k < 70)
    return rr(r, 1, 10);
  if (k < 90)
    return rr(r, 1, 60);
  if (k < 95)
    return rr(r, 100, 400);
  if (k < 97)
    return pct(r, 50) ? INT_MAX : 3000000;
  return -rr(r, 1, 1000);
}

static psvc_time pick_end(rng *r, psvc_time t0) { /* for elapsed(t0, t1) */
  int k = (int)rr(r, 0, 99);
  if (k < 10)
    return t0;
  if (k < 50)
    return t0 + rr(r, 1, 3 * DAY_S);
  if (k < 80)
    return t0 + rr(r, 1, 40 * DAY_S);
  if (k < 90)
    return t0 + rr(r, 1, 400 * DAY_S);
  if (k < 95)
    return t0 - rr(r, 1, 2 * DAY_S); /* t1 before t0 */
  if (t0 >= lt(9990, 1, 1, 0, 0, 0, 0)) /* to the end of time, or just past it */
    return pct(r, 50) ? TMAX : TMAX + 1;
  return pct(r, 50) ? TMAX + 1 : t0 + rr(r, 1, 5 * 366 * DAY_S);
}

/* ---- one random case: every query against the reference ------------------------------- */

typedef struct prop_stats {
  long cases, ok, erange;
} prop_stats;

static void case_mismatch(const gen *g, const char *call, psvc_time t, int64_t arg, int rc,
                          int64_t got, int wrc, int64_t want) {
  char a[120], b[120], c[120], msg[600];
  int off = g->ref.off;
  snprintf(msg, sizeof msg, "%s(t=%s, %" PRId64 "): rc %d out %s; reference rc %d out %s", call,
           fmt_local(t, off, a, sizeof a), arg, rc,
           rc == PSVC_OK ? fmt_local(got, off, b, sizeof b) : "-", wrc,
           wrc == PSVC_OK ? fmt_local(want, off, c, sizeof c) : "-");
  gen_fail(g, msg);
}

static void one_case(const gen *g, rng *r, prop_stats *st) {
  psvc_time t = pick_time(g, r);
  int64_t s = pick_secs(g, r, t), n = pick_days(r);
  psvc_time t1 = pick_end(r, t);

  psvc_time got = SENT, want = SENT;
  int rc = psvc_calendar_add_seconds(g->cal, t, s, &got);
  int wrc = ref_add_seconds(&g->ref, t, s, &want);
  if (rc != wrc || (rc == PSVC_OK ? got != want : got != SENT))
    case_mismatch(g, "T-22 add_seconds", t, s, rc, got, wrc, want);
  st->ok += rc == PSVC_OK;
  st->erange += rc == PSVC_ERANGE;

  got = want = SENT;
  rc = psvc_calendar_add_workdays(g->cal, t, (int)n, &got);
  wrc = ref_add_workdays(&g->ref, t, n, &want);
  if (rc != wrc || (rc == PSVC_OK ? got != want : got != SENT))
    case_mismatch(g, "T-23 add_workdays", t, n, rc, got, wrc, want);

  int64_t e = SENT, we = SENT;
  rc = psvc_calendar_elapsed(g->cal, t, t1, &e);
  wrc = ref_elapsed(&g->ref, t, t1, &we);
  if (rc != wrc || (rc == PSVC_OK ? e != we : e != SENT))
    case_mismatch(g, "T-22 elapsed to t1", t, t1, rc, e, wrc, we);

  int y, m, d;
  date_of(pick_day(g, r), &y, &m, &d);
  if (pct(r, 2)) /* an invalid date now and then */
    d = 31, m = pct(r, 50) ? 2 : 4;
  rc = psvc_calendar_is_workday(g->cal, y, m, d);
  wrc = ref_is_workday(&g->ref, y, m, d);
  if (rc != wrc) {
    char b[200];
    snprintf(b, sizeof b, "T-22 is_workday(%04d-%02d-%02d) = %d, reference %d", y, m, d, rc,
             wrc);
    gen_fail(g, b);
  }
  st->cases++;
}

/* ---- the reference checks itself ------------------------------------------------------ */

START_TEST(test_reference_dates_and_weekdays) {
  dates_init();
  ck_assert_int_eq(day_of(1970, 1, 1), 0);
  ck_assert_int_eq(day_of(2000, 1, 1), 10957);              /* 946684800 / 86400 */
  ck_assert_int_eq(day_of(9999, 12, 31), TMAX / DAY_S);      /* 2932896 */
  ck_assert_int_eq(lt(2026, 9, 21, 14, 13, 20, 0), FAULT_NOW); /* fault.h's fixed now */
  ck_assert_int_eq(iso_wd(day_of(1970, 1, 1)), 4);          /* Thursday */
  ck_assert_int_eq(iso_wd(day_of(2026, 1, 1)), 4);          /* Thursday */
  ck_assert_int_eq(iso_wd(day_of(2026, 10, 10)), 6);        /* Saturday (Appendix A) */
  ck_assert_int_eq(iso_wd(day_of(2026, 9, 20)), 7);         /* Sunday (Appendix A) */
  ck_assert_int_eq(iso_wd(day_of(9999, 12, 31)), 5);        /* Friday */
  ck_assert_int_eq(iso_wd(-1), 3);                          /* 1969-12-31, Wednesday */
  ck_assert(!valid_date(2100, 2, 29) && valid_date(2000, 2, 29) && valid_date(2096, 2, 29));
  for (int64_t day = -2; day <= TMAX / DAY_S + 1; day += 1 + day / 3000) {
    int y, m, d;
    date_of(day, &y, &m, &d);
    if (day >= 0 && day_of(y, m, d) != day)
      ck_abort_msg("date_of(%" PRId64 ") = %04d-%02d-%02d does not go back", day, y, m, d);
  }
  /* the reference on a hand-checked calendar: mon 09:00-10:00 */
  ref_cal r;
  ref_init(&r, 0);
  ref_hours(&r, 1, 540, 600);
  psvc_time mon = lt(2026, 9, 28, 9, 0, 0, 0), out = 0;
  int64_t e = 0;
  ck_assert_int_eq(ref_add_seconds(&r, mon, 3600, &out), PSVC_OK);
  ck_assert_int_eq(out, mon + 3600);
  ck_assert_int_eq(ref_add_seconds(&r, mon, 3601, &out), PSVC_OK);
  ck_assert_int_eq(out, mon + 7 * DAY_S + 1);
  ck_assert_int_eq(ref_elapsed(&r, mon - 10, mon + 7 * DAY_S + 30, &e), PSVC_OK);
  ck_assert_int_eq(e, 3630);
  ck_assert_int_eq(ref_add_workdays(&r, mon, 2, &out), PSVC_OK);
  ck_assert_int_eq(out, lt(2026, 10, 12, 23, 59, 59, 0));
}
END_TEST

/* ---- T-22: named cases ------------------------------------------------------------------ */

START_TEST(test_T22_half_hour_offset_india) {
  dates_init();
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, 330), PSVC_OK); /* +05:30 */
  for (int wd = 1; wd <= 5; wd++)
    ck_assert_int_eq(psvc_calendar_add_hours(c, wd, 9 * 60, 17 * 60), PSVC_OK);
  psvc_time t = lt(2026, 9, 28, 8, 0, 0, 330), out = 0; /* Monday 08:00 IST = 02:30Z */
  ck_assert_int_eq(t, lt(2026, 9, 28, 2, 30, 0, 0));
  ck_assert_int_eq(psvc_calendar_add_seconds(c, t, 3600, &out), PSVC_OK);
  ck_assert_int_eq(out, lt(2026, 9, 28, 10, 0, 0, 330));
  /* Friday 16:30 IST + 1 h: half an hour on Friday, half on Monday */
  ck_assert_int_eq(psvc_calendar_add_seconds(c, lt(2026, 10, 2, 16, 30, 0, 330), 3600, &out),
                   PSVC_OK);
  ck_assert_int_eq(out, lt(2026, 10, 5, 9, 30, 0, 330));
  /* 23:00Z Sunday is already Monday 04:30 in India: one working day later is Tuesday */
  ck_assert_int_eq(psvc_calendar_add_workdays(c, lt(2026, 9, 27, 23, 0, 0, 0), 1, &out),
                   PSVC_OK);
  ck_assert_int_eq(out, lt(2026, 9, 29, 23, 59, 59, 330));
  ck_assert_int_eq(psvc_calendar_add_workdays(c, lt(2026, 9, 27, 18, 0, 0, 0), 1, &out),
                   PSVC_OK); /* 23:30 Sunday local */
  ck_assert_int_eq(out, lt(2026, 9, 28, 23, 59, 59, 330));
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_windows_touch_midnight) {
  dates_init();
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, -300), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 5, 22 * 60, 1440), PSVC_OK); /* fri 22-24 */
  ck_assert_int_eq(psvc_calendar_add_hours(c, 6, 0, 2 * 60), PSVC_OK);      /* sat 00-02 */
  psvc_time t = lt(2026, 10, 2, 23, 0, 0, -300), out = 0;
  ck_assert_int_eq(psvc_calendar_add_seconds(c, t, 2 * 3600, &out), PSVC_OK);
  ck_assert_int_eq(out, lt(2026, 10, 3, 1, 0, 0, -300));
  /* exactly the last second of Friday's window ends at Saturday 00:00 */
  ck_assert_int_eq(psvc_calendar_add_seconds(c, t, 3600, &out), PSVC_OK);
  ck_assert_int_eq(out, lt(2026, 10, 3, 0, 0, 0, -300));
  int64_t e = 0;
  ck_assert_int_eq(psvc_calendar_elapsed(c, lt(2026, 10, 2, 0, 0, 0, -300),
                                         lt(2026, 10, 4, 0, 0, 0, -300), &e),
                   PSVC_OK);
  ck_assert_int_eq(e, 4 * 3600);
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_overlapping_windows_merge) {
  dates_init();
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, 0), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 3, 9 * 60, 12 * 60), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 3, 11 * 60, 13 * 60), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 3, 13 * 60, 14 * 60), PSVC_OK); /* touching */
  ck_assert_int_eq(psvc_calendar_add_hours(c, 3, 10 * 60, 11 * 60), PSVC_OK); /* inside */
  int64_t e = 0;
  psvc_time wed = lt(2026, 9, 30, 0, 0, 0, 0);
  ck_assert_int_eq(psvc_calendar_elapsed(c, wed, wed + DAY_S, &e), PSVC_OK);
  ck_assert_int_eq(e, 5 * 3600);
  /* 16 disjoint windows on one weekday fit; a 17th does not (calendar-format.md);
     one bridging two of them merges and fits */
  for (int i = 0; i < 16; i++)
    ck_assert_int_eq(psvc_calendar_add_hours(c, 1, i * 60, i * 60 + 30), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 1, 20 * 60, 21 * 60), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 1, 30, 90), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 1, 20 * 60, 21 * 60), PSVC_OK);
  psvc_time mon = lt(2026, 9, 28, 0, 0, 0, 0);
  ck_assert_int_eq(psvc_calendar_elapsed(c, mon, mon + DAY_S, &e), PSVC_OK);
  ck_assert_int_eq(e, (15 * 30 + 60 + 60) * 60); /* 00:00-01:30 is one window now */
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_holiday_and_makeup_day) {
  dates_init();
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, 480), PSVC_OK);
  for (int wd = 1; wd <= 5; wd++)
    ck_assert_int_eq(psvc_calendar_add_hours(c, wd, 8 * 60, 17 * 60), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 6, 9 * 60, 12 * 60), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_holiday(c, 2026, 9, 30), PSVC_OK); /* a Wednesday */
  ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 9, 27, 6), PSVC_OK); /* Sun as Sat */
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 9, 30), 0);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 9, 27), 1);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 9, 29), 1);
  int64_t e = 0;
  ck_assert_int_eq(psvc_calendar_elapsed(c, lt(2026, 9, 27, 0, 0, 0, 480),
                                         lt(2026, 9, 28, 0, 0, 0, 480), &e),
                   PSVC_OK);
  ck_assert_int_eq(e, 3 * 3600); /* the make-up Sunday works Saturday's hours */
  ck_assert_int_eq(psvc_calendar_elapsed(c, lt(2026, 9, 30, 0, 0, 0, 480),
                                         lt(2026, 10, 1, 0, 0, 0, 480), &e),
                   PSVC_OK);
  ck_assert_int_eq(e, 0);
  /* a make-up day naming a weekday without hours is not a working day */
  ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 10, 4, 7), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 10, 4), 0);
  /* the same holiday twice is harmless; the same make-up day twice too */
  ck_assert_int_eq(psvc_calendar_add_holiday(c, 2026, 9, 30), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 9, 27, 6), PSVC_OK);
  psvc_time out = 0;
  ck_assert_int_eq(psvc_calendar_add_seconds(c, lt(2026, 9, 29, 16, 0, 0, 480), 2 * 3600, &out),
                   PSVC_OK); /* 1 h Tuesday, Wednesday off, 1 h Thursday */
  ck_assert_int_eq(out, lt(2026, 10, 1, 9, 0, 0, 480));
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_add_seconds_zero_and_closing_instant) {
  dates_init();
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, 0), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 1, 9 * 60, 17 * 60), PSVC_OK);
  psvc_time sun = lt(2026, 9, 27, 12, 0, 0, 0), out = 0;
  ck_assert_int_eq(psvc_calendar_add_seconds(c, sun, 0, &out), PSVC_OK);
  ck_assert_int_eq(out, sun); /* 0 seconds: t itself, even outside hours */
  /* from the closing instant, 1 s is the first second of the next window */
  psvc_time close = lt(2026, 9, 28, 17, 0, 0, 0);
  ck_assert_int_eq(psvc_calendar_add_seconds(c, close, 1, &out), PSVC_OK);
  ck_assert_int_eq(out, lt(2026, 10, 5, 9, 0, 1, 0));
  ck_assert_int_eq(psvc_calendar_add_seconds(c, close - 1, 1, &out), PSVC_OK);
  ck_assert_int_eq(out, close);
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_T23_end_of_time) {
  dates_init();
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, 0), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 5, 0, 1440), PSVC_OK); /* 9999-12-31 is a Friday */
  psvc_time out = SENT, thu = lt(9999, 12, 30, 12, 0, 0, 0);
  ck_assert_int_eq(psvc_calendar_add_workdays(c, thu, 1, &out), PSVC_OK);
  ck_assert_int_eq(out, TMAX); /* the very last second is a valid answer */
  out = SENT;
  ck_assert_int_eq(psvc_calendar_add_workdays(c, thu, 2, &out), PSVC_ERANGE);
  ck_assert_int_eq(out, SENT);
  ck_assert_int_eq(psvc_calendar_add_seconds(c, thu, DAY_S - 1, &out), PSVC_OK);
  ck_assert_int_eq(out, TMAX);
  out = SENT; /* the last second ends at TMAX + 1: not representable */
  ck_assert_int_eq(psvc_calendar_add_seconds(c, thu, DAY_S, &out), PSVC_ERANGE);
  ck_assert_int_eq(out, SENT);
  ck_assert_int_eq(psvc_calendar_add_workdays(c, TMAX, 0, &out), PSVC_OK);
  ck_assert_int_eq(out, TMAX);
  int64_t e = 0;
  ck_assert_int_eq(psvc_calendar_elapsed(c, thu, TMAX, &e), PSVC_OK);
  ck_assert_int_eq(e, DAY_S - 1);
  psvc_calendar_free(c);
  /* an offset west of UTC: the end of local 9999-12-31 is past the end of time */
  ck_assert_int_eq(psvc_calendar_new(&c, -60), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 5, 0, 1440), PSVC_OK);
  out = SENT;
  ck_assert_int_eq(psvc_calendar_add_workdays(c, TMAX - 7200, 0, &out), PSVC_ERANGE);
  ck_assert_int_eq(out, SENT);
  psvc_calendar_free(c);
  /* east of UTC, 1970-01-01 00:00Z is already 08:00 local */
  ck_assert_int_eq(psvc_calendar_new(&c, 480), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 4, 0, 1440), PSVC_OK); /* 1970-01-01: Thursday */
  ck_assert_int_eq(psvc_calendar_elapsed(c, 0, 86400, &e), PSVC_OK);
  ck_assert_int_eq(e, 16 * 3600);
  ck_assert_int_eq(psvc_calendar_add_workdays(c, 0, 0, &out), PSVC_OK);
  ck_assert_int_eq(out, 16 * 3600 - 1);
  psvc_calendar_free(c);
}
END_TEST

/* ---- T-23 on China's 2026 calendar ------------------------------------------------------- */

#define CN 480 /* +08:00 */

/* Appendix A of RULES.md. */
static const int cn_holidays[][2][3] = {
    {{2026, 1, 1}, {2026, 1, 3}},   {{2026, 2, 15}, {2026, 2, 23}},
    {{2026, 4, 4}, {2026, 4, 6}},   {{2026, 5, 1}, {2026, 5, 5}},
    {{2026, 6, 19}, {2026, 6, 21}}, {{2026, 9, 25}, {2026, 9, 27}},
    {{2026, 10, 1}, {2026, 10, 7}},
};
static const int cn_makeup[][3] = {{2026, 1, 4},  {2026, 2, 14}, {2026, 2, 28},
                                   {2026, 5, 9},  {2026, 9, 20}, {2026, 10, 10}};
#define N_CN_HOL (sizeof cn_holidays / sizeof cn_holidays[0])
#define N_CN_MK (sizeof cn_makeup / sizeof cn_makeup[0])

static char *read_source_relative(const char *rel) {
  const char *f = __FILE__, *slash = strrchr(f, '/');
  char path[4096];
  if (slash)
    snprintf(path, sizeof path, "%.*s/%s", (int)(slash - f), f, rel);
  else
    snprintf(path, sizeof path, "./%s", rel);
  FILE *file = fopen(path, "rb");
  ck_assert_msg(file != NULL, "cannot open %s", path);
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  ck_assert_ptr_nonnull(buf);
  size_t got;
  while ((got = fread(buf + n, 1, cap - n - 1, file)) > 0) {
    n += got;
    if (cap - n - 1 == 0) {
      cap *= 2;
      buf = realloc(buf, cap);
      ck_assert_ptr_nonnull(buf);
    }
  }
  fclose(file);
  buf[n] = 0;
  return buf;
}

/* China 2026 built with the API from Appendix A (office hours as in the file). */
static psvc_calendar *cn2026_api(void) {
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, CN), PSVC_OK);
  for (int wd = 1; wd <= 5; wd++) {
    ck_assert_int_eq(psvc_calendar_add_hours(c, wd, 8 * 60 + 30, 12 * 60), PSVC_OK);
    ck_assert_int_eq(psvc_calendar_add_hours(c, wd, 14 * 60, 17 * 60 + 30), PSVC_OK);
  }
  for (size_t i = 0; i < N_CN_HOL; i++)
    for (int64_t d = day_of(cn_holidays[i][0][0], cn_holidays[i][0][1], cn_holidays[i][0][2]);
         d <= day_of(cn_holidays[i][1][0], cn_holidays[i][1][1], cn_holidays[i][1][2]); d++) {
      int y, m, dd;
      date_of(d, &y, &m, &dd);
      ck_assert_int_eq(psvc_calendar_add_holiday(c, y, m, dd), PSVC_OK);
    }
  for (size_t i = 0; i < N_CN_MK; i++)
    ck_assert_int_eq(
        psvc_calendar_add_workday(c, cn_makeup[i][0], cn_makeup[i][1], cn_makeup[i][2], 1),
        PSVC_OK);
  return c;
}

static psvc_calendar *cn2026_file(void) {
  char *text = read_source_relative("../examples/data/cn-2026.cal");
  psvc_calendar *c = NULL;
  char *err = NULL;
  int rc = psvc_calendar_parse(text, &c, &err);
  ck_assert_msg(rc == PSVC_OK, "cn-2026.cal: rc %d: %s", rc, err ? err : "");
  free(text);
  return c;
}

/* Both forms of the 2026 calendar: [0] parsed from the shipped file, [1] the API. */
static void cn2026_both(psvc_calendar *c[2]) {
  dates_init();
  c[0] = cn2026_file();
  c[1] = cn2026_api();
}

static void expect_workdays(psvc_calendar *const c[2], psvc_time t, int n, psvc_time want) {
  for (int i = 0; i < 2; i++) {
    psvc_time out = SENT;
    char a[120], b[120], w[120];
    int rc = psvc_calendar_add_workdays(c[i], t, n, &out);
    ck_assert_msg(rc == PSVC_OK && out == want,
                  "T-23 (%s): add_workdays(%s, %d) = %d, %s; want %s", i ? "api" : "file",
                  fmt_local(t, CN, a, sizeof a), n, rc, fmt_local(out, CN, b, sizeof b),
                  fmt_local(want, CN, w, sizeof w));
  }
}

static void expect_seconds(psvc_calendar *const c[2], psvc_time t, int64_t s, psvc_time want) {
  for (int i = 0; i < 2; i++) {
    psvc_time out = SENT;
    char a[120], b[120], w[120];
    int rc = psvc_calendar_add_seconds(c[i], t, s, &out);
    ck_assert_msg(rc == PSVC_OK && out == want,
                  "T-22 (%s): add_seconds(%s, %" PRId64 ") = %d, %s; want %s", i ? "api" : "file",
                  fmt_local(t, CN, a, sizeof a), s, rc, fmt_local(out, CN, b, sizeof b),
                  fmt_local(want, CN, w, sizeof w));
  }
}

static void expect_elapsed(psvc_calendar *const c[2], psvc_time t0, psvc_time t1, int64_t want) {
  for (int i = 0; i < 2; i++) {
    int64_t e = -1;
    int rc = psvc_calendar_elapsed(c[i], t0, t1, &e);
    ck_assert_msg(rc == PSVC_OK && e == want,
                  "T-22 (%s): elapsed(%" PRId64 ", %" PRId64 ") = %d, %" PRId64 "; want %" PRId64,
                  i ? "api" : "file", (int64_t)t0, (int64_t)t1, rc, e, want);
  }
}

static void free_both(psvc_calendar *c[2]) {
  psvc_calendar_free(c[0]);
  psvc_calendar_free(c[1]);
}

START_TEST(test_T23_cn2026_complaint_over_national_day) {
  psvc_calendar *c[2];
  cn2026_both(c);
  /* Accepted Wed 30 Sep 10:00, 5 working days. Day 1 is the day after the
     start day; 1-7 Oct are off; Thu 8 Oct = 1, Fri 9 = 2, Sat 10 (make-up) = 3,
     Sun 11 off, Mon 12 = 4, Tue 13 = 5: deadline 13 Oct 23:59:59 +08:00. */
  expect_workdays(c, lt(2026, 9, 30, 10, 0, 0, CN), 5, lt(2026, 10, 13, 23, 59, 59, CN));
  ck_assert_int_eq(lt(2026, 10, 13, 23, 59, 59, CN), lt(2026, 10, 13, 15, 59, 59, 0));
  /* 1 working day after 30 Sep: the first day after the holiday, Thu 8 Oct */
  expect_workdays(c, lt(2026, 9, 30, 10, 0, 0, CN), 1, lt(2026, 10, 8, 23, 59, 59, CN));
  /* days 0: the end of the start day itself */
  expect_workdays(c, lt(2026, 9, 30, 10, 0, 0, CN), 0, lt(2026, 9, 30, 23, 59, 59, CN));
  free_both(c);
}
END_TEST

START_TEST(test_T23_cn2026_mid_autumn_then_national_day) {
  psvc_calendar *c[2];
  cn2026_both(c);
  /* Thu 24 Sep 15:00 + 5: 25-27 Sep off; Mon 28 = 1, Tue 29 = 2, Wed 30 = 3,
     1-7 Oct off, Thu 8 Oct = 4, Fri 9 Oct = 5 */
  expect_workdays(c, lt(2026, 9, 24, 15, 0, 0, CN), 5, lt(2026, 10, 9, 23, 59, 59, CN));
  /* Fri 18 Sep: Sat 19 off, Sun 20 (make-up) = 1, Mon 21 = 2, Tue 22 = 3 */
  expect_workdays(c, lt(2026, 9, 18, 9, 0, 0, CN), 1, lt(2026, 9, 20, 23, 59, 59, CN));
  expect_workdays(c, lt(2026, 9, 18, 9, 0, 0, CN), 3, lt(2026, 9, 22, 23, 59, 59, CN));
  free_both(c);
}
END_TEST

START_TEST(test_T23_cn2026_started_on_a_holiday) {
  psvc_calendar *c[2];
  cn2026_both(c);
  /* Sat 3 Oct (holiday) 11:00: day 0 is 3 Oct itself, day 1 Thu 8 Oct */
  expect_workdays(c, lt(2026, 10, 3, 11, 0, 0, CN), 0, lt(2026, 10, 3, 23, 59, 59, CN));
  expect_workdays(c, lt(2026, 10, 3, 11, 0, 0, CN), 1, lt(2026, 10, 8, 23, 59, 59, CN));
  /* started on the make-up Saturday 10 Oct: Mon 12 Oct is day 1 */
  expect_workdays(c, lt(2026, 10, 10, 9, 0, 0, CN), 1, lt(2026, 10, 12, 23, 59, 59, CN));
  free_both(c);
}
END_TEST

START_TEST(test_T23_cn2026_local_day_not_utc_day) {
  psvc_calendar *c[2];
  cn2026_both(c);
  /* 2026-10-09T16:00:00Z is Sat 10 Oct 00:00 in China: the start day is the
     10th, so day 1 is Mon 12 Oct; one second earlier it is still Fri 9 Oct
     locally and day 1 is the make-up Saturday */
  expect_workdays(c, lt(2026, 10, 9, 16, 0, 0, 0), 1, lt(2026, 10, 12, 23, 59, 59, CN));
  expect_workdays(c, lt(2026, 10, 9, 15, 59, 59, 0), 1, lt(2026, 10, 10, 23, 59, 59, CN));
  free_both(c);
}
END_TEST

START_TEST(test_T23_cn2026_other_holidays) {
  psvc_calendar *c[2];
  cn2026_both(c);
  /* New Year: Wed 31 Dec 2025, 1-3 Jan off, Sun 4 Jan (make-up) = 1, Mon 5 = 2 */
  expect_workdays(c, lt(2025, 12, 31, 16, 0, 0, CN), 1, lt(2026, 1, 4, 23, 59, 59, CN));
  expect_workdays(c, lt(2025, 12, 31, 16, 0, 0, CN), 2, lt(2026, 1, 5, 23, 59, 59, CN));
  /* Spring Festival: Fri 13 Feb, Sat 14 (make-up) = 1, 15-23 off, Tue 24 = 2,
     Wed 25 = 3, Thu 26 = 4, Fri 27 = 5, Sat 28 (make-up) = 6 */
  expect_workdays(c, lt(2026, 2, 13, 10, 0, 0, CN), 1, lt(2026, 2, 14, 23, 59, 59, CN));
  expect_workdays(c, lt(2026, 2, 13, 10, 0, 0, CN), 2, lt(2026, 2, 24, 23, 59, 59, CN));
  expect_workdays(c, lt(2026, 2, 13, 10, 0, 0, CN), 5, lt(2026, 2, 27, 23, 59, 59, CN));
  expect_workdays(c, lt(2026, 2, 13, 10, 0, 0, CN), 6, lt(2026, 2, 28, 23, 59, 59, CN));
  /* Qingming: Fri 3 Apr, 4-6 Apr off, Tue 7 Apr = 1 */
  expect_workdays(c, lt(2026, 4, 3, 10, 0, 0, CN), 1, lt(2026, 4, 7, 23, 59, 59, CN));
  /* Labour Day: Thu 30 Apr, 1-5 May off, Wed 6 = 1, Thu 7 = 2, Fri 8 = 3,
     Sat 9 (make-up) = 4, Sun 10 off, Mon 11 = 5 */
  expect_workdays(c, lt(2026, 4, 30, 10, 0, 0, CN), 5, lt(2026, 5, 11, 23, 59, 59, CN));
  /* Dragon Boat: Thu 18 Jun, 19-21 Jun off, Mon 22 = 1 */
  expect_workdays(c, lt(2026, 6, 18, 10, 0, 0, CN), 1, lt(2026, 6, 22, 23, 59, 59, CN));
  /* the year end: the calendar lists 2026 only, so Fri 1 Jan 2027 is an
     ordinary Friday: day 1; Mon 4 Jan 2027 is day 2 */
  expect_workdays(c, lt(2026, 12, 31, 10, 0, 0, CN), 1, lt(2027, 1, 1, 23, 59, 59, CN));
  expect_workdays(c, lt(2026, 12, 31, 10, 0, 0, CN), 2, lt(2027, 1, 4, 23, 59, 59, CN));
  free_both(c);
}
END_TEST

START_TEST(test_T22_cn2026_business_seconds) {
  psvc_calendar *c[2];
  cn2026_both(c);
  /* office hours 08:30-12:00 and 14:00-17:30: 7 h a working day */
  /* Wed 30 Sep 16:00 + 4 h: 1.5 h that day, 1-7 Oct off, 2.5 h from Thu 8 Oct 08:30 */
  expect_seconds(c, lt(2026, 9, 30, 16, 0, 0, CN), 4 * 3600, lt(2026, 10, 8, 11, 0, 0, CN));
  /* Fri 9 Oct 17:00 + 1 h: half an hour, then the make-up Saturday from 08:30 */
  expect_seconds(c, lt(2026, 10, 9, 17, 0, 0, CN), 3600, lt(2026, 10, 10, 9, 0, 0, CN));
  /* Sat 19 Sep (off) + 7 h: the whole make-up Sunday 20 Sep, ending 17:30 */
  expect_seconds(c, lt(2026, 9, 19, 10, 0, 0, CN), 7 * 3600, lt(2026, 9, 20, 17, 30, 0, CN));
  /* the lunch break does not count: 11:30 + 1 h = 14:30 */
  expect_seconds(c, lt(2026, 9, 30, 11, 30, 0, CN), 3600, lt(2026, 9, 30, 14, 30, 0, CN));
  /* from the closing instant the next second is on the next working day */
  expect_seconds(c, lt(2026, 9, 30, 17, 30, 0, CN), 1, lt(2026, 10, 8, 8, 30, 1, CN));
  /* 30 Sep and 8 Oct are the only working days from 30 Sep to 9 Oct 00:00 */
  expect_elapsed(c, lt(2026, 9, 30, 0, 0, 0, CN), lt(2026, 10, 9, 0, 0, 0, CN), 14 * 3600);
  expect_elapsed(c, lt(2026, 10, 1, 0, 0, 0, CN), lt(2026, 10, 8, 0, 0, 0, CN), 0);
  /* across the year end: Thu 31 Dec from 12:00 (3.5 h) and Fri 1 Jan 2027 to 12:00 (3.5 h) */
  expect_elapsed(c, lt(2026, 12, 31, 12, 0, 0, CN), lt(2027, 1, 1, 12, 0, 0, CN), 7 * 3600);
  free_both(c);
}
END_TEST

START_TEST(test_T22_cn2026_appendix_a_days) {
  psvc_calendar *c[2];
  cn2026_both(c);
  for (int i = 0; i < 2; i++) {
    for (size_t h = 0; h < N_CN_HOL; h++)
      for (int64_t d = day_of(cn_holidays[h][0][0], cn_holidays[h][0][1], cn_holidays[h][0][2]);
           d <= day_of(cn_holidays[h][1][0], cn_holidays[h][1][1], cn_holidays[h][1][2]);
           d++) {
        int y, m, dd;
        date_of(d, &y, &m, &dd);
        ck_assert_msg(psvc_calendar_is_workday(c[i], y, m, dd) == 0,
                      "Appendix A (%s): %04d-%02d-%02d is a holiday", i ? "api" : "file", y, m,
                      dd);
      }
    for (size_t k = 0; k < N_CN_MK; k++) {
      ck_assert_int_ge(iso_wd(day_of(cn_makeup[k][0], cn_makeup[k][1], cn_makeup[k][2])), 6);
      ck_assert_msg(
          psvc_calendar_is_workday(c[i], cn_makeup[k][0], cn_makeup[k][1], cn_makeup[k][2]) == 1,
          "Appendix A (%s): %04d-%02d-%02d is a make-up working day", i ? "api" : "file",
          cn_makeup[k][0], cn_makeup[k][1], cn_makeup[k][2]);
    }
  }
  free_both(c);
}
END_TEST

/* ---- property test ------------------------------------------------------------------- */

START_TEST(test_T22_T23_property_random_calendars) {
  dates_init();
  uint64_t seed = prop_seed();
  long total = (long)env_u64("PSVC_CAL_CASES", 100000);
  long mine = (total + PROP_ITERS - 1) / PROP_ITERS;
  const long per_cal = 50;
  gen *g = malloc(sizeof *g);
  ck_assert_ptr_nonnull(g);
  prop_stats st = {0, 0, 0};
  for (long k = 0; st.cases < mine; k++) {
    rng r = {seed ^ ((uint64_t)_i << 40) ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull)};
    gen_random(g, &r);
    snprintf(g->where, sizeof g->where,
             "PSVC_CAL_SEED=%#" PRIx64 " iteration %d calendar %ld", seed, _i, k);
    for (long j = 0; j < per_cal && st.cases < mine; j++)
      one_case(g, &r, &st);
    gen_free(g);
  }
  free(g);
  /* the generator reaches both outcomes often */
  ck_assert_int_eq(st.cases, mine);
  ck_assert_int_gt(st.ok, mine / 3);
  ck_assert_int_gt(st.erange, mine / 50);
}
END_TEST

/* ---- bulk forms -------------------------------------------------------------------- */

/* Does msg name element i ("element 12", not "element 123")? */
static int names_element(const char *msg, size_t i) {
  char want[40];
  int n = snprintf(want, sizeof want, "element %zu", i);
  for (const char *p = strstr(msg, want); p; p = strstr(p + 1, want))
    if (p[n] < '0' || p[n] > '9')
      return 1;
  return 0;
}

#define BULK_N 300

/* Checks one bulk call against the scalar form: the same results when every
   element succeeds; otherwise ERANGE naming the first failing element, and
   out untouched. */
static void bulk_check(const gen *g, const psvc_time *t, const int64_t *secs, const int32_t *days,
                       size_t n) {
  static psvc_time want[BULK_N], got[BULK_N];
  size_t first_bad = n;
  int bad_rc = PSVC_OK;
  for (size_t i = 0; i < n; i++) {
    int rc = secs ? psvc_calendar_add_seconds(g->cal, t[i], secs[i], &want[i])
                  : psvc_calendar_add_workdays(g->cal, t[i], days[i], &want[i]);
    if (rc != PSVC_OK && first_bad == n)
      first_bad = i, bad_rc = rc;
  }
  for (size_t i = 0; i < n; i++)
    got[i] = SENT;
  int rc = secs ? psvc_calendar_add_seconds_n(g->cal, t, secs, got, n)
                : psvc_calendar_add_workdays_n(g->cal, t, days, got, n);
  const char *fn = secs ? "add_seconds_n" : "add_workdays_n";
  char msg[300];
  if (first_bad == n) {
    if (rc != PSVC_OK) {
      snprintf(msg, sizeof msg, "%s: rc %d (%s), every scalar call succeeds", fn, rc,
               psvc_errmsg(NULL));
      gen_fail(g, msg);
    }
    for (size_t i = 0; i < n; i++)
      if (got[i] != want[i]) {
        snprintf(msg, sizeof msg,
                 "%s: element %zu (t %" PRId64 ", count %" PRId64 "): %" PRId64
                 ", scalar %" PRId64,
                 fn, i, (int64_t)t[i], secs ? secs[i] : (int64_t)days[i], (int64_t)got[i],
                 (int64_t)want[i]);
        gen_fail(g, msg);
      }
    return;
  }
  if (rc != bad_rc || !names_element(psvc_errmsg(NULL), first_bad)) {
    snprintf(msg, sizeof msg, "%s: rc %d '%s'; scalar: element %zu fails with %d", fn, rc,
             psvc_errmsg(NULL), first_bad, bad_rc);
    gen_fail(g, msg);
  }
  for (size_t i = 0; i < n; i++)
    if (got[i] != SENT) {
      snprintf(msg, sizeof msg, "%s failed (element %zu) but wrote out[%zu]", fn, first_bad, i);
      gen_fail(g, msg);
    }
}

START_TEST(test_T22_T23_bulk_forms_equal_scalar) {
  dates_init();
  uint64_t seed = prop_seed();
  gen *g = malloc(sizeof *g);
  ck_assert_ptr_nonnull(g);
  static psvc_time t[BULK_N];
  static int64_t secs[BULK_N];
  static int32_t days[BULK_N];
  long ok_arrays = 0, failed_arrays = 0;
  for (long k = 0; k < 400; k++) {
    rng r = {seed ^ 0xb01cull ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull)};
    gen_random(g, &r);
    snprintf(g->where, sizeof g->where, "PSVC_CAL_SEED=%#" PRIx64 " bulk calendar %ld", seed, k);
    size_t n = (size_t)rr(&r, 1, BULK_N);
    for (size_t i = 0; i < n; i++) {
      t[i] = pick_time(g, &r);
      secs[i] = pick_secs(g, &r, t[i]);
      days[i] = (int32_t)pick_days(&r);
    }
    /* as drawn: near the end of time some elements fail */
    bulk_check(g, t, secs, NULL, n);
    bulk_check(g, t, NULL, days, n);
    /* only the elements that succeed on their own: all of them succeed */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      psvc_time o;
      if (psvc_calendar_add_seconds(g->cal, t[i], secs[i], &o) == PSVC_OK &&
          psvc_calendar_add_workdays(g->cal, t[i], days[i], &o) == PSVC_OK) {
        t[m] = t[i], secs[m] = secs[i], days[m] = days[i];
        m++;
      }
    }
    if (m) {
      bulk_check(g, t, secs, NULL, m);
      bulk_check(g, t, NULL, days, m);
      ok_arrays++;
      /* one element spoilt: a negative count, or a time outside 1970 .. 9999 */
      size_t j = (size_t)rr(&r, 0, (int64_t)m - 1);
      psvc_time keep_t = t[j];
      int64_t keep_s = secs[j];
      int32_t keep_d = days[j];
      switch (rr(&r, 0, 3)) {
      case 0: secs[j] = -1, days[j] = -1; break;
      case 1: t[j] = -1; break;
      case 2: t[j] = TMAX + 1; break;
      default: t[j] = TMAX, secs[j] = DAY_S * 8, days[j] = 8; break; /* result past 9999 */
      }
      bulk_check(g, t, secs, NULL, m);
      bulk_check(g, t, NULL, days, m);
      t[j] = keep_t, secs[j] = keep_s, days[j] = keep_d;
      failed_arrays++;
    }
    gen_free(g);
  }
  free(g);
  ck_assert_int_gt(ok_arrays, 200);
  ck_assert_int_gt(failed_arrays, 200);
}
END_TEST

/* Calendars whose working days all last the same (the bulk add_seconds form
   then counts whole days without a search): equal totals from windows at
   different places on different weekdays, holiday blocks, make-up days as
   working and as non-working weekdays; starts inside and around the span of
   exceptions, counts from 0 through 2^30 (where the bulk form changes
   path). Every element agrees with the scalar form and the reference. */
START_TEST(test_T22_bulk_add_seconds_equal_working_days) {
  dates_init();
  uint64_t seed = prop_seed();
  static psvc_time t[BULK_N];
  static int64_t secs[BULK_N];
  static const int64_t edge[] = {0, 1, 59, 60, 61, (1 << 30) - 1, 1 << 30, (1 << 30) + 1};
  gen *g = malloc(sizeof *g);
  ck_assert_ptr_nonnull(g);
  for (long k = 0; k < 200; k++) {
    rng r = {seed ^ 0x0e9aull ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull)};
    gen_start(g, random_offset(&r));
    random_era(g, &r);
    int len = (int)rr(&r, 1, 720), works = 0; /* minutes a working day lasts */
    for (int wd = 1; wd <= 7; wd++) {
      if (pct(&r, 30) && !(wd == 7 && works == 0))
        continue;
      works++;
      int split = pct(&r, 50) ? (int)rr(&r, 1, len) : len; /* one or two windows */
      int open = (int)rr(&r, 0, 1440 - len - (split < len ? 1 : 0));
      gen_hours(g, wd, open, open + split);
      if (split < len) {
        int gap = (int)rr(&r, 1, 1440 - len - open);
        gen_hours(g, wd, open + split + gap, open + len + gap);
      }
    }
    for (int b = (int)rr(&r, 1, 5); b > 0; b--) {
      int64_t start = g->center + rr(&r, -40, 40), n = rr(&r, 1, 8);
      for (int64_t d = start; d < start + n; d++)
        gen_holiday(g, d);
    }
    for (int i = (int)rr(&r, 0, 4); i > 0; i--)
      gen_workday(g, g->center + rr(&r, -40, 40), (int)rr(&r, 1, 7));
    collect_bounds(g);
    snprintf(g->where, sizeof g->where, "PSVC_CAL_SEED=%#" PRIx64 " equal days %ld", seed, k);
    size_t n = 0;
    for (size_t i = 0; i < BULK_N; i++) {
      psvc_time ti = pick_time(g, &r), o;
      int64_t si = pct(&r, 15) ? edge[rr(&r, 0, 7)] : pick_secs(g, &r, ti);
      if (psvc_calendar_add_seconds(g->cal, ti, si, &o) == PSVC_OK)
        t[n] = ti, secs[n++] = si;
    }
    bulk_check(g, t, secs, NULL, n);
    for (size_t i = 0; i < n; i++) {
      psvc_time a = SENT, b = SENT;
      int rc = psvc_calendar_add_seconds_n(g->cal, &t[i], &secs[i], &a, 1);
      int wrc = ref_add_seconds(&g->ref, t[i], secs[i], &b);
      if (rc != wrc || a != b)
        case_mismatch(g, "add_seconds_n (n = 1)", t[i], secs[i], rc, a, wrc, b);
    }
    gen_free(g);
  }
  free(g);
}
END_TEST

/* Sparse work near the end of time: one minute on Mondays, the last K
   Mondays holidays. A bulk form that decides "this element cannot pass
   9999-12-31" without computing it must still agree with the scalar form
   (and with the reference) for every start in the last 400 days. */
START_TEST(test_T22_T23_bulk_sparse_work_near_end_of_time) {
  dates_init();
  static const int offs[] = {0, 840, -840};
  static const int ks[] = {0, 1, 5, 20};
  static const int64_t counts[] = {1, 59, 60, 61, 120, 3600};
  static psvc_time t[BULK_N];
  static int64_t secs[BULK_N];
  static int32_t days[BULK_N];
  gen *g = malloc(sizeof *g);
  ck_assert_ptr_nonnull(g);
  for (size_t o = 0; o < sizeof offs / sizeof offs[0]; o++)
    for (size_t kk = 0; kk < sizeof ks / sizeof ks[0]; kk++) {
      gen_start(g, offs[o]);
      gen_hours(g, 1, 0, 1);
      for (int j = 0; j < ks[kk]; j++)
        gen_holiday(g, day_of(9999, 12, 27) - 7 * j); /* Mondays */
      snprintf(g->where, sizeof g->where, "sparse work, offset %d, %d Monday holidays",
               offs[o], ks[kk]);
      for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t n = 0;
        for (psvc_time x = TMAX - 400 * DAY_S; x <= TMAX; x += 3593) {
          t[n] = x;
          secs[n] = counts[c];
          days[n] = (int32_t)(counts[c] % 11);
          if (++n == BULK_N || x + 3593 > TMAX) {
            bulk_check(g, t, secs, NULL, n);
            bulk_check(g, t, NULL, days, n);
            for (size_t i = 0; i < n; i++) { /* one element at a time, and the reference */
              psvc_time a = SENT, b = SENT;
              int rc = psvc_calendar_add_seconds_n(g->cal, &t[i], &secs[i], &a, 1);
              int wrc = ref_add_seconds(&g->ref, t[i], secs[i], &b);
              if (rc != wrc || a != b)
                case_mismatch(g, "add_seconds_n (n = 1)", t[i], secs[i], rc, a, wrc, b);
              a = b = SENT;
              rc = psvc_calendar_add_workdays_n(g->cal, &t[i], &days[i], &a, 1);
              wrc = ref_add_workdays(&g->ref, t[i], days[i], &b);
              if (rc != wrc || a != b)
                case_mismatch(g, "add_workdays_n (n = 1)", t[i], days[i], rc, a, wrc, b);
            }
            n = 0;
          }
        }
      }
      gen_free(g);
    }
  free(g);
}
END_TEST

START_TEST(test_T22_bulk_forms_fixed_cases) {
  dates_init();
  psvc_calendar *c[2];
  cn2026_both(c);
  psvc_calendar_free(c[1]);
  psvc_time t[5] = {lt(2026, 9, 30, 10, 0, 0, CN), lt(2026, 9, 30, 16, 0, 0, CN),
                    lt(2026, 10, 3, 11, 0, 0, CN), 0, TMAX - DAY_S * 30};
  int64_t secs[5] = {0, 4 * 3600, 1, 7 * 3600, 3600};
  int32_t days[5] = {5, 1, 0, 3, 2};
  psvc_time out[5];
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c[0], t, days, out, 3), PSVC_OK);
  ck_assert_int_eq(out[0], lt(2026, 10, 13, 23, 59, 59, CN));
  ck_assert_int_eq(out[1], lt(2026, 10, 8, 23, 59, 59, CN));
  ck_assert_int_eq(out[2], lt(2026, 10, 3, 23, 59, 59, CN));
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c[0], t, secs, out, 3), PSVC_OK);
  ck_assert_int_eq(out[0], t[0]);
  ck_assert_int_eq(out[1], lt(2026, 10, 8, 11, 0, 0, CN));
  ck_assert_int_eq(out[2], lt(2026, 10, 8, 8, 30, 1, CN));
  /* n = 0: nothing to do, nothing written */
  out[0] = SENT;
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c[0], t, secs, out, 0), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c[0], t, days, out, 0), PSVC_OK);
  ck_assert_int_eq(out[0], SENT);
  /* the first failing element is named: elements 3 and 4 both fail */
  psvc_time tb[5] = {t[0], t[1], t[2], -5, TMAX + 1};
  int64_t sb[5] = {1, 2, 3, 4, -1};
  int32_t db[5] = {1, 2, 3, 4, -1};
  for (int i = 0; i < 5; i++)
    out[i] = SENT;
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c[0], tb, sb, out, 5), PSVC_ERANGE);
  ck_assert_msg(names_element(psvc_errmsg(NULL), 3), "'%s' names element 3", psvc_errmsg(NULL));
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c[0], tb, db, out, 5), PSVC_ERANGE);
  ck_assert_msg(names_element(psvc_errmsg(NULL), 3), "'%s' names element 3", psvc_errmsg(NULL));
  tb[3] = t[3];
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c[0], tb, sb, out, 5), PSVC_ERANGE);
  ck_assert_msg(names_element(psvc_errmsg(NULL), 4), "'%s' names element 4", psvc_errmsg(NULL));
  for (int i = 0; i < 5; i++)
    ck_assert_int_eq(out[i], SENT);
  /* a negative count in the middle */
  int64_t sneg[3] = {1, -3, 1};
  int32_t dneg[3] = {1, -3, 1};
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c[0], t, sneg, out, 3), PSVC_ERANGE);
  ck_assert_msg(names_element(psvc_errmsg(NULL), 1), "'%s' names element 1", psvc_errmsg(NULL));
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c[0], t, dneg, out, 3), PSVC_ERANGE);
  ck_assert_msg(names_element(psvc_errmsg(NULL), 1), "'%s' names element 1", psvc_errmsg(NULL));
  for (int i = 0; i < 5; i++)
    ck_assert_int_eq(out[i], SENT);
  /* NULL arguments */
  ck_assert_int_eq(psvc_calendar_add_seconds_n(NULL, t, secs, out, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c[0], NULL, secs, out, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c[0], t, NULL, out, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c[0], t, secs, NULL, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_workdays_n(NULL, t, days, out, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c[0], NULL, days, out, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c[0], t, NULL, out, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c[0], t, days, NULL, 1), PSVC_EINVAL);
  psvc_calendar_free(c[0]);
}
END_TEST

/* ---- argument errors ---------------------------------------------------------------- */

/* Sets the thread's message to a known text, so that a test can see that the
   next failing call replaced it. */
static void prime_errmsg(void) {
  psvc_customer *cu = NULL;
  ck_assert_int_eq(psvc_customer_new(&cu, ""), PSVC_EINVAL); /* not a calendar message */
  ck_assert_str_ne(psvc_errmsg(NULL), "");
}

static char primed[512];

#define EXPECT_FAIL(call, code)                                                              \
  do {                                                                                       \
    prime_errmsg();                                                                          \
    snprintf(primed, sizeof primed, "%s", psvc_errmsg(NULL));                                \
    int rc_ = (call);                                                                        \
    ck_assert_msg(rc_ == (code), "%s = %d, want %d", #call, rc_, (code));                     \
    ck_assert_msg(strcmp(psvc_errmsg(NULL), primed) != 0 && psvc_errmsg(NULL)[0],           \
                  "%s: psvc_errmsg(NULL) not set ('%s')", #call, psvc_errmsg(NULL));          \
  } while (0)

/* Everything observable about a calendar over [day_lo, day_hi]: is_workday of
   every day, and add_seconds / add_workdays / elapsed from a few instants of
   every day, codes and values. The caller frees the array. */
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

static void fingerprint(const psvc_calendar *c, int64_t day_lo, int64_t day_hi, fp *f) {
  static const int64_t secs[] = {1, 3600, 25201, 200000};
  static const int days[] = {0, 1, 4};
  f->n = 0;
  for (int64_t day = day_lo; day <= day_hi; day++) {
    int y, m, d;
    date_of(day, &y, &m, &d);
    fp_put(f, psvc_calendar_is_workday(c, y, m, d));
    for (int k = 0; k < 3; k++) {
      psvc_time t = day * DAY_S + k * 31001, out = SENT;
      int64_t e = SENT;
      for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
        fp_put(f, psvc_calendar_add_seconds(c, t, secs[i], &out));
        fp_put(f, out);
      }
      for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        fp_put(f, psvc_calendar_add_workdays(c, t, days[i], &out));
        fp_put(f, out);
      }
      fp_put(f, psvc_calendar_elapsed(c, t, t + 2 * DAY_S + 7, &e));
      fp_put(f, e);
    }
  }
}

static void fp_same(const fp *a, const fp *b, const char *what) {
  ck_assert_msg(a->n == b->n, "%s: %zu answers vs %zu", what, a->n, b->n);
  for (size_t i = 0; i < a->n; i++) /* no ck_assert per item: it would log each one */
    if (a->v[i] != b->v[i])
      ck_abort_msg("%s: answer %zu differs: %" PRId64 " vs %" PRId64, what, i, a->v[i], b->v[i]);
}

/* docs/security.md: times and counts at the ends of int64_t are ERANGE,
   never an overflowed answer, and the bulk forms write nothing. */
START_TEST(test_T22_int64_limits_are_erange) {
  psvc_calendar *c;
  ck_assert_int_eq(psvc_calendar_parse("utc+14:00\nhours mon-sun 00:00-24:00\n", &c, NULL),
                   PSVC_OK);
  psvc_time out = 7;
  int64_t e = 7;
  static const psvc_time bad_t[] = {INT64_MIN, INT64_MIN + 1, -1, TMAX + 1, INT64_MAX - 1,
                                    INT64_MAX};
  for (size_t i = 0; i < sizeof bad_t / sizeof bad_t[0]; i++) {
    ck_assert_int_eq(psvc_calendar_add_seconds(c, bad_t[i], 1, &out), PSVC_ERANGE);
    ck_assert_int_eq(psvc_calendar_add_workdays(c, bad_t[i], 1, &out), PSVC_ERANGE);
    ck_assert_int_eq(psvc_calendar_elapsed(c, bad_t[i], 0, &e), PSVC_ERANGE);
    ck_assert_int_eq(psvc_calendar_elapsed(c, 0, bad_t[i], &e), PSVC_ERANGE);
  }
  static const int64_t bad_s[] = {INT64_MIN, -1, TMAX + 1, INT64_MAX};
  for (size_t i = 0; i < sizeof bad_s / sizeof bad_s[0]; i++)
    for (psvc_time t = 0; t <= TMAX; t += TMAX / 4)
      ck_assert_int_eq(psvc_calendar_add_seconds(c, t, bad_s[i], &out), PSVC_ERANGE);
  ck_assert_int_eq(psvc_calendar_add_seconds(c, TMAX, 1, &out), PSVC_ERANGE);
  ck_assert_int_eq(psvc_calendar_add_workdays(c, 0, INT_MAX, &out), PSVC_ERANGE);
  ck_assert_int_eq(psvc_calendar_add_workdays(c, 0, INT_MIN, &out), PSVC_ERANGE);
  ck_assert_int_eq(out, 7);
  ck_assert_int_eq(e, 7);
  psvc_time t[3] = {0, 1790000000, INT64_MAX}, o[3] = {5, 5, 5};
  int64_t s3[3] = {1, 1, 1};
  int32_t d3[3] = {1, 1, 1};
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c, t, s3, o, 3), PSVC_ERANGE);
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c, t, d3, o, 3), PSVC_ERANGE);
  t[2] = 0;
  s3[1] = INT64_MAX;
  d3[1] = INT32_MIN;
  ck_assert_int_eq(psvc_calendar_add_seconds_n(c, t, s3, o, 3), PSVC_ERANGE);
  ck_assert_int_eq(psvc_calendar_add_workdays_n(c, t, d3, o, 3), PSVC_ERANGE);
  ck_assert(o[0] == 5 && o[1] == 5 && o[2] == 5);
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_argument_errors) {
  dates_init();
  psvc_calendar *c = NULL, *keep = (psvc_calendar *)&primed;
  psvc_time out = SENT;
  int64_t e = SENT;
  /* new */
  EXPECT_FAIL(psvc_calendar_new(NULL, 0), PSVC_EINVAL);
  c = keep;
  EXPECT_FAIL(psvc_calendar_new(&c, 841), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_new(&c, -841), PSVC_EINVAL);
  ck_assert_ptr_eq(c, keep); /* untouched */
  ck_assert_int_eq(psvc_calendar_new(&c, -840), PSVC_OK);
  psvc_calendar_free(c);
  ck_assert_int_eq(psvc_calendar_new(&c, 840), PSVC_OK);
  psvc_calendar_free(c);
  psvc_calendar_free(NULL);
  c = cn2026_api();
  /* NULL calendar or out */
  EXPECT_FAIL(psvc_calendar_add_hours(NULL, 1, 0, 60), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_holiday(NULL, 2026, 1, 1), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_workday(NULL, 2026, 1, 1, 1), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_is_workday(NULL, 2026, 1, 1), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_seconds(NULL, 0, 1, &out), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_seconds(c, 0, 1, NULL), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_workdays(NULL, 0, 1, &out), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_workdays(c, 0, 1, NULL), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_elapsed(NULL, 0, 1, &e), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_elapsed(c, 0, 1, NULL), PSVC_EINVAL);
  /* hours */
  EXPECT_FAIL(psvc_calendar_add_hours(c, 0, 0, 60), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_hours(c, 8, 0, 60), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_hours(c, -1, 0, 60), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_hours(c, 1, 60, 60), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_hours(c, 1, 61, 60), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_hours(c, 1, 0, 1441), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_hours(c, 1, -1, 60), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_hours(c, 7, 1440, 1441), PSVC_EINVAL);
  /* dates */
  static const int bad_dates[][3] = {{2026, 2, 29}, {1969, 12, 31}, {10000, 1, 1}, {2026, 13, 1},
                                     {2026, 0, 1},  {2026, 4, 31},  {2026, 1, 0},  {2100, 2, 29},
                                     {2026, 1, 32}, {0, 0, 0}};
  for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
    int y = bad_dates[i][0], m = bad_dates[i][1], d = bad_dates[i][2];
    EXPECT_FAIL(psvc_calendar_add_holiday(c, y, m, d), PSVC_ERANGE);
    EXPECT_FAIL(psvc_calendar_add_workday(c, y, m, d, 1), PSVC_ERANGE);
    EXPECT_FAIL(psvc_calendar_is_workday(c, y, m, d), PSVC_ERANGE);
  }
  /* real dates at the edges: the weekly hours apply (no exceptions there) */
  static const int good_dates[][3] = {{2000, 2, 29}, {2096, 2, 29}, {9999, 12, 31}, {1970, 1, 1},
                                      {2100, 2, 28}, {2100, 3, 1}};
  for (size_t i = 0; i < sizeof good_dates / sizeof good_dates[0]; i++) {
    int y = good_dates[i][0], m = good_dates[i][1], d = good_dates[i][2];
    ck_assert_int_eq(psvc_calendar_is_workday(c, y, m, d), iso_wd(day_of(y, m, d)) <= 5);
  }
  /* as_weekday */
  EXPECT_FAIL(psvc_calendar_add_workday(c, 2026, 11, 7, 0), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_workday(c, 2026, 11, 7, 8), PSVC_EINVAL);
  /* a holiday on a make-up day and the other way round (calendar-format.md) */
  EXPECT_FAIL(psvc_calendar_add_holiday(c, 2026, 10, 10), PSVC_EINVAL);
  EXPECT_FAIL(psvc_calendar_add_workday(c, 2026, 10, 1, 1), PSVC_EINVAL);
  /* times and counts */
  static const psvc_time bad_t[] = {-1, -86400, TMAX + 1, INT64_MIN, INT64_MAX};
  for (size_t i = 0; i < sizeof bad_t / sizeof bad_t[0]; i++) {
    EXPECT_FAIL(psvc_calendar_add_seconds(c, bad_t[i], 1, &out), PSVC_ERANGE);
    EXPECT_FAIL(psvc_calendar_add_seconds(c, bad_t[i], 0, &out), PSVC_ERANGE);
    EXPECT_FAIL(psvc_calendar_add_workdays(c, bad_t[i], 0, &out), PSVC_ERANGE);
    EXPECT_FAIL(psvc_calendar_elapsed(c, bad_t[i], lt(2026, 1, 1, 0, 0, 0, 0), &e), PSVC_ERANGE);
    EXPECT_FAIL(psvc_calendar_elapsed(c, 0, bad_t[i], &e), PSVC_ERANGE);
  }
  psvc_time t = lt(2026, 9, 30, 10, 0, 0, CN);
  EXPECT_FAIL(psvc_calendar_add_seconds(c, t, -1, &out), PSVC_ERANGE);
  EXPECT_FAIL(psvc_calendar_add_seconds(c, t, INT64_MIN, &out), PSVC_ERANGE);
  EXPECT_FAIL(psvc_calendar_add_seconds(c, t, INT64_MAX, &out), PSVC_ERANGE);
  EXPECT_FAIL(psvc_calendar_add_workdays(c, t, -1, &out), PSVC_ERANGE);
  EXPECT_FAIL(psvc_calendar_add_workdays(c, t, INT_MIN, &out), PSVC_ERANGE);
  EXPECT_FAIL(psvc_calendar_add_workdays(c, t, INT_MAX, &out), PSVC_ERANGE);
  EXPECT_FAIL(psvc_calendar_elapsed(c, t, t - 1, &e), PSVC_ERANGE);
  ck_assert_int_eq(out, SENT);
  ck_assert_int_eq(e, SENT);
  ck_assert_int_eq(psvc_calendar_elapsed(c, t, t, &e), PSVC_OK);
  ck_assert_int_eq(e, 0);
  psvc_calendar_free(c);
  /* a calendar without hours has no working time to count */
  ck_assert_int_eq(psvc_calendar_new(&c, 0), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 10, 10, 1), PSVC_OK);
  EXPECT_FAIL(psvc_calendar_add_seconds(c, t, 1, &out), PSVC_ERANGE);
  EXPECT_FAIL(psvc_calendar_add_workdays(c, t, 1, &out), PSVC_ERANGE);
  ck_assert_int_eq(out, SENT);
  ck_assert_int_eq(psvc_calendar_add_seconds(c, t, 0, &out), PSVC_OK);
  ck_assert_int_eq(out, t);
  ck_assert_int_eq(psvc_calendar_elapsed(c, t, t + 100 * DAY_S, &e), PSVC_OK);
  ck_assert_int_eq(e, 0);
  ck_assert_int_eq(psvc_calendar_is_workday(c, 2026, 10, 10), 0);
  psvc_calendar_free(c);
}
END_TEST

START_TEST(test_T22_failed_mutation_changes_nothing) {
  dates_init();
  psvc_calendar *c = cn2026_api();
  fp before = {NULL, 0, 0}, after = {NULL, 0, 0};
  int64_t lo = day_of(2026, 9, 1), hi = day_of(2026, 11, 15);
  fingerprint(c, lo, hi, &before);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 0, 0, 60), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 3, 600, 500), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_hours(c, 3, 0, 1441), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_holiday(c, 2026, 2, 29), PSVC_ERANGE);
  ck_assert_int_eq(psvc_calendar_add_holiday(c, 2026, 10, 10), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 10, 2, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_workday(c, 2026, 10, 11, 9), PSVC_EINVAL);
  ck_assert_int_eq(psvc_calendar_add_workday(c, 10000, 1, 1, 1), PSVC_ERANGE);
  fingerprint(c, lo, hi, &after);
  fp_same(&before, &after, "after failed mutations");
  /* no room for a 17th window: refused, and nothing changed */
  psvc_calendar *d = NULL;
  ck_assert_int_eq(psvc_calendar_new(&d, 0), PSVC_OK);
  for (int i = 0; i < 16; i++)
    ck_assert_int_eq(psvc_calendar_add_hours(d, 2, i * 80, i * 80 + 40), PSVC_OK);
  ck_assert_int_eq(psvc_calendar_add_holiday(d, 2026, 10, 6), PSVC_OK);
  fingerprint(d, lo, hi, &before);
  ck_assert_int_eq(psvc_calendar_add_hours(d, 2, 1400, 1410), PSVC_EINVAL);
  fingerprint(d, lo, hi, &after);
  fp_same(&before, &after, "after a 17th window");
  /* and a good mutation does change the answers (the fingerprint sees it) */
  ck_assert_int_eq(psvc_calendar_add_holiday(d, 2026, 10, 13), PSVC_OK);
  fingerprint(d, lo, hi, &after);
  ck_assert(before.n == after.n && memcmp(before.v, after.v, before.n * sizeof *before.v) != 0);
  psvc_calendar_free(d);
  psvc_calendar_free(c);
  free(before.v);
  free(after.v);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------------- */

typedef struct step {
  char kind; /* 'h' hours, 'H' holiday, 'W' make-up day */
  int a, b, c, d;
  int rc; /* expected without failures */
} step;

/* A calendar built step by step: hours, enough holidays to grow the
   exception array twice, make-up days, hours again with exceptions present, a
   duplicate holiday and a refused make-up day. */
static size_t alloc_steps(step *s) {
  size_t n = 0;
  for (int wd = 1; wd <= 5; wd++)
    s[n++] = (step){'h', wd, 510, 720, 0, PSVC_OK};
  for (int d = 1; d <= 31; d++)
    s[n++] = (step){'H', 2026, 10, d, 0, PSVC_OK};
  s[n++] = (step){'W', 2026, 9, 20, 1, PSVC_OK};
  for (int d = 1; d <= 30; d++)
    s[n++] = (step){'H', 2026, 11, d, 0, PSVC_OK}; /* 62 exceptions: two growths */
  s[n++] = (step){'W', 2026, 12, 5, 6, PSVC_OK};
  s[n++] = (step){'h', 6, 540, 720, 0, PSVC_OK};
  s[n++] = (step){'h', 1, 840, 1050, 0, PSVC_OK};
  s[n++] = (step){'H', 2026, 10, 3, 0, PSVC_OK};     /* again: harmless */
  s[n++] = (step){'W', 2026, 10, 4, 1, PSVC_EINVAL}; /* a holiday */
  s[n++] = (step){'H', 2000, 1, 3, 0, PSVC_OK};      /* widens the exception span */
  s[n++] = (step){'W', 2030, 1, 5, 3, PSVC_OK};
  return n;
}

static int run_step(psvc_calendar *c, const step *s) {
  switch (s->kind) {
  case 'h': return psvc_calendar_add_hours(c, s->a, s->b, s->c);
  case 'H': return psvc_calendar_add_holiday(c, s->a, s->b, s->c);
  default: return psvc_calendar_add_workday(c, s->a, s->b, s->c, s->d);
  }
}

START_TEST(test_T22_alloc_failure_every_k) {
  dates_init();
  static step steps[128];
  static fp expect[129]; /* expect[i]: the answers before step i, without failures */
  size_t ns = alloc_steps(steps);
  int64_t lo = day_of(2026, 9, 14), hi = day_of(2026, 12, 8);
  fp now = {NULL, 0, 0};
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);

  /* count the allocations of the whole scenario, and record the answers
     after every step */
  fault_alloc_arm(&fa, 0);
  psvc_calendar *c = NULL;
  ck_assert_int_eq(psvc_calendar_new(&c, 480), PSVC_OK);
  for (size_t i = 0; i <= ns; i++) {
    fa.paused = true;
    fingerprint(c, lo, hi, &expect[i]);
    fa.paused = false;
    if (i < ns)
      ck_assert_int_eq(run_step(c, &steps[i]), steps[i].rc);
  }
  long n = fa.count;
  ck_assert_int_gt(n, (long)ns);
  psvc_calendar_free(c);
  ck_assert_int_eq(fa.live_blocks, 0);

  for (long k = 1; k <= n; k++) {
    fault_alloc_arm(&fa, k);
    c = (psvc_calendar *)&fa; /* must stay untouched if new fails */
    int rc = psvc_calendar_new(&c, 480);
    if (rc == PSVC_ENOMEM) {
      ck_assert_ptr_eq(c, (psvc_calendar *)&fa);
      ck_assert_int_eq(fa.live_blocks, 0);
      ck_assert_int_eq(psvc_calendar_new(&c, 480), PSVC_OK); /* the failure was one-off */
    } else {
      ck_assert_int_eq(rc, PSVC_OK);
    }
    long failed_steps = rc == PSVC_ENOMEM;
    for (size_t i = 0; i < ns; i++) {
      long failures = fa.failures;
      rc = run_step(c, &steps[i]);
      if (fa.failures == failures) {
        ck_assert_msg(rc == steps[i].rc, "k=%ld step %zu: rc %d, want %d", k, i, rc, steps[i].rc);
        continue;
      }
      /* this step met the failing allocation */
      ck_assert_msg(rc == PSVC_ENOMEM, "k=%ld step %zu (%c): rc %d, want PSVC_ENOMEM", k, i,
                    steps[i].kind, rc);
      ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "memory"));
      fa.paused = true;
      fingerprint(c, lo, hi, &now);
      fa.paused = false;
      fp_same(&expect[i], &now, "a calendar after ENOMEM answers as before the call");
      failed_steps++;
      ck_assert_int_eq(run_step(c, &steps[i]), steps[i].rc); /* now it works */
    }
    ck_assert_msg(failed_steps == 1, "k=%ld: %ld calls failed", k, failed_steps);
    fa.paused = true;
    fingerprint(c, lo, hi, &now);
    fa.paused = false;
    fp_same(&expect[ns], &now, "the finished calendar");
    psvc_calendar_free(c);
    ck_assert_msg(fa.live_blocks == 0, "k=%ld: %ld blocks leaked", k, fa.live_blocks);
  }
  for (size_t i = 0; i <= ns; i++)
    free(expect[i].v);
  free(now.v);
  FAULT_ALLOC_END(&fa);
}
END_TEST

static Suite *calendar_suite(void) {
  Suite *s = suite_create("calendar");
  TCase *tc = tcase_create("reference");
  tcase_add_test(tc, test_reference_dates_and_weekdays);
  suite_add_tcase(s, tc);

  tc = tcase_create("T22");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_T22_half_hour_offset_india);
  tcase_add_test(tc, test_T22_windows_touch_midnight);
  tcase_add_test(tc, test_T22_overlapping_windows_merge);
  tcase_add_test(tc, test_T22_holiday_and_makeup_day);
  tcase_add_test(tc, test_T22_add_seconds_zero_and_closing_instant);
  tcase_add_test(tc, test_T22_T23_end_of_time);
  tcase_add_test(tc, test_T22_cn2026_business_seconds);
  tcase_add_test(tc, test_T22_cn2026_appendix_a_days);
  suite_add_tcase(s, tc);

  tc = tcase_create("T23");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_T23_cn2026_complaint_over_national_day);
  tcase_add_test(tc, test_T23_cn2026_mid_autumn_then_national_day);
  tcase_add_test(tc, test_T23_cn2026_started_on_a_holiday);
  tcase_add_test(tc, test_T23_cn2026_local_day_not_utc_day);
  tcase_add_test(tc, test_T23_cn2026_other_holidays);
  suite_add_tcase(s, tc);

  tc = tcase_create("property");
  tcase_set_timeout(tc, 600);
  tcase_add_loop_test(tc, test_T22_T23_property_random_calendars, 0, PROP_ITERS);
  suite_add_tcase(s, tc);

  tc = tcase_create("bulk");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_T22_T23_bulk_forms_equal_scalar);
  tcase_add_test(tc, test_T22_bulk_forms_fixed_cases);
  tcase_add_test(tc, test_T22_bulk_add_seconds_equal_working_days);
  tcase_add_test(tc, test_T22_T23_bulk_sparse_work_near_end_of_time);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_T22_argument_errors);
  tcase_add_test(tc, test_T22_int64_limits_are_erange);
  tcase_add_test(tc, test_T22_failed_mutation_changes_nothing);
  suite_add_tcase(s, tc);

  tc = tcase_create("alloc");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_T22_alloc_failure_every_k);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(calendar_suite()); }
