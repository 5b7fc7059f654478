/*
 * stw.c — the threads the collector knows, and stopping the world
 * (Go's stopTheWorldWithSema / startTheWorldWithSema, preemptall, and the
 * signal-based suspension of bdwgc's pthread_stop_world.c).
 *
 * Every thread that allocates from the collected heap is a *mutator* and is
 * registered here (gh_gc_thread_attach, or lazily on its first allocation;
 * removed by gh_gc_thread_detach or a thread-exit destructor). A mutator
 * record holds its stack bounds, the stack pointer it stopped at, its mcache
 * and its local grey buffer.
 *
 * C has no safe-point maps, so a thread is stopped in one of two ways:
 *
 *   1. It polls: leaving the allocator (gh_releasem), gh_gc_safepoint and
 *      the write barrier's slow path check gh_stw_request and suspend the
 *      thread there (Go's cooperative preemption).
 *   2. It is signalled: the stopper sends SIGPWR to every mutator. The
 *      handler runs on the thread's own stack; unless the thread is inside
 *      the runtime (g->mallocing: it holds an mcache window, a central lock
 *      or a grey buffer half updated), it suspends right there. Inside the
 *      runtime the handler returns and the thread suspends itself when it
 *      leaves (gh_releasem) — Go's "not at an async safe point, retry".
 *      A thread blocked in the kernel (read, futex, nanosleep) runs the
 *      handler at once and so counts as stopped; SA_RESTART resumes its call.
 *
 * Suspending spills the callee-saved registers onto the stack
 * (__builtin_unwind_init); the caller-saved ones are in the kernel's signal
 * frame, above the handler's frame. So scanning [sp, stack top) of a stopped
 * thread, conservatively, covers its registers and its stack. Then the
 * thread acknowledges the stop generation and sleeps on a futex until the
 * world restarts.
 *
 * The order of a stop (gh_stopTheWorld), from what it costs here (one
 * mutator, 2-core VM, binary-trees; the stopper timed each step):
 *   1. Cooperative first. gh_stw_request is set and the stopper polls the
 *      acknowledgements for GH_STW_COOP_NS: a mutator that allocates or
 *      stores through the barrier polls it within ~1 us (p99 9 us), and
 *      then no signal is sent at all. A tgkill costs the stopper 15-25 us
 *      (a cross-CPU interrupt in a VM) and, sent first, made the stopper
 *      see an ack that came after 1 us only once the syscall returned.
 *   2. Signal the rest: threads in code with no poll (a loop over loads)
 *      or blocked in the kernel. Delivery takes 10-60 us, occasionally
 *      ~350 us (the target's CPU busy elsewhere).
 *   3. Poll for the acks for up to GH_STW_SPIN_NS (30 us) while fewer
 *      mutators than CPUs are registered, yielding the CPU between polls
 *      (sched_yield): sleeping on the ack's futex adds 15-30 us of wake-up
 *      on the critical path. Yielding, not spinning, and only briefly:
 *      "fewer mutators than CPUs" does not mean the mutator has a CPU of
 *      its own. The worker is often woken on the mutator's CPU (by a futex
 *      wake or a timer) and preempts it there; the mutator, runnable but
 *      not running, cannot poll or take the signal until the stopper
 *      leaves the CPU. With a 300 us spin every such stop took ~330 us
 *      (binary-trees at load 4: the pause median; the stopper's signal
 *      found the mutator in a futex wake or clock_gettime syscall, the
 *      points where it had been preempted); spinning 30 us then sleeping,
 *      60-90 us; yielding hands the CPU to the mutator at once, ~20 us
 *      (test_gc_mark, every thread on one CPU: stop p50 ~20 us against
 *      60-90 us and 336-348 us).
 *   4. Then sleep on each ack word in 100 us steps, resending the signal
 *      every ~2 ms (await_ack): with as many mutators as CPUs a spinning
 *      stopper would take CPU from the very threads it waits for.
 * Measured (heapbench binary-trees d=18, 3 runs each way, 2-core VM):
 * pause_stop_p50 23-26 us -> 0.8-1.6 us; the tail that remains is signal
 * delivery to a thread that is not polling, and on a loaded machine the
 * wait for a thread that is runnable but has no CPU.
 * The bound: a stop takes that signal delivery time (up to one scheduler
 * time slice when the thread is runnable but has no CPU) plus the longest
 * stretch a thread spends inside the runtime, which is kept short: an
 * allocation slow path (a span refill, one page-heap call), one sweepone,
 * or one assist slice (assists and sweeps check gh_stw_request between
 * objects/spans). The scheduler part is the tail: with more runnable
 * threads than CPUs (two mutators and this worker on two CPUs) a thread
 * the worker's wake-up preempted can wait 1-3 ms for a CPU while the
 * stopper sleeps (measured with and without goheap: goheap/README.md,
 * "What the figures show"); one mutator and the worker rarely do.
 *
 * Pauses are timed from the stop request to the restart (mgcstats.c), and
 * split at the moment the last thread acknowledged: before it, *stopping*
 * (signal delivery, scheduling, threads finishing their runtime stretch —
 * Go's /sched/pauses/stopping/gc); after it, the pause's own *work*
 * (stack scan, mark termination) — so a reader sees which part is the
 * scheduler and which is the collector.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "mgc.h"

#define GH_SIG_SUSPEND SIGPWR

__thread gh_g *gh_curg __attribute__((tls_model("initial-exec")));
_Atomic int gh_stw_request;

static pthread_mutex_t allg_lock = PTHREAD_MUTEX_INITIALIZER;
static gh_g *allg;
static _Atomic int nallg;
static _Atomic uint32_t stop_gen;     /* generation of the current stop */
static _Atomic uint32_t world_stopped;/* non-zero (= stop_gen) while stopped */
static _Atomic int stopper_sleeping;  /* the stopper sleeps on a g->acked futex */
static pthread_key_t g_key;
static gh_fixalloc g_alloc;
static gh_g *g_free;
/* GH_FAULT_SIGNAL_REGS only: the interrupted stack pointer, to scan from. */
static __thread uintptr_t fault_sp __attribute__((tls_model("initial-exec")));
static uint8_t idx_used[GH_MAX_G];
static _Atomic int maxidx;
static int stw_ncpu = 1;
#define GH_STW_COOP_NS 5000   /* polls before any signal (step 1) */
#define GH_STW_SPIN_NS 30000  /* polling (yielding) for acks, fewer mutators than CPUs (step 3) */

