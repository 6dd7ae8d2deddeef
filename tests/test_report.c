/*
 * test_report.c — lib/report.c through the public API: the KPI report
 * psvc_report_json (rules Q-1 ... Q-7, T-12, W-12), held to the schema in
 * docs/reports.md ("The report").
 *
 * How it works. A hand-made month (October 2026 in the context's local time,
 * +08:00: from = 2026-09-30T16:00:00Z) of ten orders, nine calls and five
 * notices, plus records just outside the period, is built through the
 * public API; every KPI of the report is worked out by hand in the comments
 * below and asserted exactly. The JSON is read with the small
 * recursive-descent reader of this file (strict: grammar, escapes, UTF-8,
 * duplicate keys) and values are looked up by path
 * ("total.metrics.ARRIVAL.met"); numbers are compared as the text the report
 * wrote ("0.6667", "116.4"), so the formats are checked too. Every distinct
 * document is also fed to `python3 -m json.tool` (skipped with a message if
 * python3 is missing).
 *
 * Also: the four group_by values, the exact key order of every object, T-12
 * (monthly) at its boundary and for other periods, byte-identical output
 * (twice, after a reopen, for data entered in another order), escaping of
 * unit names, no personal data (W-12), argument errors, and allocation
 * failure at every k (PSVC_ENOMEM, no output, no leak).
 */
#include "fault.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY FAULT_DAY
#define HOUR ((psvc_time)3600)
#define MINUTE ((psvc_time)60)
#define TIME_MAX ((psvc_time)253402300799) /* 9999-12-31T23:59:59Z */

/* October 2026, local +08:00. */
#define FROM ((psvc_time)1790784000) /* 2026-10-01T00:00:00+08 = 2026-09-30T16:00:00Z */
#define TO ((psvc_time)1793462400)   /* 2026-11-01T00:00:00+08 = 2026-10-31T16:00:00Z */
#define DUE ((psvc_time)1793894399)  /* 2026-11-05T23:59:59+08 = 2026-11-05T15:59:59Z */
/* Local day d of October (1-based), h:m. */
#define L(d, h, m) (FROM + ((psvc_time)(d) - 1) * DAY + (psvc_time)(h) * HOUR + (psvc_time)(m) * MINUTE)
/* The report's `now`: 2026-11-02T10:00:00+08 = 2026-11-02T02:00:00Z. */
#define NOW L(33, 10, 0)

/* ======================================================================================= */
/* A strict JSON reader                                                                     */
/* ======================================================================================= */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jv {
  int type;
  const char *src; /* the value's text in the document */
  size_t srclen;
  char *str;       /* J_STR: decoded; J_NUM: the number's text */
  int boolean;
  size_t n;        /* J_ARR, J_OBJ: members */
  struct jv *items;
  char **keys;     /* J_OBJ: decoded keys, in document order */
} jv;

typedef struct jparser {
  const char *p, *start, *end;
  const char *err;
  int depth;
} jparser;

static bool jfail(jparser *j, const char *why) {
  if (!j->err)
    j->err = why;
  return false;
}

static void jws(jparser *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
    j->p++;
}

static void jv_free(jv *v) {
  if (!v)
    return;
  free(v->str);
  for (size_t i = 0; i < v->n; i++) {
    jv_free(&v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  memset(v, 0, sizeof *v);
}

static void put_utf8(char **o, uint32_t cp) {
  unsigned char *u = (unsigned char *)*o;
  if (cp < 0x80) {
    *u++ = (unsigned char)cp;
  } else if (cp < 0x800) {
    *u++ = (unsigned char)(0xC0 | cp >> 6);
    *u++ = (unsigned char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *u++ = (unsigned char)(0xE0 | cp >> 12);
    *u++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    *u++ = (unsigned char)(0x80 | (cp & 0x3F));
  } else {
    *u++ = (unsigned char)(0xF0 | cp >> 18);
    *u++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    *u++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    *u++ = (unsigned char)(0x80 | (cp & 0x3F));
  }
  *o = (char *)u;
}

static bool hex4(jparser *j, uint32_t *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    if (j->p >= j->end)
      return jfail(j, "truncated \\u escape");
    char c = *j->p++;
    *v <<= 4;
    if (c >= '0' && c <= '9')
      *v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
      *v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      *v |= (uint32_t)(c - 'A' + 10);
    else
      return jfail(j, "bad hex digit in \\u escape");
  }
  return true;
}

/* Length of the valid UTF-8 sequence at p (0 if invalid). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
  unsigned char c = *p;
  size_t n;
  uint32_t cp, min;
  if (c < 0x80)
    return 1;
  if ((c & 0xE0) == 0xC0)
    n = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0)
    n = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0)
    n = 4, cp = c & 0x07, min = 0x10000;
  else
    return 0;
  if ((size_t)(end - p) < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = cp << 6 | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

static bool jstring(jparser *j, char **out) {
  if (j->p >= j->end || *j->p != '"')
    return jfail(j, "expected a string");
  j->p++;
  char *buf = malloc((size_t)(j->end - j->p) + 1);
  ck_assert_ptr_nonnull(buf);
  char *o = buf;
  for (;;) {
    if (j->p >= j->end) {
      free(buf);
      return jfail(j, "unterminated string");
    }
    unsigned char c = (unsigned char)*j->p;
    if (c == '"') {
      j->p++;
      break;
    }
    if (c < 0x20) {
      free(buf);
      return jfail(j, "unescaped control character in a string");
    }
    if (c == '\\') {
      j->p++;
      if (j->p >= j->end) {
        free(buf);
        return jfail(j, "truncated escape");
      }
      char e = *j->p++;
      uint32_t cp;
      switch (e) {
      case '"': *o++ = '"'; break;
      case '\\': *o++ = '\\'; break;
      case '/': *o++ = '/'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'n': *o++ = '\n'; break;
      case 'r': *o++ = '\r'; break;
      case 't': *o++ = '\t'; break;
      case 'u':
        if (!hex4(j, &cp)) {
          free(buf);
          return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') {
            free(buf);
            return jfail(j, "lone high surrogate");
          }
          j->p += 2;
          if (!hex4(j, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
            free(buf);
            return jfail(j, "bad low surrogate");
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          free(buf);
          return jfail(j, "lone low surrogate");
        }
        put_utf8(&o, cp);
        break;
      default: free(buf); return jfail(j, "unknown escape");
      }
      continue;
    }
    size_t n = utf8_len((const unsigned char *)j->p, (const unsigned char *)j->end);
    if (!n) {
      free(buf);
      return jfail(j, "invalid UTF-8 in a string");
    }
    memcpy(o, j->p, n);
    o += n;
    j->p += n;
  }
  *o = 0;
  *out = buf;
  return true;
}

static bool jdigits(jparser *j) {
  const char *s = j->p;
  while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
    j->p++;
  return j->p > s;
}

static bool jvalue(jparser *j, jv *v);

static bool jnumber(jparser *j, jv *v) {
  const char *s = j->p;
  if (j->p < j->end && *j->p == '-')
    j->p++;
  if (j->p < j->end && *j->p == '0')
    j->p++;
  else if (!jdigits(j))
    return jfail(j, "bad number");
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (!jdigits(j))
      return jfail(j, "bad fraction");
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
      j->p++;
    if (!jdigits(j))
      return jfail(j, "bad exponent");
  }
  v->type = J_NUM;
  size_t n = (size_t)(j->p - s);
  v->str = malloc(n + 1);
  ck_assert_ptr_nonnull(v->str);
  memcpy(v->str, s, n);
  v->str[n] = 0;
  return true;
}

static bool jlit(jparser *j, const char *lit) {
  size_t n = strlen(lit);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
    return jfail(j, "unexpected character");
  j->p += n;
  return true;
}

static void jpush(jv *v, size_t *cap) {
  if (v->n == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    v->items = realloc(v->items, *cap * sizeof *v->items);
    ck_assert_ptr_nonnull(v->items);
    if (v->type == J_OBJ) {
      v->keys = realloc(v->keys, *cap * sizeof *v->keys);
      ck_assert_ptr_nonnull(v->keys);
    }
  }
  memset(&v->items[v->n], 0, sizeof v->items[v->n]);
}

static bool jcontainer(jparser *j, jv *v, bool obj) {
  if (++j->depth > 64)
    return jfail(j, "nested too deep");
  v->type = obj ? J_OBJ : J_ARR;
  j->p++;
  size_t cap = 0;
  jws(j);
  if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
    j->p++;
    j->depth--;
    return true;
  }
  for (;;) {
    jws(j);
    jpush(v, &cap);
    if (obj) {
      char *k = NULL;
      if (!jstring(j, &k))
        return false;
      for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], k) == 0) {
          free(k);
          return jfail(j, "duplicate key");
        }
      v->keys[v->n] = k;
      jws(j);
      if (j->p >= j->end || *j->p != ':') {
        v->n++; /* so that the key is freed */
        return jfail(j, "expected ':'");
      }
      j->p++;
      jws(j);
    }
    bool ok = jvalue(j, &v->items[v->n]);
    v->n++;
    if (!ok)
      return false;
    jws(j);
    if (j->p < j->end && *j->p == ',') {
      j->p++;
      continue;
    }
    if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
      j->p++;
      j->depth--;
      return true;
    }
    return jfail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static bool jvalue(jparser *j, jv *v) {
  jws(j);
  if (j->p >= j->end)
    return jfail(j, "unexpected end");
  const char *s = j->p;
  bool ok;
  switch (*j->p) {
  case '{': ok = jcontainer(j, v, true); break;
  case '[': ok = jcontainer(j, v, false); break;
  case '"':
    v->type = J_STR;
    ok = jstring(j, &v->str);
    break;
  case 't':
    v->type = J_BOOL, v->boolean = 1;
    ok = jlit(j, "true");
    break;
  case 'f':
    v->type = J_BOOL, v->boolean = 0;
    ok = jlit(j, "false");
    break;
  case 'n':
    v->type = J_NULL;
    ok = jlit(j, "null");
    break;
  default: ok = jnumber(j, v); break;
  }
  v->src = s;
  v->srclen = (size_t)(j->p - s);
  return ok;
}

/* Parses a whole document (nothing but whitespace after the value). */
static jv *jparse(const char *text) {
  jparser j = {text, text, text + strlen(text), NULL, 0};
  jv *v = calloc(1, sizeof *v);
  ck_assert_ptr_nonnull(v);
  bool ok = jvalue(&j, v);
  jws(&j);
  if (ok && j.p != j.end)
    ok = jfail(&j, "trailing characters");
  ck_assert_msg(ok, "invalid JSON at byte %ld: %s (near \"%.40s\")", (long)(j.p - j.start),
                j.err ? j.err : "?", j.p);
  return v;
}

static void jdoc_free(jv *v) {
  jv_free(v);
  free(v);
}

static const jv *jmember(const jv *o, const char *key) {
  if (!o || o->type != J_OBJ)
    return NULL;
  for (size_t i = 0; i < o->n; i++)
    if (strcmp(o->keys[i], key) == 0)
      return &o->items[i];
  return NULL;
}

/* Looks a value up by a dotted path; array elements by index ("groups.2"). */
static const jv *jget(const jv *doc, const char *path) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  const jv *v = doc;
  for (char *seg = strtok(buf, "."); seg && v; seg = strtok(NULL, ".")) {
    if (v->type == J_ARR) {
      char *endp;
      long i = strtol(seg, &endp, 10);
      v = *endp || i < 0 || (size_t)i >= v->n ? NULL : &v->items[i];
    } else {
      v = jmember(v, seg);
    }
  }
  return v;
}

static const jv *need(int line, const jv *doc, const char *path) {
  const jv *v = jget(doc, path);
  ck_assert_msg(v != NULL, "line %d: no value at '%s'", line, path);
  return v;
}

/* A number exactly as written ("0.6667"); NULL: the value is null. */
static void expect_num(int line, const jv *doc, const char *path, const char *want) {
  const jv *v = need(line, doc, path);
  if (!want) {
    ck_assert_msg(v->type == J_NULL, "line %d: %s is %.*s, want null", line, path,
                  (int)v->srclen, v->src);
    return;
  }
  ck_assert_msg(v->type == J_NUM && strcmp(v->str, want) == 0, "line %d: %s is %.*s, want %s",
                line, path, (int)v->srclen, v->src, want);
}
#define NUM(path, want) expect_num(__LINE__, DOC, path, want)

static void expect_int(int line, const jv *doc, const char *path, long want) {
  char t[32];
  snprintf(t, sizeof t, "%ld", want);
  expect_num(line, doc, path, t);
}
#define INT(path, want) expect_int(__LINE__, DOC, path, want)

static void expect_str(int line, const jv *doc, const char *path, const char *want) {
  const jv *v = need(line, doc, path);
  ck_assert_msg(v->type == J_STR && strcmp(v->str, want) == 0, "line %d: %s is %.*s, want \"%s\"",
                line, path, (int)v->srclen, v->src, want);
}
#define STR(path, want) expect_str(__LINE__, DOC, path, want)

