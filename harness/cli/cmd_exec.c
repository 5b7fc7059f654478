/*
 * cmd_exec.c — `heapbench exec [options] -- CMD ARGS...`: bring your own
 * workload. The program runs under each malloc-family adapter through
 * LD_PRELOAD (the `preload` library its hb-<adapter> info names; the
 * system allocator with nothing preloaded), --repetitions times, and its
 * wall time, CPU time and peak RSS are reported as a table (normalized to
 * the baseline) and, with --out DIR, as a run (run.json, results.csv,
 * report.md) that compare, plot and export read.
 *
 * parse → plan (the program exists, the adapters can preload) → execute
 * (each adapter's repetitions; the first proves, through
 * libhb-preload-probe.so, that the adapter's library serves the program's
 * malloc) → report (table, run.json).
 *
 * Exit status: 0 all ran; 1 the program failed (non-zero exit, signal,
 * timeout) under some adapter; 2 bad usage, a program that cannot be run,
 * or an adapter whose library was not loaded into the program.
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
#include "opts.h"
#include "probe.h"
#include "results.h"
#include "stats.h"
#include "util.h"

enum { OPT_ADAPTERS = CLI_OPT_LONG_ONLY, OPT_REPETITIONS, OPT_TIMEOUT, OPT_BASELINE, OPT_OUT };

static const cli_opt exec_opts[] = {
    {"adapters", OPT_ADAPTERS, "A,B", "adapters (default: every malloc-family one that can preload, and system)"},
    {"repetitions", OPT_REPETITIONS, "N", "runs per adapter, 1..1000 (default 5)"},
    {"timeout", OPT_TIMEOUT, "S", "seconds per run before it is killed (default 600)"},
    {"baseline", OPT_BASELINE, "A", "adapter the table normalizes to (default system)"},
    {"out", OPT_OUT, "DIR", "also write a run (run.json, results.csv, report.md) to DIR"},
    {0},
};

const cli_cmd_spec cmd_exec_spec = {
    .name = "exec",
    .synopsis = "[options] -- CMD [ARGS...]",
    .summary = "run a program under each allocator with LD_PRELOAD",
    .opts = exec_opts,
    .epilog = "Options end at CMD. Each adapter's first run proves its library serves the\n"
              "program's malloc (a library the dynamic linker cannot preload, or a static\n"
              "program, is an error, never a run on glibc).\n"
              "Exit status: 0 all ran; 1 the program failed under some adapter; 2 bad\n"
              "usage, a program that cannot be run, or an allocator that was not loaded.\n",
    .stop_at_operand = 1,
};

typedef struct exec_args {
    const char *adapters, *out, *baseline;
    int baseline_given; /* --baseline named: it must be among the adapters */
    long reps;
    double timeout;
    char **prog;
    char *cmdline, *probe_lib, *probe_out;
} exec_args;

/* One adapter's repetitions, as they went. */
typedef struct exec_cell {
    const char *name, *preload; /* preload "" for none */
    const char *status;
    char *msg;
    double *wall, *cpu;
    long done, peak, minflt, majflt;
} exec_cell;

static int on_opt(void *ctx, int key, const char *arg) {
    exec_args *a = ctx;
    char *end;
    switch (key) {
    case OPT_ADAPTERS: a->adapters = arg; return 0;
    case OPT_OUT: a->out = arg; return 0;
    case OPT_BASELINE: a->baseline = arg, a->baseline_given = 1; return 0;
    case OPT_REPETITIONS:
        a->reps = strtol(arg, &end, 10);
        if (end == arg || *end || a->reps < 1 || a->reps > 1000)
            return cli_opts_bad(&cmd_exec_spec, key, "takes an integer 1..1000, not '%s'", arg);
        return 0;
    default: /* OPT_TIMEOUT */
        a->timeout = strtod(arg, &end);
        if (end == arg || *end || !(a->timeout > 0) || !isfinite(a->timeout))
            return cli_opts_bad(&cmd_exec_spec, key, "takes a positive number of seconds, not '%s'", arg);
        return 0;
    }
}

