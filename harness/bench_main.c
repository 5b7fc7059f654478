/*
 * bench_main.c — main() of every hb-<adapter> executable.
 *
 * An hb-<adapter> executable is this file + the workloads + the gbench
 * wrapper + exactly one adapter, so the allocator under test serves the
 * whole process. The `heapbench` CLI drives these executables as children,
 * one per cell; people can run them directly too:
 *
 *   hb-<name> info                   JSON: adapter, version, kind, caps,
 *                                    preload, and every workload with params
 *   hb-<name> selfcheck              prove the allocator serving the process
 *                                    is the one named (exit 0), or say why not
 *   hb-<name> bench [options] [--benchmark_* flags]
 *       --workload NAME|GLOB         (repeatable; default: all, plus
 *                                    harness/loop-overhead)
 *       --preset quick|full|NAME     parameter set (default quick); NAME: a
 *                                    further preset such as classic, listed per
 *                                    workload in `info` ("presets"); a workload
 *                                    without it is unsupported (exit 4)
 *       --param NAME=VALUE           override one parameter (K/M/G suffixes)
 *       --gogc N, --memlimit BYTES, --torture    collector options
 *       --anatomy FILE [--anatomy-ms N]   untimed: count live bytes and sample
 *                                    the memory classes every N ms into FILE
 *                                    (harness/anatomy.c, docs/anatomy.md)
 *   hb-<name> conform [...]          the conformance properties
 *
 *   hb-<name> --help | -h | help     this usage, on stdout
 *
 * Exit status (heapbench/exitcodes.h, the one child protocol): 0 ok,
 * 2 bad usage, 3 a workload failed its validation, 4 the workload is
 * unsupported by this adapter, 5 selfcheck failed, 6 the adapter could
 * not be set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heapbench/adapter.h"
#include "heapbench/exitcodes.h"
#include "heapbench/gbench.h"
#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "anatomy.h"
#include "intarg.h"

/* Provided by conformance/ when it is linked in. */
int hb_conform_main(int argc, char **argv) __attribute__((weak));

/* Short names for the statuses this file ends with; the values are the
 * protocol's (heapbench/exitcodes.h), defined there only. */
enum {
    EXIT_SELFCHECK = HB_CHILD_SELFCHECK,
    EXIT_SETUP = HB_CHILD_SETUP,
    EXIT_USAGE = HB_CHILD_USAGE,
    EXIT_VALIDATION = HB_CHILD_INVALID,
    EXIT_UNSUPPORTED = HB_CHILD_UNSUPPORTED,
};

static int usage(FILE *out, const hb_adapter *ad);

/* Whether `a` is a bench option that takes a value (for "missing value"). */
static int param_flag(const char *a) {
    static const char *const with_value[] = {"--workload", "--preset", "--param", "--gogc", "--memlimit",
                                              "--anatomy", "--anatomy-ms"};
    for (size_t i = 0; i < sizeof with_value / sizeof *with_value; i++)
        if (!strcmp(a, with_value[i])) return 1;
    return 0;
}

/* The harness's measurement floor: an empty batched loop. */
static void loop_overhead(hb_gb_state *st, void *ctx) {
    (void)ctx;
    int64_t n;
    while ((n = hb_gb_keep_running_batch(st, 1 << 16)) > 0)
        for (int64_t i = 0; i < n; i++) hb_gb_clobber_memory();
}

/* ---- measurements beyond time, for the harness (docs/results-format.md) ----
 * RSS over time is sampled by the parent (heapbench, harness/cli/child.c)
 * from /proc/PID/statm: no sampler thread here, so the measured process
 * holds only the threads its workload starts (a thread would switch glibc
 * malloc into multi-threaded mode for the whole cell).
 * HB_GC_EVENTS_OUT=FILE: for adapters with gc_events, "R start_ns end_ns" per
 *   run of the workload and "E kind t_ns heap_bytes" per collector event
 *   (kind: 0 pause start, 1 pause end, 2 cycle start, 3 cycle end).
 * Adapters with gc_stats get collector counters after each run (gc_*). */
