/*
 * real_common.c — running unmodified programs under the allocator of the
 * hb-<adapter> executable (LD_PRELOAD), for the real/ workloads.
 *
 * Why it looks the way it does:
 *  - fork + execve, not posix_spawn: the child must set PR_SET_PDEATHSIG
 *    (a server must not outlive a killed hb process) and wait4's ru_maxrss
 *    of a vfork-style child would start at the *parent's* peak RSS (Linux
 *    keeps the larger of the pre-exec mm's peak and the program's), while a
 *    forked child starts at the hb process's current, small RSS.
 *  - Output goes to unlinked temporary files, read after the child exits:
 *    no pipe to drain while the program runs, nothing that competes with it.
 *  - The environment is built before fork (no malloc between fork and exec)
 *    and drops any inherited LD_PRELOAD: a cell runs exactly one allocator.
 *  - ld.so does not fail when a preload cannot be loaded — it prints
 *    "cannot be preloaded ... ignored" and runs the program on its own
 *    malloc; stderr is scanned for that so such a run is never reported as
 *    the allocator's.
 */
#define _GNU_SOURCE
#include "real_common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "heapbench/adapter.h"
#include "heapbench/object.h"

extern char **environ;

static void skip(hb_gb_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void skip(hb_gb_state *st, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "real: %s\n", msg);
    if (!hb_gb_error_occurred(st)) hb_gb_skip_with_error(st, msg);
}

int hb_real_require(hb_gb_state *st, const char *prog, const char *package) {
    if (access(prog, X_OK) == 0) return 0;
    skip(st, "%s is not installed: install the Debian package '%s' (scripts/deps does)", prog,
         package);
    return -1;
}

static int is_dir(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* <root>/real/inputs: $HB_REAL_DIR, else next to the executable's folder
 * (build/../real/inputs), else PREFIX/share/heapbench/real/inputs of an
 * installed copy, else the source tree this file was compiled from
 * (a build folder outside the tree, e.g. /tmp/build). */
static int find_inputs(char *buf, size_t len) {
    const char *env = getenv("HB_REAL_DIR");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return is_dir(buf) ? 0 : -1;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(exe, '/');
            if (slash) *slash = '\0';
        }
        if (snprintf(buf, len, "%s/real/inputs", exe) < (int)len && is_dir(buf)) return 0;
        /* installed: PREFIX/libexec/heapbench/hb-* -> PREFIX/share/heapbench */
        if (snprintf(buf, len, "%s/../share/heapbench/real/inputs", exe) < (int)len && is_dir(buf)) return 0;
    }
    const char *self = __FILE__, *tail = "/workloads/real/real_common.c";
    size_t sl = strlen(self), tl = strlen(tail);
    if (self[0] == '/' && sl > tl && strcmp(self + sl - tl, tail) == 0) {
        if (snprintf(buf, len, "%.*s/real/inputs", (int)(sl - tl), self) < (int)len &&
            is_dir(buf))
            return 0;
    }
    return -1;
}

int hb_real_input(const hb_real_env *env, hb_gb_state *st, const char *rel, char *buf, size_t len) {
    if (snprintf(buf, len, "%s/%s", env->inputs, rel) < (int)len && access(buf, R_OK) == 0)
        return 0;
    skip(st, "shipped input %s is missing", buf);
    return -1;
}

static int tmpfile_fd(void) {
    const char *dir = getenv("TMPDIR");
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/hb-real-XXXXXX", dir && *dir ? dir : "/tmp") >=
        (int)sizeof path)
        return -1;
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0) unlink(path);
    return fd;
}

/* The version line of prog, run with no preload. */
static void read_version(const char *prog, const char *flag, char *buf, size_t len) {
    const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
    snprintf(buf, len, "%s (version unknown)", base);
    int fd = tmpfile_fd();
    if (fd < 0) return;
    const char *argv[] = {prog, flag, NULL};
    pid_t pid = hb_real_spawn(argv, NULL, fd, fd, NULL);
    hb_real_exit x;
    if (pid < 0 || hb_real_wait(pid, &x) != 0) {
        close(fd);
        return;
    }
    char line[256] = "";
    ssize_t n = pread(fd, line, sizeof line - 1, 0);
    close(fd);
    if (n <= 0) return;
    line[n] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    char *copyright = strstr(line, "  Copyright"); /* lua's banner */
    if (copyright) *copyright = '\0';
    /* "Python 3.11.2" names itself; "3.40.1 2022-12-28 ..." (sqlite3) does
     * not: then the program's name goes first. */
    char stem[64];
    size_t k = 0;
    while (base[k] && k < sizeof stem - 1 && ((base[k] | 32) >= 'a' && (base[k] | 32) <= 'z'))
        stem[k] = base[k], k++;
    stem[k] = '\0';
    if (k > 0 && strcasestr(line, stem))
        snprintf(buf, len, "%s", line);
    else
        snprintf(buf, len, "%s %s", base, line);
}

