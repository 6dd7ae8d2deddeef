/*
 * sla.c — time limits (rules T-1 ... T-23): calendars attached to a
 * context, policies and profiles, and the clocks of psvc_order_sla.
 *
 * Policies. A policy row says: for this metric, order type, subtype,
 * customer class and area (each possibly "any"), the limit is L on clock K
 * (WALL, CALENDAR_DAYS, WORK_DAYS, BUSINESS_HOURS) of calendar C. The
 * profiles ("seed", "sgcc", "gbt28583") are tables below, one row per rule;
 * psvc_policy_set/define add overrides, which beat the profile. Resolution
 * (most specific row wins) is cached per (metric, type, subtype, class,
 * area) and the cache is dropped on every policy change.
 *
 * Clocks. Nothing is stored: each call folds the order's events up to
 * `now` (metric_defs[] says which event starts and which stops each
 * metric), cuts the history into cycles at every UNSATISFIED return visit
 * (W-10) for the metrics a reopen affects, and walks the current cycle's
 * active periods (SUSPENDED periods excluded, T-20) on the metric's own
 * clock — a pause over a weekend on a business-hours clock removes no
 * working time — to find the deadline: the instant the active clock time
 * reaches the limit. A clock stopped at or before its deadline is MET,
 * after it BREACHED; a running one is BREACHED once `now` passes the
 * deadline, AT_RISK from the warning share (T-21).
 *
 * On the day clocks the limit in days becomes clock seconds through T-23:
 * the deadline is 23:59:59 local of the N-th (working) day after the start
 * day, and the limit is the clock time from the start to that second. A
 * WORK_DAYS clock counts whole working days (a copy of the calendar whose
 * working days are open 00:00-24:00), so pauses on it are measured in
 * working-day time too.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define ANY (-1)

/* ---- calendars attached to the context ------------------------------------------ */

typedef struct psvc__cal {
  char *name;
  psvc_calendar *hours; /* the calendar as given: BUSINESS_HOURS */
  psvc_calendar *days;  /* its working days open all day: WORK_DAYS */
} psvc__cal;

static void cal_destroy(psvc__cal *c) {
  if (!c)
    return;
  psvc_calendar_free(c->hours);
  psvc_calendar_free(c->days);
  psvc__free(c->name);
  psvc__free(c);
}

static psvc__cal *cal_make(const char *name, const psvc_calendar *cal) {
  psvc__cal *c = psvc__calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->name = psvc__strdup(name);
  c->hours = psvc__calendar_dup(cal);
  c->days = psvc__calendar_whole_days(cal);
  if (!c->name || !c->hours || !c->days) {
    cal_destroy(c);
    return NULL;
  }
  return c;
}

static int attach(psvc_ctx *ctx, const char *name, const psvc_calendar *cal) {
  psvc__cal *c = cal_make(name, cal);
  if (!c || psvc__map_reserve(&ctx->calendars, 1) != PSVC_OK) {
    cal_destroy(c);
    return PSVC_ENOMEM;
  }
  cal_destroy(psvc__map_put(&ctx->calendars, c->name, c));
  return PSVC_OK;
}

