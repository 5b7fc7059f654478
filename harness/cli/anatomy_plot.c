/*
 * anatomy_plot.c — `heapbench plot`'s anatomy figures: one stacked-area
 * plot per cell with anatomy samples (plots/anatomy.gp), anatomy-<cell>.*.
 * The stack is the split of harness/cli/anatomy.c: live, in use beyond
 * live, free in partly used pages, free pages kept, metadata, rest of the
 * process, unaccounted (a class the library does not tell is 0 here and
 * lands in unaccounted; a negative gap is drawn as none, RSS shows it).
 */
#define _GNU_SOURCE
#include "anatomy_plot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anatomy.h"
#include "gnuplot.h"

static double pos_mib(int64_t v) { return v > 0 ? (double)v / CLI_AN_MIB : 0; }

static int write_stack(const cli_an_series *s, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) return fprintf(stderr, "heapbench plot: cannot write %s: %s\n", path, strerror(errno)), -1;
    for (size_t i = 0; i < s->n; i++) {
        cli_an_split x;
        cli_an_split_at(s, i, &x);
        double part[7] = {pos_mib(x.live), pos_mib(x.rounding), pos_mib(x.partial), pos_mib(x.cached),
                          pos_mib(x.metadata), pos_mib(x.other), pos_mib(x.unaccounted)}, sum = 0;
        fprintf(f, "%.6f", s->s[i].t_s);
        for (int k = 0; k < 7; k++) fprintf(f, " %.6g", sum += part[k]);
        fprintf(f, " %.6g %.6g\n", pos_mib(x.rss), pos_mib(x.live));
    }
    return fclose(f);
}

int cli_an_plot_run(json_t *run, const char *dir, const char *out, const char *data, int fmts,
                   const char *log) {
    size_t i;
    json_t *rec;
    int drawn = 0, any = 0;
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        const char *rel = json_string_value(json_object_get(json_object_get(rec, "anatomy"), "samples"));
        const char *id = json_string_value(json_object_get(rec, "id"));
        if (!rel || !id) continue;
        char path[PATH_MAX + 512], err[1024];
        cli_an_series s;
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        any = 1;
        if (cli_an_load(path, &s, err, sizeof err) != 0) {
            printf("  skipped anatomy of %s: %s\n", id, err);
            continue;
        }
        char *dpath = cli_fmt("%s/anatomy-%s.dat", data, id), *base = cli_fmt("%s/anatomy-%s", out, id);
        if (write_stack(&s, dpath) == 0) {
            cli_strv vars = {0};
            char *q = cli_gp_str(dpath), *t = cli_fmt("%s on %s: memory anatomy (heapbench explain)",
                                                      json_string_value(json_object_get(rec, "workload")),
                                                      json_string_value(json_object_get(rec, "adapter")));
            char *qt = cli_gp_str(t), *v1 = cli_fmt("datafile=%s", q), *v2 = cli_fmt("title=%s", qt);
            cli_strv_push(&vars, v1), cli_strv_push(&vars, v2);
            int n = cli_gnuplot("anatomy.gp", &vars, base, fmts, log);
            if (n == 0) fprintf(stderr, "heapbench plot: gnuplot failed on anatomy-%s (see %s)\n", id, log);
            else printf("  %s\n", base);
            drawn += n;
            free(q), free(t), free(qt), free(v1), free(v2);
            cli_strv_free(&vars);
        }
        free(dpath), free(base);
        cli_an_free(&s);
    }
    if (!any) printf("  skipped memory anatomy: no cell has anatomy samples (run with --anatomy)\n");
    return drawn;
}
