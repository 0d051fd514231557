package build

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bundlekit/bundle/bundler/config"
)

// stopGrace is how long an interrupted build waits for its steps to
// return once the context is done. Each stops on the context well within
// it (programs through proc, artifact writes through stopWriter); one that
// does not must not hold up the interrupt, which has to end the build in
// under two seconds.
const stopGrace = time.Second

// wait returns g's error, or ctx's error at most stopGrace after ctx ends.
func wait(ctx context.Context, g *errgroup.Group) error {
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
	}
	return ctx.Err()
}

// stopWriter fails every Write once ctx is done, so a format that writes a
// big artifact in Go stops promptly when the build is interrupted (and
// artifact.WriteFile removes the unfinished file).
type stopWriter struct {
	ctx context.Context
	w   io.Writer
}

func (s stopWriter) Write(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, err
	}
	return s.w.Write(p)
}

// removeSysos removes the resource files the build may have put beside
// the main package for its Windows targets. compile removes each right
// after go build; this covers a build that an interrupt ended while go
// build still ran. The names are bundle's own (checkForeignSyso).
func removeSysos(p *config.Project, pl Plan) {
	dir := p.Abs(p.Config.Main)
	for _, j := range pl.Jobs {
		if j.Target.OS == "windows" {
			os.Remove(filepath.Join(dir, sysoName(j.Target.Arch)))
		}
	}
}