static void futex_wait(_Atomic uint32_t *addr, uint32_t val) {
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}
static void futex_wake(_Atomic uint32_t *addr) {
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}
static void futex_wait_ns(_Atomic uint32_t *addr, uint32_t val, long ns) {
    struct timespec ts = {0, ns};
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

GH_NOINLINE void gh_suspend_self(gh_g *g) {
    uintptr_t fsp = 0;
    if (GH_UNLIKELY(gh_gc_fault & GH_FAULT_SIGNAL_REGS)) {
        fsp = fault_sp;
        fault_sp = 0;
    }
    uint32_t gen = atomic_load_explicit(&world_stopped, memory_order_acquire);
    if (!gen || g->suspended || atomic_load_explicit(&g->acked, memory_order_relaxed) == gen) return;
    g->suspended = 1;
    __builtin_unwind_init(); /* callee-saved registers into this frame */
    volatile uintptr_t here = 0;
    g->sp = fsp ? fsp : (uintptr_t)&here & ~(uintptr_t)7;
    /* seq_cst store then load, against the stopper's store of
     * stopper_sleeping then load of acked: one of us sees the other */
    atomic_store_explicit(&g->acked, gen, memory_order_seq_cst);
    if (atomic_load_explicit(&stopper_sleeping, memory_order_seq_cst)) futex_wake(&g->acked);
    while (atomic_load_explicit(&world_stopped, memory_order_acquire) == gen) futex_wait(&world_stopped, gen);
    g->sp = 0;
    g->suspended = 0;
    (void)here;
}

static void suspend_handler(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)si;
    (void)uc;
    int e = errno;
    gh_g *g = gh_curg;
#if defined(__x86_64__)
    if (GH_UNLIKELY(gh_gc_fault & GH_FAULT_SIGNAL_REGS) && g && !g->mallocing)
        fault_sp = (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP];
#endif
    if (g && !g->mallocing) gh_suspend_self(g);
    errno = e;
}

