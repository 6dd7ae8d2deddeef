/*
 * test_call.c — lib/call.c through the public API: hotline calls (rules T-1,
 * T-2), held to the contract in docs/reports.md ("Calls") and the CALL record
 * of docs/storage.md ("Notices and calls").
 *
 * What it covers:
 *  - psvc_call_record: every check of the documented table, in the
 *    documented order (EINVAL ids, EINVAL abandoned call naming an order,
 *    ERANGE times, ERANGE time order, EEXIST, ENOTFOUND); a refused call
 *    changes nothing (the context dump of tests/fault.c plus every call's
 *    ANSWER clock and every order's DISPATCH clock, and the store's
 *    committed records) and leaves a message in psvc_errmsg;
 *  - psvc_call_sla (T-1): the ANSWER clock at its boundaries (12 s MET,
 *    13 s BREACHED, abandoned after 13 s BREACHED, abandoned at 12 s
 *    NOT_APPLICABLE), every psvc_sla field, the 50/80/100 % levels, an
 *    ANSWER policy override (limit and levels), its argument checks;
 *  - T-2: the order's DISPATCH clock starts at the end of the call that
 *    produced it (earliest arrival, then smallest id, whatever the
 *    recording order), a dispatch during the call took no time, PENDING
 *    while the call has not ended, an order without a call starts at
 *    acceptance;
 *  - storage: the CALL record byte for byte, reopen reads back the same
 *    clocks, hand-built corrupt records make psvc_ctx_open fail with
 *    PSVC_ECORRUPT;
 *  - transactions: calls recorded inside begin ... rollback are gone, with
 *    and without a store;
 *  - fault injection: store failure at every k and allocation failure at
 *    every k over a small mixed workload: PSVC_EIO / PSVC_ENOMEM, nothing
 *    changed, nothing leaked.
 */
#include "fault.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 FAULT_NOW
#define DAY FAULT_DAY
#define TIME_MAX ((psvc_time)253402300799) /* 9999-12-31T23:59:59Z */

static const psvc_actor AGENT = {sizeof(psvc_actor), "agent.01", PSVC_ROLE_AGENT, "Desk-1"};

#define EV(act, at, tgt, val, note)                                            \
  (&(psvc_event){sizeof(psvc_event), (act), (at), (tgt), (val), (note)})

/* Every call id any test uses: the dump lists each (or "absent"). */
static const char *const CALL_IDS[] = {"C-1",  "C-2",  "C-3",  "C-4",  "C-5", "C-6",
                                       "C-A",  "C-B",  "C-X",  "C-Y",  "C-T", "C-T2",
                                       "C-Z",  "C-L",  "C-9"};
#define NCALL_IDS (sizeof CALL_IDS / sizeof CALL_IDS[0])

/* ---- fixture ------------------------------------------------------------------------ */

static fault_mem *M;
static psvc_ctx *CTX;

static void must(int line, psvc_ctx *ctx, int rc) {
  ck_assert_msg(rc == PSVC_OK, "line %d: rc %d (%s): %s", line, rc, psvc_strerror(rc),
                psvc_errmsg(ctx));
}
#define MUST(ctx, call) must(__LINE__, ctx, (call))

static void add_customer(psvc_ctx *ctx, const char *id, int area) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, id), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_name(c, "Call test customer"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_DIRECT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_RESIDENTIAL), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_voltage(c, 220), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_area(c, area), PSVC_OK);
  MUST(ctx, psvc_customer_save(ctx, c));
  psvc_customer_free(c);
}

/* A FAULT_REPAIR order of CU-1 accepted at `at`. */
static void open_order(psvc_ctx *ctx, const char *id, psvc_time at) {
  psvc_order_spec s = PSVC_ORDER_SPEC_INIT;
  s.id = id;
  s.type = PSVC_ORDER_FAULT_REPAIR;
  s.channel = PSVC_CHANNEL_PHONE;
  s.customer_id = "CU-1";
  s.accepted_at = at;
  MUST(ctx, psvc_order_open(ctx, &s, &AGENT));
}

static void dispatch(psvc_ctx *ctx, const char *id, psvc_time at) {
  MUST(ctx, psvc_order_apply(ctx, id, EV(PSVC_ACT_DISPATCH, at, "Crew-A", 0, NULL), &AGENT));
}

static psvc_ctx *open_on(fault_mem *m) {
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  int rc = psvc_ctx_open(&ctx, &s);
  ck_assert_msg(rc == PSVC_OK, "psvc_ctx_open: %d (%s)", rc, psvc_errmsg(NULL));
  return ctx;
}

/* The base data: customer CU-1 (URBAN), orders O-1 and O-2 accepted at T0. */
static void base(psvc_ctx *ctx) {
  add_customer(ctx, "CU-1", PSVC_AREA_URBAN);
  open_order(ctx, "O-1", T0);
  open_order(ctx, "O-2", T0);
}

static void setup(void) {
  M = fault_mem_new();
  CTX = open_on(M);
  base(CTX);
}

static void teardown(void) {
  psvc_ctx_close(CTX);
  CTX = NULL;
  ck_assert_int_eq(M->violations, 0);
  ck_assert(!M->in_txn);
  fault_mem_free(M);
  M = NULL;
}

/* ---- dumps: everything observable ------------------------------------------------------ */

