/*
 * enums.c — the one table of enum names and values.
 *
 * Every public enum domain of powersvc.h is listed here once, in value
 * order, with the name bindings, the CLI and JSON output use. The table is
 * the single source: psvc_enum_name, psvc_enum_value and psvc_enum_entry
 * read it, and tests/test_enums.c checks it against the header's constants
 * so a value can never drift between the two.
 */
#include "internal.h"

#include <string.h>
#include <strings.h>

typedef struct enum_row {
  int domain;
  int value;
  const char *name;
} enum_row;

#define ROW(dom, prefix, name) {PSVC_DOM_##dom, PSVC_##prefix##name, #name}

static const enum_row rows[] = {
    ROW(RELATION, RELATION_, DIRECT),       /* C-1 */
    ROW(RELATION, RELATION_, WHOLESALE),
    ROW(RELATION, RELATION_, TRANSFERRED),

    ROW(TARIFF, TARIFF_, RESIDENTIAL),      /* C-2, C-2b */
    ROW(TARIFF, TARIFF_, NONRES_LIGHTING),
    ROW(TARIFF, TARIFF_, COMMERCIAL),
    ROW(TARIFF, TARIFF_, GENERAL_INDUSTRY),
    ROW(TARIFF, TARIFF_, LARGE_INDUSTRY),
    ROW(TARIFF, TARIFF_, AGRICULTURE),
    ROW(TARIFF, TARIFF_, WHOLESALE),
    ROW(TARIFF, TARIFF_, GENERAL_COMMERCIAL_INDUSTRIAL),

    ROW(SOURCE, SOURCE_, HV),               /* C-3, flags */
    ROW(SOURCE, SOURCE_, LV),
    ROW(SOURCE, SOURCE_, DUAL_SOURCE),
    ROW(SOURCE, SOURCE_, SELF_GENERATION),
    ROW(SOURCE, SOURCE_, DEDICATED_LINE),

    ROW(USAGE, USAGE_, TEMPORARY),          /* C-4, flags */
    ROW(USAGE, USAGE_, SEASONAL),
    ROW(USAGE, USAGE_, IMPORTANT),

    ROW(SEGMENT, SEGMENT_, ORDINARY),       /* C-6 */
    ROW(SEGMENT, SEGMENT_, KEY_ACCOUNT),
    ROW(SEGMENT, SEGMENT_, VIP),

    ROW(AREA, AREA_, URBAN),                /* C-7 */
    ROW(AREA, AREA_, RURAL),
    ROW(AREA, AREA_, REMOTE),

    ROW(ORDER_TYPE, ORDER_, SERVICE_REQUEST), /* W-1 */
    ROW(ORDER_TYPE, ORDER_, INQUIRY),
    ROW(ORDER_TYPE, ORDER_, FAULT_REPAIR),
    ROW(ORDER_TYPE, ORDER_, COMPLAINT),
    ROW(ORDER_TYPE, ORDER_, REPORT),
    ROW(ORDER_TYPE, ORDER_, OPINION),
    ROW(ORDER_TYPE, ORDER_, SUGGESTION),
    ROW(ORDER_TYPE, ORDER_, PRAISE),
    ROW(ORDER_TYPE, ORDER_, DISPATCH),

    ROW(CHANNEL, CHANNEL_, PHONE),          /* W-2 */
    ROW(CHANNEL, CHANNEL_, WEB),
    ROW(CHANNEL, CHANNEL_, SMS),
    ROW(CHANNEL, CHANNEL_, FAX),
    ROW(CHANNEL, CHANNEL_, EMAIL),
    ROW(CHANNEL, CHANNEL_, VOIP),
    ROW(CHANNEL, CHANNEL_, APP),
    ROW(CHANNEL, CHANNEL_, COUNTER),

    ROW(STATE, STATE_, ACCEPTED),           /* W-6 */
    ROW(STATE, STATE_, DISPATCHED),
    ROW(STATE, STATE_, RECEIVED),
    ROW(STATE, STATE_, ON_SITE),
    ROW(STATE, STATE_, RESOLVED),
    ROW(STATE, STATE_, REPLIED),
    ROW(STATE, STATE_, VISITED),
    ROW(STATE, STATE_, CLOSED),
    ROW(STATE, STATE_, SUSPENDED),
    ROW(STATE, STATE_, CANCELLED),
    ROW(STATE, STATE_, MERGED),

    ROW(ACTION, ACT_, DISPATCH),            /* W-6 ... W-10 */
    ROW(ACTION, ACT_, RECEIVE),
    ROW(ACTION, ACT_, RETURN),
    ROW(ACTION, ACT_, TRANSFER),
    ROW(ACTION, ACT_, ARRIVE),
    ROW(ACTION, ACT_, RESOLVE),
    ROW(ACTION, ACT_, REPLY),
    ROW(ACTION, ACT_, VISIT),
    ROW(ACTION, ACT_, CLOSE),
    ROW(ACTION, ACT_, SUSPEND),
    ROW(ACTION, ACT_, RESUME),
    ROW(ACTION, ACT_, CANCEL),
    ROW(ACTION, ACT_, MERGE),
    ROW(ACTION, ACT_, URGE),
    ROW(ACTION, ACT_, ESCALATE),
    ROW(ACTION, ACT_, NOTE),

    ROW(ROLE, ROLE_, AGENT),                /* P-1 */
    ROW(ROLE, ROLE_, SHIFT_LEAD),
    ROW(ROLE, ROLE_, SUPERVISOR),
    ROW(ROLE, ROLE_, DISPATCHER),
    ROW(ROLE, ROLE_, REPAIR_CREW),
    ROW(ROLE, ROLE_, CUSTOMER_REP),
    ROW(ROLE, ROLE_, CONNECTION),
    ROW(ROLE, ROLE_, METER_READING_BILLING),
    ROW(ROLE, ROLE_, METERING),
    ROW(ROLE, ROLE_, INSPECTION),
    ROW(ROLE, ROLE_, DEMAND_SIDE),
    ROW(ROLE, ROLE_, CONSULTING),
    ROW(ROLE, ROLE_, SYSTEM),

    ROW(SATISFACTION, SAT_, SATISFIED),     /* W-10 */
    ROW(SATISFACTION, SAT_, FAIRLY_SATISFIED),
    ROW(SATISFACTION, SAT_, UNSATISFIED),

    ROW(METRIC, METRIC_, ANSWER),           /* T-1 ... T-18 */
    ROW(METRIC, METRIC_, DISPATCH),
    ROW(METRIC, METRIC_, ARRIVAL),
    ROW(METRIC, METRIC_, REPLY),
    ROW(METRIC, METRIC_, RESOLVE),
    ROW(METRIC, METRIC_, VISIT),
    ROW(METRIC, METRIC_, NOTICE_LEAD),
    ROW(METRIC, METRIC_, CONTACT),

    ROW(SLA_STATUS, SLA_, NOT_APPLICABLE),  /* T-21 */
    ROW(SLA_STATUS, SLA_, PENDING),
    ROW(SLA_STATUS, SLA_, RUNNING),
    ROW(SLA_STATUS, SLA_, PAUSED),
    ROW(SLA_STATUS, SLA_, AT_RISK),
    ROW(SLA_STATUS, SLA_, MET),
    ROW(SLA_STATUS, SLA_, BREACHED),

    ROW(CLOCK, CLOCK_, WALL),
    ROW(CLOCK, CLOCK_, CALENDAR_DAYS),
    ROW(CLOCK, CLOCK_, WORK_DAYS),
    ROW(CLOCK, CLOCK_, BUSINESS_HOURS),

    ROW(NOTICE_KIND, NOTICE_, PLANNED_MAINTENANCE), /* O-1 */
    ROW(NOTICE_KIND, NOTICE_, ORDERED_USE),
    ROW(NOTICE_KIND, NOTICE_, TEMPORARY_MAINTENANCE),
    ROW(NOTICE_KIND, NOTICE_, FAULT),
    ROW(NOTICE_KIND, NOTICE_, ARREARS),
    ROW(NOTICE_KIND, NOTICE_, EMERGENCY),

    ROW(SUPPLY_POINT, SUPPLY_, LV_PUBLIC),  /* S-3 */
    ROW(SUPPLY_POINT, SUPPLY_, HV_PUBLIC_10KV),
    ROW(SUPPLY_POINT, SUPPLY_, HV_PUBLIC_35KV),
    ROW(SUPPLY_POINT, SUPPLY_, CABLE),
    ROW(SUPPLY_POINT, SUPPLY_, CUSTOMER_LINE),

    ROW(LOCATION, LOC_, PUBLIC_NETWORK),
    ROW(LOCATION, LOC_, BOUNDARY_DEVICE),
    ROW(LOCATION, LOC_, METER),
    ROW(LOCATION, LOC_, CUSTOMER_SIDE),

    ROW(OWNER, OWNER_, UTILITY),            /* S-1 */
    ROW(OWNER, OWNER_, CUSTOMER),

    ROW(SEVERITY, SEV_, INFO),
    ROW(SEVERITY, SEV_, WARNING),
    ROW(SEVERITY, SEV_, ERROR),

    ROW(IMPORTANCE, IMPORTANCE_, NONE),     /* C-15 */
    ROW(IMPORTANCE, IMPORTANCE_, SPECIAL),
    ROW(IMPORTANCE, IMPORTANCE_, FIRST),
    ROW(IMPORTANCE, IMPORTANCE_, SECOND),
    ROW(IMPORTANCE, IMPORTANCE_, TEMPORARY),

    ROW(COMPLAINT, COMPLAINT_, SERVICE),    /* W-15 */
    ROW(COMPLAINT, COMPLAINT_, BUSINESS),
    ROW(COMPLAINT, COMPLAINT_, OUTAGE),
    ROW(COMPLAINT, COMPLAINT_, SUPPLY_QUALITY),
    ROW(COMPLAINT, COMPLAINT_, GRID_CONSTRUCTION),

    ROW(REQUEST, REQUEST_, NEW_CONNECTION), /* W-16 */
    ROW(REQUEST, REQUEST_, CAPACITY_CHANGE),
    ROW(REQUEST, REQUEST_, RECONNECTION),
    ROW(REQUEST, REQUEST_, APPLIANCE_DAMAGE),
    ROW(REQUEST, REQUEST_, METER_CHECK),
    ROW(REQUEST, REQUEST_, METER_READING_CHECK),
    ROW(REQUEST, REQUEST_, OTHER),

    ROW(RECORD, REC_, META),                /* storage record kinds */
    ROW(RECORD, REC_, CUSTOMER),
    ROW(RECORD, REC_, ORDER),
    ROW(RECORD, REC_, EVENT),
    ROW(RECORD, REC_, NOTICE),
    ROW(RECORD, REC_, CALL),

    {PSVC_DOM_STATUS, PSVC_EPARSE, "EPARSE"}, /* status codes, value order */
    {PSVC_DOM_STATUS, PSVC_ERANGE, "ERANGE"},
    {PSVC_DOM_STATUS, PSVC_ECORRUPT, "ECORRUPT"},
    {PSVC_DOM_STATUS, PSVC_EIO, "EIO"},
    {PSVC_DOM_STATUS, PSVC_EPERM, "EPERM"},
    {PSVC_DOM_STATUS, PSVC_ESTATE, "ESTATE"},
    {PSVC_DOM_STATUS, PSVC_EEXIST, "EEXIST"},
    {PSVC_DOM_STATUS, PSVC_ENOTFOUND, "ENOTFOUND"},
    {PSVC_DOM_STATUS, PSVC_ENOMEM, "ENOMEM"},
    {PSVC_DOM_STATUS, PSVC_EINVAL, "EINVAL"},
    {PSVC_DOM_STATUS, PSVC_OK, "OK"},
};

