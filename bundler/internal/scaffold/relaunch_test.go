package scaffold_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// The real programs whose relaunches the guard must let through, each
// bundled from the bundle.yaml that bundle init writes, with no edits, and
// built plainly from the same source with the same flags: the bundled one
// must run as the plain one does. Every run is jailed.

// realBuild is a real program built twice.
type realBuild struct {
	bundled, plain string
}

// buildRealApp fetches module (as a user's checkout), runs Init there and
// bundles it for this machine, and builds it plainly as its author would,
// with the same tags and version.
func buildRealApp(t *testing.T, module, version string) realBuild {
	t.Helper()
	dir := realApp(t, module)
	_, cfg := initConfig(t, dir)
	dist := t.TempDir()
	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: cfg, Version: version, Dist: dist, Targets: []string{buildtest.HostTarget()}, Formats: []string{"tar.gz"},
	})
	if b.Err != nil {
		t.Fatalf("build: %v\n%s", b.Err, b.Log())
	}
	var archive string
	for _, a := range b.Result.Manifest.Artifacts {
		if a.Format == "tar.gz" {
			archive = filepath.Join(dist, a.Path)
		}
	}
	p, err := config.Load(cfg, formats.Known())
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	plain := filepath.Join(t.TempDir(), c.Binary)
	ldflags := "-s -w"
	if c.Build.VersionVar != "" {
		ldflags += " -X=" + c.Build.VersionVar + "=" + c.Build.VersionValue(version)
	}
	args := []string{"build", "-trimpath", "-buildvcs=false", "-ldflags=" + ldflags, "-o", plain}
	if len(c.Build.Tags) > 0 {
		args = append(args, "-tags="+strings.Join(c.Build.Tags, ","))
	}
	cmd := exec.Command("go", append(args, c.Main)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return realBuild{bundled: testfs.ExtractAll(t, archive, t.TempDir()), plain: plain}
}

