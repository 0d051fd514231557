package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bundlekit/bundle/bundler"
)

// progress shows a build as it happens: a line per compiled target and per
// artifact under labelled columns, and on a terminal a status line that
// names the targets still compiling with the time so far, so a long
// compile is never silent. Warnings are kept for the summary; notes are not.
type progress struct {
	p     printer
	tty   bool
	width int // the terminal's columns

	mu        sync.Mutex
	start     time.Time
	compiling map[string]time.Time // target -> when its go build started
	warnings  []string
	status    bool // a status line is on screen
	frame     int
	stop      chan struct{}
	stopped   chan struct{}
}

// targetWidth fits the longest target name, darwin/universal.
const targetWidth = len("darwin/universal")

func newProgress(p printer) *progress {
	g := &progress{p: p, tty: isTerminal(p.w), start: time.Now(), compiling: map[string]time.Time{}}
	if g.tty {
		g.width = terminalWidth(p.w)
		g.stop, g.stopped = make(chan struct{}), make(chan struct{})
		go g.tick()
	}
	return g
}

// tick redraws the status line until close.
func (g *progress) tick() {
	defer close(g.stopped)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-t.C:
			g.mu.Lock()
			g.frame++
			g.drawStatus()
			g.mu.Unlock()
		}
	}
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// drawStatus replaces the status line; the caller holds mu.
func (g *progress) drawStatus() {
	g.clearStatus()
	if len(g.compiling) == 0 {
		return
	}
	names := make([]string, 0, len(g.compiling))
	for t := range g.compiling {
		names = append(names, t)
	}
	slices.Sort(names)
	what := strings.Join(names, ", ")
	elapsed := seconds(time.Since(g.start))
	if len(what)+len(elapsed)+14 > g.width { // a wrapped line could not be redrawn in place
		what = plural(len(names), "target")
	}
	fmt.Fprintf(g.p.w, "%s compiling %s  %s", spinner[g.frame%len(spinner)], what, g.p.paint(dim, elapsed))
	g.status = true
}

func (g *progress) clearStatus() {
	if g.status {
		fmt.Fprint(g.p.w, "\r\x1b[K")
		g.status = false
	}
}

// event prints one build event.
func (g *progress) event(e bundler.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.clearStatus()
	row := func(mark, target, what, size, took string) {
		g.p.linef("%s", strings.TrimRight(fmt.Sprintf("%s %-*s  %-10s %9s  %s", mark, targetWidth, target, what, size, took), " "))
	}
	switch e.Kind {
	case bundler.Started:
		g.p.linef("%s %s", g.p.paint(bold, "bundle"), e.Message)
		row(" ", "TARGET", "STEP", "SIZE", "TIME")
	case bundler.Compiling:
		g.compiling[e.Target.String()] = time.Now()
		if !g.tty {
			row("·", e.Target.String(), "compiling", "", "")
		}
	case bundler.Compiled:
		delete(g.compiling, e.Target.String())
		row(g.p.paint(green, "✓"), e.Target.String(), "compiled", "", g.p.paint(dim, seconds(e.Elapsed)))
	case bundler.Packaged:
		row(g.p.paint(green, "✓"), e.Target.String(), e.Format, bundler.HumanSize(e.Artifact.Size), g.p.paint(dim, seconds(e.Elapsed)))
	case bundler.Waiting:
		g.p.linef("%s %s", g.p.paint(yellow, "…"), e.Message)
	case bundler.Notarizing: // a line per change of status and per minute, never silent for long
		took := ""
		if e.Elapsed > 0 {
			took = "  " + g.p.paint(dim, seconds(e.Elapsed))
		}
		row("·", e.Target.String(), "notarize", "", e.Message+took)
	case bundler.Noted: // shown once, not repeated in the summary: there is nothing to fix
		g.p.linef("%s %s", g.p.paint(dim, "i"), e.Message)
	case bundler.Skipped, bundler.Warned:
		g.warnings = append(g.warnings, e.Message)
		g.p.linef("%s %s", g.p.paint(yellow, "!"), e.Message)
	}
	if g.tty {
		g.drawStatus()
	}
}

// close stops the status line.
func (g *progress) close() {
	if g.tty {
		close(g.stop)
		<-g.stopped
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.clearStatus()
}

// plural is "1 artifact", "2 artifacts".
func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}
