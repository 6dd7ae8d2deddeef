/*
 * test_ctx.c — lib/ctx.c through the public API: version, status texts,
 * error messages, the allocator hook, opening and closing contexts, store
 * validation and loading a store at open.
 */
#include "fault.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A store on a fresh in-memory store; the caller frees m. */
static fault_mem *new_mem(psvc_store *s) {
  fault_mem *m = fault_mem_new();
  fault_mem_store(m, s);
  return m;
}

/* Saves n full customers "cust-0".. into a fresh mem store and closes the
   context again; returns the store with its records. */
static fault_mem *populated_mem(int n) {
  psvc_store s;
  fault_mem *m = new_mem(&s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  for (int i = 0; i < n; i++) {
    char id[32];
    snprintf(id, sizeof id, "cust-%d", i);
    psvc_customer *c = NULL;
    ck_assert_int_eq(fault_customer_full(&c, id, i), PSVC_OK);
    ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
    psvc_customer_free(c);
  }
  psvc_ctx_close(ctx);
  ck_assert_int_eq(m->close_calls, 1);
  m->close_calls = 0;
  return m;
}

/* ---- version ------------------------------------------------------------------ */

START_TEST(test_version_string_and_number) {
  ck_assert_str_eq(psvc_version(), "1.0.0");
  ck_assert_str_eq(psvc_version(), PSVC_VERSION_STRING);
  ck_assert_int_eq(psvc_version_number(), 10000);
  ck_assert_int_eq(psvc_version_number(), PSVC_VERSION_NUMBER);
  ck_assert_int_eq(PSVC_VERSION_MAJOR, 1);
  ck_assert_int_eq(PSVC_VERSION_MINOR, 0);
  ck_assert_int_eq(PSVC_VERSION_PATCH, 0);
  char built[32];
  snprintf(built, sizeof built, "%d.%d.%d", PSVC_VERSION_MAJOR, PSVC_VERSION_MINOR,
           PSVC_VERSION_PATCH);
  ck_assert_str_eq(psvc_version(), built);
  ck_assert_int_eq(psvc_version_number(),
                   PSVC_VERSION_MAJOR * 10000 + PSVC_VERSION_MINOR * 100 + PSVC_VERSION_PATCH);
}
END_TEST

/* ---- status texts -------------------------------------------------------------- */

START_TEST(test_strerror_every_code) {
  static const struct {
    int code, value;
    const char *word; /* a word the text must contain */
  } codes[] = {
      {PSVC_OK, 0, "success"},           {PSVC_EINVAL, -1, "invalid"},
      {PSVC_ENOMEM, -2, "memory"},       {PSVC_ENOTFOUND, -3, "not found"},
      {PSVC_EEXIST, -4, "exists"},       {PSVC_ESTATE, -5, "state"},
      {PSVC_EPERM, -6, "role"},          {PSVC_EIO, -7, "storage"},
      {PSVC_ECORRUPT, -8, "corrupt"},    {PSVC_ERANGE, -9, "range"},
      {PSVC_EPARSE, -10, "malformed"},
  };
  const size_t n = sizeof codes / sizeof codes[0];
  const char *unknown = psvc_strerror(-11);
  ck_assert_ptr_nonnull(unknown);
  for (size_t i = 0; i < n; i++) {
    ck_assert_int_eq(codes[i].code, codes[i].value);
    const char *t = psvc_strerror(codes[i].code);
    ck_assert_ptr_nonnull(t);
    ck_assert_msg(strstr(t, codes[i].word) != NULL, "strerror(%d) = '%s' lacks '%s'",
                  codes[i].code, t, codes[i].word);
    ck_assert_str_ne(t, unknown);
    for (size_t j = 0; j < i; j++)
      ck_assert_str_ne(t, psvc_strerror(codes[j].code));
  }
}
END_TEST

START_TEST(test_strerror_unknown_codes) {
  static const int unknown[] = {1, 2, 100, -11, -12, -1000, INT_MAX, INT_MIN};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    const char *t = psvc_strerror(unknown[i]);
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t, "unknown status");
  }
}
END_TEST

/* ---- error messages -------------------------------------------------------------- */

START_TEST(test_errmsg_thread_message) {
  ck_assert_ptr_nonnull(psvc_errmsg(NULL));
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, ""), PSVC_EINVAL);
  ck_assert_ptr_null(c);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "empty"));
  ck_assert_int_eq(psvc_customer_new(&c, "bad id"), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "A-Z"));
}
END_TEST

