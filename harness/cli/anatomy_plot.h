/*
 * anatomy_plot.h — one stacked-area anatomy plot per cell of a run
 * (harness/cli/anatomy_plot.c, plots/anatomy.gp).
 */
#ifndef HEAPBENCH_CLI_ANATOMY_PLOT_H
#define HEAPBENCH_CLI_ANATOMY_PLOT_H

#include <jansson.h>

/* Draws anatomy-<cell>.{png,svg,pdf,…} (fmts: CLI_FMT_* bits) into out (data files into data) for every
 * cell of run (its folder: dir) with anatomy samples; returns files written. */
int cli_an_plot_run(json_t *run, const char *dir, const char *out, const char *data, int fmts,
                   const char *log);

#endif
