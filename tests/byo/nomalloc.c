/* nomalloc.c — a shared library that exports no malloc: NAME=PATH must
 * refuse it ("does not export malloc"). tests/byo/test_adapter_spec.c. */
__attribute__((visibility("default"))) int hb_nomalloc_answer(void) { return 42; }
