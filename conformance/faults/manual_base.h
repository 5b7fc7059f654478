/*
 * manual_base.h — the common half of the manual faulty adapters: an
 * adapter table over glibc malloc that each fault file overrides in one or
 * two entries (HB_FAULT_MANUAL), so the fault is the only difference.
 * Included by conformance/faults/<name>.c only.
 */
#ifndef HB_FAULTS_MANUAL_BASE_H
#define HB_FAULTS_MANUAL_BASE_H

#define _GNU_SOURCE
#include <errno.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/adapter.h"

static const char *fault_version(void) {
    static char v[64];
    snprintf(v, sizeof v, "faulty wrapper over glibc %s", gnu_get_libc_version());
    return v;
}

static int fault_selfcheck(char *msg, size_t len) {
    snprintf(msg, len, "deliberately faulty adapter (see its source in conformance/faults/)");
    return 0;
}

/* calloc and realloc derived from a fault's own f_malloc/f_free, for faults
 * that change how blocks are laid out; `usable` gives a block's size. */
#define HB_FAULT_CALLOC()                                        \
    static void *f_calloc(size_t n, size_t m) {                  \
        if (m && n > SIZE_MAX / m) return errno = ENOMEM, NULL;  \
        void *p = f_malloc(n * m);                               \
        if (p) memset(p, 0, n * m);                              \
        return p;                                                \
    }
#define HB_FAULT_REALLOC(usable)                                 \
    static void *f_realloc(void *p, size_t n) {                  \
        if (!p) return f_malloc(n);                              \
        void *q = f_malloc(n);                                   \
        if (!q) return NULL;                                     \
        size_t old = usable(p);                                  \
        memcpy(q, p, old < n ? old : n);                         \
        f_free(p);                                               \
        return q;                                                \
    }

/* A later designator overrides the base one: that is the point here. */
#pragma GCC diagnostic ignored "-Woverride-init"
#define HB_FAULT_MANUAL(NAME, ...)                                                            \
    static const hb_adapter fault_adapter = {                                                 \
        .name = NAME, .kind = HB_MANUAL,                                                      \
        .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_THREADS,                         \
        .version = fault_version, .selfcheck = fault_selfcheck, .malloc = malloc, .free = free, \
        .realloc = realloc, .calloc = calloc, .aligned_alloc = aligned_alloc,                 \
        .usable_size = malloc_usable_size, __VA_ARGS__};                                      \
    HB_ADAPTER(fault_adapter)

#endif
