/*
 * test_store_pg.c — examples/store-postgres held to the store callback
 * contract (docs/storage.md, "The store callback contract": the tests
 * named test_S_store_*) and run under the real library, against a real
 * PostgreSQL server.
 *
 * The server. Before the tests run, main starts a throw-away server of its
 * own: the binaries are found with `pg_config --bindir`, else in
 * /usr/lib/postgresql/<version>/bin (PSVC_PG_BINDIR overrides both); initdb
 * makes a cluster in a temporary directory (mkdtemp in /tmp: trust
 * authentication, user psvc, --no-sync), and postgres runs on a free
 * loopback port with fsync off and its socket in that directory. initdb and
 * postgres refuse to run as root: as root (CI) they run as the `postgres`
 * system user that Debian's package creates, and the directory is handed
 * to it. postgres runs as a direct child with a parent-death signal, so it
 * cannot outlive the test even if the test is killed; at exit it gets
 * SIGQUIT (what `pg_ctl -m immediate stop` sends) and the directory is
 * removed. Without server binaries the test prints SKIPPED and exits 77
 * (ctest: SKIP_RETURN_CODE) — unless CI is set, where a test is never
 * skipped: then it fails.
 *
 * What it covers:
 *  - the raw callbacks: put / get / replace / del / scan per kind, any int
 *    kind, binary records with NUL bytes and the empty record, get of an
 *    absent key (PSVC_ENOTFOUND, sink not called), get and scan returning
 *    the sink's / each's value (scan stops at once, also in the middle of a
 *    streamed result), rollback discarding puts and dels, rollback without
 *    a transaction doing nothing, close discarding an unfinished
 *    transaction;
 *  - the library on the backend: customers and work orders written through
 *    a context, closed, read back by a new context (counts, states, event
 *    histories, the META record); psvc_ctx_begin / commit / rollback
 *    (rolled-back and unfinished work is absent after reopening); a corrupt
 *    record failing the open with PSVC_ECORRUPT;
 *  - PostgreSQL itself: a failed statement makes commit fail (the server
 *    would answer COMMIT with ROLLBACK); a second connection sees committed
 *    data only; a lost connection is opened again by the next begin; tables
 *    and schemas keep stores apart; open errors.
 *
 * Every test works in its own table; times are fixed (T0), nothing reads
 * the wall clock.
 */
#include "store_pg.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T0 ((psvc_time)1790000000) /* 2026-09-21T14:13:20Z */

/* How the tests connect to the throw-away server (start_server). */
static char CONNINFO[256];

/* ---- the raw store ------------------------------------------------------------------ */

static psvc_store open_raw(const char *name) {
  psvc_store s;
  int rc = store_pg_open(&s, CONNINFO, name);
  ck_assert_msg(rc == PSVC_OK, "store_pg_open: %s", store_pg_error(&s));
  return s;
}

static void close_raw(psvc_store *s) { s->close(s->user); }

/* One committed transaction of one put of a string. */
static void put_str(psvc_store *s, int kind, const char *key, const char *text) {
  ck_assert_int_eq(s->begin(s->user), 0);
  ck_assert_msg(s->put(s->user, kind, key, text, strlen(text)) == 0, "put: %s",
                store_pg_error(s));
  ck_assert_int_eq(s->commit(s->user), 0);
}

typedef struct got {
  unsigned char data[4096];
  size_t len;
  int calls;
  int ret; /* what the sink returns */
} got;

static int sink(void *arg, const void *data, size_t len) {
  got *g = arg;
  ck_assert_uint_le(len, sizeof g->data);
  ck_assert_ptr_nonnull(data);
  memcpy(g->data, data, len);
  g->len = len;
  g->calls++;
  return g->ret;
}

/* get into g; the callback's return value. */
static int get(psvc_store *s, int kind, const char *key, got *g) {
  memset(g, 0, sizeof *g);
  return s->get(s->user, kind, key, sink, g);
}

/* get of a string record that must be there. */
static void expect_str(psvc_store *s, int kind, const char *key, const char *text) {
  got g;
  ck_assert_msg(get(s, kind, key, &g) == 0, "get %d/%s", kind, key);
  ck_assert_int_eq(g.calls, 1);
  ck_assert_uint_eq(g.len, strlen(text));
  ck_assert(memcmp(g.data, text, g.len) == 0);
}

static void expect_absent(psvc_store *s, int kind, const char *key) {
  got g;
  ck_assert_int_eq(get(s, kind, key, &g), PSVC_ENOTFOUND);
  ck_assert_int_eq(g.calls, 0);
}

enum { SEEN_MAX = 32 };
typedef struct seen {
  int n;
  char keys[SEEN_MAX][64];
  size_t lens[SEEN_MAX];
  int stop_at; /* return stop_value at the stop_at-th record (1-based); 0 never */
  int stop_value;
} seen;

static int collect(void *arg, const char *key, const void *data, size_t len) {
  seen *v = arg;
  ck_assert_int_lt(v->n, SEEN_MAX);
  ck_assert_ptr_nonnull(data);
  ck_assert_uint_lt(strlen(key), sizeof v->keys[0]);
  strcpy(v->keys[v->n], key);
  v->lens[v->n] = len;
  v->n++;
  return v->n == v->stop_at ? v->stop_value : 0;
}

static int scan(psvc_store *s, int kind, seen *v) {
  int stop_at = v->stop_at, stop_value = v->stop_value;
  memset(v, 0, sizeof *v);
  v->stop_at = stop_at;
  v->stop_value = stop_value;
  return s->scan(s->user, kind, collect, v);
}

static int has_key(const seen *v, const char *key) {
  int n = 0;
  for (int i = 0; i < v->n; i++)
    n += strcmp(v->keys[i], key) == 0;
  return n;
}

/* ---- the library: a scenario of customers and work orders ----------------------------- */

static char WHY[512]; /* what the last failing scenario step was */

/* A call that must return PSVC_OK; else records why and returns the line. */
#define TRY(ctx, call)                                                                  \
  do {                                                                                  \
    int rc_ = (call);                                                                   \
    if (rc_ != PSVC_OK) {                                                               \
      snprintf(WHY, sizeof WHY, "line %d: %s: %s: %s", __LINE__, #call,                 \
               psvc_strerror(rc_), psvc_errmsg(ctx));                                   \
      return __LINE__;                                                                  \
    }                                                                                   \
  } while (0)

/* A condition that must hold; else records it and returns the line. */
#define EXPECT(cond)                                                                    \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      snprintf(WHY, sizeof WHY, "line %d: expected %s", __LINE__, #cond);               \
      return __LINE__;                                                                  \
    }                                                                                   \
  } while (0)

