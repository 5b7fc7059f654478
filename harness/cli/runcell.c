/*
 * runcell.c — run one cell of `heapbench run` and record it (see
 * runcell.h): plan its command line → execute it under the child runner →
 * classify the child's end → record measurements and files.
 */
#define _GNU_SOURCE
#include "runcell.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heapbench/exitcodes.h"
#include "anatomy.h"
#include "adapter_resolve.h"
#include "child.h"
#include "results.h"
#include "util.h"

typedef struct cell_paths {
    char raw[PATH_MAX + 512], log[PATH_MAX + 512], rss[PATH_MAX + 512], gcev[PATH_MAX + 512];
} cell_paths;

int cli_cell_status_fails(const char *status) {
    return status && strcmp(status, "ok") != 0 && strcmp(status, "unsupported") != 0;
}

/* The RSS samples "t_ns rss_bytes" -> [[t_s, bytes], ...], at most 400
 * (the peak of each bucket); the largest sample in *max_bytes. */
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
            double m = 0;
            for (size_t k = i; k < i + step && k < n; k++) m = b[k] > m ? b[k] : m;
            json_array_append_new(a, json_pack("[f,f]", t[i], m));
        }
        for (size_t i = 0; i < n; i++) *max_bytes = b[i] > *max_bytes ? b[i] : *max_bytes;
    }
    free(t);
    free(b);
    return a;
}

/* The last 400 bytes of the cell's log, trailing blanks trimmed. */
static char *log_tail(const char *path) {
    size_t len = 0;
    char *s = cli_read_file(path, &len);
    if (!s) return strdup("");
    size_t keep = 400;
    char *tail = strdup(len > keep ? s + len - keep : s);
    free(s);
    size_t l = strlen(tail);
    while (l && (tail[l - 1] == '\n' || tail[l - 1] == ' ')) tail[--l] = 0;
    return tail;
}

static void push_fmt(cli_strv *v, char *s) {
    cli_strv_push(v, s);
    free(s);
}

/* A parameter's value under the preset: "quick"/"full" from the parameter,
 * another preset's from the workload's "preset_params" in info (resolved
 * by the child), else the quick value (a preset leaves unlisted params at
 * quick). */
static long long preset_value(json_t *wl, json_t *p, const char *preset) {
    const char *name = json_string_value(json_object_get(p, "name"));
    json_t *v = json_object_get(p, preset);
    if (!json_is_integer(v) && name)
        v = json_object_get(json_object_get(json_object_get(wl, "preset_params"), preset), name);
    return (long long)json_integer_value(json_is_integer(v) ? v : json_object_get(p, "quick"));
}

/* rec's identity and effective parameters (the preset's values, then the
 * overrides); the overrides also go onto the child's command line. */
static void cell_params(const cli_run_config *c, const cli_cell *cell, json_t *rec, cli_strv *args) {
    json_t *params = json_object(), *overrides = json_object(), *p;
    size_t i;
    json_array_foreach(json_object_get(cell->wl, "params"), i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        long long v = preset_value(cell->wl, p, c->preset), x;
        for (size_t k = 0; k < c->params.n; k++) {
            size_t nl = strcspn(c->params.v[k], "=");
            if (strlen(name) == nl && !strncmp(c->params.v[k], name, nl) &&
                hb_parse_int(c->params.v[k] + nl + 1, &x) == 0) {
                v = x;
                json_object_set_new(overrides, name, json_integer(x));
                cli_strv_push(args, "--param");
                cli_strv_push(args, c->params.v[k]);
            }
        }
        if (!strcmp(name, "threads") && cell->threads >= 0) {
            v = cell->threads;
            cli_strv_push(args, "--param");
            push_fmt(args, cli_fmt("threads=%lld", v));
        }
        json_object_set_new(params, name, json_integer(v));
    }
    json_t *th = json_object_get(params, "threads");
    json_object_set_new(rec, "threads", json_is_integer(th) ? json_copy(th) : json_integer(1));
    json_object_set_new(rec, "params", params);
    json_object_set_new(rec, "overrides", overrides);
    json_object_set_new(rec, "gogc", cell->gogc >= 0 ? json_integer(cell->gogc) : json_null());
}

static json_t *cell_record(const cli_run_config *c, const cli_cell *cell, cli_strv *args) {
    json_t *rec = json_object();
    json_object_set_new(rec, "id", json_string(cell->id));
    json_object_set_new(rec, "adapter", json_string(cell->adapter));
    json_object_set_new(rec, "workload", json_string(cell->workload));
    const char *slash = strchr(cell->workload, '/');
    json_object_set_new(rec, "category",
                        cell->wl ? json_copy(json_object_get(cell->wl, "category"))
                                 : json_stringn(cell->workload, slash ? (size_t)(slash - cell->workload) : 0));
    cell_params(c, cell, rec, args);
    return rec;
}

