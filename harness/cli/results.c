/*
 * results.c — load and save a run (see results.h), and turn Google
 * Benchmark's JSON into a cell's numbers.
 */
#define _GNU_SOURCE
#include "results.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util.h"

json_t *cli_stat_obj(const double *x, size_t n) {
    json_t *o = json_object();
    json_t *s = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(s, json_real(x[i]));
    json_object_set_new(o, "median", n ? json_real(cli_median(x, n)) : json_null());
    json_object_set_new(o, "min", n ? json_real(cli_min(x, n)) : json_null());
    json_object_set_new(o, "max", n ? json_real(cli_max(x, n)) : json_null());
    /* Rounded to 1e-9 so that run.json's 12 significant digits keep it exact. */
    double cv = round(cli_cv(x, n) * 1e9) / 1e9;
    json_object_set_new(o, "cv", isfinite(cv) ? json_real(cv) : json_null());
    json_object_set_new(o, "samples", s);
    return o;
}

double cli_rec_number(json_t *obj, const char *field) {
    json_t *v = json_object_get(obj, field);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

double *cli_rec_samples(json_t *rec, const char *field, size_t *n) {
    json_t *s = json_object_get(json_object_get(rec, field), "samples");
    *n = 0;
    if (!json_is_array(s) || json_array_size(s) == 0) return NULL;
    double *x = malloc(json_array_size(s) * sizeof *x);
    size_t i;
    json_t *v;
    json_array_foreach(s, i, v) if (json_is_number(v)) x[(*n)++] = json_number_value(v);
    return x;
}

static double unit_ns(const char *u) {
    if (!u || !strcmp(u, "ns")) return 1;
    if (!strcmp(u, "us")) return 1e3;
    if (!strcmp(u, "ms")) return 1e6;
    if (!strcmp(u, "s")) return 1e9;
    return NAN;
}

static const char *const gb_fields[] = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
    "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit",
    "items_per_second", "bytes_per_second", "aggregate_name", "aggregate_unit", "error_occurred",
    "error_message", "label", NULL};

static int is_gb_field(const char *k) {
    for (const char *const *f = gb_fields; *f; f++)
        if (!strcmp(*f, k)) return 1;
    return 0;
}

/* Counters (name -> values over repetitions) into rec: their medians into
 * rec.counters, except the "param:NAME" counters that bench_main.c records
 * (the values the child actually ran with), which become the integers of
 * rec.params_effective. */
static void set_counters(json_t *rec, json_t *ctr) {
    json_t *counters = json_object_get(rec, "counters");
    if (!json_is_object(counters)) json_object_set_new(rec, "counters", counters = json_object());
    json_t *eff = json_object();
    const char *k;
    json_t *arr;
    json_object_foreach(ctr, k, arr) {
        size_t m = json_array_size(arr);
        double *x = malloc(m * sizeof *x);
        for (size_t j = 0; j < m; j++) x[j] = json_number_value(json_array_get(arr, j));
        double med = cli_median(x, m);
        if (!strncmp(k, CLI_PARAM_COUNTER, strlen(CLI_PARAM_COUNTER)))
            json_object_set_new(eff, k + strlen(CLI_PARAM_COUNTER), json_integer((json_int_t)llround(med)));
        else
            json_object_set_new(counters, k, json_real(med));
        free(x);
    }
    if (json_object_size(eff)) json_object_set_new(rec, "params_effective", eff);
    else json_decref(eff);
}

