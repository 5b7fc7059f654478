/*
 * ptable.c — a run's metric as a table with confidence intervals (ptable.h).
 * Invariant: rows and cols are in the order cells first appear in the run,
 * the same order report.md uses.
 */
#include "ptable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "stats.h"

const char *cli_run_baseline(json_t *run) {
    const char *b =
        json_string_value(json_object_get(json_object_get(json_object_get(run, "meta"), "config"), "baseline"));
    return b ? b : "system";
}

void cli_human(double v, int bytes, char *buf, size_t len) {
    if (!isfinite(v)) snprintf(buf, len, "—");
    else if (bytes && v < 1 << 20) snprintf(buf, len, "%.0f KiB", v / 1024);
    else if (bytes && v < 1 << 30) snprintf(buf, len, "%.1f MiB", v / 1048576);
    else if (bytes) snprintf(buf, len, "%.2f GiB", v / 1073741824);
    else if (v < 1e3) snprintf(buf, len, "%.3g ns", v);
    else if (v < 1e6) snprintf(buf, len, "%.3g µs", v / 1e3);
    else if (v < 1e9) snprintf(buf, len, "%.3g ms", v / 1e6);
    else snprintf(buf, len, "%.3g s", v / 1e9);
}

static void ptab_cell(cli_ptab *t, json_t *rec, size_t k) {
    size_t n;
    double *x = cli_rec_samples(rec, "real_time_ns", &n);
    if (n < t->nmin) t->nmin = n;
    if (n > t->nmax) t->nmax = n;
    if (t->rss) {
        t->med[k] = cli_rec_number(rec, "peak_rss_bytes");
    } else {
        t->med[k] = cli_rec_number(json_object_get(rec, "real_time_ns"), "median");
        double cover = t->cover[k] = cli_median_ci(x, n, CLI_CI_CONF, &t->lo[k], &t->hi[k]);
        if (isfinite(cover) && cover < t->cover_min) t->cover_min = cover;
        t->noisy[k] = cli_cv(x, n) > CLI_NOISY_CV;
    }
    free(x);
}

void cli_ptab_build(cli_ptab *t, json_t *run, const char *baseline, int rss) {
    *t = (cli_ptab){.rss = rss, .nmin = (size_t)-1, .cover_min = 1};
    if (!baseline) baseline = cli_run_baseline(run);
    size_t i;
    json_t *rec, *results = json_object_get(run, "results");
    char row[512], col[256];
    json_array_foreach(results, i, rec) {
        cli_rec_row(rec, row, sizeof row), cli_rec_col(rec, col, sizeof col);
        if (!cli_strv_has(&t->rows, row)) cli_strv_push(&t->rows, row);
        if (!cli_strv_has(&t->cols, col)) cli_strv_push(&t->cols, col);
    }
    size_t cells = t->rows.n * t->cols.n + 1;
    t->med = malloc(cells * sizeof *t->med), t->lo = malloc(cells * sizeof *t->lo);
    t->hi = malloc(cells * sizeof *t->hi), t->noisy = calloc(cells, 1);
    t->cover = malloc(cells * sizeof *t->cover);
    for (size_t k = 0; k < cells; k++) t->med[k] = t->lo[k] = t->hi[k] = t->cover[k] = NAN;
    json_array_foreach(results, i, rec) {
        const char *st = json_string_value(json_object_get(rec, "status"));
        if (!st || strcmp(st, "ok")) continue;
        cli_rec_row(rec, row, sizeof row), cli_rec_col(rec, col, sizeof col);
        size_t r = 0, c = 0;
        while (strcmp(t->rows.v[r], row)) r++;
        while (strcmp(t->cols.v[c], col)) c++;
        ptab_cell(t, rec, r * t->cols.n + c);
    }
    if (t->nmin == (size_t)-1) t->nmin = 0;
    for (t->base = 0; t->base < t->cols.n && strcmp(t->cols.v[t->base], baseline); t->base++) {}
}

void cli_ptab_free(cli_ptab *t) {
    free(t->med), free(t->lo), free(t->hi), free(t->noisy), free(t->cover);
    cli_strv_free(&t->rows), cli_strv_free(&t->cols);
}

double cli_ptab_ratio(const cli_ptab *t, size_t r, size_t c, double v) {
    (void)c;
    if (t->base == t->cols.n) return NAN;
    double b = t->med[r * t->cols.n + t->base];
    return isfinite(b) && b > 0 ? v / b : NAN;
}

double cli_ptab_geomean(const cli_ptab *t, size_t c) {
    double *x = malloc((t->rows.n + 1) * sizeof *x);
    for (size_t r = 0; r < t->rows.n; r++) x[r] = cli_ptab_ratio(t, r, c, t->med[r * t->cols.n + c]);
    double g = cli_geomean(x, t->rows.n);
    free(x);
    return g;
}

size_t cli_ptab_best(const cli_ptab *t, size_t r) {
    size_t best = t->cols.n;
    for (size_t c = 0; c < t->cols.n; c++) {
        double v = t->med[r * t->cols.n + c];
        if (isfinite(v) && (best == t->cols.n || v < t->med[r * t->cols.n + best])) best = c;
    }
    return best;
}
