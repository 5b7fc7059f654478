/*
 * test_adapter_spec.c — harness/cli/adapter_spec.c: every bad NAME=PATH is
 * refused with a message naming the library and what is wrong, and a good
 * library gets its true identity (size, SHA-256 as sha256sum computes it,
 * the build-id it was linked with, its version, loaded through hb-preload).
 *
 * usage: test_adapter_spec TINY TINY_HALF NOMALLOC CRASH_AT_LOAD HB_PRELOAD
 *                          AN_EXECUTABLE MIMALLOC_LIB TMPDIR TINY_SLOW
 */
#define _GNU_SOURCE
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "adapter_spec.h"

static const char *tiny_slow, *tiny, *tiny_half, *nomalloc, *crashlib, *cli_preload, *an_exe, *mimalloc, *tmpdir;
static const char *builtins = "system,mimalloc,jemalloc,scudo";

/* cli_spec_parse + cli_spec_check of "NAME=PATH"; the error message, or "" when accepted. */
static const char *check(const char *name, const char *path) {
    static char err[1024];
    char arg[2048];
    cli_adapter_spec s;
    snprintf(arg, sizeof arg, "%s=%s", name, path);
    err[0] = '\0';
    if (cli_spec_parse(arg, builtins, &s, err, sizeof err) == 0) cli_spec_check(&s, err, sizeof err);
    return err;
}

#define assert_refused(msg, ...)                                                \
    do {                                                                        \
        const char *m_ = (msg);                                                 \
        const char *want_[] = {__VA_ARGS__};                                    \
        for (size_t i_ = 0; i_ < sizeof want_ / sizeof *want_; i_++)            \
            if (!strstr(m_, want_[i_])) fail_msg("'%s' lacks '%s'", m_, want_[i_]); \
    } while (0)

static void test_parse(void **state) {
    (void)state;
    cli_adapter_spec s;
    char err[512];
    assert_int_equal(cli_spec_is_spec("mine=./x.so"), 1);
    assert_int_equal(cli_spec_is_spec("mimalloc"), 0);
    assert_int_equal(cli_spec_parse("mine=./lib/x.so", builtins, &s, err, sizeof err), 0);
    assert_string_equal(s.name, "mine");
    assert_string_equal(s.path, "./lib/x.so");
    assert_int_equal(cli_spec_parse("=./x.so", builtins, &s, err, sizeof err), -1);
    assert_refused(err, "'=./x.so'", "name before '=' is empty");
    assert_int_equal(cli_spec_parse("mine=", builtins, &s, err, sizeof err), -1);
    assert_refused(err, "'mine='", "path after '=' is empty");
    assert_int_equal(cli_spec_parse("my lib=./x.so", builtins, &s, err, sizeof err), -1);
    assert_refused(err, "'my lib'", "only letters");
    assert_int_equal(cli_spec_parse("-x=./x.so", builtins, &s, err, sizeof err), -1);
    assert_int_equal(cli_spec_parse("my-lib_2.0=./x.so", builtins, &s, err, sizeof err), 0);
}

static void test_name_clash(void **state) {
    (void)state;
    assert_refused(check("mimalloc", tiny), "'mimalloc' is a built-in adapter");
    assert_refused(check("scudo", tiny), "'scudo' is a built-in adapter");
    assert_string_equal(check("mimalloc2", tiny), ""); /* a prefix is no clash */
}

static void test_missing_and_not_regular(void **state) {
    (void)state;
    char p[1024];
    snprintf(p, sizeof p, "%s/no-such-lib.so", tmpdir);
    assert_refused(check("mine", p), "mine=", "no-such-lib.so", "no such file");
    assert_refused(check("mine", tmpdir), "mine=", "not a regular file");
}

/* A file of `n` bytes: an ELF header with the given class/type/machine, or text. */
static const char *write_file(const char *name, const void *data, size_t n) {
    static char path[4][1024];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 1024, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return p;
}

static const char *elf_file(const char *name, int cls, int type, int machine) {
    Elf64_Ehdr eh = {0};
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = (unsigned char)cls;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = (Elf64_Half)type;
    eh.e_machine = (Elf64_Half)machine;
    return write_file(name, &eh, sizeof eh);
}

