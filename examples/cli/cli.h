/*
 * cli.h — what the parts of the psvc command-line tool share (README.md).
 *
 * The tool is libc only and links libpowersvc. Times are read and shown in
 * China Standard Time (UTC+08:00, no daylight saving) unless they carry an
 * offset; JSON output gives ISO 8601 with the offset and seconds since 1970.
 */
#ifndef PSVC_CLI_H
#define PSVC_CLI_H

#include <powersvc.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes (README.md, "Exit codes"). */
enum {
  EX_OK = 0,
  EX_USAGE = 1,    /* bad command line */
  EX_INPUT = 2,    /* bad input: CSV row, value, a rule refused it */
  EX_NOTFOUND = 3, /* no such customer, order, notice, journal, file */
  EX_STORAGE = 4,  /* the journal failed: I/O, locked, corrupt */
  EX_OTHER = 5     /* anything else (out of memory) */
};

#define LOCAL_OFFSET_S (8 * 3600) /* UTC+08:00 */
#define DEFAULT_DB "powersvc.journal"

typedef struct opt {
  const char *name; /* without the leading "--" */
  const char *val;  /* NULL for a flag */
} opt;

typedef struct cli {
  const char *prog;
  /* global options */
  const char *db;
  int json, show_personal;
  const char *calendar, *profile;
  psvc_time now;
  int now_given;
  /* the command */
  const char *group, *name; /* e.g. "customer", "add"; name NULL for one-word commands */
  const char *pos[256];
  int npos;
  opt opts[256];
  int nopts;
  /* the open journal */
  psvc_ctx *ctx;
  psvc_store store; /* the table as given to psvc_ctx_open (export reads notices/calls) */
} cli;

/* ---- options ------------------------------------------------------------------------- */
const char *opt_get(const cli *c, const char *name); /* last value; NULL if absent */
int opt_has(const cli *c, const char *name);

