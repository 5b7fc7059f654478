/*
 * cmd_run.c — `heapbench run`: run workloads over adapters, one child
 * process per cell, and keep every result as soon as it exists.
 *
 * parse (the option table) → plan (ask each adapter what it is, expand and
 * validate the cells, take the output folder's lock) → execute (one child
 * per cell, runcell.c; run.json, results.csv and report.md rewritten
 * atomically after each, so a run killed half-way keeps what it measured
 * and `--resume DIR` runs only the cells not yet recorded) → report.
 *
 * Exit status: 0 every cell ok or unsupported; 1 some cell crashed, timed
 * out, failed validation or its selfcheck, or errored; 2 bad usage or bad
 * input, before any cell runs (or results that could not be written);
 * 130 interrupted. Output layout and schema: docs/results-format.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapter_resolve.h"
#include "child.h"
#include "cli.h"
#include "env.h"
#include "export.h"
#include "history.h"
#include "opts.h"
#include "probe.h"
#include "results.h"
#include "runcell.h"
#include "rundir.h"
#include "runplan.h"
#include "util.h"

enum {
    OPT_ADAPTERS = CLI_OPT_LONG_ONLY, OPT_WORKLOADS, OPT_WORKLOAD, OPT_PRESET, OPT_THREADS, OPT_PARAM,
    OPT_REPETITIONS, OPT_MIN_TIME, OPT_TIMEOUT, OPT_GOGC, OPT_LATENCY, OPT_RSS_MS, OPT_PIN, OPT_BASELINE,
    OPT_EXPORT, OPT_OUT, OPT_RESUME, OPT_SHARD,
    OPT_ANATOMY, /* docs/anatomy.md */
};

static const cli_opt run_opts[] = {
    {"adapters", OPT_ADAPTERS, "A,B", "adapters (default: every one built)"},
    {"workloads", OPT_WORKLOADS, "W,GLOB", "names or globs such as 'concurrent/*' (default: all)"},
    {"workload", OPT_WORKLOAD, "W,GLOB", "the same as --workloads"},
    {"preset", OPT_PRESET, "NAME", "parameter preset: quick (default), full, or one the workloads list"},
    {"threads", OPT_THREADS, "1,2,4", "thread counts for workloads with a 'threads' parameter"},
    {"param", OPT_PARAM, "NAME=VALUE", "override a workload parameter (repeatable; K/M/G suffixes)"},
    {"repetitions", OPT_REPETITIONS, "N", "repetitions per cell, 1..1000 (default: the preset's)"},
    {"min-time", OPT_MIN_TIME, "S", "minimum seconds per repetition (default: the preset's)"},
    {"timeout", OPT_TIMEOUT, "S", "seconds per cell before it is killed (default 300)"},
    {"gogc", OPT_GOGC, "25,50,...", "GOGC sweep for collected adapters with cap 'gogc'"},
    {"latency", OPT_LATENCY, NULL, "sample allocation latency (counters alloc_p50_ns ...)"},
    {"anatomy", OPT_ANATOMY, NULL, "after each ok cell, an untimed child samples its memory classes (heapbench explain)"},
    {"rss-sample-ms", OPT_RSS_MS, "MS", "RSS timeline period, sampled by heapbench (default 10; 0: off)"},
    {"pin", OPT_PIN, "CPUS", "pin each child to CPUs ('0-3,6')"},
    {"baseline", OPT_BASELINE, "A", "adapter the report normalizes to (default system)"},
    {"export", OPT_EXPORT, "bmf", "also write bmf.json (Bencher Metric Format)"},
    {"out", OPT_OUT, "DIR", "output folder (default <results>/<date>-<time>-<commit>[-N])"},
    {"resume", OPT_RESUME, "DIR", "finish an interrupted run in DIR"},
    {"shard", OPT_SHARD, "K/N", "run only slice K of N of the planned cells (heapbench merge joins them)"},
    {0},
};

