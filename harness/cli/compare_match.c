/*
 * compare_match.c — pair BASE's cells with NEW's (compare.h).
 *
 * A cell's identity is its adapter column (adapter, GOGC), workload and
 * thread count. Two cells with one identity are compared only when they
 * ran with the same parameters: the params_effective the child recorded
 * (every parameter, preset resolved); for runs written before that field,
 * the run's preset and the cell's --param overrides, said in a note. Only
 * two single-adapter Google Benchmark files of different adapters are
 * paired by workload alone (hb-system's JSON against hb-mimalloc's).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "results.h"

static const char *sval(json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long threads_of(json_t *rec) {
    json_t *t = json_object_get(rec, "threads");
    return json_is_integer(t) ? (long long)json_integer_value(t) : 1;
}

static int has_threads_param(json_t *rec) {
    return json_object_get(json_object_get(rec, "params_effective"), "threads") ||
           json_object_get(json_object_get(rec, "params"), "threads");
}

static void identity(json_t *rec, int by_workload, char *buf, size_t len) {
    char col[256];
    cli_rec_col(rec, col, sizeof col);
    snprintf(buf, len, "%s\x1f%s\x1f%lld", by_workload ? "" : col, sval(rec, "workload"), threads_of(rec));
}

static void label(cli_cmp_pair *p, int by_workload) {
    json_t *r = p->base ? p->base : p->nw;
    char cb[256] = "", cn[256] = "";
    if (p->base) cli_rec_col(p->base, cb, sizeof cb);
    if (p->nw) cli_rec_col(p->nw, cn, sizeof cn);
    snprintf(p->col, sizeof p->col, "%s", p->base ? cb : cn);
    char th[48] = "";
    if (has_threads_param(r)) snprintf(th, sizeof th, " threads=%lld", threads_of(r));
    if (by_workload && p->base && p->nw)
        snprintf(p->label, sizeof p->label, "%s → %s · %s%s", cb, cn, sval(r, "workload"), th);
    else
        snprintf(p->label, sizeof p->label, "%s · %s%s", p->col, sval(r, "workload"), th);
}

/* Two single-adapter Google Benchmark files naming different adapters. */
static int gb_pair(cli_cmp *c) {
    json_t *ab = json_object_get(c->base, "adapters"), *an = json_object_get(c->nw, "adapters");
    if (strcmp(sval(json_object_get(c->base, "meta"), "format"), "google-benchmark") ||
        strcmp(sval(json_object_get(c->nw, "meta"), "format"), "google-benchmark"))
        return 0;
    if (json_array_size(ab) != 1 || json_array_size(an) != 1) return 0;
    const char *a = sval(json_array_get(ab, 0), "name"), *b = sval(json_array_get(an, 0), "name");
    if (!strcmp(a, b)) return 0;
    cli_strv_push(&c->notes, cli_fmt("matched by workload name alone: two single-adapter Google Benchmark "
                                   "files of different executables (hb-%s against hb-%s)", a, b));
    return 1;
}

/* The parameters a pair is matched on (a new reference). */
static json_t *match_params(json_t *run, json_t *rec, int effective) {
    if (effective) return json_incref(json_object_get(rec, "params_effective"));
    json_t *meta = json_object_get(run, "meta"), *o = json_object();
    json_t *preset = json_object_get(meta, "preset");
    if (!preset) preset = json_object_get(json_object_get(meta, "config"), "preset");
    if (json_is_string(preset)) json_object_set(o, "preset", preset);
    json_object_update(o, json_object_get(rec, "overrides"));
    json_object_del(o, "threads"); /* part of the identity */
    return o;
}

static void text_of(json_t *v, char *buf, size_t len) {
    if (!v) snprintf(buf, len, "(unset)");
    else if (json_is_string(v)) snprintf(buf, len, "%s", json_string_value(v));
    else if (json_is_integer(v)) snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else snprintf(buf, len, "?");
}

