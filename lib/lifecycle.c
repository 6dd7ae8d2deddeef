/*
 * lifecycle.c — the 95598 work-order lifecycle as data (W-1 ... W-14).
 *
 * Two tables own every decision psvc_order_apply makes about states and
 * roles:
 *
 *  - steps[]: (order types, from states, action) -> next state, with the
 *    rule it implements. The first row matching (type, state, action) wins;
 *    no row means no role could perform the action in that state
 *    (PSVC_ESTATE). "SAME" keeps the state, "PREV" returns to the state the
 *    order was suspended from. VISIT with UNSATISFIED is the one
 *    value-dependent step (W-10): order.c sends the order back to
 *    DISPATCHED instead of VISITED.
 *  - grants[]: the roles allowed each action by default (API.md §4), with
 *    the one per-type exception (CANCEL of a COMPLAINT or REPORT needs a
 *    SUPERVISOR). A context copies them and psvc_permit edits its copy.
 *
 * docs/lifecycle.md is generated from these tables by tests/tools/
 * lifecycle_doc.c, and ctest fails if the committed page has drifted.
 */
#include "internal.h"

#define T(x) (1u << PSVC_ORDER_##x)
#define S(x) (1u << PSVC_STATE_##x)
#define R(x) (1u << PSVC_ROLE_##x)
#define A(x) PSVC_ACT_##x
#define TO(x) PSVC_STATE_##x

/* ---- order-type groups ---------------------------------------------------- */
#define ALL_TYPES                                                            \
  (T(SERVICE_REQUEST) | T(INQUIRY) | T(FAULT_REPAIR) | T(COMPLAINT) |        \
   T(REPORT) | T(OPINION) | T(SUGGESTION) | T(PRAISE) | T(DISPATCH))
#define CASES (T(COMPLAINT) | T(REPORT) | T(OPINION) | T(SUGGESTION))
#define FIELD_WORK (T(FAULT_REPAIR) | T(SERVICE_REQUEST) | T(DISPATCH))

/* ---- state groups ------------------------------------------------------------- */
#define WORKING                                                              \
  (S(ACCEPTED) | S(DISPATCHED) | S(RECEIVED) | S(ON_SITE) | S(RESOLVED) |    \
   S(REPLIED) | S(VISITED))
#define OPEN_STATES (WORKING | S(SUSPENDED))
#define ANY_STATE (OPEN_STATES | S(CLOSED) | S(CANCELLED) | S(MERGED))
#define HELD (S(DISPATCHED) | S(RECEIVED) | S(ON_SITE)) /* a unit holds it */

static const psvc__step steps[] = {
    /* the course of an order (W-6): dispatch, receipt, site, handling */
    {ALL_TYPES, S(ACCEPTED), A(DISPATCH), TO(DISPATCHED), "W-6"},
    {ALL_TYPES, S(DISPATCHED), A(RECEIVE), TO(RECEIVED), "W-4"},
    {FIELD_WORK, S(RECEIVED), A(ARRIVE), TO(ON_SITE), "W-6"},
    {T(FAULT_REPAIR), S(ON_SITE), A(RESOLVE), TO(RESOLVED), "W-6"},
    {T(SERVICE_REQUEST) | T(DISPATCH), S(RECEIVED) | S(ON_SITE), A(RESOLVE),
     TO(RESOLVED), "W-6"},
    {CASES | T(INQUIRY) | T(PRAISE), S(RECEIVED), A(RESOLVE), TO(RESOLVED), "W-6"},
    /* reply to the customer; an inquiry may be answered at first contact */
    {T(INQUIRY), S(ACCEPTED) | S(RECEIVED), A(REPLY), TO(REPLIED), "W-6"},
    {CASES | T(INQUIRY) | T(PRAISE) | T(SERVICE_REQUEST), S(RESOLVED), A(REPLY),
     TO(REPLIED), "W-6"},
    /* return visit (W-10; UNSATISFIED reopens to DISPATCHED, see order.c) */
    {T(FAULT_REPAIR) | T(SERVICE_REQUEST), S(RESOLVED), A(VISIT), TO(VISITED), "W-10"},
    {CASES | T(INQUIRY) | T(SERVICE_REQUEST), S(REPLIED), A(VISIT), TO(VISITED), "W-10"},
    /* archive */
    {T(FAULT_REPAIR) | T(SERVICE_REQUEST) | CASES | T(INQUIRY), S(VISITED), A(CLOSE),
     TO(CLOSED), "W-6"},
    {T(INQUIRY) | T(SUGGESTION) | T(PRAISE), S(REPLIED), A(CLOSE), TO(CLOSED), "W-6"},
    {T(PRAISE) | T(DISPATCH), S(RESOLVED), A(CLOSE), TO(CLOSED), "W-6"},
    /* actions open to every type */
    {ALL_TYPES, HELD, A(RETURN), TO(ACCEPTED), "W-7"},
    {ALL_TYPES, HELD, A(TRANSFER), PSVC__SAME, "W-4"},
    {ALL_TYPES, WORKING, A(SUSPEND), TO(SUSPENDED), "W-8"},
    {ALL_TYPES, S(SUSPENDED), A(RESUME), PSVC__PREV, "W-8"},
    {ALL_TYPES, OPEN_STATES, A(CANCEL), TO(CANCELLED), "W-14"},
    {ALL_TYPES, OPEN_STATES, A(MERGE), TO(MERGED), "W-9"},
    {ALL_TYPES, OPEN_STATES, A(URGE), PSVC__SAME, "W-5"},
    {ALL_TYPES, OPEN_STATES, A(ESCALATE), PSVC__SAME, "W-5"},
    {ALL_TYPES, ANY_STATE, A(NOTE), PSVC__SAME, "W-11"},
};

