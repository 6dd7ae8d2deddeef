/*
 * codec.c — the stored record format (docs/storage.md, format version 1).
 *
 * A record is what the library hands a store's put callback: a two-byte
 * header (format version, record kind) followed by fields. Each field is a
 * varint key (tag << 3 | wire type) and a value: wire type 0 is a varint
 * (signed numbers zigzag-encoded), wire type 2 is a varint length and that
 * many bytes. Fields whose value is zero or empty are omitted. A reader
 * skips tags it does not know, so later minor versions can add fields;
 * everything it does know is validated exactly as the setters validate it,
 * and anything else (truncation, a repeated known tag, an out-of-range value,
 * bad UTF-8, a wrong header) is PSVC_ECORRUPT with a reason: stored data is
 * never trusted.
 */
#include "internal.h"

#include <string.h>

enum { WT_VARINT = 0, WT_BYTES = 2 };

/* ---- writing ------------------------------------------------------------------ */

static void put_varint(psvc__buf *b, uint64_t v) {
  unsigned char tmp[10];
  size_t n = 0;
  do {
    tmp[n] = (unsigned char)(v & 0x7F);
    v >>= 7;
    if (v)
      tmp[n] |= 0x80;
    n++;
  } while (v);
  psvc__buf_put(b, tmp, n);
}

static uint64_t zigzag(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static void put_uint(psvc__buf *b, unsigned tag, uint64_t v) {
  if (!v)
    return;
  put_varint(b, (uint64_t)tag << 3 | WT_VARINT);
  put_varint(b, v);
}

static void put_int(psvc__buf *b, unsigned tag, int64_t v) {
  if (v)
    put_uint(b, tag, zigzag(v));
}

static void put_str(psvc__buf *b, unsigned tag, const char *s) {
  if (!s || !*s)
    return;
  size_t n = strlen(s);
  put_varint(b, (uint64_t)tag << 3 | WT_BYTES);
  put_varint(b, n);
  psvc__buf_put(b, s, n);
}

static void put_header(psvc__buf *b, int kind) {
  psvc__buf_byte(b, PSVC_FORMAT_VERSION);
  psvc__buf_byte(b, (unsigned char)kind);
}

/* ---- reading ------------------------------------------------------------------- */

typedef struct reader {
  const unsigned char *p, *end;
  const char *why; /* first problem found */
} reader;

static bool bad(reader *r, const char *why) {
  if (!r->why)
    r->why = why;
  return false;
}

static bool get_varint(reader *r, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (r->p >= r->end)
      return bad(r, "truncated varint");
    unsigned char c = *r->p++;
    if (shift == 63 && c > 1)
      return bad(r, "varint overflows 64 bits");
    x |= (uint64_t)(c & 0x7F) << shift;
    if (!(c & 0x80)) {
      *v = x;
      return true;
    }
  }
  return bad(r, "varint longer than 10 bytes");
}

static bool get_header(reader *r, int kind) {
  if (r->end - r->p < 2)
    return bad(r, "record shorter than its header");
  if (r->p[0] != PSVC_FORMAT_VERSION)
    return bad(r, "unknown record format version");
  if (r->p[1] != kind)
    return bad(r, "record kind does not match");
  r->p += 2;
  return true;
}

/* One decoded field: tag, wire type, and the value (number or bytes). */
typedef struct field {
  unsigned tag;
  int wt;
  uint64_t num;
  const unsigned char *bytes;
  size_t len;
} field;

static bool next_field(reader *r, field *f) {
  uint64_t key;
  if (!get_varint(r, &key))
    return false;
  if (key >> 3 == 0 || key >> 3 > 63)
    return bad(r, "field tag out of range");
  f->tag = (unsigned)(key >> 3);
  f->wt = (int)(key & 7);
  if (f->wt == WT_VARINT)
    return get_varint(r, &f->num);
  if (f->wt != WT_BYTES)
    return bad(r, "unknown wire type");
  uint64_t len;
  if (!get_varint(r, &len))
    return false;
  if (len > (uint64_t)(r->end - r->p))
    return bad(r, "field length runs past the record");
  f->bytes = r->p;
  f->len = (size_t)len;
  r->p += len;
  return true;
}

