/*
 * cmd_customer.c — psvc customer add|show|check|list|import (rules C-1 ...
 * C-20; names and phones masked, W-12).
 */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const customer_cols[NCUSTOMER_COLS] = {
    "id",     "name",    "relation",  "tariff",       "sources",    "usage",
    "importance", "load_class", "segment", "area",    "voltage_v",  "capacity_kva",
    "supply_end", "season",  "unit",    "feeder",       "phone",      "manager"};

const char *customer_col_of_field(const char *field) {
  if (!field)
    return "id";
  if (strcmp(field, "voltage") == 0)
    return "voltage_v";
  if (strcmp(field, "capacity") == 0)
    return "capacity_kva";
  for (int i = 0; i < NCUSTOMER_COLS; i++)
    if (strcmp(customer_cols[i], field) == 0)
      return customer_cols[i];
  return field;
}

static int setter_failed(char *why, size_t n) {
  snprintf(why, n, "%s", libmsg(NULL));
  return -1;
}

static int set_enum(psvc_customer *cu, int domain, const char *val,
                    int (*set)(psvc_customer *, int), char *why, size_t n) {
  int v;
  if (parse_enum(domain, val, &v, why, n))
    return -1;
  return set(cu, v) ? setter_failed(why, n) : 0;
}

int customer_set_field(psvc_customer *cu, const char *col, const char *val, char *why,
                       size_t n) {
  long long v;
  unsigned flags;
  if (strcmp(col, "id") == 0)
    return 0; /* given to psvc_customer_new */
  if (!*val)
    return 0; /* empty: unset */
  if (strcmp(col, "name") == 0)
    return psvc_customer_set_name(cu, val) ? setter_failed(why, n) : 0;
  if (strcmp(col, "relation") == 0)
    return set_enum(cu, PSVC_DOM_RELATION, val, psvc_customer_set_relation, why, n);
  if (strcmp(col, "tariff") == 0)
    return set_enum(cu, PSVC_DOM_TARIFF, val, psvc_customer_set_tariff, why, n);
  if (strcmp(col, "importance") == 0)
    return set_enum(cu, PSVC_DOM_IMPORTANCE, val, psvc_customer_set_importance, why, n);
  if (strcmp(col, "segment") == 0)
    return set_enum(cu, PSVC_DOM_SEGMENT, val, psvc_customer_set_segment, why, n);
  if (strcmp(col, "area") == 0)
    return set_enum(cu, PSVC_DOM_AREA, val, psvc_customer_set_area, why, n);
  if (strcmp(col, "sources") == 0 || strcmp(col, "usage") == 0) {
    int src = col[0] == 's';
    if (parse_flags(src ? PSVC_DOM_SOURCE : PSVC_DOM_USAGE, val, &flags, why, n))
      return -1;
    int rc = src ? psvc_customer_set_sources(cu, flags) : psvc_customer_set_usage(cu, flags);
    return rc ? setter_failed(why, n) : 0;
  }
  if (strcmp(col, "load_class") == 0) {
    if (parse_int(val, 1, 3, &v)) {
      snprintf(why, n, "bad load class '%s' (expected 1, 2 or 3)", val);
      return -1;
    }
    return psvc_customer_set_load_class(cu, (int)v) ? setter_failed(why, n) : 0;
  }
  if (strcmp(col, "voltage_v") == 0 || strcmp(col, "capacity_kva") == 0) {
    int volt = col[0] == 'v';
    if (parse_int(val, 0, INT32_MAX, &v)) {
      snprintf(why, n, "bad %s '%s' (expected a whole number of %s, 0 .. 2147483647)",
               volt ? "voltage" : "capacity", val, volt ? "volts" : "kVA");
      return -1;
    }
    int rc = volt ? psvc_customer_set_voltage(cu, (int32_t)v)
                  : psvc_customer_set_capacity(cu, (int32_t)v);
    return rc ? setter_failed(why, n) : 0;
  }
  if (strcmp(col, "supply_end") == 0) {
    psvc_time t;
    if (parse_time(val, T_DATE_END, &t, why, n))
      return -1;
    return psvc_customer_set_supply_end(cu, t) ? setter_failed(why, n) : 0;
  }
  if (strcmp(col, "season") == 0) {
    unsigned mask = 0;
    const char *p = val;
    while (*p) {
      char *end;
      long m = strtol(p, &end, 10);
      if (end == p || m < 1 || m > 12 || (*end && *end != '|') || (*end == '|' && !end[1])) {
        snprintf(why, n, "bad season '%s' (months 1-12 joined with '|', e.g. 4|5|6)", val);
        return -1;
      }
      mask |= 1u << (m - 1);
      p = *end ? end + 1 : end;
    }
    return psvc_customer_set_season(cu, mask) ? setter_failed(why, n) : 0;
  }
  int (*sets[])(psvc_customer *, const char *) = {
      psvc_customer_set_unit, psvc_customer_set_feeder, psvc_customer_set_phone,
      psvc_customer_set_manager};
  const char *names[] = {"unit", "feeder", "phone", "manager"};
  for (int i = 0; i < 4; i++)
    if (strcmp(col, names[i]) == 0)
      return sets[i](cu, val) ? setter_failed(why, n) : 0;
  snprintf(why, n, "unknown column");
  return -1;
}