/* ---- role groups and default grants (API.md §4) ------------------------------ */
#define HANDLING                                                             \
  (R(REPAIR_CREW) | R(CUSTOMER_REP) | R(CONNECTION) |                        \
   R(METER_READING_BILLING) | R(METERING) | R(INSPECTION) | R(DEMAND_SIDE) | \
   R(CONSULTING))
#define LEADS (R(SHIFT_LEAD) | R(SUPERVISOR))
#define ON_SITE_ROLES (R(REPAIR_CREW) | R(CONNECTION) | R(METERING) | R(INSPECTION))
#define EVERY_ROLE (HANDLING | LEADS | R(AGENT) | R(DISPATCHER) | R(SYSTEM))

typedef struct grant {
  int action;     /* 0 = opening an order */
  unsigned types; /* the types the row applies to */
  unsigned roles; /* SYSTEM may do everything (history import) */
} grant;

static const grant grants[] = {
    {0, ALL_TYPES, R(AGENT) | LEADS | R(CUSTOMER_REP) | R(SYSTEM)},
    {A(DISPATCH), ALL_TYPES, R(AGENT) | R(DISPATCHER) | LEADS | R(SYSTEM)},
    {A(RECEIVE), ALL_TYPES, HANDLING | R(DISPATCHER) | LEADS | R(SYSTEM)},
    {A(RETURN), ALL_TYPES, HANDLING | R(DISPATCHER) | LEADS | R(SYSTEM)},
    {A(TRANSFER), ALL_TYPES, HANDLING | R(DISPATCHER) | LEADS | R(SYSTEM)},
    {A(ARRIVE), ALL_TYPES, ON_SITE_ROLES | R(SYSTEM)},
    {A(RESOLVE), ALL_TYPES, HANDLING | R(DISPATCHER) | LEADS | R(SYSTEM)},
    {A(REPLY), ALL_TYPES, HANDLING | R(AGENT) | LEADS | R(SYSTEM)},
    {A(VISIT), ALL_TYPES, R(AGENT) | LEADS | R(SYSTEM)},
    {A(CLOSE), ALL_TYPES, R(AGENT) | LEADS | R(SYSTEM)},
    {A(SUSPEND), ALL_TYPES, HANDLING | R(DISPATCHER) | LEADS | R(SYSTEM)},
    {A(RESUME), ALL_TYPES, HANDLING | R(DISPATCHER) | LEADS | R(SYSTEM)},
    {A(CANCEL), ALL_TYPES & ~(T(COMPLAINT) | T(REPORT)), LEADS | R(SYSTEM)},
    {A(CANCEL), T(COMPLAINT) | T(REPORT), R(SUPERVISOR) | R(SYSTEM)},
    {A(MERGE), ALL_TYPES, R(AGENT) | LEADS | R(SYSTEM)},
    {A(URGE), ALL_TYPES, R(AGENT) | R(DISPATCHER) | LEADS | R(SYSTEM)},
    {A(ESCALATE), ALL_TYPES, LEADS | R(SYSTEM)},
    {A(NOTE), ALL_TYPES, EVERY_ROLE},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const psvc__step *psvc__lifecycle_steps(size_t *n) {
  *n = COUNT(steps);
  return steps;
}

const psvc__step *psvc__lifecycle_find(int type, int state, int action) {
  if (type < 1 || type > PSVC__TYPE_MAX || state < 1 || state > PSVC__STATE_MAX)
    return NULL;
  for (size_t i = 0; i < COUNT(steps); i++)
    if (steps[i].action == action && (steps[i].types & (1u << type)) &&
        (steps[i].from & (1u << state)))
      return &steps[i];
  return NULL;
}

unsigned psvc__default_roles(int type, int action) {
  if (type < 1 || type > PSVC__TYPE_MAX)
    return 0;
  for (size_t i = 0; i < COUNT(grants); i++)
    if (grants[i].action == action && (grants[i].types & (1u << type)))
      return grants[i].roles;
  return 0;
}

void psvc__grants_init(psvc__grants *g) {
  for (int t = 1; t <= PSVC__TYPE_MAX; t++)
    for (int a = 0; a <= PSVC__ACTION_MAX; a++) {
      g->roles[t][a] = (uint16_t)psvc__default_roles(t, a);
      for (int s = 1; s <= PSVC__STATE_MAX; s++) {
        const psvc__step *st = a ? psvc__lifecycle_find(t, s, a) : NULL;
        g->step[t][s][a] = (uint8_t)(st ? st - steps + 1 : 0);
      }
    }
}

const psvc__step *psvc__lifecycle_step(const psvc__grants *g, int type, int state,
                                       int action) {
  if (type < 1 || type > PSVC__TYPE_MAX || state < 1 || state > PSVC__STATE_MAX ||
      action < 1 || action > PSVC__ACTION_MAX)
    return NULL;
  uint8_t i = g->step[type][state][action];
  return i ? &steps[i - 1] : NULL;
}
