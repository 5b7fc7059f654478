/*
 * mgc.c — the garbage collector: phases, the background worker, allocation
 * (Go's mgc.go and the collector half of malloc.go).
 *
 * goheap's collector is a non-moving, concurrent, tri-colour mark-sweep
 * collector over the allocator's spans and size classes, with Go's shape:
 *
 *  0. Sweep termination. The worker finishes sweeping the previous cycle
 *     (outside any pause), then stops the world (stw.c): caches drop their
 *     tiny blocks, sync.Pools move their contents to the victim cache
 *     (pool.c), every stopped thread's stack is scanned conservatively into
 *     grey work (the only O(stack) work in a pause), the phase becomes
 *     _GCmark, the write barrier turns on (gh_gc_barrier_enabled, the word
 *     hb_store tests), allocation turns black. The world restarts.
 *  1. Concurrent mark. The worker scans the registered roots, pools and
 *     finalizable objects, then drains grey objects (mgcmark.c), aiming at
 *     25% of the CPUs (Go's gcBackgroundUtilization) — on 2 cores a
 *     fractional worker — but running freely when there are fewer mutator
 *     threads than cores (Go's idle-priority workers). Allocating threads
 *     pay mark assists (mgcmark.c, pacer in mgcpacer.c). Pointer stores
 *     take the hybrid barrier (mbarrier.c).
 *  2. Mark termination (Go's gcMarkDone + gcMarkTermination). When no grey
 *     object is left the worker stops the world, collects the threads'
 *     barrier buffers and rescans the registered roots; if that produced
 *     grey objects the world restarts and marking goes on (so a pause never
 *     drains the heap); otherwise finalizable dead objects are queued
 *     (mfinal.c), the barrier turns off, the phase becomes _GCoff, caches
 *     return their windows and every span is handed to the sweeper
 *     (mgcsweep.c: O(threads × classes) list splices), the pacer sets the
 *     next goal, and the world restarts.
 *  3. Concurrent sweep: lazily before a span is allocated from,
 *     proportionally to allocation, and by the worker in the background.
 *
 * Pauses do O(threads + stacks + roots + classes) work, never O(heap).
 *
 * Object layouts. The allocation's layout (period, ptrmask) is interned
 * once into gh_types (an id and a copy). A span records the layout of its
 * objects in mspan.layout: a gh_type pointer while all its objects share
 * it (the usual case: one store, at the span's first allocation), or a
 * tagged pointer (low bit 1) to a side array of 16-bit type ids, one per
 * object, once two layouts meet in one span. Noscan allocations (NULL
 * layout or an all-zero mask) go to the noscan span classes and the tiny
 * allocator and are never scanned. Large objects keep their gh_type in
 * their span.
 *
 * Blocks of 16 bytes and more are 16-byte aligned (max_align_t), so sizes
 * 17..24 take the 32-byte class, as malloc does — except a typed 24-byte
 * object whose layout period is 1 or 3 words: it is one or three elements
 * of an 8- or 24-byte type, whose alignment divides its size and so is at
 * most 8, and it takes Go's 24-byte class (gc_size: GCBench's and
 * binary-trees' {left, right, value} node is 32 bytes otherwise, a third
 * more heap than Go's). Smaller noscan objects go to the tiny allocator,
 * aligned by their size as in Go.
 *
 * Allocation (gh_gc_alloc): gh_mallocgc inside the runtime (g->mallocing,
 * so a stop waits for it), record the layout, mark the object if marking
 * (allocate black), count the bytes in the thread's local credit; every
 * 64 KiB the credit is added to heapLive, assists or proportional sweep are
 * paid, and the trigger is tested. GOHEAP_GC_TORTURE runs a full
 * collection before every allocation.
 *
 * GOHEAP_GC_TORTURE=concurrent instead keeps cycles running *while* the
 * mutators run, the interleavings per-allocation torture never reaches (its
 * mark phase starts and ends inside one allocation): a torturer thread asks
 * for a cycle at random intervals of 0..255 us, so cycles run back to back,
 * and the worker pauses 100 us at up to 8 random points of each drain (one
 * stop test in four, each every 32 objects), so each mark phase spans many
 * mutator steps — stores through the barrier, allocations (black) and
 * assists, lazy sweeps racing the worker's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgc.h"

_Atomic int gh_gcphase;
_Atomic int gh_gcBlackenEnabled;
_Atomic uint32_t gh_gc_cycles;
int gh_gc_debug;
gh_type gh_types[GH_MAX_TYPES];
unsigned gh_gc_fault; /* gc.h: faulty adapters only */
static void (*_Atomic mark_hook)(void *);
static void *_Atomic mark_hook_arg;

