/*
 * import.c — psvc import and psvc customer import: customers, order
 * histories, outage notices and calls from CSV (formats in README.md), in
 * one transaction (psvc_ctx_begin ... psvc_ctx_commit). Every row is
 * checked in full before it is applied; the first bad row is reported as
 * FILE:LINE: column NAME: what is wrong, the transaction is rolled back and
 * nothing of the import is committed.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { K_CUSTOMERS, K_ORDERS, K_NOTICES, K_CALLS, NKINDS };

static const char *const order_cols[] = {"order_id", "at",      "action",  "actor",
                                         "role",     "unit",    "target",  "value",
                                         "note",     "type",    "subtype", "channel",
                                         "area",     "customer_id", "summary"};
static const char *const notice_cols[] = {"notice_id", "kind", "unit",        "feeder",
                                          "start",     "end",  "published_at"};
static const char *const call_cols[] = {"call_id",  "arrived_at", "answered_at",
                                        "ended_at", "agent_id",   "order_id"};

static const struct kind_def {
  const char *name; /* "customer" */
  const char *const *cols;
  int ncols;
  const char *required; /* space-separated */
} kinds[NKINDS] = {
    {"customer", customer_cols, NCUSTOMER_COLS, "id"},
    {"order", order_cols, 15, "order_id at action actor role"},
    {"notice", notice_cols, 7, "notice_id kind unit feeder start end published_at"},
    {"call", call_cols, 6, "call_id arrived_at answered_at ended_at"},
};

#define MAXCOLS 32

typedef struct src {
  const char *path;
  csv r;
  int kind;
  int ncols;          /* header fields */
  int col[MAXCOLS];   /* header position -> column index of the kind */
  int pos[MAXCOLS];   /* column index -> header position, -1 if absent */
  long header_line;
} src;

typedef struct imp {
  cli *c;
  src *s;
  int nsrc;
  long counts[NKINDS], events, changes, warnings, rows;
  long estimate;
  int progress;
  struct timespec t0;
  /* the current row */
  const src *cur;
  char why[1600];
  const char *badcol;
} imp;

static int col_index(const struct kind_def *k, const char *name) {
  for (int i = 0; i < k->ncols; i++)
    if (strcmp(k->cols[i], name) == 0)
      return i;
  return -1;
}

static void list_cols(const struct kind_def *k, char *buf, size_t n) {
  size_t o = 0;
  buf[0] = 0;
  for (int i = 0; i < k->ncols; i++) {
    int w = snprintf(buf + o, n - o, "%s%s", i ? "," : "", k->cols[i]);
    if (w < 0 || (size_t)w >= n - o)
      break;
    o += (size_t)w;
  }
}