static const psvc_actor AGENT = {sizeof(psvc_actor), "agent.01", PSVC_ROLE_AGENT, "Desk-1"};
static const psvc_actor CREW = {sizeof(psvc_actor), "crew.a1", PSVC_ROLE_REPAIR_CREW,
                                "Crew-A"};

static int eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* A residential customer on LV supply, valid (no findings). */
static int add_customer(psvc_ctx *ctx, const char *id, const char *name) {
  psvc_customer *c = NULL;
  TRY(NULL, psvc_customer_new(&c, id));
  int rc = psvc_customer_set_name(c, name);
  if (!rc) rc = psvc_customer_set_relation(c, PSVC_RELATION_DIRECT);
  if (!rc) rc = psvc_customer_set_tariff(c, PSVC_TARIFF_RESIDENTIAL);
  if (!rc) rc = psvc_customer_set_sources(c, PSVC_SOURCE_LV);
  if (!rc) rc = psvc_customer_set_load_class(c, 3);
  if (!rc) rc = psvc_customer_set_segment(c, PSVC_SEGMENT_ORDINARY);
  if (!rc) rc = psvc_customer_set_area(c, PSVC_AREA_URBAN);
  if (!rc) rc = psvc_customer_set_voltage(c, 220);
  if (!rc) rc = psvc_customer_set_capacity(c, 8);
  if (!rc) rc = psvc_customer_set_unit(c, "CD-01");
  if (!rc) rc = psvc_customer_set_phone(c, "13800000001");
  if (!rc) rc = psvc_customer_add(ctx, c);
  psvc_customer_free(c);
  TRY(ctx, rc);
  return 0;
}

static int open_order(psvc_ctx *ctx, const char *id, int type, int subtype,
                      const char *customer) {
  psvc_order_spec sp = PSVC_ORDER_SPEC_INIT;
  sp.id = id;
  sp.type = type;
  sp.subtype = subtype;
  sp.channel = PSVC_CHANNEL_PHONE;
  sp.customer_id = customer;
  sp.accepted_at = T0;
  sp.summary = "no power since 09:00";
  TRY(ctx, psvc_order_open(ctx, &sp, &AGENT));
  return 0;
}

static int act(psvc_ctx *ctx, const char *order, int action, psvc_time at, const char *target,
               int value, const char *note, const psvc_actor *who) {
  psvc_event e = PSVC_EVENT_INIT;
  e.action = action;
  e.at = at;
  e.target = target;
  e.value = value;
  e.note = note;
  TRY(ctx, psvc_order_apply(ctx, order, &e, who));
  return 0;
}

#define STEP(call)                                                                      \
  do {                                                                                  \
    int line_ = (call);                                                                 \
    if (line_)                                                                          \
      return line_;                                                                     \
  } while (0)

static const char NOTE_ZH[] = "\xe5\xae\xa2\xe6\x88\xb7\xe5\x86\x8d\xe6\xac\xa1\xe6\x9d\xa5"
                              "\xe7\x94\xb5"; /* 客户再次来电 */

/* Three customers (one deleted again), three orders: a repair run to
   CLOSED (6 events), a complaint dispatched, urged and noted (3 events), an
   anonymous inquiry just accepted (0 events). Every call is its own store
   transaction. */
static int write_scenario(psvc_ctx *ctx) {
  STEP(add_customer(ctx, "0100000001", "Wang Fang"));
  STEP(add_customer(ctx, "0100000002", "\xe6\x9d\x8e\xe5\x9b\x9b")); /* 李四 */
  STEP(add_customer(ctx, "0100000003", "Gone Soon"));
  TRY(ctx, psvc_customer_delete(ctx, "0100000003"));

  STEP(open_order(ctx, "O-2026-001", PSVC_ORDER_FAULT_REPAIR, 0, "0100000001"));
  STEP(act(ctx, "O-2026-001", PSVC_ACT_DISPATCH, T0 + 60, "Crew-A", 0, NULL, &AGENT));
  STEP(act(ctx, "O-2026-001", PSVC_ACT_RECEIVE, T0 + 120, NULL, 0, NULL, &CREW));
  STEP(act(ctx, "O-2026-001", PSVC_ACT_ARRIVE, T0 + 1800, NULL, 0, NULL, &CREW));
  STEP(act(ctx, "O-2026-001", PSVC_ACT_RESOLVE, T0 + 3600, NULL, 0, "fuse replaced", &CREW));
  STEP(act(ctx, "O-2026-001", PSVC_ACT_VISIT, T0 + 7200, NULL, PSVC_SAT_SATISFIED, NULL,
           &AGENT));
  STEP(act(ctx, "O-2026-001", PSVC_ACT_CLOSE, T0 + 7260, NULL, 0, NULL, &AGENT));

  STEP(open_order(ctx, "O-2026-002", PSVC_ORDER_COMPLAINT, PSVC_COMPLAINT_SERVICE,
                  "0100000002"));
  STEP(act(ctx, "O-2026-002", PSVC_ACT_DISPATCH, T0 + 30, "Desk-2", 0, NULL, &AGENT));
  STEP(act(ctx, "O-2026-002", PSVC_ACT_URGE, T0 + 90, NULL, 0, NULL, &AGENT));
  STEP(act(ctx, "O-2026-002", PSVC_ACT_NOTE, T0 + 95, NULL, 0, NOTE_ZH, &AGENT));

  STEP(open_order(ctx, "O-2026-003", PSVC_ORDER_INQUIRY, 0, NULL));
  return 0;
}

static int check_order(psvc_ctx *ctx, const char *id, int state, size_t events) {
  psvc_order *o = NULL;
  TRY(ctx, psvc_order_load(ctx, id, &o));
  int ok = psvc_order_state(o) == state && psvc_order_event_count(o) == events &&
           psvc_order_accepted_at(o) == T0 && eq(psvc_order_opened_by(o), AGENT.id);
  psvc_order_free(o);
  EXPECT(ok);
  return 0;
}