PSVC_API int psvc_ctx_set_calendar(psvc_ctx *ctx, const char *name, const psvc_calendar *cal) {
  const char *fn = "psvc_ctx_set_calendar", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if ((why = name ? psvc__id_problem(name) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: name %s", fn, why);
  if (!cal)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: calendar is NULL", fn);
  if (attach(ctx, name, cal) != PSVC_OK)
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  return PSVC_OK;
}

/* ---- profiles (RULES.md §5) ------------------------------------------------------------- */

/* Customer classes for T-14. */
enum { CL_RESIDENTIAL = 1, CL_LV, CL_HV_SINGLE, CL_HV_DUAL, CL_MAX = CL_HV_DUAL };

typedef struct prow {
  int metric, type, subtype, cclass, area, clock;
  int64_t limit;
  const char *rule;
} prow;

#define M(x) PSVC_METRIC_##x
#define O(x) PSVC_ORDER_##x
#define RQ(x) PSVC_REQUEST_##x
#define AR(x) PSVC_AREA_##x
#define WALL PSVC_CLOCK_WALL
#define CDAYS PSVC_CLOCK_CALENDAR_DAYS
#define WDAYS PSVC_CLOCK_WORK_DAYS
#define MIN_ 60
#define HOUR 3600

/* Rows every profile shares. */
static const prow common_rows[] = {
    {M(ANSWER), ANY, ANY, ANY, ANY, WALL, 12, "T-1"}, /* calls: call.c */
    {M(DISPATCH), ANY, ANY, ANY, ANY, WALL, 180, "T-2"},
    {M(REPLY), O(INQUIRY), ANY, ANY, ANY, WALL, 24 * HOUR, "T-6"},
    {M(RESOLVE), O(SERVICE_REQUEST), RQ(RECONNECTION), ANY, ANY, WALL, 24 * HOUR, "T-13"},
    {M(RESOLVE), O(SERVICE_REQUEST), RQ(NEW_CONNECTION), CL_RESIDENTIAL, ANY, WDAYS, 5, "T-14"},
    {M(RESOLVE), O(SERVICE_REQUEST), RQ(NEW_CONNECTION), CL_LV, ANY, WDAYS, 6, "T-14"},
    {M(RESOLVE), O(SERVICE_REQUEST), RQ(NEW_CONNECTION), CL_HV_SINGLE, ANY, WDAYS, 22, "T-14"},
    {M(RESOLVE), O(SERVICE_REQUEST), RQ(NEW_CONNECTION), CL_HV_DUAL, ANY, WDAYS, 32, "T-14"},
    {M(RESOLVE), O(SERVICE_REQUEST), RQ(METER_CHECK), ANY, ANY, WDAYS, 5, "T-15"},
    {M(REPLY), O(SERVICE_REQUEST), RQ(METER_READING_CHECK), ANY, ANY, WDAYS, 5, "T-15"},
    {M(ARRIVAL), O(SERVICE_REQUEST), RQ(APPLIANCE_DAMAGE), ANY, ANY, WALL, 24 * HOUR, "T-16"},
    {M(REPLY), O(SERVICE_REQUEST), RQ(CAPACITY_CHANGE), ANY, ANY, WDAYS, 5, "T-16"},
    {M(REPLY), O(SERVICE_REQUEST), RQ(OTHER), ANY, ANY, WDAYS, 5, "T-16"},
    {M(REPLY), O(SERVICE_REQUEST), 0, ANY, ANY, WDAYS, 5, "T-16"},
    {M(CONTACT), O(COMPLAINT), ANY, ANY, ANY, WALL, 24 * HOUR, "T-17"},
    {M(RESOLVE), O(FAULT_REPAIR), ANY, ANY, ANY, WALL, 3 * HOUR, "T-18"},
    {M(RESOLVE), O(FAULT_REPAIR), ANY, ANY, AR(RURAL), WALL, 4 * HOUR, "T-18"},
    {M(RESOLVE), O(FAULT_REPAIR), ANY, ANY, AR(REMOTE), WALL, 4 * HOUR, "T-18"},
};

/* Arrival (T-3, area any = the urban limit) and complaint/report replies
   (T-4, T-5) per profile. */
#define ARRIVAL_ROWS(u, r, x)                                                       \
  {M(ARRIVAL), O(FAULT_REPAIR), ANY, ANY, ANY, WALL, (u) * MIN_, "T-3"},            \
  {M(ARRIVAL), O(FAULT_REPAIR), ANY, ANY, AR(URBAN), WALL, (u) * MIN_, "T-3"},      \
  {M(ARRIVAL), O(FAULT_REPAIR), ANY, ANY, AR(RURAL), WALL, (r) * MIN_, "T-3"},      \
  {M(ARRIVAL), O(FAULT_REPAIR), ANY, ANY, AR(REMOTE), WALL, (x) * MIN_, "T-3"}

static const prow seed_rows[] = {
    ARRIVAL_ROWS(40, 85, 120),
    {M(REPLY), O(COMPLAINT), ANY, ANY, ANY, CDAYS, 5, "T-4"},
    {M(REPLY), O(REPORT), ANY, ANY, ANY, CDAYS, 10, "T-5"},
};
static const prow sgcc_rows[] = {
    ARRIVAL_ROWS(45, 90, 120),
    {M(REPLY), O(COMPLAINT), ANY, ANY, ANY, WDAYS, 5, "T-4"},
    {M(REPLY), O(REPORT), ANY, ANY, ANY, WDAYS, 9, "T-5"},
};
static const prow gbt_rows[] = {
    ARRIVAL_ROWS(60, 120, 240),
    {M(REPLY), O(COMPLAINT), ANY, ANY, ANY, WDAYS, 10, "T-4"},
    {M(REPLY), O(REPORT), ANY, ANY, ANY, WDAYS, 10, "T-5"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct profile {
  const char *name;
  const prow *rows;
  size_t n;
} profiles[] = {
    {"seed", seed_rows, COUNT(seed_rows)},
    {"sgcc", sgcc_rows, COUNT(sgcc_rows)},
    {"gbt28583", gbt_rows, COUNT(gbt_rows)},
};

/* ---- the policy set of a context ---------------------------------------------------------- */

/* One resolved policy: a profile row or an override. */
typedef struct psvc__policy {
  int metric, type, subtype, cclass, area, clock;
  int64_t limit;
  char calendar[PSVC_ID_MAX + 1]; /* "" = "default" */
  int runs_suspended, at_risk, nlevels;
  int levels[4];
  const char *rule;
} psvc__policy;

static const int default_levels[] = {50, 80, 100};

static void from_row(psvc__policy *p, const prow *r) {
  memset(p, 0, sizeof *p);
  p->metric = r->metric;
  p->type = r->type;
  p->subtype = r->subtype;
  p->cclass = r->cclass;
  p->area = r->area;
  p->clock = r->clock;
  p->limit = r->limit;
  p->at_risk = 80;
  p->nlevels = 3;
  memcpy(p->levels, default_levels, sizeof default_levels);
  p->rule = r->rule;
}

static void cache_drop(psvc_ctx *ctx) {
  memset(ctx->sla.cache, 0xFF, sizeof ctx->sla.cache); /* -1: not resolved yet */
}

static const struct profile *find_profile(const char *name) {
  for (size_t i = 0; i < COUNT(profiles); i++)
    if (strcmp(profiles[i].name, name) == 0)
      return &profiles[i];
  return NULL;
}

int psvc__sla_init(psvc_ctx *ctx) {
  ctx->sla.profile = &profiles[0];
  cache_drop(ctx);
  psvc_calendar *cal;
  if (psvc_calendar_new(&cal, 480) != PSVC_OK)
    return PSVC_ENOMEM;
  int rc = PSVC_OK;
  for (int d = 1; d <= 5 && rc == PSVC_OK; d++)
    if ((rc = psvc_calendar_add_hours(cal, d, 8 * 60 + 30, 12 * 60)) == PSVC_OK)
      rc = psvc_calendar_add_hours(cal, d, 14 * 60, 17 * 60 + 30);
  if (rc == PSVC_OK)
    rc = attach(ctx, "default", cal);
  psvc_calendar_free(cal);
  return rc == PSVC_OK ? PSVC_OK : PSVC_ENOMEM;
}

void psvc__sla_free(psvc_ctx *ctx) {
  for (size_t i = 0; i < ctx->calendars.cap; i++)
    if (ctx->calendars.slots[i].key)
      cal_destroy(ctx->calendars.slots[i].value);
  psvc__map_free(&ctx->calendars);
  psvc__free(ctx->sla.overrides);
  ctx->sla.overrides = NULL;
  ctx->sla.noverrides = ctx->sla.capoverrides = 0;
}

PSVC_API int psvc_policy_profile(psvc_ctx *ctx, const char *name) {
  const char *fn = "psvc_policy_profile";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (!name)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: name is NULL", fn);
  const struct profile *p = find_profile(name);
  if (!p)
    return psvc__fail(ctx, PSVC_ENOTFOUND,
                      "%s: no profile '%s' (seed, sgcc and gbt28583 exist)", fn, name);
  ctx->sla.profile = p;
  ctx->sla.noverrides = 0;
  cache_drop(ctx);
  return PSVC_OK;
}

static int check_policy(psvc_ctx *ctx, const psvc_policy *p) {
  const char *fn = "psvc_policy_define", *why;
  if (!psvc_enum_name(PSVC_DOM_METRIC, p->metric))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: metric %d is not a PSVC_METRIC_*", fn, p->metric);
  if (p->order_type && !psvc_enum_name(PSVC_DOM_ORDER_TYPE, p->order_type))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: order type %d is neither 0 nor a PSVC_ORDER_*",
                      fn, p->order_type);
  if (p->area && !psvc_enum_name(PSVC_DOM_AREA, p->area))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: area %d is neither 0 nor a PSVC_AREA_*", fn,
                      p->area);
  if (p->subtype && !(p->order_type == PSVC_ORDER_COMPLAINT
                          ? psvc_enum_name(PSVC_DOM_COMPLAINT, p->subtype)
                          : p->order_type == PSVC_ORDER_SERVICE_REQUEST
                              ? psvc_enum_name(PSVC_DOM_REQUEST, p->subtype)
                              : NULL))
    return psvc__fail(ctx, PSVC_EINVAL,
                      "%s: subtype %d does not fit order type %d (only COMPLAINT and "
                      "SERVICE_REQUEST have subtypes, W-15, W-16)", fn, p->subtype,
                      p->order_type);
  if (!psvc_enum_name(PSVC_DOM_CLOCK, p->clock))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: clock %d is not a PSVC_CLOCK_*", fn, p->clock);
  if ((p->metric == PSVC_METRIC_ANSWER || p->metric == PSVC_METRIC_NOTICE_LEAD) &&
      p->clock != PSVC_CLOCK_WALL)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: %s is measured on the wall clock (clock %d)", fn,
                      psvc_enum_name(PSVC_DOM_METRIC, p->metric), p->clock);
  bool days = p->clock == PSVC_CLOCK_CALENDAR_DAYS || p->clock == PSVC_CLOCK_WORK_DAYS;
  if (p->limit < 0 || p->limit > (days ? 36500 : (int64_t)100 * 365 * 86400))
    return psvc__fail(ctx, PSVC_ERANGE, "%s: limit %lld is out of range (0 .. %s)", fn,
                      (long long)p->limit, days ? "36500 days" : "100 years in seconds");
  if (p->calendar && (why = psvc__id_problem(p->calendar)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: calendar name %s", fn, why);
  if (!psvc__map_get(&ctx->calendars, p->calendar ? p->calendar : "default"))
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no calendar '%s' in this context", fn,
                      p->calendar ? p->calendar : "default");
  if (p->runs_when_suspended != 0 && p->runs_when_suspended != 1)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: runs_when_suspended must be 0 or 1", fn);
  if (p->at_risk_percent < 0 || p->at_risk_percent > 1000)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: at_risk_percent %d is out of range", fn,
                      p->at_risk_percent);
  for (int i = 0; i < 4; i++)
    if (p->levels[i] < 0 || p->levels[i] > 1000 ||
        (i && p->levels[i] && p->levels[i] <= p->levels[i - 1]) ||
        (i && p->levels[i] && !p->levels[i - 1]))
      return psvc__fail(ctx, PSVC_EINVAL,
                        "%s: levels must be ascending percentages, 0 only at the end", fn);
  return PSVC_OK;
}

PSVC_API int psvc_policy_define(psvc_ctx *ctx, const psvc_policy *p) {
  const char *fn = "psvc_policy_define";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (!p)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: policy is NULL", fn);
  if (p->size < sizeof(psvc_policy))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: policy size %u is smaller than v1's (%zu)", fn,
                      (unsigned)p->size, sizeof(psvc_policy));
  int rc = check_policy(ctx, p);
  if (rc)
    return rc;
  psvc__sla_state *s = &ctx->sla;
  if (s->noverrides == s->capoverrides) {
    size_t cap = s->capoverrides ? s->capoverrides * 2 : 8;
    psvc__policy *v = psvc__realloc(s->overrides, cap * sizeof *v);
    if (!v)
      return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
    s->overrides = v;
    s->capoverrides = cap;
  }
  psvc__policy *o = &s->overrides[s->noverrides++];
  prow r = {p->metric, p->order_type ? p->order_type : ANY, p->subtype ? p->subtype : ANY, ANY,
            p->area ? p->area : ANY, p->clock, p->limit, "override"};
  from_row(o, &r);
  if (p->calendar)
    strcpy(o->calendar, p->calendar);
  o->runs_suspended = p->runs_when_suspended;
  if (p->at_risk_percent)
    o->at_risk = p->at_risk_percent;
  if (p->levels[0]) {
    o->nlevels = 0;
    for (int i = 0; i < 4 && p->levels[i]; i++)
      o->levels[o->nlevels++] = p->levels[i];
  }
  cache_drop(ctx);
  return PSVC_OK;
}

