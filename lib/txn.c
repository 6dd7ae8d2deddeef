/*
 * txn.c — user transactions: psvc_ctx_begin / psvc_ctx_commit /
 * psvc_ctx_rollback (API.md §2).
 *
 * How it works. Inside a transaction every mutating call writes through
 * the store's already-open transaction (psvc__store_write skips its own
 * begin and commit). Rollback must restore the in-memory state exactly, and
 * the simplest exact way is to rebuild it from what is committed:
 *   - with a store, roll the store back and reload customers, orders,
 *     notices and calls from it, through the same loaders psvc_ctx_open uses;
 *   - without one, begin takes a snapshot of all of them as stored records
 *     (the codec's format), and rollback reloads from it.
 * Everything else of the context (grants, calendars, policies, fees) is
 * configuration, not data, and is not touched. If a store callback fails
 * inside a transaction the whole transaction is rolled back (the store's
 * transaction can no longer be trusted) and the call returns PSVC_EIO.
 */
#include "internal.h"

#include <string.h>

typedef struct snaprec {
  int kind;
  char *key;
  unsigned char *data;
  size_t len;
} snaprec;

struct psvc__snapshot {
  snaprec *v;
  size_t n, cap;
};

static void snapshot_free(psvc__snapshot *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->n; i++) {
    psvc__free(s->v[i].key);
    psvc__free(s->v[i].data);
  }
  psvc__free(s->v);
  psvc__free(s);
}

/* The sink of the psvc__*_each functions: copies a record. */
static int snap_put(void *arg, int kind, const char *key, const void *data, size_t len) {
  psvc__snapshot *s = arg;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    snaprec *v = psvc__realloc(s->v, cap * sizeof *v);
    if (!v)
      return PSVC_ENOMEM;
    s->v = v;
    s->cap = cap;
  }
  snaprec r = {kind, psvc__strdup(key), psvc__malloc(len ? len : 1), len};
  if (!r.key || !r.data) {
    psvc__free(r.key);
    psvc__free(r.data);
    return PSVC_ENOMEM;
  }
  memcpy(r.data, data, len);
  s->v[s->n++] = r;
  return PSVC_OK;
}

/* Drops every customer and order and loads them again: from the store, or
   from the snapshot. */
static int reload_kind(psvc_ctx *ctx, const psvc__snapshot *snap, int kind) {
  static int (*const load[])(psvc_ctx *, const char *, const void *, size_t) = {
      [PSVC_REC_CUSTOMER] = psvc__customer_load_record,
      [PSVC_REC_ORDER] = psvc__order_load_record,
      [PSVC_REC_EVENT] = psvc__event_load_record,
      [PSVC_REC_NOTICE] = psvc__notice_load_record,
      [PSVC_REC_CALL] = psvc__call_load_record,
  };
  int rc = PSVC_OK;
  for (size_t i = 0; i < snap->n && rc == PSVC_OK; i++)
    if (snap->v[i].kind == kind)
      rc = load[kind](ctx, snap->v[i].key, snap->v[i].data, snap->v[i].len);
  return rc;
}

static int reload(psvc_ctx *ctx, const psvc__snapshot *snap) {
  psvc__calls_free(ctx);
  psvc__notices_free(ctx);
  psvc__orders_free(ctx);
  psvc__customers_free(ctx);
  if (!snap)
    return psvc__ctx_load_data(ctx);
  int rc = PSVC_OK;
  for (int kind = PSVC_REC_CUSTOMER; kind <= PSVC_REC_EVENT && rc == PSVC_OK; kind++)
    rc = reload_kind(ctx, snap, kind);
  if (rc == PSVC_OK)
    rc = psvc__orders_replay(ctx);
  if (rc == PSVC_OK)
    rc = reload_kind(ctx, snap, PSVC_REC_NOTICE);
  if (rc == PSVC_OK) /* calls name orders: after them */
    rc = reload_kind(ctx, snap, PSVC_REC_CALL);
  return rc;
}

/* Ends the transaction by rolling it back; the code of the reload. */
static int abort_txn(psvc_ctx *ctx) {
  if (ctx->has_store)
    ctx->store.rollback(ctx->store.user);
  int rc = reload(ctx, ctx->snap);
  snapshot_free(ctx->snap);
  ctx->snap = NULL;
  ctx->in_txn = false;
  return rc;
}

int psvc__txn_failed(psvc_ctx *ctx) {
  char why[PSVC_ERRMSG_MAX];
  memcpy(why, ctx->errmsg, sizeof why);
  int rc = abort_txn(ctx);
  if (rc != PSVC_OK)
    return psvc__fail(ctx, rc, "%s; rolling the transaction back failed too: the context "
                      "must be closed", why);
  return psvc__fail(ctx, PSVC_EIO, "%s; the whole transaction was rolled back", why);
}

PSVC_API int psvc_ctx_begin(psvc_ctx *ctx) {
  const char *fn = "psvc_ctx_begin";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (ctx->in_txn)
    return psvc__fail(ctx, PSVC_ESTATE, "%s: a transaction is already open", fn);
  if (ctx->has_store) {
    int rc = ctx->store.begin(ctx->store.user);
    if (rc != 0) {
      ctx->store.rollback(ctx->store.user);
      return psvc__fail(ctx, PSVC_EIO, "%s: store: begin failed (%d)", fn, rc);
    }
  } else {
    psvc__snapshot *s = psvc__calloc(1, sizeof *s);
    int rc = s ? psvc__customers_each(ctx, snap_put, s) : PSVC_ENOMEM;
    if (rc == PSVC_OK)
      rc = psvc__orders_each(ctx, snap_put, s);
    if (rc == PSVC_OK)
      rc = psvc__notices_each(ctx, snap_put, s);
    if (rc == PSVC_OK)
      rc = psvc__calls_each(ctx, snap_put, s);
    if (rc != PSVC_OK) {
      snapshot_free(s);
      return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
    }
    ctx->snap = s;
  }
  ctx->in_txn = true;
  return PSVC_OK;
}

PSVC_API int psvc_ctx_commit(psvc_ctx *ctx) {
  const char *fn = "psvc_ctx_commit";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (!ctx->in_txn)
    return psvc__fail(ctx, PSVC_ESTATE, "%s: no transaction is open", fn);
  if (ctx->has_store) {
    int rc = ctx->store.commit(ctx->store.user);
    if (rc != 0) {
      psvc__fail(ctx, PSVC_EIO, "%s: store: commit failed (%d)", fn, rc);
      return psvc__txn_failed(ctx);
    }
  }
  snapshot_free(ctx->snap);
  ctx->snap = NULL;
  ctx->in_txn = false;
  return PSVC_OK;
}

PSVC_API int psvc_ctx_rollback(psvc_ctx *ctx) {
  const char *fn = "psvc_ctx_rollback";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (!ctx->in_txn)
    return psvc__fail(ctx, PSVC_ESTATE, "%s: no transaction is open", fn);
  int rc = abort_txn(ctx);
  if (rc != PSVC_OK)
    return psvc__fail(ctx, rc, "%s: reloading the committed state failed (%s): the context "
                      "must be closed", fn, psvc_strerror(rc));
  return PSVC_OK;
}

void psvc__txn_free(psvc_ctx *ctx) {
  snapshot_free(ctx->snap);
  ctx->snap = NULL;
}
