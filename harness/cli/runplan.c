/*
 * runplan.c — expand a run's configuration into cells (see runplan.h).
 */
#define _GNU_SOURCE
#include "runplan.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static json_t *strv_json(const cli_strv *s) {
    json_t *a = json_array();
    for (size_t i = 0; i < s->n; i++) json_array_append_new(a, json_string(s->v[i]));
    return a;
}

json_t *cli_config_to_json(const cli_run_config *c) {
    json_t *j = json_object();
    json_object_set_new(j, "adapters", strv_json(&c->adapters));
    json_object_set_new(j, "workloads", strv_json(&c->workloads));
    json_object_set_new(j, "preset", json_string(c->preset));
    json_object_set_new(j, "threads", strv_json(&c->threads));
    json_object_set_new(j, "gogc", strv_json(&c->gogc));
    json_object_set_new(j, "params", strv_json(&c->params));
    json_object_set_new(j, "repetitions", json_integer(c->repetitions));
    json_object_set_new(j, "timeout_s", json_real(c->timeout_s));
    json_object_set_new(j, "min_time_s", json_real(c->min_time_s));
    json_object_set_new(j, "rss_sample_ms", json_integer(c->rss_sample_ms));
    json_object_set_new(j, "baseline", json_string(c->baseline));
    json_object_set_new(j, "pin", c->pin ? json_string(c->pin) : json_null());
    json_object_set_new(j, "export", c->export_fmt ? json_string(c->export_fmt) : json_null());
    json_object_set_new(j, "latency", json_boolean(c->latency));
    json_object_set_new(j, "anatomy", json_boolean(c->anatomy));
    if (c->shard_n > 0) json_object_set_new(j, "shard", json_pack("{s:i,s:i}", "k", c->shard_k, "n", c->shard_n));
    return j;
}

static int strv_from(json_t *a, cli_strv *out) {
    if (!json_is_array(a)) return -1;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) return -1;
        cli_strv_push(out, json_string_value(v));
    }
    return 0;
}

int cli_config_from_json(json_t *j, cli_run_config *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    const char *bad = NULL;
    if (!json_is_object(j)) bad = "meta.config is missing";
    else if (strv_from(json_object_get(j, "adapters"), &c->adapters)) bad = "meta.config.adapters";
    else if (strv_from(json_object_get(j, "workloads"), &c->workloads)) bad = "meta.config.workloads";
    else if (strv_from(json_object_get(j, "threads"), &c->threads)) bad = "meta.config.threads";
    else if (strv_from(json_object_get(j, "gogc"), &c->gogc)) bad = "meta.config.gogc";
    else if (strv_from(json_object_get(j, "params"), &c->params)) bad = "meta.config.params";
    else if (!json_is_string(json_object_get(j, "preset"))) bad = "meta.config.preset";
    else if (!json_is_integer(json_object_get(j, "repetitions"))) bad = "meta.config.repetitions";
    if (bad) {
        snprintf(err, errlen, "%s is missing or malformed", bad);
        return -1;
    }
    c->preset = json_string_value(json_object_get(j, "preset"));
    c->repetitions = (int)json_integer_value(json_object_get(j, "repetitions"));
    c->timeout_s = json_number_value(json_object_get(j, "timeout_s"));
    c->min_time_s = json_number_value(json_object_get(j, "min_time_s"));
    c->rss_sample_ms = (int)json_integer_value(json_object_get(j, "rss_sample_ms"));
    c->baseline = json_string_value(json_object_get(j, "baseline"));
    if (!c->baseline) c->baseline = "system";
    c->pin = json_string_value(json_object_get(j, "pin"));
    c->export_fmt = json_string_value(json_object_get(j, "export"));
    c->latency = json_is_true(json_object_get(j, "latency"));
    c->anatomy = json_is_true(json_object_get(j, "anatomy"));
    json_t *shard = json_object_get(j, "shard");
    c->shard_k = (int)json_integer_value(json_object_get(shard, "k"));
    c->shard_n = (int)json_integer_value(json_object_get(shard, "n"));
    if (shard && !(c->shard_n >= 1 && c->shard_k >= 1 && c->shard_k <= c->shard_n)) {
        snprintf(err, errlen, "meta.config.shard is malformed (want {\"k\": K, \"n\": N}, 1 <= K <= N)");
        return -1;
    }
    return 0;
}