typedef struct text {
  char *s;
  size_t len, cap;
} text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void addf(text *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  ck_assert_int_ge(n, 0);
  if (t->len + (size_t)n + 1 > t->cap) {
    t->cap = (t->len + (size_t)n + 1) * 2;
    t->s = realloc(t->s, t->cap);
    ck_assert_ptr_nonnull(t->s);
  }
  va_start(ap, fmt);
  vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

static void sla_text(text *t, const psvc_sla *s) {
  addf(t, "metric=%d status=%d start=%lld deadline=%lld stop=%lld limit=%lld elapsed=%lld "
          "remaining=%lld level=%d cycle=%d ever=%d\n",
       s->metric, s->status, (long long)s->started_at, (long long)s->deadline,
       (long long)s->stopped_at, (long long)s->limit_s, (long long)s->elapsed_s,
       (long long)s->remaining_s, s->level, s->cycle, s->ever_breached);
}

/* The context dump of fault.c, then every known call's ANSWER clock, then
   every order's DISPATCH clock at a few instants. NULL if a call failed
   (an armed allocator: pause it first). */
static char *dump_all(psvc_ctx *ctx) {
  char *base_dump = fault_dump_ctx(ctx);
  if (!base_dump)
    return NULL;
  text t = {0};
  addf(&t, "%s", base_dump);
  free(base_dump);
  for (size_t i = 0; i < NCALL_IDS; i++) {
    psvc_sla s = PSVC_SLA_INIT;
    int rc = psvc_call_sla(ctx, CALL_IDS[i], &s);
    if (rc == PSVC_ENOTFOUND) {
      addf(&t, "call %s absent\n", CALL_IDS[i]);
      continue;
    }
    if (rc != PSVC_OK) {
      free(t.s);
      return NULL;
    }
    addf(&t, "call %s: ", CALL_IDS[i]);
    sla_text(&t, &s);
  }
  psvc_list *l = NULL;
  psvc_filter all = PSVC_FILTER_INIT;
  if (psvc_order_find(ctx, &all, &l) != PSVC_OK) {
    free(t.s);
    return NULL;
  }
  static const psvc_time nows[] = {T0 - 1, T0 + 100, T0 + 1000, T0 + DAY};
  for (size_t i = 0; i < psvc_list_count(l); i++)
    for (size_t k = 0; k < sizeof nows / sizeof nows[0]; k++) {
      psvc_sla s = PSVC_SLA_INIT;
      if (psvc_order_sla(ctx, psvc_list_id(l, i), PSVC_METRIC_DISPATCH, nows[k], &s) !=
          PSVC_OK) {
        psvc_list_free(l);
        free(t.s);
        return NULL;
      }
      addf(&t, "dispatch %s @%lld: ", psvc_list_id(l, i), (long long)nows[k]);
      sla_text(&t, &s);
    }
  psvc_list_free(l);
  return t.s;
}

static char *dump(psvc_ctx *ctx) {
  char *d = dump_all(ctx);
  ck_assert_ptr_nonnull(d);
  return d;
}

/* The message of the last REFUSED call (the dump afterwards overwrites
   psvc_errmsg). */
static char LAST_MSG[512];

/* Runs `call` on CTX: it must return `want`, change nothing (context, calls,
   clocks, store) and leave a message naming psvc_call_record in errmsg. */
#define REFUSED(want, call)                                                    \
  do {                                                                         \
    char *b_ = dump(CTX);                                                      \
    fault_mem *s_ = fault_mem_snapshot(M);                                     \
    long p_ = M->puts, d_ = M->dels, g_ = M->begins;                           \
    int rc_ = (call);                                                          \
    snprintf(LAST_MSG, sizeof LAST_MSG, "%s", psvc_errmsg(CTX));               \
    ck_assert_msg(rc_ == (want), "%s: rc %d (%s), want %d (%s) [%s]", #call, rc_, \
                  psvc_strerror(rc_), (want), psvc_strerror(want), LAST_MSG);  \
    ck_assert_msg(strstr(LAST_MSG, "psvc_call_record") != NULL,                \
                  "%s: message '%s' does not name the function", #call, LAST_MSG); \
    char *a_ = dump(CTX);                                                      \
    ck_assert_msg(strcmp(b_, a_) == 0, "%s changed the context:\n%s\nvs\n%s", #call, b_, \
                  a_);                                                         \
    ck_assert_msg(fault_mem_equal(M, s_) && M->puts == p_ && M->dels == d_ &&  \
                      M->begins == g_,                                         \
                  "%s touched the store", #call);                              \
    free(a_);                                                                  \
    free(b_);                                                                  \
    fault_mem_free(s_);                                                        \
  } while (0)

#define RECORD_OK(ctx, id, arr, ans, end, agent, order)                        \
  MUST(ctx, psvc_call_record(ctx, id, arr, ans, end, agent, order))

static psvc_sla call_sla(int line, psvc_ctx *ctx, const char *id) {
  psvc_sla s = PSVC_SLA_INIT;
  int rc = psvc_call_sla(ctx, id, &s);
  ck_assert_msg(rc == PSVC_OK, "line %d: psvc_call_sla(%s): rc %d: %s", line, id, rc,
                psvc_errmsg(ctx));
  return s;
}

static psvc_sla order_sla(int line, psvc_ctx *ctx, const char *id, psvc_time now) {
  psvc_sla s = PSVC_SLA_INIT;
  int rc = psvc_order_sla(ctx, id, PSVC_METRIC_DISPATCH, now, &s);
  ck_assert_msg(rc == PSVC_OK, "line %d: psvc_order_sla(%s): rc %d: %s", line, id, rc,
                psvc_errmsg(ctx));
  return s;
}

static const char *status_name(int st) {
  const char *n = psvc_enum_name(PSVC_DOM_SLA_STATUS, st);
  return n ? n : "?";
}

/* Every field of a psvc_sla. */
static void expect_sla(int line, const psvc_sla *s, int metric, int status, psvc_time started,
                       psvc_time deadline, psvc_time stopped, int64_t limit, int64_t elapsed,
                       int64_t remaining, int level, int cycle, int ever) {
  ck_assert_msg(s->metric == metric, "line %d: metric %d, want %d", line, s->metric, metric);
  ck_assert_msg(s->status == status, "line %d: status %s, want %s", line,
                status_name(s->status), status_name(status));
  ck_assert_msg(s->started_at == started, "line %d: started_at %lld, want %lld (T0%+lld)", line,
                (long long)s->started_at, (long long)started, (long long)(started - T0));
  ck_assert_msg(s->deadline == deadline, "line %d: deadline %lld, want %lld", line,
                (long long)s->deadline, (long long)deadline);
  ck_assert_msg(s->stopped_at == stopped, "line %d: stopped_at %lld, want %lld", line,
                (long long)s->stopped_at, (long long)stopped);
  ck_assert_msg(s->limit_s == limit, "line %d: limit_s %lld, want %lld", line,
                (long long)s->limit_s, (long long)limit);
  ck_assert_msg(s->elapsed_s == elapsed, "line %d: elapsed_s %lld, want %lld", line,
                (long long)s->elapsed_s, (long long)elapsed);
  ck_assert_msg(s->remaining_s == remaining, "line %d: remaining_s %lld, want %lld", line,
                (long long)s->remaining_s, (long long)remaining);
  ck_assert_msg(s->level == level, "line %d: level %d, want %d", line, s->level, level);
  ck_assert_msg(s->cycle == cycle, "line %d: cycle %d, want %d", line, s->cycle, cycle);
  ck_assert_msg(s->ever_breached == ever, "line %d: ever_breached %d, want %d", line,
                s->ever_breached, ever);
}
#define EXPECT_SLA(s, ...) expect_sla(__LINE__, &(s), __VA_ARGS__)

/* The ANSWER clock of a call that arrived at `arr`, with the default limit
   (12 s): stopped at `stop` (the answer or the hang-up). */
#define EXPECT_ANSWER(id, arr, stop, status, level)                            \
  do {                                                                         \
    psvc_sla s_ = call_sla(__LINE__, CTX, id);                                 \
    int64_t el_ = (stop) - (arr);                                              \
    expect_sla(__LINE__, &s_, PSVC_METRIC_ANSWER, status, arr, (arr) + 12, stop, 12, el_, \
               12 - el_, level, 1, (status) == PSVC_SLA_BREACHED);            \
  } while (0)

static char *xs(size_t n) {
  char *s = malloc(n + 1);
  ck_assert_ptr_nonnull(s);
  memset(s, 'x', n);
  s[n] = 0;
  return s;
}

/* ======================================================================================= */
/* psvc_call_record: the checks, in the documented order                                   */
/* ======================================================================================= */

START_TEST(test_record_null_ctx_einval) {
  ck_assert_int_eq(psvc_call_record(NULL, "C-1", T0, T0 + 1, T0 + 2, NULL, NULL), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "psvc_call_record"));
  psvc_sla s = PSVC_SLA_INIT;
  ck_assert_int_eq(psvc_call_sla(NULL, "C-1", &s), PSVC_EINVAL);
  ck_assert_str_ne(psvc_errmsg(NULL), "");
}
END_TEST

START_TEST(test_record_bad_ids_einval) {
  char *long_id = xs(65);
  const char *bad[] = {"", "C 1", "C/1", "C\xc3\xa9", long_id};
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, NULL, T0, T0 + 1, T0 + 2, NULL, NULL));
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    REFUSED(PSVC_EINVAL, psvc_call_record(CTX, bad[i], T0, T0 + 1, T0 + 2, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(LAST_MSG, "call id"));
    REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", T0, T0 + 1, T0 + 2, bad[i], NULL));
    ck_assert_ptr_nonnull(strstr(LAST_MSG, "agent id"));
    REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", T0, T0 + 1, T0 + 2, NULL, bad[i]));
    ck_assert_ptr_nonnull(strstr(LAST_MSG, "order id"));
  }
  /* a 64-byte id is fine */
  char *id64 = xs(64);
  MUST(CTX, psvc_call_record(CTX, id64, T0, T0 + 1, T0 + 2, id64, NULL));
  free(id64);
  free(long_id);
}
END_TEST

/* T-2: an unanswered call produced no order (checked before the times and
   before looking the order up). */
START_TEST(test_T2_abandoned_call_naming_an_order_einval) {
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", T0, 0, T0 + 30, NULL, "O-1"));
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "abandoned"));
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", T0, 0, T0 + 30, "agent.01", "NO-SUCH"));
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", T0, 0, T0 - 30, NULL, "O-1"));
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", -5, 0, TIME_MAX + 1, NULL, "O-1"));
  /* the same call without the order is fine */
  RECORD_OK(CTX, "C-1", T0, 0, T0 + 30, NULL, NULL);
}
END_TEST

