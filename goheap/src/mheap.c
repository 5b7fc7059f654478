/*
 * mheap.c — the page heap (Go's mheap.go).
 *
 * goheap reserves one contiguous range of address space at start-up (256 GiB
 * by default; PROT_NONE, so it costs neither memory nor commit charge) and
 * grows the usable part 4 MiB chunk by 4 MiB chunk with mprotect, as Go's
 * heap arenas are reserved then mapped. One range keeps the page→span map a
 * flat array (spans[], one pointer per 8 KiB page, lazily backed), so
 * finding the span of any pointer in free() is a subtract, a shift and a
 * load, and "is this pointer ours" is a bounds check.
 *
 * mheap_alloc takes a run of pages from the page allocator (first fit over
 * the radix summaries, mpagealloc.c), growing the heap when no run fits,
 * and wraps it in an mspan whose header comes from a fixalloc. Large
 * objects (> 32 KiB) are spans of their own; large alignments are served by
 * finding a run of npages + align - 1 pages and taking the aligned part.
 * Freeing a span clears its bits: free pages coalesce implicitly, since the
 * bitmap and summaries see adjacent free runs as one. Whether a span's pages
 * must be zeroed (needzero) comes from the scavenged bits: pages never
 * touched or returned to the OS read as zero. Two caches sit in front of
 * the page allocator: recently freed large spans (largeCache) and, per
 * small span class, a 64 KiB run of free pages its next spans are cut
 * from (spanRun), so a class's spans made together are adjacent.
 *
 * Lock order: mcache registry → mcentral.lock → mheap.lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goheap/gc.h" /* gh_gc_fault */
#include "runtime.h"

gh_mheap gh_mheap_ = {.lock = PTHREAD_MUTEX_INITIALIZER};
uintptr_t gh_arena_start, gh_arena_size;
_Atomic(gh_mspan *) *gh_spans;
gh_mspan gh_emptymspan;
gh_mcache gh_nobody;

/* Large frees in the drop-in malloc. A freed large object of at least
 * scav_large_min bytes goes back to the OS at once (gh_mheap_freeSpan,
 * gh_scavenge_large_locked), as glibc unmaps a freed chunk above its mmap
 * threshold, instead of waiting for the scavenger's retain bound and
 * period: a real program grows a table or buffer by allocating the bigger
 * one and freeing the old (CPython's dicts and lists), and with the old
 * ones resident real/python's peak RSS was 1.09x glibc's (now 1.025x).
 * The library and the suite's adapter keep Go's pacing (0: off; the heap
 * workloads reuse freed large spans without page faults);
 * libgoheap_malloc.so's malloc_preload.c defines the 1 MiB default (its
 * strong definition wins over this weak one; not const, or GCC folds the
 * weak 0 into the code). GOHEAP_SCAVENGE_LARGE_KB overrides it (0: off). */
GH_HIDDEN __attribute__((weak)) uintptr_t gh_preload_scav_large_min = 0;

static uintptr_t env_uint(const char *name, uintptr_t def) {
    const char *v = gh_gogetenv(name);
    if (!v || !*v) return def;
    uintptr_t x = 0;
    for (; *v >= '0' && *v <= '9'; v++) x = x * 10 + (uintptr_t)(*v - '0');
    return x;
}

