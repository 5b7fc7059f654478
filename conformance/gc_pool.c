/*
 * gc_pool.c — a GC-aware object pool (HB_CAP_POOL: Go's sync.Pool) is a
 * cache the collector may empty, and two things must hold:
 *
 *   gc/pool-get-put   what is got is what was put: on one thread with no
 *                     cycle in between, put x then get returns x (Go's
 *                     per-P private slot); a batch put comes back as
 *                     distinct objects of that batch, intact, then NULL
 *                     (no new_fn) or new_fn's object; and across a cycle,
 *                     whatever the pool still returns is intact (a pool
 *                     that does not keep its contents alive hands out
 *                     freed memory).
 *   gc/pool-dropped   objects put and never taken back are released within
 *                     two cycles (sync.Pool's victim cache: the first cycle
 *                     moves primary -> victim, the second drops the
 *                     victim), and a pool never returns a dropped object.
 *                     Measured by finalizers where the collector has them,
 *                     else by gc_stats live bytes; the 90% bound of the
 *                     other reclamation properties, for conservative stack
 *                     words. A pool that roots its contents forever is a
 *                     leak the size of its peak.
 *
 * Sources: Go sync/pool.go (Get/Put, poolCleanup, victim cache since Go
 * 1.13), sync/pool_test.go (TestPool, TestPoolNew, TestPoolRelease).
 * pool-get-put is proven by faults/gc_pool_private.c, pool-dropped by
 * faults/gc_pool_keeps.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc_support.h"

#define HIDE ((uintptr_t)0x3c3cc3c35a5aa5a5ull)
enum { OWORDS = 8, BATCH = 64, DROP_N = 1000, DROP_SIZE = 1024 };

static uint64_t word_of(uint64_t id, int w) { return (id * 0x9e3779b97f4a7c15ull) ^ (uint64_t)w; }

static uint64_t *make_obj(uint64_t id) {
    uint64_t *o = hb_new(OWORDS * sizeof(uint64_t), HB_NOSCAN);
    for (int w = 0; w < OWORDS; w++) o[w] = word_of(id, w);
    return o;
}

/* the batch index of x, or -1 */
static int find(const uintptr_t *hidden, int n, const void *x) {
    for (int i = 0; i < n; i++)
        if ((hidden[i] ^ HIDE) == (uintptr_t)x) return i;
    return -1;
}

static int intact(const uint64_t *o, uint64_t id, int *bad) {
    for (int w = 0; w < OWORDS; w++)
        if (o[w] != word_of(id, w)) return *bad = w, 0;
    return 1;
}

static _Atomic int new_calls;
static void *pool_new_obj(void *arg) {
    atomic_fetch_add(&new_calls, 1);
    return make_obj((uint64_t)(uintptr_t)arg);
}

/* Get everything a batch put into p: each object distinct, of the batch,
 * intact. Returns how many came back, or -1 with the reason in r. */
static int drain(hb_pool *p, const uintptr_t *hidden, uint64_t base, const char *when, hb_cf_result *r) {
    int got[BATCH] = {0}, n = 0;
    for (int i = 0; i <= BATCH; i++) {
        uint64_t *x = hb_rt.ad->pool_get(p);
        if (!x) return n;
        int k = find(hidden, BATCH, x);
        if (k < 0)
            return hb_cf_fail(r, "%s: pool_get returned %p, which was never put (pool without new_fn)", when,
                              (void *)x),
                   -1;
        if (got[k]++)
            return hb_cf_fail(r, "%s: pool_get returned object #%d (%p) twice; it was put once", when, k, (void *)x),
                   -1;
        int bad;
        if (!intact(x, base + (uint64_t)k, &bad))
            return hb_cf_fail(r, "%s: object #%d (%p) came back changed: word %d is %#llx, expected %#llx — freed "
                              "while in the pool and reused",
                              when, k, (void *)x, bad, (unsigned long long)x[bad],
                              (unsigned long long)word_of(base + (uint64_t)k, bad)),
                   -1;
        n++;
    }
    return hb_cf_fail(r, "%s: more than %d objects came back from %d puts", when, BATCH, BATCH), -1;
}

