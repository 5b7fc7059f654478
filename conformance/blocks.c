/*
 * blocks.c — the basic contract of a block: malloc(0) and free(NULL), no two
 * live blocks overlap, writing one whole block never changes another, and
 * huge requests fail cleanly with NULL and ENOMEM instead of crashing or
 * handing out a too-small block.
 *
 * C17 7.22.3 (each allocation yields an object disjoint from any other;
 * size 0 gives NULL or a unique pointer; free(NULL) does nothing), POSIX
 * malloc (ENOMEM). Sources: glibc malloc/tst-malloc.c, tst-malloc-too-large.c;
 * mimalloc test-api.c; jemalloc test/integration/malloc.c. free keeps
 * errno (POSIX.1-2024). Proven by faults/malloc0_overlap.c,
 * faults/free_null_deref.c, faults/free_clobbers_errno.c,
 * faults/page_round_down.c, faults/short_block.c, faults/huge_wraps.c,
 * faults/huge_crash.c, faults/huge_no_errno.c, faults/no_reuse.c,
 * faults/sized_free_leak.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

typedef struct blk {
    uintptr_t addr;
    size_t size;
    int zero; /* from malloc(0) */
} blk;

static int by_addr(const void *a, const void *b) {
    uintptr_t x = ((const blk *)a)->addr, y = ((const blk *)b)->addr;
    return x < y ? -1 : x > y;
}

/* Random sizes weighted towards small, with some medium and large. */
static size_t rand_size(uint64_t *s) {
    uint64_t x = hb_cf_rand(s);
    if (x % 64 == 63) return 65536 + (x >> 8) % (1 << 20);
    switch (x % 16) {
    case 14: case 13: return 1024 + (x >> 8) % 16384;
    default: return 1 + (x >> 8) % 512;
    }
}

static hb_cf_status zero_size_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 2000 };
    blk *b = calloc(2 * N, sizeof *b);
    void **live = calloc(2 * N, sizeof *live);
    size_t n = 0, nulls = 0;
    for (int i = 0; i < N; i++) {
        size_t sz = 1 + (size_t)i % 48;
        void *q = ad->malloc(sz);
        if (!q) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
        memset(q, 0x5a, sz);
        live[n] = q;
        b[n++] = (blk){hb_cf_addr(q), sz, 0};
        void *z = ad->malloc(0);
        if (!z) {
            nulls++;
            continue;
        }
        live[n] = z;
        b[n++] = (blk){hb_cf_addr(z), 1, 1}; /* a unique pointer: owns at least its address */
    }
    qsort(b, n, sizeof *b, by_addr);
    for (size_t i = 1; i < n; i++)
        if (b[i].addr < b[i - 1].addr + b[i - 1].size && (b[i].zero || b[i - 1].zero)) {
            blk *z = b[i].zero ? &b[i] : &b[i - 1], *o = b[i].zero ? &b[i - 1] : &b[i];
            return hb_cf_fail(r, "malloc(0) = %#lx is not unique: it lies in/at live block %#lx "
                              "(%s%zu bytes)",
                              (unsigned long)z->addr, (unsigned long)o->addr, o->zero ? "malloc(0), " : "",
                              o->zero ? (size_t)0 : o->size);
        }
    for (size_t i = 0; i < n; i++) ad->free(live[i]);
    free(b);
    free(live);
    return hb_cf_pass(r, "%d malloc(0) among %d live blocks: %zu NULL, the rest unique and freeable",
                      N, N, nulls);
}

static const hb_property zero_size_prop = {
    .name = "malloc/zero-size",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "malloc(0) returns NULL or a unique pointer (distinct from every live block) that free accepts",
    .source = "C17 7.22.3p1; glibc malloc/tst-malloc.c; mimalloc test-api.c (malloc-null)",
    .run = zero_size_run,
};
HB_PROPERTY(zero_size_prop);

/* 0 when free(NULL) x1000 left malloc working; 1 when malloc(32) failed. */
static int free_null_body(void) {
    const hb_adapter *ad = hb_rt.ad;
    for (int i = 0; i < 1000; i++) ad->free(NULL);
    void *p = ad->malloc(32);
    if (!p) return 1;
    memset(p, 1, 32);
    ad->free(p);
    return 0;
}

