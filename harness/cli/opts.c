/*
 * opts.c — getopt_long over a subcommand's option table (see opts.h): the
 * table becomes getopt_long's `struct option` array and short-option string,
 * and the same table prints --help.
 */
#define _GNU_SOURCE
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* --help's key: outside every table's range (letters, CLI_OPT_LONG_ONLY..).
 * -h is help too unless the table gives 'h' to an option of its own. */
enum { KEY_HELP = 0x40000000 };

static size_t table_len(const cli_opt *o) {
    size_t n = 0;
    while (o && o[n].name) n++;
    return n;
}

static const cli_opt *by_key(const cli_cmd_spec *spec, int key) {
    for (const cli_opt *o = spec->opts; o && o->name; o++)
        if (o->key == key) return o;
    return NULL;
}

/* getopt_long's tables from ours, plus --help/-h. Freed by the caller. */
static struct option *build_longopts(const cli_cmd_spec *spec, char *shorts, size_t slen) {
    size_t n = table_len(spec->opts), k = 0;
    struct option *lo = calloc(n + 2, sizeof *lo);
    if (!lo) abort();
    char *s = shorts;
    if (spec->stop_at_operand) *s++ = '+'; /* else permute: operands may come first */
    *s++ = ':';                            /* report a missing value as ':' */
    if (!by_key(spec, 'h')) *s++ = 'h';
    for (size_t i = 0; i < n; i++) {
        const cli_opt *o = &spec->opts[i];
        lo[k++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->key};
        if (o->key > 0 && o->key < CLI_OPT_LONG_ONLY && (size_t)(s - shorts) + 3 < slen) {
            *s++ = (char)o->key;
            if (o->arg) *s++ = ':';
        }
    }
    *s = 0;
    lo[k++] = (struct option){"help", no_argument, NULL, KEY_HELP};
    return lo;
}

static void hint(const cli_cmd_spec *spec) {
    fprintf(stderr, "heapbench %s: see 'heapbench help %s'\n", spec->name, spec->name);
}

/* The option argv[optind-1] named, for messages ("--adapters=x" -> "--adapters"). */
static void named(const char *arg, char *buf, size_t len) {
    snprintf(buf, len, "%s", arg ? arg : "?");
    char *eq = strchr(buf, '=');
    if (eq && buf[0] == '-' && buf[1] == '-') *eq = 0;
}

/* How many long options (--help included) start with `what` ("--ad"). */
static int prefix_matches(const struct option *lo, const char *what) {
    int n = 0;
    if (strncmp(what, "--", 2) || !what[2]) return 0;
    for (; lo->name; lo++) n += !strncmp(lo->name, what + 2, strlen(what + 2));
    return n;
}

/* getopt_long said '?' (unknown, ambiguous, or a value given to a flag) or
 * ':' (missing value): say which, naming the option as written. */
static void report(const cli_cmd_spec *spec, const struct option *lo, int c, int optind_now, char **argv) {
    char what[128];
    const char *why = "unknown option";
    int known = optopt && (optopt == KEY_HELP || by_key(spec, optopt));
    if (optopt && optopt < CLI_OPT_LONG_ONLY && !known)
        snprintf(what, sizeof what, "-%c", optopt);
    else
        named(argv[optind_now - 1], what, sizeof what);
    if (c == ':') why = "missing value for option";
    else if (known) why = "no value allowed for option";
    else if (prefix_matches(lo, what) > 1) why = "ambiguous option";
    fprintf(stderr, "heapbench %s: %s '%s'\n", spec->name, why, what);
    hint(spec);
}

int cli_opts_parse(const cli_cmd_spec *spec, int argc, char **argv, cli_opt_fn fn, void *ctx, int *first) {
    char shorts[256];
    struct option *lo = build_longopts(spec, shorts, sizeof shorts);
    int rc = CLI_OPTS_OK, c;
    opterr = 0;
    optind = 0; /* full re-initialisation (GNU) */
    while (rc == CLI_OPTS_OK && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        if (c == KEY_HELP || (c == 'h' && !by_key(spec, 'h'))) {
            cli_opts_help(spec, stdout);
            rc = CLI_OPTS_HELP;
        } else if (c == '?' || c == ':') {
            report(spec, lo, c, optind, argv);
            rc = CLI_OPTS_ERROR;
        } else if (fn(ctx, c, optarg) != 0) {
            rc = CLI_OPTS_ERROR;
        }
    }
    if (first) *first = optind;
    free(lo);
    return rc;
}

void cli_opts_help(const cli_cmd_spec *spec, FILE *out) {
    fprintf(out, "usage: heapbench %s %s\n\n%s\n", spec->name, spec->synopsis ? spec->synopsis : "[options]",
            spec->summary ? spec->summary : "");
    fprintf(out, "\noptions:\n");
    for (const cli_opt *o = spec->opts; o && o->name; o++) {
        char left[96];
        int n = 0;
        if (o->key > 0 && o->key < CLI_OPT_LONG_ONLY) n = snprintf(left, sizeof left, "-%c, ", o->key);
        else n = snprintf(left, sizeof left, "    ");
        snprintf(left + n, sizeof left - (size_t)n, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-30s %s\n", left, o->help ? o->help : "");
    }
    fprintf(out, "  %-30s %s\n", by_key(spec, 'h') ? "    --help" : "-h, --help", "show this help and exit");
    if (spec->epilog) fprintf(out, "\n%s", spec->epilog);
    if (spec->epilog && spec->epilog[0] && spec->epilog[strlen(spec->epilog) - 1] != '\n') fputc('\n', out);
}

int cli_opts_bad(const cli_cmd_spec *spec, int key, const char *fmt, ...) {
    const cli_opt *o = by_key(spec, key);
    va_list ap;
    fprintf(stderr, "heapbench %s: ", spec->name);
    if (o) fprintf(stderr, "--%s ", o->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    hint(spec);
    return 1;
}

int cli_opts_choice(const cli_cmd_spec *spec, int key, const char *arg, const char **out, ...) {
    char list[256] = "";
    size_t len = 0;
    va_list ap;
    va_start(ap, out);
    for (const char *c; (c = va_arg(ap, const char *));) {
        if (!strcmp(arg, c)) {
            va_end(ap);
            *out = c;
            return 0;
        }
        len += (size_t)snprintf(list + len, len < sizeof list ? sizeof list - len : 0, "%s%s", len ? ", " : "", c);
    }
    va_end(ap);
    return cli_opts_bad(spec, key, "takes one of %s, not '%s'", list, arg);
}

int cli_opts_double(const cli_cmd_spec *spec, int key, const char *arg, double min, double *out) {
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (end == arg || *end || errno || !isfinite(v) || !(v > min))
        return cli_opts_bad(spec, key, "takes a number > %g, not '%s'", min, arg);
    *out = v;
    return 0;
}

int cli_opts_long(const cli_cmd_spec *spec, int key, const char *arg, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || errno || v < lo || v > hi)
        return cli_opts_bad(spec, key, "takes an integer from %ld to %ld, not '%s'", lo, hi, arg);
    *out = v;
    return 0;
}

int cli_opts_usage_error(const cli_cmd_spec *spec, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "heapbench %s: ", spec->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    hint(spec);
    return CLI_OPTS_ERROR;
}
