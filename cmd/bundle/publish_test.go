package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/forgetest"
	"github.com/bundlekit/bundle/internal/testfs"
)

// small is a dist to publish: examples/hello for two targets, its
// archives only (about 2 MB), built once. The stand-ins hold every file
// they are sent in memory, and the whole test binary's memory shows up in
// the peak memory of every program it starts afterwards (Linux counts the
// parent's at the exec), which TestBoundedResources measures.
var small struct {
	once sync.Once
	dist string
	err  error
}

func publishDist(t *testing.T) string {
	t.Helper()
	small.once.Do(func() {
		work, err := os.MkdirTemp(filepath.Dir(bundleBin), "publish-")
		if err == nil {
			err = os.CopyFS(filepath.Join(work, "hello"), os.DirFS(filepath.Join(testfs.RepoRoot(t), "examples/hello")))
		}
		if err != nil {
			small.err = err
			return
		}
		small.dist = filepath.Join(work, "dist")
		r, err := runProgram(filepath.Join(work, "hello"), []string{epoch}, bundleBin, "build", "--dist", small.dist,
			"--target", "linux/amd64,windows/amd64", "--format", "tar.gz,zip")
		if err == nil && r.code != 0 {
			err = fmt.Errorf("exit %d\n%s", r.code, r.stderr)
		}
		small.err = err
	})
	if small.err != nil {
		t.Fatalf("build the dist to publish: %v", small.err)
	}
	return small.dist
}

// publishEnv is the environment GitHub Actions gives a publish step, for
// the stand-in g, with a git on PATH that writes its environment to
// gitEnv before it runs the real one.
func publishEnv(t *testing.T, g *forgetest.GitHub) (env []string, gitEnv string) {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is missing")
	}
	bin := t.TempDir()
	gitEnv = filepath.Join(t.TempDir(), "git-env")
	testfs.WriteFile(t, filepath.Join(bin, "git"), "#!/bin/sh\nenv >> '"+gitEnv+"'\nexec '"+real+"' \"$@\"\n")
	os.Chmod(filepath.Join(bin, "git"), 0o755)
	return []string{"GITHUB_TOKEN=" + g.Token, "GITHUB_API_URL=" + g.API(), "GITHUB_REPOSITORY=" + g.Repo(),
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, gitEnv
}

// published fails t unless the stand-in holds one release, published
// once, with every file of dist.
func published(t *testing.T, g *forgetest.GitHub, dist string) {
	t.Helper()
	m := testfs.ReadManifest(t, dist)
	rels := g.Releases()
	if len(rels) != 1 || rels[0].Draft || rels[0].Published != 1 || rels[0].Tag != "v"+m.Version {
		t.Fatalf("releases %+v; want v%s published once", rels, m.Version)
	}
	if got, want := len(rels[0].Assets), len(m.Artifacts)+2; got != want {
		t.Errorf("%d assets, want %d (the artifacts, checksums.txt and artifacts.json)", got, want)
	}
	for _, a := range rels[0].Assets {
		data, err := os.ReadFile(filepath.Join(dist, a.Name))
		if err != nil || !bytes.Equal(data, a.Data) || a.State != "uploaded" {
			t.Errorf("asset %s is not dist's file (%v)", a.Name, err)
		}
	}
}

