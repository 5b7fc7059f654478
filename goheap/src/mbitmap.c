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

void gh_span_init_small(gh_mspan *s, gh_spanclass spc) {
    unsigned sc = gh_spanclass_sizeclass(spc);
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

int gh_span_drain_remote(gh_mspan *s) {
    if (!atomic_load_explicit(&s->remote_free, memory_order_relaxed)) return 0;
    uintptr_t h = atomic_exchange_explicit(&s->remote_free, 0, memory_order_acquire);
    int n = 0;
    while (h) {
        uintptr_t next = *(uintptr_t *)h;
        uintptr_t idx = gh_span_objindex(s, h);
        uint64_t m = (uint64_t)1 << (idx & 63);
        if (!(s->allocBits[idx >> 6] & m)) gh_throw("double free (remote) detected");
        s->allocBits[idx >> 6] &= ~m;
        n++;
        h = next;
    }
    __atomic_store_n(&s->allocCount, (uint16_t)(s->allocCount - n), __ATOMIC_RELAXED);
    return n;
}

int gh_span_load_window(gh_mspan *s, gh_mcache_slot *slot) {
    unsigned nw = s->nwords, w = s->freeindex;
    for (unsigned i = 0; i < nw; i++, w++) {
        if (w >= nw) w = 0;
        uint64_t freeb = ~s->allocBits[w];
        if (freeb) {
            s->allocBits[w] = ~(uint64_t)0;
            __atomic_store_n(&s->allocCount, (uint16_t)(s->allocCount + __builtin_popcountll(freeb)), __ATOMIC_RELAXED);
            s->freeindex = (uint16_t)w;
            slot->allocCache = freeb;
            slot->wordBase = s->base + (uintptr_t)w * 64 * s->elemsize;
            slot->elemsize = s->elemsize;
            slot->span = s;
            return 1;
        }
    }
    return 0;
}

void gh_span_unload_window(gh_mspan *s, gh_mcache_slot *slot) {
    uint64_t c = slot->allocCache;
    if (c) {
        s->allocBits[s->freeindex] &= ~c;
        __atomic_store_n(&s->allocCount, (uint16_t)(s->allocCount - __builtin_popcountll(c)), __ATOMIC_RELAXED);
    }
    slot->allocCache = 0;
    slot->span = &gh_emptyspan;
    slot->wordBase = 0;
    slot->elemsize = 0;
}

/* Intrusive circular doubly-linked lists: first->prev is the last. */
void gh_spanlist_push(gh_spanlist *l, gh_mspan *s) { /* at the back */
    if (!l->first) {
        s->next = s->prev = s;
        l->first = s;
    } else {
        gh_mspan *f = l->first, *last = f->prev;
        s->next = f;
        s->prev = last;
        last->next = s;
        f->prev = s;
    }
    l->n++;
}

void gh_spanlist_remove(gh_spanlist *l, gh_mspan *s) {
    if (s->next == s) {
        l->first = NULL;
    } else {
        s->prev->next = s->next;
        s->next->prev = s->prev;
        if (l->first == s) l->first = s->next;
    }
    s->next = s->prev = NULL;
    l->n--;
}

gh_mspan *gh_spanlist_pop(gh_spanlist *l) {
    gh_mspan *s = l->first;
    if (s) gh_spanlist_remove(l, s);
    return s;
}
