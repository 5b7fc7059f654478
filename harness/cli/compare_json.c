/*
 * compare_json.c — `heapbench compare --format json`: the same findings and
 * verdict as the text report, for machines (schema heapbench-compare/1,
 * docs/results-format.md).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "compare.h"

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static const char *kind_name(cli_pair_kind k) {
    static const char *const names[] = {"compared", "not-comparable", "broken", "not-measured", "missing", "only-new"};
    return names[k];
}

static json_t *strv(const cli_strv *s) {
    json_t *a = json_array();
    for (size_t k = 0; k < s->n; k++) json_array_append_new(a, json_string(s->v[k]));
    return a;
}

static json_t *env_json(const cli_cmp *c) {
    json_t *d = json_array();
    for (size_t k = 0; k < c->ndiffs; k++)
        json_array_append_new(d, json_pack("{s:s,s:s,s:s,s:b,s:b}", "field", c->diffs[k].field, "base", c->diffs[k].base,
                                           "new", c->diffs[k].nw, "blocking", c->diffs[k].blocking, "library", c->diffs[k].library));
    return json_pack("{s:o,s:o,s:o,s:b,s:b,s:b}", "differences", d, "warnings_base", strv(&c->warn_base),
                     "warnings_new", strv(&c->warn_new), "busy_base", c->busy_base, "busy_new", c->busy_new,
                     "allowed", c->o->allow_env_change);
}

static json_t *pair_json(const cli_cmp_pair *p) {
    json_t *o = json_pack("{s:s,s:s,s:s}", "cell", p->label, "kind", kind_name(p->kind), "verdict", p->verdict);
    json_t *r = p->base ? p->base : p->nw;
    json_object_set(o, "adapter", json_object_get(r, "adapter"));
    json_object_set(o, "workload", json_object_get(r, "workload"));
    json_object_set_new(o, "base", num(p->vbase));
    json_object_set_new(o, "new", num(p->vnew));
    json_object_set_new(o, "ratio", num(p->ratio));
    json_object_set_new(o, "p", num(p->p));
    json_object_set_new(o, "cv_base", num(p->cv_base));
    json_object_set_new(o, "cv_new", num(p->cv_new));
    json_object_set_new(o, "regression", json_boolean(p->regression));
    json_object_set_new(o, "noisy", json_boolean(p->noisy));
    if (p->base && p->nw)
        json_object_set_new(o, "matched_on", json_string(p->by_preset ? "preset+overrides" : "params_effective"));
    if (*p->why) json_object_set_new(o, "why", json_string(p->why));
    return o;
}

/* The verdict as a word: ok | failed | env-changed | nothing-compared. */
static const char *outcome(const cli_cmp *c) {
    if (c->exit_code == 0) return "ok";
    if (c->exit_code == 1) return "failed";
    return c->ncompared == 0 ? "nothing-compared" : "env-changed";
}

void cli_cmp_report_json(const cli_cmp *c, FILE *f) {
    static const char *const metric[] = {"real", "cpu", "rss"};
    json_t *cells = json_array();
    for (size_t k = 0; k < c->npairs; k++) json_array_append_new(cells, pair_json(&c->pairs[k]));
    json_t *counts = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "compared", (json_int_t)c->ncompared,
                               "regressions", (json_int_t)c->nregress, "broken", (json_int_t)c->nbroken,
                               "missing", (json_int_t)c->nmissing, "not_comparable", (json_int_t)c->nnotcomp,
                               "noisy", (json_int_t)c->nnoisy, "too_few_samples", (json_int_t)c->nfew,
                               "new_incomplete", c->incomplete);
    json_t *root = json_pack("{s:s,s:s,s:s,s:s,s:f,s:f,s:o,s:o,s:o,s:o,s:s,s:i}", "schema", "heapbench-compare/1",
                             "base", c->o->paths[0], "new", c->o->paths[1], "metric", metric[c->o->metric],
                             "threshold", c->o->threshold, "alpha", c->o->alpha, "environment", env_json(c),
                             "notes", strv(&c->notes), "cells", cells, "counts", counts, "verdict", c->verdict,
                             "exit_code", c->exit_code);
    json_object_set_new(root, "outcome", json_string(outcome(c)));
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fprintf(f, "%s\n", s);
    free(s);
    json_decref(root);
}
