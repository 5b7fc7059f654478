# deb_package.sh — `cpack -G DEB` makes a .deb whose file list holds the
# CLI, the adapters under libexec, the data under share/heapbench, the man
# page and libgoheap with goheap.pc; its Depends come from dpkg-shlibdeps;
# and the unpacked tree (dpkg-deb -x, no root needed) runs.
# usage: deb_package.sh BUILD_DIR
set -u
B=${1:?build dir}
T=$(mktemp -d /tmp/hb-deb-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
(cd "$B" && cpack -G DEB -B "$T/pkg" --config CPackConfig.cmake) >"$T/log" 2>&1 || { cat "$T/log"; fail "cpack -G DEB failed"; }
deb=$(ls "$T"/pkg/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$T/log"; fail "cpack made no .deb"; }
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$T/files"
for f in ./usr/bin/heapbench ./usr/libexec/heapbench/hb-system ./usr/libexec/heapbench/hb-goheap-gc \
         ./usr/share/heapbench/plots/bars.gp ./usr/share/man/man1/heapbench.1 ./usr/share/doc/heapbench/README.md \
         ./usr/include/goheap/goheap.h; do
    grep -qx -- "$f" "$T/files" || fail "the .deb lacks $f"
done
grep -q '/libgoheap\.so' "$T/files" && grep -q '/libgoheap\.a$' "$T/files" && grep -q '/pkgconfig/goheap\.pc$' "$T/files" &&
    grep -q '/cmake/goheap/goheapConfig\.cmake$' "$T/files" || fail "the .deb lacks libgoheap, goheap.pc or the CMake package"
dpkg-deb -f "$deb" Depends | grep -q libjansson || fail "Depends lacks libjansson: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -x "$deb" "$T/root"
(cd "$T" && "$T/root/usr/bin/heapbench" list >/dev/null) || fail "the unpacked heapbench cannot list"
echo "ok: $(basename "$deb")"
