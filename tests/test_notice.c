/*
 * test_notice.c — lib/notice.c through the public API: outage notices
 * (rules O-1 ... O-6, T-7 ... T-11), held to the contract in
 * docs/reports.md ("Outage notices") and the NOTICE record of
 * docs/storage.md ("Notices and calls").
 *
 * What it covers:
 *  - psvc_notice_publish: argument checks (NULLs, size, id, kind, unit,
 *    feeder: PSVC_EINVAL; times and window: PSVC_ERANGE) in the documented
 *    order; a refused call changes nothing (customers, every notice's clock,
 *    T-11 list and O-6 lists, the store) and leaves a message;
 *  - NOTICE_LEAD: the lead of each kind at its boundary (T-7 7 days, T-8
 *    24 h, T-9 30 min for the four other kinds), every psvc_sla field;
 *  - re-publication: kind change EINVAL, earlier publication ERANGE, T-10
 *    (earlier start due 1 h before the new start, later end 1 h before the
 *    old end, at the second), postponing / shortening never late, the first
 *    publication and start kept, cycle = 1 + re-publications;
 *  - T-11 psvc_notice_affected and O-6 psvc_notice_active, with boundaries;
 *  - storage: the NOTICE record byte for byte, one record replaced by each
 *    re-publication, reopen reads back the same, corrupt records are
 *    PSVC_ECORRUPT at open;
 *  - transactions: rollback with and without a store;
 *  - fault injection: store failure and allocation failure at every k.
 */
#include "fault.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 FAULT_NOW
#define DAY FAULT_DAY
#define HOUR ((psvc_time)3600)
#define MINUTE ((psvc_time)60)
#define TIME_MAX ((psvc_time)253402300799) /* 9999-12-31T23:59:59Z */

#define LEAD_T7 (7 * DAY)
#define LEAD_T8 (24 * HOUR)
#define LEAD_T9 (30 * MINUTE)

/* The outage window most tests announce: 10 days after T0, 4 hours. */
#define S (T0 + 10 * DAY)
#define E (S + 4 * HOUR)

static const char *const NOTICE_IDS[] = {"N-1", "N-2", "N-3", "N-4", "N-5", "N-6",
                                         "N-7", "N-8", "N-9", "N-X", "N-T"};
#define NNOTICE_IDS (sizeof NOTICE_IDS / sizeof NOTICE_IDS[0])

/* The instants at which the dump lists each customer's active notices. */
static const psvc_time DUMP_NOWS[] = {T0, S - 30 * MINUTE, S, E - 1, E + 30 * MINUTE};
#define NDUMP_NOWS (sizeof DUMP_NOWS / sizeof DUMP_NOWS[0])

static fault_mem *M;
static psvc_ctx *CTX;

static void must(int line, psvc_ctx *ctx, int rc) {
  ck_assert_msg(rc == PSVC_OK, "line %d: rc %d (%s): %s", line, rc, psvc_strerror(rc),
                psvc_errmsg(ctx));
}
#define MUST(ctx, call) must(__LINE__, ctx, (call))

/* ---- fixture: customers on feeders ------------------------------------------------------- */

enum { K_LV, K_HV, K_DEDICATED, K_IMPORTANT };

/* A customer of kind K_* on `feeder` (NULL: none). IMPORTANT ones carry a
   grade and DUAL_SOURCE so that they validate (C-15). */
static void add_customer(psvc_ctx *ctx, const char *id, int kind, const char *feeder) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, id), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_name(c, "Notice test customer"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_DIRECT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_area(c, PSVC_AREA_URBAN), PSVC_OK);
  switch (kind) {
  case K_HV:
    ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_GENERAL_INDUSTRY), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_HV), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_voltage(c, 10000), PSVC_OK);
    break;
  case K_DEDICATED:
    ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_COMMERCIAL), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV | PSVC_SOURCE_DEDICATED_LINE),
                     PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_voltage(c, 380), PSVC_OK);
    break;
  case K_IMPORTANT:
    ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_COMMERCIAL), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV | PSVC_SOURCE_DUAL_SOURCE),
                     PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_voltage(c, 380), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_IMPORTANT), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_importance(c, PSVC_IMPORTANCE_SECOND), PSVC_OK);
    break;
  default:
    ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_RESIDENTIAL), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_voltage(c, 220), PSVC_OK);
    break;
  }
  if (feeder)
    ck_assert_int_eq(psvc_customer_set_feeder(c, feeder), PSVC_OK);
  MUST(ctx, psvc_customer_save(ctx, c));
  psvc_customer_free(c);
}

/* FDR-1: CU-IMP (important, LV), CU-HV, CU-DL (LV, dedicated line),
   CU-LV (ordinary); FDR-2: CU-HV2; FDR-10: CU-IMP10; no feeder: CU-NOF
   (HV). */
