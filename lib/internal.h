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
#define PSVC__NOTE_MAX 4096 /* notes and summaries, bytes */
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
/* Notes and summaries: non-empty, at most 4096 bytes, tabs and line breaks
   allowed. */
const char *psvc__note_problem(const char *s);
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
/* Work orders and their events (types in the order.c section below). */
struct psvc__order_rec;
struct psvc__event_rec;
int psvc__encode_order(const struct psvc__order_rec *o, psvc__buf *b);
int psvc__decode_order(const void *data, size_t len, struct psvc__order_rec *out,
                       const char **why);
int psvc__encode_event(const struct psvc__event_rec *e, psvc__buf *b);
int psvc__decode_event(const void *data, size_t len, struct psvc__event_rec *out,
                       const char **why);
/* Hotline calls and outage notices (call.c, notice.c). */
typedef struct psvc__call_rec {
  char *id, *agent, *order; /* agent, order: NULL if none */
  psvc_time arrived, answered, ended;
} psvc__call_rec;
typedef struct psvc__notice_rec {
  char *id, *unit, *feeder;
  int kind;
  psvc_time start, end, published;   /* as last published */
  psvc_time first_start, first_published;
  uint32_t changes, late_changes;    /* re-publications; T-10 ones announced late */
} psvc__notice_rec;
int psvc__encode_call(const psvc__call_rec *c, psvc__buf *b);
int psvc__decode_call(const void *data, size_t len, psvc__call_rec *out, const char **why);
void psvc__call_rec_clear(psvc__call_rec *c);
int psvc__encode_notice(const psvc__notice_rec *n, psvc__buf *b);
int psvc__decode_notice(const void *data, size_t len, psvc__notice_rec *out,
                        const char **why);
void psvc__notice_rec_clear(psvc__notice_rec *n);

/* ---- work-order lifecycle (lifecycle.c) ------------------------------------ */
#define PSVC__TYPE_MAX PSVC_ORDER_DISPATCH
#define PSVC__STATE_MAX PSVC_STATE_MERGED
#define PSVC__ACTION_MAX PSVC_ACT_NOTE
#define PSVC__ROLE_MAX PSVC_ROLE_SYSTEM
#define PSVC__SAME 0  /* step keeps the state */
#define PSVC__PREV -1 /* step returns to the state suspended from */

typedef struct psvc__step {
  unsigned types;   /* bit (1u << PSVC_ORDER_*) */
  unsigned from;    /* bit (1u << PSVC_STATE_*) */
  int action;       /* PSVC_ACT_* */
  int to;           /* PSVC_STATE_*, PSVC__SAME or PSVC__PREV */
  const char *rule; /* "W-6" */
} psvc__step;

/* Roles allowed per (type, action); action 0 is opening an order. */
typedef struct psvc__grants {
  uint16_t roles[PSVC__TYPE_MAX + 1][PSVC__ACTION_MAX + 1];
  /* 1 + the index of the step row for (type, state, action), 0 = none:
     the lifecycle table resolved once per context for O(1) lookups */
  uint8_t step[PSVC__TYPE_MAX + 1][PSVC__STATE_MAX + 1][PSVC__ACTION_MAX + 1];
} psvc__grants;

const psvc__step *psvc__lifecycle_steps(size_t *n);
/* The step for (type, state, action), or NULL: no role may do it there. */
const psvc__step *psvc__lifecycle_find(int type, int state, int action);
unsigned psvc__default_roles(int type, int action); /* bit (1u << role) */
/* psvc__lifecycle_find through the context's resolved table. */
const psvc__step *psvc__lifecycle_step(const psvc__grants *g, int type, int state, int action);
void psvc__grants_init(psvc__grants *g);

/* ---- work orders (order.c) ------------------------------------------------ */
/* Strings that repeat across orders and events (staff ids, units, customer
   ids) are interned once per context and referred to by a 32-bit id
   (0 = none): ctx->strs.tab[id] is the string. */

/* One applied action: 24 bytes. The time (0 .. 9999-12-31, under 2^40 s)
   is split into 32 + 8 bits so that no padding is needed. Notes live in
   the order's notes array, in the order of the events that have one. */
typedef struct psvc__ev {
  uint32_t at_lo;
  uint32_t actor, unit, target; /* interned */
  int32_t value;
  uint8_t at_hi, action, role, has_note;
} psvc__ev;

#define PSVC__EV_AT(o, e) ((void)(o), (psvc_time)(e)->at_hi << 32 | (psvc_time)(e)->at_lo)

/* What the history folds into (derived on replay, never stored). */
typedef struct psvc__ostate {
  uint32_t responsible, current, merged_into; /* interned */
  uint32_t urges, reopens;
  uint8_t state, suspended_from, satisfaction, escalation;
} psvc__ostate;

