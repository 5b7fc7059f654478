/*
 * cmd_conform.c — `heapbench conform`: run the conformance catalogue
 * (conformance/, docs/conformance.md) over adapters, one child process per
 * (adapter, property) cell, and print the matrix.
 *
 *   heapbench conform [--adapters a,b|all] [--properties GLOB,GLOB]
 *                     [--timeout S] [--out DIR] [--format table|json] [--faults]
 *
 * parse (option table) → plan (adapters, properties, which apply where) →
 * execute (one child per cell) → verdict → report (conformance.json,
 * conformance.md, stdout).
 *
 * Each cell is `hb-<a> conform --property NAME`, which prints one JSON line
 * {property, kind, status, detail}. A child killed by a signal is `crashed`,
 * one past --timeout is `timeout` (its process group is killed). A child
 * that refuses to start (heapbench/exitcodes.h: selfcheck or setup failed)
 * gives `n/a` for a property that does not apply to the adapter (the reason
 * from `hb-<a> conform --list`), else `selfcheck-failed` / `setup-failed`:
 * the cell was not checked, which is not a rule violation. Writes
 * conformance.json (schema heapbench-conformance/1) and conformance.md into
 * --out (default: <results>/conformance-<date>/).
 *
 * Exit: 1 when a real adapter breaks a rule (fail, crashed or timeout) or a
 * cell could not be checked; with --faults (the deliberately broken adapters
 * hb-fault-*), 1 when a fault is NOT caught by the property its file names
 * (`conform --expect`); 2 for bad usage, or when interrupted (the cells run
 * so far are still written, the rest marked `not-run`).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fnmatch.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adapter_resolve.h"
#include "child.h"
#include "cli.h"
#include "heapbench/exitcodes.h"
#include "probe.h"
#include "util.h"

static const char *CMD = "conform";

/* ---- parse ---- */

enum { OPT_ADAPTERS = CLI_OPT_LONG_ONLY, OPT_PROPERTIES, OPT_TIMEOUT, OPT_OUT, OPT_FORMAT, OPT_FAULTS };

static const cli_opt conform_opts[] = {
    {"adapters", OPT_ADAPTERS, "A,B|all", "adapters to check (default: every one built)"},
    {"properties", OPT_PROPERTIES, "GLOB,...", "properties to run (default: all; e.g. 'gc/*')"},
    {"timeout", OPT_TIMEOUT, "S", "seconds before a cell is killed as `timeout` (default 20)"},
    {"out", OPT_OUT, "DIR", "folder for conformance.json/.md (default <results>/conformance-<date>)"},
    {"format", OPT_FORMAT, "table|json", "stdout format (default table)"},
    {"faults", OPT_FAULTS, NULL, "run the deliberately broken adapters (build/hb-fault-*) instead"},
    {0},
};

const cli_cmd_spec cmd_conform_spec = {
    .name = "conform",
    .synopsis = "[options]",
    .summary = "check adapters against the conformance properties",
    .opts = conform_opts,
    .epilog = "With --faults each hb-fault-<name> must be caught by the property its file\n"
              "names. Exit status: 0 no rule broken (or every fault caught), 1 a rule\n"
              "violation, a cell that could not be checked, or a fault not caught, 2 bad\n"
              "usage. Properties are described in docs/conformance.md.\n",
    .stop_at_operand = 0,
};

typedef struct conform_cfg {
    const char *adapters, *props, *out, *format;
    double timeout;
    int faults;
} conform_cfg;

static int on_opt(void *ctx, int key, const char *arg) {
    conform_cfg *c = ctx;
    switch (key) {
    case OPT_ADAPTERS: c->adapters = arg; return 0;
    case OPT_PROPERTIES: c->props = arg; return 0;
    case OPT_OUT: c->out = arg; return 0;
    case OPT_FAULTS: c->faults = 1; return 0;
    case OPT_TIMEOUT: return cli_opts_double(&cmd_conform_spec, key, arg, 0, &c->timeout);
    default: return cli_opts_choice(&cmd_conform_spec, key, arg, &c->format, "table", "json", NULL);
    }
}

/* ---- plan ---- */

typedef struct prop {
    char *name, *kind, *summary, *source;
} prop;