/* Marks tag as seen; a repeated known tag is corrupt. Tags above `last_known`
   belong to later minor versions and are not tracked: a later version may
   well repeat them. */
static bool first_time(reader *r, uint64_t *seen, unsigned tag, unsigned last_known) {
  if (tag > last_known)
    return true;
  uint64_t bit = 1ull << tag;
  if (*seen & bit)
    return bad(r, "field repeated");
  *seen |= bit;
  return true;
}

static bool want(reader *r, const field *f, int wt) {
  return f->wt == wt || bad(r, "field has the wrong wire type");
}

/* Copies a text field of at most max bytes after validating it (notes and
   summaries may hold line breaks). */
static bool take_text(reader *r, const field *f, char **dst, size_t max, int *nomem) {
  if (!want(r, f, WT_BYTES))
    return false;
  if (f->len == 0 || f->len > max || memchr(f->bytes, 0, f->len))
    return bad(r, "string field empty, too long or holds a NUL");
  char *s = psvc__malloc(f->len + 1);
  if (!s) {
    *nomem = 1;
    return false;
  }
  memcpy(s, f->bytes, f->len);
  s[f->len] = 0;
  if (max == PSVC__NOTE_MAX ? psvc__note_problem(s) : psvc__text_problem(s, max)) {
    psvc__free(s);
    return bad(r, "invalid text");
  }
  psvc__free(*dst);
  *dst = s;
  return true;
}

/* Copies a text field after validating it (id rules or text rules). */
static bool take_str(reader *r, const field *f, char **dst, bool is_id, int *nomem) {
  if (!is_id)
    return take_text(r, f, dst, PSVC_TEXT_MAX, nomem);
  if (!want(r, f, WT_BYTES))
    return false;
  if (f->len == 0 || f->len > PSVC_ID_MAX || memchr(f->bytes, 0, f->len))
    return bad(r, "string field empty, too long or holds a NUL");
  char *s = psvc__malloc(f->len + 1);
  if (!s) {
    *nomem = 1;
    return false;
  }
  memcpy(s, f->bytes, f->len);
  s[f->len] = 0;
  if (psvc__id_problem(s)) {
    psvc__free(s);
    return bad(r, "invalid id");
  }
  psvc__free(*dst);
  *dst = s;
  return true;
}

static bool take_enum(reader *r, const field *f, int domain, int *dst) {
  if (!want(r, f, WT_VARINT))
    return false;
  if (f->num > 0xFFFF || !psvc_enum_name(domain, (int)f->num))
    return bad(r, "enum value out of range");
  *dst = (int)f->num;
  return true;
}

static bool take_flags(reader *r, const field *f, unsigned allowed, unsigned *dst) {
  if (!want(r, f, WT_VARINT))
    return false;
  if (f->num & ~(uint64_t)allowed)
    return bad(r, "unknown flag bits");
  *dst = (unsigned)f->num;
  return true;
}

static bool take_range(reader *r, const field *f, int64_t lo, int64_t hi, int64_t *dst) {
  if (!want(r, f, WT_VARINT))
    return false;
  int64_t v = unzigzag(f->num);
  if (v < lo || v > hi)
    return bad(r, "number out of range");
  *dst = v;
  return true;
}

/* ---- meta record ------------------------------------------------------------------ */

enum { META_FORMAT = 1, META_WRITER = 2 };

int psvc__encode_meta(psvc__buf *b) {
  put_header(b, PSVC_REC_META);
  put_uint(b, META_FORMAT, PSVC_FORMAT_VERSION);
  put_str(b, META_WRITER, "libpowersvc " PSVC_VERSION_STRING);
  return b->oom ? PSVC_ENOMEM : PSVC_OK;
}

