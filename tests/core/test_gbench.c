/*
 * test_gbench.c — the Google Benchmark C wrapper does what gbench.h says:
 * benchmarks registered from C run with their arguments, threads and
 * repetitions; batches are counted; counters, items, bytes, labels and
 * errors come out in Google Benchmark's own JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "heapbench/gbench.h"

static int64_t batches_seen;

static void bench_counters(hb_gb_state *st, void *ctx) {
    int *calls = ctx;
    int64_t n, total = 0;
    while ((n = hb_gb_keep_running_batch(st, 100)) > 0) {
        total += n;
        if (hb_gb_thread_index(st) == 0) __atomic_add_fetch(&batches_seen, 1, __ATOMIC_RELAXED);
        hb_gb_pause(st);
        hb_gb_resume(st);
    }
    __atomic_add_fetch(calls, 1, __ATOMIC_RELAXED);
    hb_gb_set_items_processed(st, total);
    hb_gb_set_bytes_processed(st, total * hb_gb_range(st, 0));
    hb_gb_counter(st, "plain", 42.0, HB_GB_DEFAULT);
    hb_gb_counter(st, "per_thread", 10.0, HB_GB_AVG_THREADS);
    hb_gb_set_label(st, "a-label");
}

static void bench_fails(hb_gb_state *st, void *ctx) {
    (void)ctx;
    hb_gb_skip_with_error(st, "wrong answer");
    while (hb_gb_keep_running(st)) {
    }
}

static json_t *find(json_t *benches, const char *name, const char *run_type) {
    size_t i;
    json_t *b;
    json_array_foreach(benches, i, b) {
        const char *n = json_string_value(json_object_get(b, "name"));
        const char *rt = json_string_value(json_object_get(b, "run_type"));
        if (n && !strcmp(n, name) && (!run_type || (rt && !strcmp(rt, run_type)))) return b;
    }
    return NULL;
}

static void test_run_and_json(void **state) {
    (void)state;
    static int calls;
    char out[] = "/tmp/hb-test-gbench-XXXXXX";
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    close(fd);

    hb_gb_bench *b = hb_gb_register("c/counters", bench_counters, &calls);
    const int64_t args[] = {64};
    hb_gb_args(b, args, 1);
    const char *names[] = {"size"};
    hb_gb_arg_names(b, names, 1);
    hb_gb_threads(b, 2);
    hb_gb_repetitions(b, 3);
    hb_gb_fixed_iterations(b, 1000);
    hb_gb_use_real_time(b);
    hb_gb_bench *f = hb_gb_register("c/fails", bench_fails, NULL);
    hb_gb_fixed_iterations(f, 1);

    char flag[128];
    snprintf(flag, sizeof flag, "--benchmark_out=%s", out);
    char *argv[] = {"test_gbench", flag, "--benchmark_out_format=json",
                    "--benchmark_format=console", NULL};
    assert_int_equal(hb_gb_main(4, argv), 0);

    json_error_t err;
    json_t *root = json_load_file(out, 0, &err);
    assert_non_null(root);
    json_t *benches = json_object_get(root, "benchmarks");
    assert_true(json_array_size(benches) >= 4);

    json_t *c = find(benches, "c/counters/size:64/iterations:1000/repeats:3/real_time/threads:2",
                     "iteration");
    if (!c) { /* the name's parts are ordered by Google Benchmark; fall back to a search */
        size_t i;
        json_t *x;
        json_array_foreach(benches, i, x) {
            const char *n = json_string_value(json_object_get(x, "name"));
            if (n && strstr(n, "c/counters/size:64") && strstr(n, "threads:2")) {
                c = x;
                break;
            }
        }
    }
    assert_non_null(c);
    assert_int_equal(json_integer_value(json_object_get(c, "threads")), 2);
    /* Fixed iterations, counted per thread and summed. */
    assert_int_equal(json_integer_value(json_object_get(c, "iterations")), 2000);
    assert_true(json_real_value(json_object_get(c, "plain")) == 84.0); /* summed over threads */
    assert_true(json_real_value(json_object_get(c, "per_thread")) == 10.0);
    assert_non_null(json_object_get(c, "items_per_second"));
    assert_non_null(json_object_get(c, "bytes_per_second"));
    assert_string_equal(json_string_value(json_object_get(c, "label")), "a-label");
    assert_int_equal(calls, 2 * 3); /* two threads, three repetitions */
    assert_true(batches_seen >= 3 * 10);

    json_t *e = find(benches, "c/fails/iterations:1", NULL);
    assert_non_null(e);
    assert_true(json_is_true(json_object_get(e, "error_occurred")));
    assert_string_equal(json_string_value(json_object_get(e, "error_message")), "wrong answer");
    json_decref(root);
    unlink(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_run_and_json)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
