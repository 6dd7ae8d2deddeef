/*
 * test_lifecycle.c — the work-order lifecycle (API.md §4, docs/orders.md,
 * rules W-4 ... W-14) through the public API only: which action leads from
 * which state to which, per order type, and which roles may perform it.
 *
 * Covers:
 *  - the whole matrix: every order type (1..9) x every state reachable for
 *    that type (reached by SYSTEM along a shortest path, fresh context per
 *    case) x every action (1..16) x every role (1..13). Each call returns
 *    exactly PSVC_OK, PSVC_ESTATE (no step for type/state/action; the state
 *    check comes first) or PSVC_EPERM (a step exists, the role is not
 *    granted); a refused call changes nothing (state, event count, units,
 *    counters), an accepted one has exactly its documented effect;
 *  - the course of each type to CLOSED with the natural roles (W-6), an
 *    inquiry answered at first contact, the W-10 reopen on an unsatisfied
 *    visit, W-8 resume to the exact state from every working state, W-7
 *    return, W-4 transfer, W-5 urge/escalate, W-9 merge, terminal states
 *    that accept only NOTE, CANCEL of complaints and reports, SYSTEM;
 *  - psvc_permit narrowing and widening (one type, type 0 = all, action 0 =
 *    opening), per context, never bypassing the state check, and its EINVAL
 *    cases;
 *  - the ESTATE / EPERM messages (type, state, action and role by name), the
 *    check order EINVAL -> ENOTFOUND -> ESTATE -> EPERM -> ERANGE, and that
 *    a refused call writes nothing to the store.
 *
 * The expectations (the step table per type and the default grants) are
 * written here from API.md §4, RULES.md W-* and docs/orders.md, on purpose
 * independently of lib/lifecycle.c: the test links only the public API.
 */
#include "fault.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTYPES 9
#define NSTATES 11
#define NACTIONS 16
#define NROLES 13

/* ---- names for messages -------------------------------------------------------- */

static const char *name_of(int dom, int v) {
  const char *s = psvc_enum_name(dom, v);
  return s ? s : "?";
}
#define TYPE_N(t) name_of(PSVC_DOM_ORDER_TYPE, (t))
#define STATE_N(s) name_of(PSVC_DOM_STATE, (s))
#define ACT_N(a) name_of(PSVC_DOM_ACTION, (a))
#define ROLE_N(r) name_of(PSVC_DOM_ROLE, (r))
#define CODE_N(c) name_of(PSVC_DOM_STATUS, (c))

static const char *errmsg_of(const psvc_ctx *ctx) {
  const char *m = psvc_errmsg(ctx);
  return m ? m : "(no message)";
}

/* ---- the expected lifecycle (API.md §4, RULES.md W-6 ... W-11) --------------------- */

#define SAME (-1) /* the state does not change */
#define PREV (-2) /* back to the state the order was suspended from */

typedef struct course_row {
  int type, from, action, to;
} course_row;

#define ROW(t, f, a, n) {PSVC_ORDER_##t, PSVC_STATE_##f, PSVC_ACT_##a, PSVC_STATE_##n}
/* complaint-like cases: dispatched to a unit, handled, replied, visited */
#define CASE_ROWS(t)                                                         \
  ROW(t, ACCEPTED, DISPATCH, DISPATCHED), ROW(t, DISPATCHED, RECEIVE, RECEIVED), \
      ROW(t, RECEIVED, RESOLVE, RESOLVED), ROW(t, RESOLVED, REPLY, REPLIED),     \
      ROW(t, REPLIED, VISIT, VISITED), ROW(t, VISITED, CLOSE, CLOSED)

/* The course of an order per type (W-6): every (type, state, action) that
   moves the order forward. The actions common to all types follow in
   expect_step. */
static const course_row course[] = {
    /* SERVICE_REQUEST: field work, resolved in the office or on site */
    ROW(SERVICE_REQUEST, ACCEPTED, DISPATCH, DISPATCHED),
    ROW(SERVICE_REQUEST, DISPATCHED, RECEIVE, RECEIVED),
    ROW(SERVICE_REQUEST, RECEIVED, ARRIVE, ON_SITE),
    ROW(SERVICE_REQUEST, RECEIVED, RESOLVE, RESOLVED),
    ROW(SERVICE_REQUEST, ON_SITE, RESOLVE, RESOLVED),
    ROW(SERVICE_REQUEST, RESOLVED, REPLY, REPLIED),
    ROW(SERVICE_REQUEST, RESOLVED, VISIT, VISITED),
    ROW(SERVICE_REQUEST, REPLIED, VISIT, VISITED),
    ROW(SERVICE_REQUEST, VISITED, CLOSE, CLOSED),
    /* INQUIRY: answered at first contact, or via the back office */
    ROW(INQUIRY, ACCEPTED, DISPATCH, DISPATCHED),
    ROW(INQUIRY, DISPATCHED, RECEIVE, RECEIVED),
    ROW(INQUIRY, RECEIVED, RESOLVE, RESOLVED),
    ROW(INQUIRY, ACCEPTED, REPLY, REPLIED),
    ROW(INQUIRY, RECEIVED, REPLY, REPLIED),
    ROW(INQUIRY, RESOLVED, REPLY, REPLIED),
    ROW(INQUIRY, REPLIED, VISIT, VISITED),
    ROW(INQUIRY, REPLIED, CLOSE, CLOSED),
    ROW(INQUIRY, VISITED, CLOSE, CLOSED),
    /* FAULT_REPAIR: resolved only on site, never replied */
    ROW(FAULT_REPAIR, ACCEPTED, DISPATCH, DISPATCHED),
    ROW(FAULT_REPAIR, DISPATCHED, RECEIVE, RECEIVED),
    ROW(FAULT_REPAIR, RECEIVED, ARRIVE, ON_SITE),
    ROW(FAULT_REPAIR, ON_SITE, RESOLVE, RESOLVED),
    ROW(FAULT_REPAIR, RESOLVED, VISIT, VISITED),
    ROW(FAULT_REPAIR, VISITED, CLOSE, CLOSED),
    /* COMPLAINT, REPORT, OPINION */
    CASE_ROWS(COMPLAINT),
    CASE_ROWS(REPORT),
    CASE_ROWS(OPINION),
    /* SUGGESTION: like a case, and may be closed once replied */
    CASE_ROWS(SUGGESTION),
    ROW(SUGGESTION, REPLIED, CLOSE, CLOSED),
    /* PRAISE: no return visit; closed once handled or replied */
    ROW(PRAISE, ACCEPTED, DISPATCH, DISPATCHED),
    ROW(PRAISE, DISPATCHED, RECEIVE, RECEIVED),
    ROW(PRAISE, RECEIVED, RESOLVE, RESOLVED),
    ROW(PRAISE, RESOLVED, REPLY, REPLIED),
    ROW(PRAISE, REPLIED, CLOSE, CLOSED),
    ROW(PRAISE, RESOLVED, CLOSE, CLOSED),
    /* DISPATCH (internal back-office task): field work, closed once done */
    ROW(DISPATCH, ACCEPTED, DISPATCH, DISPATCHED),
    ROW(DISPATCH, DISPATCHED, RECEIVE, RECEIVED),
    ROW(DISPATCH, RECEIVED, ARRIVE, ON_SITE),
    ROW(DISPATCH, RECEIVED, RESOLVE, RESOLVED),
    ROW(DISPATCH, ON_SITE, RESOLVE, RESOLVED),
    ROW(DISPATCH, RESOLVED, CLOSE, CLOSED),
};
#define NCOURSE (sizeof course / sizeof course[0])

static bool st_held(int s) { /* a unit holds the order */
  return s == PSVC_STATE_DISPATCHED || s == PSVC_STATE_RECEIVED || s == PSVC_STATE_ON_SITE;
}
static bool st_working(int s) { /* ACCEPTED ... VISITED */
  return s >= PSVC_STATE_ACCEPTED && s <= PSVC_STATE_VISITED;
}
static bool st_open(int s) { return st_working(s) || s == PSVC_STATE_SUSPENDED; }

/* The next state for (type, state, action): a state, SAME, PREV, or 0 when
   no role could do it (PSVC_ESTATE). VISIT is taken with a satisfied
   customer. */
static int expect_step(int type, int state, int action) {
  for (size_t i = 0; i < NCOURSE; i++)
    if (course[i].type == type && course[i].from == state && course[i].action == action)
      return course[i].to;
  switch (action) {
  case PSVC_ACT_RETURN: /* W-7 */
    return st_held(state) ? PSVC_STATE_ACCEPTED : 0;
  case PSVC_ACT_TRANSFER: /* W-4 */
    return st_held(state) ? SAME : 0;
  case PSVC_ACT_SUSPEND: /* W-8 */
    return st_working(state) ? PSVC_STATE_SUSPENDED : 0;
  case PSVC_ACT_RESUME:
    return state == PSVC_STATE_SUSPENDED ? PREV : 0;
  case PSVC_ACT_CANCEL:
    return st_open(state) ? PSVC_STATE_CANCELLED : 0;
  case PSVC_ACT_MERGE: /* W-9 */
    return st_open(state) ? PSVC_STATE_MERGED : 0;
  case PSVC_ACT_URGE:     /* W-5 */
  case PSVC_ACT_ESCALATE: /* W-5 */
    return st_open(state) ? SAME : 0;
  case PSVC_ACT_NOTE: /* W-11: every state, closed ones included */
    return SAME;
  default:
    return 0;
  }
}

#define RB(x) (1u << PSVC_ROLE_##x)

/* The default grants of API.md §4 as a role bit set; action 0 = opening. */
static unsigned expect_roles(int type, int action) {
  const unsigned handling = RB(REPAIR_CREW) | RB(CUSTOMER_REP) | RB(CONNECTION) |
                            RB(METER_READING_BILLING) | RB(METERING) | RB(INSPECTION) |
                            RB(DEMAND_SIDE) | RB(CONSULTING);
  const unsigned leads = RB(SHIFT_LEAD) | RB(SUPERVISOR);
  const unsigned sys = RB(SYSTEM); /* history import: everything */
  switch (action) {
  case 0:
    return RB(AGENT) | leads | RB(CUSTOMER_REP) | sys;
  case PSVC_ACT_DISPATCH:
    return RB(AGENT) | RB(DISPATCHER) | leads | sys;
  case PSVC_ACT_RECEIVE:
  case PSVC_ACT_RETURN:
  case PSVC_ACT_TRANSFER:
  case PSVC_ACT_RESOLVE:
  case PSVC_ACT_SUSPEND:
  case PSVC_ACT_RESUME:
    return handling | RB(DISPATCHER) | leads | sys;
  case PSVC_ACT_ARRIVE:
    return RB(REPAIR_CREW) | RB(CONNECTION) | RB(METERING) | RB(INSPECTION) | sys;
  case PSVC_ACT_REPLY:
    return handling | RB(AGENT) | leads | sys;
  case PSVC_ACT_VISIT:
  case PSVC_ACT_CLOSE:
  case PSVC_ACT_MERGE:
    return RB(AGENT) | leads | sys;
  case PSVC_ACT_URGE:
    return RB(AGENT) | RB(DISPATCHER) | leads | sys;
  case PSVC_ACT_ESCALATE:
    return leads | sys;
  case PSVC_ACT_CANCEL:
    if (type == PSVC_ORDER_COMPLAINT || type == PSVC_ORDER_REPORT)
      return RB(SUPERVISOR) | sys;
    return leads | sys;
  case PSVC_ACT_NOTE:
    return handling | leads | RB(AGENT) | RB(DISPATCHER) | sys;
  default:
    return 0;
  }
}

static bool granted(int type, int action, int role) {
  return (expect_roles(type, action) >> role) & 1u;
}

/* The code psvc_order_apply must return: state check first, then role. */
static int expect_code(int type, int state, int action, int role) {
  if (expect_step(type, state, action) == 0)
    return PSVC_ESTATE;
  return granted(type, action, role) ? PSVC_OK : PSVC_EPERM;
}