PSVC_API int psvc_policy_set(psvc_ctx *ctx, int metric, int order_type, int area, int clock,
                             int64_t limit, const char *calendar) {
  psvc_policy p = PSVC_POLICY_INIT;
  p.metric = metric;
  p.order_type = order_type;
  p.area = area;
  p.clock = clock;
  p.limit = limit;
  p.calendar = calendar;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_policy_set: ctx is NULL");
  int rc = psvc_policy_define(ctx, &p);
  if (rc) { /* name the function the caller called */
    char detail[PSVC_ERRMSG_MAX];
    const char *m = ctx->errmsg, *colon = strchr(m, ':');
    snprintf(detail, sizeof detail, "%s", colon ? colon : m);
    psvc__fail(ctx, rc, "psvc_policy_set%s", detail);
  }
  return rc;
}

/* ---- resolution ------------------------------------------------------------------------------ */

typedef struct key {
  int metric, type, subtype, cclass, area;
} key;

static int field_match(int want, int have) { return want == ANY || want == have; }

static int specificity(const psvc__policy *p) {
  return (p->type != ANY) * 8 + (p->subtype != ANY) * 4 + (p->cclass != ANY) * 2 +
         (p->area != ANY);
}

static bool matches(const psvc__policy *p, const key *k) {
  return p->metric == k->metric && field_match(p->type, k->type) &&
         field_match(p->subtype, k->subtype) && field_match(p->cclass, k->cclass) &&
         field_match(p->area, k->area);
}

