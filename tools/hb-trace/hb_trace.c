/*
 * hb_trace.c — libhb_trace.so: record a program's allocation calls as a
 * heapbench trace, for heap/replay.
 *
 *   HB_TRACE_OUT=my.trace LD_PRELOAD=build/libhb_trace.so ./my-program
 *   HB_TRACE=my.trace build/hb-mimalloc bench --workload heap/replay
 *
 * Interposes malloc, calloc, realloc, free, posix_memalign, aligned_alloc,
 * memalign, valloc and pvalloc, forwards each to the next definition
 * (dlsym(RTLD_NEXT)) and writes one line per call (format:
 * docs/workloads.md#trace-format):
 *
 *   a ID SIZE THREAD    malloc / calloc's total / an aligned allocation
 *   c ID SIZE THREAD    calloc (zeroed)
 *   r ID SIZE THREAD    realloc of block ID to SIZE (the id stays)
 *   f ID 0 THREAD       free
 *
 * IDs are never reused (the address is not recorded; a map from live
 * addresses to ids lives in mmap'd memory, so the recorder never calls
 * malloc). THREAD numbers threads in the order of their first call. Lines
 * are written in one global order under a lock: a free is recorded before
 * the memory is released and an allocation after it is obtained, so no two
 * live blocks ever share an id or an address in the trace. dlsym may itself
 * call calloc before the real one is known; such calls are served from a
 * small static buffer and never recorded. Only the process that found
 * HB_TRACE_OUT records: the variable is removed from its environment, so
 * the programs it starts do not write into the same file. Alignment is not
 * recorded (replay allocates plainly).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TLS __attribute__((tls_model("initial-exec"))) _Thread_local

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

/* ---- bootstrap: dlsym's own allocations ---- */
static char boot[16384] __attribute__((aligned(64)));
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (boot_used + n > sizeof boot) return NULL;
    void *p = boot + boot_used;
    boot_used += n;
    return p;
}
static int is_boot(const void *p) { return (const char *)p >= boot && (const char *)p < boot + sizeof boot; }

/* ---- state ---- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int out_fd = -1;
static char buf[1 << 16];
static size_t buf_len;
static uint64_t next_id = 1;
static uint32_t next_thread;
static TLS int my_thread = -1;
static TLS int in_hook;

/* Live addresses -> ids: open addressing, linear probing, backward-shift
 * deletion, in NORESERVE mmap'd memory (touched only as it fills). */
#define MAP_BITS 24
#define MAP_CAP (1ull << MAP_BITS)
typedef struct entry {
    uintptr_t addr;
    uint64_t id;
} entry;
static entry *map;
static uint64_t map_n;
static int overflow;

static size_t slot_of(uintptr_t a) { return (size_t)((a >> 4) * 0x9e3779b97f4a7c15ull >> (64 - MAP_BITS)); }

static int map_put(uintptr_t a, uint64_t id) {
    if (map_n + 1 > MAP_CAP * 3 / 4) {
        overflow = 1;
        return -1;
    }
    size_t i = slot_of(a);
    while (map[i].addr && map[i].addr != a) i = (i + 1) & (MAP_CAP - 1);
    if (!map[i].addr) map_n++;
    map[i] = (entry){a, id};
    return 0;
}

static uint64_t map_take(uintptr_t a) {
    size_t i = slot_of(a);
    while (map[i].addr && map[i].addr != a) i = (i + 1) & (MAP_CAP - 1);
    if (!map[i].addr) return 0;
    uint64_t id = map[i].id;
    map_n--;
    size_t j = i;
    for (;;) { /* backward shift */
        j = (j + 1) & (MAP_CAP - 1);
        if (!map[j].addr) break;
        size_t h = slot_of(map[j].addr);
        if (((j - h) & (MAP_CAP - 1)) >= ((j - i) & (MAP_CAP - 1))) {
            map[i] = map[j];
            i = j;
        }
    }
    map[i] = (entry){0, 0};
    return id;
}

static void flush_locked(void) {
    size_t off = 0;
    while (off < buf_len) {
        ssize_t w = write(out_fd, buf + off, buf_len - off);
        if (w <= 0 && errno != EINTR) break;
        if (w > 0) off += (size_t)w;
    }
    buf_len = 0;
}

static char *fmt_u64(char *p, uint64_t v) {
    char tmp[24];
    int n = 0;
    do tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n) *p++ = tmp[--n];
    return p;
}

static void emit_locked(char op, uint64_t id, uint64_t size) {
    if (my_thread < 0) my_thread = (int)next_thread++;
    if (buf_len + 80 > sizeof buf) flush_locked();
    char *p = buf + buf_len;
    *p++ = op;
    *p++ = ' ';
    p = fmt_u64(p, id);
    *p++ = ' ';
    p = fmt_u64(p, size);
    *p++ = ' ';
    p = fmt_u64(p, (uint64_t)my_thread);
    *p++ = '\n';
    buf_len = (size_t)(p - buf);
}

