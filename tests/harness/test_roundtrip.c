/*
 * test_roundtrip.c — results survive the trip to disk and back: a run
 * saved with cli_run_save (run.json, results.csv, report.md) loads back
 * equal with cli_run_load; the CSV has one row per repetition plus one per
 * failed cell; every cell carries the coefficient of variation of its
 * repetitions (run.json, results.csv) and report.md marks noisy ones;
 * Google Benchmark's JSON (with its bare NaN tokens) converts, the child's
 * "param:NAME" counters becoming params_effective; and corrupt or foreign
 * files are refused with the file's name.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "results.h"
#include "util.h"

static char dir[] = "/tmp/hb-roundtrip-XXXXXX";

static json_t *sample_run(void) {
    double t[] = {100, 102, 98, 101, 99};
    json_t *ok = json_pack("{s:s,s:s,s:s,s:s,s:{s:i},s:{},s:i,s:n,s:s,s:i}", "id", "system__heap_pairs",
                           "adapter", "system", "workload", "heap/pairs", "category", "heap", "params", "size",
                           64, "overrides", "threads", 1, "gogc", "status", "ok", "peak_rss_bytes", 4096000);
    json_object_set_new(ok, "repetitions", json_integer(5));
    json_object_set_new(ok, "real_time_ns", cli_stat_obj(t, 5));
    json_object_set_new(ok, "cpu_time_ns", cli_stat_obj(t, 5));
    json_object_set_new(ok, "items_per_second", json_real(1e7));
    json_object_set_new(ok, "counters", json_pack("{s:f,s:[[f,f]]}", "gc_cycles", 3.0, "rss_timeline", 0.0, 4096.0));
    json_t *bad = json_pack("{s:s,s:s,s:s,s:s,s:{},s:i,s:n,s:s,s:s,s:i}", "id", "mimalloc__heap_pairs",
                            "adapter", "mimalloc", "workload", "heap/pairs", "category", "heap", "params",
                            "threads", 1, "gogc", "status", "crashed", "message", "killed by signal 11, \"quoted\"",
                            "repetitions", 0);
    return json_pack("{s:s,s:{s:s,s:{s:s}},s:[{s:s,s:s,s:s}],s:[o,o]}", "schema", CLI_RUN_SCHEMA, "meta", "preset",
                     "quick", "config", "baseline", "system", "adapters", "name", "system", "version", "glibc",
                     "kind", "manual", "results", ok, bad);
}

static void save_and_load(void **state) {
    (void)state;
    json_t *run = sample_run();
    char err[1024];
    assert_int_equal(cli_run_save(dir, run, err, sizeof err), 0);
    json_t *back = cli_run_load(dir, err, sizeof err);
    assert_non_null(back);
    assert_true(json_equal(run, back));
    char path[512];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    char *csv = cli_read_file(path, NULL);
    assert_non_null(csv);
    int lines = 0;
    for (char *p = csv; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + 5 + 1); /* header, 5 repetitions, 1 crashed cell */
    assert_non_null(strstr(csv, ",crashed,"));
    assert_non_null(strstr(csv, "system,glibc,heap/pairs,heap,size=64,1,,ok,4,99,"));
    /* CV of 100, 102, 98, 101, 99: sd 1.5811 / mean 100 */
    assert_non_null(strstr(csv, ",user_cpu_s,sys_cpu_s,real_time_cv,cpu_time_cv\n"));
    assert_non_null(strstr(csv, ",0.0158113883,0.0158113883\n"));
    free(csv);
    json_t *rt = json_object_get(json_array_get(json_object_get(back, "results"), 0), "real_time_ns");
    assert_true(fabs(cli_rec_number(rt, "cv") - 0.0158113883) < 1e-9);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = cli_read_file(path, NULL);
    assert_non_null(strstr(md, "| heap/pairs | 100 ns |"));
    assert_null(strstr(md, "noisy")); /* 1.6 %: quiet */
    assert_non_null(strstr(md, "`crashed`"));
    free(md);
    json_decref(back);
    json_decref(run);
}

