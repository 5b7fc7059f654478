/*
 * runtime.h — goheap's internal types: mspan, mcache, mcentral, mheap.
 *
 * One header that explains how the pieces fit (as Go's malloc.go essay and
 * mimalloc's types.h do). The structure, smallest to largest:
 *
 *   object  ─┐  a slot of class size in a span; its state is one bit in the
 *            │  span's allocBits (1 = allocated)
 *   mspan   ─┤  a run of 8 KiB pages: either one large object (spanclass 0) or
 *            │  nelems objects of one size class; header lives off-heap
 *   mcache  ─┤  per thread: for each span class the span it allocates from,
 *            │  with a 64-bit window of free bits (allocCache) copied out of
 *            │  allocBits, so malloc is ctz + clear-lowest-bit, and a LIFO
 *            │  of objects this thread freed (manual mode: reused first,
 *            │  while warm); plus the spans this thread owns (partial / full)
 *   mcentral─┤  per span class: spans nobody owns (their thread exited),
 *            │  partial and full, under a lock
 *   mheap   ─┘  the page heap: one reserved address range ("arena"), a page
 *               allocator with radix summaries (mpagealloc.c), the page→span
 *               map (spans[]), and the scavenger (mscavenge.c)
 *
 * Ownership (manual mode). A small span is owned by the mcache that took it
 * from mcentral/mheap until that thread exits. The owner frees with plain
 * stores (push the object on its class's LIFO, or when that is full clear
 * the bit and decrement allocCount); any other thread pushes the
 * object on the span's lock-free remote_free stack (mimalloc's thread_free),
 * and the owner reclaims the stack when it needs space in that span (refill)
 * — Go's "sweep" of a span, done lazily by the allocating thread. So the
 * local paths never take a lock or an atomic read-modify-write.
 *
 * For the collector (mgc.h): every span has allocBits and gcmarkBits
 * (pointers into bits[2], swapped per cycle as Go's gcmarkBits→allocBits),
 * a sweepgen, the noscan bit in its spanclass, and a `layout` word for the
 * per-object pointer layout (a gh_type*, or a tagged pointer to an array of 16-bit type ids). All mcaches
 * sit in a registry (gh_allmcaches) for stop-the-world flushing. Mark assists
 * and proportional sweep are paid where a thread flushes its allocation
 * count (every 64 KiB, mgc.c), not on these slow paths.
 */
#ifndef GOHEAP_RUNTIME_H
#define GOHEAP_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug.h"
#include "goheap/goheap.h"
#include "sizeclasses.h"

#define GH_HIDDEN __attribute__((visibility("hidden")))
#define GH_LIKELY(x) __builtin_expect(!!(x), 1)
#define GH_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define GH_NOINLINE __attribute__((noinline))
#define GH_INLINE static inline __attribute__((always_inline))

/* Page allocator chunk: 512 pages = 4 MiB (Go's pallocChunkPages). */
#define GH_CHUNK_PAGES 512
#define GH_CHUNK_WORDS (GH_CHUNK_PAGES / 64)
#define GH_CHUNK_BYTES ((uintptr_t)GH_CHUNK_PAGES << GH_PAGE_SHIFT)
#define GH_SUMMARY_FANOUT_BITS 3 /* 8 children per summary entry, as Go */
#define GH_SUMMARY_LEVELS_MAX 8
#define GH_MAX_SPAN_WORDS 16 /* 1024 objects max per span (class 1) */

typedef struct gh_mcache gh_mcache;
typedef struct gh_mspan gh_mspan;

/* Where a span is (for list bookkeeping). */
enum {
    GH_SPAN_DEAD = 0,      /* header on the free list */
    GH_SPAN_CACHED,        /* an mcache allocates from it (mcache.alloc[spc]) */
    GH_SPAN_MC_PARTIAL,    /* owned by an mcache, has free slots */
    GH_SPAN_MC_FULL,       /* owned by an mcache, no free slots (modulo remote frees) */
    GH_SPAN_C_PARTIAL,     /* in mcentral, unowned */
    GH_SPAN_C_FULL,        /* in mcentral, unowned */
    GH_SPAN_LARGE,         /* one large object */
};