/* In a forked child, so that a free(NULL) that dereferences its argument
 * is reported with the signal that killed it rather than as a crash. */
static hb_cf_status free_null_run(hb_cf_result *r) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return hb_cf_fail(r, "fork: %s", strerror(errno));
    if (pid == 0) _exit(free_null_body());
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(st))
        return hb_cf_fail(r, "free(NULL) killed the process with signal %d (%s): it dereferenced or recorded its "
                          "argument", WTERMSIG(st), strsignal(WTERMSIG(st)));
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        return hb_cf_fail(r, "malloc(32) after free(NULL) x1000 returned NULL");
    return hb_cf_pass(r, "free(NULL) x1000 is a no-op (then malloc(32) works)");
}

static const hb_property free_null_prop = {
    .name = "malloc/free-null",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "free(NULL) does nothing",
    .source = "C17 7.22.3.3p2",
    .run = free_null_run,
};
HB_PROPERTY(free_null_prop);

static hb_cf_status no_overlap_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 20000 };
    blk *b = malloc(N * sizeof *b);
    void **live = malloc(N * sizeof *live);
    uint64_t s = 42;
    for (int i = 0; i < N; i++) {
        size_t sz = rand_size(&s);
        live[i] = ad->malloc(sz);
        if (!live[i]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
        b[i] = (blk){hb_cf_addr(live[i]), sz, 0};
        if (i % 3 == 2) { /* churn: free one, so reuse happens among live blocks */
            int k = (int)(hb_cf_rand(&s) % (uint64_t)i);
            ad->free(live[k]);
            sz = rand_size(&s);
            live[k] = ad->malloc(sz);
            if (!live[k]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
            b[k] = (blk){hb_cf_addr(live[k]), sz, 0};
        }
    }
    qsort(b, N, sizeof *b, by_addr);
    for (int i = 1; i < N; i++)
        if (b[i].addr < b[i - 1].addr + b[i - 1].size)
            return hb_cf_fail(r, "live blocks overlap: [%#lx, +%zu) and [%#lx, +%zu)",
                              (unsigned long)b[i - 1].addr, b[i - 1].size, (unsigned long)b[i].addr,
                              b[i].size);
    for (int i = 0; i < N; i++) ad->free(live[i]);
    free(b);
    free(live);
    return hb_cf_pass(r, "%d live blocks of 1 B .. 1 MiB (with churn) are pairwise disjoint", N);
}

static const hb_property no_overlap_prop = {
    .name = "malloc/no-overlap",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "no two live blocks overlap, over 20000 blocks of mixed sizes with frees between",
    .source = "C17 7.22.3p1 (a pointer to an object disjoint from any other); mimalloc test-stress.c",
    .run = no_overlap_run,
};
HB_PROPERTY(no_overlap_prop);

static hb_cf_status isolation_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 5000, ROUNDS = 3 };
    void **p = calloc(N, sizeof *p);
    size_t *sz = calloc(N, sizeof *sz);
    uint32_t *seed = calloc(N, sizeof *seed);
    uint64_t s = 7;
    uint32_t next_seed = 1;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < N; i++) {
            if (p[i] && (hb_cf_rand(&s) & 1)) continue; /* keep half from the last round */
            if (p[i]) ad->free(p[i]);
            sz[i] = rand_size(&s);
            p[i] = ad->malloc(sz[i]);
            if (!p[i]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz[i]);
            seed[i] = next_seed++;
            hb_cf_fill(p[i], sz[i], seed[i]);
        }
        for (int i = 0; i < N; i++) {
            size_t bad = hb_cf_check(p[i], sz[i], seed[i]);
            if (bad != sz[i]) {
                const uint8_t *c = p[i];
                return hb_cf_fail(r, "round %d: block %p (%zu bytes) changed at byte %zu: expected "
                                  "%#x, found %#x — another block's writes reached it",
                                  round, p[i], sz[i], bad, hb_cf_byte(bad, seed[i]), c[bad]);
            }
        }
    }
    for (int i = 0; i < N; i++) ad->free(p[i]);
    free(p);
    free(sz);
    free(seed);
    return hb_cf_pass(r, "%d rounds over %d blocks (1 B .. 1 MiB): every byte written kept its value",
                      ROUNDS, N);
}

