/*
 * test_stats.c — the statistics of harness/cli/stats.c against known
 * values: scipy.stats.mannwhitneyu's documented example (exact and
 * asymptotic), exact tail probabilities counted by hand (2 / C(10, 5)),
 * the tie-corrected normal approximation, medians and geometric means,
 * and the coefficient of variation (numpy's std(ddof=1) / mean).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) < (eps))

static void scipy_docs_example(void **state) {
    (void)state;
    /* scipy docs: mannwhitneyu(males, females) -> U=17, p=0.1111111111111111
     * (exact); method="asymptotic" -> p=0.11134688653314041. */
    double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
    cli_utest u;
    assert_int_equal(cli_mann_whitney(males, 5, females, 4, &u), 0);
    assert_true(u.exact);
    NEAR(u.u, 17.0, 1e-12);
    NEAR(u.p, 0.1111111111111111, 1e-12);
    assert_int_equal(cli_mann_whitney_method(males, 5, females, 4, 0, &u), 0);
    assert_false(u.exact);
    NEAR(u.p, 0.11134688653314041, 1e-9);
}

static void exact_separated_samples(void **state) {
    (void)state;
    double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
    cli_utest u;
    cli_mann_whitney(a, 5, b, 5, &u);
    NEAR(u.u, 0, 1e-12);
    NEAR(u.p, 2.0 / 252.0, 1e-12); /* the most extreme of C(10,5) = 252 */
    NEAR(u.p_best, 2.0 / 252.0, 1e-12);
    cli_mann_whitney(b, 5, a, 5, &u); /* two-sided: symmetric */
    NEAR(u.u, 25, 1e-12);
    NEAR(u.p, 2.0 / 252.0, 1e-12);
    /* 3 against 3 can never reach 0.05: 2 / C(6,3) = 0.1 at best. */
    cli_mann_whitney(a, 3, b, 3, &u);
    NEAR(u.p, 0.1, 1e-12);
    NEAR(u.p_best, 0.1, 1e-12);
    /* identical samples: p = 1 (clipped) */
    cli_mann_whitney(a, 5, a, 5, &u);
    NEAR(u.p, 1.0, 1e-12);
}

static void exact_middle_of_distribution(void **state) {
    (void)state;
    /* n1 = n2 = 3: U counts over the 20 arrangements are
     * 1,1,2,3,3,3,3,2,1,1 for U = 0..9. */
    double x[] = {1, 2, 5}, y[] = {3, 4, 6};
    cli_utest u;
    cli_mann_whitney(x, 3, y, 3, &u);
    NEAR(u.u, 2, 1e-12);
    /* U1 = 2 (5 beats 3 and 4), U = 7: P(U >= 7) = (2+1+1)/20 = 0.2 */
    NEAR(u.p, 0.4, 1e-12);
}

static void ties_use_normal_approximation(void **state) {
    (void)state;
    /* Tie-corrected, continuity-corrected normal approximation (scipy's
     * formula): U1 = 2.5, p = 0.019602774700662587. */
    double x[] = {1, 2, 2, 3}, y[] = {2, 3, 4, 5, 5, 6, 7, 8, 9};
    cli_utest u;
    cli_mann_whitney(x, 4, y, 9, &u);
    assert_false(u.exact);
    NEAR(u.u, 2.5, 1e-12);
    NEAR(u.p, 0.019602774700662587, 1e-9);
    /* Both larger than 8: asymptotic even with ties inside. */
    double a[9], b[10];
    for (int i = 0; i < 9; i++) a[i] = i + 1;
    for (int i = 0; i < 10; i++) b[i] = i + 5;
    cli_mann_whitney(a, 9, b, 10, &u);
    assert_false(u.exact);
    NEAR(u.u, 12.5, 1e-12);
    NEAR(u.p, 0.008830751328240493, 1e-9);
}

static void empty_sample_is_an_error(void **state) {
    (void)state;
    double a[] = {1};
    cli_utest u;
    assert_int_equal(cli_mann_whitney(a, 1, a, 0, &u), -1);
}