// jailedRun runs a program in a jail, in dir, with env added, and returns
// its exit code and its output, stdout and stderr together.
func jailedRun(t *testing.T, dir string, env []string, name string, args ...string) (int, string) {
	t.Helper()
	line := buildtest.Jailed(t, time.Minute, name, args...)
	cmd := exec.Command(line[0], line[1:]...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// bothRun runs a scenario with the plain and the bundled build and checks
// they ended alike: the same exit code, and the same output once each
// build's own path is written as EXE.
func bothRun(t *testing.T, b realBuild, scenario func(t *testing.T, exe string) (int, string)) {
	t.Helper()
	codes, outs := map[string]int{}, map[string]string{}
	for how, exe := range map[string]string{"plain": b.plain, "bundled": b.bundled} {
		code, out := scenario(t, exe)
		codes[how], outs[how] = code, strings.ReplaceAll(out, exe, "EXE")
	}
	if codes["plain"] != codes["bundled"] || outs["plain"] != outs["bundled"] {
		t.Errorf("plain: exit %d\n%s\nbundled: exit %d\n%s", codes["plain"], outs["plain"], codes["bundled"], outs["bundled"])
	}
	if strings.Contains(outs["bundled"], "bundle runtime") {
		t.Errorf("the guard spoke:\n%s", outs["bundled"])
	}
}

// TestRealAppsRelaunch runs the real programs in the relaunches they make
// on purpose, which the guard must let through.
func TestRealAppsRelaunch(t *testing.T) {
	t.Parallel()
	buildtest.Jail(t)

	t.Run("go-task, a task that runs task, 4 deep", func(t *testing.T) {
		t.Parallel()
		b := buildRealApp(t, "github.com/go-task/task/v3@v3.54.0", "3.54.0")
		bothRun(t, b, func(t *testing.T, exe string) (int, string) {
			dir := t.TempDir()
			testfs.WriteFile(t, filepath.Join(dir, "Taskfile.yml"), "version: '3'\ntasks:\n"+
				"  d4: {cmds: ['{{.TASK_EXE}} d3']}\n  d3: {cmds: ['{{.TASK_EXE}} d2']}\n"+
				"  d2: {cmds: ['{{.TASK_EXE}} d1']}\n  d1: {cmds: ['echo deepest']}\n")
			code, out := jailedRun(t, dir, nil, exe, "d4")
			if !strings.Contains(out, "deepest") {
				t.Errorf("the deepest task did not run:\n%s", out)
			}
			return code, out
		})
	})

	t.Run("gh, alias chains", func(t *testing.T) {
		t.Parallel()
		b := buildRealApp(t, "github.com/cli/cli/v2@v2.63.0", "2.63.0")
		bothRun(t, b, func(t *testing.T, exe string) (int, string) {
			// gh on PATH for its shell aliases and the extension script.
			bin, home := t.TempDir(), t.TempDir()
			if err := os.Symlink(exe, filepath.Join(bin, "gh")); err != nil {
				t.Fatal(err)
			}
			env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
				"GH_CONFIG_DIR=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"), "GH_NO_UPDATE_NOTIFIER=1"}
			ext := filepath.Join(home, "data", "gh", "extensions", "gh-hello", "gh-hello")
			testfs.WriteFile(t, ext, "#!/bin/sh\ngh --version\n")
			os.Chmod(ext, 0o755)
			var all strings.Builder
			code := 0
			for _, args := range [][]string{
				{"alias", "set", "hi", "--shell", "gh --version"},
				{"alias", "set", "hi2", "--shell", "gh hi"},
				{"alias", "set", "hi3", "--shell", "gh hello"},
				{"hi2"}, // alias -> alias -> gh
				{"hi3"}, // alias -> extension script -> gh
			} {
				c, out := jailedRun(t, home, env, "gh", args...)
				fmt.Fprintf(&all, "$ gh %s: %d\n%s", strings.Join(args, " "), c, out)
				code = max(code, c)
			}
			if strings.Count(all.String(), "gh version 2.63.0") != 2 {
				t.Errorf("the alias chains did not reach gh --version twice:\n%s", all.String())
			}
			return code, all.String()
		})
	})

	t.Run("fzf, --tmux with an action that runs fzf", func(t *testing.T) {
		t.Parallel()
		testtool.Need(t, "tmux bsdutils", "tmux", "script")
		b := buildRealApp(t, "github.com/junegunn/fzf@v0.56.3", "0.56.3")
		bothRun(t, b, fzfInTmux)
	})

	t.Run("gopls, -remote=auto and its daemon's telemetry child", func(t *testing.T) {
		t.Parallel()
		b := buildRealApp(t, "golang.org/x/tools/gopls@v0.23.0", "0.23.0")
		bothRun(t, b, goplsForwarded)
	})

	t.Run("caddy, start and stop", func(t *testing.T) {
		t.Parallel()
		b := buildRealApp(t, "github.com/caddyserver/caddy/v2@v2.9.1", "2.9.1")
		bothRun(t, b, caddyStartStop)
	})

	t.Run("syncthing, monitor and child, GUI", func(t *testing.T) {
		t.Parallel()
		b := buildRealApp(t, "github.com/syncthing/syncthing@v1.30.0", "1.30.0")
		bothRun(t, b, syncthingGUI)
	})
}

