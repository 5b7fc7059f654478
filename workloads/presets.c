/*
 * presets.c — resolving a preset name to parameter values and to how many
 * repetitions (and what minimum time) a cell gets.
 *
 * `quick` and `full` are the two columns of every workload's params table.
 * Further presets are named per workload (hb_workload.presets, see
 * heapbench/workload.h): `classic` gives a classic-derived workload the
 * arguments its original is published with. A preset's values are
 * "NAME=VALUE,..." over the workload's own params; unlisted params keep
 * their quick value; VALUE is an integer with an optional K/M/G suffix,
 * `nproc` (the CPUs this process may run on, as nproc(1) counts them), or
 * `M*nproc`.
 *
 * The policy table says how each preset is measured by default: the
 * repetitions per cell, Google Benchmark's minimum time per repetition
 * (for workloads that let it choose the iterations), and the minimum time
 * per repetition of the whole programs that may be rerun within one
 * (HB_ITERATIONS_RERUNNABLE: the concurrent workloads). Values and
 * the measurements behind them: docs/validity.md ("Stability").
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heapbench/workload.h"

static const hb_preset_policy policies[] = {
    /* quick: 7 repetitions, because a median of 7 moves less with one
     * disturbed run than a median of 5; 0.2 s minimum time: heap/pairs
     * went from 9.6 % CV at 0.05 s to 4.3 % at 0.2 s on the loaded 2-core
     * box. The concurrent programs (20-120 ms on a quiet 16-core machine)
     * vary from run to run, in two bands for some (where the scheduler
     * puts their freshly created threads, it seems), not by a slow first
     * repetition (a warm-up precedes it): one run per repetition gave up
     * to 19 % CV there. A repetition of k runs averages that, about
     * 1/sqrt(k), so they get fewer, longer repetitions: 5 of >= 0.25 s
     * (1-11 runs each), predicted from those runs to put 8 of the 14
     * cells under 3 % for 1.8x the time of 7 single runs (docs/validity.md,
     * "Stability"). */
    {.name = "quick", .repetitions = 7, .min_time_s = 0.2, .program_min_time_s = 0.25, .program_repetitions = 5},
    /* full: its programs run 0.5 s and more; once per repetition. */
    {.name = "full", .repetitions = 10, .min_time_s = 0.5, .program_min_time_s = 0, .program_repetitions = 0},
    /* classic: one run of the original per repetition (0.3-4.5 s each),
     * as its published figures are. */
    {.name = "classic", .repetitions = 5, .min_time_s = 0.5, .program_min_time_s = 0, .program_repetitions = 0},
};

const hb_preset_policy *hb_preset_policy_find(const char *name) {
    for (size_t i = 0; i < sizeof policies / sizeof *policies; i++)
        if (!strcmp(policies[i].name, name)) return &policies[i];
    return NULL;
}

const hb_preset *hb_preset_find(const hb_workload *wl, const char *name) {
    for (const hb_preset *p = wl->presets; p && p->name; p++)
        if (!strcmp(p->name, name)) return p;
    return NULL;
}

static int64_t online_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* One VALUE: an integer with an optional K/M/G suffix, nproc, or M*nproc. */
static int parse_value(const char *s, size_t len, int64_t *out) {
    if (len == 5 && !strncmp(s, "nproc", 5)) return *out = online_cpus(), 0;
    if (len > 6 && !strncmp(s + len - 6, "*nproc", 6)) {
        if (parse_value(s, len - 6, out)) return -1;
        *out *= online_cpus();
        return 0;
    }
    char buf[32], *end;
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    long long v = strtoll(buf, &end, 10);
    int64_t mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1000, end++;
    else if (*end == 'M' || *end == 'm') mul = 1000000, end++;
    else if (*end == 'G' || *end == 'g') mul = 1000000000, end++;
    if (end == buf || *end) return -1;
    *out = (int64_t)v * mul;
    return 0;
}

/* Apply "NAME=VALUE,..." to out[] (in the order of wl->params). */
static int apply_values(const hb_workload *wl, const char *vals, int64_t *out, char *err, size_t len) {
    for (const char *s = vals; *s;) {
        size_t item = strcspn(s, ","), name = strcspn(s, "=");
        size_t k = 0;
        if (name < item)
            for (; k < wl->nparams; k++)
                if (strlen(wl->params[k].name) == name && !strncmp(wl->params[k].name, s, name)) break;
        if (name >= item || k == wl->nparams || parse_value(s + name + 1, item - name - 1, &out[k])) {
            snprintf(err, len, "%s: preset item '%.*s' is not PARAM=INTEGER|nproc over its params",
                     wl->name, (int)item, s);
            return -1;
        }
        s += item + (s[item] == ',');
    }
    return 0;
}

int hb_preset_values(const hb_workload *wl, const char *preset, int64_t *out, char *err, size_t len) {
    int full = !strcmp(preset, "full");
    for (size_t k = 0; k < wl->nparams && k < HB_MAX_PARAMS; k++)
        out[k] = full ? wl->params[k].full : wl->params[k].quick;
    if (full || !strcmp(preset, "quick")) return 0;
    const hb_preset *p = hb_preset_find(wl, preset);
    if (!p) {
        snprintf(err, len, "%s has no '%s' preset", wl->name, preset);
        return 1;
    }
    return apply_values(wl, p->values, out, err, len);
}

int hb_preset_repetitions(const hb_workload *wl, const char *preset) {
    const hb_preset *p = hb_preset_find(wl, preset);
    if (p && p->repetitions > 0) return p->repetitions;
    const hb_preset_policy *pol = hb_preset_policy_find(preset);
    if (!pol) return 0;
    if (wl->iterations == HB_ITERATIONS_RERUNNABLE && pol->program_min_time_s > 0 && pol->program_repetitions > 0)
        return pol->program_repetitions;
    return pol->repetitions;
}
