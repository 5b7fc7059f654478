/*
 * cmd_plot.c — `heapbench plot DIR`: the figures of a run, drawn by
 * gnuplot from the templates in plots/ into DIR/plots/ (PNG, SVG, PDF; LaTeX via cairolatex on request):
 *
 *   time.*, rss.*       the main figures: a workload × adapter heatmap of
 *                       median time (peak RSS) over the baseline's, log2
 *                       colour, the number in each cell (plot_heatmap.c)
 *   time-<category>.*   per category, grouped bars of the same ratios with
 *                       whiskers the 95 % confidence interval of the median
 *                       (order statistics, stats.h cli_median_ci)
 *   rss-<category>.*    per category, peak RSS ratios
 *   scaling-<wl>.*      throughput over thread counts (workloads run at several)
 *   rss-timeline-<wl>.* RSS over time in the child, one line per adapter
 *   pauses-<wl>.*       distribution (CDF) of collector pause times
 *   mmu-<wl>.*          minimum mutator utilization curves
 *   gogc-<wl>.*         the GOGC time–space trade-off
 *   anatomy-<cell>.*    memory classes over time, stacked (run --anatomy;
 *                       anatomy_plot.c)
 *
 * The data files written for gnuplot stay in DIR/plots/data/. A plot whose
 * data the run lacks is skipped with a note, never drawn empty. Each
 * adapter keeps one colour in every plot (gnuplot.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anatomy_plot.h"
#include "cli.h"
#include "gnuplot.h"
#include "mmu.h"
#include "plot_heatmap.h"
#include "results.h"
#include "stats.h"
#include "util.h"

typedef struct plotctx {
    char dir[PATH_MAX], out[PATH_MAX + 16], data[PATH_MAX + 32], log[PATH_MAX + 32];
    json_t *run;
    int fmts, drawn; /* CLI_FMT_* bits */
    cli_strv rows, cols; /* of ok cells */
} plotctx;

static int is_ok(json_t *rec) {
    const char *s = json_string_value(json_object_get(rec, "status"));
    return s && !strcmp(s, "ok");
}

static json_t *cell(plotctx *p, const char *row, const char *col) {
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(p->run, "results"), i, rec) {
        if (!is_ok(rec)) continue;
        char r[512], c[256];
        cli_rec_row(rec, r, sizeof r);
        cli_rec_col(rec, c, sizeof c);
        if (!strcmp(r, row) && !strcmp(c, col)) return rec;
    }
    return NULL;
}

static const char *col_adapter(const char *col, char *buf, size_t len) {
    snprintf(buf, len, "%s", col);
    buf[strcspn(buf, " ")] = 0;
    return buf;
}

/* names/colors word lists for gnuplot: spaces inside a label become ':' */
static void add_series_vars(cli_strv *vars, const cli_strv *labels, const cli_strv *adapters, const char *countvar) {
    char *names = NULL, *colors = NULL;
    size_t nl = 0, cl = 0;
    FILE *fn = open_memstream(&names, &nl), *fc = open_memstream(&colors, &cl);
    for (size_t i = 0; i < labels->n; i++) {
        char *l = strdup(labels->v[i]);
        for (char *q = l; *q; q++)
            if (*q == ' ' || *q == '\'' || *q == '"') *q = ':';
        fprintf(fn, "%s%s", i ? " " : "", l);
        fprintf(fc, "%s%s", i ? " " : "", cli_adapter_color(adapters->v[i]));
        free(l);
    }
    fclose(fn);
    fclose(fc);
    char *a = cli_gp_str(names), *b = cli_gp_str(colors), *s;
    cli_strv_push(vars, s = cli_fmt("names=%s", a)), free(s);
    cli_strv_push(vars, s = cli_fmt("colors=%s", b)), free(s);
    cli_strv_push(vars, s = cli_fmt("%s=%zu", countvar, labels->n)), free(s);
    free(a), free(b), free(names), free(colors);
}

