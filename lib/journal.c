/*
 * journal.c — the built-in crash-safe file store (docs/storage.md,
 * "Journal file").
 *
 * How it works. The file is a header and then frames: PUT and DEL frames of
 * a transaction followed by its COMMIT frame, each with a CRC-32C. In memory
 * the store keeps an index from (kind, key) to the file offset of each live
 * record's PUT frame (and the key's 64-bit hash); the records themselves
 * stay in the file. A transaction's frames go to a 1 MiB staging buffer,
 * written to the file past the committed end whenever it fills, and each
 * operation enters the index at once (an undo list keeps the committed
 * entries it replaced). Commit appends the COMMIT frame, writes the rest,
 * fdatasyncs, and records the new committed end in a commit slot (synced
 * again): only then is the commit acknowledged. If that fails, the file is
 * truncated back to the last commit; rollback puts the index back as it
 * was. get reads a record from the file (or the staging buffer); scan reads
 * the committed file once and visits the kind's live records in key order.
 * Replaced and deleted records stay in the file until compaction.
 *
 * Opening reads the file and replays it; that image serves the scans that
 * load the library and is released at the first transaction. An unreadable
 * frame is the torn tail of a transaction a crash interrupted if no valid
 * COMMIT frame follows it anywhere (the tail is cut off and reported); otherwise
 * committed data is damaged and the open fails with PSVC_ECORRUPT — nothing
 * is dropped silently. An exclusive flock keeps a second writer out.
 *
 * CRC-32C uses the SSE4.2 instruction where the CPU has it, else a table.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "PSVCJRNL"
#define HEADER_LEN 16
#define SLOT_LEN 32
#define FRAMES_AT (HEADER_LEN + 2 * SLOT_LEN)
#define FRAME_MAX (64u << 20)
#define KEY_MAX 1024
#define MARKER "PSVC-CMT"
#define COMMIT_LEN 16 /* u64 txn + marker */
enum { F_PUT = 1, F_DEL = 2, F_COMMIT = 3 };

/* ---- CRC-32C (Castagnoli) ------------------------------------------------------------ */

static uint32_t crc_table[256];

