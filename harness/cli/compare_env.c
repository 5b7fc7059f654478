/*
 * compare_env.c — what differs between the environments of BASE and NEW
 * (compare.h): machine, kernel, build, preset and each adapter's library
 * version, read from run.json's meta and adapters (or Google Benchmark's
 * context), plus the warnings each run recorded ("machine busy", ...).
 * A different machine, preset or library version is "blocking": timings
 * from two such runs measure the change of environment, not of the code.
 *
 * A NAME=PATH adapter (run.json adapters[].library, adapter_resolve.h) is
 * the exception: comparing two builds of one library is what it is for, so
 * a changed identity (sha256) is listed first, as "library changed", with
 * both identities, and never blocks; its version is not compared apart.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

static const struct {
    const char *key, *label, *gb_key; /* gb_key: the same in Google Benchmark's context */
    int blocking;
} fields[] = {
    {"host", "host", "host_name", 1},
    {"cpu_model", "CPU model", NULL, 1},
    {"cores", "cores", "num_cpus", 1},
    {"kernel", "kernel", NULL, 0},
    {"os", "OS", NULL, 0},
    {"compiler", "compiler", NULL, 0},
    {"cflags", "compiler flags", NULL, 0},
    {"build_type", "build type", NULL, 0},
    {"governor", "CPU governor", NULL, 0},
    {"preset", "preset", NULL, 1},
    {"heapbench_version", "heapbench version", NULL, 0},
    {"git_commit", "commit", NULL, 0},
};

/* meta[key] as text; "" when the run did not record it. */
static void meta_value(json_t *run, const char *key, const char *gb_key, char *buf, size_t len) {
    json_t *meta = json_object_get(run, "meta");
    json_t *v = json_object_get(meta, key);
    if (!v && !strcmp(key, "preset")) v = json_object_get(json_object_get(meta, "config"), "preset");
    if (!v && gb_key) v = json_object_get(json_object_get(meta, "context"), gb_key);
    buf[0] = 0;
    if (json_is_string(v)) snprintf(buf, len, "%s", json_string_value(v));
    else if (json_is_integer(v)) snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) snprintf(buf, len, "%g", json_real_value(v));
}

static void add_diff(cli_cmp *c, const char *field, const char *b, const char *n, int blocking) {
    c->diffs = realloc(c->diffs, (c->ndiffs + 1) * sizeof *c->diffs);
    cli_env_diff *d = &c->diffs[c->ndiffs++];
    d->field = field;
    d->library = 0;
    snprintf(d->base, sizeof d->base, "%s", *b ? b : "(not recorded)");
    snprintf(d->nw, sizeof d->nw, "%s", *n ? n : "(not recorded)");
    /* A field one run did not record cannot prove a change. */
    d->blocking = blocking && *b && *n;
    c->nblocking += (size_t)d->blocking;
}

static json_t *adapter_entry(json_t *run, const char *name) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(run, "adapters"), i, a) {
        const char *n = json_string_value(json_object_get(a, "name"));
        if (n && !strcmp(n, name)) return a;
    }
    return NULL;
}

static const char *adapter_version(json_t *run, const char *name) {
    return json_string_value(json_object_get(adapter_entry(run, name), "version"));
}

/* "sha256 HEX (PATH, N bytes, build-id ID, version V)" of a library identity. */
static void identity_text(json_t *lib, char *buf, size_t len) {
    const char *bid = json_string_value(json_object_get(lib, "build_id"));
    snprintf(buf, len, "sha256 %s (%s, %lld bytes, build-id %s, version %s)",
             json_string_value(json_object_get(lib, "sha256")), json_string_value(json_object_get(lib, "path")),
             (long long)json_integer_value(json_object_get(lib, "size")), bid ? bid : "none",
             json_string_value(json_object_get(lib, "version")) ? json_string_value(json_object_get(lib, "version"))
                                                                : "unknown");
}

/* NAME=PATH adapters in both runs: the same library, or "library changed". */
static void library_diffs(cli_cmp *c) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c->base, "adapters"), i, a) {
        const char *name = json_string_value(json_object_get(a, "name"));
        json_t *lb = json_object_get(a, "library"), *ln = name ? json_object_get(adapter_entry(c->nw, name), "library") : NULL;
        const char *sb = json_string_value(json_object_get(lb, "sha256")), *sn = json_string_value(json_object_get(ln, "sha256"));
        if (!sb || !sn) continue;
        char b[768], n[768];
        identity_text(lb, b, sizeof b);
        identity_text(ln, n, sizeof n);
        if (!strcmp(sb, sn)) {
            cli_strv_push(&c->same, cli_fmt("%s library sha256 %s", name, sb));
            continue;
        }
        add_diff(c, cli_fmt("%s library", name), b, n, 0);
        c->diffs[c->ndiffs - 1].library = 1;
    }
}

static int is_library(json_t *run, const char *name) {
    return json_object_get(json_object_get(adapter_entry(run, name), "library"), "sha256") != NULL;
}

/* Adapters present in both runs whose library version changed. */
static void adapter_diffs(cli_cmp *c) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c->base, "adapters"), i, a) {
        const char *name = json_string_value(json_object_get(a, "name"));
        const char *vb = json_string_value(json_object_get(a, "version"));
        const char *vn = name ? adapter_version(c->nw, name) : NULL;
        if (!vb || !vn || !*vb || !*vn) continue;
        if (is_library(c->base, name) && is_library(c->nw, name)) continue; /* library_diffs */
        if (!strcmp(vb, vn)) {
            cli_strv_push(&c->same, cli_fmt("%s %s", name, vb));
            continue;
        }
        add_diff(c, cli_fmt("%s version", name), vb, vn, 1);
    }
}

static void warnings(json_t *run, cli_strv *out, int *busy) {
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(json_object_get(run, "meta"), "warnings"), i, w) {
        const char *s = json_string_value(w);
        if (!s) continue;
        cli_strv_push(out, s);
        if (strstr(s, "busy")) *busy = 1;
    }
}

void cli_cmp_env(cli_cmp *c) {
    library_diffs(c); /* first: the change being measured */
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
        char b[256], n[256];
        meta_value(c->base, fields[k].key, fields[k].gb_key, b, sizeof b);
        meta_value(c->nw, fields[k].key, fields[k].gb_key, n, sizeof n);
        if (!*b && !*n) continue;
        if (!strcmp(b, n)) cli_strv_push(&c->same, cli_fmt("%s %s", fields[k].label, b));
        else add_diff(c, fields[k].label, b, n, fields[k].blocking);
    }
    adapter_diffs(c);
    warnings(c->base, &c->warn_base, &c->busy_base);
    warnings(c->nw, &c->warn_new, &c->busy_new);
}
