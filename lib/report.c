/*
 * report.c — the KPI report (rules Q-1 ..., T-12; schema in
 * docs/reports.md): psvc_report_json.
 *
 * How it works. One pass over the orders accepted in [from, to) evaluates
 * every order metric at `now` (sla.c, the same clocks as psvc_order_sla)
 * and adds the results to the order's group and to the total; one pass
 * over the calls that arrived in the period and one over the notices first
 * published in it add the call and notice sections. Groups are found by a
 * small integer — the type, the area, or the interned id of the unit — so
 * the pass does no string work per order. The document is then written in
 * a fixed key order, groups sorted by key, numbers in fixed formats, so the
 * same data gives the same bytes. Only enum names, unit names and counts
 * appear: no customer data (W-12).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The order metrics reported, in this order. */
static const int metrics[] = {PSVC_METRIC_DISPATCH, PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY,
                              PSVC_METRIC_RESOLVE, PSVC_METRIC_VISIT, PSVC_METRIC_CONTACT};
#define NMETRICS (sizeof metrics / sizeof metrics[0])
#define NSTATES (PSVC_STATE_MERGED + 1)
#define NSUB 6 /* complaint subtypes 1..5 (W-15), 0 = none */
#define NAREAS 4

typedef struct mstat {
  long met, breached, running, pending, ever_breached, stopped;
  double elapsed_sum; /* over stopped clocks (met or breached) */
} mstat;

typedef struct group {
  const char *key; /* an enum name, an interned unit name or a literal */
  long orders, merged, reopened, complaints;
  long states[NSTATES];
  mstat m[NMETRICS];
  long visits, sat[4]; /* sat[PSVC_SAT_*] */
} group;

typedef struct tally {
  int by; /* 0 none, 1 type, 2 unit, 3 area */
  group *g;
  size_t ng, capg;
  int32_t *index; /* key number -> 1 + group index (0: none yet) */
  size_t nindex;
  group total;
  /* complaints */
  long comp_sub[NSUB], comp_area[NAREAS];
  long *comp_unit; /* by interned unit id, 0 .. ctx->strs.n */
} tally;

/* ---- the JSON writer ------------------------------------------------------------------ */

static void out(psvc__buf *b, const char *s) { psvc__buf_put(b, s, strlen(s)); }