/* Whether prog can be executed: a path, or a name found in PATH. */
static int program_runnable(const char *prog) {
    if (strchr(prog, '/')) return access(prog, X_OK) == 0 && !cli_is_dir(prog);
    const char *path = getenv("PATH");
    cli_strv dirs = {0};
    int ok = 0;
    cli_split(path && *path ? path : "/usr/bin:/bin", ':', &dirs);
    for (size_t i = 0; i < dirs.n && !ok; i++) {
        char *p = cli_fmt("%s/%s", dirs.v[i], prog);
        ok = access(p, X_OK) == 0 && !cli_is_dir(p);
        free(p);
    }
    cli_strv_free(&dirs);
    return ok;
}

/* parse: options, then the program; its existence is checked here. */
static int parse_args(int argc, char **argv, exec_args *a) {
    int first;
    int rc = cli_opts_parse(&cmd_exec_spec, argc, argv, on_opt, a, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? -1 : CLI_EXIT_USAGE;
    if (first >= argc) return cli_error("exec", "no program given: heapbench exec [options] -- CMD [ARGS...]");
    a->prog = argv + first;
    if (!program_runnable(a->prog[0]))
        return cli_error("exec", "cannot run '%s': %s", a->prog[0],
                      strchr(a->prog[0], '/') ? "no such executable file" : "not found in PATH");
    a->cmdline = cli_command_line(argc - first, a->prog);
    a->probe_lib = cli_fmt("%s/libhb-preload-probe.so", cli_bin_dir());
    if (access(a->probe_lib, R_OK) != 0)
        return cli_error("exec", "%s is missing (build the hb-preload-probe target)", a->probe_lib);
    return CLI_EXIT_OK;
}

/* Whether an adapter can serve another program's malloc; why not in *why. */
static int can_preload(const char *name, json_t *info, const char **why) {
    const char *kind = json_string_value(json_object_get(info, "kind"));
    const char *pre = json_string_value(json_object_get(info, "preload"));
    if (!kind || strcmp(kind, "manual")) *why = "a collector";
    else if (!pre && strcmp(name, "system")) *why = "no LD_PRELOAD library";
    else return 1;
    return 0;
}

/* plan: the adapters that will run (named ones must be able to preload;
 * the default list skips those that cannot), and run.json's adapters. */
static int plan_adapters(const exec_args *a, exec_cell **cells, size_t *n, json_t *ads) {
    cli_strv names = {0};
    cli_split(a->adapters ? a->adapters : cli_adapters_built(), ',', &names);
    *cells = calloc(names.n + 1, sizeof **cells);
    int rc = cli_adapters_resolve("exec", &names);
    for (size_t k = 0; k < names.n && rc == CLI_EXIT_OK; k++) {
        char err[2048];
        const char *why;
        json_t *info = cli_probe_info(names.v[k], err, sizeof err);
        if (!info) rc = cli_error("exec", "adapter '%s': %s", names.v[k], err);
        else if (!can_preload(names.v[k], info, &why)) {
            if (a->adapters) rc = cli_error("exec", "adapter '%s' cannot serve another program's malloc (%s)", names.v[k], why);
        } else {
            const char *pre = json_string_value(json_object_get(info, "preload"));
            (*cells)[(*n)++] = (exec_cell){.name = strdup(names.v[k]), .preload = strdup(pre ? pre : ""), .status = "ok"};
            json_array_append_new(ads, json_pack("{s:O,s:O,s:O,s:O}", "name", json_object_get(info, "name"), "version",
                                                 json_object_get(info, "version"), "kind", json_object_get(info, "kind"),
                                                 "preload", json_object_get(info, "preload")));
            if (cli_adapter_identity(names.v[k]))
                json_object_set(json_array_get(ads, json_array_size(ads) - 1), "library", cli_adapter_identity(names.v[k]));
        }
        json_decref(info);
    }
    cli_strv_free(&names);
    return rc;
}

/* plan: the adapter the table normalizes to. The default, system, falls back
 * to the first adapter run when it is not among them; a --baseline that is
 * not among them is an error, never a column of nan. */
static int plan_baseline(exec_args *a, const exec_cell *cells, size_t n) {
    for (size_t k = 0; k < n; k++)
        if (!strcmp(cells[k].name, a->baseline)) return CLI_EXIT_OK;
    if (a->baseline_given || n == 0)
        return cli_error("exec", "--baseline %s is not among the adapters run", a->baseline);
    a->baseline = cells[0].name;
    return CLI_EXIT_OK;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* What the probe saw in process pid: which object defines malloc ("" when
 * the probe never ran there). malloc'd. */
static char *probe_malloc_lib(const char *probe_out, long pid) {
    FILE *f = fopen(probe_out, "r");
    char line[4300], lib[4200];
    long p;
    char *found = strdup("");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "%ld %4199[^\n]", &p, lib) == 2 && p == pid) {
            free(found);
            found = strdup(lib);
            break;
        }
    if (f) fclose(f);
    return found;
}

