/*
 * store_sqlite.h — an example psvc_store on SQLite (docs/storage.md, "The
 * store callback contract"). Not part of libpowersvc: copy it into your
 * program, or use it as the pattern for a backend on another database
 * (README.md in this directory).
 *
 * The database is one file in WAL mode with synchronous=FULL: a commit that
 * returned 0 is on disk, readers in other connections and processes see
 * committed data only and never block the writer. The records live in one
 * table, records(kind, key, data), keyed by (kind, key).
 *
 *   psvc_store s;
 *   psvc_ctx *ctx;
 *   if (store_sqlite_open(&s, "psvc.db") != PSVC_OK)
 *     fprintf(stderr, "%s\n", store_sqlite_error(&s));
 *   else if (psvc_ctx_open(&ctx, &s) != PSVC_OK)    // owns the store now
 *     fprintf(stderr, "%s\n", psvc_errmsg(NULL));
 */
#ifndef STORE_SQLITE_H
#define STORE_SQLITE_H

#include <powersvc.h>

/* Milliseconds a writer waits for another connection's write transaction
   before begin fails with SQLITE_BUSY (store_sqlite_busy_timeout). */
#define STORE_SQLITE_BUSY_MS 5000

/* Opens (creating if needed) the database file at `path` and fills *out.
   PSVC_OK; PSVC_EINVAL for a NULL argument; PSVC_ENOMEM; PSVC_EIO if SQLite
   fails (the file cannot be opened, is not a database, refuses WAL mode).
   On failure *out is zeroed and store_sqlite_error(out) says why. Pass *out
   to psvc_ctx_open, which owns it from then on (and closes it, also when
   the open fails); without a context, release it with out->close(out->user). */
int store_sqlite_open(psvc_store *out, const char *path);

/* The last failure of the store, in words: "begin: database is locked
   (SQLite code 5)"; "" if none. With NULL or a store whose open failed:
   why this thread's last store_sqlite_open failed. Valid until the next
   call into the store; never NULL. A callback's non-zero return value is
   the SQLite result code (extended), or PSVC_ENOMEM. */
const char *store_sqlite_error(const psvc_store *s);

/* Sets how long begin waits for another writer (default
   STORE_SQLITE_BUSY_MS); 0 fails at once. PSVC_EINVAL for a NULL store or a
   negative ms. */
int store_sqlite_busy_timeout(const psvc_store *s, int ms);

#endif
