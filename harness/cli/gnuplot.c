/*
 * gnuplot.c — running gnuplot over the templates (see gnuplot.h).
 */
#define _GNU_SOURCE
#include "gnuplot.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"

static const struct {
    const char *name, *color;
} palette[] = {
    {"system", "#555555"},   {"mimalloc", "#1f77b4"}, {"tcmalloc", "#ff7f0e"}, {"jemalloc", "#2ca02c"},
    {"tbbmalloc", "#9467bd"}, {"boehm", "#8c564b"},    {"goheap", "#d62728"},   {"goheap-gc", "#e377c2"},
};
static const char *extra[] = {"#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#f7b6d2"};

const char *hb_adapter_color(const char *adapter) {
    for (size_t i = 0; i < sizeof palette / sizeof *palette; i++)
        if (!strcmp(palette[i].name, adapter)) return palette[i].color;
    unsigned h = 5381;
    for (const char *p = adapter; *p; p++) h = h * 33 + (unsigned char)*p;
    return extra[h % (sizeof extra / sizeof *extra)];
}

const char *hb_plots_dir(void) {
    static char buf[PATH_MAX + 16];
    const char *e = getenv("HB_PLOTS_DIR");
    if (e && *e) return e;
    snprintf(buf, sizeof buf, "%s/plots", hb_data_dir());
    return buf;
}

int hb_gnuplot_available(void) {
    const char *argv[] = {"gnuplot", "--version", NULL};
    hb_child_opts o = {.argv = argv, .timeout_s = 20};
    hb_child_result r;
    return hb_child_run(&o, &r) == 0 && r.end == HB_CHILD_EXITED && r.exit_code == 0;
}

char *hb_gp_str(const char *s) {
    size_t n = strlen(s);
    char *o = malloc(2 * n + 3), *q = o;
    *q++ = '\'';
    for (; *s; s++) {
        if (*s == '\'') *q++ = '\'';
        *q++ = *s;
    }
    *q++ = '\'';
    *q = 0;
    return o;
}

int hb_gnuplot(const char *tmpl, const hb_strv *vars, const char *outbase, int png, int svg, const char *log) {
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", hb_plots_dir(), tmpl);
    int written = 0;
    for (int k = 0; k < 2; k++) {
        if ((k == 0 && !png) || (k == 1 && !svg)) continue;
        char *out = hb_fmt("%s.%s", outbase, k ? "svg" : "png");
        char *qout = hb_gp_str(out);
        char *script = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&script, &len);
        fprintf(f, "term=%s; outfile=%s; ",
                k ? "'svg size 1000,560 dynamic font \"sans,11\" background rgb \"white\"'"
                  : "'pngcairo size 1000,560 font \"sans,10\"'",
                qout);
        for (size_t i = 0; i < vars->n; i++) fprintf(f, "%s; ", vars->v[i]);
        fclose(f);
        const char *argv[] = {"gnuplot", "-e", script, path, NULL};
        /* gnuplot's messages are appended to the log via a temp file. */
        char *tmp = hb_fmt("%s.gp.log", outbase);
        hb_child_opts o = {.argv = argv, .stdout_path = tmp, .stderr_path = tmp, .timeout_s = 60};
        hb_child_result r;
        unlink(out);
        int ok = hb_child_run(&o, &r) == 0 && r.end == HB_CHILD_EXITED && r.exit_code == 0 && hb_is_file(out);
        char *msgs = hb_read_file(tmp, NULL);
        FILE *lf = log ? fopen(log, "a") : NULL;
        if (lf) {
            fprintf(lf, "== %s (%s)\n%s", out, ok ? "ok" : "FAILED", msgs ? msgs : "");
            fclose(lf);
        }
        free(msgs);
        unlink(tmp);
        free(tmp);
        if (!ok) unlink(out); /* never leave a half-drawn file */
        written += ok;
        free(script);
        free(qout);
        free(out);
    }
    return written;
}
