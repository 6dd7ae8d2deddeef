/*
 * test_journal.c — lib/journal.c through the public API: the built-in,
 * crash-safe journal store (docs/storage.md, "Journal file"), held to the
 * store callback contract ("The store callback contract").
 *
 * What it covers:
 *  - round trip: customers, orders and events written through a context on
 *    a journal read back identically (fault_dump_ctx) from a new store on
 *    the same file; a deleted customer stays deleted;
 *  - the byte layout: header ("PSVCJRNL", format 1, CRC-32C), the two
 *    commit slots (seq, committed end, transaction; the older one
 *    overwritten by each commit), PUT / DEL / COMMIT frames from offset 80
 *    with their CRCs and transaction numbers 1, 2, 3, ...,
 *    checked by an independent parser with its own bitwise CRC-32C, and the
 *    records inside them byte for byte against docs/storage.md's examples; a
 *    journal written by hand in the documented layout loads;
 *  - the lock: a second store on the same file, in this process or in a
 *    forked child, is PSVC_EIO "locked"; closing releases it;
 *  - recovery: garbage, a partial frame, a transaction without its COMMIT and
 *    a crash image cut at every byte of the last transaction (its slot not
 *    yet written) are a torn tail: the open succeeds with the committed
 *    data, psvc_journal_report says how many bytes were cut where, and the
 *    file is truncated back; a complete transaction past the committed end
 *    is kept; the same cut with the slot written (a file shorter than its
 *    committed end) is PSVC_ECORRUPT;
 *  - corruption: every byte of a small journal flipped in turn (three
 *    masks): a damaged header or committed frame is PSVC_ECORRUPT and the
 *    file is left alone; a damaged slot is ignored; damage in the torn tail
 *    is cut; frames with a valid CRC but impossible content, transaction
 *    numbers out of sequence and a committed end past the file or inside a
 *    transaction are PSVC_ECORRUPT;
 *  - crashes: a writer killed with SIGKILL at random moments (>= 200 times)
 *    never loses an acknowledged commit and never leaves a journal that does
 *    not open; compaction runs under the same kills;
 *  - I/O failures: every begin / put / del / commit failing in turn (the
 *    fault_wrap wrapper), and real write failures (RLIMIT_FSIZE): PSVC_EIO,
 *    nothing changed, nothing of the failed transaction on disk, and the
 *    journal reopens with exactly the committed data;
 *  - compaction: the file shrinks to the live records, the data is the same
 *    before and after reopening, a stale path.compact is ignored, and a
 *    context without a journal store is PSVC_EINVAL;
 *  - bad arguments: NULLs (PSVC_EINVAL), a directory or an unopenable path
 *    (PSVC_EIO), a wrong header (PSVC_ECORRUPT).
 *
 * Every test works in its own directory (mkdtemp) under one root that main()
 * creates and removes, so nothing is left behind even when a test fails.
 */
#include "fault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The journal API (docs/storage.md). Declared here as well, identically to
   powersvc.h, so that this file compiles whichever header it meets. */
int psvc_store_journal(psvc_store *out, const char *path);
const char *psvc_journal_report(const psvc_store *s);
int psvc_ctx_compact(psvc_ctx *ctx);

#define T0 FAULT_NOW

static const psvc_actor AGENT = {sizeof(psvc_actor), "agent.01", PSVC_ROLE_AGENT, "Desk-1"};
static const psvc_actor LEAD = {sizeof(psvc_actor), "lead.01", PSVC_ROLE_SHIFT_LEAD, "Desk-1"};
static const psvc_actor CREW_A = {sizeof(psvc_actor), "crew.a1", PSVC_ROLE_REPAIR_CREW,
                                  "Crew-A"};
static const psvc_actor REP = {sizeof(psvc_actor), "rep.01", PSVC_ROLE_CUSTOMER_REP, "Counter"};

#define EV(act, at, tgt, val, note)                                            \
  (&(psvc_event){sizeof(psvc_event), (act), (at), (tgt), (val), (note)})

/* ---- temporary directories ------------------------------------------------------- */

static char ROOT[64];   /* made by main(), removed at exit */
static char DIR_[128];  /* this test's directory */
static char PATH[192];  /* this test's journal */

static void rm_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
      rm_tree(p);
    else
      unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

static void setup(void) {
  snprintf(DIR_, sizeof DIR_, "%s/t-XXXXXX", ROOT);
  ck_assert_msg(mkdtemp(DIR_) != NULL, "mkdtemp %s: %s", DIR_, strerror(errno));
  snprintf(PATH, sizeof PATH, "%s/j.psvcj", DIR_);
}

static void teardown(void) { rm_tree(DIR_); }

/* A sibling path of PATH (caller's buffer of 256). */
static const char *sib(char *buf, const char *name) {
  snprintf(buf, 256, "%s/%s", DIR_, name);
  return buf;
}

/* ---- files ------------------------------------------------------------------------- */

static unsigned char *file_read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  unsigned char *b = malloc(cap);
  ck_assert_ptr_nonnull(b);
  size_t r;
  while ((r = fread(b + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      cap *= 2;
      b = realloc(b, cap);
      ck_assert_ptr_nonnull(b);
    }
  }
  fclose(f);
  *len = n;
  return b;
}

static void file_write(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "create %s: %s", path, strerror(errno));
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

static long long file_size(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0)
    return -1;
  return (long long)st.st_size;
}

static bool file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* ---- CRC-32C (Castagnoli, reflected 0x82F63B78), bitwise: the reference ------------ */

static uint32_t crc32c(const void *data, size_t n) {
  const unsigned char *p = data;
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++)
      c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
  }
  return ~c;
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p) {
  return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- an independent journal parser (docs/storage.md, Layout) ------------------------ */

enum { F_PUT = 1, F_DEL = 2, F_COMMIT = 3 };
#define MAXFRAMES 200000

typedef struct jframe {
  size_t off, end; /* [off, end) in the file */
  int type;
  int kind;        /* PUT / DEL */
  char key[1025];  /* PUT / DEL */
  size_t data_off, data_len; /* PUT: the record */
  uint64_t txn;    /* COMMIT */
} jframe;

#define FRAMES_AT 80 /* header 16 + two commit slots of 32 */

typedef struct jslot {
  bool valid; /* CRC-32C of the first 28 bytes matches */
  uint64_t seq, end, txn;
  uint32_t zero;
} jslot;

typedef struct jparse {
  jframe *f;
  size_t n;
  size_t ncommits;
  size_t last_commit_end; /* FRAMES_AT if no commit */
  jslot slot[2];
  int newest;             /* index of the newest valid slot, -1 if none */
  uint64_t committed_end; /* the newest valid slot's end; FRAMES_AT if none */
  char err[160];          /* "" if the whole file parsed */
  size_t err_off;
} jparse;

/* Parses strictly: stops at the first thing that is not a valid frame. */
static void jparse_buf(jparse *jp, const unsigned char *b, size_t len) {
  memset(jp, 0, sizeof *jp);
  jp->f = calloc(1024, sizeof(jframe));
  size_t cap = 1024;
  ck_assert_ptr_nonnull(jp->f);
  jp->newest = -1;
  jp->committed_end = FRAMES_AT;
  if (len < FRAMES_AT || memcmp(b, "PSVCJRNL", 8) != 0 || le32(b + 8) != 1 ||
      le32(b + 12) != crc32c(b, 12)) {
    snprintf(jp->err, sizeof jp->err, "bad header");
    return;
  }
  for (int k = 0; k < 2; k++) {
    const unsigned char *q = b + 16 + 32 * k;
    jslot *sl = &jp->slot[k];
    sl->valid = le32(q + 28) == crc32c(q, 28);
    sl->seq = le64(q);
    sl->end = le64(q + 8);
    sl->txn = le64(q + 16);
    sl->zero = le32(q + 24);
    if (sl->valid && (jp->newest < 0 || sl->seq > jp->slot[jp->newest].seq))
      jp->newest = k;
  }
  if (jp->newest >= 0)
    jp->committed_end = jp->slot[jp->newest].end;
  size_t off = FRAMES_AT;
  jp->last_commit_end = FRAMES_AT;
  while (off < len) {
    jp->err_off = off;
    if (len - off < 9) {
      snprintf(jp->err, sizeof jp->err, "short frame at %zu", off);
      return;
    }
    uint32_t flen = le32(b + off);
    if (flen > (64u << 20) || (size_t)flen > len - off - 9) {
      snprintf(jp->err, sizeof jp->err, "length %u beyond the file at %zu", flen, off);
      return;
    }
    const unsigned char *pl = b + off + 5;
    if (le32(pl + flen) != crc32c(b + off, 5 + (size_t)flen)) {
      snprintf(jp->err, sizeof jp->err, "bad CRC at %zu", off);
      return;
    }
    if (jp->n == cap) {
      cap *= 2;
      jp->f = realloc(jp->f, cap * sizeof(jframe));
      ck_assert_ptr_nonnull(jp->f);
    }
    jframe *fr = &jp->f[jp->n];
    memset(fr, 0, sizeof *fr);
    fr->off = off;
    fr->end = off + 9 + flen;
    fr->type = b[off + 4];
    if (fr->type == F_PUT || fr->type == F_DEL) {
      if (flen < 3) {
        snprintf(jp->err, sizeof jp->err, "frame too short for a key at %zu", off);
        return;
      }
      fr->kind = pl[0];
      size_t klen = (size_t)pl[1] | (size_t)pl[2] << 8;
      if (fr->kind < 1 || fr->kind > 6 || klen < 1 || klen > 1024 || 3 + klen > flen ||
          (fr->type == F_DEL && 3 + klen != flen)) {
        snprintf(jp->err, sizeof jp->err, "impossible PUT/DEL content at %zu", off);
        return;
      }
      memcpy(fr->key, pl + 3, klen);
      fr->key[klen] = 0;
      fr->data_off = off + 5 + 3 + klen;
      fr->data_len = flen - 3 - klen;
    } else if (fr->type == F_COMMIT) {
      if (flen != 16 || memcmp(pl + 8, "PSVC-CMT", 8) != 0) {
        snprintf(jp->err, sizeof jp->err, "bad COMMIT at %zu", off);
        return;
      }
      fr->txn = le64(pl);
      if (fr->txn != jp->ncommits + 1) {
        snprintf(jp->err, sizeof jp->err, "transaction %llu out of sequence at %zu",
                 (unsigned long long)fr->txn, off);
        return;
      }
      jp->ncommits++;
      jp->last_commit_end = fr->end;
    } else {
      snprintf(jp->err, sizeof jp->err, "unknown frame type %d at %zu", fr->type, off);
      return;
    }
    jp->n++;
    off = fr->end;
  }
}

static void jparse_free(jparse *jp) { free(jp->f); }

/* The end offsets of every COMMIT frame: ends[0] = 80 (header, slots), ends[i]
   = the end of transaction i. Returns the number of transactions. */
static size_t commit_ends(const jparse *jp, size_t *ends, size_t max) {
  size_t n = 0;
  ends[n++] = FRAMES_AT;
  for (size_t i = 0; i < jp->n && n < max; i++)
    if (jp->f[i].type == F_COMMIT)
      ends[n++] = jp->f[i].end;
  return n - 1;
}

/* The live records a journal holds (committed PUT / DEL replayed in order),
   as sorted text lines "kind key hexbytes". */
typedef struct live {
  char **line;
  size_t n, cap;
} live;

static int cmp_line(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *live_text(const jparse *jp, const unsigned char *b) {
  /* (kind, key) -> frame index of the live PUT; -1 once deleted */
  size_t n = jp->n;
  long *idx = malloc((n + 1) * sizeof(long));
  ck_assert_ptr_nonnull(idx);
  size_t nlive = 0;
  size_t pending_from = 0;
  for (size_t i = 0; i < n; i++) {
    if (jp->f[i].type != F_COMMIT)
      continue;
    for (size_t j = pending_from; j < i; j++) { /* the operations of this txn */
      const jframe *op = &jp->f[j];
      size_t k;
      for (k = 0; k < nlive; k++) {
        const jframe *o = &jp->f[idx[k]];
        if (o->kind == op->kind && strcmp(o->key, op->key) == 0)
          break;
      }
      if (op->type == F_PUT) {
        if (k == nlive)
          nlive++;
        idx[k] = (long)j;
      } else if (k < nlive) {
        idx[k] = idx[--nlive];
      }
    }
    pending_from = i + 1;
  }
  live l = {0};
  l.line = malloc((nlive + 1) * sizeof(char *));
  ck_assert_ptr_nonnull(l.line);
  size_t total = 1;
  for (size_t k = 0; k < nlive; k++) {
    const jframe *o = &jp->f[idx[k]];
    size_t sz = 16 + strlen(o->key) + 2 * o->data_len + 2;
    char *s = malloc(sz);
    ck_assert_ptr_nonnull(s);
    int w = snprintf(s, sz, "%d %s ", o->kind, o->key);
    for (size_t q = 0; q < o->data_len; q++)
      w += snprintf(s + w, sz - (size_t)w, "%02x", b[o->data_off + q]);
    l.line[k] = s;
    total += (size_t)w + 1;
  }
  qsort(l.line, nlive, sizeof(char *), cmp_line);
  char *out = malloc(total);
  ck_assert_ptr_nonnull(out);
  out[0] = 0;
  size_t pos = 0;
  for (size_t k = 0; k < nlive; k++) {
    size_t ln = strlen(l.line[k]);
    memcpy(out + pos, l.line[k], ln);
    out[pos + ln] = '\n';
    pos += ln + 1;
    out[pos] = 0;
    free(l.line[k]);
  }
  free(l.line);
  free(idx);
  return out;
}

/* ---- a journal writer, for hand-made files --------------------------------------------- */

typedef struct jbuf {
  unsigned char *b;
  size_t n, cap;
} jbuf;

static void jb_bytes(jbuf *j, const void *p, size_t n) {
  if (j->n + n > j->cap) {
    j->cap = (j->n + n) * 2 + 64;
    j->b = realloc(j->b, j->cap);
    ck_assert_ptr_nonnull(j->b);
  }
  memcpy(j->b + j->n, p, n);
  j->n += n;
}
static void jb_u32(jbuf *j, uint32_t v) {
  unsigned char t[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 24)};
  jb_bytes(j, t, 4);
}
static void jb_header(jbuf *j, const char *magic, uint32_t format, bool good_crc) {
  jb_bytes(j, magic, 8);
  jb_u32(j, format);
  jb_u32(j, crc32c(j->b + j->n - 12, 12) ^ (good_crc ? 0u : 1u));
  unsigned char zero[64] = {0}; /* two empty commit slots */
  jb_bytes(j, zero, 64);
}
/* Writes commit slot k (0 or 1): seq, committed end, transaction, CRC. */
static void jb_slot(jbuf *j, int k, uint64_t seq, uint64_t end, uint64_t txn) {
  unsigned char *q = j->b + 16 + 32 * k;
  for (int i = 0; i < 8; i++) {
    q[i] = (unsigned char)(seq >> (8 * i));
    q[8 + i] = (unsigned char)(end >> (8 * i));
    q[16 + i] = (unsigned char)(txn >> (8 * i));
  }
  memset(q + 24, 0, 4);
  uint32_t c = crc32c(q, 28);
  for (int i = 0; i < 4; i++)
    q[28 + i] = (unsigned char)(c >> (8 * i));
}
static void jb_frame(jbuf *j, int type, const void *payload, size_t plen) {
  size_t start = j->n;
  jb_u32(j, (uint32_t)plen);
  unsigned char t = (unsigned char)type;
  jb_bytes(j, &t, 1);
  if (plen)
    jb_bytes(j, payload, plen);
  jb_u32(j, crc32c(j->b + start, 5 + plen));
}
static void jb_op(jbuf *j, int type, int kind, const char *key, size_t klen, const void *rec,
                  size_t rlen) {
  unsigned char *p = malloc(3 + klen + rlen + 1);
  ck_assert_ptr_nonnull(p);
  p[0] = (unsigned char)kind;
  p[1] = (unsigned char)klen;
  p[2] = (unsigned char)(klen >> 8);
  memcpy(p + 3, key, klen);
  if (rlen)
    memcpy(p + 3 + klen, rec, rlen);
  jb_frame(j, type, p, 3 + klen + rlen);
  free(p);
}
static void jb_put(jbuf *j, int kind, const char *key, const void *rec, size_t rlen) {
  jb_op(j, F_PUT, kind, key, strlen(key), rec, rlen);
}
static void jb_commit(jbuf *j, uint64_t txn) {
  unsigned char p[16];
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char)(txn >> (8 * i));
  memcpy(p + 8, "PSVC-CMT", 8);
  jb_frame(j, F_COMMIT, p, 16);
}

