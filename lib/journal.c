/*
 * journal.c — the built-in crash-safe file store (docs/storage.md,
 * "Journal file").
 *
 * How it works. The file is a header and then frames: PUT and DEL frames of
 * a transaction followed by its COMMIT frame, each with a CRC-32C. The
 * store keeps an image of the file in memory (`img`: the committed bytes,
 * then the frames of the open transaction) and an index from (kind, key)
 * to the offset of each live record's PUT frame, so get and scan never
 * touch the disk and staging a record is one copy into the image — no
 * allocation per record. Commit appends the COMMIT frame, writes the
 * staged bytes with one write, fdatasyncs, records the new committed end
 * in a commit slot and only then installs the staged operations in the
 * index: a commit is acknowledged only once it is on disk. If the write or
 * the sync fails, the file is truncated back to the last commit; rollback
 * drops the staged bytes from the image. Replaced and deleted records stay
 * in the image as they stay in the file, until compaction rewrites both.
 *
 * Opening reads the file into the image and replays it. An unreadable frame
 * is the torn tail of a transaction a crash interrupted if no valid COMMIT
 * frame follows it anywhere (the tail is cut off and reported); otherwise
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

typedef struct journal {
  int fd;
  char *path;
  unsigned char *img; /* the file's bytes up to `end`, then the staged frames */
  size_t len, cap;    /* bytes in img, and allocated */
  /* the index: open addressing, linear probing; a slot is 0 (empty) or the
     offset of a live record's PUT frame (< 2^40) with 24 bits of its key's
     hash above it */
  uint64_t *slots;
  size_t nslots, nlive; /* nslots: a power of two, or 0 */
  size_t nstaged;       /* frames staged by the open transaction */
  uint64_t txn;         /* last committed transaction number */
  uint64_t seq;         /* sequence number of the newest commit slot */
  int newest;           /* which slot holds it (0 or 1); -1: neither is valid */
  size_t end;           /* end of the last commit (file and image) */
  bool in_txn;
  char report[256];
} journal;

#define OFF_BITS 40
#define OFF_MASK ((UINT64_C(1) << OFF_BITS) - 1)

static void journal_free(journal *j) {
  if (!j)
    return;
  psvc__free(j->img);
  psvc__free(j->slots);
  if (j->fd >= 0)
    close(j->fd); /* releases the lock */
  psvc__free(j->path);
  psvc__free(j);
}

/* Room for n more bytes in the image; false on out of memory. */
static bool img_reserve(journal *j, size_t n) {
  if (n <= j->cap - j->len)
    return true;
  if (n > OFF_MASK - j->len)
    return false;
  size_t cap = j->cap ? j->cap : 4096;
  while (cap - j->len < n)
    cap *= 2;
  unsigned char *p = psvc__realloc(j->img, cap);
  if (!p)
    return false;
  j->img = p;
  j->cap = cap;
  return true;
}

/* ---- frames ----------------------------------------------------------------------- */

/* A frame in the image at `at`: u32 len, u8 type, payload, u32 CRC. For PUT
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

/* Appends a frame (room reserved): header, the payload parts, CRC. */
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

/* A PUT (data) or DEL frame at the end of the image; false on out of memory. */
static bool key_frame(journal *j, int type, int kind, const char *key, size_t klen,
                      const void *data, size_t len) {
  if (!img_reserve(j, 12 + klen + len))
    return false;
  unsigned char pre[3] = {(unsigned char)kind, (unsigned char)(klen & 0xFF),
                          (unsigned char)(klen >> 8)};
  put_frame(j->img + j->len, type, pre, 3, key, klen, data, len);
  j->len += 12 + klen + len;
  return true;
}

/* ---- the index ------------------------------------------------------------------- */

static uint64_t key_hash(int kind, const unsigned char *key, size_t klen) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)kind; /* FNV-1a */
  for (size_t i = 0; i < klen; i++)
    h = (h ^ key[i]) * 1099511628211ull;
  return h ^ h >> 29;
}

static bool same_key(const journal *j, uint64_t slot, int kind, const unsigned char *key,
                     size_t klen) {
  fview v = view(j->img, (size_t)(slot & OFF_MASK));
  return v.kind == kind && v.klen == klen && memcmp(v.key, key, klen) == 0;
}

