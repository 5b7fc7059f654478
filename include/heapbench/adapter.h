/*
 * adapter.h — the contract between heapbench and a memory manager.
 *
 * An adapter is one `hb_adapter` value: a name, a kind, capability bits and
 * a table of function pointers over one library. Two disciplines share it:
 *
 *   manual     the malloc family: malloc, free (sized or not), realloc,
 *              calloc, aligned allocation, usable size.
 *   collected  a garbage collector: allocation with a *layout* (which words
 *              hold pointers, or none), no free; roots; a write barrier that
 *              is on only while the collector marks; collect; statistics.
 *
 * The smallest adapter: the C library's malloc, named "example", with the
 * selfcheck that proves it serves the process (examples/adapter.c, built as
 * build/hb-example and run by `ctest -L examples`; ctest
 * examples.header-sync fails when this copy and the file differ):
 *
 * >>> examples/adapter.c
 *     #include <gnu/libc-version.h>
 *     #include <malloc.h>
 *     #include <stdio.h>
 *     #include <stdlib.h>
 *     #include <string.h>
 *
 *     #include "heapbench/adapter.h"
 *
 *     static const char *example_version(void) { return gnu_get_libc_version(); }
 *
 *     // Prove that the malloc serving this process is the C library's (under
 *     // LD_PRELOAD=libjemalloc.so it would be jemalloc's, measured as "example").
 *     static int example_selfcheck(char *msg, size_t len) {
 *         char lib[512];
 *         hb_symbol_library((void *)malloc, lib, sizeof lib);
 *         snprintf(msg, len, "malloc is bound to '%s'", lib);
 *         return strstr(lib, "/libc.so") ? 0 : -1;
 *     }
 *
 *     static const hb_adapter example = {
 *         .name = "example", // the executable is build/hb-example
 *         .kind = HB_MANUAL,
 *         .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS,
 *         .version = example_version,
 *         .selfcheck = example_selfcheck,
 *         .malloc = malloc,
 *         .free = free,
 *         .realloc = realloc,
 *         .calloc = calloc,
 *         .usable_size = malloc_usable_size,
 *     };
 *     HB_ADAPTER(example);
 * <<< examples/adapter.c
 *
 * Each adapter is linked into its own executable, `hb-<name>`, so the library
 * under test serves the whole process (see docs/architecture.md; hb-preload
 * links none and measures the library LD_PRELOAD puts first, and hb-go is a
 * Go program that speaks the same child protocol). The file
 * that defines an adapter ends with HB_ADAPTER(the_value); the executable's
 * main finds it there. Workloads never call an adapter directly: they use the
 * object API in heapbench/object.h, which is the same over both disciplines.
 *
 * How to add an allocator in one file: docs/adapters.md (and none at all for
 * a library that replaces malloc: `--adapters NAME=PATH`, README.md); the
 * first hour with the suite: docs/contributing.md.
 */
#ifndef HEAPBENCH_ADAPTER_H
#define HEAPBENCH_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hb_kind { HB_MANUAL = 0, HB_COLLECTED = 1 } hb_kind;

/* Capability bits: what an adapter does beyond its kind's minimum. A
 * workload or conformance property that needs a bit the adapter lacks is
 * reported `unsupported` / `n/a`, never silently skipped. */
enum {
    HB_CAP_ALIGNED = 1u << 0,        /* aligned_alloc for any power of two */
    HB_CAP_USABLE_SIZE = 1u << 1,    /* usable_size */
    HB_CAP_SIZED_FREE = 1u << 2,     /* free_sized is cheaper than free */
    HB_CAP_THREADS = 1u << 3,        /* safe from many threads */
    HB_CAP_RELEASES_MEMORY = 1u << 4,/* claims freed memory goes back to the OS */
    HB_CAP_INTERIOR_PTRS = 1u << 5,  /* collected: interior pointers keep objects alive */
    HB_CAP_FINALIZERS = 1u << 6,     /* collected: finalizers */
    HB_CAP_WEAK_REFS = 1u << 7,      /* collected: weak references */
    HB_CAP_GOGC = 1u << 8,           /* collected: honours hb_options.gogc */
    HB_CAP_MEMLIMIT = 1u << 9,       /* collected: honours hb_options.memlimit */
    HB_CAP_CONCURRENT = 1u << 10,    /* collected: marks concurrently (barrier matters) */
    HB_CAP_POOL = 1u << 11,          /* pool_* : a GC-aware object pool (sync.Pool) */
    HB_CAP_STACKPOOL = 1u << 12,     /* stack_alloc/stack_free: a stack pool */
    HB_CAP_PAUSE_EVENTS = 1u << 13,  /* collected: gc_events timeline */
    HB_CAP_MARK_HOOK = 1u << 14,     /* collected: set_mark_hook (a window inside marking) */
};

