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

_Static_assert(sizeof(psvc__ev) == 24, "an event stays 24 bytes");
_Static_assert(PSVC_TIME_MAX < ((psvc_time)1 << 40), "event times fit in 40 bits");

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

/* ---- interned strings and the open-order index --------------------------------------- */

const char *psvc__str(const psvc_ctx *ctx, uint32_t id) {
  return id ? ctx->strs.tab[id] : NULL;
}

/* The id of s in the context, without adding it (0: not interned). */
static uint32_t lookup(const psvc_ctx *ctx, const char *s) {
  return s ? (uint32_t)(uintptr_t)psvc__map_get(&ctx->strings, s) : 0;
}

/* The id of s (0 for NULL), adding it if new; 0 with *oom on failure. */
static uint32_t intern(psvc_ctx *ctx, const char *s, bool *oom) {
  if (!s)
    return 0;
  uint32_t id = lookup(ctx, s);
  if (id)
    return id;
  psvc__strs *t = &ctx->strs;
  if (t->n + 1 >= t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 64;
    char **tab = psvc__realloc(t->tab, cap * sizeof *tab);
    if (tab)
      t->tab = tab;
    for (int k = 0; k < 2 && tab; k++) {
      psvc__bucket *bk = psvc__realloc(t->buckets[k], cap * sizeof *bk);
      if (!bk)
        tab = NULL;
      else {
        memset(bk + t->cap, 0, (cap - t->cap) * sizeof *bk);
        t->buckets[k] = bk;
      }
    }
    if (!tab) { /* the arrays that did grow keep their room: harmless */
      *oom = true;
      return 0;
    }
    t->cap = cap;
  }
  char *copy;
  if (psvc__map_reserve(&ctx->strings, 1) != PSVC_OK || !(copy = psvc__strdup(s))) {
    *oom = true;
    return 0;
  }
  id = ++t->n; /* id 0 means none */
  t->tab[id] = copy;
  psvc__map_put(&ctx->strings, copy, (void *)(uintptr_t)id);
  return id;
}

static bool state_open(int s) {
  return s != PSVC_STATE_CLOSED && s != PSVC_STATE_CANCELLED && s != PSVC_STATE_MERGED;
}

enum { IDX_HELD, IDX_CURRENT };

/* The buckets an order belongs in (0 = none): IDX_HELD while it is open,
   by its current unit, else the unit that opened it; IDX_CURRENT by its
   current unit, whatever its state. */
static void buckets_of(const psvc__order *o, const psvc__ostate *st, uint32_t h[2]) {
  h[IDX_HELD] = !state_open(st->state) ? 0 : st->current ? st->current : o->opened_unit;
  h[IDX_CURRENT] = st->current;
}

/* Room for one more order in bucket h of index k (the only allocation of
   a move). */
static int reserve_bucket(psvc_ctx *ctx, int k, uint32_t h) {
  psvc__bucket *b = &ctx->strs.buckets[k][h];
  if (!h || b->n < b->cap)
    return PSVC_OK;
  uint32_t cap = b->cap ? b->cap * 2 : 4;
  psvc__order **v = psvc__realloc(b->v, cap * sizeof *v);
  if (!v)
    return PSVC_ENOMEM;
  b->v = v;
  b->cap = cap;
  return PSVC_OK;
}

static int reserve_buckets(psvc_ctx *ctx, const uint32_t h[2]) {
  int rc = reserve_bucket(ctx, IDX_HELD, h[IDX_HELD]);
  return rc ? rc : reserve_bucket(ctx, IDX_CURRENT, h[IDX_CURRENT]);
}

/* Moves o to bucket h of index k (room reserved); cannot fail. */
static void move_to(psvc_ctx *ctx, psvc__order *o, int k, uint32_t h) {
  if (o->in[k] == h)
    return;
  if (o->in[k]) { /* swap-remove */
    psvc__bucket *b = &ctx->strs.buckets[k][o->in[k]];
    psvc__order *last = b->v[--b->n];
    b->v[o->slot[k]] = last;
    last->slot[k] = o->slot[k];
  }
  o->in[k] = h;
  if (h) {
    psvc__bucket *b = &ctx->strs.buckets[k][h];
    o->slot[k] = b->n;
    b->v[b->n++] = o;
  }
}

