/*
 * cmd_run.c — `heapbench run`: run workloads over adapters, one child
 * process per cell, and keep every result as soon as it exists.
 *
 * A cell is adapter × workload × thread count × GOGC value. Each runs as
 * `hb-<adapter> bench --workload W ...` under the child runner (child.h):
 * a crash, a hang past --timeout, a failed selfcheck or validation marks
 * that cell and the run goes on. After each cell run.json, results.csv and
 * report.md are rewritten atomically, so a run killed half-way keeps what
 * it measured and `--resume DIR` runs only the cells not yet recorded.
 * Output layout and schema: docs/results-format.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"
#include "env.h"
#include "export.h"
#include "history.h"
#include "probe.h"
#include "results.h"
#include "runplan.h"
#include "util.h"

static int usage(FILE *f) {
    fprintf(f,
            "usage: heapbench run [options]\n"
            "  --adapters A,B        adapters (default: all built: %s)\n"
            "  --workloads W,GLOB    names or globs such as 'concurrent/*' (default: all)\n"
            "  --preset quick|full   parameter preset (default quick)\n"
            "  --threads 1,2,4       thread counts for workloads with a 'threads' param\n"
            "  --param NAME=VALUE    override a workload parameter (repeatable; K/M/G)\n"
            "  --repetitions N       repetitions per cell (default 5)\n"
            "  --min-time S          minimum seconds per repetition (default: quick 0.05, full 0.5)\n"
            "  --timeout S           seconds per cell before it is killed (default 300)\n"
            "  --gogc 25,50,...      GOGC sweep for collected adapters with cap 'gogc'\n"
            "  --latency             sample allocation latency (counters alloc_p50_ns ...)\n"
            "  --rss-sample-ms MS    RSS timeline period in the child (default 10; 0: off)\n"
            "  --pin CPUS            pin each child to CPUs ('0-3,6')\n"
            "  --baseline A          adapter the report normalizes to (default system)\n"
            "  --export bmf          also write bmf.json (Bencher Metric Format)\n"
            "  --out DIR             output folder (default <results>/<date>-<commit>/;\n"
            "                        <results> is $HB_RESULTS_DIR or <repo>/results)\n"
            "  --resume DIR          finish an interrupted run in DIR\n",
            hb_adapters_built());
    return f == stderr ? HB_EXIT_USAGE : HB_EXIT_OK;
}

static int all_ints(const hb_strv *s, long long min) {
    for (size_t i = 0; i < s->n; i++) {
        long long v;
        if (hb_parse_int(s->v[i], &v) || v < min) return 0;
    }
    return 1;
}

/* The RSS samples "t_ns rss_bytes" -> [[t_s, bytes], ...], at most 400. */
static json_t *read_rss(const char *path, double *max_bytes) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 256, n = 0;
    double *t = malloc(cap * sizeof *t), *b = malloc(cap * sizeof *b);
    unsigned long long tn, rb;
    while (fscanf(f, "%llu %llu", &tn, &rb) == 2) {
        if (n == cap) {
            cap *= 2;
            t = realloc(t, cap * sizeof *t);
            b = realloc(b, cap * sizeof *b);
        }
        t[n] = (double)tn / 1e9;
        b[n++] = (double)rb;
    }
    fclose(f);
    json_t *a = NULL;
    *max_bytes = 0;
    if (n) {
        a = json_array();
        size_t step = (n + 399) / 400;
        for (size_t i = 0; i < n; i += step) {
            double m = 0; /* keep the peak of each bucket */
            for (size_t k = i; k < i + step && k < n; k++) m = b[k] > m ? b[k] : m;
            json_array_append_new(a, json_pack("[f,f]", t[i], m));
        }
        for (size_t i = 0; i < n; i++) *max_bytes = b[i] > *max_bytes ? b[i] : *max_bytes;
    }
    free(t);
    free(b);
    return a;
}

static char *log_tail(const char *path) {
    size_t len = 0;
    char *s = hb_read_file(path, &len);
    if (!s) return strdup("");
    size_t keep = 400;
    char *tail = strdup(len > keep ? s + len - keep : s);
    free(s);
    size_t l = strlen(tail);
    while (l && (tail[l - 1] == '\n' || tail[l - 1] == ' ')) tail[--l] = 0;
    return tail;
}

