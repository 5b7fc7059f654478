/*
 * mksizeclasses.c — derive goheap's small-object size classes (Go's rules).
 *
 * This is the C twin of Go's src/runtime/mksizeclasses.go. It walks candidate
 * object sizes in steps of an alignment that grows with the size (8 bytes,
 * then 16 from 32 bytes, size/8 from 128 bytes, 256 from 2 KiB) and, for each
 * size, picks the smallest span (a multiple of the 8 KiB page) whose tail
 * waste is at most 1/8 of the span. A candidate that fits the same number of
 * objects in the same span as the previous class replaces it (the class grows
 * instead of multiplying). A last pass grows each class to the largest size
 * that still fits the same number of objects (keeping 128-byte alignment, as
 * size_to_class128 needs). Go gets 68 classes (class 0 unused).
 * goheap departs from Go twice: it adds a few classes that real programs
 * need (mk_extra_sizes: 70 classes in all), and (mk_group_pages) spans grow
 * to 64 objects or 64 KiB.
 *
 * Run as a program it prints src/sizeclasses.c; compiled with
 * -DGH_MKSIZECLASSES_NO_MAIN it is linked into tests/test_sizeclass.c, which
 * re-derives the table and compares it with the checked-in one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MK_MAX_SMALL_SIZE (32 << 10)
#define MK_SMALL_SIZE_DIV 8
#define MK_SMALL_SIZE_MAX 8192 /* Go: 1024; see mk_extra_sizes */
#define MK_LARGE_SIZE_DIV 128
#define MK_PAGE_SHIFT 13
#define MK_PAGE_SIZE (1 << MK_PAGE_SHIFT)
#define MK_MAX_CLASSES 128

typedef struct mk_class {
    int size;   /* bytes per object */
    int npages; /* pages per span */
} mk_class;

static int mk_pow2(int x) { return x != 0 && (x & (x - 1)) == 0; }

/* goheap's one departure from Go: span grouping. Go's spans hold 1..8
 * objects from 1 KiB up (one 8 KiB page for most classes) because Go hands
 * a span back to mcentral as soon as it is full. goheap's mcache keeps its
 * spans and allocates from one 64-slot bitmap word at a time, so a span of
 * few objects means a span switch (full list in, partial list out) every
 * few allocations in a fragmented heap: heap/churn spent a refill per 4.7
 * mallocs, 70% of them span switches. After the classes are fixed, each
 * span grows (whole pages, same tail-waste bound) until it holds one full
 * bitmap word (64 objects) or reaches 64 KiB — mimalloc's small page. The
 * sizes, and so the size→class tables, stay Go's. */
#define MK_GROUP_OBJECTS 64
#define MK_GROUP_BYTES (64 << 10)
static int mk_group_pages(const mk_class *c) {
    int p = c->npages;
    for (;;) {
        int span = p * MK_PAGE_SIZE, objs = span / c->size;
        int ok = span % c->size <= span / 8;
        if (ok && (objs >= MK_GROUP_OBJECTS || span >= MK_GROUP_BYTES)) return p;
        p++;
    }
}

/* goheap's second departure: extra classes for sizes real programs allocate
 * by the thousand just above one of Go's classes, where Go's 12.5% spacing
 * costs up to 10% of their heap (measured with an LD_PRELOAD trace of every
 * malloc/free, live bytes at the peak):
 *   1040 = 1024 + 16: SQLite (real/sqlite) holds 12.5k blocks of 1032 B at
 *          its peak; Go's next class is 1152 (1.44 MiB of 25.5 MiB wasted);
 *   4368 = 4096 + 272: SQLite's page cache, a 4 KiB page + its header
 *          (PgHdr1, MemPage): 3.1k blocks; Go's next class is 4864 (1.48 MiB).
 * Together 2.9 MiB, 11% of sqlite's live heap; glibc rounds both to 16 B.
 * Both are multiples of 16 (malloc's alignment) and fit their 64 KiB spans
 * with a 16-byte tail. Between 1024 B and 32 KiB Go's lookup goes in 128-byte
 * steps, which cannot tell 1040 from 1152, so goheap's 8-byte-step table
 * (size_to_class8) reaches 8 KiB instead of Go's 1 KiB (1 KiB of table). */
static const int mk_extra_sizes[] = {1040, 4368};

static void mk_insert_extra(mk_class *classes, int *n, int size) {
    int i = *n;
    while (classes[i - 1].size > size) {
        classes[i] = classes[i - 1];
        i--;
    }
    int allocsize = MK_PAGE_SIZE;
    while (allocsize % size > allocsize / 8) allocsize += MK_PAGE_SIZE;
    classes[i] = (mk_class){size, allocsize / MK_PAGE_SIZE};
    (*n)++;
}

