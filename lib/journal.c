/*
 * journal.c — the built-in crash-safe file store (docs/storage.md,
 * "Journal file").
 *
 * How it works. The file is a header and then frames: PUT and DEL frames of
 * a transaction followed by its COMMIT frame, each with a CRC-32C. The
 * store keeps every live record in memory (a hash map from "kind/key" to
 * the bytes), so get and scan never touch the disk. A transaction is
 * staged in memory; commit appends all its frames and the COMMIT frame
 * with one write, fdatasyncs, and only then applies the staged operations
 * to the map — a commit is acknowledged only once it is on disk. If the
 * write or the sync fails, the file is truncated back to the last commit.
 *
 * Opening replays the file. An unreadable frame is the torn tail of a
 * transaction a crash interrupted if no valid COMMIT frame follows it
 * anywhere (the tail is cut off and reported); otherwise committed data is
 * damaged and the open fails with PSVC_ECORRUPT — nothing is dropped
 * silently. An exclusive flock keeps a second writer out.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
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

/* ---- CRC-32C (Castagnoli), table-driven --------------------------------------- */

static uint32_t crc_table[256];

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32c(uint32_t crc, const void *p, size_t n) {
  const unsigned char *b = p;
  crc = ~crc;
  while (n--)
    crc = crc_table[(crc ^ *b++) & 0xFF] ^ (crc >> 8);
  return ~crc;
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

typedef struct rec {
  char *mkey; /* "<kind>/<key>": the map key */
  const char *key;
  int kind;
  unsigned char *data;
  size_t len;
} rec;

typedef struct op { /* a staged put (data) or del */
  int kind;
  char *key;
  unsigned char *data;
  size_t len;
  bool del;
} op;

typedef struct journal {
  int fd;
  char *path;
  psvc__map recs; /* mkey -> rec* */
  uint64_t txn;   /* last committed transaction number */
  uint64_t seq;   /* sequence number of the newest commit slot */
  int newest;     /* which slot holds it (0 or 1); -1: neither is valid */
  off_t end;      /* end of the last commit */
  bool in_txn;
  op *ops;
  size_t nops, capops;
  psvc__buf frames; /* the staged transaction's frames */
  char report[256];
} journal;

static char *make_mkey(int kind, const char *key, size_t klen) {
  char *m = psvc__malloc(klen + 4);
  if (!m)
    return NULL;
  m[0] = (char)('0' + kind);
  m[1] = '/';
  memcpy(m + 2, key, klen);
  m[klen + 2] = 0;
  return m;
}

static void rec_free(rec *r) {
  if (!r)
    return;
  psvc__free(r->mkey);
  psvc__free(r->data);
  psvc__free(r);
}

/* Sets (data) or deletes (NULL) the record; false on out of memory. */
static bool apply_op(journal *j, int kind, const char *key, size_t klen,
                     const unsigned char *data, size_t len, bool del) {
  char *mkey = make_mkey(kind, key, klen);
  if (!mkey)
    return false;
  rec *old = psvc__map_get(&j->recs, mkey);
  if (del) {
    if (old) {
      psvc__map_del(&j->recs, mkey);
      rec_free(old);
    }
    psvc__free(mkey);
    return true;
  }
  rec *r = psvc__calloc(1, sizeof *r);
  unsigned char *copy = psvc__malloc(len ? len : 1);
  if (!r || !copy || psvc__map_reserve(&j->recs, 1) != PSVC_OK) {
    psvc__free(r);
    psvc__free(copy);
    psvc__free(mkey);
    return false;
  }
  if (len)
    memcpy(copy, data, len);
  *r = (rec){mkey, mkey + 2, kind, copy, len};
  if (old) {
    psvc__map_del(&j->recs, mkey);
    rec_free(old);
  }
  psvc__map_put(&j->recs, r->mkey, r);
  return true;
}

static void ops_clear(journal *j) {
  for (size_t i = 0; i < j->nops; i++) {
    psvc__free(j->ops[i].key);
    psvc__free(j->ops[i].data);
  }
  j->nops = 0;
  j->frames.len = 0;
  j->frames.oom = false;
}

static void journal_free(journal *j) {
  if (!j)
    return;
  ops_clear(j);
  psvc__free(j->ops);
  psvc__buf_free(&j->frames);
  for (size_t i = 0; i < j->recs.cap; i++)
    if (j->recs.slots[i].key)
      rec_free(j->recs.slots[i].value);
  psvc__map_free(&j->recs);
  if (j->fd >= 0)
    close(j->fd); /* releases the lock */
  psvc__free(j->path);
  psvc__free(j);
}

/* ---- writing frames ------------------------------------------------------------- */

static void frame(psvc__buf *b, int type, const void *p1, size_t n1, const void *p2,
                  size_t n2) {
  unsigned char h[5];
  uint32_t len = (uint32_t)(n1 + n2);
  put32(h, len);
  h[4] = (unsigned char)type;
  uint32_t crc = crc32c(0, h, 5);
  crc = crc32c(crc, p1, n1);
  if (n2)
    crc = crc32c(crc, p2, n2);
  unsigned char c[4];
  put32(c, crc);
  psvc__buf_put(b, h, 5);
  psvc__buf_put(b, p1, n1);
  if (n2)
    psvc__buf_put(b, p2, n2);
  psvc__buf_put(b, c, 4);
}

/* A PUT (data) or DEL frame: u8 kind, u16 key length, key, then the data. */
static void key_frame(psvc__buf *b, int type, int kind, const char *key, const void *data,
                      size_t len) {
  size_t klen = strlen(key);
  psvc__buf kb = {0};
  unsigned char pre[3] = {(unsigned char)kind, (unsigned char)(klen & 0xFF),
                          (unsigned char)(klen >> 8)};
  psvc__buf_put(&kb, pre, 3);
  psvc__buf_put(&kb, key, klen);
  if (kb.oom)
    b->oom = true;
  else
    frame(b, type, kb.data, kb.len, data, len);
  psvc__buf_free(&kb);
}

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
  off_t at = HEADER_LEN + (off_t)older * SLOT_LEN;
  if (pwrite(j->fd, p, SLOT_LEN, at) != SLOT_LEN || fdatasync(j->fd) != 0)
    return false;
  j->seq++;
  j->newest = older;
  return true;
}

