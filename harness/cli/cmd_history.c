/*
 * cmd_history.c — `heapbench history`: the runs indexed in the history
 * database (history.h), newest first; `--trend ADAPTER WORKLOAD` prints one
 * benchmark's median time across commits (on one machine: --machine, by
 * default the one with the most runs of it) and with --plot FILE.png draws
 * it; `--index DIR` indexes an existing run folder.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gnuplot.h"
#include "history.h"
#include "results.h"
#include "util.h"

enum { OPT_TREND = CLI_OPT_LONG_ONLY, OPT_MACHINE, OPT_PLOT, OPT_INDEX, OPT_LIMIT };

static const cli_opt history_opts[] = {
    {"limit", OPT_LIMIT, "N", "list the N newest runs (default 20)"},
    {"trend", OPT_TREND, "ADAPTER", "one benchmark's median time across commits: --trend ADAPTER WORKLOAD"},
    {"machine", OPT_MACHINE, "M", "with --trend: runs on machine M (default: the one with most runs)"},
    {"plot", OPT_PLOT, "FILE", "with --trend: draw it into FILE.png or FILE.svg"},
    {"index", OPT_INDEX, "RUN_DIR", "index an existing run folder"},
    {0},
};

const cli_cmd_spec cmd_history_spec = {
    .name = "history",
    .synopsis = "[--limit N] | --trend ADAPTER WORKLOAD [--machine M] [--plot FILE] | --index RUN_DIR",
    .summary = "list indexed runs; a benchmark's trend across commits",
    .opts = history_opts,
    .epilog = "The database is $HB_HISTORY_DB, else <results>/history.db; `heapbench run`\n"
              "indexes every run it writes.\n",
    .stop_at_operand = 0,
};

typedef struct history_cfg {
    const char *adapter, *workload, *machine, *plot, *index;
    long limit;
} history_cfg;

static int on_opt(void *ctx, int key, const char *arg) {
    history_cfg *c = ctx;
    switch (key) {
    case OPT_TREND: c->adapter = arg; return 0;
    case OPT_MACHINE: c->machine = arg; return 0;
    case OPT_PLOT: c->plot = arg; return 0;
    case OPT_INDEX: c->index = arg; return 0;
    default: return cli_opts_long(&cmd_history_spec, key, arg, 1, 1000000, &c->limit);
    }
}

/* Options that go together, and --trend's WORKLOAD operand: 0 or 2. */
static int check_cfg(history_cfg *c, int argc, char **argv, int first) {
    const cli_cmd_spec *sp = &cmd_history_spec;
    if (c->adapter && first >= argc) return cli_opts_usage_error(sp, "--trend takes ADAPTER WORKLOAD (WORKLOAD missing)");
    if (c->adapter) c->workload = argv[first++];
    if (first < argc) return cli_opts_usage_error(sp, "unexpected argument '%s'", argv[first]);
    if (c->index && c->adapter) return cli_opts_usage_error(sp, "--index and --trend do not go together");
    if ((c->machine || c->plot) && !c->adapter)
        return cli_opts_usage_error(sp, "--%s goes with --trend", c->machine ? "machine" : "plot");
    size_t pl = c->plot ? strlen(c->plot) : 0;
    if (c->plot && (pl <= 4 || (strcmp(c->plot + pl - 4, ".png") && strcmp(c->plot + pl - 4, ".svg"))))
        return cli_opts_usage_error(sp, "--plot takes a file name ending in .png or .svg, not '%s'", c->plot);
    return CLI_EXIT_OK;
}

/* --index RUN_DIR: adds an existing run to the database. */
static int index_run(const char *dir) {
    char err[2048];
    json_t *run = cli_run_load(dir, err, sizeof err);
    if (!run) return cli_error("history", "%s", err);
    int rc = cli_history_index(run, dir, err, sizeof err);
    json_decref(run);
    if (rc) return cli_error("history", "%s", err);
    printf("indexed %s in %s\n", dir, cli_history_db_path());
    return CLI_EXIT_OK;
}

