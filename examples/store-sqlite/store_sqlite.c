/*
 * store_sqlite.c — an example psvc_store on SQLite: the pattern for a
 * database backend (README.md in this directory; the contract is
 * docs/storage.md, "The store callback contract").
 *
 * How it works. One connection per store, on one database file:
 *
 *   PRAGMA journal_mode=WAL     readers never block the writer, and see
 *                               committed data only
 *   PRAGMA synchronous=FULL     the WAL is synced at every commit: a commit
 *                               that returned 0 survives a crash or a power
 *                               cut
 *   records(kind INTEGER, key TEXT, data BLOB, PRIMARY KEY(kind, key))
 *   WITHOUT ROWID               the records, clustered by (kind, key)
 *
 * Every statement is prepared once, at open, and kept for the life of the
 * store (reset after each use). begin is BEGIN IMMEDIATE: it takes the write
 * lock at once, waiting up to the busy timeout for another writer, so that a
 * transaction never fails half-way on a lock; commit is COMMIT, rollback is
 * ROLLBACK unless no transaction is open (the library also calls rollback
 * after a failed begin, and SQLite ends a transaction by itself on some
 * errors). put is INSERT OR REPLACE; get and scan hand the library the
 * column's bytes, valid until the statement is reset, which is exactly the
 * lifetime the contract promises.
 *
 * Errors: a callback returns the SQLite result code (extended codes are on)
 * and keeps a readable message for store_sqlite_error(); PSVC_ENOTFOUND
 * from get for an absent record.
 */
#include "store_sqlite.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ERR_MAX = 512 };

/* The statements, prepared once. */
enum { ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_PUT, ST_GET, ST_DEL, ST_SCAN, ST_COUNT };

static const char *const SQL[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_PUT] = "INSERT OR REPLACE INTO records(kind, key, data) VALUES (?1, ?2, ?3)",
    [ST_GET] = "SELECT data FROM records WHERE kind = ?1 AND key = ?2",
    [ST_DEL] = "DELETE FROM records WHERE kind = ?1 AND key = ?2",
    [ST_SCAN] = "SELECT key, data FROM records WHERE kind = ?1",
};

static const char *const SETUP =
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS records("
    " kind INTEGER NOT NULL,"
    " key TEXT NOT NULL,"
    " data BLOB NOT NULL,"
    " PRIMARY KEY(kind, key)) WITHOUT ROWID;";

typedef struct sq_store {
  sqlite3 *db;
  sqlite3_stmt *st[ST_COUNT];
  char err[ERR_MAX];
} sq_store;

/* Why the last store_sqlite_open of this thread failed. */
static _Thread_local char open_err[ERR_MAX];

/* ---- errors ------------------------------------------------------------------------ */

/* Records "what: SQLite's message (SQLite code N)" and returns the code. */
static int fail(sq_store *s, int rc, const char *what) {
  snprintf(s->err, sizeof s->err, "%s: %s (SQLite code %d)", what,
           s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), rc);
  return rc;
}

static void set_open_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(open_err, sizeof open_err, fmt, ap);
  va_end(ap);
}

/* ---- running the prepared statements ------------------------------------------------- */

/* Steps a statement that returns no row (BEGIN, COMMIT, ROLLBACK, put, del)
   and resets it. */
