/*
 * ctx.c — the context, error messages, the allocator hook and the version.
 *
 * A context (psvc_ctx) owns everything a caller loaded or created through
 * it, plus the storage backend it writes through. Every mutation in the
 * library follows one path: prepare the new in-memory state (all
 * allocations), write it through the store with psvc__store_write (begin ->
 * put/del -> commit, rollback on any failure), and only then swap it in with
 * operations that cannot fail. A failed call therefore changes nothing.
 *
 * Error details: each context keeps the message of its last failure; calls
 * that take no context (setters, classify, calendars) leave theirs in a
 * thread-local buffer, read with psvc_errmsg(NULL).
 *
 * Allocation: all memory goes through psvc__malloc & co., which forward to
 * the allocator installed with psvc_set_allocator (libc by default). A count
 * of live allocations guards the switch: the allocator may change only when
 * nothing allocated by the current one is alive, so no block is ever freed
 * by a different allocator than the one that made it.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- version ------------------------------------------------------------ */

PSVC_API const char *psvc_version(void) { return PSVC_VERSION_STRING; }

PSVC_API int psvc_version_number(void) { return PSVC_VERSION_NUMBER; }

/* ---- status texts -------------------------------------------------------- */

static const char *const status_text[] = {
    "success",                                       /* PSVC_OK */
    "invalid argument",                              /* PSVC_EINVAL */
    "out of memory",                                 /* PSVC_ENOMEM */
    "not found",                                     /* PSVC_ENOTFOUND */
    "already exists",                                /* PSVC_EEXIST */
    "action not allowed in the current state",       /* PSVC_ESTATE */
    "role not permitted to perform the action",      /* PSVC_EPERM */
    "storage failure; nothing was changed",          /* PSVC_EIO */
    "stored data is corrupt",                        /* PSVC_ECORRUPT */
    "time or number out of range",                   /* PSVC_ERANGE */
    "malformed text input",                          /* PSVC_EPARSE */
};

PSVC_API const char *psvc_strerror(int status) {
  int n = (int)(sizeof status_text / sizeof status_text[0]);
  if (status > 0 || status <= -n)
    return "unknown status";
  return status_text[-status];
}

/* ---- error messages ------------------------------------------------------- */

static _Thread_local char thread_errmsg[PSVC_ERRMSG_MAX];

int psvc__vfail(psvc_ctx *ctx, int code, const char *fmt, va_list ap) {
  char *dst = ctx ? ctx->errmsg : thread_errmsg;
  vsnprintf(dst, PSVC_ERRMSG_MAX, fmt, ap);
  return code;
}

int psvc__fail(psvc_ctx *ctx, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  psvc__vfail(ctx, code, fmt, ap);
  va_end(ap);
  return code;
}

const char *psvc__thread_errmsg(void) { return thread_errmsg; }

PSVC_API const char *psvc_errmsg(const psvc_ctx *ctx) {
  return ctx ? ctx->errmsg : thread_errmsg;
}

/* ---- allocator ------------------------------------------------------------ */

static void *libc_malloc(void *user, size_t n) {
  (void)user;
  return malloc(n);
}
static void *libc_realloc(void *user, void *p, size_t n) {
  (void)user;
  return realloc(p, n);
}
static void libc_free(void *user, void *p) {
  (void)user;
  free(p);
}

static const psvc_allocator libc_allocator = {
    sizeof(psvc_allocator), libc_malloc, libc_realloc, libc_free, NULL};
static psvc_allocator current = {
    sizeof(psvc_allocator), libc_malloc, libc_realloc, libc_free, NULL};
static atomic_long live_blocks;

#define ALLOCATOR_V1_SIZE (offsetof(psvc_allocator, user) + sizeof(void *))

PSVC_API int psvc_set_allocator(const psvc_allocator *a) {
  if (a && a->size < ALLOCATOR_V1_SIZE)
    return psvc__fail(NULL, PSVC_EINVAL,
                      "psvc_set_allocator: size %u is smaller than v1's %u",
                      (unsigned)a->size, (unsigned)ALLOCATOR_V1_SIZE);
  if (a && (!a->malloc_fn || !a->realloc_fn || !a->free_fn))
    return psvc__fail(NULL, PSVC_EINVAL,
                      "psvc_set_allocator: malloc_fn, realloc_fn and free_fn "
                      "are all required");
  long live = atomic_load(&live_blocks);
  if (live != 0)
    return psvc__fail(NULL, PSVC_ESTATE,
                      "psvc_set_allocator: %ld blocks of the current allocator "
                      "are still alive; free every library object first",
                      live);
  const psvc_allocator *src = a ? a : &libc_allocator;
  current.malloc_fn = src->malloc_fn;
  current.realloc_fn = src->realloc_fn;
  current.free_fn = src->free_fn;
  current.user = src->user;
  return PSVC_OK;
}

