/*
 * runcell.h — one cell of `heapbench run`: the hb-<adapter> command line
 * for it, running it under the child runner (child.h), and the record that
 * goes into run.json's results (docs/results-format.md).
 *
 * A cell's status is "ok", "unsupported", "timeout", "crashed", "error", or
 * the name the child's exit status stands for (exitcodes.h:
 * "failed-validation", "selfcheck-failed", "setup-failed", "usage-error").
 * Everything but ok and unsupported makes `heapbench run` exit 1.
 */
#ifndef HEAPBENCH_CLI_RUNCELL_H
#define HEAPBENCH_CLI_RUNCELL_H

#include <jansson.h>

#include "runplan.h"

/* Runs the cell; its files go to dir/raw and dir/logs. Returns its record
 * (never NULL). */
json_t *cli_cell_run(const cli_run_config *c, const cli_cell *cell, const char *dir);

/* Whether a cell status fails the run (not ok, not unsupported). */
int cli_cell_status_fails(const char *status);

#endif
