/*
 * workload.h — what a workload is.
 *
 * A workload is a descriptor: a name `category/name`, a paragraph saying
 * which pattern it models, its parameters with values for the `quick` and
 * `full` presets and a valid range each, what it needs from an adapter, and a run function. The
 * run function is a Google Benchmark body (heapbench/gbench.h) written over
 * the object API (heapbench/object.h) only — never one allocator.
 *
 * Every workload validates its own result (a checksum, a structural check)
 * and calls hb_wl_fail() when it is wrong: a broken allocator yields a
 * `failed-validation` cell, never a fast wrong number.
 *
 * A workload file ends with HB_WORKLOAD(the_descriptor); the descriptors
 * are collected in a linker section, so adding a file adds a workload.
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
     * workloads); N fixes it (a whole program run, e.g. GCBench, is 1). */
    int64_t iterations;
    void (*run)(hb_gb_state *st, const hb_wl_args *args);
} hb_workload;

/* The value of parameter `name`; aborts on a name the workload lacks (a
 * programming error, caught by the tests). */
int64_t hb_param_get(const hb_wl_args *a, const char *name);

/* Report that the result is wrong: the benchmark is skipped with `msg`
 * and the cell's status becomes failed-validation. printf-style. */
void hb_wl_fail(hb_gb_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether hb_wl_fail was called in this process. */
int hb_wl_failed(void);

/* Whether the linked adapter meets `needs`; if not, why (for the message). */
int hb_wl_supported(const hb_workload *wl, const hb_adapter *ad, const char **why);

/* With HB_LATENCY=1: add the allocation and free latency percentiles
 * sampled since the last call as counters of `st` (workloads/latency.c).
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
