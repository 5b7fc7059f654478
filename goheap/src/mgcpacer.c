/*
 * mgcpacer.c — when to collect and how hard mutators must help (Go's
 * mgcpacer.go, reduced).
 *
 * The heap goal after a cycle that marked `marked` bytes (Go 1.18+):
 *
 *     goal = marked + (marked + roots) × GOGC/100,
 *     at least 4 MiB × GOGC/100 (heapMinimum);
 *
 * (Go's goal also counts goroutine stacks; goheap's thread stacks are not
 * heap memory and are left out.)
 *
 * with a soft memory limit (GOMEMLIMIT) the goal is also capped at the limit
 * less a 5% allowance for fragmentation and metadata, but never below the
 * marked heap plus 1/32 plus 256 KiB (so a heap over the limit keeps
 * collecting without thrashing, as Go's memory-limit goal does). GOGC=off (0) with no limit
 * disables the collector.
 *
 * The trigger — the heap size at which the next cycle starts — leaves room
 * ("runway") for what the mutators allocate while marking: the allocation
 * seen during the last mark phase, plus 25%, bounded to between 70% and 95%
 * of the way from `marked` to `goal` (Go's trigger bounds).
 *
 * Mark assists: during a cycle an allocation of n bytes owes
 * n × assistWorkPerByte bytes of scan work, where
 *
 *     assistWorkPerByte = remaining expected scan work / (goal − heapLive),
 *
 * recomputed at each 64 KiB allocation flush (Go's revise()). Expected scan
 * work is the last cycle's (or half the live heap at the first cycle). As
 * the heap approaches the goal the distance shrinks and assists grow, which
 * is what keeps the heap near the goal when the background worker lags.
 *
 * Sweeping is paced the same way: sweepPagesPerByte = pages in use /
 * (trigger − heapLive) after mark termination, so that proportional sweep
 * finishes before the next trigger (Go's gcPaceSweeper).
 *
 * The scavenger is paced at the same point (Go's gcPaceScavenger): when the
 * heap in use is 1.5x the new goal or more (it shrinks), the heap to keep
 * resident until the next cycle is the in-use heap at mark termination
 * scaled by how the goal moved (new goal / last goal), at most the goal,
 * plus 10%, and mgcsweep.c hands it to the scavenger when the sweep ends (a
 * spike's garbage goes back once the program idles). A steady or growing
 * heap is left to the scavenger's periodic worker.
 */
#include <stdlib.h>
#include <string.h>

#include "mgc.h"

gh_gcControllerState gh_gcController_;
static _Atomic uintptr_t scavRetainedGoal = UINTPTR_MAX; /* bytes; MAX: none yet */

#define HEAP_MINIMUM ((int64_t)4 << 20)

static int64_t parse_bytes(const char *v) {
    char *end;
    double x = strtod(v, &end);
    if (end == v || x < 0) return 0;
    if (!strncmp(end, "KiB", 3) || !strncmp(end, "KB", 2)) x *= 1024;
    else if (!strncmp(end, "MiB", 3) || !strncmp(end, "MB", 2)) x *= 1024 * 1024;
    else if (!strncmp(end, "GiB", 3) || !strncmp(end, "GB", 2)) x *= 1024.0 * 1024 * 1024;
    else if (!strncmp(end, "TiB", 3)) x *= 1024.0 * 1024 * 1024 * 1024;
    return (int64_t)x;
}

static int64_t alloc_during_mark = 0;

static void set_goal(int64_t marked, int64_t rootsBytes) {
    gh_gcControllerState *c = &gh_gcController_;
    int64_t goal;
    if (c->gogc > 0) {
        int64_t gogc = gh_gc_fault & GH_FAULT_GOGC_FIXED ? 100 : c->gogc;
        goal = marked + (marked + rootsBytes) * gogc / 100;
        int64_t min = HEAP_MINIMUM * gogc / 100;
        if (goal < min) goal = min;
    } else {
        goal = INT64_MAX / 4; /* off: only the memory limit (if any) triggers */
    }
    if (c->memlimit > 0) {
        int64_t lim = c->memlimit - c->memlimit / 20;
        int64_t floor = marked + marked / 32 + (256 << 10);
        if (lim < floor) lim = floor;
        if (goal > lim) goal = lim;
    }
    int64_t room = goal - marked;
    int64_t runway = alloc_during_mark + alloc_during_mark / 4;
    int64_t trig = goal - runway;
    /* divided first: with GOGC=off room is ~INT64_MAX/4, and room * 7 overflows */
    int64_t lo = marked + room / 10 * 7, hi = marked + room / 100 * 95;
    if (trig < lo) trig = lo;
    if (trig > hi) trig = hi;
    atomic_store_explicit(&c->heapGoal, goal, memory_order_relaxed);
    atomic_store_explicit(&c->trigger, trig, memory_order_relaxed);
}

void gh_gcControllerState_init(const gh_gc_options *opt) {
    gh_gcControllerState *c = &gh_gcController_;
    memset(c, 0, sizeof *c);
    c->gogc = 100;
    const char *v = gh_gogetenv("GOGC");
    if (v && *v) c->gogc = !strcmp(v, "off") ? 0 : atoi(v);
    if (opt && opt->gogc >= 0) c->gogc = opt->gogc;
    if (c->gogc < 0) c->gogc = 100;
    v = gh_gogetenv("GOMEMLIMIT");
    if (v && *v && strcmp(v, "off")) c->memlimit = parse_bytes(v);
    if (opt && opt->memlimit > 0) c->memlimit = opt->memlimit;
    v = gh_gogetenv("GOHEAP_GC_TORTURE");
    c->torture_concurrent = v && !strcmp(v, "concurrent");
    c->torture = (v && *v && strcmp(v, "0") && !c->torture_concurrent) || (opt && opt->torture);
    set_goal(0, 0);
    c->sweepPagesPerByte = 0;
}

