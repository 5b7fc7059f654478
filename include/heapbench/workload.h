/*
 * workload.h — what a workload is.
 *
 * A workload is a descriptor: a name `category/name`, a paragraph saying
 * which pattern it models, its parameters with values for the `quick` and
 * `full` presets and a valid range each, what it needs from an adapter, and
 * a run function. The run function is a Google Benchmark body
 * (heapbench/gbench.h) written over the object API (heapbench/object.h)
 * only — never one allocator.
 *
 * The smallest workload, with parameter ranges, a validated result and one
 * counter (examples/workload.c, linked into the test-only build/hb-example;
 * ctest examples.header-sync fails when this copy and the file differ):
 *
 * >>> examples/workload.c
 *     #include <stdint.h>
 *
 *     #include "heapbench/object.h"
 *     #include "heapbench/workload.h"
 *
 *     // Per preset a value; min..max is what run() can handle (--param checks it).
 *     static const hb_param params[] = {
 *         {.name = "buckets", .quick = 64, .full = 4096, .min = 1, .max = 1 << 20, .help = "counters"},
 *         {.name = "values", .quick = 1000, .full = 100000, .min = 1, .max = 1 << 24, .help = "values counted"},
 *     };
 *
 *     static void run(hb_gb_state *st, const hb_wl_args *a) {
 *         int64_t buckets = hb_param_get(a, "buckets"), values = hb_param_get(a, "values");
 *         size_t bytes = (size_t)buckets * sizeof(int64_t);
 *         int64_t wrong = 0, fullest = 0;
 *         while (hb_gb_keep_running_batch(st, 1) > 0) { // one iteration at a time
 *             int64_t *count = hb_new_zeroed(bytes, HB_NOSCAN), sum = 0;
 *             for (uint64_t i = 0, x = 1; i < (uint64_t)values; i++, x = x * 6364136223846793005u + 1)
 *                 count[(x >> 33) % (uint64_t)buckets]++;
 *             for (int64_t b = 0; b < buckets; b++) {
 *                 sum += count[b];
 *                 fullest = count[b] > fullest ? count[b] : fullest;
 *             }
 *             wrong += sum != values; // the table was not zeroed
 *             hb_drop(count, bytes);
 *         }
 *         if (wrong) hb_wl_fail(st, "%lld table(s) did not add up to %lld", (long long)wrong, (long long)values);
 *         hb_gb_counter(st, "fullest_bucket", (double)fullest, HB_GB_DEFAULT);
 *         hb_gb_set_items_processed(st, hb_gb_iterations(st) * values);
 *     }
 *
 *     static const hb_workload histogram = {
 *         .name = "example/histogram",
 *         .category = "example",
 *         .description = "Count values into a freshly zeroed table; check the total.",
 *         .params = params,
 *         .nparams = sizeof params / sizeof *params,
 *         .run = run,
 *     };
 *     HB_WORKLOAD(histogram);
 * <<< examples/workload.c
 *
 * Every workload validates its own result (a checksum, a structural check)
 * and calls hb_wl_fail() when it is wrong: a broken allocator yields a
 * `failed-validation` cell, never a fast wrong number.
 *
 * A workload file ends with HB_WORKLOAD(the_descriptor); the descriptors
 * are collected in a linker section, so adding a file adds a workload.
 *
 * Presets: every workload has `quick` and `full` (the columns of its params
 * table). A workload may name further presets in `presets` — e.g.
 * `classic`, the published arguments of the benchmark it mirrors — each a
 * list of NAME=VALUE over its params (unlisted params keep their quick
 * value; the value `nproc` means the CPUs this process may run on, `M*nproc`
 * M times that). A workload without a preset that was asked for is
 * `unsupported` for it (exit 4), never run with other values. Resolution:
 * workloads/presets.c; docs/workloads.md.
 */
#ifndef HEAPBENCH_WORKLOAD_H
#define HEAPBENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "heapbench/adapter.h"
#include "heapbench/gbench.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hb_param {
    const char *name;
    int64_t quick, full; /* the presets' values */
    const char *help;
    /* The valid range, inclusive: what the run function can handle (memory,
     * integer overflow, array sizes). min <= quick, full <= max. The CLI
     * (heapbench run --param/--threads) and the child's `bench --param`
     * refuse a value outside it before anything runs. */
    int64_t min, max;
} hb_param;

#define HB_MAX_PARAMS 16

/* A named preset beyond quick/full (see the top of this file). */
typedef struct hb_preset {
    const char *name;   /* "classic" */
    const char *values; /* "threads=nproc,objects=1000,writes=2000000,size=1" */
    const char *why;    /* the original's command line, or what it models */
    int repetitions;    /* per-cell repetitions for this preset; 0: the preset's default */
} hb_preset;

