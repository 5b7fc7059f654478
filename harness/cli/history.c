/*
 * history.c — index runs in SQLite (see history.h). Tables:
 *   runs(id, dir UNIQUE, machine, host, cpu, git_commit, git_dirty,
 *        start_time, end_time, preset, version, cells, ok)
 *   cells(run_id, adapter, workload, row_label, col_label, status,
 *         real_median_ns, real_min_ns, real_max_ns, cpu_median_ns,
 *         peak_rss_bytes, items_per_second)
 * Re-indexing a folder replaces its rows, so `run --resume` keeps one entry.
 * A NAME=PATH adapter (run.json adapters[].library) is keyed by identity,
 * cells.adapter = "NAME@<first 12 hex of its sha256>", so two builds of one
 * name are two series.
 */
#define _GNU_SOURCE
#include "history.h"

#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "util.h"

static const char *schema =
    "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, dir TEXT UNIQUE, machine TEXT,"
    " host TEXT, cpu TEXT, git_commit TEXT, git_dirty INTEGER, start_time TEXT, end_time TEXT,"
    " preset TEXT, version TEXT, cells INTEGER, ok INTEGER);"
    "CREATE TABLE IF NOT EXISTS cells(run_id INTEGER, adapter TEXT, workload TEXT, row_label TEXT,"
    " col_label TEXT, status TEXT, real_median_ns REAL, real_min_ns REAL, real_max_ns REAL,"
    " cpu_median_ns REAL, peak_rss_bytes REAL, items_per_second REAL);"
    "CREATE INDEX IF NOT EXISTS cells_by_bench ON cells(adapter, workload);";

