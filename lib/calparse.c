/*
 * calparse.c — reading calendars from text: the library's own line format
 * (docs/calendar-format.md) and the holidays of an iCalendar file (RFC 5545
 * all-day VEVENTs, the format public holiday calendars are published in).
 *
 * Both parsers read line by line into a calendar that nobody else sees yet
 * (a new one, or a copy of the caller's), add days without rebuilding the
 * lookup tables, rebuild once at the end, and only then hand the result
 * over: a text with an error anywhere changes nothing and reports
 * PSVC_EPARSE with "line N: what is wrong".
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN 4096
#define RANGE_MAX_DAYS 3660 /* a holiday range longer than ten years is a typo */

typedef struct parser {
  const char *p;       /* next unread byte */
  int line;            /* number of the line being parsed */
  char buf[LINE_MAX_LEN + 1];
  char err[256];
} parser;

/* fmt has one %s for `detail`, shown up to 64 bytes (it may be a whole
   4096-byte line). */
static bool perr(parser *ps, const char *fmt, const char *detail) {
  char what[200], shown[68];
  snprintf(shown, sizeof shown, "%.64s", detail ? detail : "");
  snprintf(what, sizeof what, fmt, shown);
  snprintf(ps->err, sizeof ps->err, "line %d: %s", ps->line, what);
  return false;
}

/* Appends the rest of the physical line (without CR/LF) to ps->buf[0..*n)
   and moves past its line break. */
static void append_line(parser *ps, size_t *n, bool *too_long) {
  while (*ps->p && *ps->p != '\n') {
    if (*n < LINE_MAX_LEN)
      ps->buf[(*n)++] = *ps->p;
    else
      *too_long = true;
    ps->p++;
  }
  if (*ps->p == '\n')
    ps->p++;
  if (*n && ps->buf[*n - 1] == '\r')
    (*n)--;
  ps->buf[*n] = 0;
  ps->line++;
}

/* Reads the next physical line (without CR/LF) into ps->buf. */
static bool next_line(parser *ps, bool *too_long) {
  if (!*ps->p)
    return false;
  size_t n = 0;
  *too_long = false;
  append_line(ps, &n, too_long);
  return true;
}

/* ---- tokens ------------------------------------------------------------------- */

static char *skip_ws(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* Splits off the next whitespace-separated word (NULL at the end). */
static char *word(char **s) {
  char *w = skip_ws(*s);
  if (!*w)
    return NULL;
  char *e = w;
  while (*e && *e != ' ' && *e != '\t')
    e++;
  if (*e)
    *e++ = 0;
  *s = e;
  return w;
}

static bool digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

/* "YYYY-MM-DD" (exactly) -> local day number. */
static bool parse_date(const char *s, size_t len, int64_t *day) {
  int y, m, d;
  if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
      !digits(s + 8, 2, &d) || !psvc__valid_date(y, m, d))
    return false;
  *day = psvc__days_from_civil(y, m, d);
  return true;
}

/* "HH:MM" -> minutes; 24:00 allowed (end of day). */
static bool parse_hhmm(const char *s, int *min) {
  int h, m;
  if (strlen(s) != 5 || s[2] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &m) || m > 59 ||
      h > 24 || (h == 24 && m != 0))
    return false;
  *min = h * 60 + m;
  return true;
}

static int weekday_named(const char *s, size_t n) {
  static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (int i = 0; i < 7; i++)
    if (n == 3 && strncmp(s, names[i], 3) == 0)
      return i + 1;
  return 0;
}

/* "mon-fri", "sat", "mon,wed,fri", "mon-wed,sat" -> bit (1 << weekday). */
static bool parse_days(const char *s, unsigned *mask) {
  *mask = 0;
  while (*s) {
    const char *comma = strchr(s, ',');
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    const char *dash = memchr(s, '-', n);
    int a, b;
    if (dash) {
      a = weekday_named(s, (size_t)(dash - s));
      b = weekday_named(dash + 1, n - (size_t)(dash - s) - 1);
    } else
      a = b = weekday_named(s, n);
    if (!a || !b || a > b)
      return false;
    for (int d = a; d <= b; d++)
      *mask |= 1u << d;
    s += n;
    if (*s == ',' && !*++s)
      return false;
  }
  return *mask != 0;
}

/* ---- directives ------------------------------------------------------------------ */

