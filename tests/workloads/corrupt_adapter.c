/*
 * corrupt_adapter.c — hb-corrupt: glibc malloc with a bug planted, to prove
 * that the workloads' validation bites.
 *
 * Every 1000th allocation is remembered; at the next free of any *other*
 * block, one byte at the start of the remembered block is flipped — a
 * scribble on a live block, as a buggy allocator's metadata write or a
 * double-handed-out block would do. A workload that checks its blocks must
 * then exit 3 (failed-validation) instead of reporting a time. Used only by
 * the tests in tests/workloads/CMakeLists.txt.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/adapter.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long count;
static unsigned char *victim;

static void *corrupt_malloc(size_t n) {
    void *p = malloc(n);
    pthread_mutex_lock(&lock);
    if (++count % 1000 == 0 && p && n > 0 && !victim) victim = p;
    pthread_mutex_unlock(&lock);
    return p;
}

static void corrupt_free(void *p) {
    pthread_mutex_lock(&lock);
    if (victim && p == victim) victim = NULL;
    else if (victim && p) {
        victim[0] ^= 0x5a;
        victim = NULL;
    }
    pthread_mutex_unlock(&lock);
    free(p);
}

static void *corrupt_calloc(size_t n, size_t m) {
    void *p = corrupt_malloc(n * m);
    if (p) memset(p, 0, n * m);
    return p;
}

static void *corrupt_realloc(void *p, size_t n) {
    pthread_mutex_lock(&lock);
    if (p && p == victim) victim = NULL;
    pthread_mutex_unlock(&lock);
    return realloc(p, n);
}

static const char *corrupt_version(void) { return "glibc with one byte in a thousand blocks flipped"; }

static int corrupt_selfcheck(char *msg, size_t len) {
    snprintf(msg, len, "a deliberately broken wrapper of glibc malloc (for tests)");
    return 0;
}

static const hb_adapter adapter = {
    .name = "corrupt",
    .kind = HB_MANUAL,
    .caps = HB_CAP_THREADS,
    .version = corrupt_version,
    .selfcheck = corrupt_selfcheck,
    .malloc = corrupt_malloc,
    .free = corrupt_free,
    .realloc = corrupt_realloc,
    .calloc = corrupt_calloc,
};
HB_ADAPTER(adapter);
