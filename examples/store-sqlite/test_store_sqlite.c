/*
 * test_store_sqlite.c — examples/store-sqlite held to the store callback
 * contract (docs/storage.md, "The store callback contract": the tests
 * named test_S_store_*) and run under the real library.
 *
 * What it covers:
 *  - the raw callbacks: put / get / replace / del / scan per kind, any int
 *    kind, binary records with NUL bytes and the empty record, get of an
 *    absent key (PSVC_ENOTFOUND, sink not called), get and scan returning
 *    the sink's / each's value (scan stops at once), rollback discarding
 *    puts and dels, rollback without a transaction (after a failed begin)
 *    doing nothing, close discarding an unfinished transaction;
 *  - the library on the backend: customers and work orders written through
 *    a context, closed, read back by a new context (counts, states, event
 *    histories, the META record); psvc_ctx_begin / commit / rollback
 *    (rolled-back and unfinished work is absent after reopening); a corrupt
 *    record failing the open with PSVC_ECORRUPT;
 *  - SQLite itself: a process that commits and dies without closing loses
 *    nothing and keeps nothing it did not commit (the WAL is replayed on
 *    open; that a power cut loses nothing either is synchronous=FULL's
 *    promise, which a test cannot show without cutting the power); a second
 *    connection and a second process see committed data only, without
 *    blocking (WAL); a second writer gets SQLITE_BUSY from begin with a
 *    readable message; open errors; the file's schema and journal mode.
 *
 * Every test works in its own database file under one temporary directory
 * (mkdtemp in /tmp), made before the tests run and removed after them, also
 * when a test fails. Times are fixed (T0); nothing reads the wall clock.
 */
#include "store_sqlite.h"

#include <check.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define T0 ((psvc_time)1790000000) /* 2026-09-21T14:13:20Z */

static char BASE[64]; /* the temporary directory of this run */

/* <BASE>/<name>.db, in a static buffer. */
static const char *db_path(const char *name) {
  static char path[256];
  snprintf(path, sizeof path, "%s/%s.db", BASE, name);
  return path;
}

/* ---- the raw store ------------------------------------------------------------------ */

static psvc_store open_raw(const char *name) {
  psvc_store s;
  int rc = store_sqlite_open(&s, db_path(name));
  ck_assert_msg(rc == PSVC_OK, "store_sqlite_open: %s", store_sqlite_error(&s));
  return s;
}

static void close_raw(psvc_store *s) { s->close(s->user); }

