/*
 * badpreload_adapter.c — hb-badpreload: glibc malloc whose `preload` names
 * a library that does not exist, so the dynamic linker cannot preload it.
 * Used only by tests/harness/e2e_exec.sh to prove that `heapbench exec`
 * reports such an allocator as not loaded instead of measuring glibc
 * under its name.
 */
#include <stdio.h>
#include <stdlib.h>

#include "heapbench/adapter.h"

static const char *bp_version(void) { return "glibc, with a preload library that does not exist"; }

static int bp_selfcheck(char *msg, size_t len) {
    snprintf(msg, len, "glibc malloc (for tests)");
    return 0;
}

static const hb_adapter adapter = {
    .name = "badpreload",
    .kind = HB_MANUAL,
    .caps = HB_CAP_THREADS,
    .preload = "./libhb-no-such-preload.so",
    .version = bp_version,
    .selfcheck = bp_selfcheck,
    .malloc = malloc,
    .free = free,
    .realloc = realloc,
    .calloc = calloc,
};
HB_ADAPTER(adapter);