/* What write_scenario left, as a new context reads it from the store. */
static int check_scenario(psvc_ctx *ctx) {
  psvc_list *l = NULL;
  TRY(ctx, psvc_customer_list(ctx, &l));
  int ok = psvc_list_count(l) == 2 && eq(psvc_list_id(l, 0), "0100000001") &&
           eq(psvc_list_id(l, 1), "0100000002");
  psvc_list_free(l);
  EXPECT(ok);
  psvc_customer *c = NULL;
  TRY(ctx, psvc_customer_load(ctx, "0100000002", &c));
  ok = eq(psvc_customer_name(c), "\xe6\x9d\x8e\xe5\x9b\x9b") && psvc_customer_voltage(c) == 220 &&
       psvc_customer_tariff(c) == PSVC_TARIFF_RESIDENTIAL;
  psvc_customer_free(c);
  EXPECT(ok);
  EXPECT(psvc_customer_load(ctx, "0100000003", &c) == PSVC_ENOTFOUND);

  psvc_filter all = PSVC_FILTER_INIT;
  TRY(ctx, psvc_order_find(ctx, &all, &l));
  ok = psvc_list_count(l) == 3;
  psvc_list_free(l);
  EXPECT(ok);
  STEP(check_order(ctx, "O-2026-001", PSVC_STATE_CLOSED, 6));
  STEP(check_order(ctx, "O-2026-002", PSVC_STATE_DISPATCHED, 3));
  STEP(check_order(ctx, "O-2026-003", PSVC_STATE_ACCEPTED, 0));

  psvc_order *o = NULL;
  TRY(ctx, psvc_order_load(ctx, "O-2026-001", &o));
  ok = psvc_order_event_action(o, 0) == PSVC_ACT_DISPATCH &&
       eq(psvc_order_event_target(o, 0), "Crew-A") &&
       eq(psvc_order_responsible_unit(o), "Crew-A") &&
       eq(psvc_order_event_actor(o, 3), CREW.id) &&
       eq(psvc_order_event_note(o, 3), "fuse replaced") &&
       psvc_order_event_at(o, 5) == T0 + 7260 &&
       psvc_order_satisfaction(o) == PSVC_SAT_SATISFIED;
  psvc_order_free(o);
  EXPECT(ok);
  TRY(ctx, psvc_order_load(ctx, "O-2026-002", &o));
  ok = psvc_order_urge_count(o) == 1 && eq(psvc_order_event_note(o, 2), NOTE_ZH) &&
       psvc_order_subtype(o) == PSVC_COMPLAINT_SERVICE && eq(psvc_order_current_unit(o), "Desk-2");
  psvc_order_free(o);
  EXPECT(ok);
  TRY(ctx, psvc_order_load(ctx, "O-2026-003", &o));
  ok = psvc_order_customer(o) == NULL && eq(psvc_order_summary(o), "no power since 09:00");
  psvc_order_free(o);
  EXPECT(ok);
  return 0;
}

/* A context on the database `name` (which owns its store). */
static psvc_ctx *open_ctx(const char *name) {
  psvc_store s;
  int rc = store_pg_open(&s, CONNINFO, name);
  ck_assert_msg(rc == PSVC_OK, "store_pg_open: %s", store_pg_error(&s));
  psvc_ctx *ctx = NULL;
  rc = psvc_ctx_open(&ctx, &s);
  ck_assert_msg(rc == PSVC_OK, "psvc_ctx_open: %s", psvc_errmsg(NULL));
  return ctx;
}

static size_t customer_count(psvc_ctx *ctx) {
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  size_t n = psvc_list_count(l);
  psvc_list_free(l);
  return n;
}

static int has_order(psvc_ctx *ctx, const char *id) {
  psvc_order *o = NULL;
  int rc = psvc_order_load(ctx, id, &o);
  psvc_order_free(o);
  ck_assert(rc == PSVC_OK || rc == PSVC_ENOTFOUND);
  return rc == PSVC_OK;
}

/* ---- S: the raw callback contract --------------------------------------------------------- */

