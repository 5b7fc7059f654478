/*
 * cmd_list.c — `heapbench list [--adapters LIST] [--format text|json]`:
 * the adapters built (name, version, kind, caps) and the workloads with
 * their parameters, from each `hb-<adapter> info`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter_resolve.h"
#include "cli.h"
#include "probe.h"
#include "util.h"

enum { OPT_FORMAT = CLI_OPT_LONG_ONLY, OPT_ADAPTERS };

static const cli_opt list_opts[] = {
    {"adapters", OPT_ADAPTERS, "A,B,...", "only these adapters (default: every one built)"},
    {"format", OPT_FORMAT, "text|json", "output format (default text)"},
    {0},
};

const cli_cmd_spec cmd_list_spec = {
    .name = "list",
    .synopsis = "[--adapters A,B,...] [--format text|json]",
    .summary = "list adapters (with versions, kinds, capabilities) and workloads (with parameters)",
    .opts = list_opts,
    .epilog = "Each adapter's facts come from `hb-<adapter> info`; workloads and their\n"
              "quick/full parameters from the first adapter listed.\n",
    .stop_at_operand = 0,
};

typedef struct list_cfg {
    const char *format, *adapters;
} list_cfg;

static int on_opt(void *ctx, int key, const char *arg) {
    list_cfg *c = ctx;
    if (key == OPT_FORMAT) return cli_opts_choice(&cmd_list_spec, key, arg, &c->format, "text", "json", NULL);
    c->adapters = arg;
    return 0;
}

/* Each adapter's facts (plus the first one's workloads) from hb-<a> info;
 * 0, or 2 after naming the adapter that did not answer. */
static int collect(const char *adapters, json_t *out_ad, json_t **workloads) {
    cli_strv names = {0};
    cli_split(adapters, ',', &names);
    int rc = cli_adapters_resolve("list", &names);
    for (size_t i = 0; i < names.n && rc == CLI_EXIT_OK; i++) {
        char err[1024];
        json_t *info = cli_probe_info(names.v[i], err, sizeof err);
        if (!info) {
            rc = cli_error("list", "adapter '%s': %s", names.v[i], err);
            break;
        }
        json_array_append_new(out_ad, json_pack("{s:O,s:O,s:O,s:O,s:O}", "name", json_object_get(info, "name"),
                                                "version", json_object_get(info, "version"), "kind",
                                                json_object_get(info, "kind"), "caps",
                                                json_object_get(info, "caps"), "preload",
                                                json_object_get(info, "preload")));
        if (!*workloads) {
            *workloads = json_array();
            size_t k;
            json_t *w;
            json_array_foreach(json_object_get(info, "workloads"), k, w) {
                json_array_append_new(*workloads, json_pack("{s:O,s:O,s:O,s:O}", "name",
                                                            json_object_get(w, "name"), "category",
                                                            json_object_get(w, "category"), "description",
                                                            json_object_get(w, "description"), "params",
                                                            json_object_get(w, "params")));
            }
        }
        json_decref(info);
    }
    cli_strv_free(&names);
    return rc;
}

static void print_json(json_t *out_ad, json_t *workloads) {
    json_t *root = json_pack("{s:O,s:O}", "adapters", out_ad, "workloads", workloads);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(s);
    free(s);
    json_decref(root);
}

static void print_text(json_t *out_ad, json_t *workloads) {
    printf("%-12s %-10s %-28s %s\n", "ADAPTER", "KIND", "VERSION", "CAPS");
    size_t i, k;
    json_t *a, *c, *w, *p;
    json_array_foreach(out_ad, i, a) {
        printf("%-12s %-10s %-28s", json_string_value(json_object_get(a, "name")),
               json_string_value(json_object_get(a, "kind")), json_string_value(json_object_get(a, "version")));
        json_array_foreach(json_object_get(a, "caps"), k, c) printf("%s%s", k ? "," : " ", json_string_value(c));
        putchar('\n');
    }
    printf("\n%-28s %s\n", "WORKLOAD", "PARAMS (quick / full)");
    json_array_foreach(workloads, i, w) {
        printf("%-28s", json_string_value(json_object_get(w, "name")));
        json_array_foreach(json_object_get(w, "params"), k, p) printf(
            " %s=%lld/%lld", json_string_value(json_object_get(p, "name")),
            (long long)json_integer_value(json_object_get(p, "quick")),
            (long long)json_integer_value(json_object_get(p, "full")));
        printf("\n    %s\n", json_string_value(json_object_get(w, "description")));
    }
}

int cmd_list(int argc, char **argv) {
    list_cfg cfg = {"text", cli_adapters_built()};
    int first, rc = cli_opts_parse(&cmd_list_spec, argc, argv, on_opt, &cfg, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (first < argc) return cli_opts_usage_error(&cmd_list_spec, "unexpected argument '%s'", argv[first]);
    json_t *out_ad = json_array(), *workloads = NULL;
    rc = collect(cfg.adapters, out_ad, &workloads);
    if (!workloads) workloads = json_array();
    if (rc == CLI_EXIT_OK && !strcmp(cfg.format, "json")) print_json(out_ad, workloads);
    else if (rc == CLI_EXIT_OK) print_text(out_ad, workloads);
    json_decref(out_ad);
    json_decref(workloads);
    return rc;
}
