# goheap_consumer.sh — installs the build into a temporary prefix and
# builds tests/install/goheap_consumer against that copy of goheap twice:
# through pkg-config (static and shared) and through find_package(goheap)
# (goheap::goheap, goheap::goheap_shared). Each program must run and say ok.
# usage: goheap_consumer.sh BUILD_DIR SOURCE_DIR C_COMPILER
set -u
B=${1:?build dir}; S=${2:?source dir}; CC=${3:-cc}
T=$(mktemp -d /tmp/hb-goheap-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cmake --install "$B" --prefix "$T/p" --component goheap >"$T/log" 2>&1 || { cat "$T/log"; fail "install failed"; }
src="$S/tests/install/goheap_consumer"
pc=$(find "$T/p" -name goheap.pc | head -1)
[ -n "$pc" ] || fail "no goheap.pc installed"
export PKG_CONFIG_PATH="$(dirname "$pc")"
cflags=$(pkg-config --cflags goheap) && libs=$(pkg-config --libs goheap) || fail "pkg-config --cflags --libs goheap failed"
inc=$(echo "$cflags" | sed -n 's/^-I\([^ ]*\).*/\1/p')
[ -n "$inc" ] && [ "$(cd "$inc" && pwd -P)" = "$(cd "$T/p/include" && pwd -P)" ] ||
    fail "pkg-config --cflags gives '$cflags', not the prefix's include/ (the .pc must be relocatable)"
libdir=$(pkg-config --variable=libdir goheap)
# shared: -lgoheap finds libgoheap.so first
$CC "$src/main.c" $cflags $libs -Wl,-rpath,"$libdir" -o "$T/pc_shared" || fail "pkg-config shared link failed"
ldd "$T/pc_shared" | grep -q "libgoheap.so" || fail "pc_shared does not use libgoheap.so"
# static: the archive itself
$CC "$src/main.c" $cflags "$libdir/libgoheap.a" $(pkg-config --static --libs-only-other goheap) -o "$T/pc_static" ||
    fail "pkg-config static link failed"
ldd "$T/pc_static" | grep -q "libgoheap" && fail "pc_static still needs libgoheap.so"
cmake -S "$src" -B "$T/cm" -DCMAKE_PREFIX_PATH="$T/p" -DCMAKE_C_COMPILER="$CC" >"$T/log" 2>&1 ||
    { cat "$T/log"; fail "find_package(goheap) configure failed"; }
cmake --build "$T/cm" >"$T/log" 2>&1 || { cat "$T/log"; fail "find_package(goheap) build failed"; }
for p in "$T/pc_shared" "$T/pc_static" "$T/cm/consumer_static" "$T/cm/consumer_shared"; do
    out=$("$p") || fail "$p exited $?"
    echo "$out" | grep -q "^goheap .* ok$" || fail "$p printed '$out'"
done
echo ok
