/*
 * sizeclasses.h — the small-object size classes and size→class lookup.
 *
 * Go's msize.go/sizeclasses.go: objects up to 32 KiB are rounded up to one of
 * 69 classes (class 0 means "large"): Go's 67 plus two that real programs
 * need (1040 and 4368 bytes, SQLite's pages; goheap only); each class has a
 * span size (in 8 KiB pages) chosen so that tail waste stays under 12.5%,
 * then grown to hold 64 objects or 64 KiB (span grouping, goheap only; see
 * tools/mksizeclasses.c, which generates sizeclasses.c). Lookup is two byte
 * tables: sizes up to 8184 bytes in steps of 8 (size_to_class8; Go: up to
 * 1016, but its 128-byte steps above cannot tell 1040 from 1152), then up to
 * 32 KiB in steps of 128 (size_to_class128). Object index from a span offset
 * is a 32-bit multiply by class_to_divmagic, never a division.
 */
#ifndef GOHEAP_SIZECLASSES_H
#define GOHEAP_SIZECLASSES_H
#include <stddef.h>
#include <stdint.h>

#define GH_PAGE_SHIFT 13
#define GH_PAGE_SIZE ((uintptr_t)1 << GH_PAGE_SHIFT)
#define GH_MAX_SMALL_SIZE (32 << 10)
#define GH_SMALL_SIZE_DIV 8
#define GH_SMALL_SIZE_MAX 8192 /* Go's smallSizeMax is 1024 */
#define GH_LARGE_SIZE_DIV 128
#define GH_NUM_SIZE_CLASSES 70
#define GH_NUM_SPAN_CLASSES (GH_NUM_SIZE_CLASSES << 1)
#define GH_TINY_SIZE 16 /* maxTinySize */

extern const uint16_t gh_class_to_size[GH_NUM_SIZE_CLASSES];
extern const uint8_t gh_class_to_allocnpages[GH_NUM_SIZE_CLASSES];
extern const uint32_t gh_class_to_divmagic[GH_NUM_SIZE_CLASSES];
extern const uint8_t gh_size_to_class8[GH_SMALL_SIZE_MAX / GH_SMALL_SIZE_DIV + 1];
extern const uint8_t gh_size_to_class128[(GH_MAX_SMALL_SIZE - GH_SMALL_SIZE_MAX) / GH_LARGE_SIZE_DIV + 1];

/* size (1..32768) → size class. */
static inline unsigned gh_size_to_class(size_t size) {
    if (size <= GH_SMALL_SIZE_MAX - 8) return gh_size_to_class8[(size + GH_SMALL_SIZE_DIV - 1) / GH_SMALL_SIZE_DIV];
    return gh_size_to_class128[(size - GH_SMALL_SIZE_MAX + GH_LARGE_SIZE_DIV - 1) / GH_LARGE_SIZE_DIV];
}

/* spanClass = sizeclass<<1 | noscan (Go's makeSpanClass). */
typedef uint8_t gh_spanClass;
static inline gh_spanClass gh_makeSpanClass(unsigned sizeclass, int noscan) {
    return (gh_spanClass)((sizeclass << 1) | (noscan ? 1 : 0));
}
static inline unsigned gh_spanClass_sizeclass(gh_spanClass sc) { return sc >> 1; }
static inline int gh_spanClass_noscan(gh_spanClass sc) { return sc & 1; }

#endif
