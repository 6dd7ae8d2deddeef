/*
 * test_customer.c — lib/customer.c through the public API: the customer
 * value object (setters, getters, clone), the consistency rules C-10 ... C-20
 * (one test that triggers each rule and one that does not, named after the
 * rule; expected codes and severities come from RULES.md §1), the customers
 * of a context (save, add, load, delete, list), and fault injection: every
 * store callback failure and every allocation failure leaves the observable
 * state exactly as it was.
 */
#include "fault.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW FAULT_NOW
#define DAY FAULT_DAY

/* ---- helpers ------------------------------------------------------------------ */

/* A customer with no findings at all: LV commercial, small, ordinary. The
   rule tests change one thing at a time from here. */
static psvc_customer *base_customer(const char *id) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, id), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_name(c, "Base customer"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_DIRECT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_COMMERCIAL), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_voltage(c, 380), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_capacity(c, 50), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_load_class(c, 3), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_segment(c, PSVC_SEGMENT_ORDINARY), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_area(c, PSVC_AREA_URBAN), PSVC_OK);
  return c;
}

/* A valid HV customer (10 kV) for the rules about HV and capacity. */
static psvc_customer *hv_customer(const char *id, int tariff, int32_t kva) {
  psvc_customer *c = base_customer(id);
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_HV), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_voltage(c, 10000), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, tariff), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_capacity(c, kva), PSVC_OK);
  return c;
}

/* An IMPORTANT customer of `grade` with `sources` (HV, 10 kV). */
static psvc_customer *important_customer(const char *id, int grade, unsigned sources) {
  psvc_customer *c = hv_customer(id, PSVC_TARIFF_GENERAL_INDUSTRY, 200);
  ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_IMPORTANT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_importance(c, grade), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_HV | sources), PSVC_OK);
  return c;
}

static psvc_findings *check(const psvc_customer *c, psvc_time now) {
  psvc_findings *f = NULL;
  ck_assert_int_eq(psvc_customer_check(c, now, &f), PSVC_OK);
  ck_assert_ptr_nonnull(f);
  return f;
}

/* Number of findings with `code`; the severity of the last one in *sev. */
static size_t count_code(const psvc_findings *f, const char *code, int *sev) {
  size_t n = 0;
  for (size_t i = 0; i < psvc_findings_count(f); i++) {
    ck_assert_ptr_nonnull(psvc_findings_code(f, i));
    if (strcmp(psvc_findings_code(f, i), code) == 0) {
      n++;
      if (sev)
        *sev = psvc_findings_severity(f, i);
      ck_assert_ptr_nonnull(psvc_findings_message(f, i));
      ck_assert_str_ne(psvc_findings_message(f, i), "");
      ck_assert_ptr_nonnull(psvc_findings_field(f, i));
    }
  }
  return n;
}

static const char *sev_name(int sev) {
  const char *n = psvc_enum_name(PSVC_DOM_SEVERITY, sev);
  return n ? n : "none";
}

/* Exactly one finding, `code` with `severity` (nothing else fires). */
static void expect_only(const psvc_customer *c, psvc_time now, const char *code, int severity) {
  psvc_findings *f = check(c, now);
  int sev = 0;
  ck_assert_msg(count_code(f, code, &sev) == 1, "rule %s did not fire exactly once", code);
  ck_assert_msg(sev == severity, "rule %s: severity %s, RULES.md says %s", code,
                sev_name(sev), sev_name(severity));
  ck_assert_msg(psvc_findings_count(f) == 1, "rule %s: %zu findings, first %s", code,
                psvc_findings_count(f), psvc_findings_code(f, 0));
  ck_assert_int_eq(psvc_findings_max_severity(f), severity);
  psvc_findings_free(f);
}

/* No finding of `code`, and no finding at all. */
static void expect_none(const psvc_customer *c, psvc_time now, const char *code) {
  psvc_findings *f = check(c, now);
  ck_assert_msg(count_code(f, code, NULL) == 0, "rule %s fired: %s", code,
                psvc_findings_count(f) ? psvc_findings_message(f, 0) : "");
  ck_assert_msg(psvc_findings_count(f) == 0, "unexpected finding %s: %s",
                psvc_findings_code(f, 0), psvc_findings_message(f, 0));
  ck_assert_int_eq(psvc_findings_max_severity(f), 0);
  psvc_findings_free(f);
}

static void assert_same_customer(const psvc_customer *a, const psvc_customer *b) {
  char *x = fault_dump_customer(a), *y = fault_dump_customer(b);
  ck_assert_str_eq(x, y);
  free(x);
  free(y);
}

static psvc_ctx *open_mem(fault_mem *m) {
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  return ctx;
}

static void save_full(psvc_ctx *ctx, const char *id, int variant) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(fault_customer_full(&c, id, variant), PSVC_OK);
  ck_assert_msg(psvc_customer_save(ctx, c) == PSVC_OK, "%s", psvc_errmsg(ctx));
  psvc_customer_free(c);
}

static char *dump(psvc_ctx *ctx) {
  char *d = fault_dump_ctx(ctx);
  ck_assert_ptr_nonnull(d);
  return d;
}

/* ---- the value object ----------------------------------------------------------- */

START_TEST(test_new_defaults) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "C-000001"), PSVC_OK);
  ck_assert_str_eq(psvc_customer_id(c), "C-000001");
  ck_assert_ptr_null(psvc_customer_name(c));
  ck_assert_ptr_null(psvc_customer_unit(c));
  ck_assert_ptr_null(psvc_customer_feeder(c));
  ck_assert_ptr_null(psvc_customer_phone(c));
  ck_assert_ptr_null(psvc_customer_manager(c));
  ck_assert_int_eq(psvc_customer_relation(c), 0);
  ck_assert_int_eq(psvc_customer_tariff(c), 0);
  ck_assert_uint_eq(psvc_customer_sources(c), 0);
  ck_assert_uint_eq(psvc_customer_usage(c), 0);
  ck_assert_int_eq(psvc_customer_importance(c), 0);
  ck_assert_int_eq(psvc_customer_load_class(c), 0);
  ck_assert_int_eq(psvc_customer_segment(c), 0);
  ck_assert_int_eq(psvc_customer_area(c), 0);
  ck_assert_int_eq(psvc_customer_voltage(c), 0);
  ck_assert_int_eq(psvc_customer_capacity(c), 0);
  ck_assert_int_eq(psvc_customer_supply_end(c), 0);
  ck_assert_uint_eq(psvc_customer_season(c), 0);
  psvc_customer_free(c);
  psvc_customer_free(NULL); /* accepted */
}
END_TEST

START_TEST(test_new_id_rules) {
  char id64[65], id65[66];
  memset(id64, 'a', 64);
  id64[64] = 0;
  memset(id65, 'b', 65);
  id65[65] = 0;
  static const char *const good[] = {"a", "Z", "0", "._-", "A.b_c-9", "C-17"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    psvc_customer *c = NULL;
    ck_assert_msg(psvc_customer_new(&c, good[i]) == PSVC_OK, "'%s'", good[i]);
    ck_assert_str_eq(psvc_customer_id(c), good[i]);
    psvc_customer_free(c);
  }
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, id64), PSVC_OK);
  ck_assert_str_eq(psvc_customer_id(c), id64);
  psvc_customer_free(c);

  const char *const bad[] = {NULL,   "",       id65,   "a b",     "a/b",  "a\nb", "a:b",
                             "a@b",  "\xc3\xa9", "\t",  "a\x7f", "a,b",  "a+b"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    psvc_customer *sentinel = (psvc_customer *)&c;
    psvc_customer *out = sentinel;
    ck_assert_msg(psvc_customer_new(&out, bad[i]) == PSVC_EINVAL, "bad id %zu accepted", i);
    ck_assert_ptr_eq(out, sentinel);
    ck_assert_str_ne(psvc_errmsg(NULL), "");
  }
  ck_assert_int_eq(psvc_customer_new(NULL, "abc"), PSVC_EINVAL);
}
END_TEST

/* The five optional text fields share their rules. */
typedef int (*text_setter)(psvc_customer *, const char *);
typedef const char *(*text_getter)(const psvc_customer *);
static const struct {
  const char *what;
  text_setter set;
  text_getter get;
} text_fields[] = {
    {"name", psvc_customer_set_name, psvc_customer_name},
    {"unit", psvc_customer_set_unit, psvc_customer_unit},
    {"feeder", psvc_customer_set_feeder, psvc_customer_feeder},
    {"phone", psvc_customer_set_phone, psvc_customer_phone},
    {"manager", psvc_customer_set_manager, psvc_customer_manager},
};
#define NTEXT (sizeof text_fields / sizeof text_fields[0])

