/* test_malloc.c — the public API: every size class (and that malloc's size
 * → slot table picks the smallest class that fits, every small size), usable size, calloc
 * zeroing, realloc (in-place growth of large objects), aligned allocation (every power of two up to 4 MiB),
 * large objects and their coalescing, errors (ENOMEM, EINVAL, calloc
 * overflow), gh_owns, and that bad frees abort (in a forked child). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "child.h"
#include "goheap/goheap.h"
#include "sizeclasses.h"

/* malloc folds size → class → cache slot into one table (malloc.c): every
 * small size must land in the smallest class that fits, as gh_size_to_class
 * says, except 17..24 B, which malloc rounds to 32 for 16-byte alignment. */
static void test_smallest_class(void) {
    for (size_t s = 1; s <= GH_MAX_SMALL_SIZE; s++) {
        void *p = gh_malloc(s);
        size_t want = s >= 17 && s <= 24 ? 32 : gh_class_to_size[gh_size_to_class(s)];
        CHECKF(gh_usable_size(p) == want, "malloc(%zu): usable %zu, want %zu", s, gh_usable_size(p), want);
        gh_free(p);
    }
}

static void test_classes(void) {
    for (size_t s = 0; s <= 40000; s += (s < 2048 ? 1 : 61)) {
        unsigned char *p = gh_malloc(s);
        CHECK(p);
        CHECK(gh_owns(p));
        size_t u = gh_usable_size(p);
        CHECKF(u >= s, "size %zu usable %zu", s, u);
        if (s > 8) CHECKF(((uintptr_t)p & 15) == 0, "size %zu not 16-aligned", s);
        else CHECK(((uintptr_t)p & 7) == 0);
        memset(p, 0xab, u);
        gh_free_sized(p, s);
    }
    CHECK(!gh_owns(&errno));
    int local;
    CHECK(!gh_owns(&local));
    CHECK(gh_usable_size(&local) == 0);
}

static void test_distinct(void) {
    enum { N = 20000 };
    static void *v[N];
    for (int i = 0; i < N; i++) {
        size_t s = (size_t)(i % 300) + 1;
        v[i] = gh_malloc(s);
        memset(v[i], i & 0xff, s);
    }
    for (int i = 0; i < N; i++) {
        size_t s = (size_t)(i % 300) + 1;
        for (size_t k = 0; k < s; k++) CHECK(((unsigned char *)v[i])[k] == (unsigned char)(i & 0xff));
    }
    for (int i = 0; i < N; i += 2) gh_free(v[i]);
    for (int i = 1; i < N; i += 2) gh_free(v[i]);
}

static void test_calloc_realloc(void) {
    for (size_t s = 1; s < (4u << 20); s = s * 3 + 1) {
        unsigned char *p = gh_malloc(s);
        memset(p, 0xff, s);
        gh_free(p);
        unsigned char *q = gh_calloc(1, s);
        for (size_t k = 0; k < s; k++) CHECKF(q[k] == 0, "calloc(%zu)[%zu]", s, k);
        memset(q, 0x5a, s);
        gh_free(q);
    }
    unsigned char *p = NULL;
    size_t prev = 0;
    for (size_t s = 1; s < (2u << 20); s = s * 2 + 3) {
        p = gh_realloc(p, s);
        CHECK(p);
        for (size_t k = 0; k < prev; k++) CHECK(p[k] == (unsigned char)k);
        for (size_t k = 0; k < s; k++) p[k] = (unsigned char)k;
        prev = s;
    }
    for (size_t s = prev; s > 1; s /= 3) {
        p = gh_realloc(p, s);
        for (size_t k = 0; k < s; k++) CHECK(p[k] == (unsigned char)k);
    }
    gh_free(p);
    CHECK(gh_realloc(NULL, 10) != NULL);
}

static void test_aligned(void) {
    for (size_t a = 1; a <= (4u << 20); a <<= 1) {
        size_t sizes[] = {0, 1, 8, 24, a / 2 + 1, a, a + 1, 3 * a, 40000};
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            void *p = gh_aligned_alloc(a, sizes[i]);
            CHECKF(p && ((uintptr_t)p & (a - 1)) == 0, "align %zu size %zu -> %p", a, sizes[i], p);
            CHECK(gh_usable_size(p) >= sizes[i]);
            memset(p, 1, sizes[i]);
            void *q;
            CHECK(gh_posix_memalign(&q, a < sizeof(void *) ? sizeof(void *) : a, sizes[i]) == 0);
            CHECK(((uintptr_t)q & (a - 1)) == 0);
            gh_free(p);
            gh_free(q);
        }
    }
    void *q = (void *)1;
    errno = 0;
    CHECK(gh_aligned_alloc(3, 10) == NULL && errno == EINVAL);
    CHECK(gh_posix_memalign(&q, 4, 10) == EINVAL); /* < sizeof(void*) */
    CHECK(gh_posix_memalign(&q, 24, 10) == EINVAL);
}

