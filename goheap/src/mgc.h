/*
 * mgc.h — the collector's internal types and the calls between its files.
 *
 * Files (Go's names): mgc.c (phases, the background worker, allocation
 * entry), stw.c (threads, stop/start the world), mgcmark.c (grey work, scan,
 * roots, assists), mbarrier.c (the hybrid write barrier), mgcsweep.c (sweep
 * lists, lazy/proportional/background sweep), mgcpacer.c (GOGC, the memory
 * limit, trigger, assist ratio), mfinal.c (finalizers), mgcstats.c (pauses,
 * events), pool.c (sync.Pool), stack.c (stack pool).
 */
#ifndef GOHEAP_MGC_H
#define GOHEAP_MGC_H

#include <signal.h>

#include "goheap/gc.h"
#include "runtime.h"

#define GH_NOSAN __attribute__((no_sanitize("address", "thread", "undefined")))

/* gcphase */
enum { GH_GCoff = 0, GH_GCmark = 1, GH_GCmarktermination = 2 };
extern _Atomic int gh_gcphase GH_HIDDEN;
extern _Atomic int gh_gcBlackenEnabled GH_HIDDEN;

/* An interned layout (Go's _type ptrdata/gcdata, reduced to a mask).
 * mask64 is ptrmask repeated over the first 64 words (word i is a pointer
 * iff bit i % period of ptrmask is set): an object of up to 64 words is
 * scanned from it with one loop over its set bits (mgcmark.c). */
typedef struct gh_type {
    uint32_t period, id;
    uint64_t ptrmask;
    uint64_t mask64;
} gh_type;
#define GH_MAX_TYPES 4096
extern gh_type gh_types[GH_MAX_TYPES] GH_HIDDEN;

/* A work buffer of grey objects (Go's workbuf). */
#define GH_WBUF_N 510
typedef struct gh_workbuf {
    _Atomic uint64_t next;  /* lfstack link (Go's lfnode): packed pointer + count */
    uintptr_t pushcnt;      /* pushes of this buffer: the count packed with it */
    uintptr_t n;
    uintptr_t obj[GH_WBUF_N];
} gh_workbuf;

/* Per-worker (or per-thread) grey cache (Go's gcWork). */
typedef struct gh_gcWork {
    gh_workbuf *wbuf;
    int64_t scanWork;    /* bytes scanned, not yet flushed */
    int64_t bytesMarked; /* bytes of objects greyed/blackened, not yet flushed */
} gh_gcWork;

/* A mutator thread known to the collector (Go's m + g, for one thread). */
typedef struct gh_g {
    struct gh_g *next;
    pthread_t tid;
    uintptr_t stack_lo, stack_hi;
    volatile uintptr_t sp;          /* stack pointer while stopped */
    _Atomic uint32_t acked;         /* stop generation acknowledged */
    volatile sig_atomic_t mallocing;/* inside the runtime: not at a safe point */
    volatile sig_atomic_t suspended;
    gh_mcache *mcache;
    gh_gcWork gcw;                  /* write barrier and assists */
    int64_t alloc_local;            /* bytes allocated not yet added to heapLive */
    int64_t assistDebt;             /* scan work owed (bytes) */
    int idx;                        /* small index, for pools */
    const gh_layout *last_layout;   /* one-entry intern cache */
    gh_type *last_type;
} gh_g;
#define GH_MAX_G 1024
extern __thread gh_g *gh_curg __attribute__((tls_model("initial-exec"))) GH_HIDDEN;

/* stw.c */
GH_HIDDEN gh_g *gh_g_attach(void);
GH_HIDDEN void gh_stw_init(void);
GH_HIDDEN uint64_t gh_stopTheWorld(void); /* returns the time the world stopped (ns) */
GH_HIDDEN uint64_t gh_startTheWorld(void); /* returns the restart time (ns) */
GH_HIDDEN void gh_suspend_self(gh_g *g);
GH_HIDDEN gh_g *gh_allg_first(void); /* only while the world is stopped */
GH_HIDDEN int gh_gcount(void);
extern _Atomic int gh_stw_request GH_HIDDEN;
/* Leave the runtime without the stop check (the caller makes it next:
 * gh_gc_alloc's fast path folds it into one test with its flush). */
static inline void gh_leavem(gh_g *g) {
    atomic_signal_fence(memory_order_seq_cst);
    g->mallocing = 0;
    atomic_signal_fence(memory_order_seq_cst);
}
/* Leave the runtime: the thread is at a safe point again. */
static inline void gh_releasem(gh_g *g) {
    gh_leavem(g);
    if (GH_UNLIKELY(atomic_load_explicit(&gh_stw_request, memory_order_acquire))) gh_suspend_self(g);
}
static inline void gh_acquirem(gh_g *g) {
    g->mallocing = 1;
    atomic_signal_fence(memory_order_seq_cst);
}

