/* test_scavenge.c — the scavenger makes RSS fall after a spike.
 * 1. 256 MiB in large objects and 128 MiB in small ones, touched: RSS up.
 * 2. Free all: the synchronous scavenger releases down to the retain bound
 *    (16 MiB default) in the freeing calls: RSS falls without gh_scavenge.
 * 3. gh_scavenge() releases the rest; memory reused after release reads zero
 *    (calloc skips zeroing fresh pages) and stats count returned pages.
 * 4. With GOHEAP_SCAVENGE_PERIOD_MS set (re-exec), the background scavenger
 *    releases the retained part within a few periods. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "goheap/goheap.h"

static long rss_mb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size, res;
    CHECK(fscanf(f, "%ld %ld", &size, &res) == 2);
    fclose(f);
    return res * sysconf(_SC_PAGESIZE) >> 20;
}

enum { NL = 64, NS = 128 << 10 };
static void *large[NL], *small[NS];

static void spike(void) {
    for (int i = 0; i < NL; i++) memset(large[i] = gh_malloc(4 << 20), 1, 4 << 20);
    for (int i = 0; i < NS; i++) memset(small[i] = gh_malloc(1000), 2, 1000);
}
static void drop(void) {
    for (int i = 0; i < NL; i++) gh_free(large[i]);
    for (int i = 0; i < NS; i++) gh_free(small[i]);
}

#if defined(__SANITIZE_THREAD__)
#define RSS_CHECKS 0 /* TSan's shadow of the heap is resident and not ours to release */
#else
#define RSS_CHECKS 1
#endif

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "bg") == 0) {
        long base = rss_mb();
        spike();
        drop();
        long after = rss_mb();
        long t0 = 0;
        while (rss_mb() > base + 20 && t0 < 5000) {
            usleep(10000);
            t0 += 10;
        }
        printf("background: rss base %ld MiB, after free %ld MiB, %ld MiB after %ld ms\n", base, after, rss_mb(), t0);
        CHECKF(!RSS_CHECKS || (after > base + 50 && rss_mb() <= base + 20), "background scavenger did not release");
        return 0;
    }
    long base = rss_mb();
    spike();
    long peak = rss_mb();
    CHECKF(!RSS_CHECKS || peak >= base + 300, "peak %ld base %ld", peak, base);
    drop();
    long after = rss_mb();
    gh_stats s;
    gh_stats_read(&s);
    printf("rss: base %ld MiB, peak %ld MiB, after free %ld MiB; released %llu MiB, pages returned %llu\n", base,
           peak, after, (unsigned long long)(s.heap_released_bytes >> 20), (unsigned long long)s.pages_returned);
    CHECKF(!RSS_CHECKS || after <= base + 16 + 16 + 4, "RSS did not fall after free: %ld MiB", after);
    CHECK(s.pages_returned > 0 && s.scavenge_runs > 0);
    gh_scavenge();
    long end = rss_mb();
    /* what stays is metadata: span headers (~370 B per 8 KiB span) and page maps */
    CHECKF(!RSS_CHECKS || end <= base + 20, "RSS after gh_scavenge: %ld", end);
    printf("rss after gh_scavenge: %ld MiB\n", end);
    gh_stats_read(&s);
    CHECK(s.heap_released_bytes == s.heap_idle_bytes);
    /* released memory comes back zeroed; calloc relies on it */
    unsigned char *p = gh_calloc(1, 64 << 20);
    for (size_t i = 0; i < (64u << 20); i += 4093) CHECK(p[i] == 0);
    gh_free(p);
    /* background scavenger in a fresh process */
    char *env[] = {"GOHEAP_SCAVENGE_PERIOD_MS=50", "GOHEAP_SCAVENGE_RETAIN_MB=64", NULL};
    char *args[] = {argv[0], "bg", NULL};
    fflush(stdout);
    execve("/proc/self/exe", args, env);
    return 1;
}
