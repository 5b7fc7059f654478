/*
 * report.c — report.md: what a reader of a run wants first. The machine
 * and build, warnings, then time and peak RSS of every cell normalized to
 * the baseline adapter (geometric mean per adapter closing each table),
 * collector counters where there are any (each pause split into the time
 * to stop the world and the pause's own work where the collector reports
 * it), and the status of every cell
 * that did not finish `ok`. A time whose repetitions vary by more than
 * CLI_NOISY_CV (coefficient of variation) is marked noisy.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "stats.h"
#include "util.h"

static void human_ns(double ns, char *buf, size_t len) {
    if (!isfinite(ns)) snprintf(buf, len, "—");
    else if (ns < 1e3) snprintf(buf, len, "%.3g ns", ns);
    else if (ns < 1e6) snprintf(buf, len, "%.3g µs", ns / 1e3);
    else if (ns < 1e9) snprintf(buf, len, "%.3g ms", ns / 1e6);
    else snprintf(buf, len, "%.3g s", ns / 1e9);
}

static void human_bytes(double b, char *buf, size_t len) {
    if (!isfinite(b)) snprintf(buf, len, "—");
    else if (b < 1 << 20) snprintf(buf, len, "%.0f KiB", b / 1024);
    else if (b < 1 << 30) snprintf(buf, len, "%.1f MiB", b / 1048576);
    else snprintf(buf, len, "%.2f GiB", b / 1073741824);
}

/* The coefficient of variation of a record's real-time repetitions. */
static double rec_cv(json_t *rec) {
    size_t n;
    double *x = cli_rec_samples(rec, "real_time_ns", &n);
    double cv = cli_cv(x, n);
    free(x);
    return cv;
}

/* One metric of every ok cell, as a rows × cols grid (NaN where none),
 * and which cells are noisy. */
typedef struct grid {
    size_t nrows, ncols, base; /* base: the baseline's column, ncols when absent */
    double *val;
    char *noisy;
    size_t nnoisy;
} grid;

static void grid_fill(grid *g, json_t *run, cli_strv *rows, cli_strv *cols, const char *baseline, int rss) {
    g->nrows = rows->n, g->ncols = cols->n, g->nnoisy = 0;
    g->val = malloc((g->nrows * g->ncols + 1) * sizeof *g->val);
    g->noisy = calloc(g->nrows * g->ncols + 1, 1);
    for (size_t i = 0; i < g->nrows * g->ncols; i++) g->val[i] = NAN;
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        const char *st = json_string_value(json_object_get(rec, "status"));
        if (!st || strcmp(st, "ok")) continue;
        char row[512], col[256];
        cli_rec_row(rec, row, sizeof row);
        cli_rec_col(rec, col, sizeof col);
        size_t r = 0, c = 0;
        while (r < g->nrows && strcmp(rows->v[r], row)) r++;
        while (c < g->ncols && strcmp(cols->v[c], col)) c++;
        if (r == g->nrows || c == g->ncols) continue;
        g->val[r * g->ncols + c] = rss ? cli_rec_number(rec, "peak_rss_bytes")
                                       : cli_rec_number(json_object_get(rec, "real_time_ns"), "median");
        if (!rss && rec_cv(rec) > CLI_NOISY_CV) g->nnoisy += g->noisy[r * g->ncols + c] = 1;
    }
    g->base = 0;
    while (g->base < g->ncols && strcmp(cols->v[g->base], baseline)) g->base++;
}

/* One cell: absolute for the baseline (or without one), else the ratio to
 * it; absolute in italics where the baseline has no value. */
static void grid_cell(FILE *f, const grid *g, size_t r, size_t c, int rss) {
    double v = g->val[r * g->ncols + c], b = g->base < g->ncols ? g->val[r * g->ncols + g->base] : NAN;
    const char *mark = g->noisy[r * g->ncols + c] ? " †" : "";
    int relative = g->base < g->ncols && c != g->base && isfinite(b) && b > 0;
    int italic = g->base < g->ncols && c != g->base && !relative;
    char buf[64];
    if (!isfinite(v)) snprintf(buf, sizeof buf, "—");
    else if (relative) snprintf(buf, sizeof buf, "%.2f×", v / b);
    else if (rss) human_bytes(v, buf, sizeof buf);
    else human_ns(v, buf, sizeof buf);
    if (isfinite(v) && italic) fprintf(f, " *%s*%s |", buf, mark);
    else fprintf(f, " %s%s |", buf, mark);
}

