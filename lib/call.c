/*
 * call.c — hotline calls (rules T-1, T-2; docs/reports.md, "Calls").
 *
 * A call is recorded once, with the instants it arrived, was answered
 * (0: abandoned) and ended, the agent who took it and the order it
 * produced, and stored as a CALL record under its id. The context holds
 * each call as its decoded record (ctx->calls) and, for the T-2 DISPATCH
 * clock, the call that produced each order (ctx->order_calls: of the calls
 * naming the order, the earliest to arrive, then the smallest id): that
 * clock runs from the end of that call to the order's first dispatch.
 *
 * psvc_call_sla judges the ANSWER clock (T-1): the policy of metric ANSWER
 * (12 s on the wall clock by default) from arrival to answer. An abandoned
 * call breached it if the caller waited past the limit; one abandoned
 * sooner never tested it (NOT_APPLICABLE).
 *
 * A failed call changes nothing: the record is built and every allocation
 * taken before the store write, and the maps change only after it.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static void call_free(psvc__call_rec *c) {
  if (!c)
    return;
  psvc__call_rec_clear(c);
  psvc__free(c);
}

/* Does call a come before call b for their order: earlier arrival, then
   the smaller id? (The same answer whatever order calls are recorded or
   loaded in.) */
static bool first_of_order(const psvc__call_rec *a, const psvc__call_rec *b) {
  return a->arrived != b->arrived ? a->arrived < b->arrived : strcmp(a->id, b->id) < 0;
}

/* Inserts a decoded call (room reserved in both maps). */
static void call_insert(psvc_ctx *ctx, psvc__call_rec *c) {
  psvc__map_put(&ctx->calls, c->id, c);
  if (!c->order)
    return;
  const psvc__call_rec *old = psvc__map_get(&ctx->order_calls, c->order);
  if (!old || first_of_order(c, old))
    psvc__map_put(&ctx->order_calls, c->order, c);
}

static bool time_ok(psvc_time t) { return t >= 0 && t <= PSVC_TIME_MAX; }

/* Every argument rule of psvc_call_record, in the documented order. */
static int check_call(psvc_ctx *ctx, const char *fn, const char *call_id, psvc_time arrived,
                      psvc_time answered, psvc_time ended, const char *agent,
                      const char *order) {
  char what[96];
  snprintf(what, sizeof what, "%s: call id", fn);
  int rc = psvc__check_id(ctx, what, call_id);
  if (rc == PSVC_OK && agent) {
    snprintf(what, sizeof what, "%s: agent id", fn);
    rc = psvc__check_id(ctx, what, agent);
  }
  if (rc == PSVC_OK && order) {
    snprintf(what, sizeof what, "%s: order id", fn);
    rc = psvc__check_id(ctx, what, order);
  }
  if (rc)
    return rc;
  if (order && !answered)
    return psvc__fail(ctx, PSVC_EINVAL,
                      "%s: call '%s' was abandoned (answered_at 0) and cannot have produced "
                      "order '%s'", fn, call_id, order);
  if (!time_ok(arrived) || !time_ok(answered) || !time_ok(ended))
    return psvc__fail(ctx, PSVC_ERANGE, "%s: call '%s': a time is outside 1970 .. 9999", fn,
                      call_id);
  if (answered ? !(arrived <= answered && answered <= ended) : ended < arrived)
    return psvc__fail(ctx, PSVC_ERANGE,
                      "%s: call '%s': times must run arrived <= answered <= ended "
                      "(answered 0 = abandoned, then arrived <= ended)", fn, call_id);
  if (psvc__map_get(&ctx->calls, call_id))
    return psvc__fail(ctx, PSVC_EEXIST, "%s: call '%s' is already recorded", fn, call_id);
  if (order && !psvc__map_get(&ctx->orders, order))
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no order '%s'", fn, order);
  return PSVC_OK;
}

