/*
 * mgcmark.c — marking: grey work, scanning, roots and mark assists
 * (Go's mgcmark.go, mgcwork.go).
 *
 * Tri-colour over mark bits: an object is white while its bit in its span's
 * gcmarkBits is clear, grey once the bit is set and its address sits in a
 * work buffer, black once scanned. greyobject sets the bit with one atomic
 * OR (a plain load first, so re-shading a black object costs no atomic) and,
 * for objects of scannable span classes, pushes the base on the caller's
 * gcWork. Noscan objects (pointer-free layouts, the tiny allocator's blocks)
 * turn black at once.
 *
 * Where pointers come from, and how precisely:
 *   heap objects   precisely, from the object's layout (mgc.c stores it per
 *                  span, or per object in a side array when a span's objects
 *                  have different layouts): only words whose bit is set in
 *                  the repeating ptrmask are candidates;
 *   roots          registered ranges (gh_gc_root_add): every word a
 *                  candidate, scanned concurrently at mark start (the write
 *                  barrier covers root stores as it covers heap stores) and
 *                  again at each mark-termination attempt, in the pause;
 *   stacks         conservatively, in the first pause, from each stopped
 *                  thread's saved stack pointer to its stack top (registers
 *                  were spilled there, see stw.c); never rescanned — the
 *                  hybrid barrier makes that unnecessary, as in Go.
 * A candidate is validated through the page→span map: in the arena, in an
 * in-use span, inside an allocated slot; interior pointers resolve to the
 * slot's base with the span's divMagic multiply.
 *
 * Work buffers (Go's workbuf): 510 grey objects each; a worker keeps one
 * and exchanges full/empty ones with two global lock-free stacks (Go's
 * lfstack: work.full, work.empty). While work.full is empty a drain hands
 * the older half of its buffer to it (gcw_balance, Go's balance/handoff),
 * so that assists find work.
 *
 * Mark assists (gcAssistAlloc): a thread that allocates while marking owes
 * scan work in proportion to its allocation (assistWorkPerByte from the
 * pacer). It first takes background credit (work the background worker did
 * beyond its share), then drains grey objects itself until the debt is paid,
 * the work runs out, or the world is being stopped.
 *
 * Every function that reads heap words or other threads' stacks while
 * mutators run is built without sanitizer instrumentation (GH_NOSAN): those
 * reads race with the mutator by design, as Go's do; the words are only
 * candidates, validated before use.
 */
#include <string.h>
#include <time.h>

#include "mgc.h"

_Atomic int64_t gh_work_bytesMarked, gh_work_scanWork, gh_bgScanCredit;
_Atomic uint64_t gh_assist_ns, gh_markcpu_ns;

/* work.full and work.empty (Go's lfstack): lock-free stacks of buffers, so
 * a mutator handing grey work to the worker (or taking it) never sleeps on
 * or wakes a lock — a futex wake let the woken worker preempt the mutator on
 * its own CPU, and then the worker's stop of the world waited for it. */
static _Atomic uint64_t work_full, work_empty;
static pthread_mutex_t wbuf_lock = PTHREAD_MUTEX_INITIALIZER; /* wbuf_alloc */
static gh_fixalloc wbuf_alloc;
/* registered roots */
typedef struct gh_root {
    uintptr_t lo, hi;
} gh_root;
static pthread_mutex_t roots_lock = PTHREAD_MUTEX_INITIALIZER;
static gh_root *roots;
static size_t nroots, caproots;
static int64_t roots_bytes;

void gh_mark_init(void) { gh_fixalloc_init(&wbuf_alloc, sizeof(gh_workbuf)); }

/* Go's lfstack: a buffer's address (48 bits, 8-byte aligned) packed with
 * its push count (19 bits), so a pop that read a stale head cannot succeed
 * (ABA). Buffers are never unmapped, so reading a popped one's link is safe. */
#define LF_ADDR_BITS 48
#define LF_CNT_BITS (64 - LF_ADDR_BITS + 3)
static uint64_t lfstackPack(gh_workbuf *b, uintptr_t cnt) {
    return ((uint64_t)(uintptr_t)b << (64 - LF_ADDR_BITS)) | (cnt & (((uint64_t)1 << LF_CNT_BITS) - 1));
}
static gh_workbuf *lfstackUnpack(uint64_t v) { return (gh_workbuf *)(uintptr_t)((int64_t)v >> LF_CNT_BITS << 3); }