START_TEST(test_errmsg_per_ctx) {
  psvc_ctx *a = NULL, *b = NULL;
  ck_assert_int_eq(psvc_ctx_open(&a, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_ctx_open(&b, NULL), PSVC_OK);
  ck_assert_str_eq(psvc_errmsg(a), ""); /* no failure yet */

  /* a no-context failure sets the thread message ... */
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, ""), PSVC_EINVAL);
  char thread_before[512];
  snprintf(thread_before, sizeof thread_before, "%s", psvc_errmsg(NULL));

  /* ... a context failure sets only that context's message */
  ck_assert_int_eq(psvc_customer_load(a, "missing-one", &c), PSVC_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(a), "missing-one"));
  ck_assert_str_eq(psvc_errmsg(b), "");
  ck_assert_str_eq(psvc_errmsg(NULL), thread_before);

  ck_assert_int_eq(psvc_customer_delete(b, "other-one"), PSVC_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(b), "other-one"));
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(a), "missing-one"));
  psvc_ctx_close(a);
  psvc_ctx_close(b);
}
END_TEST

/* ---- allocator hook ------------------------------------------------------------- */

static void *dummy_malloc(void *u, size_t n) {
  (void)u;
  return malloc(n);
}
static void *dummy_realloc(void *u, void *p, size_t n) {
  (void)u;
  return realloc(p, n);
}
static void dummy_free(void *u, void *p) {
  (void)u;
  free(p);
}

START_TEST(test_set_allocator_size_smaller_than_v1) {
  psvc_allocator a = {0, dummy_malloc, dummy_realloc, dummy_free, NULL};
  static const uint32_t sizes[] = {0, 1, 4, (uint32_t)(sizeof(psvc_allocator) - 1),
                                   (uint32_t)offsetof(psvc_allocator, user)};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    a.size = sizes[i];
    ck_assert_int_eq(psvc_set_allocator(&a), PSVC_EINVAL);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "size"));
  }
}
END_TEST

START_TEST(test_set_allocator_missing_function) {
  for (int missing = 0; missing < 3; missing++) {
    psvc_allocator a = {sizeof(psvc_allocator), dummy_malloc, dummy_realloc, dummy_free, NULL};
    if (missing == 0)
      a.malloc_fn = NULL;
    else if (missing == 1)
      a.realloc_fn = NULL;
    else
      a.free_fn = NULL;
    ck_assert_int_eq(psvc_set_allocator(&a), PSVC_EINVAL);
  }
  /* a rejected allocator was not installed: the counting one still sees
     every allocation afterwards */
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  psvc_allocator bad = {sizeof(psvc_allocator), NULL, dummy_realloc, dummy_free, NULL};
  ck_assert_int_eq(psvc_set_allocator(&bad), PSVC_EINVAL);
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "A1"), PSVC_OK);
  ck_assert_int_ge(fa.live_blocks, 1);
  psvc_customer_free(c);
  FAULT_ALLOC_END(&fa);
}
END_TEST

START_TEST(test_set_allocator_larger_size_accepted) {
  struct {
    psvc_allocator a;
    void *future_member;
  } big = {{0, dummy_malloc, dummy_realloc, dummy_free, NULL}, NULL};
  big.a.size = sizeof big;
  ck_assert_int_eq(psvc_set_allocator(&big.a), PSVC_OK);
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "A1"), PSVC_OK);
  psvc_customer_free(c);
  ck_assert_int_eq(psvc_set_allocator(NULL), PSVC_OK);
}
END_TEST

START_TEST(test_set_allocator_estate_while_alive) {
  /* libc allocator: a live object blocks installing another one */
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "A1"), PSVC_OK);
  fault_alloc fa;
  ck_assert_int_eq(fault_alloc_install(&fa), PSVC_ESTATE);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "alive"));
  psvc_customer_free(c);

  /* counting allocator installed: every allocation goes through it, and
     it cannot be removed while its blocks are alive */
  FAULT_ALLOC_BEGIN(&fa);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  ck_assert_int_eq(fault_customer_full(&c, "A1", 2), PSVC_OK);
  ck_assert_int_ge(fa.live_blocks, 3); /* ctx, customer, its id */
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  ck_assert_int_eq(psvc_set_allocator(NULL), PSVC_ESTATE);
  psvc_customer_free(c);
  ck_assert_int_eq(psvc_set_allocator(NULL), PSVC_ESTATE); /* ctx holds a copy */
  ck_assert_int_gt(fa.live_blocks, 0);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(fa.live_blocks, 0);
  ck_assert_uint_eq(fa.live_bytes, 0);
  FAULT_ALLOC_END(&fa);
}
END_TEST

