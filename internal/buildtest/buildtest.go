// Package buildtest holds what the library's end-to-end tests share:
// building with bundler.Build while recording its events, builds made once
// per test binary and read by many tests (examples/hello, the examples built
// in place), and the bundle command for the builds that run it.
package buildtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testbin"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/internal/winetest"
)

// Epoch is the SOURCE_DATE_EPOCH of every build the tests make, so their
// artifacts are reproducible.
const Epoch = "1767225600"

// testRoot is a folder for what outlives one test: the shared builds and
// the bundle command.
var testRoot string

// Main is the TestMain of a package whose tests use this one: it makes the
// folder shared builds live in, runs the tests, stops Wine if a test
// started it, removes the folder and exits with the tests' code.
func Main(m *testing.M) {
	var err error
	if testRoot, err = os.MkdirTemp("", "bundler-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	winetest.Shutdown()
	os.RemoveAll(testRoot)
	os.Exit(code)
}

// Built is one library build: its result, the events it reported, and its
// error.
type Built struct {
	Dist   string
	Result *bundler.BuildResult
	Events []bundler.Event
	Err    error
}

// Log is the build's events, one message per line, as a test reads them
// for warnings and notes.
func (b Built) Log() string {
	var s strings.Builder
	for _, e := range b.Events {
		if e.Message != "" {
			fmt.Fprintln(&s, e.Message)
		}
	}
	return s.String()
}

// Build runs bundler.Build with o, filling in the reproducible source time
// and the bundle command (for sign-file), and records its events.
func Build(ctx context.Context, t testing.TB, o bundler.BuildOptions) Built {
	t.Helper()
	var mu sync.Mutex
	var b Built
	if o.SourceDateEpoch == "" {
		o.SourceDateEpoch = Epoch
	}
	if o.Bundle == "" {
		o.Bundle = Bundle(t)
	}
	o.OnEvent = func(e bundler.Event) {
		mu.Lock()
		b.Events = append(b.Events, e)
		mu.Unlock()
	}
	b.Dist = o.Dist
	b.Result, b.Err = bundler.Build(ctx, o)
	return b
}

var jailCmd struct {
	once sync.Once
	path string
	err  error
}

// Jail is the jail every test runs a program in that may start copies of
// itself, built once; a machine that cannot jail skips the test, or fails
// it when CI=true.
func Jail(t testing.TB) string {
	t.Helper()
	jailCmd.once.Do(func() {
		jailCmd.path, jailCmd.err = testbin.Jail(testRoot)
	})
	if errors.Is(jailCmd.err, testbin.ErrCannotJail) {
		testtool.Missing(t, jailCmd.err.Error())
	}
	if jailCmd.err != nil {
		t.Fatal(jailCmd.err)
	}
	return jailCmd.path
}

// Jailed returns the command line that runs name with args in a jail of
// its own, killed after timeout.
func Jailed(t testing.TB, timeout time.Duration, name string, args ...string) []string {
	t.Helper()
	return append([]string{Jail(t), "-timeout", timeout.String(), "--", name}, args...)
}

var bundleCmd struct {
	once sync.Once
	path string
	err  error
}

// Bundle is the bundle command, built once: a build runs it as
// `bundle sign-file` for the NSIS uninstaller, and some tests run it.
func Bundle(t testing.TB) string {
	t.Helper()
	bundleCmd.once.Do(func() {
		bundleCmd.path, bundleCmd.err = testbin.Build(testRoot)
	})
	if bundleCmd.err != nil {
		t.Fatal(bundleCmd.err)
	}
	return bundleCmd.path
}

// A sharedBuild is one build that several tests read, made at most once
// per test binary, on first use. Readers must not change its dist (copy a
// file out first).
type sharedBuild struct {
	once sync.Once
	b    Built
}

var shared struct {
	mu     sync.Mutex
	builds map[string]*sharedBuild
	// one lets one shared build run at a time: on a cold build cache, two
	// go commands compiling the same packages for the same target at once
	// both do all the work.
	one sync.Mutex
}

// Shared returns the build named key; the first caller runs make,
// which gets a fresh folder of its own.
func Shared(t *testing.T, key string, make func(work string) Built) Built {
	t.Helper()
	shared.mu.Lock()
	if shared.builds == nil {
		shared.builds = map[string]*sharedBuild{}
	}
	s := shared.builds[key]
	if s == nil {
		s = &sharedBuild{}
		shared.builds[key] = s
	}
	shared.mu.Unlock()
	s.once.Do(func() {
		shared.one.Lock()
		defer shared.one.Unlock()
		work, err := os.MkdirTemp(testRoot, "shared-")
		if err != nil {
			s.b.Err = err
			return
		}
		s.b = make(work)
	})
	if s.b.Err != nil {
		t.Fatalf("shared build of %s: %v", key, s.b.Err)
	}
	return s.b
}

// Hello is `make demo`: every target and format of examples/hello,
// from a copy of it.
func Hello(t *testing.T) Built {
	t.Helper()
	src := filepath.Join(testfs.RepoRoot(t), "examples/hello")
	return Shared(t, "make demo", func(work string) Built {
		dir := filepath.Join(work, "hello")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			return Built{Err: err}
		}
		return Build(context.Background(), t, bundler.BuildOptions{
			Config: filepath.Join(dir, "bundle.yaml"), Dist: filepath.Join(work, "dist"), Clean: true,
		})
	})
}

// Example bundles every target of an example of the repository as
// tar.gz and zip, in place, so that its go.mod's replace resolves.
func Example(t *testing.T, project string) string {
	t.Helper()
	dir := filepath.Join(testfs.RepoRoot(t), project)
	return Shared(t, project, func(work string) Built {
		defer LockTree(project)()
		return Build(context.Background(), t, bundler.BuildOptions{
			Config: filepath.Join(dir, "bundle.yaml"), Dist: filepath.Join(work, "dist"), Formats: []string{"tar.gz", "zip"},
		})
	}).Dist
}

// trees has a lock per folder of the repository that tests build in place:
// a Windows build puts its resources (a .syso) beside the main package
// while it compiles, so two builds of one folder, or a build and a test
// that checks the folder is unchanged, must not overlap.
var trees sync.Map

// LockTree locks a folder of the repository (such as examples/webui) and
// returns the unlock.
func LockTree(project string) (unlock func()) {
	mu, _ := trees.LoadOrStore(project, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	return mu.(*sync.Mutex).Unlock
}

// HostTarget is the GOOS/GOARCH of this machine, for builds the test runs.
func HostTarget() string { return runtime.GOOS + "/" + runtime.GOARCH }