/* The slot holding (kind, key), or the empty slot where it would go. */
static size_t find_slot(const journal *j, int kind, const unsigned char *key, size_t klen,
                        uint64_t h) {
  size_t mask = j->nslots - 1, i = (size_t)h & mask;
  uint64_t tag = (h >> 40) << OFF_BITS;
  for (;; i = (i + 1) & mask) {
    uint64_t s = j->slots[i];
    if (!s || ((s & ~OFF_MASK) == tag && same_key(j, s, kind, key, klen)))
      return i;
  }
}

static uint64_t frame_hash(const journal *j, uint64_t at) {
  fview v = view(j->img, (size_t)at);
  return key_hash(v.kind, v.key, v.klen);
}

/* Room for n more live records at a load of at most 1/2; false on out of
   memory (the index is unchanged). */
static bool index_reserve(journal *j, size_t n) {
  if (n > SIZE_MAX / 4 - j->nlive)
    return false;
  if ((j->nlive + n) * 2 <= j->nslots)
    return true;
  size_t cap = j->nslots ? j->nslots : 64;
  while (cap < (j->nlive + n) * 2)
    cap *= 2;
  uint64_t *v = psvc__calloc(cap, sizeof *v);
  if (!v)
    return false;
  for (size_t i = 0; i < j->nslots; i++) {
    uint64_t s = j->slots[i];
    if (!s)
      continue;
    size_t k = (size_t)frame_hash(j, s & OFF_MASK) & (cap - 1);
    while (v[k])
      k = (k + 1) & (cap - 1);
    v[k] = s;
  }
  psvc__free(j->slots);
  j->slots = v;
  j->nslots = cap;
  return true;
}

/* Removes slot i, moving later entries of its probe run back (no tombstones). */
static void index_remove(journal *j, size_t i) {
  size_t mask = j->nslots - 1;
  j->slots[i] = 0;
  j->nlive--;
  for (size_t k = (i + 1) & mask; j->slots[k]; k = (k + 1) & mask) {
    size_t home = (size_t)frame_hash(j, j->slots[k] & OFF_MASK) & mask;
    if (((k - home) & mask) >= ((k - i) & mask)) { /* i lies on k's probe path */
      j->slots[i] = j->slots[k];
      j->slots[k] = 0;
      i = k;
    }
  }
}

/* Applies the PUT or DEL frame at `at` to the index (room reserved). */
static void index_apply(journal *j, size_t at) {
  fview v = view(j->img, at);
  uint64_t h = key_hash(v.kind, v.key, v.klen);
  size_t i = find_slot(j, v.kind, v.key, v.klen, h);
  if (v.type == F_DEL) {
    if (j->slots[i])
      index_remove(j, i);
    return;
  }
  if (!j->slots[i])
    j->nlive++;
  j->slots[i] = (h >> 40) << OFF_BITS | (uint64_t)at;
}

/* Installs the frames of [from, to) (PUT and DEL, in order: a later one
   on a key wins). */
static void index_frames(journal *j, size_t from, size_t to) {
  for (size_t at = from; at < to; at += view(j->img, at).total)
    index_apply(j, at);
}

/* The live record (kind, key): its frame's offset, or 0. */
static size_t lookup(const journal *j, int kind, const char *key) {
  size_t klen = strlen(key);
  if (!j->nslots)
    return 0;
  const unsigned char *k = (const unsigned char *)key;
  uint64_t s = j->slots[find_slot(j, kind, k, klen, key_hash(kind, k, klen))];
  return (size_t)(s & OFF_MASK);
}

/* ---- writing ---------------------------------------------------------------------- */

static bool write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

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
   the commit is acknowledged. The image's copy of the slot follows. */
static bool write_slot(journal *j, uint64_t end, uint64_t txn) {
  unsigned char p[SLOT_LEN];
  slot(p, j->seq + 1, end, txn);
  int older = j->newest == 0 ? 1 : 0; /* never the newest: it is the fallback */
  off_t at = HEADER_LEN + (off_t)older * SLOT_LEN;
  if (pwrite(j->fd, p, SLOT_LEN, at) != SLOT_LEN || fdatasync(j->fd) != 0)
    return false;
  memcpy(j->img + at, p, SLOT_LEN);
  j->seq++;
  j->newest = older;
  return true;
}