/* The documented records (docs/storage.md). */
static const unsigned char META_REC[] = {0x01, 0x01, 0x08, 0x01, 0x12, 0x11, 'l', 'i', 'b',
                                         'p',  'o',  'w',  'e',  'r',  's',  'v', 'c', ' ',
                                         '1',  '.',  '0',  '.',  '0'};
static const unsigned char WANG_REC[] = {
    0x01, 0x02, 0x0A, 0x0A, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x31, 0x12, 0x09, 0x57, 0x61, 0x6E, 0x67, 0x20, 0x46, 0x61, 0x6E, 0x67, 0x18,
    0x01, 0x20, 0x01, 0x28, 0x02, 0x58, 0xB8, 0x03};
static const unsigned char O1_EVENT_REC[] = {
    0x01, 0x04, 0x08, 0x01, 0x10, 0x80, 0xEE, 0x89, 0xAB, 0x0D, 0x1A, 0x02, 0x61, 0x31,
    0x20, 0x01, 0x2A, 0x02, 0x63, 0x63, 0x32, 0x06, 0x63, 0x72, 0x65, 0x77, 0x2D, 0x41};

/* ---- opening --------------------------------------------------------------------------- */

/* Opens a store on `path` and a context on it; returns the first failing
   code. *s receives the caller's copy of the table (for the report). */
static int jopen_rc(const char *path, psvc_ctx **ctx, psvc_store *s) {
  *ctx = NULL;
  memset(s, 0, sizeof *s);
  int rc = psvc_store_journal(s, path);
  if (rc != PSVC_OK)
    return rc;
  return psvc_ctx_open(ctx, s);
}

static psvc_ctx *jopen_at(int line, const char *path, psvc_store *s) {
  psvc_ctx *ctx = NULL;
  psvc_store tmp;
  int rc = jopen_rc(path, &ctx, s ? s : &tmp);
  ck_assert_msg(rc == PSVC_OK, "line %d: open %s: rc %d (%s): %s", line, path, rc,
                psvc_strerror(rc), psvc_errmsg(NULL));
  ck_assert_ptr_nonnull(ctx);
  return ctx;
}
#define JOPEN(path, s) jopen_at(__LINE__, (path), (s))

static char *dump(psvc_ctx *ctx) {
  char *d = fault_dump_ctx(ctx);
  ck_assert_ptr_nonnull(d);
  return d;
}

/* Opens `path`, dumps, closes. */
static char *dump_of(int line, const char *path) {
  psvc_ctx *ctx = jopen_at(line, path, NULL);
  char *d = dump(ctx);
  psvc_ctx_close(ctx);
  return d;
}

static void must(int line, psvc_ctx *ctx, int rc) {
  ck_assert_msg(rc == PSVC_OK, "line %d: rc %d (%s): %s", line, rc, psvc_strerror(rc),
                psvc_errmsg(ctx));
}
#define MUST(ctx, call) must(__LINE__, (ctx), (call))

static int save_full(psvc_ctx *ctx, const char *id, int variant) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(fault_customer_full(&c, id, variant), PSVC_OK);
  int rc = psvc_customer_save(ctx, c);
  psvc_customer_free(c);
  return rc;
}

static int save_named(psvc_ctx *ctx, const char *id, const char *name, int32_t capacity) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, id), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_name(c, name), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_capacity(c, capacity), PSVC_OK);
  int rc = psvc_customer_save(ctx, c);
  psvc_customer_free(c);
  return rc;
}

/* save_full without Check assertions, for forked children (Check's
   messages must not come from them). */
static int save_full_child(psvc_ctx *ctx, const char *id, int variant) {
  psvc_customer *c = NULL;
  int rc = fault_customer_full(&c, id, variant);
  if (rc == PSVC_OK)
    rc = psvc_customer_save(ctx, c);
  psvc_customer_free(c);
  return rc;
}

static psvc_order_spec mkspec(const char *id, int type, const char *customer, psvc_time at) {
  psvc_order_spec s = PSVC_ORDER_SPEC_INIT;
  s.id = id;
  s.type = type;
  s.channel = PSVC_CHANNEL_PHONE;
  s.customer_id = customer;
  s.accepted_at = at;
  return s;
}

/* A mixed workload: every step is one mutating call, i.e. one store
   transaction with one put or one del. */
enum { WORK_STEPS = 16 };

static int work_step(psvc_ctx *ctx, int step) {
  const psvc_time t = T0 + 100 + 10 * step;
  psvc_order_spec s;
  switch (step) {
  case 0: return save_full(ctx, "CU-1", 0);
  case 1: return save_full(ctx, "CU-2", 1);
  case 2: return save_full(ctx, "CU-3", 2);
  case 3:
    s = mkspec("O-1", PSVC_ORDER_FAULT_REPAIR, "CU-1", T0);
    s.summary = "no power since 7am\nwhole street";
    return psvc_order_open(ctx, &s, &AGENT);
  case 4: return psvc_order_apply(ctx, "O-1", EV(PSVC_ACT_DISPATCH, t, "Crew-A", 0, NULL), &AGENT);
  case 5: return save_full(ctx, "CU-2", 3); /* replace */
  case 6: return save_named(ctx, "TMP-1", "to be deleted", 5);
  case 7: return psvc_customer_delete(ctx, "TMP-1");
  case 8: return psvc_order_apply(ctx, "O-1", EV(PSVC_ACT_RECEIVE, t, NULL, 0, NULL), &CREW_A);
  case 9:
    s = mkspec("O-2", PSVC_ORDER_INQUIRY, NULL, T0 + 5);
    return psvc_order_open(ctx, &s, &AGENT);
  case 10:
    return psvc_order_apply(ctx, "O-2", EV(PSVC_ACT_REPLY, t, NULL, 0, "tariff explained"),
                            &AGENT);
  case 11: return psvc_order_apply(ctx, "O-2", EV(PSVC_ACT_CLOSE, t, NULL, 0, NULL), &AGENT);
  case 12:
    s = mkspec("O-3", PSVC_ORDER_COMPLAINT, "CU-3", T0 + 7);
    s.subtype = PSVC_COMPLAINT_OUTAGE;
    s.channel = PSVC_CHANNEL_WEB;
    return psvc_order_open(ctx, &s, &REP);
  case 13:
    return psvc_order_apply(ctx, "O-3", EV(PSVC_ACT_SUSPEND, t, NULL, 0, "waiting for docs"),
                            &LEAD);
  case 14:
    s = mkspec("O-4", PSVC_ORDER_FAULT_REPAIR, NULL, T0 + 9);
    s.area = PSVC_AREA_RURAL;
    return psvc_order_open(ctx, &s, &AGENT);
  default:
    return psvc_order_apply(ctx, "O-1", EV(PSVC_ACT_ARRIVE, t, NULL, 0, NULL), &CREW_A);
  }
}

/* Deviations collected over a whole loop and asserted once at its end, so
   that one failure does not hide the others. */
static int NSOFT;
static char SOFT[1024];
static void soft_fail(const char *msg) {
  if (NSOFT++ == 0)
    snprintf(SOFT, sizeof SOFT, "%s", msg);
}
#define SOFT_BEGIN() (NSOFT = 0, SOFT[0] = 0)
#define SOFT_END()                                                             \
  ck_assert_msg(NSOFT == 0, "%d deviations; the first: %s", NSOFT, SOFT)

static void report_is(int line, const psvc_store *s, const char *prefix) {
  const char *r = psvc_journal_report(s);
  ck_assert_msg(r != NULL, "line %d: psvc_journal_report returned NULL", line);
  ck_assert_msg(strncmp(r, prefix, strlen(prefix)) == 0, "line %d: report '%s', want '%s...'",
                line, r, prefix);
}
#define REPORT_IS(s, prefix) report_is(__LINE__, (s), (prefix))

/* The report of a torn tail: "recovered: cut N bytes of an incomplete
   transaction at offset X". */
static void report_cut(int line, const psvc_store *s, size_t n, size_t at) {
  const char *r = psvc_journal_report(s);
  ck_assert_msg(r != NULL, "line %d: report NULL", line);
  char want_n[64], want_at[64];
  snprintf(want_n, sizeof want_n, "cut %zu bytes", n);
  snprintf(want_at, sizeof want_at, "at offset %zu", at);
  if (!(strncmp(r, "recovered", 9) == 0 && strstr(r, want_n) && strstr(r, want_at))) {
    char m[512];
    snprintf(m, sizeof m, "line %d: the file was cut from %zu to %zu bytes; report '%s', want "
             "'recovered: %s ... %s'", line, at + n, at, r, want_n, want_at);
    soft_fail(m);
  }
}

