/*
 * debug.h — goheap's self-checks (as mimalloc's MI_DEBUG): one compile-time
 * level, GH_DEBUG, and the assert macros every file uses.
 *
 *   GH_DEBUG=0  release (the default): every macro below expands to nothing
 *               that runs — the condition is not evaluated, only type-checked
 *               through sizeof — so the hot paths compile to the same code.
 *   GH_DEBUG=1  cheap asserts: O(1) conditions on list moves, window loads,
 *               sweeps, and O(span) checks of the one span being touched
 *               (its allocCount against its bitmap: at most 16 words).
 *   GH_DEBUG=2  also expensive structural walks: a whole mcache class list
 *               or mcentral on every refill and hand-over, every page
 *               allocator summary on every page alloc/free, every unswept
 *               span's mark bits at mark termination.
 *
 * A failed check prints "goheap: assertion failed: FILE:LINE: EXPR" (and a
 * message, for GH_ASSERT_MSG) on stderr with write(2) — no allocation, as a
 * check may fail inside the allocator — then calls abort(). The invariants
 * themselves are written down where the structures are defined (runtime.h,
 * mpagealloc.c, mgcsweep.c) and checked in mdebug.c.
 *
 * Build: `cmake -S goheap -B b -DGH_DEBUG=2` builds the library at a level;
 * the goheap-debug test targets (tests/CMakeLists.txt) build a second copy
 * of the library at level 2 beside the release one.
 */
#ifndef GOHEAP_DEBUG_H
#define GOHEAP_DEBUG_H

#ifndef GH_DEBUG
#define GH_DEBUG 0
#endif

__attribute__((visibility("hidden"), noreturn, cold, format(printf, 4, 5))) void
gh_assert_fail(const char *file, int line, const char *expr, const char *fmt, ...);

#if GH_DEBUG > 0
#define GH_ASSERT(cond) \
    (__builtin_expect(!!(cond), 1) ? (void)0 : gh_assert_fail(__FILE__, __LINE__, #cond, NULL))
#define GH_ASSERT_MSG(cond, ...) \
    (__builtin_expect(!!(cond), 1) ? (void)0 : gh_assert_fail(__FILE__, __LINE__, #cond, __VA_ARGS__))
#define GH_DEBUG_ONLY(...) __VA_ARGS__
#else
#define GH_ASSERT(cond) ((void)sizeof(!(cond)))
#define GH_ASSERT_MSG(cond, ...) ((void)sizeof(!(cond)))
#define GH_DEBUG_ONLY(...)
#endif

/* Level-2 code: whole-structure walks. */
#if GH_DEBUG > 1
#define GH_EXPENSIVE(...) __VA_ARGS__
#define GH_EXPENSIVE_ON 1
#else
#define GH_EXPENSIVE(...)
#define GH_EXPENSIVE_ON 0
#endif

#endif
