//go:build profile

package main

// Built with -tags profile, the binary writes a CPU profile of its first
// DEALCOACH_CPUPROFILE_SECONDS seconds (default 20) to DEALCOACH_CPUPROFILE:
// and, with DEALCOACH_MEMPROFILE, a heap profile then:
// the way to profile the real serve under the side-by-side harness's load
// (README, Performance). Ordinary builds have none of this.

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

func init() {
	path := os.Getenv("DEALCOACH_CPUPROFILE")
	if path == "" {
		return
	}
	secs, err := strconv.Atoi(os.Getenv("DEALCOACH_CPUPROFILE_SECONDS"))
	if err != nil || secs <= 0 {
		secs = 20
	}
	f, err := os.Create(path)
	if err != nil {
		slog.Error("cpu profile", "err", err)
		return
	}
	if os.Getenv("DEALCOACH_MEMPROFILE") != "" {
		runtime.MemProfileRate = 4096
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		slog.Error("cpu profile", "err", err)
		return
	}
	time.AfterFunc(time.Duration(secs)*time.Second, func() {
		pprof.StopCPUProfile()
		f.Close()
		if mem := os.Getenv("DEALCOACH_MEMPROFILE"); mem != "" {
			m, err := os.Create(mem)
			if err != nil {
				slog.Error("heap profile", "err", err)
				return
			}
			defer m.Close()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			slog.Info("memstats", "heap_alloc", ms.HeapAlloc, "heap_inuse", ms.HeapInuse, "heap_idle", ms.HeapIdle,
				"heap_released", ms.HeapReleased, "stack_inuse", ms.StackInuse, "sys", ms.Sys, "next_gc", ms.NextGC, "num_gc", ms.NumGC)
			runtime.GC()
			if err := pprof.WriteHeapProfile(m); err != nil {
				slog.Error("heap profile", "err", err)
			}
		}
	})
}
