package scratch

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the test binary as the process whose folder is watched,
// when the test starts it so.
func TestMain(m *testing.M) {
	if os.Getenv("SCRATCH_TEST_CHILD") == "1" {
		dir, _, err := Dir("scratch-test-")
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.WriteFile(filepath.Join(dir, "work"), []byte("half done"), 0o644)
		os.Stdout.WriteString(dir + "\n")
		time.Sleep(time.Hour) // until killed
	}
	os.Exit(m.Run())
}

func TestDirRemove(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir, remove, err := Dir("scratch-test-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(dir), "scratch-test-") || filepath.Dir(dir) != os.Getenv("TMPDIR") {
		t.Errorf("dir %s", dir)
	}
	remove()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after remove: %v", err)
	}
}

func TestMissingTempFolder(t *testing.T) {
	for _, tmp := range []string{filepath.Join(t.TempDir(), "gone"), "/etc/hostname"} {
		t.Setenv("TMPDIR", tmp)
		_, _, err := Dir("scratch-test-")
		if err == nil || !strings.Contains(err.Error(), "the temporary folder "+tmp) || !strings.Contains(err.Error(), "set TMPDIR to a folder that exists, or unset it") {
			t.Errorf("TMPDIR=%s: %v", tmp, err)
		}
	}
}

// TestKilledProcessLeavesNoFolder kills a process holding a scratch
// folder, alone and with its whole process group, with SIGKILL, as the
// kernel's out-of-memory killer does (a Go fatal error such as running out
// of memory ends a process as abruptly, with no deferred call run): the
// folder goes every time.
func TestKilledProcessLeavesNoFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no watcher on Windows")
	}
	for _, group := range []bool{false, true} {
		for range 5 {
			tmp := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SCRATCH_TEST_CHILD=1", "TMPDIR="+tmp)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			dir, _ := bufio.NewReader(out).ReadString('\n')
			dir = strings.TrimSpace(dir)
			if _, err := os.Stat(filepath.Join(dir, "work")); err != nil {
				t.Fatalf("child said %q: %v", dir, err)
			}
			pid := cmd.Process.Pid
			if group {
				pid = -pid
			}
			syscall.Kill(pid, syscall.SIGKILL)
			cmd.Wait()
			deadline := time.Now().Add(10 * time.Second)
			for {
				entries, _ := os.ReadDir(tmp)
				if len(entries) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("group kill %v: %s still holds %v", group, tmp, entries)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
}