/*
 * Invariants of spans, caches and central lists (mimalloc's types.h style:
 * equations). Checked by mdebug.c — O(1) and one-span checks at GH_DEBUG=1,
 * walks at 2 — on list moves, refill, hand-over to/from mcentral, sweep.
 * Below, "valid" masks the slots < nelems; popcount over words 0..nwords-1.
 *
 *  [S1] small span:  allocCount == popcount(allocBits & valid)
 *       (a loaned window word reads all ones and allocCount counts the loan;
 *       local frees inside the window clear their bit at once; remote frees
 *       change neither until drained)
 *  [S2] small span:  allocBits & ~valid == ~valid (tail slots read allocated)
 *  [S3] small span:  elemsize == class_to_size[class(spanclass)],
 *       divMul == class_to_divmagic[class], nelems == npages*8KiB / elemsize,
 *       nwords == ceil(nelems / 64), 0 <= allocCount <= nelems;
 *       large span:  spanclass == 0, nelems == 1, elemsize == npages*8KiB;
 *       every span:  spans[p] == s for each of its pages, base 8 KiB aligned
 *  [S4] cached by c (c->alloc[spc].span == s):  state == CACHED, owner == c,
 *       slot.allocCache ⊆ allocBits[freeindex],
 *       slot.wordBase == base + freeindex*64*elemsize, slot.elemsize == elemsize
 *  [L1] state ⇔ list (manual mode and, for the collector, between cycles):
 *       MC_PARTIAL ⇔ s ∈ c->partial[spc], owner == c, allocCount < nelems
 *       MC_FULL    ⇔ s ∈ c->full[spc],    owner == c, allocCount == nelems
 *       C_PARTIAL  ⇔ s ∈ central.partial, owner == nobody, 0 < allocCount < nelems
 *       C_FULL     ⇔ s ∈ central.full or sweptFull, owner == nobody, allocCount == nelems
 *       nempty_flag ⇒ MC_PARTIAL ∧ allocCount == 0;
 *       c->nempty[spc] == #{s ∈ c->partial[spc] : nempty_flag}
 *  [L2] list: circular, s->next->prev == s, n == its length, every member's
 *       spanclass is the list's; a span on no list has next == prev == NULL
 *  [G1] sweepgen (sg = gh_sweepgen, +2 at each mark termination, as Go):
 *       s on an unswept list ⇒ s->sweepgen == sg - 2 (needs sweeping);
 *       being swept ⇒ sg - 1; any other live span ⇒ sg (swept this cycle,
 *       or created after it began: mheap_alloc stamps sg). Go's sg+1/sg+3
 *       (cached before sweep began) cannot occur: the mark-termination pause
 *       empties every cache into the unswept lists as sg advances, so a cache
 *       only ever gets a swept span (refill asserts sweepgen == sg).
 *  [G2] after mark termination, caches' windows returned:
 *       gcmarkBits ⊆ allocBits & valid (only allocated slots are marked;
 *       nothing past nelems); large: bits[1][0] ⊆ {bit 0} — except in a
 *       span a window came back from while marking ran (refill, thread
 *       exit): a loaned slot reads allocated, so a stale pointer may have
 *       marked it before it went back free. The sweep masks the marks with
 *       allocBits, so in every case sweeping never turns a free slot into
 *       an allocated one (allocBits after ⊆ allocBits before).
 * Page allocator invariants [P1]–[P4]: mpagealloc.c.
 */
