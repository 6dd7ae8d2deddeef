/*
 * customer.c — the customer record (rules C-1 ... C-20): the caller-owned
 * value object with its setters and getters, the consistency checks, and
 * the customers a context holds.
 *
 * Setters validate one field at a time (C-1 ... C-7: a value must belong to
 * its domain) and leave the object unchanged on failure. Cross-field rules
 * (C-10 ... C-20) are not enforced by setters, because a customer is built
 * field by field; they are findings, produced by psvc_customer_check from
 * the table `rules` below, one row per rule. psvc_customer_save refuses a
 * customer that has an ERROR finding.
 *
 * In a context, customers live in a hash map from id to a private deep copy;
 * saving writes the encoded record through the store first (codec.c) and
 * swaps the copy in only after the store committed.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEMP_SUPPLY_LIMIT_S ((psvc_time)184 * 86400) /* C-12: 6 months, longest */
#define LARGE_INDUSTRY_MIN_KVA 315                    /* C-14, C-18 */
#define HV_MIN_VOLTS 1000                             /* C-11 */

/* ---- the value object ------------------------------------------------------- */

PSVC_API int psvc_customer_new(psvc_customer **out, const char *id) {
  if (!out)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_customer_new: out is NULL");
  int rc = psvc__check_id(NULL, "psvc_customer_new: customer id", id);
  if (rc)
    return rc;
  psvc_customer *c = psvc__calloc(1, sizeof *c);
  if (!c || !(c->id = psvc__strdup(id))) {
    psvc__free(c);
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_customer_new: out of memory");
  }
  *out = c;
  return PSVC_OK;
}

void psvc__customer_destroy(psvc_customer *c) {
  psvc__free(c->id);
  psvc__free(c->name);
  psvc__free(c->unit);
  psvc__free(c->feeder);
  psvc__free(c->phone);
  psvc__free(c->manager);
}

PSVC_API void psvc_customer_free(psvc_customer *c) {
  if (!c)
    return;
  psvc__customer_destroy(c);
  psvc__free(c);
}

static bool dup_field(char **dst, const char *src) {
  *dst = psvc__strdup(src);
  return *dst != NULL || src == NULL;
}

psvc_customer *psvc__customer_dup(const psvc_customer *c) {
  psvc_customer *d = psvc__malloc(sizeof *d);
  if (!d)
    return NULL;
  *d = *c;
  d->id = d->name = d->unit = d->feeder = d->phone = d->manager = NULL;
  if (dup_field(&d->id, c->id) && dup_field(&d->name, c->name) &&
      dup_field(&d->unit, c->unit) && dup_field(&d->feeder, c->feeder) &&
      dup_field(&d->phone, c->phone) && dup_field(&d->manager, c->manager))
    return d;
  psvc_customer_free(d);
  return NULL;
}

PSVC_API int psvc_customer_clone(const psvc_customer *c, psvc_customer **out) {
  if (!c || !out)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_customer_clone: customer and out are required");
  psvc_customer *d = psvc__customer_dup(c);
  if (!d)
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_customer_clone: out of memory");
  *out = d;
  return PSVC_OK;
}

/* ---- setters ------------------------------------------------------------------ */

#define NEED_CUSTOMER(fn)                                                    \
  do {                                                                       \
    if (!c)                                                                  \
      return psvc__fail(NULL, PSVC_EINVAL, fn ": customer is NULL");         \
  } while (0)

/* Replaces an optional string field; "" clears it. */
static int set_text(psvc_customer *c, char **field, const char *fn, const char *v) {
  if (!c)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: customer is NULL", fn);
  const char *why = psvc__text_problem(v, PSVC_TEXT_MAX);
  if (why)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: value %s", fn, why);
  char *copy = NULL;
  if (v[0] && !(copy = psvc__strdup(v)))
    return psvc__fail(NULL, PSVC_ENOMEM, "%s: out of memory", fn);
  psvc__free(*field);
  *field = copy;
  return PSVC_OK;
}

