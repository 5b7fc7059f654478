/*
 * goheap.c — adapter for goheap in manual mode (the suite's own Go-style
 * allocator, goheap/). The adapter's table calls gh_* directly; the rest of
 * the process (libc, the harness) keeps glibc's malloc, so the selfcheck
 * proves that *the adapter's* allocations come from goheap (gh_owns on a
 * fresh pointer) and that a plain malloc() pointer is not goheap's unless
 * libgoheap_malloc.so was preloaded (then both are goheap's, also fine).
 * `preload` names the drop-in build of the same allocator, for unmodified
 * programs run under `heapbench exec`.
 */
#include <stdio.h>
#include <stdlib.h>

#include "goheap/gc.h" /* gh_stack_alloc/free: the stack pool */
#include "goheap/goheap.h"
#include "heapbench/adapter.h"
#include "goheap_mem.h"

static int gh_selfcheck(char *msg, size_t len) {
    void *volatile p = gh_malloc(64);
    void *volatile q = malloc(64);
    int mine = gh_owns(p), plain = gh_owns(q);
    size_t usable = gh_usable_size(p);
    gh_free(p);
    free(q);
    if (!mine || usable < 64) {
        snprintf(msg, len, "gh_malloc() pointer is not in goheap's heap");
        return -1;
    }
    snprintf(msg, len, "gh_malloc() pointer owned by goheap (%s); plain malloc() is %s", gh_version(),
             plain ? "goheap too (preloaded)" : "not goheap's (glibc)");
    return 0;
}

static size_t gh_usable(void *p) { return gh_usable_size(p); }

static const hb_adapter adapter = {
    .name = "goheap",
    .kind = HB_MANUAL,
    .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_THREADS | HB_CAP_RELEASES_MEMORY | HB_CAP_STACKPOOL,
    .preload = "./libgoheap_malloc.so",
    .version = gh_version,
    .selfcheck = gh_selfcheck,
    .thread_detach = gh_thread_exit,
    .malloc = gh_malloc,
    .free = gh_free,
    .free_sized = gh_free_sized,
    .realloc = gh_realloc,
    .calloc = gh_calloc,
    .aligned_alloc = gh_aligned_alloc,
    .usable_size = gh_usable,
    .stack_alloc = gh_stack_alloc,
    .stack_free = gh_stack_free,
    .mem_classes = gh_mem_classes,
};
HB_ADAPTER(adapter);
