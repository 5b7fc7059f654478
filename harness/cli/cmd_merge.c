/*
 * cmd_merge.c — `heapbench merge OUT DIR...`: joins the folders of a run
 * spread over machines with `heapbench run --shard K/N` into one run.
 *
 * Why: cells are independent child processes, so a long matrix can run as
 * N slices on N machines (Slurm array, GNU parallel, a CI matrix; see
 * docs/distributed.md). Merging is where a wrong mix would slip in, so it
 * checks before writing anything: every DIR is a sharded run of the same
 * plan (meta.config apart from the shard, and meta.plan_cells) at the same
 * commit, on one kind of machine (same cpu_model and cores; hosts may differ
 * only with --allow-mixed-machines), and no cell was recorded twice.
 *
 * parse → load and check the shards → merge (results in plan order, raw/
 * and logs/ copied) → write OUT with cli_run_save → report missing cells.
 * Exit: 0 every planned cell present and none failed; 1 cells missing or
 * failed (OUT is still written); 2 bad usage or shards that do not match.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "history.h"
#include "results.h"
#include "runcell.h"
#include "util.h"

#define CMD "merge"

enum { OPT_ALLOW_MIXED = CLI_OPT_LONG_ONLY };

static const cli_opt merge_opts[] = {
    {"allow-mixed-machines", OPT_ALLOW_MIXED, NULL, "accept shards measured on different hosts or CPUs"},
    {0},
};

const cli_cmd_spec cmd_merge_spec = {
    .name = "merge",
    .synopsis = "OUT DIR... [options]",
    .summary = "merge the folders of a run --shard K/N into one run",
    .opts = merge_opts,
    .epilog = "Each DIR is the output folder of `heapbench run ... --shard K/N`. They must\n"
              "hold the same plan (the same run options apart from --shard) at the same\n"
              "git commit; a cell recorded twice is refused. Shards from different hosts\n"
              "or CPU models are refused unless --allow-mixed-machines (their timings are\n"
              "not comparable). OUT gets run.json, results.csv, report.md and the raw/\n"
              "and logs/ files of every shard; cells no shard recorded are listed.\n"
              "Exit status: 0 every planned cell present and none failed; 1 cells missing\n"
              "or failed (OUT is written all the same); 2 bad usage or shards that do not\n"
              "match.\n",
    .stop_at_operand = 0,
};

typedef struct merge_args {
    int allow_mixed;
    const char *out;
    char **dirs;
    int ndirs;
} merge_args;

static int on_opt(void *ctx, int key, const char *arg) {
    (void)arg;
    merge_args *a = ctx;
    if (key == OPT_ALLOW_MIXED) a->allow_mixed = 1;
    return 0;
}

static const char *meta_str(json_t *run, const char *key) {
    const char *s = json_string_value(json_object_get(json_object_get(run, "meta"), key));
    return s ? s : "?";
}

/* meta.config without its shard: what every shard must share. */
static json_t *plan_config(json_t *run) {
    json_t *c = json_deep_copy(json_object_get(json_object_get(run, "meta"), "config"));
    json_object_del(c, "shard");
    return c;
}

/* Checks shard i against shard 0; 0, or prints why and returns 2. */
static int check_same(const merge_args *a, json_t **runs, int i) {
    json_t *m0 = json_object_get(runs[0], "meta"), *mi = json_object_get(runs[i], "meta");
    json_t *c0 = plan_config(runs[0]), *ci = plan_config(runs[i]);
    int same_plan = json_equal(c0, ci) && json_equal(json_object_get(m0, "plan_cells"), json_object_get(mi, "plan_cells"));
    json_decref(c0), json_decref(ci);
    if (!same_plan)
        return cli_error(CMD, "%s and %s ran different plans (meta.config or meta.plan_cells differ)", a->dirs[0], a->dirs[i]);
    if (strcmp(meta_str(runs[0], "git_commit"), meta_str(runs[i], "git_commit")))
        return cli_error(CMD, "%s is at commit %s, %s at %s: shards must be built from the same commit", a->dirs[0],
                      meta_str(runs[0], "git_commit"), a->dirs[i], meta_str(runs[i], "git_commit"));
    int same_machine = !strcmp(meta_str(runs[0], "host"), meta_str(runs[i], "host")) &&
                       !strcmp(meta_str(runs[0], "cpu_model"), meta_str(runs[i], "cpu_model")) &&
                       json_equal(json_object_get(m0, "cores"), json_object_get(mi, "cores"));
    if (!same_machine && !a->allow_mixed)
        return cli_error(CMD, "%s ran on %s (%s), %s on %s (%s): mixed machines (--allow-mixed-machines to accept)",
                      a->dirs[0], meta_str(runs[0], "host"), meta_str(runs[0], "cpu_model"), a->dirs[i],
                      meta_str(runs[i], "host"), meta_str(runs[i], "cpu_model"));
    return CLI_EXIT_OK;
}

