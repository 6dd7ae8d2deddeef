/*
 * cmd_order.c — psvc order open|act|show|list|sla|handover (rules W-1 ...
 * W-16, T-1 ... T-23), and the order rows the CSV import shares.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The order metrics (docs/sla.md), in the report's order. */
static const int order_metrics[] = {PSVC_METRIC_DISPATCH, PSVC_METRIC_ARRIVAL,
                                    PSVC_METRIC_REPLY,    PSVC_METRIC_RESOLVE,
                                    PSVC_METRIC_VISIT,    PSVC_METRIC_CONTACT};
#define NMETRICS (sizeof order_metrics / sizeof order_metrics[0])

/* ---- order rows ---------------------------------------------------------------------- */

int parse_event_value(int action, const char *s, int *out, char *why, size_t n) {
  long long v;
  if (action == PSVC_ACT_VISIT) {
    if (parse_int(s, 1, 3, &v) == 0) {
      *out = (int)v;
      return 0;
    }
    return parse_enum(PSVC_DOM_SATISFACTION, s, out, why, n);
  }
  if (action == PSVC_ACT_NOTE && strcasecmp(s, "CONTACT") == 0) {
    *out = PSVC_NOTE_CONTACT;
    return 0;
  }
  if (parse_int(s, action == PSVC_ACT_ESCALATE ? 0 : -2147483647LL - 1,
                action == PSVC_ACT_ESCALATE ? 99 : 2147483647LL, &v)) {
    snprintf(why, n, "bad value '%s' (%s)", s,
             action == PSVC_ACT_ESCALATE ? "ESCALATE: the new level 1 .. 99, or 0 for one up"
             : action == PSVC_ACT_NOTE   ? "NOTE: CONTACT, or a number"
                                         : "a whole number");
    return -1;
  }
  *out = (int)v;
  return 0;
}

static int bad(const char **col, const char *which, char *why, size_t n, const char *msg) {
  *col = which;
  snprintf(why, n, "%s", msg);
  return -1;
}

int orow_check(const orow *r, const char **col, char *why, size_t n) {
  if (!valid_id(r->order_id))
    return bad(col, "order_id", why, n, "bad order id (1-64 characters of A-Z a-z 0-9 . _ -)");
  if (!r->actor || !valid_id(r->actor))
    return bad(col, "actor", why, n,
               r->actor ? "bad staff id (1-64 characters of A-Z a-z 0-9 . _ -)"
                        : "an actor (staff id) is required");
  if (!r->role)
    return bad(col, "role", why, n, "a role is required");
  if (r->action == 0) {
    if (!r->type)
      return bad(col, "type", why, n, "an OPEN row needs the order type");
    if (!r->channel)
      return bad(col, "channel", why, n, "an OPEN row needs the channel");
    if (r->customer_id && !valid_id(r->customer_id))
      return bad(col, "customer_id", why, n,
                 "bad customer id (1-64 characters of A-Z a-z 0-9 . _ -)");
    if (r->type == PSVC_ORDER_SERVICE_REQUEST && !r->customer_id)
      return bad(col, "customer_id", why, n, "a SERVICE_REQUEST needs a customer account");
    if (r->type == PSVC_ORDER_FAULT_REPAIR && !r->customer_id && !r->area)
      return bad(col, "area", why, n,
                 "an anonymous FAULT_REPAIR must say where (the area: T-3 depends on it)");
    return 0;
  }
  switch (r->action) {
  case PSVC_ACT_DISPATCH:
  case PSVC_ACT_TRANSFER:
    if (!r->target)
      return bad(col, "target", why, n, "DISPATCH and TRANSFER need the target unit");
    break;
  case PSVC_ACT_MERGE:
    if (!r->target || !valid_id(r->target))
      return bad(col, "target", why, n, "MERGE needs the surviving order's id as target");
    if (strcmp(r->target, r->order_id) == 0)
      return bad(col, "target", why, n, "an order cannot be merged into itself (W-9)");
    break;
  case PSVC_ACT_RETURN:
  case PSVC_ACT_SUSPEND:
  case PSVC_ACT_CANCEL:
    if (!r->note)
      return bad(col, "note", why, n, "RETURN, SUSPEND and CANCEL need a reason in note");
    break;
  case PSVC_ACT_VISIT:
    if (r->value < PSVC_SAT_SATISFIED || r->value > PSVC_SAT_UNSATISFIED)
      return bad(col, "value", why, n,
                 "VISIT needs the satisfaction: SATISFIED, FAIRLY_SATISFIED or UNSATISFIED");
    break;
  default:
    break;
  }
  return 0;
}

