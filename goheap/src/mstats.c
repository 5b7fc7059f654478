/*
 * mstats.c — heap statistics (Go's mstats.go, reduced).
 *
 * Go keeps per-P deltas and folds them in; goheap computes a snapshot on
 * demand instead, walking the page→span map under the heap lock: every span
 * in use is counted once (by class), with its allocCount as live objects.
 * Objects that sit in a thread's allocation window but were not handed out
 * yet count as live (allocCount is "allocated or on loan"), so heap_alloc is
 * an upper bound by at most 64 objects per class per thread. Page counters
 * (mapped, idle, released) come from the page allocator and are exact.
 *
 * GOHEAP_DEBUG_STATS=1 prints the snapshot to stderr at exit (=/path: appends
 * it to that file, for programs that close stderr before exit); the
 * formatting is done by hand into a stack buffer (no stdio, no malloc).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

void gh_stats_read(gh_stats *st) {
    memset(st, 0, sizeof *st);
    for (int i = 0; i < GH_NUM_CLASSES; i++) st->class_size[i] = gh_class_to_size[i];
    if (atomic_load_explicit(&gh_init_state, memory_order_acquire) != 2) return;
    gh_mheap *h = &gh_mheap_;
    for (gh_mcache *c = atomic_load_explicit(&gh_allmcaches, memory_order_acquire); c; c = c->allnext)
        if (atomic_load_explicit(&c->inuse, memory_order_relaxed)) st->mcaches++;
    pthread_mutex_lock(&h->lock);
    gh_pageAlloc *p = &h->pages;
    uintptr_t npages = p->grown * GH_CHUNK_PAGES;
    for (uintptr_t i = 0; i < npages;) {
        gh_mspan *s = atomic_load_explicit(&gh_spans[i], memory_order_relaxed);
        if (!s) {
            i++;
            continue;
        }
        if (s->state == GH_SPAN_DEAD) { /* a freed span in the heap's large cache (mheap.c) */
            i += s->npages;
            continue;
        }
        unsigned sc = gh_spanClass_sizeclass(s->spanclass);
        st->spans_inuse[sc]++;
        if (sc == 0) {
            st->objects_inuse[0]++;
            st->large_objects++;
            st->large_bytes += s->npages << GH_PAGE_SHIFT;
            st->heap_alloc_bytes += s->npages << GH_PAGE_SHIFT;
        } else {
            uint64_t n = __atomic_load_n(&s->allocCount, __ATOMIC_RELAXED);
            st->objects_inuse[sc] += n;
            st->heap_alloc_bytes += n * s->elemsize;
        }
        st->heap_objects = 0;
        i += s->npages;
    }
    for (int i = 0; i < GH_NUM_CLASSES; i++) st->heap_objects += st->objects_inuse[i];
    st->heap_inuse_bytes = (uint64_t)h->pagesInUse << GH_PAGE_SHIFT;
    st->heap_sys_bytes = (uint64_t)p->grown * GH_CHUNK_BYTES;
    /* span runs (mheap.c): pages not yet in any span are idle; those of
     * fresh runs also released */
    st->heap_idle_bytes = (uint64_t)(p->freePages + h->spanRunPages) << GH_PAGE_SHIFT;
    st->heap_released_bytes = (uint64_t)(p->scavPages + h->spanRunFreshPages) << GH_PAGE_SHIFT;
    st->pages_returned = h->pages_returned;
    st->scavenge_runs = h->scavenge_runs;
    st->metadata_bytes = h->spanalloc.sys + h->cachealloc.sys + (uint64_t)p->grown * GH_CHUNK_WORDS * 16 +
                         (uint64_t)npages * sizeof(gh_mspan *);
    pthread_mutex_unlock(&h->lock);
}

typedef struct { char b[4096]; size_t n; } outbuf;
static void put(outbuf *o, const char *s) {
    size_t k = strlen(s);
    if (o->n + k > sizeof o->b) k = sizeof o->b - o->n;
    memcpy(o->b + o->n, s, k);
    o->n += k;
}
static void putu(outbuf *o, uint64_t v) {
    char t[24];
    int i = 23;
    t[i] = 0;
    do t[--i] = (char)('0' + v % 10); while ((v /= 10) && i > 0);
    put(o, t + i);
}
static void kv(outbuf *o, const char *k, uint64_t v) {
    put(o, " ");
    put(o, k);
    put(o, "=");
    putu(o, v);
}

void gh_stats_print(int fd) {
    gh_stats st;
    gh_stats_read(&st);
    outbuf o = {.n = 0};
    put(&o, "goheap stats:");
    kv(&o, "heap_alloc", st.heap_alloc_bytes);
    kv(&o, "heap_inuse", st.heap_inuse_bytes);
    kv(&o, "heap_sys", st.heap_sys_bytes);
    kv(&o, "heap_idle", st.heap_idle_bytes);
    kv(&o, "heap_released", st.heap_released_bytes);
    kv(&o, "objects", st.heap_objects);
    kv(&o, "large_objects", st.large_objects);
    kv(&o, "pages_returned", st.pages_returned);
    kv(&o, "scavenge_runs", st.scavenge_runs);
    kv(&o, "mcaches", st.mcaches);
    kv(&o, "metadata", st.metadata_bytes);
    put(&o, "\ngoheap spans by class (class:size:spans:objects):");
    for (int i = 0; i < GH_NUM_CLASSES; i++) {
        if (!st.spans_inuse[i]) continue;
        put(&o, " ");
        putu(&o, (uint64_t)i);
        put(&o, ":");
        putu(&o, st.class_size[i]);
        put(&o, ":");
        putu(&o, st.spans_inuse[i]);
        put(&o, ":");
        putu(&o, st.objects_inuse[i]);
    }
    put(&o, "\n");
    ssize_t r = write(fd, o.b, o.n);
    (void)r;
}

__attribute__((destructor)) static void gh_stats_atexit(void) {
    if (atomic_load_explicit(&gh_init_state, memory_order_acquire) != 2 || !gh_mheap_.debug_stats) return;
    if (gh_mheap_.debug_stats_path) { /* programs like sort(1) close stderr at exit */
        int fd = open(gh_mheap_.debug_stats_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            gh_stats_print(fd);
            close(fd);
        }
        return;
    }
    gh_stats_print(2);
}
