/*
 * util.c — small building blocks shared by the lib/ files: input validation
 * (ids, UTF-8 text), a string-keyed hash map, a growable byte buffer and
 * the caller-visible list of ids.
 *
 * Validation is strict and explains itself: every check returns a static
 * reason that the caller puts into its error message. The hash map is open
 * addressing with linear probing; it never copies keys and allocates only
 * in psvc__map_reserve, which lets a mutation take every allocation before
 * it writes to the store and then insert without any possible failure.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- validation ------------------------------------------------------------ */

static bool id_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

const char *psvc__id_problem(const char *s) {
  if (!s)
    return "is NULL";
  size_t n = 0;
  for (; s[n]; n++) {
    if (n >= PSVC_ID_MAX)
      return "is longer than 64 bytes";
    if (!id_char((unsigned char)s[n]))
      return "may contain only A-Z a-z 0-9 . _ -";
  }
  return n == 0 ? "is empty" : NULL;
}

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, or 0
   if it is malformed (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char c = s[0];
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = c & 0x07;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    *cp = (*cp << 6) | (s[i] & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
    return 0;
  return len;
}

bool psvc__utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = utf8_seq(p + i, n - i, &cp);
    if (k == 0)
      return false;
    i += k;
  }
  return true;
}

/* Longer-than messages for the limits in use (static text, no allocation). */
static const char *too_long(size_t max) {
  switch (max) {
  case PSVC_TEXT_MAX: return "is longer than 256 bytes";
  case PSVC__NOTE_MAX: return "is longer than 4096 bytes";
  default: return "is too long";
  }
}

static const char *text_check(const char *s, size_t max, bool multiline) {
  if (!s)
    return "is NULL";
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (p[i]) {
    if (i >= max)
      return too_long(max);
    uint32_t cp;
    size_t k = utf8_seq(p + i, strnlen(s + i, 4), &cp);
    if (k == 0)
      return "is not valid UTF-8";
    bool line = multiline && (cp == '\n' || cp == '\r' || cp == '\t');
    if (!line && (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))) /* C0, DEL and C1 controls */
      return "contains a control character";
    i += k;
  }
  if (i > max)
    return too_long(max);
  return NULL;
}

const char *psvc__text_problem(const char *s, size_t max) {
  return text_check(s, max, false);
}

const char *psvc__note_problem(const char *s) {
  if (s && !*s)
    return "is empty";
  return text_check(s, PSVC__NOTE_MAX, true);
}

int psvc__check_id(psvc_ctx *ctx, const char *what, const char *s) {
  const char *why = psvc__id_problem(s);
  if (why)
    return psvc__fail(ctx, PSVC_EINVAL, "%s %s", what, why);
  return PSVC_OK;
}

int psvc__check_text(psvc_ctx *ctx, const char *what, const char *s) {
  const char *why = psvc__text_problem(s, PSVC_TEXT_MAX);
  if (why)
    return psvc__fail(ctx, PSVC_EINVAL, "%s %s", what, why);
  return PSVC_OK;
}

/* ---- hash map ---------------------------------------------------------------- */

uint64_t psvc__hash(const char *s) { /* FNV-1a, then a final mix */
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ull;
  h ^= h >> 32;
  return h;
}

static size_t probe_for(const psvc__map *m, const char *key, uint64_t h) {
  size_t mask = m->cap - 1, i = (size_t)h & mask;
  while (m->slots[i].key) {
    if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
      return i;
    i = (i + 1) & mask;
  }
  return i;
}

void *psvc__map_get(const psvc__map *m, const char *key) {
  if (!m->cap)
    return NULL;
  size_t i = probe_for(m, key, psvc__hash(key));
  return m->slots[i].key ? m->slots[i].value : NULL;
}

static void place(psvc__map_slot *slots, size_t cap, psvc__map_slot s) {
  size_t i = (size_t)s.hash & (cap - 1);
  while (slots[i].key)
    i = (i + 1) & (cap - 1);
  slots[i] = s;
}

