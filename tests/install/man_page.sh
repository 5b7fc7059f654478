# man_page.sh — heapbench(1): the built page is what `heapbench help --man`
# writes now (generated, not edited), `man -l` and groff render it without
# a single warning, and every subcommand and every option of every
# `heapbench help CMD` is in it (so it cannot drift from --help).
# usage: man_page.sh HEAPBENCH PAGE
set -u
HB=${1:?heapbench}; PAGE=${2:?heapbench.1}
T=$(mktemp -d /tmp/hb-man-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$HB" help --man >"$T/now.1" || fail "heapbench help --man exited $?"
cmp -s "$T/now.1" "$PAGE" || fail "$PAGE differs from heapbench help --man (rebuild)"
MANWIDTH=80 man --warnings=all -l "$PAGE" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "man -l exited $?"; }
[ ! -s "$T/err" ] || { cat "$T/err"; fail "man -l warned"; }
# man-db may drop troff warnings (seccomp sandbox); groff -ww below is the strict check
grep -q "^COMMANDS" "$T/out" || fail "the rendered page has no COMMANDS section"
groff -man -Tutf8 -ww -z "$PAGE" 2>"$T/err" && [ ! -s "$T/err" ] || { cat "$T/err"; fail "groff -ww warned"; }
cmds=$("$HB" --help | sed -n '/^commands:/,$p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$cmds" ] || fail "heapbench --help lists no commands"
for c in $cmds; do
    grep -qx ".SS \"$(echo "$c" | sed 's/-/\\\\-/g')\"" "$PAGE" || fail "the page has no section for '$c'"
    for o in $("$HB" help "$c" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$PAGE" || fail "'heapbench help $c' shows $o; the page does not"
    done
done
echo "ok: $(echo $cmds | wc -w) commands"
