package update

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRollBackAgain: a rollback cut at any step is finished by running it
// again: for a portable folder part of whose files are back, and for a
// .app bundle already exchanged back (its backup now holds the new one).
func TestRollBackAgain(t *testing.T) {
	write := func(path, text string) {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	read := func(path string) string { b, _ := os.ReadFile(path); return string(b) }
	t.Run("portable", func(t *testing.T) {
		root := t.TempDir()
		p := place{Portable, root, "app", filepath.Join(root, ".update")}
		write(filepath.Join(root, "app"), "new")
		write(filepath.Join(root, "data"), "old") // put back already
		write(filepath.Join(root, "added"), "new")
		write(filepath.Join(p.backup(), "app"), "old")
		sum, _, _ := hashFile(filepath.Join(root, "app"))
		j := &journal{State: stateRollingBack, To: "1.1.0", From: "1.0.0", NewSum: sum, Replaced: []string{"data", "app"}, Added: []string{"added"}}
		if err := p.writeJournal(j); err != nil {
			t.Fatal(err)
		}
		if err := rollBack(p, j); err != nil {
			t.Fatal(err)
		}
		if read(filepath.Join(root, "app")) != "old" || read(filepath.Join(root, "data")) != "old" || fileExists(filepath.Join(root, "added")) || fileExists(p.journalPath()) {
			t.Error("the rollback did not finish")
		}
	})
	t.Run("app", func(t *testing.T) {
		parent := t.TempDir()
		root := filepath.Join(parent, "Hello.app")
		p := place{App, root, "Contents/MacOS/app", filepath.Join(parent, ".Hello.app.update")}
		write(filepath.Join(root, p.exe), "old") // exchanged back already
		write(filepath.Join(p.backup(), p.exe), "new")
		sum, _, _ := hashFile(filepath.Join(p.backup(), p.exe))
		j := &journal{State: stateRollingBack, To: "1.1.0", From: "1.0.0", NewSum: sum, Kind: App}
		if err := p.writeJournal(j); err != nil {
			t.Fatal(err)
		}
		if err := rollBack(p, j); err != nil {
			t.Fatal(err)
		}
		if read(filepath.Join(root, p.exe)) != "old" || fileExists(p.backup()) || fileExists(p.journalPath()) {
			t.Errorf("after a second rollback the bundle holds %q", read(filepath.Join(root, p.exe)))
		}
	})
}
