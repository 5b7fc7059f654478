/*
 * export.c — Bencher Metric Format export (see export.h). Only `ok` cells
 * are exported: latency is the median real time per iteration in ns with
 * the repetitions' min and max as bounds; throughput is items per second
 * (when the workload reports items); peak-rss is the child's peak RSS.
 */
#define _GNU_SOURCE
#include "export.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "util.h"

json_t *cli_export_bmf(json_t *run) {
    json_t *bmf = json_object();
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        const char *st = json_string_value(json_object_get(rec, "status"));
        if (!st || strcmp(st, "ok")) continue;
        char row[512], col[256], name[800];
        cli_rec_row(rec, row, sizeof row);
        cli_rec_col(rec, col, sizeof col);
        snprintf(name, sizeof name, "%s/%s", col, row);
        json_t *m = json_object();
        json_t *rt = json_object_get(rec, "real_time_ns");
        json_object_set_new(m, "latency",
                            json_pack("{s:f,s:f,s:f}", "value", cli_rec_number(rt, "median"), "lower_value",
                                      cli_rec_number(rt, "min"), "upper_value", cli_rec_number(rt, "max")));
        double ips = cli_rec_number(rec, "items_per_second");
        if (isfinite(ips)) json_object_set_new(m, "throughput", json_pack("{s:f}", "value", ips));
        double rss = cli_rec_number(rec, "peak_rss_bytes");
        if (isfinite(rss)) json_object_set_new(m, "peak-rss", json_pack("{s:f}", "value", rss));
        json_object_set_new(bmf, name, m);
    }
    return bmf;
}

int cli_export_bmf_file(json_t *run, const char *dir, char *err, size_t errlen) {
    json_t *bmf = cli_export_bmf(run);
    char *s = json_dumps(bmf, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(bmf);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/bmf.json", dir);
    int rc = cli_write_atomic(path, s, strlen(s));
    if (rc) snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    free(s);
    return rc;
}
