// gbench.cc — the extern "C" bridge from include/heapbench/gbench.h to
// Google Benchmark. The suite's only C++ file: everything here is a thin,
// one-line translation, so the C side sees Google Benchmark's own semantics
// (batching, threads, repetitions, counters, JSON output) unchanged.
#include "heapbench/gbench.h"

#include <benchmark/benchmark.h>

namespace {
inline benchmark::State *S(hb_gb_state *st) { return reinterpret_cast<benchmark::State *>(st); }
inline const benchmark::State *S(const hb_gb_state *st) {
    return reinterpret_cast<const benchmark::State *>(st);
}
inline benchmark::internal::Benchmark *B(hb_gb_bench *b) {
    return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}
}  // namespace

extern "C" {

hb_gb_bench *hb_gb_register(const char *name, hb_gb_fn fn, void *ctx) {
    auto *b = benchmark::RegisterBenchmark(name, [fn, ctx](benchmark::State &st) {
        fn(reinterpret_cast<hb_gb_state *>(&st), ctx);
    });
    return reinterpret_cast<hb_gb_bench *>(b);
}

void hb_gb_args(hb_gb_bench *b, const int64_t *args, size_t n) {
    B(b)->Args(std::vector<int64_t>(args, args + n));
}
void hb_gb_arg(hb_gb_bench *b, int64_t a) { B(b)->Arg(a); }
void hb_gb_arg_names(hb_gb_bench *b, const char *const *names, size_t n) {
    B(b)->ArgNames(std::vector<std::string>(names, names + n));
}
void hb_gb_threads(hb_gb_bench *b, int threads) { B(b)->Threads(threads); }
void hb_gb_repetitions(hb_gb_bench *b, int n) { B(b)->Repetitions(n); }
void hb_gb_min_time(hb_gb_bench *b, double seconds) { B(b)->MinTime(seconds); }
void hb_gb_fixed_iterations(hb_gb_bench *b, int64_t n) { B(b)->Iterations(n); }
void hb_gb_use_real_time(hb_gb_bench *b) { B(b)->UseRealTime(); }
void hb_gb_time_unit(hb_gb_bench *b, hb_gb_unit u) {
    static const benchmark::TimeUnit units[] = {benchmark::kNanosecond, benchmark::kMicrosecond,
                                                benchmark::kMillisecond, benchmark::kSecond};
    B(b)->Unit(units[u]);
}

int64_t hb_gb_keep_running_batch(hb_gb_state *st, int64_t batch) {
    return S(st)->KeepRunningBatch(batch) ? batch : 0;
}
bool hb_gb_keep_running(hb_gb_state *st) { return S(st)->KeepRunning(); }
int64_t hb_gb_range(const hb_gb_state *st, size_t i) { return S(st)->range(i); }
int64_t hb_gb_iterations(const hb_gb_state *st) { return S(st)->iterations(); }
int64_t hb_gb_max_iterations(const hb_gb_state *st) { return S(st)->max_iterations; }
int hb_gb_thread_index(const hb_gb_state *st) { return S(st)->thread_index(); }
int hb_gb_thread_count(const hb_gb_state *st) { return S(st)->threads(); }
void hb_gb_pause(hb_gb_state *st) { S(st)->PauseTiming(); }
void hb_gb_resume(hb_gb_state *st) { S(st)->ResumeTiming(); }
void hb_gb_set_items_processed(hb_gb_state *st, int64_t n) { S(st)->SetItemsProcessed(n); }
void hb_gb_set_bytes_processed(hb_gb_state *st, int64_t n) { S(st)->SetBytesProcessed(n); }
void hb_gb_counter(hb_gb_state *st, const char *name, double value, int flags) {
    S(st)->counters[name] =
        benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(flags));
}
void hb_gb_set_label(hb_gb_state *st, const char *label) { S(st)->SetLabel(label); }
void hb_gb_skip_with_error(hb_gb_state *st, const char *msg) { S(st)->SkipWithError(msg); }
bool hb_gb_error_occurred(const hb_gb_state *st) { return S(st)->error_occurred(); }

int hb_gb_main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // extern "C"
