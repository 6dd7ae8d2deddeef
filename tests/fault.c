/*
 * fault.c — the shared test harness (see fault.h): in-memory store with real
 * transactions, a store wrapper that fails the k-th callback, a counting
 * allocator that fails the k-th allocation, and dumps of observable state.
 *
 * All harness memory comes from libc; an out-of-memory here aborts, because
 * the harness is not the code under test.
 */
#include "fault.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    abort();
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p)
    abort();
  return p;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

static unsigned char *xmemdup(const void *p, size_t n) {
  unsigned char *d = xmalloc(n);
  if (n)
    memcpy(d, p, n);
  return d;
}

/* ---- in-memory store ------------------------------------------------------- */

static int rec_cmp(int kind, const char *key, const fault_rec *r) {
  if (kind != r->kind)
    return kind < r->kind ? -1 : 1;
  return strcmp(key, r->key);
}

/* Index of (kind, key) in the committed records, or where it would go. */
static size_t rec_find(const fault_mem *m, int kind, const char *key, bool *found) {
  size_t lo = 0, hi = m->nrecs;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = rec_cmp(kind, key, &m->recs[mid]);
    if (c == 0) {
      *found = true;
      return mid;
    }
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  *found = false;
  return lo;
}

static void rec_clear(fault_rec *r) {
  free(r->key);
  free(r->data);
}

static void apply_put(fault_mem *m, int kind, const char *key, const void *data, size_t len) {
  bool found;
  size_t i = rec_find(m, kind, key, &found);
  if (found) {
    free(m->recs[i].data);
    m->recs[i].data = xmemdup(data, len);
    m->recs[i].len = len;
    return;
  }
  if (m->nrecs == m->caprecs) {
    m->caprecs = m->caprecs ? m->caprecs * 2 : 16;
    m->recs = xrealloc(m->recs, m->caprecs * sizeof *m->recs);
  }
  memmove(m->recs + i + 1, m->recs + i, (m->nrecs - i) * sizeof *m->recs);
  m->recs[i] = (fault_rec){kind, xstrdup(key), xmemdup(data, len), len, false};
  m->nrecs++;
}

static void apply_del(fault_mem *m, int kind, const char *key) {
  bool found;
  size_t i = rec_find(m, kind, key, &found);
  if (!found)
    return;
  rec_clear(&m->recs[i]);
  memmove(m->recs + i, m->recs + i + 1, (m->nrecs - i - 1) * sizeof *m->recs);
  m->nrecs--;
}

static void stage_clear(fault_mem *m) {
  for (size_t i = 0; i < m->nstage; i++)
    rec_clear(&m->stage[i]);
  m->nstage = 0;
}

static void stage_add(fault_mem *m, int kind, const char *key, const void *data, size_t len,
                      bool del) {
  if (m->nstage == m->capstage) {
    m->capstage = m->capstage ? m->capstage * 2 : 8;
    m->stage = xrealloc(m->stage, m->capstage * sizeof *m->stage);
  }
  m->stage[m->nstage++] =
      (fault_rec){kind, xstrdup(key), del ? NULL : xmemdup(data, len), del ? 0 : len, del};
}

static int mem_begin(void *user) {
  fault_mem *m = user;
  m->begins++;
  if (m->in_txn) {
    m->violations++;
    return -1;
  }
  m->in_txn = true;
  return 0;
}

static int mem_commit(void *user) {
  fault_mem *m = user;
  m->commits++;
  if (!m->in_txn) {
    m->violations++;
    return -1;
  }
  for (size_t i = 0; i < m->nstage; i++) {
    const fault_rec *op = &m->stage[i];
    if (op->del)
      apply_del(m, op->kind, op->key);
    else
      apply_put(m, op->kind, op->key, op->data, op->len);
  }
  stage_clear(m);
  m->in_txn = false;
  return 0;
}

static int mem_rollback(void *user) {
  fault_mem *m = user;
  m->rollbacks++;
  stage_clear(m);
  m->in_txn = false;
  return 0;
}