typedef struct psvc__order {
  psvc_time accepted_at;
  psvc__ev *ev;
  char **notes;   /* owned texts of the events' notes */
  char *summary;  /* owned */
  uint32_t nev, cap, nnotes, capnotes;
  uint32_t customer, opened_by, opened_unit; /* interned */
  uint32_t in[2], slot[2]; /* the two unit indexes: bucket (unit id) and slot */
  psvc__ostate st;
  uint8_t type, channel, area, subtype, opened_role;
  char id[]; /* the order id */
} psvc__order;

/* The open orders held by one unit (current unit, or opening unit while
   no unit holds it): psvc_handover and psvc_order_find by unit. */
typedef struct psvc__bucket {
  psvc__order **v;
  uint32_t n, cap;
} psvc__bucket;

typedef struct psvc__strs {
  char **tab;             /* id -> string; tab[0] unused */
  /* id -> orders of that unit, in two indexes: [IDX_HELD] the open orders
     it holds (current unit, or opening unit while none holds it), for
     psvc_handover; [IDX_CURRENT] every order whose current unit it is, for
     psvc_order_find by unit */
  psvc__bucket *buckets[2];
  uint32_t n, cap;
} psvc__strs;

/* A decoded EVENT or ORDER record: owned strings (codec.c). */
typedef struct psvc__event_rec {
  char *actor, *unit, *target, *note;
  psvc_time at;
  int32_t value;
  int action, role;
} psvc__event_rec;

typedef struct psvc__order_rec {
  char *id, *customer, *summary, *opened_by, *opened_unit;
  psvc_time accepted_at;
  int type, channel, area, subtype, opened_role;
} psvc__order_rec;

void psvc__event_rec_clear(psvc__event_rec *r);
void psvc__order_rec_clear(psvc__order_rec *r);

int psvc__orders_init(psvc_ctx *ctx);
void psvc__orders_free(psvc_ctx *ctx);
/* Loading at open: ORDER records, then EVENT records, then the replay. */
int psvc__order_load_record(psvc_ctx *ctx, const char *key, const void *data,
                            size_t len);
int psvc__event_load_record(psvc_ctx *ctx, const char *key, const void *data,
                            size_t len);
int psvc__orders_replay(psvc_ctx *ctx);
bool psvc__customer_has_orders(const psvc_ctx *ctx, const char *customer_id);
/* The interned string of id (NULL for 0). */
const char *psvc__str(const psvc_ctx *ctx, uint32_t id);

/* ---- calendars (calendar.c) ------------------------------------------------ */
int64_t psvc__days_from_civil(int y, int m, int d);
void psvc__civil_from_days(int64_t days, int *y, int *m, int *d);
bool psvc__valid_date(int y, int m, int d); /* 1970-01-01 .. 9999-12-31 */
psvc_calendar *psvc__calendar_dup(const psvc_calendar *c);
int psvc__calendar_offset(const psvc_calendar *c);
int psvc__calendar_windows(const psvc_calendar *c, int wd, int *open, int *close, int max);
int psvc__calendar_day_profile(const psvc_calendar *c, int64_t day);
/* Parser support: put a holiday (prof 0) or make-up day (1..7) without
   rebuilding; rebuild once at the end. EINVAL on a conflicting day. */
int psvc__calendar_put_day(psvc_calendar *c, int64_t day, int prof);
int psvc__calendar_rebuild(psvc_calendar *c);
void psvc__calendar_set_offset(psvc_calendar *c, int offset_min);
void psvc__calendar_replace(psvc_calendar *dst, psvc_calendar *src);
/* Plain PSVC_OK / PSVC_ERANGE, no message: for the SLA engine. */
int psvc__cal_add_seconds(const psvc_calendar *c, psvc_time t, int64_t secs, psvc_time *out);
int psvc__cal_add_workdays(const psvc_calendar *c, psvc_time t, int64_t days, psvc_time *out);
int64_t psvc__cal_secs_at(const psvc_calendar *c, psvc_time t); /* business s since 1970 */
int64_t psvc__cal_local_day(const psvc_calendar *c, psvc_time t);

/* ---- SLA (sla.c) ------------------------------------------------------------- */
struct psvc__policy;
/* The policy set of a context: a profile plus overrides, and the cache of
   resolved rows per (metric, type, subtype, customer class, area). */
typedef struct psvc__sla_state {
  const struct profile *profile;
  struct psvc__policy *overrides;
  size_t noverrides, capoverrides;
  int16_t cache[8 * 10 * 8 * 5 * 4];
} psvc__sla_state;

