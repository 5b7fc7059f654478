/*
 * adapter_resolve.h — the one place --adapters entries become executables
 * and child environments. A built-in NAME runs build/hb-NAME; a NAME=PATH
 * entry ("bring your own allocator", adapter_spec.h) is checked and probed
 * once, before any cell runs, then registered here so that every later
 * question — which executable (cli_adapter_exe), which environment
 * (cli_adapter_env), which identity (cli_adapter_identity) — is answered by
 * name, the same way in run, conform, exec and list.
 *
 * Invariant: after cli_adapters_resolve(), a list holds names only; a name
 * registered here is a preloaded library and runs build/hb-preload with
 * LD_PRELOAD, HB_PRELOAD_LIB and HB_PRELOAD_NAME set to it. The registry is
 * process-wide (one command line per process) and only grows.
 */
#ifndef HEAPBENCH_CLI_ADAPTER_RESOLVE_H
#define HEAPBENCH_CLI_ADAPTER_RESOLVE_H

#include <jansson.h>

#include "util.h"

/* Replaces every NAME=PATH entry of `names` with NAME after checking the
 * library (missing, not ELF, wrong architecture, no malloc, name clash with
 * a built-in adapter or another entry, crash/hang at load, half-interposed:
 * cli_spec_*). 0, or 2 after printing "heapbench CMD: --adapters NAME=PATH:
 * what is wrong". */
int cli_adapters_resolve(const char *cmd, cli_strv *names);

/* Whether `name` was registered as a preloaded library. */
int cli_adapter_is_preloaded(const char *name);
/* The NULL-terminated "VAR=VALUE" entries a child of adapter `name` runs
 * with, or NULL for a built-in adapter. */
const char *const *cli_adapter_env(const char *name);
/* The library's identity object (adapter_spec.h: path, size, sha256,
 * build_id, exports, missing, version), borrowed; NULL for a built-in. */
json_t *cli_adapter_identity(const char *name);
/* "NAME=REALPATH" for a preloaded adapter (what run.json's config keeps, so
 * --resume resolves it again), else `name` itself. */
const char *cli_adapter_arg(const char *name);

#endif
