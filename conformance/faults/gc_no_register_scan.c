/*
 * gc_no_register_scan.c — FAULT: goheap's concurrent collector with one bug switched on
 * inside goheap (GH_FAULT_SIGNAL_REGS, goheap/include/goheap/gc.h):
 * a thread stopped by the signal handler is scanned from its interrupted
 * stack pointer, so the signal frame that holds its registers is not: a
 * pointer held only in a register of a thread stopped mid-loop is lost.
 * Must be caught by gc/stopped-registers.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/stopped-registers";

HB_FAULT_GOHEAP_BUG("fault-gc_no_register_scan", GH_FAULT_SIGNAL_REGS);
