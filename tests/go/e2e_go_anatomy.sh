#!/bin/sh
# go under --anatomy: hb-go samples Go's own /memory/classes (anatomy.go)
# into the untimed anatomy child's file, and explain classifies the cell
# from them (a failing anatomy child would leave status "error").
. "$(dirname "$0")/../harness/lib.sh"
expect_rc 0 "$HB" run --anatomy --adapters go --workloads heap/spike-release --repetitions 1 --out "$T/r"
st=$(jq -r '.results[0].anatomy.status' "$T/r/run.json")
[ "$st" = ok ] || fail "go's anatomy status is '$st', not ok"
for k in rss live partial cached metadata released; do
    v=$(jq -r ".results[0].anatomy.peak.$k // \"missing\"" "$T/r/run.json")
    case $v in missing|null) fail "go's anatomy peak has no '$k' ($v)";; esac
done
expect_rc 0 "$HB" explain "$T/r"
grep -Eq "go.*heap/spike-release" "$T/out" || fail "explain does not name the go cell"
grep -Eiq "leak|fragmentation|retention|steady|held" "$T/out" || fail "explain gives no class for go"
echo "ok: go's memory classes come from runtime/metrics"
