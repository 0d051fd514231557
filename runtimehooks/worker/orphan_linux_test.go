package worker

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOrphanedWorkerStops kills a parent with SIGKILL and checks that its
// worker is gone within a second, with Pdeathsig and with the lifeline alone.
func TestOrphanedWorkerStops(t *testing.T) {
	// As a child subreaper, this process inherits the orphaned worker, so
	// it can reap it and see exactly when it ends.
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Skipf("PR_SET_CHILD_SUBREAPER: %v", errno)
	}
	defer syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0)

	tests := []struct {
		name, lifelineOnly, supervision, cause string
	}{
		{name: "pdeathsig and lifeline", supervision: "pdeathsig=15"},
		{name: "lifeline only", lifelineOnly: "1", supervision: "pdeathsig=0", cause: "lifeline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, workerPid, supervision, causeFile := startOrphanParent(t, tt.lifelineOnly)
			reaped := false
			t.Cleanup(func() {
				if !reaped && syscall.Kill(workerPid, syscall.SIGKILL) == nil {
					reap(workerPid, time.Now().Add(testTimeout))
				}
			})
			if supervision != tt.supervision {
				t.Errorf("worker reports %s, want %s", supervision, tt.supervision)
			}

			killed := time.Now()
			cmd.Process.Kill()
			cmd.Wait()
			if reaped = reap(workerPid, killed.Add(time.Second)); !reaped {
				t.Fatalf("worker %d still alive 1s after its parent was killed", workerPid)
			}
			took := time.Since(killed)
			cause, err := os.ReadFile(causeFile)
			if err != nil {
				t.Fatalf("the worker's ctx was not cancelled: %v", err)
			}
			t.Logf("worker gone %v after kill -9 of its parent; stop cause: %s", took, cause)
			if !strings.Contains(string(cause), tt.cause) {
				t.Errorf("stop cause %q, want %q", cause, tt.cause)
			}
		})
	}
}

// reap waits until deadline for the orphaned pid, now this process's child,
// to exit, and reaps it.
func reap(pid int, deadline time.Time) bool {
	for time.Now().Before(deadline) {
		var status syscall.WaitStatus
		if got, _ := syscall.Wait4(pid, &status, syscall.WNOHANG, nil); got == pid {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}