static int gcev_fd = -1;

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Appends v in decimal to buf at *off (no allocation, no locale). */
static void put_u64(char *buf, size_t *off, uint64_t v) {
    char tmp[24];
    int n = 0;
    do tmp[n++] = (char)('0' + v % 10); while ((v /= 10) && n < 24);
    while (n) buf[(*off)++] = tmp[--n];
}

static void start_measurements(const hb_adapter *ad) {
    const char *ev = getenv("HB_GC_EVENTS_OUT");
    if (ev && ad->gc_events)
        gcev_fd = open(ev, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
}

static void drain_gc_events(const hb_adapter *ad) {
    static hb_gc_event evs[4096];
    static char buf[4096 * 64];
    size_t n;
    while ((n = ad->gc_events(evs, sizeof evs / sizeof *evs)) > 0) {
        size_t off = 0;
        for (size_t i = 0; i < n; i++) {
            buf[off++] = 'E';
            buf[off++] = ' ';
            put_u64(buf, &off, (uint64_t)evs[i].kind);
            buf[off++] = ' ';
            put_u64(buf, &off, evs[i].t_ns);
            buf[off++] = ' ';
            put_u64(buf, &off, evs[i].heap_bytes);
            buf[off++] = '\n';
        }
        if (write(gcev_fd, buf, off) < 0) return;
        if (n < sizeof evs / sizeof *evs) return;
    }
}

/* Records the parameter values this benchmark actually runs with (preset
 * resolved, overrides and threads applied) as Google Benchmark counters
 * "param:NAME" in its JSON; the CLI (harness/cli/results.c) moves them into
 * the cell's params_effective, on which `heapbench compare` matches cells. */
static void record_effective_params(hb_gb_state *st, const hb_wl_args *a) {
    if (hb_gb_thread_index(st) != 0) return; /* counters are summed over threads */
    for (size_t k = 0; k < a->wl->nparams && k < HB_MAX_PARAMS; k++) {
        char name[96];
        snprintf(name, sizeof name, "param:%s", a->wl->params[k].name);
        hb_gb_counter(st, name, (double)a->value[k], HB_GB_DEFAULT);
    }
}

/* The pause split (hb_gc_stats.pause_split): time to stop the world and
 * the pause's own work, under the same names hb-go uses for Go 1.22+'s
 * /sched/pauses/stopping/gc. Percentiles are since the start, as the
 * totals' are; the sums are this run's. */
static void record_pause_split(hb_gb_state *st, const hb_gc_stats *b, const hb_gc_stats *a) {
    hb_gb_counter(st, "pause_stop_total_ns", (double)(a->pause_stop_total_ns - b->pause_stop_total_ns), HB_GB_DEFAULT);
    hb_gb_counter(st, "pause_stop_p50_ns", (double)a->pause_stop_p50_ns, HB_GB_DEFAULT);
    hb_gb_counter(st, "pause_stop_p99_ns", (double)a->pause_stop_p99_ns, HB_GB_DEFAULT);
    hb_gb_counter(st, "pause_stop_max_ns", (double)a->pause_stop_max_ns, HB_GB_DEFAULT);
    hb_gb_counter(st, "pause_work_total_ns", (double)(a->pause_work_total_ns - b->pause_work_total_ns), HB_GB_DEFAULT);
    hb_gb_counter(st, "pause_work_p50_ns", (double)a->pause_work_p50_ns, HB_GB_DEFAULT);
    hb_gb_counter(st, "pause_work_p99_ns", (double)a->pause_work_p99_ns, HB_GB_DEFAULT);
    hb_gb_counter(st, "pause_work_max_ns", (double)a->pause_work_max_ns, HB_GB_DEFAULT);
}

static void run_workload(hb_gb_state *st, void *ctx) {
    const hb_wl_args *a = ctx;
    const hb_adapter *ad = hb_rt.ad;
    int lead = hb_gb_thread_index(st) == 0;
    hb_gc_stats before = {0}, after = {0};
    if (lead && ad->gc_stats) ad->gc_stats(&before);
    if (lead && gcev_fd >= 0) drain_gc_events(ad);
    uint64_t t_start = mono_ns();
    a->wl->run(st, a);
    record_effective_params(st, a);
    hb_latency_report(st); /* HB_LATENCY=1: per-call latency percentiles */
    uint64_t t_end = mono_ns();
    if (lead && gcev_fd >= 0) {
        drain_gc_events(ad);
        char line[64];
        size_t off = 0;
        line[off++] = 'R';
        line[off++] = ' ';
        put_u64(line, &off, t_start);
        line[off++] = ' ';
        put_u64(line, &off, t_end);
        line[off++] = '\n';
        (void)!write(gcev_fd, line, off);
    }
    if (lead && ad->gc_stats) {
        ad->gc_stats(&after);
        hb_gb_counter(st, "gc_cycles", (double)(after.cycles - before.cycles), HB_GB_DEFAULT);
        hb_gb_counter(st, "gc_pauses", (double)(after.pauses - before.pauses), HB_GB_DEFAULT);
        hb_gb_counter(st, "pause_total_ns", (double)(after.pause_total_ns - before.pause_total_ns), HB_GB_DEFAULT);
        hb_gb_counter(st, "pause_p50_ns", (double)after.pause_p50_ns, HB_GB_DEFAULT);
        hb_gb_counter(st, "pause_p99_ns", (double)after.pause_p99_ns, HB_GB_DEFAULT);
        hb_gb_counter(st, "pause_max_ns", (double)after.pause_max_ns, HB_GB_DEFAULT);
        if (after.pause_split) record_pause_split(st, &before, &after);
        hb_gb_counter(st, "mark_cpu_ns", (double)(after.mark_cpu_ns - before.mark_cpu_ns), HB_GB_DEFAULT);
        hb_gb_counter(st, "assist_ns", (double)(after.assist_ns - before.assist_ns), HB_GB_DEFAULT);
        hb_gb_counter(st, "heap_goal_bytes", (double)after.heap_goal_bytes, HB_GB_DEFAULT);
        hb_gb_counter(st, "heap_live_bytes", (double)after.heap_live_bytes, HB_GB_DEFAULT);
    }
}

static const char *caps_names[] = {"aligned",  "usable-size", "sized-free", "threads",
                                   "releases-memory", "interior-pointers", "finalizers",
                                   "weak-refs", "gogc", "memlimit", "concurrent", "pool",
                                   "stackpool", "pause-events", "mark-hook"};

/* A workload's presets in `info`: "presets": every name it runs under
 * (quick, full, then its own), and "preset_params": {name: {param: value}}
 * for its own presets, resolved here (nproc is this machine's count),
 * "preset_values": {name: "PARAM=VALUE,..."} for its own presets as
 * written (nproc kept symbolic: what docs/workloads.md shows), and
 * "preset_repetitions": {name: N} for every preset. */
static void add_presets(json_t *w, const hb_workload *wl) {
    json_t *names = json_array(), *vals = json_object(), *reps = json_object(), *raw = json_object();
    json_array_append_new(names, json_string("quick"));
    json_array_append_new(names, json_string("full"));
    for (const hb_preset *p = wl->presets; p && p->name; p++) {
        json_array_append_new(names, json_string(p->name));
        json_object_set_new(raw, p->name, json_string(p->values));
    }
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name) {
        const char *pn = json_string_value(name);
        int64_t v[HB_MAX_PARAMS];
        char err[256];
        json_object_set_new(reps, pn, json_integer(hb_preset_repetitions(wl, pn)));
        if (i < 2 || hb_preset_values(wl, pn, v, err, sizeof err) != 0) continue;
        json_t *o = json_object();
        for (size_t k = 0; k < wl->nparams && k < HB_MAX_PARAMS; k++)
            json_object_set_new(o, wl->params[k].name, json_integer(v[k]));
        json_object_set_new(vals, pn, o);
    }
    json_object_set_new(w, "presets", names);
    json_object_set_new(w, "preset_params", vals);
    json_object_set_new(w, "preset_values", raw);
    json_object_set_new(w, "preset_repetitions", reps);
}

