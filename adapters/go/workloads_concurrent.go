// workloads_concurrent.go — Go ports of stack/tasks (goroutines: Go's own
// stack allocation is what is measured) and concurrent/graph-mutators
// (goroutines rewiring a shared graph while Go's collector marks).
//
// stack/tasks: the C scheduler swaps into each of `concurrent` ucontext
// tasks in turn; here each task is a goroutine and a swap is a handoff over
// two unbuffered channels (resume, back). Each task recurses to the same
// random depth as in C (from stack_kib, 512 B a frame), writes 32 scratch
// words per frame, yields `yields` times from the bottom, and returns the
// sum, checked against the scheduler's own computation. Go starts every
// goroutine on a 2 KiB stack and grows it by copying; stack_kib only sets
// the depth range, as it does in C.
//
// graph-mutators: a node is {magic, id, edges}; its edge slots are a
// separate slice (one more allocation per node than C's inline array).
// Pointer stores are plain word stores, racy as in C (hb_store) and safe
// on the machines Go runs heapbench on; Go's write barrier shades them.
package main

import (
	"runtime"
	"sync"
	"sync/atomic"
)

const frameWords = 32

type task struct {
	resume, back chan struct{}
	id, result   uint64
	depth        int
	yields       int
	done         bool
}

func frameSeed(id uint64, level int) uint64 { return splitmix(id*4096 + uint64(level)) }

func (t *task) descend(level int) uint64 {
	var scratch [frameWords]uint64
	f := frameSeed(t.id, level)
	for i := range scratch {
		scratch[i] = f + uint64(i)
	}
	var sum uint64
	if level+1 < t.depth {
		sum = t.descend(level + 1)
	} else {
		for y := 0; y < t.yields; y++ {
			t.back <- struct{}{}
			<-t.resume
		}
	}
	for i := range scratch {
		sum += scratch[i]
	}
	return sum
}

func (t *task) main() {
	<-t.resume
	t.result = t.descend(0)
	t.done = true
	t.back <- struct{}{}
}

func expectedTask(id uint64, depth int) uint64 {
	var sum uint64
	for l := 0; l < depth; l++ {
		sum += frameWords*frameSeed(id, l) + frameWords*(frameWords-1)/2
	}
	return sum
}

func tasks(b *B, p params) {
	ntasks, conc, ssize, yields := uint64(p["tasks"]), p["concurrent"], p["stack_kib"]<<10, int(p["yields"])
	if conc < 1 {
		conc = 1
	}
	if ssize < 32768 {
		ssize = 32768
	}
	for ssize&(ssize-1) != 0 {
		ssize &= ssize - 1
	}
	maxDepth := uint64((ssize - 16384) / 512)
	var bad, frames, switches uint64
	for it := int64(0); it < b.N; it++ {
		r := seed(3)
		tk := make([]*task, conc)
		var started, finished uint64
		for finished < ntasks {
			for i := range tk {
				t := tk[i]
				if t != nil && t.done {
					if t.result != expectedTask(t.id, t.depth) {
						bad++
					}
					frames += uint64(t.depth)
					tk[i], t = nil, nil
					finished++
				}
				if t == nil {
					if started == ntasks {
						continue
					}
					t = &task{resume: make(chan struct{}), back: make(chan struct{}), id: started,
						depth: 1 + int(r.below(maxDepth)), yields: yields}
					started++
					tk[i] = t
					go t.main()
				}
				t.resume <- struct{}{}
				<-t.back
				switches += 2
			}
		}
	}
	if bad != 0 {
		b.Fail("tasks: %d task results wrong", bad)
	}
	b.SetItems(int64(ntasks) * b.N)
	b.Counter("switches", float64(switches))
	b.Counter("frames", float64(frames))
}

const gmMagic uint64 = 0x6e6f64656e6f6465

type gnode struct {
	magic, id uint64
	edge      []*gnode
}

