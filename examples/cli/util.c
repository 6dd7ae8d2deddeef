/*
 * util.c — the psvc tool's helpers: exit codes and messages, times in
 * UTC+08:00, enum and flag names, masking of personal data (W-12), text
 * tables, a JSON writer and a small JSON reader (for rendering the
 * library's report as tables).
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- options ------------------------------------------------------------------------- */

const char *opt_get(const cli *c, const char *name) {
  const char *v = NULL;
  for (int i = 0; i < c->nopts; i++)
    if (strcmp(c->opts[i].name, name) == 0)
      v = c->opts[i].val;
  return v;
}

int opt_has(const cli *c, const char *name) {
  for (int i = 0; i < c->nopts; i++)
    if (strcmp(c->opts[i].name, name) == 0)
      return 1;
  return 0;
}

/* ---- errors -------------------------------------------------------------------------- */

int exit_for(int rc) {
  switch (rc) {
  case PSVC_OK:
    return EX_OK;
  case PSVC_EINVAL:
  case PSVC_EEXIST:
  case PSVC_ESTATE:
  case PSVC_EPERM:
  case PSVC_ERANGE:
  case PSVC_EPARSE:
    return EX_INPUT;
  case PSVC_ENOTFOUND:
    return EX_NOTFOUND;
  case PSVC_EIO:
  case PSVC_ECORRUPT:
    return EX_STORAGE;
  default:
    return EX_OTHER;
  }
}

int fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("psvc: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return code;
}

const char *libmsg(const psvc_ctx *ctx) {
  const char *m = psvc_errmsg(ctx);
  if (strncmp(m, "psvc_", 5) == 0) {
    const char *p = m + 5;
    while (*p == '_' || islower((unsigned char)*p))
      p++;
    if (p[0] == ':' && p[1] == ' ')
      return p + 2;
  }
  return m;
}

int fail_lib(int rc, const psvc_ctx *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("psvc: ", stderr);
  vfprintf(stderr, fmt, ap);
  const char *m = libmsg(ctx);
  fprintf(stderr, ": %s\n", *m ? m : psvc_strerror(rc));
  va_end(ap);
  return exit_for(rc);
}

/* ---- times --------------------------------------------------------------------------- */

psvc_time days_from_civil(long y, int m, int d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (psvc_time)era * 146097 + doe - 719468;
}

void civil_from_days(long z, long *y, int *m, int *d) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(long y, int m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return dm[m - 1];
}

/* n digits at *p */
static int digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i]))
      return -1;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 0;
}

#define TIME_FORMS                                                                          \
  "expected YYYY-MM-DD HH:MM[:SS] (UTC+08:00) or ISO 8601 with an offset, "                \
  "e.g. 2026-10-03T09:15:00+08:00"

int parse_time(const char *s, int date_mode, psvc_time *out, char *why, size_t n) {
  const char *p = s;
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!s || !*s) {
    snprintf(why, n, "empty time (%s)", TIME_FORMS);
    return -1;
  }
  if (*p == '@') { /* seconds since 1970 */
    long long v;
    if (parse_int(p + 1, 0, 253402300799LL, &v) != 0) {
      snprintf(why, n, "bad time '%s' (@SECONDS: 0 .. 253402300799)", s);
      return -1;
    }
    *out = v;
    return 0;
  }
  if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
      digits(&p, 2, &d))
    goto bad;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
    snprintf(why, n, "bad time '%s': not a real date in 1970 .. 9999", s);
    return -1;
  }
  long offset = LOCAL_OFFSET_S;
  if (*p == 0) {
    if (date_mode == T_TIME) {
      snprintf(why, n, "bad time '%s': a time of day is needed (%s)", s, TIME_FORMS);
      return -1;
    }
    if (date_mode == T_DATE_END)
      h = 23, mi = 59, se = 59;
  } else {
    char sep = *p++;
    if (sep != ' ' && sep != 'T')
      goto bad;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
      goto bad;
    if (*p == ':') {
      p++;
      if (digits(&p, 2, &se))
        goto bad;
    }
    if (h > 23 || mi > 59 || se > 59) {
      snprintf(why, n, "bad time '%s': hour, minute or second out of range", s);
      return -1;
    }
    if (sep == 'T') {
      if (*p == 'Z') {
        offset = 0;
        p++;
      } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh))
          goto bad;
        if (*p == ':')
          p++;
        if (digits(&p, 2, &om) || oh > 14 || om > 59)
          goto bad;
        offset = sign * (oh * 3600L + om * 60L);
      } else {
        snprintf(why, n, "bad time '%s': an ISO 8601 time needs an offset (Z, +08:00)", s);
        return -1;
      }
    }
    if (*p)
      goto bad;
  }
  psvc_time t = days_from_civil(y, mo, d) * 86400 + h * 3600L + mi * 60L + se - offset;
  if (t < 0 || t > 253402300799LL) {
    snprintf(why, n, "bad time '%s': outside 1970 .. 9999", s);
    return -1;
  }
  *out = t;
  return 0;
