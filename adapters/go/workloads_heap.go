// workloads_heap.go — Go ports of heap/binary-trees, heap/churn,
// heap/pairs, heap/spike-release and heap/steady-growth (workloads/heap/).
// Same parameters, same clamping, same request sequences (wl.go's PRNG),
// same validation; "release" is dropping the last reference (the collector
// reclaims), hb_collect is runtime.GC(), hb_safepoint needs no call
// (goroutines are preempted asynchronously).
package main

import (
	"runtime"
	"time"
	"unsafe"
)

var ports = map[string]port{
	"heap/binary-trees":         {fixed: true, run: binaryTrees},
	"heap/churn":                {fixed: true, run: churn},
	"heap/pairs":                {fixed: false, run: pairs},
	"heap/spike-release":        {fixed: true, run: spikeRelease},
	"heap/steady-growth":        {fixed: true, run: steadyGrowth},
	"pooled/objects-syncpool":   {fixed: true, run: objectsSyncpool},
	"pooled/buffers-syncpool":   {fixed: true, run: buffersSyncpool},
	"stack/tasks":               {fixed: true, run: tasks},
	"concurrent/graph-mutators": {fixed: true, run: graphMutators},
}

type node struct {
	left, right *node
	value       uint64
}

func makeTree(depth int, value uint64, count *uint64) *node {
	n := &node{value: value}
	*count++
	if depth > 0 {
		n.left = makeTree(depth-1, 2*value, count)
		n.right = makeTree(depth-1, 2*value+1, count)
	}
	return n
}

func checkTree(n *node, value uint64, sum, bad *uint64) uint64 {
	if n.value != value {
		*bad++
	}
	*sum += n.value
	if (n.left == nil) != (n.right == nil) {
		*bad++
		return 1
	}
	if n.left == nil {
		return 1
	}
	return 1 + checkTree(n.left, 2*value, sum, bad) + checkTree(n.right, 2*value+1, sum, bad)
}

func expectedSum(d int) uint64 { n := uint64(1)<<(d+1) - 1; return n * (n + 1) / 2 }

func binaryTrees(b *B, p params) {
	maxDepth, minDepth := int(p["max_depth"]), int(p["min_depth"])
	if minDepth < 1 {
		minDepth = 1
	}
	if maxDepth < minDepth {
		maxDepth = minDepth
	}
	var nodes, trees, bad uint64
	for it := int64(0); it < b.N; it++ {
		longLived := makeTree(maxDepth, 1, &nodes)
		if corrupt {
			longLived.left.value ^= 1
		}
		arrayN := 1 << 4
		if maxDepth-1 > 4 {
			arrayN = 1 << (maxDepth - 1)
		}
		array := make([]float64, arrayN)
		for i := range array {
			array[i] = 1.0 / float64(i+1)
		}
		for d := minDepth; d <= maxDepth; d += 2 {
			iters := uint64(1) << (maxDepth - d + minDepth)
			for i := uint64(0); i < iters; i++ {
				t := makeTree(d, 1, &nodes)
				var sum uint64
				if checkTree(t, 1, &sum, &bad) != uint64(1)<<(d+1)-1 || sum != expectedSum(d) {
					bad++
				}
				trees++
			}
		}
		var sum uint64
		if checkTree(longLived, 1, &sum, &bad) != uint64(1)<<(maxDepth+1)-1 || sum != expectedSum(maxDepth) {
			bad++
		}
		for i := range array {
			if array[i] != 1.0/float64(i+1) {
				bad++
				break
			}
		}
	}
	if bad != 0 {
		b.Fail("binary-trees: %d trees or nodes wrong", bad)
	}
	b.SetItems(int64(nodes))
	b.Counter("nodes", float64(nodes))
	b.Counter("trees", float64(trees))
}

func churn(b *B, p params) {
	ops, live, dist := uint64(p["ops"]), p["live"], p["dist"]
	if live < 1 {
		live = 1
	}
	var bad, bytes, liveBytes uint64
	for it := int64(0); it < b.N; it++ {
		r := seed(42)
		slot := make([][]byte, live)
		key := make([]uint64, live)
		for i := uint64(0); i < ops; i++ {
			k := r.below(uint64(live))
			if old := slot[k]; old != nil {
				if !stampOK(old, key[k]) {
					bad++
				}
				slot[k] = nil
			}
			sz := r.distSize(dist)
			q := make([]byte, sz)
			stamp(q, i)
			if corrupt && i == ops/2 {
				q[0] ^= 1
			}
			slot[k], key[k] = q, i
			bytes += uint64(sz)
		}
		liveBytes = 0
		for k := range slot {
			if slot[k] == nil {
				continue
			}
			liveBytes += uint64(len(slot[k]))
			if !stampOK(slot[k], key[k]) {
				bad++
			}
		}
	}
	if bad != 0 {
		b.Fail("churn: %d blocks lost their stamp", bad)
	}
	b.SetItems(int64(ops) * b.N)
	b.Counter("bytes_allocated", float64(bytes))
	b.Counter("live_bytes_end", float64(liveBytes))
}