static void gh_lfstack_push(_Atomic uint64_t *head, gh_workbuf *b) {
    b->pushcnt++;
    uint64_t nw = lfstackPack(b, b->pushcnt);
    if (GH_UNLIKELY(lfstackUnpack(nw) != b)) gh_throw("lfstack: buffer address does not fit 48 bits");
    uint64_t old = atomic_load_explicit(head, memory_order_relaxed);
    do atomic_store_explicit(&b->next, old, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(head, &old, nw, memory_order_release, memory_order_relaxed));
}

static gh_workbuf *gh_lfstack_pop(_Atomic uint64_t *head) {
    uint64_t old = atomic_load_explicit(head, memory_order_acquire);
    while (old) {
        gh_workbuf *b = lfstackUnpack(old);
        uint64_t next = atomic_load_explicit(&b->next, memory_order_relaxed);
        if (atomic_compare_exchange_weak_explicit(head, &old, next, memory_order_acquire, memory_order_acquire))
            return b;
    }
    return NULL;
}

static gh_workbuf *getempty(void) {
    gh_workbuf *b = gh_lfstack_pop(&work_empty);
    if (!b) {
        pthread_mutex_lock(&wbuf_lock);
        b = gh_fixalloc_alloc(&wbuf_alloc);
        pthread_mutex_unlock(&wbuf_lock);
        if (!b) gh_throw("out of memory for mark work buffers");
        b->pushcnt = 0;
    }
    b->n = 0;
    return b;
}

static void putempty(gh_workbuf *b) { gh_lfstack_push(&work_empty, b); }
static void putfull(gh_workbuf *b) { gh_lfstack_push(&work_full, b); }

static gh_workbuf *trygetfull(void) {
    if (!atomic_load_explicit(&work_full, memory_order_relaxed)) return NULL;
    return gh_lfstack_pop(&work_full);
}

int gh_work_empty(void) { return atomic_load_explicit(&work_full, memory_order_acquire) == 0; }

static inline void gcw_put(gh_gcWork *w, uintptr_t obj) {
    gh_workbuf *b = w->wbuf;
    if (GH_UNLIKELY(!b)) b = w->wbuf = getempty();
    else if (GH_UNLIKELY(b->n == GH_WBUF_N)) {
        putfull(b);
        b = w->wbuf = getempty();
    }
    b->obj[b->n++] = obj;
}

static inline uintptr_t gcw_tryget(gh_gcWork *w) {
    gh_workbuf *b = w->wbuf;
    if (GH_LIKELY(b && b->n)) return b->obj[--b->n];
    gh_workbuf *f = trygetfull();
    if (!f) return 0;
    if (b) putempty(b);
    w->wbuf = f;
    return f->obj[--f->n];
}

/* Flush counters and give the grey objects back to the global list. */
void gh_gcWork_dispose(gh_gcWork *w) {
    if (w->wbuf) {
        if (w->wbuf->n) putfull(w->wbuf);
        else putempty(w->wbuf);
        w->wbuf = NULL;
    }
    if (w->bytesMarked) atomic_fetch_add_explicit(&gh_work_bytesMarked, w->bytesMarked, memory_order_relaxed);
    if (w->scanWork) atomic_fetch_add_explicit(&gh_work_scanWork, w->scanWork, memory_order_relaxed);
    w->bytesMarked = w->scanWork = 0;
}

/* Shade a candidate pointer (Go's findObject + greyobject), inlined into
 * the scan loops. A newly grey object is prefetched as Go's greyobject does:
 * it is likely popped by this worker soon (the buffer is LIFO). */
GH_NOSAN static inline __attribute__((always_inline)) void shade(uintptr_t p, gh_gcWork *w) {
    uintptr_t off = p - gh_arena_start;
    if (off >= gh_arena_size) return;
    gh_mspan *s = atomic_load_explicit(&gh_spans[off >> GH_PAGE_SHIFT], memory_order_relaxed);
    if (!s) return;
    _Atomic uint64_t *mb;
    uint64_t bit;
    uintptr_t base, size;
    int noscan;
    if (GH_LIKELY(s->spanclass != 0)) {
        if (s->state == GH_SPAN_DEAD) return;
        uintptr_t idx = gh_mspan_objIndex(s, p);
        if (idx >= s->nelems) return;
        if (!((s->allocBits[idx >> 6] >> (idx & 63)) & 1)) return;
        mb = (_Atomic uint64_t *)&s->gcmarkBits[idx >> 6];
        bit = (uint64_t)1 << (idx & 63);
        size = s->elemsize;
        base = s->base + idx * size;
        noscan = gh_spanClass_noscan(s->spanclass);
    } else {
        if (s->state != GH_SPAN_LARGE) return;
        base = s->base;
        size = s->npages << GH_PAGE_SHIFT;
        mb = (_Atomic uint64_t *)&s->bits[1][0];
        bit = 1;
        noscan = s->layout == 0;
    }
    if (atomic_load_explicit(mb, memory_order_relaxed) & bit) return;
    if (atomic_fetch_or_explicit(mb, bit, memory_order_relaxed) & bit) return;
    w->bytesMarked += (int64_t)size;
    if (!noscan) {
        __builtin_prefetch((const void *)base);
        gcw_put(w, base);
    }
}

