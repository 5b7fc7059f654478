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

/* Okabe & Ito's colour-blind-safe palette, then Paul Tol's "muted" colours
 * (also safe) for the adapters beyond eight; one fixed colour per name. */
static const struct {
    const char *name, *color;
} palette[] = {
    {"system", "#000000"},    {"mimalloc", "#E69F00"}, {"tcmalloc", "#56B4E9"}, {"jemalloc", "#009E73"},
    {"tbbmalloc", "#F0E442"}, {"scudo", "#0072B2"},    {"boehm", "#D55E00"},    {"goheap", "#CC79A7"},
    {"goheap-gc", "#882255"}, {"go", "#332288"},       {"preload", "#44AA99"},
};
static const char *extra[] = {"#999933", "#117733", "#88CCEE", "#AA4499", "#DDCC77", "#661100"};

const char *cli_adapter_color(const char *adapter) {
    for (size_t i = 0; i < sizeof palette / sizeof *palette; i++)
        if (!strcmp(palette[i].name, adapter)) return palette[i].color;
    unsigned h = 5381;
    for (const char *p = adapter; *p; p++) h = h * 33 + (unsigned char)*p;
    return extra[h % (sizeof extra / sizeof *extra)];
}

const char *cli_plots_dir(void) {
    static char buf[PATH_MAX + 16];
    const char *e = getenv("HB_PLOTS_DIR");
    if (e && *e) return e;
    snprintf(buf, sizeof buf, "%s/plots", cli_data_dir());
    return buf;
}

int cli_gnuplot_available(void) {
    const char *argv[] = {"gnuplot", "--version", NULL};
    cli_child_opts o = {.argv = argv, .timeout_s = 20};
    cli_child_result r;
    return cli_child_run(&o, &r) == 0 && r.end == CLI_CHILD_EXITED && r.exit_code == 0;
}

char *cli_gp_str(const char *s) {
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

/* Each output format: its extension and gnuplot terminal, sized to be read
 * at one column of a paper (3.5 in): the PDF and LaTeX at 100 % with 6.5 pt
 * text; the PNG (1050 px: 300 dpi at 3.5 in) with text that scales to the
 * same; %g is the height (in the terminal's unit), scaled per figure. */
static const struct {
    int flag;
    const char *ext, *term;
    double height;
} formats[] = {
    {CLI_FMT_PNG, "png", "'pngcairo size 1050,%.0f font \"sans,19\" linewidth 2.5'", 720},
    {CLI_FMT_SVG, "svg", "'svg size 1050,%.0f dynamic font \"sans,19\" linewidth 2 background rgb \"white\"'", 720},
    {CLI_FMT_PDF, "pdf", "'pdfcairo size 3.5in,%.2fin font \"sans,6.5\" linewidth 0.8'", 2.4},
    {CLI_FMT_TEX, "tex", "'cairolatex pdf size 3.5in,%.2fin color linewidth 0.8'", 2.4},
};

int cli_gnuplot(const char *tmpl, const cli_strv *vars, const char *outbase, int fmts, const char *log) {
    return cli_gnuplot_sized(tmpl, vars, outbase, fmts, log, 1.0);
}

int cli_gnuplot_sized(const char *tmpl, const cli_strv *vars, const char *outbase, int fmts, const char *log,
                     double hscale) {
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", cli_plots_dir(), tmpl);
    int written = 0;
    for (size_t k = 0; k < sizeof formats / sizeof *formats; k++) {
        if (!(fmts & formats[k].flag)) continue;
        /* cairolatex also writes <name>.pdf: keep it apart from pdfcairo's */
        char *out = cli_fmt("%s%s.%s", outbase, formats[k].flag == CLI_FMT_TEX ? "-latex" : "", formats[k].ext);
        char term[256];
        snprintf(term, sizeof term, formats[k].term, formats[k].height * hscale);
        char *qout = cli_gp_str(out);
        char *script = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&script, &len);
        fprintf(f, "term=%s; outfile=%s; latex=%d; ", term, qout, formats[k].flag == CLI_FMT_TEX);
        for (size_t i = 0; i < vars->n; i++) fprintf(f, "%s; ", vars->v[i]);
        fclose(f);
        const char *argv[] = {"gnuplot", "-e", script, path, NULL};
        /* gnuplot's messages are appended to the log via a temp file. */
        char *tmp = cli_fmt("%s.gp.log", outbase);
        cli_child_opts o = {.argv = argv, .stdout_path = tmp, .stderr_path = tmp, .timeout_s = 60};
        cli_child_result r;
        unlink(out);
        int ok = cli_child_run(&o, &r) == 0 && r.end == CLI_CHILD_EXITED && r.exit_code == 0 && cli_is_file(out);
        char *msgs = cli_read_file(tmp, NULL);
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