/* ---- output -------------------------------------------------------------------------- */

static char *months_str(unsigned mask, char *buf, size_t n) {
  size_t o = 0;
  buf[0] = 0;
  for (int m = 1; m <= 12; m++)
    if (mask & (1u << (m - 1))) {
      int w = snprintf(buf + o, n - o, "%s%d", o ? "|" : "", m);
      if (w < 0 || (size_t)w >= n - o)
        break;
      o += (size_t)w;
    }
  return buf;
}

void jw_customer(jw *j, const cli *c, const psvc_customer *cu) {
  char nb[300], pb[300];
  jw_obj(j);
  jw_kstr(j, "kind", "customer");
  jw_kstr(j, "id", psvc_customer_id(cu));
  jw_kstr(j, "name", show_name(c, psvc_customer_name(cu), nb, sizeof nb));
  const struct {
    const char *key;
    int dom, val;
  } e[] = {{"relation", PSVC_DOM_RELATION, psvc_customer_relation(cu)},
           {"tariff", PSVC_DOM_TARIFF, psvc_customer_tariff(cu)}};
  for (int i = 0; i < 2; i++)
    jw_kstr(j, e[i].key, e[i].val ? ename(e[i].dom, e[i].val) : NULL);
  jw_key(j, "sources");
  jw_arr(j);
  for (unsigned b = 1; b <= 0x10; b <<= 1)
    if (psvc_customer_sources(cu) & b)
      jw_str(j, psvc_enum_name(PSVC_DOM_SOURCE, (int)b));
  jw_end_arr(j);
  jw_key(j, "usage");
  jw_arr(j);
  for (unsigned b = 1; b <= 0x4; b <<= 1)
    if (psvc_customer_usage(cu) & b)
      jw_str(j, psvc_enum_name(PSVC_DOM_USAGE, (int)b));
  jw_end_arr(j);
  int imp = psvc_customer_importance(cu);
  jw_kstr(j, "importance", imp ? ename(PSVC_DOM_IMPORTANCE, imp) : NULL);
  jw_key(j, "load_class");
  if (psvc_customer_load_class(cu))
    jw_int(j, psvc_customer_load_class(cu));
  else
    jw_null(j);
  int seg = psvc_customer_segment(cu), area = psvc_customer_area(cu);
  jw_kstr(j, "segment", seg ? ename(PSVC_DOM_SEGMENT, seg) : NULL);
  jw_kstr(j, "area", area ? ename(PSVC_DOM_AREA, area) : NULL);
  jw_kint(j, "voltage_v", psvc_customer_voltage(cu));
  jw_kint(j, "capacity_kva", psvc_customer_capacity(cu));
  jw_ktime(j, "supply_end", psvc_customer_supply_end(cu));
  jw_key(j, "season");
  jw_arr(j);
  for (int m = 1; m <= 12; m++)
    if (psvc_customer_season(cu) & (1u << (m - 1)))
      jw_int(j, m);
  jw_end_arr(j);
  jw_kstr(j, "unit", psvc_customer_unit(cu));
  jw_kstr(j, "feeder", psvc_customer_feeder(cu));
  jw_kstr(j, "phone", show_phone(c, psvc_customer_phone(cu), pb, sizeof pb));
  jw_kstr(j, "manager", psvc_customer_manager(cu));
  jw_end_obj(j);
}

