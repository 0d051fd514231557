//go:build unix

package main

import (
	"archive/zip"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testfs"
)

// The names the README gives what an unfinished build leaves in dist. The
// tests own them: they check the documented names, not the library's.
const (
	tempSuffix  = ".bundle-tmp"     // ends the name of every file being written
	journalName = ".bundle-journal" // the journal of a build in progress
)

func isTemp(name string) bool { return strings.HasSuffix(name, tempSuffix) }

// TestKilledBuildLeavesNothingThatLooksComplete SIGKILLs bundle build
// while it writes an artifact and checks dist: no artifacts.json, no
// checksums.txt, and every file without the temporary suffix is whole.
// A second build then finishes normally in the same dist.
func TestKilledBuildLeavesNothingThatLooksComplete(t *testing.T) {
	dir := testfs.CopyProject(t, "examples/hello")
	dist := filepath.Join(t.TempDir(), "dist")

	// The build cache holds every package of hello's targets, so the kill
	// lands while archives are written.
	helloBuild(t)

	for _, after := range []int{1, 3} { // kill while writing the 1st, then the 3rd artifact
		cmd := exec.Command(bundleBin, "build", "--dist", dist, "--parallel", "1", "--format", "tar.gz,zip")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), epoch)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		caught := waitForTemp(dist, after, 60*time.Second)
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // bundle and its go build children
		cmd.Wait()
		if !caught {
			t.Fatalf("never saw artifact %d being written", after)
		}
		checkNoCompleteLooking(t, dist)
	}

	r := runBundle(t, dir, []string{epoch}, "build", "--dist", dist, "--format", "tar.gz,zip")
	if r.code != 0 {
		t.Fatalf("build after the kill: exit %d\n%s", r.code, r.stderr)
	}
	if m := testfs.ReadManifest(t, dist); len(m.Artifacts) != 6 {
		t.Fatalf("after the kill, the next build made %d artifacts", len(m.Artifacts))
	}
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		if isTemp(e.Name()) || e.Name() == journalName {
			t.Errorf("leftover %s after a finished build", e.Name())
		}
	}
}

// waitForTemp polls dist until a temporary artifact is present while
// n-1 artifacts are already complete.
func waitForTemp(dist string, n int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dist)
		var temp, done int
		for _, e := range entries {
			switch {
			case isTemp(e.Name()) && !strings.HasPrefix(e.Name(), ".probe-") && !strings.HasPrefix(e.Name(), "."+journalName): // the journal being rewritten
				temp++
			case strings.HasPrefix(e.Name(), "hello_"):
				done++
			}
		}
		if temp > 0 && done >= n-1 {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

func checkNoCompleteLooking(t *testing.T, dist string) {
	t.Helper()
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dist, name)
		switch {
		case isTemp(name), name == journalName:
			// unfinished, and says so; the journal of the interrupted build
		case name == bundler.ManifestName || name == bundler.ChecksumsName:
			t.Errorf("%s exists after the build was killed", name)
		case strings.HasSuffix(name, ".tar.gz"):
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			gz, err := gzip.NewReader(f)
			if err == nil {
				_, err = io.Copy(io.Discard, gz)
			}
			f.Close()
			if err != nil {
				t.Errorf("%s looks complete but is truncated: %v", name, err)
			}
		case strings.HasSuffix(name, ".zip"):
			zr, err := zip.OpenReader(path)
			if err != nil {
				t.Errorf("%s looks complete but is truncated: %v", name, err)
				continue
			}
			for _, f := range zr.File {
				rc, err := f.Open()
				if err == nil {
					_, err = io.Copy(io.Discard, rc)
					rc.Close()
				}
				if err != nil {
					t.Errorf("%s: %s: %v", name, f.Name, err)
				}
			}
			zr.Close()
		default:
			t.Errorf("unexpected file %s in dist", name)
		}
	}
}