struct gh_mspan {
    /* first cache line (headers are 64-byte aligned): what free() reads,
     * including the first two allocBits words — all of it for a span of up
     * to 128 objects (every class of 64 B and up), so a local free touches
     * one line of the header, not two */
    _Atomic(gh_mcache *) owner;  /* owning cache, or &gh_nobody */
    uintptr_t base;         /* startAddr */
    uintptr_t elemsize;     /* class size; npages*PAGE for large */
    uint64_t *allocBits;    /* 1 = allocated */
    uint32_t divMul;        /* class_to_divmagic */
    uint16_t allocCount;    /* objects allocated or loaned to the cache window */
    uint8_t state;          /* GH_SPAN_* */
    gh_spanClass spanclass; /* 0 = large */
    uint16_t nelems;
    uint16_t nwords;        /* 64-bit words of allocBits in use */
    uint16_t freeindex;     /* word index of the cache window (Go: object index) */
    uint8_t needzero;       /* pages were used before (not fresh from the OS) */
    uint8_t nempty_flag;    /* counted in mcache.nempty */
    uint64_t bits[2][GH_MAX_SPAN_WORDS]; /* allocBits/gcmarkBits backing (mbitmap.c) */
    /* after the bits: */
    _Atomic(uintptr_t) remote_free; /* lock-free stack of objects freed by other threads */
    uintptr_t npages;
    gh_mspan *next, *prev;  /* list links */
    uint64_t *gcmarkBits;   /* GC: 1 = marked; becomes allocBits after sweep */
    uintptr_t layout;       /* GC: per-object pointer layout (0 = noscan / unknown) */
    uint32_t sweepgen;      /* GC: 2 behind = needs sweep, 1 behind = sweeping, equal = swept */
    uint8_t dbg_window_in_mark; /* GH_DEBUG only: a window came back while marking ([G2]) */
};
_Static_assert(offsetof(gh_mspan, bits) == 48, "allocBits word 0 and 1 share the header's first cache line");

typedef struct gh_mSpanList {
    gh_mspan *first;
    uint32_t n;
} gh_mSpanList;

/* mcache.alloc[spc]: the span allocated from, with the hot fields copied so
 * the fast path touches one slot, and the class's LIFO of warm objects
 * (manual mode, mcache.c's essay). A slot is padded to one cache line
 * (fixalloc aligns mcaches to 64 bytes): at 48 bytes half the slots
 * straddled two lines, and heap/churn ran 0.9% more D1 read misses and
 * 0.4% more instructions (cachegrind).
 *
 *  [W1] every object on slot.lifo is a slot of a span of class spc owned by
 *       this cache, its allocBits bit set and counted in allocCount (on the
 *       LIFO it is "allocated to the cache", as a loaned window slot), not in
 *       any window; word 0 links to the next, word 1 holds a ^ GH_LIFO_KEY
 *  [W2] length(lifo) + lifoRoom <= gh_lifo_cap(elemsize) <= GH_LIFO_MAX;
 *       lifoRoom == 0 while the collector is on (set at refill) */
typedef struct gh_mcache_slot {
    uintptr_t lifo;      /* most recently freed object of the class, 0 if none */
    uint64_t allocCache; /* 1 bits = free objects of the window */
    uintptr_t wordBase;  /* address of the first object of the window */
    uintptr_t elemsize;
    gh_mspan *span;      /* &gh_emptymspan when none */
    uint32_t lifoRoom;   /* pushes left before the LIFO is full */
    uint32_t pad[5];
} gh_mcache_slot;
_Static_assert(sizeof(gh_mcache_slot) == 64, "a slot is one cache line");

/* The LIFO's bound per class: at most 128 objects and 64 KiB; none for the
 * 8-byte class (no room for the check word). */
#define GH_LIFO_MAX 128
#define GH_LIFO_BYTES (64u << 10)
#define GH_LIFO_KEY ((uintptr_t)0x9e3779b97f4a7c15ull)

struct gh_mcache {
    gh_mcache_slot alloc[GH_NUM_SPAN_CLASSES];
    /* Tiny allocator (noscan objects < 16 B combined in one 16 B block).
     * Only used when the collector is on (gh_gc_tiny_enabled): in manual mode
     * a combined block could not be freed object by object. */
    uintptr_t tiny, tinyoffset;
    uint64_t tinyAllocs;
    gh_mSpanList partial[GH_NUM_SPAN_CLASSES]; /* owned spans with free slots */
    gh_mSpanList full[GH_NUM_SPAN_CLASSES];    /* owned full spans */
    uint8_t nempty[GH_NUM_SPAN_CLASSES];      /* empty spans kept in partial */
    int64_t scanAlloc;                        /* GC: bytes of scannable memory allocated */
    gh_mcache *allnext;                       /* registry link */
    _Atomic int inuse;                        /* 1 while a thread uses it */
    uint32_t id;
};

