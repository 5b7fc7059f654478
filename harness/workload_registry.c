/*
 * workload_registry.c — the registry of workloads linked into an executable,
 * and the helpers a workload calls (parameters, validation failure).
 *
 * Each workload file puts a pointer to its descriptor in the `hb_workloads`
 * linker section (HB_WORKLOAD); the linker gives us the section's bounds.
 */
#include "heapbench/workload.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const hb_workload *const __start_hb_workloads[] __attribute__((weak));
extern const hb_workload *const __stop_hb_workloads[] __attribute__((weak));

static const hb_workload *sorted[256];
static size_t nsorted;

static int by_name(const void *a, const void *b) {
    return strcmp((*(const hb_workload *const *)a)->name, (*(const hb_workload *const *)b)->name);
}

size_t hb_workloads(const hb_workload *const **out) {
    if (!nsorted && __start_hb_workloads) {
        for (const hb_workload *const *p = __start_hb_workloads; p < __stop_hb_workloads; p++)
            if (nsorted < sizeof sorted / sizeof *sorted) sorted[nsorted++] = *p;
        qsort(sorted, nsorted, sizeof *sorted, by_name);
    }
    *out = sorted;
    return nsorted;
}

const hb_workload *hb_workload_find(const char *name) {
    const hb_workload *const *all;
    size_t n = hb_workloads(&all);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->name, name) == 0) return all[i];
    return NULL;
}

int64_t hb_param_get(const hb_wl_args *a, const char *name) {
    for (size_t i = 0; i < a->wl->nparams; i++)
        if (strcmp(a->wl->params[i].name, name) == 0) return a->value[i];
    fprintf(stderr, "heapbench: workload %s has no parameter '%s'\n", a->wl->name, name);
    abort();
}

static int failed;

void hb_wl_fail(hb_gb_state *st, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    __atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
    fprintf(stderr, "validation failed: %s\n", msg);
    if (st && !hb_gb_error_occurred(st)) hb_gb_skip_with_error(st, msg);
}

int hb_wl_failed(void) { return __atomic_load_n(&failed, __ATOMIC_RELAXED); }

static const struct {
    uint32_t cap;
    const char *name;
} cap_names[] = {
    {HB_CAP_ALIGNED, "aligned allocation"},
    {HB_CAP_USABLE_SIZE, "usable size"},
    {HB_CAP_SIZED_FREE, "sized free"},
    {HB_CAP_THREADS, "threads"},
    {HB_CAP_RELEASES_MEMORY, "memory release"},
    {HB_CAP_INTERIOR_PTRS, "interior pointers"},
    {HB_CAP_FINALIZERS, "finalizers"},
    {HB_CAP_WEAK_REFS, "weak references"},
    {HB_CAP_GOGC, "GOGC"},
    {HB_CAP_MEMLIMIT, "a memory limit"},
    {HB_CAP_CONCURRENT, "concurrent marking"},
    {HB_CAP_POOL, "a GC-aware pool"},
    {HB_CAP_STACKPOOL, "a stack pool"},
    {HB_CAP_PAUSE_EVENTS, "pause events"},
};

int hb_wl_supported(const hb_workload *wl, const hb_adapter *ad, const char **why) {
    if ((wl->needs & HB_NEEDS_MANUAL) && ad->kind != HB_MANUAL) {
        *why = "needs a manual (malloc-family) adapter";
        return 0;
    }
    if ((wl->needs & HB_NEEDS_COLLECTED) && ad->kind != HB_COLLECTED) {
        *why = "needs a collected adapter";
        return 0;
    }
    uint32_t caps = (uint32_t)(wl->needs >> 8);
    for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
        if ((caps & cap_names[i].cap) && !(ad->caps & cap_names[i].cap)) {
            *why = cap_names[i].name;
            return 0;
        }
    return 1;
}
