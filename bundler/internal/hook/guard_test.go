package hook_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestRespawnPlainReachesItsCap shows the bug: built without bundle, the
// naive self re-exec runs main() again and again.
func TestRespawnPlainReachesItsCap(t *testing.T) {
	t.Parallel()
	exe := plainExe(t, "examples/respawn")
	rep, r := verifyExe(t, exe, "8s", 2, "--hold", "3s")
	if r.code != 1 || rep.MaxProcs <= 10 {
		t.Fatalf("plain build: exit %d, at most %d processes at once; want exit 1 and more than 10\n%s", r.code, rep.MaxProcs, r.stderr)
	}
	if got := strings.Count(r.stderr, "running main()"); got <= 10 {
		t.Errorf("main() ran %d times, want more than 10", got)
	}
}

// TestRespawnBundledIsRefused: the same source built with bundle runs
// main() once; the child is refused with exit status 77.
func TestRespawnBundledIsRefused(t *testing.T) {
	t.Parallel()
	exe := bundledExe(t, "examples/respawn", buildtest.HostTarget())
	rep, r := verifyExe(t, exe, "15s", 2, "--hold", "30s")
	if r.code != 0 || rep.MaxProcs > 2 {
		t.Fatalf("bundled: exit %d, at most %d processes; want exit 0 and at most 2\n%s", r.code, rep.MaxProcs, r.stderr)
	}
	if got := strings.Count(r.stderr, "running main()"); got != 1 {
		t.Errorf("main() ran %d times, want once\n%s", got, r.stderr)
	}
	if !strings.Contains(r.stderr, "child ended: exit status 77") {
		t.Errorf("the refused child did not exit 77:\n%s", r.stderr)
	}
	if !regexp.MustCompile(`bundle runtime guard: refused .*worker\.Register/Start.*worker\.Command`).MatchString(r.stderr) {
		t.Errorf("no one-line refusal saying how to fix it:\n%s", r.stderr)
	}
	if rep.Exited {
		t.Errorf("respawn should still run (holding) when the watch ends")
	}

	if x := inspectExe(t, exe); !x.Hook.Present || x.Hook.Guard != "refuse" {
		t.Errorf("inspect: hook %+v, want present with guard refuse", x.Hook)
	}
}

// TestWebUIBundled runs the UI app under verify: its tree stays at two
// processes for 15 s while the UI answers, a second UI server is refused,
// and a worker cannot start workers.
func TestWebUIBundled(t *testing.T) {
	t.Parallel()
	exe := bundledExe(t, "examples/webui", buildtest.HostTarget())
	// Verify runs in a process of its own: see verifyExe.
	cmd := jailedCommand(context.Background(), t, buildtest.Bundle(t), "verify", "--json", "--watch", "15s", "--max-procs", "2", exe, "--", "--no-browser")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	var output strings.Builder
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			output.WriteString(s.Text() + "\n")
			lines <- s.Text()
		}
		close(lines)
	}()
	var url string
	timeout := time.After(10 * time.Second)
	for url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("webui ended before printing its URL:\n%s", output.String())
			}
			if u, found := strings.CutPrefix(l, "webui: open "); found {
				url = u
			}
		case <-timeout:
			t.Fatal("no URL within 10 s")
		}
	}
	go func() {
		for range lines {
		}
	}()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "served by a worker process") {
		t.Errorf("GET %s: %d\n%s", url, resp.StatusCode, body)
	}
	resp, err = http.Post(url+"api/spawn", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "a worker process cannot start workers") {
		t.Errorf("Start inside the worker: %d %s, want 409 and ErrNested", resp.StatusCode, body)
	}

	err = cmd.Wait()
	var rep verifyReport
	if jerr := json.Unmarshal([]byte(stdout.String()), &rep); jerr != nil || err != nil || rep.MaxProcs > 2 {
		t.Fatalf("verify: %v %v %+v\n%s", err, jerr, rep, output.String())
	}
	if rep.MaxProcs != 2 {
		t.Errorf("at most %d processes; the UI worker should have run beside main", rep.MaxProcs)
	}
	for _, want := range []string{
		"a second UI server was refused: worker: already running",
		"stopping the UI server",
		"UI server stopped: exit status 0",
	} {
		if !strings.Contains(output.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, output.String())
		}
	}
}