int psvc__decode_meta(const void *data, size_t len, uint32_t *format) {
  if (!data) /* before any pointer arithmetic: NULL + len is undefined */
    return PSVC_ECORRUPT;
  reader r = {data, (const unsigned char *)data + len, NULL};
  /* the meta header carries the version of the format it announces, so
     only the kind is checked here and the version comes from the field */
  if (len < 2 || r.p[1] != PSVC_REC_META)
    return PSVC_ECORRUPT;
  r.p += 2;
  *format = 0;
  while (r.p < r.end) {
    field f;
    if (!next_field(&r, &f))
      return PSVC_ECORRUPT;
    if (f.tag == META_FORMAT) {
      if (f.wt != WT_VARINT || f.num > UINT32_MAX)
        return PSVC_ECORRUPT;
      *format = (uint32_t)f.num;
    }
  }
  return *format ? PSVC_OK : PSVC_ECORRUPT;
}

/* ---- customer record ---------------------------------------------------------------- */

enum {
  CU_ID = 1, CU_NAME, CU_RELATION, CU_TARIFF, CU_SOURCES, CU_USAGE, CU_IMPORTANCE,
  CU_LOAD_CLASS, CU_SEGMENT, CU_AREA, CU_VOLTAGE, CU_CAPACITY, CU_SUPPLY_END,
  CU_SEASON, CU_UNIT, CU_FEEDER, CU_PHONE, CU_MANAGER
};

int psvc__encode_customer(const psvc_customer *c, psvc__buf *b) {
  put_header(b, PSVC_REC_CUSTOMER);
  put_str(b, CU_ID, c->id);
  put_str(b, CU_NAME, c->name);
  put_uint(b, CU_RELATION, (uint64_t)c->relation);
  put_uint(b, CU_TARIFF, (uint64_t)c->tariff);
  put_uint(b, CU_SOURCES, c->sources);
  put_uint(b, CU_USAGE, c->usage);
  put_uint(b, CU_IMPORTANCE, (uint64_t)c->importance);
  put_uint(b, CU_LOAD_CLASS, (uint64_t)c->load_class);
  put_uint(b, CU_SEGMENT, (uint64_t)c->segment);
  put_uint(b, CU_AREA, (uint64_t)c->area);
  put_int(b, CU_VOLTAGE, c->voltage);
  put_int(b, CU_CAPACITY, c->capacity);
  put_int(b, CU_SUPPLY_END, c->supply_end);
  put_uint(b, CU_SEASON, c->season);
  put_str(b, CU_UNIT, c->unit);
  put_str(b, CU_FEEDER, c->feeder);
  put_str(b, CU_PHONE, c->phone);
  put_str(b, CU_MANAGER, c->manager);
  return b->oom ? PSVC_ENOMEM : PSVC_OK;
}

static bool customer_field(reader *r, const field *f, psvc_customer *c, int *nomem) {
  int64_t v;
  switch (f->tag) {
  case CU_ID: return take_str(r, f, &c->id, true, nomem);
  case CU_NAME: return take_str(r, f, &c->name, false, nomem);
  case CU_UNIT: return take_str(r, f, &c->unit, false, nomem);
  case CU_FEEDER: return take_str(r, f, &c->feeder, false, nomem);
  case CU_PHONE: return take_str(r, f, &c->phone, false, nomem);
  case CU_MANAGER: return take_str(r, f, &c->manager, false, nomem);
  case CU_RELATION: return take_enum(r, f, PSVC_DOM_RELATION, &c->relation);
  case CU_TARIFF: return take_enum(r, f, PSVC_DOM_TARIFF, &c->tariff);
  case CU_IMPORTANCE: return take_enum(r, f, PSVC_DOM_IMPORTANCE, &c->importance);
  case CU_SEGMENT: return take_enum(r, f, PSVC_DOM_SEGMENT, &c->segment);
  case CU_AREA: return take_enum(r, f, PSVC_DOM_AREA, &c->area);
  case CU_SOURCES: return take_flags(r, f, 0x1F, &c->sources);
  case CU_USAGE: return take_flags(r, f, 0x7, &c->usage);
  case CU_SEASON: return take_flags(r, f, 0xFFF, &c->season);
  case CU_LOAD_CLASS:
    if (!want(r, f, WT_VARINT))
      return false;
    if (f->num < 1 || f->num > 3)
      return bad(r, "load class out of range");
    c->load_class = (int)f->num;
    return true;
  case CU_VOLTAGE:
    if (!take_range(r, f, 0, INT32_MAX, &v))
      return false;
    c->voltage = (int32_t)v;
    return true;
  case CU_CAPACITY:
    if (!take_range(r, f, 0, INT32_MAX, &v))
      return false;
    c->capacity = (int32_t)v;
    return true;
  case CU_SUPPLY_END:
    return take_range(r, f, 0, PSVC_TIME_MAX, &c->supply_end);
  default:
    return true; /* a field of a later minor version: skipped */
  }
}

