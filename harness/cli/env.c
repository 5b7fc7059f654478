/*
 * env.c — environment capture for run.json's meta (see env.h); `compare`
 * sets two runs' captures side by side (compare_env.c).
 */
#define _GNU_SOURCE
#include "env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

#ifndef HB_VERSION
#define HB_VERSION "0"
#endif
#ifndef HB_COMPILER
#define HB_COMPILER "unknown"
#endif
#ifndef HB_CFLAGS
#define HB_CFLAGS ""
#endif
#ifndef HB_BUILD_TYPE
#define HB_BUILD_TYPE ""
#endif

static int read_line(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok) return -1;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

static void cpu_model(char *buf, size_t len) {
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10)) continue;
        char *c = strchr(line, ':');
        if (!c) continue;
        c++;
        while (*c == ' ') c++;
        c[strcspn(c, "\n")] = 0;
        snprintf(buf, len, "%s", c);
        break;
    }
    fclose(f);
}

/* The distribution, from /etc/os-release's PRETTY_NAME ("Debian GNU/Linux 12 (bookworm)"). */
static void os_release(char *buf, size_t len) {
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/etc/os-release", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "PRETTY_NAME=", 12)) continue;
        char *v = line + 12;
        v[strcspn(v, "\n")] = 0;
        size_t n = strlen(v);
        if (n >= 2 && v[0] == '"' && v[n - 1] == '"') v[n - 1] = 0, v++;
        snprintf(buf, len, "%s", v);
        break;
    }
    fclose(f);
}

static void warn(json_t *meta, const char *msg) {
    json_t *w = json_object_get(meta, "warnings");
    if (!json_is_array(w)) json_object_set_new(meta, "warnings", w = json_array());
    json_array_append_new(w, json_string(msg));
}

void cli_env_capture(json_t *meta) {
    char buf[512];
    struct utsname u;
    if (uname(&u) == 0) {
        json_object_set_new(meta, "host", json_string(u.nodename));
        snprintf(buf, sizeof buf, "%s %s %s", u.sysname, u.release, u.machine);
        json_object_set_new(meta, "kernel", json_string(buf));
    }
    os_release(buf, sizeof buf);
    json_object_set_new(meta, "os", json_string(buf));
    cpu_model(buf, sizeof buf);
    json_object_set_new(meta, "cpu_model", json_string(buf));
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    json_object_set_new(meta, "cores", json_integer(online));
    char gov[64] = "";
    if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof gov) == 0) {
        json_object_set_new(meta, "governor", json_string(gov));
        if (strcmp(gov, "performance")) {
            snprintf(buf, sizeof buf,
                     "CPU frequency governor is '%s', not 'performance': timings may vary with "
                     "frequency scaling",
                     gov);
            warn(meta, buf);
        }
    } else {
        json_object_set_new(meta, "governor", json_null());
    }
    char mhz[64];
    if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq", mhz, sizeof mhz) == 0)
        json_object_set_new(meta, "max_freq_khz", json_integer(atol(mhz)));
    double load[3];
    if (getloadavg(load, 3) == 3) {
        json_object_set_new(meta, "load_average", json_pack("[f,f,f]", load[0], load[1], load[2]));
        if (online > 0 && load[0] > 0.5 * (double)online) {
            snprintf(buf, sizeof buf,
                     "the machine is busy (1-minute load average %.2f on %ld cores): timings "
                     "will be noisy",
                     load[0], online);
            warn(meta, buf);
        }
    }
    json_object_set_new(meta, "compiler", json_string(HB_COMPILER));
    json_object_set_new(meta, "cflags", json_string(HB_CFLAGS));
    json_object_set_new(meta, "build_type", json_string(HB_BUILD_TYPE));
    json_object_set_new(meta, "heapbench_version", json_string(HB_VERSION));
    char commit[64], shortc[32];
    int dirty;
    cli_git_info(commit, sizeof commit, shortc, sizeof shortc, &dirty);
    json_object_set_new(meta, "git_commit", json_string(commit));
    json_object_set_new(meta, "git_dirty", dirty < 0 ? json_null() : json_boolean(dirty));
    if (dirty > 0) warn(meta, "the source tree has uncommitted changes: the commit alone does not reproduce this run");
}

char *cli_command_line(int argc, char **argv) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    for (int i = 0; i < argc; i++) {
        if (i) fputc(' ', f);
        if (strpbrk(argv[i], " \t'\"*?$")) {
            fputc('\'', f);
            for (const char *p = argv[i]; *p; p++) {
                if (*p == '\'') fputs("'\\''", f);
                else fputc(*p, f);
            }
            fputc('\'', f);
        } else {
            fputs(argv[i], f);
        }
    }
    fclose(f);
    return buf;
}