/* ---- callbacks -------------------------------------------------------------------- */

static int j_begin(void *u) {
  journal *j = u;
  if (j->in_txn)
    return -1;
  ops_clear(j);
  j->in_txn = true;
  return 0;
}

static int j_rollback(void *u) {
  journal *j = u;
  ops_clear(j);
  j->in_txn = false;
  return 0;
}

static int stage(journal *j, int kind, const char *key, const void *data, size_t len, bool del) {
  size_t klen = key ? strlen(key) : 0;
  if (!j->in_txn || kind < 1 || kind > 255 || klen == 0 || klen > KEY_MAX ||
      len > FRAME_MAX - KEY_MAX - 3)
    return -1;
  if (j->nops == j->capops) {
    size_t cap = j->capops ? j->capops * 2 : 8;
    op *v = psvc__realloc(j->ops, cap * sizeof *v);
    if (!v)
      return -1;
    j->ops = v;
    j->capops = cap;
  }
  op o = {kind, psvc__strdup(key), NULL, len, del};
  if (!o.key || (!del && !(o.data = psvc__malloc(len ? len : 1)))) {
    psvc__free(o.key);
    return -1;
  }
  if (!del && len)
    memcpy(o.data, data, len);
  key_frame(&j->frames, del ? F_DEL : F_PUT, kind, key, data, del ? 0 : len);
  if (j->frames.oom) {
    psvc__free(o.key);
    psvc__free(o.data);
    return -1;
  }
  j->ops[j->nops++] = o;
  return 0;
}

static int j_put(void *u, int kind, const char *key, const void *data, size_t len) {
  return stage(u, kind, key, data, len, false);
}

static int j_del(void *u, int kind, const char *key) { return stage(u, kind, key, NULL, 0, true); }

/* Everything applying op o to the map will need, taken before the commit is
   written: after the write nothing may fail. */
typedef struct prepared {
  char *mkey;
  rec *r; /* NULL for a del */
} prepared;

/* Takes the op's bytes (no copy: the op is cleared after the commit or the
   rollback that follows a failure) and the map key. */
static bool prepare(op *o, prepared *p) {
  p->mkey = make_mkey(o->kind, o->key, strlen(o->key));
  p->r = NULL;
  if (!p->mkey)
    return false;
  if (o->del)
    return true;
  p->r = psvc__calloc(1, sizeof *p->r);
  if (!p->r) {
    psvc__free(p->mkey);
    return false;
  }
  *p->r = (rec){p->mkey, p->mkey + 2, o->kind, o->data, o->len};
  o->data = NULL; /* owned by the rec now */
  return true;
}