/* Marks rec unsupported when the adapter lacks the workload or cannot run it. */
static int cell_unsupported(const cli_cell *cell, json_t *rec) {
    if (cell->wl && json_is_true(json_object_get(cell->wl, "supported"))) return 0;
    json_object_set_new(rec, "status", json_string("unsupported"));
    if (!cell->wl)
        json_object_set_new(rec, "message", json_string("this adapter's executable lacks the workload"));
    else
        json_object_set(rec, "message", json_object_get(cell->wl, "unsupported_reason"));
    return 1;
}

/* The rest of the child's command line: GOGC and Google Benchmark's flags.
 * Repetitions and minimum time are passed only when given (--repetitions,
 * --min-time): otherwise a child that applies its presets' measurement
 * policy (its info has "preset_repetitions") chooses them, and an older
 * one gets the former defaults (5; quick 0.05 s, full 0.5 s). */
static void cell_argv(const cli_run_config *c, const cli_cell *cell, const cell_paths *fp, cli_strv *args) {
    int policy = json_is_object(json_object_get(cell->wl, "preset_repetitions"));
    int reps = c->repetitions > 0 ? c->repetitions : policy ? 0 : 5;
    double min_time = c->min_time_s > 0 ? c->min_time_s : policy ? 0 : strcmp(c->preset, "full") ? 0.05 : 0.5;
    if (cell->gogc >= 0) {
        cli_strv_push(args, "--gogc");
        push_fmt(args, cli_fmt("%lld", cell->gogc));
    }
    push_fmt(args, cli_fmt("--benchmark_out=%s", fp->raw));
    cli_strv_push(args, "--benchmark_out_format=json");
    if (reps > 0) push_fmt(args, cli_fmt("--benchmark_repetitions=%d", reps));
    if (min_time > 0) push_fmt(args, cli_fmt("--benchmark_min_time=%g", min_time));
    /* A warm-up before the first repetition: the first one is otherwise
     * often slower (page faults, frequency ramp). */
    push_fmt(args, cli_fmt("--benchmark_min_warmup_time=%g", min_time > 0 ? min_time / 2 : 0.1));
}

/* The cell's status from how the child ended; *msg says why when not ok. */
static const char *cell_status(const cli_run_config *c, int started, const cli_child_result *r, const cell_paths *fp,
                               const char *exe, json_t *rec, char **msg) {
    if (!started) {
        *msg = cli_fmt("could not start %s: %s", exe, strerror(r->exit_code));
        return "error";
    }
    if (r->end == CLI_CHILD_TIMEOUT) {
        *msg = cli_fmt("killed after the %g s timeout", c->timeout_s);
        return "timeout";
    }
    if (r->end == CLI_CHILD_EXITED && r->exit_code == HB_CHILD_OK) return "ok";
    char *t = log_tail(fp->log);
    const char *status;
    if (r->end == CLI_CHILD_SIGNALED) {
        status = "crashed";
        *msg = cli_fmt("killed by signal %d (%s): %s", r->signal, strsignal(r->signal), t);
        json_object_set_new(rec, "signal", json_integer(r->signal));
    } else {
        status = hb_child_status_name(r->exit_code);
        *msg = cli_fmt("exit status %d (%s): %s", r->exit_code, status, t);
    }
    free(t);
    return status;
}

static void cell_measurements(json_t *rec, const cli_child_result *r) {
    json_object_set_new(rec, "exit_code", r->end == CLI_CHILD_EXITED ? json_integer(r->exit_code) : json_null());
    json_object_set_new(rec, "wall_s", json_real(r->wall_s));
    json_object_set_new(rec, "peak_rss_bytes", json_integer(r->peak_rss_bytes));
    json_object_set_new(rec, "minor_faults", json_integer(r->ru.ru_minflt));
    json_object_set_new(rec, "major_faults", json_integer(r->ru.ru_majflt));
    json_object_set_new(rec, "user_cpu_s",
                        json_real((double)r->ru.ru_utime.tv_sec + (double)r->ru.ru_utime.tv_usec * 1e-6));
    json_object_set_new(rec, "sys_cpu_s",
                        json_real((double)r->ru.ru_stime.tv_sec + (double)r->ru.ru_stime.tv_usec * 1e-6));
    json_object_set_new(rec, "voluntary_ctx_switches", json_integer(r->ru.ru_nvcsw));
    json_object_set_new(rec, "involuntary_ctx_switches", json_integer(r->ru.ru_nivcsw));
}

