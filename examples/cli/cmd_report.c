/*
 * cmd_report.c — psvc report (the KPI report, rules Q-1 ..., T-12)
 * and psvc export (JSON Lines), with the reader of stored NOTICE and CALL
 * records (docs/storage.md) that both need.
 */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- NOTICE and CALL records --------------------------------------------------------- */

typedef struct rd {
  const unsigned char *p, *end;
} rd;

static int varint(rd *r, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (r->p >= r->end)
      return -1;
    unsigned char b = *r->p++;
    v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return 0;
    }
  }
  return -1;
}

static int64_t unzig(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* Calls field(arg, tag, number, text, len) for each field; -1 if malformed. */
static int decode(const void *data, size_t len, int kind,
                  void (*field)(void *arg, unsigned tag, uint64_t num, const char *s, size_t n),
                  void *arg) {
  const unsigned char *b = data;
  if (len < 2 || b[0] != 1 || b[1] != kind)
    return -1;
  rd r = {b + 2, b + len};
  while (r.p < r.end) {
    uint64_t key, v;
    if (varint(&r, &key))
      return -1;
    unsigned tag = (unsigned)(key >> 3), wt = (unsigned)(key & 7);
    if (varint(&r, &v))
      return -1;
    if (wt == 0)
      field(arg, tag, v, NULL, 0);
    else if (wt == 2) {
      if (v > (uint64_t)(r.end - r.p))
        return -1;
      field(arg, tag, 0, (const char *)r.p, (size_t)v);
      r.p += v;
    } else
      return -1;
  }
  return 0;
}

static char *dupn(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

static void notice_field(void *arg, unsigned tag, uint64_t num, const char *s, size_t n) {
  notice_rec *r = arg;
  char **str = tag == 1 ? &r->id : tag == 3 ? &r->unit : tag == 4 ? &r->feeder : NULL;
  if (s && str) {
    free(*str);
    *str = dupn(s, n);
    return;
  }
  int64_t z = unzig(num);
  switch (tag) {
  case 2: r->kind = (int)num; break;
  case 5: r->start = z; break;
  case 6: r->end = z; break;
  case 7: r->published = z; break;
  case 8: r->first_start = z; break;
  case 9: r->first_published = z; break;
  case 10: r->changes = z; break;
  case 11: r->late_changes = z; break;
  default: break; /* unknown tags are skipped (docs/storage.md) */
  }
}

static void call_field(void *arg, unsigned tag, uint64_t num, const char *s, size_t n) {
  call_rec *r = arg;
  char **str = tag == 1 ? &r->id : tag == 5 ? &r->agent : tag == 6 ? &r->order : NULL;
  if (s && str) {
    free(*str);
    *str = dupn(s, n);
    return;
  }
  int64_t z = unzig(num);
  switch (tag) {
  case 2: r->arrived = z; break;
  case 3: r->answered = z; break;
  case 4: r->ended = z; break;
  default: break;
  }
}

typedef struct collect {
  int kind;
  size_t elem;
  void *v;
  size_t n, cap;
  int bad;
} collect;

static int each_record(void *arg, const char *key, const void *data, size_t len) {
  collect *col = arg;
  (void)key;
  if (col->n == col->cap) {
    size_t cap = col->cap ? col->cap * 2 : 64;
    void *nv = realloc(col->v, cap * col->elem);
    if (!nv)
      return -1;
    col->v = nv;
    col->cap = cap;
  }
  void *slot = (char *)col->v + col->n * col->elem;
  memset(slot, 0, col->elem);
  col->n++;
  int rc = col->kind == PSVC_REC_NOTICE ? decode(data, len, col->kind, notice_field, slot)
                                        : decode(data, len, col->kind, call_field, slot);
  if (rc || !*(char **)slot) /* id is the first member of both */
    col->bad = 1;
  return col->bad ? -2 : 0;
}

static int scan_kind(cli *c, int kind, size_t elem, void **out, size_t *n) {
  collect col = {kind, elem, NULL, 0, 0, 0};
  int rc = c->store.scan(c->store.user, kind, each_record, &col);
  *out = col.v;
  *n = col.n;
  if (col.bad)
    return fail(EX_STORAGE, "%s: a %s record does not decode", c->db,
                kind == PSVC_REC_NOTICE ? "NOTICE" : "CALL");
  if (rc)
    return fail(rc == -1 ? EX_OTHER : EX_STORAGE, "%s: reading the %s records failed (%d)", c->db,
                kind == PSVC_REC_NOTICE ? "NOTICE" : "CALL", rc);
  return EX_OK;
}

int scan_notices(cli *c, notice_rec **out, size_t *n) {
  void *v;
  int rc = scan_kind(c, PSVC_REC_NOTICE, sizeof(notice_rec), &v, n);
  *out = v;
  if (rc) {
    free_notices(*out, *n);
    *out = NULL;
    *n = 0;
  }
  return rc;
}

int scan_calls(cli *c, call_rec **out, size_t *n) {
  void *v;
  int rc = scan_kind(c, PSVC_REC_CALL, sizeof(call_rec), &v, n);
  *out = v;
  if (rc) {
    free_calls(*out, *n);
    *out = NULL;
    *n = 0;
  }
  return rc;
}

void free_notices(notice_rec *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].id);
    free(v[i].unit);
    free(v[i].feeder);
  }
  free(v);
}

