/*
 * stack/tasks and stack/tasks-stackpool — many short coroutine-like tasks
 * whose stacks come from the memory manager.
 *
 * Pattern: goroutines, green threads, fibers, async tasks with stacks: a
 * scheduler keeps `concurrent` tasks alive; each task gets a fresh stack of
 * `stack_kib`, runs (ucontext makecontext/swapcontext), recurses to a random
 * depth touching 256 bytes per frame, yields back to the scheduler `yields`
 * times from the bottom of its recursion, unwinds, and finishes; its stack
 * is released and a new task takes the slot. stack/tasks takes the stacks
 * from hb_new/hb_drop (the general allocator serving stack-sized blocks);
 * stack/tasks-stackpool from the adapter's stack pool (hb_stack_alloc /
 * hb_stack_free, HB_CAP_STACKPOOL: Go's stackpool/stackcache by size order).
 * Origin: Go's runtime stack allocation (stack.go), fiber benchmarks.
 * Stresses: allocation and reuse of page-multiple blocks at a high rate,
 * the memory that a random touch depth leaves dirty. swapcontext saves the
 * signal mask with a system call, a cost common to both variants.
 *
 * Parameters: tasks, concurrent, stack_kib, yields.
 * Validates: every task's result (a sum over its frames' scratch words,
 * read back after the task was suspended and resumed) against the value
 * the scheduler computes independently.
 * Counters: switches, frames.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/rng.h"

static const hb_param params[] = {
    {"tasks", 20000, 400000, "tasks run in total", 1, 10000000000},
    {"concurrent", 64, 256, "tasks alive at once", 1, 4096},
    {"stack_kib", 64, 64, "stack size per task in KiB (a power of two, at least 32)", 32, 1024},
    {"yields", 2, 2, "times each task yields from the bottom of its recursion", 0, 1000},
};

#define FRAME_WORDS 32
#define FRAME_COST 512 /* bytes of stack per recursion level, with margin */

typedef struct sched sched;
typedef struct task {
    ucontext_t ctx;
    sched *s;
    uint64_t id, result;
    int depth, done;
} task;

struct sched {
    ucontext_t main;
    int yields;
    uint64_t switches;
};

static uint64_t frame_seed(uint64_t id, int level) { return wl_splitmix(id * 4096 + (uint64_t)level); }

static uint64_t descend(task *t, int level) {
    volatile uint64_t scratch[FRAME_WORDS];
    uint64_t f = frame_seed(t->id, level);
    for (int i = 0; i < FRAME_WORDS; i++) scratch[i] = f + (uint64_t)i;
    uint64_t sum = 0;
    if (level + 1 < t->depth) {
        sum = descend(t, level + 1);
    } else {
        for (int y = 0; y < t->s->yields; y++) swapcontext(&t->ctx, &t->s->main);
    }
    for (int i = 0; i < FRAME_WORDS; i++) sum += scratch[i];
    return sum;
}

static void task_main(unsigned lo, unsigned hi) {
    task *t = (task *)(((uintptr_t)hi << 32) | lo);
    t->result = descend(t, 0);
    t->done = 1;
    /* returning resumes uc_link: the scheduler */
}

static uint64_t expected(uint64_t id, int depth) {
    uint64_t sum = 0;
    for (int l = 0; l < depth; l++) sum += FRAME_WORDS * frame_seed(id, l) + FRAME_WORDS * (FRAME_WORDS - 1) / 2;
    return sum;
}

/* Apart from the scheduler loop: getcontext returns twice, which would
 * make the loop's locals candidates for clobbering. */
__attribute__((noinline)) static void task_init(task *t, sched *s, void *stk, size_t ssize, uint64_t id,
                                                int depth) {
    *t = (task){.s = s, .id = id, .depth = depth};
    getcontext(&t->ctx);
    t->ctx.uc_stack.ss_sp = stk;
    t->ctx.uc_stack.ss_size = ssize;
    t->ctx.uc_link = &s->main;
    uintptr_t tp = (uintptr_t)t;
    makecontext(&t->ctx, (void (*)(void))task_main, 2, (unsigned)(tp & 0xffffffffu), (unsigned)(tp >> 32));
}

