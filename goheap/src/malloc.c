/*
 * malloc.c — goheap's allocation entry points (Go's malloc.go).
 *
 * Overview (Go's essay, translated to manual memory management):
 *
 * The allocator works in runs of 8 KiB pages. Small sizes (up to 32 KiB) are
 * rounded to one of 69 size classes (sizeclasses.c), each with its own spans
 * of objects of that size; larger requests take whole pages straight from
 * the heap. The hierarchy, fast to slow:
 *
 *   mcache   per thread, no locks: the current span of each class and a
 *            64-bit window of its free slots.
 *   mcentral per class, a lock: spans owned by no thread.
 *   mheap    one lock: the page allocator, large objects, the scavenger.
 *
 * Allocating a small object: pick the class from the size tables, pop the
 * slot's LIFO of recently freed objects, else take the lowest set bit of
 * the slot's allocCache. If the window is empty, refill it from the same
 * span, then from the thread's other spans, then mcentral, then mheap
 * (mcache.c). Freeing: find the span from the address (spans[]), compute
 * the object index with a multiply (divMagic), check its bit, and either
 * push it on the class's LIFO (the span is this thread's; if the LIFO is
 * full, clear the bit) or push it on the span's remote list. Go has no
 * LIFO (no explicit free); mcache.c says why goheap's manual mode does.
 *
 * Manual-mode decisions:
 *   - Tiny allocator off: Go packs several noscan objects < 16 B into one
 *     16 B block, which can only be reclaimed as a whole, so explicit free
 *     of one of them would be wrong. Tiny sizes use the 8/16 B classes; the
 *     mcache keeps tiny/tinyoffset and gh_mallocgc() the tiny path for the
 *     collector (gh_gc_tiny_enabled), where blocks die together.
 *   - malloc alignment: sizes above 8 bytes get 16-byte alignment (max_align_t),
 *     so the 24-byte class is skipped by malloc (17..24 → 32); every other
 *     class above 8 is a multiple of 16. gh_mallocgc can use class 24.
 *   - calloc zeroes large objects only if their pages were used before (the
 *     span's needzero, from the scavenged-page bits); small ones always.
 *   - Errors: NULL + ENOMEM (too large / no memory), EINVAL (alignment).
 *     Invalid or double frees detected on the way abort with a message (as
 *     Go throws); the LD_PRELOAD shim ignores pointers outside the heap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "runtime.h"

_Atomic int gh_init_state;
static uint8_t gh_malloc_class8[GH_SMALL_SIZE_MAX / GH_SMALL_SIZE_DIV + 1];
/* The same lookup folded one step further: the byte offset of malloc's
 * mcache slot for every small size in steps of 8 (8 KiB of table, of which
 * a program touches the lines of the sizes it uses), so the fast path goes
 * size → slot with one shift and one load: no class → spanclass → slot
 * arithmetic, and no test of which table. Two tables (steps of 8 up to
 * 8184 B, then of 128, as size_to_class8/128) behind a size test cost a
 * mispredicted branch per allocation when sizes straddle 8 KiB at random:
 * pooled/buffers-direct (4-64 KiB), 14.4k of goheap's 54k mispredictions
 * per 60k gets (cachegrind --branch-sim); choosing the index with a mask
 * instead lengthened the path to the load, and concurrent/scaling (16-256
 * B) lost 5%. */
static uint16_t gh_malloc_slot[GH_MAX_SMALL_SIZE / GH_SMALL_SIZE_DIV + 1];

GH_HIDDEN void gh_mcache_register_thread(gh_mcache *c);

/* ---------------------------------------------------------------- init */

static void fork_prepare(void) {
    pthread_mutex_lock(&gh_mcaches_lock);
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) gh_spin_lock(&gh_mheap_.central[i].lock);
    pthread_mutex_lock(&gh_mheap_.lock);
}
static void fork_parent(void) {
    pthread_mutex_unlock(&gh_mheap_.lock);
    for (int i = GH_NUM_SPAN_CLASSES - 1; i >= 0; i--) gh_spin_unlock(&gh_mheap_.central[i].lock);
    pthread_mutex_unlock(&gh_mcaches_lock);
}
static void fork_child(void) {
    pthread_mutex_init(&gh_mheap_.lock, NULL);
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) gh_spin_unlock(&gh_mheap_.central[i].lock);
    pthread_mutex_init(&gh_mcaches_lock, NULL);
    gh_mheap_after_fork_child();
    /* Only the forking thread survives. The others may have been in the
     * middle of updating their own caches when fork() copied memory — the
     * owner's operations (window reload, partial/full list moves) take no
     * lock — so their caches cannot be trusted here and are abandoned: left
     * marked in use (never handed to a new thread), their spans stay owned by
     * them, and a free of one of their objects takes the remote-free path
     * like any free from another thread. What they held leaks in the child;
     * the heap and mcentral were locked across fork and are consistent. */
}