/* Allocate black while marking (the GH_FAULT_ALLOC_WHITE fault does not). */
#define ALLOC_BLACK()                                                            \
    (atomic_load_explicit(&gh_gcBlackenEnabled, memory_order_relaxed) && \
     !(gh_gc_fault & GH_FAULT_ALLOC_WHITE))

static _Atomic int gc_inited;
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gc_cond = PTHREAD_COND_INITIALIZER;   /* wakes the worker */
static _Atomic int want_cycle;
static uint32_t cycles_started;
static int worker_sleeping;
static pthread_t worker_thread;
static int ncpu = 1;

static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t ntypes = 1; /* id 0: no layout */
static gh_fixalloc sidealloc;

#define ALLOC_FLUSH (64 << 10)

static uint64_t nanotime(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static uint64_t thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- layouts */

/* The block size asked of the size classes (see the top: 16-byte alignment
 * from 16 bytes up, except a 24-byte object of an 8- or 24-byte type). */
static inline size_t gc_size(size_t size, const gh_type *t) {
    if (size <= 16 || size > 24) return size;
    return size == 24 && t && (t->period == 1 || t->period == 3) ? 24 : 32;
}

static GH_NOINLINE gh_type *intern(gh_g *g, const gh_layout *l) {
    uint32_t period = l->period ? l->period : 1;
    if (period > 64) period = 64;
    uint64_t mask = period == 64 ? l->ptrmask : l->ptrmask & (((uint64_t)1 << period) - 1);
    gh_type *t = NULL;
    gh_acquirem(g); /* types_lock is also taken inside the runtime: never stop holding it */
    pthread_mutex_lock(&types_lock);
    for (uint32_t i = 1; i < ntypes; i++)
        if (gh_types[i].period == period && gh_types[i].ptrmask == mask) {
            t = &gh_types[i];
            break;
        }
    if (!t) {
        if (ntypes == GH_MAX_TYPES) {
            /* table full: scan every word (conservative but safe) */
            for (uint32_t i = 1; i < ntypes; i++)
                if (gh_types[i].period == 1 && gh_types[i].ptrmask == 1) t = &gh_types[i];
            if (!t) gh_throw("too many distinct layouts");
        } else {
            t = &gh_types[ntypes];
            t->period = period;
            t->ptrmask = mask;
            t->mask64 = mask;
            for (uint32_t b = period; b < 64; b += period) t->mask64 |= mask << b;
            t->id = ntypes++;
        }
    }
    pthread_mutex_unlock(&types_lock);
    gh_releasem(g);
    g->last_layout = l;
    g->last_type = t;
    return t;
}

/* Record that the object at x (in small span s) has layout t. Only the
 * span's owning cache allocates from it, so one writer at a time. */
GH_NOINLINE void gh_types_set(gh_mspan *s, uintptr_t x, gh_type *t) {
    uintptr_t lw = s->layout;
    if (lw == 0) {
        __atomic_store_n(&s->layout, (uintptr_t)t, __ATOMIC_RELEASE);
        return;
    }
    uint16_t *ids;
    if (!(lw & 1)) {
        if ((gh_type *)lw == t) return;
        pthread_mutex_lock(&types_lock);
        ids = gh_fixalloc_alloc(&sidealloc);
        pthread_mutex_unlock(&types_lock);
        if (!ids) gh_throw("out of memory for layout side arrays");
        uint16_t old = (uint16_t)((gh_type *)lw)->id;
        for (unsigned i = 0; i < s->nelems; i++) ids[i] = old;
        __atomic_store_n(&s->layout, (uintptr_t)ids | 1, __ATOMIC_RELEASE);
    } else {
        ids = (uint16_t *)(lw & ~(uintptr_t)1);
    }
    ids[gh_mspan_objIndex(s, x)] = (uint16_t)t->id;
}

void gh_types_free(gh_mspan *s) {
    uintptr_t lw = s->layout;
    s->layout = 0;
    if (lw & 1) {
        pthread_mutex_lock(&types_lock);
        gh_fixalloc_free(&sidealloc, (void *)(lw & ~(uintptr_t)1));
        pthread_mutex_unlock(&types_lock);
    }
}

/* ---------------------------------------------------------------- alloc */

static GH_NOINLINE void alloc_slow(gh_g *g) {
    gh_acquirem(g);
    int64_t n = g->alloc_local;
    g->alloc_local = 0;
    gh_heapLive_add(n);
    if (atomic_load_explicit(&gh_gcBlackenEnabled, memory_order_relaxed)) {
        g->assistDebt += (int64_t)((double)n * gh_gcController_.assistWorkPerByte);
        gh_gcAssistAlloc(g);
    } else if (!gh_isSweepDone()) {
        gh_deductSweepCredit(g, n);
    }
    gh_releasem(g);
    if (atomic_load_explicit(&gh_gcphase, memory_order_relaxed) == GH_GCoff && gh_gcTrigger_test())
        gh_gc_wake();
    /* The heap may not outrun the collector (Go parks assists that cannot
     * pay, gcParkAssist): 10% + 1 MiB past the goal (within the suite's bound
     * of 1.1 x goal + 4 MiB), while a cycle is due or marking,
     * the allocating thread waits for the worker in short sleeps, at most
     * 2 ms per 64 KiB allocated, outside the runtime (so it can be stopped). */
    gh_gcControllerState *pc = &gh_gcController_;
    if (pc->gogc == 0 && pc->memlimit <= 0) return;
    uint32_t c0 = atomic_load_explicit(&gh_gc_cycles, memory_order_relaxed);
    for (int i = 0; i < 100; i++) {
        int64_t live = atomic_load_explicit(&pc->heapLive, memory_order_relaxed);
        int64_t goal = atomic_load_explicit(&pc->heapGoal, memory_order_relaxed);
        if (live < goal + goal / 10 + (1 << 20) || atomic_load_explicit(&gh_gc_cycles, memory_order_relaxed) != c0)
            return;
        if (atomic_load_explicit(&gh_gcphase, memory_order_relaxed) == GH_GCoff) gh_gc_wake();
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
}

static GH_NOINLINE gh_g *alloc_attach(void) {
    gh_gc_init(NULL);
    return gh_g_attach();
}

static GH_NOINLINE void *gc_alloc_slow(size_t size, const gh_layout *l) {
    gh_g *g = gh_curg;
    if (GH_UNLIKELY(!g)) g = alloc_attach();
    if (GH_UNLIKELY(gh_gcController_.torture)) gh_gc_collect();
    gh_type *t = NULL;
    if (l && l->ptrmask) t = l == g->last_layout ? g->last_type : intern(g, l);
    gh_acquirem(g);
    if (GH_UNLIKELY(!g->mcache)) g->mcache = gh_tls_mcache;
    void *x = gh_mallocgc(gc_size(size, t), t == NULL);
    if (GH_UNLIKELY(!x)) {
        gh_releasem(g);
        return NULL;
    }
    gh_mspan *s = gh_spanOf((uintptr_t)x);
    uintptr_t esize;
    if (GH_UNLIKELY(s->spanclass == 0)) {
        esize = s->npages << GH_PAGE_SHIFT;
        s->allocBits = s->bits[0];
        s->gcmarkBits = s->bits[1];
        s->bits[1][0] = ALLOC_BLACK() ? 1 : 0;
        __atomic_store_n(&s->layout, (uintptr_t)t, __ATOMIC_RELEASE);
        gh_large_add(s);
        if (s->bits[1][0]) g->gcw.bytesMarked += (int64_t)esize;
    } else {
        esize = (t == NULL && size < GH_TINY_SIZE) ? (size ? size : 1) : s->elemsize;
        if (t && s->layout != (uintptr_t)t) gh_types_set(s, (uintptr_t)x, t);
        if (ALLOC_BLACK()) {
            gh_setMarked((uintptr_t)x, s);
            g->gcw.bytesMarked += (int64_t)esize;
        }
    }
    if (GH_UNLIKELY(!g->mcache)) g->mcache = gh_tls_mcache;
    GH_EXPENSIVE(if (esize == s->elemsize) gh_debug_check_object(x, size));
    g->alloc_local += (int64_t)esize;
    gh_releasem(g);
    if (GH_UNLIKELY(g->alloc_local >= ALLOC_FLUSH)) alloc_slow(g);
    return x;
}

/* Zero a small object with plain stores (no call to memset for 16..256
 * bytes, the common sizes); GCC would turn the loop back into a call. Its
 * caller, gh_gc_alloc, carries the same option: GCC does not inline a
 * function whose options differ from its caller's. */
#if defined(__GNUC__) && !defined(__clang__)
#define GH_NO_MEMSET_PATTERN __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define GH_NO_MEMSET_PATTERN
#endif
GH_NO_MEMSET_PATTERN static inline void zero_small(uintptr_t x, uintptr_t n) {
    if (n > 256) {
        memset((void *)x, 0, n);
        return;
    }
    uint64_t *p = (uint64_t *)x;
    for (uintptr_t i = 0; i < n / 8; i++) p[i] = 0; /* class sizes are multiples of 8 */
}

/* The rest of an allocation whose object needs more than zeroing: a
 * layout to record in its span, black allocation while marking, a fault's
 * dirty holes, memset for objects over 256 bytes. Called still inside the
 * runtime (g->mallocing). */
static GH_NOINLINE void *gc_alloc_finish(gh_g *g, uintptr_t x, gh_mspan *s, gh_type *t, uintptr_t esize,
                                         size_t size) {
    if (GH_LIKELY(!(gh_gc_fault & GH_FAULT_DIRTY_HOLES)) || s->needzero) zero_small(x, esize);
    if (t && s->layout != (uintptr_t)t) gh_types_set(s, x, t);
    if (GH_UNLIKELY(ALLOC_BLACK())) {
        gh_setMarked(x, s);
        g->gcw.bytesMarked += (int64_t)esize;
    }
    g->alloc_local += (int64_t)esize;
    GH_EXPENSIVE(gh_debug_check_object((void *)x, size));
    (void)size;
    gh_releasem(g);
    if (GH_UNLIKELY(g->alloc_local >= ALLOC_FLUSH)) alloc_slow(g);
    return (void *)x;
}

/* After the runtime was left: stop if asked, flush the allocation count. */
static GH_NOINLINE void *gc_alloc_after(gh_g *g, uintptr_t x) {
    if (atomic_load_explicit(&gh_stw_request, memory_order_acquire)) gh_suspend_self(g);
    if (g->alloc_local >= ALLOC_FLUSH) alloc_slow(g);
    return (void *)x;
}

/* The window is empty (called inside the runtime): leave it, refill. */
static GH_NOINLINE void *gc_alloc_refill(gh_g *g, size_t size, const gh_layout *l) {
    gh_releasem(g);
    return gc_alloc_slow(size, l);
}

/* A layout other than the last one: intern it, then allocate. */
static GH_NOINLINE void *gc_alloc_layout(gh_g *g, size_t size, const gh_layout *l) {
    intern(g, l);
    return gh_gc_alloc(size, l);
}

/* The fast path: Go's nextFreeFast on the thread's cache slot, with the
 * object's layout and colour recorded from the slot's span. Tiny noscan
 * objects, large ones, empty windows, torture mode and first use go to
 * gc_alloc_slow (gh_mallocgc). The common case — the last layout again, the
 * span already of that layout, not marking, an object of up to 256 bytes —
 * calls nothing, so it saves no registers; everything else leaves by a tail
 * call. With zero_small out of line and six registers saved for the other
 * calls, binary-trees (d=16, 14.5M allocations) spent 1.70G instructions
 * allocating; without them 1.47G (callgrind). */
GH_NO_MEMSET_PATTERN void *gh_gc_alloc(size_t size, const gh_layout *l) {
    gh_g *g = gh_curg;
    if (GH_UNLIKELY(!g || gh_gcController_.torture || !g->mcache)) return gc_alloc_slow(size, l);
    gh_type *t = NULL;
    if (l && l->ptrmask) {
        if (GH_UNLIKELY(l != g->last_layout)) return gc_alloc_layout(g, size, l);
        t = g->last_type;
    }
    if (GH_UNLIKELY(size > GH_MAX_SMALL_SIZE || (!t && size < GH_TINY_SIZE) || size == 0))
        return gc_alloc_slow(size, l);
    gh_mcache_slot *slot = &g->mcache->alloc[gh_makeSpanClass(gh_size_to_class(gc_size(size, t)), t == NULL)];
    gh_acquirem(g); /* before the window is read: a stop may flush it */
    uint64_t cache = slot->allocCache;
    if (GH_UNLIKELY(!cache)) return gc_alloc_refill(g, size, l);
    slot->allocCache = cache & (cache - 1);
    uintptr_t esize = slot->elemsize;
    uintptr_t x = slot->wordBase + (uintptr_t)__builtin_ctzll(cache) * esize;
    gh_mspan *s = slot->span;
    if (GH_UNLIKELY(esize > 256 || (t && s->layout != (uintptr_t)t) || ALLOC_BLACK() ||
                    (gh_gc_fault & GH_FAULT_DIRTY_HOLES) || GH_EXPENSIVE_ON))
        return gc_alloc_finish(g, x, s, t, esize, size);
    zero_small(x, esize);
    g->alloc_local += (int64_t)esize;
    gh_leavem(g);
    if (GH_UNLIKELY(atomic_load_explicit(&gh_stw_request, memory_order_acquire) || g->alloc_local >= ALLOC_FLUSH))
        return gc_alloc_after(g, x);
    return (void *)x;
}

void gh_gc_set_mark_hook(void (*fn)(void *), void *arg) {
    atomic_store_explicit(&mark_hook, NULL, memory_order_release);
    atomic_store_explicit(&mark_hook_arg, arg, memory_order_release);
    atomic_store_explicit(&mark_hook, fn, memory_order_release);
}

void gh_gc_safepoint(void) {
    gh_g *g = gh_curg;
    if (g && atomic_load_explicit(&gh_stw_request, memory_order_acquire)) gh_suspend_self(g);
}

GH_NOSAN int gh_gc_is_heap_ptr(const void *p) {
    gh_mspan *s = gh_spanOf((uintptr_t)p);
    return s && s->state != GH_SPAN_DEAD;
}

GH_NOSAN int gh_gc_is_allocated(const void *p) {
    gh_mspan *s = gh_spanOf((uintptr_t)p);
    if (!s || s->state == GH_SPAN_DEAD) return 0;
    if (s->spanclass == 0) return s->state == GH_SPAN_LARGE;
    uintptr_t idx = gh_mspan_objIndex(s, (uintptr_t)p);
    if (idx >= s->nelems) return 0;
    /* A concurrent sweep swaps allocBits with the mark bits, then clears
     * the old array (mgcsweep.c): a word read from the old array counts
     * only if allocBits still pointed at it after the read. */
    for (;;) {
        const uint64_t *b = __atomic_load_n(&s->allocBits, __ATOMIC_ACQUIRE);
        uint64_t w = __atomic_load_n(&b[idx >> 6], __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&s->allocBits, __ATOMIC_RELAXED) == b) return (int)((w >> (idx & 63)) & 1);
    }
}

/* ---------------------------------------------------------------- cycle */

static gh_gcWork worker_w;
static uint64_t mark_start_ns, mark_cpu_start;
static int torture_pauses; /* the worker's pauses this cycle (concurrent torture) */
static int64_t mark_end_live; /* heapLive when marking ended (GOHEAP_GC_DEBUG) */

static uint64_t torture_rand(void) {
    static _Atomic uint64_t state = 0x9E3779B97F4A7C15ull;
    uint64_t x = atomic_load_explicit(&state, memory_order_relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    atomic_store_explicit(&state, x, memory_order_relaxed);
    return x;
}

/* Fractional worker: stop draining when over its CPU share. */
static int worker_over_quota(void) {
    if (atomic_load_explicit(&gh_stw_request, memory_order_relaxed)) return 1;
    if (GH_UNLIKELY(gh_gcController_.torture_concurrent) && torture_pauses < 8 && (torture_rand() & 3) == 0) {
        torture_pauses++;
        return 1;
    }
    if (gh_gcount() < ncpu) return 0; /* an idle CPU: run freely */
    double share = 0.25 * ncpu;
    uint64_t el = nanotime() - mark_start_ns;
    return (double)(thread_cpu() - mark_cpu_start) > share * (double)el;
}

/* The lowest address of the mapping that holds `addr`, from
 * /proc/self/maps (read with read(2) into a static buffer: no allocation
 * while the world is stopped). 0 when not found. */
static uintptr_t mapping_lo(uintptr_t addr) {
    static char buf[8192];
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    uintptr_t found = 0;
    size_t have = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0) break;
        have += (size_t)n;
        buf[have] = 0;
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n'))) {
            char *end;
            uintptr_t lo = (uintptr_t)strtoull(line, &end, 16);
            uintptr_t hi = *end == '-' ? (uintptr_t)strtoull(end + 1, NULL, 16) : 0;
            if (addr >= lo && addr < hi) found = lo;
            line = nl + 1;
        }
        have = (size_t)(buf + have - line); /* keep a partial last line */
        memmove(buf, line, have);
        if (found) break;
    }
    close(fd);
    return found;
}

