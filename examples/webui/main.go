// Command webui is a desktop app whose user interface is a small web
// server on 127.0.0.1 that runs in a worker process, the design that once
// fork-bombed machines when the worker was started by re-running the
// frozen app's main(). Here the worker is registered with the runtime hook,
// so the child runs the UI server and never main() again.
//
// main starts the worker, prints the URL, opens the browser unless
// --no-browser is given, and on SIGINT, SIGTERM or when the browser window
// is closed stops the worker: terminate, wait 5 s, kill.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/worker"
)

// ui is registered in a package-level var so it exists before any init
// function runs, where bundle's hook dispatches worker processes.
var ui = worker.Register("ui", serveUI)

// stopGrace is how long the UI server gets to shut down before it is killed.
const stopGrace = 5 * time.Second

func main() {
	worker.Dispatch() // for `go run`; bundle's hook has already done this in a bundled build

	noBrowser := flag.Bool("no-browser", false, "print the URL but do not open a browser")
	flag.Parse()

	if err := run(*noBrowser); err != nil {
		fmt.Fprintln(os.Stderr, "webui:", err)
		os.Exit(1)
	}
}

func run(noBrowser bool) error {
	out, in := io.Pipe()
	h, err := ui.StartOpts(worker.Options{Stdout: in})
	if err != nil {
		return fmt.Errorf("start the UI server: %w", err)
	}
	fmt.Printf("webui: pid %d started the UI server (worker pid %d)\n", os.Getpid(), h.Pid())

	// The rule that prevents the fork bomb, shown: one live UI server.
	if _, err := ui.Start(); errors.Is(err, worker.ErrAlreadyRunning) {
		fmt.Printf("webui: a second UI server was refused: %v\n", err)
	}

	url := make(chan string, 1)
	go relay(out, url)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	select {
	case u := <-url:
		fmt.Printf("webui: open %s\n", u)
		if !noBrowser {
			openBrowser(u)
		}
	case <-h.Done():
		return fmt.Errorf("the UI server ended before it was ready: %v", h.Wait())
	}

	select {
	case s := <-signals:
		fmt.Printf("webui: %v: stopping the UI server\n", s)
	case <-h.Done():
		fmt.Println("webui: the browser window was closed")
	}
	err = h.Stop(stopGrace)
	fmt.Printf("webui: UI server stopped: %v\n", describe(err))
	return nil
}

// relay copies the worker's output to ours and reports the URL line.
func relay(r io.Reader, url chan<- string) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		line := s.Text()
		if u, ok := strings.CutPrefix(line, "listening on "); ok {
			url <- u
		}
		fmt.Println(line)
	}
}

func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		fmt.Printf("webui: could not open a browser (%v); open the URL yourself\n", err)
		return
	}
	go cmd.Wait()
}

func describe(err error) string {
	if err == nil || errors.Is(err, context.Canceled) {
		return "exit status 0"
	}
	return err.Error()
}
