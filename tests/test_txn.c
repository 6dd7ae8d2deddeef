/*
 * test_txn.c — lib/txn.c: user transactions (psvc_ctx_begin / commit /
 * rollback, API.md §2). Rollback restores the in-memory state exactly
 * (compared with fault_dump_ctx) with and without a store; a commit makes
 * everything durable at once; a store failure inside a transaction rolls
 * the whole transaction back with PSVC_EIO; misuse is PSVC_ESTATE.
 */
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const psvc_actor *agent(void) {
  static psvc_actor a = PSVC_ACTOR_INIT;
  a.id = "agent-1";
  a.role = PSVC_ROLE_AGENT;
  a.unit = "95598";
  return &a;
}

/* Customer `id` and a FAULT_REPAIR order "<id>-F" with n notes. */
static void add_work(psvc_ctx *ctx, const char *id, int variant, int n) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(fault_customer_full(&c, id, variant), PSVC_OK);
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  psvc_customer_free(c);
  char oid[64];
  snprintf(oid, sizeof oid, "%s-F", id);
  psvc_order_spec sp = PSVC_ORDER_SPEC_INIT;
  sp.id = oid;
  sp.type = PSVC_ORDER_FAULT_REPAIR;
  sp.channel = PSVC_CHANNEL_PHONE;
  sp.customer_id = id;
  sp.accepted_at = FAULT_NOW;
  ck_assert_msg(psvc_order_open(ctx, &sp, agent()) == PSVC_OK, "%s", psvc_errmsg(ctx));
  for (int i = 0; i < n; i++) {
    psvc_event e = PSVC_EVENT_INIT;
    e.action = PSVC_ACT_NOTE;
    e.at = FAULT_NOW + i;
    e.note = "remark";
    ck_assert_msg(psvc_order_apply(ctx, oid, &e, agent()) == PSVC_OK, "%s", psvc_errmsg(ctx));
  }
}

static char *dump(psvc_ctx *ctx) {
  char *d = fault_dump_ctx(ctx);
  ck_assert_ptr_nonnull(d);
  return d;
}

START_TEST(test_rollback_in_memory_restores_exactly) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  add_work(ctx, "C1", 0, 3);
  char *before = dump(ctx);
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  add_work(ctx, "C2", 1, 5);
  psvc_event e = PSVC_EVENT_INIT; /* change an order that existed before too */
  e.action = PSVC_ACT_DISPATCH;
  e.at = FAULT_NOW + 100;
  e.target = "crew-9";
  ck_assert_int_eq(psvc_order_apply(ctx, "C1-F", &e, agent()), PSVC_OK);
  ck_assert_int_eq(psvc_customer_delete(ctx, "C2") , PSVC_ESTATE); /* has orders */
  char *during = dump(ctx);
  ck_assert_str_ne(before, during);
  ck_assert_int_eq(psvc_ctx_rollback(ctx), PSVC_OK);
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  free(before), free(during), free(after);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_commit_in_memory_keeps_everything) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  add_work(ctx, "C1", 0, 2);
  char *during = dump(ctx);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_OK);
  char *after = dump(ctx);
  ck_assert_str_eq(during, after);
  free(during), free(after);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_misuse_estate_and_einval) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_begin(NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_ctx_commit(NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_ctx_rollback(NULL), PSVC_EINVAL);
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_ESTATE);
  ck_assert_int_eq(psvc_ctx_rollback(ctx), PSVC_ESTATE);
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_ESTATE);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "already open"));
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_OK);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_ESTATE);
  psvc_ctx_close(ctx);
}
END_TEST

/* With a store: one store transaction for the whole group; nothing is
   visible in the store before the commit; rollback leaves the store and
   the context as they were. */
START_TEST(test_store_one_transaction_per_group) {
  psvc_store s;
  fault_mem *m = fault_mem_new();
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  add_work(ctx, "C1", 0, 1);
  fault_mem *committed = fault_mem_snapshot(m);
  char *before = dump(ctx);
  long commits = m->commits;
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  add_work(ctx, "C2", 1, 10);
  ck_assert(fault_mem_equal(m, committed)); /* staged only */
  ck_assert_int_eq(psvc_ctx_rollback(ctx), PSVC_OK);
  ck_assert(fault_mem_equal(m, committed));
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  ck_assert_int_eq(m->commits, commits);

  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  add_work(ctx, "C3", 2, 10);
  ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_OK);
  ck_assert_int_eq(m->commits, commits + 1); /* 1 customer + 1 order + 10 events: one commit */
  char *done = dump(ctx);
  psvc_ctx_close(ctx);
  fault_mem_store(m, &s); /* reopen on the same records */
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  char *reread = dump(ctx);
  ck_assert_str_eq(done, reread);
  free(before), free(after), free(done), free(reread);
  psvc_ctx_close(ctx);
  fault_mem_free(committed);
  fault_mem_free(m);
}
END_TEST