/* How a preset is measured by default (heapbench run and a bare
 * `hb-<name> bench --preset P` use these unless given --repetitions /
 * --benchmark_repetitions and --min-time / --benchmark_min_time). */
typedef struct hb_preset_policy {
    const char *name;
    int repetitions;
    double min_time_s; /* Google Benchmark's minimum time per repetition */
    /* Whole programs that allow it (HB_ITERATIONS_RERUNNABLE): a
     * repetition runs the program again until it has lasted this long
     * (Google Benchmark picks the count on the first repetition and keeps
     * it), and a cell has program_repetitions of them (0: `repetitions`);
     * program_min_time_s 0: once per repetition, `repetitions` of them.
     * --benchmark_min_time / --benchmark_repetitions, when given, replace
     * these as they replace min_time_s / repetitions. */
    double program_min_time_s;
    int program_repetitions;
} hb_preset_policy;

/* hb_workload.iterations of a whole program whose run function is correct
 * for any iteration count (items and counters per run of the program): it
 * runs once per repetition, as with iterations = 1, unless the preset's
 * policy sets program_min_time_s; then Google Benchmark reruns it within a
 * repetition until it has lasted that long, so a repetition averages
 * several runs (the concurrent workloads: docs/validity.md). */
#define HB_ITERATIONS_RERUNNABLE (-1)

/* Requirements: a cell over an adapter lacking one is `unsupported`. */
enum {
    HB_NEEDS_MANUAL = 1u << 0,    /* frees explicitly (malloc family only) */
    HB_NEEDS_COLLECTED = 1u << 1, /* relies on a collector reclaiming */
    /* Any HB_CAP_* bit may be required too, shifted by 8: */
#define HB_NEEDS_CAP(cap) ((uint64_t)(cap) << 8)
};

typedef struct hb_wl_args {
    const struct hb_workload *wl;
    int64_t value[HB_MAX_PARAMS]; /* in the order of wl->params */
} hb_wl_args;

typedef struct hb_workload {
    const char *name;        /* "heap/churn" */
    const char *category;    /* "heap" */
    const char *description; /* the pattern, its origin, what it stresses */
    const hb_param *params;
    size_t nparams;
    uint64_t needs;          /* HB_NEEDS_* */
    /* Iterations per repetition: 0 lets Google Benchmark choose (micro
     * workloads); N fixes it (a whole program run, e.g. GCBench, is 1);
     * HB_ITERATIONS_RERUNNABLE: a whole program that may run several times
     * in one repetition (see there). */
    int64_t iterations;
    void (*run)(hb_gb_state *st, const hb_wl_args *args);
    const hb_preset *presets; /* further named presets, ended by {NULL}; may be NULL */
} hb_workload;

/* The value of parameter `name`; aborts on a name the workload lacks (a
 * programming error, caught by the tests). */
int64_t hb_param_get(const hb_wl_args *a, const char *name);

/* Preset resolution (workloads/presets.c). */
/* The policy of preset `name` (quick, full, classic); NULL if unknown. */
const hb_preset_policy *hb_preset_policy_find(const char *name);
/* The named preset of `wl`, or NULL (quick and full are not in the table). */
const hb_preset *hb_preset_find(const hb_workload *wl, const char *name);
/* Fill out[0..nparams) with `preset`'s values for `wl`. Returns 0; 1 when
 * `wl` has no such preset (the cell is unsupported); -1 when the preset's
 * table is malformed (a programming error), with the reason in err. */
int hb_preset_values(const hb_workload *wl, const char *preset, int64_t *out, char *err, size_t len);
/* Repetitions for `wl` under `preset`: the preset's own, else the policy's
 * (its program_repetitions for a rerunnable program it reruns). */
int hb_preset_repetitions(const hb_workload *wl, const char *preset);

/* Report that the result is wrong: the benchmark is skipped with `msg`
 * and the cell's status becomes failed-validation. printf-style. */
void hb_wl_fail(hb_gb_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether hb_wl_fail was called in this process. */
int hb_wl_failed(void);

/* Whether the linked adapter meets `needs`; if not, why (for the message). */
int hb_wl_supported(const hb_workload *wl, const hb_adapter *ad, const char **why);

/* With HB_LATENCY=1: add the allocation and free latency percentiles
 * sampled since the last call as counters of `st` (harness/object_sample.c).
 * The bench main calls it after each workload run; otherwise a no-op. */
void hb_latency_report(hb_gb_state *st);

/* The registry: all workloads linked in, sorted by name. */
size_t hb_workloads(const hb_workload *const **out);
const hb_workload *hb_workload_find(const char *name);

#define HB_WORKLOAD(desc)                                                          \
    __attribute__((used, section("hb_workloads"))) static const hb_workload *const \
        hb_wl_entry_##desc = &(desc)

#ifdef __cplusplus
}
#endif
#endif