START_TEST(test_record_time_outside_1970_9999_erange) {
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", -1, 0, 0, NULL, NULL));
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", -1, T0, T0, NULL, NULL));
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, -1, T0, NULL, NULL));
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, T0, TIME_MAX + 1, NULL, NULL));
  REFUSED(PSVC_ERANGE,
          psvc_call_record(CTX, "C-1", TIME_MAX + 1, TIME_MAX + 1, TIME_MAX + 1, NULL, NULL));
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", INT64_MIN, 0, 0, NULL, NULL));
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, 0, INT64_MAX, NULL, NULL));
  /* both ends of the range are fine */
  RECORD_OK(CTX, "C-1", 0, 0, 0, NULL, NULL);
  RECORD_OK(CTX, "C-2", TIME_MAX, TIME_MAX, TIME_MAX, NULL, NULL);
  RECORD_OK(CTX, "C-3", TIME_MAX - 12, 0, TIME_MAX, NULL, NULL);
  EXPECT_ANSWER("C-1", 0, 0, PSVC_SLA_NOT_APPLICABLE, 0);
  EXPECT_ANSWER("C-2", TIME_MAX, TIME_MAX, PSVC_SLA_MET, 0);
  EXPECT_ANSWER("C-3", TIME_MAX - 12, TIME_MAX, PSVC_SLA_NOT_APPLICABLE, 3);
}
END_TEST

START_TEST(test_record_time_order_erange) {
  /* answered: arrived <= answered <= ended */
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, T0 - 1, T0 + 10, NULL, NULL));
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, T0 + 11, T0 + 10, NULL, NULL));
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, T0 + 5, T0 - 1, NULL, "O-1"));
  /* abandoned: ended not before arrived */
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, 0, T0 - 1, NULL, NULL));
  /* the equal instants are fine */
  RECORD_OK(CTX, "C-1", T0, T0, T0, "agent.01", "O-1");
  RECORD_OK(CTX, "C-2", T0, 0, T0, NULL, NULL);
  EXPECT_ANSWER("C-1", T0, T0, PSVC_SLA_MET, 0);
  EXPECT_ANSWER("C-2", T0, T0, PSVC_SLA_NOT_APPLICABLE, 0);
}
END_TEST

START_TEST(test_record_duplicate_eexist) {
  RECORD_OK(CTX, "C-1", T0, T0 + 5, T0 + 60, "agent.01", "O-1");
  REFUSED(PSVC_EEXIST, psvc_call_record(CTX, "C-1", T0 + 100, T0 + 130, T0 + 160, NULL, NULL));
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "C-1"));
  REFUSED(PSVC_EEXIST, psvc_call_record(CTX, "C-1", T0, T0 + 5, T0 + 60, "agent.01", "O-1"));
  /* the first one is unchanged */
  EXPECT_ANSWER("C-1", T0, T0 + 5, PSVC_SLA_MET, 0);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_CALL), 1);
}
END_TEST

START_TEST(test_record_unknown_order_enotfound) {
  REFUSED(PSVC_ENOTFOUND, psvc_call_record(CTX, "C-1", T0, T0 + 5, T0 + 60, NULL, "O-9"));
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "O-9"));
  REFUSED(PSVC_ENOTFOUND, psvc_call_record(CTX, "C-1", T0, T0 + 5, T0 + 60, NULL, "o-1"));
}
END_TEST

/* When several checks fail, the first in the documented order decides. */
START_TEST(test_record_check_order) {
  RECORD_OK(CTX, "C-1", T0, T0 + 5, T0 + 60, NULL, NULL);
  /* bad id before everything */
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "bad id", -1, 0, -2, NULL, "O-9"));
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", -1, 5, -2, "bad agent", "O-9"));
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", -1, 5, -2, NULL, "bad order"));
  /* abandoned naming an order before the times, the duplicate and the lookup */
  REFUSED(PSVC_EINVAL, psvc_call_record(CTX, "C-1", -1, 0, -2, NULL, "O-9"));
  /* a time out of range before the order of times, the duplicate, the lookup */
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, T0 + 20, TIME_MAX + 1, NULL, "O-9"));
  /* the order of times before the duplicate and the lookup */
  REFUSED(PSVC_ERANGE, psvc_call_record(CTX, "C-1", T0, T0 + 20, T0 + 10, NULL, "O-9"));
  /* the duplicate before the order lookup */
  REFUSED(PSVC_EEXIST, psvc_call_record(CTX, "C-1", T0, T0 + 5, T0 + 60, NULL, "O-9"));
  REFUSED(PSVC_ENOTFOUND, psvc_call_record(CTX, "C-2", T0, T0 + 5, T0 + 60, NULL, "O-9"));
}
END_TEST

/* ======================================================================================= */
/* T-1: the ANSWER clock                                                                    */
/* ======================================================================================= */

START_TEST(test_T1_answer_exactly_12s_is_met) {
  RECORD_OK(CTX, "C-1", T0, T0 + 12, T0 + 300, "agent.01", NULL);
  psvc_sla s = call_sla(__LINE__, CTX, "C-1");
  /* started at arrival, deadline arrival + 12, stopped at the answer, the
     whole limit used (100 %: level 3), nothing left */
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_MET, T0, T0 + 12, T0 + 12, 12, 12, 0, 3, 1, 0);
}
END_TEST

START_TEST(test_T1_answer_13s_is_breached) {
  RECORD_OK(CTX, "C-1", T0, T0 + 13, T0 + 14, NULL, NULL);
  psvc_sla s = call_sla(__LINE__, CTX, "C-1");
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_BREACHED, T0, T0 + 12, T0 + 13, 12, 13, -1, 3, 1,
             1);
}
END_TEST

START_TEST(test_T1_abandoned_after_13s_is_breached) {
  RECORD_OK(CTX, "C-1", T0, 0, T0 + 13, NULL, NULL);
  psvc_sla s = call_sla(__LINE__, CTX, "C-1");
  /* stopped when the caller hung up */
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_BREACHED, T0, T0 + 12, T0 + 13, 12, 13, -1, 3, 1,
             1);
  RECORD_OK(CTX, "C-2", T0, 0, T0 + 600, NULL, NULL);
  s = call_sla(__LINE__, CTX, "C-2");
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_BREACHED, T0, T0 + 12, T0 + 600, 12, 600, -588, 3,
             1, 1);
}
END_TEST

START_TEST(test_T1_abandoned_at_12s_is_not_applicable) {
  RECORD_OK(CTX, "C-1", T0, 0, T0 + 12, NULL, NULL);
  psvc_sla s = call_sla(__LINE__, CTX, "C-1");
  /* the limit was never tested; the wait still reached 100 % */
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_NOT_APPLICABLE, T0, T0 + 12, T0 + 12, 12, 12, 0, 3,
             1, 0);
  RECORD_OK(CTX, "C-2", T0, 0, T0 + 3, "agent.01", NULL);
  s = call_sla(__LINE__, CTX, "C-2");
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_NOT_APPLICABLE, T0, T0 + 12, T0 + 3, 12, 3, 9, 0, 1,
             0);
}
END_TEST

/* The talk time after the answer does not matter. */
START_TEST(test_T1_talk_time_does_not_count) {
  RECORD_OK(CTX, "C-1", T0, T0 + 4, T0 + 4, NULL, NULL);
  RECORD_OK(CTX, "C-2", T0, T0 + 4, T0 + 5 * DAY, NULL, NULL);
  EXPECT_ANSWER("C-1", T0, T0 + 4, PSVC_SLA_MET, 0);
  EXPECT_ANSWER("C-2", T0, T0 + 4, PSVC_SLA_MET, 0);
}
END_TEST

/* Default levels 50 / 80 / 100 % of 12 s: 6 s, 9.6 s, 12 s. */
START_TEST(test_T1_levels_50_80_100) {
  static const struct {
    const char *id;
    int wait, level;
  } v[] = {{"C-1", 0, 0}, {"C-2", 5, 0},  {"C-3", 6, 1},  {"C-4", 9, 1},
           {"C-5", 10, 2}, {"C-6", 11, 2}, {"C-A", 12, 3}, {"C-B", 40, 3}};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    RECORD_OK(CTX, v[i].id, T0, T0 + v[i].wait, T0 + 100, NULL, NULL);
    psvc_sla s = call_sla(__LINE__, CTX, v[i].id);
    ck_assert_msg(s.level == v[i].level, "wait %d s: level %d, want %d", v[i].wait, s.level,
                  v[i].level);
    ck_assert_int_eq(s.status, v[i].wait <= 12 ? PSVC_SLA_MET : PSVC_SLA_BREACHED);
  }
  /* abandoned calls reach levels the same way */
  RECORD_OK(CTX, "C-X", T0, 0, T0 + 10, NULL, NULL);
  ck_assert_int_eq(call_sla(__LINE__, CTX, "C-X").level, 2);
}
END_TEST

