# optional_build.sh — a second build with one allocator library "missing"
# (-DHB_WITH_TBBMALLOC=OFF, and BUILD_TESTING=OFF: no cmocka needed):
# configure says once that hb-tbbmalloc is not built, there is no such
# target, and the CLI and one adapter build and run without it (the CLI's
# default adapters no longer name tbbmalloc).
# usage: optional_build.sh SOURCE_DIR C_COMPILER CXX_COMPILER
set -u
S=${1:?source dir}; CC=${2:-cc}; CXX=${3:-c++}
T=$(mktemp -d /tmp/hb-optional-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cmake -S "$S" -B "$T/b" -DHB_WITH_TBBMALLOC=OFF -DBUILD_TESTING=OFF -DHB_WERROR=ON \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" >"$T/conf" 2>&1 || { cat "$T/conf"; fail "configure failed"; }
[ "$(grep -c "hb-tbbmalloc not built" "$T/conf")" = 1 ] || { cat "$T/conf"; fail "configure did not say once that hb-tbbmalloc is not built"; }
grep -q "hb-mimalloc not built" "$T/conf" && fail "configure dropped mimalloc too"
cmake --build "$T/b" --target help | grep -q "hb-tbbmalloc" && fail "the build still has an hb-tbbmalloc target"
cmake --build "$T/b" --target hb-system -j2 >"$T/log" 2>&1 || { tail -30 "$T/log"; fail "hb-system did not build"; }
cmake --build "$T/b" --target heapbench/fast -j2 >"$T/log" 2>&1 || { tail -30 "$T/log"; fail "heapbench did not build"; }
"$T/b/heapbench" list --adapters system >/dev/null || fail "heapbench list --adapters system failed"
"$T/b/heapbench" run --adapters tbbmalloc --out "$T/r" 2>"$T/err" && fail "run --adapters tbbmalloc succeeded"
grep -q "unknown adapter 'tbbmalloc' (built: system," "$T/err" || { cat "$T/err"; fail "no 'unknown adapter' message"; }
sed -n 's/.*(built: \(.*\))/\1/p' "$T/err" | grep -q tbbmalloc && fail "tbbmalloc listed as built: $(cat "$T/err")"
echo ok