START_TEST(test_text_setters_valid) {
  char s256[257];
  memset(s256, 'x', 256);
  s256[256] = 0;
  char cjk256[257]; /* 85 three-byte characters + 1 byte = 256 bytes */
  for (int i = 0; i < 85; i++)
    memcpy(cjk256 + 3 * i, "\xe4\xb8\xad", 3);
  cjk256[255] = 'z';
  cjk256[256] = 0;
  const char *const good[] = {"Li Lei", "\xe5\xbc\xa0\xe4\xb8\x89", "a", " ", "~",
                              "\xf0\x9f\x94\x8c plug", "\xc2\xa0nbsp", s256, cjk256};
  for (size_t f = 0; f < NTEXT; f++) {
    psvc_customer *c = base_customer("T1");
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
      ck_assert_msg(text_fields[f].set(c, good[i]) == PSVC_OK, "%s: value %zu: %s",
                    text_fields[f].what, i, psvc_errmsg(NULL));
      ck_assert_str_eq(text_fields[f].get(c), good[i]);
    }
    /* the value is copied */
    char buf[16] = "copied";
    ck_assert_int_eq(text_fields[f].set(c, buf), PSVC_OK);
    buf[0] = 'X';
    ck_assert_str_eq(text_fields[f].get(c), "copied");
    /* "" clears */
    ck_assert_int_eq(text_fields[f].set(c, ""), PSVC_OK);
    ck_assert_ptr_null(text_fields[f].get(c));
    psvc_customer_free(c);
  }
}
END_TEST

START_TEST(test_text_setters_invalid_leave_field_unchanged) {
  char s257[258];
  memset(s257, 'x', 257);
  s257[257] = 0;
  char cross[259]; /* 255 bytes + a 3-byte character = 258 */
  memset(cross, 'y', 255);
  memcpy(cross + 255, "\xe4\xb8\xad", 3);
  cross[258] = 0;
  const char *const bad[] = {
      NULL,
      s257,
      cross,
      "\xc3\x28",             /* bad continuation */
      "\xe4\xb8",             /* truncated */
      "abc\xe4",              /* truncated at the end */
      "\xc0\xaf",             /* overlong '/' */
      "\xe0\x80\xaf",         /* overlong, 3 bytes */
      "\xed\xa0\x80",         /* surrogate U+D800 */
      "\xf4\x90\x80\x80",     /* U+110000 */
      "\xff",
      "\x80",                 /* lone continuation */
      "tab\there",
      "line\nbreak",
      "\r",
      "\x1b[31m",
      "del\x7f",
      "\x01",
      "\xc2\x9b" "31m",       /* C1 control CSI */
      "\xc2\x85",             /* C1 NEL */
  };
  for (size_t f = 0; f < NTEXT; f++) {
    psvc_customer *c = base_customer("T1");
    ck_assert_int_eq(text_fields[f].set(c, "before"), PSVC_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      ck_assert_msg(text_fields[f].set(c, bad[i]) == PSVC_EINVAL, "%s: bad value %zu accepted",
                    text_fields[f].what, i);
      ck_assert_str_eq(text_fields[f].get(c), "before");
      ck_assert_str_ne(psvc_errmsg(NULL), "");
    }
    /* and an unset field stays unset */
    ck_assert_int_eq(text_fields[f].set(c, ""), PSVC_OK);
    ck_assert_int_eq(text_fields[f].set(c, s257), PSVC_EINVAL);
    ck_assert_ptr_null(text_fields[f].get(c));
    ck_assert_int_eq(text_fields[f].set(NULL, "x"), PSVC_EINVAL);
    psvc_customer_free(c);
  }
}
END_TEST

typedef int (*int_setter)(psvc_customer *, int);
typedef int (*int_getter)(const psvc_customer *);

static void check_int_field(const char *what, int_setter set, int_getter get, const int *good,
                            size_t ngood, const int *bad, size_t nbad) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "E1"), PSVC_OK);
  for (size_t i = 0; i < ngood; i++) {
    ck_assert_msg(set(c, good[i]) == PSVC_OK, "%s %d rejected", what, good[i]);
    ck_assert_int_eq(get(c), good[i]);
  }
  int last = good[ngood - 1];
  for (size_t i = 0; i < nbad; i++) {
    ck_assert_msg(set(c, bad[i]) == PSVC_EINVAL, "%s %d accepted", what, bad[i]);
    ck_assert_int_eq(get(c), last);
  }
  ck_assert_int_eq(set(NULL, good[0]), PSVC_EINVAL);
  ck_assert_int_eq(get(NULL), 0);
  psvc_customer_free(c);
}

START_TEST(test_enum_setters) {
  static const int rel_ok[] = {1, 2, 3}, rel_bad[] = {0, 4, -1, INT_MAX, INT_MIN};
  check_int_field("relation", psvc_customer_set_relation, psvc_customer_relation, rel_ok, 3,
                  rel_bad, 5);
  static const int tar_ok[] = {1, 2, 3, 4, 5, 6, 7, 8}, tar_bad[] = {0, 9, -1, 100};
  check_int_field("tariff", psvc_customer_set_tariff, psvc_customer_tariff, tar_ok, 8,
                  tar_bad, 4);
  static const int imp_ok[] = {1, 2, 3, 4, 0}, imp_bad[] = {-1, 5, 6};
  check_int_field("importance", psvc_customer_set_importance, psvc_customer_importance,
                  imp_ok, 5, imp_bad, 3);
  static const int seg_ok[] = {1, 2, 3}, seg_bad[] = {0, 4, -3};
  check_int_field("segment", psvc_customer_set_segment, psvc_customer_segment, seg_ok, 3,
                  seg_bad, 3);
  static const int area_ok[] = {1, 2, 3}, area_bad[] = {0, 4, -1};
  check_int_field("area", psvc_customer_set_area, psvc_customer_area, area_ok, 3, area_bad,
                  3);
  static const int lc_ok[] = {1, 2, 3}, lc_bad[] = {0, 4, -1, INT_MAX};
  check_int_field("load class", psvc_customer_set_load_class, psvc_customer_load_class, lc_ok,
                  3, lc_bad, 4);
}
END_TEST

