/* test_sizeclass.c — re-derive the size-class table by Go's rules (the same
 * code as tools/mksizeclasses.c) and compare it with the checked-in one;
 * check the waste bounds, divMagic and the lookup tables. */
#define GH_MKSIZECLASSES_NO_MAIN
#include "../tools/mksizeclasses.c"
#include "check.h"
#include "sizeclasses.h"

#define GH_MAX_SPAN_WORDS_TEST 16 /* runtime.h GH_MAX_SPAN_WORDS */

/* Go 1.22's class_to_size, for a cross-check with the Go runtime itself. */
static const int go_sizes[68] = {0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
    240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408,
    1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
    9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768};

int main(void) {
    mk_class c[MK_MAX_CLASSES];
    int n = mk_make_classes(c);
    CHECK(n == GH_NUM_SIZE_CLASSES);
    /* Go's classes, in order, plus exactly the extra ones (mk_extra_sizes) */
    int nextra = (int)(sizeof mk_extra_sizes / sizeof mk_extra_sizes[0]), g = 0, e = 0;
    CHECK(n == 68 + nextra);
    for (int i = 0; i < n; i++) {
        if (e < nextra && c[i].size == mk_extra_sizes[e]) e++;
        else CHECKF(g < 68 && c[i].size == go_sizes[g++], "class %d (%d) is neither Go's nor an extra", i, c[i].size);
    }
    CHECK(g == 68 && e == nextra);
    for (int i = 0; i < n; i++) {
        CHECKF(c[i].size == gh_class_to_size[i], "class %d: %d vs %d", i, c[i].size, gh_class_to_size[i]);
        CHECK(c[i].npages == gh_class_to_allocnpages[i]);
        CHECK(mk_divmagic(c[i].size) == gh_class_to_divmagic[i]);
        CHECKF(mk_check_divmagic(&c[i]) == 0, "divmagic class %d", i);
        if (i == 0) continue;
        int span = c[i].npages * MK_PAGE_SIZE;
        CHECKF(span % c[i].size <= span / 8, "tail waste class %d", i); /* Go's bound */
        /* span grouping: the checked-in spans hold a bitmap word or 64 KiB */
        int gspan = gh_class_to_allocnpages[i] * MK_PAGE_SIZE;
        CHECKF(gspan / gh_class_to_size[i] >= 64 || gspan >= (64 << 10), "class %d span too small", i);
        CHECKF(gspan / gh_class_to_size[i] <= 64 * GH_MAX_SPAN_WORDS_TEST, "class %d: more objects than allocBits", i);
        if (c[i].size >= 32) CHECK(c[i].size % 16 == 0 || c[i].size % 8 == 0);
        CHECK(c[i].size > c[i - 1].size);
    }
    /* free's interior-pointer test (gh_mspan_objexact): the low half of
     * offset*divMul is < divMul exactly at object starts, for every offset
     * of every class's span */
    for (int i = 1; i < n; i++) {
        uint64_t span = (uint64_t)c[i].npages * MK_PAGE_SIZE, size = (uint64_t)c[i].size;
        uint32_t dm = gh_class_to_divmagic[i];
        for (uint64_t off = 0; off < span / size * size; off++) {
            uint64_t q = off * dm;
            if (((uint32_t)q < dm) != (off % size == 0) || (q >> 32) != off / size)
                CHECKF(0, "class %d offset %llu: exactness/index from divMul wrong", i, (unsigned long long)off);
        }
    }
    uint8_t c8[MK_SMALL_SIZE_MAX / MK_SMALL_SIZE_DIV + 1], c128[(MK_MAX_SMALL_SIZE - MK_SMALL_SIZE_MAX) / MK_LARGE_SIZE_DIV + 1];
    mk_size_tables(c, n, c8, c128);
    for (size_t i = 0; i < sizeof c8; i++) CHECK(c8[i] == gh_size_to_class8[i]);
    for (size_t i = 0; i < sizeof c128; i++) CHECK(c128[i] == gh_size_to_class128[i]);
    /* every size maps to the smallest class that fits */
    for (size_t s = 1; s <= GH_MAX_SMALL_SIZE; s++) {
        unsigned sc = gh_size_to_class(s);
        CHECKF(gh_class_to_size[sc] >= s && gh_class_to_size[sc - 1] < s, "size %zu -> class %u", s, sc);
    }
    /* the real programs' sizes (mksizeclasses.c, mk_extra_sizes) take their
     * own class: SQLite's 1032-byte blocks and 4368-byte pages (Go's table
     * rounds them to 1152 and 4864) */
    CHECKF(gh_class_to_size[gh_size_to_class(1032)] == 1040, "1032 -> %d", gh_class_to_size[gh_size_to_class(1032)]);
    CHECK(gh_class_to_size[gh_size_to_class(1040)] == 1040 && gh_class_to_size[gh_size_to_class(1041)] == 1152);
    CHECKF(gh_class_to_size[gh_size_to_class(4368)] == 4368, "4368 -> %d", gh_class_to_size[gh_size_to_class(4368)]);
    CHECK(gh_class_to_size[gh_size_to_class(4097)] == 4368 && gh_class_to_size[gh_size_to_class(4369)] == 4864);
    printf("size classes ok: %d classes, table matches Go's rules\n", n - 1);
    return 0;
}