int cli_gb_extract_json(json_t *gb, const char *only, json_t *rec, char *err, size_t errlen) {
    json_t *benches = json_object_get(gb, "benchmarks");
    if (!json_is_array(benches)) {
        snprintf(err, errlen, "no \"benchmarks\" array");
        return -1;
    }
    size_t cap = json_array_size(benches) + 1, n = 0, nitems = 0;
    double *real = malloc(cap * sizeof *real), *cpu = malloc(cap * sizeof *cpu);
    double *items = malloc(cap * sizeof *items);
    json_t *ctr = json_object(); /* name -> array of values */
    const char *error = NULL;
    size_t i;
    json_t *b;
    json_array_foreach(benches, i, b) {
        const char *rt = json_string_value(json_object_get(b, "run_type"));
        if (rt && strcmp(rt, "iteration")) continue;
        const char *rn = json_string_value(json_object_get(b, "run_name"));
        if (!rn) rn = json_string_value(json_object_get(b, "name"));
        if (only && (!rn || strcmp(rn, only))) continue;
        if (json_is_true(json_object_get(b, "error_occurred"))) {
            error = json_string_value(json_object_get(b, "error_message"));
            if (!error) error = "benchmark reported an error";
            continue;
        }
        double u = unit_ns(json_string_value(json_object_get(b, "time_unit")));
        json_t *r = json_object_get(b, "real_time"), *c = json_object_get(b, "cpu_time");
        if (!json_is_number(r) || !json_is_number(c) || isnan(u)) {
            snprintf(err, errlen, "benchmark %zu lacks real_time/cpu_time/time_unit", i);
            free(real), free(cpu), free(items), json_decref(ctr);
            return -1;
        }
        real[n] = json_number_value(r) * u;
        cpu[n] = json_number_value(c) * u;
        n++;
        json_t *ips = json_object_get(b, "items_per_second");
        if (json_is_number(ips)) items[nitems++] = json_number_value(ips);
        const char *k;
        json_t *v;
        json_object_foreach(b, k, v) {
            if (is_gb_field(k) || !json_is_number(v)) continue;
            json_t *arr = json_object_get(ctr, k);
            if (!arr) json_object_set_new(ctr, k, arr = json_array());
            json_array_append_new(arr, json_real(json_number_value(v)));
        }
    }
    if (n == 0) {
        if (error) snprintf(err, errlen, "%s", error);
        else snprintf(err, errlen, "no iteration runs%s%s", only ? " named " : "", only ? only : "");
        free(real), free(cpu), free(items), json_decref(ctr);
        return -1;
    }
    json_object_set_new(rec, "repetitions", json_integer((json_int_t)n));
    json_object_set_new(rec, "real_time_ns", cli_stat_obj(real, n));
    json_object_set_new(rec, "cpu_time_ns", cli_stat_obj(cpu, n));
    json_object_set_new(rec, "items_per_second",
                        nitems ? json_real(cli_median(items, nitems)) : json_null());
    set_counters(rec, ctr);
    free(real), free(cpu), free(items), json_decref(ctr);
    return 0;
}

/* Google Benchmark writes NaN and inf as bare tokens (not JSON): read them
 * as null, outside strings only. */
static json_t *load_lenient(const char *path, json_error_t *je) {
    size_t len;
    char *s = cli_read_file(path, &len);
    if (!s) {
        memset(je, 0, sizeof *je);
        snprintf(je->text, sizeof je->text, "%s", strerror(errno));
        return NULL;
    }
    char *o = malloc(len * 2 + 1);
    size_t k = 0;
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            o[k++] = ch;
            if (ch == '\\' && i + 1 < len) o[k++] = s[++i];
            else if (ch == '"') in_str = 0;
            continue;
        }
        if (ch == '"') in_str = 1;
        const char *tok = NULL;
        if (!strncmp(s + i, "NaN", 3)) tok = "NaN";
        else if (!strncmp(s + i, "-inf", 4)) tok = "-inf";
        else if (!strncmp(s + i, "inf", 3)) tok = "inf";
        else if (!strncmp(s + i, "-Infinity", 9)) tok = "-Infinity";
        else if (!strncmp(s + i, "Infinity", 8)) tok = "Infinity";
        if (tok) {
            memcpy(o + k, "null", 4);
            k += 4;
            i += strlen(tok) - 1;
            continue;
        }
        o[k++] = ch;
    }
    o[k] = 0;
    json_t *j = json_loads(o, 0, je);
    free(o);
    free(s);
    return j;
}

int cli_gb_extract(const char *gb_path, json_t *rec, char *err, size_t errlen) {
    json_error_t je;
    json_t *gb = load_lenient(gb_path, &je);
    if (!gb) {
        snprintf(err, errlen, "%s: %s (line %d)", gb_path, je.text, je.line);
        return -1;
    }
    char e2[512];
    int rc = cli_gb_extract_json(gb, NULL, rec, e2, sizeof e2);
    if (rc) snprintf(err, errlen, "%s: %s", gb_path, e2);
    json_decref(gb);
    return rc;
}

