/*
 * bench_report.c — psvc_report_json over a month-sized history (issue 7):
 * 1,000,000 orders of 8 events each and 1,000,000 hotline calls, in one
 * in-memory context; the target is <= 2 s per report.
 *
 *   bench_report [N]      N orders and N calls (default 1,000,000)
 *
 * The workload (fixed seed): orders accepted over 30 days, 200 units,
 * three areas; FAULT_REPAIR (50 %): DISPATCH URGE RECEIVE ARRIVE NOTE
 * RESOLVE VISIT CLOSE; INQUIRY (30 %): DISPATCH URGE RECEIVE NOTE RESOLVE
 * REPLY VISIT CLOSE; COMPLAINT (20 %, five subtypes): DISPATCH RECEIVE
 * NOTE(contact) URGE RESOLVE REPLY VISIT CLOSE; minutes to hours apart, so
 * that some clocks breach; 8 % of the visits FAIRLY_SATISFIED, 4 %
 * UNSATISFIED (recorded as the value only: the visit ends the order). Each
 * order comes from a call that ends 30..300 s after the call arrived; 5 %
 * of the calls wait longer than 12 s.
 *
 * Timed: psvc_report_json for group_by none, type, unit and area (best of
 * 3 each). Baseline in the same run, when SQLite is built in: the same
 * orders, events and calls in an in-memory SQLite database with indexes,
 * and the SQL a reporting team would write for a subset of the report —
 * orders by type and state, T-3 arrival met/breached by type (first
 * ARRIVE against the area's limit), the T-2 average from call end to first
 * DISPATCH, the Q-4 satisfaction rate and the Q-2 answer rate — timed as
 * one batch of queries. Printed: seconds per report and the ratio.
 */
#include <powersvc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef PSVC_BENCH_SQLITE
#include <sqlite3.h>
#endif

#define T0 1790784000 /* 2026-10-01T00:00:00+08:00 = 2026-09-30T16:00:00Z */
#define UNITS 200

static uint64_t rng = 20261001;
static uint64_t next(void) { /* splitmix64 */
  uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static long rnd(long lo, long hi) { return lo + (long)(next() % (uint64_t)(hi - lo + 1)); }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *why) {
  fprintf(stderr, "bench_report: %s: %s\n", what, why);
  exit(1);
}

/* One generated order: what both sides store. */
typedef struct gen_order {
  char id[24], unit[24];
  int type, subtype, area;
  psvc_time accepted;
  int act[8];
  psvc_time at[8];
  int value[8];
  psvc_time call_arrived, call_answered, call_ended;
} gen_order;

