/*
 * gnuplot.h — draw with gnuplot from the templates in plots/ (*.gp): the C
 * side writes data files and fills a template's variables (paths, titles,
 * colours); gnuplot does the drawing, to PNG (pngcairo), SVG, PDF (pdfcairo) and LaTeX (cairolatex). Also the
 * one colour per adapter that every plot uses.
 */
#ifndef HEAPBENCH_CLI_GNUPLOT_H
#define HEAPBENCH_CLI_GNUPLOT_H

#include <stddef.h>

#include "util.h"

/* "#1f77b4": the adapter's colour, the same in every plot. */
const char *cli_adapter_color(const char *adapter);
/* The folder holding the templates: $HB_PLOTS_DIR, <repo>/plots. */
const char *cli_plots_dir(void);
/* Whether gnuplot can be run. */
int cli_gnuplot_available(void);

enum { CLI_FMT_PNG = 1, CLI_FMT_SVG = 2, CLI_FMT_PDF = 4, CLI_FMT_TEX = 8 };

/* Renders template `tmpl` (a file name in cli_plots_dir()) to outbase.png,
 * .svg, .pdf and/or .tex (cairolatex: outbase-latex.tex + outbase-latex.pdf holding the
 * drawing, its text set by LaTeX), as the CLI_FMT_* bits of fmts say. The
 * template sees latex=1 for the cairolatex terminal. vars: "name=value" gnuplot assignments
 * (string values already quoted). Appends gnuplot's messages to log.
 * Returns the number of files written (0 on failure). */
int cli_gnuplot(const char *tmpl, const cli_strv *vars, const char *outbase, int fmts, const char *log);
/* The same with the figure's height scaled by hscale (1: the default). */
int cli_gnuplot_sized(const char *tmpl, const cli_strv *vars, const char *outbase, int fmts, const char *log,
                     double hscale);

/* A gnuplot single-quoted string literal of s (freshly allocated). */
char *cli_gp_str(const char *s);

#endif