GH_NOSAN void gh_shade(uintptr_t p, gh_gcWork *w) { shade(p, w); }

/* Allocate black: set obj's mark bit (obj is a slot base in s). */
GH_NOSAN void gh_setMarked(uintptr_t obj, gh_mspan *s) {
    if (s->spanclass == 0) {
        atomic_fetch_or_explicit((_Atomic uint64_t *)&s->bits[1][0], 1, memory_order_relaxed);
        return;
    }
    uintptr_t idx = gh_mspan_objIndex(s, obj);
    atomic_fetch_or_explicit((_Atomic uint64_t *)&s->gcmarkBits[idx >> 6], (uint64_t)1 << (idx & 63),
                             memory_order_relaxed);
}

GH_NOSAN int gh_isMarked(uintptr_t p) {
    gh_mspan *s = gh_spanOf(p);
    if (!s) return 0;
    if (s->spanclass == 0) return s->state == GH_SPAN_LARGE && (s->bits[1][0] & 1);
    uintptr_t idx = gh_mspan_objIndex(s, p);
    return idx < s->nelems && ((s->gcmarkBits[idx >> 6] >> (idx & 63)) & 1);
}

GH_NOSAN gh_type *gh_type_of(gh_mspan *s, uintptr_t idx) {
    uintptr_t lw = __atomic_load_n(&s->layout, __ATOMIC_ACQUIRE);
    if (lw & 1) {
        uint16_t id = ((const uint16_t *)(lw & ~(uintptr_t)1))[idx];
        return id ? &gh_types[id] : NULL;
    }
    return (gh_type *)lw;
}

/* The pointer words of an object of n words with layout t. Up to 64 words
 * (every small object of binary-trees, most of any heap) one loop over the
 * set bits of t->mask64; longer objects repeat ptrmask period by period. */
GH_NOSAN static inline __attribute__((always_inline)) void scan_words(const uintptr_t *words, uintptr_t n, const gh_type *t, gh_gcWork *w) {
    uintptr_t lo = gh_arena_start, size = gh_arena_size;
    w->scanWork += (int64_t)(n * sizeof(uintptr_t));
    if (GH_LIKELY(n <= 64)) {
        uint64_t m = n == 64 ? t->mask64 : t->mask64 & (((uint64_t)1 << n) - 1);
        for (; m; m &= m - 1) {
            uintptr_t v = words[__builtin_ctzll(m)];
            if (v - lo < size) shade(v, w);
        }
        return;
    }
    uint32_t period = t->period;
    uint64_t mask = t->ptrmask;
    for (uintptr_t b = 0; b < n; b += period) {
        for (uint64_t m = mask; m; m &= m - 1) {
            uintptr_t i = b + (uintptr_t)__builtin_ctzll(m);
            if (i >= n) break;
            uintptr_t v = words[i];
            if (v - lo < size) shade(v, w);
        }
    }
}

/* Scan the pointer words of the object at obj (a slot base). The span's
 * layout word is read once: a gh_type pointer unless tagged (low bit 1:
 * the per-object side array, which needs the object's index). */
GH_NOSAN static inline __attribute__((always_inline)) void scanobject(uintptr_t obj, gh_gcWork *w) {
    gh_mspan *s = gh_spanOf(obj);
    if (!s) return;
    uintptr_t lw = __atomic_load_n(&s->layout, __ATOMIC_ACQUIRE);
    const gh_type *t;
    uintptr_t n;
    if (GH_LIKELY(s->spanclass != 0)) {
        n = s->elemsize / sizeof(uintptr_t);
        if (GH_LIKELY(!(lw & 1))) {
            t = (const gh_type *)lw;
        } else {
            uint16_t id = ((const uint16_t *)(lw & ~(uintptr_t)1))[gh_mspan_objIndex(s, obj)];
            t = id ? &gh_types[id] : NULL;
        }
    } else {
        t = (const gh_type *)lw;
        n = (s->npages << GH_PAGE_SHIFT) / sizeof(uintptr_t);
    }
    if (t) scan_words((const uintptr_t *)obj, n, t, w);
}

