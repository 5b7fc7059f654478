/*
 * compare_report.c — print a comparison (compare.h) as text, Markdown or
 * JSON. All three say the same, in the same order: the environment
 * difference first, what the threshold means, how cells were matched,
 * every cell with its verdict, the failures by class, then the verdict
 * with any "machine busy" warning beside it.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats.h"

const char *cli_cmp_metric_name(cli_cmp_metric m) {
    return m == CLI_CMP_CPU ? "CPU time" : m == CLI_CMP_RSS ? "peak RSS" : "real time";
}

void cli_cmp_human(cli_cmp_metric m, double v, char *buf, size_t len) {
    if (!isfinite(v)) snprintf(buf, len, "-");
    else if (m == CLI_CMP_RSS && v < 1 << 20) snprintf(buf, len, "%.0f KiB", v / 1024);
    else if (m == CLI_CMP_RSS) snprintf(buf, len, "%.1f MiB", v / 1048576);
    else if (v < 1e3) snprintf(buf, len, "%.4g ns", v);
    else if (v < 1e6) snprintf(buf, len, "%.4g us", v / 1e3);
    else if (v < 1e9) snprintf(buf, len, "%.4g ms", v / 1e6);
    else snprintf(buf, len, "%.4g s", v / 1e9);
}

static void pct(double v, char *buf, size_t len) {
    if (isfinite(v)) snprintf(buf, len, "%.1f%%", v * 100);
    else snprintf(buf, len, "-");
}

/* The threshold's meaning, one sentence. */
static char *threshold_meaning(const cli_cmp_opts *o) {
    if (o->metric == CLI_CMP_RSS)
        return cli_fmt("threshold %.3g%%: a cell is a regression when NEW's peak RSS (one figure per cell, "
                      "no significance test) is more than %.3g%% above BASE's",
                      o->threshold * 100, o->threshold * 100);
    return cli_fmt("threshold %.3g%%: a cell is a regression when NEW's median %s is more than %.3g%% above "
                  "BASE's and the two-sided Mann–Whitney U test of the repetitions gives p < %.3g",
                  o->threshold * 100, cli_cmp_metric_name(o->metric), o->threshold * 100, o->alpha);
}

static void env_section(const cli_cmp *c, FILE *f, int md) {
    fprintf(f, md ? "## Environment\n\n" : "environment:\n");
    if (!c->ndiffs) fprintf(f, md ? "- no difference recorded\n" : "  no difference recorded\n");
    for (size_t k = 0; k < c->ndiffs; k++) {
        const cli_env_diff *d = &c->diffs[k];
        if (d->library) { /* compare_env.c: compared anyway */
            fprintf(f, md ? "- **%s changed**: %.71s → %.71s (compared anyway: two builds of one library)\n  - BASE: %s\n  - NEW: %s\n"
                          : "  %s changed: %.71s → %.71s (compared anyway: two builds of one library)\n    BASE: %s\n    NEW:  %s\n",
                    d->field, d->base, d->nw, d->base, d->nw);
            continue;
        }
        fprintf(f, md ? "- **%s** differs: %s → %s%s\n" : "  differs: %-18s %s → %s%s\n", d->field, d->base, d->nw,
                d->blocking ? (c->o->allow_env_change ? "  (accepted: --allow-env-change)" : "  (blocks the verdict)")
                            : "");
    }
    if (c->same.n) {
        fprintf(f, md ? "- same: " : "  same: ");
        for (size_t k = 0; k < c->same.n; k++) fprintf(f, "%s%s", k ? "; " : "", c->same.v[k]);
        fputc('\n', f);
    }
    for (size_t k = 0; k < c->warn_base.n; k++) fprintf(f, md ? "- warning in BASE: %s\n" : "  warning in BASE: %s\n", c->warn_base.v[k]);
    for (size_t k = 0; k < c->warn_new.n; k++) fprintf(f, md ? "- warning in NEW: %s\n" : "  warning in NEW: %s\n", c->warn_new.v[k]);
    fputc('\n', f);
}