/* ---- paths to every state (breadth-first over the expectation) ----------------- */

typedef struct path {
  int len;
  int actions[NSTATES + 1];    /* applied by SYSTEM, in order */
  int states[NSTATES + 2];     /* states[i] is the state before actions[i] */
} path;

static path paths[NTYPES + 1][NSTATES + 1];
static bool reachable[NTYPES + 1][NSTATES + 1];

typedef struct ts_case {
  int type, state;
} ts_case;
static ts_case all_cases[NTYPES * NSTATES]; /* every reachable (type, state) */
static int n_all_cases;
static ts_case work_cases[NTYPES * NSTATES]; /* reachable ACCEPTED ... VISITED */
static int n_work_cases;

static void paths_init(void) {
  static bool done;
  if (done)
    return;
  done = true;
  for (int t = 1; t <= NTYPES; t++) {
    int queue[NSTATES + 1], head = 0, tail = 0;
    reachable[t][PSVC_STATE_ACCEPTED] = true;
    paths[t][PSVC_STATE_ACCEPTED].states[0] = PSVC_STATE_ACCEPTED;
    queue[tail++] = PSVC_STATE_ACCEPTED;
    while (head < tail) {
      int s = queue[head++];
      for (int a = 1; a <= NACTIONS; a++) {
        int n = expect_step(t, s, a);
        if (n <= 0 || reachable[t][n])
          continue;
        path *p = &paths[t][n];
        *p = paths[t][s];
        p->actions[p->len++] = a;
        p->states[p->len] = n;
        reachable[t][n] = true;
        queue[tail++] = n;
      }
    }
    for (int s = 1; s <= NSTATES; s++) {
      if (!reachable[t][s])
        continue;
      all_cases[n_all_cases++] = (ts_case){t, s};
      if (st_working(s))
        work_cases[n_work_cases++] = (ts_case){t, s};
    }
  }
}

/* ---- actors, events, fixture --------------------------------------------------- */

#define CUSTOMER "cust-1"
#define SUBJECT "O-1"  /* the order under test */
#define SURVIVOR "O-2" /* an open order of the same type, MERGE's target */
#define UNIT_A "unit-A" /* where the paths dispatch and receive */
#define UNIT_B "unit-B" /* DISPATCH / TRANSFER target in the matrix */

/* One actor per role: id "staff.<role>", unit "desk-<role>". */
typedef struct staff {
  psvc_actor a;
  char id[32];
  char unit[32];
} staff;

static void staff_init(staff *w, int role) {
  psvc_actor init = PSVC_ACTOR_INIT;
  snprintf(w->id, sizeof w->id, "staff.%d", role);
  snprintf(w->unit, sizeof w->unit, "desk-%d", role);
  w->a = init;
  w->a.id = w->id;
  w->a.role = role;
  w->a.unit = w->unit;
}

/* An event with the arguments `action` needs, so that only state and role
   decide: DISPATCH/TRANSFER to UNIT_B, MERGE into SURVIVOR, a reason for
   RETURN/SUSPEND/CANCEL, a satisfied VISIT, ESCALATE one level up. */
static psvc_event std_event(int action, psvc_time at) {
  psvc_event ev = PSVC_EVENT_INIT;
  ev.action = action;
  ev.at = at;
  switch (action) {
  case PSVC_ACT_DISPATCH:
  case PSVC_ACT_TRANSFER:
    ev.target = UNIT_B;
    break;
  case PSVC_ACT_MERGE:
    ev.target = SURVIVOR;
    break;
  case PSVC_ACT_RETURN:
    ev.note = "dispatched to the wrong unit";
    break;
  case PSVC_ACT_SUSPEND:
    ev.note = "waiting for the customer";
    break;
  case PSVC_ACT_CANCEL:
    ev.note = "withdrawn by the caller";
    break;
  case PSVC_ACT_VISIT:
    ev.value = PSVC_SAT_SATISFIED;
    break;
  case PSVC_ACT_ESCALATE:
    ev.value = 0;
    break;
  case PSVC_ACT_NOTE:
    ev.note = "called back";
    break;
  default:
    break;
  }
  return ev;
}

/* The events of the paths: as std_event, but dispatched to and received by
   UNIT_A, so that the matrix's DISPATCH/TRANSFER to UNIT_B is a change. */
static psvc_event path_event(int action, psvc_time at) {
  psvc_event ev = std_event(action, at);
  if (action == PSVC_ACT_DISPATCH || action == PSVC_ACT_RECEIVE)
    ev.target = UNIT_A;
  return ev;
}

typedef struct fx {
  psvc_ctx *ctx;
  psvc_time t;        /* time of the latest event applied through the fixture */
  int suspended_from; /* the state the latest path SUSPEND left */
} fx;

static int open_order(psvc_ctx *ctx, const char *id, int type, int role) {
  psvc_order_spec spec = PSVC_ORDER_SPEC_INIT;
  spec.id = id;
  spec.type = type;
  spec.channel = PSVC_CHANNEL_PHONE;
  spec.customer_id = CUSTOMER;
  spec.accepted_at = FAULT_NOW;
  staff w;
  staff_init(&w, role);
  return psvc_order_open(ctx, &spec, &w.a);
}

static void add_customer(psvc_ctx *ctx) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(fault_customer_full(&c, CUSTOMER, 0), PSVC_OK);
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  psvc_customer_free(c);
}

/* A fresh in-memory context with the customer and no orders. */
static void fx_init(fx *f) {
  memset(f, 0, sizeof *f);
  f->t = FAULT_NOW;
  ck_assert_int_eq(psvc_ctx_open(&f->ctx, NULL), PSVC_OK);
  add_customer(f->ctx);
}

static void fx_add(fx *f, const char *id, int type) {
  int rc = open_order(f->ctx, id, type, PSVC_ROLE_SYSTEM);
  ck_assert_msg(rc == PSVC_OK, "opening %s order %s: %s (%s)", TYPE_N(type), id, CODE_N(rc),
                errmsg_of(f->ctx));
}

/* Fresh context with SUBJECT and SURVIVOR, both `type`, both ACCEPTED. */
static void fx_open(fx *f, int type) {
  fx_init(f);
  fx_add(f, SUBJECT, type);
  fx_add(f, SURVIVOR, type);
}

static void fx_close(fx *f) {
  psvc_ctx_close(f->ctx);
  f->ctx = NULL;
}

static int fx_apply(fx *f, const char *id, const psvc_event *ev, int role) {
  staff w;
  staff_init(&w, role);
  int rc = psvc_order_apply(f->ctx, id, ev, &w.a);
  if (rc == PSVC_OK && ev->at > f->t)
    f->t = ev->at;
  return rc;
}

/* Applies `action` with std_event arguments one minute after the latest
   event. */
static int fx_do(fx *f, const char *id, int action, int role) {
  psvc_event ev = std_event(action, f->t + 60);
  return fx_apply(f, id, &ev, role);
}

static int order_state(psvc_ctx *ctx, const char *id) {
  psvc_order *o = NULL;
  ck_assert_int_eq(psvc_order_load(ctx, id, &o), PSVC_OK);
  int s = psvc_order_state(o);
  psvc_order_free(o);
  return s;
}

/* Brings order `id` (type `type`, ACCEPTED) to `state` by SYSTEM. */
static void fx_reach(fx *f, const char *id, int type, int state) {
  ck_assert_msg(reachable[type][state], "%s: state %s is not reachable", TYPE_N(type),
                STATE_N(state));
  const path *p = &paths[type][state];
  for (int i = 0; i < p->len; i++) {
    psvc_event ev = path_event(p->actions[i], f->t + 60);
    int rc = fx_apply(f, id, &ev, PSVC_ROLE_SYSTEM);
    ck_assert_msg(rc == PSVC_OK, "reaching %s of a %s order: %s in %s by SYSTEM: %s (%s)",
                  STATE_N(state), TYPE_N(type), ACT_N(p->actions[i]), STATE_N(p->states[i]),
                  CODE_N(rc), errmsg_of(f->ctx));
    if (p->actions[i] == PSVC_ACT_SUSPEND)
      f->suspended_from = p->states[i];
  }
  int got = order_state(f->ctx, id);
  ck_assert_msg(got == state, "reaching %s of a %s order: the order is in %s",
                STATE_N(state), TYPE_N(type), STATE_N(got));
}

/* ---- order snapshots ("nothing changed" and effects) --------------------------- */

typedef struct snap {
  int state, urge, level, sat, susp, reopen, open;
  size_t events;
  char cur[80], resp[80], merged[80];
  /* the latest event */
  int last_action, last_role, last_value;
  psvc_time last_at;
  char last_actor[80], last_unit[80], last_target[80], last_note[160];
  char text[1024];
} snap;

static void quote(char *dst, size_t n, const char *s) {
  if (s)
    snprintf(dst, n, "'%s'", s);
  else
    snprintf(dst, n, "(null)");
}

static void snap_take(psvc_ctx *ctx, const char *id, snap *s) {
  psvc_order *o = NULL;
  int rc = psvc_order_load(ctx, id, &o);
  ck_assert_msg(rc == PSVC_OK, "loading %s: %s (%s)", id, CODE_N(rc), errmsg_of(ctx));
  memset(s, 0, sizeof *s);
  s->state = psvc_order_state(o);
  s->urge = psvc_order_urge_count(o);
  s->level = psvc_order_escalation_level(o);
  s->sat = psvc_order_satisfaction(o);
  s->susp = psvc_order_suspended_from(o);
  s->reopen = psvc_order_reopen_count(o);
  s->open = psvc_order_is_open(o);
  s->events = psvc_order_event_count(o);
  quote(s->cur, sizeof s->cur, psvc_order_current_unit(o));
  quote(s->resp, sizeof s->resp, psvc_order_responsible_unit(o));
  quote(s->merged, sizeof s->merged, psvc_order_merged_into(o));
  if (s->events > 0) {
    size_t i = s->events - 1;
    s->last_action = psvc_order_event_action(o, i);
    s->last_role = psvc_order_event_role(o, i);
    s->last_value = psvc_order_event_value(o, i);
    s->last_at = psvc_order_event_at(o, i);
    quote(s->last_actor, sizeof s->last_actor, psvc_order_event_actor(o, i));
    quote(s->last_unit, sizeof s->last_unit, psvc_order_event_unit(o, i));
    quote(s->last_target, sizeof s->last_target, psvc_order_event_target(o, i));
    quote(s->last_note, sizeof s->last_note, psvc_order_event_note(o, i));
  }
  snprintf(s->text, sizeof s->text,
           "state=%s events=%zu current=%s responsible=%s urge=%d level=%d "
           "satisfaction=%d suspended_from=%d reopens=%d open=%d merged_into=%s "
           "last=%s@%lld",
           STATE_N(s->state), s->events, s->cur, s->resp, s->urge, s->level, s->sat,
           s->susp, s->reopen, s->open, s->merged, ACT_N(s->last_action),
           (long long)s->last_at);
  psvc_order_free(o);
}

#define ASSERT_UNCHANGED(before, after, fmt, ...)                                  \
  ck_assert_msg(strcmp((before)->text, (after)->text) == 0,                        \
                fmt ": a refused call changed the order\n  before: %s\n  after:  %s", \
                __VA_ARGS__, (before)->text, (after)->text)

/* ---- the matrix ---------------------------------------------------------------- */