void free_calls(call_rec *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].id);
    free(v[i].agent);
    free(v[i].order);
  }
  free(v);
}

void jw_notice(jw *j, const notice_rec *r) {
  jw_obj(j);
  jw_kstr(j, "kind", "notice");
  jw_kstr(j, "id", r->id);
  jw_kstr(j, "notice_kind", ename(PSVC_DOM_NOTICE_KIND, r->kind));
  jw_kstr(j, "unit", r->unit);
  jw_kstr(j, "feeder", r->feeder);
  jw_ktime(j, "start", r->start);
  jw_ktime(j, "end", r->end);
  jw_ktime(j, "published_at", r->published);
  jw_ktime(j, "first_start", r->first_start);
  jw_ktime(j, "first_published_at", r->first_published);
  jw_kint(j, "changes", r->changes);
  jw_kint(j, "late_changes", r->late_changes);
  jw_end_obj(j);
}

void jw_call(jw *j, const call_rec *r) {
  jw_obj(j);
  jw_kstr(j, "kind", "call");
  jw_kstr(j, "id", r->id);
  jw_ktime(j, "arrived_at", r->arrived);
  jw_ktime(j, "answered_at", r->answered);
  jw_ktime(j, "ended_at", r->ended);
  jw_kstr(j, "agent_id", r->agent);
  jw_kstr(j, "order_id", r->order);
  jw_end_obj(j);
}

/* ---- report -------------------------------------------------------------------------- */

static const char *const metric_names[] = {"DISPATCH", "ARRIVAL", "REPLY",
                                           "RESOLVE",  "VISIT",   "CONTACT"};

static const char *pct(const jv *rate, char *buf, size_t n) {
  if (!rate || rate->type != JV_NUM)
    return "-";
  snprintf(buf, n, "%.1f%%", rate->num * 100.0);
  return buf;
}

static const char *num(long long v, char *buf, size_t n) {
  snprintf(buf, n, "%lld", v);
  return buf;
}

static const char *secs_text(const jv *v, char *buf, size_t n) {
  if (!v || v->type != JV_NUM)
    return "-";
  return fmt_dur((int64_t)(v->num + 0.5), buf, n);
}

/* "met/breached rate" of a metric object */
static const char *metric_cell(const jv *m, char *buf, size_t n) {
  long long met = jv_int(jv_get(m, "met")), br = jv_int(jv_get(m, "breached"));
  if (!m || (met == 0 && br == 0))
    return "-";
  char p[16];
  snprintf(buf, n, "%lld/%lld %s", met, br, pct(jv_get(m, "on_time_rate"), p, sizeof p));
  return buf;
}

static void counts_line(const char *title, const jv *obj) {
  printf("  %s:", title);
  int any = 0;
  for (size_t i = 0; obj && i < obj->n; i++)
    if (jv_int(&obj->items[i])) {
      printf("%s %s %lld", any ? "," : "", obj->keys[i], jv_int(&obj->items[i]));
      any = 1;
    }
  printf("%s\n", any ? "" : " none");
}