static size_t cache_index(const key *k) {
  return ((((size_t)(k->metric - 1) * 10 + (size_t)k->type) * 8 + (size_t)k->subtype) *
              (CL_MAX + 1) + (size_t)k->cclass) * 4 + (size_t)k->area;
}

/* The policy for k (NULL: none, the metric does not apply), into *buf. */
static const psvc__policy *resolve(psvc_ctx *ctx, const key *k, psvc__policy *buf) {
  psvc__sla_state *s = &ctx->sla;
  size_t ci = cache_index(k);
  int16_t c = s->cache[ci];
  if (c == -1) { /* not resolved: overrides first (latest most specific), then the profile */
    int best = -1, score = -1;
    for (size_t i = s->noverrides; i-- > 0;)
      if (matches(&s->overrides[i], k) && specificity(&s->overrides[i]) > score)
        best = (int)i, score = specificity(&s->overrides[i]);
    if (best < 0) {
      score = -1;
      for (size_t i = 0; i < COUNT(common_rows) + s->profile->n; i++) {
        const prow *r = i < COUNT(common_rows) ? &common_rows[i]
                                                : &s->profile->rows[i - COUNT(common_rows)];
        psvc__policy tmp;
        from_row(&tmp, r);
        if (matches(&tmp, k) && specificity(&tmp) > score)
          best = (int)(10000 + i), score = specificity(&tmp);
      }
    }
    c = (int16_t)(best < 0 ? -2 : best);
    s->cache[ci] = c;
  }
  if (c == -2)
    return NULL;
  if (c < 10000)
    return &s->overrides[c];
  size_t i = (size_t)(c - 10000);
  from_row(buf, i < COUNT(common_rows) ? &common_rows[i]
                                       : &s->profile->rows[i - COUNT(common_rows)]);
  return buf;
}

