// hb-go — the real Go runtime as a heapbench reference adapter.
//
// It speaks the child protocol of every hb-<name> executable
// (harness/bench_main.c, include/heapbench/exitcodes.h): `info`,
// `selfcheck`, `bench` (Google Benchmark-compatible JSON to
// --benchmark_out), `conform --list` (every property marked not
// applicable: the properties drive the C object API, which Go is not
// reached through) and `--help`. The workloads are Go ports of the C ones
// (workloads_*.go), with the C side's parameter tables: the build embeds
// `hb-system info` (workloads.json) so names, values and presets cannot
// drift. Standard library only; built by CMake (adapters/go/CMakeLists.txt).
package main

import (
	"fmt"
	"os"
)

// The child exit statuses, as in include/heapbench/exitcodes.h.
const (
	exitOK          = 0
	exitUsage       = 2
	exitInvalid     = 3
	exitUnsupported = 4
	exitSelfcheck   = 5
	exitSetup       = 6
)

const usageText = `usage: hb-go MODE [options]

The Go runtime (%s) serving the whole process: heapbench's reference
adapter, driven by ` + "`heapbench`" + ` as one child per cell, or run by hand.

modes:
  info                       JSON: adapter, version, kind, caps, preload, workloads
  selfcheck                  prove the process is served by the Go runtime
  bench [options]            run the Go ports of the workloads:
    --workload NAME|GLOB     (repeatable; default: all supported)
    --preset NAME            parameter set: quick (default), full, or one a workload declares
    --param NAME=VALUE       override one parameter (K/M/G suffixes)
    --gogc N                 GOGC percentage (debug.SetGCPercent; -1 turns the collector off)
    --memlimit BYTES         soft memory limit (debug.SetMemoryLimit)
    --anatomy FILE           untimed: sample Go's /memory/classes into FILE
    --anatomy-ms N           (heapbench run --anatomy; docs/anatomy.md), period 10 ms
    --benchmark_out=FILE, --benchmark_out_format=json, --benchmark_repetitions=N,
    --benchmark_min_time=S, --benchmark_min_warmup_time=S, --benchmark_filter=REGEX,
    --benchmark_format=console|json   as Google Benchmark's flags
  conform --list             the conformance properties, each marked not applicable
  help, --help, -h           this help

exit: 0 ok, 2 bad usage, 3 a workload failed its validation, 4 unsupported by
this adapter, 5 selfcheck failed, 6 the adapter could not be set up
(heapbench/exitcodes.h). ` + "`heapbench list`" + ` shows every workload's parameters.
`

func usage(toStdout bool) int {
	if toStdout {
		fmt.Fprintf(os.Stdout, usageText, goVersion())
		return exitOK
	}
	fmt.Fprintf(os.Stderr, usageText, goVersion())
	return exitUsage
}

func main() {
	os.Exit(run(os.Args))
}

func run(argv []string) int {
	if len(argv) < 2 {
		return usage(false)
	}
	switch argv[1] {
	case "--help", "-h", "help":
		return usage(true)
	case "info":
		return cmdInfo()
	case "selfcheck":
		return cmdSelfcheck()
	case "bench":
		return cmdBench(argv[2:])
	case "conform":
		return cmdConform(argv[2:])
	}
	fmt.Fprintf(os.Stderr, "hb-go: unknown mode '%s'\n", argv[1])
	return usage(false)
}