static int render_report(const char *json, const char *group_by) {
  jv doc;
  if (jv_parse(json, &doc))
    return fail(EX_OTHER, "the library's report is not valid JSON");
  char a[64], b[64], cbuf[64];
  const jv *period = jv_get(&doc, "period");
  printf("KPI report %s .. %s (UTC+08:00), evaluated at %s, grouped by %s\n",
         fmt_local(jv_int(jv_get(period, "from_s")), a, sizeof a),
         fmt_local(jv_int(jv_get(period, "to_s")), b, sizeof b),
         fmt_local(jv_int(jv_get(period, "now_s")), cbuf, sizeof cbuf), group_by);
  const jv *monthly = jv_get(&doc, "monthly");
  psvc_time due = 0;
  if (monthly && monthly->type == JV_OBJ)
    printf("monthly report %s (T-12): due %s, %s\n", jv_text(jv_get(monthly, "month")),
           parse_time(jv_text(jv_get(monthly, "due")), T_TIME, &due, a, sizeof a) == 0
               ? fmt_local(due, b, sizeof b)
               : jv_text(jv_get(monthly, "due")),
           jv_get(monthly, "on_time") && jv_get(monthly, "on_time")->b ? "on time" : "LATE");

  /* orders by group */
  const jv *groups = jv_get(&doc, "groups"), *total = jv_get(&doc, "total");
  static const char *const ocols[] = {"group",    ">orders", ">open",    ">closed", ">cancelled",
                                      ">merged",  ">reopened", ">complaints"};
  tbl *t = tbl_new(8, ocols);
  for (size_t i = 0; groups && i <= groups->n; i++) {
    const jv *g = i < groups->n ? &groups->items[i] : total;
    const jv *bs = jv_get(g, "by_state");
    long long closed = jv_int(jv_get(bs, "CLOSED")), cancelled = jv_int(jv_get(bs, "CANCELLED")),
              merged = jv_int(jv_get(bs, "MERGED")), orders = jv_int(jv_get(g, "orders"));
    char n1[24], n2[24], n3[24], n4[24], n5[24], n6[24], n7[24];
    tbl_add(t, i < groups->n ? jv_text(jv_get(g, "key")) : "TOTAL", num(orders, n1, sizeof n1),
            num(orders - closed - cancelled - merged, n2, sizeof n2), num(closed, n3, sizeof n3),
            num(cancelled, n4, sizeof n4), num(jv_int(jv_get(g, "merged")), n5, sizeof n5),
            num(jv_int(jv_get(g, "reopened")), n6, sizeof n6),
            num(jv_int(jv_get(g, "complaints")), n7, sizeof n7));
  }
  printf("\norders accepted in the period:\n");
  tbl_print(t, stdout);
  tbl_free(t);

  /* on-time rates */
  static const char *const mcols[] = {"group",   ">DISPATCH", ">ARRIVAL", ">REPLY",
                                      ">RESOLVE", ">VISIT",    ">CONTACT"};
  t = tbl_new(7, mcols);
  for (size_t i = 0; groups && i <= groups->n; i++) {
    const jv *g = i < groups->n ? &groups->items[i] : total;
    const jv *ms = jv_get(g, "metrics");
    char cell[6][48];
    const char *cells[6];
    for (int k = 0; k < 6; k++)
      cells[k] = metric_cell(jv_get(ms, metric_names[k]), cell[k], sizeof cell[k]);
    tbl_add(t, i < groups->n ? jv_text(jv_get(g, "key")) : "TOTAL", cells[0], cells[1], cells[2],
            cells[3], cells[4], cells[5]);
  }
  printf("\non-time rate by time limit (Q-1), met/breached:\n");
  tbl_print(t, stdout);
  tbl_free(t);

  const jv *tm = jv_get(total, "metrics");
  static const char *const scols[] = {"time limit", ">met",          ">breached", ">running",
                                      ">pending",   ">ever breached", ">on time", ">average"};
  t = tbl_new(8, scols);
  for (int k = 0; k < 6; k++) {
    const jv *m = jv_get(tm, metric_names[k]);
    char n1[24], n2[24], n3[24], n4[24], n5[24], p[16], avg[40];
    tbl_add(t, metric_names[k], num(jv_int(jv_get(m, "met")), n1, sizeof n1),
            num(jv_int(jv_get(m, "breached")), n2, sizeof n2),
            num(jv_int(jv_get(m, "running")), n3, sizeof n3),
            num(jv_int(jv_get(m, "pending")), n4, sizeof n4),
            num(jv_int(jv_get(m, "ever_breached")), n5, sizeof n5),
            pct(jv_get(m, "on_time_rate"), p, sizeof p), secs_text(jv_get(m, "average_s"), avg, sizeof avg));
  }
  printf("\nall orders, by time limit:\n");
  tbl_print(t, stdout);
  tbl_free(t);

  const jv *d = jv_get(total, "dispatch"), *s = jv_get(total, "satisfaction");
  const jv *mt = jv_get(d, "meets_target");
  printf("\nentry and dispatch (Q-3, T-2): %lld orders, average %s s, target %s s: %s\n",
         jv_int(jv_get(d, "orders")), jv_text(jv_get(d, "average_s")),
         jv_text(jv_get(d, "target_s")),
         !mt || mt->type != JV_BOOL ? "-" : mt->b ? "met" : "NOT MET");
  char p[16];
  mt = jv_get(s, "meets_target");
  printf("satisfaction (Q-4): %lld return visits, %lld satisfied, %lld fairly satisfied, "
         "%lld unsatisfied: %s (target 90%%): %s\n",
         jv_int(jv_get(s, "visits")), jv_int(jv_get(s, "satisfied")),
         jv_int(jv_get(s, "fairly_satisfied")), jv_int(jv_get(s, "unsatisfied")),
         pct(jv_get(s, "rate"), p, sizeof p),
         !mt || mt->type != JV_BOOL ? "-" : mt->b ? "met" : "NOT MET");

  const jv *calls = jv_get(&doc, "calls");
  printf("calls (Q-2, T-1): %lld offered, %lld answered, %lld abandoned, %lld answered within "
         "%s s, answer rate %s, average answer %s s\n",
         jv_int(jv_get(calls, "offered")), jv_int(jv_get(calls, "answered")),
         jv_int(jv_get(calls, "abandoned")), jv_int(jv_get(calls, "answered_within_limit")),
         jv_text(jv_get(calls, "limit_s")), pct(jv_get(calls, "answer_rate"), p, sizeof p),
         jv_text(jv_get(calls, "average_answer_s")));

  const jv *comp = jv_get(&doc, "complaints");
  printf("\ncomplaints (Q-7): %lld\n", jv_int(jv_get(comp, "total")));
  counts_line("by category", jv_get(comp, "by_subtype"));
  counts_line("by area", jv_get(comp, "by_area"));
  counts_line("by unit", jv_get(comp, "by_unit"));

  const jv *no = jv_get(&doc, "notices");
  printf("\noutage notices (T-7 ... T-10): %lld published, %lld met, %lld breached, "
         "%lld changes (%lld late), on time %s\n",
         jv_int(jv_get(no, "published")), jv_int(jv_get(no, "met")),
         jv_int(jv_get(no, "breached")), jv_int(jv_get(no, "changes")),
         jv_int(jv_get(no, "late_changes")), pct(jv_get(no, "on_time_rate"), p, sizeof p));
  const jv *bu = jv_get(no, "by_unit");
  for (size_t i = 0; bu && i < bu->n; i++)
    printf("  %s: %lld published, %lld met, %lld breached\n", bu->keys[i],
           jv_int(jv_get(&bu->items[i], "published")), jv_int(jv_get(&bu->items[i], "met")),
           jv_int(jv_get(&bu->items[i], "breached")));
  jv_free(&doc);
  return EX_OK;
}