static const hb_property isolation_prop = {
    .name = "malloc/write-isolation",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "filling every live block whole with its own pattern never changes another block",
    .source = "C17 7.22.3p1; mimalloc test-stress.c (block contents checked); glibc tst-malloc-thread-fail.c",
    .run = isolation_run,
};
HB_PROPERTY(isolation_prop);

/* Requests no allocator can grant: beyond PTRDIFF_MAX, or the whole address
 * space, or sizes that overflow when a header is added. */
static const size_t huge[] = {SIZE_MAX,      SIZE_MAX - 1,       SIZE_MAX - 4095,
                              SIZE_MAX - 65536, SIZE_MAX / 2 + 1, (size_t)PTRDIFF_MAX,
                              (size_t)1 << 62,  (size_t)1 << 48};
#define NHUGE (sizeof huge / sizeof *huge)

static hb_cf_status huge_null_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    for (size_t i = 0; i < NHUGE; i++) {
        void *p = ad->malloc(huge[i]);
        if (p) return hb_cf_fail(r, "malloc(%#zx) returned %p; expected NULL", huge[i], p);
    }
    void *p = ad->malloc(64);
    if (!p) return hb_cf_fail(r, "malloc(64) after the huge requests returned NULL");
    ad->free(p);
    return hb_cf_pass(r, "%zu impossible requests (SIZE_MAX .. 2^48) returned NULL", NHUGE);
}

static const hb_property huge_null_prop = {
    .name = "malloc/huge-null",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "requests beyond what can exist (SIZE_MAX, > PTRDIFF_MAX, 2^48) return NULL, never a block",
    .source = "C17 7.22.3p1; glibc malloc/tst-malloc-too-large.c",
    .run = huge_null_run,
};
HB_PROPERTY(huge_null_prop);

static hb_cf_status huge_enomem_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    for (size_t i = 0; i < NHUGE; i++) {
        errno = 0;
        void *p = ad->malloc(huge[i]);
        int e = errno;
        if (p) return hb_cf_fail(r, "malloc(%#zx) returned %p", huge[i], p);
        if (e != ENOMEM)
            return hb_cf_fail(r, "malloc(%#zx) returned NULL with errno %d (%s); expected ENOMEM",
                              huge[i], e, e ? strerror(e) : "unset");
    }
    return hb_cf_pass(r, "%zu impossible requests set errno to ENOMEM", NHUGE);
}

static const hb_property huge_enomem_prop = {
    .name = "malloc/huge-enomem",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "a failed malloc sets errno to ENOMEM",
    .source = "POSIX.1-2017 malloc (ERRORS); glibc tst-malloc-too-large.c",
    .run = huge_enomem_run,
};
HB_PROPERTY(huge_enomem_prop);

static hb_cf_status reuse_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 2000, ROUNDS = 150, WARM = 10 };
    void **p = malloc(N * sizeof *p);
    uint64_t s = 3;
    size_t rss_warm = 0, churned = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < N; i++) {
            size_t sz = 16 + hb_cf_rand(&s) % 2048;
            if (i == 0) sz = 256 * 1024; /* one large block a round */
            p[i] = ad->malloc(sz);
            if (!p[i]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
            memset(p[i], (int)i, sz < 64 ? sz : 64);
            ((char *)p[i])[sz - 1] = 1;
            churned += sz;
        }
        for (int i = 0; i < N; i++) ad->free(p[i]);
        if (round == WARM) rss_warm = hb_cf_rss();
    }
    size_t rss_end = hb_cf_rss();
    free(p);
    size_t growth = rss_end > rss_warm ? rss_end - rss_warm : 0;
    const size_t bound = 16u << 20;
    if (growth > bound)
        return hb_cf_fail(r, "RSS grew by %zu KiB (%zu -> %zu KiB) over %d rounds of alloc/free "
                          "(%zu MiB churned); bound %zu KiB: freed memory is not reused",
                          growth >> 10, rss_warm >> 10, rss_end >> 10, ROUNDS - WARM, churned >> 20,
                          bound >> 10);
    return hb_cf_pass(r, "RSS grew by %zu KiB after warm-up over %d rounds (%zu MiB churned; bound %zu KiB)",
                      growth >> 10, ROUNDS - WARM, churned >> 20, bound >> 10);
}

