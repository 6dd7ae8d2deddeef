/*
 * calendar.c — business calendars and their arithmetic (T-22, T-23).
 *
 * A calendar is a fixed UTC offset, working windows per weekday, holidays
 * and make-up working days (调休) that work the hours of a named weekday.
 * Every local day has a "profile": 0 (no work: a holiday, or a weekday
 * without hours) or 1..7 (the windows of that weekday).
 *
 * How the arithmetic avoids walking day by day. Away from the exception
 * days (holidays and make-up days) the calendar repeats every week, so the
 * number of working days — or business seconds — before local day D is a
 * closed form P(D) = floor(D / 7) * per_week + prefix[D mod 7]. Exceptions
 * only add a correction C(D) that is 0 before the first exception, constant
 * after the last, and tabulated in between. So
 *
 *     days(D) = P_days(D) + C_days(D),   secs(D) = P_secs(D) + C_secs(D)
 *
 * are O(1), and so is a business-seconds count at any instant (a per-profile
 * minute table gives the seconds worked since local midnight). The inverse
 * questions ("the N-th working day after", "when have S business seconds
 * passed") are answered by the inverse of the closed form outside the
 * exception span, and inside it by a list of the span's working days
 * (O(1)) or a binary search of its cumulative seconds (O(log span)) —
 * or, in the bulk form, when all the span's working days last the same,
 * a division (add_seconds_uniform_n).
 *
 * The tables are rebuilt, into new memory, by every mutation, so that the
 * arithmetic functions read a calendar that never changes under them (any
 * number of threads may query a calendar nobody modifies) and a failed
 * mutation leaves the old calendar intact.
 *
 * Day numbers are local days since 1970-01-01 (day 0, a Thursday); instants
 * are psvc_time in [0, 9999-12-31T23:59:59Z]; anything outside is
 * PSVC_ERANGE, never a wrong answer.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define WIN_MAX 16          /* windows per weekday after merging */
#define DAY_S 86400
#define MIN_DAY (-2)        /* local days reachable from valid instants */
#define MAX_DAY 2932898     /* (9999-12-31 + 1 day) in days since 1970, + margin */

typedef struct window {
  int16_t open, close; /* minutes since local midnight, open < close <= 1440 */
} window;

typedef struct exception {
  int32_t day;
  int8_t profile; /* 0: holiday; 1..7: works the hours of that weekday */
} exception;

/* Everything derived from the definition, rebuilt by each mutation. */
typedef struct tables {
  int32_t psecs[8];          /* seconds worked by profile p */
  int32_t cum[8][1441];      /* seconds worked by profile p before minute m */
  int32_t week_days;         /* working days per periodic week */
  int64_t week_secs;         /* business seconds per periodic week */
  int32_t pre_days[8];       /* over a week starting on day 0 mod 7 */
  int64_t pre_secs[8];
  int8_t pos_day[7];         /* offset in the week of the r-th working day */
  /* the exception span [lo, hi): */
  int32_t lo, hi;
  int8_t *prof;              /* profile of each day in the span */
  int32_t *cdays;            /* C_days at lo + i, i = 0 .. hi - lo */
  int64_t *csecs;            /* C_secs at lo + i */
  int64_t *gsecs;            /* secs(lo + i), i = 0 .. hi - lo */
  int32_t *wbuf;             /* wlist with one slot before it (see add_days_n) */
  int32_t *wlist;            /* the working days of the span, ascending */
  size_t nwork;
  /* fast paths inside the span (see add_days_fast / add_secs_fast): */
  int32_t *dcum;             /* working days in [lo, lo + i), i = 0 .. hi - lo */
  uint32_t *dpack;           /* dcum[i] << 3 | profile of day lo + i: one load */
  struct wday {
    int64_t wsec;            /* business seconds of the span before its j-th
                                working day */
    int32_t day, prof;       /* = wlist[j] and its profile */
  } *W;                      /* j = 0 .. nwork (the last: wsec only) */
  int32_t maxd;              /* the longest working day, seconds */
  uint64_t inv_maxd;         /* floor(2^32 / maxd) + 1: q = n * inv >> 32 is
                                n / maxd for n < 2^31 (no division) */
  uint16_t wm[8][1440];      /* minute of the day of profile p's k-th worked minute */
  /* the bulk add_seconds path for a span whose working days all last ulen
     seconds (the usual calendar): no search at all, see add_secs_uniform */
  int32_t ulen;              /* that length, or 0 when the days differ */
  uint64_t inv_ulen;         /* floor(2^32 / ulen) + 1 */
  uint32_t *wpk;             /* working day j of the span: day << 3 | profile */
  int32_t cumf[8][1440];     /* cum[p][m] << 1 | (minute m is worked) */
} tables;

struct psvc_calendar {
  int offset_min;
  window win[8][WIN_MAX]; /* index 1..7: ISO weekday */
  int nwin[8];
  exception *ex;          /* sorted by day, unique */
  size_t nex, capex;
  tables t;
};

/* ---- dates -------------------------------------------------------------------- */

static int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floormod(int64_t a, int64_t b) { return a - floordiv(a, b) * b; }

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
   days_from_civil algorithm, public domain description). */
int64_t psvc__days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = floordiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void psvc__civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = floordiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool psvc__valid_date(int y, int m, int d) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= mdays[m - 1] + (m == 2 && leap);
}

