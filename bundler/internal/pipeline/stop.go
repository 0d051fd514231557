package pipeline

import (
	"context"
	"io"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/packager"
)

// stopGrace is how long an interrupted build waits for its steps to
// return once the context is done. Programs stop through proc and artifact
// writes through packager.StopWriter, but a pure-Go format may compress a whole
// package in memory before its first write; it must not hold up the
// interrupt, which has to end the build in under two seconds.
const stopGrace = time.Second

// wait returns g's error, or ctx's error once ctx has ended and g has
// returned, or, when g takes longer than stopGrace after that, calls
// abandon and returns ctx's error.
func wait(ctx context.Context, g *errgroup.Group, abandon func()) error {
	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	select {
	case err := <-done:
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	case <-ctx.Done():
	}
	select {
	case <-done:
	case <-time.After(stopGrace):
		abandon()
	}
	return ctx.Err()
}

// writeArtifact writes the artifact name into dist with fill (through the
// journal, which owns it before it appears), through packager.StopWriter,
// and keeps track of it while it is being written.
func (r *runner) writeArtifact(ctx context.Context, name string, fill func(io.Writer) error) (int64, string, error) {
	return r.tracked(name, func() (int64, string, error) {
		return r.journal.WriteFile(name, func(w io.Writer) error {
			if err := fill(packager.StopWriter(ctx, w)); err != nil {
				return err
			}
			// Made while the self-exec check runs, renamed into dist only
			// once it has passed: a failed check removes the unfinished
			// file.
			return r.check.wait(ctx)
		})
	})
}

// makeArtifact is writeArtifact for an artifact made at a path: a format's
// own file, which it writes (or a tool writes) at dest and which is then
// signed there.
func (r *runner) makeArtifact(ctx context.Context, name string, make func(dest string) error) (int64, string, error) {
	return r.tracked(name, func() (int64, string, error) {
		return r.journal.MakeFile(name, func(dest string) error {
			if err := make(dest); err != nil {
				return err
			}
			return r.check.wait(ctx)
		})
	})
}

// tracked runs write, which writes the artifact name into dist, with name
// listed among those being written, for abandon.
func (r *runner) tracked(name string, write func() (int64, string, error)) (int64, string, error) {
	r.mu.Lock()
	if r.writing == nil {
		r.writing = map[string]int{}
	}
	r.writing[name]++
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.writing[name]--
		r.mu.Unlock()
	}()
	return write()
}

// abandon removes the temporary files of the artifacts still being written,
// whose steps outlived stopGrace: the process exits before they could
// remove them themselves. Their renames then fail, as the files are gone.
func (r *runner) abandon() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, n := range r.writing {
		if n > 0 {
			artifact.RemoveUnfinished(r.dist, name)
		}
	}
}