START_TEST(test_flag_setters) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "F1"), PSVC_OK);
  for (unsigned v = 0; v <= 0x1F; v++) {
    ck_assert_int_eq(psvc_customer_set_sources(c, v), PSVC_OK);
    ck_assert_uint_eq(psvc_customer_sources(c), v);
  }
  for (unsigned v = 0; v <= 0x7; v++) {
    ck_assert_int_eq(psvc_customer_set_usage(c, v), PSVC_OK);
    ck_assert_uint_eq(psvc_customer_usage(c), v);
  }
  ck_assert_int_eq(psvc_customer_set_season(c, 0), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_season(c, 0xFFF), PSVC_OK);
  ck_assert_uint_eq(psvc_customer_season(c), 0xFFF);
  ck_assert_int_eq(psvc_customer_set_season(c, 0x801), PSVC_OK);
  /* unknown bits: rejected, field unchanged */
  ck_assert_int_eq(psvc_customer_set_sources(c, 0x20), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_set_sources(c, 0x80000001u), PSVC_EINVAL);
  ck_assert_uint_eq(psvc_customer_sources(c), 0x1F);
  ck_assert_int_eq(psvc_customer_set_usage(c, 0x8), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_set_usage(c, 0xFFFFFFFFu), PSVC_EINVAL);
  ck_assert_uint_eq(psvc_customer_usage(c), 0x7);
  ck_assert_int_eq(psvc_customer_set_season(c, 0x1000), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_set_season(c, 0x1FFF), PSVC_EINVAL);
  ck_assert_uint_eq(psvc_customer_season(c), 0x801);
  ck_assert_int_eq(psvc_customer_set_sources(NULL, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_set_usage(NULL, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_set_season(NULL, 1), PSVC_EINVAL);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_number_setters) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "N1"), PSVC_OK);
  static const int32_t ok[] = {0, 1, 999, 1000, 220000, INT32_MAX, 380};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    ck_assert_int_eq(psvc_customer_set_voltage(c, ok[i]), PSVC_OK);
    ck_assert_int_eq(psvc_customer_voltage(c), ok[i]);
    ck_assert_int_eq(psvc_customer_set_capacity(c, ok[i]), PSVC_OK);
    ck_assert_int_eq(psvc_customer_capacity(c), ok[i]);
  }
  ck_assert_int_eq(psvc_customer_set_voltage(c, -1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_set_voltage(c, INT32_MIN), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_voltage(c), 380);
  ck_assert_int_eq(psvc_customer_set_capacity(c, -315), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_capacity(c), 380);
  ck_assert_int_eq(psvc_customer_set_voltage(NULL, 1), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_set_capacity(NULL, 1), PSVC_EINVAL);

  /* supply end: 0 (none) .. 9999-12-31T23:59:59Z; outside is a range error */
  static const psvc_time t_ok[] = {0, 1, NOW, (psvc_time)253402300799, NOW + DAY};
  for (size_t i = 0; i < sizeof t_ok / sizeof t_ok[0]; i++) {
    ck_assert_int_eq(psvc_customer_set_supply_end(c, t_ok[i]), PSVC_OK);
    ck_assert_int_eq(psvc_customer_supply_end(c), t_ok[i]);
  }
  ck_assert_int_eq(psvc_customer_set_supply_end(c, -1), PSVC_ERANGE);
  ck_assert_int_eq(psvc_customer_set_supply_end(c, (psvc_time)253402300800), PSVC_ERANGE);
  ck_assert_int_eq(psvc_customer_set_supply_end(c, INT64_MIN), PSVC_ERANGE);
  ck_assert_int_eq(psvc_customer_supply_end(c), NOW + DAY);
  ck_assert_int_eq(psvc_customer_set_supply_end(NULL, NOW), PSVC_EINVAL);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_getters_with_null) {
  ck_assert_ptr_null(psvc_customer_id(NULL));
  ck_assert_ptr_null(psvc_customer_name(NULL));
  ck_assert_ptr_null(psvc_customer_unit(NULL));
  ck_assert_ptr_null(psvc_customer_feeder(NULL));
  ck_assert_ptr_null(psvc_customer_phone(NULL));
  ck_assert_ptr_null(psvc_customer_manager(NULL));
  ck_assert_int_eq(psvc_customer_relation(NULL), 0);
  ck_assert_int_eq(psvc_customer_tariff(NULL), 0);
  ck_assert_uint_eq(psvc_customer_sources(NULL), 0);
  ck_assert_uint_eq(psvc_customer_usage(NULL), 0);
  ck_assert_int_eq(psvc_customer_importance(NULL), 0);
  ck_assert_int_eq(psvc_customer_load_class(NULL), 0);
  ck_assert_int_eq(psvc_customer_segment(NULL), 0);
  ck_assert_int_eq(psvc_customer_area(NULL), 0);
  ck_assert_int_eq(psvc_customer_voltage(NULL), 0);
  ck_assert_int_eq(psvc_customer_capacity(NULL), 0);
  ck_assert_int_eq(psvc_customer_supply_end(NULL), 0);
  ck_assert_uint_eq(psvc_customer_season(NULL), 0);
}
END_TEST

START_TEST(test_clone_is_deep_and_independent) {
  for (int v = 0; v < 4; v++) {
    psvc_customer *c = NULL, *d = NULL;
    ck_assert_int_eq(fault_customer_full(&c, "K1", v), PSVC_OK);
    ck_assert_int_eq(psvc_customer_clone(c, &d), PSVC_OK);
    ck_assert_ptr_ne(c, d);
    assert_same_customer(c, d);
    char *orig = fault_dump_customer(c);
    ck_assert_int_eq(psvc_customer_set_name(d, "changed"), PSVC_OK);
    ck_assert_int_eq(psvc_customer_set_area(d, PSVC_AREA_RURAL), PSVC_OK);
    char *after = fault_dump_customer(c);
    ck_assert_str_eq(orig, after);
    free(after);
    psvc_customer_free(c);
    /* the clone owns its own strings */
    ck_assert_str_eq(psvc_customer_id(d), "K1");
    ck_assert_str_eq(psvc_customer_name(d), "changed");
    free(orig);
    psvc_customer_free(d);
  }
  psvc_customer *c = base_customer("K2"), *out = (psvc_customer *)&c;
  ck_assert_int_eq(psvc_customer_clone(NULL, &out), PSVC_EINVAL);
  ck_assert_ptr_eq(out, (psvc_customer *)&c);
  ck_assert_int_eq(psvc_customer_clone(c, NULL), PSVC_EINVAL);
  psvc_customer_free(c);
}
END_TEST

/* ---- findings ----------------------------------------------------------------------- */

START_TEST(test_base_customer_has_no_findings) {
  psvc_customer *c = base_customer("B1");
  expect_none(c, NOW, "C-10");
  psvc_customer_free(c);
  /* and a bare new customer has at least the C-11 error (no HV/LV) */
  ck_assert_int_eq(psvc_customer_new(&c, "B2"), PSVC_OK);
  psvc_findings *f = check(c, NOW);
  int sev = 0;
  ck_assert_uint_eq(count_code(f, "C-11", &sev), 1);
  ck_assert_int_eq(sev, PSVC_SEV_ERROR);
  psvc_findings_free(f);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_findings_accessors_and_null_args) {
  psvc_customer *c = base_customer("F1");
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_WHOLESALE), PSVC_OK);
  psvc_findings *f = check(c, NOW);
  ck_assert_uint_eq(psvc_findings_count(f), 1);
  ck_assert_str_eq(psvc_findings_code(f, 0), "C-10");
  ck_assert_int_eq(psvc_findings_severity(f, 0), PSVC_SEV_ERROR);
  ck_assert_str_eq(psvc_findings_field(f, 0), "tariff");
  ck_assert_ptr_nonnull(strstr(psvc_findings_message(f, 0), "WHOLESALE"));
  /* past the end and NULL */
  ck_assert_ptr_null(psvc_findings_code(f, 1));
  ck_assert_int_eq(psvc_findings_severity(f, 1), 0);
  ck_assert_ptr_null(psvc_findings_message(f, 1));
  ck_assert_ptr_null(psvc_findings_field(f, (size_t)-1));
  ck_assert_uint_eq(psvc_findings_count(NULL), 0);
  ck_assert_ptr_null(psvc_findings_code(NULL, 0));
  ck_assert_int_eq(psvc_findings_severity(NULL, 0), 0);
  ck_assert_ptr_null(psvc_findings_message(NULL, 0));
  ck_assert_ptr_null(psvc_findings_field(NULL, 0));
  ck_assert_int_eq(psvc_findings_max_severity(NULL), 0);
  psvc_findings_free(f);
  psvc_findings_free(NULL);

  psvc_findings *out = (psvc_findings *)&c;
  ck_assert_int_eq(psvc_customer_check(NULL, NOW, &out), PSVC_EINVAL);
  ck_assert_ptr_eq(out, (psvc_findings *)&c);
  ck_assert_int_eq(psvc_customer_check(c, NOW, NULL), PSVC_EINVAL);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_findings_max_severity_several) {
  /* C-16 (warning) and C-10 (error): the highest is ERROR */
  psvc_customer *c = hv_customer("S1", PSVC_TARIFF_RESIDENTIAL, 10);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_WHOLESALE), PSVC_OK);
  psvc_findings *f = check(c, NOW);
  ck_assert_uint_eq(psvc_findings_count(f), 2);
  ck_assert_uint_eq(count_code(f, "C-10", NULL), 1);
  ck_assert_uint_eq(count_code(f, "C-16", NULL), 1);
  ck_assert_int_eq(psvc_findings_max_severity(f), PSVC_SEV_ERROR);
  psvc_findings_free(f);
  psvc_customer_free(c);
}
END_TEST

/* C-10: WHOLESALE relationship <=> WHOLESALE tariff, error. */
START_TEST(test_C10_wholesale_relation_without_wholesale_tariff) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_WHOLESALE), PSVC_OK);
  expect_only(c, NOW, "C-10", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C10_wholesale_tariff_without_wholesale_relation) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_WHOLESALE), PSVC_OK);
  expect_only(c, NOW, "C-10", PSVC_SEV_ERROR);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_TRANSFERRED), PSVC_OK);
  expect_only(c, NOW, "C-10", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C10_wholesale_both_no_finding) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_WHOLESALE), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_WHOLESALE), PSVC_OK);
  expect_none(c, NOW, "C-10");
  psvc_customer_free(c);
}
END_TEST