static void base(psvc_ctx *ctx) {
  add_customer(ctx, "CU-IMP", K_IMPORTANT, "FDR-1");
  add_customer(ctx, "CU-HV", K_HV, "FDR-1");
  add_customer(ctx, "CU-DL", K_DEDICATED, "FDR-1");
  add_customer(ctx, "CU-LV", K_LV, "FDR-1");
  add_customer(ctx, "CU-HV2", K_HV, "FDR-2");
  add_customer(ctx, "CU-IMP10", K_IMPORTANT, "FDR-10");
  add_customer(ctx, "CU-NOF", K_HV, NULL);
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

static psvc_notice mkn(const char *id, int kind, const char *unit, const char *feeder,
                       psvc_time start, psvc_time end, psvc_time pub) {
  psvc_notice n = PSVC_NOTICE_INIT;
  n.id = id;
  n.kind = kind;
  n.unit = unit;
  n.feeder = feeder;
  n.start = start;
  n.end = end;
  n.published_at = pub;
  return n;
}

#define PUBLISH_OK(ctx, ...)                                                   \
  do {                                                                         \
    psvc_notice n_ = mkn(__VA_ARGS__);                                         \
    MUST(ctx, psvc_notice_publish(ctx, &n_));                                  \
  } while (0)

/* ---- dumps ---------------------------------------------------------------------------------- */

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

static void list_text(text *t, const psvc_list *l) {
  addf(t, "[");
  for (size_t i = 0; i < psvc_list_count(l); i++)
    addf(t, "%s%s", i ? "," : "", psvc_list_id(l, i));
  addf(t, "]\n");
}

/* Customers (fault.c), then for every known notice its clock and T-11
   list, then every customer's O-6 list at DUMP_NOWS. NULL if a call
   failed. */
static char *dump_all(psvc_ctx *ctx) {
  char *b = fault_dump_ctx(ctx);
  if (!b)
    return NULL;
  text t = {0};
  addf(&t, "%s", b);
  free(b);
  for (size_t i = 0; i < NNOTICE_IDS; i++) {
    psvc_sla s = PSVC_SLA_INIT;
    int rc = psvc_notice_sla(ctx, NOTICE_IDS[i], &s);
    if (rc == PSVC_ENOTFOUND) {
      addf(&t, "notice %s absent\n", NOTICE_IDS[i]);
      continue;
    }
    psvc_list *l = NULL;
    if (rc != PSVC_OK || psvc_notice_affected(ctx, NOTICE_IDS[i], &l) != PSVC_OK) {
      free(t.s);
      return NULL;
    }
    addf(&t, "notice %s: ", NOTICE_IDS[i]);
    sla_text(&t, &s);
    addf(&t, "  affected ");
    list_text(&t, l);
    psvc_list_free(l);
  }
  psvc_list *cl = NULL;
  if (psvc_customer_list(ctx, &cl) != PSVC_OK) {
    free(t.s);
    return NULL;
  }
  for (size_t i = 0; i < psvc_list_count(cl); i++)
    for (size_t k = 0; k < NDUMP_NOWS; k++) {
      psvc_list *l = NULL;
      if (psvc_notice_active(ctx, psvc_list_id(cl, i), DUMP_NOWS[k], &l) != PSVC_OK) {
        psvc_list_free(cl);
        free(t.s);
        return NULL;
      }
      addf(&t, "active %s @%lld ", psvc_list_id(cl, i), (long long)DUMP_NOWS[k]);
      list_text(&t, l);
      psvc_list_free(l);
    }
  psvc_list_free(cl);
  return t.s;
}

static char *dump(psvc_ctx *ctx) {
  char *d = dump_all(ctx);
  ck_assert_ptr_nonnull(d);
  return d;
}

static char LAST_MSG[512]; /* the message of the last REFUSED call */

/* `call` on CTX returns `want`, changes nothing (context, notices, lists,
   store) and leaves a message naming `fn`. */
#define REFUSED_FN(fn, want, call)                                             \
  do {                                                                         \
    char *b_ = dump(CTX);                                                      \
    fault_mem *s_ = fault_mem_snapshot(M);                                     \
    long p_ = M->puts, d_ = M->dels, g_ = M->begins;                           \
    int rc_ = (call);                                                          \
    snprintf(LAST_MSG, sizeof LAST_MSG, "%s", psvc_errmsg(CTX));               \
    ck_assert_msg(rc_ == (want), "%s: rc %d (%s), want %d (%s) [%s]", #call, rc_, \
                  psvc_strerror(rc_), (want), psvc_strerror(want), LAST_MSG);  \
    ck_assert_msg(strstr(LAST_MSG, fn) != NULL, "%s: message '%s' does not name %s", #call, \
                  LAST_MSG, fn);                                               \
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

#define REFUSED(want, ...)                                                     \
  do {                                                                         \
    psvc_notice r_ = mkn(__VA_ARGS__);                                         \
    REFUSED_FN("psvc_notice_publish", want, psvc_notice_publish(CTX, &r_));    \
  } while (0)

static const char *status_name(int st) {
  const char *n = psvc_enum_name(PSVC_DOM_SLA_STATUS, st);
  return n ? n : "?";
}

static psvc_sla notice_sla(int line, psvc_ctx *ctx, const char *id) {
  psvc_sla s = PSVC_SLA_INIT;
  int rc = psvc_notice_sla(ctx, id, &s);
  ck_assert_msg(rc == PSVC_OK, "line %d: psvc_notice_sla(%s): rc %d: %s", line, id, rc,
                psvc_errmsg(ctx));
  return s;
}

/* Every field of the NOTICE_LEAD clock. */
static void expect_lead(int line, const psvc_sla *s, int status, psvc_time first_pub,
                        psvc_time first_start, int64_t lead, int cycle) {
  int breached = status == PSVC_SLA_BREACHED;
  ck_assert_msg(s->metric == PSVC_METRIC_NOTICE_LEAD, "line %d: metric %d", line, s->metric);
  ck_assert_msg(s->status == status, "line %d: status %s, want %s", line,
                status_name(s->status), status_name(status));
  ck_assert_msg(s->started_at == first_pub, "line %d: started_at %lld, want %lld", line,
                (long long)s->started_at, (long long)first_pub);
  ck_assert_msg(s->stopped_at == first_start, "line %d: stopped_at %lld, want %lld", line,
                (long long)s->stopped_at, (long long)first_start);
  ck_assert_msg(s->limit_s == lead, "line %d: limit_s %lld, want %lld", line,
                (long long)s->limit_s, (long long)lead);
  ck_assert_msg(s->deadline == first_start - lead, "line %d: deadline %lld, want %lld", line,
                (long long)s->deadline, (long long)(first_start - lead));
  ck_assert_msg(s->elapsed_s == first_start - first_pub, "line %d: elapsed_s %lld, want %lld",
                line, (long long)s->elapsed_s, (long long)(first_start - first_pub));
  ck_assert_msg(s->remaining_s == first_start - lead - first_pub,
                "line %d: remaining_s %lld, want %lld", line, (long long)s->remaining_s,
                (long long)(first_start - lead - first_pub));
  ck_assert_msg(s->level == (breached ? 3 : 0), "line %d: level %d, want %d", line, s->level,
                breached ? 3 : 0);
  ck_assert_msg(s->cycle == cycle, "line %d: cycle %d, want %d", line, s->cycle, cycle);
  ck_assert_msg(s->ever_breached == breached, "line %d: ever_breached %d, want %d", line,
                s->ever_breached, breached);
}
#define EXPECT_LEAD(id, status, first_pub, first_start, lead, cycle)           \
  do {                                                                         \
    psvc_sla s_ = notice_sla(__LINE__, CTX, id);                               \
    expect_lead(__LINE__, &s_, status, first_pub, first_start, lead, cycle);   \
  } while (0)

/* The ids of l, comma-separated, compared with `want`. */
static void expect_list(int line, const psvc_list *l, const char *want) {
  text t = {0};
  addf(&t, "%s", "");
  for (size_t i = 0; i < psvc_list_count(l); i++)
    addf(&t, "%s%s", i ? "," : "", psvc_list_id(l, i));
  ck_assert_msg(strcmp(t.s, want) == 0, "line %d: got [%s], want [%s]", line, t.s, want);
  free(t.s);
}

static void affected_expect(int line, const char *id, const char *want) {
  psvc_list *l = NULL;
  int rc = psvc_notice_affected(CTX, id, &l);
  ck_assert_msg(rc == PSVC_OK, "line %d: affected(%s): rc %d: %s", line, id, rc,
                psvc_errmsg(CTX));
  expect_list(line, l, want);
  psvc_list_free(l);
}
#define AFFECTED(id, want) affected_expect(__LINE__, id, want)

static void active_expect(int line, const char *customer, psvc_time now, const char *want) {
  psvc_list *l = NULL;
  int rc = psvc_notice_active(CTX, customer, now, &l);
  ck_assert_msg(rc == PSVC_OK, "line %d: active(%s): rc %d: %s", line, customer, rc,
                psvc_errmsg(CTX));
  expect_list(line, l, want);
  psvc_list_free(l);
}
#define ACTIVE(customer, now, want) active_expect(__LINE__, customer, now, want)

static char *xs(size_t n) {
  char *s = malloc(n + 1);
  ck_assert_ptr_nonnull(s);
  memset(s, 'x', n);
  s[n] = 0;
  return s;
}

/* ======================================================================================= */
/* psvc_notice_publish: argument checks                                                    */
/* ======================================================================================= */

#define TM PSVC_NOTICE_TEMPORARY_MAINTENANCE

START_TEST(test_publish_null_args_and_size_einval) {
  psvc_notice n = mkn("N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  ck_assert_int_eq(psvc_notice_publish(NULL, &n), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "psvc_notice_publish"));
  REFUSED_FN("psvc_notice_publish", PSVC_EINVAL, psvc_notice_publish(CTX, NULL));
  n.size = sizeof n - 1;
  REFUSED_FN("psvc_notice_publish", PSVC_EINVAL, psvc_notice_publish(CTX, &n));
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "size"));
  n.size = 0;
  REFUSED_FN("psvc_notice_publish", PSVC_EINVAL, psvc_notice_publish(CTX, &n));
  n.size = sizeof n;
  MUST(CTX, psvc_notice_publish(CTX, &n));
}
END_TEST

START_TEST(test_publish_bad_id_einval) {
  char *long_id = xs(65);
  const char *bad[] = {NULL, "", "N 1", "N/1", "N\xc3\xa9", long_id};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    REFUSED(PSVC_EINVAL, bad[i], TM, "Crew-A", "FDR-1", S, E, T0);
    ck_assert_ptr_nonnull(strstr(LAST_MSG, "notice id"));
  }
  char *id64 = xs(64);
  PUBLISH_OK(CTX, id64, TM, "Crew-A", "FDR-1", S, E, T0);
  free(id64);
  free(long_id);
}
END_TEST