/* A line of the program's output saying why ld.so skipped a preload, or "". */
static char *ldso_complaint(const char *logp) {
    size_t len;
    char *s = cli_read_file(logp, &len), *hit = s ? strstr(s, "cannot be preloaded") : NULL;
    if (!hit) {
        free(s);
        return strdup("");
    }
    char *start = hit, *end = strchr(hit, '\n');
    while (start > s && start[-1] != '\n') start--;
    char *line = strndup(start, end ? (size_t)(end - start) : strlen(start));
    free(s);
    return line;
}

/* After the first run: the adapter's library must define the program's
 * malloc. 0, or -1 with c->msg set. */
static int check_loaded(const exec_args *a, exec_cell *c, long pid, const char *logp) {
    if (!c->preload[0]) return 0; /* system: nothing preloaded */
    char *lib = probe_malloc_lib(a->probe_out, pid);
    int ok = lib[0] && (!strcmp(base_name(lib), base_name(c->preload)) || !strcmp(lib, c->preload));
    if (!ok) {
        char *why = ldso_complaint(logp);
        if (!lib[0])
            c->msg = cli_fmt("%s was not loaded: the program never ran the preload probe (a static or setuid "
                            "program ignores LD_PRELOAD)%s%s", c->preload, why[0] ? "; " : "", why);
        else
            c->msg = cli_fmt("%s was not loaded: the program's malloc came from %s%s%s", c->preload, lib,
                            why[0] ? "; " : "", why);
        c->status = "preload-failed";
        free(why);
    }
    free(lib);
    return ok ? 0 : -1;
}

/* The status of one run from how the child ended (c->msg when not ok). */
static int run_status(const exec_args *a, exec_cell *c, int started, const cli_child_result *res, const char *logp) {
    if (!started) {
        c->status = "error";
        c->msg = cli_fmt("cannot run %s: %s", a->prog[0], strerror(res->exit_code));
    } else if (res->end == CLI_CHILD_TIMEOUT) {
        c->status = "timeout";
        c->msg = cli_fmt("killed after %g s", a->timeout);
    } else if (res->end == CLI_CHILD_SIGNALED) {
        c->status = "crashed";
        c->msg = cli_fmt("killed by signal %d (%s)", res->signal, strsignal(res->signal));
    } else if (res->exit_code != 0) {
        c->status = "error";
        c->msg = a->out ? cli_fmt("the program exited with status %d (its output: %s)", res->exit_code, logp)
                        : cli_fmt("the program exited with status %d (--out DIR keeps its output)", res->exit_code);
    }
    return c->msg ? -1 : 0;
}

/* One run of the program under c's library; its figures added to c. */
static int run_once(const exec_args *a, exec_cell *c, long r, const char *logp) {
    char *pre = cli_fmt("LD_PRELOAD=%s%s%s", c->preload, c->preload[0] ? " " : "", a->probe_lib);
    char *probe = cli_fmt("HB_PRELOAD_PROBE=%s", a->probe_out);
    const char *env[] = {pre, probe, NULL};
    cli_child_opts o = {.argv = (const char *const *)a->prog, .env_add = env, .stdout_path = logp,
                       .stderr_path = logp, .timeout_s = a->timeout};
    cli_child_result res;
    if (r == 0) unlink(a->probe_out);
    int started = cli_child_run(&o, &res) == 0;
    free(pre), free(probe);
    if (run_status(a, c, started, &res, logp) || (r == 0 && check_loaded(a, c, res.pid, logp))) return -1;
    c->wall[c->done] = res.wall_s * 1e9;
    c->cpu[c->done] = ((double)res.ru.ru_utime.tv_sec + (double)res.ru.ru_utime.tv_usec * 1e-6 +
                       (double)res.ru.ru_stime.tv_sec + (double)res.ru.ru_stime.tv_usec * 1e-6) * 1e9;
    c->done++;
    if (res.peak_rss_bytes > c->peak) c->peak = res.peak_rss_bytes;
    c->minflt += res.ru.ru_minflt;
    c->majflt += res.ru.ru_majflt;
    return 0;
}

