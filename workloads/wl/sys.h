/*
 * wl/sys.h — what workloads read from the system: the monotonic clock and
 * the resident set size (/proc/self/statm), for the workloads that ask
 * "does the memory come back?" (heap/spike-release, heap/steady-growth,
 * concurrent/thread-exit).
 */
#ifndef HB_WL_SYS_H
#define HB_WL_SYS_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t wl_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Resident bytes of this process now; 0 when /proc is unavailable. */
static inline uint64_t wl_rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long size = 0, res = 0;
    int n = fscanf(f, "%llu %llu", &size, &res);
    fclose(f);
    return n == 2 ? res * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

static inline void wl_sleep_ms(unsigned ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Least-squares slope of y over x. */
static inline double wl_slope(const double *x, const double *y, size_t n) {
    if (n < 2) return 0;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    double d = (double)n * sxx - sx * sx;
    return d == 0 ? 0 : ((double)n * sxy - sx * sy) / d;
}

#endif
