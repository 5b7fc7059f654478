/*
 * usable_class_below.c — FAULT: usable_size subtracts the chunk header a
 * second time (glibc's usable size already excludes it), so it reports 16
 * bytes less than the block has — less than was requested for most sizes.
 * A program that sizes its writes by it loses data; one that grows a buffer
 * by it reallocates needlessly. Must be caught by usable/ge-requested.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "usable/ge-requested";

static size_t f_usable(void *p) {
    size_t u = malloc_usable_size(p);
    return u > 16 ? u - 16 : 0; /* the header, subtracted again */
}

HB_FAULT_MANUAL("fault-usable_class_below", .usable_size = f_usable);
