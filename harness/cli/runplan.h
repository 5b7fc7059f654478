/*
 * runplan.h — what a `heapbench run` will do: its configuration (from the
 * command line, or from run.json's meta.config when resuming) and the list
 * of cells it expands to (adapter × workload × threads × GOGC).
 */
#ifndef HEAPBENCH_CLI_RUNPLAN_H
#define HEAPBENCH_CLI_RUNPLAN_H

#include "intarg.h" /* hb_parse_int (harness/, on the include path) */
#include <jansson.h>

#include "util.h"

typedef struct cli_run_config {
    cli_strv adapters;  /* names */
    cli_strv workloads; /* names or globs as given */
    const char *preset;
    cli_strv threads;   /* counts, as strings */
    cli_strv gogc;      /* values, as strings */
    cli_strv params;    /* "NAME=VALUE" */
    int repetitions;   /* 0: the preset's (the child's measurement policy) */
    double timeout_s, min_time_s; /* min_time_s <= 0: the preset's */
    int rss_sample_ms;
    const char *baseline, *pin, *export_fmt;
    int latency;
    int anatomy;       /* 1: an untimed anatomy child per ok cell (docs/anatomy.md) */
    int shard_k, shard_n; /* --shard K/N: the K-th (1-based) of N slices; n == 0: the whole plan */
} cli_run_config;

typedef struct cli_cell {
    char id[256];
    const char *adapter;
    json_t *info;     /* the adapter's info (borrowed) */
    json_t *wl;       /* the workload's entry in info (borrowed), NULL: adapter lacks it */
    const char *workload;
    long long threads; /* -1: the workload has no threads param */
    long long gogc;    /* -1: none */
} cli_cell;

json_t *cli_config_to_json(const cli_run_config *c);
/* Fills c from meta.config; 0, or -1 with a message. Strings point into j. */
int cli_config_from_json(json_t *j, cli_run_config *c, char *err, size_t errlen);

/* Expands the plan. infos: one info object per c->adapters entry. Returns
 * the cell count (cells malloc'd into *out), or -1 with a message, before
 * any cell runs: a workload name or glob that matches nothing, a --param no
 * selected workload has, a --param or --threads value outside the range a
 * selected workload declares (the message names the parameter, the range
 * and the workload), a --preset that is neither quick, full, nor listed in
 * a selected workload's "presets". */
long cli_plan_cells(const cli_run_config *c, json_t **infos, cli_cell **out, char *err, size_t errlen);

/* --shard K/N: parses "K/N" (1 <= K <= N <= 100000); 0, or -1. */
int cli_shard_parse(const char *arg, int *k, int *n);
/* Keeps, in place, the cells of slice k (1-based) of n: cell i belongs to
 * slice i % n + 1 (round robin over the plan's order, so every slice gets a
 * mix of adapters). Deterministic: the same plan gives the same slices on
 * every machine, and the n slices are disjoint and cover the plan. Returns
 * the new count. */
long cli_plan_shard(cli_cell *cells, long ncells, int k, int n);

#endif
