package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/testfs"
)

const outsideSecret = "token=ghp_not_for_shipping"

// filesProject is testdata/project with full.yaml whose files: also
// lists entry, and a secret file beside the project.
func filesProject(t *testing.T, entry string) (dir, secret string) {
	t.Helper()
	dir = testfs.CopyProject(t, "testdata/project")
	data, err := os.ReadFile(filepath.Join(testfs.RepoRoot(t), "testdata/config/good/full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	config := strings.Replace(string(data), "files:\n  - src: LICENSE\n", "files:\n  - src: LICENSE\n"+entry, 1)
	testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), config)
	secret = filepath.Join(filepath.Dir(dir), "secret.txt")
	if err := os.WriteFile(secret, []byte(outsideSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, secret
}

// tarEntries lists a tar.gz's entries with the content of each file.
func tarEntries(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]string{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return entries
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		entries[h.Name] = string(data)
	}
}

// TestFilesLeaveOutVCSAndDist ships the whole project ({src: ., dst: src})
// from a git checkout whose .git/config holds a token, with dist inside
// it: neither .git, nor dist and its journal and temp files, nor an old
// dist are packaged, each is named once on stdout, and a rebuild makes the
// same archive instead of a bigger one.
func TestFilesLeaveOutVCSAndDist(t *testing.T) {
	t.Parallel()
	dir, _ := filesProject(t, "  - src: .\n    dst: src\n")
	testfs.MustRun(t, dir, "git", "init", "-q")
	testfs.WriteFile(t, filepath.Join(dir, ".git", "config"), "[http]\n\textraheader = AUTHORIZATION: basic "+outsideSecret+"\n")
	testfs.WriteFile(t, filepath.Join(dir, "old-dist", "artifacts.json"), `{"name":"Fixture","version":"0.9.0","artifacts":[]}`)
	testfs.WriteFile(t, filepath.Join(dir, "old-dist", "checksums.txt"), "")
	archive := filepath.Join(dir, "dist", "fixture_1.0.0_linux_amd64.tar.gz")
	var first map[string]string
	for build := range 2 {
		args := []string{"build", "--target", "linux/amd64", "--format", "tar.gz"}
		if build == 1 {
			args = append(args, "--clean")
		}
		r := runBundle(t, dir, []string{epoch}, args...)
		if r.code != 0 {
			t.Fatalf("build %d: exit %d\n%s%s", build, r.code, r.stdout, r.stderr)
		}
		for _, left := range []string{"left out .git (version control)", "left out dist (bundle's output)", "left out old-dist (bundle's output)"} {
			if strings.Count(r.stdout, left) != 1 {
				t.Errorf("build %d: stdout does not say %q once:\n%s", build, left, r.stdout)
			}
		}
		entries := tarEntries(t, archive)
		for name, content := range entries {
			if strings.Contains(name, "/src/.git/") || strings.Contains(name, "/src/dist/") || strings.Contains(name, "/src/old-dist/") || strings.Contains(content, outsideSecret) {
				t.Errorf("build %d packaged %s", build, name)
			}
		}
		if _, ok := entries["fixture_1.0.0_linux_amd64/src/main.go"]; !ok {
			t.Errorf("build %d: the project's own files are missing: %v", build, entries)
		}
		if build == 0 {
			first = entries
		} else if len(entries) != len(first) {
			t.Errorf("the rebuild packaged %d entries, the first build %d", len(entries), len(first))
		}
	}
}

// TestFilesRaceBuilds swaps a file of a files: folder, while bundle builds,
// between the project's own file, a link to a secret outside the project,
// a FIFO and a hard link to that secret, over 100 builds (8 at a time):
// each build either ships the project's file or fails with exit 2 and one
// line, none hangs, and no artifact holds the secret.
func TestFilesRaceBuilds(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	outcomes := map[string]int{}
	slots := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for round := range 100 {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			outcome := raceOneBuild(t, round)
			mu.Lock()
			outcomes[outcome]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("100 builds: %v", outcomes)
}

func raceOneBuild(t *testing.T, round int) string {
	dir, secret := filesProject(t, "  - src: shared\n")
	shared := filepath.Join(dir, "shared")
	for i := range 50 {
		testfs.WriteFile(t, filepath.Join(shared, fmt.Sprintf("part%02d.txt", i)), strings.Repeat("own ", 1000))
	}
	target := filepath.Join(shared, "part25.txt")
	stop := make(chan struct{})
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		for i := round; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(i%7) * time.Millisecond):
			}
			tmp := target + ".new"
			os.Remove(tmp)
			switch i % 4 {
			case 0:
				os.WriteFile(tmp, []byte("own"), 0o644)
			case 1:
				os.Symlink(secret, tmp)
			case 2:
				syscall.Mkfifo(tmp, 0o644)
			case 3:
				os.Link(secret, tmp)
			}
			os.Rename(tmp, target)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bundleBin, "build", "--target", "linux/amd64", "--format", "tar.gz")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), epoch)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	close(stop)
	<-swapped
	if ctx.Err() != nil {
		t.Errorf("round %d: the build hangs", round)
		return "hung"
	}
	if err != nil {
		if cmd.ProcessState.ExitCode() != 2 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), `files[1].src: "shared/part25.txt`) {
			t.Errorf("round %d: exit %d:\n%s", round, cmd.ProcessState.ExitCode(), stderr.String())
		}
		if strings.Contains(stderr.String(), "bundle.yaml:") {
			return "refused by the check"
		}
		return "refused as copied"
	}
	for name, content := range tarEntries(t, filepath.Join(dir, "dist", "fixture_1.0.0_linux_amd64.tar.gz")) {
		if strings.Contains(content, outsideSecret) {
			t.Errorf("round %d: %s holds the secret", round, name)
		}
	}
	return "built"
}