/* ======================================================================================= */
/* 0. the reference CRC                                                                    */
/* ======================================================================================= */

START_TEST(test_crc32c_reference) {
  /* the standard check value of CRC-32C (RFC 3720, B.4) */
  ck_assert_uint_eq(crc32c("123456789", 9), 0xE3069283u);
  unsigned char zeros[32] = {0};
  ck_assert_uint_eq(crc32c(zeros, 32), 0x8A9136AAu);
}
END_TEST

/* ======================================================================================= */
/* 1. round trip                                                                           */
/* ======================================================================================= */

START_TEST(test_roundtrip_everything_reads_back) {
  psvc_store s;
  psvc_ctx *ctx = JOPEN(PATH, &s);
  REPORT_IS(&s, "clean");
  for (int step = 0; step < WORK_STEPS; step++)
    must(step, ctx, work_step(ctx, step));
  MUST(ctx, save_named(ctx, "PLAIN", "No orders", 0));
  char *before = dump(ctx);
  ck_assert_ptr_nonnull(strstr(before, "4 orders"));
  ck_assert_ptr_nonnull(strstr(before, "4 customers"));
  psvc_ctx_close(ctx);

  ctx = JOPEN(PATH, &s);
  REPORT_IS(&s, "clean");
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  free(after);

  /* a customer without orders is deleted, and stays deleted */
  MUST(ctx, psvc_customer_delete(ctx, "PLAIN"));
  /* the reopened context goes on where the history left off */
  MUST(ctx, psvc_order_apply(ctx, "O-1", EV(PSVC_ACT_RESOLVE, T0 + 1000, NULL, 0, "fuse"),
                             &CREW_A));
  free(before);
  before = dump(ctx);
  ck_assert_ptr_null(strstr(before, "PLAIN"));
  psvc_ctx_close(ctx);

  ctx = JOPEN(PATH, &s);
  after = dump(ctx);
  ck_assert_str_eq(before, after);
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_load(ctx, "PLAIN", &c), PSVC_ENOTFOUND);
  ck_assert_int_eq(psvc_customer_load(ctx, "CU-2", &c), PSVC_OK);
  ck_assert_str_eq(psvc_customer_name(c), "Pump station"); /* variant 3 replaced variant 1 */
  psvc_customer_free(c);
  psvc_order *o = NULL;
  ck_assert_int_eq(psvc_order_load(ctx, "O-1", &o), PSVC_OK);
  ck_assert_uint_eq(psvc_order_event_count(o), 4);
  ck_assert_int_eq(psvc_order_state(o), PSVC_STATE_RESOLVED);
  psvc_order_free(o);
  psvc_ctx_close(ctx);
  free(after);
  free(before);
}
END_TEST

/* An empty journal (created, never written to by a context) reopens empty. */
START_TEST(test_roundtrip_new_journal_is_empty) {
  ck_assert(!file_exists(PATH));
  psvc_store s;
  psvc_ctx *ctx = JOPEN(PATH, &s);
  char *d = dump(ctx);
  ck_assert_str_eq(d, "0 customers\n0 orders\n");
  psvc_ctx_close(ctx);
  ck_assert(file_exists(PATH));
  char *again = dump_of(__LINE__, PATH);
  ck_assert_str_eq(d, again);
  free(d);
  free(again);
}
END_TEST

/* A store table whose close is called without a context releases the
   file: it can be opened again at once. */
START_TEST(test_store_close_without_context) {
  psvc_store s;
  ck_assert_int_eq(psvc_store_journal(&s, PATH), PSVC_OK);
  ck_assert_uint_eq(s.abi, PSVC_STORE_ABI);
  ck_assert(s.begin && s.commit && s.rollback && s.put && s.get && s.del && s.scan && s.close);
  s.close(s.user);
  psvc_store s2;
  ck_assert_int_eq(psvc_store_journal(&s2, PATH), PSVC_OK);
  s2.close(s2.user);
}
END_TEST

/* ======================================================================================= */
/* 2. the byte layout                                                                      */
/* ======================================================================================= */

static void expect_put(int line, const jparse *jp, const unsigned char *b, size_t i, int kind,
                       const char *key, const unsigned char *rec, size_t rlen) {
  ck_assert_msg(i < jp->n, "line %d: frame %zu missing (%zu frames)", line, i, jp->n);
  const jframe *f = &jp->f[i];
  ck_assert_msg(f->type == F_PUT, "line %d: frame %zu type %d, want PUT", line, i, f->type);
  ck_assert_msg(f->kind == kind, "line %d: frame %zu kind %d, want %d", line, i, f->kind, kind);
  ck_assert_msg(strcmp(f->key, key) == 0, "line %d: frame %zu key '%s', want '%s'", line, i,
                f->key, key);
  if (rec) {
    ck_assert_msg(f->data_len == rlen && memcmp(b + f->data_off, rec, rlen) == 0,
                  "line %d: frame %zu: the record is not the documented bytes", line, i);
  }
}

static void expect_commit(int line, const jparse *jp, size_t i, uint64_t txn) {
  ck_assert_msg(i < jp->n, "line %d: frame %zu missing", line, i);
  ck_assert_msg(jp->f[i].type == F_COMMIT, "line %d: frame %zu type %d, want COMMIT", line, i,
                jp->f[i].type);
  ck_assert_msg(jp->f[i].txn == txn, "line %d: frame %zu txn %llu, want %llu", line, i,
                (unsigned long long)jp->f[i].txn, (unsigned long long)txn);
}

/* The commit slots after `ntx` commits, the last ending at `len`, the one
   before at `prev_end`: the newest valid slot records the last commit; the
   other one, one seq lower, the commit before it. */
static void expect_slots(int line, const jparse *jp, size_t len, uint64_t ntx, size_t prev_end) {
  ck_assert_msg(jp->newest >= 0, "line %d: no valid commit slot", line);
  const jslot *nw = &jp->slot[jp->newest], *ol = &jp->slot[1 - jp->newest];
  ck_assert_msg(nw->end == len && nw->txn == ntx && nw->zero == 0,
                "line %d: newest slot (seq %llu) end %llu txn %llu, want end %zu txn %llu", line,
                (unsigned long long)nw->seq, (unsigned long long)nw->end,
                (unsigned long long)nw->txn, len, (unsigned long long)ntx);
  if (ntx >= 2) {
    ck_assert_msg(ol->valid, "line %d: the older slot is not valid", line);
    ck_assert_msg(ol->seq + 1 == nw->seq && ol->end == prev_end && ol->txn == ntx - 1,
                  "line %d: older slot seq %llu end %llu txn %llu; newest seq %llu, previous "
                  "commit end %zu",
                  line, (unsigned long long)ol->seq, (unsigned long long)ol->end,
                  (unsigned long long)ol->txn, (unsigned long long)nw->seq, prev_end);
  } else if (ol->valid) {
    ck_assert_msg(ol->seq + 1 == nw->seq, "line %d: slot seqs %llu, %llu", line,
                  (unsigned long long)ol->seq, (unsigned long long)nw->seq);
  }
}

START_TEST(test_format_header_frames_and_records) {
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  /* docs/storage.md's customer example */
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "0100000001"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_name(c, "Wang Fang"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_DIRECT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_RESIDENTIAL), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_voltage(c, 220), PSVC_OK);
  MUST(ctx, psvc_customer_save(ctx, c));
  psvc_customer_free(c);

  /* the file is complete after every commit, while the store is open */
  size_t len = 0;
  unsigned char *b = file_read(PATH, &len);
  ck_assert_uint_ge(len, FRAMES_AT);
  ck_assert_int_eq(memcmp(b, "PSVCJRNL", 8), 0);
  ck_assert_int_eq(memcmp(b + 8, "\x01\x00\x00\x00", 4), 0);
  ck_assert_uint_eq(le32(b + 12), crc32c(b, 12));
  jparse jp;
  jparse_buf(&jp, b, len);
  ck_assert_msg(jp.err[0] == 0, "parse: %s", jp.err);
  ck_assert_uint_eq(jp.n, 4);
  ck_assert_uint_eq(jp.f[0].off, FRAMES_AT);
  expect_put(__LINE__, &jp, b, 0, PSVC_REC_META, "format", META_REC, sizeof META_REC);
  expect_commit(__LINE__, &jp, 1, 1);
  expect_put(__LINE__, &jp, b, 2, PSVC_REC_CUSTOMER, "0100000001", WANG_REC, sizeof WANG_REC);
  expect_commit(__LINE__, &jp, 3, 2);
  ck_assert_uint_eq(jp.last_commit_end, len);
  expect_slots(__LINE__, &jp, len, 2, jp.f[1].end);
  /* exact frame sizes: len + type + payload + crc */
  ck_assert_uint_eq(jp.f[0].end - jp.f[0].off, 4 + 1 + 1 + 2 + 6 + sizeof META_REC + 4);
  ck_assert_uint_eq(jp.f[1].end - jp.f[1].off, 4 + 1 + 16 + 4);
  jparse_free(&jp);
  free(b);

  /* a delete is a DEL frame; an order and its first event */
  MUST(ctx, psvc_customer_delete(ctx, "0100000001"));
  psvc_order_spec s = mkspec("O1", PSVC_ORDER_FAULT_REPAIR, NULL, T0 - 60);
  s.area = PSVC_AREA_URBAN;
  const psvc_actor a1 = {sizeof(psvc_actor), "a1", PSVC_ROLE_AGENT, "cc"};
  MUST(ctx, psvc_order_open(ctx, &s, &a1));
  MUST(ctx, psvc_order_apply(ctx, "O1", EV(PSVC_ACT_DISPATCH, 1790000000, "crew-A", 0, NULL),
                             &a1));
  b = file_read(PATH, &len);
  jparse_buf(&jp, b, len);
  ck_assert_msg(jp.err[0] == 0, "parse: %s", jp.err);
  ck_assert_uint_eq(jp.n, 10);
  ck_assert_int_eq(jp.f[4].type, F_DEL);
  ck_assert_int_eq(jp.f[4].kind, PSVC_REC_CUSTOMER);
  ck_assert_str_eq(jp.f[4].key, "0100000001");
  ck_assert_uint_eq(jp.f[4].end - jp.f[4].off, 4 + 1 + 3 + 10 + 4);
  expect_commit(__LINE__, &jp, 5, 3);
  expect_put(__LINE__, &jp, b, 6, PSVC_REC_ORDER, "O1", NULL, 0);
  expect_commit(__LINE__, &jp, 7, 4);
  expect_put(__LINE__, &jp, b, 8, PSVC_REC_EVENT, "O1/0000000000", O1_EVENT_REC,
             sizeof O1_EVENT_REC);
  expect_commit(__LINE__, &jp, 9, 5);
  ck_assert_uint_eq(jp.last_commit_end, len);
  expect_slots(__LINE__, &jp, len, 5, jp.f[7].end);
  jparse_free(&jp);
  free(b);
  psvc_ctx_close(ctx);

  /* closing adds nothing; reopening without changes writes nothing */
  ck_assert_int_eq(file_size(PATH), (long long)len);
  char *d = dump_of(__LINE__, PATH);
  free(d);
  ck_assert_int_eq(file_size(PATH), (long long)len);
}
END_TEST

/* A journal written by hand in the documented layout loads. */
START_TEST(test_format_handwritten_journal_loads) {
  jbuf j = {0};
  jb_header(&j, "PSVCJRNL", 1, true);
  jb_put(&j, PSVC_REC_META, "format", META_REC, sizeof META_REC);
  jb_commit(&j, 1);
  size_t end1 = j.n;
  jb_put(&j, PSVC_REC_CUSTOMER, "0100000001", WANG_REC, sizeof WANG_REC);
  /* a put and a delete of another record in one transaction: nets out */
  static const unsigned char OTHER[] = {0x01, 0x02, 0x0A, 0x01, 'X', 0x12, 0x01, 'x'};
  jb_put(&j, PSVC_REC_CUSTOMER, "X", OTHER, sizeof OTHER);
  jb_op(&j, F_DEL, PSVC_REC_CUSTOMER, "X", 1, NULL, 0);
  jb_commit(&j, 2);
  jb_slot(&j, 1, 1, end1, 1);
  jb_slot(&j, 0, 2, j.n, 2);
  file_write(PATH, j.b, j.n);

  psvc_store s;
  psvc_ctx *ctx = JOPEN(PATH, &s);
  REPORT_IS(&s, "clean");
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_load(ctx, "0100000001", &c), PSVC_OK);
  ck_assert_str_eq(psvc_customer_name(c), "Wang Fang");
  ck_assert_int_eq(psvc_customer_voltage(c), 220);
  ck_assert_uint_eq(psvc_customer_sources(c), PSVC_SOURCE_LV);
  psvc_customer_free(c);
  ck_assert_int_eq(psvc_customer_load(ctx, "X", &c), PSVC_ENOTFOUND);
  /* the next transaction is number 3 */
  MUST(ctx, save_named(ctx, "Y", "Why", 1));
  psvc_ctx_close(ctx);
  size_t len = 0;
  unsigned char *b = file_read(PATH, &len);
  /* appended, not rewritten (the slots aside) */
  ck_assert_int_eq(memcmp(b, j.b, 16), 0);
  ck_assert_int_eq(memcmp(b + FRAMES_AT, j.b + FRAMES_AT, j.n - FRAMES_AT), 0);
  jparse jp;
  jparse_buf(&jp, b, len);
  ck_assert_msg(jp.err[0] == 0, "parse: %s", jp.err);
  ck_assert_uint_eq(jp.ncommits, 3);
  ck_assert_uint_eq(jp.last_commit_end, len);
  expect_slots(__LINE__, &jp, len, 3, j.n);
  ck_assert_int_eq(jp.newest, 1); /* the older slot was overwritten */
  ck_assert_uint_eq(jp.slot[1].seq, 3);
  jparse_free(&jp);
  free(b);
  free(j.b);
}
END_TEST

