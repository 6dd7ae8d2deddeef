/*
 * boundary.c — paid or free: service classification by the property
 * boundary of the supply facilities (rules S-1 ... S-5), the fee schedule
 * and quotes for FAULT_REPAIR orders.
 *
 * How it works. rows[] is the Rules of Power Supply Business (art. 47, the
 * boundary points S-3(1)-(5)) as a table: one row per (supply point,
 * location of the faulty facility) with its owner, rule and a sentence an
 * agent can read to the customer (S-5). Two adjustments are then applied,
 * each with its own rule text:
 *   - a contract that fixes the boundary (agreed_owner) prevails for every
 *     facility but the meter (rule "contract"); for CABLE supply the
 *     contract is the rule itself (S-3(4)) and is required;
 *   - the revenue meter is the utility's and its faults are free (S-4),
 *     unless the customer caused the damage, which is charged.
 * Paid follows ownership (S-1): customer-owned facilities are a paid
 * service. docs/service-boundary.md draws each row.
 */
#include "internal.h"

#include <string.h>

#define SP(x) PSVC_SUPPLY_##x
#define LOC(x) PSVC_LOC_##x
#define UTIL PSVC_OWNER_UTILITY
#define CUST PSVC_OWNER_CUSTOMER

typedef struct row {
  int supply, location, owner; /* owner 0: the contract decides (S-3(4)) */
  const char *rule, *reason;
} row;

static const row rows[] = {
    {SP(LV_PUBLIC), LOC(PUBLIC_NETWORK), UTIL, "S-3(1)",
     "The fault is on the public low-voltage network, which the power company owns and "
     "repairs free of charge."},
    {SP(LV_PUBLIC), LOC(BOUNDARY_DEVICE), UTIL, "S-3(1)",
     "The fault is on the last support of your service drop, which belongs to the power "
     "company: the repair is free."},
    {SP(LV_PUBLIC), LOC(CUSTOMER_SIDE), CUST, "S-3(1)",
     "The fault is on your side of the last support of your service drop, on facilities "
     "you own: the repair is a paid service."},
    {SP(HV_PUBLIC_10KV), LOC(PUBLIC_NETWORK), UTIL, "S-3(2)",
     "The fault is on the public 10 kV network, which the power company owns and repairs "
     "free of charge."},
    {SP(HV_PUBLIC_10KV), LOC(BOUNDARY_DEVICE), UTIL, "S-3(2)",
     "The fault is on the first breaker or support outside your premises, which belongs to "
     "the power company: the repair is free."},
    {SP(HV_PUBLIC_10KV), LOC(CUSTOMER_SIDE), CUST, "S-3(2)",
     "The fault is beyond the first breaker or support outside your premises, on "
     "facilities you own: the repair is a paid service."},
    {SP(HV_PUBLIC_35KV), LOC(PUBLIC_NETWORK), UTIL, "S-3(3)",
     "The fault is on the public 35 kV or higher network, which the power company owns "
     "and repairs free of charge."},
    {SP(HV_PUBLIC_35KV), LOC(BOUNDARY_DEVICE), UTIL, "S-3(3)",
     "The fault is on the first pole outside your premises or substation, which belongs to "
     "the power company: the repair is free."},
    {SP(HV_PUBLIC_35KV), LOC(CUSTOMER_SIDE), CUST, "S-3(3)",
     "The fault is beyond the first pole outside your premises or substation, on "
     "facilities you own: the repair is a paid service."},
    {SP(CABLE), LOC(PUBLIC_NETWORK), UTIL, "S-3(4)",
     "The fault is on the public network upstream of the boundary your supply contract "
     "sets, which the power company owns: the repair is free."},
    {SP(CABLE), LOC(BOUNDARY_DEVICE), 0, "S-3(4)", NULL /* the contract decides */},
    {SP(CABLE), LOC(CUSTOMER_SIDE), CUST, "S-3(4)",
     "The fault is beyond the boundary your supply contract sets, on cable you own: the "
     "repair is a paid service."},
    {SP(CUSTOMER_LINE), LOC(PUBLIC_NETWORK), UTIL, "S-3(5)",
     "The fault is on the public network before the branch pole of your line, which the "
     "power company owns: the repair is free."},
    {SP(CUSTOMER_LINE), LOC(BOUNDARY_DEVICE), CUST, "S-3(5)",
     "The fault is on the first pole of your own line, which belongs to you: the repair is "
     "a paid service."},
    {SP(CUSTOMER_LINE), LOC(CUSTOMER_SIDE), CUST, "S-3(5)",
     "The fault is on the line you own and maintain: the repair is a paid service."},
};

