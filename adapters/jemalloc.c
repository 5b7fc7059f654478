/*
 * jemalloc.c — adapter for jemalloc (Debian's build has no je_ prefix: it
 * replaces malloc for the whole process). Selfcheck: jemalloc's per-thread
 * statistic "thread.allocated" must grow by a malloc().
 */
#include <jemalloc/jemalloc.h>
#include <stdint.h>
#include <stdio.h>

#include "heapbench/adapter.h"

static const char *je_ver(void) {
    const char *v = "";
    size_t sz = sizeof v;
    mallctl("version", &v, &sz, NULL, 0);
    return v;
}

static uint64_t thread_allocated(void) {
    uint64_t n = 0;
    size_t sz = sizeof n;
    if (mallctl("thread.allocated", &n, &sz, NULL, 0) != 0) return 0;
    return n;
}

static int je_selfcheck(char *msg, size_t len) {
    uint64_t before = thread_allocated();
    void *volatile p = malloc(4000);
    uint64_t after = thread_allocated();
    free(p);
    if (after < before + 4000) {
        snprintf(msg, len, "thread.allocated did not see a malloc (%llu -> %llu)",
                 (unsigned long long)before, (unsigned long long)after);
        return -1;
    }
    snprintf(msg, len, "jemalloc's thread.allocated saw a malloc()");
    return 0;
}

static void je_free_sized(void *p, size_t size) { sdallocx(p, size, 0); }

/* Memory classes from jemalloc's stats after an epoch refresh: allocated
 * (in use), active - allocated (free regions inside active slabs:
 * fragmentation), resident - active - metadata (dirty pages kept for reuse:
 * retention), metadata, retained + (mapped - resident) (returned, still
 * mapped). */
static size_t je_stat(const char *name) {
    size_t v = 0, sz = sizeof v;
    return mallctl(name, &v, &sz, NULL, 0) == 0 ? v : 0;
}

static void je_mem_classes(hb_mem_classes *m) {
    uint64_t epoch = 1;
    size_t esz = sizeof epoch;
    if (mallctl("epoch", &epoch, &esz, &epoch, esz) != 0) return;
    size_t alloc = je_stat("stats.allocated"), active = je_stat("stats.active");
    size_t meta = je_stat("stats.metadata"), res = je_stat("stats.resident");
    size_t mapped = je_stat("stats.mapped"), retained = je_stat("stats.retained");
    m->in_use = (int64_t)alloc;
    m->free_partial = (int64_t)(active - alloc);
    m->free_cached = res > active + meta ? (int64_t)(res - active - meta) : 0;
    m->metadata = (int64_t)meta;
    m->released = (int64_t)(retained + (mapped > res ? mapped - res : 0));
}

static const hb_adapter adapter = {
    .name = "jemalloc",
    .kind = HB_MANUAL,
    .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_SIZED_FREE | HB_CAP_THREADS |
            HB_CAP_RELEASES_MEMORY,
    .preload = "libjemalloc.so.2",
    .version = je_ver,
    .selfcheck = je_selfcheck,
    .malloc = malloc,
    .free = free,
    .free_sized = je_free_sized,
    .realloc = realloc,
    .calloc = calloc,
    .aligned_alloc = aligned_alloc,
    .usable_size = malloc_usable_size,
    .mem_classes = je_mem_classes,
};
HB_ADAPTER(adapter);
