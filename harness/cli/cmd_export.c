/*
 * cmd_export.c — `heapbench export --format bmf RUN [--out FILE]`: a run
 * (folder, run.json or Google Benchmark JSON) in the Bencher Metric Format,
 * on stdout or into FILE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "results.h"
#include "util.h"

enum { OPT_FORMAT = CLI_OPT_LONG_ONLY, OPT_OUT };

static const cli_opt export_opts[] = {
    {"format", OPT_FORMAT, "bmf", "the format (required): bmf, the Bencher Metric Format"},
    {"out", OPT_OUT, "FILE", "write to FILE (atomically) instead of stdout"},
    {0},
};

const cli_cmd_spec cmd_export_spec = {
    .name = "export",
    .synopsis = "--format bmf RUN [--out FILE]",
    .summary = "export a run in another format (--format bmf)",
    .opts = export_opts,
    .epilog = "RUN is a run folder, its run.json, or a Google Benchmark JSON file.\n",
    .stop_at_operand = 0,
};

typedef struct export_cfg {
    const char *format, *out;
} export_cfg;

static int on_opt(void *ctx, int key, const char *arg) {
    export_cfg *c = ctx;
    if (key == OPT_FORMAT) return cli_opts_choice(&cmd_export_spec, key, arg, &c->format, "bmf", NULL);
    c->out = arg;
    return 0;
}

int cmd_export(int argc, char **argv) {
    export_cfg cfg = {0};
    int first, rc = cli_opts_parse(&cmd_export_spec, argc, argv, on_opt, &cfg, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (first >= argc) return cli_opts_usage_error(&cmd_export_spec, "which run? (RUN missing)");
    if (first + 1 < argc) return cli_opts_usage_error(&cmd_export_spec, "one run at a time ('%s' is extra)", argv[first + 1]);
    if (!cfg.format) return cli_opts_usage_error(&cmd_export_spec, "--format is required (bmf)");
    const char *in = argv[first], *out = cfg.out;
    char err[2048];
    json_t *run = cli_run_load(in, err, sizeof err);
    if (!run) return cli_error("export", "%s", err);
    json_t *bmf = cli_export_bmf(run);
    char *s = json_dumps(bmf, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    rc = CLI_EXIT_OK;
    if (out) {
        if (cli_write_atomic(out, s, strlen(s)) != 0) rc = cli_error("export", "cannot write %s: %s", out, strerror(errno));
    } else {
        puts(s);
    }
    free(s);
    json_decref(bmf);
    json_decref(run);
    return rc;
}
