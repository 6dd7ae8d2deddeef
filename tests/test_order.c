/*
 * test_order.c — lib/order.c through the public API: 95598 work orders
 * (API.md §4, rules W-1 ... W-16), held to the contract in docs/orders.md.
 *
 * What it covers:
 *  - psvc_order_open: every PSVC_EINVAL row of docs/orders.md's check table
 *    (NULLs, struct sizes, ids, type / channel / area, subtype per type
 *    W-15 / W-16, summary length and UTF-8, the actor, a SERVICE_REQUEST
 *    without a customer), PSVC_ERANGE for accepted_at, PSVC_EPERM for roles
 *    that may not open orders, PSVC_EEXIST, PSVC_ENOTFOUND, the order in which
 *    the checks are made, the area rule (0 = the customer's), and the getters
 *    of a fresh order (opening is not an event);
 *  - psvc_order_apply: argument checks, PSVC_ENOTFOUND, the order of the
 *    checks (arguments, existence, state, role, time, per action), the
 *    ESTATE / EPERM messages, the history (W-11), the responsible unit
 *    (W-4), urging and escalation (W-5), RETURN (W-7), SUSPEND / RESUME
 *    (W-8), MERGE (W-9), the return visit (W-10), closed / cancelled /
 *    merged orders accepting only NOTE;
 *  - queries: psvc_order_find with every filter field and combinations,
 *    sorted by accepted_at then id; psvc_handover (W-13); a customer with
 *    orders cannot be deleted;
 *  - snapshots: a loaded order never changes and outlives its context;
 *    getters with NULL or an index past the end;
 *  - storage: ORDER / EVENT keys, one put per action (also at the 1,000th
 *    event), reopen reads back the same state, replay ignores grants, and a
 *    history that does not replay (gap, impossible step, garbage) is
 *    PSVC_ECORRUPT;
 *  - fault injection: every store callback failure and every allocation
 *    failure over a scenario of opens and actions returns PSVC_EIO /
 *    PSVC_ENOMEM, changes nothing (context, store, reopened store) and leaks
 *    nothing, and the scenario then completes to the same final state.
 *
 * Every refused call is checked to change nothing: the whole context dump
 * (tests/fault.c, which renders every order getter and event field) and the
 * store's committed records are compared before and after.
 */
#include "fault.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 FAULT_NOW
#define DAY FAULT_DAY
#define TIME_MAX ((psvc_time)253402300799) /* 9999-12-31T23:59:59Z */

/* ---- actors ----------------------------------------------------------------------- */

static const psvc_actor AGENT = {sizeof(psvc_actor), "agent.01", PSVC_ROLE_AGENT, "Desk-1"};
static const psvc_actor AGENT2 = {sizeof(psvc_actor), "agent.02", PSVC_ROLE_AGENT, "Desk-2"};
static const psvc_actor LEAD = {sizeof(psvc_actor), "lead.01", PSVC_ROLE_SHIFT_LEAD, "Desk-1"};
static const psvc_actor SUP = {sizeof(psvc_actor), "sup.01", PSVC_ROLE_SUPERVISOR, "Center"};
static const psvc_actor DISP = {sizeof(psvc_actor), "disp.01", PSVC_ROLE_DISPATCHER,
                                "Dispatch"};
static const psvc_actor CREW_A = {sizeof(psvc_actor), "crew.a1", PSVC_ROLE_REPAIR_CREW,
                                  "Crew-A"};
static const psvc_actor CREW_B = {sizeof(psvc_actor), "crew.b1", PSVC_ROLE_REPAIR_CREW,
                                  "Crew-B"};
static const psvc_actor CREW_C = {sizeof(psvc_actor), "crew.c1", PSVC_ROLE_REPAIR_CREW,
                                  "Crew-C"};
static const psvc_actor REP = {sizeof(psvc_actor), "rep.01", PSVC_ROLE_CUSTOMER_REP, "Counter"};
static const psvc_actor SYS = {sizeof(psvc_actor), "import", PSVC_ROLE_SYSTEM, NULL};

/* An event literal. */
#define EV(act, at, tgt, val, note)                                            \
  (&(psvc_event){sizeof(psvc_event), (act), (at), (tgt), (val), (note)})

/* ---- fixture: a context over a fault_mem store, with three customers ------------- */

static fault_mem *M;   /* the store's records */
static psvc_ctx *CTX;  /* the context under test */
static psvc_time CLK;  /* the tests' clock: tick() moves it one minute on */

static psvc_time tick(void) { return CLK += 60; }

static void save_full(psvc_ctx *ctx, const char *id, int variant) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(fault_customer_full(&c, id, variant), PSVC_OK);
  ck_assert_msg(psvc_customer_save(ctx, c) == PSVC_OK, "%s", psvc_errmsg(ctx));
  psvc_customer_free(c);
}

/* CU-URBAN (variant 2: URBAN), CU-RURAL (1: RURAL), CU-REMOTE (0: REMOTE). */
static void add_customers(psvc_ctx *ctx) {
  save_full(ctx, "CU-URBAN", 2);
  save_full(ctx, "CU-RURAL", 1);
  save_full(ctx, "CU-REMOTE", 0);
}

static psvc_ctx *open_on(fault_mem *m) {
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  int rc = psvc_ctx_open(&ctx, &s);
  ck_assert_msg(rc == PSVC_OK, "psvc_ctx_open: %d (%s)", rc, psvc_errmsg(NULL));
  return ctx;
}

static void setup(void) {
  M = fault_mem_new();
  CTX = open_on(M);
  add_customers(CTX);
  CLK = T0;
}