/* The parameter `name` of a workload's info entry, or NULL. */
static json_t *wl_param(json_t *wl, const char *name) {
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(wl, "params"), i, p) {
        const char *n = json_string_value(json_object_get(p, "name"));
        if (n && !strcmp(n, name)) return p;
    }
    return NULL;
}

static int wl_has_param(json_t *wl, const char *name) { return wl_param(wl, name) != NULL; }

/* A value against the range the workload declares for it ("min"/"max" in
 * info; a child that declares none is not checked). */
static int check_range(json_t *wl, json_t *p, const char *opt, const char *val, char *err, size_t errlen) {
    long long v;
    json_t *lo = json_object_get(p, "min"), *hi = json_object_get(p, "max");
    const char *name = json_string_value(json_object_get(p, "name"));
    const char *w = json_string_value(json_object_get(wl, "name"));
    if (hb_parse_int(val, &v) != 0) {
        snprintf(err, errlen, "%s: '%s' is not an integer (parameter %s of %s)", opt, val, name, w);
        return -1;
    }
    if (!json_is_integer(lo) || !json_is_integer(hi)) return 0;
    if (v < json_integer_value(lo) || v > json_integer_value(hi)) {
        snprintf(err, errlen, "%s: %s=%lld is out of range for workload %s: %s takes %lld..%lld", opt, name, v, w,
                 name, (long long)json_integer_value(lo), (long long)json_integer_value(hi));
        return -1;
    }
    return 0;
}

/* Every --param and --threads value against each selected workload that
 * has that parameter. */
static int check_values(const cli_run_config *c, json_t *info, const cli_strv *names, char *err, size_t errlen) {
    for (size_t k = 0; k < names->n; k++) {
        json_t *wl = cli_info_workload(info, names->v[k]), *p;
        for (size_t i = 0; i < c->params.n; i++) {
            char *name = strndup(c->params.v[i], strcspn(c->params.v[i], "="));
            p = wl_param(wl, name);
            free(name);
            if (p && check_range(wl, p, "--param", strchr(c->params.v[i], '=') + 1, err, errlen)) return -1;
        }
        for (size_t i = 0; (p = wl_param(wl, "threads")) && i < c->threads.n; i++)
            if (check_range(wl, p, "--threads", c->threads.v[i], err, errlen)) return -1;
    }
    return 0;
}

/* Whether a workload's info lists preset `name` in "presets" (strings, or
 * objects with a "name"). */
static int wl_has_preset(json_t *wl, const char *name) {
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(wl, "presets"), i, p) {
        const char *n = json_is_string(p) ? json_string_value(p) : json_string_value(json_object_get(p, "name"));
        if (n && !strcmp(n, name)) return 1;
    }
    return 0;
}

/* quick, full, or a preset one of the selected workloads names. */
static int check_preset(const cli_run_config *c, json_t *info, const cli_strv *names, char *err, size_t errlen) {
    if (!strcmp(c->preset, "quick") || !strcmp(c->preset, "full")) return 0;
    for (size_t k = 0; k < names->n; k++)
        if (wl_has_preset(cli_info_workload(info, names->v[k]), c->preset)) return 0;
    snprintf(err, errlen, "--preset '%s': not quick, full, or a preset of the selected workloads", c->preset);
    return -1;
}

/* Selected workload names, in the registry's (sorted) order; -1 when a
 * name or glob matches nothing. */
static int select_workloads(const cli_run_config *c, json_t *info, cli_strv *names, char *err, size_t errlen) {
    json_t *all = json_object_get(info, "workloads"), *w;
    size_t i;
    for (size_t g = 0; g < c->workloads.n; g++) {
        int hit = 0;
        json_array_foreach(all, i, w) {
            const char *n = json_string_value(json_object_get(w, "name"));
            if (n && fnmatch(c->workloads.v[g], n, 0) == 0) hit = 1;
        }
        if (!hit) {
            snprintf(err, errlen, "unknown workload '%s' (heapbench list shows them)", c->workloads.v[g]);
            return -1;
        }
    }
    json_array_foreach(all, i, w) {
        const char *n = json_string_value(json_object_get(w, "name"));
        int sel = c->workloads.n == 0;
        for (size_t g = 0; g < c->workloads.n && !sel; g++) sel = fnmatch(c->workloads.v[g], n, 0) == 0;
        if (sel) cli_strv_push(names, n);
    }
    return 0;
}