void gh_mallocinit(void) {
    gh_mheap *h = &gh_mheap_;
    uintptr_t want = env_uint("GOHEAP_HEAP_MAX_MB", 256 << 10) << 20;
    if (want < ((uintptr_t)1 << 30)) want = (uintptr_t)1 << 30;
    /* round down to a power of two so the summary tree is regular */
    while (want & (want - 1)) want &= want - 1;
    void *r = NULL;
    for (; want >= ((uintptr_t)1 << 30); want >>= 1)
        if ((r = gh_sysReserve(want + GH_CHUNK_BYTES))) break;
    if (!r) gh_throw("cannot reserve heap address space");
    uintptr_t start = ((uintptr_t)r + GH_CHUNK_BYTES - 1) & ~(GH_CHUNK_BYTES - 1);
    h->arena_start = start;
    h->arena_size = want;
    h->spans = gh_sysAlloc((want >> GH_PAGE_SHIFT) * sizeof(gh_mspan *));
    if (!h->spans || gh_pageAlloc_init(&h->pages, want / GH_CHUNK_BYTES) != 0)
        gh_throw("cannot allocate heap metadata");
    gh_fixalloc_init(&h->spanalloc, sizeof(gh_mspan));
    gh_fixalloc_init(&h->cachealloc, sizeof(gh_mcache));
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) gh_mcentral_init(&h->central[i], (gh_spanClass)i);

    h->scav_enabled = env_uint("GOHEAP_SCAVENGE", 1) != 0;
    h->scav_retain_min = env_uint("GOHEAP_SCAVENGE_RETAIN_MB", 16) << 20;
    h->scav_percent = env_uint("GOHEAP_SCAVENGE_PERCENT", 10);
    h->scav_period_ms = env_uint("GOHEAP_SCAVENGE_PERIOD_MS", 100);
    h->scav_large_min = env_uint("GOHEAP_SCAVENGE_LARGE_KB", gh_preload_scav_large_min >> 10) << 10;
    const char *ds = gh_gogetenv("GOHEAP_DEBUG_STATS");
    h->debug_stats = ds && *ds && strcmp(ds, "0") != 0;
    h->debug_stats_path = ds && ds[0] == '/' ? ds : NULL;

    gh_emptymspan.state = GH_SPAN_DEAD;
    atomic_store_explicit(&gh_emptymspan.owner, &gh_nobody, memory_order_relaxed);
    gh_spans = h->spans;
    gh_arena_size = want;
    gh_arena_start = start;
}

/* Grow the usable heap by at least npages (in whole chunks). */
static int mheap_grow(gh_mheap *h, uintptr_t npages) {
    gh_pageAlloc *p = &h->pages;
    uintptr_t n = (npages + GH_CHUNK_PAGES - 1) / GH_CHUNK_PAGES;
    if (p->grown + n > p->nchunks) return -1;
    uintptr_t addr = h->arena_start + p->grown * GH_CHUNK_BYTES;
    if (gh_sysMap((void *)addr, n * GH_CHUNK_BYTES) != 0) return -1;
    gh_pageAlloc_grow(p, p->grown, n);
    return 0;
}

static void setSpans(gh_mspan *s, gh_mspan *v) {
    uintptr_t i = (s->base - gh_arena_start) >> GH_PAGE_SHIFT;
    for (uintptr_t k = 0; k < s->npages; k++) atomic_store_explicit(&gh_spans[i + k], v, memory_order_relaxed);
}

/* Large-span cache (as mimalloc's segment cache): a freed large span of up
 * to GH_LARGE_CACHE_MAXSPAN pages keeps its pages allocated, its header and
 * its spans[] entries, and a later large allocation takes it without a page
 * search, summary updates, scavenged-bit bookkeeping or spans[] stores: a
 * span of the same size or up to 1/8 more pages, the most recently freed
 * first (pooled/buffers-direct: 64 KiB buffers taken oldest-first cycled
 * through all 16 cached spans; newest-first, D1 write misses 968k -> 833k
 * under callgrind). (Trimming a bigger cached
 * span to a smaller request halved heap/churn's misses but grew its peak
 * RSS to 41–47 MiB against 34.7 MiB without it, the trimmed tails fragmenting the heap: not done.)
 * Bounded (GH_LARGE_CACHE_N spans, GH_LARGE_CACHE_PAGES pages, the oldest
 * evicted first) and emptied before every scavenge, so memory still goes
 * back to the OS. Cached pages count in pagesInUse (as an mcache's empty
 * spans do), not as large objects. A cached span is DEAD and spans[] still
 * leads to it, so a stale pointer finds a dead span: a second free throws
 * (gh_mheap_freeSpan), gh_owns, the stats and the collector skip it; its
 * entries are cleared when it leaves the cache for the page allocator
 * (gh_mheap_freeSpanLocked). Heap lock held. */
static gh_mspan *largeCacheTake(gh_mheap *h, uintptr_t npages) {
    uint32_t best = UINT32_MAX;
    uintptr_t bestn = npages + (npages >> 3) + 1;
    for (uint32_t i = h->largeCacheN; i-- > 0;) { /* newest first: its lines may still be cached */
        uintptr_t n = h->largeCache[i]->npages;
        if (n >= npages && n < bestn) {
            best = i;
            bestn = n;
            if (n == npages) break;
        }
    }
    if (best == UINT32_MAX) return NULL;
    gh_mspan *s = h->largeCache[best];
    h->largeCacheN--;
    memmove(&h->largeCache[best], &h->largeCache[best + 1], (h->largeCacheN - best) * sizeof(gh_mspan *));
    h->largeCachePages -= s->npages;
    s->state = GH_SPAN_LARGE;
    s->needzero = !(gh_gc_fault & GH_FAULT_DIRTY_LARGE); /* fault: "cached spans are clean" */
    s->allocCount = 1;
    h->largeObjects++;
    h->largePages += s->npages;
    GH_DEBUG_ONLY(gh_debug_check_span(s));
    return s;
}

