/*
 * adapter_spec.c — NAME=PATH adapters (see adapter_spec.h): parse the entry,
 * check the library file without loading it (an ELF shared object for this
 * machine that exports malloc), compute its identity (size, SHA-256 through
 * libcrypto, ELF build-id from its PT_NOTE segments, which malloc-family
 * symbols its .dynsym defines), and load it once in a child (hb-preload) for
 * its version and the binding selfcheck.
 *
 * The ELF reader trusts nothing in the file: every offset and size is
 * checked against the mapped length before it is read (elf_at).
 */
#define _GNU_SOURCE
#include "adapter_spec.h"

#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#if defined(__x86_64__)
#define HOST_EM EM_X86_64
#elif defined(__aarch64__)
#define HOST_EM EM_AARCH64
#elif defined(__riscv)
#define HOST_EM EM_RISCV
#elif defined(__powerpc64__)
#define HOST_EM EM_PPC64
#elif defined(__s390x__)
#define HOST_EM EM_S390
#else
#error "adapter_spec.c: add this machine's ELF e_machine"
#endif
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)

/* The malloc family a replacement must interpose (as adapters/binding.c). */
static const char *const family[] = {"malloc",         "free",          "calloc",
                                     "realloc",        "posix_memalign", "aligned_alloc",
                                     "malloc_usable_size"};
enum { NFAMILY = sizeof family / sizeof *family };

static const char *machine_name(unsigned m) {
    switch (m) {
    case EM_386: return "i386";
    case EM_X86_64: return "x86-64";
    case EM_ARM: return "arm";
    case EM_AARCH64: return "aarch64";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390";
    default: return "another architecture";
    }
}

/* ---- NAME=PATH ---- */

int cli_spec_is_spec(const char *arg) { return strchr(arg, '=') != NULL; }

static int in_list(const char *name, const char *list) {
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t k = comma ? (size_t)(comma - p) : strlen(p);
        if (k == n && !strncmp(p, name, n)) return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

int cli_spec_parse(const char *arg, const char *builtins, cli_adapter_spec *s, char *err, size_t len) {
    const char *eq = strchr(arg, '=');
    memset(s, 0, sizeof *s);
    if (!eq) return snprintf(err, len, "'%s': expected NAME=PATH", arg), -1;
    size_t n = (size_t)(eq - arg);
    if (n == 0) return snprintf(err, len, "'%s': the adapter name before '=' is empty", arg), -1;
    if (!eq[1]) return snprintf(err, len, "'%s': the library path after '=' is empty", arg), -1;
    if (n >= sizeof s->name)
        return snprintf(err, len, "'%s': the adapter name is longer than %zu characters", arg,
                        sizeof s->name - 1), -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)arg[i];
        if (!isalnum(c) && (i == 0 || (c != '-' && c != '_' && c != '.')))
            return snprintf(err, len, "'%s': adapter name '%.*s' may hold only letters, digits, "
                            "'-', '_' and '.', and must start with a letter or digit", arg, (int)n, arg), -1;
    }
    memcpy(s->name, arg, n);
    if (in_list(s->name, builtins))
        return snprintf(err, len, "'%s': '%s' is a built-in adapter; give the library another name",
                        arg, s->name), -1;
    if (strlen(eq + 1) >= sizeof s->path) return snprintf(err, len, "'%s': path too long", arg), -1;
    strcpy(s->path, eq + 1);
    return 0;
}

/* ---- the ELF file, mapped read-only ---- */

typedef struct elf_file {
    const unsigned char *p;
    size_t n;
} elf_file;

/* n bytes at off inside the file, or NULL when they are not all there. */
static const void *elf_at(const elf_file *f, uint64_t off, uint64_t n) {
    if (off > f->n || n > f->n - off) return NULL;
    return f->p + off;
}

