/*
 * test_codec.c — lib/codec.c, the stored record format (format version 1):
 * round trips, and a decoder that rejects every malformed record with
 * PSVC_ECORRUPT and a reason, skips unknown fields, and never crashes on
 * any single-byte change of a valid record.
 *
 * Records are built by hand here with a tiny independent writer (header:
 * version byte, kind byte; fields: varint key tag << 3 | wire type, wire
 * type 0 = varint, zigzag for signed numbers; wire type 2 = varint length +
 * bytes).
 */
#include "fault.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  T_ID = 1, T_NAME, T_RELATION, T_TARIFF, T_SOURCES, T_USAGE, T_IMPORTANCE, T_LOAD_CLASS,
  T_SEGMENT, T_AREA, T_VOLTAGE, T_CAPACITY, T_SUPPLY_END, T_SEASON, T_UNIT, T_FEEDER,
  T_PHONE, T_MANAGER
};
enum { WT_VARINT = 0, WT_I64 = 1, WT_BYTES = 2, WT_I32 = 5 };

/* ---- a hand writer for records -------------------------------------------------- */

typedef struct rec {
  unsigned char b[2048];
  size_t n;
} rec;

static void r_byte(rec *r, unsigned v) {
  ck_assert_uint_lt(r->n, sizeof r->b);
  r->b[r->n++] = (unsigned char)v;
}

static void r_varint(rec *r, uint64_t v) {
  do {
    unsigned char c = v & 0x7F;
    v >>= 7;
    r_byte(r, v ? c | 0x80u : c);
  } while (v);
}

static void r_header(rec *r, unsigned version, unsigned kind) {
  r->n = 0;
  r_byte(r, version);
  r_byte(r, kind);
}

static void r_key(rec *r, unsigned tag, unsigned wt) { r_varint(r, (uint64_t)tag << 3 | wt); }

static void r_uint(rec *r, unsigned tag, uint64_t v) {
  r_key(r, tag, WT_VARINT);
  r_varint(r, v);
}