static void largeCacheEvictOldest(gh_mheap *h) {
    gh_mspan *s = h->largeCache[0];
    h->largeCacheN--;
    memmove(&h->largeCache[0], &h->largeCache[1], h->largeCacheN * sizeof(gh_mspan *));
    h->largeCachePages -= s->npages;
    s->state = GH_SPAN_LARGE;
    h->largeObjects++;
    h->largePages += s->npages;
    gh_mheap_freeSpanLocked(s);
}

/* 1 if s went into the cache. */
static int largeCachePut(gh_mheap *h, gh_mspan *s) {
    if (s->state != GH_SPAN_LARGE || s->npages > GH_LARGE_CACHE_MAXSPAN || !h->scav_enabled) return 0;
    while (h->largeCacheN && (h->largeCacheN == GH_LARGE_CACHE_N || h->largeCachePages + s->npages > GH_LARGE_CACHE_PAGES))
        largeCacheEvictOldest(h);
    h->largeObjects--;
    h->largePages -= s->npages;
    s->state = GH_SPAN_DEAD;
    h->largeCache[h->largeCacheN++] = s;
    h->largeCachePages += s->npages;
    return 1;
}

/* Span runs (as mimalloc's 64 KiB pages): a span class that needs a span
 * of up to GH_SPAN_RUN_PAGES/2 pages, and whose first fit starts
 * GH_SPAN_RUN_PAGES free pages, takes them all at once and cuts its next
 * spans from that run without a page search. Without runs, one-page spans
 * of different classes interleave page by page, so objects allocated
 * together in time (a spike of mixed sizes) lie in 8 KiB pieces spread over
 * the heap, and reading them back in allocation order crossed to an
 * unrelated page every 8 KiB of each class. heap/spike-release's pattern
 * (1M objects of 16-128 B, then 95% read and freed in allocation order;
 * thread CPU time, loaded 2-core box, memory reused from a previous
 * round): a pass reading the objects 6.9-7.5 -> 4.4 ms (glibc 3.5-4.4,
 * mimalloc 4.2-4.5), allocating 10.6 -> 8.0 ms; the page heap's
 * instructions 15.3M -> 5.0M (callgrind); the workload itself (CPU time,
 * 3 runs) 26.8-30.3 -> 21.9-23.2 ms (glibc 17.6-17.9). Runs made of fresh
 * pages only sped up the first repetition alone, which runs in memory
 * never used before; the later ones reuse freed pages. First fit is kept: a run starts
 * only where the first fit does, so holes shorter than a run are still
 * filled one span at a time (a steady heap's churn), and what a class holds
 * in reserve is under 64 KiB (under 4.3 MiB for all classes; none of it
 * resident in a run of fresh pages). Runs go back to the page allocator
 * (a fresh run's pages still marked scavenged) before every scavenge
 * (gh_mheap_flush_large_cache_locked, which empties both caches).
 * Heap lock held. */
static void spanRunFlush(gh_mheap *h, gh_spanClass spc) {
    gh_mheap_spanRun *r = &h->spanRun[spc];
    GH_ASSERT_MSG(r->left <= GH_SPAN_RUN_PAGES && r->left <= h->spanRunPages, "span run of class %u: %lu pages left",
                  (unsigned)spc, (unsigned long)r->left);
    if (!r->left) return;
    if (r->fresh) {
        gh_pageAlloc_free_scavenged(&h->pages, r->page, r->left);
        h->spanRunFreshPages -= r->left;
    } else {
        gh_pageAlloc_free(&h->pages, r->page, r->left);
    }
    h->spanRunPages -= r->left;
    r->left = 0;
}

/* npages from the class's run; *scav: how many are known to be zero. */
static uintptr_t spanRunTake(gh_mheap *h, gh_mheap_spanRun *r, uintptr_t npages, uintptr_t *scav) {
    uintptr_t page = r->page;
    r->page += npages;
    r->left -= npages;
    h->spanRunPages -= npages;
    if (r->fresh) h->spanRunFreshPages -= npages;
    *scav = r->fresh ? npages : 0;
    return page;
}

