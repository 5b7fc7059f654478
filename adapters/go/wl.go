// wl.go — the workloads' helpers, ported bit for bit from workloads/wl/:
// the PRNG and size distributions (rng.h: the same request sequence as the
// C workloads), block stamps (stamp.h) and RSS (sys.h). HB_GO_CORRUPT=1
// makes the ports damage one block (tests only: proves validation runs).
package main

import (
	"encoding/binary"
	"math/bits"
	"os"
	"strconv"
	"strings"
)

var corrupt = os.Getenv("HB_GO_CORRUPT") == "1"

type rng struct{ s uint64 }

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func seed(s uint64) rng {
	r := rng{splitmix(s)}
	if r.s == 0 {
		r.s = 1
	}
	return r
}

func (r *rng) next() uint64 {
	x := r.s
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	r.s = x
	return x * 0x2545f4914f6cdd1d
}

func (r *rng) below(n uint64) uint64        { hi, _ := bits.Mul64(r.next(), n); return hi }
func (r *rng) rangeIn(lo, hi uint64) uint64 { return lo + r.below(hi-lo+1) }

func (r *rng) logRange(lo, hi uint64) uint64 {
	bl, bh := 63-bits.LeadingZeros64(lo), 63-bits.LeadingZeros64(hi)
	b := bl + int(r.below(uint64(bh-bl+1)))
	base := uint64(1) << b
	v := base + r.below(base)
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func (r *rng) distSize(dist int64) int {
	switch dist {
	case 0:
		return int(r.rangeIn(16, 128))
	case 1:
		return int(r.rangeIn(256, 8192))
	}
	k := r.below(100)
	if k < 80 {
		return int(r.rangeIn(16, 256))
	}
	if k < 99 {
		return int(r.logRange(256, 16384))
	}
	return int(r.logRange(16384, 256*1024))
}

var le = binary.LittleEndian

func stampWord(key uint64, size int) uint64 { return splitmix(key ^ (uint64(size) << 40)) }

func stamp(p []byte, key uint64) {
	w := stampWord(key, len(p))
	le.PutUint64(p, w)
	if len(p) >= 16 {
		le.PutUint64(p[len(p)-8:], ^w)
	}
}

func stampOK(p []byte, key uint64) bool {
	w := stampWord(key, len(p))
	if le.Uint64(p) != w {
		return false
	}
	return len(p) < 16 || le.Uint64(p[len(p)-8:]) == ^w
}

func touchPages(p []byte, key uint64) {
	v := stampWord(key, len(p))
	for off := 0; off+8 <= len(p); off += 4096 {
		le.PutUint64(p[off:], v+uint64(off))
	}
	le.PutUint64(p[len(p)-8:], ^v)
}

func touchPagesOK(p []byte, key uint64) bool {
	v := stampWord(key, len(p))
	for off := 0; off+8 <= len(p)-8; off += 4096 {
		if le.Uint64(p[off:]) != v+uint64(off) {
			return false
		}
	}
	return le.Uint64(p[len(p)-8:]) == ^v
}

// rssBytes: resident bytes of this process (/proc/self/statm); 0 without /proc.
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseUint(f[1], 10, 64)
	return n * uint64(os.Getpagesize())
}

func slope(x, y []float64) float64 {
	n := float64(len(x))
	if len(x) < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for i := range x {
		sx, sy, sxx, sxy = sx+x[i], sy+y[i], sxx+x[i]*x[i], sxy+x[i]*y[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}