/* Google Benchmark's JSON -> heapbench-run/1, one record per run_name. */
static json_t *from_gb(json_t *gb, const char *path, char *err, size_t errlen) {
    json_t *ctx = json_object_get(gb, "context");
    const char *exe = json_string_value(json_object_get(ctx, "executable"));
    const char *base = exe ? strrchr(exe, '/') : NULL;
    base = base ? base + 1 : exe;
    const char *adapter = base && !strncmp(base, "hb-", 3) ? base + 3 : (base ? base : "gbench");
    json_t *run = json_object();
    json_t *meta = json_object();
    json_object_set_new(meta, "source", json_string(path));
    json_object_set_new(meta, "format", json_string("google-benchmark"));
    if (ctx) json_object_set(meta, "context", ctx);
    json_object_set_new(run, "schema", json_string(CLI_RUN_SCHEMA));
    json_object_set_new(run, "meta", meta);
    json_object_set_new(run, "adapters", json_pack("[{s:s,s:s,s:s}]", "name", adapter, "version", "", "kind", ""));
    json_t *results = json_array();
    json_t *seen = json_object();
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(gb, "benchmarks"), i, b) {
        const char *rt = json_string_value(json_object_get(b, "run_type"));
        if (rt && strcmp(rt, "iteration")) continue;
        const char *rn = json_string_value(json_object_get(b, "run_name"));
        if (!rn) rn = json_string_value(json_object_get(b, "name"));
        if (!rn || json_object_get(seen, rn)) continue;
        json_object_set_new(seen, rn, json_true());
        /* "heap/pairs/real_time" -> workload "heap/pairs" */
        char wl[512];
        snprintf(wl, sizeof wl, "%s", rn);
        char *rt_suffix = strstr(wl, "/real_time");
        if (rt_suffix) *rt_suffix = 0;
        char *slash = strchr(wl, '/');
        json_t *rec = json_object();
        json_object_set_new(rec, "adapter", json_string(adapter));
        json_object_set_new(rec, "workload", json_string(wl));
        json_object_set_new(rec, "category", slash ? json_stringn(wl, (size_t)(slash - wl)) : json_string(""));
        json_object_set_new(rec, "params", json_object());
        json_t *th = json_object_get(b, "threads");
        json_object_set_new(rec, "threads", json_is_integer(th) ? json_copy(th) : json_integer(1));
        json_object_set_new(rec, "gogc", json_null());
        char e2[512];
        if (cli_gb_extract_json(gb, rn, rec, e2, sizeof e2) == 0) {
            json_object_set_new(rec, "status", json_string("ok"));
        } else {
            json_object_set_new(rec, "status", json_string("error"));
            json_object_set_new(rec, "message", json_string(e2));
        }
        json_array_append_new(results, rec);
    }
    json_decref(seen);
    json_object_set_new(run, "results", results);
    if (json_array_size(results) == 0) {
        snprintf(err, errlen, "%s: Google Benchmark JSON with no iteration runs", path);
        json_decref(run);
        return NULL;
    }
    return run;
}

static int validate(json_t *run, const char *path, char *err, size_t errlen) {
    json_t *results = json_object_get(run, "results");
    if (!json_is_array(results)) {
        snprintf(err, errlen, "%s: no \"results\" array", path);
        return -1;
    }
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r) {
        const char *why = NULL;
        if (!json_is_object(r)) why = "is not an object";
        else if (!json_is_string(json_object_get(r, "adapter"))) why = "has no string \"adapter\"";
        else if (!json_is_string(json_object_get(r, "workload"))) why = "has no string \"workload\"";
        else if (!json_is_string(json_object_get(r, "status"))) why = "has no string \"status\"";
        else if (!strcmp(json_string_value(json_object_get(r, "status")), "ok")) {
            json_t *rt = json_object_get(r, "real_time_ns");
            if (!json_is_object(rt) || !json_is_array(json_object_get(rt, "samples")))
                why = "has status ok but no real_time_ns.samples array";
            else {
                size_t k;
                json_t *v;
                json_array_foreach(json_object_get(rt, "samples"), k, v) if (!json_is_number(v)) {
                    why = "has a non-numeric real_time_ns sample";
                    break;
                }
            }
        }
        if (why) {
            snprintf(err, errlen, "%s: results[%zu] %s", path, i, why);
            return -1;
        }
    }
    return 0;
}

