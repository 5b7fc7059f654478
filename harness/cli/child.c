/*
 * child.c — spawn a child with a timeout, in its own process group, and
 * collect its rusage with wait4 (see child.h).
 *
 * The parent polls waitpid(WNOHANG) with a short sleep rather than using
 * SIGCHLD + signalfd: simple, no global handler state, and the poll period
 * (1 ms growing to 20 ms, or to the RSS sampling period when shorter) is far
 * below any cell's duration. While it waits it samples the child's RSS from
 * /proc/PID/statm (see child.h for why the parent does it).
 */
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

void cli_child_install_signal_forwarding(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_child_interrupted(void) { return interrupted; }

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

int cli_cpulist_valid(const char *cpus) {
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

/* In the forked child: die with the parent, set up stdio, CPUs, the
 * backstop alarm and the environment, then exec. Never returns. */
static void child_exec(const cli_child_opts *o, pid_t parent, int errfd, const cpu_set_t *pin) {
    setpgid(0, 0);
    /* Die with heapbench; if it is already gone, we were reparented. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
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
    if (pin && sched_setaffinity(0, sizeof *pin, pin) != 0) {
        int e = errno;
        (void)!write(errfd, &e, sizeof e);
        _exit(127);
    }
    if (o->timeout_s > 0) alarm((unsigned)ceil(o->timeout_s) + CLI_CHILD_BACKSTOP_S);
    for (const char *const *e = o->env_add; e && *e; e++) putenv((char *)*e);
    execvp(o->argv[0], (char *const *)o->argv);
    int e = errno;
    (void)!write(errfd, &e, sizeof e);
    _exit(127);
}

/* The RSS sampler: /proc/PID/statm read with the file kept open. */
typedef struct rss_sampler {
    int statm, out;
    double t0, period, next;
    long page;
} rss_sampler;

static void rss_open(rss_sampler *s, const cli_child_opts *o, pid_t pid, double t0) {
    *s = (rss_sampler){.statm = -1, .out = -1};
    if (o->rss_sample_ms <= 0 || !o->rss_out) return;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
    s->statm = open(path, O_RDONLY | O_CLOEXEC);
    s->out = open(o->rss_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    s->t0 = s->next = t0;
    s->period = o->rss_sample_ms / 1000.0;
    s->page = sysconf(_SC_PAGESIZE);
}

/* One sample when it is due; a zombie's statm reads 0 and is skipped. */
static void rss_sample(rss_sampler *s, double t) {
    if (s->statm < 0 || s->out < 0 || t < s->next) return;
    s->next = t + s->period;
    char buf[256];
    ssize_t n = pread(s->statm, buf, sizeof buf - 1, 0);
    unsigned long long size, resident;
    if (n <= 0) return;
    buf[n] = 0;
    if (sscanf(buf, "%llu %llu", &size, &resident) != 2 || resident == 0) return;
    dprintf(s->out, "%llu %llu\n", (unsigned long long)((t - s->t0) * 1e9), resident * (unsigned long long)s->page);
}

static void rss_close(rss_sampler *s) {
    if (s->statm >= 0) close(s->statm);
    if (s->out >= 0) close(s->out);
}

/* Waits for pid, enforcing the timeout (SIGTERM to the group, SIGKILL a
 * second later) and sampling RSS. Returns whether the timeout fired. */
static int wait_child(const cli_child_opts *o, pid_t pid, double t0, int *status, struct rusage *ru) {
    rss_sampler rs;
    rss_open(&rs, o, pid, t0);
    int timed_out = 0;
    double kill_at = o->timeout_s > 0 ? t0 + o->timeout_s : 0, term_sent = 0;
    long sleep_ns = 1000000, cap_ns = 20000000;
    if (rs.statm >= 0 && o->rss_sample_ms < 20) cap_ns = o->rss_sample_ms * 1000000L;
    for (;;) {
        pid_t r = wait4(pid, status, WNOHANG, ru);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) break;
        double t = now_s();
        rss_sample(&rs, t);
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
        if (sleep_ns < cap_ns) sleep_ns = sleep_ns + sleep_ns / 2 < cap_ns ? sleep_ns + sleep_ns / 2 : cap_ns;
    }
    rss_close(&rs);
    /* The child's own backstop alarm ended it (the parent could not act). */
    if (kill_at > 0 && now_s() >= kill_at && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGALRM) timed_out = 1;
    return timed_out;
}

static int spawn_failed(cli_child_result *res, int err) {
    res->end = CLI_CHILD_SPAWN_FAILED;
    res->exit_code = err;
    return -1;
}

int cli_child_run(const cli_child_opts *o, cli_child_result *res) {
    memset(res, 0, sizeof *res);
    cpu_set_t set;
    int pin = o->cpus && parse_cpus(o->cpus, &set) == 0;
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) return spawn_failed(res, errno);
    fflush(stdout);
    fflush(stderr);
    double t0 = now_s();
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        int e = errno;
        close(errpipe[0]);
        close(errpipe[1]);
        return spawn_failed(res, e);
    }
    if (pid == 0) child_exec(o, parent, errpipe[1], pin ? &set : NULL);
    res->pid = pid;
    setpgid(pid, pid); /* both sides, so there is no race with kill(-pid) */
    running_pgid = pid;
    close(errpipe[1]);
    int child_errno = 0, status = 0;
    ssize_t got = read(errpipe[0], &child_errno, sizeof child_errno);
    close(errpipe[0]);
    int timed_out = wait_child(o, pid, t0, &status, &res->ru);
    kill(-pid, SIGKILL); /* grandchildren left behind in the group go too */
    running_pgid = 0;
    res->wall_s = now_s() - t0;
    res->peak_rss_bytes = (int64_t)res->ru.ru_maxrss * 1024;
    if (got == (ssize_t)sizeof child_errno && child_errno) return spawn_failed(res, child_errno);
    if (timed_out) res->end = CLI_CHILD_TIMEOUT;
    else if (WIFSIGNALED(status)) {
        res->end = CLI_CHILD_SIGNALED;
        res->signal = WTERMSIG(status);
    } else {
        res->end = CLI_CHILD_EXITED;
        res->exit_code = WEXITSTATUS(status);
    }
    return 0;
}