static const char *const CABLE_UTIL =
    "Your supply contract places this boundary facility with the power company: the "
    "repair is free.";
static const char *const CABLE_CUST =
    "Your supply contract places this boundary facility with you: the repair is a paid "
    "service.";
static const char *const CONTRACT_UTIL =
    "Your supply contract fixes the boundary so that this facility belongs to the power "
    "company: the repair is free.";
static const char *const CONTRACT_CUST =
    "Your supply contract fixes the boundary so that this facility belongs to you: the "
    "repair is a paid service.";
static const char *const METER_FREE =
    "The electricity meter belongs to the power company, which installs, tests and "
    "replaces it: the repair is free.";
static const char *const METER_CAUSED =
    "The electricity meter belongs to the power company, but the damage was caused on "
    "your side, so the repair is charged to you.";

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const row *find_row(int supply, int location) {
  for (size_t i = 0; i < COUNT(rows); i++)
    if (rows[i].supply == supply && rows[i].location == location)
      return &rows[i];
  return NULL;
}

/* The whole decision; PSVC_OK or PSVC_EINVAL (thread message). */
static int classify(const psvc_boundary_query *q, int *owner, int *paid, const char **rule,
                    const char **reason) {
  const char *fn = "psvc_service_classify";
  if (!q)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: query is NULL", fn);
  if (q->size < sizeof(psvc_boundary_query))
    return psvc__fail(NULL, PSVC_EINVAL, "%s: query size %u is smaller than v1's (%zu)", fn,
                      (unsigned)q->size, sizeof(psvc_boundary_query));
  if (!psvc_enum_name(PSVC_DOM_SUPPLY_POINT, q->supply))
    return psvc__fail(NULL, PSVC_EINVAL, "%s: supply %d is not a PSVC_SUPPLY_*", fn,
                      q->supply);
  if (!psvc_enum_name(PSVC_DOM_LOCATION, q->location))
    return psvc__fail(NULL, PSVC_EINVAL, "%s: location %d is not a PSVC_LOC_*", fn,
                      q->location);
  if (q->agreed_owner != 0 && !psvc_enum_name(PSVC_DOM_OWNER, q->agreed_owner))
    return psvc__fail(NULL, PSVC_EINVAL, "%s: agreed_owner %d is neither 0 nor a PSVC_OWNER_*",
                      fn, q->agreed_owner);
  if (q->supply == PSVC_SUPPLY_CABLE && !q->agreed_owner)
    return psvc__fail(NULL, PSVC_EINVAL,
                      "%s: for cable supply the supply contract must state the boundary "
                      "(S-3(4)): give agreed_owner", fn);
  if (q->location == PSVC_LOC_METER) { /* S-4, whatever the supply or contract */
    *owner = PSVC_OWNER_UTILITY;
    *paid = q->customer_caused != 0;
    *rule = "S-4";
    *reason = q->customer_caused ? METER_CAUSED : METER_FREE;
    return PSVC_OK;
  }
  const row *r = find_row(q->supply, q->location);
  if (!r) /* the table has every (supply, location) pair: test_boundary.c proves it */
    return psvc__fail(NULL, PSVC_EINVAL, "%s: no rule for supply %d at location %d", fn,
                      q->supply, q->location);
  *owner = r->owner;
  *rule = r->rule;
  *reason = r->reason;
  if (q->supply == PSVC_SUPPLY_CABLE) {
    if (!r->owner) {
      *owner = q->agreed_owner;
      *reason = *owner == PSVC_OWNER_UTILITY ? CABLE_UTIL : CABLE_CUST;
    }
  } else if (q->agreed_owner) { /* the agreement prevails (S-3, last sentence) */
    *owner = q->agreed_owner;
    *rule = "contract";
    *reason = *owner == PSVC_OWNER_UTILITY ? CONTRACT_UTIL : CONTRACT_CUST;
  }
  *paid = *owner == PSVC_OWNER_CUSTOMER; /* S-1 */
  return PSVC_OK;
}