#define NROWS (sizeof rows / sizeof rows[0])

/* The constant prefix of each domain, as accepted by psvc_enum_value. */
static const char *const prefixes[] = {
    [PSVC_DOM_RELATION] = "PSVC_RELATION_", [PSVC_DOM_TARIFF] = "PSVC_TARIFF_",
    [PSVC_DOM_SOURCE] = "PSVC_SOURCE_",     [PSVC_DOM_USAGE] = "PSVC_USAGE_",
    [PSVC_DOM_SEGMENT] = "PSVC_SEGMENT_",   [PSVC_DOM_AREA] = "PSVC_AREA_",
    [PSVC_DOM_ORDER_TYPE] = "PSVC_ORDER_",  [PSVC_DOM_CHANNEL] = "PSVC_CHANNEL_",
    [PSVC_DOM_STATE] = "PSVC_STATE_",       [PSVC_DOM_ACTION] = "PSVC_ACT_",
    [PSVC_DOM_ROLE] = "PSVC_ROLE_",         [PSVC_DOM_SATISFACTION] = "PSVC_SAT_",
    [PSVC_DOM_METRIC] = "PSVC_METRIC_",     [PSVC_DOM_SLA_STATUS] = "PSVC_SLA_",
    [PSVC_DOM_CLOCK] = "PSVC_CLOCK_",       [PSVC_DOM_NOTICE_KIND] = "PSVC_NOTICE_",
    [PSVC_DOM_SUPPLY_POINT] = "PSVC_SUPPLY_", [PSVC_DOM_LOCATION] = "PSVC_LOC_",
    [PSVC_DOM_OWNER] = "PSVC_OWNER_",       [PSVC_DOM_SEVERITY] = "PSVC_SEV_",
    [PSVC_DOM_IMPORTANCE] = "PSVC_IMPORTANCE_",
    [PSVC_DOM_COMPLAINT] = "PSVC_COMPLAINT_", [PSVC_DOM_REQUEST] = "PSVC_REQUEST_",
    [PSVC_DOM_RECORD] = "PSVC_REC_",        [PSVC_DOM_STATUS] = "PSVC_",
};

