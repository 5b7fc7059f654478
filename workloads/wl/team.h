/*
 * wl/team.h — running a function on N threads known to the collector and
 * joining them (hb_thread_start/hb_thread_join), for the concurrent/
 * workloads. Each thread gets its index and the shared argument.
 */
#ifndef HB_WL_TEAM_H
#define HB_WL_TEAM_H

#include <pthread.h>
#include <stdlib.h>

#include "heapbench/object.h"

typedef struct wl_member {
    void *(*fn)(void *shared, int index);
    void *shared;
    int index;
} wl_member;

static inline void *wl_member_main(void *p) {
    wl_member *m = p;
    return m->fn(m->shared, m->index);
}

/* Runs fn(shared, i) for i in [0, n) on n threads and waits for all;
 * returns the number of threads that could not be started. */
static inline int wl_team_run(int n, void *(*fn)(void *shared, int index), void *shared) {
    if (n < 1) return 0;
    pthread_t *t = calloc((size_t)n, sizeof *t);
    wl_member *m = calloc((size_t)n, sizeof *m);
    char *ok = calloc((size_t)n, 1);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        m[i] = (wl_member){fn, shared, i};
        ok[i] = hb_thread_start(&t[i], wl_member_main, &m[i]) == 0;
        failed += !ok[i];
    }
    for (int i = 0; i < n; i++)
        if (ok[i]) hb_thread_join(t[i]);
    free(ok);
    free(m);
    free(t);
    return failed;
}

#endif