static void teardown(void) {
  psvc_ctx_close(CTX);
  CTX = NULL;
  ck_assert_int_eq(M->violations, 0);
  ck_assert(!M->in_txn);
  fault_mem_free(M);
  M = NULL;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static char *dump(psvc_ctx *ctx) {
  char *d = fault_dump_ctx(ctx);
  ck_assert_ptr_nonnull(d);
  return d;
}

static bool same_str(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

#define SHOW(s) ((s) ? (s) : "(null)")

/* Runs `call` on CTX, which must return `want` and change nothing: neither
   the context (every customer and order getter, every event) nor the store
   (no put, no del, same committed records). */
#define REFUSED(want, call)                                                    \
  do {                                                                         \
    char *b_ = dump(CTX);                                                      \
    fault_mem *s_ = fault_mem_snapshot(M);                                     \
    long p_ = M->puts, d_ = M->dels;                                           \
    int rc_ = (call);                                                          \
    ck_assert_msg(rc_ == (want), "%s: rc %d (%s), want %d (%s) [%s]", #call, rc_, \
                  psvc_strerror(rc_), (want), psvc_strerror(want), psvc_errmsg(CTX)); \
    char *a_ = dump(CTX);                                                      \
    ck_assert_msg(strcmp(b_, a_) == 0, "%s changed the context:\n%s\nvs\n%s", #call, b_, \
                  a_);                                                         \
    ck_assert_msg(fault_mem_equal(M, s_) && M->puts == p_ && M->dels == d_,    \
                  "%s wrote to the store", #call);                             \
    ck_assert(!M->in_txn);                                                     \
    free(a_);                                                                  \
    free(b_);                                                                  \
    fault_mem_free(s_);                                                        \
  } while (0)

#define APPLY_OK(id, ev, who)                                                  \
  do {                                                                         \
    int rc_ = psvc_order_apply(CTX, (id), (ev), (who));                        \
    ck_assert_msg(rc_ == PSVC_OK, "apply to %s: rc %d (%s): %s", (id), rc_,   \
                  psvc_strerror(rc_), psvc_errmsg(CTX));                       \
  } while (0)

#define APPLY_NO(want, id, ev, who) REFUSED(want, psvc_order_apply(CTX, (id), (ev), (who)))

static psvc_order_spec mkspec(const char *id, int type, const char *customer, psvc_time at) {
  psvc_order_spec s = PSVC_ORDER_SPEC_INIT;
  s.id = id;
  s.type = type;
  s.channel = PSVC_CHANNEL_PHONE;
  s.customer_id = customer;
  s.accepted_at = at;
  return s;
}

static void open_ok(const char *id, int type, const char *customer, psvc_time at,
                    const psvc_actor *who) {
  psvc_order_spec s = mkspec(id, type, customer, at);
  int rc = psvc_order_open(CTX, &s, who);
  ck_assert_msg(rc == PSVC_OK, "open %s: rc %d (%s): %s", id, rc, psvc_strerror(rc),
                psvc_errmsg(CTX));
}

#define OPEN_NO(want, spec, who) REFUSED(want, psvc_order_open(CTX, (spec), (who)))

static psvc_order *load(const char *id) {
  psvc_order *o = NULL;
  int rc = psvc_order_load(CTX, id, &o);
  ck_assert_msg(rc == PSVC_OK, "load %s: rc %d: %s", id, rc, psvc_errmsg(CTX));
  ck_assert_ptr_nonnull(o);
  return o;
}

/* Asserts state, current unit, responsible unit and event count of `id`. */
static void expect_order(int line, const char *id, int state, const char *current,
                         const char *responsible, size_t nev) {
  psvc_order *o = load(id);
  ck_assert_msg(psvc_order_state(o) == state, "line %d: %s in state %s, want %s", line, id,
                SHOW(psvc_enum_name(PSVC_DOM_STATE, psvc_order_state(o))),
                SHOW(psvc_enum_name(PSVC_DOM_STATE, state)));
  ck_assert_msg(same_str(psvc_order_current_unit(o), current),
                "line %d: %s current unit %s, want %s", line, id,
                SHOW(psvc_order_current_unit(o)), SHOW(current));
  ck_assert_msg(same_str(psvc_order_responsible_unit(o), responsible),
                "line %d: %s responsible unit %s, want %s (W-4)", line, id,
                SHOW(psvc_order_responsible_unit(o)), SHOW(responsible));
  ck_assert_msg(psvc_order_event_count(o) == nev, "line %d: %s has %zu events, want %zu", line,
                id, psvc_order_event_count(o), nev);
  psvc_order_free(o);
}
#define EXPECT(id, state, current, responsible, nev)                           \
  expect_order(__LINE__, id, PSVC_STATE_##state, current, responsible, nev)

/* The ids of `l`, comma-separated, for messages (caller frees). */
static char *list_text(const psvc_list *l) {
  size_t cap = 16;
  for (size_t i = 0; i < psvc_list_count(l); i++)
    cap += strlen(psvc_list_id(l, i)) + 1;
  char *s = malloc(cap);
  ck_assert_ptr_nonnull(s);
  s[0] = 0;
  for (size_t i = 0; i < psvc_list_count(l); i++) {
    if (i)
      strcat(s, ",");
    strcat(s, psvc_list_id(l, i));
  }
  return s;
}

/* `l` holds exactly `want` ("A,B,C"; "" for none), in that order. */
static void expect_list(int line, const psvc_list *l, const char *want) {
  char *got = list_text(l);
  ck_assert_msg(strcmp(got, want) == 0, "line %d: got [%s], want [%s]", line, got, want);
  free(got);
}

static void find_expect(int line, const psvc_filter *f, const char *want) {
  psvc_list *l = NULL;
  int rc = psvc_order_find(CTX, f, &l);
  ck_assert_msg(rc == PSVC_OK, "line %d: find: rc %d: %s", line, rc, psvc_errmsg(CTX));
  expect_list(line, l, want);
  psvc_list_free(l);
}
#define FIND(f, want) find_expect(__LINE__, f, want)

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* psvc_handover(unit) returns exactly `want`: in that order if `ordered`,
   else as a set (`want` sorted bytewise), since the order across orders of
   different urgency belongs to the SLA rules (T-20 ff.), not to W-13. */
static void handover_expect(int line, const char *unit, const char *want, bool ordered) {
  psvc_list *l = NULL;
  int rc = psvc_handover(CTX, unit, T0 + DAY, &l);
  ck_assert_msg(rc == PSVC_OK, "line %d: handover %s: rc %d: %s", line, unit, rc,
                psvc_errmsg(CTX));
  if (ordered) {
    expect_list(line, l, want);
  } else {
    size_t n = psvc_list_count(l);
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
      ids[i] = psvc_list_id(l, i);
      len += strlen(ids[i]) + 1;
    }
    qsort(ids, n, sizeof *ids, cmp_str);
    char *got = malloc(len);
    ck_assert_ptr_nonnull(got);
    got[0] = 0;
    for (size_t i = 0; i < n; i++) {
      if (i)
        strcat(got, ",");
      strcat(got, ids[i]);
    }
    ck_assert_msg(strcmp(got, want) == 0, "line %d: handover %s: got {%s}, want {%s}", line, unit,
                  got, want);
    free(got);
    free(ids);
  }
  psvc_list_free(l);
}
#define HANDOVER(unit, want) handover_expect(__LINE__, unit, want, true)
#define HANDOVER_SET(unit, want) handover_expect(__LINE__, unit, want, false)

/* Drives a FAULT_REPAIR order from ACCEPTED to RESOLVED with Crew-A. */
static void fault_to_resolved(const char *id) {
  APPLY_OK(id, EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_OK(id, EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK(id, EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK(id, EV(PSVC_ACT_RESOLVE, tick(), NULL, 0, "fuse replaced"), &CREW_A);
}

/* An INQUIRY answered at first contact and closed (W-6). */
static void closed_inquiry(const char *id, psvc_time at, const psvc_actor *who) {
  open_ok(id, PSVC_ORDER_INQUIRY, NULL, at, who);
  APPLY_OK(id, EV(PSVC_ACT_REPLY, at + 1, NULL, 0, "tariff explained"), &AGENT);
  APPLY_OK(id, EV(PSVC_ACT_CLOSE, at + 2, NULL, 0, NULL), &AGENT);
}

/* Strings of n bytes of 'x' (caller frees). */
static char *xs(size_t n) {
  char *s = malloc(n + 1);
  ck_assert_ptr_nonnull(s);
  memset(s, 'x', n);
  s[n] = 0;
  return s;
}

/* ======================================================================================= */
/* psvc_order_open                                                                         */
/* ======================================================================================= */

START_TEST(test_open_null_args_and_sizes_einval) {
  psvc_order_spec s = mkspec("O-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0);
  REFUSED(PSVC_EINVAL, psvc_order_open(NULL, &s, &AGENT));
  OPEN_NO(PSVC_EINVAL, NULL, &AGENT);
  OPEN_NO(PSVC_EINVAL, &s, NULL);
  /* a size smaller than v1's (the last v1 member not covered) */
  const uint32_t spec_v1 = (uint32_t)(offsetof(psvc_order_spec, subtype) + sizeof(int));
  const uint32_t spec_small[] = {0, 1, (uint32_t)sizeof(uint32_t), spec_v1 - 1};
  for (size_t i = 0; i < sizeof spec_small / sizeof spec_small[0]; i++) {
    psvc_order_spec b = s;
    b.size = spec_small[i];
    OPEN_NO(PSVC_EINVAL, &b, &AGENT);
  }
  const uint32_t actor_v1 = (uint32_t)(offsetof(psvc_actor, unit) + sizeof(const char *));
  const uint32_t actor_small[] = {0, 1, actor_v1 - 1};
  for (size_t i = 0; i < sizeof actor_small / sizeof actor_small[0]; i++) {
    psvc_actor a = AGENT;
    a.size = actor_small[i];
    OPEN_NO(PSVC_EINVAL, &s, &a);
    ck_assert_str_ne(psvc_errmsg(CTX), "");
  }
  /* the same spec and actor with their sizes right are accepted */
  ck_assert_int_eq(psvc_order_open(CTX, &s, &AGENT), PSVC_OK);
}
END_TEST

START_TEST(test_open_bad_id_einval) {
  char id64[65], id65[66];
  memset(id64, 'a', 64);
  id64[64] = 0;
  memset(id65, 'b', 65);
  id65[65] = 0;
  const char *const bad[] = {NULL, "", id65, "a b", "a/b", "a\nb", "a:b", "\xc3\xa9", "a\x7f"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    psvc_order_spec s = mkspec(bad[i], PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0);
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
  const char *const good[] = {"a", "Z", "0", "._-", "WO.2026-09_21", id64};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    open_ok(good[i], PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
    psvc_order *o = load(good[i]);
    ck_assert_str_eq(psvc_order_id(o), good[i]);
    psvc_order_free(o);
  }
}
END_TEST

START_TEST(test_open_W1_W2_C7_bad_type_channel_area_einval) {
  static const int bad_type[] = {0, 10, -1, INT_MAX, INT_MIN};
  for (size_t i = 0; i < sizeof bad_type / sizeof bad_type[0]; i++) {
    psvc_order_spec s = mkspec("O-1", bad_type[i], "CU-URBAN", T0);
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
  static const int bad_channel[] = {0, 9, -1, INT_MAX};
  for (size_t i = 0; i < sizeof bad_channel / sizeof bad_channel[0]; i++) {
    psvc_order_spec s = mkspec("O-1", PSVC_ORDER_INQUIRY, "CU-URBAN", T0);
    s.channel = bad_channel[i];
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
  static const int bad_area[] = {-1, 4, INT_MAX, INT_MIN};
  for (size_t i = 0; i < sizeof bad_area / sizeof bad_area[0]; i++) {
    psvc_order_spec s = mkspec("O-1", PSVC_ORDER_INQUIRY, "CU-URBAN", T0);
    s.area = bad_area[i];
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
}
END_TEST

/* W-1 / W-2: every type with every channel opens (SERVICE_REQUEST with a
   customer), and the getters return them. */
START_TEST(test_open_W1_W2_every_type_and_channel) {
  int n = 0;
  for (int type = PSVC_ORDER_SERVICE_REQUEST; type <= PSVC_ORDER_DISPATCH; type++)
    for (int ch = PSVC_CHANNEL_PHONE; ch <= PSVC_CHANNEL_COUNTER; ch++) {
      char id[32];
      snprintf(id, sizeof id, "T%d-C%d", type, ch);
      psvc_order_spec s = mkspec(id, type, "CU-RURAL", T0 + n++);
      s.channel = ch;
      ck_assert_msg(psvc_order_open(CTX, &s, &AGENT) == PSVC_OK, "%s: %s", id,
                    psvc_errmsg(CTX));
      psvc_order *o = load(id);
      ck_assert_int_eq(psvc_order_type(o), type);
      ck_assert_int_eq(psvc_order_channel(o), ch);
      psvc_order_free(o);
    }
}
END_TEST

START_TEST(test_open_W15_W16_subtype_per_type) {
  /* COMPLAINT: 0 or a PSVC_COMPLAINT_* (W-15) */
  for (int v = 0; v <= PSVC_COMPLAINT_GRID_CONSTRUCTION; v++) {
    char id[16];
    snprintf(id, sizeof id, "CP-%d", v);
    psvc_order_spec s = mkspec(id, PSVC_ORDER_COMPLAINT, "CU-URBAN", T0);
    s.subtype = v;
    ck_assert_msg(psvc_order_open(CTX, &s, &AGENT) == PSVC_OK, "W-15 subtype %d: %s", v,
                  psvc_errmsg(CTX));
    psvc_order *o = load(id);
    ck_assert_int_eq(psvc_order_subtype(o), v);
    psvc_order_free(o);
  }
  static const int bad_complaint[] = {6, -1, PSVC_REQUEST_OTHER, INT_MAX};
  for (size_t i = 0; i < sizeof bad_complaint / sizeof bad_complaint[0]; i++) {
    psvc_order_spec s = mkspec("CP-bad", PSVC_ORDER_COMPLAINT, "CU-URBAN", T0);
    s.subtype = bad_complaint[i];
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
  /* SERVICE_REQUEST: 0 or a PSVC_REQUEST_* (W-16) */
  for (int v = 0; v <= PSVC_REQUEST_OTHER; v++) {
    char id[16];
    snprintf(id, sizeof id, "SR-%d", v);
    psvc_order_spec s = mkspec(id, PSVC_ORDER_SERVICE_REQUEST, "CU-URBAN", T0);
    s.subtype = v;
    ck_assert_msg(psvc_order_open(CTX, &s, &AGENT) == PSVC_OK, "W-16 subtype %d: %s", v,
                  psvc_errmsg(CTX));
    psvc_order *o = load(id);
    ck_assert_int_eq(psvc_order_subtype(o), v);
    psvc_order_free(o);
  }
  static const int bad_request[] = {8, -1, INT_MIN};
  for (size_t i = 0; i < sizeof bad_request / sizeof bad_request[0]; i++) {
    psvc_order_spec s = mkspec("SR-bad", PSVC_ORDER_SERVICE_REQUEST, "CU-URBAN", T0);
    s.subtype = bad_request[i];
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
  /* every other type: 0 only */
  static const int others[] = {PSVC_ORDER_INQUIRY, PSVC_ORDER_FAULT_REPAIR, PSVC_ORDER_REPORT,
                               PSVC_ORDER_OPINION, PSVC_ORDER_SUGGESTION,   PSVC_ORDER_PRAISE,
                               PSVC_ORDER_DISPATCH};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    for (int v = -1; v <= 2; v += 3) { /* -1 and 2 */
      psvc_order_spec s = mkspec("OT-bad", others[i], "CU-URBAN", T0);
      s.subtype = v;
      OPEN_NO(PSVC_EINVAL, &s, &AGENT);
    }
    psvc_order_spec s = mkspec("OT-bad", others[i], "CU-URBAN", T0);
    s.subtype = 1;
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
}
END_TEST

START_TEST(test_open_summary_text_rules) {
  char *s4096 = xs(4096), *s4097 = xs(4097);
  const char *const bad[] = {s4097, "\xff", "caf\xc3", "\xe5\x9b", "a\xc0\xaf", "\xed\xa0\x80"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    psvc_order_spec s = mkspec("S-bad", PSVC_ORDER_COMPLAINT, "CU-URBAN", T0);
    s.summary = bad[i];
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
  const char *const good[] = {s4096, "\xe5\x81\x9c\xe7\x94\xb5 no power since 08:00", "a",
                              NULL};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    char id[16];
    snprintf(id, sizeof id, "S-%zu", i);
    psvc_order_spec s = mkspec(id, PSVC_ORDER_COMPLAINT, "CU-URBAN", T0);
    s.summary = good[i];
    ck_assert_msg(psvc_order_open(CTX, &s, &AGENT) == PSVC_OK, "summary %zu: %s", i,
                  psvc_errmsg(CTX));
    psvc_order *o = load(id);
    ck_assert(same_str(psvc_order_summary(o), good[i]));
    psvc_order_free(o);
  }
  free(s4096);
  free(s4097);
}
END_TEST

START_TEST(test_open_bad_actor_einval) {
  char *u256 = xs(256), *u257 = xs(257), *id65 = xs(65);
  psvc_order_spec s = mkspec("A-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0);
  const char *const bad_id[] = {NULL, "", "a b", "a/b", id65, "\xc3\xa9"};
  for (size_t i = 0; i < sizeof bad_id / sizeof bad_id[0]; i++) {
    psvc_actor a = AGENT;
    a.id = bad_id[i];
    OPEN_NO(PSVC_EINVAL, &s, &a);
  }
  static const int bad_role[] = {0, 14, -1, INT_MAX};
  for (size_t i = 0; i < sizeof bad_role / sizeof bad_role[0]; i++) {
    psvc_actor a = AGENT;
    a.role = bad_role[i];
    OPEN_NO(PSVC_EINVAL, &s, &a);
  }
  const char *const bad_unit[] = {u257, "\xff", "Desk\xc3"};
  for (size_t i = 0; i < sizeof bad_unit / sizeof bad_unit[0]; i++) {
    psvc_actor a = AGENT;
    a.unit = bad_unit[i];
    OPEN_NO(PSVC_EINVAL, &s, &a);
  }
  /* 256 bytes and NULL are fine */
  psvc_actor a = AGENT;
  a.unit = u256;
  ck_assert_int_eq(psvc_order_open(CTX, &s, &a), PSVC_OK);
  psvc_order *o = load("A-1");
  ck_assert_str_eq(psvc_order_opened_unit(o), u256);
  psvc_order_free(o);
  a.unit = NULL;
  s.id = "A-2";
  ck_assert_int_eq(psvc_order_open(CTX, &s, &a), PSVC_OK);
  o = load("A-2");
  ck_assert_ptr_null(psvc_order_opened_unit(o));
  ck_assert_str_eq(psvc_order_opened_by(o), "agent.01");
  psvc_order_free(o);
  free(u256);
  free(u257);
  free(id65);
}
END_TEST

START_TEST(test_open_W16_service_request_needs_customer) {
  psvc_order_spec s = mkspec("SR-1", PSVC_ORDER_SERVICE_REQUEST, NULL, T0);
  s.subtype = PSVC_REQUEST_NEW_CONNECTION;
  OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  s.customer_id = "CU-URBAN";
  ck_assert_int_eq(psvc_order_open(CTX, &s, &AGENT), PSVC_OK);
}
END_TEST

START_TEST(test_open_anonymous_allowed_for_other_types) {
  for (int type = PSVC_ORDER_INQUIRY; type <= PSVC_ORDER_DISPATCH; type++) {
    if (type == PSVC_ORDER_FAULT_REPAIR)
      continue; /* needs an area: the next test */
    char id[16];
    snprintf(id, sizeof id, "ANON-%d", type);
    open_ok(id, type, NULL, T0, &AGENT);
    psvc_order *o = load(id);
    ck_assert_ptr_null(psvc_order_customer(o));
    ck_assert_int_eq(psvc_order_area(o), 0); /* no customer, no area */
    psvc_order_free(o);
  }
  /* an anonymous caller's area may be given */
  psvc_order_spec s = mkspec("ANON-C", PSVC_ORDER_COMPLAINT, NULL, T0);
  s.area = PSVC_AREA_REMOTE;
  ck_assert_int_eq(psvc_order_open(CTX, &s, &AGENT), PSVC_OK);
  psvc_order *o = load("ANON-C");
  ck_assert_int_eq(psvc_order_area(o), PSVC_AREA_REMOTE);
  psvc_order_free(o);
}
END_TEST

/* An anonymous fault report must say where it is: the arrival limit
   depends on the area (T-3). */
START_TEST(test_open_T3_anonymous_fault_repair_needs_area) {
  psvc_order_spec s = mkspec("ANON-F", PSVC_ORDER_FAULT_REPAIR, NULL, T0);
  OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  /* checked before accepted_at (ERANGE) and the role (EPERM) */
  s.accepted_at = -1;
  OPEN_NO(PSVC_EINVAL, &s, &CREW_A);
  s.accepted_at = T0;
  for (int area = PSVC_AREA_URBAN; area <= PSVC_AREA_REMOTE; area++) {
    char id[16];
    snprintf(id, sizeof id, "ANON-F%d", area);
    s.id = id;
    s.area = area;
    ck_assert_msg(psvc_order_open(CTX, &s, &AGENT) == PSVC_OK, "%s", psvc_errmsg(CTX));
    psvc_order *o = load(id);
    ck_assert_ptr_null(psvc_order_customer(o));
    ck_assert_int_eq(psvc_order_area(o), area);
    psvc_order_free(o);
  }
  /* with a customer, area 0 is the customer's */
  s = mkspec("CUST-F", PSVC_ORDER_FAULT_REPAIR, "CU-REMOTE", T0);
  ck_assert_int_eq(psvc_order_open(CTX, &s, &AGENT), PSVC_OK);
}
END_TEST

START_TEST(test_open_bad_customer_id_einval) {
  const char *const bad[] = {"", "a b", "CU/URBAN", "\xc3\xa9"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    psvc_order_spec s = mkspec("B-1", PSVC_ORDER_FAULT_REPAIR, bad[i], T0);
    OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  }
}
END_TEST

START_TEST(test_open_unknown_customer_enotfound) {
  psvc_order_spec s = mkspec("U-1", PSVC_ORDER_FAULT_REPAIR, "CU-NOBODY", T0);
  OPEN_NO(PSVC_ENOTFOUND, &s, &AGENT);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "CU-NOBODY"));
  s.type = PSVC_ORDER_SERVICE_REQUEST;
  OPEN_NO(PSVC_ENOTFOUND, &s, &AGENT);
}
END_TEST

START_TEST(test_open_duplicate_id_eexist) {
  open_ok("D-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  /* same id, whatever else differs */
  psvc_order_spec s = mkspec("D-1", PSVC_ORDER_INQUIRY, NULL, T0 + DAY);
  OPEN_NO(PSVC_EEXIST, &s, &LEAD);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "D-1"));
  /* ids are case-sensitive */
  open_ok("d-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
}
END_TEST

START_TEST(test_open_accepted_at_range) {
  static const psvc_time bad[] = {-1, -DAY, INT64_MIN, TIME_MAX + 1, INT64_MAX};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    psvc_order_spec s = mkspec("R-bad", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", bad[i]);
    OPEN_NO(PSVC_ERANGE, &s, &AGENT);
  }
  static const psvc_time good[] = {0, 1, T0, TIME_MAX};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    char id[16];
    snprintf(id, sizeof id, "R-%zu", i);
    open_ok(id, PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", good[i], &AGENT);
    psvc_order *o = load(id);
    ck_assert_int_eq(psvc_order_accepted_at(o), good[i]);
    psvc_order_free(o);
  }
}
END_TEST

START_TEST(test_open_role_not_allowed_eperm) {
  static const int refused[] = {PSVC_ROLE_DISPATCHER, PSVC_ROLE_REPAIR_CREW,
                                PSVC_ROLE_CONNECTION, PSVC_ROLE_METER_READING_BILLING,
                                PSVC_ROLE_METERING,   PSVC_ROLE_INSPECTION,
                                PSVC_ROLE_DEMAND_SIDE, PSVC_ROLE_CONSULTING};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    psvc_actor a = {sizeof a, "staff.x", refused[i], "Somewhere"};
    psvc_order_spec s = mkspec("P-x", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0);
    OPEN_NO(PSVC_EPERM, &s, &a);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), psvc_enum_name(PSVC_DOM_ROLE, refused[i])));
  }
  static const int allowed[] = {PSVC_ROLE_AGENT, PSVC_ROLE_SHIFT_LEAD, PSVC_ROLE_SUPERVISOR,
                                PSVC_ROLE_CUSTOMER_REP, PSVC_ROLE_SYSTEM};
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
    char id[16];
    snprintf(id, sizeof id, "P-%zu", i);
    psvc_actor a = {sizeof a, "staff.y", allowed[i], "Somewhere"};
    psvc_order_spec s = mkspec(id, PSVC_ORDER_COMPLAINT, "CU-URBAN", T0);
    ck_assert_msg(psvc_order_open(CTX, &s, &a) == PSVC_OK, "role %d: %s", allowed[i],
                  psvc_errmsg(CTX));
    psvc_order *o = load(id);
    ck_assert_int_eq(psvc_order_opened_role(o), allowed[i]);
    psvc_order_free(o);
  }
  /* psvc_permit, action 0 = opening: narrowing and widening per context */
  ck_assert_int_eq(psvc_permit(CTX, 0, 0, PSVC_ROLE_AGENT, 0), PSVC_OK);
  psvc_order_spec s = mkspec("P-narrow", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0);
  OPEN_NO(PSVC_EPERM, &s, &AGENT);
  ck_assert_int_eq(psvc_permit(CTX, PSVC_ORDER_FAULT_REPAIR, 0, PSVC_ROLE_REPAIR_CREW, 1),
                   PSVC_OK);
  ck_assert_int_eq(psvc_order_open(CTX, &s, &CREW_A), PSVC_OK);
  s.id = "P-narrow2";
  s.type = PSVC_ORDER_INQUIRY; /* widened for FAULT_REPAIR only */
  OPEN_NO(PSVC_EPERM, &s, &CREW_A);
}
END_TEST

START_TEST(test_permit_arguments) {
  REFUSED(PSVC_EINVAL, psvc_permit(NULL, 0, 0, PSVC_ROLE_AGENT, 1));
  static const int bad[][4] = {
      {-1, 0, PSVC_ROLE_AGENT, 1}, {10, 0, PSVC_ROLE_AGENT, 1}, {0, -1, PSVC_ROLE_AGENT, 1},
      {0, 17, PSVC_ROLE_AGENT, 1}, {0, 0, 0, 1},               {0, 0, 14, 1},
      {0, 0, PSVC_ROLE_AGENT, 2},  {0, 0, PSVC_ROLE_AGENT, -1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(psvc_permit(CTX, bad[i][0], bad[i][1], bad[i][2], bad[i][3]) == PSVC_EINVAL,
                  "permit case %zu accepted", i);
  /* nothing was changed by them: the defaults still hold */
  open_ok("PM-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_NO(PSVC_EPERM, "PM-1", EV(PSVC_ACT_DISPATCH, T0, "Crew-A", 0, NULL), &CREW_A);
  /* narrowing one action for one type */
  ck_assert_int_eq(psvc_permit(CTX, PSVC_ORDER_FAULT_REPAIR, PSVC_ACT_DISPATCH, PSVC_ROLE_AGENT,
                               0), PSVC_OK);
  APPLY_NO(PSVC_EPERM, "PM-1", EV(PSVC_ACT_DISPATCH, T0, "Crew-A", 0, NULL), &AGENT);
  open_ok("PM-2", PSVC_ORDER_COMPLAINT, "CU-URBAN", T0, &AGENT);
  APPLY_OK("PM-2", EV(PSVC_ACT_DISPATCH, T0, "Service", 0, NULL), &AGENT);
  APPLY_OK("PM-1", EV(PSVC_ACT_DISPATCH, T0, "Crew-A", 0, NULL), &DISP);
}
END_TEST

/* The first failing check of docs/orders.md's table is the one returned. */
START_TEST(test_open_check_order) {
  open_ok("DUP", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  psvc_actor crew_bad_unit = CREW_A;
  crew_bad_unit.unit = "\xff";
  psvc_order_spec s;

  /* bad type before bad subtype / summary / actor / customer / time / role */
  s = mkspec("DUP", 99, NULL, -1);
  s.summary = "\xff";
  OPEN_NO(PSVC_EINVAL, &s, &CREW_A);
  /* a bad actor before a duplicate id */
  s = mkspec("DUP", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0);
  OPEN_NO(PSVC_EINVAL, &s, &crew_bad_unit);
  /* SERVICE_REQUEST without customer (EINVAL) before accepted_at (ERANGE) */
  s = mkspec("NEW", PSVC_ORDER_SERVICE_REQUEST, NULL, -1);
  OPEN_NO(PSVC_EINVAL, &s, &AGENT);
  /* a bad customer id (EINVAL) before accepted_at (ERANGE) and role (EPERM) */
  s = mkspec("NEW", PSVC_ORDER_FAULT_REPAIR, "a b", -1);
  OPEN_NO(PSVC_EINVAL, &s, &CREW_A);
  /* accepted_at (ERANGE) before role (EPERM), duplicate and customer */
  s = mkspec("DUP", PSVC_ORDER_FAULT_REPAIR, "CU-NOBODY", TIME_MAX + 1);
  OPEN_NO(PSVC_ERANGE, &s, &CREW_A);
  /* role (EPERM) before duplicate (EEXIST) and customer (ENOTFOUND) */
  s = mkspec("DUP", PSVC_ORDER_FAULT_REPAIR, "CU-NOBODY", T0);
  OPEN_NO(PSVC_EPERM, &s, &CREW_A);
  /* duplicate (EEXIST) before unknown customer (ENOTFOUND) */
  OPEN_NO(PSVC_EEXIST, &s, &AGENT);
}
END_TEST

START_TEST(test_open_area_from_customer_or_override) {
  static const struct {
    const char *id, *customer;
    int area, want;
  } cases[] = {
      {"AR-1", "CU-URBAN", 0, PSVC_AREA_URBAN},
      {"AR-2", "CU-RURAL", 0, PSVC_AREA_RURAL},
      {"AR-3", "CU-REMOTE", 0, PSVC_AREA_REMOTE},
      {"AR-4", "CU-URBAN", PSVC_AREA_REMOTE, PSVC_AREA_REMOTE},
      {"AR-5", "CU-REMOTE", PSVC_AREA_URBAN, PSVC_AREA_URBAN},
      {"AR-6", "CU-RURAL", PSVC_AREA_RURAL, PSVC_AREA_RURAL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    psvc_order_spec s = mkspec(cases[i].id, PSVC_ORDER_FAULT_REPAIR, cases[i].customer, T0);
    s.area = cases[i].area;
    ck_assert_int_eq(psvc_order_open(CTX, &s, &AGENT), PSVC_OK);
    psvc_order *o = load(cases[i].id);
    ck_assert_msg(psvc_order_area(o) == cases[i].want, "%s: area %d, want %d", cases[i].id,
                  psvc_order_area(o), cases[i].want);
    ck_assert_str_eq(psvc_order_customer(o), cases[i].customer);
    psvc_order_free(o);
  }
  /* the area is taken at opening: a later change of the customer does not
     move the order */
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_load(CTX, "CU-URBAN", &c), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_area(c, PSVC_AREA_RURAL), PSVC_OK);
  ck_assert_int_eq(psvc_customer_save(CTX, c), PSVC_OK);
  psvc_customer_free(c);
  psvc_order *o = load("AR-1");
  ck_assert_int_eq(psvc_order_area(o), PSVC_AREA_URBAN);
  psvc_order_free(o);
}
END_TEST

START_TEST(test_open_fresh_order_getters) {
  char id[] = "F-0001", cust[] = "CU-RURAL", summary[] = "no power on the whole street";
  char staff[] = "rep.07", unit[] = "Counter-3";
  psvc_order_spec s = PSVC_ORDER_SPEC_INIT;
  s.id = id;
  s.type = PSVC_ORDER_COMPLAINT;
  s.channel = PSVC_CHANNEL_COUNTER;
  s.customer_id = cust;
  s.accepted_at = T0 + 123;
  s.summary = summary;
  s.subtype = PSVC_COMPLAINT_OUTAGE;
  psvc_actor who = {sizeof who, staff, PSVC_ROLE_CUSTOMER_REP, unit};
  long puts = M->puts;
  ck_assert_int_eq(psvc_order_open(CTX, &s, &who), PSVC_OK);
  ck_assert_int_eq(M->puts - puts, 1); /* the ORDER record, nothing else */
  /* the library copied its input */
  memset(id, 'z', strlen(id));
  memset(cust, 'z', strlen(cust));
  memset(summary, 'z', strlen(summary));
  memset(staff, 'z', strlen(staff));
  memset(unit, 'z', strlen(unit));

  psvc_order *o = load("F-0001");
  ck_assert_str_eq(psvc_order_id(o), "F-0001");
  ck_assert_int_eq(psvc_order_type(o), PSVC_ORDER_COMPLAINT);
  ck_assert_int_eq(psvc_order_subtype(o), PSVC_COMPLAINT_OUTAGE);
  ck_assert_int_eq(psvc_order_channel(o), PSVC_CHANNEL_COUNTER);
  ck_assert_str_eq(psvc_order_customer(o), "CU-RURAL");
  ck_assert_int_eq(psvc_order_area(o), PSVC_AREA_RURAL);
  ck_assert_int_eq(psvc_order_accepted_at(o), T0 + 123);
  ck_assert_str_eq(psvc_order_summary(o), "no power on the whole street");
  ck_assert_str_eq(psvc_order_opened_by(o), "rep.07");
  ck_assert_int_eq(psvc_order_opened_role(o), PSVC_ROLE_CUSTOMER_REP);
  ck_assert_str_eq(psvc_order_opened_unit(o), "Counter-3");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_ACCEPTED);
  ck_assert_int_eq(psvc_order_is_open(o), 1);
  ck_assert_ptr_null(psvc_order_current_unit(o));
  ck_assert_ptr_null(psvc_order_responsible_unit(o));
  ck_assert_ptr_null(psvc_order_merged_into(o));
  ck_assert_int_eq(psvc_order_urge_count(o), 0);
  ck_assert_int_eq(psvc_order_escalation_level(o), 0);
  ck_assert_int_eq(psvc_order_satisfaction(o), 0);
  ck_assert_int_eq(psvc_order_suspended_from(o), 0);
  ck_assert_int_eq(psvc_order_reopen_count(o), 0);
  ck_assert_uint_eq(psvc_order_event_count(o), 0); /* opening is not an event */
  ck_assert_int_eq(psvc_order_event_action(o, 0), 0);
  ck_assert_ptr_null(psvc_order_event_actor(o, 0));
  psvc_order_free(o);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_ORDER), 1);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_EVENT), 0);
}
END_TEST

/* ======================================================================================= */
/* psvc_order_apply: arguments and the order of the checks                                 */
/* ======================================================================================= */

START_TEST(test_apply_null_args_and_sizes_einval) {
  open_ok("N-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  psvc_event e = {sizeof e, PSVC_ACT_NOTE, T0 + 60, NULL, 0, "called back"};
  REFUSED(PSVC_EINVAL, psvc_order_apply(NULL, "N-1", &e, &AGENT));
  APPLY_NO(PSVC_EINVAL, NULL, &e, &AGENT);
  APPLY_NO(PSVC_EINVAL, "N-1", NULL, &AGENT);
  APPLY_NO(PSVC_EINVAL, "N-1", &e, NULL);
  const uint32_t ev_v1 = (uint32_t)(offsetof(psvc_event, note) + sizeof(const char *));
  const uint32_t ev_small[] = {0, 1, ev_v1 - 1};
  for (size_t i = 0; i < sizeof ev_small / sizeof ev_small[0]; i++) {
    psvc_event b = e;
    b.size = ev_small[i];
    APPLY_NO(PSVC_EINVAL, "N-1", &b, &AGENT);
  }
  const uint32_t actor_v1 = (uint32_t)(offsetof(psvc_actor, unit) + sizeof(const char *));
  psvc_actor a = AGENT;
  a.size = actor_v1 - 1;
  APPLY_NO(PSVC_EINVAL, "N-1", &e, &a);
  a.size = 0;
  APPLY_NO(PSVC_EINVAL, "N-1", &e, &a);
  APPLY_OK("N-1", &e, &AGENT);
  EXPECT("N-1", ACCEPTED, NULL, NULL, 1);
}
END_TEST

START_TEST(test_apply_bad_action_and_actor_einval) {
  open_ok("N-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  static const int bad_action[] = {0, 17, -1, INT_MAX, INT_MIN};
  for (size_t i = 0; i < sizeof bad_action / sizeof bad_action[0]; i++)
    APPLY_NO(PSVC_EINVAL, "N-1", EV(bad_action[i], T0 + 60, "Crew-A", 1, "x"), &SUP);
  char *u257 = xs(257);
  const psvc_actor bad[] = {
      {sizeof(psvc_actor), NULL, PSVC_ROLE_AGENT, "Desk-1"},
      {sizeof(psvc_actor), "", PSVC_ROLE_AGENT, "Desk-1"},
      {sizeof(psvc_actor), "a b", PSVC_ROLE_AGENT, "Desk-1"},
      {sizeof(psvc_actor), "agent.01", 0, "Desk-1"},
      {sizeof(psvc_actor), "agent.01", 14, "Desk-1"},
      {sizeof(psvc_actor), "agent.01", -1, "Desk-1"},
      {sizeof(psvc_actor), "agent.01", PSVC_ROLE_AGENT, u257},
      {sizeof(psvc_actor), "agent.01", PSVC_ROLE_AGENT, "\xc3("},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_NOTE, T0 + 60, NULL, 0, "x"), &bad[i]);
  free(u257);
  EXPECT("N-1", ACCEPTED, NULL, NULL, 0);
}
END_TEST

START_TEST(test_apply_target_and_note_text_rules) {
  open_ok("N-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  char *t256 = xs(256), *t257 = xs(257), *n4096 = xs(4096), *n4097 = xs(4097);
  /* target: text of at most 256 bytes */
  const char *const bad_target[] = {t257, "\xff", "Crew\xe5\x9b"};
  for (size_t i = 0; i < sizeof bad_target / sizeof bad_target[0]; i++) {
    APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_DISPATCH, T0 + 60, bad_target[i], 0, NULL),
             &AGENT);
    APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_NOTE, T0 + 60, bad_target[i], 0, "x"), &AGENT);
  }
  /* note: text of at most 4096 bytes */
  const char *const bad_note[] = {n4097, "\xff", "caf\xc3"};
  for (size_t i = 0; i < sizeof bad_note / sizeof bad_note[0]; i++)
    APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_NOTE, T0 + 60, NULL, 0, bad_note[i]), &AGENT);
  APPLY_OK("N-1", EV(PSVC_ACT_NOTE, T0 + 60, NULL, 0, n4096), &AGENT);
  APPLY_OK("N-1", EV(PSVC_ACT_DISPATCH, T0 + 60, t256, 0, NULL), &AGENT);
  psvc_order *o = load("N-1");
  ck_assert_str_eq(psvc_order_event_note(o, 0), n4096);
  ck_assert_str_eq(psvc_order_current_unit(o), t256);
  psvc_order_free(o);
  free(t256);
  free(t257);
  free(n4096);
  free(n4097);
}
END_TEST

START_TEST(test_apply_per_action_required_arguments) {
  open_ok("N-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  /* DISPATCH and TRANSFER need a target (the unit) */
  APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_DISPATCH, T0 + 60, NULL, 0, "go"), &AGENT);
  APPLY_OK("N-1", EV(PSVC_ACT_DISPATCH, T0 + 60, "Crew-A", 0, NULL), &AGENT);
  APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_TRANSFER, T0 + 120, NULL, 0, "wrong area"), &DISP);
  /* MERGE needs a target that is an id, not the order itself */
  open_ok("N-2", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  const char *const bad_merge[] = {NULL, "", "a b", "N-1/0", "N-1"};
  for (size_t i = 0; i < sizeof bad_merge / sizeof bad_merge[0]; i++)
    APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_MERGE, T0 + 120, bad_merge[i], 0, NULL), &AGENT);
  /* RETURN, SUSPEND and CANCEL need a reason */
  APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_RETURN, T0 + 120, NULL, 0, NULL), &CREW_A);
  APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_SUSPEND, T0 + 120, NULL, 0, NULL), &CREW_A);
  APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_CANCEL, T0 + 120, NULL, 0, NULL), &SUP);
  /* VISIT needs a PSVC_SAT_* (checked before the state) */
  static const int bad_sat[] = {0, 4, -1, INT_MAX};
  for (size_t i = 0; i < sizeof bad_sat / sizeof bad_sat[0]; i++)
    APPLY_NO(PSVC_EINVAL, "N-1", EV(PSVC_ACT_VISIT, T0 + 120, NULL, bad_sat[i], NULL), &AGENT);
  /* ESCALATE: a negative level is out of range */
  static const int bad_level[] = {-1, -99, INT_MIN};
  for (size_t i = 0; i < sizeof bad_level / sizeof bad_level[0]; i++)
    APPLY_NO(PSVC_ERANGE, "N-1", EV(PSVC_ACT_ESCALATE, T0 + 120, NULL, bad_level[i], NULL),
             &LEAD);
  EXPECT("N-1", DISPATCHED, "Crew-A", NULL, 1);
}
END_TEST

