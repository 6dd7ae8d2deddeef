/*
 * fuzz_csv.c — libFuzzer target: the CSV import of the psvc tool
 * (examples/cli/: csv.c's RFC 4180 reader and import.c's row checks,
 * customers, order histories, notices and calls).
 *
 * The input is written as one CSV file and imported into a fresh journal
 * as `psvc import FILE` would. Whatever the bytes, the import either
 * commits or fails with a documented exit code; a failed import commits
 * nothing — reopening the journal finds no order — and a successful one
 * reopens with the orders it reported.
 */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char csvpath[64], dbpath[64];

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "invariant violated: %s\n", what);
    abort();
  }
}

static long orders_in(const char *path) {
  psvc_store s;
  psvc_ctx *ctx;
  check(psvc_store_journal(&s, path) == PSVC_OK, "the journal does not reopen");
  check(psvc_ctx_open(&ctx, &s) == PSVC_OK, "a context does not open on the journal");
  psvc_filter f = PSVC_FILTER_INIT;
  psvc_list *l;
  check(psvc_order_find(ctx, &f, &l) == PSVC_OK, "order_find failed");
  long n = (long)psvc_list_count(l);
  psvc_list_free(l);
  psvc_ctx_close(ctx);
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!csvpath[0]) {
    snprintf(csvpath, sizeof csvpath, "/tmp/psvc-fuzz-csv.%d.csv", (int)getpid());
    snprintf(dbpath, sizeof dbpath, "/tmp/psvc-fuzz-csv.%d.journal", (int)getpid());
    check(freopen("/dev/null", "w", stdout) != NULL, "cannot silence stdout");
  }
  FILE *f = fopen(csvpath, "wb");
  check(f != NULL, "cannot write the CSV file");
  fwrite(data, 1, size, f);
  fclose(f);
  unlink(dbpath);
  static cli c;
  memset(&c, 0, sizeof c);
  c.prog = "psvc";
  c.db = dbpath;
  c.group = "import";
  c.now = 1793462400; /* 2026-11-01 */
  c.now_given = 1;
  c.pos[0] = csvpath;
  c.npos = 1;
  int rc = run_import(&c, 0);
  db_close(&c);
  check(rc >= EX_OK && rc <= EX_OTHER, "an undocumented exit code");
  if (access(dbpath, F_OK) == 0) {
    long n = orders_in(dbpath);
    if (rc != EX_OK)
      check(n == 0, "a failed import committed orders");
  }
  unlink(dbpath);
  unlink(csvpath);
  return 0;
}
