/*
 * test_util.c — lib/util.c: id and text validation, the UTF-8 validator
 * (against an independent reference decoder), the hash map (a property test
 * against a naive array, including backward-shift deletion on forced
 * collisions), the byte buffer and the id list.
 *
 * Random tests use a fixed seed, printed in every failure message; set
 * PSVC_TEST_SEED to replay another one.
 */
#include "fault.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a reproducible generator ------------------------------------------------ */

static uint64_t test_seed(void) {
  const char *env = getenv("PSVC_TEST_SEED");
  if (env && *env)
    return strtoull(env, NULL, 0) | 1;
  return 0x9e3779b97f4a7c15ull;
}

static uint64_t rnd(uint64_t *s) { /* xorshift64* */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545f4914f6cdd1dull;
}

static size_t rnd_below(uint64_t *s, size_t n) { return (size_t)(rnd(s) % n); }

/* ---- ids ------------------------------------------------------------------------ */

START_TEST(test_id_every_byte) {
  const char *allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
  for (int ch = 1; ch < 256; ch++) {
    char one[2] = {(char)ch, 0};
    char mid[4] = {'a', (char)ch, 'b', 0};
    bool ok = strchr(allowed, ch) != NULL;
    ck_assert_msg((psvc__id_problem(one) == NULL) == ok, "byte 0x%02x alone", ch);
    ck_assert_msg((psvc__id_problem(mid) == NULL) == ok, "byte 0x%02x inside", ch);
  }
}
END_TEST

START_TEST(test_id_lengths) {
  char s[80];
  ck_assert_str_eq(psvc__id_problem(NULL), "is NULL");
  ck_assert_str_eq(psvc__id_problem(""), "is empty");
  for (size_t n = 1; n < sizeof s; n++) {
    memset(s, 'k', n);
    s[n] = 0;
    const char *why = psvc__id_problem(s);
    if (n <= PSVC_ID_MAX)
      ck_assert_msg(why == NULL, "%zu bytes: %s", n, why);
    else
      ck_assert_msg(why && strstr(why, "64"), "%zu bytes accepted", n);
  }
  ck_assert_int_eq(PSVC_ID_MAX, 64);
}
END_TEST

START_TEST(test_check_id_and_text_messages) {
  ck_assert_int_eq(psvc__check_id(NULL, "order id", "x y"), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "order id"));
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "A-Z"));
  ck_assert_int_eq(psvc__check_id(NULL, "order id", "ok-1"), PSVC_OK);
  ck_assert_int_eq(psvc__check_text(NULL, "summary", "bad\x01"), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "summary"));
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "control"));
  ck_assert_int_eq(psvc__check_text(NULL, "summary", "fine"), PSVC_OK);
  psvc_ctx *ctx = NULL;
  ck_assert_int_eq(psvc_ctx_open(&ctx, NULL), PSVC_OK);
  ck_assert_int_eq(psvc__check_id(ctx, "unit", ""), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "unit is empty"));
  psvc_ctx_close(ctx);
}
END_TEST

/* ---- text ------------------------------------------------------------------------- */

START_TEST(test_text_controls_and_printables) {
  ck_assert_str_eq(psvc__text_problem(NULL, 256), "is NULL");
  ck_assert_ptr_null(psvc__text_problem("", 256));
  for (int ch = 1; ch < 0x80; ch++) {
    char s[4] = {'a', (char)ch, 'b', 0};
    const char *why = psvc__text_problem(s, 256);
    if (ch < 0x20 || ch == 0x7F)
      ck_assert_msg(why && strstr(why, "control"), "0x%02x accepted", ch);
    else
      ck_assert_msg(why == NULL, "0x%02x rejected: %s", ch, why);
  }
  /* C1 controls U+0080..U+009F are control characters too (CSI U+009B
     starts a terminal escape); U+00A0 and above are not */
  for (unsigned cp = 0x80; cp <= 0xFF; cp++) {
    char s[3] = {(char)(0xC0 | cp >> 6), (char)(0x80 | (cp & 0x3F)), 0};
    const char *why = psvc__text_problem(s, 256);
    if (cp <= 0x9F)
      ck_assert_msg(why && strstr(why, "control"), "U+%04X accepted", cp);
    else
      ck_assert_msg(why == NULL, "U+%04X rejected: %s", cp, why);
  }
}
END_TEST

