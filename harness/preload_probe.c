/*
 * preload_probe.c — libhb-preload-probe.so: proves which library serves
 * malloc in a program run by `heapbench exec`.
 *
 * Why: LD_PRELOAD fails silently as far as the program's exit status is
 * concerned — a library the dynamic linker cannot load is skipped with a
 * line on stderr, and a static or setuid program ignores LD_PRELOAD — so
 * without a check the "jemalloc" row would be glibc measured twice.
 * heapbench exec preloads this probe after the allocator's library; its
 * constructor resolves `malloc` as the program will (dlsym RTLD_DEFAULT),
 * asks dladdr which object defines it, and appends "PID PATH\n" to the
 * file named by HB_PRELOAD_PROBE. No line for the program's PID means the
 * preload never happened. It writes with write(2) into stack buffers and
 * allocates nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void hb_preload_probe(void) {
    const char *out = getenv("HB_PRELOAD_PROBE");
    if (!out || !*out) return;
    Dl_info info;
    void *fn = dlsym(RTLD_DEFAULT, "malloc");
    const char *lib = fn && dladdr(fn, &info) && info.dli_fname ? info.dli_fname : "?";
    char line[4200];
    int n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), lib);
    int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    if (n > 0) (void)!write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    close(fd);
}