int cmd_report(cli *c) {
  if (c->npos)
    return fail(EX_USAGE, "report takes no arguments (psvc report --help)");
  psvc_time from = 0, to = 0;
  char why[600];
  const char *month = opt_get(c, "month"), *f = opt_get(c, "from"), *t = opt_get(c, "to");
  if (month) {
    if (f || t)
      return fail(EX_USAGE, "report: --month or --from/--to, not both");
    if (parse_month(month, &from, &to))
      return fail(EX_USAGE, "--month: bad month '%s' (YYYY-MM)", month);
  } else {
    if (!f || !t)
      return fail(EX_USAGE, "report: give --from and --to, or --month (psvc report --help)");
    if (parse_time(f, T_DATE_START, &from, why, sizeof why))
      return fail(EX_USAGE, "--from: %s", why);
    if (parse_time(t, T_DATE_START, &to, why, sizeof why))
      return fail(EX_USAGE, "--to: %s", why);
    if (from >= to)
      return fail(EX_USAGE, "report: --from must be before --to");
  }
  const char *group_by = opt_get(c, "group-by") ? opt_get(c, "group-by") : "type";
  if (strcmp(group_by, "type") && strcmp(group_by, "unit") && strcmp(group_by, "area") &&
      strcmp(group_by, "none"))
    return fail(EX_USAGE, "--group-by: '%s' is not type, unit, area or none", group_by);
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  /* the progress line: only for a big report, only on a terminal */
  size_t records = 0;
  int progress = 0;
  struct timespec t0, t1;
  if (isatty(STDOUT_FILENO)) {
    psvc_filter flt = PSVC_FILTER_INIT;
    psvc_list *l;
    flt.from = from;
    flt.to = to;
    if (psvc_order_find(c->ctx, &flt, &l) == PSVC_OK) {
      records = psvc_list_count(l);
      psvc_list_free(l);
    }
    progress = records > (size_t)progress_min();
    if (progress) {
      fprintf(stderr, "\rreport: evaluating %zu orders ...", records);
      fflush(stderr);
      clock_gettime(CLOCK_MONOTONIC, &t0);
    }
  }
  char *json;
  int lrc = psvc_report_json(c->ctx, from, to, c->now, group_by, &json);
  if (progress) {
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "\rreport: evaluated %zu orders in %.1f s   \n", records,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  }
  if (lrc)
    return fail_lib(lrc, c->ctx, "report");
  if (c->json)
    fputs(json, stdout);
  else
    rc = render_report(json, group_by);
  psvc_free(json);
  return rc;
}

