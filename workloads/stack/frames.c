/*
 * stack/frames — recursion with a scratch buffer per frame, on the C stack
 * and through the allocator: what does an escaping value cost?
 *
 * Pattern: the escape-analysis question of Go, Java and every language
 * without value types: a function needs `frame_bytes` of scratch (a small
 * array, a builder, a closure). When the compiler proves it does not escape
 * it lives in the frame (a stack-pointer bump); when it escapes, it is a
 * heap allocation plus a free (or garbage for a collector). Each iteration
 * recurses `depth` deep, `calls` times, once with the scratch on the C stack
 * and once with the scratch from hb_new/hb_drop; every frame fills its
 * scratch, recurses, and folds the scratch back into a checksum after the
 * callee returned, so the buffer really lives across the call. The timed
 * real time is both modes; the counters split it.
 * Origin: Go's escape analysis ("moved to heap"), the "stack vs heap"
 * microbenchmarks of the JVM and Go communities.
 *
 * Parameters: depth, frame_bytes, calls.
 * Validates: the heap mode's checksum equals the stack mode's.
 * Counters: stack_ns_per_frame, heap_ns_per_frame, escape_cost_ns (heap
 * minus stack, per frame), frames.
 */
#include <stdint.h>
#include <string.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/sys.h"

static const hb_param params[] = {
    {"depth", 64, 64, "recursion depth", 1, 1000},
    {"frame_bytes", 256, 256, "scratch bytes per frame (multiple of 8, at most 4096)", 8, 4096},
    {"calls", 8000, 100000, "recursions per mode", 1, 10000000000},
};

static uint64_t on_stack(int depth, size_t words, uint64_t seed) {
    uint64_t buf[words];
    for (size_t i = 0; i < words; i++) buf[i] = seed + i * 0x9e3779b97f4a7c15ull;
    hb_gb_clobber_memory();
    uint64_t sum = depth > 1 ? on_stack(depth - 1, words, seed * 3 + 1) : 0;
    for (size_t i = 0; i < words; i++) sum = (sum ^ buf[i]) * 31 + i;
    return sum;
}

static uint64_t on_heap(int depth, size_t words, uint64_t seed) {
    uint64_t *buf = hb_new(words * 8, HB_NOSCAN);
    for (size_t i = 0; i < words; i++) buf[i] = seed + i * 0x9e3779b97f4a7c15ull;
    hb_gb_clobber_memory();
    uint64_t sum = depth > 1 ? on_heap(depth - 1, words, seed * 3 + 1) : 0;
    for (size_t i = 0; i < words; i++) sum = (sum ^ buf[i]) * 31 + i;
    hb_drop(buf, words * 8);
    return sum;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int depth = (int)hb_param_get(a, "depth");
    size_t words = (size_t)hb_param_get(a, "frame_bytes") / 8;
    int64_t calls = hb_param_get(a, "calls");
    if (depth < 1) depth = 1;
    if (words < 1) words = 1;
    if (words > 512) words = 512;
    uint64_t stack_ns = 0, heap_ns = 0, mismatches = 0;
    while (hb_gb_keep_running(st)) {
        uint64_t t0 = wl_now_ns(), s_sum = 0, h_sum = 0;
        for (int64_t c = 0; c < calls; c++) s_sum += on_stack(depth, words, (uint64_t)c);
        uint64_t t1 = wl_now_ns();
        for (int64_t c = 0; c < calls; c++) {
            h_sum += on_heap(depth, words, (uint64_t)c);
            if ((c & 63) == 0) hb_safepoint();
        }
        uint64_t t2 = wl_now_ns();
        stack_ns += t1 - t0;
        heap_ns += t2 - t1;
        mismatches += s_sum != h_sum;
    }
    if (mismatches) hb_wl_fail(st, "frames: heap checksum differs from the stack checksum");
    double frames = (double)calls * depth * (double)hb_gb_iterations(st);
    hb_gb_set_items_processed(st, (int64_t)(2 * frames));
    hb_gb_counter(st, "frames", 2 * frames, HB_GB_DEFAULT);
    hb_gb_counter(st, "stack_ns_per_frame", (double)stack_ns / frames, HB_GB_DEFAULT);
    hb_gb_counter(st, "heap_ns_per_frame", (double)heap_ns / frames, HB_GB_DEFAULT);
    hb_gb_counter(st, "escape_cost_ns", ((double)heap_ns - (double)stack_ns) / frames, HB_GB_DEFAULT);
}

static const hb_workload stack_frames = {
    .name = "stack/frames",
    .category = "stack",
    .description = "Recursion with a scratch buffer per frame, once on the C stack and once "
                   "through the allocator (an escaping value): reports ns per frame for each "
                   "and the escape cost, the question escape analysis answers.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(stack_frames);
