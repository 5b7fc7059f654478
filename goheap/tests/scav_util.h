/* scav_util.h — what the scavenger tests read: the process's RSS, goheap's
 * dirty (free, not released) bytes and a monotonic clock, in MiB and ms. */
#ifndef GH_TEST_SCAV_UTIL_H
#define GH_TEST_SCAV_UTIL_H
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "goheap/goheap.h"

static inline long rss_mb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size, res;
    CHECK(fscanf(f, "%ld %ld", &size, &res) == 2);
    fclose(f);
    return res * sysconf(_SC_PAGESIZE) >> 20;
}

static inline long dirty_mb(void) {
    gh_stats s;
    gh_stats_read(&s);
    return (long)((s.heap_idle_bytes - s.heap_released_bytes) >> 20);
}

static inline long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
#endif
