/*
 * real/redis — a Redis server (Debian's /usr/bin/redis-server) under the
 * allocator of the hb-<adapter> executable, driven over loopback by
 * redis-benchmark with a fixed request mix.
 *
 * Why: Redis is the most cited real program of allocator comparisons
 * (mimalloc-bench, jemalloc's and tcmalloc's own papers): a long-running
 * server whose keys, values, list nodes, client buffers and reply objects
 * are all small malloc'd blocks with a churning, growing heap.
 *
 * Per iteration: pick a free loopback port, start the server (untimed) with
 * persistence off (--save '' --appendonly no) in a private temporary
 * folder, wait until it answers PING; then the timed part,
 *   redis-benchmark -t set,get,lpush,lpop,incr -n N -r 100000 -d 64 -c C -q --csv
 * (redis-benchmark itself runs with no preload: it is the load, not the
 * program measured); then (untimed) read INFO commandstats and stop the
 * server: SIGTERM, then SIGKILL, always waited, on every path.
 * Validates: redis-benchmark exits 0 and reports a positive rate for each
 * of the five tests, and the server counted exactly N successful calls of
 * each command. Counters: the server's peak RSS and CPU (program_*) and
 * requests_per_second over the timed part.
 *
 * Debian's redis-server is linked with libjemalloc and calls the plain
 * malloc/free/realloc/calloc/malloc_usable_size, so a preload serves all
 * of them; under `system` (no preload) Redis runs on its own jemalloc.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "heapbench/workload.h"
#include "real_common.h"

#define SERVER "/usr/bin/redis-server"
#define BENCHMARK "/usr/bin/redis-benchmark"

static const hb_param params[] = {
    {"scale", 20000, 2000000, "requests per command (N of redis-benchmark -n)", 1, 1000000000},
    {"clients", 50, 50, "parallel connections (redis-benchmark -c)", 1, 10000},
    {"value_size", 64, 64, "bytes per SET/GET value (redis-benchmark -d)", 1, 1048576},
};

/* The mix, as redis-benchmark's -t names them and as INFO commandstats. */
static const char *const tests[] = {"set", "get", "lpush", "lpop", "incr"};
enum { NTESTS = sizeof tests / sizeof *tests };

/* A loopback port that was free a moment ago (Redis cannot bind port 0). */
static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* Sends one inline command and reads the reply into buf (NUL-terminated):
 * a status line, or a bulk string's payload. Returns its length, or -1. */
static ssize_t command(int port, const char *cmd, char *buf, size_t cap) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ssize_t got = -1;
    size_t have = 0, clen = strlen(cmd);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        send(fd, cmd, clen, MSG_NOSIGNAL) != (ssize_t)clen || send(fd, "\r\n", 2, MSG_NOSIGNAL) != 2)
        goto out;
    for (;;) {
        ssize_t n = recv(fd, buf + have, cap - 1 - have, 0);
        if (n <= 0) goto out;
        have += (size_t)n;
        buf[have] = '\0';
        char *eol = strstr(buf, "\r\n");
        if (!eol) {
            if (have == cap - 1) goto out;
            continue;
        }
        if (buf[0] != '$') { /* +PONG, -ERR ...: the line itself */
            *eol = '\0';
            got = eol - buf;
            goto out;
        }
        long blen = strtol(buf + 1, NULL, 10);
        size_t head = (size_t)(eol + 2 - buf);
        if (blen < 0 || head + (size_t)blen + 2 > cap - 1) goto out;
        if (have >= head + (size_t)blen) {
            memmove(buf, buf + head, (size_t)blen);
            buf[blen] = '\0';
            got = blen;
            goto out;
        }
    }
out:
    close(fd);
    return got;
}

typedef struct server {
    pid_t pid;
    int port;
    int log_fd; /* the server's stdout+stderr */
} server;

/* Starts redis-server under env's preload and waits (up to 10 s) until it
 * answers PING. 0, or with msg (the server is then already stopped) -2 when
 * the preload was refused, -1 on any other failure. */
