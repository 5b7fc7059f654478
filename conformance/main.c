/*
 * main.c — the in-child property runner: `hb-<adapter> conform ...`.
 *
 *   conform --list              one JSON line per linked property:
 *                               {name, kind, applies, needs, summary, source}
 *   conform --property NAME     run one property (or every property matching
 *                               a glob, in this one process) and print one
 *                               JSON line each: {property, kind, status, detail}
 *   conform --expect            a faulty adapter: the property meant to catch
 *                               it (conformance/faults/); exit 2 otherwise
 *
 * The `heapbench conform` CLI runs each property in its own child, so a
 * crash or hang costs that property only. A property that does not apply
 * to the adapter is reported n/a before the adapter is set up, so it stays
 * n/a even when the adapter then refuses to start.
 *
 * Exit status (heapbench/exitcodes.h): HB_CHILD_OK every property passed or
 * was n/a, HB_CHILD_FAILED one failed, HB_CHILD_USAGE bad usage,
 * HB_CHILD_SETUP the adapter could not be set up, HB_CHILD_SELFCHECK the
 * allocator serving the process is not the one named.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heapbench/conform.h"
#include "heapbench/exitcodes.h"
#include "heapbench/object.h"

/* Defined only by a faulty adapter (conformance/faults/<name>.c). */
extern const char *const hb_fault_expect __attribute__((weak));

static const char *status_name(hb_cf_status s) {
    return s == HB_CF_PASS ? "pass" : s == HB_CF_FAIL ? "fail" : "n/a";
}

static const char *applies_name(hb_cf_applies a) {
    return a == HB_CF_MANUAL_ONLY ? "manual" : a == HB_CF_COLLECTED_ONLY ? "collected" : "any";
}

static void print_line(json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputs(s, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    free(s);
    json_decref(o);
}

/* Why `p` does not apply to the linked adapter, or NULL when it does. */
static const char *not_applicable(const hb_property *p, const hb_adapter *ad, char *buf, size_t len) {
    if (p->applies == HB_CF_MANUAL_ONLY && ad->kind != HB_MANUAL) return "applies to manual allocators only";
    if (p->applies == HB_CF_COLLECTED_ONLY && ad->kind != HB_COLLECTED) return "applies to collectors only";
    uint32_t missing = p->needs & ~ad->caps;
    if (missing) {
        snprintf(buf, len, "needs capability bits 0x%x that %s does not claim", missing, ad->name);
        return buf;
    }
    return NULL;
}

static void print_result(const hb_property *p, hb_cf_status s, const char *detail) {
    print_line(json_pack("{s:s,s:s,s:s,s:s}", "property", p->name, "kind", p->kind == HB_CF_RULE ? "rule" : "trait",
                         "status", status_name(s), "detail", detail));
}

static int run_one(const hb_property *p) {
    hb_cf_result r = {{0}};
    hb_cf_status s = p->run(&r);
    print_result(p, s, r.detail);
    return s == HB_CF_FAIL;
}

static const char usage_text[] =
    "usage: hb-<adapter> conform --list | --expect | --property NAME|GLOB\n"
    "  --list              one JSON line per property: name, kind, discipline, needs,\n"
    "                      applicable (and why not), summary, source\n"
    "  --property NAME     run the properties matching NAME (a glob), one JSON line\n"
    "                      each: {property, kind, status, detail}\n"
    "  --expect            a faulty adapter (hb-fault-*): the property meant to catch it\n"
    "  -h, --help          this help\n"
    "exit: 0 all pass or n/a, 1 a property failed, 2 usage, 5 selfcheck failed,\n"
    "6 the adapter could not be set up (heapbench/exitcodes.h)\n";

static int usage(FILE *out) {
    fputs(usage_text, out);
    return out == stdout ? HB_CHILD_OK : HB_CHILD_USAGE;
}

static int list_all(const hb_property *const *all, size_t n, const hb_adapter *ad) {
    for (size_t k = 0; k < n; k++) {
        char why[128];
        const char *na = not_applicable(all[k], ad, why, sizeof why);
        json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:b,s:s,s:s}", "name", all[k]->name, "kind",
                              all[k]->kind == HB_CF_RULE ? "rule" : "trait", "discipline",
                              applies_name(all[k]->applies), "needs", (int)all[k]->needs, "applicable", na == NULL,
                              "summary", all[k]->summary, "source", all[k]->source);
        if (na) json_object_set_new(o, "why", json_string(na));
        print_line(o);
    }
    return HB_CHILD_OK;
}

