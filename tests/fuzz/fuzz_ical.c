/*
 * fuzz_ical.c — libFuzzer target: importing holidays from iCalendar text
 * (RFC 5545 all-day VEVENTs, psvc_calendar_import_ical).
 *
 * The import either succeeds or fails with PSVC_EPARSE / PSVC_ERANGE /
 * PSVC_EINVAL and a message, and a failed import leaves the calendar as it
 * was (its answers at a few instants are compared before and after).
 */
#include "fuzz_common.h"

static psvc_time answer(const psvc_calendar *c, psvc_time t) {
  psvc_time r = -1;
  if (psvc_calendar_add_workdays(c, t, 3, &r) != PSVC_OK)
    r = -2;
  return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  psvc_calendar *cal;
  char *err = NULL;
  fuzz_check(psvc_calendar_parse("utc+08:00\nhours mon-fri 08:30-12:00 14:00-17:30\n"
                                 "holiday 2026-10-01..2026-10-07\nworkday 2026-10-10 as mon\n",
                                 &cal, NULL) == PSVC_OK,
             "the base calendar does not parse");
  static const psvc_time probe[] = {1767225600, 1790800000, 1800000000, 4102444800};
  psvc_time before[4];
  for (int i = 0; i < 4; i++)
    before[i] = answer(cal, probe[i]);
  int rc = psvc_calendar_import_ical(cal, text, &err);
  if (rc == PSVC_OK) {
    fuzz_check(err == NULL, "an import that succeeded left a message");
    fuzz_calendar_invariants(cal, data, size);
  } else {
    fuzz_check(rc == PSVC_EPARSE || rc == PSVC_ERANGE || rc == PSVC_EINVAL || rc == PSVC_ENOMEM,
               "import failed with an unexpected code");
    fuzz_check(rc == PSVC_ENOMEM || err != NULL, "a failed import without a message");
    for (int i = 0; i < 4; i++)
      fuzz_check(answer(cal, probe[i]) == before[i], "a failed import changed the calendar");
  }
  psvc_free(err);
  psvc_calendar_free(cal);
  free(text);
  return 0;
}