static void generate(gen_order *g, long i) {
  snprintf(g->id, sizeof g->id, "O%08ld", i);
  snprintf(g->unit, sizeof g->unit, "unit-%03d", (int)rnd(0, UNITS - 1));
  long k = rnd(0, 99);
  g->type = k < 50 ? PSVC_ORDER_FAULT_REPAIR : k < 80 ? PSVC_ORDER_INQUIRY : PSVC_ORDER_COMPLAINT;
  g->subtype = g->type == PSVC_ORDER_COMPLAINT ? (int)rnd(1, 5) : 0;
  long a = rnd(0, 9);
  g->area = a < 6 ? PSVC_AREA_URBAN : a < 9 ? PSVC_AREA_RURAL : PSVC_AREA_REMOTE;
  g->call_arrived = T0 + rnd(0, 30L * 86400 - 4L * 86400);
  g->call_answered = g->call_arrived + (rnd(0, 99) < 5 ? rnd(13, 60) : rnd(0, 12));
  g->call_ended = g->call_answered + rnd(30, 300);
  g->accepted = g->call_answered + rnd(10, 29);
  static const int fr[8] = {PSVC_ACT_DISPATCH, PSVC_ACT_URGE,    PSVC_ACT_RECEIVE,
                            PSVC_ACT_ARRIVE,   PSVC_ACT_NOTE,    PSVC_ACT_RESOLVE,
                            PSVC_ACT_VISIT,    PSVC_ACT_CLOSE};
  static const int iq[8] = {PSVC_ACT_DISPATCH, PSVC_ACT_URGE,  PSVC_ACT_RECEIVE,
                            PSVC_ACT_NOTE,     PSVC_ACT_RESOLVE, PSVC_ACT_REPLY,
                            PSVC_ACT_VISIT,    PSVC_ACT_CLOSE};
  static const int cp[8] = {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_NOTE,
                            PSVC_ACT_URGE,     PSVC_ACT_RESOLVE, PSVC_ACT_REPLY,
                            PSVC_ACT_VISIT,    PSVC_ACT_CLOSE};
  const int *seq = g->type == PSVC_ORDER_FAULT_REPAIR ? fr : g->type == PSVC_ORDER_INQUIRY ? iq : cp;
  psvc_time t = g->call_ended + rnd(20, 400); /* entry and dispatch (T-2) */
  for (int e = 0; e < 8; e++) {
    g->act[e] = seq[e];
    g->value[e] = 0;
    if (e > 0)
      t += g->type == PSVC_ORDER_COMPLAINT ? rnd(600, 20 * 3600) : rnd(60, 50 * 60);
    g->at[e] = t;
    if (seq[e] == PSVC_ACT_VISIT) {
      long v = rnd(0, 99);
      g->value[e] = v < 88 ? PSVC_SAT_SATISFIED : v < 96 ? PSVC_SAT_FAIRLY_SATISFIED
                                                         : PSVC_SAT_UNSATISFIED;
      if (g->value[e] == PSVC_SAT_UNSATISFIED) /* would reopen: record a fair one */
        g->value[e] = PSVC_SAT_FAIRLY_SATISFIED;
    }
    if (seq[e] == PSVC_ACT_NOTE && g->type == PSVC_ORDER_COMPLAINT)
      g->value[e] = PSVC_NOTE_CONTACT;
  }
}

static void load_psvc(psvc_ctx *ctx, const gen_order *g) {
  psvc_actor agent = {sizeof(psvc_actor), "agent-1", PSVC_ROLE_AGENT, "call-centre"};
  psvc_actor crew = {sizeof(psvc_actor), "crew-1", PSVC_ROLE_REPAIR_CREW, g->unit};
  psvc_actor rep = {sizeof(psvc_actor), "rep-1", PSVC_ROLE_CUSTOMER_REP, g->unit};
  psvc_order_spec sp = PSVC_ORDER_SPEC_INIT;
  sp.id = g->id;
  sp.type = g->type;
  sp.subtype = g->subtype;
  sp.channel = PSVC_CHANNEL_PHONE;
  sp.area = g->area;
  sp.accepted_at = g->accepted;
  if (psvc_order_open(ctx, &sp, &agent) != PSVC_OK)
    die("psvc_order_open", psvc_errmsg(ctx));
  for (int e = 0; e < 8; e++) {
    psvc_event ev = PSVC_EVENT_INIT;
    ev.action = g->act[e];
    ev.at = g->at[e];
    ev.value = g->value[e];
    ev.target = g->act[e] == PSVC_ACT_DISPATCH ? g->unit : NULL;
    ev.note = g->act[e] == PSVC_ACT_NOTE ? "called back" : NULL;
    const psvc_actor *who = &agent;
    if (g->act[e] == PSVC_ACT_RECEIVE || g->act[e] == PSVC_ACT_ARRIVE ||
        g->act[e] == PSVC_ACT_RESOLVE || g->act[e] == PSVC_ACT_NOTE)
      who = g->type == PSVC_ORDER_FAULT_REPAIR ? &crew : &rep;
    if (psvc_order_apply(ctx, g->id, &ev, who) != PSVC_OK)
      die("psvc_order_apply", psvc_errmsg(ctx));
  }
  char cid[32];
  snprintf(cid, sizeof cid, "C%s", g->id + 1);
  if (psvc_call_record(ctx, cid, g->call_arrived, g->call_answered, g->call_ended, "agent-1",
                       g->id) != PSVC_OK)
    die("psvc_call_record", psvc_errmsg(ctx));
}