static uint32_t crc32c_table(uint32_t crc, const void *p, size_t n) {
  const unsigned char *b = p;
  crc = ~crc;
  while (n--)
    crc = crc_table[(crc ^ *b++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <nmmintrin.h>
#define CRC_HW 1
/* The same function with the SSE4.2 crc32 instruction, 8 bytes at a time. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const void *p,
                                                            size_t n) {
  const unsigned char *b = p;
  uint64_t c = ~crc;
  for (; n >= 8; n -= 8, b += 8) {
    uint64_t v;
    memcpy(&v, b, 8);
    c = _mm_crc32_u64(c, v);
  }
  uint32_t c32 = (uint32_t)c;
  while (n--)
    c32 = _mm_crc32_u8(c32, *b++);
  return ~c32;
}

static bool cpu_has_sse42(void) {
  unsigned a, b, c, d;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2);
}
#endif

static uint32_t (*crc32c)(uint32_t, const void *, size_t) = crc32c_table;

static void crc_init(void) { /* once per process, see psvc_store_journal */
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    crc_table[i] = c;
  }
#ifdef CRC_HW
  if (cpu_has_sse42())
    crc32c = crc32c_hw;
#endif
}

static void put32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(unsigned char *p, uint64_t v) {
  put32(p, (uint32_t)v);
  put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get64(const unsigned char *p) {
  return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- the store -------------------------------------------------------------------- */

/* An index slot: a live record's key hash and the file offset of its PUT
   frame (0: empty). Records staged by the open transaction are in the index
   too: they are the slots with at >= end. */
typedef struct islot {
  uint64_t h, at;
} islot;

typedef struct journal {
  int fd;
  char *path;
  size_t end; /* end of the last commit */
  /* the open transaction: its frames from `end` on, the first ones already
     written to the file when the buffer filled, the rest in buf */
  unsigned char *buf;
  size_t blen, bcap, bpos; /* bytes in buf, allocated; file offset of buf[0] */
  bool in_txn;
  /* committed slots a staged operation replaced or deleted, to restore them
     on rollback */
  islot *undo;
  size_t nundo, capundo;
  /* the file as read at open: serves the scans that load the library, and
     is released at the first transaction */
  unsigned char *img;
  size_t ilen;
  /* the index: open addressing, linear probing, at most 3/4 full */
  islot *slots;
  size_t nslots, nlive; /* nslots: a power of two, or 0 */
  uint64_t txn;         /* last committed transaction number */
  uint64_t seq;         /* sequence number of the newest commit slot */
  int newest;           /* which slot holds it (0 or 1); -1: neither is valid */
  char report[256];
} journal;

#define STAGE_BUF (1u << 20) /* the staging buffer is written out when it fills */

static void drop_image(journal *j) {
  psvc__free(j->img);
  j->img = NULL;
  j->ilen = 0;
}

static void journal_free(journal *j) {
  if (!j)
    return;
  psvc__free(j->buf);
  psvc__free(j->undo);
  drop_image(j);
  psvc__free(j->slots);
  if (j->fd >= 0)
    close(j->fd); /* releases the lock */
  psvc__free(j->path);
  psvc__free(j);
}

static bool pread_all(int fd, void *dst, size_t n, size_t at) {
  unsigned char *p = dst;
  while (n) {
    ssize_t r = pread(fd, p, n, (off_t)at);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    at += (size_t)r;
    n -= (size_t)r;
  }
  return true;
}

static bool pwrite_all(int fd, const unsigned char *p, size_t n, size_t at) {
  while (n) {
    ssize_t w = pwrite(fd, p, n, (off_t)at);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    at += (size_t)w;
    n -= (size_t)w;
  }
  return true;
}

/* n bytes of the journal at offset `at`, committed or staged: from the image
   read at open, the staging buffer, or the file. */
static bool read_at(const journal *j, size_t at, void *dst, size_t n) {
  if (j->img && at + n <= j->ilen) {
    memcpy(dst, j->img + at, n);
    return true;
  }
  if (j->in_txn && at >= j->bpos && at + n <= j->bpos + j->blen) {
    memcpy(dst, j->buf + (at - j->bpos), n);
    return true;
  }
  return pread_all(j->fd, dst, n, at);
}

/* ---- frames ----------------------------------------------------------------------- */

/* A frame at `at` of an image: u32 len, u8 type, payload, u32 CRC. For PUT
   and DEL the payload is u8 kind, u16 key length, key, data. */
typedef struct fview {
  int type, kind;
  const unsigned char *key, *data;
  size_t klen, dlen, total;
} fview;

static fview view(const unsigned char *img, size_t at) {
  const unsigned char *f = img + at;
  fview v = {0};
  uint32_t len = get32(f);
  v.type = f[4];
  v.total = 9 + (size_t)len;
  if (v.type != F_COMMIT) {
    v.kind = f[5];
    v.klen = (size_t)f[6] | (size_t)f[7] << 8;
    v.key = f + 8;
    v.data = v.key + v.klen;
    v.dlen = len - 3 - v.klen;
  }
  return v;
}

/* Writes a frame at f (room reserved): header, the payload parts, CRC. */
static void put_frame(unsigned char *f, int type, const void *p1, size_t n1, const void *p2,
                      size_t n2, const void *p3, size_t n3) {
  put32(f, (uint32_t)(n1 + n2 + n3));
  f[4] = (unsigned char)type;
  memcpy(f + 5, p1, n1);
  if (n2)
    memcpy(f + 5 + n1, p2, n2);
  if (n3)
    memcpy(f + 5 + n1 + n2, p3, n3);
  put32(f + 5 + n1 + n2 + n3, crc32c(0, f, 5 + n1 + n2 + n3));
}

/* Room for a frame of n bytes in the staging buffer: writes out what it
   holds when it is full. False on an I/O error or out of memory. */
static bool buf_room(journal *j, size_t n) {
  if (n <= j->bcap - j->blen)
    return true;
  if (j->blen) {
    if (!pwrite_all(j->fd, j->buf, j->blen, j->bpos))
      return false;
    j->bpos += j->blen;
    j->blen = 0;
  }
  if (n <= j->bcap)
    return true;
  size_t cap = n > STAGE_BUF ? n : STAGE_BUF;
  unsigned char *p = psvc__realloc(j->buf, cap);
  if (!p)
    return false;
  j->buf = p;
  j->bcap = cap;
  return true;
}

/* ---- the index ------------------------------------------------------------------- */

static uint64_t key_hash(int kind, const unsigned char *key, size_t klen) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)kind; /* FNV-1a */
  for (size_t i = 0; i < klen; i++)
    h = (h ^ key[i]) * 1099511628211ull;
  return h ^ h >> 29;
}

/* Is the frame at `at` a record of (kind, key)? -1 if it cannot be read. */
static int same_key(const journal *j, size_t at, int kind, const unsigned char *key,
                    size_t klen) {
  unsigned char f[8 + KEY_MAX];
  if (!read_at(j, at, f, 8))
    return -1;
  if (f[5] != kind || ((size_t)f[6] | (size_t)f[7] << 8) != klen)
    return 0;
  if (!read_at(j, at + 8, f + 8, klen))
    return -1;
  return memcmp(f + 8, key, klen) == 0;
}

/* The slot holding (kind, key), or the empty slot where it would go; false
   if a key could not be read. Keys are compared only when the 64-bit
   hashes agree. */
static bool find_slot(const journal *j, int kind, const unsigned char *key, size_t klen,
                      uint64_t h, size_t *slot) {
  size_t mask = j->nslots - 1;
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    const islot *s = &j->slots[i];
    int same = 0;
    if (s->at && s->h == h && (same = same_key(j, (size_t)s->at, kind, key, klen)) < 0)
      return false;
    if (!s->at || same) {
      *slot = i;
      return true;
    }
  }
}

