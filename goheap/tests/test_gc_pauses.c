/* test_gc_pauses — the split of every stop-the-world pause into the time to
 * stop the world (request -> the last thread acknowledged) and the pause's
 * own work (stopped -> restart), as gh_gc_stats reports it:
 *
 *   1. stop + work = the pause, exactly, over all pauses; each part's p50 <=
 *      p99 <= max <= the longest pause;
 *   2. a thread slow to reach a safe point shows up in the stopping part:
 *      a mutator that blocks the suspend signal and polls gh_gc_safepoint
 *      only every SLOW_MS makes the world wait for it, so the longest stop
 *      grows to a large part of SLOW_MS, while the work part does not. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "check.h"
#include "goheap/gc.h"

#define SLOW_MS 200
#define STOP_MIN_NS (50u * 1000000u) /* a quarter of SLOW_MS */

static _Atomic int done, attached;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void check_split(const char *when) {
    gh_gc_stats s;
    gh_gc_stats_read(&s);
    fprintf(stderr, "%s: %llu pauses, total %llu ns = stop %llu + work %llu; stop p50/p99/max %llu/%llu/%llu, "
                    "work p50/p99/max %llu/%llu/%llu\n",
            when, (unsigned long long)s.pauses, (unsigned long long)s.pause_total_ns,
            (unsigned long long)s.pause_stop_total_ns, (unsigned long long)s.pause_work_total_ns,
            (unsigned long long)s.pause_stop_p50_ns, (unsigned long long)s.pause_stop_p99_ns,
            (unsigned long long)s.pause_stop_max_ns, (unsigned long long)s.pause_work_p50_ns,
            (unsigned long long)s.pause_work_p99_ns, (unsigned long long)s.pause_work_max_ns);
    CHECK(s.pauses >= 2 * s.cycles && s.cycles > 0);
    CHECKF(s.pause_stop_total_ns + s.pause_work_total_ns == s.pause_total_ns, "stop + work != total");
    CHECK(s.pause_stop_total_ns > 0 && s.pause_work_total_ns > 0);
    CHECK(s.pause_stop_p50_ns <= s.pause_stop_p99_ns && s.pause_stop_p99_ns <= s.pause_stop_max_ns);
    CHECK(s.pause_work_p50_ns <= s.pause_work_p99_ns && s.pause_work_p99_ns <= s.pause_work_max_ns);
    CHECK(s.pause_stop_max_ns <= s.pause_max_ns && s.pause_work_max_ns <= s.pause_max_ns);
}

/* A mutator that cannot be stopped by the signal (it blocks SIGPWR) and
 * reaches a safe point only every SLOW_MS of busy work. */
static void *slow_mutator(void *arg) {
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPWR);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    gh_gc_thread_attach();
    attached = 1;
    while (!done) {
        uint64_t until = now_ns() + SLOW_MS * 1000000ull;
        while (now_ns() < until && !done) {
        }
        gh_gc_safepoint();
    }
    gh_gc_thread_detach();
    return NULL;
}

static void make_garbage(void) {
    static const gh_layout two = {2, 0x3};
    for (int i = 0; i < 20000; i++) CHECK(gh_gc_alloc(32, &two));
}

int main(void) {
    CHECK(gh_gc_init(NULL) == 0);
    for (int i = 0; i < 3; i++) {
        make_garbage();
        gh_gc_collect();
    }
    check_split("prompt threads");
    gh_gc_stats before;
    gh_gc_stats_read(&before);
    CHECKF(before.pause_stop_max_ns < STOP_MIN_NS, "stop max %llu ns before any slow thread",
           (unsigned long long)before.pause_stop_max_ns);

    pthread_t t;
    CHECK(pthread_create(&t, NULL, slow_mutator, NULL) == 0);
    while (!attached) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    for (int i = 0; i < 3; i++) {
        make_garbage();
        gh_gc_collect();
    }
    done = 1;
    CHECK(pthread_join(t, NULL) == 0);
    check_split("one slow thread");
    gh_gc_stats after;
    gh_gc_stats_read(&after);
    CHECKF(after.pause_stop_max_ns >= STOP_MIN_NS, "stop max %llu ns: the slow thread's wait is not in it",
           (unsigned long long)after.pause_stop_max_ns);
    CHECKF(after.pause_work_max_ns < STOP_MIN_NS, "work max %llu ns: the wait for the slow thread counted as work",
           (unsigned long long)after.pause_work_max_ns);
    printf("test_gc_pauses: ok\n");
    return 0;
}