START_TEST(test_set_allocator_null_restores_libc) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "A1"), PSVC_OK);
  long seen = fa.total;
  ck_assert_int_gt(seen, 0);
  psvc_customer_free(c);
  FAULT_ALLOC_END(&fa);
  /* after NULL, the counting allocator sees nothing more */
  ck_assert_int_eq(psvc_customer_new(&c, "A2"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_name(c, "x"), PSVC_OK);
  ck_assert_int_eq(fa.total, seen);
  psvc_customer_free(c);
  ck_assert_int_eq(psvc_set_allocator(NULL), PSVC_OK); /* idempotent */
}
END_TEST

/* ---- opening and closing ----------------------------------------------------------- */

START_TEST(test_ctx_open_null_store_in_memory) {
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  ck_assert_ptr_nonnull(ctx);
  psvc_customer *c = NULL, *back = NULL;
  ck_assert_int_eq(fault_customer_full(&c, "mem-1", 0), PSVC_OK);
  ck_assert_int_eq(psvc_customer_save(ctx, c), PSVC_OK);
  ck_assert_int_eq(psvc_customer_load(ctx, "mem-1", &back), PSVC_OK);
  char *x = fault_dump_customer(c), *y = fault_dump_customer(back);
  ck_assert_str_eq(x, y);
  free(x);
  free(y);
  psvc_customer_free(c);
  psvc_customer_free(back);
  psvc_ctx_close(ctx);
  psvc_ctx_close(NULL); /* accepted */
  /* a new in-memory context starts empty */
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  ck_assert_int_eq(psvc_customer_load(ctx, "mem-1", &back), PSVC_ENOTFOUND);
  psvc_ctx_close(ctx);
}
END_TEST

START_TEST(test_ctx_open_null_out) {
  ck_assert_int_eq(psvc_ctx_open(NULL, NULL), PSVC_EINVAL);
  psvc_store s;
  fault_mem *m = new_mem(&s);
  ck_assert_int_eq(psvc_ctx_open(NULL, &s), PSVC_EINVAL);
  ck_assert_int_eq(m->close_calls, 1); /* the store is closed even then */
  ck_assert_int_eq(m->begins, 0);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_ctx_open_mem_store_writes_meta) {
  psvc_store s;
  fault_mem *m = new_mem(&s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  ck_assert_ptr_nonnull(ctx);
  ck_assert_uint_eq(fault_mem_count(m, 0), 1);
  const fault_rec *meta = fault_mem_raw_get(m, PSVC_REC_META, "format");
  ck_assert_ptr_nonnull(meta);
  ck_assert_uint_ge(meta->len, 2);
  ck_assert_int_eq(meta->data[1], PSVC_REC_META);
  ck_assert_int_eq(m->commits, 1);
  ck_assert_int_eq(m->violations, 0);
  ck_assert_int_eq(m->close_calls, 0);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(m->close_calls, 1);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_ctx_close_frees_store_when_asked) {
  /* the mem store's free_on_close mode: the context is the last owner; ASan
     and the counters below catch a double close or a missing one */
  psvc_store s;
  fault_mem *m = new_mem(&s);
  fault_wrap w;
  fault_wrap_init(&w, &s);
  fault_wrap_store(&w, &s);
  m->free_on_close = true;
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  ck_assert_int_eq(w.close_calls, 0);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(w.close_calls, 1);
}
END_TEST

START_TEST(test_ctx_open_store_bad_abi) {
  static const uint32_t abis[] = {0, 2, 0xFFFFFFFFu};
  for (size_t i = 0; i < sizeof abis / sizeof abis[0]; i++) {
    psvc_store s;
    fault_mem *m = new_mem(&s);
    s.abi = abis[i];
    psvc_ctx *ctx = (psvc_ctx *)&s; /* must stay untouched */
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_EINVAL);
    ck_assert_ptr_eq(ctx, (psvc_ctx *)&s);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "abi"));
    ck_assert_int_eq(m->close_calls, 1);
    ck_assert_int_eq(m->begins + m->scans, 0);
    fault_mem_free(m);
  }
}
END_TEST

