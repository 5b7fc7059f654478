/*
 * report_out.h — a run's results in the forms `heapbench report` writes:
 * LaTeX tables (report_tex.c), a long CSV of medians with confidence
 * intervals and the five-line summary `make bench` ends with
 * (report_tex.c), and the self-contained HTML page (report_html.c).
 * Markdown is report.md itself (results.h cli_run_report). Each returns a
 * malloc'd string; baseline NULL means the run's (ptable.h).
 */
#ifndef HEAPBENCH_CLI_REPORT_OUT_H
#define HEAPBENCH_CLI_REPORT_OUT_H

#include <jansson.h>

char *cli_report_latex(json_t *run, const char *baseline);
char *cli_report_csv(json_t *run, const char *baseline);
/* rundir: the run's folder (its conformance/ and report.html are named). */
char *cli_report_summary(json_t *run, const char *baseline, const char *rundir);
/* Inlines the SVGs in rundir/plots/ and reads rundir/conformance/conformance.json. */
char *cli_report_html(json_t *run, const char *baseline, const char *rundir);

/* The statement about the intervals every caption carries. */
void cli_ci_caption(char *buf, size_t len, double cover_min, size_t nmin, size_t nmax);
/* Violations in rundir/conformance/conformance.json: the count (-1 when
 * there is no such file) and "adapter property, ..." into buf. */
int cli_conformance_findings(const char *rundir, char *buf, size_t len);

#endif