/* A PSVC_METRIC_ANSWER policy with order type 0 and area 0 sets the limit,
   for calls recorded before and after it. */
START_TEST(test_T1_policy_override_changes_the_limit) {
  RECORD_OK(CTX, "C-1", T0, T0 + 13, T0 + 60, NULL, NULL);
  EXPECT_ANSWER("C-1", T0, T0 + 13, PSVC_SLA_BREACHED, 3);
  MUST(CTX, psvc_policy_set(CTX, PSVC_METRIC_ANSWER, 0, 0, PSVC_CLOCK_WALL, 20, NULL));
  RECORD_OK(CTX, "C-2", T0, T0 + 20, T0 + 60, NULL, NULL);
  RECORD_OK(CTX, "C-3", T0, T0 + 21, T0 + 60, NULL, NULL);
  RECORD_OK(CTX, "C-4", T0, 0, T0 + 20, NULL, NULL);
  RECORD_OK(CTX, "C-5", T0, 0, T0 + 21, NULL, NULL);
  psvc_sla s = call_sla(__LINE__, CTX, "C-1"); /* 13 s of 20: 65 % -> level 1 */
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_MET, T0, T0 + 20, T0 + 13, 20, 13, 7, 1, 1, 0);
  s = call_sla(__LINE__, CTX, "C-2");
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_MET, T0, T0 + 20, T0 + 20, 20, 20, 0, 3, 1, 0);
  s = call_sla(__LINE__, CTX, "C-3");
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_BREACHED, T0, T0 + 20, T0 + 21, 20, 21, -1, 3, 1,
             1);
  s = call_sla(__LINE__, CTX, "C-4");
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_NOT_APPLICABLE, T0, T0 + 20, T0 + 20, 20, 20, 0, 3,
             1, 0);
  s = call_sla(__LINE__, CTX, "C-5");
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_BREACHED, T0, T0 + 20, T0 + 21, 20, 21, -1, 3, 1, 1);
  /* switching the profile drops the override: back to 12 s */
  MUST(CTX, psvc_policy_profile(CTX, "sgcc"));
  EXPECT_ANSWER("C-1", T0, T0 + 13, PSVC_SLA_BREACHED, 3);
}
END_TEST

/* Only order type 0 and area 0 count for calls (a call has neither). */
START_TEST(test_T1_specific_policy_does_not_apply_to_calls) {
  RECORD_OK(CTX, "C-1", T0, T0 + 13, T0 + 60, NULL, NULL);
  MUST(CTX, psvc_policy_set(CTX, PSVC_METRIC_ANSWER, PSVC_ORDER_FAULT_REPAIR, 0,
                            PSVC_CLOCK_WALL, 60, NULL));
  MUST(CTX, psvc_policy_set(CTX, PSVC_METRIC_ANSWER, 0, PSVC_AREA_RURAL, PSVC_CLOCK_WALL, 60,
                            NULL));
  EXPECT_ANSWER("C-1", T0, T0 + 13, PSVC_SLA_BREACHED, 3);
}
END_TEST

/* psvc_policy_define sets the ANSWER levels too. */
START_TEST(test_T1_policy_levels) {
  psvc_policy p = PSVC_POLICY_INIT;
  p.metric = PSVC_METRIC_ANSWER;
  p.clock = PSVC_CLOCK_WALL;
  p.limit = 20;
  p.levels[0] = 25;
  p.levels[1] = 50;
  MUST(CTX, psvc_policy_define(CTX, &p));
  static const struct {
    const char *id;
    int wait, level;
  } v[] = {{"C-1", 4, 0}, {"C-2", 5, 1}, {"C-3", 10, 2}, {"C-4", 20, 2}, {"C-5", 30, 2}};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    RECORD_OK(CTX, v[i].id, T0, T0 + v[i].wait, T0 + 100, NULL, NULL);
    psvc_sla s = call_sla(__LINE__, CTX, v[i].id);
    ck_assert_msg(s.level == v[i].level, "wait %d s: level %d, want %d", v[i].wait, s.level,
                  v[i].level);
    ck_assert_int_eq(s.limit_s, 20);
  }
}
END_TEST

START_TEST(test_call_sla_arguments) {
  RECORD_OK(CTX, "C-1", T0, T0 + 5, T0 + 60, NULL, NULL);
  psvc_sla s = PSVC_SLA_INIT;
  s.status = 77;
  ck_assert_int_eq(psvc_call_sla(CTX, NULL, &s), PSVC_EINVAL);
  ck_assert_int_eq(psvc_call_sla(CTX, "bad id", &s), PSVC_EINVAL);
  ck_assert_int_eq(psvc_call_sla(CTX, "C-1", NULL), PSVC_EINVAL);
  s.size = sizeof s - 1;
  ck_assert_int_eq(psvc_call_sla(CTX, "C-1", &s), PSVC_EINVAL);
  s.size = 0;
  ck_assert_int_eq(psvc_call_sla(CTX, "C-1", &s), PSVC_EINVAL);
  ck_assert_str_ne(psvc_errmsg(CTX), "");
  s.size = sizeof s;
  ck_assert_int_eq(psvc_call_sla(CTX, "C-2", &s), PSVC_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "C-2"));
  ck_assert_int_eq(s.status, 77); /* written on success only */
  /* an order id is not a call id */
  ck_assert_int_eq(psvc_call_sla(CTX, "O-1", &s), PSVC_ENOTFOUND);
  ck_assert_int_eq(psvc_call_sla(CTX, "C-1", &s), PSVC_OK);
  ck_assert_int_eq(s.status, PSVC_SLA_MET);
}
END_TEST

/* ======================================================================================= */
/* T-2: the DISPATCH clock of the order a call produced                                     */
/* ======================================================================================= */

/* A call that ended during the order's life moves the start of its
   DISPATCH clock from the acceptance to the end of the call. */
START_TEST(test_T2_dispatch_clock_starts_at_call_end) {
  /* O-1 accepted at T0 during the call (arrived T0-30, answered T0-20,
     ended T0+100); dispatched at T0+250: 150 s after the call */
  RECORD_OK(CTX, "C-1", T0 - 30, T0 - 20, T0 + 100, "agent.01", "O-1");
  dispatch(CTX, "O-1", T0 + 250);
  psvc_sla s = order_sla(__LINE__, CTX, "O-1", T0 + 1000);
  /* 150 of 180 s: 83 % -> level 2 */
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_MET, T0 + 100, T0 + 280, T0 + 250, 180, 150, 30,
             2, 1, 0);
  /* the same dispatch without the call: 250 s from acceptance, breached */
  dispatch(CTX, "O-2", T0 + 250);
  s = order_sla(__LINE__, CTX, "O-2", T0 + 1000);
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_BREACHED, T0, T0 + 180, T0 + 250, 180, 250, -70,
             3, 1, 1);
}
END_TEST

/* Of the calls naming an order, the one that arrived first produced it,
   whatever order they were recorded in. */
START_TEST(test_T2_earliest_arrival_wins_whatever_the_recording_order) {
  /* C-B arrived first (T0-100) but ended last (T0+150); C-A arrived later
     (T0-10) and ended at T0+60. C-A is recorded first. */
  RECORD_OK(CTX, "C-A", T0 - 10, T0 - 5, T0 + 60, NULL, "O-1");
  RECORD_OK(CTX, "C-B", T0 - 100, T0 - 90, T0 + 150, NULL, "O-1");
  /* on O-2, the same two in the other recording order */
  RECORD_OK(CTX, "C-Y", T0 - 100, T0 - 90, T0 + 150, NULL, "O-2");
  RECORD_OK(CTX, "C-Z", T0 - 10, T0 - 5, T0 + 60, NULL, "O-2");
  dispatch(CTX, "O-1", T0 + 200);
  dispatch(CTX, "O-2", T0 + 200);
  for (int i = 0; i < 2; i++) {
    psvc_sla s = order_sla(__LINE__, CTX, i ? "O-2" : "O-1", T0 + 1000);
    /* from the first arrival's end: 50 s (the other call's would give 140 s) */
    EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_MET, T0 + 150, T0 + 330, T0 + 200, 180, 50, 130,
               0, 1, 0);
  }
}
END_TEST