static bool do_utc(parser *ps, psvc_calendar *c, char *arg, bool *seen) {
  if (*seen)
    return perr(ps, "the UTC offset is given twice%s", NULL);
  *seen = true;
  int off = 0;
  if (arg[3]) {
    int h, m;
    char sign = arg[3];
    if ((sign != '+' && sign != '-') || strlen(arg) != 9 || arg[6] != ':' ||
        !digits(arg + 4, 2, &h) || !digits(arg + 7, 2, &m) || m > 59 || h * 60 + m > 14 * 60)
      return perr(ps, "bad UTC offset '%s' (expected utc+HH:MM, at most 14:00)", arg);
    off = (sign == '-' ? -1 : 1) * (h * 60 + m);
  }
  psvc__calendar_set_offset(c, off);
  return true;
}

static bool do_hours(parser *ps, psvc_calendar *c, char *rest, int *nomem) {
  char *days = word(&rest), *w;
  unsigned mask;
  if (!days || !parse_days(days, &mask))
    return perr(ps, "bad weekdays '%s' (expected e.g. mon-fri, sat or mon,wed)", days);
  int nwin = 0, rc;
  while ((w = word(&rest))) {
    char *dash = strchr(w, '-');
    int open, close;
    if (!dash)
      return perr(ps, "bad window '%s' (expected HH:MM-HH:MM)", w);
    *dash = 0;
    if (!parse_hhmm(w, &open) || !parse_hhmm(dash + 1, &close) || open >= close) {
      *dash = '-';
      return perr(ps, "bad window '%s' (expected HH:MM-HH:MM, opening before closing)", w);
    }
    for (int d = 1; d <= 7; d++)
      if ((mask >> d & 1u) && (rc = psvc_calendar_add_hours(c, d, open, close)) != PSVC_OK) {
        if (rc == PSVC_ENOMEM)
          *nomem = 1;
        return perr(ps, "%s", psvc_errmsg(NULL));
      }
    nwin++;
  }
  if (!nwin)
    return perr(ps, "'hours' needs at least one window HH:MM-HH:MM%s", NULL);
  return true;
}

static bool put_day(parser *ps, psvc_calendar *c, int64_t day, int prof, int *nomem) {
  int rc = psvc__calendar_put_day(c, day, prof);
  if (rc == PSVC_ENOMEM)
    *nomem = 1;
  if (rc != PSVC_OK) {
    int y, m, d;
    char date[16];
    psvc__civil_from_days(day, &y, &m, &d);
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    return perr(ps, rc == PSVC_ENOMEM ? "out of memory at %s"
                                      : "%s is already listed as the other kind of day",
                date);
  }
  return true;
}

static bool do_holiday(parser *ps, psvc_calendar *c, char *rest, int *nomem) {
  char *arg = word(&rest);
  if (!arg || word(&rest))
    return perr(ps, "'holiday' takes one date or range: YYYY-MM-DD[..YYYY-MM-DD]%s", NULL);
  char *dots = strstr(arg, "..");
  int64_t a, b;
  if (!parse_date(arg, dots ? (size_t)(dots - arg) : strlen(arg), &a) ||
      (dots && !parse_date(dots + 2, strlen(dots + 2), &b)))
    return perr(ps, "bad date '%s' (expected a real date YYYY-MM-DD in 1970 .. 9999)", arg);
  if (!dots)
    b = a;
  if (b < a || b - a >= RANGE_MAX_DAYS)
    return perr(ps, "bad range '%s' (the end is before the start, or it spans ten years)",
                arg);
  for (int64_t d = a; d <= b; d++)
    if (!put_day(ps, c, d, 0, nomem))
      return false;
  return true;
}

static bool do_workday(parser *ps, psvc_calendar *c, char *rest, int *nomem) {
  char *date = word(&rest), *as = word(&rest), *wd = word(&rest);
  int64_t day;
  if (!date || !parse_date(date, strlen(date), &day))
    return perr(ps, "bad date '%s' (expected YYYY-MM-DD in 1970 .. 9999)", date);
  int w = wd ? weekday_named(wd, strlen(wd)) : 0;
  if (!as || strcmp(as, "as") != 0 || !w || word(&rest))
    return perr(ps, "expected 'workday YYYY-MM-DD as <weekday>'%s", NULL);
  return put_day(ps, c, day, w, nomem);
}

static bool parse_line(parser *ps, psvc_calendar *c, bool *utc_seen, int *nomem) {
  char *rest = ps->buf;
  char *hash = strchr(rest, '#');
  if (hash)
    *hash = 0;
  for (char *q = rest; *q; q++)
    if (*q >= 'A' && *q <= 'Z')
      *q = (char)(*q - 'A' + 'a');
  char *kw = word(&rest);
  if (!kw)
    return true;
  if (strncmp(kw, "utc", 3) == 0)
    return word(&rest) ? perr(ps, "unexpected text after the UTC offset%s", NULL)
                       : do_utc(ps, c, kw, utc_seen);
  if (strcmp(kw, "hours") == 0)
    return do_hours(ps, c, rest, nomem);
  if (strcmp(kw, "holiday") == 0)
    return do_holiday(ps, c, rest, nomem);
  if (strcmp(kw, "workday") == 0)
    return do_workday(ps, c, rest, nomem);
  return perr(ps, "unknown directive '%s' (expected utc, hours, holiday or workday)", kw);
}