static int cmd_info(const hb_adapter *ad) {
    json_t *root = json_object();
    json_object_set_new(root, "name", json_string(ad->name));
    json_object_set_new(root, "version", json_string(ad->version ? ad->version() : ""));
    json_object_set_new(root, "kind", json_string(hb_kind_name(ad->kind)));
    json_t *caps = json_array();
    for (size_t i = 0; i < sizeof caps_names / sizeof *caps_names; i++)
        if (ad->caps & (1u << i)) json_array_append_new(caps, json_string(caps_names[i]));
    json_object_set_new(root, "caps", caps);
    char preload[PATH_MAX];
    json_object_set_new(root, "preload",
                        hb_adapter_preload(ad, preload, sizeof preload) ? json_string(preload)
                                                                       : json_null());
    json_t *wls = json_array();
    const hb_workload *const *all;
    size_t n = hb_workloads(&all);
    for (size_t i = 0; i < n; i++) {
        const hb_workload *wl = all[i];
        json_t *w = json_object();
        json_object_set_new(w, "name", json_string(wl->name));
        json_object_set_new(w, "category", json_string(wl->category));
        json_object_set_new(w, "description", json_string(wl->description));
        const char *why = NULL;
        int ok = hb_wl_supported(wl, ad, &why);
        json_object_set_new(w, "supported", json_boolean(ok));
        if (!ok) json_object_set_new(w, "unsupported_reason", json_string(why));
        json_t *ps = json_array();
        for (size_t k = 0; k < wl->nparams; k++) {
            const hb_param *p = &wl->params[k];
            json_array_append_new(ps, json_pack("{s:s,s:I,s:I,s:I,s:I,s:s}", "name", p->name, "quick",
                                                (json_int_t)p->quick, "full", (json_int_t)p->full, "min",
                                                (json_int_t)p->min, "max", (json_int_t)p->max, "help",
                                                p->help ? p->help : ""));
        }
        json_object_set_new(w, "params", ps);
        add_presets(w, wl);
        json_array_append_new(wls, w);
    }
    json_object_set_new(root, "workloads", wls);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(s);
    free(s);
    json_decref(root);
    return 0;
}

