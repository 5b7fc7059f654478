/*
 * usable_lies.c — FAULT: usable_size reports 32 bytes more than the block
 * has (it forgets to subtract the next chunk's header), so a program that
 * trusts it overwrites its neighbour. Must be caught by usable/writable.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "usable/writable";

static size_t f_usable(void *p) { return malloc_usable_size(p) + 32; }

HB_FAULT_MANUAL("fault-usable_lies", .usable_size = f_usable);