/* Which column a library message is about, by its wording. */
static const char *guess_col(const char *msg, const char *dflt) {
  static const struct {
    const char *word, *col;
  } words[] = {{"summary", "summary"}, {"actor unit", "unit"}, {"actor", "actor"},
               {"role", "role"},       {"customer", "customer_id"}, {"subtype", "subtype"},
               {"channel", "channel"}, {"area", "area"},   {"target", "target"},
               {"note", "note"},       {"order id", "order_id"}};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strstr(msg, words[i].word))
      return words[i].col;
  return dflt;
}

int orow_apply(psvc_ctx *ctx, const orow *r, const char **col, char *why, size_t n) {
  psvc_actor who = PSVC_ACTOR_INIT;
  who.id = r->actor;
  who.role = r->role;
  who.unit = r->unit;
  int rc;
  if (r->action == 0) {
    psvc_order_spec sp = PSVC_ORDER_SPEC_INIT;
    sp.id = r->order_id;
    sp.type = r->type;
    sp.channel = r->channel;
    sp.customer_id = r->customer_id;
    sp.area = r->area;
    sp.accepted_at = r->at;
    sp.summary = r->summary;
    sp.subtype = r->subtype;
    rc = psvc_order_open(ctx, &sp, &who);
    if (rc == PSVC_OK)
      return rc;
    const char *m = libmsg(ctx);
    if (rc == PSVC_EEXIST)
      snprintf(why, n, "duplicate id: order '%s' already exists", r->order_id);
    else
      snprintf(why, n, "%s", m);
    *col = rc == PSVC_EEXIST      ? "order_id"
           : rc == PSVC_ENOTFOUND ? "customer_id"
           : rc == PSVC_EPERM     ? "role"
           : rc == PSVC_ERANGE    ? "at"
                                  : guess_col(m, "action");
    return rc;
  }
  psvc_event ev = PSVC_EVENT_INIT;
  ev.action = r->action;
  ev.at = r->at;
  ev.target = r->target;
  ev.value = r->value;
  ev.note = r->note;
  rc = psvc_order_apply(ctx, r->order_id, &ev, &who);
  if (rc == PSVC_OK)
    return rc;
  snprintf(why, n, "%s", libmsg(ctx));
  psvc_order *o = NULL;
  switch (rc) {
  case PSVC_ENOTFOUND:
    *col = psvc_order_load(ctx, r->order_id, &o) == PSVC_OK ? "target" : "order_id";
    psvc_order_free(o);
    break;
  case PSVC_ESTATE:
    *col = "action";
    if (r->action == PSVC_ACT_MERGE && psvc_order_load(ctx, r->target, &o) == PSVC_OK &&
        !psvc_order_is_open(o))
      *col = "target";
    psvc_order_free(o);
    break;
  case PSVC_EPERM:
    *col = "role";
    break;
  case PSVC_ERANGE:
    *col = r->action == PSVC_ACT_ESCALATE && strstr(why, "escalation") ? "value" : "at";
    break;
  default:
    *col = r->action == PSVC_ACT_TRANSFER && strstr(why, "already at") ? "target"
                                                                         : guess_col(why, "action");
  }
  return rc;
}

/* ---- output -------------------------------------------------------------------------- */

static int subtype_domain(int type) {
  return type == PSVC_ORDER_COMPLAINT ? PSVC_DOM_COMPLAINT
         : type == PSVC_ORDER_SERVICE_REQUEST ? PSVC_DOM_REQUEST
                                              : 0;
}