bad:
  snprintf(why, n, "bad time '%s' (%s)", s, TIME_FORMS);
  return -1;
}

int parse_month(const char *s, psvc_time *from, psvc_time *to) {
  const char *p = s;
  int y, m;
  if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &m) || *p || y < 1970 || m < 1 ||
      m > 12 || y > 9998)
    return -1;
  *from = days_from_civil(y, m, 1) * 86400 - LOCAL_OFFSET_S;
  *to = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400 - LOCAL_OFFSET_S;
  return 0;
}

static void split_time(psvc_time t, long offset, long *y, int *mo, int *d, int *h, int *mi,
                       int *s) {
  psvc_time l = t + offset;
  long days = (long)(l >= 0 ? l / 86400 : (l - 86399) / 86400);
  long rem = (long)(l - (psvc_time)days * 86400);
  civil_from_days(days, y, mo, d);
  *h = (int)(rem / 3600);
  *mi = (int)(rem / 60 % 60);
  *s = (int)(rem % 60);
}

char *fmt_local(psvc_time t, char *buf, size_t n) {
  if (t == 0) {
    snprintf(buf, n, "-");
    return buf;
  }
  long y;
  int mo, d, h, mi, s;
  split_time(t, LOCAL_OFFSET_S, &y, &mo, &d, &h, &mi, &s);
  snprintf(buf, n, "%04ld-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
  return buf;
}

char *fmt_iso(psvc_time t, char *buf, size_t n) {
  long y;
  int mo, d, h, mi, s;
  split_time(t, LOCAL_OFFSET_S, &y, &mo, &d, &h, &mi, &s);
  snprintf(buf, n, "%04ld-%02d-%02dT%02d:%02d:%02d+08:00", y, mo, d, h, mi, s);
  return buf;
}

char *fmt_dur(int64_t s, char *buf, size_t n) {
  const char *sign = s < 0 ? "-" : "";
  uint64_t a = s < 0 ? (uint64_t)(-(s + 1)) + 1 : (uint64_t)s;
  uint64_t d = a / 86400, h = a / 3600 % 24, m = a / 60 % 60, sec = a % 60;
  if (d)
    snprintf(buf, n, "%s%llud %02llu:%02llu:%02llu", sign, (unsigned long long)d,
             (unsigned long long)h, (unsigned long long)m, (unsigned long long)sec);
  else
    snprintf(buf, n, "%s%02llu:%02llu:%02llu", sign, (unsigned long long)h,
             (unsigned long long)m, (unsigned long long)sec);
  return buf;
}

/* ---- values -------------------------------------------------------------------------- */

int valid_id(const char *s) {
  size_t n = 0;
  for (; s[n]; n++)
    if (!isalnum((unsigned char)s[n]) && s[n] != '.' && s[n] != '_' && s[n] != '-')
      return 0;
  return n >= 1 && n <= 64;
}

int parse_int(const char *s, long long lo, long long hi, long long *out) {
  if (!s || !*s || isspace((unsigned char)*s))
    return -1;
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

static void enum_names(int domain, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = 0;
  const char *name;
  int v;
  for (size_t i = 0; psvc_enum_entry(domain, i, &v, &name) == PSVC_OK; i++) {
    int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", name);
    if (w < 0 || (size_t)w >= n - used)
      break;
    used += (size_t)w;
  }
}

int parse_enum(int domain, const char *s, int *out, char *why, size_t n) {
  if (psvc_enum_value(domain, s, out) == PSVC_OK)
    return 0;
  char names[512];
  enum_names(domain, names, sizeof names);
  snprintf(why, n, "unknown value '%s' (expected one of %s)", s, names);
  return -1;
}

int parse_flags(int domain, const char *s, unsigned *out, char *why, size_t n) {
  unsigned flags = 0;
  const char *p = s;
  while (*p) {
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    char tok[64];
    int v;
    if (len == 0 || len >= sizeof tok) {
      snprintf(why, n, "bad flag list '%s' (names joined with '|')", s);
      return -1;
    }
    memcpy(tok, p, len);
    tok[len] = 0;
    if (parse_enum(domain, tok, &v, why, n))
      return -1;
    flags |= (unsigned)v;
    p += len + (bar ? 1 : 0);
    if (bar && !*p) {
      snprintf(why, n, "bad flag list '%s' (names joined with '|')", s);
      return -1;
    }
  }
  *out = flags;
  return 0;
}

const char *ename(int domain, int value) {
  if (value == 0)
    return "";
  const char *s = psvc_enum_name(domain, value);
  return s ? s : "?";
}

char *flags_str(int domain, unsigned flags, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = 0;
  for (unsigned bit = 1; bit && used < n; bit <<= 1)
    if (flags & bit) {
      const char *name = psvc_enum_name(domain, (int)bit);
      int w = snprintf(buf + used, n - used, "%s%s", used ? "|" : "", name ? name : "?");
      if (w < 0)
        break;
      used += (size_t)w;
    }
  return buf;
}

/* ---- personal data (W-12) ------------------------------------------------------------ */

static size_t u8len(const char *s) { /* bytes of the UTF-8 character at s */
  unsigned char c = (unsigned char)*s;
  size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  for (size_t i = 1; i < k; i++)
    if (!s[i])
      return i;
  return k;
}

/* The first word is kept; every later word keeps its first character, then '*'.
   A single word keeps its first character and stars each of the rest: "Wang
   Fang" -> "Wang F*", "王芳" -> "王*". */
char *mask_name(const char *s, char *buf, size_t n) {
  size_t o = 0;
  if (!s) {
    snprintf(buf, n, "-");
    return buf;
  }
  const char *sp = strchr(s, ' ');
#define PUT(ch)                                                                             \
  do {                                                                                      \
    if (o + 1 < n)                                                                          \
      buf[o++] = (ch);                                                                      \
  } while (0)
  if (!sp) {
    size_t k = u8len(s);
    for (size_t i = 0; i < k && s[i]; i++)
      PUT(s[i]);
    for (const char *p = s + k; *p; p += u8len(p))
      PUT('*');
  } else {
    for (const char *p = s; p < sp; p++)
      PUT(*p);
    for (const char *p = sp; *p;) {
      while (*p == ' ')
        p++;
      if (!*p)
        break;
      PUT(' ');
      size_t k = u8len(p);
      for (size_t i = 0; i < k; i++)
        PUT(p[i]);
      p += k;
      if (*p && *p != ' ')
        PUT('*');
      while (*p && *p != ' ')
        p++;
    }
  }
  buf[o < n ? o : n - 1] = 0;
#undef PUT
  return buf;
}

/* The first 3 and last 4 characters stay, the rest are stars; a number of 7
   or fewer characters keeps only its last 2. */
char *mask_phone(const char *s, char *buf, size_t n) {
  if (!s) {
    snprintf(buf, n, "-");
    return buf;
  }
  size_t len = strlen(s), keep_head = len > 7 ? 3 : 0, keep_tail = len > 7 ? 4 : 2;
  size_t o = 0;
  for (size_t i = 0; i < len && o + 1 < n; i++)
    buf[o++] = (i < keep_head || i + keep_tail >= len) ? s[i] : '*';
  buf[o] = 0;
  return buf;
}

const char *show_name(const cli *c, const char *s, char *buf, size_t n) {
  if (!s)
    return NULL;
  return c->show_personal ? s : mask_name(s, buf, n);
}

const char *show_phone(const cli *c, const char *s, char *buf, size_t n) {
  if (!s)
    return NULL;
  return c->show_personal ? s : mask_phone(s, buf, n);
}

/* ---- tables -------------------------------------------------------------------------- */

struct tbl {
  int ncol;
  char **head;
  int *right;
  char **cells; /* rows * ncol */
  size_t rows, cap;
};

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fputs("psvc: out of memory\n", stderr);
    exit(EX_OTHER);
  }
  return p;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

tbl *tbl_new(int ncol, const char *const *cols) {
  tbl *t = xmalloc(sizeof *t);
  t->ncol = ncol;
  t->head = xmalloc(sizeof(char *) * (size_t)ncol);
  t->right = xmalloc(sizeof(int) * (size_t)ncol);
  for (int i = 0; i < ncol; i++) {
    t->right[i] = cols[i][0] == '>';
    t->head[i] = xstrdup(cols[i] + t->right[i]);
  }
  t->cells = NULL;
  t->rows = t->cap = 0;
  return t;
}

void tbl_add(tbl *t, ...) {
  if (t->rows == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    char **nc = realloc(t->cells, sizeof(char *) * t->cap * (size_t)t->ncol);
    if (!nc) {
      fputs("psvc: out of memory\n", stderr);
      exit(EX_OTHER);
    }
    t->cells = nc;
  }
  va_list ap;
  va_start(ap, t);
  for (int i = 0; i < t->ncol; i++) {
    const char *s = va_arg(ap, const char *);
    t->cells[t->rows * (size_t)t->ncol + (size_t)i] = xstrdup(s ? s : "");
  }
  va_end(ap);
  t->rows++;
}

size_t tbl_rows(const tbl *t) { return t->rows; }

/* display width: code points, East Asian wide ones count 2 */
static size_t width(const char *s) {
  size_t w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    size_t k = u8len((const char *)p);
    unsigned cp = *p;
    if (k == 3)
      cp = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    w += (k == 3 && ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                     (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                     (cp >= 0xFF00 && cp <= 0xFF60)))
             ? 2
             : 1;
    p += k;
  }
  return w;
}

