/*
 * fault.h — the shared test harness: an in-memory store, a store wrapper
 * that fails the k-th callback, a counting allocator that fails the k-th
 * allocation, and state dumps for "nothing changed" assertions
 * (../../shared/design/TESTING.md, "Fault injection, the pattern").
 *
 * Everything here allocates with libc (malloc), never through the library's
 * allocator hook, so the harness itself is invisible to the counting
 * allocator and to the library's live-block guard. Out of memory inside the
 * harness aborts the test process: it is not the code under test.
 *
 * Typical use:
 *
 *   fault_mem *m = fault_mem_new();
 *   fault_wrap w;
 *   psvc_store s;
 *   fault_mem_store(m, &s);
 *   fault_wrap_init(&w, &s);
 *   fault_wrap_store(&w, &s);
 *   psvc_ctx_open(&ctx, &s);          // the context now owns the wrapper
 *   fault_wrap_arm(&w, k);            // fail the k-th begin/put/del/commit
 *   ...
 *   psvc_ctx_close(ctx);              // calls close; m stays alive
 *   fault_mem_free(m);
 */
#ifndef PSVC_TEST_FAULT_H
#define PSVC_TEST_FAULT_H

#include "powersvc.h"

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

/* A fixed time for tests that need a "now": 2026-09-21T14:13:20Z. Tests never
   read the wall clock. */
#define FAULT_NOW ((psvc_time)1790000000)
#define FAULT_DAY ((psvc_time)86400)

/* ---- in-memory store --------------------------------------------------------
   Records are (kind, key) -> bytes, kept sorted by kind, then key (bytewise).
   Transactions are real: begin stages, put/del add to the stage, commit
   applies the stage in order, rollback discards it. get sees the stage
   (read-your-writes) inside a transaction; scan iterates committed records of
   one kind in key order. del of an absent key succeeds (deletes are
   idempotent, as in most key-value stores).

   Protocol errors by the caller (put/del/commit outside a transaction, begin
   inside one) fail with -1 and are counted in `violations`, so a test can
   assert the library never commits them. rollback outside a transaction is
   allowed (the library calls it after a failed begin) and does nothing.

   The close callback only counts (close_calls) unless free_on_close is set:
   a test can close a context and reopen another one on the same records. */
typedef struct fault_rec {
  int kind;
  char *key;
  unsigned char *data;
  size_t len;
  bool del; /* staged operations only: a delete */
} fault_rec;

typedef struct fault_mem {
  fault_rec *recs; /* committed, sorted */
  size_t nrecs, caprecs;
  fault_rec *stage; /* staged operations, in call order */
  size_t nstage, capstage;
  bool in_txn;
  bool free_on_close;
  int close_calls;
  int violations;
  int scan_rc; /* non-zero: scan fails with it before calling `each` */
  int get_rc;  /* non-zero: get fails with it */
  long begins, commits, rollbacks, puts, dels, gets, scans;
} fault_mem;

fault_mem *fault_mem_new(void);
void fault_mem_free(fault_mem *m);                  /* NULL is fine */
void fault_mem_store(fault_mem *m, psvc_store *out); /* a store table on m */
size_t fault_mem_count(const fault_mem *m, int kind); /* committed; kind 0 = all */
/* A deep copy of the committed records (no stage, counters zero). */
fault_mem *fault_mem_snapshot(const fault_mem *m);
/* Same committed records (kinds, keys and bytes)? */
bool fault_mem_equal(const fault_mem *a, const fault_mem *b);
/* Writes / removes a committed record directly, bypassing transactions
   (to plant corrupt records). */
void fault_mem_raw_put(fault_mem *m, int kind, const char *key, const void *data,
                       size_t len);
void fault_mem_raw_del(fault_mem *m, int kind, const char *key);
/* The committed record, or NULL. */
const fault_rec *fault_mem_raw_get(const fault_mem *m, int kind, const char *key);