// fzfInTmux runs fzf --tmux inside a tmux session with an attached client:
// fzf relaunches itself in a popup, whose load action runs fzf again to
// filter the list, then accepts; fzf prints the choice.
func fzfInTmux(t *testing.T, exe string) (int, string) {
	dir := t.TempDir()
	testfs.WriteFile(t, filepath.Join(dir, "list"), "apple\nbanana\ncherry\n")
	socket := "fzf-" + strconv.Itoa(os.Getpid()) + "-" + filepath.Base(dir)
	tmux := func(args ...string) string {
		out, _ := exec.Command("tmux", append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
		return string(out)
	}
	// The server, and so everything in its panes and popups, is jailed.
	server := exec.Command(buildtest.Jail(t), "-timeout", "1m", "--", "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", "150", "-y", "40")
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Wait()
	defer tmux("kill-server")
	for deadline := time.Now().Add(10 * time.Second); exec.Command("tmux", "-L", socket, "has-session", "-t", "s").Run() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the tmux session did not start")
		}
	}
	// A client, which a popup needs, on a terminal of its own.
	client := exec.Command("script", "-qfc", "tmux -L "+socket+" attach -t s", "/dev/null")
	if _, err := client.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	defer client.Wait()
	defer client.Process.Kill()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(tmux("list-clients"), "attached"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no tmux client attached: %s", tmux("list-clients"))
		}
	}
	line := fmt.Sprintf(`cd %q && %q --tmux center --bind 'load:execute-silent(%q --filter an < list > inner.out)+accept' < list > out.txt 2>err.txt; echo $? > code.txt`, dir, exe, exe)
	tmux("send-keys", "-t", "s", line, "Enter")
	var code []byte
	for deadline := time.Now().Add(30 * time.Second); len(code) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("fzf did not finish; pane:\n%s", tmux("capture-pane", "-p", "-t", "s"))
		}
		code, _ = os.ReadFile(filepath.Join(dir, "code.txt"))
	}
	out, _ := os.ReadFile(filepath.Join(dir, "out.txt"))
	inner, _ := os.ReadFile(filepath.Join(dir, "inner.out"))
	errs, _ := os.ReadFile(filepath.Join(dir, "err.txt"))
	n, _ := strconv.Atoi(strings.TrimSpace(string(code)))
	if string(inner) != "banana\n" {
		t.Errorf("the fzf the popup ran filtered %q, want banana; stderr:\n%s", inner, errs)
	}
	return n, fmt.Sprintf("chose %q, the inner fzf found %q, stderr %q", out, inner, errs)
}

// goplsForwarded speaks LSP to gopls -remote=auto, which starts the shared
// daemon, which starts its telemetry child, as the forwarder does: all of
// them must run (before, the daemon's child was refused, silently).
func goplsForwarded(t *testing.T, exe string) (int, string) {
	home := t.TempDir()
	// TMPDIR keeps this daemon's socket apart from the other build's; a
	// short one, as a socket's path has at most 107 bytes.
	tmp, err := os.MkdirTemp("", "gopls")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	line := buildtest.Jailed(t, time.Minute, exe, "-remote=auto", "-remote.listen.timeout=2s")
	cmd := exec.Command(line[0], line[1:]...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "TMPDIR="+tmp)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	send := func(msg string) {
		fmt.Fprintf(stdin, "Content-Length: %d\r\n\r\n%s", len(msg), msg)
	}
	// recv returns the next message of gopls, skipping notifications.
	var recv func() map[string]any
	recv = func() map[string]any {
		n := 0
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("gopls: %v\n%s", err, stderr.String())
			}
			if l == "\r\n" {
				break
			}
			if v, ok := strings.CutPrefix(l, "Content-Length: "); ok {
				n, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		body := make([]byte, n)
		io.ReadFull(r, body)
		var m map[string]any
		json.Unmarshal(body, &m)
		if m["id"] == nil {
			return recv()
		}
		return m
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`)
	init := recv()
	result, _ := init["result"].(map[string]any)
	// The daemon and the telemetry children of both it and the forwarder
	// must be up, and stay up.
	var seen string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		seen = goplsTree(exe)
		if strings.Count(seen, "** telemetry **") == 2 && strings.Contains(seen, "serve -listen") || time.Now().After(deadline) {
			break
		}
	}
	time.Sleep(time.Second)
	seen = goplsTree(exe)
	send(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`)
	recv()
	send(`{"jsonrpc":"2.0","method":"exit"}`)
	stdin.Close()
	err = cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if result["capabilities"] == nil || strings.Count(seen, "** telemetry **") != 2 || !strings.Contains(seen, "serve -listen") {
		t.Errorf("initialize: %v\nprocesses of gopls a second after it was up:\n%s\nstderr:\n%s", init, seen, stderr.String())
	}
	return code, fmt.Sprintf("capabilities: %v\nprocesses:\n%s", result["capabilities"] != nil, seen)
}