/* C-11: exactly one of HV / LV; HV >= 1 kV, LV below; error. */
START_TEST(test_C11_neither_hv_nor_lv) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_DUAL_SOURCE), PSVC_OK);
  expect_only(c, NOW, "C-11", PSVC_SEV_ERROR);
  ck_assert_int_eq(psvc_customer_set_sources(c, 0), PSVC_OK);
  expect_only(c, NOW, "C-11", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C11_both_hv_and_lv) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_HV | PSVC_SOURCE_LV), PSVC_OK);
  expect_only(c, NOW, "C-11", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C11_hv_below_1kv) {
  psvc_customer *c = hv_customer("X", PSVC_TARIFF_COMMERCIAL, 50);
  ck_assert_int_eq(psvc_customer_set_voltage(c, 999), PSVC_OK);
  expect_only(c, NOW, "C-11", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C11_lv_at_1kv) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_voltage(c, 1000), PSVC_OK);
  expect_only(c, NOW, "C-11", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C11_hv_at_1kv_no_finding) {
  psvc_customer *c = hv_customer("X", PSVC_TARIFF_COMMERCIAL, 50);
  ck_assert_int_eq(psvc_customer_set_voltage(c, 1000), PSVC_OK);
  expect_none(c, NOW, "C-11");
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C11_lv_below_1kv_no_finding) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_voltage(c, 999), PSVC_OK);
  expect_none(c, NOW, "C-11");
  psvc_customer_free(c);
}
END_TEST

/* C-12: TEMPORARY needs a supply end (error); expired or over the 6-month
   limit is a warning. */
static psvc_customer *temporary_customer(psvc_time end) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_TEMPORARY), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_supply_end(c, end), PSVC_OK);
  return c;
}

START_TEST(test_C12_temporary_without_supply_end) {
  psvc_customer *c = temporary_customer(0);
  expect_only(c, NOW, "C-12", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C12_temporary_expired) {
  psvc_customer *c = temporary_customer(NOW - 1);
  expect_only(c, NOW, "C-12", PSVC_SEV_WARNING);
  psvc_customer_free(c);
  c = temporary_customer(NOW - 30 * DAY);
  expect_only(c, NOW, "C-12", PSVC_SEV_WARNING);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C12_temporary_over_six_months) {
  psvc_customer *c = temporary_customer(NOW + 200 * DAY);
  expect_only(c, NOW, "C-12", PSVC_SEV_WARNING);
  psvc_customer_free(c);
  c = temporary_customer(NOW + 365 * DAY);
  expect_only(c, NOW, "C-12", PSVC_SEV_WARNING);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C12_temporary_within_limit_no_finding) {
  static const psvc_time ends[] = {NOW, NOW + 1, NOW + 90 * DAY, NOW + 150 * DAY};
  for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
    psvc_customer *c = temporary_customer(ends[i]);
    expect_none(c, NOW, "C-12");
    psvc_customer_free(c);
  }
  /* a customer that is not TEMPORARY is not checked, even with an old date */
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_supply_end(c, NOW - 400 * DAY), PSVC_OK);
  expect_none(c, NOW, "C-12");
  psvc_customer_free(c);
}
END_TEST

/* C-13: SEASONAL customers carry their months, error. */
START_TEST(test_C13_seasonal_without_months) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_SEASONAL), PSVC_OK);
  expect_only(c, NOW, "C-13", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C13_seasonal_with_months_no_finding) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_SEASONAL), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_season(c, 0x1C0), PSVC_OK); /* Jul-Sep */
  expect_none(c, NOW, "C-13");
  ck_assert_int_eq(psvc_customer_set_season(c, 0x800), PSVC_OK); /* December only */
  expect_none(c, NOW, "C-13");
  psvc_customer_free(c);
}
END_TEST

/* C-14: LARGE_INDUSTRY from 315 kVA; warning below. */
START_TEST(test_C14_large_industry_below_315kva) {
  psvc_customer *c = hv_customer("X", PSVC_TARIFF_LARGE_INDUSTRY, 314);
  expect_only(c, NOW, "C-14", PSVC_SEV_WARNING);
  psvc_customer_free(c);
  c = hv_customer("X", PSVC_TARIFF_LARGE_INDUSTRY, 100);
  expect_only(c, NOW, "C-14", PSVC_SEV_WARNING);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C14_large_industry_at_315kva_no_finding) {
  psvc_customer *c = hv_customer("X", PSVC_TARIFF_LARGE_INDUSTRY, 315);
  expect_none(c, NOW, "C-14");
  psvc_customer_free(c);
  /* another tariff below 315 kVA is not a C-14 matter */
  c = hv_customer("X", PSVC_TARIFF_GENERAL_INDUSTRY, 100);
  expect_none(c, NOW, "C-14");
  psvc_customer_free(c);
}
END_TEST

/* C-15: importance grade <-> IMPORTANT flag is an error; missing sources
   for SPECIAL / FIRST / SECOND grade are a warning. SELF_GENERATION is set
   throughout so that C-19 stays quiet. */
START_TEST(test_C15_important_without_grade) {
  psvc_customer *c =
      important_customer("X", PSVC_IMPORTANCE_NONE,
                         PSVC_SOURCE_DUAL_SOURCE | PSVC_SOURCE_SELF_GENERATION);
  expect_only(c, NOW, "C-15", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C15_grade_without_important_flag) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_importance(c, PSVC_IMPORTANCE_SECOND), PSVC_OK);
  expect_only(c, NOW, "C-15", PSVC_SEV_ERROR);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C15_first_grade_without_dual_source) {
  psvc_customer *c =
      important_customer("X", PSVC_IMPORTANCE_FIRST, PSVC_SOURCE_SELF_GENERATION);
  expect_only(c, NOW, "C-15", PSVC_SEV_WARNING);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C15_special_grade_without_dual_source) {
  psvc_customer *c = important_customer("X", PSVC_IMPORTANCE_SPECIAL,
                                        PSVC_SOURCE_SELF_GENERATION | PSVC_SOURCE_DEDICATED_LINE);
  expect_only(c, NOW, "C-15", PSVC_SEV_WARNING);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C15_second_grade_without_double_circuit) {
  psvc_customer *c =
      important_customer("X", PSVC_IMPORTANCE_SECOND, PSVC_SOURCE_SELF_GENERATION);
  expect_only(c, NOW, "C-15", PSVC_SEV_WARNING);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C15_first_grade_with_dual_source_no_finding) {
  static const int grades[] = {PSVC_IMPORTANCE_FIRST, PSVC_IMPORTANCE_SECOND};
  for (size_t i = 0; i < 2; i++) {
    psvc_customer *c = important_customer(
        "X", grades[i], PSVC_SOURCE_DUAL_SOURCE | PSVC_SOURCE_SELF_GENERATION);
    expect_none(c, NOW, "C-15");
    psvc_customer_free(c);
  }
}
END_TEST

START_TEST(test_C15_temporary_grade_single_source_no_finding) {
  /* the temporary importance grade has no source requirement */
  psvc_customer *c =
      important_customer("X", PSVC_IMPORTANCE_TEMPORARY, PSVC_SOURCE_SELF_GENERATION);
  expect_none(c, NOW, "C-15");
  psvc_customer_free(c);
}
END_TEST

/* C-16: RESIDENTIAL on HV is unusual, warning. */
START_TEST(test_C16_residential_on_hv) {
  psvc_customer *c = hv_customer("X", PSVC_TARIFF_RESIDENTIAL, 50);
  expect_only(c, NOW, "C-16", PSVC_SEV_WARNING);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C16_residential_on_lv_no_finding) {
  psvc_customer *c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_RESIDENTIAL), PSVC_OK);
  expect_none(c, NOW, "C-16");
  psvc_customer_free(c);
}
END_TEST

