/*
 * rundir.c — a run's output folder and its lock (see rundir.h).
 */
#define _GNU_SOURCE
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int cli_rundir_create_default(const char *root, char *dir, size_t dirlen, char *err, size_t errlen) {
    char commit[64], shortc[32], stamp[32];
    int dirty;
    cli_git_info(commit, sizeof commit, shortc, sizeof shortc, &dirty);
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    if (cli_mkdir_p(root) != 0) {
        snprintf(err, errlen, "cannot create the results folder %s: %s", root, strerror(errno));
        return -1;
    }
    for (int n = 1; n < 1000; n++) {
        char suffix[16] = "";
        if (n > 1) snprintf(suffix, sizeof suffix, "-%d", n);
        snprintf(dir, dirlen, "%s/%s-%s%s%s", root, stamp, shortc, dirty > 0 ? "-dirty" : "", suffix);
        if (mkdir(dir, 0755) == 0) return 0; /* atomic: this name is ours */
        if (errno != EEXIST) {
            snprintf(err, errlen, "cannot create the output folder %s: %s", dir, strerror(errno));
            return -1;
        }
    }
    snprintf(err, errlen, "cannot find a free folder name under %s", root);
    return -1;
}

int cli_rundir_lock(const char *dir, char *err, size_t errlen) {
    char path[4096 + 16];
    if (cli_mkdir_p(dir) != 0) {
        snprintf(err, errlen, "cannot create the output folder %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create the lock file %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            snprintf(err, errlen, "%s is in use by another heapbench run (it holds %s); wait for it to end", dir, path);
        else
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
        return -1;
    }
    return fd;
}
