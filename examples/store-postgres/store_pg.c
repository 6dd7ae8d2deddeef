/*
 * store_pg.c — an example psvc_store on PostgreSQL through libpq: the path
 * for a service whose load outgrows one machine (README.md in this
 * directory; the contract is docs/storage.md, "The store callback
 * contract").
 *
 * How it works. One connection per store. At open the table is created if
 * absent (and its schema, if one is named):
 *
 *   kind integer, key text, data bytea, PRIMARY KEY (kind, key)
 *
 * and four statements are prepared on the session, kept for its life:
 *
 *   put   INSERT ... ON CONFLICT (kind, key) DO UPDATE SET data = EXCLUDED.data
 *   get   SELECT data ... WHERE kind = $1 AND key = $2
 *   del   DELETE ... WHERE kind = $1 AND key = $2
 *   scan  SELECT key, data ... WHERE kind = $1
 *
 * The record travels as a binary parameter (paramFormats 1) and comes back
 * as a binary result (resultFormat 1): the bytes are never escaped, so a
 * record may hold any byte, NUL included. scan streams its rows one at a
 * time (single-row mode), so loading a large table never holds it all in
 * memory at once. begin, commit and rollback are BEGIN, COMMIT and
 * ROLLBACK, with two PostgreSQL traps handled:
 *
 *  - COMMIT of a transaction in which a statement failed "succeeds" with the
 *    command tag ROLLBACK: commit checks the tag, and fails;
 *  - ROLLBACK outside a transaction is only a warning: rollback looks at
 *    the transaction status and does nothing when no transaction is open
 *    (after a failed begin) or the connection is gone (the server has
 *    discarded the transaction already).
 *
 * A connection that was lost (server restart, failover, network cut) is
 * opened again by the next begin, where no transaction can be lost; the
 * session's statements are prepared again. A commit whose connection breaks
 * while COMMIT is in flight is reported as failed, although the server may
 * have committed: that is inherent to any client/server database (README).
 *
 * Errors: a callback returns PSVC_EIO (PSVC_ENOTFOUND from get for an
 * absent record) and keeps the server's message for store_pg_error().
 */
#include "store_pg.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ERR_MAX = 768 };

/* Type OIDs of the parameters, fixed in PostgreSQL's catalog (pg_type). */
#define OID_INT4 23
#define OID_TEXT 25
#define OID_BYTEA 17

typedef struct pg_store {
  PGconn *conn;
  char *table; /* quoted: "name" or "schema"."name" */
  char err[ERR_MAX];
} pg_store;

/* Why the last store_pg_open of this thread failed. */
static _Thread_local char open_err[ERR_MAX];

/* ---- errors ---------------------------------------------------------------------------- */

/* Records "what: message" (libpq's messages end in a newline: cut) and
   returns PSVC_EIO. */
static int fail_text(pg_store *s, const char *what, const char *msg) {
  snprintf(s->err, sizeof s->err, "%s: %s", what, msg && *msg ? msg : "unknown error");
  size_t n = strlen(s->err);
  while (n && (s->err[n - 1] == '\n' || s->err[n - 1] == ' '))
    s->err[--n] = 0;
  return PSVC_EIO;
}

/* The failure of a statement: its result's message, else the
   connection's. */
static int fail(pg_store *s, const char *what, const PGresult *res) {
  const char *msg = res ? PQresultErrorMessage(res) : "";
  return fail_text(s, what, *msg ? msg : PQerrorMessage(s->conn));
}

static void set_open_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(open_err, sizeof open_err, fmt, ap);
  va_end(ap);
}

/* ---- SQL text and statements ---------------------------------------------------------- */

/* before + table + after, malloc'ed; NULL if out of memory. */
static char *with_table(const char *before, const char *table, const char *after) {
  size_t a = strlen(before), b = strlen(table), c = strlen(after);
  char *sql = malloc(a + b + c + 1);
  if (sql) {
    memcpy(sql, before, a);
    memcpy(sql + a, table, b);
    memcpy(sql + a + b, after, c + 1);
  }
  return sql;
}

/* Runs a statement that returns no rows; 0 or PSVC_EIO. */
static int command(pg_store *s, const char *sql, const char *what) {
  PGresult *res = PQexec(s->conn, sql);
  int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail(s, what, res);
  PQclear(res);
  return rc;
}

/* The same with the table's name between before and after. */
static int table_command(pg_store *s, const char *before, const char *after,
                         const char *what) {
  char *sql = with_table(before, s->table, after);
  if (!sql)
    return fail_text(s, what, "out of memory");
  int rc = command(s, sql, what);
  free(sql);
  return rc;
}

static const struct {
  const char *name, *before, *after;
  int nparams;
} STATEMENTS[] = {
    {"psvc_put", "INSERT INTO ",
     " (kind, key, data) VALUES ($1, $2, $3) "
     "ON CONFLICT (kind, key) DO UPDATE SET data = EXCLUDED.data", 3},
    {"psvc_get", "SELECT data FROM ", " WHERE kind = $1 AND key = $2", 2},
    {"psvc_del", "DELETE FROM ", " WHERE kind = $1 AND key = $2", 2},
    {"psvc_scan", "SELECT key, data FROM ", " WHERE kind = $1", 1},
};
enum { NSTATEMENTS = sizeof STATEMENTS / sizeof STATEMENTS[0] };