START_TEST(test_O1_bad_kind_einval) {
  static const int bad[] = {0, 7, -1, 100, PSVC_NOTICE_PLANNED_MAINTENANCE - 1,
                            PSVC_NOTICE_EMERGENCY + 1};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    REFUSED(PSVC_EINVAL, "N-1", bad[i], "Crew-A", "FDR-1", S, E, T0);
    ck_assert_ptr_nonnull(strstr(LAST_MSG, "kind"));
  }
  /* every O-1 kind is accepted */
  for (int k = PSVC_NOTICE_PLANNED_MAINTENANCE; k <= PSVC_NOTICE_EMERGENCY; k++)
    PUBLISH_OK(CTX, NOTICE_IDS[k - 1], k, "Crew-A", "FDR-1", S, E, T0);
}
END_TEST

START_TEST(test_publish_bad_unit_or_feeder_einval) {
  char *t257 = xs(257);
  char *t256 = xs(256);
  const char *bad[] = {NULL, "a\x01" "b", "tab\there", "\xff\xfe", "a\x7f", "\xc2\x85", t257};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    REFUSED(PSVC_EINVAL, "N-1", TM, bad[i], "FDR-1", S, E, T0);
    ck_assert_ptr_nonnull(strstr(LAST_MSG, "unit"));
    REFUSED(PSVC_EINVAL, "N-1", TM, "Crew-A", bad[i], S, E, T0);
    ck_assert_ptr_nonnull(strstr(LAST_MSG, "feeder"));
  }
  /* 256 bytes and non-ASCII text are fine */
  PUBLISH_OK(CTX, "N-1", TM, t256, t256, S, E, T0);
  PUBLISH_OK(CTX, "N-2", TM, "\xe8\xb0\x83\xe5\xba\xa6\xe5\xae\xa4", "10kV \"West\" line", S, E,
             T0);
  free(t257);
  free(t256);
}
END_TEST

/* An empty unit or feeder is refused (docs/reports.md). Regression: it was
   once accepted, and the NOTICE record it stored (the codec omits empty
   strings) lacked a required field, so the next psvc_ctx_open on the store
   failed with PSVC_ECORRUPT. */
START_TEST(test_publish_empty_unit_or_feeder_einval) {
  REFUSED(PSVC_EINVAL, "N-1", TM, "", "FDR-1", S, E, T0);
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "unit"));
  REFUSED(PSVC_EINVAL, "N-1", TM, "Crew-A", "", S, E, T0);
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "feeder"));
  REFUSED(PSVC_EINVAL, "N-1", TM, "", "", S, E, T0);
  /* nor in a re-publication, and whatever was published reloads */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  REFUSED(PSVC_EINVAL, "N-1", TM, "", "FDR-1", S, E, T0 + 1);
  REFUSED(PSVC_EINVAL, "N-1", TM, "Crew-A", "", S, E, T0 + 1);
  psvc_ctx_close(CTX);
  CTX = open_on(M);
  EXPECT_LEAD("N-1", PSVC_SLA_MET, T0, S, LEAD_T9, 1);
}
END_TEST

START_TEST(test_publish_times_erange) {
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", -1, E, T0);
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", S, TIME_MAX + 1, T0);
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", S, E, -1);
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", S, E, TIME_MAX + 1);
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", INT64_MIN, E, T0);
  /* end <= start */
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", S, S, T0);
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", S, S - 1, T0);
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", TIME_MAX, TIME_MAX, T0);
  /* both ends of the range */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", 0, 1, 0);
  PUBLISH_OK(CTX, "N-2", TM, "Crew-A", "FDR-1", TIME_MAX - 1, TIME_MAX, TIME_MAX);
  EXPECT_LEAD("N-1", PSVC_SLA_BREACHED, 0, 0, LEAD_T9, 1);
  EXPECT_LEAD("N-2", PSVC_SLA_BREACHED, TIME_MAX, TIME_MAX - 1, LEAD_T9, 1);
}
END_TEST

/* The first failing check in the documented order decides. */
START_TEST(test_publish_check_order) {
  REFUSED(PSVC_EINVAL, "bad id", 0, NULL, NULL, -1, -2, -3);
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "notice id"));
  REFUSED(PSVC_EINVAL, "N-1", 0, NULL, NULL, -1, -2, -3);
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "kind"));
  REFUSED(PSVC_EINVAL, "N-1", TM, NULL, NULL, -1, -2, -3);
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "unit"));
  REFUSED(PSVC_EINVAL, "N-1", TM, "Crew-A", NULL, -1, -2, -3);
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "feeder"));
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", S, E, -3);
  /* a re-publication's own checks come after the arguments' */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  REFUSED(PSVC_ERANGE, "N-1", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, S, T0 - 1);
  REFUSED(PSVC_EINVAL, "N-1", 9, "Crew-A", "FDR-1", S, E, T0 - 1);
  /* kind before the publication time */
  REFUSED(PSVC_EINVAL, "N-1", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E, T0 - 1);
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "kind"));
}
END_TEST

/* ======================================================================================= */
/* NOTICE_LEAD: T-7, T-8, T-9                                                              */
/* ======================================================================================= */

START_TEST(test_T7_planned_exactly_7_days_before_is_met) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S, E,
             S - LEAD_T7);
  psvc_sla s = notice_sla(__LINE__, CTX, "N-1");
  ck_assert_int_eq(s.status, PSVC_SLA_MET);
  ck_assert_int_eq(s.remaining_s, 0);
  ck_assert_int_eq(s.elapsed_s, LEAD_T7);
  ck_assert_int_eq(s.deadline, S - LEAD_T7);
  EXPECT_LEAD("N-1", PSVC_SLA_MET, S - LEAD_T7, S, LEAD_T7, 1);
}
END_TEST

START_TEST(test_T7_planned_one_second_short_is_breached) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S, E,
             S - LEAD_T7 + 1);
  psvc_sla s = notice_sla(__LINE__, CTX, "N-1");
  ck_assert_int_eq(s.status, PSVC_SLA_BREACHED);
  ck_assert_int_eq(s.remaining_s, -1);
  ck_assert_int_eq(s.level, 3);
  ck_assert_int_eq(s.ever_breached, 1);
  EXPECT_LEAD("N-1", PSVC_SLA_BREACHED, S - LEAD_T7 + 1, S, LEAD_T7, 1);
}
END_TEST

START_TEST(test_T8_ordered_use_24h_boundary) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_ORDERED_USE, "Marketing", "FDR-1", S, E, S - LEAD_T8);
  PUBLISH_OK(CTX, "N-2", PSVC_NOTICE_ORDERED_USE, "Marketing", "FDR-1", S, E, S - LEAD_T8 + 1);
  EXPECT_LEAD("N-1", PSVC_SLA_MET, S - LEAD_T8, S, LEAD_T8, 1);
  EXPECT_LEAD("N-2", PSVC_SLA_BREACHED, S - LEAD_T8 + 1, S, LEAD_T8, 1);
}
END_TEST