static int cmd_selfcheck(const hb_adapter *ad) {
    char msg[512] = "";
    if (ad->selfcheck(msg, sizeof msg) != 0) {
        fprintf(stderr, "hb-%s: selfcheck failed: %s\n", ad->name, msg);
        return EXIT_SELFCHECK;
    }
    printf("hb-%s: selfcheck ok: %s (version %s)\n", ad->name, msg, ad->version());
    return 0;
}

static int parse_int(const char *s, int64_t *out) {
    long long v;
    if (hb_parse_int(s, &v)) return -1;
    *out = v;
    return 0;
}

/* quick, full, a preset with a measurement policy, or one a workload names. */
static int preset_known(const char *name) {
    if (!strcmp(name, "quick") || !strcmp(name, "full") || hb_preset_policy_find(name)) return 1;
    const hb_workload *const *all;
    size_t n = hb_workloads(&all);
    for (size_t i = 0; i < n; i++)
        if (hb_preset_find(all[i], name)) return 1;
    return 0;
}

/* Whether every parameter value lies in its declared range; names the first
 * that does not (the CLI checks the same before it starts a child). */
static int params_in_range(const hb_adapter *ad, const hb_wl_args *a) {
    for (size_t k = 0; k < a->wl->nparams && k < HB_MAX_PARAMS; k++) {
        const hb_param *p = &a->wl->params[k];
        if (a->value[k] < p->min || a->value[k] > p->max) {
            fprintf(stderr, "hb-%s: --param %s=%lld is out of range for %s: %s takes %lld..%lld\n", ad->name,
                    p->name, (long long)a->value[k], a->wl->name, p->name, (long long)p->min, (long long)p->max);
            return 0;
        }
    }
    return 1;
}

typedef struct param_override {
    const char *name;
    int64_t value;
    int used;
} param_override;

/* `bench`'s command line: our flags out, Google Benchmark's flags through. */
typedef struct bench_cfg {
    const char *globs[64];
    int nglobs, gb_reps_given, gb_min_time_given;
    const char *preset, *anatomy;
    int64_t anatomy_ms;
    param_override ov[HB_MAX_PARAMS * 4];
    int nov;
    hb_options opt;
    char **gb_argv;
    int gb_argc;
} bench_cfg;

