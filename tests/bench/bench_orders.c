/*
 * bench_orders.c — libpowersvc's work orders against the SQLite
 * implementation an integrator would otherwise write, in the same run.
 *
 *   bench_orders [N [QUERIES]]      N orders (default 100,000), QUERIES
 *                                   find-by-unit queries (default 1,000)
 *
 * Three measurements, each on both sides:
 *
 *  1. lifecycle: open N FAULT_REPAIR orders and apply a realistic 8-event
 *     course to each (DISPATCH, URGE, RECEIVE, ARRIVE, NOTE, RESOLVE,
 *     VISIT, CLOSE), order after order, by an agent and the repair crew of
 *     one of 200 units -> events/s (the open is timed, not counted).
 *     libpowersvc: psvc_order_open / psvc_order_apply on an in-memory
 *     context (psvc_ctx_open(&ctx, NULL)). SQLite: an in-memory database
 *     with an orders table, an events table and a transitions table filled
 *     from the library's own lifecycle table (so both enforce the same
 *     rules and role grants); per event a SELECT of the order's state, a
 *     SELECT of the allowed transition, an INSERT of the event and an
 *     UPDATE of the order, with prepared statements, primary keys, and one
 *     transaction per 1,000 orders.
 *  2. find by unit: psvc_order_find with a unit filter vs SELECT ... WHERE
 *     current_unit = ? ORDER BY accepted_at, id with an index on
 *     current_unit -> microseconds per query. The two answers are compared.
 *  3. memory: the library's live bytes per order (opened, 8 events), counted
 *     with psvc_set_allocator, vs sqlite3_memory_used(). Both count the
 *     bytes requested (SQLite rounds each to 8), not malloc's own overhead.
 *
 * Timing uses clock_gettime(CLOCK_MONOTONIC). Built only with
 * -DPSVC_BUILD_BENCH=ON; without SQLite's development files the baseline is
 * left out and the bench says so.
 */
#include "internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef PSVC_BENCH_SQLITE
#include <sqlite3.h>
#endif

#define UNITS 200
#define EVENTS_PER_ORDER 8
#define BATCH 1000 /* orders per SQLite transaction */
#define BASE_TIME ((psvc_time)1717200000) /* 2024-06-01T00:00:00Z */
#define ID_LEN 24

/* ---- the workload ---------------------------------------------------------- */

typedef struct script_step {
  int action;
  bool by_crew;      /* the unit's repair crew, else the call-center agent */
  bool target_unit;  /* target = the order's unit (DISPATCH) */
  int value;         /* VISIT: satisfaction */
  const char *note;
  psvc_time after;   /* seconds after acceptance */
} script_step;

static const script_step script[EVENTS_PER_ORDER] = {
    {PSVC_ACT_DISPATCH, false, true, 0, NULL, 60},
    {PSVC_ACT_URGE, false, false, 0, "customer called again", 600},
    {PSVC_ACT_RECEIVE, true, false, 0, NULL, 900},
    {PSVC_ACT_ARRIVE, true, false, 0, NULL, 2400},
    {PSVC_ACT_NOTE, true, false, 0, "fuse of the meter box replaced", 3000},
    {PSVC_ACT_RESOLVE, true, false, 0, NULL, 3600},
    {PSVC_ACT_VISIT, false, false, PSVC_SAT_SATISFIED, NULL, 86400},
    {PSVC_ACT_CLOSE, false, false, 0, NULL, 90000},
};

static const char *const SUMMARY = "no power at the meter box since 08:00";
static const char *const AGENT_ID = "agent-0042";
static const char *const AGENT_UNIT = "95598-center";

typedef struct workload {
  size_t n;
  char (*ids)[ID_LEN];              /* order ids */
  char units[UNITS][ID_LEN];        /* "unit-007" */
  char crews[UNITS][ID_LEN];        /* "crew-007" */
} workload;

static psvc_time accepted_at(size_t i) { return BASE_TIME + (psvc_time)i * 30; }
static size_t unit_of(size_t i) { return i % UNITS; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "bench_orders: %s: %s\n", what, detail);
  exit(1);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p)
    die("malloc", "out of memory");
  return p;
}