static void r_sint(rec *r, unsigned tag, int64_t v) {
  r_uint(r, tag, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void r_bytes(rec *r, unsigned tag, const void *p, size_t n) {
  r_key(r, tag, WT_BYTES);
  r_varint(r, n);
  ck_assert_uint_le(r->n + n, sizeof r->b);
  memcpy(r->b + r->n, p, n);
  r->n += n;
}

static void r_str(rec *r, unsigned tag, const char *s) { r_bytes(r, tag, s, strlen(s)); }

/* A customer record with an id, and optionally more fields added after. */
static void r_customer(rec *r, const char *id) {
  r_header(r, 1, PSVC_REC_CUSTOMER);
  r_str(r, T_ID, id);
}

/* ---- helpers ------------------------------------------------------------------------ */

static psvc_customer *full(const char *id, int variant) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(fault_customer_full(&c, id, variant), PSVC_OK);
  return c;
}

static void encode(const psvc_customer *c, psvc__buf *b) {
  *b = (psvc__buf){0};
  ck_assert_int_eq(psvc__encode_customer(c, b), PSVC_OK);
  ck_assert(!b->oom);
}

static void assert_same(const psvc_customer *a, const psvc_customer *b) {
  char *x = fault_dump_customer(a), *y = fault_dump_customer(b);
  ck_assert_str_eq(x, y);
  free(x);
  free(y);
}

/* Decoding must fail with PSVC_ECORRUPT and a reason; returns the reason. */
static const char *expect_corrupt(const void *data, size_t len, const char *label) {
  psvc_customer *c = (psvc_customer *)&len;
  const char *why = NULL;
  int rc = psvc__decode_customer(data, len, &c, &why);
  ck_assert_msg(rc == PSVC_ECORRUPT, "%s: rc %d, want PSVC_ECORRUPT", label, rc);
  ck_assert_msg(why != NULL && why[0] != 0, "%s: no reason given", label);
  ck_assert_ptr_eq(c, (psvc_customer *)&len);
  return why;
}

static void expect_corrupt_because(const rec *r, const char *label, const char *reason) {
  const char *why = expect_corrupt(r->b, r->n, label);
  ck_assert_msg(strstr(why, reason) != NULL, "%s: reason '%s', want '%s'", label, why, reason);
}

static psvc_customer *expect_ok(const void *data, size_t len, const char *label) {
  psvc_customer *c = NULL;
  const char *why = NULL;
  int rc = psvc__decode_customer(data, len, &c, &why);
  ck_assert_msg(rc == PSVC_OK, "%s: rc %d (%s)", label, rc, why ? why : "");
  ck_assert_ptr_nonnull(c);
  return c;
}

/* A decoded customer satisfies every setter's rule, and encodes back to a
   record that decodes to the same customer. */
static void assert_valid(const psvc_customer *c) {
  ck_assert_ptr_null(psvc__id_problem(c->id));
  const char *strs[] = {c->name, c->unit, c->feeder, c->phone, c->manager};
  for (size_t i = 0; i < 5; i++)
    if (strs[i]) {
      ck_assert_ptr_null(psvc__text_problem(strs[i], PSVC_TEXT_MAX));
      ck_assert_uint_gt(strlen(strs[i]), 0);
    }
  ck_assert(c->relation == 0 || psvc_enum_name(PSVC_DOM_RELATION, c->relation));
  ck_assert(c->tariff == 0 || psvc_enum_name(PSVC_DOM_TARIFF, c->tariff));
  ck_assert(psvc_enum_name(PSVC_DOM_IMPORTANCE, c->importance));
  ck_assert(c->segment == 0 || psvc_enum_name(PSVC_DOM_SEGMENT, c->segment));
  ck_assert(c->area == 0 || psvc_enum_name(PSVC_DOM_AREA, c->area));
  ck_assert_int_ge(c->load_class, 0);
  ck_assert_int_le(c->load_class, 3);
  ck_assert_uint_eq(c->sources & ~0x1Fu, 0);
  ck_assert_uint_eq(c->usage & ~0x7u, 0);
  ck_assert_uint_eq(c->season & ~0xFFFu, 0);
  ck_assert_int_ge(c->voltage, 0);
  ck_assert_int_ge(c->capacity, 0);
  ck_assert_int_ge(c->supply_end, 0);
  ck_assert_int_le(c->supply_end, PSVC_TIME_MAX);
  psvc__buf b;
  encode(c, &b);
  psvc_customer *d = expect_ok(b.data, b.len, "re-encoded");
  assert_same(c, d);
  psvc_customer_free(d);
  psvc__buf_free(&b);
}

/* ---- round trips --------------------------------------------------------------------- */

START_TEST(test_round_trip_full_customers) {
  for (int v = 0; v < 4; v++) {
    psvc_customer *c = full("RT-1", v);
    psvc__buf b;
    encode(c, &b);
    ck_assert_uint_ge(b.len, 2);
    ck_assert_int_eq(b.data[0], PSVC_FORMAT_VERSION);
    ck_assert_int_eq(b.data[0], 1);
    ck_assert_int_eq(b.data[1], PSVC_REC_CUSTOMER);
    psvc_customer *d = expect_ok(b.data, b.len, "full");
    assert_same(c, d);
    /* encoding is deterministic: the decoded copy encodes to the same bytes */
    psvc__buf b2;
    encode(d, &b2);
    ck_assert_uint_eq(b.len, b2.len);
    ck_assert_mem_eq(b.data, b2.data, b.len);
    psvc__buf_free(&b2);
    psvc__buf_free(&b);
    psvc_customer_free(d);
    psvc_customer_free(c);
  }
}
END_TEST

START_TEST(test_round_trip_minimal_exact_bytes) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, "abc"), PSVC_OK);
  psvc__buf b;
  encode(c, &b);
  /* zero and empty fields are omitted: header + the id field only */
  static const unsigned char want[] = {1, PSVC_REC_CUSTOMER, 0x0A, 3, 'a', 'b', 'c'};
  ck_assert_uint_eq(b.len, sizeof want);
  ck_assert_mem_eq(b.data, want, sizeof want);
  psvc_customer *d = expect_ok(b.data, b.len, "minimal");
  assert_same(c, d);
  psvc_customer_free(d);
  psvc__buf_free(&b);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_round_trip_extremes) {
  char id64[65], s256[257];
  memset(id64, 'z', 64);
  id64[64] = 0;
  memset(s256, 'q', 256);
  s256[256] = 0;
  psvc_customer *c = full(id64, 0);
  ck_assert_int_eq(psvc_customer_set_name(c, s256), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_manager(c, s256), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_voltage(c, INT32_MAX), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_capacity(c, INT32_MAX), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_supply_end(c, PSVC_TIME_MAX), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_season(c, 0xFFF), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, 0x1F), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_GENERAL_COMMERCIAL_INDUSTRIAL),
                   PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_importance(c, PSVC_IMPORTANCE_TEMPORARY), PSVC_OK);
  psvc__buf b;
  encode(c, &b);
  psvc_customer *d = expect_ok(b.data, b.len, "extremes");
  assert_same(c, d);
  psvc_customer_free(d);
  psvc__buf_free(&b);
  psvc_customer_free(c);
}
END_TEST

