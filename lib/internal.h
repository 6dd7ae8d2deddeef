/*
 * internal.h — private declarations shared by the files of lib/.
 *
 * Nothing here is exported: the library is built with -fvisibility=hidden
 * and only functions marked PSVC_API in powersvc.h leave the shared object.
 * Internal names start with psvc__ (two underscores) so that a stray export
 * would still be caught by the symbol test, and so they never collide with
 * the public psvc_ names.
 */
#ifndef PSVC_INTERNAL_H
#define PSVC_INTERNAL_H

#include "powersvc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define PSVC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PSVC_PRINTF(f, a)
#endif

/* ---- limits (docs/security.md lists where each is enforced) ------------ */
#define PSVC_ID_MAX 64      /* ids: 1..64 bytes of [A-Za-z0-9._-] */
#define PSVC_TEXT_MAX 256   /* names and other strings, bytes */
#define PSVC_ERRMSG_MAX 512 /* longest detail message kept */
#define PSVC_TIME_MAX ((psvc_time)253402300799) /* 9999-12-31T23:59:59Z */

/* ---- allocator (ctx.c) --------------------------------------------------- */
void *psvc__malloc(size_t n);
void *psvc__calloc(size_t n, size_t size);
void *psvc__realloc(void *p, size_t n);
void psvc__free(void *p);
char *psvc__strdup(const char *s); /* NULL in, NULL out */

/* ---- errors (ctx.c) ------------------------------------------------------ */
/* Records a message for ctx (or this thread when ctx is NULL) and returns
   code, so that callers write: return psvc__fail(ctx, PSVC_EINVAL, "..."). */
int psvc__fail(psvc_ctx *ctx, int code, const char *fmt, ...) PSVC_PRINTF(3, 4);
int psvc__vfail(psvc_ctx *ctx, int code, const char *fmt, va_list ap);
/* The message of the thread's last no-context failure, for a ctx call that
   wraps such a call and wants to copy its detail. */
const char *psvc__thread_errmsg(void);

/* ---- validation (util.c) ------------------------------------------------- */
/* 0 if s is a valid id; otherwise a static reason. */
const char *psvc__id_problem(const char *s);
/* 0 if s is a valid text of at most max bytes; otherwise a static reason. */
const char *psvc__text_problem(const char *s, size_t max);
int psvc__check_id(psvc_ctx *ctx, const char *what, const char *s);
int psvc__check_text(psvc_ctx *ctx, const char *what, const char *s);
bool psvc__utf8_valid(const char *s, size_t n);

/* ---- string-keyed hash map (util.c) --------------------------------------
   Open addressing, linear probing, backward-shift deletion. Keys are not
   copied: each key must stay valid while its entry is in the map (the usual
   case: the key is the id stored inside the value). psvc__map_reserve is
   the only call that allocates, so a mutation reserves first and can then
   insert without any possible failure. */
typedef struct psvc__map_slot {
  const char *key;
  void *value;
  uint64_t hash;
} psvc__map_slot;

typedef struct psvc__map {
  psvc__map_slot *slots;
  size_t cap; /* power of two, or 0 */
  size_t len;
} psvc__map;

uint64_t psvc__hash(const char *s);
void *psvc__map_get(const psvc__map *m, const char *key);
int psvc__map_reserve(psvc__map *m, size_t extra); /* PSVC_OK / PSVC_ENOMEM */
/* Inserts or replaces; returns the replaced value or NULL. Needs room. */
void *psvc__map_put(psvc__map *m, const char *key, void *value);
void *psvc__map_del(psvc__map *m, const char *key); /* removed value or NULL */
void psvc__map_free(psvc__map *m);                  /* values untouched */

/* ---- growable byte buffer (util.c) -------------------------------------- */
typedef struct psvc__buf {
  unsigned char *data;
  size_t len, cap;
  bool oom; /* sticky: a failed growth; the buffer keeps what it had */
} psvc__buf;

void psvc__buf_put(psvc__buf *b, const void *p, size_t n);
void psvc__buf_byte(psvc__buf *b, unsigned char c);
void psvc__buf_free(psvc__buf *b);

/* ---- list of ids (util.c) ------------------------------------------------ */
struct psvc_list {
  char **ids;
  size_t len, cap;
};
int psvc__list_new(psvc_list **out);
int psvc__list_push(psvc_list *l, const char *id); /* copies; PSVC_ENOMEM */
void psvc__list_sort(psvc_list *l);                /* bytewise */

/* ---- customers (customer.c) ---------------------------------------------- */
struct psvc_customer {
  char *id;
  char *name, *unit, *feeder, *phone, *manager;
  int relation, tariff, importance, load_class, segment, area;
  unsigned sources, usage, season;
  int32_t voltage, capacity;
  psvc_time supply_end;
};

void psvc__customer_destroy(psvc_customer *c); /* frees the strings */
/* Deep copy into a new object; NULL on out-of-memory. */
psvc_customer *psvc__customer_dup(const psvc_customer *c);
/* The first ERROR finding's rule and message, or NULL if there is none. */
const char *psvc__customer_first_error(const psvc_customer *c, const char **rule);

/* ---- codec (codec.c): the stored record format, docs/storage.md --------- */
#define PSVC_FORMAT_VERSION 1

int psvc__encode_meta(psvc__buf *b);
int psvc__decode_meta(const void *data, size_t len, uint32_t *format);
int psvc__encode_customer(const psvc_customer *c, psvc__buf *b);
/* PSVC_OK, PSVC_ENOMEM, or PSVC_ECORRUPT with a reason in *why. */
int psvc__decode_customer(const void *data, size_t len, psvc_customer **out,
                          const char **why);

/* ---- context (ctx.c) ------------------------------------------------------ */
/* One write of a mutation: a put (data != NULL) or a del. */
typedef struct psvc__write {
  int kind;
  const char *key;
  const void *data;
  size_t len;
  bool del;
} psvc__write;

struct psvc_ctx {
  psvc_store store;
  bool has_store;
  psvc__map customers; /* id -> psvc_customer* (owned) */
  char errmsg[PSVC_ERRMSG_MAX];
};

/* Runs begin -> writes -> commit on the context's store; on any failure
   calls rollback and returns PSVC_EIO with a message. Without a store it
   succeeds at once. The caller applies its in-memory change only after
   PSVC_OK. */
int psvc__store_write(psvc_ctx *ctx, const psvc__write *w, size_t n);

/* customer.c: loads one stored customer record into ctx at open. */
int psvc__customer_load_record(psvc_ctx *ctx, const char *key,
                               const void *data, size_t len);
void psvc__customers_free(psvc_ctx *ctx);

#endif /* PSVC_INTERNAL_H */