/* The runs, newest first. */
static int list_runs(sqlite3 *db, const char *path, long limit) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT start_time, substr(git_commit,1,10), git_dirty, machine, preset, cells, ok, dir"
                               " FROM runs ORDER BY start_time DESC LIMIT ?1;", -1, &s, NULL) != SQLITE_OK)
        return cli_error("history", "%s: %s", path, sqlite3_errmsg(db));
    sqlite3_bind_int64(s, 1, limit);
    printf("%-25s %-11s %-6s %5s %5s  %-40s %s\n", "START", "COMMIT", "PRESET", "CELLS", "OK", "MACHINE", "DIR");
    while (sqlite3_step(s) == SQLITE_ROW)
        printf("%-25s %-10s%s %-6s %5d %5d  %-40.40s %s\n", sqlite3_column_text(s, 0) ?: (const unsigned char *)"",
               sqlite3_column_text(s, 1) ?: (const unsigned char *)"?", sqlite3_column_int(s, 2) ? "+" : " ",
               sqlite3_column_text(s, 4) ?: (const unsigned char *)"", sqlite3_column_int(s, 5),
               sqlite3_column_int(s, 6), sqlite3_column_text(s, 3), sqlite3_column_text(s, 7));
    sqlite3_finalize(s);
    return CLI_EXIT_OK;
}

/* The machine with the most ok runs of this benchmark, or NULL. */
static char *busiest_machine(sqlite3 *db, const char *adapter, const char *workload) {
    sqlite3_stmt *s;
    char *mach = NULL;
    if (sqlite3_prepare_v2(db, "SELECT r.machine FROM cells c JOIN runs r ON r.id = c.run_id WHERE c.adapter = ?1"
                               " AND c.row_label = ?2 AND c.status = 'ok' GROUP BY r.machine ORDER BY count(*) DESC LIMIT 1;",
                           -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(s, 1, adapter, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, workload, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) mach = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return mach;
}

/* Prints the trend table; the gnuplot data lines go to `d`. Returns rows. */
static int trend_rows(sqlite3 *db, const history_cfg *c, const char *mach, FILE *d) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT r.start_time, substr(r.git_commit,1,10), r.git_dirty, c.real_median_ns, c.real_min_ns,"
                               " c.real_max_ns, c.peak_rss_bytes FROM cells c JOIN runs r ON r.id = c.run_id"
                               " WHERE c.adapter = ?1 AND c.row_label = ?2 AND c.status = 'ok' AND r.machine = ?3"
                               " ORDER BY r.start_time;", -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(s, 1, c->adapter, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->workload, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, mach, -1, SQLITE_STATIC);
    printf("%s on %s, machine %s\n%-25s %-11s %14s %10s %12s\n", c->workload, c->adapter, mach, "START", "COMMIT",
           "MEDIAN ns", "vs first", "PEAK RSS");
    double base = NAN;
    int n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        double med = sqlite3_column_double(s, 3);
        if (isnan(base)) base = med;
        const char *commit = (const char *)sqlite3_column_text(s, 1);
        int dirty = sqlite3_column_int(s, 2);
        printf("%-25s %-10s%s %14.2f %9.3fx %10.1f MiB\n", sqlite3_column_text(s, 0), commit ? commit : "?",
               dirty ? "+" : " ", med, med / base, sqlite3_column_double(s, 6) / 1048576.0);
        fprintf(d, "%d \"%.8s%s\" %.6g %.6g %.6g\n", n++, commit ? commit : "?", dirty ? "+" : "", med,
                sqlite3_column_double(s, 4), sqlite3_column_double(s, 5));
    }
    sqlite3_finalize(s);
    return n;
}

