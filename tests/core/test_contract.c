/*
 * test_contract.c — the object API over both disciplines: hb_new/hb_drop
 * reach malloc/free_sized for a manual adapter and gc_alloc for a collected
 * one; hb_store goes through the write barrier only while the collector's
 * flag is on; the workload registry and capability checks behave.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"

static int mallocs, frees, sized_frees, gc_allocs, barriers, attaches, detaches;
static const hb_layout *last_layout;
static int barrier_on;

static void *m_malloc(size_t n) { mallocs++; return malloc(n); }
static void m_free(void *p) { frees++; free(p); }
static void m_free_sized(void *p, size_t n) { (void)n; sized_frees++; free(p); }
static void *m_calloc(size_t a, size_t b) { mallocs++; return calloc(a, b); }
static void *g_alloc(size_t n, const hb_layout *l) { gc_allocs++; last_layout = l; return calloc(1, n); }
static void g_barrier(void **slot, void *v) { barriers++; *slot = v; }
static void g_attach(void) { __atomic_add_fetch(&attaches, 1, __ATOMIC_RELAXED); }
static void g_detach(void) { __atomic_add_fetch(&detaches, 1, __ATOMIC_RELAXED); }
static const char *ver(void) { return "test"; }

static const hb_adapter manual = {.name = "m", .kind = HB_MANUAL, .version = ver,
    .malloc = m_malloc, .free = m_free, .calloc = m_calloc};
static const hb_adapter manual_sized = {.name = "ms", .kind = HB_MANUAL, .version = ver,
    .caps = HB_CAP_SIZED_FREE, .malloc = m_malloc, .free = m_free, .free_sized = m_free_sized,
    .calloc = m_calloc};
static const hb_adapter collected = {.name = "c", .kind = HB_COLLECTED, .version = ver,
    .gc_alloc = g_alloc, .write_barrier = g_barrier, .barrier_flag = &barrier_on,
    .thread_attach = g_attach, .thread_detach = g_detach};

/* Linked-adapter symbol required by the contract; not used by this test. */
HB_ADAPTER(manual);

static void test_manual(void **s) {
    (void)s;
    assert_int_equal(hb_object_init(&manual, NULL), 0);
    void *p = hb_new(32, HB_NOSCAN);
    assert_non_null(p);
    hb_drop(p, 32);
    assert_int_equal(mallocs, 1);
    assert_int_equal(frees, 1);
    assert_int_equal(hb_object_init(&manual_sized, NULL), 0);
    hb_drop(hb_new(32, HB_NOSCAN), 32);
    assert_int_equal(sized_frees, 1);
    void *slot = NULL;
    hb_store(&slot, &slot);
    assert_ptr_equal(slot, &slot);
    assert_int_equal(barriers, 0);
}

static void test_collected(void **s) {
    (void)s;
    static const hb_layout two = {.period = 2, .ptrmask = 1};
    assert_int_equal(hb_object_init(&collected, NULL), 0);
    void **p = hb_new(16, &two);
    assert_ptr_equal(last_layout, &two);
    hb_drop(p, 16); /* nothing for a collector */
    assert_int_equal(gc_allocs, 1);
    hb_store(&p[0], p);
    assert_int_equal(barriers, 0);
    barrier_on = 1;
    hb_store(&p[0], NULL);
    assert_int_equal(barriers, 1);
    assert_null(p[0]);
    barrier_on = 0;
    free(p);
}

static void *thread_fn(void *arg) { return arg; }

static void test_threads(void **s) {
    (void)s;
    assert_int_equal(hb_object_init(&collected, NULL), 0);
    pthread_t t;
    assert_int_equal(hb_thread_start(&t, thread_fn, &attaches), 0);
    assert_ptr_equal(hb_thread_join(t), &attaches);
    assert_int_equal(attaches, 1);
    assert_int_equal(detaches, 1);
}

static void test_supported(void **s) {
    (void)s;
    const char *why = NULL;
    hb_workload wl = {.name = "x/y", .needs = HB_NEEDS_MANUAL};
    assert_true(hb_wl_supported(&wl, &manual, &why));
    assert_false(hb_wl_supported(&wl, &collected, &why));
    assert_non_null(why);
    wl.needs = HB_NEEDS_CAP(HB_CAP_SIZED_FREE);
    assert_false(hb_wl_supported(&wl, &manual, &why));
    assert_true(hb_wl_supported(&wl, &manual_sized, &why));
    wl.needs = HB_NEEDS_COLLECTED;
    assert_true(hb_wl_supported(&wl, &collected, &why));
}

static void test_params(void **s) {
    (void)s;
    static const hb_param ps[] = {{"a", 1, 2, "", 0, 10}, {"b", 3, 4, "", 0, 10}};
    hb_workload wl = {.name = "x/y", .params = ps, .nparams = 2};
    hb_wl_args a = {.wl = &wl, .value = {10, 20}};
    assert_int_equal(hb_param_get(&a, "a"), 10);
    assert_int_equal(hb_param_get(&a, "b"), 20);
    assert_false(hb_wl_failed());
    hb_wl_fail(NULL, "checksum %d", 7);
    assert_true(hb_wl_failed());
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manual), cmocka_unit_test(test_collected),
        cmocka_unit_test(test_threads), cmocka_unit_test(test_supported),
        cmocka_unit_test(test_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
