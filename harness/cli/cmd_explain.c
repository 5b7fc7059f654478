/*
 * cmd_explain.c — `heapbench explain RUN [CELL...]`: why did each cell's
 * memory grow? For every cell of a run made with `run --anatomy`, in plain
 * words and numbers: how RSS changed from the first quarter to the end and
 * which memory class it went to, where the peak went, and a verdict — leak,
 * fragmentation, retention, steady (or held, where the allocator does not
 * tell fragmentation from retention). Classes and thresholds:
 * docs/anatomy.md; the arithmetic is harness/cli/anatomy.c.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anatomy.h"
#include "cli.h"
#include "results.h"
#include "util.h"

static const cli_opt explain_opts[] = {{0}};

const cli_cmd_spec cmd_explain_spec = {
    .name = "explain",
    .synopsis = "RUN [CELL...]",
    .summary = "say why each cell's memory grew: leak, fragmentation, retention or steady",
    .opts = explain_opts,
    .epilog = "RUN is a run folder (or its run.json) made with `heapbench run --anatomy`.\n"
              "CELL selects cells by id, adapter or workload (globs allowed); default: all.\n"
              "Classes and thresholds: docs/anatomy.md.\n"
              "Exit status: 0 explained; 2 bad usage, a run without anatomy, a CELL that\n"
              "matches no cell, or a samples file that cannot be read (the other cells are\n"
              "still explained).\n",
    .stop_at_operand = 0,
};

static double mib(int64_t b) { return (double)b / CLI_AN_MIB; }

/* " name +1.2 MiB" for a class's change; nothing when either side is unknown. */
static void delta(const char *name, int64_t a, int64_t b, const char *why) {
    if (a < 0 || b < 0) {
        printf(", %s unknown", name);
        return;
    }
    printf(", %s %+.1f MiB%s", name, mib(b - a), why);
}

static void print_change(const cli_an_verdict *v) {
    const cli_an_split *q = &v->at_q, *e = &v->at_end;
    printf("  RSS %+.1f MiB from the first quarter to the end (%.1f -> %.1f MiB): live objects %+.1f MiB",
           mib(e->rss - q->rss), mib(q->rss), mib(e->rss), mib(e->live - q->live));
    delta("in use beyond live", q->rounding, e->rounding, " (rounding; under a collector also garbage not yet reclaimed)");
    delta("free in partly used pages", q->partial, e->partial, " (fragmentation)");
    delta("free pages kept", q->cached, e->cached, " (retention)");
    delta("metadata", q->metadata, e->metadata, "");
    printf(", unaccounted %+.1f MiB\n", mib(e->unaccounted - q->unaccounted));
}

static void print_split(const char *what, const cli_an_split *x) {
    printf("  %s (RSS %.1f MiB): live %.1f", what, mib(x->rss), mib(x->live));
    const char *names[] = {"in use beyond live", "free in partly used pages", "free pages kept", "metadata"};
    int64_t vals[] = {x->rounding, x->partial, x->cached, x->metadata};
    for (int i = 0; i < 4; i++)
        if (vals[i] < 0) printf(", %s unknown", names[i]);
        else printf(", %s %.1f", names[i], mib(vals[i]));
    printf(", rest of the process %.1f", mib(x->other));
    if (x->unaccounted > CLI_AN_UNACCOUNTED_SHARE * (double)x->rss || -x->unaccounted > CLI_AN_UNACCOUNTED_SHARE * (double)x->rss)
        printf(", unaccounted %.1f MiB (%.0f%% of RSS)", mib(x->unaccounted), 100.0 * (double)x->unaccounted / (double)x->rss);
    else
        printf(" MiB (classes add up to RSS within %.0f%%)", 100 * CLI_AN_UNACCOUNTED_SHARE);
    if (x->released >= 0) printf("; released to the OS %.1f MiB", mib(x->released));
    printf("\n");
}