static void bind_text(sqlite3_stmt *s, int i, json_t *v) {
    if (json_is_string(v)) sqlite3_bind_text(s, i, json_string_value(v), -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(s, i);
}

static void bind_num(sqlite3_stmt *s, int i, double v) {
    if (isfinite(v)) sqlite3_bind_double(s, i, v);
    else sqlite3_bind_null(s, i);
}

/* {NAME: "NAME@sha12"} for each NAME=PATH adapter of the run. */
static json_t *series_keys(json_t *run) {
    json_t *keys = json_object(), *a;
    size_t i;
    json_array_foreach(json_object_get(run, "adapters"), i, a) {
        const char *name = json_string_value(json_object_get(a, "name"));
        const char *sha = json_string_value(json_object_get(json_object_get(a, "library"), "sha256"));
        char key[128];
        snprintf(key, sizeof key, "%.64s@%.12s", name ? name : "", sha ? sha : "");
        if (name && sha) json_object_set_new(keys, name, json_string(key));
    }
    return keys;
}

/* Open (creating) the database and begin a write transaction; NULL with
 * the reason in err. */
static sqlite3 *history_open(const char *db_path, char *err, size_t errlen) {
    char *dcopy = strdup(db_path);
    cli_mkdir_p(dirname(dcopy));
    free(dcopy);
    sqlite3 *db;
    if (sqlite3_open(db_path, &db) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    char *emsg = NULL;
    if (sqlite3_exec(db, schema, NULL, NULL, &emsg) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &emsg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path, emsg);
        sqlite3_free(emsg);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* Re-indexing a folder replaces what was recorded of it. */
static void history_forget(sqlite3 *db, const char *dir) {
    static const char *const sql[] = {"DELETE FROM cells WHERE run_id IN (SELECT id FROM runs WHERE dir = ?1);",
                                      "DELETE FROM runs WHERE dir = ?1;"};
    for (size_t k = 0; k < 2; k++) {
        sqlite3_stmt *s;
        sqlite3_prepare_v2(db, sql[k], -1, &s, NULL);
        sqlite3_bind_text(s, 1, dir, -1, SQLITE_TRANSIENT);
        sqlite3_step(s);
        sqlite3_finalize(s);
    }
}

/* One row of `runs`; its id, or -1. */
static sqlite3_int64 history_insert_run(sqlite3 *db, json_t *run, const char *dir) {
    json_t *meta = json_object_get(run, "meta"), *results = json_object_get(run, "results"), *rec;
    size_t i, nok = 0;
    json_array_foreach(results, i, rec) {
        const char *st = json_string_value(json_object_get(rec, "status"));
        nok += st && !strcmp(st, "ok");
    }
    char machine[512];
    snprintf(machine, sizeof machine, "%s / %s", json_string_value(json_object_get(meta, "host")) ?: "?",
             json_string_value(json_object_get(meta, "cpu_model")) ?: "?");
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db,
                       "INSERT INTO runs(dir, machine, host, cpu, git_commit, git_dirty, start_time, end_time,"
                       " preset, version, cells, ok) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12);",
                       -1, &s, NULL);
    sqlite3_bind_text(s, 1, dir, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, machine, -1, SQLITE_TRANSIENT);
    bind_text(s, 3, json_object_get(meta, "host"));
    bind_text(s, 4, json_object_get(meta, "cpu_model"));
    bind_text(s, 5, json_object_get(meta, "git_commit"));
    json_t *dirty = json_object_get(meta, "git_dirty");
    if (json_is_boolean(dirty)) sqlite3_bind_int(s, 6, json_is_true(dirty));
    bind_text(s, 7, json_object_get(meta, "start_time"));
    bind_text(s, 8, json_object_get(meta, "end_time"));
    bind_text(s, 9, json_object_get(meta, "preset"));
    bind_text(s, 10, json_object_get(meta, "heapbench_version"));
    sqlite3_bind_int64(s, 11, (sqlite3_int64)json_array_size(results));
    sqlite3_bind_int64(s, 12, (sqlite3_int64)nok);
    int ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok ? sqlite3_last_insert_rowid(db) : -1;
}

/* One row of `cells` per result; 1 when all went in. */
static int history_insert_cells(sqlite3 *db, json_t *run, sqlite3_int64 run_id) {
    json_t *keys = series_keys(run), *rec;
    sqlite3_stmt *s;
    size_t i;
    int ok = 1;
    sqlite3_prepare_v2(db, "INSERT INTO cells VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12);", -1, &s, NULL);
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        if (!ok) break;
        char row[512], col[256];
        cli_rec_row(rec, row, sizeof row);
        cli_rec_col(rec, col, sizeof col);
        json_t *rt = json_object_get(rec, "real_time_ns");
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, run_id);
        json_t *ad = json_object_get(rec, "adapter"), *key = json_is_string(ad) ? json_object_get(keys, json_string_value(ad)) : NULL;
        bind_text(s, 2, key ? key : ad);
        bind_text(s, 3, json_object_get(rec, "workload"));
        sqlite3_bind_text(s, 4, row, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, col, -1, SQLITE_TRANSIENT);
        bind_text(s, 6, json_object_get(rec, "status"));
        bind_num(s, 7, cli_rec_number(rt, "median"));
        bind_num(s, 8, cli_rec_number(rt, "min"));
        bind_num(s, 9, cli_rec_number(rt, "max"));
        bind_num(s, 10, cli_rec_number(json_object_get(rec, "cpu_time_ns"), "median"));
        bind_num(s, 11, cli_rec_number(rec, "peak_rss_bytes"));
        bind_num(s, 12, cli_rec_number(rec, "items_per_second"));
        ok = sqlite3_step(s) == SQLITE_DONE;
    }
    sqlite3_finalize(s);
    json_decref(keys);
    return ok;
}

int cli_history_index(json_t *run, const char *dir, char *err, size_t errlen) {
    const char *db_path = cli_history_db_path();
    sqlite3 *db = history_open(db_path, err, errlen);
    if (!db) return -1;
    char real[PATH_MAX];
    if (!realpath(dir, real)) snprintf(real, sizeof real, "%s", dir);
    history_forget(db, real);
    sqlite3_int64 run_id = history_insert_run(db, run, real);
    int ok = run_id >= 0 && history_insert_cells(db, run, run_id);
    if (!ok) snprintf(err, errlen, "%s: %s", db_path, sqlite3_errmsg(db));
    sqlite3_exec(db, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return ok ? 0 : -1;
}
