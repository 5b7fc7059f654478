// gc.go — the Go collector's counters and pause events, in the shape the C
// side reports them (harness/bench_main.c, docs/results-format.md).
//
// Sources (Go 1.19, Debian's golang-go; newer metrics used when present):
//
//	gc_cycles, pause_total_ns   runtime.MemStats NumGC, PauseTotalNs (deltas)
//	gc_pauses, pause_p50/p99/max_ns
//	                            /gc/pauses:seconds, a histogram of every
//	                            stop-the-world pause (two per cycle) since
//	                            the process started, as goheap's are; a
//	                            percentile is its bucket's upper bound
//	                            (buckets ~6% wide), the max the highest
//	                            non-empty bucket's, capped by the longest
//	                            per-cycle pause MemStats saw. Go 1.22+:
//	                            /sched/pauses/total/gc:seconds instead, and
//	                            pause_stop_p50/p99/max_ns from
//	                            /sched/pauses/stopping/gc:seconds (the time
//	                            to stop the world); Go 1.19 has neither, so
//	                            no pause_stop_* counter is written (the
//	                            report says "n/a (Go < 1.22)"). The work
//	                            part (pause_work_*, which goheap-gc reports
//	                            per pause) is not derivable from two
//	                            histograms and is never written for Go.
//	mark_cpu_ns, assist_ns      /cpu/classes/gc/{total,mark/assist} (Go 1.20+);
//	                            on 1.19 mark CPU is estimated from
//	                            GCCPUFraction x GOMAXPROCS x process lifetime,
//	                            and assist_ns is not reported.
//	heap_goal_bytes             MemStats.NextGC
//	heap_live_bytes             /gc/heap/live:bytes (1.21+), else the marked
//	                            heap of the last cycle recovered from the goal:
//	                            NextGC / (1 + GOGC/100) (GOGC as set).
//
// Events (HB_GC_EVENTS_OUT): Go 1.19 exposes a cycle's pauses only as one
// sum and end time (MemStats.PauseNs/PauseEnd, the last 256 cycles), so
// each cycle is written as one pause [end - sum, end]: a conservative
// (contiguous) placement of its two stop-the-world pauses for MMU.
package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

type gcSnap struct {
	ms      runtime.MemStats
	samples map[string]metrics.Value
}

var (
	wanted = []string{"/gc/pauses:seconds", "/sched/pauses/total/gc:seconds", "/sched/pauses/stopping/gc:seconds",
		"/cpu/classes/gc/total:cpu-seconds", "/cpu/classes/gc/mark/assist:cpu-seconds", "/gc/heap/live:bytes"}
	available = map[string]bool{}
	maxCycle  uint64 // the longest per-cycle pause sum seen (ns)
)

func init() {
	for _, d := range metrics.All() {
		available[d.Name] = true
	}
}

func readGC() *gcSnap {
	s := &gcSnap{samples: map[string]metrics.Value{}}
	var ss []metrics.Sample
	for _, n := range wanted {
		if available[n] {
			ss = append(ss, metrics.Sample{Name: n})
		}
	}
	metrics.Read(ss)
	for _, x := range ss {
		s.samples[x.Name] = x.Value
	}
	runtime.ReadMemStats(&s.ms)
	return s
}