static void add_str(cli_strv *vars, const char *name, const char *val) {
    char *q = cli_gp_str(val), *s = cli_fmt("%s=%s", name, q);
    cli_strv_push(vars, s);
    free(s), free(q);
}

static void draw(plotctx *p, const char *tmpl, cli_strv *vars, const char *name) {
    char *base = cli_fmt("%s/%s", p->out, name);
    int n = cli_gnuplot(tmpl, vars, base, p->fmts, p->log);
    if (n == 0) fprintf(stderr, "heapbench plot: gnuplot failed on %s (see %s)\n", name, p->log);
    else printf("  %s\n", base);
    p->drawn += n;
    free(base);
}

static void note(const char *what, const char *why) { printf("  skipped %s: %s\n", what, why); }

/* Grouped bars of the rows given (one category's), with CI whiskers. */
static void bars(plotctx *p, const char *baseline, int rss, const char *name, const cli_strv *rows) {
    char *dpath = cli_fmt("%s/%s.dat", p->data, name);
    FILE *f = fopen(dpath, "w");
    if (!f) {
        fprintf(stderr, "heapbench plot: cannot write %s: %s\n", dpath, strerror(errno));
        free(dpath);
        return;
    }
    int has_base = cli_strv_has(&p->cols, baseline);
    double vmin = INFINITY, vmax = 0;
    fprintf(f, "# workload, then per adapter: value low high (normalized)\n");
    for (size_t r = 0; r < rows->n; r++) {
        double norm = NAN;
        if (has_base) {
            json_t *b = cell(p, rows->v[r], baseline);
            norm = b ? (rss ? cli_rec_number(b, "peak_rss_bytes") : cli_rec_number(json_object_get(b, "real_time_ns"), "median")) : NAN;
        } else { /* relative to the best of the row */
            for (size_t c = 0; c < p->cols.n; c++) {
                json_t *x = cell(p, rows->v[r], p->cols.v[c]);
                double v = x ? (rss ? cli_rec_number(x, "peak_rss_bytes") : cli_rec_number(json_object_get(x, "real_time_ns"), "median")) : NAN;
                if (isfinite(v) && (!isfinite(norm) || v < norm)) norm = v;
            }
        }
        const char *slash = strchr(rows->v[r], '/'); /* the title names the category */
        fprintf(f, "\"%s\"", slash ? slash + 1 : rows->v[r]);
        for (size_t c = 0; c < p->cols.n; c++) {
            json_t *x = cell(p, rows->v[r], p->cols.v[c]);
            double v = NAN, lo = NAN, hi = NAN;
            if (x && isfinite(norm) && norm > 0) {
                if (rss) v = lo = hi = cli_rec_number(x, "peak_rss_bytes") / norm;
                else {
                    size_t ns;
                    double *xs = cli_rec_samples(x, "real_time_ns", &ns);
                    v = cli_rec_number(json_object_get(x, "real_time_ns"), "median") / norm;
                    cli_median_ci(xs, ns, 0.95, &lo, &hi); /* whiskers: the median's 95 % CI */
                    lo /= norm, hi /= norm;
                    free(xs);
                }
            }
            if (isfinite(v)) {
                fprintf(f, " %.6g %.6g %.6g", v, lo, hi);
                if (lo < vmin) vmin = lo;
                if (hi > vmax) vmax = hi;
            } else {
                fprintf(f, " ? ? ?");
            }
        }
        fputc('\n', f);
    }
    fclose(f);
    cli_strv vars = {0}, adapters = {0};
    char ab[256];
    for (size_t c = 0; c < p->cols.n; c++) cli_strv_push(&adapters, col_adapter(p->cols.v[c], ab, sizeof ab));
    add_str(&vars, "datafile", dpath);
    add_series_vars(&vars, &p->cols, &adapters, "ncols");
    const char *cat = strchr(name, '-') ? strchr(name, '-') + 1 : name;
    char *t = has_base ? cli_fmt("%s: %s relative to %s", cat, rss ? "peak RSS" : "median time", baseline)
                       : cli_fmt("%s: %s relative to the best adapter", cat, rss ? "peak RSS" : "median time");
    add_str(&vars, "title", t);
    add_str(&vars, "ylabel", rss ? "peak RSS / baseline" : "time / baseline");
    char *lg = cli_fmt("logy=%d", vmax > 0 && vmin > 0 && vmax / vmin > 8);
    cli_strv_push(&vars, lg);
    draw(p, "bars.gp", &vars, name);
    free(lg), free(t), free(dpath);
    cli_strv_free(&vars);
    cli_strv_free(&adapters);
}

