/*
 * gnuplot.h — draw with gnuplot from the templates in plots/ (*.gp): the C
 * side writes data files and fills a template's variables (paths, titles,
 * colours); gnuplot does the drawing, to PNG (pngcairo) and SVG. Also the
 * one colour per adapter that every plot uses.
 */
#ifndef HEAPBENCH_CLI_GNUPLOT_H
#define HEAPBENCH_CLI_GNUPLOT_H

#include <stddef.h>

#include "util.h"

/* "#1f77b4": the adapter's colour, the same in every plot. */
const char *hb_adapter_color(const char *adapter);
/* The folder holding the templates: $HB_PLOTS_DIR, <repo>/plots. */
const char *hb_plots_dir(void);
/* Whether gnuplot can be run. */
int hb_gnuplot_available(void);

/* Renders template `tmpl` (a file name in hb_plots_dir()) to
 * outbase.png and/or outbase.svg. vars: "name=value" gnuplot assignments
 * (string values already quoted). Appends gnuplot's messages to log.
 * Returns the number of files written (0 on failure). */
int hb_gnuplot(const char *tmpl, const hb_strv *vars, const char *outbase, int png, int svg, const char *log);

/* A gnuplot single-quoted string literal of s (freshly allocated). */
char *hb_gp_str(const char *s);

#endif