void gh__init_slow(void) {
    static atomic_flag lock = ATOMIC_FLAG_INIT;
    while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire)) {
        if (atomic_load_explicit(&gh_init_state, memory_order_acquire) == 2) return;
    }
    if (atomic_load_explicit(&gh_init_state, memory_order_relaxed) != 0) {
        /* recursive call from our own bootstrap (state 1) is a bug */
        atomic_flag_clear_explicit(&lock, memory_order_release);
        if (atomic_load_explicit(&gh_init_state, memory_order_acquire) != 2) gh_throw("recursive init");
        return;
    }
    atomic_store_explicit(&gh_init_state, 1, memory_order_relaxed);
    gh_mallocinit();
    memcpy(gh_malloc_class8, gh_size_to_class8, sizeof gh_malloc_class8);
    gh_malloc_class8[0] = 1;                       /* malloc(0): a unique 8-byte object */
    gh_malloc_class8[3] = gh_size_to_class8[4];    /* 17..24 → 32: 16-byte alignment */
    for (size_t i = 0; i < sizeof gh_malloc_slot / sizeof gh_malloc_slot[0]; i++) {
        uint8_t cl = i < sizeof gh_malloc_class8 ? gh_malloc_class8[i] : gh_size_to_class(i * GH_SMALL_SIZE_DIV);
        gh_malloc_slot[i] = (uint16_t)(offsetof(gh_mcache, alloc) + gh_makeSpanClass(cl, 0) * sizeof(gh_mcache_slot));
    }
    gh_mcache_thread_key_init();
    atomic_store_explicit(&gh_init_state, 2, memory_order_release);
    atomic_flag_clear_explicit(&lock, memory_order_release);
    /* may allocate (and so re-enter malloc): done after init is complete */
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    gh_scavenger_init();
}

static GH_NOINLINE gh_mcache *mcache_slow(void) {
    if (atomic_load_explicit(&gh_init_state, memory_order_acquire) != 2) gh__init_slow();
    gh_mcache *c = gh_tls_mcache;
    if (!c) {
        c = gh_allocmcache();
        gh_tls_mcache = c;
        gh_mcache_register_thread(c);
    }
    return c;
}

static inline gh_mcache *getmcache(void) {
    gh_mcache *c = gh_tls_mcache;
    return GH_LIKELY(c != NULL) ? c : mcache_slow();
}

/* ---------------------------------------------------------------- alloc */

static inline unsigned malloc_class(size_t size) {
    if (size <= GH_SMALL_SIZE_MAX - 8) return gh_malloc_class8[(size + 7) >> 3];
    return gh_size_to_class128[(size - GH_SMALL_SIZE_MAX + GH_LARGE_SIZE_DIV - 1) / GH_LARGE_SIZE_DIV];
}

static GH_NOINLINE void *nextFree_slow(gh_mcache *c, gh_spanClass spc) {
    gh_mcache_refill(c, spc);
    gh_mcache_slot *slot = &c->alloc[spc];
    uint64_t cache = slot->allocCache;
    if (!cache) {
        errno = ENOMEM;
        return NULL;
    }
    slot->allocCache = cache & (cache - 1);
    return (void *)(slot->wordBase + (uintptr_t)(unsigned)__builtin_ctzll(cache) * slot->elemsize);
}

/* Go's nextFreeFast: one slot, ctz, clear lowest bit. */
GH_INLINE void *nextFree(gh_mcache *c, gh_spanClass spc) {
    gh_mcache_slot *slot = &c->alloc[spc];
    uint64_t cache = slot->allocCache;
    if (GH_UNLIKELY(cache == 0)) return nextFree_slow(c, spc);
    slot->allocCache = cache & (cache - 1);
    return (void *)(slot->wordBase + (uintptr_t)(unsigned)__builtin_ctzll(cache) * slot->elemsize);
}