/* The main figure (the ratio heatmap) and, per category, grouped bars. */
static void overview(plotctx *p, const char *baseline, int rss) {
    const char *name = rss ? "rss" : "time";
    if (p->rows.n == 0) return note(name, "no cell finished ok");
    char *dpath = cli_fmt("%s/%s-heatmap.dat", p->data, name), *base = cli_fmt("%s/%s", p->out, name);
    int n = cli_plot_heatmap(p->run, baseline, rss, dpath, base, p->fmts, p->log);
    if (n) printf("  %s\n", base);
    else note(name, "no baseline column to divide by (use --baseline ADAPTER)");
    p->drawn += n;
    free(dpath), free(base);
    cli_strv cats = {0};
    for (size_t r = 0; r < p->rows.n; r++) {
        char c[512];
        snprintf(c, sizeof c, "%s", p->rows.v[r]);
        c[strcspn(c, "/ ")] = 0;
        if (!cli_strv_has(&cats, c)) cli_strv_push(&cats, c);
    }
    for (size_t k = 0; k < cats.n; k++) {
        cli_strv rows = {0};
        for (size_t r = 0; r < p->rows.n; r++)
            if (!strncmp(p->rows.v[r], cats.v[k], strlen(cats.v[k])) && p->rows.v[r][strlen(cats.v[k])] == '/')
                cli_strv_push(&rows, p->rows.v[r]);
        char *bn = cli_fmt("%s-%s", name, cats.v[k]);
        if (rows.n) bars(p, baseline, rss, bn, &rows);
        free(bn);
        cli_strv_free(&rows);
    }
    cli_strv_free(&cats);
}

/* A lines plot from series the caller wrote into `dpath` (one block each). */
static void lines(plotctx *p, const char *name, const char *dpath, cli_strv *labels, cli_strv *adapters,
                  const char *title, const char *xl, const char *yl, int logx, int logy, const char *style,
                  const char *ymin, const char *ymax) {
    cli_strv vars = {0};
    add_str(&vars, "datafile", dpath);
    add_series_vars(&vars, labels, adapters, "nseries");
    add_str(&vars, "title", title);
    add_str(&vars, "xlabel", xl);
    add_str(&vars, "ylabel", yl);
    char *s;
    cli_strv_push(&vars, s = cli_fmt("logx=%d", logx)), free(s);
    cli_strv_push(&vars, s = cli_fmt("logy=%d", logy)), free(s);
    cli_strv_push(&vars, s = cli_fmt("style='%s'", style)), free(s);
    cli_strv_push(&vars, s = cli_fmt("ymin='%s'", ymin)), free(s);
    cli_strv_push(&vars, s = cli_fmt("ymax='%s'", ymax)), free(s);
    draw(p, "lines.gp", &vars, name);
    cli_strv_free(&vars);
}

static FILE *open_data(plotctx *p, const char *name, char **path) {
    *path = cli_fmt("%s/%s.dat", p->data, name);
    FILE *f = fopen(*path, "w");
    if (!f) fprintf(stderr, "heapbench plot: cannot write %s: %s\n", *path, strerror(errno));
    return f;
}