/* One committed transaction of one put of a string. */
static void put_str(psvc_store *s, int kind, const char *key, const char *text) {
  ck_assert_int_eq(s->begin(s->user), 0);
  ck_assert_msg(s->put(s->user, kind, key, text, strlen(text)) == 0, "put: %s",
                store_sqlite_error(s));
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
  int rc = store_sqlite_open(&s, db_path(name));
  ck_assert_msg(rc == PSVC_OK, "store_sqlite_open: %s", store_sqlite_error(&s));
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
START_TEST(test_sqlite_transaction_reads_its_own_writes) {
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

/* ---- SQLite: durability, WAL readers, a second writer, opening --------------------------- */

/* The child writes the scenario, each call committed, leaves a transaction
   open, and dies without closing anything: no checkpoint, no cleanup. */
static void write_and_die(const char *name) {
  psvc_store s;
  psvc_ctx *ctx = NULL;
  if (store_sqlite_open(&s, db_path(name)) != PSVC_OK || psvc_ctx_open(&ctx, &s) != PSVC_OK)
    _exit(2);
  if (write_scenario(ctx) != 0) {
    fprintf(stderr, "child: %s\n", WHY);
    _exit(3);
  }
  if (psvc_ctx_begin(ctx) != PSVC_OK || add_customer(ctx, "0100000009", "Uncommitted") != 0)
    _exit(4);
  _exit(0);
}

START_TEST(test_sqlite_durable_across_processes) {
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0)
    write_and_die("durable");
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed: status %d",
                status);
  char wal[300];
  snprintf(wal, sizeof wal, "%s-wal", db_path("durable"));
  struct stat st;
  ck_assert_int_eq(stat(wal, &st), 0); /* the commits are in the WAL, not checkpointed */
  ck_assert_int_gt(st.st_size, 0);

  psvc_ctx *ctx = open_ctx("durable");
  ck_assert_msg(check_scenario(ctx) == 0, "after the crash: %s", WHY);
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_load(ctx, "0100000009", &c), PSVC_ENOTFOUND);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_sqlite_wal_second_connection_sees_committed_only) {
  psvc_ctx *ctx = open_ctx("two_connections");
  psvc_store reader = open_raw("two_connections");
  ck_assert_msg(add_customer(ctx, "0100000001", "Committed") == 0, "%s", WHY);
  got g;
  ck_assert_int_eq(get(&reader, PSVC_REC_CUSTOMER, "0100000001", &g), 0);

  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK); /* the writer holds the write lock */
  ck_assert_msg(add_customer(ctx, "0100000002", "Pending") == 0, "%s", WHY);
  expect_absent(&reader, PSVC_REC_CUSTOMER, "0100000002"); /* not blocked, not visible */
  seen v = {0};
  ck_assert_int_eq(scan(&reader, PSVC_REC_CUSTOMER, &v), 0);
  ck_assert_int_eq(v.n, 1);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_OK);
  ck_assert_int_eq(get(&reader, PSVC_REC_CUSTOMER, "0100000002", &g), 0);
  close_raw(&reader);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_sqlite_wal_second_process_reads) {
  psvc_ctx *ctx = open_ctx("two_processes");
  ck_assert_msg(write_scenario(ctx) == 0, "%s", WHY);
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK); /* and a write in progress */
  ck_assert_msg(add_customer(ctx, "0100000009", "Pending") == 0, "%s", WHY);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) { /* a second program on the same file, while the first holds it */
    psvc_store s;
    psvc_ctx *other = NULL;
    if (store_sqlite_open(&s, db_path("two_processes")) != PSVC_OK ||
        psvc_ctx_open(&other, &s) != PSVC_OK) {
      fprintf(stderr, "child: %s\n", psvc_errmsg(NULL));
      _exit(2);
    }
    if (check_scenario(other) != 0) {
      fprintf(stderr, "child: %s\n", WHY);
      _exit(3);
    }
    psvc_customer *c = NULL;
    int pending = psvc_customer_load(other, "0100000009", &c);
    psvc_customer_free(c);
    psvc_ctx_close(other);
    _exit(pending == PSVC_ENOTFOUND ? 0 : 4);
  }
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed: status %d",
                status);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_OK);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_sqlite_second_writer_busy) {
  psvc_store a = open_raw("busy"), b = open_raw("busy");
  ck_assert_int_eq(store_sqlite_busy_timeout(&b, 0), PSVC_OK);
  ck_assert_int_eq(a.begin(a.user), 0);
  ck_assert_int_eq(a.put(a.user, PSVC_REC_CUSTOMER, "A", "a", 1), 0);
  int rc = b.begin(b.user);
  ck_assert_int_eq(rc & 0xff, SQLITE_BUSY); /* the SQLite code, non-zero */
  ck_assert_ptr_nonnull(strstr(store_sqlite_error(&b), "begin: database is locked"));
  ck_assert_int_eq(b.rollback(b.user), 0); /* what the library does after a failed begin */
  ck_assert_int_eq(a.commit(a.user), 0);
  ck_assert_int_eq(b.begin(b.user), 0); /* the lock is free again */
  ck_assert_int_eq(b.put(b.user, PSVC_REC_CUSTOMER, "B", "b", 1), 0);
  ck_assert_int_eq(b.commit(b.user), 0);
  expect_str(&a, PSVC_REC_CUSTOMER, "B", "b");
  expect_str(&b, PSVC_REC_CUSTOMER, "A", "a");
  ck_assert_int_eq(store_sqlite_busy_timeout(&b, -1), PSVC_EINVAL);
  ck_assert_int_eq(store_sqlite_busy_timeout(NULL, 10), PSVC_EINVAL);
  close_raw(&a);
  close_raw(&b);
}
END_TEST