static void place(islot *v, size_t cap, islot e) {
  size_t k = (size_t)e.h & (cap - 1);
  while (v[k].at)
    k = (k + 1) & (cap - 1);
  v[k] = e;
}

/* Room for n more live records; false on out of memory (index unchanged). */
static bool index_reserve(journal *j, size_t n) {
  if (n > SIZE_MAX / 64 - j->nlive)
    return false;
  if ((j->nlive + n) * 4 <= j->nslots * 3)
    return true;
  size_t cap = j->nslots ? j->nslots : 64;
  while (cap * 3 < (j->nlive + n) * 4)
    cap *= 2;
  islot *v = psvc__calloc(cap, sizeof *v);
  if (!v)
    return false;
  for (size_t i = 0; i < j->nslots; i++)
    if (j->slots[i].at)
      place(v, cap, j->slots[i]);
  psvc__free(j->slots);
  j->slots = v;
  j->nslots = cap;
  return true;
}

/* Removes slot i, moving later entries of its probe run back (no tombstones). */
static void index_remove(journal *j, size_t i) {
  size_t mask = j->nslots - 1;
  j->slots[i] = (islot){0, 0};
  j->nlive--;
  for (size_t k = (i + 1) & mask; j->slots[k].at; k = (k + 1) & mask) {
    size_t home = (size_t)j->slots[k].h & mask;
    if (((k - home) & mask) >= ((k - i) & mask)) { /* i lies on k's probe path */
      j->slots[i] = j->slots[k];
      j->slots[k] = (islot){0, 0};
      i = k;
    }
  }
}

/* Applies a PUT (at) or DEL (at = 0) of (kind, key) at slot i, found by
   find_slot (room reserved). */
static void index_set(journal *j, size_t i, uint64_t h, size_t at) {
  if (!at) {
    if (j->slots[i].at)
      index_remove(j, i);
    return;
  }
  if (!j->slots[i].at)
    j->nlive++;
  j->slots[i] = (islot){h, at};
}

/* The frames of [from, to) of an image into the index, in order (a later
   one on a key wins); false on out of memory. */
static bool index_frames(journal *j, const unsigned char *img, size_t from, size_t to,
                         size_t n) {
  if (!index_reserve(j, n))
    return false;
  for (size_t at = from; at < to;) {
    fview v = view(img, at);
    uint64_t h = key_hash(v.kind, v.key, v.klen);
    size_t i, mask = j->nslots - 1;
    for (i = (size_t)h & mask;; i = (i + 1) & mask) { /* find_slot, on the image */
      const islot *s = &j->slots[i];
      if (!s->at)
        break;
      if (s->h == h) {
        fview o = view(img, (size_t)s->at);
        if (o.kind == v.kind && o.klen == v.klen && memcmp(o.key, v.key, v.klen) == 0)
          break;
      }
    }
    index_set(j, i, h, v.type == F_DEL ? 0 : at);
    at += v.total;
  }
  return true;
}