static int elf_map(const char *path, elf_file *f, char *why, size_t len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, len, "cannot be read: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    f->n = (size_t)st.st_size;
    f->p = f->n ? mmap(NULL, f->n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (f->n && f->p == MAP_FAILED) return snprintf(why, len, "cannot be mapped: %s", strerror(errno)), -1;
    return 0;
}

static void elf_unmap(elf_file *f) {
    if (f->n && f->p) munmap((void *)f->p, f->n);
}

/* The ELF header when the file is an ELF shared object for this machine;
 * else NULL and why not. */
static const ElfW(Ehdr) *elf_header(const elf_file *f, char *why, size_t len) {
    const unsigned char *id = elf_at(f, 0, EI_NIDENT);
    if (!id || memcmp(id, ELFMAG, SELFMAG) != 0)
        return snprintf(why, len, "is not an ELF file (no \\177ELF magic), so not a shared library"), NULL;
    if (id[EI_CLASS] != HOST_CLASS)
        return snprintf(why, len, "is a %d-bit ELF object; this machine runs %d-bit programs (wrong architecture)",
                        id[EI_CLASS] == ELFCLASS32 ? 32 : 64, HOST_CLASS == ELFCLASS64 ? 64 : 32), NULL;
    const ElfW(Ehdr) *eh = elf_at(f, 0, sizeof *eh);
    if (!eh) return snprintf(why, len, "is a truncated ELF file"), NULL;
    if (eh->e_machine != HOST_EM)
        return snprintf(why, len, "is built for %s (e_machine %u), not %s (wrong architecture)",
                        machine_name(eh->e_machine), eh->e_machine, machine_name(HOST_EM)), NULL;
    if (eh->e_type != ET_DYN)
        return snprintf(why, len, "is an ELF %s, not a shared object",
                        eh->e_type == ET_EXEC ? "executable" : eh->e_type == ET_REL ? "relocatable object (.o)"
                                                                                    : "file of another type"), NULL;
    return eh;
}

/* The i-th program header, or NULL. */
static const ElfW(Phdr) *elf_phdr(const elf_file *f, const ElfW(Ehdr) *eh, int i) {
    if (eh->e_phentsize != sizeof(ElfW(Phdr))) return NULL;
    return elf_at(f, eh->e_phoff + (uint64_t)i * sizeof(ElfW(Phdr)), sizeof(ElfW(Phdr)));
}

/* 1 when the dynamic section carries DF_1_PIE: an executable built as PIE. */
static int elf_is_pie(const elf_file *f, const ElfW(Ehdr) *eh) {
    for (int i = 0; i < eh->e_phnum; i++) {
        const ElfW(Phdr) *ph = elf_phdr(f, eh, i);
        if (!ph || ph->p_type != PT_DYNAMIC) continue;
        const ElfW(Dyn) *d = elf_at(f, ph->p_offset, ph->p_filesz);
        for (size_t k = 0; d && k < ph->p_filesz / sizeof *d && d[k].d_tag != DT_NULL; k++)
            if (d[k].d_tag == DT_FLAGS_1 && (d[k].d_un.d_val & DF_1_PIE)) return 1;
    }
    return 0;
}

/* The GNU build-id in hex from the PT_NOTE segments, or "" when none. */
static void elf_build_id(const elf_file *f, const ElfW(Ehdr) *eh, char *out, size_t len) {
    out[0] = '\0';
    for (int i = 0; i < eh->e_phnum; i++) {
        const ElfW(Phdr) *ph = elf_phdr(f, eh, i);
        if (!ph || ph->p_type != PT_NOTE) continue;
        for (uint64_t off = ph->p_offset; off + sizeof(ElfW(Nhdr)) <= ph->p_offset + ph->p_filesz;) {
            const ElfW(Nhdr) *nh = elf_at(f, off, sizeof *nh);
            if (!nh) break;
            uint64_t name = (nh->n_namesz + 3ull) & ~3ull, desc = (nh->n_descsz + 3ull) & ~3ull;
            const unsigned char *nm = elf_at(f, off + sizeof *nh, name + desc);
            if (!nm) break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(nm, "GNU", 4)) {
                for (size_t k = 0; k < nh->n_descsz && 2 * k + 2 < len; k++)
                    snprintf(out + 2 * k, 3, "%02x", nm[name + k]);
                return;
            }
            off += sizeof *nh + name + desc;
        }
    }
}

/* Which members of the malloc family the .dynsym defines (bit i: family[i]);
 * -1 when the file has no readable dynamic symbol table. */
