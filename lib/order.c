/*
 * order.c — 95598 work orders: open, apply, snapshots, queries, handover
 * (API.md §4, rules W-1 ... W-16; behaviour in docs/orders.md).
 *
 * How it works. An order is its ORDER record (written once, at open) plus
 * an append-only history of events (W-11). Everything else — state, units,
 * counters — is folded from the history by one planner, plan(), which both
 * psvc_order_apply and the replay at psvc_ctx_open use, so a stored history
 * always means the same thing. The lifecycle table in lifecycle.c decides
 * which action is possible in which state, and the context's grants which
 * role may perform it.
 *
 * Every mutation runs in three phases so that a failure changes nothing:
 *   1. check and plan: validate the arguments, look the step up, compute
 *      the new state in a local psvc__ostate (no allocation, no writes);
 *   2. prepare: take every allocation the change needs (interned strings,
 *      room in the event array and the maps, the encoded record); a failure
 *      here is PSVC_ENOMEM and the only trace is an unused interned string;
 *   3. store, then commit in memory: one put per action (the EVENT record;
 *      events are never rewritten), and only after the store's commit the
 *      event is appended and the new state copied in — which cannot fail.
 *
 * Unit names, staff ids and customer ids repeat across millions of events,
 * so they are interned once per context (ctx->strings) and events hold
 * pointers; notes are owned by their event.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The v1 sizes of the input structs (API.md §0: smaller is PSVC_EINVAL). */
#define ACTOR_V1 (offsetof(psvc_actor, unit) + sizeof(const char *))
#define SPEC_V1 (offsetof(psvc_order_spec, subtype) + sizeof(int))
#define EVENT_V1 (offsetof(psvc_event, note) + sizeof(const char *))
#define FILTER_V1 (offsetof(psvc_filter, to) + sizeof(psvc_time))

#define ESCALATION_MAX 99
#define EVENT_KEY_MAX (PSVC_ID_MAX + 12) /* "<id>/<10 digits>" + NUL */

/* EVENT records read at open, waiting for the replay. */
typedef struct psvc__pending {
  psvc__order *order;
  uint32_t seq;
  psvc__event_rec rec;
} psvc__pending;

/* ---- names for messages ------------------------------------------------------------ */

static const char *name(int domain, int value) {
  const char *n = psvc_enum_name(domain, value);
  return n ? n : "?";
}

static bool bit(unsigned mask, int v) { return v >= 0 && v < 32 && (mask >> v) & 1u; }

/* ---- interned strings -------------------------------------------------------------- */

/* The context's copy of s (NULL for NULL); NULL with *oom on failure. */
static const char *intern(psvc_ctx *ctx, const char *s, bool *oom) {
  if (!s)
    return NULL;
  const char *have = psvc__map_get(&ctx->strings, s);
  if (have)
    return have;
  char *copy;
  if (psvc__map_reserve(&ctx->strings, 1) != PSVC_OK || !(copy = psvc__strdup(s))) {
    *oom = true;
    return NULL;
  }
  psvc__map_put(&ctx->strings, copy, copy);
  return copy;
}

/* ---- argument checks ------------------------------------------------------------------ */

/* Units and targets: non-empty text of at most 256 bytes. */
static const char *unit_problem(const char *s) {
  if (s && !*s)
    return "is empty";
  return psvc__text_problem(s, PSVC_TEXT_MAX);
}

