/*
 * cmd_list.c — `heapbench list [--adapters LIST] [--format text|json]`:
 * the adapters built (name, version, kind, caps) and the workloads with
 * their parameters, from each `hb-<adapter> info`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "probe.h"
#include "util.h"

static int usage(void) {
    fprintf(stderr, "usage: heapbench list [--adapters A,B,...] [--format text|json]\n");
    return HB_EXIT_USAGE;
}

int cmd_list(int argc, char **argv) {
    const char *format = "text", *adapters = hb_adapters_built();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) format = argv[++i];
        else if (!strcmp(argv[i], "--adapters") && i + 1 < argc) adapters = argv[++i];
        else if (!strcmp(argv[i], "--help")) return usage(), 0;
        else return hb_die("list", "unknown option '%s' (heapbench list --help)", argv[i]);
    }
    if (strcmp(format, "text") && strcmp(format, "json"))
        return hb_die("list", "--format takes text or json, not '%s'", format);
    hb_strv names = {0};
    hb_split(adapters, ',', &names);
    json_t *out_ad = json_array(), *workloads = NULL;
    int rc = HB_EXIT_OK;
    for (size_t i = 0; i < names.n; i++) {
        char err[1024];
        json_t *info = hb_probe_info(names.v[i], err, sizeof err);
        if (!info) {
            rc = hb_die("list", "adapter '%s': %s", names.v[i], err);
            break;
        }
        json_t *a = json_object();
        json_object_set(a, "name", json_object_get(info, "name"));
        json_object_set(a, "version", json_object_get(info, "version"));
        json_object_set(a, "kind", json_object_get(info, "kind"));
        json_object_set(a, "caps", json_object_get(info, "caps"));
        json_object_set(a, "preload", json_object_get(info, "preload"));
        json_array_append_new(out_ad, a);
        if (!workloads) {
            workloads = json_array();
            size_t k;
            json_t *w;
            json_array_foreach(json_object_get(info, "workloads"), k, w) {
                json_array_append_new(workloads, json_pack("{s:O,s:O,s:O,s:O}", "name",
                                                           json_object_get(w, "name"), "category",
                                                           json_object_get(w, "category"), "description",
                                                           json_object_get(w, "description"), "params",
                                                           json_object_get(w, "params")));
            }
        }
        json_decref(info);
    }
    if (!workloads) workloads = json_array();
    if (rc == HB_EXIT_OK && !strcmp(format, "json")) {
        json_t *root = json_pack("{s:o,s:o}", "adapters", out_ad, "workloads", workloads);
        out_ad = workloads = NULL;
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
        json_decref(root);
    } else if (rc == HB_EXIT_OK) {
        printf("%-12s %-10s %-28s %s\n", "ADAPTER", "KIND", "VERSION", "CAPS");
        size_t i;
        json_t *a;
        json_array_foreach(out_ad, i, a) {
            printf("%-12s %-10s %-28s", json_string_value(json_object_get(a, "name")),
                   json_string_value(json_object_get(a, "kind")),
                   json_string_value(json_object_get(a, "version")));
            size_t k;
            json_t *c;
            json_array_foreach(json_object_get(a, "caps"), k, c) printf("%s%s", k ? "," : " ", json_string_value(c));
            putchar('\n');
        }
        printf("\n%-28s %s\n", "WORKLOAD", "PARAMS (quick / full)");
        json_t *w;
        json_array_foreach(workloads, i, w) {
            printf("%-28s", json_string_value(json_object_get(w, "name")));
            size_t k;
            json_t *p;
            json_array_foreach(json_object_get(w, "params"), k, p) printf(
                " %s=%lld/%lld", json_string_value(json_object_get(p, "name")),
                (long long)json_integer_value(json_object_get(p, "quick")),
                (long long)json_integer_value(json_object_get(p, "full")));
            printf("\n    %s\n", json_string_value(json_object_get(w, "description")));
        }
    }
    json_decref(out_ad);
    json_decref(workloads);
    hb_strv_free(&names);
    return rc;
}