/* ---- truncation ------------------------------------------------------------------------- */

/* The format has no length or checksum of its own (the store's journal
   checksums records): a record cut exactly between two fields is a valid,
   shorter record. Every other cut is PSVC_ECORRUPT. The field boundaries are
   found independently: the encodings of the customer with its first 1, 2,
   ... fields set (in tag order) are prefixes of the full encoding. */
START_TEST(test_truncated_at_every_length) {
  psvc_customer *c = full("TR-1", 0);
  psvc__buf whole;
  encode(c, &whole);

  psvc_customer *partial[19];
  size_t bound[19];
  size_t nb = 0;
  psvc_customer *p = NULL;
  ck_assert_int_eq(psvc_customer_new(&p, "TR-1"), PSVC_OK);
  for (int tag = T_ID; tag <= T_MANAGER; tag++) {
    int rc = PSVC_OK;
    switch (tag) {
    case T_ID: break;
    case T_NAME: rc = psvc_customer_set_name(p, psvc_customer_name(c)); break;
    case T_RELATION: rc = psvc_customer_set_relation(p, psvc_customer_relation(c)); break;
    case T_TARIFF: rc = psvc_customer_set_tariff(p, psvc_customer_tariff(c)); break;
    case T_SOURCES: rc = psvc_customer_set_sources(p, psvc_customer_sources(c)); break;
    case T_USAGE: rc = psvc_customer_set_usage(p, psvc_customer_usage(c)); break;
    case T_IMPORTANCE: rc = psvc_customer_set_importance(p, psvc_customer_importance(c)); break;
    case T_LOAD_CLASS: rc = psvc_customer_set_load_class(p, psvc_customer_load_class(c)); break;
    case T_SEGMENT: rc = psvc_customer_set_segment(p, psvc_customer_segment(c)); break;
    case T_AREA: rc = psvc_customer_set_area(p, psvc_customer_area(c)); break;
    case T_VOLTAGE: rc = psvc_customer_set_voltage(p, psvc_customer_voltage(c)); break;
    case T_CAPACITY: rc = psvc_customer_set_capacity(p, psvc_customer_capacity(c)); break;
    case T_SUPPLY_END: rc = psvc_customer_set_supply_end(p, psvc_customer_supply_end(c)); break;
    case T_SEASON: rc = psvc_customer_set_season(p, psvc_customer_season(c)); break;
    case T_UNIT: rc = psvc_customer_set_unit(p, psvc_customer_unit(c)); break;
    case T_FEEDER: rc = psvc_customer_set_feeder(p, psvc_customer_feeder(c)); break;
    case T_PHONE: rc = psvc_customer_set_phone(p, psvc_customer_phone(c)); break;
    default: rc = psvc_customer_set_manager(p, psvc_customer_manager(c)); break;
    }
    ck_assert_msg(rc == PSVC_OK, "tag %d: %s", tag, psvc_errmsg(NULL));
    psvc__buf pb;
    encode(p, &pb);
    ck_assert_msg(pb.len <= whole.len && memcmp(pb.data, whole.data, pb.len) == 0,
                  "fields are not written in tag order (tag %d)", tag);
    bound[nb] = pb.len;
    ck_assert_int_eq(psvc_customer_clone(p, &partial[nb]), PSVC_OK);
    nb++;
    psvc__buf_free(&pb);
  }
  ck_assert_uint_eq(bound[nb - 1], whole.len);
  psvc_customer_free(p);

  for (size_t len = 0; len < whole.len; len++) {
    /* a fresh copy of exactly len bytes, so ASan sees any over-read */
    unsigned char *cut = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(cut);
    memcpy(cut, whole.data, len);
    size_t at = nb;
    for (size_t i = 0; i < nb; i++)
      if (bound[i] == len)
        at = i;
    char label[32];
    snprintf(label, sizeof label, "cut at %zu", len);
    if (at < nb) {
      psvc_customer *d = expect_ok(cut, len, label);
      assert_same(d, partial[at]);
      psvc_customer_free(d);
    } else {
      expect_corrupt(cut, len, label);
    }
    free(cut);
  }
  for (size_t i = 0; i < nb; i++)
    psvc_customer_free(partial[i]);
  psvc__buf_free(&whole);
  psvc_customer_free(c);
}
END_TEST