static const char *subtype_name(const psvc_order *o) {
  int d = subtype_domain(psvc_order_type(o)), s = psvc_order_subtype(o);
  return d && s ? ename(d, s) : "";
}

static const char *value_text(int action, int value, char *buf, size_t n) {
  if (action == PSVC_ACT_VISIT)
    return ename(PSVC_DOM_SATISFACTION, value);
  if (action == PSVC_ACT_NOTE && value == PSVC_NOTE_CONTACT)
    return "CONTACT";
  if (value == 0)
    return "";
  snprintf(buf, n, "%d", value);
  return buf;
}

void jw_order(jw *j, const psvc_order *o, int with_events) {
  char vb[16];
  jw_obj(j);
  jw_kstr(j, "kind", "order");
  jw_kstr(j, "id", psvc_order_id(o));
  jw_kstr(j, "type", ename(PSVC_DOM_ORDER_TYPE, psvc_order_type(o)));
  jw_kstr(j, "subtype", *subtype_name(o) ? subtype_name(o) : NULL);
  jw_kstr(j, "channel", ename(PSVC_DOM_CHANNEL, psvc_order_channel(o)));
  jw_kstr(j, "customer_id", psvc_order_customer(o));
  jw_kstr(j, "area", psvc_order_area(o) ? ename(PSVC_DOM_AREA, psvc_order_area(o)) : NULL);
  jw_ktime(j, "accepted_at", psvc_order_accepted_at(o));
  jw_kint(j, "accepted_s", psvc_order_accepted_at(o));
  jw_kstr(j, "summary", psvc_order_summary(o));
  jw_kstr(j, "opened_by", psvc_order_opened_by(o));
  jw_kstr(j, "opened_role", ename(PSVC_DOM_ROLE, psvc_order_opened_role(o)));
  jw_kstr(j, "opened_unit", psvc_order_opened_unit(o));
  jw_kstr(j, "state", ename(PSVC_DOM_STATE, psvc_order_state(o)));
  jw_kstr(j, "responsible_unit", psvc_order_responsible_unit(o));
  jw_kstr(j, "current_unit", psvc_order_current_unit(o));
  jw_kint(j, "urges", psvc_order_urge_count(o));
  jw_kint(j, "escalation_level", psvc_order_escalation_level(o));
  int sat = psvc_order_satisfaction(o);
  jw_kstr(j, "satisfaction", sat ? ename(PSVC_DOM_SATISFACTION, sat) : NULL);
  jw_kint(j, "reopens", psvc_order_reopen_count(o));
  jw_kstr(j, "merged_into", psvc_order_merged_into(o));
  if (with_events) {
    jw_key(j, "events");
    jw_arr(j);
    for (size_t i = 0; i < psvc_order_event_count(o); i++) {
      int act = psvc_order_event_action(o, i);
      const char *v = value_text(act, psvc_order_event_value(o, i), vb, sizeof vb);
      jw_obj(j);
      jw_kstr(j, "action", ename(PSVC_DOM_ACTION, act));
      jw_ktime(j, "at", psvc_order_event_at(o, i));
      jw_kstr(j, "actor", psvc_order_event_actor(o, i));
      jw_kstr(j, "role", ename(PSVC_DOM_ROLE, psvc_order_event_role(o, i)));
      jw_kstr(j, "unit", psvc_order_event_unit(o, i));
      jw_kstr(j, "target", psvc_order_event_target(o, i));
      jw_kstr(j, "value", *v ? v : NULL);
      jw_kstr(j, "note", psvc_order_event_note(o, i));
      jw_end_obj(j);
    }
    jw_end_arr(j);
  }
  jw_end_obj(j);
}

/* ---- options of open / act ----------------------------------------------------------- */

static const char *cli_name(const char *col) {
  if (strcmp(col, "order_id") == 0)
    return "ID";
  if (strcmp(col, "action") == 0)
    return "ACTION";
  if (strcmp(col, "customer_id") == 0)
    return "--customer";
  static char buf[40];
  snprintf(buf, sizeof buf, "--%s", col);
  return buf;
}