static const hb_property reuse_prop = {
    .name = "malloc/reuse",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "steady allocate/free cycles do not grow RSS without bound (freed memory is reused)",
    .source = "mimalloc test-stress.c; jemalloc test/stress; the definition of free (C17 7.22.3.3)",
    .run = reuse_run,
};
HB_PROPERTY(reuse_prop);

static hb_cf_status sized_free_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 4096 };
    void *p[64];
    size_t rss0 = 0;
    for (int round = 0; round < 400; round++) {
        for (int i = 0; i < 64; i++) {
            size_t sz = 1 + (size_t)(round * 64 + i) % N;
            p[i] = ad->malloc(sz);
            if (!p[i]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
            hb_cf_fill(p[i], sz, (uint32_t)i);
        }
        for (int i = 0; i < 64; i++) {
            size_t sz = 1 + (size_t)(round * 64 + i) % N;
            if (hb_cf_check(p[i], sz, (uint32_t)i) != sz)
                return hb_cf_fail(r, "block %p (%zu bytes) changed before free_sized", p[i], sz);
            ad->free_sized(p[i], sz);
        }
        if (round == 20) rss0 = hb_cf_rss();
    }
    size_t rss1 = hb_cf_rss(), growth = rss1 > rss0 ? rss1 - rss0 : 0;
    if (growth > (8u << 20))
        return hb_cf_fail(r, "RSS grew by %zu KiB over 380 rounds of malloc/free_sized", growth >> 10);
    return hb_cf_pass(r, "25600 blocks of 1..4096 B freed with their size; RSS growth %zu KiB", growth >> 10);
}

static const hb_property sized_free_prop = {
    .name = "malloc/sized-free",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_SIZED_FREE,
    .summary = "free_sized(p, requested size) frees every size class and the memory is reused",
    .source = "C23 7.24.3.4 free_sized; jemalloc sdallocx tests",
    .run = sized_free_run,
};
HB_PROPERTY(sized_free_prop);

/* ---- free preserves errno ----
 * POSIX.1-2024 free(): "The free() function shall not modify errno if ptr is
 * a null pointer or a pointer previously returned by an allocation function"
 * (Austin Group defect 385). Programs save errno, clean up, then report it;
 * a free that unmaps or trims memory and leaves the syscall's errno behind
 * breaks them. Checked over every path a free may take: NULL, small blocks,
 * large (mmap'd) blocks, a heap top big enough to trim, 256 MiB freed at
 * once (past every cache, so memory goes back to the OS), blocks of another
 * thread, of an exited thread, and blocks freed on a thread that did not
 * allocate them. */
#define ERRNO_MARK 0x5eed /* no errno value a library sets */

static const size_t errno_sizes[] = {1, 16, 100, 1024, 4000, 60000, 128 << 10, 1 << 20, 8 << 20, 64 << 20};
#define NERRNO (sizeof errno_sizes / sizeof *errno_sizes)

typedef struct errno_case {
    int n;                 /* frees checked */
    void *blocks[NERRNO];  /* one block of each size, for a helper thread */
    char why[320];         /* the first violation, or "" */
} errno_case;

/* free(p) with errno set to the mark; 0 if errno kept it, else notes why. */
static int free_keeps(void *p, size_t sz, const char *what, errno_case *c) {
    errno = ERRNO_MARK;
    hb_rt.ad->free(p);
    int e = errno;
    c->n++;
    if (e == ERRNO_MARK) return 0;
    if (!c->why[0])
        snprintf(c->why, sizeof c->why, "free(%p) of %s (%zu bytes) changed errno from %d to %d (%s)", p, what,
                 sz, ERRNO_MARK, e, e ? strerror(e) : "0");
    return -1;
}