/* A small spinlock for mcentral (held for a few list operations only; a
 * mutex per class would also do, but fork must hold all 136 at once, which
 * exceeds ThreadSanitizer's lock tracking). Spins, then yields. */
typedef struct gh_spinlock {
    _Atomic int v;
} gh_spinlock;
GH_HIDDEN void gh_spin_lock_slow(gh_spinlock *l);
static inline void gh_spin_lock(gh_spinlock *l) {
    if (__builtin_expect(atomic_exchange_explicit(&l->v, 1, memory_order_acquire) != 0, 0)) gh_spin_lock_slow(l);
}
static inline void gh_spin_unlock(gh_spinlock *l) { atomic_store_explicit(&l->v, 0, memory_order_release); }

typedef struct gh_mcentral {
    gh_spinlock lock;
    gh_spanClass spanclass;
    gh_mSpanList partial; /* Go: partial swept/unswept spanSets */
    gh_mSpanList full;    /* Go: full swept/unswept; may hold remote frees */
} gh_mcentral;

/* Page allocator summary of a region (Go's pallocSum, unpacked). */
typedef struct gh_pallocSum {
    uint32_t start, max, end;
} gh_pallocSum;

typedef struct gh_pageAlloc {
    uint64_t *allocBits;  /* 1 bit per page: 1 = in use or not yet grown */
    uint64_t *scavBits;   /* 1 bit per page: 1 = free and returned to the OS (or never touched) */
    gh_pallocSum *summary[GH_SUMMARY_LEVELS_MAX]; /* [0] = per chunk, top = root */
    uint32_t nentries[GH_SUMMARY_LEVELS_MAX];
    int nlevels;
    uintptr_t nchunks;    /* chunks reserved */
    uintptr_t grown;      /* chunks grown (usable) */
    uintptr_t freePages;  /* free pages among grown */
    uintptr_t scavPages;  /* free pages that are scavenged */
    uintptr_t searchChunk;/* hint: no free page below this chunk (Go: searchAddr) */
} gh_pageAlloc;

typedef struct gh_fixalloc {
    size_t size;
    void *list;
    uintptr_t chunk, nchunk;
    size_t inuse, sys;
} gh_fixalloc;

#define GH_LARGE_CACHE_N 16
#define GH_LARGE_CACHE_PAGES 256    /* 2 MiB */
#define GH_LARGE_CACHE_MAXSPAN 32   /* objects up to 256 KiB */
#define GH_SPAN_RUN_PAGES 8         /* 64 KiB: a span class's run of fresh pages */
typedef struct gh_mheap_spanRun {
    uintptr_t page, left; /* next page of the run, pages left */
    int fresh;            /* made of scavenged pages only (they read as zero) */
} gh_mheap_spanRun;
typedef struct gh_mheap {
    pthread_mutex_t lock;
    uintptr_t arena_start, arena_size;
    _Atomic(gh_mspan *) *spans; /* page index → span (all pages of in-use spans) */
    gh_pageAlloc pages;
    gh_fixalloc spanalloc;
    gh_fixalloc cachealloc;
    gh_mcentral central[GH_NUM_SPAN_CLASSES];
    /* scavenger */
    int scav_enabled;
    uintptr_t scav_retain_min;  /* bytes */
    uintptr_t scav_percent;
    uint64_t scav_period_ms;    /* background worker period; 0 = no worker */
    uintptr_t scav_large_min;   /* a freed large object this big is released at once; 0 = never */
    uint64_t pages_returned, scavenge_runs, scavenge_hard;
    uintptr_t pagesInUse;
    uint64_t largeObjects, largePages;
    /* recently freed large spans (mheap.c), still allocated in the page
     * bitmap and counted in pagesInUse; their spans[] entries stay, as DEAD spans,
     * so a double free of a cached block still throws */
    gh_mspan *largeCache[GH_LARGE_CACHE_N];
    uint32_t largeCacheN;
    uintptr_t largeCachePages;
    /* per span class: fresh pages allocated in the page bitmap as one run,
     * cut into that class's next spans (mheap.c); not in pagesInUse */
    gh_mheap_spanRun spanRun[GH_NUM_SPAN_CLASSES];
    uintptr_t spanRunPages, spanRunFreshPages; /* pages left in runs; of them in fresh runs */
    int debug_stats;
    const char *debug_stats_path; /* GOHEAP_DEBUG_STATS=/file: append there */
} gh_mheap;

