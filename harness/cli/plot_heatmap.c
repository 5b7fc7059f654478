/*
 * plot_heatmap.c — the main figure of a run (plots/heatmap.gp): a
 * workload × adapter grid coloured by each cell's ratio to the baseline
 * (log2 scale) with the ratio printed in the cell (the baseline's own
 * value in the row's name), so 33 workloads × 9
 * adapters stay readable at one column width where 297 bars did not.
 * Numbers come from ptable.c, the same as report.md's tables.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"
#include "plot_heatmap.h"
#include "ptable.h"

/* A gnuplot data string: double quotes become single. */
static void qstr(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) fputc(*s == '"' ? '\'' : *s, f);
    fputc('"', f);
}

/* Writes the grid (first row on top; the baseline's column and the rows it
 * has no value in left out) and returns the colour limit; the longest row
 * name's length, with the baseline's value and without, in *longest and
 * *longname; the number of rows in *nrows. */
static double write_grid(FILE *f, const cli_ptab *t, size_t *longest, size_t *longname, size_t *nrows) {
    double lim = 0.5;
    fprintf(f, "# x y log2(ratio) text \"row (value)\" column row\n");
    size_t y = 0;
    for (size_t r = 0; r < t->rows.n; r++) y += isfinite(t->med[r * t->cols.n + t->base]);
    *nrows = y;
    for (size_t r = 0; r < t->rows.n; r++) {
        if (!isfinite(t->med[r * t->cols.n + t->base])) continue; /* nothing to divide by */
        y--;
        char row[640], abs[64];
        cli_human(t->med[r * t->cols.n + t->base], t->rss, abs, sizeof abs);
        snprintf(row, sizeof row, "%s (%s)", t->rows.v[r], abs);
        if (strlen(row) > *longest) *longest = strlen(row);
        if (strlen(t->rows.v[r]) > *longname) *longname = strlen(t->rows.v[r]);
        for (size_t c = 0, x = 1; c < t->cols.n; c++) {
            if (c == t->base) continue;
            double v = t->med[r * t->cols.n + c], q = cli_ptab_ratio(t, r, c, v);
            char txt[64] = "–";
            if (isfinite(q)) snprintf(txt, sizeof txt, q >= 9.95 ? "%.0f" : "%.2f", q); /* fits the cell */
            fprintf(f, "%zu %zu ", x++, y + 1);
            if (isfinite(q) && q > 0) {
                fprintf(f, "%.6g ", log2(q));
                lim = fmax(lim, fabs(log2(q)));
            } else {
                fputs("? ", f);
            }
            qstr(f, txt), fputc(' ', f), qstr(f, row), fputc(' ', f), qstr(f, t->cols.v[c]), fputc(' ', f);
            qstr(f, t->rows.v[r]), fputc('\n', f);
        }
    }
    return fmin(lim, 3);
}

static void push(cli_strv *v, char *s) {
    cli_strv_push(v, s);
    free(s);
}

int cli_plot_heatmap(json_t *run, const char *baseline, int rss, const char *dpath, const char *outbase, int fmts,
                    const char *log) {
    cli_ptab t;
    cli_ptab_build(&t, run, baseline, rss);
    FILE *f = t.base < t.cols.n && t.cols.n > 1 ? fopen(dpath, "w") : NULL;
    size_t nrows = 0;
    int n = 0;
    if (f) {
        size_t longrow = 0, longname = 0;
        double lim = write_grid(f, &t, &longrow, &longname, &nrows);
        fclose(f);
        if (nrows == 0) { /* the baseline ran nothing: no ratio to draw */
            cli_ptab_free(&t);
            return 0;
        }
        size_t longest = 0;
        for (size_t c = 0; c < t.cols.n; c++) longest = strlen(t.cols.v[c]) > longest ? strlen(t.cols.v[c]) : longest;
        cli_strv vars = {0};
        char *q = cli_gp_str(dpath);
        push(&vars, cli_fmt("datafile=%s", q));
        free(q);
        push(&vars, cli_fmt("nrows=%zu; ncols=%zu; lim=%g; tm=%g; lname=%zu", nrows, t.cols.n - 1, lim,
                           2 + 0.75 * (double)longest, longname));
        q = cli_gp_str(rss ? "Peak RSS relative to " : "Median time relative to ");
        char *b = cli_gp_str(t.cols.v[t.base]);
        push(&vars, cli_fmt("title=%s.%s", q, b));
        free(q), free(b);
        q = cli_gp_str(rss ? "peak RSS / baseline (log scale)" : "time / baseline (log scale)");
        push(&vars, cli_fmt("cblabel=%s", q));
        free(q);
        /* ~ one text line per row, plus room for the adapters' names */
        double h = (0.6 + 0.12 * (double)nrows + 0.05 * (double)longest) / 2.4;
        n = cli_gnuplot_sized("heatmap.gp", &vars, outbase, fmts, log, h < 1 ? 1 : h);
        cli_strv_free(&vars);
    }
    cli_ptab_free(&t);
    return n;
}