// TestForgedWorkerAssignmentIgnored: BUNDLE_RT_WORKER set by hand on a
// fresh start does not turn the program into a worker.
func TestForgedWorkerAssignmentIgnored(t *testing.T) {
	t.Parallel()
	exe := bundledExe(t, "examples/webui", buildtest.HostTarget())
	cmd := jailedCommand(context.Background(), t, exe, "--no-browser")
	cmd.Env = append(os.Environ(), "BUNDLE_RT_WORKER=ui")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	first, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(first, "started the UI server") {
		t.Fatalf("first line %q (%v); want main() to run and start the UI server", first, err)
	}
}

// TestSupervisorWarnsAndRuns: an app that restarts its own binary as its
// child gets a build note naming the call site and what runtime.guard: warn
// does with it, and it runs correctly; under refuse the same site is a
// warning that Strict turns into a failure.
func TestSupervisorWarnsAndRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const project = "testdata/supervisor"
	dir := filepath.Join(testfs.RepoRoot(t), project)
	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	line := 1 + strings.Count(strings.Split(string(src), "exec.Command(self")[0], "\n")
	dist := t.TempDir()
	unlock := buildtest.LockTree(project)
	b := buildtest.Build(ctx, t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: dist, Targets: []string{buildtest.HostTarget()}, Strict: true,
	})

	unlock()
	if b.Err != nil {
		t.Fatalf("build (guard: warn, Strict): %v\n%s", b.Err, b.Log())
	}
	site := fmt.Sprintf("main.go:%d:", line)
	if !hasMessage(messages(b, bundler.Noted), site, "under runtime.guard: warn the copy runs main() with a warning on stderr") {
		t.Errorf("no note at the call site %q:\n%s", site, b.Log())
	}
	if w := messages(b, bundler.Warned); len(w) > 0 {
		t.Errorf("a self-exec finding handled by runtime.guard: warn was repeated as a warning:\n%s", strings.Join(w, "\n"))
	}
	exe := testfs.ExtractAll(t, filepath.Join(dist, firstArchive(t, b.Result.Manifest).Path), filepath.Join(dist, "x"))
	out, err := jailedCommand(context.Background(), t, exe).CombinedOutput()
	if err != nil {
		t.Fatalf("supervisor: %v\n%s", err, out)
	}
	if strings.Count(string(out), "working") != 3 || strings.Count(string(out), "ended: <nil>") != 3 {
		t.Errorf("the supervised child did not run three times:\n%s", out)
	}

	// Under runtime.guard: refuse, Strict stops the build before dist.
	copyDir := testfs.CopyProject(t, project)
	testfs.WriteFile(t, filepath.Join(copyDir, "bundle.yaml"), "name: Supervisor\nversion: 1.0.0\ntargets: ["+buildtest.HostTarget()+"]\nruntime:\n  guard: refuse\n")
	s := buildtest.Build(ctx, t, bundler.BuildOptions{
		Config: filepath.Join(copyDir, "bundle.yaml"), Dist: filepath.Join(copyDir, "dist"), Strict: true,
	})

	if bundler.ExitCode(s.Err) != bundler.ExitFailure || s.Err == nil || !strings.Contains(s.Err.Error(), "--strict: the app launches its own executable in 1 place") {
		t.Errorf("Strict with guard refuse: exit %d: %v", bundler.ExitCode(s.Err), s.Err)
	}
	if !hasMessage(messages(s, bundler.Warned), site, "under runtime.guard: refuse the copy exits 77 at run time; run the helper as a registered worker") {
		t.Errorf("no warning at the call site %q:\n%s", site, s.Log())
	}
	if _, err := os.Stat(filepath.Join(copyDir, "dist", bundler.ManifestName)); err == nil {
		t.Error("a Strict failure wrote artifacts.json")
	}
}

