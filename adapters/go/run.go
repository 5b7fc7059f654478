// run.go — one repetition of one workload: the state a port runs against
// (B, the analogue of hb_gb_state), the iteration count (fixed at 1 for
// whole-program workloads; grown until --benchmark_min_time for micro ones,
// as Google Benchmark does), and the collector counters around it.
package main

import (
	"fmt"
	"syscall"
	"time"
)

// A port: its run function, and whether it runs once per repetition
// (the C workload's .iterations = 1) or as many times as min_time asks.
type port struct {
	fixed bool
	run   func(b *B, p params)
}

type params map[string]int64

// B is what a port sees: N iterations to run, pause/resume around
// untimed parts, counters, items and failure (hb_wl_fail).
type B struct {
	N                    int64
	pausedAt             time.Time
	pauseCPUAt           time.Duration
	pausedReal, pauseCPU time.Duration
	counters             map[string]float64
	items                int64
	err                  string
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (b *B) Pause()  { b.pausedAt, b.pauseCPUAt = time.Now(), cpuTime() }
func (b *B) Resume() { b.pausedReal += time.Since(b.pausedAt); b.pauseCPU += cpuTime() - b.pauseCPUAt }

func (b *B) Counter(name string, v float64) { b.counters[name] = v }
func (b *B) SetItems(n int64)               { b.items = n }

// Fail is hb_wl_fail: the repetition is reported with error_occurred and
// the process exits 3 (failed-validation).
func (b *B) Fail(format string, a ...interface{}) {
	if b.err == "" {
		b.err = fmt.Sprintf(format, a...)
	}
}

type result struct {
	iters          int64
	realNs, cpuNs  float64 // per iteration
	itemsPerSecond float64
	counters       map[string]float64
	err            string
}

func runOnce(ce *cell, n int64) (*B, time.Duration, time.Duration) {
	b := &B{N: n, counters: map[string]float64{}}
	p := params{}
	for k, v := range ce.values {
		p[k] = v
	}
	t0, c0 := time.Now(), cpuTime()
	ce.port.run(b, p)
	real, cpu := time.Since(t0)-b.pausedReal, cpuTime()-c0-b.pauseCPU
	return b, real, cpu
}

// execute runs one repetition: the iteration count, the run, the counters.
func execute(ce *cell, c *benchCfg, ev *events) result {
	before := readGC()
	ev.drain(before, before) // cycles before this run are not its events
	start := monoNs()
	var b *B
	var real, cpu time.Duration
	n := int64(1)
	if !ce.port.fixed && c.minIters > 0 {
		n = c.minIters
	}
	for {
		b, real, cpu = runOnce(ce, n)
		if ce.port.fixed || c.minIters > 0 || b.err != "" || real.Seconds() >= ce.minTime || n >= 1e9 {
			break
		}
		// Google Benchmark's growth: aim 1.4x past min_time, at most 10x per step.
		mult := 10.0
		if s := real.Seconds(); s > 0 && ce.minTime*1.4/s < mult {
			mult = ce.minTime * 1.4 / s
		}
		if next := int64(float64(n)*mult) + 1; next > n {
			n = next
		} else {
			n++
		}
	}
	end := monoNs()
	after := readGC()
	ev.drain(before, after)
	ev.run(start, end)
	r := result{iters: n, realNs: float64(real.Nanoseconds()) / float64(n),
		cpuNs: float64(cpu.Nanoseconds()) / float64(n), counters: b.counters, err: b.err}
	if b.items > 0 && real > 0 {
		r.itemsPerSecond = float64(b.items) / real.Seconds()
	}
	for _, name := range ce.order {
		r.counters["param:"+name] = float64(ce.values[name])
	}
	gcCounters(before, after, r.counters)
	return r
}
