/*
 * test_boundary.c — paid vs free service (API.md §6, docs/service-boundary.md,
 * RULES.md S-1 ... S-6) through the public API only.
 *
 * Covers:
 *  - psvc_service_classify over every (supply, location) row of the art. 47
 *    boundary table (S-3 (1)-(5)) and the meter row (S-4), each crossed with
 *    every override: agreed_owner 0 / UTILITY / CUSTOMER (the contract,
 *    S-3 last sentence) and customer_caused 0 / 1 (S-4), table-driven;
 *  - the invariants: paid exactly when the customer owns the facility (S-1;
 *    S-2 and S-6 follow the same owner), except meter damage the customer
 *    caused (S-4); every answer carries its rule and a readable reason,
 *    different for paid and free answers (S-5);
 *  - CABLE supply without a contract (S-3(4)) and every other invalid input:
 *    PSVC_EINVAL, a fresh message in psvc_errmsg(NULL), *out untouched;
 *    struct sizes smaller than v1's refused, larger ones accepted (API.md §0);
 *  - the fee schedule (psvc_fee_set / psvc_fee_get): id rules, ranges,
 *    replacement, per context, not stored, unchanged by a failed call;
 *  - psvc_order_quote on FAULT_REPAIR orders: the same table, the fee of a
 *    paid service, no fee and no code needed for a free one, every error,
 *    nothing changed in the context or the store, *out untouched on failure;
 *  - allocation failures in psvc_fee_set and psvc_order_quote: PSVC_ENOMEM,
 *    nothing changed, nothing leaked.
 *
 * Every expected value below is written by hand from RULES.md S-1 ... S-6
 * and the contract of docs/service-boundary.md / API.md §6; nothing here is
 * taken from lib/.
 */
#include "fault.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 FAULT_NOW

/* short names for the table */
#define LV PSVC_SUPPLY_LV_PUBLIC
#define HV10 PSVC_SUPPLY_HV_PUBLIC_10KV
#define HV35 PSVC_SUPPLY_HV_PUBLIC_35KV
#define CABLE PSVC_SUPPLY_CABLE
#define CLINE PSVC_SUPPLY_CUSTOMER_LINE

#define NET PSVC_LOC_PUBLIC_NETWORK
#define BDEV PSVC_LOC_BOUNDARY_DEVICE
#define METER PSVC_LOC_METER
#define CSIDE PSVC_LOC_CUSTOMER_SIDE

#define UTIL PSVC_OWNER_UTILITY
#define CUST PSVC_OWNER_CUSTOMER
#define AGREED (-1) /* in BASE: the owner is the contract's (S-3(4)) */

#define SHOW(s) ((s) ? (s) : "(null)")

/* ---- names for messages ------------------------------------------------------------ */

static const char *name_of(int dom, int v) {
  const char *s = psvc_enum_name(dom, v);
  return s ? s : "?";
}
#define CODE_N(v) name_of(PSVC_DOM_STATUS, (v))
#define SUPPLY_N(v) name_of(PSVC_DOM_SUPPLY_POINT, (v))
#define LOC_N(v) name_of(PSVC_DOM_LOCATION, (v))
#define OWNER_N(v) name_of(PSVC_DOM_OWNER, (v))

/* "LV_PUBLIC/CUSTOMER_SIDE agreed=1 caused=0" (rotating buffers) */
static const char *qdesc(const psvc_boundary_query *q) {
  static char buf[8][128];
  static int k;
  char *b = buf[k++ % 8];
  snprintf(b, sizeof buf[0], "%s(%d)/%s(%d) agreed=%d caused=%d", SUPPLY_N(q->supply),
           q->supply, LOC_N(q->location), q->location, q->agreed_owner, q->customer_caused);
  return b;
}

static psvc_boundary_query mkq(int supply, int location, int agreed, int caused) {
  psvc_boundary_query q = PSVC_BOUNDARY_QUERY_INIT;
  q.supply = supply;
  q.location = location;
  q.agreed_owner = agreed;
  q.customer_caused = caused;
  return q;
}

/* ---- the contract, written out ------------------------------------------------------ */

/* One row per (supply, location), no overrides (docs/service-boundary.md,
   "The full table"; RULES.md S-3, S-4). */
typedef struct base_row {
  int supply, location;
  int owner;        /* UTIL, CUST or AGREED */
  const char *rule; /* exact */
} base_row;

static const base_row BASE[] = {
    /* S-3(1) public LV line: the last support of the service drop is the
       utility's */
    {LV, NET, UTIL, "S-3(1)"},
    {LV, BDEV, UTIL, "S-3(1)"},
    {LV, METER, UTIL, "S-4"},
    {LV, CSIDE, CUST, "S-3(1)"},
    /* S-3(2) public HV line, 10 kV and below: first breaker / support, the
       utility's */
    {HV10, NET, UTIL, "S-3(2)"},
    {HV10, BDEV, UTIL, "S-3(2)"},
    {HV10, METER, UTIL, "S-4"},
    {HV10, CSIDE, CUST, "S-3(2)"},
    /* S-3(3) public HV line, 35 kV and above: first pole, the utility's */
    {HV35, NET, UTIL, "S-3(3)"},
    {HV35, BDEV, UTIL, "S-3(3)"},
    {HV35, METER, UTIL, "S-4"},
    {HV35, CSIDE, CUST, "S-3(3)"},
    /* S-3(4) cable: the contract says who owns the boundary device */
    {CABLE, NET, UTIL, "S-3(4)"},
    {CABLE, BDEV, AGREED, "S-3(4)"},
    {CABLE, METER, UTIL, "S-4"},
    {CABLE, CSIDE, CUST, "S-3(4)"},
    /* S-3(5) customer-owned line: the first pole is the CUSTOMER's */
    {CLINE, NET, UTIL, "S-3(5)"},
    {CLINE, BDEV, CUST, "S-3(5)"},
    {CLINE, METER, UTIL, "S-4"},
    {CLINE, CSIDE, CUST, "S-3(5)"},
};
#define NBASE (sizeof BASE / sizeof BASE[0])

typedef struct want {
  int rc;
  int owner, paid;
  const char *rule;
} want;

/* The expected answer for a base row with overrides applied:
   - CABLE without agreed_owner: PSVC_EINVAL, whatever the location
     (the contract must state the boundary, S-3(4));
   - METER: the utility's, free, "S-4", contract or not; damage caused by the
     customer is paid (still the utility's meter);
   - otherwise the contract (agreed_owner 1 or 2) sets the owner, rule
     "contract", except for CABLE where it only names the boundary device's
     owner and the rule stays "S-3(4)";
   - paid exactly when the customer owns it (S-1). */
static want expect(const base_row *r, int agreed, int caused) {
  want w = {PSVC_OK, r->owner, 0, r->rule};
  if (r->supply == CABLE && agreed == 0) {
    w.rc = PSVC_EINVAL;
    return w;
  }
  if (r->location == METER) {
    w.owner = UTIL;
    w.paid = caused != 0;
    w.rule = "S-4";
    return w;
  }
  if (r->owner == AGREED) {
    w.owner = agreed;
  } else if (r->supply != CABLE && agreed != 0) {
    w.owner = agreed;
    w.rule = "contract";
  }
  w.paid = w.owner == CUST;
  return w;
}

/* ---- reasons (S-5) ------------------------------------------------------------------- */

typedef struct reasons {
  const char *paid[256];
  size_t npaid;
  const char *free_[256];
  size_t nfree;
} reasons;

static void note_reason(reasons *rs, int paid, const char *reason) {
  if (!rs)
    return;
  if (paid) {
    ck_assert(rs->npaid < 256);
    rs->paid[rs->npaid++] = reason;
  } else {
    ck_assert(rs->nfree < 256);
    rs->free_[rs->nfree++] = reason;
  }
}

