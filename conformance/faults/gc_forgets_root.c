/*
 * gc_forgets_root.c — FAULT: a collector whose root registration is lost
 * (root_add records nothing), so objects reachable only from a registered
 * range are freed and reused. Must be caught by gc/roots-keep-alive.
 */
#include "boehm_base.h"

const char *const hb_fault_expect = "gc/roots-keep-alive";

static void f_root_add(void *start, size_t bytes) { (void)start, (void)bytes; }
static void f_root_remove(void *start) { (void)start; }

HB_FAULT_COLLECTED("fault-gc_forgets_root", .root_add = f_root_add, .root_remove = f_root_remove);
