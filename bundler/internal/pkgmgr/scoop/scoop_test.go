package scoop

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/pkgmgrtest"
	"github.com/bundlekit/bundle/internal/schematest"
	"github.com/bundlekit/bundle/templates/text"
)

// TestManifest validates the manifest against Scoop's own schema, plain
// and with hostile text, and checks each download against its artifact.
func TestManifest(t *testing.T) {
	sch := schematest.Compile(t, "testdata/schema/schema.json")
	for _, marker := range []string{"", filepath.Join(t.TempDir(), "pwned")} {
		c := pkgmgrtest.Config(marker)
		in := pkgmgrtest.Input(t, c, "1.2.3-rc.1+build.5", pkgmgrtest.Artifacts())
		files, err := Manager{}.Write(in)
		if err != nil || len(files) != 1 || files[0].Name != "hello.json" {
			t.Fatalf("Write: %+v, %v", files, err)
		}
		data := files[0].Data
		if err := schematest.ValidateJSON(sch, data); err != nil {
			t.Errorf("Scoop's schema refuses the manifest: %v\n%s", err, data)
		}
		if marker == "" {
			pkgmgrtest.Golden(t, "hello.json", data)
		}
		var m manifest
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if m.Version != "1.2.3-rc.1+build.5" || m.Description != text.Synopsis(c.Description) || m.Homepage != c.Homepage || m.Bin != "hello.exe" {
			t.Errorf("manifest %+v", m)
		}
		want := map[string]string{"64bit": "hello_1.2.3_windows_amd64.zip", "arm64": "hello_1.2.3_windows_arm64.zip"}
		if len(m.Architecture) != len(want) {
			t.Errorf("architectures %v, want %v", m.Architecture, want)
		}
		for arch, name := range want {
			a := pkgmgrtest.Artifact(name, "windows", "", "zip")
			d := m.Architecture[arch]
			if d.URL != in.Base+name || d.Hash != a.SHA256 || d.ExtractDir != name[:len(name)-len(".zip")] {
				t.Errorf("%s: %+v; want %s, %s", arch, d, in.Base+name, a.SHA256)
			}
		}
	}
}

// TestManifestRefusedWhenWrong: the schema check can fail, on a manifest
// without its license.
func TestManifestRefusedWhenWrong(t *testing.T) {
	sch := schematest.Compile(t, "testdata/schema/schema.json")
	if err := schematest.ValidateJSON(sch, []byte(`{"version": "1.0", "homepage": "https://x"}`)); err == nil {
		t.Errorf("a manifest without license passed")
	}
}

func TestMissing(t *testing.T) {
	in := pkgmgrtest.Input(t, pkgmgrtest.Config(""), "1.2.3", pkgmgrtest.Artifacts()[:4])
	if _, err := (Manager{}).Write(in); !errors.Is(err, pkgmgr.ErrNoArtifacts) {
		t.Errorf("Write without Windows zips: %v", err)
	}
}