static hb_cf_status get_put_run(hb_cf_result *r) {
    hb_pool *p = hb_rt.ad->pool_new(NULL, NULL);
    if (!p) return hb_cf_fail(r, "pool_new(NULL, NULL) returned NULL");
    if (hb_rt.ad->pool_get(p)) return hb_cf_fail(r, "a new pool without new_fn returned an object from pool_get");
    /* 1: put x, get x */
    for (int i = 0; i < 100; i++) {
        uint64_t *x = make_obj(1000 + (uint64_t)i);
        hb_rt.ad->pool_put(p, x);
        uint64_t *y = hb_rt.ad->pool_get(p);
        int bad;
        if (y != x)
            return hb_cf_fail(r, "put %p then get on the same thread returned %p (round %d)", (void *)x, (void *)y, i);
        if (!intact(y, 1000 + (uint64_t)i, &bad))
            return hb_cf_fail(r, "object %p changed between put and get: word %d", (void *)y, bad);
    }
    /* 2: a batch, no cycle in between */
    uintptr_t hidden[BATCH];
    for (int i = 0; i < BATCH; i++) {
        uint64_t *x = make_obj(2000 + (uint64_t)i);
        hidden[i] = (uintptr_t)x ^ HIDE;
    }
    for (int i = 0; i < BATCH; i++) hb_rt.ad->pool_put(p, (void *)(hidden[i] ^ HIDE));
    int batch = drain(p, hidden, 2000, "batch without a cycle", r);
    if (batch < 0) return HB_CF_FAIL;
    if (!batch) return hb_cf_fail(r, "%d objects put, then pool_get returned NULL at once (same thread, no cycle)",
                                  BATCH);
    /* 3: across one cycle, what still comes back must be intact */
    for (int i = 0; i < BATCH; i++) hidden[i] = (uintptr_t)make_obj(3000 + (uint64_t)i) ^ HIDE;
    for (int i = 0; i < BATCH; i++) hb_rt.ad->pool_put(p, (void *)(hidden[i] ^ HIDE));
    hb_cf_clear_stack();
    hb_collect();
    for (int i = 0; i < 4 * BATCH; i++) {
        uint64_t *g = hb_new(OWORDS * sizeof(uint64_t), HB_NOSCAN);
        memset(g, 0xa5, OWORDS * sizeof(uint64_t));
    }
    int kept = drain(p, hidden, 3000, "after one cycle", r);
    if (kept < 0) return HB_CF_FAIL;
    hb_rt.ad->pool_free(p);
    /* 4: new_fn when empty */
    hb_pool *q = hb_rt.ad->pool_new(pool_new_obj, (void *)(uintptr_t)777);
    if (!q) return hb_cf_fail(r, "pool_new(new_fn, arg) returned NULL");
    uint64_t *z = hb_rt.ad->pool_get(q);
    int bad;
    if (!z || atomic_load(&new_calls) != 1 || !intact(z, 777, &bad))
        return hb_cf_fail(r, "pool_get on an empty pool with new_fn returned %p after %d new_fn calls (expected "
                          "new_fn's object after 1)",
                          (void *)z, atomic_load(&new_calls));
    hb_rt.ad->pool_free(q);
    return hb_cf_pass(r, "put x/get x 100 times; %d of %d batch objects back, distinct and intact, then NULL; %d of %d "
                      "back after one cycle, intact; new_fn called when empty",
                      batch, BATCH, kept, BATCH);
}

static const hb_property get_put_prop = {
    .name = "gc/pool-get-put",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_POOL,
    .summary = "pool_get returns what pool_put stored (same thread, no cycle), distinct and intact; new_fn when empty",
    .source = "Go sync/pool.go; sync/pool_test.go (TestPool, TestPoolNew)",
    .run = get_put_run,
};
HB_PROPERTY(get_put_prop);