/* Puts back the index as it was before the open transaction: removes the
   staged slots (at >= end) — a removal may shift a wrapped entry to an
   index already passed, hence the passes until none is left — then places
   the committed slots they replaced or deleted. */
static void index_restore(journal *j) {
  for (bool again = true; again;) {
    again = false;
    for (size_t i = 0; i < j->nslots; i++)
      while (j->slots[i].at >= j->end) {
        index_remove(j, i);
        again = true;
      }
  }
  for (size_t i = 0; i < j->nundo; i++) {
    place(j->slots, j->nslots, j->undo[i]);
    j->nlive++;
  }
  j->nundo = 0;
}

/* The live record (kind, key): its frame's offset, 0 if absent, -1 on a
   read error. */
static int64_t lookup(const journal *j, int kind, const char *key) {
  size_t klen = strlen(key), i;
  if (!j->nslots)
    return 0;
  const unsigned char *k = (const unsigned char *)key;
  if (!find_slot(j, kind, k, klen, key_hash(kind, k, klen), &i))
    return -1;
  return (int64_t)j->slots[i].at;
}

/* ---- writing ---------------------------------------------------------------------- */

static void header(unsigned char h[HEADER_LEN]) {
  memcpy(h, MAGIC, 8);
  put32(h + 8, 1);
  put32(h + 12, crc32c(0, h, 12));
}

/* The first FRAMES_AT bytes of a new journal: the header and two empty slots. */
static void fresh_start(unsigned char p[FRAMES_AT]) {
  header(p);
  memset(p + HEADER_LEN, 0, 2 * SLOT_LEN);
}

/* A commit slot: u64 seq, u64 committed end, u64 txn, u32 0, u32 CRC-32C. */
static void slot(unsigned char p[SLOT_LEN], uint64_t seq, uint64_t end, uint64_t txn) {
  memset(p, 0, SLOT_LEN);
  put64(p, seq);
  put64(p + 8, end);
  put64(p + 16, txn);
  put32(p + 28, crc32c(0, p, 28));
}

/* Records the new committed end in the older slot and syncs it: after this
   the commit is acknowledged. */
static bool write_slot(journal *j, uint64_t end, uint64_t txn) {
  unsigned char p[SLOT_LEN];
  slot(p, j->seq + 1, end, txn);
  int older = j->newest == 0 ? 1 : 0; /* never the newest: it is the fallback */
  if (!pwrite_all(j->fd, p, SLOT_LEN, HEADER_LEN + (size_t)older * SLOT_LEN) ||
      fdatasync(j->fd) != 0)
    return false;
  j->seq++;
  j->newest = older;
  return true;
}

/* ---- callbacks -------------------------------------------------------------------- */

static void txn_clear(journal *j) {
  j->blen = 0;
  j->bpos = j->end;
  j->nundo = 0;
  j->in_txn = false;
}

static int j_begin(void *u) {
  journal *j = u;
  if (j->in_txn)
    return -1;
  drop_image(j); /* the loading scans are over */
  txn_clear(j);
  j->in_txn = true;
  return 0;
}

static int j_rollback(void *u) {
  journal *j = u;
  if (!j->in_txn)
    return 0;
  if (j->bpos > j->end && ftruncate(j->fd, (off_t)j->end) != 0) {
    /* staged frames already in the file stay past the committed end, with
       no COMMIT frame: the next commit overwrites them, recovery cuts them */
  }
  index_restore(j);
  txn_clear(j);
  return 0;
}

/* Stages a PUT (data) or DEL frame and applies it to the index at once
   (rollback undoes it). Everything that can fail comes first. */