static int customer_class(psvc_ctx *ctx, const psvc__order *o) {
  const char *id = psvc__str(ctx, o->customer);
  const psvc_customer *c = id ? psvc__map_get(&ctx->customers, id) : NULL;
  if (!c)
    return 0;
  if (c->tariff == PSVC_TARIFF_RESIDENTIAL)
    return CL_RESIDENTIAL;
  if (c->sources & PSVC_SOURCE_HV)
    return (c->sources & PSVC_SOURCE_DUAL_SOURCE) ? CL_HV_DUAL : CL_HV_SINGLE;
  return CL_LV;
}

/* ---- what starts and stops each metric ----------------------------------------------------- */

enum { START_ACCEPT, START_ARRIVE_FR, START_HANDLED };

typedef struct metric_def {
  int metric;
  int start;        /* START_* */
  unsigned stops;   /* bit (1u << action) */
  bool contact_note; /* a NOTE with value PSVC_NOTE_CONTACT stops it */
  bool per_cycle;   /* a reopen (UNSATISFIED visit) starts a new cycle */
} metric_def;

#define B(a) (1u << PSVC_ACT_##a)

static const metric_def metric_defs[] = {
    {M(DISPATCH), START_ACCEPT, B(DISPATCH), false, false},             /* T-2 */
    {M(ARRIVAL), START_ACCEPT, B(ARRIVE), false, true},                 /* T-3, T-16 */
    {M(REPLY), START_ACCEPT, B(REPLY), false, true},                    /* T-4 .. T-6 */
    {M(RESOLVE), START_ACCEPT, B(RESOLVE), false, true},                /* T-13 .. T-15 */
    {M(VISIT), START_HANDLED, B(VISIT), false, true},                   /* policy only */
    {M(CONTACT), START_ACCEPT, B(REPLY) | B(VISIT), true, false},       /* T-17 */
};

static const metric_def *metric_def_of(int metric) {
  for (size_t i = 0; i < COUNT(metric_defs); i++)
    if (metric_defs[i].metric == metric)
      return &metric_defs[i];
  return NULL;
}

static bool is_stop(const metric_def *d, const psvc__ev *e) {
  return (d->stops >> e->action & 1u) ||
         (d->contact_note && e->action == PSVC_ACT_NOTE && e->value == PSVC_NOTE_CONTACT);
}

static bool is_reopen(const psvc__ev *e) {
  return e->action == PSVC_ACT_VISIT && e->value == PSVC_SAT_UNSATISFIED;
}

static bool is_end(const psvc__ev *e) {
  return e->action == PSVC_ACT_CLOSE || e->action == PSVC_ACT_CANCEL ||
         e->action == PSVC_ACT_MERGE;
}

/* ---- clocks ---------------------------------------------------------------------------------- */

typedef struct clock {
  int kind;
  const psvc_calendar *cal; /* BUSINESS_HOURS: hours; WORK_DAYS: whole days; else for the offset */
} clock;

static int64_t clock_secs(const clock *c, psvc_time a, psvc_time b) {
  if (b <= a)
    return 0;
  if (c->kind == PSVC_CLOCK_BUSINESS_HOURS || c->kind == PSVC_CLOCK_WORK_DAYS)
    return psvc__cal_secs_at(c->cal, b) - psvc__cal_secs_at(c->cal, a);
  return b - a;
}

static psvc_time clock_add(const clock *c, psvc_time a, int64_t secs) {
  psvc_time r;
  if (secs <= 0)
    return a;
  if (c->kind == PSVC_CLOCK_BUSINESS_HOURS || c->kind == PSVC_CLOCK_WORK_DAYS) {
    if (psvc__cal_add_seconds(c->cal, a, secs, &r) != PSVC_OK)
      return PSVC_TIME_MAX;
    return r;
  }
  return a > PSVC_TIME_MAX - secs ? PSVC_TIME_MAX : a + secs;
}

