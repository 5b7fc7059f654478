/*
 * test_contract.c — the object API over both disciplines: hb_new/hb_drop
 * reach malloc/free_sized for a manual adapter and gc_alloc for a collected
 * one; hb_store goes through the write barrier only while the collector's
 * flag is on; hb_realloc is realloc, or a new object and a copy whose
 * pointer words pass the barrier; the pool and stack-pool calls reach the
 * adapter's; anatomy mode counts hb_new + hb_realloc's growth - hb_drop;
 * the workload registry and capability checks behave.
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

static int mallocs, frees, sized_frees, reallocs, gc_allocs, barriers, attaches, detaches;
static int pool_calls, stack_calls;
static const hb_layout *last_layout;
static int barrier_on;

static void *m_malloc(size_t n) { mallocs++; return malloc(n); }
static void m_free(void *p) { frees++; free(p); }
static void m_free_sized(void *p, size_t n) { (void)n; sized_frees++; free(p); }
static void *m_calloc(size_t a, size_t b) { mallocs++; return calloc(a, b); }
static void *m_realloc(void *p, size_t n) { reallocs++; return realloc(p, n); }
static void *g_alloc(size_t n, const hb_layout *l) { gc_allocs++; last_layout = l; return calloc(1, n); }
static void g_barrier(void **slot, void *v) { barriers++; *slot = v; }
static void g_attach(void) { __atomic_add_fetch(&attaches, 1, __ATOMIC_RELAXED); }
static void g_detach(void) { __atomic_add_fetch(&detaches, 1, __ATOMIC_RELAXED); }
static const char *ver(void) { return "test"; }
static hb_pool *g_pool_new(void *(*fn)(void *), void *arg) { (void)fn; pool_calls++; return arg; }
static void *g_pool_get(hb_pool *p) { pool_calls++; return p; }
static void g_pool_put(hb_pool *p, void *o) { (void)p; (void)o; pool_calls++; }
static void g_pool_free(hb_pool *p) { (void)p; pool_calls++; }
static void *g_stack_alloc(size_t n) { stack_calls++; return malloc(n); }
static void g_stack_free(void *p, size_t n) { (void)n; stack_calls++; free(p); }

static const hb_adapter manual = {.name = "m", .kind = HB_MANUAL, .version = ver,
    .malloc = m_malloc, .free = m_free, .calloc = m_calloc};
static const hb_adapter manual_sized = {.name = "ms", .kind = HB_MANUAL, .version = ver,
    .caps = HB_CAP_SIZED_FREE, .malloc = m_malloc, .free = m_free, .free_sized = m_free_sized,
    .calloc = m_calloc, .realloc = m_realloc};
static const hb_adapter collected = {.name = "c", .kind = HB_COLLECTED, .version = ver,
    .gc_alloc = g_alloc, .write_barrier = g_barrier, .barrier_flag = &barrier_on,
    .thread_attach = g_attach, .thread_detach = g_detach, .caps = HB_CAP_POOL | HB_CAP_STACKPOOL,
    .pool_new = g_pool_new, .pool_get = g_pool_get, .pool_put = g_pool_put, .pool_free = g_pool_free,
    .stack_alloc = g_stack_alloc, .stack_free = g_stack_free};

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

static void test_resize(void **s) {
    (void)s;
    assert_int_equal(hb_object_init(&manual_sized, NULL), 0);
    char *p = hb_realloc(NULL, 0, 8, HB_NOSCAN);
    memcpy(p, "heapbnc", 8);
    p = hb_realloc(p, 8, 4096, HB_NOSCAN);
    assert_string_equal(p, "heapbnc");
    assert_int_equal(reallocs, 2);
    hb_drop(p, 4096);

    static const hb_layout two = {.period = 2, .ptrmask = 1}; /* words 0, 2, 4... */
    assert_int_equal(hb_object_init(&collected, NULL), 0);
    int allocs0 = gc_allocs, barriers0 = barriers;
    void **o = hb_new(6 * sizeof(void *), &two);
    for (int i = 0; i < 6; i++) o[i] = &o[i];
    barrier_on = 1;
    void **q = hb_realloc(o, 6 * sizeof(void *), 10 * sizeof(void *), &two);
    barrier_on = 0;
    assert_ptr_not_equal(q, o);
    assert_ptr_equal(last_layout, &two);
    assert_int_equal(gc_allocs - allocs0, 2);
    for (int i = 0; i < 6; i++) assert_ptr_equal(q[i], &o[i]);
    for (int i = 6; i < 10; i++) assert_null(q[i]);
    assert_int_equal(barriers - barriers0, 3); /* the copy's pointer words 0, 2, 4 */
    free(o);
    free(q);
}

static void test_pools(void **s) {
    (void)s;
    assert_int_equal(hb_object_init(&manual, NULL), 0);
    assert_null(hb_pool_new(NULL, NULL)); /* no pool: NULL, not a crash */
    assert_int_equal(hb_object_init(&collected, NULL), 0);
    static int token;
    hb_pool *pool = hb_pool_new(NULL, &token);
    assert_ptr_equal(pool, &token);
    assert_ptr_equal(hb_pool_get(pool), &token);
    hb_pool_put(pool, &token);
    hb_pool_free(pool);
    assert_int_equal(pool_calls, 4);
    hb_stack_free(hb_stack_alloc(65536), 65536);
    assert_int_equal(stack_calls, 2);
}

/* Last: anatomy mode cannot be turned off. */
static void test_anatomy(void **s) {
    (void)s;
    assert_int_equal(hb_object_init(&manual_sized, NULL), 0);
    hb_anatomy_enable();
    int64_t base = hb_anatomy_live_bytes();
    char *p = hb_new(100, HB_NOSCAN);
    assert_int_equal(hb_anatomy_live_bytes() - base, 100);
    p = hb_realloc(p, 100, 1000, HB_NOSCAN);
    assert_int_equal(hb_anatomy_live_bytes() - base, 1000);
    p = hb_realloc(p, 1000, 10, HB_NOSCAN);
    assert_int_equal(hb_anatomy_live_bytes() - base, 10);
    hb_drop(p, 10);
    p = hb_realloc(NULL, 123, 50, HB_NOSCAN); /* from NULL: no old bytes */
    assert_int_equal(hb_anatomy_live_bytes() - base, 50);
    hb_drop(p, 50);
    assert_int_equal(hb_anatomy_live_bytes(), base);
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
        cmocka_unit_test(test_params), cmocka_unit_test(test_resize),
        cmocka_unit_test(test_pools), cmocka_unit_test(test_anatomy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