/* Allocate one block of each size (its first page touched) into c->blocks. */
static int errno_alloc(errno_case *c) {
    for (size_t i = 0; i < NERRNO; i++) {
        c->blocks[i] = hb_rt.ad->malloc(errno_sizes[i]);
        if (!c->blocks[i]) return -1;
        memset(c->blocks[i], 0x3c, errno_sizes[i] < 4096 ? errno_sizes[i] : 4096);
    }
    return 0;
}

static void errno_free_all(errno_case *c, const char *what) {
    for (size_t i = 0; i < NERRNO; i++) free_keeps(c->blocks[i], errno_sizes[i], what, c);
}

static void *errno_alloc_thread(void *arg) { return errno_alloc(arg) ? arg : NULL; }

static void *errno_free_thread(void *arg) {
    errno_free_all(arg, "a block another thread allocated");
    return NULL;
}

static hb_cf_status free_errno_run(hb_cf_result *r) {
    errno_case c = {0}, x = {0};
    errno = ERRNO_MARK;
    hb_rt.ad->free(NULL);
    if (errno != ERRNO_MARK) return hb_cf_fail(r, "free(NULL) changed errno from %d to %d", ERRNO_MARK, errno);
    for (int round = 0; round < 3; round++) { /* this thread's blocks, small to mmap'd */
        if (errno_alloc(&c)) return hb_cf_fail(r, "malloc returned NULL");
        errno_free_all(&c, "a block");
    }
    enum { NTOP = 4096 }; /* a heap top worth trimming: 16 MiB of 4 KiB blocks freed last to first */
    void **top = malloc(NTOP * sizeof *top);
    for (int i = 0; i < NTOP; i++) {
        if (!(top[i] = hb_rt.ad->malloc(4096))) return hb_cf_fail(r, "malloc(4096) returned NULL");
        memset(top[i], 1, 4096);
    }
    for (int i = NTOP - 1; i >= 0; i--) free_keeps(top[i], 4096, "the heap top (freed last to first)", &c);
    free(top);
    enum { NBURST = 64 }; /* 256 MiB of 4 MiB blocks at once: past every cache, so some free releases */
    void *burst[NBURST];
    for (int i = 0; i < NBURST; i++) {
        if (!(burst[i] = hb_rt.ad->malloc(4 << 20))) return hb_cf_fail(r, "malloc(4 MiB) returned NULL");
        memset(burst[i], 2, 4096);
    }
    for (int i = 0; i < NBURST; i++) free_keeps(burst[i], 4 << 20, "one of 64 large blocks freed together", &c);
    pthread_t t; /* blocks of another thread, which has exited */
    hb_thread_start(&t, errno_alloc_thread, &c);
    if (hb_thread_join(t)) return hb_cf_fail(r, "malloc returned NULL on a helper thread");
    errno_free_all(&c, "a block of an exited thread");
    if (c.why[0]) return hb_cf_fail(r, "%s", c.why);
    if (errno_alloc(&x)) return hb_cf_fail(r, "malloc returned NULL"); /* this thread's, freed by another */
    hb_thread_start(&t, errno_free_thread, &x);
    hb_thread_join(t);
    if (x.why[0]) return hb_cf_fail(r, "on a helper thread: %s", x.why);
    return hb_cf_pass(r, "errno kept its value over free(NULL) and %d frees: 1 B .. 64 MiB, a trimmable heap top, 256 MiB at once, "
                      "blocks of an exited thread, blocks freed by another thread",
                      c.n + x.n);
}

static const hb_property free_errno_prop = {
    .name = "malloc/free-keeps-errno",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "free leaves errno unchanged: NULL, small, large (mmap'd), heap-top trim, bulk release, cross-thread",
    .source = "POSIX.1-2024 free (Austin Group defect 385); glibc 2.33 NEWS (free preserves errno)",
    .run = free_errno_run,
};
HB_PROPERTY(free_errno_prop);