func pairs(b *B, p params) {
	size, live := p["size"], p["live"]
	if size < 16 {
		size = 16
	}
	words := (size + 7) / 8
	ring := make([][]uint64, live)
	var tag, bad uint64
	slot := int64(0)
	for i := int64(0); i < b.N; i++ {
		if old := ring[slot]; old != nil && old[1] != old[0]^uint64(uintptr(unsafe.Pointer(&old[0]))) {
			bad++
		}
		q := make([]uint64, words)
		tag++
		q[0], q[1] = tag, tag^uint64(uintptr(unsafe.Pointer(&q[0])))
		ring[slot] = q
		if slot++; slot == live {
			slot = 0
		}
	}
	if bad != 0 {
		b.Fail("%d blocks lost their tag", bad)
	}
	b.SetItems(b.N)
}

// spikeBaseMin is the lowest pre-spike RSS of the process (spike-release.c's
// base_min): a later repetition starts with the previous one's freed memory
// still resident.
var spikeBaseMin uint64 = ^uint64(0)

func spikeRelease(b *B, p params) {
	n, max, keep, observe := p["objects"], uint64(p["max_size"]), uint64(p["keep_permille"]), p["observe_ms"]
	if max < 16 {
		max = 16
	}
	var bad, live, base, peak, after uint64
	releaseNs := int64(-1)
	for it := int64(0); it < b.N; it++ {
		r := seed(5)
		b.Pause()
		slot := make([][]byte, n)
		size := make([]uint32, n)
		for i := range size {
			size[i] = uint32(r.rangeIn(16, max))
		}
		base = rssBytes()
		if base < spikeBaseMin {
			spikeBaseMin = base
		}
		base = spikeBaseMin
		b.Resume()
		for i := range slot {
			q := make([]byte, size[i])
			stamp(q, uint64(i))
			slot[i] = q
		}
		peak = rssBytes()
		live = 0
		for i := range slot {
			if r.below(1000) < keep {
				live += uint64(size[i])
				continue
			}
			if !stampOK(slot[i], uint64(i)) {
				bad++
			}
			slot[i] = nil
		}
		runtime.GC()
		b.Pause()
		t0 := time.Now()
		releaseNs = -1
		for {
			time.Sleep(10 * time.Millisecond)
			rss := rssBytes()
			if rss > peak {
				peak = rss
			}
			after = rss
			if releaseNs < 0 && rss <= base+2*live {
				releaseNs = int64(time.Since(t0))
			}
			if time.Since(t0) >= time.Duration(observe)*time.Millisecond {
				break
			}
		}
		for i := range slot {
			if slot[i] != nil && !stampOK(slot[i], uint64(i)) {
				bad++
			}
		}
		runtime.KeepAlive(slot)
		b.Resume()
	}
	if bad != 0 {
		b.Fail("spike-release: %d objects lost their stamp", bad)
	}
	var peakG, afterG float64
	if peak > base {
		peakG = float64(peak - base)
	}
	if after > base {
		afterG = float64(after - base)
	}
	b.SetItems(n * b.N)
	b.Counter("rss_peak_bytes", peakG)
	b.Counter("rss_after_bytes", afterG)
	b.Counter("live_bytes", float64(live))
	ratio := 0.0
	if live > 0 {
		ratio = afterG / float64(live)
	}
	b.Counter("rss_after_ratio", ratio)
	releaseMs := -1.0
	if releaseNs >= 0 {
		releaseMs = float64(releaseNs) / 1e6
	}
	b.Counter("rss_release_ms", releaseMs)
}

func steadyGrowth(b *B, p params) {
	const samples = 64
	n, ops, dist := p["entries"], uint64(p["ops"]), p["dist"]
	if n < 1 {
		n = 1
	}
	if ops < samples {
		ops = samples
	}
	var bad, live uint64
	for it := int64(0); it < b.N; it++ {
		r := seed(11)
		b.Pause()
		slot := make([][]byte, n)
		key := make([]uint64, n)
		for i := range slot {
			q := make([]byte, r.distSize(dist))
			key[i] = uint64(i)
			touchPages(q, key[i])
			slot[i] = q
		}
		b.Resume()
		t0, every := time.Now(), ops/samples
		var ts, rss []float64
		for i := uint64(0); i < ops; i++ {
			k := r.below(uint64(n))
			if !touchPagesOK(slot[k], key[k]) {
				bad++
			}
			slot[k] = nil
			q := make([]byte, r.distSize(dist))
			touchPages(q, uint64(n)+i)
			slot[k], key[k] = q, uint64(n)+i
			if (i+1)%every == 0 && len(ts) < samples {
				ts = append(ts, time.Since(t0).Seconds())
				rss = append(rss, float64(rssBytes()))
			}
		}
		b.Pause()
		live = 0
		for k := range slot {
			live += uint64(len(slot[k]))
			if !touchPagesOK(slot[k], key[k]) {
				bad++
			}
		}
		w := len(ts) / 4
		b.Counter("rss_slope_bytes_per_s", slope(ts[w:], rss[w:]))
		b.Counter("rss_start_bytes", rss[w])
		b.Counter("rss_end_bytes", rss[len(rss)-1])
		b.Resume()
	}
	if bad != 0 {
		b.Fail("steady-growth: %d values lost their stamp", bad)
	}
	b.SetItems(int64(ops) * b.N)
	b.Counter("live_bytes", float64(live))
}
