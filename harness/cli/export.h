/*
 * export.h — a run in other tools' formats. Bencher Metric Format (BMF):
 * {"<adapter>/<workload>[ params]": {"latency": {value, lower_value,
 * upper_value}, "throughput": {...}, "peak-rss": {...}}}, the JSON that
 * `bencher run --adapter json` reads (docs/results-format.md).
 */
#ifndef HEAPBENCH_CLI_EXPORT_H
#define HEAPBENCH_CLI_EXPORT_H

#include <jansson.h>
#include <stddef.h>

json_t *cli_export_bmf(json_t *run);
/* Writes dir/bmf.json atomically; 0, or -1 with a message. */
int cli_export_bmf_file(json_t *run, const char *dir, char *err, size_t errlen);

#endif
