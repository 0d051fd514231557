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
// identify the executable and the program, read the environment and the
// lineage record (and check its processes), decide, record the marker and
// install a new record.
func BenchmarkGuard(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		in, tokenFree := readGuardInput()
		in.lineage, in.hasLine = in.lineage[1:], len(in.lineage) > 1 // this process's own entry
		d := decide(in)
		if d.verdict != runMain {
			b.Fatalf("verdict %d for the test process", d.verdict)
		}
		os.Setenv(envParent, parentMarker{pid: in.pid, depth: d.depth, app: in.appID}.String())
		own := lineageEntry{app: in.appID, pid: in.pid, start: in.start, at: in.now, gen: d.gen, img: d.img}
		record := formatLineage(append([]lineageEntry{own}, d.keep...))
		os.Setenv(envLineage, record)
		if tokenFree {
			installToken(record)
		}
	}
}