/* ---- export -------------------------------------------------------------------------- */

int cmd_export(cli *c) {
  if (c->npos)
    return fail(EX_USAGE, "export takes no arguments (psvc export --help)");
  int want[4] = {1, 1, 1, 1}; /* customer, order, notice, call */
  const char *kinds = opt_get(c, "kind");
  if (kinds) {
    static const char *const names[] = {"customer", "order", "notice", "call"};
    char buf[256];
    memset(want, 0, sizeof want);
    snprintf(buf, sizeof buf, "%s", kinds);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
      int k = -1;
      size_t len = strlen(tok);
      for (int i = 0; i < 4; i++)
        if (strcasecmp(tok, names[i]) == 0 ||
            (len == strlen(names[i]) + 1 && strncasecmp(tok, names[i], len - 1) == 0 &&
             (tok[len - 1] == 's' || tok[len - 1] == 'S')))
          k = i;
      if (k < 0)
        return fail(EX_USAGE, "--kind: unknown kind '%s' (customer, order, notice, call)", tok);
      want[k] = 1;
    }
  }
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  const char *path = opt_get(c, "output");
  FILE *out = stdout;
  if (path && strcmp(path, "-") != 0 && !(out = fopen(path, "w")))
    return fail(EX_INPUT, "--output: cannot write %s", path);
  jw j;
  jw_init(&j, out);
  long counts[4] = {0};
  psvc_list *l = NULL;
  if (want[0]) {
    if ((rc = psvc_customer_list(c->ctx, &l)) != PSVC_OK)
      goto libfail;
    for (size_t i = 0; i < psvc_list_count(l); i++) {
      psvc_customer *cu;
      if ((rc = psvc_customer_load(c->ctx, psvc_list_id(l, i), &cu)) != PSVC_OK)
        goto libfail;
      jw_customer(&j, c, cu);
      jw_end(&j);
      psvc_customer_free(cu);
      counts[0]++;
    }
    psvc_list_free(l);
    l = NULL;
  }
  if (want[1]) {
    psvc_filter flt = PSVC_FILTER_INIT;
    if ((rc = psvc_order_find(c->ctx, &flt, &l)) != PSVC_OK)
      goto libfail;
    for (size_t i = 0; i < psvc_list_count(l); i++) {
      psvc_order *o;
      if ((rc = psvc_order_load(c->ctx, psvc_list_id(l, i), &o)) != PSVC_OK)
        goto libfail;
      jw_order(&j, o, 1);
      jw_end(&j);
      psvc_order_free(o);
      counts[1]++;
    }
    psvc_list_free(l);
    l = NULL;
  }
  int out_rc = EX_OK;
  if (want[2]) {
    notice_rec *v;
    size_t n;
    if ((out_rc = scan_notices(c, &v, &n)) == EX_OK) {
      for (size_t i = 0; i < n; i++) {
        jw_notice(&j, &v[i]);
        jw_end(&j);
      }
      counts[2] = (long)n;
      free_notices(v, n);
    }
  }
  if (want[3] && out_rc == EX_OK) {
    call_rec *v;
    size_t n;
    if ((out_rc = scan_calls(c, &v, &n)) == EX_OK) {
      for (size_t i = 0; i < n; i++) {
        jw_call(&j, &v[i]);
        jw_end(&j);
      }
      counts[3] = (long)n;
      free_calls(v, n);
    }
  }
  if (out != stdout && fclose(out) != 0)
    return fail(EX_OTHER, "--output: writing %s failed", path);
  if (out != stdout && out_rc == EX_OK)
    fprintf(stderr, "exported %ld customers, %ld orders, %ld notices, %ld calls to %s\n",
            counts[0], counts[1], counts[2], counts[3], path);
  return out_rc;
libfail:
  psvc_list_free(l);
  if (out != stdout)
    fclose(out);
  return fail_lib(rc, c->ctx, "export");
}