static void move_all(psvc_ctx *ctx, psvc__order *o, const uint32_t h[2]) {
  move_to(ctx, o, IDX_HELD, h[IDX_HELD]);
  move_to(ctx, o, IDX_CURRENT, h[IDX_CURRENT]);
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
  const psvc__step *s = psvc__lifecycle_step(&ctx->grants, o->type, o->st.state, in->action);
  if (!s)
    return refuse(ctx, PSVC_ESTATE, o, in, "is not allowed");
  if (grants && !bit(grants->roles[o->type][in->action], in->role))
    return refuse(ctx, PSVC_EPERM, o, in, "is not permitted");
  psvc_time last = o->nev ? PSVC__EV_AT(o, &o->ev[o->nev - 1]) : o->accepted_at;
  if (in->at < last)
    return psvc__fail(ctx, PSVC_ERANGE,
                      "psvc_order_apply: %s at %lld is earlier than the order's previous "
                      "event (%lld); history is append-only (W-11)",
                      name(PSVC_DOM_ACTION, in->action), (long long)in->at, (long long)last);
  if (in->at > PSVC_TIME_MAX)
    return check_time(ctx, "psvc_order_apply", "event time", in->at);

  *p = (plan){o->st, CUR_KEEP, false, false};
  psvc__ostate *n = &p->st;
  n->state = (uint8_t)(s->to == PSVC__SAME   ? o->st.state
                       : s->to == PSVC__PREV ? o->st.suspended_from
                                             : s->to);
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
    if (o->st.current && strcmp(psvc__str(ctx, o->st.current), in->target) == 0)
      return psvc__fail(ctx, PSVC_EINVAL,
                        "psvc_order_apply: order '%s' is already at unit '%s'", o->id,
                        in->target);
    p->cur = CUR_TARGET;
    break;
  case PSVC_ACT_SUSPEND: /* W-8 */
    n->suspended_from = o->st.state;
    break;
  case PSVC_ACT_VISIT: /* W-10 */
    n->satisfaction = (uint8_t)in->value;
    if (in->value == PSVC_SAT_UNSATISFIED) {
      n->state = PSVC_STATE_DISPATCHED;
      n->reopens++;
    }
    break;
  case PSVC_ACT_MERGE: /* W-9 */
    p->set_merged = true;
    break;
  case PSVC_ACT_URGE: /* W-5 */
    if (n->urges == UINT32_MAX)
      return psvc__fail(ctx, PSVC_ERANGE, "psvc_order_apply: urge count overflows");
    n->urges++;
    break;
  case PSVC_ACT_ESCALATE: { /* W-5 */
    int level = in->value ? in->value : o->st.escalation + 1;
    if (level <= o->st.escalation || level > ESCALATION_MAX)
      return psvc__fail(ctx, PSVC_ERANGE,
                        "psvc_order_apply: escalation level %d must be above the current "
                        "%d and at most %d", level, o->st.escalation, ESCALATION_MAX);
    n->escalation = (uint8_t)level;
    break;
  }
  default:
    break;
  }
  return PSVC_OK;
}

/* Fills the plan's units with interned ids (tgt, unit: the interned
   target and actor unit). */
static void resolve_units(plan *p, uint32_t tgt, uint32_t unit) {
  if (p->cur == CUR_CLEAR)
    p->st.current = 0;
  else if (p->cur == CUR_TARGET)
    p->st.current = tgt;
  else if (p->cur == CUR_ACTOR)
    p->st.current = unit;
  if (p->set_responsible)
    p->st.responsible = p->st.current;
  if (p->set_merged)
    p->st.merged_into = tgt;
}

static int reserve_events(psvc__order *o, bool note) {
  if (o->nev == UINT32_MAX - 1)
    return PSVC_ERANGE;
  if (o->nev == o->cap) {
    uint32_t cap = o->cap ? (o->cap < 1u << 30 ? o->cap * 2 : UINT32_MAX - 1) : 8;
    psvc__ev *ev = psvc__realloc(o->ev, cap * sizeof *ev);
    if (!ev)
      return PSVC_ENOMEM;
    o->ev = ev;
    o->cap = cap;
  }
  if (note && o->nnotes == o->capnotes) {
    uint32_t cap = o->capnotes ? o->capnotes * 2 : 2;
    char **v = psvc__realloc(o->notes, cap * sizeof *v);
    if (!v)
      return PSVC_ENOMEM;
    o->notes = v;
    o->capnotes = cap;
  }
  return PSVC_OK;
}