static int check_actor(psvc_ctx *ctx, const char *fn, const psvc_actor *who) {
  if (!who)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: actor is NULL", fn);
  if (who->size < ACTOR_V1)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: actor size %u is smaller than v1's (%zu)", fn,
                      (unsigned)who->size, (size_t)ACTOR_V1);
  const char *why = who->id ? psvc__id_problem(who->id) : "is NULL";
  if (why)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: actor id %s", fn, why);
  if (who->role < 1 || who->role > PSVC__ROLE_MAX)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: actor role %d is not a PSVC_ROLE_*", fn,
                      who->role);
  if (who->unit && (why = unit_problem(who->unit)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: actor unit %s", fn, why);
  return PSVC_OK;
}

static int check_time(psvc_ctx *ctx, const char *fn, const char *what, psvc_time t) {
  if (t < 0 || t > PSVC_TIME_MAX)
    return psvc__fail(ctx, PSVC_ERANGE, "%s: %s %lld is outside 1970-01-01 .. 9999-12-31",
                      fn, what, (long long)t);
  return PSVC_OK;
}

/* Subtype rules (W-15, W-16): the domain depends on the type. */
static const char *subtype_problem(int type, int subtype) {
  if (subtype == 0)
    return NULL;
  if (type == PSVC_ORDER_COMPLAINT)
    return psvc_enum_name(PSVC_DOM_COMPLAINT, subtype) ? NULL
                                                      : "is not a PSVC_COMPLAINT_* (W-15)";
  if (type == PSVC_ORDER_SERVICE_REQUEST)
    return psvc_enum_name(PSVC_DOM_REQUEST, subtype) ? NULL
                                                    : "is not a PSVC_REQUEST_* (W-16)";
  return "must be 0: only COMPLAINT and SERVICE_REQUEST orders have subtypes";
}

static int check_spec(psvc_ctx *ctx, const psvc_order_spec *sp) {
  const char *fn = "psvc_order_open", *why;
  if (!sp)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: spec is NULL", fn);
  if (sp->size < SPEC_V1)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: spec size %u is smaller than v1's (%zu)", fn,
                      (unsigned)sp->size, (size_t)SPEC_V1);
  if ((why = sp->id ? psvc__id_problem(sp->id) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: order id %s", fn, why);
  if (!psvc_enum_name(PSVC_DOM_ORDER_TYPE, sp->type))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: type %d is not a PSVC_ORDER_*", fn, sp->type);
  if (!psvc_enum_name(PSVC_DOM_CHANNEL, sp->channel))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: channel %d is not a PSVC_CHANNEL_*", fn,
                      sp->channel);
  if (sp->area != 0 && !psvc_enum_name(PSVC_DOM_AREA, sp->area))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: area %d is neither 0 nor a PSVC_AREA_*", fn,
                      sp->area);
  if ((why = subtype_problem(sp->type, sp->subtype)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: subtype %d %s", fn, sp->subtype, why);
  if (sp->summary && (why = psvc__note_problem(sp->summary)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: summary %s", fn, why);
  return PSVC_OK;
}

/* Per-action argument rules that do not depend on the order (step 1 of
   docs/orders.md). */
static int check_event(psvc_ctx *ctx, const char *order_id, const psvc_event *ev) {
  const char *fn = "psvc_order_apply", *why;
  if (!ev)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: event is NULL", fn);
  if (ev->size < EVENT_V1)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: event size %u is smaller than v1's (%zu)", fn,
                      (unsigned)ev->size, (size_t)EVENT_V1);
  if (ev->action < 1 || ev->action > PSVC__ACTION_MAX)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: action %d is not a PSVC_ACT_*", fn, ev->action);
  const char *act = name(PSVC_DOM_ACTION, ev->action);
  if (ev->target && (why = unit_problem(ev->target)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: %s target %s", fn, act, why);
  if (ev->note && (why = psvc__note_problem(ev->note)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: %s note %s", fn, act, why);
  switch (ev->action) {
  case PSVC_ACT_DISPATCH:
  case PSVC_ACT_TRANSFER:
    if (!ev->target)
      return psvc__fail(ctx, PSVC_EINVAL, "%s: %s needs a target unit", fn, act);
    break;
  case PSVC_ACT_MERGE:
    if ((why = ev->target ? psvc__id_problem(ev->target) : "is missing"))
      return psvc__fail(ctx, PSVC_EINVAL, "%s: MERGE target (the surviving order id) %s",
                        fn, why);
    if (strcmp(ev->target, order_id) == 0)
      return psvc__fail(ctx, PSVC_EINVAL, "%s: order '%s' cannot be merged into itself (W-9)",
                        fn, order_id);
    break;
  case PSVC_ACT_RETURN:
  case PSVC_ACT_SUSPEND:
  case PSVC_ACT_CANCEL:
    if (!ev->note)
      return psvc__fail(ctx, PSVC_EINVAL, "%s: %s needs a reason in note", fn, act);
    break;
  case PSVC_ACT_VISIT:
    if (!psvc_enum_name(PSVC_DOM_SATISFACTION, ev->value))
      return psvc__fail(ctx, PSVC_EINVAL, "%s: VISIT value %d is not a PSVC_SAT_* (W-10)", fn,
                        ev->value);
    break;
  case PSVC_ACT_ESCALATE:
    if (ev->value < 0)
      return psvc__fail(ctx, PSVC_ERANGE, "%s: ESCALATE level %d is negative", fn, ev->value);
    break;
  default:
    break;
  }
  return PSVC_OK;
}

/* ---- the planner: one event folded into a state ------------------------------------ */

/* An event as the planner sees it: raw strings (caller's or decoded). */
typedef struct step_in {
  int action, role, value;
  psvc_time at;
  const char *target, *unit; /* unit: the actor's */
} step_in;

/* Where the new current unit comes from; resolved to interned pointers by
   the caller (so that planning never allocates). */
enum { CUR_KEEP, CUR_CLEAR, CUR_TARGET, CUR_ACTOR };

typedef struct plan {
  psvc__ostate st; /* new state; unit pointers filled by resolve_units */
  int cur;         /* CUR_* */
  bool set_responsible, set_merged;
} plan;

static int refuse(psvc_ctx *ctx, int code, const psvc__order *o, const step_in *in,
                  const char *why) {
  return psvc__fail(ctx, code, "psvc_order_apply: %s order '%s' in state %s: %s %s (role %s)",
                    name(PSVC_DOM_ORDER_TYPE, o->type), o->id,
                    name(PSVC_DOM_STATE, o->st.state), name(PSVC_DOM_ACTION, in->action),
                    why, name(PSVC_DOM_ROLE, in->role));
}

/* The receiving unit of a RECEIVE: the target, else the actor's unit. */
static const char *receiving_unit(const step_in *in) {
  return in->target ? in->target : in->unit;
}

/* Steps 3 to 6 of docs/orders.md. `grants` NULL skips the role check (the
   replay of stored history: grants are per context, not stored). */
static int plan_step(psvc_ctx *ctx, const psvc__order *o, const step_in *in,
                     const psvc__grants *grants, plan *p) {
  const psvc__step *s = psvc__lifecycle_find(o->type, o->st.state, in->action);
  if (!s)
    return refuse(ctx, PSVC_ESTATE, o, in, "is not allowed");
  if (grants && !bit(grants->roles[o->type][in->action], in->role))
    return refuse(ctx, PSVC_EPERM, o, in, "is not permitted");
  psvc_time last = o->nev ? o->ev[o->nev - 1].at : o->accepted_at;
  if (in->at < last)
    return psvc__fail(ctx, PSVC_ERANGE,
                      "psvc_order_apply: %s at %lld is earlier than the order's previous "
                      "event (%lld); history is append-only (W-11)",
                      name(PSVC_DOM_ACTION, in->action), (long long)in->at, (long long)last);
  if (in->at > PSVC_TIME_MAX)
    return check_time(ctx, "psvc_order_apply", "event time", in->at);
  *p = (plan){o->st, CUR_KEEP, false, false};
  psvc__ostate *n = &p->st;
  n->state = s->to == PSVC__SAME ? o->st.state : s->to == PSVC__PREV ? o->st.suspended_from
                                                                     : s->to;
  if (n->state != PSVC_STATE_SUSPENDED)
    n->suspended_from = 0;
  switch (in->action) {
  case PSVC_ACT_DISPATCH:
    p->cur = CUR_TARGET;
    break;
  case PSVC_ACT_RECEIVE: /* W-4: the first receiving unit is responsible for good */
    if (receiving_unit(in))
      p->cur = in->target ? CUR_TARGET : CUR_ACTOR;
    p->set_responsible = !o->st.responsible;
    break;
  case PSVC_ACT_RETURN: /* W-7 */
    p->cur = CUR_CLEAR;
    break;
  case PSVC_ACT_TRANSFER: /* W-4: responsible unit unchanged */
    if (o->st.current && strcmp(o->st.current, in->target) == 0)
      return psvc__fail(ctx, PSVC_EINVAL,
                        "psvc_order_apply: order '%s' is already at unit '%s'", o->id,
                        in->target);
    p->cur = CUR_TARGET;
    break;
  case PSVC_ACT_SUSPEND: /* W-8 */
    n->suspended_from = o->st.state;
    break;
  case PSVC_ACT_VISIT: /* W-10 */
    n->satisfaction = in->value;
    if (in->value == PSVC_SAT_UNSATISFIED) {
      n->state = PSVC_STATE_DISPATCHED;
      n->reopens++;
    }
    break;
  case PSVC_ACT_MERGE: /* W-9 */
    p->set_merged = true;
    break;
  case PSVC_ACT_URGE: /* W-5 */
    n->urges++;
    break;
  case PSVC_ACT_ESCALATE: { /* W-5 */
    int level = in->value ? in->value : o->st.escalation + 1;
    if (level <= o->st.escalation || level > ESCALATION_MAX)
      return psvc__fail(ctx, PSVC_ERANGE,
                        "psvc_order_apply: escalation level %d must be above the current "
                        "%d and at most %d", level, o->st.escalation, ESCALATION_MAX);
    n->escalation = level;
    break;
  }
  default:
    break;
  }
  return PSVC_OK;
}

/* Fills the plan's unit pointers with interned strings (tgt, unit: the
   interned target and actor unit). */
static void resolve_units(plan *p, const char *tgt, const char *unit) {
  if (p->cur == CUR_CLEAR)
    p->st.current = NULL;
  else if (p->cur == CUR_TARGET)
    p->st.current = tgt;
  else if (p->cur == CUR_ACTOR)
    p->st.current = unit;
  if (p->set_responsible)
    p->st.responsible = p->st.current;
  if (p->set_merged)
    p->st.merged_into = tgt;
}

static int reserve_events(psvc__order *o) {
  if (o->nev < o->cap)
    return PSVC_OK;
  size_t cap = o->cap ? o->cap * 2 : 8;
  psvc__ev *ev = psvc__realloc(o->ev, cap * sizeof *ev);
  if (!ev)
    return PSVC_ENOMEM;
  o->ev = ev;
  o->cap = cap;
  return PSVC_OK;
}

/* Phase 2 for one event: interned strings, an owned note, room in the
   array. On success *e is ready to append (its note owned by the caller
   until then). */
static int prepare_event(psvc_ctx *ctx, psvc__order *o, const step_in *in,
                         const char *actor, const char *note, plan *p, psvc__ev *e) {
  bool oom = false;
  *e = (psvc__ev){in->at, intern(ctx, actor, &oom), intern(ctx, in->unit, &oom),
                  intern(ctx, in->target, &oom), NULL, in->value, (uint8_t)in->action,
                  (uint8_t)in->role};
  if (!oom && note && !(e->note = psvc__strdup(note)))
    oom = true;
  if (oom || reserve_events(o) != PSVC_OK) {
    psvc__free(e->note);
    return PSVC_ENOMEM;
  }
  resolve_units(p, e->target, e->unit);
  return PSVC_OK;
}

/* Phase 3, in memory: cannot fail. */
static void commit_event(psvc__order *o, const psvc__ev *e, const plan *p) {
  o->ev[o->nev++] = *e;
  o->st = p->st;
}

/* ---- context lifetime ------------------------------------------------------------------ */

int psvc__orders_init(psvc_ctx *ctx) {
  psvc__grants_init(&ctx->grants);
  return PSVC_OK;
}

static void order_destroy(psvc__order *o) {
  if (!o)
    return;
  for (size_t i = 0; i < o->nev; i++)
    psvc__free(o->ev[i].note);
  psvc__free(o->ev);
  psvc__free(o->id);
  psvc__free(o->summary);
  psvc__free(o);
}

static void pending_free(psvc_ctx *ctx) {
  for (size_t i = 0; i < ctx->npending; i++)
    psvc__event_rec_clear(&ctx->pending[i].rec);
  psvc__free(ctx->pending);
  ctx->pending = NULL;
  ctx->npending = ctx->cappending = 0;
}

void psvc__orders_free(psvc_ctx *ctx) {
  for (size_t i = 0; i < ctx->orders.cap; i++)
    if (ctx->orders.slots[i].key)
      order_destroy(ctx->orders.slots[i].value);
  psvc__map_free(&ctx->orders);
  for (size_t i = 0; i < ctx->strings.cap; i++)
    if (ctx->strings.slots[i].key)
      psvc__free(ctx->strings.slots[i].value);
  psvc__map_free(&ctx->strings);
  pending_free(ctx);
}

bool psvc__customer_has_orders(const psvc_ctx *ctx, const char *customer_id) {
  for (size_t i = 0; i < ctx->orders.cap; i++) {
    const psvc__order *o = ctx->orders.slots[i].value;
    if (ctx->orders.slots[i].key && o->customer && strcmp(o->customer, customer_id) == 0)
      return true;
  }
  return false;
}

/* ---- open -------------------------------------------------------------------------------- */

/* A new order from validated fields (strings interned or copied). */
static int order_build(psvc_ctx *ctx, const psvc__order_rec *r, psvc__order **out) {
  psvc__order *o = psvc__calloc(1, sizeof *o);
  if (!o)
    return PSVC_ENOMEM;
  bool oom = false;
  o->id = psvc__strdup(r->id);
  o->summary = psvc__strdup(r->summary);
  o->customer = intern(ctx, r->customer, &oom);
  o->opened_by = intern(ctx, r->opened_by, &oom);
  o->opened_unit = intern(ctx, r->opened_unit, &oom);
  if (oom || !o->id || (r->summary && !o->summary)) {
    order_destroy(o);
    return PSVC_ENOMEM;
  }
  o->type = r->type;
  o->channel = r->channel;
  o->area = r->area;
  o->subtype = r->subtype;
  o->accepted_at = r->accepted_at;
  o->opened_role = r->opened_role;
  o->st.state = PSVC_STATE_ACCEPTED;
  *out = o;
  return PSVC_OK;
}

static int check_open(psvc_ctx *ctx, const psvc_order_spec *spec, const psvc_actor *who,
                      int *area) {
  const char *fn = "psvc_order_open";
  int rc;
  if ((rc = check_spec(ctx, spec)) || (rc = check_actor(ctx, fn, who)))
    return rc;
  if (!spec->customer_id && spec->type == PSVC_ORDER_SERVICE_REQUEST)
    return psvc__fail(ctx, PSVC_EINVAL,
                      "%s: a SERVICE_REQUEST needs a customer_id (anonymous callers may "
                      "open other types)", fn);
  const char *why;
  if (spec->customer_id && (why = psvc__id_problem(spec->customer_id)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: customer_id %s", fn, why);
  if ((rc = check_time(ctx, fn, "accepted_at", spec->accepted_at)))
    return rc;
  if (!bit(ctx->grants.roles[spec->type][0], who->role))
    return psvc__fail(ctx, PSVC_EPERM, "%s: role %s may not open %s orders", fn,
                      name(PSVC_DOM_ROLE, who->role), name(PSVC_DOM_ORDER_TYPE, spec->type));
  if (psvc__map_get(&ctx->orders, spec->id))
    return psvc__fail(ctx, PSVC_EEXIST, "%s: order '%s' exists", fn, spec->id);
  *area = spec->area;
  if (spec->customer_id) {
    const psvc_customer *c = psvc__map_get(&ctx->customers, spec->customer_id);
    if (!c)
      return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no customer '%s'", fn, spec->customer_id);
    if (!*area)
      *area = c->area;
  }
  return PSVC_OK;
}

PSVC_API int psvc_order_open(psvc_ctx *ctx, const psvc_order_spec *spec,
                             const psvc_actor *who) {
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_order_open: ctx is NULL");
  int area = 0, rc = check_open(ctx, spec, who, &area);
  if (rc)
    return rc;
  psvc__order_rec r = {(char *)spec->id, (char *)spec->customer_id, (char *)spec->summary,
                       (char *)who->id, (char *)who->unit, spec->accepted_at,
                       spec->type, spec->channel, area, spec->subtype, who->role};
  psvc__order *o;
  psvc__buf b = {0};
  if (psvc__map_reserve(&ctx->orders, 1) != PSVC_OK || order_build(ctx, &r, &o) != PSVC_OK)
    return psvc__fail(ctx, PSVC_ENOMEM, "psvc_order_open: out of memory");
  if (ctx->has_store && psvc__encode_order(o, &b) != PSVC_OK) {
    psvc__buf_free(&b);
    order_destroy(o);
    return psvc__fail(ctx, PSVC_ENOMEM, "psvc_order_open: out of memory");
  }
  psvc__write w = {PSVC_REC_ORDER, o->id, b.data, b.len, false};
  rc = psvc__store_write(ctx, &w, 1);
  psvc__buf_free(&b);
  if (rc) {
    order_destroy(o);
    return rc;
  }
  psvc__map_put(&ctx->orders, o->id, o);
  return PSVC_OK;
}

/* ---- apply --------------------------------------------------------------------------------- */

static void event_key(char *key, const char *id, size_t seq) {
  snprintf(key, EVENT_KEY_MAX, "%s/%010zu", id, seq);
}

/* Step 6 for MERGE: the survivor exists and is open (W-9). */
static int check_survivor(psvc_ctx *ctx, const char *target) {
  const psvc__order *t = psvc__map_get(&ctx->orders, target);
  if (!t)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "psvc_order_apply: no order '%s' to merge into",
                      target);
  int s = t->st.state;
  if (s == PSVC_STATE_CLOSED || s == PSVC_STATE_CANCELLED || s == PSVC_STATE_MERGED)
    return psvc__fail(ctx, PSVC_ESTATE,
                      "psvc_order_apply: cannot merge into order '%s': it is %s (W-9)",
                      target, name(PSVC_DOM_STATE, s));
  return PSVC_OK;
}

/* Phases 2 and 3: prepare, store, commit. */
static int record_event(psvc_ctx *ctx, psvc__order *o, const step_in *in, const char *actor,
                        const char *note, plan *p) {
  psvc__ev e;
  if (prepare_event(ctx, o, in, actor, note, p, &e) != PSVC_OK)
    return psvc__fail(ctx, PSVC_ENOMEM, "psvc_order_apply: out of memory");
  psvc__buf b = {0};
  if (ctx->has_store && psvc__encode_event(&e, &b) != PSVC_OK) {
    psvc__buf_free(&b);
    psvc__free(e.note);
    return psvc__fail(ctx, PSVC_ENOMEM, "psvc_order_apply: out of memory");
  }
  char key[EVENT_KEY_MAX];
  event_key(key, o->id, o->nev);
  psvc__write w = {PSVC_REC_EVENT, key, b.data, b.len, false};
  int rc = psvc__store_write(ctx, &w, 1);
  psvc__buf_free(&b);
  if (rc) {
    psvc__free(e.note);
    return rc;
  }
  commit_event(o, &e, p);
  return PSVC_OK;
}

PSVC_API int psvc_order_apply(psvc_ctx *ctx, const char *order_id, const psvc_event *ev,
                              const psvc_actor *who) {
  const char *fn = "psvc_order_apply", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if ((why = order_id ? psvc__id_problem(order_id) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: order id %s", fn, why);
  int rc;
  if ((rc = check_event(ctx, order_id, ev)) || (rc = check_actor(ctx, fn, who)))
    return rc;
  psvc__order *o = psvc__map_get(&ctx->orders, order_id);
  if (!o)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no order '%s'", fn, order_id);
  step_in in = {ev->action, who->role, ev->value, ev->at, ev->target, who->unit};
  plan p;
  if ((rc = plan_step(ctx, o, &in, &ctx->grants, &p)))
    return rc;
  if (ev->action == PSVC_ACT_MERGE && (rc = check_survivor(ctx, ev->target)))
    return rc;
  return record_event(ctx, o, &in, who->id, ev->note, &p);
}

/* ---- loading at open: records, then the replay -------------------------------------------- */

int psvc__order_load_record(psvc_ctx *ctx, const char *key, const void *data, size_t len) {
  psvc__order_rec r;
  const char *why = NULL;
  int rc = psvc__decode_order(data, len, &r, &why);
  if (rc == PSVC_ENOMEM)
    return psvc__fail(ctx, rc, "store: out of memory loading order '%s'", key);
  if (rc != PSVC_OK)
    return psvc__fail(ctx, rc, "store: order record '%s' is corrupt: %s", key, why);
  const char *bad = strcmp(r.id, key) ? "its key is not its id"
                    : subtype_problem(r.type, r.subtype) ? "its subtype does not fit its type"
                    : psvc__map_get(&ctx->orders, r.id) ? "it is stored twice"
                                                        : NULL;
  psvc__order *o = NULL;
  if (!bad && (psvc__map_reserve(&ctx->orders, 1) != PSVC_OK ||
               order_build(ctx, &r, &o) != PSVC_OK)) {
    psvc__order_rec_clear(&r);
    return psvc__fail(ctx, PSVC_ENOMEM, "store: out of memory loading order '%s'", key);
  }
  psvc__order_rec_clear(&r);
  if (bad)
    return psvc__fail(ctx, PSVC_ECORRUPT, "store: order record '%s' is corrupt: %s", key, bad);
  psvc__map_put(&ctx->orders, o->id, o);
  return PSVC_OK;
}

/* "<order id>/<10 digits>" -> the order and the sequence number. */
static psvc__order *parse_event_key(psvc_ctx *ctx, const char *key, uint32_t *seq) {
  const char *slash = strrchr(key, '/');
  if (!slash || slash == key || (size_t)(slash - key) > PSVC_ID_MAX || strlen(slash + 1) != 10)
    return NULL;
  uint64_t n = 0;
  for (const char *p = slash + 1; *p; p++) {
    if (*p < '0' || *p > '9')
      return NULL;
    n = n * 10 + (uint64_t)(*p - '0');
  }
  if (n > UINT32_MAX - 1)
    return NULL;
  char id[PSVC_ID_MAX + 1];
  memcpy(id, key, (size_t)(slash - key));
  id[slash - key] = 0;
  *seq = (uint32_t)n;
  return psvc__map_get(&ctx->orders, id);
}

int psvc__event_load_record(psvc_ctx *ctx, const char *key, const void *data, size_t len) {
  uint32_t seq;
  psvc__order *o = parse_event_key(ctx, key, &seq);
  if (!o)
    return psvc__fail(ctx, PSVC_ECORRUPT,
                      "store: event record '%s' has a malformed key or no order", key);
  if (ctx->npending == ctx->cappending) {
    size_t cap = ctx->cappending ? ctx->cappending * 2 : 64;
    psvc__pending *p = psvc__realloc(ctx->pending, cap * sizeof *p);
    if (!p)
      return psvc__fail(ctx, PSVC_ENOMEM, "store: out of memory loading events");
    ctx->pending = p;
    ctx->cappending = cap;
  }
  psvc__pending *p = &ctx->pending[ctx->npending];
  const char *why = NULL;
  int rc = psvc__decode_event(data, len, &p->rec, &why);
  if (rc == PSVC_ENOMEM)
    return psvc__fail(ctx, rc, "store: out of memory loading event '%s'", key);
  if (rc != PSVC_OK)
    return psvc__fail(ctx, rc, "store: event record '%s' is corrupt: %s", key, why);
  p->order = o;
  p->seq = seq;
  ctx->npending++;
  return PSVC_OK;
}

static int cmp_pending(const void *a, const void *b) {
  const psvc__pending *x = a, *y = b;
  int c = strcmp(x->order->id, y->order->id);
  return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int replay_one(psvc_ctx *ctx, psvc__pending *p) {
  psvc__order *o = p->order;
  if (p->seq != o->nev)
    return psvc__fail(ctx, PSVC_ECORRUPT, "store: order '%s' has no event %zu (history has a "
                      "gap or a duplicate)", o->id, o->nev);
  const psvc__event_rec *r = &p->rec;
  step_in in = {r->action, r->role, r->value, r->at, r->target, r->unit};
  plan pl;
  int rc = plan_step(ctx, o, &in, NULL, &pl);
  if (rc == PSVC_OK && (r->action == PSVC_ACT_DISPATCH || r->action == PSVC_ACT_TRANSFER ||
                        r->action == PSVC_ACT_MERGE) && !r->target)
    rc = psvc__fail(ctx, PSVC_ECORRUPT, "event lacks its target");
  if (rc != PSVC_OK)
    return psvc__fail(ctx, PSVC_ECORRUPT, "store: event %u of order '%s' does not replay: %s",
                      (unsigned)p->seq, o->id, ctx->errmsg);
  psvc__ev e;
  if (prepare_event(ctx, o, &in, r->actor, NULL, &pl, &e) != PSVC_OK)
    return psvc__fail(ctx, PSVC_ENOMEM, "store: out of memory replaying events");
  e.note = p->rec.note; /* ownership moves to the event */
  p->rec.note = NULL;
  commit_event(o, &e, &pl);
  return PSVC_OK;
}

int psvc__orders_replay(psvc_ctx *ctx) {
  if (ctx->npending > 1)
    qsort(ctx->pending, ctx->npending, sizeof *ctx->pending, cmp_pending);
  int rc = PSVC_OK;
  for (size_t i = 0; i < ctx->npending && rc == PSVC_OK; i++)
    rc = replay_one(ctx, &ctx->pending[i]);
  pending_free(ctx);
  return rc;
}

/* ---- snapshots ------------------------------------------------------------------------------ */

struct psvc_order {
  psvc__order o; /* strings and events live in the same allocation */
};

static size_t slen(const char *s) { return s ? strlen(s) + 1 : 0; }

static const char *copy_str(char **pool, const char *s) {
  if (!s)
    return NULL;
  size_t n = strlen(s) + 1;
  char *d = *pool;
  memcpy(d, s, n);
  *pool += n;
  return d;
}

static size_t snapshot_size(const psvc__order *o) {
  size_t n = sizeof(psvc_order) + o->nev * sizeof(psvc__ev);
  n += slen(o->id) + slen(o->summary) + slen(o->customer) + slen(o->opened_by) +
       slen(o->opened_unit) + slen(o->st.responsible) + slen(o->st.current) +
       slen(o->st.merged_into);
  for (size_t i = 0; i < o->nev; i++)
    n += slen(o->ev[i].actor) + slen(o->ev[i].unit) + slen(o->ev[i].target) +
         slen(o->ev[i].note);
  return n;
}

static psvc_order *snapshot(const psvc__order *o) {
  psvc_order *s = psvc__malloc(snapshot_size(o));
  if (!s)
    return NULL;
  psvc__order *d = &s->o;
  *d = *o;
  d->ev = (psvc__ev *)(s + 1);
  d->cap = o->nev;
  char *pool = (char *)(d->ev + o->nev);
  d->id = (char *)copy_str(&pool, o->id);
  d->summary = (char *)copy_str(&pool, o->summary);
  d->customer = copy_str(&pool, o->customer);
  d->opened_by = copy_str(&pool, o->opened_by);
  d->opened_unit = copy_str(&pool, o->opened_unit);
  d->st.responsible = copy_str(&pool, o->st.responsible);
  d->st.current = copy_str(&pool, o->st.current);
  d->st.merged_into = copy_str(&pool, o->st.merged_into);
  for (size_t i = 0; i < o->nev; i++) {
    psvc__ev *e = &d->ev[i];
    *e = o->ev[i];
    e->actor = copy_str(&pool, o->ev[i].actor);
    e->unit = copy_str(&pool, o->ev[i].unit);
    e->target = copy_str(&pool, o->ev[i].target);
    e->note = (char *)copy_str(&pool, o->ev[i].note);
  }
  return s;
}

PSVC_API int psvc_order_load(psvc_ctx *ctx, const char *id, psvc_order **out) {
  const char *fn = "psvc_order_load", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if ((why = id ? psvc__id_problem(id) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: order id %s", fn, why);
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  const psvc__order *o = psvc__map_get(&ctx->orders, id);
  if (!o)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "%s: no order '%s'", fn, id);
  psvc_order *s = snapshot(o);
  if (!s)
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  *out = s;
  return PSVC_OK;
}

PSVC_API void psvc_order_free(psvc_order *o) { psvc__free(o); }

/* ---- getters ---------------------------------------------------------------------------------- */

#define GET(type, fname, expr)                                                  \
  PSVC_API type psvc_order_##fname(const psvc_order *s) { return s ? (expr) : 0; }
#define GET_EV(type, fname, expr)                                               \
  PSVC_API type psvc_order_event_##fname(const psvc_order *s, size_t i) {       \
    return s && i < s->o.nev ? (expr) : 0;                                      \
  }

GET(const char *, id, s->o.id)
GET(int, type, s->o.type)
GET(int, channel, s->o.channel)
GET(const char *, customer, s->o.customer)
GET(int, area, s->o.area)
GET(int, state, s->o.st.state)
GET(psvc_time, accepted_at, s->o.accepted_at)
GET(const char *, responsible_unit, s->o.st.responsible)
GET(const char *, current_unit, s->o.st.current)
GET(int, urge_count, s->o.st.urges)
GET(int, escalation_level, s->o.st.escalation)
GET(int, satisfaction, s->o.st.satisfaction)
GET(const char *, merged_into, s->o.st.merged_into)
GET(size_t, event_count, s->o.nev)
GET(int, subtype, s->o.subtype)
GET(const char *, summary, s->o.summary)
GET(const char *, opened_by, s->o.opened_by)
GET(int, opened_role, s->o.opened_role)
GET(const char *, opened_unit, s->o.opened_unit)
GET(int, suspended_from, s->o.st.suspended_from)
GET(int, reopen_count, s->o.st.reopens)
GET(int, is_open, s->o.st.state != PSVC_STATE_CLOSED && s->o.st.state != PSVC_STATE_CANCELLED &&
                       s->o.st.state != PSVC_STATE_MERGED)
GET_EV(int, action, s->o.ev[i].action)
GET_EV(psvc_time, at, s->o.ev[i].at)
GET_EV(const char *, actor, s->o.ev[i].actor)
GET_EV(int, role, s->o.ev[i].role)
GET_EV(const char *, unit, s->o.ev[i].unit)
GET_EV(const char *, target, s->o.ev[i].target)
GET_EV(int, value, s->o.ev[i].value)
GET_EV(const char *, note, s->o.ev[i].note)

/* ---- grants ----------------------------------------------------------------------------------- */

PSVC_API int psvc_permit(psvc_ctx *ctx, int order_type, int action, int role, int allow) {
  const char *fn = "psvc_permit";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (order_type < 0 || order_type > PSVC__TYPE_MAX)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: order type %d is neither 0 nor a PSVC_ORDER_*",
                      fn, order_type);
  if (action < 0 || action > PSVC__ACTION_MAX)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: action %d is neither 0 (open) nor a PSVC_ACT_*",
                      fn, action);
  if (role < 1 || role > PSVC__ROLE_MAX)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: role %d is not a PSVC_ROLE_*", fn, role);
  if (allow != 0 && allow != 1)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: allow must be 0 or 1, not %d", fn, allow);
  int lo = order_type ? order_type : 1, hi = order_type ? order_type : PSVC__TYPE_MAX;
  for (int t = lo; t <= hi; t++) {
    uint16_t *r = &ctx->grants.roles[t][action];
    *r = (uint16_t)(allow ? (*r | (1u << role)) : (*r & ~(1u << role)));
  }
  return PSVC_OK;
}

/* ---- queries ------------------------------------------------------------------------------------ */

static int cmp_orders(const void *a, const void *b) {
  const psvc__order *x = *(const psvc__order *const *)a, *y = *(const psvc__order *const *)b;
  if (x->accepted_at != y->accepted_at)
    return x->accepted_at < y->accepted_at ? -1 : 1;
  return strcmp(x->id, y->id);
}

typedef bool (*order_pred)(const psvc__order *o, const void *arg);

/* An order and its sort key for the handover (W-13). */
typedef struct ranked {
  psvc__order *o;
  psvc_time urgency;
} ranked;

static int cmp_ranked(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->urgency != y->urgency)
    return x->urgency < y->urgency ? -1 : 1;
  return cmp_orders(&x->o, &y->o);
}

/* The orders matching pred as a list: by accepted_at then id, or with
   `now` >= 0 most urgent first (earliest deadline of a running SLA clock,
   then accepted_at and id). */
static int collect(psvc_ctx *ctx, const char *fn, order_pred pred, const void *arg,
                   psvc_time now, psvc_list **out) {
  size_t n = 0;
  ranked *v = psvc__malloc((ctx->orders.len ? ctx->orders.len : 1) * sizeof *v);
  psvc_list *l = NULL;
  if (!v || psvc__list_new(&l) != PSVC_OK) {
    psvc__free(v);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  for (size_t i = 0; i < ctx->orders.cap; i++)
    if (ctx->orders.slots[i].key && pred(ctx->orders.slots[i].value, arg)) {
      psvc__order *o = ctx->orders.slots[i].value;
      v[n++] = (ranked){o, now >= 0 ? psvc__order_urgency(ctx, o, now) : 0};
    }
  if (n > 1)
    qsort(v, n, sizeof *v, cmp_ranked);
  for (size_t i = 0; i < n; i++)
    if (psvc__list_push(l, v[i].o->id) != PSVC_OK) {
      psvc__free(v);
      psvc_list_free(l);
      return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
    }
  psvc__free(v);
  *out = l;
  return PSVC_OK;
}

static bool eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static bool filter_match(const psvc__order *o, const void *arg) {
  const psvc_filter *f = arg;
  if (f->state_mask && !bit(f->state_mask, o->st.state))
    return false;
  if (f->type_mask && !bit(f->type_mask, o->type))
    return false;
  if (f->unit && !eq(o->st.current, f->unit))
    return false;
  if (f->customer_id && !eq(o->customer, f->customer_id))
    return false;
  if ((f->from || f->to) && (o->accepted_at < f->from || (f->to && o->accepted_at >= f->to)))
    return false;
  return true;
}

PSVC_API int psvc_order_find(psvc_ctx *ctx, const psvc_filter *f, psvc_list **out) {
  const char *fn = "psvc_order_find", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (!f || !out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: %s is NULL", fn, f ? "out" : "filter");
  if (f->size < FILTER_V1)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: filter size %u is smaller than v1's (%zu)", fn,
                      (unsigned)f->size, (size_t)FILTER_V1);
  if (f->unit && (why = unit_problem(f->unit)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: unit %s", fn, why);
  if (f->customer_id && (why = psvc__id_problem(f->customer_id)))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: customer_id %s", fn, why);
  if (f->from < 0 || f->to < 0 || (f->to && f->to < f->from))
    return psvc__fail(ctx, PSVC_ERANGE, "%s: [from, to) = [%lld, %lld) is not a time range",
                      fn, (long long)f->from, (long long)f->to);
  return collect(ctx, fn, filter_match, f, -1, out);
}

/* W-13: open, and held by the unit, or opened by it and held by none. */
static bool handed_over(const psvc__order *o, const void *arg) {
  const char *unit = arg;
  int s = o->st.state;
  if (s == PSVC_STATE_CLOSED || s == PSVC_STATE_CANCELLED || s == PSVC_STATE_MERGED)
    return false;
  return o->st.current ? eq(o->st.current, unit) : eq(o->opened_unit, unit);
}

PSVC_API int psvc_handover(psvc_ctx *ctx, const char *unit, psvc_time now, psvc_list **out) {
  const char *fn = "psvc_handover", *why;
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if ((why = unit ? unit_problem(unit) : "is NULL"))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: unit %s", fn, why);
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  int rc = check_time(ctx, fn, "now", now);
  if (rc)
    return rc;
  return collect(ctx, fn, handed_over, unit, now, out);
}

/* ---- SLA crossings (sla.c decides per order) ---------------------------------------------- */

typedef struct crossing {
  psvc_ctx *ctx;
  int metric;
  psvc_time from, to;
} crossing;

static bool crossed(const psvc__order *o, const void *arg) {
  const crossing *c = arg;
  return psvc__order_crossed(c->ctx, o, c->metric, c->from, c->to);
}

PSVC_API int psvc_sla_crossed(psvc_ctx *ctx, int metric, psvc_time from, psvc_time to,
                              psvc_list **out) {
  const char *fn = "psvc_sla_crossed";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (metric && !psvc_enum_name(PSVC_DOM_METRIC, metric))
    return psvc__fail(ctx, PSVC_EINVAL, "%s: metric %d is neither 0 nor a PSVC_METRIC_*", fn,
                      metric);
  if (!out)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: out is NULL", fn);
  int rc = check_time(ctx, fn, "from", from);
  if (rc || (rc = check_time(ctx, fn, "to", to)))
    return rc;
  if (to < from)
    return psvc__fail(ctx, PSVC_ERANGE, "%s: to is before from", fn);
  crossing c = {ctx, metric, from, to};
  return collect(ctx, fn, crossed, &c, -1, out);
}
