/*
 * binding.h — "which library serves the malloc family of this process?",
 * for adapters whose allocator replaces malloc from a shared library
 * (adapters/preload.c under LD_PRELOAD, adapters/scudo.c linked).
 *
 * Each of the seven entry points is looked up as the program binds it
 * (dlsym(RTLD_DEFAULT), the global scope: the executable, then LD_PRELOAD
 * libraries, then its DT_NEEDED libraries) and dladdr() names the shared
 * object that defines it. A library that interposes only part of the family
 * leaves the rest to glibc: a block from one freed by the other corrupts
 * both heaps, so a selfcheck refuses it and names what is missing.
 */
#ifndef HB_ADAPTERS_BINDING_H
#define HB_ADAPTERS_BINDING_H

#include <stddef.h>

/* The malloc family a replacement must interpose, in this order. */
#define HB_BIND_NFAMILY 7
extern const char *const hb_bind_family[HB_BIND_NFAMILY];

/* 1 when the symbol `name`, as this process binds it, is defined in the
 * file `lib` (compared by device and inode, so any path to it will do). */
int hb_bind_in(const char *name, const char *lib);

/* Check the whole family against `lib`. Returns 0 when every member binds
 * there; else -1 and writes "missing: NAME (bound to WHERE), ..." into msg. */
int hb_bind_check(const char *lib, char *msg, size_t len);

/* The ELF build-id (hex) of the loaded object whose path is `lib`, read
 * from its PT_NOTE segments in memory; "" when it has none. */
const char *hb_bind_build_id(const char *lib, char *buf, size_t len);

#endif