START_TEST(test_text_length_limits) {
  char s[300];
  for (size_t n = 250; n < 260; n++) {
    memset(s, 't', n);
    s[n] = 0;
    ck_assert_msg((psvc__text_problem(s, 256) == NULL) == (n <= 256), "%zu bytes", n);
  }
  /* a multi-byte character may not straddle the limit */
  memset(s, 'u', 254);
  memcpy(s + 254, "\xe4\xb8\xad", 4); /* 257 bytes */
  ck_assert_ptr_nonnull(psvc__text_problem(s, 256));
  memcpy(s + 253, "\xe4\xb8\xad", 4); /* 256 bytes */
  ck_assert_ptr_null(psvc__text_problem(s, 256));
  /* a smaller max is honoured */
  ck_assert_ptr_null(psvc__text_problem("abc", 3));
  ck_assert_ptr_nonnull(psvc__text_problem("abcd", 3));
  ck_assert_ptr_nonnull(psvc__text_problem("a\xc3\xa9", 2));
  ck_assert_ptr_null(psvc__text_problem("\xc3\xa9", 2));
  /* invalid UTF-8 is reported as such */
  ck_assert_ptr_nonnull(strstr(psvc__text_problem("a\xff", 256), "UTF-8"));
  ck_assert_ptr_nonnull(strstr(psvc__text_problem("a\xe4\xb8", 256), "UTF-8"));
}
END_TEST

/* ---- UTF-8 ---------------------------------------------------------------------------- */

START_TEST(test_utf8_table) {
  static const struct {
    const char *s;
    size_t n;
    bool ok;
    const char *what;
  } cases[] = {
      {"", 0, true, "empty"},
      {"plain", 5, true, "ASCII"},
      {"a\0b", 3, true, "NUL is a valid code point"},
      {"\x7f", 1, true, "U+007F"},
      {"\xc2\x80", 2, true, "U+0080"},
      {"\xdf\xbf", 2, true, "U+07FF"},
      {"\xe0\xa0\x80", 3, true, "U+0800"},
      {"\xed\x9f\xbf", 3, true, "U+D7FF"},
      {"\xee\x80\x80", 3, true, "U+E000"},
      {"\xef\xbf\xbf", 3, true, "U+FFFF"},
      {"\xf0\x90\x80\x80", 4, true, "U+10000"},
      {"\xf4\x8f\xbf\xbf", 4, true, "U+10FFFF"},
      {"\xe4\xb8\xad\xe6\x96\x87", 6, true, "CJK"},
      /* overlong */
      {"\xc0\x80", 2, false, "overlong NUL"},
      {"\xc1\xbf", 2, false, "overlong U+007F"},
      {"\xe0\x80\x80", 3, false, "overlong 3-byte NUL"},
      {"\xe0\x9f\xbf", 3, false, "overlong U+07FF"},
      {"\xf0\x80\x80\x80", 4, false, "overlong 4-byte NUL"},
      {"\xf0\x8f\xbf\xbf", 4, false, "overlong U+FFFF"},
      /* surrogates */
      {"\xed\xa0\x80", 3, false, "U+D800"},
      {"\xed\xad\xbf", 3, false, "U+DB7F"},
      {"\xed\xb0\x80", 3, false, "U+DC00"},
      {"\xed\xbf\xbf", 3, false, "U+DFFF"},
      {"\xed\xa0\x80\xed\xb0\x80", 6, false, "surrogate pair (CESU-8)"},
      /* beyond U+10FFFF, and bytes that never occur */
      {"\xf4\x90\x80\x80", 4, false, "U+110000"},
      {"\xf5\x80\x80\x80", 4, false, "lead F5"},
      {"\xf7\xbf\xbf\xbf", 4, false, "lead F7"},
      {"\xf8\x88\x80\x80\x80", 5, false, "5-byte form"},
      {"\xfc\x84\x80\x80\x80\x80", 6, false, "6-byte form"},
      {"\xfe", 1, false, "FE"},
      {"\xff", 1, false, "FF"},
      /* continuation bytes out of place */
      {"\x80", 1, false, "lone 80"},
      {"\xbf", 1, false, "lone BF"},
      {"a\x80z", 3, false, "80 inside"},
      {"\xc3\x28", 2, false, "bad second byte"},
      {"\xe4\x28\xad", 3, false, "bad second of three"},
      {"\xe4\xb8\x28", 3, false, "bad third of three"},
      {"\xf0\x9f\x98\x28", 4, false, "bad fourth of four"},
      /* truncated */
      {"\xc3", 1, false, "truncated 2"},
      {"\xe4\xb8", 2, false, "truncated 3"},
      {"\xf0\x9f\x98", 3, false, "truncated 4"},
      {"ok\xf0", 3, false, "truncated at the end"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    ck_assert_msg(psvc__utf8_valid(cases[i].s, cases[i].n) == cases[i].ok, "%s: expected %s",
                  cases[i].what, cases[i].ok ? "valid" : "invalid");
  /* the length bounds the check: a valid prefix of an invalid string */
  ck_assert(psvc__utf8_valid("ab\xff", 2));
  ck_assert(!psvc__utf8_valid("\xe4\xb8\xad", 2));
}
END_TEST

/* The reference: Unicode 15 table 3-7, well-formed UTF-8 byte sequences. */
static bool ref_utf8_valid(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c <= 0x7F) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3, hi = 0x9F;
    } else if (c == 0xF0) {
      len = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F;
    } else {
      return false;
    }
    if (n - i < len)
      return false;
    if (s[i + 1] < lo || s[i + 1] > hi)
      return false;
    for (size_t k = 2; k < len; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF)
        return false;
    i += len;
  }
  return true;
}

