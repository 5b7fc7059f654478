/*
 * packed_adapter.c — hb-packed: glibc malloc, except that every small
 * block (up to 8 bytes) of every thread is carved out of one shared cache
 * line: the allocator-induced false sharing that concurrent/cache-thrash
 * and concurrent/cache-scratch exist to expose. It proves their
 * false_sharing_factor: over hb-packed it must come out far above 1, over
 * allocators with per-thread memory near 1 (tests/workloads/CMakeLists.txt,
 * false_sharing.sh). Used only by those tests.
 *
 * The line holds 8 slots of 8 bytes, taken and given back through a bitmap
 * (an atomic word in a line of its own, so that the bitmap's traffic is
 * not what the test sees); when all 8 are taken, small blocks fall back to
 * malloc. Blocks stay correct — only their placement is bad.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/adapter.h"

#define SLOTS 8
#define SLOT_SIZE 8

static _Alignas(128) unsigned char line[128]; /* slots in the first 64 bytes */
static _Alignas(128) unsigned taken;          /* bit i: slot i is in use */

static int in_line(const void *p) {
    return (const unsigned char *)p >= line && (const unsigned char *)p < line + SLOTS * SLOT_SIZE;
}

static void *packed_malloc(size_t n) {
    if (n > SLOT_SIZE) return malloc(n);
    unsigned cur = __atomic_load_n(&taken, __ATOMIC_RELAXED);
    while (cur != (1u << SLOTS) - 1) {
        unsigned slot = (unsigned)__builtin_ctz(~cur);
        if (__atomic_compare_exchange_n(&taken, &cur, cur | (1u << slot), 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return line + slot * SLOT_SIZE;
    }
    return malloc(n);
}

static void packed_free(void *p) {
    if (!in_line(p)) {
        free(p);
        return;
    }
    unsigned slot = (unsigned)(((unsigned char *)p - line) / SLOT_SIZE);
    __atomic_fetch_and(&taken, ~(1u << slot), __ATOMIC_RELEASE);
}

static void *packed_calloc(size_t n, size_t m) {
    if (m && n > SIZE_MAX / m) return NULL;
    void *p = packed_malloc(n * m);
    if (p) memset(p, 0, n * m);
    return p;
}

static void *packed_realloc(void *p, size_t n) {
    if (!p) return packed_malloc(n);
    if (!in_line(p)) return realloc(p, n);
    void *q = packed_malloc(n);
    if (q) memcpy(q, p, n < SLOT_SIZE ? n : SLOT_SIZE);
    if (q || n == 0) packed_free(p);
    return q;
}

static const char *packed_version(void) { return "glibc with every thread's small blocks in one cache line"; }

static int packed_selfcheck(char *msg, size_t len) {
    snprintf(msg, len, "a deliberately bad placement over glibc malloc (for tests)");
    return 0;
}

static const hb_adapter adapter = {
    .name = "packed",
    .kind = HB_MANUAL,
    .caps = HB_CAP_THREADS,
    .version = packed_version,
    .selfcheck = packed_selfcheck,
    .malloc = packed_malloc,
    .free = packed_free,
    .realloc = packed_realloc,
    .calloc = packed_calloc,
};
HB_ADAPTER(adapter);