void jw_findings(jw *j, const psvc_findings *f) {
  jw_arr(j);
  for (size_t i = 0; i < psvc_findings_count(f); i++) {
    jw_obj(j);
    jw_kstr(j, "rule", psvc_findings_code(f, i));
    jw_kstr(j, "severity", ename(PSVC_DOM_SEVERITY, psvc_findings_severity(f, i)));
    jw_kstr(j, "column", customer_col_of_field(psvc_findings_field(f, i)));
    jw_kstr(j, "message", psvc_findings_message(f, i));
    jw_end_obj(j);
  }
  jw_end_arr(j);
}

void print_findings(const psvc_findings *f, const char *id) {
  if (!psvc_findings_count(f)) {
    if (id)
      printf("%s: no findings\n", id);
    else
      printf("no findings\n");
    return;
  }
  static const char *const cols[] = {"rule", "severity", "column", "message"};
  tbl *t = tbl_new(4, cols);
  for (size_t i = 0; i < psvc_findings_count(f); i++)
    tbl_add(t, psvc_findings_code(f, i), ename(PSVC_DOM_SEVERITY, psvc_findings_severity(f, i)),
            customer_col_of_field(psvc_findings_field(f, i)), psvc_findings_message(f, i));
  tbl_print(t, stdout);
  tbl_free(t);
}

/* ---- customer add -------------------------------------------------------------------- */

int cmd_customer_add(cli *c) {
  if (c->npos != 1)
    return fail(EX_USAGE, "customer add: give one customer ID (psvc customer add --help)");
  psvc_customer *cu;
  if (psvc_customer_new(&cu, c->pos[0]) != PSVC_OK)
    return fail(EX_INPUT, "bad customer id '%s' (1-64 characters of A-Z a-z 0-9 . _ -)",
                c->pos[0]);
  char why[600];
  for (int i = 1; i < NCUSTOMER_COLS; i++) {
    char optname[32];
    snprintf(optname, sizeof optname, "%s", customer_cols[i]);
    for (char *p = optname; *p; p++)
      if (*p == '_')
        *p = '-';
    const char *v = opt_get(c, optname);
    if (v && customer_set_field(cu, customer_cols[i], v, why, sizeof why)) {
      psvc_customer_free(cu);
      return fail(EX_INPUT, "--%s: %s", optname, why);
    }
  }
  psvc_findings *f;
  if (psvc_customer_check(cu, c->now, &f) != PSVC_OK) {
    psvc_customer_free(cu);
    return fail(EX_OTHER, "out of memory");
  }
  int refused = psvc_findings_max_severity(f) >= PSVC_SEV_ERROR;
  int rc = EX_OK, lrc = PSVC_OK;
  if (!refused && (rc = db_open(c, 0)) == EX_OK) {
    lrc = opt_has(c, "replace") ? psvc_customer_save(c->ctx, cu) : psvc_customer_add(c->ctx, cu);
    if (lrc)
      rc = exit_for(lrc);
  }
  if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_kstr(&j, "id", psvc_customer_id(cu));
    jw_key(&j, "saved");
    jw_bool(&j, !refused && rc == EX_OK);
    jw_key(&j, "findings");
    jw_findings(&j, f);
    jw_end_obj(&j);
    jw_end(&j);
  } else {
    print_findings(f, psvc_customer_id(cu));
    if (!refused && rc == EX_OK)
      printf("customer %s saved to %s\n", psvc_customer_id(cu), c->db);
  }
  if (refused) {
    for (size_t i = 0; i < psvc_findings_count(f); i++)
      if (psvc_findings_severity(f, i) == PSVC_SEV_ERROR) {
        fprintf(stderr, "psvc: customer %s refused: --%s: rule %s: %s\n", psvc_customer_id(cu),
                customer_col_of_field(psvc_findings_field(f, i)), psvc_findings_code(f, i),
                psvc_findings_message(f, i));
        break;
      }
    rc = EX_INPUT;
  } else if (lrc)
    fail_lib(lrc, c->ctx, "customer %s", psvc_customer_id(cu));
  psvc_findings_free(f);
  psvc_customer_free(cu);
  return rc;
}

