/*
 * cmd_compare.c — `heapbench compare BASE NEW`: did NEW get worse than BASE,
 * and can the two runs be compared at all?
 *
 * parse (this file, with opts.h) → environment difference (compare_env.c)
 * → pair the cells (compare_match.c) → verdicts (compare_judge.c) → report
 * (compare_report.c, compare_json.c). The rules — what is matched, what is
 * a failure, which exit status — are written down in compare.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "opts.h"
#include "results.h"

enum { OPT_THRESHOLD = CLI_OPT_LONG_ONLY, OPT_ALPHA, OPT_METRIC, OPT_FORMAT, OPT_MARKDOWN, OPT_ALLOW_ENV };

static const cli_opt compare_opts[] = {
    {"threshold", OPT_THRESHOLD, "PCT", "smallest slowdown that counts, e.g. 5% (default 5%)"},
    {"alpha", OPT_ALPHA, "P", "significance level of the Mann–Whitney U test (default 0.05)"},
    {"metric", OPT_METRIC, "real|cpu|rss", "median real time, CPU time, or peak RSS (default real)"},
    {"format", OPT_FORMAT, "FORMAT", "text, markdown or json: what to print on stdout (default text)"},
    {"markdown", OPT_MARKDOWN, "FILE", "also write the report as Markdown to FILE"},
    {"allow-env-change", OPT_ALLOW_ENV, NULL, "compare runs from different machines, presets or library versions"},
    {0},
};

const cli_cmd_spec cmd_compare_spec = {
    .name = "compare",
    .synopsis = "BASE NEW [options]",
    .summary = "compare two runs; exit 1 on a significant regression or a broken/missing cell",
    .opts = compare_opts,
    .epilog = "BASE, NEW: run folders, run.json files, or Google Benchmark JSON files.\n"
              "Cells are matched on adapter, workload, threads and the parameters they ran with;\n"
              "the environment difference (machine, build, preset, library versions) is printed first.\n"
              "Exit status: 0 no regression; 1 a regression, a cell ok in BASE and not in NEW, a cell\n"
              "missing from NEW, or an incomplete NEW run; 2 bad input, nothing compared, or a different\n"
              "machine, preset or library version without --allow-env-change.\n",
    .stop_at_operand = 0,
};

static int parse_threshold(cli_cmp_opts *o, const char *v) {
    char *end;
    errno = 0;
    double t = strtod(v, &end);
    if (end == v || (*end && strcmp(end, "%")) || !(t >= 0) || !isfinite(t))
        return cli_opts_bad(&cmd_compare_spec, OPT_THRESHOLD, "takes a percentage such as 5%%, not '%s'", v);
    o->threshold = t / 100; /* "5" and "5%" both mean 5 % */
    return 0;
}

static int on_opt(void *ctx, int key, const char *v) {
    cli_cmp_opts *o = ctx;
    char *end;
    switch (key) {
    case OPT_THRESHOLD: return parse_threshold(o, v);
    case OPT_ALPHA:
        o->alpha = strtod(v, &end);
        if (end == v || *end || !(o->alpha > 0 && o->alpha < 1))
            return cli_opts_bad(&cmd_compare_spec, key, "takes a number between 0 and 1, not '%s'", v);
        return 0;
    case OPT_METRIC:
        if (!strcmp(v, "real")) o->metric = CLI_CMP_REAL;
        else if (!strcmp(v, "cpu")) o->metric = CLI_CMP_CPU;
        else if (!strcmp(v, "rss")) o->metric = CLI_CMP_RSS;
        else return cli_opts_bad(&cmd_compare_spec, key, "takes real, cpu or rss, not '%s'", v);
        return 0;
    case OPT_FORMAT:
        if (!strcmp(v, "text")) o->format = CLI_CMP_TEXT;
        else if (!strcmp(v, "markdown")) o->format = CLI_CMP_MARKDOWN;
        else if (!strcmp(v, "json")) o->format = CLI_CMP_JSON;
        else return cli_opts_bad(&cmd_compare_spec, key, "takes text, markdown or json, not '%s'", v);
        return 0;
    case OPT_MARKDOWN: o->markdown_file = v; return 0;
    case OPT_ALLOW_ENV: o->allow_env_change = 1; return 0;
    }
    return 1;
}

/* Options and the two operands; CLI_OPTS_OK, or the exit status to return. */
static int parse(int argc, char **argv, cli_cmp_opts *o, int *rc) {
    int first;
    *o = (cli_cmp_opts){.threshold = 0.05, .alpha = 0.05};
    int r = cli_opts_parse(&cmd_compare_spec, argc, argv, on_opt, o, &first);
    if (r != CLI_OPTS_OK) return *rc = r == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE, -1;
    if (argc - first != 2) {
        fprintf(stderr, "heapbench compare: needs two runs, BASE and NEW (%d given)\n", argc - first);
        fprintf(stderr, "heapbench compare: see 'heapbench help compare'\n");
        return *rc = CLI_EXIT_USAGE, -1;
    }
    o->paths[0] = argv[first];
    o->paths[1] = argv[first + 1];
    return 0;
}

static int load(cli_cmp *c) {
    char err[2048];
    if (!(c->base = cli_run_load(c->o->paths[0], err, sizeof err)) ||
        !(c->nw = cli_run_load(c->o->paths[1], err, sizeof err)))
        return cli_error("compare", "%s", err);
    return 0;
}

/* Prints the report in the chosen format, and the Markdown file if asked. */
static int report(const cli_cmp *c) {
    if (c->o->format == CLI_CMP_JSON) cli_cmp_report_json(c, stdout);
    else if (c->o->format == CLI_CMP_MARKDOWN) cli_cmp_report_markdown(c, stdout);
    else cli_cmp_report_text(c, stdout);
    fflush(stdout);
    if (!c->o->markdown_file) return 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    cli_cmp_report_markdown(c, m);
    fclose(m);
    int rc = cli_write_atomic(c->o->markdown_file, buf, len);
    free(buf);
    if (rc) return cli_error("compare", "cannot write %s: %s", c->o->markdown_file, strerror(errno));
    return 0;
}

void cli_cmp_free(cli_cmp *c) {
    free(c->diffs);
    free(c->pairs);
    cli_strv_free(&c->same);
    cli_strv_free(&c->warn_base);
    cli_strv_free(&c->warn_new);
    cli_strv_free(&c->notes);
    json_decref(c->base);
    json_decref(c->nw);
}

int cmd_compare(int argc, char **argv) {
    cli_cmp_opts o;
    cli_cmp c = {.o = &o};
    int rc = 0;
    if (parse(argc, argv, &o, &rc)) return rc;
    if ((rc = load(&c)) == 0) {
        cli_cmp_env(&c);
        cli_cmp_match(&c);
        cli_cmp_judge(&c);
        rc = report(&c) ? CLI_EXIT_USAGE : c.exit_code;
    }
    cli_cmp_free(&c);
    return rc;
}