static void install(journal *j, prepared *p) {
  rec *old = psvc__map_get(&j->recs, p->mkey);
  if (old) {
    psvc__map_del(&j->recs, p->mkey);
    rec_free(old);
  }
  if (p->r)
    psvc__map_put(&j->recs, p->r->mkey, p->r);
  else
    psvc__free(p->mkey);
}

static int j_commit(void *u) {
  journal *j = u;
  if (!j->in_txn)
    return -1;
  unsigned char c[COMMIT_LEN];
  uint64_t t = j->txn + 1;
  for (int i = 0; i < 8; i++)
    c[i] = (unsigned char)(t >> (8 * i));
  memcpy(c + 8, MARKER, 8);
  size_t before = j->frames.len;
  frame(&j->frames, F_COMMIT, c, COMMIT_LEN, NULL, 0);
  prepared *pv = psvc__malloc((j->nops ? j->nops : 1) * sizeof *pv);
  size_t np = 0;
  bool ok = !j->frames.oom && pv && psvc__map_reserve(&j->recs, j->nops) == PSVC_OK;
  while (ok && np < j->nops && (ok = prepare(&j->ops[np], &pv[np])))
    np++;
  ok = ok && lseek(j->fd, j->end, SEEK_SET) >= 0 &&
       write_all(j->fd, j->frames.data, j->frames.len) && fdatasync(j->fd) == 0 &&
       write_slot(j, (uint64_t)j->end + j->frames.len, t);
  if (!ok) {
    for (size_t i = 0; i < np; i++) {
      if (pv[i].r)
        rec_free(pv[i].r); /* frees the mkey and the bytes it took */
      else
        psvc__free(pv[i].mkey);
    }
    psvc__free(pv);
    if (ftruncate(j->fd, j->end) != 0 || fdatasync(j->fd) != 0) {
      /* past the committed end in the slots: recovery cuts them */
    }
    j->frames.len = before;
    return -1; /* the library rolls back */
  }
  j->end += (off_t)j->frames.len;
  j->txn = t;
  for (size_t i = 0; i < np; i++) /* in order: a later op on a key wins */
    install(j, &pv[i]);
  psvc__free(pv);
  ops_clear(j);
  j->in_txn = false;
  return 0;
}

static const op *staged(const journal *j, int kind, const char *key) {
  for (size_t i = j->nops; i-- > 0;)
    if (j->ops[i].kind == kind && strcmp(j->ops[i].key, key) == 0)
      return &j->ops[i];
  return NULL;
}

static int j_get(void *u, int kind, const char *key,
                 int (*sink)(void *, const void *, size_t), void *arg) {
  journal *j = u;
  const op *o = j->in_txn ? staged(j, kind, key) : NULL;
  if (o)
    return o->del ? PSVC_ENOTFOUND : sink(arg, o->data, o->len);
  char *mkey = make_mkey(kind, key, strlen(key));
  if (!mkey)
    return -1;
  const rec *r = psvc__map_get(&j->recs, mkey);
  psvc__free(mkey);
  return r ? sink(arg, r->data, r->len) : PSVC_ENOTFOUND;
}

static int cmp_recs(const void *a, const void *b) {
  return strcmp((*(const rec *const *)a)->key, (*(const rec *const *)b)->key);
}

static int j_scan(void *u, int kind, int (*each)(void *, const char *, const void *, size_t),
                  void *arg) {
  journal *j = u;
  size_t n = 0;
  rec **v = psvc__malloc((j->recs.len ? j->recs.len : 1) * sizeof *v);
  if (!v)
    return -1;
  for (size_t i = 0; i < j->recs.cap; i++) {
    rec *r = j->recs.slots[i].value;
    if (j->recs.slots[i].key && r->kind == kind)
      v[n++] = r;
  }
  qsort(v, n, sizeof *v, cmp_recs); /* key order: deterministic */
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++)
    rc = each(arg, v[i]->key, v[i]->data, v[i]->len);
  psvc__free(v);
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

typedef struct pending {
  int kind;
  const unsigned char *key, *data;
  size_t klen, len;
  bool del;
} pending;

static int corrupt(const char *path, size_t at, const char *why) {
  return psvc__fail(NULL, PSVC_ECORRUPT, "psvc_store_journal: '%s' is corrupt at offset %zu: "
                    "%s; nothing was changed", path, at, why);
}

