/* test_mcache.c — mcache/mcentral behaviour through the stats: refill across
 * spans, empty spans going back to the heap, a thread's spans flushed to
 * mcentral at exit and reused by the next thread, remote frees reclaimed by
 * the owner (producer/consumer), and stats by class. The LIFO of warm
 * objects: a freed object is the next one of its class handed out, newest
 * first, from any span the thread owns; the LIFO goes back to the bitmaps
 * at thread exit and gh_thread_exit; double frees of objects on it (LIFO
 * with room, full, freed from another thread and drained by the owner or
 * flushed at its exit; in GH_DEBUG builds also with
 * word 1 overwritten) still abort (in a forked child), and in GH_DEBUG
 * builds so does a pop of a link the program overwrote; and a LIFO left
 * when the collector starts is the sweeper's, not flushed over live objects. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "child.h"
#include "goheap/gc.h"
#include "goheap/goheap.h"

enum { N = 100000 };
static void *v[N];

static gh_stats st(void) {
    gh_stats s;
    gh_stats_read(&s);
    return s;
}

static void *alloc_many(void *arg) {
    size_t size = (size_t)(uintptr_t)arg;
    for (int i = 0; i < N; i++) v[i] = gh_malloc(size);
    return NULL;
}
static void *free_many(void *arg) {
    (void)arg;
    for (int i = 0; i < N; i++) gh_free(v[i]);
    return NULL;
}

static unsigned class_of(size_t size) {
    gh_stats a = st();
    for (unsigned i = 1; i < GH_NUM_CLASSES; i++)
        if (a.class_size[i] == size) return i;
    CHECK(!"no such class");
    return 0;
}

/* The next malloc of a class gets the object of that class freed last. */
static void test_lifo_warm(void) {
    enum { M = 300 }; /* 80 B: 102 per span, so three spans */
    static void *o[M];
    for (int i = 0; i < M; i++) o[i] = gh_malloc(80);
    gh_free(o[5]);     /* a full span, not the current one */
    gh_free(o[M - 1]); /* the current span */
    gh_free(o[150]);
    CHECK(gh_malloc(80) == o[150]);
    CHECK(gh_malloc(80) == o[M - 1]);
    CHECK(gh_malloc(80) == o[5]);
    gh_free(o[7]);
    CHECK(gh_malloc(65) == o[7]); /* any size of the class */
    memset(o[7], 0xff, 80);      /* word 1 rewritten: a later free is no double free */
    for (int i = 0; i < M; i++) gh_free(o[i]);
}

/* The LIFO's objects are freed (allocBits) when the thread exits. */
static void *alloc_free_1k(void *arg) {
    static void *o[200];
    for (int i = 0; i < 200; i++) o[i] = gh_malloc(1024);
    for (int i = 0; i < 200; i++) gh_free(o[i]);
    if (arg) gh_thread_exit();
    return NULL;
}
static void test_lifo_flush(void) {
    unsigned sc = class_of(1024);
    CHECK(st().objects_inuse[sc] == 0);
    pthread_t t;
    pthread_create(&t, NULL, alloc_free_1k, NULL); /* the key destructor */
    pthread_join(t, NULL);
    CHECKF(st().objects_inuse[sc] == 0, "thread exit: %llu objects left", (unsigned long long)st().objects_inuse[sc]);
    alloc_free_1k((void *)1); /* gh_thread_exit */
    CHECKF(st().objects_inuse[sc] == 0, "gh_thread_exit: %llu objects left", (unsigned long long)st().objects_inuse[sc]);
}

static void double_free_lifo(void) { /* the LIFO has room */
    void *p = gh_malloc(96);
    gh_free(p);
    gh_free(p);
}
static void double_free_lifo_full(void) { /* p is on a full LIFO */
    static void *o[300];
    for (int i = 0; i < 300; i++) o[i] = gh_malloc(96);
    for (int i = 0; i < 300; i++) gh_free(o[i]);
    gh_free(o[0]);
}
static void *free_arg(void *p) {
    gh_free(p);
    return NULL;
}
static void double_free_lifo_remote(void) { /* on the owner's LIFO, freed by another thread */
    void *p = gh_malloc(96);
    gh_free(p);
    pthread_t t;
    pthread_create(&t, NULL, free_arg, p);
    pthread_join(t, NULL);
    gh_thread_exit(); /* the LIFO is flushed, then the span's remote frees drained */
    gh_scavenge();
}
static void double_free_lifo_drained(void) { /* the same, the owner drains it first */
    void *p = gh_malloc(96);
    gh_free(p);
    pthread_t t;
    pthread_create(&t, NULL, free_arg, p);
    pthread_join(t, NULL);
    /* aligned allocations of the class take the window, not the LIFO, and
     * refill (draining p's span) as it runs out */
    for (int i = 0; i < 300; i++) gh_aligned_alloc(32, 96);
}
static void double_free_lifo_clobbered(void) { /* word 1 overwritten after the free */
    void **p = gh_malloc(96);
    gh_free(p);
    p[1] = NULL;
    gh_free(p);
}