static int set_enum(psvc_customer *c, int *field, const char *fn, int domain, int v) {
  if (!c)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: customer is NULL", fn);
  if (!psvc_enum_name(domain, v))
    return psvc__fail(NULL, PSVC_EINVAL, "%s: %d is not a known value", fn, v);
  *field = v;
  return PSVC_OK;
}

static int set_flags(psvc_customer *c, unsigned *field, const char *fn,
                     unsigned allowed, unsigned v) {
  if (!c)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: customer is NULL", fn);
  if (v & ~allowed)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: unknown flag bits 0x%x", fn, v & ~allowed);
  *field = v;
  return PSVC_OK;
}

#define ALL_SOURCES                                                          \
  (PSVC_SOURCE_HV | PSVC_SOURCE_LV | PSVC_SOURCE_DUAL_SOURCE |               \
   PSVC_SOURCE_SELF_GENERATION | PSVC_SOURCE_DEDICATED_LINE)
#define ALL_USAGE (PSVC_USAGE_TEMPORARY | PSVC_USAGE_SEASONAL | PSVC_USAGE_IMPORTANT)

PSVC_API int psvc_customer_set_name(psvc_customer *c, const char *v) {
  return set_text(c, c ? &c->name : NULL, "psvc_customer_set_name", v);
}
PSVC_API int psvc_customer_set_unit(psvc_customer *c, const char *v) {
  return set_text(c, c ? &c->unit : NULL, "psvc_customer_set_unit", v);
}
PSVC_API int psvc_customer_set_feeder(psvc_customer *c, const char *v) {
  return set_text(c, c ? &c->feeder : NULL, "psvc_customer_set_feeder", v);
}
PSVC_API int psvc_customer_set_phone(psvc_customer *c, const char *v) {
  return set_text(c, c ? &c->phone : NULL, "psvc_customer_set_phone", v);
}
PSVC_API int psvc_customer_set_manager(psvc_customer *c, const char *v) {
  return set_text(c, c ? &c->manager : NULL, "psvc_customer_set_manager", v);
}
PSVC_API int psvc_customer_set_relation(psvc_customer *c, int v) { /* C-1 */
  return set_enum(c, c ? &c->relation : NULL, "psvc_customer_set_relation",
                  PSVC_DOM_RELATION, v);
}
PSVC_API int psvc_customer_set_tariff(psvc_customer *c, int v) { /* C-2, C-2b */
  return set_enum(c, c ? &c->tariff : NULL, "psvc_customer_set_tariff", PSVC_DOM_TARIFF, v);
}
PSVC_API int psvc_customer_set_importance(psvc_customer *c, int v) { /* C-15 */
  return set_enum(c, c ? &c->importance : NULL, "psvc_customer_set_importance",
                  PSVC_DOM_IMPORTANCE, v);
}
PSVC_API int psvc_customer_set_segment(psvc_customer *c, int v) { /* C-6 */
  return set_enum(c, c ? &c->segment : NULL, "psvc_customer_set_segment",
                  PSVC_DOM_SEGMENT, v);
}
PSVC_API int psvc_customer_set_area(psvc_customer *c, int v) { /* C-7 */
  return set_enum(c, c ? &c->area : NULL, "psvc_customer_set_area", PSVC_DOM_AREA, v);
}
PSVC_API int psvc_customer_set_sources(psvc_customer *c, unsigned v) { /* C-3 */
  return set_flags(c, c ? &c->sources : NULL, "psvc_customer_set_sources", ALL_SOURCES, v);
}
PSVC_API int psvc_customer_set_usage(psvc_customer *c, unsigned v) { /* C-4 */
  return set_flags(c, c ? &c->usage : NULL, "psvc_customer_set_usage", ALL_USAGE, v);
}
PSVC_API int psvc_customer_set_season(psvc_customer *c, unsigned v) { /* C-13 */
  return set_flags(c, c ? &c->season : NULL, "psvc_customer_set_season", 0xFFFu, v);
}

