/*
 * test_threads.c — the threading rule of API.md §0, under ThreadSanitizer
 * (issue 9): a context is used by one thread at a time; distinct contexts
 * are independent; a calendar is immutable once built and may be read from
 * any number of threads.
 *
 * THREADS threads run at once, each with its own context (in memory, or on
 * its own journal file), all reading one shared calendar: each attaches
 * it to its context (a copy) and also queries it directly — add_seconds,
 * add_workdays, elapsed and the bulk forms — while driving work orders
 * through their lifecycle, recording calls, publishing notices, asking for
 * SLA clocks and reports. Each thread checks its own results against the
 * values computed before the threads started, so a data race that TSan
 * does not catch still fails the test. Error messages are per thread
 * (psvc_errmsg(NULL)), which is checked too.
 *
 * Built and run by ctest (threads.tsan) only in the `tsan` preset; a plain
 * build runs it as threads.plain, without the sanitizer.
 */
#include <powersvc.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 6
#define ORDERS 150
#define T0 ((psvc_time)1790784000) /* 2026-10-01T00:00:00+08:00 */

static psvc_calendar *shared;
static psvc_time want_secs[64], want_days[64];
static psvc_time probe[64];
static char dir[64];

static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(int id, const char *what, const char *why) {
  pthread_mutex_lock(&fail_lock);
  fprintf(stderr, "thread %d: %s: %s\n", id, what, why ? why : "");
  failures++;
  pthread_mutex_unlock(&fail_lock);
}

#define CHECK(id, cond, what, why)                                                      \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fail(id, what, why);                                                              \
      return NULL;                                                                      \
    }                                                                                   \
  } while (0)

/* The shared calendar read directly: the answers computed before the
   threads started. */