static void lifo_use_after_free(void) { /* word 0 (the link) overwritten */
    void **p = gh_malloc(96);
    gh_free(p);
    p[0] = (void *)(uintptr_t)0x1230;
    gh_malloc(96); /* p */
    gh_malloc(96); /* 0x1230: [W1] in GH_DEBUG builds (release: a wild load) */
}

/* Collected mode after manual frees: a LIFO left from before gh_gc_init is
 * garbage to the sweeper, which gives its spans to mcentral, so another
 * thread's objects may take those slots; the cache flush at detach must
 * drop the old LIFO, not clear their bits. */
enum { GCK = 40 };
static void *gc_old[GCK], *gc_new[GCK];
static void *gc_alloc_96(void *arg) {
    static const gh_layout lay = {1, 1}; /* 96 B with pointers: the class malloc uses */
    (void)arg;
    gh_gc_thread_attach();
    for (int i = 0; i < GCK; i++) gc_new[i] = gh_gc_alloc(96, &lay);
    gh_gc_thread_detach();
    return NULL;
}
static void test_lifo_then_gc(void) {
    for (int i = 0; i < GCK; i++) gc_old[i] = gh_malloc(96);
    for (int i = 0; i < GCK; i++) gh_free(gc_old[i]);
    CHECK(gh_gc_init(NULL) == 0);
    gh_gc_thread_attach();
    gh_gc_root_add(gc_new, sizeof gc_new);
    gh_gc_collect(); /* the freed objects are unmarked: swept */
    pthread_t t;
    pthread_create(&t, NULL, gc_alloc_96, NULL);
    pthread_join(t, NULL);
    int reused = 0;
    for (int i = 0; i < GCK; i++)
        for (int j = 0; j < GCK; j++) reused += gc_new[i] == gc_old[j];
    CHECKF(reused > 0, "no swept LIFO slot reused");
    gh_gc_thread_detach(); /* flushes this thread's cache */
    for (int i = 0; i < GCK; i++) CHECKF(gh_gc_is_allocated(gc_new[i]), "object %d freed by the old LIFO", i);
}

int main(void) {
    test_lifo_warm();
    test_lifo_flush();
    CHECK(dies(double_free_lifo));
    CHECK(dies(double_free_lifo_full));
    CHECK(dies(double_free_lifo_remote));
    CHECK(dies(double_free_lifo_drained));
#if GH_DEBUG > 0
    CHECK(dies(double_free_lifo_clobbered)); /* release builds trust word 1 */
    CHECK(dies(lifo_use_after_free));
#else
    (void)double_free_lifo_clobbered;
    (void)lifo_use_after_free;
#endif
    gh_thread_exit(); /* start the rest with an empty cache */
    gh_scavenge();

    /* refill: 100000 x 48 B = 170 objects/span -> 589 spans of class 5 */
    alloc_many((void *)48);
    gh_stats a = st();
    CHECK(a.class_size[5] == 48);
    CHECKF(a.spans_inuse[5] >= N / 170 && a.spans_inuse[5] <= N / 170 + 2, "spans %llu", (unsigned long long)a.spans_inuse[5]);
    CHECK(a.objects_inuse[5] >= N && a.objects_inuse[5] < N + 170);
    CHECK(a.heap_alloc_bytes >= (uint64_t)N * 48);
    free_many(NULL);
    a = st();
    /* the current span plus up to 64 KiB of empty spans kept per class, and
     * the span before the current one: the LIFO (the last 32..64 objects
     * freed, still allocated in their spans) holds some of its objects */
    CHECKF(a.spans_inuse[5] <= 1 + 8 + 1, "empty spans not returned: %llu", (unsigned long long)a.spans_inuse[5]);

    /* a thread's spans go to mcentral at exit; the next thread reuses them */
    pthread_t t;
    pthread_create(&t, NULL, alloc_many, (void *)64);
    pthread_join(t, NULL);
    a = st();
    uint64_t spans64 = a.spans_inuse[6];
    CHECK(spans64 >= N / 128);
    /* free from the main thread: remote frees into unowned spans */
    free_many(NULL);
    gh_scavenge(); /* sweeps mcentral: drained spans become empty and go back */
    a = st();
    CHECKF(a.spans_inuse[6] <= 1, "spans after sweep: %llu", (unsigned long long)a.spans_inuse[6]);
    CHECK(a.heap_inuse_bytes < (1u << 20));

    /* producer/consumer: consumer frees remotely, producer reclaims by refill */
    uint64_t peak = 0;
    for (int round = 0; round < 20; round++) {
        alloc_many((void *)32);
        pthread_create(&t, NULL, free_many, NULL);
        pthread_join(t, NULL);
        a = st();
        if (a.spans_inuse[4] > peak) peak = a.spans_inuse[4];
    }
    CHECKF(peak <= 2 * (N / 256 + 2), "remote frees not reused: peak %llu spans", (unsigned long long)peak);
    gh_thread_exit();
    gh_scavenge();
    a = st();
    CHECKF(a.heap_objects == 0, "objects %llu", (unsigned long long)a.heap_objects);
    test_lifo_then_gc(); /* last: the collector stays on */
    printf("mcache ok (peak class-4 spans %llu)\n", (unsigned long long)peak);
    return 0;
}