static void check(psvc_ctx *ctx, int rc, const char *what) {
  if (rc != PSVC_OK) {
    char buf[640];
    snprintf(buf, sizeof buf, "%s (%s)", psvc_strerror(rc),
             ctx ? psvc_errmsg(ctx) : psvc_errmsg(NULL));
    die(what, buf);
  }
}

/* ---- counting allocator (measurement 3) ------------------------------------ */

typedef union block_head {
  max_align_t align;
  size_t n;
} block_head;

static struct {
  size_t live_bytes, peak_bytes, live_blocks, calls;
} counted;

static void count_add(size_t n) {
  counted.live_bytes += n;
  if (counted.live_bytes > counted.peak_bytes)
    counted.peak_bytes = counted.live_bytes;
}

static void *count_malloc(void *user, size_t n) {
  (void)user;
  block_head *h = malloc(sizeof *h + n);
  if (!h)
    return NULL;
  h->n = n;
  count_add(n);
  counted.live_blocks++;
  counted.calls++;
  return h + 1;
}

static void *count_realloc(void *user, void *p, size_t n) {
  if (!p)
    return count_malloc(user, n);
  block_head *h = (block_head *)p - 1;
  size_t old = h->n;
  block_head *nh = realloc(h, sizeof *nh + n);
  if (!nh)
    return NULL;
  nh->n = n;
  counted.live_bytes -= old;
  count_add(n);
  counted.calls++;
  return nh + 1;
}

static void count_free(void *user, void *p) {
  (void)user;
  if (!p)
    return;
  block_head *h = (block_head *)p - 1;
  counted.live_bytes -= h->n;
  counted.live_blocks--;
  free(h);
}

/* ---- libpowersvc ------------------------------------------------------------ */

static void psvc_lifecycle(psvc_ctx *ctx, const workload *w) {
  psvc_actor agent = PSVC_ACTOR_INIT;
  agent.id = AGENT_ID;
  agent.role = PSVC_ROLE_AGENT;
  agent.unit = AGENT_UNIT;
  psvc_actor crew = PSVC_ACTOR_INIT;
  crew.role = PSVC_ROLE_REPAIR_CREW;

  for (size_t i = 0; i < w->n; i++) {
    size_t u = unit_of(i);
    psvc_order_spec spec = PSVC_ORDER_SPEC_INIT;
    spec.id = w->ids[i];
    spec.type = PSVC_ORDER_FAULT_REPAIR;
    spec.channel = PSVC_CHANNEL_PHONE;
    spec.area = PSVC_AREA_URBAN; /* an anonymous caller's fault needs its area (T-3) */
    spec.accepted_at = accepted_at(i);
    spec.summary = SUMMARY;
    check(ctx, psvc_order_open(ctx, &spec, &agent), "psvc_order_open");

    crew.id = w->crews[u];
    crew.unit = w->units[u];
    for (int e = 0; e < EVENTS_PER_ORDER; e++) {
      const script_step *s = &script[e];
      psvc_event ev = PSVC_EVENT_INIT;
      ev.action = s->action;
      ev.at = spec.accepted_at + s->after;
      ev.target = s->target_unit ? w->units[u] : NULL;
      ev.value = s->value;
      ev.note = s->note;
      check(ctx, psvc_order_apply(ctx, w->ids[i], &ev, s->by_crew ? &crew : &agent),
            "psvc_order_apply");
    }
  }
}

/* Checks a sample of orders: each must have run its whole course. */
static void psvc_verify(psvc_ctx *ctx, const workload *w) {
  for (size_t i = 0; i < w->n; i += w->n / 7 + 1) {
    psvc_order *o;
    check(ctx, psvc_order_load(ctx, w->ids[i], &o), "psvc_order_load");
    const char *cur = psvc_order_current_unit(o);
    const char *resp = psvc_order_responsible_unit(o);
    if (psvc_order_state(o) != PSVC_STATE_CLOSED ||
        psvc_order_event_count(o) != EVENTS_PER_ORDER ||
        psvc_order_urge_count(o) != 1 || !cur || !resp ||
        strcmp(cur, w->units[unit_of(i)]) != 0 ||
        strcmp(resp, w->units[unit_of(i)]) != 0)
      die("libpowersvc", "an order did not end CLOSED with 8 events, 1 urge "
                         "and its unit as current and responsible unit");
    psvc_order_free(o);
  }
}