/* ---- the table and the session ------------------------------------------------------- */

/* One identifier, quoted by libpq, appended to *out (malloc'ed). */
static int append_identifier(pg_store *s, char **out, const char *name, size_t len) {
  char *q = PQescapeIdentifier(s->conn, name, len);
  if (!q)
    return fail_text(s, "table name", PQerrorMessage(s->conn));
  size_t have = *out ? strlen(*out) : 0, add = strlen(q);
  char *grown = realloc(*out, have + add + 2);
  if (!grown) {
    PQfreemem(q);
    return fail_text(s, "table name", "out of memory");
  }
  if (have)
    grown[have++] = '.';
  memcpy(grown + have, q, add + 1);
  *out = grown;
  PQfreemem(q);
  return 0;
}

/* "name" or "schema.name": quotes the parts, creates the schema and the
   table if absent. */
static int create_table(pg_store *s, const char *table) {
  const char *dot = strchr(table, '.');
  int rc = 0;
  if (dot) { /* s->table is the quoted schema alone until the name follows */
    rc = append_identifier(s, &s->table, table, (size_t)(dot - table));
    if (rc == 0)
      rc = table_command(s, "CREATE SCHEMA IF NOT EXISTS ", "", "create schema");
    table = dot + 1;
  }
  if (rc == 0)
    rc = append_identifier(s, &s->table, table, strlen(table));
  if (rc == 0)
    rc = table_command(s, "CREATE TABLE IF NOT EXISTS ",
                       " (kind integer NOT NULL, key text NOT NULL, data bytea NOT NULL, "
                       "PRIMARY KEY (kind, key))",
                       "create table");
  return rc;
}

/* A session's setup, after connecting (with `table`: the table is created
   first) and after reconnecting (NULL: it exists): notices quiet ("relation
   ... already exists, skipping"), the statements prepared. */
static int start_session(pg_store *s, const char *table) {
  static const Oid types[3] = {OID_INT4, OID_TEXT, OID_BYTEA};
  int rc = command(s, "SET client_min_messages = warning", "set client_min_messages");
  if (rc == 0 && table)
    rc = create_table(s, table);
  for (size_t i = 0; i < NSTATEMENTS && rc == 0; i++) {
    char *sql = with_table(STATEMENTS[i].before, s->table, STATEMENTS[i].after);
    if (!sql)
      return fail_text(s, STATEMENTS[i].name, "out of memory");
    PGresult *res = PQprepare(s->conn, STATEMENTS[i].name, sql, STATEMENTS[i].nparams, types);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail(s, STATEMENTS[i].name, res);
    PQclear(res);
    free(sql);
  }
  return rc;
}

/* Parameters $1 kind (text), $2 key (text), $3 data (binary). */
typedef struct params {
  char kind[16];
  const char *values[3];
  int lengths[3];
  int formats[3];
} params;

static void set_params(params *p, int kind, const char *key, const void *data, size_t len) {
  snprintf(p->kind, sizeof p->kind, "%d", kind);
  p->values[0] = p->kind;
  p->values[1] = key;
  p->values[2] = len ? data : ""; /* NULL would be SQL NULL */
  p->lengths[0] = p->lengths[1] = 0;
  p->lengths[2] = (int)len;
  p->formats[0] = p->formats[1] = 0;
  p->formats[2] = 1;
}

/* Runs a prepared statement with n parameters; binary results. */
static PGresult *exec_prepared(pg_store *s, const char *name, int n, const params *p) {
  return PQexecPrepared(s->conn, name, n, p->values, p->lengths, p->formats, 1);
}

/* ---- the callbacks ---------------------------------------------------------------------- */

/* A new session on the same conninfo, for a connection that was lost. */
static int reconnect(pg_store *s) {
  PQreset(s->conn);
  if (PQstatus(s->conn) != CONNECTION_OK)
    return fail_text(s, "reconnect", PQerrorMessage(s->conn));
  return start_session(s, NULL);
}

static int pg_begin(void *user) {
  pg_store *s = user;
  if (PQstatus(s->conn) == CONNECTION_OK) {
    int rc = command(s, "BEGIN", "begin");
    if (rc == 0 || PQstatus(s->conn) == CONNECTION_OK)
      return rc;
  }
  /* The connection is gone; outside a transaction nothing is lost by
     connecting again. */
  int rc = reconnect(s);
  return rc ? rc : command(s, "BEGIN", "begin");
}

static int pg_commit(void *user) {
  pg_store *s = user;
  PGresult *res = PQexec(s->conn, "COMMIT");
  int rc;
  if (PQresultStatus(res) != PGRES_COMMAND_OK)
    rc = fail(s, "commit", res);
  else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) /* "ROLLBACK": a statement had failed */
    rc = fail_text(s, "commit", "a statement of the transaction failed: the server rolled "
                                "it back");
  else
    rc = 0;
  PQclear(res);
  return rc;
}

