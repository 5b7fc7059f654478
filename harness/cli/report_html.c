/*
 * report_html.c — report.html: one self-contained page per run that a
 * person opens to see it whole. The environment, the warnings (busy
 * machine, noisy cells, a debug build of Google Benchmark), the normalized
 * time (with 95 % confidence intervals of the median) and peak RSS tables,
 * every figure in RUN/plots/ inlined as SVG, the collector counters, the
 * conformance matrix when RUN/conformance/ exists, and the cells that did
 * not finish ok. No network, no framework: a dozen lines of inline script
 * fill the page's self-check element (#selfcheck) with how many figures
 * drew, which the Chromium test reads.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptable.h"
#include "report_out.h"
#include "results.h"
#include "stats.h"
#include "util.h"

static void esc(FILE *f, const char *s) {
    for (; s && *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static const char *css =
    "body{font:14px/1.4 sans-serif;margin:1.5em auto;max-width:1100px;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}"
    "th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}"
    "thead th{border-bottom:2px solid #444}tr.gm td{border-top:2px solid #444;font-weight:bold}"
    ".ci{color:#777;font-size:11px}.best{font-weight:bold}.warn{background:#fff4d6;border-left:4px solid #e69f00;"
    "padding:4px 10px;margin:4px 0}figure{margin:1em 0;border:1px solid #eee;padding:6px}figure svg{width:100%;"
    "height:auto;max-width:1000px}.fail{background:#f8d0c8;font-weight:bold}.pass{color:#009e73}"
    "#selfcheck{color:#777;font-size:12px}";

static void env_section(FILE *f, json_t *run) {
    static const char *keys[][2] = {{"start_time", "started"}, {"host", "host"}, {"cpu_model", "CPU"},
                                    {"cores", "cores"}, {"governor", "governor"}, {"kernel", "kernel"},
                                    {"os", "OS"}, {"compiler", "compiler"}, {"build_type", "build"},
                                    {"git_commit", "commit"}, {"preset", "preset"}, {"command_line", "command"}};
    json_t *m = json_object_get(run, "meta"), *a;
    fputs("<h2>Environment</h2><table>", f);
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        json_t *v = json_object_get(m, keys[k][0]);
        if (!v || json_is_null(v)) continue;
        char *s = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
        fprintf(f, "<tr><td>%s</td><td style=\"text-align:left\">", keys[k][1]), esc(f, s), fputs("</td></tr>", f);
        free(s);
    }
    size_t i;
    fputs("<tr><td>adapters</td><td style=\"text-align:left\">", f);
    json_array_foreach(json_object_get(run, "adapters"), i, a) {
        fputs(i ? ", " : "", f), esc(f, json_string_value(json_object_get(a, "name")));
        fputs(" ", f), esc(f, json_string_value(json_object_get(a, "version")));
    }
    fputs("</td></tr></table>\n", f);
}

static void warnings(FILE *f, json_t *run, const char *baseline) {
    json_t *m = json_object_get(run, "meta"), *w;
    size_t i, noisy = 0;
    fputs("<h2>Warnings</h2>", f);
    json_array_foreach(json_object_get(m, "warnings"), i, w) fputs("<p class=\"warn\">", f), esc(f, json_string_value(w)), fputs("</p>", f);
    const char *gb = json_string_value(json_object_get(m, "library_build_type"));
    if (gb && !strcmp(gb, "debug"))
        fputs("<p class=\"warn\">Google Benchmark is a debug build: its own overhead is larger than usual.</p>", f);
    cli_ptab t;
    cli_ptab_build(&t, run, baseline, 0);
    for (size_t k = 0; k < t.rows.n * t.cols.n; k++) noisy += t.noisy[k];
    cli_ptab_free(&t);
    if (noisy)
        fprintf(f, "<p class=\"warn\">%zu noisy cell%s (marked †): the coefficient of variation of the repetitions "
                   "is above %.0f %%.</p>", noisy, noisy == 1 ? "" : "s", CLI_NOISY_CV * 100);
    if (!noisy && !json_array_size(json_object_get(m, "warnings")) && !(gb && !strcmp(gb, "debug")))
        fputs("<p>None.</p>", f);
    fputc('\n', f);
}

static void html_cell(FILE *f, const cli_ptab *t, size_t r, size_t c, int best) {
    size_t k = r * t->cols.n + c;
    double v = t->med[k], q = cli_ptab_ratio(t, r, c, v);
    char b[64], lo[32], hi[32];
    if (!isfinite(v)) return (void)fputs("<td>—</td>", f);
    int rel = c != t->base && isfinite(q);
    if (rel) snprintf(b, sizeof b, "%.2f×", q);
    else cli_human(v, t->rss, b, sizeof b);
    fprintf(f, "<td%s>%s%s", best ? " class=\"best\"" : "", b, t->noisy[k] ? " †" : "");
    if (isfinite(t->lo[k])) {
        if (rel) snprintf(lo, sizeof lo, "%.2f", cli_ptab_ratio(t, r, c, t->lo[k])), snprintf(hi, sizeof hi, "%.2f", cli_ptab_ratio(t, r, c, t->hi[k]));
        else cli_human(t->lo[k], 0, lo, sizeof lo), cli_human(t->hi[k], 0, hi, sizeof hi);
        fprintf(f, " <span class=\"ci\">[%s, %s]</span>", lo, hi);
    }
    fputs("</td>", f);
}

static void table(FILE *f, json_t *run, const char *baseline, int rss) {
    cli_ptab t;
    cli_ptab_build(&t, run, baseline, rss);
    char ci[512];
    cli_ci_caption(ci, sizeof ci, t.cover_min, t.nmin, t.nmax);
    fprintf(f, "<h2>%s</h2><p>Relative to <b>%s</b> (lower is better; %s shows its absolute value; best per row in "
               "bold). %s</p>\n<table><thead><tr><th>workload</th>",
            rss ? "Peak RSS (whole child process)" : "Time (median per iteration)",
            t.base < t.cols.n ? t.cols.v[t.base] : "the run's baseline (absent: absolute values)",
            t.base < t.cols.n ? t.cols.v[t.base] : "each", rss ? "One value per cell." : ci);
    for (size_t c = 0; c < t.cols.n; c++) fputs("<th>", f), esc(f, t.cols.v[c]), fputs("</th>", f);
    fputs("</tr></thead><tbody>\n", f);
    for (size_t r = 0; r < t.rows.n; r++) {
        fputs("<tr><td>", f), esc(f, t.rows.v[r]), fputs("</td>", f);
        size_t best = cli_ptab_best(&t, r);
        for (size_t c = 0; c < t.cols.n; c++) html_cell(f, &t, r, c, c == best);
        fputs("</tr>\n", f);
    }
    if (t.base < t.cols.n) {
        fputs("<tr class=\"gm\"><td>geometric mean</td>", f);
        for (size_t c = 0; c < t.cols.n; c++)
            isfinite(cli_ptab_geomean(&t, c)) ? fprintf(f, "<td>%.2f×</td>", cli_ptab_geomean(&t, c)) : fprintf(f, "<td>—</td>");
        fputs("</tr>", f);
    }
    fputs("</tbody></table>\n", f);
    cli_ptab_free(&t);
}

/* The main figures first (time, rss, then their per-category bars), then the rest by name. */
static int rank(const char *n) {
    return !strcmp(n, "time.svg") ? 0 : !strcmp(n, "rss.svg") ? 1 : !strncmp(n, "time-", 5) ? 2 : !strncmp(n, "rss-", 4) && strncmp(n, "rss-timeline", 12) ? 3 : 4;
}
static int by_name(const struct dirent **a, const struct dirent **b) {
    int d = rank((*a)->d_name) - rank((*b)->d_name);
    return d ? d : strcmp((*a)->d_name, (*b)->d_name);
}
static int is_svg(const struct dirent *d) {
    size_t n = strlen(d->d_name);
    return n > 4 && !strcmp(d->d_name + n - 4, ".svg");
}

