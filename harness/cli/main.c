/*
 * main.c — `heapbench`: dispatch to a subcommand (see cli.h), and the
 * top-level `--help`, `help [CMD]` and `--version`.
 *
 * Each subcommand is its own file (cmd_<name>.c) with its option table
 * (cmd_<name>_spec); the declarations are weak so a build without one of
 * them says so instead of failing to link. The top-level help lists each
 * subcommand with its spec's summary, so it cannot drift from `help CMD`.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "manpage.h"
#include "util.h"

#ifndef HB_VERSION
#define HB_VERSION "0"
#endif
#ifndef HB_BUILD_TYPE
#define HB_BUILD_TYPE ""
#endif
#ifndef HB_COMPILER
#define HB_COMPILER "unknown"
#endif

typedef struct command {
    const char *name;
    int (*fn)(int, char **);
    const cli_cmd_spec *spec; /* NULL while the subcommand has no table */
} command;

/* Invariant: one row per subcommand, in the order `--help` lists them. */
static const command commands[] = {
    {"list", cmd_list, &cmd_list_spec},          {"run", cmd_run, &cmd_run_spec},
    {"conform", cmd_conform, &cmd_conform_spec}, {"compare", cmd_compare, &cmd_compare_spec},
    {"plot", cmd_plot, &cmd_plot_spec},          {"history", cmd_history, &cmd_history_spec},
    {"exec", cmd_exec, &cmd_exec_spec},          {"export", cmd_export, &cmd_export_spec},
    {"explain", cmd_explain, &cmd_explain_spec},
    {"report", cmd_report, &cmd_report_spec},
    {"merge", cmd_merge, &cmd_merge_spec},
};
enum { NCOMMANDS = sizeof commands / sizeof *commands };

static const command *find(const char *name) {
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(name, commands[i].name)) return &commands[i];
    return NULL;
}

static void usage(FILE *out) {
    fprintf(out, "usage: heapbench <command> [options]\n"
                 "       heapbench help <command>    (or heapbench <command> --help)\n"
                 "       heapbench --version\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const command *c = &commands[i];
        if (!c->fn) continue;
        fprintf(out, "  %-9s %s\n", c->name, c->spec ? c->spec->summary : "(no help table in this build)");
    }
}

/* `heapbench --version`: version, the source tree's commit, build type. */
static int version(void) {
    char commit[64], shortc[16];
    int dirty;
    cli_git_info(commit, sizeof commit, shortc, sizeof shortc, &dirty);
    printf("heapbench %s\ncommit %s%s\nbuild %s, %s\n", HB_VERSION, commit, dirty == 1 ? " (dirty)" : "",
           *HB_BUILD_TYPE ? HB_BUILD_TYPE : "default", HB_COMPILER);
    return CLI_EXIT_OK;
}

/* `heapbench help --man` (not listed): heapbench(1) from the tables. */
static int man(void) {
    const cli_cmd_spec *specs[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++) specs[i] = commands[i].fn ? commands[i].spec : NULL;
    cli_man_write(stdout, HB_VERSION, specs, NCOMMANDS);
    return CLI_EXIT_OK;
}

/* `heapbench help [CMD]`: stdout and 0, or stderr and 2 for an unknown CMD. */
static int help(int argc, char **argv) {
    if (argc >= 3 && !strcmp(argv[2], "--man")) return man();
    if (argc < 3) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    const command *c = find(argv[2]);
    if (!c) {
        fprintf(stderr, "heapbench help: unknown command '%s'\n", argv[2]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!c->fn) {
        fprintf(stderr, "heapbench help: '%s' is not part of this build\n", argv[2]);
        return CLI_EXIT_USAGE;
    }
    if (!c->spec) {
        fprintf(stderr, "heapbench help: '%s' has no option table in this build (try heapbench %s --help)\n",
                argv[2], argv[2]);
        return CLI_EXIT_USAGE;
    }
    cli_opts_help(c->spec, stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *a = argv[1];
    if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "help")) return help(argc, argv);
    if (!strcmp(a, "--version") || !strcmp(a, "-V") || !strcmp(a, "version")) return version();
    const command *c = find(a);
    if (!c) {
        fprintf(stderr, "heapbench: unknown command '%s'\n", a);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!c->fn) {
        fprintf(stderr, "heapbench: '%s' is not part of this build\n", a);
        return CLI_EXIT_USAGE;
    }
    return c->fn(argc - 1, argv + 1);
}
