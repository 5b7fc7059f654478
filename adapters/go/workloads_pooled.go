// workloads_pooled.go — Go ports of pooled/objects-syncpool and
// pooled/buffers-syncpool (workloads/pooled/) over the real sync.Pool, with
// pooled/strategy.h's validation: a header {stamp, class} and a trailer
// word, re-stamped "parked" at put and checked at get (fresh from New, or
// parked with the right class), and the payload checked at put.
// The pool holds *pobj so a Put does not allocate an interface box.
package main

import (
	"sync"
	"sync/atomic"
)

const (
	psFresh  uint64 = 0x46524553480a0a01
	psParked uint64 = 0x5041524b45440a02
	psInuse  uint64 = 0x494e5553450a0a03
)

type pobj struct{ b []byte }

type psClass struct {
	pool sync.Pool
	size int
	cls  uint64
	made uint64
}

func newClass(size int, cls uint64) *psClass {
	if size < 32 {
		size = 32
	}
	c := &psClass{size: size, cls: cls}
	c.pool.New = func() interface{} {
		o := &pobj{b: make([]byte, c.size)}
		le.PutUint64(o.b, psFresh)
		le.PutUint64(o.b[8:], c.cls)
		le.PutUint64(o.b[c.size-8:], psFresh^c.cls)
		atomic.AddUint64(&c.made, 1)
		return o
	}
	return c
}

func (c *psClass) get(bad *uint64) *pobj {
	o := c.pool.Get().(*pobj)
	st, cl, tr := le.Uint64(o.b), le.Uint64(o.b[8:]), le.Uint64(o.b[c.size-8:])
	if cl != c.cls || !((st == psFresh && tr == psFresh^c.cls) || (st == psParked && tr == psParked^c.cls)) {
		*bad++
	}
	le.PutUint64(o.b, psInuse)
	le.PutUint64(o.b[c.size-8:], psInuse^c.cls)
	return o
}

func (c *psClass) put(o *pobj, bad *uint64) {
	if le.Uint64(o.b) != psInuse || le.Uint64(o.b[8:]) != c.cls || le.Uint64(o.b[c.size-8:]) != psInuse^c.cls {
		*bad++
	}
	le.PutUint64(o.b, psParked)
	le.PutUint64(o.b[c.size-8:], psParked^c.cls)
	c.pool.Put(o)
}

func psReport(b *B, wl, what string, bad, gets, made uint64) {
	if bad != 0 {
		b.Fail("%s-syncpool: %d %s corrupted or mixed up", wl, bad, what)
	}
	b.SetItems(int64(gets) * b.N)
	b.Counter("objects_made", float64(made))
	ratio := 0.0
	if gets > 0 {
		ratio = 1 - float64(made)/float64(gets)
	}
	b.Counter("reuse_ratio", ratio)
}

func objectsSyncpool(b *B, p params) {
	ops, held, size := uint64(p["ops"]), p["held"], p["size"]
	if held < 1 {
		held = 1
	}
	if size < 32 {
		size = 32
	}
	var bad, made uint64
	for it := int64(0); it < b.N; it++ {
		r := seed(23)
		c := newClass(int(size), 1)
		slot := make([]*pobj, held)
		for i := uint64(0); i < ops; i++ {
			k := r.below(uint64(held))
			if old := slot[k]; old != nil {
				if le.Uint64(old.b[16:]) != k*0x9e3779b97f4a7c15 {
					bad++
				}
				slot[k] = nil
				c.put(old, &bad)
			}
			q := c.get(&bad)
			le.PutUint64(q.b[16:], k*0x9e3779b97f4a7c15)
			slot[k] = q
		}
		for k := range slot {
			if slot[k] != nil {
				c.put(slot[k], &bad)
			}
		}
		made = atomic.LoadUint64(&c.made)
	}
	psReport(b, "objects", "objects", bad, ops, made)
}

func buffersSyncpool(b *B, p params) {
	const nclass = 5
	ops, held, touch := uint64(p["ops"]), p["held"], p["touch"]
	if held < 1 {
		held = 1
	}
	if touch > 4096-64 {
		touch = 4096 - 64
	}
	var bad, made uint64
	for it := int64(0); it < b.N; it++ {
		r := seed(17)
		var cls [nclass]*psClass
		for c := range cls {
			cls[c] = newClass(4096<<c, uint64(c))
		}
		slot := make([]*pobj, held)
		which := make([]uint8, held)
		for i := uint64(0); i < ops && bad == 0; i++ {
			k := r.below(uint64(held))
			if old := slot[k]; old != nil {
				for o := int64(0); o < touch; o += 64 {
					if old.b[32+o] != byte(int64(k)+o) {
						bad++
					}
				}
				slot[k] = nil
				cls[which[k]].put(old, &bad)
			}
			c := r.below(nclass)
			q := cls[c].get(&bad)
			payload := q.b[32 : 32+touch]
			for j := range payload {
				payload[j] = 0
			}
			for o := int64(0); o < touch; o += 64 {
				q.b[32+o] = byte(int64(k) + o)
			}
			slot[k], which[k] = q, uint8(c)
		}
		for k := range slot {
			if slot[k] != nil {
				cls[which[k]].put(slot[k], &bad)
			}
		}
		made = 0
		for c := range cls {
			made += atomic.LoadUint64(&cls[c].made)
		}
	}
	psReport(b, "buffers", "buffers", bad, ops, made)
}
