/*
 * powersvc.h — the public contract of libpowersvc.
 *
 * libpowersvc is the one place where a power utility's customer-service rules
 * live: customers and their consistency checks, 95598 work orders and their
 * lifecycles, paid/free service, time limits on business calendars.
 *
 * This header is the only one an integrator includes. Everything in it is
 * part of the stable ABI (docs/abi.md): names, numeric values and layouts
 * never change within major version 1; new items are only appended.
 *
 * Conventions (see ../docs/api.md for every function in detail):
 *  - functions that can fail return int: PSVC_OK (0) or a negative PSVC_E*
 *    code; outputs go through pointer parameters and are written on success
 *    only; a failed call changes nothing and leaves a message in psvc_errmsg;
 *  - enum-valued parameters are plain int with the fixed values below;
 *  - strings are UTF-8 and NUL-terminated, copied by the library on input; a
 *    const char * returned by a getter belongs to the object it came from;
 *  - structs that may grow start with uint32_t size (set by the *_INIT
 *    macros); no struct is passed by value, no varargs, no bitfields;
 *  - handles are opaque; every *_free / *_close accepts NULL;
 *  - a context and what was loaded from it are used by one thread at a time.
 *
 * Rule IDs (C-14, W-4, T-3, ...) refer to the project's domain rules.
 */
#ifndef POWERSVC_H
#define POWERSVC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Export macro                                                            */
/* ---------------------------------------------------------------------- */
#ifndef PSVC_API
#  if defined(_WIN32) && defined(PSVC_BUILDING_LIBRARY)
#    define PSVC_API __declspec(dllexport)
#  elif defined(_WIN32) && !defined(PSVC_STATIC)
#    define PSVC_API __declspec(dllimport)
#  elif defined(__GNUC__) && __GNUC__ >= 4
#    define PSVC_API __attribute__((visibility("default")))
#  else
#    define PSVC_API
#  endif
#endif

/* ---------------------------------------------------------------------- */
/* 1. Basics                                                               */
/* ---------------------------------------------------------------------- */

typedef int64_t psvc_time; /* seconds since 1970-01-01T00:00:00Z */

#define PSVC_VERSION_MAJOR 1
#define PSVC_VERSION_MINOR 0
#define PSVC_VERSION_PATCH 0
#define PSVC_VERSION_STRING "1.0.0"
#define PSVC_VERSION_NUMBER                                                 \
  (PSVC_VERSION_MAJOR * 10000 + PSVC_VERSION_MINOR * 100 + PSVC_VERSION_PATCH)

PSVC_API const char *psvc_version(void);        /* "1.0.0" */
PSVC_API int psvc_version_number(void);         /* MAJOR*10000+MINOR*100+PATCH */

/* Status codes. Values never change; retired codes stay reserved. */
#define PSVC_OK 0
#define PSVC_EINVAL (-1)    /* bad argument: NULL, out-of-range enum, bad string */
#define PSVC_ENOMEM (-2)
#define PSVC_ENOTFOUND (-3)
#define PSVC_EEXIST (-4)    /* duplicate id */
#define PSVC_ESTATE (-5)    /* action not allowed in the current state */
#define PSVC_EPERM (-6)     /* actor's role may not perform the action */
#define PSVC_EIO (-7)       /* storage callback failed; nothing was changed */
#define PSVC_ECORRUPT (-8)  /* stored data failed validation */
#define PSVC_ERANGE (-9)    /* time or number out of range */
#define PSVC_EPARSE (-10)   /* text input malformed */

typedef struct psvc_ctx psvc_ctx;

/* Static text for a status code, never NULL ("unknown status" if unknown). */
PSVC_API const char *psvc_strerror(int status);
/* Detail of the context's last failure ("" if none). With NULL: detail of
   this thread's last failing call that takes no context. Never NULL. */
PSVC_API const char *psvc_errmsg(const psvc_ctx *ctx);
/* Frees a char * the library returned through an out-parameter. */
PSVC_API void psvc_free(void *p);

/* Allocator hook, for embedding and out-of-memory testing. Every allocation
   the library makes goes through it. It may be changed only while nothing
   allocated by the current allocator is alive: PSVC_ESTATE otherwise.
   NULL restores libc. A size smaller than v1's, or a missing function, is
   PSVC_EINVAL. */
typedef struct psvc_allocator {
  uint32_t size;
  void *(*malloc_fn)(void *user, size_t n);
  void *(*realloc_fn)(void *user, void *p, size_t n);
  void (*free_fn)(void *user, void *p);
  void *user;
} psvc_allocator;
#define PSVC_ALLOCATOR_INIT {sizeof(psvc_allocator), 0, 0, 0, 0}
PSVC_API int psvc_set_allocator(const psvc_allocator *a);

/* Enum domains, for psvc_enum_name / psvc_enum_value. */
#define PSVC_DOM_RELATION 1
#define PSVC_DOM_TARIFF 2
#define PSVC_DOM_SOURCE 3
#define PSVC_DOM_USAGE 4
#define PSVC_DOM_SEGMENT 5
#define PSVC_DOM_AREA 6
#define PSVC_DOM_ORDER_TYPE 7
#define PSVC_DOM_CHANNEL 8
#define PSVC_DOM_STATE 9
#define PSVC_DOM_ACTION 10
#define PSVC_DOM_ROLE 11
#define PSVC_DOM_SATISFACTION 12
#define PSVC_DOM_METRIC 13
#define PSVC_DOM_SLA_STATUS 14
#define PSVC_DOM_CLOCK 15
#define PSVC_DOM_NOTICE_KIND 16
#define PSVC_DOM_SUPPLY_POINT 17
#define PSVC_DOM_LOCATION 18
#define PSVC_DOM_OWNER 19
#define PSVC_DOM_SEVERITY 20
#define PSVC_DOM_IMPORTANCE 21
#define PSVC_DOM_COMPLAINT 22
#define PSVC_DOM_REQUEST 23
#define PSVC_DOM_RECORD 24 /* extension: storage record kinds (PSVC_REC_*) */
#define PSVC_DOM_STATUS 25 /* extension: status codes (OK, EINVAL, ...) */