/* ---- callbacks -------------------------------------------------------------------- */

static int j_begin(void *u) {
  journal *j = u;
  if (j->in_txn)
    return -1;
  j->len = j->end;
  j->nstaged = 0;
  j->in_txn = true;
  return 0;
}

static int j_rollback(void *u) {
  journal *j = u;
  j->len = j->end; /* the staged frames are gone */
  j->nstaged = 0;
  j->in_txn = false;
  return 0;
}

static int stage(journal *j, int kind, const char *key, const void *data, size_t len, bool del) {
  size_t klen = key ? strlen(key) : 0;
  if (!j->in_txn || kind < 1 || kind > 255 || klen == 0 || klen > KEY_MAX ||
      len > FRAME_MAX - KEY_MAX - 3 || (len && !data))
    return -1;
  if (!key_frame(j, del ? F_DEL : F_PUT, kind, key, klen, data, del ? 0 : len))
    return -1;
  j->nstaged++;
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
  size_t staged_end = j->len;
  bool ok = index_reserve(j, j->nstaged) && img_reserve(j, 9 + COMMIT_LEN);
  if (ok) {
    put_frame(j->img + j->len, F_COMMIT, c, COMMIT_LEN, NULL, 0, NULL, 0);
    j->len += 9 + COMMIT_LEN;
    ok = lseek(j->fd, (off_t)j->end, SEEK_SET) >= 0 &&
         write_all(j->fd, j->img + j->end, j->len - j->end) && fdatasync(j->fd) == 0 &&
         write_slot(j, j->len, t);
  }
  if (!ok) {
    if (ftruncate(j->fd, (off_t)j->end) != 0 || fdatasync(j->fd) != 0) {
      /* past the committed end in the slots: recovery cuts them */
    }
    j->len = staged_end;
    return -1; /* the library rolls back */
  }
  index_frames(j, j->end, staged_end); /* cannot fail: room reserved */
  j->end = j->len;
  j->txn = t;
  j->nstaged = 0;
  j->in_txn = false;
  return 0;
}

/* Inside a transaction, get sees its staged frames (the last one on the
   key wins); the library itself does not call get inside one. */
static size_t staged_frame(const journal *j, int kind, const char *key) {
  size_t klen = strlen(key), found = 0;
  for (size_t at = j->end; at < j->len;) {
    fview v = view(j->img, at);
    if (v.kind == kind && v.klen == klen && memcmp(v.key, key, klen) == 0)
      found = at;
    at += v.total;
  }
  return found;
}

static int j_get(void *u, int kind, const char *key,
                 int (*sink)(void *, const void *, size_t), void *arg) {
  journal *j = u;
  if (!key)
    return -1;
  size_t at = j->in_txn ? staged_frame(j, kind, key) : 0;
  if (!at)
    at = lookup(j, kind, key);
  if (!at)
    return PSVC_ENOTFOUND;
  fview v = view(j->img, at);
  return v.type == F_DEL ? PSVC_ENOTFOUND : sink(arg, v.data, v.dlen);
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

static int j_scan(void *u, int kind, int (*each)(void *, const char *, const void *, size_t),
                  void *arg) {
  journal *j = u;
  size_t n = 0;
  scan_rec *v = psvc__malloc((j->nlive ? j->nlive : 1) * sizeof *v);
  char *key = psvc__malloc(KEY_MAX + 1);
  if (!v || !key) {
    psvc__free(v);
    psvc__free(key);
    return -1;
  }
  for (size_t i = 0; i < j->nslots; i++) {
    size_t at = (size_t)(j->slots[i] & OFF_MASK);
    if (!at)
      continue;
    fview f = view(j->img, at);
    if (f.kind == kind)
      v[n++] = (scan_rec){f.key, f.klen, at};
  }
  qsort(v, n, sizeof *v, cmp_scan);
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    fview f = view(j->img, v[i].at);
    memcpy(key, f.key, f.klen);
    key[f.klen] = 0;
    rc = each(arg, key, f.data, f.dlen);
  }
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
  const image im = {j->img, j->len};
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
      if (!index_reserve(j, npending)) {
        rc = psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
        break;
      }
      index_frames(j, j->end, at);
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
  if ((uint64_t)st.st_size > OFF_MASK || !img_reserve(j, n ? n : 1))
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
  j->len = n;
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
  size_t size = j->len;
  if (j->end < FRAMES_AT) {
    unsigned char h[FRAMES_AT];
    fresh_start(h);
    if (ftruncate(j->fd, 0) != 0 || pwrite(j->fd, h, FRAMES_AT, 0) != FRAMES_AT ||
        fsync(j->fd) != 0)
      return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot initialise '%s': %s",
                        j->path, strerror(errno));
    j->len = 0;
    if (!img_reserve(j, FRAMES_AT))
      return psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
    memcpy(j->img, h, FRAMES_AT);
    j->end = FRAMES_AT;
  } else if (j->end < size) {
    if (ftruncate(j->fd, (off_t)j->end) != 0 || fsync(j->fd) != 0)
      return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot cut the torn tail of "
                        "'%s': %s", j->path, strerror(errno));
  }
  j->len = j->end;
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