/* Reads the header and tells the file's kind. */
static int read_header(src *s, int only_customers) {
  char why[600];
  int col;
  csv_skip_comments(&s->r);
  int got = csv_next(&s->r, &col, why, sizeof why);
  long line = got == 0 ? s->r.line : s->r.rec_line;
  s->header_line = line;
  if (got < 0)
    return fail(EX_INPUT, "%s:%ld: header: %s", s->path, line, why);
  if (got == 0)
    return fail(EX_INPUT, "%s:%ld: missing header row: the file has no rows; the first row "
                          "must name the columns (README.md)", s->path, line);
  if (s->r.nfield > MAXCOLS)
    return fail(EX_INPUT, "%s:%ld: header: %zu columns, at most %d", s->path, line,
                s->r.nfield, MAXCOLS);
  /* the kind: among those whose key column (the first) is named, the one naming the
     most columns; if none names its key, the one naming the most columns */
  int best = -1, best_n = 0;
  for (int k = 0; k < NKINDS; k++) {
    int n = 0, key = 0;
    for (size_t i = 0; i < s->r.nfield; i++) {
      int ci = col_index(&kinds[k], s->r.field[i]);
      n += ci >= 0;
      key |= ci == 0;
    }
    n += key ? 1000 : 0;
    if (n > best_n)
      best = k, best_n = n;
  }
  if (best < 0)
    return fail(EX_INPUT,
                "%s:%ld: missing header row: the first row must name the columns, found '%s' "
                "where a column name was expected (README.md: customer, order, notice and call "
                "columns)",
                s->path, line, s->r.nfield ? s->r.field[0] : "");
  const struct kind_def *k = &kinds[best];
  if (only_customers && best != K_CUSTOMERS)
    return fail(EX_INPUT, "%s:%ld: header: this is %s %s file, not a customer file; import it "
                          "with `psvc import`",
                s->path, line, best == K_ORDERS ? "an" : "a", k->name);
  s->kind = best;
  s->ncols = (int)s->r.nfield;
  for (int i = 0; i < MAXCOLS; i++)
    s->pos[i] = -1;
  char names[400];
  list_cols(k, names, sizeof names);
  for (int i = 0; i < s->ncols; i++) {
    const char *name = s->r.field[i];
    int ci = col_index(k, name);
    if (ci < 0)
      return fail(EX_INPUT, "%s:%ld: column %s: unknown column (%s columns: %s)", s->path, line,
                  *name ? name : "(empty)", k->name, names);
    if (s->pos[ci] >= 0)
      return fail(EX_INPUT, "%s:%ld: column %s: named twice in the header", s->path, line, name);
    s->pos[ci] = i;
    s->col[i] = ci;
  }
  char req[128];
  snprintf(req, sizeof req, "%s", k->required);
  for (char *save = NULL, *tok = strtok_r(req, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
    if (s->pos[col_index(k, tok)] < 0)
      return fail(EX_INPUT, "%s:%ld: column %s: missing from the header (a %s file needs %s)",
                  s->path, line, tok, k->name, k->required);
  return EX_OK;
}

/* the value of a column in the current record: "" if the header lacks it */
static const char *val(const src *s, const char *name) {
  int ci = col_index(&kinds[s->kind], name);
  int p = ci >= 0 ? s->pos[ci] : -1;
  return p >= 0 ? s->r.field[p] : "";
}

static const char *opt_str(const char *v) { return *v ? v : NULL; }

static int bad(imp *m, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(imp *m, const char *col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  m->badcol = col;
  vsnprintf(m->why, sizeof m->why, fmt, ap);
  va_end(ap);
  return -1;
}

static int need_time(imp *m, const char *col, psvc_time *t, int required) {
  const char *v = val(m->cur, col);
  char why[600];
  if (!*v) {
    if (required)
      return bad(m, col, "a time is required");
    *t = 0;
    return 0;
  }
  if (parse_time(v, T_TIME, t, why, sizeof why))
    return bad(m, col, "%s", why);
  return 0;
}

static int need_id(imp *m, const char *col, int required) {
  const char *v = val(m->cur, col);
  if (!*v)
    return required ? bad(m, col, "an id is required") : 0;
  if (!valid_id(v))
    return bad(m, col, "bad id '%s' (1-64 characters of A-Z a-z 0-9 . _ -)", v);
  return 0;
}

/* library failure -> the row's error; returns the library code */
static int lib_bad(imp *m, int rc, const char *col) {
  m->badcol = col;
  snprintf(m->why, sizeof m->why, "%s", libmsg(m->c->ctx));
  return rc;
}

/* ---- rows ---------------------------------------------------------------------------- */

static int customer_row(imp *m) {
  const src *s = m->cur;
  const char *id = val(s, "id");
  if (need_id(m, "id", 1))
    return PSVC_EINVAL;
  psvc_customer *cu;
  if (psvc_customer_new(&cu, id) != PSVC_OK)
    return bad(m, "id", "%s", libmsg(NULL)), PSVC_EINVAL;
  for (int i = 0; i < s->ncols; i++) {
    const char *col = customer_cols[s->col[i]];
    if (customer_set_field(cu, col, s->r.field[i], m->why, sizeof m->why)) {
      psvc_customer_free(cu);
      m->badcol = col;
      return PSVC_EINVAL;
    }
  }
  psvc_findings *f;
  if (psvc_customer_check(cu, m->c->now, &f) != PSVC_OK) {
    psvc_customer_free(cu);
    return bad(m, "id", "out of memory"), PSVC_ENOMEM;
  }
  int rc = PSVC_OK;
  for (size_t i = 0; i < psvc_findings_count(f); i++)
    if (psvc_findings_severity(f, i) == PSVC_SEV_ERROR) {
      bad(m, customer_col_of_field(psvc_findings_field(f, i)), "rule %s: %s",
          psvc_findings_code(f, i), psvc_findings_message(f, i));
      rc = PSVC_EINVAL;
      break;
    }
  if (rc == PSVC_OK && psvc_findings_count(f))
    m->warnings++;
  psvc_findings_free(f);
  if (rc == PSVC_OK) {
    rc = opt_has(m->c, "replace") ? psvc_customer_save(m->c->ctx, cu)
                                   : psvc_customer_add(m->c->ctx, cu);
    if (rc == PSVC_EEXIST)
      bad(m, "id", "duplicate id: customer '%s' already exists (rule C-17; --replace "
                   "replaces)", id);
    else if (rc)
      lib_bad(m, rc, "id");
  }
  psvc_customer_free(cu);
  return rc;
}

static int order_row(imp *m) {
  const src *s = m->cur;
  orow r = {0};
  char why[600];
  const char *v;
  if (need_id(m, "order_id", 1))
    return PSVC_EINVAL;
  r.order_id = val(s, "order_id");
  if (need_time(m, "at", &r.at, 1))
    return PSVC_EINVAL;
  v = val(s, "action");
  if (!*v)
    return bad(m, "action", "an action is required (OPEN, or one of docs/lifecycle.md)"),
           PSVC_EINVAL;
  if (strcasecmp(v, "OPEN") != 0 && parse_enum(PSVC_DOM_ACTION, v, &r.action, why, sizeof why))
    return bad(m, "action", "%s (or OPEN)", why), PSVC_EINVAL;
  if (need_id(m, "actor", 1))
    return PSVC_EINVAL;
  r.actor = val(s, "actor");
  v = val(s, "role");
  if (!*v)
    return bad(m, "role", "a role is required"), PSVC_EINVAL;
  if (parse_enum(PSVC_DOM_ROLE, v, &r.role, why, sizeof why))
    return bad(m, "role", "%s", why), PSVC_EINVAL;
  r.unit = opt_str(val(s, "unit"));
  static const char *const open_only[] = {"type", "subtype", "channel", "area", "customer_id",
                                          "summary"};
  static const char *const event_only[] = {"target", "value", "note"};
  for (int i = 0; i < (r.action ? 6 : 3); i++) {
    const char *col = r.action ? open_only[i] : event_only[i];
    if (*val(s, col))
      return bad(m, col, "only %s row has a %s", r.action ? "an OPEN" : "an event (not OPEN)",
                 col),
             PSVC_EINVAL;
  }
  if (r.action == 0) {
    v = val(s, "type");
    if (!*v)
      return bad(m, "type", "an OPEN row needs the order type"), PSVC_EINVAL;
    if (parse_enum(PSVC_DOM_ORDER_TYPE, v, &r.type, why, sizeof why))
      return bad(m, "type", "%s", why), PSVC_EINVAL;
    if (*(v = val(s, "subtype"))) {
      int d = r.type == PSVC_ORDER_COMPLAINT          ? PSVC_DOM_COMPLAINT
              : r.type == PSVC_ORDER_SERVICE_REQUEST ? PSVC_DOM_REQUEST
                                                      : 0;
      if (!d)
        return bad(m, "subtype", "a %s order has no subtype (only COMPLAINT and "
                                 "SERVICE_REQUEST do)", psvc_enum_name(PSVC_DOM_ORDER_TYPE, r.type)),
               PSVC_EINVAL;
      if (parse_enum(d, v, &r.subtype, why, sizeof why))
        return bad(m, "subtype", "%s", why), PSVC_EINVAL;
    }
    v = val(s, "channel");
    if (!*v)
      return bad(m, "channel", "an OPEN row needs the channel"), PSVC_EINVAL;
    if (parse_enum(PSVC_DOM_CHANNEL, v, &r.channel, why, sizeof why))
      return bad(m, "channel", "%s", why), PSVC_EINVAL;
    if (*(v = val(s, "area")) && parse_enum(PSVC_DOM_AREA, v, &r.area, why, sizeof why))
      return bad(m, "area", "%s", why), PSVC_EINVAL;
    if (need_id(m, "customer_id", 0))
      return PSVC_EINVAL;
    r.customer_id = opt_str(val(s, "customer_id"));
    r.summary = opt_str(val(s, "summary"));
  } else {
    r.target = opt_str(val(s, "target"));
    r.note = opt_str(val(s, "note"));
    if (*(v = val(s, "value")) && parse_event_value(r.action, v, &r.value, why, sizeof why))
      return bad(m, "value", "%s", why), PSVC_EINVAL;
  }
  const char *col = "action";
  if (orow_check(&r, &col, m->why, sizeof m->why)) {
    m->badcol = col;
    return PSVC_EINVAL;
  }
  int rc = orow_apply(m->c->ctx, &r, &col, m->why, sizeof m->why);
  if (rc) {
    m->badcol = col;
    return rc;
  }
  if (r.action)
    m->events++;
  else
    m->counts[K_ORDERS]++;
  return PSVC_OK;
}

static int notice_row(imp *m) {
  const src *s = m->cur;
  psvc_notice n = PSVC_NOTICE_INIT;
  char why[600];
  if (need_id(m, "notice_id", 1))
    return PSVC_EINVAL;
  n.id = val(s, "notice_id");
  if (parse_enum(PSVC_DOM_NOTICE_KIND, val(s, "kind"), &n.kind, why, sizeof why))
    return bad(m, "kind", "%s", why), PSVC_EINVAL;
  n.unit = val(s, "unit");
  n.feeder = val(s, "feeder");
  if (!*n.unit)
    return bad(m, "unit", "the unit that runs the outage is required (O-3)"), PSVC_EINVAL;
  if (!*n.feeder)
    return bad(m, "feeder", "the affected feeder is required (O-2)"), PSVC_EINVAL;
  if (need_time(m, "start", &n.start, 1) || need_time(m, "end", &n.end, 1) ||
      need_time(m, "published_at", &n.published_at, 1))
    return PSVC_EINVAL;
  if (n.end <= n.start)
    return bad(m, "end", "the outage must end after it starts"), PSVC_EINVAL;
  psvc_sla before = PSVC_SLA_INIT;
  int again = psvc_notice_sla(m->c->ctx, n.id, &before) == PSVC_OK;
  int rc = psvc_notice_publish(m->c->ctx, &n);
  if (rc) {
    const char *msg = libmsg(m->c->ctx);
    return lib_bad(m, rc,
                   rc == PSVC_ERANGE && strstr(msg, "publi") ? "published_at"
                   : strstr(msg, "kind")                    ? "kind"
                   : strstr(msg, "unit")                    ? "unit"
                   : strstr(msg, "feeder")                  ? "feeder"
                   : rc == PSVC_ERANGE                      ? "published_at"
                                                            : "notice_id");
  }
  if (again)
    m->changes++;
  else
    m->counts[K_NOTICES]++;
  return PSVC_OK;
}

static int call_row(imp *m) {
  const src *s = m->cur;
  psvc_time arrived, answered, ended;
  if (need_id(m, "call_id", 1) || need_time(m, "arrived_at", &arrived, 1) ||
      need_time(m, "answered_at", &answered, 0) || need_time(m, "ended_at", &ended, 1) ||
      need_id(m, "agent_id", 0) || need_id(m, "order_id", 0))
    return PSVC_EINVAL;
  const char *order = opt_str(val(s, "order_id"));
  if (answered && answered < arrived)
    return bad(m, "answered_at", "answered before it arrived"), PSVC_EINVAL;
  if (ended < (answered ? answered : arrived))
    return bad(m, "ended_at", "ended before it was %s", answered ? "answered" : "arrived"),
           PSVC_EINVAL;
  if (order && !answered)
    return bad(m, "order_id", "an abandoned call (no answered_at) produced no order"),
           PSVC_EINVAL;
  int rc = psvc_call_record(m->c->ctx, val(s, "call_id"), arrived, answered, ended,
                            opt_str(val(s, "agent_id")), order);
  if (rc == PSVC_EEXIST)
    return bad(m, "call_id", "duplicate id: call '%s' is already recorded", val(s, "call_id")),
           rc;
  if (rc)
    return lib_bad(m, rc, rc == PSVC_ENOTFOUND ? "order_id" : "call_id");
  m->counts[K_CALLS]++;
  return PSVC_OK;
}

/* ---- the import ---------------------------------------------------------------------- */

static void show_progress(imp *m, int done) {
  if (!m->progress)
    return;
  long shown = m->rows < m->estimate ? m->rows : m->estimate;
  if (done) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "\rimported %ld records in %.1f s%30s\n", m->rows,
            (double)(t1.tv_sec - m->t0.tv_sec) + (double)(t1.tv_nsec - m->t0.tv_nsec) / 1e9, "");
  } else
    fprintf(stderr, "\rimporting %s: %ld of about %ld records (%ld%%)", m->cur->path, m->rows,
            m->estimate, m->estimate ? shown * 100 / m->estimate : 100);
  fflush(stderr);
}

/* reports the current row's error and returns the exit code */
static int row_failed(imp *m, int rc) {
  if (m->progress)
    fputc('\n', stderr);
  fprintf(stderr, "psvc: %s:%ld: column %s: %s\n", m->cur->path, m->cur->r.rec_line,
          m->badcol ? m->badcol : "?", m->why);
  return rc == PSVC_EIO || rc == PSVC_ECORRUPT ? EX_STORAGE : rc == PSVC_ENOMEM ? EX_OTHER
                                                                                 : EX_INPUT;
}

static int import_rows(imp *m, src *s) {
  static int (*const row_fn[NKINDS])(imp *) = {customer_row, order_row, notice_row, call_row};
  m->cur = s;
  show_progress(m, 0);
  for (;;) {
    int col;
    int got = csv_next(&s->r, &col, m->why, sizeof m->why);
    if (got == 0)
      return EX_OK;
    m->badcol = NULL;
    if (got < 0) {
      char name[64];
      snprintf(name, sizeof name, "%s", col > 0 && col <= s->ncols
                                            ? kinds[s->kind].cols[s->col[col - 1]]
                                            : "?");
      m->badcol = name;
      return row_failed(m, PSVC_EINVAL);
    }
    if ((int)s->r.nfield != s->ncols) {
      char name[80];
      if ((int)s->r.nfield < s->ncols)
        snprintf(name, sizeof name, "%s", kinds[s->kind].cols[s->col[s->r.nfield]]);
      else
        snprintf(name, sizeof name, "#%d", s->ncols + 1);
      snprintf(m->why, sizeof m->why, "%s: the row has %zu fields, the header %d",
               (int)s->r.nfield < s->ncols ? "missing" : "unexpected field", s->r.nfield,
               s->ncols);
      m->badcol = name;
      return row_failed(m, PSVC_EINVAL);
    }
    int rc = row_fn[s->kind](m);
    if (rc)
      return row_failed(m, rc);
    if (s->kind == K_CUSTOMERS)
      m->counts[K_CUSTOMERS]++;
    if ((++m->rows & 1023) == 0)
      show_progress(m, 0);
  }
}

int run_import(cli *c, int only_customers) {
  if (c->npos < 1)
    return fail(EX_USAGE, "%s: give one or more CSV files (psvc %s --help)",
                only_customers ? "customer import" : "import",
                only_customers ? "customer import" : "import");
  imp m;
  memset(&m, 0, sizeof m);
  m.c = c;
  m.s = calloc((size_t)c->npos, sizeof *m.s);
  if (!m.s)
    return fail(EX_OTHER, "out of memory");
  int rc = EX_OK;
  for (int i = 0; i < c->npos && rc == EX_OK; i++) {
    char why[600];
    m.s[i].path = c->pos[i];
    if ((rc = csv_open(&m.s[i].r, c->pos[i], why, sizeof why)) != EX_OK) {
      fail(rc, "%s", why);
      break;
    }
    m.nsrc = i + 1;
    rc = read_header(&m.s[i], only_customers);
    m.estimate += csv_estimate(&m.s[i].r);
  }
  /* customers, then orders, then notices, then calls; files of a kind as given */
  src **order = calloc((size_t)c->npos, sizeof *order);
  int norder = 0;
  if (!order && rc == EX_OK)
    rc = fail(EX_OTHER, "out of memory");
  for (int k = 0; k < NKINDS && rc == EX_OK; k++)
    for (int i = 0; i < m.nsrc; i++)
      if (m.s[i].kind == k)
        order[norder++] = &m.s[i];
  if (rc == EX_OK)
    rc = db_open(c, 0);
  int lrc = PSVC_OK;
  if (rc == EX_OK && (lrc = psvc_ctx_begin(c->ctx)) != PSVC_OK)
    rc = fail_lib(lrc, c->ctx, "%s", c->db);
  if (rc == EX_OK) {
    m.progress = isatty(STDOUT_FILENO) && m.estimate > progress_min();
    clock_gettime(CLOCK_MONOTONIC, &m.t0);
    for (int i = 0; i < norder && rc == EX_OK; i++)
      rc = import_rows(&m, order[i]);
    if (rc == EX_OK) {
      if ((lrc = psvc_ctx_commit(c->ctx)) != PSVC_OK)
        rc = fail_lib(lrc, c->ctx, "%s: commit", c->db);
      else
        show_progress(&m, 1);
    } else if ((lrc = psvc_ctx_rollback(c->ctx)) != PSVC_OK)
      fail_lib(lrc, c->ctx, "%s: rollback", c->db);
    else
      fprintf(stderr, "psvc: nothing was imported: %s is as it was\n", c->db);
  }
  if (rc == EX_OK) {
    if (c->json) {
      jw j;
      jw_init(&j, stdout);
      jw_obj(&j);
      jw_kstr(&j, "journal", c->db);
      jw_key(&j, "files");
      jw_arr(&j);
      for (int i = 0; i < norder; i++) {
        jw_obj(&j);
        jw_kstr(&j, "path", order[i]->path);
        jw_kstr(&j, "kind", kinds[order[i]->kind].name);
        jw_end_obj(&j);
      }
      jw_end_arr(&j);
      jw_kint(&j, "customers", m.counts[K_CUSTOMERS]);
      jw_kint(&j, "orders", m.counts[K_ORDERS]);
      jw_kint(&j, "events", m.events);
      jw_kint(&j, "notices", m.counts[K_NOTICES]);
      jw_kint(&j, "notice_changes", m.changes);
      jw_kint(&j, "calls", m.counts[K_CALLS]);
      jw_kint(&j, "customers_with_findings", m.warnings);
      jw_end_obj(&j);
      jw_end(&j);
    } else {
      printf("imported into %s: %ld customers, %ld orders with %ld events, %ld notices "
             "(%ld re-publications), %ld calls\n",
             c->db, m.counts[K_CUSTOMERS], m.counts[K_ORDERS], m.events, m.counts[K_NOTICES],
             m.changes, m.counts[K_CALLS]);
      if (m.warnings)
        printf("%ld customers have WARNING or INFO findings: psvc customer check\n", m.warnings);
    }
  }
  for (int i = 0; i < m.nsrc; i++)
    csv_close(&m.s[i].r);
  free(order);
  free(m.s);
  return rc;
}

int cmd_import(cli *c) { return run_import(c, 0); }
