/*
 * mbitmap.c — span bitmaps and the allocation window (Go's mbitmap.go and
 * the allocBits half of mspan in mheap.go).
 *
 * Each small span has allocBits, one bit per object (1 = allocated). Slots
 * past nelems in the last word are set to 1 once, so a word's free slots are
 * simply its complement. The mcache does not scan allocBits per allocation:
 * it "loans" a whole 64-object word at a time (Go's allocCache refill,
 * nextFreeFast): the free bits of the word are copied to the cache slot and
 * the word is set to all ones, and allocCount grows by the loaned count. An
 * allocation is then ctz + clear-lowest-bit on the cached word; unload gives
 * back what was not handed out. A local free just clears the object's bit —
 * even inside the loaned word — and the slot is found again when the cache
 * next scans the span. allocCount is thus "allocated or on loan".
 *
 * Remote frees (another thread than the owner) push the object on the span's
 * remote_free stack with one CAS; the owner drains it (an exchange) when it
 * needs room, clearing the bits — Go's sweep, done by the owner.
 *
 * For the collector: bits[0]/bits[1] back allocBits/gcmarkBits; after a
 * cycle the sweeper swaps the pointers (marked = allocated) and clears the
 * new mark bits, re-setting the tail slots past nelems.
 */
#include <string.h>

#include "runtime.h"

void gh_mspan_init_small(gh_mspan *s, gh_spanClass spc) {
    unsigned sc = gh_spanClass_sizeclass(spc);
    s->elemsize = gh_class_to_size[sc];
    s->divMul = gh_class_to_divmagic[sc];
    s->nelems = (uint16_t)((s->npages << GH_PAGE_SHIFT) / s->elemsize);
    s->nwords = (uint16_t)((s->nelems + 63) / 64);
    s->allocBits = s->bits[0];
    s->gcmarkBits = s->bits[1];
    memset(s->bits, 0, sizeof s->bits);
    if (s->nelems & 63) s->allocBits[s->nwords - 1] = ~(uint64_t)0 << (s->nelems & 63);
    s->allocCount = 0;
    s->freeindex = 0;
    s->state = GH_SPAN_CACHED;
}

int gh_mspan_drain_remote_slow(gh_mspan *s) {
    uintptr_t h = atomic_exchange_explicit(&s->remote_free, 0, memory_order_acquire);
    int n = 0;
    while (h) {
        uintptr_t next = *(uintptr_t *)h;
        uintptr_t idx = gh_mspan_objIndex(s, h);
        uint64_t m = (uint64_t)1 << (idx & 63);
        if (!(s->allocBits[idx >> 6] & m)) gh_throw("double free (remote) detected");
        /* freed by another thread while on its owner's LIFO (mcache.c) */
        if (s->elemsize >= 16 && GH_UNLIKELY(((uintptr_t *)h)[1] == (h ^ GH_LIFO_KEY)) &&
            atomic_load_explicit(&s->owner, memory_order_relaxed) == gh_tls_mcache && gh_tls_mcache)
            gh_mcache_lifo_check(&gh_tls_mcache->alloc[s->spanclass], h, "double free (remote) detected");
        s->allocBits[idx >> 6] &= ~m;
        n++;
        h = next;
    }
    GH_ASSERT_MSG(n <= s->allocCount, "span %p: %d remote frees but allocCount %u", (void *)s, n, s->allocCount);
    __atomic_store_n(&s->allocCount, (uint16_t)(s->allocCount - n), __ATOMIC_RELAXED);
    return n;
}

/* gh_mspan_drain_remote, gh_mspan_load_window and gh_mspan_unload_window are
 * inline in runtime.h (they run on every mcache refill). */

/* The span lists (gh_mSpanList_*) are inline in runtime.h. */