/* The value name alone ("LARGE_INDUSTRY"); NULL if unknown. Static text. */
PSVC_API const char *psvc_enum_name(int domain, int value);
/* Name -> value; the name is matched without regard to case and may carry
   the constant's prefix ("rural", "PSVC_AREA_RURAL"). PSVC_EINVAL if the
   domain or the name is unknown. */
PSVC_API int psvc_enum_value(int domain, const char *name, int *out);
/* Extension for bindings: the i-th (value, name) of a domain, in value
   order; PSVC_ENOTFOUND past the end, PSVC_EINVAL for an unknown domain. */
PSVC_API int psvc_enum_entry(int domain, size_t i, int *value, const char **name);

/* ---------------------------------------------------------------------- */
/* 2. Context and storage                                                  */
/* ---------------------------------------------------------------------- */

/* Record kinds, as passed to the store callbacks. */
#define PSVC_REC_META 1
#define PSVC_REC_CUSTOMER 2
#define PSVC_REC_ORDER 3
#define PSVC_REC_EVENT 4
#define PSVC_REC_NOTICE 5
#define PSVC_REC_CALL 6

#define PSVC_STORE_ABI 1

/* A pluggable storage backend. The library serialises records itself
   (docs/storage.md); a backend stores opaque bytes by (kind, key). Every
   mutation is begin -> put/del... -> commit; if any callback fails the
   library calls rollback, leaves its in-memory state as it was, and returns
   PSVC_EIO. Callbacks return 0 on success, non-zero on failure; get returns
   PSVC_ENOTFOUND when the record is absent. scan stops early, returning
   each's value, if each returns non-zero. close may be NULL. */
typedef struct psvc_store {
  uint32_t abi; /* PSVC_STORE_ABI */
  void *user;
  int (*begin)(void *user);
  int (*commit)(void *user);
  int (*rollback)(void *user);
  int (*put)(void *user, int kind, const char *key, const void *data, size_t len);
  int (*get)(void *user, int kind, const char *key,
             int (*sink)(void *arg, const void *data, size_t len), void *arg);
  int (*del)(void *user, int kind, const char *key);
  int (*scan)(void *user, int kind,
              int (*each)(void *arg, const char *key, const void *data, size_t len),
              void *arg);
  void (*close)(void *user);
} psvc_store;

/* NULL store: everything is kept in memory. psvc_ctx_open copies the table
   and owns the store from then on: it calls store->close when the context
   closes, and also when psvc_ctx_open itself fails. A store that already
   holds records is loaded. */
PSVC_API int psvc_ctx_open(psvc_ctx **out, const psvc_store *store);
PSVC_API void psvc_ctx_close(psvc_ctx *ctx);

/* The built-in crash-safe file store (docs/storage.md, "Journal file"): an
   append-only journal of checksummed frames, fdatasync before a commit
   returns, recovery of a torn tail on open (PSVC_ECORRUPT for damage before
   it), an exclusive lock (a second opener gets PSVC_EIO). Fills *out; pass
   it to psvc_ctx_open, which then owns it. */
PSVC_API int psvc_store_journal(psvc_store *out, const char *path);
/* Group many calls into one store transaction (bulk import); without them
   every mutating call is its own transaction. Rollback restores the
   in-memory state exactly. If a store callback fails inside a transaction,
   the whole transaction is rolled back and the call returns PSVC_EIO.
   PSVC_ESTATE: begin inside a transaction, commit/rollback outside one. */
PSVC_API int psvc_ctx_begin(psvc_ctx *ctx);
PSVC_API int psvc_ctx_commit(psvc_ctx *ctx);
PSVC_API int psvc_ctx_rollback(psvc_ctx *ctx);
/* Extension: what opening the journal did ("clean", or "recovered: cut N
   bytes ..."); NULL if s is not a journal store. Valid while it is open. */
PSVC_API const char *psvc_journal_report(const psvc_store *s);
/* Extension: rewrites the context's journal to its live records, atomically
   (write, fsync, rename, fsync the directory). PSVC_EINVAL if the store is
   not a journal. */
PSVC_API int psvc_ctx_compact(psvc_ctx *ctx);

/* ---------------------------------------------------------------------- */
/* 3. Customers (rules C-1 ... C-20)                                       */
/* ---------------------------------------------------------------------- */

#define PSVC_RELATION_DIRECT 1
#define PSVC_RELATION_WHOLESALE 2
#define PSVC_RELATION_TRANSFERRED 3

#define PSVC_TARIFF_RESIDENTIAL 1
#define PSVC_TARIFF_NONRES_LIGHTING 2
#define PSVC_TARIFF_COMMERCIAL 3
#define PSVC_TARIFF_GENERAL_INDUSTRY 4
#define PSVC_TARIFF_LARGE_INDUSTRY 5
#define PSVC_TARIFF_AGRICULTURE 6
#define PSVC_TARIFF_WHOLESALE 7
#define PSVC_TARIFF_GENERAL_COMMERCIAL_INDUSTRIAL 8

#define PSVC_SOURCE_HV 0x1u
#define PSVC_SOURCE_LV 0x2u
#define PSVC_SOURCE_DUAL_SOURCE 0x4u
#define PSVC_SOURCE_SELF_GENERATION 0x8u
#define PSVC_SOURCE_DEDICATED_LINE 0x10u

#define PSVC_USAGE_TEMPORARY 0x1u
#define PSVC_USAGE_SEASONAL 0x2u
#define PSVC_USAGE_IMPORTANT 0x4u

