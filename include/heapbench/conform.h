/*
 * conform.h — the conformance property contract.
 *
 * A property is one checkable statement about a memory manager: a *rule*
 * (what C17/POSIX, or the adapter's own capability bits, require — a
 * failure makes `heapbench conform` exit 1) or a *trait* (a measured
 * characteristic that differs between good allocators — reported with its
 * figures, never failing the run). Each property file in conformance/
 * defines `hb_property` values and registers each with HB_PROPERTY; the
 * linker collects them in a section, as workloads are collected.
 *
 * The smallest property, and the faulty adapter that proves it can fail
 * (examples/property.c and examples/fault.c, built into the test-only
 * build/hb-example and build/hb-example-fault; ctest examples.header-sync
 * fails when these copies and the files differ):
 *
 * >>> examples/property.c
 *     #include "heapbench/conform.h"
 *     #include "heapbench/object.h"
 *
 *     static hb_cf_status calloc_zeroes_run(hb_cf_result *r) {
 *         const hb_adapter *ad = hb_rt.ad;
 *         for (size_t size = 16; size <= 65536; size *= 2) {
 *             void *dirty = ad->malloc(size); // leave a dirty block behind...
 *             if (!dirty) return hb_cf_fail(r, "malloc(%zu) returned NULL", size);
 *             hb_cf_fill(dirty, size, 7);
 *             ad->free(dirty);
 *             unsigned char *p = ad->calloc(1, size); // ...which calloc may reuse
 *             if (!p) return hb_cf_fail(r, "calloc(1, %zu) returned NULL", size);
 *             size_t i = 0;
 *             while (i < size && p[i] == 0) i++;
 *             if (i < size) return hb_cf_fail(r, "calloc(1, %zu): byte %zu is 0x%02x, not 0", size, i, p[i]);
 *             ad->free(p);
 *         }
 *         return hb_cf_pass(r, "calloc(1, N) was all zero for N = 16, 32, ..., 65536 after a dirty free");
 *     }
 *
 *     static const hb_property calloc_zeroes = {
 *         .name = "example/calloc-zeroes",
 *         .kind = HB_CF_RULE, // a failure makes `heapbench conform` exit 1
 *         .applies = HB_CF_MANUAL_ONLY,
 *         .summary = "calloc's block is all zero, also when it reuses a dirty one",
 *         .source = "C17 7.22.3.2",
 *         .run = calloc_zeroes_run,
 *     };
 *     HB_PROPERTY(calloc_zeroes);
 * <<< examples/property.c
 *
 * >>> examples/fault.c
 *     // The fault it catches: an adapter like the one in adapter.h but with
 *     // `.calloc = dirty_calloc`, naming the property (`conform --expect`).
 *     const char *const hb_fault_expect = "example/calloc-zeroes";
 *     static void *dirty_calloc(size_t n, size_t size) { return malloc(n * size); } // not zeroed
 * <<< examples/fault.c
 *
 * A property runs alone in its own process (`hb-<adapter> conform
 * --property NAME`), so it may crash, hang or leak without harming the
 * others; it uses the adapter table (hb_rt.ad) and the object API directly.
 * Its run function returns a status and writes the evidence — sizes,
 * alignments, addresses, expected and found — or, for a trait, the figures,
 * into `detail` with hb_cf_pass / hb_cf_fail / hb_cf_na.
 *
 * A faulty adapter (conformance/faults/<name>.c) also defines
 *     const char *const hb_fault_expect = "property-name";
 * naming the property that must catch it (`hb-fault-<name> conform --expect`).
 */
#ifndef HEAPBENCH_CONFORM_H
#define HEAPBENCH_CONFORM_H

#include <stddef.h>
#include <stdint.h>

#include "heapbench/adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hb_cf_kind { HB_CF_RULE = 0, HB_CF_TRAIT = 1 } hb_cf_kind;
typedef enum hb_cf_status { HB_CF_PASS = 0, HB_CF_FAIL = 1, HB_CF_NA = 2 } hb_cf_status;

/* Which discipline a property applies to; the other kind is n/a. */
typedef enum hb_cf_applies { HB_CF_ANY = 0, HB_CF_MANUAL_ONLY = 1, HB_CF_COLLECTED_ONLY = 2 } hb_cf_applies;

typedef struct hb_cf_result {
    char detail[1024];
} hb_cf_result;

typedef struct hb_property {
    const char *name;    /* "theme/name": alignment/max-align-t */
    hb_cf_kind kind;
    hb_cf_applies applies;
    uint32_t needs;      /* capability bits required, else n/a */
    const char *summary; /* one line: what is checked */
    const char *source;  /* where the rule comes from */
    hb_cf_status (*run)(hb_cf_result *r);
} hb_property;

#define HB_CF_CAT2(a, b) a##b
#define HB_CF_CAT(a, b) HB_CF_CAT2(a, b)
#define HB_PROPERTY(desc)                                                          \
    __attribute__((used, section("hb_properties"))) static const hb_property *const \
        HB_CF_CAT(hb_property_ptr_, __LINE__) = &(desc)

/* All linked properties, sorted by name. */
size_t hb_properties(const hb_property *const **out);
const hb_property *hb_property_find(const char *name);

/* Write the detail (printf-style) and return the status. */
hb_cf_status hb_cf_pass(hb_cf_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
hb_cf_status hb_cf_fail(hb_cf_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
hb_cf_status hb_cf_na(hb_cf_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- helpers shared by properties (conformance/support.c) ---- */

/* A pointer's address, hidden from the optimizer: compilers assume what
 * malloc-like functions return is aligned and distinct, and would fold the
 * very checks a property makes. */
static inline uintptr_t hb_cf_addr(const void *p) {
    uintptr_t a = (uintptr_t)p;
    __asm__ volatile("" : "+r"(a));
    return a;
}
/* The largest power of two dividing the address (0 for NULL). */
static inline uintptr_t hb_cf_align_of(const void *p) {
    uintptr_t a = hb_cf_addr(p);
    return a & (~a + 1);
}

/* Fill `n` bytes at p with a pattern derived from seed; check it back.
 * hb_cf_check returns the offset of the first wrong byte, or n if none. */
void hb_cf_fill(void *p, size_t n, uint32_t seed);
size_t hb_cf_check(const void *p, size_t n, uint32_t seed);
uint8_t hb_cf_byte(size_t i, uint32_t seed);
/* A small fast PRNG (xorshift). */
uint64_t hb_cf_rand(uint64_t *state);
/* Resident set size of this process in bytes (from /proc/self/statm). */
size_t hb_cf_rss(void);
/* CLOCK_MONOTONIC in ns. */
uint64_t hb_cf_now_ns(void);
/* 1 when the libc-level malloc family of this process (malloc,
 * posix_memalign, memalign) is served by the allocator under test: the
 * adapter replaces malloc, or it is the C library's own. */
int hb_cf_libc_is_adapter(void);
/* Clear a few KiB of this thread's stack below the caller, so stale pointers
 * left by deeper frames do not keep objects alive in a conservative scan. */
void hb_cf_clear_stack(void);

#ifdef __cplusplus
}
#endif
#endif