/* The limit in clock seconds for a clock started at s (T-23 for days). */
static int64_t limit_secs(const clock *c, const psvc__policy *p, const psvc__cal *cal,
                          psvc_time s) {
  psvc_time d;
  if (p->clock == PSVC_CLOCK_CALENDAR_DAYS) {
    int64_t day = psvc__cal_local_day(cal->hours, s) + p->limit;
    d = (day + 1) * 86400 - 1 - (int64_t)psvc__calendar_offset(cal->hours) * 60;
    return d - s;
  }
  if (p->clock == PSVC_CLOCK_WORK_DAYS) {
    if (psvc__cal_add_workdays(cal->hours, s, p->limit, &d) != PSVC_OK)
      return INT64_MAX / 4;
    return clock_secs(c, s, d);
  }
  return p->limit;
}

/* ---- one cycle -------------------------------------------------------------------------------- */

typedef struct cycle {
  psvc_time start, stop; /* stop 0: not stopped by `end` */
  psvc_time end;         /* the instant the cycle is judged at */
  bool paused_at_end;
} cycle;

typedef struct result {
  int status, level;
  psvc_time deadline;
  int64_t limit, elapsed;
} result;

/* Walks the active periods of [start, end) — the history's SUSPENDED
   periods cut out unless the policy runs through them — on the clock. */
static result judge(const psvc__order *o, size_t nev, const cycle *cy, const clock *ck,
                    const psvc__policy *p, int64_t limit) {
  result r = {0, 0, 0, limit, 0};
  psvc_time cursor = cy->start, pause_from = 0;
  bool paused = false, reached = false;
  for (size_t i = 0; i < nev; i++) {
    const psvc__ev *e = &o->ev[i];
    if (PSVC__EV_AT(o, e) > cy->end) /* an event at `now` is seen (a SUSPEND at now pauses) */
      break;
    bool enters = e->action == PSVC_ACT_SUSPEND, leaves = e->action == PSVC_ACT_RESUME ||
                                                            (paused && is_end(e));
    if (p->runs_suspended || (!enters && !leaves))
      continue;
    if (enters && !paused) {
      pause_from = PSVC__EV_AT(o, e) > cy->start ? PSVC__EV_AT(o, e) : cy->start;
      int64_t seg = clock_secs(ck, cursor, pause_from);
      if (!reached && r.elapsed + seg >= limit)
        r.deadline = clock_add(ck, cursor, limit - r.elapsed), reached = true;
      r.elapsed += seg;
      paused = true;
    } else if (leaves && paused) {
      cursor = PSVC__EV_AT(o, e) > cy->start ? PSVC__EV_AT(o, e) : cy->start;
      paused = false;
    }
  }
  if (!paused) {
    int64_t seg = clock_secs(ck, cursor, cy->end);
    if (!reached && r.elapsed + seg >= limit)
      r.deadline = clock_add(ck, cursor, limit - r.elapsed), reached = true;
    r.elapsed += seg;
  }
  if (!reached)
    r.deadline = clock_add(ck, cy->end, limit - r.elapsed);
  bool running = !cy->stop;
  if (!running)
    r.status = cy->stop <= r.deadline ? PSVC_SLA_MET : PSVC_SLA_BREACHED;
  else if (cy->end > r.deadline)
    r.status = PSVC_SLA_BREACHED;
  else if (paused)
    r.status = PSVC_SLA_PAUSED;
  else if (r.elapsed * 100 >= (int64_t)p->at_risk * limit)
    r.status = PSVC_SLA_AT_RISK;
  else
    r.status = PSVC_SLA_RUNNING;
  for (int i = 0; i < p->nlevels; i++)
    if (r.elapsed * 100 >= (int64_t)p->levels[i] * limit)
      r.level = i + 1;
  return r;
}

/* ---- psvc_order_sla ---------------------------------------------------------------------------- */

/* Finds the cycle boundaries and the start/stop of cycle k (1-based) seen
   at `now`; returns false if the clock never started (PENDING / N/A). */
