/*
 * notice.c — outage notices (rules O-1 ... O-3, O-6, T-7 ... T-11;
 * docs/reports.md, "Notices").
 *
 * A notice announces an outage window on a feeder, published by the unit
 * that runs it (O-3). Publishing the same id again re-publishes a changed
 * notice: the record keeps the first publication and the window it first
 * announced (the lead time T-7 ... T-9 is judged on them) and counts the
 * re-publications and the T-10 ones among them that came late — a change
 * that starts the outage earlier or ends it later must be announced at
 * least 1 h before the instant it changes (the new start, the old end).
 * One NOTICE record per notice, replaced by each publication.
 *
 * The lead times are a table by kind (lead_rows). psvc_notice_affected
 * lists the customers on the feeder to tell individually (T-11), and
 * psvc_notice_active the notices covering a customer now (O-6).
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define HOUR 3600

/* T-7 ... T-9: the lead a notice of each kind needs (O-1 kinds). */
static const struct lead_row {
  int kind;
  int64_t lead;
  const char *rule;
} lead_rows[] = {
    {PSVC_NOTICE_PLANNED_MAINTENANCE, 7 * 24 * HOUR, "T-7"},
    {PSVC_NOTICE_ORDERED_USE, 24 * HOUR, "T-8"},
    {PSVC_NOTICE_TEMPORARY_MAINTENANCE, 30 * 60, "T-9"},
    {PSVC_NOTICE_FAULT, 30 * 60, "T-9"},
    {PSVC_NOTICE_ARREARS, 30 * 60, "T-9"},
    {PSVC_NOTICE_EMERGENCY, 30 * 60, "T-9"},
};
#define T10_NOTICE HOUR /* T-10: a change of window, at least 1 h ahead */

int64_t psvc__notice_lead(int kind, const char **rule) {
  for (size_t i = 0; i < sizeof lead_rows / sizeof lead_rows[0]; i++)
    if (lead_rows[i].kind == kind) {
      if (rule)
        *rule = lead_rows[i].rule;
      return lead_rows[i].lead;
    }
  return 0;
}

static void notice_free(psvc__notice_rec *n) {
  if (!n)
    return;
  psvc__notice_rec_clear(n);
  psvc__free(n);
}

void psvc__notice_judge(const psvc__notice_rec *n, psvc_sla *out) {
  memset((char *)out + sizeof out->size, 0, sizeof *out - sizeof out->size);
  int64_t lead = psvc__notice_lead(n->kind, NULL);
  out->metric = PSVC_METRIC_NOTICE_LEAD;
  out->started_at = n->first_published;
  out->stopped_at = n->first_start;
  out->deadline = n->first_start - lead;
  out->limit_s = lead;
  out->elapsed_s = n->first_start - n->first_published;
  out->remaining_s = out->deadline - n->first_published;
  out->cycle = 1 + (int)(n->changes > INT32_MAX - 1 ? INT32_MAX - 1 : n->changes);
  bool late = out->remaining_s < 0 || n->late_changes > 0;
  out->status = late ? PSVC_SLA_BREACHED : PSVC_SLA_MET;
  out->ever_breached = late;
  out->level = late ? 3 : 0; /* the levels of a clock that ran out (50, 80, 100 %) */
}

/* ---- publishing ------------------------------------------------------------------------ */

static bool time_ok(psvc_time t) { return t >= 0 && t <= PSVC_TIME_MAX; }

static int check_notice(psvc_ctx *ctx, const char *fn, const psvc_notice *n) {
  if (!n)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: notice is NULL", fn);
  if (n->size < sizeof(psvc_notice))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: notice size %u is smaller than v1's (%zu)", fn,
                      (unsigned)n->size, sizeof(psvc_notice));
  char what[96];
  snprintf(what, sizeof what, "%s: notice id", fn);
  int rc = psvc__check_id(ctx, what, n->id);
  if (rc)
    return rc;
  if (!psvc_enum_name(PSVC_DOM_NOTICE_KIND, n->kind))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: kind %d is not a PSVC_NOTICE_* (O-1)", fn,
                      n->kind);
  if (!n->unit || !*n->unit || !n->feeder || !*n->feeder)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: notice '%s': unit and feeder are required (O-2, "
                      "O-3)", fn, n->id);
  snprintf(what, sizeof what, "%s: unit", fn);
  if ((rc = psvc__check_text(ctx, what, n->unit)) != PSVC_OK)
    return rc;
  snprintf(what, sizeof what, "%s: feeder", fn);
  if ((rc = psvc__check_text(ctx, what, n->feeder)) != PSVC_OK)
    return rc;
  if (!time_ok(n->start) || !time_ok(n->end) || !time_ok(n->published_at))
    return psvc__fail(ctx, PSVC_ERANGE, "%s: notice '%s': a time is outside 1970 .. 9999", fn,
                      n->id);
  if (n->end <= n->start)
    return psvc__fail(ctx, PSVC_ERANGE, "%s: notice '%s': the window ends before it starts",
                      fn, n->id);
  return PSVC_OK;
}

