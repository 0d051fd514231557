package hook_test

import (
	"bufio"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/winetest"
)

// TestWindowsRespawnUnderWine: the hooked windows/amd64 respawn refuses its
// child with exit status 77.
func TestWindowsRespawnUnderWine(t *testing.T) {
	w := winetest.Require(t)
	exe := bundledExe(t, "examples/respawn", "windows/amd64")
	out, code := w.RunJailed(t, 2*time.Minute, buildtest.Jail(t), exe, "--hold", "0s")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if n := strings.Count(out, "running main()"); n != 1 {
		t.Errorf("main() ran %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "child ended: exit status 77") {
		t.Errorf("the child was not refused with 77:\n%s", out)
	}
}

// TestWindowsWebUIWorkerDiesWithParent: terminating the hooked webui's main
// process (TerminateProcess, as Task Manager does) takes its UI worker down
// within a second, through the Job Object.
func TestWindowsWebUIWorkerDiesWithParent(t *testing.T) {
	w := winetest.Require(t)
	exe := bundledExe(t, "examples/webui", "windows/amd64")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := w.Command(ctx, exe, "--no-browser")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()

	var parentPID, url string
	var seen strings.Builder
	started := regexp.MustCompile(`webui: pid (\d+) started the UI server`)
	s := bufio.NewScanner(stdout)
	for (parentPID == "" || url == "") && s.Scan() {
		line := strings.TrimRight(s.Text(), "\r")
		seen.WriteString(line + "\n")
		if m := started.FindStringSubmatch(line); m != nil {
			parentPID = m[1]
		}
		if u, ok := strings.CutPrefix(line, "webui: open "); ok {
			url = u
		}
	}
	if parentPID == "" || url == "" {
		t.Fatalf("webui did not start its UI:\n%s", seen.String())
	}
	go func() {
		for s.Scan() {
		}
	}()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}

	if out, code := w.Run(t, time.Minute, "taskkill", "/F", "/PID", parentPID); code != 0 {
		t.Fatalf("taskkill: exit %d\n%s", code, out)
	}
	killed := time.Now()
	client := http.Client{Timeout: 200 * time.Millisecond}
	for {
		resp, err := client.Get(url)
		if err != nil {
			break // the worker is gone
		}
		resp.Body.Close()
		if time.Since(killed) > 5*time.Second {
			t.Fatal("the UI worker still answers 5 s after its parent was terminated")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := time.Since(killed); d > time.Second {
		t.Errorf("the UI worker died %v after its parent, want within 1 s", d)
	} else {
		t.Logf("the UI worker died %v after its parent was terminated", d.Round(time.Millisecond))
	}
}