const cli_cmd_spec cmd_run_spec = {
    .name = "run",
    .synopsis = "[options]",
    .summary = "run workloads over adapters, one child per cell",
    .opts = run_opts,
    .epilog = "<results> is $HB_RESULTS_DIR, else <repo>/results (./results for an installed\n"
              "heapbench). A run holds a lock on its folder: a second run into it, or\n"
              "--resume of it, is refused while it goes.\n"
              "Every --param/--threads value is checked against the range each selected\n"
              "workload declares (heapbench list --format json shows them) before any\n"
              "cell runs.\n"
              "--shard K/N keeps the cells whose place in the plan is K-1 modulo N: the\n"
              "same command with K = 1..N on N machines runs every cell once; then\n"
              "heapbench merge OUT DIR... (docs/distributed.md).\n"
              "Exit status: 0 all cells ok or unsupported; 1 a cell crashed, timed out,\n"
              "failed validation or its selfcheck, or errored; 2 bad usage; 130 interrupted.\n",
    .stop_at_operand = 0,
};

typedef struct run_args {
    cli_run_config c;
    const char *out, *resume, *adapters;
} run_args;

/* Everything a run holds between plan, execute and report. */
typedef struct run_state {
    json_t **infos, *run;
    json_t *plan_ids; /* --shard: every cell id of the whole plan */
    cli_cell *cells;
    long ncells, ran, bad;
    int lock_fd, default_out;
    char dir[PATH_MAX];
    char *cmdline;
} run_state;

static int bad_list(int key, const char *arg, long long min) {
    cli_strv v = {0};
    long long x;
    int ok = 1;
    cli_split(arg, ',', &v);
    for (size_t i = 0; i < v.n && ok; i++) ok = hb_parse_int(v.v[i], &x) == 0 && x >= min;
    ok = ok && v.n > 0;
    cli_strv_free(&v);
    return ok ? 0 : cli_opts_bad(&cmd_run_spec, key, "takes a list of integers >= %lld, not '%s'", min, arg);
}

static int on_number(run_args *a, int key, const char *arg) {
    long long x;
    char *end;
    double d;
    switch (key) {
    case OPT_REPETITIONS:
        if (hb_parse_int(arg, &x) || x < 1 || x > 1000) return cli_opts_bad(&cmd_run_spec, key, "takes an integer 1..1000, not '%s'", arg);
        a->c.repetitions = (int)x;
        return 0;
    case OPT_RSS_MS:
        if (hb_parse_int(arg, &x) || x < 0 || x > 60000) return cli_opts_bad(&cmd_run_spec, key, "takes milliseconds 0..60000, not '%s'", arg);
        a->c.rss_sample_ms = (int)x;
        return 0;
    default: /* --timeout, --min-time */
        d = strtod(arg, &end);
        if (end == arg || *end || !(d > 0) || !isfinite(d)) return cli_opts_bad(&cmd_run_spec, key, "takes a positive number of seconds, not '%s'", arg);
        *(key == OPT_TIMEOUT ? &a->c.timeout_s : &a->c.min_time_s) = d;
        return 0;
    }
}

static int on_opt(void *ctx, int key, const char *arg) {
    run_args *a = ctx;
    long long x;
    const char *eq;
    switch (key) {
    case OPT_ADAPTERS: a->adapters = arg; return 0;
    case OPT_WORKLOADS: case OPT_WORKLOAD: cli_split(arg, ',', &a->c.workloads); return 0;
    case OPT_PRESET: a->c.preset = arg; return 0;
    case OPT_THREADS: return bad_list(key, arg, LLONG_MIN) || (cli_split(arg, ',', &a->c.threads), 0);
    case OPT_GOGC: return bad_list(key, arg, 0) || (cli_split(arg, ',', &a->c.gogc), 0);
    case OPT_PARAM:
        eq = strchr(arg, '=');
        if (!eq || eq == arg || hb_parse_int(eq + 1, &x))
            return cli_opts_bad(&cmd_run_spec, key, "takes NAME=INTEGER (K/M/G suffixes allowed), not '%s'", arg);
        cli_strv_push(&a->c.params, arg);
        return 0;
    case OPT_LATENCY: a->c.latency = 1; return 0;
    case OPT_ANATOMY: a->c.anatomy = 1; return 0;
    case OPT_PIN:
        if (!cli_cpulist_valid(arg)) return cli_opts_bad(&cmd_run_spec, key, "takes a CPU list such as 0-3,6, not '%s'", arg);
        a->c.pin = arg;
        return 0;
    case OPT_BASELINE: a->c.baseline = arg; return 0;
    case OPT_EXPORT:
        if (strcmp(arg, "bmf")) return cli_opts_bad(&cmd_run_spec, key, "takes bmf, not '%s'", arg);
        a->c.export_fmt = arg;
        return 0;
    case OPT_OUT: a->out = arg; return 0;
    case OPT_RESUME: a->resume = arg; return 0;
    case OPT_SHARD:
        if (cli_shard_parse(arg, &a->c.shard_k, &a->c.shard_n))
            return cli_opts_bad(&cmd_run_spec, key, "takes K/N with 1 <= K <= N, not '%s'", arg);
        return 0;
    default: return on_number(a, key, arg);
    }
}

