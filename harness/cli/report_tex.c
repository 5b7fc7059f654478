/*
 * report_tex.c — the tables of a run for a paper: LaTeX (booktabs; the
 * median with its 95 % confidence interval, the best per row in bold, a
 * geometric-mean row, a caption naming machine, preset and repetitions), a
 * long CSV of the same numbers for pgfplots or R, and the five-line summary
 * `make bench` ends with. Numbers come from ptable.c, as report.md's do.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptable.h"
#include "report_out.h"
#include "stats.h"
#include "util.h"

void cli_ci_caption(char *buf, size_t len, double cover_min, size_t nmin, size_t nmax) {
    int n = snprintf(buf, len,
                     "Intervals: distribution-free 95%% confidence intervals of the median from order "
                     "statistics (binomial, Binomial(n, 1/2)); n = %zu", nmin);
    if (nmax != nmin && n > 0 && (size_t)n < len) n += snprintf(buf + n, len - (size_t)n, " to %zu", nmax);
    if (cover_min < CLI_CI_CONF - 1e-9 && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n,
                 " repetitions; with fewer than 6 no pair of order statistics reaches 95%%, so the interval is "
                 "the range (coverage %.1f%%)", cover_min * 100);
    else if (n > 0 && (size_t)n < len) snprintf(buf + n, len - (size_t)n, " repetitions");
}

static void tex_escape(FILE *f, const char *s) {
    for (; *s; s++) {
        if (strchr("&%$#_{}", *s)) fprintf(f, "\\%c", *s);
        else if (*s == '~') fputs("\\textasciitilde{}", f);
        else if (*s == '^') fputs("\\textasciicircum{}", f);
        else if (*s == '\\') fputs("\\textbackslash{}", f);
        else if (!strncmp(s, "µ", strlen("µ"))) fputs("$\\mu$", f), s += strlen("µ") - 1;
        else if (!strncmp(s, "×", strlen("×"))) fputs("$\\times$", f), s += strlen("×") - 1;
        else if (!strncmp(s, "—", strlen("—"))) fputs("---", f), s += strlen("—") - 1;
        else fputc(*s, f);
    }
}

/* One cell: the ratio (or the baseline's absolute value) and its interval. */
static void tex_cell(FILE *f, const cli_ptab *t, size_t r, size_t c, int best) {
    size_t k = r * t->cols.n + c;
    double v = t->med[k];
    char buf[64], lo[32] = "", hi[32] = "";
    int relative = isfinite(cli_ptab_ratio(t, r, c, v)) && c != t->base;
    if (!isfinite(v)) return (void)fputs(" & ---", f);
    if (relative) snprintf(buf, sizeof buf, "%.2f", cli_ptab_ratio(t, r, c, v));
    else cli_human(v, t->rss, buf, sizeof buf);
    fputs(best ? " & \\textbf{" : " & ", f);
    tex_escape(f, buf);
    if (best) fputc('}', f);
    if (t->noisy[k]) fputs("$^\\dagger$", f);
    if (isfinite(t->lo[k]) && relative) {
        snprintf(lo, sizeof lo, "%.2f", cli_ptab_ratio(t, r, c, t->lo[k]));
        snprintf(hi, sizeof hi, "%.2f", cli_ptab_ratio(t, r, c, t->hi[k]));
    } else if (isfinite(t->lo[k])) {
        cli_human(t->lo[k], 0, lo, sizeof lo), cli_human(t->hi[k], 0, hi, sizeof hi);
    }
    if (*lo) {
        fputs(" {\\scriptsize[", f), tex_escape(f, lo), fputs(", ", f), tex_escape(f, hi), fputs("]}", f);
    }
}

