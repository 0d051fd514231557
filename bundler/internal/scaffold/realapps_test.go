package scaffold_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// realApp copies a published module (from the module proxy, through the
// go command's cache) into a fresh folder, as a user's checkout of that
// repository. Without the network the test is skipped, or fails when
// CI=true.
func realApp(t *testing.T, module string) string {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", module).Output()
	var info struct{ Dir, Error string }
	if err == nil {
		err = json.Unmarshal(out, &info)
	}
	if err != nil || info.Error != "" || info.Dir == "" {
		msg := "go mod download " + module + " failed (network?): " + info.Error
		if err != nil {
			msg += err.Error()
		}
		testtool.Missing(t, msg)
	}
	dir := filepath.Join(t.TempDir(), filepath.Base(strings.Split(module, "@")[0]))
	// The module cache is read-only: copy it, then let the copy be written.
	testfs.MustRun(t, "", "cp", "-r", info.Dir, dir)
	testfs.MustRun(t, "", "chmod", "-R", "u+w", dir)
	return dir
}

// initConfig runs bundler.Init for the module in dir, as `bundle init`
// there, and returns what it detected and the path of the bundle.yaml.
func initConfig(t *testing.T, dir string) (bundler.InitResult, string) {
	t.Helper()
	cfg := filepath.Join(dir, "bundle.yaml")
	p, err := bundler.Init(context.Background(), cfg, false)
	if err != nil {
		t.Fatalf("init: exit %d: %v", bundler.ExitCode(err), err)
	}
	return p, cfg
}

// TestInitRealApps runs Init in real repositories nobody here wrote and
// checks what it chose: the app among several main packages, the license,
// the copyright holder, the summary and the version variable.
func TestInitRealApps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		module string
		want   []string // lines of bundle.yaml
		main   string   // the main package chosen
		others []string // the other main packages it reports, when checked
	}{
		{"github.com/junegunn/fzf@v0.56.3", []string{
			"main: .", "binary: fzf", `description: "General-purpose command-line fuzzy finder"`,
			`license: "MIT"`, `copyright: "© 2013-2024 Junegunn Choi"`, `  version_var: "main.version"`,
			`  - src: "LICENSE"`, `  - src: "man/man1/fzf.1"`, `    dst: "share/man/man1/fzf.1"`,
		}, ".", nil},
		{"github.com/cli/cli/v2@v2.63.0", []string{
			"main: ./cmd/gh", "binary: gh", "id: com.github.cli.cli",
			`description: "GitHub on the command line\nIt brings pull requests, issues, and other GitHub concepts to the terminal next to where you are already working with git and your code."`,
			`license: "MIT"`, `copyright: "© 2019 GitHub Inc."`,
			`  version_var: "github.com/cli/cli/v2/internal/build.Version"`,
		}, "./cmd/gh", []string{"./script", "./cmd/gen-docs"}},
		{"github.com/caddyserver/caddy/v2@v2.9.1", []string{
			"main: ./cmd/caddy", "binary: caddy", `description: "Extensible server platform that uses TLS by default"`,
			`license: "Apache-2.0"`, `copyright: "© 2015 Matthew Holt and The Caddy Authors"`,
			`  version_var: "github.com/caddyserver/caddy/v2.CustomVersion"`,
		}, "./cmd/caddy", nil},
	} {
		t.Run(tc.module, func(t *testing.T) {
			dir := realApp(t, tc.module)
			p, cfg := initConfig(t, dir)
			if p.Main != tc.main {
				t.Errorf("main %q, want %q", p.Main, tc.main)
			}
			if tc.others != nil && !slices.Equal(p.OtherMains, tc.others) {
				t.Errorf("other mains %q, want %q", p.OtherMains, tc.others)
			}
			data, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(data), "\n")
			for _, want := range tc.want {
				if !slices.Contains(lines, want) {
					t.Errorf("bundle.yaml lacks the line %q:\n%s", want, data)
				}
			}
		})
	}
}

