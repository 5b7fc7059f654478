/*
 * fault.c — the fault that proves examples/property.c: the example adapter
 * with a calloc that neither zeroes nor checks n * size for overflow. Built
 * as build/hb-example-fault; `hb-example-fault conform --expect` names the
 * property that must catch it, as every conformance/faults/<name>.c does.
 * Its name is not hb-fault-*, so `heapbench conform --faults` (the suite's
 * own faults) does not pick it up.
 *
 * The lines between the >>> and <<< markers close the worked example that
 * include/heapbench/conform.h opens with; ctest examples.header-sync fails
 * when the two copies differ.
 */
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "heapbench/adapter.h"

// >>> include/heapbench/conform.h
// The fault it catches: an adapter like the one in adapter.h but with
// `.calloc = dirty_calloc`, naming the property (`conform --expect`).
const char *const hb_fault_expect = "example/calloc-zeroes";
static void *dirty_calloc(size_t n, size_t size) { return malloc(n * size); } // not zeroed
// <<< include/heapbench/conform.h

static const char *fault_version(void) { return gnu_get_libc_version(); }

static int fault_selfcheck(char *msg, size_t len) {
    snprintf(msg, len, "deliberately faulty: calloc does not zero (examples/fault.c)");
    return 0;
}

static const hb_adapter fault = {
    .name = "example-fault",
    .kind = HB_MANUAL,
    .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS,
    .version = fault_version,
    .selfcheck = fault_selfcheck,
    .malloc = malloc,
    .free = free,
    .realloc = realloc,
    .calloc = dirty_calloc,
    .usable_size = malloc_usable_size,
};
HB_ADAPTER(fault);