static int pg_rollback(void *user) {
  pg_store *s = user;
  switch (PQtransactionStatus(s->conn)) {
  case PQTRANS_INTRANS:
  case PQTRANS_INERROR:
    return command(s, "ROLLBACK", "rollback");
  default: /* idle: nothing open; unknown: the connection, and the transaction, are gone */
    return 0;
  }
}

static int pg_put(void *user, int kind, const char *key, const void *data, size_t len) {
  pg_store *s = user;
  if (len > 0x7fffffff)
    return fail_text(s, "put", "record longer than 2 GiB");
  params p;
  set_params(&p, kind, key, data, len);
  PGresult *res = exec_prepared(s, "psvc_put", 3, &p);
  int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail(s, "put", res);
  PQclear(res);
  return rc;
}

static int pg_get(void *user, int kind, const char *key,
                  int (*sink)(void *arg, const void *data, size_t len), void *arg) {
  pg_store *s = user;
  params p;
  set_params(&p, kind, key, NULL, 0);
  PGresult *res = exec_prepared(s, "psvc_get", 2, &p);
  int rc;
  if (PQresultStatus(res) != PGRES_TUPLES_OK)
    rc = fail(s, "get", res);
  else if (PQntuples(res) == 0)
    rc = PSVC_ENOTFOUND;
  else /* the bytes are valid until PQclear */
    rc = sink(arg, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
  PQclear(res);
  return rc;
}

static int pg_del(void *user, int kind, const char *key) {
  pg_store *s = user;
  params p;
  set_params(&p, kind, key, NULL, 0);
  PGresult *res = exec_prepared(s, "psvc_del", 2, &p);
  int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail(s, "del", res);
  PQclear(res);
  return rc;
}

/* Streams the rows: one PGresult per row, then a final empty one. After
   an early stop the rest of the rows are read and dropped, which leaves the
   connection ready for the next statement. */
static int pg_scan(void *user, int kind,
                   int (*each)(void *arg, const char *key, const void *data, size_t len),
                   void *arg) {
  pg_store *s = user;
  params p;
  set_params(&p, kind, NULL, NULL, 0);
  if (!PQsendQueryPrepared(s->conn, "psvc_scan", 1, p.values, p.lengths, p.formats, 1))
    return fail(s, "scan", NULL);
  (void)PQsetSingleRowMode(s->conn); /* if refused: one result with every row, as correct */
  int rc = 0, stop = 0;
  PGresult *res;
  while ((res = PQgetResult(s->conn)) != NULL) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(res) && !stop && !rc; i++)
        stop = each(arg, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                     (size_t)PQgetlength(res, i, 1));
    } else if (!rc) {
      rc = fail(s, "scan", res);
    }
    PQclear(res);
  }
  return stop ? stop : rc;
}

static void pg_close(void *user) {
  pg_store *s = user;
  if (!s)
    return;
  PQfinish(s->conn); /* the server rolls back an unfinished transaction */
  free(s->table);
  free(s);
}

/* ---- opening ------------------------------------------------------------------------------ */

static int setup(pg_store *s, const char *conninfo, const char *table) {
  s->conn = PQconnectdb(conninfo);
  if (!s->conn)
    return fail_text(s, "connect", "out of memory");
  if (PQstatus(s->conn) != CONNECTION_OK)
    return fail_text(s, "connect", PQerrorMessage(s->conn));
  return start_session(s, table);
}

/* PSVC_EINVAL for "", ".x", "x." */
static int bad_table(const char *table) {
  const char *dot = strchr(table, '.');
  return !*table || dot == table || (dot && !dot[1]);
}

int store_pg_open(psvc_store *out, const char *conninfo, const char *table) {
  if (out)
    memset(out, 0, sizeof *out);
  if (!table)
    table = STORE_PG_TABLE;
  if (!out || !conninfo || bad_table(table)) {
    set_open_error("store_pg_open: %s", !out        ? "out is NULL"
                                        : !conninfo ? "conninfo is NULL"
                                                    : "bad table name (\"name\" or "
                                                      "\"schema.name\", no empty part)");
    return PSVC_EINVAL;
  }
  pg_store *s = calloc(1, sizeof *s);
  if (!s) {
    set_open_error("store_pg_open: out of memory");
    return PSVC_ENOMEM;
  }
  if (setup(s, conninfo, table) != 0) {
    set_open_error("store_pg_open: %s", s->err);
    pg_close(s);
    return PSVC_EIO;
  }
  out->abi = PSVC_STORE_ABI;
  out->user = s;
  out->begin = pg_begin;
  out->commit = pg_commit;
  out->rollback = pg_rollback;
  out->put = pg_put;
  out->get = pg_get;
  out->del = pg_del;
  out->scan = pg_scan;
  out->close = pg_close;
  return PSVC_OK;
}

const char *store_pg_error(const psvc_store *s) {
  pg_store *q = s && s->begin == pg_begin ? s->user : NULL;
  return q ? q->err : open_err;
}