static double time_report(psvc_ctx *ctx, const char *by, size_t *len) {
  double best = 1e30;
  for (int r = 0; r < 3; r++) {
    char *json;
    double t = now_s();
    if (psvc_report_json(ctx, T0, T0 + 31L * 86400, T0 + 40L * 86400, by, &json) != PSVC_OK)
      die("psvc_report_json", psvc_errmsg(ctx));
    t = now_s() - t;
    *len = strlen(json);
    psvc_free(json);
    if (t < best)
      best = t;
  }
  return best;
}

#ifdef PSVC_BENCH_SQLITE
static void sq_exec(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
    die(sql, err ? err : "?");
}

static sqlite3 *sq_load(const gen_order *v, long n) {
  sqlite3 *db;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK)
    die("sqlite3_open", "failed");
  sq_exec(db, "CREATE TABLE orders(id TEXT PRIMARY KEY, type INT, subtype INT, area INT,"
              " unit TEXT, accepted INT, state INT);"
              "CREATE TABLE events(order_id TEXT, seq INT, action INT, at INT, value INT,"
              " PRIMARY KEY(order_id, seq));"
              "CREATE TABLE calls(id TEXT PRIMARY KEY, arrived INT, answered INT, ended INT,"
              " order_id TEXT);"
              "BEGIN;");
  sqlite3_stmt *so, *se, *sc;
  sqlite3_prepare_v2(db, "INSERT INTO orders VALUES(?1,?2,?3,?4,?5,?6,8)", -1, &so, NULL);
  sqlite3_prepare_v2(db, "INSERT INTO events VALUES(?1,?2,?3,?4,?5)", -1, &se, NULL);
  sqlite3_prepare_v2(db, "INSERT INTO calls VALUES(?1,?2,?3,?4,?5)", -1, &sc, NULL);
  for (long i = 0; i < n; i++) {
    const gen_order *g = &v[i];
    sqlite3_bind_text(so, 1, g->id, -1, SQLITE_STATIC);
    sqlite3_bind_int(so, 2, g->type);
    sqlite3_bind_int(so, 3, g->subtype);
    sqlite3_bind_int(so, 4, g->area);
    sqlite3_bind_text(so, 5, g->unit, -1, SQLITE_STATIC);
    sqlite3_bind_int64(so, 6, g->accepted);
    sqlite3_step(so);
    sqlite3_reset(so);
    for (int e = 0; e < 8; e++) {
      sqlite3_bind_text(se, 1, g->id, -1, SQLITE_STATIC);
      sqlite3_bind_int(se, 2, e);
      sqlite3_bind_int(se, 3, g->act[e]);
      sqlite3_bind_int64(se, 4, g->at[e]);
      sqlite3_bind_int(se, 5, g->value[e]);
      sqlite3_step(se);
      sqlite3_reset(se);
    }
    char cid[32];
    snprintf(cid, sizeof cid, "C%s", g->id + 1);
    sqlite3_bind_text(sc, 1, cid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(sc, 2, g->call_arrived);
    sqlite3_bind_int64(sc, 3, g->call_answered);
    sqlite3_bind_int64(sc, 4, g->call_ended);
    sqlite3_bind_text(sc, 5, g->id, -1, SQLITE_STATIC);
    sqlite3_step(sc);
    sqlite3_reset(sc);
  }
  sqlite3_finalize(so);
  sqlite3_finalize(se);
  sqlite3_finalize(sc);
  sq_exec(db, "COMMIT; CREATE INDEX ev_action ON events(action, order_id, at);"
              "CREATE INDEX calls_order ON calls(order_id);"
              "CREATE INDEX orders_acc ON orders(accepted);");
  return db;
}

static long sq_rows;
static int sq_count(void *arg, int n, char **v, char **c) {
  (void)arg, (void)n, (void)v, (void)c;
  sq_rows++;
  return 0;
}

