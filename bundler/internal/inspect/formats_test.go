package inspect

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	bundlezip "github.com/bundlekit/bundle/bundler/internal/formats/zip"
	"github.com/bundlekit/bundle/internal/testexe"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestPortableZipAndMSI reads a portable zip and a per-machine MSI of an
// app with one executable and a licence, made by bundle's own formats
// (through write): what `bundle inspect` prints of each.
func TestPortableZipAndMSI(t *testing.T) {
	testtool.Need(t, "msitools wixl", "msiinfo", "wixl")
	exe := testexe.Windows(t)
	in := input(t, "windows", "hello.exe", exe)
	for _, extra := range []string{"aaa-helper.exe", "run.sh", "README", "docs"} {
		if err := os.RemoveAll(filepath.Join(in.AppDir, extra)); err != nil {
			t.Fatal(err)
		}
	}
	in.Config.Windows = config.Windows{InstallScope: "machine"}
	folder := in.Stem + "/"

	z, err := Path(context.Background(), write(t, bundlezip.Format{}, in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Path: folder, Type: "dir", Mode: "0755"},
		{Path: folder + "LICENSE", Type: "file", Size: 4, Mode: "0644"},
		{Path: folder + "hello.exe", Type: "file", Size: int64(len(exe)), Mode: "0755"},
	}
	if a := z.Archive; a == nil || a.Format != "zip" || a.Folder != folder || !slices.Equal(a.Entries, want) {
		t.Fatalf("zip: %+v, want entries %+v", a, want)
	}
	if x := z.Archive.Executable; x == nil || x.Path != folder+"hello.exe" || x.Format != "PE" || x.OS != "windows" || x.Arch != "amd64" ||
		x.Signed == nil || *x.Signed {
		t.Errorf("zip executable: %+v", x)
	}

	m, err := Path(context.Background(), write(t, msi.Format{}, in))
	if err != nil {
		t.Fatal(err)
	}
	r := m.MSI
	if r == nil || r.ProductName != "Hello" || r.ProductVersion != "1.2.3" || r.Manufacturer != "The bundle authors" {
		t.Fatalf("msi: %+v", r)
	}
	// The UpgradeCode is derived from the id and binary: a change would
	// make the next release install beside the last instead of over it.
	if r.UpgradeCode != "{3343164D-E1BB-5571-8B7F-40F687A85EE4}" || r.InstallScope != "machine" || !r.ElevationRequired || r.Signed {
		t.Errorf("msi: upgrade code %s, scope %s, elevation %v, signed %v", r.UpgradeCode, r.InstallScope, r.ElevationRequired, r.Signed)
	}
	wantFiles := []MSIFile{{`[ProgramFiles64Folder]\Hello\LICENSE`, 4}, {`[ProgramFiles64Folder]\Hello\hello.exe`, int64(len(exe))}}
	if !slices.Equal(r.Files, wantFiles) {
		t.Errorf("msi files %v, want %v", r.Files, wantFiles)
	}
}