/* Replays the image into j; sets j->end to the end of the last commit. */
static int replay(journal *j, const image *im) {
  unsigned char fresh[FRAMES_AT];
  header(fresh);
  memset(fresh + HEADER_LEN, 0, 2 * SLOT_LEN);
  if (im->n < FRAMES_AT) { /* new, or its creation was interrupted */
    if (memcmp(im->p, fresh, im->n) == 0)
      return PSVC_OK; /* settle() writes a fresh start */
    return corrupt(j->path, 0, "not a journal (bad header)");
  }
  if (memcmp(im->p, fresh, HEADER_LEN) != 0)
    return corrupt(j->path, 0, "not a journal of format 1 (bad header)");
  uint64_t E = committed_end(j, im);
  if (E < FRAMES_AT || E > im->n)
    return corrupt(j->path, HEADER_LEN, "the file is shorter than its committed length");
  pending *pv = NULL;
  size_t np = 0, cap = 0, at = FRAMES_AT;
  j->end = FRAMES_AT;
  bool end_seen = E == FRAMES_AT; /* the committed end must be a commit's end */
  int rc = PSVC_OK;
  while (at < im->n) {
    int type;
    const unsigned char *pl;
    uint32_t len;
    size_t total;
    bool ok = read_frame(im, at, &type, &pl, &len, &total);
    if (ok && type == F_COMMIT)
      ok = len == COMMIT_LEN && memcmp(pl + 8, MARKER, 8) == 0 && get64(pl) == j->txn + 1;
    else if (ok)
      ok = type == F_PUT || type == F_DEL;
    if (!ok) {
      if (at < E) {
        rc = corrupt(j->path, at, "an unreadable frame in committed data");
        break;
      }
      snprintf(j->report, sizeof j->report,
               "recovered: cut %zu bytes of an incomplete transaction at offset %lld",
               im->n - (size_t)j->end, (long long)j->end);
      break;
    }
    if (type == F_COMMIT) {
      for (size_t i = 0; i < np && rc == PSVC_OK; i++)
        if (!apply_op(j, pv[i].kind, (const char *)pv[i].key, pv[i].klen, pv[i].data, pv[i].len,
                      pv[i].del))
          rc = psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
      np = 0;
      j->txn++;
      j->end = (off_t)(at + total);
      end_seen |= (uint64_t)j->end == E;
    } else { /* PUT or DEL: check what the CRC cannot */
      size_t klen = len >= 3 ? (size_t)pl[1] | (size_t)pl[2] << 8 : 0;
      if (len < 3 || pl[0] < 1 || pl[0] > 6 || klen == 0 || klen > KEY_MAX ||
          klen > len - 3 || (type == F_DEL && klen != len - 3) ||
          memchr(pl + 3, 0, klen)) {
        rc = corrupt(j->path, at, "a frame with an impossible record");
        break;
      }
      if (np == cap) {
        cap = cap ? cap * 2 : 16;
        pending *nv = psvc__realloc(pv, cap * sizeof *nv);
        if (!nv) {
          rc = psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
          break;
        }
        pv = nv;
      }
      pv[np++] = (pending){pl[0], pl + 3, pl + 3 + klen, klen, len - 3 - klen, type == F_DEL};
    }
    if (rc)
      break;
    at += total;
  }
  psvc__free(pv);
  if (rc == PSVC_OK && ((uint64_t)j->end < E || !end_seen))
    rc = corrupt(j->path, (size_t)j->end, "the committed end is not the end of a transaction");
  if (rc == PSVC_OK && (size_t)j->end < im->n && strcmp(j->report, "clean") == 0)
    snprintf(j->report, sizeof j->report,
             "recovered: cut %zu bytes of an incomplete transaction at offset %lld",
             im->n - (size_t)j->end, (long long)j->end);
  return rc;
}

/* The whole file into memory. */
static int slurp(journal *j, image *im) {
  struct stat st;
  if (fstat(j->fd, &st) != 0 || !S_ISREG(st.st_mode))
    return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: '%s' is not a regular file",
                      j->path);
  im->n = (size_t)st.st_size;
  im->p = psvc__malloc(im->n ? im->n : 1);
  if (!im->p)
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
  size_t got = 0;
  while (got < im->n) {
    ssize_t r = pread(j->fd, im->p + got, im->n - got, (off_t)got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot read '%s': %s", j->path,
                        r < 0 ? strerror(errno) : "short read");
    got += (size_t)r;
  }
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

