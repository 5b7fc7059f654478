/*
 * gc_stack_base_low.c — FAULT: thread_attach registers each thread's stack
 * with the wrong end as its base: pthread_attr_getstack's address, the
 * *lowest* address of the stack, where the collector wants the highest (the
 * stack grows down from it). The range scanned for that thread, from its
 * stack pointer up to that "base", is empty, so objects held only in its
 * locals are freed. The main thread, registered by the collector itself,
 * is scanned right. Must be caught by gc/stacks-keep-alive.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "boehm_base.h"

const char *const hb_fault_expect = "gc/stacks-keep-alive";

static void f_attach(void) {
    pthread_attr_t attr;
    void *lo = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr)) return;
    pthread_attr_getstack(&attr, &lo, &size);
    pthread_attr_destroy(&attr);
    struct GC_stack_base sb = {.mem_base = lo}; /* should be (char *)lo + size */
    GC_register_my_thread(&sb);
}

HB_FAULT_COLLECTED("fault-gc_stack_base_low", .thread_attach = f_attach);
