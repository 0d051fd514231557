package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
)

// TestCarried keeps an old artifact only when it is a regular file in dist
// with the hash artifacts.json lists: a link is never followed, even to a
// file with that hash.
func TestCarried(t *testing.T) {
	dist, outside := t.TempDir(), t.TempDir()
	for _, dir := range []string{dist, outside} {
		if err := os.WriteFile(filepath.Join(dir, "same.tar.gz"), []byte("tar"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dist, "changed.zip"), []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "same.tar.gz"), filepath.Join(dist, "link.tar.gz")); err != nil {
		t.Fatal(err)
	}
	sum, err := artifact.SHA256File(dist, "same.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	old := &artifact.Manifest{Artifacts: []artifact.Artifact{
		{Path: "same.tar.gz", SHA256: sum},
		{Path: "changed.zip", SHA256: sum},
		{Path: "link.tar.gz", SHA256: sum},
		{Path: "gone.deb", SHA256: sum},
		{Path: "rebuilt.rpm", SHA256: sum},
	}}
	got := carried(dist, old, []artifact.Artifact{{Path: "rebuilt.rpm"}})
	if len(got) != 1 || got[0].Path != "same.tar.gz" {
		t.Errorf("carried %v, want only same.tar.gz", got)
	}
}
