/*
 * cmd_conform.c — `heapbench conform`: run the conformance catalogue
 * (conformance/, docs/conformance.md) over adapters, one child process per
 * (adapter, property) cell, and print the matrix.
 *
 *   heapbench conform [--adapters a,b|all] [--properties GLOB,GLOB]
 *                     [--timeout S] [--out DIR] [--format table|json] [--faults]
 *
 * Each cell is `hb-<a> conform --property NAME`, which prints one JSON line
 * {property, kind, status, detail}. A child killed by a signal is `crashed`,
 * one past --timeout is `timeout` (its process group is killed). Writes
 * conformance.json (schema heapbench-conformance/1) and conformance.md into
 * --out (default: <results>/conformance-<date>/).
 *
 * Exit: 1 when a real adapter breaks a rule (fail, crashed or timeout);
 * with --faults (the deliberately broken adapters hb-fault-*), 1 when a
 * fault is NOT caught by the property its file names (`conform --expect`).
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

#include "child.h"
#include "cli.h"
#include "probe.h"
#include "util.h"

typedef struct prop {
    char *name, *kind, *summary, *source;
} prop;

typedef struct cell {
    const char *adapter;
    const prop *p;
    char status[16];
    char *detail;
    double wall_s;
} cell;

static const char *CMD = "conform";

static int usage(void) {
    fprintf(stderr,
            "usage: heapbench conform [--adapters a,b|all] [--properties GLOB,...] [--timeout S]\n"
            "                         [--out DIR] [--format table|json] [--faults]\n"
            "  --faults   run the deliberately broken adapters (build/hb-fault-*) and require each\n"
            "             to be caught by the property its file names\n");
    return HB_EXIT_USAGE;
}

/* The last line of a file that parses as a JSON object, or NULL. */
static json_t *last_json_line(const char *path) {
    char *text = hb_read_file(path, NULL);
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
    char *text = hb_read_file(path, NULL);
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

/* Runs hb-<adapter> with args, stdout to `out`, stderr to `err`. */
static int run_exe(const char *adapter, const char *const *args, const char *out, const char *err,
                   double timeout, hb_child_result *res) {
    char exe[4096];
    hb_adapter_exe(adapter, exe, sizeof exe);
    const char *argv[8] = {exe};
    int n = 1;
    for (; args[n - 1] && n < 7; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    hb_child_opts o = {.argv = argv, .stdout_path = out, .stderr_path = err, .timeout_s = timeout};
    return hb_child_run(&o, res);
}

static int load_properties(const char *adapter, const char *tmpdir, prop **out, size_t *n) {
    char *path = hb_fmt("%s/list.jsonl", tmpdir);
    const char *args[] = {"conform", "--list", NULL};
    hb_child_result res;
    if (run_exe(adapter, args, path, NULL, 30, &res) != 0 || res.end != HB_CHILD_EXITED || res.exit_code) {
        free(path);
        return -1;
    }
    char *text = hb_read_file(path, NULL);
    free(path);
    if (!text) return -1;
    size_t cap = 64;
    *out = calloc(cap, sizeof **out);
    *n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j) continue;
        if (*n == cap) *out = realloc(*out, (cap *= 2) * sizeof **out);
        prop *p = &(*out)[(*n)++];
        p->name = strdup(json_string_value(json_object_get(j, "name")));
        p->kind = strdup(json_string_value(json_object_get(j, "kind")));
        p->summary = strdup(json_string_value(json_object_get(j, "summary")));
        p->source = strdup(json_string_value(json_object_get(j, "source")));
        json_decref(j);
    }
    free(text);
    return 0;
}

