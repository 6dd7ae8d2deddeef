/*
 * fuzz_api.c — libFuzzer target: random sequences of public calls against
 * one context (issue 9's API-sequence fuzzer).
 *
 * The input is a program: each operation takes an opcode byte and its
 * arguments from the bytes that follow — orders opened and acted on with
 * any type, action, role, time and value (valid or not), SLA queries,
 * customers, calls, notices, transactions, reports, finds and handovers —
 * over a small pool of ids, so that operations meet the same objects.
 *
 * Invariants checked after every operation:
 *  - a refused call (any PSVC_E*) changed nothing: a fingerprint of every
 *    object in the pool (order state and event count, calls, notices,
 *    customers) is the same before and after, and the message is set;
 *  - an order's event count never shrinks (except by a rollback, which
 *    restores the fingerprint taken at begin);
 *  - an SLA answer agrees with itself: MET means stopped by the deadline,
 *    a stopped BREACHED after it, RUNNING / AT_RISK / PAUSED not stopped,
 *    remaining = limit - elapsed, elapsed >= 0;
 *  - a report is one JSON object ending in a newline.
 */
#include "fuzz_common.h"

#define POOL 12
#define BASE ((psvc_time)1790000000)

static void pool_id(char *buf, char prefix, unsigned k) {
  snprintf(buf, 8, "%c%u", prefix, k % POOL);
}

/* FNV-1a over everything observable about the pool. */
static uint64_t mix(uint64_t h, int64_t v) {
  for (int i = 0; i < 8; i++)
    h = (h ^ (uint8_t)(v >> (8 * i))) * 1099511628211ull;
  return h;
}

static uint64_t fingerprint(psvc_ctx *ctx, size_t events[POOL]) {
  uint64_t h = 1469598103934665603ull;
  char id[8];
  for (unsigned k = 0; k < POOL; k++) {
    psvc_order *o;
    pool_id(id, 'O', k);
    events[k] = 0;
    if (psvc_order_load(ctx, id, &o) == PSVC_OK) {
      events[k] = psvc_order_event_count(o);
      h = mix(h, psvc_order_state(o));
      h = mix(h, (int64_t)events[k]);
      h = mix(h, psvc_order_urge_count(o));
      psvc_order_free(o);
    } else {
      h = mix(h, -1);
    }
    psvc_sla s = PSVC_SLA_INIT;
    pool_id(id, 'C', k);
    h = mix(h, psvc_call_sla(ctx, id, &s) == PSVC_OK ? s.stopped_at : -1);
    pool_id(id, 'N', k);
    h = mix(h, psvc_notice_sla(ctx, id, &s) == PSVC_OK ? s.cycle * 7 + s.status : -1);
    psvc_customer *c;
    pool_id(id, 'K', k);
    if (psvc_customer_load(ctx, id, &c) == PSVC_OK) {
      h = mix(h, psvc_customer_tariff(c));
      psvc_customer_free(c);
    } else {
      h = mix(h, -1);
    }
  }
  return h;
}

static void check_sla(const psvc_sla *s) {
  fuzz_check(s->status >= PSVC_SLA_NOT_APPLICABLE && s->status <= PSVC_SLA_BREACHED,
             "SLA status out of its domain");
  if (s->status == PSVC_SLA_NOT_APPLICABLE || s->status == PSVC_SLA_PENDING)
    return;
  fuzz_check(s->elapsed_s >= 0, "SLA elapsed is negative");
  fuzz_check(s->remaining_s == s->limit_s - s->elapsed_s, "SLA remaining != limit - elapsed");
  if (s->status == PSVC_SLA_MET)
    fuzz_check(s->stopped_at != 0 && s->stopped_at <= s->deadline, "MET but not stopped in time");
  if (s->status == PSVC_SLA_BREACHED && s->stopped_at)
    fuzz_check(s->stopped_at > s->deadline, "stopped BREACHED within the deadline");
  if (s->status == PSVC_SLA_RUNNING || s->status == PSVC_SLA_AT_RISK ||
      s->status == PSVC_SLA_PAUSED)
    fuzz_check(s->stopped_at == 0, "a running clock has stopped");
  if (s->status == PSVC_SLA_BREACHED)
    fuzz_check(s->ever_breached, "BREACHED but not ever_breached");
}

static const char *pick(fuzz_in *in, const char *const *v, size_t n) {
  return v[fuzz_u(in, 1) % n];
}