/* Stacks are scanned conservatively from the stopped thread's stack
 * pointer to the top of its stack. A thread may instead be stopped on a
 * stack it made itself — a coroutine's (ucontext, a fiber), allocated from
 * this heap or the stack pool. Then the coroutine stack is scanned from sp
 * to the end of the span that holds it, and the thread's own stack over its
 * whole mapped extent, since where the frames of its scheduler end is not
 * known (stale words there can only retain, never free). A coroutine stack
 * outside goheap's arena is not scanned (documented in goheap/README.md). */
static void scan_stacks(gh_gcWork *w) {
    for (gh_g *g = gh_allg_first(); g; g = g->next) {
        if (!g->sp) continue;
        if (g->sp >= g->stack_lo && g->sp < g->stack_hi) {
            gh_scanConservative(g->sp, g->stack_hi, w);
            continue;
        }
        gh_mspan *s = gh_spanOf(g->sp);
        if (s && s->state != GH_SPAN_DEAD)
            gh_scanConservative(g->sp, s->base + (s->npages << GH_PAGE_SHIFT), w);
        uintptr_t lo = mapping_lo(g->stack_hi - 1);
        if (lo < g->stack_lo) lo = g->stack_lo;
        gh_scanConservative(lo, g->stack_hi, w);
    }
}