START_TEST(test_utf8_against_reference) {
  const uint64_t seed = test_seed();
  uint64_t s = seed;
  /* lead bytes, continuation bytes and ASCII in roughly equal measure, so
     that well-formed and subtly malformed sequences are both common */
  static const unsigned char pool[] = {
      'a',  'z',  0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
      0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  size_t valid = 0;
  for (int iter = 0; iter < 200000; iter++) {
    unsigned char buf[12];
    size_t n = rnd_below(&s, sizeof buf + 1);
    for (size_t i = 0; i < n; i++)
      buf[i] = rnd_below(&s, 4) == 0 ? (unsigned char)rnd(&s)
                                     : pool[rnd_below(&s, sizeof pool)];
    bool want = ref_utf8_valid(buf, n);
    bool got = psvc__utf8_valid((const char *)buf, n);
    valid += want;
    ck_assert_msg(got == want, "seed 0x%llx iter %d: %zu bytes, validator says %d",
                  (unsigned long long)seed, iter, n, got);
  }
  ck_assert_uint_gt(valid, 1000); /* the generator reaches both sides */
  ck_assert_uint_lt(valid, 190000);
  /* and every code point encoded by hand is accepted, every surrogate not */
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x20000 ? 1 : 97)) {
    unsigned char b[4];
    size_t n;
    if (cp < 0x80)
      b[0] = (unsigned char)cp, n = 1;
    else if (cp < 0x800)
      b[0] = (unsigned char)(0xC0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
      b[0] = (unsigned char)(0xE0 | cp >> 12), b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)),
      b[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
    else
      b[0] = (unsigned char)(0xF0 | cp >> 18), b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F)),
      b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)), b[3] = (unsigned char)(0x80 | (cp & 0x3F)),
      n = 4;
    bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ck_assert_msg(psvc__utf8_valid((const char *)b, n) == !surrogate, "U+%04X", (unsigned)cp);
  }
}
END_TEST

/* ---- hash map ----------------------------------------------------------------------------- */

/* The map's structural invariant, which backward-shift deletion must keep:
   every entry is reachable from its home slot without crossing an empty
   slot, its stored hash is its key's hash, and len counts the entries. */