/* ISO weekday (1 = Monday) of day D; day 0 was a Thursday. */
static int weekday(int64_t day) { return (int)floormod(day + 3, 7) + 1; }

/* ---- the definition -------------------------------------------------------------- */

static const exception *find_exception(const psvc_calendar *c, int64_t day) {
  size_t lo = 0, hi = c->nex;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (c->ex[mid].day < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < c->nex && c->ex[lo].day == day ? &c->ex[lo] : NULL;
}

/* The profile of day D from the definition (not the tables). */
static int day_profile(const psvc_calendar *c, int64_t day) {
  const exception *e = find_exception(c, day);
  return e ? e->profile : weekday(day);
}

/* ---- building the tables ---------------------------------------------------------- */

static void tables_free(tables *t) {
  psvc__free(t->prof);
  psvc__free(t->cdays);
  psvc__free(t->csecs);
  psvc__free(t->gsecs);
  psvc__free(t->wbuf);
  psvc__free(t->wpk);
  psvc__free(t->dcum);
  psvc__free(t->dpack);
  psvc__free(t->W);
  memset(t, 0, sizeof *t);
}

static void build_profiles(const psvc_calendar *c, tables *t) {
  for (int p = 1; p <= 7; p++) {
    int k = 0;
    for (int i = 0; i < c->nwin[p]; i++)
      for (int m = c->win[p][i].open; m < c->win[p][i].close; m++)
        t->wm[p][k++] = (uint16_t)m;
    for (int i = 0; i < c->nwin[p]; i++)
      for (int m = c->win[p][i].open; m < c->win[p][i].close; m++)
        t->cum[p][m + 1] = 60; /* marks worked minutes; summed below */
    for (int m = 0; m < 1440; m++)
      t->cum[p][m + 1] += t->cum[p][m];
    t->psecs[p] = t->cum[p][1440];
    for (int m = 0; m < 1440; m++)
      t->cumf[p][m] = t->cum[p][m] << 1 | (t->cum[p][m + 1] != t->cum[p][m]);
    if (t->psecs[p] > t->maxd)
      t->maxd = t->psecs[p];
  }
  t->inv_maxd = t->maxd ? ((uint64_t)1 << 32) / (uint64_t)t->maxd + 1 : 0;
}

static void build_week(tables *t) {
  int r = 0;
  for (int i = 0; i < 7; i++) {
    int p = weekday(i);
    t->pre_days[i + 1] = t->pre_days[i] + (t->psecs[p] > 0);
    t->pre_secs[i + 1] = t->pre_secs[i] + t->psecs[p];
    if (t->psecs[p] > 0)
      t->pos_day[r++] = (int8_t)i;
  }
  t->week_days = t->pre_days[7];
  t->week_secs = t->pre_secs[7];
}

static int64_t periodic_days(const tables *t, int64_t day) {
  return floordiv(day, 7) * t->week_days + t->pre_days[floormod(day, 7)];
}

static int64_t periodic_secs(const tables *t, int64_t day) {
  return floordiv(day, 7) * t->week_secs + t->pre_secs[floormod(day, 7)];
}

static int build_span(const psvc_calendar *c, tables *t) {
  if (c->nex == 0)
    return PSVC_OK;
  t->lo = c->ex[0].day;
  t->hi = c->ex[c->nex - 1].day + 1;
  size_t n = (size_t)(t->hi - t->lo);
  t->prof = psvc__malloc(n);
  t->cdays = psvc__malloc((n + 1) * sizeof *t->cdays);
  t->csecs = psvc__malloc((n + 1) * sizeof *t->csecs);
  t->gsecs = psvc__malloc((n + 1) * sizeof *t->gsecs);
  t->wbuf = psvc__calloc(n + 1, sizeof *t->wbuf);
  t->wpk = psvc__malloc((n ? n : 1) * sizeof *t->wpk);
  t->dcum = psvc__malloc((n + 1) * sizeof *t->dcum);
  t->dpack = psvc__malloc((n + 1) * sizeof *t->dpack);
  t->W = psvc__malloc((n + 1) * sizeof *t->W);
  if (!t->prof || !t->cdays || !t->csecs || !t->gsecs || !t->wbuf || !t->wpk || !t->dcum ||
      !t->dpack || !t->W)
    return PSVC_ENOMEM;
  t->wlist = t->wbuf + 1;
  t->ulen = -1; /* not seen a working day yet */
  int64_t cd = 0, cs = 0;
  size_t e = 0;
  for (size_t i = 0; i <= n; i++) {
    int64_t day = t->lo + (int64_t)i;
    t->cdays[i] = (int32_t)cd;
    t->csecs[i] = cs;
    t->gsecs[i] = periodic_secs(t, day) + cs;
    t->dcum[i] = (int32_t)t->nwork;
    int64_t wsec = t->gsecs[i] - t->gsecs[0];
    t->W[t->nwork] = (struct wday){wsec, 0, 0};
    t->dpack[i] = (uint32_t)t->nwork << 3;
    if (i == n)
      break;
    int p = weekday(day);
    if (e < c->nex && c->ex[e].day == day)
      p = c->ex[e++].profile;
    t->prof[i] = (int8_t)p;
    t->dpack[i] |= (uint32_t)p;
    if (t->psecs[p] > 0)
      t->W[t->nwork] = (struct wday){wsec, (int32_t)day, p};
    int normal = weekday(day);
    cd += (t->psecs[p] > 0) - (t->psecs[normal] > 0);
    cs += t->psecs[p] - t->psecs[normal];
    if (t->psecs[p] > 0) {
      t->ulen = t->ulen == -1 || t->ulen == t->psecs[p] ? t->psecs[p] : 0;
      t->wpk[t->nwork] = (uint32_t)day << 3 | (uint32_t)p;
      t->wlist[t->nwork++] = (int32_t)day;
    }
  }
  if (t->ulen < 0)
    t->ulen = 0;
  t->inv_ulen = t->ulen ? ((uint64_t)1 << 32) / (uint64_t)t->ulen + 1 : 0;
  return PSVC_OK;
}

/* Rebuilds c->t; on failure c is unchanged. */
static int rebuild(psvc_calendar *c) {
  tables t;
  memset(&t, 0, sizeof t);
  build_profiles(c, &t);
  build_week(&t);
  if (build_span(c, &t) != PSVC_OK) {
    tables_free(&t);
    return PSVC_ENOMEM;
  }
  tables_free(&c->t);
  c->t = t;
  return PSVC_OK;
}

/* ---- reading the tables ---------------------------------------------------------- */

static int prof_of(const tables *t, int64_t day, int64_t fallback_weekday) {
  if (day >= t->lo && day < t->hi)
    return t->prof[day - t->lo];
  return (int)fallback_weekday;
}

static int profile(const tables *t, int64_t day) { return prof_of(t, day, weekday(day)); }

/* Working days before day D. */
static int64_t days_before(const tables *t, int64_t day) {
  int64_t c = 0;
  if (t->hi > t->lo && day > t->lo)
    c = day >= t->hi ? t->cdays[t->hi - t->lo] : t->cdays[day - t->lo];
  return periodic_days(t, day) + c;
}

/* Business seconds before local midnight of day D. */
static int64_t secs_before(const tables *t, int64_t day) {
  int64_t c = 0;
  if (t->hi > t->lo && day > t->lo)
    c = day >= t->hi ? t->csecs[t->hi - t->lo] : t->csecs[day - t->lo];
  return periodic_secs(t, day) + c;
}

/* Business seconds before the local instant L (seconds since local epoch). */
static int64_t secs_at(const tables *t, int64_t local) {
  int64_t day = floordiv(local, DAY_S);
  int sod = (int)(local - day * DAY_S);
  int p = profile(t, day);
  int m = sod / 60;
  int32_t in = t->cum[p][m], next = t->cum[p][m + 1];
  return secs_before(t, day) + in + (next != in ? sod % 60 : 0);
}

/* The day of the k-th working day (0-based, counted from day 0). */
static bool nth_workday(const tables *t, int64_t k, int64_t *day) {
  int64_t gl = 0, gh = 0, ctot = 0;
  if (t->hi > t->lo) {
    gl = periodic_days(t, t->lo);
    ctot = t->cdays[t->hi - t->lo];
    gh = periodic_days(t, t->hi) + ctot;
    if (k >= gl && k < gh) {
      *day = t->wlist[k - gl];
      return true;
    }
    if (k >= gh)
      k -= ctot;
  }
  if (t->week_days == 0)
    return false;
  int64_t q = floordiv(k, t->week_days);
  *day = q * 7 + t->pos_day[k - q * t->week_days];
  return true;
}

/* The smallest day D with secs_before(D + 1) >= target (target > 0). */
static bool day_reaching(const tables *t, int64_t target, int64_t *day) {
  if (t->hi > t->lo) {
    size_t n = (size_t)(t->hi - t->lo);
    if (target > t->gsecs[0] && target <= t->gsecs[n]) {
      size_t lo = 0, hi = n - 1; /* answer i in [0, n): gsecs[i+1] >= target */
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->gsecs[mid + 1] >= target)
          hi = mid;
        else
          lo = mid + 1;
      }
      *day = t->lo + (int64_t)lo;
      return true;
    }
    if (target > t->gsecs[n])
      target -= t->csecs[n];
  }
  if (t->week_secs == 0)
    return false;
  int64_t q = floordiv(target - 1, t->week_secs);
  int64_t r = target - 1 - q * t->week_secs;
  int j = 0;
  while (t->pre_secs[j + 1] <= r)
    j++;
  *day = q * 7 + j;
  return true;
}