int psvc__map_reserve(psvc__map *m, size_t extra) {
  size_t need = m->len + extra;
  if (need < m->len)
    return PSVC_ENOMEM;
  size_t cap = m->cap ? m->cap : 16;
  while (need > cap / 4 * 3) { /* keep the load factor at or below 3/4 */
    if (cap > SIZE_MAX / 2 / sizeof(psvc__map_slot))
      return PSVC_ENOMEM;
    cap *= 2;
  }
  if (cap == m->cap)
    return PSVC_OK;
  psvc__map_slot *slots = psvc__calloc(cap, sizeof *slots);
  if (!slots)
    return PSVC_ENOMEM;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key)
      place(slots, cap, m->slots[i]);
  psvc__free(m->slots);
  m->slots = slots;
  m->cap = cap;
  return PSVC_OK;
}

void *psvc__map_put(psvc__map *m, const char *key, void *value) {
  uint64_t h = psvc__hash(key);
  size_t i = probe_for(m, key, h);
  void *old = m->slots[i].key ? m->slots[i].value : NULL;
  if (!m->slots[i].key)
    m->len++;
  m->slots[i] = (psvc__map_slot){key, value, h};
  return old;
}

void *psvc__map_del(psvc__map *m, const char *key) {
  if (!m->cap)
    return NULL;
  size_t mask = m->cap - 1, i = probe_for(m, key, psvc__hash(key));
  if (!m->slots[i].key)
    return NULL;
  void *old = m->slots[i].value;
  /* backward-shift deletion: pull later members of the cluster back */
  size_t j = i;
  for (;;) {
    m->slots[i].key = NULL;
    for (;;) {
      j = (j + 1) & mask;
      if (!m->slots[j].key) {
        m->len--;
        return old;
      }
      size_t home = (size_t)m->slots[j].hash & mask;
      /* move j back to i unless its home lies cyclically in (i, j] */
      bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays)
        break;
    }
    m->slots[i] = m->slots[j];
    i = j;
  }
}

void psvc__map_free(psvc__map *m) {
  psvc__free(m->slots);
  *m = (psvc__map){0};
}

/* ---- byte buffer ---------------------------------------------------------------- */

void psvc__buf_put(psvc__buf *b, const void *p, size_t n) {
  if (b->oom)
    return;
  if (n > SIZE_MAX - b->len) {
    b->oom = true;
    return;
  }
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n)
      cap = cap > SIZE_MAX / 2 ? b->len + n : cap * 2;
    unsigned char *d = psvc__realloc(b->data, cap);
    if (!d) {
      b->oom = true;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
}

void psvc__buf_byte(psvc__buf *b, unsigned char c) { psvc__buf_put(b, &c, 1); }

void psvc__buf_free(psvc__buf *b) {
  psvc__free(b->data);
  *b = (psvc__buf){0};
}

/* ---- lists of ids -------------------------------------------------------------- */

int psvc__list_new(psvc_list **out) {
  psvc_list *l = psvc__calloc(1, sizeof *l);
  if (!l)
    return PSVC_ENOMEM;
  *out = l;
  return PSVC_OK;
}

int psvc__list_push(psvc_list *l, const char *id) {
  if (l->len == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    char **ids = psvc__realloc(l->ids, cap * sizeof *ids);
    if (!ids)
      return PSVC_ENOMEM;
    l->ids = ids;
    l->cap = cap;
  }
  char *copy = psvc__strdup(id);
  if (!copy)
    return PSVC_ENOMEM;
  l->ids[l->len++] = copy;
  return PSVC_OK;
}

static int cmp_ids(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void psvc__list_sort(psvc_list *l) {
  if (l->len > 1)
    qsort(l->ids, l->len, sizeof *l->ids, cmp_ids);
}

PSVC_API size_t psvc_list_count(const psvc_list *l) { return l ? l->len : 0; }

PSVC_API const char *psvc_list_id(const psvc_list *l, size_t i) {
  return (l && i < l->len) ? l->ids[i] : NULL;
}

PSVC_API void psvc_list_free(psvc_list *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->len; i++)
    psvc__free(l->ids[i]);
  psvc__free(l->ids);
  psvc__free(l);
}