static void method_section(const cli_cmp *c, FILE *f, int md) {
    char *t = threshold_meaning(c->o);
    fprintf(f, md ? "- **metric**: %s%s\n- %s\n" : "metric: %s%s\n%s\n", cli_cmp_metric_name(c->o->metric),
            c->o->metric == CLI_CMP_RSS ? " of the whole child process" : " per iteration, median of repetitions", t);
    fprintf(f, md ? "- noisy: CV of the repetitions above %.0f%% in BASE or NEW\n"
                  : "noisy (~): CV of the repetitions above %.0f%% in BASE or NEW\n",
            CLI_NOISY_CV * 100);
    for (size_t k = 0; k < c->notes.n; k++) fprintf(f, md ? "- note: %s\n" : "note: %s\n", c->notes.v[k]);
    fputc('\n', f);
    free(t);
}

/* The printable columns of one pair. */
typedef struct cells_txt {
    char b[32], n[32], ch[32], p[32], cv[48];
} cells_txt;

static void pair_text(const cli_cmp *c, const cli_cmp_pair *p, cells_txt *t) {
    cli_cmp_human(c->o->metric, p->vbase, t->b, sizeof t->b);
    cli_cmp_human(c->o->metric, p->vnew, t->n, sizeof t->n);
    if (isfinite(p->ratio)) snprintf(t->ch, sizeof t->ch, "%+.1f%%", (p->ratio - 1) * 100);
    else snprintf(t->ch, sizeof t->ch, "-");
    if (isfinite(p->p)) snprintf(t->p, sizeof t->p, "%.4f", p->p);
    else snprintf(t->p, sizeof t->p, "-");
    char cb[16], cn[16];
    pct(p->cv_base, cb, sizeof cb);
    pct(p->cv_new, cn, sizeof cn);
    snprintf(t->cv, sizeof t->cv, "%s/%s%s", cb, cn, p->noisy ? " ~" : "");
}

static void table_section(const cli_cmp *c, FILE *f, int md) {
    int w = 10;
    for (size_t k = 0; k < c->npairs; k++) w = (int)strlen(c->pairs[k].label) > w ? (int)strlen(c->pairs[k].label) : w;
    if (w > 64) w = 64;
    if (md) fprintf(f, "## Cells\n\n| cell | base | new | change | p | CV base/new | verdict |\n|---|---:|---:|---:|---:|---:|---|\n");
    else fprintf(f, "%-*s %12s %12s %9s %8s %15s  %s\n", w, "cell", "base", "new", "change", "p", "CV base/new", "verdict");
    for (size_t k = 0; k < c->npairs; k++) {
        const cli_cmp_pair *p = &c->pairs[k];
        cells_txt t;
        pair_text(c, p, &t);
        if (md)
            fprintf(f, "| %s | %s | %s | %s | %s | %s | %s%s%s |\n", p->label, t.b, t.n, t.ch, t.p, t.cv,
                    p->regression ? "**" : "", p->verdict, p->regression ? "**" : "");
        else
            fprintf(f, "%-*s %12s %12s %9s %8s %15s  %s\n", w, p->label, t.b, t.n, t.ch, t.p, t.cv, p->verdict);
    }
    fputc('\n', f);
}

static void geomean_section(const cli_cmp *c, FILE *f, int md) {
    cli_strv cols = {0};
    double *r = malloc((c->npairs + 1) * sizeof *r);
    for (size_t k = 0; k < c->npairs; k++)
        if (c->pairs[k].kind == CLI_PAIR_COMPARED && !cli_strv_has(&cols, c->pairs[k].col)) cli_strv_push(&cols, c->pairs[k].col);
    fprintf(f, md ? "## Geometric mean of new/base per adapter\n\n| adapter | new/base | cells |\n|---|---:|---:|\n"
                  : "geometric mean of new/base per adapter:\n");
    for (size_t i = 0; i < cols.n; i++) {
        size_t n = 0;
        for (size_t k = 0; k < c->npairs; k++)
            if (c->pairs[k].kind == CLI_PAIR_COMPARED && !strcmp(c->pairs[k].col, cols.v[i])) r[n++] = c->pairs[k].ratio;
        double g = cli_geomean(r, n);
        fprintf(f, md ? "| %s | %.3f | %zu |\n" : "  %-24s %.3f (%zu cells)\n", cols.v[i], g, n);
    }
    fputc('\n', f);
    free(r);
    cli_strv_free(&cols);
}