/* ---- malformed records ------------------------------------------------------------------- */

START_TEST(test_wrong_version_byte) {
  static const unsigned versions[] = {0, 2, 0x7F, 0xFF};
  for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
    rec r;
    r_header(&r, versions[i], PSVC_REC_CUSTOMER);
    r_str(&r, T_ID, "V1");
    expect_corrupt_because(&r, "version", "version");
  }
}
END_TEST

START_TEST(test_wrong_kind) {
  static const unsigned kinds[] = {0, PSVC_REC_META, PSVC_REC_ORDER, PSVC_REC_EVENT, 0xFF};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    rec r;
    r_header(&r, 1, kinds[i]);
    r_str(&r, T_ID, "K1");
    expect_corrupt_because(&r, "kind", "kind");
  }
}
END_TEST

START_TEST(test_short_header_and_null_data) {
  static const unsigned char one[] = {1};
  expect_corrupt(one, 1, "one byte");
  expect_corrupt(one, 0, "empty");
  expect_corrupt(NULL, 0, "NULL, 0");
  expect_corrupt(NULL, 16, "NULL, 16");
  rec r;
  r_header(&r, 1, PSVC_REC_CUSTOMER); /* header only: no id */
  expect_corrupt_because(&r, "header only", "no id");
}
END_TEST

START_TEST(test_repeated_tag) {
  rec r;
  r_customer(&r, "R1");
  r_str(&r, T_ID, "R2");
  expect_corrupt_because(&r, "id twice", "repeated");

  r_customer(&r, "R1");
  r_str(&r, T_NAME, "a");
  r_str(&r, T_NAME, "a");
  expect_corrupt_because(&r, "name twice", "repeated");

  r_customer(&r, "R1");
  r_uint(&r, T_RELATION, 1);
  r_uint(&r, T_TARIFF, 3);
  r_uint(&r, T_RELATION, 1);
  expect_corrupt_because(&r, "relation twice", "repeated");
}
END_TEST

START_TEST(test_bad_wire_type) {
  /* wire types other than 0 and 2 are unknown, on known and unknown tags */
  static const unsigned wts[] = {1, 3, 4, 5, 6, 7};
  for (size_t i = 0; i < sizeof wts / sizeof wts[0]; i++) {
    rec r;
    r_customer(&r, "W1");
    r_key(&r, T_RELATION, wts[i]);
    r_varint(&r, 1);
    expect_corrupt_because(&r, "known tag", "wire type");
    r_customer(&r, "W1");
    r_key(&r, 40, wts[i]);
    r_varint(&r, 1);
    expect_corrupt_because(&r, "unknown tag", "wire type");
  }
  /* a known field with the other valid wire type */
  rec r;
  r_customer(&r, "W1");
  r_bytes(&r, T_RELATION, "\x01", 1);
  expect_corrupt_because(&r, "relation as bytes", "wrong wire type");
  r_customer(&r, "W1");
  r_uint(&r, T_NAME, 5);
  expect_corrupt_because(&r, "name as varint", "wrong wire type");
  r_header(&r, 1, PSVC_REC_CUSTOMER);
  r_uint(&r, T_ID, 5);
  expect_corrupt_because(&r, "id as varint", "wrong wire type");
  r_customer(&r, "W1");
  r_bytes(&r, T_VOLTAGE, "\x02", 1);
  expect_corrupt_because(&r, "voltage as bytes", "wrong wire type");
}
END_TEST

START_TEST(test_bad_tags_and_varints) {
  rec r;
  r_customer(&r, "G1");
  r_key(&r, 0, WT_VARINT);
  r_varint(&r, 1);
  expect_corrupt_because(&r, "tag 0", "tag");

  r_customer(&r, "G1");
  r_key(&r, 64, WT_VARINT);
  r_varint(&r, 1);
  expect_corrupt_because(&r, "tag 64", "tag");

  r_customer(&r, "G1");
  r_key(&r, T_VOLTAGE, WT_VARINT);
  for (int i = 0; i < 9; i++)
    r_byte(&r, 0xFF);
  r_byte(&r, 0x02); /* bit 64 */
  expect_corrupt_because(&r, "65-bit varint", "varint");

  r_customer(&r, "G1");
  r_key(&r, T_VOLTAGE, WT_VARINT);
  for (int i = 0; i < 11; i++)
    r_byte(&r, 0x80);
  expect_corrupt_because(&r, "11-byte varint", "varint");

  r_customer(&r, "G1");
  r_key(&r, T_NAME, WT_BYTES);
  r_varint(&r, 10); /* length past the end */
  r_byte(&r, 'a');
  expect_corrupt_because(&r, "length past the end", "past the record");

  r_customer(&r, "G1");
  r_key(&r, T_NAME, WT_BYTES);
  r_varint(&r, UINT64_MAX);
  expect_corrupt_because(&r, "huge length", "past the record");
}
END_TEST

