# slurm_array.sh — the Slurm path for real: a private single-node Slurm on
# this machine (munged with its own key and socket; slurmctld and slurmd in
# the foreground over a private slurm.conf, state folders and ports;
# proctrack/linuxproc, task/none, no cgroups), then
# scripts/slurm/heapbench-array.sbatch submits a 3-task array over a small
# plan and a dependent merge job; the merged run must hold exactly the cells
# of an unsharded run. Every daemon started here is stopped on exit,
# whatever happens. When Slurm cannot be started, exits 77 (ctest: skipped)
# saying why.
# usage: slurm_array.sh HEAPBENCH SOURCE_DIR
set -u
HB=${1:?heapbench}; S=${2:?source dir}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; for f in "$T"/*.log "$T"/out/slurm-*.out; do [ -f "$f" ] && { echo "== $f"; tail -20 "$f"; }; done >&2; exit 1; }
for p in munged slurmctld slurmd sbatch squeue sinfo; do
    command -v "$p" >/dev/null || PATH=$PATH:/usr/sbin command -v "$p" >/dev/null ||
        skip "$p not installed (Debian: apt-get install slurm-wlm munge; scripts/deps.d/slurm.txt)"
done
PATH=$PATH:/usr/sbin
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root to start jobs (running as $(id -un))"
T=$(mktemp -d /tmp/hb-slurm-XXXXXX)
chmod 755 "$T"
PIDS=""
stop() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap stop EXIT
trap 'exit 1' INT TERM
export HB_HISTORY_DB="$T/history.db" HB_RESULTS_DIR="$T/results"

# munged: private key, socket, state
mkdir -p "$T/munge" && chmod 700 "$T/munge"
dd if=/dev/urandom of="$T/munge/key" bs=1024 count=1 2>/dev/null && chmod 400 "$T/munge/key"
munged -F --force --key-file="$T/munge/key" --socket="$T/munge/sock" --pid-file="$T/munge/pid" \
    --seed-file="$T/munge/seed" --log-file="$T/munged.log" 2>>"$T/munged.log" &
PIDS="$PIDS $!"
i=0; while [ ! -S "$T/munge/sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$T/munge/sock" ] || skip "munged did not start: $(tail -3 "$T/munged.log" | tr '\n' ' ')"

node=$(hostname -s)
port=$((20000 + $$ % 20000))
mkdir -p "$T/ctld" "$T/d"
export SLURM_CONF="$T/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=hbtest
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/sock
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$T/ctld
SlurmdSpoolDir=$T/d
SlurmctldPidFile=$T/ctld.pid
SlurmdPidFile=$T/d.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=hb Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" >>"$T/slurmctld.log" 2>&1 &
PIDS="$PIDS $!"
slurmd -D -f "$SLURM_CONF" -N "$node" >>"$T/slurmd.log" 2>&1 &
PIDS="$PIDS $!"
i=0; state=""
while [ $i -lt 100 ]; do
    state=$(sinfo -h -o %T 2>/dev/null | head -1)
    [ "$state" = idle ] && break
    sleep 0.2; i=$((i + 1))
done
[ "$state" = idle ] || skip "Slurm did not come up (node state '$state'): $(tail -3 "$T/slurmctld.log" "$T/slurmd.log" | tr '\n' ' ')"

PLAN="--adapters system,goheap --workloads heap/pairs,heap/churn,heap/large --repetitions 1 --min-time 0.01"
"$HB" run $PLAN --out "$T/whole" 2>"$T/whole.log" || fail "the unsharded run exited $?"
ids=$(HEAPBENCH="$HB" sh "$S/scripts/slurm/heapbench-array.sbatch" submit 3 "$T/out" $PLAN) ||
    fail "submit failed: $ids"
set -- $ids
[ $# = 2 ] || fail "submit printed '$ids', not two job ids"
i=0
while [ $i -lt 300 ] && [ -n "$(squeue -h -j "$1,$2" -o %i 2>/dev/null)" ]; do sleep 0.2; i=$((i + 1)); done
[ -z "$(squeue -h -j "$1,$2" -o %i 2>/dev/null)" ] || fail "the jobs did not finish within 60 s"
[ -f "$T/out/merged/run.json" ] || fail "the merge job wrote no $T/out/merged/run.json"
for k in 1 2 3; do [ -f "$T/out/shard-$k/run.json" ] || fail "array task $k wrote no shard-$k/run.json"; done
[ "$(jq -r '.results[].id' "$T/out/merged/run.json")" = "$(jq -r '.results[].id' "$T/whole/run.json")" ] ||
    fail "the merged cells differ from the unsharded run's"
[ "$(jq -r '.meta.status' "$T/out/merged/run.json")" = complete ] || fail "the merged run is not complete"
echo "ok: array job $1, merge job $2, $(jq '.results | length' "$T/out/merged/run.json") cells"