/* An event being applied: the record to store and the compact form. */
typedef struct staged {
  psvc__ev e;
  char *note; /* owned until committed */
  uint32_t buckets[2];
} staged;

/* Phase 2 for one event: interned strings, an owned note, room in the
   arrays and the index. */
static int prepare_event(psvc_ctx *ctx, psvc__order *o, const step_in *in,
                         const char *actor, const char *note, plan *p, staged *sg) {
  bool oom = false;
  sg->e = (psvc__ev){(uint32_t)in->at, intern(ctx, actor, &oom), intern(ctx, in->unit, &oom),
                     intern(ctx, in->target, &oom), in->value, (uint8_t)(in->at >> 32),
                     (uint8_t)in->action, (uint8_t)in->role, 0};
  sg->note = NULL;
  if (!oom && note && !(sg->note = psvc__strdup(note)))
    oom = true;
  int rc = oom ? PSVC_ENOMEM : reserve_events(o, note != NULL);
  if (rc == PSVC_OK) {
    resolve_units(p, sg->e.target, sg->e.unit);
    buckets_of(o, &p->st, sg->buckets);
    rc = reserve_buckets(ctx, sg->buckets);
  }
  if (rc != PSVC_OK) {
    psvc__free(sg->note);
    return rc;
  }
  return PSVC_OK;
}

/* Phase 3, in memory: cannot fail. */
static void commit_event(psvc_ctx *ctx, psvc__order *o, staged *sg, const plan *p) {
  if (sg->note) {
    o->notes[o->nnotes++] = sg->note;
    sg->e.has_note = 1;
  }
  o->ev[o->nev++] = sg->e;
  o->st = p->st;
  move_all(ctx, o, sg->buckets);
}

/* ---- context lifetime ------------------------------------------------------------------ */

int psvc__orders_init(psvc_ctx *ctx) {
  psvc__grants_init(&ctx->grants);
  return PSVC_OK;
}

static void order_destroy(psvc__order *o) {
  if (!o)
    return;
  for (uint32_t i = 0; i < o->nnotes; i++)
    psvc__free(o->notes[i]);
  psvc__free(o->notes);
  psvc__free(o->ev);
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
  psvc__strs *t = &ctx->strs;
  for (uint32_t i = 1; i <= t->n; i++) {
    psvc__free(t->tab[i]);
    psvc__free(t->buckets[IDX_HELD][i].v);
    psvc__free(t->buckets[IDX_CURRENT][i].v);
  }
  psvc__free(t->tab);
  psvc__free(t->buckets[IDX_HELD]);
  psvc__free(t->buckets[IDX_CURRENT]);
  memset(t, 0, sizeof *t);
  psvc__map_free(&ctx->strings);
  pending_free(ctx);
}

bool psvc__customer_has_orders(const psvc_ctx *ctx, const char *customer_id) {
  uint32_t id = lookup(ctx, customer_id);
  if (!id)
    return false;
  for (size_t i = 0; i < ctx->orders.cap; i++) {
    const psvc__order *o = ctx->orders.slots[i].value;
    if (ctx->orders.slots[i].key && o->customer == id)
      return true;
  }
  return false;
}

/* ---- open -------------------------------------------------------------------------------- */

/* A new order from validated fields, with room in the maps and its bucket
   reserved: inserting it (insert_order) cannot fail. */
static int order_build(psvc_ctx *ctx, const psvc__order_rec *r, psvc__order **out) {
  size_t idlen = strlen(r->id) + 1;
  psvc__order *o = psvc__calloc(1, sizeof *o + idlen);
  if (!o)
    return PSVC_ENOMEM;
  memcpy(o->id, r->id, idlen);
  bool oom = false;
  o->summary = psvc__strdup(r->summary);
  o->customer = intern(ctx, r->customer, &oom);
  o->opened_by = intern(ctx, r->opened_by, &oom);
  o->opened_unit = intern(ctx, r->opened_unit, &oom);
  if (oom || (r->summary && !o->summary) || psvc__map_reserve(&ctx->orders, 1) != PSVC_OK ||
      reserve_bucket(ctx, IDX_HELD, o->opened_unit) != PSVC_OK) {
    order_destroy(o);
    return PSVC_ENOMEM;
  }
  o->type = (uint8_t)r->type;
  o->channel = (uint8_t)r->channel;
  o->area = (uint8_t)r->area;
  o->subtype = (uint8_t)r->subtype;
  o->accepted_at = r->accepted_at;
  o->opened_role = (uint8_t)r->opened_role;
  o->st.state = PSVC_STATE_ACCEPTED;
  *out = o;
  return PSVC_OK;
}