static int calendar_round(int id) {
  psvc_time r, out[64];
  int64_t secs[64];
  int32_t days[64];
  for (int i = 0; i < 64; i++) {
    secs[i] = 3600 + i * 977;
    days[i] = i % 12;
    if (psvc_calendar_add_seconds(shared, probe[i], secs[i], &r) != PSVC_OK ||
        r != want_secs[i])
      return fail(id, "add_seconds on the shared calendar", NULL), 0;
    if (psvc_calendar_add_workdays(shared, probe[i], days[i], &r) != PSVC_OK ||
        r != want_days[i])
      return fail(id, "add_workdays on the shared calendar", NULL), 0;
  }
  if (psvc_calendar_add_seconds_n(shared, probe, secs, out, 64) != PSVC_OK ||
      memcmp(out, want_secs, sizeof out) != 0)
    return fail(id, "add_seconds_n on the shared calendar", NULL), 0;
  if (psvc_calendar_add_workdays_n(shared, probe, days, out, 64) != PSVC_OK ||
      memcmp(out, want_days, sizeof out) != 0)
    return fail(id, "add_workdays_n on the shared calendar", NULL), 0;
  /* a failing call's message is this thread's own */
  char want[64];
  snprintf(want, sizeof want, "thread %d", id);
  if (psvc_calendar_add_seconds(shared, -id - 1, 1, &r) != PSVC_ERANGE ||
      strstr(psvc_errmsg(NULL), "psvc_calendar_add_seconds") == NULL)
    return fail(id, "per-thread error message", psvc_errmsg(NULL)), 0;
  return 1;
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  psvc_ctx *ctx;
  psvc_store s;
  char path[128];
  snprintf(path, sizeof path, "%s/t%d.journal", dir, id);
  int rc = id % 2 ? psvc_ctx_open(&ctx, NULL)
                  : (psvc_store_journal(&s, path) == PSVC_OK ? psvc_ctx_open(&ctx, &s) : -1);
  CHECK(id, rc == PSVC_OK, "open", psvc_errmsg(NULL));
  CHECK(id, psvc_ctx_set_calendar(ctx, "default", shared) == PSVC_OK, "set_calendar",
        psvc_errmsg(ctx));
  CHECK(id, psvc_policy_set(ctx, PSVC_METRIC_REPLY, PSVC_ORDER_COMPLAINT, 0,
                            PSVC_CLOCK_WORK_DAYS, 5, NULL) == PSVC_OK,
        "policy", psvc_errmsg(ctx));
  psvc_actor agent = {sizeof(psvc_actor), "agent", PSVC_ROLE_AGENT, "desk"};
  psvc_actor crew = {sizeof(psvc_actor), "crew", PSVC_ROLE_REPAIR_CREW, "crew-a"};
  static const int acts[] = {PSVC_ACT_DISPATCH, PSVC_ACT_RECEIVE, PSVC_ACT_ARRIVE,
                             PSVC_ACT_RESOLVE, PSVC_ACT_VISIT, PSVC_ACT_CLOSE};
  for (int i = 0; i < ORDERS; i++) {
    char oid[32], cid[32];
    snprintf(oid, sizeof oid, "T%d-O%03d", id, i);
    snprintf(cid, sizeof cid, "T%d-C%03d", id, i);
    psvc_order_spec sp = PSVC_ORDER_SPEC_INIT;
    sp.id = oid;
    sp.type = PSVC_ORDER_FAULT_REPAIR;
    sp.channel = PSVC_CHANNEL_PHONE;
    sp.area = PSVC_AREA_URBAN;
    sp.accepted_at = T0 + i * 600;
    CHECK(id, psvc_order_open(ctx, &sp, &agent) == PSVC_OK, "order_open", psvc_errmsg(ctx));
    for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++) {
      psvc_event e = PSVC_EVENT_INIT;
      e.action = acts[k];
      e.at = sp.accepted_at + 60 + (psvc_time)k * (id + 1) * 300;
      e.target = acts[k] == PSVC_ACT_DISPATCH ? "crew-a" : NULL;
      e.value = acts[k] == PSVC_ACT_VISIT ? PSVC_SAT_SATISFIED : 0;
      const psvc_actor *who = acts[k] == PSVC_ACT_RECEIVE || acts[k] == PSVC_ACT_ARRIVE ||
                                      acts[k] == PSVC_ACT_RESOLVE
                                  ? &crew
                                  : &agent;
      CHECK(id, psvc_order_apply(ctx, oid, &e, who) == PSVC_OK, "order_apply",
            psvc_errmsg(ctx));
    }
    CHECK(id, psvc_call_record(ctx, cid, sp.accepted_at - 40, sp.accepted_at - 35,
                               sp.accepted_at + 20, "agent", oid) == PSVC_OK,
          "call_record", psvc_errmsg(ctx));
    /* ARRIVAL: 120 s after acceptance + (id + 1) * 600 s; the limit is 40 min */
    psvc_sla sla = PSVC_SLA_INIT;
    CHECK(id, psvc_order_sla(ctx, oid, PSVC_METRIC_ARRIVAL, T0 + 90 * 86400, &sla) == PSVC_OK,
          "order_sla", psvc_errmsg(ctx));
    int late = 120 + (id + 1) * 600 > 2400;
    CHECK(id, sla.status == (late ? PSVC_SLA_BREACHED : PSVC_SLA_MET), "ARRIVAL status", oid);
    if (i % 25 == 0 && !calendar_round(id))
      return NULL;
  }
  char *json;
  CHECK(id, psvc_report_json(ctx, T0, T0 + 31 * 86400, T0 + 40 * 86400, "unit", &json) ==
                PSVC_OK,
        "report", psvc_errmsg(ctx));
  char want[64];
  snprintf(want, sizeof want, "\"orders\":%d", ORDERS);
  CHECK(id, strstr(json, want) != NULL, "report order count", want);
  psvc_free(json);
  psvc_ctx_close(ctx);
  return NULL;
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/psvc-threads.XXXXXX");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char *err = NULL;
  if (psvc_calendar_parse("utc+08:00\nhours mon-fri 08:30-12:00 14:00-17:30\n"
                          "holiday 2026-10-01..2026-10-07\nworkday 2026-10-10 as sat\n",
                          &shared, &err) != PSVC_OK) {
    fprintf(stderr, "calendar: %s\n", err ? err : "?");
    return 1;
  }
  for (int i = 0; i < 64; i++) {
    probe[i] = T0 - 3 * 86400 + (psvc_time)i * 40000;
    if (psvc_calendar_add_seconds(shared, probe[i], 3600 + i * 977, &want_secs[i]) ||
        psvc_calendar_add_workdays(shared, probe[i], i % 12, &want_days[i])) {
      fprintf(stderr, "precompute: %s\n", psvc_errmsg(NULL));
      return 1;
    }
  }
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i) != 0) {
      perror("pthread_create");
      return 1;
    }
  for (int i = 0; i < THREADS; i++)
    pthread_join(th[i], NULL);
  psvc_calendar_free(shared);
  for (int i = 0; i < THREADS; i++) {
    char p[128];
    snprintf(p, sizeof p, "%s/t%d.journal", dir, i);
    unlink(p);
  }
  rmdir(dir);
  printf("test_threads: %d threads x %d orders, one shared calendar: %s\n", THREADS, ORDERS,
         failures ? "FAILED" : "ok");
  return failures != 0;
}
