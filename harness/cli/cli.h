/*
 * cli.h — the `heapbench` command line: one file per subcommand, each an
 * `int cmd_<name>(int argc, char **argv)` with argv[0] the subcommand name.
 * Exit codes everywhere: 0 success, 1 a regression or conformance failure
 * found, 2 bad usage or bad input (with a message saying what and where).
 */
#ifndef HEAPBENCH_CLI_H
#define HEAPBENCH_CLI_H

enum { HB_EXIT_OK = 0, HB_EXIT_FOUND = 1, HB_EXIT_USAGE = 2 };

/* Weak: a subcommand whose file is not in the build is reported as such. */
#define HB_CMD __attribute__((weak))
HB_CMD int cmd_list(int argc, char **argv);
HB_CMD int cmd_run(int argc, char **argv);
HB_CMD int cmd_conform(int argc, char **argv);
HB_CMD int cmd_compare(int argc, char **argv);
HB_CMD int cmd_plot(int argc, char **argv);
HB_CMD int cmd_history(int argc, char **argv);
HB_CMD int cmd_exec(int argc, char **argv);
HB_CMD int cmd_export(int argc, char **argv);

#endif
