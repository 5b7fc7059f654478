/*
 * gitinfo.c — which code this heapbench was built from.
 *
 * The commit and whether the tree had uncommitted changes are stamped into
 * hb_gitstamp.h at build time (cmake/gitstamp.cmake runs on every build), not
 * asked of git at run time: an installed copy has no tree to ask, and a build
 * tree whose sources changed since the last build would otherwise name code
 * that was never compiled.
 */
#include <stdio.h>

#include "hb_gitstamp.h"
#include "util.h"

void cli_git_info(char *commit, size_t clen, char *shortc, size_t slen, int *dirty) {
    snprintf(commit, clen, "%s", HB_GIT_COMMIT);
    snprintf(shortc, slen, "%s", HB_GIT_SHORT);
    *dirty = HB_GIT_DIRTY;
}
