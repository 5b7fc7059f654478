/*
 * manpage.h — heapbench(1), generated from the subcommands' option tables.
 */
#ifndef HEAPBENCH_CLI_MANPAGE_H
#define HEAPBENCH_CLI_MANPAGE_H

#include <stddef.h>
#include <stdio.h>

#include "opts.h"

/* Writes the man page in roff: one section per spec (NULL entries skipped). */
void cli_man_write(FILE *out, const char *version, const cli_cmd_spec *const *specs, size_t n);

#endif
