// bench.go — `hb-go bench`: parse → plan → execute → report, as
// harness/bench_main.c does, with a small Google Benchmark work-alike:
// one JSON entry per repetition (run_type "iteration", times in ns per
// iteration, real time with paused intervals taken out, counters beside),
// written to --benchmark_out, and a console line per repetition.
package main

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
)

// parseInt: strtoll base 0 with a K/M/G suffix (harness/intarg.h).
func parseInt(s string) (int64, error) {
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K', 'k':
			mult, s = 1<<10, s[:n-1]
		case 'M', 'm':
			mult, s = 1<<20, s[:n-1]
		case 'G', 'g':
			mult, s = 1<<30, s[:n-1]
		}
	}
	v, err := strconv.ParseInt(s, 0, 64)
	return v * mult, err
}

type override struct {
	name  string
	value int64
	used  bool
}

type benchCfg struct {
	globs     []string
	preset    string
	overrides []*override
	gogc      int64
	memlimit  int64
	anatomy   string // --anatomy FILE: the untimed anatomy child (anatomy.go)
	anatomyMs int64
	out       string
	format    string // console output: console | json
	reps      int
	repsGiven bool
	minTime   float64 // seconds; < 0: not given
	minIters  int64   // "Nx" min time
	filter    *regexp.Regexp
}

var withValue = map[string]bool{"--workload": true, "--preset": true, "--param": true, "--gogc": true, "--memlimit": true,
	"--anatomy": true, "--anatomy-ms": true}

func usageErr(format string, a ...interface{}) int {
	fmt.Fprintf(os.Stderr, "hb-go: "+format+"\n", a...)
	return exitUsage
}

func parseGB(c *benchCfg, a string) int {
	kv := strings.SplitN(a, "=", 2)
	if len(kv) != 2 {
		return usageErr("bench: %s takes a value (%s=...)", a, a)
	}
	v := kv[1]
	switch kv[0] {
	case "--benchmark_out":
		c.out = v
	case "--benchmark_out_format":
		if v != "json" {
			return usageErr("--benchmark_out_format: only json, not '%s'", v)
		}
	case "--benchmark_format":
		if v != "console" && v != "json" {
			return usageErr("--benchmark_format: console or json, not '%s'", v)
		}
		c.format = v
	case "--benchmark_repetitions":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return usageErr("--benchmark_repetitions: a positive integer, not '%s'", v)
		}
		c.reps, c.repsGiven = n, true
	case "--benchmark_min_time":
		if strings.HasSuffix(v, "x") {
			n, err := strconv.ParseInt(strings.TrimSuffix(v, "x"), 10, 64)
			if err != nil || n < 1 {
				return usageErr("--benchmark_min_time: seconds or Nx, not '%s'", v)
			}
			c.minIters = n
			return exitOK
		}
		f, err := strconv.ParseFloat(strings.TrimSuffix(v, "s"), 64)
		if err != nil || f < 0 {
			return usageErr("--benchmark_min_time: seconds or Nx, not '%s'", v)
		}
		c.minTime = f
	case "--benchmark_filter":
		re, err := regexp.Compile(v)
		if err != nil {
			return usageErr("--benchmark_filter: %v", err)
		}
		c.filter = re
	case "--benchmark_min_warmup_time", "--benchmark_counters_tabular", "--benchmark_color",
		"--benchmark_display_aggregates_only", "--benchmark_report_aggregates_only":
		// accepted; no warm-up run is made (a workload run is its own warm-up)
	default:
		fmt.Fprintf(os.Stderr, "hb-go bench: unknown option '%s' (hb-go --help)\n", kv[0])
		return exitUsage
	}
	return exitOK
}

func parseBench(args []string, c *benchCfg) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--benchmark_") {
			if rc := parseGB(c, a); rc != exitOK {
				return rc
			}
			continue
		}
		if a == "--help" || a == "-h" {
			usage(true)
			return -1
		}
		if !withValue[a] || i+1 >= len(args) {
			what := "unknown option"
			if withValue[a] {
				what = "missing value for option"
			}
			fmt.Fprintf(os.Stderr, "hb-go bench: %s '%s' (hb-go --help)\n", what, a)
			return exitUsage
		}
		v := args[i+1]
		i++
		switch a {
		case "--workload":
			c.globs = append(c.globs, v)
		case "--preset":
			c.preset = v
		case "--param":
			eq := strings.IndexByte(v, '=')
			x, err := int64(0), error(nil)
			if eq > 0 {
				x, err = parseInt(v[eq+1:])
			}
			if eq <= 0 || err != nil {
				return usageErr("--param takes NAME=INTEGER, not '%s'", v)
			}
			c.overrides = append(c.overrides, &override{name: v[:eq], value: x})
		case "--anatomy":
			c.anatomy = v
		case "--anatomy-ms":
			x, err := parseInt(v)
			if err != nil || x < 1 || x > 60000 {
				return usageErr("--anatomy-ms takes 1..60000, not '%s'", v)
			}
			c.anatomyMs = x
		case "--gogc", "--memlimit":
			x, err := parseInt(v)
			if err != nil {
				return usageErr("bad %s '%s'", a, v)
			}
			if a == "--gogc" {
				c.gogc = x
			} else {
				c.memlimit = x
			}
		}
	}
	return exitOK
}

// One benchmark to run: a workload with its resolved parameter values.
type cell struct {
	wl      cWorkload
	port    port
	values  map[string]int64
	order   []string
	reps    int
	minTime float64
}

// The policy of the known presets (workloads/presets.c): repetitions, min time.
var policyMinTime = map[string]float64{"quick": 0.2, "full": 0.5, "classic": 0.5}