static int stage(journal *j, int kind, const char *key, const void *data, size_t len, bool del) {
  size_t klen = key ? strlen(key) : 0;
  if (!j->in_txn || kind < 1 || kind > 255 || klen == 0 || klen > KEY_MAX ||
      len > FRAME_MAX - KEY_MAX - 3 || (len && !data))
    return -1;
  size_t total = 12 + klen + len, i;
  const unsigned char *k = (const unsigned char *)key;
  uint64_t h = key_hash(kind, k, klen);
  if (j->nundo == j->capundo) {
    size_t cap = j->capundo ? j->capundo * 2 : 16;
    islot *v = psvc__realloc(j->undo, cap * sizeof *v);
    if (!v)
      return -1;
    j->undo = v;
    j->capundo = cap;
  }
  if (!index_reserve(j, 1) || !buf_room(j, total) || !find_slot(j, kind, k, klen, h, &i))
    return -1;
  size_t at = j->bpos + j->blen;
  unsigned char pre[3] = {(unsigned char)kind, (unsigned char)(klen & 0xFF),
                          (unsigned char)(klen >> 8)};
  put_frame(j->buf + j->blen, del ? F_DEL : F_PUT, pre, 3, key, klen, data, len);
  j->blen += total;
  if (j->slots[i].at && j->slots[i].at < j->end) /* a committed record: keep it for rollback */
    j->undo[j->nundo++] = j->slots[i];
  index_set(j, i, h, del ? 0 : at);
  return 0;
}

static int j_put(void *u, int kind, const char *key, const void *data, size_t len) {
  return stage(u, kind, key, data, len, false);
}

static int j_del(void *u, int kind, const char *key) { return stage(u, kind, key, NULL, 0, true); }

static int j_commit(void *u) {
  journal *j = u;
  if (!j->in_txn)
    return -1;
  unsigned char c[COMMIT_LEN];
  uint64_t t = j->txn + 1;
  put64(c, t);
  memcpy(c + 8, MARKER, 8);
  bool ok = buf_room(j, 9 + COMMIT_LEN);
  if (ok) {
    put_frame(j->buf + j->blen, F_COMMIT, c, COMMIT_LEN, NULL, 0, NULL, 0);
    j->blen += 9 + COMMIT_LEN;
    ok = pwrite_all(j->fd, j->buf, j->blen, j->bpos) && fdatasync(j->fd) == 0 &&
         write_slot(j, j->bpos + j->blen, t);
    if (!ok)
      j->blen -= 9 + COMMIT_LEN;
  }
  if (!ok) {
    if (ftruncate(j->fd, (off_t)j->end) != 0 || fdatasync(j->fd) != 0) {
      /* past the committed end in the slots: recovery cuts them */
    }
    return -1; /* the library rolls back, which restores the index */
  }
  j->end = j->bpos + j->blen;
  j->txn = t;
  txn_clear(j);
  return 0;
}

static int j_get(void *u, int kind, const char *key,
                 int (*sink)(void *, const void *, size_t), void *arg) {
  journal *j = u;
  if (!key)
    return -1;
  int64_t at = lookup(j, kind, key); /* staged operations are in the index too */
  if (at <= 0)
    return at < 0 ? -1 : PSVC_ENOTFOUND;
  unsigned char f[8];
  if (!read_at(j, (size_t)at, f, 8))
    return -1;
  size_t klen = (size_t)f[6] | (size_t)f[7] << 8, dlen = get32(f) - 3 - klen;
  unsigned char *d = psvc__malloc(dlen ? dlen : 1);
  if (!d)
    return -1;
  int rc = read_at(j, (size_t)at + 8 + klen, d, dlen) ? sink(arg, d, dlen) : -1;
  psvc__free(d);
  return rc;
}

/* The committed journal as bytes [0, end): the image read at open, else a
   fresh read of the file (*owned set: the caller frees it). */
static const unsigned char *whole(const journal *j, unsigned char **owned) {
  *owned = NULL;
  if (j->img && j->ilen >= j->end)
    return j->img;
  unsigned char *p = psvc__malloc(j->end);
  if (!p || !pread_all(j->fd, p, j->end, 0)) {
    psvc__free(p);
    return NULL;
  }
  return *owned = p;
}

/* A live record for scan, sorted by key: bytewise, as strcmp (keys hold no
   NUL), so the order is deterministic. */
typedef struct scan_rec {
  const unsigned char *key;
  size_t klen, at;
} scan_rec;

static int cmp_scan(const void *a, const void *b) {
  const scan_rec *x = a, *y = b;
  int c = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);
  return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