static void insert_order(psvc_ctx *ctx, psvc__order *o) {
  psvc__map_put(&ctx->orders, o->id, o);
  uint32_t h[2];
  buckets_of(o, &o->st, h);
  move_all(ctx, o, h);
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
  if (!spec->customer_id && spec->type == PSVC_ORDER_FAULT_REPAIR && !spec->area)
    return psvc__fail(ctx, PSVC_EINVAL,
                      "%s: an anonymous FAULT_REPAIR must give its area: the arrival time "
                      "limit depends on it (T-3)", fn);
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
  psvc__order *o = NULL;
  psvc__buf b = {0};
  if (order_build(ctx, &r, &o) != PSVC_OK ||
      (ctx->has_store && psvc__encode_order(&r, &b) != PSVC_OK)) {
    psvc__buf_free(&b);
    if (o)
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
  insert_order(ctx, o);
  return PSVC_OK;
}

/* ---- apply --------------------------------------------------------------------------------- */

static void event_key(char *key, const char *id, uint32_t seq) {
  snprintf(key, EVENT_KEY_MAX, "%s/%010u", id, (unsigned)seq);
}

/* Step 6 for MERGE: the survivor exists and is open (W-9). */
static int check_survivor(psvc_ctx *ctx, const char *target) {
  const psvc__order *t = psvc__map_get(&ctx->orders, target);
  if (!t)
    return psvc__fail(ctx, PSVC_ENOTFOUND, "psvc_order_apply: no order '%s' to merge into",
                      target);
  if (!state_open(t->st.state))
    return psvc__fail(ctx, PSVC_ESTATE,
                      "psvc_order_apply: cannot merge into order '%s': it is %s (W-9)",
                      target, name(PSVC_DOM_STATE, t->st.state));
  return PSVC_OK;
}

/* Phases 2 and 3: prepare, store, commit. */
static int record_event(psvc_ctx *ctx, psvc__order *o, const step_in *in, const char *actor,
                        const char *note, plan *p) {
  staged sg;
  int rc = prepare_event(ctx, o, in, actor, note, p, &sg);
  if (rc != PSVC_OK)
    return rc == PSVC_ERANGE
               ? psvc__fail(ctx, rc, "psvc_order_apply: order '%s' has too many events", o->id)
               : psvc__fail(ctx, PSVC_ENOMEM, "psvc_order_apply: out of memory");
  psvc__buf b = {0};
  psvc__event_rec rec = {(char *)actor, (char *)in->unit, (char *)in->target, (char *)note,
                         in->at, in->value, in->action, in->role};
  if (ctx->has_store && psvc__encode_event(&rec, &b) != PSVC_OK) {
    psvc__buf_free(&b);
    psvc__free(sg.note);
    return psvc__fail(ctx, PSVC_ENOMEM, "psvc_order_apply: out of memory");
  }
  char key[EVENT_KEY_MAX];
  if (ctx->has_store) {
    event_key(key, o->id, o->nev);
    psvc__write w = {PSVC_REC_EVENT, key, b.data, b.len, false};
    rc = psvc__store_write(ctx, &w, 1);
  }
  psvc__buf_free(&b);
  if (rc) {
    psvc__free(sg.note);
    return rc;
  }
  commit_event(ctx, o, &sg, p);
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
  if (!bad && order_build(ctx, &r, &o) != PSVC_OK) {
    psvc__order_rec_clear(&r);
    return psvc__fail(ctx, PSVC_ENOMEM, "store: out of memory loading order '%s'", key);
  }
  psvc__order_rec_clear(&r);
  if (bad)
    return psvc__fail(ctx, PSVC_ECORRUPT, "store: order record '%s' is corrupt: %s", key, bad);
  insert_order(ctx, o);
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
  if (n > UINT32_MAX - 2)
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
    return psvc__fail(ctx, PSVC_ECORRUPT, "store: order '%s' has no event %u (history has a "
                      "gap or a duplicate)", o->id, (unsigned)o->nev);
  const psvc__event_rec *r = &p->rec;
  step_in in = {r->action, r->role, r->value, r->at, r->target, r->unit};
  /* the same checks as psvc_order_apply, except roles (grants are not
     stored) and the survivor of a MERGE (it may have closed since) */
  psvc_event ev = {sizeof ev, r->action, r->at, r->target, r->value, r->note};
  plan pl;
  int rc = check_event(ctx, o->id, &ev);
  if (rc == PSVC_OK)
    rc = plan_step(ctx, o, &in, NULL, &pl);
  if (rc != PSVC_OK) {
    char why[PSVC_ERRMSG_MAX];
    snprintf(why, sizeof why, "%s", ctx->errmsg);
    return psvc__fail(ctx, PSVC_ECORRUPT, "store: event %u of order '%s' does not replay: %s",
                      (unsigned)p->seq, o->id, why);
  }
  staged sg;
  if (prepare_event(ctx, o, &in, r->actor, NULL, &pl, &sg) != PSVC_OK ||
      (r->note && reserve_events(o, true) != PSVC_OK))
    return psvc__fail(ctx, PSVC_ENOMEM, "store: out of memory replaying events");
  sg.note = p->rec.note; /* ownership moves to the order */
  p->rec.note = NULL;
  commit_event(ctx, o, &sg, &pl);
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

/* A caller-owned copy: fixed fields, then the events, then every string,
   in one allocation. */
typedef struct snap_ev {
  psvc_time at;
  const char *actor, *unit, *target, *note;
  int value, action, role;
} snap_ev;

struct psvc_order {
  const char *id, *customer, *summary, *opened_by, *opened_unit;
  const char *responsible, *current, *merged_into;
  psvc_time accepted_at;
  int type, channel, area, subtype, opened_role;
  int state, suspended_from, satisfaction, escalation, urges, reopens;
  size_t nev;
  snap_ev ev[];
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

/* The note of event e, given how many notes came before it (*k). */
static const char *note_of(const psvc__order *o, const psvc__ev *e, uint32_t *k) {
  return e->has_note ? o->notes[(*k)++] : NULL;
}

static size_t snapshot_size(const psvc_ctx *ctx, const psvc__order *o) {
  size_t n = sizeof(psvc_order) + o->nev * sizeof(snap_ev);
  const psvc__ostate *st = &o->st;
  n += slen(o->id) + slen(o->summary) + slen(psvc__str(ctx, o->customer)) +
       slen(psvc__str(ctx, o->opened_by)) + slen(psvc__str(ctx, o->opened_unit)) +
       slen(psvc__str(ctx, st->responsible)) + slen(psvc__str(ctx, st->current)) +
       slen(psvc__str(ctx, st->merged_into));
  for (uint32_t i = 0, k = 0; i < o->nev; i++) {
    const psvc__ev *e = &o->ev[i];
    n += slen(psvc__str(ctx, e->actor)) + slen(psvc__str(ctx, e->unit)) +
         slen(psvc__str(ctx, e->target)) + slen(note_of(o, e, &k));
  }
  return n;
}

static psvc_order *snapshot(const psvc_ctx *ctx, const psvc__order *o) {
  psvc_order *s = psvc__malloc(snapshot_size(ctx, o));
  if (!s)
    return NULL;
  char *pool = (char *)&s->ev[o->nev];
  const psvc__ostate *st = &o->st;
  s->id = copy_str(&pool, o->id);
  s->summary = copy_str(&pool, o->summary);
  s->customer = copy_str(&pool, psvc__str(ctx, o->customer));
  s->opened_by = copy_str(&pool, psvc__str(ctx, o->opened_by));
  s->opened_unit = copy_str(&pool, psvc__str(ctx, o->opened_unit));
  s->responsible = copy_str(&pool, psvc__str(ctx, st->responsible));
  s->current = copy_str(&pool, psvc__str(ctx, st->current));
  s->merged_into = copy_str(&pool, psvc__str(ctx, st->merged_into));
  s->accepted_at = o->accepted_at;
  s->type = o->type;
  s->channel = o->channel;
  s->area = o->area;
  s->subtype = o->subtype;
  s->opened_role = o->opened_role;
  s->state = st->state;
  s->suspended_from = st->suspended_from;
  s->satisfaction = st->satisfaction;
  s->escalation = st->escalation;
  s->urges = (int)(st->urges > INT32_MAX ? INT32_MAX : st->urges);
  s->reopens = (int)(st->reopens > INT32_MAX ? INT32_MAX : st->reopens);
  s->nev = o->nev;
  for (uint32_t i = 0, k = 0; i < o->nev; i++) {
    const psvc__ev *e = &o->ev[i];
    s->ev[i] = (snap_ev){PSVC__EV_AT(o, e),
                         copy_str(&pool, psvc__str(ctx, e->actor)),
                         copy_str(&pool, psvc__str(ctx, e->unit)),
                         copy_str(&pool, psvc__str(ctx, e->target)),
                         copy_str(&pool, note_of(o, e, &k)),
                         e->value,
                         e->action,
                         e->role};
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
  psvc_order *s = snapshot(ctx, o);
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
    return s && i < s->nev ? (expr) : 0;                                        \
  }

GET(const char *, id, s->id)
GET(int, type, s->type)
GET(int, channel, s->channel)
GET(const char *, customer, s->customer)
GET(int, area, s->area)
GET(int, state, s->state)
GET(psvc_time, accepted_at, s->accepted_at)
GET(const char *, responsible_unit, s->responsible)
GET(const char *, current_unit, s->current)
GET(int, urge_count, s->urges)
GET(int, escalation_level, s->escalation)
GET(int, satisfaction, s->satisfaction)
GET(const char *, merged_into, s->merged_into)
GET(size_t, event_count, s->nev)
GET(int, subtype, s->subtype)
GET(const char *, summary, s->summary)
GET(const char *, opened_by, s->opened_by)
GET(int, opened_role, s->opened_role)
GET(const char *, opened_unit, s->opened_unit)
GET(int, suspended_from, s->suspended_from)
GET(int, reopen_count, s->reopens)
GET(int, is_open, state_open(s->state))
GET_EV(int, action, s->ev[i].action)
GET_EV(psvc_time, at, s->ev[i].at)
GET_EV(const char *, actor, s->ev[i].actor)
GET_EV(int, role, s->ev[i].role)
GET_EV(const char *, unit, s->ev[i].unit)
GET_EV(const char *, target, s->ev[i].target)
GET_EV(int, value, s->ev[i].value)
GET_EV(const char *, note, s->ev[i].note)

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

static int cmp_orders(const psvc__order *x, const psvc__order *y) {
  if (x->accepted_at != y->accepted_at)
    return x->accepted_at < y->accepted_at ? -1 : 1;
  return strcmp(x->id, y->id);
}

typedef bool (*order_pred)(const psvc_ctx *ctx, const psvc__order *o, const void *arg);

/* An order and its sort key for the handover (W-13). */
typedef struct ranked {
  psvc__order *o;
  psvc_time urgency;
} ranked;

static int cmp_ranked(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->urgency != y->urgency)
    return x->urgency < y->urgency ? -1 : 1;
  return cmp_orders(x->o, y->o);
}

/* Where a query looks: one bucket of the open-order index, or every order. */
typedef struct scope {
  psvc__order **v; /* a bucket's orders, or NULL: the whole map */
  size_t n;
} scope;

/* The orders of `sc` matching pred as a list: by accepted_at then id, or
   with `now` >= 0 most urgent first (earliest deadline of a running SLA
   clock, then accepted_at and id). */
static int collect(psvc_ctx *ctx, const char *fn, scope sc, order_pred pred, const void *arg,
                   psvc_time now, psvc_list **out) {
  size_t n = 0, total = sc.v ? sc.n : ctx->orders.len;
  ranked *v = psvc__malloc((total ? total : 1) * sizeof *v);
  psvc_list *l = NULL;
  if (!v || psvc__list_new(&l) != PSVC_OK) {
    psvc__free(v);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  size_t lim = sc.v ? sc.n : ctx->orders.cap;
  for (size_t i = 0; i < lim; i++) {
    psvc__order *o = sc.v ? sc.v[i] : ctx->orders.slots[i].key ? ctx->orders.slots[i].value
                                                               : NULL;
    if (o && pred(ctx, o, arg))
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

static scope everything(void) { return (scope){NULL, 0}; }

/* The bucket of `unit` in index k (empty if the unit was never seen). */
static scope bucket_of(const psvc_ctx *ctx, int k, const char *unit) {
  static psvc__order *none[1];
  uint32_t id = lookup(ctx, unit);
  if (!id || !ctx->strs.buckets[k][id].v)
    return (scope){none, 0};
  return (scope){ctx->strs.buckets[k][id].v, ctx->strs.buckets[k][id].n};
}

static bool eq_id(const psvc_ctx *ctx, uint32_t have, const char *want) {
  const char *s = psvc__str(ctx, have);
  return s && strcmp(s, want) == 0;
}

static bool filter_match(const psvc_ctx *ctx, const psvc__order *o, const void *arg) {
  const psvc_filter *f = arg;
  if (f->state_mask && !bit(f->state_mask, o->st.state))
    return false;
  if (f->type_mask && !bit(f->type_mask, o->type))
    return false;
  if (f->unit && !eq_id(ctx, o->st.current, f->unit))
    return false;
  if (f->customer_id && !eq_id(ctx, o->customer, f->customer_id))
    return false;
  if ((f->from || f->to) && (o->accepted_at < f->from || (f->to && o->accepted_at >= f->to)))
    return false;
  return true;
}

#define OPEN_MASK                                                                    \
  ((1u << PSVC_STATE_ACCEPTED) | (1u << PSVC_STATE_DISPATCHED) |                     \
   (1u << PSVC_STATE_RECEIVED) | (1u << PSVC_STATE_ON_SITE) |                        \
   (1u << PSVC_STATE_RESOLVED) | (1u << PSVC_STATE_REPLIED) |                        \
   (1u << PSVC_STATE_VISITED) | (1u << PSVC_STATE_SUSPENDED))

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
  /* by unit: the unit's bucket answers without looking at the other orders */
  if (f->unit) {
    bool open_only = f->state_mask && !(f->state_mask & ~OPEN_MASK);
    scope cur = bucket_of(ctx, IDX_CURRENT, f->unit);
    scope held = bucket_of(ctx, IDX_HELD, f->unit);
    return collect(ctx, fn, open_only && held.n < cur.n ? held : cur, filter_match, f, -1,
                   out);
  }
  return collect(ctx, fn, everything(), filter_match, f, -1, out);
}

/* W-13: open, and held by the unit, or opened by it and held by none —
   exactly the unit's bucket. */
static bool any(const psvc_ctx *ctx, const psvc__order *o, const void *arg) {
  (void)ctx, (void)o, (void)arg;
  return true;
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
  return collect(ctx, fn, bucket_of(ctx, IDX_HELD, unit), any, NULL, now, out);
}

/* ---- SLA crossings (sla.c decides per order) ---------------------------------------------- */

typedef struct crossing {
  psvc_ctx *ctx;
  int metric;
  psvc_time from, to;
} crossing;

static bool crossed(const psvc_ctx *ctx, const psvc__order *o, const void *arg) {
  const crossing *c = arg;
  (void)ctx;
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
  return collect(ctx, fn, everything(), crossed, &c, -1, out);
}

/* ---- snapshots for user transactions (txn.c) ------------------------------------------- */

/* Every order and its events as stored records. */
int psvc__orders_each(psvc_ctx *ctx, psvc__record_fn fn, void *arg) {
  for (size_t i = 0; i < ctx->orders.cap; i++) {
    const psvc__order *o = ctx->orders.slots[i].value;
    if (!ctx->orders.slots[i].key)
      continue;
    psvc__order_rec r = {(char *)o->id, (char *)psvc__str(ctx, o->customer), o->summary,
                         (char *)psvc__str(ctx, o->opened_by),
                         (char *)psvc__str(ctx, o->opened_unit), o->accepted_at, o->type,
                         o->channel, o->area, o->subtype, o->opened_role};
    psvc__buf b = {0};
    int rc = psvc__encode_order(&r, &b);
    if (rc == PSVC_OK)
      rc = fn(arg, PSVC_REC_ORDER, o->id, b.data, b.len);
    for (uint32_t k = 0, nk = 0; k < o->nev && rc == PSVC_OK; k++) {
      const psvc__ev *e = &o->ev[k];
      psvc__event_rec er = {(char *)psvc__str(ctx, e->actor), (char *)psvc__str(ctx, e->unit),
                            (char *)psvc__str(ctx, e->target), (char *)note_of(o, e, &nk),
                            PSVC__EV_AT(o, e), e->value, e->action, e->role};
      char key[EVENT_KEY_MAX];
      event_key(key, o->id, k);
      b.len = 0;
      rc = psvc__encode_event(&er, &b);
      if (rc == PSVC_OK)
        rc = fn(arg, PSVC_REC_EVENT, key, b.data, b.len);
    }
    psvc__buf_free(&b);
    if (rc != PSVC_OK)
      return rc;
  }
  return PSVC_OK;
}
