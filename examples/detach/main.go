// Command detach is the start-and-detach pattern: `detach start` launches
// `detach run` in the background by re-executing its own executable, writes
// the pid file and exits at once; `detach run` serves until `detach stop`
// asks it to end.
//
// All three share --dir, which holds detach.pid, detach.port (the address
// run listens on), heartbeat (a counter run rewrites every 100 ms) and
// detach.log (run's output).
//
// Stop asks over HTTP rather than with a signal, so it works the same on
// Windows, where a process cannot be sent an interrupt.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: detach start|run|stop [--dir DIR]"))
	}
	fs := flag.NewFlagSet("detach "+os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", ".", "folder for the pid, port, heartbeat and log files")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "start":
		err = start(*dir)
	case "run":
		err = run(*dir)
	case "stop":
		err = stop(*dir)
	default:
		err = fmt.Errorf("unknown command %q; use start, run or stop", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "detach:", err)
	os.Exit(1)
}

// start re-executes the app as `run` and leaves it running.
func start(dir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	log, err := os.Create(filepath.Join(dir, "detach.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	os.Remove(filepath.Join(dir, "detach.port"))
	cmd := exec.Command(self, "run", "--dir", dir)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	if err := writeAtomic(filepath.Join(dir, "detach.pid"), strconv.Itoa(pid)+"\n"); err != nil {
		return err
	}
	// Not waited for: run outlives start.
	if err := cmd.Process.Release(); err != nil {
		return err
	}
	fmt.Printf("detach: started run (pid %d)\n", pid)
	return nil
}

// run serves GET / ("detach: running") and GET /stop, and counts heartbeats.
func run(dir string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	stopped := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "detach: running") })
	mux.HandleFunc("/stop", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "detach: stopping")
		select {
		case <-stopped:
		default:
			close(stopped)
		}
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	if err := writeAtomic(filepath.Join(dir, "detach.port"), ln.Addr().String()); err != nil {
		return err
	}
	fmt.Printf("detach: run serving on %s\n", ln.Addr())
	beat := time.NewTicker(100 * time.Millisecond)
	defer beat.Stop()
	for n := 1; ; n++ {
		select {
		case <-stopped:
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			fmt.Println("detach: run stopped")
			return srv.Shutdown(ctx)
		case <-beat.C:
			if err := writeAtomic(filepath.Join(dir, "heartbeat"), strconv.Itoa(n)); err != nil {
				return err
			}
		}
	}
}

// stop asks run to end and waits until it no longer answers.
func stop(dir string) error {
	addr, err := os.ReadFile(filepath.Join(dir, "detach.port"))
	if err != nil {
		return fmt.Errorf("not running: %w", err)
	}
	url := "http://" + strings.TrimSpace(string(addr))
	resp, err := http.Get(url + "/stop")
	if err != nil {
		return fmt.Errorf("not running: %w", err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			os.Remove(filepath.Join(dir, "detach.pid"))
			os.Remove(filepath.Join(dir, "detach.port"))
			fmt.Println("detach: stopped")
			return nil
		}
		resp.Body.Close()
	}
	return errors.New("run still answers 5 s after it was asked to stop")
}

// writeAtomic replaces a file in one rename, so a reader never sees it half-written.
func writeAtomic(name, content string) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
