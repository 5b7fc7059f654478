/*
 * goheap_mem.h — the memory classes (docs/anatomy.md) of goheap's page heap,
 * shared by both goheap adapters (manual: goheap.c; collected:
 * goheap_gc_table.h), which allocate from the same heap.
 *
 * From gh_stats (Go's MemStats): objects allocated and not yet freed or
 * swept (in use); free slots of in-use spans (fragmentation); idle pages
 * not yet scavenged (retention); scavenged pages (released); metadata.
 */
#ifndef HEAPBENCH_ADAPTERS_GOHEAP_MEM_H
#define HEAPBENCH_ADAPTERS_GOHEAP_MEM_H

#include "goheap/goheap.h"
#include "heapbench/adapter.h"

static inline void gh_mem_classes(hb_mem_classes *m) {
    static gh_stats s; /* large (per-class arrays); one sampler thread */
    gh_stats_read(&s);
    m->in_use = (int64_t)s.heap_alloc_bytes;
    m->free_partial = (int64_t)(s.heap_inuse_bytes - s.heap_alloc_bytes);
    m->free_cached = (int64_t)(s.heap_idle_bytes - s.heap_released_bytes);
    m->metadata = (int64_t)s.metadata_bytes;
    m->released = (int64_t)s.heap_released_bytes;
}

#endif
