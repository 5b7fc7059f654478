/*
 * fs_probe.c — can this machine show false sharing at all, right now?
 *
 * Two threads store (and load back) bytes, first in two words of one cache line, then in
 * two lines 256 bytes apart, with no allocator involved; it prints the
 * slowdown of the shared line (the best of three tries). Where the two
 * threads cannot run at the same time on cores with private caches (a
 * loaded machine, or two virtual CPUs that are one core's hyperthreads) it
 * is about 1, and false_sharing.sh skips instead of failing: no allocator
 * could show false sharing there. Used only by tests/workloads.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static _Alignas(256) volatile unsigned char buf[512];
static int offset[2];

static void *writer(void *arg) {
    volatile unsigned char *p = buf + offset[(intptr_t)arg];
    unsigned char sink = 0;
    for (long i = 0; i < 50000000; i++) { /* a store and a load back, as the workloads */
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

int main(void) {
    double best = 0;
    for (int k = 0; k < 3; k++) {
        double shared = run(8), apart = run(256);
        if (apart > 0 && shared / apart > best) best = shared / apart;
    }
    printf("%.2f\n", best);
    return 0;
}