void *psvc__malloc(size_t n) {
  void *p = current.malloc_fn(current.user, n ? n : 1);
  if (p)
    atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
  return p;
}

void *psvc__calloc(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size)
    return NULL;
  void *p = psvc__malloc(n * size);
  if (p)
    memset(p, 0, n * size);
  return p;
}

void *psvc__realloc(void *p, size_t n) {
  if (!p)
    return psvc__malloc(n);
  return current.realloc_fn(current.user, p, n ? n : 1);
}

void psvc__free(void *p) {
  if (!p)
    return;
  current.free_fn(current.user, p);
  atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
}

PSVC_API void psvc_free(void *p) { psvc__free(p); }

char *psvc__strdup(const char *s) {
  if (!s)
    return NULL;
  size_t n = strlen(s) + 1;
  char *d = psvc__malloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

/* ---- store plumbing ------------------------------------------------------- */

static const char *kind_name(int kind) {
  const char *n = psvc_enum_name(PSVC_DOM_RECORD, kind);
  return n ? n : "?";
}

/* Inside a user transaction: the writes only, into the open store
   transaction; a failure rolls the whole transaction back (txn.c). */
static int write_in_txn(psvc_ctx *ctx, const psvc__write *w, size_t n) {
  psvc_store *s = &ctx->store;
  for (size_t i = 0; i < n; i++) {
    int rc = w[i].del ? s->del(s->user, w[i].kind, w[i].key)
                      : s->put(s->user, w[i].kind, w[i].key, w[i].data, w[i].len);
    if (rc != 0) {
      psvc__fail(ctx, PSVC_EIO, "store: %s of %s record '%s' failed (%d)",
                 w[i].del ? "del" : "put", kind_name(w[i].kind), w[i].key, rc);
      return psvc__txn_failed(ctx);
    }
  }
  return PSVC_OK;
}

int psvc__store_write(psvc_ctx *ctx, const psvc__write *w, size_t n) {
  if (!ctx->has_store)
    return PSVC_OK;
  if (ctx->in_txn)
    return write_in_txn(ctx, w, n);
  psvc_store *s = &ctx->store;
  int rc = s->begin(s->user);
  if (rc != 0) {
    s->rollback(s->user);
    return psvc__fail(ctx, PSVC_EIO, "store: begin failed (%d); nothing was changed", rc);
  }
  for (size_t i = 0; i < n; i++) {
    rc = w[i].del ? s->del(s->user, w[i].kind, w[i].key)
                  : s->put(s->user, w[i].kind, w[i].key, w[i].data, w[i].len);
    if (rc != 0) {
      s->rollback(s->user);
      return psvc__fail(ctx, PSVC_EIO,
                        "store: %s of %s record '%s' failed (%d); nothing was changed",
                        w[i].del ? "del" : "put", kind_name(w[i].kind), w[i].key, rc);
    }
  }
  rc = s->commit(s->user);
  if (rc != 0) {
    s->rollback(s->user);
    return psvc__fail(ctx, PSVC_EIO, "store: commit failed (%d); nothing was changed", rc);
  }
  return PSVC_OK;
}

/* ---- opening: validate the store, load its records ---------------------- */

static const char *store_problem(const psvc_store *s) {
  if (s->abi != PSVC_STORE_ABI)
    return "unknown abi (expected PSVC_STORE_ABI)";
  if (!s->begin || !s->commit || !s->rollback)
    return "begin, commit and rollback are required";
  if (!s->put || !s->get || !s->del || !s->scan)
    return "put, get, del and scan are required";
  return NULL;
}

typedef struct load_state {
  psvc_ctx *ctx;
  int rc;          /* our own failure, if any, to tell it from the store's */
  bool saw_meta;
} load_state;

static int load_meta(void *arg, const char *key, const void *data, size_t len) {
  load_state *st = arg;
  uint32_t format = 0;
  (void)key;
  if (psvc__decode_meta(data, len, &format) != PSVC_OK) {
    st->rc = psvc__fail(st->ctx, PSVC_ECORRUPT, "store: meta record is malformed");
    return st->rc;
  }
  if (format != PSVC_FORMAT_VERSION) {
    st->rc = psvc__fail(st->ctx, PSVC_ECORRUPT,
                        "store: record format %u is not supported (this library "
                        "reads format %d)", (unsigned)format, PSVC_FORMAT_VERSION);
    return st->rc;
  }
  st->saw_meta = true;
  return 0;
}

static int load_customer(void *arg, const char *key, const void *data, size_t len) {
  load_state *st = arg;
  int rc = psvc__customer_load_record(st->ctx, key, data, len);
  if (rc != PSVC_OK)
    st->rc = rc;
  return rc;
}

static int load_order(void *arg, const char *key, const void *data, size_t len) {
  load_state *st = arg;
  int rc = psvc__order_load_record(st->ctx, key, data, len);
  if (rc != PSVC_OK)
    st->rc = rc;
  return rc;
}

static int load_event(void *arg, const char *key, const void *data, size_t len) {
  load_state *st = arg;
  int rc = psvc__event_load_record(st->ctx, key, data, len);
  if (rc != PSVC_OK)
    st->rc = rc;
  return rc;
}

static int load_notice(void *arg, const char *key, const void *data, size_t len) {
  load_state *st = arg;
  int rc = psvc__notice_load_record(st->ctx, key, data, len);
  if (rc != PSVC_OK)
    st->rc = rc;
  return rc;
}

static int load_call(void *arg, const char *key, const void *data, size_t len) {
  load_state *st = arg;
  int rc = psvc__call_load_record(st->ctx, key, data, len);
  if (rc != PSVC_OK)
    st->rc = rc;
  return rc;
}

static int scan_kind(psvc_ctx *ctx, load_state *st, int kind,
                     int (*each)(void *, const char *, const void *, size_t)) {
  st->rc = PSVC_OK;
  int rc = ctx->store.scan(ctx->store.user, kind, each, st);
  if (rc == 0)
    return PSVC_OK;
  if (st->rc != PSVC_OK)
    return st->rc;
  return psvc__fail(ctx, PSVC_EIO, "store: scan of %s records failed (%d)",
                    kind_name(kind), rc);
}

static int write_meta(psvc_ctx *ctx) {
  psvc__buf b = {0};
  int rc = psvc__encode_meta(&b);
  if (rc == PSVC_OK) {
    psvc__write w = {PSVC_REC_META, "format", b.data, b.len, false};
    rc = psvc__store_write(ctx, &w, 1);
  } else {
    rc = psvc__fail(ctx, rc, "out of memory encoding the meta record");
  }
  psvc__buf_free(&b);
  return rc;
}

int psvc__ctx_load_data(psvc_ctx *ctx) {
  load_state st = {ctx, PSVC_OK, false};
  int rc = scan_kind(ctx, &st, PSVC_REC_CUSTOMER, load_customer);
  if (rc == PSVC_OK)
    rc = scan_kind(ctx, &st, PSVC_REC_ORDER, load_order);
  if (rc == PSVC_OK)
    rc = scan_kind(ctx, &st, PSVC_REC_EVENT, load_event);
  if (rc == PSVC_OK)
    rc = psvc__orders_replay(ctx);
  if (rc == PSVC_OK)
    rc = scan_kind(ctx, &st, PSVC_REC_NOTICE, load_notice);
  if (rc == PSVC_OK) /* calls name orders: after them */
    rc = scan_kind(ctx, &st, PSVC_REC_CALL, load_call);
  return rc;
}

static int load_store(psvc_ctx *ctx) {
  load_state st = {ctx, PSVC_OK, false};
  int rc = scan_kind(ctx, &st, PSVC_REC_META, load_meta);
  if (rc == PSVC_OK)
    rc = psvc__ctx_load_data(ctx);
  if (rc == PSVC_OK && !st.saw_meta)
    rc = write_meta(ctx);
  return rc;
}

static void close_store(const psvc_store *s) {
  if (s && s->close)
    s->close(s->user);
}

PSVC_API int psvc_ctx_open(psvc_ctx **out, const psvc_store *store) {
  if (!out) {
    close_store(store);
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_ctx_open: out is NULL");
  }
  const char *why = store ? store_problem(store) : NULL;
  if (why) {
    close_store(store);
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_ctx_open: store %s", why);
  }
  psvc_ctx *ctx = psvc__calloc(1, sizeof *ctx);
  if (!ctx) {
    close_store(store);
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_ctx_open: out of memory");
  }
  psvc__orders_init(ctx);
  if (psvc__sla_init(ctx) != PSVC_OK) {
    psvc_ctx_close(ctx); /* closes nothing of the store yet: has_store is false */
    close_store(store);
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_ctx_open: out of memory");
  }
  if (store) {
    ctx->store = *store;
    ctx->has_store = true;
    int rc = load_store(ctx);
    if (rc != PSVC_OK) {
      psvc__fail(NULL, rc, "psvc_ctx_open: %s", ctx->errmsg);
      psvc_ctx_close(ctx);
      return rc;
    }
  }
  *out = ctx;
  return PSVC_OK;
}

PSVC_API void psvc_ctx_close(psvc_ctx *ctx) {
  if (!ctx)
    return;
  if (ctx->in_txn && ctx->has_store) /* an unfinished transaction is not kept */
    ctx->store.rollback(ctx->store.user);
  psvc__txn_free(ctx);
  psvc__calls_free(ctx);
  psvc__notices_free(ctx);
  psvc__orders_free(ctx);
  psvc__customers_free(ctx);
  psvc__sla_free(ctx);
  psvc__fees_free(ctx);
  if (ctx->has_store)
    close_store(&ctx->store);
  psvc__free(ctx);
}