/* "true", "false" or NULL for null. */
static void expect_lit(int line, const jv *doc, const char *path, const char *want) {
  const jv *v = need(line, doc, path);
  const char *got = v->type == J_NULL ? NULL : v->type == J_BOOL ? (v->boolean ? "true" : "false")
                                                                 : "(not a literal)";
  ck_assert_msg((!want && !got) || (want && got && strcmp(want, got) == 0),
                "line %d: %s is %.*s, want %s", line, path, (int)v->srclen, v->src,
                want ? want : "null");
}
#define LIT(path, want) expect_lit(__LINE__, DOC, path, want)

/* The keys of an object, comma-separated, in document order. */
static void expect_keys(int line, const jv *doc, const char *path, const char *want) {
  const jv *v = path ? need(line, doc, path) : doc;
  ck_assert_msg(v->type == J_OBJ, "line %d: %s is not an object", line, path ? path : "(doc)");
  char got[2048] = "";
  for (size_t i = 0; i < v->n; i++) {
    if (i)
      strncat(got, ",", sizeof got - strlen(got) - 1);
    strncat(got, v->keys[i], sizeof got - strlen(got) - 1);
  }
  ck_assert_msg(strcmp(got, want) == 0, "line %d: keys of %s are [%s], want [%s]", line,
                path ? path : "(doc)", got, want);
}
#define KEYS(path, want) expect_keys(__LINE__, DOC, path, want)

static const jv *DOC; /* the document the NUM/INT/... macros read */

/* ======================================================================================= */
/* python3 -m json.tool, once per distinct document                                         */
/* ======================================================================================= */

/* The python3 interpreter (sys.executable, resolved once in main() so that
   a slow launcher such as a pyenv shim runs once); "" if there is none. */
static char PYTHON[1024];

/* The distinct documents of the running test, checked by one
   `python3 -m json.tool --json-lines` run at teardown (each report is one
   line). */
static char **PENDING;
static size_t NPENDING;
static uint64_t SEEN[256];
static size_t NSEEN;

static uint64_t fnv(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

static void python_find(void) {
  PYTHON[0] = 0;
  FILE *p = popen("python3 -c 'import sys; print(sys.executable)' 2>/dev/null", "r");
  if (p) {
    if (!fgets(PYTHON, sizeof PYTHON, p))
      PYTHON[0] = 0;
    if (pclose(p) != 0)
      PYTHON[0] = 0;
  }
  PYTHON[strcspn(PYTHON, "\n")] = 0;
  if (strchr(PYTHON, '\''))
    PYTHON[0] = 0;
  if (!PYTHON[0])
    fprintf(stderr, "SKIPPED: python3 not found; the `python3 -m json.tool` check of the "
                    "reports is skipped (the strict reader of this file still runs)\n");
}

static void json_tool_queue(const char *json) {
  uint64_t h = fnv(json);
  for (size_t i = 0; i < NSEEN; i++)
    if (SEEN[i] == h)
      return;
  if (NSEEN < sizeof SEEN / sizeof SEEN[0])
    SEEN[NSEEN++] = h;
  PENDING = realloc(PENDING, (NPENDING + 1) * sizeof *PENDING);
  ck_assert_ptr_nonnull(PENDING);
  PENDING[NPENDING] = strdup(json);
  ck_assert_ptr_nonnull(PENDING[NPENDING]);
  NPENDING++;
}

static void json_tool_flush(void) {
  size_t n = NPENDING;
  char **docs = PENDING;
  PENDING = NULL;
  NPENDING = 0;
  NSEEN = 0;
  if (!n)
    return;
  char path[] = "/tmp/psvc-report-XXXXXX";
  int fd = PYTHON[0] ? mkstemp(path) : -1;
  bool ok = true;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(docs[i]);
    if (fd >= 0 && write(fd, docs[i], len) != (ssize_t)len)
      ok = false;
    free(docs[i]);
  }
  free(docs);
  if (fd < 0)
    return;
  close(fd);
  ck_assert_msg(ok, "writing %s failed", path);
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "'%s' -m json.tool --json-lines < %s 2>&1 >/dev/null", PYTHON,
           path);
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  char out[512] = "";
  size_t got = fread(out, 1, sizeof out - 1, p);
  out[got] = 0;
  int st = pclose(p);
  unlink(path);
  ck_assert_msg(st == 0, "python3 -m json.tool rejects a report (status %d): %s", st, out);
}

/* ======================================================================================= */
/* the fixture                                                                              */
/* ======================================================================================= */

static const psvc_actor AGENT = {sizeof(psvc_actor), "agent.01", PSVC_ROLE_AGENT, "Desk-1"};
static const psvc_actor AGENT2 = {sizeof(psvc_actor), "agent.02", PSVC_ROLE_AGENT, "Desk-2"};
static const psvc_actor CREW_A = {sizeof(psvc_actor), "crew.a", PSVC_ROLE_REPAIR_CREW, "Crew-A"};
static const psvc_actor CREW_B = {sizeof(psvc_actor), "crew.b", PSVC_ROLE_REPAIR_CREW, "Crew-B"};
static const psvc_actor OFFICE = {sizeof(psvc_actor), "rep.07", PSVC_ROLE_CUSTOMER_REP,
                                  "Svc-Office"};
static const psvc_actor GRID = {sizeof(psvc_actor), "rep.09", PSVC_ROLE_CUSTOMER_REP,
                                "Grid-Office"};

/* Distinctive personal data, searched for in the output (W-12). */
#define CU_U "CU-URB-7731"
#define CU_R "CU-RUR-4410"
#define CU_X "CU-REM-0099"
static const char *const PERSONAL[] = {CU_U, CU_R, CU_X, "Quillon Vexmoor", "Brisa Tallowmere",
                                       "Odalys Fenwright", "+86-139-5550-7731", "0571-8821-4410",
                                       "13600990099", "CU-"};

static void must(int line, psvc_ctx *ctx, int rc) {
  ck_assert_msg(rc == PSVC_OK, "line %d: rc %d (%s): %s", line, rc, psvc_strerror(rc),
                psvc_errmsg(ctx));
}
#define MUST(ctx, call) must(__LINE__, ctx, (call))

static void add_customer(psvc_ctx *ctx, const char *id, const char *name, const char *phone,
                         int area) {
  psvc_customer *c = NULL;
  ck_assert_int_eq(psvc_customer_new(&c, id), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_name(c, name), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_phone(c, phone), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_relation(c, PSVC_RELATION_DIRECT), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_tariff(c, PSVC_TARIFF_RESIDENTIAL), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_sources(c, PSVC_SOURCE_LV), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_voltage(c, 220), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_area(c, area), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_feeder(c, "FDR-7"), PSVC_OK);
  ck_assert_int_eq(psvc_customer_set_unit(c, "Supply-East"), PSVC_OK);
  MUST(ctx, psvc_customer_save(ctx, c));
  psvc_customer_free(c);
}

static void open_order(psvc_ctx *ctx, const char *id, int type, int subtype, const char *customer,
                       int area, psvc_time at, const psvc_actor *who) {
  psvc_order_spec s = PSVC_ORDER_SPEC_INIT;
  s.id = id;
  s.type = type;
  s.subtype = subtype;
  s.channel = PSVC_CHANNEL_PHONE;
  s.customer_id = customer;
  s.area = area;
  s.accepted_at = at;
  s.summary = "report test";
  MUST(ctx, psvc_order_open(ctx, &s, who));
}

