/*
 * test_enums.c — lib/enums.c: every constant of powersvc.h against the
 * names and values of API.md, written out here by hand (not derived from
 * lib/enums.c), through psvc_enum_name, psvc_enum_value and psvc_enum_entry.
 */
#include "fault.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

typedef struct expect {
  int domain;         /* domain id as numbered in API.md */
  int dom_const;      /* the PSVC_DOM_* constant */
  const char *prefix; /* constant prefix, API.md table */
  int value;          /* numeric value as listed in API.md */
  int constant;       /* the header's constant */
  const char *name;   /* value name */
} expect;

#define E(dnum, dom, prefix, value, name)                                    \
  {dnum, PSVC_DOM_##dom, "PSVC_" #prefix "_", value, PSVC_##prefix##_##name, #name}

static const expect table[] = {
    E(1, RELATION, RELATION, 1, DIRECT),
    E(1, RELATION, RELATION, 2, WHOLESALE),
    E(1, RELATION, RELATION, 3, TRANSFERRED),

    E(2, TARIFF, TARIFF, 1, RESIDENTIAL),
    E(2, TARIFF, TARIFF, 2, NONRES_LIGHTING),
    E(2, TARIFF, TARIFF, 3, COMMERCIAL),
    E(2, TARIFF, TARIFF, 4, GENERAL_INDUSTRY),
    E(2, TARIFF, TARIFF, 5, LARGE_INDUSTRY),
    E(2, TARIFF, TARIFF, 6, AGRICULTURE),
    E(2, TARIFF, TARIFF, 7, WHOLESALE),
    E(2, TARIFF, TARIFF, 8, GENERAL_COMMERCIAL_INDUSTRIAL),

    E(3, SOURCE, SOURCE, 0x1, HV),
    E(3, SOURCE, SOURCE, 0x2, LV),
    E(3, SOURCE, SOURCE, 0x4, DUAL_SOURCE),
    E(3, SOURCE, SOURCE, 0x8, SELF_GENERATION),
    E(3, SOURCE, SOURCE, 0x10, DEDICATED_LINE),

    E(4, USAGE, USAGE, 0x1, TEMPORARY),
    E(4, USAGE, USAGE, 0x2, SEASONAL),
    E(4, USAGE, USAGE, 0x4, IMPORTANT),

    E(5, SEGMENT, SEGMENT, 1, ORDINARY),
    E(5, SEGMENT, SEGMENT, 2, KEY_ACCOUNT),
    E(5, SEGMENT, SEGMENT, 3, VIP),

    E(6, AREA, AREA, 1, URBAN),
    E(6, AREA, AREA, 2, RURAL),
    E(6, AREA, AREA, 3, REMOTE),

    E(7, ORDER_TYPE, ORDER, 1, SERVICE_REQUEST),
    E(7, ORDER_TYPE, ORDER, 2, INQUIRY),
    E(7, ORDER_TYPE, ORDER, 3, FAULT_REPAIR),
    E(7, ORDER_TYPE, ORDER, 4, COMPLAINT),
    E(7, ORDER_TYPE, ORDER, 5, REPORT),
    E(7, ORDER_TYPE, ORDER, 6, OPINION),
    E(7, ORDER_TYPE, ORDER, 7, SUGGESTION),
    E(7, ORDER_TYPE, ORDER, 8, PRAISE),
    E(7, ORDER_TYPE, ORDER, 9, DISPATCH),

    E(8, CHANNEL, CHANNEL, 1, PHONE),
    E(8, CHANNEL, CHANNEL, 2, WEB),
    E(8, CHANNEL, CHANNEL, 3, SMS),
    E(8, CHANNEL, CHANNEL, 4, FAX),
    E(8, CHANNEL, CHANNEL, 5, EMAIL),
    E(8, CHANNEL, CHANNEL, 6, VOIP),
    E(8, CHANNEL, CHANNEL, 7, APP),
    E(8, CHANNEL, CHANNEL, 8, COUNTER),

    E(9, STATE, STATE, 1, ACCEPTED),
    E(9, STATE, STATE, 2, DISPATCHED),
    E(9, STATE, STATE, 3, RECEIVED),
    E(9, STATE, STATE, 4, ON_SITE),
    E(9, STATE, STATE, 5, RESOLVED),
    E(9, STATE, STATE, 6, REPLIED),
    E(9, STATE, STATE, 7, VISITED),
    E(9, STATE, STATE, 8, CLOSED),
    E(9, STATE, STATE, 9, SUSPENDED),
    E(9, STATE, STATE, 10, CANCELLED),
    E(9, STATE, STATE, 11, MERGED),

    E(10, ACTION, ACT, 1, DISPATCH),
    E(10, ACTION, ACT, 2, RECEIVE),
    E(10, ACTION, ACT, 3, RETURN),
    E(10, ACTION, ACT, 4, TRANSFER),
    E(10, ACTION, ACT, 5, ARRIVE),
    E(10, ACTION, ACT, 6, RESOLVE),
    E(10, ACTION, ACT, 7, REPLY),
    E(10, ACTION, ACT, 8, VISIT),
    E(10, ACTION, ACT, 9, CLOSE),
    E(10, ACTION, ACT, 10, SUSPEND),
    E(10, ACTION, ACT, 11, RESUME),
    E(10, ACTION, ACT, 12, CANCEL),
    E(10, ACTION, ACT, 13, MERGE),
    E(10, ACTION, ACT, 14, URGE),
    E(10, ACTION, ACT, 15, ESCALATE),
    E(10, ACTION, ACT, 16, NOTE),

    E(11, ROLE, ROLE, 1, AGENT),
    E(11, ROLE, ROLE, 2, SHIFT_LEAD),
    E(11, ROLE, ROLE, 3, SUPERVISOR),
    E(11, ROLE, ROLE, 4, DISPATCHER),
    E(11, ROLE, ROLE, 5, REPAIR_CREW),
    E(11, ROLE, ROLE, 6, CUSTOMER_REP),
    E(11, ROLE, ROLE, 7, CONNECTION),
    E(11, ROLE, ROLE, 8, METER_READING_BILLING),
    E(11, ROLE, ROLE, 9, METERING),
    E(11, ROLE, ROLE, 10, INSPECTION),
    E(11, ROLE, ROLE, 11, DEMAND_SIDE),
    E(11, ROLE, ROLE, 12, CONSULTING),
    E(11, ROLE, ROLE, 13, SYSTEM),

    E(12, SATISFACTION, SAT, 1, SATISFIED),
    E(12, SATISFACTION, SAT, 2, FAIRLY_SATISFIED),
    E(12, SATISFACTION, SAT, 3, UNSATISFIED),

    E(13, METRIC, METRIC, 1, ANSWER),
    E(13, METRIC, METRIC, 2, DISPATCH),
    E(13, METRIC, METRIC, 3, ARRIVAL),
    E(13, METRIC, METRIC, 4, REPLY),
    E(13, METRIC, METRIC, 5, RESOLVE),
    E(13, METRIC, METRIC, 6, VISIT),
    E(13, METRIC, METRIC, 7, NOTICE_LEAD),
    E(13, METRIC, METRIC, 8, CONTACT),

    E(14, SLA_STATUS, SLA, 0, NOT_APPLICABLE),
    E(14, SLA_STATUS, SLA, 1, PENDING),
    E(14, SLA_STATUS, SLA, 2, RUNNING),
    E(14, SLA_STATUS, SLA, 3, PAUSED),
    E(14, SLA_STATUS, SLA, 4, AT_RISK),
    E(14, SLA_STATUS, SLA, 5, MET),
    E(14, SLA_STATUS, SLA, 6, BREACHED),

    E(15, CLOCK, CLOCK, 1, WALL),
    E(15, CLOCK, CLOCK, 2, CALENDAR_DAYS),
    E(15, CLOCK, CLOCK, 3, WORK_DAYS),
    E(15, CLOCK, CLOCK, 4, BUSINESS_HOURS),

    E(16, NOTICE_KIND, NOTICE, 1, PLANNED_MAINTENANCE),
    E(16, NOTICE_KIND, NOTICE, 2, ORDERED_USE),
    E(16, NOTICE_KIND, NOTICE, 3, TEMPORARY_MAINTENANCE),
    E(16, NOTICE_KIND, NOTICE, 4, FAULT),
    E(16, NOTICE_KIND, NOTICE, 5, ARREARS),
    E(16, NOTICE_KIND, NOTICE, 6, EMERGENCY),

    E(17, SUPPLY_POINT, SUPPLY, 1, LV_PUBLIC),
    E(17, SUPPLY_POINT, SUPPLY, 2, HV_PUBLIC_10KV),
    E(17, SUPPLY_POINT, SUPPLY, 3, HV_PUBLIC_35KV),
    E(17, SUPPLY_POINT, SUPPLY, 4, CABLE),
    E(17, SUPPLY_POINT, SUPPLY, 5, CUSTOMER_LINE),

    E(18, LOCATION, LOC, 1, PUBLIC_NETWORK),
    E(18, LOCATION, LOC, 2, BOUNDARY_DEVICE),
    E(18, LOCATION, LOC, 3, METER),
    E(18, LOCATION, LOC, 4, CUSTOMER_SIDE),

    E(19, OWNER, OWNER, 1, UTILITY),
    E(19, OWNER, OWNER, 2, CUSTOMER),

    E(20, SEVERITY, SEV, 1, INFO),
    E(20, SEVERITY, SEV, 2, WARNING),
    E(20, SEVERITY, SEV, 3, ERROR),

    E(21, IMPORTANCE, IMPORTANCE, 0, NONE),
    E(21, IMPORTANCE, IMPORTANCE, 1, SPECIAL),
    E(21, IMPORTANCE, IMPORTANCE, 2, FIRST),
    E(21, IMPORTANCE, IMPORTANCE, 3, SECOND),
    E(21, IMPORTANCE, IMPORTANCE, 4, TEMPORARY),

    E(22, COMPLAINT, COMPLAINT, 1, SERVICE),
    E(22, COMPLAINT, COMPLAINT, 2, BUSINESS),
    E(22, COMPLAINT, COMPLAINT, 3, OUTAGE),
    E(22, COMPLAINT, COMPLAINT, 4, SUPPLY_QUALITY),
    E(22, COMPLAINT, COMPLAINT, 5, GRID_CONSTRUCTION),

    E(23, REQUEST, REQUEST, 1, NEW_CONNECTION),
    E(23, REQUEST, REQUEST, 2, CAPACITY_CHANGE),
    E(23, REQUEST, REQUEST, 3, RECONNECTION),
    E(23, REQUEST, REQUEST, 4, APPLIANCE_DAMAGE),
    E(23, REQUEST, REQUEST, 5, METER_CHECK),
    E(23, REQUEST, REQUEST, 6, METER_READING_CHECK),
    E(23, REQUEST, REQUEST, 7, OTHER),

    /* extension domains of powersvc.h: record kinds (API.md §2) ... */
    E(24, RECORD, REC, 1, META),
    E(24, RECORD, REC, 2, CUSTOMER),
    E(24, RECORD, REC, 3, ORDER),
    E(24, RECORD, REC, 4, EVENT),
    E(24, RECORD, REC, 5, NOTICE),
    E(24, RECORD, REC, 6, CALL),

    /* ... and status codes (API.md §1) */
    {25, PSVC_DOM_STATUS, "PSVC_", 0, PSVC_OK, "OK"},
    {25, PSVC_DOM_STATUS, "PSVC_", -1, PSVC_EINVAL, "EINVAL"},
    {25, PSVC_DOM_STATUS, "PSVC_", -2, PSVC_ENOMEM, "ENOMEM"},
    {25, PSVC_DOM_STATUS, "PSVC_", -3, PSVC_ENOTFOUND, "ENOTFOUND"},
    {25, PSVC_DOM_STATUS, "PSVC_", -4, PSVC_EEXIST, "EEXIST"},
    {25, PSVC_DOM_STATUS, "PSVC_", -5, PSVC_ESTATE, "ESTATE"},
    {25, PSVC_DOM_STATUS, "PSVC_", -6, PSVC_EPERM, "EPERM"},
    {25, PSVC_DOM_STATUS, "PSVC_", -7, PSVC_EIO, "EIO"},
    {25, PSVC_DOM_STATUS, "PSVC_", -8, PSVC_ECORRUPT, "ECORRUPT"},
    {25, PSVC_DOM_STATUS, "PSVC_", -9, PSVC_ERANGE, "ERANGE"},
    {25, PSVC_DOM_STATUS, "PSVC_", -10, PSVC_EPARSE, "EPARSE"},
};

#define NTABLE (sizeof table / sizeof table[0])
#define FIRST_DOMAIN 1
#define LAST_DOMAIN 25

static void lower(char *dst, const char *src, size_t n) {
  size_t i = 0;
  for (; src[i] && i + 1 < n; i++)
    dst[i] = (char)tolower((unsigned char)src[i]);
  dst[i] = 0;
}

/* Mixed case: "lArGe_InDuStRy". */
static void mixed(char *dst, const char *src, size_t n) {
  size_t i = 0;
  for (; src[i] && i + 1 < n; i++)
    dst[i] = (char)(i % 2 ? toupper((unsigned char)src[i]) : tolower((unsigned char)src[i]));
  dst[i] = 0;
}

START_TEST(test_header_constants_match_api) {
  for (size_t i = 0; i < NTABLE; i++) {
    ck_assert_msg(table[i].constant == table[i].value, "%s%s is %d, API.md says %d",
                  table[i].prefix, table[i].name, table[i].constant, table[i].value);
    ck_assert_msg(table[i].dom_const == table[i].domain, "domain of %s%s is %d, expected %d",
                  table[i].prefix, table[i].name, table[i].dom_const, table[i].domain);
  }
  ck_assert_int_eq(PSVC_STORE_ABI, 1);
}
END_TEST

START_TEST(test_every_constant_name_round_trips) {
  for (size_t i = 0; i < NTABLE; i++) {
    const expect *e = &table[i];
    const char *name = psvc_enum_name(e->domain, e->value);
    ck_assert_msg(name != NULL, "no name for %s%s (%d)", e->prefix, e->name, e->value);
    ck_assert_str_eq(name, e->name);
    int out = INT_MIN;
    ck_assert_msg(psvc_enum_value(e->domain, e->name, &out) == PSVC_OK, "%s: %s", e->name,
                  psvc_errmsg(NULL));
    ck_assert_int_eq(out, e->value);
  }
}
END_TEST

START_TEST(test_names_case_insensitive) {
  for (size_t i = 0; i < NTABLE; i++) {
    const expect *e = &table[i];
    char buf[96];
    int out = INT_MIN;
    lower(buf, e->name, sizeof buf);
    ck_assert_msg(psvc_enum_value(e->domain, buf, &out) == PSVC_OK, "'%s'", buf);
    ck_assert_int_eq(out, e->value);
    out = INT_MIN;
    mixed(buf, e->name, sizeof buf);
    ck_assert_msg(psvc_enum_value(e->domain, buf, &out) == PSVC_OK, "'%s'", buf);
    ck_assert_int_eq(out, e->value);
  }
}
END_TEST

START_TEST(test_prefixed_names_accepted) {
  for (size_t i = 0; i < NTABLE; i++) {
    const expect *e = &table[i];
    char full[128], low[128];
    snprintf(full, sizeof full, "%s%s", e->prefix, e->name);
    int out = INT_MIN;
    ck_assert_msg(psvc_enum_value(e->domain, full, &out) == PSVC_OK, "'%s'", full);
    ck_assert_int_eq(out, e->value);
    lower(low, full, sizeof low);
    out = INT_MIN;
    ck_assert_msg(psvc_enum_value(e->domain, low, &out) == PSVC_OK, "'%s'", low);
    ck_assert_int_eq(out, e->value);
  }
}
END_TEST

START_TEST(test_unknown_names_rejected) {
  static const struct {
    int domain;
    const char *name;
  } bad[] = {
      {PSVC_DOM_AREA, "NOPE"},
      {PSVC_DOM_AREA, ""},
      {PSVC_DOM_AREA, "PSVC_AREA_"},          /* the prefix alone */
      {PSVC_DOM_AREA, "PSVC_AREARURAL"},      /* prefix without its underscore */
      {PSVC_DOM_AREA, "RURAL "},              /* trailing space */
      {PSVC_DOM_AREA, " RURAL"},
      {PSVC_DOM_AREA, "RURA"},                /* a prefix of a name */
      {PSVC_DOM_AREA, "RURALX"},
      {PSVC_DOM_AREA, "RESIDENTIAL"},         /* a value of another domain */
      {PSVC_DOM_AREA, "PSVC_TARIFF_RESIDENTIAL"}, /* another domain's prefix */
      {PSVC_DOM_TARIFF, "PSVC_AREA_RURAL"},
      {PSVC_DOM_AREA, "PSVC_PSVC_AREA_RURAL"},
      {PSVC_DOM_AREA, "2"},                   /* numbers are not names */
      {PSVC_DOM_STATUS, "PSVC_"},
      {PSVC_DOM_STATUS, "E"},
      {PSVC_DOM_ACTION, "PSVC_ACTION_DISPATCH"}, /* the prefix is PSVC_ACT_ */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int out = 12345;
    ck_assert_msg(psvc_enum_value(bad[i].domain, bad[i].name, &out) == PSVC_EINVAL,
                  "'%s' accepted in domain %d", bad[i].name, bad[i].domain);
    ck_assert_int_eq(out, 12345); /* untouched on failure */
  }
  int out = 0;
  ck_assert_int_eq(psvc_enum_value(PSVC_DOM_AREA, "NOPE", &out), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "NOPE"));
}
END_TEST

