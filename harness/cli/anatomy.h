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

typedef struct hb_an_sample {
    double t_s;
    int64_t rss, live, in_use, free_partial, free_cached, metadata, released; /* -1: unknown */
} hb_an_sample;

typedef struct hb_an_series {
    hb_an_sample *s;
    size_t n;
} hb_an_series;

/* RSS at one sample split into classes; a class the allocator does not
 * tell is -1 and counted in `unaccounted`. Invariant: live + rounding +
 * partial + cached + metadata + other + unaccounted == rss (known terms). */
typedef struct hb_an_split {
    int64_t rss, live, rounding, partial, cached, metadata, released;
    int64_t other;       /* RSS outside the heap: the first sample's, before the workload */
    int64_t unaccounted; /* the rest: what the allocator does not tell, or gets wrong */
} hb_an_split;

typedef enum { HB_AN_STEADY, HB_AN_LEAK, HB_AN_FRAGMENTATION, HB_AN_RETENTION, HB_AN_HELD } hb_an_class;

typedef struct hb_an_verdict {
    hb_an_class cls;
    size_t q, end, peak, held; /* samples: first quarter's end, last, RSS peak, most held */
    size_t half, q3;           /* the second and third quarters' ends */
    hb_an_split at_q, at_end, at_peak, at_held;
} hb_an_verdict;

/* Thresholds (docs/anatomy.md). */
#define HB_AN_MIB (1024.0 * 1024.0)
/* Leak: live bytes at the end of the run stand HB_AN_LEAK_MIN_BYTES and
 * HB_AN_LEAK_MIN_REL above the least live bytes of its first quarter, and
 * at HB_AN_LEAK_END_SHARE of the most ever live (never given back). */
#define HB_AN_LEAK_MIN_BYTES (1 << 20)
#define HB_AN_LEAK_MIN_REL 0.10
#define HB_AN_LEAK_END_SHARE 0.5
#define HB_AN_HELD_MIN_BYTES (1 << 20)  /* held (RSS - live - other) at its most */
#define HB_AN_UNACCOUNTED_SHARE 0.05    /* gaps within this share of RSS are not flagged */

int hb_an_load(const char *path, hb_an_series *out, char *err, size_t len);
void hb_an_free(hb_an_series *s);
void hb_an_split_at(const hb_an_series *s, size_t i, hb_an_split *out);
void hb_an_classify(const hb_an_series *s, hb_an_verdict *v);
const char *hb_an_class_name(hb_an_class c);

/* Runs the untimed anatomy child of an ok cell (args: its command line up
 * to the workload's parameters) into DIR/raw/ID.anatomy and records
 * rec.anatomy: {samples, status, class, peak}. */
void hb_an_run_cell(const hb_run_config *c, const char *id, const hb_strv *args, long long gogc, const char *dir,
                    json_t *rec);

#endif
