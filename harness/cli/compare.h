/*
 * compare.h — `heapbench compare BASE NEW`, in four steps shared by its
 * files: cmd_compare.c parses the options and runs the steps,
 * compare_env.c sets the two runs' environments side by side,
 * compare_match.c pairs the cells, compare_judge.c gives each pair its
 * verdict and the whole its exit status, compare_report.c prints it all
 * (text, Markdown, JSON).
 *
 * Invariants:
 * - Cells are paired on identity: adapter (+ GOGC), workload and thread
 *   count; only two single-adapter Google Benchmark files may be paired by
 *   workload alone. A pair whose effective parameters differ is "not
 *   comparable": never a regression, never counted as compared.
 * - Exit status: 2 when nothing was compared (whatever else holds) or the
 *   environments differ in machine, preset or library version without
 *   --allow-env-change; else 1 for a regression, a cell broken or missing
 *   in NEW, or a NEW run that did not complete; else 0.
 */
#ifndef HEAPBENCH_CLI_COMPARE_H
#define HEAPBENCH_CLI_COMPARE_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

typedef enum { CLI_CMP_REAL, CLI_CMP_CPU, CLI_CMP_RSS } cli_cmp_metric;
typedef enum { CLI_CMP_TEXT, CLI_CMP_MARKDOWN, CLI_CMP_JSON } cli_cmp_format;

typedef struct cli_cmp_opts {
    const char *paths[2]; /* BASE, NEW */
    double threshold;     /* fraction: 0.05 */
    double alpha;
    cli_cmp_metric metric;
    cli_cmp_format format;
    const char *markdown_file; /* also write the Markdown here */
    int allow_env_change;
} cli_cmp_opts;

/* What became of one cell. */
typedef enum {
    CLI_PAIR_COMPARED,       /* both ok, the metric compared */
    CLI_PAIR_NOT_COMPARABLE, /* effective parameters differ */
    CLI_PAIR_BROKEN,         /* ok in BASE, not ok in NEW: a failure */
    CLI_PAIR_NOT_MEASURED,   /* not ok in BASE (or no metric on a side) */
    CLI_PAIR_MISSING,        /* in BASE, not in NEW: a failure */
    CLI_PAIR_ONLY_NEW,       /* in NEW, not in BASE */
} cli_pair_kind;

typedef struct cli_cmp_pair {
    char label[640];  /* "system · heap/pairs threads=2" */
    char col[256];    /* the adapter column, for geometric means */
    json_t *base, *nw; /* borrowed records; NULL when absent */
    cli_pair_kind kind;
    int by_preset;    /* matched on preset + overrides (no params_effective) */
    char why[512];    /* "live 1000 → 100000", "crashed in NEW", ... */
    double vbase, vnew, ratio, p, cv_base, cv_new;
    const char *verdict; /* static or cli_fmt'd (leaked with the process) */
    int regression, noisy, too_few;
} cli_cmp_pair;

typedef struct cli_env_diff {
    const char *field; /* "host", "mimalloc version", "tiny library", ... */
    char base[768], nw[768];
    int library;       /* a NAME=PATH library's identity changed: never blocking */
    int blocking;      /* a different machine, preset or library version */
} cli_env_diff;

typedef struct cli_cmp {
    const cli_cmp_opts *o;
    json_t *base, *nw;
    /* compare_env.c */
    cli_env_diff *diffs;
    size_t ndiffs, nblocking;
    cli_strv same;                  /* fields equal in both runs */
    cli_strv warn_base, warn_new;   /* each run's recorded warnings */
    int busy_base, busy_new;       /* a "machine busy" warning among them */
    /* compare_match.c */
    cli_cmp_pair *pairs;
    size_t npairs;
    cli_strv notes;                 /* how cells were matched, and why */
    const char *new_status;        /* NEW's meta.status (NULL: not recorded) */
    /* compare_judge.c */
    size_t ncompared, nregress, nbroken, nmissing, nnotcomp, nnoisy, nfew;
    int incomplete;                /* NEW is interrupted or still running */
    int exit_code;
    const char *verdict;           /* one line */
} cli_cmp;

void cli_cmp_env(cli_cmp *c);
void cli_cmp_match(cli_cmp *c);
void cli_cmp_judge(cli_cmp *c);
void cli_cmp_report_text(const cli_cmp *c, FILE *f);
void cli_cmp_report_markdown(const cli_cmp *c, FILE *f);
void cli_cmp_report_json(const cli_cmp *c, FILE *f);
void cli_cmp_free(cli_cmp *c);

/* The metric's name ("real time") and a value in its unit ("4.1 ms"). */
const char *cli_cmp_metric_name(cli_cmp_metric m);
void cli_cmp_human(cli_cmp_metric m, double v, char *buf, size_t len);

#endif