/* ---- construction ------------------------------------------------------------------- */

PSVC_API int psvc_calendar_new(psvc_calendar **out, int utc_offset_min) {
  if (!out)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_calendar_new: out is NULL");
  if (utc_offset_min < -14 * 60 || utc_offset_min > 14 * 60)
    return psvc__fail(NULL, PSVC_EINVAL,
                      "psvc_calendar_new: UTC offset %d min is outside -14:00 .. +14:00",
                      utc_offset_min);
  psvc_calendar *c = psvc__calloc(1, sizeof *c);
  if (!c)
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_calendar_new: out of memory");
  c->offset_min = utc_offset_min;
  rebuild(c); /* no span yet: cannot fail */
  *out = c;
  return PSVC_OK;
}

PSVC_API void psvc_calendar_free(psvc_calendar *c) {
  if (!c)
    return;
  tables_free(&c->t);
  psvc__free(c->ex);
  psvc__free(c);
}

psvc_calendar *psvc__calendar_dup(const psvc_calendar *c) {
  psvc_calendar *d = psvc__calloc(1, sizeof *d);
  if (!d)
    return NULL;
  memcpy(d->win, c->win, sizeof d->win);
  memcpy(d->nwin, c->nwin, sizeof d->nwin);
  d->offset_min = c->offset_min;
  if (c->nex) {
    d->ex = psvc__malloc(c->nex * sizeof *d->ex);
    if (!d->ex) {
      psvc__free(d);
      return NULL;
    }
    memcpy(d->ex, c->ex, c->nex * sizeof *d->ex);
    d->nex = d->capex = c->nex;
  }
  if (rebuild(d) != PSVC_OK) {
    psvc_calendar_free(d);
    return NULL;
  }
  return d;
}