static void run_cell(cell *c, const char *tmpdir, double timeout) {
    char *out = hb_fmt("%s/cell.out", tmpdir), *err = hb_fmt("%s/cell.err", tmpdir);
    const char *args[] = {"conform", "--property", c->p->name, NULL};
    hb_child_result res;
    run_exe(c->adapter, args, out, err, timeout, &res);
    c->wall_s = res.wall_s;
    json_t *j = res.end == HB_CHILD_EXITED ? last_json_line(out) : NULL;
    const char *st = j ? json_string_value(json_object_get(j, "status")) : NULL;
    if (st) {
        snprintf(c->status, sizeof c->status, "%s", st);
        c->detail = strdup(json_string_value(json_object_get(j, "detail")));
    } else if (res.end == HB_CHILD_TIMEOUT) {
        snprintf(c->status, sizeof c->status, "timeout");
        c->detail = hb_fmt("killed after %.1f s", timeout);
    } else if (res.end == HB_CHILD_SIGNALED) {
        char *t = tail_of(err, 300);
        snprintf(c->status, sizeof c->status, "crashed");
        c->detail = hb_fmt("killed by signal %d (%s)%s%s", res.signal, strsignal(res.signal), *t ? ": " : "", t);
        free(t);
    } else {
        char *t = tail_of(err, 300);
        snprintf(c->status, sizeof c->status, "crashed");
        c->detail = res.end == HB_CHILD_SPAWN_FAILED
                        ? hb_fmt("could not start: %s", strerror(res.exit_code))
                        : hb_fmt("exited %d without a result%s%s", res.exit_code, *t ? ": " : "", t);
        free(t);
    }
    json_decref(j);
    unlink(out);
    unlink(err);
    free(out);
    free(err);
}

static int is_violation(const cell *c) {
    return !strcmp(c->p->kind, "rule") &&
           (!strcmp(c->status, "fail") || !strcmp(c->status, "crashed") || !strcmp(c->status, "timeout"));
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every build/hb-fault-* next to this executable, as adapter names. */
static void find_faults(hb_strv *out) {
    DIR *d = opendir(hb_bin_dir());
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "hb-fault-", 9)) {
            char *path = hb_fmt("%s/%s", hb_bin_dir(), e->d_name);
            if (access(path, X_OK) == 0) hb_strv_push(out, e->d_name + 3);
            free(path);
        }
    closedir(d);
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

static char *fault_expect(const char *adapter, const char *tmpdir) {
    char *path = hb_fmt("%s/expect.txt", tmpdir);
    const char *args[] = {"conform", "--expect", NULL};
    hb_child_result res;
    char *txt = NULL;
    if (run_exe(adapter, args, path, NULL, 10, &res) == 0 && res.end == HB_CHILD_EXITED && !res.exit_code) {
        txt = hb_read_file(path, NULL);
        if (txt) txt[strcspn(txt, "\n")] = '\0';
    }
    unlink(path);
    free(path);
    return txt;
}

static void md_escape(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else fputc(*s, f);
    }
}