extern gh_mheap gh_mheap_ GH_HIDDEN;
/* Read-mostly copies for the free fast path (set once at init). */
extern uintptr_t gh_arena_start GH_HIDDEN, gh_arena_size GH_HIDDEN;
extern _Atomic(gh_mspan *) *gh_spans GH_HIDDEN;
extern gh_mspan gh_emptymspan GH_HIDDEN;
extern gh_mcache gh_nobody GH_HIDDEN;
extern _Atomic(gh_mcache *) gh_allmcaches GH_HIDDEN;
extern pthread_mutex_t gh_mcaches_lock GH_HIDDEN;
extern _Atomic int gh_init_state GH_HIDDEN;
extern int gh_gc_tiny_enabled GH_HIDDEN;
/* mgcsweep.c: the sweep generation (stamped on new spans, [G1]) */
extern _Atomic uint32_t gh_sweepgen GH_HIDDEN;
/* mgc.c: marking is on (allocate black) */
extern _Atomic int gh_gcBlackenEnabled GH_HIDDEN;
/* Set by the collector (stw.c): run first by the cache's thread-exit
 * destructor, so a still-attached mutator detaches (and gives its cache back
 * inside the runtime) before the cache is flushed under it. */
extern void (*gh_mcache_exit_hook)(void) GH_HIDDEN;

extern __thread gh_mcache *gh_tls_mcache __attribute__((tls_model("initial-exec"))) GH_HIDDEN;

/* mem_linux.c — Go's mem_linux.go: reserve, map, release. */
GH_HIDDEN void *gh_sysReserve(size_t n);
GH_HIDDEN int gh_sysMap(void *p, size_t n);
GH_HIDDEN void gh_sysUnused(void *p, size_t n);
GH_HIDDEN void *gh_sysAlloc(size_t n);
GH_HIDDEN void gh_throw(const char *msg) __attribute__((noreturn));
GH_HIDDEN const char *gh_gogetenv(const char *name);
GH_HIDDEN uint64_t gh_nanotime(void);

/* mfixalloc.c */
GH_HIDDEN void gh_fixalloc_init(gh_fixalloc *f, size_t size);
GH_HIDDEN void *gh_fixalloc_alloc(gh_fixalloc *f);
GH_HIDDEN void gh_fixalloc_free(gh_fixalloc *f, void *p);

/* mpagealloc.c — all under the heap lock. */
GH_HIDDEN int gh_pageAlloc_init(gh_pageAlloc *p, uintptr_t nchunks);
GH_HIDDEN void gh_pageAlloc_grow(gh_pageAlloc *p, uintptr_t chunk0, uintptr_t nchunks);
/* First fit of npages; UINTPTR_MAX if none (gh_mheap_alloc does alignment). */
GH_HIDDEN uintptr_t gh_pageAlloc_find(gh_pageAlloc *p, uintptr_t npages);
/* Marks pages in use; returns how many of them were scavenged. */
GH_HIDDEN uintptr_t gh_pageAlloc_allocRange(gh_pageAlloc *p, uintptr_t page, uintptr_t npages);
GH_HIDDEN void gh_pageAlloc_free(gh_pageAlloc *p, uintptr_t page, uintptr_t npages);
GH_HIDDEN bool gh_pageAlloc_is_free(const gh_pageAlloc *p, uintptr_t page, uintptr_t npages);
GH_HIDDEN void gh_pageAlloc_free_scavenged(gh_pageAlloc *p, uintptr_t page, uintptr_t npages);
GH_HIDDEN gh_pallocSum gh_pallocBits_summarize(const uint64_t *bits, uint32_t npages);
GH_HIDDEN void gh_pageAlloc_update(gh_pageAlloc *p, uintptr_t chunk0, uintptr_t chunk1);