/* "The older of the two slots is overwritten": also when the newer one is
   slot 1 with an even seq (a file written by another program). */
START_TEST(test_format_older_slot_overwritten) {
  jbuf j = {0};
  jb_header(&j, "PSVCJRNL", 1, true);
  jb_put(&j, PSVC_REC_META, "format", META_REC, sizeof META_REC);
  jb_commit(&j, 1);
  size_t end1 = j.n;
  jb_put(&j, PSVC_REC_CUSTOMER, "0100000001", WANG_REC, sizeof WANG_REC);
  jb_commit(&j, 2);
  jb_slot(&j, 0, 1, end1, 1); /* older */
  jb_slot(&j, 1, 2, j.n, 2);  /* newer */
  file_write(PATH, j.b, j.n);
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  MUST(ctx, save_named(ctx, "Y", "Why", 1));
  psvc_ctx_close(ctx);
  size_t len = 0;
  unsigned char *b = file_read(PATH, &len);
  jparse jp;
  jparse_buf(&jp, b, len);
  ck_assert_msg(jp.err[0] == 0, "parse: %s", jp.err);
  jparse keep = jp; /* freed before the assertions, for CK_FORK=no */
  jparse_free(&jp);
  free(b);
  size_t jn = j.n;
  free(j.b);
  jp = keep;
  ck_assert_msg(jp.newest == 0 && jp.slot[1].valid && jp.slot[1].seq == 2 &&
                    jp.slot[1].end == jn,
                "the newer slot (1, seq 2) was overwritten instead of the older one (0, seq 1): "
                "slot 0 seq %llu end %llu, slot 1 seq %llu end %llu",
                (unsigned long long)jp.slot[0].seq, (unsigned long long)jp.slot[0].end,
                (unsigned long long)jp.slot[1].seq, (unsigned long long)jp.slot[1].end);
  expect_slots(__LINE__, &jp, len, 3, jn);
}
END_TEST

/* ======================================================================================= */
/* 3. the lock                                                                             */
/* ======================================================================================= */

START_TEST(test_lock_second_store_same_process) {
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  MUST(ctx, save_full(ctx, "CU-1", 0));
  size_t len0 = 0;
  unsigned char *b0 = file_read(PATH, &len0);
  psvc_store s2;
  int rc = psvc_store_journal(&s2, PATH);
  ck_assert_msg(rc == PSVC_EIO, "second store: rc %d, want PSVC_EIO", rc);
  ck_assert_msg(strstr(psvc_errmsg(NULL), "locked") != NULL, "message '%s'", psvc_errmsg(NULL));
  /* the refused open touched nothing, and the first store still works */
  size_t len1 = 0;
  unsigned char *b1 = file_read(PATH, &len1);
  ck_assert(len0 == len1 && memcmp(b0, b1, len0) == 0);
  MUST(ctx, save_full(ctx, "CU-2", 1));
  char *before = dump(ctx);
  psvc_ctx_close(ctx);
  /* closed: the lock is gone */
  psvc_store s3;
  ctx = JOPEN(PATH, &s3);
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  psvc_ctx_close(ctx);
  free(b0);
  free(b1);
  free(before);
  free(after);
}
END_TEST

/* A child process tries while the parent holds it; the parent tries while
   a child holds it. */
START_TEST(test_lock_across_processes) {
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  MUST(ctx, save_full(ctx, "CU-1", 0));
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    psvc_store s;
    int rc = psvc_store_journal(&s, PATH);
    _exit(rc == PSVC_EIO && strstr(psvc_errmsg(NULL), "locked") ? 0 : 10 + (rc < 0 ? -rc : rc));
  }
  int st = 0;
  ck_assert_int_eq(waitpid(pid, &st, 0), pid);
  ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                "the child was not refused with PSVC_EIO 'locked' (status %d)", st);
  char *before = dump(ctx);
  psvc_ctx_close(ctx);

  int ready[2], release[2];
  ck_assert_int_eq(pipe(ready), 0);
  ck_assert_int_eq(pipe(release), 0);
  pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    close(ready[0]);
    close(release[1]);
    psvc_store s;
    psvc_ctx *c = NULL;
    int rc = psvc_store_journal(&s, PATH);
    if (rc == PSVC_OK)
      rc = psvc_ctx_open(&c, &s);
    char r = rc == PSVC_OK ? 'y' : 'n';
    if (write(ready[1], &r, 1) != 1)
      _exit(3);
    char x;
    while (read(release[0], &x, 1) > 0) {
    }
    psvc_ctx_close(c);
    _exit(rc == PSVC_OK ? 0 : 2);
  }
  close(ready[1]);
  close(release[0]);
  char r = 0;
  ck_assert_int_eq(read(ready[0], &r, 1), 1);
  ck_assert_msg(r == 'y', "the child could not open the journal");
  psvc_store s;
  int rc = psvc_store_journal(&s, PATH);
  ck_assert_msg(rc == PSVC_EIO, "while a child holds it: rc %d, want PSVC_EIO", rc);
  ck_assert_msg(strstr(psvc_errmsg(NULL), "locked") != NULL, "message '%s'", psvc_errmsg(NULL));
  close(release[1]); /* let the child close and exit */
  ck_assert_int_eq(waitpid(pid, &st, 0), pid);
  ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(ready[0]);
  char *after = dump_of(__LINE__, PATH);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
}
END_TEST

/* A process that dies holding the lock releases it. */
START_TEST(test_lock_released_by_killed_process) {
  int ready[2];
  ck_assert_int_eq(pipe(ready), 0);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    close(ready[0]);
    psvc_store s;
    psvc_ctx *c = NULL;
    int rc = psvc_store_journal(&s, PATH);
    if (rc == PSVC_OK)
      rc = psvc_ctx_open(&c, &s);
    char r = rc == PSVC_OK ? 'y' : 'n';
    if (write(ready[1], &r, 1) != 1)
      _exit(3);
    for (;;)
      pause();
  }
  close(ready[1]);
  char r = 0;
  ck_assert_int_eq(read(ready[0], &r, 1), 1);
  ck_assert(r == 'y');
  psvc_store s;
  ck_assert_int_eq(psvc_store_journal(&s, PATH), PSVC_EIO);
  kill(pid, SIGKILL);
  int st = 0;
  ck_assert_int_eq(waitpid(pid, &st, 0), pid);
  close(ready[0]);
  psvc_ctx *ctx = JOPEN(PATH, &s);
  REPORT_IS(&s, "clean");
  psvc_ctx_close(ctx);
}
END_TEST

/* ======================================================================================= */
/* 4. torn tails                                                                           */
/* ======================================================================================= */

/* Builds a journal with the whole workload, the last step being `last` (a
   put or a delete), and returns the dumps before and after the last step.
   The file ends at the last COMMIT. */
static void build_journal(bool last_is_delete, char **d_prev, char **d_full,
                          unsigned char **f_prev, size_t *f_prev_len) {
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  for (int step = 0; step < WORK_STEPS; step++)
    must(step, ctx, work_step(ctx, step));
  if (last_is_delete)
    MUST(ctx, save_named(ctx, "GONE", "deleted last", 3));
  *d_prev = dump(ctx);
  if (f_prev)
    *f_prev = file_read(PATH, f_prev_len); /* complete after every commit */
  if (last_is_delete)
    MUST(ctx, psvc_customer_delete(ctx, "GONE"));
  else
    MUST(ctx, psvc_order_apply(ctx, "O-1",
                               EV(PSVC_ACT_NOTE, T0 + 5000, NULL, 0,
                                  "a longer note, so that the last transaction has some bytes"),
                               &CREW_A));
  *d_full = dump(ctx);
  psvc_ctx_close(ctx);
}

/* Writes `bytes` to PATH, opens, and checks: success, the expected dump, a
   report (clean, or the cut of n bytes at `at`), the file size afterwards;
   then that the journal takes a new transaction after the recovery point
   and reopens clean with it. */
static void expect_recovery(int line, const unsigned char *bytes, size_t len, const char *want,
                            size_t at, bool check_append) {
  file_write(PATH, bytes, len);
  psvc_store s;
  psvc_ctx *ctx = NULL;
  int rc = jopen_rc(PATH, &ctx, &s);
  ck_assert_msg(rc == PSVC_OK, "line %d: %zu bytes (committed end %zu): rc %d (%s): %s", line,
                len, at, rc, psvc_strerror(rc), psvc_errmsg(NULL));
  if (len == at)
    report_is(line, &s, "clean");
  else
    report_cut(line, &s, len - at, at);
  ck_assert_msg(file_size(PATH) == (long long)at, "line %d: %zu bytes: size %lld after open, want %zu",
                line, len, file_size(PATH), at);
  char *d = dump(ctx);
  ck_assert_msg(strcmp(d, want) == 0, "line %d: %zu bytes: data differs:\n%s\nvs\n%s", line, len,
                d, want);
  free(d);
  if (check_append) {
    MUST(ctx, save_named(ctx, "AFTER", "written after recovery", 9));
    char *d1 = dump(ctx);
    psvc_ctx_close(ctx);
    ctx = JOPEN(PATH, &s);
    REPORT_IS(&s, "clean");
    char *d2 = dump(ctx);
    ck_assert_msg(strcmp(d1, d2) == 0, "line %d: %zu bytes: the commit after recovery is lost",
                  line, len);
    free(d1);
    free(d2);
    size_t n = 0;
    unsigned char *b = file_read(PATH, &n);
    jparse jp;
    jparse_buf(&jp, b, n);
    ck_assert_msg(jp.err[0] == 0 && jp.last_commit_end == n,
                  "line %d: %zu bytes: after recovery and a commit: %s", line, len, jp.err);
    jparse_free(&jp);
    free(b);
  }
  psvc_ctx_close(ctx);
}

START_TEST(test_torn_tail_garbage_and_partial_frames) {
  SOFT_BEGIN();
  char *d_prev = NULL, *d_full = NULL;
  build_journal(false, &d_prev, &d_full, NULL, NULL);
  size_t len = 0;
  unsigned char *full = file_read(PATH, &len);
  jparse jp;
  jparse_buf(&jp, full, len);
  ck_assert_msg(jp.err[0] == 0 && jp.last_commit_end == len && jp.committed_end == len, "%s",
                jp.err);
  const jframe *last_put = &jp.f[jp.n - 2];
  ck_assert_int_eq(last_put->type, F_PUT);

  unsigned char *buf = malloc(len + 4096);
  ck_assert_ptr_nonnull(buf);
  /* garbage of several sizes and patterns */
  static const size_t sizes[] = {1, 4, 5, 8, 9, 13, 37, 100, 1000};
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    for (int pat = 0; pat < 3; pat++) {
      memcpy(buf, full, len);
      for (size_t q = 0; q < sizes[i]; q++) {
        x = x * 1103515245u + 12345u;
        buf[len + q] = pat == 0 ? 0 : pat == 1 ? 0xFF : (unsigned char)(x >> 16);
      }
      expect_recovery(__LINE__, buf, len + sizes[i], d_full, len, i == 6 && pat == 2);
    }
  /* a copy of the last transaction's PUT frame, cut at every length, and
     whole (a complete frame whose COMMIT never came) */
  size_t flen = last_put->end - last_put->off;
  for (size_t k = 1; k <= flen; k++) {
    memcpy(buf, full, len);
    memcpy(buf + len, full + last_put->off, k);
    expect_recovery(__LINE__, buf, len + k, d_full, len, k == flen);
  }
  /* a complete PUT and a COMMIT cut short */
  const jframe *last_commit = &jp.f[jp.n - 1];
  memcpy(buf, full, len);
  memcpy(buf + len, full + last_put->off, flen);
  memcpy(buf + len + flen, full + last_commit->off, 10);
  expect_recovery(__LINE__, buf, len + flen + 10, d_full, len, false);

  free(buf);
  jparse_free(&jp);
  free(full);
  free(d_prev);
  free(d_full);
  SOFT_END();
}
END_TEST