static void g_destructor(void *arg) {
    if (arg && gh_curg == arg) gh_gc_thread_detach();
}

/* The allocator's cache destructor runs before g_destructor (its key is
 * older): detach there, while the cache is still ours (see mcache.c). */
static void g_exit_hook(void) {
    if (gh_curg) gh_gc_thread_detach();
}

void gh_stw_init(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = suspend_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(GH_SIG_SUSPEND, &sa, NULL) != 0) gh_throw("sigaction failed");
    if (pthread_key_create(&g_key, g_destructor) != 0) gh_throw("pthread_key_create failed");
    gh_mcache_exit_hook = g_exit_hook;
    gh_fixalloc_init(&g_alloc, sizeof(gh_g));
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    stw_ncpu = n > 0 ? (int)n : 1;
}

gh_g *gh_g_attach(void) {
    if (gh_curg) return gh_curg;
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &addr, &size);
        pthread_attr_destroy(&attr);
    }
    if (!addr) gh_throw("cannot find the thread's stack");
    pthread_mutex_lock(&allg_lock);
    gh_g *g = g_free;
    if (g) g_free = g->next;
    else g = gh_fixalloc_alloc(&g_alloc);
    if (!g) gh_throw("out of memory for a thread record");
    memset(g, 0, sizeof *g);
    g->tid = pthread_self();
    g->stack_lo = (uintptr_t)addr;
    g->stack_hi = (uintptr_t)addr + size;
    /* a cache the thread already has (gh_malloc before attaching; the
     * first gh_gc_init's own) must be prepared for sweep from the first
     * cycle on, or its current span misses that cycle's sweep ([G1]) */
    g->mcache = gh_tls_mcache;
    g->idx = -1;
    for (int i = 0; i < GH_MAX_G; i++)
        if (!idx_used[i]) {
            __atomic_store_n(&idx_used[i], 1, __ATOMIC_RELAXED);
            g->idx = i;
            if (i + 1 > atomic_load_explicit(&maxidx, memory_order_relaxed))
                atomic_store_explicit(&maxidx, i + 1, memory_order_release);
            break;
        }
    if (g->idx < 0) gh_throw("too many mutator threads");
    g->next = allg;
    allg = g;
    nallg++;
    gh_curg = g;
    pthread_mutex_unlock(&allg_lock);
    pthread_setspecific(g_key, g);
    return g;
}

void gh_gc_thread_attach(void) {
    gh_gc_init(NULL);
    gh_g_attach();
}

void gh_gc_thread_detach(void) {
    gh_g *g = gh_curg;
    if (!g) return;
    /* give back grey work, allocation credit and the mcache while still
     * registered and inside the runtime (the stopper reads them) */
    gh_acquirem(g);
    gh_gcWork_dispose(&g->gcw);
    if (g->alloc_local) gh_heapLive_add(g->alloc_local);
    g->alloc_local = 0;
    if (gh_tls_mcache) gh_thread_exit();
    g->mcache = NULL;
    gh_releasem(g);
    /* The stopper holds allg_lock for the whole pause and waits for us: do
     * not sleep on it (a sanitizer may hold our signal back while we sleep
     * in a lock); poll, and stop voluntarily when asked. */
    while (pthread_mutex_trylock(&allg_lock) != 0) {
        if (atomic_load_explicit(&gh_stw_request, memory_order_acquire)) gh_suspend_self(g);
        sched_yield();
    }
    gh_g **pp = &allg;
    while (*pp && *pp != g) pp = &(*pp)->next;
    if (*pp) *pp = g->next;
    nallg--;
    __atomic_store_n(&idx_used[g->idx], 0, __ATOMIC_RELAXED);
    gh_curg = NULL;
    g->next = g_free;
    g_free = g;
    pthread_mutex_unlock(&allg_lock);
    pthread_setspecific(g_key, NULL);
}

/* One past the highest thread index ever handed out (never shrinks). */
int gh_g_maxidx(void) { return atomic_load_explicit(&maxidx, memory_order_acquire); }

int gh_gcount(void) { return atomic_load_explicit(&nallg, memory_order_relaxed); }

