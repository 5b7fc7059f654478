/*
 * anatomy.c — read, split and classify a cell's memory anatomy, and run the
 * untimed child that samples it (docs/anatomy.md has the classes and the
 * thresholds; harness/anatomy.c is the sampler inside the child).
 */
#define _GNU_SOURCE
#include "anatomy.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"

int cli_an_load(const char *path, cli_an_series *out, char *err, size_t len) {
    FILE *f = fopen(path, "r");
    memset(out, 0, sizeof *out);
    if (!f) return snprintf(err, len, "cannot read %s: %s", path, strerror(errno)), -1;
    char line[512];
    size_t cap = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n') continue;
        cli_an_sample x;
        unsigned long long t;
        long long v[7];
        if (sscanf(line, "%llu %lld %lld %lld %lld %lld %lld %lld", &t, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                   &v[6]) != 8) {
            fclose(f);
            cli_an_free(out);
            return snprintf(err, len, "%s:%zu: not an anatomy sample (t_ns rss live in_use free_partial "
                            "free_cached metadata released)", path, lineno), -1;
        }
        x = (cli_an_sample){(double)t * 1e-9, v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
        if (out->n == cap) out->s = realloc(out->s, (cap = cap ? cap * 2 : 256) * sizeof *out->s);
        out->s[out->n++] = x;
    }
    fclose(f);
    if (out->n < 2) return snprintf(err, len, "%s: fewer than 2 samples", path), cli_an_free(out), -1;
    return 0;
}

void cli_an_free(cli_an_series *s) {
    free(s->s);
    s->s = NULL;
    s->n = 0;
}

static int64_t known(int64_t v) { return v < 0 ? 0 : v; }

/* The heap's resident bytes the allocator tells of at sample x. */
static int64_t heap_told(const cli_an_sample *x) {
    int64_t in_use = x->in_use >= 0 ? x->in_use : x->live;
    return in_use + known(x->free_partial) + known(x->free_cached) + known(x->metadata);
}

void cli_an_split_at(const cli_an_series *s, size_t i, cli_an_split *o) {
    const cli_an_sample *x = &s->s[i];
    o->rss = x->rss;
    o->live = x->live;
    o->rounding = x->in_use >= 0 ? x->in_use - x->live : -1;
    o->partial = x->free_partial;
    o->cached = x->free_cached;
    o->metadata = x->metadata;
    o->released = x->released;
    o->other = s->s[0].rss - heap_told(&s->s[0]);
    if (o->other < 0) o->other = 0;
    o->unaccounted = x->rss - heap_told(x) - o->other;
}

const char *cli_an_class_name(cli_an_class c) {
    static const char *const n[] = {"steady", "leak", "fragmentation", "retention", "held"};
    return n[c];
}

/* Held at sample i: what is resident beyond live objects and "other". */
static int64_t held_at(const cli_an_series *s, size_t i, int64_t other) { return s->s[i].rss - s->s[i].live - other; }

/* Fragmentation or retention: which kind of held memory dominates over
 * the run, each sample weighted by the time to the next, over the samples
 * where the allocator held at least CLI_AN_HELD_MIN_BYTES and at least the
 * live bytes (a single sample caught mid-free does not decide). */
static cli_an_class held_class(const cli_an_series *s, int64_t other) {
    double frag = 0, ret = 0, unacc = 0;
    int told = 0;
    for (size_t i = 0; i < s->n; i++) {
        cli_an_split h;
        cli_an_split_at(s, i, &h);
        int64_t held = h.rss - h.live - other;
        if (held < CLI_AN_HELD_MIN_BYTES || held < h.live) continue;
        /* the last sample weighs as the interval before it */
        double dt = i + 1 < s->n ? s->s[i + 1].t_s - s->s[i].t_s : s->s[i].t_s - s->s[i - 1].t_s;
        told |= h.rounding >= 0 || h.partial >= 0 || h.cached >= 0;
        frag += dt * (double)(known(h.rounding) + known(h.partial));
        ret += dt * (double)known(h.cached);
        unacc += dt * (double)(h.unaccounted > 0 ? h.unaccounted : 0);
    }
    if (!told || (unacc > frag && unacc > ret)) return CLI_AN_HELD; /* not told apart */
    return frag >= ret ? CLI_AN_FRAGMENTATION : CLI_AN_RETENTION;
}

/* The last sample at or before fraction f of the time span. */
static size_t sample_at(const cli_an_series *s, double f) {
    double t0 = s->s[0].t_s, t1 = s->s[s->n - 1].t_s;
    size_t i = 0;
    while (i + 1 < s->n && s->s[i + 1].t_s <= t0 + (t1 - t0) * f) i++;
    return i;
}

/* The least live bytes over the samples of quarter k (0..3): the floor a
 * batch-wise workload returns to, whatever it holds in flight. */
static int64_t live_floor(const cli_an_series *s, int k) {
    double t0 = s->s[0].t_s, span = s->s[s->n - 1].t_s - t0;
    int64_t m = INT64_MAX;
    for (size_t i = 0; i < s->n; i++) {
        double f = span > 0 ? (s->s[i].t_s - t0) / span : 1;
        int q = f >= 1 ? 3 : (int)(f * 4);
        if (q == k && s->s[i].live < m) m = s->s[i].live;
    }
    return m == INT64_MAX ? -1 : m;
}

