/*
 * huge_crash.c — FAULT: a huge request crashes the allocator (it writes a
 * boundary tag at the end of a mapping it never got) instead of returning
 * NULL. Must be caught by malloc/huge-null (as `crashed`).
 */
#include <stdint.h>

#include "manual_base.h"

const char *const hb_fault_expect = "malloc/huge-null";

static void *f_malloc(size_t n) {
    if (n > ((size_t)1 << 46)) {
        char *tag = malloc(64);
        __asm__ volatile("" : "+r"(tag)); /* the compiler must not see where it points */
        tag[(size_t)1 << 45] = 0;        /* 32 TiB past it: SIGSEGV */
    }
    return malloc(n);
}

HB_FAULT_MANUAL("fault-huge_crash", .malloc = f_malloc);
