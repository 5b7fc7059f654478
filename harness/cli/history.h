/*
 * history.h — every run indexed in one SQLite file (results/history.db,
 * or $HB_HISTORY_DB), keyed by machine (host + CPU model) and commit, so
 * a benchmark's trend across commits is one query.
 */
#ifndef HEAPBENCH_CLI_HISTORY_H
#define HEAPBENCH_CLI_HISTORY_H

#include <jansson.h>
#include <stddef.h>

/* Indexes (or re-indexes) the run in dir; 0, or -1 with a message. */
int cli_history_index(json_t *run, const char *dir, char *err, size_t errlen);

#endif