/* --plot FILE: the trend's data next to FILE, drawn by trend.gp. */
static int trend_plot(const history_cfg *c, const char *mach, const char *data, size_t len) {
    size_t pl = strlen(c->plot);
    int svg = !strcmp(c->plot + pl - 4, ".svg"), png = !svg, rc = CLI_EXIT_OK;
    if (!cli_gnuplot_available()) return cli_error("history", "gnuplot is not installed");
    char *base = strndup(c->plot, pl - 4), *datap = cli_fmt("%s.dat", base);
    if (cli_write_atomic(datap, data, len) != 0) {
        rc = cli_error("history", "cannot write %s: %s", datap, strerror(errno));
    } else {
        cli_strv vars = {0};
        char *q = cli_gp_str(datap), *t = cli_fmt("%s on %s: median time across commits (%s)", c->workload, c->adapter, mach);
        char *qt = cli_gp_str(t), *v;
        cli_strv_push(&vars, v = cli_fmt("datafile=%s", q)), free(v);
        cli_strv_push(&vars, v = cli_fmt("title=%s", qt)), free(v);
        cli_strv_push(&vars, v = cli_fmt("color='%s'", cli_adapter_color(c->adapter))), free(v);
        if (cli_gnuplot("trend.gp", &vars, base, (png ? CLI_FMT_PNG : 0) | (svg ? CLI_FMT_SVG : 0), NULL) == 0) rc = cli_error("history", "gnuplot failed drawing %s", c->plot);
        else printf("plot: %s\n", c->plot);
        cli_strv_free(&vars);
        free(q), free(t), free(qt);
    }
    free(base), free(datap);
    return rc;
}

/* A NAME=PATH adapter is indexed as NAME@<sha256 prefix> (history.c):
 * "; its builds are series A, B" when `adapter` is such a name, else "". */
static char *library_series(sqlite3 *db, const char *adapter) {
    sqlite3_stmt *s;
    char *out = strdup(""), *t;
    if (sqlite3_prepare_v2(db, "SELECT DISTINCT adapter FROM cells WHERE substr(adapter, 1, length(?1) + 1) = ?1 || '@'"
                           " ORDER BY adapter;", -1, &s, NULL) != SQLITE_OK)
        return out;
    sqlite3_bind_text(s, 1, adapter, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        t = cli_fmt("%s%s%s", out, *out ? ", " : "; a NAME=PATH library is a series per build: ", sqlite3_column_text(s, 0));
        free(out), out = t;
    }
    sqlite3_finalize(s);
    return out;
}

static int trend(sqlite3 *db, const char *path, const history_cfg *c) {
    char *mach = c->machine ? strdup(c->machine) : busiest_machine(db, c->adapter, c->workload);
    if (!mach) {
        char *hint = library_series(db, c->adapter);
        int rc = cli_error("history", "no ok results for adapter '%s', workload '%s' in %s%s", c->adapter, c->workload, path, hint);
        free(hint);
        return rc;
    }
    char *dbuf = NULL;
    size_t dlen = 0;
    FILE *d = open_memstream(&dbuf, &dlen);
    int n = trend_rows(db, c, mach, d), rc = CLI_EXIT_OK;
    fclose(d);
    if (!n) rc = cli_error("history", "no ok results for adapter '%s', workload '%s' on machine '%s' in %s", c->adapter,
                        c->workload, mach, path);
    else if (c->plot) rc = trend_plot(c, mach, dbuf, dlen);
    free(dbuf);
    free(mach);
    return rc;
}

int cmd_history(int argc, char **argv) {
    history_cfg cfg = {.limit = 20};
    int first, rc = cli_opts_parse(&cmd_history_spec, argc, argv, on_opt, &cfg, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (check_cfg(&cfg, argc, argv, first) != CLI_EXIT_OK) return CLI_EXIT_USAGE;
    if (cfg.index) return index_run(cfg.index);
    const char *path = cli_history_db_path();
    if (access(path, R_OK) != 0) return cli_error("history", "no history database at %s (heapbench run creates it)", path);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = cli_error("history", "%s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    rc = cfg.adapter ? trend(db, path, &cfg) : list_runs(db, path, cfg.limit);
    sqlite3_close(db);
    return rc;
}