/* No reason given for a paid answer is also given for a free one. */
static void reasons_disjoint(const reasons *rs) {
  ck_assert_msg(rs->npaid > 0 && rs->nfree > 0, "both paid and free answers seen");
  for (size_t i = 0; i < rs->npaid; i++)
    for (size_t j = 0; j < rs->nfree; j++)
      ck_assert_msg(strcmp(rs->paid[i], rs->free_[j]) != 0,
                    "S-5: the same reason for a paid and a free answer: \"%s\"", rs->paid[i]);
}

/* A sentence a call-center agent can read out: non-empty, words, starts with
   a capital letter and ends with a full stop; no control characters. */
static void sentence_ok(const char *what, const char *s) {
  ck_assert_msg(s != NULL, "%s: reason is NULL", what);
  size_t n = strlen(s);
  ck_assert_msg(n >= 10, "%s: reason too short: \"%s\"", what, s);
  ck_assert_msg(strchr(s, ' ') != NULL, "%s: reason is not a sentence: \"%s\"", what, s);
  ck_assert_msg(s[0] >= 'A' && s[0] <= 'Z', "%s: reason does not start a sentence: \"%s\"",
                what, s);
  ck_assert_msg(s[n - 1] == '.', "%s: reason does not end with a full stop: \"%s\"", what, s);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg((unsigned char)s[i] >= 0x20 && s[i] != 0x7f,
                  "%s: control character in the reason: \"%s\"", what, s);
}

/* ---- fresh error messages ------------------------------------------------------------ */

#define PRIME "zz-primed-no-such-name"

/* Leaves a known failure in psvc_errmsg(NULL), so that a later check can
   tell the message was replaced by the call under test. */
static void prime_errmsg(void) {
  int v = 0;
  ck_assert_int_eq(psvc_enum_value(PSVC_DOM_OWNER, PRIME, &v), PSVC_EINVAL);
}

static void fresh_errmsg(const char *what, const char *m) {
  ck_assert_msg(m != NULL && m[0] != '\0', "%s: no message", what);
  ck_assert_msg(strstr(m, PRIME) == NULL, "%s: the message is the previous call's: \"%s\"",
                what, m);
}

/* ---- classify ------------------------------------------------------------------------- */

/* Classifies q and checks the answer against w (rc, owner, paid, exact rule,
   a readable reason); a refused call leaves out untouched. */
static void check_classify(const char *what, const psvc_boundary_query *q, want w,
                           reasons *rs) {
  psvc_boundary_result r, before;
  memset(&r, 0xA5, sizeof r);
  r.size = sizeof r;
  before = r;
  psvc_boundary_query qcopy = *q;
  prime_errmsg();
  int rc = psvc_service_classify(q, &r);
  ck_assert_msg(rc == w.rc, "%s: psvc_service_classify(%s) = %s, want %s (%s)", what, qdesc(q),
                CODE_N(rc), CODE_N(w.rc), psvc_errmsg(NULL));
  ck_assert_msg(memcmp(&qcopy, q, sizeof qcopy) == 0, "%s: the query was changed", what);
  if (rc != PSVC_OK) {
    ck_assert_msg(memcmp(&r, &before, sizeof r) == 0, "%s: %s wrote *out", what, qdesc(q));
    fresh_errmsg(what, psvc_errmsg(NULL));
    return;
  }
  ck_assert_msg(r.size == sizeof r, "%s: out->size changed to %u", what, (unsigned)r.size);
  ck_assert_msg(r.owner == w.owner, "%s: %s owner %s(%d), want %s(%d)", what, qdesc(q),
                OWNER_N(r.owner), r.owner, OWNER_N(w.owner), w.owner);
  ck_assert_msg(r.paid == w.paid, "%s: %s paid %d, want %d", what, qdesc(q), r.paid, w.paid);
  ck_assert_msg(r.rule != NULL && strcmp(r.rule, w.rule) == 0, "%s: %s rule \"%s\", want \"%s\"",
                what, qdesc(q), SHOW(r.rule), w.rule);
  sentence_ok(qdesc(q), r.reason);
  note_reason(rs, r.paid, r.reason);
}

/* S-1 ... S-6, the whole table: every (supply, location) row x agreed_owner
   0 / UTILITY / CUSTOMER x customer_caused 0 / 1 (120 queries). */
START_TEST(test_S1_S3_S4_S5_every_row_every_override) {
  static const int agreed[] = {0, UTIL, CUST};
  static const int caused[] = {0, 1};
  reasons rs;
  memset(&rs, 0, sizeof rs);
  int n = 0, ok = 0;
  for (size_t i = 0; i < NBASE; i++)
    for (size_t a = 0; a < 3; a++)
      for (size_t c = 0; c < 2; c++) {
        psvc_boundary_query q = mkq(BASE[i].supply, BASE[i].location, agreed[a], caused[c]);
        want w = expect(&BASE[i], agreed[a], caused[c]);
        check_classify("table", &q, w, &rs);
        n++;
        ok += w.rc == PSVC_OK;
      }
  ck_assert_int_eq(n, 120);
  ck_assert_int_eq(ok, 120 - 8); /* CABLE x 4 locations x caused 0/1 without a contract */
  reasons_disjoint(&rs);
}
END_TEST

/* The table covers every valid (supply, location): 5 x 4 distinct rows. */
START_TEST(test_S3_table_covers_every_supply_and_location) {
  for (int s = 1; s <= 5; s++)
    for (int l = 1; l <= 4; l++) {
      int found = 0;
      for (size_t i = 0; i < NBASE; i++)
        found += BASE[i].supply == s && BASE[i].location == l;
      ck_assert_msg(found == 1, "row %d/%d appears %d times", s, l, found);
    }
  /* and the enum names agree with the header's values */
  ck_assert_str_eq(name_of(PSVC_DOM_SUPPLY_POINT, CABLE), "CABLE");
  ck_assert_str_eq(name_of(PSVC_DOM_LOCATION, METER), "METER");
  ck_assert_str_eq(name_of(PSVC_DOM_OWNER, CUST), "CUSTOMER");
}
END_TEST