gh_g *gh_allg_first(void) { return allg; }

/* Wait until g acknowledges stop generation gen (step 4 at the top; with a
 * CPU free the stopper has already spun GH_STW_SPIN_NS): spin briefly, then sleep
 * on its acked word in 100 us steps (Go's notetsleep(&sched.stopnote,
 * 100us) in stopTheWorldWithSema), woken by its acknowledgement. Sleeping,
 * not yielding: on a loaded machine a stopper that stays runnable takes
 * CPU from the very threads it waits for, and that wait is the pause's
 * stopping part. A signal may arrive while the thread is inside the
 * runtime and be lost to it: resend every ~2 ms. */
static void await_ack(gh_g *g, uint32_t gen) {
    for (int i = 0;; i++) {
        uint32_t a = atomic_load_explicit(&g->acked, memory_order_acquire);
        if (a == gen) return;
        if (i < 100) {
            __builtin_ia32_pause();
            continue;
        }
        if (i % 20 == 19) pthread_kill(g->tid, GH_SIG_SUSPEND);
        atomic_store_explicit(&stopper_sleeping, 1, memory_order_seq_cst);
        if (atomic_load_explicit(&g->acked, memory_order_seq_cst) != gen) futex_wait_ns(&g->acked, a, 100000);
        atomic_store_explicit(&stopper_sleeping, 0, memory_order_relaxed);
    }
}

/* Whether every mutator acknowledged stop generation gen. */
static int all_acked(uint32_t gen) {
    for (gh_g *g = allg; g; g = g->next)
        if (atomic_load_explicit(&g->acked, memory_order_acquire) != gen) return 0;
    return 1;
}

/* Poll the acknowledgements for up to ns; 1 if every mutator acked. */
static int spin_acks(uint32_t gen, uint64_t ns) {
    uint64_t end = gh_nanotime() + ns;
    for (;;) {
        if (all_acked(gen)) return 1;
        for (int i = 0; i < 16; i++) __builtin_ia32_pause();
        if (gh_nanotime() >= end) return 0;
    }
}

/* Step 3: poll the acks for up to ns, yielding the CPU between polls. */
static int yield_acks(uint32_t gen, uint64_t ns) {
    uint64_t end = gh_nanotime() + ns;
    for (;;) {
        if (all_acked(gen)) return 1;
        sched_yield();
        if (gh_nanotime() >= end) return 0;
    }
}

/* Stop every mutator but the caller (which is never a mutator while it
 * stops the world: the collector's worker thread). Returns with allg_lock
 * held, so no thread attaches or detaches while stopped, and returns the
 * time the last thread acknowledged (the world is stopped from then on). */
uint64_t gh_stopTheWorld(void) {
    pthread_mutex_lock(&allg_lock);
    uint32_t gen = atomic_load_explicit(&stop_gen, memory_order_relaxed) + 1;
    if (gen == 0) gen = 1;
    atomic_store_explicit(&stop_gen, gen, memory_order_relaxed);
    atomic_store_explicit(&world_stopped, gen, memory_order_release);
    atomic_store_explicit(&gh_stw_request, 1, memory_order_seq_cst);
    if (!spin_acks(gen, GH_STW_COOP_NS)) { /* steps 1-4 at the top */
        for (gh_g *g = allg; g; g = g->next)
            if (atomic_load_explicit(&g->acked, memory_order_acquire) != gen) pthread_kill(g->tid, GH_SIG_SUSPEND);
        if (atomic_load_explicit(&nallg, memory_order_relaxed) < stw_ncpu) yield_acks(gen, GH_STW_SPIN_NS);
        for (gh_g *g = allg; g; g = g->next) await_ack(g, gen);
    }
    return gh_nanotime();
}

/* Restart the world; returns the time it restarted (taken before the
 * futex wake, so a stopper preempted by the threads it wakes does not
 * count its own wait for a CPU as pause). */
uint64_t gh_startTheWorld(void) {
    atomic_store_explicit(&gh_stw_request, 0, memory_order_release);
    atomic_store_explicit(&world_stopped, 0, memory_order_release);
    uint64_t t = gh_nanotime();
    futex_wake(&world_stopped);
    pthread_mutex_unlock(&allg_lock);
    return t;
}