/* A span of the class freed right before its run goes back into the run
 * (still allocated in the bitmap), so its next span reuses those pages
 * first, as first fit would have; the run is dirty from then on. 1 if so. */
static int spanRunGiveBack(gh_mheap *h, gh_spanClass spc, uintptr_t page, uintptr_t npages) {
    gh_mheap_spanRun *r = &h->spanRun[spc];
    if (spc == 0 || !r->left || page + npages != r->page || r->left + npages > GH_SPAN_RUN_PAGES) return 0;
    if (r->fresh) h->spanRunFreshPages -= r->left;
    r->fresh = 0;
    r->page = page;
    r->left += npages;
    h->spanRunPages += npages;
    return 1;
}

/* Pages for a span: first fit, or the class's run. *scav: how many of them
 * are known to be zero. UINTPTR_MAX when out of memory. */
static uintptr_t allocPages(gh_mheap *h, uintptr_t npages, gh_spanClass spc, uintptr_t alignPages, uintptr_t *scav) {
    gh_mheap_spanRun *r = &h->spanRun[spc];
    int runs = spc != 0 && alignPages == 1 && npages <= GH_SPAN_RUN_PAGES / 2;
    if (runs && r->left >= npages) return spanRunTake(h, r, npages, scav);
    uintptr_t want = npages + alignPages - 1;
    uintptr_t page = gh_pageAlloc_find(&h->pages, want);
    if (page == UINTPTR_MAX) {
        if (mheap_grow(h, want) != 0 || (page = gh_pageAlloc_find(&h->pages, want)) == UINTPTR_MAX)
            return UINTPTR_MAX;
    }
    page = (page + alignPages - 1) & ~(alignPages - 1); /* arena_start is chunk aligned */
    if (runs && gh_pageAlloc_is_free(&h->pages, page, GH_SPAN_RUN_PAGES)) {
        spanRunFlush(h, spc);
        r->fresh = gh_pageAlloc_allocRange(&h->pages, page, GH_SPAN_RUN_PAGES) == GH_SPAN_RUN_PAGES;
        r->page = page;
        r->left = GH_SPAN_RUN_PAGES;
        h->spanRunPages += GH_SPAN_RUN_PAGES;
        if (r->fresh) h->spanRunFreshPages += GH_SPAN_RUN_PAGES;
        return spanRunTake(h, r, npages, scav);
    }
    *scav = gh_pageAlloc_allocRange(&h->pages, page, npages);
    return page;
}

void gh_mheap_flush_large_cache_locked(void) {
    gh_mheap *h = &gh_mheap_;
    while (h->largeCacheN) largeCacheEvictOldest(h);
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) spanRunFlush(h, (gh_spanClass)i);
}

gh_mspan *gh_mheap_alloc(uintptr_t npages, gh_spanClass spc, uintptr_t align) {
    gh_mheap *h = &gh_mheap_;
    uintptr_t alignPages = align > GH_PAGE_SIZE ? align >> GH_PAGE_SHIFT : 1;
    uintptr_t want = npages + alignPages - 1;
    if (want < npages || want > (h->arena_size >> GH_PAGE_SHIFT)) return NULL;
    pthread_mutex_lock(&h->lock);
    if (alignPages == 1 && npages <= GH_LARGE_CACHE_MAXSPAN && spc == 0 && h->largeCacheN) {
        gh_mspan *s = largeCacheTake(h, npages);
        if (s) {
            pthread_mutex_unlock(&h->lock);
            return s;
        }
    }
    gh_mspan *s = gh_fixalloc_alloc(&h->spanalloc);
    uintptr_t scav = 0, page = s ? allocPages(h, npages, spc, alignPages, &scav) : UINTPTR_MAX;
    if (page == UINTPTR_MAX) {
        if (s) gh_fixalloc_free(&h->spanalloc, s);
        pthread_mutex_unlock(&h->lock);
        return NULL;
    }
    /* the header but its bits (mspan_init_small clears them; a large span's
     * mark word is set by whoever allocates it, as before) */
    memset((void *)s, 0, offsetof(gh_mspan, bits));
    memset((char *)s + offsetof(gh_mspan, bits) + sizeof s->bits, 0,
           sizeof *s - offsetof(gh_mspan, bits) - sizeof s->bits);
    s->base = h->arena_start + (page << GH_PAGE_SHIFT);
    s->npages = npages;
    s->spanclass = spc;
    s->needzero = scav != npages;
    s->sweepgen = atomic_load_explicit(&gh_sweepgen, memory_order_relaxed); /* new = swept ([G1]) */
    atomic_store_explicit(&s->owner, &gh_nobody, memory_order_relaxed);
    if (spc == 0) {
        s->state = GH_SPAN_LARGE;
        s->elemsize = npages << GH_PAGE_SHIFT;
        s->nelems = 1;
        s->allocCount = 1;
        h->largeObjects++;
        h->largePages += npages;
    } else {
        gh_mspan_init_small(s, spc);
    }
    h->pagesInUse += npages;
    setSpans(s, s);
    GH_DEBUG_ONLY(gh_debug_check_span(s));
    pthread_mutex_unlock(&h->lock);
    return s;
}