int psvc__calendar_offset(const psvc_calendar *c) { return c->offset_min; }

/* The same working days, each open 00:00-24:00: the WORK_DAYS clock. */
psvc_calendar *psvc__calendar_whole_days(const psvc_calendar *c) {
  psvc_calendar *d = psvc__calendar_dup(c);
  if (!d)
    return NULL;
  for (int wd = 1; wd <= 7; wd++)
    if (d->nwin[wd]) {
      d->nwin[wd] = 1;
      d->win[wd][0] = (window){0, 1440};
    }
  if (rebuild(d) != PSVC_OK) {
    psvc_calendar_free(d);
    return NULL;
  }
  return d;
}

PSVC_API int psvc_calendar_add_hours(psvc_calendar *c, int wd, int open_min, int close_min) {
  const char *fn = "psvc_calendar_add_hours";
  if (!c)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: calendar is NULL", fn);
  if (wd < 1 || wd > 7)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: weekday %d is not 1 (Monday) .. 7 (Sunday)", fn,
                      wd);
  if (open_min < 0 || close_min > 1440 || open_min >= close_min)
    return psvc__fail(NULL, PSVC_EINVAL,
                      "%s: window %d-%d min is not 0 <= open < close <= 1440", fn, open_min,
                      close_min);
  /* merge with every window it overlaps or touches */
  window w = {(int16_t)open_min, (int16_t)close_min}, keep[WIN_MAX + 1];
  int n = 0;
  for (int i = 0; i < c->nwin[wd]; i++) {
    window o = c->win[wd][i];
    if (o.close < w.open || o.open > w.close)
      keep[n++] = o;
    else {
      w.open = o.open < w.open ? o.open : w.open;
      w.close = o.close > w.close ? o.close : w.close;
    }
  }
  if (n >= WIN_MAX)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: more than %d windows on one weekday", fn,
                      WIN_MAX);
  int at = n;
  while (at > 0 && keep[at - 1].open > w.open) {
    keep[at] = keep[at - 1];
    at--;
  }
  keep[at] = w;
  psvc_calendar saved = *c;
  memcpy(c->win[wd], keep, (size_t)(n + 1) * sizeof *keep);
  c->nwin[wd] = n + 1;
  memset(&c->t, 0, sizeof c->t);
  if (rebuild(c) != PSVC_OK) {
    *c = saved;
    return psvc__fail(NULL, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  tables_free(&saved.t);
  return PSVC_OK;
}

/* Inserts the exception for `day` (a day may be a holiday or a make-up day,
   not both). With `defer`, the tables are left stale: the caller rebuilds
   once at the end (psvc__calendar_rebuild) and discards the calendar on
   failure. */
static int put_exception(psvc_calendar *c, const char *fn, int64_t day, int prof,
                         bool defer) {
  const exception *have = find_exception(c, day);
  if (have && have->profile == prof)
    return PSVC_OK;
  if (have)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: that day is already a %s", fn,
                      have->profile ? "make-up working day" : "holiday");
  if (c->nex == c->capex) {
    size_t cap = c->capex ? c->capex * 2 : 32;
    exception *ex = psvc__realloc(c->ex, cap * sizeof *ex);
    if (!ex)
      return psvc__fail(NULL, PSVC_ENOMEM, "%s: out of memory", fn);
    c->ex = ex;
    c->capex = cap;
  }
  size_t at = c->nex;
  while (at > 0 && c->ex[at - 1].day > day) {
    c->ex[at] = c->ex[at - 1];
    at--;
  }
  c->ex[at] = (exception){(int32_t)day, (int8_t)prof};
  c->nex++;
  if (defer)
    return PSVC_OK;
  tables saved = c->t;
  memset(&c->t, 0, sizeof c->t);
  if (rebuild(c) != PSVC_OK) { /* undo the insertion */
    memmove(&c->ex[at], &c->ex[at + 1], (c->nex - at - 1) * sizeof *c->ex);
    c->nex--;
    c->t = saved;
    return psvc__fail(NULL, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  tables_free(&saved);
  return PSVC_OK;
}

PSVC_API int psvc_calendar_add_holiday(psvc_calendar *c, int y, int m, int d) {
  const char *fn = "psvc_calendar_add_holiday";
  if (!c)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: calendar is NULL", fn);
  if (!psvc__valid_date(y, m, d))
    return psvc__fail(NULL, PSVC_ERANGE, "%s: %d-%02d-%02d is not a date in 1970 .. 9999", fn,
                      y, m, d);
  return put_exception(c, fn, psvc__days_from_civil(y, m, d), 0, false);
}

PSVC_API int psvc_calendar_add_workday(psvc_calendar *c, int y, int m, int d, int as_wd) {
  const char *fn = "psvc_calendar_add_workday";
  if (!c)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: calendar is NULL", fn);
  if (!psvc__valid_date(y, m, d))
    return psvc__fail(NULL, PSVC_ERANGE, "%s: %d-%02d-%02d is not a date in 1970 .. 9999", fn,
                      y, m, d);
  if (as_wd < 1 || as_wd > 7)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: as_weekday %d is not 1 (Monday) .. 7 (Sunday)",
                      fn, as_wd);
  return put_exception(c, fn, psvc__days_from_civil(y, m, d), as_wd, false);
}

/* ---- queries ------------------------------------------------------------------------------ */

PSVC_API int psvc_calendar_is_workday(const psvc_calendar *c, int y, int m, int d) {
  if (!c)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_calendar_is_workday: calendar is NULL");
  if (!psvc__valid_date(y, m, d))
    return psvc__fail(NULL, PSVC_ERANGE,
                      "psvc_calendar_is_workday: %d-%02d-%02d is not a date in 1970 .. 9999",
                      y, m, d);
  return c->t.psecs[profile(&c->t, psvc__days_from_civil(y, m, d))] > 0;
}

static bool time_ok(psvc_time t) { return t >= 0 && t <= PSVC_TIME_MAX; }

static int local_day(const psvc_calendar *c, psvc_time t) {
  return (int)floordiv(t + c->offset_min * 60, DAY_S);
}

/* The scalar cores, shared by the bulk forms; they never record messages. */
typedef enum { OK, BAD_TIME, BAD_COUNT, NO_WORK, PAST_END } outcome;

/* Seconds worked by profile p before second `sod` of its day. */
#if defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

static HOT_INLINE int32_t in_day(const tables *t, int p, int sod) {
  int m = sod / 60;
  int32_t in = t->cum[p][m];
  return in + (sod % 60) * (t->cum[p][m + 1] != in); /* no branch: 50/50 in hot loops */
}

/* The second of the day at which profile p has worked r seconds
   (0 < r <= psecs[p]): within its ceil(r / 60)-th worked minute. */
static HOT_INLINE int second_reaching(const tables *t, int p, int64_t r) {
  int k = ((int)r - 1) / 60; /* 0 < r <= 86400 */
  return t->wm[p][k] * 60 + (int)r - k * 60;
}

/* add_days and add_secs inside the exception span, where the tables give
   the answer in a few loads; false when the answer leaves the span. */
static HOT_INLINE bool add_days_fast(const tables *t, int64_t start, int64_t days,
                                      int64_t *day) {
  int64_t i = start + 1 - t->lo;
  if (t->hi == t->lo || i < 0 || i > t->hi - t->lo)
    return false;
  int64_t j = t->dcum[i] + days - 1; /* index of the answer in wlist */
  if (j >= (int64_t)t->nwork)
    return false;
  *day = t->wlist[j];
  return true;
}

/* add_secs inside the span, in two stages so that the bulk form can run
   the first stage for a block of elements before the second: the loads of
   different elements then overlap instead of waiting on each other. */
typedef struct secs_job {
  int64_t js, R, target;
} secs_job;

/* Stage 1: where the count starts (js, R) and the business second to reach
   (target); false when the answer may leave the span. */
static HOT_INLINE bool secs_stage1(const tables *t, int64_t local, int64_t secs, secs_job *jb) {
  /* local >= -14 h: shifting by a day keeps the division unsigned */
  int64_t day = (int64_t)((uint64_t)(local + DAY_S) / DAY_S) - 1;
  int64_t i = day - t->lo;
  if (i < 0 || i >= t->hi - t->lo || t->maxd == 0)
    return false;
  int sod = (int)(local - day * DAY_S);
  uint32_t pk = t->dpack[i];
  jb->js = pk >> 3; /* first working day at or after `day` */
  jb->R = in_day(t, (int)(pk & 7), sod) + secs; /* profile 0: in_day 0 */
  jb->target = t->W[jb->js].wsec + jb->R;
  return jb->target <= t->W[t->nwork].wsec;
}

/* Stage 2: the local instant. The answer j is the first working day with
   W[j + 1].wsec >= target; no working day is longer than maxd, so the
   guess is at most one off when the days are alike (and it does not wait
   for the load of W[js]). */
static HOT_INLINE int64_t secs_stage2(const tables *t, const secs_job *jb) {
  const struct wday *W = t->W;
  int64_t js = jb->js, R = jb->R, target = jb->target, nw = (int64_t)t->nwork;
  int64_t j = js + (R <= INT32_MAX ? (int64_t)((uint64_t)(R - 1) * t->inv_maxd >> 32)
                                   : (R - 1) / t->maxd);
  j = j < nw ? j : nw - 1;
  j -= (int64_t)((j > js) & (W[j].wsec >= target)); /* & not &&: no branch */
  j += W[j + 1].wsec < target;
  while (j > js && W[j].wsec >= target) /* rare: several days shorter than maxd */
    j--;
  while (W[j + 1].wsec < target)
    j++;
  return (int64_t)W[j].day * DAY_S + second_reaching(t, W[j].prof, target - W[j].wsec);
}

static HOT_INLINE bool add_secs_fast(const tables *t, int64_t local, int64_t secs,
                                     int64_t *res) {
  secs_job jb;
  if (!secs_stage1(t, local, secs, &jb))
    return false;
  *res = secs_stage2(t, &jb);
  return true;
}

static outcome add_secs(const psvc_calendar *c, psvc_time t, int64_t secs, psvc_time *out) {
  if (!time_ok(t))
    return BAD_TIME;
  if (secs < 0 || secs > PSVC_TIME_MAX)
    return BAD_COUNT;
  if (secs == 0) {
    *out = t;
    return OK;
  }
  const tables *tb = &c->t;
  int64_t off = (int64_t)c->offset_min * 60, fast;
  if (add_secs_fast(tb, t + off, secs, &fast)) {
    if (fast - off > PSVC_TIME_MAX)
      return PAST_END;
    *out = fast - off;
    return OK;
  }
  int64_t target = secs_at(tb, t + off) + secs, day;
  if (!day_reaching(tb, target, &day))
    return NO_WORK;
  if (day > MAX_DAY)
    return PAST_END;
  int p = profile(tb, day);
  int64_t r = target - secs_before(tb, day); /* 0 < r <= psecs[p] */
  int lo = 0, hi = 1440;                    /* smallest minute m with cum[m+1] >= r */
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (tb->cum[p][mid + 1] >= r)
      hi = mid;
    else
      lo = mid + 1;
  }
  int64_t res = day * DAY_S + lo * 60 + (r - tb->cum[p][lo]) - off;
  if (res > PSVC_TIME_MAX)
    return PAST_END;
  *out = res;
  return OK;
}