#define NDOMAINS ((int)(sizeof prefixes / sizeof prefixes[0]))

static bool domain_known(int domain) {
  return domain > 0 && domain < NDOMAINS && prefixes[domain];
}

/* Rows of one domain are contiguous: find the first. */
/* The rows of one domain: rows[] is grouped by domain in ascending order
   (tests/test_enums.c checks it), so a binary search finds the group. */
static const enum_row *domain_rows(int domain, size_t *count) {
  size_t lo = 0, hi = NROWS;
  while (lo < hi) { /* first row with rows[i].domain >= domain */
    size_t mid = (lo + hi) / 2;
    if (rows[mid].domain < domain)
      lo = mid + 1;
    else
      hi = mid;
  }
  size_t j = lo;
  while (j < NROWS && rows[j].domain == domain)
    j++;
  *count = j - lo;
  return rows + lo;
}

PSVC_API const char *psvc_enum_name(int domain, int value) {
  size_t n;
  const enum_row *r = domain_rows(domain, &n);
  for (size_t i = 0; i < n; i++)
    if (r[i].value == value)
      return r[i].name;
  return NULL;
}

PSVC_API int psvc_enum_value(int domain, const char *name, int *out) {
  if (!name || !out)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_enum_value: name and out are required");
  if (!domain_known(domain))
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_enum_value: unknown domain %d", domain);
  const char *prefix = prefixes[domain];
  size_t plen = strlen(prefix);
  const char *bare = strncasecmp(name, prefix, plen) == 0 ? name + plen : name;
  size_t n;
  const enum_row *r = domain_rows(domain, &n);
  for (size_t i = 0; i < n; i++) {
    if (strcasecmp(r[i].name, bare) == 0 || strcasecmp(r[i].name, name) == 0) {
      *out = r[i].value;
      return PSVC_OK;
    }
  }
  return psvc__fail(NULL, PSVC_EINVAL, "psvc_enum_value: '%.64s' is not a value of %s*",
                    name, prefix);
}

PSVC_API int psvc_enum_entry(int domain, size_t i, int *value, const char **name) {
  if (!domain_known(domain))
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_enum_entry: unknown domain %d", domain);
  size_t n;
  const enum_row *r = domain_rows(domain, &n);
  if (i >= n)
    return psvc__fail(NULL, PSVC_ENOTFOUND, "psvc_enum_entry: domain %d has %zu values",
                      domain, n);
  if (value)
    *value = r[i].value;
  if (name)
    *name = r[i].name;
  return PSVC_OK;
}
