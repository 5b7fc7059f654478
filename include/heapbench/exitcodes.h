/*
 * exitcodes.h — the child exit-status protocol, defined once.
 *
 * Every hb-<adapter> executable (bench_main.c for `info`/`selfcheck`/`bench`,
 * conformance/main.c for `conform`) ends with one of these, and the
 * `heapbench` CLI reads a child's status through hb_child_status_name().
 * A child killed by a signal is `crashed`; one the parent had to kill is
 * `timeout` — neither is an exit status.
 *
 * The CLI's own exit statuses are separate (harness/cli/cli.h): 0 success,
 * 1 something was found (a regression, a failed cell, a rule violation),
 * 2 bad usage or bad input.
 */
#ifndef HEAPBENCH_EXITCODES_H
#define HEAPBENCH_EXITCODES_H

enum hb_child_exit {
    HB_CHILD_OK = 0,              /* measured / every property passed or n/a */
    HB_CHILD_FAILED = 1,          /* conform: a property failed */
    HB_CHILD_USAGE = 2,           /* bad arguments to the child */
    HB_CHILD_INVALID = 3,         /* bench: a workload called hb_wl_fail */
    HB_CHILD_UNSUPPORTED = 4,     /* the adapter lacks what the workload needs */
    HB_CHILD_SELFCHECK = 5,       /* the allocator serving the process is not the one named */
    HB_CHILD_SETUP = 6,           /* the adapter or workload could not be set up */
};

/* The cell status a child's exit status stands for: "ok", "failed",
 * "usage-error", "failed-validation", "unsupported", "selfcheck-failed",
 * "setup-failed", or "error" for anything else. */
static inline const char *hb_child_status_name(int code) {
    switch (code) {
    case HB_CHILD_OK: return "ok";
    case HB_CHILD_FAILED: return "failed";
    case HB_CHILD_USAGE: return "usage-error";
    case HB_CHILD_INVALID: return "failed-validation";
    case HB_CHILD_UNSUPPORTED: return "unsupported";
    case HB_CHILD_SELFCHECK: return "selfcheck-failed";
    case HB_CHILD_SETUP: return "setup-failed";
    default: return "error";
    }
}

#endif