int psvc__sla_init(psvc_ctx *ctx);
void psvc__sla_free(psvc_ctx *ctx);
/* The clock of one metric as of now; out->size must be set. */
int psvc__order_sla(psvc_ctx *ctx, const struct psvc__order *o, int metric, psvc_time now,
                    psvc_sla *out);
/* Earliest deadline of a running clock (PSVC_TIME_MAX + 1: none runs). */
psvc_time psvc__order_urgency(psvc_ctx *ctx, const struct psvc__order *o, psvc_time now);
bool psvc__order_crossed(psvc_ctx *ctx, const struct psvc__order *o, int metric,
                         psvc_time from, psvc_time to);
psvc_calendar *psvc__calendar_whole_days(const psvc_calendar *c);

/* ---- paid vs free (boundary.c) ------------------------------------------ */
void psvc__fees_free(psvc_ctx *ctx);

/* ---- user transactions (txn.c) -------------------------------------------- */
typedef struct psvc__snapshot psvc__snapshot;
/* Receives one record of a snapshot (kind, key, bytes); PSVC_OK or ENOMEM. */
typedef int (*psvc__record_fn)(void *arg, int kind, const char *key, const void *data,
                               size_t len);
int psvc__customers_each(psvc_ctx *ctx, psvc__record_fn fn, void *arg);
int psvc__orders_each(psvc_ctx *ctx, psvc__record_fn fn, void *arg);
/* A store callback failed inside a user transaction (message in errmsg):
   rolls the whole transaction back and returns PSVC_EIO. */
int psvc__txn_failed(psvc_ctx *ctx);
void psvc__txn_free(psvc_ctx *ctx);
/* ctx.c: scans customers, orders and events from the store and replays. */
int psvc__ctx_load_data(psvc_ctx *ctx);

/* ---- calls (call.c) and notices (notice.c) --------------------------------- */
/* A call and a notice are held as their decoded records (owned strings). */
int psvc__call_load_record(psvc_ctx *ctx, const char *key, const void *data, size_t len);
int psvc__notice_load_record(psvc_ctx *ctx, const char *key, const void *data, size_t len);
int psvc__calls_each(psvc_ctx *ctx, psvc__record_fn fn, void *arg);
int psvc__notices_each(psvc_ctx *ctx, psvc__record_fn fn, void *arg);
void psvc__calls_free(psvc_ctx *ctx);
void psvc__notices_free(psvc_ctx *ctx);
/* The end of the call that produced the order (of the calls naming it, the
   earliest to arrive, then the smallest id), 0 if none: where its T-2
   DISPATCH clock starts. */
psvc_time psvc__order_call_end(const psvc_ctx *ctx, const char *order_id);
/* The limit and rule of a notice kind's lead time (T-7 ... T-9). */
int64_t psvc__notice_lead(int kind, const char **rule);
/* Judges a notice record's lead times into *out (metric NOTICE_LEAD). */
void psvc__notice_judge(const psvc__notice_rec *n, psvc_sla *out);
/* sla.c: the ANSWER policy (metric ANSWER, any type and area): its limit
   in seconds, and the escalation level an answer after `elapsed` reached. */
int64_t psvc__call_answer_limit(psvc_ctx *ctx);
int psvc__call_answer_level(psvc_ctx *ctx, int64_t elapsed, int64_t limit);
/* sla.c, for the report: the T-2 target (the DISPATCH policy for any
   type, seconds) and the UTC offset of the "default" calendar (minutes). */
int64_t psvc__dispatch_target(psvc_ctx *ctx);
int psvc__ctx_utc_offset(psvc_ctx *ctx);
/* The ANSWER clock of a call record into *out. */
void psvc__call_judge(psvc_ctx *ctx, const psvc__call_rec *c, psvc_sla *out);

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
  psvc__map orders;    /* id -> psvc__order* (owned) */
  psvc__map strings;   /* interned string -> its id (ctx->strs) */
  psvc__strs strs;
  struct psvc__pending *pending; /* EVENT records read at open, before replay */
  size_t npending, cappending;
  psvc__grants grants; /* roles per (type, action), psvc_permit */
  psvc__map calendars; /* name -> psvc__cal* (owned), sla.c */
  psvc__sla_state sla;
  psvc__map fees;      /* service code -> fee (boundary.c) */
  psvc__map calls;     /* id -> psvc__call_rec* (owned), call.c */
  psvc__map order_calls; /* order id -> the first psvc__call_rec* recorded for it */
  psvc__map notices;   /* id -> psvc__notice_rec* (owned), notice.c */
  bool in_txn;         /* psvc_ctx_begin .. commit / rollback (txn.c) */
  psvc__snapshot *snap; /* without a store: the state at begin */
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
