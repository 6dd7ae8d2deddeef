/*
 * fuzz_journal.c — libFuzzer target: journal recovery (docs/storage.md,
 * "Journal file") and, through it, the record decoders (lib/codec.c).
 *
 * The input is written as a journal file and opened. Whatever the bytes,
 * opening either fails cleanly (PSVC_ECORRUPT for damage, PSVC_EIO, …)
 * or succeeds; a context opened on it either loads or refuses a corrupt
 * record with PSVC_ECORRUPT. After a successful open the file is a clean
 * journal: opening it again succeeds, reports "clean", and loads the same
 * number of orders.
 *
 * Inputs shorter than the header are padded with the header of an empty
 * journal so that the fuzzer reaches the frames quickly.
 */
#include "fuzz_common.h"

#include <unistd.h>

static char path[64];

static size_t count_orders(psvc_ctx *ctx) {
  psvc_filter f = PSVC_FILTER_INIT;
  psvc_list *l;
  size_t n = 0;
  if (psvc_order_find(ctx, &f, &l) == PSVC_OK) {
    n = psvc_list_count(l);
    psvc_list_free(l);
  }
  return n;
}

/* Opens the journal and a context on it; the number of orders, or -1. */
static long open_all(int *store_rc, const char **report) {
  psvc_store s;
  *store_rc = psvc_store_journal(&s, path);
  if (*store_rc != PSVC_OK)
    return -1;
  const char *r = psvc_journal_report(&s);
  fuzz_check(r != NULL, "a journal store without a report");
  *report = strncmp(r, "clean", 5) == 0 ? "clean" : "recovered";
  psvc_ctx *ctx;
  int rc = psvc_ctx_open(&ctx, &s); /* owns s from here */
  if (rc != PSVC_OK) {
    fuzz_check(rc == PSVC_ECORRUPT || rc == PSVC_ENOMEM || rc == PSVC_EIO,
               "context open failed with an unexpected code");
    return -2;
  }
  long n = (long)count_orders(ctx);
  psvc_ctx_close(ctx);
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!path[0])
    snprintf(path, sizeof path, "/tmp/psvc-fuzz-journal.%d", (int)getpid());
  FILE *f = fopen(path, "wb");
  fuzz_check(f != NULL, "cannot create the temporary journal");
  if (size < 80) { /* an empty journal's start: "PSVCJRNL", format 1, CRC, 2 empty slots */
    static const uint8_t head[16] = {'P', 'S', 'V', 'C', 'J', 'R', 'N', 'L',
                                     1,   0,   0,   0,   0,   0,   0,   0};
    fwrite(head, 1, 16, f); /* a wrong CRC: exercises the header check too */
  }
  fwrite(data, 1, size, f);
  fclose(f);
  int rc;
  const char *report = NULL;
  long n = open_all(&rc, &report);
  if (rc == PSVC_OK && n >= 0) {
    int rc2;
    const char *report2 = NULL;
    long n2 = open_all(&rc2, &report2);
    fuzz_check(rc2 == PSVC_OK, "a journal that opened once does not open again");
    fuzz_check(strcmp(report2, "clean") == 0, "a recovered journal is not clean on reopen");
    fuzz_check(n2 == n, "reopening a journal changed its orders");
  } else if (rc != PSVC_OK) {
    fuzz_check(rc == PSVC_ECORRUPT || rc == PSVC_EIO || rc == PSVC_ENOMEM,
               "journal open failed with an unexpected code");
  }
  unlink(path);
  return 0;
}
