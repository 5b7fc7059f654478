/*
 * support.c — the property registry and the helpers every property shares:
 * pattern fill/check (so a block's contents prove nobody else wrote it),
 * a PRNG, RSS and clock readings, and "is libc's malloc the allocator under
 * test?" for the POSIX-level rules (posix_memalign, memalign).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

extern const hb_property *const __start_hb_properties[] __attribute__((weak));
extern const hb_property *const __stop_hb_properties[] __attribute__((weak));

static const hb_property *sorted[512];
static size_t nsorted;

static int by_name(const void *a, const void *b) {
    return strcmp((*(const hb_property *const *)a)->name, (*(const hb_property *const *)b)->name);
}

size_t hb_properties(const hb_property *const **out) {
    if (!nsorted && __start_hb_properties) {
        for (const hb_property *const *p = __start_hb_properties; p < __stop_hb_properties; p++)
            if (nsorted < sizeof sorted / sizeof *sorted) sorted[nsorted++] = *p;
        qsort(sorted, nsorted, sizeof *sorted, by_name);
    }
    *out = sorted;
    return nsorted;
}

const hb_property *hb_property_find(const char *name) {
    const hb_property *const *all;
    size_t n = hb_properties(&all);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}

/* hb_cf_pass, hb_cf_fail, hb_cf_na: the status, with a printf-style detail. */
#define HB_CF_RESULT_FN(fn, status)                            \
    hb_cf_status fn(hb_cf_result *r, const char *fmt, ...) {   \
        va_list ap;                                            \
        va_start(ap, fmt);                                     \
        vsnprintf(r->detail, sizeof r->detail, fmt, ap);       \
        va_end(ap);                                            \
        return status;                                         \
    }
HB_CF_RESULT_FN(hb_cf_pass, HB_CF_PASS)
HB_CF_RESULT_FN(hb_cf_fail, HB_CF_FAIL)
HB_CF_RESULT_FN(hb_cf_na, HB_CF_NA)

/* The pattern byte at offset i: position- and seed-dependent, never a run of
 * zeroes, so a block filled for one owner cannot pass as another's. */
uint8_t hb_cf_byte(size_t i, uint32_t seed) {
    uint32_t x = (uint32_t)i * 2654435761u ^ seed * 40503u;
    x ^= x >> 15;
    return (uint8_t)(x | 1u);
}

void hb_cf_fill(void *p, size_t n, uint32_t seed) {
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++) b[i] = hb_cf_byte(i, seed);
}

size_t hb_cf_check(const void *p, size_t n, uint32_t seed) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != hb_cf_byte(i, seed)) return i;
    return n;
}

uint64_t hb_cf_rand(uint64_t *s) {
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

size_t hb_cf_rss(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &res) != 2) res = 0;
        fclose(f);
    }
    return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

uint64_t hb_cf_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int hb_cf_libc_is_adapter(void) {
    const hb_adapter *ad = hb_rt.ad;
    if (ad->kind != HB_MANUAL) return 0;
    if ((void *)ad->malloc == (void *)malloc) return 1;
    char lib_malloc[512], lib_ad[512], exe[512];
    hb_symbol_library((void *)malloc, lib_malloc, sizeof lib_malloc);
    hb_symbol_library((void *)ad->malloc, lib_ad, sizeof lib_ad);
    hb_symbol_library((void *)hb_cf_libc_is_adapter, exe, sizeof exe);
    if (!lib_malloc[0] || !lib_ad[0]) return 0;
    if (!strcmp(lib_malloc, lib_ad)) return 1;
    /* malloc replaced by a library (a proxy such as tbbmalloc_proxy) while
     * the adapter's own entry points live in a library, not this program. */
    return !strstr(lib_malloc, "/libc.so") && strcmp(lib_ad, exe) != 0;
}

__attribute__((noinline)) void hb_cf_clear_stack(void) {
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
    __asm__ volatile("" ::"r"(buf) : "memory");
}