typedef struct cell {
    const char *adapter;
    const prop *p;
    char *na;         /* why p does not apply to the adapter (its conform --list), or NULL */
    char status[24];  /* pass, fail, n/a, crashed, timeout, selfcheck-failed, setup-failed, not-run */
    char *detail;
    double wall_s;
} cell;

/* Invariant: cells[i * nsel + k] is adapter i × property sel[k]. */
typedef struct plan {
    cli_strv adapters;
    prop *all;
    size_t nall;
    const prop **sel;
    size_t nsel;
    cell *cells;
    char **expect; /* --faults: the property each fault names (or NULL) */
    json_t *jadapters;
    char tmpdir[32], start[64], end[64];
} plan;

/* Runs hb-<adapter> with args, stdout to `out`, stderr to `err`. */
static int run_exe(const char *adapter, const char *const *args, const char *out, const char *err,
                   double timeout, cli_child_result *res) {
    char exe[4096];
    cli_adapter_exe(adapter, exe, sizeof exe);
    const char *argv[8] = {exe};
    int n = 1;
    for (; args[n - 1] && n < 7; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    cli_child_opts o = {.argv = argv, .env_add = cli_adapter_env(adapter), .stdout_path = out, .stderr_path = err, .timeout_s = timeout};
    return cli_child_run(&o, res);
}

/* `hb-<adapter> conform --list`: one JSON object per property, or NULL. */
static json_t *list_properties(const char *adapter, const char *tmpdir) {
    char *path = cli_fmt("%s/list.jsonl", tmpdir);
    const char *args[] = {"conform", "--list", NULL};
    cli_child_result res;
    char *text = NULL;
    if (run_exe(adapter, args, path, NULL, 30, &res) == 0 && res.end == CLI_CHILD_EXITED && !res.exit_code)
        text = cli_read_file(path, NULL);
    unlink(path);
    free(path);
    if (!text) return NULL;
    json_t *list = json_array();
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        if (j && json_is_object(j) && json_is_string(json_object_get(j, "name"))) json_array_append(list, j);
        json_decref(j);
    }
    free(text);
    return list;
}

static char *str_of(json_t *o, const char *key) {
    const char *s = json_string_value(json_object_get(o, key));
    return strdup(s ? s : "");
}

/* The catalogue, from the first adapter, and the properties --properties selects. */
static int plan_properties(plan *pl, const char *globs_opt) {
    json_t *list = list_properties(pl->adapters.v[0], pl->tmpdir), *j;
    size_t n = json_array_size(list), k;
    if (!n) {
        json_decref(list);
        return cli_error(CMD, "hb-%s conform --list gave no properties", pl->adapters.v[0]);
    }
    pl->all = calloc(n, sizeof *pl->all);
    pl->sel = calloc(n, sizeof *pl->sel);
    json_array_foreach(list, k, j) pl->all[k] = (prop){str_of(j, "name"), str_of(j, "kind"), str_of(j, "summary"),
                                                         str_of(j, "source")};
    pl->nall = n;
    json_decref(list);
    cli_strv globs = {0};
    cli_split(globs_opt, ',', &globs);
    for (k = 0; k < n; k++)
        for (size_t g = 0; g < globs.n; g++)
            if (!fnmatch(globs.v[g], pl->all[k].name, 0)) {
                pl->sel[pl->nsel++] = &pl->all[k];
                break;
            }
    cli_strv_free(&globs);
    if (!pl->nsel) return cli_error(CMD, "no property matches --properties '%s' (hb-%s conform --list)", globs_opt,
                                 pl->adapters.v[0]);
    return CLI_EXIT_OK;
}