/* Committed records only: the library does not scan inside a transaction. */
static int j_scan(void *u, int kind, int (*each)(void *, const char *, const void *, size_t),
                  void *arg) {
  journal *j = u;
  if (j->in_txn)
    return -1;
  unsigned char *owned;
  const unsigned char *img = whole(j, &owned);
  size_t n = 0;
  scan_rec *v = psvc__malloc((j->nlive ? j->nlive : 1) * sizeof *v);
  char *key = psvc__malloc(KEY_MAX + 1);
  if (!img || !v || !key) {
    psvc__free(owned);
    psvc__free(v);
    psvc__free(key);
    return -1;
  }
  for (size_t i = 0; i < j->nslots; i++) {
    size_t at = (size_t)j->slots[i].at;
    if (!at)
      continue;
    fview f = view(img, at);
    if (f.kind == kind)
      v[n++] = (scan_rec){f.key, f.klen, at};
  }
  qsort(v, n, sizeof *v, cmp_scan);
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    fview f = view(img, v[i].at);
    memcpy(key, f.key, f.klen);
    key[f.klen] = 0;
    rc = each(arg, key, f.data, f.dlen);
  }
  psvc__free(owned);
  psvc__free(v);
  psvc__free(key);
  return rc;
}

static void j_close(void *u) { journal_free(u); }

/* ---- recovery -------------------------------------------------------------------- */

typedef struct image {
  unsigned char *p;
  size_t n;
} image;

/* A valid frame at offset `at`: its type, payload and total size. */
static bool read_frame(const image *im, size_t at, int *type, const unsigned char **pl,
                       uint32_t *len, size_t *total) {
  if (im->n - at < 9)
    return false;
  uint32_t l = get32(im->p + at);
  if (l > FRAME_MAX || l > im->n - at - 9)
    return false;
  if (crc32c(0, im->p + at, 5 + (size_t)l) != get32(im->p + at + 5 + l))
    return false;
  *type = im->p[at + 4];
  *pl = im->p + at + 5;
  *len = l;
  *total = 9 + (size_t)l;
  return true;
}

/* The committed end recorded by the newest valid slot (FRAMES_AT if none:
   a new journal, or one whose only slot was damaged — then every complete
   transaction in the file counts). */
static uint64_t committed_end(journal *j, const image *im) {
  uint64_t best_seq = 0, end = FRAMES_AT;
  j->newest = -1;
  for (int k = 0; k < 2; k++) {
    const unsigned char *p = im->p + HEADER_LEN + k * SLOT_LEN;
    if (crc32c(0, p, 28) != get32(p + 28) || get64(p) == 0 || get64(p) <= best_seq)
      continue;
    best_seq = get64(p);
    end = get64(p + 8);
    j->newest = k;
  }
  j->seq = best_seq;
  return end;
}

static int corrupt(const char *path, size_t at, const char *why) {
  return psvc__fail(NULL, PSVC_ECORRUPT, "psvc_store_journal: '%s' is corrupt at offset %zu: "
                    "%s; nothing was changed", path, at, why);
}

/* Replays the image (j->img, the whole file) into the index; sets j->end to
   the end of the last commit. */