START_TEST(test_T9_30min_for_each_other_kind) {
  static const int kinds[] = {PSVC_NOTICE_TEMPORARY_MAINTENANCE, PSVC_NOTICE_FAULT,
                              PSVC_NOTICE_ARREARS, PSVC_NOTICE_EMERGENCY};
  for (size_t i = 0; i < 4; i++) {
    const char *met = NOTICE_IDS[2 * i], *late = NOTICE_IDS[2 * i + 1];
    PUBLISH_OK(CTX, met, kinds[i], "Crew-A", "FDR-1", S, E, S - LEAD_T9);
    PUBLISH_OK(CTX, late, kinds[i], "Crew-A", "FDR-1", S, E, S - LEAD_T9 + 1);
    EXPECT_LEAD(met, PSVC_SLA_MET, S - LEAD_T9, S, LEAD_T9, 1);
    EXPECT_LEAD(late, PSVC_SLA_BREACHED, S - LEAD_T9 + 1, S, LEAD_T9, 1);
  }
}
END_TEST

/* Every field, spelled out, for a notice with lead to spare. */
START_TEST(test_notice_sla_all_fields) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S, E,
             S - 10 * DAY);
  psvc_sla s = notice_sla(__LINE__, CTX, "N-1");
  ck_assert_int_eq(s.size, sizeof s);
  ck_assert_int_eq(s.metric, PSVC_METRIC_NOTICE_LEAD);
  ck_assert_int_eq(s.status, PSVC_SLA_MET);
  ck_assert_int_eq(s.started_at, S - 10 * DAY);
  ck_assert_int_eq(s.stopped_at, S);
  ck_assert_int_eq(s.deadline, S - 7 * DAY);
  ck_assert_int_eq(s.limit_s, 604800);
  ck_assert_int_eq(s.elapsed_s, 864000);
  ck_assert_int_eq(s.remaining_s, 259200);
  ck_assert_int_eq(s.level, 0);
  ck_assert_int_eq(s.cycle, 1);
  ck_assert_int_eq(s.ever_breached, 0);
}
END_TEST

/* A fault notice published after the outage began gave a negative lead. */
START_TEST(test_T9_published_after_the_start) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E, S + 10 * MINUTE);
  psvc_sla s = notice_sla(__LINE__, CTX, "N-1");
  ck_assert_int_eq(s.status, PSVC_SLA_BREACHED);
  ck_assert_int_eq(s.elapsed_s, -600);
  ck_assert_int_eq(s.remaining_s, -2400);
  EXPECT_LEAD("N-1", PSVC_SLA_BREACHED, S + 10 * MINUTE, S, LEAD_T9, 1);
}
END_TEST

START_TEST(test_notice_sla_arguments) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  psvc_sla s = PSVC_SLA_INIT;
  s.status = 77;
  ck_assert_int_eq(psvc_notice_sla(NULL, "N-1", &s), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_sla(CTX, NULL, &s), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_sla(CTX, "bad id", &s), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_sla(CTX, "N-1", NULL), PSVC_EINVAL);
  s.size = sizeof s - 1;
  ck_assert_int_eq(psvc_notice_sla(CTX, "N-1", &s), PSVC_EINVAL);
  s.size = sizeof s;
  ck_assert_int_eq(psvc_notice_sla(CTX, "N-2", &s), PSVC_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "N-2"));
  ck_assert_int_eq(s.status, 77); /* written on success only */
}
END_TEST

/* ======================================================================================= */
/* re-publication and T-10                                                                 */
/* ======================================================================================= */

START_TEST(test_republish_kind_change_einval) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  REFUSED(PSVC_EINVAL, "N-1", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E, T0 + 1);
  ck_assert_ptr_nonnull(strstr(LAST_MSG, "N-1"));
  REFUSED(PSVC_EINVAL, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Crew-A", "FDR-1", S, E, T0 + 1);
  EXPECT_LEAD("N-1", PSVC_SLA_MET, T0, S, LEAD_T9, 1);
}
END_TEST

START_TEST(test_republish_earlier_publication_erange) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S + HOUR, E, T0 + 100);
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", S, E, T0 + 99);
  REFUSED(PSVC_ERANGE, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  /* the same instant as the last publication is fine */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S + 2 * HOUR, E, T0 + 100);
  EXPECT_LEAD("N-1", PSVC_SLA_MET, T0, S, LEAD_T9, 3);
}
END_TEST

/* T-10, earlier start: due 1 h before the new start. */
START_TEST(test_T10_earlier_start_announced_exactly_1h_before_is_not_late) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  psvc_time s2 = S - 2 * HOUR;
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", s2, E, s2 - HOUR);
  /* the lead is still judged on the first publication and start */
  EXPECT_LEAD("N-1", PSVC_SLA_MET, S - DAY, S, LEAD_T9, 2);
  ACTIVE("CU-LV", s2, "N-1"); /* the new window is the one in force */
}
END_TEST

START_TEST(test_T10_earlier_start_announced_59min59s_before_is_late) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  psvc_time s2 = S - 2 * HOUR;
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", s2, E, s2 - HOUR + 1);
  psvc_sla s = notice_sla(__LINE__, CTX, "N-1");
  ck_assert_msg(s.status == PSVC_SLA_BREACHED, "status %s", status_name(s.status));
  ck_assert_int_eq(s.cycle, 2);
  ck_assert_int_eq(s.ever_breached, 1);
  ck_assert_int_eq(s.level, 3);
  /* the lead fields still describe the first publication */
  ck_assert_int_eq(s.started_at, S - DAY);
  ck_assert_int_eq(s.stopped_at, S);
  ck_assert_int_eq(s.elapsed_s, DAY);
  ck_assert_int_eq(s.remaining_s, DAY - LEAD_T9);
}
END_TEST

/* T-10, later end: due 1 h before the old end. */
START_TEST(test_T10_later_end_announced_1h_before_old_end_is_not_late) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E + 3 * HOUR, E - HOUR);
  EXPECT_LEAD("N-1", PSVC_SLA_MET, S - DAY, S, LEAD_T9, 2);
  ACTIVE("CU-LV", E + HOUR, "N-1");
}
END_TEST

START_TEST(test_T10_later_end_announced_59min_before_is_late) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E + 3 * HOUR, E - 59 * MINUTE);
  psvc_sla s = notice_sla(__LINE__, CTX, "N-1");
  ck_assert_msg(s.status == PSVC_SLA_BREACHED, "status %s", status_name(s.status));
  ck_assert_int_eq(s.cycle, 2);
  ck_assert_int_eq(s.ever_breached, 1);
  /* one second after the due instant is late too */
  PUBLISH_OK(CTX, "N-2", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-2", TM, "Crew-A", "FDR-1", S, E + 1, E - HOUR + 1);
  EXPECT_LEAD("N-2", PSVC_SLA_BREACHED, S - DAY, S, LEAD_T9, 2);
  /* the due instant is the OLD end minus 1 h, not the new end's */
  PUBLISH_OK(CTX, "N-3", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-3", TM, "Crew-A", "FDR-1", S, E + 5 * HOUR, E + MINUTE);
  EXPECT_LEAD("N-3", PSVC_SLA_BREACHED, S - DAY, S, LEAD_T9, 2);
}
END_TEST

/* Postponing the start or shortening the window is never a T-10 change,
   however late it is announced. */
START_TEST(test_T10_postponing_or_shortening_is_never_late) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S + HOUR, E, S + 30 * MINUTE); /* later start */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S + HOUR, E - HOUR, E - HOUR); /* earlier end */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S + 2 * HOUR, E - 2 * HOUR + 1,
             E - HOUR); /* both */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S + 2 * HOUR, E - 2 * HOUR + 1,
             E); /* nothing moved */
  EXPECT_LEAD("N-1", PSVC_SLA_MET, S - DAY, S, LEAD_T9, 5);
}
END_TEST

