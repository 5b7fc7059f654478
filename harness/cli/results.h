/*
 * results.h — the results of a run in memory: a `heapbench-run/1` JSON
 * document (docs/results-format.md), loaded from a run folder, a run.json,
 * or a Google Benchmark JSON file, and saved as run.json + results.csv +
 * report.md, each written atomically so a killed run loses nothing that
 * was already measured.
 */
#ifndef HEAPBENCH_CLI_RESULTS_H
#define HEAPBENCH_CLI_RESULTS_H

#include <jansson.h>
#include <stddef.h>

#define CLI_RUN_SCHEMA "heapbench-run/1"

/* Loads `path`: a folder holding run.json, a run.json, or Google
 * Benchmark's JSON output (converted: one record per benchmark name).
 * NULL with a message naming the file and what is wrong. */
json_t *cli_run_load(const char *path, char *err, size_t errlen);

/* Fills rec's repetitions, real_time_ns, cpu_time_ns, items_per_second,
 * counters and params_effective from Google Benchmark's JSON file at gb_path. 0 on success;
 * -1 with a message when the file is missing, corrupt or has no runs. */
int cli_gb_extract(const char *gb_path, json_t *rec, char *err, size_t errlen);
/* The same from an already parsed Google Benchmark document; `only` picks
 * one run_name (NULL: every iteration run). */
int cli_gb_extract_json(json_t *gb, const char *only, json_t *rec, char *err, size_t errlen);

/* The prefix of the Google Benchmark counters through which a child
 * reports each parameter it ran with ("param:live"): they become the
 * cell's params_effective, not counters. */
#define CLI_PARAM_COUNTER "param:"

/* {median, min, max, cv, samples} of n values (cv: stats.h cli_cv, null
 * under 2 values). */
json_t *cli_stat_obj(const double *x, size_t n);
/* The samples array of rec[field] as doubles (malloc'd); count in *n. */
double *cli_rec_samples(json_t *rec, const char *field, size_t *n);
double cli_rec_number(json_t *obj, const char *field); /* NaN when absent */

/* The row (workload and threads and overridden params) and the column
 * (adapter, and GOGC when set) a record belongs to in tables. */
void cli_rec_row(json_t *rec, char *buf, size_t len);
void cli_rec_col(json_t *rec, char *buf, size_t len);
/* The identity of a cell across runs: row + column. */
void cli_rec_key(json_t *rec, char *buf, size_t len);

/* Writes run.json, results.csv and report.md into dir (atomically each).
 * 0 on success; -1 with a message. */
int cli_run_save(const char *dir, json_t *run, char *err, size_t errlen);

/* The CSV (one row per repetition) and the Markdown report as strings. */
char *cli_run_csv(json_t *run);
char *cli_run_report(json_t *run);

#endif