static outcome add_days(const psvc_calendar *c, psvc_time t, int64_t days, psvc_time *out) {
  if (!time_ok(t))
    return BAD_TIME;
  if (days < 0 || days > 4000000)
    return BAD_COUNT;
  int64_t start = local_day(c, t), day = start;
  if (days > 0 && !add_days_fast(&c->t, start, days, &day) &&
      !nth_workday(&c->t, days_before(&c->t, start + 1) + days - 1, &day))
    return NO_WORK;
  int64_t res = (day + 1) * DAY_S - 1 - (int64_t)c->offset_min * 60;
  if (res > PSVC_TIME_MAX)
    return PAST_END;
  *out = res;
  return OK;
}

static int report(outcome o, const char *fn, size_t i, bool bulk) {
  static const char *const why[] = {
      [BAD_TIME] = "a time before 1970 or after 9999-12-31",
      [BAD_COUNT] = "a negative or impossibly large count",
      [NO_WORK] = "the calendar has no working time to count",
      [PAST_END] = "a result after 9999-12-31",
  };
  if (bulk)
    return psvc__fail(NULL, PSVC_ERANGE, "%s: element %zu: %s", fn, i, why[o]);
  return psvc__fail(NULL, PSVC_ERANGE, "%s: %s", fn, why[o]);
}

