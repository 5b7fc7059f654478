/*
 * gc_gogc.c — gc/gogc-proportional: a collector that claims HB_CAP_GOGC
 * honours hb_options.gogc, the heap growth per cycle in percent: with the
 * same live heap, GOGC=50 gives half the headroom of GOGC=100 (heap goal
 * minus live heap) and about twice the cycles for the same allocation,
 * GOGC=200 twice the headroom and about half the cycles. A pacer that reads
 * GOGC but computes the goal from a fixed 100 passes every other property:
 * the default is right.
 *
 * A collector is configured once per process, so the property runs itself
 * three times as a probe: `hb-<adapter> conform --property
 * gc/gogc-proportional` with HB_GOGC=50, 100, 200 and HB_CF_GOGC_PROBE=1 in
 * the environment (conform passes HB_GOGC on as hb_options.gogc). A probe
 * keeps 8 MiB live, runs two full cycles, reads the goal, then allocates
 * 128 MiB of garbage and counts the cycles that ran by themselves; it prints
 * its figures as its detail, which this process parses.
 *
 * Bounds: each headroom ratio (100:50, 200:100) within [1.4, 2.9] (about
 * 2), where the collector reports a goal; GOGC=50 at least twice the
 * cycles of GOGC=200 (about 4; how many cycles run also depends on how fast
 * the collector keeps up with the allocation, so only the end points are
 * compared). A goal fixed at GOGC=100 gives ratios near 1. Sources: Go runtime/
 * mgcpacer.go (heap goal = live + (live + roots) x GOGC/100), the GOGC
 * guide (go.dev/doc/gc-guide). Proven by faults/gc_gogc_fixed.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gc_support.h"

extern char **environ;

enum { PLIVE = 8192, PLIVE_SIZE = 1024 };
#define PCHURN ((size_t)128 << 20)
enum { PCHURN_SIZE = 4096 };
#define PROBE_ENV "HB_CF_GOGC_PROBE"

typedef struct probe {
    int gogc;
    unsigned long long live, goal, cycles;
} probe;

/* In the probe process: the figures, as the detail of a passing result. */
static hb_cf_status probe_run(hb_cf_result *r) {
    void **live = calloc(PLIVE, sizeof *live);
    hb_root_add(live, PLIVE * sizeof *live);
    for (int i = 0; i < PLIVE; i++) hb_store(&live[i], hb_new(PLIVE_SIZE, HB_NOSCAN));
    hb_collect();
    hb_collect();
    hb_gc_stats a, b;
    hb_rt.ad->gc_stats(&a);
    for (size_t done = 0; done < PCHURN; done += PCHURN_SIZE) (void)hb_new(PCHURN_SIZE, HB_NOSCAN);
    hb_rt.ad->gc_stats(&b);
    const char *g = getenv("HB_GOGC");
    return hb_cf_pass(r, "probe gogc=%d live=%llu goal=%llu cycles=%llu", g ? atoi(g) : -1,
                      (unsigned long long)a.heap_live_bytes, (unsigned long long)a.heap_goal_bytes,
                      (unsigned long long)(b.cycles - a.cycles));
}