static void outf(psvc__buf *b, const char *fmt, ...) PSVC_PRINTF(2, 3);
static void outf(psvc__buf *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  psvc__buf_put(b, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string: quotes, backslashes and control characters escaped
   (the text is valid UTF-8: every stored string is checked). */
static void jstr(psvc__buf *b, const char *s) {
  psvc__buf_byte(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') {
      psvc__buf_byte(b, '\\');
      psvc__buf_byte(b, *p);
    } else if (*p < 0x20) {
      outf(b, "\\u%04x", *p);
    } else {
      psvc__buf_byte(b, *p);
    }
  }
  psvc__buf_byte(b, '"');
}

static void jkey(psvc__buf *b, const char *k) {
  jstr(b, k);
  psvc__buf_byte(b, ':');
}

static void jlong(psvc__buf *b, const char *k, long v) {
  jkey(b, k);
  outf(b, "%ld", v);
}

/* A ratio with 4 decimals, or null when the denominator is 0. */
static void jrate(psvc__buf *b, const char *k, long num, long den) {
  jkey(b, k);
  if (den)
    outf(b, "%.4f", (double)num / (double)den);
  else
    out(b, "null");
}

/* An average with 1 decimal, or null when nothing was measured. */
static void javg(psvc__buf *b, const char *k, double sum, long n) {
  jkey(b, k);
  if (n)
    outf(b, "%.1f", sum / (double)n);
  else
    out(b, "null");
}

/* ISO 8601 UTC. */
static void jtime(psvc__buf *b, const char *k, psvc_time t) {
  int y, m, d;
  psvc_time day = t / 86400, s = t % 86400;
  psvc__civil_from_days(day, &y, &m, &d);
  jkey(b, k);
  outf(b, "\"%04d-%02d-%02dT%02d:%02d:%02dZ\"", y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
       (int)(s % 60));
}

/* ---- tallying orders ------------------------------------------------------------------- */

static const char *unit_of(const psvc_ctx *ctx, const psvc__order *o, uint32_t *id) {
  *id = o->st.responsible ? o->st.responsible
        : o->st.current   ? o->st.current
                          : o->opened_unit;
  const char *s = psvc__str(ctx, *id);
  return s && *s ? s : "(none)";
}

/* The group of an order (created on first use); NULL on out of memory. */
static group *group_of(tally *t, const psvc_ctx *ctx, const psvc__order *o) {
  size_t k;
  const char *name;
  uint32_t uid = 0;
  switch (t->by) {
  case 1: k = o->type, name = psvc_enum_name(PSVC_DOM_ORDER_TYPE, o->type); break;
  case 2: name = unit_of(ctx, o, &uid), k = uid; break;
  case 3:
    k = o->area;
    name = o->area ? psvc_enum_name(PSVC_DOM_AREA, o->area) : "NONE";
    break;
  default: k = 0, name = "all"; break;
  }
  if (k < t->nindex && t->index[k])
    return &t->g[t->index[k] - 1];
  if (k >= t->nindex) {
    size_t n = k + 1 > t->nindex * 2 ? k + 1 : t->nindex * 2;
    int32_t *v = psvc__realloc(t->index, n * sizeof *v);
    if (!v)
      return NULL;
    memset(v + t->nindex, 0, (n - t->nindex) * sizeof *v);
    t->index = v;
    t->nindex = n;
  }
  if (t->ng == t->capg) {
    size_t cap = t->capg ? t->capg * 2 : 8;
    group *v = psvc__realloc(t->g, cap * sizeof *v);
    if (!v)
      return NULL;
    t->g = v;
    t->capg = cap;
  }
  group *g = &t->g[t->ng];
  memset(g, 0, sizeof *g);
  g->key = name;
  t->index[k] = (int32_t)++t->ng;
  return g;
}

static void add_metric(mstat *m, const psvc_sla *s) {
  m->ever_breached += s->ever_breached != 0; /* also when the current cycle is N/A */
  switch (s->status) {
  case PSVC_SLA_MET: m->met++; break;
  case PSVC_SLA_BREACHED: m->breached++; break;
  case PSVC_SLA_PENDING: m->pending++; break;
  case PSVC_SLA_RUNNING:
  case PSVC_SLA_AT_RISK:
  case PSVC_SLA_PAUSED: m->running++; break;
  default: return; /* NOT_APPLICABLE */
  }
  if (s->stopped_at && (s->status == PSVC_SLA_MET || s->status == PSVC_SLA_BREACHED)) {
    m->stopped++;
    m->elapsed_sum += (double)s->elapsed_s;
  }
}

static void add_order(group *g, const psvc__order *o, const psvc_sla *s) {
  g->orders++;
  g->states[o->st.state < NSTATES ? o->st.state : 0]++;
  g->merged += o->st.state == PSVC_STATE_MERGED;
  g->reopened += o->st.reopens > 0;
  g->complaints += o->type == PSVC_ORDER_COMPLAINT;
  for (size_t i = 0; i < NMETRICS; i++)
    add_metric(&g->m[i], &s[i]);
  for (uint32_t i = 0; i < o->nev; i++)
    if (o->ev[i].action == PSVC_ACT_VISIT && o->ev[i].value >= 1 && o->ev[i].value <= 3) {
      g->visits++;
      g->sat[o->ev[i].value]++;
    }
}

static int tally_order(tally *t, psvc_ctx *ctx, const psvc__order *o, psvc_time now) {
  psvc_sla s[NMETRICS];
  for (size_t i = 0; i < NMETRICS; i++) {
    s[i].size = sizeof s[i];
    int rc = psvc__order_sla(ctx, o, metrics[i], now, &s[i]);
    if (rc)
      return rc;
  }
  group *g = t->by ? group_of(t, ctx, o) : NULL;
  if (t->by && !g)
    return PSVC_ENOMEM;
  add_order(&t->total, o, s);
  if (g)
    add_order(g, o, s);
  if (o->type == PSVC_ORDER_COMPLAINT) { /* */
    uint32_t uid;
    unit_of(ctx, o, &uid);
    t->comp_sub[o->subtype < NSUB ? o->subtype : 0]++;
    t->comp_area[o->area < NAREAS ? o->area : 0]++;
    t->comp_unit[uid]++;
  }
  return PSVC_OK;
}

/* ---- writing the sections ------------------------------------------------------------- */

static void write_metric(psvc__buf *b, const mstat *m) {
  psvc__buf_byte(b, '{');
  jlong(b, "met", m->met);
  psvc__buf_byte(b, ',');
  jlong(b, "breached", m->breached);
  psvc__buf_byte(b, ',');
  jlong(b, "running", m->running);
  psvc__buf_byte(b, ',');
  jlong(b, "pending", m->pending);
  psvc__buf_byte(b, ',');
  jlong(b, "ever_breached", m->ever_breached);
  psvc__buf_byte(b, ',');
  jrate(b, "on_time_rate", m->met, m->met + m->breached);
  psvc__buf_byte(b, ',');
  javg(b, "average_s", m->elapsed_sum, m->stopped);
  psvc__buf_byte(b, '}');
}

static void write_group(psvc__buf *b, const group *g, int64_t dispatch_target) {
  psvc__buf_byte(b, '{');
  jkey(b, "key");
  jstr(b, g->key);
  out(b, ",");
  jlong(b, "orders", g->orders);
  out(b, ",");
  jkey(b, "by_state");
  psvc__buf_byte(b, '{');
  for (int s = 1; s < NSTATES; s++) {
    if (s > 1)
      psvc__buf_byte(b, ',');
    jlong(b, psvc_enum_name(PSVC_DOM_STATE, s), g->states[s]);
  }
  out(b, "},");
  jlong(b, "merged", g->merged);
  out(b, ",");
  jlong(b, "reopened", g->reopened);
  out(b, ",");
  jlong(b, "complaints", g->complaints);
  out(b, ",");
  jkey(b, "metrics");
  psvc__buf_byte(b, '{');
  for (size_t i = 0; i < NMETRICS; i++) {
    if (i)
      psvc__buf_byte(b, ',');
    jkey(b, psvc_enum_name(PSVC_DOM_METRIC, metrics[i]));
    write_metric(b, &g->m[i]);
  }
  out(b, "},");
  /* the average T-2 time against its target */
  const mstat *d = &g->m[0];
  jkey(b, "dispatch");
  psvc__buf_byte(b, '{');
  jlong(b, "orders", d->stopped);
  out(b, ",");
  javg(b, "average_s", d->elapsed_sum, d->stopped);
  out(b, ",");
  jlong(b, "target_s", (long)dispatch_target);
  out(b, ",");
  jkey(b, "meets_target");
  out(b, !d->stopped ? "null"
         : d->elapsed_sum / (double)d->stopped <= (double)dispatch_target ? "true"
                                                                            : "false");
  out(b, "},");
  /* satisfaction from return visits */
  long good = g->sat[PSVC_SAT_SATISFIED] + g->sat[PSVC_SAT_FAIRLY_SATISFIED];
  jkey(b, "satisfaction");
  psvc__buf_byte(b, '{');
  jlong(b, "visits", g->visits);
  out(b, ",");
  jlong(b, "satisfied", g->sat[PSVC_SAT_SATISFIED]);
  out(b, ",");
  jlong(b, "fairly_satisfied", g->sat[PSVC_SAT_FAIRLY_SATISFIED]);
  out(b, ",");
  jlong(b, "unsatisfied", g->sat[PSVC_SAT_UNSATISFIED]);
  out(b, ",");
  jrate(b, "rate", good, g->visits);
  out(b, ",\"target\":0.9000,");
  jkey(b, "meets_target");
  out(b, !g->visits ? "null" : good * 10 >= g->visits * 9 ? "true" : "false");
  out(b, "}}");
}

static int cmp_group(const void *a, const void *b) {
  return strcmp(((const group *)a)->key, ((const group *)b)->key);
}

/* A name with counts, sorted by name for output. */
typedef struct named {
  const char *name;
  long a, b;
} named;

static int cmp_named(const void *x, const void *y) {
  return strcmp(((const named *)x)->name, ((const named *)y)->name);
}

/* complaints by subtype (W-15), unit and area. */
static void write_complaints(psvc__buf *b, const tally *t, const psvc_ctx *ctx) {
  out(b, "\"complaints\":{");
  jlong(b, "total", t->total.complaints);
  out(b, ",\"by_subtype\":{");
  for (int s = 1; s < NSUB; s++) {
    jlong(b, psvc_enum_name(PSVC_DOM_COMPLAINT, s), t->comp_sub[s]);
    psvc__buf_byte(b, ',');
  }
  jlong(b, "NONE", t->comp_sub[0]);
  out(b, "},\"by_area\":{");
  for (int a = 1; a < NAREAS; a++) {
    jlong(b, psvc_enum_name(PSVC_DOM_AREA, a), t->comp_area[a]);
    psvc__buf_byte(b, ',');
  }
  jlong(b, "NONE", t->comp_area[0]);
  out(b, "},\"by_unit\":{");
  size_t n = 0; /* units in name order */
  for (uint32_t u = 0; u <= ctx->strs.n; u++)
    n += t->comp_unit[u] != 0;
  named *v = psvc__malloc((n ? n : 1) * sizeof *v);
  if (!v) {
    b->oom = true;
    return;
  }
  n = 0;
  for (uint32_t u = 0; u <= ctx->strs.n; u++)
    if (t->comp_unit[u]) {
      const char *s = psvc__str(ctx, u);
      v[n++] = (named){s && *s ? s : "(none)", t->comp_unit[u], 0};
    }
  qsort(v, n, sizeof *v, cmp_named);
  for (size_t i = 0; i < n; i++) {
    if (i)
      psvc__buf_byte(b, ',');
    jlong(b, v[i].name, v[i].a);
  }
  psvc__free(v);
  out(b, "}}");
}

/* calls that arrived in the period. */
static void write_calls(psvc__buf *b, psvc_ctx *ctx, psvc_time from, psvc_time to) {
  long offered = 0, answered = 0, abandoned = 0, within = 0, breached = 0;
  double wait = 0;
  int64_t limit = psvc__call_answer_limit(ctx);
  for (size_t i = 0; i < ctx->calls.cap; i++) {
    const psvc__call_rec *c = ctx->calls.slots[i].value;
    if (!ctx->calls.slots[i].key || c->arrived < from || c->arrived >= to)
      continue;
    offered++;
    int64_t waited = (c->answered ? c->answered : c->ended) - c->arrived;
    if (c->answered) {
      answered++;
      wait += (double)waited;
      within += waited <= limit;
    } else {
      abandoned++;
    }
    breached += waited > limit;
  }
  out(b, "\"calls\":{");
  jlong(b, "offered", offered);
  out(b, ",");
  jlong(b, "answered", answered);
  out(b, ",");
  jlong(b, "abandoned", abandoned);
  out(b, ",");
  jlong(b, "answered_within_limit", within);
  out(b, ",");
  jlong(b, "breached", breached);
  out(b, ",");
  jlong(b, "limit_s", (long)limit);
  out(b, ",");
  jrate(b, "answer_rate", within, offered);
  out(b, ",");
  javg(b, "average_answer_s", wait, answered);
  out(b, "}");
}

/* Notices first published in the period, by kind (O-1) and unit (O-3). */
static void write_notices(psvc__buf *b, psvc_ctx *ctx, psvc_time from, psvc_time to) {
  long n[7][2] = {{0}}; /* [kind][0 met, 1 breached] */
  long changes = 0, late = 0;
  psvc__map seen = {0}; /* unit -> 1 + its index in units */
  named *units = NULL;
  size_t nunits = 0, cap = 0;
  for (size_t i = 0; i < ctx->notices.cap && !b->oom; i++) {
    const psvc__notice_rec *r = ctx->notices.slots[i].value;
    if (!ctx->notices.slots[i].key || r->first_published < from || r->first_published >= to)
      continue;
    psvc_sla s = {sizeof s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    psvc__notice_judge(r, &s);
    int br = s.status == PSVC_SLA_BREACHED;
    n[r->kind][br]++;
    changes += r->changes;
    late += r->late_changes;
    uintptr_t u = (uintptr_t)psvc__map_get(&seen, r->unit);
    if (!u) {
      if (nunits == cap) {
        cap = cap ? cap * 2 : 8;
        named *v = psvc__realloc(units, cap * sizeof *v);
        if (!v) {
          b->oom = true;
          break;
        }
        units = v;
      }
      if (psvc__map_reserve(&seen, 1) != PSVC_OK) {
        b->oom = true;
        break;
      }
      units[nunits++] = (named){r->unit, 0, 0};
      u = nunits;
      psvc__map_put(&seen, r->unit, (void *)u);
    }
    *(br ? &units[u - 1].b : &units[u - 1].a) += 1;
  }
  psvc__map_free(&seen);
  long met = 0, breached = 0;
  for (int k = 1; k <= 6; k++)
    met += n[k][0], breached += n[k][1];
  out(b, "\"notices\":{");
  jlong(b, "published", met + breached);
  out(b, ",");
  jlong(b, "met", met);
  out(b, ",");
  jlong(b, "breached", breached);
  out(b, ",");
  jlong(b, "changes", changes);
  out(b, ",");
  jlong(b, "late_changes", late);
  out(b, ",");
  jrate(b, "on_time_rate", met, met + breached);
  out(b, ",\"by_kind\":{");
  for (int k = 1; k <= 6; k++) {
    if (k > 1)
      psvc__buf_byte(b, ',');
    jkey(b, psvc_enum_name(PSVC_DOM_NOTICE_KIND, k));
    outf(b, "{\"published\":%ld,\"met\":%ld,\"breached\":%ld}", n[k][0] + n[k][1], n[k][0],
         n[k][1]);
  }
  out(b, "},\"by_unit\":{");
  if (nunits)
    qsort(units, nunits, sizeof *units, cmp_named);
  for (size_t i = 0; i < nunits; i++) {
    if (i)
      psvc__buf_byte(b, ',');
    jkey(b, units[i].name);
    outf(b, "{\"published\":%ld,\"met\":%ld,\"breached\":%ld}", units[i].a + units[i].b,
         units[i].a, units[i].b);
  }
  out(b, "}}");
  psvc__free(units);
}

/* T-12: when [from, to) is one local month (the default calendar's UTC
   offset), the report on it is due by the end of the 5th of the next. */
static void write_monthly(psvc__buf *b, psvc_ctx *ctx, psvc_time from, psvc_time to,
                          psvc_time now) {
  int64_t off = (int64_t)psvc__ctx_utc_offset(ctx) * 60;
  int y, m, d, y2, m2, d2;
  psvc_time lf = from + off, lt = to + off;
  psvc__civil_from_days(lf / 86400, &y, &m, &d);
  psvc__civil_from_days(lt / 86400, &y2, &m2, &d2);
  int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
  out(b, "\"monthly\":");
  if (lf % 86400 || lt % 86400 || d != 1 || d2 != 1 || y2 != ny || m2 != nm) {
    out(b, "null");
    return;
  }
  psvc_time due = (psvc__days_from_civil(ny, nm, 5) + 1) * 86400 - 1 - off;
  outf(b, "{\"month\":\"%04d-%02d\",", y, m);
  jtime(b, "due", due);
  out(b, ",");
  jtime(b, "produced_at", now);
  out(b, ",\"on_time\":");
  out(b, now <= due ? "true" : "false");
  out(b, ",\"rule\":\"T-12\"}");
}

/* ---- psvc_report_json -------------------------------------------------------------------- */

static int parse_group_by(const char *s) {
  static const char *const names[] = {"none", "type", "unit", "area"};
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0)
      return i;
  return -1;
}

static void tally_free(tally *t) {
  psvc__free(t->g);
  psvc__free(t->index);
  psvc__free(t->comp_unit);
}

static void write_doc(psvc__buf *b, psvc_ctx *ctx, tally *t, const char *group_by,
                      psvc_time from, psvc_time to, psvc_time now) {
  int64_t target = psvc__dispatch_target(ctx);
  out(b, "{\"schema\":\"psvc.report.v1\",\"period\":{");
  jtime(b, "from", from);
  out(b, ",");
  jtime(b, "to", to);
  out(b, ",");
  jtime(b, "now", now);
  outf(b, ",\"from_s\":%lld,\"to_s\":%lld,\"now_s\":%lld},", (long long)from, (long long)to,
       (long long)now);
  jkey(b, "group_by");
  jstr(b, group_by);
  out(b, ",\"groups\":[");
  t->total.key = "all";
  if (!t->by) { /* one group: the total */
    write_group(b, &t->total, target);
  } else {
    if (t->ng)
      qsort(t->g, t->ng, sizeof *t->g, cmp_group);
    for (size_t i = 0; i < t->ng; i++) {
      if (i)
        psvc__buf_byte(b, ',');
      write_group(b, &t->g[i], target);
    }
  }
  out(b, "],\"total\":");
  write_group(b, &t->total, target);
  out(b, ",");
  write_complaints(b, t, ctx);
  out(b, ",");
  write_calls(b, ctx, from, to);
  out(b, ",");
  write_notices(b, ctx, from, to);
  out(b, ",");
  write_monthly(b, ctx, from, to, now);
  out(b, "}\n");
}

PSVC_API int psvc_report_json(psvc_ctx *ctx, psvc_time from, psvc_time to, psvc_time now,
                              const char *group_by, char **json_out) {
  const char *fn = "psvc_report_json";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (!json_out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: json_out is NULL", fn);
  if (!group_by)
    group_by = "none";
  int by = parse_group_by(group_by);
  if (by < 0)
    return psvc__fail(ctx, PSVC_EINVAL,
                      "%s: group_by must be \"type\", \"unit\", \"area\" or \"none\"", fn);
  if (from < 0 || to > PSVC_TIME_MAX || now < 0 || now > PSVC_TIME_MAX || from >= to)
    return psvc__fail(ctx, PSVC_ERANGE,
                      "%s: the period must satisfy 0 <= from < to <= 9999-12-31, and now "
                      "lie in 1970 .. 9999", fn);
  tally t;
  memset(&t, 0, sizeof t);
  t.by = by;
  t.comp_unit = psvc__calloc((size_t)ctx->strs.n + 1, sizeof *t.comp_unit); /* ids 1..n */
  int rc = t.comp_unit ? PSVC_OK : PSVC_ENOMEM;
  for (size_t i = 0; i < ctx->orders.cap && rc == PSVC_OK; i++) {
    const psvc__order *o = ctx->orders.slots[i].value;
    if (ctx->orders.slots[i].key && o->accepted_at >= from && o->accepted_at < to)
      rc = tally_order(&t, ctx, o, now);
  }
  psvc__buf b = {0};
  if (rc == PSVC_OK)
    write_doc(&b, ctx, &t, group_by, from, to, now);
  tally_free(&t);
  if (rc == PSVC_OK && !b.oom)
    psvc__buf_byte(&b, 0);
  if (rc != PSVC_OK || b.oom) {
    psvc__buf_free(&b);
    if (rc == PSVC_ENOMEM || b.oom || rc == PSVC_OK)
      return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
    return rc;
  }
  *json_out = (char *)b.data;
  return PSVC_OK;
}
