/*
 * mmu.c — MMU from pause intervals (see mmu.h).
 *
 * Within one run [s, e], the paused time of a window [a, a + w] is
 * P(a + w) - P(a), with P the cumulative pause time, found by binary
 * search over the sorted pauses with prefix sums. The utilization is
 * piecewise linear in a, so its minimum lies at a window that starts at a
 * pause start or ends at a pause end (or at the run's edges): only those
 * candidates are tried, O(P log P) per window width.
 */
#include "mmu.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_iv(const void *a, const void *b) {
    const cli_interval *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

int cli_timeline_load(const char *path, cli_timeline *tl) {
    memset(tl, 0, sizeof *tl);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t rcap = 16, pcap = 64;
    tl->runs = malloc(rcap * sizeof *tl->runs);
    tl->pauses = malloc(pcap * sizeof *tl->pauses);
    char line[256];
    double open = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long long a, b, c;
        if (line[0] == 'R' && sscanf(line + 1, "%llu %llu", &a, &b) == 2 && b >= a) {
            if (tl->nruns == rcap) tl->runs = realloc(tl->runs, (rcap *= 2) * sizeof *tl->runs);
            tl->runs[tl->nruns++] = (cli_interval){(double)a * 1e-9, (double)b * 1e-9};
        } else if (line[0] == 'E' && sscanf(line + 1, "%llu %llu %llu", &a, &b, &c) == 3) {
            double t = (double)b * 1e-9;
            if (a == 0) open = t;
            else if (a == 1 && open >= 0 && t >= open) {
                if (tl->npauses == pcap) tl->pauses = realloc(tl->pauses, (pcap *= 2) * sizeof *tl->pauses);
                tl->pauses[tl->npauses++] = (cli_interval){open, t};
                open = -1;
            }
        }
    }
    fclose(f);
    qsort(tl->pauses, tl->npauses, sizeof *tl->pauses, cmp_iv);
    /* merge overlaps (pauses of several threads) */
    size_t k = 0;
    for (size_t i = 0; i < tl->npauses; i++) {
        if (k && tl->pauses[i].start <= tl->pauses[k - 1].end) {
            if (tl->pauses[i].end > tl->pauses[k - 1].end) tl->pauses[k - 1].end = tl->pauses[i].end;
        } else {
            tl->pauses[k++] = tl->pauses[i];
        }
    }
    tl->npauses = k;
    return 0;
}

void cli_timeline_free(cli_timeline *tl) {
    free(tl->runs);
    free(tl->pauses);
    memset(tl, 0, sizeof *tl);
}

/* Paused time in [0, t] over pauses p[0..n) with prefix sums pre. */
static double cum(const cli_interval *p, const double *pre, size_t n, double t) {
    size_t lo = 0, hi = n; /* first pause with start > t */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p[mid].start <= t) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return 0;
    const cli_interval *q = &p[lo - 1];
    double in = t < q->end ? t - q->start : q->end - q->start;
    return pre[lo - 1] + in;
}

double cli_mmu(const cli_timeline *tl, double w) {
    double best = NAN;
    for (size_t r = 0; r < tl->nruns; r++) {
        double s = tl->runs[r].start, e = tl->runs[r].end;
        if (e - s < w || w <= 0) continue;
        /* the pauses clipped to this run */
        size_t n = 0;
        cli_interval *p = malloc((tl->npauses + 1) * sizeof *p);
        double *pre = malloc((tl->npauses + 1) * sizeof *pre);
        double acc = 0;
        for (size_t i = 0; i < tl->npauses; i++) {
            double a = tl->pauses[i].start > s ? tl->pauses[i].start : s;
            double b = tl->pauses[i].end < e ? tl->pauses[i].end : e;
            if (b <= a) continue;
            pre[n] = acc;
            p[n++] = (cli_interval){a, b};
            acc += b - a;
        }
        double worst = 1;
        for (size_t i = 0; i <= 2 * n + 1; i++) {
            double a = i == 2 * n ? s : i == 2 * n + 1 ? e - w : i % 2 == 0 ? p[i / 2].start : p[i / 2].end - w;
            if (a < s) a = s;
            if (a > e - w) a = e - w;
            double paused = cum(p, pre, n, a + w) - cum(p, pre, n, a);
            double u = 1 - paused / w;
            if (u < worst) worst = u;
        }
        if (worst < 0) worst = 0;
        if (isnan(best) || worst < best) best = worst;
        free(p);
        free(pre);
    }
    return best;
}
