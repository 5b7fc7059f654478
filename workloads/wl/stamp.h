/*
 * wl/stamp.h — writing and checking a block's contents.
 *
 * Every workload validates its result. For blocks of data the check is a
 * stamp: a word derived from (key, size) written at the start and at the end
 * of the block (and, for big blocks, on every page), checked just before the
 * block is released. An allocator that hands out overlapping blocks, loses a
 * write, or scribbles on a live block breaks a stamp, and the workload fails
 * its validation instead of reporting a fast wrong number.
 */
#ifndef HB_WL_STAMP_H
#define HB_WL_STAMP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wl/rng.h"

static inline uint64_t wl_stamp_word(uint64_t key, size_t size) {
    return wl_splitmix(key ^ ((uint64_t)size << 40));
}

/* Blocks of at least 8 bytes: head word (and tail word when size >= 16). */
static inline void wl_stamp(void *p, size_t size, uint64_t key) {
    uint64_t w = wl_stamp_word(key, size);
    memcpy(p, &w, 8);
    if (size >= 16) {
        w = ~w;
        memcpy((char *)p + size - 8, &w, 8);
    }
}

static inline int wl_stamp_ok(const void *p, size_t size, uint64_t key) {
    uint64_t w = wl_stamp_word(key, size), h, t;
    memcpy(&h, p, 8);
    if (h != w) return 0;
    if (size >= 16) {
        memcpy(&t, (const char *)p + size - 8, 8);
        if (t != ~w) return 0;
    }
    return 1;
}

/* Every word of the block, for workloads that check whole contents
 * (mstress) or need the memory really touched. */
static inline void wl_fill(void *p, size_t size, uint64_t key) {
    uint64_t *w = p, v = wl_stamp_word(key, size);
    for (size_t i = 0; i < size / 8; i++) w[i] = v + i;
}

static inline int wl_fill_ok(const void *p, size_t size, uint64_t key) {
    const uint64_t *w = p, v = wl_stamp_word(key, size);
    for (size_t i = 0; i < size / 8; i++)
        if (w[i] != v + i) return 0;
    return 1;
}

/* One word on every 4 KiB page: touches the whole block (the OS must
 * provide every page) at a cost that does not hide the allocator. */
static inline void wl_touch_pages(void *p, size_t size, uint64_t key) {
    uint64_t v = wl_stamp_word(key, size);
    for (size_t off = 0; off + 8 <= size; off += 4096) memcpy((char *)p + off, &(uint64_t){v + off}, 8);
    memcpy((char *)p + size - 8, &(uint64_t){~v}, 8);
}

static inline int wl_touch_pages_ok(const void *p, size_t size, uint64_t key) {
    uint64_t v = wl_stamp_word(key, size), x;
    for (size_t off = 0; off + 8 <= size - 8; off += 4096) {
        memcpy(&x, (const char *)p + off, 8);
        if (x != v + off) return 0;
    }
    memcpy(&x, (const char *)p + size - 8, 8);
    return x == ~v;
}

#endif