// hasMessage reports whether one of msgs starts with prefix and contains
// text.
func hasMessage(msgs []string, prefix, text string) bool {
	for _, m := range msgs {
		if strings.HasPrefix(m, prefix) && strings.Contains(m, text) {
			return true
		}
	}
	return false
}

// TestTreesUntouched builds each example and the vendored and workspace
// fixtures in place and checks git sees no change in them.
func TestTreesUntouched(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "git", "git")
	root := testfs.RepoRoot(t)
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Output(); err != nil || strings.TrimSpace(string(out)) != "true" {
		t.Skip("not a git checkout")
	}
	for _, project := range []string{"examples/hello", "examples/respawn", "examples/webui", "testdata/vendored", "testdata/workspace/app"} {
		t.Run(project, func(t *testing.T) {
			defer buildtest.LockTree(project)()
			before := gitStatus(t, root, project)
			b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
				Config: filepath.Join(root, project, "bundle.yaml"), Dist: t.TempDir(),
				Targets: []string{"linux/amd64", "windows/amd64"},
			})

			if b.Err != nil {
				t.Fatalf("%v\n%s", b.Err, b.Log())
			}
			if after := gitStatus(t, root, project); after != before {
				t.Errorf("git status changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func gitStatus(t *testing.T, root, path string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "status", "--porcelain", "--ignored", "--", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestExamplesCrossCompile: every target of each example builds with the
// hook, and every binary carries it.
func TestExamplesCrossCompile(t *testing.T) {
	t.Parallel()
	for _, project := range crossCompiled {
		t.Run(project, func(t *testing.T) {
			dist := buildtest.Example(t, project)
			m := testfs.ReadManifest(t, dist)
			targets := map[string]bool{}
			for _, a := range m.Artifacts {
				targets[a.OS+"/"+a.Arch] = true
				exe := testfs.ExtractAll(t, filepath.Join(dist, a.Path), t.TempDir())
				if x := inspectExe(t, exe); !x.Hook.Present || x.OS != a.OS {
					t.Errorf("%s: hook %+v, os %s", a.Path, x.Hook, x.OS)
				}
			}
			// darwin/amd64 and darwin/arm64 are both in the universal binary.
			for _, want := range []string{"darwin/universal", "windows/arm64", "linux/arm64", "windows/amd64", "linux/amd64"} {
				if !targets[want] {
					t.Errorf("no %s artifact", want)
				}
			}
		})
	}
}

// TestUserOverlayMerged: an -overlay the user set in GOFLAGS still applies
// next to bundle's own. GOFLAGS is read from the environment, which
// t.Setenv sets for the whole test binary, so this test is not parallel.
func TestUserOverlayMerged(t *testing.T) {
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	gen := filepath.Join(t.TempDir(), "main.go")
	testfs.WriteFile(t, gen, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"from the user's overlay\") }\n")
	overlay := filepath.Join(t.TempDir(), "user.json")
	data, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(dir, "main.go"): gen}})
	testfs.WriteFile(t, overlay, string(data))
	t.Setenv("GOFLAGS", "-overlay="+overlay)

	dist := t.TempDir()
	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Version: "1.0.0", Dist: dist, Targets: []string{buildtest.HostTarget()},
	})

	if b.Err != nil {
		t.Fatalf("%v\n%s", b.Err, b.Log())
	}
	exe := testfs.ExtractAll(t, filepath.Join(dist, firstArchive(t, b.Result.Manifest).Path), filepath.Join(dist, "x"))
	out, err := exec.Command(exe).Output()
	if err != nil || string(out) != "from the user's overlay\n" {
		t.Errorf("binary printed %q (%v): the user's overlay was dropped", out, err)
	}
	if x := inspectExe(t, exe); !x.Hook.Present {
		t.Errorf("the hook is missing: %+v", x.Hook)
	}
}