START_TEST(test_ctx_open_store_missing_callback) {
  for (int which = 0; which < 7; which++) {
    psvc_store s;
    fault_mem *m = new_mem(&s);
    switch (which) {
    case 0: s.begin = NULL; break;
    case 1: s.commit = NULL; break;
    case 2: s.rollback = NULL; break;
    case 3: s.put = NULL; break;
    case 4: s.get = NULL; break;
    case 5: s.del = NULL; break;
    default: s.scan = NULL; break;
    }
    psvc_ctx *ctx = NULL;
    ck_assert_msg(psvc_ctx_open(&ctx, &s) == PSVC_EINVAL, "callback %d missing", which);
    ck_assert_ptr_null(ctx);
    ck_assert_msg(m->close_calls == 1, "callback %d missing: close called %d times", which,
                  m->close_calls);
    ck_assert_int_eq(fault_mem_count(m, 0), 0);
    fault_mem_free(m);
  }
}
END_TEST

START_TEST(test_ctx_open_store_without_close) {
  /* close is optional */
  psvc_store s;
  fault_mem *m = new_mem(&s);
  s.close = NULL;
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(m->close_calls, 0);
  ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_META), 1);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_ctx_reopen_loads_records) {
  fault_mem *m = populated_mem(4);
  ck_assert_uint_eq(fault_mem_count(m, PSVC_REC_CUSTOMER), 4);
  fault_mem *before = fault_mem_snapshot(m);

  psvc_store s;
  fault_wrap w;
  fault_mem_store(m, &s);
  fault_wrap_init(&w, &s);
  fault_wrap_store(&w, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  ck_assert_int_eq(w.begins, 0); /* opening a store with records writes nothing */
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), 4);
  for (int i = 0; i < 4; i++) {
    char id[32];
    snprintf(id, sizeof id, "cust-%d", i);
    ck_assert_str_eq(psvc_list_id(l, (size_t)i), id);
    psvc_customer *want = NULL, *got = NULL;
    ck_assert_int_eq(fault_customer_full(&want, id, i), PSVC_OK);
    ck_assert_int_eq(psvc_customer_load(ctx, id, &got), PSVC_OK);
    char *x = fault_dump_customer(want), *y = fault_dump_customer(got);
    ck_assert_str_eq(x, y);
    free(x);
    free(y);
    psvc_customer_free(want);
    psvc_customer_free(got);
  }
  psvc_list_free(l);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(w.close_calls, 1);
  ck_assert(fault_mem_equal(m, before));
  fault_mem_free(before);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_ctx_open_adds_missing_meta) {
  /* records without a meta record (e.g. written by an importer): the
     customers load and the meta record is added in one transaction */
  fault_mem *m = populated_mem(2);
  fault_mem_raw_del(m, PSVC_REC_META, "format");
  psvc_store s;
  fault_mem_store(m, &s);
  long commits = m->commits;
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  ck_assert_int_eq(m->commits, commits + 1);
  ck_assert_ptr_nonnull(fault_mem_raw_get(m, PSVC_REC_META, "format"));
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc_customer_list(ctx, &l), PSVC_OK);
  ck_assert_uint_eq(psvc_list_count(l), 2);
  psvc_list_free(l);
  psvc_ctx_close(ctx);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_ctx_open_scan_fails_eio) {
  static const int rcs[] = {-1, 1, PSVC_EIO, 12345};
  for (size_t i = 0; i < sizeof rcs / sizeof rcs[0]; i++) {
    fault_mem *m = populated_mem(1);
    psvc_store s;
    fault_mem_store(m, &s);
    m->scan_rc = rcs[i];
    psvc_ctx *ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_EIO);
    ck_assert_ptr_null(ctx);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "scan"));
    ck_assert_int_eq(m->close_calls, 1);
    fault_mem_free(m);
  }
}
END_TEST

START_TEST(test_ctx_open_meta_write_fails_eio) {
  /* an empty store gets its meta record at open: begin, put, commit */
  for (long k = 1; k <= 3; k++) {
    psvc_store s;
    fault_mem *m = new_mem(&s);
    fault_wrap w;
    fault_wrap_init(&w, &s);
    fault_wrap_store(&w, &s);
    fault_wrap_arm(&w, k);
    psvc_ctx *ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_EIO);
    ck_assert_ptr_null(ctx);
    ck_assert(w.failed);
    ck_assert(w.rollback_after_failure);
    ck_assert_int_eq(w.close_calls, 1);
    ck_assert_int_eq(m->close_calls, 1);
    ck_assert_uint_eq(fault_mem_count(m, 0), 0);
    ck_assert(!m->in_txn);
    fault_mem_free(m);
  }
}
END_TEST