static int elf_family_exports(const elf_file *f, const ElfW(Ehdr) *eh) {
    if (eh->e_shentsize != sizeof(ElfW(Shdr))) return -1;
    const ElfW(Shdr) *sh = elf_at(f, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof *sh);
    if (!sh) return -1;
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum) continue;
        const ElfW(Sym) *sym = elf_at(f, sh[i].sh_offset, sh[i].sh_size);
        const ElfW(Shdr) *strs = &sh[sh[i].sh_link];
        const char *str = elf_at(f, strs->sh_offset, strs->sh_size);
        if (!sym || !str) return -1;
        int mask = 0;
        for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
            int type = ELF64_ST_TYPE(sym[k].st_info), bind = ELF64_ST_BIND(sym[k].st_info);
            if (sym[k].st_shndx == SHN_UNDEF || sym[k].st_name >= strs->sh_size) continue;
            if ((type != STT_FUNC && type != STT_GNU_IFUNC) || (bind != STB_GLOBAL && bind != STB_WEAK)) continue;
            const char *nm = str + sym[k].st_name;
            if (!memchr(nm, '\0', strs->sh_size - sym[k].st_name)) continue; /* unterminated */
            for (int m = 0; m < NFAMILY; m++)
                if (!strcmp(nm, family[m])) mask |= 1 << m;
        }
        return mask;
    }
    return -1;
}

/* ---- the checks and the identity ---- */

int cli_spec_check(cli_adapter_spec *s, char *err, size_t len) {
    struct stat st;
    char why[400];
    if (stat(s->path, &st) != 0)
        return snprintf(err, len, "%s=%s: %s", s->name, s->path,
                        errno == ENOENT ? "no such file" : strerror(errno)), -1;
    if (!S_ISREG(st.st_mode)) return snprintf(err, len, "%s=%s: not a regular file", s->name, s->path), -1;
    if (!realpath(s->path, s->real)) return snprintf(err, len, "%s=%s: %s", s->name, s->path, strerror(errno)), -1;
    elf_file f;
    if (elf_map(s->real, &f, why, sizeof why) != 0) return snprintf(err, len, "%s=%s: %s", s->name, s->path, why), -1;
    const ElfW(Ehdr) *eh = elf_header(&f, why, sizeof why);
    int bad = !eh, exports = eh ? elf_family_exports(&f, eh) : 0;
    if (!bad && (bad = elf_is_pie(&f, eh)))
        snprintf(why, sizeof why, "is a position-independent executable, not a shared library");
    else if (!bad && (bad = exports < 0))
        snprintf(why, sizeof why, "has no readable dynamic symbol table (.dynsym)");
    else if (!bad && (bad = !(exports & 1)))
        snprintf(why, sizeof why, "does not export malloc, so it cannot replace the allocator");
    elf_unmap(&f);
    if (bad) return snprintf(err, len, "%s=%s: %s", s->name, s->path, why), -1;
    return 0;
}

static int sha256_hex(const elf_file *f, char out[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(f->p ? f->p : (const unsigned char *)"", f->n, md, &n, EVP_sha256(), NULL) || n != 32)
        return -1;
    for (unsigned i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

json_t *cli_spec_identity(const cli_adapter_spec *s, char *err, size_t len) {
    elf_file f;
    char why[400], sha[65], id[129];
    const char *path = s->real[0] ? s->real : s->path;
    if (elf_map(path, &f, why, sizeof why) != 0) return snprintf(err, len, "%s=%s: %s", s->name, s->path, why), NULL;
    const ElfW(Ehdr) *eh = elf_header(&f, why, sizeof why);
    if (!eh || sha256_hex(&f, sha) != 0) {
        elf_unmap(&f);
        return snprintf(err, len, "%s=%s: %s", s->name, s->path, eh ? "SHA-256 failed" : why), NULL;
    }
    elf_build_id(&f, eh, id, sizeof id);
    int mask = elf_family_exports(&f, eh);
    json_t *exp = json_array(), *miss = json_array();
    for (int m = 0; m < NFAMILY; m++)
        json_array_append_new(mask > 0 && (mask & (1 << m)) ? exp : miss, json_string(family[m]));
    json_t *o = json_pack("{s:s,s:s,s:I,s:s,s:o,s:o,s:o}", "name", s->name, "path", path, "size",
                          (json_int_t)f.n, "sha256", sha, "build_id", id[0] ? json_string(id) : json_null(),
                          "exports", exp, "missing", miss);
    elf_unmap(&f);
    return o;
}

/* ---- loading the library in a child: hb-preload info / selfcheck ---- */

void cli_spec_env(const cli_adapter_spec *s, char env[3][PATH_MAX + 32]) {
    const char *lib = s->real[0] ? s->real : s->path;
    snprintf(env[0], PATH_MAX + 32, "LD_PRELOAD=%s", lib);
    snprintf(env[1], PATH_MAX + 32, "HB_PRELOAD_LIB=%s", lib);
    snprintf(env[2], PATH_MAX + 32, "HB_PRELOAD_NAME=%s", s->name);
}

/* environ without our three variables, then ours; a NULL-terminated copy. */
static char **child_env(char mine[3][PATH_MAX + 32]) {
    size_t n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 4, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; env && i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) && strncmp(environ[i], "HB_PRELOAD_", 11)) env[k++] = environ[i];
    for (int i = 0; env && i < 3; i++) env[k++] = mine[i];
    return env;
}