static void pad(FILE *f, size_t n) {
  while (n--)
    fputc(' ', f);
}

void tbl_print(tbl *t, FILE *f) {
  size_t *w = xmalloc(sizeof(size_t) * (size_t)t->ncol);
  for (int i = 0; i < t->ncol; i++) {
    w[i] = width(t->head[i]);
    for (size_t r = 0; r < t->rows; r++) {
      size_t x = width(t->cells[r * (size_t)t->ncol + (size_t)i]);
      if (x > w[i])
        w[i] = x;
    }
  }
  for (size_t r = 0; r <= t->rows + 1; r++) {
    for (int i = 0; i < t->ncol; i++) {
      const char *s = r == 0 ? t->head[i] : NULL;
      if (r == 1) {
        for (size_t k = 0; k < w[i]; k++)
          fputc('-', f);
      } else {
        if (r > 1)
          s = t->cells[(r - 2) * (size_t)t->ncol + (size_t)i];
        size_t x = width(s);
        int last = i == t->ncol - 1;
        if (t->right[i])
          pad(f, w[i] - x);
        fputs(s, f);
        if (!t->right[i] && !last)
          pad(f, w[i] - x);
      }
      if (i < t->ncol - 1)
        fputs("  ", f);
    }
    fputc('\n', f);
  }
  free(w);
}