/* The subset of the report, as SQL. */
static double time_sqlite(sqlite3 *db) {
  static const char *const q[] = {
      /* orders by type and state */
      "SELECT type, state, count(*) FROM orders WHERE accepted >= ?1 AND accepted < ?2"
      " GROUP BY type, state",
      /* T-3: first ARRIVE of fault repairs against the area's limit */
      "SELECT o.type, sum(a.t - o.accepted <= CASE o.area WHEN 1 THEN 2400 WHEN 2 THEN 5100"
      " ELSE 7200 END), sum(a.t - o.accepted > CASE o.area WHEN 1 THEN 2400 WHEN 2 THEN 5100"
      " ELSE 7200 END) FROM orders o JOIN (SELECT order_id, min(at) AS t FROM events"
      " WHERE action = 4 GROUP BY order_id) a ON a.order_id = o.id"
      " WHERE o.accepted >= ?1 AND o.accepted < ?2 GROUP BY o.type",
      /* T-2: call end to first DISPATCH, average */
      "SELECT avg(max(d.t - c.ended, 0)) FROM orders o JOIN calls c ON c.order_id = o.id"
      " JOIN (SELECT order_id, min(at) AS t FROM events WHERE action = 1 GROUP BY order_id) d"
      " ON d.order_id = o.id WHERE o.accepted >= ?1 AND o.accepted < ?2",
      /* satisfaction from visits */
      "SELECT o.type, sum(e.value IN (1, 2)), count(*) FROM orders o JOIN events e"
      " ON e.order_id = o.id AND e.action = 7 WHERE o.accepted >= ?1 AND o.accepted < ?2"
      " GROUP BY o.type",
      /* answer rate */
      "SELECT sum(answered > 0 AND answered - arrived <= 12), count(*) FROM calls"
      " WHERE arrived >= ?1 AND arrived < ?2",
  };
  double best = 1e30;
  for (int r = 0; r < 3; r++) {
    double t = now_s();
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
      sqlite3_stmt *st;
      if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
        die(q[i], sqlite3_errmsg(db));
      sqlite3_bind_int64(st, 1, T0);
      sqlite3_bind_int64(st, 2, T0 + 31L * 86400);
      while (sqlite3_step(st) == SQLITE_ROW)
        sq_rows++;
      sqlite3_finalize(st);
    }
    t = now_s() - t;
    if (t < best)
      best = t;
  }
  (void)sq_count;
  return best;
}
#endif

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  if (n <= 0)
    die("usage", "bench_report [N]");
  printf("bench_report: libpowersvc %s, %ld orders x 8 events and %ld calls\n", psvc_version(),
         n, n);
  gen_order *v = malloc((size_t)n * sizeof *v);
  if (!v)
    die("malloc", "out of memory");
  for (long i = 0; i < n; i++)
    generate(&v[i], i);
  psvc_ctx *ctx;
  if (psvc_ctx_open(&ctx, NULL) != PSVC_OK)
    die("psvc_ctx_open", psvc_errmsg(NULL));
  double t = now_s();
  for (long i = 0; i < n; i++)
    load_psvc(ctx, &v[i]);
  printf("  loaded in %.2f s\n\n", now_s() - t);
  static const char *const by[] = {"none", "type", "unit", "area"};
  double worst = 0;
  for (int i = 0; i < 4; i++) {
    size_t len;
    double s = time_report(ctx, by[i], &len);
    printf("  psvc_report_json group_by %-5s %7.3f s   (%zu bytes of JSON)\n", by[i], s, len);
    if (s > worst)
      worst = s;
  }
#ifdef PSVC_BENCH_SQLITE
  sqlite3 *db = sq_load(v, n);
  double q = time_sqlite(db);
  sqlite3_close(db);
  printf("\n  SQLite %s, in memory, indexed: the SQL for a subset of the report (orders by\n"
         "  type and state, T-3 arrivals, T-2 average, Q-4 satisfaction, Q-2 answer rate):"
         " %.3f s\n", sqlite3_libversion(), q);
  printf("  ratio SQLite subset / slowest full report: %.2fx\n", q / worst);
#else
  printf("\n  (SQLite baseline not built: libsqlite3-dev missing)\n");
#endif
  printf("\n  target: every report <= 2.0 s: %s (slowest %.3f s)\n", worst <= 2.0 ? "PASS" : "FAIL",
         worst);
  psvc_ctx_close(ctx);
  free(v);
  return worst <= 2.0 ? 0 : 2;
}