int psvc__decode_customer(const void *data, size_t len, psvc_customer **out,
                          const char **why) {
  if (!data) /* before any pointer arithmetic: NULL + len is undefined */
    return *why = "no data", PSVC_ECORRUPT;
  reader r = {data, (const unsigned char *)data + len, NULL};
  if (!get_header(&r, PSVC_REC_CUSTOMER))
    return *why = r.why, PSVC_ECORRUPT;
  psvc_customer *c = psvc__calloc(1, sizeof *c);
  if (!c)
    return PSVC_ENOMEM;
  uint64_t seen = 0;
  int nomem = 0;
  while (r.p < r.end) {
    field f;
    if (!next_field(&r, &f) || !first_time(&r, &seen, f.tag, CU_MANAGER) ||
        !customer_field(&r, &f, c, &nomem))
      break;
  }
  if (!nomem && !r.why && !c->id)
    bad(&r, "customer record has no id");
  if (nomem || r.why) {
    psvc_customer_free(c);
    if (nomem)
      return PSVC_ENOMEM;
    *why = r.why;
    return PSVC_ECORRUPT;
  }
  *out = c;
  return PSVC_OK;
}

/* Decodes fields until the end or the first problem; `one` handles a field. */
static int decode_fields(reader *r, unsigned last_known, int *nomem,
                         bool (*one)(reader *, const field *, void *, int *), void *obj) {
  uint64_t seen = 0;
  while (r->p < r->end && !r->why && !*nomem) {
    field f;
    if (!next_field(r, &f) || !first_time(r, &seen, f.tag, last_known) ||
        !one(r, &f, obj, nomem))
      break;
  }
  if (*nomem)
    return PSVC_ENOMEM;
  return r->why ? PSVC_ECORRUPT : PSVC_OK;
}

/* The shared frame of decode_order / decode_event: header, then fields. */
static int decode_record(const void *data, size_t len, int kind, unsigned last_known,
                         bool (*one)(reader *, const field *, void *, int *), void *obj,
                         reader *r) {
  *r = (reader){data, data ? (const unsigned char *)data + len : NULL, NULL};
  if (!data)
    return bad(r, "no data"), PSVC_ECORRUPT;
  if (!get_header(r, kind))
    return PSVC_ECORRUPT;
  int nomem = 0;
  return decode_fields(r, last_known, &nomem, one, obj);
}

/* ---- order record ---------------------------------------------------------------------- */

enum {
  OR_ID = 1, OR_TYPE, OR_CHANNEL, OR_CUSTOMER, OR_AREA, OR_ACCEPTED_AT, OR_SUMMARY,
  OR_SUBTYPE, OR_OPENED_BY, OR_OPENED_ROLE, OR_OPENED_UNIT
};