void tbl_free(tbl *t) {
  if (!t)
    return;
  for (size_t i = 0; i < t->rows * (size_t)t->ncol; i++)
    free(t->cells[i]);
  for (int i = 0; i < t->ncol; i++)
    free(t->head[i]);
  free(t->cells);
  free(t->head);
  free(t->right);
  free(t);
}

/* ---- JSON writer --------------------------------------------------------------------- */

void json_escape(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"':
      fputs("\\\"", f);
      break;
    case '\\':
      fputs("\\\\", f);
      break;
    case '\n':
      fputs("\\n", f);
      break;
    case '\r':
      fputs("\\r", f);
      break;
    case '\t':
      fputs("\\t", f);
      break;
    default:
      if (*p < 0x20 || *p == 0x7F)
        fprintf(f, "\\u%04x", *p);
      else
        fputc(*p, f);
    }
  }
  fputc('"', f);
}

void jw_init(jw *j, FILE *f) {
  memset(j, 0, sizeof *j);
  j->f = f;
  j->first[0] = 1;
}

static void jw_sep(jw *j) {
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (!j->first[j->depth])
    fputc(',', j->f);
  j->first[j->depth] = 0;
}

void jw_obj(jw *j) {
  jw_sep(j);
  fputc('{', j->f);
  j->first[++j->depth] = 1;
}

void jw_end_obj(jw *j) {
  fputc('}', j->f);
  j->depth--;
}