static psvc_actor actor(fuzz_in *in) {
  static const char *const units[] = {"desk", "crew-a", "crew-b", NULL};
  psvc_actor a = PSVC_ACTOR_INIT;
  a.id = fuzz_u(in, 1) % 9 ? "staff1" : "bad id!";
  a.role = (int)(fuzz_u(in, 1) % 16);
  a.unit = pick(in, units, 4);
  return a;
}

static int op_open(psvc_ctx *ctx, fuzz_in *in) {
  char id[8];
  pool_id(id, 'O', (unsigned)fuzz_u(in, 1));
  psvc_order_spec sp = PSVC_ORDER_SPEC_INIT;
  sp.id = id;
  sp.type = (int)(fuzz_u(in, 1) % 11);
  sp.subtype = (int)(fuzz_u(in, 1) % 9);
  sp.channel = (int)(fuzz_u(in, 1) % 8);
  sp.area = (int)(fuzz_u(in, 1) % 5);
  sp.accepted_at = BASE + (psvc_time)fuzz_u(in, 2) * 60;
  char cust[8];
  pool_id(cust, 'K', (unsigned)fuzz_u(in, 1));
  sp.customer_id = fuzz_u(in, 1) % 2 ? cust : NULL;
  psvc_actor a = actor(in);
  return psvc_order_open(ctx, &sp, &a);
}

static int op_apply(psvc_ctx *ctx, fuzz_in *in) {
  static const char *const targets[] = {"crew-a", "crew-b", "O1", "O2", NULL};
  char id[8];
  pool_id(id, 'O', (unsigned)fuzz_u(in, 1));
  psvc_event e = PSVC_EVENT_INIT;
  e.action = (int)(fuzz_u(in, 1) % 18);
  e.at = BASE + (psvc_time)fuzz_u(in, 3);
  e.target = pick(in, targets, 5);
  e.value = (int)(int8_t)fuzz_u(in, 1) % 5;
  e.note = fuzz_u(in, 1) % 4 ? NULL : "note";
  psvc_actor a = actor(in);
  return psvc_order_apply(ctx, id, &e, &a);
}

static int op_sla(psvc_ctx *ctx, fuzz_in *in) {
  char id[8];
  pool_id(id, 'O', (unsigned)fuzz_u(in, 1));
  psvc_sla s = PSVC_SLA_INIT;
  int rc = psvc_order_sla(ctx, id, (int)(fuzz_u(in, 1) % 10),
                          BASE + (psvc_time)fuzz_u(in, 3) * 4, &s);
  if (rc == PSVC_OK)
    check_sla(&s);
  return PSVC_OK; /* a query: nothing to compare */
}

static int op_customer(psvc_ctx *ctx, fuzz_in *in) {
  char id[8];
  pool_id(id, 'K', (unsigned)fuzz_u(in, 1));
  psvc_customer *c;
  if (psvc_customer_new(&c, id) != PSVC_OK)
    return PSVC_ENOMEM;
  psvc_customer_set_relation(c, (int)(fuzz_u(in, 1) % 4));
  psvc_customer_set_tariff(c, (int)(fuzz_u(in, 1) % 9));
  psvc_customer_set_sources(c, (unsigned)fuzz_u(in, 1) & 0x1F);
  psvc_customer_set_voltage(c, (int)fuzz_u(in, 2));
  psvc_customer_set_feeder(c, fuzz_u(in, 1) % 2 ? "F1" : "F2");
  int rc = fuzz_u(in, 1) % 2 ? psvc_customer_add(ctx, c) : psvc_customer_save(ctx, c);
  psvc_customer_free(c);
  return rc;
}

static int op_call(psvc_ctx *ctx, fuzz_in *in) {
  char id[8], order[8];
  pool_id(id, 'C', (unsigned)fuzz_u(in, 1));
  pool_id(order, 'O', (unsigned)fuzz_u(in, 1));
  psvc_time a = BASE + (psvc_time)fuzz_u(in, 2);
  psvc_time ans = fuzz_u(in, 1) % 4 ? a + (psvc_time)(int8_t)fuzz_u(in, 1) : 0;
  psvc_time end = a + (psvc_time)(int8_t)fuzz_u(in, 1) * 4;
  return psvc_call_record(ctx, id, a, ans, end, "agent1", fuzz_u(in, 1) % 2 ? order : NULL);
}

