//go:build linux

package proc

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCancelStopsTheGroup cancels a shell whose child ignores SIGTERM and
// whose grandchild would outlive it: Wait returns within Grace+WaitDelay
// and every process of the group is gone.
func TestCancelStopsTheGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := Command(ctx, "sh", "-c", `(trap "" TERM; sleep 60) & echo $!; sleep 60 & echo $!; wait`)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	var pids []int
	for len(pids) < 2 && lines.Scan() {
		pid, err := strconv.Atoi(strings.TrimSpace(lines.Text()))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if pgid, _ := syscall.Getpgid(cmd.Process.Pid); pgid != cmd.Process.Pid {
		t.Errorf("the command runs in process group %d, not its own", pgid)
	}
	start := time.Now()
	cancel()
	cmd.Wait()
	if d := time.Since(start); d > Grace+WaitDelay+500*time.Millisecond {
		t.Errorf("Wait took %s after cancel", d)
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("process %d of the cancelled group is still alive", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// TestPassSecret hands a secret to a grandchild through the descriptor:
// it arrives whole, and nothing of it is in the environment or on the
// command line.
func TestPassSecret(t *testing.T) {
	const secret = "correct horse battery staple"
	cmd := Command(context.Background(), "sh", "-c", `sh -c 'cat "$SECRET_FILE"'`)
	path, done, err := PassSecret(cmd, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	cmd.Env = append(cmd.Env, "SECRET_FILE="+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != secret {
		t.Errorf("read %q through %s, want %q", out, path, secret)
	}
	if strings.Contains(strings.Join(cmd.Env, "\n")+strings.Join(cmd.Args, " "), secret) {
		t.Error("the secret is in the environment or the arguments")
	}
	// A second descriptor gets the next number.
	cmd2 := Command(context.Background(), "cat", "/dev/fd/4")
	PassSecret(cmd2, []byte("first"))
	p2, done2, _ := PassSecret(cmd2, []byte("second"))
	defer done2()
	if p2 != "/dev/fd/4" {
		t.Errorf("second secret at %s", p2)
	}
	if out, err := cmd2.Output(); err != nil || string(out) != "second" {
		t.Errorf("second secret: %q, %v", out, err)
	}
}

// alive reports whether pid runs: it exists and is not a zombie (an
// orphan whose reaper has not collected it yet is dead all the same).
func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