static void grid_geomean(FILE *f, const grid *g) {
    double *ratios = malloc((g->nrows + 1) * sizeof *ratios);
    fprintf(f, "| **geometric mean** |");
    for (size_t c = 0; c < g->ncols; c++) {
        size_t k = 0;
        for (size_t r = 0; r < g->nrows; r++) {
            double v = g->val[r * g->ncols + c], b = g->val[r * g->ncols + g->base];
            if (isfinite(v) && isfinite(b) && b > 0) ratios[k++] = v / b;
        }
        double gm = cli_geomean(ratios, k);
        if (isfinite(gm)) fprintf(f, " **%.2f×** |", gm);
        else fprintf(f, " — |");
    }
    fputc('\n', f);
    free(ratios);
}

/* The table of one metric, normalized to the baseline column. */
static void table(FILE *f, json_t *run, cli_strv *rows, cli_strv *cols, const char *baseline,
                  const char *title, int rss) {
    grid g;
    grid_fill(&g, run, rows, cols, baseline, rss);
    fprintf(f, "## %s\n\n", title);
    if (g.base == g.ncols)
        fprintf(f, "Baseline `%s` has no cells in this run: absolute values only.\n\n", baseline);
    else
        fprintf(f,
                "Relative to `%s` (lower is better; `%s` shows its absolute %s; rows it cannot run "
                "show absolute values in italics).\n\n",
                baseline, baseline, rss ? "peak RSS" : "median time per iteration");
    fprintf(f, "| workload |");
    for (size_t c = 0; c < g.ncols; c++) fprintf(f, " %s |", cols->v[c]);
    fprintf(f, "\n|---|");
    for (size_t c = 0; c < g.ncols; c++) fprintf(f, "---:|");
    fputc('\n', f);
    for (size_t r = 0; r < g.nrows; r++) {
        fprintf(f, "| %s |", rows->v[r]);
        for (size_t c = 0; c < g.ncols; c++) grid_cell(f, &g, r, c, rss);
        fputc('\n', f);
    }
    if (g.base < g.ncols) grid_geomean(f, &g);
    if (g.nnoisy)
        fprintf(f, "\n† noisy: the coefficient of variation of the repetitions is above %.0f %% "
                   "(%zu cell%s); differences within that spread are not measured.\n",
                CLI_NOISY_CV * 100, g.nnoisy, g.nnoisy == 1 ? "" : "s");
    fputc('\n', f);
    free(g.noisy);
    free(g.val);
}

static const char *gc_counters[] = {"gc_cycles", "pause_p50_ns", "pause_p99_ns", "pause_max_ns",
                                    "mark_cpu_ns", "heap_goal_bytes", "heap_live_bytes", NULL};

/* The machine, build and source of the run, the adapters, the warnings. */
static void header(FILE *f, json_t *run) {
    json_t *meta = json_object_get(run, "meta");
    static const struct {
        const char *key, *label;
    } fields[] = {{"start_time", "started"}, {"end_time", "ended"},     {"status", "run status"},
                  {"host", "host"},          {"cpu_model", "CPU"},      {"cores", "cores"},
                  {"governor", "governor"},  {"kernel", "kernel"},      {"os", "OS"},
                  {"compiler", "compiler"},  {"build_type", "build"},   {"git_commit", "commit"},
                  {"git_dirty", "tree dirty"}, {"preset", "preset"},    {"heapbench_version", "heapbench"},
                  {"command_line", "command"}};
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
        json_t *v = json_object_get(meta, fields[k].key);
        if (!v || json_is_null(v)) continue;
        char *s = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
        fprintf(f, "- **%s**: %s\n", fields[k].label, s);
        free(s);
    }
    size_t i;
    json_t *a, *w;
    fprintf(f, "- **adapters**:");
    json_array_foreach(json_object_get(run, "adapters"), i, a) fprintf(
        f, "%s %s %s (%s)", i ? "," : "", json_string_value(json_object_get(a, "name")),
        json_string_value(json_object_get(a, "version")), json_string_value(json_object_get(a, "kind")));
    fprintf(f, "\n\n");
    json_array_foreach(json_object_get(meta, "warnings"), i, w) fprintf(f, "> **warning:** %s\n>\n",
                                                                         json_string_value(w));
    if (json_array_size(json_object_get(meta, "warnings"))) fputc('\n', f);
}

