/*
 * csv.c — results.csv: the run flattened to one row per repetition, for
 * spreadsheets, R and pandas (columns: docs/results-format.md). A cell
 * that produced no repetitions (crashed, timeout, ...) gets one row with
 * its status and empty measurements, so every cell appears. Each row also
 * carries its cell's coefficient of variation over the repetitions
 * (real_time_cv, cpu_time_cv), so noisy cells can be filtered out.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "stats.h"

static void put_str(FILE *f, const char *s) {
    if (!s) s = "";
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.10g", v);
}

/* "name=value;name=value" of a record's params. */
static void params_text(json_t *rec, char *buf, size_t len) {
    size_t off = 0;
    const char *k;
    json_t *v;
    buf[0] = 0;
    json_object_foreach(json_object_get(rec, "params"), k, v) if (off < len) off +=
        (size_t)snprintf(buf + off, len - off, "%s%s=%lld", off ? ";" : "", k, (long long)json_integer_value(v));
}

/* The columns after "repetition,real_time_ns,cpu_time_ns,": the cell's figures. */
static const char *const cell_numbers[] = {"items_per_second", "peak_rss_bytes", "minor_faults", "major_faults",
                                           "user_cpu_s", "sys_cpu_s", NULL};

/* One row per repetition of rec (one row when it has none). */
static void cell_rows(FILE *f, json_t *rec, const char *version) {
    char params[512];
    params_text(rec, params, sizeof params);
    size_t nr = 0, nc = 0;
    double *real = cli_rec_samples(rec, "real_time_ns", &nr);
    double *cpu = cli_rec_samples(rec, "cpu_time_ns", &nc);
    double cv_real = cli_cv(real, nr), cv_cpu = cli_cv(cpu, nc);
    for (size_t r = 0; r < (nr ? nr : 1); r++) {
        const char *text[] = {json_string_value(json_object_get(rec, "adapter")), version,
                              json_string_value(json_object_get(rec, "workload")),
                              json_string_value(json_object_get(rec, "category")), params};
        for (size_t k = 0; k < sizeof text / sizeof *text; k++) put_str(f, text[k]), fputc(',', f);
        put_num(f, cli_rec_number(rec, "threads"));
        fputc(',', f);
        put_num(f, cli_rec_number(rec, "gogc"));
        fputc(',', f);
        put_str(f, json_string_value(json_object_get(rec, "status")));
        fputc(',', f);
        if (nr) fprintf(f, "%zu", r);
        fputc(',', f);
        put_num(f, nr ? real[r] : NAN);
        fputc(',', f);
        put_num(f, r < nc ? cpu[r] : NAN);
        for (const char *const *n = cell_numbers; *n; n++) fputc(',', f), put_num(f, cli_rec_number(rec, *n));
        fputc(',', f);
        put_num(f, cv_real);
        fputc(',', f);
        put_num(f, cv_cpu);
        fputc('\n', f);
    }
    free(real);
    free(cpu);
}

char *cli_run_csv(json_t *run) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fputs("adapter,version,workload,category,params,threads,gogc,status,repetition,"
          "real_time_ns,cpu_time_ns,items_per_second,peak_rss_bytes,minor_faults,major_faults,"
          "user_cpu_s,sys_cpu_s,real_time_cv,cpu_time_cv\n",
          f);
    json_t *versions = json_object();
    size_t i;
    json_t *a, *rec;
    json_array_foreach(json_object_get(run, "adapters"), i, a) {
        const char *n = json_string_value(json_object_get(a, "name"));
        if (n) json_object_set(versions, n, json_object_get(a, "version"));
    }
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        const char *adapter = json_string_value(json_object_get(rec, "adapter"));
        cell_rows(f, rec, json_string_value(json_object_get(versions, adapter ? adapter : "")));
    }
    json_decref(versions);
    fclose(f);
    return buf;
}