/* Sweep termination + mark setup (pause 1): finish the last cycle's sweep,
 * stop the world, turn marking on, scan the stacks, restart. */
static void gc_mark_setup(void) {
    uint64_t p0 = nanotime();
    uint64_t ps = gh_stopTheWorld();
    GH_EXPENSIVE(gh_debug_check_world(); gh_sweep_debug_check(0));
    for (gh_g *g = gh_allg_first(); g; g = g->next) {
        if (g->mcache) g->mcache->tiny = g->mcache->tinyoffset = 0;
        g->assistDebt = 0;
    }
    gh_poolCleanup();
    gh_gcControllerState_startCycle();
    atomic_store_explicit(&gh_gcphase, GH_GCmark, memory_order_relaxed);
    __atomic_store_n(&gh_gc_barrier_enabled, 1, __ATOMIC_RELAXED);
    atomic_store_explicit(&gh_gcBlackenEnabled, 1, memory_order_relaxed);
    scan_stacks(&worker_w);
    uint64_t p1 = gh_startTheWorld();
    gh_stats_pause(p0, ps, p1);
    void (*hook)(void *) = atomic_load_explicit(&mark_hook, memory_order_acquire);
    if (hook) hook(atomic_load_explicit(&mark_hook_arg, memory_order_acquire)); /* gh_gc_set_mark_hook */
}