static void assert_map_invariant(const psvc__map *m, const char *ctx_msg) {
  if (m->cap == 0) {
    ck_assert_uint_eq(m->len, 0);
    return;
  }
  ck_assert_msg((m->cap & (m->cap - 1)) == 0, "%s: cap %zu", ctx_msg, m->cap);
  ck_assert_msg(m->len <= m->cap / 4 * 3, "%s: load %zu/%zu", ctx_msg, m->len, m->cap);
  size_t mask = m->cap - 1, used = 0;
  for (size_t j = 0; j < m->cap; j++) {
    if (!m->slots[j].key)
      continue;
    used++;
    ck_assert_msg(m->slots[j].hash == psvc__hash(m->slots[j].key), "%s: stale hash", ctx_msg);
    for (size_t i = (size_t)m->slots[j].hash & mask; i != j; i = (i + 1) & mask)
      ck_assert_msg(m->slots[i].key != NULL,
                    "%s: '%s' in slot %zu is cut off from its home by empty slot %zu", ctx_msg,
                    m->slots[j].key, j, i);
  }
  ck_assert_msg(used == m->len, "%s: len %zu, %zu entries", ctx_msg, m->len, used);
}

enum { NKEYS = 400 };
static char keys[NKEYS][16];
static char values[NKEYS * 4];

static void make_keys(void) {
  for (int i = 0; i < NKEYS; i++)
    snprintf(keys[i], sizeof keys[i], "key-%d", i);
}

START_TEST(test_map_empty) {
  psvc__map m = {0};
  ck_assert_ptr_null(psvc__map_get(&m, "x"));
  ck_assert_ptr_null(psvc__map_del(&m, "x"));
  ck_assert_int_eq(psvc__map_reserve(&m, 0), PSVC_OK);
  ck_assert_uint_ge(m.cap, 1);
  ck_assert_ptr_null(psvc__map_get(&m, "x"));
  ck_assert_ptr_null(psvc__map_del(&m, "x"));
  ck_assert_uint_eq(m.len, 0);
  psvc__map_free(&m);
  ck_assert_ptr_null(m.slots);
  ck_assert_uint_eq(m.cap, 0);
  psvc__map_free(&m); /* twice is fine */
  ck_assert_uint_eq(m.len, 0);
}
END_TEST

START_TEST(test_map_put_replace_del) {
  psvc__map m = {0};
  char a = 'a', b = 'b';
  ck_assert_int_eq(psvc__map_reserve(&m, 1), PSVC_OK);
  ck_assert_ptr_null(psvc__map_put(&m, "one", &a));
  ck_assert_uint_eq(m.len, 1);
  ck_assert_ptr_eq(psvc__map_put(&m, "one", &b), &a); /* replaced value returned */
  ck_assert_uint_eq(m.len, 1);
  /* lookups compare contents, not pointers */
  char probe[] = "one";
  ck_assert_ptr_eq(psvc__map_get(&m, probe), &b);
  ck_assert_ptr_eq(psvc__map_del(&m, probe), &b);
  ck_assert_uint_eq(m.len, 0);
  ck_assert_ptr_null(psvc__map_get(&m, "one"));
  ck_assert_ptr_null(psvc__map_del(&m, "one"));
  psvc__map_free(&m);
}
END_TEST