/* C-17: the id is unique within a context (psvc_customer_add: EEXIST). */
START_TEST(test_C17_add_duplicate_id_eexist) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  psvc_customer *first = NULL, *second = NULL;
  ck_assert_int_eq(fault_customer_full(&first, "DUP-1", 0), PSVC_OK);
  ck_assert_int_eq(fault_customer_full(&second, "DUP-1", 2), PSVC_OK);
  ck_assert_int_eq(psvc_customer_add(ctx, first), PSVC_OK);
  char *before = dump(ctx);
  ck_assert_int_eq(psvc_customer_add(ctx, second), PSVC_EEXIST);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "C-17"));
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "DUP-1"));
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  psvc_customer *back = NULL;
  ck_assert_int_eq(psvc_customer_load(ctx, "DUP-1", &back), PSVC_OK);
  assert_same_customer(back, first);
  free(before);
  free(after);
  psvc_customer_free(back);
  psvc_customer_free(first);
  psvc_customer_free(second);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_C17_add_new_id_no_finding) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  psvc_customer *a = base_customer("UNI-1"), *b = base_customer("UNI-2");
  ck_assert_int_eq(psvc_customer_add(ctx, a), PSVC_OK);
  ck_assert_int_eq(psvc_customer_add(ctx, b), PSVC_OK);
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), 2);
  ck_assert_str_eq(psvc_list_id(l, 0), "UNI-1");
  ck_assert_str_eq(psvc_list_id(l, 1), "UNI-2");
  psvc_list_free(l);
  /* save, unlike add, replaces an existing id */
  ck_assert_int_eq(psvc_customer_set_name(a, "replaced"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_save(ctx, a), PSVC_OK);
  psvc_customer *back = NULL;
  ck_assert_int_eq(psvc_customer_load(ctx, "UNI-1", &back), PSVC_OK);
  ck_assert_str_eq(psvc_customer_name(back), "replaced");
  psvc_customer_free(back);
  psvc_customer_free(a);
  psvc_customer_free(b);
  psvc_ctx_close(ctx);
}
END_TEST

/* C-18: GENERAL_COMMERCIAL_INDUSTRIAL >= 315 kVA is reported, info. */
START_TEST(test_C18_gci_at_315kva) {
  psvc_customer *c = hv_customer("X", PSVC_TARIFF_GENERAL_COMMERCIAL_INDUSTRIAL, 315);
  expect_only(c, NOW, "C-18", PSVC_SEV_INFO);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C18_gci_below_315kva_no_finding) {
  psvc_customer *c = hv_customer("X", PSVC_TARIFF_GENERAL_COMMERCIAL_INDUSTRIAL, 314);
  expect_none(c, NOW, "C-18");
  psvc_customer_free(c);
}
END_TEST

/* C-19: IMPORTANT customers should have SELF_GENERATION, warning. */
START_TEST(test_C19_important_without_self_generation) {
  static const int grades[] = {PSVC_IMPORTANCE_SPECIAL, PSVC_IMPORTANCE_FIRST,
                               PSVC_IMPORTANCE_SECOND, PSVC_IMPORTANCE_TEMPORARY};
  for (size_t i = 0; i < 4; i++) {
    psvc_customer *c = important_customer("X", grades[i], PSVC_SOURCE_DUAL_SOURCE);
    expect_only(c, NOW, "C-19", PSVC_SEV_WARNING);
    psvc_customer_free(c);
  }
}
END_TEST

START_TEST(test_C19_important_with_self_generation_no_finding) {
  psvc_customer *c = important_customer(
      "X", PSVC_IMPORTANCE_FIRST, PSVC_SOURCE_DUAL_SOURCE | PSVC_SOURCE_SELF_GENERATION);
  expect_none(c, NOW, "C-19");
  psvc_customer_free(c);
}
END_TEST

/* C-20: a TEMPORARY customer may not be TRANSFERRED, warning. */
START_TEST(test_C20_temporary_transferred) {
  psvc_customer *c = temporary_customer(NOW + 30 * DAY);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_TRANSFERRED), PSVC_OK);
  expect_only(c, NOW, "C-20", PSVC_SEV_WARNING);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_C20_temporary_direct_no_finding) {
  psvc_customer *c = temporary_customer(NOW + 30 * DAY);
  expect_none(c, NOW, "C-20");
  psvc_customer_free(c);
  /* TRANSFERRED alone (not temporary) is fine too */
  c = base_customer("X");
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_TRANSFERRED), PSVC_OK);
  expect_none(c, NOW, "C-20");
  psvc_customer_free(c);
}
END_TEST

/* ---- saving refuses ERROR findings ------------------------------------------------------- */

START_TEST(test_save_refuses_error_findings_naming_the_rule) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  for (int rule = 0; rule < 6; rule++) {
    psvc_customer *c = base_customer("ERR-1");
    const char *code = NULL;
    switch (rule) {
    case 0:
      code = "C-10";
      ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_WHOLESALE), PSVC_OK);
      break;
    case 1:
      code = "C-11";
      ck_assert_int_eq(psvc_customer_set_sources(c, 0), PSVC_OK);
      break;
    case 2:
      code = "C-12";
      ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_TEMPORARY), PSVC_OK);
      break;
    case 3:
      code = "C-13";
      ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_SEASONAL), PSVC_OK);
      break;
    case 4:
      code = "C-15";
      ck_assert_int_eq(psvc_customer_set_importance(c, PSVC_IMPORTANCE_FIRST), PSVC_OK);
      break;
    default:
      code = "C-15";
      ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_IMPORTANT), PSVC_OK);
      ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV | PSVC_SOURCE_SELF_GENERATION),
                       PSVC_OK);
      break;
    }
    ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_EINVAL);
    ck_assert_msg(strstr(psvc_errmsg(ctx), code) != NULL, "message '%s' does not name %s",
                  psvc_errmsg(ctx), code);
    ck_assert_int_eq(psvc_customer_add(ctx, c), PSVC_EINVAL);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), code));
    psvc_customer *back = NULL;
    ck_assert_int_eq(psvc_customer_load(ctx, "ERR-1", &back), PSVC_ENOTFOUND);
    psvc_customer_free(c);
  }
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_save_accepts_warnings_and_info) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  psvc_customer *c = hv_customer("W1", PSVC_TARIFF_LARGE_INDUSTRY, 100); /* C-14 */
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  psvc_customer_free(c);
  c = temporary_customer(NOW - DAY); /* C-12 expired: still savable */
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  psvc_customer_free(c);
  c = hv_customer("I1", PSVC_TARIFF_GENERAL_COMMERCIAL_INDUSTRIAL, 400); /* C-18 */
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  psvc_customer_free(c);
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), 3);
  psvc_list_free(l);
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- save / load / delete / list ------------------------------------------------------------ */

