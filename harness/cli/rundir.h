/*
 * rundir.h — a run's output folder, owned by one heapbench at a time.
 *
 * Why: two runs into one folder overwrite each other's raw files, and a
 * `--resume DIR` while DIR's run is still going redoes its cells. A run
 * therefore holds an exclusive flock on DIR/.lock for as long as it writes
 * there; a second run into DIR is refused. Default folder names
 * (<results>/<date>-<time>-<commit>[-dirty][-N]) are created with mkdir,
 * which fails if the name exists, and get the next -N until one is new, so
 * two runs started in the same second never share one.
 */
#ifndef HEAPBENCH_CLI_RUNDIR_H
#define HEAPBENCH_CLI_RUNDIR_H

#include <stddef.h>

/* Creates a new default folder under root; its path in dir. 0, or -1 with
 * a message. */
int cli_rundir_create_default(const char *root, char *dir, size_t dirlen, char *err, size_t errlen);

/* Creates dir (mkdir -p) and takes the lock on dir/.lock without waiting.
 * Returns the lock's file descriptor (close-on-exec; held until closed or
 * the process ends), or -1 with a message naming the folder: when another
 * heapbench holds it, or the folder cannot be created. */
int cli_rundir_lock(const char *dir, char *err, size_t errlen);

#endif
