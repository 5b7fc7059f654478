/*
 * env.h — capture the environment a run happened in, for reproducibility:
 * CPU model, cores, frequency governor, kernel, OS release, host, compiler and flags,
 * git commit and dirtiness, load average; and the warnings a careful
 * experimenter wants (busy machine, CPU scaling not `performance`).
 */
#ifndef HEAPBENCH_CLI_ENV_H
#define HEAPBENCH_CLI_ENV_H

#include <jansson.h>

/* Adds the machine/build/source fields to meta and appends warnings to
 * meta.warnings (created when absent). */
void cli_env_capture(json_t *meta);
/* "argv[0] argv[1] ..." quoted where needed. */
char *cli_command_line(int argc, char **argv);

#endif