/* Run this executable as a probe with HB_GOGC=gogc; 0 and *out on success. */
static int run_probe(int gogc, probe *out, char *why, size_t n) {
    size_t ne = 0;
    while (environ[ne]) ne++;
    char **envp = calloc(ne + 3, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "HB_GOGC=", 8) && strncmp(environ[i], PROBE_ENV "=", sizeof PROBE_ENV))
            envp[k++] = environ[i];
    char gogc_env[32];
    snprintf(gogc_env, sizeof gogc_env, "HB_GOGC=%d", gogc);
    envp[k++] = gogc_env;
    envp[k++] = PROBE_ENV "=1";
    int fd[2];
    if (pipe(fd) != 0) return snprintf(why, n, "pipe: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    char *argv[] = {"hb-probe", "conform", "--property", "gc/gogc-proportional", NULL};
    pid_t pid;
    int e = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    close(fd[1]);
    if (e != 0) {
        close(fd[0]);
        return snprintf(why, n, "cannot run the probe (/proc/self/exe): %s", strerror(e));
    }
    char buf[4096];
    size_t have = 0;
    ssize_t got;
    while (have < sizeof buf - 1 && (got = read(fd[0], buf + have, sizeof buf - 1 - have)) > 0) have += (size_t)got;
    buf[have] = 0;
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    const char *p = strstr(buf, "probe gogc=");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !p ||
        sscanf(p, "probe gogc=%d live=%llu goal=%llu cycles=%llu", &out->gogc, &out->live, &out->goal,
               &out->cycles) != 4)
        return snprintf(why, n, "the probe with HB_GOGC=%d failed (status %#x): %.200s", gogc, st, buf);
    return 0;
}

static int in_band(double ratio) { return ratio >= 1.4 && ratio <= 2.9; }

static hb_cf_status gogc_run(hb_cf_result *r) {
    const char *probe_env = getenv(PROBE_ENV);
    if (probe_env && *probe_env) return probe_run(r);
    static const int settings[3] = {50, 100, 200};
    probe p[3];
    char why[512];
    for (int i = 0; i < 3; i++) {
        if (run_probe(settings[i], &p[i], why, sizeof why)) return hb_cf_fail(r, "%s", why);
        if (p[i].gogc != settings[i])
            return hb_cf_fail(r, "the probe saw HB_GOGC=%d, not %d: the property itself is broken", p[i].gogc,
                              settings[i]);
    }
    char figures[400];
    double room[3];
    for (int i = 0; i < 3; i++) room[i] = (double)p[i].goal - (double)p[i].live;
    snprintf(figures, sizeof figures,
             "GOGC 50/100/200: live %llu/%llu/%llu KiB, goal %llu/%llu/%llu KiB, %llu/%llu/%llu cycles per %zu MiB",
             p[0].live >> 10, p[1].live >> 10, p[2].live >> 10, p[0].goal >> 10, p[1].goal >> 10, p[2].goal >> 10,
             p[0].cycles, p[1].cycles, p[2].cycles, PCHURN >> 20);
    if (!p[1].cycles || !p[2].cycles)
        return hb_cf_fail(r, "no cycle ran by itself while %zu MiB were allocated: %s", PCHURN >> 20, figures);
    /* the cycle rate depends on how fast the collector keeps up, so only
     * the end points are compared: 4x the headroom must give far fewer */
    double c_ratio = (double)p[0].cycles / (double)p[2].cycles;
    if (c_ratio < 2.0)
        return hb_cf_fail(r, "the cycle rate does not follow GOGC (GOGC=50 ran %.2fx the cycles of GOGC=200 for the "
                          "same allocation; want about 4, at least 2): %s",
                          c_ratio, figures);
    if (p[1].goal && room[1] > 0) {
        double g_lo = room[1] / room[0], g_hi = room[2] / room[1];
        if (room[0] <= 0 || !in_band(g_lo) || !in_band(g_hi))
            return hb_cf_fail(r, "the heap goal does not move with GOGC (headroom 100:50 ratio %.2f, 200:100 ratio "
                              "%.2f; want about 2, within [1.4, 2.9]): %s",
                              g_lo, g_hi, figures);
    }
    return hb_cf_pass(r, "%s", figures);
}

static const hb_property gogc_prop = {
    .name = "gc/gogc-proportional",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_GOGC,
    .summary = "GOGC=50/100/200 move the heap goal and the cycle rate in proportion (same live heap, same allocation)",
    .source = "Go runtime/mgcpacer.go heap goal; go.dev/doc/gc-guide (GOGC)",
    .run = gogc_run,
};
HB_PROPERTY(gogc_prop);