func presetKnown(all []cWorkload, name string) bool {
	if _, ok := policyMinTime[name]; ok {
		return true
	}
	for _, w := range all {
		for _, p := range w.Presets {
			if p == name {
				return true
			}
		}
	}
	return false
}

// presetValues: the workload's values under a preset; ok false when the
// workload has no such preset (the cell is unsupported).
func presetValues(w cWorkload, preset string) (map[string]int64, bool) {
	v := map[string]int64{}
	for _, p := range w.Params {
		v[p.Name] = p.Quick
		if preset == "full" {
			v[p.Name] = p.Full
		}
	}
	if preset == "quick" || preset == "full" {
		return v, true
	}
	pp, ok := w.PresetParams[preset]
	for k, x := range pp {
		v[k] = x
	}
	return v, ok
}

// inRange: every value within its declared range, as bench_main.c's
// params_in_range (the CLI checks the same before it starts a child).
func inRange(ce *cell) int {
	for _, p := range ce.wl.Params {
		if v := ce.values[p.Name]; v < p.Min || v > p.Max {
			return usageErr("--param %s=%d is out of range for %s: %s takes %d..%d", p.Name, v, ce.wl.Name, p.Name, p.Min, p.Max)
		}
	}
	return exitOK
}

func selected(c *benchCfg, name string) bool {
	if len(c.globs) == 0 {
		return true
	}
	for _, g := range c.globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// plan: the cells to run; an exit status when nothing can run.
func planBench(c *benchCfg) ([]*cell, int) {
	all := cWorkloads()
	if !presetKnown(all, c.preset) {
		return nil, usageErr("--preset takes quick, full or a preset a workload names (`info` lists each "+
			"workload's \"presets\"), not '%s'", c.preset)
	}
	var cells []*cell
	matched, unsupported := 0, 0
	for _, w := range all {
		if !selected(c, w.Name) {
			continue
		}
		matched++
		p, ok := ports[w.Name]
		if !ok {
			fmt.Fprintf(os.Stderr, "hb-go: %s unsupported: %s\n", w.Name, unsupportedWhy)
			unsupported++
			continue
		}
		vals, ok := presetValues(w, c.preset)
		if !ok {
			fmt.Fprintf(os.Stderr, "hb-go: %s unsupported: workload %s has no preset '%s'\n", w.Name, w.Name, c.preset)
			unsupported++
			continue
		}
		ce := &cell{wl: w, port: p, values: vals, reps: c.reps, minTime: c.minTime}
		for _, prm := range w.Params {
			ce.order = append(ce.order, prm.Name)
			for _, o := range c.overrides {
				if o.name == prm.Name {
					ce.values[prm.Name], o.used = o.value, true
				}
			}
		}
		if rc := inRange(ce); rc != exitOK {
			return nil, rc
		}
		if !c.repsGiven && w.PresetReps[c.preset] > 0 {
			ce.reps = w.PresetReps[c.preset]
		}
		if ce.minTime < 0 {
			ce.minTime = policyMinTime[c.preset]
		}
		if c.filter == nil || c.filter.MatchString(w.Name) {
			cells = append(cells, ce)
		}
	}
	for _, o := range c.overrides {
		if !o.used && matched > unsupported {
			return nil, usageErr("no selected workload has a parameter '%s'", o.name)
		}
	}
	if matched == 0 {
		return nil, usageErr("no workload matches '%s' (hb-go info lists them)", strings.Join(c.globs, "' '"))
	}
	if matched == unsupported {
		return nil, exitUnsupported
	}
	return cells, exitOK
}

func setupRuntime(c *benchCfg) {
	if c.gogc != -1<<62 {
		debug.SetGCPercent(int(c.gogc))
	}
	if c.memlimit > 0 {
		debug.SetMemoryLimit(c.memlimit)
	}
}

func cmdBench(args []string) int {
	c := &benchCfg{preset: "quick", gogc: -1 << 62, format: "console", reps: 1, minTime: -1, anatomyMs: 10}
	if v := os.Getenv("HB_GOGC"); v != "" {
		c.gogc, _ = parseInt(v)
	}
	if v := os.Getenv("HB_MEMLIMIT"); v != "" {
		c.memlimit, _ = parseInt(v)
	}
	if rc := parseBench(args, c); rc != exitOK {
		if rc < 0 {
			return exitOK
		}
		return rc
	}
	cells, rc := planBench(c)
	if rc != exitOK {
		return rc
	}
	setupRuntime(c)
	if rc := cmdSelfcheckQuiet(); rc != exitOK {
		return rc
	}
	rep, err := newReporter(c)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hb-go: %v\n", err)
		return exitSetup
	}
	ev := openEvents()
	var an *anatomySampler
	if c.anatomy != "" {
		if an, err = startAnatomy(c.anatomy, c.anatomyMs); err != nil {
			fmt.Fprintf(os.Stderr, "hb-go: --anatomy: %v\n", err)
			return exitSetup
		}
	}
	failed := false
	for _, ce := range cells {
		for r := 0; r < ce.reps; r++ {
			res := execute(ce, c, ev)
			failed = failed || res.err != ""
			rep.add(ce, r, res)
		}
	}
	if an != nil {
		if err := an.finish(); err != nil {
			fmt.Fprintf(os.Stderr, "hb-go: --anatomy: %v\n", err)
			return exitSetup
		}
	}
	if err := rep.finish(); err != nil {
		fmt.Fprintf(os.Stderr, "hb-go: %v\n", err)
		return exitSetup
	}
	if failed {
		return exitInvalid
	}
	return exitOK
}
