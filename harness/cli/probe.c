/*
 * probe.c — run `hb-<adapter> info` and parse what it says (see probe.h).
 */
#define _GNU_SOURCE
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapter_resolve.h"
#include "child.h"
#include "util.h"

#ifndef HB_ADAPTER_LIST
#define HB_ADAPTER_LIST "system"
#endif

const char *cli_adapters_built(void) {
    const char *e = getenv("HB_ADAPTERS");
    return e && *e ? e : HB_ADAPTER_LIST;
}

json_t *cli_probe_info(const char *name, char *err, size_t errlen) {
    char exe[4096];
    cli_adapter_exe(name, exe, sizeof exe);
    if (access(exe, X_OK) != 0) {
        snprintf(err, errlen, "no executable %s (adapters built: %s)", exe, cli_adapters_built());
        return NULL;
    }
    char tmpl[] = "/tmp/heapbench-info-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file");
        return NULL;
    }
    close(fd);
    const char *argv[] = {exe, "info", NULL};
    cli_child_opts o = {.argv = argv, .env_add = cli_adapter_env(name), .stdout_path = tmpl, .stderr_path = NULL, .timeout_s = 30};
    cli_child_result r;
    json_t *info = NULL;
    if (cli_child_run(&o, &r) != 0) {
        snprintf(err, errlen, "%s info could not start: %s", exe, strerror(r.exit_code));
    } else if (r.end != CLI_CHILD_EXITED || r.exit_code != 0) {
        snprintf(err, errlen, "%s info failed (%s %d)", exe,
                 r.end == CLI_CHILD_SIGNALED ? "signal" : r.end == CLI_CHILD_TIMEOUT ? "timeout" : "exit",
                 r.end == CLI_CHILD_SIGNALED ? r.signal : r.exit_code);
    } else {
        json_error_t je;
        info = json_load_file(tmpl, 0, &je);
        if (!info || !json_is_object(info) || !json_is_array(json_object_get(info, "workloads"))) {
            snprintf(err, errlen, "%s info printed no valid JSON (line %d: %s)", exe, je.line, je.text);
            json_decref(info);
            info = NULL;
        }
    }
    unlink(tmpl);
    return info;
}

int cli_info_has_cap(json_t *info, const char *cap) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(info, "caps"), i, c) if (json_is_string(c) &&
                                                                !strcmp(json_string_value(c), cap)) return 1;
    return 0;
}

json_t *cli_info_workload(json_t *info, const char *name) {
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(info, "workloads"), i, w) {
        const char *n = json_string_value(json_object_get(w, "name"));
        if (n && !strcmp(n, name)) return w;
    }
    return NULL;
}