/* mgcmark.c */
GH_HIDDEN void gh_mark_init(void);
GH_HIDDEN void gh_shade(uintptr_t p, gh_gcWork *w); /* shade any candidate pointer */
GH_HIDDEN void gh_scanConservative(uintptr_t lo, uintptr_t hi, gh_gcWork *w);
GH_HIDDEN void gh_scanobject(uintptr_t obj, gh_gcWork *w); /* scan without marking obj */
GH_HIDDEN int gh_gcDrain(gh_gcWork *w, int64_t budget, int (*stop)(void));
GH_HIDDEN void gh_gcWork_dispose(gh_gcWork *w);
GH_HIDDEN int gh_work_empty(void);
GH_HIDDEN void gh_markroot(gh_gcWork *w, int stw);
GH_HIDDEN void gh_gcAssistAlloc(gh_g *g);
GH_HIDDEN int gh_isMarked(uintptr_t obj);
GH_HIDDEN void gh_mark_reset(void);
GH_HIDDEN void gh_setMarked(uintptr_t obj, gh_mspan *s);
GH_HIDDEN gh_type *gh_type_of(gh_mspan *s, uintptr_t idx);
extern _Atomic int64_t gh_work_bytesMarked GH_HIDDEN, gh_work_scanWork GH_HIDDEN;
extern _Atomic int64_t gh_bgScanCredit GH_HIDDEN;
extern _Atomic uint64_t gh_assist_ns GH_HIDDEN, gh_markcpu_ns GH_HIDDEN;

/* malloc.c: Go's mallocgc shape (zeroed; tiny allocator for noscan) */
GH_HIDDEN void *gh_mallocgc(size_t size, int noscan);

/* mgc.c */
GH_HIDDEN void gh_types_set(gh_mspan *s, uintptr_t obj, gh_type *t);
GH_HIDDEN void gh_types_free(gh_mspan *s);
GH_HIDDEN void gh_gc_wake(void);
extern _Atomic uint32_t gh_gc_cycles GH_HIDDEN;
extern int gh_gc_debug GH_HIDDEN;

/* mgcsweep.c */
GH_HIDDEN void gh_large_add(gh_mspan *s);
GH_HIDDEN void gh_gcSweep(void); /* in the STW at mark termination */
GH_HIDDEN int gh_sweepone(void);     /* 1 if a span was swept, 0 when done */
GH_HIDDEN int gh_isSweepDone(void);
GH_HIDDEN void gh_deductSweepCredit(gh_g *g, int64_t bytes);
GH_HIDDEN void gh_mcache_prepareForSweep(gh_mcache *c);
GH_HIDDEN void gh_sweep_debug_check(int after_start); /* [G1]/[G2] walk, world stopped */

/* mdebug.c */
GH_HIDDEN void gh_debug_check_marks(const gh_mspan *s); /* [G2] */
GH_HIDDEN void gh_debug_check_world(void);              /* every cache and mcentral; world stopped */
extern _Atomic uint32_t gh_sweepgen GH_HIDDEN;
/* mcentral hook: a swept span of this class with free slots, or NULL. */
GH_HIDDEN gh_mspan *gh_mcentral_sweep_for_alloc(gh_mcentral *c);

/* mgcpacer.c */
typedef struct gh_gcControllerState {
    int gogc;                      /* percent, 0 = off */
    int64_t memlimit;              /* 0 = none */
    int torture;                   /* GOHEAP_GC_TORTURE=1: a full collection per allocation */
    int torture_concurrent;        /* GOHEAP_GC_TORTURE=concurrent: cycles started at random
                                    * short intervals while mutators run (mgc.c) */
    _Atomic int64_t heapLive;      /* bytes: marked at last cycle + allocated since */
    _Atomic int64_t heapMarked;    /* bytes marked by the last cycle */
    _Atomic int64_t heapGoal, trigger;
    int64_t heapScan;              /* scan work of the last cycle */
    int64_t heapLiveAtMarkStart;
    _Atomic double assistWorkPerByte; /* scan bytes owed per allocated byte */
    double sweepPagesPerByte;
    _Atomic int64_t peak;
} gh_gcControllerState;
extern gh_gcControllerState gh_gcController_ GH_HIDDEN;
GH_HIDDEN void gh_gcControllerState_init(const gh_gc_options *opt);
GH_HIDDEN void gh_gcControllerState_startCycle(void);
GH_HIDDEN void gh_gcControllerState_endCycle(int64_t marked, int64_t scanWork, int64_t rootsBytes);
GH_HIDDEN uintptr_t gh_scavengeRetainedGoal(void); /* mgcpacer.c: gcPaceScavenger's goal */
GH_HIDDEN int gh_gcTrigger_test(void);
GH_HIDDEN void gh_heapLive_add(int64_t n);

/* mfinal.c */
GH_HIDDEN void gh_markrootSpans(gh_gcWork *w, int stw); /* scan finalizable objects' fields */
GH_HIDDEN void gh_final_flush_pending(void);
GH_HIDDEN void gh_final_wait_idle(void); /* until queued finalizers ran (not on the finalizer thread) */
GH_HIDDEN void gh_final_queue_dead(void);          /* STW mark termination */
GH_HIDDEN uint64_t gh_final_count(void);

/* mgcstats.c */
/* One pause: stop requested at start_ns, last thread acknowledged at
 * stopped_ns, world restarted at end_ns. */
GH_HIDDEN void gh_stats_pause(uint64_t start_ns, uint64_t stopped_ns, uint64_t end_ns);
GH_HIDDEN void gh_stats_event(int kind, uint64_t t_ns);

/* pool.c */
GH_HIDDEN void gh_poolCleanup(void);              /* STW: primary → victim */
GH_HIDDEN void gh_pool_markroots(gh_gcWork *w);
GH_HIDDEN int gh_g_maxidx(void);

/* roots (mgcmark.c) */
GH_HIDDEN int64_t gh_roots_bytes(void);

#endif
