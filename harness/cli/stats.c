/*
 * stats.c — medians, geometric means and the Mann–Whitney U test (stats.h).
 *
 * The exact null distribution of U counts, for sizes (n1, n2), the ways of
 * choosing which n1 of the n1+n2 ranks belong to the first sample with rank
 * sum giving each U; it is built by the classic recurrence
 *   c(u; m, n) = c(u - n; m - 1, n) + c(u; m, n - 1)
 * and p = 2 * P(U >= max(U1, U2)), clipped to 1 (scipy's method="exact").
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double cli_median(const double *x, size_t n) {
    if (n == 0) return NAN;
    double *s = malloc(n * sizeof *s);
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m;
}

/* P(B <= j) for B ~ Binomial(n, 1/2), summed in logs so n may be large. */
static double binom_half_cdf(size_t n, size_t j) {
    double s = 0;
    for (size_t i = 0; i <= j; i++)
        s += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) - (double)n * log(2.0));
    return s;
}

double cli_median_ci(const double *x, size_t n, double conf, double *lo, double *hi) {
    *lo = *hi = NAN;
    if (n == 0) return NAN;
    double tail = (1 - conf) / 2;
    size_t k = 1; /* 1-based lower order statistic; grows while P(B <= k) stays in the tail */
    while (k < n / 2 && binom_half_cdf(n, k) <= tail) k++;
    if (binom_half_cdf(n, k - 1) > tail) k = 1; /* too few values: the whole range */
    double *s = malloc(n * sizeof *s);
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    *lo = s[k - 1], *hi = s[n - k];
    free(s);
    return n == 1 ? 0 : 1 - 2 * binom_half_cdf(n, k - 1);
}

double cli_min(const double *x, size_t n) {
    double m = n ? x[0] : NAN;
    for (size_t i = 1; i < n; i++)
        if (x[i] < m) m = x[i];
    return m;
}

double cli_max(const double *x, size_t n) {
    double m = n ? x[0] : NAN;
    for (size_t i = 1; i < n; i++)
        if (x[i] > m) m = x[i];
    return m;
}

double cli_geomean(const double *x, size_t n) {
    double s = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && x[i] > 0) s += log(x[i]), k++;
    return k ? exp(s / (double)k) : NAN;
}

/* P(U >= u) under H0 for sizes m, n (exact). */
double cli_cv(const double *x, size_t n) {
    if (n < 2) return NAN;
    double mean = 0, ss = 0;
    for (size_t i = 0; i < n; i++) mean += x[i];
    mean /= (double)n;
    if (!(mean > 0)) return NAN;
    for (size_t i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
    return sqrt(ss / (double)(n - 1)) / mean;
}

static double exact_sf(double u, size_t m, size_t n) {
    if (m > n) { /* the distribution is symmetric in the roles: keep m small */
        size_t t = m;
        m = n;
        n = t;
    }
    size_t maxu = m * n;
    /* c[j][k]: counts for sizes (j, current n') at U = k; iterate n' up. */
    double **c = malloc((m + 1) * sizeof *c);
    for (size_t j = 0; j <= m; j++) c[j] = calloc(maxu + 1, sizeof **c);
    /* n' = 0: only U = 0, one way, for every j. */
    for (size_t j = 0; j <= m; j++) c[j][0] = 1;
    for (size_t nn = 1; nn <= n; nn++) {
        /* c(u; j, nn) = c(u - nn; j - 1, nn) + c(u; j, nn - 1); go j up so
         * c[j-1] already holds size nn while c[j] still holds nn - 1. */
        for (size_t j = 1; j <= m; j++)
            for (size_t k = maxu + 1; k-- > 0;) {
                double add = k >= nn ? c[j - 1][k - nn] : 0;
                c[j][k] += add;
            }
    }
    double total = 0, tail = 0;
    for (size_t k = 0; k <= maxu; k++) {
        total += c[m][k];
        if ((double)k >= u - 1e-9) tail += c[m][k];
    }
    for (size_t j = 0; j <= m; j++) free(c[j]);
    free(c);
    return tail / total;
}

static double norm_sf(double z) { return 0.5 * erfc(z / sqrt(2.0)); }

int cli_mann_whitney(const double *x, size_t n1, const double *y, size_t n2, cli_utest *out) {
    return cli_mann_whitney_method(x, n1, y, n2, -1, out);
}

int cli_mann_whitney_method(const double *x, size_t n1, const double *y, size_t n2, int method, cli_utest *out) {
    if (n1 == 0 || n2 == 0) return -1;
    size_t n = n1 + n2;
    struct item {
        double v;
        int first;
    } *all = malloc(n * sizeof *all);
    for (size_t i = 0; i < n1; i++) all[i] = (struct item){x[i], 1};
    for (size_t i = 0; i < n2; i++) all[n1 + i] = (struct item){y[i], 0};
    /* sort by value (insertion sort: samples are small) */
    for (size_t i = 1; i < n; i++) {
        struct item t = all[i];
        size_t j = i;
        while (j > 0 && all[j - 1].v > t.v) all[j] = all[j - 1], j--;
        all[j] = t;
    }
    double r1 = 0, tie_term = 0;
    int ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].v == all[i].v) j++;
        double rank = (double)(i + j + 2) / 2.0; /* average of ranks i+1..j+1 */
        size_t t = j - i + 1;
        if (t > 1) {
            ties = 1;
            tie_term += (double)t * t * t - (double)t;
        }
        for (size_t k = i; k <= j; k++)
            if (all[k].first) r1 += rank;
        i = j + 1;
    }
    free(all);
    double u1 = r1 - (double)n1 * (double)(n1 + 1) / 2.0;
    double u2 = (double)n1 * (double)n2 - u1;
    double u = u1 > u2 ? u1 : u2;
    out->u = u1;
    /* scipy's method="auto": asymptotic when both samples exceed 8 values
     * or when there are ties, exact otherwise. */
    out->exact = method >= 0 ? method : !(n1 > 8 && n2 > 8) && !ties;
    double mu = (double)n1 * (double)n2 / 2.0;
    double nn = (double)n;
    if (out->exact) {
        out->p = 2.0 * exact_sf(u, n1, n2);
        out->p_best = 2.0 * exact_sf((double)(n1 * n2), n1, n2);
    } else {
        double s = sqrt((double)n1 * (double)n2 / 12.0 * ((nn + 1) - tie_term / (nn * (nn - 1))));
        out->p = s > 0 ? 2.0 * norm_sf((u - mu - 0.5) / s) : 1.0;
        double s0 = sqrt((double)n1 * (double)n2 / 12.0 * (nn + 1));
        out->p_best = 2.0 * norm_sf(((double)(n1 * n2) - mu - 0.5) / s0);
        if (!(n1 > 8 && n2 > 8)) out->p_best = 2.0 * exact_sf((double)(n1 * n2), n1, n2);
    }
    if (out->p > 1) out->p = 1;
    if (out->p_best > 1) out->p_best = 1;
    return 0;
}