static size_t expected_hits(const workload *w, size_t u) {
  return w->n / UNITS + (u < w->n % UNITS ? 1 : 0);
}

/* Returns the list of the first query (caller frees) for the comparison. */
static double psvc_find_bench(psvc_ctx *ctx, const workload *w, size_t queries,
                              psvc_list **first) {
  double t0 = now_s();
  for (size_t q = 0; q < queries; q++) {
    size_t u = q % UNITS;
    psvc_filter f = PSVC_FILTER_INIT;
    f.unit = w->units[u];
    psvc_list *l;
    check(ctx, psvc_order_find(ctx, &f, &l), "psvc_order_find");
    if (psvc_list_count(l) != expected_hits(w, u))
      die("psvc_order_find", "wrong number of orders for a unit");
    if (q == 0)
      *first = l;
    else
      psvc_list_free(l);
  }
  return now_s() - t0;
}

/* The case: a unit holding 1,000 open orders among all the others.
   Opens OPEN_HELD more orders, dispatches them to one unit, and times
   psvc_order_find by that unit and the open states. */
#define OPEN_HELD 1000
static double psvc_find_open_bench(psvc_ctx *ctx, const workload *w, size_t queries) {
  psvc_actor agent = PSVC_ACTOR_INIT;
  agent.id = "agent-open";
  agent.role = PSVC_ROLE_AGENT;
  agent.unit = AGENT_UNIT;
  for (size_t i = 0; i < OPEN_HELD; i++) {
    char id[ID_LEN];
    snprintf(id, sizeof id, "OPEN-%06zu", i);
    psvc_order_spec sp = PSVC_ORDER_SPEC_INIT;
    sp.id = id;
    sp.type = PSVC_ORDER_FAULT_REPAIR;
    sp.channel = PSVC_CHANNEL_PHONE;
    sp.area = PSVC_AREA_URBAN;
    sp.accepted_at = accepted_at(w->n) + (psvc_time)i;
    check(ctx, psvc_order_open(ctx, &sp, &agent), "psvc_order_open");
    psvc_event e = PSVC_EVENT_INIT;
    e.action = PSVC_ACT_DISPATCH;
    e.at = sp.accepted_at + 60;
    e.target = "unit-open";
    check(ctx, psvc_order_apply(ctx, id, &e, &agent), "psvc_order_apply");
  }
  double t0 = now_s();
  for (size_t q = 0; q < queries; q++) {
    psvc_filter f = PSVC_FILTER_INIT;
    f.unit = "unit-open";
    f.state_mask = 1u << PSVC_STATE_DISPATCHED | 1u << PSVC_STATE_RECEIVED |
                   1u << PSVC_STATE_ON_SITE;
    psvc_list *l;
    check(ctx, psvc_order_find(ctx, &f, &l), "psvc_order_find");
    if (psvc_list_count(l) != OPEN_HELD)
      die("psvc_order_find", "wrong number of open orders for the unit");
    psvc_list_free(l);
  }
  return (now_s() - t0) / (double)queries * 1e6;
}

/* ---- SQLite ------------------------------------------------------------------ */
#ifdef PSVC_BENCH_SQLITE

typedef struct sq {
  sqlite3 *db;
  sqlite3_stmt *rule, *open, *get, *event, *upd, *upd_unit, *find, *begin, *commit;
} sq;

static void sq_die(sqlite3 *db, const char *what) { die(what, sqlite3_errmsg(db)); }

static void sq_exec(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
    die(sql, err ? err : "?");
}

static sqlite3_stmt *sq_prepare(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
    sq_die(db, sql);
  return st;
}

static void sq_done(sqlite3 *db, sqlite3_stmt *st, const char *what) {
  if (sqlite3_step(st) != SQLITE_DONE)
    sq_die(db, what);
  sqlite3_reset(st);
}

