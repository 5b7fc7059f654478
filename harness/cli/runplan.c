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

static json_t *strv_json(const hb_strv *s) {
    json_t *a = json_array();
    for (size_t i = 0; i < s->n; i++) json_array_append_new(a, json_string(s->v[i]));
    return a;
}

json_t *hb_config_to_json(const hb_run_config *c) {
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
    return j;
}

static int strv_from(json_t *a, hb_strv *out) {
    if (!json_is_array(a)) return -1;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) return -1;
        hb_strv_push(out, json_string_value(v));
    }
    return 0;
}

int hb_config_from_json(json_t *j, hb_run_config *c, char *err, size_t errlen) {
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
    return 0;
}

static int wl_has_param(json_t *wl, const char *name) {
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(wl, "params"), i, p) {
        const char *n = json_string_value(json_object_get(p, "name"));
        if (n && !strcmp(n, name)) return 1;
    }
    return 0;
}

long hb_plan_cells(const hb_run_config *c, json_t **infos, hb_cell **out, char *err, size_t errlen) {
    /* Selected workload names, in the registry's (sorted) order. */
    hb_strv names = {0};
    json_t *all = json_object_get(infos[0], "workloads");
    for (size_t g = 0; g < c->workloads.n; g++) {
        int hit = 0;
        size_t i;
        json_t *w;
        json_array_foreach(all, i, w) {
            const char *n = json_string_value(json_object_get(w, "name"));
            if (n && fnmatch(c->workloads.v[g], n, 0) == 0) hit = 1;
        }
        if (!hit) {
            snprintf(err, errlen, "unknown workload '%s' (heapbench list shows them)", c->workloads.v[g]);
            hb_strv_free(&names);
            return -1;
        }
    }
    size_t i;
    json_t *w;
    json_array_foreach(all, i, w) {
        const char *n = json_string_value(json_object_get(w, "name"));
        int sel = c->workloads.n == 0;
        for (size_t g = 0; g < c->workloads.n && !sel; g++) sel = fnmatch(c->workloads.v[g], n, 0) == 0;
        if (sel) hb_strv_push(&names, n);
    }
    for (size_t p = 0; p < c->params.n; p++) {
        char *name = strndup(c->params.v[p], strcspn(c->params.v[p], "="));
        int found = 0;
        for (size_t k = 0; k < names.n && !found; k++)
            found = wl_has_param(hb_info_workload(infos[0], names.v[k]), name);
        if (!found) {
            snprintf(err, errlen, "--param %s: no selected workload has a parameter '%s'", c->params.v[p], name);
            free(name);
            hb_strv_free(&names);
            return -1;
        }
        free(name);
    }
    size_t cap = 16, n = 0;
    hb_cell *cells = malloc(cap * sizeof *cells);
    for (size_t k = 0; k < names.n; k++) {
        int threaded = wl_has_param(hb_info_workload(infos[0], names.v[k]), "threads");
        size_t nt = threaded && c->threads.n ? c->threads.n : 1;
        for (size_t t = 0; t < nt; t++)
            for (size_t a = 0; a < c->adapters.n; a++) {
                int gogc = c->gogc.n && hb_info_has_cap(infos[a], "gogc");
                size_t ng = gogc ? c->gogc.n : 1;
                for (size_t g = 0; g < ng; g++) {
                    if (n == cap) cells = realloc(cells, (cap *= 2) * sizeof *cells);
                    hb_cell *cell = &cells[n++];
                    memset(cell, 0, sizeof *cell);
                    cell->adapter = c->adapters.v[a];
                    cell->info = infos[a];
                    cell->wl = hb_info_workload(infos[a], names.v[k]);
                    cell->workload = json_string_value(json_object_get(
                        hb_info_workload(infos[0], names.v[k]), "name")); /* lives in infos[0] */
                    cell->threads = threaded && c->threads.n ? atoll(c->threads.v[t]) : -1;
                    cell->gogc = gogc ? atoll(c->gogc.v[g]) : -1;
                    char raw[512];
                    int off = snprintf(raw, sizeof raw, "%s__%s", cell->adapter, cell->workload);
                    if (cell->threads >= 0) off += snprintf(raw + off, sizeof raw - (size_t)off, "__t%lld", cell->threads);
                    if (cell->gogc >= 0) snprintf(raw + off, sizeof raw - (size_t)off, "__gogc%lld", cell->gogc);
                    hb_sanitize(raw, cell->id, sizeof cell->id);
                }
            }
    }
    hb_strv_free(&names);
    *out = cells;
    return (long)n;
}
