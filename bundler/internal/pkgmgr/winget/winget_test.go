package winget

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/pkgmgrtest"
	"github.com/bundlekit/bundle/internal/schematest"
)

// TestManifests validates the three files against winget's own schemas,
// plain and with hostile text, for each choice of installer, and checks
// each installer against its artifact.
func TestManifests(t *testing.T) {
	schemas := map[string]string{
		"Example.Hello.yaml":              "testdata/schema/manifest.version.1.12.0.json",
		"Example.Hello.installer.yaml":    "testdata/schema/manifest.installer.1.12.0.json",
		"Example.Hello.locale.en-US.yaml": "testdata/schema/manifest.defaultLocale.1.12.0.json",
	}
	tests := []struct {
		installer string
		want      map[string]string // architecture: the artifact installed
		types     map[string]string // architecture: InstallerType
	}{
		{"", map[string]string{"x64": "hello_1.2.3_windows_amd64.msi", "arm64": "hello_1.2.3_windows_arm64_setup.exe"},
			map[string]string{"x64": "msi", "arm64": "nullsoft"}},
		{"nsis", map[string]string{"x64": "hello_1.2.3_windows_amd64_setup.exe", "arm64": "hello_1.2.3_windows_arm64_setup.exe"},
			map[string]string{"x64": "nullsoft", "arm64": "nullsoft"}},
		{"zip", map[string]string{"x64": "hello_1.2.3_windows_amd64.zip", "arm64": "hello_1.2.3_windows_arm64.zip"},
			map[string]string{"x64": "zip", "arm64": "zip"}},
	}
	for _, tt := range tests {
		for _, marker := range []string{"", filepath.Join(t.TempDir(), "pwned")} {
			c := pkgmgrtest.Config(marker)
			c.PackageManagers.Winget.Installer = tt.installer
			in := pkgmgrtest.Input(t, c, "1.2.3", pkgmgrtest.Artifacts())
			files, err := Manager{}.Write(in)
			if err != nil || len(files) != 3 {
				t.Fatalf("Write: %+v, %v", files, err)
			}
			for _, f := range files {
				schema, ok := schemas[f.Name]
				if !ok {
					t.Fatalf("unexpected file %s", f.Name)
				}
				if err := schematest.ValidateYAML(schematest.Compile(t, schema), f.Data); err != nil {
					t.Errorf("installer %q: winget's schema refuses %s: %v\n%s", tt.installer, f.Name, err, f.Data)
				}
				if !strings.HasPrefix(string(f.Data), "# yaml-language-server: $schema=https://aka.ms/winget-manifest.") {
					t.Errorf("%s has no schema header", f.Name)
				}
				if marker == "" {
					label := tt.installer
					if label == "" {
						label = "default"
					}
					pkgmgrtest.Golden(t, "installer-"+label+"/"+f.Name, f.Data)
				}
			}
			var inst installers
			if err := yaml.Unmarshal(files[1].Data, &inst); err != nil {
				t.Fatal(err)
			}
			if len(inst.Installers) != len(tt.want) {
				t.Errorf("installer %q: %d installers, want %d", tt.installer, len(inst.Installers), len(tt.want))
			}
			for _, i := range inst.Installers {
				name := tt.want[i.Architecture]
				a := pkgmgrtest.Artifact(name, "windows", "", "")
				if i.InstallerURL != in.Base+name || i.InstallerSha256 != strings.ToUpper(a.SHA256) || i.InstallerType != tt.types[i.Architecture] {
					t.Errorf("installer %q, %s: %+v; want %s, %s", tt.installer, i.Architecture, i, name, a.SHA256)
				}
				if i.InstallerType == "msi" && !strings.HasPrefix(i.ProductCode, "{") {
					t.Errorf("msi without its ProductCode: %+v", i)
				}
			}
			var loc locale
			if err := yaml.Unmarshal(files[2].Data, &loc); err != nil {
				t.Fatal(err)
			}
			if loc.Description != c.Description || loc.PackageVersion != "1.2.3" {
				t.Errorf("locale %+v", loc)
			}
		}
	}
}

// TestSchemaRefuses: the schemas check what they should, so the test
// above can fail: a lower-case digest of the wrong length and an
// identifier with a space are refused.
func TestSchemaRefuses(t *testing.T) {
	sch := schematest.Compile(t, "testdata/schema/manifest.installer.1.12.0.json")
	bad := "PackageIdentifier: Example Hello\nPackageVersion: 1.2.3\nInstallers:\n- Architecture: x64\n  InstallerType: msi\n  InstallerUrl: https://x/a.msi\n  InstallerSha256: abc\nManifestType: installer\nManifestVersion: 1.12.0\n"
	if err := schematest.ValidateYAML(sch, []byte(bad)); err == nil {
		t.Errorf("a bad installer manifest passed")
	}
}

func TestMissing(t *testing.T) {
	c := pkgmgrtest.Config("")
	c.PackageManagers.Winget = &config.Winget{PackageIdentifier: "Example.Hello", Installer: "msi"}
	var noMSI []artifact.Artifact
	for _, a := range pkgmgrtest.Artifacts() {
		if a.Format != "msi" {
			noMSI = append(noMSI, a)
		}
	}
	if _, err := (Manager{}).Write(pkgmgrtest.Input(t, c, "1.2.3", noMSI)); !errors.Is(err, pkgmgr.ErrNoArtifacts) || !strings.Contains(err.Error(), "msi") {
		t.Errorf("Write of msi without one: %v", err)
	}
}