/* Grow the large span s in place to npages when the pages right after it
 * are free (realloc without a copy: free runs coalesce in the bitmap, so a
 * span freed next to s makes room). 1 if grown. The caller owns the object;
 * the state is checked under the lock all the same. */
int gh_mheap_grow_large(gh_mspan *s, uintptr_t npages) {
    gh_mheap *h = &gh_mheap_;
    pthread_mutex_lock(&h->lock);
    uintptr_t extra = npages - s->npages, page = ((s->base - h->arena_start) >> GH_PAGE_SHIFT) + s->npages;
    int ok = s->state == GH_SPAN_LARGE && npages > s->npages && gh_pageAlloc_is_free(&h->pages, page, extra);
    if (ok) {
        gh_pageAlloc_allocRange(&h->pages, page, extra);
        for (uintptr_t k = 0; k < extra; k++) atomic_store_explicit(&gh_spans[page + k], s, memory_order_relaxed);
        s->npages = npages;
        s->elemsize = npages << GH_PAGE_SHIFT;
        s->needzero = 1; /* its old pages were used; only calloc reads it, at allocation */
        h->pagesInUse += extra;
        h->largePages += extra;
        GH_DEBUG_ONLY(gh_debug_check_span(s));
    }
    pthread_mutex_unlock(&h->lock);
    return ok;
}

void gh_mheap_freeSpanLocked(gh_mspan *s) {
    gh_mheap *h = &gh_mheap_;
    GH_ASSERT_MSG(s->next == NULL && s->prev == NULL && s->state != GH_SPAN_DEAD,
                  "[L2] freeing span %p: state %u, still linked %d", (void *)s, s->state, s->next != NULL);
    setSpans(s, NULL);
    uintptr_t page = (s->base - h->arena_start) >> GH_PAGE_SHIFT;
    if (!spanRunGiveBack(h, s->spanclass, page, s->npages)) gh_pageAlloc_free(&h->pages, page, s->npages);
    h->pagesInUse -= s->npages;
    if (s->state == GH_SPAN_LARGE) {
        h->largeObjects--;
        h->largePages -= s->npages;
    }
    s->state = GH_SPAN_DEAD;
    atomic_store_explicit(&s->owner, &gh_nobody, memory_order_relaxed);
    gh_fixalloc_free(&h->spanalloc, s);
}

void gh_mheap_freeSpan(gh_mspan *s) {
    pthread_mutex_lock(&gh_mheap_.lock);
    /* a large object freed twice while its span sits in the large cache
     * (spans[] still leads to it; the first free made it DEAD) */
    if (GH_UNLIKELY(s->state == GH_SPAN_DEAD)) gh_throw("double free of a large object");
    /* the scavenger's check runs on both paths: a span the cache takes
     * evicts older ones into the page heap, and checking only the other
     * path left the worker asleep (or never started) while frees of
     * objects up to 256 KiB piled up dirty pages */
    if (!largeCachePut(&gh_mheap_, s)) {
        uintptr_t page = (s->base - gh_mheap_.arena_start) >> GH_PAGE_SHIFT, n = s->npages;
        int release = s->state == GH_SPAN_LARGE && gh_mheap_.scav_enabled && gh_mheap_.scav_large_min &&
                      (n << GH_PAGE_SHIFT) >= gh_mheap_.scav_large_min;
        gh_mheap_freeSpanLocked(s);
        if (release) gh_scavenge_large_locked(page, n); /* scav_large_min: top of file */
    }
    gh_scavenge_maybe_locked();
    pthread_mutex_unlock(&gh_mheap_.lock);
    gh_scavenger_poke(); /* may create the worker: pthread_create allocates, so no lock held */
}
