/*
 * opts.h — one declarative option table per subcommand, parsed with
 * getopt_long and turned into that subcommand's --help.
 *
 * Why: every subcommand once parsed argv by hand, each its own way. A
 * table makes `--opt=value` and `--opt value` both work everywhere, reports
 * an unknown option and a missing value the same way, and keeps --help
 * true to what is parsed. Example:
 *
 *     static const hb_opt run_opts[] = {
 *         {"adapters", 'a', "LIST", "comma-separated adapters (default: all)"},
 *         {"latency", OPT_LATENCY, NULL, "sample per-call latency"},
 *         {0},
 *     };
 *     const hb_cmd_spec cmd_run_spec = {"run", "[options]",
 *         "run workloads over adapters, one child per cell", run_opts, NULL, 0};
 *
 *     int rc = hb_opts_parse(&cmd_run_spec, argc, argv, on_opt, &cfg, &first);
 *     if (rc != HB_OPTS_OK) return rc == HB_OPTS_HELP ? 0 : 2;
 *     // argv[first..argc) are the positional arguments
 *
 * --help / -h is built into every table.
 */
#ifndef HEAPBENCH_CLI_OPTS_H
#define HEAPBENCH_CLI_OPTS_H

#include <stdio.h>

typedef struct hb_opt {
    const char *name; /* long name without "--"; NULL ends the table */
    int key;          /* a short option letter, or a unique value >= 256 (long only) */
    const char *arg;  /* the value's metavar ("LIST"); NULL for a flag */
    const char *help; /* one line */
} hb_opt;

enum { HB_OPT_LONG_ONLY = 256 }; /* first key value for long-only options */

typedef struct hb_cmd_spec {
    const char *name;     /* "run" */
    const char *synopsis; /* after "heapbench run ": "[options]", "BASE NEW [options]" */
    const char *summary;  /* one line, also in `heapbench --help` */
    const hb_opt *opts;
    const char *epilog;   /* more help text after the option list; may be NULL */
    int stop_at_operand;  /* 1: options end at the first operand (exec -- PROG ARGS) */
} hb_cmd_spec;

enum { HB_OPTS_OK = 0, HB_OPTS_HELP = 1, HB_OPTS_ERROR = 2 };

/* A handler for one parsed option: key as in the table, arg its value (NULL
 * for a flag). Returns 0, or non-zero after printing what is wrong (use
 * hb_opts_bad()). */
typedef int (*hb_opt_fn)(void *ctx, int key, const char *arg);

/* Parses argv (argv[0] is the subcommand's name). On --help prints the help to
 * stdout and returns HB_OPTS_HELP; on an unknown option, a missing value or a
 * handler's refusal prints "heapbench CMD: ..." and a hint to stderr and
 * returns HB_OPTS_ERROR. Otherwise HB_OPTS_OK with *first set to the index of
 * the first operand (operands are argv[*first .. argc)). */
int hb_opts_parse(const hb_cmd_spec *spec, int argc, char **argv, hb_opt_fn fn, void *ctx, int *first);

/* The subcommand's help: usage line, summary, option table, epilog. */
void hb_opts_help(const hb_cmd_spec *spec, FILE *out);

/* For handlers: prints "heapbench CMD: --NAME <why>" to stderr and returns 1. */
int hb_opts_bad(const hb_cmd_spec *spec, int key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Value checkers for handlers; each returns 0 with *out set, or prints
 * "heapbench CMD: --NAME takes ..., not 'ARG'" (hb_opts_bad) and returns 1.
 * hb_opts_choice: arg must be one of the NULL-terminated choices (*out = arg).
 * hb_opts_double: a finite number > min. hb_opts_long: an integer in [lo, hi]. */
int hb_opts_choice(const hb_cmd_spec *spec, int key, const char *arg, const char **out, ...)
    __attribute__((sentinel));
int hb_opts_double(const hb_cmd_spec *spec, int key, const char *arg, double min, double *out);
int hb_opts_long(const hb_cmd_spec *spec, int key, const char *arg, long lo, long hi, long *out);

/* For operand checks after parsing: prints "heapbench CMD: <why>" and the
 * help hint to stderr, returns HB_OPTS_ERROR (2, the CLI's usage status). */
int hb_opts_usage_error(const hb_cmd_spec *spec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