#define PSVC_IMPORTANCE_NONE 0
#define PSVC_IMPORTANCE_SPECIAL 1
#define PSVC_IMPORTANCE_FIRST 2
#define PSVC_IMPORTANCE_SECOND 3
#define PSVC_IMPORTANCE_TEMPORARY 4

#define PSVC_SEGMENT_ORDINARY 1
#define PSVC_SEGMENT_KEY_ACCOUNT 2
#define PSVC_SEGMENT_VIP 3

#define PSVC_AREA_URBAN 1
#define PSVC_AREA_RURAL 2
#define PSVC_AREA_REMOTE 3

#define PSVC_SEV_INFO 1
#define PSVC_SEV_WARNING 2
#define PSVC_SEV_ERROR 3

typedef struct psvc_customer psvc_customer; /* caller-owned value object */

/* id: 1-64 bytes of [A-Za-z0-9._-]. A new customer has every enum unset
   (0), no flags, no strings. */
PSVC_API int psvc_customer_new(psvc_customer **out, const char *id);
PSVC_API void psvc_customer_free(psvc_customer *c);
/* Extension: a deep copy. */
PSVC_API int psvc_customer_clone(const psvc_customer *c, psvc_customer **out);

/* Setters return PSVC_EINVAL on an unknown value or a bad string and then
   leave the customer unchanged. Strings are at most 256 bytes of valid
   UTF-8 without control characters; "" clears an optional string. */
PSVC_API int psvc_customer_set_name(psvc_customer *c, const char *name);
PSVC_API int psvc_customer_set_relation(psvc_customer *c, int relation);
PSVC_API int psvc_customer_set_tariff(psvc_customer *c, int tariff);
PSVC_API int psvc_customer_set_sources(psvc_customer *c, unsigned flags);
PSVC_API int psvc_customer_set_usage(psvc_customer *c, unsigned flags);
PSVC_API int psvc_customer_set_importance(psvc_customer *c, int grade);
PSVC_API int psvc_customer_set_load_class(psvc_customer *c, int cls); /* 1..3 */
PSVC_API int psvc_customer_set_segment(psvc_customer *c, int segment);
PSVC_API int psvc_customer_set_area(psvc_customer *c, int area);
PSVC_API int psvc_customer_set_voltage(psvc_customer *c, int32_t volts);   /* >= 0; 0 unknown */
PSVC_API int psvc_customer_set_capacity(psvc_customer *c, int32_t kva);    /* >= 0; 0 unknown */
PSVC_API int psvc_customer_set_supply_end(psvc_customer *c, psvc_time t); /* temporary; 0 none */
PSVC_API int psvc_customer_set_season(psvc_customer *c, unsigned month_mask); /* bit0 = Jan */
PSVC_API int psvc_customer_set_unit(psvc_customer *c, const char *unit);     /* supply unit */
PSVC_API int psvc_customer_set_feeder(psvc_customer *c, const char *feeder); /* line / area code */
PSVC_API int psvc_customer_set_phone(psvc_customer *c, const char *phone);
PSVC_API int psvc_customer_set_manager(psvc_customer *c, const char *staff_id); /* C-6 */

/* Getters never fail: with NULL they return 0 / NULL; an unset string is
   NULL. */
PSVC_API const char *psvc_customer_id(const psvc_customer *c);
PSVC_API const char *psvc_customer_name(const psvc_customer *c);
PSVC_API int psvc_customer_relation(const psvc_customer *c);
PSVC_API int psvc_customer_tariff(const psvc_customer *c);
PSVC_API unsigned psvc_customer_sources(const psvc_customer *c);
PSVC_API unsigned psvc_customer_usage(const psvc_customer *c);
PSVC_API int psvc_customer_importance(const psvc_customer *c);
PSVC_API int psvc_customer_load_class(const psvc_customer *c);
PSVC_API int psvc_customer_segment(const psvc_customer *c);
PSVC_API int psvc_customer_area(const psvc_customer *c);
PSVC_API int32_t psvc_customer_voltage(const psvc_customer *c);
PSVC_API int32_t psvc_customer_capacity(const psvc_customer *c);
PSVC_API psvc_time psvc_customer_supply_end(const psvc_customer *c);
PSVC_API unsigned psvc_customer_season(const psvc_customer *c);
PSVC_API const char *psvc_customer_unit(const psvc_customer *c);
PSVC_API const char *psvc_customer_feeder(const psvc_customer *c);
PSVC_API const char *psvc_customer_phone(const psvc_customer *c);
PSVC_API const char *psvc_customer_manager(const psvc_customer *c);

/* Consistency findings (C-10 ... C-20): (code, severity, field, message). */
typedef struct psvc_findings psvc_findings;
PSVC_API int psvc_customer_check(const psvc_customer *c, psvc_time now,
                                 psvc_findings **out);
PSVC_API size_t psvc_findings_count(const psvc_findings *f);
PSVC_API const char *psvc_findings_code(const psvc_findings *f, size_t i);  /* "C-14" */
PSVC_API int psvc_findings_severity(const psvc_findings *f, size_t i);      /* PSVC_SEV_* */
PSVC_API const char *psvc_findings_message(const psvc_findings *f, size_t i);
/* Extension: the customer field the finding is about ("tariff", ...). */
PSVC_API const char *psvc_findings_field(const psvc_findings *f, size_t i);
/* Extension: the highest severity present (0 if none). */
PSVC_API int psvc_findings_max_severity(const psvc_findings *f);
PSVC_API void psvc_findings_free(psvc_findings *f);

/* Insert or replace; refuses (PSVC_EINVAL) a customer with ERROR findings,
   naming the rule in the message. */
