/*
 * heap/replay — replay a recorded allocation trace.
 *
 * Pattern: whatever a real program did. A trace (text, documented in
 * docs/workloads.md#trace-format) lists malloc/calloc/realloc/free calls
 * with a block id, a size and the recording thread; tools/hb-trace
 * (libhb_trace.so under LD_PRELOAD) records one from any program, so users
 * can benchmark their own program's pattern on every adapter. The shipped
 * trace, workloads/traces/python-startup.trace, is python3 starting up
 * and building a few dicts, lists and strings.
 *
 * The trace is read and parsed before the timer starts; each iteration
 * replays it `loops` times (blocks still live at the end of a loop are
 * freed). With threads=1 (the default) the calls are replayed in trace
 * order on one thread; with threads=N the recorded threads are mapped onto
 * N replay threads (recorded thread mod N), each replaying its own calls in
 * order, and a call on a block waits until every earlier call on that block
 * is done, so cross-thread frees keep their order. Over a collector, free
 * drops the reference and realloc is a new block plus a copy.
 *
 * Which trace: $HB_TRACE if set, else the shipped trace of an installed copy
 * (<executable's folder>/../../share/heapbench/workloads/traces), else the
 * compile-time HB_TRACE_DIR, else <executable's folder>/../workloads/traces.
 *
 * Parameters: loops, threads.
 * Validates: each block's first bytes hold its id's stamp from allocation
 * (carried through realloc) until its free.
 * Counters: calls (per loop), peak_live_bytes (of the trace).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/stamp.h"
#include "wl/team.h"

#define DEFAULT_TRACE "python-startup.trace"

static const hb_param params[] = {
    {"loops", 100, 2000, "times the trace is replayed per iteration", 1, 10000000},
    {"threads", 1, 1, "replay threads (1: in trace order)", 1, 1024},
};

typedef struct op {
    char kind;        /* 'a' malloc, 'c' calloc, 'r' realloc, 'f' free */
    uint32_t id;      /* dense block id */
    uint32_t thread;  /* recorded thread */
    uint32_t seq;     /* index of this call among its block's calls */
    uint64_t size;
} op;

typedef struct trace {
    op *ops;
    size_t nops, nids;
    uint32_t nthreads;
    uint64_t peak_live;
} trace;

static void trace_path(char *buf, size_t len) {
    const char *env = getenv("HB_TRACE");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    /* installed: PREFIX/libexec/heapbench/hb-* and PREFIX/share/heapbench/ */
    snprintf(buf, len, "%s/../../share/heapbench/workloads/traces/%s", exe, DEFAULT_TRACE);
    if (access(buf, R_OK) == 0) return;
#ifdef HB_TRACE_DIR
    snprintf(buf, len, "%s/%s", HB_TRACE_DIR, DEFAULT_TRACE);
    if (access(buf, R_OK) == 0) return;
#endif
    snprintf(buf, len, "%s/../workloads/traces/%s", exe, DEFAULT_TRACE);
}

/* Ids in the file may be any 64-bit numbers; they are made dense here. */
typedef struct idmap {
    uint64_t *key;
    uint32_t *val;
    size_t cap, n;
} idmap;

static uint32_t idmap_get(idmap *m, uint64_t key, int *fresh) {
    if (2 * (m->n + 1) > m->cap) {
        idmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 1024;
        m->key = calloc(m->cap, sizeof *m->key);
        m->val = calloc(m->cap, sizeof *m->val);
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.key[i]) {
                size_t h = wl_splitmix(old.key[i]) & (m->cap - 1);
                while (m->key[h]) h = (h + 1) & (m->cap - 1);
                m->key[h] = old.key[i];
                m->val[h] = old.val[i];
                m->n++;
            }
        free(old.key);
        free(old.val);
    }
    key++; /* 0 marks an empty slot */
    size_t h = wl_splitmix(key) & (m->cap - 1);
    while (m->key[h] && m->key[h] != key) h = (h + 1) & (m->cap - 1);
    *fresh = !m->key[h];
    if (*fresh) {
        m->key[h] = key;
        m->val[h] = (uint32_t)m->n++;
    }
    return m->val[h];
}

