# e2e_plot.sh — `heapbench plot` draws at least four PNGs (time, RSS, RSS
# over time per workload) from a small run, skips with a note what the run
# lacks, and the history of the run can be listed and trended.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HB" run --adapters system,mimalloc --workloads heap/pairs,heap/churn --repetitions 2 --min-time 0.01 \
    --param ops=20000 --out "$T/run"
expect_rc 0 "$HB" plot "$T/run"
n=$(ls "$T/run/plots"/*.png | wc -l)
[ "$n" -ge 4 ] || fail "only $n PNG plots"
[ -s "$T/run/plots/time.svg" ] || fail "no SVG"
grep -q "skipped GOGC" "$T/out" || fail "no note for the missing GOGC sweep"
for f in "$T/run/plots"/*.png; do
    head -c 8 "$f" | od -An -c | grep -q 'P   N   G' || fail "$f is not a PNG"
done
expect_rc 0 "$HB" history
grep -q "$T/run" "$T/out" || fail "the run is not in the history"
expect_rc 0 "$HB" history --trend system heap/pairs --plot "$T/trend.png"
[ -s "$T/trend.png" ] || fail "no trend plot"
expect_rc 2 "$HB" history --trend system heap/nosuch
echo ok