/* Every SVG in RUN/plots/, its XML prologue dropped, inside a <figure>. */
static size_t figures(FILE *f, const char *rundir) {
    char *dir = cli_fmt("%s/plots", rundir);
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, is_svg, by_name);
    size_t drawn = 0;
    fputs("<h2>Figures</h2>\n", f);
    for (int i = 0; i < n; i++) {
        char *path = cli_fmt("%s/%s", dir, ents[i]->d_name), *svg = cli_read_file(path, NULL);
        char *start = svg ? strstr(svg, "<svg") : NULL;
        if (start) {
            fprintf(f, "<figure class=\"fig\" id=\"fig-%d\">%s<figcaption>", i, start);
            esc(f, ents[i]->d_name);
            fputs(" (PDF and PNG beside it in plots/)</figcaption></figure>\n", f);
            drawn++;
        }
        free(svg), free(path), free(ents[i]);
    }
    free(ents);
    if (!drawn) fprintf(f, "<p>No figures in %s (run <code>heapbench plot</code> first).</p>\n", dir);
    free(dir);
    return drawn;
}

static void collector(FILE *f, json_t *run) {
    static const char *k[] = {"gc_cycles", "pause_p50_ns", "pause_p99_ns", "pause_max_ns", "mark_cpu_ns",
                              "heap_goal_bytes", "heap_live_bytes", NULL};
    size_t i, any = 0;
    json_t *rec;
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        json_t *c = json_object_get(rec, "counters");
        if (!json_object_get(c, "gc_cycles")) continue;
        if (!any++)
            fputs("<h2>Collector</h2><table><thead><tr><th>cell</th><th>cycles</th><th>pause p50</th><th>pause p99</th>"
                  "<th>pause max</th><th>mark CPU</th><th>heap goal</th><th>live heap</th></tr></thead><tbody>\n", f);
        char key[800], b[64];
        cli_rec_key(rec, key, sizeof key);
        fputs("<tr><td>", f), esc(f, key), fputs("</td>", f);
        for (int j = 0; k[j]; j++) {
            double v = cli_rec_number(c, k[j]);
            if (j == 0) snprintf(b, sizeof b, isfinite(v) ? "%.0f" : "—", v);
            else cli_human(v, strstr(k[j], "bytes") != NULL, b, sizeof b);
            fprintf(f, "<td>%s</td>", b);
        }
        fputs("</tr>\n", f);
    }
    if (any) fputs("</tbody></table>\n", f);
}

