/*
 * mgcstats.c — what the collector reports (Go's runtime/metrics for the
 * GC: /gc/cycles, /gc/pauses:seconds, /gc/heap/goal, /gc/heap/live, the
 * CPU classes of gc/mark/assist), and a timeline of events from which the
 * harness draws minimum mutator utilization (MMU) curves.
 *
 * Pauses are kept exactly (one 8-byte duration each, up to 1M, then a
 * sample), so p50/p99/max are exact order statistics, not bucket edges.
 * Beside each total its stopping part is kept (stw.c: request -> the last
 * thread acknowledged); the work part is the difference, so the two split
 * every pause exactly and their order statistics are exact too.
 * Events (pause start/end, cycle start/end, with the heap size then) go to
 * a ring of 64K entries; gh_gc_events_read hands out those not yet read,
 * oldest first, dropping the oldest on overflow. Only the collector's
 * worker records, and never while the world is stopped (a stopped reader
 * could hold the lock), so the pause's own timestamps are passed in.
 */
#include <stdlib.h>
#include <string.h>

#include "mgc.h"

#define MAX_PAUSES (1u << 20)
#define MAX_EVENTS (1u << 16)

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *pauses, *stops; /* per pause: total, of which stopping */
static uint64_t npauses, pause_total, pause_max, stop_total;
static gh_gc_event events[MAX_EVENTS];
static uint64_t ev_head, ev_tail; /* written, read */

static void record_event(int kind, uint64_t t) {
    gh_gc_event *e = &events[ev_head % MAX_EVENTS];
    e->t_ns = t;
    e->heap_bytes = (uint64_t)atomic_load_explicit(&gh_gcController_.heapLive, memory_order_relaxed);
    e->kind = kind;
    ev_head++;
    if (ev_head - ev_tail > MAX_EVENTS) ev_tail = ev_head - MAX_EVENTS;
}

void gh_stats_pause(uint64_t start_ns, uint64_t stopped_ns, uint64_t end_ns) {
    uint64_t d = end_ns - start_ns, st = stopped_ns - start_ns;
    pthread_mutex_lock(&stats_lock);
    if (!pauses) pauses = gh_sysAlloc(MAX_PAUSES * sizeof *pauses);
    if (!stops) stops = gh_sysAlloc(MAX_PAUSES * sizeof *stops);
    if (pauses && stops) {
        pauses[npauses % MAX_PAUSES] = d;
        stops[npauses % MAX_PAUSES] = st;
    }
    npauses++;
    pause_total += d;
    stop_total += st;
    if (d > pause_max) pause_max = d;
    record_event(GH_EV_PAUSE_START, start_ns);
    record_event(GH_EV_PAUSE_END, end_ns);
    pthread_mutex_unlock(&stats_lock);
}

void gh_stats_event(int kind, uint64_t t_ns) {
    pthread_mutex_lock(&stats_lock);
    record_event(kind, t_ns);
    pthread_mutex_unlock(&stats_lock);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* p50, p99 and max of n durations (sorted in place). */
static void order_stats(uint64_t *v, uint64_t n, uint64_t *p50, uint64_t *p99, uint64_t *max) {
    qsort(v, n, sizeof *v, cmp_u64);
    *p50 = v[(n - 1) / 2];
    *p99 = v[(size_t)((double)(n - 1) * 0.99)];
    *max = v[n - 1];
}

/* The pause distributions: total, stopping and work, from copies taken
 * under the lock (sorted outside it). */
static void read_pauses(gh_gc_stats *out) {
    gh_g *g = gh_curg;
    if (g) gh_acquirem(g);
    pthread_mutex_lock(&stats_lock);
    uint64_t n = npauses < MAX_PAUSES ? npauses : MAX_PAUSES;
    uint64_t *buf = n && pauses && stops ? malloc(3 * n * sizeof *buf) : NULL;
    if (buf) {
        memcpy(buf, pauses, n * sizeof *buf);
        memcpy(buf + n, stops, n * sizeof *buf);
    }
    out->pauses = npauses;
    out->pause_total_ns = pause_total;
    out->pause_max_ns = pause_max;
    out->pause_stop_total_ns = stop_total;
    out->pause_work_total_ns = pause_total - stop_total;
    pthread_mutex_unlock(&stats_lock);
    if (g) gh_releasem(g);
    if (!buf) return;
    for (uint64_t i = 0; i < n; i++) buf[2 * n + i] = buf[i] - buf[n + i];
    uint64_t mx;
    order_stats(buf, n, &out->pause_p50_ns, &out->pause_p99_ns, &mx);
    order_stats(buf + n, n, &out->pause_stop_p50_ns, &out->pause_stop_p99_ns, &out->pause_stop_max_ns);
    order_stats(buf + 2 * n, n, &out->pause_work_p50_ns, &out->pause_work_p99_ns, &out->pause_work_max_ns);
    free(buf);
}

void gh_gc_stats_read(gh_gc_stats *out) {
    memset(out, 0, sizeof *out);
    read_pauses(out);
    gh_gcControllerState *c = &gh_gcController_;
    out->cycles = atomic_load_explicit(&gh_gc_cycles, memory_order_relaxed);
    out->mark_cpu_ns = atomic_load_explicit(&gh_markcpu_ns, memory_order_relaxed);
    out->assist_ns = atomic_load_explicit(&gh_assist_ns, memory_order_relaxed);
    out->heap_goal_bytes = (uint64_t)atomic_load_explicit(&c->heapGoal, memory_order_relaxed);
    out->heap_live_bytes = (uint64_t)atomic_load_explicit(&c->heapMarked, memory_order_relaxed);
    out->heap_alloc_bytes = (uint64_t)atomic_load_explicit(&c->heapLive, memory_order_relaxed);
    out->heap_peak_bytes = (uint64_t)atomic_load_explicit(&c->peak, memory_order_relaxed);
    out->heap_sys_bytes = (uint64_t)gh_mheap_.pages.grown * GH_CHUNK_BYTES;
    out->finalizers_run = gh_final_count();
}

size_t gh_gc_events_read(gh_gc_event *out, size_t max) {
    gh_g *g = gh_curg;
    if (g) gh_acquirem(g);
    pthread_mutex_lock(&stats_lock);
    size_t n = 0;
    while (n < max && ev_tail < ev_head) out[n++] = events[ev_tail++ % MAX_EVENTS];
    pthread_mutex_unlock(&stats_lock);
    if (g) gh_releasem(g);
    return n;
}