/* The effect of an accepted std_event(action) by `w` in `state`. */
static void check_effect(int type, int state, int action, const staff *w, const fx *f,
                         const psvc_event *ev, const snap *b, const snap *a) {
  const char *tn = TYPE_N(type), *sn = STATE_N(state), *an = ACT_N(action),
             *rn = ROLE_N(w->a.role);
  int next = expect_step(type, state, action);
  int want = next == SAME ? state : next == PREV ? f->suspended_from : next;
  ck_assert_msg(a->state == want, "%s in %s, %s by %s: now in %s, expected %s", tn, sn, an, rn,
                STATE_N(a->state), STATE_N(want));
  ck_assert_msg(a->events == b->events + 1, "%s in %s, %s by %s: %zu events, expected %zu",
                tn, sn, an, rn, a->events, b->events + 1);
  /* the record (W-11) */
  char q[80];
  ck_assert_msg(a->last_action == action && a->last_role == w->a.role && a->last_at == ev->at,
                "%s in %s, %s by %s: last event is %s by %s at %lld", tn, sn, an, rn,
                ACT_N(a->last_action), ROLE_N(a->last_role), (long long)a->last_at);
  quote(q, sizeof q, w->id);
  ck_assert_msg(strcmp(a->last_actor, q) == 0, "%s in %s, %s by %s: event actor %s", tn, sn, an,
                rn, a->last_actor);
  quote(q, sizeof q, w->unit);
  ck_assert_msg(strcmp(a->last_unit, q) == 0, "%s in %s, %s by %s: event unit %s", tn, sn, an, rn,
                a->last_unit);
  if (ev->target) {
    quote(q, sizeof q, ev->target);
    ck_assert_msg(strcmp(a->last_target, q) == 0, "%s in %s, %s by %s: event target %s", tn, sn,
                  an, rn, a->last_target);
  }
  if (ev->note) {
    quote(q, sizeof q, ev->note);
    ck_assert_msg(strcmp(a->last_note, q) == 0, "%s in %s, %s by %s: event note %s", tn, sn, an,
                  rn, a->last_note);
  }
  /* counters (W-5) */
  ck_assert_msg(a->urge == b->urge + (action == PSVC_ACT_URGE), "%s in %s, %s by %s: urge %d -> %d",
                tn, sn, an, rn, b->urge, a->urge);
  ck_assert_msg(a->level == b->level + (action == PSVC_ACT_ESCALATE),
                "%s in %s, %s by %s: escalation level %d -> %d", tn, sn, an, rn, b->level,
                a->level);
  ck_assert_msg(a->reopen == b->reopen, "%s in %s, %s by %s: reopens %d -> %d", tn, sn, an, rn,
                b->reopen, a->reopen);
  /* units (W-4, W-7) */
  char cur[80], resp[80];
  snprintf(cur, sizeof cur, "%s", b->cur);
  snprintf(resp, sizeof resp, "%s", b->resp);
  if (action == PSVC_ACT_DISPATCH || action == PSVC_ACT_TRANSFER)
    quote(cur, sizeof cur, ev->target);
  else if (action == PSVC_ACT_RECEIVE) { /* no target: the actor's unit */
    quote(cur, sizeof cur, w->unit);
    if (strcmp(b->resp, "(null)") == 0)
      quote(resp, sizeof resp, w->unit);
  } else if (action == PSVC_ACT_RETURN)
    quote(cur, sizeof cur, NULL);
  ck_assert_msg(strcmp(a->cur, cur) == 0, "%s in %s, %s by %s: current unit %s, expected %s", tn,
                sn, an, rn, a->cur, cur);
  ck_assert_msg(strcmp(a->resp, resp) == 0,
                "%s in %s, %s by %s: responsible unit %s, expected %s", tn, sn, an, rn, a->resp,
                resp);
  /* satisfaction (W-10), merge (W-9), suspension (W-8) */
  ck_assert_msg(a->sat == (action == PSVC_ACT_VISIT ? PSVC_SAT_SATISFIED : b->sat),
                "%s in %s, %s by %s: satisfaction %d", tn, sn, an, rn, a->sat);
  const char *merged = action == PSVC_ACT_MERGE ? "'" SURVIVOR "'" : b->merged;
  ck_assert_msg(strcmp(a->merged, merged) == 0, "%s in %s, %s by %s: merged_into %s", tn, sn, an,
                rn, a->merged);
  /* suspended_from is 0 unless the order is SUSPENDED (powersvc.h) */
  int susp = want != PSVC_STATE_SUSPENDED ? 0 : action == PSVC_ACT_SUSPEND ? state : b->susp;
  ck_assert_msg(a->susp == susp, "%s in %s, %s by %s: suspended_from %s, expected %s", tn, sn, an,
                rn, STATE_N(a->susp), STATE_N(susp));
  bool still_open = want != PSVC_STATE_CLOSED && want != PSVC_STATE_CANCELLED &&
                    want != PSVC_STATE_MERGED;
  ck_assert_msg(a->open == (int)still_open, "%s in %s, %s by %s: is_open %d in %s", tn, sn, an, rn,
                a->open, STATE_N(a->state));
}

static void check_case(int type, int state, int action, int role) {
  fx f;
  fx_open(&f, type);
  fx_reach(&f, SUBJECT, type, state);
  snap b, a;
  snap_take(f.ctx, SUBJECT, &b);
  staff w;
  staff_init(&w, role);
  psvc_event ev = std_event(action, f.t + 60);
  int rc = psvc_order_apply(f.ctx, SUBJECT, &ev, &w.a);
  int want = expect_code(type, state, action, role);
  ck_assert_msg(rc == want, "%s order in %s, %s by %s: got %s, expected %s (%s)", TYPE_N(type),
                STATE_N(state), ACT_N(action), ROLE_N(role), CODE_N(rc), CODE_N(want),
                rc == PSVC_OK ? "" : errmsg_of(f.ctx));
  snap_take(f.ctx, SUBJECT, &a);
  if (want == PSVC_OK)
    check_effect(type, state, action, &w, &f, &ev, &b, &a);
  else
    ASSERT_UNCHANGED(&b, &a, "%s order in %s, %s by %s", TYPE_N(type), STATE_N(state),
                     ACT_N(action), ROLE_N(role));
  fx_close(&f);
}

/* One iteration per reachable (type, state); inside, every action by every
   role, each on a fresh context. */
START_TEST(test_matrix_every_action_and_role) {
  ck_assert_int_lt(_i, n_all_cases);
  const ts_case *c = &all_cases[_i];
  for (int action = 1; action <= NACTIONS; action++)
    for (int role = 1; role <= NROLES; role++)
      check_case(c->type, c->state, action, role);
}
END_TEST

/* The states the expectation makes reachable are the intended ones:
   ON_SITE only for field work, no REPLIED for FAULT_REPAIR and DISPATCH, no
   VISITED for PRAISE and DISPATCH; all others everywhere. Guards the
   matrix's coverage. */
START_TEST(test_matrix_covers_every_state_of_every_type) {
  for (int t = 1; t <= NTYPES; t++)
    for (int s = 1; s <= NSTATES; s++) {
      bool want = true;
      if (s == PSVC_STATE_ON_SITE)
        want = t == PSVC_ORDER_FAULT_REPAIR || t == PSVC_ORDER_SERVICE_REQUEST ||
               t == PSVC_ORDER_DISPATCH;
      if (s == PSVC_STATE_REPLIED)
        want = t != PSVC_ORDER_FAULT_REPAIR && t != PSVC_ORDER_DISPATCH;
      if (s == PSVC_STATE_VISITED)
        want = t != PSVC_ORDER_PRAISE && t != PSVC_ORDER_DISPATCH;
      ck_assert_msg(reachable[t][s] == want, "%s: %s reachable %d", TYPE_N(t), STATE_N(s),
                    (int)reachable[t][s]);
    }
  ck_assert_int_eq(n_all_cases, 89);
  ck_assert_int_eq(n_work_cases, 89 - 4 * NTYPES);
}
END_TEST

/* ---- helpers for the scenario tests -------------------------------------------- */

static psvc_actor actor(const char *id, int role, const char *unit) {
  psvc_actor a = PSVC_ACTOR_INIT;
  a.id = id;
  a.role = role;
  a.unit = unit;
  return a;
}

/* Applies an event one minute after the latest with explicit arguments. */
static int fx_event(fx *f, const char *id, const psvc_actor *who, int action, const char *target,
                    int value, const char *note) {
  psvc_event ev = PSVC_EVENT_INIT;
  ev.action = action;
  ev.at = f->t + 60;
  ev.target = target;
  ev.value = value;
  ev.note = note;
  int rc = psvc_order_apply(f->ctx, id, &ev, who);
  if (rc == PSVC_OK)
    f->t = ev.at;
  return rc;
}

/* "'x'" for x, "(null)" for NULL, as in snap. */
static const char *qs(const char *s) {
  static char buf[4][96];
  static int k;
  k = (k + 1) % 4;
  quote(buf[k], sizeof buf[k], s);
  return buf[k];
}

static void assert_units(const snap *s, const char *cur, const char *resp, const char *what) {
  ck_assert_msg(strcmp(s->cur, qs(cur)) == 0, "%s: current unit %s, expected %s", what, s->cur,
                qs(cur));
  ck_assert_msg(strcmp(s->resp, qs(resp)) == 0, "%s: responsible unit %s, expected %s", what,
                s->resp, qs(resp));
}

static bool has(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* ---- W-6: the course of an order ----------------------------------------------- */

START_TEST(test_W6_fault_repair_full_path) {
  fx f;
  fx_open(&f, PSVC_ORDER_FAULT_REPAIR);
  psvc_actor agent = actor("agent.01", PSVC_ROLE_AGENT, "hotline-1");
  psvc_actor disp = actor("disp.02", PSVC_ROLE_DISPATCHER, "dispatch-centre");
  psvc_actor crew = actor("crew.07", PSVC_ROLE_REPAIR_CREW, "crew-north");
  const struct {
    const psvc_actor *who;
    int action;
    const char *target;
    int value;
    const char *note;
    int state;
  } st[] = {
      {&disp, PSVC_ACT_DISPATCH, "crew-north", 0, "transformer fuse", PSVC_STATE_DISPATCHED},
      {&crew, PSVC_ACT_RECEIVE, NULL, 0, NULL, PSVC_STATE_RECEIVED},
      {&crew, PSVC_ACT_ARRIVE, NULL, 0, "on site", PSVC_STATE_ON_SITE},
      {&crew, PSVC_ACT_RESOLVE, NULL, 0, "fuse replaced", PSVC_STATE_RESOLVED},
      {&agent, PSVC_ACT_VISIT, NULL, PSVC_SAT_SATISFIED, "customer content", PSVC_STATE_VISITED},
      {&agent, PSVC_ACT_CLOSE, NULL, 0, NULL, PSVC_STATE_CLOSED},
  };
  const size_t n = sizeof st / sizeof st[0];
  psvc_time at[8];
  for (size_t i = 0; i < n; i++) {
    snap b, a;
    snap_take(f.ctx, SUBJECT, &b);
    if (st[i].action == PSVC_ACT_ARRIVE) { /* FAULT_REPAIR resolves only on site */
      ck_assert_int_eq(fx_event(&f, SUBJECT, &crew, PSVC_ACT_RESOLVE, NULL, 0, NULL),
                       PSVC_ESTATE);
      snap_take(f.ctx, SUBJECT, &a);
      ASSERT_UNCHANGED(&b, &a, "%s", "RESOLVE from RECEIVED");
    }
    if (st[i].action == PSVC_ACT_VISIT) { /* no reply, no close before the visit */
      ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_CLOSE, NULL, 0, NULL), PSVC_ESTATE);
      ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_REPLY, NULL, 0, NULL), PSVC_ESTATE);
      snap_take(f.ctx, SUBJECT, &a);
      ASSERT_UNCHANGED(&b, &a, "%s", "CLOSE/REPLY from RESOLVED");
    }
    int rc = fx_event(&f, SUBJECT, st[i].who, st[i].action, st[i].target, st[i].value, st[i].note);
    ck_assert_msg(rc == PSVC_OK, "step %zu %s: %s (%s)", i, ACT_N(st[i].action), CODE_N(rc),
                  errmsg_of(f.ctx));
    at[i] = f.t;
    snap_take(f.ctx, SUBJECT, &a);
    ck_assert_msg(a.state == st[i].state, "after %s: %s, expected %s", ACT_N(st[i].action),
                  STATE_N(a.state), STATE_N(st[i].state));
    ck_assert_uint_eq(a.events, i + 1);
    if (i == 0)
      assert_units(&a, "crew-north", NULL, "after DISPATCH");
    else
      assert_units(&a, "crew-north", "crew-north", ACT_N(st[i].action));
  }
  /* the whole history, as given (W-11) */
  psvc_order *o = NULL;
  ck_assert_int_eq(psvc_order_load(f.ctx, SUBJECT, &o), PSVC_OK);
  ck_assert_int_eq(psvc_order_type(o), PSVC_ORDER_FAULT_REPAIR);
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_CLOSED);
  ck_assert_int_eq(psvc_order_satisfaction(o), PSVC_SAT_SATISFIED);
  ck_assert_int_eq(psvc_order_is_open(o), 0);
  ck_assert_int_eq(psvc_order_reopen_count(o), 0);
  ck_assert_uint_eq(psvc_order_event_count(o), n);
  for (size_t i = 0; i < n; i++) {
    ck_assert_int_eq(psvc_order_event_action(o, i), st[i].action);
    ck_assert_int_eq(psvc_order_event_at(o, i), at[i]);
    ck_assert_str_eq(psvc_order_event_actor(o, i), st[i].who->id);
    ck_assert_int_eq(psvc_order_event_role(o, i), st[i].who->role);
    ck_assert_str_eq(psvc_order_event_unit(o, i), st[i].who->unit);
    if (st[i].target)
      ck_assert_str_eq(psvc_order_event_target(o, i), st[i].target);
    if (st[i].note)
      ck_assert_str_eq(psvc_order_event_note(o, i), st[i].note);
    else
      ck_assert_ptr_null(psvc_order_event_note(o, i));
  }
  ck_assert_int_eq(psvc_order_event_value(o, 4), PSVC_SAT_SATISFIED);
  psvc_order_free(o);
  fx_close(&f);
}
END_TEST