/* ---- failing store wrapper ----------------------------------------------------
   Forwards every callback to `inner`. Counts begin/put/del/commit calls since
   the last fault_wrap_arm; the fail_at-th of them (1-based; 0 = never) fails
   with fail_rc without being forwarded. Only one call fails per arming. */
typedef struct fault_wrap {
  psvc_store inner;
  long fail_at;
  int fail_rc; /* PSVC_EIO unless changed */
  long calls;  /* begin/put/del/commit since arming */
  long begins, puts, dels, commits, rollbacks; /* since arming */
  bool failed;                 /* the injected failure happened */
  bool rollback_after_failure; /* rollback was called after it */
  int close_calls;
} fault_wrap;

void fault_wrap_init(fault_wrap *w, const psvc_store *inner);
void fault_wrap_store(fault_wrap *w, psvc_store *out);
void fault_wrap_arm(fault_wrap *w, long k); /* resets the counters */

/* ---- counting allocator ---------------------------------------------------------
   Tracks live blocks and bytes of everything the library allocates while it
   is installed. Allocations (malloc and realloc both count) are numbered
   from the last fault_alloc_arm; the fail_at-th fails (1-based; 0 = never).
   While `paused`, allocations are neither counted nor failed (for the
   harness's own reads of library state between steps).

   Install once per test, after nothing of the library is alive, and
   uninstall at the end after freeing everything: psvc_set_allocator refuses
   (PSVC_ESTATE) while blocks are alive, which is what keeps this correct
   with CK_FORK=no too. */
typedef struct fault_alloc {
  long fail_at;
  long count; /* allocations since arming (not while paused) */
  long failures;
  long live_blocks;
  size_t live_bytes, peak_bytes;
  long total; /* every allocation since install */
  bool paused;
} fault_alloc;

int fault_alloc_install(fault_alloc *a);   /* zeroes *a; psvc_set_allocator's code */
int fault_alloc_uninstall(fault_alloc *a); /* psvc_set_allocator(NULL)'s code */
void fault_alloc_arm(fault_alloc *a, long k);

/* Check helpers for the two calls above: assert success, and on uninstall
   also that nothing leaked. */
#define FAULT_ALLOC_BEGIN(a)                                                 \
  ck_assert_msg(fault_alloc_install(a) == PSVC_OK,                           \
                "installing the counting allocator: %s", psvc_errmsg(NULL))
#define FAULT_ALLOC_END(a)                                                   \
  do {                                                                       \
    ck_assert_msg((a)->live_blocks == 0, "leak: %ld blocks (%zu bytes) alive", \
                  (a)->live_blocks, (a)->live_bytes);                        \
    ck_assert_msg(fault_alloc_uninstall(a) == PSVC_OK,                       \
                  "restoring libc allocation: %s", psvc_errmsg(NULL));       \
  } while (0)

/* ---- state dumps -----------------------------------------------------------------
   Text renderings of everything observable through the public API, for
   "the context reads back exactly as before" (compare with strcmp; the text
   shows the difference on failure). All returned strings are libc-malloc'd:
   release them with free(). */
char *fault_dump_customer(const psvc_customer *c);          /* every getter */
/* A work-order snapshot: every getter (extensions included) and every field
   of every event, in history order. */
char *fault_dump_order(const psvc_order *o);
/* Every customer in list order, each with every getter, then every order
   (psvc_order_find with an empty filter: by accepted_at, then id) as
   fault_dump_order renders it; NULL if a library call failed (e.g. an armed
   allocator: pause it first). */
char *fault_dump_ctx(psvc_ctx *ctx);

/* A customer with every field set and no ERROR findings; variant (0..3)
   varies every value. PSVC_OK or the failing setter's code. */
int fault_customer_full(psvc_customer **out, const char *id, int variant);

/* Runs a suite (CK_ENV verbosity, CK_FORK honoured); returns the exit code. */
int fault_run_suite(Suite *s);

#endif /* PSVC_TEST_FAULT_H */