PSVC_API int psvc_customer_set_load_class(psvc_customer *c, int v) { /* C-5 */
  NEED_CUSTOMER("psvc_customer_set_load_class");
  if (v < 1 || v > 3)
    return psvc__fail(NULL, PSVC_EINVAL,
                      "psvc_customer_set_load_class: %d is not a load class (1..3)", v);
  c->load_class = v;
  return PSVC_OK;
}

PSVC_API int psvc_customer_set_voltage(psvc_customer *c, int32_t v) { /* C-11 */
  NEED_CUSTOMER("psvc_customer_set_voltage");
  if (v < 0)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_customer_set_voltage: %ld V is negative",
                      (long)v);
  c->voltage = v;
  return PSVC_OK;
}

PSVC_API int psvc_customer_set_capacity(psvc_customer *c, int32_t v) { /* C-14 */
  NEED_CUSTOMER("psvc_customer_set_capacity");
  if (v < 0)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_customer_set_capacity: %ld kVA is negative",
                      (long)v);
  c->capacity = v;
  return PSVC_OK;
}

PSVC_API int psvc_customer_set_supply_end(psvc_customer *c, psvc_time t) { /* C-12 */
  NEED_CUSTOMER("psvc_customer_set_supply_end");
  if (t < 0 || t > PSVC_TIME_MAX)
    return psvc__fail(NULL, PSVC_ERANGE,
                      "psvc_customer_set_supply_end: %lld is outside 1970..9999",
                      (long long)t);
  c->supply_end = t;
  return PSVC_OK;
}

/* ---- getters ------------------------------------------------------------------- */

#define GETTER(type, name, field, none)                                      \
  PSVC_API type psvc_customer_##name(const psvc_customer *c) {               \
    return c ? c->field : none;                                              \
  }

GETTER(const char *, id, id, NULL)
GETTER(const char *, name, name, NULL)
GETTER(const char *, unit, unit, NULL)
GETTER(const char *, feeder, feeder, NULL)
GETTER(const char *, phone, phone, NULL)
GETTER(const char *, manager, manager, NULL)
GETTER(int, relation, relation, 0)
GETTER(int, tariff, tariff, 0)
GETTER(int, importance, importance, 0)
GETTER(int, load_class, load_class, 0)
GETTER(int, segment, segment, 0)
GETTER(int, area, area, 0)
GETTER(unsigned, sources, sources, 0)
GETTER(unsigned, usage, usage, 0)
GETTER(unsigned, season, season, 0)
GETTER(int32_t, voltage, voltage, 0)
GETTER(int32_t, capacity, capacity, 0)
GETTER(psvc_time, supply_end, supply_end, 0)

/* ---- findings -------------------------------------------------------------------- */

typedef struct finding {
  const char *code, *field; /* static */
  int severity;
  char *message;
} finding;

struct psvc_findings {
  finding *items;
  size_t len, cap;
  bool oom;
};

/* Adds a finding; an allocation failure is remembered in f->oom. */
static void emit(psvc_findings *f, const char *code, int sev, const char *field,
                 const char *fmt, ...) PSVC_PRINTF(5, 6);
