/*
 * ptable.h — one metric of a run as a workload × adapter table with the
 * numbers a paper needs: each ok cell's median, the order-statistic 95 %
 * confidence interval of that median (stats.h cli_median_ci), its ratio to
 * the baseline adapter, whether it is noisy (CV above CLI_NOISY_CV), and the
 * geometric mean of ratios per adapter. The same rows, columns and medians
 * as report.md, so `heapbench report --format latex|csv|html` and report.md
 * never disagree.
 */
#ifndef HEAPBENCH_CLI_PTABLE_H
#define HEAPBENCH_CLI_PTABLE_H

#include <jansson.h>

#include "util.h"

#define CLI_CI_CONF 0.95

typedef struct cli_ptab {
    int rss;              /* 0: median real time per iteration (ns); 1: peak RSS (bytes, one value) */
    cli_strv rows, cols;   /* workloads (rows) and adapters (columns) of every cell, ok or not */
    size_t base;          /* the baseline's column; cols.n when the run has none */
    double *med, *lo, *hi; /* rows.n × cols.n, NaN where no ok cell; lo/hi NaN for RSS */
    double *cover;        /* the coverage each cell's interval reaches (depends on n only) */
    char *noisy;
    size_t nmin, nmax;    /* fewest and most repetitions of an ok cell */
    double cover_min;     /* the smallest coverage an interval reached (1 when none) */
} cli_ptab;

/* Fills t from run's results; baseline NULL: the run's, else "system". */
void cli_ptab_build(cli_ptab *t, json_t *run, const char *baseline, int rss);
void cli_ptab_free(cli_ptab *t);
/* The value at (r, c) over the baseline's in row r (NaN without one). */
double cli_ptab_ratio(const cli_ptab *t, size_t r, size_t c, double v);
/* Geometric mean over rows of column c's ratio to the baseline. */
double cli_ptab_geomean(const cli_ptab *t, size_t c);
/* The column with the smallest median in row r (cols.n when none). */
size_t cli_ptab_best(const cli_ptab *t, size_t r);
/* The run's baseline: meta.config.baseline, else "system". */
const char *cli_run_baseline(json_t *run);
/* "1.23 ms", "12.5 MiB": a value in human units (time in ns, or bytes). */
void cli_human(double v, int bytes, char *buf, size_t len);

#endif