PSVC_API int psvc_customer_save(psvc_ctx *ctx, const psvc_customer *c);
/* Extension: insert only; PSVC_EEXIST if the id is taken (C-17). */
PSVC_API int psvc_customer_add(psvc_ctx *ctx, const psvc_customer *c);
PSVC_API int psvc_customer_load(psvc_ctx *ctx, const char *id, psvc_customer **out);
PSVC_API int psvc_customer_delete(psvc_ctx *ctx, const char *id);

/* Lists of ids (customers, orders, ...), caller-owned. */
typedef struct psvc_list psvc_list;
PSVC_API size_t psvc_list_count(const psvc_list *l);
PSVC_API const char *psvc_list_id(const psvc_list *l, size_t i); /* NULL past the end */
PSVC_API void psvc_list_free(psvc_list *l);

/* Extension: the ids of all customers, sorted bytewise. */
PSVC_API int psvc_customer_list(psvc_ctx *ctx, psvc_list **out);

/* ---------------------------------------------------------------------- */
/* 4. Work orders (rules W-1 ... W-16)                                     */
/* ---------------------------------------------------------------------- */

/* Who performs an action. The role decides what is allowed (psvc_permit);
   the unit is the actor's department, team or shift. */
typedef struct psvc_actor {
  uint32_t size;    /* sizeof(psvc_actor) */
  const char *id;   /* staff id, required (id rules) */
  int role;         /* PSVC_ROLE_* */
  const char *unit; /* may be NULL; text, at most 256 bytes */
} psvc_actor;
#define PSVC_ACTOR_INIT {sizeof(psvc_actor), 0, 0, 0}

typedef struct psvc_order_spec {
  uint32_t size;           /* sizeof(psvc_order_spec) */
  const char *id;          /* the integrator's order number, required, unique */
  int type;                /* PSVC_ORDER_* */
  int channel;             /* PSVC_CHANNEL_* */
  const char *customer_id; /* NULL = anonymous caller (not for SERVICE_REQUEST) */
  int area;                /* overrides the customer's area; 0 = the customer's */
  psvc_time accepted_at;   /* acceptance time: the SLA clocks' usual start */
  const char *summary;     /* may be NULL; at most 4096 bytes */
  int subtype;             /* COMPLAINT: PSVC_COMPLAINT_*; SERVICE_REQUEST:
                              PSVC_REQUEST_*; 0 = none (W-15, W-16) */
} psvc_order_spec;
#define PSVC_ORDER_SPEC_INIT {sizeof(psvc_order_spec), 0, 0, 0, 0, 0, 0, 0, 0}

/* Accepts a new order in state ACCEPTED. PSVC_EEXIST if the id is taken,
   PSVC_ENOTFOUND for an unknown customer, PSVC_EPERM if the role may not
   open orders. Opening is not an event: event_count starts at 0. */
PSVC_API int psvc_order_open(psvc_ctx *ctx, const psvc_order_spec *spec,
                             const psvc_actor *who);

typedef struct psvc_event {
  uint32_t size;      /* sizeof(psvc_event) */
  int action;         /* PSVC_ACT_* */
  psvc_time at;       /* not earlier than the previous event: PSVC_ERANGE */
  const char *target; /* DISPATCH / TRANSFER: unit; MERGE: surviving order id;
                         RECEIVE: receiving unit (NULL = the actor's unit) */
  int value;          /* VISIT: PSVC_SAT_*; ESCALATE: new level (0 = one up) */
  const char *note;   /* free text, at most 4096 bytes; RETURN, SUSPEND and
                         CANCEL require a reason */
} psvc_event;
#define PSVC_EVENT_INIT {sizeof(psvc_event), 0, 0, 0, 0, 0}

/* Applies one action (docs/lifecycle.md). A refused action changes nothing:
   PSVC_ESTATE (no role may do it in this state), PSVC_EPERM (this role may
   not), each with a message naming type, state, action and role. */
PSVC_API int psvc_order_apply(psvc_ctx *ctx, const char *order_id,
                              const psvc_event *ev, const psvc_actor *who);

typedef struct psvc_order psvc_order; /* caller-owned snapshot */
PSVC_API int psvc_order_load(psvc_ctx *ctx, const char *id, psvc_order **out);
PSVC_API void psvc_order_free(psvc_order *o);

/* Snapshot getters never fail: with NULL (or i past the end) they return
   0 / NULL. */
PSVC_API const char *psvc_order_id(const psvc_order *o);
PSVC_API int psvc_order_type(const psvc_order *o);
PSVC_API int psvc_order_channel(const psvc_order *o);
PSVC_API const char *psvc_order_customer(const psvc_order *o); /* NULL: anonymous */
PSVC_API int psvc_order_area(const psvc_order *o);
PSVC_API int psvc_order_state(const psvc_order *o);
PSVC_API psvc_time psvc_order_accepted_at(const psvc_order *o);
PSVC_API const char *psvc_order_responsible_unit(const psvc_order *o); /* W-4 */
PSVC_API const char *psvc_order_current_unit(const psvc_order *o);
PSVC_API int psvc_order_urge_count(const psvc_order *o);       /* W-5 */
PSVC_API int psvc_order_escalation_level(const psvc_order *o); /* W-5 */
PSVC_API int psvc_order_satisfaction(const psvc_order *o);     /* last VISIT, W-10 */
PSVC_API const char *psvc_order_merged_into(const psvc_order *o); /* W-9 */
PSVC_API size_t psvc_order_event_count(const psvc_order *o);
PSVC_API int psvc_order_event_action(const psvc_order *o, size_t i);
PSVC_API psvc_time psvc_order_event_at(const psvc_order *o, size_t i);
PSVC_API const char *psvc_order_event_actor(const psvc_order *o, size_t i);
PSVC_API int psvc_order_event_role(const psvc_order *o, size_t i);
PSVC_API const char *psvc_order_event_unit(const psvc_order *o, size_t i);
PSVC_API const char *psvc_order_event_target(const psvc_order *o, size_t i);
PSVC_API int psvc_order_event_value(const psvc_order *o, size_t i);
PSVC_API const char *psvc_order_event_note(const psvc_order *o, size_t i);
/* Extensions. */
PSVC_API int psvc_order_subtype(const psvc_order *o);
PSVC_API const char *psvc_order_summary(const psvc_order *o);
PSVC_API const char *psvc_order_opened_by(const psvc_order *o);   /* actor id */
PSVC_API int psvc_order_opened_role(const psvc_order *o);
PSVC_API const char *psvc_order_opened_unit(const psvc_order *o);
PSVC_API int psvc_order_suspended_from(const psvc_order *o); /* 0 unless SUSPENDED */
PSVC_API int psvc_order_reopen_count(const psvc_order *o);   /* UNSATISFIED visits */
PSVC_API int psvc_order_is_open(const psvc_order *o); /* not CLOSED/CANCELLED/MERGED */