/* Which words of an object may hold pointers, for a precise collector.
 * The pattern of `period` words repeats over the whole object (a struct, or
 * an array of them). A NULL layout means "no pointers": the object is never
 * scanned (Go's noscan, Boehm's atomic). Manual adapters ignore layouts. */
typedef struct hb_layout {
    uint32_t period;  /* words in the pattern, 1..64 */
    uint64_t ptrmask; /* bit i: word i of each period may hold a pointer */
} hb_layout;

#define HB_NOSCAN ((const hb_layout *)0)

/* Per-run options, from the command line (--gogc, --memlimit, --torture) or
 * the environment (HB_GOGC, HB_MEMLIMIT). Zero/negative mean "default". */
typedef struct hb_options {
    int gogc;          /* percent; -1: default (100); 0: collector off */
    int64_t memlimit;  /* soft limit in bytes; 0: none */
    bool torture;      /* collect at every allocation (for tests) */
} hb_options;

/* Collector statistics, as Go's runtime/metrics: all times in ns. */
typedef struct hb_gc_stats {
    uint64_t cycles;
    uint64_t pauses;
    uint64_t pause_total_ns, pause_max_ns, pause_p50_ns, pause_p99_ns;
    uint64_t mark_cpu_ns;     /* background + assist mark work */
    uint64_t assist_ns;       /* of which: mutator assists */
    uint64_t heap_goal_bytes; /* the pacer's current goal */
    uint64_t heap_live_bytes; /* marked at the end of the last cycle */
    uint64_t heap_alloc_bytes;/* allocated now (live + not yet swept) */
    uint64_t heap_sys_bytes;  /* obtained from the OS */
    /* Each pause split in two, where the collector can tell (pause_split):
     * stop = the stop request -> every thread stopped (scheduling, signal
     * delivery); work = stopped -> restart (the collector's own), as Go
     * 1.22's /sched/pauses/stopping/gc beside /sched/pauses/total/gc. */
    bool pause_split;
    uint64_t pause_stop_total_ns, pause_stop_p50_ns, pause_stop_p99_ns, pause_stop_max_ns;
    uint64_t pause_work_total_ns, pause_work_p50_ns, pause_work_p99_ns, pause_work_max_ns;
} hb_gc_stats;

/* One point of the collector's timeline: from these the harness draws
 * minimum mutator utilization curves and heap-over-time plots. */
typedef enum { HB_EV_PAUSE_START, HB_EV_PAUSE_END, HB_EV_CYCLE_START, HB_EV_CYCLE_END } hb_event_kind;
typedef struct hb_gc_event {
    uint64_t t_ns;       /* CLOCK_MONOTONIC */
    uint64_t heap_bytes;
    hb_event_kind kind;
} hb_gc_event;

/* Where the allocator's memory is, by its own statistics, modelled on Go's
 * /memory/classes (docs/anatomy.md): bytes, or HB_MEM_UNKNOWN where the
 * library does not tell (never guessed). The program's live requested bytes
 * are counted by the object API, not here. Resident classes plus the rest
 * of the process add up to RSS; `released` is mapped but not resident. */
#define HB_MEM_UNKNOWN ((int64_t)-1)
typedef struct hb_mem_classes {
    int64_t in_use;       /* in allocated blocks as the allocator sizes them (rounding, headers) */
    int64_t free_partial; /* free, resident, in pages that also hold live blocks: fragmentation */
    int64_t free_cached;  /* free whole pages/chunks kept resident (caches, dirty pages, the
                           * untrimmed top): retention */
    int64_t metadata;     /* the allocator's own structures */
    int64_t released;     /* returned to the OS (madvise), still mapped: not in RSS */
} hb_mem_classes;

typedef struct hb_pool hb_pool; /* opaque: the adapter's pool */