START_TEST(test_save_load_round_trip_every_field) {
  fault_mem *m = fault_mem_new();
  psvc_ctx *ctx = open_mem(m);
  psvc_customer *want[4];
  for (int v = 0; v < 4; v++) {
    char id[16];
    snprintf(id, sizeof id, "RT-%d", v);
    ck_assert_int_eq(fault_customer_full(&want[v], id, v), PSVC_OK);
    ck_assert_int_eq(psvc_customer_save(ctx, want[v]), PSVC_OK);
  }
  /* every field of variant 0 is set: the round trip covers them all */
  ck_assert_ptr_nonnull(psvc_customer_manager(want[0]));
  ck_assert_int_ne(psvc_customer_supply_end(want[0]), 0);
  ck_assert_uint_ne(psvc_customer_season(want[0]), 0);
  ck_assert_int_ne(psvc_customer_importance(want[0]), 0);
  for (int v = 0; v < 4; v++) {
    psvc_customer *got = NULL;
    ck_assert_int_eq(psvc_customer_load(ctx, psvc_customer_id(want[v]), &got), PSVC_OK);
    assert_same_customer(want[v], got);
    psvc_customer_free(got);
  }
  char *before = dump(ctx);
  psvc_ctx_close(ctx);
  ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_CUSTOMER), 4);

  /* and through the store: a new context reads the same */
  ctx = open_mem(m);
  for (int v = 0; v < 4; v++) {
    psvc_customer *got = NULL;
    ck_assert_int_eq(psvc_customer_load(ctx, psvc_customer_id(want[v]), &got), PSVC_OK);
    assert_same_customer(want[v], got);
    psvc_customer_free(got);
    psvc_customer_free(want[v]);
  }
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(m->violations, 0);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_save_replace_and_copies) {
  fault_mem *m = fault_mem_new();
  psvc_ctx *ctx = open_mem(m);
  psvc_customer *c = NULL;
  ck_assert_int_eq(fault_customer_full(&c, "REP-1", 0), PSVC_OK);
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  /* the context keeps its own copy: changing ours changes nothing */
  ck_assert_int_eq(psvc_customer_set_name(c, "not saved"), PSVC_OK);
  psvc_customer *back = NULL;
  ck_assert_int_eq(psvc_customer_load(ctx, "REP-1", &back), PSVC_OK);
  ck_assert_str_ne(psvc_customer_name(back), "not saved");
  /* and a loaded customer is the caller's copy */
  ck_assert_int_eq(psvc_customer_set_phone(back, "000"), PSVC_OK);
  psvc_customer *again = NULL;
  ck_assert_int_eq(psvc_customer_load(ctx, "REP-1", &again), PSVC_OK);
  ck_assert_str_ne(psvc_customer_phone(again), "000");
  psvc_customer_free(again);
  psvc_customer_free(back);
  psvc_customer_free(c);

  /* replace with another variant: every field follows */
  ck_assert_int_eq(fault_customer_full(&c, "REP-1", 2), PSVC_OK);
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  ck_assert_int_eq(psvc_customer_load(ctx, "REP-1", &back), PSVC_OK);
  assert_same_customer(c, back);
  psvc_customer_free(back);
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), 1);
  psvc_list_free(l);
  ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_CUSTOMER), 1);
  psvc_ctx_close(ctx);
  ctx = open_mem(m);
  ck_assert_int_eq(psvc_customer_load(ctx, "REP-1", &back), PSVC_OK);
  assert_same_customer(c, back);
  psvc_customer_free(back);
  psvc_customer_free(c);
  psvc_ctx_close(ctx);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_delete_and_notfound) {
  fault_mem *m = fault_mem_new();
  psvc_ctx *ctx = open_mem(m);
  save_full(ctx, "DEL-1", 0);
  save_full(ctx, "DEL-2", 1);
  ck_assert_int_eq(psvc_customer_delete(ctx, "DEL-1"), PSVC_OK);
  psvc_customer *c = (psvc_customer *)&m;
  ck_assert_int_eq(psvc_customer_load(ctx, "DEL-1", &c), PSVC_ENOTFOUND);
  ck_assert_ptr_eq(c, (psvc_customer *)&m);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "DEL-1"));
  ck_assert_int_eq(psvc_customer_delete(ctx, "DEL-1"), PSVC_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "DEL-1"));
  ck_assert_int_eq(psvc_customer_delete(ctx, "never-there"), PSVC_ENOTFOUND);
  ck_assert_ptr_null(fault_mem_raw_get(m, PSVC_REC_CUSTOMER, "DEL-1"));
  ck_assert_ptr_nonnull(fault_mem_raw_get(m, PSVC_REC_CUSTOMER, "DEL-2"));
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), 1);
  ck_assert_str_eq(psvc_list_id(l, 0), "DEL-2");
  psvc_list_free(l);
  /* a deleted id can be saved again */
  save_full(ctx, "DEL-1", 3);
  ck_assert_int_eq(psvc_customer_load(ctx, "DEL-1", &c), PSVC_OK);
  ck_assert_int_eq(psvc_customer_tariff(c), PSVC_TARIFF_GENERAL_COMMERCIAL_INDUSTRIAL);
  psvc_customer_free(c);
  psvc_ctx_close(ctx);
  /* the deletion reached the store */
  ctx = open_mem(m);
  ck_assert_int_eq(psvc_customer_delete(ctx, "DEL-2"), PSVC_OK);
  psvc_ctx_close(ctx);
  ctx = open_mem(m);
  ck_assert_int_eq(psvc_customer_load(ctx, "DEL-2", &c), PSVC_ENOTFOUND);
  ck_assert_int_eq(psvc_customer_load(ctx, "DEL-1", &c), PSVC_OK);
  psvc_customer_free(c);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(m->violations, 0);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_list_sorted_bytewise) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_ptr_nonnull(l);
  ck_assert_uint_eq(psvc_list_count(l), 0);
  ck_assert_ptr_null(psvc_list_id(l, 0));
  psvc_list_free(l);

  static const char *const ids[] = {"b", "a", "C", "_x", "10", "9", "-", "a.b", "a-b", "B"};
  static const char *const sorted[] = {"-", "10", "9", "B", "C", "_x", "a", "a-b", "a.b", "b"};
  for (size_t i = 0; i < 10; i++) {
    psvc_customer *c = base_customer(ids[i]);
    ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
    psvc_customer_free(c);
  }
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), 10);
  for (size_t i = 0; i < 10; i++)
    ck_assert_str_eq(psvc_list_id(l, i), sorted[i]);
  ck_assert_ptr_null(psvc_list_id(l, 10));
  ck_assert_ptr_null(psvc_list_id(NULL, 0));
  ck_assert_uint_eq(psvc_list_count(NULL), 0);
  psvc_list_free(l);
  psvc_list_free(NULL);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_many_customers_grow_and_shrink) {
  fault_mem *m = fault_mem_new();
  psvc_ctx *ctx = open_mem(m);
  enum { N = 300 };
  for (int i = 0; i < N; i++) {
    char id[16];
    snprintf(id, sizeof id, "M%04d", (i * 7919) % N); /* a permutation of 0..N-1 */
    save_full(ctx, id, i);
  }
  for (int i = 0; i < N; i += 2) {
    char id[16];
    snprintf(id, sizeof id, "M%04d", i);
    ck_assert_int_eq(psvc_customer_delete(ctx, id), PSVC_OK);
  }
  char *before = dump(ctx);
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), N / 2);
  for (size_t i = 0; i < N / 2; i++) {
    char id[16];
    snprintf(id, sizeof id, "M%04zu", 2 * i + 1);
    ck_assert_str_eq(psvc_list_id(l, i), id);
  }
  psvc_list_free(l);
  psvc_ctx_close(ctx);
  ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_CUSTOMER), N / 2);
  ctx = open_mem(m);
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
  psvc_ctx_close(ctx);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_null_and_bad_arguments) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  psvc_customer *c = base_customer("ARG-1");
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  psvc_customer *out = (psvc_customer *)&ctx;
  psvc_list *l = (psvc_list *)&ctx;

  ck_assert_int_eq(psvc_customer_save(NULL, c), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_save(ctx, NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_add(NULL, c), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_add(ctx, NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_load(NULL, "ARG-1", &out), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_load(ctx, NULL, &out), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_load(ctx, "", &out), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_load(ctx, "bad id", &out), PSVC_EINVAL);
  ck_assert_ptr_eq(out, (psvc_customer *)&ctx);
  ck_assert_int_eq(psvc_customer_load(ctx, "ARG-1", NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_delete(NULL, "ARG-1"), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_delete(ctx, NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_delete(ctx, "bad/id"), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_list(NULL, &l), PSVC_EINVAL);
  ck_assert_int_eq(psvc_customer_list(ctx, NULL), PSVC_EINVAL);
  ck_assert_ptr_eq(l, (psvc_list *)&ctx);
  /* none of that changed anything */
  psvc_customer *back = NULL;
  ck_assert_int_eq(psvc_customer_load(ctx, "ARG-1", &back), PSVC_OK);
  assert_same_customer(c, back);
  psvc_customer_free(back);
  psvc_customer_free(c);
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- fault injection: store failures ---------------------------------------------------------- */

/* Scenario: save A (new), save A (replace), delete B, save C, on a context
   that already holds B and D. Returns the number of failed steps (0 or 1);
   at a failed step it checks the three facts: PSVC_EIO, rollback called,
   nothing changed (in the context, in the store, and after reopening). */
static int store_scenario(long k, long *calls) {
  fault_mem *m = fault_mem_new();
  psvc_store s;
  fault_wrap w;
  fault_mem_store(m, &s);
  fault_wrap_init(&w, &s);
  fault_wrap_store(&w, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  save_full(ctx, "B", 1);
  save_full(ctx, "D", 2);

  psvc_customer *a = NULL, *a2 = NULL, *cc = NULL;
  ck_assert_int_eq(fault_customer_full(&a, "A", 0), PSVC_OK);
  ck_assert_int_eq(fault_customer_full(&a2, "A", 3), PSVC_OK);
  ck_assert_int_eq(fault_customer_full(&cc, "C", 2), PSVC_OK);

  fault_wrap_arm(&w, k);
  int failed = 0;
  for (int step = 0; step < 4 && !failed; step++) {
    char *before = dump(ctx);
    fault_mem *mem_before = fault_mem_snapshot(m);
    int rc;
    switch (step) {
    case 0: rc = psvc_customer_save(ctx, a); break;
    case 1: rc = psvc_customer_save(ctx, a2); break;
    case 2: rc = psvc_customer_delete(ctx, "B"); break;
    default: rc = psvc_customer_save(ctx, cc); break;
    }
    if (w.failed) {
      failed = 1;
      ck_assert_msg(rc == PSVC_EIO, "k=%ld step %d: rc %d, want PSVC_EIO", k, step, rc);
      ck_assert_msg(w.rollback_after_failure, "k=%ld step %d: rollback not called", k, step);
      ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "nothing was changed"));
      ck_assert(!m->in_txn);
      char *after = dump(ctx);
      ck_assert_msg(strcmp(before, after) == 0, "k=%ld step %d: state changed:\n%s\nvs\n%s", k,
                    step, before, after);
      free(after);
      ck_assert_msg(fault_mem_equal(m, mem_before), "k=%ld step %d: store changed", k, step);
      /* a new context on the same records sees the same committed state */
      psvc_ctx *again = open_mem(m);
      after = dump(again);
      ck_assert_msg(strcmp(before, after) == 0, "k=%ld step %d: reopened state differs", k,
                    step);
      free(after);
      psvc_ctx_close(again);
    } else {
      ck_assert_msg(rc == PSVC_OK, "k=%ld step %d: rc %d (%s)", k, step, rc,
                    psvc_errmsg(ctx));
    }
    free(before);
    fault_mem_free(mem_before);
  }
  if (!failed) { /* the whole scenario ran: check where it ended */
    psvc_list *l = NULL;
    ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
    ck_assert_uint_eq(psvc_list_count(l), 3);
    ck_assert_str_eq(psvc_list_id(l, 0), "A");
    ck_assert_str_eq(psvc_list_id(l, 1), "C");
    ck_assert_str_eq(psvc_list_id(l, 2), "D");
    psvc_list_free(l);
    psvc_customer *back = NULL;
    ck_assert_int_eq(psvc_customer_load(ctx, "A", &back), PSVC_OK);
    assert_same_customer(back, a2);
    psvc_customer_free(back);
  }
  *calls = w.calls;
  ck_assert_int_eq(m->violations, 0);
  psvc_customer_free(a);
  psvc_customer_free(a2);
  psvc_customer_free(cc);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(w.close_calls, 1);
  fault_mem_free(m);
  return failed;
}

START_TEST(test_fault_store_every_k) {
  long n = 0;
  ck_assert_int_eq(store_scenario(0, &n), 0);
  ck_assert_int_eq(n, 12); /* 4 steps x (begin, put or del, commit) */
  for (long k = 1; k <= n; k++) {
    long calls = 0;
    ck_assert_msg(store_scenario(k, &calls) == 1, "k=%ld: no step failed", k);
  }
  long calls = 0;
  ck_assert_int_eq(store_scenario(n + 1, &calls), 0);
  ck_assert_int_eq(calls, n);
}
END_TEST

START_TEST(test_fault_store_any_nonzero_code) {
  /* a store may fail with any non-zero value, positive ones included */
  static const int rcs[] = {1, -1, 42, PSVC_ENOTFOUND, INT_MIN};
  for (size_t i = 0; i < sizeof rcs / sizeof rcs[0]; i++) {
    fault_mem *m = fault_mem_new();
    psvc_store s;
    fault_wrap w;
    fault_mem_store(m, &s);
    fault_wrap_init(&w, &s);
    fault_wrap_store(&w, &s);
    psvc_ctx *ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
    w.fail_rc = rcs[i];
    fault_wrap_arm(&w, 2); /* the put */
    psvc_customer *c = base_customer("ANY");
    ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_EIO);
    ck_assert(w.rollback_after_failure);
    psvc_customer *back = NULL;
    ck_assert_int_eq(psvc_customer_load(ctx, "ANY", &back), PSVC_ENOTFOUND);
    psvc_customer_free(c);
    psvc_ctx_close(ctx);
    ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_CUSTOMER), 0);
    fault_mem_free(m);
  }
}
END_TEST