static GH_NOINLINE void *largeAlloc(size_t size, size_t align, int zero) {
    getmcache();
    if (size > gh_arena_size) {
        errno = ENOMEM;
        return NULL;
    }
    uintptr_t npages = (size + GH_PAGE_SIZE - 1) >> GH_PAGE_SHIFT;
    if (npages == 0) npages = 1;
    gh_mspan *s = gh_mheap_alloc(npages, 0, align);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    if (zero && s->needzero) memset((void *)s->base, 0, size);
    return (void *)s->base;
}

static GH_NOINLINE void *malloc_slow(size_t size) {
    gh_mcache *c = getmcache();
    if (size > GH_MAX_SMALL_SIZE) return largeAlloc(size, 0, 0);
    return nextFree(c, gh_makeSpanClass(malloc_class(size), 0));
}

/* Allocate from the mcache slot at byte offset off of c. */
GH_INLINE void *slotAlloc(gh_mcache *c, uintptr_t off) {
    gh_mcache_slot *slot = (gh_mcache_slot *)((char *)c + off);
    uintptr_t warm = slot->lifo; /* the class's most recently freed object first */
    if (warm) return gh_lifo_pop(slot, warm);
    uint64_t cache = slot->allocCache;
    if (GH_UNLIKELY(cache == 0)) return nextFree_slow(c, (gh_spanClass)(slot - c->alloc));
    slot->allocCache = cache & (cache - 1);
    return (void *)(slot->wordBase + (uintptr_t)__builtin_ctzll(cache) * slot->elemsize);
}

/* The malloc fast path, inlined into gh_malloc and gh__malloc: size → slot
 * offset by one table load for every small size. */
GH_INLINE void *malloc_inline(size_t size) {
    gh_mcache *c = gh_tls_mcache;
    if (GH_LIKELY(c != NULL && size <= GH_MAX_SMALL_SIZE)) return slotAlloc(c, gh_malloc_slot[(size + 7) >> 3]);
    return malloc_slow(size);
}

void *gh__malloc(size_t size) { return malloc_inline(size); }

/* Go's mallocgc shape, for the collector: noscan objects may use class 24
 * and, with the collector on, the tiny allocator. */
GH_HIDDEN void *gh_mallocgc(size_t size, int noscan) {
    gh_mcache *c = getmcache();
    if (size > GH_MAX_SMALL_SIZE) return largeAlloc(size, 0, 1);
    if (noscan && gh_gc_tiny_enabled && size < GH_TINY_SIZE) {
        uintptr_t off = c->tinyoffset;
        /* align the offset by the size's own alignment, as Go does */
        if ((size & 7) == 0) off = (off + 7) & ~(uintptr_t)7;
        else if ((size & 3) == 0) off = (off + 3) & ~(uintptr_t)3;
        else if ((size & 1) == 0) off = (off + 1) & ~(uintptr_t)1;
        if (c->tiny && off + size <= GH_TINY_SIZE) {
            c->tinyoffset = off + size;
            c->tinyAllocs++;
            return (void *)(c->tiny + off);
        }
        void *x = nextFree(c, gh_makeSpanClass(gh_size_to_class8[2], 1));
        if (!x) return NULL;
        memset(x, 0, GH_TINY_SIZE);
        if (size < c->tinyoffset || !c->tiny) {
            c->tiny = (uintptr_t)x;
            c->tinyoffset = size;
        }
        return x;
    }
    unsigned sc = size ? gh_size_to_class(size) : 1;
    void *x = nextFree(c, gh_makeSpanClass(sc, noscan));
    if (x) memset(x, 0, gh_class_to_size[sc]);
    GH_EXPENSIVE(if (x) gh_debug_check_object(x, size));
    return x;
}

void *gh__calloc(size_t n, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (total > GH_MAX_SMALL_SIZE) return largeAlloc(total, 0, 1);
    void *p = gh__malloc(total);
    if (p) memset(p, 0, total);
    return p;
}