/* at, actor, role, unit: the options both commands take */
static int actor_opts(cli *c, orow *r) {
  char why[600];
  const char *v;
  r->at = c->now;
  if ((v = opt_get(c, "at")) && parse_time(v, T_TIME, &r->at, why, sizeof why))
    return fail(EX_INPUT, "--at: %s", why);
  r->actor = opt_get(c, "actor") ? opt_get(c, "actor") : "cli";
  r->role = PSVC_ROLE_AGENT;
  if ((v = opt_get(c, "role")) && parse_enum(PSVC_DOM_ROLE, v, &r->role, why, sizeof why))
    return fail(EX_INPUT, "--role: %s", why);
  r->unit = opt_get(c, "unit");
  return EX_OK;
}

static int run_row(cli *c, const orow *r) {
  const char *col = "action";
  char why[1200];
  if (orow_check(r, &col, why, sizeof why))
    return fail(EX_INPUT, "%s: %s", cli_name(col), why);
  int rc = db_open(c, r->action != 0);
  if (rc)
    return rc;
  if ((rc = orow_apply(c->ctx, r, &col, why, sizeof why)) != PSVC_OK)
    return fail(exit_for(rc), "order %s: %s: %s", r->order_id, cli_name(col), why);
  psvc_order *o;
  if ((rc = psvc_order_load(c->ctx, r->order_id, &o)) != PSVC_OK)
    return fail_lib(rc, c->ctx, "order %s", r->order_id);
  if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_order(&j, o, 0);
    jw_end(&j);
  } else if (r->action == 0)
    printf("order %s opened: %s, state %s\n", r->order_id,
           ename(PSVC_DOM_ORDER_TYPE, psvc_order_type(o)),
           ename(PSVC_DOM_STATE, psvc_order_state(o)));
  else
    printf("order %s: %s applied, state %s%s%s\n", r->order_id, ename(PSVC_DOM_ACTION, r->action),
           ename(PSVC_DOM_STATE, psvc_order_state(o)),
           psvc_order_current_unit(o) ? ", at unit " : "",
           psvc_order_current_unit(o) ? psvc_order_current_unit(o) : "");
  psvc_order_free(o);
  return EX_OK;
}

int cmd_order_open(cli *c) {
  if (c->npos != 1)
    return fail(EX_USAGE, "order open: give one order ID (psvc order open --help)");
  orow r = {0};
  char why[600];
  const char *v;
  int rc;
  r.order_id = c->pos[0];
  if ((rc = actor_opts(c, &r)) != EX_OK)
    return rc;
  if (!(v = opt_get(c, "type")))
    return fail(EX_USAGE, "order open: --type is required (psvc order open --help)");
  if (parse_enum(PSVC_DOM_ORDER_TYPE, v, &r.type, why, sizeof why))
    return fail(EX_INPUT, "--type: %s", why);
  r.channel = PSVC_CHANNEL_PHONE;
  if ((v = opt_get(c, "channel")) && parse_enum(PSVC_DOM_CHANNEL, v, &r.channel, why, sizeof why))
    return fail(EX_INPUT, "--channel: %s", why);
  if ((v = opt_get(c, "area")) && parse_enum(PSVC_DOM_AREA, v, &r.area, why, sizeof why))
    return fail(EX_INPUT, "--area: %s", why);
  if ((v = opt_get(c, "subtype"))) {
    int d = subtype_domain(r.type);
    if (!d)
      return fail(EX_INPUT, "--subtype: only COMPLAINT and SERVICE_REQUEST orders have one");
    if (parse_enum(d, v, &r.subtype, why, sizeof why))
      return fail(EX_INPUT, "--subtype: %s", why);
  }
  r.customer_id = opt_get(c, "customer");
  r.summary = opt_get(c, "summary");
  return run_row(c, &r);
}

