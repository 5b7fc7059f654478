// report.go — the Google Benchmark-compatible output of `hb-go bench`:
// the JSON file of --benchmark_out ({"context", "benchmarks": one
// run_type "iteration" entry per repetition, counters beside the standard
// fields}) and a console line per repetition (or the JSON on stdout with
// --benchmark_format=json). Names follow Google Benchmark's for a
// UseRealTime benchmark: NAME[/iterations:1]/real_time.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

type reporter struct {
	c       *benchCfg
	entries []string // JSON objects, key order kept
	family  map[string]int
}

func newReporter(c *benchCfg) (*reporter, error) {
	if c.out != "" {
		f, err := os.Create(c.out)
		if err != nil {
			return nil, fmt.Errorf("--benchmark_out: %v", err)
		}
		f.Close()
	}
	if c.format == "console" {
		fmt.Printf("%s\nRunning hb-go (%s, GOMAXPROCS=%d)\n%-50s %15s %15s %12s UserCounters...\n",
			time.Now().Format(time.RFC3339), goVersion(), runtime.GOMAXPROCS(0), "Benchmark", "Time", "CPU", "Iterations")
	}
	return &reporter{c: c, family: map[string]int{}}, nil
}

func runName(ce *cell) string {
	if ce.port.fixed {
		return ce.wl.Name + "/iterations:1/real_time"
	}
	return ce.wl.Name + "/real_time"
}

// field appends "key": value to an ordered JSON object under construction.
func field(b *bytes.Buffer, k string, v interface{}) {
	if b.Len() > 1 {
		b.WriteString(", ")
	}
	kb, _ := json.Marshal(k)
	vb, _ := json.Marshal(v)
	b.Write(kb)
	b.WriteString(": ")
	b.Write(vb)
}

func (r *reporter) add(ce *cell, rep int, res result) {
	name := runName(ce)
	fam, ok := r.family[name]
	if !ok {
		fam = len(r.family)
		r.family[name] = fam
	}
	var b bytes.Buffer
	b.WriteString("{")
	for _, kv := range []struct {
		k string
		v interface{}
	}{{"name", name}, {"family_index", fam}, {"per_family_instance_index", 0}, {"run_name", name},
		{"run_type", "iteration"}, {"repetitions", ce.reps}, {"repetition_index", rep}, {"threads", 1},
		{"iterations", res.iters}} {
		field(&b, kv.k, kv.v)
	}
	if res.err != "" {
		field(&b, "error_occurred", true)
		field(&b, "error_message", res.err)
		fmt.Fprintf(os.Stderr, "hb-go: %s: %s\n", ce.wl.Name, res.err)
	} else {
		field(&b, "real_time", res.realNs)
		field(&b, "cpu_time", res.cpuNs)
		field(&b, "time_unit", "ns")
		if res.itemsPerSecond > 0 {
			field(&b, "items_per_second", res.itemsPerSecond)
		}
		keys := make([]string, 0, len(res.counters))
		for k := range res.counters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var line strings.Builder
		for _, k := range keys {
			field(&b, k, res.counters[k])
			fmt.Fprintf(&line, " %s=%.6g", k, res.counters[k])
		}
		if r.c.format == "console" {
			fmt.Printf("%-50s %12.0f ns %12.0f ns %12d%s\n", name, res.realNs, res.cpuNs, res.iters, line.String())
		}
	}
	b.WriteString("}")
	r.entries = append(r.entries, b.String())
}

func (r *reporter) finish() error {
	ctx, _ := json.Marshal(map[string]interface{}{
		"date": time.Now().Format(time.RFC3339), "executable": "hb-go", "num_cpus": runtime.NumCPU(),
		"go_version": goVersion(), "gomaxprocs": runtime.GOMAXPROCS(0), "library_build_type": "release"})
	doc := "{\n  \"context\": " + string(ctx) + ",\n  \"benchmarks\": [\n    " +
		strings.Join(r.entries, ",\n    ") + "\n  ]\n}\n"
	if r.c.format == "json" {
		fmt.Print(doc)
	}
	if r.c.out != "" {
		return os.WriteFile(r.c.out, []byte(doc), 0o644)
	}
	return nil
}

// cmdSelfcheckQuiet: bench refuses to run when the collector does not run.
func cmdSelfcheckQuiet() int {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.NumGC <= before.NumGC && gcPercent() >= 0 {
		fmt.Fprintf(os.Stderr, "hb-go: refusing to run: selfcheck failed: runtime.GC() ran no cycle\n")
		return exitSelfcheck
	}
	return exitOK
}
