package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testtool"
)

// bundledExe returns the executable bundle builds of a project of the
// repository for target, extracted into the test's own folder. Examples
// with a test of every target share that build; others get a build of
// target alone, shared by the tests that ask for it.
func bundledExe(t *testing.T, project, target string) string {
	t.Helper()
	var dist string
	if slices.Contains(crossCompiled, project) {
		dist = exampleBuild(t, project)
	} else {
		dir := filepath.Join(repoRoot(t), project)
		dist, _ = sharedDist(t, project+" "+target, func(work string) (string, result, error) {
			defer lockTree(project)()
			dist := filepath.Join(work, "dist")
			r, err := runProgram(dir, []string{epoch}, bundleBin, "build", "--dist", dist, "--target", target, "--format", "tar.gz,zip")
			return dist, r, err
		})
	}
	for _, a := range readManifest(t, dist).Artifacts {
		if a.OS+"/"+a.Arch == target && (a.Format == "tar.gz" || a.Format == "zip") {
			return extractAll(t, filepath.Join(dist, a.Path), t.TempDir())
		}
	}
	t.Fatalf("no archive for %s in the build of %s", target, project)
	return ""
}

// crossCompiled are the examples TestExamplesCrossCompile builds for every
// target.
var crossCompiled = []string{"examples/respawn", "examples/webui"}

// firstArchive is the manifest's first tar.gz or zip.
func firstArchive(t *testing.T, m bundler.Manifest) bundler.Artifact {
	t.Helper()
	for _, a := range m.Artifacts {
		if a.Format == "tar.gz" || a.Format == "zip" {
			return a
		}
	}
	t.Fatalf("no archive in %v", m.Artifacts)
	return bundler.Artifact{}
}

// extractAll unpacks a tar.gz or zip artifact into dst and returns the path
// of its executable.
func extractAll(t *testing.T, archive, dst string) string {
	t.Helper()
	var exe string
	write := func(name string, mode os.FileMode, r io.Reader) {
		p := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode.Perm())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, r); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if mode&0o111 != 0 || strings.HasSuffix(name, ".exe") {
			exe = p
		}
	}
	if strings.HasSuffix(archive, ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if f.Mode().IsRegular() {
				rc, _ := f.Open()
				write(f.Name, f.Mode(), rc)
				rc.Close()
			}
		}
	} else {
		f, err := os.Open(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Typeflag == tar.TypeReg {
				write(h.Name, os.FileMode(h.Mode), tr)
			}
		}
	}
	if exe == "" {
		t.Fatalf("no executable in %s", archive)
	}
	return exe
}

// verifyReport is `bundle verify --json`.
type verifyReport struct {
	MaxProcs int  `json:"max_procs"`
	Distinct int  `json:"distinct"`
	Exited   bool `json:"exited"`
	ExitCode int  `json:"exit_code"`
	Killed   int  `json:"killed"`
}

func verifyJSON(t *testing.T, exe string, watch string, maxProcs int, args ...string) (verifyReport, result) {
	t.Helper()
	r := runBundle(t, t.TempDir(), nil, append([]string{"verify", "--json", "--watch", watch, "--max-procs", strconv.Itoa(maxProcs), exe, "--"}, args...)...)
	var rep verifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify output is not JSON: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return rep, r
}

// TestRespawnPlainReachesItsCap shows the bug: built without bundle, the
// naive self re-exec runs main() again and again.
func TestRespawnPlainReachesItsCap(t *testing.T) {
	t.Parallel()
	exe := filepath.Join(t.TempDir(), "respawn")
	cmd := exec.Command("go", "build", "-o", exe, ".")
	cmd.Dir = filepath.Join(repoRoot(t), "examples", "respawn")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rep, r := verifyJSON(t, exe, "8s", 2, "--hold", "3s")
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
	exe := bundledExe(t, "examples/respawn", hostTarget())
	rep, r := verifyJSON(t, exe, "15s", 2, "--hold", "30s")
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

	in := runBundle(t, t.TempDir(), nil, "inspect", "--json", exe)
	if !strings.Contains(in.stdout, `"present": true`) || !strings.Contains(in.stdout, `"guard": "refuse"`) {
		t.Errorf("inspect:\n%s", in.stdout)
	}
}

