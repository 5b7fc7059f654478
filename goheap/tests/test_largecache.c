/* test_largecache.c — the heap's cache of freed large spans (mheap.c): a
 * freed large object of up to 32 pages comes back whole to the next
 * allocation of its size (or up to 1/8 smaller) without its spans[]
 * entries being rewritten, the most recently freed first, a much smaller
 * one is not served from it; a cached
 * span is no live object (gh_owns, the stats) and freeing it again or by
 * an interior pointer aborts; a span leaving the cache (eviction,
 * scavenge) leaves spans[]. Every allocation here is goheap's, in a fresh
 * heap, so page counts are exact. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "child.h"
#include "goheap/goheap.h"
#include "runtime.h"

enum { PAGE = 8192 };

static gh_stats st(void) {
    gh_stats s;
    gh_stats_read(&s);
    return s;
}

/* A 13-page object freed and asked for again: the same span, same pages. */
static char *reuse(void) {
    char *p = gh_malloc(13 * PAGE);
    gh_mspan *s = gh_spanOf((uintptr_t)p);
    memset(p, 1, 13 * PAGE);
    gh_free(p);
    gh_stats a = st();
    CHECKF(a.large_objects == 0 && a.large_bytes == 0, "cached span counted live: %llu objects",
           (unsigned long long)a.large_objects);
    CHECKF(a.heap_inuse_bytes == 13 * PAGE, "in use %llu", (unsigned long long)a.heap_inuse_bytes);
    CHECK(!gh_owns(p) && !gh_owns(p + 12 * PAGE));
    CHECK(gh_spanOf((uintptr_t)p) == s && gh_spanOf((uintptr_t)p + 12 * PAGE) == s && s->state == GH_SPAN_DEAD);
    char *q = gh_malloc(12 * PAGE + 1); /* 13 pages */
    CHECK(q == p && gh_owns(q) && gh_usable_size(q) == 13 * PAGE);
    a = st();
    CHECK(a.large_objects == 1 && a.large_bytes == 13 * PAGE && a.heap_inuse_bytes == 13 * PAGE);
    gh_free(q);
    return p;
}

/* A cached span serves a request up to 1/8 smaller, whole; a much bigger
 * one is left alone (no trimming) and the request takes fresh pages. */
static void fit(void) {
    char *big = gh_malloc(32 * PAGE); /* no cached span is big enough: fresh */
    gh_free(big);                     /* cache: 13 and 32 pages */
    CHECK(st().heap_inuse_bytes == 45 * PAGE);
    char *q = gh_malloc(29 * PAGE); /* 32 <= 29 + 29/8 */
    CHECKF(q == big && gh_usable_size(q) == 32 * PAGE, "32-page span not reused for 29 pages: %p vs %p",
           (void *)q, (void *)big);
    gh_free(q);
    char *r = gh_malloc(20 * PAGE); /* 32 > 20 + 20/8: fresh pages */
    CHECK(r != big && gh_usable_size(r) == 20 * PAGE && gh_spanOf((uintptr_t)r)->npages == 20);
    CHECKF(st().heap_inuse_bytes == 65 * PAGE, "in use %llu pages, want 13 + 32 cached + 20",
           (unsigned long long)(st().heap_inuse_bytes / PAGE));
    CHECK(gh_spanOf((uintptr_t)big + 31 * PAGE)->npages == 32); /* the cached span intact */
    memset(r, 2, 20 * PAGE);
    gh_free(r);
}

/* Two cached spans of the same size: the most recently freed one is
 * handed out first (its lines may still be in the cache). */
static void newest_first(void) {
    char *a = gh_malloc(8 * PAGE), *b = gh_malloc(8 * PAGE);
    memset(a, 3, 8 * PAGE);
    memset(b, 4, 8 * PAGE);
    gh_free(a);
    gh_free(b);
    char *q = gh_malloc(8 * PAGE);
    CHECKF(q == b, "got %s freed span", q == a ? "the older" : "another");
    char *r = gh_malloc(8 * PAGE);
    CHECK(r == a);
    gh_free(q);
    gh_free(r);
}

/* 17 frees of 5-page objects: the cache holds 16, the oldest leaves it and
 * spans[]; gh_scavenge empties the cache and spans[] with it. */
static void evict(void) {
    char *v[17];
    for (int i = 0; i < 17; i++) v[i] = gh_malloc(5 * PAGE);
    for (int i = 0; i < 17; i++) gh_free(v[i]);
    int gone = 0;
    for (int i = 0; i < 17; i++) gone += gh_spanOf((uintptr_t)v[i]) == NULL;
    CHECKF(gone >= 1, "no evicted span left spans[] (%d)", gone);
    gh_scavenge();
    CHECKF(st().heap_inuse_bytes == 0, "in use after scavenge: %llu", (unsigned long long)st().heap_inuse_bytes);
    for (int i = 0; i < 17; i++) CHECK(gh_spanOf((uintptr_t)v[i]) == NULL);
}

static int lives(void (*fn)(void)) {
    int st = child(fn);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
static void double_free_cached(void) {
    char *p = gh_malloc(10 * PAGE);
    gh_free(p);
    CHECK(gh_spanOf((uintptr_t)p) != NULL); /* in the cache, spans[] still set */
    gh_free(p);
}
static void interior_free_cached(void) {
    char *p = gh_malloc(10 * PAGE);
    gh_free(p);
    gh_free(p + PAGE);
}
static void ok_free_cached(void) { /* the control: a reused span frees fine */
    char *p = gh_malloc(10 * PAGE);
    gh_free(p);
    char *q = gh_malloc(10 * PAGE);
    CHECK(q == p);
    gh_free(q);
}

int main(void) {
    reuse();
    fit();
    newest_first();
    evict();
    CHECK(dies(double_free_cached));
    CHECK(dies(interior_free_cached));
    CHECK(lives(ok_free_cached));
    printf("large cache ok\n");
    return 0;
}