PSVC_API int psvc_calendar_add_seconds(const psvc_calendar *c, psvc_time t, int64_t secs,
                                       psvc_time *out) {
  const char *fn = "psvc_calendar_add_seconds";
  if (!c || !out)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: %s is NULL", fn, c ? "out" : "calendar");
  outcome o = add_secs(c, t, secs, out);
  return o == OK ? PSVC_OK : report(o, fn, 0, false);
}

PSVC_API int psvc_calendar_add_workdays(const psvc_calendar *c, psvc_time t, int days,
                                        psvc_time *out) {
  const char *fn = "psvc_calendar_add_workdays";
  if (!c || !out)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: %s is NULL", fn, c ? "out" : "calendar");
  outcome o = add_days(c, t, days, out);
  return o == OK ? PSVC_OK : report(o, fn, 0, false);
}

PSVC_API int psvc_calendar_elapsed(const psvc_calendar *c, psvc_time t0, psvc_time t1,
                                   int64_t *secs) {
  const char *fn = "psvc_calendar_elapsed";
  if (!c || !secs)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: %s is NULL", fn, c ? "secs" : "calendar");
  if (!time_ok(t0) || !time_ok(t1))
    return report(BAD_TIME, fn, 0, false);
  if (t1 < t0)
    return psvc__fail(NULL, PSVC_ERANGE, "%s: t1 is before t0", fn);
  int64_t off = (int64_t)c->offset_min * 60;
  *secs = secs_at(&c->t, t1 + off) - secs_at(&c->t, t0 + off);
  return PSVC_OK;
}

/* Internal forms for the SLA engine (no messages, plain outcomes). */
int psvc__cal_add_seconds(const psvc_calendar *c, psvc_time t, int64_t secs, psvc_time *out) {
  return add_secs(c, t, secs, out) == OK ? PSVC_OK : PSVC_ERANGE;
}

int psvc__cal_add_workdays(const psvc_calendar *c, psvc_time t, int64_t days, psvc_time *out) {
  return add_days(c, t, days, out) == OK ? PSVC_OK : PSVC_ERANGE;
}