GH_NOSAN void gh_scanobject(uintptr_t obj, gh_gcWork *w) { scanobject(obj, w); }

/* Conservative scanning reads every word of a stack or root range, live or
 * not: dead stack slots, padding, uninitialised locals. Under valgrind's
 * memcheck such a word is "undefined", and its undefinedness would flow into
 * the mark bits it sets, then into sweeping and allocation, and be reported
 * far from here (and in the mutator). So under valgrind each word is copied
 * and the *copy* declared defined (the client memory keeps its state, so
 * memcheck still sees the mutator's own uses of uninitialised values).
 * Words memcheck deems unaddressable although mapped (valgrind's padding at
 * the top of the initial stack, glibc's thread descriptor/TLS above a
 * thread's stack) are suppressed in tests/valgrind.supp. No dependency on
 * valgrind unless its header is installed; outside valgrind the check is
 * one client-request no-op per block. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define GH_HAVE_MEMCHECK 1
#endif
#endif

GH_NOSAN void gh_scanConservative(uintptr_t lo, uintptr_t hi, gh_gcWork *w) {
    lo = (lo + 7) & ~(uintptr_t)7;
    uintptr_t alo = gh_arena_start, asize = gh_arena_size;
#ifdef GH_HAVE_MEMCHECK
    if (GH_UNLIKELY(RUNNING_ON_VALGRIND)) {
        for (uintptr_t p = lo; p + sizeof(uintptr_t) <= hi; p += sizeof(uintptr_t)) {
            uintptr_t v = *(const uintptr_t *)p;
            (void)VALGRIND_MAKE_MEM_DEFINED(&v, sizeof v);
            if (v - alo < asize) shade(v, w);
        }
        w->scanWork += (int64_t)(hi - lo);
        return;
    }
#endif
    for (uintptr_t p = lo; p + sizeof(uintptr_t) <= hi; p += sizeof(uintptr_t)) {
        uintptr_t v = *(const uintptr_t *)p;
        if (v - alo < asize) shade(v, w);
    }
    w->scanWork += (int64_t)(hi - lo);
}

/* Keep the global list fed so that assists find work (Go's
 * gcWork.balance + handoff), called while it is empty: the older half of
 * the buffer goes to the global list, the newer half stays. The buffer is
 * a LIFO stack, so in a depth-first scan its older entries are the roots of
 * the larger unscanned subtrees — what is handed off is real work, not the
 * leaves (giving away the newer half, and only past 64 entries, a tree's
 * scan never handed off anything: assists found no work). */
static GH_NOINLINE void gcw_balance(gh_gcWork *w) {
    gh_workbuf *b = w->wbuf;
    if (!b || b->n <= 4) return;
    gh_workbuf *h = getempty();
    uintptr_t half = b->n / 2;
    b->n -= half;
    memcpy(h->obj, b->obj + b->n, half * sizeof(uintptr_t));
    h->n = half;
    w->wbuf = h;
    putfull(b);
}

/* Drain grey objects until none is left, `budget` bytes of scan work are
 * done (0: no budget), or stop() says so. Returns the scan work done.
 *
 * Scanning is bound by the load of the object's first word, a cache miss
 * (binary-trees d=18, perf: 67 % of the drain's samples on that load, 14 %
 * on the mark bit's atomic OR). The buffer is LIFO, so an object greyed and
 * prefetched is popped almost at once, before its line arrives; so objects
 * pass through a small FIFO (PF_N slots, Boehm's GC_PREFETCH_QUEUE, Go's
 * greenteagc scans spans for the same reason): each is prefetched when it
 * enters and scanned PF_N - 1 objects later. Objects in the FIFO are grey:
 * put back in the buffer before returning. Mark CPU on binary-trees d=18
 * (2 repetitions, side by side, loaded): no FIFO ~1420 ms, 8 slots ~880,
 * 16 ~750, 32 ~680 ms but a little more allocated black (the FIFO's
 * objects are out of reach of gcw_balance); 16 kept. */
#define PF_N 16
GH_NOSAN int gh_gcDrain(gh_gcWork *w, int64_t budget, int (*stop)(void)) {
    int64_t start = w->scanWork;
    uintptr_t ring[PF_N];
    unsigned head = 0, cnt = 0;
    for (int i = 1;; i++) {
        while (cnt < PF_N) {
            uintptr_t o = gcw_tryget(w);
            if (!o) break;
            __builtin_prefetch((const void *)o);
            ring[(head + cnt++) & (PF_N - 1)] = o;
        }
        if (!cnt) break;
        uintptr_t obj = ring[head];
        head = (head + 1) & (PF_N - 1);
        cnt--;
        scanobject(obj, w);
        if ((i & 31) == 0) {
            if (budget && w->scanWork - start >= budget) break;
            if (stop && stop()) break;
            if (!atomic_load_explicit(&work_full, memory_order_relaxed)) gcw_balance(w);
        }
    }
    for (; cnt; cnt--, head = (head + 1) & (PF_N - 1)) gcw_put(w, ring[head]);
    return (int)((w->scanWork - start) > INT32_MAX ? INT32_MAX : (w->scanWork - start));
}

