/*
 * workload.c — the smallest workload, example/histogram: count values into
 * a freshly zeroed table and check the total (so an allocator whose zeroed
 * blocks are not zero fails validation), reporting one counter.
 *
 * The lines between the >>> and <<< markers are the worked example that
 * include/heapbench/workload.h opens with; ctest examples.header-sync fails
 * when the two copies differ. Linked only into the test-only executables
 * build/hb-example and build/hb-example-fault (examples/CMakeLists.txt).
 */
// >>> include/heapbench/workload.h
#include <stdint.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"

// Per preset a value; min..max is what run() can handle (--param checks it).
static const hb_param params[] = {
    {.name = "buckets", .quick = 64, .full = 4096, .min = 1, .max = 1 << 20, .help = "counters"},
    {.name = "values", .quick = 1000, .full = 100000, .min = 1, .max = 1 << 24, .help = "values counted"},
};

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int64_t buckets = hb_param_get(a, "buckets"), values = hb_param_get(a, "values");
    size_t bytes = (size_t)buckets * sizeof(int64_t);
    int64_t wrong = 0, fullest = 0;
    while (hb_gb_keep_running_batch(st, 1) > 0) { // one iteration at a time
        int64_t *count = hb_new_zeroed(bytes, HB_NOSCAN), sum = 0;
        for (uint64_t i = 0, x = 1; i < (uint64_t)values; i++, x = x * 6364136223846793005u + 1)
            count[(x >> 33) % (uint64_t)buckets]++;
        for (int64_t b = 0; b < buckets; b++) {
            sum += count[b];
            fullest = count[b] > fullest ? count[b] : fullest;
        }
        wrong += sum != values; // the table was not zeroed
        hb_drop(count, bytes);
    }
    if (wrong) hb_wl_fail(st, "%lld table(s) did not add up to %lld", (long long)wrong, (long long)values);
    hb_gb_counter(st, "fullest_bucket", (double)fullest, HB_GB_DEFAULT);
    hb_gb_set_items_processed(st, hb_gb_iterations(st) * values);
}

static const hb_workload histogram = {
    .name = "example/histogram",
    .category = "example",
    .description = "Count values into a freshly zeroed table; check the total.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .run = run,
};
HB_WORKLOAD(histogram);
// <<< include/heapbench/workload.h