/* Narrows or widens the default grants (docs/lifecycle.md) for this
   context: order_type 0 = every type; action 0 = opening an order
   (extension). allow is 0 or 1. Grants are not stored. */
PSVC_API int psvc_permit(psvc_ctx *ctx, int order_type, int action, int role,
                         int allow);

typedef struct psvc_filter {
  uint32_t size;         /* sizeof(psvc_filter) */
  unsigned state_mask;   /* bit (1u << state); 0 = any */
  unsigned type_mask;    /* bit (1u << type); 0 = any */
  const char *unit;      /* current unit; NULL = any */
  const char *customer_id; /* NULL = any */
  psvc_time from, to;    /* accepted_at in [from, to); 0,0 = any; to 0 = no end */
} psvc_filter;
#define PSVC_FILTER_INIT {sizeof(psvc_filter), 0, 0, 0, 0, 0, 0}

/* Matching orders by accepted_at, then id. */
PSVC_API int psvc_order_find(psvc_ctx *ctx, const psvc_filter *f, psvc_list **out);

/* W-13: the open orders a unit hands over at shift end: those whose current
   unit is `unit`, and those it accepted that no unit holds yet; most urgent
   first (smallest remaining time on any running SLA clock at `now`), then
   by accepted_at and id. */
PSVC_API int psvc_handover(psvc_ctx *ctx, const char *unit, psvc_time now,
                           psvc_list **out);

/* ---------------------------------------------------------------------- */
/* 5. Calendars (rules T-22, T-23)                                          */
/* ---------------------------------------------------------------------- */

/* A business calendar: a fixed UTC offset, working windows per weekday,
   holidays and make-up working days (调休). Calendars without a context
   report failures through psvc_errmsg(NULL). A calendar nobody modifies may
   be read from any number of threads. Dates are 1970-01-01 .. 9999-12-31;
   anything outside is PSVC_ERANGE. */
typedef struct psvc_calendar psvc_calendar;
PSVC_API int psvc_calendar_new(psvc_calendar **out, int utc_offset_min); /* China: 480 */
PSVC_API void psvc_calendar_free(psvc_calendar *cal);
/* weekday 1 = Monday ... 7 = Sunday; minutes since local midnight,
   0 <= open < close <= 1440; several windows per day (overlapping ones are
   merged) */
PSVC_API int psvc_calendar_add_hours(psvc_calendar *cal, int weekday, int open_min,
                                     int close_min);
PSVC_API int psvc_calendar_add_holiday(psvc_calendar *cal, int y, int m, int d);
/* a make-up working day (调休) that works the hours of `as_weekday` */
PSVC_API int psvc_calendar_add_workday(psvc_calendar *cal, int y, int m, int d,
                                       int as_weekday);
/* The text format of docs/calendar-format.md. On PSVC_EPARSE, *err (if err
   is not NULL) receives "line N: what is wrong", to free with psvc_free. */
PSVC_API int psvc_calendar_parse(const char *text, psvc_calendar **out, char **err);
/* Extension: adds the all-day VEVENTs of an iCalendar (RFC 5545) text as
   holidays (every day from DTSTART to the day before DTEND). */
PSVC_API int psvc_calendar_import_ical(psvc_calendar *cal, const char *text, char **err);
/* 1 for a working day (it has working hours), 0 if not, or a PSVC_E* code. */
PSVC_API int psvc_calendar_is_workday(const psvc_calendar *cal, int y, int m, int d);
/* The instant at which `secs` business seconds have passed after t. */
PSVC_API int psvc_calendar_add_seconds(const psvc_calendar *cal, psvc_time t, int64_t secs,
                                       psvc_time *out);
/* T-23: 23:59:59 local of the days-th working day after t's local day
   (days 0: the end of t's own day). */
PSVC_API int psvc_calendar_add_workdays(const psvc_calendar *cal, psvc_time t, int days,
                                        psvc_time *out);
/* Business seconds in [t0, t1); t1 before t0 is PSVC_ERANGE. */
PSVC_API int psvc_calendar_elapsed(const psvc_calendar *cal, psvc_time t0, psvc_time t1,
                                   int64_t *secs);
/* Bulk forms for batch jobs: the same results as the scalar form n times;
   out is written only if every element succeeds (the message names the
   first failing element). */
PSVC_API int psvc_calendar_add_seconds_n(const psvc_calendar *cal, const psvc_time *t,
                                         const int64_t *secs, psvc_time *out, size_t n);
PSVC_API int psvc_calendar_add_workdays_n(const psvc_calendar *cal, const psvc_time *t,
                                          const int32_t *days, psvc_time *out, size_t n);

/* ---------------------------------------------------------------------- */
/* 5. SLA: policies and clocks (rules T-1 ... T-21)                         */
/* ---------------------------------------------------------------------- */

