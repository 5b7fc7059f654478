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
 * crash or hang costs that property only. Exit status: 0 pass or n/a,
 * 1 fail, 2 bad usage, 3 the adapter could not be set up.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heapbench/conform.h"
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

static int run_one(const hb_property *p, const hb_adapter *ad) {
    hb_cf_result r = {{0}};
    char why[128];
    const char *na = not_applicable(p, ad, why, sizeof why);
    hb_cf_status s = na ? hb_cf_na(&r, "%s", na) : p->run(&r);
    print_line(json_pack("{s:s,s:s,s:s,s:s}", "property", p->name, "kind",
                         p->kind == HB_CF_RULE ? "rule" : "trait", "status", status_name(s),
                         "detail", r.detail));
    return s == HB_CF_FAIL;
}

static int usage(void) {
    fprintf(stderr, "usage: hb-<adapter> conform --list | --expect | --property NAME|GLOB\n");
    return 2;
}

int hb_conform_main(int argc, char **argv) {
    const hb_adapter *ad = hb_adapter_linked;
    const hb_property *const *all;
    size_t n = hb_properties(&all);
    const char *glob = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--list")) {
            for (size_t k = 0; k < n; k++) {
                char why[128];
                const char *na = not_applicable(all[k], ad, why, sizeof why);
                print_line(json_pack("{s:s,s:s,s:s,s:i,s:b,s:s,s:s}", "name", all[k]->name, "kind",
                                     all[k]->kind == HB_CF_RULE ? "rule" : "trait", "discipline",
                                     applies_name(all[k]->applies), "needs", (int)all[k]->needs,
                                     "applicable", na == NULL, "summary", all[k]->summary,
                                     "source", all[k]->source));
            }
            return 0;
        }
        if (!strcmp(argv[i], "--expect")) {
            if (&hb_fault_expect == NULL) {
                fprintf(stderr, "hb-%s is not a faulty adapter\n", ad->name);
                return 2;
            }
            puts(hb_fault_expect);
            return 0;
        }
        if (!strcmp(argv[i], "--property") && i + 1 < argc) {
            glob = argv[++i];
            continue;
        }
        return usage();
    }
    if (!glob) return usage();

    hb_options opt = {.gogc = -1};
    const char *gogc = getenv("HB_GOGC"); /* as bench: gc/gogc-proportional runs probes with it */
    if (gogc && *gogc) opt.gogc = atoi(gogc);
    if (hb_object_init(ad, &opt) != 0) {
        fprintf(stderr, "hb-%s: adapter init failed\n", ad->name);
        return 3;
    }
    char msg[512] = "";
    if (ad->selfcheck && ad->selfcheck(msg, sizeof msg) != 0) {
        fprintf(stderr, "hb-%s: refusing to run: selfcheck failed: %s\n", ad->name, msg);
        return 3;
    }
    int failed = 0, matched = 0;
    for (size_t k = 0; k < n; k++) {
        if (fnmatch(glob, all[k]->name, 0) != 0) continue;
        matched++;
        failed |= run_one(all[k], ad);
    }
    if (!matched) {
        fprintf(stderr, "hb-%s: no property matches '%s' (conform --list)\n", ad->name, glob);
        return 2;
    }
    /* A property that found corruption may leave the heap unusable:
     * leave without running exit handlers or freeing anything. */
    _exit(failed ? 1 : 0);
}
