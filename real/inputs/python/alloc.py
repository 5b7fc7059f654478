# real/python input — an allocation-heavy Python program for heapbench.
#
# Five phases in the style of ordinary Python code: objects in a dict keyed
# by strings, string building and splitting, tuple trees (binary-trees),
# word counting in a dict, and sorting a large list of ints. CPython serves
# objects up to 512 bytes from its own arenas (pymalloc) and everything
# larger — dict tables, list arrays, long strings, the arenas themselves —
# from malloc, so the allocator under test sees the growth and churn.
#
# Usage: python3 alloc.py N DEPTH. Prints one line per phase; the expected
# lines are computed independently in C by workloads/real/python.c.
import sys


class Record:
    def __init__(self, i, name, tags):
        self.i = i
        self.name = name
        self.tags = tags


def records(n):
    table = {}
    for i in range(n):
        table["rec-%d" % i] = Record(i, "name%d" % (i % 1000), [i % 3, i % 5, i % 7])
    for i in range(0, n, 3):
        del table["rec-%d" % i]
    total = 0
    for r in table.values():
        total += r.i * len(r.name) + sum(r.tags)
    return "records %d %d" % (len(table), total)


def strings(n):
    text = ",".join([str(i * i) for i in range(n)])
    fields = text.split(",")
    odd = [f[::-1] for f in fields if f[-1] in "13579"]
    return "strings %d %d %d" % (len(text), len(odd), sum(int(u) % 1000003 for u in odd))


def make(d):
    return (make(d - 1), make(d - 1)) if d > 0 else (None, None)


def check(t):
    left, right = t
    return 1 if left is None else 1 + check(left) + check(right)


def trees(depth):
    total = 0
    for d in range(4, depth + 1, 2):
        for _ in range(2 ** (depth - d + 2)):
            total += check(make(d))
    return "trees %d" % total


def words(n):
    counts = {}
    for i in range(n):
        w = "w%d" % ((i * 2654435761) % 4096)
        counts[w] = counts.get(w, 0) + 1
    return "words %d %d" % (len(counts), sum(c * c for c in counts.values()))


def sort(n):
    xs = [(i * 48271) % 2147483647 for i in range(n)]
    xs.sort()
    return "sort %d" % sum(x * (k % 7) for k, x in enumerate(xs))


def main():
    n, depth = int(sys.argv[1]), int(sys.argv[2])
    for line in (records(n), strings(n), trees(depth), words(n), sort(n)):
        print(line)


main()