/* ---- fault injection: allocation failures ------------------------------------------------------ */

/* The allocation scenario, on a context over a mem store that holds twelve
   customers (so that one more grows the context's table): new, set the
   strings, check, save (insert), load, clone, save (replace), list, delete,
   close, and open again on the populated store. With k > 0 the k-th
   allocation fails; the step that sees it must return PSVC_ENOMEM and leave
   everything as it was. Returns the number of failed steps; *count gets the
   number of allocations the steps made. */
enum { PRELOAD = 12 };

static void alloc_check_ctx(fault_alloc *fa, psvc_ctx *ctx, const char *before, long k,
                            int step) {
  bool paused = fa->paused;
  fa->paused = true;
  char *after = fault_dump_ctx(ctx);
  fa->paused = paused;
  ck_assert_ptr_nonnull(after);
  ck_assert_msg(strcmp(before, after) == 0, "k=%ld step %d: context changed", k, step);
  free(after);
}

static int alloc_scenario(fault_alloc *fa, long k, long *count) {
  fa->paused = true;
  fault_mem *m = fault_mem_new();
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  for (int i = 0; i < PRELOAD; i++) {
    char id[16];
    snprintf(id, sizeof id, "P%02d", i);
    save_full(ctx, id, i);
  }
  char *before = dump(ctx);
  fault_mem *mem_before = fault_mem_snapshot(m);
  fa->paused = false;
  fault_alloc_arm(fa, k);

  psvc_customer *c = NULL, *loaded = NULL, *cl = NULL;
  psvc_findings *f = NULL;
  psvc_list *l = NULL;
  psvc_ctx *ctx2 = NULL;
  int failed = 0, step = 0, rc = PSVC_OK;
  long count_before = 0;

#define ENOMEM_OR_OK(call)                                                     \
  do {                                                                         \
    step++;                                                                    \
    count_before = fa->failures;                                               \
    rc = (call);                                                               \
    if (fa->failures != count_before) {                                        \
      ck_assert_msg(rc == PSVC_ENOMEM, "k=%ld step %d (%s): rc %d, want ENOMEM", k, step, \
                    #call, rc);                                                \
      failed = 1;                                                              \
    } else {                                                                   \
      ck_assert_msg(rc == PSVC_OK, "k=%ld step %d (%s): rc %d", k, step, #call, rc); \
    }                                                                          \
  } while (0)

  /* 1. new */
  ENOMEM_OR_OK(psvc_customer_new(&c, "NEW-1"));
  if (failed) {
    ck_assert_ptr_null(c);
    goto done;
  }
  /* 2. strings: a failed setter leaves the old value */
  static const struct {
    int (*set)(psvc_customer *, const char *);
    const char *(*get)(const psvc_customer *);
    const char *value;
  } strs[] = {
      {psvc_customer_set_name, psvc_customer_name, "Heavy Works"},
      {psvc_customer_set_unit, psvc_customer_unit, "Unit-9"},
      {psvc_customer_set_feeder, psvc_customer_feeder, "FDR-1"},
      {psvc_customer_set_phone, psvc_customer_phone, "110"},
      {psvc_customer_set_manager, psvc_customer_manager, "mgr-1"},
      {psvc_customer_set_name, psvc_customer_name, "Heavy Works Ltd"},
  };
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
    const char *old = strs[i].get(c);
    char *keep = old ? strdup(old) : NULL;
    ENOMEM_OR_OK(strs[i].set(c, strs[i].value));
    if (failed) {
      if (keep)
        ck_assert_str_eq(strs[i].get(c), keep);
      else
        ck_assert_ptr_null(strs[i].get(c));
      free(keep);
      goto done;
    }
    free(keep);
  }
  /* warnings C-14 and C-19, so that checking and saving allocate findings */
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_DIRECT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_LARGE_INDUSTRY), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_capacity(c, 100), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_HV | PSVC_SOURCE_DUAL_SOURCE),
                   PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_voltage(c, 10000), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_usage(c, PSVC_USAGE_IMPORTANT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_importance(c, PSVC_IMPORTANCE_FIRST), PSVC_OK);

  /* 3. check */
  ENOMEM_OR_OK(psvc_customer_check(c, NOW, &f));
  if (failed) {
    ck_assert_ptr_null(f);
    goto done;
  }
  ck_assert_uint_eq(psvc_findings_count(f), 2);

  /* 4. save (insert; grows the table) */
  ENOMEM_OR_OK(psvc_customer_save(ctx, c));
  if (failed) {
    alloc_check_ctx(fa, ctx, before, k, step);
    goto done;
  }
  fa->paused = true;
  free(before);
  before = dump(ctx);
  fault_mem_free(mem_before);
  mem_before = fault_mem_snapshot(m);
  fa->paused = false;

  /* 5. load */
  ENOMEM_OR_OK(psvc_customer_load(ctx, "NEW-1", &loaded));
  if (failed) {
    ck_assert_ptr_null(loaded);
    goto done;
  }
  /* 6. clone */
  ENOMEM_OR_OK(psvc_customer_clone(loaded, &cl));
  if (failed) {
    ck_assert_ptr_null(cl);
    goto done;
  }
  ck_assert_int_eq(psvc_customer_set_area(cl, PSVC_AREA_REMOTE), PSVC_OK);
  /* 7. save (replace) */
  ENOMEM_OR_OK(psvc_customer_save(ctx, cl));
  if (failed) {
    alloc_check_ctx(fa, ctx, before, k, step);
    goto done;
  }
  fa->paused = true;
  free(before);
  before = dump(ctx);
  fault_mem_free(mem_before);
  mem_before = fault_mem_snapshot(m);
  fa->paused = false;

  /* 8. list */
  ENOMEM_OR_OK(psvc_customer_list(ctx, &l));
  if (failed) {
    ck_assert_ptr_null(l);
    goto done;
  }
  ck_assert_uint_eq(psvc_list_count(l), PRELOAD + 1);
  /* 9. delete */
  ENOMEM_OR_OK(psvc_customer_delete(ctx, "P03"));
  if (failed) {
    alloc_check_ctx(fa, ctx, before, k, step);
    goto done;
  }
  fa->paused = true;
  free(before);
  before = dump(ctx);
  fault_mem_free(mem_before);
  mem_before = fault_mem_snapshot(m);
  fa->paused = false;

  /* 10. open again on the populated store */
  psvc_ctx_close(ctx);
  ctx = NULL;
  m->close_calls = 0;
  ENOMEM_OR_OK(psvc_ctx_open(&ctx2, &s));
  if (failed) {
    ck_assert_ptr_null(ctx2);
    ck_assert_int_eq(m->close_calls, 1);
    goto done;
  }
  alloc_check_ctx(fa, ctx2, before, k, step);