// goplsTree lists the running processes of exe, one command line a line,
// sorted.
func goplsTree(exe string) string {
	entries, _ := os.ReadDir("/proc")
	var lines []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if target, err := os.Readlink("/proc/" + e.Name() + "/exe"); err != nil || target != exe {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		args[0] = "gopls"
		line := strings.Join(args, " ")
		if i := strings.Index(line, " unix;"); i > 0 {
			line = line[:i] // the socket's name
		}
		lines = append(lines, line)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// caddyStartStop runs caddy start, which runs caddy in the background and
// returns, asks the server for a page, then caddy stop.
func caddyStartStop(t *testing.T, exe string) (int, string) {
	dir := t.TempDir()
	port, admin := freePort(t), freePort(t)
	testfs.WriteFile(t, filepath.Join(dir, "Caddyfile"), fmt.Sprintf("{\n\tadmin 127.0.0.1:%d\n}\nhttp://127.0.0.1:%d {\n\trespond \"served by caddy\"\n}\n", admin, port))
	env := append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	// start and the server it leaves running share one jail, which ends
	// when both have.
	line := buildtest.Jailed(t, time.Minute, exe, "start", "--config", "Caddyfile", "--adapter", "caddyfile")
	start := exec.Command(line[0], line[1:]...)
	start.Dir, start.Env = dir, env
	var startOut strings.Builder
	start.Stdout, start.Stderr = &startOut, &startOut
	if err := start.Start(); err != nil {
		t.Fatal(err)
	}
	jailDone := make(chan error, 1)
	go func() { jailDone <- start.Wait() }()
	var body string
	for deadline := time.Now().Add(20 * time.Second); body == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port)); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = fmt.Sprintf("%d %s", resp.StatusCode, b)
		}
	}
	code, stopOut := jailedRun(t, dir, []string{"HOME=" + dir}, exe, "stop", "--address", fmt.Sprintf("127.0.0.1:%d", admin))
	if err := <-jailDone; err != nil {
		code = max(code, 1)
		t.Errorf("caddy start, or the server it left: %v\n%s", err, startOut.String())
	}
	if body != "200 served by caddy" {
		t.Errorf("GET: %q\nstart:\n%s", body, startOut.String())
	}
	return code, fmt.Sprintf("GET: %s\nstop: exit %d, %d bytes of output", body, code, len(stopOut))
}

// syncthingGUI runs syncthing (its monitor process runs syncthing again as
// its child) and asks its GUI for a page and its health.
func syncthingGUI(t *testing.T, exe string) (int, string) {
	home := t.TempDir()
	port := freePort(t)
	line := buildtest.Jailed(t, time.Minute, exe, "serve", "--home="+home, "--no-browser", "--no-upgrade",
		fmt.Sprintf("--gui-address=127.0.0.1:%d", port))
	cmd := exec.Command(line[0], line[1:]...)
	cmd.Env = append(os.Environ(), "HOME="+home, "STNODEFAULTFOLDER=1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var got string
	for deadline := time.Now().Add(30 * time.Second); got == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		page, err1 := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		health, err2 := http.Get(fmt.Sprintf("http://127.0.0.1:%d/rest/noauth/health", port))
		if err1 == nil && err2 == nil {
			b, _ := io.ReadAll(health.Body)
			got = fmt.Sprintf("GUI %d, health %d %s", page.StatusCode, health.StatusCode, strings.Join(strings.Fields(string(b)), ""))
			page.Body.Close()
			health.Body.Close()
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if got != `GUI 200, health 200 {"status":"OK"}` || !strings.Contains(out.String(), "syncthing v1.30.0 ") {
		t.Errorf("%s\n%s", got, out.String())
	}
	return 0, got
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