/* Same arrival: the smaller id produced the order. */
START_TEST(test_T2_same_arrival_smallest_id_wins) {
  /* recorded first, ends last */
  RECORD_OK(CTX, "C-Y", T0 - 60, T0 - 50, T0 + 90, NULL, "O-1");
  RECORD_OK(CTX, "C-X", T0 - 60, T0 - 55, T0 + 70, NULL, "O-1");
  RECORD_OK(CTX, "C-Z", T0 - 60, T0 - 59, T0 + 5, NULL, "O-1"); /* ends first */
  dispatch(CTX, "O-1", T0 + 100);
  psvc_sla s = order_sla(__LINE__, CTX, "O-1", T0 + 1000);
  /* C-X ended at T0+70: 30 s */
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_MET, T0 + 70, T0 + 250, T0 + 100, 180, 30, 150, 0,
             1, 0);
}
END_TEST

/* A dispatch made during the call took no time. */
START_TEST(test_T2_dispatch_during_the_call_is_elapsed_zero) {
  RECORD_OK(CTX, "C-1", T0 - 30, T0 - 25, T0 + 300, "agent.01", "O-1");
  dispatch(CTX, "O-1", T0 + 100);
  for (psvc_time now = T0 + 100; now <= T0 + 1000; now += 200) {
    psvc_sla s = order_sla(__LINE__, CTX, "O-1", now);
    ck_assert_msg(s.status == PSVC_SLA_MET, "now T0%+lld: %s", (long long)(now - T0),
                  status_name(s.status));
    ck_assert_int_eq(s.elapsed_s, 0);
    ck_assert_int_eq(s.remaining_s, 180);
    ck_assert_int_eq(s.stopped_at, T0 + 100);
    ck_assert_int_eq(s.limit_s, 180);
    ck_assert_int_eq(s.level, 0);
    ck_assert_int_eq(s.ever_breached, 0);
    ck_assert_int_le(s.started_at, s.stopped_at);
  }
  /* dispatched at the very instant the call ended: still no time */
  RECORD_OK(CTX, "C-2", T0 - 30, T0 - 25, T0 + 300, NULL, "O-2");
  dispatch(CTX, "O-2", T0 + 300);
  psvc_sla s = order_sla(__LINE__, CTX, "O-2", T0 + 1000);
  ck_assert_int_eq(s.status, PSVC_SLA_MET);
  ck_assert_int_eq(s.elapsed_s, 0);
}
END_TEST

/* While the call has not ended at `now` the clock is PENDING. */
START_TEST(test_T2_pending_while_the_call_has_not_ended) {
  RECORD_OK(CTX, "C-1", T0 - 30, T0 - 25, T0 + 300, "agent.01", "O-1");
  psvc_sla s = order_sla(__LINE__, CTX, "O-1", T0 + 299);
  ck_assert_msg(s.status == PSVC_SLA_PENDING, "status %s", status_name(s.status));
  ck_assert_int_eq(s.metric, PSVC_METRIC_DISPATCH);
  ck_assert_int_eq(s.cycle, 1);
  ck_assert_int_eq(s.ever_breached, 0);
  s = order_sla(__LINE__, CTX, "O-1", T0);
  ck_assert_int_eq(s.status, PSVC_SLA_PENDING);
  /* from the end of the call it runs */
  s = order_sla(__LINE__, CTX, "O-1", T0 + 300);
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_RUNNING, T0 + 300, T0 + 480, 0, 180, 0, 180, 0, 1,
             0);
  s = order_sla(__LINE__, CTX, "O-1", T0 + 480);
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_AT_RISK, T0 + 300, T0 + 480, 0, 180, 180, 0, 3, 1,
             0);
  s = order_sla(__LINE__, CTX, "O-1", T0 + 481);
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_BREACHED, T0 + 300, T0 + 480, 0, 180, 181, -1, 3,
             1, 1);
}
END_TEST

/* An order without a call runs the clock from its acceptance; calls on
   other orders and calls without an order change nothing. */
START_TEST(test_T2_order_without_a_call_starts_at_acceptance) {
  RECORD_OK(CTX, "C-1", T0 - 30, T0 - 25, T0 + 300, NULL, "O-2");
  RECORD_OK(CTX, "C-2", T0 - 30, T0 - 25, T0 + 400, NULL, NULL);
  RECORD_OK(CTX, "C-3", T0 - 30, 0, T0 + 400, NULL, NULL);
  dispatch(CTX, "O-1", T0 + 100);
  psvc_sla s = order_sla(__LINE__, CTX, "O-1", T0 + 1000);
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_MET, T0, T0 + 180, T0 + 100, 180, 100, 80, 1, 1,
             0);
  s = order_sla(__LINE__, CTX, "O-1", T0 + 50);
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_RUNNING, T0, T0 + 180, 0, 180, 50, 130, 0, 1, 0);
}
END_TEST

/* An order entered after the caller hung up still runs from the end of
   the call: entering the order is part of T-2 (docs/reports.md). Regression:
   lib/sla.c call_start() once skipped a call that ended at or before the
   order's acceptance (`end <= cy->start`) and ran the clock from the
   acceptance (100 s, MET, here). */
START_TEST(test_T2_order_entered_after_the_call_runs_from_the_call_end) {
  open_order(CTX, "O-3", T0 + 100); /* entered 100 s after the call ended */
  RECORD_OK(CTX, "C-1", T0 - 60, T0 - 55, T0, "agent.01", "O-3");
  dispatch(CTX, "O-3", T0 + 200);
  psvc_sla s = order_sla(__LINE__, CTX, "O-3", T0 + 1000);
  /* from the end of the call: 200 s, over the 180 s limit */
  EXPECT_SLA(s, PSVC_METRIC_DISPATCH, PSVC_SLA_BREACHED, T0, T0 + 180, T0 + 200, 180, 200, -20,
             3, 1, 1);
}
END_TEST

/* ======================================================================================= */
/* storage                                                                                  */
/* ======================================================================================= */

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
static void rb_bytes(rec_buf *r, unsigned tag, const void *p, size_t len) {
  rb_varint(r, (uint64_t)tag << 3 | 2);
  rb_varint(r, len);
  ck_assert_uint_le(r->n + len, sizeof r->b);
  memcpy(r->b + r->n, p, len);
  r->n += len;
}
static void rb_str(rec_buf *r, unsigned tag, const char *s) { rb_bytes(r, tag, s, strlen(s)); }

/* The CALL record of docs/storage.md: tags 1 id, 2 arrived, 3 answered,
   4 ended (zigzag), 5 agent, 6 order; zero fields omitted. */
static void call_rec(rec_buf *r, const char *id, psvc_time arr, psvc_time ans, psvc_time end,
                     const char *agent, const char *order) {
  rb_start(r, PSVC_REC_CALL);
  if (id)
    rb_str(r, 1, id);
  if (arr)
    rb_sint(r, 2, arr);
  if (ans)
    rb_sint(r, 3, ans);
  if (end)
    rb_sint(r, 4, end);
  if (agent)
    rb_str(r, 5, agent);
  if (order)
    rb_str(r, 6, order);
}

static void expect_record(int line, const fault_mem *m, const char *key, const rec_buf *want) {
  const fault_rec *r = fault_mem_raw_get(m, PSVC_REC_CALL, key);
  ck_assert_msg(r != NULL, "line %d: no CALL record '%s'", line, key);
  ck_assert_msg(r->len == want->n && memcmp(r->data, want->b, want->n) == 0,
                "line %d: CALL record '%s' differs from docs/storage.md (%zu bytes, want %zu)",
                line, key, r->len, want->n);
}