/* Attaches a copy of cal under `name` (an id), replacing one of that name.
   Every context starts with a calendar named "default" (utc+08:00, Monday
   to Friday 08:30-12:00 and 14:00-17:30, no holidays: replace it with the
   real one); policies without a calendar name use "default". */
PSVC_API int psvc_ctx_set_calendar(psvc_ctx *ctx, const char *name, const psvc_calendar *cal);

/* Policies: which limit applies to which metric (docs/sla.md). A context
   starts with the "seed" profile; "sgcc" and "gbt28583" switch to the other
   profiles of RULES.md §5 (and drop every override). */
PSVC_API int psvc_policy_profile(psvc_ctx *ctx, const char *name);
/* Override: order_type / area 0 = any; limit in seconds for WALL and
   BUSINESS_HOURS, in days for CALENDAR_DAYS and WORK_DAYS; calendar NULL =
   "default" (must be attached: PSVC_ENOTFOUND). Overrides beat the profile;
   among overrides the most specific wins, then the latest. */
PSVC_API int psvc_policy_set(psvc_ctx *ctx, int metric, int order_type, int area, int clock,
                             int64_t limit, const char *calendar);

/* Extension: an override with every knob. */
typedef struct psvc_policy {
  uint32_t size;            /* sizeof(psvc_policy) */
  int metric;               /* PSVC_METRIC_* */
  int order_type;           /* 0 = any */
  int area;                 /* 0 = any */
  int subtype;              /* 0 = any; PSVC_COMPLAINT_* / PSVC_REQUEST_* */
  int clock;                /* PSVC_CLOCK_* */
  int64_t limit;            /* seconds (WALL, BUSINESS_HOURS) or days */
  const char *calendar;     /* NULL = "default" */
  int runs_when_suspended;  /* 1: the clock does not pause (T-20) */
  int at_risk_percent;      /* AT_RISK from this share of the limit; 0 = 80 */
  int levels[4];            /* escalation thresholds in percent, ascending;
                               all 0 = 50, 80, 100 */
} psvc_policy;
#define PSVC_POLICY_INIT {sizeof(psvc_policy), 0, 0, 0, 0, 0, 0, 0, 0, 0, {0, 0, 0, 0}}
PSVC_API int psvc_policy_define(psvc_ctx *ctx, const psvc_policy *p);

typedef struct psvc_sla {
  uint32_t size;         /* sizeof(psvc_sla), set by the caller */
  int metric;
  int status;            /* PSVC_SLA_* */
  psvc_time started_at;  /* 0 if not started */
  psvc_time deadline;    /* projected from `now` while PAUSED */
  psvc_time stopped_at;  /* 0 while running */
  int64_t limit_s;       /* the limit in clock seconds */
  int64_t elapsed_s;     /* clock seconds consumed up to stop or now, pauses excluded */
  int64_t remaining_s;   /* limit_s - elapsed_s; negative = overdue */
  int level;             /* highest escalation threshold reached (0 = none) */
  int cycle;             /* 1 for the first cycle; a reopen starts the next */
  int ever_breached;     /* any cycle, this one included, breached */
} psvc_sla;
#define PSVC_SLA_INIT {sizeof(psvc_sla), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/* The clock of one metric of an order as of `now` (events after `now` are
   not seen); derived from the history each time, never stored. */
PSVC_API int psvc_order_sla(psvc_ctx *ctx, const char *order_id, int metric, psvc_time now,
                            psvc_sla *out);
/* Extension: the orders whose (cycle, level) on `metric` (0 = any) rose
   between `from` and `to`, i.e. that crossed an escalation threshold in
   that interval: fire each notification exactly once by asking for
   consecutive intervals. By accepted_at, then id. */
PSVC_API int psvc_sla_crossed(psvc_ctx *ctx, int metric, psvc_time from, psvc_time to,
                              psvc_list **out);

/* Extension: a NOTE whose value is PSVC_NOTE_CONTACT records that the
   complainant was called back (stops the CONTACT clock, T-17). */
#define PSVC_NOTE_CONTACT 1

/* ---- hotline calls (T-1, T-2), outage notices (T-7 ... T-11, O-1 ... O-3) -- */

/* T-1/T-2: a hotline call (docs/reports.md, "Calls"). answered_at 0 =
   abandoned; otherwise arrived_at <= answered_at <= ended_at, and an
   abandoned call has arrived_at <= ended_at (PSVC_ERANGE else). agent_id
   may be NULL; order_id may be NULL, else the order must exist
   (PSVC_ENOTFOUND) and the call must have been answered (PSVC_EINVAL). A
   call id is recorded once (PSVC_EEXIST). Stored as a CALL record. The
   order's T-2 DISPATCH clock then runs from the end of the call that
   produced it (of the calls naming it, the earliest to arrive). */
PSVC_API int psvc_call_record(psvc_ctx *ctx, const char *call_id, psvc_time arrived_at,
                              psvc_time answered_at, psvc_time ended_at,
                              const char *agent_id, const char *order_id);
/* The ANSWER clock of a call (T-1, 12 s by default; a PSVC_METRIC_ANSWER
   policy with order type and area 0 sets its limit and levels, always on
   the wall clock): MET / BREACHED by the answer; an abandoned
   call is BREACHED if the caller waited past the limit, else
   NOT_APPLICABLE (the caller hung up before the limit was tested). */
PSVC_API int psvc_call_sla(psvc_ctx *ctx, const char *call_id, psvc_sla *out);

typedef struct psvc_notice {
  uint32_t size;          /* sizeof(psvc_notice) */
  const char *id;
  int kind;               /* PSVC_NOTICE_* */
  const char *unit;       /* unit that runs the outage (O-3) */
  const char *feeder;     /* affected line / area code */
  psvc_time start, end;   /* planned outage window, start < end */
  psvc_time published_at;
} psvc_notice;
#define PSVC_NOTICE_INIT {sizeof(psvc_notice), 0, 0, 0, 0, 0, 0, 0}