START_TEST(test_apply_unknown_order_enotfound) {
  open_ok("N-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_NO(PSVC_ENOTFOUND, "N-2", EV(PSVC_ACT_NOTE, T0 + 60, NULL, 0, "x"), &AGENT);
  APPLY_NO(PSVC_ENOTFOUND, "n-1", EV(PSVC_ACT_DISPATCH, T0 + 60, "Crew-A", 0, NULL), &AGENT);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "n-1"));
}
END_TEST

/* docs/orders.md: arguments, existence, state, role, time, per action. */
START_TEST(test_apply_check_order) {
  open_ok("C-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  open_ok("C-2", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  closed_inquiry("C-DONE", T0, &AGENT);
  APPLY_OK("C-1", EV(PSVC_ACT_DISPATCH, T0 + 600, "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("C-1", EV(PSVC_ACT_RECEIVE, T0 + 600, NULL, 0, NULL), &CREW_A);

  /* arguments before existence (ESCALATE < 0 is an argument check too) */
  APPLY_NO(PSVC_EINVAL, "NOPE", EV(PSVC_ACT_VISIT, T0 + 700, NULL, 0, NULL), &AGENT);
  APPLY_NO(PSVC_EINVAL, "NOPE", EV(PSVC_ACT_MERGE, T0 + 700, "NOPE", 0, NULL), &AGENT);
  APPLY_NO(PSVC_ERANGE, "NOPE", EV(PSVC_ACT_ESCALATE, T0 + 700, NULL, -1, NULL), &LEAD);
  /* existence before state, role and time */
  APPLY_NO(PSVC_ENOTFOUND, "NOPE", EV(PSVC_ACT_ARRIVE, 0, NULL, 0, NULL), &AGENT);
  /* state before role: nobody may ARRIVE in ACCEPTED, and a closed order
     takes only NOTE, whatever the role and time */
  APPLY_NO(PSVC_ESTATE, "C-2", EV(PSVC_ACT_ARRIVE, T0 - 5, NULL, 0, NULL), &AGENT);
  APPLY_NO(PSVC_ESTATE, "C-DONE", EV(PSVC_ACT_RESOLVE, T0 - 5, NULL, 0, NULL), &CREW_A);
  APPLY_NO(PSVC_ESTATE, "C-2", EV(PSVC_ACT_RECEIVE, T0 + 700, NULL, 0, NULL), &AGENT);
  /* role before time */
  APPLY_NO(PSVC_EPERM, "C-1", EV(PSVC_ACT_ARRIVE, T0, NULL, 0, NULL), &AGENT);
  APPLY_NO(PSVC_EPERM, "C-1", EV(PSVC_ACT_MERGE, T0, "NOPE", 0, NULL), &CREW_A);
  /* time before the per-action checks */
  APPLY_NO(PSVC_ERANGE, "C-1", EV(PSVC_ACT_TRANSFER, T0 + 599, "Crew-A", 0, NULL), &CREW_A);
  APPLY_NO(PSVC_ERANGE, "C-1", EV(PSVC_ACT_MERGE, T0 + 599, "NOPE", 0, NULL), &AGENT);
  APPLY_NO(PSVC_ERANGE, "C-1", EV(PSVC_ACT_MERGE, T0 + 599, "C-DONE", 0, NULL), &AGENT);
  /* the per-action checks */
  APPLY_NO(PSVC_EINVAL, "C-1", EV(PSVC_ACT_TRANSFER, T0 + 700, "Crew-A", 0, NULL), &CREW_A);
  APPLY_NO(PSVC_ENOTFOUND, "C-1", EV(PSVC_ACT_MERGE, T0 + 700, "NOPE", 0, NULL), &AGENT);
  APPLY_NO(PSVC_ESTATE, "C-1", EV(PSVC_ACT_MERGE, T0 + 700, "C-DONE", 0, NULL), &AGENT);
  EXPECT("C-1", RECEIVED, "Crew-A", "Crew-A", 2);
  EXPECT("C-2", ACCEPTED, NULL, NULL, 0);
}
END_TEST

/* ESTATE and EPERM messages name the type, state, action and role. */
START_TEST(test_apply_estate_eperm_messages) {
  open_ok("C-1", PSVC_ORDER_COMPLAINT, "CU-URBAN", T0, &AGENT);
  APPLY_NO(PSVC_EPERM, "C-1", EV(PSVC_ACT_DISPATCH, T0 + 1, "Crew-A", 0, NULL), &CREW_A);
  const char *msg = psvc_errmsg(CTX);
  ck_assert_ptr_nonnull(strstr(msg, "COMPLAINT"));
  ck_assert_ptr_nonnull(strstr(msg, "ACCEPTED"));
  ck_assert_ptr_nonnull(strstr(msg, "DISPATCH"));
  ck_assert_ptr_nonnull(strstr(msg, "REPAIR_CREW"));
  ck_assert_ptr_nonnull(strstr(msg, "C-1"));
  /* W-14: a complaint may be cancelled by a SUPERVISOR only */
  APPLY_NO(PSVC_EPERM, "C-1", EV(PSVC_ACT_CANCEL, T0 + 1, NULL, 0, "duplicate call"), &LEAD);
  APPLY_OK("C-1", EV(PSVC_ACT_CANCEL, T0 + 1, NULL, 0, "duplicate call"), &SUP);
  APPLY_NO(PSVC_ESTATE, "C-1", EV(PSVC_ACT_RESOLVE, T0 + 2, NULL, 0, NULL), &CREW_A);
  msg = psvc_errmsg(CTX);
  ck_assert_ptr_nonnull(strstr(msg, "COMPLAINT"));
  ck_assert_ptr_nonnull(strstr(msg, "CANCELLED"));
  ck_assert_ptr_nonnull(strstr(msg, "RESOLVE"));
  ck_assert_ptr_nonnull(strstr(msg, "REPAIR_CREW"));
  ck_assert_ptr_nonnull(strstr(msg, "C-1"));
}
END_TEST

/* ======================================================================================= */
/* W-11: the history                                                                       */
/* ======================================================================================= */

START_TEST(test_W11_history_records_every_field) {
  open_ok("H-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  char note[] = "\xe5\xae\xa2\xe6\x88\xb7 called again";
  char target[] = "Crew-A";
  static const struct {
    int action;
    psvc_time dt;
    const char *target;
    int value;
    const char *note;
    const psvc_actor *who;
  } evs[] = {
      {PSVC_ACT_NOTE, 0, NULL, 0, NULL, &AGENT}, /* at == accepted_at is allowed */
      {PSVC_ACT_DISPATCH, 60, "Crew-A", 0, NULL, &AGENT},
      {PSVC_ACT_URGE, 60, NULL, 0, "customer chasing", &AGENT}, /* same time */
      {PSVC_ACT_RECEIVE, 120, "Crew-A", 0, NULL, &CREW_A},
      {PSVC_ACT_ESCALATE, 180, NULL, 2, "VIP line", &LEAD},
      {PSVC_ACT_ARRIVE, 600, NULL, 0, NULL, &CREW_A},
      {PSVC_ACT_NOTE, 601, "Crew-A", 7, "imported remark", &SYS},
      {PSVC_ACT_RESOLVE, 3600, NULL, 0, "fuse replaced", &CREW_A},
      {PSVC_ACT_VISIT, 7200, NULL, PSVC_SAT_FAIRLY_SATISFIED, "ok-ish", &AGENT},
      {PSVC_ACT_CLOSE, 7200, NULL, 0, NULL, &AGENT},
      {PSVC_ACT_NOTE, 9000, NULL, 0, "audit remark after archive", &SUP},
  };
  const size_t n = sizeof evs / sizeof evs[0];
  for (size_t i = 0; i < n; i++) {
    long puts = M->puts;
    if (i == 0) { /* check that note and target are copied */
      psvc_event e = {sizeof e, PSVC_ACT_NOTE, T0, target, 0, note};
      APPLY_OK("H-1", &e, evs[i].who);
      memset(note, 'z', strlen(note));
      memset(target, 'z', strlen(target));
    } else {
      APPLY_OK("H-1",
               EV(evs[i].action, T0 + evs[i].dt, evs[i].target, evs[i].value, evs[i].note),
               evs[i].who);
    }
    ck_assert_int_eq(M->puts - puts, 1);
  }
  psvc_order *o = load("H-1");
  ck_assert_uint_eq(psvc_order_event_count(o), n);
  for (size_t i = 0; i < n; i++) {
    const char *want_note = i == 0 ? "\xe5\xae\xa2\xe6\x88\xb7 called again" : evs[i].note;
    const char *want_target = i == 0 ? "Crew-A" : evs[i].target;
    ck_assert_msg(psvc_order_event_action(o, i) == evs[i].action, "event %zu action", i);
    ck_assert_msg(psvc_order_event_at(o, i) == T0 + evs[i].dt, "event %zu at", i);
    ck_assert_msg(same_str(psvc_order_event_actor(o, i), evs[i].who->id), "event %zu actor", i);
    ck_assert_msg(psvc_order_event_role(o, i) == evs[i].who->role, "event %zu role", i);
    ck_assert_msg(same_str(psvc_order_event_unit(o, i), evs[i].who->unit), "event %zu unit %s",
                  i, SHOW(psvc_order_event_unit(o, i)));
    ck_assert_msg(same_str(psvc_order_event_target(o, i), want_target), "event %zu target %s", i,
                  SHOW(psvc_order_event_target(o, i)));
    ck_assert_msg(psvc_order_event_value(o, i) == evs[i].value, "event %zu value %d", i,
                  psvc_order_event_value(o, i));
    ck_assert_msg(same_str(psvc_order_event_note(o, i), want_note), "event %zu note %s", i,
                  SHOW(psvc_order_event_note(o, i)));
  }
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_CLOSED);
  ck_assert_int_eq(psvc_order_is_open(o), 0);
  ck_assert_int_eq(psvc_order_urge_count(o), 1);
  ck_assert_int_eq(psvc_order_escalation_level(o), 2);
  ck_assert_int_eq(psvc_order_satisfaction(o), PSVC_SAT_FAIRLY_SATISFIED);
  psvc_order_free(o);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_EVENT), n);
}
END_TEST

START_TEST(test_W11_time_never_goes_back) {
  open_ok("H-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  /* the first event: not before accepted_at */
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_DISPATCH, T0 - 1, "Crew-A", 0, NULL), &AGENT);
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_NOTE, 0, NULL, 0, "x"), &AGENT);
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_NOTE, -1, NULL, 0, "x"), &AGENT);
  APPLY_OK("H-1", EV(PSVC_ACT_DISPATCH, T0 + 100, "Crew-A", 0, NULL), &AGENT);
  /* later ones: not before the previous event */
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_RECEIVE, T0 + 99, NULL, 0, NULL), &CREW_A);
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_NOTE, T0 + 1, NULL, 0, "late remark"), &AGENT);
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_URGE, INT64_MIN, NULL, 0, NULL), &AGENT);
  /* equal time is fine */
  APPLY_OK("H-1", EV(PSVC_ACT_RECEIVE, T0 + 100, NULL, 0, NULL), &CREW_A);
  APPLY_OK("H-1", EV(PSVC_ACT_NOTE, T0 + 100, NULL, 0, "same second"), &CREW_A);
  /* not after 9999-12-31 */
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_NOTE, TIME_MAX + 1, NULL, 0, "x"), &AGENT);
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_NOTE, INT64_MAX, NULL, 0, "x"), &AGENT);
  APPLY_OK("H-1", EV(PSVC_ACT_NOTE, TIME_MAX, NULL, 0, "last second"), &AGENT);
  APPLY_NO(PSVC_ERANGE, "H-1", EV(PSVC_ACT_NOTE, TIME_MAX - 1, NULL, 0, "x"), &AGENT);
  EXPECT("H-1", RECEIVED, "Crew-A", "Crew-A", 4);
}
END_TEST

/* ======================================================================================= */
/* W-4: whoever receives first is responsible                                              */
/* ======================================================================================= */

