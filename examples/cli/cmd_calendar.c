/*
 * cmd_calendar.c — psvc calendar check|add|between: business calendars in
 * the text format of docs/calendar-format.md (rules T-22, T-23).
 */
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void local_date(psvc_time t, long *y, int *m, int *d) {
  psvc_time l = t + LOCAL_OFFSET_S;
  civil_from_days((long)(l / 86400), y, m, d);
}

int cmd_calendar_check(cli *c) {
  if (c->npos != 1)
    return fail(EX_USAGE, "calendar check: give one calendar FILE (psvc calendar check --help)");
  long long year;
  long y0;
  int m0, d0;
  local_date(c->now, &y0, &m0, &d0);
  year = y0;
  const char *v = opt_get(c, "year");
  if (v && parse_int(v, 1970, 9998, &year))
    return fail(EX_USAGE, "--year: bad year '%s' (1970 .. 9998)", v);
  psvc_calendar *cal;
  int rc = load_calendar(c->pos[0], &cal);
  if (rc)
    return rc;
  long wd[13] = {0}, days[13] = {0};
  int64_t secs[13] = {0};
  for (int m = 1; m <= 12 && rc == EX_OK; m++) {
    psvc_time from = days_from_civil((long)year, m, 1) * 86400 - LOCAL_OFFSET_S;
    psvc_time to = days_from_civil(m == 12 ? (long)year + 1 : (long)year, m == 12 ? 1 : m + 1, 1) *
                       86400 - LOCAL_OFFSET_S;
    days[m] = (long)((to - from) / 86400);
    for (long d = 1; d <= days[m]; d++) {
      int w = psvc_calendar_is_workday(cal, (int)year, m, (int)d);
      if (w < 0) {
        rc = fail_lib(w, NULL, "%s", c->pos[0]);
        break;
      }
      wd[m] += w;
    }
    int lrc = psvc_calendar_elapsed(cal, from, to, &secs[m]);
    if (lrc && rc == EX_OK)
      rc = fail_lib(lrc, NULL, "%s", c->pos[0]);
    wd[0] += wd[m];
    days[0] += days[m];
    secs[0] += secs[m];
  }
  psvc_calendar_free(cal);
  if (rc)
    return rc;
  if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_kstr(&j, "file", c->pos[0]);
    jw_key(&j, "valid");
    jw_bool(&j, 1);
    jw_kint(&j, "year", year);
    jw_key(&j, "months");
    jw_arr(&j);
    for (int m = 1; m <= 12; m++) {
      jw_obj(&j);
      jw_kint(&j, "month", m);
      jw_kint(&j, "days", days[m]);
      jw_kint(&j, "working_days", wd[m]);
      jw_kint(&j, "business_s", secs[m]);
      jw_end_obj(&j);
    }
    jw_end_arr(&j);
    jw_kint(&j, "working_days", wd[0]);
    jw_kint(&j, "business_s", secs[0]);
    jw_end_obj(&j);
    jw_end(&j);
    return EX_OK;
  }
  printf("%s: valid\n\nworking days in %lld (months in UTC+08:00):\n", c->pos[0], year);
  static const char *const cols[] = {"month", ">days", ">working days", ">business hours"};
  tbl *t = tbl_new(4, cols);
  for (int k = 1; k <= 13; k++) {
    int m = k % 13; /* the months, then the year's total (index 0) */
    char mo[16], a[16], b[16], h[32];
    if (m)
      snprintf(mo, sizeof mo, "%04lld-%02d", year, m);
    snprintf(a, sizeof a, "%ld", days[m]);
    snprintf(b, sizeof b, "%ld", wd[m]);
    snprintf(h, sizeof h, "%.1f", (double)secs[m] / 3600.0);
    tbl_add(t, m ? mo : "year", a, b, h);
  }
  tbl_print(t, stdout);
  tbl_free(t);
  return EX_OK;
}

/* "5wd" -> days 5; "1h30m", "90s" -> seconds. */
static int parse_amount(const char *s, int *days, int64_t *secs) {
  size_t n = strlen(s);
  *days = -1;
  *secs = 0;
  if (n > 2 && strcmp(s + n - 2, "wd") == 0) {
    char buf[32];
    long long v;
    if (n - 2 >= sizeof buf)
      return -1;
    memcpy(buf, s, n - 2);
    buf[n - 2] = 0;
    if (parse_int(buf, 0, 36500, &v))
      return -1;
    *days = (int)v;
    return 0;
  }
  const char *p = s;
  if (!*p)
    return -1;
  while (*p) {
    if (!isdigit((unsigned char)*p))
      return -1;
    char *end;
    long long v = strtoll(p, &end, 10);
    int64_t unit = *end == 'h' ? 3600 : *end == 'm' ? 60 : *end == 's' ? 1 : 0;
    if (!unit || v > 100LL * 366 * 86400)
      return -1;
    *secs += v * unit;
    p = end + 1;
  }
  return 0;
}