static void expect_corrupt(int line, const char *what);

/* A crash inside the last transaction: its frames written up to `cut`, the
   slot not yet updated (the slots are those of the previous commit). The
   last transaction is a torn tail; cut == the end is a complete transaction
   past the committed end, which is kept. The same cut with the slots
   saying the transaction was committed is a file shorter than its committed
   end: PSVC_ECORRUPT. */
static void cut_everywhere(bool last_is_delete) {
  SOFT_BEGIN();
  char *d_prev = NULL, *d_full = NULL;
  unsigned char *prev = NULL;
  size_t plen = 0;
  build_journal(last_is_delete, &d_prev, &d_full, &prev, &plen);
  size_t len = 0;
  unsigned char *full = file_read(PATH, &len);
  jparse jp;
  jparse_buf(&jp, full, len);
  ck_assert_msg(jp.err[0] == 0 && jp.last_commit_end == len && jp.committed_end == len, "%s",
                jp.err);
  size_t ends[64];
  size_t ntx = commit_ends(&jp, ends, 64);
  ck_assert_uint_ge(ntx, 2);
  size_t prev_end = ends[ntx - 1];
  ck_assert_uint_eq(prev_end, plen);
  ck_assert_uint_eq(ends[ntx], len);
  ck_assert_int_eq(jp.f[jp.n - 2].type, last_is_delete ? F_DEL : F_PUT);
  ck_assert_int_eq(memcmp(prev + FRAMES_AT, full + FRAMES_AT, plen - FRAMES_AT), 0);
  unsigned char *img = malloc(len);
  ck_assert_ptr_nonnull(img);
  for (size_t cut = prev_end; cut <= len; cut++) {
    memcpy(img, full, cut);
    memcpy(img + 16, prev + 16, FRAMES_AT - 16); /* the slots before the commit */
    bool whole = cut == len;
    expect_recovery(__LINE__, img, cut, whole ? d_full : d_prev, whole ? len : prev_end,
                    (cut - prev_end) % 7 == 3);
  }
  for (size_t cut = prev_end; cut < len; cut++) {
    file_write(PATH, full, cut); /* the slots say `len` was committed */
    char what[128];
    snprintf(what, sizeof what, "cut at %zu of %zu, committed end %zu", cut, len, len);
    expect_corrupt(__LINE__, what);
  }
  free(img);
  free(prev);
  jparse_free(&jp);
  free(full);
  free(d_prev);
  free(d_full);
  SOFT_END();
}

START_TEST(test_torn_tail_cut_inside_last_put_transaction) { cut_everywhere(false); }
END_TEST

START_TEST(test_torn_tail_cut_inside_last_del_transaction) { cut_everywhere(true); }
END_TEST

/* A crash inside the first transaction (META) of a new journal, whose slots
   are still empty: a torn tail, the file cut back to its 80 bytes. */
START_TEST(test_torn_tail_inside_first_transaction) {
  SOFT_BEGIN();
  psvc_ctx *ctx = JOPEN(PATH, NULL); /* writes META, transaction 1 */
  psvc_ctx_close(ctx);
  size_t len = 0;
  unsigned char *full = file_read(PATH, &len);
  unsigned char *img = malloc(len);
  ck_assert_ptr_nonnull(img);
  for (size_t cut = FRAMES_AT; cut <= len; cut++) {
    memcpy(img, full, cut);
    memset(img + 16, 0, FRAMES_AT - 16);
    file_write(PATH, img, cut);
    psvc_store s;
    ck_assert_int_eq(psvc_store_journal(&s, PATH), PSVC_OK);
    if (cut == FRAMES_AT || cut == len)
      REPORT_IS(&s, "clean");
    else
      report_cut(__LINE__, &s, cut - FRAMES_AT, FRAMES_AT);
    ck_assert_int_eq(file_size(PATH), cut == len ? (long long)len : FRAMES_AT);
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK); /* writes META unless it is there */
    char *d = dump(ctx);
    ck_assert_str_eq(d, "0 customers\n0 orders\n");
    free(d);
    psvc_ctx_close(ctx);
    size_t n = 0;
    unsigned char *b = file_read(PATH, &n);
    jparse jp;
    jparse_buf(&jp, b, n);
    ck_assert_msg(jp.err[0] == 0 && jp.ncommits == 1 && jp.last_commit_end == n, "cut %zu: %s",
                  cut, jp.err);
    ck_assert_int_eq(memcmp(b + FRAMES_AT, full + FRAMES_AT, len - FRAMES_AT), 0);
    jparse_free(&jp);
    free(b);
  }
  free(img);
  free(full);
  SOFT_END();
}
END_TEST

/* ======================================================================================= */
/* 5. corruption                                                                           */
/* ======================================================================================= */

/* Opens PATH expecting PSVC_ECORRUPT, with the file left exactly as it was
   and the lock released. */
static void expect_corrupt(int line, const char *what) {
  size_t n0 = 0;
  unsigned char *b0 = file_read(PATH, &n0);
  psvc_store s;
  psvc_ctx *ctx = NULL;
  int rc = jopen_rc(PATH, &ctx, &s);
  if (rc == PSVC_OK) {
    char *d = dump(ctx);
    psvc_ctx_close(ctx);
    ck_abort_msg("line %d: %s: opened (report '%s') instead of PSVC_ECORRUPT, data:\n%s", line,
                 what, psvc_journal_report(&s), d);
  }
  ck_assert_msg(rc == PSVC_ECORRUPT, "line %d: %s: rc %d (%s), want PSVC_ECORRUPT: %s", line,
                what, rc, psvc_strerror(rc), psvc_errmsg(NULL));
  ck_assert_msg(psvc_errmsg(NULL)[0] != 0, "line %d: %s: no message", line, what);
  size_t n1 = 0;
  unsigned char *b1 = file_read(PATH, &n1);
  ck_assert_msg(n0 == n1 && memcmp(b0, b1, n0) == 0, "line %d: %s: the file was changed", line,
                what);
  free(b0);
  free(b1);
  /* nothing stays locked: the same answer again */
  rc = psvc_store_journal(&s, PATH);
  ck_assert_msg(rc == PSVC_ECORRUPT, "line %d: %s: second open rc %d: %s", line, what, rc,
                psvc_errmsg(NULL));
}

START_TEST(test_corrupt_every_byte_flipped) {
  SOFT_BEGIN();
  /* a small journal: META, a customer, an order, an event, a delete */
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  MUST(ctx, save_named(ctx, "C1", "Anna", 10));
  psvc_order_spec s = mkspec("O1", PSVC_ORDER_INQUIRY, "C1", T0);
  MUST(ctx, psvc_order_open(ctx, &s, &AGENT));
  MUST(ctx, save_named(ctx, "C2", "Bo", 20));
  MUST(ctx, psvc_order_apply(ctx, "O1", EV(PSVC_ACT_REPLY, T0 + 1, NULL, 0, "ok"), &AGENT));
  char *d_prev = dump(ctx);
  MUST(ctx, psvc_customer_delete(ctx, "C2"));
  char *d_full = dump(ctx);
  psvc_ctx_close(ctx);

  size_t clen = 0;
  unsigned char *clean = file_read(PATH, &clen);
  jparse jp;
  jparse_buf(&jp, clean, clen);
  ck_assert_msg(jp.err[0] == 0 && jp.last_commit_end == clen && jp.committed_end == clen, "%s",
                jp.err);
  ck_assert_uint_eq(jp.ncommits, 6);

  /* plus a torn tail: the first 11 bytes of a PUT frame */
  size_t len = clen + 11;
  unsigned char *orig = malloc(len);
  unsigned char *buf = malloc(len);
  ck_assert(orig && buf);
  memcpy(orig, clean, clen);
  memcpy(orig + clen, clean + jp.f[2].off, 11);

  static const unsigned char masks[] = {0xFF, 0x01, 0x80};
  int n_corrupt = 0, n_slot = 0, n_tail = 0;
  for (size_t m = 0; m < sizeof masks; m++)
    for (size_t p = 0; p < len; p++) {
      memcpy(buf, orig, len);
      buf[p] ^= masks[m];
      file_write(PATH, buf, len);
      char what[96];
      snprintf(what, sizeof what, "byte %zu of %zu ^ 0x%02x", p, len, masks[m]);
      if (p >= clen) {
        /* inside the torn tail: the data is untouched */
        expect_recovery(__LINE__, buf, len, d_full, clen, false);
        n_tail++;
      } else if (p >= 16 && p < FRAMES_AT) {
        /* a damaged slot is ignored: the other one gives the committed end
           (the last commit, or the one before it, whose following complete
           transaction is kept); only the torn tail goes */
        expect_recovery(__LINE__, buf, len, d_full, clen, false);
        n_slot++;
      } else {
        /* the header or a committed frame: never loaded, never changed */
        expect_corrupt(__LINE__, what);
        n_corrupt++;
      }
    }
  ck_assert_int_eq(n_corrupt, (int)(3 * (clen - 64)));
  ck_assert_int_eq(n_slot, 3 * 64);
  SOFT_END();
  ck_assert_int_eq(n_tail, 3 * 11);
  free(orig);
  free(buf);
  jparse_free(&jp);
  free(clean);
  free(d_prev);
  free(d_full);
}
END_TEST

/* Frames with a valid CRC but impossible content, and transaction numbers
   out of sequence, followed by a valid COMMIT: PSVC_ECORRUPT. */
START_TEST(test_corrupt_valid_crc_impossible_content) {
  static const unsigned char REC[] = {0x01, 0x02, 0x0A, 0x01, 'A', 0x12, 0x01, 'a'};
  char bad[256] = "";
  for (int c = 0; c < 12; c++) {
    jbuf j = {0};
    jb_header(&j, "PSVCJRNL", 1, true);
    jb_put(&j, PSVC_REC_META, "format", META_REC, sizeof META_REC);
    jb_commit(&j, 1);
    size_t end1 = j.n;
    size_t mid = 0;
    switch (c) {
    case 0: jb_op(&j, F_PUT, 0, "A", 1, REC, sizeof REC); break;   /* kind 0 */
    case 1: jb_op(&j, F_PUT, 7, "A", 1, REC, sizeof REC); break;   /* kind 7 */
    case 2: jb_op(&j, F_PUT, 2, "", 0, REC, sizeof REC); break;    /* empty key */
    case 3: {                                                      /* key past the frame */
      unsigned char p[] = {2, 50, 0, 'A', 'B'};
      jb_frame(&j, F_PUT, p, sizeof p);
      break;
    }
    case 4: jb_op(&j, F_DEL, 9, "A", 1, NULL, 0); break;           /* DEL kind 9 */
    case 5: {                                                      /* unknown type 4 */
      unsigned char p[] = {2, 1, 0, 'A'};
      jb_frame(&j, 4, p, sizeof p);
      break;
    }
    case 6: jb_put(&j, PSVC_REC_CUSTOMER, "A", REC, sizeof REC); jb_commit(&j, 3); break; /* gap */
    case 7: jb_put(&j, PSVC_REC_CUSTOMER, "A", REC, sizeof REC); jb_commit(&j, 1); break; /* repeat */
    case 8: {                                                      /* 2-byte frame for a key */
      unsigned char p[] = {2, 1};
      jb_frame(&j, F_PUT, p, sizeof p);
      break;
    }
    default: break; /* 9-11: slot cases below */
    }
    /* a valid COMMIT after it: committed data is damaged, not a torn tail */
    jb_put(&j, PSVC_REC_CUSTOMER, "B", (const unsigned char[]){0x01, 0x02, 0x0A, 0x01, 'B'}, 5);
    mid = j.n;
    jb_commit(&j, c == 6 ? 4 : 2);
    if (c == 6 || c == 7)
      jb_commit(&j, c == 6 ? 5 : 3);
    /* the slots: the last commit is the committed end ... */
    uint64_t end = j.n;
    if (c == 9)
      end = j.n + 1; /* ... past the end of the file */
    else if (c == 10)
      end = mid; /* ... between a PUT and its COMMIT */
    else if (c == 11)
      end = mid - 3; /* ... inside a frame */
    jb_slot(&j, 0, 7, end1, 1);
    jb_slot(&j, 1, 8, end, 2);
    file_write(PATH, j.b, j.n);
    psvc_store s;
    int rc = psvc_store_journal(&s, PATH);
    if (rc == PSVC_OK) {
      s.close(s.user);
      size_t bl = strlen(bad);
      snprintf(bad + bl, sizeof bad - bl, " case %d opened;", c);
    } else {
      char what[32];
      snprintf(what, sizeof what, "case %d", c);
      expect_corrupt(__LINE__, what);
    }
    free(j.b);
  }
  ck_assert_msg(!bad[0], "want PSVC_ECORRUPT: %s", bad);
}
END_TEST