static void tex_caption(FILE *f, json_t *run, const cli_ptab *t, const char *baseline) {
    json_t *m = json_object_get(run, "meta");
    const char *cpu = json_string_value(json_object_get(m, "cpu_model"));
    const char *preset = json_string_value(json_object_get(m, "preset"));
    char ci[512], *txt = NULL;
    size_t len;
    FILE *g = open_memstream(&txt, &len);
    fprintf(g, "%s relative to %s (lower is better; %s shows its absolute value; best per row in bold). ",
            t->rss ? "Peak RSS of the whole child process" : "Median time per iteration", baseline, baseline);
    char reps[64];
    if (t->nmin == t->nmax) snprintf(reps, sizeof reps, "%zu", t->nmin);
    else snprintf(reps, sizeof reps, "%zu--%zu", t->nmin, t->nmax);
    fprintf(g, "Machine: %s, %lld cores, host %s; preset %s; %s repetitions per cell. ", cpu ? cpu : "unknown CPU",
            json_integer_value(json_object_get(m, "cores")), json_string_value(json_object_get(m, "host")) ?: "?",
            preset ? preset : "?", reps);
    cli_ci_caption(ci, sizeof ci, t->cover_min, t->nmin, t->nmax);
    if (!t->rss) fprintf(g, "%s; the interval of a ratio is the cell's divided by the baseline's median.", ci);
    else fprintf(g, "Peak RSS is one value per cell (no interval).");
    fclose(g);
    fputs("\\caption{", f), tex_escape(f, txt), fputs("}\n", f);
    free(txt);
}

static void tex_table(FILE *f, json_t *run, const char *baseline, int rss) {
    cli_ptab t;
    cli_ptab_build(&t, run, baseline, rss);
    baseline = t.base < t.cols.n ? t.cols.v[t.base] : cli_run_baseline(run);
    fprintf(f, "\\begin{table}[tbp]\n\\centering\\footnotesize\\setlength{\\tabcolsep}{3pt}\n");
    tex_caption(f, run, &t, baseline);
    fprintf(f, "\\label{tab:heapbench-%s}\n\\begin{tabular}{l", rss ? "rss" : "time");
    for (size_t c = 0; c < t.cols.n; c++) fputc('r', f);
    fprintf(f, "}\n\\toprule\nworkload");
    for (size_t c = 0; c < t.cols.n; c++) fputs(" & ", f), tex_escape(f, t.cols.v[c]);
    fprintf(f, " \\\\\n\\midrule\n");
    for (size_t r = 0; r < t.rows.n; r++) {
        tex_escape(f, t.rows.v[r]);
        size_t best = cli_ptab_best(&t, r);
        for (size_t c = 0; c < t.cols.n; c++) tex_cell(f, &t, r, c, c == best);
        fprintf(f, " \\\\\n");
    }
    if (t.base < t.cols.n) {
        fprintf(f, "\\midrule\ngeometric mean");
        for (size_t c = 0; c < t.cols.n; c++) {
            double g = cli_ptab_geomean(&t, c);
            if (isfinite(g)) fprintf(f, " & %.2f", g);
            else fprintf(f, " & ---");
        }
        fprintf(f, " \\\\\n");
    }
    fprintf(f, "\\bottomrule\n\\end{tabular}\n");
    size_t nn = 0;
    for (size_t k = 0; k < t.rows.n * t.cols.n; k++) nn += t.noisy[k];
    if (nn) fprintf(f, "\\par\\smallskip $^\\dagger$\\,noisy: the coefficient of variation of the repetitions is above %.0f\\,\\%%.\n", 100 * CLI_NOISY_CV);
    fprintf(f, "\\end{table}\n\n");
    cli_ptab_free(&t);
}

char *cli_report_latex(json_t *run, const char *baseline) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "%% heapbench report --format latex: \\usepackage{booktabs} in the preamble, then \\input this file.\n");
    tex_table(f, run, baseline, 0);
    tex_table(f, run, baseline, 1);
    fclose(f);
    return buf;
}

static void csv_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) fputs(*s == '"' ? "\"\"" : (char[]){*s, 0}, f);
    fputc('"', f);
}

static void csv_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, ",%.6g", v);
    else fputs(",", f);
}