static int mem_put(void *user, int kind, const char *key, const void *data, size_t len) {
  fault_mem *m = user;
  m->puts++;
  if (!m->in_txn || !key || (!data && len)) {
    m->violations++;
    return -1;
  }
  stage_add(m, kind, key, data, len, false);
  return 0;
}

static int mem_del(void *user, int kind, const char *key) {
  fault_mem *m = user;
  m->dels++;
  if (!m->in_txn || !key) {
    m->violations++;
    return -1;
  }
  stage_add(m, kind, key, NULL, 0, true);
  return 0;
}

static int mem_get(void *user, int kind, const char *key,
                   int (*sink)(void *arg, const void *data, size_t len), void *arg) {
  fault_mem *m = user;
  m->gets++;
  if (m->get_rc)
    return m->get_rc;
  if (!key || !sink) {
    m->violations++;
    return -1;
  }
  for (size_t i = m->nstage; i-- > 0;) { /* read your own writes */
    const fault_rec *op = &m->stage[i];
    if (op->kind == kind && strcmp(op->key, key) == 0)
      return op->del ? PSVC_ENOTFOUND : sink(arg, op->data, op->len);
  }
  const fault_rec *r = fault_mem_raw_get(m, kind, key);
  return r ? sink(arg, r->data, r->len) : PSVC_ENOTFOUND;
}

