/*
 * adapter.c — the smallest adapter: the C library's malloc under the name
 * "example", with a selfcheck that proves it is the C library's malloc.
 *
 * The lines between the >>> and <<< markers are the worked example that
 * include/heapbench/adapter.h opens with; ctest examples.header-sync fails
 * when the two copies differ. Built as build/hb-example, a test-only
 * executable (examples/CMakeLists.txt): no `heapbench run` or `make bench`
 * uses it unless named with --adapters example.
 */
// >>> include/heapbench/adapter.h
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/adapter.h"

static const char *example_version(void) { return gnu_get_libc_version(); }

// Prove that the malloc serving this process is the C library's (under
// LD_PRELOAD=libjemalloc.so it would be jemalloc's, measured as "example").
static int example_selfcheck(char *msg, size_t len) {
    char lib[512];
    hb_symbol_library((void *)malloc, lib, sizeof lib);
    snprintf(msg, len, "malloc is bound to '%s'", lib);
    return strstr(lib, "/libc.so") ? 0 : -1;
}

static const hb_adapter example = {
    .name = "example", // the executable is build/hb-example
    .kind = HB_MANUAL,
    .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS,
    .version = example_version,
    .selfcheck = example_selfcheck,
    .malloc = malloc,
    .free = free,
    .realloc = realloc,
    .calloc = calloc,
    .usable_size = malloc_usable_size,
};
HB_ADAPTER(example);
// <<< include/heapbench/adapter.h
