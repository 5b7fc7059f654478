/*
 * test_runplan.c — cli_plan_cells over hand-made `info` documents: the
 * cells it expands to, and what it refuses before any cell runs — a
 * --param or --threads value outside the declared range (the message names
 * the parameter, the range and the workload), a --preset that is neither
 * quick, full, nor listed in a selected workload's "presets" (accepted
 * when one does), an unknown workload or parameter.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runplan.h"

/* Two workloads: heap/a (live 1..100), conc/b (threads 1..8, presets
 * ["classic", {"name": "big"}]). */
static json_t *info(void) {
    return json_pack("{s:s,s:[],s:[{s:s,s:s,s:b,s:[{s:s,s:i,s:i,s:i,s:i}]},"
                     "{s:s,s:s,s:b,s:[s,{s:s}],s:[{s:s,s:i,s:i,s:i,s:i}]}]}",
                     "name", "system", "caps", "workloads",
                     "name", "heap/a", "category", "heap", "supported", 1, "params",
                     "name", "live", "quick", 10, "full", 50, "min", 1, "max", 100,
                     "name", "conc/b", "category", "conc", "supported", 1, "presets", "classic", "name", "big",
                     "params", "name", "threads", "quick", 2, "full", 4, "min", 1, "max", 8);
}

typedef struct plan {
    cli_run_config c;
    json_t *infos[1];
    cli_cell *cells;
    char err[512];
} plan;

static long run_plan(plan *p) {
    p->infos[0] = info();
    if (!p->c.preset) p->c.preset = "quick";
    cli_strv_push(&p->c.adapters, "system");
    long n = cli_plan_cells(&p->c, p->infos, &p->cells, p->err, sizeof p->err);
    return n;
}

static void done(plan *p) {
    free(p->cells);
    json_decref(p->infos[0]);
    cli_strv_free(&p->c.adapters), cli_strv_free(&p->c.workloads), cli_strv_free(&p->c.threads);
    cli_strv_free(&p->c.params);
}

static void expands_threads(void **state) {
    (void)state;
    plan p = {0};
    cli_strv_push(&p.c.threads, "1");
    cli_strv_push(&p.c.threads, "8");
    assert_int_equal(run_plan(&p), 3); /* heap/a once, conc/b at 1 and 8 threads */
    assert_string_equal(p.cells[1].id, "system__conc_b__t1");
    assert_string_equal(p.cells[2].id, "system__conc_b__t8");
    done(&p);
}

static void param_out_of_range(void **state) {
    (void)state;
    plan p = {0};
    cli_strv_push(&p.c.params, "live=0");
    assert_int_equal(run_plan(&p), -1);
    assert_string_equal(p.err, "--param: live=0 is out of range for workload heap/a: live takes 1..100");
    done(&p);
    plan q = {0};
    cli_strv_push(&q.c.params, "live=100");
    assert_int_equal(run_plan(&q), 2);
    done(&q);
}

static void threads_out_of_range(void **state) {
    (void)state;
    plan p = {0};
    cli_strv_push(&p.c.threads, "9");
    assert_int_equal(run_plan(&p), -1);
    assert_string_equal(p.err, "--threads: threads=9 is out of range for workload conc/b: threads takes 1..8");
    done(&p);
}

static void presets(void **state) {
    (void)state;
    const char *ok[] = {"quick", "full", "classic", "big"};
    for (size_t i = 0; i < 4; i++) {
        plan p = {.c.preset = ok[i]};
        assert_int_equal(run_plan(&p), 2);
        done(&p);
    }
    plan p = {.c.preset = "classic"};
    cli_strv_push(&p.c.workloads, "heap/a"); /* heap/a lists no presets */
    assert_int_equal(run_plan(&p), -1);
    assert_non_null(strstr(p.err, "--preset 'classic'"));
    done(&p);
}

static void unknown_names(void **state) {
    (void)state;
    plan p = {0};
    cli_strv_push(&p.c.workloads, "heap/zz*");
    assert_int_equal(run_plan(&p), -1);
    assert_string_equal(p.err, "unknown workload 'heap/zz*' (heapbench list shows them)");
    done(&p);
    plan q = {0};
    cli_strv_push(&q.c.params, "nosuch=1");
    assert_int_equal(run_plan(&q), -1);
    assert_string_equal(q.err, "--param nosuch=1: no selected workload has a parameter 'nosuch'");
    done(&q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expands_threads), cmocka_unit_test(param_out_of_range),
        cmocka_unit_test(threads_out_of_range), cmocka_unit_test(presets), cmocka_unit_test(unknown_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
