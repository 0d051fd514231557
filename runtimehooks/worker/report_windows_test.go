package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusalLogged checks that a refusal also reaches the log file that
// GUI programs, which have no stderr, leave behind.
func TestRefusalLogged(t *testing.T) {
	cache := scratchDir(t)
	code, _, _ := runWithTimeout(t, selfCommand("LocalAppData="+cache, envGuard+"=refuse"))
	if code != ExitRefused {
		t.Fatalf("exit %d, want %d", code, ExitRefused)
	}
	base := filepath.Base(executable())
	log, err := os.ReadFile(filepath.Join(cache, "bundle-runtime", strings.TrimSuffix(base, filepath.Ext(base))+".log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "bundle runtime guard: refused to run main() again") {
		t.Errorf("log %q lacks the refusal", log)
	}
}