/* Written out one by one, the base rows with no override. */
START_TEST(test_S3_1_to_S3_5_base_rows_spelled_out) {
  struct {
    int supply, location, owner, paid;
    const char *rule;
  } rows[] = {
      {LV, NET, UTIL, 0, "S-3(1)"},       {LV, BDEV, UTIL, 0, "S-3(1)"},
      {LV, CSIDE, CUST, 1, "S-3(1)"},     {HV10, NET, UTIL, 0, "S-3(2)"},
      {HV10, BDEV, UTIL, 0, "S-3(2)"},    {HV10, CSIDE, CUST, 1, "S-3(2)"},
      {HV35, NET, UTIL, 0, "S-3(3)"},     {HV35, BDEV, UTIL, 0, "S-3(3)"},
      {HV35, CSIDE, CUST, 1, "S-3(3)"},   {CLINE, NET, UTIL, 0, "S-3(5)"},
      {CLINE, BDEV, CUST, 1, "S-3(5)"},   {CLINE, CSIDE, CUST, 1, "S-3(5)"},
      {LV, METER, UTIL, 0, "S-4"},        {HV10, METER, UTIL, 0, "S-4"},
      {HV35, METER, UTIL, 0, "S-4"},      {CLINE, METER, UTIL, 0, "S-4"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    psvc_boundary_query q = mkq(rows[i].supply, rows[i].location, 0, 0);
    want w = {PSVC_OK, rows[i].owner, rows[i].paid, rows[i].rule};
    check_classify("base", &q, w, NULL);
  }
}
END_TEST

/* S-3(5): the first pole of a customer-owned line is the customer's, so its
   repair is paid; on the public side of it the repair is free. */
START_TEST(test_S3_5_customer_line_first_pole_is_paid) {
  psvc_boundary_query q = mkq(CLINE, BDEV, 0, 0);
  check_classify("S-3(5) pole", &q, (want){PSVC_OK, CUST, 1, "S-3(5)"}, NULL);
  q = mkq(CLINE, NET, 0, 0);
  check_classify("S-3(5) public", &q, (want){PSVC_OK, UTIL, 0, "S-3(5)"}, NULL);
  /* whereas on a public LV line the last support is the utility's (S-3(1)) */
  q = mkq(LV, BDEV, 0, 0);
  check_classify("S-3(1) support", &q, (want){PSVC_OK, UTIL, 0, "S-3(1)"}, NULL);
}
END_TEST

/* S-3(4): the contract names the owner of the boundary device; the public
   network stays the utility's and the customer's side the customer's; the
   rule is S-3(4), not "contract". */
START_TEST(test_S3_4_cable_agreed_owner_decides_boundary_device) {
  psvc_boundary_query q = mkq(CABLE, BDEV, UTIL, 0);
  check_classify("cable/util", &q, (want){PSVC_OK, UTIL, 0, "S-3(4)"}, NULL);
  q = mkq(CABLE, BDEV, CUST, 0);
  check_classify("cable/cust", &q, (want){PSVC_OK, CUST, 1, "S-3(4)"}, NULL);
  q = mkq(CABLE, NET, CUST, 0);
  check_classify("cable net", &q, (want){PSVC_OK, UTIL, 0, "S-3(4)"}, NULL);
  q = mkq(CABLE, CSIDE, UTIL, 0);
  check_classify("cable side", &q, (want){PSVC_OK, CUST, 1, "S-3(4)"}, NULL);
  q = mkq(CABLE, METER, CUST, 0);
  check_classify("cable meter", &q, (want){PSVC_OK, UTIL, 0, "S-4"}, NULL);
  q = mkq(CABLE, METER, UTIL, 1);
  check_classify("cable meter caused", &q, (want){PSVC_OK, UTIL, 1, "S-4"}, NULL);
}
END_TEST

/* S-3(4): cable supply without a contract is refused at every location, with
   a message that says the contract must state the boundary. */
START_TEST(test_S3_4_cable_without_contract_einval) {
  for (int loc = NET; loc <= CSIDE; loc++)
    for (int caused = 0; caused <= 1; caused++) {
      psvc_boundary_query q = mkq(CABLE, loc, 0, caused);
      check_classify("cable no contract", &q, (want){PSVC_EINVAL, 0, 0, NULL}, NULL);
      const char *m = psvc_errmsg(NULL);
      ck_assert_msg(strstr(m, "contract") != NULL || strstr(m, "S-3(4)") != NULL,
                    "%s: the message names neither the contract nor S-3(4): \"%s\"",
                    qdesc(&q), m);
    }
}
END_TEST

/* S-3 last sentence: an agreement that fixes the boundary prevails, for every
   supply but CABLE, at every location but the meter; paid follows the
   agreed owner and the rule is "contract" even when it agrees with the
   table. */
START_TEST(test_S3_contract_override_prevails) {
  struct {
    int supply, location, agreed, owner, paid;
  } rows[] = {
      {LV, CSIDE, UTIL, UTIL, 0},   {LV, NET, CUST, CUST, 1},     {LV, BDEV, CUST, CUST, 1},
      {LV, NET, UTIL, UTIL, 0},     {HV10, BDEV, CUST, CUST, 1},  {HV10, CSIDE, UTIL, UTIL, 0},
      {HV35, BDEV, CUST, CUST, 1},  {HV35, CSIDE, CUST, CUST, 1}, {CLINE, BDEV, UTIL, UTIL, 0},
      {CLINE, CSIDE, UTIL, UTIL, 0}, {CLINE, NET, CUST, CUST, 1},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    psvc_boundary_query q = mkq(rows[i].supply, rows[i].location, rows[i].agreed, 0);
    check_classify("contract", &q, (want){PSVC_OK, rows[i].owner, rows[i].paid, "contract"},
                   NULL);
    /* customer_caused changes nothing away from the meter */
    q.customer_caused = 1;
    check_classify("contract caused", &q,
                   (want){PSVC_OK, rows[i].owner, rows[i].paid, "contract"}, NULL);
  }
}
END_TEST

/* S-4: the revenue meter is the utility's whatever the supply or the
   contract; its repair is free unless the customer caused the damage, which
   is charged (the meter stays the utility's). */
START_TEST(test_S4_meter_utility_free_unless_customer_caused) {
  for (int s = LV; s <= CLINE; s++)
    for (int agreed = 0; agreed <= 2; agreed++) {
      if (s == CABLE && agreed == 0)
        continue; /* no contract: EINVAL, test_S3_4_cable_without_contract_einval */
      psvc_boundary_query q = mkq(s, METER, agreed, 0);
      check_classify("meter", &q, (want){PSVC_OK, UTIL, 0, "S-4"}, NULL);
      /* any non-zero value means "caused by the customer" */
      static const int caused[] = {1, 2, -1, INT_MAX, INT_MIN};
      for (size_t i = 0; i < sizeof caused / sizeof caused[0]; i++) {
        q.customer_caused = caused[i];
        check_classify("meter caused", &q, (want){PSVC_OK, UTIL, 1, "S-4"}, NULL);
      }
    }
}
END_TEST

/* S-4 applies to the meter only: elsewhere ownership already decides, and
   customer_caused changes nothing. */
START_TEST(test_S4_customer_caused_ignored_off_meter) {
  for (size_t i = 0; i < NBASE; i++) {
    if (BASE[i].location == METER)
      continue;
    int agreed = BASE[i].supply == CABLE ? CUST : 0;
    psvc_boundary_query q0 = mkq(BASE[i].supply, BASE[i].location, agreed, 0);
    psvc_boundary_query q1 = mkq(BASE[i].supply, BASE[i].location, agreed, 7);
    psvc_boundary_result r0 = PSVC_BOUNDARY_RESULT_INIT, r1 = PSVC_BOUNDARY_RESULT_INIT;
    ck_assert_int_eq(psvc_service_classify(&q0, &r0), PSVC_OK);
    ck_assert_int_eq(psvc_service_classify(&q1, &r1), PSVC_OK);
    ck_assert_msg(r0.owner == r1.owner && r0.paid == r1.paid && strcmp(r0.rule, r1.rule) == 0,
                  "%s: customer_caused changed the answer", qdesc(&q1));
    check_classify("caused off meter", &q1, expect(&BASE[i], agreed, 0), NULL);
  }
}
END_TEST

/* S-1, with S-2 and S-6 following the same owner: every valid answer has an
   owner of the OWNER domain, and is paid exactly when that owner is the
   customer, the one exception being customer-caused meter damage (S-4). */
START_TEST(test_S1_S2_S6_paid_follows_owner) {
  int seen_util = 0, seen_cust = 0;
  for (int s = 1; s <= 5; s++)
    for (int l = 1; l <= 4; l++)
      for (int a = 0; a <= 2; a++)
        for (int c = 0; c <= 1; c++) {
          psvc_boundary_query q = mkq(s, l, a, c);
          psvc_boundary_result r = PSVC_BOUNDARY_RESULT_INIT;
          int rc = psvc_service_classify(&q, &r);
          if (s == CABLE && a == 0) {
            ck_assert_int_eq(rc, PSVC_EINVAL);
            continue;
          }
          ck_assert_msg(rc == PSVC_OK, "%s: %s", qdesc(&q), CODE_N(rc));
          ck_assert_msg(r.owner == UTIL || r.owner == CUST, "%s: owner %d", qdesc(&q), r.owner);
          ck_assert_msg(r.paid == 0 || r.paid == 1, "%s: paid %d", qdesc(&q), r.paid);
          if (l == METER && c) {
            ck_assert_msg(r.owner == UTIL && r.paid == 1, "%s: S-4 customer-caused", qdesc(&q));
          } else {
            ck_assert_msg(r.paid == (r.owner == CUST), "%s: S-1 paid %d owner %s", qdesc(&q),
                          r.paid, OWNER_N(r.owner));
          }
          seen_util += r.owner == UTIL;
          seen_cust += r.owner == CUST;
        }
  ck_assert(seen_util > 0 && seen_cust > 0);
}
END_TEST

/* S-5: the rule and the reason are static text: the same query gives the
   same pointers, and they stay valid after other calls. */
START_TEST(test_S5_rule_and_reason_static) {
  psvc_boundary_query q = mkq(LV, CSIDE, 0, 0);
  psvc_boundary_result r1 = PSVC_BOUNDARY_RESULT_INIT, r2 = PSVC_BOUNDARY_RESULT_INIT;
  ck_assert_int_eq(psvc_service_classify(&q, &r1), PSVC_OK);
  char rule[64], reason[1024];
  snprintf(rule, sizeof rule, "%s", r1.rule);
  snprintf(reason, sizeof reason, "%s", r1.reason);
  for (size_t i = 0; i < NBASE; i++) {
    psvc_boundary_query o = mkq(BASE[i].supply, BASE[i].location, CUST, 1);
    psvc_boundary_result x = PSVC_BOUNDARY_RESULT_INIT;
    ck_assert_int_eq(psvc_service_classify(&o, &x), PSVC_OK);
  }
  ck_assert_int_eq(psvc_service_classify(&q, &r2), PSVC_OK);
  ck_assert_str_eq(r1.rule, rule);
  ck_assert_str_eq(r1.reason, reason);
  ck_assert_ptr_eq(r1.rule, r2.rule);
  ck_assert_ptr_eq(r1.reason, r2.reason);
}
END_TEST

/* S-5: the free meter answer and the paid customer-caused meter answer share
   the rule "S-4" but not the reason; and a contract answer reads differently
   from a table answer of the same result. */
START_TEST(test_S5_reasons_tell_the_cases_apart) {
  psvc_boundary_query q = mkq(HV10, METER, 0, 0);
  psvc_boundary_result fr = PSVC_BOUNDARY_RESULT_INIT, pd = PSVC_BOUNDARY_RESULT_INIT;
  ck_assert_int_eq(psvc_service_classify(&q, &fr), PSVC_OK);
  q.customer_caused = 1;
  ck_assert_int_eq(psvc_service_classify(&q, &pd), PSVC_OK);
  ck_assert_str_eq(fr.rule, "S-4");
  ck_assert_str_eq(pd.rule, "S-4");
  ck_assert_int_eq(fr.paid, 0);
  ck_assert_int_eq(pd.paid, 1);
  ck_assert_str_ne(fr.reason, pd.reason);
  /* a paid table answer vs a free one with the same rule */
  psvc_boundary_result side = PSVC_BOUNDARY_RESULT_INIT, net = PSVC_BOUNDARY_RESULT_INIT;
  q = mkq(LV, CSIDE, 0, 0);
  ck_assert_int_eq(psvc_service_classify(&q, &side), PSVC_OK);
  q = mkq(LV, NET, 0, 0);
  ck_assert_int_eq(psvc_service_classify(&q, &net), PSVC_OK);
  ck_assert_str_eq(side.rule, net.rule);
  ck_assert_str_ne(side.reason, net.reason);
  /* contract paid vs contract free */
  psvc_boundary_result cp = PSVC_BOUNDARY_RESULT_INIT, cf = PSVC_BOUNDARY_RESULT_INIT;
  q = mkq(LV, NET, CUST, 0);
  ck_assert_int_eq(psvc_service_classify(&q, &cp), PSVC_OK);
  q = mkq(LV, CSIDE, UTIL, 0);
  ck_assert_int_eq(psvc_service_classify(&q, &cf), PSVC_OK);
  ck_assert_str_eq(cp.rule, "contract");
  ck_assert_str_eq(cf.rule, "contract");
  ck_assert_int_eq(cp.paid, 1);
  ck_assert_int_eq(cf.paid, 0);
  ck_assert_str_ne(cp.reason, cf.reason);
}
END_TEST

/* ---- classify: invalid input ----------------------------------------------------------- */

/* Runs a call that must fail with `want`, leave *out (if any) as it was and
   leave a fresh message in psvc_errmsg(NULL). */
static void classify_refused(const char *what, const psvc_boundary_query *q,
                             psvc_boundary_result *out, int want_rc) {
  psvc_boundary_result before;
  if (out)
    before = *out;
  prime_errmsg();
  int rc = psvc_service_classify(q, out);
  ck_assert_msg(rc == want_rc, "%s: %s, want %s (%s)", what, CODE_N(rc), CODE_N(want_rc),
                psvc_errmsg(NULL));
  if (out)
    ck_assert_msg(memcmp(out, &before, sizeof before) == 0, "%s: *out was written", what);
  fresh_errmsg(what, psvc_errmsg(NULL));
}

START_TEST(test_S3_classify_null_and_sizes_einval) {
  psvc_boundary_query q = mkq(LV, CSIDE, 0, 0);
  psvc_boundary_result r;
  memset(&r, 0x5A, sizeof r);
  r.size = sizeof r;
  classify_refused("NULL q", NULL, &r, PSVC_EINVAL);
  classify_refused("NULL out", &q, NULL, PSVC_EINVAL);
  classify_refused("NULL both", NULL, NULL, PSVC_EINVAL);
  /* query sizes smaller than v1's */
  const uint32_t qsmall[] = {0, 1, (uint32_t)offsetof(psvc_boundary_query, customer_caused),
                             (uint32_t)sizeof q - 1};
  for (size_t i = 0; i < sizeof qsmall / sizeof qsmall[0]; i++) {
    psvc_boundary_query b = q;
    b.size = qsmall[i];
    char what[64];
    snprintf(what, sizeof what, "q->size %u", (unsigned)qsmall[i]);
    classify_refused(what, &b, &r, PSVC_EINVAL);
  }
  /* result sizes smaller than v1's */
  const uint32_t rsmall[] = {0, 1, (uint32_t)offsetof(psvc_boundary_result, reason),
                             (uint32_t)sizeof r - 1};
  for (size_t i = 0; i < sizeof rsmall / sizeof rsmall[0]; i++) {
    psvc_boundary_result b;
    memset(&b, 0x5A, sizeof b);
    b.size = rsmall[i];
    char what[64];
    snprintf(what, sizeof what, "out->size %u", (unsigned)rsmall[i]);
    classify_refused(what, &q, &b, PSVC_EINVAL);
  }
}
END_TEST

START_TEST(test_S3_classify_out_of_range_einval) {
  static const int bad_supply[] = {0, 6, -1, 100, INT_MAX, INT_MIN};
  static const int bad_loc[] = {0, 5, -1, 100, INT_MAX, INT_MIN};
  static const int bad_owner[] = {-1, 3, 100, INT_MAX, INT_MIN};
  psvc_boundary_result r;
  memset(&r, 0x3C, sizeof r);
  r.size = sizeof r;
  char what[128];
  for (size_t i = 0; i < sizeof bad_supply / sizeof bad_supply[0]; i++)
    for (int loc = NET; loc <= CSIDE; loc++) {
      psvc_boundary_query q = mkq(bad_supply[i], loc, UTIL, 0);
      snprintf(what, sizeof what, "supply %d", bad_supply[i]);
      classify_refused(what, &q, &r, PSVC_EINVAL);
    }
  for (size_t i = 0; i < sizeof bad_loc / sizeof bad_loc[0]; i++)
    for (int s = LV; s <= CLINE; s++) {
      psvc_boundary_query q = mkq(s, bad_loc[i], UTIL, 0);
      snprintf(what, sizeof what, "location %d", bad_loc[i]);
      classify_refused(what, &q, &r, PSVC_EINVAL);
    }
  /* a bad agreed_owner is refused everywhere, the meter (where the contract
     does not apply) and CABLE included */
  for (size_t i = 0; i < sizeof bad_owner / sizeof bad_owner[0]; i++)
    for (int s = LV; s <= CLINE; s++)
      for (int loc = NET; loc <= CSIDE; loc++) {
        psvc_boundary_query q = mkq(s, loc, bad_owner[i], 0);
        snprintf(what, sizeof what, "agreed_owner %d at %d/%d", bad_owner[i], s, loc);
        classify_refused(what, &q, &r, PSVC_EINVAL);
        q.customer_caused = 1;
        classify_refused(what, &q, &r, PSVC_EINVAL);
      }
}
END_TEST

/* API.md §0: a caller built against a later version passes bigger structs;
   v1 reads and writes only its own members. */
START_TEST(test_S3_classify_larger_structs_accepted) {
  struct {
    psvc_boundary_query q;
    unsigned char extra[16];
  } bq;
  memset(&bq, 0x77, sizeof bq);
  bq.q = mkq(CLINE, BDEV, 0, 0);
  bq.q.size = sizeof bq;
  struct {
    psvc_boundary_result r;
    unsigned char tail[16];
  } br;
  memset(&br, 0xEE, sizeof br);
  br.r.size = sizeof br;
  ck_assert_int_eq(psvc_service_classify(&bq.q, &br.r), PSVC_OK);
  ck_assert_int_eq(br.r.owner, CUST);
  ck_assert_int_eq(br.r.paid, 1);
  ck_assert_str_eq(br.r.rule, "S-3(5)");
  ck_assert_int_eq(br.r.size, sizeof br);
  for (size_t i = 0; i < sizeof br.tail; i++)
    ck_assert_msg(br.tail[i] == 0xEE, "byte %zu past v1's result was written", i);
}
END_TEST

/* ---- fees -------------------------------------------------------------------------------- */

static fault_mem *M;
static psvc_ctx *CTX;

static const psvc_actor SYS = {sizeof(psvc_actor), "import", PSVC_ROLE_SYSTEM, "Desk-1"};
static const psvc_actor AGENT = {sizeof(psvc_actor), "agent.01", PSVC_ROLE_AGENT, "Desk-1"};

static psvc_ctx *open_on(fault_mem *m) {
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  int rc = psvc_ctx_open(&ctx, &s);
  ck_assert_msg(rc == PSVC_OK, "psvc_ctx_open: %s (%s)", CODE_N(rc), psvc_errmsg(NULL));
  return ctx;
}

static void save_full(psvc_ctx *ctx, const char *id, int variant) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(fault_customer_full(&c, id, variant), PSVC_OK);
  ck_assert_msg(psvc_customer_save(ctx, c) == PSVC_OK, "%s", psvc_errmsg(ctx));
  psvc_customer_free(c);
}