/* ---- customer show ------------------------------------------------------------------- */

static int load_customer(cli *c, const char *id, psvc_customer **out) {
  int rc = psvc_customer_load(c->ctx, id, out);
  if (rc == PSVC_ENOTFOUND)
    return fail(EX_NOTFOUND, "no customer '%s' in %s", id, c->db);
  if (rc)
    return fail_lib(rc, c->ctx, "customer %s", id);
  return EX_OK;
}

int cmd_customer_show(cli *c) {
  if (c->npos != 1)
    return fail(EX_USAGE, "customer show: give one customer ID (psvc customer show --help)");
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  psvc_customer *cu;
  if ((rc = load_customer(c, c->pos[0], &cu)) != EX_OK)
    return rc;
  psvc_findings *f = NULL;
  psvc_list *orders = NULL, *active = NULL;
  psvc_filter flt = PSVC_FILTER_INIT;
  flt.customer_id = psvc_customer_id(cu);
  int lrc = psvc_customer_check(cu, c->now, &f);
  if (!lrc)
    lrc = psvc_order_find(c->ctx, &flt, &orders);
  if (!lrc)
    lrc = psvc_notice_active(c->ctx, psvc_customer_id(cu), c->now, &active);
  if (lrc) {
    rc = fail_lib(lrc, c->ctx, "customer %s", c->pos[0]);
  } else if (c->json) {
    jw j;
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_key(&j, "customer");
    jw_customer(&j, c, cu);
    jw_key(&j, "findings");
    jw_findings(&j, f);
    jw_kint(&j, "orders", (long long)psvc_list_count(orders));
    jw_key(&j, "active_notices");
    jw_arr(&j);
    for (size_t i = 0; i < psvc_list_count(active); i++)
      jw_str(&j, psvc_list_id(active, i));
    jw_end_arr(&j);
    jw_ktime(&j, "now", c->now);
    jw_end_obj(&j);
    jw_end(&j);
  } else {
    char nb[300], pb[300], fl[128], fl2[128], mo[64], tb[40], num[32], num2[32], lc[8];
    snprintf(num, sizeof num, "%ld V", (long)psvc_customer_voltage(cu));
    snprintf(num2, sizeof num2, "%ld kVA", (long)psvc_customer_capacity(cu));
    snprintf(lc, sizeof lc, "%d", psvc_customer_load_class(cu));
    static const char *const cols[] = {"field", "value"};
    tbl *t = tbl_new(2, cols);
    tbl_add(t, "id", psvc_customer_id(cu));
    tbl_add(t, "name", show_name(c, psvc_customer_name(cu), nb, sizeof nb));
    tbl_add(t, "relation", ename(PSVC_DOM_RELATION, psvc_customer_relation(cu)));
    tbl_add(t, "tariff", ename(PSVC_DOM_TARIFF, psvc_customer_tariff(cu)));
    tbl_add(t, "sources", flags_str(PSVC_DOM_SOURCE, psvc_customer_sources(cu), fl, sizeof fl));
    tbl_add(t, "usage", flags_str(PSVC_DOM_USAGE, psvc_customer_usage(cu), fl2, sizeof fl2));
    tbl_add(t, "importance", ename(PSVC_DOM_IMPORTANCE, psvc_customer_importance(cu)));
    tbl_add(t, "load_class", psvc_customer_load_class(cu) ? lc : "");
    tbl_add(t, "segment", ename(PSVC_DOM_SEGMENT, psvc_customer_segment(cu)));
    tbl_add(t, "area", ename(PSVC_DOM_AREA, psvc_customer_area(cu)));
    tbl_add(t, "voltage", num);
    tbl_add(t, "capacity", num2);
    tbl_add(t, "supply_end",
            psvc_customer_supply_end(cu) ? fmt_local(psvc_customer_supply_end(cu), tb, sizeof tb)
                                         : "");
    tbl_add(t, "season", months_str(psvc_customer_season(cu), mo, sizeof mo));
    tbl_add(t, "unit", psvc_customer_unit(cu));
    tbl_add(t, "feeder", psvc_customer_feeder(cu));
    tbl_add(t, "phone", show_phone(c, psvc_customer_phone(cu), pb, sizeof pb));
    tbl_add(t, "manager", psvc_customer_manager(cu));
    tbl_print(t, stdout);
    tbl_free(t);
    printf("\norders: %zu\n", psvc_list_count(orders));
    printf("active outage notices at %s: ", fmt_local(c->now, tb, sizeof tb));
    if (!psvc_list_count(active))
      printf("none\n");
    for (size_t i = 0; i < psvc_list_count(active); i++)
      printf("%s%s", psvc_list_id(active, i), i + 1 < psvc_list_count(active) ? ", " : "\n");
    printf("\nfindings at %s:\n", tb);
    print_findings(f, NULL);
  }
  psvc_list_free(orders);
  psvc_list_free(active);
  psvc_findings_free(f);
  psvc_customer_free(cu);
  return rc;
}

