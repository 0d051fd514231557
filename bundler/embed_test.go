package bundler_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
)

// TestEmbedOutsideModule builds and tests testdata/embed, a program that
// embeds bundle. It is a module of its own, so it reaches bundle's public
// API alone: a public type that loses a field, or becomes an alias of an
// internal one, fails it.
//
// It runs offline. -mod=mod works out the module's requirements from
// bundle's, which the module cache holds already, and its go.sum is
// bundle's; both are copies (-modfile), so the folder is left as it is.
func TestEmbedOutsideModule(t *testing.T) {
	root := testfs.RepoRoot(t)
	tmp := t.TempDir()
	testfs.CopyFile(t, filepath.Join(root, "testdata", "embed", "go.mod"), filepath.Join(tmp, "go.mod"))
	testfs.CopyFile(t, filepath.Join(root, "go.sum"), filepath.Join(tmp, "go.sum"))
	cmd := exec.Command("go", "test", "-modfile="+filepath.Join(tmp, "go.mod"), ".")
	cmd.Dir = filepath.Join(root, "testdata", "embed")
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"), "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test in testdata/embed: %v\n%s", err, out)
	}
}