/* Publishes a notice, or re-publishes a changed one under the same id (same
   kind; published_at not before the previous publication): a change that
   starts the outage earlier or ends it later is a T-10 change, due >= 1 h
   before the instant it changes (the new start, or the old end). Stored as
   a NOTICE record. */
PSVC_API int psvc_notice_publish(psvc_ctx *ctx, const psvc_notice *n);
/* The NOTICE_LEAD clock (docs/reports.md, "Notices"): the required lead
   (T-7 7 days, T-8 24 h, T-9 30 min by kind) from the first publication to
   the first announced start, and every T-10 change: MET, or BREACHED if
   any was short. started_at = first publication, stopped_at = the start it
   announced, deadline = that start minus the lead, elapsed_s = the lead
   given, remaining_s = deadline - publication (negative = late), cycle = 1
   + the number of re-publications. */
PSVC_API int psvc_notice_sla(psvc_ctx *ctx, const char *notice_id, psvc_sla *out);
/* T-11: the customers on the notice's feeder who must also be told
   individually: IMPORTANT ones (C-4) and HV / dedicated-line ones
   (dedicated transformers); by id. */
PSVC_API int psvc_notice_affected(psvc_ctx *ctx, const char *notice_id, psvc_list **out);
/* O-6: the notices on the customer's feeder first published by `now` whose
   window (as last published) covers `now` (start <= now < end), by id: a known outage is explained at
   once and no second crew is sent for it. */
PSVC_API int psvc_notice_active(psvc_ctx *ctx, const char *customer_id, psvc_time now,
                                psvc_list **out);

/* ---- reports (Q-1 ... Q-7, T-12) ------------------------------------------ */

/* A JSON document of the KPIs for orders accepted, calls arrived and
   notices first published in [from, to), evaluated at `now`, grouped by
   "type", "unit", "area" or "none" (NULL = "none"). Schema in
   docs/reports.md; the same data gives the same bytes; no personal data
   (W-12). *json_out is freed with psvc_free. */
PSVC_API int psvc_report_json(psvc_ctx *ctx, psvc_time from, psvc_time to, psvc_time now,
                              const char *group_by, char **json_out);

/* ---------------------------------------------------------------------- */
/* 6. Paid vs free service (rules S-1 ... S-5)                              */
/* ---------------------------------------------------------------------- */

typedef struct psvc_boundary_query {
  uint32_t size;       /* sizeof(psvc_boundary_query) */
  int supply;          /* PSVC_SUPPLY_*: how the customer is fed (S-3) */
  int location;        /* PSVC_LOC_*: where the faulty facility is */
  int agreed_owner;    /* contract override: 0 none, else PSVC_OWNER_* */
  int customer_caused; /* non-zero: damage caused by the customer (S-4) */
} psvc_boundary_query;
#define PSVC_BOUNDARY_QUERY_INIT {sizeof(psvc_boundary_query), 0, 0, 0, 0}

typedef struct psvc_boundary_result {
  uint32_t size;      /* sizeof(psvc_boundary_result), set by the caller */
  int owner;          /* PSVC_OWNER_UTILITY 1 / PSVC_OWNER_CUSTOMER 2 */
  int paid;           /* 1 = paid service (有偿), 0 = free (无偿) */
  const char *rule;   /* static: "S-3(2)", "S-4", "contract" */
  const char *reason; /* static English sentence, readable to a customer */
} psvc_boundary_result;
#define PSVC_BOUNDARY_RESULT_INIT {sizeof(psvc_boundary_result), 0, 0, 0, 0}

/* Who owns the faulty facility and whether the repair is paid, with the
   rule and a reason to read out (docs/service-boundary.md). CABLE supply
   without agreed_owner is PSVC_EINVAL: the contract must state the
   boundary (S-3(4)). */
PSVC_API int psvc_service_classify(const psvc_boundary_query *q, psvc_boundary_result *out);

/* Extension: the context's fee schedule (not stored), and quotes. */
/* Sets the fee of a paid service (service_code: id rules; 0 <= amount). */
PSVC_API int psvc_fee_set(psvc_ctx *ctx, const char *service_code, int64_t amount_cents);
/* PSVC_ENOTFOUND if the code has no fee. */
PSVC_API int psvc_fee_get(psvc_ctx *ctx, const char *service_code, int64_t *amount_cents);

typedef struct psvc_quote {
  uint32_t size;        /* sizeof(psvc_quote), set by the caller */
  int owner, paid;      /* as psvc_boundary_result */
  const char *rule;     /* static */
  const char *reason;   /* static */
  int64_t amount_cents; /* the fee of service_code if paid; 0 if free */
} psvc_quote;
#define PSVC_QUOTE_INIT {sizeof(psvc_quote), 0, 0, 0, 0, 0}

/* The quote for repairing a FAULT_REPAIR order: classifies q and, for a
   paid service, prices it from the fee schedule (PSVC_ENOTFOUND if
   service_code has no fee). A free service never quotes a fee and needs no
   code (service_code may be NULL). PSVC_EINVAL for an order of another
   type. */
PSVC_API int psvc_order_quote(psvc_ctx *ctx, const char *order_id, const psvc_boundary_query *q,
                              const char *service_code, psvc_quote *out);

/* ---------------------------------------------------------------------- */
/* Enum values of later sections (work orders, SLA, notices, boundary).     */
/* Declared here so that every domain of psvc_enum_name has its constants. */
/* ---------------------------------------------------------------------- */

