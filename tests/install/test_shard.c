/*
 * test_shard.c — cmocka test of --shard K/N (harness/cli/runplan.c): the
 * parser's accepted and refused forms, and that for every N the N slices
 * of a plan are disjoint, cover it, keep its order, differ in size by at
 * most one, and are the same on every call (deterministic).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runplan.h"

static void parse_forms(void **state) {
    (void)state;
    int k = 0, n = 0;
    assert_int_equal(cli_shard_parse("1/3", &k, &n), 0);
    assert_int_equal(k, 1);
    assert_int_equal(n, 3);
    assert_int_equal(cli_shard_parse("3/3", &k, &n), 0);
    assert_int_equal(cli_shard_parse("1/1", &k, &n), 0);
    const char *bad[] = {"0/3", "4/3", "3", "/3", "1/", "1/0", "a/b", "1/3x", "-1/3", "1/100001", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        k = n = 77;
        assert_int_equal(cli_shard_parse(bad[i], &k, &n), -1);
        assert_int_equal(k, 77); /* untouched on refusal */
    }
}

enum { NCELLS = 23 };

static void plan(cli_cell *cells) {
    memset(cells, 0, NCELLS * sizeof *cells);
    for (int i = 0; i < NCELLS; i++) snprintf(cells[i].id, sizeof cells[i].id, "cell%02d", i);
}

static void slices_partition(void **state) {
    (void)state;
    cli_cell cells[NCELLS], again[NCELLS];
    for (int n = 1; n <= NCELLS + 2; n++) {
        int seen[NCELLS] = {0};
        long total = 0, lo = NCELLS, hi = 0;
        for (int k = 1; k <= n; k++) {
            plan(cells), plan(again);
            long m = cli_plan_shard(cells, NCELLS, k, n);
            assert_int_equal(cli_plan_shard(again, NCELLS, k, n), m);
            int prev = -1;
            for (long i = 0; i < m; i++) {
                assert_string_equal(cells[i].id, again[i].id);
                int idx = atoi(cells[i].id + 4);
                assert_true(idx > prev); /* plan order kept */
                prev = idx;
                seen[idx]++;
            }
            total += m;
            lo = m < lo ? m : lo;
            hi = m > hi ? m : hi;
        }
        assert_int_equal(total, NCELLS);
        for (int i = 0; i < NCELLS; i++) assert_int_equal(seen[i], 1); /* disjoint and covering */
        assert_true(hi - lo <= 1);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(parse_forms), cmocka_unit_test(slices_partition)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