/* Why property `name` does not apply, from one adapter's --list, or NULL. */
static char *na_reason(json_t *list, const char *name) {
    size_t k;
    json_t *j;
    json_array_foreach(list, k, j) {
        if (strcmp(json_string_value(json_object_get(j, "name")), name)) continue;
        if (!json_is_false(json_object_get(j, "applicable"))) return NULL;
        const char *why = json_string_value(json_object_get(j, "why"));
        const char *disc = json_string_value(json_object_get(j, "discipline"));
        return why ? strdup(why) : cli_fmt("does not apply to this adapter (discipline %s)", disc ? disc : "?");
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every build/hb-fault-* next to this executable, as adapter names. */
static void find_faults(cli_strv *out) {
    DIR *d = opendir(cli_bin_dir());
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "hb-fault-", 9)) {
            char *path = cli_fmt("%s/%s", cli_bin_dir(), e->d_name);
            if (access(path, X_OK) == 0) cli_strv_push(out, e->d_name + 3);
            free(path);
        }
    closedir(d);
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

/* The adapters to check; each must have its executable. */
static int plan_adapters(plan *pl, const conform_cfg *cfg) {
    if (cfg->faults && !cfg->adapters) find_faults(&pl->adapters);
    else if (!cfg->adapters || !strcmp(cfg->adapters, "all")) cli_split(cli_adapters_built(), ',', &pl->adapters);
    else cli_split(cfg->adapters, ',', &pl->adapters);
    int rc = cli_adapters_resolve(CMD, &pl->adapters);
    if (rc) return rc;
    if (!pl->adapters.n)
        return cfg->faults && !cfg->adapters ? cli_error(CMD, "no hb-fault-* executables in %s", cli_bin_dir())
                                             : cli_error(CMD, "no adapters given (--adapters)");
    for (size_t i = 0; i < pl->adapters.n; i++) {
        char exe[4096];
        cli_adapter_exe(pl->adapters.v[i], exe, sizeof exe);
        if (access(exe, X_OK) != 0)
            return cli_error(CMD, "--adapters: no executable %s (adapters built: %s)", exe, cli_adapters_built());
    }
    return CLI_EXIT_OK;
}

static char *fault_expect(const char *adapter, const char *tmpdir) {
    char *path = cli_fmt("%s/expect.txt", tmpdir);
    const char *args[] = {"conform", "--expect", NULL};
    cli_child_result res;
    char *txt = NULL;
    if (run_exe(adapter, args, path, NULL, 10, &res) == 0 && res.end == CLI_CHILD_EXITED && !res.exit_code) {
        txt = cli_read_file(path, NULL);
        if (txt) txt[strcspn(txt, "\n")] = '\0';
    }
    unlink(path);
    free(path);
    return txt;
}

/* One adapter's row: its facts (hb-<a> info), its fault's expectation,
 * and which selected properties do not apply to it. */
static void plan_adapter_row(plan *pl, size_t i, int faults) {
    const char *a = pl->adapters.v[i];
    char err[512];
    json_t *info = cli_probe_info(a, err, sizeof err), *ja = json_pack("{s:s}", "name", a);
    if (info) {
        json_object_set(ja, "version", json_object_get(info, "version"));
        json_object_set(ja, "kind", json_object_get(info, "kind"));
        json_object_set(ja, "caps", json_object_get(info, "caps"));
        json_decref(info);
    }
    if (cli_adapter_identity(a)) json_object_set(ja, "library", cli_adapter_identity(a));
    if (faults) {
        pl->expect[i] = fault_expect(a, pl->tmpdir);
        json_object_set_new(ja, "expect", pl->expect[i] ? json_string(pl->expect[i]) : json_null());
    }
    json_array_append_new(pl->jadapters, ja);
    json_t *list = list_properties(a, pl->tmpdir);
    for (size_t k = 0; k < pl->nsel; k++) {
        cell *c = &pl->cells[i * pl->nsel + k];
        *c = (cell){.adapter = a, .p = pl->sel[k], .na = list ? na_reason(list, pl->sel[k]->name) : NULL,
                    .status = "not-run"};
        c->detail = strdup("not run (interrupted)");
    }
    json_decref(list);
}

static int make_plan(plan *pl, const conform_cfg *cfg) {
    int rc = plan_adapters(pl, cfg);
    if (rc != CLI_EXIT_OK) return rc;
    snprintf(pl->tmpdir, sizeof pl->tmpdir, "/tmp/heapbench-conform-XXXXXX");
    if (!mkdtemp(pl->tmpdir)) return cli_error(CMD, "cannot create a temporary folder in /tmp");
    if ((rc = plan_properties(pl, cfg->props)) != CLI_EXIT_OK) return rc;
    pl->jadapters = json_array();
    pl->expect = calloc(pl->adapters.n, sizeof *pl->expect);
    pl->cells = calloc(pl->adapters.n * pl->nsel, sizeof *pl->cells);
    for (size_t i = 0; i < pl->adapters.n; i++) plan_adapter_row(pl, i, cfg->faults);
    return CLI_EXIT_OK;
}

/* ---- execute ---- */

/* The last line of a file that parses as a JSON object, or NULL. */
static json_t *last_json_line(const char *path) {
    char *text = cli_read_file(path, NULL);
    if (!text) return NULL;
    json_t *found = NULL;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        if (j && json_is_object(j)) {
            json_decref(found);
            found = j;
        } else {
            json_decref(j);
        }
    }
    free(text);
    return found;
}