START_TEST(test_W6_inquiry_answered_at_first_contact) {
  fx f;
  fx_open(&f, PSVC_ORDER_INQUIRY);
  psvc_actor agent = actor("agent.01", PSVC_ROLE_AGENT, "hotline-1");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_REPLY, NULL, 0, "tariff explained"),
                   PSVC_OK);
  snap s;
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_REPLIED);
  ck_assert_uint_eq(s.events, 1);
  assert_units(&s, NULL, NULL, "answered at first contact");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_CLOSE, NULL, 0, NULL), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_CLOSED);
  ck_assert_uint_eq(s.events, 2);
  ck_assert_int_eq(s.open, 0);
  assert_units(&s, NULL, NULL, "closed at first contact");
  /* no other type is answered at first contact, whoever tries */
  for (int t = 1; t <= NTYPES; t++) {
    if (t == PSVC_ORDER_INQUIRY)
      continue;
    char id[16];
    snprintf(id, sizeof id, "X-%d", t);
    fx_add(&f, id, t);
    ck_assert_msg(fx_do(&f, id, PSVC_ACT_REPLY, PSVC_ROLE_SYSTEM) == PSVC_ESTATE,
                  "%s: REPLY from ACCEPTED", TYPE_N(t));
    ck_assert_msg(order_state(f.ctx, id) == PSVC_STATE_ACCEPTED, "%s", TYPE_N(t));
  }
  fx_close(&f);
}
END_TEST

/* The normal course of each type to CLOSED, by the roles that do the work
   (W-6; DISPATCH by the agent who took the call, T-2). */
static const struct {
  int type;
  int actions[8];
  int roles[8];
} courses[] = {
    {PSVC_ORDER_SERVICE_REQUEST,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_ARRIVE, PSVC_ACT_RESOLVE, PSVC_ACT_REPLY,
      PSVC_ACT_VISIT, PSVC_ACT_CLOSE},
     {PSVC_ROLE_AGENT, PSVC_ROLE_CONNECTION, PSVC_ROLE_CONNECTION, PSVC_ROLE_CONNECTION,
      PSVC_ROLE_CUSTOMER_REP, PSVC_ROLE_AGENT, PSVC_ROLE_AGENT}},
    {PSVC_ORDER_INQUIRY,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_RESOLVE, PSVC_ACT_REPLY, PSVC_ACT_VISIT,
      PSVC_ACT_CLOSE},
     {PSVC_ROLE_AGENT, PSVC_ROLE_CONSULTING, PSVC_ROLE_CONSULTING, PSVC_ROLE_CONSULTING,
      PSVC_ROLE_AGENT, PSVC_ROLE_AGENT}},
    {PSVC_ORDER_FAULT_REPAIR,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_ARRIVE, PSVC_ACT_RESOLVE, PSVC_ACT_VISIT,
      PSVC_ACT_CLOSE},
     {PSVC_ROLE_DISPATCHER, PSVC_ROLE_REPAIR_CREW, PSVC_ROLE_REPAIR_CREW, PSVC_ROLE_REPAIR_CREW,
      PSVC_ROLE_AGENT, PSVC_ROLE_SHIFT_LEAD}},
    {PSVC_ORDER_COMPLAINT,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_RESOLVE, PSVC_ACT_REPLY, PSVC_ACT_VISIT,
      PSVC_ACT_CLOSE},
     {PSVC_ROLE_AGENT, PSVC_ROLE_CUSTOMER_REP, PSVC_ROLE_CUSTOMER_REP, PSVC_ROLE_CUSTOMER_REP,
      PSVC_ROLE_AGENT, PSVC_ROLE_SUPERVISOR}},
    {PSVC_ORDER_REPORT,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_RESOLVE, PSVC_ACT_REPLY, PSVC_ACT_VISIT,
      PSVC_ACT_CLOSE},
     {PSVC_ROLE_SUPERVISOR, PSVC_ROLE_INSPECTION, PSVC_ROLE_INSPECTION, PSVC_ROLE_AGENT,
      PSVC_ROLE_AGENT, PSVC_ROLE_AGENT}},
    {PSVC_ORDER_OPINION,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_RESOLVE, PSVC_ACT_REPLY, PSVC_ACT_VISIT,
      PSVC_ACT_CLOSE},
     {PSVC_ROLE_AGENT, PSVC_ROLE_DEMAND_SIDE, PSVC_ROLE_DEMAND_SIDE, PSVC_ROLE_DEMAND_SIDE,
      PSVC_ROLE_AGENT, PSVC_ROLE_AGENT}},
    {PSVC_ORDER_SUGGESTION,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_RESOLVE, PSVC_ACT_REPLY, PSVC_ACT_CLOSE},
     {PSVC_ROLE_AGENT, PSVC_ROLE_METER_READING_BILLING, PSVC_ROLE_METER_READING_BILLING,
      PSVC_ROLE_METER_READING_BILLING, PSVC_ROLE_AGENT}},
    {PSVC_ORDER_PRAISE,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_RESOLVE, PSVC_ACT_CLOSE},
     {PSVC_ROLE_AGENT, PSVC_ROLE_CUSTOMER_REP, PSVC_ROLE_CUSTOMER_REP, PSVC_ROLE_AGENT}},
    {PSVC_ORDER_DISPATCH,
     {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_ARRIVE, PSVC_ACT_RESOLVE, PSVC_ACT_CLOSE},
     {PSVC_ROLE_DISPATCHER, PSVC_ROLE_METERING, PSVC_ROLE_METERING, PSVC_ROLE_METERING,
      PSVC_ROLE_SHIFT_LEAD}},
};
#define NCOURSES ((int)(sizeof courses / sizeof courses[0]))

START_TEST(test_W6_every_type_runs_to_closed) {
  const int type = courses[_i].type;
  fx f;
  fx_open(&f, type);
  int state = PSVC_STATE_ACCEPTED;
  size_t k = 0;
  for (; k < 8 && courses[_i].actions[k]; k++) {
    int action = courses[_i].actions[k], role = courses[_i].roles[k];
    int next = expect_step(type, state, action);
    ck_assert_msg(next > 0, "%s: the course has %s in %s", TYPE_N(type), ACT_N(action),
                  STATE_N(state));
    int rc = fx_do(&f, SUBJECT, action, role);
    ck_assert_msg(rc == PSVC_OK, "%s in %s, %s by %s: %s (%s)", TYPE_N(type), STATE_N(state),
                  ACT_N(action), ROLE_N(role), CODE_N(rc), errmsg_of(f.ctx));
    state = next;
    ck_assert_msg(order_state(f.ctx, SUBJECT) == state, "%s after %s: expected %s",
                  TYPE_N(type), ACT_N(action), STATE_N(state));
  }
  ck_assert_int_eq(state, PSVC_STATE_CLOSED);
  snap s;
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_uint_eq(s.events, k);
  ck_assert_int_eq(s.open, 0);
  /* the receiving unit (std RECEIVE: the actor's unit) is responsible */
  char unit[32];
  snprintf(unit, sizeof unit, "desk-%d", courses[_i].roles[1]);
  assert_units(&s, unit, unit, TYPE_N(type));
  fx_close(&f);
}
END_TEST

/* ---- W-10: return visit -------------------------------------------------------- */

START_TEST(test_W10_unsatisfied_visit_reopens_to_dispatched) {
  psvc_actor agent = actor("agent.01", PSVC_ROLE_AGENT, "hotline-1");
  psvc_actor crew = actor("crew.07", PSVC_ROLE_REPAIR_CREW, "crew-north");
  psvc_actor rep = actor("rep.03", PSVC_ROLE_CUSTOMER_REP, "service-hall");
  /* FAULT_REPAIR: visited from RESOLVED */
  fx f;
  fx_open(&f, PSVC_ORDER_FAULT_REPAIR);
  fx_reach(&f, SUBJECT, PSVC_ORDER_FAULT_REPAIR, PSVC_STATE_RESOLVED);
  snap b, s;
  snap_take(f.ctx, SUBJECT, &b);
  ck_assert_int_eq(
      fx_event(&f, SUBJECT, &agent, PSVC_ACT_VISIT, NULL, PSVC_SAT_UNSATISFIED, "still dark"),
      PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_msg(s.state == PSVC_STATE_DISPATCHED, "W-10: unsatisfied visit led to %s",
                STATE_N(s.state));
  ck_assert_int_eq(s.sat, PSVC_SAT_UNSATISFIED);
  ck_assert_int_eq(s.reopen, 1);
  ck_assert_int_eq(s.open, 1);
  ck_assert_uint_eq(s.events, b.events + 1);
  assert_units(&s, UNIT_A, UNIT_A, "reopened to its current unit");
  /* handled again; the responsible unit stays (W-4) */
  ck_assert_int_eq(fx_event(&f, SUBJECT, &crew, PSVC_ACT_RECEIVE, NULL, 0, NULL), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_RECEIVED);
  assert_units(&s, "crew-north", UNIT_A, "received again");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &crew, PSVC_ACT_ARRIVE, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &crew, PSVC_ACT_RESOLVE, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(
      fx_event(&f, SUBJECT, &agent, PSVC_ACT_VISIT, NULL, PSVC_SAT_FAIRLY_SATISFIED, NULL),
      PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_VISITED);
  ck_assert_int_eq(s.sat, PSVC_SAT_FAIRLY_SATISFIED);
  ck_assert_int_eq(s.reopen, 1);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_CLOSE, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(order_state(f.ctx, SUBJECT), PSVC_STATE_CLOSED);
  fx_close(&f);

  /* COMPLAINT: visited from REPLIED; reopened twice */
  fx_open(&f, PSVC_ORDER_COMPLAINT);
  fx_reach(&f, SUBJECT, PSVC_ORDER_COMPLAINT, PSVC_STATE_REPLIED);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_VISIT, NULL, PSVC_SAT_UNSATISFIED, NULL),
                   PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_DISPATCHED);
  ck_assert_int_eq(s.reopen, 1);
  assert_units(&s, UNIT_A, UNIT_A, "complaint reopened");
  /* a second visit needs the order handled and replied again */
  ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_VISIT, NULL, PSVC_SAT_SATISFIED, NULL),
                   PSVC_ESTATE);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &rep, PSVC_ACT_RECEIVE, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &rep, PSVC_ACT_RESOLVE, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &rep, PSVC_ACT_REPLY, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_VISIT, NULL, PSVC_SAT_UNSATISFIED, NULL),
                   PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_DISPATCHED);
  ck_assert_int_eq(s.reopen, 2);
  assert_units(&s, "service-hall", UNIT_A, "complaint reopened twice");
  fx_close(&f);

  /* SERVICE_REQUEST: satisfied and fairly satisfied both end in VISITED */
  const int sats[] = {PSVC_SAT_SATISFIED, PSVC_SAT_FAIRLY_SATISFIED};
  for (int i = 0; i < 2; i++) {
    fx_open(&f, PSVC_ORDER_SERVICE_REQUEST);
    fx_reach(&f, SUBJECT, PSVC_ORDER_SERVICE_REQUEST, PSVC_STATE_RESOLVED);
    ck_assert_int_eq(fx_event(&f, SUBJECT, &agent, PSVC_ACT_VISIT, NULL, sats[i], NULL), PSVC_OK);
    snap_take(f.ctx, SUBJECT, &s);
    ck_assert_int_eq(s.state, PSVC_STATE_VISITED);
    ck_assert_int_eq(s.sat, sats[i]);
    ck_assert_int_eq(s.reopen, 0);
    fx_close(&f);
  }
}
END_TEST

