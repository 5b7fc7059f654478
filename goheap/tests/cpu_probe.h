/* cpu_probe.h — is a CPU free right now? The timed checks in goheap's tests
 * (a stop's latency, a poll beating a signal, an idle heap) measure the
 * scheduler as much as goheap when other processes hold the CPU; the load
 * average lags seconds behind (ctest -j2 starts the sanitizer builds beside
 * them), so such a check probes just before and after itself and reports a
 * skip when the probe did not get the CPU. */
#ifndef GH_TEST_CPU_PROBE_H
#define GH_TEST_CPU_PROBE_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "check.h"

static inline double probe_seconds(clockid_t clock) {
    struct timespec ts;
    CHECK(clock_gettime(clock, &ts) == 0);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct cpu_probe {
    int cpu;      /* -1: any CPU */
    double share; /* CPU time / wall time over 50 ms of spinning */
};

static inline void *cpu_probe_spin(void *arg) {
    struct cpu_probe *p = arg;
    if (p->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(p->cpu, &set);
        (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    }
    double c0 = probe_seconds(CLOCK_THREAD_CPUTIME_ID), w0 = probe_seconds(CLOCK_MONOTONIC), w;
    while ((w = probe_seconds(CLOCK_MONOTONIC)) - w0 < 0.05) {
    }
    p->share = (probe_seconds(CLOCK_THREAD_CPUTIME_ID) - c0) / (w - w0);
    return NULL;
}

/* The share of `cpu` (-1: of any CPU) a spinning thread gets: near 1 when free. */
static inline double cpu_free(int cpu) {
    struct cpu_probe p = {cpu, 0};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, cpu_probe_spin, &p) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    return p.share;
}
#endif
