// Command startup measures how long programs take to start and exit: it
// runs each given executable in turn, many times, interleaved so that both
// see the same machine load, and prints the median of each and their ratio
// to the first.
//
//	go run ./bench/startup -n 300 plain-hello hooked-hello -- --version
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"time"
)

func main() {
	n := flag.Int("n", 300, "runs of each program")
	flag.Parse()
	var progs, args []string
	for i, a := range flag.Args() {
		if a == "--" {
			args = flag.Args()[i+1:]
			break
		}
		progs = append(progs, a)
	}
	if len(progs) == 0 {
		fmt.Fprintln(os.Stderr, "usage: startup [-n runs] PROGRAM... [-- ARGS]")
		os.Exit(2)
	}
	times := make([][]time.Duration, len(progs))
	for r := 0; r < *n+10; r++ {
		for i, p := range progs {
			start := time.Now()
			if err := exec.Command(p, args...).Run(); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", p, err)
				os.Exit(1)
			}
			if r >= 10 { // the first runs warm the page cache
				times[i] = append(times[i], time.Since(start))
			}
		}
	}
	base := median(times[0])
	for i, p := range progs {
		m := median(times[i])
		fmt.Printf("%-40s median %8.3f ms  ratio %.3fx\n", p, float64(m.Microseconds())/1000, float64(m)/float64(base))
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