static int mem_scan(void *user, int kind,
                    int (*each)(void *arg, const char *key, const void *data, size_t len),
                    void *arg) {
  fault_mem *m = user;
  m->scans++;
  if (m->scan_rc)
    return m->scan_rc;
  if (!each) {
    m->violations++;
    return -1;
  }
  for (size_t i = 0; i < m->nrecs; i++) {
    if (m->recs[i].kind != kind)
      continue;
    int rc = each(arg, m->recs[i].key, m->recs[i].data, m->recs[i].len);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static void mem_close(void *user) {
  fault_mem *m = user;
  m->close_calls++;
  if (m->free_on_close)
    fault_mem_free(m);
}

fault_mem *fault_mem_new(void) {
  fault_mem *m = xmalloc(sizeof *m);
  memset(m, 0, sizeof *m);
  return m;
}

void fault_mem_free(fault_mem *m) {
  if (!m)
    return;
  stage_clear(m);
  for (size_t i = 0; i < m->nrecs; i++)
    rec_clear(&m->recs[i]);
  free(m->recs);
  free(m->stage);
  free(m);
}

void fault_mem_store(fault_mem *m, psvc_store *out) {
  *out = (psvc_store){PSVC_STORE_ABI, m,       mem_begin, mem_commit, mem_rollback,
                      mem_put,        mem_get, mem_del,   mem_scan,   mem_close};
}

size_t fault_mem_count(const fault_mem *m, int kind) {
  size_t n = 0;
  for (size_t i = 0; i < m->nrecs; i++)
    if (kind == 0 || m->recs[i].kind == kind)
      n++;
  return n;
}

fault_mem *fault_mem_snapshot(const fault_mem *m) {
  fault_mem *s = fault_mem_new();
  for (size_t i = 0; i < m->nrecs; i++)
    apply_put(s, m->recs[i].kind, m->recs[i].key, m->recs[i].data, m->recs[i].len);
  return s;
}

bool fault_mem_equal(const fault_mem *a, const fault_mem *b) {
  if (a->nrecs != b->nrecs)
    return false;
  for (size_t i = 0; i < a->nrecs; i++) {
    const fault_rec *x = &a->recs[i], *y = &b->recs[i];
    if (x->kind != y->kind || strcmp(x->key, y->key) != 0 || x->len != y->len ||
        (x->len && memcmp(x->data, y->data, x->len) != 0))
      return false;
  }
  return true;
}

void fault_mem_raw_put(fault_mem *m, int kind, const char *key, const void *data,
                       size_t len) {
  apply_put(m, kind, key, data, len);
}

void fault_mem_raw_del(fault_mem *m, int kind, const char *key) { apply_del(m, kind, key); }

const fault_rec *fault_mem_raw_get(const fault_mem *m, int kind, const char *key) {
  bool found;
  size_t i = rec_find(m, kind, key, &found);
  return found ? &m->recs[i] : NULL;
}

/* ---- failing store wrapper --------------------------------------------------- */

/* Counts one begin/put/del/commit; true if this one is to fail. */
static bool wrap_fails(fault_wrap *w) {
  w->calls++;
  if (w->fail_at > 0 && w->calls == w->fail_at) {
    w->failed = true;
    return true;
  }
  return false;
}

static int wrap_begin(void *user) {
  fault_wrap *w = user;
  w->begins++;
  return wrap_fails(w) ? w->fail_rc : w->inner.begin(w->inner.user);
}

static int wrap_commit(void *user) {
  fault_wrap *w = user;
  w->commits++;
  return wrap_fails(w) ? w->fail_rc : w->inner.commit(w->inner.user);
}

static int wrap_rollback(void *user) {
  fault_wrap *w = user;
  w->rollbacks++;
  if (w->failed)
    w->rollback_after_failure = true;
  return w->inner.rollback(w->inner.user);
}

static int wrap_put(void *user, int kind, const char *key, const void *data, size_t len) {
  fault_wrap *w = user;
  w->puts++;
  return wrap_fails(w) ? w->fail_rc : w->inner.put(w->inner.user, kind, key, data, len);
}

static int wrap_del(void *user, int kind, const char *key) {
  fault_wrap *w = user;
  w->dels++;
  return wrap_fails(w) ? w->fail_rc : w->inner.del(w->inner.user, kind, key);
}

static int wrap_get(void *user, int kind, const char *key,
                    int (*sink)(void *arg, const void *data, size_t len), void *arg) {
  fault_wrap *w = user;
  return w->inner.get(w->inner.user, kind, key, sink, arg);
}

static int wrap_scan(void *user, int kind,
                     int (*each)(void *arg, const char *key, const void *data, size_t len),
                     void *arg) {
  fault_wrap *w = user;
  return w->inner.scan(w->inner.user, kind, each, arg);
}

static void wrap_close(void *user) {
  fault_wrap *w = user;
  w->close_calls++;
  if (w->inner.close)
    w->inner.close(w->inner.user);
}

void fault_wrap_init(fault_wrap *w, const psvc_store *inner) {
  memset(w, 0, sizeof *w);
  w->inner = *inner;
  w->fail_rc = PSVC_EIO;
}

void fault_wrap_store(fault_wrap *w, psvc_store *out) {
  *out = (psvc_store){PSVC_STORE_ABI, w,        wrap_begin, wrap_commit, wrap_rollback,
                      wrap_put,       wrap_get, wrap_del,   wrap_scan,   wrap_close};
}

void fault_wrap_arm(fault_wrap *w, long k) {
  w->fail_at = k;
  w->calls = w->begins = w->puts = w->dels = w->commits = w->rollbacks = 0;
  w->failed = w->rollback_after_failure = false;
}

/* ---- counting allocator ------------------------------------------------------------ */

/* Each block carries its size in front, aligned for anything. */
typedef union block_head {
  max_align_t align;
  size_t size;
} block_head;

static bool alloc_fails(fault_alloc *a) {
  a->total++;
  if (a->paused)
    return false;
  a->count++;
  if (a->fail_at > 0 && a->count == a->fail_at) {
    a->failures++;
    return true;
  }
  return false;
}

static void *fa_malloc(void *user, size_t n) {
  fault_alloc *a = user;
  if (alloc_fails(a) || n > SIZE_MAX - sizeof(block_head))
    return NULL;
  block_head *h = malloc(sizeof *h + n);
  if (!h)
    return NULL;
  h->size = n;
  a->live_blocks++;
  a->live_bytes += n;
  if (a->live_bytes > a->peak_bytes)
    a->peak_bytes = a->live_bytes;
  return h + 1;
}

static void *fa_realloc(void *user, void *p, size_t n) {
  fault_alloc *a = user;
  if (!p)
    return fa_malloc(user, n);
  if (alloc_fails(a) || n > SIZE_MAX - sizeof(block_head))
    return NULL;
  block_head *h = (block_head *)p - 1;
  size_t old = h->size;
  h = realloc(h, sizeof *h + n);
  if (!h)
    return NULL;
  h->size = n;
  a->live_bytes = a->live_bytes - old + n;
  if (a->live_bytes > a->peak_bytes)
    a->peak_bytes = a->live_bytes;
  return h + 1;
}

static void fa_free(void *user, void *p) {
  fault_alloc *a = user;
  if (!p)
    return;
  block_head *h = (block_head *)p - 1;
  a->live_blocks--;
  a->live_bytes -= h->size;
  free(h);
}

int fault_alloc_install(fault_alloc *a) {
  memset(a, 0, sizeof *a);
  psvc_allocator al = PSVC_ALLOCATOR_INIT;
  al.malloc_fn = fa_malloc;
  al.realloc_fn = fa_realloc;
  al.free_fn = fa_free;
  al.user = a;
  return psvc_set_allocator(&al);
}

int fault_alloc_uninstall(fault_alloc *a) {
  (void)a;
  return psvc_set_allocator(NULL);
}

void fault_alloc_arm(fault_alloc *a, long k) {
  a->fail_at = k;
  a->count = 0;
}

/* ---- dumps ---------------------------------------------------------------------------- */

typedef struct text {
  char *s;
  size_t len, cap;
} text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void addf(text *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    abort();
  if (t->len + (size_t)n + 1 > t->cap) {
    t->cap = (t->len + (size_t)n + 1) * 2;
    t->s = xrealloc(t->s, t->cap);
  }
  va_start(ap, fmt);
  vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

static const char *str_or_null(const char *s) { return s ? s : "(null)"; }

static void dump_customer(text *t, const psvc_customer *c) {
  addf(t, "customer %s\n", str_or_null(psvc_customer_id(c)));
  addf(t, "  name=%s unit=%s feeder=%s phone=%s manager=%s\n",
       str_or_null(psvc_customer_name(c)), str_or_null(psvc_customer_unit(c)),
       str_or_null(psvc_customer_feeder(c)), str_or_null(psvc_customer_phone(c)),
       str_or_null(psvc_customer_manager(c)));
  addf(t, "  relation=%d tariff=%d sources=0x%x usage=0x%x importance=%d\n",
       psvc_customer_relation(c), psvc_customer_tariff(c), psvc_customer_sources(c),
       psvc_customer_usage(c), psvc_customer_importance(c));
  addf(t, "  load_class=%d segment=%d area=%d voltage=%ld capacity=%ld\n",
       psvc_customer_load_class(c), psvc_customer_segment(c), psvc_customer_area(c),
       (long)psvc_customer_voltage(c), (long)psvc_customer_capacity(c));
  addf(t, "  supply_end=%lld season=0x%x\n", (long long)psvc_customer_supply_end(c),
       psvc_customer_season(c));
}

char *fault_dump_customer(const psvc_customer *c) {
  text t = {0};
  dump_customer(&t, c);
  return t.s;
}

static void dump_order(text *t, const psvc_order *o) {
  addf(t, "order %s\n", str_or_null(psvc_order_id(o)));
  addf(t, "  type=%d subtype=%d channel=%d customer=%s area=%d accepted_at=%lld\n",
       psvc_order_type(o), psvc_order_subtype(o), psvc_order_channel(o),
       str_or_null(psvc_order_customer(o)), psvc_order_area(o),
       (long long)psvc_order_accepted_at(o));
  addf(t, "  summary=%s\n", str_or_null(psvc_order_summary(o)));
  addf(t, "  opened_by=%s opened_role=%d opened_unit=%s\n", str_or_null(psvc_order_opened_by(o)),
       psvc_order_opened_role(o), str_or_null(psvc_order_opened_unit(o)));
  addf(t, "  state=%d is_open=%d suspended_from=%d responsible=%s current=%s merged_into=%s\n",
       psvc_order_state(o), psvc_order_is_open(o), psvc_order_suspended_from(o),
       str_or_null(psvc_order_responsible_unit(o)), str_or_null(psvc_order_current_unit(o)),
       str_or_null(psvc_order_merged_into(o)));
  addf(t, "  urges=%d escalation=%d satisfaction=%d reopens=%d events=%zu\n",
       psvc_order_urge_count(o), psvc_order_escalation_level(o), psvc_order_satisfaction(o),
       psvc_order_reopen_count(o), psvc_order_event_count(o));
  for (size_t i = 0; i < psvc_order_event_count(o); i++)
    addf(t, "  event %zu: action=%d at=%lld actor=%s role=%d unit=%s target=%s value=%d note=%s\n",
         i, psvc_order_event_action(o, i), (long long)psvc_order_event_at(o, i),
         str_or_null(psvc_order_event_actor(o, i)), psvc_order_event_role(o, i),
         str_or_null(psvc_order_event_unit(o, i)), str_or_null(psvc_order_event_target(o, i)),
         psvc_order_event_value(o, i), str_or_null(psvc_order_event_note(o, i)));
}

char *fault_dump_order(const psvc_order *o) {
  text t = {0};
  dump_order(&t, o);
  return t.s;
}

char *fault_dump_ctx(psvc_ctx *ctx) {
  psvc_list *l = NULL;
  if (psvc_customer_list(ctx, &l) != PSVC_OK)
    return NULL;
  text t = {0};
  addf(&t, "%zu customers\n", psvc_list_count(l));
  for (size_t i = 0; i < psvc_list_count(l); i++) {
    psvc_customer *c = NULL;
    if (psvc_customer_load(ctx, psvc_list_id(l, i), &c) != PSVC_OK) {
      psvc_list_free(l);
      free(t.s);
      return NULL;
    }
    dump_customer(&t, c);
    psvc_customer_free(c);
  }
  psvc_list_free(l);
  /* then every order (empty filter: all of them, by accepted_at and id) */
  l = NULL;
  psvc_filter all = PSVC_FILTER_INIT;
  if (psvc_order_find(ctx, &all, &l) != PSVC_OK) {
    free(t.s);
    return NULL;
  }
  addf(&t, "%zu orders\n", psvc_list_count(l));
  for (size_t i = 0; i < psvc_list_count(l); i++) {
    psvc_order *o = NULL;
    if (psvc_order_load(ctx, psvc_list_id(l, i), &o) != PSVC_OK) {
      psvc_list_free(l);
      free(t.s);
      return NULL;
    }
    dump_order(&t, o);
    psvc_order_free(o);
  }
  psvc_list_free(l);
  return t.s;
}

/* ---- a fully populated customer ---------------------------------------------------------- */

int fault_customer_full(psvc_customer **out, const char *id, int variant) {
  /* Four variants, each valid (no ERROR finding; variant 3 has the C-18
     INFO). Variant 0 sets every field to a non-zero value. */
  static const struct {
    const char *name, *unit, *feeder, *phone, *manager;
    int relation, tariff, importance, load_class, segment, area;
    unsigned sources, usage, season;
    int32_t voltage, capacity;
    psvc_time end_offset;
  } v[] = {
      {"\xe5\x9b\xbd\xe7\xbd\x91\xe5\xae\xa2\xe6\x88\xb7 Steelworks", "Unit-North",
       "FDR-10kV-07", "+86 25 8888 0001", "staff.vip-01", PSVC_RELATION_DIRECT,
       PSVC_TARIFF_LARGE_INDUSTRY, PSVC_IMPORTANCE_FIRST, 1, PSVC_SEGMENT_VIP, PSVC_AREA_REMOTE,
       PSVC_SOURCE_HV | PSVC_SOURCE_DUAL_SOURCE | PSVC_SOURCE_SELF_GENERATION |
           PSVC_SOURCE_DEDICATED_LINE,
       PSVC_USAGE_TEMPORARY | PSVC_USAGE_SEASONAL | PSVC_USAGE_IMPORTANT, 0x0F0u, 10000, 800,
       90 * FAULT_DAY},
      {"Wholesale Co-op", "Unit-South", "FDR-35kV-01", "025-1234", "staff.key-07",
       PSVC_RELATION_WHOLESALE, PSVC_TARIFF_WHOLESALE, PSVC_IMPORTANCE_NONE, 2,
       PSVC_SEGMENT_KEY_ACCOUNT, PSVC_AREA_RURAL, PSVC_SOURCE_HV | PSVC_SOURCE_DEDICATED_LINE,
       PSVC_USAGE_SEASONAL, 0x801u, 35000, 20000, 0},
      {"Corner shop", "Unit-East", "TA-0042", "13800000000", "staff.area-3",
       PSVC_RELATION_TRANSFERRED, PSVC_TARIFF_COMMERCIAL, PSVC_IMPORTANCE_NONE, 3,
       PSVC_SEGMENT_ORDINARY, PSVC_AREA_URBAN, PSVC_SOURCE_LV, 0, 0, 380, 50, 0},
      {"Pump station", "Unit-West", "FDR-10kV-99", "0571-555", "staff.comm-9",
       PSVC_RELATION_DIRECT, PSVC_TARIFF_GENERAL_COMMERCIAL_INDUSTRIAL,
       PSVC_IMPORTANCE_SECOND, 2, PSVC_SEGMENT_KEY_ACCOUNT, PSVC_AREA_URBAN,
       PSVC_SOURCE_HV | PSVC_SOURCE_DUAL_SOURCE | PSVC_SOURCE_SELF_GENERATION,
       PSVC_USAGE_IMPORTANT | PSVC_USAGE_TEMPORARY, 0, 6000, 400, 30 * FAULT_DAY},
  };
  const int n = (int)(sizeof v / sizeof v[0]);
  int i = ((variant % n) + n) % n;
  psvc_customer *c = NULL;
  int rc = psvc_customer_new(&c, id);
  if (rc != PSVC_OK)
    return rc;
#define SET(call)                                                              \
  do {                                                                         \
    if ((rc = (call)) != PSVC_OK)                                              \
      goto fail;                                                               \
  } while (0)
  SET(psvc_customer_set_name(c, v[i].name));
  SET(psvc_customer_set_unit(c, v[i].unit));
  SET(psvc_customer_set_feeder(c, v[i].feeder));
  SET(psvc_customer_set_phone(c, v[i].phone));
  SET(psvc_customer_set_manager(c, v[i].manager));
  SET(psvc_customer_set_relation(c, v[i].relation));
  SET(psvc_customer_set_tariff(c, v[i].tariff));
  SET(psvc_customer_set_importance(c, v[i].importance));
  SET(psvc_customer_set_load_class(c, v[i].load_class));
  SET(psvc_customer_set_segment(c, v[i].segment));
  SET(psvc_customer_set_area(c, v[i].area));
  SET(psvc_customer_set_sources(c, v[i].sources));
  SET(psvc_customer_set_usage(c, v[i].usage));
  SET(psvc_customer_set_season(c, v[i].season));
  SET(psvc_customer_set_voltage(c, v[i].voltage));
  SET(psvc_customer_set_capacity(c, v[i].capacity));
  SET(psvc_customer_set_supply_end(c, v[i].end_offset ? FAULT_NOW + v[i].end_offset : 0));
#undef SET
  *out = c;
  return PSVC_OK;
fail:
  psvc_customer_free(c);
  return rc;
}

/* ---- running a suite ------------------------------------------------------------------------ */

int fault_run_suite(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_ENV);
  int failed = srunner_ntests_failed(sr);
  int run = srunner_ntests_run(sr);
  srunner_free(sr);
  if (run == 0) {
    fprintf(stderr, "no tests ran\n");
    return EXIT_FAILURE;
  }
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
