/*
 * plot_heatmap.h — the ratio heatmap, the main figure of `heapbench plot`.
 */
#ifndef HEAPBENCH_CLI_PLOT_HEATMAP_H
#define HEAPBENCH_CLI_PLOT_HEATMAP_H

#include <jansson.h>

/* Draws run's time (rss 0) or peak RSS (1) ratios to the baseline, the
 * data written to dpath, the figures to outbase.<format>. Returns the
 * number of files written; 0 (nothing drawn) when the run has no baseline
 * column or nothing beside it. */
int cli_plot_heatmap(json_t *run, const char *baseline, int rss, const char *dpath, const char *outbase, int fmts,
                    const char *log);

#endif
