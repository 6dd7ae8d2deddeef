/*
 * lifecycle_doc.c — prints docs/lifecycle.md from the tables of
 * lib/lifecycle.c, so that the page can never drift from the code.
 *
 * It reads the lifecycle through the library's own internal accessors
 * (psvc__lifecycle_steps, psvc__lifecycle_find, psvc__default_roles), so it
 * links the static library, which exposes lib/ as an include directory. The
 * names come from psvc_enum_name, the one table of enum names.
 *
 * For each order type it prints:
 *  - the table of steps that apply to the type: one line per row of
 *    steps[], its from-states expanded to names (only those the type can
 *    reach from ACCEPTED, and only where that row is the one that wins:
 *    the first matching row decides), plus the value-dependent W-10 row
 *    (VISIT with UNSATISFIED goes back to DISPATCHED);
 *  - a Mermaid stateDiagram-v2 of the main course, without the actions
 *    that keep the state or are open from (almost) every state;
 * then one table of the default role grants per action.
 *
 * ctest's docs.lifecycle runs it and compares its output byte for byte with
 * the committed docs/lifecycle.md (tests/tools/compare_doc.cmake). The
 * output must therefore be deterministic: no dates, no paths, no addresses.
 *
 * Usage: lifecycle_doc > docs/lifecycle.md   (or: cmake --build B --target
 * lifecycle-doc)
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#define BIT(x) (1u << (x))

/* Actions left out of the diagram although they change the state: they are
   open from (almost) every state and would hide the main course. */
static const int sideways[] = {PSVC_ACT_SUSPEND, PSVC_ACT_RESUME,
                               PSVC_ACT_CANCEL, PSVC_ACT_MERGE};

static const char *name_of(int domain, int value) {
  const char *n = psvc_enum_name(domain, value);
  if (!n) {
    fprintf(stderr, "lifecycle_doc: no name for value %d of domain %d\n", value,
            domain);
    exit(1);
  }
  return n;
}

static const char *state_name(int s) { return name_of(PSVC_DOM_STATE, s); }
static const char *action_name(int a) {
  return a == 0 ? "open" : name_of(PSVC_DOM_ACTION, a);
}

static bool is_sideways(int action) {
  for (size_t i = 0; i < sizeof sideways / sizeof sideways[0]; i++)
    if (sideways[i] == action)
      return true;
  return false;
}

/* The states of `mask` from which `step` is the row that decides (the first
   matching row of steps[] wins) for order type t. */
static unsigned effective_from(const psvc__step *step, int t, unsigned mask) {
  unsigned out = 0;
  for (int s = 1; s <= PSVC__STATE_MAX; s++)
    if ((mask & BIT(s)) && psvc__lifecycle_find(t, s, step->action) == step)
      out |= BIT(s);
  return out;
}

/* The states an order of type t can be in: from ACCEPTED, through every
   step (and the W-10 reopen), until nothing new is reached. RESUME returns
   to a state already reached, so it adds nothing. */
static unsigned reachable_states(int t) {
  size_t n;
  const psvc__step *steps = psvc__lifecycle_steps(&n);
  unsigned reach = BIT(PSVC_STATE_ACCEPTED), before;
  do {
    before = reach;
    for (size_t i = 0; i < n; i++) {
      if (!(steps[i].types & BIT(t)) || !effective_from(&steps[i], t, reach))
        continue;
      if (steps[i].to > 0)
        reach |= BIT(steps[i].to);
      if (steps[i].action == PSVC_ACT_VISIT)
        reach |= BIT(PSVC_STATE_DISPATCHED); /* W-10 */
    }
  } while (reach != before);
  return reach;
}

static void print_states(unsigned mask) {
  const char *sep = "";
  for (int s = 1; s <= PSVC__STATE_MAX; s++)
    if (mask & BIT(s)) {
      printf("%s%s", sep, state_name(s));
      sep = ", ";
    }
}

/* A set of from-states in words where it is one of the usual groups. */
static void print_from(unsigned mask, unsigned reach) {
  unsigned open = reach & ~(BIT(PSVC_STATE_CLOSED) | BIT(PSVC_STATE_CANCELLED) |
                            BIT(PSVC_STATE_MERGED));
  if (mask == reach)
    printf("every state");
  else if (mask == open)
    printf("every open state");
  else if (mask == (open & ~BIT(PSVC_STATE_SUSPENDED)))
    printf("every open state but %s", state_name(PSVC_STATE_SUSPENDED));
  else
    print_states(mask);
}

static const char *to_text(int to) {
  if (to == PSVC__SAME)
    return "same";
  if (to == PSVC__PREV)
    return "previous state";
  return state_name(to);
}