/* Every --param names a parameter some selected workload has. */
static int check_param_names(const cli_run_config *c, json_t *info, const cli_strv *names, char *err, size_t errlen) {
    for (size_t p = 0; p < c->params.n; p++) {
        char *name = strndup(c->params.v[p], strcspn(c->params.v[p], "="));
        int found = 0;
        for (size_t k = 0; k < names->n && !found; k++) found = wl_has_param(cli_info_workload(info, names->v[k]), name);
        if (!found) snprintf(err, errlen, "--param %s: no selected workload has a parameter '%s'", c->params.v[p], name);
        free(name);
        if (!found) return -1;
    }
    return 0;
}

static void cell_id(cli_cell *cell) {
    char raw[512];
    int off = snprintf(raw, sizeof raw, "%s__%s", cell->adapter, cell->workload);
    if (cell->threads >= 0) off += snprintf(raw + off, sizeof raw - (size_t)off, "__t%lld", cell->threads);
    if (cell->gogc >= 0) snprintf(raw + off, sizeof raw - (size_t)off, "__gogc%lld", cell->gogc);
    cli_sanitize(raw, cell->id, sizeof cell->id);
}

/* adapter × threads × GOGC cells of one workload, appended to *cells. */
static void expand_workload(const cli_run_config *c, json_t **infos, const char *name, cli_cell **cells, size_t *n,
                            size_t *cap) {
    json_t *wl0 = cli_info_workload(infos[0], name);
    int threaded = wl_has_param(wl0, "threads");
    size_t nt = threaded && c->threads.n ? c->threads.n : 1;
    for (size_t t = 0; t < nt; t++)
        for (size_t a = 0; a < c->adapters.n; a++) {
            int gogc = c->gogc.n && cli_info_has_cap(infos[a], "gogc");
            for (size_t g = 0; g < (gogc ? c->gogc.n : 1); g++) {
                if (*n == *cap) *cells = realloc(*cells, (*cap *= 2) * sizeof **cells);
                cli_cell *cell = &(*cells)[(*n)++];
                memset(cell, 0, sizeof *cell);
                cell->adapter = c->adapters.v[a];
                cell->info = infos[a];
                cell->wl = cli_info_workload(infos[a], name);
                cell->workload = json_string_value(json_object_get(wl0, "name")); /* lives in infos[0] */
                cell->threads = threaded && c->threads.n ? atoll(c->threads.v[t]) : -1;
                cell->gogc = gogc ? atoll(c->gogc.v[g]) : -1;
                cell_id(cell);
            }
        }
}

long cli_plan_cells(const cli_run_config *c, json_t **infos, cli_cell **out, char *err, size_t errlen) {
    cli_strv names = {0};
    if (select_workloads(c, infos[0], &names, err, errlen) || check_param_names(c, infos[0], &names, err, errlen) ||
        check_preset(c, infos[0], &names, err, errlen) || check_values(c, infos[0], &names, err, errlen)) {
        cli_strv_free(&names);
        return -1;
    }
    size_t cap = 16, n = 0;
    cli_cell *cells = malloc(cap * sizeof *cells);
    for (size_t k = 0; k < names.n; k++) expand_workload(c, infos, names.v[k], &cells, &n, &cap);
    cli_strv_free(&names);
    *out = cells;
    return (long)n;
}

int cli_shard_parse(const char *arg, int *k, int *n) {
    char *end;
    long a = strtol(arg, &end, 10);
    if (end == arg || *end != '/') return -1;
    const char *p = end + 1;
    long b = strtol(p, &end, 10);
    if (end == p || *end || a < 1 || b < 1 || a > b || b > 100000) return -1;
    *k = (int)a;
    *n = (int)b;
    return 0;
}

long cli_plan_shard(cli_cell *cells, long ncells, int k, int n) {
    long kept = 0;
    for (long i = 0; i < ncells; i++)
        if (i % n == k - 1) cells[kept++] = cells[i];
    return kept;
}
