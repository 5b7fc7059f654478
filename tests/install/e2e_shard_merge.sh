# e2e_shard_merge.sh — `run --shard K/N` and `merge`: shards 1/3, 2/3, 3/3
# merged give exactly the cells of the unsharded plan (and their order); a
# missing shard exits 1 naming the missing cells; the same shard twice, a
# different plan, another commit, another machine (unless
# --allow-mixed-machines) and an unsharded folder exit 2 naming the folder.
. "$(dirname "$0")/../harness/lib.sh"
PLAN="--adapters system,goheap --workloads heap/pairs,heap/churn,heap/large --repetitions 1 --min-time 0.01"

# bad --shard values are refused before anything runs
for bad in 0/3 4/3 3 1/0 a/b 1/3x; do
    expect_rc 2 "$HB" run $PLAN --shard "$bad" --out "$T/bad"
    expect_err "--shard takes K/N"
done
[ ! -e "$T/bad" ] || fail "a refused --shard created its output folder"

expect_rc 0 "$HB" run $PLAN --out "$T/whole"
for k in 1 2 3; do expect_rc 0 "$HB" run $PLAN --shard "$k/3" --out "$T/s$k"; done
whole=$(jq -r '.results[].id' "$T/whole/run.json")
[ "$(echo "$whole" | wc -l)" = 6 ] || fail "the unsharded plan has $(echo "$whole" | wc -l) cells, wanted 6"
# disjoint slices: 2 cells each, no id twice
for k in 1 2 3; do [ "$(cells "$T/s$k")" = 2 ] || fail "shard $k/3 ran $(cells "$T/s$k") cells, wanted 2"; done
[ "$(jq -r '.results[].id' "$T"/s?/run.json | sort | uniq -d)" = "" ] || fail "a cell ran in two shards"

expect_rc 0 "$HB" merge "$T/m" "$T/s3" "$T/s1" "$T/s2"
expect_err "3 shards, 6 of 6 cells, 0 missing"
[ "$(jq -r '.results[].id' "$T/m/run.json")" = "$whole" ] || fail "merged cells differ from the unsharded run's"
[ "$(jq -r '.meta.status' "$T/m/run.json")" = complete ] || fail "merged status is not complete"
[ "$(jq -c '.meta.config' "$T/m/run.json")" = "$(jq -c '.meta.config' "$T/whole/run.json")" ] ||
    fail "merged meta.config differs from the unsharded run's"
for id in $whole; do [ -f "$T/m/raw/$id.json" ] || fail "merged raw/$id.json missing"; done
[ "$(tail -n +2 "$T/m/results.csv" | wc -l)" = 6 ] || fail "merged results.csv has not 6 rows"
# the merged run is an ordinary run: compare accepts it against the whole one
expect_rc 0 "$HB" compare "$T/whole" "$T/m" --threshold 1000

# OUT already holding a run is refused
expect_rc 2 "$HB" merge "$T/m" "$T/s1" "$T/s2" "$T/s3"
expect_err "already holds a run"
# a shard missing: OUT written, exit 1, the missing cells named
expect_rc 1 "$HB" merge "$T/m2" "$T/s1" "$T/s3"
missing=$(jq -r '.results[].id' "$T/s2/run.json" | head -1)
expect_err "missing cell $missing (shard 2/3)"
[ "$(jq -r '.meta.status' "$T/m2/run.json")" = incomplete ] || fail "a merge with a shard missing is not marked incomplete"
# the same shard twice
expect_rc 2 "$HB" merge "$T/m3" "$T/s1" "$T/s1"
expect_err "is in both $T/s1 and $T/s1"
# an unsharded run
expect_rc 2 "$HB" merge "$T/m4" "$T/s1" "$T/whole"
expect_err "$T/whole: not a run made with --shard"
# another plan (other workloads)
expect_rc 0 "$HB" run --adapters system --workloads heap/pairs --repetitions 1 --min-time 0.01 --shard 2/3 --out "$T/other"
expect_rc 2 "$HB" merge "$T/m5" "$T/s1" "$T/other"
expect_err "ran different plans"
# another commit, another host: edited copies of shard 2 (sed, not jq: jq
# would rewrite 300.0 as 300, another plan)
cp -r "$T/s2" "$T/commit"
sed 's/"git_commit": "[^"]*"/"git_commit": "0000000000000000000000000000000000000000"/' "$T/s2/run.json" >"$T/commit/run.json"
expect_rc 2 "$HB" merge "$T/m6" "$T/s1" "$T/commit" "$T/s3"
expect_err "must be built from the same commit"
cp -r "$T/s2" "$T/host"
sed 's/"host": "[^"]*"/"host": "elsewhere"/' "$T/s2/run.json" >"$T/host/run.json"
expect_rc 2 "$HB" merge "$T/m7" "$T/s1" "$T/host" "$T/s3"
expect_err "mixed machines"
expect_rc 0 "$HB" merge "$T/m7" "$T/s1" "$T/host" "$T/s3" --allow-mixed-machines
[ "$(jq -r '[.meta.merged_from[].host] | join(",")' "$T/m7/run.json")" = "$(hostname),elsewhere,$(hostname)" ] ||
    fail "meta.merged_from does not list the shards' hosts"
# usage
expect_rc 2 "$HB" merge "$T/m8"
expect_err "needs OUT and at least one shard folder"
echo ok
