/* test_gc_scavenge — collected mode: a cycle's garbage goes back to the OS
 * as soon as its sweep finishes (mscavenge.c, gh_scavenger_sweepdone; Go's
 * sweepone wakes its scavenger there), down to Go's retained-heap goal
 * (mgcpacer.c: in use at mark termination x new goal / last goal x 1.1),
 * when the goal fell by half or more.
 *
 * The scavenger's period is set to 10 s, so the periodic path (memory above
 * R at two wake-ups: 20 s here) cannot be what releases:
 *   1. a spike of 1600 objects of 64 KiB (100 MiB, each page written), one
 *      in five kept: after gh_gc_collect, dirty free memory is at most
 *      30 MiB within 2 s (R = 16 MiB, or the retained goal less the 20 MiB
 *      in use where that is more: 16-22 MiB seen; before, the whole 80 MiB
 *      of garbage stayed dirty for two periods), and once the release is
 *      over RSS is within 2x the live bytes;
 *   2. the steady state is left alone: with 20 MiB live and 10 MiB of
 *      garbage per cycle the goal does not move (nor when a cycle starts
 *      on its own mid-allocation), and three cycles release no page (with
 *      the retained goal applied at every cycle: 11-33 MiB in 3 runs of 5).
 * RSS is not checked under TSan (its shadow of the heap is resident). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "goheap/gc.h"
#include "goheap/goheap.h"

#if defined(__SANITIZE_THREAD__)
#define RSS_CHECKS 0
#else
#define RSS_CHECKS 1
#endif

static long rss_mb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size, res;
    CHECK(fscanf(f, "%ld %ld", &size, &res) == 2);
    fclose(f);
    return res * sysconf(_SC_PAGESIZE) >> 20;
}

static long dirty_mb(void) {
    gh_stats s;
    gh_stats_read(&s);
    return (long)((s.heap_idle_bytes - s.heap_released_bytes) >> 20);
}

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum { N = 1600, SZ = 64 << 10, KEEP = 5 };
static void *slot[N];
static const gh_layout noscan = {0, 0};

int main(void) {
    setenv("GOHEAP_SCAVENGE_PERIOD_MS", "10000", 1);
    CHECK(gh_gc_init(NULL) == 0);
    gh_gc_root_add(slot, sizeof slot);
    long base = rss_mb();
    /* 1. a spike, 9 in 10 dropped */
    for (int i = 0; i < N; i++) memset(slot[i] = gh_gc_alloc(SZ, &noscan), 1, SZ);
    long peak = rss_mb();
    for (int i = 0; i < N; i++)
        if (i % KEEP) slot[i] = NULL;
    gh_gc_collect();
    long t0 = now_ms(), t = -1;
    while (now_ms() - t0 < 2000) {
        if (dirty_mb() <= 30) {
            t = now_ms() - t0;
            break;
        }
        usleep(2000);
    }
    usleep(100000); /* the release runs in 4 MiB steps: let it end */
    long live = (long)N / KEEP * SZ >> 20, after = rss_mb();
    printf("spike: rss base %ld MiB, peak %ld, live %ld; dirty <= 30 MiB after %ld ms, rss %ld (%.2fx live)\n", base, peak,
           live, t, after, (double)(after - base) / (double)live);
    CHECKF(t >= 0, "a cycle's garbage not released after its sweep: dirty %ld MiB", dirty_mb());
    CHECKF(!RSS_CHECKS || after - base <= 2 * live + 4, "RSS %ld over base %ld, live %ld", after, base, live);

    /* 2. steady state: 20 MiB live, each cycle makes 10 MiB of garbage;
     * from the second cycle on the goal stays put and nothing goes back */
    gh_stats s0, s1;
    for (int c = 0; c < 4; c++) {
        if (c == 1) gh_stats_read(&s0);
        for (int i = 1; i < N; i += 8)
            if (i % KEEP) memset(slot[i] = gh_gc_alloc(SZ, &noscan), 2, SZ);
        for (int i = 1; i < N; i += 8)
            if (i % KEEP) slot[i] = NULL; /* 160 x 64 KiB */
        gh_gc_collect();
        usleep(20000);
    }
    gh_stats_read(&s1);
    printf("steady: %llu pages released by 3 cycles at a steady goal (dirty %ld MiB)\n",
           (unsigned long long)(s1.pages_returned - s0.pages_returned), dirty_mb());
    CHECKF(s1.pages_returned == s0.pages_returned, "released %llu pages at a steady goal",
           (unsigned long long)(s1.pages_returned - s0.pages_returned));
    return 0;
}
