/* test_stress.c — randomized multi-threaded test against a reference model.
 *
 * Several threads run long random sequences of malloc / calloc / aligned
 * alloc / realloc / free / free_sized of random sizes (mostly small, some up
 * to 32 KiB, a few large) and alignments. Every live object is recorded with
 * its size, alignment and a seed; its bytes are pattern-filled from the seed
 * and verified before every realloc and free, so an overlap with any other
 * live object (in any thread) or a lost realloc copy is caught. Objects are
 * also handed to other threads through a shared mailbox and freed there
 * (cross-thread frees), and threads exit and restart in rounds so caches are
 * flushed while other threads still hold their objects.
 * GH_STRESS_SCALE (default 1) multiplies the number of operations. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "goheap/goheap.h"

static int NTHREADS = 4;
#define NLIVE 2048
#define MAILBOX 256

typedef struct obj {
    unsigned char *p;
    size_t size, align;
    uint32_t seed;
} obj;

static _Atomic(obj *) mailbox[MAILBOX];
static long ops_per_thread = 400000;

static uint64_t xs(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static inline unsigned char pat(uint32_t seed, size_t i) { return (unsigned char)((seed * 2654435761u + i * 31) >> 7); }

/* sampled positions for big objects, every byte for small */
#define FOR_POS(size, i, body)                                                           \
    do {                                                                                 \
        if ((size) <= 4096) {                                                            \
            for (size_t i = 0; i < (size); i++) body;                                   \
        } else {                                                                         \
            for (size_t i = 0; i < 256; i++) body;                                      \
            for (size_t i = (size) - 256; i < (size); i++) body;                        \
            for (size_t i = 256; i < (size) - 256; i += 509) body;                      \
        }                                                                                \
    } while (0)

static void fill(obj *o) { FOR_POS(o->size, i, o->p[i] = pat(o->seed, i)); }
/* checks the positions fill() wrote for o->size, below upto */
static void verify(const obj *o, size_t upto) {
    FOR_POS(o->size, i, CHECKF(i >= upto || o->p[i] == pat(o->seed, i), "corrupt object %p size %zu at %zu",
                               (void *)o->p, o->size, i));
}

static size_t rnd_size(uint64_t *s) {
    uint64_t r = xs(s) % 1000;
    if (r < 700) return xs(s) % 129;
    if (r < 950) return xs(s) % 2048;
    if (r < 995) return xs(s) % 40000;
    return 40000 + xs(s) % (600 << 10);
}

static void check_new(obj *o) {
    CHECK(o->p != NULL);
    CHECKF(((uintptr_t)o->p & (o->align - 1)) == 0, "%p align %zu size %zu", (void *)o->p, o->align, o->size);
    CHECK(gh_usable_size(o->p) >= o->size);
    CHECK(gh_owns(o->p));
}

static void *worker(void *arg) {
    uint64_t s = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
    static _Thread_local obj live[NLIVE];
    memset(live, 0, sizeof live);
    for (long it = 0; it < ops_per_thread; it++) {
        obj *o = &live[xs(&s) % NLIVE];
        unsigned op = (unsigned)(xs(&s) % 100);
        if (o->p) {
            verify(o, SIZE_MAX);
            if (op < 10) { /* realloc */
                size_t ns = rnd_size(&s);
                unsigned char *q = gh_realloc(o->p, ns);
                CHECK(q || ns == 0);
                o->p = q;
                verify(o, ns); /* the prefix survived the move */
                o->size = ns;
                o->align = ns > 8 ? 16 : 8;
                check_new(o);
                fill(o);
                continue;
            }
            if (op < 25) { /* hand to another thread */
                obj *m = malloc(sizeof *m);
                *m = *o;
                m = atomic_exchange(&mailbox[xs(&s) % MAILBOX], m);
                if (m) { /* freed here: usually allocated by someone else */
                    verify(m, SIZE_MAX);
                    gh_free(m->p);
                    free(m);
                }
            } else if (op < 60) {
                gh_free_sized(o->p, o->size);
            } else {
                gh_free(o->p);
            }
            o->p = NULL;
            continue;
        }
        o->seed = (uint32_t)xs(&s);
        o->size = rnd_size(&s);
        o->align = 16;
        if (op < 15) {
            o->align = (size_t)1 << (xs(&s) % 17);
            o->p = gh_aligned_alloc(o->align, o->size);
            if (o->align < 16 && o->size > 8) o->align = 16;
            else if (o->align < 8) o->align = 8;
        } else if (op < 25) {
            o->p = gh_calloc(1, o->size);
            CHECK(o->p);
            FOR_POS(o->size, i, CHECKF(o->p[i] == 0, "calloc not zero"));
        } else {
            o->p = gh_malloc(o->size);
        }
        if (o->size <= 8 && o->align > 8) o->align = 8;
        check_new(o);
        fill(o);
    }
    for (int i = 0; i < NLIVE; i++)
        if (live[i].p) {
            verify(&live[i], SIZE_MAX);
            gh_free(live[i].p);
        }
    return NULL;
}

int main(void) {
    const char *sc = getenv("GH_STRESS_SCALE");
    if (sc && atoi(sc) > 0) ops_per_thread *= atoi(sc);
    const char *nt = getenv("GH_STRESS_THREADS");
    if (nt && atoi(nt) > 0 && atoi(nt) <= 16) NTHREADS = atoi(nt);
    for (int round = 0; round < 3; round++) {
        pthread_t t[16];
        for (int i = 0; i < NTHREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(round * NTHREADS + i + 1));
        for (int i = 0; i < NTHREADS; i++) pthread_join(t[i], NULL);
    }
    for (int i = 0; i < MAILBOX; i++) {
        obj *m = atomic_exchange(&mailbox[i], NULL);
        if (m) {
            verify(m, SIZE_MAX);
            gh_free(m->p);
            free(m);
        }
    }
    gh_scavenge();
    gh_stats st;
    gh_stats_read(&st);
    printf("stress ok: live objects after=%llu heap_inuse=%llu released=%llu\n", (unsigned long long)st.heap_objects,
           (unsigned long long)st.heap_inuse_bytes, (unsigned long long)st.heap_released_bytes);
    CHECKF(st.heap_objects < 64 * 68 * 2, "objects left: %llu", (unsigned long long)st.heap_objects);
    return 0;
}