/* The tail of a file (stderr of a crashed child), one line, for details. */
static char *tail_of(const char *path, size_t max) {
    char *text = cli_read_file(path, NULL);
    if (!text) return strdup("");
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == ' ')) text[--n] = '\0';
    char *start = n > max ? text + n - max : text;
    for (char *c = start; *c; c++)
        if (*c == '\n') *c = ' ';
    char *out = strdup(start);
    free(text);
    return out;
}

static void set_status(cell *c, const char *status, char *detail) {
    snprintf(c->status, sizeof c->status, "%s", status);
    free(c->detail);
    c->detail = detail;
}

/* A child that gave no result line: why, from how it ended. */
static void classify_no_result(cell *c, const cli_child_result *res, const char *err, double timeout) {
    char *t = tail_of(err, 300);
    const char *sep = *t ? ": " : "";
    int refused = res->end == CLI_CHILD_EXITED &&
                  (res->exit_code == HB_CHILD_SELFCHECK || res->exit_code == HB_CHILD_SETUP);
    if (res->end == CLI_CHILD_TIMEOUT)
        set_status(c, "timeout", cli_fmt("killed after %.1f s", timeout));
    else if (res->end == CLI_CHILD_SIGNALED)
        set_status(c, "crashed", cli_fmt("killed by signal %d (%s)%s%s", res->signal, strsignal(res->signal), sep, t));
    else if (res->end == CLI_CHILD_SPAWN_FAILED)
        set_status(c, "crashed", cli_fmt("could not start: %s", strerror(res->exit_code)));
    else if (refused && c->na)
        set_status(c, "n/a", cli_fmt("%s (and hb-%s refused to start%s%s)", c->na, c->adapter, sep, t));
    else if (refused)
        set_status(c, hb_child_status_name(res->exit_code),
                   *t ? strdup(t) : cli_fmt("hb-%s refused to start (exit %d)", c->adapter, res->exit_code));
    else
        set_status(c, "crashed", cli_fmt("exited %d without a result%s%s", res->exit_code, sep, t));
    free(t);
}

static void run_cell(cell *c, const char *tmpdir, double timeout) {
    char *out = cli_fmt("%s/cell.out", tmpdir), *err = cli_fmt("%s/cell.err", tmpdir);
    const char *args[] = {"conform", "--property", c->p->name, NULL};
    cli_child_result res;
    run_exe(c->adapter, args, out, err, timeout, &res);
    c->wall_s = res.wall_s;
    json_t *j = res.end == CLI_CHILD_EXITED ? last_json_line(out) : NULL;
    const char *st = j ? json_string_value(json_object_get(j, "status")) : NULL;
    if (st) set_status(c, st, str_of(j, "detail"));
    else classify_no_result(c, &res, err, timeout);
    json_decref(j);
    unlink(out);
    unlink(err);
    free(out);
    free(err);
}

static void execute(plan *pl, const conform_cfg *cfg) {
    cli_time_iso(pl->start, sizeof pl->start);
    cli_child_install_signal_forwarding();
    int tty = cli_isatty_stderr() && strcmp(cfg->format, "json");
    size_t total = pl->adapters.n * pl->nsel;
    for (size_t i = 0; i < total && !cli_child_interrupted(); i++) {
        cell *c = &pl->cells[i];
        if (tty) fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", i + 1, total, c->adapter, c->p->name);
        run_cell(c, pl->tmpdir, cfg->timeout);
        if (cli_child_interrupted()) /* killed by our interruption, not its own fault */
            set_status(c, "not-run", strdup("interrupted while running"));
    }
    if (tty) fprintf(stderr, "\r\033[K");
    rmdir(pl->tmpdir);
    cli_time_iso(pl->end, sizeof pl->end);
}

/* ---- verdict ---- */

static int is_violation(const cell *c) {
    return !strcmp(c->p->kind, "rule") &&
           (!strcmp(c->status, "fail") || !strcmp(c->status, "crashed") || !strcmp(c->status, "timeout"));
}

