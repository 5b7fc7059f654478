/*
 * test_opts.c — the CLI's option tables (harness/cli/opts.c): both value
 * spellings, short options, operands before and after options, `--` and
 * stop-at-operand, the generated help, and each kind of error named on
 * stderr (unknown option, missing value, value given to a flag, ambiguous
 * prefix, a handler's refusal) with CLI_OPTS_ERROR.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "opts.h"

enum { K_FORMAT = CLI_OPT_LONG_ONLY, K_FAULTS, K_FAST };

static const cli_opt table[] = {
    {"adapters", 'a', "LIST", "adapters"},
    {"format", K_FORMAT, "table|json", "output format"},
    {"faults", K_FAULTS, NULL, "a flag"},
    {"fast", K_FAST, NULL, "another flag"},
    {"verbose", 'v', NULL, "short flag"},
    {0},
};
static const cli_cmd_spec spec = {"demo", "[options] ARG...", "a demo subcommand", table, "Epilog line.\n", 0};
static const cli_cmd_spec spec_stop = {"exec", "[options] -- PROG", "stops at the operand", table, NULL, 1};

typedef struct seen {
    const char *adapters, *format;
    int faults, verbose;
} seen;

static int on_opt(void *ctx, int key, const char *arg) {
    seen *s = ctx;
    switch (key) {
    case 'a': s->adapters = arg; return 0;
    case K_FORMAT: return cli_opts_choice(&spec, key, arg, &s->format, "table", "json", NULL);
    case K_FAULTS: s->faults = 1; return 0;
    case 'v': s->verbose++; return 0;
    default: return 0;
    }
}

/* Runs cli_opts_parse over a NULL-terminated argv, capturing stdout and
 * stderr into the given buffers. */
static int parse(const cli_cmd_spec *sp, seen *s, int *first, char *out, char *err, size_t len, ...) {
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, len);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;) argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    FILE *fo = tmpfile(), *fe = tmpfile();
    int so = dup(1), se = dup(2);
    fflush(stdout), fflush(stderr);
    dup2(fileno(fo), 1), dup2(fileno(fe), 2);
    int rc = cli_opts_parse(sp, argc, argv, on_opt, s, first);
    fflush(stdout), fflush(stderr);
    dup2(so, 1), dup2(se, 2);
    close(so), close(se);
    rewind(fo), rewind(fe);
    out[fread(out, 1, len - 1, fo)] = 0;
    err[fread(err, 1, len - 1, fe)] = 0;
    fclose(fo), fclose(fe);
    return rc;
}

static char out[4096], err[4096];

static void both_spellings(void **state) {
    (void)state;
    seen s = {0};
    int first;
    assert_int_equal(parse(&spec, &s, &first, out, err, sizeof out, "demo", "--adapters=x,y", "--format", "json",
                           "op1", "-v", "op2", NULL),
                     CLI_OPTS_OK);
    assert_string_equal(s.adapters, "x,y");
    assert_string_equal(s.format, "json");
    assert_int_equal(s.verbose, 1);
    assert_int_equal(first, 5); /* operands permuted to the end */
    assert_string_equal(err, "");
    s = (seen){0};
    assert_int_equal(parse(&spec, &s, &first, out, err, sizeof out, "demo", "-a", "z", "-vv", "--", "--faults", NULL),
                     CLI_OPTS_OK);
    assert_string_equal(s.adapters, "z");
    assert_int_equal(s.verbose, 2);
    assert_int_equal(s.faults, 0); /* after "--": an operand */
    assert_int_equal(first, 5);
}

static void stop_at_operand(void **state) {
    (void)state;
    seen s = {0};
    int first;
    assert_int_equal(parse(&spec_stop, &s, &first, out, err, sizeof out, "exec", "--faults", "prog", "--adapters",
                           "q", NULL),
                     CLI_OPTS_OK);
    assert_int_equal(s.faults, 1);
    assert_null(s.adapters); /* belongs to prog */
    assert_int_equal(first, 2);
}

static void help_on_stdout(void **state) {
    (void)state;
    seen s = {0};
    int first;
    assert_int_equal(parse(&spec, &s, &first, out, err, sizeof out, "demo", "--adapters=x", "--help", NULL), CLI_OPTS_HELP);
    assert_non_null(strstr(out, "usage: heapbench demo [options] ARG...\n"));
    assert_non_null(strstr(out, "a demo subcommand"));
    assert_non_null(strstr(out, "-a, --adapters LIST"));
    assert_non_null(strstr(out, "--format table|json"));
    assert_non_null(strstr(out, "-h, --help"));
    assert_non_null(strstr(out, "Epilog line."));
    assert_string_equal(err, "");
    assert_int_equal(parse(&spec, &s, &first, out, err, sizeof out, "demo", "-h", NULL), CLI_OPTS_HELP);
    assert_non_null(strstr(out, "usage: heapbench demo"));
}

/* One failing parse: CLI_OPTS_ERROR, nothing on stdout, `msg` on stderr. */
static void fails_with(const char *msg, ...) {
    char *argv[8];
    int argc = 0;
    va_list ap;
    va_start(ap, msg);
    for (char *a; (a = va_arg(ap, char *)) && argc < 7;) argv[argc++] = a;
    va_end(ap);
    seen s = {0};
    int first;
    int rc = parse(&spec, &s, &first, out, err, sizeof out, argv[0], argc > 1 ? argv[1] : NULL,
                   argc > 2 ? argv[2] : NULL, NULL);
    assert_int_equal(rc, CLI_OPTS_ERROR);
    assert_string_equal(out, "");
    if (!strstr(err, msg)) fail_msg("stderr '%s' lacks '%s'", err, msg);
    assert_non_null(strstr(err, "see 'heapbench help demo'"));
}

static void errors_named(void **state) {
    (void)state;
    fails_with("heapbench demo: unknown option '--nope'", "demo", "--nope=3", NULL);
    fails_with("heapbench demo: unknown option '-x'", "demo", "-x", NULL);
    fails_with("heapbench demo: missing value for option '--format'", "demo", "--format", NULL);
    fails_with("heapbench demo: missing value for option '-a'", "demo", "-a", NULL);
    fails_with("heapbench demo: no value allowed for option '--faults'", "demo", "--faults=1", NULL);
    fails_with("heapbench demo: ambiguous option '--fa'", "demo", "--fa", NULL);
    fails_with("heapbench demo: --format takes one of table, json, not 'yaml'", "demo", "--format=yaml", NULL);
}

static void value_checkers(void **state) {
    (void)state;
    double d;
    long l;
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    assert_int_equal(cli_opts_double(&spec, K_FORMAT, "2.5", 0, &d), 0);
    assert_true(d == 2.5);
    assert_int_equal(cli_opts_double(&spec, K_FORMAT, "0", 0, &d), 1);
    assert_int_equal(cli_opts_double(&spec, K_FORMAT, "3x", 0, &d), 1);
    assert_int_equal(cli_opts_double(&spec, K_FORMAT, "nan", 0, &d), 1);
    assert_int_equal(cli_opts_long(&spec, K_FORMAT, "7", 1, 10, &l), 0);
    assert_int_equal(l, 7);
    assert_int_equal(cli_opts_long(&spec, K_FORMAT, "11", 1, 10, &l), 1);
    assert_int_equal(cli_opts_long(&spec, K_FORMAT, "", 1, 10, &l), 1);
    fclose(stderr);
    stderr = saved;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_spellings), cmocka_unit_test(stop_at_operand), cmocka_unit_test(help_on_stdout),
        cmocka_unit_test(errors_named),   cmocka_unit_test(value_checkers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
