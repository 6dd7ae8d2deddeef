/*
 * customer_demo.c — the README's demo: load the sample customers, check
 * them against rules C-10 ... C-20, save the valid ones into a context,
 * read them back and print what an account manager would see.
 *
 * usage: customer_demo CUSTOMERS.csv [NOW]   (NOW: YYYY-MM-DD, UTC)
 *
 * The CSV columns are documented in the file's own header comment. Personal
 * data (names, phone numbers) is masked in the output (rule W-12).
 */
#include <powersvc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COLS = 18 };

/* Splits line in place at commas; returns the number of fields. */
static int split(char *line, char **f, int max) {
  int n = 0;
  line[strcspn(line, "\r\n")] = 0;
  for (char *p = line; n < max;) {
    f[n++] = p;
    char *comma = strchr(p, ',');
    if (!comma)
      break;
    *comma = 0;
    p = comma + 1;
  }
  return n;
}

static psvc_time day_to_time(const char *s) {
  int y, m, d;
  if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
    return -1;
  /* days from civil (proleptic Gregorian), UTC midnight */
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (psvc_time)(era * 146097 + doe - 719468) * 86400;
}

/* "HV|DUAL_SOURCE" -> flags; -1 on an unknown name. */
static long parse_flags(int domain, char *s) {
  long flags = 0;
  for (char *tok = strtok(s, "|"); tok; tok = strtok(NULL, "|")) {
    int v;
    if (psvc_enum_value(domain, tok, &v) != PSVC_OK)
      return -1;
    flags |= v;
  }
  return flags;
}

static long parse_months(char *s) {
  long mask = 0;
  for (char *tok = strtok(s, "|"); tok; tok = strtok(NULL, "|")) {
    int m = atoi(tok);
    if (m < 1 || m > 12)
      return -1;
    mask |= 1L << (m - 1);
  }
  return mask;
}

static int set_enum(psvc_customer *c, int domain, const char *name,
                    int (*set)(psvc_customer *, int)) {
  int v;
  if (!*name)
    return PSVC_OK;
  int rc = psvc_enum_value(domain, name, &v);
  return rc ? rc : set(c, v);
}

/* Builds a customer from one CSV row; NULL with a message on bad input. */
static psvc_customer *row_to_customer(char **f, char *why, size_t whylen) {
  psvc_customer *c;
  if (psvc_customer_new(&c, f[0]) != PSVC_OK) {
    snprintf(why, whylen, "%s", psvc_errmsg(NULL));
    return NULL;
  }
  long sources = parse_flags(PSVC_DOM_SOURCE, f[4]);
  long usage = parse_flags(PSVC_DOM_USAGE, f[5]);
  long season = parse_months(f[13]);
  int rc = psvc_customer_set_name(c, f[1]);
  if (!rc) rc = set_enum(c, PSVC_DOM_RELATION, f[2], psvc_customer_set_relation);
  if (!rc) rc = set_enum(c, PSVC_DOM_TARIFF, f[3], psvc_customer_set_tariff);
  if (!rc) rc = sources < 0 ? PSVC_EINVAL : psvc_customer_set_sources(c, (unsigned)sources);
  if (!rc) rc = usage < 0 ? PSVC_EINVAL : psvc_customer_set_usage(c, (unsigned)usage);
  if (!rc) rc = set_enum(c, PSVC_DOM_IMPORTANCE, f[6], psvc_customer_set_importance);
  if (!rc && *f[7]) rc = psvc_customer_set_load_class(c, atoi(f[7]));
  if (!rc) rc = set_enum(c, PSVC_DOM_SEGMENT, f[8], psvc_customer_set_segment);
  if (!rc) rc = set_enum(c, PSVC_DOM_AREA, f[9], psvc_customer_set_area);
  if (!rc) rc = psvc_customer_set_voltage(c, atoi(f[10]));
  if (!rc) rc = psvc_customer_set_capacity(c, atoi(f[11]));
  if (!rc && *f[12]) rc = psvc_customer_set_supply_end(c, day_to_time(f[12]) + 86399);
  if (!rc) rc = season < 0 ? PSVC_EINVAL : psvc_customer_set_season(c, (unsigned)season);
  if (!rc) rc = psvc_customer_set_unit(c, f[14]);
  if (!rc) rc = psvc_customer_set_feeder(c, f[15]);
  if (!rc) rc = psvc_customer_set_phone(c, f[16]);
  if (!rc) rc = psvc_customer_set_manager(c, f[17]);
  if (rc) {
    snprintf(why, whylen, "%s", *psvc_errmsg(NULL) ? psvc_errmsg(NULL) : "bad flag list");
    psvc_customer_free(c);
    return NULL;
  }
  return c;
}

/* W-12: "Wang Fang" -> "W********" (first byte kept, the rest starred) */
static void mask(const char *s, char *out, size_t n) {
  size_t len = s ? strlen(s) : 0, i = 0;
  if (len)
    out[i++] = s[0];
  for (size_t k = 1; k < len && i + 1 < n; k++)
    out[i++] = '*';
  out[i] = 0;
}

