//go:build !unix

package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ownGroup makes cancelling cmd kill it. (Windows has no process groups
// to signal; its console delivers Ctrl-C to every program in it.)
func ownGroup(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return cmd.Process.Kill() }
}

// PassSecret gives cmd, which has not started yet, a file to read secret
// from and returns its path. Without Unix pipes to inherit, the secret is
// in a file only its owner can read, in a private folder that done
// removes; call done after cmd has finished, on every path.
func PassSecret(cmd *exec.Cmd, secret []byte) (path string, done func(), err error) {
	dir, err := os.MkdirTemp("", "bundle-secret-")
	if err != nil {
		return "", nil, fmt.Errorf("pass a secret: %w", err)
	}
	path = filepath.Join(dir, "secret")
	if err := os.WriteFile(path, secret, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("pass a secret: %w", err)
	}
	return path, func() { os.RemoveAll(dir) }, nil
}