START_TEST(test_sqlite_open_errors) {
  psvc_store s;
  ck_assert_int_eq(store_sqlite_open(NULL, "x.db"), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(store_sqlite_error(NULL), "out is NULL"));
  ck_assert_int_eq(store_sqlite_open(&s, NULL), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(store_sqlite_error(&s), "path is NULL"));
  ck_assert_ptr_null(s.user);

  char path[300];
  snprintf(path, sizeof path, "%s/no/such/dir/x.db", BASE);
  ck_assert_int_eq(store_sqlite_open(&s, path), PSVC_EIO);
  ck_assert_ptr_nonnull(strstr(store_sqlite_error(&s), path));
  ck_assert_ptr_nonnull(strstr(store_sqlite_error(&s), "unable to open"));
  ck_assert_uint_eq(s.abi, 0);

  FILE *f = fopen(db_path("not_a_db"), "w"); /* a text file, not a database */
  ck_assert_ptr_nonnull(f);
  for (int i = 0; i < 100; i++)
    fputs("this is not an SQLite database file\n", f);
  fclose(f);
  ck_assert_int_eq(store_sqlite_open(&s, db_path("not_a_db")), PSVC_EIO);
  ck_assert_ptr_nonnull(strstr(store_sqlite_error(&s), "not a database"));

  psvc_store ok = open_raw("fresh"); /* a store's own message starts empty */
  ck_assert_str_eq(store_sqlite_error(&ok), "");
  close_raw(&ok);
}
END_TEST

START_TEST(test_sqlite_schema_and_wal) {
  psvc_store s = open_raw("schema");
  close_raw(&s);
  sqlite3 *db = NULL;
  ck_assert_int_eq(sqlite3_open_v2(db_path("schema"), &db, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal"); /* kept in the file */
  sqlite3_finalize(st);
  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE name = 'records'",
                                      -1, &st, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  const char *sql = (const char *)sqlite3_column_text(st, 0);
  ck_assert_ptr_nonnull(strstr(sql, "PRIMARY KEY(kind, key)"));
  ck_assert_ptr_nonnull(strstr(sql, "WITHOUT ROWID"));
  sqlite3_finalize(st);
  sqlite3_close(db);
}
END_TEST

/* ---- running -------------------------------------------------------------------------------- */

/* Removes a directory tree of files (no symbolic links to follow). */
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

static Suite *store_sqlite_suite(void) {
  Suite *s = suite_create("store_sqlite");
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
  tcase_add_test(tc, test_sqlite_transaction_reads_its_own_writes);
  suite_add_tcase(s, tc);

  tc = tcase_create("library");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_S_store_library_roundtrip);
  tcase_add_test(tc, test_S_store_library_transactions);
  tcase_add_test(tc, test_S_store_library_corrupt_record_fails_open);
  suite_add_tcase(s, tc);

  tc = tcase_create("sqlite");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_sqlite_durable_across_processes);
  tcase_add_test(tc, test_sqlite_wal_second_connection_sees_committed_only);
  tcase_add_test(tc, test_sqlite_wal_second_process_reads);
  tcase_add_test(tc, test_sqlite_second_writer_busy);
  tcase_add_test(tc, test_sqlite_open_errors);
  tcase_add_test(tc, test_sqlite_schema_and_wal);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  strcpy(BASE, "/tmp/psvc-store-sqlite-XXXXXX");
  if (!mkdtemp(BASE)) {
    perror("mkdtemp");
    return EXIT_FAILURE;
  }
  SRunner *sr = srunner_create(store_sqlite_suite());
  srunner_run_all(sr, CK_ENV);
  int failed = srunner_ntests_failed(sr), run = srunner_ntests_run(sr);
  srunner_free(sr);
  remove_tree(BASE);
  return run > 0 && failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