int cmd_calendar_add(cli *c) {
  if (c->npos != 3)
    return fail(EX_USAGE, "calendar add: give FILE TIME AMOUNT (psvc calendar add --help)");
  psvc_time t, out;
  char why[600];
  int days;
  int64_t secs;
  if (parse_time(c->pos[1], T_DATE_START, &t, why, sizeof why))
    return fail(EX_INPUT, "TIME: %s", why);
  if (parse_amount(c->pos[2], &days, &secs))
    return fail(EX_INPUT, "AMOUNT: bad amount '%s' (Nwd working days, or business time "
                          "as Nh, Nm, Ns, e.g. 1h30m)", c->pos[2]);
  psvc_calendar *cal;
  int rc = load_calendar(c->pos[0], &cal);
  if (rc)
    return rc;
  int lrc = days >= 0 ? psvc_calendar_add_workdays(cal, t, days, &out)
                      : psvc_calendar_add_seconds(cal, t, secs, &out);
  psvc_calendar_free(cal);
  if (lrc)
    return fail_lib(lrc, NULL, "%s", c->pos[0]);
  char a[40], b[40];
  if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_ktime(&j, "from", t);
    if (days >= 0)
      jw_kint(&j, "working_days", days);
    else
      jw_kint(&j, "business_s", secs);
    jw_ktime(&j, "result", out);
    jw_kint(&j, "result_s", out);
    jw_end_obj(&j);
    jw_end(&j);
  } else if (days >= 0)
    printf("%s + %d working days (T-23) = %s\n", fmt_local(t, a, sizeof a), days,
           fmt_local(out, b, sizeof b));
  else {
    char d[40];
    printf("%s + %s business time = %s\n", fmt_local(t, a, sizeof a), fmt_dur(secs, d, sizeof d),
           fmt_local(out, b, sizeof b));
  }
  return EX_OK;
}

int cmd_calendar_between(cli *c) {
  if (c->npos != 3)
    return fail(EX_USAGE, "calendar between: give FILE FROM TO (psvc calendar between --help)");
  psvc_time t0, t1;
  char why[600];
  if (parse_time(c->pos[1], T_DATE_START, &t0, why, sizeof why))
    return fail(EX_INPUT, "FROM: %s", why);
  if (parse_time(c->pos[2], T_DATE_START, &t1, why, sizeof why))
    return fail(EX_INPUT, "TO: %s", why);
  if (t1 < t0)
    return fail(EX_INPUT, "TO is before FROM");
  psvc_calendar *cal;
  int rc = load_calendar(c->pos[0], &cal);
  if (rc)
    return rc;
  int64_t secs;
  int lrc = psvc_calendar_elapsed(cal, t0, t1, &secs);
  long wd = 0;
  long y;
  int m, d;
  psvc_time l0 = (t0 + LOCAL_OFFSET_S) / 86400, l1 = (t1 + LOCAL_OFFSET_S) / 86400;
  for (psvc_time day = l0; lrc == PSVC_OK && day <= l1; day++) {
    civil_from_days((long)day, &y, &m, &d);
    int w = psvc_calendar_is_workday(cal, (int)y, m, d);
    if (w < 0)
      lrc = w;
    else
      wd += w;
  }
  psvc_calendar_free(cal);
  if (lrc)
    return fail_lib(lrc, NULL, "%s", c->pos[0]);
  char a[40], b[40], e[40];
  if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_ktime(&j, "from", t0);
    jw_ktime(&j, "to", t1);
    jw_kint(&j, "business_s", secs);
    jw_kint(&j, "working_days", wd);
    jw_end_obj(&j);
    jw_end(&j);
  } else
    printf("from %s to %s: %s of business time (%.2f h); %ld working days from the first "
           "date to the last, both included\n",
           fmt_local(t0, a, sizeof a), fmt_local(t1, b, sizeof b), fmt_dur(secs, e, sizeof e),
           (double)secs / 3600.0, wd);
  return EX_OK;
}