/* parse: the option table, then what needs the whole command line. */
static int parse_args(int argc, char **argv, run_args *a) {
    int first;
    int rc = cli_opts_parse(&cmd_run_spec, argc, argv, on_opt, a, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? -1 : CLI_EXIT_USAGE;
    if (first < argc) return cli_error("run", "unexpected argument '%s' (heapbench help run)", argv[first]);
    if (a->resume && a->out) return cli_error("run", "--resume DIR writes into DIR; --out cannot be given with it");
    if (a->resume) return CLI_EXIT_OK;
    cli_split(a->adapters ? a->adapters : cli_adapters_built(), ',', &a->c.adapters);
    if (a->c.adapters.n == 0) return cli_error("run", "--adapters is empty");
    return CLI_EXIT_OK;
}

/* --resume: lock DIR (when it holds a run), then read its configuration
 * from run.json. */
static int plan_resume(run_args *a, run_state *s) {
    char err[2048], runjson[PATH_MAX + 16];
    snprintf(runjson, sizeof runjson, "%s/run.json", a->resume);
    if (cli_is_file(runjson) && (s->lock_fd = cli_rundir_lock(a->resume, err, sizeof err)) < 0)
        return cli_error("run", "--resume: %s", err);
    s->run = cli_run_load(a->resume, err, sizeof err);
    if (!s->run) return cli_error("run", "--resume: %s", err);
    json_t *meta = json_object_get(s->run, "meta");
    if (cli_config_from_json(json_object_get(meta, "config"), &a->c, err, sizeof err))
        return cli_error("run", "--resume %s/run.json: %s", a->resume, err);
    snprintf(s->dir, sizeof s->dir, "%s", a->resume);
    return CLI_EXIT_OK;
}

/* --resume: a NAME=PATH library must still be the build the run began with
 * (its sha256 in run.json), or the run would mix two builds under one name. */
static int check_same_libraries(json_t *run) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(run, "adapters"), i, a) {
        const char *name = json_string_value(json_object_get(a, "name"));
        const char *was = json_string_value(json_object_get(json_object_get(a, "library"), "sha256"));
        json_t *id = name ? cli_adapter_identity(name) : NULL;
        const char *now = json_string_value(json_object_get(id, "sha256"));
        if (was && now && strcmp(was, now))
            return cli_error("run", "--resume: %s: the library changed since the run began (sha256 %.12s → %.12s); "
                          "start a new run to measure the new build", cli_adapter_arg(name), was, now);
    }
    return CLI_EXIT_OK;
}

/* Asks every adapter what it is, before anything is written. */
static int probe_adapters(cli_run_config *c, run_state *s) {
    char err[2048];
    int rc = cli_adapters_resolve("run", &c->adapters);
    if (rc == CLI_EXIT_OK && s->run) rc = check_same_libraries(s->run);
    if (rc != CLI_EXIT_OK) return rc;
    s->infos = calloc(c->adapters.n, sizeof *s->infos);
    for (size_t i = 0; i < c->adapters.n; i++) {
        const char *name = c->adapters.v[i];
        if (strchr(name, '/')) return cli_error("run", "adapter '%s': bad name", name);
        if (!(s->infos[i] = cli_probe_info(name, err, sizeof err))) {
            if (strstr(err, "no executable"))
                return cli_error("run", "unknown adapter '%s' (built: %s)", name, cli_adapters_built());
            return cli_error("run", "adapter '%s': %s", name, err);
        }
    }
    return CLI_EXIT_OK;
}

