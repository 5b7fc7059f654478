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