done:
#undef ENOMEM_OR_OK
  *count = fa->count;
  fa->paused = true;
  /* the store never changes on a failed step */
  ck_assert_msg(fault_mem_equal(m, mem_before), "k=%ld: store changed", k);
  ck_assert_int_eq(m->violations, 0);
  psvc_list_free(l);
  psvc_findings_free(f);
  psvc_customer_free(c);
  psvc_customer_free(loaded);
  psvc_customer_free(cl);
  psvc_ctx_close(ctx);
  psvc_ctx_close(ctx2);
  free(before);
  fault_mem_free(mem_before);
  fault_mem_free(m);
  ck_assert_msg(fa->live_blocks == 0, "k=%ld: %ld blocks (%zu bytes) leaked", k,
                fa->live_blocks, fa->live_bytes);
  fa->paused = false;
  return failed;
}

START_TEST(test_fault_alloc_every_k) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  long n = 0;
  ck_assert_int_eq(alloc_scenario(&fa, 0, &n), 0);
  ck_assert_int_gt(n, 30);
  for (long k = 1; k <= n; k++) {
    long count = 0;
    ck_assert_msg(alloc_scenario(&fa, k, &count) == 1, "k=%ld: no step saw the failure", k);
    ck_assert_int_eq(fa.failures, k);
  }
  long count = 0;
  ck_assert_int_eq(alloc_scenario(&fa, n + 1, &count), 0);
  ck_assert_int_eq(count, n);
  FAULT_ALLOC_END(&fa);
}
END_TEST

static Suite *customer_suite(void) {
  Suite *s = suite_create("customer");
  TCase *tc = tcase_create("object");
  tcase_add_test(tc, test_new_defaults);
  tcase_add_test(tc, test_new_id_rules);
  tcase_add_test(tc, test_text_setters_valid);
  tcase_add_test(tc, test_text_setters_invalid_leave_field_unchanged);
  tcase_add_test(tc, test_enum_setters);
  tcase_add_test(tc, test_flag_setters);
  tcase_add_test(tc, test_number_setters);
  tcase_add_test(tc, test_getters_with_null);
  tcase_add_test(tc, test_clone_is_deep_and_independent);
  suite_add_tcase(s, tc);

  tc = tcase_create("rules");
  tcase_add_test(tc, test_base_customer_has_no_findings);
  tcase_add_test(tc, test_findings_accessors_and_null_args);
  tcase_add_test(tc, test_findings_max_severity_several);
  tcase_add_test(tc, test_C10_wholesale_relation_without_wholesale_tariff);
  tcase_add_test(tc, test_C10_wholesale_tariff_without_wholesale_relation);
  tcase_add_test(tc, test_C10_wholesale_both_no_finding);
  tcase_add_test(tc, test_C11_neither_hv_nor_lv);
  tcase_add_test(tc, test_C11_both_hv_and_lv);
  tcase_add_test(tc, test_C11_hv_below_1kv);
  tcase_add_test(tc, test_C11_lv_at_1kv);
  tcase_add_test(tc, test_C11_hv_at_1kv_no_finding);
  tcase_add_test(tc, test_C11_lv_below_1kv_no_finding);
  tcase_add_test(tc, test_C12_temporary_without_supply_end);
  tcase_add_test(tc, test_C12_temporary_expired);
  tcase_add_test(tc, test_C12_temporary_over_six_months);
  tcase_add_test(tc, test_C12_temporary_within_limit_no_finding);
  tcase_add_test(tc, test_C13_seasonal_without_months);
  tcase_add_test(tc, test_C13_seasonal_with_months_no_finding);
  tcase_add_test(tc, test_C14_large_industry_below_315kva);
  tcase_add_test(tc, test_C14_large_industry_at_315kva_no_finding);
  tcase_add_test(tc, test_C15_important_without_grade);
  tcase_add_test(tc, test_C15_grade_without_important_flag);
  tcase_add_test(tc, test_C15_first_grade_without_dual_source);
  tcase_add_test(tc, test_C15_special_grade_without_dual_source);
  tcase_add_test(tc, test_C15_second_grade_without_double_circuit);
  tcase_add_test(tc, test_C15_first_grade_with_dual_source_no_finding);
  tcase_add_test(tc, test_C15_temporary_grade_single_source_no_finding);
  tcase_add_test(tc, test_C16_residential_on_hv);
  tcase_add_test(tc, test_C16_residential_on_lv_no_finding);
  tcase_add_test(tc, test_C17_add_duplicate_id_eexist);
  tcase_add_test(tc, test_C17_add_new_id_no_finding);
  tcase_add_test(tc, test_C18_gci_at_315kva);
  tcase_add_test(tc, test_C18_gci_below_315kva_no_finding);
  tcase_add_test(tc, test_C19_important_without_self_generation);
  tcase_add_test(tc, test_C19_important_with_self_generation_no_finding);
  tcase_add_test(tc, test_C20_temporary_transferred);
  tcase_add_test(tc, test_C20_temporary_direct_no_finding);
  tcase_add_test(tc, test_save_refuses_error_findings_naming_the_rule);
  tcase_add_test(tc, test_save_accepts_warnings_and_info);
  suite_add_tcase(s, tc);

  tc = tcase_create("context");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_save_load_round_trip_every_field);
  tcase_add_test(tc, test_save_replace_and_copies);
  tcase_add_test(tc, test_delete_and_notfound);
  tcase_add_test(tc, test_list_sorted_bytewise);
  tcase_add_test(tc, test_many_customers_grow_and_shrink);
  tcase_add_test(tc, test_null_and_bad_arguments);
  suite_add_tcase(s, tc);

  tc = tcase_create("faults");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_fault_store_every_k);
  tcase_add_test(tc, test_fault_store_any_nonzero_code);
  tcase_add_test(tc, test_fault_alloc_every_k);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(customer_suite()); }