static json_t *run_cell(const hb_run_config *c, const hb_cell *cell, const char *dir) {
    json_t *rec = json_object();
    json_object_set_new(rec, "id", json_string(cell->id));
    json_object_set_new(rec, "adapter", json_string(cell->adapter));
    json_object_set_new(rec, "workload", json_string(cell->workload));
    const char *slash = strchr(cell->workload, '/');
    json_object_set_new(rec, "category",
                        cell->wl ? json_copy(json_object_get(cell->wl, "category"))
                                 : json_stringn(cell->workload, slash ? (size_t)(slash - cell->workload) : 0));
    /* Effective parameters: the preset's values, then overrides. */
    json_t *params = json_object(), *overrides = json_object();
    hb_strv args = {0};
    char exe[PATH_MAX];
    hb_adapter_exe(cell->adapter, exe, sizeof exe);
    hb_strv_push(&args, exe);
    hb_strv_push(&args, "bench");
    hb_strv_push(&args, "--workload");
    hb_strv_push(&args, cell->workload);
    hb_strv_push(&args, "--preset");
    hb_strv_push(&args, c->preset);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(cell->wl, "params"), i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        long long v = (long long)json_integer_value(json_object_get(p, strcmp(c->preset, "full") ? "quick" : "full"));
        for (size_t k = 0; k < c->params.n; k++) {
            size_t nl = strcspn(c->params.v[k], "=");
            long long x;
            if (strlen(name) == nl && !strncmp(c->params.v[k], name, nl) &&
                hb_parse_int(c->params.v[k] + nl + 1, &x) == 0) {
                v = x;
                json_object_set_new(overrides, name, json_integer(x));
                hb_strv_push(&args, "--param");
                hb_strv_push(&args, c->params.v[k]);
            }
        }
        if (!strcmp(name, "threads") && cell->threads >= 0) {
            v = cell->threads;
            char *a = hb_fmt("threads=%lld", v);
            hb_strv_push(&args, "--param");
            hb_strv_push(&args, a);
            free(a);
        }
        json_object_set_new(params, name, json_integer(v));
    }
    json_t *th = json_object_get(params, "threads");
    json_object_set_new(rec, "params", params);
    json_object_set_new(rec, "overrides", overrides);
    json_object_set_new(rec, "threads", json_is_integer(th) ? json_copy(th) : json_integer(1));
    json_object_set_new(rec, "gogc", cell->gogc >= 0 ? json_integer(cell->gogc) : json_null());
    if (!cell->wl) {
        json_object_set_new(rec, "status", json_string("unsupported"));
        json_object_set_new(rec, "message", json_string("this adapter's executable lacks the workload"));
        hb_strv_free(&args);
        return rec;
    }
    if (!json_is_true(json_object_get(cell->wl, "supported"))) {
        json_object_set_new(rec, "status", json_string("unsupported"));
        json_object_set(rec, "message", json_object_get(cell->wl, "unsupported_reason"));
        hb_strv_free(&args);
        return rec;
    }
    if (cell->gogc >= 0) {
        char *a = hb_fmt("%lld", cell->gogc);
        hb_strv_push(&args, "--gogc");
        hb_strv_push(&args, a);
        free(a);
    }
    char raw[PATH_MAX + 512], logp[PATH_MAX + 512], rss[PATH_MAX + 512], gcev[PATH_MAX + 512];
    snprintf(raw, sizeof raw, "%s/raw/%s.json", dir, cell->id);
    snprintf(logp, sizeof logp, "%s/logs/%s.log", dir, cell->id);
    snprintf(rss, sizeof rss, "%s/raw/%s.rss", dir, cell->id);
    snprintf(gcev, sizeof gcev, "%s/raw/%s.gcev", dir, cell->id);
    unlink(raw), unlink(rss), unlink(gcev); /* from an interrupted attempt */
    char *a;
    hb_strv_push(&args, a = hb_fmt("--benchmark_out=%s", raw)), free(a);
    hb_strv_push(&args, "--benchmark_out_format=json");
    hb_strv_push(&args, a = hb_fmt("--benchmark_repetitions=%d", c->repetitions)), free(a);
    hb_strv_push(&args, a = hb_fmt("--benchmark_min_time=%g", c->min_time_s)), free(a);
    /* A warm-up before the first repetition: the first one is otherwise
     * often slower (page faults, frequency ramp). */
    hb_strv_push(&args, a = hb_fmt("--benchmark_min_warmup_time=%g", c->min_time_s / 2)), free(a);

    hb_strv env = {0};
    if (c->rss_sample_ms > 0) {
        hb_strv_push(&env, a = hb_fmt("HB_RSS_SAMPLE_MS=%d", c->rss_sample_ms)), free(a);
        hb_strv_push(&env, a = hb_fmt("HB_RSS_OUT=%s", rss)), free(a);
    }
    hb_strv_push(&env, a = hb_fmt("HB_GC_EVENTS_OUT=%s", gcev)), free(a);
    if (c->latency) hb_strv_push(&env, "HB_LATENCY=1");

    hb_child_opts o = {.argv = (const char *const *)args.v,
                       .env_add = (const char *const *)env.v,
                       .stdout_path = logp,
                       .stderr_path = logp,
                       .timeout_s = c->timeout_s,
                       .cpus = c->pin};
    hb_child_result r;
    int started = hb_child_run(&o, &r) == 0;
    const char *status = "ok";
    char *msg = NULL;
    if (!started) {
        status = "error";
        msg = hb_fmt("could not start %s: %s", exe, strerror(r.exit_code));
    } else if (r.end == HB_CHILD_TIMEOUT) {
        status = "timeout";
        msg = hb_fmt("killed after the %g s timeout", c->timeout_s);
    } else if (r.end == HB_CHILD_SIGNALED) {
        status = "crashed";
        char *t = log_tail(logp);
        msg = hb_fmt("killed by signal %d (%s): %s", r.signal, strsignal(r.signal), t);
        json_object_set_new(rec, "signal", json_integer(r.signal));
        free(t);
    } else if (r.exit_code != 0) {
        char *t = log_tail(logp);
        status = r.exit_code == 3 ? "failed-validation" : r.exit_code == 4 ? "unsupported" : "error";
        msg = hb_fmt("exit status %d%s: %s", r.exit_code, r.exit_code == 1 ? " (selfcheck failed)" : "", t);
        free(t);
    }
    if (started) {
        json_object_set_new(rec, "exit_code", r.end == HB_CHILD_EXITED ? json_integer(r.exit_code) : json_null());
        json_object_set_new(rec, "wall_s", json_real(r.wall_s));
        json_object_set_new(rec, "peak_rss_bytes", json_integer(r.peak_rss_bytes));
        json_object_set_new(rec, "minor_faults", json_integer(r.ru.ru_minflt));
        json_object_set_new(rec, "major_faults", json_integer(r.ru.ru_majflt));
        json_object_set_new(rec, "user_cpu_s",
                            json_real((double)r.ru.ru_utime.tv_sec + (double)r.ru.ru_utime.tv_usec * 1e-6));
        json_object_set_new(rec, "sys_cpu_s",
                            json_real((double)r.ru.ru_stime.tv_sec + (double)r.ru.ru_stime.tv_usec * 1e-6));
        json_object_set_new(rec, "voluntary_ctx_switches", json_integer(r.ru.ru_nvcsw));
        json_object_set_new(rec, "involuntary_ctx_switches", json_integer(r.ru.ru_nivcsw));
    }
    if (!strcmp(status, "ok")) {
        char err[1024];
        if (hb_gb_extract(raw, rec, err, sizeof err) != 0) {
            status = "error";
            msg = hb_fmt("exit 0 but no usable Google Benchmark output: %s", err);
        }
    }
    json_object_set_new(rec, "status", json_string(status));
    if (msg) json_object_set_new(rec, "message", json_string(msg));
    free(msg);
    if (!json_object_get(rec, "repetitions")) json_object_set_new(rec, "repetitions", json_integer(0));
    json_t *counters = json_object_get(rec, "counters");
    if (!counters) json_object_set_new(rec, "counters", counters = json_object());
    double rss_max = 0;
    json_t *tl = read_rss(rss, &rss_max);
    if (tl) {
        json_object_set_new(counters, "rss_timeline", tl);
        json_object_set_new(counters, "rss_sampled_max_bytes", json_real(rss_max));
    }
    if (hb_is_file(raw)) json_object_set_new(rec, "raw", json_string(strrchr(raw, '/') - 3));
    json_object_set_new(rec, "log", json_string(strrchr(logp, '/') - 4));
    struct stat st;
    if (stat(gcev, &st) == 0 && st.st_size > 0)
        json_object_set_new(rec, "gc_events", json_string(strrchr(gcev, '/') - 3));
    else
        unlink(gcev);
    if (hb_is_file(rss)) json_object_set_new(rec, "rss_samples", json_string(strrchr(rss, '/') - 3));
    hb_strv_free(&args);
    hb_strv_free(&env);
    return rec;
}

