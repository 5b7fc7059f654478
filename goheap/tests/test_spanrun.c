/* test_spanrun.c — span runs (mheap.c): a small span class whose first fit
 * is fresh memory takes 64 KiB of pages at once and cuts its next spans
 * from them, so two classes growing the heap in turn each get adjacent
 * spans (without runs they interleave page by page); dirty free pages are
 * still reused first fit, one span at a time, with no run made of them; the
 * reserve counts as idle and released in the stats, and a scavenge gives it
 * back to the page allocator still marked scavenged. Spans are taken from
 * the heap directly (gh_mheap_alloc) in noscan classes that malloc never
 * uses, in a fresh heap, so page numbers are exact. */
#define _GNU_SOURCE
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
    CHECK(sa[0]->needzero == 0 && sb[0]->needzero == 0); /* fresh pages */
    /* 6 pages in spans; 2 x 5 in reserve: idle and released, not in use */
    gh_stats s = st();
    CHECKF(gh_mheap_.spanRunPages == run0 + 10, "run pages %lu, want %lu", (unsigned long)gh_mheap_.spanRunPages,
           (unsigned long)run0 + 10);
    CHECK(s.heap_inuse_bytes == s0.heap_inuse_bytes + 6 * PAGE);
    CHECK(s.heap_idle_bytes == s0.heap_idle_bytes - 6 * PAGE);
    CHECK(s.heap_released_bytes == s0.heap_released_bytes - 6 * PAGE);
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
    CHECK(gh_mheap_.spanRunPages == 0);
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) CHECK(gh_mheap_.spanRun[i].left == 0);
    CHECKF(s.heap_released_bytes == s.heap_idle_bytes, "released %llu, idle %llu",
           (unsigned long long)s.heap_released_bytes, (unsigned long long)s.heap_idle_bytes);
}

int main(void) {
    gh_free(gh_malloc(16)); /* init */
    gh_spanClass a = gh_makeSpanClass(2, 1), b = gh_makeSpanClass(5, 1), c = gh_makeSpanClass(6, 1);
    CHECK(gh_class_to_allocnpages[2] == 1 && gh_class_to_allocnpages[5] == 1 && gh_class_to_allocnpages[6] == 1);
    gh_mspan *sa[3], *sb[3];
    adjacent(a, b, sa, sb);
    dirty_first(c, sa);
    for (int i = 0; i < 3; i++) gh_mheap_freeSpan(sb[i]);
    flushed();
    printf("span runs ok\n");
    return 0;
}