/* ---- W-8: suspend and resume --------------------------------------------------- */

START_TEST(test_W8_resume_returns_to_exact_state) {
  ck_assert_int_lt(_i, n_work_cases);
  const int type = work_cases[_i].type, state = work_cases[_i].state;
  fx f;
  fx_open(&f, type);
  fx_reach(&f, SUBJECT, type, state);
  snap b, s;
  snap_take(f.ctx, SUBJECT, &b);
  ck_assert_int_eq(b.susp, 0);
  ck_assert_msg(fx_do(&f, SUBJECT, PSVC_ACT_SUSPEND, PSVC_ROLE_REPAIR_CREW) == PSVC_OK,
                "%s in %s: SUSPEND (%s)", TYPE_N(type), STATE_N(state), errmsg_of(f.ctx));
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_SUSPENDED);
  ck_assert_msg(s.susp == state, "%s: suspended from %s, left %s", TYPE_N(type), STATE_N(s.susp),
                STATE_N(state));
  ck_assert_int_eq(s.open, 1);
  ck_assert_str_eq(s.cur, b.cur);
  ck_assert_str_eq(s.resp, b.resp);
  /* still supervised while suspended (W-5) */
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_URGE, PSVC_ROLE_AGENT), PSVC_OK);
  ck_assert_int_eq(order_state(f.ctx, SUBJECT), PSVC_STATE_SUSPENDED);
  ck_assert_msg(fx_do(&f, SUBJECT, PSVC_ACT_RESUME, PSVC_ROLE_DISPATCHER) == PSVC_OK,
                "%s from %s: RESUME (%s)", TYPE_N(type), STATE_N(state), errmsg_of(f.ctx));
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_msg(s.state == state, "W-8: %s suspended from %s resumed to %s", TYPE_N(type),
                STATE_N(state), STATE_N(s.state));
  ck_assert_int_eq(s.susp, 0);
  ck_assert_uint_eq(s.events, b.events + 3);
  ck_assert_int_eq(s.urge, b.urge + 1);
  ck_assert_str_eq(s.cur, b.cur);
  ck_assert_str_eq(s.resp, b.resp);
  /* and the course continues from there exactly as before the suspension */
  for (int a = 1; a <= NACTIONS; a++) {
    int next = expect_step(type, state, a);
    if (next == 0)
      continue;
    fx g;
    fx_open(&g, type);
    fx_reach(&g, SUBJECT, type, state);
    ck_assert_int_eq(fx_do(&g, SUBJECT, PSVC_ACT_SUSPEND, PSVC_ROLE_SYSTEM), PSVC_OK);
    ck_assert_int_eq(fx_do(&g, SUBJECT, PSVC_ACT_RESUME, PSVC_ROLE_SYSTEM), PSVC_OK);
    int rc = fx_do(&g, SUBJECT, a, PSVC_ROLE_SYSTEM);
    ck_assert_msg(rc == PSVC_OK, "%s resumed to %s: %s: %s (%s)", TYPE_N(type), STATE_N(state),
                  ACT_N(a), CODE_N(rc), errmsg_of(g.ctx));
    fx_close(&g);
  }
  fx_close(&f);
}
END_TEST

/* ---- W-7: return; W-4: transfer and the responsible unit ----------------------- */

START_TEST(test_W7_return_clears_current_unit) {
  psvc_actor disp = actor("disp.02", PSVC_ROLE_DISPATCHER, "dispatch-centre");
  psvc_actor north = actor("crew.07", PSVC_ROLE_REPAIR_CREW, "crew-north");
  psvc_actor south = actor("crew.09", PSVC_ROLE_REPAIR_CREW, "crew-south");
  fx f;
  fx_open(&f, PSVC_ORDER_FAULT_REPAIR);
  snap b, s;
  ck_assert_int_eq(fx_event(&f, SUBJECT, &disp, PSVC_ACT_DISPATCH, "crew-north", 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &north, PSVC_ACT_RECEIVE, NULL, 0, NULL), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &b);
  assert_units(&b, "crew-north", "crew-north", "received");
  /* a return needs its reason */
  ck_assert_int_eq(fx_event(&f, SUBJECT, &north, PSVC_ACT_RETURN, NULL, 0, NULL), PSVC_EINVAL);
  snap_take(f.ctx, SUBJECT, &s);
  ASSERT_UNCHANGED(&b, &s, "%s", "RETURN without a reason");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &north, PSVC_ACT_RETURN, NULL, 0, "not our feeder"),
                   PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_ACCEPTED);
  assert_units(&s, NULL, "crew-north", "W-7: returned");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &north, PSVC_ACT_RETURN, NULL, 0, "again"), PSVC_ESTATE);
  /* dispatched again: the first receiver stays responsible (W-4) */
  ck_assert_int_eq(fx_event(&f, SUBJECT, &disp, PSVC_ACT_DISPATCH, "crew-south", 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &south, PSVC_ACT_RECEIVE, NULL, 0, NULL), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  assert_units(&s, "crew-south", "crew-north", "received by a second unit");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &south, PSVC_ACT_ARRIVE, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &south, PSVC_ACT_RETURN, NULL, 0, "needs HV crew"),
                   PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_ACCEPTED);
  assert_units(&s, NULL, "crew-north", "returned from ON_SITE");
  ck_assert_uint_eq(s.events, 7);
  /* returned before anyone received it: no responsible unit yet */
  ck_assert_int_eq(fx_event(&f, SURVIVOR, &disp, PSVC_ACT_DISPATCH, "crew-north", 0, NULL),
                   PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SURVIVOR, &north, PSVC_ACT_RETURN, NULL, 0, "wrong district"),
                   PSVC_OK);
  snap_take(f.ctx, SURVIVOR, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_ACCEPTED);
  assert_units(&s, NULL, NULL, "returned from DISPATCHED");
  fx_close(&f);
}
END_TEST

START_TEST(test_W4_transfer_keeps_responsible_unit) {
  psvc_actor disp = actor("disp.02", PSVC_ROLE_DISPATCHER, "dispatch-centre");
  psvc_actor crew = actor("crew.07", PSVC_ROLE_REPAIR_CREW, "crew-north");
  fx f;
  fx_open(&f, PSVC_ORDER_FAULT_REPAIR);
  snap b, s;
  ck_assert_int_eq(fx_event(&f, SUBJECT, &disp, PSVC_ACT_TRANSFER, "unit-B", 0, NULL),
                   PSVC_ESTATE); /* ACCEPTED: nobody holds it */
  ck_assert_int_eq(fx_event(&f, SUBJECT, &disp, PSVC_ACT_DISPATCH, UNIT_A, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &crew, PSVC_ACT_RECEIVE, UNIT_A, 0, NULL), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &b);
  assert_units(&b, UNIT_A, UNIT_A, "received");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &disp, PSVC_ACT_TRANSFER, "unit-B", 0, NULL), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_RECEIVED);
  assert_units(&s, "unit-B", UNIT_A, "W-4: transferred");
  /* to the unit that holds it, or to nowhere: EINVAL, nothing changes */
  snap_take(f.ctx, SUBJECT, &b);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &disp, PSVC_ACT_TRANSFER, "unit-B", 0, NULL), PSVC_EINVAL);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &disp, PSVC_ACT_TRANSFER, NULL, 0, NULL), PSVC_EINVAL);
  snap_take(f.ctx, SUBJECT, &s);
  ASSERT_UNCHANGED(&b, &s, "%s", "TRANSFER to the same unit");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &crew, PSVC_ACT_ARRIVE, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &crew, PSVC_ACT_TRANSFER, "unit-C", 0, NULL), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_ON_SITE);
  assert_units(&s, "unit-C", UNIT_A, "transferred on site");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &crew, PSVC_ACT_RESOLVE, NULL, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SUBJECT, &disp, PSVC_ACT_TRANSFER, "unit-D", 0, NULL),
                   PSVC_ESTATE); /* RESOLVED: no longer held */
  snap_take(f.ctx, SUBJECT, &s);
  assert_units(&s, "unit-C", UNIT_A, "resolved");
  /* transferred before anyone received it: the receiver becomes responsible */
  ck_assert_int_eq(fx_event(&f, SURVIVOR, &disp, PSVC_ACT_DISPATCH, UNIT_A, 0, NULL), PSVC_OK);
  ck_assert_int_eq(fx_event(&f, SURVIVOR, &disp, PSVC_ACT_TRANSFER, "unit-B", 0, NULL), PSVC_OK);
  snap_take(f.ctx, SURVIVOR, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_DISPATCHED);
  assert_units(&s, "unit-B", NULL, "transferred while dispatched");
  ck_assert_int_eq(fx_event(&f, SURVIVOR, &crew, PSVC_ACT_RECEIVE, "unit-B", 0, NULL), PSVC_OK);
  snap_take(f.ctx, SURVIVOR, &s);
  assert_units(&s, "unit-B", "unit-B", "received after a transfer");
  fx_close(&f);
}
END_TEST

/* ---- W-5: urge and escalate; W-9: merge ---------------------------------------- */

START_TEST(test_W5_urge_and_escalate_are_counted) {
  fx f;
  fx_open(&f, PSVC_ORDER_COMPLAINT);
  fx_reach(&f, SUBJECT, PSVC_ORDER_COMPLAINT, PSVC_STATE_RECEIVED);
  snap b, s;
  snap_take(f.ctx, SUBJECT, &b);
  ck_assert_int_eq(b.urge, 0);
  ck_assert_int_eq(b.level, 0);
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_URGE, PSVC_ROLE_AGENT), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_ESCALATE, PSVC_ROLE_SHIFT_LEAD), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_ESCALATE, PSVC_ROLE_SUPERVISOR), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_RECEIVED);
  ck_assert_int_eq(s.urge, 3);
  ck_assert_int_eq(s.level, 2);
  ck_assert_uint_eq(s.events, b.events + 5);
  psvc_actor lead = actor("lead.01", PSVC_ROLE_SHIFT_LEAD, "shift-A");
  ck_assert_int_eq(fx_event(&f, SUBJECT, &lead, PSVC_ACT_ESCALATE, NULL, 5, NULL), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.level, 5);
  /* roles without the grant */
  snap_take(f.ctx, SUBJECT, &b);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_ESCALATE, PSVC_ROLE_AGENT), PSVC_EPERM);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_URGE, PSVC_ROLE_REPAIR_CREW), PSVC_EPERM);
  snap_take(f.ctx, SUBJECT, &s);
  ASSERT_UNCHANGED(&b, &s, "%s", "URGE/ESCALATE without the grant");
  fx_close(&f);
}
END_TEST