START_TEST(test_S_store_contract_put_get) {
  psvc_store s = open_raw("put_get");
  put_str(&s, PSVC_REC_CUSTOMER, "0100000001", "first record");
  expect_str(&s, PSVC_REC_CUSTOMER, "0100000001", "first record");
  /* get returns what the sink returned, whatever it is */
  got g;
  memset(&g, 0, sizeof g);
  g.ret = 42;
  ck_assert_int_eq(s.get(s.user, PSVC_REC_CUSTOMER, "0100000001", sink, &g), 42);
  g.ret = PSVC_ECORRUPT;
  ck_assert_int_eq(s.get(s.user, PSVC_REC_CUSTOMER, "0100000001", sink, &g), PSVC_ECORRUPT);
  ck_assert_int_eq(g.calls, 2);
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_put_replaces) {
  psvc_store s = open_raw("replace");
  put_str(&s, PSVC_REC_ORDER, "O1", "version one, the longer one");
  put_str(&s, PSVC_REC_ORDER, "O1", "version two");
  expect_str(&s, PSVC_REC_ORDER, "O1", "version two");
  seen v = {0};
  ck_assert_int_eq(scan(&s, PSVC_REC_ORDER, &v), 0);
  ck_assert_int_eq(v.n, 1);
  ck_assert_uint_eq(v.lens[0], strlen("version two"));
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_get_absent_is_enotfound) {
  psvc_store s = open_raw("absent");
  expect_absent(&s, PSVC_REC_CUSTOMER, "nobody"); /* empty table */
  put_str(&s, PSVC_REC_CUSTOMER, "C1", "x");
  expect_absent(&s, PSVC_REC_CUSTOMER, "C2");      /* another key */
  expect_absent(&s, PSVC_REC_ORDER, "C1");         /* the same key, another kind */
  expect_absent(&s, PSVC_REC_CUSTOMER, "c1");      /* keys are case-sensitive */
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_binary_data_with_nuls) {
  psvc_store s = open_raw("binary");
  unsigned char all[512];
  for (size_t i = 0; i < sizeof all; i++)
    all[i] = (unsigned char)(i * 7 + 3); /* every byte value, NULs included */
  unsigned char nuls[5] = {0, 0, 1, 0, 0};
  ck_assert_int_eq(s.begin(s.user), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_EVENT, "O1/0000000000", all, sizeof all), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_EVENT, "O1/0000000001", nuls, sizeof nuls), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_EVENT, "O1/0000000002", NULL, 0), 0); /* empty */
  ck_assert_int_eq(s.commit(s.user), 0);
  got g;
  ck_assert_int_eq(get(&s, PSVC_REC_EVENT, "O1/0000000000", &g), 0);
  ck_assert_uint_eq(g.len, sizeof all);
  ck_assert(memcmp(g.data, all, sizeof all) == 0);
  ck_assert_int_eq(get(&s, PSVC_REC_EVENT, "O1/0000000001", &g), 0);
  ck_assert_uint_eq(g.len, sizeof nuls);
  ck_assert(memcmp(g.data, nuls, sizeof nuls) == 0);
  ck_assert_int_eq(get(&s, PSVC_REC_EVENT, "O1/0000000002", &g), 0);
  ck_assert_int_eq(g.calls, 1); /* present, and empty: not "absent" */
  ck_assert_uint_eq(g.len, 0);
  seen v = {0};
  ck_assert_int_eq(scan(&s, PSVC_REC_EVENT, &v), 0);
  ck_assert_int_eq(v.n, 3);
  for (int i = 0; i < v.n; i++)
    ck_assert_uint_eq(v.lens[i], strcmp(v.keys[i], "O1/0000000000") == 0   ? sizeof all
                                 : strcmp(v.keys[i], "O1/0000000001") == 0 ? sizeof nuls
                                                                           : 0);
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_del) {
  psvc_store s = open_raw("del");
  put_str(&s, PSVC_REC_CUSTOMER, "C1", "one");
  put_str(&s, PSVC_REC_CUSTOMER, "C2", "two");
  put_str(&s, PSVC_REC_ORDER, "C1", "an order with the same key");
  ck_assert_int_eq(s.begin(s.user), 0);
  ck_assert_int_eq(s.del(s.user, PSVC_REC_CUSTOMER, "C1"), 0);
  ck_assert_int_eq(s.commit(s.user), 0);
  expect_absent(&s, PSVC_REC_CUSTOMER, "C1");
  expect_str(&s, PSVC_REC_CUSTOMER, "C2", "two");
  expect_str(&s, PSVC_REC_ORDER, "C1", "an order with the same key");
  seen v = {0};
  ck_assert_int_eq(scan(&s, PSVC_REC_CUSTOMER, &v), 0);
  ck_assert_int_eq(v.n, 1);
  ck_assert_str_eq(v.keys[0], "C2");
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_scan_per_kind_any_int) {
  psvc_store s = open_raw("scan_kinds");
  static const int kinds[] = {PSVC_REC_META, PSVC_REC_CUSTOMER, PSVC_REC_ORDER, PSVC_REC_EVENT,
                              PSVC_REC_NOTICE, PSVC_REC_CALL, 0, -5, 1000, 2147483647};
  enum { NK = sizeof kinds / sizeof kinds[0] };
  ck_assert_int_eq(s.begin(s.user), 0);
  for (int k = 0; k < NK; k++)
    for (int i = 0; i <= k % 3; i++) { /* 1, 2 or 3 records per kind */
      char key[32];
      snprintf(key, sizeof key, "k%d-r%d", kinds[k], i);
      ck_assert_int_eq(s.put(s.user, kinds[k], key, key, strlen(key)), 0);
    }
  ck_assert_int_eq(s.commit(s.user), 0);
  for (int k = 0; k < NK; k++) {
    seen v = {0};
    ck_assert_int_eq(scan(&s, kinds[k], &v), 0);
    ck_assert_int_eq(v.n, k % 3 + 1);
    for (int i = 0; i <= k % 3; i++) {
      char key[32];
      snprintf(key, sizeof key, "k%d-r%d", kinds[k], i);
      ck_assert_int_eq(has_key(&v, key), 1); /* each record exactly once */
    }
  }
  seen none = {0};
  ck_assert_int_eq(scan(&s, 7, &none), 0); /* a kind without records */
  ck_assert_int_eq(none.n, 0);
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_scan_stops_with_each_value) {
  psvc_store s = open_raw("scan_stop");
  ck_assert_int_eq(s.begin(s.user), 0);
  for (int i = 0; i < 5; i++) {
    char key[8];
    snprintf(key, sizeof key, "K%d", i);
    ck_assert_int_eq(s.put(s.user, PSVC_REC_CUSTOMER, key, "x", 1), 0);
  }
  ck_assert_int_eq(s.commit(s.user), 0);
  seen v = {0};
  v.stop_at = 2;
  v.stop_value = 7;
  ck_assert_int_eq(scan(&s, PSVC_REC_CUSTOMER, &v), 7);
  ck_assert_int_eq(v.n, 2); /* at once: no third call */
  v.stop_at = 1;
  v.stop_value = PSVC_ECORRUPT; /* a negative value, as the library returns */
  ck_assert_int_eq(scan(&s, PSVC_REC_CUSTOMER, &v), PSVC_ECORRUPT);
  ck_assert_int_eq(v.n, 1);
  v.stop_at = 0; /* the store works on after an early stop */
  ck_assert_int_eq(scan(&s, PSVC_REC_CUSTOMER, &v), 0);
  ck_assert_int_eq(v.n, 5);
  put_str(&s, PSVC_REC_CUSTOMER, "K9", "after");
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_rollback_discards) {
  psvc_store s = open_raw("rollback");
  put_str(&s, PSVC_REC_CUSTOMER, "C1", "committed one");
  put_str(&s, PSVC_REC_CUSTOMER, "C2", "committed two");
  ck_assert_int_eq(s.begin(s.user), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_CUSTOMER, "C3", "new", 3), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_CUSTOMER, "C1", "replaced", 8), 0);
  ck_assert_int_eq(s.del(s.user, PSVC_REC_CUSTOMER, "C2"), 0);
  ck_assert_int_eq(s.rollback(s.user), 0);
  expect_absent(&s, PSVC_REC_CUSTOMER, "C3");
  expect_str(&s, PSVC_REC_CUSTOMER, "C1", "committed one");
  expect_str(&s, PSVC_REC_CUSTOMER, "C2", "committed two");
  seen v = {0};
  ck_assert_int_eq(scan(&s, PSVC_REC_CUSTOMER, &v), 0);
  ck_assert_int_eq(v.n, 2);
  close_raw(&s);
  s = open_raw("rollback"); /* and on disk */
  expect_absent(&s, PSVC_REC_CUSTOMER, "C3");
  expect_str(&s, PSVC_REC_CUSTOMER, "C1", "committed one");
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_rollback_without_begin) {
  psvc_store s = open_raw("rollback_nobegin");
  ck_assert_int_eq(s.rollback(s.user), 0); /* as after a failed begin */
  ck_assert_int_eq(s.rollback(s.user), 0);
  put_str(&s, PSVC_REC_CUSTOMER, "C1", "still works");
  ck_assert_int_eq(s.rollback(s.user), 0); /* after a commit: nothing to undo */
  expect_str(&s, PSVC_REC_CUSTOMER, "C1", "still works");
  ck_assert_int_eq(s.begin(s.user), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_CUSTOMER, "C2", "x", 1), 0);
  ck_assert_int_eq(s.rollback(s.user), 0);
  ck_assert_int_eq(s.rollback(s.user), 0); /* a second rollback: nothing left */
  expect_absent(&s, PSVC_REC_CUSTOMER, "C2");
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_contract_close_discards_open_transaction) {
  psvc_store s = open_raw("close_open_txn");
  put_str(&s, PSVC_REC_CUSTOMER, "C1", "kept");
  ck_assert_int_eq(s.begin(s.user), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_CUSTOMER, "C2", "never committed", 15), 0);
  ck_assert_int_eq(s.del(s.user, PSVC_REC_CUSTOMER, "C1"), 0);
  close_raw(&s);
  s = open_raw("close_open_txn");
  expect_str(&s, PSVC_REC_CUSTOMER, "C1", "kept");
  expect_absent(&s, PSVC_REC_CUSTOMER, "C2");
  close_raw(&s);
}
END_TEST

