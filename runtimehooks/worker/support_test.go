package worker

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineRecorder is an io.Writer that hands a child's output to the test line
// by line.
type lineRecorder struct {
	mu      sync.Mutex
	partial []byte
	lines   chan string
}

func newLineRecorder() *lineRecorder {
	return &lineRecorder{lines: make(chan string, 1024)}
}

func (r *lineRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		r.lines <- strings.TrimRight(string(r.partial[:i]), "\r")
		r.partial = r.partial[i+1:]
	}
}

// waitFor returns the lines up to and including the first that starts with
// prefix.
func (r *lineRecorder) waitFor(t *testing.T, prefix string) []string {
	t.Helper()
	timeout := time.NewTimer(testTimeout)
	defer timeout.Stop()
	var seen []string
	for {
		select {
		case line := <-r.lines:
			seen = append(seen, line)
			if strings.HasPrefix(line, prefix) {
				return seen
			}
		case <-timeout.C:
			t.Fatalf("no line starting with %q within %v; got %q", prefix, testTimeout, seen)
		}
	}
}

// helperCommand relaunches the test binary (through Command, as a new root)
// in a helper mode.
func helperCommand(t *testing.T, mode string, env ...string) *exec.Cmd {
	t.Helper()
	cmd, err := Command()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(append(cmd.Env, envHelper+"="+mode), env...)
	return cmd
}

// selfCommand starts the test binary as a plain child, the way the fork-bomb
// pattern does, with env added to this process's environment (including
// its BUNDLE_RT_PARENT marker).
func selfCommand(env ...string) *exec.Cmd {
	cmd := exec.Command(executable(), "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// environWithout returns this process's environment without key.
func environWithout(key string) []string { return withoutKey(os.Environ(), key) }

// withoutKey returns env (nil: this process's environment) without key.
func withoutKey(env []string, key string) []string {
	if env == nil {
		env = os.Environ()
	}
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// runWithTimeout runs cmd and returns its exit code, stdout and stderr.
func runWithTimeout(t *testing.T, cmd *exec.Cmd) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitCodeOf(err), out.String(), errOut.String()
	case <-time.After(testTimeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not exit within %v; stdout %q, stderr %q", cmd.Args, testTimeout, out.String(), errOut.String())
		return 0, "", ""
	}
}

// scratchDir returns a new temporary directory that is removed after the
// test, best-effort: unlike t.TempDir it does not fail the test when Windows
// still holds a file of a process that has just ended.
func scratchDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "worker-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func lineWithPrefix(lines []string, prefix string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// startOrphanParent starts the helper that runs a worker and is then
// killed; it returns the parent, the worker's pid, the supervision the
// worker reports, and the file the worker writes its stop cause to.
func startOrphanParent(t *testing.T, lifelineOnly string) (parent *exec.Cmd, workerPid int, supervision, causeFile string) {
	t.Helper()
	causeFile = filepath.Join(scratchDir(t), "cause")
	cmd := helperCommand(t, "orphan-parent", envLifelineOnly+"="+lifelineOnly)
	cmd.Args = append(cmd.Args, causeFile)
	out := newLineRecorder()
	r, w, err := os.Pipe() // a file, so Wait does not wait for the worker's copy of it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	cmd.Stdout, cmd.Stderr = w, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go io.Copy(out, r)
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	lines := out.waitFor(t, "worker=")
	fields := strings.Fields(lineWithPrefix(lines, "worker="))
	workerPid, _ = strconv.Atoi(strings.TrimPrefix(fields[0], "worker="))
	if len(fields) > 1 {
		supervision = fields[1]
	}
	return cmd, workerPid, supervision, causeFile
}