int psvc__encode_order(const psvc__order_rec *o, psvc__buf *b) {
  put_header(b, PSVC_REC_ORDER);
  put_str(b, OR_ID, o->id);
  put_uint(b, OR_TYPE, (uint64_t)o->type);
  put_uint(b, OR_CHANNEL, (uint64_t)o->channel);
  put_str(b, OR_CUSTOMER, o->customer);
  put_uint(b, OR_AREA, (uint64_t)o->area);
  put_int(b, OR_ACCEPTED_AT, o->accepted_at);
  put_str(b, OR_SUMMARY, o->summary);
  put_uint(b, OR_SUBTYPE, (uint64_t)o->subtype);
  put_str(b, OR_OPENED_BY, o->opened_by);
  put_uint(b, OR_OPENED_ROLE, (uint64_t)o->opened_role);
  put_str(b, OR_OPENED_UNIT, o->opened_unit);
  return b->oom ? PSVC_ENOMEM : PSVC_OK;
}

static bool take_small(reader *r, const field *f, int *dst) {
  if (!want(r, f, WT_VARINT))
    return false;
  if (f->num > 0xFFFF)
    return bad(r, "number out of range");
  *dst = (int)f->num;
  return true;
}

static bool order_field(reader *r, const field *f, void *obj, int *nomem) {
  psvc__order_rec *o = obj;
  switch (f->tag) {
  case OR_ID: return take_str(r, f, &o->id, true, nomem);
  case OR_CUSTOMER: return take_str(r, f, &o->customer, true, nomem);
  case OR_OPENED_BY: return take_str(r, f, &o->opened_by, true, nomem);
  case OR_OPENED_UNIT: return take_text(r, f, &o->opened_unit, PSVC_TEXT_MAX, nomem);
  case OR_SUMMARY: return take_text(r, f, &o->summary, PSVC__NOTE_MAX, nomem);
  case OR_TYPE: return take_enum(r, f, PSVC_DOM_ORDER_TYPE, &o->type);
  case OR_CHANNEL: return take_enum(r, f, PSVC_DOM_CHANNEL, &o->channel);
  case OR_AREA: return take_enum(r, f, PSVC_DOM_AREA, &o->area);
  case OR_OPENED_ROLE: return take_enum(r, f, PSVC_DOM_ROLE, &o->opened_role);
  case OR_SUBTYPE: return take_small(r, f, &o->subtype); /* checked per type by order.c */
  case OR_ACCEPTED_AT: return take_range(r, f, 0, PSVC_TIME_MAX, &o->accepted_at);
  default: return true;
  }
}

void psvc__order_rec_clear(psvc__order_rec *o) {
  psvc__free(o->id);
  psvc__free(o->customer);
  psvc__free(o->summary);
  psvc__free(o->opened_by);
  psvc__free(o->opened_unit);
  memset(o, 0, sizeof *o);
}

int psvc__decode_order(const void *data, size_t len, psvc__order_rec *out,
                       const char **why) {
  memset(out, 0, sizeof *out);
  reader r;
  int rc = decode_record(data, len, PSVC_REC_ORDER, OR_OPENED_UNIT, order_field, out, &r);
  if (rc == PSVC_OK && (!out->id || !out->type || !out->channel || !out->opened_by ||
                        !out->opened_role))
    rc = PSVC_ECORRUPT, bad(&r, "order record lacks a required field");
  if (rc != PSVC_OK) {
    psvc__order_rec_clear(out);
    *why = r.why;
  }
  return rc;
}

/* ---- event record ------------------------------------------------------------------------ */

enum { EV_ACTION = 1, EV_AT, EV_ACTOR, EV_ROLE, EV_UNIT, EV_TARGET, EV_VALUE, EV_NOTE };

int psvc__encode_event(const psvc__event_rec *e, psvc__buf *b) {
  put_header(b, PSVC_REC_EVENT);
  put_uint(b, EV_ACTION, (uint64_t)e->action);
  put_int(b, EV_AT, e->at);
  put_str(b, EV_ACTOR, e->actor);
  put_uint(b, EV_ROLE, (uint64_t)e->role);
  put_str(b, EV_UNIT, e->unit);
  put_str(b, EV_TARGET, e->target);
  put_int(b, EV_VALUE, e->value);
  put_str(b, EV_NOTE, e->note);
  return b->oom ? PSVC_ENOMEM : PSVC_OK;
}