int cmd_order_act(cli *c) {
  if (c->npos != 2)
    return fail(EX_USAGE, "order act: give an order ID and an ACTION (psvc order act --help)");
  orow r = {0};
  char why[600];
  const char *v;
  int rc;
  r.order_id = c->pos[0];
  if (parse_enum(PSVC_DOM_ACTION, c->pos[1], &r.action, why, sizeof why))
    return fail(EX_INPUT, "ACTION: %s", why);
  if ((rc = actor_opts(c, &r)) != EX_OK)
    return rc;
  r.target = opt_get(c, "target");
  r.note = opt_get(c, "note");
  if ((v = opt_get(c, "value")) && parse_event_value(r.action, v, &r.value, why, sizeof why))
    return fail(EX_INPUT, "--value: %s", why);
  return run_row(c, &r);
}

/* ---- order show / sla ---------------------------------------------------------------- */

static int load_order(cli *c, const char *id, psvc_order **o) {
  int rc = psvc_order_load(c->ctx, id, o);
  if (rc == PSVC_ENOTFOUND)
    return fail(EX_NOTFOUND, "no order '%s' in %s", id, c->db);
  if (rc)
    return fail_lib(rc, c->ctx, "order %s", id);
  return EX_OK;
}

static void sla_row(tbl *t, const psvc_sla *s) {
  char st[40], dl[40], sp[40], lim[40], el[40], rem[40], lv[8], cy[8];
  snprintf(lv, sizeof lv, "%d", s->level);
  snprintf(cy, sizeof cy, "%d", s->cycle);
  int na = s->status == PSVC_SLA_NOT_APPLICABLE;
  tbl_add(t, ename(PSVC_DOM_METRIC, s->metric), psvc_enum_name(PSVC_DOM_SLA_STATUS, s->status),
          fmt_local(s->started_at, st, sizeof st), fmt_local(s->deadline, dl, sizeof dl),
          fmt_local(s->stopped_at, sp, sizeof sp), na ? "-" : fmt_dur(s->limit_s, lim, sizeof lim),
          na ? "-" : fmt_dur(s->elapsed_s, el, sizeof el),
          na ? "-" : fmt_dur(s->remaining_s, rem, sizeof rem), lv, cy,
          s->ever_breached ? "yes" : "no");
}

static const char *const sla_cols[] = {"metric",    "status",  "started", "deadline",
                                       "stopped",   ">limit",  ">elapsed", ">remaining",
                                       ">level",    ">cycle",  "ever breached"};

/* Fills s[] with the order's clocks at now; *n applicable ones (all if metric given). */
static int order_slas(cli *c, const char *id, int metric, psvc_sla *s, size_t *n) {
  *n = 0;
  for (size_t i = 0; i < NMETRICS; i++) {
    if (metric && order_metrics[i] != metric)
      continue;
    psvc_sla x = PSVC_SLA_INIT;
    int rc = psvc_order_sla(c->ctx, id, order_metrics[i], c->now, &x);
    if (rc)
      return rc;
    if (metric || x.status != PSVC_SLA_NOT_APPLICABLE)
      s[(*n)++] = x;
  }
  return PSVC_OK;
}

