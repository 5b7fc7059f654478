/*
 * cmd_exec.c — `heapbench exec [options] -- CMD ARGS...`: bring your own
 * workload. The program runs under each malloc-family adapter through
 * LD_PRELOAD (the `preload` library its hb-<adapter> info names; the
 * system allocator with nothing preloaded), --repetitions times, and its
 * wall time, CPU time and peak RSS are reported as a table (normalized to
 * the baseline) and, with --out DIR, as a run (run.json, results.csv,
 * report.md) that compare, plot and export read. A non-zero exit status,
 * a signal or a timeout marks that adapter's cell; the others go on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"
#include "env.h"
#include "probe.h"
#include "results.h"
#include "stats.h"
#include "util.h"

static int usage(FILE *f) {
    fprintf(f, "usage: heapbench exec [--adapters A,B] [--repetitions N] [--timeout S] [--baseline A]\n"
               "                      [--out DIR] -- CMD [ARGS...]\n"
               "  Runs CMD under each malloc-family adapter with LD_PRELOAD (default: all that have one,\n"
               "  plus system) and reports wall time, CPU time and peak RSS.\n");
    return f == stderr ? HB_EXIT_USAGE : HB_EXIT_OK;
}

int cmd_exec(int argc, char **argv) {
    const char *adapters = NULL, *out = NULL, *baseline = "system";
    long reps = 5;
    double timeout = 600;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (!strcmp(a, "--help")) return usage(stdout);
        if (!v) return hb_die("exec", "option '%s' needs a value, and the program comes after '--'", a);
        i++;
        if (!strcmp(a, "--adapters")) adapters = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--baseline")) baseline = v;
        else if (!strcmp(a, "--repetitions")) {
            char *end;
            reps = strtol(v, &end, 10);
            if (*end || reps < 1 || reps > 1000) return hb_die("exec", "--repetitions takes 1..1000, not '%s'", v);
        } else if (!strcmp(a, "--timeout")) {
            char *end;
            timeout = strtod(v, &end);
            if (*end || !(timeout > 0)) return hb_die("exec", "--timeout takes seconds, not '%s'", v);
        } else return hb_die("exec", "unknown option '%s' (heapbench exec --help)", a);
    }
    if (i >= argc) return hb_die("exec", "no program given: heapbench exec [options] -- CMD [ARGS...]");
    char **prog = argv + i;
    char *cmdline = hb_command_line(argc - i, prog);

    hb_strv names = {0}, use = {0}, preloads = {0};
    hb_split(adapters ? adapters : hb_adapters_built(), ',', &names);
    json_t *ads = json_array();
    char err[2048];
    for (size_t k = 0; k < names.n; k++) {
        json_t *info = hb_probe_info(names.v[k], err, sizeof err);
        if (!info) return hb_die("exec", "adapter '%s': %s", names.v[k], err);
        const char *kind = json_string_value(json_object_get(info, "kind"));
        const char *pre = json_string_value(json_object_get(info, "preload"));
        int system = !strcmp(names.v[k], "system");
        if (!kind || strcmp(kind, "manual") || (!pre && !system)) {
            if (adapters) {
                json_decref(info);
                return hb_die("exec", "adapter '%s' cannot serve another program's malloc (%s)", names.v[k],
                              kind && strcmp(kind, "manual") ? "a collector" : "no LD_PRELOAD library");
            }
            json_decref(info);
            continue; /* the default list: skip quietly what cannot preload */
        }
        hb_strv_push(&use, names.v[k]);
        hb_strv_push(&preloads, pre ? pre : "");
        json_array_append_new(ads, json_pack("{s:O,s:O,s:O,s:O}", "name", json_object_get(info, "name"), "version",
                                             json_object_get(info, "version"), "kind", json_object_get(info, "kind"),
                                             "preload", json_object_get(info, "preload")));
        json_decref(info);
    }
    if (out) {
        char probe[PATH_MAX + 16];
        snprintf(probe, sizeof probe, "%s/run.json", out);
        if (hb_is_file(probe)) return hb_die("exec", "--out %s already holds a run (run.json)", out);
        char logs[PATH_MAX + 16];
        snprintf(logs, sizeof logs, "%s/logs", out);
        if (hb_mkdir_p(logs) != 0) return hb_die("exec", "cannot create %s: %s", logs, strerror(errno));
    }
    const char *base = strrchr(prog[0], '/');
    base = base ? base + 1 : prog[0];
    char *wl = hb_fmt("exec/%s", base);
    json_t *results = json_array();
    char ts[64];
    hb_time_iso(ts, sizeof ts);
    int tty = hb_isatty_stderr();
    for (size_t k = 0; k < use.n; k++) {
        double *wall = calloc((size_t)reps, sizeof *wall), *cpu = calloc((size_t)reps, sizeof *cpu);
        long done = 0, peak = 0, minflt = 0, majflt = 0;
        const char *status = "ok";
        char *msg = NULL;
        char *logp = out ? hb_fmt("%s/logs/exec-%s.log", out, use.v[k]) : hb_fmt("/tmp/heapbench-exec-%ld.log", (long)getpid());
        for (long r = 0; r < reps; r++) {
            if (tty) fprintf(stderr, "\r\033[K%s: repetition %ld of %ld", use.v[k], r + 1, reps);
            char *pre = preloads.v[k][0] ? hb_fmt("LD_PRELOAD=%s", preloads.v[k]) : NULL;
            const char *env[] = {pre, NULL};
            hb_child_opts o = {.argv = (const char *const *)prog, .env_add = pre ? env : NULL, .stdout_path = logp,
                               .stderr_path = logp, .timeout_s = timeout};
            hb_child_result res;
            int started = hb_child_run(&o, &res) == 0;
            free(pre);
            if (!started) {
                status = "error";
                msg = hb_fmt("cannot run %s: %s", prog[0], strerror(res.exit_code));
            } else if (res.end == HB_CHILD_TIMEOUT) {
                status = "timeout";
                msg = hb_fmt("killed after %g s", timeout);
            } else if (res.end == HB_CHILD_SIGNALED) {
                status = "crashed";
                msg = hb_fmt("killed by signal %d (%s)", res.signal, strsignal(res.signal));
            } else if (res.exit_code != 0) {
                status = "error";
                msg = out ? hb_fmt("the program exited with status %d (its output: %s)", res.exit_code, logp)
                          : hb_fmt("the program exited with status %d (--out DIR keeps its output)", res.exit_code);
            }
            if (msg) break;
            wall[done] = res.wall_s * 1e9;
            cpu[done] = ((double)res.ru.ru_utime.tv_sec + (double)res.ru.ru_utime.tv_usec * 1e-6 +
                         (double)res.ru.ru_stime.tv_sec + (double)res.ru.ru_stime.tv_usec * 1e-6) * 1e9;
            done++;
            if (res.peak_rss_bytes > peak) peak = res.peak_rss_bytes;
            minflt += res.ru.ru_minflt;
            majflt += res.ru.ru_majflt;
        }
        if (tty) fputs("\r\033[K", stderr);
        json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:{},s:i,s:n,s:s}", "id", use.v[k], "adapter", use.v[k], "workload", wl,
                                "category", "exec", "params", "threads", 1, "gogc", "status", status);
        json_object_set_new(rec, "repetitions", json_integer(msg ? 0 : done));
        if (!msg) {
            json_object_set_new(rec, "real_time_ns", hb_stat_obj(wall, (size_t)done));
            json_object_set_new(rec, "cpu_time_ns", hb_stat_obj(cpu, (size_t)done));
            json_object_set_new(rec, "peak_rss_bytes", json_integer(peak));
            json_object_set_new(rec, "minor_faults", json_integer(minflt / done));
            json_object_set_new(rec, "major_faults", json_integer(majflt / done));
        } else {
            json_object_set_new(rec, "message", json_string(msg));
            fprintf(stderr, "heapbench exec: %s: %s: %s\n", use.v[k], status, msg);
        }
        json_object_set_new(rec, "items_per_second", json_null());
        json_object_set_new(rec, "counters", json_object());
        json_object_set_new(rec, "preload", preloads.v[k][0] ? json_string(preloads.v[k]) : json_null());
        json_array_append_new(results, rec);
        if (!out) unlink(logp);
        free(logp), free(msg), free(wall), free(cpu);
    }
    /* The table: normalized to the baseline where it ran. */
    double bmed = NAN, brss = NAN;
    size_t k;
    json_t *rec;
    json_array_foreach(results, k, rec) if (!strcmp(json_string_value(json_object_get(rec, "adapter")), baseline)) {
        bmed = hb_rec_number(json_object_get(rec, "real_time_ns"), "median");
        brss = hb_rec_number(rec, "peak_rss_bytes");
    }
    printf("%s: %ld repetitions per adapter\n%-12s %12s %12s %12s %9s %12s %9s  %s\n", cmdline, reps, "ADAPTER",
           "MEDIAN s", "MIN s", "MAX s", "vs base", "PEAK RSS", "vs base", "STATUS");
    int failed = 0;
    json_array_foreach(results, k, rec) {
        json_t *t = json_object_get(rec, "real_time_ns");
        double med = hb_rec_number(t, "median"), rss = hb_rec_number(rec, "peak_rss_bytes");
        const char *st = json_string_value(json_object_get(rec, "status"));
        failed |= strcmp(st, "ok") != 0;
        printf("%-12s %12.4f %12.4f %12.4f %8.2fx %9.1f MiB %8.2fx  %s\n", json_string_value(json_object_get(rec, "adapter")),
               med / 1e9, hb_rec_number(t, "min") / 1e9, hb_rec_number(t, "max") / 1e9, med / bmed, rss / 1048576.0,
               rss / brss, st);
    }
    int rc = failed ? HB_EXIT_FOUND : HB_EXIT_OK;
    if (out) {
        json_t *meta = json_pack("{s:s,s:s,s:s,s:[]}", "start_time", ts, "preset", "exec", "command_line", cmdline, "warnings");
        hb_env_capture(meta);
        hb_time_iso(ts, sizeof ts);
        json_object_set_new(meta, "end_time", json_string(ts));
        json_object_set_new(meta, "status", json_string("complete"));
        json_object_set_new(meta, "config", json_pack("{s:s,s:I}", "baseline", baseline, "repetitions", (json_int_t)reps));
        json_t *run = json_pack("{s:s,s:o,s:o,s:o}", "schema", HB_RUN_SCHEMA, "meta", meta, "adapters", ads, "results", results);
        ads = results = NULL;
        if (hb_run_save(out, run, err, sizeof err) != 0) rc = hb_die("exec", "%s", err);
        else printf("results: %s\n", out);
        json_decref(run);
    }
    json_decref(ads);
    json_decref(results);
    free(wl);
    free(cmdline);
    hb_strv_free(&names), hb_strv_free(&use), hb_strv_free(&preloads);
    return rc;
}