static int expect(const hb_adapter *ad) {
    if (&hb_fault_expect == NULL) {
        fprintf(stderr, "hb-%s is not a faulty adapter\n", ad->name);
        return HB_CHILD_USAGE;
    }
    puts(hb_fault_expect);
    return HB_CHILD_OK;
}

/* Reports n/a for each matching property that does not apply (before any
 * set-up); returns how many match, and in *to_run how many still need running. */
static int report_inapplicable(const hb_property *const *all, size_t n, const char *glob, const hb_adapter *ad,
                               int *to_run) {
    int matched = 0;
    *to_run = 0;
    for (size_t k = 0; k < n; k++) {
        if (fnmatch(glob, all[k]->name, 0) != 0) continue;
        matched++;
        char why[128];
        const char *na = not_applicable(all[k], ad, why, sizeof why);
        if (na) print_result(all[k], HB_CF_NA, na);
        else (*to_run)++;
    }
    return matched;
}

/* Sets the adapter up and proves it serves the process: HB_CHILD_OK, or
 * HB_CHILD_SETUP / HB_CHILD_SELFCHECK after saying why on stderr. */
static int set_up(const hb_adapter *ad) {
    hb_options opt = {.gogc = -1};
    const char *gogc = getenv("HB_GOGC"); /* as bench: gc/gogc-proportional runs probes with it */
    if (gogc && *gogc) opt.gogc = atoi(gogc);
    if (hb_object_init(ad, &opt) != 0) {
        fprintf(stderr, "hb-%s: refusing to run: adapter init failed\n", ad->name);
        return HB_CHILD_SETUP;
    }
    char msg[512] = "";
    if (ad->selfcheck && ad->selfcheck(msg, sizeof msg) != 0) {
        fprintf(stderr, "hb-%s: refusing to run: selfcheck failed: %s\n", ad->name, msg);
        return HB_CHILD_SELFCHECK;
    }
    return HB_CHILD_OK;
}

int hb_conform_main(int argc, char **argv) {
    const hb_adapter *ad = hb_adapter_linked;
    const hb_property *const *all;
    size_t n = hb_properties(&all);
    const char *glob = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage(stdout);
        if (!strcmp(argv[i], "--list")) return list_all(all, n, ad);
        if (!strcmp(argv[i], "--expect")) return expect(ad);
        if (!strcmp(argv[i], "--property") && i + 1 < argc) {
            glob = argv[++i];
            continue;
        }
        fprintf(stderr, "hb-%s conform: %s '%s'\n", ad->name,
                strcmp(argv[i], "--property") ? "unknown argument" : "missing value for", argv[i]);
        return usage(stderr);
    }
    if (!glob) return usage(stderr);
    int to_run, rc;
    if (!report_inapplicable(all, n, glob, ad, &to_run)) {
        fprintf(stderr, "hb-%s: no property matches '%s' (conform --list)\n", ad->name, glob);
        return HB_CHILD_USAGE;
    }
    if (!to_run) return HB_CHILD_OK;
    if ((rc = set_up(ad)) != HB_CHILD_OK) return rc;
    int failed = 0;
    for (size_t k = 0; k < n; k++) {
        char why[128];
        if (fnmatch(glob, all[k]->name, 0) == 0 && !not_applicable(all[k], ad, why, sizeof why))
            failed |= run_one(all[k]);
    }
    /* A property that found corruption may leave the heap unusable:
     * leave without running exit handlers or freeing anything. */
    _exit(failed ? HB_CHILD_FAILED : HB_CHILD_OK);
}
