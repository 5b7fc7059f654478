/*
 * anatomy.h — memory anatomy on the CLI side (docs/anatomy.md): run a
 * cell's untimed anatomy child, read its samples (heapbench-anatomy/1),
 * break RSS into classes, and classify the cell as leak / fragmentation /
 * retention / steady. Used by `run --anatomy`, `explain`, report.md and
 * the plots.
 */
#ifndef HEAPBENCH_CLI_ANATOMY_H
#define HEAPBENCH_CLI_ANATOMY_H

#include <jansson.h>
#include <stdint.h>

#include "runplan.h"
#include "util.h"

typedef struct cli_an_sample {
    double t_s;
    int64_t rss, live, in_use, free_partial, free_cached, metadata, released; /* -1: unknown */
} cli_an_sample;

typedef struct cli_an_series {
    cli_an_sample *s;
    size_t n;
} cli_an_series;

/* RSS at one sample split into classes; a class the allocator does not
 * tell is -1 and counted in `unaccounted`. Invariant: live + rounding +
 * partial + cached + metadata + other + unaccounted == rss (known terms). */
typedef struct cli_an_split {
    int64_t rss, live, rounding, partial, cached, metadata, released;
    int64_t other;       /* RSS outside the heap: the first sample's, before the workload */
    int64_t unaccounted; /* the rest: what the allocator does not tell, or gets wrong */
} cli_an_split;

typedef enum { CLI_AN_STEADY, CLI_AN_LEAK, CLI_AN_FRAGMENTATION, CLI_AN_RETENTION, CLI_AN_HELD } cli_an_class;

typedef struct cli_an_verdict {
    cli_an_class cls;
    size_t q, end, peak, held; /* samples: first quarter's end, last, RSS peak, most held */
    size_t half, q3;           /* the second and third quarters' ends */
    cli_an_split at_q, at_end, at_peak, at_held;
} cli_an_verdict;

/* Thresholds (docs/anatomy.md). */
#define CLI_AN_MIB (1024.0 * 1024.0)
/* Leak: live bytes at the end of the run stand CLI_AN_LEAK_MIN_BYTES and
 * CLI_AN_LEAK_MIN_REL above the least live bytes of its first quarter, and
 * at CLI_AN_LEAK_END_SHARE of the most ever live (never given back). */
#define CLI_AN_LEAK_MIN_BYTES (1 << 20)
#define CLI_AN_LEAK_MIN_REL 0.10
#define CLI_AN_LEAK_END_SHARE 0.5
#define CLI_AN_HELD_MIN_BYTES (1 << 20)  /* held (RSS - live - other) at its most */
#define CLI_AN_UNACCOUNTED_SHARE 0.05    /* gaps within this share of RSS are not flagged */

int cli_an_load(const char *path, cli_an_series *out, char *err, size_t len);
void cli_an_free(cli_an_series *s);
void cli_an_split_at(const cli_an_series *s, size_t i, cli_an_split *out);
void cli_an_classify(const cli_an_series *s, cli_an_verdict *v);
const char *cli_an_class_name(cli_an_class c);

/* Runs the untimed anatomy child of an ok cell (args: its command line up
 * to the workload's parameters) into DIR/raw/ID.anatomy and records
 * rec.anatomy: {samples, status, class, peak}. */
void cli_an_run_cell(const cli_run_config *c, const char *id, const cli_strv *args, long long gogc, const char *dir,
                    json_t *rec);

#endif