static void noisy_cells_are_marked(void **state) {
    (void)state;
    json_t *run = sample_run();
    double t[] = {80, 100, 120, 90, 110}; /* CV 15.8 % */
    json_object_set_new(json_array_get(json_object_get(run, "results"), 0), "real_time_ns", cli_stat_obj(t, 5));
    char *md = cli_run_report(run);
    assert_non_null(strstr(md, "| heap/pairs | 100 ns † |"));
    assert_non_null(strstr(md, "† noisy: the coefficient of variation of the repetitions is above 5 % (1 cell)"));
    free(md);
    json_decref(run);
}

static void google_benchmark_json(void **state) {
    (void)state;
    const char *gb = "{\"context\": {\"executable\": \"/x/hb-jemalloc\"}, \"benchmarks\": ["
                     "{\"name\": \"heap/pairs/real_time\", \"run_name\": \"heap/pairs/real_time\", "
                     "\"run_type\": \"iteration\", \"real_time\": 2.0, \"cpu_time\": 2.0, \"time_unit\": \"us\", "
                     "\"items_per_second\": 5e5, \"gc_cycles\": NaN, \"pause_max_ns\": 7, \"param:live\": 1.6e1},"
                     "{\"name\": \"heap/pairs/real_time\", \"run_name\": \"heap/pairs/real_time\", "
                     "\"run_type\": \"iteration\", \"real_time\": 4.0, \"cpu_time\": 4.0, \"time_unit\": \"us\", "
                     "\"pause_max_ns\": 9, \"param:live\": 16},"
                     "{\"name\": \"heap/pairs/real_time_mean\", \"run_name\": \"heap/pairs/real_time\", "
                     "\"run_type\": \"aggregate\", \"real_time\": 3.0, \"cpu_time\": 3.0, \"time_unit\": \"us\"}]}";
    char path[512], err[1024];
    snprintf(path, sizeof path, "%s/gb.json", dir);
    assert_int_equal(cli_write_atomic(path, gb, strlen(gb)), 0);
    json_t *run = cli_run_load(path, err, sizeof err);
    assert_non_null(run);
    json_t *rec = json_array_get(json_object_get(run, "results"), 0);
    assert_string_equal(json_string_value(json_object_get(rec, "adapter")), "jemalloc");
    assert_string_equal(json_string_value(json_object_get(rec, "workload")), "heap/pairs");
    assert_int_equal(json_integer_value(json_object_get(rec, "repetitions")), 2);
    assert_true(cli_rec_number(json_object_get(rec, "real_time_ns"), "median") == 3000.0);
    assert_true(cli_rec_number(json_object_get(rec, "counters"), "pause_max_ns") == 8.0);
    /* the parameters the child ran with: params_effective, not counters */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rec, "params_effective"), "live")), 16);
    assert_null(json_object_get(json_object_get(rec, "counters"), "param:live"));
    json_decref(run);
}

static void corrupt_files_are_named(void **state) {
    (void)state;
    char path[512], err[1024];
    snprintf(path, sizeof path, "%s/corrupt.json", dir);
    assert_int_equal(cli_write_atomic(path, "{\"schema\": \"heapbench-run/1\", \"results\": [", 41), 0);
    assert_null(cli_run_load(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    snprintf(path, sizeof path, "%s/foreign.json", dir);
    assert_int_equal(cli_write_atomic(path, "{\"hello\": 1}", 12), 0);
    assert_null(cli_run_load(path, err, sizeof err));
    assert_non_null(strstr(err, "foreign.json"));
    assert_null(cli_run_load("/nonexistent/run", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/run"));
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(save_and_load), cmocka_unit_test(noisy_cells_are_marked),
                                       cmocka_unit_test(google_benchmark_json),
                                       cmocka_unit_test(corrupt_files_are_named)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char *cmd = cli_fmt("rm -rf '%s'", dir);
    if (system(cmd) != 0) rc = 1;
    free(cmd);
    return rc;
}
