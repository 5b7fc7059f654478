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

typedef struct cli_interval {
    double start, end; /* seconds */
} cli_interval;

typedef struct cli_timeline {
    cli_interval *runs;   /* the workload's runs (mutator time) */
    size_t nruns;
    cli_interval *pauses; /* sorted, non-overlapping */
    size_t npauses;
} cli_timeline;

/* Parses an events file; 0, or -1 when it cannot be read. */
int cli_timeline_load(const char *path, cli_timeline *tl);
void cli_timeline_free(cli_timeline *tl);

/* MMU for a window of w seconds over every run at least w long; NaN when
 * no run is that long. */
double cli_mmu(const cli_timeline *tl, double w);

#endif