/* "live 1000 → 100000, preset quick → full" for the keys that differ. */
static void describe(json_t *a, json_t *b, char *buf, size_t len) {
    json_t *keys = json_deep_copy(a);
    json_object_update(keys, b);
    size_t off = 0;
    const char *k;
    json_t *v;
    buf[0] = 0;
    json_object_foreach(keys, k, v) {
        json_t *x = json_object_get(a, k), *y = json_object_get(b, k);
        if (x && y && json_equal(x, y)) continue;
        char tx[64], ty[64];
        text_of(x, tx, sizeof tx);
        text_of(y, ty, sizeof ty);
        if (off < len) off += (size_t)snprintf(buf + off, len - off, "%s%s %s → %s", off ? ", " : "", k, tx, ty);
    }
    json_decref(keys);
}

static void check_params(cli_cmp *c, cli_cmp_pair *p) {
    int effective = json_is_object(json_object_get(p->base, "params_effective")) &&
                    json_is_object(json_object_get(p->nw, "params_effective"));
    p->by_preset = !effective;
    json_t *a = match_params(c->base, p->base, effective), *b = match_params(c->nw, p->nw, effective);
    if (!json_equal(a, b)) {
        p->kind = CLI_PAIR_NOT_COMPARABLE;
        describe(a, b, p->why, sizeof p->why);
    }
    json_decref(a);
    json_decref(b);
}

static cli_cmp_pair *add_pair(cli_cmp *c, json_t *base, json_t *nw, cli_pair_kind kind, int by_workload) {
    cli_cmp_pair *p = &c->pairs[c->npairs++];
    memset(p, 0, sizeof *p);
    p->base = base;
    p->nw = nw;
    p->kind = kind;
    label(p, by_workload);
    return p;
}

static int run_has_effective(json_t *run) {
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(run, "results"), i, r) if (json_object_get(r, "params_effective")) return 1;
    return 0;
}

/* Says when pairs with numbers on both sides were matched on the preset. */
static void note_preset_matching(cli_cmp *c) {
    size_t n = 0;
    for (size_t k = 0; k < c->npairs; k++) {
        cli_cmp_pair *p = &c->pairs[k];
        n += p->by_preset && p->base && p->nw && !strcmp(sval(p->base, "status"), "ok") &&
             !strcmp(sval(p->nw, "status"), "ok");
    }
    if (!n) return;
    int eb = run_has_effective(c->base), en = run_has_effective(c->nw);
    cli_strv_push(&c->notes,
                 cli_fmt("%zu cell(s) matched on preset + --param overrides, not on effective parameters: "
                        "%s no params_effective (run.json written before they were recorded)",
                        n, !eb && !en ? "BASE and NEW have" : !eb ? "BASE has" : "NEW has"));
}

void cli_cmp_match(cli_cmp *c) {
    json_t *rb = json_object_get(c->base, "results"), *rn = json_object_get(c->nw, "results");
    size_t nn = json_array_size(rn);
    c->pairs = calloc(json_array_size(rb) + nn + 1, sizeof *c->pairs);
    char *used = calloc(nn + 1, 1);
    int by_workload = gb_pair(c);
    size_t i;
    json_t *rec;
    json_array_foreach(rb, i, rec) {
        char kb[1024], kn[1024];
        identity(rec, by_workload, kb, sizeof kb);
        size_t j = 0;
        for (; j < nn; j++) {
            if (used[j]) continue;
            identity(json_array_get(rn, j), by_workload, kn, sizeof kn);
            if (!strcmp(kb, kn)) break;
        }
        if (j == nn) {
            add_pair(c, rec, NULL, CLI_PAIR_MISSING, by_workload);
            continue;
        }
        used[j] = 1;
        check_params(c, add_pair(c, rec, json_array_get(rn, j), CLI_PAIR_COMPARED, by_workload));
    }
    for (size_t j = 0; j < nn; j++)
        if (!used[j]) add_pair(c, NULL, json_array_get(rn, j), CLI_PAIR_ONLY_NEW, by_workload);
    free(used);
    note_preset_matching(c);
    c->new_status = json_string_value(json_object_get(json_object_get(c->nw, "meta"), "status"));
    const char *bs = json_string_value(json_object_get(json_object_get(c->base, "meta"), "status"));
    if (bs && (!strcmp(bs, "interrupted") || !strcmp(bs, "running")))
        cli_strv_push(&c->notes, cli_fmt("BASE run is %s: the cells it lacks are not compared", bs));
}