/* Read fd to EOF into a growing buffer within `ms`; 0, or -1 on timeout. */
static int read_all(int fd, char **buf, size_t *n, int ms) {
    size_t cap = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        int left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) <= 0) return -1;
        if (*n + 4096 + 1 > cap) {
            char *b = realloc(*buf, cap = cap * 2 + 8192);
            if (!b) return -1;
            *buf = b;
        }
        ssize_t k = read(fd, *buf + *n, cap - *n - 1);
        if (k <= 0) return (*buf)[*n] = '\0', 0;
        *n += (size_t)k;
    }
}

/* Run `cli_preload mode` with the library preloaded; its stdout and stderr
 * into *out (caller frees), its wait status into *status. -1: no child. */
static int run_preloaded(const cli_adapter_spec *s, const char *cli_preload, const char *mode, char **out,
                         int *status, int *hung) {
    char mine[3][PATH_MAX + 32];
    cli_spec_env(s, mine);
    char **env = child_env(mine);
    int fds[2];
    if (!env || pipe2(fds, O_CLOEXEC) != 0) return free(env), -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    char *argv[] = {(char *)cli_preload, (char *)mode, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, cli_preload, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(fds[1]);
    size_t n = 0;
    *out = NULL;
    *hung = rc == 0 && read_all(fds[0], out, &n, 10000) != 0;
    close(fds[0]);
    if (rc != 0) return -1;
    if (*hung) kill(pid, SIGKILL);
    waitpid(pid, status, 0);
    if (!*out) *out = strdup("");
    return 0;
}

int cli_spec_probe(const cli_adapter_spec *s, const char *cli_preload, json_t *identity, char *err, size_t len) {
    const char *modes[] = {"info", "selfcheck"};
    for (int m = 0; m < 2; m++) {
        char *out = NULL;
        int st = 0, hung = 0;
        if (run_preloaded(s, cli_preload, modes[m], &out, &st, &hung) != 0)
            return snprintf(err, len, "%s=%s: cannot run %s: %s", s->name, s->path, cli_preload, strerror(errno)), -1;
        int ok = !hung && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (ok && m == 0) {
            json_t *info = json_loads(out, 0, NULL);
            json_t *v = json_object_get(info, "version");
            json_object_set_new(identity, "version", json_is_string(v) ? json_incref(v) : json_string("unknown"));
            json_decref(info);
        }
        if (!ok) {
            char *nl = strrchr(out, '\n');
            if (nl && !nl[1]) *nl = '\0';
            if (hung) snprintf(err, len, "%s=%s: hung at load (hb-preload %s, 10 s)", s->name, s->path, modes[m]);
            else if (WIFSIGNALED(st))
                snprintf(err, len, "%s=%s: crashed at load: %s", s->name, s->path, strsignal(WTERMSIG(st)));
            else snprintf(err, len, "%s=%s: refused: %s", s->name, s->path, out);
        }
        free(out);
        if (!ok) return -1;
    }
    return 0;
}