int64_t psvc__cal_secs_at(const psvc_calendar *c, psvc_time t) {
  return secs_at(&c->t, t + (int64_t)c->offset_min * 60);
}

int64_t psvc__cal_local_day(const psvc_calendar *c, psvc_time t) { return local_day(c, t); }

/* Bulk forms: the same cores in a tight loop. The output array is written
   only when every element succeeds (API.md §0): a first pass proves each
   element fine — cheaply, when its start is far enough from 9999-12-31 for
   no result to pass it (`horizon`), else by computing it — and only then
   the second pass stores the results. */
static int64_t horizon(const psvc_calendar *c, int64_t count, bool secs) {
  const tables *t = &c->t;
  int64_t per = secs ? t->week_secs : t->week_days;
  if (per == 0 || count > PSVC_TIME_MAX)
    return -1; /* compute it */
  int64_t weeks = count / per + 2 + (t->hi - t->lo) / 7 + 1;
  int64_t span = weeks * 7 * DAY_S + 2 * DAY_S;
  return PSVC_TIME_MAX - span;
}

/* Pass 1 of a bulk call: bounds of the starts and counts, by OR-ing them
   (a vectorised pass at memory speed): a negative element sets the sign bit,
   and otherwise the OR is at least the largest element, so one horizon check
   proves most batches safe at once. */
static bool bulk_bounds(const psvc_time *t, const int64_t *c64, const int32_t *c32, size_t n,
                        psvc_time *tbound, int64_t *cbound) {
  uint64_t ot = 0, oc = 0;
  uint32_t oc32 = 0;
  for (size_t i = 0; i < n; i++)
    ot |= (uint64_t)t[i];
  if (c64)
    for (size_t i = 0; i < n; i++)
      oc |= (uint64_t)c64[i];
  else
    for (size_t i = 0; i < n; i++)
      oc32 |= (uint32_t)c32[i];
  if (!c64)
    oc = oc32 >> 31 ? UINT64_MAX : oc32;
  *tbound = (psvc_time)(ot & INT64_MAX);
  *cbound = (int64_t)(oc & INT64_MAX);
  return ((ot | oc) >> 63) == 0;
}

/* The first pass of a bulk call: true when every element is valid and no
   result passes 9999-12-31 — proven by the bounds when the starts are far
   enough from the end, else by computing every element once — so the
   second pass needs no checks; false with *rc set (and the failing
   element's message recorded) otherwise. */
static bool bulk_proven(const psvc_calendar *c, const char *fn, const psvc_time *t,
                        const int64_t *c64, const int32_t *c32, size_t n, int *rc) {
  psvc_time tb;
  int64_t cb;
  if (bulk_bounds(t, c64, c32, n, &tb, &cb) && tb <= horizon(c, cb, c64 != NULL))
    return true;
  for (size_t i = 0; i < n; i++) { /* find the failing element, if any */
    psvc_time r;
    outcome o = c64 ? add_secs(c, t[i], c64[i], &r) : add_days(c, t[i], c32[i], &r);
    if (o != OK) {
      *rc = report(o, fn, i, true);
      return false;
    }
  }
  return true;
}

/* add_seconds_n on a span whose working days all last ulen seconds (the
   usual calendar). Where the count starts (local day i of the span, second
   sod) gives the first working day js at or after it and R, the seconds
   counted on it: those already worked by sod plus secs; the answer is then
   on working day js + (R - 1) / ulen, with no search. Elements outside the
   span, with secs = 0 or secs >= 2^30 take the general path. The tables
   are read through locals so that the compiler keeps them in registers
   (stores to out cannot change them). */
static void add_seconds_uniform_n(const psvc_calendar *c, const psvc_time *t,
                                  const int64_t *secs, psvc_time *out, size_t n) {
  const tables *tb = &c->t;
  const uint32_t *dpack = tb->dpack, *wpk = tb->wpk;
  const int64_t off = (int64_t)c->offset_min * 60, base = off - (int64_t)tb->lo * DAY_S;
  const uint64_t span_s = (uint64_t)(tb->hi - tb->lo) * DAY_S, nwork = tb->nwork;
  const int64_t ulen = tb->ulen;
  const uint64_t inv = tb->inv_ulen;
  for (size_t i = 0; i < n; i++) {
    int64_t s = secs[i];
    uint64_t x = (uint64_t)(t[i] + base); /* seconds since the span's first midnight */
    if (x < span_s && (uint64_t)(s - 1) < (1u << 30)) {
      uint32_t day = (uint32_t)(x / DAY_S), sod = (uint32_t)(x - (uint64_t)day * DAY_S);
      uint32_t pk = dpack[day], m = sod / 60;
      int32_t e = tb->cumf[pk & 7][m];
      int64_t n1 = (e >> 1) + ((int32_t)(sod - m * 60) & -(e & 1)) + s - 1; /* R - 1 */
      int64_t q = (int64_t)((uint64_t)n1 * inv >> 32); /* n1 / ulen, or one more */
      int64_t r = n1 - q * ulen;
      int64_t neg = r >> 63; /* all ones when q was one too many: no branch */
      q += neg;
      r += ulen & neg; /* r + 1 seconds to work on day j: 1 .. ulen */
      uint64_t j = (uint64_t)((int64_t)(pk >> 3) + q);
      if (j < nwork) {
        uint32_t w = wpk[j], k = (uint32_t)r / 60;
        out[i] = (int64_t)(w >> 3) * DAY_S + tb->wm[w & 7][k] * 60 + r + 1 - k * 60 - off;
        continue;
      }
    }
    add_secs(c, t[i], s, &out[i]);
  }
}