/* Random puts, deletes and gets against a plain array, with a fixed seed. */
START_TEST(test_map_property_against_reference) {
  make_keys();
  const uint64_t seed = test_seed();
  uint64_t s = seed;
  psvc__map m = {0};
  void *ref[NKEYS] = {0};
  size_t ref_len = 0;
  char msg[96];
  for (int op = 0; op < 60000; op++) {
    /* phases: a wide key range, then a narrow one that keeps the map small
       and its clusters churning */
    size_t range = (op / 5000) % 2 ? 24 : NKEYS;
    size_t k = rnd_below(&s, range);
    unsigned dice = (unsigned)rnd_below(&s, 100);
    snprintf(msg, sizeof msg, "seed 0x%llx op %d", (unsigned long long)seed, op);
    if (dice < 45) {
      void *v = &values[rnd_below(&s, sizeof values)];
      ck_assert_msg(psvc__map_reserve(&m, 1) == PSVC_OK, "%s: reserve", msg);
      void *old = psvc__map_put(&m, keys[k], v);
      ck_assert_msg(old == ref[k], "%s: put returned the wrong old value", msg);
      if (!ref[k])
        ref_len++;
      ref[k] = v;
    } else if (dice < 85) {
      void *old = psvc__map_del(&m, keys[k]);
      ck_assert_msg(old == ref[k], "%s: del of %s", msg, keys[k]);
      if (ref[k])
        ref_len--;
      ref[k] = NULL;
    } else {
      ck_assert_msg(psvc__map_get(&m, keys[k]) == ref[k], "%s: get of %s", msg, keys[k]);
    }
    ck_assert_msg(m.len == ref_len, "%s: len %zu, want %zu", msg, m.len, ref_len);
    if (op % 97 == 0) {
      assert_map_invariant(&m, msg);
      for (size_t i = 0; i < NKEYS; i++)
        ck_assert_msg(psvc__map_get(&m, keys[i]) == ref[i], "%s: full check of %s", msg,
                      keys[i]);
    }
  }
  assert_map_invariant(&m, "end");
  psvc__map_free(&m);
}
END_TEST

/* Keys that all want the same home slot (and the next one, and the last one
   so the cluster wraps): every deletion order keeps the others reachable. */