static int violation(json_t *c) {
    const char *st = json_string_value(json_object_get(c, "status")) ?: "";
    return !strcmp(json_string_value(json_object_get(c, "kind")) ?: "", "rule") &&
           (!strcmp(st, "fail") || !strcmp(st, "crashed") || !strcmp(st, "timeout"));
}

/* RUN/conformance/conformance.json as a property × adapter matrix. */
static void conformance(FILE *f, const char *rundir) {
    char *path = cli_fmt("%s/conformance/conformance.json", rundir);
    json_t *doc = cli_is_file(path) ? json_load_file(path, 0, NULL) : NULL, *c, *p;
    free(path);
    if (!doc) return;
    cli_strv ads = {0};
    size_t i, j;
    json_array_foreach(json_object_get(doc, "matrix"), i, c) if (!cli_strv_has(&ads, json_string_value(json_object_get(c, "adapter")) ?: "?")) cli_strv_push(&ads, json_string_value(json_object_get(c, "adapter")) ?: "?");
    fputs("<h2>Conformance</h2><p>Rules (R) must hold; traits (t) are reported. Failed rules are highlighted.</p>"
          "<table><thead><tr><th>property</th>", f);
    for (j = 0; j < ads.n; j++) fputs("<th>", f), esc(f, ads.v[j]), fputs("</th>", f);
    fputs("</tr></thead><tbody>\n", f);
    json_array_foreach(json_object_get(doc, "properties"), i, p) {
        const char *name = json_string_value(json_object_get(p, "name")) ?: "?";
        fputs("<tr><td>", f), esc(f, name);
        fprintf(f, " (%s)</td>", !strcmp(json_string_value(json_object_get(p, "kind")) ?: "", "rule") ? "R" : "t");
        for (j = 0; j < ads.n; j++) {
            size_t m;
            json_t *hit = NULL;
            json_array_foreach(json_object_get(doc, "matrix"), m, c) if (!strcmp(json_string_value(json_object_get(c, "property")) ?: "", name) && !strcmp(json_string_value(json_object_get(c, "adapter")) ?: "", ads.v[j])) hit = c;
            const char *st = hit ? json_string_value(json_object_get(hit, "status")) : "—";
            fprintf(f, "<td class=\"%s\" title=\"", hit && violation(hit) ? "fail" : st && !strcmp(st, "pass") ? "pass" : "");
            esc(f, hit ? json_string_value(json_object_get(hit, "detail")) : ""), fputs("\">", f), esc(f, st), fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    cli_strv_free(&ads);
    json_decref(doc);
}

static void status(FILE *f, json_t *run) {
    size_t i, bad = 0;
    json_t *rec;
    fputs("<h2>Cell status</h2>", f);
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        const char *st = json_string_value(json_object_get(rec, "status")) ?: "?";
        if (!strcmp(st, "ok")) continue;
        if (!bad++) fputs("<table><thead><tr><th>cell</th><th>status</th><th>why</th></tr></thead><tbody>\n", f);
        char key[800];
        cli_rec_key(rec, key, sizeof key);
        fputs("<tr><td>", f), esc(f, key), fputs("</td><td>", f), esc(f, st);
        fputs("</td><td style=\"text-align:left\">", f), esc(f, json_string_value(json_object_get(rec, "message"))), fputs("</td></tr>\n", f);
    }
    fputs(bad ? "</tbody></table>\n" : "<p>Every cell finished ok.</p>\n", f);
}

/* Counts figures whose SVG has a drawn, non-empty box; names the first one's box. */
static const char *selfcheck_js =
    "<script>(function(){var figs=document.querySelectorAll('figure.fig svg'),ok=0,box='';"
    "figs.forEach(function(s){var r=s.getBoundingClientRect();if(r.width>50&&r.height>50&&s.querySelector('path,rect,polygon,polyline,text')){ok++;"
    "if(!box)box=[Math.round(r.left+scrollX),Math.round(r.top+scrollY),Math.round(r.width),Math.round(r.height)].join(',');}});"
    "var e=document.getElementById('selfcheck');e.textContent='self-check: figures loaded: '+ok+' of '+figs.length;"
    "e.setAttribute('data-loaded',ok);e.setAttribute('data-total',figs.length);e.setAttribute('data-box',box);})();</script>";

char *cli_report_html(json_t *run, const char *baseline, const char *rundir) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!baseline) baseline = cli_run_baseline(run);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>heapbench run ");
    esc(f, rundir);
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>heapbench run report</h1><p><code>", css);
    esc(f, rundir);
    fprintf(f, "</code></p><p id=\"selfcheck\" data-loaded=\"0\">self-check: the page's script did not run</p>\n");
    env_section(f, run);
    warnings(f, run, baseline);
    table(f, run, baseline, 0);
    table(f, run, baseline, 1);
    figures(f, rundir);
    collector(f, run);
    conformance(f, rundir);
    status(f, run);
    fprintf(f, "%s\n</body></html>\n", selfcheck_js);
    fclose(f);
    return buf;
}
