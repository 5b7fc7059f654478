/*
 * system.c — adapter for the C library's allocator (glibc malloc, ptmalloc2).
 * The baseline every report normalizes to. Selfcheck: `malloc` must be bound
 * to libc, and glibc's own statistics (mallinfo2) must see our allocation.
 */
#define _GNU_SOURCE
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/adapter.h"

static const char *sys_version(void) {
    static char v[64];
    snprintf(v, sizeof v, "glibc %s", gnu_get_libc_version());
    return v;
}

static int sys_selfcheck(char *msg, size_t len) {
    char lib[512];
    hb_symbol_library((void *)malloc, lib, sizeof lib);
    if (!strstr(lib, "libc.so")) {
        snprintf(msg, len, "malloc is bound to '%s', not libc", lib);
        return -1;
    }
    size_t before = mallinfo2().uordblks;
    void *volatile p = malloc(4000);
    size_t after = mallinfo2().uordblks;
    free(p);
    if (after < before + 4000) {
        snprintf(msg, len, "mallinfo2 did not see a 4000-byte malloc (%zu -> %zu)", before, after);
        return -1;
    }
    snprintf(msg, len, "malloc from %s, seen by mallinfo2", lib);
    return 0;
}

/* Memory classes from mallinfo2 (summed over every arena): in use = chunks
 * handed out (uordblks, headers included) + mmapped chunks (hblkhd); free
 * chunks below each arena's top cannot go back to the OS without
 * malloc_trim (fragmentation); the top chunk (keepcost) is kept under
 * M_TRIM_THRESHOLD (retention). Metadata and released are not told. */
static void sys_mem_classes(hb_mem_classes *m) {
    struct mallinfo2 mi = mallinfo2();
    m->in_use = (int64_t)(mi.uordblks + mi.hblkhd);
    m->free_partial = (int64_t)(mi.fordblks - mi.keepcost);
    m->free_cached = (int64_t)mi.keepcost;
}

static const hb_adapter adapter = {
    .name = "system",
    .kind = HB_MANUAL,
    .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_THREADS | HB_CAP_RELEASES_MEMORY,
    .preload = NULL,
    .version = sys_version,
    .selfcheck = sys_selfcheck,
    .malloc = malloc,
    .free = free,
    .realloc = realloc,
    .calloc = calloc,
    .aligned_alloc = aligned_alloc,
    .usable_size = malloc_usable_size,
    .mem_classes = sys_mem_classes,
};
HB_ADAPTER(adapter);