START_TEST(test_W9_merge_into_open_order) {
  fx f;
  fx_open(&f, PSVC_ORDER_COMPLAINT);
  fx_add(&f, "O-3", PSVC_ORDER_COMPLAINT);
  fx_reach(&f, SUBJECT, PSVC_ORDER_COMPLAINT, PSVC_STATE_RECEIVED);
  snap sb, s;
  snap_take(f.ctx, SURVIVOR, &sb);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_MERGE, PSVC_ROLE_AGENT), PSVC_OK);
  snap_take(f.ctx, SUBJECT, &s);
  ck_assert_int_eq(s.state, PSVC_STATE_MERGED);
  ck_assert_str_eq(s.merged, "'" SURVIVOR "'");
  ck_assert_int_eq(s.open, 0);
  snap_take(f.ctx, SURVIVOR, &s);
  ck_assert_str_eq(s.text, sb.text); /* the survivor is untouched */
  /* into a merged order, into none, into itself */
  snap b;
  snap_take(f.ctx, "O-3", &b);
  psvc_actor agent = actor("agent.01", PSVC_ROLE_AGENT, "hotline-1");
  ck_assert_int_eq(fx_event(&f, "O-3", &agent, PSVC_ACT_MERGE, SUBJECT, 0, NULL), PSVC_ESTATE);
  ck_assert_int_eq(fx_event(&f, "O-3", &agent, PSVC_ACT_MERGE, "O-404", 0, NULL), PSVC_ENOTFOUND);
  ck_assert_int_eq(fx_event(&f, "O-3", &agent, PSVC_ACT_MERGE, "O-3", 0, NULL), PSVC_EINVAL);
  ck_assert_int_eq(fx_event(&f, "O-3", &agent, PSVC_ACT_MERGE, NULL, 0, NULL), PSVC_EINVAL);
  snap_take(f.ctx, "O-3", &s);
  ASSERT_UNCHANGED(&b, &s, "%s", "refused MERGE");
  fx_close(&f);
}
END_TEST

/* ---- terminal states ----------------------------------------------------------- */

static const int terminal[] = {PSVC_STATE_CLOSED, PSVC_STATE_CANCELLED, PSVC_STATE_MERGED};

START_TEST(test_closed_cancelled_merged_accept_only_note) {
  const int type = _i / 3 + 1, state = terminal[_i % 3];
  fx f;
  fx_open(&f, type);
  fx_reach(&f, SUBJECT, type, state);
  snap b, s;
  snap_take(f.ctx, SUBJECT, &b);
  ck_assert_int_eq(b.open, 0);
  for (int a = 1; a <= NACTIONS; a++) {
    if (a == PSVC_ACT_NOTE)
      continue;
    for (int r = 1; r <= NROLES; r++) {
      int rc = fx_do(&f, SUBJECT, a, r);
      ck_assert_msg(rc == PSVC_ESTATE, "%s order in %s, %s by %s: %s, expected ESTATE",
                    TYPE_N(type), STATE_N(state), ACT_N(a), ROLE_N(r), CODE_N(rc));
      snap_take(f.ctx, SUBJECT, &s);
      ASSERT_UNCHANGED(&b, &s, "%s order in %s, %s by %s", TYPE_N(type), STATE_N(state),
                       ACT_N(a), ROLE_N(r));
    }
  }
  for (int r = 1; r <= NROLES; r++) {
    int rc = fx_do(&f, SUBJECT, PSVC_ACT_NOTE, r);
    ck_assert_msg(rc == PSVC_OK, "%s order in %s, NOTE by %s: %s (%s)", TYPE_N(type),
                  STATE_N(state), ROLE_N(r), CODE_N(rc), errmsg_of(f.ctx));
    snap_take(f.ctx, SUBJECT, &s);
    ck_assert_int_eq(s.state, state);
    ck_assert_uint_eq(s.events, b.events + (size_t)r);
    ck_assert_int_eq(s.last_role, r);
    ck_assert_str_eq(s.cur, b.cur);
    ck_assert_str_eq(s.resp, b.resp);
    ck_assert_str_eq(s.merged, b.merged);
  }
  fx_close(&f);
}
END_TEST

/* ---- roles --------------------------------------------------------------------- */

START_TEST(test_cancel_complaint_and_report_supervisor_only) {
  const int states[] = {PSVC_STATE_ACCEPTED, PSVC_STATE_RECEIVED, PSVC_STATE_SUSPENDED};
  for (int t = 1; t <= NTYPES; t++)
    for (int k = 0; k < 3; k++)
      for (int r = 1; r <= NROLES; r++) {
        bool sensitive = t == PSVC_ORDER_COMPLAINT || t == PSVC_ORDER_REPORT;
        bool ok = r == PSVC_ROLE_SUPERVISOR || r == PSVC_ROLE_SYSTEM ||
                  (r == PSVC_ROLE_SHIFT_LEAD && !sensitive);
        fx f;
        fx_open(&f, t);
        fx_reach(&f, SUBJECT, t, states[k]);
        snap b, s;
        snap_take(f.ctx, SUBJECT, &b);
        int rc = fx_do(&f, SUBJECT, PSVC_ACT_CANCEL, r);
        ck_assert_msg(rc == (ok ? PSVC_OK : PSVC_EPERM), "%s in %s, CANCEL by %s: %s",
                      TYPE_N(t), STATE_N(states[k]), ROLE_N(r), CODE_N(rc));
        snap_take(f.ctx, SUBJECT, &s);
        if (ok) {
          ck_assert_int_eq(s.state, PSVC_STATE_CANCELLED);
          ck_assert_int_eq(s.open, 0);
        } else {
          ASSERT_UNCHANGED(&b, &s, "%s CANCEL by %s", TYPE_N(t), ROLE_N(r));
          if (sensitive && r == PSVC_ROLE_SHIFT_LEAD) {
            const char *m = errmsg_of(f.ctx);
            ck_assert_msg(has(m, TYPE_N(t)) && has(m, "CANCEL") && has(m, "SHIFT_LEAD") &&
                              has(m, STATE_N(states[k])),
                          "EPERM message: %s", m);
          }
        }
        fx_close(&f);
      }
}
END_TEST

START_TEST(test_system_may_do_everything) {
  const int type = _i + 1;
  fx f;
  fx_init(&f);
  ck_assert_int_eq(open_order(f.ctx, "S-1", type, PSVC_ROLE_SYSTEM), PSVC_OK);
  fx_close(&f);
  int done = 0;
  for (int s = 1; s <= NSTATES; s++) {
    if (!reachable[type][s])
      continue;
    for (int a = 1; a <= NACTIONS; a++) {
      if (expect_step(type, s, a) == 0)
        continue;
      fx_open(&f, type);
      fx_reach(&f, SUBJECT, type, s);
      int rc = fx_do(&f, SUBJECT, a, PSVC_ROLE_SYSTEM);
      ck_assert_msg(rc == PSVC_OK, "%s in %s, %s by SYSTEM: %s (%s)", TYPE_N(type), STATE_N(s),
                    ACT_N(a), CODE_N(rc), errmsg_of(f.ctx));
      fx_close(&f);
      done++;
    }
  }
  ck_assert_int_gt(done, 40);
}
END_TEST

START_TEST(test_open_default_roles) {
  fx f;
  fx_init(&f);
  for (int t = 1; t <= NTYPES; t++)
    for (int r = 1; r <= NROLES; r++) {
      bool ok = r == PSVC_ROLE_AGENT || r == PSVC_ROLE_SHIFT_LEAD || r == PSVC_ROLE_SUPERVISOR ||
                r == PSVC_ROLE_CUSTOMER_REP || r == PSVC_ROLE_SYSTEM;
      char id[16];
      snprintf(id, sizeof id, "N-%d-%d", t, r);
      int rc = open_order(f.ctx, id, t, r);
      ck_assert_msg(rc == (ok ? PSVC_OK : PSVC_EPERM), "opening a %s order as %s: %s",
                    TYPE_N(t), ROLE_N(r), CODE_N(rc));
      psvc_order *o = NULL;
      ck_assert_int_eq(psvc_order_load(f.ctx, id, &o), ok ? PSVC_OK : PSVC_ENOTFOUND);
      if (ok) {
        ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_ACCEPTED);
        ck_assert_uint_eq(psvc_order_event_count(o), 0);
        ck_assert_int_eq(psvc_order_opened_role(o), r);
      }
      psvc_order_free(o);
    }
  fx_close(&f);
}
END_TEST

/* The state check comes before the role check: a role without the grant
   gets ESTATE where no role could act, and a granted role gets EPERM
   nowhere. */
START_TEST(test_state_check_before_role) {
  fx f;
  fx_open(&f, PSVC_ORDER_FAULT_REPAIR);
  /* AGENT may not RESOLVE and no one may RESOLVE an ACCEPTED repair */
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_RESOLVE, PSVC_ROLE_AGENT), PSVC_ESTATE);
  /* AGENT may not ARRIVE; in RECEIVED someone could: EPERM */
  fx_reach(&f, SUBJECT, PSVC_ORDER_FAULT_REPAIR, PSVC_STATE_RECEIVED);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_ARRIVE, PSVC_ROLE_AGENT), PSVC_EPERM);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_RESOLVE, PSVC_ROLE_AGENT), PSVC_ESTATE);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_RESOLVE, PSVC_ROLE_REPAIR_CREW), PSVC_ESTATE);
  ck_assert_int_eq(order_state(f.ctx, SUBJECT), PSVC_STATE_RECEIVED);
  fx_close(&f);
}
END_TEST

/* ---- psvc_permit --------------------------------------------------------------- */

START_TEST(test_permit_narrowing_one_type) {
  fx f;
  fx_open(&f, PSVC_ORDER_FAULT_REPAIR);
  fx_add(&f, "C-1", PSVC_ORDER_COMPLAINT);
  fx_reach(&f, SUBJECT, PSVC_ORDER_FAULT_REPAIR, PSVC_STATE_ON_SITE);
  fx_reach(&f, "C-1", PSVC_ORDER_COMPLAINT, PSVC_STATE_RECEIVED);
  ck_assert_int_eq(
      psvc_permit(f.ctx, PSVC_ORDER_FAULT_REPAIR, PSVC_ACT_RESOLVE, PSVC_ROLE_REPAIR_CREW, 0),
      PSVC_OK);
  snap b, s;
  snap_take(f.ctx, SUBJECT, &b);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_RESOLVE, PSVC_ROLE_REPAIR_CREW), PSVC_EPERM);
  snap_take(f.ctx, SUBJECT, &s);
  ASSERT_UNCHANGED(&b, &s, "%s", "narrowed RESOLVE");
  /* other types and other roles keep their grants */
  ck_assert_int_eq(fx_do(&f, "C-1", PSVC_ACT_RESOLVE, PSVC_ROLE_REPAIR_CREW), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_RESOLVE, PSVC_ROLE_CONNECTION), PSVC_OK);
  ck_assert_int_eq(order_state(f.ctx, SUBJECT), PSVC_STATE_RESOLVED);
  /* widened back */
  fx_add(&f, "F-2", PSVC_ORDER_FAULT_REPAIR);
  fx_reach(&f, "F-2", PSVC_ORDER_FAULT_REPAIR, PSVC_STATE_ON_SITE);
  ck_assert_int_eq(
      psvc_permit(f.ctx, PSVC_ORDER_FAULT_REPAIR, PSVC_ACT_RESOLVE, PSVC_ROLE_REPAIR_CREW, 1),
      PSVC_OK);
  ck_assert_int_eq(fx_do(&f, "F-2", PSVC_ACT_RESOLVE, PSVC_ROLE_REPAIR_CREW), PSVC_OK);
  fx_close(&f);
}
END_TEST

