package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// printer writes progress for people: colour and symbols on a terminal,
// plain lines otherwise, and nothing but the final JSON with --json.
type printer struct {
	w     io.Writer
	color bool
}

func newPrinter(w io.Writer) printer {
	return printer{w: w, color: isTerminal(w) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

const (
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	dim    = "\x1b[2m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

func (p printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + reset
}

func (p printer) linef(format string, args ...any) {
	fmt.Fprintf(p.w, format+"\n", args...)
}

// terminalWidth is the number of columns of the terminal w, 80 when it
// cannot be read.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	return 80
}
