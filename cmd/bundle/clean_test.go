//go:build linux

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testfs"
)

// quick makes the build small; every refusal below comes before compiling.
var quick = []string{"--version", "1.0.0", "--target", "linux/amd64", "--format", "tar.gz"}

// TestDangerousDist runs bundle build with --dist values that must never
// be emptied or written, with and without --clean: each exits 2 with one
// line naming the folder or the first file bundle did not write and the
// fix, and nothing around the project changes.
func TestDangerousDist(t *testing.T) {
	t.Parallel()
	const fix = "; pass --dist with a folder for bundle's output only, such as dist\n"
	const foreign = ", which bundle did not write; move it out of dist, or pass another --dist\n"
	tests := []struct {
		name string
		cwd  string // relative to the sandbox; "" for the project
		dist string
		want string // the message after "bundle: " and the --clean prefix; PROJECT and SANDBOX stand for their paths
	}{
		{"the parent folder", "", "..", `dist folder ".." is above the project folder PROJECT` + fix},
		{"a home folder", "", "SANDBOX/home", `dist folder "SANDBOX/home" holds .bashrc` + foreign},
		{"a source folder of the project", "", "internal/greet", `dist folder "internal/greet" holds greet.go` + foreign},
		{"a link to the parent folder", "", "up", `dist folder "up" is above the project folder PROJECT` + fix},
		{"a link to a home folder", "", "out", `dist folder "out" holds .bashrc` + foreign},
		{"the working directory", "work", ".", `dist folder "." is the working directory SANDBOX/work` + fix},
	}
	for _, tt := range tests {
		for _, clean := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: " --clean"}[clean], func(t *testing.T) {
				t.Parallel()
				dir := testfs.CopyProject(t, "examples/hello")
				sandbox := filepath.Dir(dir)
				testfs.WriteFile(t, filepath.Join(sandbox, "sibling", ".git", "HEAD"), "ref: refs/heads/main\n")
				testfs.WriteFile(t, filepath.Join(sandbox, "sibling", "main.go"), "package main\n")
				testfs.WriteFile(t, filepath.Join(sandbox, "home", ".ssh", "id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\n")
				testfs.WriteFile(t, filepath.Join(sandbox, "home", ".bashrc"), "export EDITOR=vi\n")
				testfs.WriteFile(t, filepath.Join(dir, "internal", "greet", "greet.go"), "package greet\n")
				testfs.WriteFile(t, filepath.Join(dir, "internal", "greet", "greet_test.go"), "package greet\n")
				testfs.WriteFile(t, filepath.Join(sandbox, "work", "notes.txt"), "mine\n")
				for name, target := range map[string]string{"up": sandbox, "out": filepath.Join(sandbox, "home")} {
					if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
						t.Fatal(err)
					}
				}
				cwd, args := dir, []string{"build", "--dist", strings.ReplaceAll(tt.dist, "SANDBOX", sandbox)}
				if tt.cwd != "" {
					cwd = filepath.Join(sandbox, tt.cwd)
					args = append(args, "--config", filepath.Join(dir, "bundle.yaml"))
				}
				if clean {
					args = append(args, "--clean")
				}
				before := listTree(t, sandbox)

				r := runBundle(t, cwd, []string{epoch}, append(args, quick...)...)

				want := "bundle: " + strings.NewReplacer("PROJECT", dir, "SANDBOX", sandbox).Replace(tt.want)
				if clean {
					want = "bundle: refusing --clean: " + strings.TrimPrefix(want, "bundle: ")
				}
				if r.code != 2 || r.stderr != want {
					t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and:\n%s", r.code, r.stderr, want)
				}
				if after := listTree(t, sandbox); after != before {
					t.Errorf("files changed:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	}
}

// TestCleanRootInChroot runs a static bundle in a throwaway root with
// --dist /: the refusal comes right after bundle.yaml is read, before
// bundle needs go or git (neither is in the root), and the root is as it
// was.
func TestCleanRootInChroot(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root")
	}
	root := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(root, "bin", "bundle"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build a static bundle: %v\n%s", err, out)
	}
	if err := os.CopyFS(filepath.Join(root, "project"), os.DirFS(filepath.Join(testfs.RepoRoot(t), "examples", "hello"))); err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n")
	testfs.WriteFile(t, filepath.Join(root, "root", ".ssh", "id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\n")
	before := listTree(t, root)

	for _, clean := range []bool{true, false} {
		args := append([]string{"build", "--dist", "/"}, quick...)
		want := `bundle: dist folder "/" is above the project folder /project; pass --dist with a folder for bundle's output only, such as dist` + "\n"
		if clean {
			args = append(args, "--clean")
			want = "bundle: refusing --clean: " + strings.TrimPrefix(want, "bundle: ")
		}
		cmd := exec.Command("/bin/bundle", args...)
		cmd.Dir = "/project" // inside the root
		cmd.Env = []string{"PATH=/bin", "HOME=/root", epoch}
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("chroot: %v", err)
		}
		if code != 2 || stderr.String() != want {
			t.Errorf("clean=%v: exit %d, stderr:\n%s\nwant exit 2 and:\n%s", clean, code, stderr.String(), want)
		}
	}
	if after := listTree(t, root); after != before {
		t.Errorf("the root changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestConcurrentBuildsIntoOneDist starts two builds into one dist while
// the test holds dist's lock: both say they wait, write nothing, and once
// the lock is free both finish, one after the other, with a dist whose
// checksums.txt passes sha256sum -c and whose artifacts.json lists exactly
// its files. Then two builds race without help, of two targets and of one.
func TestConcurrentBuildsIntoOneDist(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	dist := filepath.Join(t.TempDir(), "dist")
	if err := os.Mkdir(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(dist)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := unix.Flock(int(held.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	waits := startBuilds(t, dir, dist, "linux/amd64", "linux/arm64")
	deadline := time.Now().Add(2 * time.Minute)
	for _, w := range waits {
		for !strings.Contains(w.out.String(), fmt.Sprintf("dist folder %q is in use by another bundle build; waiting for it to finish", dist)) {
			if time.Now().After(deadline) {
				t.Fatalf("a build never said it waits:\n%s", w.out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if entries, _ := os.ReadDir(dist); len(entries) != 0 {
		t.Errorf("builds wrote into dist while another held it: %v", entries)
	}
	unix.Flock(int(held.Fd()), unix.LOCK_UN)
	finish(t, waits)
	checkDist(t, dist, 2)

	for _, targets := range [][]string{{"linux/amd64", "linux/arm64"}, {"linux/amd64", "linux/amd64"}} {
		race := filepath.Join(t.TempDir(), "dist")
		finish(t, startBuilds(t, dir, race, targets...))
		checkDist(t, race, len(slices.Compact(targets)))
	}
}

type running struct {
	cmd *exec.Cmd
	out *syncBuffer
}

func startBuilds(t *testing.T, dir, dist string, targets ...string) []running {
	t.Helper()
	var rs []running
	for _, target := range targets {
		out := &syncBuffer{}
		cmd := exec.Command(bundleBin, "build", "--dist", dist, "--target", target, "--format", "tar.gz")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), epoch)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, running{cmd, out})
	}
	return rs
}

func finish(t *testing.T, rs []running) {
	t.Helper()
	for _, r := range rs {
		if err := r.cmd.Wait(); err != nil {
			t.Errorf("%v: %v\n%s", r.cmd.Args, err, r.out.String())
		}
	}
}

// checkDist checks dist as a user's script would: sha256sum -c passes,
// and artifacts.json lists every file besides itself and checksums.txt.
func checkDist(t *testing.T, dist string, artifacts int) {
	t.Helper()
	if r := runIn(t, dist, nil, "sha256sum", "--strict", "-c", bundler.ChecksumsName); r.code != 0 {
		t.Errorf("sha256sum -c: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	m := testfs.ReadManifest(t, dist)
	want := []string{bundler.ManifestName, bundler.ChecksumsName}
	for _, a := range m.Artifacts {
		want = append(want, a.Path)
		data, err := os.ReadFile(filepath.Join(dist, a.Path))
		if sum := sha256.Sum256(data); err != nil || hex.EncodeToString(sum[:]) != a.SHA256 {
			t.Errorf("%s: sha256 %x, artifacts.json says %s (%v)", a.Path, sum, a.SHA256, err)
		}
	}
	var got []string
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(m.Artifacts) != artifacts || !slices.Equal(got, want) {
		t.Errorf("dist holds %v; artifacts.json lists %d artifacts (want %d): %v", got, len(m.Artifacts), artifacts, want)
	}
}

// syncBuffer is a bytes.Buffer a running process writes while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
