/*
 * consumer.c — an integrator's program, built outside the source tree
 * against an installed libpowersvc (tests/install/run.sh builds it three
 * ways: pkg-config, find_package with powersvc::powersvc, and
 * powersvc::powersvc_static).
 *
 * It uses only <powersvc.h> and what a real integrator would: it creates a
 * customer, checks it, saves it into a context backed by its own small
 * psvc_store (so the callback table's layout is exercised from outside the
 * library), closes the context, opens a new one on the same store, loads the
 * customer back and compares every field. Exit status 0 means all went well;
 * any failure prints the line, the expression and the library's message.
 */
#include <powersvc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "consumer.c:%d: CHECK(%s) failed\n", __LINE__, #cond);   \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* A call that must succeed; on failure prints the status and psvc_errmsg. */
#define OK(ctx, call)                                                          \
  do {                                                                         \
    int rc_ = (call);                                                          \
    if (rc_ != PSVC_OK) {                                                      \
      fprintf(stderr, "consumer.c:%d: %s returned %d (%s): %s\n", __LINE__,    \
              #call, rc_, psvc_strerror(rc_), psvc_errmsg(ctx));               \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* ---- a tiny in-memory store: what a database backend would do ---------- */

enum { MAX_RECORDS = 16 };

typedef struct record {
  int kind;
  char key[80];
  unsigned char *data;
  size_t len;
} record;

typedef struct mem_store {
  record rec[MAX_RECORDS];
  int n;
  int begins, commits, rollbacks, closes;
} mem_store;

static record *find(mem_store *s, int kind, const char *key) {
  for (int i = 0; i < s->n; i++)
    if (s->rec[i].kind == kind && strcmp(s->rec[i].key, key) == 0)
      return &s->rec[i];
  return NULL;
}

static int st_begin(void *u) { ((mem_store *)u)->begins++; return 0; }
static int st_commit(void *u) { ((mem_store *)u)->commits++; return 0; }
static int st_rollback(void *u) { ((mem_store *)u)->rollbacks++; return 0; }
static void st_close(void *u) { ((mem_store *)u)->closes++; }

static int st_put(void *u, int kind, const char *key, const void *data, size_t len) {
  mem_store *s = u;
  record *r = find(s, kind, key);
  if (!r) {
    if (s->n == MAX_RECORDS || strlen(key) >= sizeof r->key)
      return -1;
    r = &s->rec[s->n++];
    r->kind = kind;
    strcpy(r->key, key);
    r->data = NULL;
  }
  unsigned char *copy = malloc(len ? len : 1);
  if (!copy)
    return -1;
  memcpy(copy, data, len);
  free(r->data);
  r->data = copy;
  r->len = len;
  return 0;
}

static int st_get(void *u, int kind, const char *key,
                  int (*sink)(void *arg, const void *data, size_t len), void *arg) {
  record *r = find(u, kind, key);
  return r ? sink(arg, r->data, r->len) : PSVC_ENOTFOUND;
}

static int st_del(void *u, int kind, const char *key) {
  mem_store *s = u;
  record *r = find(s, kind, key);
  if (!r)
    return -1;
  free(r->data);
  *r = s->rec[--s->n];
  return 0;
}

static int st_scan(void *u, int kind,
                   int (*each)(void *arg, const char *key, const void *data, size_t len),
                   void *arg) {
  mem_store *s = u;
  for (int i = 0; i < s->n; i++) {
    if (s->rec[i].kind != kind)
      continue;
    int rc = each(arg, s->rec[i].key, s->rec[i].data, s->rec[i].len);
    if (rc)
      return rc;
  }
  return 0;
}

static psvc_store store_for(mem_store *s) {
  psvc_store t;
  memset(&t, 0, sizeof t);
  t.abi = PSVC_STORE_ABI;
  t.user = s;
  t.begin = st_begin;
  t.commit = st_commit;
  t.rollback = st_rollback;
  t.put = st_put;
  t.get = st_get;
  t.del = st_del;
  t.scan = st_scan;
  t.close = st_close;
  return t;
}

/* ---- the scenario --------------------------------------------------------- */

#define NOW ((psvc_time)1767225600) /* 2026-01-01T00:00:00Z */
#define ID "0100000001"

/* strcmp that treats NULL (an unset string) as different from everything */
static int eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static int has_error(const psvc_findings *f, const char *rule) {
  for (size_t i = 0; i < psvc_findings_count(f); i++)
    if (psvc_findings_severity(f, i) == PSVC_SEV_ERROR &&
        eq(psvc_findings_code(f, i), rule))
      return 1;
  return 0;
}

int main(void) {
  /* the header and the library that was linked agree */
  CHECK(eq(psvc_version(), PSVC_VERSION_STRING));
  CHECK(psvc_version_number() == PSVC_VERSION_NUMBER);
  CHECK(eq(psvc_enum_name(PSVC_DOM_TARIFF, PSVC_TARIFF_RESIDENTIAL), "RESIDENTIAL"));
  CHECK(psvc_strerror(PSVC_EIO) != NULL && *psvc_strerror(PSVC_EIO) != 0);

  /* create a customer: a residential household on LV supply */
  psvc_customer *c = NULL;
  OK(NULL, psvc_customer_new(&c, ID));
  OK(NULL, psvc_customer_set_name(c, "Wang Fang"));
  OK(NULL, psvc_customer_set_relation(c, PSVC_RELATION_DIRECT));
  OK(NULL, psvc_customer_set_tariff(c, PSVC_TARIFF_RESIDENTIAL));
  OK(NULL, psvc_customer_set_sources(c, PSVC_SOURCE_LV));
  OK(NULL, psvc_customer_set_load_class(c, 3));
  OK(NULL, psvc_customer_set_segment(c, PSVC_SEGMENT_ORDINARY));
  OK(NULL, psvc_customer_set_area(c, PSVC_AREA_URBAN));
  OK(NULL, psvc_customer_set_voltage(c, 220));
  OK(NULL, psvc_customer_set_capacity(c, 8));
  OK(NULL, psvc_customer_set_unit(c, "CD-01"));
  OK(NULL, psvc_customer_set_feeder(c, "F101"));
  OK(NULL, psvc_customer_set_phone(c, "13800000001"));
  OK(NULL, psvc_customer_set_manager(c, "CM-007"));
  CHECK(psvc_customer_set_tariff(c, 9999) == PSVC_EINVAL); /* unknown value */
  CHECK(psvc_customer_tariff(c) == PSVC_TARIFF_RESIDENTIAL); /* ... changed nothing */

  /* check it: consistent, so no findings at all */
  psvc_findings *f = NULL;
  OK(NULL, psvc_customer_check(c, NOW, &f));
  CHECK(psvc_findings_count(f) == 0);
  psvc_findings_free(f);

  /* save it through our store */
  mem_store mem;
  memset(&mem, 0, sizeof mem);
  psvc_store table = store_for(&mem);
  psvc_ctx *ctx = NULL;
  OK(NULL, psvc_ctx_open(&ctx, &table));
  OK(ctx, psvc_customer_save(ctx, c));
  CHECK(find(&mem, PSVC_REC_CUSTOMER, ID) != NULL);
  CHECK(mem.commits >= 1 && mem.rollbacks == 0);

  /* an inconsistent customer is refused, naming the rule (C-10) */
  psvc_customer *bad = NULL;
  OK(NULL, psvc_customer_clone(c, &bad));
  OK(NULL, psvc_customer_set_relation(bad, PSVC_RELATION_WHOLESALE));
  OK(NULL, psvc_customer_check(bad, NOW, &f));
  CHECK(has_error(f, "C-10"));
  psvc_findings_free(f);
  CHECK(psvc_customer_save(ctx, bad) == PSVC_EINVAL);
  CHECK(strstr(psvc_errmsg(ctx), "C-10") != NULL);
  psvc_customer_free(bad);

  psvc_ctx_close(ctx); /* the context owns the store: it closes it */
  CHECK(mem.closes == 1);

  /* a new context on the same store loads what the first one saved */
  ctx = NULL;
  OK(NULL, psvc_ctx_open(&ctx, &table));
  psvc_customer *back = NULL;
  OK(ctx, psvc_customer_load(ctx, ID, &back));
  CHECK(eq(psvc_customer_id(back), ID));
  CHECK(eq(psvc_customer_name(back), "Wang Fang"));
  CHECK(psvc_customer_relation(back) == PSVC_RELATION_DIRECT);
  CHECK(psvc_customer_tariff(back) == PSVC_TARIFF_RESIDENTIAL);
  CHECK(psvc_customer_sources(back) == PSVC_SOURCE_LV);
  CHECK(psvc_customer_usage(back) == 0);
  CHECK(psvc_customer_importance(back) == PSVC_IMPORTANCE_NONE);
  CHECK(psvc_customer_load_class(back) == 3);
  CHECK(psvc_customer_segment(back) == PSVC_SEGMENT_ORDINARY);
  CHECK(psvc_customer_area(back) == PSVC_AREA_URBAN);
  CHECK(psvc_customer_voltage(back) == 220);
  CHECK(psvc_customer_capacity(back) == 8);
  CHECK(psvc_customer_supply_end(back) == 0);
  CHECK(psvc_customer_season(back) == 0);
  CHECK(eq(psvc_customer_unit(back), "CD-01"));
  CHECK(eq(psvc_customer_feeder(back), "F101"));
  CHECK(eq(psvc_customer_phone(back), "13800000001"));
  CHECK(eq(psvc_customer_manager(back), "CM-007"));
  psvc_customer_free(back);

  /* delete it: gone from the context and from the store */
  OK(ctx, psvc_customer_delete(ctx, ID));
  back = NULL;
  CHECK(psvc_customer_load(ctx, ID, &back) == PSVC_ENOTFOUND && back == NULL);
  CHECK(find(&mem, PSVC_REC_CUSTOMER, ID) == NULL);
  psvc_ctx_close(ctx);
  CHECK(mem.closes == 2);

  psvc_customer_free(c);
  for (int i = 0; i < mem.n; i++)
    free(mem.rec[i].data);
  printf("consumer: libpowersvc %s: customer created, checked, saved, "
         "reloaded, compared and deleted\n", psvc_version());
  return 0;
}