START_TEST(test_map_backward_shift_on_collisions) {
  static char ck[64][16];
  int homes[] = {15, 0, 1}; /* a cluster that wraps from slot 15 to 0 */
  int chosen[9];
  size_t nchosen = 0;
  for (int h = 0; h < 3; h++) {
    int found = 0;
    for (int i = 0; i < 100000 && found < 3; i++) {
      char key[16];
      snprintf(key, sizeof key, "c%d", i);
      if ((int)(psvc__hash(key) & 15) == homes[h]) {
        snprintf(ck[nchosen], sizeof ck[nchosen], "%s", key);
        chosen[nchosen] = homes[h];
        nchosen++;
        found++;
      }
    }
    ck_assert_int_eq(found, 3);
  }
  ck_assert_uint_eq(nchosen, 9);
  ck_assert_int_eq(chosen[0], 15);
  /* every deletion order given by a few fixed permutations, and each
     single deletion */
  const uint64_t seed = test_seed();
  uint64_t s = seed;
  for (int trial = 0; trial < 300; trial++) {
    psvc__map m = {0};
    ck_assert_int_eq(psvc__map_reserve(&m, 9), PSVC_OK);
    ck_assert_uint_eq(m.cap, 16); /* 9 <= 12: no growth, so homes hold */
    size_t order[9];
    for (size_t i = 0; i < 9; i++)
      order[i] = i;
    for (size_t i = 8; i > 0; i--) { /* insertion order shuffled too */
      size_t j = rnd_below(&s, i + 1), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (size_t i = 0; i < 9; i++)
      psvc__map_put(&m, ck[order[i]], ck[order[i]]);
    assert_map_invariant(&m, "collisions: full");
    for (size_t i = 8; i > 0; i--) {
      size_t j = rnd_below(&s, i + 1), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    bool gone[9] = {false};
    for (size_t d = 0; d < 9; d++) {
      char msg[96];
      snprintf(msg, sizeof msg, "seed 0x%llx trial %d delete %zu", (unsigned long long)seed,
               trial, d);
      ck_assert_msg(psvc__map_del(&m, ck[order[d]]) == ck[order[d]], "%s", msg);
      gone[order[d]] = true;
      assert_map_invariant(&m, msg);
      for (size_t i = 0; i < 9; i++)
        ck_assert_msg(psvc__map_get(&m, ck[i]) == (gone[i] ? NULL : ck[i]), "%s: key %zu", msg,
                      i);
    }
    psvc__map_free(&m);
  }
}
END_TEST

START_TEST(test_map_reserve_growth_and_failure) {
  make_keys();
  psvc__map m = {0};
  for (size_t i = 0; i < 200; i++) {
    ck_assert_int_eq(psvc__map_reserve(&m, 1), PSVC_OK);
    size_t cap = m.cap;
    psvc__map_put(&m, keys[i], keys[i]);
    ck_assert_uint_eq(m.cap, cap); /* put never grows */
    ck_assert_uint_le(m.len, m.cap / 4 * 3);
  }
  /* reserving for many at once */
  ck_assert_int_eq(psvc__map_reserve(&m, 190), PSVC_OK);
  ck_assert_uint_ge(m.cap / 4 * 3, 390);
  assert_map_invariant(&m, "after reserve");
  /* impossible sizes fail without touching the map */
  psvc__map_slot *slots = m.slots;
  size_t cap = m.cap;
  ck_assert_int_eq(psvc__map_reserve(&m, SIZE_MAX), PSVC_ENOMEM);
  ck_assert_int_eq(psvc__map_reserve(&m, SIZE_MAX / 2), PSVC_ENOMEM);
  ck_assert_ptr_eq(m.slots, slots);
  ck_assert_uint_eq(m.cap, cap);
  for (size_t i = 0; i < 200; i++)
    ck_assert_ptr_eq(psvc__map_get(&m, keys[i]), keys[i]);
  psvc__map_free(&m);

  /* an allocation failure while growing leaves the map as it was */
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  m = (psvc__map){0};
  ck_assert_int_eq(psvc__map_reserve(&m, 12), PSVC_OK);
  for (size_t i = 0; i < 12; i++)
    psvc__map_put(&m, keys[i], keys[i]);
  slots = m.slots;
  fault_alloc_arm(&fa, 1);
  ck_assert_int_eq(psvc__map_reserve(&m, 1), PSVC_ENOMEM);
  ck_assert_ptr_eq(m.slots, slots);
  ck_assert_uint_eq(m.cap, 16);
  ck_assert_uint_eq(m.len, 12);
  assert_map_invariant(&m, "after failed growth");
  for (size_t i = 0; i < 12; i++)
    ck_assert_ptr_eq(psvc__map_get(&m, keys[i]), keys[i]);
  fault_alloc_arm(&fa, 0);
  ck_assert_int_eq(psvc__map_reserve(&m, 1), PSVC_OK);
  ck_assert_uint_eq(m.cap, 32);
  psvc__map_free(&m);
  FAULT_ALLOC_END(&fa);
}
END_TEST

/* ---- byte buffer ---------------------------------------------------------------------------- */

START_TEST(test_buf_growth_matches_reference) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  const uint64_t seed = test_seed();
  uint64_t s = seed;
  enum { TOTAL = 200000 };
  unsigned char *ref = malloc(TOTAL + 1024);
  ck_assert_ptr_nonnull(ref);
  size_t ref_len = 0;
  psvc__buf b = {0};
  while (ref_len < TOTAL) {
    unsigned char piece[600];
    size_t n = rnd_below(&s, 4) == 0 ? 0 : rnd_below(&s, sizeof piece);
    for (size_t i = 0; i < n; i++)
      piece[i] = (unsigned char)rnd(&s);
    if (n == 1 && rnd_below(&s, 2))
      psvc__buf_byte(&b, piece[0]);
    else
      psvc__buf_put(&b, piece, n);
    memcpy(ref + ref_len, piece, n);
    ref_len += n;
    ck_assert_msg(b.len == ref_len, "seed 0x%llx: len %zu, want %zu", (unsigned long long)seed,
                  b.len, ref_len);
    ck_assert_uint_ge(b.cap, b.len);
  }
  ck_assert(!b.oom);
  ck_assert_mem_eq(b.data, ref, ref_len);
  /* growth is geometric: a handful of reallocations, not one per put */
  ck_assert_int_le(fa.total, 20);
  ck_assert_int_eq(fa.live_blocks, 1);
  psvc__buf_free(&b);
  ck_assert_ptr_null(b.data);
  ck_assert_uint_eq(b.len + b.cap, 0);
  free(ref);
  FAULT_ALLOC_END(&fa);
}
END_TEST

START_TEST(test_buf_oom_is_sticky_and_keeps_content) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  psvc__buf b = {0};
  psvc__buf_put(&b, "hello", 5);
  ck_assert_uint_eq(b.len, 5);
  size_t cap = b.cap;
  unsigned char big[4096];
  memset(big, 'B', sizeof big);
  fault_alloc_arm(&fa, 1);
  psvc__buf_put(&b, big, sizeof big); /* must grow: fails */
  ck_assert(b.oom);
  ck_assert_uint_eq(b.len, 5);
  ck_assert_uint_eq(b.cap, cap);
  ck_assert_mem_eq(b.data, "hello", 5);
  fault_alloc_arm(&fa, 0);
  psvc__buf_put(&b, "!", 1); /* sticky: ignored even though it would fit */
  psvc__buf_byte(&b, '!');
  ck_assert_uint_eq(b.len, 5);
  psvc__buf_free(&b);
  ck_assert(!b.oom);

  /* a size that cannot be represented fails without allocating */
  psvc__buf_put(&b, "x", 1);
  long before = fa.total;
  psvc__buf_put(&b, big, SIZE_MAX);
  ck_assert(b.oom);
  ck_assert_int_eq(fa.total, before);
  ck_assert_uint_eq(b.len, 1);
  psvc__buf_free(&b);

  /* zero bytes: nothing happens */
  psvc__buf_put(&b, NULL, 0);
  ck_assert_uint_eq(b.len, 0);
  ck_assert(!b.oom);
  psvc__buf_free(&b);
  FAULT_ALLOC_END(&fa);
}
END_TEST

