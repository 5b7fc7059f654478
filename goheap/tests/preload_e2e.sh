#!/bin/sh
# preload_e2e.sh LIB WORKDIR — run real programs on libgoheap_malloc.so.
# Each run sets GOHEAP_DEBUG_STATS=<file>: goheap appends its statistics there
# at exit, which only happens if goheap was initialised by the program's
# mallocs; the script checks that line to prove goheap served. (A file, not
# stderr: sort(1) and ls(1) close stderr before exit.)
set -u
LIB=$1
W=$(realpath -m "$2")
rm -rf "$W" && mkdir -p "$W/d" || exit 1
fail=0

served() { # name stderr-file stats-file
    if ! grep -q '^goheap stats:' "$3"; then
        echo "FAIL $1: goheap did not serve (no stats line)"; cat "$2"; fail=1; return 1
    fi
    if grep -q 'fatal error' "$2"; then
        echo "FAIL $1: goheap error"; cat "$2"; fail=1; return 1
    fi
    echo "ok   $1: $(grep '^goheap stats:' "$3" | head -1 | cut -c1-120)"
}
run() { # name expected-stdout command...
    name=$1; want=$2; shift 2
    rm -f "$W/$name.stats"
    out=$(LD_PRELOAD="$LIB" GOHEAP_DEBUG_STATS="$W/$name.stats" "$@" 2>"$W/$name.err")
    rc=$?
    if [ $rc -ne 0 ] || [ "$out" != "$want" ]; then
        echo "FAIL $name: rc=$rc output '$out' (want '$want')"; cat "$W/$name.err"; fail=1; return
    fi
    served "$name" "$W/$name.err" "$W/$name.stats"
}

run python 5888890 python3 -c 'print(sum(len(str(i)) for i in range(10**6)))'
run python-threads 400000 python3 -c '
import threading
out = []
def work():
    d = {}
    for i in range(100000):
        d[i] = str(i) * 3
    out.append(len(d))
ts = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sum(out))'
run python-fork ok python3 -c '
import os, subprocess
r = subprocess.run(["echo", "ok"], capture_output=True, text=True)
pid = os.fork()
if pid == 0:
    x = [bytes(1000) for _ in range(10000)]; os._exit(0)
os.waitpid(pid, 0)
print(r.stdout.strip())'

if command -v sqlite3 >/dev/null; then
    run sqlite3 "50000|1249975000|5000" sqlite3 :memory: "
        create table t(a integer primary key, b text);
        with recursive c(x) as (select 1 union all select x+1 from c where x < 50000)
        insert into t select x, hex(randomblob(40)) from c;
        create index tb on t(b);
        delete from t where a > 50000;
        select count(*), sum(a - 1), (select count(*) from t where a % 10 = 0) from t;"
fi

printf 'c\nb\na\nb\n' > "$W/d/in.txt"
run sort "a
b
b
c" sort "$W/d/in.txt"
run ls in.txt ls "$W/d"

if command -v gcc >/dev/null; then
    cat > "$W/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
struct node { struct node *l, *r; int v; };
static struct node *make(int d) {
    struct node *n = malloc(sizeof *n);
    n->v = d; n->l = d ? make(d - 1) : 0; n->r = d ? make(d - 1) : 0;
    return n;
}
static int count(struct node *n) { return n ? 1 + count(n->l) + count(n->r) : 0; }
int main(void) { printf("%d\n", count(make(10))); return 0; }
C
    run gcc "" gcc -O2 -c "$W/prog.c" -o "$W/prog.o"
    run gcc-link "" gcc -O2 "$W/prog.c" -o "$W/prog"
    run compiled-prog 2047 "$W/prog"
fi
exit $fail
