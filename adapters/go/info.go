// info.go — `info`, `selfcheck` and `conform --list` of hb-go.
//
// workloads.json is `hb-system info` and properties.jsonl is
// `hb-system conform --list`, both written by the build next to these
// sources: the workload names, parameters and presets are the C side's own,
// so a port cannot drift from its C workload. Only the workloads in
// `ports` (workloads_*.go) are supported; every other one is listed as
// unsupported, so `heapbench run` records it without starting a child.
package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"runtime"
	"strings"
)

//go:embed workloads.json
var cInfoJSON []byte

//go:embed properties.jsonl
var cPropsJSONL []byte

type cParam struct {
	Name  string `json:"name"`
	Quick int64  `json:"quick"`
	Full  int64  `json:"full"`
	Min   int64  `json:"min"`
	Max   int64  `json:"max"`
	Help  string `json:"help"`
}

type cWorkload struct {
	Name         string                      `json:"name"`
	Category     string                      `json:"category"`
	Description  string                      `json:"description"`
	Params       []cParam                    `json:"params"`
	Presets      []string                    `json:"presets"`
	PresetParams map[string]map[string]int64 `json:"preset_params"`
	PresetReps   map[string]int              `json:"preset_repetitions"`
}

type cInfo struct {
	Workloads []cWorkload `json:"workloads"`
}

// The C workloads, in `hb-system info` order (sorted by name).
func cWorkloads() []cWorkload {
	var ci cInfo
	if err := json.Unmarshal(cInfoJSON, &ci); err != nil {
		panic("hb-go: embedded workloads.json: " + err.Error())
	}
	return ci.Workloads
}

func goVersion() string { return runtime.Version() }

var caps = []string{"threads", "releases-memory", "finalizers", "gogc", "memlimit", "concurrent", "pool", "pause-events"}

const unsupportedWhy = "not ported to Go (hb-go runs only the workloads in adapters/go/)"

func cmdInfo() int {
	// What `info` prints per workload: the C side's entry (parameters and
	// presets as hb-system lists them) and whether a Go port runs it.
	type wl struct {
		cWorkload
		Supported bool   `json:"supported"`
		Why       string `json:"unsupported_reason,omitempty"`
	}
	out := struct {
		Name      string   `json:"name"`
		Version   string   `json:"version"`
		Kind      string   `json:"kind"`
		Caps      []string `json:"caps"`
		Preload   *string  `json:"preload"`
		Workloads []wl     `json:"workloads"`
	}{Name: "go", Version: goVersion(), Kind: "reference", Caps: caps}
	for _, c := range cWorkloads() {
		w := wl{cWorkload: c}
		if w.Params == nil {
			w.Params = []cParam{}
		}
		if _, ok := ports[c.Name]; ok {
			w.Supported = true
			w.Description += " (Go port: adapters/go/)"
		} else {
			w.Why = unsupportedWhy
		}
		out.Workloads = append(out.Workloads, w)
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Println(string(b))
	return exitOK
}

// selfcheck: the process must be a Go program whose collector runs (a
// forced cycle is counted) — the analogue of the C adapters' proof that
// their allocator serves the process.
func cmdSelfcheck() int {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.NumGC <= before.NumGC {
		fmt.Fprintf(os.Stderr, "hb-go: selfcheck failed: runtime.GC() ran no cycle (NumGC %d -> %d; GOGC=off?)\n",
			before.NumGC, after.NumGC)
		return exitSelfcheck
	}
	fmt.Printf("hb-go: selfcheck ok: the Go runtime's collector ran cycle %d, GOMAXPROCS=%d (version %s)\n",
		after.NumGC, runtime.GOMAXPROCS(0), goVersion())
	return exitOK
}

const conformUsage = `usage: hb-<adapter> conform --list | --expect | --property NAME|GLOB
  --list              one JSON line per property: name, kind, discipline, needs,
                      applicable (and why not), summary, source
  --property NAME     the properties matching NAME (a glob), one JSON line
                      each: {property, kind, status, detail}; for hb-go every
                      one is n/a
  --expect            a faulty adapter (hb-fault-*): the property meant to catch it
  -h, --help          this help
exit: 0 all pass or n/a, 2 usage (heapbench/exitcodes.h)
`

const naWhy = "hb-go is the Go runtime, not reached through the C object API the properties drive"

// The C catalogue (hb-system conform --list), one object per property.
func properties() []map[string]interface{} {
	var out []map[string]interface{}
	sc := bufio.NewScanner(bytes.NewReader(cPropsJSONL))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p map[string]interface{}
		if strings.TrimSpace(sc.Text()) != "" && json.Unmarshal(sc.Bytes(), &p) == nil {
			out = append(out, p)
		}
	}
	return out
}

func printJSON(v interface{}) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

// conform: the C adapters' command line; every property is listed as not
// applicable (the properties exercise the C object API; Go's allocator is
// not reached through it), and running one reports it n/a.
func cmdConform(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, conformUsage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Print(conformUsage)
		return exitOK
	case "--list":
		for _, p := range properties() {
			p["applicable"], p["why"] = false, naWhy
			printJSON(p)
		}
		return exitOK
	case "--expect":
		fmt.Fprintln(os.Stderr, "hb-go is not a faulty adapter")
		return exitUsage
	case "--property":
		if len(args) < 2 {
			fmt.Fprintf(os.Stderr, "hb-go conform: missing value for '--property'\n%s", conformUsage)
			return exitUsage
		}
		n := 0
		for _, p := range properties() {
			name, _ := p["name"].(string)
			if ok, _ := path.Match(args[1], name); ok {
				printJSON(map[string]interface{}{"property": name, "kind": p["kind"], "status": "n/a", "detail": naWhy})
				n++
			}
		}
		if n == 0 {
			fmt.Fprintf(os.Stderr, "hb-go conform: no property matches '%s' (hb-go conform --list)\n", args[1])
			return exitUsage
		}
		return exitOK
	}
	fmt.Fprintf(os.Stderr, "hb-go conform: unknown option '%s'\n%s", args[0], conformUsage)
	return exitUsage
}