START_TEST(test_permit_widening_one_type) {
  fx f;
  fx_open(&f, PSVC_ORDER_INQUIRY);
  fx_add(&f, "G-1", PSVC_ORDER_SUGGESTION);
  fx_reach(&f, SUBJECT, PSVC_ORDER_INQUIRY, PSVC_STATE_REPLIED);
  fx_reach(&f, "G-1", PSVC_ORDER_SUGGESTION, PSVC_STATE_REPLIED);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_CLOSE, PSVC_ROLE_CONSULTING), PSVC_EPERM);
  ck_assert_int_eq(
      psvc_permit(f.ctx, PSVC_ORDER_INQUIRY, PSVC_ACT_CLOSE, PSVC_ROLE_CONSULTING, 1), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_CLOSE, PSVC_ROLE_CONSULTING), PSVC_OK);
  ck_assert_int_eq(order_state(f.ctx, SUBJECT), PSVC_STATE_CLOSED);
  ck_assert_int_eq(fx_do(&f, "G-1", PSVC_ACT_CLOSE, PSVC_ROLE_CONSULTING), PSVC_EPERM);
  ck_assert_int_eq(order_state(f.ctx, "G-1"), PSVC_STATE_REPLIED);
  /* the exception for complaints can be widened for one type only */
  fx_add(&f, "C-1", PSVC_ORDER_COMPLAINT);
  fx_add(&f, "R-1", PSVC_ORDER_REPORT);
  ck_assert_int_eq(
      psvc_permit(f.ctx, PSVC_ORDER_COMPLAINT, PSVC_ACT_CANCEL, PSVC_ROLE_SHIFT_LEAD, 1), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, "C-1", PSVC_ACT_CANCEL, PSVC_ROLE_SHIFT_LEAD), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, "R-1", PSVC_ACT_CANCEL, PSVC_ROLE_SHIFT_LEAD), PSVC_EPERM);
  fx_close(&f);
}
END_TEST

START_TEST(test_permit_all_types) {
  fx f;
  fx_init(&f);
  char id[NTYPES + 1][16];
  for (int t = 1; t <= NTYPES; t++) {
    snprintf(id[t], sizeof id[t], "T-%d", t);
    fx_add(&f, id[t], t);
  }
  /* widen for every type */
  ck_assert_int_eq(psvc_permit(f.ctx, 0, PSVC_ACT_ESCALATE, PSVC_ROLE_AGENT, 1), PSVC_OK);
  for (int t = 1; t <= NTYPES; t++)
    ck_assert_msg(fx_do(&f, id[t], PSVC_ACT_ESCALATE, PSVC_ROLE_AGENT) == PSVC_OK,
                  "%s: ESCALATE by AGENT after widening all types", TYPE_N(t));
  /* narrow for every type, then widen one again */
  ck_assert_int_eq(psvc_permit(f.ctx, 0, PSVC_ACT_NOTE, PSVC_ROLE_DEMAND_SIDE, 0), PSVC_OK);
  for (int t = 1; t <= NTYPES; t++)
    ck_assert_msg(fx_do(&f, id[t], PSVC_ACT_NOTE, PSVC_ROLE_DEMAND_SIDE) == PSVC_EPERM,
                  "%s: NOTE by DEMAND_SIDE after narrowing all types", TYPE_N(t));
  ck_assert_int_eq(
      psvc_permit(f.ctx, PSVC_ORDER_PRAISE, PSVC_ACT_NOTE, PSVC_ROLE_DEMAND_SIDE, 1), PSVC_OK);
  for (int t = 1; t <= NTYPES; t++)
    ck_assert_msg(fx_do(&f, id[t], PSVC_ACT_NOTE, PSVC_ROLE_DEMAND_SIDE) ==
                      (t == PSVC_ORDER_PRAISE ? PSVC_OK : PSVC_EPERM),
                  "%s: NOTE by DEMAND_SIDE after widening PRAISE", TYPE_N(t));
  /* other roles keep NOTE */
  for (int t = 1; t <= NTYPES; t++)
    ck_assert_int_eq(fx_do(&f, id[t], PSVC_ACT_NOTE, PSVC_ROLE_CONSULTING), PSVC_OK);
  fx_close(&f);
}
END_TEST

START_TEST(test_permit_open_action_zero) {
  fx f;
  fx_init(&f);
  ck_assert_int_eq(psvc_permit(f.ctx, PSVC_ORDER_FAULT_REPAIR, 0, PSVC_ROLE_AGENT, 0), PSVC_OK);
  ck_assert_int_eq(open_order(f.ctx, "A-1", PSVC_ORDER_FAULT_REPAIR, PSVC_ROLE_AGENT), PSVC_EPERM);
  psvc_order *o = NULL;
  ck_assert_int_eq(psvc_order_load(f.ctx, "A-1", &o), PSVC_ENOTFOUND);
  ck_assert_int_eq(open_order(f.ctx, "A-2", PSVC_ORDER_INQUIRY, PSVC_ROLE_AGENT), PSVC_OK);
  ck_assert_int_eq(open_order(f.ctx, "A-3", PSVC_ORDER_FAULT_REPAIR, PSVC_ROLE_SHIFT_LEAD),
                   PSVC_OK);
  /* widen opening to REPAIR_CREW for every type */
  ck_assert_int_eq(open_order(f.ctx, "B-0", PSVC_ORDER_FAULT_REPAIR, PSVC_ROLE_REPAIR_CREW),
                   PSVC_EPERM);
  ck_assert_int_eq(psvc_permit(f.ctx, 0, 0, PSVC_ROLE_REPAIR_CREW, 1), PSVC_OK);
  for (int t = 1; t <= NTYPES; t++) {
    char id[16];
    snprintf(id, sizeof id, "B-%d", t);
    ck_assert_msg(open_order(f.ctx, id, t, PSVC_ROLE_REPAIR_CREW) == PSVC_OK,
                  "%s opened by REPAIR_CREW after widening", TYPE_N(t));
  }
  /* opening grants are not action grants */
  ck_assert_int_eq(fx_do(&f, "B-3", PSVC_ACT_DISPATCH, PSVC_ROLE_REPAIR_CREW), PSVC_EPERM);
  fx_close(&f);
}
END_TEST

START_TEST(test_permit_cannot_bypass_state) {
  fx f;
  fx_open(&f, PSVC_ORDER_COMPLAINT);
  fx_add(&f, "F-1", PSVC_ORDER_FAULT_REPAIR);
  fx_reach(&f, SUBJECT, PSVC_ORDER_COMPLAINT, PSVC_STATE_RECEIVED);
  fx_reach(&f, "F-1", PSVC_ORDER_FAULT_REPAIR, PSVC_STATE_RECEIVED);
  ck_assert_int_eq(psvc_permit(f.ctx, 0, PSVC_ACT_ARRIVE, PSVC_ROLE_AGENT, 1), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_ARRIVE, PSVC_ROLE_AGENT), PSVC_ESTATE);
  ck_assert_int_eq(fx_do(&f, "F-1", PSVC_ACT_ARRIVE, PSVC_ROLE_AGENT), PSVC_OK);
  ck_assert_int_eq(order_state(f.ctx, "F-1"), PSVC_STATE_ON_SITE);
  /* narrowing to nobody: still ESTATE where no step exists */
  for (int r = 1; r <= NROLES; r++)
    ck_assert_int_eq(psvc_permit(f.ctx, 0, PSVC_ACT_CLOSE, r, 0), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_CLOSE, PSVC_ROLE_SYSTEM), PSVC_ESTATE);
  fx_close(&f);
}
END_TEST

START_TEST(test_permit_is_per_context) {
  fx f, g;
  fx_open(&f, PSVC_ORDER_OPINION);
  fx_open(&g, PSVC_ORDER_OPINION);
  ck_assert_int_eq(psvc_permit(f.ctx, 0, PSVC_ACT_DISPATCH, PSVC_ROLE_AGENT, 0), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_DISPATCH, PSVC_ROLE_AGENT), PSVC_EPERM);
  ck_assert_int_eq(fx_do(&g, SUBJECT, PSVC_ACT_DISPATCH, PSVC_ROLE_AGENT), PSVC_OK);
  fx_close(&g);
  fx_close(&f);
  /* and a new context starts from the defaults */
  fx_open(&f, PSVC_ORDER_OPINION);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_DISPATCH, PSVC_ROLE_AGENT), PSVC_OK);
  fx_close(&f);
}
END_TEST

START_TEST(test_permit_einval) {
  fx f;
  fx_open(&f, PSVC_ORDER_FAULT_REPAIR);
  const struct {
    int type, action, role, allow;
  } bad[] = {
      {-1, PSVC_ACT_NOTE, PSVC_ROLE_AGENT, 0},   {10, PSVC_ACT_NOTE, PSVC_ROLE_AGENT, 0},
      {1000, PSVC_ACT_NOTE, PSVC_ROLE_AGENT, 0}, {1, -1, PSVC_ROLE_AGENT, 0},
      {1, 17, PSVC_ROLE_AGENT, 0},               {0, 17, PSVC_ROLE_AGENT, 0},
      {1, PSVC_ACT_NOTE, 0, 0},                  {1, PSVC_ACT_NOTE, -1, 0},
      {1, PSVC_ACT_NOTE, 14, 0},                 {0, PSVC_ACT_NOTE, 14, 1},
      {1, PSVC_ACT_NOTE, PSVC_ROLE_AGENT, -1},   {1, PSVC_ACT_NOTE, PSVC_ROLE_AGENT, 2},
      {0, 0, PSVC_ROLE_REPAIR_CREW, 2},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(psvc_permit(f.ctx, bad[i].type, bad[i].action, bad[i].role, bad[i].allow) ==
                      PSVC_EINVAL,
                  "psvc_permit(ctx, %d, %d, %d, %d) is not EINVAL", bad[i].type, bad[i].action,
                  bad[i].role, bad[i].allow);
  ck_assert_int_eq(psvc_permit(NULL, 1, PSVC_ACT_NOTE, PSVC_ROLE_AGENT, 1), PSVC_EINVAL);
  /* nothing was changed by them */
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_NOTE, PSVC_ROLE_AGENT), PSVC_OK);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_DISPATCH, PSVC_ROLE_REPAIR_CREW), PSVC_EPERM);
  ck_assert_int_eq(open_order(f.ctx, "Z-1", PSVC_ORDER_FAULT_REPAIR, PSVC_ROLE_REPAIR_CREW),
                   PSVC_EPERM);
  /* the edges of the valid ranges */
  ck_assert_int_eq(psvc_permit(f.ctx, 0, 0, PSVC_ROLE_AGENT, 1), PSVC_OK);
  ck_assert_int_eq(psvc_permit(f.ctx, NTYPES, NACTIONS, NROLES, 1), PSVC_OK);
  ck_assert_int_eq(psvc_permit(f.ctx, 1, 1, 1, 0), PSVC_OK);
  fx_close(&f);
}
END_TEST

/* ---- messages ------------------------------------------------------------------ */

static void assert_names(const char *m, int type, int state, int action, int role) {
  ck_assert_msg(has(m, TYPE_N(type)), "message lacks the type %s: %s", TYPE_N(type), m);
  ck_assert_msg(has(m, STATE_N(state)), "message lacks the state %s: %s", STATE_N(state), m);
  ck_assert_msg(has(m, ACT_N(action)), "message lacks the action %s: %s", ACT_N(action), m);
  ck_assert_msg(has(m, ROLE_N(role)), "message lacks the role %s: %s", ROLE_N(role), m);
}

START_TEST(test_estate_message_names_type_state_action_role) {
  const int type = _i + 1;
  fx f;
  fx_open(&f, type);
  fx_reach(&f, SUBJECT, type, PSVC_STATE_CLOSED);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_RESOLVE, PSVC_ROLE_REPAIR_CREW), PSVC_ESTATE);
  assert_names(errmsg_of(f.ctx), type, PSVC_STATE_CLOSED, PSVC_ACT_RESOLVE, PSVC_ROLE_REPAIR_CREW);
  ck_assert_int_eq(fx_do(&f, SURVIVOR, PSVC_ACT_RESUME, PSVC_ROLE_INSPECTION), PSVC_ESTATE);
  assert_names(errmsg_of(f.ctx), type, PSVC_STATE_ACCEPTED, PSVC_ACT_RESUME,
               PSVC_ROLE_INSPECTION);
  fx_close(&f);
}
END_TEST

