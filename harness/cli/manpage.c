/*
 * manpage.c — heapbench(1) in roff, written from the same option tables
 * (cli_cmd_spec) that parse the command line and print --help, so the man
 * page cannot drift from the program. `heapbench help --man` prints it; the
 * build runs that to make build/heapbench.1, which is installed and checked
 * with `man -l` by ctest (tests/install).
 *
 * Invariant: every text from a table goes through roff_text(), which
 * escapes what roff would read as a request or an escape (leading '.' or
 * '\'', backslashes, hyphens) and writes non-ASCII as \[uXXXX].
 */
#include <stdio.h>
#include <string.h>

#include "manpage.h"

/* A UTF-8 sequence at s as roff's \[uXXXX]; returns the bytes it used. */
static int roff_utf8(FILE *out, const unsigned char *s) {
    int n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    unsigned cp = s[0] & (0x3f >> (n - 1));
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return fputc('?', out), 1; /* not UTF-8: one byte */
        cp = cp << 6 | (s[i] & 0x3f);
    }
    fprintf(out, "\\[u%04X]", cp);
    return n;
}

/* Writes s escaped for roff; at_line_start tells whether s begins a line. */
static void roff_text(FILE *out, const char *s, int at_line_start) {
    for (; *s; s++) {
        if (at_line_start && (*s == '.' || *s == '\'')) fputs("\\&", out);
        at_line_start = *s == '\n';
        if ((unsigned char)*s >= 0x80) s += roff_utf8(out, (const unsigned char *)s) - 1;
        else if (*s == '\\') fputs("\\e", out);
        else if (*s == '-') fputs("\\-", out);
        else fputc(*s, out);
    }
}

static void option(FILE *out, const cli_opt *o) {
    fputs(".TP\n", out);
    if (o->key > 0 && o->key < CLI_OPT_LONG_ONLY) fprintf(out, "\\fB\\-%c\\fR, ", o->key);
    fputs("\\fB\\-\\-", out);
    roff_text(out, o->name, 0);
    fputs("\\fR", out);
    if (o->arg) {
        fputs(" \\fI", out);
        roff_text(out, o->arg, 0);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    roff_text(out, o->help ? o->help : "", 1);
    fputc('\n', out);
}

/* The epilog as literal text (it is laid out for a terminal). */
static void epilog(FILE *out, const char *text) {
    fputs(".PP\n.nf\n", out);
    roff_text(out, text, 1);
    if (text[0] && text[strlen(text) - 1] != '\n') fputc('\n', out);
    fputs(".fi\n", out);
}

static void command(FILE *out, const cli_cmd_spec *s) {
    fputs(".SS \"", out);
    roff_text(out, s->name, 0);
    fputs("\"\n\\fBheapbench ", out);
    roff_text(out, s->name, 0);
    fputs("\\fR ", out);
    roff_text(out, s->synopsis ? s->synopsis : "[options]", 0);
    fputs("\n.PP\n", out);
    roff_text(out, s->summary ? s->summary : "", 1);
    fputs(".\n.RS\n", out);
    for (const cli_opt *o = s->opts; o && o->name; o++) option(out, o);
    fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow this help and exit\n", out);
    if (s->epilog && *s->epilog) epilog(out, s->epilog);
    fputs(".RE\n", out);
}

void cli_man_write(FILE *out, const char *version, const cli_cmd_spec *const *specs, size_t n) {
    fprintf(out, ".TH HEAPBENCH 1 \"\" \"heapbench %s\" \"User Commands\"\n", version);
    fputs(".SH NAME\nheapbench \\- benchmark and conformance suite for memory allocators and garbage collectors\n"
          ".SH SYNOPSIS\n\\fBheapbench\\fR \\fIcommand\\fR [\\fIoptions\\fR]\n.br\n"
          "\\fBheapbench help\\fR \\fIcommand\\fR\n.br\n\\fBheapbench \\-\\-version\\fR\n"
          ".SH DESCRIPTION\nheapbench runs workloads over allocator adapters (one child process per cell),\n"
          "stores results as JSON, CSV and SQLite, compares runs, plots them with gnuplot and\n"
          "checks allocators against a conformance suite.\n.SH COMMANDS\n",
          out);
    for (size_t i = 0; i < n; i++)
        if (specs[i]) command(out, specs[i]);
    fputs(".SH FILES\n.TP\n\\fIPREFIX\\fR/libexec/heapbench/hb\\-*\nthe adapter executables heapbench drives\n"
          ".TP\n\\fIPREFIX\\fR/share/heapbench/\nplot templates, shipped traces and real\\-program inputs\n"
          ".TP\n\\&./results\nwhere an installed heapbench writes results by default\n"
          ".SH ENVIRONMENT\n.TP\n\\fBHB_RESULTS_DIR\\fR\nresults folder (default ./results)\n"
          ".TP\n\\fBHB_HISTORY_DB\\fR\nthe history database (default results/history.db)\n"
          ".SH EXIT STATUS\n0 success; 1 a regression, a failed cell or a conformance failure found;\n"
          "2 bad usage or bad input; 130 interrupted.\n"
          ".SH SEE ALSO\n\\fIPREFIX\\fR/share/doc/heapbench/\n",
          out);
}