/* Concurrent mark: the worker drains grey objects within its CPU share
 * until it and the global queue are empty (a termination attempt decides
 * whether the mutators still hold grey work). */
static void gc_concurrent_drain(void) {
    for (;;) {
        uint64_t c0 = thread_cpu();
        int64_t done = gh_gcDrain(&worker_w, 0, worker_over_quota);
        atomic_fetch_add_explicit(&gh_markcpu_ns, thread_cpu() - c0, memory_order_relaxed);
        atomic_fetch_add_explicit(&gh_bgScanCredit, done, memory_order_relaxed);
        atomic_fetch_add_explicit(&gh_work_scanWork, worker_w.scanWork, memory_order_relaxed);
        worker_w.scanWork = 0;
        if (worker_over_quota() && !(worker_w.wbuf == NULL || worker_w.wbuf->n == 0)) {
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (worker_w.wbuf && worker_w.wbuf->n) continue;
        if (!gh_work_empty()) continue;
        return;
    }
}

/* The end of a cycle, world stopped: marking off, sweep prepared, the pacer
 * told what was marked. Returns the marked bytes. */
static int64_t gc_mark_done(void) {
    gh_final_queue_dead();
    atomic_store_explicit(&gh_gcBlackenEnabled, 0, memory_order_relaxed);
    __atomic_store_n(&gh_gc_barrier_enabled, 0, __ATOMIC_RELAXED);
    atomic_store_explicit(&gh_gcphase, GH_GCoff, memory_order_relaxed);
    gh_gcWork_dispose(&worker_w);
    int64_t marked = atomic_load_explicit(&gh_work_bytesMarked, memory_order_relaxed);
    GH_EXPENSIVE(gh_debug_check_world());
    for (gh_g *g = gh_allg_first(); g; g = g->next) {
        g->alloc_local = 0; /* those objects are black (counted) or dead */
        g->assistDebt = 0;
        if (g->mcache) gh_mcache_prepareForSweep(g->mcache);
    }
    mark_end_live = atomic_load_explicit(&gh_gcController_.heapLive, memory_order_relaxed);
    gh_gcSweep();
    gh_gcControllerState_endCycle(marked, atomic_load_explicit(&gh_work_scanWork, memory_order_relaxed), gh_roots_bytes());
    return marked;
}

/* One mark termination attempt (pause 2): if a mutator or a root still had
 * grey work, restart and return 0 (marking goes on); else end the cycle,
 * restart, and return 1 with the restart time in *end. */
static int gc_mark_termination(uint64_t *end, int64_t *marked) {
    uint64_t q0 = nanotime();
    uint64_t qs = gh_stopTheWorld();
    int more = 0;
    for (gh_g *g = gh_allg_first(); g && !(gh_gc_fault & GH_FAULT_UNDRAINED_GREY); g = g->next) {
        if (g->gcw.wbuf && g->gcw.wbuf->n) more = 1;
        gh_gcWork_dispose(&g->gcw);
    }
    gh_markroot(&worker_w, 1);
    if (more || !gh_work_empty() || (worker_w.wbuf && worker_w.wbuf->n)) {
        gh_stats_pause(q0, qs, gh_startTheWorld());
        return 0;
    }
    *marked = gc_mark_done();
    *end = gh_startTheWorld();
    gh_stats_pause(q0, qs, *end);
    return 1;
}

static void gc_cycle(void) {
    uint64_t sw0 = nanotime();
    int64_t live0 = atomic_load_explicit(&gh_gcController_.heapLive, memory_order_relaxed);
    while (gh_sweepone()) {
    }
    uint64_t cstart = nanotime();
    if (gh_gc_debug > 1)
        fprintf(stderr, "gc: trigger at %lld KiB, finishing sweep took %.3f ms, sweep_done %d\n", (long long)(live0 >> 10),
                (double)(cstart - sw0) / 1e6, gh_isSweepDone());
    gh_stats_event(GH_EV_CYCLE_START, cstart);
    atomic_store_explicit(&gh_work_bytesMarked, 0, memory_order_relaxed);
    atomic_store_explicit(&gh_work_scanWork, 0, memory_order_relaxed);
    atomic_store_explicit(&gh_bgScanCredit, 0, memory_order_relaxed);
    gc_mark_setup();
    mark_start_ns = nanotime();
    mark_cpu_start = thread_cpu();
    torture_pauses = 0;
    gh_markroot(&worker_w, 0);
    uint64_t q1 = 0;
    int64_t marked = 0;
    do gc_concurrent_drain();
    while (!gc_mark_termination(&q1, &marked));
    gh_stats_event(GH_EV_CYCLE_END, q1);
    /* Hand the finalizers over before the cycle counts as done:
     * gh_gc_collect returns once gh_gc_cycles reaches its target and
     * then waits for the finalizer queue, so a count published first
     * let it see an empty queue and return before this cycle's
     * finalizers were even queued. (The flush takes ready_lock, which
     * a stopped finalizer thread may hold: after the restart.) */
    gh_final_flush_pending();
    atomic_fetch_add_explicit(&gh_gc_cycles, 1, memory_order_release);
    if (gh_gc_debug) {
        /* live at mark start -> at mark end is what was allocated (black)
         * while marking; marked minus that is about what the first pause's
         * snapshot reached (roots, stacks) */
        char buf[200];
        int n = snprintf(buf, sizeof buf,
                         "gc %u: live at mark start %lld KiB, at mark end %lld KiB, marked %lld KiB, goal %lld KiB, %.3f ms\n",
                         atomic_load(&gh_gc_cycles), (long long)(gh_gcController_.heapLiveAtMarkStart >> 10),
                         (long long)(mark_end_live >> 10), (long long)(marked >> 10),
                         (long long)(atomic_load(&gh_gcController_.heapGoal) >> 10), (double)(q1 - cstart) / 1e6);
        if (write(2, buf, (size_t)n) < 0) {
        }
    }
}

static void *gc_worker(void *arg) {
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPWR);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    for (;;) {
        if (!atomic_load_explicit(&want_cycle, memory_order_acquire) && !gh_isSweepDone()) {
            /* background sweeper: a batch, then look again */
            for (int i = 0; i < 16 && gh_sweepone(); i++) {
            }
            sched_yield();
            continue;
        }
        pthread_mutex_lock(&gc_lock);
        while (!atomic_load_explicit(&want_cycle, memory_order_relaxed)) {
            worker_sleeping = 1;
            pthread_cond_wait(&gc_cond, &gc_lock);
            worker_sleeping = 0;
        }
        atomic_store_explicit(&want_cycle, 0, memory_order_relaxed);
        __atomic_store_n(&cycles_started, cycles_started + 1, __ATOMIC_RELAXED);
        pthread_mutex_unlock(&gc_lock);
        gc_cycle();
    }
    return NULL;
}