int gh_gcTrigger_test(void) {
    gh_gcControllerState *c = &gh_gcController_;
    if (c->gogc == 0 && c->memlimit <= 0) return 0;
    return atomic_load_explicit(&c->heapLive, memory_order_relaxed) >=
           atomic_load_explicit(&c->trigger, memory_order_relaxed);
}

void gh_heapLive_add(int64_t n) {
    gh_gcControllerState *c = &gh_gcController_;
    int64_t v = atomic_fetch_add_explicit(&c->heapLive, n, memory_order_relaxed) + n;
    int64_t p = atomic_load_explicit(&c->peak, memory_order_relaxed);
    while (v > p && !atomic_compare_exchange_weak_explicit(&c->peak, &p, v, memory_order_relaxed, memory_order_relaxed)) {
    }
    if (atomic_load_explicit(&gh_gcBlackenEnabled, memory_order_relaxed)) {
        /* revise the assist ratio (Go's revise) */
        int64_t goal = atomic_load_explicit(&c->heapGoal, memory_order_relaxed);
        int64_t expected = c->heapScan;
        int64_t done = atomic_load_explicit(&gh_work_scanWork, memory_order_relaxed);
        int64_t remaining = expected - done;
        if (remaining < expected / 10) remaining = expected / 10;
        int64_t dist = goal - v;
        if (dist < goal / 20) dist = goal / 20;
        if (dist < 1) dist = 1;
        c->assistWorkPerByte = (double)remaining / (double)dist;
    }
}

/* In the first pause. */
void gh_gcControllerState_startCycle(void) {
    gh_gcControllerState *c = &gh_gcController_;
    c->heapLiveAtMarkStart = atomic_load_explicit(&c->heapLive, memory_order_relaxed);
    if (c->heapScan == 0) c->heapScan = c->heapLiveAtMarkStart / 2 + (64 << 10);
    int64_t goal = atomic_load_explicit(&c->heapGoal, memory_order_relaxed);
    int64_t dist = goal - c->heapLiveAtMarkStart;
    if (dist < goal / 20) dist = goal / 20;
    if (dist < 1) dist = 1;
    c->assistWorkPerByte = (double)c->heapScan / (double)dist;
}

/* Go's gcPaceScavenger: retained goal = in use now x goal / lastGoal x
 * 1.1, here at most the goal x 1.1 (Go's retainExtraPercent over the goal:
 * lastGoal is that of a cycle that may have run early in a spike), set only
 * when the heap is half again the size the new goal allows (in use >= 1.5 x
 * goal: it shrinks, a spike's garbage); otherwise none (UINTPTR_MAX) and
 * the periodic worker's two-period rule alone applies. Go paces its
 * releases at 1% of a CPU, so a retained goal computed in a cycle that
 * started mid-growth costs it little; released at once here it gave back
 * memory the same allocation phase then faulted in again: applied at every
 * cycle, test_gc_scavenge's steady state lost 11-33 MiB in 3 runs of 5;
 * with "the goal fell by half" as the test instead, 1 run of 8 (a cycle
 * started mid-allocation marks what is allocated black, and the next goal
 * halves from it), and 1 spike in 4 was not released at all (the last
 * cycle of the spike ran early, at a goal close to the final one). */
static void paceScavenger(int64_t lastGoal, int64_t goal) {
    double inuse = (double)(gh_mheap_.pagesInUse << GH_PAGE_SHIFT);
    double ratio = lastGoal > 0 && goal > 0 ? (double)goal / (double)lastGoal : 1.0;
    double keep = inuse * ratio < (double)goal ? inuse * ratio : (double)goal;
    keep = goal > 0 && inuse >= 1.5 * (double)goal ? keep * 1.1 : (double)UINTPTR_MAX;
    atomic_store_explicit(&scavRetainedGoal, keep < (double)(UINTPTR_MAX / 2) ? (uintptr_t)keep : UINTPTR_MAX,
                          memory_order_relaxed);
}

uintptr_t gh_scavengeRetainedGoal(void) { return atomic_load_explicit(&scavRetainedGoal, memory_order_relaxed); }

/* In the mark termination pause: heapLive restarts at the marked bytes. */
void gh_gcControllerState_endCycle(int64_t marked, int64_t scanWork, int64_t rootsBytes) {
    gh_gcControllerState *c = &gh_gcController_;
    int64_t live = atomic_load_explicit(&c->heapLive, memory_order_relaxed);
    alloc_during_mark = live - c->heapLiveAtMarkStart;
    if (alloc_during_mark < 0) alloc_during_mark = 0;
    atomic_store_explicit(&c->heapMarked, marked, memory_order_relaxed);
    atomic_store_explicit(&c->heapLive, marked, memory_order_relaxed);
    c->heapScan = scanWork > (64 << 10) ? scanWork : (64 << 10);
    int64_t lastGoal = atomic_load_explicit(&c->heapGoal, memory_order_relaxed);
    if (!(gh_gc_fault & GH_FAULT_GOAL_STALE)) set_goal(marked, rootsBytes);
    paceScavenger(lastGoal, atomic_load_explicit(&c->heapGoal, memory_order_relaxed));
    int64_t trig = atomic_load_explicit(&c->trigger, memory_order_relaxed);
    int64_t dist = trig - marked;
    if (dist < (1 << 20)) dist = 1 << 20;
    c->sweepPagesPerByte = (double)gh_mheap_.pagesInUse / (double)dist;
}
