/*
 * fuzz_calendar.c — libFuzzer target: the calendar text format
 * (docs/calendar-format.md, psvc_calendar_parse).
 *
 * Any input either parses, or fails with PSVC_EPARSE / PSVC_ERANGE and a
 * "line N: ..." message; never a crash, a leak or a hang. A calendar that
 * parses is then held to the arithmetic's own invariants (T-22, T-23) at a
 * few instants the input also chooses: adding S business seconds lands on
 * an instant S business seconds away, and the working-day deadline is the
 * last second of a local day.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  psvc_calendar *cal = NULL;
  char *err = NULL;
  int rc = psvc_calendar_parse(text, &cal, &err);
  if (rc == PSVC_OK) {
    fuzz_check(cal != NULL && err == NULL, "parse OK without a calendar, or with a message");
    fuzz_calendar_invariants(cal, data, size);
    psvc_calendar_free(cal);
  } else {
    fuzz_check(rc == PSVC_EPARSE || rc == PSVC_ERANGE || rc == PSVC_ENOMEM,
               "parse failed with an unexpected code");
    fuzz_check(cal == NULL, "a failed parse returned a calendar");
    fuzz_check(rc == PSVC_ENOMEM || (err && strncmp(err, "line ", 5) == 0),
               "a parse error without a line number");
  }
  psvc_free(err);
  free(text);
  return 0;
}