int hb_real_env_init(hb_real_env *env, hb_gb_state *st, const char *prog, const char *package,
                     const char *version_flag) {
    memset(env, 0, sizeof *env);
    const hb_adapter *ad = hb_rt.ad;
    if (!hb_adapter_preload(ad, env->preload, sizeof env->preload)) {
        if (strcmp(ad->name, "system") != 0) {
            skip(st, "adapter '%s' has no LD_PRELOAD library, so it cannot serve an unmodified "
                     "program (only 'system' runs programs on their own libc malloc)",
                 ad->name);
            return -1;
        }
        env->preload[0] = '\0';
    } else if (strchr(env->preload, '/') && access(env->preload, R_OK) != 0) {
        skip(st, "adapter '%s': preload library %s is missing (is it built?)", ad->name,
             env->preload);
        return -1;
    }
    if (hb_real_require(st, prog, package) != 0) return -1;
    if (find_inputs(env->inputs, sizeof env->inputs) != 0) {
        skip(st, "cannot find the shipped inputs (real/inputs next to the build folder's parent); "
                 "set HB_REAL_DIR to the real/inputs folder");
        return -1;
    }
    if (version_flag) read_version(prog, version_flag, env->version, sizeof env->version);
    return 0;
}

/* NULL-terminated copy of environ without LD_PRELOAD, plus LD_PRELOAD=... */
static char **child_environ(const char *preload, char *slot, size_t slot_len) {
    size_t n = 0;
    while (environ[n]) n++;
    char **envp = calloc(n + 2, sizeof *envp);
    if (!envp) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0) envp[k++] = environ[i];
    if (preload && *preload) {
        snprintf(slot, slot_len, "LD_PRELOAD=%s", preload);
        envp[k++] = slot;
    }
    envp[k] = NULL;
    return envp;
}

pid_t hb_real_spawn(const char *const argv[], const char *preload, int out_fd, int err_fd,
                    const char *cwd) {
    char slot[4200];
    char **envp = child_environ(preload, slot, sizeof slot);
    if (!envp) return -1;
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) {
        free(envp);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* Child: async-signal-safe calls only. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(null_fd, 0) < 0 || dup2(out_fd >= 0 ? out_fd : null_fd, 1) < 0 ||
            dup2(err_fd >= 0 ? err_fd : null_fd, 2) < 0)
            _exit(127);
        if (cwd && chdir(cwd) != 0) _exit(127);
        execve(argv[0], (char *const *)argv, envp);
        _exit(127);
    }
    int saved = errno;
    close(null_fd);
    free(envp);
    errno = saved;
    return pid;
}

int hb_real_wait(pid_t pid, hb_real_exit *x) {
    memset(&x->ru, 0, sizeof x->ru);
    for (;;) {
        pid_t r = wait4(pid, &x->status, 0, &x->ru);
        if (r == pid) return 0;
        if (r < 0 && errno != EINTR) return -1;
    }
}

void hb_real_stop(pid_t pid, int grace_ms, hb_real_exit *x) {
    hb_real_exit local;
    if (!x) x = &local;
    memset(&x->ru, 0, sizeof x->ru);
    kill(pid, SIGTERM);
    for (int waited = 0; waited < grace_ms; waited += 5) {
        pid_t r = wait4(pid, &x->status, WNOHANG, &x->ru);
        if (r == pid || (r < 0 && errno == ECHILD)) return;
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    }
    kill(pid, SIGKILL);
    hb_real_wait(pid, x);
}

static char *read_fd(int fd, size_t *len);