/* A record that the library rejects, inside a valid frame: the journal
   reads, the context refuses (PSVC_ECORRUPT) and the store is closed. */
START_TEST(test_corrupt_record_inside_valid_frame) {
  jbuf j = {0};
  jb_header(&j, "PSVCJRNL", 1, true);
  jb_put(&j, PSVC_REC_META, "format", META_REC, sizeof META_REC);
  jb_commit(&j, 1);
  static const unsigned char BAD[] = {0x01, 0x02, 0x0A, 0x01, 'Z', 0x18, 0x09}; /* relation 9 */
  jb_put(&j, PSVC_REC_CUSTOMER, "Z", BAD, sizeof BAD);
  jb_commit(&j, 2);
  jb_slot(&j, 1, 1, j.n, 2);
  file_write(PATH, j.b, j.n);
  psvc_store s;
  ck_assert_int_eq(psvc_store_journal(&s, PATH), PSVC_OK);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_ECORRUPT);
  ck_assert_ptr_null(ctx);
  /* the failed open closed the store: the lock is free, the file unchanged */
  ck_assert_int_eq(psvc_store_journal(&s, PATH), PSVC_OK);
  s.close(s.user);
  size_t n = 0;
  unsigned char *b = file_read(PATH, &n);
  ck_assert(n == j.n && memcmp(b, j.b, n) == 0);
  free(b);
  free(j.b);
}
END_TEST

/* ======================================================================================= */
/* 6. crashes                                                                              */
/* ======================================================================================= */

enum { CRASH_KILLS = 240, CRASH_MIN_KILLS = 200 };
#define CRASH_SECONDS 55.0

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct crash_msg {
  char what; /* 'E' event count, 'C' capacity */
  char pad[3];
  uint32_t value;
} crash_msg;

/* The writer: NOTEs on K-1 and saves of K-CU with a growing capacity, each
   reported after it returned PSVC_OK; now and then a compaction first. */
static void crash_child(int fd, int iter) {
  psvc_store s;
  psvc_ctx *ctx = NULL;
  int rc = jopen_rc(PATH, &ctx, &s);
  if (rc != PSVC_OK) {
    fprintf(stderr, "crash child: open rc %d: %s\n", rc, psvc_errmsg(NULL));
    _exit(2);
  }
  psvc_order *o = NULL;
  psvc_customer *c = NULL;
  if (psvc_order_load(ctx, "K-1", &o) != PSVC_OK || psvc_customer_load(ctx, "K-CU", &c) != PSVC_OK)
    _exit(3);
  uint32_t n = (uint32_t)psvc_order_event_count(o);
  uint32_t cap = (uint32_t)psvc_customer_capacity(c);
  psvc_order_free(o);
  if (iter % 7 == 3) {
    rc = psvc_ctx_compact(ctx);
    if (rc != PSVC_OK) {
      fprintf(stderr, "crash child: compact rc %d: %s\n", rc, psvc_errmsg(ctx));
      _exit(4);
    }
  }
  for (uint32_t i = 0;; i++) {
    crash_msg m = {0, {0, 0, 0}, 0};
    if (i % 5 == 4) {
      if (psvc_customer_set_capacity(c, (int32_t)(cap + 1)) != PSVC_OK)
        _exit(5);
      rc = psvc_customer_save(ctx, c);
      m.what = 'C';
      m.value = ++cap;
    } else {
      char note[32];
      snprintf(note, sizeof note, "k%u", n + 1);
      rc = psvc_order_apply(ctx, "K-1", EV(PSVC_ACT_NOTE, T0 + n + 1, NULL, 0, note), &AGENT);
      m.what = 'E';
      m.value = ++n;
    }
    if (rc != PSVC_OK) {
      fprintf(stderr, "crash child: rc %d: %s\n", rc, psvc_errmsg(ctx));
      _exit(6);
    }
    if (write(fd, &m, sizeof m) != (ssize_t)sizeof m)
      _exit(7);
  }
}

/* One acknowledgment from the crash test's writer: the next event or the
   next capacity, in order. */
static void crash_ack(const crash_msg *m, uint32_t *events, uint32_t *cap) {
  if (m->what == 'E') {
    ck_assert_uint_eq(m->value, *events + 1);
    *events = m->value;
  } else {
    ck_assert_uint_eq(m->value, *cap + 1);
    *cap = m->value;
  }
}

START_TEST(test_crash_sigkill_writer) {
  /* the starting state */
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  MUST(ctx, save_named(ctx, "K-CU", "Crash test customer", 1));
  psvc_order_spec spec = mkspec("K-1", PSVC_ORDER_INQUIRY, "K-CU", T0);
  MUST(ctx, psvc_order_open(ctx, &spec, &AGENT));
  psvc_ctx_close(ctx);

  const uint32_t seed = 20260921u;
  uint32_t rnd = seed;
  uint32_t seen_events = 0, seen_cap = 1; /* durable state the parent saw */
  uint32_t acked_events = 0, acked_cap = 1;
  int kills = 0, recovered = 0, past_end = 0, iter = 0;
  long long max_size = 0;
  const double start = now_s();
  while (kills < CRASH_KILLS && now_s() - start < CRASH_SECONDS) {
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    rnd = rnd * 1664525u + 1013904223u;
    long delay_us = (long)((rnd >> 8) % 20001u); /* 0 .. 20 ms */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      crash_child(fds[1], iter);
    }
    close(fds[1]);
    crash_msg m;
    ssize_t r;
    /* on a slow or loaded machine (sanitizers, other jobs) a child may not
       reach its first commit within 20 ms: until one has landed, and on
       every fourth run, wait for the child's first acknowledgment before
       the random delay, so that kills always fall among commits */
    bool wait_first = seen_events == 0 || iter % 4 == 0;
    if (wait_first && (r = read(fds[0], &m, sizeof m)) == (ssize_t)sizeof m)
      crash_ack(&m, &acked_events, &acked_cap);
    struct timespec ts = {0, delay_us * 1000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    /* what the child acknowledged */
    while ((r = read(fds[0], &m, sizeof m)) == (ssize_t)sizeof m)
      crash_ack(&m, &acked_events, &acked_cap);
    ck_assert_int_eq(r, 0);
    close(fds[0]);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                  "seed %u iteration %d: the writer exited on its own (status 0x%x)", seed, iter,
                  st);
    kills++;

    /* what the kill left: bytes past the committed end (frames written,
       slot not yet synced)? */
    {
      size_t fn = 0;
      unsigned char *fb = file_read(PATH, &fn);
      jparse fj;
      jparse_buf(&fj, fb, fn);
      if (fj.committed_end < fn)
        past_end++;
      jparse_free(&fj);
      free(fb);
    }
    /* reopen: every acknowledged commit is there, at most one more */
    psvc_store s;
    int rc = jopen_rc(PATH, &ctx, &s);
    ck_assert_msg(rc == PSVC_OK, "seed %u iteration %d (delay %ld us): reopen rc %d (%s): %s",
                  seed, iter, delay_us, rc, psvc_strerror(rc), psvc_errmsg(NULL));
    const char *rep = psvc_journal_report(&s);
    ck_assert_ptr_nonnull(rep);
    if (strncmp(rep, "recovered", 9) == 0)
      recovered++;
    else
      ck_assert_msg(strncmp(rep, "clean", 5) == 0, "report '%s'", rep);
    psvc_order *o = NULL;
    psvc_customer *c = NULL;
    ck_assert_int_eq(psvc_order_load(ctx, "K-1", &o), PSVC_OK);
    ck_assert_int_eq(psvc_customer_load(ctx, "K-CU", &c), PSVC_OK);
    uint32_t ev = (uint32_t)psvc_order_event_count(o);
    uint32_t cap = (uint32_t)psvc_customer_capacity(c);
    ck_assert_msg(ev >= acked_events && ev <= acked_events + 1,
                  "seed %u iteration %d: %u events on disk, %u acknowledged", seed, iter, ev,
                  acked_events);
    ck_assert_msg(cap >= acked_cap && cap <= acked_cap + 1,
                  "seed %u iteration %d: capacity %u on disk, %u acknowledged", seed, iter, cap,
                  acked_cap);
    ck_assert(ev >= seen_events && cap >= seen_cap);
    if (ev > 0) {
      char note[32];
      snprintf(note, sizeof note, "k%u", ev);
      ck_assert_str_eq(psvc_order_event_note(o, ev - 1), note);
      ck_assert_int_eq(psvc_order_event_at(o, ev - 1), T0 + ev);
    }
    psvc_order_free(o);
    psvc_customer_free(c);
    psvc_ctx_close(ctx);
    /* the child's in-flight commit (if it landed) counts from now on */
    seen_events = acked_events = ev;
    seen_cap = acked_cap = cap;
    long long sz = file_size(PATH);
    if (sz > max_size)
      max_size = sz;
    iter++;
  }
  double took = now_s() - start;
  fprintf(stderr,
          "crash test: %d kills in %.1f s, %d left bytes past the committed end, %d reported "
          "recoveries, %u events, capacity %u, journal up to %lld bytes (seed %u)\n",
          kills, took, past_end, recovered, seen_events, seen_cap, max_size, seed);
  ck_assert_msg(kills >= CRASH_MIN_KILLS, "only %d kills in %.0f s", kills, took);
  ck_assert_msg(seen_events > 0, "the writer never committed anything");
  /* the final journal parses strictly after a last clean open */
  char *d = dump_of(__LINE__, PATH);
  free(d);
  size_t n = 0;
  unsigned char *b = file_read(PATH, &n);
  jparse jp;
  jparse_buf(&jp, b, n);
  ck_assert_msg(jp.err[0] == 0 && jp.last_commit_end == n, "final journal: %s", jp.err);
  jparse_free(&jp);
  free(b);
}
END_TEST

/* ======================================================================================= */
/* 7. I/O failures                                                                         */
/* ======================================================================================= */

/* Checks that PATH (held open by a store) holds exactly `ntx` committed
   transactions and nothing after them. */
static void on_disk_commits(int line, long k, size_t ntx) {
  size_t n = 0;
  unsigned char *b = file_read(PATH, &n);
  jparse jp;
  jparse_buf(&jp, b, n);
  ck_assert_msg(jp.err[0] == 0, "line %d k=%ld: the journal on disk: %s", line, k, jp.err);
  ck_assert_msg(jp.ncommits == ntx && jp.last_commit_end == n,
                "line %d k=%ld: %zu commits on disk (end %zu of %zu), want %zu", line, k,
                jp.ncommits, jp.last_commit_end, n, ntx);
  ck_assert_msg(jp.newest >= 0 && jp.committed_end == n && jp.slot[jp.newest].txn == ntx,
                "line %d k=%ld: the newest slot does not record the last commit", line, k);
  jparse_free(&jp);
  free(b);
}

/* The workload on a wrapped journal, the k-th begin/put/del/commit failing
   (k = 0: none). Returns the number of failed steps. */
static int io_scenario(long k, long *calls, char **final) {
  rm_tree(DIR_);
  ck_assert_int_eq(mkdir(DIR_, 0700), 0);
  psvc_store js, s;
  ck_assert_int_eq(psvc_store_journal(&js, PATH), PSVC_OK);
  fault_wrap w;
  fault_wrap_init(&w, &js);
  fault_wrap_store(&w, &s);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  size_t ntx = 1; /* META */
  fault_wrap_arm(&w, k);
  int failed = 0;
  for (int step = 0; step < WORK_STEPS; step++) {
    char *before = dump(ctx);
    bool had_failed = w.failed;
    int rc = work_step(ctx, step);
    if (w.failed && !had_failed) {
      failed++;
      ck_assert_msg(rc == PSVC_EIO, "k=%ld step %d: rc %d, want PSVC_EIO", k, step, rc);
      ck_assert_msg(w.rollback_after_failure, "k=%ld step %d: no rollback", k, step);
      char *after = dump(ctx);
      ck_assert_msg(strcmp(before, after) == 0, "k=%ld step %d: the context changed", k, step);
      free(after);
      /* nothing of the failed transaction reached the file */
      on_disk_commits(__LINE__, k, ntx);
      w.fail_at = 0;
      rc = work_step(ctx, step);
    }
    ck_assert_msg(rc == PSVC_OK, "k=%ld step %d: rc %d (%s)", k, step, rc, psvc_errmsg(ctx));
    ntx++;
    on_disk_commits(__LINE__, k, ntx);
    free(before);
  }
  *calls = w.calls;
  *final = dump(ctx);
  psvc_ctx_close(ctx);
  ck_assert_int_eq(w.close_calls, 1);
  /* the journal reopens with exactly the committed data */
  psvc_store s2;
  ctx = JOPEN(PATH, &s2);
  REPORT_IS(&s2, "clean");
  char *reopened = dump(ctx);
  ck_assert_msg(strcmp(*final, reopened) == 0, "k=%ld: reopened state differs", k);
  free(reopened);
  psvc_ctx_close(ctx);
  on_disk_commits(__LINE__, k, ntx);
  return failed;
}