/* A new run's folder: --out DIR or a fresh default one, locked. */
static int open_new_dir(run_args *a, run_state *s) {
    char err[2048];
    s->default_out = !a->out;
    if (a->out) snprintf(s->dir, sizeof s->dir, "%s", a->out);
    else if (cli_rundir_create_default(cli_results_root(), s->dir, sizeof s->dir, err, sizeof err) != 0)
        return cli_error("run", "%s", err);
    if ((s->lock_fd = cli_rundir_lock(s->dir, err, sizeof err)) < 0) return cli_error("run", "%s", err);
    char probe[PATH_MAX + 16];
    snprintf(probe, sizeof probe, "%s/run.json", s->dir);
    if (cli_is_file(probe))
        return cli_error("run", "--out %s already holds a run (run.json); use --resume %s or another folder", s->dir,
                      s->dir);
    return CLI_EXIT_OK;
}

/* A new run.json document: meta (environment, config) and the adapters. */
static json_t *new_run_doc(const cli_run_config *c, json_t **infos, const char *cmdline) {
    json_t *run = json_object(), *meta = json_object(), *ads = json_array();
    char ts[64];
    cli_time_iso(ts, sizeof ts);
    json_object_set_new(run, "schema", json_string(CLI_RUN_SCHEMA));
    json_object_set_new(meta, "start_time", json_string(ts));
    json_object_set_new(meta, "end_time", json_null());
    json_object_set_new(meta, "status", json_string("running"));
    json_object_set_new(meta, "preset", json_string(c->preset));
    json_object_set_new(meta, "command_line", json_string(cmdline));
    json_object_set_new(meta, "warnings", json_array());
    cli_env_capture(meta);
    json_t *config = cli_config_to_json(c), *names = json_array();
    for (size_t i = 0; i < c->adapters.n; i++) /* NAME=PATH again, for --resume */
        json_array_append_new(names, json_string(cli_adapter_arg(c->adapters.v[i])));
    json_object_set_new(config, "adapters", names);
    json_object_set_new(meta, "config", config);
    json_object_set_new(run, "meta", meta);
    for (size_t i = 0; i < c->adapters.n; i++)
        json_array_append_new(ads, json_pack("{s:O,s:O,s:O,s:O,s:O}", "name", json_object_get(infos[i], "name"),
                                             "version", json_object_get(infos[i], "version"), "kind",
                                             json_object_get(infos[i], "kind"), "caps",
                                             json_object_get(infos[i], "caps"), "preload",
                                             json_object_get(infos[i], "preload")));
    for (size_t i = 0; i < c->adapters.n; i++) /* a NAME=PATH library's identity */
        if (cli_adapter_identity(c->adapters.v[i]))
            json_object_set(json_array_get(ads, i), "library", cli_adapter_identity(c->adapters.v[i]));
    json_object_set_new(run, "adapters", ads);
    json_object_set_new(run, "results", json_array());
    return run;
}

static void mark_resumed(json_t *run, const char *cmdline) {
    json_t *meta = json_object_get(run, "meta");
    json_object_set_new(meta, "status", json_string("running"));
    json_t *resumes = json_object_get(meta, "resumed");
    if (!json_is_array(resumes)) json_object_set_new(meta, "resumed", resumes = json_array());
    char ts[64];
    cli_time_iso(ts, sizeof ts);
    json_array_append_new(resumes, json_pack("{s:s,s:s}", "time", ts, "command_line", cmdline));
}

/* --shard: the whole plan's cell ids (heapbench merge checks the union
 * against them), then only this slice's cells. */
static void shard_plan(const cli_run_config *c, run_state *s) {
    if (c->shard_n == 0) return;
    s->plan_ids = json_array();
    for (long k = 0; k < s->ncells; k++) json_array_append_new(s->plan_ids, json_string(s->cells[k].id));
    s->ncells = cli_plan_shard(s->cells, s->ncells, c->shard_k, c->shard_n);
}

