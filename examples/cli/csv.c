/*
 * csv.c — an RFC 4180 reader: fields separated by commas, records by CRLF
 * or LF; a field in double quotes may hold commas, line breaks and doubled
 * quotes (""). A UTF-8 byte order mark at the start is skipped; blank lines
 * are skipped. The whole file is read into memory; each record's fields are
 * NUL-terminated copies in a scratch buffer, valid until the next record.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int csv_open(csv *r, const char *path, char *why, size_t n) {
  memset(r, 0, sizeof *r);
  r->path = path;
  r->line = 1;
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(why, n, "%s: %s", path, strerror(errno));
    return errno == ENOENT ? EX_NOTFOUND : EX_INPUT;
  }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      fclose(f);
      snprintf(why, n, "%s: out of memory", path);
      return EX_OTHER;
    }
    size_t got = fread(buf + len, 1, cap - len - 1, f);
    len += got;
    if (len + 1 < cap)
      break;
    cap *= 2;
    char *nb = realloc(buf, cap);
    if (!nb)
      free(buf);
    buf = nb;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    snprintf(why, n, "%s: read error", path);
    return EX_INPUT;
  }
  buf[len] = 0;
  r->buf = buf;
  r->len = len;
  if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
    r->pos = 3;
  r->scap = len + 1;
  r->scratch = malloc(r->scap);
  if (!r->scratch) {
    csv_close(r);
    snprintf(why, n, "%s: out of memory", path);
    return EX_OTHER;
  }
  return EX_OK;
}

void csv_close(csv *r) {
  free(r->buf);
  free(r->scratch);
  free(r->field);
  memset(r, 0, sizeof *r);
}

long csv_estimate(const csv *r) {
  long lines = 0;
  const char *p = r->buf, *end = r->buf + r->len;
  while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    lines++;
    p++;
  }
  return lines;
}

static int add_field(csv *r, char *start) {
  if (r->nfield == r->fcap) {
    size_t cap = r->fcap ? r->fcap * 2 : 32;
    char **nf = realloc(r->field, sizeof(char *) * cap);
    if (!nf)
      return -1;
    r->field = nf;
    r->fcap = cap;
  }
  r->field[r->nfield++] = start;
  return 0;
}

int csv_next(csv *r, int *col, char *why, size_t n) {
  *col = 0;
  /* skip blank lines */
  for (;;) {
    if (r->pos >= r->len)
      return 0;
    char ch = r->buf[r->pos];
    if (ch == '\n') {
      r->pos++;
      r->line++;
    } else if (ch == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n') {
      r->pos += 2;
      r->line++;
    } else
      break;
  }
  r->rec_line = r->line;
  r->nfield = 0;
  size_t o = 0; /* scratch offset: fields never outgrow the file */
  const char *b = r->buf;
  for (;;) { /* one field per turn */
    char *start = r->scratch + o;
    if (add_field(r, start)) {
      snprintf(why, n, "out of memory");
      return -1;
    }
    int fieldno = (int)r->nfield;
    if (r->pos < r->len && b[r->pos] == '"') {
      long qline = r->line;
      r->pos++;
      for (;;) {
        if (r->pos >= r->len) {
          *col = fieldno;
          snprintf(why, n, "a quoted field opened on line %ld is never closed", qline);
          return -1;
        }
        char ch = b[r->pos++];
        if (ch == '"') {
          if (r->pos < r->len && b[r->pos] == '"') {
            r->scratch[o++] = '"';
            r->pos++;
            continue;
          }
          break;
        }
        if (ch == 0) {
          *col = fieldno;
          snprintf(why, n, "a NUL byte");
          return -1;
        }
        if (ch == '\n')
          r->line++;
        r->scratch[o++] = ch;
      }
      /* after the closing quote: a separator, a record end or the file end */
      if (r->pos < r->len && b[r->pos] != ',' && b[r->pos] != '\n' &&
          !(b[r->pos] == '\r' && r->pos + 1 < r->len && b[r->pos + 1] == '\n')) {
        *col = fieldno;
        snprintf(why, n, "text after the closing quote of a quoted field");
        return -1;
      }
    } else {
      while (r->pos < r->len) {
        char ch = b[r->pos];
        if (ch == ',' || ch == '\n' ||
            (ch == '\r' && r->pos + 1 < r->len && b[r->pos + 1] == '\n'))
          break;
        if (ch == '"') {
          *col = fieldno;
          snprintf(why, n, "a quote inside an unquoted field (quote the whole field and "
                           "double the quote)");
          return -1;
        }
        if (ch == 0) {
          *col = fieldno;
          snprintf(why, n, "a NUL byte");
          return -1;
        }
        r->scratch[o++] = ch;
        r->pos++;
      }
    }
    r->scratch[o++] = 0;
    if (r->pos >= r->len)
      return 1;
    if (b[r->pos] == ',') {
      r->pos++;
      continue;
    }
    r->pos += b[r->pos] == '\r' ? 2 : 1;
    r->line++;
    return 1;
  }
}

void csv_skip_comments(csv *r) {
  while (r->pos < r->len) {
    char ch = r->buf[r->pos];
    if (ch == '\n' || (ch == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n')) {
      r->pos += ch == '\r' ? 2 : 1;
      r->line++;
    } else if (ch == '#') {
      const char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
      r->pos = nl ? (size_t)(nl - r->buf) + 1 : r->len;
      r->line += nl != NULL;
    } else
      break;
  }
}