static const char *const SQ_SCHEMA =
    "CREATE TABLE transitions("
    "  type INTEGER NOT NULL, state INTEGER NOT NULL, action INTEGER NOT NULL,"
    "  next INTEGER NOT NULL,"  /* 0 = same state, -1 = previous state */
    "  roles INTEGER NOT NULL," /* bit (1 << role) */
    "  PRIMARY KEY(type, state, action)) WITHOUT ROWID;"
    "CREATE TABLE orders("
    "  id TEXT PRIMARY KEY, type INTEGER NOT NULL, channel INTEGER NOT NULL,"
    "  customer TEXT, area INTEGER NOT NULL, accepted_at INTEGER NOT NULL,"
    "  summary TEXT, opened_by TEXT NOT NULL, opened_role INTEGER NOT NULL,"
    "  opened_unit TEXT, state INTEGER NOT NULL, current_unit TEXT,"
    "  responsible_unit TEXT, urge_count INTEGER NOT NULL DEFAULT 0,"
    "  escalation INTEGER NOT NULL DEFAULT 0,"
    "  satisfaction INTEGER NOT NULL DEFAULT 0, last_at INTEGER NOT NULL,"
    "  event_count INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX orders_unit ON orders(current_unit);"
    "CREATE TABLE events("
    "  order_id TEXT NOT NULL, seq INTEGER NOT NULL, action INTEGER NOT NULL,"
    "  at INTEGER NOT NULL, actor TEXT NOT NULL, role INTEGER NOT NULL,"
    "  unit TEXT, target TEXT, value INTEGER NOT NULL, note TEXT,"
    "  PRIMARY KEY(order_id, seq)) WITHOUT ROWID;";

/* The transitions table: every (type, state, action) the library's
   lifecycle allows, with its next state and default roles; state 0 and
   action 0 is opening an order. */
static void sq_fill_transitions(sq *s) {
  sqlite3_stmt *ins = sq_prepare(
      s->db, "INSERT INTO transitions(type, state, action, next, roles) "
             "VALUES(?1, ?2, ?3, ?4, ?5)");
  sq_exec(s->db, "BEGIN");
  for (int t = 1; t <= PSVC__TYPE_MAX; t++) {
    sqlite3_bind_int(ins, 1, t);
    sqlite3_bind_int(ins, 2, 0);
    sqlite3_bind_int(ins, 3, 0);
    sqlite3_bind_int(ins, 4, PSVC_STATE_ACCEPTED);
    sqlite3_bind_int(ins, 5, (int)psvc__default_roles(t, 0));
    sq_done(s->db, ins, "INSERT INTO transitions");
    for (int st = 1; st <= PSVC__STATE_MAX; st++)
      for (int a = 1; a <= PSVC__ACTION_MAX; a++) {
        const psvc__step *step = psvc__lifecycle_find(t, st, a);
        if (!step)
          continue;
        sqlite3_bind_int(ins, 1, t);
        sqlite3_bind_int(ins, 2, st);
        sqlite3_bind_int(ins, 3, a);
        sqlite3_bind_int(ins, 4, step->to);
        sqlite3_bind_int(ins, 5, (int)psvc__default_roles(t, a));
        sq_done(s->db, ins, "INSERT INTO transitions");
      }
  }
  sq_exec(s->db, "COMMIT");
  sqlite3_finalize(ins);
}

static void sq_open_db(sq *s) {
  if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      NULL) != SQLITE_OK)
    sq_die(s->db, "sqlite3_open_v2");
  sq_exec(s->db, SQ_SCHEMA);
  sq_fill_transitions(s);
  s->rule = sq_prepare(s->db, "SELECT next, roles FROM transitions "
                              "WHERE type = ?1 AND state = ?2 AND action = ?3");
  s->open = sq_prepare(
      s->db, "INSERT INTO orders(id, type, channel, customer, area, accepted_at, "
             "summary, opened_by, opened_role, opened_unit, state, last_at) "
             "VALUES(?1, ?2, ?3, NULL, ?10, ?4, ?5, ?6, ?7, ?8, ?9, ?4)");
  s->get = sq_prepare(s->db, "SELECT type, state, last_at, event_count, urge_count, "
                             "current_unit, responsible_unit FROM orders WHERE id = ?1");
  s->event = sq_prepare(
      s->db, "INSERT INTO events(order_id, seq, action, at, actor, role, unit, "
             "target, value, note) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  s->upd = sq_prepare(s->db, "UPDATE orders SET state = ?2, last_at = ?3, "
                             "event_count = ?4, urge_count = ?5, satisfaction = ?6 "
                             "WHERE id = ?1");
  s->upd_unit = sq_prepare(s->db, "UPDATE orders SET state = ?2, last_at = ?3, "
                                  "event_count = ?4, current_unit = ?5, "
                                  "responsible_unit = ?6 WHERE id = ?1");
  s->find = sq_prepare(s->db, "SELECT id FROM orders WHERE current_unit = ?1 "
                              "ORDER BY accepted_at, id");
  s->begin = sq_prepare(s->db, "BEGIN");
  s->commit = sq_prepare(s->db, "COMMIT");
}