/* ---- errors -------------------------------------------------------------------------- */
int exit_for(int rc); /* PSVC_E* -> EX_* */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "psvc: what: <library message>" and the exit code of rc */
int fail_lib(int rc, const psvc_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *libmsg(const psvc_ctx *ctx); /* psvc_errmsg without its "psvc_fn: " prefix */

/* ---- the journal --------------------------------------------------------------------- */
/* must_exist: refuse (EX_NOTFOUND) rather than create a missing journal. */
int db_open(cli *c, int must_exist);
void db_close(cli *c);
int load_calendar(const char *path, psvc_calendar **out); /* EX_* */

/* ---- times --------------------------------------------------------------------------- */
enum { T_TIME = 0, T_DATE_START = 1, T_DATE_END = 2 };
/* "YYYY-MM-DD HH:MM[:SS]" (UTC+08:00), ISO 8601 "YYYY-MM-DDTHH:MM[:SS]" with "Z" or
   "+HH:MM" / "-HH:MM", "@SECONDS"; with T_DATE_* also "YYYY-MM-DD" (00:00:00 or
   23:59:59 UTC+08:00). 0 or -1 with why filled. */
int parse_time(const char *s, int date_mode, psvc_time *out, char *why, size_t n);
psvc_time days_from_civil(long y, int m, int d); /* days since 1970-01-01 */
void civil_from_days(long z, long *y, int *m, int *d);
char *fmt_local(psvc_time t, char *buf, size_t n);  /* "2026-10-03 09:15:00"; "-" for 0 */
char *fmt_iso(psvc_time t, char *buf, size_t n);    /* "2026-10-03T09:15:00+08:00" */
char *fmt_dur(int64_t s, char *buf, size_t n);      /* "-1d 02:03:04", "00:12:00" */
int parse_month(const char *s, psvc_time *from, psvc_time *to); /* "2026-10" */

/* ---- values -------------------------------------------------------------------------- */
int valid_id(const char *s);
int parse_int(const char *s, long long lo, long long hi, long long *out);
/* An enum name of a domain; why lists the valid names. */
int parse_enum(int domain, const char *s, int *out, char *why, size_t n);
/* "HV|DUAL_SOURCE" */
int parse_flags(int domain, const char *s, unsigned *out, char *why, size_t n);
const char *ename(int domain, int value); /* "" for 0, "?" for unknown */
char *flags_str(int domain, unsigned flags, char *buf, size_t n); /* "HV|DUAL_SOURCE" */

/* ---- personal data (W-12) ------------------------------------------------------------ */
char *mask_name(const char *s, char *buf, size_t n);  /* "Wang Fang" -> "Wang F*" */
char *mask_phone(const char *s, char *buf, size_t n); /* "13812345678" -> "138****5678" */
const char *show_name(const cli *c, const char *s, char *buf, size_t n);
const char *show_phone(const cli *c, const char *s, char *buf, size_t n);

/* ---- tables -------------------------------------------------------------------------- */
typedef struct tbl tbl;
/* cols: header names; a name starting with '>' is right-aligned (the '>' not shown) */
tbl *tbl_new(int ncol, const char *const *cols);
void tbl_add(tbl *t, ...); /* ncol const char * cells (NULL shows "") */
void tbl_print(tbl *t, FILE *f);
void tbl_free(tbl *t);
size_t tbl_rows(const tbl *t);

/* ---- JSON ---------------------------------------------------------------------------- */
typedef struct jw {
  FILE *f;
  int depth;
  int first[64];
  int after_key;
} jw;
void jw_init(jw *j, FILE *f);
void jw_obj(jw *j);
void jw_end_obj(jw *j);
void jw_arr(jw *j);
void jw_end_arr(jw *j);
void jw_key(jw *j, const char *k);
void jw_str(jw *j, const char *s); /* NULL -> null */
void jw_int(jw *j, long long v);
void jw_bool(jw *j, int v);
void jw_null(jw *j);
void jw_raw(jw *j, const char *text); /* a JSON value as text */
void jw_time(jw *j, psvc_time t);     /* ISO 8601 +08:00, null for 0 */
void jw_kstr(jw *j, const char *k, const char *s);
void jw_kint(jw *j, const char *k, long long v);
void jw_ktime(jw *j, const char *k, psvc_time t);
void jw_sla(jw *j, const psvc_sla *s);
void jw_end(jw *j); /* newline after a top-level value */
void json_escape(FILE *f, const char *s);

/* a parsed JSON value (for rendering the library's report as tables) */
enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };
typedef struct jv {
  int type;
  int b;
  double num;
  char *str;         /* JV_STR text; JV_NUM the number as written */
  struct jv *items;  /* JV_ARR, JV_OBJ */
  char **keys;       /* JV_OBJ */
  size_t n;
} jv;
int jv_parse(const char *text, jv *out); /* 0 or -1 */
void jv_free(jv *v);
const jv *jv_get(const jv *obj, const char *key); /* NULL if absent */
long long jv_int(const jv *v);                    /* 0 if not a number */
const char *jv_text(const jv *v);                 /* number or string as written; "-" for null */

/* ---- CSV (RFC 4180) ------------------------------------------------------------------ */
typedef struct csv {
  const char *path;
  char *buf; /* the whole file */
  size_t len, pos;
  long line;       /* the physical line at pos (1-based) */
  char *scratch;   /* field text of the current record */
  size_t scap;
  char **field;
  size_t nfield, fcap;
  long rec_line;   /* the line the current record starts on */
} csv;
int csv_open(csv *r, const char *path, char *why, size_t n); /* EX_* */
/* 1: a record (r->field, r->nfield, r->rec_line), 0: end, -1: error (why; *col is
   the 1-based field number or 0) */
int csv_next(csv *r, int *col, char *why, size_t n);
void csv_close(csv *r);
/* Skips blank lines and lines starting with '#' (allowed before the header only). */
void csv_skip_comments(csv *r);
long csv_estimate(const csv *r); /* lines in the file: an estimate of the records */