/* One of our flags with its value v; 0, or an exit status. */
static int bench_flag(const hb_adapter *ad, bench_cfg *c, const char *a, const char *v) {
    int64_t x;
    if (!strcmp(a, "--workload")) {
        if (c->nglobs < 64) c->globs[c->nglobs++] = v;
    } else if (!strcmp(a, "--preset")) {
        c->preset = v; /* checked against the selected workloads by plan_bench */
    } else if (!strcmp(a, "--param")) {
        const char *eq = strchr(v, '=');
        if (!eq || parse_int(eq + 1, &x) || c->nov >= (int)(sizeof c->ov / sizeof *c->ov))
            return fprintf(stderr, "hb-%s: --param takes NAME=INTEGER, not '%s'\n", ad->name, v), EXIT_USAGE;
        c->ov[c->nov++] = (param_override){strndup(v, (size_t)(eq - v)), x, 0};
    } else if (!strcmp(a, "--gogc") || !strcmp(a, "--memlimit")) {
        if (parse_int(v, &x)) return fprintf(stderr, "hb-%s: bad %s '%s'\n", ad->name, a, v), EXIT_USAGE;
        if (a[2] == 'g') c->opt.gogc = (int)x;
        else c->opt.memlimit = x;
    } else if (!strcmp(a, "--anatomy")) {
        c->anatomy = v;
    } else if (parse_int(v, &x) || x < 1 || x > 60000) { /* --anatomy-ms */
        return fprintf(stderr, "hb-%s: --anatomy-ms takes 1..60000, not '%s'\n", ad->name, v), EXIT_USAGE;
    } else {
        c->anatomy_ms = x;
    }
    return 0;
}

static int parse_bench(const hb_adapter *ad, int argc, char **argv, bench_cfg *c) {
    const char *env;
    if ((env = getenv("HB_GOGC"))) c->opt.gogc = atoi(env);
    if ((env = getenv("HB_MEMLIMIT"))) parse_int(env, &c->opt.memlimit);
    c->gb_argv = calloc((size_t)argc + 1, sizeof *c->gb_argv);
    /* Google Benchmark records argv[0] as context.executable: name the
     * executable (hb-<name>), not the mode, so its JSON says which adapter. */
    static char exe_name[128];
    snprintf(exe_name, sizeof exe_name, "hb-%s", ad->name);
    c->gb_argv[c->gb_argc++] = exe_name;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc;
        if (param_flag(a) && v) {
            if ((rc = bench_flag(ad, c, a, v)) != 0) return rc;
            i++;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            return usage(stdout, ad) == HB_CHILD_OK ? -1 : EXIT_USAGE;
        } else if (!strcmp(a, "--torture")) {
            c->opt.torture = true;
        } else if (!strncmp(a, "--benchmark_", 12)) {
            c->gb_reps_given |= !strncmp(a, "--benchmark_repetitions=", 24);
            c->gb_min_time_given |= !strncmp(a, "--benchmark_min_time=", 21);
            c->gb_argv[c->gb_argc++] = argv[i];
        } else {
            fprintf(stderr, "hb-%s bench: %s '%s' (hb-%s --help)\n", ad->name,
                    a[0] == '-' && !v && param_flag(a) ? "missing value for option" : "unknown option", a, ad->name);
            return EXIT_USAGE;
        }
    }
    return 0;
}

/* The preset's measurement policy for one benchmark, unless the command
 * line set it (a benchmark's own setting would override the flag). A whole
 * program that may be rerun (HB_ITERATIONS_RERUNNABLE) under a policy with
 * a program minimum time lets Google Benchmark choose its iterations, so a
 * repetition lasts that long; otherwise it runs once per repetition. */
static void register_measured(const bench_cfg *c, const hb_workload *wl, hb_gb_bench *b) {
    const hb_preset_policy *pol = hb_preset_policy_find(c->preset);
    int rerunnable = wl->iterations == HB_ITERATIONS_RERUNNABLE;
    int rerun = rerunnable && pol && pol->program_min_time_s > 0;
    hb_gb_use_real_time(b);
    if (rerunnable && !rerun) hb_gb_fixed_iterations(b, 1);
    else if (wl->iterations > 0) hb_gb_fixed_iterations(b, wl->iterations);
    if (!c->gb_reps_given && hb_preset_repetitions(wl, c->preset) > 0)
        hb_gb_repetitions(b, hb_preset_repetitions(wl, c->preset));
    if (!c->gb_min_time_given && pol && (wl->iterations == 0 || rerun))
        hb_gb_min_time(b, rerun ? pol->program_min_time_s : pol->min_time_s);
}

