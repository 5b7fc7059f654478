/*
 * opts.h — one declarative option table per subcommand, parsed with
 * getopt_long and turned into that subcommand's --help.
 *
 * Why: every subcommand once parsed argv by hand, each its own way. A
 * table makes `--opt=value` and `--opt value` both work everywhere, reports
 * an unknown option and a missing value the same way, and keeps --help
 * true to what is parsed. Example:
 *
 *     static const cli_opt run_opts[] = {
 *         {"adapters", 'a', "LIST", "comma-separated adapters (default: all)"},
 *         {"latency", OPT_LATENCY, NULL, "sample per-call latency"},
 *         {0},
 *     };
 *     const cli_cmd_spec cmd_run_spec = {"run", "[options]",
 *         "run workloads over adapters, one child per cell", run_opts, NULL, 0};
 *
 *     int rc = cli_opts_parse(&cmd_run_spec, argc, argv, on_opt, &cfg, &first);
 *     if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? 0 : 2;
 *     // argv[first..argc) are the positional arguments
 *
 * --help / -h is built into every table.
 */
#ifndef HEAPBENCH_CLI_OPTS_H
#define HEAPBENCH_CLI_OPTS_H

#include <stdio.h>

typedef struct cli_opt {
    const char *name; /* long name without "--"; NULL ends the table */
    int key;          /* a short option letter, or a unique value >= 256 (long only) */
    const char *arg;  /* the value's metavar ("LIST"); NULL for a flag */
    const char *help; /* one line */
} cli_opt;

enum { CLI_OPT_LONG_ONLY = 256 }; /* first key value for long-only options */

typedef struct cli_cmd_spec {
    const char *name;     /* "run" */
    const char *synopsis; /* after "heapbench run ": "[options]", "BASE NEW [options]" */
    const char *summary;  /* one line, also in `heapbench --help` */
    const cli_opt *opts;
    const char *epilog;   /* more help text after the option list; may be NULL */
    int stop_at_operand;  /* 1: options end at the first operand (exec -- PROG ARGS) */
} cli_cmd_spec;

enum { CLI_OPTS_OK = 0, CLI_OPTS_HELP = 1, CLI_OPTS_ERROR = 2 };

/* A handler for one parsed option: key as in the table, arg its value (NULL
 * for a flag). Returns 0, or non-zero after printing what is wrong (use
 * cli_opts_bad()). */
typedef int (*cli_opt_fn)(void *ctx, int key, const char *arg);

/* Parses argv (argv[0] is the subcommand's name). On --help prints the help to
 * stdout and returns CLI_OPTS_HELP; on an unknown option, a missing value or a
 * handler's refusal prints "heapbench CMD: ..." and a hint to stderr and
 * returns CLI_OPTS_ERROR. Otherwise CLI_OPTS_OK with *first set to the index of
 * the first operand (operands are argv[*first .. argc)). */
int cli_opts_parse(const cli_cmd_spec *spec, int argc, char **argv, cli_opt_fn fn, void *ctx, int *first);

/* The subcommand's help: usage line, summary, option table, epilog. */
void cli_opts_help(const cli_cmd_spec *spec, FILE *out);

/* For handlers: prints "heapbench CMD: --NAME <why>" to stderr and returns 1. */
int cli_opts_bad(const cli_cmd_spec *spec, int key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Value checkers for handlers; each returns 0 with *out set, or prints
 * "heapbench CMD: --NAME takes ..., not 'ARG'" (cli_opts_bad) and returns 1.
 * cli_opts_choice: arg must be one of the NULL-terminated choices (*out = arg).
 * cli_opts_double: a finite number > min. cli_opts_long: an integer in [lo, hi]. */
int cli_opts_choice(const cli_cmd_spec *spec, int key, const char *arg, const char **out, ...)
    __attribute__((sentinel));
int cli_opts_double(const cli_cmd_spec *spec, int key, const char *arg, double min, double *out);
int cli_opts_long(const cli_cmd_spec *spec, int key, const char *arg, long lo, long hi, long *out);

/* For operand checks after parsing: prints "heapbench CMD: <why>" and the
 * help hint to stderr, returns CLI_OPTS_ERROR (2, the CLI's usage status). */
int cli_opts_usage_error(const cli_cmd_spec *spec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