/* Hands the parse error to the caller: *err and the thread's message. */
static int parse_failed(parser *ps, const char *fn, char **err, int nomem) {
  if (nomem)
    return psvc__fail(NULL, PSVC_ENOMEM, "%s: out of memory", fn);
  if (err)
    *err = psvc__strdup(ps->err); /* NULL if out of memory: the code still says it */
  return psvc__fail(NULL, PSVC_EPARSE, "%s: %s", fn, ps->err);
}

PSVC_API int psvc_calendar_parse(const char *text, psvc_calendar **out, char **err) {
  const char *fn = "psvc_calendar_parse";
  if (!text || !out)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: %s is NULL", fn, text ? "out" : "text");
  if (err)
    *err = NULL;
  psvc_calendar *c;
  int rc = psvc_calendar_new(&c, 0);
  if (rc)
    return rc;
  parser *ps = psvc__calloc(1, sizeof *ps);
  if (!ps) {
    psvc_calendar_free(c);
    return psvc__fail(NULL, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  ps->p = text;
  bool utc_seen = false, too_long, ok = true;
  int nomem = 0;
  while (ok && next_line(ps, &too_long))
    ok = too_long ? perr(ps, "line longer than 4096 bytes%s", NULL)
                  : parse_line(ps, c, &utc_seen, &nomem);
  if (ok && psvc__calendar_rebuild(c) != PSVC_OK)
    ok = false, nomem = 1;
  if (!ok) {
    rc = parse_failed(ps, fn, err, nomem);
    psvc__free(ps);
    psvc_calendar_free(c);
    return rc;
  }
  psvc__free(ps);
  *out = c;
  return PSVC_OK;
}

/* ---- iCalendar (RFC 5545) ---------------------------------------------------------- */

/* Reads the next content line, unfolding continuation lines (a line break
   followed by a space or a tab) into ps->buf. */
static bool next_content_line(parser *ps, bool *too_long) {
  if (!next_line(ps, too_long))
    return false;
  size_t n = strlen(ps->buf);
  while (*ps->p == ' ' || *ps->p == '\t') {
    ps->p++; /* the fold's whitespace is not content */
    append_line(ps, &n, too_long);
  }
  return true;
}

typedef struct vevent {
  int64_t start, end; /* local days, end exclusive; -1 = absent */
  bool timed, recurring;
  int line;
} vevent;

/* "DTSTART;VALUE=DATE:20260101" -> name "DTSTART", value "20260101". */
static bool split_prop(char *line, char **nm, char **val) {
  char *colon = strchr(line, ':');
  if (!colon)
    return false;
  *colon = 0;
  *val = colon + 1;
  char *semi = strchr(line, ';');
  if (semi)
    *semi = 0;
  *nm = line;
  for (char *q = line; *q; q++)
    if (*q >= 'a' && *q <= 'z')
      *q = (char)(*q - 'a' + 'A');
  return true;
}

/* A DATE value (YYYYMMDD) -> day; a DATE-TIME marks the event as timed. */
static bool ical_date(const char *v, int64_t *day, bool *timed) {
  int y, m, d;
  if (strlen(v) < 8 || !digits(v, 4, &y) || !digits(v + 4, 2, &m) || !digits(v + 6, 2, &d) ||
      !psvc__valid_date(y, m, d))
    return false;
  if (v[8] == 'T')
    *timed = true;
  else if (v[8])
    return false;
  *day = psvc__days_from_civil(y, m, d);
  return true;
}

/* "P3D", "P1W" -> days. */
static bool ical_duration(const char *v, int64_t *days) {
  int n = 0, k = 0;
  if (*v == '+')
    v++;
  if (*v++ != 'P')
    return false;
  while (v[k] >= '0' && v[k] <= '9' && k < 5)
    n = n * 10 + (v[k++] - '0');
  if (!k || (v[k] != 'D' && v[k] != 'W') || v[k + 1])
    return false;
  *days = v[k] == 'W' ? 7 * n : n;
  return true;
}

static bool event_prop(parser *ps, vevent *ev, const char *nm, const char *val) {
  int64_t day, n;
  if (strcmp(nm, "DTSTART") == 0) {
    if (!ical_date(val, &day, &ev->timed))
      return perr(ps, "bad DTSTART '%s'", val);
    ev->start = day;
  } else if (strcmp(nm, "DTEND") == 0) {
    if (!ical_date(val, &day, &ev->timed))
      return perr(ps, "bad DTEND '%s'", val);
    ev->end = day;
  } else if (strcmp(nm, "DURATION") == 0) {
    if (!ical_duration(val, &n))
      return perr(ps, "DURATION '%s' is not a whole number of days or weeks", val);
    ev->end = -2 - n; /* resolved against DTSTART at END:VEVENT */
  } else if (strcmp(nm, "RRULE") == 0 || strcmp(nm, "RDATE") == 0) {
    ev->recurring = true;
  }
  return true;
}

static bool event_end(parser *ps, psvc_calendar *c, vevent *ev, int *nomem) {
  if (ev->timed)
    return true; /* not an all-day event: not a holiday */
  if (ev->recurring)
    return perr(ps, "recurring events (RRULE/RDATE) are not supported: list each holiday%s",
                NULL);
  if (ev->start < 0)
    return perr(ps, "VEVENT without DTSTART%s", NULL);
  int64_t end = ev->end == -1 ? ev->start + 1 : ev->end <= -2 ? ev->start - 2 - ev->end : ev->end;
  if (end <= ev->start || end - ev->start > RANGE_MAX_DAYS)
    return perr(ps, "the event ends before it starts or spans ten years%s", NULL);
  for (int64_t d = ev->start; d < end; d++) {
    int rc = psvc__calendar_put_day(c, d, 0);
    if (rc == PSVC_ENOMEM)
      return *nomem = 1, perr(ps, "out of memory%s", NULL);
    /* a make-up working day inside a holiday block stays a working day */
  }
  return true;
}

static bool ical_lines(parser *ps, psvc_calendar *c, int *nomem) {
  bool in_cal = false, done = false, too_long;
  vevent ev = {-1, -1, false, false, 0};
  bool in_ev = false;
  while (next_content_line(ps, &too_long)) {
    if (too_long)
      return perr(ps, "line longer than 4096 bytes%s", NULL);
    char *nm, *val;
    if (!ps->buf[0])
      continue;
    if (!split_prop(ps->buf, &nm, &val))
      return perr(ps, "not a content line (NAME:VALUE)%s", NULL);
    if (strcmp(nm, "BEGIN") == 0 && strcasecmp(val, "VCALENDAR") == 0) {
      if (in_cal || done)
        return perr(ps, "a second VCALENDAR%s", NULL);
      in_cal = true;
    } else if (!in_cal) {
      return perr(ps, "content outside BEGIN:VCALENDAR%s", NULL);
    } else if (strcmp(nm, "BEGIN") == 0 && strcasecmp(val, "VEVENT") == 0) {
      if (in_ev)
        return perr(ps, "VEVENT inside a VEVENT%s", NULL);
      in_ev = true;
      ev = (vevent){-1, -1, false, false, ps->line};
    } else if (strcmp(nm, "END") == 0 && strcasecmp(val, "VEVENT") == 0) {
      if (!in_ev)
        return perr(ps, "END:VEVENT without BEGIN%s", NULL);
      in_ev = false;
      if (!event_end(ps, c, &ev, nomem))
        return false;
    } else if (strcmp(nm, "END") == 0 && strcasecmp(val, "VCALENDAR") == 0) {
      if (in_ev)
        return perr(ps, "END:VCALENDAR inside a VEVENT%s", NULL);
      in_cal = false;
      done = true;
    } else if (in_ev && !event_prop(ps, &ev, nm, val)) {
      return false;
    }
  }
  if (!done)
    return perr(ps, "missing END:VCALENDAR%s", NULL);
  return true;
}

PSVC_API int psvc_calendar_import_ical(psvc_calendar *cal, const char *text, char **err) {
  const char *fn = "psvc_calendar_import_ical";
  if (!cal || !text)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: %s is NULL", fn, cal ? "text" : "calendar");
  if (err)
    *err = NULL;
  psvc_calendar *c = psvc__calendar_dup(cal);
  parser *ps = psvc__calloc(1, sizeof *ps);
  if (!c || !ps) {
    psvc_calendar_free(c);
    psvc__free(ps);
    return psvc__fail(NULL, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  ps->p = text;
  if (strncmp(ps->p, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte order mark */
    ps->p += 3;
  int nomem = 0;
  bool ok = ical_lines(ps, c, &nomem);
  if (ok && psvc__calendar_rebuild(c) != PSVC_OK)
    ok = false, nomem = 1;
  if (!ok) {
    int rc = parse_failed(ps, fn, err, nomem);
    psvc__free(ps);
    psvc_calendar_free(c);
    return rc;
  }
  psvc__free(ps);
  psvc__calendar_replace(cal, c);
  return PSVC_OK;
}