static void medians_and_means(void **state) {
    (void)state;
    double odd[] = {5, 1, 3}, even[] = {4, 1, 3, 2};
    NEAR(cli_median(odd, 3), 3, 1e-12);
    NEAR(cli_median(even, 4), 2.5, 1e-12);
    assert_true(isnan(cli_median(odd, 0)));
    NEAR(cli_min(odd, 3), 1, 1e-12);
    NEAR(cli_max(odd, 3), 5, 1e-12);
    double r[] = {2, 8, NAN, -1};
    NEAR(cli_geomean(r, 4), 4, 1e-12); /* non-positive and NaN skipped */
}

static void coefficient_of_variation(void **state) {
    (void)state;
    /* statistics.stdev(x) / statistics.mean(x) = 0.42761798705987904 */
    double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    NEAR(cli_cv(x, 8), 0.42761798705987904, 1e-12);
    /* the e2e fixtures' spread: 100..104 ns is 1.55 %, quiet */
    double quiet[] = {100, 101, 102, 103, 104};
    NEAR(cli_cv(quiet, 5), 0.015501361079256763, 1e-12);
    assert_false(cli_cv(quiet, 5) > CLI_NOISY_CV);
    double noisy[] = {80, 100, 120, 90, 110};
    assert_true(cli_cv(noisy, 5) > CLI_NOISY_CV);
    double same[] = {7, 7, 7};
    NEAR(cli_cv(same, 3), 0, 1e-15);
    /* undefined under two values or with a non-positive mean */
    assert_true(isnan(cli_cv(x, 1)));
    assert_true(isnan(cli_cv(x, 0)));
    double neg[] = {-1, -2};
    assert_true(isnan(cli_cv(neg, 2)));
}

/* Order-statistic 95 % intervals of the median against the binomial tables
 * (Conover, Practical Nonparametric Statistics, table A3; computed with
 * scipy.stats.binom): n = 20 -> x(6)..x(15), coverage 0.958611; n = 100 ->
 * x(40)..x(61), 0.964800; n = 10 -> x(2)..x(9), 0.978516; n = 5 reaches no
 * 95 % pair -> min..max, 1 - 2/32. */
static void median_confidence_interval(void **state) {
    (void)state;
    double x[100], lo, hi;
    for (int i = 0; i < 100; i++) x[i] = (double)((i * 37) % 100 + 1); /* 1..100 shuffled */
    NEAR(cli_median_ci(x, 100, 0.95, &lo, &hi), 0.9647997997822951, 1e-9);
    NEAR(lo, 40, 1e-12), NEAR(hi, 61, 1e-12);
    double y[20];
    for (int i = 0; i < 20; i++) y[i] = (double)(20 - i) * 1.5; /* x(k) = 1.5 k */
    NEAR(cli_median_ci(y, 20, 0.95, &lo, &hi), 0.9586105346679688, 1e-9);
    NEAR(lo, 6 * 1.5, 1e-12), NEAR(hi, 15 * 1.5, 1e-12);
    NEAR(cli_median_ci(y, 10, 0.95, &lo, &hi), 0.978515625, 1e-12);
    NEAR(lo, 12 * 1.5, 1e-12), NEAR(hi, 19 * 1.5, 1e-12); /* y[0..9] = 30..16.5: x(2) = 18, x(9) = 28.5 */
    double five[] = {5, 1, 4, 2, 3};
    NEAR(cli_median_ci(five, 5, 0.95, &lo, &hi), 0.9375, 1e-12);
    NEAR(lo, 1, 1e-12), NEAR(hi, 5, 1e-12);
    assert_true(isnan(cli_median_ci(five, 0, 0.95, &lo, &hi)) && isnan(lo) && isnan(hi));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scipy_docs_example),       cmocka_unit_test(exact_separated_samples),
        cmocka_unit_test(exact_middle_of_distribution), cmocka_unit_test(ties_use_normal_approximation),
        cmocka_unit_test(empty_sample_is_an_error), cmocka_unit_test(medians_and_means),
        cmocka_unit_test(coefficient_of_variation), cmocka_unit_test(median_confidence_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
