/*
 * stats.h — the statistics heapbench reports: medians and ranges of
 * repetitions, geometric means of ratios, and the two-sided Mann–Whitney U
 * test that `compare` uses, computed as scipy.stats.mannwhitneyu does (the
 * test Google Benchmark's compare.py runs): the exact distribution unless
 * both samples exceed 8 values or there are ties, otherwise the normal
 * approximation with tie correction and continuity correction.
 */
#ifndef HEAPBENCH_CLI_STATS_H
#define HEAPBENCH_CLI_STATS_H

#include <stddef.h>

double cli_median(const double *x, size_t n); /* NaN when n == 0 */
double cli_min(const double *x, size_t n);
double cli_max(const double *x, size_t n);
/* Geometric mean of the positive finite values; NaN when there are none. */
double cli_geomean(const double *x, size_t n);
/* Coefficient of variation: the sample standard deviation (n - 1) over the
 * mean, as a fraction (0.05 = 5 %). NaN when n < 2 or the mean is not
 * positive. How noisy a cell's repetitions are. */
double cli_cv(const double *x, size_t n);
/* The distribution-free confidence interval of the median by order
 * statistics: [x(k), x(n+1-k)] of the sorted sample with the largest k for
 * which P(B < k) <= (1 - conf) / 2, B ~ Binomial(n, 1/2), so the interval
 * covers the true median with probability >= conf. Under 6 values no pair
 * reaches 95 %: the interval is then [min, max]. Sets *lo and *hi and returns
 * the coverage the chosen pair achieves (n = 20, conf 0.95: x(6), x(15),
 * 0.9586); NaN (and NaN bounds) when n == 0. */
double cli_median_ci(const double *x, size_t n, double conf, double *lo, double *hi);
/* Above this CV a cell is called noisy (report.md, compare). */
#define CLI_NOISY_CV 0.05

typedef struct cli_utest {
    double u;       /* U statistic of the first sample (scipy's U1) */
    double p;       /* two-sided p-value */
    int exact;      /* 1: exact distribution, 0: normal approximation */
    double p_best;  /* the smallest p any outcome of these sizes could give */
} cli_utest;

/* Mann–Whitney U test of x (n1 values) against y (n2). Returns 0, or -1
 * when a sample is empty. */
int cli_mann_whitney(const double *x, size_t n1, const double *y, size_t n2, cli_utest *out);
/* The same with the method forced: 1 exact, 0 normal approximation, -1 auto. */
int cli_mann_whitney_method(const double *x, size_t n1, const double *y, size_t n2, int method, cli_utest *out);

#endif