type graph struct {
	table               []*gnode
	shadow              []uint64
	nodes, edges        int
	steps, garbage, thr int64
	stores, replaced    uint64
}

func (g *graph) newNode(id uint64) *gnode {
	return &gnode{magic: gmMagic, id: id, edge: make([]*gnode, g.edges)}
}

func (g *graph) mutator(t int) {
	r := seed(777 + uint64(t))
	mine := (g.nodes - t + int(g.thr) - 1) / int(g.thr)
	var stores, replaced uint64
	var keep []byte
	for i := int64(0); i < g.steps && mine > 0; i++ {
		idx := t + int(r.below(uint64(mine)))*int(g.thr)
		n := g.table[idx]
		if r.below(64) == 0 {
			c := g.newNode(n.id)
			copy(c.edge, n.edge)
			g.table[idx] = c
			replaced++
		} else {
			e := int(r.below(uint64(g.edges)))
			to := int(r.below(uint64(g.nodes + g.nodes/8)))
			var target *gnode
			if to < g.nodes {
				target = g.table[to]
			}
			n.edge[e] = target
			if target != nil {
				g.shadow[idx*g.edges+e] = target.id + 1
			} else {
				g.shadow[idx*g.edges+e] = 0
			}
			stores++
		}
		if g.garbage > 0 {
			keep = make([]byte, g.garbage)
			le.PutUint64(keep, uint64(i))
		}
	}
	runtime.KeepAlive(keep)
	atomic.AddUint64(&g.stores, stores)
	atomic.AddUint64(&g.replaced, replaced)
}

func (g *graph) validate() (bad uint64) {
	for i, n := range g.table {
		if n == nil || n.magic != gmMagic || n.id != uint64(i) {
			bad++
			continue
		}
		for e := 0; e < g.edges; e++ {
			m, want := n.edge[e], g.shadow[i*g.edges+e]
			if m == nil {
				if want != 0 {
					bad++
				}
				continue
			}
			if m.magic != gmMagic || m.id+1 != want {
				bad++
			}
		}
	}
	return bad
}

func graphMutators(b *B, p params) {
	g := &graph{thr: p["threads"], nodes: int(p["nodes"]), edges: int(p["edges"]), steps: p["steps"], garbage: p["garbage"]}
	if g.thr < 1 {
		g.thr = 1
	}
	if g.nodes < 1 {
		g.nodes = 1
	}
	if g.edges < 1 {
		g.edges = 1
	}
	if g.edges > 60 {
		g.edges = 60
	}
	if g.garbage > 0 && g.garbage < 8 {
		g.garbage = 8
	}
	var bad uint64
	for it := int64(0); it < b.N; it++ {
		b.Pause()
		g.table = make([]*gnode, g.nodes)
		g.shadow = make([]uint64, g.nodes*g.edges)
		for i := range g.table {
			g.table[i] = g.newNode(uint64(i))
		}
		b.Resume()
		var wg sync.WaitGroup
		for t := 0; t < int(g.thr); t++ {
			wg.Add(1)
			go func(t int) { defer wg.Done(); g.mutator(t) }(t)
		}
		wg.Wait()
		b.Pause()
		runtime.GC() // a full cycle after the mutation: anything missed is freed now
		var sink []uint64
		for k := 0; k < 4; k++ { // and reused
			for i := 0; i < g.nodes; i++ {
				sink = make([]uint64, 2+g.edges)
				for w := range sink {
					sink[w] = ^uint64(0)
				}
			}
		}
		runtime.KeepAlive(sink)
		bad += g.validate()
		g.table, g.shadow = nil, nil
		b.Resume()
	}
	if bad != 0 {
		b.Fail("graph-mutators: %d nodes or edges wrong", bad)
	}
	b.SetItems(g.steps * g.thr * b.N)
	b.Counter("stores", float64(g.stores))
	b.Counter("replacements", float64(g.replaced))
}