/* ---- roots ---- */

void gh_gc_root_add(void *start, size_t bytes) {
    gh_g *g = gh_curg ? gh_curg : gh_g_attach();
    gh_acquirem(g);
    pthread_mutex_lock(&roots_lock);
    if (nroots == caproots) {
        size_t ncap = caproots ? caproots * 2 : 64;
        gh_root *nr = gh_sysAlloc(ncap * sizeof *nr);
        if (!nr) gh_throw("out of memory for roots");
        if (roots) memcpy(nr, roots, nroots * sizeof *nr); /* the old array leaks (rare, small) */
        roots = nr;
        caproots = ncap;
    }
    roots[nroots++] = (gh_root){(uintptr_t)start, (uintptr_t)start + bytes};
    roots_bytes += (int64_t)bytes;
    pthread_mutex_unlock(&roots_lock);
    /* a root added while marking: its current targets are reachable */
    if (atomic_load_explicit(&gh_gcphase, memory_order_acquire) != GH_GCoff)
        gh_scanConservative((uintptr_t)start, (uintptr_t)start + bytes, &g->gcw);
    gh_releasem(g);
}

void gh_gc_root_remove(void *start) {
    gh_g *g = gh_curg ? gh_curg : gh_g_attach();
    gh_acquirem(g);
    pthread_mutex_lock(&roots_lock);
    for (size_t i = 0; i < nroots; i++)
        if (roots[i].lo == (uintptr_t)start) {
            roots_bytes -= (int64_t)(roots[i].hi - roots[i].lo);
            roots[i] = roots[--nroots];
            break;
        }
    pthread_mutex_unlock(&roots_lock);
    gh_releasem(g);
}

int64_t gh_roots_bytes(void) { return roots_bytes; }

void gh_markroot(gh_gcWork *w, int stw) {
    pthread_mutex_lock(&roots_lock);
    for (size_t i = 0; i < nroots; i++) gh_scanConservative(roots[i].lo, roots[i].hi, w);
    pthread_mutex_unlock(&roots_lock);
    gh_pool_markroots(w);
    gh_markrootSpans(w, stw);
}

/* ---- assists ---- */

static int stw_pending(void) { return atomic_load_explicit(&gh_stw_request, memory_order_relaxed) != 0; }

static uint64_t thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Called with g inside the runtime (g->mallocing) while marking. */
void gh_gcAssistAlloc(gh_g *g) {
    if (g->assistDebt <= 0) return;
    /* steal background credit first */
    int64_t credit = atomic_load_explicit(&gh_bgScanCredit, memory_order_relaxed);
    while (credit > 0) {
        int64_t take = credit < g->assistDebt ? credit : g->assistDebt;
        if (atomic_compare_exchange_weak_explicit(&gh_bgScanCredit, &credit, credit - take, memory_order_relaxed,
                                                  memory_order_relaxed)) {
            g->assistDebt -= take;
            break;
        }
    }
    if (g->assistDebt <= 0 || !atomic_load_explicit(&gh_gcBlackenEnabled, memory_order_relaxed)) return;
    uint64_t t0 = thread_cpu_ns();
    int64_t done = gh_gcDrain(&g->gcw, g->assistDebt, stw_pending);
    g->assistDebt -= done;
    /* the grey objects found go back where the background worker sees them */
    gh_gcWork_dispose(&g->gcw);
    if (g->assistDebt < 0) {
        atomic_fetch_add_explicit(&gh_bgScanCredit, -g->assistDebt, memory_order_relaxed);
        g->assistDebt = 0;
    }
    /* no work left: the debt cannot be paid now; forgive what exceeds a
     * slice so a thread is not penalized forever (Go parks it instead) */
    if (g->assistDebt > (64 << 10)) g->assistDebt = 64 << 10;
    uint64_t d = thread_cpu_ns() - t0;
    atomic_fetch_add_explicit(&gh_assist_ns, d, memory_order_relaxed);
    atomic_fetch_add_explicit(&gh_markcpu_ns, d, memory_order_relaxed);
}