/* Not required by the contract, but what a database does and what a
   reader of this backend may rely on: a transaction sees its own writes. */
START_TEST(test_pg_transaction_reads_its_own_writes) {
  psvc_store s = open_raw("own_writes");
  ck_assert_int_eq(s.begin(s.user), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_CUSTOMER, "C1", "staged", 6), 0);
  expect_str(&s, PSVC_REC_CUSTOMER, "C1", "staged");
  seen v = {0};
  ck_assert_int_eq(scan(&s, PSVC_REC_CUSTOMER, &v), 0);
  ck_assert_int_eq(v.n, 1);
  ck_assert_int_eq(s.rollback(s.user), 0);
  expect_absent(&s, PSVC_REC_CUSTOMER, "C1");
  close_raw(&s);
}
END_TEST

/* ---- S: the library on the backend ---------------------------------------------------------- */

START_TEST(test_S_store_library_roundtrip) {
  psvc_ctx *ctx = open_ctx("roundtrip");
  ck_assert_msg(write_scenario(ctx) == 0, "%s", WHY);
  ck_assert_msg(check_scenario(ctx) == 0, "before closing: %s", WHY);
  psvc_ctx_close(ctx);

  ctx = open_ctx("roundtrip"); /* a new context reads everything back */
  ck_assert_msg(check_scenario(ctx) == 0, "after reopening: %s", WHY);
  psvc_ctx_close(ctx);

  /* what is in the table: the META record of docs/storage.md, one record
     per customer, order and event */
  psvc_store s = open_raw("roundtrip");
  got g;
  ck_assert_int_eq(get(&s, PSVC_REC_META, "format", &g), 0);
  ck_assert_uint_ge(g.len, 4);
  ck_assert(memcmp(g.data, "\x01\x01\x08\x01", 4) == 0);
  seen v = {0};
  ck_assert_int_eq(scan(&s, PSVC_REC_CUSTOMER, &v), 0);
  ck_assert_int_eq(v.n, 2);
  ck_assert_int_eq(scan(&s, PSVC_REC_ORDER, &v), 0);
  ck_assert_int_eq(v.n, 3);
  ck_assert_int_eq(scan(&s, PSVC_REC_EVENT, &v), 0);
  ck_assert_int_eq(v.n, 9);
  ck_assert_int_eq(has_key(&v, "O-2026-001/0000000005"), 1);
  close_raw(&s);
}
END_TEST

START_TEST(test_S_store_library_transactions) {
  psvc_ctx *ctx = open_ctx("txn");
  ck_assert_msg(add_customer(ctx, "0100000001", "Before") == 0, "%s", WHY);

  /* rolled back: gone from the context at once, and from the database */
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  ck_assert_msg(add_customer(ctx, "0100000002", "Rolled Back") == 0, "%s", WHY);
  ck_assert_msg(open_order(ctx, "O-RB", PSVC_ORDER_FAULT_REPAIR, 0, "0100000001") == 0, "%s",
                WHY);
  ck_assert_msg(act(ctx, "O-RB", PSVC_ACT_DISPATCH, T0 + 60, "Crew-A", 0, NULL, &AGENT) == 0,
                "%s", WHY);
  ck_assert_int_eq(psvc_ctx_rollback(ctx), PSVC_OK);
  ck_assert_uint_eq(customer_count(ctx), 1);
  ck_assert(!has_order(ctx, "O-RB"));

  /* committed: a customer, an order and two events in one transaction */
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  ck_assert_msg(add_customer(ctx, "0100000003", "Committed") == 0, "%s", WHY);
  ck_assert_msg(open_order(ctx, "O-OK", PSVC_ORDER_FAULT_REPAIR, 0, "0100000003") == 0, "%s",
                WHY);
  ck_assert_msg(act(ctx, "O-OK", PSVC_ACT_DISPATCH, T0 + 60, "Crew-A", 0, NULL, &AGENT) == 0,
                "%s", WHY);
  ck_assert_msg(act(ctx, "O-OK", PSVC_ACT_RECEIVE, T0 + 90, NULL, 0, NULL, &CREW) == 0, "%s",
                WHY);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_OK);

  /* unfinished when the context closes: not kept */
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  ck_assert_msg(add_customer(ctx, "0100000004", "Unfinished") == 0, "%s", WHY);
  ck_assert_msg(act(ctx, "O-OK", PSVC_ACT_ARRIVE, T0 + 600, NULL, 0, NULL, &CREW) == 0, "%s",
                WHY);
  psvc_ctx_close(ctx);

  ctx = open_ctx("txn");
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), 2);
  ck_assert_str_eq(psvc_list_id(l, 0), "0100000001");
  ck_assert_str_eq(psvc_list_id(l, 1), "0100000003");
  psvc_list_free(l);
  ck_assert(!has_order(ctx, "O-RB"));
  psvc_order *o = NULL;
  ck_assert_int_eq(psvc_order_load(ctx, "O-OK", &o), PSVC_OK);
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_RECEIVED);
  ck_assert_uint_eq(psvc_order_event_count(o), 2);
  psvc_order_free(o);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_S_store_library_corrupt_record_fails_open) {
  psvc_store s = open_raw("corrupt");
  put_str(&s, PSVC_REC_CUSTOMER, "C1", "\x01\x02\xff garbage");
  close_raw(&s);
  s = open_raw("corrupt");
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_ECORRUPT); /* and it closed the store */
  ck_assert_ptr_null(ctx);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "C1"));
}
END_TEST

/* ---- PostgreSQL: failed statements, shared access, reconnecting, tables, opening -------- */

/* A connection of the test's own, to look at the server from outside. */
static PGconn *admin_connect(void) {
  PGconn *c = PQconnectdb(CONNINFO);
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "admin connection: %s", PQerrorMessage(c));
  return c;
}

