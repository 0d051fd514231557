package homebrew

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/pkgmgrtest"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/templates/text"
)

// evaluated is what the cask says on one kind of Mac.
type evaluated struct {
	Token, Version, SHA256, URL, Name, Desc, Homepage, App, Binary, Target string
	DependsOn                                                              []map[string]string `json:"depends_on"`
}

// evaluate runs the cask through Ruby, with testdata/cask_dsl.rb standing
// in for Homebrew, as an arm or intel Mac sees it.
func evaluate(t *testing.T, cask []byte, cpu string) evaluated {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cask.rb")
	if err := os.WriteFile(path, cask, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ruby", "-c", path).CombinedOutput(); err != nil {
		t.Fatalf("ruby -c: %v\n%s\n%s", err, out, cask)
	}
	cmd := exec.Command("ruby", "testdata/cask_dsl.rb", path)
	cmd.Env = append(os.Environ(), "CPU="+cpu)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("evaluate the cask: %v\n%s", err, cask)
	}
	var e evaluated
	if err := json.Unmarshal(out, &e); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return e
}

func find(list []artifact.Artifact, path string) artifact.Artifact {
	for _, a := range list {
		if a.Path == path {
			return a
		}
	}
	return artifact.Artifact{}
}

func TestCask(t *testing.T) {
	testtool.Need(t, "ruby", "ruby")
	all := pkgmgrtest.Artifacts()
	only := func(paths ...string) []artifact.Artifact {
		var out []artifact.Artifact
		for _, p := range paths {
			out = append(out, find(all, p))
		}
		return out
	}
	const base = "https://github.com/example/hello/releases/download/v1.2.3/"
	tests := []struct {
		name      string
		artifacts []artifact.Artifact
		arm, x86  string // the file each Mac downloads
		app       bool
	}{
		{"dmg", all, "hello_1.2.3_darwin_universal.dmg", "hello_1.2.3_darwin_universal.dmg", true},
		{"app zip", only("hello_1.2.3_darwin_universal.app.zip", "hello_1.2.3_darwin_arm64.tar.gz"), "hello_1.2.3_darwin_universal.app.zip", "hello_1.2.3_darwin_universal.app.zip", true},
		{"tar.gz per arch", only("hello_1.2.3_darwin_amd64.tar.gz", "hello_1.2.3_darwin_arm64.tar.gz"), "hello_1.2.3_darwin_arm64.tar.gz", "hello_1.2.3_darwin_amd64.tar.gz", false},
	}
	for _, tt := range tests {
		for _, marker := range []string{"", filepath.Join(t.TempDir(), "pwned")} {
			name := tt.name
			if marker != "" {
				name += ", hostile"
			}
			t.Run(name, func(t *testing.T) {
				c := pkgmgrtest.Config(marker)
				files, err := Manager{}.Write(pkgmgrtest.Input(t, c, "1.2.3", tt.artifacts))
				if err != nil || len(files) != 1 || files[0].Name != "hello.rb" || files[0].Format != Format {
					t.Fatalf("Write: %+v, %v", files, err)
				}
				if marker == "" {
					pkgmgrtest.Golden(t, strings.ReplaceAll(tt.name, " ", "-")+".rb", files[0].Data)
				}
				for cpu, want := range map[string]string{"arm": tt.arm, "intel": tt.x86} {
					e := evaluate(t, files[0].Data, cpu)
					a := find(tt.artifacts, want)
					if e.URL != base+want || e.SHA256 != a.SHA256 || e.Version != "1.2.3" || e.Token != "hello" {
						t.Errorf("%s Mac: url %s, sha256 %s, version %s; want %s, %s", cpu, e.URL, e.SHA256, e.Version, base+want, a.SHA256)
					}
					if e.Name != text.Line(c.Name) || e.Desc != strings.TrimSuffix(text.Synopsis(c.Description), ".") || e.Homepage != c.Homepage {
						t.Errorf("%s Mac: name %q, desc %q, homepage %q; not bundle.yaml's", cpu, e.Name, e.Desc, e.Homepage)
					}
					if tt.app && e.App != "Hello Desktop.app" && !strings.HasPrefix(e.App, "Hello Say") {
						t.Errorf("app %q", e.App)
					}
					if !tt.app && (e.Binary != strings.TrimSuffix(want, ".tar.gz")+"/hello" || e.Target != "hello") {
						t.Errorf("%s Mac: binary %q, target %q", cpu, e.Binary, e.Target)
					}
				}
				if marker != "" {
					if _, err := os.Stat(marker); err == nil {
						t.Errorf("evaluating the cask ran a command from bundle.yaml's text")
					}
				}
			})
		}
	}
}

func TestCaskMissing(t *testing.T) {
	in := pkgmgrtest.Input(t, pkgmgrtest.Config(""), "1.2.3", pkgmgrtest.Artifacts()[4:])
	if _, err := (Manager{}).Write(in); !errors.Is(err, pkgmgr.ErrNoArtifacts) || !strings.Contains(err.Error(), "macOS") {
		t.Errorf("Write without macOS artifacts: %v", err)
	}
}

func TestMacOSSymbol(t *testing.T) {
	for in, want := range map[string]string{"": ":monterey", "12.0": ":monterey", "13.3": ":ventura", "14": ":sonoma", "15.1": ":sequoia", "16.0": ":sequoia", "26.0": ":tahoe", "27": ":tahoe"} {
		if got := macOSSymbol(in); got != want {
			t.Errorf("macOSSymbol(%q) = %s, want %s", in, got, want)
		}
	}
}