/* Not checked: the adapter refused to start, for a property that applies. */
static int is_unchecked(const cell *c) {
    return !strcmp(c->status, "selfcheck-failed") || !strcmp(c->status, "setup-failed");
}

typedef struct verdict {
    int violations, unchecked, missed;
    json_t *jfaults; /* --faults: one object per fault whose property ran */
} verdict;

/* --faults: was adapter i caught by the property it names? NULL when that
 * property was not selected (neither caught nor missed). */
static json_t *fault_verdict(const plan *pl, size_t i) {
    const char *want = pl->expect[i];
    const cell *hit = NULL, *row = &pl->cells[i * pl->nsel];
    int selected = 0;
    json_t *also = json_array();
    for (size_t k = 0; k < pl->nsel; k++) {
        selected |= want && !strcmp(pl->sel[k]->name, want);
        if (!is_violation(&row[k])) continue;
        if (want && !strcmp(row[k].p->name, want)) hit = &row[k];
        else json_array_append_new(also, json_string(row[k].p->name));
    }
    if (!selected) {
        json_decref(also);
        return NULL;
    }
    return json_pack("{s:s,s:s?,s:b,s:s?,s:s?,s:o}", "fault", pl->adapters.v[i], "expect", want, "caught",
                     hit != NULL, "status", hit ? hit->status : NULL, "detail", hit ? hit->detail : NULL,
                     "also_caught_by", also);
}

static verdict judge(const plan *pl, int faults) {
    verdict v = {0, 0, 0, json_array()};
    for (size_t i = 0; i < pl->adapters.n * pl->nsel; i++) {
        v.violations += is_violation(&pl->cells[i]);
        v.unchecked += is_unchecked(&pl->cells[i]);
    }
    for (size_t i = 0; faults && i < pl->adapters.n; i++) {
        json_t *f = fault_verdict(pl, i);
        if (!f) continue;
        v.missed += !json_is_true(json_object_get(f, "caught"));
        json_array_append_new(v.jfaults, f);
    }
    return v;
}

/* ---- report ---- */

static json_t *report_json(const plan *pl, const conform_cfg *cfg, const verdict *v, int argc, char **argv) {
    char commit[64], shortc[16], host[256] = "";
    int dirty;
    cli_git_info(commit, sizeof commit, shortc, sizeof shortc, &dirty);
    gethostname(host, sizeof host - 1);
    json_t *cmdline = json_array(), *jprops = json_array(), *matrix = json_array();
    json_array_append_new(cmdline, json_string("heapbench"));
    for (int i = 0; i < argc; i++) json_array_append_new(cmdline, json_string(argv[i]));
    for (size_t k = 0; k < pl->nsel; k++)
        json_array_append_new(jprops, json_pack("{s:s,s:s,s:s,s:s}", "name", pl->sel[k]->name, "kind",
                                                pl->sel[k]->kind, "summary", pl->sel[k]->summary, "source",
                                                pl->sel[k]->source));
    for (size_t i = 0; i < pl->adapters.n * pl->nsel; i++) {
        const cell *c = &pl->cells[i];
        json_array_append_new(matrix, json_pack("{s:s,s:s,s:s,s:s,s:s,s:f}", "adapter", c->adapter, "property",
                                                c->p->name, "kind", c->p->kind, "status", c->status, "detail",
                                                c->detail, "wall_s", c->wall_s));
    }
    json_t *root = json_pack("{s:s,s:{s:s,s:s,s:s,s:s,s:b,s:s,s:o,s:f,s:b,s:b},s:O,s:o,s:o}", "schema",
                             "heapbench-conformance/1", "meta", "start", pl->start, "end", pl->end, "host", host,
                             "git_commit", commit, "git_dirty", dirty == 1, "heapbench_version", HB_VERSION,
                             "command", cmdline, "timeout_s", cfg->timeout, "faults", cfg->faults, "interrupted",
                             cli_child_interrupted() != 0, "adapters", pl->jadapters, "properties", jprops,
                             "matrix", matrix);
    if (cfg->faults) json_object_set(root, "faults", v->jfaults);
    return root;
}

static void md_escape(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else fputc(*s, f);
    }
}

