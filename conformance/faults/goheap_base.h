/*
 * goheap_base.h — the common half of the faulty adapters over goheap's
 * concurrent collector (goheap/include/goheap/gc.h), for the properties only
 * a concurrent, pooled collector can exercise (the write barrier, sync.Pool).
 * It is the goheap-gc adapter's own table (adapters/goheap_gc_table.h);
 * a fault file overrides one or two entries (HB_FAULT_GOHEAP). The root
 * CMake builds these faults only where the goheap target exists.
 */
#ifndef HB_FAULTS_GOHEAP_BASE_H
#define HB_FAULTS_GOHEAP_BASE_H

#include <stdio.h>

#include "goheap_gc_table.h" /* adapters/, on every adapter's include path */

static const char *fg_version(void) {
    static char v[96];
    snprintf(v, sizeof v, "faulty wrapper over %s + concurrent GC", gh_version());
    return v;
}
static int fg_selfcheck(char *msg, size_t len) {
    snprintf(msg, len, "deliberately faulty collector over goheap (see its source in conformance/faults/)");
    return 0;
}

/* A later designator overrides the table's: that is the point here. */
#pragma GCC diagnostic ignored "-Woverride-init"
#define HB_FAULT_GOHEAP(NAME, ...)                                                                      \
    static const hb_adapter fault_adapter =                                                             \
        GOHEAP_GC_TABLE(.name = NAME, .version = fg_version, .selfcheck = fg_selfcheck, __VA_ARGS__); \
    HB_ADAPTER(fault_adapter)

/* A fault switched on inside goheap (gh_gc_fault, goheap/include/goheap/
 * gc.h): the table is the real one, goheap runs with that one bug. */
#define HB_FAULT_GOHEAP_BUG(NAME, BUG)                   \
    static int fg_init_##BUG(const hb_options *opt) {    \
        gh_gc_fault = BUG;                               \
        return ghgc_init(opt);                           \
    }                                                    \
    HB_FAULT_GOHEAP(NAME, .init = fg_init_##BUG)

#endif