/* mheap.c */
GH_HIDDEN void gh_mallocinit(void);
GH_HIDDEN gh_mspan *gh_mheap_alloc(uintptr_t npages, gh_spanClass spc, uintptr_t align);
GH_HIDDEN void gh_mheap_freeSpan(gh_mspan *s);
GH_HIDDEN int gh_mheap_grow_large(gh_mspan *s, uintptr_t npages);
GH_HIDDEN void gh_mheap_freeSpanLocked(gh_mspan *s);
GH_HIDDEN void gh_mheap_flush_large_cache_locked(void);
GH_HIDDEN void gh_mheap_after_fork_child(void);

/* mscavenge.c — gh_scavenge_*_locked under the heap lock; gh_scavenger_poke
 * with no lock held, after a free that may have crossed the retain bound. */
GH_HIDDEN uintptr_t gh_scavenge_locked(uintptr_t nbytes);
GH_HIDDEN void gh_scavenge_maybe_locked(void);
GH_HIDDEN void gh_scavenge_large_locked(uintptr_t page, uintptr_t npages);
GH_HIDDEN void gh_scavenger_init(void);
GH_HIDDEN void gh_scavenger_poke(void);
GH_HIDDEN void gh_scavenger_sweepdone(uintptr_t retainedGoal); /* collected mode, no lock held */

/* mspan / mbitmap.c */
GH_HIDDEN void gh_mspan_init_small(gh_mspan *s, gh_spanClass spc);
GH_HIDDEN int gh_mspan_drain_remote_slow(gh_mspan *s);

/* mdebug.c: the invariant checks (no-ops unless GH_DEBUG; see debug.h).
 * The callers wrap them in GH_DEBUG_ONLY / GH_EXPENSIVE. */
GH_HIDDEN void gh_debug_check_span(const gh_mspan *s);                 /* S1-S3 */
GH_HIDDEN void gh_debug_check_cached(const gh_mcache *c, int spc);    /* S4 + S1-S3 */
GH_HIDDEN void gh_debug_check_mcache_class(const gh_mcache *c, int spc); /* L1, L2, S1-S3 */
GH_HIDDEN void gh_debug_check_mcache(const gh_mcache *c);              /* every class */
GH_HIDDEN void gh_debug_check_mcentral(const gh_mcentral *c);          /* L1, L2; lock held */
GH_HIDDEN void gh_debug_check_spanlist(const gh_mSpanList *l, int spc, int state, const gh_mcache *owner);
GH_HIDDEN void gh_debug_check_pageAlloc(const gh_pageAlloc *p);        /* P1-P4 */
GH_HIDDEN void gh_debug_check_chunk(const gh_pageAlloc *p, uintptr_t chunk); /* P1 for one chunk */
GH_HIDDEN void gh_debug_check_object(const void *x, size_t size);     /* x is a slot of a class >= size */
GH_HIDDEN void gh_debug_check_swept(const gh_mspan *s);                /* G1 when a cache takes s */

/* Intrusive circular doubly-linked span lists (first->prev is the last).
 * Inline: in a churn of few-object spans (1..4 KiB classes hold 2..8
 * objects per 8 KiB span) nearly every refill and many frees move a span
 * between an mcache's partial and full lists, and the call overhead of
 * out-of-line list functions was a fifth of the refill path. */
static inline void gh_mSpanList_insertBack(gh_mSpanList *l, gh_mspan *s) { /* at the back */
    GH_ASSERT_MSG(s->next == NULL && s->prev == NULL, "span %p pushed while on a list", (void *)s);
    gh_mspan *f = l->first;
    if (!f) {
        s->next = s->prev = s;
        l->first = s;
    } else {
        gh_mspan *last = f->prev;
        s->next = f;
        s->prev = last;
        last->next = s;
        f->prev = s;
    }
    l->n++;
}

static inline void gh_mSpanList_remove(gh_mSpanList *l, gh_mspan *s) {
    GH_ASSERT(l->n > 0 && l->first != NULL);
    GH_ASSERT(s->next->prev == s && s->prev->next == s);
    gh_mspan *n = s->next;
    if (n == s) {
        l->first = NULL;
    } else {
        gh_mspan *p = s->prev;
        p->next = n;
        n->prev = p;
        if (l->first == s) l->first = n;
    }
    s->next = s->prev = NULL;
    l->n--;
}

static inline gh_mspan *gh_mSpanList_pop(gh_mSpanList *l) {
    gh_mspan *s = l->first;
    if (s) gh_mSpanList_remove(l, s);
    return s;
}