START_TEST(test_storage_call_record_layout) {
  long puts0 = M->puts, begins0 = M->begins;
  RECORD_OK(CTX, "C-1", T0, T0 + 7, T0 + 300, "agent.01", "O-1");
  RECORD_OK(CTX, "C-2", T0 + 5, 0, T0 + 9, NULL, NULL);
  /* one transaction with one put per call */
  ck_assert_int_eq(M->puts - puts0, 2);
  ck_assert_int_eq(M->begins - begins0, 2);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_CALL), 2);
  rec_buf want;
  call_rec(&want, "C-1", T0, T0 + 7, T0 + 300, "agent.01", "O-1");
  expect_record(__LINE__, M, "C-1", &want);
  call_rec(&want, "C-2", T0 + 5, 0, T0 + 9, NULL, NULL); /* no answered, agent, order */
  expect_record(__LINE__, M, "C-2", &want);
  /* the documented bytes of a tiny call: id "c", arrived 1, ended 2 */
  RECORD_OK(CTX, "c", 1, 0, 2, NULL, NULL);
  static const unsigned char tiny[] = {0x01, 0x06, 0x0A, 0x01, 0x63, 0x10, 0x02, 0x20, 0x04};
  const fault_rec *r = fault_mem_raw_get(M, PSVC_REC_CALL, "c");
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(r->len, sizeof tiny);
  ck_assert(memcmp(r->data, tiny, sizeof tiny) == 0);
}
END_TEST

/* Close and reopen on the same store: every clock reads back the same. */
START_TEST(test_storage_reopen_reads_back_the_same) {
  RECORD_OK(CTX, "C-1", T0 - 30, T0 - 20, T0 + 100, "agent.01", "O-1");
  RECORD_OK(CTX, "C-2", T0 - 200, T0 - 150, T0 + 10, "agent.02", "O-1");
  RECORD_OK(CTX, "C-3", T0 + 5, 0, T0 + 40, NULL, NULL);
  RECORD_OK(CTX, "C-4", T0 + 50, 0, T0 + 55, "agent.01", NULL);
  RECORD_OK(CTX, "C-5", T0 - 10, T0 + 3, T0 + 900, NULL, "O-2");
  RECORD_OK(CTX, "C-6", T0 + 60, T0 + 60, T0 + 60, NULL, NULL);
  dispatch(CTX, "O-1", T0 + 120);
  char *before = dump(CTX);
  psvc_ctx_close(CTX);
  CTX = open_on(M);
  char *after = dump(CTX);
  ck_assert_msg(strcmp(before, after) == 0, "reopened state differs:\n%s\nvs\n%s", before,
                after);
  /* and the loaded calls still drive the clocks: C-2 arrived first */
  psvc_sla s = order_sla(__LINE__, CTX, "O-1", T0 + 1000);
  ck_assert_int_eq(s.started_at, T0 + 10);
  ck_assert_int_eq(s.elapsed_s, 110);
  s = order_sla(__LINE__, CTX, "O-2", T0 + 800);
  ck_assert_int_eq(s.status, PSVC_SLA_PENDING);
  /* and an id recorded before is still a duplicate */
  REFUSED(PSVC_EEXIST, psvc_call_record(CTX, "C-3", T0, 0, T0, NULL, NULL));
  free(before);
  free(after);
}
END_TEST

/* A store with the base data, and a hand-written CALL record under `key`. */
static fault_mem *corrupt_base(const char *key, const rec_buf *r) {
  fault_mem *m = fault_mem_new();
  psvc_ctx *ctx = open_on(m);
  base(ctx);
  psvc_ctx_close(ctx);
  fault_mem_raw_put(m, PSVC_REC_CALL, key, r->b, r->n);
  m->close_calls = 0;
  return m;
}

/* Opening on m fails with PSVC_ECORRUPT, closes the store and writes
   nothing. Frees m. */
static void expect_corrupt(int line, fault_mem *m, const char *mention) {
  fault_mem *before = fault_mem_snapshot(m);
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  int rc = psvc_ctx_open(&ctx, &s);
  psvc_ctx_close(ctx);
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

/* A hand-written valid record loads, unknown tags are skipped. */
START_TEST(test_storage_handwritten_call_loads) {
  rec_buf r;
  call_rec(&r, "C-9", T0 - 40, T0 - 25, T0 + 60, "agent.07", "O-1");
  rb_uint(&r, 40, 12345); /* an unknown tag of a later version */
  fault_mem *m = corrupt_base("C-9", &r);
  psvc_ctx *ctx = open_on(m);
  psvc_sla s = call_sla(__LINE__, ctx, "C-9");
  EXPECT_SLA(s, PSVC_METRIC_ANSWER, PSVC_SLA_BREACHED, T0 - 40, T0 - 28, T0 - 25, 12, 15, -3, 3,
             1, 1);
  s = order_sla(__LINE__, ctx, "O-1", T0 + 30);
  ck_assert_int_eq(s.status, PSVC_SLA_PENDING); /* the loaded call has not ended */
  psvc_ctx_close(ctx);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_storage_corrupt_call_records) {
  rec_buf r;
  /* answered after ended */
  call_rec(&r, "C-9", T0, T0 + 50, T0 + 40, NULL, NULL);
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* answered before arrived */
  call_rec(&r, "C-9", T0, T0 - 1, T0 + 40, NULL, NULL);
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* abandoned, ended before arrived */
  call_rec(&r, "C-9", T0, 0, T0 - 1, NULL, NULL);
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* an order that is not stored */
  call_rec(&r, "C-9", T0, T0 + 5, T0 + 40, NULL, "O-7");
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "O-7");
  /* an order on an abandoned call */
  call_rec(&r, "C-9", T0, 0, T0 + 40, NULL, "O-1");
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* key and id disagree */
  call_rec(&r, "C-8", T0, T0 + 5, T0 + 40, NULL, NULL);
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* no id */
  call_rec(&r, NULL, T0, T0 + 5, T0 + 40, NULL, NULL);
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* an id with a bad character, an empty agent, a bad order id */
  call_rec(&r, "C 9", T0, T0 + 5, T0 + 40, NULL, NULL);
  expect_corrupt(__LINE__, corrupt_base("C 9", &r), NULL);
  call_rec(&r, "C-9", T0, T0 + 5, T0 + 40, NULL, NULL);
  rb_str(&r, 5, "");
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  call_rec(&r, "C-9", T0, T0 + 5, T0 + 40, NULL, "O/1");
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* a negative time, a time past 9999 */
  call_rec(&r, "C-9", -5, 0, T0, NULL, NULL);
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  call_rec(&r, "C-9", T0, 0, TIME_MAX + 1, NULL, NULL);
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* a known tag twice */
  call_rec(&r, "C-9", T0, 0, T0 + 5, NULL, NULL);
  rb_sint(&r, 2, T0);
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* a time as bytes (wrong wire type) */
  call_rec(&r, "C-9", T0, 0, T0 + 5, NULL, NULL);
  r.n = 0;
  rb_start(&r, PSVC_REC_CALL);
  rb_str(&r, 1, "C-9");
  rb_str(&r, 2, "12");
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  /* wrong version and kind bytes, a truncated record */
  call_rec(&r, "C-9", T0, 0, T0 + 5, NULL, NULL);
  r.b[0] = 2;
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  call_rec(&r, "C-9", T0, 0, T0 + 5, NULL, NULL);
  r.b[1] = PSVC_REC_NOTICE;
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  call_rec(&r, "C-9", T0, 0, T0 + 5, NULL, NULL);
  r.n -= 1;
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
  r.n = 1;
  expect_corrupt(__LINE__, corrupt_base("C-9", &r), "C-9");
}
END_TEST

/* ======================================================================================= */
/* transactions                                                                             */
/* ======================================================================================= */

