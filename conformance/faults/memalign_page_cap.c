/*
 * memalign_page_cap.c — FAULT: the process's memalign (this executable's
 * definition replaces the C library's, as a malloc replacement does) clamps
 * the alignment to the page size, on the reasoning that page-aligned memory
 * from mmap is aligned enough: memalign(8192, n) is aligned to 4096 only.
 * posix_memalign and aligned_alloc stay the C library's. Must be caught by
 * alignment/libc-aligned-family.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "alignment/libc-aligned-family";

extern void *__libc_memalign(size_t align, size_t n);

void *memalign(size_t align, size_t n) {
    if (align > 4096) align = 4096; /* "mmap'd pages are aligned enough" */
    return __libc_memalign(align, n);
}

HB_FAULT_MANUAL("fault-memalign_page_cap");