/* Workloads (rows without " threads=") that ran with a threads parameter. */
static void threaded_workloads(plotctx *p, cli_strv *wls) {
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(p->run, "results"), i, rec) {
        const char *w = json_string_value(json_object_get(rec, "workload"));
        if (is_ok(rec) && json_object_get(json_object_get(rec, "params"), "threads") && !cli_strv_has(wls, w))
            cli_strv_push(wls, w);
    }
}

static int is_ok_of(json_t *rec, const char *wl) {
    return is_ok(rec) && !strcmp(json_string_value(json_object_get(rec, "workload")), wl);
}

/* One series per column: "threads items_per_second median_ms" lines.
 * Returns 1 when every cell has items_per_second (a throughput plot). */
static int write_scaling(FILE *f, plotctx *p, const char *wl, const cli_strv *labels) {
    int thr = 1;
    size_t i;
    json_t *rec;
    for (size_t c = 0; c < labels->n; c++) {
        fprintf(f, "# %s\n", labels->v[c]);
        json_array_foreach(json_object_get(p->run, "results"), i, rec) {
            char cl[256];
            cli_rec_col(rec, cl, sizeof cl);
            if (!is_ok_of(rec, wl) || strcmp(cl, labels->v[c])) continue;
            double th = cli_rec_number(json_object_get(rec, "params"), "threads");
            double ips = cli_rec_number(rec, "items_per_second");
            if (!isfinite(ips)) thr = 0;
            fprintf(f, "%g %.6g %.6g\n", th, ips, cli_rec_number(json_object_get(rec, "real_time_ns"), "median") / 1e6);
        }
        fprintf(f, "\n\n");
    }
    return thr;
}

/* Time instead of throughput: rewrite columns 1:3 as 1:2. */
static void keep_time_column(const char *dpath) {
    char *txt = cli_read_file(dpath, NULL);
    FILE *g = txt ? fopen(dpath, "w") : NULL;
    for (char *line = strtok(txt, "\n"); g && line; line = strtok(NULL, "\n")) {
        double a, b, c2;
        if (line[0] == '#') fprintf(g, "\n\n");
        else if (sscanf(line, "%lf %lf %lf", &a, &b, &c2) == 3) fprintf(g, "%g %.6g\n", a, c2);
    }
    if (g) fclose(g);
    free(txt);
}

/* One workload's scaling plot, when it ran at two or more thread counts. */
static int scaling_one(plotctx *p, const char *wl) {
    cli_strv labels = {0}, adapters = {0}, counts = {0};
    size_t i;
    json_t *rec;
    int drawn = 0;
    json_array_foreach(json_object_get(p->run, "results"), i, rec) {
        if (!is_ok_of(rec, wl)) continue;
        char *t = cli_fmt("%lld", (long long)json_integer_value(json_object_get(json_object_get(rec, "params"), "threads")));
        if (!cli_strv_has(&counts, t)) cli_strv_push(&counts, t);
        free(t);
        char c[256], ab[256];
        cli_rec_col(rec, c, sizeof c);
        if (!cli_strv_has(&labels, c)) {
            cli_strv_push(&labels, c);
            cli_strv_push(&adapters, col_adapter(c, ab, sizeof ab));
        }
    }
    char sname[300], san[256], *dpath = NULL;
    cli_sanitize(wl, san, sizeof san);
    snprintf(sname, sizeof sname, "scaling-%s", san);
    FILE *f = counts.n >= 2 ? open_data(p, sname, &dpath) : NULL;
    if (f) {
        int thr = write_scaling(f, p, wl, &labels);
        fclose(f);
        if (!thr) keep_time_column(dpath);
        char *title = cli_fmt("%s: %s over threads", wl, thr ? "throughput" : "time");
        lines(p, sname, dpath, &labels, &adapters, title, "threads",
              thr ? "items per second" : "median time per iteration (ms)", 2, 0, "linespoints pt 7 ps 0.6", "0", "*");
        free(title);
        drawn = 1;
    }
    free(dpath);
    cli_strv_free(&labels), cli_strv_free(&adapters), cli_strv_free(&counts);
    return drawn;
}