// TestWebUIBundled runs the UI app under verify: its tree stays at two
// processes for 15 s while the UI answers, a second UI server is refused,
// and a worker cannot start workers.
func TestWebUIBundled(t *testing.T) {
	t.Parallel()
	exe := bundledExe(t, "examples/webui", hostTarget())
	cmd := exec.Command(bundleBin, "verify", "--json", "--watch", "15s", "--max-procs", "2", exe, "--", "--no-browser")
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
	exe := bundledExe(t, "examples/webui", hostTarget())
	cmd := exec.Command(exe, "--no-browser")
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
// warning that --strict turns into a failure.
func TestSupervisorWarnsAndRuns(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(t), "testdata", "supervisor")
	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	line := 1 + strings.Count(strings.Split(string(src), "exec.Command(self")[0], "\n")
	dist := t.TempDir()
	r := runBundle(t, dir, []string{epoch}, "build", "--dist", dist, "--target", hostTarget(), "--strict")
	if r.code != 0 {
		t.Fatalf("build (guard: warn, --strict): exit %d\n%s", r.code, r.stderr)
	}
	if want := fmt.Sprintf("i main.go:%d:", line); !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "under runtime.guard: warn the copy runs main() with a warning on stderr") {
		t.Errorf("no note at the call site %q:\n%s", want, r.stdout)
	}
	if strings.Contains(r.stdout, "warning:") {
		t.Errorf("a self-exec finding handled by runtime.guard: warn was repeated as a warning:\n%s", r.stdout)
	}
	exe := extractAll(t, filepath.Join(dist, firstArchive(t, readManifest(t, dist)).Path), filepath.Join(dist, "x"))
	out, err := exec.Command(exe).CombinedOutput()
	if err != nil {
		t.Fatalf("supervisor: %v\n%s", err, out)
	}
	if strings.Count(string(out), "working") != 3 || strings.Count(string(out), "ended: <nil>") != 3 {
		t.Errorf("the supervised child did not run three times:\n%s", out)
	}

	// Under runtime.guard: refuse, --strict stops the build before dist.
	cfg := filepath.Join(t.TempDir(), "refuse.yaml")
	writeFile(t, cfg, "name: Supervisor\nversion: 1.0.0\ntargets: ["+hostTarget()+"]\nruntime:\n  guard: refuse\n")
	copyDir := copyProject(t, "testdata/supervisor")
	copyFile(t, cfg, filepath.Join(copyDir, "bundle.yaml"))
	s := runBundle(t, copyDir, []string{epoch}, "build", "--strict")
	if s.code != 1 || !strings.Contains(s.stderr, "--strict: the app launches its own executable in 1 place") {
		t.Errorf("--strict with guard refuse: exit %d\n%s", s.code, s.stderr)
	}
	if want := fmt.Sprintf("! main.go:%d:", line); !strings.Contains(s.stdout, want) || !strings.Contains(s.stdout, "under runtime.guard: refuse the copy exits 77 at run time; run the helper as a registered worker") {
		t.Errorf("no warning at the call site %q:\n%s", want, s.stdout)
	}
	if _, err := os.Stat(filepath.Join(copyDir, "dist", "artifacts.json")); err == nil {
		t.Error("--strict failure wrote artifacts.json")
	}
}

// TestTreesUntouched builds each example and the vendored and workspace
// fixtures in place and checks git sees no change in them.
func TestTreesUntouched(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "git", "git")
	root := repoRoot(t)
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Output(); err != nil || strings.TrimSpace(string(out)) != "true" {
		t.Skip("not a git checkout")
	}
	for _, project := range []string{"examples/hello", "examples/respawn", "examples/webui", "testdata/vendored", "testdata/workspace/app"} {
		t.Run(project, func(t *testing.T) {
			defer lockTree(project)()
			before := gitStatus(t, root, project)
			r := runBundle(t, filepath.Join(root, project), []string{epoch}, "build", "--dist", t.TempDir(), "--target", "linux/amd64,windows/amd64")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
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
			dist := exampleBuild(t, project)
			m := readManifest(t, dist)
			targets := map[string]bool{}
			for _, a := range m.Artifacts {
				targets[a.OS+"/"+a.Arch] = true
				exe := extractAll(t, filepath.Join(dist, a.Path), t.TempDir())
				in := runBundle(t, dist, nil, "inspect", "--json", exe)
				if !strings.Contains(in.stdout, `"present": true`) || !strings.Contains(in.stdout, `"os": "`+a.OS+`"`) {
					t.Errorf("%s: %s", a.Path, in.stdout)
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
// next to bundle's own.
func TestUserOverlayMerged(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "testdata/project")
	copyFile(t, filepath.Join(repoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	gen := filepath.Join(t.TempDir(), "main.go")
	writeFile(t, gen, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"from the user's overlay\") }\n")
	overlay := filepath.Join(t.TempDir(), "user.json")
	data, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(dir, "main.go"): gen}})
	writeFile(t, overlay, string(data))

	dist := t.TempDir()
	r := runBundle(t, dir, []string{epoch, "GOFLAGS=-overlay=" + overlay}, "build", "--version", "1.0.0", "--dist", dist, "--target", hostTarget())
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	exe := extractAll(t, filepath.Join(dist, firstArchive(t, readManifest(t, dist)).Path), filepath.Join(dist, "x"))
	out, err := exec.Command(exe).Output()
	if err != nil || string(out) != "from the user's overlay\n" {
		t.Errorf("binary printed %q (%v): the user's overlay was dropped", out, err)
	}
	if in := runBundle(t, dist, nil, "inspect", "--json", exe); !strings.Contains(in.stdout, `"present": true`) {
		t.Errorf("the hook is missing:\n%s", in.stdout)
	}
}