static int server_start(server *sv, const hb_real_env *env, const char *dir, char *msg,
                        size_t len) {
    char logpath[4200], portbuf[16];
    snprintf(logpath, sizeof logpath, "%s/server.log", dir);
    for (int attempt = 0; attempt < 3; attempt++) {
        sv->port = free_port();
        if (sv->port <= 0) {
            snprintf(msg, len, "no free loopback port: %s", strerror(errno));
            return -1;
        }
        snprintf(portbuf, sizeof portbuf, "%d", sv->port);
        sv->log_fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (sv->log_fd < 0) {
            snprintf(msg, len, "cannot create %.300s: %s", logpath, strerror(errno));
            return -1;
        }
        const char *argv[] = {SERVER,         "--bind",       "127.0.0.1", "--port",
                              portbuf,        "--save",       "",          "--appendonly",
                              "no",           "--daemonize",  "no",        "--dir",
                              dir,            "--logfile",    "",          "--databases",
                              "1",            NULL};
        sv->pid = hb_real_spawn(argv, env->preload, sv->log_fd, sv->log_fd, dir);
        if (sv->pid < 0) {
            snprintf(msg, len, "cannot start " SERVER ": %s", strerror(errno));
            close(sv->log_fd);
            return -1;
        }
        char reply[256], tail[512];
        for (int waited = 0; waited < 10000; waited += 10) {
            hb_real_exit x;
            if (waitpid(sv->pid, &x.status, WNOHANG) == sv->pid) {
                hb_real_scan_stderr(sv->log_fd, tail, sizeof tail);
                close(sv->log_fd);
                sv->pid = -1;
                if (strstr(tail, "in use")) break; /* the port was taken: another one */
                snprintf(msg, len, "redis-server exited at start (status 0x%x): %s", x.status, tail);
                return -1;
            }
            if (command(sv->port, "PING", reply, sizeof reply) > 0 && !strcmp(reply, "+PONG")) {
                if (hb_real_scan_stderr(sv->log_fd, tail, sizeof tail)) {
                    snprintf(msg, len, "the dynamic linker refused the preload: %s", tail);
                    hb_real_stop(sv->pid, 0, NULL);
                    close(sv->log_fd);
                    sv->pid = -1;
                    return -2;
                }
                return 0;
            }
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        }
        if (sv->pid > 0) {
            hb_real_stop(sv->pid, 0, NULL);
            close(sv->log_fd);
            sv->pid = -1;
            snprintf(msg, len, "redis-server did not answer PING within 10 s");
            return -1;
        }
    }
    snprintf(msg, len, "redis-server could not bind a free port in 3 attempts");
    return -1;
}

/* INFO commandstats: each test's command ran exactly n times, none failed. */
static int check_commandstats(int port, int64_t n, char *msg, size_t len) {
    size_t cap = 1 << 16;
    char *info = malloc(cap);
    if (!info) return snprintf(msg, len, "out of memory"), -1;
    int rc = 0;
    if (command(port, "INFO commandstats", info, cap) <= 0) {
        snprintf(msg, len, "INFO commandstats got no answer");
        rc = -1;
    }
    for (int t = 0; rc == 0 && t < NTESTS; t++) {
        char key[64];
        snprintf(key, sizeof key, "cmdstat_%s:calls=", tests[t]);
        const char *p = strstr(info, key);
        long long calls = p ? strtoll(p + strlen(key), NULL, 10) : 0;
        const char *failed = p ? strstr(p, "failed_calls=") : NULL;
        const char *eol = p ? strchr(p, '\n') : NULL;
        long long nfailed = failed && (!eol || failed < eol) ? strtoll(failed + 13, NULL, 10) : 0;
        if (calls != n || nfailed != 0) {
            snprintf(msg, len, "the server counted %lld %s calls (%lld failed), expected %lld", calls,
                     tests[t], nfailed, (long long)n);
            rc = -1;
        }
    }
    free(info);
    return rc;
}