/* Population count without a libgcc call: without -mpopcnt (the default
 * x86-64 baseline) __builtin_popcountll is a call to __popcountdi2, which
 * was ~9% of the instructions of a random-size churn (two per refill). */
static inline unsigned gh_popcount64(uint64_t x) {
#if defined(__POPCNT__) || !(defined(__x86_64__) || defined(__i386__))
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* mcentral.c */
GH_HIDDEN void gh_mcentral_init(gh_mcentral *c, gh_spanClass spc);
GH_HIDDEN gh_mspan *gh_mcentral_cacheSpan(gh_mcentral *c);
GH_HIDDEN void gh_mcentral_uncacheSpan(gh_mcentral *c, gh_mspan *s);
GH_HIDDEN void gh_mcentral_sweep_all(gh_mcentral *c);
/* mgcsweep.c: the collector's lazy sweep, called by cacheSpan before it grows. */
GH_HIDDEN gh_mspan *gh_mcentral_sweep_for_alloc(gh_mcentral *c);

/* mcache.c */
GH_HIDDEN gh_mcache *gh_allocmcache(void);
GH_HIDDEN void gh_freemcache(gh_mcache *c);
GH_HIDDEN void gh_mcache_refill(gh_mcache *c, gh_spanClass spc);
GH_HIDDEN void gh_mcache_free_slow(gh_mcache *c, gh_mspan *s);
GH_HIDDEN void gh_mcache_thread_key_init(void);
GH_HIDDEN void gh_mcache_releaseAll(gh_mcache *c);
GH_HIDDEN void gh_mcache_flushLIFO(gh_mcache *c, gh_spanClass spc);
GH_HIDDEN void gh_mcache_lifo_check(const gh_mcache_slot *slot, uintptr_t a, const char *what);
GH_HIDDEN void gh_mcache_lifo_push_slow(gh_mcache *c, gh_mcache_slot *slot, uintptr_t a);
GH_HIDDEN void gh_mcache_free_checked(gh_mcache *c, gh_mspan *s, uintptr_t a);

static inline uint32_t gh_lifo_cap(uintptr_t elemsize) {
    if (elemsize < 16) return 0;
    uintptr_t n = GH_LIFO_BYTES / elemsize;
    return n > GH_LIFO_MAX ? GH_LIFO_MAX : n < 2 ? 2 : (uint32_t)n;
}

/* A local free of a (bit set, checked by the caller) onto the class's LIFO,
 * which has room: a's bits stay as they are ([W1]); the next malloc of the
 * class gets it back while it is still in the cache. Word 1's key makes a
 * second free of it visible: then (and always in GH_DEBUG builds) false,
 * and the caller goes to gh_mcache_lifo_push_slow, which walks the LIFO. */
static inline bool gh_lifo_push(gh_mcache_slot *slot, uintptr_t a) {
    uintptr_t *o = (uintptr_t *)a, key = a ^ GH_LIFO_KEY, next = slot->lifo;
    if (GH_DEBUG > 0 || GH_UNLIKELY(o[1] == key)) return false;
    /* in this order (slot->lifo may alias o[0]), so that GCC does not merge
     * the two word stores through a vector register: 4 instructions for 2 */
    o[1] = key;
    slot->lifo = a;
    o[0] = next;
    slot->lifoRoom--;
    return true;
}

/* Take the newest object off the class's LIFO (a == slot->lifo != 0). */
static inline void *gh_lifo_pop(gh_mcache_slot *slot, uintptr_t a) {
    uintptr_t *o = (uintptr_t *)a;
    GH_DEBUG_ONLY(gh_mcache_lifo_check(slot, a, NULL));
    slot->lifo = o[0];
    o[1] = 0; /* a later free of it must not look like a double free */
    slot->lifoRoom++;
    return (void *)a;
}

/* malloc.c — implementation entry points shared with malloc_preload.c. */
GH_HIDDEN void *gh__malloc(size_t size);
GH_HIDDEN void gh__free(void *p, int strict);
GH_HIDDEN void *gh__calloc(size_t n, size_t size);
GH_HIDDEN void *gh__realloc(void *p, size_t size, int strict);
GH_HIDDEN void *gh__aligned(size_t align, size_t size);
GH_HIDDEN size_t gh__usable_size(const void *p);
GH_HIDDEN void gh__init_slow(void);

/* Reclaim the objects other threads freed into s (its remote_free stack):
 * clear their bits; returns how many. The owner, or mcentral under its
 * lock, calls this; the common case (nothing pushed) is one load. */
static inline int gh_mspan_drain_remote(gh_mspan *s) {
    if (GH_LIKELY(!atomic_load_explicit(&s->remote_free, memory_order_relaxed))) return 0;
    return gh_mspan_drain_remote_slow(s);
}

/* Loan the next allocBits word with a free slot (from freeindex, wrapping)
 * to the cache slot: its free bits become slot->allocCache, the word reads
 * all-allocated meanwhile and allocCount counts the loan. 0 if s is full. */
static inline int gh_mspan_load_window(gh_mspan *s, gh_mcache_slot *slot) {
    unsigned nw = s->nwords, w = s->freeindex;
    uint64_t *bits = s->allocBits;
    if (w >= nw) w = 0;
    for (unsigned i = nw; i > 0; i--) {
        uint64_t freeb = ~bits[w];
        if (freeb) {
            bits[w] = ~(uint64_t)0;
            __atomic_store_n(&s->allocCount, (uint16_t)(s->allocCount + gh_popcount64(freeb)), __ATOMIC_RELAXED);
            s->freeindex = (uint16_t)w;
            slot->allocCache = freeb;
            slot->wordBase = s->base + (uintptr_t)w * 64 * s->elemsize;
            slot->elemsize = s->elemsize;
            slot->span = s;
            return 1;
        }
        if (++w == nw) w = 0;
    }
    return 0;
}

/* Give back the slots of the window that were not handed out. */
static inline void gh_mspan_unload_window(gh_mspan *s, gh_mcache_slot *slot) {
    uint64_t c = slot->allocCache;
    GH_DEBUG_ONLY(if (c && atomic_load_explicit(&gh_gcBlackenEnabled, memory_order_relaxed)) s->dbg_window_in_mark = 1);
    GH_ASSERT_MSG(slot->span == s, "unloading span %p from the slot of %p", (void *)s, (void *)slot->span);
    GH_ASSERT_MSG((s->allocBits[s->freeindex] & c) == c && gh_popcount64(c) <= s->allocCount,
                  "[S4] window of span %p not a subset of allocBits[%u]", (void *)s, s->freeindex);
    if (c) {
        s->allocBits[s->freeindex] &= ~c;
        __atomic_store_n(&s->allocCount, (uint16_t)(s->allocCount - gh_popcount64(c)), __ATOMIC_RELAXED);
    }
    slot->allocCache = 0;
    slot->span = &gh_emptymspan;
    slot->wordBase = 0;
    slot->elemsize = 0;
}

static inline gh_mspan *gh_spanOf(uintptr_t a) {
    uintptr_t off = a - gh_arena_start;
    if (off >= gh_arena_size) return NULL;
    return atomic_load_explicit(&gh_spans[off >> GH_PAGE_SHIFT], memory_order_relaxed);
}

static inline uintptr_t gh_mspan_objIndex(const gh_mspan *s, uintptr_t a) {
    return (uintptr_t)(((uint64_t)(a - s->base) * s->divMul) >> 32);
}

/* Whether a (inside s) is the start of an object, from the same product as
 * the index: with divMul = ceil(2^32/size) = (2^32 + e)/size, 0 <= e < size,
 * offset k*size + r times divMul is k*2^32 + k*e + r*divMul, so the low 32
 * bits are k*e < divMul when r == 0 and >= divMul otherwise — provided
 * nelems*size*size < 2^32, true of every class (the largest product,
 * 27264 B x 80 KiB spans, is 2.2e9; checked by test_sizeclass). This saves
 * the multiply-back (base + idx*elemsize == a) on free. */
static inline bool gh_mspan_objexact(const gh_mspan *s, uintptr_t a) {
    return (uint32_t)((uint64_t)(a - s->base) * s->divMul) < s->divMul;
}

#endif