void jw_arr(jw *j) {
  jw_sep(j);
  fputc('[', j->f);
  j->first[++j->depth] = 1;
}

void jw_end_arr(jw *j) {
  fputc(']', j->f);
  j->depth--;
}

void jw_key(jw *j, const char *k) {
  jw_sep(j);
  json_escape(j->f, k);
  fputc(':', j->f);
  j->after_key = 1;
}

void jw_str(jw *j, const char *s) {
  jw_sep(j);
  if (s)
    json_escape(j->f, s);
  else
    fputs("null", j->f);
}

void jw_int(jw *j, long long v) {
  jw_sep(j);
  fprintf(j->f, "%lld", v);
}

void jw_bool(jw *j, int v) {
  jw_sep(j);
  fputs(v ? "true" : "false", j->f);
}

void jw_null(jw *j) {
  jw_sep(j);
  fputs("null", j->f);
}

void jw_raw(jw *j, const char *text) {
  jw_sep(j);
  fputs(text, j->f);
}

void jw_time(jw *j, psvc_time t) {
  char b[40];
  jw_str(j, t ? fmt_iso(t, b, sizeof b) : NULL);
}

void jw_kstr(jw *j, const char *k, const char *s) {
  jw_key(j, k);
  jw_str(j, s);
}

void jw_kint(jw *j, const char *k, long long v) {
  jw_key(j, k);
  jw_int(j, v);
}

void jw_ktime(jw *j, const char *k, psvc_time t) {
  jw_key(j, k);
  jw_time(j, t);
}

void jw_sla(jw *j, const psvc_sla *s) {
  jw_obj(j);
  jw_kstr(j, "metric", ename(PSVC_DOM_METRIC, s->metric));
  jw_kstr(j, "status", psvc_enum_name(PSVC_DOM_SLA_STATUS, s->status));
  jw_ktime(j, "started_at", s->started_at);
  jw_ktime(j, "deadline", s->deadline);
  jw_ktime(j, "stopped_at", s->stopped_at);
  jw_kint(j, "limit_s", s->limit_s);
  jw_kint(j, "elapsed_s", s->elapsed_s);
  jw_kint(j, "remaining_s", s->remaining_s);
  jw_kint(j, "level", s->level);
  jw_kint(j, "cycle", s->cycle);
  jw_key(j, "ever_breached");
  jw_bool(j, s->ever_breached);
  jw_end_obj(j);
}

void jw_end(jw *j) {
  fputc('\n', j->f);
  if (j->depth == 0)
    j->first[0] = 1; /* the next top-level value starts a new line (JSON Lines) */
}

/* ---- JSON reader --------------------------------------------------------------------- */

typedef struct jp {
  const char *p;
} jp;

static void ws(jp *j) {
  while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
    j->p++;
}

static int jv_parse_value(jp *j, jv *out, int depth);

static int parse_string(jp *j, char **out) {
  if (*j->p != '"')
    return -1;
  j->p++;
  size_t cap = 16, len = 0;
  char *s = xmalloc(cap);
  while (*j->p != '"') {
    char ch = *j->p;
    if (!ch) {
      free(s);
      return -1;
    }
    char tmp[4];
    size_t k = 1;
    tmp[0] = ch;
    if (ch == '\\') {
      j->p++;
      switch (*j->p) {
      case 'n':
        tmp[0] = '\n';
        break;
      case 't':
        tmp[0] = '\t';
        break;
      case 'r':
        tmp[0] = '\r';
        break;
      case 'b':
        tmp[0] = '\b';
        break;
      case 'f':
        tmp[0] = '\f';
        break;
      case 'u': {
        unsigned cp = 0;
        for (int i = 1; i <= 4; i++) {
          char h = j->p[i];
          if (!isxdigit((unsigned char)h)) {
            free(s);
            return -1;
          }
          cp = cp * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : (tolower(h) - 'a' + 10));
        }
        j->p += 4;
        if (cp < 0x80)
          tmp[0] = (char)cp;
        else if (cp < 0x800) {
          tmp[0] = (char)(0xC0 | cp >> 6);
          tmp[1] = (char)(0x80 | (cp & 0x3F));
          k = 2;
        } else {
          tmp[0] = (char)(0xE0 | cp >> 12);
          tmp[1] = (char)(0x80 | (cp >> 6 & 0x3F));
          tmp[2] = (char)(0x80 | (cp & 0x3F));
          k = 3;
        }
        break;
      }
      case 0:
        free(s);
        return -1;
      default:
        tmp[0] = *j->p; /* \" \\ \/ */
      }
    }
    j->p++;
    if (len + k + 1 > cap) {
      cap *= 2;
      char *ns = realloc(s, cap);
      if (!ns) {
        free(s);
        return -1;
      }
      s = ns;
    }
    memcpy(s + len, tmp, k);
    len += k;
  }
  j->p++;
  s[len] = 0;
  *out = s;
  return 0;
}