START_TEST(test_ctx_open_corrupt_customer_record) {
  fault_mem *m = populated_mem(2);
  static const unsigned char garbage[][6] = {
      {0x01, PSVC_REC_CUSTOMER, 0xFF, 0xFF, 0xFF, 0xFF}, /* truncated varint */
      {0x07, PSVC_REC_CUSTOMER, 0x0A, 0x01, 'X', 0x00},  /* unknown format version */
      {0x01, PSVC_REC_ORDER, 0x0A, 0x01, 'X', 0x00},     /* wrong kind */
  };
  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
    fault_mem *t = fault_mem_snapshot(m);
    fault_mem_raw_put(t, PSVC_REC_CUSTOMER, "cust-9", garbage[i], sizeof garbage[i]);
    psvc_store s;
    fault_mem_store(t, &s);
    psvc_ctx *ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_ECORRUPT);
    ck_assert_ptr_null(ctx);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "cust-9"));
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "corrupt"));
    ck_assert_int_eq(t->close_calls, 1);
    fault_mem_free(t);
  }
  fault_mem_free(m);
}
END_TEST

START_TEST(test_ctx_open_record_under_wrong_key) {
  /* a valid customer record stored under another customer's key */
  fault_mem *m = populated_mem(1);
  const fault_rec *r = fault_mem_raw_get(m, PSVC_REC_CUSTOMER, "cust-0");
  ck_assert_ptr_nonnull(r);
  fault_mem_raw_put(m, PSVC_REC_CUSTOMER, "cust-7", r->data, r->len);
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_ECORRUPT);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "cust-7"));
  ck_assert_int_eq(m->close_calls, 1);
  fault_mem_free(m);
}
END_TEST

/* A store that reports every record twice (a broken backend, or two keys
   that collide): the second copy of a customer is corrupt data, not a
   silent replacement. */
static psvc_store twice_inner;

static int scan_twice(void *user, int kind,
                      int (*each)(void *arg, const char *key, const void *data, size_t len),
                      void *arg) {
  int rc = twice_inner.scan(user, kind, each, arg);
  return rc ? rc : twice_inner.scan(user, kind, each, arg);
}

START_TEST(test_ctx_open_customer_stored_twice) {
  fault_mem *m = populated_mem(2);
  psvc_store s;
  fault_mem_store(m, &twice_inner);
  s = twice_inner;
  s.scan = scan_twice;
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_ECORRUPT);
  ck_assert_ptr_null(ctx);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "twice"));
  ck_assert_int_eq(m->close_calls, 1);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_ctx_open_meta_unsupported_format) {
  fault_mem *m = populated_mem(1);
  const fault_rec *meta = fault_mem_raw_get(m, PSVC_REC_META, "format");
  ck_assert_ptr_nonnull(meta);
  /* layout (docs/storage.md): version, kind, then field 1 (format) as a
     varint: key 0x08, value 1 */
  ck_assert_uint_ge(meta->len, 4);
  ck_assert_int_eq(meta->data[2], 0x08);
  ck_assert_int_eq(meta->data[3], 0x01);
  unsigned char bytes[128];
  ck_assert_uint_le(meta->len, sizeof bytes);
  size_t len = meta->len;
  memcpy(bytes, meta->data, len);

  bytes[3] = 0x02; /* format 2: from the future */
  fault_mem_raw_put(m, PSVC_REC_META, "format", bytes, len);
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_ECORRUPT);
  ck_assert_ptr_null(ctx);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "format 2"));
  ck_assert_int_eq(m->close_calls, 1);

  /* a meta record that does not parse at all */
  static const unsigned char broken[][3] = {
      {0x01, PSVC_REC_META, 0x08},         /* truncated */
      {0x01, PSVC_REC_CUSTOMER, 0x00},     /* wrong kind */
  };
  for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
    fault_mem_raw_put(m, PSVC_REC_META, "format", broken[i], sizeof broken[i]);
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_ECORRUPT);
    ck_assert_ptr_null(ctx);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "meta"));
  }
  ck_assert_int_eq(m->close_calls, 3);
  /* nothing was written over the bad meta record */
  ck_assert_uint_eq(fault_mem_raw_get(m, PSVC_REC_META, "format")->len, 3);
  fault_mem_free(m);
}
END_TEST