/* execute: one adapter's repetitions, stopping at the first failure. */
static void run_adapter(const exec_args *a, exec_cell *c) {
    c->wall = calloc((size_t)a->reps, sizeof *c->wall);
    c->cpu = calloc((size_t)a->reps, sizeof *c->cpu);
    char *logp = a->out ? cli_fmt("%s/logs/exec-%s.log", a->out, c->name)
                        : cli_fmt("/tmp/heapbench-exec-%ld.log", (long)getpid());
    int tty = cli_isatty_stderr();
    for (long r = 0; r < a->reps; r++) {
        if (tty) fprintf(stderr, "\r\033[K%s: repetition %ld of %ld", c->name, r + 1, a->reps);
        if (run_once(a, c, r, logp)) break;
    }
    if (tty) fputs("\r\033[K", stderr);
    if (c->msg) fprintf(stderr, "heapbench exec: %s: %s: %s\n", c->name, c->status, c->msg);
    if (!a->out) unlink(logp);
    free(logp);
}

static json_t *cell_record(const exec_cell *c, const char *wl) {
    json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:{},s:i,s:n,s:s}", "id", c->name, "adapter", c->name, "workload", wl,
                            "category", "exec", "params", "threads", 1, "gogc", "status", c->status);
    json_object_set_new(rec, "repetitions", json_integer(c->msg ? 0 : c->done));
    if (!c->msg) {
        json_object_set_new(rec, "real_time_ns", cli_stat_obj(c->wall, (size_t)c->done));
        json_object_set_new(rec, "cpu_time_ns", cli_stat_obj(c->cpu, (size_t)c->done));
        json_object_set_new(rec, "peak_rss_bytes", json_integer(c->peak));
        json_object_set_new(rec, "minor_faults", json_integer(c->minflt / c->done));
        json_object_set_new(rec, "major_faults", json_integer(c->majflt / c->done));
    } else {
        json_object_set_new(rec, "message", json_string(c->msg));
    }
    json_object_set_new(rec, "items_per_second", json_null());
    json_object_set_new(rec, "counters", json_object());
    json_object_set_new(rec, "preload", c->preload[0] ? json_string(c->preload) : json_null());
    return rec;
}

/* "1.23x", or "-" where the baseline has no figure. */
static const char *ratio(char buf[32], double v, double base) {
    if (isfinite(base) && base > 0) snprintf(buf, 32, "%.2fx", v / base);
    else snprintf(buf, 32, "-");
    return buf;
}

/* report: the table, normalized to the baseline where it ran; figures of a
 * failed adapter are shown as '-', never nan. */
static void print_table(const exec_args *a, json_t *results) {
    double bmed = NAN, brss = NAN;
    size_t k;
    json_t *rec;
    json_array_foreach(results, k, rec) if (!strcmp(json_string_value(json_object_get(rec, "adapter")), a->baseline)) {
        bmed = cli_rec_number(json_object_get(rec, "real_time_ns"), "median");
        brss = cli_rec_number(rec, "peak_rss_bytes");
    }
    printf("%s: %ld repetitions per adapter, normalized to %s%s\n%-12s %12s %12s %12s %9s %12s %9s  %s\n", a->cmdline, a->reps, a->baseline,
           isfinite(bmed) ? "" : " (which failed: no ratios)", "ADAPTER",
           "MEDIAN s", "MIN s", "MAX s", "vs base", "PEAK RSS", "vs base", "STATUS");
    json_array_foreach(results, k, rec) {
        json_t *t = json_object_get(rec, "real_time_ns");
        const char *name = json_string_value(json_object_get(rec, "adapter"));
        const char *st = json_string_value(json_object_get(rec, "status"));
        if (strcmp(st, "ok")) {
            printf("%-12s %12s %12s %12s %9s %12s %9s  %s\n", name, "-", "-", "-", "-", "-", "-", st);
            continue;
        }
        double med = cli_rec_number(t, "median"), rss = cli_rec_number(rec, "peak_rss_bytes");
        char rt[32], rr[32];
        printf("%-12s %12.4f %12.4f %12.4f %9s %9.1f MiB %9s  %s\n", name, med / 1e9, cli_rec_number(t, "min") / 1e9,
               cli_rec_number(t, "max") / 1e9, ratio(rt, med, bmed), rss / 1048576.0, ratio(rr, rss, brss), st);
    }
}

