//go:build unix

package worker

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func openTestTable(dir, app string, slots int) (*processTable, error) {
	return openTableIn(dir, app, slots)
}

// TestTableFolderTaken: a folder that another user could have made, or a
// link, is not used.
func TestTableFolderTaken(t *testing.T) {
	for name, prepare := range map[string]func(dir string) error{
		"open to others": func(dir string) error { return os.Mkdir(dir, 0o777) },
		"link":           func(dir string) error { return os.Symlink(t.TempDir(), dir) },
		"file":           func(dir string) error { return os.WriteFile(dir, nil, 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			dir := filepath.Join(base, "bundle-rt-"+strconv.Itoa(os.Getuid()))
			if err := prepare(dir); err != nil {
				t.Fatal(err)
			}
			os.Chmod(dir, 0o777) // Mkdir applies the umask
			if _, err := openTableIn(base, testTableApp(), 4); err == nil {
				t.Error("opened a table in a folder that is not private")
			}
		})
	}
}
