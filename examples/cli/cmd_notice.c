/*
 * cmd_notice.c — psvc classify (paid or free, rules S-1 ... S-5) and psvc
 * notice publish|check (outage notices, rules O-1 ... O-6, T-7 ... T-11).
 */
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- classify ------------------------------------------------------------------------ */

/* "120", "120.5", "120.50" yuan -> cents */
static int parse_yuan(const char *s, int64_t *cents) {
  const char *p = s;
  int64_t v = 0;
  if (!isdigit((unsigned char)*p))
    return -1;
  for (; isdigit((unsigned char)*p); p++) {
    if (v > 1000000000000LL)
      return -1;
    v = v * 10 + (*p - '0');
  }
  v *= 100;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p))
      return -1;
    v += (*p++ - '0') * 10;
    if (isdigit((unsigned char)*p))
      v += *p++ - '0';
  }
  if (*p)
    return -1;
  *cents = v;
  return 0;
}

int cmd_classify(cli *c) {
  if (c->npos)
    return fail(EX_USAGE, "classify takes no arguments (psvc classify --help)");
  psvc_boundary_query q = PSVC_BOUNDARY_QUERY_INIT;
  char why[600];
  const char *supply = opt_get(c, "supply"), *loc = opt_get(c, "location"), *v;
  if (!supply || !loc)
    return fail(EX_USAGE, "classify: --supply and --location are required (psvc classify --help)");
  if (parse_enum(PSVC_DOM_SUPPLY_POINT, supply, &q.supply, why, sizeof why))
    return fail(EX_INPUT, "--supply: %s", why);
  if (parse_enum(PSVC_DOM_LOCATION, loc, &q.location, why, sizeof why))
    return fail(EX_INPUT, "--location: %s", why);
  if ((v = opt_get(c, "agreed-owner")) &&
      parse_enum(PSVC_DOM_OWNER, v, &q.agreed_owner, why, sizeof why))
    return fail(EX_INPUT, "--agreed-owner: %s", why);
  q.customer_caused = opt_has(c, "customer-caused");
  const char *order = opt_get(c, "order"), *service = opt_get(c, "service"),
             *fee = opt_get(c, "fee");
  if ((service || fee) && !order)
    return fail(EX_USAGE, "classify: --service and --fee quote an --order");
  if (!!service != !!fee)
    return fail(EX_USAGE, "classify: --service CODE and --fee YUAN go together");
  int64_t cents = 0;
  if (fee && parse_yuan(fee, &cents))
    return fail(EX_INPUT, "--fee: bad amount '%s' (yuan, e.g. 120 or 120.50)", fee);
  int owner, paid, rc;
  const char *rule, *reason;
  int64_t amount = -1;
  if (!order) {
    psvc_boundary_result r = PSVC_BOUNDARY_RESULT_INIT;
    if ((rc = psvc_service_classify(&q, &r)) != PSVC_OK)
      return fail_lib(rc, NULL, "classify");
    owner = r.owner, paid = r.paid, rule = r.rule, reason = r.reason;
  } else {
    if ((rc = db_open(c, 1)) != EX_OK)
      return rc;
    if (service && (rc = psvc_fee_set(c->ctx, service, cents)) != PSVC_OK)
      return fail_lib(rc, c->ctx, "--service");
    psvc_quote qt = PSVC_QUOTE_INIT;
    if ((rc = psvc_order_quote(c->ctx, order, &q, service, &qt)) != PSVC_OK) {
      if (rc == PSVC_ENOTFOUND && !strstr(libmsg(c->ctx), "fee"))
        return fail(EX_NOTFOUND, "no order '%s' in %s", order, c->db);
      return fail_lib(rc, c->ctx, "quote for order %s", order);
    }
    owner = qt.owner, paid = qt.paid, rule = qt.rule, reason = qt.reason;
    amount = qt.amount_cents;
  }
  if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_kstr(&j, "supply", ename(PSVC_DOM_SUPPLY_POINT, q.supply));
    jw_kstr(&j, "location", ename(PSVC_DOM_LOCATION, q.location));
    jw_kstr(&j, "owner", ename(PSVC_DOM_OWNER, owner));
    jw_key(&j, "paid");
    jw_bool(&j, paid);
    jw_kstr(&j, "rule", rule);
    jw_kstr(&j, "reason", reason);
    if (order) {
      jw_kstr(&j, "order", order);
      jw_kint(&j, "amount_cents", amount);
    }
    jw_end_obj(&j);
    jw_end(&j);
    return EX_OK;
  }
  printf("%s service (%s), the facility is the %s's: %s\n", paid ? "paid" : "free", rule,
         owner == PSVC_OWNER_CUSTOMER ? "customer" : "utility", reason);
  if (order) {
    if (paid)
      printf("quote for order %s: %lld.%02lld yuan (%s)\n", order, (long long)(amount / 100),
             (long long)(amount % 100), service ? service : "");
    else
      printf("quote for order %s: free of charge\n", order);
  }
  return EX_OK;
}