START_TEST(test_io_fault_every_k) {
  long n = 0;
  char *reference = NULL;
  ck_assert_int_eq(io_scenario(0, &n, &reference), 0);
  ck_assert_int_eq(n, 3 * WORK_STEPS); /* begin, put or del, commit */
  for (long k = 1; k <= n; k++) {
    long calls = 0;
    char *final = NULL;
    ck_assert_msg(io_scenario(k, &calls, &final) == 1, "k=%ld: no step failed", k);
    ck_assert_msg(strcmp(reference, final) == 0, "k=%ld: final state differs", k);
    free(final);
  }
  free(reference);
}
END_TEST

/* A failure at the k-th call of a step, then the context closed at once:
   the reopened journal holds exactly the commits before it. */
START_TEST(test_io_fault_then_close_reopen) {
  for (long k = 1; k <= 3 * WORK_STEPS; k++) {
    rm_tree(DIR_);
    ck_assert_int_eq(mkdir(DIR_, 0700), 0);
    psvc_store js, s;
    ck_assert_int_eq(psvc_store_journal(&js, PATH), PSVC_OK);
    fault_wrap w;
    fault_wrap_init(&w, &js);
    fault_wrap_store(&w, &s);
    psvc_ctx *ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
    fault_wrap_arm(&w, k);
    char *before = NULL;
    int step;
    for (step = 0; step < WORK_STEPS; step++) {
      free(before);
      before = dump(ctx);
      int rc = work_step(ctx, step);
      if (w.failed) {
        ck_assert_int_eq(rc, PSVC_EIO);
        break;
      }
      ck_assert_int_eq(rc, PSVC_OK);
    }
    ck_assert_msg(step < WORK_STEPS, "k=%ld: nothing failed", k);
    psvc_ctx_close(ctx);
    psvc_store s2;
    ctx = JOPEN(PATH, &s2);
    REPORT_IS(&s2, "clean");
    char *after = dump(ctx);
    ck_assert_msg(strcmp(before, after) == 0, "k=%ld: reopened state differs:\n%s\nvs\n%s", k,
                  before, after);
    /* and the workload goes on from there */
    for (; step < WORK_STEPS; step++)
      must(step, ctx, work_step(ctx, step));
    psvc_ctx_close(ctx);
    free(after);
    free(before);
  }
}
END_TEST

/* The META transaction of a new journal failing: the open fails with
   PSVC_EIO, closes the store, and the next open writes META. */
START_TEST(test_io_fault_during_first_open) {
  for (long k = 1; k <= 3; k++) {
    rm_tree(DIR_);
    ck_assert_int_eq(mkdir(DIR_, 0700), 0);
    psvc_store js, s;
    ck_assert_int_eq(psvc_store_journal(&js, PATH), PSVC_OK);
    fault_wrap w;
    fault_wrap_init(&w, &js);
    fault_wrap_store(&w, &s);
    fault_wrap_arm(&w, k);
    psvc_ctx *ctx = NULL;
    ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_EIO);
    ck_assert_ptr_null(ctx);
    ck_assert_int_eq(w.close_calls, 1);
    psvc_store s2;
    ctx = JOPEN(PATH, &s2);
    REPORT_IS(&s2, "clean");
    psvc_ctx_close(ctx);
    on_disk_commits(__LINE__, k, 1);
  }
}
END_TEST

/* Real write failures: a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored)
   makes the journal's own write fail part way through a transaction. In a
   child process, since the limit is per process. */
START_TEST(test_io_real_write_failure_fsize_limit) {
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  for (int step = 0; step < 6; step++)
    must(step, ctx, work_step(ctx, step));
  psvc_ctx_close(ctx);
  char dumpfile[256];
  sib(dumpfile, "child.dump");
  for (int slack = 1; slack <= 121; slack += 8) {
    char *d0 = dump_of(__LINE__, PATH);
    free(d0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
      signal(SIGXFSZ, SIG_IGN);
      psvc_ctx *c = NULL;
      psvc_store cs;
      if (jopen_rc(PATH, &c, &cs) != PSVC_OK)
        _exit(25);
      struct rlimit rl;
      getrlimit(RLIMIT_FSIZE, &rl);
      struct rlimit lim = rl;
      lim.rlim_cur = (rlim_t)file_size(PATH) + (rlim_t)slack + 200;
      setrlimit(RLIMIT_FSIZE, &lim);
      int code = 0, failures = 0;
      for (int i = 0; i < 12; i++) {
        char *before = fault_dump_ctx(c);
        char id[16];
        snprintf(id, sizeof id, "F-%d", i);
        int rc = save_full_child(c, id, i);
        char *after = fault_dump_ctx(c);
        if (rc == PSVC_EIO) {
          failures++;
          if (strcmp(before, after) != 0)
            code = 20; /* a failed save changed the context */
        } else if (rc != PSVC_OK) {
          code = 21;
        }
        free(before);
        free(after);
      }
      /* the limit lifted: later commits either work or fail cleanly */
      setrlimit(RLIMIT_FSIZE, &rl);
      for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "G-%d", i);
        int rc = save_full_child(c, id, i);
        if (rc != PSVC_OK && rc != PSVC_EIO)
          code = 22;
      }
      char *d = fault_dump_ctx(c);
      FILE *f = fopen(dumpfile, "w");
      if (!f || fputs(d, f) < 0 || fclose(f) != 0)
        code = 23;
      free(d);
      psvc_ctx_close(c);
      _exit(code ? code : failures ? 0 : 24);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st), "slack %d: the child died (status 0x%x)", slack, st);
    ck_assert_msg(WEXITSTATUS(st) != 24, "slack %d: no write failed", slack);
    ck_assert_msg(WEXITSTATUS(st) == 0, "slack %d: child code %d", slack, WEXITSTATUS(st));
    size_t n = 0;
    char *want = (char *)file_read(dumpfile, &n);
    want = realloc(want, n + 1);
    want[n] = 0;
    psvc_store s;
    ctx = JOPEN(PATH, &s);
    char *got = dump(ctx);
    ck_assert_msg(strcmp(want, got) == 0,
                  "slack %d: the reopened journal (report '%s') differs from what the writer "
                  "acknowledged:\n%s\nvs\n%s",
                  slack, psvc_journal_report(&s), got, want);
    psvc_ctx_close(ctx);
    free(got);
    free(want);
    /* start the next round from a journal without the F/G customers */
    ctx = JOPEN(PATH, NULL);
    for (int i = 0; i < 12; i++) {
      char id[16];
      snprintf(id, sizeof id, "F-%d", i);
      psvc_customer *c = NULL;
      if (psvc_customer_load(ctx, id, &c) == PSVC_OK) {
        psvc_customer_free(c);
        MUST(ctx, psvc_customer_delete(ctx, id));
      }
      snprintf(id, sizeof id, "G-%d", i);
      if (i < 3 && psvc_customer_load(ctx, id, &c) == PSVC_OK) {
        psvc_customer_free(c);
        MUST(ctx, psvc_customer_delete(ctx, id));
      }
    }
    psvc_ctx_close(ctx);
  }
}
END_TEST

/* ======================================================================================= */
/* 8. compaction                                                                           */
/* ======================================================================================= */

static char *live_of_file(const char *path, size_t *ncommits) {
  size_t n = 0;
  unsigned char *b = file_read(path, &n);
  jparse jp;
  jparse_buf(&jp, b, n);
  ck_assert_msg(jp.err[0] == 0 && jp.last_commit_end == n && jp.committed_end == n, "%s: %s",
                path, jp.err);
  char *t = live_text(&jp, b);
  if (ncommits)
    *ncommits = jp.ncommits;
  jparse_free(&jp);
  free(b);
  return t;
}

START_TEST(test_compact_shrinks_and_keeps_data) {
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  for (int step = 0; step < WORK_STEPS; step++)
    must(step, ctx, work_step(ctx, step));
  for (int i = 0; i < 100; i++)
    MUST(ctx, save_full(ctx, "HOT", i));
  MUST(ctx, save_named(ctx, "DEL-1", "deleted", 1));
  MUST(ctx, psvc_customer_delete(ctx, "DEL-1"));
  char *before = dump(ctx);
  long long size0 = file_size(PATH);
  char *live0 = live_of_file(PATH, NULL);

  MUST(ctx, psvc_ctx_compact(ctx));
  long long size1 = file_size(PATH);
  ck_assert_msg(size1 < size0 / 3, "compaction: %lld -> %lld bytes", size0, size1);
  char tmp[256];
  ck_assert_msg(!file_exists(sib(tmp, "j.psvcj.compact")), "path.compact left behind");
  char *mid = dump(ctx);
  ck_assert_str_eq(before, mid);
  /* the new file holds exactly the live records, each once, no DEL */
  size_t n = 0;
  unsigned char *b = file_read(PATH, &n);
  jparse jp;
  jparse_buf(&jp, b, n);
  ck_assert_msg(jp.err[0] == 0 && jp.last_commit_end == n, "compacted: %s", jp.err);
  size_t puts = 0;
  for (size_t i = 0; i < jp.n; i++) {
    ck_assert_int_ne(jp.f[i].type, F_DEL);
    puts += jp.f[i].type == F_PUT;
  }
  char *live1 = live_text(&jp, b);
  ck_assert_str_eq(live0, live1);
  size_t nlive = 0;
  for (const char *p = live1; *p; p++)
    nlive += *p == '\n';
  ck_assert_uint_eq(puts, nlive);
  jparse_free(&jp);
  free(b);

  /* the context goes on writing to the new journal */
  MUST(ctx, save_full(ctx, "HOT", 101));
  MUST(ctx, psvc_order_apply(ctx, "O-1", EV(PSVC_ACT_RESOLVE, T0 + 9000, NULL, 0, "done"),
                             &CREW_A));
  free(before);
  before = dump(ctx);
  psvc_ctx_close(ctx);
  psvc_store s;
  ctx = JOPEN(PATH, &s);
  REPORT_IS(&s, "clean");
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  /* compacting again changes nothing observable */
  MUST(ctx, psvc_ctx_compact(ctx));
  psvc_ctx_close(ctx);
  char *again = dump_of(__LINE__, PATH);
  ck_assert_str_eq(before, again);
  free(again);
  free(after);
  free(before);
  free(mid);
  free(live0);
  free(live1);
}
END_TEST

/* A leftover path.compact (a crash during compaction) is ignored at open
   and overwritten by the next compaction. */
START_TEST(test_compact_stale_leftover_ignored) {
  psvc_ctx *ctx = JOPEN(PATH, NULL);
  for (int i = 0; i < 20; i++)
    MUST(ctx, save_full(ctx, "HOT", i));
  char *before = dump(ctx);
  psvc_ctx_close(ctx);
  char leftover[256];
  sib(leftover, "j.psvcj.compact");
  file_write(leftover, "PSVCJRNL garbage from a crash", 29);
  psvc_store s;
  ctx = JOPEN(PATH, &s);
  REPORT_IS(&s, "clean");
  char *d = dump(ctx);
  ck_assert_str_eq(before, d);
  MUST(ctx, psvc_ctx_compact(ctx));
  ck_assert(!file_exists(leftover));
  psvc_ctx_close(ctx);
  char *after = dump_of(__LINE__, PATH);
  ck_assert_str_eq(before, after);
  free(before);
  free(d);
  free(after);
}
END_TEST