/* A leak: live bytes at the end (after the workload returned) stand at
 * least CLI_AN_LEAK_MIN_BYTES and CLI_AN_LEAK_MIN_REL above the first
 * quarter's floor, and at least CLI_AN_LEAK_END_SHARE of the most ever
 * live: the program kept growing data it never gave back. Timing does not
 * matter (a loaded machine stretches quarters), the ledger does. */
static int is_leak(const cli_an_series *s) {
    int64_t f0 = live_floor(s, 0), end = s->s[s->n - 1].live, max = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->s[i].live > max) max = s->s[i].live;
    return f0 >= 0 && end - f0 >= CLI_AN_LEAK_MIN_BYTES && (double)(end - f0) >= CLI_AN_LEAK_MIN_REL * (double)f0 &&
           (double)end >= CLI_AN_LEAK_END_SHARE * (double)max;
}

void cli_an_classify(const cli_an_series *s, cli_an_verdict *v) {
    memset(v, 0, sizeof *v);
    v->end = s->n - 1;
    v->q = sample_at(s, 0.25), v->half = sample_at(s, 0.5), v->q3 = sample_at(s, 0.75);
    cli_an_split_at(s, v->q, &v->at_q);
    int64_t other = v->at_q.other, best = INT64_MIN;
    for (size_t i = 0; i < s->n; i++) {
        if (s->s[i].rss > s->s[v->peak].rss) v->peak = i;
        if (held_at(s, i, other) > best) best = held_at(s, i, other), v->held = i;
    }
    cli_an_split_at(s, v->end, &v->at_end);
    cli_an_split_at(s, v->peak, &v->at_peak);
    cli_an_split_at(s, v->held, &v->at_held);
    if (is_leak(s))
        v->cls = CLI_AN_LEAK;
    else if (best >= CLI_AN_HELD_MIN_BYTES && best >= v->at_held.live)
        v->cls = held_class(s, other);
    else
        v->cls = CLI_AN_STEADY;
}

static json_t *split_json(const cli_an_split *x) {
    json_t *o = json_object();
#define F(name) json_object_set_new(o, #name, x->name < 0 && strcmp(#name, "unaccounted") ? json_null() : json_integer(x->name))
    F(rss), F(live), F(rounding), F(partial), F(cached), F(metadata), F(released), F(other), F(unaccounted);
#undef F
    return o;
}

/* rec.anatomy from the child's file: its class and the split at the peak. */
static void record_anatomy(const char *path, const char *rel, json_t *an) {
    cli_an_series s;
    cli_an_verdict v;
    char err[512];
    json_object_set_new(an, "samples", json_string(rel));
    if (cli_an_load(path, &s, err, sizeof err) != 0) {
        json_object_set_new(an, "status", json_string("error"));
        json_object_set_new(an, "message", json_string(err));
        return;
    }
    cli_an_classify(&s, &v);
    json_object_set_new(an, "status", json_string("ok"));
    json_object_set_new(an, "class", json_string(cli_an_class_name(v.cls)));
    json_object_set_new(an, "peak", split_json(&v.at_peak));
    json_object_set_new(an, "end", split_json(&v.at_end));
    cli_an_free(&s);
}

void cli_an_run_cell(const cli_run_config *c, const char *id, const cli_strv *args, long long gogc, const char *dir,
                    json_t *rec) {
    char path[PATH_MAX + 512], log[PATH_MAX + 512];
    snprintf(path, sizeof path, "%s/raw/%s.anatomy", dir, id);
    snprintf(log, sizeof log, "%s/logs/%s.anatomy.log", dir, id);
    unlink(path);
    cli_strv a = {0};
    for (size_t i = 0; i < args->n; i++) cli_strv_push(&a, args->v[i]);
    char g[32];
    snprintf(g, sizeof g, "%lld", gogc);
    if (gogc >= 0) cli_strv_push(&a, "--gogc"), cli_strv_push(&a, g);
    const char *const extra[] = {"--anatomy", path, "--benchmark_repetitions=1", "--benchmark_min_time=0.05",
                                 "--benchmark_format=json"};
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++) cli_strv_push(&a, extra[i]);
    cli_child_opts o = {.argv = (const char *const *)a.v, .stdout_path = log, .stderr_path = log,
                       .timeout_s = c->timeout_s, .cpus = c->pin};
    cli_child_result r;
    json_t *an = json_object();
    json_object_set_new(an, "log", json_string(strrchr(log, '/') - 4));
    if (cli_child_run(&o, &r) != 0 || r.end != CLI_CHILD_EXITED || r.exit_code != 0) {
        json_object_set_new(an, "status", json_string("error"));
        json_object_set_new(an, "message", json_string("the anatomy child did not exit 0: see its log"));
    } else {
        record_anatomy(path, strrchr(path, '/') - 3, an);
    }
    json_object_set_new(rec, "anatomy", an);
    cli_strv_free(&a);
}