static void print_findings(const psvc_findings *f) {
  for (size_t i = 0; i < psvc_findings_count(f); i++)
    printf("    %-5s %-7s %s\n", psvc_findings_code(f, i),
           psvc_enum_name(PSVC_DOM_SEVERITY, psvc_findings_severity(f, i)),
           psvc_findings_message(f, i));
}

static int check_and_save(psvc_ctx *ctx, psvc_customer *c, psvc_time now) {
  psvc_findings *f;
  char name[14];
  if (psvc_customer_check(c, now, &f) != PSVC_OK)
    return -1;
  mask(psvc_customer_name(c), name, sizeof name);
  int rc = psvc_customer_save(ctx, c);
  printf("%-11s %-13s %-30s %-6s %s\n", psvc_customer_id(c), name,
         psvc_enum_name(PSVC_DOM_TARIFF, psvc_customer_tariff(c)),
         psvc_enum_name(PSVC_DOM_AREA, psvc_customer_area(c)),
         rc == PSVC_OK ? "saved" : "REFUSED");
  print_findings(f);
  psvc_findings_free(f);
  return rc == PSVC_OK;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CUSTOMERS.csv [NOW as YYYY-MM-DD [JOURNAL]]\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "r");
  if (!in) {
    perror(argv[1]);
    return 1;
  }
  psvc_time now = argc > 2 ? day_to_time(argv[2]) : day_to_time("2026-11-01");
  /* the built-in crash-safe file store: every save is durable on return */
  const char *journal = argc > 3 ? argv[3] : "powersvc.journal";
  psvc_store store;
  psvc_ctx *ctx;
  if (psvc_store_journal(&store, journal) != PSVC_OK ||
      psvc_ctx_open(&ctx, &store) != PSVC_OK) {
    fprintf(stderr, "%s: %s\n", journal, psvc_errmsg(NULL));
    fclose(in);
    return 1;
  }
  printf("journal %s: %s\n", journal, psvc_journal_report(&store));
  printf("libpowersvc %s: checking %s\n\n", psvc_version(), argv[1]);
  printf("%-11s %-13s %-30s %-6s %s\n", "customer", "name", "tariff", "area", "result");
  char line[2048], why[600];
  int lineno = 0, saved = 0, refused = 0, bad = 0;
  while (fgets(line, sizeof line, in)) {
    char *f[COLS];
    lineno++;
    if (line[0] == '#' || line[0] == '\n')
      continue;
    if (split(line, f, COLS) != COLS) {
      fprintf(stderr, "%s:%d: expected %d columns\n", argv[1], lineno, COLS);
      bad++;
      continue;
    }
    psvc_customer *c = row_to_customer(f, why, sizeof why);
    if (!c) {
      fprintf(stderr, "%s:%d: %s\n", argv[1], lineno, why);
      bad++;
      continue;
    }
    if (check_and_save(ctx, c, now))
      saved++;
    else
      refused++;
    psvc_customer_free(c);
  }
  fclose(in);

  psvc_list *ids;
  if (psvc_customer_list(ctx, &ids) == PSVC_OK) {
    printf("\n%d saved, %d refused (ERROR findings), %d unreadable rows; "
           "the context now holds %zu customers\n",
           saved, refused, bad, psvc_list_count(ids));
    psvc_customer *back;
    if (psvc_list_count(ids) &&
        psvc_customer_load(ctx, psvc_list_id(ids, 0), &back) == PSVC_OK) {
      printf("loaded back %s: feeder %s, unit %s, manager %s\n", psvc_customer_id(back),
             psvc_customer_feeder(back), psvc_customer_unit(back),
             psvc_customer_manager(back));
      psvc_customer_free(back);
    }
    psvc_list_free(ids);
  }
  psvc_ctx_close(ctx);

  /* reopen: what was acknowledged is on disk */
  if (psvc_store_journal(&store, journal) == PSVC_OK && psvc_ctx_open(&ctx, &store) == PSVC_OK) {
    if (psvc_customer_list(ctx, &ids) == PSVC_OK) {
      printf("reopened %s: %zu customers read back\n", journal, psvc_list_count(ids));
      psvc_list_free(ids);
    }
    psvc_ctx_close(ctx);
  }

  /* S-3(1): a fault on the customer's side of a public LV service drop */
  psvc_boundary_query q = PSVC_BOUNDARY_QUERY_INIT;
  q.supply = PSVC_SUPPLY_LV_PUBLIC;
  q.location = PSVC_LOC_CUSTOMER_SIDE;
  psvc_boundary_result r = PSVC_BOUNDARY_RESULT_INIT;
  if (psvc_service_classify(&q, &r) == PSVC_OK)
    printf("a repair behind the service drop is %s (%s): %s\n", r.paid ? "paid" : "free",
           r.rule, r.reason);
  return bad ? 1 : 0;
}
