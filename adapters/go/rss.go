// rss.go — the RSS sampler of every hb-<name> (bench_main.c): with
// HB_RSS_SAMPLE_MS=N and HB_RSS_OUT=FILE, a goroutine appends
// "t_ns rss_bytes" every N ms (t from the start of the bench), read from
// /proc/self/statm into a reused buffer (it allocates almost nothing, so
// it does not drive the collector it measures).
package main

import (
	"os"
	"strconv"
	"time"
)

func startRSSSampler() {
	ms, _ := strconv.Atoi(os.Getenv("HB_RSS_SAMPLE_MS"))
	out := os.Getenv("HB_RSS_OUT")
	if ms <= 0 || out == "" {
		return
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	statm, err := os.Open("/proc/self/statm")
	if err != nil {
		f.Close()
		return
	}
	go func() {
		buf, line := make([]byte, 256), make([]byte, 0, 64)
		page, t0 := uint64(os.Getpagesize()), monoNs()
		for {
			n, _ := statm.ReadAt(buf, 0)
			i := 0
			for i < n && buf[i] != ' ' {
				i++
			}
			var pages uint64
			for i++; i < n && buf[i] >= '0' && buf[i] <= '9'; i++ {
				pages = pages*10 + uint64(buf[i]-'0')
			}
			line = strconv.AppendUint(line[:0], monoNs()-t0, 10)
			line = append(line, ' ')
			line = strconv.AppendUint(line, pages*page, 10)
			line = append(line, '\n')
			if _, err := f.Write(line); err != nil {
				return
			}
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
	}()
}