static void open_order(psvc_ctx *ctx, const char *id, int type, const char *cust, int area,
                       const psvc_actor *who) {
  psvc_order_spec s = PSVC_ORDER_SPEC_INIT;
  s.id = id;
  s.type = type;
  s.channel = PSVC_CHANNEL_PHONE;
  s.customer_id = cust;
  s.area = area;
  s.accepted_at = T0;
  s.summary = "boundary test";
  int rc = psvc_order_open(ctx, &s, who);
  ck_assert_msg(rc == PSVC_OK, "opening %s (type %d): %s (%s)", id, type, CODE_N(rc),
                psvc_errmsg(ctx));
}

/* Orders: F-1 (FAULT_REPAIR of CU-URBAN), F-ANON (anonymous fault in a rural
   area), and one order of every other type, O-<type>. */
static void add_orders(psvc_ctx *ctx) {
  open_order(ctx, "F-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", 0, &AGENT);
  open_order(ctx, "F-ANON", PSVC_ORDER_FAULT_REPAIR, NULL, PSVC_AREA_RURAL, &AGENT);
  for (int t = PSVC_ORDER_SERVICE_REQUEST; t <= PSVC_ORDER_DISPATCH; t++) {
    if (t == PSVC_ORDER_FAULT_REPAIR)
      continue;
    char id[16];
    snprintf(id, sizeof id, "O-%d", t);
    open_order(ctx, id, t, "CU-URBAN", 0, &SYS);
  }
}

