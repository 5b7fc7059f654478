/*
 * gc_pool_private.c — FAULT: goheap's collector and pool with a per-thread
 * private slot in front of the shared pool (sync.Pool's poolLocal.private):
 * put fills the slot when it is empty, get takes from it first — but get
 * reads the slot without clearing it (Go: `x := l.private; l.private = nil`,
 * the second half forgotten). The same object comes back from every get,
 * and objects put later are not what get returns. The slot is a registered
 * root, written through the write barrier, so nothing is lost to the
 * collector. Must be caught by gc/pool-get-put.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/pool-get-put";

static _Thread_local struct {
    hb_pool *pool;
    void *x;
    int rooted;
} priv;

static void priv_store(void *val) {
    if (!priv.rooted) gh_gc_root_add(&priv.x, sizeof priv.x), priv.rooted = 1;
    if (__atomic_load_n(&gh_gc_barrier_enabled, __ATOMIC_RELAXED)) gh_gc_write_barrier(&priv.x, val);
    else __atomic_store_n(&priv.x, val, __ATOMIC_RELEASE);
}

static void priv_put(hb_pool *p, void *x) {
    if (!x) return;
    if (priv.x) return ghgc_pool_put(p, x);
    priv.pool = p;
    priv_store(x);
}

static void *priv_get(hb_pool *p) {
    if (priv.x && priv.pool == p) return priv.x; /* should also clear the slot: priv_store(NULL) */
    return ghgc_pool_get(p);
}

static void priv_free(hb_pool *p) {
    if (priv.pool == p) priv.pool = NULL, priv_store(NULL);
    ghgc_pool_free(p);
}

HB_FAULT_GOHEAP("fault-gc_pool_private", .pool_get = priv_get, .pool_put = priv_put, .pool_free = priv_free);