#define PSVC_ORDER_SERVICE_REQUEST 1
#define PSVC_ORDER_INQUIRY 2
#define PSVC_ORDER_FAULT_REPAIR 3
#define PSVC_ORDER_COMPLAINT 4
#define PSVC_ORDER_REPORT 5
#define PSVC_ORDER_OPINION 6
#define PSVC_ORDER_SUGGESTION 7
#define PSVC_ORDER_PRAISE 8
#define PSVC_ORDER_DISPATCH 9

#define PSVC_CHANNEL_PHONE 1
#define PSVC_CHANNEL_WEB 2
#define PSVC_CHANNEL_SMS 3
#define PSVC_CHANNEL_FAX 4
#define PSVC_CHANNEL_EMAIL 5
#define PSVC_CHANNEL_VOIP 6
#define PSVC_CHANNEL_APP 7
#define PSVC_CHANNEL_COUNTER 8

#define PSVC_STATE_ACCEPTED 1
#define PSVC_STATE_DISPATCHED 2
#define PSVC_STATE_RECEIVED 3
#define PSVC_STATE_ON_SITE 4
#define PSVC_STATE_RESOLVED 5
#define PSVC_STATE_REPLIED 6
#define PSVC_STATE_VISITED 7
#define PSVC_STATE_CLOSED 8
#define PSVC_STATE_SUSPENDED 9
#define PSVC_STATE_CANCELLED 10
#define PSVC_STATE_MERGED 11

#define PSVC_ACT_DISPATCH 1
#define PSVC_ACT_RECEIVE 2
#define PSVC_ACT_RETURN 3
#define PSVC_ACT_TRANSFER 4
#define PSVC_ACT_ARRIVE 5
#define PSVC_ACT_RESOLVE 6
#define PSVC_ACT_REPLY 7
#define PSVC_ACT_VISIT 8
#define PSVC_ACT_CLOSE 9
#define PSVC_ACT_SUSPEND 10
#define PSVC_ACT_RESUME 11
#define PSVC_ACT_CANCEL 12
#define PSVC_ACT_MERGE 13
#define PSVC_ACT_URGE 14
#define PSVC_ACT_ESCALATE 15
#define PSVC_ACT_NOTE 16

#define PSVC_ROLE_AGENT 1
#define PSVC_ROLE_SHIFT_LEAD 2
#define PSVC_ROLE_SUPERVISOR 3
#define PSVC_ROLE_DISPATCHER 4
#define PSVC_ROLE_REPAIR_CREW 5
#define PSVC_ROLE_CUSTOMER_REP 6
#define PSVC_ROLE_CONNECTION 7
#define PSVC_ROLE_METER_READING_BILLING 8
#define PSVC_ROLE_METERING 9
#define PSVC_ROLE_INSPECTION 10
#define PSVC_ROLE_DEMAND_SIDE 11
#define PSVC_ROLE_CONSULTING 12
#define PSVC_ROLE_SYSTEM 13

#define PSVC_SAT_SATISFIED 1
#define PSVC_SAT_FAIRLY_SATISFIED 2
#define PSVC_SAT_UNSATISFIED 3

#define PSVC_COMPLAINT_SERVICE 1
#define PSVC_COMPLAINT_BUSINESS 2
#define PSVC_COMPLAINT_OUTAGE 3
#define PSVC_COMPLAINT_SUPPLY_QUALITY 4
#define PSVC_COMPLAINT_GRID_CONSTRUCTION 5

#define PSVC_REQUEST_NEW_CONNECTION 1
#define PSVC_REQUEST_CAPACITY_CHANGE 2
#define PSVC_REQUEST_RECONNECTION 3
#define PSVC_REQUEST_APPLIANCE_DAMAGE 4
#define PSVC_REQUEST_METER_CHECK 5
#define PSVC_REQUEST_METER_READING_CHECK 6
#define PSVC_REQUEST_OTHER 7

#define PSVC_METRIC_ANSWER 1
#define PSVC_METRIC_DISPATCH 2
#define PSVC_METRIC_ARRIVAL 3
#define PSVC_METRIC_REPLY 4
#define PSVC_METRIC_RESOLVE 5
#define PSVC_METRIC_VISIT 6
#define PSVC_METRIC_NOTICE_LEAD 7
#define PSVC_METRIC_CONTACT 8

#define PSVC_SLA_NOT_APPLICABLE 0
#define PSVC_SLA_PENDING 1
#define PSVC_SLA_RUNNING 2
#define PSVC_SLA_PAUSED 3
#define PSVC_SLA_AT_RISK 4
#define PSVC_SLA_MET 5
#define PSVC_SLA_BREACHED 6

#define PSVC_CLOCK_WALL 1
#define PSVC_CLOCK_CALENDAR_DAYS 2
#define PSVC_CLOCK_WORK_DAYS 3
#define PSVC_CLOCK_BUSINESS_HOURS 4

#define PSVC_NOTICE_PLANNED_MAINTENANCE 1
#define PSVC_NOTICE_ORDERED_USE 2
#define PSVC_NOTICE_TEMPORARY_MAINTENANCE 3
#define PSVC_NOTICE_FAULT 4
#define PSVC_NOTICE_ARREARS 5
#define PSVC_NOTICE_EMERGENCY 6

#define PSVC_SUPPLY_LV_PUBLIC 1
#define PSVC_SUPPLY_HV_PUBLIC_10KV 2
#define PSVC_SUPPLY_HV_PUBLIC_35KV 3
#define PSVC_SUPPLY_CABLE 4
#define PSVC_SUPPLY_CUSTOMER_LINE 5

#define PSVC_LOC_PUBLIC_NETWORK 1
#define PSVC_LOC_BOUNDARY_DEVICE 2
#define PSVC_LOC_METER 3
#define PSVC_LOC_CUSTOMER_SIDE 4

#define PSVC_OWNER_UTILITY 1
#define PSVC_OWNER_CUSTOMER 2

#ifdef __cplusplus
}
#endif

#endif /* POWERSVC_H */