/* ---- customer check ------------------------------------------------------------------ */

int cmd_customer_check(cli *c) {
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  psvc_list *all = NULL;
  if (c->npos == 0 && (rc = psvc_customer_list(c->ctx, &all)) != PSVC_OK)
    return fail_lib(rc, c->ctx, "listing the customers");
  size_t n = c->npos ? (size_t)c->npos : psvc_list_count(all);
  long count[4] = {0};
  jw j;
  tbl *t = NULL;
  static const char *const cols[] = {"customer", "rule", "severity", "column", "message"};
  if (c->json) {
    jw_init(&j, stdout);
    jw_obj(&j);
    jw_ktime(&j, "now", c->now);
    jw_key(&j, "customers");
    jw_arr(&j);
  } else
    t = tbl_new(5, cols);
  int out = EX_OK;
  for (size_t i = 0; i < n; i++) {
    const char *id = c->npos ? c->pos[i] : psvc_list_id(all, i);
    psvc_customer *cu;
    psvc_findings *f;
    if ((rc = load_customer(c, id, &cu)) != EX_OK) {
      out = rc;
      continue;
    }
    if (psvc_customer_check(cu, c->now, &f) != PSVC_OK) {
      psvc_customer_free(cu);
      out = fail(EX_OTHER, "out of memory");
      break;
    }
    for (size_t k = 0; k < psvc_findings_count(f); k++) {
      int sev = psvc_findings_severity(f, k);
      count[sev >= 1 && sev <= 3 ? sev : 0]++;
      if (t)
        tbl_add(t, id, psvc_findings_code(f, k), ename(PSVC_DOM_SEVERITY, sev),
                customer_col_of_field(psvc_findings_field(f, k)), psvc_findings_message(f, k));
    }
    if (c->json) {
      jw_obj(&j);
      jw_kstr(&j, "id", id);
      jw_key(&j, "findings");
      jw_findings(&j, f);
      jw_end_obj(&j);
    }
    psvc_findings_free(f);
    psvc_customer_free(cu);
  }
  if (c->json) {
    jw_end_arr(&j);
    jw_kint(&j, "errors", count[PSVC_SEV_ERROR]);
    jw_kint(&j, "warnings", count[PSVC_SEV_WARNING]);
    jw_kint(&j, "info", count[PSVC_SEV_INFO]);
    jw_end_obj(&j);
    jw_end(&j);
  } else {
    if (tbl_rows(t))
      tbl_print(t, stdout);
    printf("%s%zu customers checked: %ld errors, %ld warnings, %ld info\n",
           tbl_rows(t) ? "\n" : "", n, count[PSVC_SEV_ERROR], count[PSVC_SEV_WARNING],
           count[PSVC_SEV_INFO]);
    tbl_free(t);
  }
  psvc_list_free(all);
  if (out == EX_OK && count[PSVC_SEV_ERROR])
    out = EX_INPUT;
  return out;
}

