/*
 * main.c — `heapbench`: dispatch to a subcommand (see cli.h). Each
 * subcommand is its own file (cmd_<name>.c); the declarations are weak so
 * a build without one of them says so instead of failing to link.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"list", cmd_list, "list adapters and workloads (--format json)"},
    {"run", cmd_run, "run workloads over adapters, one child per cell"},
    {"conform", cmd_conform, "check adapters against the conformance properties"},
    {"compare", cmd_compare, "compare two runs; exit 1 on a significant regression"},
    {"plot", cmd_plot, "draw a run's plots with gnuplot"},
    {"history", cmd_history, "list indexed runs; a benchmark's trend across commits"},
    {"exec", cmd_exec, "run a program under each allocator with LD_PRELOAD"},
    {"export", cmd_export, "export a run in another format (--format bmf)"},
};

static int usage(FILE *out) {
    fprintf(out, "usage: heapbench <command> [options]   (heapbench <command> --help)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (commands[i].fn) fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
    return out == stderr ? HB_EXIT_USAGE : HB_EXIT_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage(stderr);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return usage(stdout);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            if (!commands[i].fn) {
                fprintf(stderr, "heapbench: '%s' is not part of this build\n", argv[1]);
                return HB_EXIT_USAGE;
            }
            return commands[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "heapbench: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
