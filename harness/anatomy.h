/*
 * anatomy.h — the untimed memory-anatomy sampler (harness/anatomy.c) that
 * `hb-<adapter> bench --anatomy FILE` runs beside its workload.
 */
#ifndef HB_HARNESS_ANATOMY_H
#define HB_HARNESS_ANATOMY_H

#include <stddef.h>

#include "heapbench/adapter.h"

/* Turns the object API's counting on, writes the file's header and a first
 * sample, and starts the sampling thread; 0, or -1 with why in err. */
int hb_anatomy_start(const hb_adapter *ad, const char *path, long period_ms, char *err, size_t len);
/* Stops the thread, writes a last sample and closes the file (0: written). */
int hb_anatomy_finish(void);

#endif
