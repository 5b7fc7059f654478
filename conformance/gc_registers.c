/*
 * gc_registers.c — gc/stopped-registers: a collector must scan the
 * registers of every thread it stops, not only its stack. A thread that is
 * stopped asynchronously (by a signal, in the middle of a loop that never
 * reaches a safe point) may hold the only copy of a pointer in a register;
 * the kernel saves its registers in the signal frame, on the thread's stack
 * below the interrupted stack pointer, and a collector that scans from the
 * interrupted stack pointer (or one that reads the registers into nothing)
 * frees the object while the thread is about to use it.
 *
 * Built deterministically (x86-64 only, inline assembly; n/a elsewhere): a
 * registered thread allocates four objects in a deeper frame, keeps only
 * XOR-hidden copies in malloc'd memory (no collector scans it), clears its
 * stack, then one asm block unhides them into the callee-saved registers
 * r12..r15 and spins on a flag — no call, no spill, no safe point. While it
 * spins the main thread runs two full collections, churns the heap in the
 * objects' size (their neighbours stay live, so a freed one is a hole in a
 * partly live span, reused first) and a third collection; then the thread
 * leaves the loop, stores the registers and checks every word. Half of the
 * objects carry a finalizer (where the collector offers them), which must
 * not run.
 *
 * Sources: bdwgc pthread_stop_world.c (GC_suspend_handler pushes the
 * registers: GC_with_callee_saves_pushed); Go runtime/preempt.go (async
 * preemption saves registers; conservative scan of the signal frame).
 * Proven by faults/gc_no_register_scan.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "gc_support.h"

#if defined(__x86_64__)

#define HIDE ((uintptr_t)0x3c3cc3c3a5a55a5aull)
enum { NREG = 4, RWORDS = 12, NEIGH = 64 };
static const hb_layout all_ptrs = {1, 1};

typedef struct reg_state {
    uintptr_t hidden[NREG];
    _Atomic int fin[NREG];
    volatile int held, release;
    void **keep; /* malloc'd, registered: the objects' live neighbours */
    char why[300];
} reg_state;

/* Allocate the objects between live neighbours; only hidden copies stay. */
static __attribute__((noinline)) void reg_make(reg_state *s) {
    void **nb = hb_new(NEIGH * sizeof(void *), &all_ptrs);
    hb_store(&s->keep[0], nb);
    for (int i = 0; i < NEIGH; i++) {
        uint64_t *n = hb_new(RWORDS * 8, HB_NOSCAN);
        n[0] = 1;
        hb_store(&nb[i], n);
        if (i % (NEIGH / NREG) != NEIGH / NREG / 2) continue;
        int k = i / (NEIGH / NREG);
        uint64_t *x = hb_new(RWORDS * 8, HB_NOSCAN);
        for (int w = 0; w < RWORDS; w++) x[w] = gc_word((uint64_t)k + 77, w);
        if (k % 2 == 0 && hb_has(HB_CAP_FINALIZERS)) hb_rt.ad->set_finalizer(x, gc_count_finalizer, &s->fin[k]);
        s->hidden[k] = (uintptr_t)x ^ HIDE;
    }
}

static void *reg_thread(void *arg) {
    reg_state *s = arg;
    reg_make(s);
    hb_cf_clear_stack();
    uint64_t *out[NREG] = {0};
    const uintptr_t key = HIDE;
    /* The pointers exist only in r12..r15 from here until the stores after
     * the loop: no call, no spill, and nothing else computes them. */
    __asm__ volatile("mov 0(%[h]), %%r12\n\t"
                     "xor %[k], %%r12\n\t"
                     "mov 8(%[h]), %%r13\n\t"
                     "xor %[k], %%r13\n\t"
                     "mov 16(%[h]), %%r14\n\t"
                     "xor %[k], %%r14\n\t"
                     "mov 24(%[h]), %%r15\n\t"
                     "xor %[k], %%r15\n\t"
                     "movl $1, %[held]\n\t"
                     "1:\n\t"
                     "pause\n\t"
                     "cmpl $0, %[rel]\n\t"
                     "je 1b\n\t"
                     "mov %%r12, 0(%[o])\n\t"
                     "mov %%r13, 8(%[o])\n\t"
                     "mov %%r14, 16(%[o])\n\t"
                     "mov %%r15, 24(%[o])\n\t"
                     : [held] "=m"(s->held)
                     : [h] "r"(s->hidden), [k] "r"(key), [o] "r"(out), [rel] "m"(s->release)
                     : "r12", "r13", "r14", "r15", "memory", "cc");
    for (int k = 0; k < NREG; k++) {
        if ((uintptr_t)out[k] != (s->hidden[k] ^ HIDE)) {
            snprintf(s->why, sizeof s->why, "register %d came back as %p: the property itself is broken", 12 + k,
                     (void *)out[k]);
            return NULL;
        }
        for (int w = 0; w < RWORDS; w++)
            if (out[k][w] != gc_word((uint64_t)k + 77, w)) {
                snprintf(s->why, sizeof s->why, "object %p, held only in r%d of a thread stopped during the cycles, "
                         "word %d is %#llx, expected %#llx: freed and its slot reused",
                         (void *)out[k], 12 + k, w, (unsigned long long)out[k][w],
                         (unsigned long long)gc_word((uint64_t)k + 77, w));
                return NULL;
            }
    }
    return NULL;
}

static hb_cf_status registers_run(hb_cf_result *r) {
    reg_state *s = calloc(1, sizeof *s);
    s->keep = calloc(1, sizeof *s->keep);
    hb_root_add(s->keep, sizeof *s->keep);
    pthread_t t;
    hb_thread_start(&t, reg_thread, s);
    uint64_t t0 = hb_cf_now_ns();
    while (!__atomic_load_n(&s->held, __ATOMIC_ACQUIRE) && hb_cf_now_ns() - t0 < 10000000000ull) gc_nap();
    int held = __atomic_load_n(&s->held, __ATOMIC_ACQUIRE);
    if (held) {
        hb_collect();
        hb_collect();
        gc_churn(RWORDS * 8, HB_NOSCAN, 32768);
        hb_collect();
    }
    __atomic_store_n(&s->release, 1, __ATOMIC_RELEASE);
    hb_thread_join(t);
    if (!held) return hb_cf_fail(r, "the register-holding thread did not start within 10 s");
    if (s->why[0]) return hb_cf_fail(r, "%s", s->why);
    for (int k = 0; k < NREG; k++)
        if (atomic_load(&s->fin[k]))
            return hb_cf_fail(r, "the finalizer of the object held only in r%d of a stopped thread ran: the "
                              "collector did not scan the registers of the threads it stopped",
                              12 + k);
    hb_root_remove(s->keep);
    return hb_cf_pass(r, "%d objects held only in r12..r15 of a thread stopped (spinning, no safe point) through 3 "
                      "cycles and churn: intact, no finalizer ran",
                      NREG);
}

#else

static hb_cf_status registers_run(hb_cf_result *r) {
    return hb_cf_na(r, "needs x86-64 inline assembly to pin a pointer in a callee-saved register");
}

#endif

static const hb_property registers_prop = {
    .name = "gc/stopped-registers",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_THREADS,
    .summary = "an object whose only reference is in a register of a thread stopped mid-loop survives (x86-64)",
    .source = "bdwgc pthread_stop_world.c (GC_suspend_handler saves registers); Go runtime/preempt.go",
    .run = registers_run,
};
HB_PROPERTY(registers_prop);