/* ---- list of ids ------------------------------------------------------------------------------- */

static int ref_cmp(const char *a, const char *b) { /* bytewise, unsigned */
  const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
  while (*x && *x == *y)
    x++, y++;
  return (int)*x - (int)*y;
}

START_TEST(test_list_sort_against_reference) {
  const uint64_t seed = test_seed();
  uint64_t s = seed;
  static const char alphabet[] = "AZaz09._-\xc3\xa9";
  for (int trial = 0; trial < 200; trial++) {
    psvc_list *l = NULL;
    ck_assert_int_eq(psvc__list_new(&l), PSVC_OK);
    size_t n = rnd_below(&s, 70);
    char ids[70][8];
    for (size_t i = 0; i < n; i++) {
      size_t len = 1 + rnd_below(&s, 6);
      for (size_t k = 0; k < len; k++)
        ids[i][k] = alphabet[rnd_below(&s, sizeof alphabet - 1)];
      ids[i][len] = 0;
      ck_assert_int_eq(psvc__list_push(l, ids[i]), PSVC_OK);
    }
    ck_assert_uint_eq(psvc_list_count(l), n);
    for (size_t i = 0; i < n; i++) { /* copies, in push order */
      ck_assert_str_eq(psvc_list_id(l, i), ids[i]);
      ck_assert_ptr_ne(psvc_list_id(l, i), ids[i]);
    }
    psvc__list_sort(l);
    /* reference: insertion sort with an independent comparison */
    const char *want[70];
    for (size_t i = 0; i < n; i++) {
      size_t j = i;
      while (j > 0 && ref_cmp(want[j - 1], ids[i]) > 0) {
        want[j] = want[j - 1];
        j--;
      }
      want[j] = ids[i];
    }
    for (size_t i = 0; i < n; i++)
      ck_assert_msg(strcmp(psvc_list_id(l, i), want[i]) == 0,
                    "seed 0x%llx trial %d: position %zu is '%s', want '%s'",
                    (unsigned long long)seed, trial, i, psvc_list_id(l, i), want[i]);
    ck_assert_ptr_null(psvc_list_id(l, n));
    psvc_list_free(l);
  }
  /* bytes >= 0x80 sort after ASCII */
  psvc_list *l = NULL;
  ck_assert_int_eq(psvc__list_new(&l), PSVC_OK);
  ck_assert_int_eq(psvc__list_push(l, "\xc3\xa9"), PSVC_OK);
  ck_assert_int_eq(psvc__list_push(l, "z"), PSVC_OK);
  psvc__list_sort(l);
  ck_assert_str_eq(psvc_list_id(l, 0), "z");
  psvc_list_free(l);
}
END_TEST