// TestPublish publishes make demo's dist through faults, as a CI step
// would, then again: the second run changes nothing. The token is in no
// output and in no program bundle runs.
func TestPublish(t *testing.T) {
	dist := publishDist(t)
	g := forgetest.NewGitHub(t)
	g.Inject(forgetest.Fault{Kind: "upload", Nth: 3, Do: forgetest.Status500}, forgetest.Fault{Kind: "upload", Nth: 5, Do: forgetest.Drop})
	env, gitEnv := publishEnv(t, g)
	project := testfs.CopyProject(t, "examples/hello")
	r := runBundle(t, project, env, "publish", "--dist", dist)
	if r.code != 0 || !strings.Contains(r.stdout, "✓ published v") {
		t.Fatalf("publish: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	published(t, g, dist)
	again := runBundle(t, project, env, "publish", "--dist", dist, "--json")
	if again.code != 0 || !strings.Contains(again.stdout, `"published":false`) || !strings.Contains(again.stdout, `"uploaded":[]`) {
		t.Fatalf("second publish: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
	published(t, g, dist)
	seen, _ := os.ReadFile(gitEnv)
	if len(seen) == 0 {
		t.Errorf("git was not run for the notes")
	}
	for _, out := range []string{r.stdout, r.stderr, again.stdout, again.stderr, string(seen)} {
		if strings.Contains(out, g.Token) || strings.Contains(out, "GITHUB_TOKEN") {
			t.Errorf("the token reached output or git's environment:\n%s", out)
		}
	}
}

// TestPublishBadInput: each mistake is one line and exit 2, and nothing
// reaches the server but, for the repository, one read.
func TestPublishBadInput(t *testing.T) {
	dist := publishDist(t)
	changed := t.TempDir()
	os.CopyFS(changed, os.DirFS(dist))
	m := testfs.ReadManifest(t, dist)
	victim := filepath.Join(changed, m.Artifacts[0].Path)
	data, _ := os.ReadFile(victim)
	data[len(data)/2] ^= 1
	os.WriteFile(victim, data, 0o644)
	tests := []struct {
		name  string
		env   func(env []string) []string
		args  []string
		want  string
		reads int // requests the server may get
	}{
		{"no token", func(env []string) []string { return append(env, "GITHUB_TOKEN=") }, nil, "$GITHUB_TOKEN is not set", 0},
		{"a tag of another version", nil, []string{"--tag", "v9.9.9"}, "--tag v9.9.9 does not name version " + m.Version, 0},
		{"no artifacts.json", nil, []string{"--dist", t.TempDir()}, "no artifacts.json", 0},
		{"a changed file", nil, []string{"--dist", changed}, "the file changed after the build", 0},
		{"an unknown repository", nil, []string{"--repo", "octo-org/nothing"}, "--repo octo-org/nothing: no such repository", 1},
		{"a repository that is a path", nil, []string{"--repo", "../../evil"}, "is not a repository", 0},
		{"an API over http", nil, []string{"--api", "http://api.example.com"}, "use https", 0},
		{"an unknown forge", nil, []string{"--forge", "gitlab"}, `unknown forge "gitlab"`, 0},
		{"gitea without --api", func(env []string) []string { return append(env, "GITEA_TOKEN=x") }, []string{"--forge", "gitea"}, "--api: give the gitea API's address", 0},
		{"notes that are not there", nil, []string{"--notes", "/nonexistent/notes.md"}, "--notes", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := forgetest.NewGitHub(t)
			env, _ := publishEnv(t, g)
			if tt.env != nil {
				env = tt.env(env)
			}
			args := append([]string{"publish", "--dist", dist}, tt.args...)
			r := runBundle(t, t.TempDir(), env, args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and one line with %q", r.code, r.stderr, tt.want)
			}
			if n := len(g.Log()); n > tt.reads {
				t.Errorf("the server got %d requests, want at most %d", n, tt.reads)
			}
		})
	}
}

// TestPublishInterrupted: Ctrl-C during an upload leaves a draft, and
// the next run completes it and publishes it once.
func TestPublishInterrupted(t *testing.T) {
	dist := publishDist(t)
	g := forgetest.NewGitHub(t)
	g.Inject(forgetest.Fault{Kind: "upload", Nth: 3, Do: forgetest.Stall})
	env, _ := publishEnv(t, g)
	cmd := exec.Command(bundleBin, "publish", "--dist", dist)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		uploads := 0
		for _, r := range g.Log() {
			if r.Kind == "upload" {
				uploads++
			}
		}
		if uploads >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no third upload within 30 s: %s", stderr.String())
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "run bundle publish again") {
		t.Fatalf("interrupted publish: exit %d (%v)\n%s", code, err, stderr.String())
	}
	rels := g.Releases()
	if len(rels) != 1 || !rels[0].Draft {
		t.Fatalf("after Ctrl-C: %+v; want one draft", rels)
	}
	r := runBundle(t, t.TempDir(), env, "publish", "--dist", dist)
	if r.code != 0 {
		t.Fatalf("publish after Ctrl-C: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	published(t, g, dist)
}

// TestPublishKilledAtRandom kills bundle publish (SIGKILL or SIGINT) at
// random points, each time against a new stand-in whose requests take a
// few milliseconds, and checks that the server then holds at most one
// release of the tag, never a second draft, and never a published release
// without every file; that the next run completes it, published once;
// and that one more changes nothing.
func TestPublishKilledAtRandom(t *testing.T) {
	dist := publishDist(t)
	rng := interruptSeed(t)
	m := testfs.ReadManifest(t, dist)
	states := map[string]int{}
	for i := 0; i < 10; i++ {
		g := forgetest.NewGitHub(t)
		g.Delay = 4 * time.Millisecond
		env, _ := publishEnv(t, g)
		cmd := exec.Command(bundleBin, "publish", "--dist", dist)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), env...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.IntN(300)) * time.Millisecond
		sig := []syscall.Signal{syscall.SIGKILL, syscall.SIGINT}[rng.IntN(2)]
		time.Sleep(delay)
		cmd.Process.Signal(sig)
		cmd.Wait()
		rels := g.Releases()
		switch {
		case len(rels) > 1:
			t.Fatalf("after %v at %v: %d releases", sig, delay, len(rels))
		case len(rels) == 0:
			states["no release"]++
		case rels[0].Draft:
			states["a draft"]++
		default:
			states["published"]++
			if rels[0].Published != 1 || len(rels[0].Assets) != len(m.Artifacts)+2 {
				t.Fatalf("after %v at %v: published %d times with %d files", sig, delay, rels[0].Published, len(rels[0].Assets))
			}
		}
		if r := runBundle(t, t.TempDir(), env, "publish", "--dist", dist); r.code != 0 {
			t.Fatalf("the publish after %v at %v: exit %d\n%s%s", sig, delay, r.code, r.stdout, r.stderr)
		}
		published(t, g, dist)
		before := len(g.Log())
		if r := runBundle(t, t.TempDir(), env, "publish", "--dist", dist); r.code != 0 {
			t.Fatalf("publish again: exit %d\n%s", r.code, r.stderr)
		}
		for _, r := range g.Log()[before:] {
			if r.Method != "GET" {
				t.Errorf("publishing a complete release sent %s %s", r.Method, r.Path)
			}
		}
	}
	t.Logf("what each kill left: %v", states)
}