/* One line per (metric, workload, adapter) ok cell. */
char *cli_report_csv(json_t *run, const char *baseline) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "metric,unit,workload,adapter,median,ci_low,ci_high,ci_coverage,ratio,ratio_low,ratio_high,noisy\n");
    for (int rss = 0; rss < 2; rss++) {
        cli_ptab t;
        cli_ptab_build(&t, run, baseline, rss);
        for (size_t r = 0; r < t.rows.n; r++)
            for (size_t c = 0; c < t.cols.n; c++) {
                size_t k = r * t.cols.n + c;
                if (!isfinite(t.med[k])) continue;
                fprintf(f, "%s,%s,", rss ? "peak_rss" : "time", rss ? "bytes" : "ns");
                csv_str(f, t.rows.v[r]), fputc(',', f), csv_str(f, t.cols.v[c]);
                csv_num(f, t.med[k]), csv_num(f, t.lo[k]), csv_num(f, t.hi[k]), csv_num(f, t.cover[k]);
                csv_num(f, cli_ptab_ratio(&t, r, c, t.med[k]));
                csv_num(f, cli_ptab_ratio(&t, r, c, t.lo[k])), csv_num(f, cli_ptab_ratio(&t, r, c, t.hi[k]));
                fprintf(f, ",%d\n", rss ? 0 : t.noisy[k]);
            }
        cli_ptab_free(&t);
    }
    fclose(f);
    return buf;
}

int cli_conformance_findings(const char *rundir, char *buf, size_t len) {
    char *path = cli_fmt("%s/conformance/conformance.json", rundir);
    json_t *doc = cli_is_file(path) ? json_load_file(path, 0, NULL) : NULL;
    free(path);
    *buf = 0;
    if (!doc) return -1;
    size_t i, used = 0;
    int n = 0;
    json_t *c;
    json_array_foreach(json_object_get(doc, "matrix"), i, c) {
        const char *st = json_string_value(json_object_get(c, "status")) ?: "";
        const char *kind = json_string_value(json_object_get(c, "kind")) ?: "";
        if (strcmp(kind, "rule") || (strcmp(st, "fail") && strcmp(st, "crashed") && strcmp(st, "timeout"))) continue;
        int w = snprintf(buf + used, len - used, "%s%s %s", n ? ", " : "", json_string_value(json_object_get(c, "adapter")),
                         json_string_value(json_object_get(c, "property")));
        if (w > 0 && used + (size_t)w < len) used += (size_t)w;
        n++;
    }
    json_decref(doc);
    return n;
}

static void summary_geomeans(FILE *f, json_t *run, const char *baseline, int rss) {
    cli_ptab t;
    cli_ptab_build(&t, run, baseline, rss);
    if (t.base == t.cols.n) {
        fprintf(f, "%s: no baseline %s in this run (see the report)\n", rss ? "peak RSS" : "time",
                baseline ? baseline : cli_run_baseline(run));
    } else {
        fprintf(f, "%s, geometric mean / %s:", rss ? "peak RSS" : "time", t.cols.v[t.base]);
        for (size_t c = 0; c < t.cols.n; c++)
            if (c != t.base && isfinite(cli_ptab_geomean(&t, c)))
                fprintf(f, " %s %.2f", t.cols.v[c], cli_ptab_geomean(&t, c));
        fputc('\n', f);
    }
    cli_ptab_free(&t);
}

char *cli_report_summary(json_t *run, const char *baseline, const char *rundir) {
    char *buf = NULL, found[2048];
    size_t len = 0, i, nok = 0;
    FILE *f = open_memstream(&buf, &len);
    json_t *rec, *results = json_object_get(run, "results");
    json_array_foreach(results, i, rec) nok += !strcmp(json_string_value(json_object_get(rec, "status")) ?: "", "ok");
    fprintf(f, "report: %s/report.html\n", rundir);
    summary_geomeans(f, run, baseline, 0);
    summary_geomeans(f, run, baseline, 1);
    fprintf(f, "cells: %zu, %zu ok, %zu not ok (why: the report's Cell status)\n", json_array_size(results), nok,
            json_array_size(results) - nok);
    int n = cli_conformance_findings(rundir, found, sizeof found);
    if (n < 0) fprintf(f, "conformance: not run beside this run (heapbench conform --out %s/conformance)\n", rundir);
    else if (n == 0) fprintf(f, "conformance: no rule failures\n");
    else fprintf(f, "conformance: %d rule failure%s: %s\n", n, n == 1 ? "" : "s", found);
    fclose(f);
    return buf;
}