static bool find_cycle(const psvc__order *o, size_t nev, const metric_def *d, int k,
                       psvc_time now, cycle *cy, bool *abandoned) {
  int current = 1;
  psvc_time start = d->start == START_ACCEPT ? o->accepted_at : 0;
  bool fr_resolve = d->metric == PSVC_METRIC_RESOLVE && o->type == PSVC_ORDER_FAULT_REPAIR;
  if (fr_resolve)
    start = 0;
  *cy = (cycle){0, 0, now, false};
  *abandoned = false;
  for (size_t i = 0; i < nev; i++) {
    const psvc__ev *e = &o->ev[i];
    if (current == k) {
      if (!start && ((fr_resolve && e->action == PSVC_ACT_ARRIVE) ||
                     (d->start == START_HANDLED &&
                      (e->action == PSVC_ACT_RESOLVE || e->action == PSVC_ACT_REPLY))))
        start = PSVC__EV_AT(o, e);
      else if (start && d->start == START_HANDLED &&
               (e->action == PSVC_ACT_RESOLVE || e->action == PSVC_ACT_REPLY))
        start = PSVC__EV_AT(o, e); /* the visit clock runs from the latest handling step */
      if (start && is_stop(d, e)) {
        cy->stop = PSVC__EV_AT(o, e);
        break;
      }
      if (is_end(e)) {
        *abandoned = true; /* closed, cancelled or merged before the clock stopped */
        cy->end = PSVC__EV_AT(o, e);
        break;
      }
    }
    if (d->per_cycle && is_reopen(e)) {
      if (current == k) { /* cycle k ends here unstopped */
        cy->end = PSVC__EV_AT(o, e);
        break;
      }
      current++;
      if (current == k)
        start = d->start == START_ACCEPT && !fr_resolve ? PSVC__EV_AT(o, e) : 0;
    }
  }
  cy->start = start;
  if (cy->stop)
    cy->end = cy->stop;
  return start != 0 || (d->start == START_ACCEPT && !fr_resolve);
}

/* T-2: the DISPATCH clock runs from the end of the call that produced the
   order, when one is recorded — also when the order was entered after the
   caller hung up: entering it is part of T-2 — and a dispatch during the
   call took no time; false while that call has not ended at `now`. */
static bool call_start(psvc_ctx *ctx, const psvc__order *o, psvc_time now, cycle *cy) {
  psvc_time end = psvc__order_call_end(ctx, o->id);
  if (!end) /* no call: from acceptance */
    return true;
  if (cy->stop && cy->stop <= end) {
    cy->start = cy->stop;
    return true;
  }
  if (!cy->stop && now < end)
    return false;
  cy->start = end;
  return true;
}

/* Events at or before `now`. */
static size_t events_seen(const psvc__order *o, psvc_time now) {
  size_t n = o->nev;
  while (n > 0 && PSVC__EV_AT(o, &o->ev[n - 1]) > now)
    n--;
  return n;
}

static int count_cycles(const psvc__order *o, size_t nev, const metric_def *d) {
  int c = 1;
  if (d->per_cycle)
    for (size_t i = 0; i < nev; i++)
      c += is_reopen(&o->ev[i]);
  return c;
}

/* The whole evaluation; *out fully written (status N/A when it does not
   apply). */
int psvc__order_sla(psvc_ctx *ctx, const psvc__order *o, int metric, psvc_time now,
                    psvc_sla *out) {
  memset((char *)out + sizeof out->size, 0, sizeof *out - sizeof out->size);
  out->metric = metric;
  const metric_def *d = metric_def_of(metric);
  key k = {metric, o->type, o->subtype, customer_class(ctx, o), o->area};
  psvc__policy buf;
  const psvc__policy *p = d ? resolve(ctx, &k, &buf) : NULL;
  if (!p)
    return PSVC_OK; /* NOT_APPLICABLE: no policy for this metric and order */
  out->cycle = 1;
  out->status = PSVC_SLA_PENDING;
  if (now < o->accepted_at)
    return PSVC_OK;
  const psvc__cal *cal = psvc__map_get(&ctx->calendars, p->calendar[0] ? p->calendar : "default");
  if (!cal)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "psvc_order_sla: no calendar '%s'",
                      p->calendar[0] ? p->calendar : "default");
  clock ck = {p->clock, p->clock == PSVC_CLOCK_WORK_DAYS ? cal->days : cal->hours};
  size_t nev = events_seen(o, now);
  int cycles = count_cycles(o, nev, d);
  out->cycle = cycles;
  for (int c = 1; c <= cycles; c++) {
    cycle cy;
    bool abandoned;
    bool started = find_cycle(o, nev, d, c, now, &cy, &abandoned);
    bool current = c == cycles;
    if (!started) { /* PENDING, or NOT_APPLICABLE once the order ended unstarted */
      if (current)
        out->status = abandoned ? PSVC_SLA_NOT_APPLICABLE : PSVC_SLA_PENDING;
      continue;
    }
    if (metric == PSVC_METRIC_DISPATCH && !call_start(ctx, o, now, &cy)) {
      out->status = PSVC_SLA_PENDING; /* the call has not ended yet */
      continue;
    }
    result r = judge(o, nev, &cy, &ck, p, limit_secs(&ck, p, cal, cy.start));
    if (r.status == PSVC_SLA_BREACHED)
      out->ever_breached = 1;
    if (!current)
      continue;
    /* a clock abandoned (order closed, cancelled, merged) before it stopped
       is judged only if it had already breached by then */
    out->status = abandoned && r.status != PSVC_SLA_BREACHED ? PSVC_SLA_NOT_APPLICABLE
                                                              : r.status;
    out->started_at = cy.start;
    out->stopped_at = cy.stop;
    out->deadline = r.deadline;
    out->limit_s = r.limit;
    out->elapsed_s = r.elapsed;
    out->remaining_s = r.limit - r.elapsed;
    out->level = r.level;
  }
  return PSVC_OK;
}