static bool event_field(reader *r, const field *f, void *obj, int *nomem) {
  psvc__event_rec *e = obj;
  int64_t v;
  switch (f->tag) {
  case EV_ACTION: return take_enum(r, f, PSVC_DOM_ACTION, &e->action);
  case EV_ROLE: return take_enum(r, f, PSVC_DOM_ROLE, &e->role);
  case EV_AT: return take_range(r, f, 0, PSVC_TIME_MAX, &e->at);
  case EV_ACTOR: return take_str(r, f, &e->actor, true, nomem);
  case EV_UNIT: return take_text(r, f, &e->unit, PSVC_TEXT_MAX, nomem);
  case EV_TARGET: return take_text(r, f, &e->target, PSVC_TEXT_MAX, nomem);
  case EV_NOTE: return take_text(r, f, &e->note, PSVC__NOTE_MAX, nomem);
  case EV_VALUE:
    if (!take_range(r, f, INT32_MIN, INT32_MAX, &v))
      return false;
    e->value = (int32_t)v;
    return true;
  default: return true;
  }
}

void psvc__event_rec_clear(psvc__event_rec *e) {
  psvc__free(e->actor);
  psvc__free(e->unit);
  psvc__free(e->target);
  psvc__free(e->note);
  memset(e, 0, sizeof *e);
}

int psvc__decode_event(const void *data, size_t len, psvc__event_rec *out,
                       const char **why) {
  memset(out, 0, sizeof *out);
  reader r;
  int rc = decode_record(data, len, PSVC_REC_EVENT, EV_NOTE, event_field, out, &r);
  if (rc == PSVC_OK && (!out->action || !out->actor || !out->role))
    rc = PSVC_ECORRUPT, bad(&r, "event record lacks a required field");
  if (rc != PSVC_OK) {
    psvc__event_rec_clear(out);
    *why = r.why;
  }
  return rc;
}

/* ---- call record ------------------------------------------------------------------------ */

enum { CA_ID = 1, CA_ARRIVED, CA_ANSWERED, CA_ENDED, CA_AGENT, CA_ORDER };

int psvc__encode_call(const psvc__call_rec *c, psvc__buf *b) {
  put_header(b, PSVC_REC_CALL);
  put_str(b, CA_ID, c->id);
  put_int(b, CA_ARRIVED, c->arrived);
  put_int(b, CA_ANSWERED, c->answered);
  put_int(b, CA_ENDED, c->ended);
  put_str(b, CA_AGENT, c->agent);
  put_str(b, CA_ORDER, c->order);
  return b->oom ? PSVC_ENOMEM : PSVC_OK;
}

static bool call_field(reader *r, const field *f, void *obj, int *nomem) {
  psvc__call_rec *c = obj;
  switch (f->tag) {
  case CA_ID: return take_str(r, f, &c->id, true, nomem);
  case CA_AGENT: return take_str(r, f, &c->agent, true, nomem);
  case CA_ORDER: return take_str(r, f, &c->order, true, nomem);
  case CA_ARRIVED: return take_range(r, f, 0, PSVC_TIME_MAX, &c->arrived);
  case CA_ANSWERED: return take_range(r, f, 0, PSVC_TIME_MAX, &c->answered);
  case CA_ENDED: return take_range(r, f, 0, PSVC_TIME_MAX, &c->ended);
  default: return true;
  }
}

void psvc__call_rec_clear(psvc__call_rec *c) {
  psvc__free(c->id);
  psvc__free(c->agent);
  psvc__free(c->order);
  memset(c, 0, sizeof *c);
}

int psvc__decode_call(const void *data, size_t len, psvc__call_rec *out, const char **why) {
  memset(out, 0, sizeof *out);
  reader r;
  int rc = decode_record(data, len, PSVC_REC_CALL, CA_ORDER, call_field, out, &r);
  if (rc == PSVC_OK && !out->id)
    rc = PSVC_ECORRUPT, bad(&r, "call record has no id");
  if (rc == PSVC_OK && (out->ended < out->arrived ||
                        (out->answered && (out->answered < out->arrived ||
                                           out->answered > out->ended)) ||
                        (!out->answered && out->order)))
    rc = PSVC_ECORRUPT, bad(&r, "call record with impossible times");
  if (rc != PSVC_OK) {
    psvc__call_rec_clear(out);
    *why = r.why;
  }
  return rc;
}

