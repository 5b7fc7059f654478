/* test_largefree.c — large frees released at once (malloc.c,
 * scav_large_min; mscavenge.c, gh_scavenge_large_locked): the drop-in
 * malloc's analogue of glibc's mmap threshold.
 * 1. The library's default (0): a freed 8 MiB object stays resident (it is
 *    under the retain bound; the scavenger's pacing decides, as before).
 * 2. Re-exec with GOHEAP_SCAVENGE_LARGE_KB=1024: a freed 512 KiB object
 *    stays resident; a freed 2 MiB one is released in the freeing call;
 *    the threshold then rises above 2 MiB (glibc's dynamic threshold), so a
 *    second 2 MiB free stays resident and a 4 MiB one is released again.
 * 3. With the path of libgoheap_malloc.so ($GH_TEST_PRELOAD_LIB, release
 *    builds only: a sanitized library cannot be preloaded):
 *    a child preloads it and checks that plain free() of a 4 MiB block
 *    lowers its RSS at once (the library's 1 MiB default).
 * Released = goheap's heap_released counter, which moves only in a freeing
 * call here: the tests stay under the retain bound, so the background
 * worker has nothing to do. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "goheap/goheap.h"

extern char **environ;

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size, res;
    CHECK(fscanf(f, "%ld %ld", &size, &res) == 2);
    fclose(f);
    return res * (sysconf(_SC_PAGESIZE) >> 10);
}

static uint64_t released(void) {
    gh_stats s;
    gh_stats_read(&s);
    return s.heap_released_bytes;
}

/* Allocate size bytes, touch them, free; the bytes released by the free. */
static uint64_t cycle(size_t size) {
    char *p = gh_malloc(size);
    CHECK(p != NULL);
    memset(p, 1, size);
    uint64_t before = released();
    gh_free(p);
    return released() - before;
}

static void reexec(const char *self, const char *var) {
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        putenv((char *)var);
        execl(self, self, "child", (char *)NULL);
        _exit(127);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child (%s) failed: status 0x%x", var, st);
}

/* 3: under LD_PRELOAD, malloc/free are the library's. */
static int preload_child(void) {
    size_t size = (size_t)4 << 20;
    char *p = malloc(size);
    CHECK(p != NULL);
    memset(p, 1, size);
    __asm__ volatile("" : : "r"(p) : "memory"); /* GCC may drop a malloc/memset/free it sees whole */
    long before = rss_kb();
    free(p);
    long after = rss_kb();
    CHECKF(before - after >= 3 << 10, "preloaded free of 4 MiB: RSS %ld -> %ld KiB", before, after);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        CHECKF(cycle((size_t)512 << 10) == 0, "512 KiB under the 1 MiB threshold was released");
        uint64_t r = cycle((size_t)2 << 20);
        CHECKF(r == (uint64_t)2 << 20, "2 MiB free released %llu bytes", (unsigned long long)r);
        CHECKF(cycle((size_t)2 << 20) == 0, "2 MiB again: the threshold should have risen above it");
        r = cycle((size_t)4 << 20);
        CHECKF(r == (uint64_t)4 << 20, "4 MiB free released %llu bytes", (unsigned long long)r);
        printf("large frees released at once (GOHEAP_SCAVENGE_LARGE_KB=1024)\n");
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "preload") == 0) return preload_child();
    CHECKF(cycle((size_t)8 << 20) == 0, "library default: an 8 MiB free was released at once");
    reexec("/proc/self/exe", "GOHEAP_SCAVENGE_LARGE_KB=1024");
    const char *lib = getenv("GH_TEST_PRELOAD_LIB");
    if (lib && *lib) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            char env[4200];
            snprintf(env, sizeof env, "LD_PRELOAD=%s", lib);
            putenv(env);
            execl("/proc/self/exe", "test_largefree", "preload", (char *)NULL);
            _exit(127);
        }
        int st;
        CHECK(waitpid(pid, &st, 0) == pid);
        CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "preloaded child failed: status 0x%x", st);
        printf("libgoheap_malloc.so releases a freed 4 MiB block at once\n");
    }
    printf("large frees ok\n");
    return 0;
}