static void txn_rollback_case(psvc_ctx *ctx, fault_mem *m) {
  RECORD_OK(ctx, "C-1", T0 - 30, T0 - 20, T0 + 100, "agent.01", "O-1");
  char *before = dump(ctx);
  size_t stored = m ? fault_mem_count(m, PSVC_REC_CALL) : 0;
  MUST(ctx, psvc_ctx_begin(ctx));
  RECORD_OK(ctx, "C-2", T0 - 100, T0 - 90, T0 + 40, NULL, "O-1"); /* moves O-1's start */
  RECORD_OK(ctx, "C-3", T0 + 1, 0, T0 + 20, NULL, NULL);
  RECORD_OK(ctx, "C-4", T0 - 5, T0, T0 + 500, NULL, "O-2");
  ck_assert_int_eq(psvc_call_record(ctx, "C-1", T0, 0, T0, NULL, NULL), PSVC_EEXIST);
  ck_assert_int_eq(psvc_call_record(ctx, "C-3", T0, 0, T0, NULL, NULL), PSVC_EEXIST);
  ck_assert_int_eq(order_sla(__LINE__, ctx, "O-1", T0 + 1000).started_at, T0 + 40);
  MUST(ctx, psvc_ctx_rollback(ctx));
  char *after = dump(ctx);
  ck_assert_msg(strcmp(before, after) == 0, "rollback left:\n%s\nvs\n%s", after, before);
  psvc_sla s = PSVC_SLA_INIT;
  ck_assert_int_eq(psvc_call_sla(ctx, "C-2", &s), PSVC_ENOTFOUND);
  ck_assert_int_eq(order_sla(__LINE__, ctx, "O-1", T0 + 1000).started_at, T0 + 100);
  if (m)
    ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_CALL), stored);
  /* the ids are free again; a committed transaction keeps its calls */
  MUST(ctx, psvc_ctx_begin(ctx));
  RECORD_OK(ctx, "C-2", T0 - 100, T0 - 90, T0 + 40, NULL, "O-1");
  RECORD_OK(ctx, "C-3", T0 + 1, 0, T0 + 20, NULL, NULL);
  MUST(ctx, psvc_ctx_commit(ctx));
  ck_assert_int_eq(order_sla(__LINE__, ctx, "O-1", T0 + 1000).started_at, T0 + 40);
  ck_assert_int_eq(call_sla(__LINE__, ctx, "C-3").status, PSVC_SLA_BREACHED);
  if (m)
    ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_CALL), stored + 2);
  free(before);
  free(after);
}

START_TEST(test_txn_rollback_with_a_store) {
  txn_rollback_case(CTX, M);
  /* and what was committed reads back after a reopen */
  char *before = dump(CTX);
  psvc_ctx_close(CTX);
  CTX = open_on(M);
  char *after = dump(CTX);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
}
END_TEST

START_TEST(test_txn_rollback_without_a_store) {
  psvc_ctx *ctx = NULL;
  MUST(ctx, psvc_ctx_open(&ctx, NULL));
  base(ctx);
  txn_rollback_case(ctx, NULL);
  psvc_ctx_close(ctx);
}
END_TEST

/* A store failure inside a transaction rolls the whole transaction back. */
START_TEST(test_txn_store_failure_rolls_everything_back) {
  fault_mem *m = fault_mem_new();
  psvc_store s;
  fault_wrap w;
  fault_mem_store(m, &s);
  fault_wrap_init(&w, &s);
  fault_wrap_store(&w, &s);
  psvc_ctx *ctx = NULL;
  MUST(ctx, psvc_ctx_open(&ctx, &s));
  base(ctx);
  char *before = dump(ctx);
  MUST(ctx, psvc_ctx_begin(ctx));
  RECORD_OK(ctx, "C-1", T0 - 30, T0 - 20, T0 + 100, NULL, "O-1");
  fault_wrap_arm(&w, 1); /* the next put */
  ck_assert_int_eq(psvc_call_record(ctx, "C-2", T0, 0, T0 + 5, NULL, NULL), PSVC_EIO);
  ck_assert(w.rollback_after_failure);
  char *after = dump(ctx);
  ck_assert_msg(strcmp(before, after) == 0, "after the failure:\n%s\nvs\n%s", after, before);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_ESTATE); /* no transaction is open any more */
  psvc_ctx_close(ctx);
  ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_CALL), 0);
  ck_assert_int_eq(m->violations, 0);
  free(before);
  free(after);
  fault_mem_free(m);
}
END_TEST

/* ======================================================================================= */
/* fault injection                                                                          */
/* ======================================================================================= */

/* The workload: calls (answered, abandoned, naming orders, one that moves
   O-1's clock) mixed with order actions. Each step is one mutating call:
   one store transaction with one put. */
enum { STEPS = 7 };

static int step_run(psvc_ctx *ctx, int step) {
  switch (step) {
  case 0: return psvc_call_record(ctx, "C-1", T0 - 30, T0 - 20, T0 + 100, "agent.01", "O-1");
  case 1: return psvc_call_record(ctx, "C-2", T0 + 5, 0, T0 + 40, NULL, NULL);
  case 2:
    return psvc_order_apply(ctx, "O-1", EV(PSVC_ACT_DISPATCH, T0 + 150, "Crew-A", 0, NULL),
                            &AGENT);
  case 3: return psvc_call_record(ctx, "C-3", T0 - 90, T0 - 60, T0 + 20, "agent.02", "O-1");
  case 4: return psvc_call_record(ctx, "C-4", T0 - 5, T0 + 10, T0 + 500, NULL, "O-2");
  case 5:
    return psvc_order_apply(ctx, "O-2", EV(PSVC_ACT_DISPATCH, T0 + 200, "Crew-A", 0, NULL),
                            &AGENT);
  default: return psvc_call_record(ctx, "C-5", T0 + 7, T0 + 30, T0 + 31, NULL, NULL);
  }
}

static int store_scenario(long k, long *calls, char **final) {
  fault_mem *m = fault_mem_new();
  psvc_store s;
  fault_wrap w;
  fault_mem_store(m, &s);
  fault_wrap_init(&w, &s);
  fault_wrap_store(&w, &s);
  psvc_ctx *ctx = NULL;
  MUST(ctx, psvc_ctx_open(&ctx, &s));
  base(ctx);
  fault_wrap_arm(&w, k);
  int failed = 0;
  for (int step = 0; step < STEPS; step++) {
    char *before = dump(ctx);
    fault_mem *mem_before = fault_mem_snapshot(m);
    bool had_failed = w.failed;
    int rc = step_run(ctx, step);
    if (w.failed && !had_failed) {
      failed++;
      ck_assert_msg(rc == PSVC_EIO, "k=%ld step %d: rc %d, want PSVC_EIO", k, step, rc);
      ck_assert_msg(w.rollback_after_failure, "k=%ld step %d: rollback not called", k, step);
      ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "nothing was changed"));
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
      w.fail_at = 0;
      rc = step_run(ctx, step);
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
  ck_assert_int_eq(n, 3 * STEPS); /* begin, put, commit per step */
  for (long k = 1; k <= n; k++) {
    long calls = 0;
    char *final = NULL;
    ck_assert_msg(store_scenario(k, &calls, &final) == 1, "k=%ld: no step failed", k);
    ck_assert_msg(strcmp(reference, final) == 0, "k=%ld: final state differs", k);
    free(final);
  }
  free(reference);
}
END_TEST

static void alloc_same(fault_alloc *fa, psvc_ctx *ctx, const char *before, long k,
                       const char *what) {
  bool paused = fa->paused;
  fa->paused = true;
  char *after = dump_all(ctx);
  fa->paused = paused;
  ck_assert_ptr_nonnull(after);
  ck_assert_msg(strcmp(before, after) == 0, "k=%ld %s: context changed:\n%s\nvs\n%s", k, what,
                before, after);
  free(after);
}

/* The workload under the counting allocator, then the queries and a
   reopen. The call that sees the k-th allocation fail returns ENOMEM and
   changes nothing; it is then retried. */
