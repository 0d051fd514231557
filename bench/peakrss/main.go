// Command peakrss runs a program and prints, on one line, its wall time,
// the CPU time (user+sys) of it and every process it waited for, and the
// peak resident memory of that program's own process, without its
// children's:
//
//	peakrss -o figures.txt -- bundle build ...
//
// appends "wall 12.34 cpu 20.01 rss_kb 81234" (seconds, kB) to figures.txt.
//
// /usr/bin/time's "maximum resident set size" is the largest of the whole
// process tree (wait4 folds the children's peak into the parent's), which
// for bundle is a compile process of the go command, so the program's own
// peak (VmHWM in /proc/<pid>/status) is read here every few milliseconds
// while it runs; VmHWM only grows, so the last value read is the peak, short
// of what the program adds in its last milliseconds.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

func main() {
	every := flag.Duration("every", 5*time.Millisecond, "how often to read the program's VmHWM")
	out := flag.String("o", "", "append the figures to this file (default: stderr)")
	flag.Parse()
	args := flag.Args()
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: peakrss [-o FILE] [-every 5ms] -- PROGRAM [ARGS]")
		os.Exit(2)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var max int64
		t := time.NewTicker(*every)
		defer t.Stop()
		for {
			if kb := vmHWM(status); kb > max {
				max = kb
			}
			select {
			case <-done:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	rss := <-peak
	st := cmd.ProcessState
	cpu := st.UserTime() + st.SystemTime() // wait4: the program and the children it waited for
	line := fmt.Sprintf("wall %.3f cpu %.3f rss_kb %d\n", wall.Seconds(), cpu.Seconds(), rss)
	if *out == "" {
		fmt.Fprint(os.Stderr, line)
	} else if werr := appendLine(*out, line); werr != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", werr)
		os.Exit(1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
}

// vmHWM reads a process's peak resident set size in kB, 0 once it is gone.
func vmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		if v, ok := bytes.CutPrefix(s.Bytes(), []byte("VmHWM:")); ok {
			f := bytes.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(string(f[0]), 10, 64)
				return n
			}
		}
	}
	return 0
}

func appendLine(name, line string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