/* ---- notices ------------------------------------------------------------------------- */

static const notice_rec *find_notice(const notice_rec *v, size_t n, const char *id) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i].id, id) == 0)
      return &v[i];
  return NULL;
}

/* The lead-time check and the T-11 list of one notice. */
static int notice_report(cli *c, const char *id, const char *verb) {
  psvc_sla s = PSVC_SLA_INIT;
  psvc_list *aff = NULL;
  notice_rec *all = NULL;
  size_t nall = 0;
  int rc = psvc_notice_sla(c->ctx, id, &s);
  if (rc == PSVC_ENOTFOUND)
    return fail(EX_NOTFOUND, "no notice '%s' in %s", id, c->db);
  if (!rc)
    rc = psvc_notice_affected(c->ctx, id, &aff);
  if (rc)
    return fail_lib(rc, c->ctx, "notice %s", id);
  int out = scan_notices(c, &all, &nall);
  const notice_rec *r = out == EX_OK ? find_notice(all, nall, id) : NULL;
  if (out == EX_OK && c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_key(&j, "notice");
    if (r)
      jw_notice(&j, r);
    else
      jw_null(&j);
    jw_key(&j, "lead");
    jw_sla(&j, &s);
    jw_key(&j, "tell_individually");
    jw_arr(&j);
    for (size_t i = 0; i < psvc_list_count(aff); i++) {
      psvc_customer *cu;
      if (psvc_customer_load(c->ctx, psvc_list_id(aff, i), &cu) == PSVC_OK) {
        jw_customer(&j, c, cu);
        psvc_customer_free(cu);
      }
    }
    jw_end_arr(&j);
    jw_end_obj(&j);
    jw_end(&j);
  } else if (out == EX_OK) {
    char a[40], b[40], d[40], e[40];
    if (r)
      printf("notice %s%s%s: %s by unit %s on feeder %s, outage %s .. %s\n", id, *verb ? " " : "",
             verb,
             ename(PSVC_DOM_NOTICE_KIND, r->kind), r->unit, r->feeder,
             fmt_local(r->start, a, sizeof a), fmt_local(r->end, b, sizeof b));
    printf("lead time (T-7 ... T-10): %s — first published %s for a start at %s, lead %s "
           "of %s required",
           psvc_enum_name(PSVC_DOM_SLA_STATUS, s.status), fmt_local(s.started_at, a, sizeof a),
           fmt_local(s.stopped_at, b, sizeof b), fmt_dur(s.elapsed_s, d, sizeof d),
           fmt_dur(s.limit_s, e, sizeof e));
    if (r)
      printf("; %lld re-publication(s), %lld late T-10 change(s)\n", r->changes, r->late_changes);
    else
      printf("\n");
    printf("customers to tell individually (T-11):%s\n", psvc_list_count(aff) ? "" : " none");
    if (psvc_list_count(aff)) {
      static const char *const cols[] = {"customer", "name", "phone", "usage", "sources"};
      tbl *t = tbl_new(5, cols);
      for (size_t i = 0; i < psvc_list_count(aff); i++) {
        psvc_customer *cu;
        if (psvc_customer_load(c->ctx, psvc_list_id(aff, i), &cu) != PSVC_OK)
          continue;
        char nb[300], pb[300], f1[64], f2[96];
        tbl_add(t, psvc_customer_id(cu), show_name(c, psvc_customer_name(cu), nb, sizeof nb),
                show_phone(c, psvc_customer_phone(cu), pb, sizeof pb),
                flags_str(PSVC_DOM_USAGE, psvc_customer_usage(cu), f1, sizeof f1),
                flags_str(PSVC_DOM_SOURCE, psvc_customer_sources(cu), f2, sizeof f2));
        psvc_customer_free(cu);
      }
      tbl_print(t, stdout);
      tbl_free(t);
    }
  }
  free_notices(all, nall);
  psvc_list_free(aff);
  return out;
}