/* Fills classes[0..n) (class 0 is a dummy); returns n. */
int mk_make_classes(mk_class *classes) {
    int n = 0;
    classes[n++] = (mk_class){0, 0};
    int align = 8;
    for (int size = align; size <= MK_MAX_SMALL_SIZE; size += align) {
        if (mk_pow2(size)) {
            if (size >= 2048)
                align = 256;
            else if (size >= 128)
                align = size / 8;
            else if (size >= 32)
                align = 16;
        }
        int allocsize = MK_PAGE_SIZE;
        while (allocsize % size > allocsize / 8) allocsize += MK_PAGE_SIZE;
        int npages = allocsize / MK_PAGE_SIZE;
        if (n > 1 && npages == classes[n - 1].npages &&
            allocsize / size == allocsize / classes[n - 1].size) {
            classes[n - 1].size = size;
            continue;
        }
        classes[n++] = (mk_class){size, npages};
    }
    for (int i = 1; i < n; i++) {
        int psize = classes[i].npages * MK_PAGE_SIZE;
        int nsize = (psize / (psize / classes[i].size)) & ~(MK_LARGE_SIZE_DIV - 1);
        if (nsize > classes[i].size) classes[i].size = nsize;
    }
    for (size_t k = 0; k < sizeof mk_extra_sizes / sizeof mk_extra_sizes[0]; k++)
        mk_insert_extra(classes, &n, mk_extra_sizes[k]);
    for (int i = 1; i < n; i++) classes[i].npages = mk_group_pages(&classes[i]);
    return n;
}

/* Go's divMagic: n / size == (n * (~0u / size + 1)) >> 32 for n in [0, span). */
uint32_t mk_divmagic(int size) { return size ? (uint32_t)(UINT32_MAX / (uint32_t)size + 1) : 0; }

/* Brute-force check of the magic over the whole span; returns 0 when exact. */
int mk_check_divmagic(const mk_class *c) {
    if (!c->size) return 0;
    uint32_t m = mk_divmagic(c->size);
    for (uint64_t x = 0; x <= (uint64_t)c->npages * MK_PAGE_SIZE; x++)
        if ((uint32_t)((x * m) >> 32) != (uint32_t)(x / (uint64_t)c->size)) return -1;
    return 0;
}

void mk_size_tables(const mk_class *classes, int n, uint8_t *c8, uint8_t *c128) {
    for (int i = 0; i <= MK_SMALL_SIZE_MAX / MK_SMALL_SIZE_DIV; i++) {
        int size = i * MK_SMALL_SIZE_DIV;
        for (int j = 0; j < n; j++)
            if (classes[j].size >= size) { c8[i] = (uint8_t)j; break; }
    }
    for (int i = 0; i <= (MK_MAX_SMALL_SIZE - MK_SMALL_SIZE_MAX) / MK_LARGE_SIZE_DIV; i++) {
        int size = MK_SMALL_SIZE_MAX + i * MK_LARGE_SIZE_DIV;
        for (int j = 0; j < n; j++)
            if (classes[j].size >= size) { c128[i] = (uint8_t)j; break; }
    }
}

#ifndef GH_MKSIZECLASSES_NO_MAIN
static void print_u8(const char *name, const char *dim, const uint8_t *v, int n) {
    printf("const uint8_t %s[%s] = {", name, dim);
    for (int i = 0; i < n; i++) printf("%s%d,", i % 16 ? " " : "\n    ", v[i]);
    printf("\n};\n\n");
}

int main(void) {
    mk_class c[MK_MAX_CLASSES];
    int n = mk_make_classes(c);
    if (n != 70) { fprintf(stderr, "mksizeclasses: %d classes, want 70\n", n); return 1; }
    for (int i = 0; i < n; i++)
        if (mk_check_divmagic(&c[i])) { fprintf(stderr, "bad divmagic for %d\n", c[i].size); return 1; }
    printf("// Code generated by tools/mksizeclasses.c; DO NOT EDIT.\n");
    printf("// Regenerate: cc -O2 -o mk goheap/tools/mksizeclasses.c && ./mk > goheap/src/sizeclasses.c\n//\n");
    printf("// class  bytes/obj  bytes/span  objects  tail waste  max waste\n");
    int prev = 0;
    for (int i = 1; i < n; i++) {
        int span = c[i].npages * MK_PAGE_SIZE, objs = span / c[i].size;
        int tail = span - c[i].size * objs;
        double maxw = (double)((c[i].size - prev - 1) * objs + tail) / span;
        printf("// %5d  %9d  %10d  %7d  %10d  %8.2f%%\n", i, c[i].size, span, objs, tail, 100 * maxw);
        prev = c[i].size;
    }
    printf("\n#include \"sizeclasses.h\"\n\n");
    printf("const uint16_t gh_class_to_size[GH_NUM_SIZE_CLASSES] = {");
    for (int i = 0; i < n; i++) printf("%s%d,", i % 12 ? " " : "\n    ", c[i].size);
    printf("\n};\n\nconst uint8_t gh_class_to_allocnpages[GH_NUM_SIZE_CLASSES] = {");
    for (int i = 0; i < n; i++) printf("%s%d,", i % 16 ? " " : "\n    ", c[i].npages);
    printf("\n};\n\nconst uint32_t gh_class_to_divmagic[GH_NUM_SIZE_CLASSES] = {");
    for (int i = 0; i < n; i++) printf("%s%uu,", i % 6 ? " " : "\n    ", mk_divmagic(c[i].size));
    printf("\n};\n\n");
    uint8_t c8[MK_SMALL_SIZE_MAX / MK_SMALL_SIZE_DIV + 1], c128[(MK_MAX_SMALL_SIZE - MK_SMALL_SIZE_MAX) / MK_LARGE_SIZE_DIV + 1];
    mk_size_tables(c, n, c8, c128);
    print_u8("gh_size_to_class8", "GH_SMALL_SIZE_MAX / GH_SMALL_SIZE_DIV + 1", c8, (int)sizeof c8);
    print_u8("gh_size_to_class128", "(GH_MAX_SMALL_SIZE - GH_SMALL_SIZE_MAX) / GH_LARGE_SIZE_DIV + 1", c128, (int)sizeof c128);
    return 0;
}
#endif
