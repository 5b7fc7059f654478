/*
 * wl/rng.h — the workloads' random numbers: a small, fast, seedable PRNG
 * (xorshift64*, seeded through splitmix64) and the size distributions the
 * classic allocator benchmarks draw from.
 *
 * Every workload seeds its generators from fixed constants (and a thread
 * index), so a run is the same sequence of requests on every adapter: the
 * difference measured is the allocator, not the dice.
 */
#ifndef HB_WL_RNG_H
#define HB_WL_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct wl_rng {
    uint64_t s;
} wl_rng;

static inline uint64_t wl_splitmix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static inline wl_rng wl_rng_seed(uint64_t seed) {
    wl_rng r = {wl_splitmix(seed)};
    if (!r.s) r.s = 1;
    return r;
}

static inline uint64_t wl_next(wl_rng *r) {
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n). */
static inline uint64_t wl_below(wl_rng *r, uint64_t n) {
    return (uint64_t)(((unsigned __int128)wl_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static inline uint64_t wl_range(wl_rng *r, uint64_t lo, uint64_t hi) {
    return lo + wl_below(r, hi - lo + 1);
}

/* Log-uniform in [lo, hi]: as many blocks between 64 and 128 bytes as
 * between 1 and 2 MiB — the usual shape of real size histograms. */
static inline uint64_t wl_log_range(wl_rng *r, uint64_t lo, uint64_t hi) {
    int bl = 63 - __builtin_clzll(lo), bh = 63 - __builtin_clzll(hi);
    int b = bl + (int)wl_below(r, (uint64_t)(bh - bl + 1));
    uint64_t base = 1ull << b;
    uint64_t v = base + wl_below(r, base);
    return v < lo ? lo : v > hi ? hi : v;
}

/* The size distributions of heap/churn and friends (a `dist` parameter). */
enum { WL_DIST_SMALL = 0, WL_DIST_MEDIUM = 1, WL_DIST_MIXED = 2 };

static inline size_t wl_dist_size(wl_rng *r, int dist) {
    switch (dist) {
    case WL_DIST_SMALL: return (size_t)wl_range(r, 16, 128);
    case WL_DIST_MEDIUM: return (size_t)wl_range(r, 256, 8192);
    default: /* mixed: mostly small, a tail of medium and a few large */
        {
            uint64_t k = wl_below(r, 100);
            if (k < 80) return (size_t)wl_range(r, 16, 256);
            if (k < 99) return (size_t)wl_log_range(r, 256, 16384);
            return (size_t)wl_log_range(r, 16384, 256 * 1024);
        }
    }
}

#endif