int cmd_conform(int argc, char **argv) {
    const char *adapters_opt = NULL, *props_opt = "*", *out_opt = NULL, *format = "table";
    double timeout = 20;
    int faults = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--adapters") && v) adapters_opt = v, i++;
        else if (!strcmp(a, "--properties") && v) props_opt = v, i++;
        else if (!strcmp(a, "--out") && v) out_opt = v, i++;
        else if (!strcmp(a, "--format") && v) format = v, i++;
        else if (!strcmp(a, "--timeout") && v) {
            char *end;
            timeout = strtod(v, &end);
            if (*end || timeout <= 0) return hb_die(CMD, "--timeout takes seconds > 0, not '%s'", v);
            i++;
        } else if (!strcmp(a, "--faults")) faults = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage(), HB_EXIT_OK;
        else return hb_die(CMD, "unknown option '%s' (heapbench conform --help)", a);
    }
    if (strcmp(format, "table") && strcmp(format, "json"))
        return hb_die(CMD, "--format takes table or json, not '%s'", format);

    hb_strv adapters = {0}, globs = {0};
    if (faults && !adapters_opt) find_faults(&adapters);
    else if (!adapters_opt || !strcmp(adapters_opt, "all")) hb_split(hb_adapters_built(), ',', &adapters);
    else hb_split(adapters_opt, ',', &adapters);
    hb_split(props_opt, ',', &globs);
    if (!adapters.n) return hb_die(CMD, faults ? "no hb-fault-* executables in %s" : "no adapters given (%s)",
                                   faults ? hb_bin_dir() : "--adapters");
    for (size_t i = 0; i < adapters.n; i++) {
        char exe[4096];
        hb_adapter_exe(adapters.v[i], exe, sizeof exe);
        if (access(exe, X_OK) != 0)
            return hb_die(CMD, "no executable %s (adapters built: %s)", exe, hb_adapters_built());
    }

    char tmpdir[] = "/tmp/heapbench-conform-XXXXXX";
    if (!mkdtemp(tmpdir)) return hb_die(CMD, "cannot create a temporary folder");
    prop *all;
    size_t nall;
    if (load_properties(adapters.v[0], tmpdir, &all, &nall) != 0 || !nall)
        return hb_die(CMD, "hb-%s conform --list gave no properties", adapters.v[0]);
    const prop **sel = calloc(nall, sizeof *sel);
    size_t nsel = 0;
    for (size_t k = 0; k < nall; k++)
        for (size_t g = 0; g < globs.n; g++)
            if (!fnmatch(globs.v[g], all[k].name, 0)) {
                sel[nsel++] = &all[k];
                break;
            }
    if (!nsel) return hb_die(CMD, "no property matches --properties '%s'", props_opt);

    char start[64];
    hb_time_iso(start, sizeof start);
    hb_child_install_signal_forwarding();
    int tty = hb_isatty_stderr() && strcmp(format, "json");
    json_t *jadapters = json_array();
    char **expect = calloc(adapters.n, sizeof *expect);
    cell *cells = calloc(adapters.n * nsel, sizeof *cells);
    for (size_t i = 0; i < adapters.n; i++) {
        char err[512];
        json_t *info = hb_probe_info(adapters.v[i], err, sizeof err);
        json_t *ja = json_pack("{s:s}", "name", adapters.v[i]);
        if (info) {
            json_object_set(ja, "version", json_object_get(info, "version"));
            json_object_set(ja, "kind", json_object_get(info, "kind"));
            json_object_set(ja, "caps", json_object_get(info, "caps"));
            json_decref(info);
        }
        if (faults) {
            expect[i] = fault_expect(adapters.v[i], tmpdir);
            json_object_set_new(ja, "expect", expect[i] ? json_string(expect[i]) : json_null());
        }
        json_array_append_new(jadapters, ja);
        for (size_t k = 0; k < nsel && !hb_child_interrupted(); k++) {
            cell *c = &cells[i * nsel + k];
            c->adapter = adapters.v[i];
            c->p = sel[k];
            if (tty) fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", i * nsel + k + 1, adapters.n * nsel,
                             adapters.v[i], sel[k]->name);
            run_cell(c, tmpdir, timeout);
        }
    }
    if (tty) fprintf(stderr, "\r\033[K");
    rmdir(tmpdir);
    if (hb_child_interrupted()) return hb_die(CMD, "interrupted");
    char end[64];
    hb_time_iso(end, sizeof end);

    /* ---- verdict ---- */
    int violations = 0, missed = 0;
    json_t *jfaults = json_array();
    for (size_t i = 0; i < adapters.n; i++) {
        if (!faults) {
            for (size_t k = 0; k < nsel; k++) violations += is_violation(&cells[i * nsel + k]);
            continue;
        }
        const cell *hit = NULL;
        json_t *also = json_array();
        for (size_t k = 0; k < nsel; k++) {
            const cell *c = &cells[i * nsel + k];
            if (!is_violation(c)) continue;
            if (expect[i] && !strcmp(c->p->name, expect[i])) hit = c;
            else json_array_append_new(also, json_string(c->p->name));
        }
        int selected = 0;
        for (size_t k = 0; k < nsel; k++) selected |= expect[i] && !strcmp(sel[k]->name, expect[i]);
        if (!selected) { /* its property was not run: neither caught nor missed */
            json_decref(also);
            continue;
        }
        missed += !hit;
        json_array_append_new(jfaults, json_pack("{s:s,s:s?,s:b,s:s?,s:s?,s:o}", "fault", adapters.v[i], "expect",
                                                 expect[i], "caught", hit != NULL, "status",
                                                 hit ? hit->status : NULL, "detail", hit ? hit->detail : NULL,
                                                 "also_caught_by", also));
    }

    /* ---- conformance.json ---- */
    char commit[64], shortc[16];
    int dirty;
    hb_git_info(commit, sizeof commit, shortc, sizeof shortc, &dirty);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    json_t *cmdline = json_array();
    json_array_append_new(cmdline, json_string("heapbench"));
    for (int i = 0; i < argc; i++) json_array_append_new(cmdline, json_string(argv[i]));
    json_t *jprops = json_array();
    for (size_t k = 0; k < nsel; k++)
        json_array_append_new(jprops, json_pack("{s:s,s:s,s:s,s:s}", "name", sel[k]->name, "kind", sel[k]->kind,
                                                "summary", sel[k]->summary, "source", sel[k]->source));
    json_t *matrix = json_array();
    for (size_t i = 0; i < adapters.n * nsel; i++)
        json_array_append_new(matrix, json_pack("{s:s,s:s,s:s,s:s,s:s,s:f}", "adapter", cells[i].adapter, "property",
                                                cells[i].p->name, "kind", cells[i].p->kind, "status",
                                                cells[i].status, "detail", cells[i].detail, "wall_s",
                                                cells[i].wall_s));
    json_t *root = json_pack("{s:s,s:{s:s,s:s,s:s,s:s,s:b,s:s,s:o,s:f,s:b},s:o,s:o,s:o}", "schema",
                             "heapbench-conformance/1", "meta", "start", start, "end", end, "host", host,
                             "git_commit", commit, "git_dirty", dirty == 1, "heapbench_version", HB_VERSION,
                             "command", cmdline, "timeout_s", timeout, "faults", faults, "adapters", jadapters,
                             "properties", jprops, "matrix", matrix);
    if (faults) json_object_set_new(root, "faults", jfaults);
    else json_decref(jfaults);

    char *outdir;
    if (out_opt) {
        outdir = strdup(out_opt);
    } else {
        char date[32];
        time_t t = time(NULL);
        strftime(date, sizeof date, "%Y%m%d-%H%M%S", localtime(&t));
        outdir = hb_fmt("%s/conformance-%s%s", hb_results_root(), faults ? "faults-" : "", date);
    }
    if (hb_mkdir_p(outdir) != 0) return hb_die(CMD, "cannot create %s", outdir);
    char *js = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    char *jpath = hb_fmt("%s/conformance.json", outdir), *mpath = hb_fmt("%s/conformance.md", outdir);
    if (hb_write_atomic(jpath, js, strlen(js)) != 0) return hb_die(CMD, "cannot write %s", jpath);

    /* ---- conformance.md (and the table on stdout) ---- */
    char *md = NULL;
    size_t mdlen = 0;
    FILE *f = open_memstream(&md, &mdlen);
    fprintf(f, "# Conformance %s\n\n%s, heapbench %s, commit %s%s. Rules marked **R**, traits *t*.\n\n", start,
            host, HB_VERSION, shortc, dirty == 1 ? " (dirty)" : "");
    fprintf(f, "| property |");
    for (size_t i = 0; i < adapters.n; i++) fprintf(f, " %s |", adapters.v[i]);
    fprintf(f, "\n|---|");
    for (size_t i = 0; i < adapters.n; i++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (size_t k = 0; k < nsel; k++) {
        fprintf(f, "| %s %s |", sel[k]->name, !strcmp(sel[k]->kind, "rule") ? "**R**" : "*t*");
        for (size_t i = 0; i < adapters.n; i++) {
            const cell *c = &cells[i * nsel + k];
            fprintf(f, is_violation(c) ? " **%s** |" : " %s |", c->status);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n## Rule violations\n\n");
    int any = 0;
    for (size_t i = 0; i < adapters.n * nsel; i++)
        if (is_violation(&cells[i])) {
            fprintf(f, "- **%s** `%s` %s: ", cells[i].adapter, cells[i].p->name, cells[i].status);
            md_escape(f, cells[i].detail);
            fprintf(f, "\n");
            any = 1;
        }
    if (!any) fprintf(f, "None.\n");
    fprintf(f, "\n## Traits\n\n");
    for (size_t i = 0; i < adapters.n * nsel; i++)
        if (!strcmp(cells[i].p->kind, "trait") && !strcmp(cells[i].status, "pass")) {
            fprintf(f, "- %s `%s`: ", cells[i].adapter, cells[i].p->name);
            md_escape(f, cells[i].detail);
            fprintf(f, "\n");
        }
    if (faults) {
        fprintf(f, "\n## Faults\n\n");
        size_t n = json_array_size(jfaults);
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_array_get(jfaults, i);
            fprintf(f, "- %s: %s by `%s`", json_string_value(json_object_get(x, "fault")),
                    json_is_true(json_object_get(x, "caught")) ? "caught" : "**NOT caught**",
                    json_string_value(json_object_get(x, "expect")));
            if (json_is_true(json_object_get(x, "caught"))) {
                fprintf(f, " (%s): ", json_string_value(json_object_get(x, "status")));
                md_escape(f, json_string_value(json_object_get(x, "detail")));
            }
            fprintf(f, "\n");
        }
    }
    fclose(f);
    if (hb_write_atomic(mpath, md, mdlen) != 0) return hb_die(CMD, "cannot write %s", mpath);

    if (!strcmp(format, "json")) {
        puts(js);
    } else if (faults) {
        size_t n = json_array_size(jfaults);
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_array_get(jfaults, i);
            json_t *also = json_object_get(x, "also_caught_by");
            printf("%-28s %-12s by %-34s", json_string_value(json_object_get(x, "fault")),
                   json_is_true(json_object_get(x, "caught")) ? "caught" : "NOT CAUGHT",
                   json_string_value(json_object_get(x, "expect")));
            if (json_array_size(also)) {
                printf(" (also:");
                for (size_t k = 0; k < json_array_size(also); k++)
                    printf(" %s", json_string_value(json_array_get(also, k)));
                printf(")");
            }
            printf("\n");
        }
        printf("%zu faults, %d not caught; %s\n", n, missed, mpath);
    } else {
        printf("%-36s", "property");
        for (size_t i = 0; i < adapters.n; i++) printf(" %-9.9s", adapters.v[i]);
        printf("\n");
        for (size_t k = 0; k < nsel; k++) {
            printf("%-34.34s %c", sel[k]->name, !strcmp(sel[k]->kind, "rule") ? 'R' : 't');
            for (size_t i = 0; i < adapters.n; i++) {
                const cell *c = &cells[i * nsel + k];
                printf(" %-9s", is_violation(c) ? (c->status[0] == 'f' ? "FAIL" : c->status) : c->status);
            }
            printf("\n");
        }
        for (size_t i = 0; i < adapters.n * nsel; i++)
            if (is_violation(&cells[i]))
                printf("%s %s: %s: %s\n", cells[i].adapter, cells[i].p->name, cells[i].status, cells[i].detail);
        printf("%d rule violation%s; %s\n", violations, violations == 1 ? "" : "s", mpath);
    }
    free(js);
    free(md);
    json_decref(root);
    return (faults ? missed : violations) ? HB_EXIT_FOUND : HB_EXIT_OK;
}