/* Loads every DIR and checks it is a shard of the same plan. */
static int load_shards(const merge_args *a, json_t **runs) {
    char err[2048];
    for (int i = 0; i < a->ndirs; i++) {
        if (!(runs[i] = cli_run_load(a->dirs[i], err, sizeof err))) return cli_error(CMD, "%s", err);
        json_t *meta = json_object_get(runs[i], "meta");
        if (!json_is_object(json_object_get(json_object_get(meta, "config"), "shard")) ||
            !json_is_array(json_object_get(meta, "plan_cells")))
            return cli_error(CMD, "%s: not a run made with --shard K/N (no meta.config.shard / meta.plan_cells)",
                          a->dirs[i]);
        int rc = i ? check_same(a, runs, i) : CLI_EXIT_OK;
        if (rc != CLI_EXIT_OK) return rc;
    }
    return CLI_EXIT_OK;
}

/* Every shard's results by cell id ({id: [record, shard index]}); 2 when a
 * cell was recorded by two shards. */
static int index_results(const merge_args *a, json_t **runs, json_t *byid) {
    for (int i = 0; i < a->ndirs; i++) {
        size_t j;
        json_t *rec;
        json_array_foreach(json_object_get(runs[i], "results"), j, rec) {
            const char *id = json_string_value(json_object_get(rec, "id"));
            if (!id) return cli_error(CMD, "%s/run.json: results[%zu] has no id", a->dirs[i], j);
            json_t *prev = json_object_get(byid, id);
            if (prev)
                return cli_error(CMD, "cell %s is in both %s and %s (the same shard merged twice?)", id,
                              a->dirs[json_integer_value(json_array_get(prev, 1))], a->dirs[i]);
            json_object_set_new(byid, id, json_pack("[O,i]", rec, i));
        }
    }
    return CLI_EXIT_OK;
}

/* Copies every file of SRC/sub into OUT/sub; 0, or 2 with a message. */
static int copy_files(const char *src, const char *out, const char *sub) {
    char *from = cli_fmt("%s/%s", src, sub), *to = cli_fmt("%s/%s", out, sub);
    int rc = cli_mkdir_p(to) ? cli_error(CMD, "cannot create %s: %s", to, strerror(errno)) : CLI_EXIT_OK;
    DIR *d = opendir(from);
    struct dirent *e;
    while (rc == CLI_EXIT_OK && d && (e = readdir(d))) {
        char *f = cli_fmt("%s/%s", from, e->d_name), *t = cli_fmt("%s/%s", to, e->d_name);
        size_t len;
        char *data = cli_is_file(f) ? cli_read_file(f, &len) : NULL;
        if (cli_is_file(f) && (!data || cli_write_atomic(t, data, len)))
            rc = cli_error(CMD, "cannot copy %s to %s: %s", f, t, strerror(errno));
        free(data), free(f), free(t);
    }
    if (d) closedir(d);
    free(from), free(to);
    return rc;
}

/* The merged document: shard 0's meta (config without shard), the shards
 * listed, results in plan order. Reports missing cells; *missing counts them. */
