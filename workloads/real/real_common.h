/*
 * real_common.h — what every real/ workload shares: running an unmodified
 * program from the distribution under the allocator of the hb-<adapter>
 * executable, through LD_PRELOAD.
 *
 * A real/ workload is an ordinary heapbench workload (HB_WORKLOAD, category
 * "real") whose run function starts a program per Google Benchmark iteration
 * and checks what it printed. This header gives it the pieces:
 *
 *   hb_real_env_init     which library to preload for the linked adapter
 *                        (none for `system`; an adapter without one cannot
 *                        run real programs and the cell is skipped)
 *   hb_real_require      the program exists, else skip naming the package
 *   hb_real_input        a shipped input file under <root>/real/inputs/
 *   hb_real_spawn        fork+exec with LD_PRELOAD, stdout/stderr to files,
 *                        PR_SET_PDEATHSIG(SIGKILL), in the hb process group
 *   hb_real_wait         wait4: the exit status, CPU times and peak RSS
 *   hb_real_stop         SIGTERM, then SIGKILL, always waited (servers)
 *   hb_real_run          spawn + wait + capture stdout (one-shot programs)
 *   hb_real_report       the per-cell counters and the version label
 *
 * Children stay in the process group of the hb process: the harness kills a
 * timed-out cell's whole group, and PR_SET_PDEATHSIG covers the case where
 * only the hb process dies.
 */
#ifndef HEAPBENCH_REAL_COMMON_H
#define HEAPBENCH_REAL_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "heapbench/gbench.h"

/* The environment a real/ cell runs its programs in. */
typedef struct hb_real_env {
    char preload[4096]; /* the LD_PRELOAD value, "" for the system allocator */
    char inputs[4096];  /* <root>/real/inputs, or $HB_REAL_DIR */
    char version[256];  /* the program's version line, for the label */
    /* Accumulated over the iterations of one repetition. */
    uint64_t peak_rss_bytes;
    double user_s, sys_s;
    int64_t runs;
} hb_real_env;

/* One finished child. */
typedef struct hb_real_exit {
    int status;              /* as from wait4 */
    struct rusage ru;
    char *out;               /* captured stdout, NUL-terminated (hb_real_run) */
    size_t out_len;
    char err_tail[512];      /* the end of its stderr, for messages */
    int preload_refused;     /* ld.so said the preload "cannot be preloaded" */
} hb_real_exit;

/* Sets up env for the linked adapter and `prog` (an absolute path, from
 * Debian package `package`): the preload, the inputs folder and the
 * program's version (the first line `prog version_flag` prints). Returns 0,
 * or skips the benchmark with a clear error and returns -1. */
int hb_real_env_init(hb_real_env *env, hb_gb_state *st, const char *prog, const char *package,
                     const char *version_flag);

/* Skips with an error naming `package` when `prog` is not executable. */
int hb_real_require(hb_gb_state *st, const char *prog, const char *package);

/* <inputs>/<rel> into buf; skips with an error when it is not readable. */
int hb_real_input(const hb_real_env *env, hb_gb_state *st, const char *rel, char *buf, size_t len);

/* Starts argv[0] (an absolute path) with LD_PRELOAD=preload (NULL or "":
 * none), stdin from /dev/null, stdout to out_fd and stderr to err_fd (-1:
 * /dev/null), in folder cwd (NULL: unchanged). Returns the pid, or -1 with
 * errno set. */
pid_t hb_real_spawn(const char *const argv[], const char *preload, int out_fd, int err_fd,
                    const char *cwd);

/* Waits for pid (retrying on EINTR); fills x->status and x->ru. 0 or -1. */
int hb_real_wait(pid_t pid, hb_real_exit *x);

/* Stops a server: SIGTERM, up to grace_ms for it to exit, then SIGKILL;
 * always waits, so no process is left behind. Fills x when not NULL. */
void hb_real_stop(pid_t pid, int grace_ms, hb_real_exit *x);

/* Runs argv to completion under env's preload (cwd may be NULL), capturing
 * stdout into x->out and the end of stderr into x->err_tail. Returns 0 when
 * it ran (whatever its exit status), -1 when it could not be started. */
int hb_real_run(const hb_real_env *env, const char *const argv[], const char *cwd,
                hb_real_exit *x);

/* Reads a child's stderr file (from offset 0): copies its last bytes into
 * tail and returns whether the dynamic linker refused the preload (it then
 * runs the program on its own malloc and says so on stderr: such a run does
 * not measure the allocator named). */
int hb_real_scan_stderr(int fd, char *tail, size_t tail_len);

/* Whether the child exited with status 0 and its preload was honoured; else
 * writes why into msg. */
int hb_real_ran_ok(const hb_real_exit *x, const char *what, char *msg, size_t len);

/* Adds one measured child (peak RSS, CPU) to env's totals. */
void hb_real_account(hb_real_env *env, const hb_real_exit *x);

/* Sets the counters program_peak_rss_bytes (max over iterations),
 * program_user_s and program_sys_s (per iteration) and the label
 * "<version>; LD_PRELOAD=<lib>|none". */
void hb_real_report(hb_gb_state *st, const hb_real_env *env);

void hb_real_exit_free(hb_real_exit *x);

/* A fresh private temporary folder (mkdtemp under $TMPDIR or /tmp). */
int hb_real_tmpdir(char *buf, size_t len);
/* Removes a folder made by hb_real_tmpdir and everything in it. */
void hb_real_rmtree(const char *dir);

/* Reads a whole file into a NUL-terminated malloc'd buffer; NULL on error. */
char *hb_real_read_file(const char *path, size_t *len);

#endif