PSVC_API int psvc_order_sla(psvc_ctx *ctx, const char *order_id, int metric, psvc_time now,
                            psvc_sla *out) {
  const char *fn = "psvc_order_sla", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if ((why = order_id ? psvc__id_problem(order_id) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: order id %s", fn, why);
  if (!psvc_enum_name(PSVC_DOM_METRIC, metric))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: metric %d is not a PSVC_METRIC_*", fn, metric);
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  if (out->size < sizeof(psvc_sla))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out->size %u is smaller than v1's (%zu)", fn,
                      (unsigned)out->size, sizeof(psvc_sla));
  if (now < 0 || now > PSVC_TIME_MAX)
    return psvc__fail(ctx, PSVC_ERANGE, "%s: now %lld is outside 1970 .. 9999", fn,
                      (long long)now);
  const psvc__order *o = psvc__map_get(&ctx->orders, order_id);
  if (!o)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no order '%s'", fn, order_id);
  psvc_sla tmp = {sizeof tmp, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  int rc = psvc__order_sla(ctx, o, metric, now, &tmp);
  if (rc == PSVC_OK)
    *out = tmp;
  return rc;
}

/* ---- calls (call.c) ----------------------------------------------------------------------------- */

static const psvc__policy *answer_policy(psvc_ctx *ctx, psvc__policy *buf) {
  key k = {PSVC_METRIC_ANSWER, 0, 0, 0, 0};
  return resolve(ctx, &k, buf); /* never NULL: the common row */
}

int64_t psvc__call_answer_limit(psvc_ctx *ctx) {
  psvc__policy buf;
  return answer_policy(ctx, &buf)->limit;
}

int psvc__call_answer_level(psvc_ctx *ctx, int64_t elapsed, int64_t limit) {
  psvc__policy buf;
  const psvc__policy *p = answer_policy(ctx, &buf);
  int level = 0;
  for (int i = 0; i < p->nlevels; i++)
    if (elapsed * 100 >= (int64_t)p->levels[i] * limit)
      level = i + 1;
  return level;
}

/* ---- for the report (report.c) -------------------------------------------------------------------- */

int64_t psvc__dispatch_target(psvc_ctx *ctx) {
  psvc__policy buf;
  key k = {PSVC_METRIC_DISPATCH, 0, 0, 0, 0};
  const psvc__policy *p = resolve(ctx, &k, &buf);
  if (!p)
    return 180;
  bool days = p->clock == PSVC_CLOCK_CALENDAR_DAYS || p->clock == PSVC_CLOCK_WORK_DAYS;
  return days ? p->limit * 86400 : p->limit; /* a day limit as its length in seconds */
}

int psvc__ctx_utc_offset(psvc_ctx *ctx) {
  const psvc__cal *c = psvc__map_get(&ctx->calendars, "default");
  return c ? psvc__calendar_offset(c->hours) : 480;
}

/* ---- urgency and crossings --------------------------------------------------------------------- */

/* The earliest deadline of any running clock at now (PSVC_TIME_MAX + 1 if
   none runs), for the handover order (W-13). */
psvc_time psvc__order_urgency(psvc_ctx *ctx, const psvc__order *o, psvc_time now) {
  psvc_time best = PSVC_TIME_MAX + 1;
  for (int m = 1; m <= PSVC_METRIC_CONTACT; m++) {
    psvc_sla s = {sizeof s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (psvc__order_sla(ctx, o, m, now, &s) != PSVC_OK)
      continue;
    bool running = s.status == PSVC_SLA_RUNNING || s.status == PSVC_SLA_AT_RISK ||
                   s.status == PSVC_SLA_PAUSED ||
                   (s.status == PSVC_SLA_BREACHED && s.stopped_at == 0);
    if (running && s.deadline < best)
      best = s.deadline;
  }
  return best;
}

bool psvc__order_crossed(psvc_ctx *ctx, const psvc__order *o, int metric, psvc_time from,
                         psvc_time to) {
  int lo = metric ? metric : 1, hi = metric ? metric : PSVC_METRIC_CONTACT;
  for (int m = lo; m <= hi; m++) {
    psvc_sla a = {sizeof a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, b = a;
    if (psvc__order_sla(ctx, o, m, from, &a) != PSVC_OK ||
        psvc__order_sla(ctx, o, m, to, &b) != PSVC_OK)
      continue;
    if (b.level > 0 && (b.cycle > a.cycle || (b.cycle == a.cycle && b.level > a.level)))
      return true;
  }
  return false;
}
