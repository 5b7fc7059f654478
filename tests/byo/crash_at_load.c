/* crash_at_load.c — a malloc library that crashes while it loads (its
 * constructor raises SIGSEGV): it passes the static checks (it exports
 * malloc), and loading it must be reported as "crashed at load", naming it.
 * tests/byo/test_adapter_spec.c. */
#include <signal.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
__attribute__((visibility("default"))) void *malloc(size_t n) { return __libc_malloc(n); }
__attribute__((constructor)) static void crash(void) { raise(SIGSEGV); }
