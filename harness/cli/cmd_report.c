/*
 * cmd_report.c — `heapbench report RUN --format F`: a run's results as a
 * paper or a reader takes them. latex: booktabs tables (medians with 95 %
 * confidence intervals, best per row bold, geometric means, a caption with
 * machine, preset and repetitions); markdown: report.md; csv: one line per
 * cell and metric with the interval; html: the self-contained report page;
 * summary: the five lines `make bench` ends with. Parse → load → render →
 * write (to --out, else stdout).
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_out.h"
#include "results.h"
#include "util.h"

enum { OPT_FORMAT = CLI_OPT_LONG_ONLY, OPT_OUT, OPT_BASELINE };

static const cli_opt report_opts[] = {
    {"format", OPT_FORMAT, "FORMAT", "latex, markdown, csv, html or summary (default markdown)"},
    {"out", OPT_OUT, "FILE", "write here (atomically) instead of stdout"},
    {"baseline", OPT_BASELINE, "ADAPTER", "normalize to this adapter (default: the run's, else system)"},
    {0},
};

const cli_cmd_spec cmd_report_spec = {
    .name = "report",
    .synopsis = "RUN [--format latex|markdown|csv|html|summary] [--out FILE]",
    .summary = "a run's tables for a paper (LaTeX, Markdown, CSV) or its HTML report",
    .opts = report_opts,
    .epilog = "RUN is a run folder or its run.json. html inlines RUN/plots/*.svg (run\n"
              "`heapbench plot RUN` first) and RUN/conformance/ when it exists.\n"
              "Intervals are order-statistic 95% confidence intervals of the median.\n",
    .stop_at_operand = 0,
};

typedef struct report_cfg {
    const char *format, *out, *baseline;
} report_cfg;

static int on_opt(void *ctx, int key, const char *arg) {
    report_cfg *c = ctx;
    if (key == OPT_FORMAT)
        return cli_opts_choice(&cmd_report_spec, key, arg, &c->format, "latex", "markdown", "csv", "html", "summary",
                              (const char *)NULL);
    if (key == OPT_OUT) c->out = arg;
    else c->baseline = arg;
    return 0;
}

static char *render(const report_cfg *c, json_t *run, const char *dir) {
    if (!strcmp(c->format, "latex")) return cli_report_latex(run, c->baseline);
    if (!strcmp(c->format, "csv")) return cli_report_csv(run, c->baseline);
    if (!strcmp(c->format, "html")) return cli_report_html(run, c->baseline, dir);
    if (!strcmp(c->format, "summary")) return cli_report_summary(run, c->baseline, dir);
    return cli_run_report(run);
}

int cmd_report(int argc, char **argv) {
    report_cfg cfg = {"markdown", NULL, NULL};
    int first, rc = cli_opts_parse(&cmd_report_spec, argc, argv, on_opt, &cfg, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (first >= argc) return cli_opts_usage_error(&cmd_report_spec, "which run? (RUN missing)");
    if (first + 1 < argc)
        return cli_opts_usage_error(&cmd_report_spec, "one run at a time ('%s' is extra)", argv[first + 1]);
    char err[2048], dir[PATH_MAX];
    json_t *run = cli_run_load(argv[first], err, sizeof err);
    if (!run) return cli_error("report", "%s", err);
    if (cli_is_dir(argv[first])) snprintf(dir, sizeof dir, "%s", argv[first]);
    else {
        char *c = strdup(argv[first]);
        snprintf(dir, sizeof dir, "%s", dirname(c));
        free(c);
    }
    char *text = render(&cfg, run, dir);
    json_decref(run);
    if (cfg.out && cli_write_atomic(cfg.out, text, strlen(text)) != 0) {
        free(text);
        return cli_error("report", "cannot write %s", cfg.out);
    }
    if (!cfg.out) fputs(text, stdout);
    free(text);
    return CLI_EXIT_OK;
}
