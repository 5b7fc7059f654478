/*
 * hardening.c — the hardening matrix: what an allocator does when a program
 * misuses the heap. Traits, never rule failures: C leaves every one of these
 * undefined, and detecting them is what a hardened allocator (Scudo,
 * hardened_malloc, mimalloc's secure mode, glibc's tcache checks) buys you.
 *
 *   hardening/double-free        free(p); free(p)
 *   hardening/invalid-free-interior  free(p + 16)
 *   hardening/invalid-free-foreign   free() of memory the allocator never gave
 *   hardening/write-after-free   free 8 blocks, overwrite the last, allocate
 *   hardening/overflow-header    write from a block's usable end up to its
 *                                neighbour (its header), then free both
 *   hardening/randomized         are successive malloc(64) addresses
 *                                predictable from each other?
 *
 * Each misuse runs in a child (fork) with a 10 s alarm and no core dumps, so
 * a detection — the allocator aborting — does not end the property runner.
 * The parent reads the child's fate: killed by SIGABRT/SIGTRAP/SIGILL is
 * "detected" (the allocator stopped the program on purpose; its message, from
 * the child's stderr, is the evidence), SIGSEGV/SIGBUS is "crashed" (the
 * misuse corrupted the heap and it fell over later — no protection, but no
 * silent corruption either), a normal exit is "not detected" (with what the
 * child observed, e.g. a block handed out twice), the alarm is "hung".
 * The verdict is the first word of the detail: the matrix in
 * docs/conformance.md ("Hardening") is read from it.
 *
 * Sources: mimalloc-bench's security table; Scudo (LLVM compiler-rt) design;
 * glibc malloc's "double free detected in tcache", "free(): invalid pointer".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

/* What a misuse child reports when it survives: a line for the detail. */
typedef void (*misuse_fn)(const hb_adapter *ad, char *note, size_t len);

/* Keep the allocator busy after a misuse, so a check made on a later
 * allocation (free-list integrity, chunk state) gets its chance. */
static void churn(const hb_adapter *ad, size_t size) {
    void *keep[64];
    for (int i = 0; i < 64; i++) {
        keep[i] = ad->malloc(size);
        if (keep[i]) memset(keep[i], 0x11, size);
    }
    for (int i = 0; i < 64; i++) ad->free(keep[i]);
}

/* The child's side: stderr into the pipe, no core file, a deadline; then
 * the misuse; exit 0 with the note on the pipe when it survives. */
static void child_run(misuse_fn fn, int wfd) {
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    dup2(wfd, 2);
    alarm(10);
    char note[256] = "";
    fn(hb_rt.ad, note, sizeof note);
    dprintf(wfd, "%s", note);
    _exit(0);
}

/* Run fn in a child and write the verdict and evidence into r. */
static hb_cf_status probe(hb_cf_result *r, misuse_fn fn) {
    int fds[2];
    if (pipe(fds) != 0) return hb_cf_na(r, "pipe failed");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return hb_cf_na(r, "fork failed");
    if (pid == 0) {
        close(fds[0]);
        child_run(fn, fds[1]);
    }
    close(fds[1]);
    char out[512];
    size_t n = 0;
    ssize_t k;
    while ((k = read(fds[0], out + n, sizeof out - 1 - n)) > 0) n += (size_t)k;
    out[n] = '\0';
    close(fds[0]);
    for (char *c = out; *c; c++)
        if (*c == '\n' || *c == '"') *c = ' ';
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return hb_cf_pass(r, "not detected: %s", out);
    if (WIFEXITED(st)) return hb_cf_pass(r, "detected: exit %d: %s", WEXITSTATUS(st), out);
    int sig = WTERMSIG(st);
    const char *verdict = sig == SIGABRT || sig == SIGTRAP || sig == SIGILL ? "detected"
                          : sig == SIGALRM                                  ? "hung"
                                                                            : "crashed";
    return hb_cf_pass(r, "%s: %s: %s", verdict, strsignal(sig), out[0] ? out : "(no message)");
}

/* ---- the misuses (run in the child) ---- */

static void double_free(const hb_adapter *ad, char *note, size_t len) {
    void *p = ad->malloc(64);
    ad->free(p);
    ad->free(p);
    void *a = ad->malloc(64), *b = ad->malloc(64);
    snprintf(note, len, "%s", a == b ? "the block was then handed out twice"
                                     : "two later mallocs gave distinct blocks");
    churn(ad, 64);
}