/* GitHub's anchor for a heading that is an enum name: lower case. */
static void print_anchor(const char *name) {
  for (const char *p = name; *p; p++)
    putchar(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
}

static void print_type(int t) {
  size_t n;
  const psvc__step *steps = psvc__lifecycle_steps(&n);
  unsigned reach = reachable_states(t);
  unsigned named = 0; /* every state a row for t names as a from-state */
  const char *unsat = name_of(PSVC_DOM_SATISFACTION, PSVC_SAT_UNSATISFIED);

  printf("## %s\n\n", name_of(PSVC_DOM_ORDER_TYPE, t));
  printf("States it can reach: ");
  print_states(reach);
  printf(".\n\n");

  printf("| from state | action | to state | rule |\n");
  printf("|---|---|---|---|\n");
  for (size_t i = 0; i < n; i++) {
    if (!(steps[i].types & BIT(t)))
      continue;
    named |= steps[i].from;
    unsigned from = effective_from(&steps[i], t, steps[i].from & reach);
    if (!from)
      continue;
    printf("| ");
    print_states(from);
    printf(" | %s | %s | %s |\n", action_name(steps[i].action),
           to_text(steps[i].to), steps[i].rule);
    if (steps[i].action == PSVC_ACT_VISIT) {
      printf("| ");
      print_states(from);
      printf(" | %s with %s | %s | W-10 |\n", action_name(PSVC_ACT_VISIT),
             unsat, state_name(PSVC_STATE_DISPATCHED));
    }
  }
  printf("\n");
  if (named & ~reach) {
    printf("Rows of `steps[]` for this type also name ");
    print_states(named & ~reach);
    printf(", which an order of this type never reaches; the table leaves "
           "them out.\n\n");
  }

  /* the diagram of the main course */
  unsigned left_from[PSVC__ACTION_MAX + 1] = {0}; /* actions not drawn */
  int left_to[PSVC__ACTION_MAX + 1] = {0};
  bool closes = false;

  printf("```mermaid\nstateDiagram-v2\n");
  printf("    [*] --> %s\n", state_name(PSVC_STATE_ACCEPTED));
  for (size_t i = 0; i < n; i++) {
    const psvc__step *st = &steps[i];
    if (!(st->types & BIT(t)))
      continue;
    unsigned from = effective_from(st, t, st->from & reach);
    if (!from)
      continue;
    if (st->to == PSVC__SAME || st->to == PSVC__PREV || is_sideways(st->action)) {
      if (!left_from[st->action])
        left_to[st->action] = st->to;
      left_from[st->action] |= from;
      continue;
    }
    for (int s = 1; s <= PSVC__STATE_MAX; s++) {
      if (!(from & BIT(s)))
        continue;
      printf("    %s --> %s: %s\n", state_name(s), state_name(st->to),
             action_name(st->action));
      if (st->action == PSVC_ACT_VISIT)
        printf("    %s --> %s: %s with %s\n", state_name(s),
               state_name(PSVC_STATE_DISPATCHED), action_name(st->action),
               unsat);
    }
    if (st->to == PSVC_STATE_CLOSED)
      closes = true;
  }
  if (closes)
    printf("    %s --> [*]\n", state_name(PSVC_STATE_CLOSED));
  printf("```\n\n");

  /* the sentence naming what the diagram leaves out: first the actions
     that keep the state, then the others, each in action order */
  int kept[PSVC__ACTION_MAX + 1], side[PSVC__ACTION_MAX + 1];
  int nkept = 0, nside = 0;
  for (int a = 1; a <= PSVC__ACTION_MAX; a++)
    if (left_from[a]) {
      if (left_to[a] == PSVC__SAME)
        kept[nkept++] = a;
      else
        side[nside++] = a;
    }
  if (nkept || nside) {
    printf("Not drawn, to keep the diagram readable (the table has them): ");
    for (int i = 0; i < nkept; i++) {
      if (i == 0)
        printf("the actions that keep the state, ");
      else
        printf(i == nkept - 1 ? " and " : ", ");
      printf("%s (in ", action_name(kept[i]));
      print_from(left_from[kept[i]], reach);
      printf(")");
    }
    if (nkept && nside)
      printf("; and ");
    for (int i = 0; i < nside; i++) {
      if (i > 0)
        printf(i == nside - 1 ? " and " : ", ");
      printf("%s (", action_name(side[i]));
      print_from(left_from[side[i]], reach);
      printf(" → %s)", left_to[side[i]] == PSVC__PREV ? "the state it left"
                                                     : state_name(left_to[side[i]]));
    }
    printf(".\n\n");
  }
}

/* ---- default grants ------------------------------------------------------- */

static void print_roles(unsigned mask) {
  unsigned every = 0;
  for (int r = 1; r <= PSVC__ROLE_MAX; r++)
    every |= BIT(r);
  if (mask == every) {
    printf("every role");
    return;
  }
  const char *sep = "";
  for (int r = 1; r <= PSVC__ROLE_MAX; r++)
    if (mask & BIT(r)) {
      printf("%s%s", sep, name_of(PSVC_DOM_ROLE, r));
      sep = ", ";
    }
  if (!*sep)
    printf("none");
}

static void print_types(unsigned mask) {
  const char *sep = "";
  for (int t = 1; t <= PSVC__TYPE_MAX; t++)
    if (mask & BIT(t)) {
      printf("%s%s", sep, name_of(PSVC_DOM_ORDER_TYPE, t));
      sep = ", ";
    }
}

static void print_grants(void) {
  unsigned all_types = 0;
  for (int t = 1; t <= PSVC__TYPE_MAX; t++)
    all_types |= BIT(t);

  printf("## Default role grants\n\n");
  printf("Who may perform each action when the context has not changed the "
         "grants with\n`psvc_permit(ctx, order_type, action, role, allow)` "
         "(order_type 0 = every type,\naction 0 = opening an order). The state "
         "check comes first: an action that\nno row above allows in the "
         "order's state is `PSVC_ESTATE` whatever the role;\na role that is "
         "not listed here gets `PSVC_EPERM`. SYSTEM, for importing\nhistory "
         "from another system, may perform every action.\n\n");
  printf("| action | order types | roles allowed by default |\n");
  printf("|---|---|---|\n");
  for (int a = 0; a <= PSVC__ACTION_MAX; a++) {
    unsigned done = 0;
    /* group the types that share the same grant, largest group first */
    while (done != all_types) {
      unsigned best_types = 0, best_roles = 0;
      int best_count = 0;
      for (int t = 1; t <= PSVC__TYPE_MAX; t++) {
        if (done & BIT(t))
          continue;
        unsigned roles = psvc__default_roles(t, a), types = 0;
        int count = 0;
        for (int u = 1; u <= PSVC__TYPE_MAX; u++)
          if (!(done & BIT(u)) && psvc__default_roles(u, a) == roles) {
            types |= BIT(u);
            count++;
          }
        if (count > best_count) {
          best_count = count;
          best_types = types;
          best_roles = roles;
        }
      }
      printf("| %s | ", action_name(a));
      if (best_types == all_types)
        printf("all");
      else if (done == 0 && best_count * 2 > PSVC__TYPE_MAX) {
        printf("all but ");
        print_types(all_types & ~best_types);
      } else
        print_types(best_types);
      printf(" | ");
      print_roles(best_roles);
      printf(" |\n");
      done |= best_types;
    }
  }
  printf("\n");
}

/* The page's prose states two facts of the tables in words; if the tables
   stop saying them, fail rather than print a page that is wrong. */
static void check_prose(void) {
  for (int t = 1; t <= PSVC__TYPE_MAX; t++) {
    for (int s = PSVC_STATE_CLOSED; s <= PSVC__STATE_MAX; s++)
      for (int a = 1; a <= PSVC__ACTION_MAX; a++)
        if (s != PSVC_STATE_SUSPENDED && a != PSVC_ACT_NOTE &&
            psvc__lifecycle_find(t, s, a)) {
          fprintf(stderr, "lifecycle_doc: %s is allowed in %s: the page says "
                          "closed orders accept only NOTE; update the prose\n",
                  action_name(a), state_name(s));
          exit(1);
        }
    for (int a = 0; a <= PSVC__ACTION_MAX; a++)
      if (!(psvc__default_roles(t, a) & BIT(PSVC_ROLE_SYSTEM))) {
        fprintf(stderr, "lifecycle_doc: SYSTEM may not %s: the page says it "
                        "may do everything; update the prose\n",
                action_name(a));
        exit(1);
      }
  }
}

int main(void) {
  check_prose();
  printf("# Work-order lifecycle\n\n");
  printf("<!-- Generated from lib/lifecycle.c by tests/tools/lifecycle_doc.c: "
         "do not edit by hand. -->\n\n");
  printf(
      "This page is generated from the tables in `lib/lifecycle.c` (`steps[]` "
      "and\n`grants[]`) by `tests/tools/lifecycle_doc.c`; do not edit it by "
      "hand. ctest's\n`docs.lifecycle` test fails when it differs from what "
      "the tool prints. After\nchanging the tables, regenerate it with\n`cmake "
      "--build build/<dir> --target lifecycle-doc`, or\n"
      "`build/<dir>/tests/tools/lifecycle_doc > docs/lifecycle.md`.\n\n");
  printf(
      "What the actions do to units, counters and the history is in\n"
      "[orders.md](orders.md). How to read the tables below: an order of the "
      "type\nmay perform the action in any of the listed from-states (the "
      "first matching\nrow of `steps[]` decides); \"same\" keeps the state; "
      "\"previous state\" is the\nstate the order was suspended from (W-8). "
      "VISIT with UNSATISFIED is the one\nstep whose result depends on the "
      "event's value: it sends the order back to\nDISPATCHED, to its current "
      "unit (W-10). A closed, cancelled or merged order\naccepts only NOTE. "
      "Each diagram shows the main course; the tables are\ncomplete.\n\n");

  printf("Order types:");
  for (int t = 1; t <= PSVC__TYPE_MAX; t++) {
    const char *nm = name_of(PSVC_DOM_ORDER_TYPE, t);
    printf("%s [%s](#", t == 1 ? "" : ",", nm);
    print_anchor(nm);
    printf(")");
  }
  printf("; [default role grants](#default-role-grants).\n\n");

  for (int t = 1; t <= PSVC__TYPE_MAX; t++)
    print_type(t);
  print_grants();
  if (fflush(stdout) != 0 || ferror(stdout)) {
    perror("lifecycle_doc: writing the page");
    return 1;
  }
  return 0;
}
