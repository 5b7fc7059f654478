/*
 * goheap_gc.c — adapter for goheap's collected mode (goheap/include/goheap/
 * gc.h): the suite's Go-style concurrent mark-sweep collector, side by side
 * with Boehm as the collected peer.
 *
 * The translation is direct: hb_layout and gh_layout have the same shape;
 * hb_store's barrier flag is goheap's gh_gc_barrier_enabled (Go's
 * writeBarrier.enabled) and the barrier is gh_gc_write_barrier (the hybrid
 * barrier); threads attach to be stopped and scanned; hb_options' gogc,
 * memlimit and torture go to the pacer. The selfcheck proves that
 * gc_alloc's pointers are goheap's and that a plain malloc() one is not.
 */
#include <stdio.h>
#include <stdlib.h>

#include "goheap_gc_table.h"

static const char *ghgc_version(void) {
    static char v[96];
    snprintf(v, sizeof v, "%s + concurrent GC", gh_version());
    return v;
}

static int ghgc_selfcheck(char *msg, size_t len) {
    void *p = gh_gc_alloc(64, NULL);
    void *volatile q = malloc(64);
    int mine = p && gh_gc_is_heap_ptr(p), plain = gh_gc_is_heap_ptr(q);
    free(q);
    if (!mine || plain) {
        snprintf(msg, len, "gh_gc_alloc pointer %s goheap's; malloc pointer %s", mine ? "is" : "is NOT",
                 plain ? "is too (wrong)" : "is not");
        return -1;
    }
    snprintf(msg, len, "gh_gc_alloc pointer owned by goheap's collected heap (%s); malloc() is glibc's",
             gh_version());
    return 0;
}

static const hb_adapter adapter =
    GOHEAP_GC_TABLE(.name = "goheap-gc", .version = ghgc_version, .selfcheck = ghgc_selfcheck);
HB_ADAPTER(adapter);