/* A change that moves both ends is late if either side is. */
START_TEST(test_T10_earlier_start_and_later_end_together) {
  /* start due at S-3h (new start S-2h minus 1 h), end due at E-1h */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S - 2 * HOUR, E + HOUR, S - 3 * HOUR);
  EXPECT_LEAD("N-1", PSVC_SLA_MET, S - DAY, S, LEAD_T9, 2);
  PUBLISH_OK(CTX, "N-2", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-2", TM, "Crew-A", "FDR-1", S - 2 * HOUR, E + HOUR, S - 3 * HOUR + 1);
  EXPECT_LEAD("N-2", PSVC_SLA_BREACHED, S - DAY, S, LEAD_T9, 2);
}
END_TEST

/* Each change is compared with the previous publication; a late change
   keeps the notice BREACHED through later on-time changes. */
START_TEST(test_T10_each_change_against_the_previous_publication) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S, E,
             S - 8 * DAY);
  /* postponed by 2 h: not a T-10 change */
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S + 2 * HOUR, E,
             S - 2 * DAY);
  /* then brought forward to S+1h (still after the first start, but earlier
     than the last announced one), announced 30 min before it: late */
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S + HOUR, E,
             S + 30 * MINUTE);
  EXPECT_LEAD("N-1", PSVC_SLA_BREACHED, S - 8 * DAY, S, LEAD_T7, 3);
  /* a later, on-time change does not clear it */
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S + HOUR,
             E + HOUR, S + 31 * MINUTE);
  EXPECT_LEAD("N-1", PSVC_SLA_BREACHED, S - 8 * DAY, S, LEAD_T7, 4);
}
END_TEST

/* A re-publication may move the notice to another unit and feeder: the
   lists follow. */
START_TEST(test_republish_moves_unit_and_feeder) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  AFFECTED("N-1", "CU-DL,CU-HV,CU-IMP");
  ACTIVE("CU-LV", S, "N-1");
  PUBLISH_OK(CTX, "N-1", TM, "Crew-B", "FDR-2", S, E, T0 + 1);
  AFFECTED("N-1", "CU-HV2");
  ACTIVE("CU-LV", S, "");
  ACTIVE("CU-HV2", S, "N-1");
  EXPECT_LEAD("N-1", PSVC_SLA_MET, T0, S, LEAD_T9, 2);
}
END_TEST

/* ======================================================================================= */
/* T-11 and O-6                                                                             */
/* ======================================================================================= */

START_TEST(test_T11_affected_lists_important_hv_and_dedicated_on_the_feeder) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S, E, T0);
  /* not CU-LV (ordinary LV), not CU-HV2 (FDR-2), not CU-IMP10 (FDR-10),
     not CU-NOF (no feeder) */
  AFFECTED("N-1", "CU-DL,CU-HV,CU-IMP");
  PUBLISH_OK(CTX, "N-2", TM, "Crew-A", "FDR-2", S, E, T0);
  AFFECTED("N-2", "CU-HV2");
  PUBLISH_OK(CTX, "N-3", TM, "Crew-A", "FDR-9", S, E, T0);
  AFFECTED("N-3", "");
  PUBLISH_OK(CTX, "N-4", TM, "Crew-A", "fdr-1", S, E, T0); /* feeders match exactly */
  AFFECTED("N-4", "");
}
END_TEST

/* The list is computed from the customers as they are now. */
START_TEST(test_T11_affected_follows_the_customers) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S, E, T0);
  add_customer(CTX, "CU-LV", K_HV, "FDR-1");  /* now HV */
  add_customer(CTX, "CU-HV", K_HV, "FDR-2");  /* moved away */
  add_customer(CTX, "CU-A", K_IMPORTANT, "FDR-1");
  add_customer(CTX, "CU-Z", K_LV, "FDR-1");
  MUST(CTX, psvc_customer_delete(CTX, "CU-DL"));
  AFFECTED("N-1", "CU-A,CU-IMP,CU-LV");
}
END_TEST

START_TEST(test_T11_affected_arguments) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_notice_affected(NULL, "N-1", &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_affected(CTX, NULL, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_affected(CTX, "bad id", &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_affected(CTX, "N-1", NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_affected(CTX, "N-2", &l), PSVC_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "N-2"));
  ck_assert_ptr_null(l);
}
END_TEST

/* O-6: start <= now < end, and published by now. */
START_TEST(test_O6_active_window_boundaries) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, T0);
  ACTIVE("CU-LV", S - 1, "");
  ACTIVE("CU-LV", S, "N-1");
  ACTIVE("CU-LV", S + HOUR, "N-1");
  ACTIVE("CU-LV", E - 1, "N-1");
  ACTIVE("CU-LV", E, "");
  /* every customer on the feeder, whatever its kind */
  ACTIVE("CU-HV", S, "N-1");
  ACTIVE("CU-IMP", S, "N-1");
  ACTIVE("CU-DL", S, "N-1");
  /* not on other feeders, nor for a customer without a feeder */
  ACTIVE("CU-HV2", S, "");
  ACTIVE("CU-IMP10", S, "");
  ACTIVE("CU-NOF", S, "");
}
END_TEST

START_TEST(test_O6_not_before_publication) {
  /* a fault notice published 10 minutes into the outage */
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E, S + 10 * MINUTE);
  ACTIVE("CU-LV", S, "");
  ACTIVE("CU-LV", S + 10 * MINUTE - 1, "");
  ACTIVE("CU-LV", S + 10 * MINUTE, "N-1");
}
END_TEST

/* O-6: a notice counts from its FIRST publication, with its window as
   last published (docs/reports.md). */
START_TEST(test_O6_first_publication_and_last_window) {
  /* N-1: first published a day ahead, extended at S+30min to E+2h */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E + 2 * HOUR, S + 30 * MINUTE);
  ACTIVE("CU-LV", S + 10 * MINUTE, "N-1"); /* before the re-publication */
  ACTIVE("CU-LV", E + HOUR, "N-1");         /* the extended window */
  ACTIVE("CU-LV", E + 2 * HOUR, "");
  /* N-2: first published an hour into the outage */
  PUBLISH_OK(CTX, "N-2", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E, S + HOUR);
  PUBLISH_OK(CTX, "N-2", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E + HOUR, S + 2 * HOUR);
  ACTIVE("CU-LV", S + 30 * MINUTE, "N-1");
  ACTIVE("CU-LV", S + HOUR, "N-1,N-2");
  /* N-3: postponed; the old window no longer counts */
  PUBLISH_OK(CTX, "N-3", TM, "Crew-A", "FDR-2", S, E, S - DAY);
  PUBLISH_OK(CTX, "N-3", TM, "Crew-A", "FDR-2", S + 2 * HOUR, E + HOUR, S - HOUR);
  ACTIVE("CU-HV2", S + HOUR, "");
  ACTIVE("CU-HV2", S + 2 * HOUR, "N-3");
  ACTIVE("CU-HV2", E + 30 * MINUTE, "N-3");
}
END_TEST