static int replay(journal *j) {
  const image im = {j->img, j->ilen};
  unsigned char fresh[FRAMES_AT];
  fresh_start(fresh);
  if (im.n < FRAMES_AT) { /* new, or its creation was interrupted */
    if (memcmp(im.p, fresh, im.n) == 0)
      return PSVC_OK; /* settle() writes a fresh start */
    return corrupt(j->path, 0, "not a journal (bad header)");
  }
  if (memcmp(im.p, fresh, HEADER_LEN) != 0)
    return corrupt(j->path, 0, "not a journal of format 1 (bad header)");
  uint64_t E = committed_end(j, &im);
  if (E < FRAMES_AT || E > im.n)
    return corrupt(j->path, HEADER_LEN, "the file is shorter than its committed length");
  size_t at = FRAMES_AT, npending = 0;
  j->end = FRAMES_AT;
  bool end_seen = E == FRAMES_AT; /* the committed end must be a commit's end */
  int rc = PSVC_OK;
  while (at < im.n) {
    int type;
    const unsigned char *pl;
    uint32_t len;
    size_t total;
    bool ok = read_frame(&im, at, &type, &pl, &len, &total);
    if (ok && type == F_COMMIT)
      ok = len == COMMIT_LEN && memcmp(pl + 8, MARKER, 8) == 0 && get64(pl) == j->txn + 1;
    else if (ok)
      ok = type == F_PUT || type == F_DEL;
    if (!ok) {
      if (at < E)
        rc = corrupt(j->path, at, "an unreadable frame in committed data");
      break;
    }
    if (type == F_COMMIT) { /* the transaction's frames take effect */
      if (!index_frames(j, im.p, j->end, at, npending)) {
        rc = psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
        break;
      }
      npending = 0;
      j->txn++;
      j->end = at + total;
      end_seen |= j->end == E;
    } else { /* PUT or DEL: check what the CRC cannot */
      size_t klen = len >= 3 ? (size_t)pl[1] | (size_t)pl[2] << 8 : 0;
      if (len < 3 || pl[0] < 1 || pl[0] > 6 || klen == 0 || klen > KEY_MAX ||
          klen > len - 3 || (type == F_DEL && klen != len - 3) ||
          memchr(pl + 3, 0, klen)) {
        rc = corrupt(j->path, at, "a frame with an impossible record");
        break;
      }
      npending++;
    }
    at += total;
  }
  if (rc == PSVC_OK && (j->end < E || !end_seen))
    rc = corrupt(j->path, j->end, "the committed end is not the end of a transaction");
  if (rc == PSVC_OK && j->end < im.n)
    snprintf(j->report, sizeof j->report,
             "recovered: cut %zu bytes of an incomplete transaction at offset %zu",
             im.n - j->end, j->end);
  return rc;
}

/* The whole file into the image. */
static int slurp(journal *j) {
  struct stat st;
  if (fstat(j->fd, &st) != 0 || !S_ISREG(st.st_mode))
    return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: '%s' is not a regular file",
                      j->path);
  size_t n = (size_t)st.st_size;
  if ((uint64_t)st.st_size > SIZE_MAX / 2 || !(j->img = psvc__malloc(n ? n : 1)))
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(j->fd, j->img + got, n - got, (off_t)got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot read '%s': %s", j->path,
                        r < 0 ? strerror(errno) : "short read");
    got += (size_t)r;
  }
  j->ilen = n;
  return PSVC_OK;
}

static int open_file(journal *j) {
  j->fd = open(j->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (j->fd < 0)
    return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot open '%s': %s", j->path,
                      strerror(errno));
  if (flock(j->fd, LOCK_EX | LOCK_NB) != 0)
    return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: journal '%s' is locked by another "
                      "process (or another store in this one)", j->path);
  return PSVC_OK;
}

/* After replay: cut a torn tail, write the start of a new journal. */
static int settle(journal *j) {
  size_t size = j->ilen;
  if (j->end < FRAMES_AT) {
    unsigned char h[FRAMES_AT];
    fresh_start(h);
    if (ftruncate(j->fd, 0) != 0 || pwrite(j->fd, h, FRAMES_AT, 0) != FRAMES_AT ||
        fsync(j->fd) != 0)
      return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot initialise '%s': %s",
                        j->path, strerror(errno));
    drop_image(j); /* scans read the file */
    j->end = FRAMES_AT;
  } else if (j->end < size) {
    if (ftruncate(j->fd, (off_t)j->end) != 0 || fsync(j->fd) != 0)
      return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot cut the torn tail of "
                        "'%s': %s", j->path, strerror(errno));
  }
  j->ilen = j->ilen < j->end ? j->ilen : j->end;
  j->bpos = j->end;
  return PSVC_OK;
}

static void fill_store(psvc_store *out, journal *j) {
  *out = (psvc_store){PSVC_STORE_ABI, j, j_begin, j_commit, j_rollback, j_put, j_get,
                      j_del, j_scan, j_close};
}

PSVC_API int psvc_store_journal(psvc_store *out, const char *path) {
  if (!out || !path || !*path)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_store_journal: out and path are required");
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, crc_init);
  journal *j = psvc__calloc(1, sizeof *j);
  if (!j || !(j->path = psvc__strdup(path))) {
    psvc__free(j);
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
  }
  j->fd = -1;
  j->newest = -1;
  snprintf(j->report, sizeof j->report, "clean");
  int rc = open_file(j);
  if (rc == PSVC_OK)
    rc = slurp(j);
  if (rc == PSVC_OK)
    rc = replay(j);
  if (rc == PSVC_OK)
    rc = settle(j);
  if (rc != PSVC_OK) {
    journal_free(j);
    return rc;
  }
  fill_store(out, j);
  return PSVC_OK;
}

