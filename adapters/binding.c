/*
 * binding.c — prove which shared object serves the malloc family of this
 * process (see binding.h). Used by hb-preload and hb-scudo.
 */
#define _GNU_SOURCE
#include "binding.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *const hb_bind_family[HB_BIND_NFAMILY] = {
    "malloc", "free", "calloc", "realloc", "posix_memalign", "aligned_alloc", "malloc_usable_size",
};

static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The file defining `name` as bound in this process, or "" (unbound). */
static const char *bound_file(const char *name) {
    void *fn = dlsym(RTLD_DEFAULT, name);
    Dl_info info;
    if (!fn || !dladdr(fn, &info) || !info.dli_fname) return "";
    return info.dli_fname;
}

int hb_bind_in(const char *name, const char *lib) {
    const char *where = bound_file(name);
    return where[0] && same_file(where, lib);
}

int hb_bind_check(const char *lib, char *msg, size_t len) {
    size_t off = 0;
    int missing = 0;
    msg[0] = '\0';
    for (int i = 0; i < HB_BIND_NFAMILY; i++) {
        if (hb_bind_in(hb_bind_family[i], lib)) continue;
        const char *where = bound_file(hb_bind_family[i]);
        int n = snprintf(msg + off, len - off, "%s%s (bound to %s)", missing ? ", " : "missing: ",
                         hb_bind_family[i], where[0] ? where : "nothing");
        if (n > 0 && (size_t)n < len - off) off += (size_t)n;
        missing++;
    }
    return missing ? -1 : 0;
}

typedef struct build_id_query {
    const char *lib;
    char *buf;
    size_t len;
} build_id_query;

/* Hex of the NT_GNU_BUILD_ID note among one PT_NOTE segment's notes. */
static int note_build_id(const char *p, size_t size, char *buf, size_t len) {
    size_t off = 0;
    while (off + sizeof(ElfW(Nhdr)) <= size) {
        const ElfW(Nhdr) *nh = (const void *)(p + off);
        size_t name = (nh->n_namesz + 3) & ~(size_t)3, desc = (nh->n_descsz + 3) & ~(size_t)3;
        const unsigned char *d = (const unsigned char *)(nh + 1) + name;
        if (off + sizeof *nh + name + desc > size) return 0;
        if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(nh + 1, "GNU", 4)) {
            for (size_t i = 0; i < nh->n_descsz && 2 * i + 2 < len; i++)
                snprintf(buf + 2 * i, 3, "%02x", d[i]);
            return 1;
        }
        off += sizeof *nh + name + desc;
    }
    return 0;
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    build_id_query *q = arg;
    if (!info->dlpi_name || !info->dlpi_name[0] || !same_file(info->dlpi_name, q->lib)) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_NOTE &&
            note_build_id((const char *)(info->dlpi_addr + ph->p_vaddr), ph->p_memsz, q->buf, q->len))
            return 1;
    }
    return 1;
}

const char *hb_bind_build_id(const char *lib, char *buf, size_t len) {
    build_id_query q = {lib, buf, len};
    if (len) buf[0] = '\0';
    dl_iterate_phdr(phdr_cb, &q);
    return buf;
}