static void setup(void) {
  M = fault_mem_new();
  CTX = open_on(M);
  save_full(CTX, "CU-URBAN", 2);
  save_full(CTX, "CU-RURAL", 1);
  add_orders(CTX);
}

static void teardown(void) {
  psvc_ctx_close(CTX);
  CTX = NULL;
  ck_assert_int_eq(M->violations, 0);
  fault_mem_free(M);
  M = NULL;
}

static int64_t fee_of(psvc_ctx *ctx, const char *code, int *rc) {
  int64_t v = -12345;
  *rc = psvc_fee_get(ctx, code, &v);
  return v;
}

static void fee_is(psvc_ctx *ctx, const char *code, int64_t want_v) {
  int rc;
  int64_t v = fee_of(ctx, code, &rc);
  ck_assert_msg(rc == PSVC_OK, "fee_get(%s): %s (%s)", code, CODE_N(rc), psvc_errmsg(ctx));
  ck_assert_msg(v == want_v, "fee_get(%s) = %lld, want %lld", code, (long long)v, (long long)want_v);
}

static void fee_absent(psvc_ctx *ctx, const char *code) {
  int64_t v = 777;
  int rc = psvc_fee_get(ctx, code, &v);
  ck_assert_msg(rc == PSVC_ENOTFOUND, "fee_get(%s): %s, want ENOTFOUND", code, CODE_N(rc));
  ck_assert_msg(v == 777, "fee_get(%s) wrote *out on failure", code);
  ck_assert_msg(psvc_errmsg(ctx)[0] != '\0', "fee_get(%s): no message", code);
}

START_TEST(test_fee_set_get_replace) {
  fee_absent(CTX, "LV-DROP-REPAIR");
  ck_assert_int_eq(psvc_fee_set(CTX, "LV-DROP-REPAIR", 15000), PSVC_OK);
  fee_is(CTX, "LV-DROP-REPAIR", 15000);
  /* set twice replaces */
  ck_assert_int_eq(psvc_fee_set(CTX, "LV-DROP-REPAIR", 18050), PSVC_OK);
  fee_is(CTX, "LV-DROP-REPAIR", 18050);
  /* the edges of the range */
  ck_assert_int_eq(psvc_fee_set(CTX, "FREE-OF-CHARGE", 0), PSVC_OK);
  fee_is(CTX, "FREE-OF-CHARGE", 0);
  ck_assert_int_eq(psvc_fee_set(CTX, "BIG", INT64_MAX), PSVC_OK);
  fee_is(CTX, "BIG", INT64_MAX);
  /* codes of every id character, 1 and 64 bytes */
  ck_assert_int_eq(psvc_fee_set(CTX, "a.B_9-z", 1), PSVC_OK);
  fee_is(CTX, "a.B_9-z", 1);
  ck_assert_int_eq(psvc_fee_set(CTX, "x", 2), PSVC_OK);
  fee_is(CTX, "x", 2);
  char c64[65];
  memset(c64, 'K', 64);
  c64[64] = '\0';
  ck_assert_int_eq(psvc_fee_set(CTX, c64, 64), PSVC_OK);
  fee_is(CTX, c64, 64);
  /* many codes, each kept apart */
  for (int i = 0; i < 200; i++) {
    char code[32];
    snprintf(code, sizeof code, "SVC-%03d", i);
    ck_assert_int_eq(psvc_fee_set(CTX, code, 100 * i + 7), PSVC_OK);
  }
  for (int i = 0; i < 200; i++) {
    char code[32];
    snprintf(code, sizeof code, "SVC-%03d", i);
    fee_is(CTX, code, 100 * i + 7);
  }
  fee_is(CTX, "LV-DROP-REPAIR", 18050);
  fee_absent(CTX, "SVC-200");
  fee_absent(CTX, "LV-DROP");
  fee_absent(CTX, "LV-DROP-REPAIR-2");
}
END_TEST