int cmd_order_show(cli *c) {
  if (c->npos != 1)
    return fail(EX_USAGE, "order show: give one order ID (psvc order show --help)");
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  psvc_order *o;
  if ((rc = load_order(c, c->pos[0], &o)) != EX_OK)
    return rc;
  psvc_sla s[NMETRICS];
  size_t ns;
  int lrc = order_slas(c, c->pos[0], 0, s, &ns);
  if (lrc) {
    psvc_order_free(o);
    return fail_lib(lrc, c->ctx, "order %s", c->pos[0]);
  }
  if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_key(&j, "order");
    jw_order(&j, o, 1);
    jw_ktime(&j, "now", c->now);
    jw_key(&j, "sla");
    jw_arr(&j);
    for (size_t i = 0; i < ns; i++)
      jw_sla(&j, &s[i]);
    jw_end_arr(&j);
    jw_end_obj(&j);
    jw_end(&j);
  } else {
    char tb[40], num[3][16], vb[16];
    static const char *const cols[] = {"field", "value"};
    tbl *t = tbl_new(2, cols);
    tbl_add(t, "id", psvc_order_id(o));
    tbl_add(t, "type", ename(PSVC_DOM_ORDER_TYPE, psvc_order_type(o)));
    tbl_add(t, "subtype", subtype_name(o));
    tbl_add(t, "channel", ename(PSVC_DOM_CHANNEL, psvc_order_channel(o)));
    tbl_add(t, "customer", psvc_order_customer(o) ? psvc_order_customer(o) : "(anonymous)");
    tbl_add(t, "area", ename(PSVC_DOM_AREA, psvc_order_area(o)));
    tbl_add(t, "accepted", fmt_local(psvc_order_accepted_at(o), tb, sizeof tb));
    tbl_add(t, "opened by", psvc_order_opened_by(o));
    tbl_add(t, "state", ename(PSVC_DOM_STATE, psvc_order_state(o)));
    tbl_add(t, "responsible unit", psvc_order_responsible_unit(o));
    tbl_add(t, "current unit", psvc_order_current_unit(o));
    snprintf(num[0], sizeof num[0], "%d", psvc_order_urge_count(o));
    snprintf(num[1], sizeof num[1], "%d", psvc_order_escalation_level(o));
    snprintf(num[2], sizeof num[2], "%d", psvc_order_reopen_count(o));
    tbl_add(t, "urges", num[0]);
    tbl_add(t, "escalation", num[1]);
    tbl_add(t, "reopens", num[2]);
    tbl_add(t, "satisfaction", ename(PSVC_DOM_SATISFACTION, psvc_order_satisfaction(o)));
    if (psvc_order_merged_into(o))
      tbl_add(t, "merged into", psvc_order_merged_into(o));
    tbl_add(t, "summary", psvc_order_summary(o));
    tbl_print(t, stdout);
    tbl_free(t);
    printf("\nhistory:\n");
    static const char *const hcols[] = {">#",    "at",     "action", "actor", "role",
                                        "unit", "target", "value",  "note"};
    t = tbl_new(9, hcols);
    for (size_t i = 0; i < psvc_order_event_count(o); i++) {
      char idx[24];
      int act = psvc_order_event_action(o, i);
      snprintf(idx, sizeof idx, "%zu", i + 1);
      tbl_add(t, idx, fmt_local(psvc_order_event_at(o, i), tb, sizeof tb),
              ename(PSVC_DOM_ACTION, act), psvc_order_event_actor(o, i),
              ename(PSVC_DOM_ROLE, psvc_order_event_role(o, i)), psvc_order_event_unit(o, i),
              psvc_order_event_target(o, i), value_text(act, psvc_order_event_value(o, i), vb, sizeof vb),
              psvc_order_event_note(o, i));
    }
    tbl_print(t, stdout);
    tbl_free(t);
    printf("\nSLA clocks at %s:\n", fmt_local(c->now, tb, sizeof tb));
    if (!ns)
      printf("none applies\n");
    else {
      t = tbl_new(11, sla_cols);
      for (size_t i = 0; i < ns; i++)
        sla_row(t, &s[i]);
      tbl_print(t, stdout);
      tbl_free(t);
    }
  }
  psvc_order_free(o);
  return EX_OK;
}

