/*
 * adapter_resolve.c — NAME=PATH entries of --adapters, resolved once per
 * process (see adapter_resolve.h): parse and check (adapter_spec.c), hash,
 * load in two children (hb-preload info and selfcheck), then register.
 */
#define _GNU_SOURCE
#include "adapter_resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapter_spec.h"
#include "probe.h"

typedef struct resolved {
    cli_adapter_spec spec;
    json_t *identity;
    char env[3][PATH_MAX + 32];
    const char *envp[4];
    char arg[PATH_MAX + 80];
} resolved;

static resolved **reg;
static size_t nreg;

static resolved *find(const char *name) {
    for (size_t i = 0; i < nreg; i++)
        if (!strcmp(reg[i]->spec.name, name)) return reg[i];
    return NULL;
}

/* Check, hash and load one NAME=PATH; the registered entry, or NULL with
 * a message in err. */
static resolved *resolve_one(const char *arg, char *err, size_t len) {
    resolved *r = calloc(1, sizeof *r);
    char exe[PATH_MAX], builtins[4096];
    snprintf(builtins, sizeof builtins, "%s,preload", cli_adapters_built());
    if (!r || cli_spec_parse(arg, builtins, &r->spec, err, len) || cli_spec_check(&r->spec, err, len)) goto fail;
    if (find(r->spec.name)) {
        snprintf(err, len, "%s: the name '%s' is given twice; give each library its own name", arg, r->spec.name);
        goto fail;
    }
    snprintf(exe, sizeof exe, "%s/hb-preload", cli_bin_dir());
    if (access(exe, X_OK) != 0) {
        snprintf(err, len, "%s: %.1024s is missing (build the hb-preload target)", arg, exe);
        goto fail;
    }
    if (!(r->identity = cli_spec_identity(&r->spec, err, len)) || cli_spec_probe(&r->spec, exe, r->identity, err, len))
        goto fail;
    cli_spec_env(&r->spec, r->env);
    for (int i = 0; i < 3; i++) r->envp[i] = r->env[i];
    snprintf(r->arg, sizeof r->arg, "%s=%s", r->spec.name, r->spec.real);
    return r;
fail:
    if (r) json_decref(r->identity);
    free(r);
    return NULL;
}

int cli_adapters_resolve(const char *cmd, cli_strv *names) {
    for (size_t i = 0; i < names->n; i++) {
        if (!cli_spec_is_spec(names->v[i])) continue;
        char err[2048];
        resolved *r = resolve_one(names->v[i], err, sizeof err);
        if (!r) return cli_error(cmd, "--adapters %s", err);
        resolved **grown = realloc(reg, (nreg + 1) * sizeof *reg);
        if (!grown) return cli_error(cmd, "out of memory");
        (reg = grown)[nreg++] = r;
        free(names->v[i]);
        names->v[i] = strdup(r->spec.name);
    }
    return 0;
}

char *cli_adapter_exe(const char *name, char *buf, size_t len) {
    snprintf(buf, len, "%s/hb-%s", cli_bin_dir(), find(name) ? "preload" : name);
    return buf;
}

int cli_adapter_is_preloaded(const char *name) { return find(name) != NULL; }

const char *const *cli_adapter_env(const char *name) {
    resolved *r = find(name);
    return r ? r->envp : NULL;
}

json_t *cli_adapter_identity(const char *name) {
    resolved *r = find(name);
    return r ? r->identity : NULL;
}

const char *cli_adapter_arg(const char *name) {
    resolved *r = find(name);
    return r ? r->arg : name;
}