START_TEST(test_O6_several_notices_by_id) {
  PUBLISH_OK(CTX, "N-3", TM, "Crew-A", "FDR-1", S, E, T0);
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S - HOUR, E,
             T0);
  PUBLISH_OK(CTX, "N-2", TM, "Crew-A", "FDR-1", E, E + HOUR, T0); /* after */
  PUBLISH_OK(CTX, "N-4", TM, "Crew-A", "FDR-2", S, E, T0);        /* elsewhere */
  ACTIVE("CU-LV", S - HOUR, "N-1");
  ACTIVE("CU-LV", S, "N-1,N-3");
  ACTIVE("CU-LV", E, "N-2");
  ACTIVE("CU-HV2", S, "N-4");
}
END_TEST

START_TEST(test_O6_active_arguments) {
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_notice_active(NULL, "CU-LV", S, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_active(CTX, NULL, S, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_active(CTX, "bad id", S, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_active(CTX, "CU-LV", S, NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_notice_active(CTX, "CU-LV", -1, &l), PSVC_ERANGE);
  ck_assert_int_eq(psvc_notice_active(CTX, "CU-LV", TIME_MAX + 1, &l), PSVC_ERANGE);
  ck_assert_int_eq(psvc_notice_active(CTX, "CU-NONE", S, &l), PSVC_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "CU-NONE"));
  ck_assert_ptr_null(l);
  /* no notice at all: an empty list */
  ACTIVE("CU-LV", S, "");
}
END_TEST

/* ======================================================================================= */
/* storage                                                                                  */
/* ======================================================================================= */

typedef struct rec_buf {
  unsigned char b[2048];
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
  r->b[r->n++] = 1;
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

typedef struct nrec {
  const char *id;
  uint64_t kind;
  const char *unit, *feeder;
  int64_t start, end, published, first_start, first_published, changes, late;
} nrec;

/* The NOTICE record of docs/storage.md, fields in tag order, zeros
   omitted. */
static void notice_rec(rec_buf *r, const nrec *n) {
  rb_start(r, PSVC_REC_NOTICE);
  if (n->id)
    rb_str(r, 1, n->id);
  if (n->kind)
    rb_uint(r, 2, n->kind);
  if (n->unit)
    rb_str(r, 3, n->unit);
  if (n->feeder)
    rb_str(r, 4, n->feeder);
  const int64_t v[] = {n->start,           n->end,     n->published, n->first_start,
                       n->first_published, n->changes, n->late};
  for (unsigned i = 0; i < 7; i++)
    if (v[i])
      rb_sint(r, 5 + i, v[i]);
}

static void expect_record(int line, const char *key, const nrec *n) {
  rec_buf want;
  notice_rec(&want, n);
  const fault_rec *r = fault_mem_raw_get(M, PSVC_REC_NOTICE, key);
  ck_assert_msg(r != NULL, "line %d: no NOTICE record '%s'", line, key);
  ck_assert_msg(r->len == want.n && memcmp(r->data, want.b, want.n) == 0,
                "line %d: NOTICE record '%s' differs from docs/storage.md (%zu bytes, want %zu)",
                line, key, r->len, want.n);
}

/* One record per notice, replaced by each re-publication, with the fields
   of docs/storage.md. */
START_TEST(test_storage_notice_record_layout_and_replacement) {
  long puts0 = M->puts, begins0 = M->begins, dels0 = M->dels;
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  nrec n = {"N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY, S, S - DAY, 0, 0};
  expect_record(__LINE__, "N-1", &n);
  /* a late earlier start, then a later end on time */
  PUBLISH_OK(CTX, "N-1", TM, "Crew-B", "FDR-2", S - HOUR, E, S - HOUR - 1);
  n = (nrec){"N-1", TM, "Crew-B", "FDR-2", S - HOUR, E, S - HOUR - 1, S, S - DAY, 1, 1};
  expect_record(__LINE__, "N-1", &n);
  PUBLISH_OK(CTX, "N-1", TM, "Crew-B", "FDR-2", S - HOUR, E + HOUR, E - 2 * HOUR);
  n = (nrec){"N-1", TM, "Crew-B", "FDR-2", S - HOUR, E + HOUR, E - 2 * HOUR, S, S - DAY, 2, 1};
  expect_record(__LINE__, "N-1", &n);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_NOTICE), 1);
  ck_assert_int_eq(M->puts - puts0, 3); /* one put per publication, no delete */
  ck_assert_int_eq(M->begins - begins0, 3);
  ck_assert_int_eq(M->dels - dels0, 0);
  /* a second notice is a second record */
  PUBLISH_OK(CTX, "N-2", PSVC_NOTICE_EMERGENCY, "Crew-A", "FDR-1", S, E, S);
  ck_assert_uint_eq(fault_mem_count(M, PSVC_REC_NOTICE), 2);
  /* the documented bytes of a tiny one: id "n", kind 4, unit "u", feeder
     "f", start 1, end 2, published 1 */
  PUBLISH_OK(CTX, "n", PSVC_NOTICE_FAULT, "u", "f", 1, 2, 1);
  static const unsigned char tiny[] = {0x01, 0x05, 0x0A, 0x01, 0x6E, 0x10, 0x04, 0x1A, 0x01,
                                       0x75, 0x22, 0x01, 0x66, 0x28, 0x02, 0x30, 0x04, 0x38,
                                       0x02, 0x40, 0x02, 0x48, 0x02};
  const fault_rec *r = fault_mem_raw_get(M, PSVC_REC_NOTICE, "n");
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(r->len, sizeof tiny);
  ck_assert(memcmp(r->data, tiny, sizeof tiny) == 0);
}
END_TEST

START_TEST(test_storage_reopen_reads_back_the_same) {
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S, E, S - 8 * DAY);
  PUBLISH_OK(CTX, "N-1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S - HOUR, E,
             S - HOUR - 30);
  PUBLISH_OK(CTX, "N-2", PSVC_NOTICE_FAULT, "Crew-A", "FDR-2", S - HOUR, S + HOUR, S);
  PUBLISH_OK(CTX, "N-3", PSVC_NOTICE_ORDERED_USE, "\xe8\x90\xa5\xe9\x94\x80", "FDR-1", E,
             E + HOUR, T0);
  PUBLISH_OK(CTX, "N-3", PSVC_NOTICE_ORDERED_USE, "\xe8\x90\xa5\xe9\x94\x80", "FDR-1", E + HOUR,
             E + 2 * HOUR, T0 + 5);
  char *before = dump(CTX);
  psvc_ctx_close(CTX);
  CTX = open_on(M);
  char *after = dump(CTX);
  ck_assert_msg(strcmp(before, after) == 0, "reopened state differs:\n%s\nvs\n%s", before,
                after);
  /* and a further change is still judged against the stored history */
  EXPECT_LEAD("N-1", PSVC_SLA_BREACHED, S - 8 * DAY, S, LEAD_T7, 2);
  EXPECT_LEAD("N-3", PSVC_SLA_MET, T0, E, LEAD_T8, 2);
  PUBLISH_OK(CTX, "N-3", PSVC_NOTICE_ORDERED_USE, "x", "FDR-1", E, E + 2 * HOUR, E - 30);
  EXPECT_LEAD("N-3", PSVC_SLA_BREACHED, T0, E, LEAD_T8, 3);
  free(before);
  free(after);
}
END_TEST

static fault_mem *corrupt_base(const char *key, const rec_buf *r) {
  fault_mem *m = fault_mem_new();
  psvc_ctx *ctx = open_on(m);
  base(ctx);
  psvc_ctx_close(ctx);
  fault_mem_raw_put(m, PSVC_REC_NOTICE, key, r->b, r->n);
  m->close_calls = 0;
  return m;
}

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

static const nrec GOOD = {"N-9", TM, "Crew-A", "FDR-1", S, E, S - HOUR, S, S - 2 * HOUR, 1, 0};

START_TEST(test_storage_handwritten_notice_loads) {
  rec_buf r;
  notice_rec(&r, &GOOD);
  rb_uint(&r, 50, 7); /* an unknown tag is skipped */
  fault_mem *m = corrupt_base("N-9", &r);
  psvc_ctx *keep = CTX;
  CTX = open_on(m);
  EXPECT_LEAD("N-9", PSVC_SLA_MET, S - 2 * HOUR, S, LEAD_T9, 2);
  AFFECTED("N-9", "CU-DL,CU-HV,CU-IMP");
  ACTIVE("CU-LV", S, "N-9");
  psvc_ctx_close(CTX);
  CTX = keep;
  fault_mem_free(m);
}
END_TEST

START_TEST(test_storage_corrupt_notice_records) {
  rec_buf r;
  nrec n;
#define CORRUPT_WITH(key, change, mention)                                     \
  do {                                                                         \
    n = GOOD;                                                                  \
    change;                                                                    \
    notice_rec(&r, &n);                                                        \
    expect_corrupt(__LINE__, corrupt_base(key, &r), mention);                  \
  } while (0)
  CORRUPT_WITH("N-9", n.id = NULL, "N-9");          /* no id */
  CORRUPT_WITH("N-9", n.id = "N-8", "N-9");         /* key and id disagree */
  CORRUPT_WITH("N 9", n.id = "N 9", NULL);          /* not an id */
  CORRUPT_WITH("N-9", n.kind = 0, "N-9");           /* no kind */
  CORRUPT_WITH("N-9", n.kind = 7, "N-9");           /* not a kind */
  CORRUPT_WITH("N-9", n.unit = NULL, "N-9");        /* no unit */
  CORRUPT_WITH("N-9", n.feeder = NULL, "N-9");      /* no feeder */
  CORRUPT_WITH("N-9", n.unit = "a\x01" "b", "N-9"); /* a control character */
  CORRUPT_WITH("N-9", n.feeder = "\xff", "N-9");    /* not UTF-8 */
  CORRUPT_WITH("N-9", n.end = n.start, "N-9");      /* end <= start */
  CORRUPT_WITH("N-9", n.end = n.start - 1, "N-9");
  CORRUPT_WITH("N-9", n.first_published = n.published + 1, "N-9");
  CORRUPT_WITH("N-9", n.late = 2, "N-9"); /* late changes > changes */
  CORRUPT_WITH("N-9", n.changes = (int64_t)UINT32_MAX + 1, "N-9");
  CORRUPT_WITH("N-9", n.changes = -1, "N-9");
  CORRUPT_WITH("N-9", n.start = -5, "N-9");
  CORRUPT_WITH("N-9", n.end = TIME_MAX + 1, "N-9");
  CORRUPT_WITH("N-9", n.published = TIME_MAX + 1, "N-9");
#undef CORRUPT_WITH
  /* a known tag twice, wrong version and kind bytes, a truncated record */
  notice_rec(&r, &GOOD);
  rb_uint(&r, 2, TM);
  expect_corrupt(__LINE__, corrupt_base("N-9", &r), "N-9");
  notice_rec(&r, &GOOD);
  r.b[0] = 0;
  expect_corrupt(__LINE__, corrupt_base("N-9", &r), "N-9");
  notice_rec(&r, &GOOD);
  r.b[1] = PSVC_REC_CALL;
  expect_corrupt(__LINE__, corrupt_base("N-9", &r), "N-9");
  notice_rec(&r, &GOOD);
  r.n -= 1;
  expect_corrupt(__LINE__, corrupt_base("N-9", &r), "N-9");
}
END_TEST

/* ======================================================================================= */
/* transactions                                                                             */
/* ======================================================================================= */

static void txn_rollback_case(fault_mem *m) {
  PUBLISH_OK(CTX, "N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
  char *before = dump(CTX);
  size_t stored = m ? fault_mem_count(m, PSVC_REC_NOTICE) : 0;
  MUST(CTX, psvc_ctx_begin(CTX));
  PUBLISH_OK(CTX, "N-1", TM, "Crew-B", "FDR-2", S - HOUR, E, S - HOUR - 1); /* late change */
  PUBLISH_OK(CTX, "N-2", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E, S);
  EXPECT_LEAD("N-1", PSVC_SLA_BREACHED, S - DAY, S, LEAD_T9, 2);
  MUST(CTX, psvc_ctx_rollback(CTX));
  char *after = dump(CTX);
  ck_assert_msg(strcmp(before, after) == 0, "rollback left:\n%s\nvs\n%s", after, before);
  EXPECT_LEAD("N-1", PSVC_SLA_MET, S - DAY, S, LEAD_T9, 1);
  AFFECTED("N-1", "CU-DL,CU-HV,CU-IMP");
  if (m)
    ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_NOTICE), stored);
  /* committed, they stay */
  MUST(CTX, psvc_ctx_begin(CTX));
  PUBLISH_OK(CTX, "N-1", TM, "Crew-B", "FDR-2", S - HOUR, E, S - HOUR - 1);
  PUBLISH_OK(CTX, "N-2", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E, S);
  MUST(CTX, psvc_ctx_commit(CTX));
  EXPECT_LEAD("N-1", PSVC_SLA_BREACHED, S - DAY, S, LEAD_T9, 2);
  AFFECTED("N-1", "CU-HV2");
  if (m)
    ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_NOTICE), stored + 1);
  free(before);
  free(after);
}

