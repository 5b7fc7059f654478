/*
 * cli.h — the `heapbench` command line: one file per subcommand.
 *
 * Convention: cmd_<name>.c exports `int cmd_<name>(int argc, char **argv)`
 * (argv[0] is the subcommand's name) and next to it
 * `const cli_cmd_spec cmd_<name>_spec`, the option table it parses with
 * cli_opts_parse (opts.h) and that `heapbench help <name>` and
 * `heapbench --help` print from.
 *
 * Exit codes everywhere: 0 success, 1 a regression or conformance failure
 * found, 2 bad usage or bad input (with a message saying what and where).
 * Children's exit statuses are another protocol: heapbench/exitcodes.h.
 */
#ifndef HEAPBENCH_CLI_H
#define HEAPBENCH_CLI_H

#include "opts.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FOUND = 1, CLI_EXIT_USAGE = 2 };

/* Weak: a subcommand whose file is not in the build is reported as such
 * (its function and spec are then NULL). */
#define CLI_CMD __attribute__((weak))
CLI_CMD int cmd_list(int argc, char **argv);
CLI_CMD int cmd_run(int argc, char **argv);
CLI_CMD int cmd_conform(int argc, char **argv);
CLI_CMD int cmd_compare(int argc, char **argv);
CLI_CMD int cmd_plot(int argc, char **argv);
CLI_CMD int cmd_history(int argc, char **argv);
CLI_CMD int cmd_exec(int argc, char **argv);
CLI_CMD int cmd_export(int argc, char **argv);
CLI_CMD int cmd_explain(int argc, char **argv);
CLI_CMD int cmd_report(int argc, char **argv);
CLI_CMD int cmd_merge(int argc, char **argv);

CLI_CMD extern const cli_cmd_spec cmd_list_spec;
CLI_CMD extern const cli_cmd_spec cmd_run_spec;
CLI_CMD extern const cli_cmd_spec cmd_conform_spec;
CLI_CMD extern const cli_cmd_spec cmd_compare_spec;
CLI_CMD extern const cli_cmd_spec cmd_plot_spec;
CLI_CMD extern const cli_cmd_spec cmd_history_spec;
CLI_CMD extern const cli_cmd_spec cmd_exec_spec;
CLI_CMD extern const cli_cmd_spec cmd_export_spec;
CLI_CMD extern const cli_cmd_spec cmd_explain_spec;
CLI_CMD extern const cli_cmd_spec cmd_report_spec;
CLI_CMD extern const cli_cmd_spec cmd_merge_spec;

#endif