static void emit(psvc_findings *f, const char *code, int sev, const char *field,
                 const char *fmt, ...) {
  if (f->oom)
    return;
  if (f->len == f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 8;
    finding *items = psvc__realloc(f->items, cap * sizeof *items);
    if (!items) {
      f->oom = true;
      return;
    }
    f->items = items;
    f->cap = cap;
  }
  char buf[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char *msg = psvc__strdup(buf);
  if (!msg) {
    f->oom = true;
    return;
  }
  f->items[f->len++] = (finding){code, field, sev, msg};
}

static bool has(unsigned flags, unsigned bit) { return (flags & bit) != 0; }

static void rule_c10(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  bool rel = c->relation == PSVC_RELATION_WHOLESALE;
  bool tar = c->tariff == PSVC_TARIFF_WHOLESALE;
  if (rel && !tar)
    emit(f, "C-10", PSVC_SEV_ERROR, "tariff",
         "a WHOLESALE supply relationship requires the WHOLESALE tariff class");
  else if (tar && !rel)
    emit(f, "C-10", PSVC_SEV_ERROR, "relation",
         "the WHOLESALE tariff class requires a WHOLESALE supply relationship");
}

static void rule_c11(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  bool hv = has(c->sources, PSVC_SOURCE_HV), lv = has(c->sources, PSVC_SOURCE_LV);
  if (hv == lv)
    emit(f, "C-11", PSVC_SEV_ERROR, "sources",
         hv ? "sources has both HV and LV; exactly one is required"
            : "sources has neither HV nor LV; exactly one is required");
  else if (hv && c->voltage > 0 && c->voltage < HV_MIN_VOLTS)
    emit(f, "C-11", PSVC_SEV_ERROR, "voltage",
         "HV supply needs a voltage of at least 1 kV, not %ld V", (long)c->voltage);
  else if (lv && c->voltage >= HV_MIN_VOLTS)
    emit(f, "C-11", PSVC_SEV_ERROR, "voltage",
         "LV supply needs a voltage below 1 kV, not %ld V", (long)c->voltage);
}

static void rule_c12(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  if (!has(c->usage, PSVC_USAGE_TEMPORARY))
    return;
  if (c->supply_end == 0)
    emit(f, "C-12", PSVC_SEV_ERROR, "supply_end",
         "a TEMPORARY customer needs a supply end date");
  else if (c->supply_end < now)
    emit(f, "C-12", PSVC_SEV_WARNING, "supply_end",
         "temporary supply has expired: end it or extend it");
  else if (c->supply_end - now > TEMP_SUPPLY_LIMIT_S)
    emit(f, "C-12", PSVC_SEV_WARNING, "supply_end",
         "temporary supply runs more than 6 months: it needs the utility's approval");
}

static void rule_c13(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  if (has(c->usage, PSVC_USAGE_SEASONAL) && c->season == 0)
    emit(f, "C-13", PSVC_SEV_ERROR, "season",
         "a SEASONAL customer needs the months in which it takes supply");
}

static void rule_c14(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  if (c->tariff == PSVC_TARIFF_LARGE_INDUSTRY && c->capacity < LARGE_INDUSTRY_MIN_KVA)
    emit(f, "C-14", PSVC_SEV_WARNING, "capacity",
         "the LARGE_INDUSTRY tariff applies from 315 kVA; capacity is %ld kVA",
         (long)c->capacity);
}

static void rule_c15(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  bool flag = has(c->usage, PSVC_USAGE_IMPORTANT);
  int g = c->importance;
  if (flag && g == PSVC_IMPORTANCE_NONE)
    emit(f, "C-15", PSVC_SEV_ERROR, "importance",
         "an IMPORTANT customer needs an importance grade");
  else if (!flag && g != PSVC_IMPORTANCE_NONE)
    emit(f, "C-15", PSVC_SEV_ERROR, "usage",
         "an importance grade is set but the IMPORTANT flag is not");
  else if (flag && !has(c->sources, PSVC_SOURCE_DUAL_SOURCE)) {
    if (g == PSVC_IMPORTANCE_SPECIAL)
      emit(f, "C-15", PSVC_SEV_WARNING, "sources",
           "a SPECIAL grade important customer needs three sources (DUAL_SOURCE and more)");
    else if (g == PSVC_IMPORTANCE_FIRST)
      emit(f, "C-15", PSVC_SEV_WARNING, "sources",
           "a FIRST grade important customer needs DUAL_SOURCE supply");
    else if (g == PSVC_IMPORTANCE_SECOND)
      emit(f, "C-15", PSVC_SEV_WARNING, "sources",
           "a SECOND grade important customer needs at least a double circuit "
           "(DUAL_SOURCE)");
  }
}

static void rule_c16(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  if (c->tariff == PSVC_TARIFF_RESIDENTIAL && has(c->sources, PSVC_SOURCE_HV))
    emit(f, "C-16", PSVC_SEV_WARNING, "sources",
         "a RESIDENTIAL customer on HV supply is unusual");
}

static void rule_c18(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  if (c->tariff == PSVC_TARIFF_GENERAL_COMMERCIAL_INDUSTRIAL &&
      c->capacity >= LARGE_INDUSTRY_MIN_KVA)
    emit(f, "C-18", PSVC_SEV_INFO, "tariff",
         "capacity %ld kVA is at least 315 kVA: a two-part tariff applies; "
         "billing should check the tariff form", (long)c->capacity);
}

static void rule_c19(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  if (has(c->usage, PSVC_USAGE_IMPORTANT) && !has(c->sources, PSVC_SOURCE_SELF_GENERATION))
    emit(f, "C-19", PSVC_SEV_WARNING, "sources",
         "an IMPORTANT customer should have a self-supplied emergency source "
         "(SELF_GENERATION)");
}

static void rule_c20(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  (void)now;
  if (has(c->usage, PSVC_USAGE_TEMPORARY) && c->relation == PSVC_RELATION_TRANSFERRED)
    emit(f, "C-20", PSVC_SEV_WARNING, "relation",
         "temporary supply may not be passed on (TRANSFERRED relationship)");
}

/* One row per consistency rule, in rule order. C-17 (unique id) is enforced
   by the context (psvc_customer_add), not by a single record. */
static void (*const rules[])(const psvc_customer *, psvc_time, psvc_findings *) = {
    rule_c10, rule_c11, rule_c12, rule_c13, rule_c14,
    rule_c15, rule_c16, rule_c18, rule_c19, rule_c20,
};

static void findings_clear(psvc_findings *f) {
  for (size_t i = 0; i < f->len; i++)
    psvc__free(f->items[i].message);
  psvc__free(f->items);
}

PSVC_API void psvc_findings_free(psvc_findings *f) {
  if (!f)
    return;
  findings_clear(f);
  psvc__free(f);
}

static void run_rules(const psvc_customer *c, psvc_time now, psvc_findings *f) {
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
    rules[i](c, now, f);
}

PSVC_API int psvc_customer_check(const psvc_customer *c, psvc_time now,
                                 psvc_findings **out) {
  if (!c || !out)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_customer_check: customer and out are required");
  psvc_findings *f = psvc__calloc(1, sizeof *f);
  if (!f)
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_customer_check: out of memory");
  run_rules(c, now, f);
  if (f->oom) {
    psvc_findings_free(f);
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_customer_check: out of memory");
  }
  *out = f;
  return PSVC_OK;
}

PSVC_API size_t psvc_findings_count(const psvc_findings *f) { return f ? f->len : 0; }

static const finding *finding_at(const psvc_findings *f, size_t i) {
  return (f && i < f->len) ? &f->items[i] : NULL;
}
PSVC_API const char *psvc_findings_code(const psvc_findings *f, size_t i) {
  const finding *x = finding_at(f, i);
  return x ? x->code : NULL;
}
PSVC_API int psvc_findings_severity(const psvc_findings *f, size_t i) {
  const finding *x = finding_at(f, i);
  return x ? x->severity : 0;
}
PSVC_API const char *psvc_findings_message(const psvc_findings *f, size_t i) {
  const finding *x = finding_at(f, i);
  return x ? x->message : NULL;
}
PSVC_API const char *psvc_findings_field(const psvc_findings *f, size_t i) {
  const finding *x = finding_at(f, i);
  return x ? x->field : NULL;
}
PSVC_API int psvc_findings_max_severity(const psvc_findings *f) {
  int max = 0;
  for (size_t i = 0; f && i < f->len; i++)
    if (f->items[i].severity > max)
      max = f->items[i].severity;
  return max;
}

/* ERROR findings do not depend on `now` (only C-12's warnings do), so the
   check runs with now = 0 and a stack findings list; an allocation failure
   while collecting is reported as "unknown" to let the caller say ENOMEM. */
const char *psvc__customer_first_error(const psvc_customer *c, const char **rule) {
  static _Thread_local char msg[320];
  psvc_findings f = {0};
  run_rules(c, 0, &f);
  const char *found = NULL;
  for (size_t i = 0; i < f.len && !found; i++) {
    if (f.items[i].severity == PSVC_SEV_ERROR) {
      snprintf(msg, sizeof msg, "%s", f.items[i].message);
      *rule = f.items[i].code;
      found = msg;
    }
  }
  if (!found && f.oom) {
    *rule = NULL;
    found = "";
  }
  findings_clear(&f);
  return found;
}

/* ---- customers in a context ---------------------------------------------------------- */

static int check_ctx(psvc_ctx *ctx, const char *fn) {
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  return PSVC_OK;
}

static int store_customer(psvc_ctx *ctx, const psvc_customer *c, bool insert_only,
                          const char *fn) {
  int rc = check_ctx(ctx, fn);
  if (rc)
    return rc;
  if (!c)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: customer is NULL", fn);
  if (insert_only && psvc__map_get(&ctx->customers, c->id))
    return psvc__fail(ctx, PSVC_EEXIST, "%s: rule C-17: customer '%s' already exists",
                      fn, c->id);
  const char *rule = NULL;
  const char *err = psvc__customer_first_error(c, &rule);
  if (err && !rule)
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  if (err)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: customer '%s' breaks rule %s: %s", fn,
                      c->id, rule, err);

  psvc__buf b = {0};
  psvc_customer *copy = NULL;
  if (psvc__encode_customer(c, &b) != PSVC_OK || !(copy = psvc__customer_dup(c)) ||
      psvc__map_reserve(&ctx->customers, 1) != PSVC_OK) {
    psvc__buf_free(&b);
    psvc_customer_free(copy);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  psvc__write w = {PSVC_REC_CUSTOMER, copy->id, b.data, b.len, false};
  rc = psvc__store_write(ctx, &w, 1);
  psvc__buf_free(&b);
  if (rc != PSVC_OK) {
    psvc_customer_free(copy);
    return rc;
  }
  psvc_customer_free(psvc__map_put(&ctx->customers, copy->id, copy));
  return PSVC_OK;
}

PSVC_API int psvc_customer_save(psvc_ctx *ctx, const psvc_customer *c) {
  return store_customer(ctx, c, false, "psvc_customer_save");
}

PSVC_API int psvc_customer_add(psvc_ctx *ctx, const psvc_customer *c) {
  return store_customer(ctx, c, true, "psvc_customer_add");
}

static int find_customer(psvc_ctx *ctx, const char *id, const char *fn,
                         psvc_customer **found) {
  int rc = check_ctx(ctx, fn);
  if (rc)
    return rc;
  char what[96];
  snprintf(what, sizeof what, "%s: customer id", fn);
  rc = psvc__check_id(ctx, what, id);
  if (rc)
    return rc;
  *found = psvc__map_get(&ctx->customers, id);
  if (!*found)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no customer '%s'", fn, id);
  return PSVC_OK;
}

PSVC_API int psvc_customer_load(psvc_ctx *ctx, const char *id, psvc_customer **out) {
  psvc_customer *c;
  int rc = find_customer(ctx, id, "psvc_customer_load", &c);
  if (rc)
    return rc;
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "psvc_customer_load: out is NULL");
  psvc_customer *copy = psvc__customer_dup(c);
  if (!copy)
    return psvc__fail(ctx, PSVC_ENOMEM, "psvc_customer_load: out of memory");
  *out = copy;
  return PSVC_OK;
}