static void test_not_elf(void **state) {
    (void)state;
    const char *text = write_file("libtext.so", "#!/bin/sh\necho not a library\n", 29);
    assert_refused(check("mine", text), "mine=", "libtext.so", "is not an ELF file");
    assert_refused(check("mine", write_file("libempty.so", "", 0)), "is not an ELF file");
    assert_refused(check("mine", write_file("libtrunc.so", "\177ELF\002\001", 6)), "is not an ELF file");
    assert_refused(check("mine", an_exe), "mine=", "is a position-independent executable");
    assert_refused(check("mine", elf_file("librel.o", ELFCLASS64, ET_REL, EM_X86_64)),
                   "relocatable object");
}

static void test_wrong_architecture(void **state) {
    (void)state;
    assert_refused(check("arm", elf_file("libarm.so", ELFCLASS64, ET_DYN, EM_AARCH64)), "arm=",
                   "libarm.so", "built for aarch64", "wrong architecture");
    assert_refused(check("old", elf_file("lib32.so", ELFCLASS32, ET_DYN, EM_386)), "old=",
                   "32-bit ELF object", "wrong architecture");
}

static void test_no_malloc(void **state) {
    (void)state;
    assert_refused(check("nom", nomalloc), "nom=", "libhb_nomalloc.so", "does not export malloc");
}

/* sha256sum's answer for path. */
static void sha256sum(const char *path, char out[65]) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%64s", out), 1);
    pclose(p);
}

static void test_identity(void **state) {
    (void)state;
    cli_adapter_spec s;
    char err[1024] = "", arg[2048], sha[65];
    snprintf(arg, sizeof arg, "tiny=%s", tiny);
    assert_int_equal(cli_spec_parse(arg, builtins, &s, err, sizeof err), 0);
    assert_int_equal(cli_spec_check(&s, err, sizeof err), 0);
    json_t *id = cli_spec_identity(&s, err, sizeof err);
    assert_non_null(id);
    struct stat st;
    assert_int_equal(stat(tiny, &st), 0);
    assert_int_equal(json_integer_value(json_object_get(id, "size")), st.st_size);
    sha256sum(tiny, sha);
    assert_string_equal(json_string_value(json_object_get(id, "sha256")), sha);
    /* tests/byo/CMakeLists.txt links libtiny.so with this build-id */
    assert_string_equal(json_string_value(json_object_get(id, "build_id")),
                        "74696e79000000000000000000000000000000ff");
    assert_int_equal(json_array_size(json_object_get(id, "exports")), 7);
    assert_int_equal(json_array_size(json_object_get(id, "missing")), 0);
    assert_int_equal(cli_spec_probe(&s, cli_preload, id, err, sizeof err), 0);
    assert_string_equal(json_string_value(json_object_get(id, "version")),
                        "unknown (build-id 74696e79000000000000000000000000000000ff)");
    json_decref(id);
}

/* Two builds of one library (tiny, and tiny with a delay in malloc) are
 * told apart by their identity: same exports, different hash and build-id. */
static void test_two_builds_differ(void **state) {
    (void)state;
    cli_adapter_spec a, b;
    char err[1024] = "", arg[2048];
    snprintf(arg, sizeof arg, "fast=%s", tiny);
    assert_int_equal(cli_spec_parse(arg, builtins, &a, err, sizeof err), 0);
    snprintf(arg, sizeof arg, "slow=%s", tiny_slow);
    assert_int_equal(cli_spec_parse(arg, builtins, &b, err, sizeof err), 0);
    assert_int_equal(cli_spec_check(&a, err, sizeof err) | cli_spec_check(&b, err, sizeof err), 0);
    json_t *ia = cli_spec_identity(&a, err, sizeof err), *ib = cli_spec_identity(&b, err, sizeof err);
    assert_non_null(ia);
    assert_non_null(ib);
    assert_true(json_equal(json_object_get(ia, "exports"), json_object_get(ib, "exports")));
    assert_string_not_equal(json_string_value(json_object_get(ia, "sha256")),
                            json_string_value(json_object_get(ib, "sha256")));
    assert_false(json_equal(json_object_get(ia, "build_id"), json_object_get(ib, "build_id")));
    json_decref(ia);
    json_decref(ib);
}