static void *stack_get(int pooled, size_t size) {
    return pooled ? hb_stack_alloc(size) : hb_new(size, HB_NOSCAN);
}

static void stack_put(int pooled, void *p, size_t size) {
    if (pooled) hb_stack_free(p, size);
    else hb_drop(p, size);
}

static void run_tasks(hb_gb_state *st, const hb_wl_args *a, int pooled) {
    uint64_t ntasks = (uint64_t)hb_param_get(a, "tasks");
    size_t conc = (size_t)hb_param_get(a, "concurrent");
    size_t ssize = (size_t)hb_param_get(a, "stack_kib") << 10;
    if (conc < 1) conc = 1;
    if (ssize < 32768) ssize = 32768;
    while (ssize & (ssize - 1)) ssize &= ssize - 1; /* round down to a power of two */
    int max_depth = (int)((ssize - 16384) / FRAME_COST);
    sched s = {.yields = (int)hb_param_get(a, "yields")};
    uint64_t bad = 0, frames = 0;
    while (hb_gb_keep_running(st)) {
        wl_rng r = wl_rng_seed(3);
        task *tk = calloc(conc, sizeof *tk);
        void **stacks = wl_ptr_array(conc); /* keeps the stacks reachable */
        uint64_t started = 0, finished = 0;
        while (finished < ntasks) {
            for (size_t i = 0; i < conc; i++) {
                task *t = &tk[i];
                void *stk = hb_load(&stacks[i]);
                if (stk && t->done) {
                    bad += t->result != expected(t->id, t->depth);
                    frames += (uint64_t)t->depth;
                    hb_store(&stacks[i], NULL);
                    stack_put(pooled, stk, ssize);
                    stk = NULL;
                    finished++;
                }
                if (!stk) {
                    if (started == ntasks) continue;
                    stk = stack_get(pooled, ssize);
                    if (!stk) {
                        bad++;
                        finished = ntasks;
                        break;
                    }
                    hb_store(&stacks[i], stk);
                    task_init(t, &s, stk, ssize, started++, 1 + (int)wl_below(&r, (uint64_t)max_depth));
                }
                swapcontext(&s.main, &t->ctx);
                s.switches += 2;
            }
            hb_safepoint();
        }
        wl_ptr_array_free(stacks, conc);
        free(tk);
    }
    if (bad) hb_wl_fail(st, "tasks: %llu task results wrong", (unsigned long long)bad);
    hb_gb_set_items_processed(st, (int64_t)(ntasks * (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "switches", (double)s.switches, HB_GB_DEFAULT);
    hb_gb_counter(st, "frames", (double)frames, HB_GB_DEFAULT);
}

static void run_heap(hb_gb_state *st, const hb_wl_args *a) { run_tasks(st, a, 0); }
static void run_pool(hb_gb_state *st, const hb_wl_args *a) { run_tasks(st, a, 1); }

static const hb_workload stack_tasks = {
    .name = "stack/tasks",
    .category = "stack",
    .description = "Many short coroutine-like tasks (ucontext) whose stacks come from the "
                   "allocator (hb_new), each touched to a random depth, yielding and resuming: "
                   "stack-sized blocks allocated and reused at a high rate.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run_heap,
};
HB_WORKLOAD(stack_tasks);

static const hb_workload stack_tasks_stackpool = {
    .name = "stack/tasks-stackpool",
    .category = "stack",
    .description = "stack/tasks with the stacks from the adapter's stack pool (stack_alloc/"
                   "stack_free, as Go's stackpool): the dedicated path against the general "
                   "allocator.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_STACKPOOL),
    .iterations = 1,
    .run = run_pool,
};
HB_WORKLOAD(stack_tasks_stackpool);