static void fmt_dur(double s, char *buf, size_t len) {
    if (s < 0 || !isfinite(s)) snprintf(buf, len, "?");
    else if (s < 60) snprintf(buf, len, "%.0fs", s);
    else if (s < 3600) snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
    else snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

/* results/latest -> the run folder, replaced atomically. */
static void link_latest(const char *root, const char *dir) {
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    char tmp[PATH_MAX], dst[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.latest.%ld", root, (long)getpid());
    snprintf(dst, sizeof dst, "%s/latest", root);
    unlink(tmp);
    if (symlink(base, tmp) == 0 && rename(tmp, dst) != 0) unlink(tmp);
}

int cmd_run(int argc, char **argv) {
    hb_run_config c = {.preset = "quick", .repetitions = 5, .timeout_s = 300, .min_time_s = -1,
                       .rss_sample_ms = 10, .baseline = "system"};
    const char *out = NULL, *resume = NULL, *adapters = NULL;
    char *cmdline = hb_command_line(argc, argv);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long x;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage(stdout);
        if (!strcmp(a, "--latency")) {
            c.latency = 1;
            continue;
        }
        if (!v) return hb_die("run", "option '%s' needs a value (heapbench run --help)", a);
        i++;
        if (!strcmp(a, "--adapters")) adapters = v;
        else if (!strcmp(a, "--workloads") || !strcmp(a, "--workload")) hb_split(v, ',', &c.workloads);
        else if (!strcmp(a, "--preset")) c.preset = v;
        else if (!strcmp(a, "--threads")) hb_split(v, ',', &c.threads);
        else if (!strcmp(a, "--gogc")) hb_split(v, ',', &c.gogc);
        else if (!strcmp(a, "--param")) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || hb_parse_int(eq + 1, &x))
                return hb_die("run", "--param takes NAME=INTEGER (K/M/G suffixes allowed), not '%s'", v);
            hb_strv_push(&c.params, v);
        } else if (!strcmp(a, "--repetitions")) {
            if (hb_parse_int(v, &x) || x < 1 || x > 1000)
                return hb_die("run", "--repetitions takes an integer 1..1000, not '%s'", v);
            c.repetitions = (int)x;
        } else if (!strcmp(a, "--timeout") || !strcmp(a, "--min-time")) {
            char *end;
            double d = strtod(v, &end);
            if (end == v || *end || !(d > 0))
                return hb_die("run", "%s takes a positive number of seconds, not '%s'", a, v);
            if (!strcmp(a, "--timeout")) c.timeout_s = d;
            else c.min_time_s = d;
        } else if (!strcmp(a, "--rss-sample-ms")) {
            if (hb_parse_int(v, &x) || x < 0) return hb_die("run", "--rss-sample-ms takes an integer >= 0, not '%s'", v);
            c.rss_sample_ms = (int)x;
        } else if (!strcmp(a, "--pin")) {
            if (!hb_cpulist_valid(v)) return hb_die("run", "--pin takes a CPU list such as 0-3,6, not '%s'", v);
            c.pin = v;
        } else if (!strcmp(a, "--baseline")) c.baseline = v;
        else if (!strcmp(a, "--export")) {
            if (strcmp(v, "bmf")) return hb_die("run", "--export takes bmf, not '%s'", v);
            c.export_fmt = v;
        } else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--resume")) resume = v;
        else return hb_die("run", "unknown option '%s' (heapbench run --help)", a);
    }

    json_t *run = NULL;
    char err[2048];
    if (resume) {
        run = hb_run_load(resume, err, sizeof err);
        if (!run) return hb_die("run", "--resume: %s", err);
        json_t *meta = json_object_get(run, "meta");
        if (hb_config_from_json(json_object_get(meta, "config"), &c, err, sizeof err))
            return hb_die("run", "--resume %s/run.json: %s", resume, err);
        out = resume;
    } else {
        if (strcmp(c.preset, "quick") && strcmp(c.preset, "full"))
            return hb_die("run", "--preset takes quick or full, not '%s'", c.preset);
        if (!all_ints(&c.threads, 1)) return hb_die("run", "--threads takes a list of positive integers");
        if (!all_ints(&c.gogc, 0)) return hb_die("run", "--gogc takes a list of integers >= 0");
        if (c.min_time_s < 0) c.min_time_s = strcmp(c.preset, "full") ? 0.05 : 0.5;
        hb_split(adapters ? adapters : hb_adapters_built(), ',', &c.adapters);
        if (c.adapters.n == 0) return hb_die("run", "--adapters is empty");
    }

    /* Ask every adapter what it is before anything is written. */
    json_t **infos = calloc(c.adapters.n, sizeof *infos);
    for (size_t i = 0; i < c.adapters.n; i++) {
        if (strchr(c.adapters.v[i], '/') || !(infos[i] = hb_probe_info(c.adapters.v[i], err, sizeof err))) {
            if (!infos[i] && strstr(err, "no executable"))
                return hb_die("run", "unknown adapter '%s' (built: %s)", c.adapters.v[i], hb_adapters_built());
            return hb_die("run", "adapter '%s': %s", c.adapters.v[i], infos[i] ? "bad name" : err);
        }
    }
    hb_cell *cells = NULL;
    long ncells = hb_plan_cells(&c, infos, &cells, err, sizeof err);
    if (ncells < 0) return hb_die("run", "%s", err);

    char dir[PATH_MAX];
    int default_out = !out;
    if (!resume) {
        if (out) {
            snprintf(dir, sizeof dir, "%s", out);
        } else {
            char commit[64], shortc[32], stamp[32];
            int dirty;
            hb_git_info(commit, sizeof commit, shortc, sizeof shortc, &dirty);
            time_t t = time(NULL);
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
            snprintf(dir, sizeof dir, "%s/%s-%s%s", hb_results_root(), stamp, shortc, dirty > 0 ? "-dirty" : "");
        }
        char probe[PATH_MAX + 16];
        snprintf(probe, sizeof probe, "%s/run.json", dir);
        if (hb_is_file(probe))
            return hb_die("run", "--out %s already holds a run (run.json); use --resume %s or another folder", dir, dir);
        char sub[PATH_MAX + 16];
        snprintf(sub, sizeof sub, "%s/raw", dir);
        if (hb_mkdir_p(sub) != 0) return hb_die("run", "cannot create the output folder %s: %s", sub, strerror(errno));
        snprintf(sub, sizeof sub, "%s/logs", dir);
        if (hb_mkdir_p(sub) != 0) return hb_die("run", "cannot create the output folder %s: %s", sub, strerror(errno));

        run = json_object();
        json_object_set_new(run, "schema", json_string(HB_RUN_SCHEMA));
        json_t *meta = json_object();
        char ts[64];
        hb_time_iso(ts, sizeof ts);
        json_object_set_new(meta, "start_time", json_string(ts));
        json_object_set_new(meta, "end_time", json_null());
        json_object_set_new(meta, "status", json_string("running"));
        json_object_set_new(meta, "preset", json_string(c.preset));
        json_object_set_new(meta, "command_line", json_string(cmdline));
        json_object_set_new(meta, "warnings", json_array());
        hb_env_capture(meta);
        json_object_set_new(meta, "config", hb_config_to_json(&c));
        json_object_set_new(run, "meta", meta);
        json_t *ads = json_array();
        for (size_t i = 0; i < c.adapters.n; i++)
            json_array_append_new(ads, json_pack("{s:O,s:O,s:O,s:O,s:O}", "name", json_object_get(infos[i], "name"),
                                                 "version", json_object_get(infos[i], "version"), "kind",
                                                 json_object_get(infos[i], "kind"), "caps",
                                                 json_object_get(infos[i], "caps"), "preload",
                                                 json_object_get(infos[i], "preload")));
        json_object_set_new(run, "adapters", ads);
        json_object_set_new(run, "results", json_array());
    } else {
        snprintf(dir, sizeof dir, "%s", resume);
        char sub[PATH_MAX + 16];
        snprintf(sub, sizeof sub, "%s/raw", dir);
        hb_mkdir_p(sub);
        snprintf(sub, sizeof sub, "%s/logs", dir);
        hb_mkdir_p(sub);
        json_t *meta = json_object_get(run, "meta");
        json_object_set_new(meta, "status", json_string("running"));
        json_t *resumes = json_object_get(meta, "resumed");
        if (!json_is_array(resumes)) json_object_set_new(meta, "resumed", resumes = json_array());
        char ts[64];
        hb_time_iso(ts, sizeof ts);
        json_array_append_new(resumes, json_pack("{s:s,s:s}", "time", ts, "command_line", cmdline));
    }
    json_t *meta = json_object_get(run, "meta");
    json_object_set_new(meta, "cells_planned", json_integer(ncells));
    json_t *results = json_object_get(run, "results");
    if (hb_run_save(dir, run, err, sizeof err) != 0) return hb_die("run", "%s", err);

    json_t *warn;
    size_t wi;
    json_array_foreach(json_object_get(meta, "warnings"), wi, warn) fprintf(stderr, "heapbench run: warning: %s\n",
                                                                          json_string_value(warn));
    /* Cells already recorded (resume) are skipped. */
    json_t *done = json_object();
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        const char *id = json_string_value(json_object_get(rec, "id"));
        if (id) json_object_set_new(done, id, json_true());
    }
    long pending = 0;
    for (long k = 0; k < ncells; k++) pending += !json_object_get(done, cells[k].id);
    int tty = hb_isatty_stderr();
    if (!tty) fprintf(stderr, "heapbench run: %ld cells (%ld to run) -> %s\n", ncells, pending, dir);
    hb_child_install_signal_forwarding();
    double t0 = hb_now_s();
    long ran = 0, bad = 0;
    int rc = HB_EXIT_OK;
    for (long k = 0; k < ncells; k++) {
        if (json_object_get(done, cells[k].id)) continue;
        if (tty) {
            char el[32], eta[32];
            double e = hb_now_s() - t0;
            fmt_dur(e, el, sizeof el);
            fmt_dur(ran ? e / (double)ran * (double)(pending - ran) : -1, eta, sizeof eta);
            fprintf(stderr, "\r\033[K[%ld/%ld] %s %s%s  elapsed %s, about %s left", ran + 1, pending, cells[k].adapter,
                    cells[k].workload, cells[k].gogc >= 0 ? " (gogc)" : "", el, eta);
        }
        json_t *r = run_cell(&c, &cells[k], dir);
        if (hb_child_interrupted()) {
            json_decref(r); /* the interrupted cell is redone by --resume */
            rc = 130;
            break;
        }
        const char *st = json_string_value(json_object_get(r, "status"));
        if (strcmp(st, "ok")) {
            bad++;
            if (tty) fputs("\r\033[K", stderr);
            fprintf(stderr, "heapbench run: %s: %s%s%s\n", cells[k].id, st,
                    json_object_get(r, "message") ? ": " : "", json_string_value(json_object_get(r, "message")) ?: "");
        }
        json_array_append_new(results, r);
        json_object_set_new(done, cells[k].id, json_true());
        ran++;
        if (hb_run_save(dir, run, err, sizeof err) != 0) {
            fprintf(stderr, "heapbench run: %s\n", err);
            rc = HB_EXIT_USAGE;
            break;
        }
    }
    if (tty) fputs("\r\033[K", stderr);
    char ts[64];
    hb_time_iso(ts, sizeof ts);
    json_object_set_new(meta, "end_time", json_string(ts));
    json_object_set_new(meta, "status", json_string(rc == 0 ? "complete" : "interrupted"));
    if (hb_run_save(dir, run, err, sizeof err) != 0) {
        fprintf(stderr, "heapbench run: %s\n", err);
        rc = HB_EXIT_USAGE;
    }
    if (rc == 0) {
        if (default_out) link_latest(hb_results_root(), dir);
        if (hb_history_index(run, dir, err, sizeof err) != 0)
            fprintf(stderr, "heapbench run: warning: not indexed in history: %s\n", err);
        if (c.export_fmt && hb_export_bmf_file(run, dir, err, sizeof err) != 0)
            fprintf(stderr, "heapbench run: %s\n", err);
        fprintf(stderr, "heapbench run: %ld cells run in %.0f s, %ld not ok; results in %s\n", ran,
                hb_now_s() - t0, bad, dir);
    } else if (rc == 130) {
        fprintf(stderr, "heapbench run: interrupted; %ld cells kept in %s (heapbench run --resume %s)\n", ran, dir,
                dir);
    }
    json_decref(done);
    for (size_t k = 0; k < c.adapters.n; k++) json_decref(infos[k]);
    free(infos);
    free(cells);
    free(cmdline);
    json_decref(run);
    return rc;
}