/* Any span: two stages over blocks of 8, so that the loads of different
   elements overlap instead of waiting on each other. */
static void add_seconds_blocks_n(const psvc_calendar *c, const psvc_time *t,
                                 const int64_t *secs, psvc_time *out, size_t n) {
  const tables *tb = &c->t;
  int64_t off = (int64_t)c->offset_min * 60;
  enum { BLOCK = 8 };
  for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
    size_t m = n - i0 < BLOCK ? n - i0 : BLOCK;
    secs_job jb[BLOCK];
    bool fast[BLOCK];
    for (size_t k = 0; k < m; k++)
      fast[k] = secs[i0 + k] > 0 && secs_stage1(tb, t[i0 + k] + off, secs[i0 + k], &jb[k]);
    for (size_t k = 0; k < m; k++) {
      if (fast[k])
        out[i0 + k] = secs_stage2(tb, &jb[k]) - off;
      else
        add_secs(c, t[i0 + k], secs[i0 + k], &out[i0 + k]);
    }
  }
}

PSVC_API int psvc_calendar_add_seconds_n(const psvc_calendar *c, const psvc_time *t,
                                         const int64_t *secs, psvc_time *out, size_t n) {
  const char *fn = "psvc_calendar_add_seconds_n";
  if (!c || ((!t || !secs || !out) && n))
    return psvc__fail(NULL, PSVC_EINVAL, "%s: NULL argument", fn);
  int rc = PSVC_OK;
  if (!bulk_proven(c, fn, t, secs, NULL, n, &rc))
    return rc;
  if (c->t.ulen)
    add_seconds_uniform_n(c, t, secs, out, n);
  else
    add_seconds_blocks_n(c, t, secs, out, n);
  return PSVC_OK;
}

/* The elements of add_workdays_n outside the span's tables. */
static int64_t add_days_periodic(const tables *t, int64_t start, int64_t days) {
  int64_t day = start;
  if (days > 0)
    nth_workday(t, days_before(t, start + 1) + days - 1, &day);
  return day;
}

PSVC_API int psvc_calendar_add_workdays_n(const psvc_calendar *c, const psvc_time *t,
                                          const int32_t *days, psvc_time *out, size_t n) {
  const char *fn = "psvc_calendar_add_workdays_n";
  if (!c || ((!t || !days || !out) && n))
    return psvc__fail(NULL, PSVC_EINVAL, "%s: NULL argument", fn);
  int rc = PSVC_OK;
  if (!bulk_proven(c, fn, t, NULL, days, n, &rc))
    return rc;
  /* every element is valid: the lean loop. In the span the answer is
     wlist[dcum[i] + days - 1]; for days = 0 that index may be -1, which
     reads wlist's leading slot and is then not used (no branch). */
  const tables *tb = &c->t;
  const int32_t *dcum = tb->dcum, *wlist = tb->wlist;
  const uint64_t reach = tb->hi > tb->lo ? (uint64_t)(tb->hi - tb->lo) + 1 : 0;
  const int64_t lo = tb->lo, nwork = (int64_t)tb->nwork;
  const int64_t off = (int64_t)c->offset_min * 60;
  for (size_t i = 0; i < n; i++) {
    int64_t start = (int64_t)((uint64_t)(t[i] + off + DAY_S) / DAY_S) - 1, d = days[i], day;
    uint64_t k = (uint64_t)(start + 1 - lo);
    int64_t j = k < reach ? dcum[k] + d - 1 : nwork;
    if (j < nwork) {
      int64_t w = wlist[j];
      day = d ? w : start;
    } else {
      day = add_days_periodic(tb, start, d);
    }
    out[i] = (day + 1) * DAY_S - 1 - off;
  }
  return PSVC_OK;
}

/* ---- for the parser ------------------------------------------------------------------ */

int psvc__calendar_put_day(psvc_calendar *c, int64_t day, int prof) {
  return put_exception(c, "calendar", day, prof, true);
}

int psvc__calendar_rebuild(psvc_calendar *c) { return rebuild(c); }

void psvc__calendar_set_offset(psvc_calendar *c, int offset_min) { c->offset_min = offset_min; }

/* Moves src's definition and tables into dst (freeing dst's) and frees src. */
void psvc__calendar_replace(psvc_calendar *dst, psvc_calendar *src) {
  tables_free(&dst->t);
  psvc__free(dst->ex);
  *dst = *src;
  psvc__free(src);
}

/* For the parser and tests: the definition, read back. */
int psvc__calendar_windows(const psvc_calendar *c, int wd, int *open, int *close, int max) {
  int n = c->nwin[wd] < max ? c->nwin[wd] : max;
  for (int i = 0; i < n; i++) {
    open[i] = c->win[wd][i].open;
    close[i] = c->win[wd][i].close;
  }
  return c->nwin[wd];
}

int psvc__calendar_day_profile(const psvc_calendar *c, int64_t day) {
  return day_profile(c, day);
}
