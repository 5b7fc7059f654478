#!/bin/sh
# header_sync.sh ROOT — the worked examples at the top of the contract
# headers are the files in examples/, line for line, so they cannot rot.
#
# A file examples/F.c marks its shown lines
#     // >>> include/heapbench/H.h
#     ...code...
#     // <<< include/heapbench/H.h
# and H.h's top comment holds the same lines, indented, between
#      * >>> examples/F.c
#      *     ...code...
#      * <<< examples/F.c
# (an empty line is a bare " *"). Every marker must have its partner, and
# adapter.h, workload.h and conform.h must each hold at least one example.
# Exit 1 naming the first difference (diff -u), 0 when all agree.
set -u
root=$1
tmp=$(mktemp -d /tmp/hb-header-sync-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bad=0
fail() { echo "FAIL: $*"; bad=1; }

# region FILE OPEN CLOSE IN_COMMENT: the lines strictly between the marker
# lines OPEN and CLOSE (one pair); in a header comment, without " *     ".
region() {
    awk -v beg="$2" -v fin="$3" -v cmt="$4" '
        $0 == beg { if (seen++) { print FILENAME ": marker twice: " beg > "/dev/stderr"; exit 3 } inside = 1; next }
        $0 == fin { if (!inside) exit 2; inside = 0; done = 1; next }
        inside && cmt && $0 == " *" { print ""; next }
        inside && cmt && substr($0, 1, 7) != " *     " {
            print FILENAME ":" NR ": not an example line (\" *     CODE\"): " $0 > "/dev/stderr"; exit 3 }
        inside { print cmt ? substr($0, 8) : $0 }
        END { if (!done || inside) exit 2 }' "$1"
}

# Every (example, header) pair named from either side.
pairs=$tmp/pairs
: >"$pairs"
for f in "$root"/examples/*.c; do
    sed -n 's|^// >>> \(include/heapbench/[^ ]*\)$|\1|p' "$f" | while read -r h; do
        echo "examples/${f##*/} $h" >>"$pairs"; done
done
for h in adapter workload conform; do
    hdr=include/heapbench/$h.h
    grep -q '^ \* >>> examples/' "$root/$hdr" || fail "$hdr opens with no example (' * >>> examples/F.c')"
    sed -n 's|^ \* >>> \(examples/[^ ]*\)$|\1|p' "$root/$hdr" | while read -r f; do
        echo "$f $hdr" >>"$pairs"; done
done
[ -s "$pairs" ] || fail "no example markers at all under $root"

sort -u "$pairs" | while read -r f h; do
    [ -f "$root/$f" ] || { echo "FAIL: $h shows $f, which does not exist"; echo x >"$tmp/bad"; continue; }
    region "$root/$f" "// >>> $h" "// <<< $h" 0 >"$tmp/code" ||
        { echo "FAIL: $f has no complete '// >>> $h' ... '// <<< $h' region"; echo x >"$tmp/bad"; continue; }
    region "$root/$h" " * >>> $f" " * <<< $f" 1 >"$tmp/copy" ||
        { echo "FAIL: $h has no complete ' * >>> $f' ... ' * <<< $f' example"; echo x >"$tmp/bad"; continue; }
    [ -s "$tmp/code" ] || { echo "FAIL: the region of $f for $h is empty"; echo x >"$tmp/bad"; continue; }
    if diff -u --label "$f" --label "$h (its copy)" "$tmp/code" "$tmp/copy"; then
        echo "ok: $h shows $f ($(wc -l <"$tmp/code") lines)"
    else
        echo "FAIL: $h's example differs from $f (fix the header, or the file, so both agree)"; echo x >"$tmp/bad"
    fi
done
[ -e "$tmp/bad" ] && bad=1
exit $bad
