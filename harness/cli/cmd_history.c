/*
 * cmd_history.c — `heapbench history`: the runs indexed in the history
 * database (history.h), newest first; `--trend ADAPTER WORKLOAD` prints one
 * benchmark's median time across commits (on one machine: --machine, by
 * default the one with the most runs of it) and with --plot FILE.png draws
 * it; `--index DIR` indexes an existing run folder.
 */
#define _GNU_SOURCE
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

static int usage(FILE *f) {
    fprintf(f, "usage: heapbench history [--limit N]             list indexed runs\n"
               "       heapbench history --trend ADAPTER WORKLOAD [--machine M] [--plot FILE.png|.svg]\n"
               "       heapbench history --index RUN_DIR           index an existing run\n"
               "  database: $HB_HISTORY_DB, else <results>/history.db\n");
    return f == stderr ? HB_EXIT_USAGE : HB_EXIT_OK;
}

int cmd_history(int argc, char **argv) {
    const char *adapter = NULL, *workload = NULL, *machine = NULL, *plot = NULL, *index = NULL;
    long limit = 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help")) return usage(stdout);
        if (!strcmp(a, "--trend") && i + 2 < argc) {
            adapter = argv[++i];
            workload = argv[++i];
        } else if (!strcmp(a, "--machine") && i + 1 < argc) machine = argv[++i];
        else if (!strcmp(a, "--plot") && i + 1 < argc) plot = argv[++i];
        else if (!strcmp(a, "--index") && i + 1 < argc) index = argv[++i];
        else if (!strcmp(a, "--limit") && i + 1 < argc) limit = atol(argv[++i]);
        else return hb_die("history", "unknown or incomplete option '%s' (heapbench history --help)", a);
    }
    char err[2048];
    if (index) {
        json_t *run = hb_run_load(index, err, sizeof err);
        if (!run) return hb_die("history", "%s", err);
        int rc = hb_history_index(run, index, err, sizeof err);
        json_decref(run);
        if (rc) return hb_die("history", "%s", err);
        printf("indexed %s in %s\n", index, hb_history_db_path());
        return 0;
    }
    const char *path = hb_history_db_path();
    if (access(path, R_OK) != 0) return hb_die("history", "no history database at %s (heapbench run creates it)", path);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return hb_die("history", "%s: %s", path, sqlite3_errmsg(db));
    sqlite3_stmt *s;
    int rc = 0;
    if (!adapter) {
        if (sqlite3_prepare_v2(db, "SELECT start_time, substr(git_commit,1,10), git_dirty, machine, preset, cells, ok, dir"
                                   " FROM runs ORDER BY start_time DESC LIMIT ?1;", -1, &s, NULL) != SQLITE_OK) {
            rc = hb_die("history", "%s: %s", path, sqlite3_errmsg(db));
        } else {
            sqlite3_bind_int64(s, 1, limit);
            printf("%-25s %-11s %-6s %5s %5s  %-40s %s\n", "START", "COMMIT", "PRESET", "CELLS", "OK", "MACHINE", "DIR");
            while (sqlite3_step(s) == SQLITE_ROW)
                printf("%-25s %-10s%s %-6s %5d %5d  %-40.40s %s\n", sqlite3_column_text(s, 0) ?: (const unsigned char *)"",
                       sqlite3_column_text(s, 1) ?: (const unsigned char *)"?", sqlite3_column_int(s, 2) ? "+" : " ",
                       sqlite3_column_text(s, 4) ?: (const unsigned char *)"", sqlite3_column_int(s, 5),
                       sqlite3_column_int(s, 6), sqlite3_column_text(s, 3), sqlite3_column_text(s, 7));
            sqlite3_finalize(s);
        }
        sqlite3_close(db);
        return rc;
    }
    char *mach = NULL;
    if (!machine) { /* the machine with the most runs of this benchmark */
        sqlite3_prepare_v2(db, "SELECT r.machine FROM cells c JOIN runs r ON r.id = c.run_id WHERE c.adapter = ?1"
                               " AND c.row_label = ?2 AND c.status = 'ok' GROUP BY r.machine ORDER BY count(*) DESC LIMIT 1;",
                           -1, &s, NULL);
        sqlite3_bind_text(s, 1, adapter, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, workload, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) mach = strdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        if (!mach) {
            sqlite3_close(db);
            return hb_die("history", "no ok results for adapter '%s', workload '%s' in %s", adapter, workload, path);
        }
    } else {
        mach = strdup(machine);
    }
    sqlite3_prepare_v2(db, "SELECT r.start_time, substr(r.git_commit,1,10), r.git_dirty, c.real_median_ns, c.real_min_ns,"
                           " c.real_max_ns, c.peak_rss_bytes FROM cells c JOIN runs r ON r.id = c.run_id"
                           " WHERE c.adapter = ?1 AND c.row_label = ?2 AND c.status = 'ok' AND r.machine = ?3"
                           " ORDER BY r.start_time;",
                       -1, &s, NULL);
    sqlite3_bind_text(s, 1, adapter, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, workload, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, mach, -1, SQLITE_STATIC);
    printf("%s on %s, machine %s\n%-25s %-11s %14s %10s %12s\n", workload, adapter, mach, "START", "COMMIT", "MEDIAN ns",
           "vs first", "PEAK RSS");
    char *dbuf = NULL;
    size_t dlen = 0;
    FILE *d = open_memstream(&dbuf, &dlen);
    double first = NAN;
    int n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        double med = sqlite3_column_double(s, 3);
        if (isnan(first)) first = med;
        const char *commit = (const char *)sqlite3_column_text(s, 1);
        int dirty = sqlite3_column_int(s, 2);
        printf("%-25s %-10s%s %14.2f %9.3fx %10.1f MiB\n", sqlite3_column_text(s, 0), commit ? commit : "?", dirty ? "+" : " ",
               med, med / first, sqlite3_column_double(s, 6) / 1048576.0);
        fprintf(d, "%d \"%.8s%s\" %.6g %.6g %.6g\n", n++, commit ? commit : "?", dirty ? "+" : "", med,
                sqlite3_column_double(s, 4), sqlite3_column_double(s, 5));
    }
    fclose(d);
    sqlite3_finalize(s);
    sqlite3_close(db);
    if (plot) {
        size_t pl = strlen(plot);
        int svg = pl > 4 && !strcmp(plot + pl - 4, ".svg"), png = pl > 4 && !strcmp(plot + pl - 4, ".png");
        if (!png && !svg) rc = hb_die("history", "--plot takes a file name ending in .png or .svg, not '%s'", plot);
        else if (!hb_gnuplot_available()) rc = hb_die("history", "gnuplot is not installed");
        else {
            char *base = strndup(plot, pl - 4), *datap = hb_fmt("%s.dat", base);
            if (hb_write_atomic(datap, dbuf, dlen) != 0) rc = hb_die("history", "cannot write %s", datap);
            else {
                hb_strv vars = {0};
                char *q = hb_gp_str(datap), *t = hb_fmt("%s on %s: median time across commits (%s)", workload, adapter, mach);
                char *qt = hb_gp_str(t), *v;
                hb_strv_push(&vars, v = hb_fmt("datafile=%s", q)), free(v);
                hb_strv_push(&vars, v = hb_fmt("title=%s", qt)), free(v);
                hb_strv_push(&vars, v = hb_fmt("color='%s'", hb_adapter_color(adapter))), free(v);
                if (hb_gnuplot("trend.gp", &vars, base, png, svg, NULL) == 0) rc = hb_die("history", "gnuplot failed drawing %s", plot);
                else printf("plot: %s\n", plot);
                hb_strv_free(&vars);
                free(q), free(t), free(qt);
            }
            free(base), free(datap);
        }
    }
    free(dbuf);
    free(mach);
    return rc;
}