/* The first value of a one-row query, as an int. */
static int admin_int(PGconn *c, const char *sql) {
  PGresult *r = PQexec(c, sql);
  ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                PQresultErrorMessage(r));
  int v = atoi(PQgetvalue(r, 0, 0));
  PQclear(r);
  return v;
}

/* PostgreSQL answers COMMIT of a transaction in which a statement failed
   with the tag ROLLBACK and no error: commit must fail instead of
   reporting success. */
START_TEST(test_pg_failed_statement_fails_commit) {
  psvc_store s = open_raw("failed_stmt");
  ck_assert_int_eq(s.begin(s.user), 0);
  ck_assert_int_eq(s.put(s.user, PSVC_REC_CUSTOMER, "C1", "fine", 4), 0);
  /* not UTF-8: the server refuses the key */
  ck_assert_int_eq(s.put(s.user, PSVC_REC_CUSTOMER, "bad\xff\xfe", "x", 1), PSVC_EIO);
  ck_assert_ptr_nonnull(strstr(store_pg_error(&s), "put: ERROR:"));
  ck_assert_int_ne(s.commit(s.user), 0);
  ck_assert_ptr_nonnull(strstr(store_pg_error(&s), "commit:"));
  ck_assert_int_eq(s.rollback(s.user), 0);
  expect_absent(&s, PSVC_REC_CUSTOMER, "C1"); /* nothing of it was committed */
  put_str(&s, PSVC_REC_CUSTOMER, "C2", "works on");
  expect_str(&s, PSVC_REC_CUSTOMER, "C2", "works on");
  close_raw(&s);
}
END_TEST

/* Outside a transaction a failed statement leaves the session usable, and
   get reports a failure as non-zero, not as PSVC_ENOTFOUND. */
START_TEST(test_pg_failed_get_is_not_enotfound) {
  psvc_store s = open_raw("failed_get");
  got g;
  int rc = get(&s, PSVC_REC_CUSTOMER, "bad\xff", &g);
  ck_assert_int_ne(rc, 0);
  ck_assert_int_ne(rc, PSVC_ENOTFOUND);
  ck_assert_int_eq(g.calls, 0);
  put_str(&s, PSVC_REC_CUSTOMER, "C1", "fine");
  close_raw(&s);
}
END_TEST

static int count_each(void *arg, const char *key, const void *data, size_t len) {
  (void)key, (void)data, (void)len;
  ++*(long *)arg;
  return 0;
}

/* Many rows arrive one by one (single-row mode); an early stop drains the
   rest, and the connection is ready for the next statement. */
START_TEST(test_pg_scan_streams_and_stops_early) {
  psvc_store s = open_raw("scan_many");
  enum { N = 2000 };
  ck_assert_int_eq(s.begin(s.user), 0);
  for (int i = 0; i < N; i++) {
    char key[32];
    snprintf(key, sizeof key, "O-%05d/0000000000", i);
    ck_assert_int_eq(s.put(s.user, PSVC_REC_EVENT, key, key, strlen(key)), 0);
  }
  ck_assert_int_eq(s.commit(s.user), 0);
  seen v = {0};
  v.stop_at = 10;
  v.stop_value = 99;
  ck_assert_int_eq(scan(&s, PSVC_REC_EVENT, &v), 99);
  ck_assert_int_eq(v.n, 10);
  long n = 0; /* the next scan runs, and sees every row */
  ck_assert_int_eq(s.scan(s.user, PSVC_REC_EVENT, count_each, &n), 0);
  ck_assert_int_eq(n, N);
  put_str(&s, PSVC_REC_EVENT, "after", "the connection is ready");
  expect_str(&s, PSVC_REC_EVENT, "after", "the connection is ready");
  close_raw(&s);
  PGconn *c = admin_connect();
  ck_assert_int_eq(admin_int(c, "SELECT count(*) FROM scan_many WHERE kind = 4"), N + 1);
  PQfinish(c);
}
END_TEST

START_TEST(test_pg_second_connection_sees_committed_only) {
  psvc_ctx *ctx = open_ctx("shared");
  psvc_store reader = open_raw("shared");
  ck_assert_msg(add_customer(ctx, "0100000001", "Committed") == 0, "%s", WHY);
  got g;
  ck_assert_int_eq(get(&reader, PSVC_REC_CUSTOMER, "0100000001", &g), 0);
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  ck_assert_msg(add_customer(ctx, "0100000002", "Pending") == 0, "%s", WHY);
  expect_absent(&reader, PSVC_REC_CUSTOMER, "0100000002");
  seen v = {0};
  ck_assert_int_eq(scan(&reader, PSVC_REC_CUSTOMER, &v), 0);
  ck_assert_int_eq(v.n, 1);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_OK);
  ck_assert_int_eq(get(&reader, PSVC_REC_CUSTOMER, "0100000002", &g), 0);
  close_raw(&reader);

  psvc_ctx *other = open_ctx("shared"); /* a second program: loads what is committed */
  ck_assert_uint_eq(customer_count(other), 2);
  psvc_ctx_close(other);
  psvc_ctx_close(ctx);
}
END_TEST

/* The server ends the store's session (a restart, a failover, an admin):
   the next mutation's begin connects again and succeeds. */