/* Parses the trace; 0 on success, else writes why. */
static int trace_load(const char *path, trace *t, char *why, size_t len) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, len, "cannot open trace %s (set HB_TRACE)", path);
        return -1;
    }
    memset(t, 0, sizeof *t);
    size_t cap = 0;
    idmap m = {0};
    uint32_t *seq = NULL;
    uint64_t *size = NULL;
    size_t idcap = 0;
    uint64_t live = 0;
    char line[256];
    size_t lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n') continue;
        char k;
        unsigned long long id, sz;
        unsigned th;
        if (sscanf(line, " %c %llu %llu %u", &k, &id, &sz, &th) != 4 || !strchr("acrf", k)) {
            snprintf(why, len, "%s:%zu: expected 'OP ID SIZE THREAD', OP one of a c r f", path, lineno);
            fclose(f);
            return -1;
        }
        int fresh;
        uint32_t d = idmap_get(&m, id, &fresh);
        if (d >= idcap) {
            idcap = idcap ? idcap * 2 : 1024;
            seq = realloc(seq, idcap * sizeof *seq);
            size = realloc(size, idcap * sizeof *size);
        }
        if (fresh) {
            if (k != 'a' && k != 'c') { /* a block from before the recording */
                seq[d] = UINT32_MAX;
                continue;
            }
            seq[d] = 0;
            size[d] = 0;
        } else if (k == 'a' || k == 'c') {
            snprintf(why, len, "%s:%zu: id %llu allocated twice", path, lineno, id);
            fclose(f);
            return -1;
        } else if (seq[d] == UINT32_MAX) {
            continue; /* freed already (a double free in the program): skipped */
        }
        if (t->nops == cap) {
            cap = cap ? cap * 2 : 4096;
            t->ops = realloc(t->ops, cap * sizeof *t->ops);
        }
        t->ops[t->nops++] = (op){k, d, th, seq[d], k == 'f' ? size[d] : sz};
        live += (k == 'f' ? 0 : sz) - size[d];
        if (live > t->peak_live) t->peak_live = live;
        size[d] = k == 'f' ? 0 : sz;
        seq[d] = k == 'f' ? UINT32_MAX : seq[d] + 1;
        if (th + 1 > t->nthreads) t->nthreads = th + 1;
    }
    fclose(f);
    t->nids = m.n;
    free(m.key);
    free(m.val);
    free(seq);
    free(size);
    if (!t->nops) {
        snprintf(why, len, "%s: no calls in the trace", path);
        return -1;
    }
    return 0;
}

typedef struct replay {
    void **block;   /* nids pointers: first, rooted */
    uint64_t *size; /* current size of each block */
    uint32_t *done; /* calls done per block */
    uint8_t *resized; /* 1: the block went through hb_realloc (hb_drop_resized frees it) */
    const trace *t;
    int threads;
    uint64_t bad;
} replay;

static uint64_t block_key(uint32_t id) { return 0x7265706c6179ull ^ id; }

/* The stamp: the first 8 bytes (blocks of 8 or more) — realloc keeps them. */
static void stamp(void *p, uint64_t size, uint32_t id) {
    if (size >= 8) memcpy(p, &(uint64_t){wl_stamp_word(block_key(id), 0)}, 8);
}
static int stamp_ok(const void *p, uint64_t size, uint32_t id) {
    uint64_t w;
    if (size < 8) return 1;
    memcpy(&w, p, 8);
    return w == wl_stamp_word(block_key(id), 0);
}

/* Free block id (its slot cleared), sized unless realloc made it. */
static void release(replay *R, uint32_t id) {
    void *p = hb_load(&R->block[id]);
    size_t size = R->size[id] ? R->size[id] : 1;
    hb_store(&R->block[id], NULL);
    if (!p) return;
    if (R->resized[id]) hb_drop_resized(p, size);
    else hb_drop(p, size);
}