PSVC_API int psvc_service_classify(const psvc_boundary_query *q, psvc_boundary_result *out) {
  if (!out || out->size < sizeof(psvc_boundary_result))
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_service_classify: out is NULL or its size "
                      "is smaller than v1's");
  int owner = 0, paid = 0;
  const char *rule = NULL, *reason = NULL;
  int rc = classify(q, &owner, &paid, &rule, &reason);
  if (rc)
    return rc;
  out->owner = owner;
  out->paid = paid;
  out->rule = rule;
  out->reason = reason;
  return PSVC_OK;
}

/* ---- fees and quotes ------------------------------------------------------------------- */

typedef struct fee {
  char *code;
  int64_t cents;
} fee;

void psvc__fees_free(psvc_ctx *ctx) {
  for (size_t i = 0; i < ctx->fees.cap; i++)
    if (ctx->fees.slots[i].key) {
      fee *f = ctx->fees.slots[i].value;
      psvc__free(f->code);
      psvc__free(f);
    }
  psvc__map_free(&ctx->fees);
}

PSVC_API int psvc_fee_set(psvc_ctx *ctx, const char *code, int64_t cents) {
  const char *fn = "psvc_fee_set", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if ((why = code ? psvc__id_problem(code) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: service code %s", fn, why);
  if (cents < 0)
    return psvc__fail(ctx, PSVC_ERANGE, "%s: a fee cannot be negative (%lld)", fn,
                      (long long)cents);
  fee *f = psvc__map_get(&ctx->fees, code);
  if (f) {
    f->cents = cents;
    return PSVC_OK;
  }
  f = psvc__calloc(1, sizeof *f);
  if (!f || !(f->code = psvc__strdup(code)) || psvc__map_reserve(&ctx->fees, 1) != PSVC_OK) {
    if (f)
      psvc__free(f->code);
    psvc__free(f);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  f->cents = cents;
  psvc__map_put(&ctx->fees, f->code, f);
  return PSVC_OK;
}

PSVC_API int psvc_fee_get(psvc_ctx *ctx, const char *code, int64_t *cents) {
  const char *fn = "psvc_fee_get", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if ((why = code ? psvc__id_problem(code) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: service code %s", fn, why);
  if (!cents)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  const fee *f = psvc__map_get(&ctx->fees, code);
  if (!f)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no fee for service '%s'", fn, code);
  *cents = f->cents;
  return PSVC_OK;
}

PSVC_API int psvc_order_quote(psvc_ctx *ctx, const char *order_id, const psvc_boundary_query *q,
                              const char *code, psvc_quote *out) {
  const char *fn = "psvc_order_quote", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if ((why = order_id ? psvc__id_problem(order_id) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: order id %s", fn, why);
  if (!out || out->size < sizeof(psvc_quote))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL or its size is smaller than v1's",
                      fn);
  if (code && (why = psvc__id_problem(code)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: service code %s", fn, why);
  const psvc__order *o = psvc__map_get(&ctx->orders, order_id);
  if (!o)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no order '%s'", fn, order_id);
  if (o->type != PSVC_ORDER_FAULT_REPAIR)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: order '%s' is not a FAULT_REPAIR", fn, order_id);
  int owner = 0, paid = 0;
  const char *rule = NULL, *reason = NULL;
  int rc = classify(q, &owner, &paid, &rule, &reason);
  if (rc)
    return psvc__fail(ctx, rc, "%s", psvc__thread_errmsg());
  int64_t cents = 0;
  if (paid) { /* S-5: a paid repair is quoted before it is done */
    const fee *f = code ? psvc__map_get(&ctx->fees, code) : NULL;
    if (!f)
      return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: the repair is a paid service (%s) and "
                        "service '%s' has no fee (psvc_fee_set)", fn, rule,
                        code ? code : "(none)");
    cents = f->cents;
  }
  out->owner = owner;
  out->paid = paid;
  out->rule = rule;
  out->reason = reason;
  out->amount_cents = cents;
  return PSVC_OK;
}
