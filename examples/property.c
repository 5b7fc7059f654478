/*
 * property.c — the smallest conformance property, example/calloc-zeroes: a
 * rule that calloc's block is zero even when it reuses one the program has
 * just dirtied. examples/fault.c is the adapter it must catch.
 *
 * The lines between the >>> and <<< markers are the worked example that
 * include/heapbench/conform.h opens with; ctest examples.header-sync fails
 * when the two copies differ. Linked only into the test-only executables
 * build/hb-example and build/hb-example-fault (examples/CMakeLists.txt).
 */
// >>> include/heapbench/conform.h
#include "heapbench/conform.h"
#include "heapbench/object.h"

static hb_cf_status calloc_zeroes_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    for (size_t size = 16; size <= 65536; size *= 2) {
        void *dirty = ad->malloc(size); // leave a dirty block behind...
        if (!dirty) return hb_cf_fail(r, "malloc(%zu) returned NULL", size);
        hb_cf_fill(dirty, size, 7);
        ad->free(dirty);
        unsigned char *p = ad->calloc(1, size); // ...which calloc may reuse
        if (!p) return hb_cf_fail(r, "calloc(1, %zu) returned NULL", size);
        size_t i = 0;
        while (i < size && p[i] == 0) i++;
        if (i < size) return hb_cf_fail(r, "calloc(1, %zu): byte %zu is 0x%02x, not 0", size, i, p[i]);
        ad->free(p);
    }
    return hb_cf_pass(r, "calloc(1, N) was all zero for N = 16, 32, ..., 65536 after a dirty free");
}

static const hb_property calloc_zeroes = {
    .name = "example/calloc-zeroes",
    .kind = HB_CF_RULE, // a failure makes `heapbench conform` exit 1
    .applies = HB_CF_MANUAL_ONLY,
    .summary = "calloc's block is all zero, also when it reuses a dirty one",
    .source = "C17 7.22.3.2",
    .run = calloc_zeroes_run,
};
HB_PROPERTY(calloc_zeroes);
// <<< include/heapbench/conform.h
