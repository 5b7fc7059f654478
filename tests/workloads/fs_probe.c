/*
 * fs_probe.c — can this machine show false sharing at all, right now?
 *
 * Two threads store (and load back) bytes, first in two words of one cache line, then in
 * two lines 256 bytes apart, with no allocator involved; it prints the
 * slowdown of the shared line (median of nine alternating pairs). Where the two
 * threads cannot run at the same time on cores with private caches (a
 * loaded machine, or two virtual CPUs that are one core's hyperthreads) it
 * is about 1, and false_sharing.sh skips instead of failing: no allocator
 * could show false sharing there. Used only by tests/workloads.
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static _Alignas(256) volatile unsigned char buf[512];
static int offset[2];

static void *writer(void *arg) {
    volatile unsigned char *p = buf + offset[(intptr_t)arg];
    unsigned char sink = 0;
    for (long i = 0; i < 10000000; i++) { /* a store and a load back, as the workloads */
        p[i & 7] = (unsigned char)i;
        sink += p[i & 7];
    }
    return (void *)(intptr_t)sink;
}

static double run(int second_offset) {
    offset[0] = 0;
    offset[1] = second_offset;
    struct timespec a, b;
    pthread_t t[2];
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (intptr_t i = 0; i < 2; i++) pthread_create(&t[i], NULL, writer, (void *)i);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nine alternating pairs, median against median: a burst of load on the
 * machine moves one pair, not the answer. */
int main(void) {
    double shared[9], apart[9];
    for (int k = 0; k < 9; k++) {
        shared[k] = run(8);
        apart[k] = run(256);
    }
    qsort(shared, 9, sizeof *shared, cmp);
    qsort(apart, 9, sizeof *apart, cmp);
    printf("%.2f\n", apart[4] > 0 ? shared[4] / apart[4] : 0);
    return 0;
}