int cmd_order_sla(cli *c) {
  if (c->npos != 1)
    return fail(EX_USAGE, "order sla: give one order ID (psvc order sla --help)");
  int metric = 0;
  char why[600];
  const char *v;
  if ((v = opt_get(c, "metric"))) {
    if (parse_enum(PSVC_DOM_METRIC, v, &metric, why, sizeof why))
      return fail(EX_INPUT, "--metric: %s", why);
    if (metric == PSVC_METRIC_ANSWER || metric == PSVC_METRIC_NOTICE_LEAD)
      return fail(EX_INPUT, "--metric: %s is a clock of calls or notices, not of orders", v);
  }
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  psvc_order *o;
  if ((rc = load_order(c, c->pos[0], &o)) != EX_OK)
    return rc;
  psvc_order_free(o);
  psvc_sla s[NMETRICS];
  size_t ns;
  int lrc = order_slas(c, c->pos[0], metric, s, &ns);
  if (lrc)
    return fail_lib(lrc, c->ctx, "order %s", c->pos[0]);
  if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_kstr(&j, "order", c->pos[0]);
    jw_ktime(&j, "now", c->now);
    jw_key(&j, "sla");
    jw_arr(&j);
    for (size_t i = 0; i < ns; i++)
      jw_sla(&j, &s[i]);
    jw_end_arr(&j);
    jw_end_obj(&j);
    jw_end(&j);
    return EX_OK;
  }
  char tb[40];
  printf("order %s at %s:\n", c->pos[0], fmt_local(c->now, tb, sizeof tb));
  if (!ns) {
    printf("no SLA clock applies\n");
    return EX_OK;
  }
  tbl *t = tbl_new(11, sla_cols);
  for (size_t i = 0; i < ns; i++)
    sla_row(t, &s[i]);
  tbl_print(t, stdout);
  tbl_free(t);
  return EX_OK;
}

/* ---- order list ---------------------------------------------------------------------- */

static int parse_mask(int domain, const char *s, unsigned *mask, char *why, size_t n) {
  *mask = 0;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", s);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    int v;
    if (parse_enum(domain, tok, &v, why, n))
      return -1;
    *mask |= 1u << v;
  }
  return 0;
}

int cmd_order_list(cli *c) {
  if (c->npos)
    return fail(EX_USAGE, "order list takes no arguments (psvc order list --help)");
  psvc_filter f = PSVC_FILTER_INIT;
  char why[600];
  const char *v;
  if ((v = opt_get(c, "state")) && parse_mask(PSVC_DOM_STATE, v, &f.state_mask, why, sizeof why))
    return fail(EX_USAGE, "--state: %s", why);
  if ((v = opt_get(c, "type")) &&
      parse_mask(PSVC_DOM_ORDER_TYPE, v, &f.type_mask, why, sizeof why))
    return fail(EX_USAGE, "--type: %s", why);
  f.unit = opt_get(c, "unit");
  f.customer_id = opt_get(c, "customer");
  if ((v = opt_get(c, "from")) && parse_time(v, T_DATE_START, &f.from, why, sizeof why))
    return fail(EX_USAGE, "--from: %s", why);
  if ((v = opt_get(c, "to")) && parse_time(v, T_DATE_START, &f.to, why, sizeof why))
    return fail(EX_USAGE, "--to: %s", why);
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  psvc_list *l;
  if ((rc = psvc_order_find(c->ctx, &f, &l)) != PSVC_OK)
    return fail_lib(rc, c->ctx, "order list");
  jw j;
  tbl *t = NULL;
  static const char *const cols[] = {"id",       "type",        "subtype",      "state",
                                     "accepted", "customer",    "area",         "responsible",
                                     "current"};
  if (c->json) {
    jw_init(&j, stdout);
    jw_arr(&j);
  } else
    t = tbl_new(9, cols);
  int out = EX_OK;
  for (size_t i = 0; i < psvc_list_count(l); i++) {
    psvc_order *o;
    if ((out = load_order(c, psvc_list_id(l, i), &o)) != EX_OK)
      break;
    if (c->json)
      jw_order(&j, o, 0);
    else {
      char tb[40];
      tbl_add(t, psvc_order_id(o), ename(PSVC_DOM_ORDER_TYPE, psvc_order_type(o)),
              subtype_name(o), ename(PSVC_DOM_STATE, psvc_order_state(o)),
              fmt_local(psvc_order_accepted_at(o), tb, sizeof tb), psvc_order_customer(o),
              ename(PSVC_DOM_AREA, psvc_order_area(o)), psvc_order_responsible_unit(o),
              psvc_order_current_unit(o));
    }
    psvc_order_free(o);
  }
  if (c->json) {
    jw_end_arr(&j);
    jw_end(&j);
  } else {
    tbl_print(t, stdout);
    printf("%zu orders\n", tbl_rows(t));
    tbl_free(t);
  }
  psvc_list_free(l);
  return out;
}