START_TEST(test_list_push_failure_leaves_list) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  psvc_list *l = NULL;
  fault_alloc_arm(&fa, 1);
  psvc_list *sentinel = (psvc_list *)&fa;
  l = sentinel;
  ck_assert_int_eq(psvc__list_new(&l), PSVC_ENOMEM);
  ck_assert_ptr_eq(l, sentinel);
  fault_alloc_arm(&fa, 0);
  ck_assert_int_eq(psvc__list_new(&l), PSVC_OK);
  for (int i = 0; i < 16; i++) {
    char id[8];
    snprintf(id, sizeof id, "i%d", i);
    ck_assert_int_eq(psvc__list_push(l, id), PSVC_OK);
  }
  /* the 17th needs both a bigger array and a copy: fail each in turn */
  for (long k = 1; k <= 2; k++) {
    fault_alloc_arm(&fa, k);
    ck_assert_int_eq(psvc__list_push(l, "seventeen"), PSVC_ENOMEM);
    ck_assert_uint_eq(psvc_list_count(l), 16);
    ck_assert_str_eq(psvc_list_id(l, 15), "i15");
    ck_assert_ptr_null(psvc_list_id(l, 16));
  }
  fault_alloc_arm(&fa, 0);
  ck_assert_int_eq(psvc__list_push(l, "seventeen"), PSVC_OK);
  ck_assert_str_eq(psvc_list_id(l, 16), "seventeen");
  psvc_list_free(l);
  FAULT_ALLOC_END(&fa);
}
END_TEST

/* ---- allocation helpers (ctx.c) used by everything above ------------------------------------- */

START_TEST(test_alloc_helpers) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  ck_assert_ptr_null(psvc__calloc(SIZE_MAX / 2, 4)); /* overflow: never asks */
  ck_assert_int_eq(fa.total, 0);
  ck_assert_ptr_null(psvc__strdup(NULL));
  ck_assert_int_eq(fa.total, 0);
  unsigned char *p = psvc__calloc(10, 3);
  ck_assert_ptr_nonnull(p);
  for (int i = 0; i < 30; i++)
    ck_assert_int_eq(p[i], 0);
  void *z = psvc__malloc(0); /* a real, distinct block */
  ck_assert_ptr_nonnull(z);
  ck_assert_ptr_ne(z, p);
  void *r = psvc__realloc(NULL, 8); /* a new block */
  ck_assert_int_eq(fa.live_blocks, 3);
  r = psvc__realloc(r, 4000);
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(fa.live_blocks, 3);
  char *d = psvc__strdup("dup");
  ck_assert_str_eq(d, "dup");
  psvc__free(d);
  psvc__free(r);
  psvc__free(z);
  psvc__free(p);
  psvc__free(NULL);
  FAULT_ALLOC_END(&fa);
}
END_TEST

static Suite *util_suite(void) {
  Suite *s = suite_create("util");
  TCase *tc = tcase_create("validation");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_id_every_byte);
  tcase_add_test(tc, test_id_lengths);
  tcase_add_test(tc, test_check_id_and_text_messages);
  tcase_add_test(tc, test_text_controls_and_printables);
  tcase_add_test(tc, test_text_length_limits);
  tcase_add_test(tc, test_utf8_table);
  tcase_add_test(tc, test_utf8_against_reference);
  suite_add_tcase(s, tc);

  tc = tcase_create("map");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_map_empty);
  tcase_add_test(tc, test_map_put_replace_del);
  tcase_add_test(tc, test_map_property_against_reference);
  tcase_add_test(tc, test_map_backward_shift_on_collisions);
  tcase_add_test(tc, test_map_reserve_growth_and_failure);
  suite_add_tcase(s, tc);

  tc = tcase_create("buffers");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_buf_growth_matches_reference);
  tcase_add_test(tc, test_buf_oom_is_sticky_and_keeps_content);
  tcase_add_test(tc, test_list_sort_against_reference);
  tcase_add_test(tc, test_list_push_failure_leaves_list);
  tcase_add_test(tc, test_alloc_helpers);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  printf("test_util: random seed 0x%llx (set PSVC_TEST_SEED to change)\n",
         (unsigned long long)test_seed());
  fflush(stdout);
  return fault_run_suite(util_suite());
}
