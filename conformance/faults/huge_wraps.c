/*
 * huge_wraps.c — FAULT: malloc adds its header size to the request without
 * an overflow check, so malloc(SIZE_MAX - 8) wraps around to a tiny block and
 * returns it instead of NULL. Must be caught by malloc/huge-null.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "malloc/huge-null";

static void *f_malloc(size_t n) { return malloc(n + 64); /* wraps for n > SIZE_MAX - 64 */ }

HB_FAULT_MANUAL("fault-huge_wraps", .malloc = f_malloc);