static const char *split_counters[] = {"pause_stop_p99_ns", "pause_stop_max_ns", "pause_work_p99_ns",
                                      "pause_work_max_ns", NULL};

/* Why a collector cell has no pause split: Go tells the time to stop the
 * world only from 1.22 on (/sched/pauses/stopping/gc); others never. */
static const char *no_split_why(json_t *run, json_t *rec) {
    const char *name = json_string_value(json_object_get(rec, "adapter"));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(run, "adapters"), i, a) {
        const char *v = json_string_value(json_object_get(a, "version"));
        unsigned major, minor;
        if (name && v && !strcmp(name, json_string_value(json_object_get(a, "name"))) &&
            sscanf(v, "go%u.%u", &major, &minor) == 2 && major == 1 && minor < 22)
            return "n/a (Go < 1.22)";
    }
    return "n/a";
}

/* The split columns of one collector cell: stop p99/max, work p99/max. */
static void split_cells(FILE *f, json_t *run, json_t *rec, json_t *c) {
    for (int k = 0; split_counters[k]; k++) {
        char b[64];
        if (!json_object_get(c, split_counters[k])) snprintf(b, sizeof b, "%s", no_split_why(run, rec));
        else human_ns(cli_rec_number(c, split_counters[k]), b, sizeof b);
        fprintf(f, " %s |", b);
    }
}

