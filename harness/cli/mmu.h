/*
 * mmu.h — minimum mutator utilization (Cheng & Blelloch, 2001) and pause
 * lists from a collector's event timeline.
 *
 * MMU(w) is the smallest fraction of any time window of width w in which
 * the mutator ran (was not paused). A collector with short pauses but
 * many of them close together shows a poor MMU at small windows, which a
 * maximum pause time hides. The timeline comes from the child's
 * HB_GC_EVENTS_OUT file: "R start end" per run of the workload and
 * "E kind t heap" per event (0 pause start, 1 pause end).
 */
#ifndef HEAPBENCH_CLI_MMU_H
#define HEAPBENCH_CLI_MMU_H

#include <stddef.h>
#include <stdint.h>

typedef struct hb_interval {
    double start, end; /* seconds */
} hb_interval;

typedef struct hb_timeline {
    hb_interval *runs;   /* the workload's runs (mutator time) */
    size_t nruns;
    hb_interval *pauses; /* sorted, non-overlapping */
    size_t npauses;
} hb_timeline;

/* Parses an events file; 0, or -1 when it cannot be read. */
int hb_timeline_load(const char *path, hb_timeline *tl);
void hb_timeline_free(hb_timeline *tl);

/* MMU for a window of w seconds over every run at least w long; NaN when
 * no run is that long. */
double hb_mmu(const hb_timeline *tl, double w);

#endif
