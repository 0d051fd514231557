package worker

import (
	"bufio"
	"os"
	"testing"
)

// BenchmarkStart measures Start until the worker's Func runs (it prints a
// ready line); stopping the worker is not timed.
func BenchmarkStart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		h, err := readyWorker.StartOpts(Options{Stdout: w})
		w.Close()
		if err != nil {
			b.Fatal(err)
		}
		if !bufio.NewScanner(r).Scan() {
			b.Fatal("worker exited before it was ready")
		}
		b.StopTimer()
		if err := h.Stop(testTimeout); err != nil {
			b.Fatal(err)
		}
		r.Close()
		b.StartTimer()
	}
}

// BenchmarkGuard measures what the guard does at every program start:
// identify the executable, read the environment, decide, record the marker.
func BenchmarkGuard(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		in, _ := readGuardInput()
		d := decide(in)
		if d.verdict != runMain {
			b.Fatalf("verdict %d for the test process", d.verdict)
		}
		os.Setenv(envParent, parentMarker{pid: in.pid, depth: d.depth, exeID: in.exeID}.String())
	}
}
