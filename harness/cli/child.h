/*
 * child.h — run one child process under control: the runner every
 * subcommand that spawns programs shares (run, exec, conform).
 *
 * cli_child_run() forks, puts the child in its own process group, optionally
 * pins it to CPUs, redirects its stdout/stderr to files (or /dev/null),
 * adds environment variables, execs, and waits with a timeout. On timeout
 * the whole process group gets SIGTERM, then SIGKILL a second later. The
 * result carries the exit status or signal, the wall time, and the child's
 * rusage from wait4 (peak RSS, page faults, user/system CPU).
 *
 * Invariants:
 *  - No child outlives heapbench: each gets PR_SET_PDEATHSIG(SIGKILL) right
 *    after fork (and exits at once if the parent already died before that),
 *    so a SIGKILL of heapbench takes the running child with it.
 *  - The timeout holds even without the parent: with a timeout the child
 *    execs with an alarm() set CLI_CHILD_BACKSTOP_S past it (alarms survive
 *    execve), so a child whose parent cannot act still ends.
 *  - RSS over time is sampled here, in the parent, from /proc/PID/statm
 *    while waiting (rss_out): the measured process runs no sampler thread.
 */
#ifndef HEAPBENCH_CLI_CHILD_H
#define HEAPBENCH_CLI_CHILD_H

#include <stdint.h>
#include <sys/resource.h>

typedef struct cli_child_opts {
    const char *const *argv;    /* argv[0] is the program (a path or, with a
                                   '/'-less name, looked up in PATH) */
    const char *const *env_add; /* "NAME=VALUE" strings added to the
                                   environment, NULL-terminated; may be NULL */
    const char *stdout_path;    /* file for stdout (truncated); NULL: /dev/null */
    const char *stderr_path;    /* file for stderr; NULL: /dev/null; may
                                   equal stdout_path (both go to one file) */
    double timeout_s;           /* <= 0: none */
    const char *cpus;           /* CPU list "0-3,6" for sched_setaffinity; NULL: any */
    int inherit_stdio;          /* 1: keep the parent's stdout/stderr */
    int rss_sample_ms;          /* > 0 with rss_out: sample the child's RSS */
    const char *rss_out;        /* file of "t_ns rss_bytes" lines, t from the
                                   start of the child; NULL: no sampling */
} cli_child_opts;

/* Seconds past timeout_s after which the child's own alarm ends it. */
#define CLI_CHILD_BACKSTOP_S 10

typedef enum { CLI_CHILD_EXITED, CLI_CHILD_SIGNALED, CLI_CHILD_TIMEOUT, CLI_CHILD_SPAWN_FAILED } cli_child_end;

typedef struct cli_child_result {
    cli_child_end end;
    long pid;           /* the child's process id (0 when not started) */
    int exit_code;      /* CLI_CHILD_EXITED: the status; SPAWN_FAILED: errno */
    int signal;         /* CLI_CHILD_SIGNALED */
    double wall_s;
    struct rusage ru;   /* from wait4 */
    int64_t peak_rss_bytes; /* ru_maxrss in bytes */
} cli_child_result;

/* Runs the child to the end (or the timeout). Returns 0 when the child was
 * started and reaped (see res->end), -1 when it could not be (res->end ==
 * CLI_CHILD_SPAWN_FAILED, res->exit_code = errno). */
int cli_child_run(const cli_child_opts *o, cli_child_result *res);

/* Whether a CPU list ("0-3,6") is well formed. */
int cli_cpulist_valid(const char *cpus);

/* The signal that interrupted the parent (SIGINT/SIGTERM) while a child ran,
 * or 0: callers stop starting new children when it is set. */
int cli_child_interrupted(void);
/* Installs SIGINT/SIGTERM handlers that forward to the running child's
 * process group and record the signal. */
void cli_child_install_signal_forwarding(void);

#endif
