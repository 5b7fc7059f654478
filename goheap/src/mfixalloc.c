/*
 * mfixalloc.c — fixed-size allocator for off-heap metadata (Go's mfixalloc.go).
 *
 * mspan headers and mcaches are not allocated from the heap they describe:
 * they come from 256 KiB blocks mapped directly from the OS, carved into
 * fixed-size records and recycled through a free list. Records are never
 * returned to the OS, so a stale pointer to a span header always points at
 * some span header (the free fast path relies on this being memory-safe).
 * Callers serialize (the heap lock, or the mcache registry lock).
 */
#include "runtime.h"

#define GH_FIXALLOC_CHUNK (256 << 10)

void gh_fixalloc_init(gh_fixalloc *f, size_t size) {
    f->size = (size + 63) & ~(size_t)63;
    f->list = NULL;
    f->chunk = f->nchunk = 0;
    f->inuse = f->sys = 0;
}

void *gh_fixalloc_alloc(gh_fixalloc *f) {
    void *p;
    if (f->list) {
        p = f->list;
        f->list = *(void **)p;
    } else {
        if (f->nchunk < f->size) {
            size_t n = f->size > GH_FIXALLOC_CHUNK ? f->size : GH_FIXALLOC_CHUNK;
            void *c = gh_sysAlloc(n);
            if (!c) return NULL;
            f->chunk = (uintptr_t)c;
            f->nchunk = n;
            f->sys += n;
        }
        p = (void *)f->chunk;
        f->chunk += f->size;
        f->nchunk -= f->size;
    }
    f->inuse += f->size;
    return p;
}

void gh_fixalloc_free(gh_fixalloc *f, void *p) {
    *(void **)p = f->list;
    f->list = p;
    f->inuse -= f->size;
}