/* After replay: cut a torn tail, write the header of a new journal. */
static int settle(journal *j, size_t size) {
  if ((size_t)j->end < FRAMES_AT) {
    unsigned char h[FRAMES_AT];
    header(h);
    memset(h + HEADER_LEN, 0, 2 * SLOT_LEN);
    if (ftruncate(j->fd, 0) != 0 || pwrite(j->fd, h, FRAMES_AT, 0) != FRAMES_AT ||
        fsync(j->fd) != 0)
      return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot initialise '%s': %s",
                        j->path, strerror(errno));
    j->end = FRAMES_AT;
  } else if ((size_t)j->end < size) {
    if (ftruncate(j->fd, j->end) != 0 || fsync(j->fd) != 0)
      return psvc__fail(NULL, PSVC_EIO, "psvc_store_journal: cannot cut the torn tail of "
                        "'%s': %s", j->path, strerror(errno));
  }
  return PSVC_OK;
}

static void fill_store(psvc_store *out, journal *j) {
  *out = (psvc_store){PSVC_STORE_ABI, j, j_begin, j_commit, j_rollback, j_put, j_get,
                      j_del, j_scan, j_close};
}

PSVC_API int psvc_store_journal(psvc_store *out, const char *path) {
  if (!out || !path || !*path)
    return psvc__fail(NULL, PSVC_EINVAL, "psvc_store_journal: out and path are required");
  if (!crc_table[1])
    crc_init(); /* idempotent: racing threads write the same values */
  journal *j = psvc__calloc(1, sizeof *j);
  if (!j || !(j->path = psvc__strdup(path))) {
    psvc__free(j);
    return psvc__fail(NULL, PSVC_ENOMEM, "psvc_store_journal: out of memory");
  }
  j->fd = -1;
  j->newest = -1;
  snprintf(j->report, sizeof j->report, "clean");
  image im = {NULL, 0};
  int rc = open_file(j);
  if (rc == PSVC_OK)
    rc = slurp(j, &im);
  if (rc == PSVC_OK)
    rc = replay(j, &im);
  if (rc == PSVC_OK)
    rc = settle(j, im.n);
  psvc__free(im.p);
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

PSVC_API int psvc_ctx_compact(psvc_ctx *ctx) {
  const char *fn = "psvc_ctx_compact";
  if (!ctx)
    return psvc__fail(NULL, PSVC_EINVAL, "%s: ctx is NULL", fn);
  if (!ctx->has_store || ctx->store.close != j_close)
    return psvc__fail(ctx, PSVC_EINVAL, "%s: the context's store is not a journal", fn);
  journal *j = ctx->store.user;
  if (j->in_txn)
    return psvc__fail(ctx, PSVC_ESTATE, "%s: a transaction is open", fn);
  psvc__buf b = {0};
  unsigned char h[FRAMES_AT];
  header(h);
  memset(h + HEADER_LEN, 0, 2 * SLOT_LEN);
  psvc__buf_put(&b, h, FRAMES_AT);
  for (size_t i = 0; i < j->recs.cap; i++) {
    const rec *r = j->recs.slots[i].value;
    if (!j->recs.slots[i].key)
      continue;
    key_frame(&b, F_PUT, r->kind, r->key, r->data, r->len);
  }
  unsigned char c[COMMIT_LEN] = {1}; /* transaction 1 of the new journal */
  memcpy(c + 8, MARKER, 8);
  frame(&b, F_COMMIT, c, COMMIT_LEN, NULL, 0);
  if (!b.oom) /* slot 0: transaction 1 ends at the end of the file */
    slot(b.data + HEADER_LEN, 1, b.len, 1);
  size_t plen = strlen(j->path);
  char *tmp = psvc__malloc(plen + 9);
  if (b.oom || !tmp) {
    psvc__buf_free(&b);
    psvc__free(tmp);
    return psvc__fail(ctx, PSVC_ENOMEM, "%s: out of memory", fn);
  }
  memcpy(tmp, j->path, plen);
  memcpy(tmp + plen, ".compact", 9);
  int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && write_all(fd, b.data, b.len) &&
            fsync(fd) == 0 && rename(tmp, j->path) == 0;
  psvc__buf_free(&b);
  if (!ok) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    unlink(tmp);
    psvc__free(tmp);
    return psvc__fail(ctx, PSVC_EIO, "%s: cannot rewrite '%s': %s; the journal is unchanged",
                      fn, j->path, strerror(e));
  }
  psvc__free(tmp);
  fsync_dir(j->path); /* the rename is durable once the directory is */
  close(j->fd);       /* the old file's lock goes with it; fd holds the new one */
  j->fd = fd;
  j->txn = 1;
  j->seq = 1;
  j->newest = 0;
  j->end = lseek(fd, 0, SEEK_END);
  return PSVC_OK;
}
