/*
 * gbench.h — a small C API over Google Benchmark.
 *
 * Google Benchmark is C++; heapbench is C. This header is the whole bridge:
 * register a benchmark (a name, a function, a `void *` context), give it
 * arguments, threads, repetitions and a minimum time, and inside the function
 * iterate in *batches*, pause and resume the timer, and report items, bytes,
 * user counters and labels. The output is Google Benchmark's own (console,
 * JSON, CSV), so its tools read our results unchanged.
 *
 * Why batches: a call through this C boundary per iteration costs ~1.6 ns
 * here, more than a tenth of a malloc/free pair. Asking for a batch of N
 * iterations and running them in a plain C loop keeps the floor below 0.6 ns.
 *
 *     static void bench_pair(hb_gb_state *st, void *ctx) {
 *         size_t size = (size_t)hb_gb_range(st, 0);
 *         int64_t n;
 *         while ((n = hb_gb_keep_running_batch(st, 1024)) > 0)
 *             for (int64_t i = 0; i < n; i++) {
 *                 void *p = malloc(size);
 *                 hb_gb_do_not_optimize(p);
 *                 free(p);
 *             }
 *         hb_gb_set_items_processed(st, hb_gb_iterations(st));
 *     }
 *     ...
 *     hb_gb_bench *b = hb_gb_register("malloc/pair", bench_pair, NULL);
 *     hb_gb_arg(b, 64);
 *     return hb_gb_main(argc, argv);
 *
 * The wrapper is implemented in harness/gbench.cc, the suite's only C++ file.
 */
#ifndef HEAPBENCH_GBENCH_H
#define HEAPBENCH_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hb_gb_state hb_gb_state; /* benchmark::State */
typedef struct hb_gb_bench hb_gb_bench; /* benchmark::internal::Benchmark */
typedef void (*hb_gb_fn)(hb_gb_state *st, void *ctx);

/* Counter flags: the same bits as benchmark::Counter::Flags. */
enum {
    HB_GB_DEFAULT = 0,
    HB_GB_RATE = 1 << 0,                 /* divided by the run's duration */
    HB_GB_AVG_THREADS = 1 << 1,          /* divided by the thread count */
    HB_GB_AVG_THREADS_RATE = (1 << 0) | (1 << 1),
    HB_GB_ITERATION_INVARIANT = 1 << 2,  /* multiplied by iterations */
    HB_GB_AVG_ITERATIONS = 1 << 3,       /* divided by iterations */
    HB_GB_AVG_ITERATIONS_RATE = (1 << 0) | (1 << 3),
    HB_GB_INVERT = (int)(1u << 31),
};

typedef enum { HB_GB_NS, HB_GB_US, HB_GB_MS, HB_GB_S } hb_gb_unit;

/* ---- registration (before hb_gb_main / hb_gb_run) ---- */
hb_gb_bench *hb_gb_register(const char *name, hb_gb_fn fn, void *ctx);
/* One argument set; may be called repeatedly for several instances. */
void hb_gb_args(hb_gb_bench *b, const int64_t *args, size_t n);
void hb_gb_arg(hb_gb_bench *b, int64_t a);
void hb_gb_arg_names(hb_gb_bench *b, const char *const *names, size_t n);
void hb_gb_threads(hb_gb_bench *b, int threads);
void hb_gb_repetitions(hb_gb_bench *b, int n);
void hb_gb_min_time(hb_gb_bench *b, double seconds);
void hb_gb_fixed_iterations(hb_gb_bench *b, int64_t n);
void hb_gb_use_real_time(hb_gb_bench *b);
void hb_gb_time_unit(hb_gb_bench *b, hb_gb_unit u);

/* ---- inside a benchmark function ---- */
/* Asks for `batch` more iterations; returns how many to run now (0: stop).
 * As Google Benchmark's KeepRunningBatch, the last batch may overshoot the
 * budget; the iterations reported count every one that ran. */
int64_t hb_gb_keep_running_batch(hb_gb_state *st, int64_t batch);
bool hb_gb_keep_running(hb_gb_state *st);
int64_t hb_gb_range(const hb_gb_state *st, size_t i);
int64_t hb_gb_iterations(const hb_gb_state *st); /* completed so far */
int64_t hb_gb_max_iterations(const hb_gb_state *st);
int hb_gb_thread_index(const hb_gb_state *st);
int hb_gb_thread_count(const hb_gb_state *st);
void hb_gb_pause(hb_gb_state *st);
void hb_gb_resume(hb_gb_state *st);
void hb_gb_set_items_processed(hb_gb_state *st, int64_t items);
void hb_gb_set_bytes_processed(hb_gb_state *st, int64_t bytes);
void hb_gb_counter(hb_gb_state *st, const char *name, double value, int flags);
void hb_gb_set_label(hb_gb_state *st, const char *label);
void hb_gb_skip_with_error(hb_gb_state *st, const char *msg);
bool hb_gb_error_occurred(const hb_gb_state *st);

/* ---- running ---- */
/* Initialize from argv (Google Benchmark's --benchmark_* flags), run the
 * registered benchmarks, shut down. Returns 0, or 2 on an unknown flag. */
int hb_gb_main(int argc, char **argv);

/* Keep a value (and the memory it points to) alive for the optimizer. */
static inline void hb_gb_do_not_optimize(const void *p) {
    __asm__ volatile("" : : "r"(p) : "memory");
}
static inline void hb_gb_clobber_memory(void) { __asm__ volatile("" : : : "memory"); }

#ifdef __cplusplus
}
#endif
#endif