START_TEST(test_unknown_values_have_no_name) {
  static const struct {
    int domain, value;
  } bad[] = {
      {PSVC_DOM_RELATION, 0}, {PSVC_DOM_RELATION, 4},   {PSVC_DOM_TARIFF, 9},
      {PSVC_DOM_SOURCE, 0},   {PSVC_DOM_SOURCE, 3},     {PSVC_DOM_SOURCE, 0x20},
      {PSVC_DOM_USAGE, 8},    {PSVC_DOM_AREA, -1},      {PSVC_DOM_AREA, INT_MAX},
      {PSVC_DOM_IMPORTANCE, 5}, {PSVC_DOM_SLA_STATUS, 7}, {PSVC_DOM_STATUS, 1},
      {PSVC_DOM_STATUS, -11}, {PSVC_DOM_ACTION, 17},    {PSVC_DOM_ROLE, 14},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(psvc_enum_name(bad[i].domain, bad[i].value) == NULL,
                  "domain %d value %d has a name", bad[i].domain, bad[i].value);
}
END_TEST

START_TEST(test_unknown_domain) {
  static const int bad[] = {0, -1, LAST_DOMAIN + 1, 100, INT_MAX, INT_MIN};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int out = 777;
    const char *name = (const char *)"untouched";
    int value = 777;
    ck_assert_ptr_null(psvc_enum_name(bad[i], 1));
    ck_assert_ptr_null(psvc_enum_name(bad[i], 0));
    ck_assert_int_eq(psvc_enum_value(bad[i], "DIRECT", &out), PSVC_EINVAL);
    ck_assert_int_eq(psvc_enum_value(bad[i], "OK", &out), PSVC_EINVAL);
    ck_assert_int_eq(out, 777);
    ck_assert_int_eq(psvc_enum_entry(bad[i], 0, &value, &name), PSVC_EINVAL);
    ck_assert_int_eq(value, 777);
    ck_assert_str_eq(name, "untouched");
  }
}
END_TEST