START_TEST(test_pg_reconnects_after_lost_connection) {
  char conninfo[sizeof CONNINFO + 64];
  snprintf(conninfo, sizeof conninfo, "%s application_name=psvc_victim", CONNINFO);
  psvc_store s;
  ck_assert_msg(store_pg_open(&s, conninfo, "reconnect") == PSVC_OK, "%s", store_pg_error(&s));
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  ck_assert_msg(add_customer(ctx, "0100000001", "Before") == 0, "%s", WHY);

  PGconn *c = admin_connect();
  ck_assert_int_eq(admin_int(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE application_name = 'psvc_victim'"),
                   1);
  for (int i = 0; i < 500 && admin_int(c, "SELECT count(*) FROM pg_stat_activity WHERE "
                                          "application_name = 'psvc_victim'") > 0;
       i++) /* until the session is gone */
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);

  ck_assert_msg(add_customer(ctx, "0100000002", "After") == 0, "%s", WHY);
  ck_assert_int_eq(admin_int(c, "SELECT count(*) FROM pg_stat_activity WHERE "
                                "application_name = 'psvc_victim'"),
                   1); /* a new session */
  PQfinish(c);
  psvc_ctx_close(ctx);
  ctx = open_ctx("reconnect");
  ck_assert_uint_eq(customer_count(ctx), 2);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_pg_tables_and_schemas_keep_stores_apart) {
  psvc_store a = open_raw("iso_a.records"), b = open_raw("iso_b.records");
  psvc_store odd = open_raw("Odd \"Name\".with.dots"); /* quoted: kept as it is */
  psvc_store dflt;
  ck_assert_msg(store_pg_open(&dflt, CONNINFO, NULL) == PSVC_OK, "%s", store_pg_error(&dflt));
  put_str(&a, PSVC_REC_CUSTOMER, "C1", "in a");
  put_str(&b, PSVC_REC_CUSTOMER, "C1", "in b");
  put_str(&odd, PSVC_REC_CUSTOMER, "C1", "in odd");
  expect_str(&a, PSVC_REC_CUSTOMER, "C1", "in a");
  expect_str(&b, PSVC_REC_CUSTOMER, "C1", "in b");
  expect_str(&odd, PSVC_REC_CUSTOMER, "C1", "in odd");
  expect_absent(&dflt, PSVC_REC_CUSTOMER, "C1");
  close_raw(&a);
  close_raw(&b);
  close_raw(&odd);
  close_raw(&dflt);
  PGconn *c = admin_connect();
  ck_assert_int_eq(admin_int(c, "SELECT count(*) FROM iso_a.records"), 1);
  ck_assert_int_eq(admin_int(c, "SELECT count(*) FROM \"Odd \"\"Name\"\"\".\"with.dots\""), 1);
  ck_assert_int_eq(admin_int(c, "SELECT count(*) FROM information_schema.columns WHERE "
                                "table_name = '" STORE_PG_TABLE "' AND (column_name, data_type) "
                                "IN (('kind', 'integer'), ('key', 'text'), ('data', 'bytea'))"),
                   3);
  PQfinish(c);
}
END_TEST

START_TEST(test_pg_open_errors) {
  psvc_store s;
  ck_assert_int_eq(store_pg_open(NULL, CONNINFO, NULL), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(store_pg_error(NULL), "out is NULL"));
  ck_assert_int_eq(store_pg_open(&s, NULL, NULL), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(store_pg_error(&s), "conninfo is NULL"));
  static const char *const bad[] = {"", ".records", "schema.", "."};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_int_eq(store_pg_open(&s, CONNINFO, bad[i]), PSVC_EINVAL);
    ck_assert_ptr_nonnull(strstr(store_pg_error(&s), "bad table name"));
  }
  ck_assert_int_eq(store_pg_open(&s, "nonsense=1", NULL), PSVC_EIO);
  ck_assert_ptr_nonnull(strstr(store_pg_error(&s), "connect: invalid connection option"));
  ck_assert_ptr_null(s.user);
  char wrong_db[sizeof CONNINFO + 32];
  snprintf(wrong_db, sizeof wrong_db, "%s dbname=no_such_db", CONNINFO);
  ck_assert_int_eq(store_pg_open(&s, wrong_db, NULL), PSVC_EIO);
  ck_assert_ptr_nonnull(strstr(store_pg_error(&s), "no_such_db"));
  ck_assert_uint_eq(s.abi, 0);

  psvc_store ok = open_raw("fresh"); /* a store's own message starts empty */
  ck_assert_str_eq(store_pg_error(&ok), "");
  close_raw(&ok);
}
END_TEST

/* ---- the throw-away server --------------------------------------------------------------- */

static struct server {
  char dir[64];     /* mkdtemp: data/, the socket, server.log */
  char bindir[512]; /* initdb, postgres */
  int port;
  pid_t pid;   /* the postmaster, a child of `owner` */
  pid_t owner; /* the process that started it: Check runs tests in forked children */
  bool drop;   /* running as root: initdb and postgres run as the postgres user */
  uid_t uid;
  gid_t gid;
} SRV;

static bool has_server(const char *bindir) {
  char p[600];
  snprintf(p, sizeof p, "%s/initdb", bindir);
  if (access(p, X_OK) != 0)
    return false;
  snprintf(p, sizeof p, "%s/postgres", bindir);
  return access(p, X_OK) == 0;
}

/* PSVC_PG_BINDIR, else `pg_config --bindir`, else the newest
   /usr/lib/postgresql/<version>/bin with the server in it. */
static bool find_server(void) {
  const char *env = getenv("PSVC_PG_BINDIR");
  if (env && *env) {
    snprintf(SRV.bindir, sizeof SRV.bindir, "%s", env);
    return has_server(SRV.bindir);
  }
  FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
  if (p) {
    char line[512] = "";
    bool have = fgets(line, sizeof line, p) != NULL;
    pclose(p);
    line[strcspn(line, "\n")] = 0;
    if (have && *line && has_server(line)) {
      snprintf(SRV.bindir, sizeof SRV.bindir, "%s", line);
      return true;
    }
  }
  glob_t g;
  long best = -1;
  if (glob("/usr/lib/postgresql/*/bin", 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      long version = strtol(g.gl_pathv[i] + strlen("/usr/lib/postgresql/"), NULL, 10);
      if (version > best && has_server(g.gl_pathv[i])) {
        best = version;
        snprintf(SRV.bindir, sizeof SRV.bindir, "%s", g.gl_pathv[i]);
      }
    }
    globfree(&g);
  }
  return best >= 0;
}

/* A port nobody listens on now (the kernel's choice for port 0). */
static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = -1;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0)
    close(fd);
  return port;
}

/* Starts bindir/argv[0] as the server user, in SRV.dir, its output
   appended to server.log. A server (daemon) dies with this process. */
static pid_t spawn(char *const argv[], bool daemon) {
  char prog[600], log[128];
  snprintf(prog, sizeof prog, "%s/%s", SRV.bindir, argv[0]);
  snprintf(log, sizeof log, "%s/server.log", SRV.dir);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0)
    return pid;
  int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || chdir(SRV.dir) != 0)
    _exit(127);
  close(fd);
  if (SRV.drop && (setgroups(1, &SRV.gid) != 0 || setgid(SRV.gid) != 0 || setuid(SRV.uid) != 0))
    _exit(126);
  /* after setuid, which clears it: the server gets SIGQUIT when we die */
  if (daemon && (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid() != parent))
    _exit(125);
  execv(prog, argv);
  _exit(124);
}

static void print_log(void) {
  char log[128], line[512];
  snprintf(log, sizeof log, "%s/server.log", SRV.dir);
  FILE *f = fopen(log, "r");
  if (!f)
    return;
  fprintf(stderr, "---- %s ----\n", log);
  while (fgets(line, sizeof line, f))
    fputs(line, stderr);
  fclose(f);
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

/* Removes a directory tree (no symbolic links followed). */
static void remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      char sub[1024];
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      struct stat st;
      if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
        remove_tree(sub);
      else
        unlink(sub);
    }
    closedir(d);
  }
  rmdir(path);
}

