/* test_mcache.c — mcache/mcentral behaviour through the stats: refill across
 * spans, empty spans going back to the heap, a thread's spans flushed to
 * mcentral at exit and reused by the next thread, remote frees reclaimed by
 * the owner (producer/consumer), and stats by class. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "check.h"
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

int main(void) {
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
    printf("mcache ok (peak class-4 spans %llu)\n", (unsigned long long)peak);
    return 0;
}
