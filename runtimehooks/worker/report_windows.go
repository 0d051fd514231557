package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// logDiagnostic appends line to <UserCacheDir>/bundle-runtime/<exe>.log,
// because a GUI-subsystem program has no console to show stderr. Failures
// are ignored: the diagnostic is best-effort and the exit code still tells.
func logDiagnostic(exe, line string) {
	cache, err := os.UserCacheDir()
	if err != nil || exe == "" {
		return
	}
	dir := filepath.Join(cache, "bundle-runtime")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	base := filepath.Base(exe)
	name := strings.TrimSuffix(base, filepath.Ext(base)) + ".log"
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s pid %d: %s\r\n", time.Now().Format(time.RFC3339), os.Getpid(), line)
}
