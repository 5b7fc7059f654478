/*
 * compare_judge.c — the verdict of each pair and of the whole comparison
 * (compare.h).
 *
 * Times: the ratio of medians and a two-sided Mann–Whitney U test of the
 * repetitions (stats.h); a REGRESSION is slower by more than the threshold
 * with p < alpha. Peak RSS is one figure per cell (the child's
 * ru_maxrss), so there is no test: growth beyond the threshold is a
 * REGRESSION. A verdict rests on noisy cells when the repetitions' CV is
 * above CLI_NOISY_CV in either run.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "results.h"
#include "stats.h"

static const char *status_of(json_t *rec) {
    const char *s = json_string_value(json_object_get(rec, "status"));
    return s ? s : "?";
}

static const char *field_of(cli_cmp_metric m) {
    return m == CLI_CMP_CPU ? "cpu_time_ns" : m == CLI_CMP_RSS ? "peak_rss_bytes" : "real_time_ns";
}

/* BROKEN / NOT_MEASURED from the cells' statuses; 1 when both are ok. */
static int both_ok(cli_cmp_pair *p) {
    int bok = !strcmp(status_of(p->base), "ok"), nok = !strcmp(status_of(p->nw), "ok");
    if (bok && !nok) {
        p->kind = CLI_PAIR_BROKEN;
        snprintf(p->why, sizeof p->why, "%s in NEW", status_of(p->nw));
        p->verdict = cli_fmt("BROKEN: %s in NEW", status_of(p->nw));
        return 0;
    }
    if (!bok) {
        p->kind = CLI_PAIR_NOT_MEASURED;
        p->verdict = cli_fmt("not measured (%s / %s)", status_of(p->base), status_of(p->nw));
        return 0;
    }
    return 1;
}

static void judge_rss(const cli_cmp *c, cli_cmp_pair *p) {
    p->vbase = cli_rec_number(p->base, "peak_rss_bytes");
    p->vnew = cli_rec_number(p->nw, "peak_rss_bytes");
    p->ratio = p->vnew / p->vbase;
    double change = p->ratio - 1;
    if (change > c->o->threshold) p->verdict = "REGRESSION", p->regression = 1;
    else if (change < -c->o->threshold) p->verdict = "improvement";
    else p->verdict = "within threshold";
}

static void judge_time(const cli_cmp *c, cli_cmp_pair *p) {
    const char *field = field_of(c->o->metric);
    size_t n1, n2;
    double *x = cli_rec_samples(p->base, field, &n1), *y = cli_rec_samples(p->nw, field, &n2);
    cli_utest u;
    p->vbase = cli_median(x, n1);
    p->vnew = cli_median(y, n2);
    p->ratio = p->vnew / p->vbase;
    p->cv_base = cli_cv(x, n1);
    p->cv_new = cli_cv(y, n2);
    p->noisy = p->cv_base > CLI_NOISY_CV || p->cv_new > CLI_NOISY_CV;
    cli_mann_whitney(x, n1, y, n2, &u);
    free(x);
    free(y);
    p->p = u.p;
    double change = p->ratio - 1, a = c->o->alpha, t = c->o->threshold;
    if (u.p_best >= a) {
        p->verdict = cli_fmt("too few samples (%zu vs %zu: p >= %.3g at best)", n1, n2, u.p_best);
        p->too_few = 1;
    } else if (u.p < a && change > t) {
        p->verdict = "REGRESSION";
        p->regression = 1;
    } else if (u.p < a && change < -t) {
        p->verdict = "improvement";
    } else if (u.p < a) {
        p->verdict = "significant, within threshold";
    } else {
        p->verdict = "no significant change";
    }
}

/* Whether the pair has the metric on both sides; says why not. */
static int has_metric(const cli_cmp *c, cli_cmp_pair *p) {
    const char *field = field_of(c->o->metric);
    int rss = c->o->metric == CLI_CMP_RSS;
    size_t n1 = 0, n2 = 0;
    if (rss) {
        n1 = isfinite(cli_rec_number(p->base, field));
        n2 = isfinite(cli_rec_number(p->nw, field));
    } else {
        free(cli_rec_samples(p->base, field, &n1));
        free(cli_rec_samples(p->nw, field, &n2));
    }
    if (n1 && n2) return 1;
    p->kind = CLI_PAIR_NOT_MEASURED;
    p->verdict = cli_fmt("no %s in %s", field, !n1 && !n2 ? "either run" : !n1 ? "BASE" : "NEW");
    return 0;
}

static void judge_pair(cli_cmp *c, cli_cmp_pair *p) {
    p->vbase = p->vnew = p->ratio = p->p = p->cv_base = p->cv_new = NAN;
    switch (p->kind) {
    case CLI_PAIR_MISSING: p->verdict = "MISSING from NEW"; return;
    case CLI_PAIR_ONLY_NEW: p->verdict = "only in NEW"; return;
    case CLI_PAIR_NOT_COMPARABLE: p->verdict = cli_fmt("not comparable (%s)", p->why); return;
    default: break;
    }
    if (!both_ok(p) || !has_metric(c, p)) return;
    if (c->o->metric == CLI_CMP_RSS) judge_rss(c, p);
    else judge_time(c, p);
}

static void count(cli_cmp *c) {
    for (size_t k = 0; k < c->npairs; k++) {
        cli_cmp_pair *p = &c->pairs[k];
        c->ncompared += p->kind == CLI_PAIR_COMPARED;
        c->nbroken += p->kind == CLI_PAIR_BROKEN;
        c->nmissing += p->kind == CLI_PAIR_MISSING;
        c->nnotcomp += p->kind == CLI_PAIR_NOT_COMPARABLE;
        c->nregress += (size_t)p->regression;
        c->nnoisy += (size_t)p->noisy;
        c->nfew += (size_t)p->too_few;
    }
    c->incomplete = c->new_status && (!strcmp(c->new_status, "interrupted") || !strcmp(c->new_status, "running"));
}

/* "3 regression(s), 1 broken in NEW, ..." or NULL when nothing failed. */
static char *failures(const cli_cmp *c) {
    if (!(c->nregress || c->nbroken || c->nmissing || c->incomplete)) return NULL;
    return cli_fmt("%zu regression(s), %zu broken in NEW, %zu missing from NEW%s", c->nregress, c->nbroken,
                  c->nmissing, c->incomplete ? ", NEW run incomplete" : "");
}

void cli_cmp_judge(cli_cmp *c) {
    for (size_t k = 0; k < c->npairs; k++) judge_pair(c, &c->pairs[k]);
    count(c);
    char *fail = failures(c);
    const char *also = fail ? "; also FAILED: " : "";
    if (c->ncompared == 0) {
        c->exit_code = CLI_EXIT_USAGE;
        c->verdict = cli_fmt("NOTHING COMPARED: no cell of BASE has a comparable, measured cell in NEW%s%s", also,
                            fail ? fail : "");
    } else if (c->nblocking && !c->o->allow_env_change) {
        c->exit_code = CLI_EXIT_USAGE;
        c->verdict = cli_fmt("ENVIRONMENT CHANGED: %zu difference(s) in machine, preset or library version "
                            "(--allow-env-change to accept them)%s%s", c->nblocking, also, fail ? fail : "");
    } else if (fail) {
        c->exit_code = CLI_EXIT_FOUND;
        c->verdict = cli_fmt("FAILED: %s", fail);
    } else {
        c->exit_code = CLI_EXIT_OK;
        c->verdict = "no significant regression";
    }
    free(fail);
}
