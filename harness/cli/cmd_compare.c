/*
 * cmd_compare.c — `heapbench compare BASE NEW`: is NEW slower than BASE?
 *
 * BASE and NEW are run folders, run.json files or Google Benchmark JSON
 * files. Cells are matched by adapter, workload and parameters; per cell
 * the ratio of median times and a two-sided Mann–Whitney U test over the
 * repetitions (stats.h, as Google Benchmark's compare.py). A cell is a
 * regression when it is slower by more than --threshold and p < --alpha;
 * a cell that was ok in BASE and is not in NEW counts as one too. With too
 * few repetitions for any outcome to reach alpha, the verdict says so
 * instead of "no change". Exit 1 when a regression is found, 0 otherwise,
 * 2 on bad input. A geometric mean of the ratios per adapter closes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "results.h"
#include "stats.h"
#include "util.h"

typedef struct row {
    char key[900], col[256];
    double base, nw, ratio, p;
    const char *verdict;
    int regression;
} row;

static int usage(FILE *f) {
    fprintf(f, "usage: heapbench compare BASE NEW [--threshold 5%%] [--alpha 0.05] [--metric real|cpu]\n"
               "                         [--markdown FILE]\n"
               "  BASE, NEW: run folders, run.json files or Google Benchmark JSON files.\n"
               "  Exit 1 when NEW has a statistically significant regression beyond the threshold.\n");
    return f == stderr ? HB_EXIT_USAGE : HB_EXIT_OK;
}

static void human_ns(double ns, char *buf, size_t len) {
    if (!isfinite(ns)) snprintf(buf, len, "—");
    else if (ns < 1e3) snprintf(buf, len, "%.4g ns", ns);
    else if (ns < 1e6) snprintf(buf, len, "%.4g us", ns / 1e3);
    else if (ns < 1e9) snprintf(buf, len, "%.4g ms", ns / 1e6);
    else snprintf(buf, len, "%.4g s", ns / 1e9);
}

static json_t *find(json_t *run, const char *key, int by_row) {
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        char k[900];
        if (by_row) hb_rec_row(rec, k, sizeof k);
        else hb_rec_key(rec, k, sizeof k);
        if (!strcmp(k, key)) return rec;
    }
    return NULL;
}

static const char *status_of(json_t *rec) {
    const char *s = json_string_value(json_object_get(rec, "status"));
    return s ? s : "?";
}

int cmd_compare(int argc, char **argv) {
    const char *paths[2] = {0}, *md = NULL, *metric = "real";
    double threshold = 0.05, alpha = 0.05;
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage(stdout);
        if (!strcmp(a, "--threshold") && v) {
            char *end;
            threshold = strtod(v, &end);
            if (end == v || (*end && strcmp(end, "%")) || threshold < 0)
                return hb_die("compare", "--threshold takes a percentage such as 5%%, not '%s'", v);
            threshold /= 100; /* "5" and "5%" both mean 5 % */
            i++;
        } else if (!strcmp(a, "--alpha") && v) {
            char *end;
            alpha = strtod(v, &end);
            if (end == v || *end || !(alpha > 0 && alpha < 1))
                return hb_die("compare", "--alpha takes a number between 0 and 1, not '%s'", v);
            i++;
        } else if (!strcmp(a, "--metric") && v) {
            if (strcmp(v, "real") && strcmp(v, "cpu")) return hb_die("compare", "--metric takes real or cpu, not '%s'", v);
            metric = v;
            i++;
        } else if (!strcmp(a, "--markdown") && v) {
            md = v;
            i++;
        } else if (a[0] == '-' && a[1]) {
            return hb_die("compare", "unknown option '%s' (heapbench compare --help)", a);
        } else if (np < 2) {
            paths[np++] = a;
        } else {
            return hb_die("compare", "two runs to compare, not more ('%s')", a);
        }
    }
    if (np != 2) return usage(stderr);
    char err[2048];
    json_t *base = hb_run_load(paths[0], err, sizeof err);
    if (!base) return hb_die("compare", "%s", err);
    json_t *nw = hb_run_load(paths[1], err, sizeof err);
    if (!nw) {
        json_decref(base);
        return hb_die("compare", "%s", err);
    }
    const char *field = !strcmp(metric, "cpu") ? "cpu_time_ns" : "real_time_ns";

    /* Match by full key; when nothing matches (two Google Benchmark files of
     * different executables), match by workload row alone. */
    int by_row = 1;
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(base, "results"), i, rec) {
        char k[900];
        hb_rec_key(rec, k, sizeof k);
        if (find(nw, k, 0)) {
            by_row = 0;
            break;
        }
    }
    size_t cap = json_array_size(json_object_get(base, "results")) + json_array_size(json_object_get(nw, "results")) + 1;
    row *rows = calloc(cap, sizeof *rows);
    size_t n = 0, nreg = 0, nfew = 0;
    json_array_foreach(json_object_get(base, "results"), i, rec) {
        row *r = &rows[n++];
        if (by_row) hb_rec_row(rec, r->key, sizeof r->key);
        else hb_rec_key(rec, r->key, sizeof r->key);
        hb_rec_col(rec, r->col, sizeof r->col);
        r->base = r->nw = r->ratio = r->p = NAN;
        json_t *other = find(nw, r->key, by_row);
        r->base = hb_rec_number(json_object_get(rec, field), "median");
        if (!other) {
            r->verdict = "only in BASE";
            continue;
        }
        r->nw = hb_rec_number(json_object_get(other, field), "median");
        int bok = !strcmp(status_of(rec), "ok"), nok = !strcmp(status_of(other), "ok");
        if (bok && !nok) {
            r->verdict = hb_fmt("BROKEN: %s in NEW", status_of(other));
            r->regression = 1;
            continue;
        }
        if (!bok || !nok) {
            r->verdict = hb_fmt("not comparable (%s / %s)", status_of(rec), status_of(other));
            continue;
        }
        r->ratio = r->nw / r->base;
        size_t n1, n2;
        double *x = hb_rec_samples(rec, field, &n1), *y = hb_rec_samples(other, field, &n2);
        hb_utest u;
        if (hb_mann_whitney(x, n1, y, n2, &u) != 0) {
            r->verdict = "no samples";
        } else {
            r->p = u.p;
            double change = r->ratio - 1;
            if (u.p_best >= alpha) {
                r->verdict = hb_fmt("too few samples (%zu vs %zu: p >= %.3g at best)", n1, n2, u.p_best);
                nfew++;
            } else if (u.p < alpha && change > threshold) {
                r->verdict = "REGRESSION";
                r->regression = 1;
            } else if (u.p < alpha && change < -threshold) {
                r->verdict = "improvement";
            } else if (u.p < alpha) {
                r->verdict = "significant, within threshold";
            } else {
                r->verdict = "no significant change";
            }
        }
        free(x);
        free(y);
    }
    json_array_foreach(json_object_get(nw, "results"), i, rec) {
        char k[900];
        if (by_row) hb_rec_row(rec, k, sizeof k);
        else hb_rec_key(rec, k, sizeof k);
        if (find(base, k, by_row)) continue;
        row *r = &rows[n++];
        snprintf(r->key, sizeof r->key, "%s", k);
        hb_rec_col(rec, r->col, sizeof r->col);
        r->base = r->ratio = r->p = NAN;
        r->nw = hb_rec_number(json_object_get(rec, field), "median");
        r->verdict = "only in NEW";
    }
    for (size_t k = 0; k < n; k++) nreg += rows[k].regression;

    char *mdbuf = NULL;
    size_t mdlen = 0;
    FILE *m = open_memstream(&mdbuf, &mdlen);
    fprintf(m, "# heapbench compare\n\n- **base**: %s\n- **new**: %s\n- **metric**: %s time, median of repetitions\n"
               "- **threshold**: %.3g%%, **alpha**: %.3g (two-sided Mann–Whitney U)\n\n",
            paths[0], paths[1], metric, threshold * 100, alpha);
    fprintf(m, "| cell | base | new | change | p | verdict |\n|---|---:|---:|---:|---:|---|\n");
    int w = 10;
    for (size_t k = 0; k < n; k++) w = (int)strlen(rows[k].key) > w ? (int)strlen(rows[k].key) : w;
    if (w > 60) w = 60;
    printf("%-*s %12s %12s %9s %8s  %s\n", w, "cell", "base", "new", "change", "p", "verdict");
    for (size_t k = 0; k < n; k++) {
        row *r = &rows[k];
        char b[32], nn[32], ch[32], p[32];
        human_ns(r->base, b, sizeof b);
        human_ns(r->nw, nn, sizeof nn);
        if (isfinite(r->ratio)) snprintf(ch, sizeof ch, "%+.1f%%", (r->ratio - 1) * 100);
        else snprintf(ch, sizeof ch, "—");
        if (isfinite(r->p)) snprintf(p, sizeof p, "%.4f", r->p);
        else snprintf(p, sizeof p, "—");
        printf("%-*s %12s %12s %9s %8s  %s\n", w, r->key, b, nn, ch, p, r->verdict);
        fprintf(m, "| %s | %s | %s | %s | %s | %s%s%s |\n", r->key, b, nn, ch, p, r->regression ? "**" : "",
                r->verdict, r->regression ? "**" : "");
    }
    /* Geometric mean of ratios per adapter (column). */
    printf("\ngeometric mean of new/base per adapter:\n");
    fprintf(m, "\n| adapter | geometric mean of new/base | cells |\n|---|---:|---:|\n");
    hb_strv cols = {0};
    for (size_t k = 0; k < n; k++)
        if (!hb_strv_has(&cols, rows[k].col)) hb_strv_push(&cols, rows[k].col);
    double *ratios = malloc((n + 1) * sizeof *ratios);
    for (size_t c = 0; c < cols.n; c++) {
        size_t cnt = 0;
        for (size_t k = 0; k < n; k++)
            if (!strcmp(rows[k].col, cols.v[c]) && isfinite(rows[k].ratio)) ratios[cnt++] = rows[k].ratio;
        double g = hb_geomean(ratios, cnt);
        printf("  %-24s %s (%zu cells)\n", cols.v[c], isfinite(g) ? hb_fmt("%.3f", g) : "—", cnt);
        fprintf(m, "| %s | %s | %zu |\n", cols.v[c], isfinite(g) ? hb_fmt("%.3f", g) : "—", cnt);
    }
    const char *summary = nreg ? "REGRESSION: %zu cell(s) significantly slower beyond the threshold (or broken)\n"
                               : "no significant regression (%zu)\n";
    printf("\n");
    printf(summary, nreg);
    if (nfew)
        printf("note: %zu cell(s) have too few repetitions for the U test to ever reach alpha = %g; "
               "run with --repetitions 5 or more\n",
               nfew, alpha);
    fprintf(m, "\n");
    fprintf(m, summary, nreg);
    fclose(m);
    int rc = nreg ? HB_EXIT_FOUND : HB_EXIT_OK;
    if (md && hb_write_atomic(md, mdbuf, mdlen) != 0) rc = hb_die("compare", "cannot write %s: %s", md, strerror(errno));
    free(mdbuf);
    free(ratios);
    hb_strv_free(&cols);
    free(rows);
    json_decref(base);
    json_decref(nw);
    return rc;
}
