package worker

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOrphanedWorkerStops terminates a parent and checks that its worker is
// gone within a second, with the job object and with the lifeline alone.
func TestOrphanedWorkerStops(t *testing.T) {
	tests := []struct {
		name, lifelineOnly, supervision, cause string
	}{
		{name: "job object and lifeline", supervision: "injob=true"},
		{name: "lifeline only", lifelineOnly: "1", cause: "lifeline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, workerPid, supervision, causeFile := startOrphanParent(t, tt.lifelineOnly)
			if tt.supervision != "" && supervision != tt.supervision {
				t.Errorf("worker reports %s, want %s", supervision, tt.supervision)
			}
			worker, err := syscall.OpenProcess(syscall.SYNCHRONIZE|syscall.PROCESS_TERMINATE, false, uint32(workerPid))
			if err != nil {
				t.Fatalf("open worker %d: %v", workerPid, err)
			}
			defer syscall.CloseHandle(worker)

			killed := time.Now()
			cmd.Process.Kill()
			cmd.Wait()
			if ev, _ := syscall.WaitForSingleObject(worker, 1000); ev != syscall.WAIT_OBJECT_0 {
				syscall.TerminateProcess(worker, 1)
				t.Fatalf("worker %d still alive 1s after its parent was terminated", workerPid)
			}
			took := time.Since(killed)
			cause, _ := os.ReadFile(causeFile)
			t.Logf("worker gone %v after its parent was terminated; stop cause: %q", took, cause)
			if tt.cause != "" && !strings.Contains(string(cause), tt.cause) {
				t.Errorf("stop cause %q, want %q", cause, tt.cause)
			}
		})
	}
}