START_TEST(test_compact_not_a_journal_einval) {
  ck_assert_int_eq(psvc_ctx_compact(NULL), PSVC_EINVAL);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  MUST(ctx, save_full(ctx, "A", 0));
  char *before = dump(ctx);
  ck_assert_int_eq(psvc_ctx_compact(ctx), PSVC_EINVAL);
  char *after = dump(ctx);
  ck_assert_str_eq(before, after);
  free(after);
  free(before);
  psvc_ctx_close(ctx);

  fault_mem *m = fault_mem_new();
  psvc_store s;
  fault_mem_store(m, &s);
  ck_assert_int_eq(psvc_ctx_open(&ctx, &s), PSVC_OK);
  MUST(ctx, save_full(ctx, "A", 0));
  fault_mem *snap = fault_mem_snapshot(m);
  long puts = m->puts, dels = m->dels;
  ck_assert_int_eq(psvc_ctx_compact(ctx), PSVC_EINVAL);
  ck_assert(fault_mem_equal(m, snap) && m->puts == puts && m->dels == dels);
  psvc_ctx_close(ctx);
  fault_mem_free(snap);
  fault_mem_free(m);
}
END_TEST

/* ======================================================================================= */
/* 9. bad arguments                                                                        */
/* ======================================================================================= */

START_TEST(test_args_null_einval) {
  psvc_store s;
  ck_assert_int_eq(psvc_store_journal(NULL, PATH), PSVC_EINVAL);
  ck_assert_int_eq(psvc_store_journal(&s, NULL), PSVC_EINVAL);
  ck_assert(!file_exists(PATH));
}
END_TEST

START_TEST(test_args_unopenable_paths_eio) {
  psvc_store s;
  /* a directory */
  int rc = psvc_store_journal(&s, DIR_);
  ck_assert_msg(rc == PSVC_EIO, "directory: rc %d", rc);
  ck_assert(psvc_errmsg(NULL)[0] != 0);
  /* a directory that does not exist */
  char p[256];
  rc = psvc_store_journal(&s, sib(p, "no-such-dir/j.psvcj"));
  ck_assert_msg(rc == PSVC_EIO, "missing directory: rc %d", rc);
  /* a path through a regular file */
  file_write(sib(p, "plain"), "x", 1);
  rc = psvc_store_journal(&s, sib(p, "plain/j.psvcj"));
  ck_assert_msg(rc == PSVC_EIO, "path through a file: rc %d", rc);
  /* an unreadable file (not for root, who reads everything) */
  if (geteuid() != 0) {
    sib(p, "unreadable");
    file_write(p, "", 0);
    ck_assert_int_eq(chmod(p, 0), 0);
    rc = psvc_store_journal(&s, p);
    ck_assert_msg(rc == PSVC_EIO, "unreadable file: rc %d", rc);
  }
  /* the empty string */
  rc = psvc_store_journal(&s, "");
  ck_assert_msg(rc == PSVC_EIO || rc == PSVC_EINVAL, "empty path: rc %d", rc);
}
END_TEST

START_TEST(test_args_wrong_header_ecorrupt) {
  for (int c = 0; c < 5; c++) {
    jbuf j = {0};
    switch (c) {
    case 0: jb_header(&j, "PSVCJRNX", 1, true); break;  /* magic */
    case 1: jb_header(&j, "PSVCJRNL", 1, false); break; /* header CRC */
    case 2: jb_header(&j, "PSVCJRNL", 2, true); break;  /* format 2 */
    case 3: jb_header(&j, "PSVCJRNL", 0, true); break;  /* format 0 */
    default: jb_header(&j, "SQLite f", 1, true); break; /* another file */
    }
    jb_put(&j, PSVC_REC_META, "format", META_REC, sizeof META_REC);
    jb_commit(&j, 1);
    file_write(PATH, j.b, j.n);
    char what[32];
    snprintf(what, sizeof what, "header case %d", c);
    expect_corrupt(__LINE__, what);
    free(j.b);
  }
  /* a text file */
  const char *text = "customer,name\n0100000001,Wang Fang\n";
  file_write(PATH, text, strlen(text));
  expect_corrupt(__LINE__, "a text file");
}
END_TEST

/* ---- the callbacks directly, against a model ------------------------------------------ */

/* The model: record i of kind 2 (key "k<i>") holds `len` bytes of value
   `val` (len < 0: absent). */
#define RAW_N 3000
typedef struct raw_model {
  int len[RAW_N];
  unsigned char val[RAW_N];
} raw_model;

static void raw_key(char *k, int i) { snprintf(k, 16, "k%05d", i); }

static int raw_sink(void *arg, const void *data, size_t len) {
  unsigned char **out = arg;
  *out = malloc(len + 1);
  ck_assert_ptr_nonnull(*out);
  memcpy(*out, data, len);
  (*out)[len] = 0;
  return (int)len + 1000; /* get returns what sink returned */
}

/* (no ck_assert per byte: Check reports every assertion to its parent) */
static bool all_bytes(const void *data, size_t len, unsigned char v) {
  const unsigned char *d = data;
  for (size_t b = 0; b < len; b++)
    if (d[b] != v)
      return false;
  return true;
}

typedef struct raw_scan {
  const raw_model *m;
  int seen, last;
} raw_scan;

static int raw_each(void *arg, const char *key, const void *data, size_t len) {
  raw_scan *r = arg;
  int i = atoi(key + 1);
  ck_assert_msg(i > r->last, "scan out of key order: %s after k%05d", key, r->last);
  r->last = i;
  ck_assert_msg(r->m->len[i] == (int)len, "%s: %zu bytes, model %d", key, len, r->m->len[i]);
  ck_assert_msg(all_bytes(data, len, r->m->val[i]), "%s: wrong bytes", key);
  r->seen++;
  return 0;
}

/* Everything the store holds equals the model: every key by get, and scan. */
static void raw_check(const psvc_store *s, const raw_model *m, bool scan) {
  int nlive = 0;
  for (int i = 0; i < RAW_N; i++) {
    char k[16];
    raw_key(k, i);
    unsigned char *got = NULL;
    int rc = s->get(s->user, 2, k, raw_sink, &got);
    if (m->len[i] < 0) {
      ck_assert_msg(rc == PSVC_ENOTFOUND, "get %s: %d, want ENOTFOUND", k, rc);
      continue;
    }
    nlive++;
    ck_assert_msg(rc == m->len[i] + 1000, "get %s: %d, want %d", k, rc, m->len[i] + 1000);
    ck_assert_msg(all_bytes(got, (size_t)m->len[i], m->val[i]), "get %s: wrong bytes", k);
    free(got);
  }
  if (scan) {
    raw_scan r = {m, 0, -1};
    ck_assert_int_eq(s->scan(s->user, 2, raw_each, &r), 0);
    ck_assert_int_eq(r.seen, nlive);
  }
}

static void raw_put(const psvc_store *s, raw_model *m, int i, int len, unsigned char v) {
  char k[16];
  raw_key(k, i);
  unsigned char *d = malloc((size_t)len + 1);
  ck_assert_ptr_nonnull(d);
  memset(d, v, (size_t)len);
  ck_assert_int_eq(s->put(s->user, 2, k, d, (size_t)len), 0);
  free(d);
  if (m)
    m->len[i] = len, m->val[i] = v;
}

static void raw_del(const psvc_store *s, raw_model *m, int i) {
  char k[16];
  raw_key(k, i);
  ck_assert_int_eq(s->del(s->user, 2, k), 0);
  if (m)
    m->len[i] = -1;
}

/* The store contract on the journal's own callbacks: a big transaction
   (the index grows, the staging buffer is written out more than once, one
   record is larger than the buffer), then transactions that replace and
   delete committed records and add new ones — get sees them while staged —
   rolled back (everything as before: get, scan in key order, and after a
   reopen, with nothing cut) or committed (the same, and after a reopen). */
START_TEST(test_store_contract_raw_callbacks) {
  static raw_model m, staged;
  for (int i = 0; i < RAW_N; i++)
    m.len[i] = -1;
  psvc_store s;
  ck_assert_int_eq(psvc_store_journal(&s, PATH), PSVC_OK);
  ck_assert_int_eq(s.begin(s.user), 0);
  for (int i = 0; i < RAW_N; i += 2)
    raw_put(&s, &m, i, i == 1000 ? (3 << 20) : 300 + i % 700, (unsigned char)i);
  raw_put(&s, &m, 10, 5, 0xAB); /* the same key twice in one transaction: the last wins */
  ck_assert_int_eq(s.commit(s.user), 0);
  raw_check(&s, &m, true);
  for (int round = 0; round < 4; round++) {
    bool commit = round % 2 == 1;
    staged = m;
    ck_assert_int_eq(s.begin(s.user), 0);
    for (int i = round; i < RAW_N; i += 7) {
      if (i % 3 == 0)
        raw_del(&s, &staged, i);
      else
        raw_put(&s, &staged, i, 700 + (i + round) % 900, (unsigned char)(i + round + 1));
    }
    raw_put(&s, &staged, 2, 3 << 20, 0x5A); /* flushes the staging buffer */
    raw_check(&s, &staged, false);          /* get sees the staged operations */
    if (commit) {
      ck_assert_int_eq(s.commit(s.user), 0);
      m = staged;
    } else {
      ck_assert_int_eq(s.rollback(s.user), 0);
    }
    raw_check(&s, &m, true);
    s.close(s.user);
    ck_assert_int_eq(psvc_store_journal(&s, PATH), PSVC_OK);
    ck_assert_str_eq(psvc_journal_report(&s), "clean");
    raw_check(&s, &m, true);
  }
  /* a rollback without a begin is harmless; scan inside a transaction fails */
  ck_assert_int_eq(s.rollback(s.user), 0);
  ck_assert_int_eq(s.begin(s.user), 0);
  raw_scan r = {&m, 0, -1};
  ck_assert_int_ne(s.scan(s.user, 2, raw_each, &r), 0);
  ck_assert_int_ne(s.begin(s.user), 0); /* begin inside a transaction */
  ck_assert_int_eq(s.rollback(s.user), 0);
  raw_check(&s, &m, true);
  s.close(s.user);
}
END_TEST

/* ======================================================================================= */

static Suite *journal_suite(void) {
  Suite *s = suite_create("journal");
  TCase *tc = tcase_create("format");
  tcase_set_timeout(tc, 120); /* the raw-callback test moves ~20 MB: slow under ASan */
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_crc32c_reference);
  tcase_add_test(tc, test_roundtrip_everything_reads_back);
  tcase_add_test(tc, test_roundtrip_new_journal_is_empty);
  tcase_add_test(tc, test_store_close_without_context);
  tcase_add_test(tc, test_format_header_frames_and_records);
  tcase_add_test(tc, test_format_handwritten_journal_loads);
  tcase_add_test(tc, test_format_older_slot_overwritten);
  tcase_add_test(tc, test_store_contract_raw_callbacks);
  suite_add_tcase(s, tc);

  tc = tcase_create("lock");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_lock_second_store_same_process);
  suite_add_tcase(s, tc);

  tc = tcase_create("recovery");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_torn_tail_garbage_and_partial_frames);
  tcase_add_test(tc, test_torn_tail_cut_inside_last_put_transaction);
  tcase_add_test(tc, test_torn_tail_cut_inside_last_del_transaction);
  tcase_add_test(tc, test_torn_tail_inside_first_transaction);
  tcase_add_test(tc, test_corrupt_every_byte_flipped);
  tcase_add_test(tc, test_corrupt_valid_crc_impossible_content);
  tcase_add_test(tc, test_corrupt_record_inside_valid_frame);
  suite_add_tcase(s, tc);

  /* the tests whose forked children are part of the test: not under valgrind */
  tc = tcase_create("forks");
  tcase_set_tags(tc, "heavy");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_lock_across_processes);
  tcase_add_test(tc, test_lock_released_by_killed_process);
  tcase_add_test(tc, test_io_real_write_failure_fsize_limit);
  suite_add_tcase(s, tc);

  tc = tcase_create("crash");
  tcase_set_tags(tc, "heavy"); /* forks hundreds of writers: not under valgrind */
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_crash_sigkill_writer);
  suite_add_tcase(s, tc);

  tc = tcase_create("io");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_io_fault_every_k);
  tcase_add_test(tc, test_io_fault_then_close_reopen);
  tcase_add_test(tc, test_io_fault_during_first_open);
  suite_add_tcase(s, tc);

  tc = tcase_create("compact");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_compact_shrinks_and_keeps_data);
  tcase_add_test(tc, test_compact_stale_leftover_ignored);
  tcase_add_test(tc, test_compact_not_a_journal_einval);
  suite_add_tcase(s, tc);

  tc = tcase_create("args");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_args_null_einval);
  tcase_add_test(tc, test_args_unopenable_paths_eio);
  tcase_add_test(tc, test_args_wrong_header_ecorrupt);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  snprintf(ROOT, sizeof ROOT, "/tmp/psvc-journal-XXXXXX");
  if (!mkdtemp(ROOT)) {
    perror("mkdtemp");
    return 1;
  }
  int rc = fault_run_suite(journal_suite());
  rm_tree(ROOT);
  return rc;
}