/* Counters from the parent's RSS samples, and the cell's files (relative). */
static void cell_outputs(json_t *rec, const cell_paths *fp) {
    if (!json_object_get(rec, "repetitions")) json_object_set_new(rec, "repetitions", json_integer(0));
    json_t *counters = json_object_get(rec, "counters");
    if (!counters) json_object_set_new(rec, "counters", counters = json_object());
    double rss_max = 0;
    json_t *tl = read_rss(fp->rss, &rss_max);
    if (tl) {
        json_object_set_new(counters, "rss_timeline", tl);
        json_object_set_new(counters, "rss_sampled_max_bytes", json_real(rss_max));
    }
    if (cli_is_file(fp->raw)) json_object_set_new(rec, "raw", json_string(strrchr(fp->raw, '/') - 3));
    json_object_set_new(rec, "log", json_string(strrchr(fp->log, '/') - 4));
    struct stat st;
    if (stat(fp->gcev, &st) == 0 && st.st_size > 0)
        json_object_set_new(rec, "gc_events", json_string(strrchr(fp->gcev, '/') - 3));
    else
        unlink(fp->gcev);
    if (cli_is_file(fp->rss)) json_object_set_new(rec, "rss_samples", json_string(strrchr(fp->rss, '/') - 3));
}

/* Executes the planned child and fills rec from how it ended. */
static void cell_execute(const cli_run_config *c, const char *exe, cli_strv *args, const cell_paths *fp, json_t *rec) {
    cli_strv env = {0};
    push_fmt(&env, cli_fmt("HB_GC_EVENTS_OUT=%s", fp->gcev));
    if (c->latency) cli_strv_push(&env, "HB_LATENCY=1");
    const char *const *pre = cli_adapter_env(json_string_value(json_object_get(rec, "adapter")));
    for (size_t i = 0; pre && pre[i]; i++) cli_strv_push(&env, pre[i]);
    cli_child_opts o = {.argv = (const char *const *)args->v,
                       .env_add = (const char *const *)env.v,
                       .stdout_path = fp->log,
                       .stderr_path = fp->log,
                       .timeout_s = c->timeout_s,
                       .cpus = c->pin,
                       .rss_sample_ms = c->rss_sample_ms,
                       .rss_out = c->rss_sample_ms > 0 ? fp->rss : NULL};
    cli_child_result r;
    int started = cli_child_run(&o, &r) == 0;
    char *msg = NULL, err[1024];
    const char *status = cell_status(c, started, &r, fp, exe, rec, &msg);
    if (started) cell_measurements(rec, &r);
    if (!strcmp(status, "ok") && cli_gb_extract(fp->raw, rec, err, sizeof err) != 0) {
        status = "error";
        msg = cli_fmt("exit 0 but no usable Google Benchmark output: %s", err);
    }
    json_object_set_new(rec, "status", json_string(status));
    if (msg) json_object_set_new(rec, "message", json_string(msg));
    free(msg);
    cli_strv_free(&env);
}

json_t *cli_cell_run(const cli_run_config *c, const cli_cell *cell, const char *dir) {
    cli_strv args = {0};
    char exe[PATH_MAX];
    cli_adapter_exe(cell->adapter, exe, sizeof exe);
    cli_strv_push(&args, exe);
    cli_strv_push(&args, "bench");
    cli_strv_push(&args, "--workload");
    cli_strv_push(&args, cell->workload);
    cli_strv_push(&args, "--preset");
    cli_strv_push(&args, c->preset);
    json_t *rec = cell_record(c, cell, &args);
    if (cell_unsupported(cell, rec)) {
        cli_strv_free(&args);
        return rec;
    }
    cell_paths fp;
    snprintf(fp.raw, sizeof fp.raw, "%s/raw/%s.json", dir, cell->id);
    snprintf(fp.log, sizeof fp.log, "%s/logs/%s.log", dir, cell->id);
    snprintf(fp.rss, sizeof fp.rss, "%s/raw/%s.rss", dir, cell->id);
    snprintf(fp.gcev, sizeof fp.gcev, "%s/raw/%s.gcev", dir, cell->id);
    unlink(fp.raw), unlink(fp.rss), unlink(fp.gcev); /* from an interrupted attempt */
    cli_strv an_args = {0}; /* --anatomy: the same cell, untimed (docs/anatomy.md) */
    for (size_t i = 0; c->anatomy && i < args.n; i++) cli_strv_push(&an_args, args.v[i]);
    cell_argv(c, cell, &fp, &args);
    cell_execute(c, exe, &args, &fp, rec);
    cell_outputs(rec, &fp);
    if (c->anatomy && !strcmp(json_string_value(json_object_get(rec, "status")), "ok"))
        cli_an_run_cell(c, cell->id, &an_args, cell->gogc, dir, rec);
    cli_strv_free(&an_args);
    cli_strv_free(&args);
    return rec;
}