static int op_notice(psvc_ctx *ctx, fuzz_in *in) {
  char id[8];
  pool_id(id, 'N', (unsigned)fuzz_u(in, 1));
  psvc_notice n = PSVC_NOTICE_INIT;
  n.id = id;
  n.kind = (int)(fuzz_u(in, 1) % 8);
  n.unit = "dispatch";
  n.feeder = fuzz_u(in, 1) % 2 ? "F1" : "F2";
  n.published_at = BASE + (psvc_time)fuzz_u(in, 2) * 60;
  n.start = BASE + (psvc_time)fuzz_u(in, 2) * 60;
  n.end = n.start + (psvc_time)(int8_t)fuzz_u(in, 1) * 600;
  return psvc_notice_publish(ctx, &n);
}

static int op_report(psvc_ctx *ctx, fuzz_in *in) {
  static const char *const by[] = {"none", "type", "unit", "area", "bogus", NULL};
  char *json = NULL;
  psvc_time from = BASE - 86400 + (psvc_time)fuzz_u(in, 2) * 60;
  int rc = psvc_report_json(ctx, from, from + (psvc_time)fuzz_u(in, 2) * 600,
                            BASE + (psvc_time)fuzz_u(in, 3), pick(in, by, 6), &json);
  if (rc == PSVC_OK) {
    size_t n = strlen(json);
    fuzz_check(n > 2 && json[0] == '{' && json[n - 2] == '}' && json[n - 1] == '\n',
               "a report is not one JSON object and a newline");
    psvc_free(json);
  }
  return PSVC_OK;
}

static int op_queries(psvc_ctx *ctx, fuzz_in *in) {
  psvc_list *l;
  if (psvc_handover(ctx, fuzz_u(in, 1) % 2 ? "crew-a" : "desk",
                    BASE + (psvc_time)fuzz_u(in, 3), &l) == PSVC_OK)
    psvc_list_free(l);
  char cust[8];
  pool_id(cust, 'K', (unsigned)fuzz_u(in, 1));
  if (psvc_notice_active(ctx, cust, BASE + (psvc_time)fuzz_u(in, 3), &l) == PSVC_OK)
    psvc_list_free(l);
  return PSVC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  psvc_ctx *ctx;
  fuzz_check(psvc_ctx_open(&ctx, NULL) == PSVC_OK, "psvc_ctx_open(NULL) failed");
  fuzz_in in = {data, size};
  size_t ev[POOL], ev_after[POOL], ev_begin[POOL];
  uint64_t at_begin = 0;
  int in_txn = 0;
  for (int steps = 0; in.n > 0 && steps < 200; steps++) {
    uint64_t before = fingerprint(ctx, ev);
    int op = (int)(fuzz_u(&in, 1) % 12), rc = PSVC_OK, mutating = 1;
    switch (op) {
    case 0: rc = op_open(ctx, &in); break;
    case 1:
    case 2: rc = op_apply(ctx, &in); break;
    case 3: rc = op_sla(ctx, &in), mutating = 0; break;
    case 4: rc = op_customer(ctx, &in); break;
    case 5: rc = op_call(ctx, &in); break;
    case 6: rc = op_notice(ctx, &in); break;
    case 7: rc = op_report(ctx, &in), mutating = 0; break;
    case 8: rc = op_queries(ctx, &in), mutating = 0; break;
    case 9:
      rc = psvc_ctx_begin(ctx);
      if (rc == PSVC_OK) {
        in_txn = 1;
        at_begin = before;
        memcpy(ev_begin, ev, sizeof ev);
      }
      break;
    case 10:
      rc = psvc_ctx_commit(ctx);
      in_txn = rc == PSVC_OK ? 0 : in_txn;
      break;
    default:
      rc = psvc_ctx_rollback(ctx);
      if (rc == PSVC_OK) {
        in_txn = 0;
        fuzz_check(fingerprint(ctx, ev_after) == at_begin, "rollback did not restore the state");
        continue;
      }
      break;
    }
    uint64_t after = fingerprint(ctx, ev_after);
    if (rc != PSVC_OK) {
      fuzz_check(after == before, "a refused call changed the state");
      fuzz_check(psvc_errmsg(ctx)[0] != 0, "a refused call left no message");
    } else if (mutating) {
      for (int k = 0; k < POOL; k++)
        fuzz_check(ev_after[k] >= ev[k], "an order's event count shrank");
    }
  }
  (void)in_txn;
  (void)ev_begin;
  psvc_ctx_close(ctx);
  return 0;
}