/* The matrix as a markdown table. */
static void md_matrix(FILE *f, const plan *pl) {
    fprintf(f, "| property |");
    for (size_t i = 0; i < pl->adapters.n; i++) fprintf(f, " %s |", pl->adapters.v[i]);
    fprintf(f, "\n|---|");
    for (size_t i = 0; i < pl->adapters.n; i++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (size_t k = 0; k < pl->nsel; k++) {
        fprintf(f, "| %s %s |", pl->sel[k]->name, !strcmp(pl->sel[k]->kind, "rule") ? "**R**" : "*t*");
        for (size_t i = 0; i < pl->adapters.n; i++) {
            const cell *c = &pl->cells[i * pl->nsel + k];
            fprintf(f, is_violation(c) ? " **%s** |" : " %s |", c->status);
        }
        fprintf(f, "\n");
    }
}

/* One markdown section listing the cells `pick` selects, or "None.". */
static void md_cells(FILE *f, const plan *pl, const char *title, int (*pick)(const cell *), int bold) {
    int any = 0;
    fprintf(f, "\n## %s\n\n", title);
    for (size_t i = 0; i < pl->adapters.n * pl->nsel; i++) {
        const cell *c = &pl->cells[i];
        if (!pick(c)) continue;
        fprintf(f, bold ? "- **%s** `%s` %s: " : "- %s `%s` %s: ", c->adapter, c->p->name, c->status);
        md_escape(f, c->detail);
        fprintf(f, "\n");
        any = 1;
    }
    if (!any) fprintf(f, "None.\n");
}

static int is_passing_trait(const cell *c) { return !strcmp(c->p->kind, "trait") && !strcmp(c->status, "pass"); }

static void md_faults(FILE *f, const verdict *v) {
    fprintf(f, "\n## Faults\n\n");
    size_t i;
    json_t *x;
    json_array_foreach(v->jfaults, i, x) {
        int caught = json_is_true(json_object_get(x, "caught"));
        fprintf(f, "- %s: %s by `%s`", json_string_value(json_object_get(x, "fault")),
                caught ? "caught" : "**NOT caught**", json_string_value(json_object_get(x, "expect")));
        if (caught) {
            fprintf(f, " (%s): ", json_string_value(json_object_get(x, "status")));
            md_escape(f, json_string_value(json_object_get(x, "detail")));
        }
        fprintf(f, "\n");
    }
}

static char *report_md(const plan *pl, const verdict *v, int faults, size_t *len) {
    char commit[64], shortc[16], host[256] = "", *md = NULL;
    int dirty;
    cli_git_info(commit, sizeof commit, shortc, sizeof shortc, &dirty);
    gethostname(host, sizeof host - 1);
    FILE *f = open_memstream(&md, len);
    fprintf(f, "# Conformance %s\n\n%s, heapbench %s, commit %s%s. Rules marked **R**, traits *t*.\n\n", pl->start,
            host, HB_VERSION, shortc, dirty == 1 ? " (dirty)" : "");
    md_matrix(f, pl);
    md_cells(f, pl, "Rule violations", is_violation, 1);
    md_cells(f, pl, "Not checked (the adapter refused to start)", is_unchecked, 1);
    fprintf(f, "\n## Traits\n\n");
    for (size_t i = 0; i < pl->adapters.n * pl->nsel; i++)
        if (is_passing_trait(&pl->cells[i])) {
            fprintf(f, "- %s `%s`: ", pl->cells[i].adapter, pl->cells[i].p->name);
            md_escape(f, pl->cells[i].detail);
            fprintf(f, "\n");
        }
    if (faults) md_faults(f, v);
    fclose(f);
    return md;
}

static void print_faults(const verdict *v, const char *mpath) {
    size_t i, k;
    json_t *x, *p;
    json_array_foreach(v->jfaults, i, x) {
        json_t *also = json_object_get(x, "also_caught_by");
        printf("%-28s %-12s by %-34s", json_string_value(json_object_get(x, "fault")),
               json_is_true(json_object_get(x, "caught")) ? "caught" : "NOT CAUGHT",
               json_string_value(json_object_get(x, "expect")));
        if (json_array_size(also)) {
            printf(" (also:");
            json_array_foreach(also, k, p) printf(" %s", json_string_value(p));
            printf(")");
        }
        printf("\n");
    }
    printf("%zu faults, %d not caught; %s\n", json_array_size(v->jfaults), v->missed, mpath);
}

static void print_table(const plan *pl, const verdict *v, const char *mpath) {
    printf("%-36s", "property");
    for (size_t i = 0; i < pl->adapters.n; i++) printf(" %-9.9s", pl->adapters.v[i]);
    printf("\n");
    for (size_t k = 0; k < pl->nsel; k++) {
        printf("%-34.34s %c", pl->sel[k]->name, !strcmp(pl->sel[k]->kind, "rule") ? 'R' : 't');
        for (size_t i = 0; i < pl->adapters.n; i++) {
            const cell *c = &pl->cells[i * pl->nsel + k];
            const char *shown = is_unchecked(c) ? "refused" : c->status;
            printf(" %-9s", is_violation(c) ? (c->status[0] == 'f' ? "FAIL" : c->status) : shown);
        }
        printf("\n");
    }
    for (size_t i = 0; i < pl->adapters.n * pl->nsel; i++) {
        const cell *c = &pl->cells[i];
        if (is_violation(c) || is_unchecked(c)) printf("%s %s: %s: %s\n", c->adapter, c->p->name, c->status, c->detail);
    }
    printf("%d rule violation%s", v->violations, v->violations == 1 ? "" : "s");
    if (v->unchecked) printf(", %d cell%s not checked (adapter refused to start)", v->unchecked, v->unchecked == 1 ? "" : "s");
    printf("; %s\n", mpath);
}

/* Writes conformance.json and .md into the output folder and prints the
 * verdict: 0, or 2 when the folder or a file cannot be written. */
static int report(const plan *pl, const conform_cfg *cfg, const verdict *v, int argc, char **argv) {
    char *outdir = cfg->out ? strdup(cfg->out) : NULL;
    if (!outdir) {
        char date[32];
        time_t t = time(NULL);
        strftime(date, sizeof date, "%Y%m%d-%H%M%S", localtime(&t));
        outdir = cli_fmt("%s/conformance-%s%s", cli_results_root(), cfg->faults ? "faults-" : "", date);
    }
    json_t *root = report_json(pl, cfg, v, argc, argv);
    char *js = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    char *jpath = cli_fmt("%s/conformance.json", outdir), *mpath = cli_fmt("%s/conformance.md", outdir);
    size_t mdlen;
    char *md = report_md(pl, v, cfg->faults, &mdlen);
    int rc = CLI_EXIT_OK;
    if (cli_mkdir_p(outdir) != 0) rc = cli_error(CMD, "cannot create %s", outdir);
    else if (cli_write_atomic(jpath, js, strlen(js)) != 0) rc = cli_error(CMD, "cannot write %s", jpath);
    else if (cli_write_atomic(mpath, md, mdlen) != 0) rc = cli_error(CMD, "cannot write %s", mpath);
    else if (!strcmp(cfg->format, "json")) puts(js);
    else if (cfg->faults) print_faults(v, mpath);
    else print_table(pl, v, mpath);
    free(js), free(md), free(jpath), free(mpath), free(outdir);
    json_decref(root);
    return rc;
}

int cmd_conform(int argc, char **argv) {
    conform_cfg cfg = {.props = "*", .format = "table", .timeout = 20};
    int first, rc = cli_opts_parse(&cmd_conform_spec, argc, argv, on_opt, &cfg, &first);
    if (rc != CLI_OPTS_OK) return rc == CLI_OPTS_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (first < argc) return cli_opts_usage_error(&cmd_conform_spec, "unexpected argument '%s'", argv[first]);
    plan pl = {0};
    if ((rc = make_plan(&pl, &cfg)) != CLI_EXIT_OK) {
        if (pl.tmpdir[0]) rmdir(pl.tmpdir);
        return rc;
    }
    execute(&pl, &cfg);
    verdict v = judge(&pl, cfg.faults);
    rc = report(&pl, &cfg, &v, argc, argv);
    json_decref(v.jfaults);
    if (rc == CLI_EXIT_OK && cli_child_interrupted()) rc = cli_error(CMD, "interrupted; the cells not run are marked not-run");
    else if (rc == CLI_EXIT_OK) rc = (cfg.faults ? v.missed : v.violations + v.unchecked) ? CLI_EXIT_FOUND : CLI_EXIT_OK;
    return rc;
}