static int save_run(const exec_args *a, json_t *ads, json_t *results, const char *start) {
    char ts[64], err[2048];
    json_t *meta = json_pack("{s:s,s:s,s:s,s:[]}", "start_time", start, "preset", "exec", "command_line", a->cmdline,
                             "warnings");
    cli_env_capture(meta);
    cli_time_iso(ts, sizeof ts);
    json_object_set_new(meta, "end_time", json_string(ts));
    json_object_set_new(meta, "status", json_string("complete"));
    json_object_set_new(meta, "config", json_pack("{s:s,s:I}", "baseline", a->baseline, "repetitions", (json_int_t)a->reps));
    json_t *run = json_pack("{s:s,s:o,s:O,s:O}", "schema", CLI_RUN_SCHEMA, "meta", meta, "adapters", ads, "results", results);
    int rc = CLI_EXIT_OK;
    if (cli_run_save(a->out, run, err, sizeof err) != 0) rc = cli_error("exec", "%s", err);
    else printf("results: %s\n", a->out);
    json_decref(run);
    return rc;
}

/* --out DIR must be new; its logs/ folder is made now. */
static int prepare_out(const char *out) {
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/run.json", out);
    if (cli_is_file(path)) return cli_error("exec", "--out %s already holds a run (run.json)", out);
    snprintf(path, sizeof path, "%s/logs", out);
    if (cli_mkdir_p(path) != 0) return cli_error("exec", "cannot create %s: %s", path, strerror(errno));
    return CLI_EXIT_OK;
}

/* Runs every planned adapter; the exit status their results give. */
static int execute_all(const exec_args *a, exec_cell *cells, size_t n, json_t *results) {
    char *wl = cli_fmt("exec/%s", base_name(a->prog[0]));
    int failed = 0, unloaded = 0;
    for (size_t k = 0; k < n; k++) {
        run_adapter(a, &cells[k]);
        json_array_append_new(results, cell_record(&cells[k], wl));
        failed |= strcmp(cells[k].status, "ok") != 0;
        unloaded |= !strcmp(cells[k].status, "preload-failed");
    }
    free(wl);
    return unloaded ? CLI_EXIT_USAGE : failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

int cmd_exec(int argc, char **argv) {
    exec_args a = {.baseline = "system", .reps = 5, .timeout = 600};
    exec_cell *cells = NULL;
    size_t n = 0;
    json_t *ads = json_array(), *results = json_array();
    char start[64];
    cli_time_iso(start, sizeof start);
    int rc = parse_args(argc, argv, &a);
    if (rc == CLI_EXIT_OK) rc = plan_adapters(&a, &cells, &n, ads);
    if (rc == CLI_EXIT_OK) rc = plan_baseline(&a, cells, n);
    if (rc == CLI_EXIT_OK && a.out) rc = prepare_out(a.out);
    if (rc == CLI_EXIT_OK) {
        a.probe_out = cli_fmt("/tmp/heapbench-probe-%ld", (long)getpid());
        rc = execute_all(&a, cells, n, results);
        print_table(&a, results);
        unlink(a.probe_out);
        if (a.out) {
            int src = save_run(&a, ads, results, start);
            rc = src ? src : rc;
        }
    }
    for (size_t k = 0; k < n; k++) {
        free((char *)cells[k].name), free((char *)cells[k].preload);
        free(cells[k].msg), free(cells[k].wall), free(cells[k].cpu);
    }
    free(cells);
    json_decref(ads);
    json_decref(results);
    free(a.cmdline), free(a.probe_lib), free(a.probe_out);
    return rc < 0 ? CLI_EXIT_OK : rc;
}