START_TEST(test_out_of_range_values) {
  static const struct {
    unsigned tag;
    uint64_t raw; /* the varint as stored (zigzag already applied for signed) */
    const char *label;
  } bad[] = {
      {T_RELATION, 0, "relation 0"},
      {T_RELATION, 4, "relation 4"},
      {T_RELATION, 0x10001, "relation 65537"},
      {T_RELATION, ((uint64_t)1 << 32) | 1, "relation 2^32+1"},
      {T_TARIFF, 9, "tariff 9"},
      {T_IMPORTANCE, 5, "importance 5"},
      {T_SEGMENT, 0, "segment 0"},
      {T_SEGMENT, 4, "segment 4"},
      {T_AREA, 4, "area 4"},
      {T_LOAD_CLASS, 0, "load class 0"},
      {T_LOAD_CLASS, 4, "load class 4"},
      {T_LOAD_CLASS, UINT64_MAX, "load class huge"},
      {T_SOURCES, 0x20, "sources 0x20"},
      {T_SOURCES, (uint64_t)1 << 40, "sources bit 40"},
      {T_USAGE, 8, "usage 8"},
      {T_SEASON, 0x1000, "season 0x1000"},
      {T_VOLTAGE, 1, "voltage -1"},                        /* zigzag(-1) */
      {T_VOLTAGE, (uint64_t)INT32_MAX * 2 + 2, "voltage 2^31"},
      {T_CAPACITY, 3, "capacity -2"},
      {T_CAPACITY, UINT64_MAX - 1, "capacity INT64_MAX"},
      {T_SUPPLY_END, 1, "supply end -1"},
      {T_SUPPLY_END, (uint64_t)(PSVC_TIME_MAX + 1) * 2, "supply end past 9999"},
      {T_SUPPLY_END, UINT64_MAX, "supply end INT64_MIN"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rec r;
    r_customer(&r, "O1");
    r_uint(&r, bad[i].tag, bad[i].raw);
    expect_corrupt(r.b, r.n, bad[i].label);
  }
  /* and the extremes that are in range decode */
  rec r;
  r_customer(&r, "O1");
  r_uint(&r, T_IMPORTANCE, 0); /* NONE, stored explicitly */
  r_sint(&r, T_VOLTAGE, INT32_MAX);
  r_sint(&r, T_SUPPLY_END, PSVC_TIME_MAX);
  r_uint(&r, T_SEASON, 0xFFF);
  psvc_customer *c = expect_ok(r.b, r.n, "in range");
  ck_assert_int_eq(psvc_customer_voltage(c), INT32_MAX);
  ck_assert_int_eq(psvc_customer_supply_end(c), PSVC_TIME_MAX);
  ck_assert_uint_eq(psvc_customer_season(c), 0xFFF);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_bad_strings) {
  char s257[257], id65[65];
  memset(s257, 'x', 257);
  memset(id65, 'i', 65);
  static const struct {
    unsigned tag;
    const char *bytes;
    size_t len;
    const char *label;
  } bad[] = {
      {T_NAME, "", 0, "empty name"},
      {T_NAME, "a\0b", 3, "NUL inside"},
      {T_NAME, "ab\0", 3, "NUL at the end"},
      {T_NAME, "\xc3\x28", 2, "bad UTF-8"},
      {T_NAME, "\xe4\xb8", 2, "truncated UTF-8"},
      {T_NAME, "\xed\xa0\x80", 3, "surrogate"},
      {T_NAME, "\xc0\xaf", 2, "overlong"},
      {T_UNIT, "tab\t", 4, "control char"},
      {T_FEEDER, "\x7f", 1, "DEL"},
      {T_PHONE, "\n", 1, "newline"},
      {T_PHONE, "\xc2\x9b", 2, "C1 control"},
      {T_MANAGER, "\xff", 1, "0xFF"},
      {T_ID, "", 0, "empty id"},
      {T_ID, "a b", 3, "id with space"},
      {T_ID, "\xc3\xa9", 2, "id not ASCII"},
      {T_ID, "a\0", 2, "id with NUL"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rec r;
    r_header(&r, 1, PSVC_REC_CUSTOMER);
    if (bad[i].tag != T_ID)
      r_str(&r, T_ID, "S1");
    r_bytes(&r, bad[i].tag, bad[i].bytes, bad[i].len);
    expect_corrupt(r.b, r.n, bad[i].label);
  }
  rec r;
  r_customer(&r, "S1");
  r_bytes(&r, T_NAME, s257, sizeof s257);
  expect_corrupt(r.b, r.n, "name of 257 bytes");
  r_header(&r, 1, PSVC_REC_CUSTOMER);
  r_bytes(&r, T_ID, id65, sizeof id65);
  expect_corrupt(r.b, r.n, "id of 65 bytes");
  r_customer(&r, "S1");
  r_bytes(&r, T_NAME, s257, 256);
  psvc_customer *c = expect_ok(r.b, r.n, "name of 256 bytes");
  ck_assert_uint_eq(strlen(psvc_customer_name(c)), 256);
  psvc_customer_free(c);
}
END_TEST

START_TEST(test_missing_id) {
  rec r;
  r_header(&r, 1, PSVC_REC_CUSTOMER);
  r_str(&r, T_NAME, "nameless");
  r_uint(&r, T_RELATION, 1);
  expect_corrupt_because(&r, "no id", "no id");
}
END_TEST

START_TEST(test_unknown_tags_skipped) {
  psvc_customer *c = full("U1", 0);
  psvc__buf b;
  encode(c, &b);
  rec r;
  ck_assert_uint_le(b.len, sizeof r.b - 64);
  memcpy(r.b, b.data, b.len);
  r.n = b.len;
  /* fields of a later minor version: varint and bytes, repeated too */
  r_uint(&r, 19, 7);
  r_str(&r, 40, "future text");
  r_uint(&r, 63, UINT64_MAX);
  r_str(&r, 40, "more future text");
  r_bytes(&r, 41, "\0\xff", 2); /* not text: an unknown field's bytes are opaque */
  psvc_customer *d = expect_ok(r.b, r.n, "unknown appended");
  assert_same(c, d);
  psvc_customer_free(d);

  /* an unknown field between known ones */
  r_customer(&r, "U2");
  r_uint(&r, 30, 1);
  r_str(&r, T_NAME, "between");
  d = expect_ok(r.b, r.n, "unknown in the middle");
  ck_assert_str_eq(psvc_customer_name(d), "between");
  psvc_customer_free(d);
  psvc__buf_free(&b);
  psvc_customer_free(c);
}
END_TEST

/* Every single-byte change of a valid record, at every position and to every
   value, decodes to a valid customer or is PSVC_ECORRUPT with a reason. */
START_TEST(test_every_byte_flip_is_safe) {
  for (int v = 0; v < 4; v++) {
    psvc_customer *c = full("FLIP-1", v);
    psvc__buf b;
    encode(c, &b);
    unsigned char *copy = malloc(b.len);
    ck_assert_ptr_nonnull(copy);
    size_t ok = 0, corrupt = 0;
    for (size_t i = 0; i < b.len; i++) {
      for (unsigned x = 0; x < 256; x++) {
        if (x == b.data[i])
          continue;
        memcpy(copy, b.data, b.len);
        copy[i] = (unsigned char)x;
        psvc_customer *d = NULL;
        const char *why = NULL;
        int rc = psvc__decode_customer(copy, b.len, &d, &why);
        if (rc == PSVC_OK) {
          assert_valid(d);
          psvc_customer_free(d);
          ok++;
        } else {
          ck_assert_msg(rc == PSVC_ECORRUPT, "byte %zu = 0x%02x: rc %d", i, x, rc);
          ck_assert_msg(why && why[0], "byte %zu = 0x%02x: no reason", i, x);
          corrupt++;
        }
      }
    }
    /* both outcomes occur (a changed letter of the name is still valid) */
    ck_assert_uint_gt(ok, 0);
    ck_assert_uint_gt(corrupt, 0);
    free(copy);
    psvc__buf_free(&b);
    psvc_customer_free(c);
  }
}
END_TEST

/* Random bytes behind a valid header: never a crash, never anything but OK
   (a valid customer) or ECORRUPT. Fixed seed, printed on failure. */
static uint64_t rng_next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

START_TEST(test_random_records_are_safe) {
  const uint64_t seed = 0x5eed2026c0dec0deull;
  uint64_t s = seed;
  for (int iter = 0; iter < 20000; iter++) {
    unsigned char buf[48];
    size_t len = (size_t)(rng_next(&s) % sizeof buf);
    for (size_t i = 0; i < len; i++)
      buf[i] = (unsigned char)rng_next(&s);
    if (len >= 2) {
      buf[0] = 1;
      buf[1] = PSVC_REC_CUSTOMER;
    }
    if (len >= 4 && iter % 2) { /* half of them start with a valid id field */
      buf[2] = 0x0A;
      buf[3] = 1;
      if (len >= 5)
        buf[4] = 'r';
    }
    unsigned char *exact = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, buf, len);
    psvc_customer *d = NULL;
    const char *why = NULL;
    int rc = psvc__decode_customer(exact, len, &d, &why);
    ck_assert_msg(rc == PSVC_OK || rc == PSVC_ECORRUPT, "seed 0x%llx iter %d: rc %d",
                  (unsigned long long)seed, iter, rc);
    if (rc == PSVC_OK) {
      assert_valid(d);
      psvc_customer_free(d);
    } else {
      ck_assert_msg(why != NULL, "seed 0x%llx iter %d: no reason", (unsigned long long)seed,
                    iter);
    }
    free(exact);
  }
}
END_TEST

/* ---- out of memory --------------------------------------------------------------------------- */

START_TEST(test_decode_alloc_failure_every_k) {
  psvc__buf b;
  {
    psvc_customer *c = full("OOM-1", 0);
    encode(c, &b);
    psvc_customer_free(c);
  }
  /* copy to libc memory: the counting allocator must start with nothing alive */
  unsigned char *data = malloc(b.len);
  ck_assert_ptr_nonnull(data);
  size_t len = b.len;
  memcpy(data, b.data, len);
  psvc__buf_free(&b);

  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  psvc_customer *d = NULL;
  const char *why = NULL;
  fault_alloc_arm(&fa, 0);
  ck_assert_int_eq(psvc__decode_customer(data, len, &d, &why), PSVC_OK);
  long n = fa.count;
  ck_assert_int_ge(n, 7); /* the object and its six strings */
  psvc_customer_free(d);
  for (long k = 1; k <= n; k++) {
    fault_alloc_arm(&fa, k);
    d = (psvc_customer *)&fa;
    ck_assert_msg(psvc__decode_customer(data, len, &d, &why) == PSVC_ENOMEM, "k=%ld", k);
    ck_assert_ptr_eq(d, (psvc_customer *)&fa);
    ck_assert_msg(fa.live_blocks == 0, "k=%ld: %ld blocks leaked", k, fa.live_blocks);
  }
  free(data);
  FAULT_ALLOC_END(&fa);
}
END_TEST

START_TEST(test_encode_alloc_failure) {
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  psvc_customer *c = full("OOM-2", 0);
  psvc__buf b = {0};
  fault_alloc_arm(&fa, 1);
  ck_assert_int_eq(psvc__encode_customer(c, &b), PSVC_ENOMEM);
  ck_assert(b.oom);
  ck_assert_uint_eq(b.len, 0);
  psvc__buf_free(&b);
  /* a long record needs the buffer to grow: fail the growth */
  char s256[257];
  memset(s256, 'g', 256);
  s256[256] = 0;
  ck_assert_int_eq(psvc_customer_set_name(c, s256), PSVC_OK);
  fault_alloc_arm(&fa, 2);
  b = (psvc__buf){0};
  ck_assert_int_eq(psvc__encode_customer(c, &b), PSVC_ENOMEM);
  ck_assert(b.oom);
  psvc__buf_free(&b);
  psvc_customer_free(c);
  FAULT_ALLOC_END(&fa);
}
END_TEST

/* ---- meta record ------------------------------------------------------------------------------- */

START_TEST(test_meta_round_trip) {
  psvc__buf b = {0};
  ck_assert_int_eq(psvc__encode_meta(&b), PSVC_OK);
  ck_assert_uint_ge(b.len, 4);
  ck_assert_int_eq(b.data[0], 1);
  ck_assert_int_eq(b.data[1], PSVC_REC_META);
  uint32_t format = 0;
  ck_assert_int_eq(psvc__decode_meta(b.data, b.len, &format), PSVC_OK);
  ck_assert_uint_eq(format, PSVC_FORMAT_VERSION);
  /* the writer's name is recorded */
  bool found = false;
  for (size_t i = 0; i + 11 <= b.len && !found; i++)
    found = memcmp(b.data + i, "libpowersvc", 11) == 0;
  ck_assert(found);
  psvc__buf_free(&b);
}
END_TEST

START_TEST(test_meta_decode_rejects) {
  uint32_t format = 77;
  rec r;
  ck_assert_int_eq(psvc__decode_meta(NULL, 0, &format), PSVC_ECORRUPT);
  ck_assert_int_eq(psvc__decode_meta(NULL, 8, &format), PSVC_ECORRUPT);
  static const unsigned char one[] = {1};
  ck_assert_int_eq(psvc__decode_meta(one, 1, &format), PSVC_ECORRUPT);

  r_header(&r, 1, PSVC_REC_CUSTOMER); /* wrong kind */
  r_uint(&r, 1, 1);
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_ECORRUPT);

  r_header(&r, 1, PSVC_REC_META); /* no format field */
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_ECORRUPT);
  r_str(&r, 2, "writer only");
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_ECORRUPT);

  r_header(&r, 1, PSVC_REC_META); /* format 0 */
  r_uint(&r, 1, 0);
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_ECORRUPT);

  r_header(&r, 1, PSVC_REC_META); /* format beyond 32 bits */
  r_uint(&r, 1, (uint64_t)UINT32_MAX + 1);
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_ECORRUPT);

  r_header(&r, 1, PSVC_REC_META); /* format as bytes */
  r_bytes(&r, 1, "\x01", 1);
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_ECORRUPT);

  r_header(&r, 1, PSVC_REC_META); /* truncated field */
  r_key(&r, 1, WT_VARINT);
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_ECORRUPT);

  r_header(&r, 1, PSVC_REC_META); /* bad wire type */
  r_key(&r, 1, WT_I32);
  r_varint(&r, 1);
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_ECORRUPT);

  /* every truncation of the real meta record but the header+format prefix */
  psvc__buf b = {0};
  ck_assert_int_eq(psvc__encode_meta(&b), PSVC_OK);
  for (size_t len = 0; len < b.len; len++) {
    unsigned char *cut = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(cut);
    memcpy(cut, b.data, len);
    int rc = psvc__decode_meta(cut, len, &format);
    if (len == 4) /* header + format field: a complete meta record */
      ck_assert_int_eq(rc, PSVC_OK);
    else
      ck_assert_msg(rc == PSVC_ECORRUPT, "meta cut at %zu: rc %d", len, rc);
    free(cut);
  }
  psvc__buf_free(&b);
}
END_TEST

