/*
 * adapter_spec.h — "bring your own allocator": an --adapters entry of the
 * form NAME=PATH names a shared library that interposes the malloc family,
 * run through build/hb-preload under LD_PRELOAD (adapters/preload.c).
 *
 * This module parses and checks such an entry before any cell runs, and
 * computes the library's identity for run.json, so that compare and history
 * tell two builds of one library apart:
 *
 *   {"name": "mine", "path": "/abs/libmine.so", "size": 123456,
 *    "sha256": "<64 hex>", "build_id": "<hex>" | null,
 *    "exports": ["malloc", ...], "missing": ["aligned_alloc", ...],
 *    "version": "..."}                       (version: cli_spec_probe)
 *
 * Use (the CLI):
 *   cli_adapter_spec s;  char err[512];
 *   if (cli_spec_is_spec(arg)) {
 *       if (cli_spec_parse(arg, HB_ADAPTER_LIST, &s, err, sizeof err) ||
 *           cli_spec_check(&s, err, sizeof err))  { fprintf(stderr, "heapbench: %s\n", err); exit 2; }
 *       json_t *id = cli_spec_identity(&s, err, sizeof err);
 *       cli_spec_probe(&s, "build/hb-preload", id, err, sizeof err);  // adds "version"
 *       cli_spec_env(&s, ...);  // LD_PRELOAD, HB_PRELOAD_LIB, HB_PRELOAD_NAME for each cell
 *   }
 * Every error message names the library (NAME=PATH) and what is wrong.
 */
#ifndef CLI_ADAPTER_SPEC_H
#define CLI_ADAPTER_SPEC_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

typedef struct cli_adapter_spec {
    char name[64];       /* [A-Za-z0-9][A-Za-z0-9._-]*, not a built-in adapter */
    char path[PATH_MAX]; /* as given */
    char real[PATH_MAX]; /* absolute, symlinks resolved (after cli_spec_check) */
} cli_adapter_spec;

/* 1 when an --adapters entry is a NAME=PATH spec (it contains '='). */
int cli_spec_is_spec(const char *arg);

/* Split NAME=PATH and check the name: well-formed, and not one of the
 * built-in adapters in `builtins` (a comma-separated list, e.g.
 * HB_ADAPTER_LIST). 0, or -1 with a message in err. */
int cli_spec_parse(const char *arg, const char *builtins, cli_adapter_spec *s, char *err, size_t len);

/* Check the library file: it exists, is a regular readable file, an ELF
 * shared object (not an executable) for this machine's architecture, and
 * exports malloc. Fills s->real. 0, or -1 with a message in err. */
int cli_spec_check(cli_adapter_spec *s, char *err, size_t len);

/* The identity object (see above, without "version"); NULL with a message
 * in err when the file cannot be read or hashed. */
json_t *cli_spec_identity(const cli_adapter_spec *s, char *err, size_t len);

/* Load the library in children, under LD_PRELOAD: `hb-preload info` sets
 * identity["version"], then `hb-preload selfcheck` must prove the binding.
 * 0; or -1 with a message in err: a library that crashes or hangs at load
 * ("crashed at load: Segmentation fault"), or that the selfcheck refuses
 * (the malloc family members it does not interpose, and where they bind). */
int cli_spec_probe(const cli_adapter_spec *s, const char *cli_preload, json_t *identity, char *err,
                  size_t len);

/* The three environment entries a cell of this adapter runs with, written
 * into env[0..2]: "LD_PRELOAD=REAL", "HB_PRELOAD_LIB=REAL", "HB_PRELOAD_NAME=NAME". */
void cli_spec_env(const cli_adapter_spec *s, char env[3][PATH_MAX + 32]);

#endif
