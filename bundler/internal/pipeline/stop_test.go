package pipeline

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
)

// TestInterruptedWrites cancels a build while three artifacts are being
// written: one by a format that writes as it goes (it stops at its next
// Write), one by a format that computes for long before its first Write
// and ignores the context, and one by a tool that has half-written its
// file at the destination and not yet noticed. wait returns within
// stopGrace, and none leaves a file in dist.
func TestInterruptedWrites(t *testing.T) {
	dist := t.TempDir()
	r := newTestRunner(t, dist)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	started := make(chan struct{}, 3)
	release := make(chan struct{})
	defer close(release)
	var streamErr error
	g.Go(func() error {
		_, _, streamErr = r.writeArtifact(gctx, "stream.tar.gz", func(w io.Writer) error {
			started <- struct{}{}
			for {
				if _, err := w.Write(make([]byte, 1024)); err != nil {
					return err
				}
				time.Sleep(time.Millisecond)
			}
		})
		return streamErr
	})
	g.Go(func() error {
		_, _, err := r.writeArtifact(gctx, "stuck.deb", func(w io.Writer) error {
			started <- struct{}{}
			<-release // compressing in memory, deaf to the context
			_, err := w.Write([]byte("late"))
			return err
		})
		return err
	})
	g.Go(func() error {
		_, _, err := r.makeArtifact(gctx, "tool_setup.exe", func(dest string) error {
			if err := os.WriteFile(dest, []byte("MZ, half written"), 0o644); err != nil {
				return err
			}
			started <- struct{}{}
			<-release // a tool that has not yet noticed the interrupt
			return nil
		})
		return err
	})
	<-started
	<-started
	<-started
	start := time.Now()
	cancel()
	err := wait(ctx, g, r.abandon)
	r.journal.Close() // as Run does: a journal that owns no file in dist goes
	if !errors.Is(err, context.Canceled) {
		t.Errorf("wait: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > stopGrace+500*time.Millisecond {
		t.Errorf("wait took %s", d)
	}
	if !errors.Is(streamErr, context.Canceled) {
		t.Errorf("the streaming write ended with %v, want context.Canceled", streamErr)
	}
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		t.Errorf("left in dist: %s", e.Name())
	}
}

func TestWaitWithoutInterrupt(t *testing.T) {
	var g errgroup.Group
	boom := errors.New("boom")
	g.Go(func() error { return boom })
	if err := wait(context.Background(), &g, func() { t.Error("abandon called") }); err != boom {
		t.Errorf("wait: %v, want the group's error", err)
	}
	dist := t.TempDir()
	r := newTestRunner(t, dist)
	if _, _, err := r.writeArtifact(context.Background(), "a.zip", func(w io.Writer) error {
		_, err := io.WriteString(w, "whole")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r.abandon() // nothing is being written: a finished artifact stays
	if data, err := os.ReadFile(dist + "/a.zip"); err != nil || string(data) != "whole" {
		t.Errorf("a.zip: %q, %v", data, err)
	}
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		// The journal stays: it owns a.zip until a manifest lists it.
		if artifact.IsTemp(e.Name()) || strings.HasPrefix(e.Name(), ".") && e.Name() != artifact.JournalName {
			t.Errorf("left in dist: %s", e.Name())
		}
	}
}

// newTestRunner is a runner that writes artifacts into dist through a
// journal, as Run's does.
func newTestRunner(t *testing.T, dist string) *runner {
	t.Helper()
	_, j, err := artifact.PrepareDist(context.Background(), dist, artifact.DistOptions{Name: "Test", Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.Close)
	return &runner{dist: dist, journal: j, check: finishedCheck(nil)}
}

// finishedCheck is a self-exec check that is over, with verdict err.
func finishedCheck(err error) *selfCheck {
	c := &selfCheck{done: make(chan struct{}), err: err}
	close(c.done)
	return c
}

// TestWriteArtifactAfterTheCheck: an artifact made while the self-exec
// check runs reaches dist only if the check passes.
func TestWriteArtifactAfterTheCheck(t *testing.T) {
	dist := t.TempDir()
	r := newTestRunner(t, dist)
	r.check = finishedCheck(errors.New("--strict: a finding"))
	fill := func(w io.Writer) error { _, err := io.WriteString(w, "zip"); return err }
	if _, _, err := r.writeArtifact(context.Background(), "a.zip", fill); err == nil || err.Error() != "--strict: a finding" {
		t.Fatalf("err %v", err)
	}
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		if e.Name() != artifact.JournalName && e.Name() != artifact.LockName {
			t.Errorf("a failed check left %s in dist", e.Name())
		}
	}
	r.check = finishedCheck(nil)
	if _, _, err := r.writeArtifact(context.Background(), "a.zip", fill); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dist, "a.zip")); err != nil || string(b) != "zip" {
		t.Errorf("after a passed check: %q, %v", b, err)
	}
}
