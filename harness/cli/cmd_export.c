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

int cmd_export(int argc, char **argv) {
    const char *format = NULL, *out = NULL, *in = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) format = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--help")) {
            printf("usage: heapbench export --format bmf RUN [--out FILE]\n");
            return 0;
        } else if (argv[i][0] == '-') return hb_die("export", "unknown option '%s'", argv[i]);
        else if (!in) in = argv[i];
        else return hb_die("export", "one run at a time ('%s' is extra)", argv[i]);
    }
    if (!in) return hb_die("export", "usage: heapbench export --format bmf RUN [--out FILE]");
    if (!format || strcmp(format, "bmf")) return hb_die("export", "--format takes bmf");
    char err[2048];
    json_t *run = hb_run_load(in, err, sizeof err);
    if (!run) return hb_die("export", "%s", err);
    json_t *bmf = hb_export_bmf(run);
    char *s = json_dumps(bmf, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    int rc = 0;
    if (out) {
        if (hb_write_atomic(out, s, strlen(s)) != 0) rc = hb_die("export", "cannot write %s: %s", out, strerror(errno));
    } else {
        puts(s);
    }
    free(s);
    json_decref(bmf);
    json_decref(run);
    return rc;
}