static void scaling(plotctx *p) {
    cli_strv wls = {0};
    threaded_workloads(p, &wls);
    int any = 0;
    for (size_t k = 0; k < wls.n; k++) any |= scaling_one(p, wls.v[k]);
    if (!any) note("thread scaling", "no workload ran at two or more thread counts (use --threads 1,2,4)");
    cli_strv_free(&wls);
}

static void rss_timelines(plotctx *p) {
    int any = 0;
    for (size_t r = 0; r < p->rows.n; r++) {
        cli_strv labels = {0}, adapters = {0};
        char san[256], sname[300], *dpath = NULL, ab[256];
        cli_sanitize(p->rows.v[r], san, sizeof san);
        snprintf(sname, sizeof sname, "rss-timeline-%s", san);
        FILE *f = NULL;
        for (size_t c = 0; c < p->cols.n; c++) {
            json_t *x = cell(p, p->rows.v[r], p->cols.v[c]);
            json_t *tl = json_object_get(json_object_get(x, "counters"), "rss_timeline");
            if (json_array_size(tl) < 2) continue;
            if (!f && !(f = open_data(p, sname, &dpath))) break;
            cli_strv_push(&labels, p->cols.v[c]);
            cli_strv_push(&adapters, col_adapter(p->cols.v[c], ab, sizeof ab));
            size_t i;
            json_t *pt;
            json_array_foreach(tl, i, pt) fprintf(f, "%.6g %.6g\n", json_number_value(json_array_get(pt, 0)),
                                                  json_number_value(json_array_get(pt, 1)) / 1048576.0);
            fprintf(f, "\n\n");
        }
        if (f) {
            fclose(f);
            char *title = cli_fmt("%s: resident memory over the child's life", p->rows.v[r]);
            lines(p, sname, dpath, &labels, &adapters, title, "time since start (s)", "RSS (MiB)", 0, 0, "lines", "0", "*");
            free(title);
            any = 1;
        }
        free(dpath);
        cli_strv_free(&labels), cli_strv_free(&adapters);
    }
    if (!any) note("RSS over time", "no cell has an rss_timeline (run with --rss-sample-ms > 0)");
}

/* One row's collector timelines, one series per column that has them. */
typedef struct gc_series {
    cli_strv labels, adapters;
    cli_timeline *tls; /* tls[i] belongs to labels.v[i] */
    double maxrun, minpause;
} gc_series;

static void gc_collect(plotctx *p, const char *row, gc_series *g) {
    char ab[256];
    *g = (gc_series){.tls = calloc(p->cols.n, sizeof *g->tls), .minpause = INFINITY};
    for (size_t c = 0; c < p->cols.n; c++) {
        const char *ev = json_string_value(json_object_get(cell(p, row, p->cols.v[c]), "gc_events"));
        if (!ev) continue;
        char *path = cli_fmt("%s/%s", p->dir, ev);
        cli_timeline tl;
        if (cli_timeline_load(path, &tl) == 0 && tl.npauses > 0 && tl.nruns > 0) {
            g->tls[g->labels.n] = tl;
            cli_strv_push(&g->labels, p->cols.v[c]);
            cli_strv_push(&g->adapters, col_adapter(p->cols.v[c], ab, sizeof ab));
            for (size_t i = 0; i < tl.nruns; i++) g->maxrun = fmax(g->maxrun, tl.runs[i].end - tl.runs[i].start);
            for (size_t i = 0; i < tl.npauses; i++)
                g->minpause = fmin(g->minpause, tl.pauses[i].end - tl.pauses[i].start);
        } else if (tl.runs) {
            cli_timeline_free(&tl);
        }
        free(path);
    }
}

