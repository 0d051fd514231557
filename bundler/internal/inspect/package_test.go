package inspect

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// deb is an ar archive with a Debian package's three members; data is the
// data.tar.gz.
func deb(t *testing.T, data []byte) []byte {
	t.Helper()
	control := tarGz(t, []tar.Header{{Name: "./control", Size: 0, Typeflag: tar.TypeReg, Mode: 0o644}}, false, true)
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for _, m := range []struct {
		name string
		body []byte
	}{{"debian-binary", []byte("2.0\n")}, {"control.tar.gz", control}, {"data.tar.gz", data}} {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.body))
		b.Write(m.body)
		if len(m.body)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// TestDebUnsafePaths lists the files of debs whose data.tar holds entries
// that would install outside the root: each is flagged, the package's own
// files are not, and a link to an absolute path (as packages install them)
// is not either.
func TestDebUnsafePaths(t *testing.T) {
	data := tarGz(t, []tar.Header{
		{Name: "./usr/bin/app", Typeflag: tar.TypeReg, Mode: 0o755},
		{Name: "./usr/local/bin/app", Typeflag: tar.TypeSymlink, Linkname: "/usr/bin/app", Mode: 0o777},
		{Name: "./../../etc/cron.d/evil", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "/etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "./usr/share/../../../root/.ssh/authorized_keys", Typeflag: tar.TypeReg, Mode: 0o600},
	}, false, true)
	path := filepath.Join(t.TempDir(), "app_1.0.0_amd64.deb")
	if err := os.WriteFile(path, deb(t, data), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Path(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	p := r.Package
	want := []string{
		`./../../etc/cron.d/evil: path has a ".." step`,
		"/etc/passwd: absolute path",
		`./usr/share/../../../root/.ssh/authorized_keys: path has a ".." step`,
	}
	if p == nil || !slices.Equal(p.Unsafe, want) {
		t.Fatalf("unsafe %q, want %q", p.Unsafe, want)
	}
	if len(p.Files) != 5 {
		t.Errorf("files %q", p.Files)
	}
}
