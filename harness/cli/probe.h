/*
 * probe.h — ask an hb-<adapter> executable what it is (`hb-<a> info`):
 * name, version, kind, caps, preload library, and the workloads with their
 * parameters. Shared by list, run and exec.
 */
#ifndef HEAPBENCH_CLI_PROBE_H
#define HEAPBENCH_CLI_PROBE_H

#include <jansson.h>

/* Runs hb-<name> info; returns its JSON (caller decrefs), or NULL with a
 * message in err (missing executable, crash, bad JSON). */
json_t *cli_probe_info(const char *name, char *err, size_t errlen);
/* Whether the adapter's info lists capability `cap` ("gogc"). */
int cli_info_has_cap(json_t *info, const char *cap);
/* The workload entry named `name` in an info object, or NULL. */
json_t *cli_info_workload(json_t *info, const char *name);
/* The adapters built with this heapbench (HB_ADAPTER_LIST), comma list. */
const char *cli_adapters_built(void);

#endif