static int recording(void) { return out_fd >= 0 && !in_hook && !overflow; }

static void record_alloc(char op, void *p, size_t size) {
    if (!p || !recording()) return;
    in_hook = 1;
    pthread_mutex_lock(&lock);
    uint64_t id = next_id++;
    if (map_put((uintptr_t)p, id) == 0) emit_locked(op, id, size);
    pthread_mutex_unlock(&lock);
    in_hook = 0;
}

static void record_free(void *p) {
    if (!p || !recording()) return;
    in_hook = 1;
    pthread_mutex_lock(&lock);
    uint64_t id = map_take((uintptr_t)p);
    if (id) emit_locked('f', id, 0);
    pthread_mutex_unlock(&lock);
    in_hook = 0;
}

static void resolve(void) {
    if (real_malloc || resolving) return;
    resolving = 1;
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
    resolving = 0;
}

__attribute__((constructor)) static void hb_trace_init(void) {
    resolve();
    const char *path = getenv("HB_TRACE_OUT");
    if (!path || !*path) return;
    map = mmap(NULL, MAP_CAP * sizeof(entry), PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    static const char head[] = "# heapbench trace v1: op id size thread (docs/workloads.md)\n";
    if (write(fd, head, sizeof head - 1) < 0) {
        close(fd);
        return;
    }
    unsetenv("HB_TRACE_OUT"); /* children do not record into the same file */
    out_fd = fd;
}

__attribute__((destructor)) static void hb_trace_fini(void) {
    if (out_fd < 0) return;
    pthread_mutex_lock(&lock);
    flush_locked();
    pthread_mutex_unlock(&lock);
}

/* ---- the interposed functions ---- */
void *malloc(size_t n) {
    if (!real_malloc) {
        resolve();
        if (!real_malloc) return boot_alloc(n);
    }
    void *p = real_malloc(n);
    record_alloc('a', p, n);
    return p;
}

void *calloc(size_t n, size_t m) {
    if (!real_calloc) {
        resolve();
        if (!real_calloc) return boot_alloc(n * m); /* static: already zero */
    }
    void *p = real_calloc(n, m);
    record_alloc('c', p, n * m);
    return p;
}

void free(void *p) {
    if (!p || is_boot(p)) return;
    if (!real_free) resolve();
    record_free(p);
    real_free(p);
}

void *realloc(void *p, size_t n) {
    if (!real_realloc) resolve();
    if (is_boot(p)) { /* move a bootstrap block to the real heap */
        void *q = malloc(n);
        if (q) memcpy(q, p, n < (size_t)(boot + sizeof boot - (char *)p) ? n : (size_t)(boot + sizeof boot - (char *)p));
        return q;
    }
    if (!p) return malloc(n);
    if (!recording()) return real_realloc(p, n);
    in_hook = 1;
    pthread_mutex_lock(&lock);
    uint64_t id = map_take((uintptr_t)p);
    pthread_mutex_unlock(&lock);
    void *q = real_realloc(p, n);
    pthread_mutex_lock(&lock);
    if (id) {
        if (q) {
            if (map_put((uintptr_t)q, id) == 0) emit_locked('r', id, n);
        } else if (n == 0) {
            emit_locked('f', id, 0);
        } else {
            map_put((uintptr_t)p, id); /* failed: the old block stays */
        }
    } else if (q) {
        uint64_t nid = next_id++;
        if (map_put((uintptr_t)q, nid) == 0) emit_locked('a', nid, n);
    }
    pthread_mutex_unlock(&lock);
    in_hook = 0;
    return q;
}

int posix_memalign(void **out, size_t align, size_t n) {
    if (!real_posix_memalign) resolve();
    int rc = real_posix_memalign(out, align, n);
    if (rc == 0) record_alloc('a', *out, n);
    return rc;
}

void *aligned_alloc(size_t align, size_t n) {
    if (!real_aligned_alloc) resolve();
    void *p = real_aligned_alloc(align, n);
    record_alloc('a', p, n);
    return p;
}

void *memalign(size_t align, size_t n) {
    if (!real_memalign) resolve();
    void *p = real_memalign(align, n);
    record_alloc('a', p, n);
    return p;
}

void *valloc(size_t n) {
    if (!real_valloc) resolve();
    void *p = real_valloc(n);
    record_alloc('a', p, n);
    return p;
}

void *pvalloc(size_t n) {
    if (!real_pvalloc) resolve();
    void *p = real_pvalloc(n);
    record_alloc('a', p, n);
    return p;
}
