/*
 * scudo.c — adapter for Scudo, LLVM compiler-rt's hardened allocator (the
 * standalone build Android uses), from Debian's libclang-rt-14-dev as
 * libclang_rt.scudo_standalone-x86_64.so.
 *
 * Linked, not preloaded: Debian ships Scudo as a shared library meant for
 * LD_PRELOAD, but linking it first (as mimalloc and jemalloc are) makes it
 * serve malloc for the whole process just the same, and hb-scudo is then an
 * ordinary adapter that `heapbench run`, `list` and `conform` drive without
 * a NAME=PATH argument. Its `preload` field is the same library, for
 * `heapbench exec` and the real/ programs.
 *
 * Selfcheck: the whole malloc family binds into the Scudo library (dladdr,
 * adapters/binding.h), and Scudo's own heap walk (malloc_iterate, under
 * malloc_disable) finds a block plain malloc() returned. Version: Scudo has
 * no version symbol; it is the compiler-rt release, read from the path of
 * the library that malloc is bound to (.../clang/<version>/lib/...).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "heapbench/adapter.h"

#ifndef HB_SCUDO_LIB
#error "HB_SCUDO_LIB: the path of libclang_rt.scudo_standalone-<arch>.so (set by CMakeLists.txt)"
#endif

/* Scudo's Android-style heap introspection (exported by the library). */
void malloc_disable(void);
void malloc_enable(void);
int malloc_iterate(uintptr_t base, size_t size, void (*cb)(uintptr_t, size_t, void *), void *arg);

static const char *scudo_version(void) {
    static char v[96];
    Dl_info info;
    const char *path = dladdr((void *)malloc, &info) && info.dli_fname ? info.dli_fname : "";
    const char *c = strstr(path, "/clang/");
    int n = c ? (int)strcspn(c + 7, "/") : 0;
    if (n > 0) snprintf(v, sizeof v, "compiler-rt %.*s (scudo standalone)", n, c + 7);
    else snprintf(v, sizeof v, "unknown (scudo standalone at %s)", path);
    return v;
}

typedef struct walk {
    uintptr_t want;
    int found;
} walk;

static void walk_cb(uintptr_t base, size_t size, void *arg) {
    walk *w = arg;
    if (w->want >= base && w->want < base + size) w->found = 1;
}

static int scudo_selfcheck(char *msg, size_t len) {
    char why[1024];
    if (hb_bind_check(HB_SCUDO_LIB, why, sizeof why) != 0) {
        snprintf(msg, len, "the malloc family is not Scudo's (%s): %s", HB_SCUDO_LIB, why);
        return -1;
    }
    void *volatile p = malloc(64);
    walk w = {(uintptr_t)p, 0};
    uintptr_t page = w.want & ~(uintptr_t)4095;
    malloc_disable();
    malloc_iterate(page, 4096, walk_cb, &w);
    malloc_enable();
    free(p);
    if (!w.found) {
        snprintf(msg, len, "Scudo's malloc_iterate does not know malloc(64) = %p", p);
        return -1;
    }
    snprintf(msg, len, "malloc family bound to %s; malloc_iterate finds malloc(64)", HB_SCUDO_LIB);
    return 0;
}

static const hb_adapter adapter = {
    .name = "scudo",
    .kind = HB_MANUAL,
    /* No HB_CAP_RELEASES_MEMORY: Scudo releases freed pages on its own
     * schedule (release_to_os_interval_ms), not as a promise per free. */
    .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_THREADS,
    .preload = HB_SCUDO_LIB,
    .version = scudo_version,
    .selfcheck = scudo_selfcheck,
    .malloc = malloc,
    .free = free,
    .realloc = realloc,
    .calloc = calloc,
    .aligned_alloc = aligned_alloc,
    .usable_size = malloc_usable_size,
};
HB_ADAPTER(adapter);