/* ---- customer list ------------------------------------------------------------------- */

int cmd_customer_list(cli *c) {
  if (c->npos)
    return fail(EX_USAGE, "customer list takes no arguments (psvc customer list --help)");
  int want_tariff = 0, want_area = 0, want_segment = 0;
  char why[600];
  const char *v;
  if ((v = opt_get(c, "tariff")) && parse_enum(PSVC_DOM_TARIFF, v, &want_tariff, why, sizeof why))
    return fail(EX_USAGE, "--tariff: %s", why);
  if ((v = opt_get(c, "area")) && parse_enum(PSVC_DOM_AREA, v, &want_area, why, sizeof why))
    return fail(EX_USAGE, "--area: %s", why);
  if ((v = opt_get(c, "segment")) &&
      parse_enum(PSVC_DOM_SEGMENT, v, &want_segment, why, sizeof why))
    return fail(EX_USAGE, "--segment: %s", why);
  const char *unit = opt_get(c, "unit"), *feeder = opt_get(c, "feeder");
  int rc = db_open(c, 1);
  if (rc)
    return rc;
  psvc_list *all;
  if ((rc = psvc_customer_list(c->ctx, &all)) != PSVC_OK)
    return fail_lib(rc, c->ctx, "listing the customers");
  jw j;
  tbl *t = NULL;
  static const char *const cols[] = {"id",   "name", "tariff", "area",  "segment",
                                     "unit", "feeder", "phone", "usage"};
  if (c->json) {
    jw_init(&j, stdout);
    jw_arr(&j);
  } else
    t = tbl_new(9, cols);
  int out = EX_OK;
  for (size_t i = 0; i < psvc_list_count(all); i++) {
    psvc_customer *cu;
    if ((rc = load_customer(c, psvc_list_id(all, i), &cu)) != EX_OK) {
      out = rc;
      break;
    }
    const char *cu_unit = psvc_customer_unit(cu), *cu_feeder = psvc_customer_feeder(cu);
    if ((want_tariff && psvc_customer_tariff(cu) != want_tariff) ||
        (want_area && psvc_customer_area(cu) != want_area) ||
        (want_segment && psvc_customer_segment(cu) != want_segment) ||
        (unit && (!cu_unit || strcmp(unit, cu_unit))) ||
        (feeder && (!cu_feeder || strcmp(feeder, cu_feeder)))) {
      psvc_customer_free(cu);
      continue;
    }
    if (c->json)
      jw_customer(&j, c, cu);
    else {
      char nb[300], pb[300], fl[64];
      tbl_add(t, psvc_customer_id(cu), show_name(c, psvc_customer_name(cu), nb, sizeof nb),
              ename(PSVC_DOM_TARIFF, psvc_customer_tariff(cu)),
              ename(PSVC_DOM_AREA, psvc_customer_area(cu)),
              ename(PSVC_DOM_SEGMENT, psvc_customer_segment(cu)), cu_unit, cu_feeder,
              show_phone(c, psvc_customer_phone(cu), pb, sizeof pb),
              flags_str(PSVC_DOM_USAGE, psvc_customer_usage(cu), fl, sizeof fl));
    }
    psvc_customer_free(cu);
  }
  if (c->json) {
    jw_end_arr(&j);
    jw_end(&j);
  } else {
    tbl_print(t, stdout);
    printf("%zu customers\n", tbl_rows(t));
    tbl_free(t);
  }
  psvc_list_free(all);
  return out;
}

int cmd_customer_import(cli *c) { return run_import(c, 1); }