START_TEST(test_txn_rollback_with_a_store) {
  txn_rollback_case(M);
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
  psvc_ctx *keep = CTX;
  CTX = NULL;
  MUST(CTX, psvc_ctx_open(&CTX, NULL));
  base(CTX);
  txn_rollback_case(NULL);
  psvc_ctx_close(CTX);
  CTX = keep;
}
END_TEST

/* ======================================================================================= */
/* fault injection                                                                          */
/* ======================================================================================= */

/* Each step one publication: one transaction with one put. */
enum { STEPS = 6 };

static int step_run(psvc_ctx *ctx, int step) {
  psvc_notice n;
  switch (step) {
  case 0: n = mkn("N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY); break;
  case 1: n = mkn("N-2", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-2", S, E, T0); break;
  case 2: n = mkn("N-1", TM, "Crew-A", "FDR-1", S - HOUR, E, S - HOUR - 5); break; /* late */
  case 3: n = mkn("N-1", TM, "Crew-B", "FDR-2", S - HOUR, E + HOUR, S); break;
  case 4: n = mkn("N-3", PSVC_NOTICE_FAULT, "Crew-A", "FDR-1", S, E, S + MINUTE); break;
  default: n = mkn("N-2", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch", "FDR-1", S + HOUR, E, T0);
  }
  return psvc_notice_publish(ctx, &n);
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
  ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_NOTICE), 3);
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
  ck_assert_int_eq(n, 3 * STEPS);
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

/* Runs one query; returns its code, with *text its result (libc). */
static int query_run(psvc_ctx *ctx, int q, char **out) {
  psvc_sla s = PSVC_SLA_INIT;
  psvc_list *l = NULL;
  int rc;
  *out = NULL;
  switch (q) {
  case 0: rc = psvc_notice_sla(ctx, "N-1", &s); break;
  case 1: rc = psvc_notice_affected(ctx, "N-3", &l); break;
  default: rc = psvc_notice_active(ctx, "CU-LV", S + HOUR, &l); break;
  }
  if (rc != PSVC_OK) {
    ck_assert_ptr_null(l);
    return rc;
  }
  text t = {0};
  if (q == 0)
    sla_text(&t, &s);
  else
    list_text(&t, l);
  psvc_list_free(l);
  *out = t.s;
  return rc;
}

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
  /* the queries */
  fa->paused = true;
  char *before = dump(ctx);
  fa->paused = false;
  static const char *const want[] = {NULL, "[CU-DL,CU-HV,CU-IMP]\n", "[N-2,N-3]\n"};
  for (int q = 0; q < 3; q++) {
    char *got = NULL;
    long f0 = fa->failures;
    int rc = query_run(ctx, q, &got);
    if (fa->failures != f0) {
      failed++;
      ck_assert_msg(rc == PSVC_ENOMEM, "k=%ld query %d: rc %d", k, q, rc);
      alloc_same(fa, ctx, before, k, "query");
      rc = query_run(ctx, q, &got);
    }
    ck_assert_msg(rc == PSVC_OK, "k=%ld query %d: rc %d", k, q, rc);
    if (want[q])
      ck_assert_str_eq(got, want[q]);
    free(got);
  }
  /* a transaction with a re-publication, rolled back */
  long f0 = fa->failures;
  int rc = psvc_ctx_begin(ctx);
  if (fa->failures != f0) {
    failed++;
    ck_assert_int_eq(rc, PSVC_ENOMEM);
    rc = psvc_ctx_begin(ctx);
  }
  MUST(ctx, rc);
  psvc_notice n = mkn("N-1", TM, "Crew-C", "FDR-9", S - 3 * HOUR, E, S + 2 * MINUTE);
  f0 = fa->failures;
  rc = psvc_notice_publish(ctx, &n);
  if (fa->failures != f0) {
    failed++;
    ck_assert_int_eq(rc, PSVC_ENOMEM);
    rc = psvc_notice_publish(ctx, &n);
  }
  MUST(ctx, rc);
  f0 = fa->failures;
  rc = psvc_ctx_rollback(ctx);
  if (fa->failures != f0) {
    failed++; /* the reload ran out of memory: the context must be closed */
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
  /* reopen */
  fa->paused = true;
  fault_mem *mem_before = fault_mem_snapshot(m);
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

/* Without a store: a publication and a re-publication under allocation
   failure, and a transaction's snapshot. */
START_TEST(test_fault_alloc_without_a_store) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  for (long k = 1;; k++) {
    fa.paused = true;
    psvc_ctx *ctx = NULL;
    MUST(ctx, psvc_ctx_open(&ctx, NULL));
    base(ctx);
    psvc_notice n = mkn("N-1", TM, "Crew-A", "FDR-1", S, E, S - DAY);
    MUST(ctx, psvc_notice_publish(ctx, &n));
    char *before = dump(ctx);
    fa.paused = false;
    fault_alloc_arm(&fa, k);
    long f0 = fa.failures;
    int rc = psvc_ctx_begin(ctx);
    if (rc == PSVC_OK) {
      n = mkn("N-1", TM, "Crew-B", "FDR-2", S - HOUR, E, S - 2 * HOUR);
      rc = psvc_notice_publish(ctx, &n);
      if (rc == PSVC_OK) {
        n = mkn("N-2", TM, "Crew-B", "FDR-2", S, E, S - 2 * HOUR);
        rc = psvc_notice_publish(ctx, &n);
      }
      int rb = psvc_ctx_rollback(ctx);
      ck_assert_msg(rb == PSVC_OK || fa.failures != f0, "k=%ld: rollback rc %d", k, rb);
      if (rb != PSVC_OK) { /* the reload failed: the context must be closed */
        fa.paused = true;
        free(before);
        psvc_ctx_close(ctx);
        ck_assert_int_eq(fa.live_blocks, 0);
        fa.paused = false;
        continue;
      }
    }
    bool hit = fa.failures != f0;
    fa.paused = true;
    ck_assert_int_eq(rc, hit ? PSVC_ENOMEM : PSVC_OK);
    char *after = dump(ctx);
    ck_assert_str_eq(before, after);
    free(after);
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

static Suite *notice_suite(void) {
  Suite *s = suite_create("notice");
  TCase *tc = tcase_create("publish");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_publish_null_args_and_size_einval);
  tcase_add_test(tc, test_publish_bad_id_einval);
  tcase_add_test(tc, test_O1_bad_kind_einval);
  tcase_add_test(tc, test_publish_bad_unit_or_feeder_einval);
  tcase_add_test(tc, test_publish_empty_unit_or_feeder_einval);
  tcase_add_test(tc, test_publish_times_erange);
  tcase_add_test(tc, test_publish_check_order);
  suite_add_tcase(s, tc);

  tc = tcase_create("lead");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_T7_planned_exactly_7_days_before_is_met);
  tcase_add_test(tc, test_T7_planned_one_second_short_is_breached);
  tcase_add_test(tc, test_T8_ordered_use_24h_boundary);
  tcase_add_test(tc, test_T9_30min_for_each_other_kind);
  tcase_add_test(tc, test_notice_sla_all_fields);
  tcase_add_test(tc, test_T9_published_after_the_start);
  tcase_add_test(tc, test_notice_sla_arguments);
  suite_add_tcase(s, tc);

  tc = tcase_create("republish");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_republish_kind_change_einval);
  tcase_add_test(tc, test_republish_earlier_publication_erange);
  tcase_add_test(tc, test_T10_earlier_start_announced_exactly_1h_before_is_not_late);
  tcase_add_test(tc, test_T10_earlier_start_announced_59min59s_before_is_late);
  tcase_add_test(tc, test_T10_later_end_announced_1h_before_old_end_is_not_late);
  tcase_add_test(tc, test_T10_later_end_announced_59min_before_is_late);
  tcase_add_test(tc, test_T10_postponing_or_shortening_is_never_late);
  tcase_add_test(tc, test_T10_earlier_start_and_later_end_together);
  tcase_add_test(tc, test_T10_each_change_against_the_previous_publication);
  tcase_add_test(tc, test_republish_moves_unit_and_feeder);
  suite_add_tcase(s, tc);

  tc = tcase_create("lists");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_T11_affected_lists_important_hv_and_dedicated_on_the_feeder);
  tcase_add_test(tc, test_T11_affected_follows_the_customers);
  tcase_add_test(tc, test_T11_affected_arguments);
  tcase_add_test(tc, test_O6_active_window_boundaries);
  tcase_add_test(tc, test_O6_not_before_publication);
  tcase_add_test(tc, test_O6_first_publication_and_last_window);
  tcase_add_test(tc, test_O6_several_notices_by_id);
  tcase_add_test(tc, test_O6_active_arguments);
  suite_add_tcase(s, tc);

  tc = tcase_create("storage");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_storage_notice_record_layout_and_replacement);
  tcase_add_test(tc, test_storage_reopen_reads_back_the_same);
  tcase_add_test(tc, test_storage_handwritten_notice_loads);
  tcase_add_test(tc, test_storage_corrupt_notice_records);
  tcase_add_test(tc, test_txn_rollback_with_a_store);
  tcase_add_test(tc, test_txn_rollback_without_a_store);
  suite_add_tcase(s, tc);

  tc = tcase_create("faults");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_fault_store_every_k);
  tcase_add_test(tc, test_fault_alloc_every_k);
  tcase_add_test(tc, test_fault_alloc_without_a_store);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(notice_suite()); }