typedef struct hb_adapter {
    const char *name; /* "mimalloc": the executable is hb-<name> */
    hb_kind kind;
    uint32_t caps;
    /* LD_PRELOAD library that puts this allocator under an unmodified
     * program (heapbench exec, real/ workloads): a soname, or a path relative
     * to the hb-<name> executable's folder when it starts with "./".
     * NULL: the system allocator (nothing to preload), or not applicable. */
    const char *preload;

    /* The library's own version string, read from the library at run time. */
    const char *(*version)(void);
    /* Called once before anything else; 0 on success. */
    int (*init)(const hb_options *opt);
    /* Prove that the allocator serving this process is the one named: an
     * ownership or statistics query of the library on a pointer from
     * malloc(). Returns 0 when proven, else writes why into msg. */
    int (*selfcheck)(char *msg, size_t len);
    /* Optional: threads other than main call these on start and exit. */
    void (*thread_attach)(void);
    void (*thread_detach)(void);

    /* ---- manual ---- */
    void *(*malloc)(size_t size);
    void (*free)(void *p);
    void (*free_sized)(void *p, size_t size); /* size as requested */
    void *(*realloc)(void *p, size_t size);
    void *(*calloc)(size_t n, size_t size);
    void *(*aligned_alloc)(size_t align, size_t size); /* HB_CAP_ALIGNED */
    size_t (*usable_size)(void *p);                   /* HB_CAP_USABLE_SIZE */

    /* ---- collected ---- */
    void *(*gc_alloc)(size_t size, const hb_layout *layout); /* zeroed */
    /* Store with the barrier; called by hb_store only while *barrier_flag. */
    void (*write_barrier)(void **slot, void *val);
    const int *barrier_flag; /* the collector's "barrier on" word, or NULL */
    void (*root_add)(void *start, size_t bytes); /* precise root range */
    void (*root_remove)(void *start);
    void (*collect)(void);   /* a full, blocking collection */
    void (*safepoint)(void); /* the mutator may stop here */
    void (*gc_stats)(hb_gc_stats *out);
    /* Copies up to max events since the last call; returns the count. */
    size_t (*gc_events)(hb_gc_event *out, size_t max);
    /* HB_CAP_FINALIZERS: fn(obj, arg) runs once after obj is unreachable. */
    void (*set_finalizer)(void *obj, void (*fn)(void *obj, void *arg), void *arg);
    /* HB_CAP_MARK_HOOK: fn(arg) runs once in every cycle, on the thread that
     * runs the cycle, when marking has begun but no heap object has been
     * scanned yet: for a concurrent collector after its first pause (stacks
     * scanned, barrier on, allocation black); for a stop-the-world one
     * before it stops the world. The other threads run while fn runs and
     * the cycle waits for fn to return, so a conformance property can make
     * its mutators act *inside* a mark phase deterministically. While fn
     * runs the mutators may load and store (hb_load, hb_store); they may
     * allocate only where the adapter also claims HB_CAP_CONCURRENT (a
     * stop-the-world collector calls fn holding its allocation lock). fn
     * itself must not allocate or collect. NULL removes the hook. */
    void (*set_mark_hook)(void (*fn)(void *arg), void *arg);

    /* ---- optional extras ---- */
    hb_pool *(*pool_new)(void *(*new_fn)(void *arg), void *arg); /* HB_CAP_POOL */
    void *(*pool_get)(hb_pool *pool); /* NULL when empty and no new_fn */
    void (*pool_put)(hb_pool *pool, void *obj);
    void (*pool_free)(hb_pool *pool);
    void *(*stack_alloc)(size_t size); /* HB_CAP_STACKPOOL; size a power of two */
    void (*stack_free)(void *stack, size_t size);
    /* Optional: the memory classes now, from the library's own statistics;
     * the caller sets every field to HB_MEM_UNKNOWN first and the adapter
     * fills what its library tells. Called from the anatomy sampler thread
     * (bench --anatomy), never on a timed path. */
    void (*mem_classes)(hb_mem_classes *out);
} hb_adapter;

/* The adapter linked into this executable (set by HB_ADAPTER). */
extern const hb_adapter *const hb_adapter_linked;
#define HB_ADAPTER(value) const hb_adapter *const hb_adapter_linked = &(value)

const char *hb_kind_name(hb_kind k);
/* The path of the shared object that defines the function at `fn` (as the
 * dynamic linker bound it), for selfchecks: "which library's malloc is it?".
 * Returns buf, or "" when unknown. */
const char *hb_symbol_library(void *fn, char *buf, size_t len);
/* The adapter's preload library as a path usable in LD_PRELOAD (a "./"
 * path resolved against this executable's folder); 0 when it has none. */
int hb_adapter_preload(const hb_adapter *ad, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