PSVC_API int psvc_customer_delete(psvc_ctx *ctx, const char *id) {
  psvc_customer *c;
  int rc = find_customer(ctx, id, "psvc_customer_delete", &c);
  if (rc)
    return rc;
  if (psvc__customer_has_orders(ctx, id))
    return psvc__fail(ctx, PSVC_ESTATE,
                      "psvc_customer_delete: customer '%s' has work orders; their history "
                      "is kept (W-11)", id);
  psvc__write w = {PSVC_REC_CUSTOMER, c->id, NULL, 0, true};
  rc = psvc__store_write(ctx, &w, 1);
  if (rc)
    return rc;
  psvc__map_del(&ctx->customers, id);
  psvc_customer_free(c);
  return PSVC_OK;
}

PSVC_API int psvc_customer_list(psvc_ctx *ctx, psvc_list **out) {
  int rc = check_ctx(ctx, "psvc_customer_list");
  if (rc)
    return rc;
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "psvc_customer_list: out is NULL");
  psvc_list *l;
  if (psvc__list_new(&l) != PSVC_OK)
    return psvc__fail(ctx, PSVC_ENOMEM, "psvc_customer_list: out of memory");
  for (size_t i = 0; i < ctx->customers.cap; i++) {
    const char *key = ctx->customers.slots[i].key;
    if (key && psvc__list_push(l, key) != PSVC_OK) {
      psvc_list_free(l);
      return psvc__fail(ctx, PSVC_ENOMEM, "psvc_customer_list: out of memory");
    }
  }
  psvc__list_sort(l);
  *out = l;
  return PSVC_OK;
}