/* plan: configuration → adapters' info → validated cells → locked folder
 * with a run.json saying "running". Nothing is written before the cells
 * are known to be valid (except the lock of a folder being resumed). */
static int plan_run(run_args *a, run_state *s) {
    char err[2048], sub[PATH_MAX + 16];
    int rc = a->resume ? plan_resume(a, s) : CLI_EXIT_OK;
    if (rc == CLI_EXIT_OK) rc = probe_adapters(&a->c, s);
    if (rc != CLI_EXIT_OK) return rc;
    if ((s->ncells = cli_plan_cells(&a->c, s->infos, &s->cells, err, sizeof err)) < 0) return cli_error("run", "%s", err);
    shard_plan(&a->c, s);
    if (!a->resume && (rc = open_new_dir(a, s)) != CLI_EXIT_OK) return rc;
    snprintf(sub, sizeof sub, "%s/raw", s->dir);
    if (cli_mkdir_p(sub) != 0) return cli_error("run", "cannot create the output folder %s: %s", sub, strerror(errno));
    snprintf(sub, sizeof sub, "%s/logs", s->dir);
    if (cli_mkdir_p(sub) != 0) return cli_error("run", "cannot create the output folder %s: %s", sub, strerror(errno));
    if (a->resume) mark_resumed(s->run, s->cmdline);
    else s->run = new_run_doc(&a->c, s->infos, s->cmdline);
    json_object_set_new(json_object_get(s->run, "meta"), "cells_planned", json_integer(s->ncells));
    if (s->plan_ids) json_object_set(json_object_get(s->run, "meta"), "plan_cells", s->plan_ids);
    if (cli_run_save(s->dir, s->run, err, sizeof err) != 0) return cli_error("run", "%s", err);
    return CLI_EXIT_OK;
}