START_TEST(test_ctx_open_alloc_failure_every_k) {
  fault_mem *m = populated_mem(3);
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  /* count the allocations of one successful open */
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  fault_alloc_arm(&fa, 0);
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  long n = fa.count;
  ck_assert_int_gt(n, 3);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(fa.live_blocks, 0);

  fault_mem *before = fault_mem_snapshot(m);
  for (long k = 1; k <= n; k++) {
    m->close_calls = 0;
    fault_alloc_arm(&fa, k);
    ctx = NULL;
    int rc = psvc_ctx_open(&ctx, &s);
    ck_assert_msg(rc == PSVC_ENOMEM, "k=%ld of %ld: rc %d", k, n, rc);
    ck_assert_ptr_null(ctx);
    ck_assert_int_eq(m->close_calls, 1);
    ck_assert_msg(fa.live_blocks == 0, "k=%ld: %ld blocks leaked", k, fa.live_blocks);
    ck_assert(fault_mem_equal(m, before));
  }
  fault_alloc_arm(&fa, n + 1);
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  psvc_ctx_close(ctx);
  fault_mem_free(before);
  fault_mem_free(m);
  FAULT_ALLOC_END(&fa);
}
END_TEST

START_TEST(test_ctx_open_alloc_failure_empty_store) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  psvc_store s;
  fault_mem *m = new_mem(&s);
  psvc_ctx *ctx = NULL;
  fault_alloc_arm(&fa, 0);
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  long n = fa.count;
  ck_assert_int_ge(n, 2); /* the context and the meta record's buffer */
  psvc_ctx_close(ctx);
  for (long k = 1; k <= n; k++) {
    fault_mem_raw_del(m, PSVC_REC_META, "format");
    m->close_calls = 0;
    fault_alloc_arm(&fa, k);
    ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_ENOMEM);
    ck_assert_ptr_null(ctx);
    ck_assert_int_eq(m->close_calls, 1);
    ck_assert_uint_eq(fault_mem_count(m, 0), 0);
    ck_assert(!m->in_txn);
    ck_assert_int_eq(fa.live_blocks, 0);
  }
  /* with a NULL store the only allocation is the context */
  fault_alloc_arm(&fa, 1);
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_ENOMEM);
  ck_assert_ptr_null(ctx);
  fault_mem_free(m);
  FAULT_ALLOC_END(&fa);
}
END_TEST

static Suite *ctx_suite(void) {
  Suite *s = suite_create("ctx");
  TCase *tc = tcase_create("version");
  tcase_add_test(tc, test_version_string_and_number);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_add_test(tc, test_strerror_every_code);
  tcase_add_test(tc, test_strerror_unknown_codes);
  tcase_add_test(tc, test_errmsg_thread_message);
  tcase_add_test(tc, test_errmsg_per_ctx);
  suite_add_tcase(s, tc);

  tc = tcase_create("allocator");
  tcase_add_test(tc, test_set_allocator_size_smaller_than_v1);
  tcase_add_test(tc, test_set_allocator_missing_function);
  tcase_add_test(tc, test_set_allocator_larger_size_accepted);
  tcase_add_test(tc, test_set_allocator_estate_while_alive);
  tcase_add_test(tc, test_set_allocator_null_restores_libc);
  suite_add_tcase(s, tc);

  tc = tcase_create("open");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_ctx_open_null_store_in_memory);
  tcase_add_test(tc, test_ctx_open_null_out);
  tcase_add_test(tc, test_ctx_open_mem_store_writes_meta);
  tcase_add_test(tc, test_ctx_close_frees_store_when_asked);
  tcase_add_test(tc, test_ctx_open_store_bad_abi);
  tcase_add_test(tc, test_ctx_open_store_missing_callback);
  tcase_add_test(tc, test_ctx_open_store_without_close);
  tcase_add_test(tc, test_ctx_reopen_loads_records);
  tcase_add_test(tc, test_ctx_open_adds_missing_meta);
  tcase_add_test(tc, test_ctx_open_scan_fails_eio);
  tcase_add_test(tc, test_ctx_open_meta_write_fails_eio);
  tcase_add_test(tc, test_ctx_open_corrupt_customer_record);
  tcase_add_test(tc, test_ctx_open_record_under_wrong_key);
  tcase_add_test(tc, test_ctx_open_customer_stored_twice);
  tcase_add_test(tc, test_ctx_open_meta_unsupported_format);
  tcase_add_test(tc, test_ctx_open_alloc_failure_every_k);
  tcase_add_test(tc, test_ctx_open_alloc_failure_empty_store);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(ctx_suite()); }