static void sq_close_db(sq *s) {
  sqlite3_stmt *all[] = {s->rule, s->open,  s->get,   s->event, s->upd,
                         s->upd_unit, s->find, s->begin, s->commit};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    sqlite3_finalize(all[i]);
  sqlite3_close(s->db);
}

/* (next, roles) for (type, state, action), or false: no such transition. */
static bool sq_rule(sq *s, int type, int state, int action, int *next, unsigned *roles) {
  sqlite3_bind_int(s->rule, 1, type);
  sqlite3_bind_int(s->rule, 2, state);
  sqlite3_bind_int(s->rule, 3, action);
  int rc = sqlite3_step(s->rule);
  bool found = rc == SQLITE_ROW;
  if (found) {
    *next = sqlite3_column_int(s->rule, 0);
    *roles = (unsigned)sqlite3_column_int(s->rule, 1);
  } else if (rc != SQLITE_DONE)
    sq_die(s->db, "SELECT FROM transitions");
  sqlite3_reset(s->rule);
  return found;
}

static void sq_open_order(sq *s, const char *id, psvc_time at, const psvc_actor *who) {
  int next;
  unsigned roles;
  if (!sq_rule(s, PSVC_ORDER_FAULT_REPAIR, 0, 0, &next, &roles) ||
      !(roles & (1u << who->role)))
    die("sqlite open", "role may not open orders");
  sqlite3_bind_text(s->open, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int(s->open, 2, PSVC_ORDER_FAULT_REPAIR);
  sqlite3_bind_int(s->open, 3, PSVC_CHANNEL_PHONE);
  sqlite3_bind_int64(s->open, 4, at);
  sqlite3_bind_text(s->open, 5, SUMMARY, -1, SQLITE_STATIC);
  sqlite3_bind_text(s->open, 6, who->id, -1, SQLITE_STATIC);
  sqlite3_bind_int(s->open, 7, who->role);
  sqlite3_bind_text(s->open, 8, who->unit, -1, SQLITE_STATIC);
  sqlite3_bind_int(s->open, 9, next);
  sqlite3_bind_int(s->open, 10, PSVC_AREA_URBAN);
  sq_done(s->db, s->open, "INSERT INTO orders");
}

/* One event, as an integrator would apply it: read the order, look the
   transition up, check role and time, append the event, update the order. */
static void sq_apply(sq *s, const char *id, const psvc_event *ev, const psvc_actor *who) {
  char cur[ID_LEN + 1] = "", resp[ID_LEN + 1] = "";
  bool has_cur, has_resp;

  sqlite3_bind_text(s->get, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step(s->get) != SQLITE_ROW)
    sq_die(s->db, "SELECT FROM orders (no such order?)");
  int type = sqlite3_column_int(s->get, 0);
  int state = sqlite3_column_int(s->get, 1);
  sqlite3_int64 last_at = sqlite3_column_int64(s->get, 2);
  int count = sqlite3_column_int(s->get, 3);
  int urges = sqlite3_column_int(s->get, 4);
  const unsigned char *c = sqlite3_column_text(s->get, 5);
  if ((has_cur = c != NULL))
    snprintf(cur, sizeof cur, "%s", (const char *)c);
  c = sqlite3_column_text(s->get, 6);
  if ((has_resp = c != NULL))
    snprintf(resp, sizeof resp, "%s", (const char *)c);
  sqlite3_reset(s->get);

  int next;
  unsigned roles;
  if (!sq_rule(s, type, state, ev->action, &next, &roles))
    die("sqlite apply", "action not allowed in this state");
  if (!(roles & (1u << who->role)))
    die("sqlite apply", "role may not perform the action");
  if (ev->at < last_at)
    die("sqlite apply", "event before the previous one");
  if (next == PSVC__PREV)
    die("sqlite apply", "RESUME is not in the bench's script");
  int to = next == PSVC__SAME ? state : next;
  if (ev->action == PSVC_ACT_VISIT && ev->value == PSVC_SAT_UNSATISFIED)
    to = PSVC_STATE_DISPATCHED; /* W-10 */

  sqlite3_bind_text(s->event, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int(s->event, 2, count + 1);
  sqlite3_bind_int(s->event, 3, ev->action);
  sqlite3_bind_int64(s->event, 4, ev->at);
  sqlite3_bind_text(s->event, 5, who->id, -1, SQLITE_STATIC);
  sqlite3_bind_int(s->event, 6, who->role);
  sqlite3_bind_text(s->event, 7, who->unit, -1, SQLITE_STATIC);
  sqlite3_bind_text(s->event, 8, ev->target, -1, SQLITE_STATIC);
  sqlite3_bind_int(s->event, 9, ev->value);
  sqlite3_bind_text(s->event, 10, ev->note, -1, SQLITE_STATIC);
  sq_done(s->db, s->event, "INSERT INTO events");

  const char *unit = NULL; /* the new current unit, if the action sets one */
  if (ev->action == PSVC_ACT_DISPATCH || ev->action == PSVC_ACT_TRANSFER)
    unit = ev->target;
  else if (ev->action == PSVC_ACT_RECEIVE)
    unit = ev->target ? ev->target : who->unit ? who->unit : has_cur ? cur : NULL;
  if (unit) {
    sqlite3_stmt *u = s->upd_unit;
    sqlite3_bind_text(u, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(u, 2, to);
    sqlite3_bind_int64(u, 3, ev->at);
    sqlite3_bind_int(u, 4, count + 1);
    sqlite3_bind_text(u, 5, unit, -1, SQLITE_TRANSIENT);
    if (has_resp)
      sqlite3_bind_text(u, 6, resp, -1, SQLITE_TRANSIENT);
    else if (ev->action == PSVC_ACT_RECEIVE) /* W-4: the first to receive */
      sqlite3_bind_text(u, 6, unit, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null(u, 6);
    sq_done(s->db, u, "UPDATE orders (unit)");
  } else {
    sqlite3_stmt *u = s->upd;
    sqlite3_bind_text(u, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(u, 2, to);
    sqlite3_bind_int64(u, 3, ev->at);
    sqlite3_bind_int(u, 4, count + 1);
    sqlite3_bind_int(u, 5, urges + (ev->action == PSVC_ACT_URGE));
    sqlite3_bind_int(u, 6, ev->action == PSVC_ACT_VISIT ? ev->value : 0);
    sq_done(s->db, u, "UPDATE orders");
  }
}

static void sq_lifecycle(sq *s, const workload *w) {
  psvc_actor agent = PSVC_ACTOR_INIT;
  agent.id = AGENT_ID;
  agent.role = PSVC_ROLE_AGENT;
  agent.unit = AGENT_UNIT;
  psvc_actor crew = PSVC_ACTOR_INIT;
  crew.role = PSVC_ROLE_REPAIR_CREW;

  for (size_t i = 0; i < w->n; i++) {
    if (i % BATCH == 0)
      sq_done(s->db, s->begin, "BEGIN");
    size_t u = unit_of(i);
    psvc_time at = accepted_at(i);
    sq_open_order(s, w->ids[i], at, &agent);
    crew.id = w->crews[u];
    crew.unit = w->units[u];
    for (int e = 0; e < EVENTS_PER_ORDER; e++) {
      const script_step *st = &script[e];
      psvc_event ev = PSVC_EVENT_INIT;
      ev.action = st->action;
      ev.at = at + st->after;
      ev.target = st->target_unit ? w->units[u] : NULL;
      ev.value = st->value;
      ev.note = st->note;
      sq_apply(s, w->ids[i], &ev, st->by_crew ? &crew : &agent);
    }
    if (i % BATCH == BATCH - 1 || i == w->n - 1)
      sq_done(s->db, s->commit, "COMMIT");
  }
}

static void sq_verify(sq *s, const workload *w) {
  sqlite3_stmt *st = sq_prepare(s->db, "SELECT count(*) FROM orders WHERE state = ?1 "
                                       "AND event_count = ?2 AND urge_count = 1");
  sqlite3_bind_int(st, 1, PSVC_STATE_CLOSED);
  sqlite3_bind_int(st, 2, EVENTS_PER_ORDER);
  if (sqlite3_step(st) != SQLITE_ROW ||
      (size_t)sqlite3_column_int64(st, 0) != w->n)
    die("sqlite", "not every order ended CLOSED with 8 events and 1 urge");
  sqlite3_finalize(st);
}

/* Compares the first query's answer with libpowersvc's, id by id. */
static double sq_find_bench(sq *s, const workload *w, size_t queries,
                            const psvc_list *psvc_first) {
  double t0 = now_s();
  for (size_t q = 0; q < queries; q++) {
    size_t u = q % UNITS, hits = 0;
    sqlite3_bind_text(s->find, 1, w->units[u], -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s->find)) == SQLITE_ROW) {
      const char *id = (const char *)sqlite3_column_text(s->find, 0);
      if (q == 0 && psvc_first &&
          (hits >= psvc_list_count(psvc_first) ||
           strcmp(id, psvc_list_id(psvc_first, hits)) != 0))
        die("find by unit", "libpowersvc and SQLite disagree on the first query");
      hits++;
    }
    if (rc != SQLITE_DONE)
      sq_die(s->db, "SELECT ... WHERE current_unit");
    sqlite3_reset(s->find);
    if (hits != expected_hits(w, u))
      die("sqlite find", "wrong number of orders for a unit");
  }
  return now_s() - t0;
}

#endif /* PSVC_BENCH_SQLITE */

/* ---- report --------------------------------------------------------------------- */

static void row(const char *what, double psvc, double sqlite, bool higher_better,
                const char *fmt) {
  char a[32], b[32], r[32];
  snprintf(a, sizeof a, fmt, psvc);
  if (sqlite > 0) {
    snprintf(b, sizeof b, fmt, sqlite);
    double gain = higher_better ? psvc / sqlite : sqlite / psvc;
    snprintf(r, sizeof r, gain < 1 ? "%.2fx" : "%.1fx", gain);
  } else {
    snprintf(b, sizeof b, "-");
    snprintf(r, sizeof r, "-");
  }
  printf("%-34s %14s %14s %10s\n", what, a, b, r);
}

static size_t parse_count(const char *s, const char *what) {
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v == 0 || v > 100000000ULL || s[0] == '-')
    die(what, "expected a whole number from 1 to 100,000,000");
  return (size_t)v;
}

int main(int argc, char **argv) {
  workload w;
  size_t queries = 1000;
  w.n = 100000;
  if (argc > 1)
    w.n = parse_count(argv[1], "N");
  if (argc > 2)
    queries = parse_count(argv[2], "QUERIES");
  if (argc > 3)
    die("usage", "bench_orders [N [QUERIES]]");

  w.ids = xmalloc(w.n * sizeof *w.ids);
  for (size_t i = 0; i < w.n; i++)
    snprintf(w.ids[i], ID_LEN, "FR-%010zu", i + 1);
  for (size_t u = 0; u < UNITS; u++) {
    snprintf(w.units[u], ID_LEN, "unit-%03zu", u);
    snprintf(w.crews[u], ID_LEN, "crew-%03zu", u);
  }
  double events = (double)w.n * EVENTS_PER_ORDER;

  printf("bench_orders: libpowersvc %s", psvc_version());
#ifdef PSVC_BENCH_SQLITE
  printf(" vs SQLite %s (in-memory, prepared statements, indexed)", sqlite3_libversion());
#endif
  printf("\n%zu FAULT_REPAIR orders x %d events, %d units, %zu find queries\n",
         w.n, EVENTS_PER_ORDER, UNITS, queries);

  /* 1. lifecycle */
  psvc_ctx *ctx;
  check(NULL, psvc_ctx_open(&ctx, NULL), "psvc_ctx_open");
  double t0 = now_s();
  psvc_lifecycle(ctx, &w);
  double psvc_life = now_s() - t0;
  psvc_verify(ctx, &w);

  double sq_life = 0, sq_find = 0, sq_bytes = 0;
#ifdef PSVC_BENCH_SQLITE
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1); /* before sqlite3_initialize */
  if (sqlite3_initialize() != SQLITE_OK)
    die("sqlite3_initialize", "failed");
  sq s;
  sq_open_db(&s);
  sqlite3_int64 sq_mem0 = sqlite3_memory_used();
  t0 = now_s();
  sq_lifecycle(&s, &w);
  sq_life = now_s() - t0;
  sq_bytes = (double)(sqlite3_memory_used() - sq_mem0) / (double)w.n;
  sq_verify(&s, &w);
#endif

  /* 2. find by unit */
  psvc_list *first = NULL;
  double psvc_find = psvc_find_bench(ctx, &w, queries, &first);
#ifdef PSVC_BENCH_SQLITE
  sq_find = sq_find_bench(&s, &w, queries, first);
  sq_close_db(&s);
#endif
  psvc_list_free(first);
  double open_us = psvc_find_open_bench(ctx, &w, queries);
  psvc_ctx_close(ctx);

  /* 3. memory: the same orders again, under a counting allocator */
  double psvc_bytes = 0, psvc_blocks = 0;
  size_t peak = 0, leaked_bytes = 0, leaked_blocks = 0;
  psvc_allocator counting = PSVC_ALLOCATOR_INIT;
  counting.malloc_fn = count_malloc;
  counting.realloc_fn = count_realloc;
  counting.free_fn = count_free;
  check(NULL, psvc_set_allocator(&counting), "psvc_set_allocator");
  check(NULL, psvc_ctx_open(&ctx, NULL), "psvc_ctx_open (counting)");
  size_t base_bytes = counted.live_bytes, base_blocks = counted.live_blocks;
  psvc_lifecycle(ctx, &w);
  psvc_bytes = (double)(counted.live_bytes - base_bytes) / (double)w.n;
  psvc_blocks = (double)(counted.live_blocks - base_blocks) / (double)w.n;
  peak = counted.peak_bytes;
  psvc_ctx_close(ctx);
  leaked_bytes = counted.live_bytes;
  leaked_blocks = counted.live_blocks;
  if (leaked_blocks == 0)
    check(NULL, psvc_set_allocator(NULL), "psvc_set_allocator(NULL)");

  /* the table */
  printf("\nfind by unit and open state, a unit holding %d open orders among %zu: "
         "%.1f us/query (target <= 1000)\n", OPEN_HELD, w.n + OPEN_HELD, open_us);
  printf("\n%-34s %14s %14s %10s\n", "measurement", "libpowersvc", "SQLite",
         "psvc gain");
  printf("%-34s %14s %14s %10s\n", "----------------------------------",
         "--------------", "--------------", "----------");
  row("lifecycle, events/s", events / psvc_life, sq_life > 0 ? events / sq_life : 0,
      true, "%.0f");
  row("find by unit, us/query", psvc_find * 1e6 / (double)queries,
      sq_find * 1e6 / (double)queries, false, "%.1f");
  row("memory, bytes/order", psvc_bytes, sq_bytes, false, "%.0f");
  printf("\n(psvc gain: how many times faster or smaller libpowersvc is; "
         ">1 = libpowersvc better)\n");
  printf("lifecycle: %.3f s libpowersvc", psvc_life);
#ifdef PSVC_BENCH_SQLITE
  printf(", %.3f s SQLite", sq_life);
#endif
  printf(" for %zu opens + %.0f events (%.0f ns/event libpowersvc)\n", w.n, events,
         psvc_life * 1e9 / events);
  printf("find by unit: %zu orders per unit, sorted by accepted_at then id; "
         "answers compared\n", expected_hits(&w, 0));
  printf("memory: libpowersvc %.1f blocks/order, peak %zu bytes for the context; "
         "bytes as requested from the allocator\n", psvc_blocks, peak);
#ifndef PSVC_BENCH_SQLITE
  printf("SQLite baseline: not built (sqlite3 was not found with pkg-config when "
         "configuring; Debian: apt-get install libsqlite3-dev)\n");
#endif
  if (leaked_blocks) {
    printf("LEAK: %zu blocks (%zu bytes) still allocated after psvc_ctx_close\n",
           leaked_blocks, leaked_bytes);
    return 1;
  }
  free(w.ids);
  return 0;
}