/* ---- loading at open ------------------------------------------------------------------- */

int psvc__customer_load_record(psvc_ctx *ctx, const char *key, const void *data,
                               size_t len) {
  psvc_customer *c = NULL;
  const char *why = "";
  int rc = psvc__decode_customer(data, len, &c, &why);
  if (rc == PSVC_ENOMEM)
    return psvc__fail(ctx, rc, "out of memory loading customer records");
  if (rc != PSVC_OK)
    return psvc__fail(ctx, PSVC_ECORRUPT, "customer record '%.64s' is corrupt: %s",
                      key ? key : "(null)", why);
  if (!key || strcmp(key, c->id) != 0) {
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "customer record '%.64s' holds customer '%s'",
                    key ? key : "(null)", c->id);
  } else if (psvc__map_get(&ctx->customers, c->id)) {
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "customer '%s' is stored twice", c->id);
  } else if (psvc__map_reserve(&ctx->customers, 1) != PSVC_OK) {
    rc = psvc__fail(ctx, PSVC_ENOMEM, "out of memory loading customer records");
  }
  if (rc != PSVC_OK) {
    psvc_customer_free(c);
    return rc;
  }
  psvc__map_put(&ctx->customers, c->id, c);
  return PSVC_OK;
}

void psvc__customers_free(psvc_ctx *ctx) {
  for (size_t i = 0; i < ctx->customers.cap; i++)
    if (ctx->customers.slots[i].key)
      psvc_customer_free(ctx->customers.slots[i].value);
  psvc__map_free(&ctx->customers);
}

/* Every customer as its stored record (txn.c's snapshots). */
int psvc__customers_each(psvc_ctx *ctx, psvc__record_fn fn, void *arg) {
  for (size_t i = 0; i < ctx->customers.cap; i++) {
    const psvc_customer *c = ctx->customers.slots[i].value;
    if (!ctx->customers.slots[i].key)
      continue;
    psvc__buf b = {0};
    int rc = psvc__encode_customer(c, &b);
    if (rc == PSVC_OK)
      rc = fn(arg, PSVC_REC_CUSTOMER, c->id, b.data, b.len);
    psvc__buf_free(&b);
    if (rc != PSVC_OK)
      return rc;
  }
  return PSVC_OK;
}