static void free_interior(const hb_adapter *ad, char *note, size_t len) {
    char *p = ad->malloc(64);
    memset(p, 0, 64);
    ad->free(p + 16);
    churn(ad, 64);
    snprintf(note, len, "free(p + 16) of a 64-byte block returned");
}

static void free_foreign(const hb_adapter *ad, char *note, size_t len) {
    char *m = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return (void)snprintf(note, len, "mmap failed");
    ad->free(m + 4096 + 64); /* zeroed memory the allocator never handed out */
    churn(ad, 64);
    snprintf(note, len, "free() of a pointer into an mmap'd page it never gave out returned");
}

/* Eight blocks freed, so the last one freed links to others on whatever
 * free list the allocator keeps; then that block is overwritten. */
static void write_after_free(const hb_adapter *ad, char *note, size_t len) {
    unsigned char *p[8];
    for (int i = 0; i < 8; i++) p[i] = ad->malloc(64);
    for (int i = 0; i < 8; i++) ad->free(p[i]);
    memset(p[7], 0x41, 64);
    churn(ad, 64);
    snprintf(note, len, "64 bytes written to the last of 8 freed 64-byte blocks; 64 allocations later");
}

static int by_address(const void *a, const void *b) {
    uintptr_t x = hb_cf_addr(*(void *const *)a), y = hb_cf_addr(*(void *const *)b);
    return x < y ? -1 : x > y;
}

/* Of 256 blocks of 32 bytes, the one whose next block in memory (among
 * ours) is closest: allocators that shuffle a class still have neighbours.
 * Overflow it up to its neighbour, free the neighbour, then it. */
static void overflow_header(const hb_adapter *ad, char *note, size_t len) {
    enum { N = 256 };
    char *b[N];
    for (int i = 0; i < N; i++) b[i] = ad->malloc(32);
    qsort(b, N, sizeof *b, by_address);
    int at = 0;
    for (int i = 1; i < N - 1; i++)
        if (hb_cf_addr(b[i + 1]) - hb_cf_addr(b[i]) < hb_cf_addr(b[at + 1]) - hb_cf_addr(b[at])) at = i;
    size_t end = ad->usable_size ? ad->usable_size(b[at]) : 32;
    size_t gap = (size_t)(hb_cf_addr(b[at + 1]) - hb_cf_addr(b[at]));
    /* From the usable end to the neighbour's pointer (slack, then the header
     * in front of it), and at least 16 bytes where blocks have no header. */
    size_t over = gap > end + 16 ? gap - end : 16;
    memset(b[at] + end, 0x41, over);
    ad->free(b[at + 1]);
    ad->free(b[at]);
    for (int i = 0; i < N; i++)
        if (i != at && i != at + 1) ad->free(b[i]);
    churn(ad, 32);
    snprintf(note, len, "%zu bytes written past the usable end (%zu B) of a 32-byte block whose "
             "neighbour starts %zu B after it; both freed", over, end, gap);
}

/* ---- the properties ---- */

#define HB_HARDENING_PROBE(fn, pname, what)                                                  \
    static hb_cf_status fn##_run(hb_cf_result *r) { return probe(r, fn); }                   \
    static const hb_property fn##_prop = {                                                   \
        .name = pname,                                                                       \
        .kind = HB_CF_TRAIT,                                                                 \
        .applies = HB_CF_MANUAL_ONLY,                                                        \
        .needs = 0,                                                                          \
        .summary = what,                                                                     \
        .source = "mimalloc-bench security table; Scudo design",                             \
        .run = fn##_run,                                                                     \
    };                                                                                       \
    HB_PROPERTY(fn##_prop)

HB_HARDENING_PROBE(double_free, "hardening/double-free", "is free(p); free(p) detected?");
HB_HARDENING_PROBE(free_interior, "hardening/invalid-free-interior",
                   "is free() of a pointer into the middle of a block detected?");
HB_HARDENING_PROBE(free_foreign, "hardening/invalid-free-foreign",
                   "is free() of memory the allocator never handed out detected?");
HB_HARDENING_PROBE(write_after_free, "hardening/write-after-free",
                   "is a write to a freed block detected by later allocations?");
HB_HARDENING_PROBE(overflow_header, "hardening/overflow-header",
                   "is an overflow into the next block's header detected on free?");
