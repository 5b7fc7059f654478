/*
 * pooled/cross-thread-{direct,freelist,syncpool} — one thread gets, another
 * puts.
 *
 * Pattern: a pipeline stage: a producer takes an object from the pool,
 * fills it and hands it to a consumer through a queue; the consumer reads it
 * and puts it back into the *same* pool. With `threads` threads there are
 * threads/2 such pairs (at least one), each with its own pool. Objects
 * therefore always return on a different thread than the one that takes
 * them: a per-thread cache (sync.Pool's per-P pools, an allocator's thread
 * cache) fills on the consumer's side and misses on the producer's; a
 * mutex-protected free list bounces its lock between cores. Three
 * strategies (pooled/strategy.h). Origin: Go's sync.Pool cross-goroutine
 * behaviour (victim cache, per-P steal), xmalloc-test's producer/consumer.
 *
 * Parameters: ops (objects per pair), size, threads, queue.
 * Validates: the header/trailer protocol of pooled/strategy.h and a
 * sequence word written by the producer and checked by the consumer.
 * Counters: objects_made, reuse_ratio.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "pooled/strategy.h"
#include "wl/ring.h"

static const hb_param params[] = {
    {"ops", 150000, 10000000, "objects passed per producer/consumer pair", 1, 100000000000},
    {"size", 256, 256, "object size in bytes (at least 32)", 1, 1048576},
    {"threads", 2, 4, "threads (pairs = threads / 2, at least 1)", 1, 1024},
    {"queue", 64, 64, "queue capacity between producer and consumer", 1, 1048576},
};

typedef struct pair {
    wl_ring ring;
    ps_class cls;
    uint64_t ops, bad_prod, bad_cons;
} pair;

static void *producer(void *arg) {
    pair *p = arg;
    for (uint64_t i = 0; i < p->ops; i++) {
        uint64_t *o = ps_get(&p->cls, &p->bad_prod);
        if (!o) {
            p->bad_prod++;
            o = NULL;
        } else {
            o[2] = i;
        }
        wl_ring_push(&p->ring, o);
        if ((i & 255) == 0) hb_safepoint();
    }
    return NULL;
}

static void *consumer(void *arg) {
    pair *p = arg;
    for (uint64_t i = 0; i < p->ops; i++) {
        uint64_t *o = wl_ring_pop(&p->ring);
        if (!o) continue;
        p->bad_cons += o[2] != i;
        ps_put(&p->cls, o, &p->bad_cons);
        if ((i & 255) == 0) hb_safepoint();
    }
    return NULL;
}

static void run(hb_gb_state *st, const hb_wl_args *a, int strategy) {
    uint64_t ops = (uint64_t)hb_param_get(a, "ops");
    size_t size = (size_t)hb_param_get(a, "size");
    int64_t threads = hb_param_get(a, "threads");
    uint64_t queue = (uint64_t)hb_param_get(a, "queue");
    size_t npairs = threads >= 4 ? (size_t)threads / 2 : 1;
    if (queue < 1) queue = 1;
    uint64_t bad = 0, made = 0;
    while (hb_gb_keep_running(st)) {
        pair *pairs = calloc(npairs, sizeof *pairs);
        pthread_t *tid = calloc(2 * npairs, sizeof *tid);
        for (size_t i = 0; i < npairs; i++) {
            pairs[i].ops = ops;
            if (wl_ring_init(&pairs[i].ring, queue) ||
                ps_init(&pairs[i].cls, strategy, size, 7 + i, 2 * queue))
                bad++;
        }
        for (size_t i = 0; i < npairs && !bad; i++) {
            hb_thread_start(&tid[2 * i], producer, &pairs[i]);
            hb_thread_start(&tid[2 * i + 1], consumer, &pairs[i]);
        }
        made = 0;
        for (size_t i = 0; i < npairs; i++) {
            if (!bad || tid[2 * i]) {
                if (tid[2 * i]) hb_thread_join(tid[2 * i]);
                if (tid[2 * i + 1]) hb_thread_join(tid[2 * i + 1]);
            }
            bad += pairs[i].bad_prod + pairs[i].bad_cons;
            made += pairs[i].cls.made;
            ps_destroy(&pairs[i].cls);
            wl_ring_destroy(&pairs[i].ring);
        }
        free(tid);
        free(pairs);
    }
    uint64_t total = ops * npairs;
    ps_report(st, "cross-thread", "objects", strategy, bad, total, made);
}

PS_WORKLOADS(cross_thread, "pooled/cross-thread",
             "A producer thread gets objects (256 B) from a pool and hands them through a queue "
             "to a consumer thread that puts them back: objects always return on another "
             "thread, the worst case of per-thread caches.",
             params, run, HB_NEEDS_CAP(HB_CAP_THREADS));
