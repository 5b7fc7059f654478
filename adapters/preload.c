/*
 * preload.c — the generic "bring your own allocator" adapter: build/hb-preload
 * links no allocator and measures whatever shared library LD_PRELOAD puts
 * in front of glibc. The library's path comes from HB_PRELOAD_LIB (set with
 * LD_PRELOAD to the same path), its display name from HB_PRELOAD_NAME:
 *
 *   LD_PRELOAD=$PWD/libmine.so HB_PRELOAD_LIB=$PWD/libmine.so \
 *   HB_PRELOAD_NAME=mine build/hb-preload bench --workload heap/churn
 *
 * Selfcheck: malloc, free, calloc, realloc, posix_memalign, aligned_alloc
 * and malloc_usable_size must all bind into HB_PRELOAD_LIB (dladdr; see
 * binding.h); a half-interposed library is refused with the list of what it
 * lacks. Capabilities come from what the library exports: usable-size and
 * aligned from the family, sized-free from free_sized / sdallocx /
 * mi_free_size / tc_free_sized; threads is assumed (a library that replaces
 * malloc for every program must be thread-safe); releases-memory is never
 * claimed (nothing exported can promise it). The version comes from a known
 * symbol (mi_version, jemalloc's mallctl("version"), tc_version,
 * GC_get_version), else the library's build-id ("scudo (build-id ...)" when
 * it exports __scudo_print_stats, "unknown (build-id ...)" otherwise).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "heapbench/adapter.h"

static char lib_path[PATH_MAX];     /* realpath of HB_PRELOAD_LIB, or "" */
static char adapter_name[64] = "preload";
static void (*sized_free_fn)(void *, size_t);
static void (*sdallocx_fn)(void *, size_t, int);

/* The symbol `name` when this process binds it into the preloaded library. */
static void *lib_sym(const char *name) {
    if (!lib_path[0] || !hb_bind_in(name, lib_path)) return NULL;
    return dlsym(RTLD_DEFAULT, name);
}

static void pl_free_sized(void *p, size_t n) {
    if (sized_free_fn) sized_free_fn(p, n);
    else sdallocx_fn(p, n, 0);
}

static const char *pl_version(void) {
    static char v[192];
    int (*mi_version)(void) = (int (*)(void))lib_sym("mi_version");
    int (*mallctl)(const char *, void *, size_t *, void *, size_t) = lib_sym("mallctl");
    const char *(*tc_version)(int *, int *, const char **) = lib_sym("tc_version");
    unsigned (*gc_version)(void) = (unsigned (*)(void))lib_sym("GC_get_version");
    const char *s = NULL;
    size_t len = sizeof s;
    if (mi_version) {
        int n = mi_version();
        snprintf(v, sizeof v, "mimalloc %d.%d.%d", n / 100, n / 10 % 10, n % 10);
    } else if (mallctl && mallctl("version", &s, &len, NULL, 0) == 0 && s) {
        snprintf(v, sizeof v, "jemalloc %s", s);
    } else if (tc_version) {
        int major, minor;
        const char *patch = "";
        snprintf(v, sizeof v, "gperftools %s", tc_version(&major, &minor, &patch));
    } else if (gc_version) {
        unsigned n = gc_version();
        snprintf(v, sizeof v, "bdwgc %u.%u.%u", n >> 16, (n >> 8) & 0xff, n & 0xff);
    } else {
        char id[128];
        hb_bind_build_id(lib_path, id, sizeof id);
        snprintf(v, sizeof v, "%s (build-id %s)", lib_sym("__scudo_print_stats") ? "scudo" : "unknown",
                 id[0] ? id : "none");
    }
    return v;
}

static int pl_selfcheck(char *msg, size_t len) {
    if (!lib_path[0]) {
        snprintf(msg, len, "HB_PRELOAD_LIB names no readable library: run hb-preload as "
                           "LD_PRELOAD=PATH HB_PRELOAD_LIB=PATH hb-preload ...");
        return -1;
    }
    char why[1024];
    if (hb_bind_check(lib_path, why, sizeof why) != 0) {
        snprintf(msg, len, "%s does not interpose the whole malloc family (is it in LD_PRELOAD?); %s",
                 lib_path, why);
        return -1;
    }
    void *volatile p = malloc(100);
    size_t usable = p ? malloc_usable_size(p) : 0;
    free(p);
    if (usable < 100) {
        snprintf(msg, len, "%s: malloc(100) gave %p with usable size %zu", lib_path, p, usable);
        return -1;
    }
    snprintf(msg, len, "malloc, free, calloc, realloc, posix_memalign, aligned_alloc and "
                       "malloc_usable_size all bound to %s", lib_path);
    return 0;
}

static hb_adapter adapter = {
    .name = adapter_name,
    .kind = HB_MANUAL,
    .caps = HB_CAP_THREADS,
    .version = pl_version,
    .selfcheck = pl_selfcheck,
    .malloc = malloc,
    .free = free,
    .realloc = realloc,
    .calloc = calloc,
    .aligned_alloc = aligned_alloc,
    .usable_size = malloc_usable_size,
};
HB_ADAPTER(adapter);

/* Before main: name, preload path and capabilities from the environment
 * and from what the library exports (`info` reads them without init). */
__attribute__((constructor)) static void pl_setup(void) {
    const char *name = getenv("HB_PRELOAD_NAME"), *lib = getenv("HB_PRELOAD_LIB");
    if (name && name[0]) snprintf(adapter_name, sizeof adapter_name, "%s", name);
    if (!lib || !realpath(lib, lib_path)) lib_path[0] = '\0';
    if (!lib_path[0]) return;
    adapter.preload = lib_path;
    if (lib_sym("aligned_alloc") && lib_sym("posix_memalign")) adapter.caps |= HB_CAP_ALIGNED;
    if (lib_sym("malloc_usable_size")) adapter.caps |= HB_CAP_USABLE_SIZE;
    const char *sized[] = {"free_sized", "mi_free_size", "tc_free_sized"};
    for (size_t i = 0; i < sizeof sized / sizeof *sized && !sized_free_fn; i++)
        sized_free_fn = (void (*)(void *, size_t))lib_sym(sized[i]);
    if (!sized_free_fn) sdallocx_fn = (void (*)(void *, size_t, int))lib_sym("sdallocx");
    if (sized_free_fn || sdallocx_fn) {
        adapter.caps |= HB_CAP_SIZED_FREE;
        adapter.free_sized = pl_free_sized;
    }
}