/* A store failure inside a transaction, at every k: the call fails with
   PSVC_EIO, the whole transaction is rolled back (context and store as at
   begin), and the context works on. */
START_TEST(test_store_failure_rolls_whole_transaction_back) {
  for (long k = 1;; k++) {
    psvc_store s;
    fault_mem *m = fault_mem_new();
    fault_mem_store(m, &s);
    fault_wrap w;
    fault_wrap_init(&w, &s);
    fault_wrap_store(&w, &s);
    psvc_ctx *ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
    add_work(ctx, "C1", 0, 1);
    char *before = dump(ctx);
    fault_mem *committed = fault_mem_snapshot(m);
    ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
    fault_wrap_arm(&w, k);
    int failed_at = 0, rc = PSVC_OK;
    for (int i = 0; i < 6 && rc == PSVC_OK; i++) {
      psvc_event e = PSVC_EVENT_INIT;
      e.action = PSVC_ACT_NOTE;
      e.at = FAULT_NOW + 10 + i;
      e.note = "in the transaction";
      rc = psvc_order_apply(ctx, "C1-F", &e, agent());
      failed_at = i;
    }
    if (rc == PSVC_OK)
      rc = psvc_ctx_commit(ctx);
    if (!w.failed) { /* k past the last callback: done */
      ck_assert_int_eq(rc, PSVC_OK);
      free(before);
      psvc_ctx_close(ctx);
      fault_mem_free(committed);
      fault_mem_free(m);
      break;
    }
    ck_assert_msg(rc == PSVC_EIO, "k=%ld step %d: rc %d", k, failed_at, rc);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "rolled back"));
    char *after = dump(ctx);
    ck_assert_str_eq(before, after);
    ck_assert(fault_mem_equal(m, committed));
    ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_ESTATE); /* the transaction is over */
    add_work(ctx, "C9", 3, 1);                              /* and the context works on */
    free(before), free(after);
    psvc_ctx_close(ctx);
    fault_mem_free(committed);
    fault_mem_free(m);
  }
}
END_TEST

START_TEST(test_close_with_open_transaction_keeps_nothing) {
  psvc_store s;
  fault_mem *m = fault_mem_new();
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  fault_mem *committed = fault_mem_snapshot(m);
  ck_assert_int_eq(psvc_ctx_begin(ctx), PSVC_OK);
  add_work(ctx, "C1", 0, 3);
  psvc_ctx_close(ctx);
  ck_assert(fault_mem_equal(m, committed));
  ck_assert_int_eq(m->violations, 0);
  fault_mem_free(committed);
  fault_mem_free(m);
}
END_TEST

/* Allocation failure during begin (the in-memory snapshot) and rollback
   paths: begin fails with PSVC_ENOMEM and changes nothing; no leaks. */
START_TEST(test_begin_alloc_failure_every_k) {
  fault_alloc a;
  FAULT_ALLOC_BEGIN(&a);
  for (long k = 1;; k++) {
    psvc_ctx *ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
    add_work(ctx, "C1", 0, 2);
    add_work(ctx, "C2", 1, 2);
    a.paused = true;
    char *before = dump(ctx);
    a.paused = false;
    fault_alloc_arm(&a, k);
    int rc = psvc_ctx_begin(ctx);
    fault_alloc_arm(&a, 0);
    if (rc == PSVC_OK) {
      add_work(ctx, "C3", 2, 1);
      ck_assert_int_eq(psvc_ctx_rollback(ctx), PSVC_OK);
    } else {
      ck_assert_int_eq(rc, PSVC_ENOMEM);
      ck_assert_int_eq(psvc_ctx_commit(ctx), PSVC_ESTATE);
    }
    a.paused = true;
    char *after = dump(ctx);
    a.paused = false;
    ck_assert_str_eq(before, after);
    free(before), free(after);
    psvc_ctx_close(ctx);
    if (rc == PSVC_OK)
      break;
  }
  FAULT_ALLOC_END(&a);
}
END_TEST

static Suite *txn_suite(void) {
  Suite *s = suite_create("txn");
  TCase *tc = tcase_create("txn");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_rollback_in_memory_restores_exactly);
  tcase_add_test(tc, test_commit_in_memory_keeps_everything);
  tcase_add_test(tc, test_misuse_estate_and_einval);
  tcase_add_test(tc, test_store_one_transaction_per_group);
  tcase_add_test(tc, test_store_failure_rolls_whole_transaction_back);
  tcase_add_test(tc, test_close_with_open_transaction_keeps_nothing);
  tcase_add_test(tc, test_begin_alloc_failure_every_k);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(txn_suite()); }
