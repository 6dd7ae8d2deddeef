/*
 * test_sla.c — SLA clocks, policies and profiles (API.md §5, docs/sla.md,
 * RULES.md T-1 ... T-23, W-8, W-10, W-13) through the public API only.
 *
 * Covers:
 *  - every per-order T-rule of the seed profile (T-2, T-3, T-4, T-5, T-6,
 *    T-13, T-14, T-15, T-16, T-17, T-18), table-driven, each with the same
 *    boundary scenarios: stopped exactly at the deadline (MET), one second
 *    over (BREACHED), running below / at 80 % (RUNNING / AT_RISK), at the
 *    deadline and one second past it while running (BREACHED), suspended
 *    across the deadline (PAUSED while suspended, the deadline moves by the
 *    paused clock time), a pause that starts after the deadline (stays
 *    BREACHED), reopened by an UNSATISFIED visit (W-10: cycle 2, new start,
 *    ever_breached kept), PENDING before the start;
 *  - exact thresholds (50 / 80 / 100 %), area and customer-class selection,
 *    the T-23 day deadlines (23:59:59 local, day 1 = the day after), the
 *    sgcc and gbt28583 profiles on the China 2026 calendar (National Day,
 *    Spring Festival, make-up Saturdays), BUSINESS_HOURS / WORK_DAYS /
 *    CALENDAR_DAYS overrides with suspensions over weekends and holidays,
 *    named calendars with their own UTC offset;
 *  - NOT_APPLICABLE and PENDING; cancelled, merged and closed orders;
 *  - psvc_policy_profile / _set / _define, overrides and their precedence,
 *    and that a failed policy call changes nothing;
 *  - psvc_order_sla argument errors and "as of" evaluation;
 *  - psvc_handover ordering (W-13), psvc_sla_crossed (each crossing once),
 *    psvc_ctx_set_calendar.
 *
 * Every expected instant is computed by hand from docs/sla.md and RULES.md
 * (the arithmetic is in the comments); LT() below turns a local (+08:00)
 * date and time into an instant with the textbook days-from-civil formula,
 * checked against instants printed by date(1). Nothing here is taken from
 * lib/.
 */
#include "fault.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE ((psvc_time)60)
#define HOUR ((psvc_time)3600)
#define DAY ((psvc_time)86400)
#define MAX_TIME ((psvc_time)253402300799) /* 9999-12-31T23:59:59Z */

/* ---- dates ----------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int y, int m, int d) {
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t mp = m > 2 ? m - 3 : m + 9;
  int64_t doy = (153 * mp + 2) / 5 + d - 1;
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

/* UTC instant of a UTC date and time. */
static psvc_time UT(int y, int mo, int d, int h, int mi, int s) {
  return days_from_civil(y, mo, d) * DAY + h * HOUR + mi * MINUTE + s;
}
/* UTC instant of a China (+08:00) local date and time. */
static psvc_time LT(int y, int mo, int d, int h, int mi, int s) {
  return UT(y, mo, d, h, mi, s) - 8 * HOUR;
}
/* 23:59:59 local (+08:00) of a day: the T-23 deadline second. */
static psvc_time EOD(int y, int mo, int d) { return LT(y, mo, d, 23, 59, 59); }

/* "2026-03-07 23:59:59+08" for messages (rotating buffers). */
static const char *fmt_t(psvc_time t) {
  static char buf[8][64];
  static int k;
  char *b = buf[k++ % 8];
  if (t == 0) {
    snprintf(b, sizeof buf[0], "0");
    return b;
  }
  psvc_time l = t + 8 * HOUR;
  int64_t days = l >= 0 ? l / DAY : -((-l + DAY - 1) / DAY);
  int64_t sec = l - days * DAY;
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(b, sizeof buf[0], "%04d-%02d-%02d %02d:%02d:%02d+08 (%lld)", y, m, d,
           (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), (long long)t);
  return b;
}

/* Monday 2 March 2026, 10:00 local: the start of most scenarios. */
#define B LT(2026, 3, 2, 10, 0, 0)

/* ---- names ----------------------------------------------------------------------- */

static const char *name_of(int dom, int v) {
  const char *s = psvc_enum_name(dom, v);
  return s ? s : "?";
}
#define STATUS_N(v) name_of(PSVC_DOM_SLA_STATUS, (int)(v))
#define METRIC_N(v) name_of(PSVC_DOM_METRIC, (v))
#define CODE_N(v) name_of(PSVC_DOM_STATUS, (v))

static const char *errmsg_of(const psvc_ctx *ctx) {
  const char *m = psvc_errmsg(ctx);
  return m ? m : "(null)";
}

/* ---- fixture: customers, orders, events -------------------------------------------- */

#define UNIT "shift-1"   /* the unit that opens the orders (W-13) */
#define WORKER "unit-A"  /* where DISPATCH sends them by default */

enum {
  C_NONE, C_RES, C_LVNR, C_HV1, C_HV2, C_RURAL, C_REMOTE, C_HVRES, C_LVDUAL, C_NOAREA, C_COUNT
};
static const char *const cust_id[C_COUNT] = {
    NULL,      "c-res",    "c-lvnr",  "c-hv1",    "c-hv2",
    "c-rural", "c-remote", "c-hvres", "c-lvdual", "c-noarea"};

static void add_customer(psvc_ctx *ctx, const char *id, int tariff, unsigned sources, int area) {
  psvc_customer *c = NULL;
  int hv = (sources & PSVC_SOURCE_HV) != 0;
  ck_assert_int_eq(psvc_customer_new(&c, id), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_name(c, "SLA test customer"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_DIRECT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, tariff), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, sources), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_voltage(c, hv ? 10000 : 380), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_capacity(c, hv ? 200 : 50), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_load_class(c, 3), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_segment(c, PSVC_SEGMENT_ORDINARY), PSVC_OK);
  if (area) /* 0: the customer's area is not known */
    ck_assert_int_eq(psvc_customer_set_area(c, area), PSVC_OK);
  int rc = psvc_customer_save(ctx, c);
  ck_assert_msg(rc == PSVC_OK, "saving customer %s: %s (%s)", id, CODE_N(rc), errmsg_of(ctx));
  psvc_customer_free(c);
}

/* A fresh in-memory context (seed profile, default calendar) with one
   customer of every T-14 class and of every area. */
static psvc_ctx *ctx_new(void) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  add_customer(ctx, cust_id[C_RES], PSVC_TARIFF_RESIDENTIAL, PSVC_SOURCE_LV, PSVC_AREA_URBAN);
  add_customer(ctx, cust_id[C_LVNR], PSVC_TARIFF_COMMERCIAL, PSVC_SOURCE_LV, PSVC_AREA_URBAN);
  add_customer(ctx, cust_id[C_HV1], PSVC_TARIFF_GENERAL_INDUSTRY, PSVC_SOURCE_HV,
               PSVC_AREA_URBAN);
  add_customer(ctx, cust_id[C_HV2], PSVC_TARIFF_GENERAL_INDUSTRY,
               PSVC_SOURCE_HV | PSVC_SOURCE_DUAL_SOURCE, PSVC_AREA_URBAN);
  add_customer(ctx, cust_id[C_RURAL], PSVC_TARIFF_RESIDENTIAL, PSVC_SOURCE_LV, PSVC_AREA_RURAL);
  add_customer(ctx, cust_id[C_REMOTE], PSVC_TARIFF_RESIDENTIAL, PSVC_SOURCE_LV,
               PSVC_AREA_REMOTE);
  /* RESIDENTIAL on HV is a C-16 warning only; LV with a second source is
     still LV non-residential for T-14 */
  add_customer(ctx, cust_id[C_HVRES], PSVC_TARIFF_RESIDENTIAL, PSVC_SOURCE_HV, PSVC_AREA_URBAN);
  add_customer(ctx, cust_id[C_LVDUAL], PSVC_TARIFF_COMMERCIAL,
               PSVC_SOURCE_LV | PSVC_SOURCE_DUAL_SOURCE, PSVC_AREA_URBAN);
  /* area unknown: a fault of this customer with order area 0 has no area
     (an anonymous fault must give one: tests/test_order.c) */
  add_customer(ctx, cust_id[C_NOAREA], PSVC_TARIFF_RESIDENTIAL, PSVC_SOURCE_LV, 0);
  return ctx;
}

static void open_as(psvc_ctx *ctx, const char *unit, const char *id, int type, int subtype,
                    int cust, int area, psvc_time accepted_at) {
  psvc_order_spec spec = PSVC_ORDER_SPEC_INIT;
  psvc_actor who = PSVC_ACTOR_INIT;
  who.id = "sys.import";
  who.role = PSVC_ROLE_SYSTEM;
  who.unit = unit;
  spec.id = id;
  spec.type = type;
  spec.subtype = subtype;
  spec.channel = PSVC_CHANNEL_PHONE;
  spec.customer_id = cust_id[cust];
  spec.area = area;
  spec.accepted_at = accepted_at;
  int rc = psvc_order_open(ctx, &spec, &who);
  ck_assert_msg(rc == PSVC_OK, "opening order %s: %s (%s)", id, CODE_N(rc), errmsg_of(ctx));
}

static void open_order(psvc_ctx *ctx, const char *id, int type, int subtype, int cust, int area,
                       psvc_time accepted_at) {
  open_as(ctx, UNIT, id, type, subtype, cust, area, accepted_at);
}

/* Applies `action` as SYSTEM. DISPATCH / TRANSFER go to `target` (WORKER
   when NULL); RETURN / SUSPEND / CANCEL carry a reason; VISIT is SATISFIED
   when value is 0. */
static int apply_ev(psvc_ctx *ctx, const char *id, int action, psvc_time at, int value,
                    const char *target) {
  psvc_event ev = PSVC_EVENT_INIT;
  psvc_actor who = PSVC_ACTOR_INIT;
  who.id = "sys.import";
  who.role = PSVC_ROLE_SYSTEM;
  who.unit = UNIT;
  ev.action = action;
  ev.at = at;
  ev.value = value;
  ev.target = target;
  switch (action) {
  case PSVC_ACT_DISPATCH:
  case PSVC_ACT_TRANSFER:
    if (!ev.target)
      ev.target = WORKER;
    break;
  case PSVC_ACT_RETURN:
  case PSVC_ACT_SUSPEND:
  case PSVC_ACT_CANCEL:
    ev.note = "reason given";
    break;
  case PSVC_ACT_VISIT:
    if (!ev.value)
      ev.value = PSVC_SAT_SATISFIED;
    break;
  case PSVC_ACT_NOTE:
    ev.note = "note";
    break;
  default:
    break;
  }
  return psvc_order_apply(ctx, id, &ev, &who);
}

#define act(ctx, id, action, at) act_full(__LINE__, ctx, id, action, at, 0, NULL)
#define act_v(ctx, id, action, at, v) act_full(__LINE__, ctx, id, action, at, v, NULL)
#define act_to(ctx, id, action, at, tgt) act_full(__LINE__, ctx, id, action, at, 0, tgt)
static void act_full(int line, psvc_ctx *ctx, const char *id, int action, psvc_time at,
                     int value, const char *target) {
  int rc = apply_ev(ctx, id, action, at, value, target);
  ck_assert_msg(rc == PSVC_OK, "line %d: %s on %s at %s: %s (%s)", line,
                name_of(PSVC_DOM_ACTION, action), id, fmt_t(at), CODE_N(rc), errmsg_of(ctx));
}

/* ---- reading and checking clocks ---------------------------------------------------- */

static psvc_sla sla_get(psvc_ctx *ctx, const char *id, int metric, psvc_time now) {
  psvc_sla s;
  memset(&s, 0, sizeof s);
  s.size = sizeof s;
  int rc = psvc_order_sla(ctx, id, metric, now, &s);
  ck_assert_msg(rc == PSVC_OK, "psvc_order_sla(%s, %s, %s): %s (%s)", id, METRIC_N(metric),
                fmt_t(now), CODE_N(rc), errmsg_of(ctx));
  return s;
}

#define ANY INT64_MIN /* field not checked */

typedef struct want {
  int64_t status, started, deadline, stopped, limit, elapsed, remaining, level, cycle, ever;
} want_t;

/* Compares every field that is not ANY; the message names the rule, the
   order, the metric and `now`, and prints the whole answer. */
static void sla_check(int line, psvc_ctx *ctx, const char *rule, const char *id, int metric,
                      psvc_time now, want_t w) {
  psvc_sla s = sla_get(ctx, id, metric, now);
  char bad[512] = "";
  size_t n = 0;
#define FIELD(f, v, time)                                                                  \
  do {                                                                                    \
    if (w.f != ANY && (int64_t)(v) != w.f && n < sizeof bad) {                            \
      if (time)                                                                           \
        n += (size_t)snprintf(bad + n, sizeof bad - n, " %s=%s want %s;", #f,             \
                              fmt_t((psvc_time)(v)), fmt_t((psvc_time)w.f));              \
      else                                                                                \
        n += (size_t)snprintf(bad + n, sizeof bad - n, " %s=%lld want %lld;", #f,         \
                              (long long)(v), (long long)w.f);                            \
    }                                                                                     \
  } while (0)
  FIELD(status, s.status, 0);
  FIELD(started, s.started_at, 1);
  FIELD(deadline, s.deadline, 1);
  FIELD(stopped, s.stopped_at, 1);
  FIELD(limit, s.limit_s, 0);
  FIELD(elapsed, s.elapsed_s, 0);
  FIELD(remaining, s.remaining_s, 0);
  FIELD(level, s.level, 0);
  FIELD(cycle, s.cycle, 0);
  FIELD(ever, s.ever_breached, 0);
#undef FIELD
  ck_assert_msg(n == 0,
                "rule %s (test line %d): order %s, %s at %s: want status %s:%s\n  got status=%s "
                "started=%s deadline=%s stopped=%s limit=%lld elapsed=%lld remaining=%lld "
                "level=%d cycle=%d ever=%d",
                rule, line, id, METRIC_N(metric), fmt_t(now),
                w.status == ANY ? "any" : STATUS_N(w.status), bad, STATUS_N(s.status),
                fmt_t(s.started_at), fmt_t(s.deadline), fmt_t(s.stopped_at),
                (long long)s.limit_s, (long long)s.elapsed_s, (long long)s.remaining_s, s.level,
                s.cycle, s.ever_breached);
}

/* W(...) lists the fields in the order of want_t; ANY skips one. */
#define W(st, start, dl, stop, lim, el, rem, lvl, cyc, ev)                                  \
  ((want_t){(st), (start), (dl), (stop), (lim), (el), (rem), (lvl), (cyc), (ev)})
#define CHECK(ctx, rule, id, metric, now, w) sla_check(__LINE__, ctx, rule, id, metric, now, w)
/* status only */
#define STATUS_IS(ctx, rule, id, metric, now, st)                                            \
  CHECK(ctx, rule, id, metric, now, W(st, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY))
/* NOT_APPLICABLE with every other field 0 */
#define NA_IS(ctx, rule, id, metric, now)                                                    \
  CHECK(ctx, rule, id, metric, now, W(PSVC_SLA_NOT_APPLICABLE, 0, 0, 0, 0, 0, 0, 0, 0, 0))

/* The reference for the share rules of docs/sla.md: level = thresholds
   50/80/100 % reached (elapsed * 100 >= pct * limit); a running clock is
   AT_RISK from 80 %, BREACHED past the limit. */