static json_t *merged_doc(const merge_args *a, json_t **runs, json_t *byid, long *missing) {
    json_t *run = json_deep_copy(runs[0]), *meta = json_object_get(run, "meta"), *from = json_array();
    json_t *plan = json_object_get(meta, "plan_cells"), *results = json_array(), *id;
    size_t i;
    json_int_t n = json_integer_value(json_object_get(json_object_get(json_object_get(meta, "config"), "shard"), "n"));
    json_object_set_new(meta, "config", plan_config(runs[0]));
    for (int k = 0; k < a->ndirs; k++)
        json_array_append_new(from, json_pack("{s:s,s:s,s:O}", "dir", a->dirs[k], "host", meta_str(runs[k], "host"),
                                              "shard", json_object_get(json_object_get(json_object_get(runs[k], "meta"), "config"), "shard")));
    json_array_foreach(plan, i, id) {
        json_t *hit = json_object_get(byid, json_string_value(id));
        if (hit) json_array_append(results, json_array_get(hit, 0));
        else {
            fprintf(stderr, "heapbench merge: missing cell %s (shard %lld/%lld)\n", json_string_value(id),
                    (long long)(i % (size_t)n + 1), (long long)n);
            ++*missing;
        }
    }
    json_object_set_new(meta, "merged_from", from);
    json_object_set_new(meta, "cells_planned", json_integer((json_int_t)json_array_size(plan)));
    json_object_set_new(meta, "status", json_string(*missing ? "incomplete" : "complete"));
    json_object_set_new(run, "results", results);
    return run;
}

/* merge: checks, then OUT (which must not hold a run yet). */
static int merge(const merge_args *a, json_t **runs) {
    char err[2048], *probe = cli_fmt("%s/run.json", a->out);
    int exists = cli_is_file(probe);
    free(probe);
    if (exists) return cli_error(CMD, "%s already holds a run (run.json); merge into a new folder", a->out);
    json_t *byid = json_object();
    long missing = 0, failed = 0;
    int rc = load_shards(a, runs);
    if (rc == CLI_EXIT_OK) rc = index_results(a, runs, byid);
    for (int i = 0; rc == CLI_EXIT_OK && i < a->ndirs; i++)
        if ((rc = copy_files(a->dirs[i], a->out, "raw")) == CLI_EXIT_OK) rc = copy_files(a->dirs[i], a->out, "logs");
    if (rc != CLI_EXIT_OK) return json_decref(byid), rc;
    json_t *run = merged_doc(a, runs, byid, &missing), *rec;
    size_t i;
    json_array_foreach(json_object_get(run, "results"), i, rec)
        failed += cli_cell_status_fails(json_string_value(json_object_get(rec, "status")));
    if (cli_run_save(a->out, run, err, sizeof err) != 0) rc = cli_error(CMD, "%s", err);
    else if (!missing && cli_history_index(run, a->out, err, sizeof err) != 0)
        fprintf(stderr, "heapbench merge: warning: not indexed in history: %s\n", err);
    if (rc == CLI_EXIT_OK)
        fprintf(stderr, "heapbench merge: %d shards, %zu of %lld cells, %ld missing, %ld failed -> %s\n", a->ndirs,
                json_array_size(json_object_get(run, "results")),
                (long long)json_integer_value(json_object_get(json_object_get(run, "meta"), "cells_planned")), missing,
                failed, a->out);
    json_decref(run), json_decref(byid);
    return rc != CLI_EXIT_OK ? rc : missing || failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

int cmd_merge(int argc, char **argv) {
    merge_args a = {0};
    int first;
    int rc = cli_opts_parse(&cmd_merge_spec, argc, argv, on_opt, &a, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (argc - first < 2) return cli_opts_usage_error(&cmd_merge_spec, "needs OUT and at least one shard folder DIR");
    a.out = argv[first];
    a.dirs = argv + first + 1;
    a.ndirs = argc - first - 1;
    json_t **runs = calloc((size_t)a.ndirs, sizeof *runs);
    rc = merge(&a, runs);
    for (int i = 0; i < a.ndirs; i++) json_decref(runs[i]);
    free(runs);
    return rc;
}