static int push(jv *v, size_t *cap) {
  if (v->n == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    jv *ni = realloc(v->items, sizeof(jv) * *cap);
    if (!ni)
      return -1;
    v->items = ni;
    if (v->type == JV_OBJ) {
      char **nk = realloc(v->keys, sizeof(char *) * *cap);
      if (!nk)
        return -1;
      v->keys = nk;
    }
  }
  return 0;
}

static int jv_parse_value(jp *j, jv *out, int depth) {
  memset(out, 0, sizeof *out);
  if (depth > 60)
    return -1;
  ws(j);
  char ch = *j->p;
  if (ch == '{' || ch == '[') {
    int obj = ch == '{';
    out->type = obj ? JV_OBJ : JV_ARR;
    size_t cap = 0;
    j->p++;
    ws(j);
    if (*j->p == (obj ? '}' : ']')) {
      j->p++;
      return 0;
    }
    for (;;) {
      char *key = NULL;
      ws(j);
      if (obj) {
        if (parse_string(j, &key))
          return -1;
        ws(j);
        if (*j->p++ != ':') {
          free(key);
          return -1;
        }
      }
      if (push(out, &cap)) {
        free(key);
        return -1;
      }
      if (obj)
        out->keys[out->n] = key;
      if (jv_parse_value(j, &out->items[out->n], depth + 1)) {
        out->n++;
        return -1;
      }
      out->n++;
      ws(j);
      if (*j->p == ',') {
        j->p++;
        continue;
      }
      if (*j->p == (obj ? '}' : ']')) {
        j->p++;
        return 0;
      }
      return -1;
    }
  }
  if (ch == '"') {
    out->type = JV_STR;
    return parse_string(j, &out->str);
  }
  if (strncmp(j->p, "null", 4) == 0) {
    j->p += 4;
    out->type = JV_NULL;
    return 0;
  }
  if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "false", 5) == 0) {
    out->type = JV_BOOL;
    out->b = *j->p == 't';
    j->p += out->b ? 4 : 5;
    return 0;
  }
  if (ch == '-' || isdigit((unsigned char)ch)) {
    const char *start = j->p;
    char *end;
    out->type = JV_NUM;
    out->num = strtod(start, &end);
    if (end == start)
      return -1;
    size_t len = (size_t)(end - start);
    out->str = xmalloc(len + 1);
    memcpy(out->str, start, len);
    out->str[len] = 0;
    j->p = end;
    return 0;
  }
  return -1;
}

int jv_parse(const char *text, jv *out) {
  jp j = {text};
  if (jv_parse_value(&j, out, 0)) {
    jv_free(out);
    return -1;
  }
  ws(&j);
  if (*j.p) {
    jv_free(out);
    return -1;
  }
  return 0;
}

void jv_free(jv *v) {
  if (!v)
    return;
  for (size_t i = 0; i < v->n; i++) {
    jv_free(&v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  memset(v, 0, sizeof *v);
}

const jv *jv_get(const jv *obj, const char *key) {
  if (!obj || obj->type != JV_OBJ)
    return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0)
      return &obj->items[i];
  return NULL;
}

long long jv_int(const jv *v) { return v && v->type == JV_NUM ? (long long)v->num : 0; }

const char *jv_text(const jv *v) {
  if (!v || v->type == JV_NULL)
    return "-";
  if (v->type == JV_BOOL)
    return v->b ? "yes" : "no";
  return v->str ? v->str : "-";
}

/* ---- progress ------------------------------------------------------------------------ */

long progress_min(void) {
  const char *e = getenv("PSVC_PROGRESS_MIN");
  long long v;
  if (e && parse_int(e, 0, LLONG_MAX, &v) == 0)
    return (long)v;
  return 100000;
}
