/*
 * mbarrier.c — the hybrid write barrier (Go's mbarrier.go, since Go 1.8).
 *
 *     writePointer(slot, ptr):
 *         shade(*slot)   // deletion (Yuasa): what the slot held stays grey
 *         shade(ptr)     // insertion (Dijkstra): what is stored is grey
 *         *slot = ptr
 *
 * With it, stacks need no barrier and are scanned once per cycle: all of
 * them in the first pause (stw.c), after which every stack is black. An
 * object a black stack could hold was either allocated during the cycle
 * (black: allocation is black while marking), was reachable from the heap
 * or a root when the stacks were scanned (then its slot is grey, and
 * removing it from the slot shades it), or was on a stack (scanned).
 *
 * The barrier is on only while marking, behind one global word that the
 * object API's hb_store loads relaxed (Go's writeBarrier.enabled); the flag
 * flips only inside stop-the-world pauses, so every thread sees the change
 * when it restarts. A thread that read the flag just before a pause and
 * stores plainly after it does no harm: the old value, if it mattered, was
 * on that thread's stack, and stacks were scanned in that very pause.
 *
 * Shading goes into the thread's own grey buffer (g->gcw); the mark
 * termination pause collects those buffers. The barrier body runs inside
 * the runtime (g->mallocing), so a stop request waits until the buffer is
 * consistent.
 */
#include "mgc.h"

int gh_gc_barrier_enabled;

void gh_gc_write_barrier(void **slot, void *val) {
    gh_g *g = gh_curg;
    if (GH_UNLIKELY(!g)) g = gh_g_attach();
    gh_acquirem(g);
    if (atomic_load_explicit(&gh_gcphase, memory_order_relaxed) != GH_GCoff) {
        uintptr_t old = (uintptr_t)__atomic_load_n(slot, __ATOMIC_RELAXED);
        if (old - gh_arena_start < gh_arena_size) gh_shade(old, &g->gcw);
        if ((uintptr_t)val - gh_arena_start < gh_arena_size) gh_shade((uintptr_t)val, &g->gcw);
    }
    __atomic_store_n(slot, val, __ATOMIC_RELEASE); /* a plain mov on x86; publishes for TSan */
    gh_releasem(g);
}