/* The record of a publication: new, or the old one changed (T-10). */
static int next_record(psvc_ctx *ctx, const char *fn, const psvc_notice *n,
                       const psvc__notice_rec *old, psvc__notice_rec *r) {
  if (old && old->kind != n->kind)
    return psvc__fail(ctx, PSVC_EINVAL,
                      "%s: notice '%s' is a %s notice; a re-publication cannot change its "
                      "kind to %s", fn, n->id, psvc_enum_name(PSVC_DOM_NOTICE_KIND, old->kind),
                      psvc_enum_name(PSVC_DOM_NOTICE_KIND, n->kind));
  if (old && n->published_at < old->published)
    return psvc__fail(ctx, PSVC_ERANGE,
                      "%s: notice '%s': re-published before its last publication", fn, n->id);
  *r = (psvc__notice_rec){psvc__strdup(n->id), psvc__strdup(n->unit), psvc__strdup(n->feeder),
                          n->kind, n->start, n->end, n->published_at, n->start,
                          n->published_at, 0, 0};
  if (!r->id || !r->unit || !r->feeder) {
    psvc__notice_rec_clear(r);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  if (old) {
    r->first_start = old->first_start;
    r->first_published = old->first_published;
    r->changes = old->changes + (old->changes < UINT32_MAX);
    r->late_changes = old->late_changes;
    /* T-10: an earlier start is due 1 h before the new start, a later end
       1 h before the old end */
    bool late = (n->start < old->start && n->published_at > n->start - T10_NOTICE) ||
                (n->end > old->end && n->published_at > old->end - T10_NOTICE);
    r->late_changes += late && r->late_changes < UINT32_MAX;
  }
  return PSVC_OK;
}

PSVC_API int psvc_notice_publish(psvc_ctx *ctx, const psvc_notice *n) {
  const char *fn = "psvc_notice_publish";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  int rc = check_notice(ctx, fn, n);
  if (rc)
    return rc;
  psvc__notice_rec *old = psvc__map_get(&ctx->notices, n->id);
  psvc__notice_rec *r = psvc__calloc(1, sizeof *r);
  if (!r)
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  if ((rc = next_record(ctx, fn, n, old, r)) != PSVC_OK) {
    psvc__free(r);
    return rc;
  }
  psvc__buf b = {0};
  if (psvc__encode_notice(r, &b) != PSVC_OK || psvc__map_reserve(&ctx->notices, 1) != PSVC_OK) {
    notice_free(r);
    psvc__buf_free(&b);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  psvc__write w = {PSVC_REC_NOTICE, r->id, b.data, b.len, false};
  rc = psvc__store_write(ctx, &w, 1);
  psvc__buf_free(&b);
  if (rc) {
    notice_free(r);
    return rc;
  }
  if (old) {
    psvc__map_del(&ctx->notices, n->id);
    notice_free(old);
  }
  psvc__map_put(&ctx->notices, r->id, r);
  return PSVC_OK;
}

/* ---- queries --------------------------------------------------------------------------- */

static int find_notice(psvc_ctx *ctx, const char *fn, const char *id,
                       const psvc__notice_rec **out) {
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  char what[96];
  snprintf(what, sizeof what, "%s: notice id", fn);
  int rc = psvc__check_id(ctx, what, id);
  if (rc)
    return rc;
  *out = psvc__map_get(&ctx->notices, id);
  return *out ? PSVC_OK : psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no notice '%s'", fn, id);
}

PSVC_API int psvc_notice_sla(psvc_ctx *ctx, const char *notice_id, psvc_sla *out) {
  const char *fn = "psvc_notice_sla";
  const psvc__notice_rec *n;
  int rc = find_notice(ctx, fn, notice_id, &n);
  if (rc)
    return rc;
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  if (out->size < sizeof(psvc_sla))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out->size %u is smaller than v1's (%zu)", fn,
                      (unsigned)out->size, sizeof(psvc_sla));
  psvc__notice_judge(n, out);
  return PSVC_OK;
}

/* A sorted list of ids, or ENOMEM (nothing returned). */
static int finish_list(psvc_ctx *ctx, const char *fn, psvc_list *l, bool ok, psvc_list **out) {
  if (!ok) {
    psvc_list_free(l);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  psvc__list_sort(l);
  *out = l;
  return PSVC_OK;
}

/* T-11: told individually — important, HV or dedicated-line customers. */
static bool told_individually(const psvc_customer *c) {
  return (c->usage & PSVC_USAGE_IMPORTANT) ||
         (c->sources & (PSVC_SOURCE_HV | PSVC_SOURCE_DEDICATED_LINE));
}

PSVC_API int psvc_notice_affected(psvc_ctx *ctx, const char *notice_id, psvc_list **out) {
  const char *fn = "psvc_notice_affected";
  const psvc__notice_rec *n;
  int rc = find_notice(ctx, fn, notice_id, &n);
  if (rc)
    return rc;
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  psvc_list *l;
  if (psvc__list_new(&l) != PSVC_OK)
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  bool ok = true;
  for (size_t i = 0; i < ctx->customers.cap && ok; i++) {
    const psvc_customer *c = ctx->customers.slots[i].value;
    if (ctx->customers.slots[i].key && c->feeder && strcmp(c->feeder, n->feeder) == 0 &&
        told_individually(c))
      ok = psvc__list_push(l, c->id) == PSVC_OK;
  }
  return finish_list(ctx, fn, l, ok, out);
}

PSVC_API int psvc_notice_active(psvc_ctx *ctx, const char *customer_id, psvc_time now,
                                psvc_list **out) {
  const char *fn = "psvc_notice_active";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  char what[96];
  snprintf(what, sizeof what, "%s: customer id", fn);
  int rc = psvc__check_id(ctx, what, customer_id);
  if (rc)
    return rc;
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  if (!time_ok(now))
    return psvc__fail(ctx, PSVC_ERANGE, "%s: now is outside 1970 .. 9999", fn);
  const psvc_customer *c = psvc__map_get(&ctx->customers, customer_id);
  if (!c)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no customer '%s'", fn, customer_id);
  psvc_list *l;
  if (psvc__list_new(&l) != PSVC_OK)
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  bool ok = true;
  for (size_t i = 0; i < ctx->notices.cap && ok && c->feeder; i++) {
    const psvc__notice_rec *n = ctx->notices.slots[i].value;
    if (ctx->notices.slots[i].key && strcmp(n->feeder, c->feeder) == 0 &&
        n->first_published <= now && n->start <= now && now < n->end)
      ok = psvc__list_push(l, n->id) == PSVC_OK;
  }
  return finish_list(ctx, fn, l, ok, out);
}

/* ---- storage -------------------------------------------------------------------------- */

int psvc__notice_load_record(psvc_ctx *ctx, const char *key, const void *data, size_t len) {
  psvc__notice_rec *n = psvc__calloc(1, sizeof *n);
  if (!n)
    return psvc__fail(ctx, PSVC_ENOMEM, "out of memory loading notice records");
  const char *why = "";
  int rc = psvc__decode_notice(data, len, n, &why);
  if (rc == PSVC_ENOMEM)
    rc = psvc__fail(ctx, rc, "out of memory loading notice records");
  else if (rc != PSVC_OK)
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "notice record '%.64s' is corrupt: %s",
                    key ? key : "(null)", why);
  else if (!key || strcmp(key, n->id) != 0)
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "notice record '%.64s' holds notice '%s'",
                    key ? key : "(null)", n->id);
  else if (psvc__map_get(&ctx->notices, n->id))
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "notice '%s' is stored twice", n->id);
  else if (psvc__map_reserve(&ctx->notices, 1) != PSVC_OK)
    rc = psvc__fail(ctx, PSVC_ENOMEM, "out of memory loading notice records");
  if (rc != PSVC_OK) {
    notice_free(n);
    return rc;
  }
  psvc__map_put(&ctx->notices, n->id, n);
  return PSVC_OK;
}

int psvc__notices_each(psvc_ctx *ctx, psvc__record_fn fn, void *arg) {
  for (size_t i = 0; i < ctx->notices.cap; i++) {
    const psvc__notice_rec *n = ctx->notices.slots[i].value;
    if (!ctx->notices.slots[i].key)
      continue;
    psvc__buf b = {0};
    int rc = psvc__encode_notice(n, &b);
    if (rc == PSVC_OK)
      rc = fn(arg, PSVC_REC_NOTICE, n->id, b.data, b.len);
    psvc__buf_free(&b);
    if (rc != PSVC_OK)
      return rc;
  }
  return PSVC_OK;
}

void psvc__notices_free(psvc_ctx *ctx) {
  for (size_t i = 0; i < ctx->notices.cap; i++)
    if (ctx->notices.slots[i].key)
      notice_free(ctx->notices.slots[i].value);
  psvc__map_free(&ctx->notices);
}