START_TEST(test_meta_decode_accepts_future) {
  /* a later format announces itself (the context rejects it, test_ctx);
     unknown meta fields are skipped */
  rec r;
  r_header(&r, 2, PSVC_REC_META);
  r_uint(&r, 1, 2);
  r_str(&r, 2, "libpowersvc 2.0.0");
  r_uint(&r, 9, 12345);
  uint32_t format = 0;
  ck_assert_int_eq(psvc__decode_meta(r.b, r.n, &format), PSVC_OK);
  ck_assert_uint_eq(format, 2);
}
END_TEST

static Suite *codec_suite(void) {
  Suite *s = suite_create("codec");
  TCase *tc = tcase_create("customer");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_round_trip_full_customers);
  tcase_add_test(tc, test_round_trip_minimal_exact_bytes);
  tcase_add_test(tc, test_round_trip_extremes);
  tcase_add_test(tc, test_truncated_at_every_length);
  tcase_add_test(tc, test_wrong_version_byte);
  tcase_add_test(tc, test_wrong_kind);
  tcase_add_test(tc, test_short_header_and_null_data);
  tcase_add_test(tc, test_repeated_tag);
  tcase_add_test(tc, test_bad_wire_type);
  tcase_add_test(tc, test_bad_tags_and_varints);
  tcase_add_test(tc, test_out_of_range_values);
  tcase_add_test(tc, test_bad_strings);
  tcase_add_test(tc, test_missing_id);
  tcase_add_test(tc, test_unknown_tags_skipped);
  tcase_add_test(tc, test_every_byte_flip_is_safe);
  tcase_add_test(tc, test_random_records_are_safe);
  tcase_add_test(tc, test_decode_alloc_failure_every_k);
  tcase_add_test(tc, test_encode_alloc_failure);
  suite_add_tcase(s, tc);

  tc = tcase_create("meta");
  tcase_add_test(tc, test_meta_round_trip);
  tcase_add_test(tc, test_meta_decode_rejects);
  tcase_add_test(tc, test_meta_decode_accepts_future);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return fault_run_suite(codec_suite()); }