static void act(int line, psvc_ctx *ctx, const char *id, int action, psvc_time at,
                const char *target, int value, const psvc_actor *who) {
  psvc_event e = PSVC_EVENT_INIT;
  e.action = action;
  e.at = at;
  e.target = target;
  e.value = value;
  e.note = action == PSVC_ACT_NOTE     ? "called the customer back"
           : action == PSVC_ACT_RETURN ? "not ours"
                                       : NULL;
  int rc = psvc_order_apply(ctx, id, &e, who);
  ck_assert_msg(rc == PSVC_OK, "line %d: %s on %s: rc %d: %s", line,
                psvc_enum_name(PSVC_DOM_ACTION, action), id, rc, psvc_errmsg(ctx));
}
#define ACT(id, action, at, target, value, who)                                \
  act(__LINE__, ctx, id, PSVC_ACT_##action, at, target, value, who)

/*
 * The orders of October (accepted in [FROM, TO)), and what each clock says
 * at NOW (2026-11-02 10:00 local). Limits: DISPATCH 180 s (T-2, from the end
 * of the call that produced the order, else from acceptance); ARRIVAL
 * (FAULT_REPAIR) urban 2400 s, rural 5100 s, remote 7200 s (T-3); REPLY
 * INQUIRY 24 h (T-6), COMPLAINT 5 calendar days (T-4); RESOLVE FAULT_REPAIR
 * from arrival urban 3 h, rural 4 h (T-18), RECONNECTION 24 h (T-13);
 * CONTACT complaint 24 h (T-17); VISIT has no policy (N/A everywhere).
 * "M 60" = MET after 60 s, "B 2700" = BREACHED after 2700 s, "B run" =
 * breached while still running (not stopped: no average), "R" running, "P"
 * pending, "-" not applicable.
 *
 * order type          unit(W-4)   area    state       DISPATCH ARRIVAL  REPLY     RESOLVE   CONTACT
 * Q1    INQUIRY       Desk-2      NONE    CLOSED      -        -        M 60      -         -
 * F1    FAULT_REPAIR  Crew-A      URBAN   CLOSED      M 60     M 1800   -         M 7200    -
 * M1    FAULT_REPAIR  Desk-1      URBAN   MERGED      -        -        -         -         -
 * F2    FAULT_REPAIR  Crew-A      URBAN   CLOSED      M 30     B 2700   -         B 14400   -
 * F3    FAULT_REPAIR  Crew-B      RURAL   CLOSED      B 200    M 3600*  -         M 3600    -
 * F4    FAULT_REPAIR  Crew-B      REMOTE  DISPATCHED  M 101    B run    -         P         -
 * K1    COMPLAINT/SVC Svc-Office  URBAN   CLOSED      B 300    -        M 172800  -         M 7200
 * S1    SR/RECONNECT  Crew-B      RURAL   REPLIED     M 150    -        -         M 18000   -
 * K2    COMPLAINT/OUT Grid-Office RURAL   RECEIVED    M 90     -        R         -         B run
 * F5    FAULT_REPAIR  Crew-A      URBAN   ON_SITE     M 0      M 2100   -         B run     -
 *
 * Return visits: F1 SATISFIED; F2 FAIRLY_SATISFIED; F3 UNSATISFIED (reopen,
 * W-10) then SATISFIED; K1 SATISFIED. F3's ARRIVAL and RESOLVE are judged
 * on cycle 2 (both met); *its ARRIVAL breached in cycle 1 (5200 s), so it
 * counts in ever_breached; its DISPATCH has one cycle.
 */

/* Q1: an INQUIRY answered at first contact, accepted at FROM exactly. The
   DISPATCH clock was abandoned (closed) after 120 s, unbreached: N/A. */
static void order_q1(psvc_ctx *ctx) {
  open_order(ctx, "Q1", PSVC_ORDER_INQUIRY, 0, NULL, 0, FROM, &AGENT2);
  ACT("Q1", REPLY, FROM + 60, NULL, 0, &AGENT2);
  ACT("Q1", CLOSE, FROM + 120, NULL, 0, &AGENT2);
}

/* F1, and M1, a repeat contact merged into it (W-9) 120 s after its
   acceptance (every clock of M1 abandoned unbreached: N/A). F1 was produced
   by call C1 (ended A1+60): DISPATCH 120 - 60 = 60 s. */
static void order_f1_m1(psvc_ctx *ctx) {
  const psvc_time a1 = L(2, 9, 0);
  open_order(ctx, "F1", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, a1, &AGENT);
  ACT("F1", DISPATCH, a1 + 120, "Crew-A", 0, &AGENT);
  ACT("F1", RECEIVE, a1 + 300, NULL, 0, &CREW_A);
  open_order(ctx, "M1", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, a1 + 600, &AGENT);
  ACT("M1", MERGE, a1 + 720, "F1", 0, &AGENT);
  ACT("F1", ARRIVE, a1 + 1800, NULL, 0, &CREW_A);   /* ARRIVAL 1800 <= 2400 */
  ACT("F1", RESOLVE, a1 + 9000, NULL, 0, &CREW_A);  /* RESOLVE 7200 <= 10800 */
  ACT("F1", VISIT, a1 + DAY, NULL, PSVC_SAT_SATISFIED, &AGENT);
  ACT("F1", CLOSE, a1 + DAY + 60, NULL, 0, &AGENT);
}

/* F2: call C2 ended A2+30, dispatched A2+60: 30 s; arrived late. */
static void order_f2(psvc_ctx *ctx) {
  const psvc_time a2 = L(3, 14, 0);
  open_order(ctx, "F2", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, a2, &AGENT);
  ACT("F2", DISPATCH, a2 + 60, "Crew-A", 0, &AGENT);
  ACT("F2", RECEIVE, a2 + 120, NULL, 0, &CREW_A);
  ACT("F2", ARRIVE, a2 + 2700, NULL, 0, &CREW_A);             /* 2700 > 2400 */
  ACT("F2", RESOLVE, a2 + 2700 + 14400, NULL, 0, &CREW_A);    /* 14400 > 10800 */
  ACT("F2", VISIT, a2 + DAY, NULL, PSVC_SAT_FAIRLY_SATISFIED, &AGENT);
  ACT("F2", CLOSE, a2 + DAY + 60, NULL, 0, &AGENT);
}

/* F3: rural, no call (DISPATCH 200 s from acceptance: breached); arrived
   late (86 min 40 s > 85 min), reopened by an UNSATISFIED visit, then
   handled again in time: ARRIVAL is MET now (cycle 2) but ever breached. */
static void order_f3(psvc_ctx *ctx) {
  const psvc_time a3 = L(5, 8, 0), v1 = a3 + DAY;
  open_order(ctx, "F3", PSVC_ORDER_FAULT_REPAIR, 0, CU_R, 0, a3, &AGENT);
  ACT("F3", DISPATCH, a3 + 200, "Crew-B", 0, &AGENT);
  ACT("F3", RECEIVE, a3 + 300, NULL, 0, &CREW_B);
  ACT("F3", ARRIVE, a3 + 5200, NULL, 0, &CREW_B);           /* 5200 > 5100: breached */
  ACT("F3", RESOLVE, a3 + 5200 + 10800, NULL, 0, &CREW_B);  /* 10800 <= 14400 */
  ACT("F3", VISIT, v1, NULL, PSVC_SAT_UNSATISFIED, &AGENT); /* cycle 2 from v1 */
  ACT("F3", RECEIVE, v1 + 600, NULL, 0, &CREW_B);
  ACT("F3", ARRIVE, v1 + 3600, NULL, 0, &CREW_B);   /* cycle 2: 3600 <= 5100 */
  ACT("F3", RESOLVE, v1 + 7200, NULL, 0, &CREW_B);  /* cycle 2: 3600 <= 14400 */
  ACT("F3", VISIT, v1 + DAY, NULL, PSVC_SAT_SATISFIED, &AGENT);
  ACT("F3", CLOSE, v1 + DAY + 60, NULL, 0, &AGENT);
}

/* F4: anonymous, remote; dispatched after 101 s, never received: its
   group unit is the current unit Crew-B; ARRIVAL breached (running). */
static void order_f4(psvc_ctx *ctx) {
  const psvc_time a4 = L(8, 10, 0);
  open_order(ctx, "F4", PSVC_ORDER_FAULT_REPAIR, 0, NULL, PSVC_AREA_REMOTE, a4, &AGENT);
  ACT("F4", DISPATCH, a4 + 101, "Crew-B", 0, &AGENT);
}

/* K1: a SERVICE complaint produced by call C3 (ended K1+100), dispatched
   at K1+400: 300 s. Called back after 2 h (CONTACT), replied after 2 days
   (REPLY, limit to 15 Oct 23:59:59 local). */
static void order_k1(psvc_ctx *ctx) {
  const psvc_time k1 = L(10, 9, 0);
  open_order(ctx, "K1", PSVC_ORDER_COMPLAINT, PSVC_COMPLAINT_SERVICE, CU_U, 0, k1, &AGENT);
  ACT("K1", DISPATCH, k1 + 400, "Svc-Office", 0, &AGENT);
  ACT("K1", RECEIVE, k1 + 500, NULL, 0, &OFFICE);
  ACT("K1", NOTE, k1 + 7200, NULL, PSVC_NOTE_CONTACT, &OFFICE);
  ACT("K1", RESOLVE, k1 + DAY, NULL, 0, &OFFICE);
  ACT("K1", REPLY, k1 + 2 * DAY, NULL, 0, &OFFICE);
  ACT("K1", VISIT, k1 + 3 * DAY, NULL, PSVC_SAT_SATISFIED, &AGENT);
  ACT("K1", CLOSE, k1 + 3 * DAY + 60, NULL, 0, &AGENT);
}

/* S1: a RECONNECTION request (T-13: resolved within 24 h), left REPLIED. */
static void order_s1(psvc_ctx *ctx) {
  const psvc_time s1 = L(15, 11, 0);
  open_order(ctx, "S1", PSVC_ORDER_SERVICE_REQUEST, PSVC_REQUEST_RECONNECTION, CU_R, 0, s1,
             &AGENT);
  ACT("S1", DISPATCH, s1 + 150, "Crew-B", 0, &AGENT);
  ACT("S1", RECEIVE, s1 + 600, NULL, 0, &CREW_B);
  ACT("S1", RESOLVE, s1 + 18000, NULL, 0, &CREW_B);
  ACT("S1", REPLY, s1 + 18060, NULL, 0, &CREW_B);
}

/* K2: an OUTAGE complaint on 30 Oct 10:00 local, never called back
   (CONTACT breached at NOW), reply still running: its limit runs to
   4 Nov 23:59:59 local (395999 s), 259200 s used at NOW = 65 % < 80 %. */
static void order_k2(psvc_ctx *ctx) {
  const psvc_time k2 = L(30, 10, 0);
  open_order(ctx, "K2", PSVC_ORDER_COMPLAINT, PSVC_COMPLAINT_OUTAGE, CU_R, 0, k2, &AGENT);
  ACT("K2", DISPATCH, k2 + 90, "Grid-Office", 0, &AGENT);
  ACT("K2", RECEIVE, k2 + 200, NULL, 0, &GRID);
}

/* F5: 31 Oct 23:00 local; call C4 ended F5+200, dispatched during it at
   F5+50 (0 s); arrived in 35 min; not resolved by NOW (breached running). */
static void order_f5(psvc_ctx *ctx) {
  const psvc_time f5 = L(31, 23, 0);
  open_order(ctx, "F5", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, f5, &AGENT);
  ACT("F5", DISPATCH, f5 + 50, "Crew-A", 0, &AGENT);
  ACT("F5", RECEIVE, f5 + 100, NULL, 0, &CREW_A);
  ACT("F5", ARRIVE, f5 + 2100, NULL, 0, &CREW_A);
}

/* Outside the period: X1 accepted one second before FROM, X2 at TO. */
static void orders_outside(psvc_ctx *ctx) {
  open_order(ctx, "X1", PSVC_ORDER_COMPLAINT, PSVC_COMPLAINT_BUSINESS, CU_U, 0, FROM - 1, &AGENT);
  ACT("X1", DISPATCH, FROM + 5000, "Crew-A", 0, &AGENT);
  open_order(ctx, "X2", PSVC_ORDER_COMPLAINT, PSVC_COMPLAINT_GRID_CONSTRUCTION, CU_R, 0, TO,
             &AGENT2);
}

typedef void (*builder)(psvc_ctx *);
static const builder ORDERS[] = {order_q1, order_f1_m1, order_f2, order_f3, order_f4,
                                 order_k1, order_s1,    order_k2, order_f5, orders_outside};
#define NORDERS (sizeof ORDERS / sizeof ORDERS[0])

/*
 * Calls (Q-2). Waits: C1 5 s, C5 3 s, C2 20 s (late), C3 10 s, C4 12 s
 * (exactly the limit: within), C8 15 s (late); abandoned: C6 after 7 s,
 * C7 after 30 s (breached), C9 after 12 s (not breached). C10 arrived
 * before FROM, C11 at TO: not counted.
 *   offered 9, answered 6, abandoned 3, answered_within_limit 4
 *   (C1, C5, C3, C4), breached 3 (C2, C8, C7), limit_s 12,
 *   answer_rate 4 / 9 = 0.4444, average_answer_s (5+3+20+10+12+15) / 6 =
 *   65 / 6 = 10.83 -> "10.8".
 * C5 names F1 too but arrived after C1, and is recorded first.
 */
static const struct callspec {
  const char *id;
  psvc_time arr, ans, end;
  const char *agent, *order;
} CALLS[] = {
    {"C5", L(2, 9, 0) + 400, L(2, 9, 0) + 403, L(2, 9, 0) + 500, "agent.01", "F1"},
    {"C1", L(2, 9, 0) - 90, L(2, 9, 0) - 85, L(2, 9, 0) + 60, "agent.01", "F1"},
    {"C2", L(3, 14, 0) - 40, L(3, 14, 0) - 20, L(3, 14, 0) + 30, "agent.02", "F2"},
    {"C3", L(10, 9, 0) - 60, L(10, 9, 0) - 50, L(10, 9, 0) + 100, "agent.01", "K1"},
    {"C4", L(31, 23, 0) - 20, L(31, 23, 0) - 8, L(31, 23, 0) + 200, "agent.01", "F5"},
    {"C6", FROM, 0, FROM + 7, NULL, NULL},
    {"C7", L(12, 11, 0), 0, L(12, 11, 0) + 30, NULL, NULL},
    {"C8", L(20, 10, 0), L(20, 10, 0) + 15, L(20, 10, 0) + 100, "agent.02", NULL},
    {"C9", L(21, 10, 0), 0, L(21, 10, 0) + 12, NULL, NULL},
    {"C10", FROM - 5, FROM - 1, FROM + 30, "agent.01", NULL},
    {"C11", TO, TO + 2, TO + 60, NULL, NULL},
};
#define NCALLS (sizeof CALLS / sizeof CALLS[0])

/*
 * Notices (first published in the period):
 *   N1 PLANNED_MAINTENANCE, Dispatch-Room: lead 8 d 23 h >= 7 d: met.
 *   N2 PLANNED_MAINTENANCE, Dispatch-Room: lead 4 d 23 h < 7 d: breached.
 *   N3 TEMPORARY_MAINTENANCE, Crew-B: lead 4 h (met), then its end moved
 *      from 16:00 to 18:00 announced at 15:30 (due 15:00): a late T-10
 *      change: breached.
 *   N4 ORDERED_USE, Marketing: lead 26 h >= 24 h, then postponed (never a
 *      T-10 change): met.
 *   N5 FAULT, Crew-A: lead 20 min < 30 min: breached.
 *   N6 first published before FROM (re-published in October), N7 first
 *      published at TO: not counted.
 *   published 5, met 2, breached 3, changes 2 (N3, N4), late_changes 1,
 *   on_time_rate 2 / 5 = 0.4000; by_kind PLANNED {2,1,1}, ORDERED_USE
 *   {1,1,0}, TEMPORARY {1,0,1}, FAULT {1,0,1}, ARREARS and EMERGENCY 0;
 *   by_unit Crew-A {1,0,1}, Crew-B {1,0,1}, Dispatch-Room {2,1,1},
 *   Marketing {1,1,0}.
 */
static const struct pubspec {
  const char *id;
  int kind;
  const char *unit;
  psvc_time start, end, pub;
  int group; /* publications of one notice stay in order */
} PUBS[] = {
    {"N1", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch-Room", L(12, 8, 0), L(12, 18, 0),
     L(3, 9, 0), 0},
    {"N2", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch-Room", L(10, 8, 0), L(10, 18, 0),
     L(5, 9, 0), 1},
    {"N3", PSVC_NOTICE_TEMPORARY_MAINTENANCE, "Crew-B", L(14, 12, 0), L(14, 16, 0), L(14, 8, 0),
     2},
    {"N3", PSVC_NOTICE_TEMPORARY_MAINTENANCE, "Crew-B", L(14, 12, 0), L(14, 18, 0),
     L(14, 15, 30), 2},
    {"N4", PSVC_NOTICE_ORDERED_USE, "Marketing", L(21, 10, 0), L(21, 14, 0), L(20, 8, 0), 3},
    {"N4", PSVC_NOTICE_ORDERED_USE, "Marketing", L(21, 12, 0), L(21, 14, 0), L(20, 12, 0), 3},
    {"N5", PSVC_NOTICE_FAULT, "Crew-A", L(25, 10, 20), L(25, 12, 0), L(25, 10, 0), 4},
    {"N6", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch-Room", L(12, 8, 0), L(12, 9, 0),
     FROM - HOUR, 5},
    {"N6", PSVC_NOTICE_PLANNED_MAINTENANCE, "Dispatch-Room", L(12, 8, 0), L(12, 10, 0),
     L(1, 12, 0), 5},
    {"N7", PSVC_NOTICE_FAULT, "Crew-A", TO + HOUR, TO + 2 * HOUR, TO, 6},
};
#define NPUBS (sizeof PUBS / sizeof PUBS[0])
#define NGROUPS 7

static void publish(psvc_ctx *ctx, const struct pubspec *p) {
  psvc_notice n = PSVC_NOTICE_INIT;
  n.id = p->id;
  n.kind = p->kind;
  n.unit = p->unit;
  n.feeder = "FDR-7";
  n.start = p->start;
  n.end = p->end;
  n.published_at = p->pub;
  MUST(ctx, psvc_notice_publish(ctx, &n));
}

/* The whole month; `reverse` enters customers, orders, calls and notices in
   the opposite order (the report must not depend on it). */
static void build(psvc_ctx *ctx, bool reverse) {
  static const char *const cust[][3] = {{CU_U, "Quillon Vexmoor", "+86-139-5550-7731"},
                                        {CU_R, "Brisa Tallowmere", "0571-8821-4410"},
                                        {CU_X, "Odalys Fenwright", "13600990099"}};
  static const int area[] = {PSVC_AREA_URBAN, PSVC_AREA_RURAL, PSVC_AREA_REMOTE};
  for (size_t k = 0; k < 3; k++) {
    size_t i = reverse ? 2 - k : k;
    add_customer(ctx, cust[i][0], cust[i][1], cust[i][2], area[i]);
  }
  for (size_t k = 0; k < NORDERS; k++)
    ORDERS[reverse ? NORDERS - 1 - k : k](ctx);
  for (size_t k = 0; k < NCALLS; k++) {
    const struct callspec *c = &CALLS[reverse ? NCALLS - 1 - k : k];
    MUST(ctx, psvc_call_record(ctx, c->id, c->arr, c->ans, c->end, c->agent, c->order));
  }
  for (int g = 0; g < NGROUPS; g++)
    for (size_t i = 0; i < NPUBS; i++)
      if (PUBS[i].group == (reverse ? NGROUPS - 1 - g : g))
        publish(ctx, &PUBS[i]);
}

static fault_mem *M;
static psvc_ctx *CTX;

static psvc_ctx *open_on(fault_mem *m) {
  psvc_store s;
  fault_mem_store(m, &s);
  psvc_ctx *ctx = NULL;
  int rc = psvc_ctx_open(&ctx, &s);
  ck_assert_msg(rc == PSVC_OK, "psvc_ctx_open: %d (%s)", rc, psvc_errmsg(NULL));
  return ctx;
}

static void setup(void) {
  M = fault_mem_new();
  CTX = open_on(M);
  build(CTX, false);
}

static void teardown(void) {
  json_tool_flush();
  psvc_ctx_close(CTX);
  CTX = NULL;
  if (M) {
    ck_assert_int_eq(M->violations, 0);
    fault_mem_free(M);
  }
  M = NULL;
}

/* The report's text (libc copy), checked: one line ending in "\n", no raw
   control byte, valid JSON for python3 too. */
static char *report_in(int line, psvc_ctx *ctx, psvc_time from, psvc_time to, psvc_time now,
                       const char *by) {
  char *json = NULL;
  int rc = psvc_report_json(ctx, from, to, now, by, &json);
  ck_assert_msg(rc == PSVC_OK, "line %d: psvc_report_json: rc %d (%s): %s", line, rc,
                psvc_strerror(rc), psvc_errmsg(ctx));
  ck_assert_ptr_nonnull(json);
  size_t len = strlen(json);
  ck_assert_msg(len > 2 && json[len - 1] == '\n', "line %d: the report does not end in a newline",
                line);
  for (size_t i = 0; i + 1 < len; i++)
    ck_assert_msg((unsigned char)json[i] >= 0x20,
                  "line %d: raw control byte 0x%02x at %zu (one line, escaped text)", line,
                  (unsigned char)json[i], i);
  char *copy = strdup(json);
  ck_assert_ptr_nonnull(copy);
  psvc_free(json);
  json_tool_queue(copy);
  return copy;
}
#define REPORT(ctx, from, to, now, by) report_in(__LINE__, ctx, from, to, now, by)

/* ======================================================================================= */
/* the hand-computed expectations                                                           */
/* ======================================================================================= */

typedef struct mexp {
  long met, breached, running, pending, ever;
  const char *rate, *avg; /* NULL: null */
} mexp;

typedef struct gexp {
  const char *key;
  long orders;
  long states[11]; /* ACCEPTED DISPATCHED RECEIVED ON_SITE RESOLVED REPLIED VISITED CLOSED
                      SUSPENDED CANCELLED MERGED */
  long merged, reopened, complaints;
  mexp m[6]; /* DISPATCH ARRIVAL REPLY RESOLVE VISIT CONTACT */
  long d_orders;
  const char *d_avg;
  long d_target;
  const char *d_meets; /* "true", "false", NULL */
  long visits, sat, fairly, unsat;
  const char *s_rate, *s_meets;
} gexp;

#define Z {0, 0, 0, 0, 0, NULL, NULL}

static const char *const METRIC_KEYS[6] = {"DISPATCH", "ARRIVAL", "REPLY",
                                           "RESOLVE",  "VISIT",   "CONTACT"};
static const char *const STATE_KEYS[11] = {"ACCEPTED", "DISPATCHED", "RECEIVED", "ON_SITE",
                                           "RESOLVED", "REPLIED",    "VISITED",  "CLOSED",
                                           "SUSPENDED", "CANCELLED", "MERGED"};
#define GROUP_KEYS "key,orders,by_state,merged,reopened,complaints,metrics,dispatch,satisfaction"
#define STATE_KEY_LIST                                                         \
  "ACCEPTED,DISPATCHED,RECEIVED,ON_SITE,RESOLVED,REPLIED,VISITED,CLOSED,SUSPENDED,CANCELLED," \
  "MERGED"
#define METRIC_KEY_LIST "DISPATCH,ARRIVAL,REPLY,RESOLVE,VISIT,CONTACT"
#define METRIC_FIELDS "met,breached,running,pending,ever_breached,on_time_rate,average_s"
#define DISPATCH_FIELDS "orders,average_s,target_s,meets_target"
#define SAT_FIELDS "visits,satisfied,fairly_satisfied,unsatisfied,rate,target,meets_target"

/* Every key (in order) and every value of a group object at `path`. */
static void expect_group(int line, const jv *doc, const char *path, const gexp *g) {
  char p[256];
  expect_keys(line, doc, path, GROUP_KEYS);
  snprintf(p, sizeof p, "%s.key", path);
  expect_str(line, doc, p, g->key);
  snprintf(p, sizeof p, "%s.orders", path);
  expect_int(line, doc, p, g->orders);
  snprintf(p, sizeof p, "%s.by_state", path);
  expect_keys(line, doc, p, STATE_KEY_LIST);
  for (int s = 0; s < 11; s++) {
    snprintf(p, sizeof p, "%s.by_state.%s", path, STATE_KEYS[s]);
    expect_int(line, doc, p, g->states[s]);
  }
  snprintf(p, sizeof p, "%s.merged", path);
  expect_int(line, doc, p, g->merged);
  snprintf(p, sizeof p, "%s.reopened", path);
  expect_int(line, doc, p, g->reopened);
  snprintf(p, sizeof p, "%s.complaints", path);
  expect_int(line, doc, p, g->complaints);
  snprintf(p, sizeof p, "%s.metrics", path);
  expect_keys(line, doc, p, METRIC_KEY_LIST);
  for (int m = 0; m < 6; m++) {
    const mexp *e = &g->m[m];
    char b[200];
    snprintf(b, sizeof b, "%s.metrics.%s", path, METRIC_KEYS[m]);
    expect_keys(line, doc, b, METRIC_FIELDS);
    snprintf(p, sizeof p, "%s.met", b);
    expect_int(line, doc, p, e->met);
    snprintf(p, sizeof p, "%s.breached", b);
    expect_int(line, doc, p, e->breached);
    snprintf(p, sizeof p, "%s.running", b);
    expect_int(line, doc, p, e->running);
    snprintf(p, sizeof p, "%s.pending", b);
    expect_int(line, doc, p, e->pending);
    snprintf(p, sizeof p, "%s.ever_breached", b);
    expect_int(line, doc, p, e->ever);
    snprintf(p, sizeof p, "%s.on_time_rate", b);
    expect_num(line, doc, p, e->rate);
    snprintf(p, sizeof p, "%s.average_s", b);
    expect_num(line, doc, p, e->avg);
  }
  snprintf(p, sizeof p, "%s.dispatch", path);
  expect_keys(line, doc, p, DISPATCH_FIELDS);
  snprintf(p, sizeof p, "%s.dispatch.orders", path);
  expect_int(line, doc, p, g->d_orders);
  snprintf(p, sizeof p, "%s.dispatch.average_s", path);
  expect_num(line, doc, p, g->d_avg);
  snprintf(p, sizeof p, "%s.dispatch.target_s", path);
  expect_int(line, doc, p, g->d_target);
  snprintf(p, sizeof p, "%s.dispatch.meets_target", path);
  expect_lit(line, doc, p, g->d_meets);
  snprintf(p, sizeof p, "%s.satisfaction", path);
  expect_keys(line, doc, p, SAT_FIELDS);
  snprintf(p, sizeof p, "%s.satisfaction.visits", path);
  expect_int(line, doc, p, g->visits);
  snprintf(p, sizeof p, "%s.satisfaction.satisfied", path);
  expect_int(line, doc, p, g->sat);
  snprintf(p, sizeof p, "%s.satisfaction.fairly_satisfied", path);
  expect_int(line, doc, p, g->fairly);
  snprintf(p, sizeof p, "%s.satisfaction.unsatisfied", path);
  expect_int(line, doc, p, g->unsat);
  snprintf(p, sizeof p, "%s.satisfaction.rate", path);
  expect_num(line, doc, p, g->s_rate);
  snprintf(p, sizeof p, "%s.satisfaction.target", path);
  expect_num(line, doc, p, "0.9000");
  snprintf(p, sizeof p, "%s.satisfaction.meets_target", path);
  expect_lit(line, doc, p, g->s_meets);
}
#define GROUP(path, g) expect_group(__LINE__, DOC, path, g)

/*
 * All ten orders (the total, and the one group of "none"):
 *   by_state: DISPATCHED 1 (F4), RECEIVED 1 (K2), ON_SITE 1 (F5), REPLIED 1
 *   (S1), CLOSED 5 (Q1 F1 F2 F3 K1), MERGED 1 (M1); merged 1, reopened 1
 *   (F3), complaints 2 (K1 K2).
 *   DISPATCH: met 6 (F1 F2 F4 S1 K2 F5), breached 2 (F3 K1), ever 2,
 *     rate 6/8 = 0.7500, average (60+30+200+101+300+150+90+0)/8 =
 *     931/8 = 116.375 -> "116.4".
 *   ARRIVAL: met 3 (F1 F3 F5), breached 2 (F2 stopped, F4 running), ever 3
 *     (F2 F4, and F3 in cycle 1),
 *     rate 3/5 = 0.6000, average over stopped (1800+3600+2100+2700)/4 =
 *     2550.0.
 *   REPLY: met 2 (Q1 K1), running 1 (K2), rate 2/2 = 1.0000, average
 *     (60+172800)/2 = 86430.0.
 *   RESOLVE: met 3 (F1 F3 S1), breached 2 (F2 stopped, F5 running),
 *     pending 1 (F4), ever 2, rate 3/5 = 0.6000, average
 *     (7200+3600+18000+14400)/4 = 10800.0.
 *   VISIT: nothing applies: zeros, null, null.
 *   CONTACT: met 1 (K1), breached 1 (K2 running), ever 1, rate 0.5000,
 *     average 7200.0.
 *   dispatch (Q-3): 8 stopped clocks, 116.4 <= 180: true.
 *   satisfaction (Q-4): visits 5 (F1 S, F2 FS, F3 U + S, K1 S): satisfied
 *     3, fairly 1, unsatisfied 1, rate 4/5 = 0.8000 < 0.9: false.
 */
static const gexp G_ALL = {
    "all", 10, {0, 1, 1, 1, 0, 1, 0, 5, 0, 0, 1}, 1, 1, 2,
    {{6, 2, 0, 0, 2, "0.7500", "116.4"},
     {3, 2, 0, 0, 3, "0.6000", "2550.0"},
     {2, 0, 1, 0, 0, "1.0000", "86430.0"},
     {3, 2, 0, 1, 2, "0.6000", "10800.0"},
     Z,
     {1, 1, 0, 0, 1, "0.5000", "7200.0"}},
    8, "116.4", 180, "true", 5, 3, 1, 1, "0.8000", "false"};

/* By type (sorted: COMPLAINT, FAULT_REPAIR, INQUIRY, SERVICE_REQUEST).
   COMPLAINT {K1, K2}: DISPATCH K1 B300 + K2 M90: rate 0.5000, avg 390/2 =
   195.0 > 180: false; REPLY K1 M172800 + K2 running; CONTACT K1 M7200 + K2
   breached running: rate 0.5000, avg 7200.0; visits 1 (K1 S). */
static const gexp G_COMPLAINT = {
    "COMPLAINT", 2, {0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0}, 0, 0, 2,
    {{1, 1, 0, 0, 1, "0.5000", "195.0"},
     Z,
     {1, 0, 1, 0, 0, "1.0000", "172800.0"},
     Z,
     Z,
     {1, 1, 0, 0, 1, "0.5000", "7200.0"}},
    2, "195.0", 180, "false", 1, 1, 0, 0, "1.0000", "true"};
/* FAULT_REPAIR {F1, M1, F2, F3, F4, F5}: DISPATCH 60 30 200(B) 101 0, M1
   N/A: met 4 breached 1, rate 0.8000, avg 391/5 = 78.2; ARRIVAL as the
   total (ever 3); RESOLVE F1 M7200, F2 B14400, F3 M3600, F4 P, F5 B(run): met 2
   breached 2 pending 1, rate 0.5000, avg 25200/3 = 8400.0; visits F1 S,
   F2 FS, F3 U+S: 4, rate 3/4 = 0.7500. */
static const gexp G_FAULT = {
    "FAULT_REPAIR", 6, {0, 1, 0, 1, 0, 0, 0, 3, 0, 0, 1}, 1, 1, 0,
    {{4, 1, 0, 0, 1, "0.8000", "78.2"},
     {3, 2, 0, 0, 3, "0.6000", "2550.0"},
     Z,
     {2, 2, 0, 1, 2, "0.5000", "8400.0"},
     Z,
     Z},
    5, "78.2", 180, "true", 4, 2, 1, 1, "0.7500", "false"};
/* INQUIRY {Q1}: only REPLY, met after 60 s; DISPATCH N/A (closed
   unbreached). The same numbers are the unit group Desk-2 and the area
   group NONE. */
#define Q1_GROUP(k)                                                            \
  {k, 1, {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 0, 0, 0,                           \
   {Z, Z, {1, 0, 0, 0, 0, "1.0000", "60.0"}, Z, Z, Z},                         \
   0, NULL, 180, NULL, 0, 0, 0, 0, NULL, NULL}
static const gexp G_INQUIRY = Q1_GROUP("INQUIRY");
/* SERVICE_REQUEST {S1}: DISPATCH M150, RESOLVE M18000. */
static const gexp G_SR = {
    "SERVICE_REQUEST", 1, {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0}, 0, 0, 0,
    {{1, 0, 0, 0, 0, "1.0000", "150.0"}, Z, Z, {1, 0, 0, 0, 0, "1.0000", "18000.0"}, Z, Z},
    1, "150.0", 180, "true", 0, 0, 0, 0, NULL, NULL};

/* By unit (W-4 responsible unit, else current, else opening unit; sorted
   bytewise: Crew-A, Crew-B, Desk-1, Desk-2, Grid-Office, Svc-Office).
   Crew-A {F1, F2, F5}: DISPATCH 60 30 0: avg 30.0; ARRIVAL 1800 M, 2700 B,
   2100 M: rate 2/3 = 0.6667, avg 6600/3 = 2200.0; RESOLVE 7200 M, 14400 B,
   F5 B(run): rate 1/3 = 0.3333, avg 21600/2 = 10800.0; visits F1 S, F2 FS. */
static const gexp G_CREW_A = {
    "Crew-A", 3, {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0}, 0, 0, 0,
    {{3, 0, 0, 0, 0, "1.0000", "30.0"},
     {2, 1, 0, 0, 1, "0.6667", "2200.0"},
     Z,
     {1, 2, 0, 0, 2, "0.3333", "10800.0"},
     Z,
     Z},
    3, "30.0", 180, "true", 2, 1, 1, 0, "1.0000", "true"};
/* Crew-B {F3, F4, S1}: DISPATCH 200 B, 101 M, 150 M: rate 0.6667, avg
   451/3 = 150.33 -> "150.3"; ARRIVAL F3 M3600 (ever breached), F4 B(run):
   ever 2, 0.5000, 3600.0;
   RESOLVE F3 M3600, F4 P, S1 M18000: avg 10800.0; visits F3 U + S. */
static const gexp G_CREW_B = {
    "Crew-B", 3, {0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0}, 0, 1, 0,
    {{2, 1, 0, 0, 1, "0.6667", "150.3"},
     {1, 1, 0, 0, 2, "0.5000", "3600.0"},
     Z,
     {2, 0, 0, 1, 0, "1.0000", "10800.0"},
     Z,
     Z},
    3, "150.3", 180, "true", 2, 1, 0, 1, "0.5000", "false"};
/* Desk-1 {M1}: merged, nothing measured. */
static const gexp G_DESK_1 = {
    "Desk-1", 1, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 1, 0, 0, {Z, Z, Z, Z, Z, Z},
    0, NULL, 180, NULL, 0, 0, 0, 0, NULL, NULL};
static const gexp G_DESK_2 = Q1_GROUP("Desk-2");
/* Grid-Office {K2}: DISPATCH M90; REPLY running (rate null: nothing
   judged); CONTACT breached running: rate 0/1 = 0.0000, average null. */
static const gexp G_GRID = {
    "Grid-Office", 1, {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 1,
    {{1, 0, 0, 0, 0, "1.0000", "90.0"},
     Z,
     {0, 0, 1, 0, 0, NULL, NULL},
     Z,
     Z,
     {0, 1, 0, 0, 1, "0.0000", NULL}},
    1, "90.0", 180, "true", 0, 0, 0, 0, NULL, NULL};
/* Svc-Office {K1}: DISPATCH B300 (300 > 180: false); REPLY M172800;
   CONTACT M7200; visit S. */
static const gexp G_SVC = {
    "Svc-Office", 1, {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 0, 0, 1,
    {{0, 1, 0, 0, 1, "0.0000", "300.0"},
     Z,
     {1, 0, 0, 0, 0, "1.0000", "172800.0"},
     Z,
     Z,
     {1, 0, 0, 0, 0, "1.0000", "7200.0"}},
    1, "300.0", 180, "false", 1, 1, 0, 0, "1.0000", "true"};

/* By area (sorted: NONE, REMOTE, RURAL, URBAN). NONE {Q1}. REMOTE {F4}:
   DISPATCH M101; ARRIVAL breached running (0.0000, null); RESOLVE pending
   (null, null). */
static const gexp G_NONE = Q1_GROUP("NONE");
static const gexp G_REMOTE = {
    "REMOTE", 1, {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 0,
    {{1, 0, 0, 0, 0, "1.0000", "101.0"},
     {0, 1, 0, 0, 1, "0.0000", NULL},
     Z,
     {0, 0, 0, 1, 0, NULL, NULL},
     Z,
     Z},
    1, "101.0", 180, "true", 0, 0, 0, 0, NULL, NULL};
/* RURAL {F3, S1, K2}: DISPATCH 200 B, 150, 90: 0.6667, 440/3 = 146.67 ->
   "146.7"; ARRIVAL F3 M3600 (ever breached); REPLY K2 running; RESOLVE F3 3600, S1 18000:
   10800.0; CONTACT K2 breached running; visits F3 U + S. */
static const gexp G_RURAL = {
    "RURAL", 3, {0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0}, 0, 1, 1,
    {{2, 1, 0, 0, 1, "0.6667", "146.7"},
     {1, 0, 0, 0, 1, "1.0000", "3600.0"},
     {0, 0, 1, 0, 0, NULL, NULL},
     {2, 0, 0, 0, 0, "1.0000", "10800.0"},
     Z,
     {0, 1, 0, 0, 1, "0.0000", NULL}},
    3, "146.7", 180, "true", 2, 1, 0, 1, "0.5000", "false"};
/* URBAN {F1, M1, F2, K1, F5}: DISPATCH 60 30 300(B) 0, M1 N/A: 0.7500,
   390/4 = 97.5; ARRIVAL 1800 2700(B) 2100: 0.6667, 2200.0; REPLY K1
   172800; RESOLVE 7200, 14400 B, F5 B(run): 0.3333, 10800.0; CONTACT K1
   7200; visits F1 S, F2 FS, K1 S: 3/3. */
static const gexp G_URBAN = {
    "URBAN", 5, {0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 1}, 1, 0, 1,
    {{3, 1, 0, 0, 1, "0.7500", "97.5"},
     {2, 1, 0, 0, 1, "0.6667", "2200.0"},
     {1, 0, 0, 0, 0, "1.0000", "172800.0"},
     {1, 2, 0, 0, 2, "0.3333", "10800.0"},
     Z,
     {1, 0, 0, 0, 0, "1.0000", "7200.0"}},
    4, "97.5", 180, "true", 3, 2, 1, 0, "1.0000", "true"};

/* The sections that do not depend on group_by. */
static void expect_common(int line, const jv *doc, const char *group_by) {
  const jv *keep = DOC;
  DOC = doc;
  expect_keys(line, doc, NULL,
              "schema,period,group_by,groups,total,complaints,calls,notices,monthly");
  expect_str(line, doc, "schema", "psvc.report.v1");
  expect_keys(line, doc, "period", "from,to,now,from_s,to_s,now_s");
  expect_str(line, doc, "period.from", "2026-09-30T16:00:00Z");
  expect_str(line, doc, "period.to", "2026-10-31T16:00:00Z");
  expect_str(line, doc, "period.now", "2026-11-02T02:00:00Z");
  expect_num(line, doc, "period.from_s", "1790784000");
  expect_num(line, doc, "period.to_s", "1793462400");
  expect_num(line, doc, "period.now_s", "1793584800");
  expect_str(line, doc, "group_by", group_by);
  expect_group(line, doc, "total", &G_ALL);
  /* Q-7: K1 SERVICE / URBAN / Svc-Office, K2 OUTAGE / RURAL / Grid-Office
     (X1 and X2 are outside the period) */
  expect_keys(line, doc, "complaints", "total,by_subtype,by_area,by_unit");
  expect_int(line, doc, "complaints.total", 2);
  expect_keys(line, doc, "complaints.by_subtype",
              "SERVICE,BUSINESS,OUTAGE,SUPPLY_QUALITY,GRID_CONSTRUCTION,NONE");
  expect_int(line, doc, "complaints.by_subtype.SERVICE", 1);
  expect_int(line, doc, "complaints.by_subtype.BUSINESS", 0);
  expect_int(line, doc, "complaints.by_subtype.OUTAGE", 1);
  expect_int(line, doc, "complaints.by_subtype.SUPPLY_QUALITY", 0);
  expect_int(line, doc, "complaints.by_subtype.GRID_CONSTRUCTION", 0);
  expect_int(line, doc, "complaints.by_subtype.NONE", 0);
  expect_keys(line, doc, "complaints.by_area", "URBAN,RURAL,REMOTE,NONE");
  expect_int(line, doc, "complaints.by_area.URBAN", 1);
  expect_int(line, doc, "complaints.by_area.RURAL", 1);
  expect_int(line, doc, "complaints.by_area.REMOTE", 0);
  expect_int(line, doc, "complaints.by_area.NONE", 0);
  expect_keys(line, doc, "complaints.by_unit", "Grid-Office,Svc-Office");
  expect_int(line, doc, "complaints.by_unit.Grid-Office", 1);
  expect_int(line, doc, "complaints.by_unit.Svc-Office", 1);
  /* Q-2, worked out at CALLS */
  expect_keys(line, doc, "calls",
              "offered,answered,abandoned,answered_within_limit,breached,limit_s,answer_rate,"
              "average_answer_s");
  expect_int(line, doc, "calls.offered", 9);
  expect_int(line, doc, "calls.answered", 6);
  expect_int(line, doc, "calls.abandoned", 3);
  expect_int(line, doc, "calls.answered_within_limit", 4);
  expect_int(line, doc, "calls.breached", 3);
  expect_int(line, doc, "calls.limit_s", 12);
  expect_num(line, doc, "calls.answer_rate", "0.4444");
  expect_num(line, doc, "calls.average_answer_s", "10.8");
  /* notices, worked out at PUBS */
  expect_keys(line, doc, "notices",
              "published,met,breached,changes,late_changes,on_time_rate,by_kind,by_unit");
  expect_int(line, doc, "notices.published", 5);
  expect_int(line, doc, "notices.met", 2);
  expect_int(line, doc, "notices.breached", 3);
  expect_int(line, doc, "notices.changes", 2);
  expect_int(line, doc, "notices.late_changes", 1);
  expect_num(line, doc, "notices.on_time_rate", "0.4000");
  expect_keys(line, doc, "notices.by_kind",
              "PLANNED_MAINTENANCE,ORDERED_USE,TEMPORARY_MAINTENANCE,FAULT,ARREARS,EMERGENCY");
  static const struct {
    const char *k;
    long p, m, b;
  } kinds[] = {{"PLANNED_MAINTENANCE", 2, 1, 1}, {"ORDERED_USE", 1, 1, 0},
               {"TEMPORARY_MAINTENANCE", 1, 0, 1}, {"FAULT", 1, 0, 1},
               {"ARREARS", 0, 0, 0}, {"EMERGENCY", 0, 0, 0}};
  char p[128];
  for (size_t i = 0; i < 6; i++) {
    snprintf(p, sizeof p, "notices.by_kind.%s", kinds[i].k);
    expect_keys(line, doc, p, "published,met,breached");
    snprintf(p, sizeof p, "notices.by_kind.%s.published", kinds[i].k);
    expect_int(line, doc, p, kinds[i].p);
    snprintf(p, sizeof p, "notices.by_kind.%s.met", kinds[i].k);
    expect_int(line, doc, p, kinds[i].m);
    snprintf(p, sizeof p, "notices.by_kind.%s.breached", kinds[i].k);
    expect_int(line, doc, p, kinds[i].b);
  }
  expect_keys(line, doc, "notices.by_unit", "Crew-A,Crew-B,Dispatch-Room,Marketing");
  static const struct {
    const char *u;
    long p, m, b;
  } units[] = {{"Crew-A", 1, 0, 1}, {"Crew-B", 1, 0, 1}, {"Dispatch-Room", 2, 1, 1},
               {"Marketing", 1, 1, 0}};
  for (size_t i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "notices.by_unit.%s", units[i].u);
    expect_keys(line, doc, p, "published,met,breached");
    snprintf(p, sizeof p, "notices.by_unit.%s.published", units[i].u);
    expect_int(line, doc, p, units[i].p);
    snprintf(p, sizeof p, "notices.by_unit.%s.met", units[i].u);
    expect_int(line, doc, p, units[i].m);
    snprintf(p, sizeof p, "notices.by_unit.%s.breached", units[i].u);
    expect_int(line, doc, p, units[i].b);
  }
  /* T-12: October, local; produced on 2 Nov, due 5 Nov 23:59:59 local */
  expect_keys(line, doc, "monthly", "month,due,produced_at,on_time,rule");
  expect_str(line, doc, "monthly.month", "2026-10");
  expect_str(line, doc, "monthly.due", "2026-11-05T15:59:59Z");
  expect_str(line, doc, "monthly.produced_at", "2026-11-02T02:00:00Z");
  expect_lit(line, doc, "monthly.on_time", "true");
  expect_str(line, doc, "monthly.rule", "T-12");
  DOC = keep;
}

/* The groups array holds exactly `n` groups, in this order. */
static void expect_groups(int line, const jv *doc, const gexp *const *g, size_t n) {
  const jv *arr = need(line, doc, "groups");
  ck_assert_msg(arr->type == J_ARR && arr->n == n, "line %d: %zu groups, want %zu", line,
                arr->type == J_ARR ? arr->n : 0, n);
  for (size_t i = 0; i < n; i++) {
    char p[32];
    snprintf(p, sizeof p, "groups.%zu", i);
    expect_group(line, doc, p, g[i]);
  }
}

/* ======================================================================================= */
/* the fixture itself, as worked out                                                        */
/* ======================================================================================= */

/* Each order's clocks at NOW as the table above says, through
   psvc_order_sla: this pins the fixture, so that a report test failing
   below is about the report. "M60": MET, stopped, 60 s; "B2700": BREACHED,
   stopped, 2700 s; "B": BREACHED, not stopped; "R" RUNNING; "P" PENDING;
   "-" NOT_APPLICABLE. */
START_TEST(test_fixture_clocks_as_worked_out) {
  static const struct {
    const char *id;
    const char *c[6];
  } want[] = {
      {"Q1", {"-", "-", "M60", "-", "-", "-"}},
      {"F1", {"M60", "M1800", "-", "M7200", "-", "-"}},
      {"M1", {"-", "-", "-", "-", "-", "-"}},
      {"F2", {"M30", "B2700", "-", "B14400", "-", "-"}},
      {"F3", {"B200", "M3600", "-", "M3600", "-", "-"}},
      {"F4", {"M101", "B", "-", "P", "-", "-"}},
      {"K1", {"B300", "-", "M172800", "-", "-", "M7200"}},
      {"S1", {"M150", "-", "-", "M18000", "-", "-"}},
      {"K2", {"M90", "-", "R", "-", "-", "B"}},
      {"F5", {"M0", "M2100", "-", "B", "-", "-"}},
  };
  static const int metric[6] = {PSVC_METRIC_DISPATCH, PSVC_METRIC_ARRIVAL, PSVC_METRIC_REPLY,
                                PSVC_METRIC_RESOLVE,  PSVC_METRIC_VISIT,   PSVC_METRIC_CONTACT};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    for (int m = 0; m < 6; m++) {
      psvc_sla s = PSVC_SLA_INIT;
      MUST(CTX, psvc_order_sla(CTX, want[i].id, metric[m], NOW, &s));
      const char *w = want[i].c[m];
      int st = w[0] == 'M'   ? PSVC_SLA_MET
               : w[0] == 'B' ? PSVC_SLA_BREACHED
               : w[0] == 'R' ? PSVC_SLA_RUNNING
               : w[0] == 'P' ? PSVC_SLA_PENDING
                             : PSVC_SLA_NOT_APPLICABLE;
      ck_assert_msg(s.status == st, "%s %s: status %s, want %s", want[i].id, METRIC_KEYS[m],
                    psvc_enum_name(PSVC_DOM_SLA_STATUS, s.status),
                    psvc_enum_name(PSVC_DOM_SLA_STATUS, st));
      if (w[1]) {
        ck_assert_msg(s.stopped_at != 0 && s.elapsed_s == atol(w + 1),
                      "%s %s: stopped_at %lld elapsed %lld, want stopped after %s", want[i].id,
                      METRIC_KEYS[m], (long long)s.stopped_at, (long long)s.elapsed_s, w + 1);
      } else if (st == PSVC_SLA_BREACHED) {
        ck_assert_msg(s.stopped_at == 0, "%s %s: stopped", want[i].id, METRIC_KEYS[m]);
      }
    }
  /* F3's ARRIVAL: met in cycle 2, breached in cycle 1 */
  psvc_sla f3 = PSVC_SLA_INIT;
  MUST(CTX, psvc_order_sla(CTX, "F3", PSVC_METRIC_ARRIVAL, NOW, &f3));
  ck_assert_int_eq(f3.cycle, 2);
  ck_assert_int_eq(f3.ever_breached, 1);
  MUST(CTX, psvc_order_sla(CTX, "F3", PSVC_METRIC_RESOLVE, NOW, &f3));
  ck_assert_int_eq(f3.ever_breached, 0);
  /* and the calls and notices */
  static const struct {
    const char *id;
    int st;
  } calls[] = {{"C1", PSVC_SLA_MET},  {"C5", PSVC_SLA_MET},  {"C2", PSVC_SLA_BREACHED},
               {"C3", PSVC_SLA_MET},  {"C4", PSVC_SLA_MET},  {"C6", PSVC_SLA_NOT_APPLICABLE},
               {"C7", PSVC_SLA_BREACHED}, {"C8", PSVC_SLA_BREACHED},
               {"C9", PSVC_SLA_NOT_APPLICABLE}};
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    psvc_sla s = PSVC_SLA_INIT;
    MUST(CTX, psvc_call_sla(CTX, calls[i].id, &s));
    ck_assert_msg(s.status == calls[i].st, "%s: %s", calls[i].id,
                  psvc_enum_name(PSVC_DOM_SLA_STATUS, s.status));
  }
  static const struct {
    const char *id;
    int st, cycle;
  } notices[] = {{"N1", PSVC_SLA_MET, 1},      {"N2", PSVC_SLA_BREACHED, 1},
                 {"N3", PSVC_SLA_BREACHED, 2}, {"N4", PSVC_SLA_MET, 2},
                 {"N5", PSVC_SLA_BREACHED, 1}, {"N6", PSVC_SLA_MET, 2}};
  for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++) {
    psvc_sla s = PSVC_SLA_INIT;
    MUST(CTX, psvc_notice_sla(CTX, notices[i].id, &s));
    ck_assert_msg(s.status == notices[i].st && s.cycle == notices[i].cycle, "%s: %s cycle %d",
                  notices[i].id, psvc_enum_name(PSVC_DOM_SLA_STATUS, s.status), s.cycle);
  }
}
END_TEST

/* ======================================================================================= */
/* the four groupings                                                                       */
/* ======================================================================================= */

START_TEST(test_Q1_to_Q7_report_none_hand_computed) {
  char *json = REPORT(CTX, FROM, TO, NOW, "none");
  jv *doc = jparse(json);
  expect_common(__LINE__, doc, "none");
  const gexp *g[] = {&G_ALL};
  expect_groups(__LINE__, doc, g, 1);
  /* the one group is the total, byte for byte */
  const jv *g0 = jget(doc, "groups.0"), *tot = jget(doc, "total");
  ck_assert(g0->srclen == tot->srclen && memcmp(g0->src, tot->src, g0->srclen) == 0);
  jdoc_free(doc);
  /* NULL is "none" */
  char *json2 = REPORT(CTX, FROM, TO, NOW, NULL);
  ck_assert_str_eq(json, json2);
  free(json2);
  free(json);
}
END_TEST

START_TEST(test_Q1_report_by_type) {
  char *json = REPORT(CTX, FROM, TO, NOW, "type");
  jv *doc = jparse(json);
  expect_common(__LINE__, doc, "type");
  const gexp *g[] = {&G_COMPLAINT, &G_FAULT, &G_INQUIRY, &G_SR};
  expect_groups(__LINE__, doc, g, 4);
  jdoc_free(doc);
  free(json);
}
END_TEST

START_TEST(test_Q1_W4_report_by_unit) {
  char *json = REPORT(CTX, FROM, TO, NOW, "unit");
  jv *doc = jparse(json);
  expect_common(__LINE__, doc, "unit");
  const gexp *g[] = {&G_CREW_A, &G_CREW_B, &G_DESK_1, &G_DESK_2, &G_GRID, &G_SVC};
  expect_groups(__LINE__, doc, g, 6);
  jdoc_free(doc);
  free(json);
}
END_TEST

START_TEST(test_Q1_C7_report_by_area) {
  char *json = REPORT(CTX, FROM, TO, NOW, "area");
  jv *doc = jparse(json);
  expect_common(__LINE__, doc, "area");
  const gexp *g[] = {&G_NONE, &G_REMOTE, &G_RURAL, &G_URBAN};
  expect_groups(__LINE__, doc, g, 4);
  jdoc_free(doc);
  free(json);
}
END_TEST

/* A group object byte for byte: key order, number formats, null. */
#define ZERO_METRIC                                                            \
  "{\"met\":0,\"breached\":0,\"running\":0,\"pending\":0,\"ever_breached\":0,"   \
  "\"on_time_rate\":null,\"average_s\":null}"
START_TEST(test_group_object_exact_text) {
  static const char want[] =
      "{\"key\":\"INQUIRY\",\"orders\":1,\"by_state\":{\"ACCEPTED\":0,\"DISPATCHED\":0,"
      "\"RECEIVED\":0,\"ON_SITE\":0,\"RESOLVED\":0,\"REPLIED\":0,\"VISITED\":0,\"CLOSED\":1,"
      "\"SUSPENDED\":0,\"CANCELLED\":0,\"MERGED\":0},\"merged\":0,\"reopened\":0,"
      "\"complaints\":0,\"metrics\":{\"DISPATCH\":" ZERO_METRIC ",\"ARRIVAL\":" ZERO_METRIC
      ",\"REPLY\":{\"met\":1,\"breached\":0,\"running\":0,\"pending\":0,\"ever_breached\":0,"
      "\"on_time_rate\":1.0000,\"average_s\":60.0},\"RESOLVE\":" ZERO_METRIC
      ",\"VISIT\":" ZERO_METRIC ",\"CONTACT\":" ZERO_METRIC "},\"dispatch\":{\"orders\":0,"
      "\"average_s\":null,\"target_s\":180,\"meets_target\":null},\"satisfaction\":{"
      "\"visits\":0,\"satisfied\":0,\"fairly_satisfied\":0,\"unsatisfied\":0,\"rate\":null,"
      "\"target\":0.9000,\"meets_target\":null}}";
  char *json = REPORT(CTX, FROM, TO, NOW, "type");
  jv *doc = jparse(json);
  const jv *g = jget(doc, "groups.2");
  ck_assert_ptr_nonnull(g);
  ck_assert_msg(g->srclen == strlen(want) && memcmp(g->src, want, g->srclen) == 0,
                "group text:\n%.*s\nwant:\n%s", (int)g->srclen, g->src, want);
  /* the document starts with the schema and the period, in order */
  static const char head[] =
      "{\"schema\":\"psvc.report.v1\",\"period\":{\"from\":\"2026-09-30T16:00:00Z\","
      "\"to\":\"2026-10-31T16:00:00Z\",\"now\":\"2026-11-02T02:00:00Z\",\"from_s\":1790784000,"
      "\"to_s\":1793462400,\"now_s\":1793584800},\"group_by\":\"type\",\"groups\":[{\"key\":"
      "\"COMPLAINT\",";
  ck_assert_msg(strncmp(json, head, strlen(head)) == 0, "document starts:\n%.300s", json);
  /* and ends with monthly, then one newline */
  static const char tail[] =
      ",\"monthly\":{\"month\":\"2026-10\",\"due\":\"2026-11-05T15:59:59Z\",\"produced_at\":"
      "\"2026-11-02T02:00:00Z\",\"on_time\":true,\"rule\":\"T-12\"}}\n";
  size_t n = strlen(json);
  ck_assert(n > strlen(tail) && strcmp(json + n - strlen(tail), tail) == 0);
  ck_assert_ptr_eq(strchr(json, '\n'), json + n - 1); /* one line */
  jdoc_free(doc);
  free(json);
}
END_TEST

/* ======================================================================================= */
/* T-12                                                                                     */
/* ======================================================================================= */

static psvc_time days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
/* UTC instant of a UTC date and time; of a +08:00 local one. */
static psvc_time UT(int y, int mo, int d, int h, int mi, int s) {
  return days_from_civil(y, mo, d) * DAY + h * HOUR + mi * MINUTE + s;
}
static psvc_time LT(int y, int mo, int d, int h, int mi, int s) {
  return UT(y, mo, d, h, mi, s) - 8 * HOUR;
}

static void monthly_expect(int line, psvc_ctx *ctx, psvc_time from, psvc_time to, psvc_time now,
                           const char *month, const char *due, const char *produced,
                           const char *on_time) {
  char *json = report_in(line, ctx, from, to, now, "none");
  jv *doc = jparse(json);
  if (!month) {
    expect_lit(line, doc, "monthly", NULL);
  } else {
    expect_keys(line, doc, "monthly", "month,due,produced_at,on_time,rule");
    expect_str(line, doc, "monthly.month", month);
    expect_str(line, doc, "monthly.due", due);
    expect_str(line, doc, "monthly.produced_at", produced);
    expect_lit(line, doc, "monthly.on_time", on_time);
    expect_str(line, doc, "monthly.rule", "T-12");
  }
  jdoc_free(doc);
  free(json);
}
#define MONTHLY(ctx, from, to, now, month, due, produced, on_time)              \
  monthly_expect(__LINE__, ctx, from, to, now, month, due, produced, on_time)

START_TEST(test_T12_monthly_on_time_until_the_end_of_the_5th) {
  ck_assert_int_eq(FROM, LT(2026, 10, 1, 0, 0, 0));
  ck_assert_int_eq(TO, LT(2026, 11, 1, 0, 0, 0));
  ck_assert_int_eq(DUE, LT(2026, 11, 5, 23, 59, 59));
  MONTHLY(CTX, FROM, TO, DUE, "2026-10", "2026-11-05T15:59:59Z", "2026-11-05T15:59:59Z", "true");
  MONTHLY(CTX, FROM, TO, DUE + 1, "2026-10", "2026-11-05T15:59:59Z", "2026-11-05T16:00:00Z",
          "false");
  /* produced before the month ended is on time too */
  MONTHLY(CTX, FROM, TO, FROM, "2026-10", "2026-11-05T15:59:59Z", "2026-09-30T16:00:00Z", "true");
}
END_TEST

START_TEST(test_T12_monthly_is_null_for_other_periods) {
  MONTHLY(CTX, FROM, TO - DAY, NOW, NULL, NULL, NULL, NULL);            /* 30 days */
  MONTHLY(CTX, FROM, TO + 1, NOW, NULL, NULL, NULL, NULL);              /* a second more */
  MONTHLY(CTX, FROM + 1, TO, NOW, NULL, NULL, NULL, NULL);              /* a second less */
  MONTHLY(CTX, FROM, LT(2026, 12, 1, 0, 0, 0), NOW, NULL, NULL, NULL, NULL); /* two months */
  MONTHLY(CTX, FROM + 8 * HOUR, TO + 8 * HOUR, NOW, NULL, NULL, NULL, NULL); /* UTC month */
  MONTHLY(CTX, LT(2026, 10, 2, 0, 0, 0), LT(2026, 11, 2, 0, 0, 0), NOW, NULL, NULL, NULL, NULL);
  MONTHLY(CTX, FROM, FROM + DAY, NOW, NULL, NULL, NULL, NULL);          /* a day */
}
END_TEST

START_TEST(test_T12_monthly_other_months) {
  /* December: due in the next year */
  MONTHLY(CTX, LT(2026, 12, 1, 0, 0, 0), LT(2027, 1, 1, 0, 0, 0), LT(2027, 1, 5, 23, 59, 59),
          "2026-12", "2027-01-05T15:59:59Z", "2027-01-05T15:59:59Z", "true");
  MONTHLY(CTX, LT(2026, 12, 1, 0, 0, 0), LT(2027, 1, 1, 0, 0, 0), LT(2027, 1, 6, 0, 0, 0),
          "2026-12", "2027-01-05T15:59:59Z", "2027-01-05T16:00:00Z", "false");
  /* a leap February */
  MONTHLY(CTX, LT(2028, 2, 1, 0, 0, 0), LT(2028, 3, 1, 0, 0, 0), LT(2028, 3, 1, 9, 0, 0),
          "2028-02", "2028-03-05T15:59:59Z", "2028-03-01T01:00:00Z", "true");
  /* the context's "default" calendar decides the local time: UTC now */
  psvc_calendar *cal = NULL;
  MUST(CTX, psvc_calendar_new(&cal, 0));
  MUST(CTX, psvc_ctx_set_calendar(CTX, "default", cal));
  psvc_calendar_free(cal);
  MONTHLY(CTX, UT(2026, 10, 1, 0, 0, 0), UT(2026, 11, 1, 0, 0, 0), UT(2026, 11, 5, 23, 59, 59),
          "2026-10", "2026-11-05T23:59:59Z", "2026-11-05T23:59:59Z", "true");
  MONTHLY(CTX, FROM, TO, NOW, NULL, NULL, NULL, NULL); /* no longer a local month */
}
END_TEST

/* ======================================================================================= */
/* determinism                                                                              */
/* ======================================================================================= */

START_TEST(test_same_data_same_bytes) {
  static const char *const by[] = {"none", "type", "unit", "area"};
  char *ref[4];
  for (int i = 0; i < 4; i++) {
    ref[i] = REPORT(CTX, FROM, TO, NOW, by[i]);
    char *again = REPORT(CTX, FROM, TO, NOW, by[i]);
    ck_assert_str_eq(ref[i], again);
    free(again);
  }
  /* after a close and reopen on the same store */
  psvc_ctx_close(CTX);
  CTX = open_on(M);
  for (int i = 0; i < 4; i++) {
    char *again = REPORT(CTX, FROM, TO, NOW, by[i]);
    ck_assert_msg(strcmp(ref[i], again) == 0, "%s after reopen:\n%s\nvs\n%s", by[i], again,
                  ref[i]);
    free(again);
  }
  /* the same data entered in the opposite order, without a store */
  psvc_ctx *other = NULL;
  MUST(other, psvc_ctx_open(&other, NULL));
  build(other, true);
  for (int i = 0; i < 4; i++) {
    char *again = REPORT(other, FROM, TO, NOW, by[i]);
    ck_assert_msg(strcmp(ref[i], again) == 0, "%s, data in another order:\n%s\nvs\n%s", by[i],
                  again, ref[i]);
    free(again);
    free(ref[i]);
  }
  psvc_ctx_close(other);
}
END_TEST

/* ======================================================================================= */
/* escaping and personal data                                                               */
/* ======================================================================================= */

/* Quotes and backslashes in unit names are escaped, UTF-8 passes through.
   Control characters cannot reach the report: every unit name is refused
   with one (checked here), so the \u00XX path of the writer has no input. */
START_TEST(test_unit_names_are_escaped) {
  psvc_ctx *ctx = NULL;
  MUST(ctx, psvc_ctx_open(&ctx, NULL));
  add_customer(ctx, CU_U, "Quillon Vexmoor", "+86-139-5550-7731", PSVC_AREA_URBAN);
  const char *desk = "Desk \"North\" \\ 2", *crew = "Crew \"Q\" \\ 9",
             *utf = "\xe6\x8a\xa2\xe4\xbf\xae\xe7\x8f\xad", *ops = "Ops \"A\" \\ B/C";
  psvc_actor esc = {sizeof esc, "agent.99", PSVC_ROLE_AGENT, desk};
  psvc_actor qc = {sizeof qc, "crew.q", PSVC_ROLE_REPAIR_CREW, crew};
  psvc_actor uc = {sizeof uc, "crew.u", PSVC_ROLE_REPAIR_CREW, utf};
  const psvc_time t = L(4, 10, 0);
  open_order(ctx, "E1", PSVC_ORDER_COMPLAINT, PSVC_COMPLAINT_SERVICE, CU_U, 0, t, &esc);
  ACT("E1", DISPATCH, t + 60, crew, 0, &esc);
  ACT("E1", RECEIVE, t + 120, NULL, 0, &qc);
  open_order(ctx, "E2", PSVC_ORDER_INQUIRY, 0, NULL, 0, t, &esc);
  open_order(ctx, "E3", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, t, &AGENT);
  ACT("E3", DISPATCH, t + 60, utf, 0, &AGENT);
  ACT("E3", RECEIVE, t + 120, NULL, 0, &uc);
  psvc_notice n = PSVC_NOTICE_INIT;
  n.id = "N-E";
  n.kind = PSVC_NOTICE_FAULT;
  n.unit = ops;
  n.feeder = "FDR-7";
  n.start = t + HOUR;
  n.end = t + 2 * HOUR;
  n.published_at = t;
  MUST(ctx, psvc_notice_publish(ctx, &n));
  /* control characters are refused wherever a unit name enters */
  psvc_actor bad = {sizeof bad, "agent.98", PSVC_ROLE_AGENT, "Desk\x01"};
  psvc_order_spec s = PSVC_ORDER_SPEC_INIT;
  s.id = "E9";
  s.type = PSVC_ORDER_INQUIRY;
  s.channel = PSVC_CHANNEL_PHONE;
  s.accepted_at = t;
  ck_assert_int_eq(psvc_order_open(ctx, &s, &bad), PSVC_EINVAL);
  psvc_event e = PSVC_EVENT_INIT;
  e.action = PSVC_ACT_DISPATCH;
  e.at = t + 200;
  e.target = "Crew\x1f";
  ck_assert_int_eq(psvc_order_apply(ctx, "E2", &e, &esc), PSVC_EINVAL);
  e.target = "Crew\n";
  ck_assert_int_eq(psvc_order_apply(ctx, "E2", &e, &esc), PSVC_EINVAL);
  n.id = "N-F";
  n.unit = "Ops\x7f";
  ck_assert_int_eq(psvc_notice_publish(ctx, &n), PSVC_EINVAL);
  n.unit = "Ops\t1";
  ck_assert_int_eq(psvc_notice_publish(ctx, &n), PSVC_EINVAL);

  char *json = REPORT(ctx, FROM, TO, NOW, "unit");
  ck_assert_ptr_nonnull(strstr(json, "{\"key\":\"Crew \\\"Q\\\" \\\\ 9\",\"orders\":1,"));
  ck_assert_ptr_nonnull(strstr(json, "{\"key\":\"Desk \\\"North\\\" \\\\ 2\",\"orders\":1,"));
  ck_assert_ptr_nonnull(
      strstr(json, "{\"key\":\"\xe6\x8a\xa2\xe4\xbf\xae\xe7\x8f\xad\",\"orders\":1,"));
  ck_assert_ptr_nonnull(strstr(json, "\"by_unit\":{\"Crew \\\"Q\\\" \\\\ 9\":1}"));
  ck_assert_ptr_nonnull(strstr(
      json, "\"by_unit\":{\"Ops \\\"A\\\" \\\\ B/C\":{\"published\":1,\"met\":1,\"breached\":0}}"));
  jv *doc = jparse(json);
  const jv *DOC_ = doc;
  expect_str(__LINE__, DOC_, "groups.0.key", crew); /* bytewise: ' ' < 'D' < 0xE6 */
  expect_str(__LINE__, DOC_, "groups.1.key", desk);
  expect_str(__LINE__, DOC_, "groups.2.key", utf);
  const jv *cu = jget(doc, "complaints.by_unit");
  ck_assert(cu && cu->n == 1 && strcmp(cu->keys[0], crew) == 0);
  const jv *nu = jget(doc, "notices.by_unit");
  ck_assert(nu && nu->n == 1 && strcmp(nu->keys[0], ops) == 0);
  jdoc_free(doc);
  free(json);
  psvc_ctx_close(ctx);
}
END_TEST

/* W-12: no customer id, name or phone number anywhere, in any grouping. */
START_TEST(test_W12_no_personal_data) {
  static const char *const by[] = {"none", "type", "unit", "area"};
  for (int i = 0; i < 4; i++) {
    char *json = REPORT(CTX, FROM, TO, NOW, by[i]);
    for (size_t k = 0; k < sizeof PERSONAL / sizeof PERSONAL[0]; k++)
      ck_assert_msg(strstr(json, PERSONAL[k]) == NULL, "group_by %s: the report contains '%s'",
                    by[i], PERSONAL[k]);
    /* nor the customers' other texts */
    ck_assert_ptr_null(strstr(json, "Supply-East"));
    ck_assert_ptr_null(strstr(json, "FDR-7"));
    free(json);
  }
}
END_TEST

/* ======================================================================================= */
/* arguments, empty periods, policies                                                       */
/* ======================================================================================= */

START_TEST(test_report_arguments) {
  char *const sentinel = (char *)"untouched";
  char *out = sentinel;
  ck_assert_int_eq(psvc_report_json(NULL, FROM, TO, NOW, "none", &out), PSVC_EINVAL);
  ck_assert_ptr_nonnull(strstr(psvc_errmsg(NULL), "psvc_report_json"));
  ck_assert_int_eq(psvc_report_json(CTX, FROM, TO, NOW, "none", NULL), PSVC_EINVAL);
  static const char *const bad_by[] = {"", "TYPE", "Unit", "customer", "none ", "types", "all"};
  for (size_t i = 0; i < sizeof bad_by / sizeof bad_by[0]; i++) {
    ck_assert_msg(psvc_report_json(CTX, FROM, TO, NOW, bad_by[i], &out) == PSVC_EINVAL,
                  "group_by '%s'", bad_by[i]);
    ck_assert_ptr_nonnull(strstr(psvc_errmsg(CTX), "psvc_report_json"));
  }
  static const psvc_time bad_t[][3] = {
      {FROM, FROM, NOW},          /* from == to */
      {TO, FROM, NOW},            /* from > to */
      {-1, TO, NOW},              /* before 1970 */
      {FROM, TIME_MAX + 1, NOW},  /* after 9999 */
      {FROM, TO, -1},             /* now out of range */
      {FROM, TO, TIME_MAX + 1},
      {INT64_MIN, INT64_MAX, NOW},
  };
  for (size_t i = 0; i < sizeof bad_t / sizeof bad_t[0]; i++) {
    ck_assert_msg(psvc_report_json(CTX, bad_t[i][0], bad_t[i][1], bad_t[i][2], "type", &out) ==
                      PSVC_ERANGE,
                  "period %zu", i);
    ck_assert_str_ne(psvc_errmsg(CTX), "");
  }
  ck_assert_ptr_eq(out, sentinel); /* written on success only */
  /* the whole range is fine */
  char *json = REPORT(CTX, 0, TIME_MAX, TIME_MAX, "type");
  jv *doc = jparse(json);
  DOC = doc;
  STR("period.from", "1970-01-01T00:00:00Z");
  STR("period.to", "9999-12-31T23:59:59Z");
  NUM("period.to_s", "253402300799");
  INT("total.orders", 12); /* X1 and X2 too */
  LIT("monthly", NULL);
  jdoc_free(doc);
  free(json);
}
END_TEST

/* A period with nothing in it: zeros, nulls, no groups (one for "none"). */
START_TEST(test_report_empty_period) {
  char *json = REPORT(CTX, FROM - 60 * DAY, FROM - 30 * DAY, NOW, "type");
  jv *doc = jparse(json);
  DOC = doc;
  const jv *groups = jget(doc, "groups");
  ck_assert(groups && groups->type == J_ARR && groups->n == 0);
  const gexp empty = {"all", 0, {0}, 0, 0, 0, {Z, Z, Z, Z, Z, Z}, 0, NULL, 180, NULL,
                      0, 0, 0, 0, NULL, NULL};
  GROUP("total", &empty);
  INT("complaints.total", 0);
  KEYS("complaints.by_unit", "");
  INT("calls.offered", 0);
  NUM("calls.answer_rate", NULL);
  NUM("calls.average_answer_s", NULL);
  INT("notices.published", 0);
  NUM("notices.on_time_rate", NULL);
  KEYS("notices.by_unit", "");
  LIT("monthly", NULL);
  jdoc_free(doc);
  free(json);
  json = REPORT(CTX, FROM - 60 * DAY, FROM - 30 * DAY, NOW, "none");
  doc = jparse(json);
  DOC = doc;
  GROUP("groups.0", &empty);
  jdoc_free(doc);
  free(json);
}
END_TEST

/*
 * Policies: an ANSWER limit of 20 s and a DISPATCH limit of 100 s.
 *   calls: every answered wait (5 3 20 10 12 15) is within 20 s: 6;
 *   breached: C7 (abandoned after 30 s) only; answer_rate 6/9 = 0.6667.
 *   DISPATCH, limit 100: met F1 60, F2 30, K2 90, F5 0 = 4; breached F3
 *   200, F4 101, K1 300, S1 150, and Q1 and M1, whose clocks were
 *   abandoned (closed, merged) at 120 s > 100 s, unstopped = 6; ever 6;
 *   rate 4/10 = 0.4000; the average of the 8 stopped clocks is still
 *   116.4, now above the 100 s target: false.
 */
START_TEST(test_Q2_Q3_policies_change_limits_and_targets) {
  MUST(CTX, psvc_policy_set(CTX, PSVC_METRIC_ANSWER, 0, 0, PSVC_CLOCK_WALL, 20, NULL));
  MUST(CTX, psvc_policy_set(CTX, PSVC_METRIC_DISPATCH, 0, 0, PSVC_CLOCK_WALL, 100, NULL));
  char *json = REPORT(CTX, FROM, TO, NOW, "none");
  jv *doc = jparse(json);
  DOC = doc;
  INT("calls.limit_s", 20);
  INT("calls.answered_within_limit", 6);
  INT("calls.breached", 1);
  NUM("calls.answer_rate", "0.6667");
  NUM("calls.average_answer_s", "10.8");
  INT("total.metrics.DISPATCH.met", 4);
  INT("total.metrics.DISPATCH.breached", 6);
  INT("total.metrics.DISPATCH.running", 0);
  INT("total.metrics.DISPATCH.pending", 0);
  INT("total.metrics.DISPATCH.ever_breached", 6);
  NUM("total.metrics.DISPATCH.on_time_rate", "0.4000");
  NUM("total.metrics.DISPATCH.average_s", "116.4");
  INT("total.dispatch.orders", 8);
  NUM("total.dispatch.average_s", "116.4");
  INT("total.dispatch.target_s", 100);
  LIT("total.dispatch.meets_target", "false");
  INT("groups.0.dispatch.target_s", 100);
  jdoc_free(doc);
  free(json);
}
END_TEST

/* An order no unit ever held, opened by an actor without a unit, is
   grouped under "(none)". */
START_TEST(test_W4_unit_group_none) {
  psvc_actor sys = {sizeof sys, "import", PSVC_ROLE_SYSTEM, NULL};
  psvc_ctx *ctx = CTX;
  open_order(ctx, "Z1", PSVC_ORDER_INQUIRY, 0, NULL, 0, L(6, 6, 0), &sys);
  char *json = REPORT(CTX, FROM, TO, NOW, "unit");
  jv *doc = jparse(json);
  DOC = doc;
  STR("groups.0.key", "(none)"); /* '(' sorts before 'C' */
  INT("groups.0.orders", 1);
  INT("groups.0.by_state.ACCEPTED", 1);
  STR("groups.1.key", "Crew-A");
  INT("total.orders", 11);
  jdoc_free(doc);
  free(json);
}
END_TEST

/* W-4: the unit group is the order's responsible unit — the first unit
   that received it — even after a transfer or a return; before any
   receipt, its current unit (the one it is dispatched to). */
START_TEST(test_W4_unit_group_is_the_responsible_unit) {
  psvc_ctx *ctx = CTX;
  const psvc_time t = L(6, 6, 0);
  open_order(ctx, "Z1", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, t, &AGENT);
  ACT("Z1", DISPATCH, t + 10, "Crew-A", 0, &AGENT);
  ACT("Z1", RECEIVE, t + 20, NULL, 0, &CREW_A);
  ACT("Z1", TRANSFER, t + 30, "Crew-Z", 0, &CREW_A);
  open_order(ctx, "Z2", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, t, &AGENT);
  ACT("Z2", DISPATCH, t + 10, "Crew-Y", 0, &AGENT);
  /* received by Crew-A, returned, re-dispatched to and received by Crew-B:
     still Crew-A's */
  open_order(ctx, "Z3", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, t, &AGENT);
  ACT("Z3", DISPATCH, t + 10, "Crew-A", 0, &AGENT);
  ACT("Z3", RECEIVE, t + 20, NULL, 0, &CREW_A);
  ACT("Z3", RETURN, t + 30, NULL, 0, &CREW_A);
  ACT("Z3", DISPATCH, t + 40, "Crew-B", 0, &AGENT);
  ACT("Z3", RECEIVE, t + 50, NULL, 0, &CREW_B);
  /* dispatched to Crew-Q, returned unreceived: no responsible or current
     unit, so the opening unit Desk-1 */
  open_order(ctx, "Z4", PSVC_ORDER_FAULT_REPAIR, 0, CU_U, 0, t, &AGENT);
  ACT("Z4", DISPATCH, t + 10, "Crew-Q", 0, &AGENT);
  const psvc_actor crew_q = {sizeof crew_q, "crew.q", PSVC_ROLE_REPAIR_CREW, "Crew-Q"};
  ACT("Z4", RETURN, t + 30, NULL, 0, &crew_q);
  psvc_order *o = NULL;
  MUST(ctx, psvc_order_load(ctx, "Z1", &o));
  ck_assert_str_eq(psvc_order_responsible_unit(o), "Crew-A");
  psvc_order_free(o);
  char *json = REPORT(CTX, FROM, TO, NOW, "unit");
  jv *doc = jparse(json);
  DOC = doc;
  KEYS("complaints.by_unit", "Grid-Office,Svc-Office");
  STR("groups.0.key", "Crew-A");
  INT("groups.0.orders", 5); /* F1 F2 F5, Z1 and Z3 */
  STR("groups.1.key", "Crew-B");
  INT("groups.1.orders", 3); /* F3 F4 S1 */
  STR("groups.2.key", "Crew-Y");
  INT("groups.2.orders", 1);
  STR("groups.3.key", "Desk-1");
  INT("groups.3.orders", 2); /* M1 and Z4 */
  INT("groups.3.by_state.ACCEPTED", 1);
  ck_assert_ptr_null(strstr(json, "Crew-Z"));
  ck_assert_ptr_null(strstr(json, "Crew-Q"));
  jdoc_free(doc);
  free(json);
}
END_TEST

/* ======================================================================================= */
/* allocation failure                                                                       */
/* ======================================================================================= */

/* docs/security.md: int64_t extremes are ERANGE everywhere a time goes in. */
START_TEST(test_security_int64_times_are_erange) {
  char *json = NULL;
  static const psvc_time bad[] = {INT64_MIN, -1, (psvc_time)253402300800, INT64_MAX};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_int_eq(psvc_report_json(CTX, bad[i], 1790000000, 1790000000, "none", &json),
                     PSVC_ERANGE);
    ck_assert_int_eq(psvc_report_json(CTX, 0, bad[i] < 0 ? 0 : bad[i], 1790000000, "none",
                                      &json),
                     PSVC_ERANGE);
    ck_assert_int_eq(psvc_report_json(CTX, 0, 1790000000, bad[i], "none", &json), PSVC_ERANGE);
    ck_assert_int_eq(psvc_call_record(CTX, "CALL-INT64", bad[i], 0, bad[i], NULL, NULL),
                     PSVC_ERANGE);
    psvc_notice n = PSVC_NOTICE_INIT;
    n.id = "N-INT64";
    n.kind = PSVC_NOTICE_FAULT;
    n.unit = "dispatch";
    n.feeder = "F-1";
    n.start = 1790000000;
    n.end = bad[i];
    n.published_at = 1789990000;
    ck_assert_int_eq(psvc_notice_publish(CTX, &n), PSVC_ERANGE);
  }
  ck_assert_ptr_null(json);
}
END_TEST

START_TEST(test_fault_alloc_every_k) {
  /* the fixture's context is closed: the allocator is installed only while
     nothing of the library is alive */
  psvc_ctx_close(CTX);
  CTX = NULL;
  fault_mem_free(M);
  M = NULL;
  fault_alloc fa;
  FAULT_ALLOC_BEGIN(&fa);
  fa.paused = true;
  psvc_ctx *ctx = NULL;
  MUST(ctx, psvc_ctx_open(&ctx, NULL));
  build(ctx, false);
  const long base_blocks = fa.live_blocks;
  static const char *const by[] = {"none", "type", "unit", "area"};
  for (int i = 0; i < 4; i++) {
    fa.paused = false;
    fault_alloc_arm(&fa, 0);
    char *ref = NULL;
    MUST(ctx, psvc_report_json(ctx, FROM, TO, NOW, by[i], &ref));
    long n = fa.count;
    fa.paused = true;
    ck_assert_int_gt(n, 0);
    for (long k = 1; k <= n; k++) {
      char *const sentinel = (char *)"untouched";
      char *out = sentinel;
      fa.paused = false;
      fault_alloc_arm(&fa, k);
      long f0 = fa.failures;
      int rc = psvc_report_json(ctx, FROM, TO, NOW, by[i], &out);
      fa.paused = true;
      ck_assert_msg(fa.failures == f0 + 1, "%s k=%ld: the failure was not seen", by[i], k);
      ck_assert_msg(rc == PSVC_ENOMEM, "%s k=%ld: rc %d, want PSVC_ENOMEM", by[i], k, rc);
      ck_assert_ptr_eq(out, sentinel);
      ck_assert_msg(fa.live_blocks == base_blocks + 1, /* + ref */
                    "%s k=%ld: %ld blocks leaked", by[i], k, fa.live_blocks - base_blocks - 1);
      ck_assert_ptr_nonnull(strstr(psvc_errmsg(ctx), "psvc_report_json"));
    }
    /* and then the same bytes again */
    fault_alloc_arm(&fa, 0);
    char *again = NULL;
    MUST(ctx, psvc_report_json(ctx, FROM, TO, NOW, by[i], &again));
    ck_assert_str_eq(ref, again);
    psvc_free(again);
    psvc_free(ref);
  }
  psvc_ctx_close(ctx);
  fa.paused = false;
  FAULT_ALLOC_END(&fa);
}
END_TEST

/* ======================================================================================= */

static Suite *report_suite(void) {
  Suite *s = suite_create("report");
  TCase *tc = tcase_create("kpi");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_fixture_clocks_as_worked_out);
  tcase_add_test(tc, test_Q1_to_Q7_report_none_hand_computed);
  tcase_add_test(tc, test_Q1_report_by_type);
  tcase_add_test(tc, test_Q1_W4_report_by_unit);
  tcase_add_test(tc, test_Q1_C7_report_by_area);
  tcase_add_test(tc, test_group_object_exact_text);
  tcase_add_test(tc, test_Q2_Q3_policies_change_limits_and_targets);
  tcase_add_test(tc, test_W4_unit_group_none);
  tcase_add_test(tc, test_W4_unit_group_is_the_responsible_unit);
  suite_add_tcase(s, tc);

  tc = tcase_create("format");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_security_int64_times_are_erange);
  tcase_add_test(tc, test_T12_monthly_on_time_until_the_end_of_the_5th);
  tcase_add_test(tc, test_T12_monthly_is_null_for_other_periods);
  tcase_add_test(tc, test_T12_monthly_other_months);
  tcase_add_test(tc, test_same_data_same_bytes);
  tcase_add_test(tc, test_unit_names_are_escaped);
  tcase_add_test(tc, test_W12_no_personal_data);
  tcase_add_test(tc, test_report_arguments);
  tcase_add_test(tc, test_report_empty_period);
  suite_add_tcase(s, tc);

  tc = tcase_create("faults");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_fault_alloc_every_k);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  python_find();
  return fault_run_suite(report_suite());
}
