/* test_spanrun.c — span runs (mheap.c): a small span class whose first fit
 * starts 64 KiB of free pages takes them at once and cuts its next spans
 * from them, so two classes taking spans in turn each get adjacent spans
 * (without runs they interleave page by page); a run of dirty pages is
 * marked so (needzero, not counted released, freed dirty at a flush); a
 * hole shorter than a run is still filled first fit, one span at a time;
 * the reserve counts as idle (and, when fresh, released) in the stats, and
 * a scavenge gives every run back to the page allocator. Spans are taken
 * from the heap directly (gh_mheap_alloc) in noscan classes that malloc
 * never uses, in a fresh heap, so page numbers are exact. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#include "check.h"
#include "goheap/goheap.h"
#include "runtime.h"

enum { PAGE = 8192 };

static gh_stats st(void) {
    gh_stats s;
    gh_stats_read(&s);
    return s;
}

static uintptr_t pageOf(const gh_mspan *s) { return (s->base - gh_arena_start) / PAGE; }

/* 8 dirty free pages at the first fit (a freed 8-page span): a run, dirty. */
static void dirty_run(gh_spanClass d) {
    gh_mspan *l = gh_mheap_alloc(8, 0, 0);
    CHECK(l && l->npages == 8);
    uintptr_t p0 = pageOf(l);
    for (uintptr_t k = 0; k < 8 * PAGE; k += 4096) ((volatile char *)l->base)[k] = 1;
    pthread_mutex_lock(&gh_mheap_.lock);
    gh_mheap_freeSpanLocked(l); /* not via the large cache */
    pthread_mutex_unlock(&gh_mheap_.lock);
    gh_stats s0 = st();
    uintptr_t run0 = gh_mheap_.spanRunPages, fresh0 = gh_mheap_.spanRunFreshPages;
    gh_mspan *t = gh_mheap_alloc(1, d, 0), *u = gh_mheap_alloc(1, d, 0);
    CHECKF(pageOf(t) == p0 && pageOf(u) == p0 + 1, "dirty run at %lu: spans at %lu, %lu", (unsigned long)p0,
           (unsigned long)pageOf(t), (unsigned long)pageOf(u));
    CHECK(t->needzero == 1 && u->needzero == 1 && !gh_mheap_.spanRun[d].fresh);
    CHECK(gh_mheap_.spanRunPages == run0 + 6 && gh_mheap_.spanRunFreshPages == fresh0);
    gh_stats s = st();
    CHECK(s.heap_idle_bytes == s0.heap_idle_bytes - 2 * PAGE && s.heap_released_bytes == s0.heap_released_bytes);
    gh_mheap_freeSpan(t);
    gh_mheap_freeSpan(u);
    gh_scavenge(); /* D's run freed, dirty, then released: all fresh again */
    CHECK(gh_mheap_.spanRunPages == 0 && st().heap_released_bytes == st().heap_idle_bytes);
}

/* Classes 2 and 5 (16 and 48 bytes: one-page spans) take spans in turn. */
static void adjacent(gh_spanClass a, gh_spanClass b, gh_mspan **sa, gh_mspan **sb) {
    uintptr_t run0 = gh_mheap_.spanRunPages; /* malloc's own class-2 run */
    gh_stats s0 = st();
    for (int i = 0; i < 3; i++) {
        sa[i] = gh_mheap_alloc(1, a, 0);
        sb[i] = gh_mheap_alloc(1, b, 0);
        CHECK(sa[i] && sb[i] && sa[i]->npages == 1 && sb[i]->npages == 1);
        CHECK(gh_spanOf(sa[i]->base) == sa[i] && gh_spanOf(sb[i]->base) == sb[i]);
    }
    for (int i = 1; i < 3; i++) {
        CHECKF(pageOf(sa[i]) == pageOf(sa[i - 1]) + 1, "class A span %d at page %lu, previous at %lu", i,
               (unsigned long)pageOf(sa[i]), (unsigned long)pageOf(sa[i - 1]));
        CHECKF(pageOf(sb[i]) == pageOf(sb[i - 1]) + 1, "class B span %d at page %lu, previous at %lu", i,
               (unsigned long)pageOf(sb[i]), (unsigned long)pageOf(sb[i - 1]));
    }
    CHECK(sa[0]->needzero == 0 && sb[0]->needzero == 0 && gh_mheap_.spanRun[a].fresh); /* fresh pages */
    /* 6 pages in spans; 2 x 5 in reserve: idle and released, not in use */
    gh_stats s = st();
    CHECKF(gh_mheap_.spanRunPages == run0 + 10, "run pages %lu, want %lu", (unsigned long)gh_mheap_.spanRunPages,
           (unsigned long)run0 + 10);
    CHECK(s.heap_inuse_bytes == s0.heap_inuse_bytes + 6 * PAGE);
    CHECK(s.heap_idle_bytes == s0.heap_idle_bytes - 6 * PAGE);
    CHECK(s.heap_released_bytes == s0.heap_released_bytes - 6 * PAGE);
}