static void print_verdict(const cli_an_series *s, const cli_an_verdict *v) {
    const cli_an_split *h = &v->at_held;
    int64_t held = h->rss - h->live - h->other;
    switch (v->cls) {
    case CLI_AN_LEAK:
        printf("  verdict: leak: live objects grew from %.1f MiB (first quarter) to %.1f MiB and were still live "
               "at the end (%.1f MiB at the half, %.1f at three quarters)\n", mib(s->s[v->q].live),
               mib(s->s[v->end].live), mib(s->s[v->half].live), mib(s->s[v->q3].live));
        break;
    case CLI_AN_STEADY:
        printf("  verdict: steady: live objects did not keep growing and the allocator held at most %.1f MiB "
               "beyond them — not a leak\n", mib(held));
        break;
    default:
        printf("  verdict: %s: at %.1f s the allocator held %.1f MiB beyond %.1f MiB of live objects: %s — not a leak\n",
               cli_an_class_name(v->cls), s->s[v->held].t_s, mib(held), mib(h->live),
               v->cls == CLI_AN_FRAGMENTATION ? "while it held more than the live bytes, most was free inside partly used "
                                                "pages or blocks"
               : v->cls == CLI_AN_RETENTION ? "while it held more than the live bytes, most was in free pages it kept "
                                             "resident"
                                           : "the allocator does not tell fragmentation from retention");
    }
}

/* One cell's explanation; 0, or 1 when its samples cannot be read (named on
 * stderr: bad input). A cell without anatomy (not ok) is said so, not an error. */
static int explain_cell(const char *dir, json_t *rec) {
    const char *id = json_string_value(json_object_get(rec, "id"));
    json_t *an = json_object_get(rec, "anatomy");
    const char *rel = json_string_value(json_object_get(an, "samples"));
    printf("%s (%s on %s)\n", id, json_string_value(json_object_get(rec, "workload")),
           json_string_value(json_object_get(rec, "adapter")));
    if (!rel) {
        const char *st = json_string_value(json_object_get(rec, "status"));
        printf("  no anatomy: the cell is %s%s\n", st ? st : "?", an ? " and its anatomy child failed (see its log)" : "");
        return 0;
    }
    char path[PATH_MAX + 512], err[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    cli_an_series s;
    if (cli_an_load(path, &s, err, sizeof err) != 0) {
        printf("  no anatomy: %s\n", err);
        fprintf(stderr, "heapbench explain: %s\n", err);
        return 1;
    }
    cli_an_verdict v;
    cli_an_classify(&s, &v);
    print_change(&v);
    print_split("at the RSS peak", &v.at_peak);
    print_verdict(&s, &v);
    cli_an_free(&s);
    return 0;
}

static int selected(json_t *rec, char **sel, int nsel, int *used) {
    if (nsel == 0) return 1;
    const char *keys[] = {json_string_value(json_object_get(rec, "id")),
                          json_string_value(json_object_get(rec, "adapter")),
                          json_string_value(json_object_get(rec, "workload"))};
    int hit = 0;
    for (int i = 0; i < nsel; i++)
        for (int k = 0; k < 3; k++)
            if (keys[k] && fnmatch(sel[i], keys[k], 0) == 0) hit = used[i] = 1;
    return hit;
}

static int on_opt(void *ctx, int key, const char *arg) { return (void)ctx, (void)key, (void)arg, 0; }

int cmd_explain(int argc, char **argv) {
    int first, rc = cli_opts_parse(&cmd_explain_spec, argc, argv, on_opt, NULL, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (first >= argc) return cli_opts_usage_error(&cmd_explain_spec, "which run? (RUN missing)");
    char err[2048], dir[PATH_MAX];
    json_t *run = cli_run_load(argv[first], err, sizeof err);
    if (!run) return cli_error("explain", "%s", err);
    snprintf(dir, sizeof dir, "%s", argv[first]);
    if (!cli_is_dir(dir)) snprintf(dir, sizeof dir, "%s", dirname(strdupa(argv[first])));
    if (!json_is_true(json_object_get(json_object_get(json_object_get(run, "meta"), "config"), "anatomy"))) {
        json_decref(run);
        return cli_error("explain", "%s was run without --anatomy: rerun it with `heapbench run --anatomy ...`",
                      argv[first]);
    }
    int nsel = argc - first - 1, *used = calloc((size_t)nsel + 1, sizeof *used), shown = 0, bad = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(run, "results"), i, rec) {
        if (!selected(rec, argv + first + 1, nsel, used)) continue;
        if (shown++) printf("\n");
        bad += explain_cell(dir, rec);
    }
    if (bad) rc = CLI_EXIT_USAGE;
    for (int k = 0; k < nsel && rc == CLI_EXIT_OK; k++)
        if (!used[k]) rc = cli_error("explain", "no cell of %s matches '%s' (ids, adapters and workloads are matched)",
                                  argv[first], argv[first + 1 + k]);
    free(used);
    json_decref(run);
    return rc;
}