static int64_t ref_level(int64_t el, int64_t lim) {
  static const int pct[3] = {50, 80, 100};
  int64_t n = 0;
  for (int i = 0; i < 3; i++)
    if (el * 100 >= pct[i] * lim)
      n++;
  return n;
}
static int64_t ref_running(int64_t el, int64_t lim) {
  if (el > lim)
    return PSVC_SLA_BREACHED;
  return el * 100 >= 80 * lim ? PSVC_SLA_AT_RISK : PSVC_SLA_RUNNING;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* ---- the seed profile, one row per case ---------------------------------------------- */

/* Every case starts its clock at B = Monday 2026-03-02 10:00 local on the
   default calendar (utc+08:00, Monday-Friday working, no holidays).

   Day clocks, by hand (T-23: day 1 is the day after the start day):
   - 5 CALENDAR_DAYS: 3 (1), 4, 5, 6, 7 (5) -> Sat 2026-03-07 23:59:59;
     limit_s = 5 d + 13:59:59 = 432000 + 50399 = 482399
   - 10 CALENDAR_DAYS: -> Thu 2026-03-12 23:59:59; 864000 + 50399 = 914399
   - 5 WORK_DAYS: Tue 3 (1), Wed 4, Thu 5, Fri 6, Mon 9 (5) -> 2026-03-09
     23:59:59; clock seconds = Mon 2 10:00-24:00 (50400) + Tue-Fri (4 x 86400)
     + Mon 9 00:00-23:59:59 (86399) = 482399 (Sat, Sun give none)
   - 6 WORK_DAYS: -> Tue 2026-03-10 23:59:59; 482399 + 86400 = 568799
   - 22 WORK_DAYS: Mar 3-6 (1-4), 9-13 (5-9), 16-20 (10-14), 23-27 (15-19),
     30, 31, Apr 1 (20-22) -> Wed 2026-04-01 23:59:59;
     50400 + 21 x 86400 + 86399 = 1951199
   - 32 WORK_DAYS: Apr 2, 3 (23, 24), 6-10 (25-29), 13, 14, 15 (30-32) ->
     Wed 2026-04-15 23:59:59; 50400 + 31 x 86400 + 86399 = 2815199
   Each deadline day is followed by a working day (Sun 8 Mar for the
   calendar-day ones does not matter), so a pause or an overrun of a few
   hours around it counts every second. */
typedef struct rule_case {
  const char *rule;
  int type, subtype, cust, area, metric;
  int stop;       /* the action that stops the clock */
  int pre[4];     /* from ACCEPTED to just before the stop (0-terminated) */
  int post[5];    /* after the stop, to a state that takes a return visit */
  int on_arrive;  /* the clock starts at ARRIVE (T-18), B is the ARRIVE */
  int reopens;    /* W-10: an UNSATISFIED visit starts a new cycle */
  int64_t wall;   /* WALL limit in seconds, or 0 for a day clock */
  int dy, dm, dd; /* day clock: the deadline day (23:59:59 local) */
  int64_t days_limit_s;
} rule_case;

#define A(x) PSVC_ACT_##x
#define FR PSVC_ORDER_FAULT_REPAIR
#define SR PSVC_ORDER_SERVICE_REQUEST
#define CASE_WALL(r, t, st, c, ar, m, stp, pr, po, arr, reo, secs)                           \
  {r, t, st, c, ar, PSVC_METRIC_##m, stp, pr, po, arr, reo, secs, 0, 0, 0, 0}
#define CASE_DAYS(r, t, st, c, ar, m, stp, pr, po, reo, y, mo, d, lim)                       \
  {r, t, st, c, ar, PSVC_METRIC_##m, stp, pr, po, 0, reo, 0, y, mo, d, lim}
#define L(...) {__VA_ARGS__}

static const rule_case cases[] = {
    /* T-2: 3 min from acceptance to the first DISPATCH, any type */
    CASE_WALL("T-2 dispatch", PSVC_ORDER_INQUIRY, 0, C_NONE, 0, DISPATCH, A(DISPATCH), L(0),
              L(A(RECEIVE), A(REPLY)), 0, 0, 180),
    /* T-3: on site 40 / 85 / 120 min; area unknown = urban; area 0 takes the
       customer's */
    CASE_WALL("T-3 urban", FR, 0, C_NONE, PSVC_AREA_URBAN, ARRIVAL, A(ARRIVE),
              L(A(DISPATCH), A(RECEIVE)), L(A(RESOLVE)), 0, 1, 40 * MINUTE),
    CASE_WALL("T-3 rural", FR, 0, C_NONE, PSVC_AREA_RURAL, ARRIVAL, A(ARRIVE),
              L(A(DISPATCH), A(RECEIVE)), L(A(RESOLVE)), 0, 1, 85 * MINUTE),
    CASE_WALL("T-3 remote", FR, 0, C_NONE, PSVC_AREA_REMOTE, ARRIVAL, A(ARRIVE),
              L(A(DISPATCH), A(RECEIVE)), L(A(RESOLVE)), 0, 1, 120 * MINUTE),
    CASE_WALL("T-3 area unknown = urban", FR, 0, C_NOAREA, 0, ARRIVAL, A(ARRIVE),
              L(A(DISPATCH), A(RECEIVE)), L(A(RESOLVE)), 0, 1, 40 * MINUTE),
    CASE_WALL("T-3 rural customer, order area 0", FR, 0, C_RURAL, 0, ARRIVAL, A(ARRIVE),
              L(A(DISPATCH), A(RECEIVE)), L(A(RESOLVE)), 0, 1, 85 * MINUTE),
    /* T-4 / T-5: complaint 5, report 10 calendar days */
    CASE_DAYS("T-4 complaint reply", PSVC_ORDER_COMPLAINT, PSVC_COMPLAINT_SERVICE, C_NONE, 0,
              REPLY, A(REPLY), L(A(DISPATCH), A(RECEIVE), A(RESOLVE)), L(0), 1, 2026, 3, 7,
              482399),
    CASE_DAYS("T-5 report reply", PSVC_ORDER_REPORT, 0, C_NONE, 0, REPLY, A(REPLY),
              L(A(DISPATCH), A(RECEIVE), A(RESOLVE)), L(0), 1, 2026, 3, 12, 914399),
    /* T-6: inquiry answered within 24 h */
    CASE_WALL("T-6 inquiry reply", PSVC_ORDER_INQUIRY, 0, C_NONE, 0, REPLY, A(REPLY),
              L(A(DISPATCH), A(RECEIVE)), L(0), 0, 1, 24 * HOUR),
    /* T-13: reconnection within 24 h */
    CASE_WALL("T-13 reconnection", SR, PSVC_REQUEST_RECONNECTION, C_RES, 0, RESOLVE, A(RESOLVE),
              L(A(DISPATCH), A(RECEIVE)), L(0), 0, 1, 24 * HOUR),
    /* T-14: new connection by customer class, working days */
    CASE_DAYS("T-14 residential", SR, PSVC_REQUEST_NEW_CONNECTION, C_RES, 0, RESOLVE,
              A(RESOLVE), L(A(DISPATCH), A(RECEIVE)), L(0), 1, 2026, 3, 9, 482399),
    CASE_DAYS("T-14 LV non-residential", SR, PSVC_REQUEST_NEW_CONNECTION, C_LVNR, 0, RESOLVE,
              A(RESOLVE), L(A(DISPATCH), A(RECEIVE)), L(0), 1, 2026, 3, 10, 568799),
    CASE_DAYS("T-14 HV single source", SR, PSVC_REQUEST_NEW_CONNECTION, C_HV1, 0, RESOLVE,
              A(RESOLVE), L(A(DISPATCH), A(RECEIVE)), L(0), 1, 2026, 4, 1, 1951199),
    CASE_DAYS("T-14 HV dual source", SR, PSVC_REQUEST_NEW_CONNECTION, C_HV2, 0, RESOLVE,
              A(RESOLVE), L(A(DISPATCH), A(RECEIVE)), L(0), 1, 2026, 4, 15, 2815199),
    CASE_DAYS("T-14 residential tariff on HV = residential", SR, PSVC_REQUEST_NEW_CONNECTION,
              C_HVRES, 0, RESOLVE, A(RESOLVE), L(A(DISPATCH), A(RECEIVE)), L(0), 1, 2026, 3, 9,
              482399),
    CASE_DAYS("T-14 LV with dual source = LV non-residential", SR, PSVC_REQUEST_NEW_CONNECTION,
              C_LVDUAL, 0, RESOLVE, A(RESOLVE), L(A(DISPATCH), A(RECEIVE)), L(0), 1, 2026, 3,
              10, 568799),
    /* T-15: meter check resolved, reading check replied, 5 working days */
    CASE_DAYS("T-15 meter check", SR, PSVC_REQUEST_METER_CHECK, C_RES, 0, RESOLVE, A(RESOLVE),
              L(A(DISPATCH), A(RECEIVE)), L(0), 1, 2026, 3, 9, 482399),
    CASE_DAYS("T-15 meter reading check", SR, PSVC_REQUEST_METER_READING_CHECK, C_RES, 0,
              REPLY, A(REPLY), L(A(DISPATCH), A(RECEIVE), A(RESOLVE)), L(0), 1, 2026, 3, 9,
              482399),
    /* T-16: appliance damage on site in 24 h; other requests replied in 5
       working days */
    CASE_WALL("T-16 appliance damage", SR, PSVC_REQUEST_APPLIANCE_DAMAGE, C_RES, 0, ARRIVAL,
              A(ARRIVE), L(A(DISPATCH), A(RECEIVE)), L(A(RESOLVE)), 0, 1, 24 * HOUR),
    CASE_DAYS("T-16 other request", SR, PSVC_REQUEST_OTHER, C_RES, 0, REPLY, A(REPLY),
              L(A(DISPATCH), A(RECEIVE), A(RESOLVE)), L(0), 1, 2026, 3, 9, 482399),
    CASE_DAYS("T-16 capacity change", SR, PSVC_REQUEST_CAPACITY_CHANGE, C_LVNR, 0, REPLY,
              A(REPLY), L(A(DISPATCH), A(RECEIVE), A(RESOLVE)), L(0), 1, 2026, 3, 9, 482399),
    CASE_DAYS("T-16 request without subtype", SR, 0, C_RES, 0, REPLY, A(REPLY),
              L(A(DISPATCH), A(RECEIVE), A(RESOLVE)), L(0), 1, 2026, 3, 9, 482399),
    /* T-17: complainant called back within 24 h (NOTE value 1) */
    CASE_WALL("T-17 complaint contact", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, CONTACT, A(NOTE),
              L(0), L(A(DISPATCH), A(RECEIVE), A(RESOLVE), A(REPLY)), 0, 0, 24 * HOUR),
    /* T-18: restored within 3 h urban, 4 h rural / remote, from ARRIVE */
    CASE_WALL("T-18 urban", FR, 0, C_NONE, PSVC_AREA_URBAN, RESOLVE, A(RESOLVE),
              L(A(DISPATCH), A(RECEIVE), A(ARRIVE)), L(0), 1, 1, 3 * HOUR),
    CASE_WALL("T-18 rural", FR, 0, C_NONE, PSVC_AREA_RURAL, RESOLVE, A(RESOLVE),
              L(A(DISPATCH), A(RECEIVE), A(ARRIVE)), L(0), 1, 1, 4 * HOUR),
    CASE_WALL("T-18 remote", FR, 0, C_NONE, PSVC_AREA_REMOTE, RESOLVE, A(RESOLVE),
              L(A(DISPATCH), A(RECEIVE), A(ARRIVE)), L(0), 1, 1, 4 * HOUR),
    CASE_WALL("T-18 area unknown = urban", FR, 0, C_NOAREA, 0, RESOLVE, A(RESOLVE),
              L(A(DISPATCH), A(RECEIVE), A(ARRIVE)), L(0), 1, 1, 3 * HOUR),
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

/* The clock starts at B; acceptance is at B, or 10 min earlier when the
   clock starts at ARRIVE. */
static psvc_time rc_accepted(const rule_case *c) { return c->on_arrive ? B - 10 * MINUTE : B; }
static int64_t rc_limit(const rule_case *c) { return c->wall ? c->wall : c->days_limit_s; }
static psvc_time rc_deadline(const rule_case *c) {
  return c->wall ? B + c->wall : EOD(c->dy, c->dm, c->dd);
}

/* Opens `id` for the case and applies the actions before the stop: at
   accepted + 1 s, + 2 s, ...; an ARRIVE that starts the clock at B. */
static void rc_open(psvc_ctx *ctx, const rule_case *c, const char *id) {
  psvc_time acc = rc_accepted(c);
  open_order(ctx, id, c->type, c->subtype, c->cust, c->area, acc);
  for (int i = 0; c->pre[i]; i++)
    act(ctx, id, c->pre[i], (c->on_arrive && c->pre[i] == A(ARRIVE)) ? B : acc + 1 + i);
}

static void rc_stop(psvc_ctx *ctx, const rule_case *c, const char *id, psvc_time at) {
  act_v(ctx, id, c->stop, at, c->stop == A(NOTE) ? PSVC_NOTE_CONTACT : 0);
}

/* ---- the boundary scenarios, for every case ---------------------------------------- */

/* T-21: stopped exactly at the deadline second -> MET, every field. */
START_TEST(test_T2_T18_met_exactly_at_deadline) {
  const rule_case *c = &cases[_i];
  psvc_ctx *ctx = ctx_new();
  psvc_time dl = rc_deadline(c);
  int64_t lim = rc_limit(c);
  rc_open(ctx, c, "R-1");
  rc_stop(ctx, c, "R-1", dl);
  /* elapsed = limit, remaining 0, all three thresholds reached */
  CHECK(ctx, c->rule, "R-1", c->metric, dl, W(PSVC_SLA_MET, B, dl, dl, lim, lim, 0, 3, 1, 0));
  /* stopped: stays MET long after */
  CHECK(ctx, c->rule, "R-1", c->metric, dl + 30 * DAY,
        W(PSVC_SLA_MET, B, dl, dl, lim, lim, 0, 3, 1, 0));
  /* as of one second before the stop the clock still runs (at >= 80 %) */
  CHECK(ctx, c->rule, "R-1", c->metric, dl - 1,
        W(PSVC_SLA_AT_RISK, B, dl, 0, lim, lim - 1, 1, ref_level(lim - 1, lim), 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-21: stopped one second after the deadline -> BREACHED. */
START_TEST(test_T2_T18_breached_one_second_over) {
  const rule_case *c = &cases[_i];
  psvc_ctx *ctx = ctx_new();
  psvc_time dl = rc_deadline(c);
  int64_t lim = rc_limit(c);
  rc_open(ctx, c, "R-1");
  rc_stop(ctx, c, "R-1", dl + 1);
  CHECK(ctx, c->rule, "R-1", c->metric, dl + 1,
        W(PSVC_SLA_BREACHED, B, dl, dl + 1, lim, lim + 1, -1, 3, 1, 1));
  CHECK(ctx, c->rule, "R-1", c->metric, dl + 30 * DAY,
        W(PSVC_SLA_BREACHED, B, dl, dl + 1, lim, lim + 1, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-21: a running clock below 80 % is RUNNING, from 80 % AT_RISK, at the
   deadline still AT_RISK (a stop then would be MET), one second past it
   BREACHED although nothing stopped it. */
START_TEST(test_T2_T18_T21_running_at_risk_breached_while_running) {
  const rule_case *c = &cases[_i];
  psvc_ctx *ctx = ctx_new();
  psvc_time dl = rc_deadline(c);
  int64_t lim = rc_limit(c);
  rc_open(ctx, c, "R-1");
  /* at the start: nothing used */
  CHECK(ctx, c->rule, "R-1", c->metric, B, W(PSVC_SLA_RUNNING, B, dl, 0, lim, 0, lim, 0, 1, 0));
  /* a quarter of the limit (at most 1 h) after B: B is Monday 10:00, so on
     every clock each second counts; 25 % -> no threshold yet */
  int64_t q = min64(lim / 4, HOUR);
  CHECK(ctx, c->rule, "R-1", c->metric, B + q,
        W(PSVC_SLA_RUNNING, B, dl, 0, lim, q, lim - q, 0, 1, 0));
  /* a tenth of the limit (at most 4 h, on the deadline's working day)
     before the deadline: >= 90 % -> AT_RISK, level 2 */
  int64_t t = min64(lim / 10, 4 * HOUR);
  CHECK(ctx, c->rule, "R-1", c->metric, dl - t,
        W(PSVC_SLA_AT_RISK, B, dl, 0, lim, lim - t, t, 2, 1, 0));
  CHECK(ctx, c->rule, "R-1", c->metric, dl, W(PSVC_SLA_AT_RISK, B, dl, 0, lim, lim, 0, 3, 1, 0));
  CHECK(ctx, c->rule, "R-1", c->metric, dl + 1,
        W(PSVC_SLA_BREACHED, B, dl, 0, lim, lim + 1, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-20 / W-8: suspended before the deadline and resumed after it. While
   suspended the clock is PAUSED (even past the original deadline) and its
   deadline is projected from `now`; on resume the deadline has moved by the
   paused clock time. With a = min(limit/2, 4 h) and b = min(limit/4, 2 h):
   suspend at deadline - a, resume at deadline + b; the new deadline is
   deadline + a + b (the whole pause lies on working days for the day
   clocks). */
START_TEST(test_T2_T18_T20_paused_across_deadline) {
  const rule_case *c = &cases[_i];
  psvc_ctx *ctx = ctx_new();
  psvc_time dl = rc_deadline(c);
  int64_t lim = rc_limit(c);
  int64_t a = min64(lim / 2, 4 * HOUR), b = min64(lim / 4, 2 * HOUR);
  psvc_time dl2 = dl + a + b;
  const char *ids[2] = {"R-met", "R-over"};
  for (int k = 0; k < 2; k++) {
    rc_open(ctx, c, ids[k]);
    act(ctx, ids[k], A(SUSPEND), dl - a);
    act(ctx, ids[k], A(RESUME), dl + b);
    rc_stop(ctx, c, ids[k], dl2 + k);
  }
  int64_t used = lim - a; /* clock seconds up to the suspension */
  /* suspended, at the original deadline and past it: PAUSED, elapsed frozen,
     deadline = now + the a seconds left */
  CHECK(ctx, c->rule, "R-met", c->metric, dl,
        W(PSVC_SLA_PAUSED, B, dl + a, 0, lim, used, a, ref_level(used, lim), 1, 0));
  CHECK(ctx, c->rule, "R-met", c->metric, dl + b - 1,
        W(PSVC_SLA_PAUSED, B, dl + b - 1 + a, 0, lim, used, a, ref_level(used, lim), 1, 0));
  /* resumed: running again toward the moved deadline */
  CHECK(ctx, c->rule, "R-met", c->metric, dl + b + 1,
        W(ref_running(used + 1, lim), B, dl2, 0, lim, used + 1, a - 1, ref_level(used + 1, lim), 1,
          0));
  /* stopped exactly at the moved deadline: MET; one second later: BREACHED */
  CHECK(ctx, c->rule, "R-met", c->metric, dl2, W(PSVC_SLA_MET, B, dl2, dl2, lim, lim, 0, 3, 1, 0));
  CHECK(ctx, c->rule, "R-over", c->metric, dl2 + 1,
        W(PSVC_SLA_BREACHED, B, dl2, dl2 + 1, lim, lim + 1, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* docs/sla.md: a pause that begins after the deadline has passed does not
   move the deadline: BREACHED while suspended, BREACHED when stopped. */
START_TEST(test_T2_T18_T20_pause_after_deadline_keeps_breach) {
  const rule_case *c = &cases[_i];
  psvc_ctx *ctx = ctx_new();
  psvc_time dl = rc_deadline(c);
  int64_t p = min64(rc_limit(c) / 4, HOUR);
  rc_open(ctx, c, "R-1");
  act(ctx, "R-1", A(SUSPEND), dl + p);
  act(ctx, "R-1", A(RESUME), dl + 2 * p);
  rc_stop(ctx, c, "R-1", dl + 3 * p);
  CHECK(ctx, c->rule, "R-1", c->metric, dl + p + 1,
        W(PSVC_SLA_BREACHED, B, dl, 0, ANY, ANY, ANY, 3, 1, 1));
  CHECK(ctx, c->rule, "R-1", c->metric, dl + 2 * p - 1,
        W(PSVC_SLA_BREACHED, B, dl, 0, ANY, ANY, ANY, 3, 1, 1));
  CHECK(ctx, c->rule, "R-1", c->metric, dl + 3 * p,
        W(PSVC_SLA_BREACHED, B, dl, dl + 3 * p, ANY, ANY, ANY, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* W-10: an UNSATISFIED visit reopens the order. ARRIVAL, REPLY and RESOLVE
   start a new cycle at that visit (FAULT_REPAIR's RESOLVE at the next
   ARRIVE); ever_breached keeps cycle 1's breach. DISPATCH and CONTACT do not
   restart. Cycle 1 is breached (stop at deadline + 1); the visit is at
   V = B + 70 days (Monday 11 May 10:00, ten weeks on: on the default
   calendar every cycle-2 deadline is the cycle-1 one + 70 days). */
START_TEST(test_T2_T18_W10_reopen_new_cycle) {
  const rule_case *c = &cases[_i];
  psvc_ctx *ctx = ctx_new();
  psvc_time dl = rc_deadline(c);
  int64_t lim = rc_limit(c);
  psvc_time v = B + 70 * DAY;
  rc_open(ctx, c, "R-1");
  rc_stop(ctx, c, "R-1", dl + 1);
  for (int i = 0; c->post[i]; i++)
    act(ctx, "R-1", c->post[i], dl + 2 + i);
  act_v(ctx, "R-1", A(VISIT), v, PSVC_SAT_UNSATISFIED);
  /* just before the visit: cycle 1, breached */
  CHECK(ctx, c->rule, "R-1", c->metric, v - 1,
        W(PSVC_SLA_BREACHED, B, dl, dl + 1, lim, lim + 1, -1, 3, 1, 1));
  if (!c->reopens) {
    /* no new cycle: the first stop stands */
    CHECK(ctx, c->rule, "R-1", c->metric, v + 60,
          W(PSVC_SLA_BREACHED, B, dl, dl + 1, lim, lim + 1, -1, 3, 1, 1));
    psvc_ctx_close(ctx);
    return;
  }
  /* cycle 2: the order is DISPATCHED again; redo the work after the DISPATCH */
  psvc_time start2 = c->on_arrive ? v + 10 * MINUTE : v;
  psvc_time dl2 = dl + 70 * DAY + (start2 - v);
  if (c->on_arrive)
    CHECK(ctx, c->rule, "R-1", c->metric, v + 60,
          W(PSVC_SLA_PENDING, 0, ANY, 0, ANY, ANY, ANY, ANY, 2, 1));
  for (int i = 1; c->pre[i]; i++)
    act(ctx, "R-1", c->pre[i], (c->on_arrive && c->pre[i] == A(ARRIVE)) ? start2 : v + i);
  CHECK(ctx, c->rule, "R-1", c->metric, start2 + 60,
        W(PSVC_SLA_RUNNING, start2, dl2, 0, lim, 60, lim - 60, 0, 2, 1));
  rc_stop(ctx, c, "R-1", dl2);
  CHECK(ctx, c->rule, "R-1", c->metric, dl2, W(PSVC_SLA_MET, start2, dl2, dl2, lim, lim, 0, 3, 2, 1));
  /* as of before the visit, the history still reads as cycle 1 */
  CHECK(ctx, c->rule, "R-1", c->metric, dl + 1,
        W(PSVC_SLA_BREACHED, B, dl, dl + 1, lim, lim + 1, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* docs/sla.md: PENDING before accepted_at, and before the start event. */
START_TEST(test_T2_T18_T20_pending_before_start) {
  const rule_case *c = &cases[_i];
  psvc_ctx *ctx = ctx_new();
  rc_open(ctx, c, "R-1");
  psvc_time acc = rc_accepted(c);
  CHECK(ctx, c->rule, "R-1", c->metric, acc - 1,
        W(PSVC_SLA_PENDING, 0, ANY, 0, ANY, ANY, ANY, ANY, ANY, 0));
  CHECK(ctx, c->rule, "R-1", c->metric, 0, W(PSVC_SLA_PENDING, 0, ANY, 0, ANY, ANY, ANY, ANY, ANY, 0));
  if (c->on_arrive) /* accepted, dispatched, received, the crew not there yet */
    CHECK(ctx, c->rule, "R-1", c->metric, B - 1,
          W(PSVC_SLA_PENDING, 0, ANY, 0, ANY, ANY, ANY, ANY, ANY, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- exact thresholds, areas, classes, first events ---------------------------------- */

/* Check the date helper against instants printed by date(1):
   TZ=Asia/Shanghai date -d '2026-03-02 00:00' +%s -> 1772380800, and so on. */
START_TEST(test_helper_local_time_matches_known_instants) {
  ck_assert_int_eq(LT(2026, 3, 2, 0, 0, 0), 1772380800);
  ck_assert_int_eq(LT(2026, 9, 30, 0, 0, 0), 1790697600);
  ck_assert_int_eq(LT(2026, 10, 13, 0, 0, 0), 1791820800);
  ck_assert_int_eq(LT(2026, 2, 15, 0, 0, 0), 1771084800);
  ck_assert_int_eq(UT(2026, 9, 21, 14, 13, 20), FAULT_NOW);
  ck_assert_int_eq(UT(9999, 12, 31, 23, 59, 59), MAX_TIME);
}
END_TEST

/* T-2 / T-21 on the 180 s DISPATCH clock: 50 % = 90 s (level 1), 80 % =
   144 s (AT_RISK, level 2), 100 % = 180 s (level 3), BREACHED from 181 s. */
START_TEST(test_T2_T21_dispatch_exact_thresholds) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "D-1", PSVC_ORDER_INQUIRY, 0, C_NONE, 0, B);
  const char *r = "T-2/T-21";
  CHECK(ctx, r, "D-1", PSVC_METRIC_DISPATCH, B + 89,
        W(PSVC_SLA_RUNNING, B, B + 180, 0, 180, 89, 91, 0, 1, 0));
  CHECK(ctx, r, "D-1", PSVC_METRIC_DISPATCH, B + 90,
        W(PSVC_SLA_RUNNING, B, B + 180, 0, 180, 90, 90, 1, 1, 0));
  CHECK(ctx, r, "D-1", PSVC_METRIC_DISPATCH, B + 143,
        W(PSVC_SLA_RUNNING, B, B + 180, 0, 180, 143, 37, 1, 1, 0));
  CHECK(ctx, r, "D-1", PSVC_METRIC_DISPATCH, B + 144,
        W(PSVC_SLA_AT_RISK, B, B + 180, 0, 180, 144, 36, 2, 1, 0));
  CHECK(ctx, r, "D-1", PSVC_METRIC_DISPATCH, B + 179,
        W(PSVC_SLA_AT_RISK, B, B + 180, 0, 180, 179, 1, 2, 1, 0));
  CHECK(ctx, r, "D-1", PSVC_METRIC_DISPATCH, B + 180,
        W(PSVC_SLA_AT_RISK, B, B + 180, 0, 180, 180, 0, 3, 1, 0));
  CHECK(ctx, r, "D-1", PSVC_METRIC_DISPATCH, B + 181,
        W(PSVC_SLA_BREACHED, B, B + 180, 0, 180, 181, -1, 3, 1, 1));
  CHECK(ctx, r, "D-1", PSVC_METRIC_DISPATCH, B + DAY,
        W(PSVC_SLA_BREACHED, B, B + 180, 0, 180, DAY, 180 - DAY, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-3 / T-21 on the 40 min urban clock: 50 % = 1200 s, 80 % = 1920 s. */
START_TEST(test_T3_T21_arrival_urban_exact_thresholds) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "F-1", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  const char *r = "T-3/T-21";
  psvc_time dl = B + 2400;
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 1199,
        W(PSVC_SLA_RUNNING, B, dl, 0, 2400, 1199, 1201, 0, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 1200,
        W(PSVC_SLA_RUNNING, B, dl, 0, 2400, 1200, 1200, 1, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 1919,
        W(PSVC_SLA_RUNNING, B, dl, 0, 2400, 1919, 481, 1, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 1920,
        W(PSVC_SLA_AT_RISK, B, dl, 0, 2400, 1920, 480, 2, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 2400,
        W(PSVC_SLA_AT_RISK, B, dl, 0, 2400, 2400, 0, 3, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 2401,
        W(PSVC_SLA_BREACHED, B, dl, 0, 2400, 2401, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-3 / C-7: the order's area overrides the customer's; area 0 takes the
   customer's; neither = unknown = urban. Limits 2400 / 5100 / 7200 s. */
START_TEST(test_T3_area_from_order_else_customer) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "A-1", FR, 0, C_RURAL, 0, B);                  /* rural customer */
  open_order(ctx, "A-2", FR, 0, C_RURAL, PSVC_AREA_REMOTE, B);   /* order says remote */
  open_order(ctx, "A-3", FR, 0, C_REMOTE, PSVC_AREA_URBAN, B);   /* order says urban */
  open_order(ctx, "A-4", FR, 0, C_REMOTE, 0, B);                 /* remote customer */
  open_order(ctx, "A-5", FR, 0, C_NOAREA, 0, B);                 /* unknown -> urban */
  static const struct {
    const char *id;
    int64_t lim;
  } e[] = {{"A-1", 5100}, {"A-2", 7200}, {"A-3", 2400}, {"A-4", 7200}, {"A-5", 2400}};
  for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
    CHECK(ctx, "T-3", e[i].id, PSVC_METRIC_ARRIVAL, B + 60,
          W(PSVC_SLA_RUNNING, B, B + e[i].lim, 0, e[i].lim, 60, e[i].lim - 60, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-2: the clock stops at the first DISPATCH; a RETURN and a second
   DISPATCH change nothing (not a new cycle either). */
START_TEST(test_T2_first_dispatch_stops_return_does_not_restart) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "D-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  act(ctx, "D-1", A(DISPATCH), B + 100);
  act(ctx, "D-1", A(RETURN), B + 200);
  act(ctx, "D-1", A(DISPATCH), B + 400);
  /* 100 s of 180: level 1 (>= 90 s) */
  CHECK(ctx, "T-2", "D-1", PSVC_METRIC_DISPATCH, B + 500,
        W(PSVC_SLA_MET, B, B + 180, B + 100, 180, 100, 80, 1, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* W-10 with T-3 / T-18 / T-2: cycle 1 met, cycle 2 breached. Urban fault
   accepted at B: DISPATCH B+60, RECEIVE B+120, ARRIVE B+1800 (<= 2400: MET),
   RESOLVE B+3600 (1800 s after arrival, <= 10800: MET), VISIT UNSATISFIED at
   B+7200 -> cycle 2: ARRIVAL from B+7200, deadline B+9600; RESOLVE waits for
   the next ARRIVE. ARRIVE at B+9601 -> cycle 2 ARRIVAL BREACHED (2401 s).
   A second UNSATISFIED visit starts cycle 3 and keeps ever_breached. */
START_TEST(test_W10_T3_T18_reopen_met_then_breached) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "W-10/T-3/T-18";
  open_order(ctx, "F-1", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  act(ctx, "F-1", A(DISPATCH), B + 60);
  act(ctx, "F-1", A(RECEIVE), B + 120);
  act(ctx, "F-1", A(ARRIVE), B + 1800);
  act(ctx, "F-1", A(RESOLVE), B + 3600);
  act_v(ctx, "F-1", A(VISIT), B + 7200, PSVC_SAT_UNSATISFIED);
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 7199,
        W(PSVC_SLA_MET, B, B + 2400, B + 1800, 2400, 1800, 600, 1, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_RESOLVE, B + 7199,
        W(PSVC_SLA_MET, B + 1800, B + 1800 + 10800, B + 3600, 10800, 1800, 9000, 0, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 7260,
        W(PSVC_SLA_RUNNING, B + 7200, B + 9600, 0, 2400, 60, 2340, 0, 2, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_RESOLVE, B + 7260,
        W(PSVC_SLA_PENDING, 0, ANY, 0, ANY, ANY, ANY, ANY, 2, 0));
  act(ctx, "F-1", A(RECEIVE), B + 7300);
  act(ctx, "F-1", A(ARRIVE), B + 9601);
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 9700,
        W(PSVC_SLA_BREACHED, B + 7200, B + 9600, B + 9601, 2400, 2401, -1, 3, 2, 1));
  CHECK(ctx, r, "F-1", PSVC_METRIC_RESOLVE, B + 9701,
        W(PSVC_SLA_RUNNING, B + 9601, B + 9601 + 10800, 0, 10800, 100, 10700, 0, 2, 0));
  /* T-2: dispatched once at B+60, no new cycle */
  CHECK(ctx, r, "F-1", PSVC_METRIC_DISPATCH, B + 9700,
        W(PSVC_SLA_MET, B, B + 180, B + 60, 180, 60, 120, 0, 1, 0));
  act(ctx, "F-1", A(RESOLVE), B + 10000);
  act_v(ctx, "F-1", A(VISIT), B + 11000, PSVC_SAT_UNSATISFIED);
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 11010,
        W(PSVC_SLA_RUNNING, B + 11000, B + 13400, 0, 2400, 10, 2390, 0, 3, 1));
  /* a satisfied visit does not reopen: cycle stays */
  act(ctx, "F-1", A(RECEIVE), B + 11100);
  act(ctx, "F-1", A(ARRIVE), B + 11200);
  act(ctx, "F-1", A(RESOLVE), B + 11300);
  act_v(ctx, "F-1", A(VISIT), B + 11400, PSVC_SAT_SATISFIED);
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 11500,
        W(PSVC_SLA_MET, B + 11000, B + 13400, B + 11200, 2400, 200, 2200, 0, 3, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-17: CONTACT stops at the first REPLY, VISIT or NOTE with value
   PSVC_NOTE_CONTACT (1); a plain NOTE does not stop it; later contacts do
   not move the stop; no new cycle on reopen. */
START_TEST(test_T17_contact_stop_events) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-17";
  psvc_time dl = B + DAY;
  /* K-1: NOTE value 0 at B+1h does nothing; NOTE value 1 at B+2h stops */
  open_order(ctx, "K-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  act_v(ctx, "K-1", A(NOTE), B + HOUR, 0);
  CHECK(ctx, r, "K-1", PSVC_METRIC_CONTACT, B + HOUR + 60,
        W(PSVC_SLA_RUNNING, B, dl, 0, DAY, HOUR + 60, DAY - HOUR - 60, 0, 1, 0));
  act_v(ctx, "K-1", A(NOTE), B + 2 * HOUR, PSVC_NOTE_CONTACT);
  act_v(ctx, "K-1", A(NOTE), B + 3 * HOUR, PSVC_NOTE_CONTACT);
  CHECK(ctx, r, "K-1", PSVC_METRIC_CONTACT, B + 4 * HOUR,
        W(PSVC_SLA_MET, B, dl, B + 2 * HOUR, DAY, 2 * HOUR, DAY - 2 * HOUR, 0, 1, 0));
  /* K-2: the REPLY at exactly 24 h stops it (MET); K-3: REPLY at 24 h + 1 s */
  const char *ids[2] = {"K-2", "K-3"};
  for (int k = 0; k < 2; k++) {
    open_order(ctx, ids[k], PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
    act(ctx, ids[k], A(DISPATCH), B + 60);
    act(ctx, ids[k], A(RECEIVE), B + 120);
    act(ctx, ids[k], A(RESOLVE), B + 180);
    act(ctx, ids[k], A(REPLY), dl + k);
  }
  CHECK(ctx, r, "K-2", PSVC_METRIC_CONTACT, dl + 100, W(PSVC_SLA_MET, B, dl, dl, DAY, DAY, 0, 3, 1, 0));
  CHECK(ctx, r, "K-3", PSVC_METRIC_CONTACT, dl + 100,
        W(PSVC_SLA_BREACHED, B, dl, dl + 1, DAY, DAY + 1, -1, 3, 1, 1));
  /* reopen of K-2: CONTACT stands */
  act_v(ctx, "K-2", A(VISIT), dl + 2 * HOUR, PSVC_SAT_UNSATISFIED);
  CHECK(ctx, r, "K-2", PSVC_METRIC_CONTACT, dl + 3 * HOUR,
        W(PSVC_SLA_MET, B, dl, dl, DAY, DAY, 0, 3, 1, 0));
  /* K-4: a VISIT stops it: a CONTACT override on FAULT_REPAIR, where no
     REPLY exists; ARRIVE and RESOLVE do not stop it */
  ck_assert_int_eq(
      psvc_policy_set(ctx, PSVC_METRIC_CONTACT, FR, 0, PSVC_CLOCK_WALL, DAY, NULL), PSVC_OK);
  open_order(ctx, "K-4", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  act(ctx, "K-4", A(DISPATCH), B + 60);
  act(ctx, "K-4", A(RECEIVE), B + 120);
  act(ctx, "K-4", A(ARRIVE), B + 1800);
  act(ctx, "K-4", A(RESOLVE), B + 3600);
  act(ctx, "K-4", A(VISIT), B + 50000);
  CHECK(ctx, r, "K-4", PSVC_METRIC_CONTACT, B + 40000,
        W(PSVC_SLA_RUNNING, B, dl, 0, DAY, 40000, DAY - 40000, 0, 1, 0));
  CHECK(ctx, r, "K-4", PSVC_METRIC_CONTACT, B + 60000,
        W(PSVC_SLA_MET, B, dl, B + 50000, DAY, 50000, DAY - 50000, 1, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-4 / T-23: the day is the local (+08:00) day. Accepted 01:00 local on
   Mon 2 March (= Sun 1 March 17:00 UTC): deadline Sat 7 March 23:59:59
   local, limit_s = 5 d + 22:59:59 = 432000 + 82799 = 514799. Accepted at
   23:59:59 local on 2 March: the same deadline, limit exactly 5 d = 432000. */
START_TEST(test_T4_T23_local_day_not_utc_day) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-4/T-23";
  open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, LT(2026, 3, 2, 1, 0, 0));
  open_order(ctx, "C-2", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, EOD(2026, 3, 2));
  CHECK(ctx, r, "C-1", PSVC_METRIC_REPLY, LT(2026, 3, 2, 2, 0, 0),
        W(PSVC_SLA_RUNNING, LT(2026, 3, 2, 1, 0, 0), EOD(2026, 3, 7), 0, 514799, 3600,
          514799 - 3600, 0, 1, 0));
  CHECK(ctx, r, "C-2", PSVC_METRIC_REPLY, EOD(2026, 3, 2),
        W(PSVC_SLA_RUNNING, EOD(2026, 3, 2), EOD(2026, 3, 7), 0, 432000, 0, 432000, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-4 / T-23 spelled out: "within 5 days" of Mon 2 March 10:00 ends at
   Sat 7 March 23:59:59 local; a reply at that second is MET, one at
   Sun 8 March 00:00:00 BREACHED. */
START_TEST(test_T4_T23_reply_at_235959_met_at_midnight_breached) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-4/T-23";
  const char *ids[2] = {"C-met", "C-late"};
  psvc_time stop[2] = {LT(2026, 3, 7, 23, 59, 59), LT(2026, 3, 8, 0, 0, 0)};
  for (int k = 0; k < 2; k++) {
    open_order(ctx, ids[k], PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
    act(ctx, ids[k], A(DISPATCH), B + 60);
    act(ctx, ids[k], A(RECEIVE), B + 120);
    act(ctx, ids[k], A(RESOLVE), B + 180);
    act(ctx, ids[k], A(REPLY), stop[k]);
  }
  STATUS_IS(ctx, r, "C-met", PSVC_METRIC_REPLY, stop[1], PSVC_SLA_MET);
  STATUS_IS(ctx, r, "C-late", PSVC_METRIC_REPLY, stop[1], PSVC_SLA_BREACHED);
  psvc_ctx_close(ctx);
}
END_TEST

/* T-23: a limit of 0 days ends at 23:59:59 of the start day (calendar and
   working days: Monday 2 March is a working day). limit_s = 10:00 ->
   23:59:59 = 50399. */
START_TEST(test_T23_zero_days_end_of_start_day) {
  psvc_ctx *ctx = ctx_new();
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_CALENDAR_DAYS, 0, NULL),
                   PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_REPORT, 0,
                                   PSVC_CLOCK_WORK_DAYS, 0, NULL),
                   PSVC_OK);
  open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  open_order(ctx, "P-1", PSVC_ORDER_REPORT, 0, C_NONE, 0, B);
  CHECK(ctx, "T-23", "C-1", PSVC_METRIC_REPLY, B + 60,
        W(PSVC_SLA_RUNNING, B, EOD(2026, 3, 2), 0, 50399, 60, 50339, 0, 1, 0));
  CHECK(ctx, "T-23", "P-1", PSVC_METRIC_REPLY, B + 60,
        W(PSVC_SLA_RUNNING, B, EOD(2026, 3, 2), 0, 50399, 60, 50339, 0, 1, 0));
  CHECK(ctx, "T-23", "P-1", PSVC_METRIC_REPLY, LT(2026, 3, 3, 0, 0, 0),
        W(PSVC_SLA_BREACHED, B, EOD(2026, 3, 2), 0, 50399, 50400, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-23 on WORK_DAYS when the start day is not a working day: accepted Sat
   7 March 10:00, 5 working days: Mon 9 (1) ... Fri 13 (5) -> Fri 13 March
   23:59:59. Clock seconds: none on Sat and Sun; Mon 9 00:00 -> Fri 13
   23:59:59 = 5 x 86400 - 1 = 431999. On Sunday noon nothing is used; on
   Monday noon 12 h = 43200. */
START_TEST(test_T23_work_days_start_on_weekend) {
  psvc_ctx *ctx = ctx_new();
  psvc_time acc = LT(2026, 3, 7, 10, 0, 0);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_WORK_DAYS, 5, NULL),
                   PSVC_OK);
  open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, acc);
  psvc_time dl = EOD(2026, 3, 13);
  CHECK(ctx, "T-23", "C-1", PSVC_METRIC_REPLY, LT(2026, 3, 8, 12, 0, 0),
        W(PSVC_SLA_RUNNING, acc, dl, 0, 431999, 0, 431999, 0, 1, 0));
  CHECK(ctx, "T-23", "C-1", PSVC_METRIC_REPLY, LT(2026, 3, 9, 12, 0, 0),
        W(PSVC_SLA_RUNNING, acc, dl, 0, 431999, 43200, 431999 - 43200, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-18: RESOLVE of a fault is PENDING until the crew arrives, then runs
   4 h (rural) from ARRIVE. ARRIVAL is judged separately (85 min). */
START_TEST(test_T18_resolve_pending_until_arrive) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "F-1", FR, 0, C_NONE, PSVC_AREA_RURAL, B);
  act(ctx, "F-1", A(DISPATCH), B + 60);
  act(ctx, "F-1", A(RECEIVE), B + 120);
  CHECK(ctx, "T-18", "F-1", PSVC_METRIC_RESOLVE, B + 3000,
        W(PSVC_SLA_PENDING, 0, ANY, 0, ANY, ANY, ANY, ANY, ANY, 0));
  act(ctx, "F-1", A(ARRIVE), B + 4000);
  CHECK(ctx, "T-18", "F-1", PSVC_METRIC_RESOLVE, B + 4060,
        W(PSVC_SLA_RUNNING, B + 4000, B + 4000 + 14400, 0, 14400, 60, 14340, 0, 1, 0));
  CHECK(ctx, "T-3", "F-1", PSVC_METRIC_ARRIVAL, B + 4060,
        W(PSVC_SLA_MET, B, B + 5100, B + 4000, 5100, 4000, 1100, 1, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- calendars: China 2026, profiles, day and business-hour clocks ------------------- */

/* examples/data/cn-2026.cal, verbatim (docs/calendar-format.md). */
static const char cn2026_text[] =
    "# cn-2026.cal - China's 2026 public holidays and make-up working days\n"
    "utc+08:00\n"
    "hours mon-fri 08:30-12:00 14:00-17:30\n"
    "\n"
    "# New Year: 1-3 Jan off; Sunday 4 Jan is worked\n"
    "holiday 2026-01-01..2026-01-03\n"
    "workday 2026-01-04 as mon\n"
    "\n"
    "# Spring Festival: 15-23 Feb off; Saturdays 14 and 28 Feb are worked\n"
    "holiday 2026-02-15..2026-02-23\n"
    "workday 2026-02-14 as mon\n"
    "workday 2026-02-28 as mon\n"
    "\n"
    "# Qingming: 4-6 Apr off\n"
    "holiday 2026-04-04..2026-04-06\n"
    "\n"
    "# Labour Day: 1-5 May off; Saturday 9 May is worked\n"
    "holiday 2026-05-01..2026-05-05\n"
    "workday 2026-05-09 as mon\n"
    "\n"
    "# Dragon Boat Festival: 19-21 Jun off\n"
    "holiday 2026-06-19..2026-06-21\n"
    "\n"
    "# Mid-Autumn Festival: 25-27 Sep off\n"
    "holiday 2026-09-25..2026-09-27\n"
    "\n"
    "# National Day: 1-7 Oct off; Sunday 20 Sep and Saturday 10 Oct are worked\n"
    "holiday 2026-10-01..2026-10-07\n"
    "workday 2026-09-20 as mon\n"
    "workday 2026-10-10 as mon\n";

static psvc_calendar *cn2026(void) {
  psvc_calendar *cal = NULL;
  char *err = NULL;
  int rc = psvc_calendar_parse(cn2026_text, &cal, &err);
  ck_assert_msg(rc == PSVC_OK, "parsing cn-2026: %s (%s)", CODE_N(rc), err ? err : "");
  psvc_free(err);
  return cal;
}

static void attach_cn2026(psvc_ctx *ctx, const char *name) {
  psvc_calendar *cal = cn2026();
  int rc = psvc_ctx_set_calendar(ctx, name, cal);
  ck_assert_msg(rc == PSVC_OK, "attaching cn-2026 as %s: %s (%s)", name, CODE_N(rc),
                errmsg_of(ctx));
  psvc_calendar_free(cal);
}

/* A complaint accepted at `acc`, handled so that REPLY is the next step. */
static void complaint_ready(psvc_ctx *ctx, const char *id, psvc_time acc) {
  open_order(ctx, id, PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, acc);
  act(ctx, id, A(DISPATCH), acc + 60);
  act(ctx, id, A(RECEIVE), acc + 120);
  act(ctx, id, A(RESOLVE), acc + 180);
}

/* T-4 / T-22 / T-23, sgcc (complaint 5 WORK_DAYS) on cn-2026 across
   National Day (Thu 1 - Wed 7 Oct off, Sat 10 Oct worked as Monday):
   - G-1 accepted Wed 30 Sep 10:00: Thu 8 (1), Fri 9 (2), Sat 10 (3), Mon 12
     (4), Tue 13 (5) -> Tue 13 Oct 23:59:59; clock seconds = 30 Sep 10:00-24:00
     (50400) + 8, 9, 10, 12 Oct (345600) + 13 Oct to 23:59:59 (86399) = 482399;
     on Sun 4 Oct noon only the 50400 of 30 Sep are used (10 %: level 0);
   - G-2 the same, replied at Wed 14 Oct 00:00:00: BREACHED;
   - G-3 accepted Fri 9 Oct 10:00: Sat 10 (1), Mon 12 (2), Tue 13 (3), Wed 14
     (4), Thu 15 (5) -> Thu 15 Oct 23:59:59 (the make-up Saturday counts);
   - G-4 accepted on the holiday Thu 1 Oct 10:00: the same five days as G-1
     -> Tue 13 Oct 23:59:59; no clock second on 1-7 Oct: 4 x 86400 + 86399 =
     431999; on Mon 5 Oct nothing is used yet;
   - G-5 accepted Fri 18 Sep 10:00: Sun 20 Sep (make-up, 1), Mon 21 (2), Tue 22
     (3), Wed 23 (4), Thu 24 (5) -> Thu 24 Sep 23:59:59 (Fri 25 is Mid-Autumn);
   - G-6 accepted Tue 29 Sep 10:00: Wed 30 (1), 8, 9, 10 (2-4), Mon 12 (5) ->
     Mon 12 Oct 23:59:59; suspended Wed 30 Sep 20:00, resumed Thu 8 Oct 02:00:
     the pause holds 4 h of 30 Sep and 2 h of 8 Oct (the holidays give none)
     -> deadline Tue 13 Oct 05:59:59. */
START_TEST(test_T4_T22_T23_sgcc_complaint_across_national_day) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-4/T-22/T-23 sgcc";
  ck_assert_int_eq(psvc_policy_profile(ctx, "sgcc"), PSVC_OK);
  attach_cn2026(ctx, "default");
  psvc_time a1 = LT(2026, 9, 30, 10, 0, 0);
  complaint_ready(ctx, "G-1", a1);
  complaint_ready(ctx, "G-2", a1);
  CHECK(ctx, r, "G-1", PSVC_METRIC_REPLY, LT(2026, 10, 4, 12, 0, 0),
        W(PSVC_SLA_RUNNING, a1, EOD(2026, 10, 13), 0, 482399, 50400, 482399 - 50400, 0, 1, 0));
  act(ctx, "G-1", A(REPLY), EOD(2026, 10, 13));
  act(ctx, "G-2", A(REPLY), LT(2026, 10, 14, 0, 0, 0));
  CHECK(ctx, r, "G-1", PSVC_METRIC_REPLY, LT(2026, 10, 20, 0, 0, 0),
        W(PSVC_SLA_MET, a1, EOD(2026, 10, 13), EOD(2026, 10, 13), 482399, 482399, 0, 3, 1, 0));
  CHECK(ctx, r, "G-2", PSVC_METRIC_REPLY, LT(2026, 10, 20, 0, 0, 0),
        W(PSVC_SLA_BREACHED, a1, EOD(2026, 10, 13), LT(2026, 10, 14, 0, 0, 0), 482399, 482400,
          -1, 3, 1, 1));

  psvc_time a3 = LT(2026, 10, 9, 10, 0, 0);
  complaint_ready(ctx, "G-3", a3);
  CHECK(ctx, r, "G-3", PSVC_METRIC_REPLY, a3 + HOUR,
        W(PSVC_SLA_RUNNING, a3, EOD(2026, 10, 15), 0, 482399, HOUR, 482399 - HOUR, 0, 1, 0));

  psvc_time a4 = LT(2026, 10, 1, 10, 0, 0);
  complaint_ready(ctx, "G-4", a4);
  CHECK(ctx, r, "G-4", PSVC_METRIC_REPLY, LT(2026, 10, 5, 10, 0, 0),
        W(PSVC_SLA_RUNNING, a4, EOD(2026, 10, 13), 0, 431999, 0, 431999, 0, 1, 0));

  psvc_time a5 = LT(2026, 9, 18, 10, 0, 0);
  complaint_ready(ctx, "G-5", a5);
  CHECK(ctx, r, "G-5", PSVC_METRIC_REPLY, a5 + HOUR,
        W(PSVC_SLA_RUNNING, a5, EOD(2026, 9, 24), 0, 482399, HOUR, 482399 - HOUR, 0, 1, 0));

  psvc_time a6 = LT(2026, 9, 29, 10, 0, 0);
  complaint_ready(ctx, "G-6", a6);
  act(ctx, "G-6", A(SUSPEND), LT(2026, 9, 30, 20, 0, 0));
  act(ctx, "G-6", A(RESUME), LT(2026, 10, 8, 2, 0, 0));
  act(ctx, "G-6", A(REPLY), LT(2026, 10, 13, 5, 59, 59));
  /* while suspended on 3 Oct: used = 29 Sep 14 h + 30 Sep 20 h = 122400;
     limit = 482399 (the same shape as G-1); left = 482399 - 122400 =
     359999, projected from a holiday: 8 Oct 00:00 + 359999 clock s = 8, 9,
     10, 12 Oct (345600) + 14399 s into Tue 13 Oct = 03:59:59 (= the 12 Oct
     deadline + the 4 h of 30 Sep paused so far) */
  CHECK(ctx, r, "G-6", PSVC_METRIC_REPLY, LT(2026, 10, 3, 12, 0, 0),
        W(PSVC_SLA_PAUSED, a6, LT(2026, 10, 13, 3, 59, 59), 0, 482399, 122400, 359999, 0, 1, 0));
  CHECK(ctx, r, "G-6", PSVC_METRIC_REPLY, LT(2026, 10, 13, 6, 0, 0),
        W(PSVC_SLA_MET, a6, LT(2026, 10, 13, 5, 59, 59), LT(2026, 10, 13, 5, 59, 59), 482399,
          482399, 0, 3, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-5 / T-22 / T-23, sgcc (report 9 WORK_DAYS) across Spring Festival (Sun
   15 - Mon 23 Feb off; Sat 14 and Sat 28 Feb worked): accepted Thu 12 Feb
   10:00: Fri 13 (1), Sat 14 (2), Tue 24 (3), Wed 25 (4), Thu 26 (5), Fri 27
   (6), Sat 28 (7), Mon 2 Mar (8), Tue 3 Mar (9) -> Tue 3 March 23:59:59;
   clock seconds = 50400 + 8 x 86400 + 86399 = 827999. */
START_TEST(test_T5_T22_T23_sgcc_report_across_spring_festival) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-5/T-22/T-23 sgcc";
  ck_assert_int_eq(psvc_policy_profile(ctx, "sgcc"), PSVC_OK);
  attach_cn2026(ctx, "default");
  psvc_time acc = LT(2026, 2, 12, 10, 0, 0);
  psvc_time dl = EOD(2026, 3, 3);
  const char *ids[2] = {"P-met", "P-late"};
  for (int k = 0; k < 2; k++) {
    open_order(ctx, ids[k], PSVC_ORDER_REPORT, 0, C_NONE, 0, acc);
    act(ctx, ids[k], A(DISPATCH), acc + 60);
    act(ctx, ids[k], A(RECEIVE), acc + 120);
    act(ctx, ids[k], A(RESOLVE), acc + 180);
  }
  /* Fri 20 Feb (holiday) noon: 12 Feb 14 h + 13 Feb + 14 Feb = 50400 +
     172800 = 223200 used (27 %: level 0) */
  CHECK(ctx, r, "P-met", PSVC_METRIC_REPLY, LT(2026, 2, 20, 12, 0, 0),
        W(PSVC_SLA_RUNNING, acc, dl, 0, 827999, 223200, 827999 - 223200, 0, 1, 0));
  act(ctx, "P-met", A(REPLY), dl);
  act(ctx, "P-late", A(REPLY), dl + 1);
  CHECK(ctx, r, "P-met", PSVC_METRIC_REPLY, dl + 1,
        W(PSVC_SLA_MET, acc, dl, dl, 827999, 827999, 0, 3, 1, 0));
  CHECK(ctx, r, "P-late", PSVC_METRIC_REPLY, dl + 1,
        W(PSVC_SLA_BREACHED, acc, dl, dl + 1, 827999, 828000, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-4 / T-5 seed: calendar days ignore holidays, even with cn-2026 as the
   default calendar. Accepted Wed 30 Sep 10:00: complaint 5 days -> Mon 5 Oct
   23:59:59, report 10 days -> Sat 10 Oct 23:59:59. */
START_TEST(test_T4_T5_seed_calendar_days_ignore_holidays) {
  psvc_ctx *ctx = ctx_new();
  attach_cn2026(ctx, "default");
  psvc_time acc = LT(2026, 9, 30, 10, 0, 0);
  open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, acc);
  open_order(ctx, "P-1", PSVC_ORDER_REPORT, 0, C_NONE, 0, acc);
  CHECK(ctx, "T-4", "C-1", PSVC_METRIC_REPLY, acc + DAY,
        W(PSVC_SLA_RUNNING, acc, EOD(2026, 10, 5), 0, 482399, DAY, 482399 - DAY, 0, 1, 0));
  CHECK(ctx, "T-5", "P-1", PSVC_METRIC_REPLY, acc + DAY,
        W(PSVC_SLA_RUNNING, acc, EOD(2026, 10, 10), 0, 914399, DAY, 914399 - DAY, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-3 profiles: sgcc 45 / 90 / 120 min, gbt28583 60 / 120 / 240 min; the
   rows marked "same" keep their seed values (T-2 180 s, T-17 24 h, T-18
   3 h). gbt28583 complaint and report: 10 WORK_DAYS on the default calendar:
   from Mon 2 March 10:00 -> Mon 16 March 23:59:59; clock seconds = 50400 +
   9 x 86400 + 86399 = 914399. */
START_TEST(test_T3_T4_T5_sgcc_and_gbt28583_profiles) {
  static const struct {
    const char *profile;
    int64_t urban, rural, remote;
  } p[] = {{"sgcc", 45 * MINUTE, 90 * MINUTE, 120 * MINUTE},
           {"gbt28583", 60 * MINUTE, 120 * MINUTE, 240 * MINUTE},
           {"seed", 40 * MINUTE, 85 * MINUTE, 120 * MINUTE}};
  for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
    psvc_ctx *ctx = ctx_new();
    ck_assert_int_eq(psvc_policy_profile(ctx, p[i].profile), PSVC_OK);
    open_order(ctx, "F-u", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
    open_order(ctx, "F-r", FR, 0, C_NONE, PSVC_AREA_RURAL, B);
    open_order(ctx, "F-x", FR, 0, C_NONE, PSVC_AREA_REMOTE, B);
    open_order(ctx, "F-0", FR, 0, C_NOAREA, 0, B);
    open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
    open_order(ctx, "P-1", PSVC_ORDER_REPORT, 0, C_NONE, 0, B);
    CHECK(ctx, p[i].profile, "F-u", PSVC_METRIC_ARRIVAL, B + 60,
          W(PSVC_SLA_RUNNING, B, B + p[i].urban, 0, p[i].urban, 60, ANY, 0, 1, 0));
    CHECK(ctx, p[i].profile, "F-0", PSVC_METRIC_ARRIVAL, B + 60,
          W(PSVC_SLA_RUNNING, B, B + p[i].urban, 0, p[i].urban, 60, ANY, 0, 1, 0));
    CHECK(ctx, p[i].profile, "F-r", PSVC_METRIC_ARRIVAL, B + 60,
          W(PSVC_SLA_RUNNING, B, B + p[i].rural, 0, p[i].rural, 60, ANY, 0, 1, 0));
    CHECK(ctx, p[i].profile, "F-x", PSVC_METRIC_ARRIVAL, B + 60,
          W(PSVC_SLA_RUNNING, B, B + p[i].remote, 0, p[i].remote, 60, ANY, 0, 1, 0));
    CHECK(ctx, p[i].profile, "F-u", PSVC_METRIC_DISPATCH, B + 60,
          W(PSVC_SLA_RUNNING, B, B + 180, 0, 180, 60, 120, 0, 1, 0));
    CHECK(ctx, p[i].profile, "C-1", PSVC_METRIC_CONTACT, B + 60,
          W(PSVC_SLA_RUNNING, B, B + DAY, 0, DAY, 60, ANY, 0, 1, 0));
    if (strcmp(p[i].profile, "gbt28583") == 0) {
      CHECK(ctx, p[i].profile, "C-1", PSVC_METRIC_REPLY, B + 60,
            W(PSVC_SLA_RUNNING, B, EOD(2026, 3, 16), 0, 914399, 60, ANY, 0, 1, 0));
      CHECK(ctx, p[i].profile, "P-1", PSVC_METRIC_REPLY, B + 60,
            W(PSVC_SLA_RUNNING, B, EOD(2026, 3, 16), 0, 914399, 60, ANY, 0, 1, 0));
    } else if (strcmp(p[i].profile, "sgcc") == 0) {
      /* 5 and 9 working days: Mon 9 March (482399) and Fri 13 March
         (Tue 3 ... Fri 6 = 1-4, Mon 9 ... Fri 13 = 5-9;
         50400 + 8 x 86400 + 86399 = 827999) */
      CHECK(ctx, p[i].profile, "C-1", PSVC_METRIC_REPLY, B + 60,
            W(PSVC_SLA_RUNNING, B, EOD(2026, 3, 9), 0, 482399, 60, ANY, 0, 1, 0));
      CHECK(ctx, p[i].profile, "P-1", PSVC_METRIC_REPLY, B + 60,
            W(PSVC_SLA_RUNNING, B, EOD(2026, 3, 13), 0, 827999, 60, ANY, 0, 1, 0));
    }
    act(ctx, "F-u", A(DISPATCH), B + 60);
    act(ctx, "F-u", A(RECEIVE), B + 120);
    act(ctx, "F-u", A(ARRIVE), B + 600);
    CHECK(ctx, p[i].profile, "F-u", PSVC_METRIC_RESOLVE, B + 660,
          W(PSVC_SLA_RUNNING, B + 600, B + 600 + 3 * HOUR, 0, 3 * HOUR, 60, ANY, 0, 1, 0));
    psvc_ctx_close(ctx);
  }
}
END_TEST

/* T-22 BUSINESS_HOURS override: 8 h on the default calendar (Mon-Fri
   08:30-12:00, 14:00-17:30 = 7 h a day). Accepted Fri 6 March 16:00:
   Fri 16:00-17:30 = 1.5 h; Mon 9 08:30-12:00 = 3.5 h (5 h); 14:00 + 3 h ->
   deadline Mon 9 March 17:00:00.
   - H-1: Sat noon 5400 s used; Mon noon 5400 + 12600 = 18000 (62.5 %: level
     1); Mon 16:00 25200 (87.5 %: AT_RISK, level 2); replied Mon 17:00:00 MET;
   - H-2: replied Mon 17:00:01 (in a window): 28801 s, BREACHED;
   - H-3: suspended Fri 17:45 - Mon 08:00, outside every window: no working
     time paused, the deadline stays Mon 17:00; PAUSED on Sunday with the
     same projection (23400 s left from Sunday noon -> Mon 12:00 + 14:00 +
     3 h = 17:00);
   - H-4: suspended Fri 16:30 - Mon 09:00: 1800 s used, the pause holds
     16:30-17:30 (3600) and 08:30-09:00 (1800) = 5400 working seconds ->
     deadline Mon 17:00 + 5400 s: 17:00-17:30 (1800), Tue 08:30 + 3600 ->
     Tue 10 March 09:30:00. On Sunday noon: 27000 s left, projected Mon
     08:30-12:00 (12600), 14:00-17:30 (12600), Tue 08:30 + 1800 -> Tue 09:00. */
START_TEST(test_T22_business_hours_override_weekend_pause) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-22 business hours";
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_BUSINESS_HOURS, 8 * HOUR, NULL),
                   PSVC_OK);
  psvc_time acc = LT(2026, 3, 6, 16, 0, 0);
  psvc_time dl = LT(2026, 3, 9, 17, 0, 0);
  const int64_t lim = 28800;
  complaint_ready(ctx, "H-1", acc);
  complaint_ready(ctx, "H-2", acc);
  complaint_ready(ctx, "H-3", acc);
  complaint_ready(ctx, "H-4", acc);
  CHECK(ctx, r, "H-1", PSVC_METRIC_REPLY, LT(2026, 3, 7, 12, 0, 0),
        W(PSVC_SLA_RUNNING, acc, dl, 0, lim, 5400, lim - 5400, 0, 1, 0));
  CHECK(ctx, r, "H-1", PSVC_METRIC_REPLY, LT(2026, 3, 9, 12, 0, 0),
        W(PSVC_SLA_RUNNING, acc, dl, 0, lim, 18000, lim - 18000, 1, 1, 0));
  CHECK(ctx, r, "H-1", PSVC_METRIC_REPLY, LT(2026, 3, 9, 16, 0, 0),
        W(PSVC_SLA_AT_RISK, acc, dl, 0, lim, 25200, lim - 25200, 2, 1, 0));
  act(ctx, "H-1", A(REPLY), dl);
  act(ctx, "H-2", A(REPLY), dl + 1);
  CHECK(ctx, r, "H-1", PSVC_METRIC_REPLY, dl + HOUR,
        W(PSVC_SLA_MET, acc, dl, dl, lim, lim, 0, 3, 1, 0));
  CHECK(ctx, r, "H-2", PSVC_METRIC_REPLY, dl + HOUR,
        W(PSVC_SLA_BREACHED, acc, dl, dl + 1, lim, lim + 1, -1, 3, 1, 1));

  act(ctx, "H-3", A(SUSPEND), LT(2026, 3, 6, 17, 45, 0));
  act(ctx, "H-3", A(RESUME), LT(2026, 3, 9, 8, 0, 0));
  act(ctx, "H-3", A(REPLY), dl);
  CHECK(ctx, r, "H-3", PSVC_METRIC_REPLY, LT(2026, 3, 8, 12, 0, 0),
        W(PSVC_SLA_PAUSED, acc, dl, 0, lim, 5400, lim - 5400, 0, 1, 0));
  CHECK(ctx, r, "H-3", PSVC_METRIC_REPLY, dl, W(PSVC_SLA_MET, acc, dl, dl, lim, lim, 0, 3, 1, 0));

  psvc_time dl4 = LT(2026, 3, 10, 9, 30, 0);
  act(ctx, "H-4", A(SUSPEND), LT(2026, 3, 6, 16, 30, 0));
  act(ctx, "H-4", A(RESUME), LT(2026, 3, 9, 9, 0, 0));
  act(ctx, "H-4", A(REPLY), dl4);
  CHECK(ctx, r, "H-4", PSVC_METRIC_REPLY, LT(2026, 3, 8, 12, 0, 0),
        W(PSVC_SLA_PAUSED, acc, LT(2026, 3, 10, 9, 0, 0), 0, lim, 1800, lim - 1800, 0, 1, 0));
  CHECK(ctx, r, "H-4", PSVC_METRIC_REPLY, LT(2026, 3, 9, 10, 0, 0),
        W(PSVC_SLA_RUNNING, acc, dl4, 0, lim, 1800 + 3600, lim - 5400, 0, 1, 0));
  CHECK(ctx, r, "H-4", PSVC_METRIC_REPLY, dl4,
        W(PSVC_SLA_MET, acc, dl4, dl4, lim, lim, 0, 3, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-22 BUSINESS_HOURS on a named cn-2026 calendar ("cn"; the default stays
   Mon-Fri without holidays): 8 h from Wed 30 Sep 16:00 = 1.5 h + (Oct 1-7
   off) Thu 8 Oct 3.5 h + 3 h -> Thu 8 Oct 17:00; from Fri 9 Oct 16:00 =
   1.5 h + Sat 10 Oct (worked as Monday) 3.5 h + 3 h -> Sat 10 Oct 17:00.
   The same policy on "default" for reports: from Wed 30 Sep 16:00 -> Thu
   1 Oct 17:00 (no holidays there). */
START_TEST(test_T22_business_hours_named_calendar_holidays) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-22 business hours cn";
  attach_cn2026(ctx, "cn");
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_BUSINESS_HOURS, 8 * HOUR, "cn"),
                   PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_REPORT, 0,
                                   PSVC_CLOCK_BUSINESS_HOURS, 8 * HOUR, NULL),
                   PSVC_OK);
  psvc_time a1 = LT(2026, 9, 30, 16, 0, 0), a2 = LT(2026, 10, 9, 16, 0, 0);
  complaint_ready(ctx, "H-1", a1);
  complaint_ready(ctx, "H-2", a2);
  open_order(ctx, "P-1", PSVC_ORDER_REPORT, 0, C_NONE, 0, a1);
  CHECK(ctx, r, "H-1", PSVC_METRIC_REPLY, LT(2026, 10, 5, 12, 0, 0),
        W(PSVC_SLA_RUNNING, a1, LT(2026, 10, 8, 17, 0, 0), 0, 28800, 5400, 23400, 0, 1, 0));
  CHECK(ctx, r, "H-2", PSVC_METRIC_REPLY, LT(2026, 10, 10, 12, 0, 0),
        W(PSVC_SLA_RUNNING, a2, LT(2026, 10, 10, 17, 0, 0), 0, 28800, 18000, 10800, 1, 1, 0));
  CHECK(ctx, r, "P-1", PSVC_METRIC_REPLY, a1 + 60,
        W(PSVC_SLA_RUNNING, a1, LT(2026, 10, 1, 17, 0, 0), 0, 28800, 60, ANY, 0, 1, 0));
  act(ctx, "H-1", A(REPLY), LT(2026, 10, 8, 17, 0, 0));
  STATUS_IS(ctx, r, "H-1", PSVC_METRIC_REPLY, LT(2026, 10, 9, 0, 0, 0), PSVC_SLA_MET);
  psvc_ctx_close(ctx);
}
END_TEST

/* T-20 / T-22: a WORK_DAYS override (5) on the default calendar; accepted
   Mon 2 March 10:00, deadline Mon 9 March 23:59:59, limit 482399.
   - W-1 suspended Sat 10:00 - Sun 20:00: no working-day second paused, the
     deadline stays. While suspended (Sun noon): used = Mon 14 h + Tue-Fri =
     50400 + 345600 = 396000, left 86399, projected Mon 00:00 + 86399 = Mon
     23:59:59. Mon noon: 396000 + 43200 = 439200 (91 %: AT_RISK, level 2).
   - W-2 suspended Fri 22:00 - Mon 02:00: the pause holds Fri 22-24 and
     Mon 0-2 = 4 h -> Tue 10 March 03:59:59. Sunday noon: used 388800, left
     93599, projected Mon 00:00 + 93599 = Tue 01:59:59.
   - W-3 as W-2, replied one second later: BREACHED. */
START_TEST(test_T20_T22_work_days_override_weekend_pause) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-20/T-22 work days";
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_WORK_DAYS, 5, NULL),
                   PSVC_OK);
  const int64_t lim = 482399;
  psvc_time dl = EOD(2026, 3, 9);
  complaint_ready(ctx, "W-1", B);
  act(ctx, "W-1", A(SUSPEND), LT(2026, 3, 7, 10, 0, 0));
  act(ctx, "W-1", A(RESUME), LT(2026, 3, 8, 20, 0, 0));
  CHECK(ctx, r, "W-1", PSVC_METRIC_REPLY, LT(2026, 3, 8, 12, 0, 0),
        W(PSVC_SLA_PAUSED, B, dl, 0, lim, 396000, 86399, 2, 1, 0));
  CHECK(ctx, r, "W-1", PSVC_METRIC_REPLY, LT(2026, 3, 9, 12, 0, 0),
        W(PSVC_SLA_AT_RISK, B, dl, 0, lim, 439200, lim - 439200, 2, 1, 0));
  act(ctx, "W-1", A(REPLY), dl);
  STATUS_IS(ctx, r, "W-1", PSVC_METRIC_REPLY, dl, PSVC_SLA_MET);

  psvc_time dl2 = LT(2026, 3, 10, 3, 59, 59);
  const char *ids[2] = {"W-2", "W-3"};
  for (int k = 0; k < 2; k++) {
    complaint_ready(ctx, ids[k], B);
    act(ctx, ids[k], A(SUSPEND), LT(2026, 3, 6, 22, 0, 0));
    act(ctx, ids[k], A(RESUME), LT(2026, 3, 9, 2, 0, 0));
    act(ctx, ids[k], A(REPLY), dl2 + k);
  }
  CHECK(ctx, r, "W-2", PSVC_METRIC_REPLY, LT(2026, 3, 8, 12, 0, 0),
        W(PSVC_SLA_PAUSED, B, LT(2026, 3, 10, 1, 59, 59), 0, lim, 388800, 93599, 2, 1, 0));
  CHECK(ctx, r, "W-2", PSVC_METRIC_REPLY, dl2, W(PSVC_SLA_MET, B, dl2, dl2, lim, lim, 0, 3, 1, 0));
  CHECK(ctx, r, "W-3", PSVC_METRIC_REPLY, dl2 + 1,
        W(PSVC_SLA_BREACHED, B, dl2, dl2 + 1, lim, lim + 1, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-20 / T-23: a CALENDAR_DAYS override (3) with a pause: accepted Mon
   2 March 10:00 -> Thu 5 March 23:59:59, limit 3 d + 50399 = 309599;
   suspended Tue 3 March 10:00 - Wed 4 March 12:00 (26 h = 93600) -> Sat
   7 March 01:59:59 (every second counts, the weekend too). */
START_TEST(test_T20_T23_calendar_days_override_pause) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-20/T-23 calendar days";
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_CALENDAR_DAYS, 3, NULL),
                   PSVC_OK);
  const int64_t lim = 309599;
  psvc_time dl = LT(2026, 3, 7, 1, 59, 59);
  const char *ids[2] = {"K-met", "K-late"};
  for (int k = 0; k < 2; k++) {
    complaint_ready(ctx, ids[k], B);
    act(ctx, ids[k], A(SUSPEND), LT(2026, 3, 3, 10, 0, 0));
    act(ctx, ids[k], A(RESUME), LT(2026, 3, 4, 12, 0, 0));
    act(ctx, ids[k], A(REPLY), dl + k);
  }
  /* suspended Wed 4 March 00:00: used 1 d = 86400, left 223199, projected
     Wed 00:00 + 223199 = Fri 6 March 13:59:59 */
  CHECK(ctx, r, "K-met", PSVC_METRIC_REPLY, LT(2026, 3, 4, 0, 0, 0),
        W(PSVC_SLA_PAUSED, B, LT(2026, 3, 6, 13, 59, 59), 0, lim, DAY, lim - DAY, 0, 1, 0));
  CHECK(ctx, r, "K-met", PSVC_METRIC_REPLY, dl, W(PSVC_SLA_MET, B, dl, dl, lim, lim, 0, 3, 1, 0));
  CHECK(ctx, r, "K-late", PSVC_METRIC_REPLY, dl + 1,
        W(PSVC_SLA_BREACHED, B, dl, dl + 1, lim, lim + 1, -1, 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* T-22 / T-23: a day clock on a named calendar uses that calendar's UTC
   offset. "utc0" is utc+00:00. Accepted Mon 2 March 23:00 local = 15:00
   UTC, 1 CALENDAR_DAY on utc0: UTC day 2 March -> 3 March 23:59:59 UTC =
   Wed 4 March 07:59:59 local; limit = 15:00 -> next day 23:59:59 UTC =
   9 h + 86399 = 32400 + 86399 = 118799. On "default" (+08:00) the same
   report ends Tue 3 March 23:59:59 local, limit 3599 + 86400 = 89999. */
START_TEST(test_T22_T23_named_calendar_offset) {
  psvc_ctx *ctx = ctx_new();
  psvc_calendar *cal = NULL;
  ck_assert_int_eq(psvc_calendar_new(&cal, 0), PSVC_OK);
  for (int wd = 1; wd <= 5; wd++)
    ck_assert_int_eq(psvc_calendar_add_hours(cal, wd, 9 * 60, 17 * 60), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_CALENDAR_DAYS, 1, "utc0"),
                   PSVC_ENOTFOUND);
  ck_assert_int_eq(psvc_ctx_set_calendar(ctx, "utc0", cal), PSVC_OK);
  psvc_calendar_free(cal);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_CALENDAR_DAYS, 1, "utc0"),
                   PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_REPORT, 0,
                                   PSVC_CLOCK_CALENDAR_DAYS, 1, NULL),
                   PSVC_OK);
  psvc_time acc = LT(2026, 3, 2, 23, 0, 0);
  ck_assert_int_eq(acc, UT(2026, 3, 2, 15, 0, 0));
  open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, acc);
  open_order(ctx, "P-1", PSVC_ORDER_REPORT, 0, C_NONE, 0, acc);
  CHECK(ctx, "T-23 utc0", "C-1", PSVC_METRIC_REPLY, acc + 60,
        W(PSVC_SLA_RUNNING, acc, UT(2026, 3, 3, 23, 59, 59), 0, 118799, 60, ANY, 0, 1, 0));
  CHECK(ctx, "T-23 default", "P-1", PSVC_METRIC_REPLY, acc + 60,
        W(PSVC_SLA_RUNNING, acc, EOD(2026, 3, 3), 0, 89999, 60, ANY, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- NOT_APPLICABLE and PENDING ----------------------------------------------------- */

/* docs/sla.md: a metric applies when a policy row matches; otherwise
   NOT_APPLICABLE with every other field 0. ANSWER and NOTICE_LEAD are for
   calls and notices, never for orders; VISIT has no default. */
START_TEST(test_T20_not_applicable_without_policy) {
  psvc_ctx *ctx = ctx_new();
  static const struct {
    const char *id;
    int type, subtype, cust;
    int na[6]; /* metrics without a seed row for this order (0-terminated) */
  } o[] = {
      {"N-fr", FR, 0, C_NOAREA, {PSVC_METRIC_REPLY, PSVC_METRIC_CONTACT, 0}},
      {"N-inq", PSVC_ORDER_INQUIRY, 0, C_NONE,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_RESOLVE, PSVC_METRIC_CONTACT, 0}},
      {"N-cmp", PSVC_ORDER_COMPLAINT, PSVC_COMPLAINT_OUTAGE, C_NONE,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_RESOLVE, 0}},
      {"N-rep", PSVC_ORDER_REPORT, 0, C_NONE,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_RESOLVE, PSVC_METRIC_CONTACT, 0}},
      {"N-app", SR, PSVC_REQUEST_APPLIANCE_DAMAGE, C_RES,
       {PSVC_METRIC_REPLY, PSVC_METRIC_RESOLVE, PSVC_METRIC_CONTACT, 0}},
      {"N-rec", SR, PSVC_REQUEST_RECONNECTION, C_RES, {PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY, 0}},
      {"N-new", SR, PSVC_REQUEST_NEW_CONNECTION, C_HV1,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY, 0}},
      {"N-mc", SR, PSVC_REQUEST_METER_CHECK, C_RES, {PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY, 0}},
      {"N-mrc", SR, PSVC_REQUEST_METER_READING_CHECK, C_RES,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_RESOLVE, 0}},
      {"N-oth", SR, PSVC_REQUEST_OTHER, C_RES, {PSVC_METRIC_ARRIVAL, PSVC_METRIC_RESOLVE, 0}},
      {"N-cap", SR, PSVC_REQUEST_CAPACITY_CHANGE, C_LVNR,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_RESOLVE, 0}},
      {"N-opi", PSVC_ORDER_OPINION, 0, C_NONE,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY, PSVC_METRIC_RESOLVE, PSVC_METRIC_CONTACT, 0}},
      {"N-sug", PSVC_ORDER_SUGGESTION, 0, C_NONE,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY, PSVC_METRIC_RESOLVE, PSVC_METRIC_CONTACT, 0}},
      {"N-pra", PSVC_ORDER_PRAISE, 0, C_NONE,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY, PSVC_METRIC_RESOLVE, PSVC_METRIC_CONTACT, 0}},
      {"N-dsp", PSVC_ORDER_DISPATCH, 0, C_NONE,
       {PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY, PSVC_METRIC_RESOLVE, PSVC_METRIC_CONTACT, 0}},
  };
  const size_t n = sizeof o / sizeof o[0];
  for (size_t i = 0; i < n; i++)
    open_order(ctx, o[i].id, o[i].type, o[i].subtype, o[i].cust, 0, B);
  /* a history with every kind of event, so "no start event" is not why */
  act(ctx, "N-fr", A(DISPATCH), B + 60);
  act(ctx, "N-fr", A(RECEIVE), B + 120);
  act(ctx, "N-fr", A(ARRIVE), B + 600);
  act(ctx, "N-fr", A(RESOLVE), B + 1200);
  act_v(ctx, "N-fr", A(NOTE), B + 1300, PSVC_NOTE_CONTACT);
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; o[i].na[k]; k++) {
      NA_IS(ctx, "T-20 no policy", o[i].id, o[i].na[k], B + HOUR);
      NA_IS(ctx, "T-20 no policy", o[i].id, o[i].na[k], B - 1);
    }
    NA_IS(ctx, "T-1 calls only", o[i].id, PSVC_METRIC_ANSWER, B + HOUR);
    NA_IS(ctx, "T-7 notices only", o[i].id, PSVC_METRIC_NOTICE_LEAD, B + HOUR);
    NA_IS(ctx, "VISIT has no default", o[i].id, PSVC_METRIC_VISIT, B + HOUR);
    /* T-2 applies to every type */
    STATUS_IS(ctx, "T-2 any type", o[i].id, PSVC_METRIC_DISPATCH, B + 60,
              i == 0 ? PSVC_SLA_MET : PSVC_SLA_RUNNING);
  }
  psvc_ctx_close(ctx);
}
END_TEST

/* VISIT with a policy (2 days WALL): starts at the latest RESOLVE or REPLY,
   PENDING before; stops at VISIT. Complaint: RESOLVE B+1h, REPLY B+2h,
   VISIT B+2h+2d -> MET. */
START_TEST(test_T20_visit_clock_with_policy) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "VISIT policy";
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_VISIT, PSVC_ORDER_COMPLAINT, 0,
                                   PSVC_CLOCK_WALL, 2 * DAY, NULL),
                   PSVC_OK);
  open_order(ctx, "V-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  act(ctx, "V-1", A(DISPATCH), B + 60);
  act(ctx, "V-1", A(RECEIVE), B + 120);
  act(ctx, "V-1", A(RESOLVE), B + HOUR);
  act(ctx, "V-1", A(REPLY), B + 2 * HOUR);
  act(ctx, "V-1", A(VISIT), B + 2 * HOUR + 2 * DAY);
  CHECK(ctx, r, "V-1", PSVC_METRIC_VISIT, B + 600,
        W(PSVC_SLA_PENDING, 0, ANY, 0, ANY, ANY, ANY, ANY, ANY, 0));
  CHECK(ctx, r, "V-1", PSVC_METRIC_VISIT, B + HOUR + 60,
        W(PSVC_SLA_RUNNING, B + HOUR, B + HOUR + 2 * DAY, 0, 2 * DAY, 60, ANY, 0, 1, 0));
  CHECK(ctx, r, "V-1", PSVC_METRIC_VISIT, B + 2 * HOUR + 60,
        W(PSVC_SLA_RUNNING, B + 2 * HOUR, B + 2 * HOUR + 2 * DAY, 0, 2 * DAY, 60, ANY, 0, 1, 0));
  CHECK(ctx, r, "V-1", PSVC_METRIC_VISIT, B + 3 * DAY,
        W(PSVC_SLA_MET, B + 2 * HOUR, B + 2 * HOUR + 2 * DAY, B + 2 * HOUR + 2 * DAY, 2 * DAY,
          2 * DAY, 0, 3, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* docs/sla.md: closed, cancelled or merged before the clock stopped and
   without a breach -> NOT_APPLICABLE; abandoned after the deadline ->
   BREACHED; a clock that stopped before stays as it was. ("every other
   field 0" is said of metrics without a policy only, so only the status is
   checked here.) */
#define ABANDONED_NA(ctx, r, id, m, now) STATUS_IS(ctx, r, id, m, now, PSVC_SLA_NOT_APPLICABLE)
START_TEST(test_T20_cancelled_merged_closed_orders) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-20 abandoned";
  /* N-1 complaint cancelled at B+1h, never dispatched: REPLY, CONTACT not
     applicable; DISPATCH (180 s) was overdue before -> BREACHED */
  open_order(ctx, "N-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  act(ctx, "N-1", A(CANCEL), B + HOUR);
  STATUS_IS(ctx, r, "N-1", PSVC_METRIC_REPLY, B + HOUR - 1, PSVC_SLA_RUNNING);
  ABANDONED_NA(ctx, r, "N-1", PSVC_METRIC_REPLY, B + HOUR);
  ABANDONED_NA(ctx, r, "N-1", PSVC_METRIC_CONTACT, B + 2 * HOUR);
  CHECK(ctx, r, "N-1", PSVC_METRIC_DISPATCH, B + 2 * HOUR,
        W(PSVC_SLA_BREACHED, B, B + 180, ANY, 180, ANY, ANY, 3, 1, 1));
  /* N-2 merged into N-3 at B+1h after its dispatch at B+100 */
  open_order(ctx, "N-3", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  open_order(ctx, "N-2", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  act(ctx, "N-2", A(DISPATCH), B + 100);
  act_to(ctx, "N-2", A(MERGE), B + HOUR, "N-3");
  ABANDONED_NA(ctx, r, "N-2", PSVC_METRIC_REPLY, B + 2 * HOUR);
  ABANDONED_NA(ctx, r, "N-2", PSVC_METRIC_CONTACT, B + 2 * HOUR);
  CHECK(ctx, r, "N-2", PSVC_METRIC_DISPATCH, B + 2 * HOUR,
        W(PSVC_SLA_MET, B, B + 180, B + 100, 180, 100, 80, 1, 1, 0));
  STATUS_IS(ctx, r, "N-3", PSVC_METRIC_REPLY, B + 2 * HOUR, PSVC_SLA_RUNNING);
  /* N-4..N-6 inquiries answered at first contact and closed: at B+120 and
     at exactly the DISPATCH deadline -> NA; one second later -> BREACHED */
  const struct {
    const char *id;
    psvc_time close;
    int status;
  } q[] = {{"N-4", B + 120, PSVC_SLA_NOT_APPLICABLE},
           {"N-5", B + 180, PSVC_SLA_NOT_APPLICABLE},
           {"N-6", B + 181, PSVC_SLA_BREACHED}};
  for (size_t i = 0; i < 3; i++) {
    open_order(ctx, q[i].id, PSVC_ORDER_INQUIRY, 0, C_NONE, 0, B);
    act(ctx, q[i].id, A(REPLY), B + 60);
    act(ctx, q[i].id, A(CLOSE), q[i].close);
    if (q[i].status == PSVC_SLA_NOT_APPLICABLE)
      ABANDONED_NA(ctx, r, q[i].id, PSVC_METRIC_DISPATCH, B + DAY);
    else
      CHECK(ctx, r, q[i].id, PSVC_METRIC_DISPATCH, B + DAY,
            W(PSVC_SLA_BREACHED, B, B + 180, ANY, 180, ANY, ANY, 3, 1, 1));
    CHECK(ctx, r, q[i].id, PSVC_METRIC_REPLY, B + DAY,
          W(PSVC_SLA_MET, B, B + DAY, B + 60, DAY, 60, DAY - 60, 0, 1, 0));
  }
  /* N-7 / N-8 faults cancelled at exactly the ARRIVAL deadline (NA) and one
     second after (BREACHED) */
  open_order(ctx, "N-7", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  open_order(ctx, "N-8", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  act(ctx, "N-7", A(DISPATCH), B + 60);
  act(ctx, "N-8", A(DISPATCH), B + 60);
  act(ctx, "N-7", A(CANCEL), B + 2400);
  act(ctx, "N-8", A(CANCEL), B + 2401);
  ABANDONED_NA(ctx, r, "N-7", PSVC_METRIC_ARRIVAL, B + DAY);
  ABANDONED_NA(ctx, r, "N-7", PSVC_METRIC_RESOLVE, B + DAY);
  CHECK(ctx, r, "N-8", PSVC_METRIC_ARRIVAL, B + DAY,
        W(PSVC_SLA_BREACHED, B, B + 2400, ANY, 2400, ANY, ANY, 3, 1, 1));
  /* N-9 complaint replied (MET), then cancelled: REPLY stays MET */
  complaint_ready(ctx, "N-9", B);
  act(ctx, "N-9", A(REPLY), B + HOUR);
  act(ctx, "N-9", A(CANCEL), B + 2 * HOUR);
  CHECK(ctx, r, "N-9", PSVC_METRIC_REPLY, B + DAY,
        W(PSVC_SLA_MET, B, EOD(2026, 3, 7), B + HOUR, 482399, HOUR, 482399 - HOUR, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST
#undef ABANDONED_NA

/* ---- policies ------------------------------------------------------------------------ */

/* psvc_policy_profile: unknown -> ENOTFOUND and nothing changes (the
   override stays); a switch, even to the current profile, drops overrides. */
START_TEST(test_policy_profile_switch_and_unknown) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "F-1", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WALL, 1800, NULL),
                   PSVC_OK);
  CHECK(ctx, "override", "F-1", PSVC_METRIC_ARRIVAL, B + 60,
        W(PSVC_SLA_RUNNING, B, B + 1800, 0, 1800, 60, 1740, 0, 1, 0));
  ck_assert_int_eq(psvc_policy_profile(ctx, "nope"), PSVC_ENOTFOUND);
  ck_assert_msg(psvc_errmsg(ctx)[0] != '\0', "ENOTFOUND leaves a message");
  ck_assert_int_eq(psvc_policy_profile(ctx, NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_policy_profile(NULL, "seed"), PSVC_EINVAL);
  CHECK(ctx, "failed switch keeps override", "F-1", PSVC_METRIC_ARRIVAL, B + 60,
        W(PSVC_SLA_RUNNING, B, B + 1800, 0, 1800, 60, 1740, 0, 1, 0));
  ck_assert_int_eq(psvc_policy_profile(ctx, "seed"), PSVC_OK);
  CHECK(ctx, "switch drops override", "F-1", PSVC_METRIC_ARRIVAL, B + 60,
        W(PSVC_SLA_RUNNING, B, B + 2400, 0, 2400, 60, 2340, 0, 1, 0));
  ck_assert_int_eq(psvc_policy_profile(ctx, "sgcc"), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WALL, 1000, NULL),
                   PSVC_OK);
  ck_assert_int_eq(psvc_policy_profile(ctx, "gbt28583"), PSVC_OK);
  CHECK(ctx, "gbt28583 urban 60 min", "F-1", PSVC_METRIC_ARRIVAL, B + 60,
        W(PSVC_SLA_RUNNING, B, B + 3600, 0, 3600, 60, 3540, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* A snapshot of every metric of a few orders at a few instants, to show
   that a failed call changed nothing. */
#define SNAP_IDS 4
#define SNAP_TIMES 5
typedef struct snap {
  psvc_sla s[SNAP_IDS][9][SNAP_TIMES];
} snap;
static const char *const snap_ids[SNAP_IDS] = {"S-fr", "S-cmp", "S-new", "S-inq"};

static void snap_setup(psvc_ctx *ctx) {
  open_order(ctx, "S-fr", FR, 0, C_NONE, PSVC_AREA_RURAL, B);
  act(ctx, "S-fr", A(DISPATCH), B + 60);
  act(ctx, "S-fr", A(SUSPEND), B + 600);
  act(ctx, "S-fr", A(RESUME), B + 1800);
  act(ctx, "S-fr", A(RECEIVE), B + 1900);
  act(ctx, "S-fr", A(ARRIVE), B + 4000);
  complaint_ready(ctx, "S-cmp", B);
  open_order(ctx, "S-new", SR, PSVC_REQUEST_NEW_CONNECTION, C_HV1, 0, B);
  open_order(ctx, "S-inq", PSVC_ORDER_INQUIRY, 0, C_NONE, 0, B);
  act(ctx, "S-inq", A(REPLY), B + 100);
}

static void snap_take(psvc_ctx *ctx, snap *sn) {
  static const psvc_time dt[SNAP_TIMES] = {-1, 100, 3000, 5 * DAY, 40 * DAY};
  memset(sn, 0, sizeof *sn);
  for (int i = 0; i < SNAP_IDS; i++)
    for (int m = 1; m <= 8; m++)
      for (int t = 0; t < SNAP_TIMES; t++)
        sn->s[i][m][t] = sla_get(ctx, snap_ids[i], m, B + dt[t]);
}

static void snap_same(const snap *a, const snap *b, const char *what) {
  for (int i = 0; i < SNAP_IDS; i++)
    for (int m = 1; m <= 8; m++)
      for (int t = 0; t < SNAP_TIMES; t++) {
        const psvc_sla *x = &a->s[i][m][t], *y = &b->s[i][m][t];
        ck_assert_msg(x->status == y->status && x->started_at == y->started_at &&
                          x->deadline == y->deadline && x->stopped_at == y->stopped_at &&
                          x->limit_s == y->limit_s && x->elapsed_s == y->elapsed_s &&
                          x->remaining_s == y->remaining_s && x->level == y->level &&
                          x->cycle == y->cycle && x->ever_breached == y->ever_breached,
                      "%s changed %s %s (time #%d): status %s -> %s, deadline %s -> %s", what,
                      snap_ids[i], METRIC_N(m), t, STATUS_N(x->status), STATUS_N(y->status),
                      fmt_t(x->deadline), fmt_t(y->deadline));
      }
}

/* psvc_policy_set validation: bad metric / type / area / clock -> EINVAL;
   negative or absurd limit -> ERANGE; unattached calendar -> ENOTFOUND.
   Each failure leaves every SLA answer as it was. */
START_TEST(test_policy_set_validation_changes_nothing) {
  psvc_ctx *ctx = ctx_new();
  snap_setup(ctx);
  snap *before = malloc(sizeof *before), *after = malloc(sizeof *after);
  ck_assert_ptr_nonnull(before);
  ck_assert_ptr_nonnull(after);
  snap_take(ctx, before);
  const int M = PSVC_METRIC_ARRIVAL, T = FR, WALL = PSVC_CLOCK_WALL;
  static const struct {
    int metric, type, area, clock;
    int64_t limit;
    const char *cal;
    int rc;
  } bad[] = {
      {0, FR, 0, PSVC_CLOCK_WALL, 60, NULL, PSVC_EINVAL},
      {9, FR, 0, PSVC_CLOCK_WALL, 60, NULL, PSVC_EINVAL},
      {-1, FR, 0, PSVC_CLOCK_WALL, 60, NULL, PSVC_EINVAL},
      {PSVC_METRIC_ARRIVAL, 10, 0, PSVC_CLOCK_WALL, 60, NULL, PSVC_EINVAL},
      {PSVC_METRIC_ARRIVAL, -1, 0, PSVC_CLOCK_WALL, 60, NULL, PSVC_EINVAL},
      {PSVC_METRIC_ARRIVAL, FR, 4, PSVC_CLOCK_WALL, 60, NULL, PSVC_EINVAL},
      {PSVC_METRIC_ARRIVAL, FR, -1, PSVC_CLOCK_WALL, 60, NULL, PSVC_EINVAL},
      {PSVC_METRIC_ARRIVAL, FR, 0, 0, 60, NULL, PSVC_EINVAL},
      {PSVC_METRIC_ARRIVAL, FR, 0, 5, 60, NULL, PSVC_EINVAL},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WALL, -1, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_BUSINESS_HOURS, -1, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_CALENDAR_DAYS, -1, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WORK_DAYS, -1, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_CALENDAR_DAYS, 36501, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WORK_DAYS, 36501, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WORK_DAYS, INT64_MAX, NULL, PSVC_ERANGE},
      /* more than 100 years in seconds, however a year is counted: 101 x
         366 d = 3194150400 s */
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WALL, (int64_t)101 * 366 * 86400, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_BUSINESS_HOURS, (int64_t)101 * 366 * 86400, NULL,
       PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WALL, INT64_MAX, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WALL, INT64_MIN, NULL, PSVC_ERANGE},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WALL, 60, "nope", PSVC_ENOTFOUND},
      {PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WORK_DAYS, 5, "cn", PSVC_ENOTFOUND},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = psvc_policy_set(ctx, bad[i].metric, bad[i].type, bad[i].area, bad[i].clock,
                             bad[i].limit, bad[i].cal);
    ck_assert_msg(rc == bad[i].rc, "policy_set #%zu: %s, want %s", i, CODE_N(rc),
                  CODE_N(bad[i].rc));
    ck_assert_msg(psvc_errmsg(ctx)[0] != '\0', "policy_set #%zu leaves no message", i);
  }
  ck_assert_int_eq(psvc_policy_set(NULL, M, T, 0, WALL, 60, NULL), PSVC_EINVAL);
  snap_take(ctx, after);
  snap_same(before, after, "a failed psvc_policy_set");

  /* psvc_policy_define failures */
  psvc_policy p = PSVC_POLICY_INIT;
  p.metric = M;
  p.order_type = T;
  p.clock = WALL;
  p.limit = 60;
  ck_assert_int_eq(psvc_policy_define(NULL, &p), PSVC_EINVAL);
  ck_assert_int_eq(psvc_policy_define(ctx, NULL), PSVC_EINVAL);
  psvc_policy q = p;
  q.size = 0;
  ck_assert_int_eq(psvc_policy_define(ctx, &q), PSVC_EINVAL);
  q.size = (uint32_t)offsetof(psvc_policy, runs_when_suspended);
  ck_assert_int_eq(psvc_policy_define(ctx, &q), PSVC_EINVAL);
  q = p;
  q.metric = 9;
  ck_assert_int_eq(psvc_policy_define(ctx, &q), PSVC_EINVAL);
  q = p;
  q.clock = 5;
  ck_assert_int_eq(psvc_policy_define(ctx, &q), PSVC_EINVAL);
  q = p;
  q.order_type = SR;
  q.subtype = 8; /* requests 1..7 (W-16) */
  ck_assert_int_eq(psvc_policy_define(ctx, &q), PSVC_EINVAL);
  q = p;
  q.limit = -5;
  ck_assert_int_eq(psvc_policy_define(ctx, &q), PSVC_ERANGE);
  q = p;
  q.calendar = "nope";
  ck_assert_int_eq(psvc_policy_define(ctx, &q), PSVC_ENOTFOUND);
  snap_take(ctx, after);
  snap_same(before, after, "a failed psvc_policy_define");

  /* and failed profile switches */
  ck_assert_int_eq(psvc_policy_profile(ctx, "SGCC-2099"), PSVC_ENOTFOUND);
  int rc = psvc_policy_profile(ctx, ""); /* not a profile name: either refusal */
  ck_assert_msg(rc == PSVC_ENOTFOUND || rc == PSVC_EINVAL, "profile \"\": %s", CODE_N(rc));
  snap_take(ctx, after);
  snap_same(before, after, "a failed psvc_policy_profile");
  free(before);
  free(after);
  psvc_ctx_close(ctx);
}
END_TEST

/* The subtype of psvc_policy_define is "0 = any; PSVC_COMPLAINT_* /
   PSVC_REQUEST_*" by the order type, and one that does not fit is
   PSVC_EINVAL, as psvc_order_open checks it (W-15, W-16). */
START_TEST(test_W15_W16_policy_define_subtype_must_fit_type) {
  psvc_ctx *ctx = ctx_new();
  psvc_policy p = PSVC_POLICY_INIT;
  p.metric = PSVC_METRIC_REPLY;
  p.order_type = PSVC_ORDER_COMPLAINT;
  p.subtype = 6;
  p.clock = PSVC_CLOCK_WALL;
  p.limit = 60;
  ck_assert_int_eq(psvc_policy_define(ctx, &p), PSVC_EINVAL);
  p.order_type = PSVC_ORDER_INQUIRY; /* no subtypes at all */
  p.subtype = 1;
  ck_assert_int_eq(psvc_policy_define(ctx, &p), PSVC_EINVAL);
  psvc_ctx_close(ctx);
}
END_TEST

/* The limits at the edges of the documented ranges are accepted: 0 and
   36500 days; 0 and 100 x 365 days in seconds. */
START_TEST(test_policy_set_range_edges_accepted) {
  psvc_ctx *ctx = ctx_new();
  const int M = PSVC_METRIC_ARRIVAL;
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, PSVC_CLOCK_WALL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, PSVC_CLOCK_BUSINESS_HOURS, 0, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, PSVC_CLOCK_CALENDAR_DAYS, 0, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, PSVC_CLOCK_WORK_DAYS, 36500, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, PSVC_CLOCK_CALENDAR_DAYS, 36500, NULL),
                   PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, PSVC_CLOCK_BUSINESS_HOURS,
                                   (int64_t)100 * 365 * 86400, NULL),
                   PSVC_OK);
  ck_assert_int_eq(
      psvc_policy_set(ctx, M, FR, 0, PSVC_CLOCK_WALL, (int64_t)100 * 365 * 86400, NULL), PSVC_OK);
  /* the latest one rules: 100 x 365 d of wall clock from B */
  open_order(ctx, "F-1", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  CHECK(ctx, "range edge", "F-1", M, B + 60,
        W(PSVC_SLA_RUNNING, B, B + (int64_t)100 * 365 * 86400, 0, (int64_t)100 * 365 * 86400, 60,
          ANY, 0, 1, 0));
  /* a 0 s limit: due at the start; one second later BREACHED */
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, PSVC_CLOCK_WALL, 0, NULL), PSVC_OK);
  CHECK(ctx, "0 s limit", "F-1", M, B + 1, W(PSVC_SLA_BREACHED, B, B, 0, 0, 1, -1, ANY, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* Overrides always beat the profile, even a less specific one; an
   override for any type makes a metric apply to types without a row. */
START_TEST(test_policy_override_beats_profile) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "F-u", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  open_order(ctx, "F-r", FR, 0, C_NONE, PSVC_AREA_RURAL, B);
  open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  ck_assert_int_eq(
      psvc_policy_set(ctx, PSVC_METRIC_ARRIVAL, 0, 0, PSVC_CLOCK_WALL, 3000, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, 0, 0, PSVC_CLOCK_WALL, 7200, NULL),
                   PSVC_OK);
  CHECK(ctx, "override > profile", "F-u", PSVC_METRIC_ARRIVAL, B + 60,
        W(PSVC_SLA_RUNNING, B, B + 3000, 0, 3000, 60, 2940, 0, 1, 0));
  CHECK(ctx, "override > profile", "F-r", PSVC_METRIC_ARRIVAL, B + 60,
        W(PSVC_SLA_RUNNING, B, B + 3000, 0, 3000, 60, 2940, 0, 1, 0));
  CHECK(ctx, "override applies to any type", "C-1", PSVC_METRIC_ARRIVAL, B + 60,
        W(PSVC_SLA_RUNNING, B, B + 3000, 0, 3000, 60, 2940, 0, 1, 0));
  CHECK(ctx, "override > profile (T-4)", "C-1", PSVC_METRIC_REPLY, B + 60,
        W(PSVC_SLA_RUNNING, B, B + 7200, 0, 7200, 60, 7140, 0, 1, 0));
  /* a fault has no REPLY step: the clock runs on and breaches */
  CHECK(ctx, "override applies to any type", "F-u", PSVC_METRIC_REPLY, B + 7201,
        W(PSVC_SLA_BREACHED, B, B + 7200, 0, 7200, 7201, -1, 3, 1, 1));
  /* no stored state: an order stopped before the override is judged anew */
  act(ctx, "F-u", A(DISPATCH), B + 60);
  act(ctx, "F-u", A(RECEIVE), B + 120);
  act(ctx, "F-u", A(ARRIVE), B + 2000);
  STATUS_IS(ctx, "re-evaluated", "F-u", PSVC_METRIC_ARRIVAL, B + DAY, PSVC_SLA_MET);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_ARRIVAL, FR, 0, PSVC_CLOCK_WALL, 1800, NULL),
                   PSVC_OK);
  STATUS_IS(ctx, "re-evaluated", "F-u", PSVC_METRIC_ARRIVAL, B + DAY, PSVC_SLA_BREACHED);
  ck_assert_int_eq(psvc_policy_profile(ctx, "seed"), PSVC_OK);
  CHECK(ctx, "re-evaluated", "F-u", PSVC_METRIC_ARRIVAL, B + DAY,
        W(PSVC_SLA_MET, B, B + 2400, B + 2000, 2400, 2000, 400, 2, 1, 0));
  NA_IS(ctx, "overrides dropped", "C-1", PSVC_METRIC_ARRIVAL, B + 60);
  psvc_ctx_close(ctx);
}
END_TEST

static int64_t limit_of(psvc_ctx *ctx, const char *id, int metric) {
  psvc_sla s = sla_get(ctx, id, metric, B + 60);
  ck_assert_msg(s.status != PSVC_SLA_NOT_APPLICABLE, "%s %s not applicable", id,
                METRIC_N(metric));
  return s.limit_s;
}

/* Among overrides the most specific wins (type, then subtype, then area),
   among equals the latest, whatever the order they were added in. */
START_TEST(test_policy_most_specific_then_latest) {
  psvc_ctx *ctx = ctx_new();
  const int M = PSVC_METRIC_ARRIVAL, WALL = PSVC_CLOCK_WALL;
  open_order(ctx, "F-u", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  open_order(ctx, "F-r", FR, 0, C_NONE, PSVC_AREA_RURAL, B);
  open_order(ctx, "C-r", PSVC_ORDER_COMPLAINT, 0, C_NONE, PSVC_AREA_RURAL, B);
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, WALL, 1000, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, M, 0, PSVC_AREA_RURAL, WALL, 2000, NULL), PSVC_OK);
  /* the type outranks the area, although the area row is later */
  ck_assert_int_eq(limit_of(ctx, "F-r", M), 1000);
  ck_assert_int_eq(limit_of(ctx, "F-u", M), 1000);
  ck_assert_int_eq(limit_of(ctx, "C-r", M), 2000);
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, PSVC_AREA_RURAL, WALL, 3000, NULL), PSVC_OK);
  ck_assert_int_eq(limit_of(ctx, "F-r", M), 3000);
  ck_assert_int_eq(limit_of(ctx, "F-u", M), 1000);
  /* a later row as specific as the first one replaces it */
  ck_assert_int_eq(psvc_policy_set(ctx, M, FR, 0, WALL, 1500, NULL), PSVC_OK);
  ck_assert_int_eq(limit_of(ctx, "F-u", M), 1500);
  ck_assert_int_eq(limit_of(ctx, "F-r", M), 3000);
  /* a later, less specific row changes nothing for the more specific ones */
  ck_assert_int_eq(psvc_policy_set(ctx, M, 0, 0, WALL, 9000, NULL), PSVC_OK);
  ck_assert_int_eq(limit_of(ctx, "F-u", M), 1500);
  ck_assert_int_eq(limit_of(ctx, "F-r", M), 3000);
  ck_assert_int_eq(limit_of(ctx, "C-r", M), 2000);

  /* subtype outranks area: RESOLVE for urban reconnections */
  open_order(ctx, "S-rec", SR, PSVC_REQUEST_RECONNECTION, C_RES, 0, B); /* urban customer */
  open_order(ctx, "S-mc", SR, PSVC_REQUEST_METER_CHECK, C_RES, 0, B);
  open_order(ctx, "S-mcr", SR, PSVC_REQUEST_METER_CHECK, C_RURAL, 0, B);
  psvc_policy p = PSVC_POLICY_INIT;
  p.metric = PSVC_METRIC_RESOLVE;
  p.order_type = SR;
  p.subtype = PSVC_REQUEST_RECONNECTION;
  p.clock = WALL;
  p.limit = 7200;
  ck_assert_int_eq(psvc_policy_define(ctx, &p), PSVC_OK);
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_RESOLVE, SR, PSVC_AREA_URBAN, WALL, 3600, NULL),
                   PSVC_OK);
  ck_assert_int_eq(limit_of(ctx, "S-rec", PSVC_METRIC_RESOLVE), 7200);
  ck_assert_int_eq(limit_of(ctx, "S-mc", PSVC_METRIC_RESOLVE), 3600);
  /* no override matches a rural meter check: the T-15 profile row (5
     working days from Mon 10:00 = 482399) */
  ck_assert_int_eq(limit_of(ctx, "S-mcr", PSVC_METRIC_RESOLVE), 482399);
  psvc_ctx_close(ctx);
}
END_TEST

/* psvc_policy_define: runs_when_suspended (T-20: the clock does not pause).
   Urban faults, ARRIVAL 2400 s; suspended B+1000 .. B+3000, ARRIVE B+3000:
   with the flag the deadline stays B+2400 and the arrival is 3000 s late ->
   BREACHED; a rural fault under the seed row (5100 s) pauses: 1000 s used,
   deadline B+5100+2000, MET. */
START_TEST(test_T20_policy_define_runs_when_suspended) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-20 runs_when_suspended";
  psvc_policy p = PSVC_POLICY_INIT;
  p.metric = PSVC_METRIC_ARRIVAL;
  p.order_type = FR;
  p.area = PSVC_AREA_URBAN;
  p.clock = PSVC_CLOCK_WALL;
  p.limit = 2400;
  p.runs_when_suspended = 1;
  ck_assert_int_eq(psvc_policy_define(ctx, &p), PSVC_OK);
  const char *ids[2] = {"F-u", "F-r"};
  for (int k = 0; k < 2; k++) {
    open_order(ctx, ids[k], FR, 0, C_NONE, k ? PSVC_AREA_RURAL : PSVC_AREA_URBAN, B);
    act(ctx, ids[k], A(DISPATCH), B + 60);
    act(ctx, ids[k], A(RECEIVE), B + 120);
    act(ctx, ids[k], A(SUSPEND), B + 1000);
    act(ctx, ids[k], A(RESUME), B + 3000);
    act(ctx, ids[k], A(ARRIVE), B + 3000);
  }
  /* suspended at B+2000: the clock ran on (2000 s used, deadline fixed) */
  CHECK(ctx, r, "F-u", PSVC_METRIC_ARRIVAL, B + 2000,
        W(ANY, B, B + 2400, 0, 2400, 2000, 400, 2, 1, 0));
  CHECK(ctx, r, "F-u", PSVC_METRIC_ARRIVAL, B + 2401,
        W(PSVC_SLA_BREACHED, B, B + 2400, 0, 2400, 2401, -1, 3, 1, 1));
  CHECK(ctx, r, "F-u", PSVC_METRIC_ARRIVAL, B + 3000,
        W(PSVC_SLA_BREACHED, B, B + 2400, B + 3000, 2400, 3000, -600, 3, 1, 1));
  CHECK(ctx, r, "F-r", PSVC_METRIC_ARRIVAL, B + 2000,
        W(PSVC_SLA_PAUSED, B, B + 2000 + 4100, 0, 5100, 1000, 4100, 0, 1, 0));
  CHECK(ctx, r, "F-r", PSVC_METRIC_ARRIVAL, B + 3000,
        W(PSVC_SLA_MET, B, B + 7100, B + 3000, 5100, 1000, 4100, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* psvc_policy_define: at_risk_percent 50 -> AT_RISK from 1200 s of 2400;
   default levels 50/80/100 still apply. */
START_TEST(test_T21_policy_define_at_risk_percent) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-21 at_risk_percent";
  psvc_policy p = PSVC_POLICY_INIT;
  p.metric = PSVC_METRIC_ARRIVAL;
  p.order_type = FR;
  p.clock = PSVC_CLOCK_WALL;
  p.limit = 2400;
  p.at_risk_percent = 50;
  ck_assert_int_eq(psvc_policy_define(ctx, &p), PSVC_OK);
  open_order(ctx, "F-1", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 1199,
        W(PSVC_SLA_RUNNING, B, B + 2400, 0, 2400, 1199, 1201, 0, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 1200,
        W(PSVC_SLA_AT_RISK, B, B + 2400, 0, 2400, 1200, 1200, 1, 1, 0));
  CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + 1920,
        W(PSVC_SLA_AT_RISK, B, B + 2400, 0, 2400, 1920, 480, 2, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* psvc_policy_define: custom escalation levels 25/50/75/90 % of 2400 s =
   600 / 1200 / 1800 / 2160 s; level counts the thresholds reached (0-4);
   AT_RISK stays at the default 80 % (1920 s). Two thresholds {50, 100}:
   at most level 2. */
START_TEST(test_T21_policy_define_custom_levels) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-21 levels";
  psvc_policy p = PSVC_POLICY_INIT;
  p.metric = PSVC_METRIC_ARRIVAL;
  p.order_type = FR;
  p.clock = PSVC_CLOCK_WALL;
  p.limit = 2400;
  p.levels[0] = 25;
  p.levels[1] = 50;
  p.levels[2] = 75;
  p.levels[3] = 90;
  ck_assert_int_eq(psvc_policy_define(ctx, &p), PSVC_OK);
  open_order(ctx, "F-1", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  static const struct {
    int64_t el;
    int level, status;
  } e[] = {{599, 0, PSVC_SLA_RUNNING},  {600, 1, PSVC_SLA_RUNNING},  {1199, 1, PSVC_SLA_RUNNING},
           {1200, 2, PSVC_SLA_RUNNING}, {1799, 2, PSVC_SLA_RUNNING}, {1800, 3, PSVC_SLA_RUNNING},
           {1919, 3, PSVC_SLA_RUNNING}, {1920, 3, PSVC_SLA_AT_RISK}, {2159, 3, PSVC_SLA_AT_RISK},
           {2160, 4, PSVC_SLA_AT_RISK}, {2401, 4, PSVC_SLA_BREACHED}};
  for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
    CHECK(ctx, r, "F-1", PSVC_METRIC_ARRIVAL, B + e[i].el,
          W(e[i].status, B, B + 2400, 0, 2400, e[i].el, 2400 - e[i].el, e[i].level, 1, ANY));
  p.order_type = PSVC_ORDER_COMPLAINT;
  p.metric = PSVC_METRIC_CONTACT;
  p.limit = 1000;
  p.levels[0] = 50;
  p.levels[1] = 100;
  p.levels[2] = 0;
  p.levels[3] = 0;
  ck_assert_int_eq(psvc_policy_define(ctx, &p), PSVC_OK);
  open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, B);
  CHECK(ctx, r, "C-1", PSVC_METRIC_CONTACT, B + 499,
        W(PSVC_SLA_RUNNING, B, B + 1000, 0, 1000, 499, 501, 0, 1, 0));
  CHECK(ctx, r, "C-1", PSVC_METRIC_CONTACT, B + 900,
        W(PSVC_SLA_AT_RISK, B, B + 1000, 0, 1000, 900, 100, 1, 1, 0));
  CHECK(ctx, r, "C-1", PSVC_METRIC_CONTACT, B + 5000,
        W(PSVC_SLA_BREACHED, B, B + 1000, 0, 1000, 5000, -4000, 2, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- psvc_order_sla: arguments and "as of" -------------------------------------------- */

/* EINVAL: NULL ctx / id / out, a metric outside 1..8, out->size smaller
   than v1's; ENOTFOUND: unknown order; ERANGE: now outside 1970 .. 9999.
   A failed call leaves *out untouched. */
START_TEST(test_order_sla_argument_errors) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "D-1", PSVC_ORDER_INQUIRY, 0, C_NONE, 0, B);
  psvc_sla s, copy;
  memset(&s, 0x5A, sizeof s);
  s.size = sizeof s;
  copy = s;
#define REFUSED(call, code)                                                                \
  do {                                                                                     \
    int rc_ = (call);                                                                      \
    ck_assert_msg(rc_ == (code), "%s: %s, want %s", #call, CODE_N(rc_), CODE_N(code));     \
    ck_assert_msg(memcmp(&s, &copy, sizeof s) == 0, "%s wrote *out", #call);               \
  } while (0)
  REFUSED(psvc_order_sla(NULL, "D-1", PSVC_METRIC_DISPATCH, B, &s), PSVC_EINVAL);
  REFUSED(psvc_order_sla(ctx, NULL, PSVC_METRIC_DISPATCH, B, &s), PSVC_EINVAL);
  ck_assert_int_eq(psvc_order_sla(ctx, "D-1", PSVC_METRIC_DISPATCH, B, NULL), PSVC_EINVAL);
  REFUSED(psvc_order_sla(ctx, "D-1", 0, B, &s), PSVC_EINVAL);
  REFUSED(psvc_order_sla(ctx, "D-1", 9, B, &s), PSVC_EINVAL);
  REFUSED(psvc_order_sla(ctx, "D-1", -1, B, &s), PSVC_EINVAL);
  ck_assert_msg(psvc_errmsg(ctx)[0] != '\0', "EINVAL leaves a message");
  REFUSED(psvc_order_sla(ctx, "nope", PSVC_METRIC_DISPATCH, B, &s), PSVC_ENOTFOUND);
  REFUSED(psvc_order_sla(ctx, "D-1", PSVC_METRIC_DISPATCH, -1, &s), PSVC_ERANGE);
  REFUSED(psvc_order_sla(ctx, "D-1", PSVC_METRIC_DISPATCH, MAX_TIME + 1, &s), PSVC_ERANGE);
  REFUSED(psvc_order_sla(ctx, "D-1", PSVC_METRIC_DISPATCH, INT64_MIN, &s), PSVC_ERANGE);
  s.size = copy.size = 0;
  REFUSED(psvc_order_sla(ctx, "D-1", PSVC_METRIC_DISPATCH, B, &s), PSVC_EINVAL);
  s.size = copy.size = (uint32_t)offsetof(psvc_sla, level);
  REFUSED(psvc_order_sla(ctx, "D-1", PSVC_METRIC_DISPATCH, B, &s), PSVC_EINVAL);
#undef REFUSED
  /* the edges of the range are fine */
  STATUS_IS(ctx, "now = 0", "D-1", PSVC_METRIC_DISPATCH, 0, PSVC_SLA_PENDING);
  CHECK(ctx, "now = 9999-12-31T23:59:59Z", "D-1", PSVC_METRIC_DISPATCH, MAX_TIME,
        W(PSVC_SLA_BREACHED, B, B + 180, 0, 180, MAX_TIME - B, 180 - (MAX_TIME - B), 3, 1, 1));
  psvc_ctx_close(ctx);
}
END_TEST

/* docs/sla.md: events after `now` are not seen. Inquiry: DISPATCH B+100,
   RECEIVE B+150, SUSPEND B+200, RESUME B+1200 (1000 s paused: REPLY
   deadline B+86400+1000), REPLY B+5000 (4000 s used). */
START_TEST(test_T20_as_of_evaluation) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "as of";
  open_order(ctx, "Q-1", PSVC_ORDER_INQUIRY, 0, C_NONE, 0, B);
  act(ctx, "Q-1", A(DISPATCH), B + 100);
  act(ctx, "Q-1", A(RECEIVE), B + 150);
  act(ctx, "Q-1", A(SUSPEND), B + 200);
  act(ctx, "Q-1", A(RESUME), B + 1200);
  act(ctx, "Q-1", A(REPLY), B + 5000);
  CHECK(ctx, r, "Q-1", PSVC_METRIC_DISPATCH, B + 99,
        W(PSVC_SLA_RUNNING, B, B + 180, 0, 180, 99, 81, 1, 1, 0));
  CHECK(ctx, r, "Q-1", PSVC_METRIC_DISPATCH, B + 100,
        W(PSVC_SLA_MET, B, B + 180, B + 100, 180, 100, 80, 1, 1, 0));
  CHECK(ctx, r, "Q-1", PSVC_METRIC_REPLY, B + 199,
        W(PSVC_SLA_RUNNING, B, B + DAY, 0, DAY, 199, DAY - 199, 0, 1, 0));
  CHECK(ctx, r, "Q-1", PSVC_METRIC_REPLY, B + 700,
        W(PSVC_SLA_PAUSED, B, B + 700 + DAY - 200, 0, DAY, 200, DAY - 200, 0, 1, 0));
  CHECK(ctx, r, "Q-1", PSVC_METRIC_REPLY, B + 1201,
        W(PSVC_SLA_RUNNING, B, B + DAY + 1000, 0, DAY, 201, DAY - 201, 0, 1, 0));
  CHECK(ctx, r, "Q-1", PSVC_METRIC_REPLY, B + 4999,
        W(PSVC_SLA_RUNNING, B, B + DAY + 1000, 0, DAY, 3999, DAY - 3999, 0, 1, 0));
  CHECK(ctx, r, "Q-1", PSVC_METRIC_REPLY, B + 5000,
        W(PSVC_SLA_MET, B, B + DAY + 1000, B + 5000, DAY, 4000, DAY - 4000, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* An event at exactly `now` is seen ("events after `now` are not seen"):
   a DISPATCH at `now` stops the clock (MET above), so a SUSPEND at `now`
   makes the clock PAUSED ("the order is SUSPENDED now"), and a RESUME at
   `now` makes it run again (T-20). Same history as
   test_T20_as_of_evaluation. */
static psvc_ctx *suspend_resume_ctx(void) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "Q-1", PSVC_ORDER_INQUIRY, 0, C_NONE, 0, B);
  act(ctx, "Q-1", A(DISPATCH), B + 100);
  act(ctx, "Q-1", A(RECEIVE), B + 150);
  act(ctx, "Q-1", A(SUSPEND), B + 200);
  act(ctx, "Q-1", A(RESUME), B + 1200);
  return ctx;
}

START_TEST(test_T20_suspend_at_now_is_seen) {
  psvc_ctx *ctx = suspend_resume_ctx();
  /* at the SUSPEND instant: 200 s used, PAUSED, projected B+200+86200 */
  CHECK(ctx, "T-20 SUSPEND at now", "Q-1", PSVC_METRIC_REPLY, B + 200,
        W(PSVC_SLA_PAUSED, B, B + DAY, 0, DAY, 200, DAY - 200, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_T20_resume_at_now_is_seen) {
  psvc_ctx *ctx = suspend_resume_ctx();
  /* at the RESUME instant: running again toward B+86400+1000 */
  CHECK(ctx, "T-20 RESUME at now", "Q-1", PSVC_METRIC_REPLY, B + 1200,
        W(PSVC_SLA_RUNNING, B, B + DAY + 1000, 0, DAY, 200, DAY - 200, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- W-13 handover --------------------------------------------------------------------- */

static void expect_list(psvc_list *l, const char *const *want, size_t n, const char *what) {
  char got[1024] = "";
  size_t len = 0;
  for (size_t i = 0; i < psvc_list_count(l); i++)
    len += (size_t)snprintf(got + len, len < sizeof got ? sizeof got - len : 0, "%s ",
                            psvc_list_id(l, i));
  ck_assert_msg(psvc_list_count(l) == n, "%s: %zu ids, want %zu: %s", what, psvc_list_count(l), n,
                got);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(strcmp(psvc_list_id(l, i), want[i]) == 0, "%s: #%zu is %s, want %s (got: %s)",
                  what, i, psvc_list_id(l, i), want[i], got);
}

/* W-13: the orders of "shift-1" at now = T0 + 2 h (T0 = Mon 2 March 08:00),
   by the earliest deadline of a running clock (RUNNING, AT_RISK, PAUSED,
   BREACHED and not stopped), then accepted_at, then id; orders without a
   running clock last. An override gives rural inquiries 85800 s.
     HB fault, acc T0+600, ARRIVAL (40 min) overdue, running: T0+3000
     HF inquiry, acc T0+3600, not dispatched: DISPATCH overdue: T0+3780
     HA, HI-1, HI-2 inquiries acc T0: REPLY T0+86400 (ties: by id)
     H0 rural inquiry acc T0+600: REPLY T0+600+85800 = T0+86400 (tie with
        the three above, accepted later: after them, though "H0" < "HA")
     HC complaint acc T0+30: CONTACT T0+30+86400 = T0+86430 (REPLY later)
     HQ inquiry acc T0+5000: REPLY T0+91400
     HP inquiry acc T0+1000, suspended at T0+2000 with 1000 s used: PAUSED,
        deadline projected from now: T0+7200+85400 = T0+92600
     HE, HD praise, dispatched: no running clock; acc T0+50, T0+100
   Not listed: HX held by shift-2, HY closed, HW opened by shift-2, HV
   transferred to shift-2. */
START_TEST(test_W13_handover_most_urgent_first) {
  psvc_ctx *ctx = ctx_new();
  const psvc_time T0 = LT(2026, 3, 2, 8, 0, 0), now = T0 + 7200;
  const int INQ = PSVC_ORDER_INQUIRY;
  ck_assert_int_eq(psvc_policy_set(ctx, PSVC_METRIC_REPLY, INQ, PSVC_AREA_RURAL, PSVC_CLOCK_WALL,
                                   85800, NULL),
                   PSVC_OK);
  open_order(ctx, "HI-2", INQ, 0, C_NONE, 0, T0);
  open_order(ctx, "HA", INQ, 0, C_NONE, 0, T0);
  open_order(ctx, "HI-1", INQ, 0, C_NONE, 0, T0);
  open_order(ctx, "HX", INQ, 0, C_NONE, 0, T0);
  open_order(ctx, "HY", INQ, 0, C_NONE, 0, T0);
  open_order(ctx, "HC", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, T0 + 30);
  open_order(ctx, "HE", PSVC_ORDER_PRAISE, 0, C_NONE, 0, T0 + 50);
  open_order(ctx, "HD", PSVC_ORDER_PRAISE, 0, C_NONE, 0, T0 + 100);
  open_order(ctx, "H0", INQ, 0, C_NONE, PSVC_AREA_RURAL, T0 + 600);
  open_order(ctx, "HB", FR, 0, C_NONE, PSVC_AREA_URBAN, T0 + 600);
  open_order(ctx, "HV", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, T0 + 700);
  open_order(ctx, "HP", INQ, 0, C_NONE, 0, T0 + 1000);
  open_order(ctx, "HF", INQ, 0, C_NONE, 0, T0 + 3600);
  open_as(ctx, "shift-2", "HW", INQ, 0, C_NONE, 0, T0 + 3600);
  open_order(ctx, "HQ", INQ, 0, C_NONE, 0, T0 + 5000);
  act_to(ctx, "HI-2", A(DISPATCH), T0 + 60, UNIT);
  act_to(ctx, "HA", A(DISPATCH), T0 + 60, UNIT);
  act_to(ctx, "HI-1", A(DISPATCH), T0 + 60, UNIT);
  act_to(ctx, "HX", A(DISPATCH), T0 + 60, "shift-2");
  act(ctx, "HY", A(REPLY), T0 + 60);
  act(ctx, "HY", A(CLOSE), T0 + 120);
  act_to(ctx, "HC", A(DISPATCH), T0 + 90, UNIT);
  act_to(ctx, "HE", A(DISPATCH), T0 + 160, UNIT);
  act_to(ctx, "HD", A(DISPATCH), T0 + 150, UNIT);
  act_to(ctx, "H0", A(DISPATCH), T0 + 660, UNIT);
  act_to(ctx, "HB", A(DISPATCH), T0 + 660, UNIT);
  act_to(ctx, "HV", A(DISPATCH), T0 + 720, UNIT);
  act_to(ctx, "HV", A(TRANSFER), T0 + 800, "shift-2");
  act_to(ctx, "HP", A(DISPATCH), T0 + 1060, UNIT);
  act(ctx, "HP", A(SUSPEND), T0 + 2000);
  act_to(ctx, "HQ", A(DISPATCH), T0 + 5060, UNIT);
  /* the premises, as the SLA reads them */
  CHECK(ctx, "W-13", "HB", PSVC_METRIC_ARRIVAL, now,
        W(PSVC_SLA_BREACHED, T0 + 600, T0 + 3000, 0, ANY, ANY, ANY, ANY, ANY, ANY));
  CHECK(ctx, "W-13", "HF", PSVC_METRIC_DISPATCH, now,
        W(PSVC_SLA_BREACHED, T0 + 3600, T0 + 3780, 0, ANY, ANY, ANY, ANY, ANY, ANY));
  CHECK(ctx, "W-13", "H0", PSVC_METRIC_REPLY, now,
        W(PSVC_SLA_RUNNING, T0 + 600, T0 + 86400, 0, ANY, ANY, ANY, ANY, ANY, ANY));
  CHECK(ctx, "W-13", "HP", PSVC_METRIC_REPLY, now,
        W(PSVC_SLA_PAUSED, T0 + 1000, T0 + 92600, 0, ANY, 1000, ANY, ANY, ANY, ANY));
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_handover(ctx, UNIT, now, &l), PSVC_OK);
  static const char *const want[] = {"HB", "HF", "HA", "HI-1", "HI-2", "H0",
                                     "HC", "HQ", "HP", "HE",   "HD"};
  expect_list(l, want, sizeof want / sizeof want[0], "W-13 handover of shift-1");
  psvc_list_free(l);
  /* shift-2 holds HX and HV and opened HW */
  l = NULL;
  ck_assert_int_eq(psvc_handover(ctx, "shift-2", now, &l), PSVC_OK);
  /* HW: DISPATCH overdue since T0+3780; HX: REPLY T0+86400; HV: CONTACT
     T0+700+86400 */
  static const char *const want2[] = {"HW", "HX", "HV"};
  expect_list(l, want2, 3, "W-13 handover of shift-2");
  psvc_list_free(l);
  /* argument errors */
  l = NULL;
  ck_assert_int_eq(psvc_handover(NULL, UNIT, now, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_handover(ctx, NULL, now, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_handover(ctx, UNIT, now, NULL), PSVC_EINVAL);
  ck_assert_ptr_null(l);
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- psvc_sla_crossed ----------------------------------------------------------------- */

/* Both orders are accepted before the window [B, B+6000), so that no
   acceptance falls inside it.
   X-1 urban fault acc B-100: DISPATCH B+60 (160 s of 180: 50 % (90 s) at
     B-10, before the window; 80 % (144 s) at B+44); ARRIVAL 2400 s: 50 %
     at B-100+1200 = B+1100, 80 % at B-100+1920 = B+1820; ARRIVE at B+1900
     (2000 s: level 2); RESOLVE runs from B+1900, 50 % of 3 h only at B+7300.
   X-2 rural fault acc B-300: DISPATCH B-200 (100 s, all before the window);
     ARRIVAL 5100 s: 2550 -> B+2250, 4080 -> B+3780, 5100 -> B+4800.
   Over [B, B+6000): ARRIVAL 5 crossings, DISPATCH 1, RESOLVE 0, any 6. */
typedef struct crossing {
  const char *id;
  int metric;
  psvc_time at;
} crossing;
static const crossing crossings[] = {
    {"X-1", PSVC_METRIC_DISPATCH, 44},  {"X-1", PSVC_METRIC_ARRIVAL, 1100},
    {"X-1", PSVC_METRIC_ARRIVAL, 1820}, {"X-2", PSVC_METRIC_ARRIVAL, 2250},
    {"X-2", PSVC_METRIC_ARRIVAL, 3780}, {"X-2", PSVC_METRIC_ARRIVAL, 4800}};
#define NCROSS ((int)(sizeof crossings / sizeof crossings[0]))

static psvc_ctx *crossed_ctx(void) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "X-1", FR, 0, C_NONE, PSVC_AREA_URBAN, B - 100);
  open_order(ctx, "X-2", FR, 0, C_NONE, PSVC_AREA_RURAL, B - 300);
  act(ctx, "X-2", A(DISPATCH), B - 200);
  act(ctx, "X-1", A(DISPATCH), B + 60);
  act(ctx, "X-1", A(RECEIVE), B + 120);
  act(ctx, "X-1", A(ARRIVE), B + 1900);
  return ctx;
}

/* Partitions [B, B+6000) into intervals of `step` seconds and checks that
   each crossing of `metric` (0 = any) is reported in exactly one interval,
   one that contains its instant (from <= x <= to: whether the instant
   itself belongs to the interval before or after is the library's choice),
   and nothing else is reported. */
static void crossed_partition(psvc_ctx *ctx, int metric, psvc_time step) {
  int seen[NCROSS] = {0};
  int expected = 0;
  for (int k = 0; k < NCROSS; k++)
    if (metric == 0 || crossings[k].metric == metric)
      expected++;
  int reported = 0;
  for (psvc_time from = B; from < B + 6000; from += step) {
    psvc_time to = from + step < B + 6000 ? from + step : B + 6000;
    psvc_list *l = NULL;
    int rc = psvc_sla_crossed(ctx, metric, from, to, &l);
    ck_assert_msg(rc == PSVC_OK, "crossed(%d, +%lld, +%lld): %s", metric, (long long)(from - B),
                  (long long)(to - B), CODE_N(rc));
    for (size_t i = 0; i < psvc_list_count(l); i++) {
      const char *id = psvc_list_id(l, i);
      int match = -1;
      for (int k = 0; k < NCROSS; k++)
        if ((metric == 0 || crossings[k].metric == metric) && strcmp(crossings[k].id, id) == 0 &&
            B + crossings[k].at >= from && B + crossings[k].at <= to && !seen[k]) {
          match = k;
          break;
        }
      ck_assert_msg(match >= 0, "metric %d step %lld: %s reported for [+%lld, +%lld) with no "
                    "crossing there (or twice)", metric, (long long)step, id,
                    (long long)(from - B), (long long)(to - B));
      seen[match] = 1;
      reported++;
    }
    psvc_list_free(l);
  }
  ck_assert_msg(reported == expected, "metric %d step %lld: %d reports, want %d", metric,
                (long long)step, reported, expected);
}

START_TEST(test_T21_sla_crossed_each_crossing_once) {
  psvc_ctx *ctx = crossed_ctx();
  static const psvc_time steps[] = {1, 7, 60, 600};
  static const int metrics[] = {0, PSVC_METRIC_ARRIVAL, PSVC_METRIC_DISPATCH,
                                PSVC_METRIC_RESOLVE};
  for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++)
    for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; m++)
      crossed_partition(ctx, metrics[m], steps[s]);
  /* one interval over all of it: both orders, by accepted_at (X-2 first) */
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_sla_crossed(ctx, 0, B, B + 6000, &l), PSVC_OK);
  static const char *const both[] = {"X-2", "X-1"};
  expect_list(l, both, 2, "crossed over [B, B+6000)");
  psvc_list_free(l);
  /* an interval without crossings */
  l = NULL;
  ck_assert_int_eq(psvc_sla_crossed(ctx, 0, B + 1901, B + 2200, &l), PSVC_OK);
  expect_list(l, NULL, 0, "crossed over [B+1901, B+2200)");
  psvc_list_free(l);
  /* a metric no order has: none */
  l = NULL;
  ck_assert_int_eq(psvc_sla_crossed(ctx, PSVC_METRIC_ANSWER, B, B + 6000, &l), PSVC_OK);
  expect_list(l, NULL, 0, "crossed ANSWER");
  psvc_list_free(l);
  psvc_ctx_close(ctx);
}
END_TEST

/* W-10: a threshold crossed in a new cycle is reported although the level
   is lower than cycle 1's: (cycle, level) goes from (1, 2) to (2, 1).
   Urban fault acc B: ARRIVE B+2000 (83 %: level 2), RESOLVE B+2100, VISIT
   UNSATISFIED B+3000 -> cycle 2 from B+3000, 50 % at B+4200, 80 % at
   B+4920. (Whether the bare start of cycle 2, (1, 2) -> (2, 0), counts as a
   rise is not asserted: no threshold is crossed there.) */
START_TEST(test_W10_sla_crossed_new_cycle) {
  psvc_ctx *ctx = ctx_new();
  open_order(ctx, "X-1", FR, 0, C_NONE, PSVC_AREA_URBAN, B);
  act(ctx, "X-1", A(DISPATCH), B + 60);
  act(ctx, "X-1", A(RECEIVE), B + 120);
  act(ctx, "X-1", A(ARRIVE), B + 2000);
  act(ctx, "X-1", A(RESOLVE), B + 2100);
  act_v(ctx, "X-1", A(VISIT), B + 3000, PSVC_SAT_UNSATISFIED);
  CHECK(ctx, "W-10", "X-1", PSVC_METRIC_ARRIVAL, B + 4200,
        W(PSVC_SLA_RUNNING, B + 3000, B + 5400, 0, 2400, 1200, 1200, 1, 2, 0));
  static const char *const one[] = {"X-1"};
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_sla_crossed(ctx, PSVC_METRIC_ARRIVAL, B + 4100, B + 4300, &l), PSVC_OK);
  expect_list(l, one, 1, "crossed: 50 % in cycle 2");
  psvc_list_free(l);
  l = NULL;
  ck_assert_int_eq(psvc_sla_crossed(ctx, PSVC_METRIC_ARRIVAL, B + 4300, B + 4900, &l), PSVC_OK);
  expect_list(l, NULL, 0, "crossed: nothing between 50 % and 80 % of cycle 2");
  psvc_list_free(l);
  l = NULL;
  ck_assert_int_eq(psvc_sla_crossed(ctx, PSVC_METRIC_ARRIVAL, B + 4900, B + 5000, &l), PSVC_OK);
  expect_list(l, one, 1, "crossed: 80 % in cycle 2");
  psvc_list_free(l);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_sla_crossed_argument_errors) {
  psvc_ctx *ctx = crossed_ctx();
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_sla_crossed(NULL, 0, B, B + 60, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_sla_crossed(ctx, 0, B, B + 60, NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_sla_crossed(ctx, -1, B, B + 60, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_sla_crossed(ctx, 9, B, B + 60, &l), PSVC_EINVAL);
  int rc = psvc_sla_crossed(ctx, 0, B + 60, B, &l); /* to before from */
  ck_assert_msg(rc == PSVC_EINVAL || rc == PSVC_ERANGE, "to < from: %s", CODE_N(rc));
  ck_assert_int_eq(psvc_sla_crossed(ctx, 0, -1, B, &l), PSVC_ERANGE);
  ck_assert_int_eq(psvc_sla_crossed(ctx, 0, B, MAX_TIME + 1, &l), PSVC_ERANGE);
  ck_assert_ptr_null(l);
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- psvc_ctx_set_calendar -------------------------------------------------------------- */

static psvc_calendar *plain_calendar(void) {
  psvc_calendar *cal = NULL;
  ck_assert_int_eq(psvc_calendar_new(&cal, 480), PSVC_OK);
  for (int wd = 1; wd <= 5; wd++) {
    ck_assert_int_eq(psvc_calendar_add_hours(cal, wd, 8 * 60 + 30, 12 * 60), PSVC_OK);
    ck_assert_int_eq(psvc_calendar_add_hours(cal, wd, 14 * 60, 17 * 60 + 30), PSVC_OK);
  }
  return cal;
}

/* Bad names / NULLs -> EINVAL and nothing changes; replacing "default"
   re-evaluates existing orders (nothing is stored); the context keeps its
   own copy. sgcc complaint accepted Wed 30 Sep 10:00, 5 working days:
   - on the built-in default (Mon-Fri, no holidays): Thu 1, Fri 2, Mon 5,
     Tue 6, Wed 7 -> Wed 7 Oct 23:59:59;
   - on cn-2026: Tue 13 Oct 23:59:59 (see the National Day test). */
START_TEST(test_T22_set_calendar_reevaluates_and_copies) {
  psvc_ctx *ctx = ctx_new();
  const char *r = "T-22 set_calendar";
  ck_assert_int_eq(psvc_policy_profile(ctx, "sgcc"), PSVC_OK);
  psvc_time acc = LT(2026, 9, 30, 10, 0, 0);
  open_order(ctx, "C-1", PSVC_ORDER_COMPLAINT, 0, C_NONE, 0, acc);
  CHECK(ctx, r, "C-1", PSVC_METRIC_REPLY, acc + 60,
        W(PSVC_SLA_RUNNING, acc, EOD(2026, 10, 7), 0, 482399, 60, ANY, 0, 1, 0));
  psvc_calendar *cal = cn2026();
  ck_assert_int_eq(psvc_ctx_set_calendar(NULL, "default", cal), PSVC_EINVAL);
  ck_assert_int_eq(psvc_ctx_set_calendar(ctx, NULL, cal), PSVC_EINVAL);
  ck_assert_int_eq(psvc_ctx_set_calendar(ctx, "default", NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_ctx_set_calendar(ctx, "", cal), PSVC_EINVAL);
  ck_assert_int_eq(psvc_ctx_set_calendar(ctx, "bad name", cal), PSVC_EINVAL);
  char longname[66];
  memset(longname, 'c', 65);
  longname[65] = '\0';
  ck_assert_int_eq(psvc_ctx_set_calendar(ctx, longname, cal), PSVC_EINVAL);
  CHECK(ctx, r, "C-1", PSVC_METRIC_REPLY, acc + 60,
        W(PSVC_SLA_RUNNING, acc, EOD(2026, 10, 7), 0, 482399, 60, ANY, 0, 1, 0));
  ck_assert_int_eq(psvc_ctx_set_calendar(ctx, "default", cal), PSVC_OK);
  CHECK(ctx, r, "C-1", PSVC_METRIC_REPLY, acc + 60,
        W(PSVC_SLA_RUNNING, acc, EOD(2026, 10, 13), 0, 482399, 60, ANY, 0, 1, 0));
  /* the context has a copy: changing or freeing ours does not reach it */
  ck_assert_int_eq(psvc_calendar_add_holiday(cal, 2026, 10, 8), PSVC_OK);
  psvc_calendar_free(cal);
  CHECK(ctx, r, "C-1", PSVC_METRIC_REPLY, acc + 60,
        W(PSVC_SLA_RUNNING, acc, EOD(2026, 10, 13), 0, 482399, 60, ANY, 0, 1, 0));
  /* back to a plain Monday-Friday calendar */
  cal = plain_calendar();
  ck_assert_int_eq(psvc_ctx_set_calendar(ctx, "default", cal), PSVC_OK);
  psvc_calendar_free(cal);
  CHECK(ctx, r, "C-1", PSVC_METRIC_REPLY, acc + 60,
        W(PSVC_SLA_RUNNING, acc, EOD(2026, 10, 7), 0, 482399, 60, ANY, 0, 1, 0));
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- suite --------------------------------------------------------------------------- */

static Suite *sla_suite(void) {
  Suite *s = suite_create("sla");

  TCase *tc = tcase_create("seed_rules");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_helper_local_time_matches_known_instants);
  tcase_add_loop_test(tc, test_T2_T18_met_exactly_at_deadline, 0, NCASES);
  tcase_add_loop_test(tc, test_T2_T18_breached_one_second_over, 0, NCASES);
  tcase_add_loop_test(tc, test_T2_T18_T21_running_at_risk_breached_while_running, 0, NCASES);
  tcase_add_loop_test(tc, test_T2_T18_T20_paused_across_deadline, 0, NCASES);
  tcase_add_loop_test(tc, test_T2_T18_T20_pause_after_deadline_keeps_breach, 0, NCASES);
  tcase_add_loop_test(tc, test_T2_T18_W10_reopen_new_cycle, 0, NCASES);
  tcase_add_loop_test(tc, test_T2_T18_T20_pending_before_start, 0, NCASES);
  suite_add_tcase(s, tc);

  tc = tcase_create("rules");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_T2_T21_dispatch_exact_thresholds);
  tcase_add_test(tc, test_T3_T21_arrival_urban_exact_thresholds);
  tcase_add_test(tc, test_T3_area_from_order_else_customer);
  tcase_add_test(tc, test_T2_first_dispatch_stops_return_does_not_restart);
  tcase_add_test(tc, test_W10_T3_T18_reopen_met_then_breached);
  tcase_add_test(tc, test_T17_contact_stop_events);
  tcase_add_test(tc, test_T4_T23_local_day_not_utc_day);
  tcase_add_test(tc, test_T4_T23_reply_at_235959_met_at_midnight_breached);
  tcase_add_test(tc, test_T23_zero_days_end_of_start_day);
  tcase_add_test(tc, test_T23_work_days_start_on_weekend);
  tcase_add_test(tc, test_T18_resolve_pending_until_arrive);
  suite_add_tcase(s, tc);

  tc = tcase_create("calendars");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_T4_T22_T23_sgcc_complaint_across_national_day);
  tcase_add_test(tc, test_T5_T22_T23_sgcc_report_across_spring_festival);
  tcase_add_test(tc, test_T4_T5_seed_calendar_days_ignore_holidays);
  tcase_add_test(tc, test_T3_T4_T5_sgcc_and_gbt28583_profiles);
  tcase_add_test(tc, test_T22_business_hours_override_weekend_pause);
  tcase_add_test(tc, test_T22_business_hours_named_calendar_holidays);
  tcase_add_test(tc, test_T20_T22_work_days_override_weekend_pause);
  tcase_add_test(tc, test_T20_T23_calendar_days_override_pause);
  tcase_add_test(tc, test_T22_T23_named_calendar_offset);
  tcase_add_test(tc, test_T22_set_calendar_reevaluates_and_copies);
  suite_add_tcase(s, tc);

  tc = tcase_create("applicability");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_T20_not_applicable_without_policy);
  tcase_add_test(tc, test_T20_visit_clock_with_policy);
  tcase_add_test(tc, test_T20_cancelled_merged_closed_orders);
  tcase_add_test(tc, test_T20_as_of_evaluation);
  tcase_add_test(tc, test_T20_suspend_at_now_is_seen);
  tcase_add_test(tc, test_T20_resume_at_now_is_seen);
  tcase_add_test(tc, test_order_sla_argument_errors);
  suite_add_tcase(s, tc);

  tc = tcase_create("policies");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_policy_profile_switch_and_unknown);
  tcase_add_test(tc, test_policy_set_validation_changes_nothing);
  tcase_add_test(tc, test_policy_set_range_edges_accepted);
  tcase_add_test(tc, test_W15_W16_policy_define_subtype_must_fit_type);
  tcase_add_test(tc, test_policy_override_beats_profile);
  tcase_add_test(tc, test_policy_most_specific_then_latest);
  tcase_add_test(tc, test_T20_policy_define_runs_when_suspended);
  tcase_add_test(tc, test_T21_policy_define_at_risk_percent);
  tcase_add_test(tc, test_T21_policy_define_custom_levels);
  suite_add_tcase(s, tc);

  tc = tcase_create("handover_crossed");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_W13_handover_most_urgent_first);
  tcase_add_test(tc, test_T21_sla_crossed_each_crossing_once);
  tcase_add_test(tc, test_W10_sla_crossed_new_cycle);
  tcase_add_test(tc, test_sla_crossed_argument_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(sla_suite()); }