static void do_op(replay *R, const op *o) {
    void **slot = &R->block[o->id];
    void *p = hb_load(slot);
    switch (o->kind) {
    case 'a':
    case 'c': {
        void *q = o->kind == 'c' ? hb_new_zeroed(o->size ? o->size : 1, HB_NOSCAN)
                                 : hb_new(o->size ? o->size : 1, HB_NOSCAN);
        if (!q) {
            __atomic_fetch_add(&R->bad, 1, __ATOMIC_RELAXED);
            break;
        }
        stamp(q, o->size, o->id);
        hb_store(slot, q);
        R->size[o->id] = o->size;
        R->resized[o->id] = 0;
        break;
    }
    case 'r': {
        uint64_t old = R->size[o->id];
        if (!p || !stamp_ok(p, old, o->id)) __atomic_fetch_add(&R->bad, 1, __ATOMIC_RELAXED);
        size_t nsz = o->size ? o->size : 1;
        void *q = hb_realloc(p, old ? old : 1, nsz, HB_NOSCAN);
        if (!q) {
            __atomic_fetch_add(&R->bad, 1, __ATOMIC_RELAXED);
            break;
        }
        if (old < 8) stamp(q, o->size, o->id);
        hb_store(slot, q);
        R->size[o->id] = o->size;
        R->resized[o->id] = 1;
        break;
    }
    default:
        if (!p || !stamp_ok(p, R->size[o->id], o->id)) __atomic_fetch_add(&R->bad, 1, __ATOMIC_RELAXED);
        release(R, o->id);
        break;
    }
}

static void *replayer(void *shared, int me) {
    replay *R = shared;
    const trace *t = R->t;
    uint64_t n = 0;
    for (size_t i = 0; i < t->nops; i++) {
        const op *o = &t->ops[i];
        if ((int)(o->thread % (uint32_t)R->threads) != me) continue;
        while (__atomic_load_n(&R->done[o->id], __ATOMIC_ACQUIRE) != o->seq) {
            hb_safepoint();
            sched_yield();
        }
        do_op(R, o);
        __atomic_store_n(&R->done[o->id], o->seq + 1, __ATOMIC_RELEASE);
        if ((++n & 1023) == 0) hb_safepoint();
    }
    return NULL;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int64_t loops = hb_param_get(a, "loops");
    int threads = (int)hb_param_get(a, "threads");
    if (threads < 1) threads = 1;
    char path[PATH_MAX + 64], why[PATH_MAX + 128];
    trace_path(path, sizeof path);
    trace t;
    if (trace_load(path, &t, why, sizeof why)) {
        hb_wl_fail(st, "replay: %s", why);
        return;
    }
    if (threads > 1 && !hb_has(HB_CAP_THREADS)) threads = 1;
    replay R = {.t = &t, .threads = threads};
    hb_root_add(&R.block, sizeof R.block);
    R.block = wl_ptr_array(t.nids);
    R.size = calloc(t.nids, sizeof *R.size);
    R.done = calloc(t.nids, sizeof *R.done);
    R.resized = calloc(t.nids, sizeof *R.resized);
    while (hb_gb_keep_running(st)) {
        for (int64_t l = 0; l < loops; l++) {
            if (threads == 1) {
                for (size_t i = 0; i < t.nops; i++) {
                    do_op(&R, &t.ops[i]);
                    if ((i & 1023) == 0) hb_safepoint();
                }
            } else {
                memset(R.done, 0, t.nids * sizeof *R.done);
                if (wl_team_run(threads, replayer, &R)) R.bad++;
            }
            for (size_t id = 0; id < t.nids; id++) /* blocks the program never freed */
                if (hb_load(&R.block[id])) {
                    if (!stamp_ok(R.block[id], R.size[id], (uint32_t)id)) R.bad++;
                    release(&R, (uint32_t)id);
                }
        }
    }
    wl_ptr_array_free(R.block, t.nids);
    hb_root_remove(&R.block);
    free(R.size);
    free(R.done);
    free(R.resized);
    free(t.ops);
    if (R.bad) hb_wl_fail(st, "replay: %llu blocks lost their stamp", (unsigned long long)R.bad);
    hb_gb_set_items_processed(st, (int64_t)(t.nops * (uint64_t)loops * (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "calls", (double)t.nops, HB_GB_DEFAULT);
    hb_gb_counter(st, "peak_live_bytes", (double)t.peak_live, HB_GB_DEFAULT);
}

static const hb_workload heap_replay = {
    .name = "heap/replay",
    .category = "heap",
    .description = "Replays a recorded allocation trace (malloc/calloc/realloc/free with ids, "
                   "sizes and threads; record your own with tools/hb-trace under LD_PRELOAD, "
                   "select it with HB_TRACE). Default: python3 starting up.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(heap_replay);
