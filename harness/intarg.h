/*
 * intarg.h — parse an integer command-line value with an optional binary
 * suffix ("12", "0x40", "64K", "16M", "1G"). Shared by the hb-<adapter>
 * main and the heapbench CLI, which are separate executables.
 */
#ifndef HEAPBENCH_INTARG_H
#define HEAPBENCH_INTARG_H

#include <errno.h>
#include <stdlib.h>

/* 0 on success; -1 when s is not an integer with an optional K/M/G. */
static inline int hb_parse_int(const char *s, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s) return -1;
    switch (*end) {
    case 'K': case 'k': v <<= 10; end++; break;
    case 'M': case 'm': v <<= 20; end++; break;
    case 'G': case 'g': v <<= 30; end++; break;
    default: break;
    }
    if (*end) return -1;
    *out = v;
    return 0;
}

#endif
