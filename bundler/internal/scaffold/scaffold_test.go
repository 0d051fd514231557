package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/templates"
)

// TestDetectVersionVar runs Detect on small modules that keep their
// version variable in the places real projects do.
func TestDetectVersionVar(t *testing.T) {
	for _, tc := range []struct{ dir, main, want string }{
		{"mainvar", ".", "main.version"},                                         // var version = "dev" in package main (fzf)
		{"nested", "./cmd/tool", "example.com/nested/v2/internal/build.Version"}, // an imported package (gh)
		{"hinted", "./cmd/app", "example.com/hinted/internal/meta.AppVersion"},   // the Makefile's -X wins over main.version
		{"doc", "./cmd/srv", "example.com/doc.CustomVersion"},                    // the comment says -X (caddy)
		{"none", ".", ""}, // a const, a slice and a func are not string variables
	} {
		t.Run(tc.dir, func(t *testing.T) {
			p, err := Detect(context.Background(), filepath.Join("testdata", "versionvar", tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			if p.Main != tc.main || p.VersionVar != tc.want {
				t.Errorf("main %q version_var %q, want %q %q", p.Main, p.VersionVar, tc.main, tc.want)
			}
		})
	}
}

// TestDetectVersionFormat: init writes the version the way the project
// does: with a v when its build sets one, when the program checks for
// one, or when its default has one.
func TestDetectVersionFormat(t *testing.T) {
	for _, tc := range []struct{ dir, want, why string }{
		{"mainvar", "", ""},
		{"vcheck", "v{{.Version}}", "its package checks it against ^v"},
		{"vtag", "v{{.Version}}", "the project's build files set it to {{.Tag}}"},
		{"vmake", "v{{.Version}}", "the project's build files set it to v$(VERSION)"},
		{"vdefault", "v{{.Version}}", `its default is "v0.0.0-dev"`},
		{"hinted", "", ""},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			p, err := Detect(context.Background(), filepath.Join("testdata", "versionvar", tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			if p.VersionVar == "" || p.VersionFormat != tc.want || !strings.HasPrefix(p.FormatWhy, tc.why) {
				t.Errorf("version_var %q, version_format %q (%s); want %q (%s)", p.VersionVar, p.VersionFormat, p.FormatWhy, tc.want, tc.why)
			}
		})
	}
}

// TestDetectFallbackTags: a package whose go:generate writes a file that is
// not in the tree, with a file behind a tag of its own that stands in for
// it, gets that tag; once the file is there, no tag is needed.
func TestDetectFallbackTags(t *testing.T) {
	for dir, want := range map[string][]string{"missing": {"noassets"}, "present": nil} {
		t.Run(dir, func(t *testing.T) {
			p, err := Detect(context.Background(), filepath.Join("testdata", "generated", dir))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Tags, want) {
				t.Errorf("tags %q (%s), want %q", p.Tags, p.TagsWhy, want)
			}
			if want != nil && p.TagsWhy != "noassets: go:generate in example.com/missing/internal/assets writes files.go, which is not in the tree, and noassets.go stands in for it" {
				t.Errorf("why: %q", p.TagsWhy)
			}
		})
	}
}

// TestDetectProject: everything init reads from a project, and the config
// it writes loads.
func TestDetectProject(t *testing.T) {
	dir := t.TempDir()
	mit, err := os.ReadFile("testdata/licenses/MIT")
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"go.mod":                 "module github.com/acme/finder/v3\n\ngo 1.21\n",
		"LICENSE":                string(mit),
		"README.md":              "# Finder\n\n`finder` is a fast file finder. It reads trees.\n",
		"cmd/finder/main.go":     "package main\n\nvar version string\n\nfunc main() {}\n",
		"cmd/gen-docs/main.go":   "package main\n\nfunc main() {}\n",
		"doc/finder.1":           ".TH FINDER 1\n",
		"man/man5/finder.5":      ".TH FINDER 5\n",
		"man/man1/other.1":       ".TH OTHER 1\n",
		"internal/x/x.go":        "package x\n",
		"examples/demo/main.go":  "package main\n\nfunc main() {}\n",
		"examples/demo/README":   "demo\n",
		"cmd/finder/finder.go":   "package main\n",
		"internal/x/x_extra.go":  "package x\n",
		"cmd/gen-docs/README.md": "gen\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Detect(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Project{
		Name: "Finder", ID: "com.github.acme.finder", Binary: "finder", Main: "./cmd/finder",
		Description: "Fast file finder\nIt reads trees.",
		Targets:     config.DefaultTargets,
		OtherMains:  []string{"./cmd/gen-docs", "./examples/demo"},
		License:     License{File: "LICENSE", SPDX: "MIT", Copyright: "© 2013-2024 Junegunn Choi"},
		ManPages: []config.File{
			{Src: "doc/finder.1", Dst: "share/man/man1/finder.1"},
			{Src: "man/man5/finder.5", Dst: "share/man/man5/finder.5"},
		},
		VersionVar: "main.version",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}

	cfg := filepath.Join(dir, "bundle.yaml")
	if err := Write(cfg, p, false); err != nil {
		t.Fatal(err)
	}
	loaded, err := config.Load(cfg, formats.Known())
	if err != nil {
		t.Fatalf("the written config does not load: %v", err)
	}
	c := loaded.Config
	if c.License != "MIT" || c.Copyright != want.License.Copyright || c.Description != want.Description ||
		c.Build.VersionVar != "main.version" || len(c.Files) != 3 || c.Files[1].Dst != "share/man/man1/finder.1" {
		t.Errorf("loaded config: %+v", c)
	}
}

// TestTemplateWithoutFindings: a project with nothing to read gets a TODO
// description and commented examples, and the file still loads.
func TestTemplateWithoutFindings(t *testing.T) {
	p := Project{Name: "Tool", ID: "com.example.tool", Binary: "tool", Main: ".", Description: TODODescription,
		NoDescription: true, Targets: config.DefaultTargets, License: License{File: "COPYING"}}
	data, err := templates.Render("init/bundle.yaml.tmpl", p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`description: "TODO:`, "# COPYING is not a license bundle recognises", "# copyright:", "# version_var: main.version", "  - src: \"COPYING\""} {
		if !strings.Contains(string(data), want) {
			t.Errorf("lacks %q:\n%s", want, data)
		}
	}
	p.License = License{File: "LICENSE", SPDX: "GPL-3.0"}
	data, _ = templates.Render("init/bundle.yaml.tmpl", p)
	if !strings.Contains(string(data), "GPL-3.0-only or GPL-3.0-or-later") {
		t.Errorf("no note on GPL versions:\n%s", data)
	}
}