START_TEST(test_null_arguments) {
  int out = 5;
  ck_assert_int_eq(psvc_enum_value(PSVC_DOM_AREA, NULL, &out), PSVC_EINVAL);
  ck_assert_int_eq(out, 5);
  ck_assert_int_eq(psvc_enum_value(PSVC_DOM_AREA, "RURAL", NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_enum_value(0, NULL, NULL), PSVC_EINVAL);
}
END_TEST

/* psvc_enum_entry walks each domain in value order, covers exactly the
   values listed above, and ends with PSVC_ENOTFOUND. */
START_TEST(test_entry_iteration_covers_each_domain) {
  for (int d = FIRST_DOMAIN; d <= LAST_DOMAIN; d++) {
    /* the expected values of d, in value order (insertion sort) */
    int values[32];
    const char *names[32];
    size_t n = 0;
    for (size_t i = 0; i < NTABLE; i++) {
      if (table[i].domain != d)
        continue;
      ck_assert_uint_lt(n, 32);
      size_t j = n++;
      while (j > 0 && values[j - 1] > table[i].value) {
        values[j] = values[j - 1];
        names[j] = names[j - 1];
        j--;
      }
      values[j] = table[i].value;
      names[j] = table[i].name;
    }
    ck_assert_msg(n > 0, "domain %d has no expected values", d);
    for (size_t i = 0; i < n; i++) {
      int value = INT_MIN;
      const char *name = NULL;
      ck_assert_msg(psvc_enum_entry(d, i, &value, &name) == PSVC_OK, "domain %d entry %zu", d,
                    i);
      ck_assert_msg(value == values[i], "domain %d entry %zu: %d, expected %d", d, i, value,
                    values[i]);
      ck_assert_str_eq(name, names[i]);
    }
    int value = 4242;
    const char *name = (const char *)"untouched";
    ck_assert_msg(psvc_enum_entry(d, n, &value, &name) == PSVC_ENOTFOUND,
                  "domain %d has more than %zu values", d, n);
    ck_assert_int_eq(value, 4242);
    ck_assert_str_eq(name, "untouched");
    ck_assert_int_eq(psvc_enum_entry(d, n + 1000, &value, &name), PSVC_ENOTFOUND);
    ck_assert_int_eq(psvc_enum_entry(d, (size_t)-1, &value, &name), PSVC_ENOTFOUND);
  }
}
END_TEST

static Suite *enums_suite(void) {
  Suite *s = suite_create("enums");
  TCase *tc = tcase_create("names");
  tcase_add_test(tc, test_header_constants_match_api);
  tcase_add_test(tc, test_every_constant_name_round_trips);
  tcase_add_test(tc, test_names_case_insensitive);
  tcase_add_test(tc, test_prefixed_names_accepted);
  tcase_add_test(tc, test_unknown_names_rejected);
  tcase_add_test(tc, test_unknown_values_have_no_name);
  tcase_add_test(tc, test_unknown_domain);
  tcase_add_test(tc, test_null_arguments);
  tcase_add_test(tc, test_entry_iteration_covers_each_domain);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(enums_suite()); }