static int alloc_scenario(fault_alloc *fa, long k, long *count, char **final) {
  fa->paused = true;
  fault_mem *m = fault_mem_new();
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  MUST(ctx, psvc_ctx_open(&ctx, &s));
  base(ctx);
  fa->paused = false;
  fault_alloc_arm(fa, k);
  int failed = 0;
  for (int step = 0; step < STEPS; step++) {
    fa->paused = true;
    char *before = dump(ctx);
    fault_mem *mem_before = fault_mem_snapshot(m);
    fa->paused = false;
    long f0 = fa->failures;
    int rc = step_run(ctx, step);
    if (fa->failures != f0) {
      failed++;
      ck_assert_msg(rc == PSVC_ENOMEM, "k=%ld step %d: rc %d, want PSVC_ENOMEM", k, step, rc);
      alloc_same(fa, ctx, before, k, "step");
      ck_assert_msg(fault_mem_equal(m, mem_before), "k=%ld step %d: store changed", k, step);
      rc = step_run(ctx, step);
    }
    ck_assert_msg(rc == PSVC_OK, "k=%ld step %d: rc %d (%s)", k, step, rc, psvc_errmsg(ctx));
    fa->paused = true;
    free(before);
    fault_mem_free(mem_before);
    fa->paused = false;
  }
  /* queries: the out-parameter is untouched on failure */
  fa->paused = true;
  char *before = dump(ctx);
  fa->paused = false;
  for (int q = 0; q < 3; q++) {
    psvc_sla sl = PSVC_SLA_INIT;
    sl.status = 99;
    long f0 = fa->failures;
    int rc = q == 0   ? psvc_call_sla(ctx, "C-3", &sl)
             : q == 1 ? psvc_order_sla(ctx, "O-1", PSVC_METRIC_DISPATCH, T0 + 1000, &sl)
                      : psvc_call_sla(ctx, "C-9", &sl);
    if (fa->failures != f0) {
      failed++;
      ck_assert_int_eq(rc, PSVC_ENOMEM);
      ck_assert_int_eq(sl.status, 99);
      alloc_same(fa, ctx, before, k, "query");
      sl.status = 99;
      rc = q == 0   ? psvc_call_sla(ctx, "C-3", &sl)
           : q == 1 ? psvc_order_sla(ctx, "O-1", PSVC_METRIC_DISPATCH, T0 + 1000, &sl)
                    : psvc_call_sla(ctx, "C-9", &sl);
    }
    ck_assert_int_eq(rc, q == 2 ? PSVC_ENOTFOUND : PSVC_OK);
    if (q == 0) /* C-3 waited 30 s */
      ck_assert_int_eq(sl.status, PSVC_SLA_BREACHED);
    if (q == 1) /* from C-3's end (T0+20) to the dispatch (T0+150) */
      ck_assert_int_eq(sl.elapsed_s, 130);
  }
  /* a transaction without a store would snapshot: here with a store, begin
     and rollback reload the calls from it */
  long f0 = fa->failures;
  int rc = psvc_ctx_begin(ctx);
  if (fa->failures != f0) {
    failed++;
    ck_assert_int_eq(rc, PSVC_ENOMEM);
    rc = psvc_ctx_begin(ctx);
  }
  MUST(ctx, rc);
  f0 = fa->failures;
  rc = psvc_call_record(ctx, "C-T", T0, 0, T0 + 1, NULL, NULL);
  if (fa->failures != f0) {
    failed++;
    ck_assert_int_eq(rc, PSVC_ENOMEM);
    rc = psvc_call_record(ctx, "C-T", T0, 0, T0 + 1, NULL, NULL);
  }
  MUST(ctx, rc);
  f0 = fa->failures;
  rc = psvc_ctx_rollback(ctx);
  if (fa->failures != f0) {
    /* a reload that runs out of memory: the context must be closed */
    failed++;
    ck_assert_int_eq(rc, PSVC_ENOMEM);
    fa->paused = true;
    psvc_ctx_close(ctx);
    ctx = NULL;
    fa->paused = false;
  } else {
    MUST(ctx, rc);
    alloc_same(fa, ctx, before, k, "rollback");
    psvc_ctx_close(ctx);
    ctx = NULL;
  }
  /* reopen on the populated store */
  fault_mem *mem_before = NULL;
  fa->paused = true;
  mem_before = fault_mem_snapshot(m);
  fa->paused = false;
  m->close_calls = 0;
  f0 = fa->failures;
  rc = psvc_ctx_open(&ctx, &s);
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
  ck_assert_int_gt(n, STEPS);
  for (long k = 1; k <= n; k++) {
    long count = 0;
    char *final = NULL;
    ck_assert_msg(alloc_scenario(&fa, k, &count, &final) == 1, "k=%ld: no call saw the failure",
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

/* Recording without a store under allocation failure: same three facts. */
START_TEST(test_fault_alloc_without_a_store) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  for (long k = 1;; k++) {
    fa.paused = true;
    psvc_ctx *ctx = NULL;
    MUST(ctx, psvc_ctx_open(&ctx, NULL));
    base(ctx);
    char *before = dump(ctx);
    fa.paused = false;
    fault_alloc_arm(&fa, k);
    long f0 = fa.failures;
    int rc = psvc_call_record(ctx, "C-1", T0 - 30, T0 - 20, T0 + 100, "agent.01", "O-1");
    bool hit = fa.failures != f0;
    fa.paused = true;
    if (hit) {
      ck_assert_int_eq(rc, PSVC_ENOMEM);
      char *after = dump(ctx);
      ck_assert_str_eq(before, after);
      free(after);
    } else {
      MUST(ctx, rc);
    }
    free(before);
    psvc_ctx_close(ctx);
    ck_assert_int_eq(fa.live_blocks, 0);
    fa.paused = false;
    if (!hit)
      break;
  }
  FAULT_ALLOC_END(&fa);
}
END_TEST

/* ======================================================================================= */

static Suite *call_suite(void) {
  Suite *s = suite_create("call");
  TCase *tc = tcase_create("record");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_record_null_ctx_einval);
  tcase_add_test(tc, test_record_bad_ids_einval);
  tcase_add_test(tc, test_T2_abandoned_call_naming_an_order_einval);
  tcase_add_test(tc, test_record_time_outside_1970_9999_erange);
  tcase_add_test(tc, test_record_time_order_erange);
  tcase_add_test(tc, test_record_duplicate_eexist);
  tcase_add_test(tc, test_record_unknown_order_enotfound);
  tcase_add_test(tc, test_record_check_order);
  suite_add_tcase(s, tc);

  tc = tcase_create("answer");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_T1_answer_exactly_12s_is_met);
  tcase_add_test(tc, test_T1_answer_13s_is_breached);
  tcase_add_test(tc, test_T1_abandoned_after_13s_is_breached);
  tcase_add_test(tc, test_T1_abandoned_at_12s_is_not_applicable);
  tcase_add_test(tc, test_T1_talk_time_does_not_count);
  tcase_add_test(tc, test_T1_levels_50_80_100);
  tcase_add_test(tc, test_T1_policy_override_changes_the_limit);
  tcase_add_test(tc, test_T1_specific_policy_does_not_apply_to_calls);
  tcase_add_test(tc, test_T1_policy_levels);
  tcase_add_test(tc, test_call_sla_arguments);
  suite_add_tcase(s, tc);

  tc = tcase_create("dispatch");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_T2_dispatch_clock_starts_at_call_end);
  tcase_add_test(tc, test_T2_earliest_arrival_wins_whatever_the_recording_order);
  tcase_add_test(tc, test_T2_same_arrival_smallest_id_wins);
  tcase_add_test(tc, test_T2_dispatch_during_the_call_is_elapsed_zero);
  tcase_add_test(tc, test_T2_pending_while_the_call_has_not_ended);
  tcase_add_test(tc, test_T2_order_without_a_call_starts_at_acceptance);
  tcase_add_test(tc, test_T2_order_entered_after_the_call_runs_from_the_call_end);
  suite_add_tcase(s, tc);

  tc = tcase_create("storage");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_storage_call_record_layout);
  tcase_add_test(tc, test_storage_reopen_reads_back_the_same);
  tcase_add_test(tc, test_storage_handwritten_call_loads);
  tcase_add_test(tc, test_storage_corrupt_call_records);
  tcase_add_test(tc, test_txn_rollback_with_a_store);
  tcase_add_test(tc, test_txn_rollback_without_a_store);
  tcase_add_test(tc, test_txn_store_failure_rolls_everything_back);
  suite_add_tcase(s, tc);

  tc = tcase_create("faults");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_fault_store_every_k);
  tcase_add_test(tc, test_fault_alloc_every_k);
  tcase_add_test(tc, test_fault_alloc_without_a_store);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(call_suite()); }