START_TEST(test_fee_invalid_arguments) {
  ck_assert_int_eq(psvc_fee_set(CTX, "KEEP", 500), PSVC_OK);
  char c65[66];
  memset(c65, 'K', 65);
  c65[65] = '\0';
  const char *const bad[] = {"", "a b", "LV/DROP", "\xc3\xa9", "tab\tx", c65, "new\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = psvc_fee_set(CTX, bad[i], 100);
    ck_assert_msg(rc == PSVC_EINVAL, "fee_set(\"%s\"): %s, want EINVAL", bad[i], CODE_N(rc));
    ck_assert_msg(psvc_errmsg(CTX)[0] != '\0', "fee_set(\"%s\"): no message", bad[i]);
  }
  ck_assert_int_eq(psvc_fee_set(NULL, "KEEP", 100), PSVC_EINVAL);
  ck_assert_msg(psvc_errmsg(NULL)[0] != '\0', "fee_set(NULL ctx): no message");
  ck_assert_int_eq(psvc_fee_set(CTX, NULL, 100), PSVC_EINVAL);
  ck_assert_msg(psvc_errmsg(CTX)[0] != '\0', "fee_set(NULL code): no message");
  /* negative amounts */
  const int64_t neg[] = {-1, -15000, INT64_MIN};
  for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++) {
    int rc = psvc_fee_set(CTX, "KEEP", neg[i]);
    ck_assert_msg(rc == PSVC_ERANGE, "fee_set(KEEP, %lld): %s, want ERANGE", (long long)neg[i],
                  CODE_N(rc));
    ck_assert_msg(psvc_errmsg(CTX)[0] != '\0', "fee_set(negative): no message");
    rc = psvc_fee_set(CTX, "NEWCODE", neg[i]);
    ck_assert_msg(rc == PSVC_ERANGE, "fee_set(NEWCODE, %lld): %s, want ERANGE",
                  (long long)neg[i], CODE_N(rc));
  }
  /* a failed call changed nothing */
  fee_is(CTX, "KEEP", 500);
  fee_absent(CTX, "NEWCODE");
  /* get: NULLs are EINVAL and write nothing */
  int64_t v = 99;
  ck_assert_int_eq(psvc_fee_get(NULL, "KEEP", &v), PSVC_EINVAL);
  ck_assert_int_eq(psvc_fee_get(CTX, NULL, &v), PSVC_EINVAL);
  ck_assert_int_eq(psvc_fee_get(CTX, "KEEP", NULL), PSVC_EINVAL);
  ck_assert(v == 99);
  /* a code that is not an id has no fee: EINVAL or ENOTFOUND, *out untouched */
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = psvc_fee_get(CTX, bad[i], &v);
    ck_assert_msg(rc == PSVC_EINVAL || rc == PSVC_ENOTFOUND, "fee_get(\"%s\"): %s", bad[i],
                  CODE_N(rc));
    ck_assert(v == 99);
  }
}
END_TEST

/* Fees belong to the context, and are not stored (the store sees no write;
   a context reopened on the same records has none). */
START_TEST(test_fee_per_context_not_stored) {
  psvc_ctx *other = NULL;
  ck_assert_int_eq(psvc_ctx_open(&other, NULL), PSVC_OK);
  long puts = M->puts, dels = M->dels, begins = M->begins;
  ck_assert_int_eq(psvc_fee_set(CTX, "LV-DROP-REPAIR", 15000), PSVC_OK);
  ck_assert_int_eq(psvc_fee_set(other, "LV-DROP-REPAIR", 9000), PSVC_OK);
  ck_assert_int_eq(psvc_fee_set(other, "ONLY-OTHER", 1), PSVC_OK);
  fee_is(CTX, "LV-DROP-REPAIR", 15000);
  fee_is(other, "LV-DROP-REPAIR", 9000);
  fee_absent(CTX, "ONLY-OTHER");
  ck_assert_int_eq(M->puts, puts);
  ck_assert_int_eq(M->dels, dels);
  ck_assert_int_eq(M->begins, begins);
  psvc_ctx_close(other);
  fee_is(CTX, "LV-DROP-REPAIR", 15000);
  /* reopen on the same records */
  psvc_ctx_close(CTX);
  CTX = open_on(M);
  fee_absent(CTX, "LV-DROP-REPAIR");
}
END_TEST

/* ---- quotes ------------------------------------------------------------------------------ */

static char *dump(psvc_ctx *ctx) {
  char *d = fault_dump_ctx(ctx);
  ck_assert_ptr_nonnull(d);
  return d;
}

#define FEE_CODE "LV-DROP-REPAIR"
#define FEE 15000

/* Quotes q on order `id` with `code`; checks rc and, on success, that the
   quote repeats the classification (owner, paid, rule, reason) and prices
   it: the fee if paid, 0 if free. A failure leaves *out untouched. */
static void check_quote(const char *what, const char *id, const psvc_boundary_query *q,
                        const char *code, int want_rc, int64_t want_amount) {
  psvc_quote out, before;
  memset(&out, 0xC3, sizeof out);
  out.size = sizeof out;
  before = out;
  int rc = psvc_order_quote(CTX, id, q, code, &out);
  ck_assert_msg(rc == want_rc, "%s: psvc_order_quote(%s, %s, %s) = %s, want %s (%s)", what,
                SHOW(id), q ? qdesc(q) : "NULL", SHOW(code), CODE_N(rc), CODE_N(want_rc),
                psvc_errmsg(CTX));
  if (rc != PSVC_OK) {
    ck_assert_msg(memcmp(&out, &before, sizeof out) == 0, "%s: *out was written", what);
    ck_assert_msg(psvc_errmsg(CTX)[0] != '\0', "%s: no message in psvc_errmsg(ctx)", what);
    return;
  }
  psvc_boundary_result r = PSVC_BOUNDARY_RESULT_INIT;
  ck_assert_int_eq(psvc_service_classify(q, &r), PSVC_OK);
  ck_assert_msg(out.owner == r.owner && out.paid == r.paid, "%s: %s quote owner %d paid %d, "
                "classify owner %d paid %d", what, qdesc(q), out.owner, out.paid, r.owner,
                r.paid);
  ck_assert_msg(out.rule && strcmp(out.rule, r.rule) == 0, "%s: %s quote rule %s, classify %s",
                what, qdesc(q), SHOW(out.rule), r.rule);
  ck_assert_msg(out.reason && strcmp(out.reason, r.reason) == 0,
                "%s: %s quote reason \"%s\", classify \"%s\"", what, qdesc(q), SHOW(out.reason),
                r.reason);
  ck_assert_msg(out.amount_cents == want_amount, "%s: %s amount %lld, want %lld", what, qdesc(q),
                (long long)out.amount_cents, (long long)want_amount);
  ck_assert_int_eq(out.size, sizeof out);
}

/* The whole table again through a FAULT_REPAIR order: free answers cost 0
   (with the code, with no code, with a code that has no fee), paid answers
   cost the fee of the code and need one; the context and the store are
   unchanged by quoting. */
