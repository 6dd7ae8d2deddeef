/*
 * store_pg.h — an example psvc_store on PostgreSQL through libpq
 * (docs/storage.md, "The store callback contract"). Not part of
 * libpowersvc: copy it into your program (README.md in this directory).
 *
 * The records live in one table, created if absent:
 *
 *   CREATE TABLE psvc_records (kind integer, key text, data bytea,
 *                              PRIMARY KEY (kind, key))
 *
 * Each store is one connection (one session): several programs, on several
 * machines, can each open a context on the same table; each sees what the
 * others committed when it opens (the library loads everything at open).
 *
 *   psvc_store s;
 *   psvc_ctx *ctx;
 *   if (store_pg_open(&s, "host=db1 dbname=svc user=psvc", NULL) != PSVC_OK)
 *     fprintf(stderr, "%s\n", store_pg_error(&s));
 *   else if (psvc_ctx_open(&ctx, &s) != PSVC_OK)    // owns the store now
 *     fprintf(stderr, "%s\n", psvc_errmsg(NULL));
 */
#ifndef STORE_PG_H
#define STORE_PG_H

#include <powersvc.h>

/* The table when store_pg_open is given none. */
#define STORE_PG_TABLE "psvc_records"

/* Connects with libpq's `conninfo` ("host=... port=... dbname=... user=...",
   or a postgresql:// URI; "" takes everything from the PG* environment
   variables), creates the table if absent and fills *out. `table` is "name"
   or "schema.name", split at the first '.' (the schema is created if
   absent), or NULL for STORE_PG_TABLE; each part is quoted as an identifier,
   so its case and any character are kept. PSVC_OK; PSVC_EINVAL for a NULL
   out / conninfo or an empty table part; PSVC_ENOMEM; PSVC_EIO if the
   connection or a statement fails. On failure *out is zeroed and store_pg_error(out) says why. Pass
   *out to psvc_ctx_open, which owns it from then on (and closes it, also
   when the open fails); without a context, release it with
   out->close(out->user). */
int store_pg_open(psvc_store *out, const char *conninfo, const char *table);

/* The last failure of the store, in words ("put: ERROR: ..."); "" if none.
   With NULL or a store whose open failed: why this thread's last
   store_pg_open failed. Valid until the next call into the store; never
   NULL. A callback's non-zero return value is PSVC_EIO (PSVC_ENOMEM if
   libpq ran out of memory); the message has the server's words. */
const char *store_pg_error(const psvc_store *s);

#endif