PSVC_API int psvc_call_record(psvc_ctx *ctx, const char *call_id, psvc_time arrived_at,
                              psvc_time answered_at, psvc_time ended_at,
                              const char *agent_id, const char *order_id) {
  const char *fn = "psvc_call_record";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  int rc = check_call(ctx, fn, call_id, arrived_at, answered_at, ended_at, agent_id, order_id);
  if (rc)
    return rc;
  psvc__call_rec *c = psvc__calloc(1, sizeof *c);
  psvc__buf b = {0};
  if (c) {
    *c = (psvc__call_rec){psvc__strdup(call_id), psvc__strdup(agent_id),
                          psvc__strdup(order_id), arrived_at, answered_at, ended_at};
    rc = c->id && (!agent_id || c->agent) && (!order_id || c->order) ? PSVC_OK : PSVC_ENOMEM;
  }
  if (!c || rc || psvc__encode_call(c, &b) != PSVC_OK ||
      psvc__map_reserve(&ctx->calls, 1) != PSVC_OK ||
      psvc__map_reserve(&ctx->order_calls, 1) != PSVC_OK) {
    call_free(c);
    psvc__buf_free(&b);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  psvc__write w = {PSVC_REC_CALL, c->id, b.data, b.len, false};
  rc = psvc__store_write(ctx, &w, 1);
  psvc__buf_free(&b);
  if (rc) {
    call_free(c);
    return rc;
  }
  call_insert(ctx, c);
  return PSVC_OK;
}

void psvc__call_judge(psvc_ctx *ctx, const psvc__call_rec *c, psvc_sla *out) {
  memset((char *)out + sizeof out->size, 0, sizeof *out - sizeof out->size);
  out->metric = PSVC_METRIC_ANSWER;
  out->cycle = 1;
  int64_t limit = psvc__call_answer_limit(ctx);
  out->limit_s = limit;
  out->started_at = c->arrived;
  out->deadline = c->arrived + limit;
  out->stopped_at = c->answered ? c->answered : c->ended;
  out->elapsed_s = out->stopped_at - c->arrived;
  out->remaining_s = limit - out->elapsed_s;
  bool late = out->elapsed_s > limit;
  out->status = late ? PSVC_SLA_BREACHED
                     : c->answered ? PSVC_SLA_MET : PSVC_SLA_NOT_APPLICABLE;
  out->ever_breached = late;
  out->level = psvc__call_answer_level(ctx, out->elapsed_s, limit);
}

PSVC_API int psvc_call_sla(psvc_ctx *ctx, const char *call_id, psvc_sla *out) {
  const char *fn = "psvc_call_sla";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  char what[96];
  snprintf(what, sizeof what, "%s: call id", fn);
  int rc = psvc__check_id(ctx, what, call_id);
  if (rc)
    return rc;
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  if (out->size < sizeof(psvc_sla))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out->size %u is smaller than v1's (%zu)", fn,
                      (unsigned)out->size, sizeof(psvc_sla));
  const psvc__call_rec *c = psvc__map_get(&ctx->calls, call_id);
  if (!c)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no call '%s'", fn, call_id);
  psvc__call_judge(ctx, c, out);
  return PSVC_OK;
}

psvc_time psvc__order_call_end(const psvc_ctx *ctx, const char *order_id) {
  const psvc__call_rec *c = psvc__map_get(&ctx->order_calls, order_id);
  return c ? c->ended : 0;
}

/* ---- storage -------------------------------------------------------------------------- */

int psvc__call_load_record(psvc_ctx *ctx, const char *key, const void *data, size_t len) {
  psvc__call_rec *c = psvc__calloc(1, sizeof *c);
  if (!c)
    return psvc__fail(ctx, PSVC_ENOMEM, "out of memory loading call records");
  const char *why = "";
  int rc = psvc__decode_call(data, len, c, &why);
  if (rc == PSVC_ENOMEM)
    rc = psvc__fail(ctx, rc, "out of memory loading call records");
  else if (rc != PSVC_OK)
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "call record '%.64s' is corrupt: %s",
                    key ? key : "(null)", why);
  else if (!key || strcmp(key, c->id) != 0)
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "call record '%.64s' holds call '%s'",
                    key ? key : "(null)", c->id);
  else if (psvc__map_get(&ctx->calls, c->id))
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "call '%s' is stored twice", c->id);
  else if (c->order && !psvc__map_get(&ctx->orders, c->order))
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "call '%s' refers to order '%s', which is not stored",
                    c->id, c->order);
  else if (psvc__map_reserve(&ctx->calls, 1) != PSVC_OK ||
           psvc__map_reserve(&ctx->order_calls, 1) != PSVC_OK)
    rc = psvc__fail(ctx, PSVC_ENOMEM, "out of memory loading call records");
  if (rc != PSVC_OK) {
    call_free(c);
    return rc;
  }
  call_insert(ctx, c);
  return PSVC_OK;
}

int psvc__calls_each(psvc_ctx *ctx, psvc__record_fn fn, void *arg) {
  for (size_t i = 0; i < ctx->calls.cap; i++) {
    const psvc__call_rec *c = ctx->calls.slots[i].value;
    if (!ctx->calls.slots[i].key)
      continue;
    psvc__buf b = {0};
    int rc = psvc__encode_call(c, &b);
    if (rc == PSVC_OK)
      rc = fn(arg, PSVC_REC_CALL, c->id, b.data, b.len);
    psvc__buf_free(&b);
    if (rc != PSVC_OK)
      return rc;
  }
  return PSVC_OK;
}

void psvc__calls_free(psvc_ctx *ctx) {
  for (size_t i = 0; i < ctx->calls.cap; i++)
    if (ctx->calls.slots[i].key)
      call_free(ctx->calls.slots[i].value);
  psvc__map_free(&ctx->calls);
  psvc__map_free(&ctx->order_calls);
}