json_t *cli_run_load(const char *path, char *err, size_t errlen) {
    char file[PATH_MAX];
    if (cli_is_dir(path)) {
        snprintf(file, sizeof file, "%s/run.json", path);
        if (!cli_is_file(file)) {
            snprintf(err, errlen, "%s: folder holds no run.json", path);
            return NULL;
        }
    } else {
        snprintf(file, sizeof file, "%s", path);
    }
    if (!cli_is_file(file)) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno ? errno : ENOENT));
        return NULL;
    }
    json_error_t je;
    json_t *doc = load_lenient(file, &je);
    if (!doc) {
        snprintf(err, errlen, "%s: not valid JSON: %s (line %d, column %d)", file, je.text, je.line,
                 je.column);
        return NULL;
    }
    if (!json_is_object(doc)) {
        snprintf(err, errlen, "%s: the top level is not a JSON object", file);
        json_decref(doc);
        return NULL;
    }
    const char *schema = json_string_value(json_object_get(doc, "schema"));
    if (!schema && json_is_array(json_object_get(doc, "benchmarks"))) {
        json_t *run = from_gb(doc, file, err, errlen);
        json_decref(doc);
        return run;
    }
    if (!schema || strcmp(schema, CLI_RUN_SCHEMA)) {
        snprintf(err, errlen, "%s: neither a %s document nor Google Benchmark JSON (schema: %s)", file,
                 CLI_RUN_SCHEMA, schema ? schema : "missing");
        json_decref(doc);
        return NULL;
    }
    if (validate(doc, file, err, errlen)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static void params_suffix(json_t *rec, char *buf, size_t len) {
    /* Overridden params (recorded by run in "overrides"), then threads. */
    size_t off = 0;
    buf[0] = 0;
    json_t *ov = json_object_get(rec, "overrides");
    const char *k;
    json_t *v;
    json_object_foreach(ov, k, v) {
        if (!strcmp(k, "threads")) continue;
        off += (size_t)snprintf(buf + off, off < len ? len - off : 0, " %s=%lld", k,
                                (long long)json_integer_value(v));
    }
    json_t *th = json_object_get(json_object_get(rec, "params"), "threads");
    if (json_is_integer(th) && off < len)
        snprintf(buf + off, len - off, " threads=%lld", (long long)json_integer_value(th));
}

void cli_rec_row(json_t *rec, char *buf, size_t len) {
    char suf[256];
    params_suffix(rec, suf, sizeof suf);
    snprintf(buf, len, "%s%s", json_string_value(json_object_get(rec, "workload")), suf);
}

void cli_rec_col(json_t *rec, char *buf, size_t len) {
    json_t *g = json_object_get(rec, "gogc");
    const char *a = json_string_value(json_object_get(rec, "adapter"));
    if (json_is_integer(g)) snprintf(buf, len, "%s gogc=%lld", a, (long long)json_integer_value(g));
    else snprintf(buf, len, "%s", a);
}

void cli_rec_key(json_t *rec, char *buf, size_t len) {
    char row[512], col[256];
    cli_rec_row(rec, row, sizeof row);
    cli_rec_col(rec, col, sizeof col);
    snprintf(buf, len, "%s · %s", col, row);
}

int cli_run_save(const char *dir, json_t *run, char *err, size_t errlen) {
    char path[PATH_MAX];
    struct {
        const char *name;
        char *text;
    } files[3] = {{"run.json", json_dumps(run, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))},
                  {"results.csv", cli_run_csv(run)},
                  {"report.md", cli_run_report(run)}};
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if (rc == 0 && (!files[i].text || cli_write_atomic(path, files[i].text, strlen(files[i].text)))) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            rc = -1;
        }
        free(files[i].text);
    }
    return rc;
}