START_TEST(test_S1_S5_quote_every_row_every_override) {
  static const int agreed[] = {0, UTIL, CUST};
  static const int caused[] = {0, 1};
  ck_assert_int_eq(psvc_fee_set(CTX, FEE_CODE, FEE), PSVC_OK);
  char *before = dump(CTX);
  long puts = M->puts, dels = M->dels, begins = M->begins;
  int npaid = 0, nfree = 0;
  const char *const orders[] = {"F-1", "F-ANON"};
  for (size_t o = 0; o < 2; o++)
    for (size_t i = 0; i < NBASE; i++)
      for (size_t a = 0; a < 3; a++)
        for (size_t c = 0; c < 2; c++) {
          psvc_boundary_query q = mkq(BASE[i].supply, BASE[i].location, agreed[a], caused[c]);
          want w = expect(&BASE[i], agreed[a], caused[c]);
          if (w.rc != PSVC_OK) {
            check_quote("quote invalid", orders[o], &q, FEE_CODE, w.rc, 0);
            check_quote("quote invalid no code", orders[o], &q, NULL, w.rc, 0);
            continue;
          }
          if (w.paid) {
            npaid++;
            check_quote("quote paid", orders[o], &q, FEE_CODE, PSVC_OK, FEE);
            check_quote("quote paid, no fee", orders[o], &q, "NO-SUCH-FEE", PSVC_ENOTFOUND, 0);
            /* NULL code for a paid service: refused, EINVAL or ENOTFOUND */
            psvc_quote out, copy;
            memset(&out, 0x11, sizeof out);
            out.size = sizeof out;
            copy = out;
            int rc = psvc_order_quote(CTX, orders[o], &q, NULL, &out);
            ck_assert_msg(rc == PSVC_EINVAL || rc == PSVC_ENOTFOUND,
                          "quote paid, NULL code: %s %s", qdesc(&q), CODE_N(rc));
            ck_assert_msg(memcmp(&out, &copy, sizeof out) == 0, "quote paid, NULL code wrote");
          } else {
            nfree++;
            check_quote("quote free", orders[o], &q, FEE_CODE, PSVC_OK, 0);
            check_quote("quote free, NULL code", orders[o], &q, NULL, PSVC_OK, 0);
            check_quote("quote free, code without fee", orders[o], &q, "NO-SUCH-FEE", PSVC_OK,
                        0);
          }
        }
  ck_assert(npaid > 0 && nfree > 0);
  char *after = dump(CTX);
  ck_assert_str_eq(after, before);
  free(before);
  free(after);
  ck_assert_int_eq(M->puts, puts);
  ck_assert_int_eq(M->dels, dels);
  ck_assert_int_eq(M->begins, begins);
}
END_TEST

/* The quote follows the fee schedule as it is now, and a fee of 0 still
   quotes a paid service (paid 1, amount 0). */
START_TEST(test_S1_quote_follows_fee_schedule) {
  psvc_boundary_query paid = mkq(HV10, CSIDE, 0, 0);
  psvc_boundary_query meter = mkq(LV, METER, 0, 1); /* S-4: paid */
  check_quote("no fee yet", "F-1", &paid, FEE_CODE, PSVC_ENOTFOUND, 0);
  ck_assert_int_eq(psvc_fee_set(CTX, FEE_CODE, FEE), PSVC_OK);
  check_quote("fee", "F-1", &paid, FEE_CODE, PSVC_OK, FEE);
  ck_assert_int_eq(psvc_fee_set(CTX, FEE_CODE, 20001), PSVC_OK);
  check_quote("replaced fee", "F-1", &paid, FEE_CODE, PSVC_OK, 20001);
  ck_assert_int_eq(psvc_fee_set(CTX, "METER-DAMAGE", 8800), PSVC_OK);
  check_quote("meter damage", "F-ANON", &meter, "METER-DAMAGE", PSVC_OK, 8800);
  ck_assert_int_eq(psvc_fee_set(CTX, "ZERO", 0), PSVC_OK);
  check_quote("fee 0", "F-1", &paid, "ZERO", PSVC_OK, 0);
  psvc_quote out = PSVC_QUOTE_INIT;
  ck_assert_int_eq(psvc_order_quote(CTX, "F-1", &paid, "ZERO", &out), PSVC_OK);
  ck_assert_int_eq(out.paid, 1);
  ck_assert_int_eq(out.owner, CUST);
  ck_assert_str_eq(out.rule, "S-3(2)");
  ck_assert_int_eq(psvc_fee_set(CTX, "BIG", INT64_MAX), PSVC_OK);
  check_quote("fee max", "F-1", &paid, "BIG", PSVC_OK, INT64_MAX);
  /* a paid service with a code that is not an id: refused */
  psvc_quote o2, c2;
  memset(&o2, 0x44, sizeof o2);
  o2.size = sizeof o2;
  c2 = o2;
  int rc = psvc_order_quote(CTX, "F-1", &paid, "a b", &o2);
  ck_assert_msg(rc == PSVC_EINVAL || rc == PSVC_ENOTFOUND, "bad code: %s", CODE_N(rc));
  ck_assert(memcmp(&o2, &c2, sizeof o2) == 0);
}
END_TEST

