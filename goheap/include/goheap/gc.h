/*
 * gc.h — goheap's collected mode: a Go-style concurrent mark-sweep collector
 * over the same spans and size classes as the manual allocator (goheap.h),
 * plus sync.Pool (gh_pool) and the stack pool (gh_stack).
 *
 * Objects are allocated with a layout (which words may hold pointers,
 * repeating every `period` words; NULL = no pointers, never scanned) and are
 * never freed explicitly: the collector reclaims what is unreachable from
 * the registered roots and the stacks and registers of attached threads.
 * Pointer stores into heap objects and roots go through gh_gc_write_barrier
 * while gh_gc_barrier_enabled is non-zero (Go's writeBarrier.enabled).
 *
 * Environment (read by gh_gc_init, overriding nothing the options set):
 *   GOGC=N|off           heap growth per cycle in percent (default 100)
 *   GOMEMLIMIT=N[KiB|MiB|GiB|TiB|KB|MB|GB]   soft memory limit (KB = KiB)
 *   GOHEAP_GC_TORTURE=1  a full collection at every allocation (tests);
 *                        =concurrent: a cycle requested every 0..255 us
 *   GOHEAP_GC_DEBUG=1    one line per cycle on stderr (2: also a line when
 *                        each cycle starts: its trigger and sweep wait)
 */
#ifndef GOHEAP_GC_H
#define GOHEAP_GC_H

#include <stddef.h>
#include <stdint.h>

#include "goheap/goheap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Same shape as heapbench's hb_layout (goheap does not depend on it). */
typedef struct gh_layout {
    uint32_t period;  /* words in the pattern, 1..64 */
    uint64_t ptrmask; /* bit i: word i of each period may hold a pointer */
} gh_layout;

typedef struct gh_gc_options {
    int gogc;         /* percent; < 0: default (env GOGC, else 100); 0: off */
    int64_t memlimit; /* bytes; 0: env GOMEMLIMIT or none */
    int torture;      /* collect at every allocation */
} gh_gc_options;

/* Start the collector (threads, signal handler); the calling thread is
 * attached. Idempotent; 0 on success. */
GH_API int gh_gc_init(const gh_gc_options *opt);
GH_API void *gh_gc_alloc(size_t size, const gh_layout *layout); /* zeroed */
GH_API extern int gh_gc_barrier_enabled;
GH_API void gh_gc_write_barrier(void **slot, void *val);
GH_API void gh_gc_root_add(void *start, size_t bytes);
GH_API void gh_gc_root_remove(void *start);
GH_API void gh_gc_collect(void);   /* a full cycle, then sweep completes */
GH_API void gh_gc_safepoint(void); /* the thread may be stopped here */
GH_API void gh_gc_thread_attach(void);
GH_API void gh_gc_thread_detach(void);
/* fn(obj, arg) runs once, on the finalizer thread, after obj is unreachable. */
GH_API void gh_gc_set_finalizer(void *obj, void (*fn)(void *obj, void *arg), void *arg);
/* 1 if p points into a live object of the collected heap. */
GH_API int gh_gc_is_heap_ptr(const void *p);
/* Test hook: 1 if the object containing p was found live by the last mark
 * (its slot is allocated and not yet reclaimed). */
GH_API int gh_gc_is_allocated(const void *p);
/* Test hook: fn(arg) runs on the collector's worker thread in every cycle
 * once marking has begun: after the first pause (stacks scanned, barrier
 * on, allocation black) and before any root or heap object is scanned. The
 * mutators run meanwhile; marking waits until fn returns. fn must not
 * allocate or collect (the worker is not a mutator). NULL removes it. */
GH_API void gh_gc_set_mark_hook(void (*fn)(void *arg), void *arg);

/* Deliberately broken behaviours, one bit each, for heapbench's faulty
 * adapters (conformance/faults/gc_*.c) only, which set gh_gc_fault before
 * gh_gc_init. Always 0 otherwise; each is tested at exactly one place. */
enum {
    GH_FAULT_SIGNAL_REGS = 1u << 0,    /* stw.c: stopped threads scanned from the interrupted sp,
                                          not the signal frame: registers lost */
    GH_FAULT_UNDRAINED_GREY = 1u << 1, /* mgc.c: mark termination ignores the mutators' grey buffers */
    GH_FAULT_FINALIZER_FREES = 1u << 2,/* mfinal.c: a queued finalizable object is not kept alive */
    GH_FAULT_GOGC_FIXED = 1u << 3,     /* mgcpacer.c: the goal uses GOGC=100, whatever was set */
    GH_FAULT_ALLOC_WHITE = 1u << 4,    /* mgc.c: objects allocated while marking are not marked */
    GH_FAULT_DIRTY_HOLES = 1u << 5,    /* mgc.c: recycled slots of fresh-page spans not zeroed */
    GH_FAULT_DIRTY_LARGE = 1u << 6,    /* mheap.c: the large-span cache claims its spans are clean */
    GH_FAULT_GOAL_STALE = 1u << 7,     /* mgcpacer.c: the goal is not recomputed from the marked heap
                                          at the end of a cycle (stays at the initial minimum) */
};
GH_API extern unsigned gh_gc_fault;

typedef struct gh_gc_stats {
    uint64_t cycles, pauses;
    uint64_t pause_total_ns, pause_max_ns, pause_p50_ns, pause_p99_ns;
    uint64_t mark_cpu_ns, assist_ns;
    uint64_t heap_goal_bytes, heap_live_bytes, heap_alloc_bytes, heap_sys_bytes;
    uint64_t heap_peak_bytes;   /* largest heap_alloc seen */
    uint64_t finalizers_run;
    /* Each pause split at the moment the last thread acknowledged the stop
     * (Go 1.22's /sched/pauses/stopping/gc vs /sched/pauses/total/gc):
     * stop = request -> world stopped (signals, scheduling, threads leaving
     * the runtime); work = world stopped -> restart (the collector's own).
     * Per pause stop + work = the pause, so the totals add up exactly. */
    uint64_t pause_stop_total_ns, pause_stop_p50_ns, pause_stop_p99_ns, pause_stop_max_ns;
    uint64_t pause_work_total_ns, pause_work_p50_ns, pause_work_p99_ns, pause_work_max_ns;
} gh_gc_stats;
GH_API void gh_gc_stats_read(gh_gc_stats *out);

enum { GH_EV_PAUSE_START, GH_EV_PAUSE_END, GH_EV_CYCLE_START, GH_EV_CYCLE_END };
typedef struct gh_gc_event {
    uint64_t t_ns, heap_bytes;
    int kind;
} gh_gc_event;
/* Copies up to max events not yet read; returns the count. */
GH_API size_t gh_gc_events_read(gh_gc_event *out, size_t max);

/* sync.Pool: per-thread private slot + shared dequeue, victim cache. */
typedef struct gh_pool gh_pool;
GH_API gh_pool *gh_pool_new(void *(*new_fn)(void *arg), void *arg);
GH_API void *gh_pool_get(gh_pool *p);
GH_API void gh_pool_put(gh_pool *p, void *obj);
GH_API void gh_pool_free(gh_pool *p);

/* Stack pool (Go's stackpool/stackcache/stackLarge): size a power of two. */
GH_API void *gh_stack_alloc(size_t size);
GH_API void gh_stack_free(void *stack, size_t size);

#ifdef __cplusplus
}
#endif
#endif
