/*
 * util.h — small helpers the subcommands share: string lists, files
 * written atomically, paths of the hb-<adapter> executables, git facts,
 * and where results live.
 */
#ifndef HEAPBENCH_CLI_UTIL_H
#define HEAPBENCH_CLI_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct cli_strv {
    char **v;
    size_t n, cap;
} cli_strv;

void cli_strv_push(cli_strv *s, const char *str);
void cli_strv_free(cli_strv *s);
int cli_strv_has(const cli_strv *s, const char *str);
/* Splits "a,b,,c" into non-empty trimmed items, appended to out. */
void cli_split(const char *str, char sep, cli_strv *out);

/* printf into a fresh heap string. */
char *cli_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes data to path atomically: a temp file in the same folder, fsync,
 * rename over path, fsync of the folder. 0 on success, -1 with errno. */
int cli_write_atomic(const char *path, const char *data, size_t len);
/* Reads a whole file (NUL-terminated); NULL with errno on failure. */
char *cli_read_file(const char *path, size_t *len);
/* mkdir -p; 0 on success, -1 with errno. */
int cli_mkdir_p(const char *path);
int cli_is_dir(const char *path);
int cli_is_file(const char *path);

/* 1 when this heapbench is an installed copy (PREFIX/bin/heapbench with a
 * PREFIX/libexec/heapbench/ beside it), 0 when it runs from its build folder. */
int cli_installed(void);
/* The folder holding every hb-<adapter>: PREFIX/libexec/heapbench when
 * installed, else the heapbench executable's own folder (build/). */
const char *cli_bin_dir(void);
/* build/hb-<name>, or build/hb-preload for a NAME=PATH adapter
 * (adapter_resolve.c); returns buf. */
char *cli_adapter_exe(const char *name, char *buf, size_t len);

/* The repository root: $HB_SOURCE_DIR, else HB_SOURCE_DIR as compiled in;
 * for an installed copy the data folder (no compiled-in path is used). */
const char *cli_source_dir(void);
/* Where plots/ (and workloads/traces, real/inputs) are: PREFIX/share/heapbench
 * when installed, else the repository root. */
const char *cli_data_dir(void);
/* Where results go by default: $HB_RESULTS_DIR, else <repo root>/results,
 * or ./results of the working folder for an installed copy. */
const char *cli_results_root(void);
/* The history database: $HB_HISTORY_DB, else <results root>/history.db. */
const char *cli_history_db_path(void);

/* The commit this build was made from (full and short) and whether its tree
 * had uncommitted changes, stamped at build time (gitinfo.c); "unknown" / -1
 * when built outside git. */
void cli_git_info(char *commit, size_t clen, char *shortc, size_t slen, int *dirty);

/* Local time as ISO 8601 with offset; fmt for strftime otherwise. */
void cli_time_iso(char *buf, size_t len);
double cli_now_s(void);       /* CLOCK_MONOTONIC */
/* A name safe for a file: [A-Za-z0-9._=-], others become '_'. */
void cli_sanitize(const char *in, char *out, size_t len);

/* Error helper: prints "heapbench <cmd>: msg\n" to stderr, returns 2. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_isatty_stderr(void);

#endif