static int run(sq_store *s, int which, const char *what) {
  sqlite3_stmt *st = s->st[which];
  int rc = sqlite3_step(st);
  rc = rc == SQLITE_DONE ? 0 : fail(s, rc, what); /* the message before the reset */
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

/* Binds ?1 kind and ?2 key, shared by put, get, del and scan. */
static int bind_kind_key(sq_store *s, sqlite3_stmt *st, int kind, const char *key,
                         const char *what) {
  int rc = sqlite3_bind_int(st, 1, kind);
  if (rc == SQLITE_OK && key)
    rc = sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  if (rc != SQLITE_OK) {
    sqlite3_clear_bindings(st);
    return fail(s, rc, what);
  }
  return 0;
}

/* The bytes of a BLOB column: SQLite returns NULL for an empty BLOB, the
   library gets a valid pointer and length 0. */
static const void *column_bytes(sqlite3_stmt *st, int col, size_t *len) {
  const void *p = sqlite3_column_blob(st, col);
  *len = (size_t)sqlite3_column_bytes(st, col);
  return p ? p : "";
}

/* ---- the callbacks ------------------------------------------------------------------- */

static int sq_begin(void *user) { return run(user, ST_BEGIN, "begin"); }

static int sq_commit(void *user) { return run(user, ST_COMMIT, "commit"); }

/* Copes with no open transaction: after a failed begin, or after SQLite
   rolled the transaction back itself (SQLITE_FULL, SQLITE_IOERR, ...). */
static int sq_rollback(void *user) {
  sq_store *s = user;
  if (sqlite3_get_autocommit(s->db))
    return 0;
  return run(s, ST_ROLLBACK, "rollback");
}

static int sq_put(void *user, int kind, const char *key, const void *data, size_t len) {
  sq_store *s = user;
  sqlite3_stmt *st = s->st[ST_PUT];
  int rc = bind_kind_key(s, st, kind, key, "put");
  if (rc)
    return rc;
  /* a NULL pointer would bind SQL NULL: an empty record is "" of length 0 */
  rc = sqlite3_bind_blob64(st, 3, len ? data : "", (sqlite3_uint64)len, SQLITE_STATIC);
  if (rc != SQLITE_OK) {
    sqlite3_clear_bindings(st);
    return fail(s, rc, "put");
  }
  return run(s, ST_PUT, "put");
}

static int sq_get(void *user, int kind, const char *key,
                  int (*sink)(void *arg, const void *data, size_t len), void *arg) {
  sq_store *s = user;
  sqlite3_stmt *st = s->st[ST_GET];
  int rc = bind_kind_key(s, st, kind, key, "get");
  if (rc)
    return rc;
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    size_t len;
    const void *data = column_bytes(st, 0, &len);
    rc = sink(arg, data, len); /* data is valid until the reset below */
  } else if (rc == SQLITE_DONE) {
    rc = PSVC_ENOTFOUND;
  } else {
    fail(s, rc, "get");
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

static int sq_del(void *user, int kind, const char *key) {
  sq_store *s = user;
  int rc = bind_kind_key(s, s->st[ST_DEL], kind, key, "del");
  return rc ? rc : run(s, ST_DEL, "del");
}

static int sq_scan(void *user, int kind,
                   int (*each)(void *arg, const char *key, const void *data, size_t len),
                   void *arg) {
  sq_store *s = user;
  sqlite3_stmt *st = s->st[ST_SCAN];
  int rc = bind_kind_key(s, st, kind, NULL, "scan");
  if (rc)
    return rc;
  int stop = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *key = (const char *)sqlite3_column_text(st, 0);
    size_t len;
    const void *data = column_bytes(st, 1, &len);
    if (!key) { /* out of memory converting the key */
      rc = SQLITE_NOMEM;
      break;
    }
    if ((stop = each(arg, key, data, len)) != 0)
      break;
  }
  if (stop)
    rc = stop; /* each's value, as it is */
  else
    rc = rc == SQLITE_DONE ? 0 : fail(s, rc, "scan");
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

static void sq_close(void *user) {
  sq_store *s = user;
  if (!s)
    return;
  if (s->db && !sqlite3_get_autocommit(s->db)) /* an unfinished transaction is not kept */
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  for (int i = 0; i < ST_COUNT; i++)
    sqlite3_finalize(s->st[i]);
  sqlite3_close_v2(s->db);
  free(s);
}

/* ---- opening --------------------------------------------------------------------------- */

/* WAL mode is persistent in the file; the pragma answers with the mode in
   effect, which is not "wal" for an in-memory database or a VFS without
   shared memory. */
static int set_wal(sq_store *s) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    if (!mode || sqlite3_stricmp(mode, "wal") != 0) {
      snprintf(s->err, sizeof s->err, "journal_mode=WAL refused: the database stays in '%s'",
               mode ? mode : "?");
      sqlite3_finalize(st);
      return SQLITE_ERROR;
    }
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_OK)
    fail(s, rc, "journal_mode=WAL");
  sqlite3_finalize(st);
  return rc;
}

static int setup(sq_store *s, const char *path) {
  int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    return fail(s, rc, "open");
  sqlite3_extended_result_codes(s->db, 1);
  sqlite3_busy_timeout(s->db, STORE_SQLITE_BUSY_MS);
  if ((rc = set_wal(s)) != SQLITE_OK)
    return rc;
  if ((rc = sqlite3_exec(s->db, SETUP, NULL, NULL, NULL)) != SQLITE_OK)
    return fail(s, rc, "creating the records table");
  for (int i = 0; i < ST_COUNT; i++) {
    rc = sqlite3_prepare_v3(s->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
    if (rc != SQLITE_OK)
      return fail(s, rc, SQL[i]);
  }
  return SQLITE_OK;
}

int store_sqlite_open(psvc_store *out, const char *path) {
  if (out)
    memset(out, 0, sizeof *out);
  if (!out || !path) {
    set_open_error("store_sqlite_open: %s is NULL", out ? "path" : "out");
    return PSVC_EINVAL;
  }
  sq_store *s = calloc(1, sizeof *s);
  if (!s) {
    set_open_error("store_sqlite_open: out of memory");
    return PSVC_ENOMEM;
  }
  if (setup(s, path) != SQLITE_OK) {
    set_open_error("store_sqlite_open: %s: %s", path, s->err);
    sq_close(s);
    return PSVC_EIO;
  }
  out->abi = PSVC_STORE_ABI;
  out->user = s;
  out->begin = sq_begin;
  out->commit = sq_commit;
  out->rollback = sq_rollback;
  out->put = sq_put;
  out->get = sq_get;
  out->del = sq_del;
  out->scan = sq_scan;
  out->close = sq_close;
  return PSVC_OK;
}

/* ---- extras ------------------------------------------------------------------------------ */

static sq_store *store_of(const psvc_store *s) {
  return s && s->begin == sq_begin ? s->user : NULL;
}

const char *store_sqlite_error(const psvc_store *s) {
  sq_store *q = store_of(s);
  return q ? q->err : open_err;
}

int store_sqlite_busy_timeout(const psvc_store *s, int ms) {
  sq_store *q = store_of(s);
  if (!q || ms < 0)
    return PSVC_EINVAL;
  return sqlite3_busy_timeout(q->db, ms) == SQLITE_OK ? PSVC_OK : PSVC_EIO;
}