// quantile of a histogram: the upper bound of the bucket holding it.
func quantile(h *metrics.Float64Histogram, q float64) (float64, uint64) {
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	if total == 0 {
		return 0, 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	if rank < 1 {
		rank = 1
	}
	var acc uint64
	for i, c := range h.Counts {
		acc += c
		if acc >= rank {
			hi := h.Buckets[i+1]
			if math.IsInf(hi, 1) {
				hi = h.Buckets[i]
			}
			return hi, total
		}
	}
	return h.Buckets[len(h.Buckets)-1], total
}

func histOf(s *gcSnap, name string) *metrics.Float64Histogram {
	if v, ok := s.samples[name]; ok && v.Kind() == metrics.KindFloat64Histogram {
		return v.Float64Histogram()
	}
	return nil
}

func floatOf(s *gcSnap, name string) (float64, bool) {
	if v, ok := s.samples[name]; ok && v.Kind() == metrics.KindFloat64 {
		return v.Float64(), true
	}
	if v, ok := s.samples[name]; ok && v.Kind() == metrics.KindUint64 {
		return float64(v.Uint64()), true
	}
	return 0, false
}

func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func gcCounters(b, a *gcSnap, out map[string]float64) {
	out["gc_cycles"] = float64(a.ms.NumGC - b.ms.NumGC)
	out["pause_total_ns"] = float64(a.ms.PauseTotalNs - b.ms.PauseTotalNs)
	pname := "/gc/pauses:seconds"
	if histOf(a, "/sched/pauses/total/gc:seconds") != nil {
		pname = "/sched/pauses/total/gc:seconds"
	}
	if h := histOf(a, pname); h != nil {
		p50, n := quantile(h, 0.5)
		p99, _ := quantile(h, 0.99)
		mx, _ := quantile(h, 1)
		if maxCycle > 0 && mx*1e9 > float64(maxCycle) {
			mx = float64(maxCycle) / 1e9
		}
		var nb uint64
		if hb := histOf(b, pname); hb != nil {
			_, nb = quantile(hb, 1)
		}
		out["gc_pauses"] = float64(n - nb)
		out["pause_p50_ns"], out["pause_p99_ns"], out["pause_max_ns"] = p50*1e9, math.Min(p99, mx)*1e9, mx*1e9
	}
	if h := histOf(a, "/sched/pauses/stopping/gc:seconds"); h != nil {
		p50, _ := quantile(h, 0.5)
		p99, _ := quantile(h, 0.99)
		mx, _ := quantile(h, 1)
		out["pause_stop_p50_ns"], out["pause_stop_p99_ns"], out["pause_stop_max_ns"] = p50*1e9, p99*1e9, mx*1e9
	}
	if v, ok := floatOf(a, "/cpu/classes/gc/total:cpu-seconds"); ok {
		w, _ := floatOf(b, "/cpu/classes/gc/total:cpu-seconds")
		out["mark_cpu_ns"] = (v - w) * 1e9
	}
	if v, ok := floatOf(a, "/cpu/classes/gc/mark/assist:cpu-seconds"); ok {
		w, _ := floatOf(b, "/cpu/classes/gc/mark/assist:cpu-seconds")
		out["assist_ns"] = (v - w) * 1e9
	}
	out["heap_goal_bytes"] = float64(a.ms.NextGC)
	if v, ok := floatOf(a, "/gc/heap/live:bytes"); ok {
		out["heap_live_bytes"] = v
	} else if p := gcPercent(); p > 0 {
		out["heap_live_bytes"] = float64(a.ms.NextGC) / (1 + float64(p)/100)
	}
}

// ---- the pause event file (HB_GC_EVENTS_OUT) ----

type events struct{ f *os.File }

func openEvents() *events {
	p := os.Getenv("HB_GC_EVENTS_OUT")
	if p == "" {
		return &events{}
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return &events{}
	}
	return &events{f: f}
}

// monoNs: CLOCK_MONOTONIC, the clock of the C side's event and R lines.
func monoNs() uint64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1, uintptr(unsafe.Pointer(&ts)), 0)
	return uint64(ts.Nano())
}

// drain writes the cycles completed between b and a (the last 256 at most)
// as pause start/end events on the monotonic clock, and tracks maxCycle.
func (e *events) drain(b, a *gcSnap) {
	first := b.ms.NumGC
	if a.ms.NumGC-first > 256 {
		first = a.ms.NumGC - 256
	}
	off := int64(monoNs()) - time.Now().UnixNano() // unix -> monotonic
	var buf []byte
	for i := first; i < a.ms.NumGC; i++ {
		d, end := a.ms.PauseNs[i%256], a.ms.PauseEnd[i%256]
		if d > maxCycle {
			maxCycle = d
		}
		if e.f == nil || end == 0 {
			continue
		}
		t1 := uint64(int64(end) + off)
		heap := strconv.FormatUint(a.ms.HeapAlloc, 10)
		buf = append(buf, "E 0 "+strconv.FormatUint(t1-d, 10)+" "+heap+"\n"...)
		buf = append(buf, "E 1 "+strconv.FormatUint(t1, 10)+" "+heap+"\n"...)
	}
	if e.f != nil && len(buf) > 0 {
		e.f.Write(buf)
	}
}

func (e *events) run(start, end uint64) {
	if e.f != nil {
		e.f.WriteString("R " + strconv.FormatUint(start, 10) + " " + strconv.FormatUint(end, 10) + "\n")
	}
}