int hb_real_scan_stderr(int fd, char *tail, size_t tail_len) {
    size_t n = 0;
    char *all = read_fd(fd, &n);
    tail[0] = '\0';
    if (!all) return 0;
    int refused = strstr(all, "cannot be preloaded") != NULL;
    size_t t = n < tail_len - 1 ? n : tail_len - 1;
    memcpy(tail, all + n - t, t);
    tail[t] = '\0';
    while (t > 0 && (tail[t - 1] == '\n' || tail[t - 1] == ' ')) tail[--t] = '\0';
    for (size_t i = 0; i < t; i++)
        if (tail[i] == '\n') tail[i] = ' ';
    free(all);
    return refused;
}

char *hb_real_read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return NULL;
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t have = 0;
    while (buf && have < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + have, (size_t)sb.st_size - have);
        if (n <= 0) break;
        have += (size_t)n;
    }
    close(fd);
    if (!buf) return NULL;
    buf[have] = '\0';
    if (len) *len = have;
    return buf;
}

static char *read_fd(int fd, size_t *len) {
    struct stat sb;
    if (fstat(fd, &sb) != 0) return NULL;
    char *buf = malloc((size_t)sb.st_size + 1);
    if (!buf) return NULL;
    ssize_t n = sb.st_size ? pread(fd, buf, (size_t)sb.st_size, 0) : 0;
    if (n < 0) n = 0;
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

int hb_real_run(const hb_real_env *env, const char *const argv[], const char *cwd,
                hb_real_exit *x) {
    memset(x, 0, sizeof *x);
    int out = tmpfile_fd(), err = tmpfile_fd();
    pid_t pid = -1;
    if (out >= 0 && err >= 0) pid = hb_real_spawn(argv, env->preload, out, err, cwd);
    int rc = -1;
    if (pid > 0 && hb_real_wait(pid, x) == 0) {
        x->out = read_fd(out, &x->out_len);
        x->preload_refused = hb_real_scan_stderr(err, x->err_tail, sizeof x->err_tail);
        rc = x->out ? 0 : -1;
    }
    if (out >= 0) close(out);
    if (err >= 0) close(err);
    return rc;
}

int hb_real_ran_ok(const hb_real_exit *x, const char *what, char *msg, size_t len) {
    if (x->preload_refused) {
        snprintf(msg, len, "%s: the dynamic linker refused the preload: %s", what, x->err_tail);
        return 0;
    }
    if (WIFEXITED(x->status) && WEXITSTATUS(x->status) == 0) return 1;
    if (WIFSIGNALED(x->status))
        snprintf(msg, len, "%s killed by signal %d (%s); stderr: %s", what, WTERMSIG(x->status),
                 strsignal(WTERMSIG(x->status)), x->err_tail);
    else
        snprintf(msg, len, "%s exited with status %d; stderr: %s", what, WEXITSTATUS(x->status),
                 x->err_tail);
    return 0;
}

void hb_real_account(hb_real_env *env, const hb_real_exit *x) {
    uint64_t rss = (uint64_t)x->ru.ru_maxrss * 1024u;
    if (rss > env->peak_rss_bytes) env->peak_rss_bytes = rss;
    env->user_s += (double)x->ru.ru_utime.tv_sec + (double)x->ru.ru_utime.tv_usec * 1e-6;
    env->sys_s += (double)x->ru.ru_stime.tv_sec + (double)x->ru.ru_stime.tv_usec * 1e-6;
    env->runs++;
}

void hb_real_report(hb_gb_state *st, const hb_real_env *env) {
    if (env->runs > 0) {
        hb_gb_counter(st, "program_peak_rss_bytes", (double)env->peak_rss_bytes, HB_GB_DEFAULT);
        hb_gb_counter(st, "program_user_s", env->user_s / (double)env->runs, HB_GB_DEFAULT);
        hb_gb_counter(st, "program_sys_s", env->sys_s / (double)env->runs, HB_GB_DEFAULT);
    }
    char label[4400];
    snprintf(label, sizeof label, "%s; LD_PRELOAD=%s", env->version,
             env->preload[0] ? env->preload : "none");
    hb_gb_set_label(st, label);
}

void hb_real_exit_free(hb_real_exit *x) {
    free(x->out);
    x->out = NULL;
    x->out_len = 0;
}

int hb_real_tmpdir(char *buf, size_t len) {
    const char *dir = getenv("TMPDIR");
    if (snprintf(buf, len, "%s/hb-real-XXXXXX", dir && *dir ? dir : "/tmp") >= (int)len) return -1;
    return mkdtemp(buf) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void hb_real_rmtree(const char *dir) {
    if (dir && *dir) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