/* One line per class: its name, count and the cells in it. */
static void list_class(const cli_cmp *c, FILE *f, int md, const char *name, int want_regression, cli_pair_kind kind) {
    size_t n = 0;
    for (size_t k = 0; k < c->npairs; k++)
        n += want_regression ? (size_t)c->pairs[k].regression : c->pairs[k].kind == kind;
    if (!n) return;
    fprintf(f, md ? "- **%s** (%zu):" : "  %s (%zu):", name, n);
    for (size_t k = 0, i = 0; k < c->npairs; k++) {
        const cli_cmp_pair *p = &c->pairs[k];
        if (want_regression ? !p->regression : p->kind != kind) continue;
        fprintf(f, "%s %s%s%s%s", i++ ? ";" : "", p->label, *p->why ? " (" : "", p->why, *p->why ? ")" : "");
    }
    fputc('\n', f);
}

static void noisy_line(const cli_cmp *c, FILE *f, int md) {
    if (!c->nnoisy) return;
    fprintf(f, md ? "- **noisy**: %zu verdict(s) rest on cells whose repetitions vary by more than %.0f%% (CV):"
                  : "  noisy: %zu verdict(s) rest on cells whose repetitions vary by more than %.0f%% (CV):",
            c->nnoisy, CLI_NOISY_CV * 100);
    for (size_t k = 0, i = 0; k < c->npairs; k++)
        if (c->pairs[k].noisy) fprintf(f, "%s %s", i++ ? ";" : "", c->pairs[k].label);
    fputc('\n', f);
}

static void failures_section(const cli_cmp *c, FILE *f, int md) {
    fprintf(f, md ? "## Findings\n\n" : "findings:\n");
    list_class(c, f, md, "REGRESSION", 1, 0);
    list_class(c, f, md, "BROKEN: ok in BASE, not ok in NEW", 0, CLI_PAIR_BROKEN);
    list_class(c, f, md, "MISSING from NEW", 0, CLI_PAIR_MISSING);
    if (c->incomplete)
        fprintf(f, md ? "- **NEW run incomplete**: its status is '%s'\n" : "  NEW run incomplete: its status is '%s'\n",
                c->new_status);
    list_class(c, f, md, "not comparable: parameters differ", 0, CLI_PAIR_NOT_COMPARABLE);
    list_class(c, f, md, "only in NEW", 0, CLI_PAIR_ONLY_NEW);
    noisy_line(c, f, md);
    if (c->nfew)
        fprintf(f, md ? "- **too few samples**: %zu cell(s) cannot reach alpha = %g; run with --repetitions 5 or more\n"
                      : "  too few samples: %zu cell(s) cannot reach alpha = %g; run with --repetitions 5 or more\n",
                c->nfew, c->o->alpha);
    fprintf(f, md ? "- compared: %zu of %zu cell(s)\n\n" : "  compared: %zu of %zu cell(s)\n\n", c->ncompared, c->npairs);
}

static void verdict_line(const cli_cmp *c, FILE *f, int md) {
    fprintf(f, md ? "**verdict: %s** (exit %d)\n" : "verdict: %s (exit %d)\n", c->verdict, c->exit_code);
    if (c->busy_base || c->busy_new)
        fprintf(f, md ? "\n> **machine busy** while %s ran (see the warnings): timings are noisy, read the verdict with care\n"
                      : "  machine busy while %s ran (see the warnings): timings are noisy, read the verdict with care\n",
                c->busy_base && c->busy_new ? "BASE and NEW" : c->busy_base ? "BASE" : "NEW");
    if (c->nnoisy)
        fprintf(f, md ? "\n> **noisy**: %zu of the %zu verdicts rest on cells whose repetitions vary by more than %.0f%%\n"
                      : "  noisy: %zu of the %zu verdicts rest on cells whose repetitions vary by more than %.0f%%\n",
                c->nnoisy, c->ncompared, CLI_NOISY_CV * 100);
}

static void report(const cli_cmp *c, FILE *f, int md) {
    fprintf(f, md ? "# heapbench compare\n\n- **base**: %s\n- **new**: %s\n\n" : "heapbench compare\n  base: %s\n  new:  %s\n\n",
            c->o->paths[0], c->o->paths[1]);
    env_section(c, f, md);
    method_section(c, f, md);
    table_section(c, f, md);
    geomean_section(c, f, md);
    failures_section(c, f, md);
    verdict_line(c, f, md);
}

void cli_cmp_report_text(const cli_cmp *c, FILE *f) { report(c, f, 0); }
void cli_cmp_report_markdown(const cli_cmp *c, FILE *f) { report(c, f, 1); }
