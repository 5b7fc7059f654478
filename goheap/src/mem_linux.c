/*
 * mem_linux.c — the OS interface (Go's mem_linux.go).
 *
 * Go's memory states: Reserved (address space only, PROT_NONE), Prepared/
 * Ready (mapped read-write), and back to Prepared when the scavenger calls
 * sysUnused (madvise MADV_DONTNEED: the pages stay mapped, their physical
 * memory goes back to the kernel and they read as zero next time). goheap
 * never calls into libc functions that allocate: everything here is a raw
 * syscall wrapper, so it is safe inside an LD_PRELOAD malloc during bootstrap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"

extern char **environ;

void *gh_sysReserve(size_t n) {
    void *p = mmap(NULL, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int gh_sysMap(void *p, size_t n) { return mprotect(p, n, PROT_READ | PROT_WRITE); }

void gh_sysUnused(void *p, size_t n) {
    int e = errno;
    madvise(p, n, MADV_DONTNEED);
    errno = e;
}

/* Off-heap metadata: zeroed, lazily backed. */
void *gh_sysAlloc(size_t n) {
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void gh_throw(const char *msg) {
    static const char pre[] = "goheap: fatal error: ";
    ssize_t r = write(2, pre, sizeof pre - 1);
    r = write(2, msg, strlen(msg));
    r = write(2, "\n", 1);
    (void)r;
    abort();
}

/* getenv without locale or allocation concerns (reads environ directly). */
const char *gh_gogetenv(const char *name) {
    size_t n = strlen(name);
    if (!environ) return NULL;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

uint64_t gh_nanotime(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