static void gc_series_free(gc_series *g) {
    for (size_t s = 0; s < g->labels.n; s++) cli_timeline_free(&g->tls[s]);
    free(g->tls);
    cli_strv_free(&g->labels), cli_strv_free(&g->adapters);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The cumulative distribution of one timeline's pause lengths (µs). */
static void write_pause_cdf(FILE *f, const cli_timeline *tl) {
    size_t n = tl->npauses;
    double *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++) d[i] = (tl->pauses[i].end - tl->pauses[i].start) * 1e6;
    qsort(d, n, sizeof *d, cmp_double);
    for (size_t i = 0; i < n; i++) fprintf(f, "%.6g %.6g\n", d[i] > 0 ? d[i] : 1e-3, (double)(i + 1) / (double)n);
    fprintf(f, "\n\n");
    free(d);
}

static void gc_pause_plot(plotctx *p, const char *row, const char *san, gc_series *g) {
    char sname[300], *dpath;
    snprintf(sname, sizeof sname, "pauses-%s", san);
    FILE *f = open_data(p, sname, &dpath);
    if (f) {
        for (size_t s = 0; s < g->labels.n; s++) write_pause_cdf(f, &g->tls[s]);
        fclose(f);
        char *title = cli_fmt("%s: collector pause times (cumulative distribution)", row);
        lines(p, sname, dpath, &g->labels, &g->adapters, title, "pause (µs)", "fraction of pauses ≤ x", 1, 0,
              "linespoints pt 7 ps 0.6", "0", "1.02");
        free(title);
    }
    free(dpath);
}

/* Minimum mutator utilization over 61 log-spaced windows, from a quarter of
 * the shortest pause to the longest run. */
static void gc_mmu_plot(plotctx *p, const char *row, const char *san, gc_series *g) {
    char sname[300], *dpath;
    snprintf(sname, sizeof sname, "mmu-%s", san);
    FILE *f = open_data(p, sname, &dpath);
    if (f) {
        double lo = isfinite(g->minpause) && g->minpause > 0 ? g->minpause / 4 : 1e-5;
        if (lo < 1e-6) lo = 1e-6;
        for (size_t s = 0; s < g->labels.n; s++) {
            for (int k = 0; k <= 60; k++) {
                double w = lo * pow(g->maxrun / lo, k / 60.0), m = cli_mmu(&g->tls[s], w);
                if (isfinite(m)) fprintf(f, "%.6g %.6g\n", w * 1e3, m);
            }
            fprintf(f, "\n\n");
        }
        fclose(f);
        char *title = cli_fmt("%s: minimum mutator utilization", row);
        lines(p, sname, dpath, &g->labels, &g->adapters, title, "window (ms)", "MMU", 1, 0, "lines", "0", "1.02");
        free(title);
    }
    free(dpath);
}

static void gc_plots(plotctx *p) {
    int any = 0;
    for (size_t r = 0; r < p->rows.n; r++) {
        gc_series g;
        gc_collect(p, p->rows.v[r], &g);
        if (g.labels.n) {
            char san[256];
            cli_sanitize(p->rows.v[r], san, sizeof san);
            gc_pause_plot(p, p->rows.v[r], san, &g);
            gc_mmu_plot(p, p->rows.v[r], san, &g);
            any = 1;
        }
        gc_series_free(&g);
    }
    if (!any) note("GC pauses and MMU", "no cell recorded collector pause events (adapters with cap pause-events)");
}