static void collector_table(FILE *f, json_t *run, json_t *results) {
    size_t i;
    json_t *rec;
    int any_gc = 0;
    json_array_foreach(results, i, rec) any_gc |= json_object_get(json_object_get(rec, "counters"), "gc_cycles") != NULL;
    if (!any_gc) return;
    fprintf(f, "## Collector\n\nEach pause is the time to stop the world (stop: from the request until every "
               "thread stopped — scheduling, signal delivery) plus the pause's own work (work: from then until "
               "the restart).\n\n| cell | cycles | pause p50 | pause p99 | pause max | stop p99 | stop max | "
               "work p99 | work max | mark CPU | heap goal | live heap |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    json_array_foreach(results, i, rec) {
        json_t *c = json_object_get(rec, "counters");
        if (!json_object_get(c, "gc_cycles")) continue;
        char key[800];
        cli_rec_key(rec, key, sizeof key);
        fprintf(f, "| %s |", key);
        for (int k = 0; gc_counters[k]; k++) {
            double v = cli_rec_number(c, gc_counters[k]);
            char b[64];
            if (k == 0) snprintf(b, sizeof b, isfinite(v) ? "%.0f" : "—", v);
            else if (strstr(gc_counters[k], "bytes")) human_bytes(v, b, sizeof b);
            else human_ns(v, b, sizeof b);
            fprintf(f, " %s |", b);
            if (!strcmp(gc_counters[k], "pause_max_ns")) split_cells(f, run, rec, c);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

/* Memory anatomy (run --anatomy, docs/anatomy.md): each cell's classes at
 * its RSS peak and its class, from rec.anatomy; "?" where the library does
 * not tell. `heapbench explain` says the same in words. */
static void anatomy_table(FILE *f, json_t *results) {
    static const char *const cols[] = {"rss", "live", "rounding", "partial", "cached", "metadata", "other", "unaccounted", NULL};
    size_t i;
    json_t *rec;
    int any = 0;
    json_array_foreach(results, i, rec) any |= json_object_get(json_object_get(rec, "anatomy"), "peak") != NULL;
    if (!any) return;
    fprintf(f, "## Memory anatomy at the RSS peak\n\n| cell | class | RSS | live | beyond live | free, partly used pages "
               "| free pages kept | metadata | rest of process | unaccounted |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    json_array_foreach(results, i, rec) {
        json_t *an = json_object_get(rec, "anatomy"), *pk = json_object_get(an, "peak");
        if (!pk) continue;
        char key[800];
        cli_rec_key(rec, key, sizeof key);
        fprintf(f, "| %s | %s |", key, json_string_value(json_object_get(an, "class")));
        for (int k = 0; cols[k]; k++) {
            json_t *v = json_object_get(pk, cols[k]);
            char b[64] = "?";
            if (json_is_integer(v)) human_bytes((double)json_integer_value(v), b, sizeof b);
            fprintf(f, " %s |", b);
        }
        fputc('\n', f);
    }
    fprintf(f, "\n`heapbench explain RUN` says why, per cell; classes and thresholds: docs/anatomy.md.\n\n");
}

static void status_table(FILE *f, json_t *results, size_t nok) {
    fprintf(f, "## Cell status\n\n");
    if (nok == json_array_size(results)) {
        fprintf(f, "Every cell finished `ok`.\n\n");
        return;
    }
    fprintf(f, "| cell | status | why |\n|---|---|---|\n");
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        const char *st = json_string_value(json_object_get(rec, "status"));
        if (st && !strcmp(st, "ok")) continue;
        char key[800];
        cli_rec_key(rec, key, sizeof key);
        const char *msg = json_string_value(json_object_get(rec, "message"));
        char *clean = strdup(msg ? msg : "");
        for (char *p = clean; *p; p++)
            if (*p == '\n' || *p == '|') *p = ' ';
        fprintf(f, "| %s | `%s` | %s |\n", key, st ? st : "?", clean);
        free(clean);
    }
    fputc('\n', f);
}

/* Adapters of kind "reference" (hb-go: a whole runtime running ports of
 * the workloads, adapters/go/) are compared as programs, not as allocators
 * behind the object API: say so once, above the tables. */
static void reference_note(FILE *f, json_t *run) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(run, "adapters"), i, a) {
        const char *kind = json_string_value(json_object_get(a, "kind"));
        if (!kind || strcmp(kind, "reference")) continue;
        fprintf(f, "> **reference:** `%s` is a whole language runtime running ports of the workloads, not an "
                   "allocator behind the object API: its cells compare programs, its geometric mean covers only "
                   "the workloads it runs, and its peak RSS includes its runtime.\n\n",
                json_string_value(json_object_get(a, "name")));
    }
}

char *cli_run_report(json_t *run) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    json_t *results = json_object_get(run, "results");
    const char *baseline =
        json_string_value(json_object_get(json_object_get(json_object_get(run, "meta"), "config"), "baseline"));
    if (!baseline) baseline = "system";
    fprintf(f, "# heapbench run report\n\n");
    header(f, run);
    cli_strv rows = {0}, cols = {0};
    size_t i, nok = 0;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        char row[512], col[256];
        cli_rec_row(rec, row, sizeof row);
        cli_rec_col(rec, col, sizeof col);
        if (!cli_strv_has(&rows, row)) cli_strv_push(&rows, row);
        if (!cli_strv_has(&cols, col)) cli_strv_push(&cols, col);
        const char *st = json_string_value(json_object_get(rec, "status"));
        nok += st && !strcmp(st, "ok");
    }
    fprintf(f, "%zu cells, %zu ok.\n\n", json_array_size(results), nok);
    reference_note(f, run);
    if (rows.n) {
        table(f, run, &rows, &cols, baseline, "Time (median of repetitions)", 0);
        table(f, run, &rows, &cols, baseline, "Peak RSS (whole child process)", 1);
    }
    collector_table(f, run, results);
    anatomy_table(f, results);
    status_table(f, results, nok);
    cli_strv_free(&rows);
    cli_strv_free(&cols);
    fclose(f);
    return buf;
}