static void fmt_dur(double s, char *buf, size_t len) {
    if (s < 0 || !isfinite(s)) snprintf(buf, len, "?");
    else if (s < 60) snprintf(buf, len, "%.0fs", s);
    else if (s < 3600) snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
    else snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

static void progress(const cli_cell *cell, long ran, long pending, double t0) {
    char el[32], eta[32];
    double e = cli_now_s() - t0;
    fmt_dur(e, el, sizeof el);
    fmt_dur(ran ? e / (double)ran * (double)(pending - ran) : -1, eta, sizeof eta);
    fprintf(stderr, "\r\033[K[%ld/%ld] %s %s%s  elapsed %s, about %s left", ran + 1, pending, cell->adapter,
            cell->workload, cell->gogc >= 0 ? " (gogc)" : "", el, eta);
}

/* The ids of the cells already recorded (a resumed run skips them). */
static json_t *recorded_ids(json_t *results) {
    json_t *done = json_object(), *rec;
    size_t i;
    json_array_foreach(results, i, rec) {
        const char *id = json_string_value(json_object_get(rec, "id"));
        if (id) json_object_set_new(done, id, json_true());
    }
    return done;
}

/* Records one finished cell; says so on stderr when it is not ok. */
static void record_cell(run_state *s, const cli_cell *cell, json_t *r, int tty) {
    const char *st = json_string_value(json_object_get(r, "status"));
    const char *msg = json_string_value(json_object_get(r, "message"));
    if (strcmp(st, "ok")) {
        s->bad++;
        if (tty) fputs("\r\033[K", stderr);
        fprintf(stderr, "heapbench run: %s: %s%s%s\n", cell->id, st, msg ? ": " : "", msg ? msg : "");
    }
    json_array_append_new(json_object_get(s->run, "results"), r);
    s->ran++;
}

/* execute: every cell not yet recorded, saving after each. Returns 0, 130
 * when interrupted, 2 when the results could not be saved. */
static int execute_run(const cli_run_config *c, run_state *s) {
    char err[2048];
    json_t *done = recorded_ids(json_object_get(s->run, "results")), *warn;
    size_t wi;
    json_array_foreach(json_object_get(json_object_get(s->run, "meta"), "warnings"), wi, warn)
        fprintf(stderr, "heapbench run: warning: %s\n", json_string_value(warn));
    long pending = 0;
    for (long k = 0; k < s->ncells; k++) pending += !json_object_get(done, s->cells[k].id);
    int tty = cli_isatty_stderr(), rc = CLI_EXIT_OK;
    if (!tty) fprintf(stderr, "heapbench run: %ld cells (%ld to run) -> %s\n", s->ncells, pending, s->dir);
    cli_child_install_signal_forwarding();
    double t0 = cli_now_s();
    for (long k = 0; k < s->ncells && rc == CLI_EXIT_OK; k++) {
        if (json_object_get(done, s->cells[k].id)) continue;
        if (tty) progress(&s->cells[k], s->ran, pending, t0);
        json_t *r = cli_cell_run(c, &s->cells[k], s->dir);
        if (cli_child_interrupted()) {
            json_decref(r); /* the interrupted cell is redone by --resume */
            rc = 130;
            break;
        }
        record_cell(s, &s->cells[k], r, tty);
        if (cli_run_save(s->dir, s->run, err, sizeof err) != 0) rc = cli_error("run", "%s", err);
    }
    if (tty) fputs("\r\033[K", stderr);
    json_decref(done);
    return rc;
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

/* The cells of the whole run (resumed ones too) that fail it. */
static long failing_cells(json_t *run) {
    long n = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(run, "results"), i, rec)
        n += cli_cell_status_fails(json_string_value(json_object_get(rec, "status")));
    return n;
}

/* report: close run.json, index and export a complete run, and say how it
 * went. Returns the exit status. */
static int report_run(const cli_run_config *c, run_state *s, int rc, double t0) {
    char err[2048], ts[64];
    json_t *meta = json_object_get(s->run, "meta");
    cli_time_iso(ts, sizeof ts);
    json_object_set_new(meta, "end_time", json_string(ts));
    json_object_set_new(meta, "status", json_string(rc == CLI_EXIT_OK ? "complete" : "interrupted"));
    if (cli_run_save(s->dir, s->run, err, sizeof err) != 0) return cli_error("run", "%s", err);
    if (rc == 130) {
        fprintf(stderr, "heapbench run: interrupted; %ld cells kept in %s (heapbench run --resume %s)\n", s->ran,
                s->dir, s->dir);
        return rc;
    }
    if (rc != CLI_EXIT_OK) return rc;
    if (s->default_out) link_latest(cli_results_root(), s->dir);
    if (cli_history_index(s->run, s->dir, err, sizeof err) != 0)
        fprintf(stderr, "heapbench run: warning: not indexed in history: %s\n", err);
    if (c->export_fmt && cli_export_bmf_file(s->run, s->dir, err, sizeof err) != 0)
        fprintf(stderr, "heapbench run: %s\n", err);
    long failing = failing_cells(s->run);
    fprintf(stderr, "heapbench run: %ld cells run in %.0f s, %ld not ok; results in %s\n", s->ran, cli_now_s() - t0,
            s->bad, s->dir);
    if (failing) fprintf(stderr, "heapbench run: %ld cells failed (crashed, timeout, failed validation or error): exit 1\n", failing);
    return failing ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static void free_state(const cli_run_config *c, run_state *s) {
    for (size_t k = 0; s->infos && k < c->adapters.n; k++) json_decref(s->infos[k]);
    free(s->infos);
    free(s->cells);
    free(s->cmdline);
    json_decref(s->run);
    json_decref(s->plan_ids);
    if (s->lock_fd >= 0) close(s->lock_fd);
}

int cmd_run(int argc, char **argv) {
    run_args a = {.c = {.preset = "quick", .repetitions = 0, .timeout_s = 300, .min_time_s = -1,
                        .rss_sample_ms = 10, .baseline = "system"}};
    run_state s = {.lock_fd = -1, .cmdline = cli_command_line(argc, argv)};
    int rc = parse_args(argc, argv, &a);
    if (rc == CLI_EXIT_OK) rc = plan_run(&a, &s);
    if (rc == CLI_EXIT_OK) {
        double t0 = cli_now_s();
        rc = report_run(&a.c, &s, execute_run(&a.c, &s), t0);
    }
    free_state(&a.c, &s);
    return rc < 0 ? CLI_EXIT_OK : rc;
}