/* ---- progress (imports and reports over PSVC_PROGRESS_MIN records on a terminal) ---- */
long progress_min(void);

/* ---- customers: fields shared by `customer add` and the CSV import ------------------- */
extern const char *const customer_cols[];
#define NCUSTOMER_COLS 18
/* Applies one column's text; "" leaves it unset. */
int customer_set_field(psvc_customer *cu, const char *col, const char *val, char *why,
                       size_t n);
/* The column a finding's field is about ("voltage" -> "voltage_v"). */
const char *customer_col_of_field(const char *field);

/* JSON objects shared by show, list and export */
void jw_customer(jw *j, const cli *c, const psvc_customer *cu);
void jw_findings(jw *j, const psvc_findings *f);
void jw_order(jw *j, const psvc_order *o, int with_events);
void print_findings(const psvc_findings *f, const char *id); /* a table; id may be NULL */

/* ---- order rows: shared by `order open|act` and the CSV import ------------------------ */
typedef struct orow {
  const char *order_id;
  psvc_time at;
  int action; /* 0 = OPEN, else PSVC_ACT_* */
  const char *actor;
  int role;
  const char *unit, *target, *note; /* NULL if not given */
  int value;
  int type, subtype, channel, area; /* OPEN */
  const char *customer_id, *summary; /* OPEN; NULL if not given */
} orow;
/* The value of an event: VISIT a satisfaction name, NOTE "CONTACT" or a number,
   otherwise a number. */
int parse_event_value(int action, const char *s, int *out, char *why, size_t n);
/* Checks a row as the library would, before applying it; *col: the column at fault
   (order_id, at, action, actor, role, unit, target, value, note, type, subtype,
   channel, area, customer_id, summary). */
int orow_check(const orow *r, const char **col, char *why, size_t n);
/* Applies a checked row: PSVC_OK or the library's code, with *col and why. */
int orow_apply(psvc_ctx *ctx, const orow *r, const char **col, char *why, size_t n);

/* ---- notices and calls, read from the store (records of docs/storage.md) ----------- */
/* The library has no getters for stored notices and calls; the tool reads their
   records through the store's scan callback and decodes the documented format. */
typedef struct notice_rec {
  char *id, *unit, *feeder;
  int kind;
  psvc_time start, end, published, first_start, first_published;
  long long changes, late_changes;
} notice_rec;
typedef struct call_rec {
  char *id, *agent, *order;
  psvc_time arrived, answered, ended;
} call_rec;
int scan_notices(cli *c, notice_rec **out, size_t *n); /* EX_* */
int scan_calls(cli *c, call_rec **out, size_t *n);
void free_notices(notice_rec *v, size_t n);
void free_calls(call_rec *v, size_t n);
void jw_notice(jw *j, const notice_rec *r);
void jw_call(jw *j, const call_rec *r);

/* ---- commands ------------------------------------------------------------------------ */
int cmd_customer_add(cli *c);
int cmd_customer_show(cli *c);
int cmd_customer_check(cli *c);
int cmd_customer_list(cli *c);
int cmd_customer_import(cli *c);
int cmd_order_open(cli *c);
int cmd_order_act(cli *c);
int cmd_order_show(cli *c);
int cmd_order_list(cli *c);
int cmd_order_sla(cli *c);
int cmd_order_handover(cli *c);
int cmd_calendar_check(cli *c);
int cmd_calendar_add(cli *c);
int cmd_calendar_between(cli *c);
int cmd_classify(cli *c);
int cmd_notice_publish(cli *c);
int cmd_notice_check(cli *c);
int cmd_report(cli *c);
int cmd_import(cli *c);
int cmd_export(cli *c);

/* import.c, for `customer import` (only_customers) and `import` */
int run_import(cli *c, int only_customers);

#endif