PSVC_API const char *psvc_journal_report(const psvc_store *s) {
  if (!s || s->close != j_close || !s->user)
    return NULL;
  return ((const journal *)s->user)->report;
}

/* ---- compaction -------------------------------------------------------------------- */

static int fsync_dir(const char *path) {
  char *dir = psvc__strdup(path);
  if (!dir)
    return -1;
  char *slash = strrchr(dir, '/');
  if (slash)
    *(slash == dir ? slash + 1 : slash) = 0;
  int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  psvc__free(dir);
  if (fd < 0)
    return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

/* The live records as a new journal image: a fresh start, each live PUT
   frame copied as it is (its CRC still holds), and the COMMIT frame of
   transaction 1, recorded in slot 0; its index in nj. NULL on out of memory
   or a read error. */
static unsigned char *compacted(const journal *j, journal *nj, size_t *len) {
  unsigned char *owned;
  const unsigned char *img = whole(j, &owned);
  if (!img)
    return NULL;
  size_t bytes = FRAMES_AT + 9 + COMMIT_LEN;
  for (size_t i = 0; i < j->nslots; i++)
    if (j->slots[i].at)
      bytes += view(img, (size_t)j->slots[i].at).total;
  unsigned char *p = psvc__malloc(bytes);
  if (!p) {
    psvc__free(owned);
    return NULL;
  }
  fresh_start(p);
  size_t n = FRAMES_AT;
  for (size_t i = 0; i < j->nslots; i++) {
    size_t at = (size_t)j->slots[i].at;
    if (!at)
      continue;
    size_t total = view(img, at).total;
    memcpy(p + n, img + at, total);
    n += total;
  }
  psvc__free(owned);
  if (!index_frames(nj, p, FRAMES_AT, n, j->nlive)) {
    psvc__free(p);
    return NULL;
  }
  unsigned char c[COMMIT_LEN] = {1}; /* transaction 1 of the new journal */
  memcpy(c + 8, MARKER, 8);
  put_frame(p + n, F_COMMIT, c, COMMIT_LEN, NULL, 0, NULL, 0);
  n += 9 + COMMIT_LEN;
  slot(p + HEADER_LEN, 1, n, 1);
  *len = n;
  return p;
}

PSVC_API int psvc_ctx_compact(psvc_ctx *ctx) {
  const char *fn = "psvc_ctx_compact";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (!ctx->has_store || ctx->store.close != j_close)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: the context's store is not a journal", fn);
  journal *j = ctx->store.user;
  if (j->in_txn)
    return psvc__fail(ctx, PSVC_ESTATE, "%s: a transaction is open", fn);
  journal nj = {.fd = -1};
  size_t plen = strlen(j->path), len = 0;
  char *tmp = psvc__malloc(plen + 9);
  unsigned char *img = tmp ? compacted(j, &nj, &len) : NULL;
  if (!img) {
    psvc__free(nj.slots);
    psvc__free(tmp);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory (or the journal is unreadable)", fn);
  }
  memcpy(tmp, j->path, plen);
  memcpy(tmp + plen, ".compact", 9);
  int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && pwrite_all(fd, img, len, 0) &&
            fsync(fd) == 0 && rename(tmp, j->path) == 0;
  if (!ok) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    unlink(tmp);
    psvc__free(tmp);
    psvc__free(img);
    psvc__free(nj.slots);
    return psvc__fail(ctx, PSVC_EIO, "%s: cannot rewrite '%s': %s; the journal is unchanged",
                      fn, j->path, strerror(e));
  }
  psvc__free(tmp);
  fsync_dir(j->path); /* the rename is durable once the directory is */
  close(j->fd);       /* the old file's lock goes with it; fd holds the new one */
  drop_image(j);
  psvc__free(j->slots);
  j->fd = fd;
  j->img = img; /* the new file's image, until the next transaction */
  j->ilen = j->end = j->bpos = len;
  j->slots = nj.slots;
  j->nslots = nj.nslots;
  j->nlive = nj.nlive;
  j->txn = 1;
  j->seq = 1;
  j->newest = 0;
  return PSVC_OK;
}