static void test_version_from_symbol(void **state) {
    (void)state;
    cli_adapter_spec s;
    char err[1024] = "", arg[2048];
    snprintf(arg, sizeof arg, "mine=%s", mimalloc);
    assert_int_equal(cli_spec_parse(arg, builtins, &s, err, sizeof err), 0);
    assert_int_equal(cli_spec_check(&s, err, sizeof err), 0);
    json_t *id = cli_spec_identity(&s, err, sizeof err);
    assert_non_null(id);
    assert_int_equal(cli_spec_probe(&s, cli_preload, id, err, sizeof err), 0);
    const char *v = json_string_value(json_object_get(id, "version"));
    if (strncmp(v, "mimalloc ", 9) != 0) fail_msg("version '%s' is not read from mi_version", v);
    json_decref(id);
}

static void test_half_and_crashing(void **state) {
    (void)state;
    cli_adapter_spec s;
    char err[1024] = "", arg[2048];
    snprintf(arg, sizeof arg, "half=%s", tiny_half);
    assert_int_equal(cli_spec_parse(arg, builtins, &s, err, sizeof err), 0);
    assert_int_equal(cli_spec_check(&s, err, sizeof err), 0);
    json_t *id = cli_spec_identity(&s, err, sizeof err);
    assert_int_equal(json_array_size(json_object_get(id, "missing")), 3);
    assert_int_equal(cli_spec_probe(&s, cli_preload, id, err, sizeof err), -1);
    assert_refused(err, "half=", "refused", "missing: posix_memalign", "aligned_alloc",
                   "malloc_usable_size");
    json_decref(id);
    snprintf(arg, sizeof arg, "boom=%s", crashlib);
    assert_int_equal(cli_spec_parse(arg, builtins, &s, err, sizeof err), 0);
    assert_int_equal(cli_spec_check(&s, err, sizeof err), 0);
    id = cli_spec_identity(&s, err, sizeof err);
    assert_int_equal(cli_spec_probe(&s, cli_preload, id, err, sizeof err), -1);
    assert_refused(err, "boom=", "crashed at load: Segmentation fault");
    json_decref(id);
}

static void test_env(void **state) {
    (void)state;
    cli_adapter_spec s;
    char err[256], env[3][PATH_MAX + 32];
    assert_int_equal(cli_spec_parse("mine=/a/b.so", builtins, &s, err, sizeof err), 0);
    cli_spec_env(&s, env);
    assert_string_equal(env[0], "LD_PRELOAD=/a/b.so");
    assert_string_equal(env[1], "HB_PRELOAD_LIB=/a/b.so");
    assert_string_equal(env[2], "HB_PRELOAD_NAME=mine");
}

int main(int argc, char **argv) {
    if (argc != 10) {
        fprintf(stderr, "usage: %s TINY TINY_HALF NOMALLOC CRASH HB_PRELOAD EXE MIMALLOC TMPDIR TINY_SLOW\n",
                argv[0]);
        return 2;
    }
    tiny = argv[1], tiny_half = argv[2], nomalloc = argv[3], crashlib = argv[4];
    cli_preload = argv[5], an_exe = argv[6], mimalloc = argv[7], tmpdir = argv[8], tiny_slow = argv[9];
    mkdir(tmpdir, 0755);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),          cmocka_unit_test(test_name_clash),
        cmocka_unit_test(test_missing_and_not_regular), cmocka_unit_test(test_not_elf),
        cmocka_unit_test(test_wrong_architecture), cmocka_unit_test(test_no_malloc),
        cmocka_unit_test(test_identity),       cmocka_unit_test(test_two_builds_differ),
        cmocka_unit_test(test_version_from_symbol),
        cmocka_unit_test(test_half_and_crashing), cmocka_unit_test(test_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