// TestInitRealAppPackages builds deb and rpm packages of fzf from a fresh
// Init, changed only as its comments say a user would (deb and rpm on, a
// maintainer), and holds them to lintian's warnings and rpm's license tag.
func TestInitRealAppPackages(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "lintian rpm dpkg man-db", "lintian", "rpm", "dpkg-deb", "man")
	dir := realApp(t, "github.com/junegunn/fzf@v0.56.3")
	_, cfg := initConfig(t, dir)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "  linux: [tar.gz]\n", "  linux: [tar.gz, deb, rpm]\n", 1)
	edited = strings.Replace(edited, "# maintainer: Jane Doe <jane@example.com>", "maintainer: Jane Doe <jane@example.com>", 1)
	if edited == string(data) {
		t.Fatalf("the init config has no formats or maintainer line to edit:\n%s", data)
	}
	testfs.WriteFile(t, cfg, edited)

	dist := t.TempDir()
	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: cfg, Version: "0.56.3", Dist: dist, Targets: []string{"linux/amd64"}, Formats: []string{"deb", "rpm"},
	})

	if b.Err != nil {
		t.Fatalf("build: %v\n%s", b.Err, b.Log())
	}
	var deb, rpm string
	for _, a := range b.Result.Manifest.Artifacts {
		switch a.Format {
		case "deb":
			deb = filepath.Join(dist, a.Path)
		case "rpm":
			rpm = filepath.Join(dist, a.Path)
		}
	}
	if deb == "" || rpm == "" {
		t.Fatalf("deb %q rpm %q", deb, rpm)
	}
	// groff-message is left out: it reports line breaking in fzf's own
	// manual page text (`man --warnings` says the same on the source file),
	// which packaging cannot change. Any other warning fails the test.
	if out, err := exec.Command("lintian", "--fail-on", "error,warning", "--suppress-tags", "groff-message", deb).CombinedOutput(); err != nil {
		t.Errorf("lintian: %v\n%s", err, out)
	}
	list := testfs.MustRun(t, dist, "dpkg-deb", "-c", deb)
	if !strings.Contains(list, "./usr/share/man/man1/fzf.1.gz") {
		t.Errorf("no manual page in the deb:\n%s", list)
	}
	root := t.TempDir()
	testfs.MustRun(t, dist, "dpkg-deb", "-x", deb, root)
	overrides, _ := os.ReadFile(filepath.Join(root, "usr/share/lintian/overrides/fzf"))
	if strings.Contains(string(overrides), "no-manual-page") {
		t.Errorf("no-manual-page is overridden though the package has one:\n%s", overrides)
	}
	copyright, _ := os.ReadFile(filepath.Join(root, "usr/share/doc/fzf/copyright"))
	for _, want := range []string{"Copyright: © 2013-2024 Junegunn Choi", "License: MIT", "Permission is hereby granted"} {
		if !strings.Contains(string(copyright), want) {
			t.Errorf("copyright lacks %q:\n%s", want, copyright)
		}
	}
	if page := testfs.MustRun(t, root, "man", "-l", "-Tutf8", filepath.Join(root, "usr/share/man/man1/fzf.1.gz")); !strings.Contains(page, "fuzzy finder") {
		t.Errorf("man -l:\n%.300s", page)
	}
	if got := testfs.MustRun(t, dist, "rpm", "-qp", "--queryformat", "%{LICENSE}|%{SUMMARY}", rpm); got != "MIT|General-purpose command-line fuzzy finder" {
		t.Errorf("rpm license|summary = %q", got)
	}
	if list := testfs.MustRun(t, dist, "rpm", "-qlp", rpm); !strings.Contains(list, "/usr/share/man/man1/fzf.1.gz") || !strings.Contains(list, "/usr/share/licenses/fzf/LICENSE") {
		t.Errorf("rpm -qlp:\n%s", list)
	}
}

// TestInitTODODescription: with no README or package doc to read, Init
// says so and writes a placeholder that deb and rpm builds refuse, in one
// line naming the field, before anything is written.
func TestInitTODODescription(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	testfs.WriteFile(t, filepath.Join(dir, "go.mod"), "module example.com/quiet\n\ngo 1.21\n")
	testfs.WriteFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
	p, cfg := initConfig(t, dir)
	if !p.NoDescription {
		t.Fatalf("init found a summary: %+v", p)
	}
	data, _ := os.ReadFile(cfg)
	edited := strings.Replace(string(data), "# maintainer: Jane", "maintainer: Jane", 1)
	testfs.WriteFile(t, cfg, strings.Replace(edited, "  linux: [tar.gz]\n", "  linux: [tar.gz, deb, rpm]\n", 1))
	dist := filepath.Join(t.TempDir(), "dist")
	for _, format := range []string{"deb", "rpm"} {
		b := buildtest.Build(ctx, t, bundler.BuildOptions{
			Config: cfg, Version: "1.0.0", Dist: dist, Targets: []string{"linux/amd64"}, Formats: []string{format},
		})

		if bundler.ExitCode(b.Err) != bundler.ExitUsage || strings.Contains(b.Err.Error(), "\n") || !strings.Contains(b.Err.Error(), format+": description:") {
			t.Errorf("%s: exit %d: %v", format, bundler.ExitCode(b.Err), b.Err)
		}
	}
	if entries, _ := os.ReadDir(dist); len(entries) != 0 {
		t.Errorf("dist has %d entries after refused builds", len(entries))
	}
	if b := buildtest.Build(ctx, t, bundler.BuildOptions{
		Config: cfg, Version: "1.0.0", Dist: dist, Targets: []string{"linux/amd64"}, Formats: []string{"tar.gz"},
	}); b.Err != nil {
		t.Errorf("tar.gz: %v\n%s", b.Err, b.Log())
	}
}

func TestMain(m *testing.M) { buildtest.Main(m) }