/* The live records as a new journal image with its index, in nj: a fresh
   start, each live PUT frame copied as it is (its CRC still holds), and the
   COMMIT frame of transaction 1, recorded in slot 0. False on out of memory. */
static bool compacted(const journal *j, journal *nj) {
  size_t bytes = FRAMES_AT + 9 + COMMIT_LEN;
  for (size_t i = 0; i < j->nslots; i++)
    if (j->slots[i])
      bytes += view(j->img, (size_t)(j->slots[i] & OFF_MASK)).total;
  if (!img_reserve(nj, bytes) || !index_reserve(nj, j->nlive))
    return false;
  fresh_start(nj->img);
  nj->len = FRAMES_AT;
  for (size_t i = 0; i < j->nslots; i++) {
    size_t at = (size_t)(j->slots[i] & OFF_MASK);
    if (!at)
      continue;
    size_t total = view(j->img, at).total;
    memcpy(nj->img + nj->len, j->img + at, total);
    nj->len += total;
  }
  index_frames(nj, FRAMES_AT, nj->len);
  unsigned char c[COMMIT_LEN] = {1}; /* transaction 1 of the new journal */
  memcpy(c + 8, MARKER, 8);
  put_frame(nj->img + nj->len, F_COMMIT, c, COMMIT_LEN, NULL, 0, NULL, 0);
  nj->len += 9 + COMMIT_LEN;
  slot(nj->img + HEADER_LEN, 1, nj->len, 1);
  return true;
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
  size_t plen = strlen(j->path);
  char *tmp = psvc__malloc(plen + 9);
  if (!tmp || !compacted(j, &nj)) {
    psvc__free(nj.img);
    psvc__free(nj.slots);
    psvc__free(tmp);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  memcpy(tmp, j->path, plen);
  memcpy(tmp + plen, ".compact", 9);
  int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && write_all(fd, nj.img, nj.len) &&
            fsync(fd) == 0 && rename(tmp, j->path) == 0;
  if (!ok) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    unlink(tmp);
    psvc__free(tmp);
    psvc__free(nj.img);
    psvc__free(nj.slots);
    return psvc__fail(ctx, PSVC_EIO, "%s: cannot rewrite '%s': %s; the journal is unchanged",
                      fn, j->path, strerror(e));
  }
  psvc__free(tmp);
  fsync_dir(j->path); /* the rename is durable once the directory is */
  close(j->fd);       /* the old file's lock goes with it; fd holds the new one */
  psvc__free(j->img);
  psvc__free(j->slots);
  j->fd = fd;
  j->img = nj.img;
  j->len = j->end = nj.len;
  j->cap = nj.cap;
  j->slots = nj.slots;
  j->nslots = nj.nslots;
  j->nlive = nj.nlive;
  j->txn = 1;
  j->seq = 1;
  j->newest = 0;
  return PSVC_OK;
}