static void gogc(plotctx *p) {
    cli_strv wls = {0};
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(p->run, "results"), i, rec) {
        char row[512];
        cli_rec_row(rec, row, sizeof row);
        if (is_ok(rec) && json_is_integer(json_object_get(rec, "gogc")) && !cli_strv_has(&wls, row)) cli_strv_push(&wls, row);
    }
    int any = 0;
    for (size_t k = 0; k < wls.n; k++) {
        cli_strv labels = {0}, adapters = {0};
        json_array_foreach(json_object_get(p->run, "results"), i, rec) {
            char row[512];
            cli_rec_row(rec, row, sizeof row);
            const char *a = json_string_value(json_object_get(rec, "adapter"));
            if (is_ok(rec) && json_is_integer(json_object_get(rec, "gogc")) && !strcmp(row, wls.v[k]) && !cli_strv_has(&labels, a)) {
                cli_strv_push(&labels, a);
                cli_strv_push(&adapters, a);
            }
        }
        char san[256], sname[300], *dpath;
        cli_sanitize(wls.v[k], san, sizeof san);
        snprintf(sname, sizeof sname, "gogc-%s", san);
        FILE *f = open_data(p, sname, &dpath);
        int points = 0;
        for (size_t s = 0; f && s < labels.n; s++) {
            json_array_foreach(json_object_get(p->run, "results"), i, rec) {
                char row[512];
                cli_rec_row(rec, row, sizeof row);
                if (!is_ok(rec) || strcmp(row, wls.v[k]) || !json_is_integer(json_object_get(rec, "gogc")) ||
                    strcmp(json_string_value(json_object_get(rec, "adapter")), labels.v[s]))
                    continue;
                fprintf(f, "%.6g %.6g %lld\n", cli_rec_number(rec, "peak_rss_bytes") / 1048576.0,
                        cli_rec_number(json_object_get(rec, "real_time_ns"), "median") / 1e6,
                        (long long)json_integer_value(json_object_get(rec, "gogc")));
                points++;
            }
            fprintf(f, "\n\n");
        }
        if (f) fclose(f);
        if (f && points >= 2) {
            cli_strv vars = {0};
            add_str(&vars, "datafile", dpath);
            add_series_vars(&vars, &labels, &adapters, "nseries");
            char *title = cli_fmt("%s: GOGC time-space trade-off", wls.v[k]);
            add_str(&vars, "title", title);
            draw(p, "gogc.gp", &vars, sname);
            cli_strv_free(&vars);
            free(title);
            any = 1;
        }
        free(dpath);
        cli_strv_free(&labels), cli_strv_free(&adapters);
    }
    if (!any) note("GOGC trade-off", "no GOGC sweep in this run (heapbench run --gogc 25,50,100,200,400)");
    cli_strv_free(&wls);
}

/* Loads the run, checks gnuplot and its templates, makes RUN/plots/data:
 * 0, or 2 after saying what is missing (nothing is drawn then). */
static int plot_setup(plotctx *p, const char *in) {
    char err[2048];
    p->run = cli_run_load(in, err, sizeof err);
    if (!p->run) return cli_error("plot", "%s", err);
    if (cli_is_dir(in)) snprintf(p->dir, sizeof p->dir, "%s", in);
    else {
        char *c = strdup(in);
        snprintf(p->dir, sizeof p->dir, "%s", dirname(c));
        free(c);
    }
    const char *why = NULL;
    char tmpl[PATH_MAX + 16];
    snprintf(tmpl, sizeof tmpl, "%s/bars.gp", cli_plots_dir());
    snprintf(p->out, sizeof p->out, "%s/plots", p->dir);
    snprintf(p->data, sizeof p->data, "%s/data", p->out);
    snprintf(p->log, sizeof p->log, "%s/gnuplot.log", p->out);
    if (!cli_gnuplot_available()) why = "gnuplot is not installed (Debian: apt-get install gnuplot-nox)";
    else if (!cli_is_file(tmpl)) why = "no plot templates (set HB_PLOTS_DIR)";
    else if (cli_mkdir_p(p->data) != 0) why = strerror(errno);
    if (why) {
        json_decref(p->run);
        return cli_error("plot", "%s (templates %s, output %s)", why, cli_plots_dir(), p->data);
    }
    unlink(p->log);
    return CLI_EXIT_OK;
}

