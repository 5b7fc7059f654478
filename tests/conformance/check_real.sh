#!/bin/sh
# check_real.sh HEAPBENCH KNOWN OUTDIR — conform over every real adapter;
# every rule violation must be a documented finding (KNOWN: "adapter property"
# lines, see docs/conformance.md "Findings"); anything else is a false alarm
# or a regression and fails the test.
set -u
hb=$1 known=$2 out=$3
"$hb" conform --out "$out" >"$out.log" 2>&1
rc=$?
cat "$out.log"
[ $rc -le 1 ] || { echo "FAIL: heapbench conform exited $rc"; exit 1; }
python3 - "$out/conformance.json" "$known" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
known = {tuple(l.split()[:2]) for l in open(sys.argv[2]) if l.strip() and not l.startswith('#')}
bad = [c for c in doc["matrix"] if c["kind"] == "rule" and c["status"] in ("fail", "crashed", "timeout")
       and (c["adapter"], c["property"]) not in known]
for c in bad: print("UNDOCUMENTED:", c["adapter"], c["property"], c["status"], c["detail"])
props = {p["name"] for p in doc["properties"]}
manual = [p for p in props if not p.startswith("gc/")]
gc = [p for p in props if p.startswith("gc/")]
print(f"{len(manual)} allocator and {len(gc)} collector properties")
sys.exit(1 if bad or len(manual) < 30 or len(gc) < 12 else 0)
PY