/* Registers one selected workload under the preset and the overrides:
 * 0 registered, 1 unsupported here, or an exit status (EXIT_USAGE). */
static int register_workload(const hb_adapter *ad, bench_cfg *c, const hb_workload *wl) {
    const char *why = NULL;
    if (!hb_wl_supported(wl, ad, &why))
        return fprintf(stderr, "hb-%s: %s unsupported: %s\n", ad->name, wl->name, why), 1;
    hb_wl_args *args = calloc(1, sizeof *args);
    args->wl = wl;
    char perr[256];
    int prc = hb_preset_values(wl, c->preset, args->value, perr, sizeof perr);
    if (prc != 0) free(args);
    if (prc < 0) return fprintf(stderr, "hb-%s: %s\n", ad->name, perr), EXIT_USAGE;
    if (prc > 0) /* no such preset: the cell is unsupported, not run with other values */
        return fprintf(stderr, "hb-%s: %s unsupported: %s\n", ad->name, wl->name, perr), 1;
    for (size_t k = 0; k < wl->nparams && k < HB_MAX_PARAMS; k++)
        for (int o = 0; o < c->nov; o++)
            if (!strcmp(c->ov[o].name, wl->params[k].name)) {
                args->value[k] = c->ov[o].value;
                c->ov[o].used = 1;
            }
    if (!params_in_range(ad, args)) return EXIT_USAGE;
    register_measured(c, wl, hb_gb_register(wl->name, run_workload, args));
    return 0;
}

/* Selects and registers the workloads: 0, or an exit status. */
static int plan_bench(const hb_adapter *ad, bench_cfg *c) {
    if (!preset_known(c->preset)) {
        fprintf(stderr, "hb-%s: --preset takes quick, full or a preset a workload names (`info` "
                        "lists each workload's \"presets\"), not '%s'\n", ad->name, c->preset);
        return EXIT_USAGE;
    }
    int matched = 0, unsupported = 0, rc;
    if (c->nglobs == 0 || fnmatch(c->globs[0], "harness/loop-overhead", 0) == 0) {
        hb_gb_register("harness/loop-overhead", loop_overhead, NULL);
        matched++;
    }
    const hb_workload *const *all;
    size_t n = hb_workloads(&all);
    for (size_t i = 0; i < n; i++) {
        int sel = c->nglobs == 0;
        for (int g = 0; g < c->nglobs && !sel; g++) sel = fnmatch(c->globs[g], all[i]->name, 0) == 0;
        if (!sel) continue;
        matched++;
        if ((rc = register_workload(ad, c, all[i])) > 1) return rc;
        unsupported += rc;
    }
    for (int o = 0; o < c->nov && matched > unsupported; o++)
        if (!c->ov[o].used) {
            fprintf(stderr, "hb-%s: no selected workload has a parameter '%s'\n", ad->name, c->ov[o].name);
            return EXIT_USAGE;
        }
    if (matched == 0) {
        fprintf(stderr, "hb-%s: no workload matches", ad->name);
        for (int g = 0; g < c->nglobs; g++) fprintf(stderr, " '%s'", c->globs[g]);
        fprintf(stderr, " (hb-%s info lists them)\n", ad->name);
        return EXIT_USAGE;
    }
    return matched == unsupported ? EXIT_UNSUPPORTED : 0;
}

