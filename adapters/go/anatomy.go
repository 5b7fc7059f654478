// anatomy.go — `hb-go bench --anatomy FILE [--anatomy-ms N]`: the memory
// anatomy sampler (docs/anatomy.md, the C side is harness/anatomy.c), from
// Go's own /memory/classes tree, which is what the anatomy classes were
// modelled on. heapbench starts it only in the untimed anatomy child.
//
// One sample a line (heapbench-anatomy/1):
//
//	t_ns rss live in_use free_partial free_cached metadata released
//
// live: the heap marked live by the last cycle (NextGC / (1 + GOGC/100),
// Go 1.19 has no /gc/heap/live:bytes) — Go's program-side figure, not a
// count of requested bytes; in_use: heap/objects (live + not yet swept);
// free_partial: heap/unused (free space inside in-use spans); free_cached:
// heap/free (free pages not returned); metadata: metadata/*; released:
// heap/released.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"time"
)

var anatomyNames = []string{
	"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes", "/memory/classes/heap/released:bytes",
	"/memory/classes/metadata/mcache/free:bytes", "/memory/classes/metadata/mcache/inuse:bytes",
	"/memory/classes/metadata/mspan/free:bytes", "/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/metadata/other:bytes",
}

type anatomySampler struct {
	f    *os.File
	t0   uint64
	ss   []metrics.Sample
	pct  int // GOGC, read once (SetGCPercent is not free)
	stop chan struct{}
	done chan struct{}
}

// startAnatomy opens path and samples every ms milliseconds until stop().
func startAnatomy(path string, ms int64) (*anatomySampler, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	a := &anatomySampler{f: f, t0: monoNs(), pct: gcPercent(), stop: make(chan struct{}), done: make(chan struct{})}
	for _, n := range anatomyNames {
		a.ss = append(a.ss, metrics.Sample{Name: n})
	}
	a.sample()
	go func() {
		t := time.NewTicker(time.Duration(ms) * time.Millisecond)
		defer t.Stop()
		defer close(a.done)
		for {
			select {
			case <-a.stop:
				return
			case <-t.C:
				a.sample()
			}
		}
	}()
	return a, nil
}

func (a *anatomySampler) value(i int) int64 {
	if a.ss[i].Value.Kind() != metrics.KindUint64 {
		return -1
	}
	return int64(a.ss[i].Value.Uint64())
}

func (a *anatomySampler) sample() {
	metrics.Read(a.ss)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := int64(ms.HeapAlloc) // GOGC=off: no goal to derive the live heap from
	if a.pct > 0 {
		live = int64(float64(ms.NextGC) / (1 + float64(a.pct)/100))
	}
	meta := int64(0)
	for i := 4; i < len(anatomyNames); i++ {
		meta += a.value(i)
	}
	fmt.Fprintf(a.f, "%d %d %d %d %d %d %d %d\n", monoNs()-a.t0, selfRSS(), live,
		a.value(0), a.value(1), a.value(2), meta, a.value(3))
}

// finish takes a last sample after the work and closes the file.
func (a *anatomySampler) finish() error {
	close(a.stop)
	<-a.done
	a.sample()
	return a.f.Close()
}

// selfRSS: resident bytes from /proc/self/statm, -1 when unreadable.
func selfRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	var size, res int64
	if _, err := fmt.Sscanf(string(b), "%d %d", &size, &res); err != nil {
		return -1
	}
	return res * int64(os.Getpagesize())
}