void *gh__aligned(size_t align, size_t size) {
    if (align == 0 || (align & (align - 1))) {
        errno = EINVAL;
        return NULL;
    }
    if (align <= 16 && (align <= 8 || size > 8)) return gh__malloc(size);
    if (align <= GH_PAGE_SIZE && size <= GH_MAX_SMALL_SIZE) {
        size_t sz = size < align ? align : (size + align - 1) & ~(align - 1);
        if (sz <= GH_MAX_SMALL_SIZE) {
            for (unsigned sc = gh_size_to_class(sz); sc < GH_NUM_SIZE_CLASSES; sc++) {
                if (gh_class_to_size[sc] % align == 0) {
                    gh_mcache *c = getmcache();
                    return nextFree(c, gh_makeSpanClass(sc, 0));
                }
            }
        }
    }
    if (size == 0) size = 1;
    return largeAlloc(size, align, 0);
}

/* ---------------------------------------------------------------- free */

_Static_assert(GH_SPAN_CACHED == 1 && GH_SPAN_MC_PARTIAL == 2 && GH_SPAN_MC_FULL == 3,
               "gh__free's slow-path test relies on the owned states' order");

static GH_NOINLINE __attribute__((noreturn, cold)) void bad_free(const void *p, const char *what) {
    (void)p;
    gh_throw(what);
}

static GH_NOINLINE void free_slow(gh_mspan *s, uintptr_t a, int strict) {
    if (!s) {
        if (a - gh_arena_start >= gh_arena_size && !strict) return; /* not ours (LD_PRELOAD) */
        bad_free((void *)a, "free of a pointer not allocated by goheap (or double free)");
    }
    if (s->spanclass == 0) {
        if (a != s->base) bad_free((void *)a, "free of an interior pointer of a large object");
        gh_mheap_freeSpan(s);
        return;
    }
    if (!gh_mspan_objexact(s, a)) bad_free((void *)a, "free of an interior pointer");
    /* remote free: push on the span's lock-free stack; the owner (or
     * mcentral) reclaims it */
    uintptr_t old = atomic_load_explicit(&s->remote_free, memory_order_relaxed);
    do {
        *(uintptr_t *)a = old;
    } while (!atomic_compare_exchange_weak_explicit(&s->remote_free, &old, a, memory_order_release,
                                                    memory_order_relaxed));
}

/* The free fast path, inlined into each entry point (gh_free, gh_free_sized,
 * the preload shim's gh__free): a call-and-jump less per free. */
GH_INLINE void free_inline(void *p, int strict) {
    uintptr_t a = (uintptr_t)p;
    /* NULL first: free(NULL) may run before (or during) another thread's
     * init, when the arena globals must not be read (TSan, test_fork) */
    if (GH_UNLIKELY(a == 0)) return;
    uintptr_t off = a - gh_arena_start;
    gh_mspan *s = NULL;
    if (GH_LIKELY(off < gh_arena_size)) s = atomic_load_explicit(&gh_spans[off >> GH_PAGE_SHIFT], memory_order_relaxed);
    gh_mcache *c = gh_tls_mcache;
    if (GH_LIKELY(s != NULL) && atomic_load_explicit(&s->owner, memory_order_relaxed) == c) {
        /* one multiply gives both the index (high half) and whether a is
         * an object's start (low half, see gh_mspan_objexact) */
        uint64_t q = (uint64_t)(a - s->base) * s->divMul;
        uintptr_t idx = (uintptr_t)(q >> 32);
        unsigned b = (unsigned)idx & 63;
        uint64_t *w = &s->allocBits[idx >> 6];
        uint64_t x = *w;
        /* bit test and bit clear by register index (bt, btr): no mask */
        if (GH_UNLIKELY(!((x >> b) & 1) || (uint32_t)q >= s->divMul))
            bad_free(p, ((x >> b) & 1) ? "free of an interior pointer" : "double free detected");
        /* warm: onto the class's LIFO, handed out first (mcache.c) */
        gh_mcache_slot *slot = &c->alloc[s->spanclass];
        if (GH_LIKELY(slot->lifoRoom != 0)) {
            if (GH_LIKELY(gh_lifo_push(slot, a))) return;
            gh_mcache_lifo_push_slow(c, slot, a); /* a key in word 1, or GH_DEBUG */
            return;
        }
        /* LIFO full or off: the bitmap, after the check that a is not on it */
        if (GH_UNLIKELY(slot->lifo != 0) && (GH_DEBUG > 0 || GH_UNLIKELY(((uintptr_t *)a)[1] == (a ^ GH_LIFO_KEY)))) {
            gh_mcache_free_checked(c, s, a);
            return;
        }
        *w = x & ~((uint64_t)1 << b);
        uint16_t n = (uint16_t)(s->allocCount - 1);
        __atomic_store_n(&s->allocCount, n, __ATOMIC_RELAXED);
        /* One branch, its condition computed without branching: when frees
         * alternate between a thread's current and non-current spans (any
         * mix of sizes), a branch on the state alone mispredicted about
         * every other free (callgrind --branch-sim: 48% in a batch of 1000
         * random sizes) and cost more than the rest of free; two separate
         * branches (n == 0, then MC_FULL) were 40% slower than this on a
         * random-size churn, where both conditions are frequent.
         * An owned span is CACHED (1), MC_PARTIAL (2) or MC_FULL (3), so
         * "MC_FULL, or empty and not CACHED" is st + (n == 0) >= 3: one add
         * and one compare (4 instructions fewer than the two tests). */
        unsigned st = s->state;
        if (GH_UNLIKELY(st + (n == 0) >= GH_SPAN_MC_FULL)) gh_mcache_free_slow(c, s);
        return;
    }
    free_slow(s, a, strict);
}

