# install_prefix.sh — `cmake --install` into a temporary prefix, then a copy
# of that install only (the prefix itself removed) runs `heapbench run`,
# `plot` and `conform` from an unrelated folder while the source and build
# trees are hidden (a private mount namespace with an empty tmpfs over
# them, when unshare works; otherwise they are merely unused). Results must
# land in ./results of that folder. Deletes nothing but its scratch folder.
# usage: install_prefix.sh BUILD_DIR SOURCE_DIR
set -u
B=${1:?build dir}; S=${2:?source dir}
T=$(mktemp -d /tmp/hb-install-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
C=$(git -C "$S" rev-parse HEAD 2>/dev/null || echo unknown)
cmake --install "$B" --prefix "$T/p" >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "cmake --install failed"; }
for f in bin/heapbench libexec/heapbench/hb-system libexec/heapbench/hb-goheap libexec/heapbench/hb-preload \
         libexec/heapbench/libhb-preload-probe.so share/heapbench/plots/bars.gp \
         share/heapbench/workloads/traces share/heapbench/real/inputs share/man/man1/heapbench.1 \
         share/doc/heapbench/README.md share/doc/heapbench/architecture.md include/goheap/goheap.h; do
    [ -e "$T/p/$f" ] || fail "the install lacks $f"
done
ls "$T/p/libexec/heapbench" | grep -q '^hb-fault-' || fail "the install lacks the hb-fault-* adapters"
[ "$(ls "$T/p/bin")" = heapbench ] || fail "bin/ holds more than heapbench: $(ls "$T/p/bin" | tr '\n' ' ')"
# A copy of the install only: nothing may point back at $T/p or the trees.
cp -a "$T/p" "$T/copy" && rm -rf "$T/p"
mkdir "$T/work"
cat >"$T/inner.sh" <<'INNER'
set -eu
cd "$1/work"
unset HB_RESULTS_DIR HB_HISTORY_DB HB_SOURCE_DIR HB_PLOTS_DIR HB_TRACE HB_REAL_DIR
H="$1/copy/bin/heapbench"
"$H" --version >/dev/null
"$H" list >/dev/null
# heap/replay reads the shipped trace from share/heapbench/workloads/traces
"$H" run --adapters system,goheap --workloads heap/pairs,heap/replay --repetitions 1 --min-time 0.01 2>run.err
[ -f results/latest/run.json ] || { cat run.err; echo "no results/latest/run.json in the working folder"; exit 1; }
# The commit built is stamped into the binary, not asked of a tree it cannot see.
[ "$(jq -r .meta.git_commit results/latest/run.json)" = "$2" ] ||
    { echo "run.json records commit $(jq -r .meta.git_commit results/latest/run.json), built from $2"; exit 1; }
[ "$(jq '[.results[] | select(.status == "ok")] | length' results/latest/run.json)" = 4 ] ||
    { jq -c '.results[] | [.id, .status, .message]' results/latest/run.json; echo "not every cell ok"; exit 1; }
"$H" plot results/latest --format svg >plot.out 2>&1 || { cat plot.out; echo "plot failed"; exit 1; }
ls results/latest/plots/*.svg >/dev/null || { echo "plot drew nothing"; exit 1; }
"$H" conform --adapters system --properties 'alignment/*' --out conform >conform.out 2>&1 ||
    { cat conform.out; echo "conform failed"; exit 1; }
grep -q "0 rule violations" conform.out || { cat conform.out; echo "conform found no properties"; exit 1; }
INNER
hidden="no"
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    hidden="yes"
    unshare -m sh -c 'mount -t tmpfs none "$2" && mount -t tmpfs none "$1" && exec sh "$3/inner.sh" "$3" "$4"' \
        sh "$S" "$B" "$T" "$C" || fail "the installed copy failed with the source and build trees hidden"
else
    sh "$T/inner.sh" "$T" "$C" || fail "the installed copy failed"
fi
echo "ok (source and build trees hidden: $hidden)"