int cmd_notice_publish(cli *c) {
  if (c->npos != 1)
    return fail(EX_USAGE, "notice publish: give one notice ID (psvc notice publish --help)");
  psvc_notice n = PSVC_NOTICE_INIT;
  char why[600];
  const char *v;
  n.id = c->pos[0];
  static const char *const req[] = {"kind", "unit", "feeder", "start", "end"};
  for (int i = 0; i < 5; i++)
    if (!opt_get(c, req[i]))
      return fail(EX_USAGE, "notice publish: --%s is required (psvc notice publish --help)",
                  req[i]);
  if (parse_enum(PSVC_DOM_NOTICE_KIND, opt_get(c, "kind"), &n.kind, why, sizeof why))
    return fail(EX_INPUT, "--kind: %s", why);
  n.unit = opt_get(c, "unit");
  n.feeder = opt_get(c, "feeder");
  if (parse_time(opt_get(c, "start"), T_TIME, &n.start, why, sizeof why))
    return fail(EX_INPUT, "--start: %s", why);
  if (parse_time(opt_get(c, "end"), T_TIME, &n.end, why, sizeof why))
    return fail(EX_INPUT, "--end: %s", why);
  n.published_at = c->now;
  if ((v = opt_get(c, "at")) && parse_time(v, T_TIME, &n.published_at, why, sizeof why))
    return fail(EX_INPUT, "--at: %s", why);
  int rc = db_open(c, 0);
  if (rc)
    return rc;
  if ((rc = psvc_notice_publish(c->ctx, &n)) != PSVC_OK)
    return fail_lib(rc, c->ctx, "notice %s", n.id);
  return notice_report(c, n.id, "published");
}

int cmd_notice_check(cli *c) {
  const char *cust = opt_get(c, "customer");
  if ((cust && c->npos) || (!cust && c->npos != 1))
    return fail(EX_USAGE, "notice check: give one notice ID, or --customer ID "
                          "(psvc notice check --help)");
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  if (!cust)
    return notice_report(c, c->pos[0], "");
  psvc_list *act;
  if ((rc = psvc_notice_active(c->ctx, cust, c->now, &act)) != PSVC_OK) {
    if (rc == PSVC_ENOTFOUND)
      return fail(EX_NOTFOUND, "no customer '%s' in %s", cust, c->db);
    return fail_lib(rc, c->ctx, "customer %s", cust);
  }
  notice_rec *all = NULL;
  size_t nall = 0;
  int out = scan_notices(c, &all, &nall);
  if (out == EX_OK && c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_kstr(&j, "customer", cust);
    jw_ktime(&j, "now", c->now);
    jw_key(&j, "active");
    jw_arr(&j);
    for (size_t i = 0; i < psvc_list_count(act); i++) {
      const notice_rec *r = find_notice(all, nall, psvc_list_id(act, i));
      if (r)
        jw_notice(&j, r);
    }
    jw_end_arr(&j);
    jw_end_obj(&j);
    jw_end(&j);
  } else if (out == EX_OK) {
    char tb[40];
    printf("outage notices active for customer %s at %s (O-6): %s\n", cust,
           fmt_local(c->now, tb, sizeof tb),
           psvc_list_count(act) ? "a known outage: explain it, send no second crew" : "none");
    if (psvc_list_count(act)) {
      static const char *const cols[] = {"notice", "kind", "unit", "feeder", "start", "end"};
      tbl *t = tbl_new(6, cols);
      for (size_t i = 0; i < psvc_list_count(act); i++) {
        const notice_rec *r = find_notice(all, nall, psvc_list_id(act, i));
        char a[40], b[40];
        if (r)
          tbl_add(t, r->id, ename(PSVC_DOM_NOTICE_KIND, r->kind), r->unit, r->feeder,
                  fmt_local(r->start, a, sizeof a), fmt_local(r->end, b, sizeof b));
      }
      tbl_print(t, stdout);
      tbl_free(t);
    }
  }
  free_notices(all, nall);
  psvc_list_free(act);
  return out;
}
