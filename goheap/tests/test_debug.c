/* test_debug — the GH_DEBUG checks bite (goheap-debug configuration only).
 *
 * Each case runs in a fresh forked child (the parent never touches goheap):
 * it builds a small heap, corrupts one structure the way a bug would, and
 * then does an ordinary operation (an allocation that refills, a large
 * allocation, a collection). The child must die of SIGABRT with
 * "goheap: assertion failed: FILE:LINE: ..." naming the broken invariant
 * (runtime.h / mpagealloc.c: [S1] allocCount, [S3] size class, [S4] the
 * loaned window, [L1] span state vs list, [P1] page summaries, [G1]
 * sweepgen, [G2] mark bits). The control cases do the same work without the
 * corruption and must exit 0, so a check that fires regardless is caught. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "goheap/gc.h"
#include "mgc.h"

#if GH_DEBUG < 2
#error "test_debug is built against the GH_DEBUG=2 library only"
#endif

static gh_mspan *span_of(void *p) { return gh_spanOf((uintptr_t)p); }

/* Allocate n objects of 64 B (one span holds 128, its window 64). */
static void *alloc64(int n) {
    void *p = NULL;
    for (int i = 0; i < n; i++) CHECK((p = gh_malloc(64)));
    return p;
}

static void manual_control(void) {
    void *p = alloc64(1);
    alloc64(300);
    gh_free(p);
    alloc64(300);
    gh_free(gh_malloc(1 << 20));
}

/* [S1]: allocCount one more than the bitmap says; the refill that loads the
 * span's next window checks it. */
static void corrupt_allocCount(void) {
    gh_mspan *s = span_of(alloc64(1));
    s->allocCount++;
    alloc64(200);
}

/* [S3]: the span's divMagic no longer matches its size class. */
static void corrupt_sizeclass(void) {
    gh_mspan *s = span_of(alloc64(1));
    s->divMul ^= 1;
    alloc64(200);
}

/* [S4]: the cache's window offers a slot whose allocBits bit is clear;
 * returning the window (thread exit flushes the cache) checks it. */
static void corrupt_window(void) {
    void *a = alloc64(1), *b = alloc64(1);
    gh_mspan *s = span_of(a);
    uintptr_t idx = gh_mspan_objIndex(s, (uintptr_t)b);
    gh_free(b); /* a local free inside the window clears its bit */
    gh_tls_mcache->alloc[s->spanclass].allocCache |= (uint64_t)1 << (idx & 63);
    gh_thread_exit();
}

/* [L1]: a full span owned by the cache claims to be mcentral's. */
static void corrupt_state(void) {
    gh_mspan *s = span_of(alloc64(1));
    alloc64(200); /* s fills up and moves to the cache's full list */
    CHECK(s->state == GH_SPAN_MC_FULL);
    s->state = GH_SPAN_C_PARTIAL;
    alloc64(200);
}

/* [P1]: a free page marked in use behind the summaries' back. */
static void corrupt_pagebits(void) {
    alloc64(1);
    gh_pageAlloc *pa = &gh_mheap_.pages;
    uintptr_t page = GH_CHUNK_PAGES - 1; /* the last page of the first chunk */
    CHECK(pa->grown >= 1 && !(pa->allocBits[page >> 6] >> (page & 63) & 1));
    pa->allocBits[page >> 6] |= (uint64_t)1 << (page & 63);
    gh_free(gh_malloc(1 << 20));
}

static void *keep[256];

/* Collected heap: 256 objects of 64 B, every other one kept by a root. */
static void gc_setup(void) {
    CHECK(gh_gc_init(NULL) == 0);
    gh_gc_root_add(keep, sizeof keep);
    static const gh_layout lay = {8, 0x1};
    for (int i = 0; i < 256; i++) {
        void *x = gh_gc_alloc(64, &lay);
        CHECK(x);
        keep[i] = (i & 1) ? x : NULL;
    }
    gh_gc_collect();
}

static void gc_control(void) {
    gc_setup();
    gh_gc_collect();
    gh_gc_collect();
}

/* [G1]: a span that claims to have been swept in a later cycle. */
static void corrupt_sweepgen(void) {
    gc_setup();
    span_of(keep[1])->sweepgen += 2;
    gh_gc_collect();
}

/* [G2]: a free slot of a swept span carries a mark bit. */
static void corrupt_markbits(void) {
    gc_setup();
    for (int i = 1; i < 256; i += 2) { /* a span of kept objects with a free slot */
        gh_mspan *s = span_of(keep[i]);
        for (unsigned idx = 0; idx < s->nelems; idx++)
            if (!(s->allocBits[idx >> 6] >> (idx & 63) & 1)) {
                s->gcmarkBits[idx >> 6] |= (uint64_t)1 << (idx & 63);
                gh_gc_collect();
                return;
            }
    }
    CHECK(!"no free slot in the kept objects' spans");
}

static int failures;

/* Run fn in a child; want == NULL: it must exit 0; else it must abort with
 * goheap's assertion message from file `where` containing `want`. */
static void run_case(const char *name, void (*fn)(void), const char *where, const char *want) {
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        dup2(pfd[1], 2);
        fn();
        _exit(0);
    }
    close(pfd[1]);
    char buf[4096];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = read(pfd[0], buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r;
    buf[n] = 0;
    close(pfd[0]);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    int ok;
    if (!want) {
        ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && n == 0;
    } else {
        ok = WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && !strncmp(buf, "goheap: assertion failed: ", 26) &&
             strstr(buf, where) && strstr(buf, want);
    }
    printf("%-18s %s: status %#x: %s\n", name, ok ? "ok" : "FAILED", st, n ? buf : "(no message)");
    if (!ok) {
        failures++;
        if (want) fprintf(stderr, "  expected SIGABRT and a message from %s containing \"%s\"\n", where, want);
    }
}

int main(void) {
    run_case("manual-control", manual_control, NULL, NULL);
    run_case("gc-control", gc_control, NULL, NULL);
    run_case("S1-allocCount", corrupt_allocCount, "mdebug.c:", "allocCount");
    run_case("S3-sizeclass", corrupt_sizeclass, "mdebug.c:", "[S3] span");
    run_case("S4-window", corrupt_window, "runtime.h:", "[S4] window");
    run_case("L1-state", corrupt_state, "mdebug.c:", "[L1] span");
    run_case("P1-pagesummary", corrupt_pagebits, "mpagealloc.c:", "[P1] chunk 0");
    run_case("G1-sweepgen", corrupt_sweepgen, "mdebug.c:", "[G1]");
    run_case("G2-markbits", corrupt_markbits, "mdebug.c:", "[G2]");
    CHECKF(failures == 0, "%d case(s) failed", failures);
    printf("debug checks ok\n");
    return 0;
}