void gh__free(void *p, int strict) { free_inline(p, strict); }

/* ---------------------------------------------------------------- sizes */

size_t gh__usable_size(const void *p) {
    uintptr_t a = (uintptr_t)p;
    gh_mspan *s = a ? gh_spanOf(a) : NULL;
    if (!s) return 0;
    if (s->spanclass == 0) return s->base + (s->npages << GH_PAGE_SHIFT) - a;
    return s->elemsize;
}

void *gh__realloc(void *p, size_t size, int strict) {
    if (!p) return gh__malloc(size);
    gh_mspan *s = gh_spanOf((uintptr_t)p);
    if (!s) {
        if (strict) bad_free(p, "realloc of a pointer not allocated by goheap");
        errno = ENOMEM;
        return NULL;
    }
    size_t old = gh__usable_size(p);
    if (size <= old) {
        /* shrink in place unless it would waste more than half */
        if (size >= old / 2 || old <= 16) return p;
        if (s->spanclass != 0 && malloc_class(size) == gh_spanClass_sizeclass(s->spanclass)) return p;
    }
    if (size > old && s->spanclass == 0 && size <= gh_arena_size && (uintptr_t)p == s->base &&
        gh_mheap_grow_large(s, (size + GH_PAGE_SIZE - 1) >> GH_PAGE_SHIFT))
        return p; /* grown in place: no copy, no second block resident */
    /* Moving: grow by at least a quarter (tcmalloc's lower_bound_to_grow),
     * so a buffer grown in small steps is copied O(log n) times, not once
     * per size class or page. */
    size_t want = size;
    if (size > old && size - old < old / 4 && old + old / 4 > size) want = old + old / 4;
    void *n = gh__malloc(want);
    if (!n && want != size) n = gh__malloc(want = size);
    if (!n) return NULL;
    memcpy(n, p, old < size ? old : size);
    gh__free(p, strict);
    return n;
}

/* ---------------------------------------------------------------- public */

void *gh_malloc(size_t size) {
    void *p = malloc_inline(size);
    GH_EXPENSIVE(if (p) gh_debug_check_object(p, size));
    return p;
}
void gh_free(void *p) { free_inline(p, 1); }
void gh_free_sized(void *p, size_t size) {
    (void)size;
    free_inline(p, 1);
}
void *gh_calloc(size_t n, size_t size) { return gh__calloc(n, size); }
void *gh_realloc(void *p, size_t size) { return gh__realloc(p, size, 1); }
void *gh_aligned_alloc(size_t align, size_t size) { return gh__aligned(align, size); }
int gh_posix_memalign(void **out, size_t align, size_t size) {
    if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
    int e = errno;
    void *p = gh__aligned(align, size);
    if (!p) {
        int r = errno;
        errno = e;
        return r ? r : ENOMEM;
    }
    *out = p;
    return 0;
}
size_t gh_usable_size(const void *p) { return gh__usable_size(p); }
int gh_owns(const void *p) {
    uintptr_t a = (uintptr_t)p;
    gh_mspan *s = a ? gh_spanOf(a) : NULL;
    return s != NULL && s->state != GH_SPAN_DEAD;
}
const char *gh_version(void) { return "goheap 0.1.0 (go1.22 size classes, manual mode)"; }