/* GOHEAP_GC_TORTURE=concurrent: ask for a cycle every 0..255 us, forever. */
static void *gc_torturer(void *arg) {
    (void)arg;
    sigset_t set;
    sigfillset(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    for (;;) {
        gh_gc_wake();
        struct timespec ts = {0, (long)(torture_rand() & 255) * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* Mutators take gc_lock only inside the runtime, and never sleep on it or
 * on a condition (a mutator sleeping in a lock may not take the stop
 * signal under a sanitizer; one stopped holding the lock would block it). */
void gh_gc_wake(void) {
    if (atomic_exchange_explicit(&want_cycle, 1, memory_order_acq_rel)) return;
    gh_g *g = gh_curg;
    if (g) gh_acquirem(g);
    pthread_mutex_lock(&gc_lock);
    pthread_cond_signal(&gc_cond);
    pthread_mutex_unlock(&gc_lock);
    if (g) gh_releasem(g);
}

void gh_gc_collect(void) {
    gh_g *g = gh_curg;
    if (!g) g = alloc_attach();
    /* a cycle already under way may have scanned our stack already: wait
     * for it and one more (Go's runtime.GC) */
    gh_acquirem(g);
    pthread_mutex_lock(&gc_lock);
    uint32_t target = cycles_started + 1;
    atomic_store_explicit(&want_cycle, 1, memory_order_release);
    pthread_cond_signal(&gc_cond);
    pthread_mutex_unlock(&gc_lock);
    gh_releasem(g);
    while (atomic_load_explicit(&gh_gc_cycles, memory_order_acquire) < target) {
        if (!atomic_load_explicit(&want_cycle, memory_order_relaxed) &&
            __atomic_load_n(&cycles_started, __ATOMIC_RELAXED) < target)
            gh_gc_wake();
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL); /* a safe point: the stop signal is taken here */
    }
    /* finish sweeping, as runtime.GC does, so the heap reflects the cycle */
    for (;;) {
        gh_acquirem(g);
        int n = gh_sweepone();
        gh_releasem(g);
        if (!n) break;
    }
    /* and let the finalizers those cycles queued run (bdwgc's GC_gcollect
     * runs them too), so a blocking collect has observable effects */
    gh_final_wait_idle();
}

int gh_gc_init(const gh_gc_options *opt) {
    if (atomic_load_explicit(&gc_inited, memory_order_acquire)) return 0;
    pthread_mutex_lock(&init_lock);
    if (atomic_load_explicit(&gc_inited, memory_order_relaxed)) {
        pthread_mutex_unlock(&init_lock);
        return 0;
    }
    void *p = gh_malloc(8); /* initialize the allocator */
    gh_free(p);
    gh_gc_tiny_enabled = 1;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    ncpu = n > 0 ? (int)n : 1;
    const char *d = gh_gogetenv("GOHEAP_GC_DEBUG");
    gh_gc_debug = d && *d ? atoi(d) : 0;
    gh_fixalloc_init(&sidealloc, GH_MAX_SPAN_WORDS * 64 * sizeof(uint16_t));
    gh_gcControllerState_init(opt);
    gh_mark_init();
    gh_stw_init();
    /* attach before the worker can start a cycle: a cycle that ran first
     * would miss this thread's cache (its span from the gh_malloc above),
     * which then skips that cycle's sweep ([G1], GOHEAP_GC_TORTURE=concurrent) */
    gh_g_attach();
    if (pthread_create(&worker_thread, NULL, gc_worker, NULL) != 0) {
        pthread_mutex_unlock(&init_lock);
        return -1;
    }
    pthread_t torturer;
    if (gh_gcController_.torture_concurrent && pthread_create(&torturer, NULL, gc_torturer, NULL) != 0) {
        pthread_mutex_unlock(&init_lock);
        return -1;
    }
    atomic_store_explicit(&gc_inited, 1, memory_order_release);
    pthread_mutex_unlock(&init_lock);
    return 0;
}
