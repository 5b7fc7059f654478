/*
 * child.c — spawn a child with a timeout, in its own process group, and
 * collect its rusage with wait4 (see child.h).
 *
 * The parent polls waitpid(WNOHANG) with a short sleep rather than using
 * SIGCHLD + signalfd: simple, no global handler state, and the poll period
 * (1 ms growing to 20 ms) is far below any cell's duration.
 */
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t running_pgid;
static volatile sig_atomic_t interrupted;

static void forward(int sig) {
    interrupted = sig;
    if (running_pgid > 0) kill(-(pid_t)running_pgid, sig);
}

void hb_child_install_signal_forwarding(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int hb_child_interrupted(void) { return interrupted; }

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse_cpus(const char *s, cpu_set_t *set) {
    CPU_ZERO(set);
    if (!s || !*s) return -1;
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10);
        if (end == s || a < 0 || a >= CPU_SETSIZE) return -1;
        long b = a;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a || b >= CPU_SETSIZE) return -1;
            s = end;
        }
        for (long c = a; c <= b; c++) CPU_SET((int)c, set);
        if (*s == ',') s++;
        else if (*s) return -1;
    }
    return 0;
}

int hb_cpulist_valid(const char *cpus) {
    cpu_set_t set;
    return parse_cpus(cpus, &set) == 0;
}

static void redirect(int fd, const char *path) {
    int f = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f < 0) f = open("/dev/null", O_WRONLY);
    if (f >= 0 && f != fd) {
        dup2(f, fd);
        close(f);
    }
}

int hb_child_run(const hb_child_opts *o, hb_child_result *res) {
    memset(res, 0, sizeof *res);
    cpu_set_t set;
    int pin = o->cpus && parse_cpus(o->cpus, &set) == 0;
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) {
        res->end = HB_CHILD_SPAWN_FAILED;
        res->exit_code = errno;
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        res->end = HB_CHILD_SPAWN_FAILED;
        res->exit_code = errno;
        close(errpipe[0]);
        close(errpipe[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (!o->inherit_stdio) {
            redirect(STDOUT_FILENO, o->stdout_path);
            if (o->stderr_path && o->stdout_path && !strcmp(o->stderr_path, o->stdout_path))
                dup2(STDOUT_FILENO, STDERR_FILENO);
            else
                redirect(STDERR_FILENO, o->stderr_path);
        }
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0) {
            dup2(in, STDIN_FILENO);
            close(in);
        }
        if (pin && sched_setaffinity(0, sizeof set, &set) != 0) {
            int e = errno;
            (void)!write(errpipe[1], &e, sizeof e);
            _exit(127);
        }
        for (const char *const *e = o->env_add; e && *e; e++) putenv((char *)*e);
        execvp(o->argv[0], (char *const *)o->argv);
        int e = errno;
        (void)!write(errpipe[1], &e, sizeof e);
        _exit(127);
    }
    setpgid(pid, pid); /* both sides, so there is no race with kill(-pid) */
    running_pgid = pid;
    close(errpipe[1]);
    int child_errno = 0;
    ssize_t got = read(errpipe[0], &child_errno, sizeof child_errno);
    close(errpipe[0]);

    int status = 0, timed_out = 0;
    double kill_at = o->timeout_s > 0 ? t0 + o->timeout_s : 0, term_sent = 0;
    long sleep_ns = 1000000;
    for (;;) {
        pid_t r = wait4(pid, &status, WNOHANG, &res->ru);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) break;
        double t = now_s();
        if (kill_at > 0 && t >= kill_at) {
            if (!term_sent) {
                timed_out = 1;
                kill(-pid, SIGTERM);
                term_sent = t;
            } else if (t - term_sent > 1.0) {
                kill(-pid, SIGKILL);
            }
        }
        struct timespec ts = {0, sleep_ns};
        nanosleep(&ts, NULL);
        if (sleep_ns < 20000000) sleep_ns += sleep_ns / 2;
    }
    /* Grandchildren left behind in the group go too. */
    kill(-pid, SIGKILL);
    running_pgid = 0;
    res->wall_s = now_s() - t0;
    res->peak_rss_bytes = (int64_t)res->ru.ru_maxrss * 1024;
    if (got == (ssize_t)sizeof child_errno && child_errno) {
        res->end = HB_CHILD_SPAWN_FAILED;
        res->exit_code = child_errno;
        return -1;
    }
    if (timed_out) res->end = HB_CHILD_TIMEOUT;
    else if (WIFSIGNALED(status)) {
        res->end = HB_CHILD_SIGNALED;
        res->signal = WTERMSIG(status);
    } else {
        res->end = HB_CHILD_EXITED;
        res->exit_code = WEXITSTATUS(status);
    }
    return 0;
}