START_TEST(test_eperm_message_names_type_state_action_role) {
  const int type = _i + 1;
  fx f;
  fx_open(&f, type);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_DISPATCH, PSVC_ROLE_REPAIR_CREW), PSVC_EPERM);
  assert_names(errmsg_of(f.ctx), type, PSVC_STATE_ACCEPTED, PSVC_ACT_DISPATCH,
               PSVC_ROLE_REPAIR_CREW);
  fx_reach(&f, SUBJECT, type, PSVC_STATE_RECEIVED);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_ESCALATE, PSVC_ROLE_METER_READING_BILLING),
                   PSVC_EPERM);
  assert_names(errmsg_of(f.ctx), type, PSVC_STATE_RECEIVED, PSVC_ACT_ESCALATE,
               PSVC_ROLE_METER_READING_BILLING);
  fx_close(&f);
}
END_TEST

/* ---- check order and storage --------------------------------------------------- */

START_TEST(test_check_order_einval_enotfound_estate_eperm_erange) {
  fx f;
  fx_open(&f, PSVC_ORDER_FAULT_REPAIR);
  fx_reach(&f, SUBJECT, PSVC_ORDER_FAULT_REPAIR, PSVC_STATE_CLOSED);
  staff agent, crew;
  staff_init(&agent, PSVC_ROLE_AGENT);
  staff_init(&crew, PSVC_ROLE_REPAIR_CREW);
  psvc_event ev = std_event(PSVC_ACT_NOTE, f.t + 60);
  /* EINVAL before ENOTFOUND */
  ev.action = 99;
  ck_assert_int_eq(psvc_order_apply(f.ctx, "O-404", &ev, &agent.a), PSVC_EINVAL);
  /* ENOTFOUND before ESTATE and EPERM */
  ev = std_event(PSVC_ACT_RESOLVE, f.t + 60);
  ck_assert_int_eq(psvc_order_apply(f.ctx, "O-404", &ev, &agent.a), PSVC_ENOTFOUND);
  /* EINVAL before ESTATE: a closed order, arguments missing */
  snap b, s;
  snap_take(f.ctx, SUBJECT, &b);
  ev = std_event(PSVC_ACT_RETURN, f.t + 60);
  ev.note = NULL;
  ck_assert_int_eq(psvc_order_apply(f.ctx, SUBJECT, &ev, &crew.a), PSVC_EINVAL);
  ev = std_event(PSVC_ACT_VISIT, f.t + 60);
  ev.value = 0;
  ck_assert_int_eq(psvc_order_apply(f.ctx, SUBJECT, &ev, &agent.a), PSVC_EINVAL);
  ev = std_event(PSVC_ACT_DISPATCH, f.t + 60);
  ev.target = NULL;
  ck_assert_int_eq(psvc_order_apply(f.ctx, SUBJECT, &ev, &agent.a), PSVC_EINVAL);
  /* ESTATE before EPERM and ERANGE */
  ev = std_event(PSVC_ACT_RESOLVE, FAULT_NOW - 1);
  ck_assert_int_eq(psvc_order_apply(f.ctx, SUBJECT, &ev, &agent.a), PSVC_ESTATE);
  snap_take(f.ctx, SUBJECT, &s);
  ASSERT_UNCHANGED(&b, &s, "%s", "refused calls on a closed order");
  /* EPERM before ERANGE */
  snap_take(f.ctx, SURVIVOR, &b);
  ev = std_event(PSVC_ACT_DISPATCH, FAULT_NOW - 1);
  ck_assert_int_eq(psvc_order_apply(f.ctx, SURVIVOR, &ev, &crew.a), PSVC_EPERM);
  /* ERANGE: before accepted_at, then before the previous event */
  ck_assert_int_eq(psvc_order_apply(f.ctx, SURVIVOR, &ev, &agent.a), PSVC_ERANGE);
  snap_take(f.ctx, SURVIVOR, &s);
  ASSERT_UNCHANGED(&b, &s, "%s", "refused calls on an accepted order");
  ev.at = FAULT_NOW; /* equal times are fine */
  ck_assert_int_eq(psvc_order_apply(f.ctx, SURVIVOR, &ev, &agent.a), PSVC_OK);
  ev = std_event(PSVC_ACT_RECEIVE, FAULT_NOW);
  ck_assert_int_eq(psvc_order_apply(f.ctx, SURVIVOR, &ev, &crew.a), PSVC_OK);
  snap_take(f.ctx, SURVIVOR, &b);
  ev = std_event(PSVC_ACT_ARRIVE, FAULT_NOW - 1);
  ck_assert_int_eq(psvc_order_apply(f.ctx, SURVIVOR, &ev, &agent.a), PSVC_EPERM);
  ck_assert_int_eq(psvc_order_apply(f.ctx, SURVIVOR, &ev, &crew.a), PSVC_ERANGE);
  snap_take(f.ctx, SURVIVOR, &s);
  ASSERT_UNCHANGED(&b, &s, "%s", "ARRIVE before the previous event");
  fx_close(&f);
}
END_TEST

START_TEST(test_refused_calls_write_nothing) {
  fault_mem *m = fault_mem_new();
  psvc_store st;
  fault_mem_store(m, &st);
  fx f;
  memset(&f, 0, sizeof f);
  f.t = FAULT_NOW;
  ck_assert_int_eq(psvc_ctx_open(&f.ctx, &st), PSVC_OK);
  add_customer(f.ctx);
  fx_add(&f, SUBJECT, PSVC_ORDER_COMPLAINT);
  fx_add(&f, SURVIVOR, PSVC_ORDER_COMPLAINT);
  fx_reach(&f, SUBJECT, PSVC_ORDER_COMPLAINT, PSVC_STATE_CLOSED);
  fx_reach(&f, SURVIVOR, PSVC_ORDER_COMPLAINT, PSVC_STATE_RECEIVED);
  fault_mem *before = fault_mem_snapshot(m);
  long puts = m->puts, dels = m->dels, commits = m->commits;
  size_t events = fault_mem_count(m, PSVC_REC_EVENT);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_RESOLVE, PSVC_ROLE_SUPERVISOR), PSVC_ESTATE);
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_CANCEL, PSVC_ROLE_SYSTEM), PSVC_ESTATE);
  ck_assert_int_eq(fx_do(&f, SURVIVOR, PSVC_ACT_CANCEL, PSVC_ROLE_SHIFT_LEAD), PSVC_EPERM);
  ck_assert_int_eq(fx_do(&f, SURVIVOR, PSVC_ACT_ARRIVE, PSVC_ROLE_SYSTEM), PSVC_ESTATE);
  ck_assert_int_eq(m->puts, puts);
  ck_assert_int_eq(m->dels, dels);
  ck_assert_int_eq(m->commits, commits);
  ck_assert(fault_mem_equal(m, before));
  ck_assert_int_eq(m->violations, 0);
  /* an accepted action adds one EVENT record */
  ck_assert_int_eq(fx_do(&f, SUBJECT, PSVC_ACT_NOTE, PSVC_ROLE_AGENT), PSVC_OK);
  ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_EVENT), events + 1);
  fx_close(&f);
  fault_mem_free(before);
  fault_mem_free(m);
}
END_TEST

/* On reopening, the events replay through the lifecycle to the same orders:
   every reachable state of every type, SUSPENDED with the state it left. */
START_TEST(test_reopen_replays_every_state) {
  const int type = _i + 1;
  fault_mem *m = fault_mem_new();
  psvc_store st;
  fault_mem_store(m, &st);
  fx f;
  memset(&f, 0, sizeof f);
  f.t = FAULT_NOW;
  ck_assert_int_eq(psvc_ctx_open(&f.ctx, &st), PSVC_OK);
  add_customer(f.ctx);
  fx_add(&f, SURVIVOR, type);
  snap want[NSTATES + 1];
  for (int s = 1; s <= NSTATES; s++) {
    if (!reachable[type][s])
      continue;
    char id[16];
    snprintf(id, sizeof id, "P-%d", s);
    fx_add(&f, id, type);
    fx_reach(&f, id, type, s);
    ck_assert_int_eq(fx_do(&f, id, PSVC_ACT_URGE, PSVC_ROLE_SYSTEM),
                     st_open(s) ? PSVC_OK : PSVC_ESTATE);
    snap_take(f.ctx, id, &want[s]);
  }
  fx_close(&f);
  ck_assert_int_eq(psvc_ctx_open(&f.ctx, &st), PSVC_OK);
  for (int s = 1; s <= NSTATES; s++) {
    if (!reachable[type][s])
      continue;
    char id[16];
    snprintf(id, sizeof id, "P-%d", s);
    snap got;
    snap_take(f.ctx, id, &got);
    ck_assert_msg(strcmp(got.text, want[s].text) == 0,
                  "%s order in %s after reopening:\n  before: %s\n  after:  %s", TYPE_N(type),
                  STATE_N(s), want[s].text, got.text);
  }
  fx_close(&f);
  fault_mem_free(m);
}
END_TEST

/* ---- suite --------------------------------------------------------------------- */

static Suite *lifecycle_suite(void) {
  paths_init();
  Suite *s = suite_create("lifecycle");

  TCase *tc = tcase_create("matrix");
  tcase_set_tags(tc, "heavy"); /* left out under valgrind: tests/valgrind/run.sh */
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_matrix_covers_every_state_of_every_type);
  tcase_add_loop_test(tc, test_matrix_every_action_and_role, 0, n_all_cases);
  suite_add_tcase(s, tc);

  tc = tcase_create("course");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_W6_fault_repair_full_path);
  tcase_add_test(tc, test_W6_inquiry_answered_at_first_contact);
  tcase_add_loop_test(tc, test_W6_every_type_runs_to_closed, 0, NCOURSES);
  tcase_add_test(tc, test_W10_unsatisfied_visit_reopens_to_dispatched);
  tcase_add_loop_test(tc, test_W8_resume_returns_to_exact_state, 0, n_work_cases);
  tcase_add_test(tc, test_W7_return_clears_current_unit);
  tcase_add_test(tc, test_W4_transfer_keeps_responsible_unit);
  tcase_add_test(tc, test_W5_urge_and_escalate_are_counted);
  tcase_add_test(tc, test_W9_merge_into_open_order);
  tcase_add_loop_test(tc, test_closed_cancelled_merged_accept_only_note, 0, 3 * NTYPES);
  suite_add_tcase(s, tc);

  tc = tcase_create("roles");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_cancel_complaint_and_report_supervisor_only);
  tcase_add_loop_test(tc, test_system_may_do_everything, 0, NTYPES);
  tcase_add_test(tc, test_open_default_roles);
  tcase_add_test(tc, test_state_check_before_role);
  suite_add_tcase(s, tc);

  tc = tcase_create("permit");
  tcase_add_test(tc, test_permit_narrowing_one_type);
  tcase_add_test(tc, test_permit_widening_one_type);
  tcase_add_test(tc, test_permit_all_types);
  tcase_add_test(tc, test_permit_open_action_zero);
  tcase_add_test(tc, test_permit_cannot_bypass_state);
  tcase_add_test(tc, test_permit_is_per_context);
  tcase_add_test(tc, test_permit_einval);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_estate_message_names_type_state_action_role, 0, NTYPES);
  tcase_add_loop_test(tc, test_eperm_message_names_type_state_action_role, 0, NTYPES);
  tcase_add_test(tc, test_check_order_einval_enotfound_estate_eperm_erange);
  tcase_add_test(tc, test_refused_calls_write_nothing);
  tcase_add_loop_test(tc, test_reopen_replays_every_state, 0, NTYPES);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(lifecycle_suite()); }