/* redis-benchmark --csv: "SET","165837.48",... one line per test. */
static int check_csv(const char *out, char *msg, size_t len) {
    for (int t = 0; t < NTESTS; t++) {
        char key[32];
        snprintf(key, sizeof key, "\"%s\",\"", tests[t]);
        for (char *k = key; *k; k++)
            if (*k >= 'a' && *k <= 'z') *k = (char)(*k - 'a' + 'A');
        const char *p = strstr(out, key);
        double rps = p ? strtod(p + strlen(key), NULL) : 0;
        if (!(rps > 0)) {
            snprintf(msg, len, "redis-benchmark reported no rate for %s: '%.200s'", tests[t], out);
            return -1;
        }
    }
    return 0;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int64_t n = hb_param_get(a, "scale"), clients = hb_param_get(a, "clients"),
            size = hb_param_get(a, "value_size");
    if (n < 1 || clients < 1 || clients > 10000 || size < 1 || size > (1 << 20)) {
        hb_gb_skip_with_error(st, "real/redis: scale >= 1, clients 1..10000, value_size 1..1M");
        return;
    }
    hb_real_env env;
    if (hb_real_env_init(&env, st, SERVER, "redis-server", "--version") != 0) return;
    if (hb_real_require(st, BENCHMARK, "redis-tools") != 0) return;
    char dir[4096], msg[1024];
    if (hb_real_tmpdir(dir, sizeof dir) != 0) {
        hb_gb_skip_with_error(st, "real/redis: cannot make a temporary folder");
        return;
    }
    char nbuf[32], cbuf[32], dbuf[32], portbuf[16], list[64] = "";
    snprintf(nbuf, sizeof nbuf, "%lld", (long long)n);
    snprintf(cbuf, sizeof cbuf, "%lld", (long long)clients);
    snprintf(dbuf, sizeof dbuf, "%lld", (long long)size);
    for (int t = 0; t < NTESTS; t++) {
        if (t) strcat(list, ",");
        strcat(list, tests[t]);
    }
    /* redis-benchmark is the load generator: it runs on no preload. */
    hb_real_env load = env;
    load.preload[0] = '\0';
    double requests = 0;
    while (hb_gb_keep_running(st)) {
        hb_gb_pause(st);
        server sv;
        int rc = server_start(&sv, &env, dir, msg, sizeof msg);
        if (rc != 0) {
            if (rc == -2) hb_gb_skip_with_error(st, msg);
            else hb_wl_fail(st, "real/redis: %s", msg);
            hb_gb_resume(st);
            break;
        }
        snprintf(portbuf, sizeof portbuf, "%d", sv.port);
        const char *argv[] = {BENCHMARK, "-h", "127.0.0.1", "-p", portbuf, "-t", list, "-n", nbuf,
                              "-r", "100000", "-d", dbuf, "-c", cbuf, "-q", "--csv", NULL};
        hb_gb_resume(st);
        hb_real_exit bx;
        int started = hb_real_run(&load, argv, dir, &bx) == 0;
        hb_gb_pause(st);
        int ok = started && hb_real_ran_ok(&bx, "redis-benchmark", msg, sizeof msg) &&
                 check_csv(bx.out, msg, sizeof msg) == 0 &&
                 check_commandstats(sv.port, n, msg, sizeof msg) == 0;
        if (!started) snprintf(msg, sizeof msg, "cannot start " BENCHMARK);
        hb_real_exit sx;
        hb_real_stop(sv.pid, 5000, &sx);
        hb_real_account(&env, &sx);
        /* Redis answers SIGTERM with a clean shutdown and exit status 0. */
        if (ok && !(WIFEXITED(sx.status) && WEXITSTATUS(sx.status) == 0)) {
            char tail[512];
            hb_real_scan_stderr(sv.log_fd, tail, sizeof tail);
            snprintf(msg, sizeof msg, "redis-server did not shut down cleanly (status 0x%x): %s",
                     sx.status, tail);
            ok = 0;
        }
        close(sv.log_fd);
        if (started) hb_real_exit_free(&bx);
        if (ok) requests += (double)(n * NTESTS);
        else hb_wl_fail(st, "real/redis: %s", msg);
        hb_gb_resume(st);
        if (hb_gb_error_occurred(st)) break;
    }
    hb_real_rmtree(dir);
    hb_gb_counter(st, "requests_per_second", requests, HB_GB_RATE);
    hb_real_report(st, &env);
}

static const hb_workload real_redis = {
    .name = "real/redis",
    .category = "real",
    .description = "Debian's redis-server under the adapter's allocator via LD_PRELOAD, driven "
                   "over loopback by redis-benchmark (SET, GET, LPUSH, LPOP, INCR; 64-byte "
                   "values, 100000 random keys); timed: the benchmark run; checked: exit 0, a "
                   "rate per test and the server's exact per-command call counts.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_MANUAL,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(real_redis);
