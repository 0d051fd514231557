// Command workerstart measures worker.Start until the worker function runs:
// the worker writes one byte as its first action and the parent times the
// wait for it, n times, then prints the median and the 90th percentile.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/worker"
)

var ready = worker.Register("ready", func(ctx context.Context, _ []string) error {
	os.Stdout.Write([]byte{1})
	<-ctx.Done()
	return nil
})

func main() {
	worker.Dispatch()
	n := flag.Int("n", 100, "starts to time")
	flag.Parse()
	var times []time.Duration
	for i := 0; i < *n; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			fail(err)
		}
		start := time.Now()
		h, err := ready.StartOpts(worker.Options{Stdout: w})
		if err != nil {
			fail(err)
		}
		w.Close()
		if _, err := io.ReadFull(r, make([]byte, 1)); err != nil {
			fail(err)
		}
		times = append(times, time.Since(start))
		r.Close()
		if err := h.Stop(5 * time.Second); err != nil {
			fail(err)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	fmt.Printf("worker.Start -> worker running: median %.2f ms, p90 %.2f ms (n=%d)\n",
		ms(times[len(times)/2]), ms(times[len(times)*9/10]), len(times))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "workerstart:", err)
	os.Exit(1)
}