static int cmd_bench(const hb_adapter *ad, int argc, char **argv) {
    bench_cfg c = {.preset = "quick", .anatomy_ms = 10, .opt = {.gogc = -1}};
    int rc = parse_bench(ad, argc, argv, &c);
    if (rc) return rc < 0 ? HB_CHILD_OK : rc;
    if (hb_object_init(ad, &c.opt) != 0) {
        fprintf(stderr, "hb-%s: adapter init failed\n", ad->name);
        return EXIT_SETUP;
    }
    char msg[512] = "";
    if (ad->selfcheck(msg, sizeof msg) != 0) {
        fprintf(stderr, "hb-%s: refusing to run: selfcheck failed: %s\n", ad->name, msg);
        return EXIT_SELFCHECK;
    }
    if ((rc = plan_bench(ad, &c)) != 0) return rc;
    start_measurements(ad);
    char aerr[512];
    if (c.anatomy && hb_anatomy_start(ad, c.anatomy, (long)c.anatomy_ms, aerr, sizeof aerr) != 0)
        return fprintf(stderr, "hb-%s: --anatomy: %s\n", ad->name, aerr), EXIT_SETUP;
    rc = hb_gb_main(c.gb_argc, c.gb_argv);
    if (c.anatomy && hb_anatomy_finish() != 0)
        return fprintf(stderr, "hb-%s: --anatomy: cannot write %s\n", ad->name, c.anatomy), EXIT_SETUP;
    if (rc) return EXIT_USAGE;
    return hb_wl_failed() ? EXIT_VALIDATION : 0;
}

static const char usage_text[] =
    "usage: hb-%s MODE [options]\n"
    "\n"
    "One allocator (%s) serving the whole process, driven by `heapbench` as one\n"
    "child per cell, or run by hand.\n"
    "\n"
    "modes:\n"
    "  info                       JSON: adapter, version, kind, caps, preload, workloads\n"
    "  selfcheck                  prove the allocator serving the process is this one\n"
    "  bench [options]            run workloads through Google Benchmark:\n"
    "    --workload NAME|GLOB     (repeatable; default: all, plus harness/loop-overhead)\n"
    "    --preset NAME            parameter set: quick (default), full, or one a workload\n"
    "                             declares (classic: the original benchmark's arguments)\n"
    "    --param NAME=VALUE       override one parameter (K/M/G suffixes)\n"
    "    --gogc N                 collector: GOGC percentage\n"
    "    --memlimit BYTES         collector: soft memory limit\n"
    "    --torture                collector: collect as often as possible\n"
    "    --anatomy FILE           untimed: count live bytes, sample the memory classes\n"
    "    --anatomy-ms N           into FILE every N ms (default 10; docs/anatomy.md)\n"
    "    --benchmark_*            passed to Google Benchmark (e.g. --benchmark_format=json)\n"
    "  conform --list | --property GLOB | --expect   the conformance properties\n"
    "  help, --help, -h           this help\n"
    "\n"
    "exit: 0 ok, 2 bad usage, 3 a workload failed its validation, 4 unsupported by\n"
    "this adapter, 5 selfcheck failed, 6 the adapter could not be set up\n"
    "(heapbench/exitcodes.h). `heapbench list` shows every workload's parameters.\n";

/* The usage: on stdout (asked for: exit 0) or stderr (bad usage: exit 2). */
static int usage(FILE *out, const hb_adapter *ad) {
    fprintf(out, usage_text, ad->name, ad->name);
    return out == stdout ? HB_CHILD_OK : EXIT_USAGE;
}

int main(int argc, char **argv) {
    const hb_adapter *ad = hb_adapter_linked;
    if (argc < 2) return usage(stderr, ad);
    const char *mode = argv[1];
    if (!strcmp(mode, "--help") || !strcmp(mode, "-h") || !strcmp(mode, "help")) return usage(stdout, ad);
    if (!strcmp(mode, "info")) return cmd_info(ad);
    if (!strcmp(mode, "selfcheck")) {
        hb_options opt = {.gogc = -1};
        if (hb_object_init(ad, &opt) != 0) {
            fprintf(stderr, "hb-%s: adapter init failed\n", ad->name);
            return EXIT_SETUP;
        }
        return cmd_selfcheck(ad);
    }
    if (!strcmp(mode, "bench")) return cmd_bench(ad, argc - 1, argv + 1);
    if (!strcmp(mode, "conform")) {
        if (!hb_conform_main) {
            fprintf(stderr, "hb-%s: conformance properties are not linked into this build\n", ad->name);
            return EXIT_USAGE;
        }
        return hb_conform_main(argc - 1, argv + 1);
    }
    fprintf(stderr, "hb-%s: unknown mode '%s'\n", ad->name, mode);
    return usage(stderr, ad);
}