/* ---- dropped within two cycles ---- */
typedef struct drop_job {
    hb_pool *pool;
    _Atomic int *fin;
} drop_job;

static void *fill_pool(void *arg) {
    drop_job *j = arg;
    for (int i = 0; i < DROP_N; i++) {
        uint64_t *o = hb_new(DROP_SIZE, HB_NOSCAN);
        o[0] = (uint64_t)i;
        if (j->fin) hb_rt.ad->set_finalizer(o, gc_count_finalizer, &j->fin[i]);
        hb_rt.ad->pool_put(j->pool, o);
    }
    return NULL;
}

static hb_cf_status dropped_run(hb_cf_result *r) {
    drop_job j = {hb_rt.ad->pool_new(NULL, NULL), NULL};
    if (!j.pool) return hb_cf_fail(r, "pool_new(NULL, NULL) returned NULL");
    int fins = hb_has(HB_CAP_FINALIZERS);
    if (fins) j.fin = calloc(DROP_N, sizeof *j.fin);
    hb_gc_stats s0, s1;
    gc_two_cycles();
    hb_rt.ad->gc_stats(&s0);
    gc_on_helper(fill_pool, &j);
    gc_two_cycles();
    hb_rt.ad->gc_stats(&s1);
    double f;
    const char *how;
    int late = 0;
    if (fins) {
        /* Finalizers run on the collector's own thread (Go: a goroutine),
         * possibly after collect() returns: wait up to 250 ms for them, but
         * only while no further cycle starts, so the bound stays two cycles. */
        int twice, ran = gc_count_ran(j.fin, DROP_N, &twice), ran0 = ran;
        uint64_t t0 = hb_cf_now_ns();
        hb_gc_stats sw;
        while (ran < DROP_N && hb_cf_now_ns() - t0 < 250000000ull) {
            nanosleep(&(struct timespec){0, 1000000}, NULL);
            hb_rt.ad->gc_stats(&sw);
            if (sw.cycles != s1.cycles) break;
            ran = gc_count_ran(j.fin, DROP_N, &twice);
        }
        late = ran - ran0;
        f = (double)ran / DROP_N;
        how = "finalizers";
    } else {
        double grew = s1.heap_live_bytes > s0.heap_live_bytes ? (double)(s1.heap_live_bytes - s0.heap_live_bytes) : 0;
        double made = (double)DROP_N * DROP_SIZE;
        f = grew >= made ? 0.0 : 1.0 - grew / made;
        how = "gc_stats live bytes";
    }
    if (f < 0.90)
        return hb_cf_fail(r, "%.1f%% of %d objects put in a pool and never taken back were released within two "
                          "cycles (by %s); bound 90%% (sync.Pool's victim cache drops them at the second)",
                          100 * f, DROP_N, how);
    /* what was dropped must not come back */
    for (int i = 0; i < DROP_N + 1; i++) {
        uint64_t *x = hb_rt.ad->pool_get(j.pool);
        if (!x) break;
        if (fins) {
            uint64_t id = x[0];
            if (id < DROP_N && atomic_load(&j.fin[id]))
                return hb_cf_fail(r, "pool_get returned %p (object #%llu) after its finalizer ran: a dropped "
                                  "object handed out again",
                                  (void *)x, (unsigned long long)id);
        }
    }
    hb_rt.ad->pool_free(j.pool);
    return hb_cf_pass(r, "%.1f%% of %d pooled objects never taken back released within two cycles (by %s, %d of "
                      "them run after collect() returned, with no further cycle; bound 90%%)",
                      100 * f, DROP_N, how, late);
}

static const hb_property dropped_prop = {
    .name = "gc/pool-dropped",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_POOL,
    .summary = "objects put in a pool and never taken back are released within two cycles (victim cache)",
    .source = "Go sync/pool.go (poolCleanup, victim cache); sync/pool_test.go (TestPoolRelease)",
    .run = dropped_run,
};
HB_PROPERTY(dropped_prop);