/* The last span cut from a run, freed, goes back into it (dirty) and is
 * the class's next span. */
static void give_back(gh_spanClass a, gh_mspan **sa) {
    uintptr_t p2 = pageOf(sa[2]), run0 = gh_mheap_.spanRunPages;
    CHECK(gh_mheap_.spanRun[a].fresh && gh_mheap_.spanRun[a].page == p2 + 1);
    gh_mheap_freeSpan(sa[2]);
    CHECK(gh_mheap_.spanRun[a].page == p2 && !gh_mheap_.spanRun[a].fresh && gh_mheap_.spanRunPages == run0 + 1);
    sa[2] = gh_mheap_alloc(1, a, 0);
    CHECKF(pageOf(sa[2]) == p2, "freed span's page %lu not reused (got %lu)", (unsigned long)p2,
           (unsigned long)pageOf(sa[2]));
    CHECK(sa[2]->needzero == 1);
}

/* Freed spans leave dirty pages at the bottom of the heap: a third class
 * reuses them first fit, one span each, and makes no run of them. */
static void dirty_first(gh_spanClass c, gh_mspan **sa) {
    uintptr_t p0 = pageOf(sa[0]);
    for (int i = 0; i < 3; i++) {
        for (uintptr_t k = 0; k < PAGE; k += 64) ((volatile char *)sa[i]->base)[k] = 1;
        gh_mheap_freeSpan(sa[i]);
    }
    gh_mspan *t = gh_mheap_alloc(1, c, 0);
    CHECKF(pageOf(t) == p0, "dirty page %lu not reused first (got %lu)", (unsigned long)p0, (unsigned long)pageOf(t));
    CHECK(t->needzero == 1 && gh_mheap_.spanRun[c].left == 0);
    gh_mheap_freeSpan(t);
}

/* A scavenge returns every run to the page allocator as scavenged pages. */
static void flushed(void) {
    gh_scavenge();
    gh_stats s = st();
    CHECK(gh_mheap_.spanRunPages == 0 && gh_mheap_.spanRunFreshPages == 0);
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) CHECK(gh_mheap_.spanRun[i].left == 0);
    CHECKF(s.heap_released_bytes == s.heap_idle_bytes, "released %llu, idle %llu",
           (unsigned long long)s.heap_released_bytes, (unsigned long long)s.heap_idle_bytes);
}

int main(void) {
    gh_free(gh_malloc(16)); /* init */
    gh_spanClass a = gh_makeSpanClass(2, 1), b = gh_makeSpanClass(5, 1), c = gh_makeSpanClass(6, 1),
                 d = gh_makeSpanClass(7, 1);
    for (int k = 2; k <= 7; k++) CHECK(gh_class_to_allocnpages[k] == 1);
    dirty_run(d);
    gh_mspan *sa[3], *sb[3];
    adjacent(a, b, sa, sb);
    give_back(a, sa);
    dirty_first(c, sa);
    for (int i = 0; i < 3; i++) gh_mheap_freeSpan(sb[i]);
    flushed();
    printf("span runs ok\n");
    return 0;
}