START_TEST(test_W4_responsible_unit_is_first_receiver_forever) {
  open_ok("R-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("R-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  EXPECT("R-1", DISPATCHED, "Crew-A", NULL, 1); /* dispatch alone makes nobody responsible */
  APPLY_OK("R-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  EXPECT("R-1", RECEIVED, "Crew-A", "Crew-A", 2);
  /* TRANSFER: new current unit, same state, same responsible unit */
  APPLY_OK("R-1", EV(PSVC_ACT_TRANSFER, tick(), "Crew-B", 0, "their feeder"), &CREW_A);
  EXPECT("R-1", RECEIVED, "Crew-B", "Crew-A", 3);
  /* RETURN (W-7) and a new dispatch received by another unit */
  APPLY_OK("R-1", EV(PSVC_ACT_RETURN, tick(), NULL, 0, "not ours"), &CREW_B);
  EXPECT("R-1", ACCEPTED, NULL, "Crew-A", 4);
  APPLY_OK("R-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-C", 0, NULL), &DISP);
  EXPECT("R-1", DISPATCHED, "Crew-C", "Crew-A", 5);
  APPLY_OK("R-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_C);
  EXPECT("R-1", RECEIVED, "Crew-C", "Crew-A", 6);
  APPLY_OK("R-1", EV(PSVC_ACT_TRANSFER, tick(), "Crew-B", 0, NULL), &CREW_C);
  APPLY_OK("R-1", EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_B);
  EXPECT("R-1", ON_SITE, "Crew-B", "Crew-A", 8);
  /* a TRANSFER while on site keeps ON_SITE */
  APPLY_OK("R-1", EV(PSVC_ACT_TRANSFER, tick(), "Crew-C", 0, NULL), &CREW_B);
  EXPECT("R-1", ON_SITE, "Crew-C", "Crew-A", 9);
  /* a TRANSFER while only dispatched keeps DISPATCHED, nobody responsible */
  open_ok("R-2", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("R-2", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("R-2", EV(PSVC_ACT_TRANSFER, tick(), "Crew-B", 0, NULL), &DISP);
  EXPECT("R-2", DISPATCHED, "Crew-B", NULL, 2);
  APPLY_OK("R-2", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_B);
  EXPECT("R-2", RECEIVED, "Crew-B", "Crew-B", 3);
}
END_TEST

/* RECEIVE: the receiving unit is `target` if given, else the actor's unit,
   else the unit the order was dispatched to. */
START_TEST(test_W4_receiving_unit_choice) {
  psvc_actor crew_no_unit = CREW_A;
  crew_no_unit.unit = NULL;
  static const char *const ids[] = {"U-1", "U-2", "U-3", "U-4"};
  for (size_t i = 0; i < 4; i++) {
    open_ok(ids[i], PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
    APPLY_OK(ids[i], EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  }
  APPLY_OK("U-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK("U-2", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_B);
  APPLY_OK("U-3", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &crew_no_unit);
  APPLY_OK("U-4", EV(PSVC_ACT_RECEIVE, tick(), "Crew-C", 0, NULL), &CREW_B);
  EXPECT("U-1", RECEIVED, "Crew-A", "Crew-A", 2);
  EXPECT("U-2", RECEIVED, "Crew-B", "Crew-B", 2);
  EXPECT("U-3", RECEIVED, "Crew-A", "Crew-A", 2);
  EXPECT("U-4", RECEIVED, "Crew-C", "Crew-C", 2);
}
END_TEST

START_TEST(test_W4_transfer_rules) {
  open_ok("X-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  /* not from ACCEPTED: no unit holds it */
  APPLY_NO(PSVC_ESTATE, "X-1", EV(PSVC_ACT_TRANSFER, tick(), "Crew-B", 0, NULL), &DISP);
  APPLY_OK("X-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("X-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  /* to the unit that already holds it */
  APPLY_NO(PSVC_EINVAL, "X-1", EV(PSVC_ACT_TRANSFER, tick(), "Crew-A", 0, NULL), &CREW_A);
  /* AGENT may not transfer */
  APPLY_NO(PSVC_EPERM, "X-1", EV(PSVC_ACT_TRANSFER, tick(), "Crew-B", 0, NULL), &AGENT);
  APPLY_OK("X-1", EV(PSVC_ACT_TRANSFER, tick(), "Crew-B", 0, NULL), &CREW_A);
  EXPECT("X-1", RECEIVED, "Crew-B", "Crew-A", 3);
}
END_TEST

/* ======================================================================================= */
/* W-5: urging and escalation                                                              */
/* ======================================================================================= */

START_TEST(test_W5_urge_counts) {
  open_ok("G-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  for (int i = 1; i <= 5; i++) {
    APPLY_OK("G-1", EV(PSVC_ACT_URGE, tick(), NULL, 0, i == 3 ? "third call" : NULL),
             i % 2 ? &AGENT : &DISP);
    psvc_order *o = load("G-1");
    ck_assert_int_eq(psvc_order_urge_count(o), i);
    ck_assert_uint_eq(psvc_order_event_count(o), (size_t)i);
    ck_assert_int_eq(psvc_order_event_action(o, (size_t)i - 1), PSVC_ACT_URGE);
    ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_ACCEPTED);
    psvc_order_free(o);
  }
  APPLY_NO(PSVC_EPERM, "G-1", EV(PSVC_ACT_URGE, tick(), NULL, 0, NULL), &CREW_A);
  closed_inquiry("G-2", T0, &AGENT);
  APPLY_NO(PSVC_ESTATE, "G-2", EV(PSVC_ACT_URGE, T0 + DAY, NULL, 0, NULL), &AGENT);
}
END_TEST

static int level_of(const char *id) {
  psvc_order *o = load(id);
  int l = psvc_order_escalation_level(o);
  psvc_order_free(o);
  return l;
}

START_TEST(test_W5_escalation_levels) {
  open_ok("E-1", PSVC_ORDER_COMPLAINT, "CU-URBAN", T0, &AGENT);
  ck_assert_int_eq(level_of("E-1"), 0);
  APPLY_OK("E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 0, NULL), &LEAD); /* 0 = one up */
  ck_assert_int_eq(level_of("E-1"), 1);
  APPLY_OK("E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 0, NULL), &SUP);
  ck_assert_int_eq(level_of("E-1"), 2);
  APPLY_OK("E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 5, "to the director"), &SUP);
  ck_assert_int_eq(level_of("E-1"), 5);
  /* not above the current level */
  APPLY_NO(PSVC_ERANGE, "E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 5, NULL), &SUP);
  APPLY_NO(PSVC_ERANGE, "E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 3, NULL), &SUP);
  APPLY_NO(PSVC_ERANGE, "E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 1, NULL), &SUP);
  /* above 99 */
  APPLY_NO(PSVC_ERANGE, "E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 100, NULL), &SUP);
  APPLY_NO(PSVC_ERANGE, "E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, INT_MAX, NULL), &SUP);
  APPLY_OK("E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 99, NULL), &SUP);
  ck_assert_int_eq(level_of("E-1"), 99);
  APPLY_NO(PSVC_ERANGE, "E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 0, NULL), &SUP); /* 100 */
  /* roles: SHIFT_LEAD and SUPERVISOR only */
  APPLY_NO(PSVC_EPERM, "E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 0, NULL), &AGENT);
  APPLY_NO(PSVC_EPERM, "E-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 0, NULL), &DISP);
  psvc_order *o = load("E-1");
  ck_assert_uint_eq(psvc_order_event_count(o), 4);
  ck_assert_int_eq(psvc_order_event_action(o, 3), PSVC_ACT_ESCALATE);
  ck_assert_int_eq(psvc_order_event_value(o, 2), 5);
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_ACCEPTED);
  psvc_order_free(o);
}
END_TEST

/* ======================================================================================= */
/* W-7: return                                                                             */
/* ======================================================================================= */

START_TEST(test_W7_return_needs_reason_and_clears_current_unit) {
  open_ok("T-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  /* nothing to return while ACCEPTED */
  APPLY_NO(PSVC_ESTATE, "T-1", EV(PSVC_ACT_RETURN, tick(), NULL, 0, "why"), &CREW_A);
  APPLY_OK("T-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_NO(PSVC_EINVAL, "T-1", EV(PSVC_ACT_RETURN, tick(), NULL, 0, NULL), &CREW_A);
  /* from DISPATCHED: before anybody received it */
  APPLY_OK("T-1", EV(PSVC_ACT_RETURN, tick(), NULL, 0, "wrong district"), &CREW_A);
  EXPECT("T-1", ACCEPTED, NULL, NULL, 2);
  /* from RECEIVED */
  APPLY_OK("T-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-B", 0, NULL), &AGENT);
  APPLY_OK("T-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_B);
  APPLY_OK("T-1", EV(PSVC_ACT_RETURN, tick(), NULL, 0, "customer-owned line"), &CREW_B);
  EXPECT("T-1", ACCEPTED, NULL, "Crew-B", 5);
  /* from ON_SITE */
  APPLY_OK("T-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("T-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK("T-1", EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK("T-1", EV(PSVC_ACT_RETURN, tick(), NULL, 0, "needs HV crew"), &CREW_A);
  EXPECT("T-1", ACCEPTED, NULL, "Crew-B", 9);
  psvc_order *o = load("T-1");
  ck_assert_str_eq(psvc_order_event_note(o, 8), "needs HV crew");
  ck_assert_int_eq(psvc_order_event_action(o, 8), PSVC_ACT_RETURN);
  psvc_order_free(o);
  /* AGENT may not return */
  APPLY_OK("T-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_NO(PSVC_EPERM, "T-1", EV(PSVC_ACT_RETURN, tick(), NULL, 0, "x"), &AGENT);
}
END_TEST

/* ======================================================================================= */
/* W-8: suspend and resume                                                                 */
/* ======================================================================================= */

START_TEST(test_W8_suspend_resume_returns_to_state_left) {
  open_ok("S-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_NO(PSVC_ESTATE, "S-1", EV(PSVC_ACT_RESUME, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK("S-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("S-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_NO(PSVC_EINVAL, "S-1", EV(PSVC_ACT_SUSPEND, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK("S-1", EV(PSVC_ACT_SUSPEND, tick(), NULL, 0, "customer abroad"), &CREW_A);
  psvc_order *o = load("S-1");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_SUSPENDED);
  ck_assert_int_eq(psvc_order_suspended_from(o), PSVC_STATE_RECEIVED);
  ck_assert_int_eq(psvc_order_is_open(o), 1);
  ck_assert_str_eq(psvc_order_responsible_unit(o), "Crew-A");
  psvc_order_free(o);
  /* while suspended: no second suspension, no progress */
  APPLY_NO(PSVC_ESTATE, "S-1", EV(PSVC_ACT_SUSPEND, tick(), NULL, 0, "again"), &CREW_A);
  APPLY_NO(PSVC_ESTATE, "S-1", EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_NO(PSVC_ESTATE, "S-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  /* urging and notes go on (any open state) */
  APPLY_OK("S-1", EV(PSVC_ACT_URGE, tick(), NULL, 0, NULL), &AGENT);
  APPLY_OK("S-1", EV(PSVC_ACT_NOTE, tick(), NULL, 0, "customer back Monday"), &AGENT);
  APPLY_NO(PSVC_EPERM, "S-1", EV(PSVC_ACT_RESUME, tick(), NULL, 0, NULL), &AGENT);
  APPLY_OK("S-1", EV(PSVC_ACT_RESUME, tick(), NULL, 0, NULL), &CREW_A);
  o = load("S-1");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_RECEIVED);
  ck_assert_int_eq(psvc_order_suspended_from(o), 0);
  ck_assert_int_eq(psvc_order_urge_count(o), 1);
  psvc_order_free(o);
  /* from ON_SITE and back */
  APPLY_OK("S-1", EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK("S-1", EV(PSVC_ACT_SUSPEND, tick(), NULL, 0, "gate locked"), &CREW_A);
  o = load("S-1");
  ck_assert_int_eq(psvc_order_suspended_from(o), PSVC_STATE_ON_SITE);
  psvc_order_free(o);
  APPLY_OK("S-1", EV(PSVC_ACT_RESUME, tick(), NULL, 0, NULL), &DISP);
  EXPECT("S-1", ON_SITE, "Crew-A", "Crew-A", 9);
  /* from ACCEPTED and back */
  open_ok("S-2", PSVC_ORDER_COMPLAINT, "CU-URBAN", T0, &AGENT);
  APPLY_OK("S-2", EV(PSVC_ACT_SUSPEND, tick(), NULL, 0, "waiting for documents"), &LEAD);
  o = load("S-2");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_SUSPENDED);
  ck_assert_int_eq(psvc_order_suspended_from(o), PSVC_STATE_ACCEPTED);
  psvc_order_free(o);
  APPLY_OK("S-2", EV(PSVC_ACT_RESUME, tick(), NULL, 0, NULL), &LEAD);
  EXPECT("S-2", ACCEPTED, NULL, NULL, 2);
}
END_TEST

/* ======================================================================================= */
/* W-9: merge                                                                              */
/* ======================================================================================= */

START_TEST(test_W9_merge_target_checks) {
  open_ok("M-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  open_ok("M-2", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0 + 10, &AGENT);
  closed_inquiry("M-CLOSED", T0, &AGENT);
  open_ok("M-CANC", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("M-CANC", EV(PSVC_ACT_CANCEL, T0 + 20, NULL, 0, "test call"), &LEAD);
  open_ok("M-GONE", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("M-GONE", EV(PSVC_ACT_MERGE, T0 + 20, "M-1", 0, NULL), &AGENT);

  psvc_time t = T0 + 100;
  APPLY_NO(PSVC_ENOTFOUND, "M-2", EV(PSVC_ACT_MERGE, t, "M-NONE", 0, NULL), &AGENT);
  APPLY_NO(PSVC_ESTATE, "M-2", EV(PSVC_ACT_MERGE, t, "M-CLOSED", 0, NULL), &AGENT);
  APPLY_NO(PSVC_ESTATE, "M-2", EV(PSVC_ACT_MERGE, t, "M-CANC", 0, NULL), &AGENT);
  APPLY_NO(PSVC_ESTATE, "M-2", EV(PSVC_ACT_MERGE, t, "M-GONE", 0, NULL), &AGENT);
  APPLY_NO(PSVC_EINVAL, "M-2", EV(PSVC_ACT_MERGE, t, "M-2", 0, NULL), &AGENT);
  APPLY_NO(PSVC_EPERM, "M-2", EV(PSVC_ACT_MERGE, t, "M-1", 0, NULL), &CREW_A);

  char *survivor_before = NULL;
  {
    psvc_order *o = load("M-1");
    survivor_before = fault_dump_order(o);
    psvc_order_free(o);
  }
  APPLY_OK("M-2", EV(PSVC_ACT_MERGE, t, "M-1", 0, "same outage"), &AGENT);
  psvc_order *o = load("M-2");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_MERGED);
  ck_assert_str_eq(psvc_order_merged_into(o), "M-1");
  ck_assert_int_eq(psvc_order_is_open(o), 0);
  ck_assert_uint_eq(psvc_order_event_count(o), 1);
  ck_assert_int_eq(psvc_order_event_action(o, 0), PSVC_ACT_MERGE);
  ck_assert_str_eq(psvc_order_event_target(o, 0), "M-1");
  psvc_order_free(o);
  /* the survivor is not changed by the merge */
  o = load("M-1");
  char *survivor_after = fault_dump_order(o);
  psvc_order_free(o);
  ck_assert_str_eq(survivor_before, survivor_after);
  free(survivor_before);
  free(survivor_after);
  /* a suspended order is open: it can be merged and be merged into */
  open_ok("M-3", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  open_ok("M-4", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("M-3", EV(PSVC_ACT_SUSPEND, t, NULL, 0, "waiting"), &LEAD);
  APPLY_OK("M-4", EV(PSVC_ACT_MERGE, t, "M-3", 0, NULL), &LEAD);
  APPLY_OK("M-3", EV(PSVC_ACT_MERGE, t, "M-1", 0, NULL), &SUP);
  o = load("M-3");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_MERGED);
  ck_assert_str_eq(psvc_order_merged_into(o), "M-1");
  psvc_order_free(o);
}
END_TEST

/* Closed, cancelled and merged orders accept only NOTE (W-6, W-9, W-11). */
START_TEST(test_W9_W11_finished_orders_accept_only_note) {
  open_ok("Z-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  open_ok("Z-MERGED", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("Z-MERGED", EV(PSVC_ACT_MERGE, T0 + 1, "Z-1", 0, NULL), &AGENT);
  closed_inquiry("Z-CLOSED", T0, &AGENT);
  open_ok("Z-CANC", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("Z-CANC", EV(PSVC_ACT_DISPATCH, T0 + 1, "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("Z-CANC", EV(PSVC_ACT_CANCEL, T0 + 2, NULL, 0, "customer fixed it"), &LEAD);
  EXPECT("Z-CANC", CANCELLED, "Crew-A", NULL, 2);

  static const char *const ids[] = {"Z-MERGED", "Z-CLOSED", "Z-CANC"};
  static const int states[] = {PSVC_STATE_MERGED, PSVC_STATE_CLOSED, PSVC_STATE_CANCELLED};
  for (size_t i = 0; i < 3; i++) {
    psvc_time t = T0 + 100;
    for (int act = PSVC_ACT_DISPATCH; act < PSVC_ACT_NOTE; act++) {
      /* arguments that pass the argument checks for each action */
      const char *target = act == PSVC_ACT_MERGE ? "Z-1" : "Crew-B";
      int value = act == PSVC_ACT_VISIT ? PSVC_SAT_SATISFIED : 0;
      APPLY_NO(PSVC_ESTATE, ids[i], EV(act, t, target, value, "reason"), &SYS);
    }
    APPLY_OK(ids[i], EV(PSVC_ACT_NOTE, t, NULL, 0, "customer called about it"), &AGENT);
    APPLY_OK(ids[i], EV(PSVC_ACT_NOTE, t + 1, NULL, 0, NULL), &CREW_A); /* any role */
    psvc_order *o = load(ids[i]);
    ck_assert_int_eq(psvc_order_state(o), states[i]);
    ck_assert_int_eq(psvc_order_is_open(o), 0);
    ck_assert_int_eq(psvc_order_event_action(o, psvc_order_event_count(o) - 1), PSVC_ACT_NOTE);
    psvc_order_free(o);
  }
}
END_TEST

/* ======================================================================================= */
/* W-10: the return visit                                                                  */
/* ======================================================================================= */

START_TEST(test_W10_visit_records_satisfaction) {
  static const int sat[] = {PSVC_SAT_SATISFIED, PSVC_SAT_FAIRLY_SATISFIED};
  for (size_t i = 0; i < 2; i++) {
    char id[16];
    snprintf(id, sizeof id, "V-%zu", i);
    open_ok(id, PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
    /* no visit before the work is resolved */
    APPLY_NO(PSVC_ESTATE, id, EV(PSVC_ACT_VISIT, tick(), NULL, sat[i], NULL), &AGENT);
    fault_to_resolved(id);
    APPLY_NO(PSVC_EPERM, id, EV(PSVC_ACT_VISIT, tick(), NULL, sat[i], NULL), &CREW_A);
    APPLY_OK(id, EV(PSVC_ACT_VISIT, tick(), NULL, sat[i], "called back"), &AGENT);
    psvc_order *o = load(id);
    ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_VISITED);
    ck_assert_int_eq(psvc_order_satisfaction(o), sat[i]);
    ck_assert_int_eq(psvc_order_reopen_count(o), 0);
    ck_assert_int_eq(psvc_order_event_value(o, 4), sat[i]);
    psvc_order_free(o);
    APPLY_OK(id, EV(PSVC_ACT_CLOSE, tick(), NULL, 0, NULL), &AGENT);
    EXPECT(id, CLOSED, "Crew-A", "Crew-A", 6);
  }
}
END_TEST

START_TEST(test_W10_unsatisfied_reopens_to_dispatched) {
  open_ok("V-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  fault_to_resolved("V-1");
  APPLY_OK("V-1", EV(PSVC_ACT_VISIT, tick(), NULL, PSVC_SAT_UNSATISFIED, "still flickering"),
           &AGENT);
  psvc_order *o = load("V-1");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_DISPATCHED);
  ck_assert_int_eq(psvc_order_satisfaction(o), PSVC_SAT_UNSATISFIED);
  ck_assert_int_eq(psvc_order_reopen_count(o), 1);
  ck_assert_int_eq(psvc_order_is_open(o), 1);
  ck_assert_str_eq(psvc_order_current_unit(o), "Crew-A"); /* back to its current unit */
  ck_assert_str_eq(psvc_order_responsible_unit(o), "Crew-A");
  psvc_order_free(o);
  /* the work runs again; another unit receiving it changes nothing for W-4 */
  APPLY_OK("V-1", EV(PSVC_ACT_RECEIVE, tick(), "Crew-B", 0, NULL), &CREW_B);
  APPLY_OK("V-1", EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_B);
  APPLY_OK("V-1", EV(PSVC_ACT_RESOLVE, tick(), NULL, 0, NULL), &CREW_B);
  APPLY_OK("V-1", EV(PSVC_ACT_VISIT, tick(), NULL, PSVC_SAT_UNSATISFIED, NULL), &AGENT);
  o = load("V-1");
  ck_assert_int_eq(psvc_order_reopen_count(o), 2);
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_DISPATCHED);
  ck_assert_str_eq(psvc_order_current_unit(o), "Crew-B");
  ck_assert_str_eq(psvc_order_responsible_unit(o), "Crew-A");
  psvc_order_free(o);
  APPLY_OK("V-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_B);
  APPLY_OK("V-1", EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_B);
  APPLY_OK("V-1", EV(PSVC_ACT_RESOLVE, tick(), NULL, 0, NULL), &CREW_B);
  APPLY_OK("V-1", EV(PSVC_ACT_VISIT, tick(), NULL, PSVC_SAT_SATISFIED, NULL), &AGENT);
  o = load("V-1");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_VISITED);
  ck_assert_int_eq(psvc_order_satisfaction(o), PSVC_SAT_SATISFIED); /* the last visit */
  ck_assert_int_eq(psvc_order_reopen_count(o), 2);
  ck_assert_uint_eq(psvc_order_event_count(o), 13);
  psvc_order_free(o);
  /* a COMPLAINT is reopened the same way (from REPLIED) */
  open_ok("V-2", PSVC_ORDER_COMPLAINT, "CU-URBAN", T0, &AGENT);
  APPLY_OK("V-2", EV(PSVC_ACT_DISPATCH, tick(), "Service", 0, NULL), &AGENT);
  APPLY_OK("V-2", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &REP);
  APPLY_OK("V-2", EV(PSVC_ACT_RESOLVE, tick(), NULL, 0, NULL), &REP);
  APPLY_OK("V-2", EV(PSVC_ACT_REPLY, tick(), NULL, 0, "apology"), &REP);
  APPLY_OK("V-2", EV(PSVC_ACT_VISIT, tick(), NULL, PSVC_SAT_UNSATISFIED, NULL), &AGENT);
  o = load("V-2");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_DISPATCHED);
  ck_assert_int_eq(psvc_order_reopen_count(o), 1);
  ck_assert_str_eq(psvc_order_current_unit(o), "Counter");
  psvc_order_free(o);
}
END_TEST

/* ======================================================================================= */
/* Queries                                                                                 */
/* ======================================================================================= */

/* F-5 (REPORT, anonymous, +50, ACCEPTED), F-1 (FAULT_REPAIR, CU-URBAN, +100,
   DISPATCHED to Crew-A), F-2 (COMPLAINT, CU-RURAL, +200, ACCEPTED), F-0
   (FAULT_REPAIR, CU-URBAN, +300, ACCEPTED), F-3 (INQUIRY, anonymous, +300,
   CLOSED), F-4 (FAULT_REPAIR, CU-RURAL, +300, RECEIVED by Crew-B); opened in
   an order that is neither by time nor by id. */
static void find_orders(void) {
  open_ok("F-4", PSVC_ORDER_FAULT_REPAIR, "CU-RURAL", T0 + 300, &AGENT);
  open_ok("F-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0 + 100, &AGENT);
  closed_inquiry("F-3", T0 + 300, &AGENT2);
  open_ok("F-5", PSVC_ORDER_REPORT, NULL, T0 + 50, &AGENT);
  open_ok("F-2", PSVC_ORDER_COMPLAINT, "CU-RURAL", T0 + 200, &AGENT);
  open_ok("F-0", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0 + 300, &AGENT);
  APPLY_OK("F-1", EV(PSVC_ACT_DISPATCH, T0 + 400, "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("F-4", EV(PSVC_ACT_DISPATCH, T0 + 400, "Crew-B", 0, NULL), &AGENT);
  APPLY_OK("F-4", EV(PSVC_ACT_RECEIVE, T0 + 500, NULL, 0, NULL), &CREW_B);
}

START_TEST(test_find_arguments) {
  find_orders();
  psvc_filter f = PSVC_FILTER_INIT;
  psvc_list *sentinel = (psvc_list *)&f, *l = sentinel;
  REFUSED(PSVC_EINVAL, psvc_order_find(NULL, &f, &l));
  REFUSED(PSVC_EINVAL, psvc_order_find(CTX, NULL, &l));
  REFUSED(PSVC_EINVAL, psvc_order_find(CTX, &f, NULL));
  const uint32_t v1 = (uint32_t)(offsetof(psvc_filter, to) + sizeof(psvc_time));
  const uint32_t small[] = {0, 1, v1 - 1};
  for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
    psvc_filter b = f;
    b.size = small[i];
    REFUSED(PSVC_EINVAL, psvc_order_find(CTX, &b, &l));
  }
  ck_assert_ptr_eq(l, sentinel); /* written on success only */
}
END_TEST

START_TEST(test_find_each_filter_field) {
  find_orders();
  psvc_filter f = PSVC_FILTER_INIT;
  FIND(&f, "F-5,F-1,F-2,F-0,F-3,F-4"); /* by accepted_at, then id */

  f = (psvc_filter)PSVC_FILTER_INIT;
  f.state_mask = 1u << PSVC_STATE_ACCEPTED;
  FIND(&f, "F-5,F-2,F-0");
  f.state_mask = (1u << PSVC_STATE_ACCEPTED) | (1u << PSVC_STATE_CLOSED);
  FIND(&f, "F-5,F-2,F-0,F-3");
  f.state_mask = (1u << PSVC_STATE_DISPATCHED) | (1u << PSVC_STATE_RECEIVED);
  FIND(&f, "F-1,F-4");
  f.state_mask = 1u << PSVC_STATE_MERGED;
  FIND(&f, "");

  f = (psvc_filter)PSVC_FILTER_INIT;
  f.type_mask = 1u << PSVC_ORDER_FAULT_REPAIR;
  FIND(&f, "F-1,F-0,F-4");
  f.type_mask = (1u << PSVC_ORDER_COMPLAINT) | (1u << PSVC_ORDER_REPORT);
  FIND(&f, "F-5,F-2");
  f.type_mask = 1u << PSVC_ORDER_PRAISE;
  FIND(&f, "");

  f = (psvc_filter)PSVC_FILTER_INIT;
  f.unit = "Crew-A";
  FIND(&f, "F-1");
  f.unit = "Crew-B";
  FIND(&f, "F-4");
  f.unit = "Desk-1"; /* the opening unit is not the current unit */
  FIND(&f, "");

  f = (psvc_filter)PSVC_FILTER_INIT;
  f.customer_id = "CU-RURAL";
  FIND(&f, "F-2,F-4");
  f.customer_id = "CU-URBAN";
  FIND(&f, "F-1,F-0");
  f.customer_id = "CU-REMOTE";
  FIND(&f, "");
  f.customer_id = "CU-NOBODY";
  FIND(&f, "");

  f = (psvc_filter)PSVC_FILTER_INIT;
  f.from = T0 + 100;
  f.to = T0 + 300; /* [from, to) */
  FIND(&f, "F-1,F-2");
  f.from = T0 + 300;
  f.to = 0; /* no end */
  FIND(&f, "F-0,F-3,F-4");
  f.from = 0;
  f.to = T0 + 100;
  FIND(&f, "F-5");
  f.from = T0 + 301;
  f.to = 0;
  FIND(&f, "");
  f.from = T0 + 50;
  f.to = T0 + 51;
  FIND(&f, "F-5");
  f.from = T0 + 51;
  f.to = T0 + 301;
  FIND(&f, "F-1,F-2,F-0,F-3,F-4");
}
END_TEST

START_TEST(test_find_combinations) {
  find_orders();
  psvc_filter f = PSVC_FILTER_INIT;
  f.type_mask = 1u << PSVC_ORDER_FAULT_REPAIR;
  f.customer_id = "CU-URBAN";
  FIND(&f, "F-1,F-0");
  f.state_mask = 1u << PSVC_STATE_ACCEPTED;
  FIND(&f, "F-0");
  f.from = T0 + 301;
  FIND(&f, "");

  f = (psvc_filter)PSVC_FILTER_INIT;
  f.unit = "Crew-B";
  f.customer_id = "CU-URBAN";
  FIND(&f, "");
  f.customer_id = "CU-RURAL";
  FIND(&f, "F-4");
  f.state_mask = 1u << PSVC_STATE_RECEIVED;
  f.type_mask = 1u << PSVC_ORDER_FAULT_REPAIR;
  f.from = T0 + 300;
  f.to = T0 + 301;
  FIND(&f, "F-4"); /* every field at once */
  f.to = T0 + 300;
  FIND(&f, "");

  f = (psvc_filter)PSVC_FILTER_INIT;
  f.state_mask = (1u << PSVC_STATE_ACCEPTED) | (1u << PSVC_STATE_CLOSED);
  f.type_mask = (1u << PSVC_ORDER_INQUIRY) | (1u << PSVC_ORDER_REPORT);
  FIND(&f, "F-5,F-3");
  f.from = T0 + 100;
  FIND(&f, "F-3");
}
END_TEST

START_TEST(test_find_sorted_by_accepted_at_then_id) {
  /* ids that sort bytewise differently from how they were opened */
  static const struct {
    const char *id;
    psvc_time at;
  } o[] = {{"b", T0 + 5}, {"a", T0 + 5}, {"C", T0 + 5}, {"_x", T0 + 1}, {"10", T0 + 1},
           {"9", T0 + 1},  {"z", T0},     {"A", T0 + 9}, {"a-b", T0 + 5}, {"a.b", T0 + 5}};
  for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
    open_ok(o[i].id, PSVC_ORDER_INQUIRY, NULL, o[i].at, &AGENT);
  psvc_filter f = PSVC_FILTER_INIT;
  FIND(&f, "z,10,9,_x,C,a,a-b,a.b,b,A");
}
END_TEST

START_TEST(test_customer_with_orders_cannot_be_deleted) {
  open_ok("K-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  open_ok("K-2", PSVC_ORDER_INQUIRY, NULL, T0, &AGENT); /* anonymous: blocks nobody */
  REFUSED(PSVC_ESTATE, psvc_customer_delete(CTX, "CU-URBAN"));
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "CU-URBAN"));
  /* even when the order is finished */
  closed_inquiry("K-3", T0, &AGENT);
  open_ok("K-4", PSVC_ORDER_INQUIRY, "CU-RURAL", T0, &AGENT);
  APPLY_OK("K-4", EV(PSVC_ACT_REPLY, T0 + 1, NULL, 0, NULL), &AGENT);
  APPLY_OK("K-4", EV(PSVC_ACT_CLOSE, T0 + 2, NULL, 0, NULL), &AGENT);
  REFUSED(PSVC_ESTATE, psvc_customer_delete(CTX, "CU-RURAL"));
  /* a customer without orders can still be deleted, and replaced */
  ck_assert_int_eq(psvc_customer_delete(CTX, "CU-REMOTE"), PSVC_OK);
  save_full(CTX, "CU-URBAN", 3);
  psvc_order *o = load("K-1");
  ck_assert_str_eq(psvc_order_customer(o), "CU-URBAN");
  psvc_order_free(o);
}
END_TEST

/* ======================================================================================= */
/* W-13: shift handover                                                                    */
/* ======================================================================================= */

START_TEST(test_W13_handover_selection_and_order) {
  psvc_time at = T0;
  /* opened by Desk-1, nobody holds it */
  open_ok("H-a", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", at + 10, &AGENT);
  /* opened by Desk-1, dispatched: Crew-A holds it */
  open_ok("H-b", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", at + 20, &AGENT);
  APPLY_OK("H-b", EV(PSVC_ACT_DISPATCH, at + 100, "Crew-A", 0, NULL), &AGENT);
  /* opened by Desk-2, received by Crew-A */
  open_ok("H-c", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", at + 5, &AGENT2);
  APPLY_OK("H-c", EV(PSVC_ACT_DISPATCH, at + 100, "Crew-A", 0, NULL), &AGENT2);
  APPLY_OK("H-c", EV(PSVC_ACT_RECEIVE, at + 101, NULL, 0, NULL), &CREW_A);
  /* opened by Desk-1, received, returned: nobody holds it again */
  open_ok("H-d", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", at + 30, &AGENT);
  APPLY_OK("H-d", EV(PSVC_ACT_DISPATCH, at + 100, "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("H-d", EV(PSVC_ACT_RECEIVE, at + 101, NULL, 0, NULL), &CREW_A);
  APPLY_OK("H-d", EV(PSVC_ACT_RETURN, at + 102, NULL, 0, "not ours"), &CREW_A);
  /* finished orders of Desk-1: closed, cancelled, merged */
  closed_inquiry("H-e", at + 1, &AGENT);
  open_ok("H-f", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", at + 2, &AGENT);
  APPLY_OK("H-f", EV(PSVC_ACT_CANCEL, at + 100, NULL, 0, "prank"), &LEAD);
  open_ok("H-g", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", at + 3, &AGENT);
  APPLY_OK("H-g", EV(PSVC_ACT_MERGE, at + 100, "H-a", 0, NULL), &AGENT);
  /* opened by Desk-1, suspended while nobody holds it */
  open_ok("H-h", PSVC_ORDER_COMPLAINT, "CU-URBAN", at + 10, &AGENT);
  APPLY_OK("H-h", EV(PSVC_ACT_SUSPEND, at + 100, NULL, 0, "waiting for the customer"), &LEAD);
  /* Desk-2's own */
  open_ok("H-i", PSVC_ORDER_INQUIRY, NULL, at + 40, &AGENT2);
  /* opened by the counter and dispatched to it: listed once */
  open_ok("H-j", PSVC_ORDER_SERVICE_REQUEST, "CU-URBAN", at + 15, &REP);
  APPLY_OK("H-j", EV(PSVC_ACT_DISPATCH, at + 100, "Counter", 0, NULL), &LEAD);
  /* transferred from Crew-A to Crew-B */
  open_ok("H-k", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", at + 25, &AGENT);
  APPLY_OK("H-k", EV(PSVC_ACT_DISPATCH, at + 100, "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("H-k", EV(PSVC_ACT_RECEIVE, at + 101, NULL, 0, NULL), &CREW_A);
  APPLY_OK("H-k", EV(PSVC_ACT_TRANSFER, at + 102, "Crew-B", 0, NULL), &CREW_A);
  /* closed while Crew-A was its current unit */
  open_ok("H-l", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", at + 50, &AGENT2);
  CLK = at + 100;
  fault_to_resolved("H-l");
  APPLY_OK("H-l", EV(PSVC_ACT_VISIT, tick(), NULL, PSVC_SAT_SATISFIED, NULL), &AGENT);
  APPLY_OK("H-l", EV(PSVC_ACT_CLOSE, tick(), NULL, 0, NULL), &AGENT);
  EXPECT("H-l", CLOSED, "Crew-A", "Crew-A", 6);
  /* same accepted_at as H-a and H-h: sorted by id between them */
  open_ok("H-a0", PSVC_ORDER_FAULT_REPAIR, "CU-RURAL", at + 10, &AGENT);

  HANDOVER_SET("Desk-1", "H-a,H-a0,H-d,H-h");
  HANDOVER_SET("Desk-2", "H-i");
  HANDOVER_SET("Crew-A", "H-b,H-c");
  HANDOVER_SET("Crew-B", "H-k");
  HANDOVER_SET("Counter", "H-j");
  HANDOVER_SET("Nobody", "");
  HANDOVER_SET("Center", ""); /* the supervisor's unit only cancelled / merged */
}
END_TEST

/* Orders of equal urgency (same type, customer and course, so every SLA
   clock runs the same way from acceptance) come by accepted_at, then id. */
START_TEST(test_W13_handover_order_by_accepted_at_then_id) {
  static const struct {
    const char *id;
    psvc_time at;
  } o[] = {{"b", T0 + 5}, {"a", T0 + 5}, {"C", T0 + 5}, {"_x", T0 + 1}, {"10", T0 + 1},
           {"9", T0 + 1},  {"z", T0},     {"A", T0 + 9}, {"a-b", T0 + 5}, {"a.b", T0 + 5}};
  for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
    open_ok(o[i].id, PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", o[i].at, &AGENT);
  HANDOVER("Desk-1", "z,10,9,_x,C,a,a-b,a.b,b,A");
  /* the same once a unit holds them all */
  for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
    APPLY_OK(o[i].id, EV(PSVC_ACT_DISPATCH, T0 + 100, "Crew-A", 0, NULL), &AGENT);
  HANDOVER("Desk-1", "");
  HANDOVER("Crew-A", "z,10,9,_x,C,a,a-b,a.b,b,A");
}
END_TEST

START_TEST(test_W13_handover_arguments) {
  open_ok("H-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  psvc_list *sentinel = (psvc_list *)&CTX, *l = sentinel;
  REFUSED(PSVC_EINVAL, psvc_handover(NULL, "Desk-1", T0, &l));
  REFUSED(PSVC_EINVAL, psvc_handover(CTX, NULL, T0, &l));
  REFUSED(PSVC_EINVAL, psvc_handover(CTX, "Desk-1", T0, NULL));
  ck_assert_ptr_eq(l, sentinel);
  HANDOVER("Desk-1", "H-1");
}
END_TEST

/* ======================================================================================= */
/* Snapshots and getters                                                                   */
/* ======================================================================================= */

START_TEST(test_load_arguments_and_notfound) {
  open_ok("L-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  psvc_order *sentinel = (psvc_order *)&CTX, *o = sentinel;
  REFUSED(PSVC_EINVAL, psvc_order_load(NULL, "L-1", &o));
  REFUSED(PSVC_EINVAL, psvc_order_load(CTX, NULL, &o));
  REFUSED(PSVC_EINVAL, psvc_order_load(CTX, "L-1", NULL));
  REFUSED(PSVC_ENOTFOUND, psvc_order_load(CTX, "L-2", &o));
  REFUSED(PSVC_ENOTFOUND, psvc_order_load(CTX, "l-1", &o));
  ck_assert_ptr_eq(o, sentinel);
  psvc_order_free(NULL); /* accepted */
}
END_TEST

START_TEST(test_snapshot_independent_of_later_changes) {
  open_ok("P-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("P-1", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("P-1", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  psvc_order *snap = load("P-1");
  char *before = fault_dump_order(snap);
  APPLY_OK("P-1", EV(PSVC_ACT_TRANSFER, tick(), "Crew-B", 0, NULL), &CREW_A);
  APPLY_OK("P-1", EV(PSVC_ACT_URGE, tick(), NULL, 0, NULL), &AGENT);
  APPLY_OK("P-1", EV(PSVC_ACT_ESCALATE, tick(), NULL, 0, NULL), &LEAD);
  APPLY_OK("P-1", EV(PSVC_ACT_SUSPEND, tick(), NULL, 0, "parts"), &CREW_B);
  for (int i = 0; i < 40; i++) /* enough to move any internal array */
    APPLY_OK("P-1", EV(PSVC_ACT_NOTE, tick(), "Crew-X", i, "remark"), &AGENT);
  char *after = fault_dump_order(snap);
  ck_assert_str_eq(before, after);
  ck_assert_int_eq(psvc_order_state(snap), PSVC_STATE_RECEIVED);
  ck_assert_uint_eq(psvc_order_event_count(snap), 2);
  free(after);
  /* a fresh load sees the changes */
  psvc_order *now = load("P-1");
  ck_assert_int_eq(psvc_order_state(now), PSVC_STATE_SUSPENDED);
  ck_assert_uint_eq(psvc_order_event_count(now), 46);
  ck_assert_str_eq(psvc_order_current_unit(now), "Crew-B");
  char *fresh = fault_dump_order(now);
  /* and the snapshots stay valid after the context is gone */
  psvc_ctx_close(CTX);
  CTX = NULL;
  after = fault_dump_order(snap);
  ck_assert_str_eq(before, after);
  free(after);
  after = fault_dump_order(now);
  ck_assert_str_eq(fresh, after);
  ck_assert_str_eq(psvc_order_responsible_unit(now), "Crew-A");
  ck_assert_str_eq(psvc_order_opened_unit(now), "Desk-1");
  ck_assert_str_eq(psvc_order_customer(now), "CU-URBAN");
  free(after);
  free(fresh);
  free(before);
  psvc_order_free(snap);
  psvc_order_free(now);
}
END_TEST

START_TEST(test_getters_null_and_out_of_range) {
  ck_assert_ptr_null(psvc_order_id(NULL));
  ck_assert_int_eq(psvc_order_type(NULL), 0);
  ck_assert_int_eq(psvc_order_channel(NULL), 0);
  ck_assert_ptr_null(psvc_order_customer(NULL));
  ck_assert_int_eq(psvc_order_area(NULL), 0);
  ck_assert_int_eq(psvc_order_state(NULL), 0);
  ck_assert_int_eq(psvc_order_accepted_at(NULL), 0);
  ck_assert_ptr_null(psvc_order_responsible_unit(NULL));
  ck_assert_ptr_null(psvc_order_current_unit(NULL));
  ck_assert_int_eq(psvc_order_urge_count(NULL), 0);
  ck_assert_int_eq(psvc_order_escalation_level(NULL), 0);
  ck_assert_int_eq(psvc_order_satisfaction(NULL), 0);
  ck_assert_ptr_null(psvc_order_merged_into(NULL));
  ck_assert_uint_eq(psvc_order_event_count(NULL), 0);
  ck_assert_int_eq(psvc_order_event_action(NULL, 0), 0);
  ck_assert_int_eq(psvc_order_event_at(NULL, 0), 0);
  ck_assert_ptr_null(psvc_order_event_actor(NULL, 0));
  ck_assert_int_eq(psvc_order_event_role(NULL, 0), 0);
  ck_assert_ptr_null(psvc_order_event_unit(NULL, 0));
  ck_assert_ptr_null(psvc_order_event_target(NULL, 0));
  ck_assert_int_eq(psvc_order_event_value(NULL, 0), 0);
  ck_assert_ptr_null(psvc_order_event_note(NULL, 0));
  ck_assert_int_eq(psvc_order_subtype(NULL), 0);
  ck_assert_ptr_null(psvc_order_summary(NULL));
  ck_assert_ptr_null(psvc_order_opened_by(NULL));
  ck_assert_int_eq(psvc_order_opened_role(NULL), 0);
  ck_assert_ptr_null(psvc_order_opened_unit(NULL));
  ck_assert_int_eq(psvc_order_suspended_from(NULL), 0);
  ck_assert_int_eq(psvc_order_reopen_count(NULL), 0);
  ck_assert_int_eq(psvc_order_is_open(NULL), 0);

  open_ok("Q-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("Q-1", EV(PSVC_ACT_DISPATCH, T0 + 1, "Crew-A", 0, "go"), &AGENT);
  APPLY_OK("Q-1", EV(PSVC_ACT_NOTE, T0 + 2, "Crew-A", 3, "remark"), &AGENT);
  psvc_order *o = load("Q-1");
  static const size_t past[] = {2, 3, 1000, SIZE_MAX};
  for (size_t k = 0; k < sizeof past / sizeof past[0]; k++) {
    size_t i = past[k];
    ck_assert_int_eq(psvc_order_event_action(o, i), 0);
    ck_assert_int_eq(psvc_order_event_at(o, i), 0);
    ck_assert_ptr_null(psvc_order_event_actor(o, i));
    ck_assert_int_eq(psvc_order_event_role(o, i), 0);
    ck_assert_ptr_null(psvc_order_event_unit(o, i));
    ck_assert_ptr_null(psvc_order_event_target(o, i));
    ck_assert_int_eq(psvc_order_event_value(o, i), 0);
    ck_assert_ptr_null(psvc_order_event_note(o, i));
  }
  ck_assert_int_eq(psvc_order_event_action(o, 1), PSVC_ACT_NOTE);
  ck_assert_int_eq(psvc_order_event_value(o, 1), 3);
  psvc_order_free(o);
}
END_TEST

/* ======================================================================================= */
/* Storage                                                                                 */
/* ======================================================================================= */

/* "<order id>/<10-digit zero-padded sequence>" */
static void event_key(char *buf, size_t n, const char *order, unsigned long seq) {
  snprintf(buf, n, "%s/%010lu", order, seq);
}


/* Every record of `before` is still in `now`, byte for byte: nothing was
   rewritten or deleted (W-11). */
static void assert_nothing_rewritten(const fault_mem *now, const fault_mem *before) {
  for (size_t i = 0; i < before->nrecs; i++) {
    const fault_rec *b = &before->recs[i];
    const fault_rec *r = fault_mem_raw_get(now, b->kind, b->key);
    ck_assert_msg(r != NULL, "record %d '%s' disappeared", b->kind, b->key);
    ck_assert_msg(r->len == b->len && (b->len == 0 || memcmp(r->data, b->data, b->len) == 0),
                  "record %d '%s' was rewritten", b->kind, b->key);
  }
}

static void assert_record_header(const fault_rec *r, int kind) {
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_ge(r->len, 2);
  ck_assert_int_eq(r->data[0], 1);    /* format version */
  ck_assert_int_eq(r->data[1], kind); /* kind byte */
}

START_TEST(test_storage_keys_and_one_put_per_action) {
  long p = M->puts, d = M->dels, b = M->begins, c = M->commits;
  open_ok("K.1_a-b", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  ck_assert_int_eq(M->puts - p, 1);
  ck_assert_int_eq(M->dels - d, 0);
  ck_assert_int_eq(M->begins - b, 1);
  ck_assert_int_eq(M->commits - c, 1);
  assert_record_header(fault_mem_raw_get(M, PSVC_REC_ORDER, "K.1_a-b"), PSVC_REC_ORDER);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_ORDER), 1);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_EVENT), 0);
  open_ok("K-2", PSVC_ORDER_INQUIRY, NULL, T0, &AGENT);

  static const struct {
    int action;
    const char *target;
    int value;
    const char *note;
    const psvc_actor *who;
  } evs[] = {
      {PSVC_ACT_DISPATCH, "Crew-A", 0, NULL, &AGENT},
      {PSVC_ACT_RECEIVE, NULL, 0, NULL, &CREW_A},
      {PSVC_ACT_TRANSFER, "Crew-B", 0, "closer", &CREW_A},
      {PSVC_ACT_ARRIVE, NULL, 0, NULL, &CREW_B},
      {PSVC_ACT_URGE, NULL, 0, NULL, &AGENT},
      {PSVC_ACT_ESCALATE, NULL, 0, NULL, &LEAD},
      {PSVC_ACT_SUSPEND, NULL, 0, "parts", &CREW_B},
      {PSVC_ACT_RESUME, NULL, 0, NULL, &CREW_B},
      {PSVC_ACT_NOTE, NULL, 0, "parts arrived", &CREW_B},
      {PSVC_ACT_RESOLVE, NULL, 0, NULL, &CREW_B},
      {PSVC_ACT_VISIT, NULL, PSVC_SAT_SATISFIED, NULL, &AGENT},
      {PSVC_ACT_CLOSE, NULL, 0, NULL, &AGENT},
      {PSVC_ACT_NOTE, NULL, 0, "archived", &SUP},
  };
  for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
    fault_mem *before = fault_mem_snapshot(M);
    p = M->puts, d = M->dels, b = M->begins, c = M->commits;
    long r = M->rollbacks;
    APPLY_OK("K.1_a-b", EV(evs[i].action, tick(), evs[i].target, evs[i].value, evs[i].note),
             evs[i].who);
    ck_assert_msg(M->puts - p == 1, "action %d: %ld puts", evs[i].action, M->puts - p);
    ck_assert_int_eq(M->dels - d, 0);
    ck_assert_int_eq(M->begins - b, 1);
    ck_assert_int_eq(M->commits - c, 1);
    ck_assert_int_eq(M->rollbacks - r, 0);
    char key[96];
    event_key(key, sizeof key, "K.1_a-b", (unsigned long)i);
    const fault_rec *rec = fault_mem_raw_get(M, PSVC_REC_EVENT, key);
    ck_assert_msg(rec != NULL, "no EVENT record '%s'", key);
    assert_record_header(rec, PSVC_REC_EVENT);
    ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_EVENT), i + 1);
    ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_ORDER), 2);
    assert_nothing_rewritten(M, before); /* the ORDER record is written once */
    fault_mem_free(before);
  }
  /* the other order's events have their own sequence */
  APPLY_OK("K-2", EV(PSVC_ACT_NOTE, T0, NULL, 0, "x"), &AGENT);
  ck_assert_ptr_nonnull(fault_mem_raw_get(M, PSVC_REC_EVENT, "K-2/0000000000"));
  ck_assert_ptr_null(fault_mem_raw_get(M, PSVC_REC_EVENT, "K-2/0000000001"));
  ck_assert_ptr_null(fault_mem_raw_get(M, PSVC_REC_EVENT, "K.1_a-b/0000000013"));
}
END_TEST

START_TEST(test_storage_1000_events_one_put_each) {
  open_ok("BIG", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  for (int i = 0; i < 1000; i++) {
    long p = M->puts, d = M->dels;
    psvc_time at = T0 + i / 3; /* several events per second */
    if (i % 2)
      APPLY_OK("BIG", EV(PSVC_ACT_URGE, at, NULL, 0, NULL), &AGENT);
    else
      APPLY_OK("BIG", EV(PSVC_ACT_NOTE, at, NULL, i, "chasing the crew"), &AGENT);
    ck_assert_msg(M->puts - p == 1 && M->dels - d == 0, "event %d: %ld puts, %ld dels", i + 1,
                  M->puts - p, M->dels - d);
  }
  ck_assert_ptr_nonnull(fault_mem_raw_get(M, PSVC_REC_EVENT, "BIG/0000000000"));
  ck_assert_ptr_nonnull(fault_mem_raw_get(M, PSVC_REC_EVENT, "BIG/0000000999"));
  ck_assert_ptr_null(fault_mem_raw_get(M, PSVC_REC_EVENT, "BIG/0000001000"));
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_EVENT), 1000);
  psvc_order *o = load("BIG");
  ck_assert_uint_eq(psvc_order_event_count(o), 1000);
  ck_assert_int_eq(psvc_order_urge_count(o), 500);
  ck_assert_int_eq(psvc_order_event_value(o, 998), 998);
  psvc_order_free(o);
  /* reopening replays all 1,000 */
  char *before = dump(CTX);
  psvc_ctx_close(CTX);
  long p = M->puts;
  CTX = open_on(M);
  ck_assert_int_eq(M->puts, p);
  char *after = dump(CTX);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
  /* and the next event is number 1,000 (sequence 0000001000) */
  APPLY_OK("BIG", EV(PSVC_ACT_NOTE, T0 + 1000, NULL, 0, "one more"), &AGENT);
  ck_assert_ptr_nonnull(fault_mem_raw_get(M, PSVC_REC_EVENT, "BIG/0000001000"));
}
END_TEST

/* A context with orders in every kind of situation the history can fold
   into; used by the persistence tests. */
static void rich_history(void) {
  psvc_actor no_unit = CREW_A;
  no_unit.unit = NULL;
  /* W-4 / W-7 / W-10: transfer, return, re-dispatch, unsatisfied visit */
  open_ok("R-fault", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("R-fault", EV(PSVC_ACT_DISPATCH, tick(), "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("R-fault", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_A);
  APPLY_OK("R-fault", EV(PSVC_ACT_TRANSFER, tick(), "Crew-B", 0, "their area"), &CREW_A);
  APPLY_OK("R-fault", EV(PSVC_ACT_RETURN, tick(), NULL, 0, "customer side"), &CREW_B);
  APPLY_OK("R-fault", EV(PSVC_ACT_DISPATCH, tick(), "Crew-C", 0, NULL), &DISP);
  APPLY_OK("R-fault", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_C);
  APPLY_OK("R-fault", EV(PSVC_ACT_URGE, tick(), NULL, 0, NULL), &AGENT);
  APPLY_OK("R-fault", EV(PSVC_ACT_URGE, tick(), NULL, 0, "again"), &AGENT);
  APPLY_OK("R-fault", EV(PSVC_ACT_ESCALATE, tick(), NULL, 0, NULL), &LEAD);
  APPLY_OK("R-fault", EV(PSVC_ACT_ESCALATE, tick(), NULL, 4, NULL), &SUP);
  APPLY_OK("R-fault", EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_C);
  APPLY_OK("R-fault", EV(PSVC_ACT_RESOLVE, tick(), NULL, 0, NULL), &CREW_C);
  APPLY_OK("R-fault", EV(PSVC_ACT_VISIT, tick(), NULL, PSVC_SAT_UNSATISFIED, "no"), &AGENT);
  APPLY_OK("R-fault", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &CREW_C);
  APPLY_OK("R-fault", EV(PSVC_ACT_ARRIVE, tick(), NULL, 0, NULL), &CREW_C);
  APPLY_OK("R-fault", EV(PSVC_ACT_RESOLVE, tick(), NULL, 0, NULL), &CREW_C);
  APPLY_OK("R-fault", EV(PSVC_ACT_VISIT, tick(), NULL, PSVC_SAT_FAIRLY_SATISFIED, NULL),
           &AGENT);
  APPLY_OK("R-fault", EV(PSVC_ACT_CLOSE, tick(), NULL, 0, NULL), &AGENT);
  APPLY_OK("R-fault", EV(PSVC_ACT_NOTE, tick(), NULL, 0, "audited"), &SUP);
  /* W-8: left suspended (suspended_from must be derived on replay) */
  open_ok("R-susp", PSVC_ORDER_SERVICE_REQUEST, "CU-RURAL", T0 + 5, &REP);
  APPLY_OK("R-susp", EV(PSVC_ACT_DISPATCH, tick(), "Metering", 0, NULL), &LEAD);
  APPLY_OK("R-susp", EV(PSVC_ACT_RECEIVE, tick(), NULL, 0, NULL), &no_unit);
  APPLY_OK("R-susp", EV(PSVC_ACT_SUSPEND, tick(), NULL, 0, "meter on order"), &DISP);
  /* W-9 */
  psvc_order_spec s = mkspec("R-open", PSVC_ORDER_COMPLAINT, "CU-REMOTE", T0 + 7);
  s.summary = "\xe6\x8a\x95\xe8\xaf\x89: rude staff at the counter";
  s.subtype = PSVC_COMPLAINT_SERVICE;
  s.channel = PSVC_CHANNEL_APP;
  s.area = PSVC_AREA_URBAN;
  ck_assert_int_eq(psvc_order_open(CTX, &s, &AGENT2), PSVC_OK);
  APPLY_OK("R-open", EV(PSVC_ACT_ESCALATE, tick(), NULL, 7, NULL), &SUP);
  open_ok("R-merged", PSVC_ORDER_COMPLAINT, "CU-REMOTE", T0 + 8, &AGENT);
  APPLY_OK("R-merged", EV(PSVC_ACT_MERGE, tick(), "R-open", 0, "same matter"), &AGENT);
  APPLY_OK("R-merged", EV(PSVC_ACT_NOTE, tick(), NULL, 0, "caller told"), &AGENT);
  /* cancelled, anonymous, closed at first contact */
  open_ok("R-canc", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0 + 9, &AGENT);
  APPLY_OK("R-canc", EV(PSVC_ACT_CANCEL, tick(), NULL, 0, "known outage"), &LEAD);
  s = mkspec("R-anon", PSVC_ORDER_INQUIRY, NULL, T0 + 9);
  s.area = PSVC_AREA_RURAL;
  ck_assert_int_eq(psvc_order_open(CTX, &s, &SYS), PSVC_OK);
  APPLY_OK("R-anon", EV(PSVC_ACT_REPLY, tick(), NULL, 0, NULL), &SYS);
  APPLY_OK("R-anon", EV(PSVC_ACT_CLOSE, tick(), NULL, 0, NULL), &SYS);
  /* opened, nothing else */
  open_ok("R-new", PSVC_ORDER_PRAISE, NULL, T0 + 9, &LEAD);
}

START_TEST(test_storage_reopen_reads_back_the_same) {
  rich_history();
  char *before = dump(CTX);
  ck_assert_ptr_nonnull(strstr(before, "7 orders"));
  psvc_ctx_close(CTX);
  ck_assert_int_eq(M->close_calls, 1);
  fault_mem *stored = fault_mem_snapshot(M);
  CTX = open_on(M);
  ck_assert_msg(fault_mem_equal(M, stored), "opening wrote to the store");
  char *after = dump(CTX);
  ck_assert_str_eq(before, after);
  free(after);
  /* the reopened context goes on where the history left off */
  APPLY_OK("R-susp", EV(PSVC_ACT_RESUME, tick(), NULL, 0, NULL), &DISP);
  EXPECT("R-susp", RECEIVED, "Metering", "Metering", 4);
  ck_assert_ptr_nonnull(fault_mem_raw_get(M, PSVC_REC_EVENT, "R-susp/0000000003"));
  /* the derived state came back too: level, last event time, duplicates */
  APPLY_NO(PSVC_ERANGE, "R-open", EV(PSVC_ACT_ESCALATE, tick(), NULL, 7, NULL), &SUP);
  APPLY_NO(PSVC_ERANGE, "R-fault", EV(PSVC_ACT_NOTE, T0 + 60, NULL, 0, "x"), &SUP);
  APPLY_NO(PSVC_ESTATE, "R-merged", EV(PSVC_ACT_URGE, tick(), NULL, 0, NULL), &AGENT);
  psvc_order_spec s = mkspec("R-new", PSVC_ORDER_PRAISE, NULL, T0);
  OPEN_NO(PSVC_EEXIST, &s, &AGENT);
  REFUSED(PSVC_ESTATE, psvc_customer_delete(CTX, "CU-REMOTE"));
  free(before);
  before = dump(CTX);
  psvc_ctx_close(CTX);
  CTX = open_on(M);
  after = dump(CTX);
  ck_assert_str_eq(before, after);
  free(after);
  free(before);
  fault_mem_free(stored);
}
END_TEST

/* Grants are not stored: the replay at open does no role checks. */
START_TEST(test_storage_replay_ignores_grants) {
  open_ok("G-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  open_ok("G-2", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  ck_assert_int_eq(psvc_permit(CTX, PSVC_ORDER_FAULT_REPAIR, PSVC_ACT_DISPATCH,
                               PSVC_ROLE_REPAIR_CREW, 1), PSVC_OK);
  ck_assert_int_eq(psvc_permit(CTX, 0, PSVC_ACT_CLOSE, PSVC_ROLE_REPAIR_CREW, 1), PSVC_OK);
  APPLY_OK("G-1", EV(PSVC_ACT_DISPATCH, T0 + 1, "Crew-A", 0, NULL), &CREW_A);
  APPLY_OK("G-1", EV(PSVC_ACT_RECEIVE, T0 + 2, NULL, 0, NULL), &CREW_A);
  APPLY_OK("G-1", EV(PSVC_ACT_ARRIVE, T0 + 3, NULL, 0, NULL), &CREW_A);
  APPLY_OK("G-1", EV(PSVC_ACT_RESOLVE, T0 + 4, NULL, 0, NULL), &CREW_A);
  APPLY_OK("G-1", EV(PSVC_ACT_VISIT, T0 + 5, NULL, PSVC_SAT_SATISFIED, NULL), &AGENT);
  APPLY_OK("G-1", EV(PSVC_ACT_CLOSE, T0 + 6, NULL, 0, NULL), &CREW_A);
  char *before = dump(CTX);
  psvc_ctx_close(CTX);
  CTX = open_on(M);
  char *after = dump(CTX);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
  /* the new context has the default grants again */
  APPLY_NO(PSVC_EPERM, "G-2", EV(PSVC_ACT_DISPATCH, T0 + 1, "Crew-A", 0, NULL), &CREW_A);
}
END_TEST

/* ---- corruption: a history that does not replay ------------------------------------------ */

/* A store holding customers and three orders, all events at the same
   second: X (FAULT_REPAIR: DISPATCH, RECEIVE, ARRIVE -> ON_SITE), Y (three
   NOTEs) and W (INQUIRY: REPLY, CLOSE -> CLOSED). It opens cleanly. */
static fault_mem *corrupt_base(void) {
  fault_mem *m = fault_mem_new();
  psvc_ctx *keep = CTX;
  CTX = open_on(m);
  add_customers(CTX);
  open_ok("X", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  APPLY_OK("X", EV(PSVC_ACT_DISPATCH, T0 + 60, "Crew-A", 0, NULL), &AGENT);
  APPLY_OK("X", EV(PSVC_ACT_RECEIVE, T0 + 60, NULL, 0, NULL), &CREW_A);
  APPLY_OK("X", EV(PSVC_ACT_ARRIVE, T0 + 60, NULL, 0, NULL), &CREW_A);
  open_ok("Y", PSVC_ORDER_COMPLAINT, "CU-RURAL", T0, &AGENT);
  for (int i = 0; i < 3; i++)
    APPLY_OK("Y", EV(PSVC_ACT_NOTE, T0 + 60, NULL, i, "remark"), &AGENT);
  open_ok("W", PSVC_ORDER_INQUIRY, NULL, T0, &AGENT);
  APPLY_OK("W", EV(PSVC_ACT_REPLY, T0 + 60, NULL, 0, NULL), &AGENT);
  APPLY_OK("W", EV(PSVC_ACT_CLOSE, T0 + 60, NULL, 0, NULL), &AGENT);
  psvc_ctx_close(CTX);
  /* sanity: the base itself loads */
  CTX = open_on(m);
  psvc_ctx_close(CTX);
  CTX = keep;
  m->close_calls = 0;
  return m;
}

/* Copies the committed record (kind_from, from) to (kind_to, to). */
static void copy_rec2(fault_mem *m, int kind_from, const char *from, int kind_to,
                      const char *to) {
  const fault_rec *r = fault_mem_raw_get(m, kind_from, from);
  ck_assert_msg(r != NULL, "no record '%s'", from);
  size_t len = r->len;
  unsigned char *data = malloc(len ? len : 1);
  ck_assert_ptr_nonnull(data);
  if (len)
    memcpy(data, r->data, len);
  fault_mem_raw_put(m, kind_to, to, data, len);
  free(data);
}

static void copy_rec(fault_mem *m, int kind, const char *from, const char *to) {
  copy_rec2(m, kind, from, kind, to);
}

/* Opening on m fails with PSVC_ECORRUPT, closes the store, writes nothing
   and (if `mention`) names it in the message. Frees m. */
static void expect_corrupt(int line, fault_mem *m, const char *mention) {
  fault_mem *before = fault_mem_snapshot(m);
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  int rc = psvc_ctx_open(&ctx, &s);
  psvc_ctx_close(ctx); /* (if it wrongly opened: nothing leaks under CK_FORK=no) */
  ck_assert_msg(rc == PSVC_ECORRUPT, "line %d: psvc_ctx_open: rc %d (%s), want PSVC_ECORRUPT",
                line, rc, psvc_strerror(rc));
  ck_assert_ptr_null(ctx);
  ck_assert_int_eq(m->close_calls, 1);
  ck_assert_msg(fault_mem_equal(m, before), "line %d: a failed open wrote to the store", line);
  ck_assert_str_ne(psvc_errmsg(NULL), "");
  if (mention)
    ck_assert_msg(strstr(psvc_errmsg(NULL), mention) != NULL, "line %d: message '%s' lacks '%s'",
                  line, psvc_errmsg(NULL), mention);
  fault_mem_free(before);
  fault_mem_free(m);
}
#define EXPECT_CORRUPT(m, mention) expect_corrupt(__LINE__, m, mention)

START_TEST(test_storage_corrupt_gap_in_sequence) {
  fault_mem *m = corrupt_base();
  fault_mem_raw_del(m, PSVC_REC_EVENT, "Y/0000000001"); /* 0, 2 */
  EXPECT_CORRUPT(m, "Y");

  m = corrupt_base();
  fault_mem_raw_del(m, PSVC_REC_EVENT, "Y/0000000000"); /* starts at 1 */
  EXPECT_CORRUPT(m, "Y");

  m = corrupt_base();
  copy_rec(m, PSVC_REC_EVENT, "Y/0000000002", "Y/0000000004"); /* 0, 1, 2, 4 */
  EXPECT_CORRUPT(m, "Y");

  m = corrupt_base();
  copy_rec(m, PSVC_REC_EVENT, "Y/0000000002", "Y/0000000003"); /* move 2 to 3 */
  fault_mem_raw_del(m, PSVC_REC_EVENT, "Y/0000000002");
  EXPECT_CORRUPT(m, "Y");

  /* the control: appending the same NOTE as the next number replays fine */
  m = corrupt_base();
  copy_rec(m, PSVC_REC_EVENT, "Y/0000000002", "Y/0000000003");
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  psvc_order *o = NULL;
  ck_assert_int_eq(psvc_order_load(ctx, "Y", &o), PSVC_OK);
  ck_assert_uint_eq(psvc_order_event_count(o), 4);
  psvc_order_free(o);
  psvc_ctx_close(ctx);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_storage_corrupt_impossible_step) {
  /* DISPATCH from ON_SITE: no row in the lifecycle table */
  fault_mem *m = corrupt_base();
  copy_rec(m, PSVC_REC_EVENT, "X/0000000000", "X/0000000003");
  EXPECT_CORRUPT(m, "X");
  /* the message names the order, the event and why, once (docs/storage.md) */
  const char *msg = psvc_errmsg(NULL);
  ck_assert_msg(strstr(msg, "FAULT_REPAIR") && strstr(msg, "ON_SITE") && strstr(msg, "DISPATCH"),
                "message '%s' does not say why", msg);
  const char *again = strstr(msg, "does not replay");
  ck_assert_msg(again && !strstr(again + 1, "does not replay"), "message '%s' repeats itself",
                msg);
  /* RECEIVE as the first step, from ACCEPTED */
  m = corrupt_base();
  copy_rec(m, PSVC_REC_EVENT, "X/0000000001", "X/0000000000");
  EXPECT_CORRUPT(m, "X");
  /* a closed order replaying REPLY again (only NOTE after CLOSE) */
  m = corrupt_base();
  copy_rec(m, PSVC_REC_EVENT, "W/0000000000", "W/0000000002");
  EXPECT_CORRUPT(m, "W");
  /* an event of another order's course: ARRIVE on an INQUIRY */
  m = corrupt_base();
  copy_rec(m, PSVC_REC_EVENT, "X/0000000002", "W/0000000002");
  EXPECT_CORRUPT(m, "W");
}
END_TEST

START_TEST(test_storage_corrupt_garbage_bytes) {
  static const struct {
    const unsigned char *data;
    size_t len;
  } junk[] = {
      {(const unsigned char *)"", 0},
      {(const unsigned char *)"\x01", 1},
      {(const unsigned char *)"garbage!", 8},
      {(const unsigned char *)"\x02\x04\x08\x10", 4},     /* version 2 */
      {(const unsigned char *)"\x01\x03\x08\x10", 4},     /* kind ORDER under EVENT */
      {(const unsigned char *)"\x01\x04\xff\xff\xff", 5}, /* truncated varint */
      {(const unsigned char *)"\x01\x04\x0a\x7f\x41", 5}, /* length past the end */
      {(const unsigned char *)"\x01\x04\x0b\x01", 4},     /* wire type 3 */
      {(const unsigned char *)"\x01\x04\x00\x01", 4},     /* tag 0 */
  };
  for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
    /* replacing an event */
    fault_mem *m = corrupt_base();
    fault_mem_raw_put(m, PSVC_REC_EVENT, "Y/0000000001", junk[i].data, junk[i].len);
    EXPECT_CORRUPT(m, "Y");
    /* appended as the next event */
    m = corrupt_base();
    fault_mem_raw_put(m, PSVC_REC_EVENT, "X/0000000003", junk[i].data, junk[i].len);
    EXPECT_CORRUPT(m, "X");
    /* replacing an ORDER record */
    m = corrupt_base();
    fault_mem_raw_put(m, PSVC_REC_ORDER, "W", junk[i].data, junk[i].len);
    EXPECT_CORRUPT(m, "W");
  }
  /* an EVENT record where an ORDER record should be, and the reverse */
  fault_mem *m = corrupt_base();
  copy_rec2(m, PSVC_REC_EVENT, "W/0000000000", PSVC_REC_ORDER, "W");
  EXPECT_CORRUPT(m, "W");
  m = corrupt_base();
  copy_rec2(m, PSVC_REC_ORDER, "Y", PSVC_REC_EVENT, "Y/0000000003");
  EXPECT_CORRUPT(m, "Y");
  /* an ORDER record stored under another id's key */
  m = corrupt_base();
  copy_rec(m, PSVC_REC_ORDER, "W", "W2");
  EXPECT_CORRUPT(m, "W2");
}
END_TEST

/* Events whose key does not name an order of the store, or is not
   "<order id>/<10 digits>". */
START_TEST(test_storage_corrupt_event_keys) {
  static const char *const keys[] = {"NOPE/0000000000", "Y/3", "Y/00000000003", "Y/000000000a",
                                     "Y",               "Y/",  "/0000000003",   "Y-0000000003"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    fault_mem *m = corrupt_base();
    copy_rec(m, PSVC_REC_EVENT, "Y/0000000002", keys[i]);
    EXPECT_CORRUPT(m, NULL);
  }
}
END_TEST

/* ---- hand-written records (docs/storage.md, "Orders and events") ----------------------- */

typedef struct rec_buf {
  unsigned char b[1024];
  size_t n;
} rec_buf;

static void rb_varint(rec_buf *r, uint64_t v) {
  do {
    ck_assert_uint_lt(r->n, sizeof r->b);
    unsigned char c = (unsigned char)(v & 0x7f);
    v >>= 7;
    r->b[r->n++] = (unsigned char)(v ? c | 0x80 : c);
  } while (v);
}
static void rb_start(rec_buf *r, int kind) {
  r->n = 0;
  r->b[r->n++] = 1; /* format version */
  r->b[r->n++] = (unsigned char)kind;
}
static void rb_uint(rec_buf *r, unsigned tag, uint64_t v) {
  rb_varint(r, (uint64_t)tag << 3);
  rb_varint(r, v);
}
static void rb_sint(rec_buf *r, unsigned tag, int64_t v) {
  rb_uint(r, tag, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}
static void rb_str(rec_buf *r, unsigned tag, const char *s) {
  size_t len = strlen(s);
  rb_varint(r, (uint64_t)tag << 3 | 2);
  rb_varint(r, len);
  ck_assert_uint_le(r->n + len, sizeof r->b);
  memcpy(r->b + r->n, s, len);
  r->n += len;
}

/* The worked example of docs/storage.md, byte for byte. */
START_TEST(test_storage_event_record_matches_documented_example) {
  static const unsigned char want[] = {0x01, 0x04, 0x08, 0x01, 0x10, 0x80, 0xEE, 0x89, 0xAB,
                                       0x0D, 0x1A, 0x02, 0x61, 0x31, 0x20, 0x01, 0x2A, 0x02,
                                       0x63, 0x63, 0x32, 0x06, 0x63, 0x72, 0x65, 0x77, 0x2D,
                                       0x41};
  ck_assert_int_eq(T0, 1790000000);
  open_ok("O1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0, &AGENT);
  psvc_actor a1 = {sizeof a1, "a1", PSVC_ROLE_AGENT, "cc"};
  APPLY_OK("O1", EV(PSVC_ACT_DISPATCH, T0, "crew-A", 0, NULL), &a1);
  const fault_rec *r = fault_mem_raw_get(M, PSVC_REC_EVENT, "O1/0000000000");
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(r->len, sizeof want);
  ck_assert(memcmp(r->data, want, sizeof want) == 0);
}
END_TEST

/* A NOTE as the next event of Y, every field set, plus an unknown tag. */
static void rb_note(rec_buf *r, psvc_time at) {
  rb_start(r, PSVC_REC_EVENT);
  rb_uint(r, 1, PSVC_ACT_NOTE);
  rb_sint(r, 2, at);
  rb_str(r, 3, "imp.9");
  rb_uint(r, 4, PSVC_ROLE_SYSTEM);
  rb_str(r, 5, "Legacy");
  rb_str(r, 6, "Crew-Z");
  rb_sint(r, 7, -42);
  rb_str(r, 8, "line one\nline two\tend");
}

START_TEST(test_storage_handwritten_event_replays) {
  fault_mem *m = corrupt_base();
  rec_buf r;
  rb_note(&r, T0 + 60); /* same second as the previous event */
  rb_uint(&r, 40, 7);   /* unknown tags are skipped */
  rb_str(&r, 41, "from a later version");
  fault_mem_raw_put(m, PSVC_REC_EVENT, "Y/0000000003", r.b, r.n);
  psvc_ctx *ctx = open_on(m);
  psvc_order *o = NULL;
  ck_assert_int_eq(psvc_order_load(ctx, "Y", &o), PSVC_OK);
  ck_assert_uint_eq(psvc_order_event_count(o), 4);
  ck_assert_int_eq(psvc_order_event_action(o, 3), PSVC_ACT_NOTE);
  ck_assert_int_eq(psvc_order_event_at(o, 3), T0 + 60);
  ck_assert_str_eq(psvc_order_event_actor(o, 3), "imp.9");
  ck_assert_int_eq(psvc_order_event_role(o, 3), PSVC_ROLE_SYSTEM);
  ck_assert_str_eq(psvc_order_event_unit(o, 3), "Legacy");
  ck_assert_str_eq(psvc_order_event_target(o, 3), "Crew-Z");
  ck_assert_int_eq(psvc_order_event_value(o, 3), -42);
  ck_assert_str_eq(psvc_order_event_note(o, 3), "line one\nline two\tend");
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_ACCEPTED);
  psvc_order_free(o);
  psvc_ctx_close(ctx);
  fault_mem_free(m);
}
END_TEST

/* Stored events that decode but must not load (docs/storage.md tables). */
START_TEST(test_storage_corrupt_event_fields) {
  char *t257 = xs(257), *n4097 = xs(4097);
  char accepted[1024] = "";
  for (int v = 0; v < 19; v++) {
    rec_buf r;
    rb_start(&r, PSVC_REC_EVENT);
    const char *why = "";
    switch (v) {
    case 0: /* times going backwards */
      why = "time before the previous event";
      rb_note(&r, T0 + 59);
      break;
    case 1:
      why = "time after 9999";
      rb_note(&r, TIME_MAX + 1);
      break;
    case 2:
      why = "negative time";
      rb_note(&r, -1);
      break;
    case 3:
      why = "no action";
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      break;
    case 4:
      why = "no actor";
      rb_uint(&r, 1, PSVC_ACT_NOTE);
      rb_sint(&r, 2, T0 + 60);
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      break;
    case 5:
      why = "no role";
      rb_uint(&r, 1, PSVC_ACT_NOTE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      break;
    case 6:
      why = "action 17";
      rb_uint(&r, 1, 17);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      break;
    case 7:
      why = "role 14";
      rb_uint(&r, 1, PSVC_ACT_NOTE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, 14);
      break;
    case 8:
      why = "actor not an id";
      rb_uint(&r, 1, PSVC_ACT_NOTE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp 9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      break;
    case 9:
      why = "repeated known tag";
      rb_note(&r, T0 + 60);
      rb_str(&r, 3, "imp.10");
      break;
    case 10:
      why = "empty note";
      rb_note(&r, T0 + 60);
      r.n = 2;
      rb_uint(&r, 1, PSVC_ACT_NOTE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      rb_str(&r, 8, "");
      break;
    case 11:
      why = "note not UTF-8";
      rb_uint(&r, 1, PSVC_ACT_NOTE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      rb_str(&r, 8, "caf\xc3");
      break;
    case 12:
      why = "target over 256 bytes";
      rb_uint(&r, 1, PSVC_ACT_NOTE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      rb_str(&r, 6, t257);
      break;
    case 13:
      why = "DISPATCH without target";
      rb_uint(&r, 1, PSVC_ACT_DISPATCH);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      break;
    case 14:
      why = "ESCALATE above 99";
      rb_uint(&r, 1, PSVC_ACT_ESCALATE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      rb_sint(&r, 7, 100);
      break;
    case 15:
      why = "ESCALATE negative";
      rb_uint(&r, 1, PSVC_ACT_ESCALATE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      rb_sint(&r, 7, -1);
      break;
    case 16:
      why = "MERGE target not an id";
      rb_uint(&r, 1, PSVC_ACT_MERGE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      rb_str(&r, 6, "a b");
      break;
    case 17:
      why = "MERGE into itself";
      rb_uint(&r, 1, PSVC_ACT_MERGE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      rb_str(&r, 6, "Y");
      break;
    default:
      why = "note over 4096 bytes";
      rb_uint(&r, 1, PSVC_ACT_NOTE);
      rb_sint(&r, 2, T0 + 60);
      rb_str(&r, 3, "imp.9");
      rb_uint(&r, 4, PSVC_ROLE_SYSTEM);
      {
        /* too long for rec_buf: write it into a heap record */
        size_t n = r.n;
        unsigned char *big = malloc(n + 3 + 4097);
        ck_assert_ptr_nonnull(big);
        memcpy(big, r.b, n);
        big[n++] = 8 << 3 | 2;
        big[n++] = (unsigned char)(0x80 | (4097 & 0x7f));
        big[n++] = (unsigned char)(4097 >> 7);
        memcpy(big + n, n4097, 4097);
        n += 4097;
        fault_mem *m = corrupt_base();
        fault_mem_raw_put(m, PSVC_REC_EVENT, "Y/0000000003", big, n);
        free(big);
        expect_corrupt(__LINE__, m, "Y");
      }
      continue;
    }
    fault_mem *m = corrupt_base();
    fault_mem_raw_put(m, PSVC_REC_EVENT, "Y/0000000003", r.b, r.n);
    fault_mem *before = fault_mem_snapshot(m);
    psvc_store s;
    fault_mem_store(m, &s);
    psvc_ctx *ctx = NULL;
    int rc = psvc_ctx_open(&ctx, &s);
    psvc_ctx_close(ctx);
    if (rc != PSVC_ECORRUPT) { /* collected: every case runs, all failures are named */
      size_t len = strlen(accepted);
      snprintf(accepted + len, sizeof accepted - len, "%s%s (rc %d)", len ? "; " : "", why, rc);
    } else {
      ck_assert_ptr_null(ctx);
      ck_assert_msg(strstr(psvc_errmsg(NULL), "Y") != NULL, "%s: message '%s'", why,
                    psvc_errmsg(NULL));
    }
    ck_assert(fault_mem_equal(m, before));
    fault_mem_free(before);
    fault_mem_free(m);
  }
  free(t257);
  free(n4097);
  ck_assert_msg(accepted[0] == 0, "stored events that loaded instead of PSVC_ECORRUPT: %s",
                accepted);
}
END_TEST

/* ======================================================================================= */
/* Fault injection                                                                         */
/* ======================================================================================= */

/* The scenario both fault loops run, on a context that already holds the
   three customers and P-1 (FAULT_REPAIR received by Crew-A), P-2 (a closed
   INQUIRY) and P-3 (a suspended COMPLAINT). Each step is one mutating call:
   one store transaction with exactly one put. */
enum { SCENARIO_STEPS = 19 };

static int scenario_step(psvc_ctx *ctx, int step) {
  const psvc_time t = T0 + 1000 + 100 * step;
  psvc_order_spec s;
  switch (step) {
  case 0:
    s = mkspec("N-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0 + 1000);
    s.summary = "transformer humming, lights flicker";
    return psvc_order_open(ctx, &s, &AGENT);
  case 1: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_DISPATCH, t, "Crew-A", 0, NULL), &AGENT);
  case 2: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_RECEIVE, t, NULL, 0, NULL), &CREW_A);
  case 3:
    return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_TRANSFER, t, "Crew-B", 0, "closer"), &CREW_A);
  case 4:
    s = mkspec("N-2", PSVC_ORDER_COMPLAINT, "CU-RURAL", T0 + 1000);
    s.subtype = PSVC_COMPLAINT_OUTAGE;
    s.channel = PSVC_CHANNEL_WEB;
    return psvc_order_open(ctx, &s, &REP);
  case 5: return psvc_order_apply(ctx, "N-2", EV(PSVC_ACT_MERGE, t, "N-1", 0, "same"), &AGENT);
  case 6: return psvc_order_apply(ctx, "N-2", EV(PSVC_ACT_NOTE, t, NULL, 0, "told"), &AGENT);
  case 7: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_URGE, t, NULL, 0, NULL), &AGENT);
  case 8: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_ESCALATE, t, NULL, 0, NULL), &LEAD);
  case 9:
    return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_SUSPEND, t, NULL, 0, "parts"), &CREW_B);
  case 10: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_RESUME, t, NULL, 0, NULL), &CREW_B);
  case 11: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_ARRIVE, t, NULL, 0, NULL), &CREW_B);
  case 12: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_RESOLVE, t, NULL, 0, NULL), &CREW_B);
  case 13:
    return psvc_order_apply(ctx, "N-1",
                            EV(PSVC_ACT_VISIT, t, NULL, PSVC_SAT_UNSATISFIED, "still"), &AGENT);
  case 14:
    return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_RETURN, t, NULL, 0, "wrong crew"), &CREW_B);
  case 15: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_DISPATCH, t, "Crew-C", 0, NULL), &DISP);
  case 16: return psvc_order_apply(ctx, "N-1", EV(PSVC_ACT_RECEIVE, t, NULL, 0, NULL), &CREW_C);
  case 17: return psvc_order_apply(ctx, "P-1", EV(PSVC_ACT_NOTE, t, NULL, 0, "old one"), &AGENT);
  default:
    return psvc_order_apply(ctx, "P-3", EV(PSVC_ACT_CANCEL, t, NULL, 0, "withdrawn"), &SUP);
  }
}

static void must(int line, psvc_ctx *ctx, int rc) {
  ck_assert_msg(rc == PSVC_OK, "line %d: rc %d (%s): %s", line, rc, psvc_strerror(rc),
                psvc_errmsg(ctx));
}
#define MUST(ctx, call) must(__LINE__, ctx, (call))

static void scenario_preload(psvc_ctx *ctx) {
  add_customers(ctx);
  psvc_order_spec s = mkspec("P-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", T0);
  MUST(ctx, psvc_order_open(ctx, &s, &AGENT));
  MUST(ctx, psvc_order_apply(ctx, "P-1", EV(PSVC_ACT_DISPATCH, T0 + 1, "Crew-A", 0, NULL), &AGENT));
  MUST(ctx, psvc_order_apply(ctx, "P-1", EV(PSVC_ACT_RECEIVE, T0 + 2, NULL, 0, NULL), &CREW_A));
  s = mkspec("P-2", PSVC_ORDER_INQUIRY, NULL, T0);
  MUST(ctx, psvc_order_open(ctx, &s, &AGENT));
  MUST(ctx, psvc_order_apply(ctx, "P-2", EV(PSVC_ACT_REPLY, T0 + 1, NULL, 0, NULL), &AGENT));
  MUST(ctx, psvc_order_apply(ctx, "P-2", EV(PSVC_ACT_CLOSE, T0 + 2, NULL, 0, NULL), &AGENT));
  s = mkspec("P-3", PSVC_ORDER_COMPLAINT, "CU-REMOTE", T0);
  MUST(ctx, psvc_order_open(ctx, &s, &AGENT));
  MUST(ctx, psvc_order_apply(ctx, "P-3", EV(PSVC_ACT_SUSPEND, T0 + 1, NULL, 0, "docs"), &LEAD));
}

/* Store failures. With k > 0 the k-th begin/put/del/commit fails; the step
   that sees it must return PSVC_EIO, call rollback, and change nothing (the
   context, the store, a context reopened on the store). The step is then
   retried without failure and the scenario goes on. Returns the number of
   failed steps; *calls the callbacks counted; *final the final dump. */
static int store_scenario(long k, long *calls, char **final) {
  fault_mem *m = fault_mem_new();
  psvc_store s;
  fault_wrap w;
  fault_mem_store(m, &s);
  fault_wrap_init(&w, &s);
  fault_wrap_store(&w, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  scenario_preload(ctx);

  fault_wrap_arm(&w, k);
  int failed = 0;
  for (int step = 0; step < SCENARIO_STEPS; step++) {
    char *before = dump(ctx);
    fault_mem *mem_before = fault_mem_snapshot(m);
    bool had_failed = w.failed;
    long puts0 = w.puts, commits0 = w.commits;
    int rc = scenario_step(ctx, step);
    if (w.failed && !had_failed) {
      failed++;
      ck_assert_msg(rc == PSVC_EIO, "k=%ld step %d: rc %d, want PSVC_EIO", k, step, rc);
      ck_assert_msg(w.rollback_after_failure, "k=%ld step %d: rollback not called", k, step);
      ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "nothing was changed"));
      if (w.puts - puts0 == 1 && w.commits == commits0) { /* the put failed: the message names the record */
        static const char *const order_of[SCENARIO_STEPS] = {
            "N-1", "N-1", "N-1", "N-1", "N-2", "N-2", "N-2", "N-1", "N-1", "N-1",
            "N-1", "N-1", "N-1", "N-1", "N-1", "N-1", "N-1", "P-1", "P-3"};
        ck_assert_msg(strstr(psvc_errmsg(ctx), order_of[step]) != NULL, "k=%ld: message '%s'", k,
                      psvc_errmsg(ctx));
      }
      ck_assert(!m->in_txn);
      char *after = dump(ctx);
      ck_assert_msg(strcmp(before, after) == 0, "k=%ld step %d: state changed:\n%s\nvs\n%s", k,
                    step, before, after);
      free(after);
      ck_assert_msg(fault_mem_equal(m, mem_before), "k=%ld step %d: store changed", k, step);
      psvc_ctx *again = open_on(m);
      after = dump(again);
      ck_assert_msg(strcmp(before, after) == 0, "k=%ld step %d: reopened state differs", k,
                    step);
      free(after);
      psvc_ctx_close(again);
      /* the same call, without the failure, goes through */
      w.fail_at = 0;
      rc = scenario_step(ctx, step);
    }
    ck_assert_msg(rc == PSVC_OK, "k=%ld step %d: rc %d (%s)", k, step, rc, psvc_errmsg(ctx));
    free(before);
    fault_mem_free(mem_before);
  }
  *calls = w.calls;
  *final = dump(ctx);
  ck_assert_int_eq(m->violations, 0);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(w.close_calls, 1);
  /* what was stored replays to the same state (no gap left by a failure) */
  psvc_ctx *again = open_on(m);
  char *reopened = dump(again);
  ck_assert_msg(strcmp(*final, reopened) == 0, "k=%ld: reopened final state differs", k);
  free(reopened);
  psvc_ctx_close(again);
  fault_mem_free(m);
  return failed;
}

START_TEST(test_fault_store_every_k) {
  long n = 0;
  char *reference = NULL;
  ck_assert_int_eq(store_scenario(0, &n, &reference), 0);
  /* every step is begin, one put, commit (docs/orders.md, Storage) */
  ck_assert_int_eq(n, 3 * SCENARIO_STEPS);
  for (long k = 1; k <= n; k++) {
    long calls = 0;
    char *final = NULL;
    ck_assert_msg(store_scenario(k, &calls, &final) == 1, "k=%ld: no step failed", k);
    ck_assert_msg(strcmp(reference, final) == 0, "k=%ld: final state differs", k);
    free(final);
  }
  long calls = 0;
  char *final = NULL;
  ck_assert_int_eq(store_scenario(n + 1, &calls, &final), 0);
  ck_assert_int_eq(calls, n);
  free(final);
  free(reference);
}
END_TEST

START_TEST(test_fault_store_any_nonzero_code) {
  static const int rcs[] = {1, -1, 42, PSVC_ENOTFOUND, INT_MIN};
  for (size_t i = 0; i < sizeof rcs / sizeof rcs[0]; i++)
    for (long k = 1; k <= 3; k++) { /* begin, put, commit of one apply */
      fault_mem *m = fault_mem_new();
      psvc_store s;
      fault_wrap w;
      fault_mem_store(m, &s);
      fault_wrap_init(&w, &s);
      fault_wrap_store(&w, &s);
      psvc_ctx *ctx = NULL;
      ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
      scenario_preload(ctx);
      w.fail_rc = rcs[i];
      fault_wrap_arm(&w, k);
      ck_assert_int_eq(psvc_order_apply(ctx, "P-1",
                                        EV(PSVC_ACT_ARRIVE, T0 + 10, NULL, 0, NULL), &CREW_A),
                       PSVC_EIO);
      ck_assert(w.rollback_after_failure);
      psvc_order *o = NULL;
      ck_assert_int_eq(psvc_order_load(ctx, "P-1", &o), PSVC_OK);
      ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_RECEIVED);
      ck_assert_uint_eq(psvc_order_event_count(o), 2);
      psvc_order_free(o);
      psvc_ctx_close(ctx);
      ck_assert_ptr_null(fault_mem_raw_get(m, PSVC_REC_EVENT, "P-1/0000000002"));
      fault_mem_free(m);
    }
}
END_TEST

/* Allocation failures over the same scenario, then the queries (load, find,
   handover) and a reopen of the populated store (the replay). The step that
   sees the k-th allocation fail must return PSVC_ENOMEM and change nothing;
   it is then retried (later allocations succeed). Returns the number of
   failed steps; *count the allocations counted; *final the final dump. */
static void alloc_same(fault_alloc *fa, psvc_ctx *ctx, const char *before, long k,
                       const char *what) {
  bool paused = fa->paused;
  fa->paused = true;
  char *after = fault_dump_ctx(ctx);
  fa->paused = paused;
  ck_assert_ptr_nonnull(after);
  ck_assert_msg(strcmp(before, after) == 0, "k=%ld %s: context changed:\n%s\nvs\n%s", k, what,
                before, after);
  free(after);
}

static int alloc_scenario(fault_alloc *fa, long k, long *count, char **final) {
  fa->paused = true;
  fault_mem *m = fault_mem_new();
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  scenario_preload(ctx);
  fa->paused = false;
  fault_alloc_arm(fa, k);
  int failed = 0;

  for (int step = 0; step < SCENARIO_STEPS; step++) {
    fa->paused = true;
    char *before = dump(ctx);
    fault_mem *mem_before = fault_mem_snapshot(m);
    fa->paused = false;
    long f0 = fa->failures;
    int rc = scenario_step(ctx, step);
    if (fa->failures != f0) {
      failed++;
      ck_assert_msg(rc == PSVC_ENOMEM, "k=%ld step %d: rc %d, want PSVC_ENOMEM", k, step, rc);
      char what[32];
      snprintf(what, sizeof what, "step %d", step);
      alloc_same(fa, ctx, before, k, what);
      ck_assert_msg(fault_mem_equal(m, mem_before), "k=%ld step %d: store changed", k, step);
      ck_assert(!m->in_txn);
      rc = scenario_step(ctx, step);
    }
    ck_assert_msg(rc == PSVC_OK, "k=%ld step %d: rc %d (%s)", k, step, rc, psvc_errmsg(ctx));
    fa->paused = true;
    free(before);
    fault_mem_free(mem_before);
    fa->paused = false;
  }

  /* queries: on failure the out-parameter is untouched */
  fa->paused = true;
  char *before = dump(ctx);
  fa->paused = false;
  for (int q = 0; q < 4; q++) {
    psvc_list *l = NULL;
    psvc_order *o = NULL;
    psvc_filter f = PSVC_FILTER_INIT;
    f.type_mask = 1u << PSVC_ORDER_FAULT_REPAIR;
    f.from = T0;
    long f0 = fa->failures;
    int rc;
    for (int attempt = 0; attempt < 2; attempt++) {
      switch (q) {
      case 0: rc = psvc_order_load(ctx, "N-1", &o); break;
      case 1: rc = psvc_order_find(ctx, &f, &l); break;
      case 2: rc = psvc_handover(ctx, "Crew-C", T0 + DAY, &l); break;
      default: rc = psvc_customer_delete(ctx, "CU-URBAN"); break;
      }
      if (attempt == 0 && fa->failures != f0) {
        failed++;
        ck_assert_msg(rc == PSVC_ENOMEM, "k=%ld query %d: rc %d, want PSVC_ENOMEM", k, q, rc);
        ck_assert_ptr_null(o);
        ck_assert_ptr_null(l);
        alloc_same(fa, ctx, before, k, "query");
        continue;
      }
      break;
    }
    ck_assert_msg(rc == (q == 3 ? PSVC_ESTATE : PSVC_OK), "k=%ld query %d: rc %d (%s)", k, q, rc,
                  psvc_errmsg(ctx));
    fa->paused = true;
    if (q == 0) {
      ck_assert_uint_eq(psvc_order_event_count(o), 13);
      psvc_order_free(o);
    } else if (q == 1) {
      expect_list(__LINE__, l, "P-1,N-1");
    } else if (q == 2) {
      expect_list(__LINE__, l, "N-1");
    }
    psvc_list_free(l);
    fa->paused = false;
  }
  alloc_same(fa, ctx, before, k, "queries");

  /* reopen on the populated store: the replay */
  psvc_ctx_close(ctx);
  ctx = NULL;
  fault_mem *mem_before = NULL;
  fa->paused = true;
  mem_before = fault_mem_snapshot(m);
  fa->paused = false;
  m->close_calls = 0;
  long f0 = fa->failures;
  int rc = psvc_ctx_open(&ctx, &s);
  if (fa->failures != f0) {
    failed++;
    ck_assert_msg(rc == PSVC_ENOMEM, "k=%ld reopen: rc %d, want PSVC_ENOMEM", k, rc);
    ck_assert_ptr_null(ctx);
    ck_assert_int_eq(m->close_calls, 1);
    ck_assert_msg(fault_mem_equal(m, mem_before), "k=%ld reopen: store changed", k);
    rc = psvc_ctx_open(&ctx, &s);
  }
  ck_assert_msg(rc == PSVC_OK, "k=%ld reopen: rc %d (%s)", k, rc, psvc_errmsg(NULL));
  alloc_same(fa, ctx, before, k, "reopen");

  *count = fa->count;
  fa->paused = true;
  *final = dump(ctx);
  ck_assert_int_eq(m->violations, 0);
  psvc_ctx_close(ctx);
  free(before);
  fault_mem_free(mem_before);
  fault_mem_free(m);
  ck_assert_msg(fa->live_blocks == 0, "k=%ld: %ld blocks (%zu bytes) leaked", k, fa->live_blocks,
                fa->live_bytes);
  fa->paused = false;
  return failed;
}

START_TEST(test_fault_alloc_every_k) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  long n = 0;
  char *reference = NULL;
  ck_assert_int_eq(alloc_scenario(&fa, 0, &n, &reference), 0);
  ck_assert_int_gt(n, SCENARIO_STEPS);
  for (long k = 1; k <= n; k++) {
    long count = 0;
    char *final = NULL;
    ck_assert_msg(alloc_scenario(&fa, k, &count, &final) == 1, "k=%ld: no step saw the failure",
                  k);
    ck_assert_int_eq(fa.failures, k);
    ck_assert_msg(strcmp(reference, final) == 0, "k=%ld: final state differs", k);
    free(final);
  }
  long count = 0;
  char *final = NULL;
  ck_assert_int_eq(alloc_scenario(&fa, n + 1, &count, &final), 0);
  ck_assert_int_eq(count, n);
  free(final);
  free(reference);
  FAULT_ALLOC_END(&fa);
}
END_TEST

/* ======================================================================================= */

static Suite *order_suite(void) {
  Suite *s = suite_create("order");
  TCase *tc = tcase_create("open");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_open_null_args_and_sizes_einval);
  tcase_add_test(tc, test_open_bad_id_einval);
  tcase_add_test(tc, test_open_W1_W2_C7_bad_type_channel_area_einval);
  tcase_add_test(tc, test_open_W1_W2_every_type_and_channel);
  tcase_add_test(tc, test_open_W15_W16_subtype_per_type);
  tcase_add_test(tc, test_open_summary_text_rules);
  tcase_add_test(tc, test_open_bad_actor_einval);
  tcase_add_test(tc, test_open_W16_service_request_needs_customer);
  tcase_add_test(tc, test_open_anonymous_allowed_for_other_types);
  tcase_add_test(tc, test_open_T3_anonymous_fault_repair_needs_area);
  tcase_add_test(tc, test_open_bad_customer_id_einval);
  tcase_add_test(tc, test_open_unknown_customer_enotfound);
  tcase_add_test(tc, test_open_duplicate_id_eexist);
  tcase_add_test(tc, test_open_accepted_at_range);
  tcase_add_test(tc, test_open_role_not_allowed_eperm);
  tcase_add_test(tc, test_open_check_order);
  tcase_add_test(tc, test_permit_arguments);
  tcase_add_test(tc, test_open_area_from_customer_or_override);
  tcase_add_test(tc, test_open_fresh_order_getters);
  suite_add_tcase(s, tc);

  tc = tcase_create("apply");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_apply_null_args_and_sizes_einval);
  tcase_add_test(tc, test_apply_bad_action_and_actor_einval);
  tcase_add_test(tc, test_apply_target_and_note_text_rules);
  tcase_add_test(tc, test_apply_per_action_required_arguments);
  tcase_add_test(tc, test_apply_unknown_order_enotfound);
  tcase_add_test(tc, test_apply_check_order);
  tcase_add_test(tc, test_apply_estate_eperm_messages);
  tcase_add_test(tc, test_W11_history_records_every_field);
  tcase_add_test(tc, test_W11_time_never_goes_back);
  tcase_add_test(tc, test_W4_responsible_unit_is_first_receiver_forever);
  tcase_add_test(tc, test_W4_receiving_unit_choice);
  tcase_add_test(tc, test_W4_transfer_rules);
  tcase_add_test(tc, test_W5_urge_counts);
  tcase_add_test(tc, test_W5_escalation_levels);
  tcase_add_test(tc, test_W7_return_needs_reason_and_clears_current_unit);
  tcase_add_test(tc, test_W8_suspend_resume_returns_to_state_left);
  tcase_add_test(tc, test_W9_merge_target_checks);
  tcase_add_test(tc, test_W9_W11_finished_orders_accept_only_note);
  tcase_add_test(tc, test_W10_visit_records_satisfaction);
  tcase_add_test(tc, test_W10_unsatisfied_reopens_to_dispatched);
  suite_add_tcase(s, tc);

  tc = tcase_create("queries");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_find_arguments);
  tcase_add_test(tc, test_find_each_filter_field);
  tcase_add_test(tc, test_find_combinations);
  tcase_add_test(tc, test_find_sorted_by_accepted_at_then_id);
  tcase_add_test(tc, test_customer_with_orders_cannot_be_deleted);
  tcase_add_test(tc, test_W13_handover_selection_and_order);
  tcase_add_test(tc, test_W13_handover_order_by_accepted_at_then_id);
  tcase_add_test(tc, test_W13_handover_arguments);
  tcase_add_test(tc, test_load_arguments_and_notfound);
  tcase_add_test(tc, test_snapshot_independent_of_later_changes);
  tcase_add_test(tc, test_getters_null_and_out_of_range);
  suite_add_tcase(s, tc);

  tc = tcase_create("storage");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_storage_keys_and_one_put_per_action);
  tcase_add_test(tc, test_storage_1000_events_one_put_each);
  tcase_add_test(tc, test_storage_reopen_reads_back_the_same);
  tcase_add_test(tc, test_storage_replay_ignores_grants);
  tcase_add_test(tc, test_storage_corrupt_gap_in_sequence);
  tcase_add_test(tc, test_storage_corrupt_impossible_step);
  tcase_add_test(tc, test_storage_corrupt_garbage_bytes);
  tcase_add_test(tc, test_storage_corrupt_event_keys);
  tcase_add_test(tc, test_storage_event_record_matches_documented_example);
  tcase_add_test(tc, test_storage_handwritten_event_replays);
  tcase_add_test(tc, test_storage_corrupt_event_fields);
  suite_add_tcase(s, tc);

  tc = tcase_create("faults");
  tcase_set_timeout(tc, 500);
  tcase_add_test(tc, test_fault_store_every_k);
  tcase_add_test(tc, test_fault_store_any_nonzero_code);
  tcase_add_test(tc, test_fault_alloc_every_k);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(order_suite()); }