/* Immediate shutdown (SIGQUIT, as `pg_ctl -m immediate stop`), then the
   directory goes. Only in the process that started the server. */
static void stop_server(void) {
  if (SRV.owner != getpid())
    return;
  if (SRV.pid > 0) {
    kill(SRV.pid, SIGQUIT);
    int status;
    for (int i = 0; i < 200 && waitpid(SRV.pid, &status, WNOHANG) == 0; i++)
      sleep_ms(50);
    if (waitpid(SRV.pid, &status, WNOHANG) == 0) { /* 10 s: no more waiting */
      kill(SRV.pid, SIGKILL);
      waitpid(SRV.pid, &status, 0);
    }
    SRV.pid = 0;
  }
  if (SRV.dir[0])
    remove_tree(SRV.dir);
  SRV.dir[0] = 0;
}

/* Runs postgres on a fresh port and waits until it accepts connections;
   false if it exited (the port was taken meanwhile) or never answered. */
static bool run_postgres(void) {
  char port[16], data[96], sockdir[64];
  SRV.port = free_port();
  snprintf(port, sizeof port, "%d", SRV.port);
  snprintf(data, sizeof data, "%s/data", SRV.dir);
  snprintf(sockdir, sizeof sockdir, "%s", SRV.dir);
  char *const argv[] = {"postgres", "-D", data, "-p", port, "-k", sockdir,
                        "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                        "-c", "full_page_writes=off", NULL};
  snprintf(CONNINFO, sizeof CONNINFO,
           "host=127.0.0.1 port=%d user=psvc dbname=postgres connect_timeout=10 "
           "sslmode=disable gssencmode=disable",
           SRV.port);
  SRV.pid = spawn(argv, true);
  if (SRV.pid < 0)
    return false;
  for (int i = 0; i < 1200; i++) { /* 60 s */
    int status;
    if (waitpid(SRV.pid, &status, WNOHANG) == SRV.pid) {
      SRV.pid = 0;
      return false;
    }
    if (PQping(CONNINFO) == PQPING_OK)
      return true;
    sleep_ms(50);
  }
  kill(SRV.pid, SIGKILL); /* never answered */
  waitpid(SRV.pid, NULL, 0);
  SRV.pid = 0;
  return false;
}

/* 0: running; 77: no server binaries (skip); 1: failure. */
static int start_server(void) {
  if (!find_server()) {
    const char *ci = getenv("CI");
    if (ci && *ci) {
      fprintf(stderr, "FAILED: PostgreSQL server binaries not found (Debian: apt-get install "
                      "postgresql), and CI is set: CI never skips a test\n");
      return 1;
    }
    printf("SKIPPED: PostgreSQL server binaries not found (Debian: apt-get install "
           "postgresql)\n");
    return 77;
  }
  SRV.owner = getpid();
  strcpy(SRV.dir, "/tmp/psvc-store-pg-XXXXXX");
  if (!mkdtemp(SRV.dir)) {
    perror("mkdtemp");
    SRV.dir[0] = 0;
    return 1;
  }
  atexit(stop_server);
  if (geteuid() == 0) {
    struct passwd *pw = getpwnam("postgres");
    if (!pw) {
      fprintf(stderr, "FAILED: running as root, and there is no 'postgres' user to run the "
                      "server as (initdb and postgres refuse root)\n");
      return 1;
    }
    SRV.drop = true;
    SRV.uid = pw->pw_uid;
    SRV.gid = pw->pw_gid;
    if (chown(SRV.dir, SRV.uid, SRV.gid) != 0) {
      perror("chown");
      return 1;
    }
  }
  char data[96];
  snprintf(data, sizeof data, "%s/data", SRV.dir);
  char *const initdb[] = {"initdb", "-D", data, "-A", "trust", "-U", "psvc", "-E", "UTF8",
                          "--locale=C", "--no-sync", NULL};
  pid_t pid = spawn(initdb, false);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    fprintf(stderr, "FAILED: initdb in %s (status %d)\n", data, status);
    print_log();
    return 1;
  }
  for (int attempt = 0; attempt < 3; attempt++)
    if (run_postgres()) {
      printf("PostgreSQL (%s) on 127.0.0.1:%d, cluster in %s\n", SRV.bindir, SRV.port, data);
      return 0;
    }
  fprintf(stderr, "FAILED: postgres did not start\n");
  print_log();
  return 1;
}

/* ---- running -------------------------------------------------------------------------------- */

static Suite *store_pg_suite(void) {
  Suite *s = suite_create("store_pg");
  TCase *tc = tcase_create("contract");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_S_store_contract_put_get);
  tcase_add_test(tc, test_S_store_contract_put_replaces);
  tcase_add_test(tc, test_S_store_contract_get_absent_is_enotfound);
  tcase_add_test(tc, test_S_store_contract_binary_data_with_nuls);
  tcase_add_test(tc, test_S_store_contract_del);
  tcase_add_test(tc, test_S_store_contract_scan_per_kind_any_int);
  tcase_add_test(tc, test_S_store_contract_scan_stops_with_each_value);
  tcase_add_test(tc, test_S_store_contract_rollback_discards);
  tcase_add_test(tc, test_S_store_contract_rollback_without_begin);
  tcase_add_test(tc, test_S_store_contract_close_discards_open_transaction);
  tcase_add_test(tc, test_pg_transaction_reads_its_own_writes);
  suite_add_tcase(s, tc);

  tc = tcase_create("library");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_S_store_library_roundtrip);
  tcase_add_test(tc, test_S_store_library_transactions);
  tcase_add_test(tc, test_S_store_library_corrupt_record_fails_open);
  suite_add_tcase(s, tc);

  tc = tcase_create("postgres");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_pg_failed_statement_fails_commit);
  tcase_add_test(tc, test_pg_failed_get_is_not_enotfound);
  tcase_add_test(tc, test_pg_scan_streams_and_stops_early);
  tcase_add_test(tc, test_pg_second_connection_sees_committed_only);
  tcase_add_test(tc, test_pg_reconnects_after_lost_connection);
  tcase_add_test(tc, test_pg_tables_and_schemas_keep_stores_apart);
  tcase_add_test(tc, test_pg_open_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  int rc = start_server();
  if (rc != 0)
    return rc; /* atexit stops whatever was started */
  fflush(stdout); /* before Check forks */
  SRunner *sr = srunner_create(store_pg_suite());
  srunner_run_all(sr, CK_ENV);
  int failed = srunner_ntests_failed(sr), run = srunner_ntests_run(sr);
  srunner_free(sr);
  return run > 0 && failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