static void test_errors(void) {
    errno = 0;
    CHECK(gh_malloc(SIZE_MAX) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(gh_malloc(SIZE_MAX / 2) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(gh_calloc(SIZE_MAX / 2, 3) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(gh_aligned_alloc(1 << 20, SIZE_MAX - 100) == NULL && errno == ENOMEM);
    void *p = gh_malloc(16);
    CHECK(gh_realloc(p, SIZE_MAX) == NULL);
    gh_free(p); /* p still valid after a failed realloc */
    gh_free(NULL);
}

static void test_large(void) {
    /* three adjacent large spans coalesce into one run when freed */
    char *a = gh_malloc(1 << 20), *b = gh_malloc(1 << 20), *c = gh_malloc(1 << 20);
    CHECK(b == a + (1 << 20) && c == b + (1 << 20));
    CHECK(gh_usable_size(a) == (1 << 20));
    gh_free(b);
    char *d = gh_malloc(512 << 10);
    CHECK(d == b); /* first fit */
    gh_free(a);
    gh_free(d);
    gh_free(c);
    char *e = gh_malloc(3 << 20);
    CHECK(e == a);
    gh_free(e);
    char *f = gh_malloc(100 << 20);
    memset(f, 1, 100 << 20);
    CHECK(gh_usable_size(f) >= (100u << 20));
    gh_free(f);
}

/* realloc of a large object grows in place into free pages right after
 * it; with its neighbour in use it moves; either way the prefix survives.
 * A small step past a block's usable size grows it by at least a quarter. */
static void test_realloc_growth(void) {
    const size_t M = 1 << 20;
    char *a = gh_malloc(M), *b = gh_malloc(M), *c = gh_malloc(M);
    CHECK(b == a + M && c == b + M);
    for (size_t i = 0; i < M; i += 4096) a[i] = (char)(i >> 12);
    gh_free(b);
    char *r = gh_realloc(a, M + M / 2);
    CHECKF(r == a, "not grown in place: %p -> %p", (void *)a, (void *)r);
    CHECK(gh_usable_size(r) >= M + M / 2 && gh_usable_size(r) < 2 * M);
    memset(r + M, 7, M / 2); /* the new pages are the object's */
    char *m = gh_realloc(r, 2 * M + 1); /* c is in the way: moves */
    CHECK(m != NULL && m != r && gh_usable_size(m) >= 2 * M + 1);
    for (size_t i = 0; i < M; i += 4096) CHECKF(m[i] == (char)(i >> 12), "byte %zu lost", i);
    CHECK(m[M] == 7 && m[M + M / 2 - 1] == 7);
    char *d = gh_malloc(M + M / 2); /* a's grown span was freed whole */
    CHECK(d == a);
    gh_free(d);
    gh_free(m);
    gh_free(c);
    char *p = gh_malloc(1000);
    size_t u = gh_usable_size(p);
    memset(p, 3, u);
    char *q = gh_realloc(p, u + 16);
    CHECKF(gh_usable_size(q) >= u + u / 4, "grew %zu -> %zu", u, gh_usable_size(q));
    CHECK(q[0] == 3 && q[u - 1] == 3);
    gh_free(q);
}

static void double_free_small(void) {
    void *p = gh_malloc(32);
    gh_free(p);
    gh_free(p);
}
static void double_free_large(void) {
    void *p = gh_malloc(100000);
    gh_free(p);
    gh_free(p);
}
static void interior_free(void) {
    char *p = gh_malloc(64);
    gh_free(p + 16);
}
static void foreign_free(void) {
    static int x;
    gh_free(&x);
}

int main(void) {
    test_large(); /* first: needs an empty heap for its address checks */
    test_realloc_growth();
    printf("%s\n", gh_version());
    test_classes();
    test_smallest_class();
    test_distinct();
    test_calloc_realloc();
    test_aligned();
    test_errors();
    CHECK(dies(double_free_small));
    CHECK(dies(double_free_large));
    CHECK(dies(interior_free));
    CHECK(dies(foreign_free));
    gh_stats st;
    gh_stats_read(&st);
    CHECK(st.mcaches >= 1 && st.heap_sys_bytes > 0);
    printf("malloc api ok\n");
    return 0;
}