START_TEST(test_quote_order_errors) {
  ck_assert_int_eq(psvc_fee_set(CTX, FEE_CODE, FEE), PSVC_OK);
  char *before = dump(CTX);
  long puts = M->puts, dels = M->dels;
  psvc_boundary_query paid = mkq(LV, CSIDE, 0, 0);
  psvc_boundary_query free_ = mkq(LV, NET, 0, 0);
  /* unknown order */
  check_quote("unknown order", "F-404", &paid, FEE_CODE, PSVC_ENOTFOUND, 0);
  check_quote("unknown order, free", "F-404", &free_, NULL, PSVC_ENOTFOUND, 0);
  check_quote("order ids are exact", "f-1", &paid, FEE_CODE, PSVC_ENOTFOUND, 0);
  /* every other type is refused */
  for (int t = PSVC_ORDER_SERVICE_REQUEST; t <= PSVC_ORDER_DISPATCH; t++) {
    if (t == PSVC_ORDER_FAULT_REPAIR)
      continue;
    char id[16];
    snprintf(id, sizeof id, "O-%d", t);
    check_quote("other type", id, &paid, FEE_CODE, PSVC_EINVAL, 0);
    check_quote("other type, free", id, &free_, NULL, PSVC_EINVAL, 0);
  }
  /* classification errors */
  psvc_boundary_query bad[] = {
      mkq(CABLE, BDEV, 0, 0), mkq(CABLE, METER, 0, 1), mkq(0, CSIDE, 0, 0),
      mkq(6, CSIDE, 0, 0),    mkq(LV, 0, 0, 0),        mkq(LV, 5, 0, 0),
      mkq(LV, CSIDE, 3, 0),   mkq(LV, METER, -1, 0),
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    check_quote("bad query", "F-1", &bad[i], FEE_CODE, PSVC_EINVAL, 0);
    check_quote("bad query, no code", "F-1", &bad[i], NULL, PSVC_EINVAL, 0);
  }
  psvc_boundary_query small = paid;
  small.size = (uint32_t)sizeof small - 1;
  check_quote("q->size small", "F-1", &small, FEE_CODE, PSVC_EINVAL, 0);
  small.size = 0;
  check_quote("q->size 0", "F-1", &small, FEE_CODE, PSVC_EINVAL, 0);
  /* NULLs */
  check_quote("NULL order id", NULL, &paid, FEE_CODE, PSVC_EINVAL, 0);
  check_quote("NULL query", "F-1", NULL, FEE_CODE, PSVC_EINVAL, 0);
  psvc_quote out, copy;
  memset(&out, 0x22, sizeof out);
  out.size = sizeof out;
  copy = out;
  ck_assert_int_eq(psvc_order_quote(NULL, "F-1", &paid, FEE_CODE, &out), PSVC_EINVAL);
  ck_assert(memcmp(&out, &copy, sizeof out) == 0);
  ck_assert_msg(psvc_errmsg(NULL)[0] != '\0', "NULL ctx: no message");
  ck_assert_int_eq(psvc_order_quote(CTX, "F-1", &paid, FEE_CODE, NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_order_quote(CTX, "F-1", &free_, NULL, NULL), PSVC_EINVAL);
  /* out->size smaller than v1's */
  const uint32_t osmall[] = {0, 1, (uint32_t)offsetof(psvc_quote, amount_cents),
                             (uint32_t)sizeof(psvc_quote) - 1};
  for (size_t i = 0; i < sizeof osmall / sizeof osmall[0]; i++) {
    memset(&out, 0x33, sizeof out);
    out.size = osmall[i];
    copy = out;
    int rc = psvc_order_quote(CTX, "F-1", &paid, FEE_CODE, &out);
    ck_assert_msg(rc == PSVC_EINVAL, "out->size %u: %s", (unsigned)osmall[i], CODE_N(rc));
    ck_assert_msg(memcmp(&out, &copy, sizeof out) == 0, "out->size %u: *out written",
                  (unsigned)osmall[i]);
    rc = psvc_order_quote(CTX, "F-1", &free_, NULL, &out);
    ck_assert_msg(rc == PSVC_EINVAL, "out->size %u (free): %s", (unsigned)osmall[i],
                  CODE_N(rc));
    ck_assert(memcmp(&out, &copy, sizeof out) == 0);
  }
  /* nothing changed */
  char *after = dump(CTX);
  ck_assert_str_eq(after, before);
  free(before);
  free(after);
  ck_assert_int_eq(M->puts, puts);
  ck_assert_int_eq(M->dels, dels);
  fee_is(CTX, FEE_CODE, FEE);
}
END_TEST

/* API.md §0 for the quote: a bigger psvc_quote is accepted and nothing past
   v1's members is written. */
START_TEST(test_quote_larger_struct_accepted) {
  ck_assert_int_eq(psvc_fee_set(CTX, FEE_CODE, FEE), PSVC_OK);
  struct {
    psvc_quote qt;
    unsigned char tail[16];
  } big;
  memset(&big, 0xEE, sizeof big);
  big.qt.size = sizeof big;
  psvc_boundary_query q = mkq(HV35, CSIDE, 0, 0);
  ck_assert_int_eq(psvc_order_quote(CTX, "F-1", &q, FEE_CODE, &big.qt), PSVC_OK);
  ck_assert_int_eq(big.qt.paid, 1);
  ck_assert_int_eq(big.qt.owner, CUST);
  ck_assert_str_eq(big.qt.rule, "S-3(3)");
  ck_assert(big.qt.amount_cents == FEE);
  for (size_t i = 0; i < sizeof big.tail; i++)
    ck_assert_msg(big.tail[i] == 0xEE, "byte %zu past v1's quote was written", i);
}
END_TEST

/* A FAULT_REPAIR order can be quoted along its life (the customer is told
   before the paid repair, S-5), and quoting adds no event. */
START_TEST(test_S5_quote_during_repair_adds_no_event) {
  ck_assert_int_eq(psvc_fee_set(CTX, FEE_CODE, FEE), PSVC_OK);
  psvc_event ev = PSVC_EVENT_INIT;
  ev.action = PSVC_ACT_DISPATCH;
  ev.at = T0 + 60;
  ev.target = "Crew-A";
  ck_assert_msg(psvc_order_apply(CTX, "F-1", &ev, &SYS) == PSVC_OK, "%s", psvc_errmsg(CTX));
  psvc_boundary_query q = mkq(LV, CSIDE, 0, 0);
  check_quote("dispatched", "F-1", &q, FEE_CODE, PSVC_OK, FEE);
  psvc_order *o = NULL;
  ck_assert_int_eq(psvc_order_load(CTX, "F-1", &o), PSVC_OK);
  ck_assert_uint_eq(psvc_order_event_count(o), 1);
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_DISPATCHED);
  psvc_order_free(o);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------------------ */

/* Every allocation failure in psvc_fee_set and psvc_order_quote is
   PSVC_ENOMEM and changes nothing; retried with a later failure point the
   call completes; nothing leaks. */
START_TEST(test_fee_and_quote_alloc_failures) {
  fault_alloc a;
  FAULT_ALLOC_BEGIN(&a);
  fault_mem *m = fault_mem_new();
  psvc_ctx *ctx = open_on(m);
  save_full(ctx, "CU-URBAN", 2);
  open_order(ctx, "F-1", PSVC_ORDER_FAULT_REPAIR, "CU-URBAN", 0, &AGENT);
  int rc;
  long k;
  /* a new code */
  for (k = 1; k < 10000; k++) {
    fault_alloc_arm(&a, k);
    rc = psvc_fee_set(ctx, "NEW-CODE", 500);
    fault_alloc_arm(&a, 0);
    if (rc == PSVC_OK)
      break;
    ck_assert_msg(rc == PSVC_ENOMEM, "fee_set, failure %ld: %s", k, CODE_N(rc));
    fee_absent(ctx, "NEW-CODE");
  }
  ck_assert_int_eq(rc, PSVC_OK);
  fee_is(ctx, "NEW-CODE", 500);
  /* replacing it */
  for (k = 1; k < 10000; k++) {
    fault_alloc_arm(&a, k);
    rc = psvc_fee_set(ctx, "NEW-CODE", 700);
    fault_alloc_arm(&a, 0);
    if (rc == PSVC_OK)
      break;
    ck_assert_msg(rc == PSVC_ENOMEM, "fee_set replace, failure %ld: %s", k, CODE_N(rc));
    fee_is(ctx, "NEW-CODE", 500);
  }
  ck_assert_int_eq(rc, PSVC_OK);
  fee_is(ctx, "NEW-CODE", 700);
  /* quotes, paid and free */
  const psvc_boundary_query qs[] = {mkq(LV, CSIDE, 0, 0), mkq(LV, NET, 0, 0)};
  const int64_t amounts[] = {700, 0};
  for (size_t i = 0; i < 2; i++) {
    for (k = 1; k < 10000; k++) {
      psvc_quote out, copy;
      memset(&out, 0x66, sizeof out);
      out.size = sizeof out;
      copy = out;
      fault_alloc_arm(&a, k);
      rc = psvc_order_quote(ctx, "F-1", &qs[i], "NEW-CODE", &out);
      fault_alloc_arm(&a, 0);
      if (rc == PSVC_OK) {
        ck_assert(out.amount_cents == amounts[i]);
        break;
      }
      ck_assert_msg(rc == PSVC_ENOMEM, "quote %zu, failure %ld: %s", i, k, CODE_N(rc));
      ck_assert_msg(memcmp(&out, &copy, sizeof out) == 0, "quote %zu, failure %ld wrote", i, k);
    }
    ck_assert_int_eq(rc, PSVC_OK);
  }
  psvc_ctx_close(ctx);
  fault_mem_free(m);
  FAULT_ALLOC_END(&a);
}
END_TEST

/* ---- suite ---------------------------------------------------------------------------------- */

static Suite *boundary_suite(void) {
  Suite *s = suite_create("boundary");
  TCase *tc = tcase_create("classify");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_S1_S3_S4_S5_every_row_every_override);
  tcase_add_test(tc, test_S3_table_covers_every_supply_and_location);
  tcase_add_test(tc, test_S3_1_to_S3_5_base_rows_spelled_out);
  tcase_add_test(tc, test_S3_5_customer_line_first_pole_is_paid);
  tcase_add_test(tc, test_S3_4_cable_agreed_owner_decides_boundary_device);
  tcase_add_test(tc, test_S3_4_cable_without_contract_einval);
  tcase_add_test(tc, test_S3_contract_override_prevails);
  tcase_add_test(tc, test_S4_meter_utility_free_unless_customer_caused);
  tcase_add_test(tc, test_S4_customer_caused_ignored_off_meter);
  tcase_add_test(tc, test_S1_S2_S6_paid_follows_owner);
  tcase_add_test(tc, test_S5_rule_and_reason_static);
  tcase_add_test(tc, test_S5_reasons_tell_the_cases_apart);
  suite_add_tcase(s, tc);

  tc = tcase_create("classify_errors");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_S3_classify_null_and_sizes_einval);
  tcase_add_test(tc, test_S3_classify_out_of_range_einval);
  tcase_add_test(tc, test_S3_classify_larger_structs_accepted);
  suite_add_tcase(s, tc);

  tc = tcase_create("fees");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_fee_set_get_replace);
  tcase_add_test(tc, test_fee_invalid_arguments);
  tcase_add_test(tc, test_fee_per_context_not_stored);
  suite_add_tcase(s, tc);

  tc = tcase_create("quotes");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_S1_S5_quote_every_row_every_override);
  tcase_add_test(tc, test_S1_quote_follows_fee_schedule);
  tcase_add_test(tc, test_quote_order_errors);
  tcase_add_test(tc, test_quote_larger_struct_accepted);
  tcase_add_test(tc, test_S5_quote_during_repair_adds_no_event);
  suite_add_tcase(s, tc);

  tc = tcase_create("alloc_failures");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_fee_and_quote_alloc_failures);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(boundary_suite()); }
