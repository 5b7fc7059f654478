/*
 * util.c — the shared helpers of the heapbench CLI (see util.h).
 */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef HB_SOURCE_DIR
#define HB_SOURCE_DIR "."
#endif

void cli_strv_push(cli_strv *s, const char *str) {
    if (s->n + 1 >= s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = strdup(str);
    s->v[s->n] = NULL;
}

void cli_strv_free(cli_strv *s) {
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

int cli_strv_has(const cli_strv *s, const char *str) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], str)) return 1;
    return 0;
}

void cli_split(const char *str, char sep, cli_strv *out) {
    const char *p = str;
    while (p && *p) {
        const char *e = strchr(p, sep);
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t')) p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        if (n) {
            char *item = strndup(p, n);
            cli_strv_push(out, item);
            free(item);
        }
        if (!e) break;
        p = e + 1;
    }
}

char *cli_fmt(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return s;
}

int cli_write_atomic(const char *path, const char *data, size_t len) {
    char *tmp = cli_fmt("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            errno = e;
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        errno = e;
        return -1;
    }
    free(tmp);
    char *dcopy = strdup(path);
    int dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dcopy);
    return 0;
}

char *cli_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) buf = realloc(buf, cap *= 2);
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

int cli_mkdir_p(const char *path) {
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
    if (!cli_is_dir(buf)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int cli_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folder of the running executable (/proc/self/exe). */
static const char *exe_dir(void) {
    static char dir[PATH_MAX];
    if (!dir[0]) {
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (n <= 0) return strcpy(dir, ".");
        dir[n] = 0;
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
    }
    return dir;
}

/* An installed copy: PREFIX/bin/heapbench next to PREFIX/libexec/heapbench/.
 * Invariant: decided from the executable's own location only, so a copy of
 * the install tree works wherever it is and never reaches the source tree. */
static const char *installed_prefix(void) {
    static char prefix[PATH_MAX];
    static int known;
    if (!known) {
        known = 1;
        const char *d = exe_dir(), *slash = strrchr(d, '/');
        char probe[PATH_MAX + 32];
        if (slash && !strcmp(slash, "/bin")) {
            snprintf(prefix, sizeof prefix, "%.*s", (int)(slash - d), d);
            snprintf(probe, sizeof probe, "%s/libexec/heapbench", prefix);
            if (!cli_is_dir(probe)) prefix[0] = 0;
        }
    }
    return prefix[0] ? prefix : NULL;
}

int cli_installed(void) { return installed_prefix() != NULL; }

const char *cli_bin_dir(void) {
    static char dir[PATH_MAX + 32];
    if (!dir[0]) {
        if (cli_installed()) snprintf(dir, sizeof dir, "%s/libexec/heapbench", installed_prefix());
        else snprintf(dir, sizeof dir, "%s", exe_dir());
    }
    return dir;
}


/* cli_adapter_exe: in adapter_resolve.c, which knows the NAME=PATH adapters. */

const char *cli_source_dir(void) {
    const char *e = getenv("HB_SOURCE_DIR");
    if (e && *e) return e;
    return cli_installed() ? cli_data_dir() : HB_SOURCE_DIR;
}

const char *cli_data_dir(void) {
    static char dir[PATH_MAX + 32];
    if (cli_installed()) {
        snprintf(dir, sizeof dir, "%s/share/heapbench", installed_prefix());
        return dir;
    }
    return cli_source_dir();
}

const char *cli_results_root(void) {
    static char buf[PATH_MAX];
    const char *e = getenv("HB_RESULTS_DIR");
    if (e && *e) return e;
    if (cli_installed()) return "results";
    snprintf(buf, sizeof buf, "%s/results", cli_source_dir());
    return buf;
}

const char *cli_history_db_path(void) {
    static char buf[PATH_MAX];
    const char *e = getenv("HB_HISTORY_DB");
    if (e && *e) return e;
    snprintf(buf, sizeof buf, "%s/history.db", cli_results_root());
    return buf;
}

void cli_time_iso(char *buf, size_t len) {
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

double cli_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_sanitize(const char *in, char *out, size_t len) {
    size_t i = 0;
    for (; *in && i + 1 < len; in++, i++) {
        char c = *in;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '=' || c == '-';
        out[i] = ok ? c : '_';
    }
    out[i] = 0;
}

int cli_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "heapbench %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

int cli_isatty_stderr(void) { return isatty(STDERR_FILENO); }
