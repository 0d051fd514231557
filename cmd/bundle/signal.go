package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/bundlekit/bundle/bundler"
)

// interrupted is the cause of a context that a signal ended.
type interrupted struct{ sig os.Signal }

func (i interrupted) Error() string { return "interrupted (" + signalName(i.sig) + ")" }

// code is the exit code for the signal: 128 plus its number, as shells
// report a program a signal ended.
func (i interrupted) code() int {
	if i.sig == syscall.SIGTERM {
		return bundler.ExitTerminated
	}
	return bundler.ExitInterrupted
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// withSignals returns a context that the first SIGINT or SIGTERM cancels,
// with an interrupted cause, so the command stops its programs and cleans
// up; a second signal exits at once.
func withSignals(parent context.Context) context.Context {
	ctx, cancel := context.WithCancelCause(parent)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		first := interrupted{<-signals}
		cancel(first)
		os.Exit(interrupted{<-signals}.code())
	}()
	return ctx
}

// interruption returns what a signal did to ctx, if anything.
func interruption(ctx context.Context) (interrupted, bool) {
	var i interrupted
	return i, errors.As(context.Cause(ctx), &i)
}