/* Every plot the run has data for, normalized to `baseline`. */
static void draw_all(plotctx *p, const char *baseline) {
    if (!baseline)
        baseline = json_string_value(json_object_get(json_object_get(json_object_get(p->run, "meta"), "config"), "baseline"));
    if (!baseline) baseline = "system";
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(p->run, "results"), i, rec) {
        if (!is_ok(rec)) continue;
        char r[512], c[256];
        cli_rec_row(rec, r, sizeof r);
        cli_rec_col(rec, c, sizeof c);
        if (!cli_strv_has(&p->rows, r)) cli_strv_push(&p->rows, r);
        if (!cli_strv_has(&p->cols, c)) cli_strv_push(&p->cols, c);
    }
    printf("heapbench plot: %s\n", p->out);
    overview(p, baseline, 0);
    overview(p, baseline, 1);
    scaling(p);
    rss_timelines(p);
    gc_plots(p);
    gogc(p);
    p->drawn += cli_an_plot_run(p->run, p->dir, p->out, p->data, p->fmts, p->log);
    printf("heapbench plot: %d files written\n", p->drawn);
}

enum { OPT_FORMAT = CLI_OPT_LONG_ONLY, OPT_BASELINE };

static const cli_opt plot_opts[] = {
    {"format", OPT_FORMAT, "LIST", "of png, svg, pdf, tex (cairolatex) (default png,svg,pdf)"},
    {"baseline", OPT_BASELINE, "ADAPTER", "normalize to this adapter (default: the run's, else system)"},
    {0},
};

const cli_cmd_spec cmd_plot_spec = {
    .name = "plot",
    .synopsis = "RUN [--format png,svg,pdf,tex] [--baseline ADAPTER]",
    .summary = "draw a run's plots with gnuplot",
    .opts = plot_opts,
    .epilog = "RUN is a run folder or its run.json; plots go to RUN/plots/ (data in\n"
              "RUN/plots/data, gnuplot's messages in RUN/plots/gnuplot.log).\n",
    .stop_at_operand = 0,
};

typedef struct plot_cfg {
    const char *formats, *baseline;
} plot_cfg;

static int on_opt(void *ctx, int key, const char *arg) {
    plot_cfg *c = ctx;
    if (key == OPT_FORMAT) c->formats = arg;
    else c->baseline = arg;
    return 0;
}

int cmd_plot(int argc, char **argv) {
    plotctx p = {0};
    plot_cfg cfg = {"png,svg,pdf", NULL};
    int first, rc = cli_opts_parse(&cmd_plot_spec, argc, argv, on_opt, &cfg, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (first >= argc) return cli_opts_usage_error(&cmd_plot_spec, "which run? (RUN missing)");
    if (first + 1 < argc)
        return cli_opts_usage_error(&cmd_plot_spec, "one run folder at a time ('%s' is extra)", argv[first + 1]);
    cli_strv fm = {0};
    cli_split(cfg.formats, ',', &fm);
    static const char *names[] = {"png", "svg", "pdf", "tex"};
    for (size_t k = 0; k < fm.n; k++) {
        size_t j = 0;
        while (j < 4 && strcmp(fm.v[k], names[j])) j++;
        if (j == 4) {
            cli_strv_free(&fm);
            return cli_error("plot", "--format takes png, svg, pdf and tex, not '%s'", cfg.formats);
        }
        p.fmts |= 1 << j;
    }
    cli_strv_free(&fm);
    if (!p.fmts) return cli_error("plot", "--format takes png, svg, pdf and tex, not '%s'", cfg.formats);
    if ((rc = plot_setup(&p, argv[first])) != CLI_EXIT_OK) return rc;
    draw_all(&p, cfg.baseline);
    cli_strv_free(&p.rows);
    cli_strv_free(&p.cols);
    json_decref(p.run);
    return p.drawn ? CLI_EXIT_OK : cli_error("plot", "nothing drawn (see %s)", p.log);
}