/* ---- notice record ---------------------------------------------------------------------- */

enum {
  NO_ID = 1, NO_KIND, NO_UNIT, NO_FEEDER, NO_START, NO_END, NO_PUBLISHED, NO_FIRST_START,
  NO_FIRST_PUBLISHED, NO_CHANGES, NO_LATE_CHANGES
};

int psvc__encode_notice(const psvc__notice_rec *n, psvc__buf *b) {
  put_header(b, PSVC_REC_NOTICE);
  put_str(b, NO_ID, n->id);
  put_uint(b, NO_KIND, (uint64_t)n->kind);
  put_str(b, NO_UNIT, n->unit);
  put_str(b, NO_FEEDER, n->feeder);
  put_int(b, NO_START, n->start);
  put_int(b, NO_END, n->end);
  put_int(b, NO_PUBLISHED, n->published);
  put_int(b, NO_FIRST_START, n->first_start);
  put_int(b, NO_FIRST_PUBLISHED, n->first_published);
  put_int(b, NO_CHANGES, n->changes);
  put_int(b, NO_LATE_CHANGES, n->late_changes);
  return b->oom ? PSVC_ENOMEM : PSVC_OK;
}

static bool notice_field(reader *r, const field *f, void *obj, int *nomem) {
  psvc__notice_rec *n = obj;
  int64_t v;
  switch (f->tag) {
  case NO_ID: return take_str(r, f, &n->id, true, nomem);
  case NO_KIND: return take_enum(r, f, PSVC_DOM_NOTICE_KIND, &n->kind);
  case NO_UNIT: return take_text(r, f, &n->unit, PSVC_TEXT_MAX, nomem);
  case NO_FEEDER: return take_text(r, f, &n->feeder, PSVC_TEXT_MAX, nomem);
  case NO_START: return take_range(r, f, 0, PSVC_TIME_MAX, &n->start);
  case NO_END: return take_range(r, f, 0, PSVC_TIME_MAX, &n->end);
  case NO_PUBLISHED: return take_range(r, f, 0, PSVC_TIME_MAX, &n->published);
  case NO_FIRST_START: return take_range(r, f, 0, PSVC_TIME_MAX, &n->first_start);
  case NO_FIRST_PUBLISHED: return take_range(r, f, 0, PSVC_TIME_MAX, &n->first_published);
  case NO_CHANGES:
  case NO_LATE_CHANGES:
    if (!take_range(r, f, 0, UINT32_MAX, &v))
      return false;
    *(f->tag == NO_CHANGES ? &n->changes : &n->late_changes) = (uint32_t)v;
    return true;
  default: return true;
  }
}

void psvc__notice_rec_clear(psvc__notice_rec *n) {
  psvc__free(n->id);
  psvc__free(n->unit);
  psvc__free(n->feeder);
  memset(n, 0, sizeof *n);
}

int psvc__decode_notice(const void *data, size_t len, psvc__notice_rec *out,
                        const char **why) {
  memset(out, 0, sizeof *out);
  reader r;
  int rc = decode_record(data, len, PSVC_REC_NOTICE, NO_LATE_CHANGES, notice_field, out, &r);
  if (rc == PSVC_OK && (!out->id || !out->kind || !out->unit || !out->feeder))
    rc = PSVC_ECORRUPT, bad(&r, "notice record lacks a required field");
  if (rc == PSVC_OK && (out->end <= out->start || out->first_published > out->published ||
                        out->late_changes > out->changes))
    rc = PSVC_ECORRUPT, bad(&r, "notice record with impossible times");
  if (rc != PSVC_OK) {
    psvc__notice_rec_clear(out);
    *why = r.why;
  }
  return rc;
}