/* ---- order handover ------------------------------------------------------------------ */

static int running(const psvc_sla *s) {
  return s->status == PSVC_SLA_RUNNING || s->status == PSVC_SLA_AT_RISK ||
         s->status == PSVC_SLA_PAUSED || (s->status == PSVC_SLA_BREACHED && !s->stopped_at);
}

int cmd_order_handover(cli *c) {
  if (c->npos != 1)
    return fail(EX_USAGE, "order handover: give the UNIT (psvc order handover --help)");
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  psvc_list *l;
  if ((rc = psvc_handover(c->ctx, c->pos[0], c->now, &l)) != PSVC_OK)
    return fail_lib(rc, c->ctx, "handover of %s", c->pos[0]);
  jw j;
  tbl *t = NULL;
  static const char *const cols[] = {">#",     "order",  "type",     "state",    "accepted",
                                     "clock",  "status", "deadline", ">remaining"};
  if (c->json) {
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_kstr(&j, "unit", c->pos[0]);
    jw_ktime(&j, "now", c->now);
    jw_key(&j, "orders");
    jw_arr(&j);
  } else
    t = tbl_new(9, cols);
  int out = EX_OK;
  for (size_t i = 0; i < psvc_list_count(l); i++) {
    const char *id = psvc_list_id(l, i);
    psvc_order *o;
    psvc_sla s[NMETRICS];
    size_t ns;
    if ((out = load_order(c, id, &o)) != EX_OK)
      break;
    if ((rc = order_slas(c, id, 0, s, &ns)) != PSVC_OK) {
      psvc_order_free(o);
      out = fail_lib(rc, c->ctx, "order %s", id);
      break;
    }
    const psvc_sla *urgent = NULL;
    for (size_t k = 0; k < ns; k++)
      if (running(&s[k]) && (!urgent || s[k].deadline < urgent->deadline))
        urgent = &s[k];
    if (c->json) {
      jw_obj(&j);
      jw_kstr(&j, "id", id);
      jw_kstr(&j, "type", ename(PSVC_DOM_ORDER_TYPE, psvc_order_type(o)));
      jw_kstr(&j, "state", ename(PSVC_DOM_STATE, psvc_order_state(o)));
      jw_ktime(&j, "accepted_at", psvc_order_accepted_at(o));
      jw_key(&j, "most_urgent");
      if (urgent)
        jw_sla(&j, urgent);
      else
        jw_null(&j);
      jw_end_obj(&j);
    } else {
      char n[24], tb[40], db[40], rb[40];
      snprintf(n, sizeof n, "%zu", i + 1);
      tbl_add(t, n, id, ename(PSVC_DOM_ORDER_TYPE, psvc_order_type(o)),
              ename(PSVC_DOM_STATE, psvc_order_state(o)),
              fmt_local(psvc_order_accepted_at(o), tb, sizeof tb),
              urgent ? ename(PSVC_DOM_METRIC, urgent->metric) : "-",
              urgent ? psvc_enum_name(PSVC_DOM_SLA_STATUS, urgent->status) : "-",
              urgent ? fmt_local(urgent->deadline, db, sizeof db) : "-",
              urgent ? fmt_dur(urgent->remaining_s, rb, sizeof rb) : "-");
    }
    psvc_order_free(o);
  }
  if (c->json) {
    jw_end_arr(&j);
    jw_end_obj(&j);
    jw_end(&j);
  } else {
    char tb[40];
    printf("handover of unit %s at %s (W-13), most urgent first:\n", c->pos[0],
           fmt_local(c->now, tb, sizeof tb));
    tbl_print(t, stdout);
    printf("%zu open orders\n", tbl_rows(t));
    tbl_free(t);
  }
  psvc_list_free(l);
  return out;
}
