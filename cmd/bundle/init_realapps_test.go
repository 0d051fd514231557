package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	mustRun(t, "", "cp", "-r", info.Dir, dir)
	mustRun(t, "", "chmod", "-R", "u+w", dir)
	return dir
}

// TestInitRealApps runs bundle init in real repositories nobody here wrote
// and checks what it chose: the app among several main packages, the
// license, the copyright holder, the summary and the version variable.
func TestInitRealApps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		module string
		want   []string // lines of bundle.yaml
		say    string   // on stdout
	}{
		{"github.com/junegunn/fzf@v0.56.3", []string{
			"main: .", "binary: fzf", `description: "General-purpose command-line fuzzy finder"`,
			`license: "MIT"`, `copyright: "© 2013-2024 Junegunn Choi"`, `  version_var: "main.version"`,
			`  - src: "LICENSE"`, `  - src: "man/man1/fzf.1"`, `    dst: "share/man/man1/fzf.1"`,
		}, "(main: .)"},
		{"github.com/cli/cli/v2@v2.63.0", []string{
			"main: ./cmd/gh", "binary: gh", "id: com.github.cli.cli",
			`description: "GitHub on the command line\nIt brings pull requests, issues, and other GitHub concepts to the terminal next to where you are already working with git and your code."`,
			`license: "MIT"`, `copyright: "© 2019 GitHub Inc."`,
			`  version_var: "github.com/cli/cli/v2/internal/build.Version"`,
		}, "also found ./script, ./cmd/gen-docs; to package one of those, set main: in bundle.yaml"},
		{"github.com/caddyserver/caddy/v2@v2.9.1", []string{
			"main: ./cmd/caddy", "binary: caddy", `description: "Extensible server platform that uses TLS by default"`,
			`license: "Apache-2.0"`, `copyright: "© 2015 Matthew Holt and The Caddy Authors"`,
			`  version_var: "github.com/caddyserver/caddy/v2.CustomVersion"`,
		}, "(main: ./cmd/caddy)"},
	} {
		t.Run(tc.module, func(t *testing.T) {
			dir := realApp(t, tc.module)
			r := runBundle(t, dir, nil, "init")
			if r.code != 0 {
				t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.say) {
				t.Errorf("stdout lacks %q:\n%s", tc.say, r.stdout)
			}
			data, err := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(data), "\n")
			for _, want := range tc.want {
				if !containsLine(lines, want) {
					t.Errorf("bundle.yaml lacks the line %q:\n%s", want, data)
				}
			}
		})
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// TestInitRealAppPackages builds deb and rpm packages of fzf from a fresh
// bundle init, changed only as its comments say a user would (deb and rpm
// on, a maintainer), and holds them to lintian's warnings and rpm's
// license tag.
func TestInitRealAppPackages(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "lintian rpm dpkg man-db", "lintian", "rpm", "dpkg-deb", "man")
	dir := realApp(t, "github.com/junegunn/fzf@v0.56.3")
	if r := runBundle(t, dir, nil, "init"); r.code != 0 {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	cfg := filepath.Join(dir, "bundle.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "  linux: [tar.gz]\n", "  linux: [tar.gz, deb, rpm]\n", 1)
	edited = strings.Replace(edited, "# maintainer: Jane Doe <jane@example.com>", "maintainer: Jane Doe <jane@example.com>", 1)
	if edited == string(data) {
		t.Fatalf("the init config has no formats or maintainer line to edit:\n%s", data)
	}
	writeFile(t, cfg, edited)

	dist := t.TempDir()
	r := runBundle(t, dir, []string{epoch}, "build", "--version", "0.56.3", "--dist", dist, "--target", "linux/amd64", "--format", "deb,rpm")
	if r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	var deb, rpm string
	for _, a := range readManifest(t, dist).Artifacts {
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
	list := mustRun(t, dist, "dpkg-deb", "-c", deb)
	if !strings.Contains(list, "./usr/share/man/man1/fzf.1.gz") {
		t.Errorf("no manual page in the deb:\n%s", list)
	}
	root := t.TempDir()
	mustRun(t, dist, "dpkg-deb", "-x", deb, root)
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
	if page := mustRun(t, root, "man", "-l", "-Tutf8", filepath.Join(root, "usr/share/man/man1/fzf.1.gz")); !strings.Contains(page, "fuzzy finder") {
		t.Errorf("man -l:\n%.300s", page)
	}
	if got := mustRun(t, dist, "rpm", "-qp", "--queryformat", "%{LICENSE}|%{SUMMARY}", rpm); got != "MIT|General-purpose command-line fuzzy finder" {
		t.Errorf("rpm license|summary = %q", got)
	}
	if list := mustRun(t, dist, "rpm", "-qlp", rpm); !strings.Contains(list, "/usr/share/man/man1/fzf.1.gz") || !strings.Contains(list, "/usr/share/licenses/fzf/LICENSE") {
		t.Errorf("rpm -qlp:\n%s", list)
	}
}

// TestInitTODODescription: with no README or package doc to read, init
// says so and writes a placeholder that deb and rpm builds refuse, in one
// line naming the field, before anything is written.
func TestInitTODODescription(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/quiet\n\ngo 1.21\n")
	writeFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
	r := runBundle(t, dir, nil, "init")
	if r.code != 0 || !strings.Contains(r.stdout, "no summary found") {
		t.Fatalf("init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	cfg := filepath.Join(dir, "bundle.yaml")
	data, _ := os.ReadFile(cfg)
	edited := strings.Replace(string(data), "# maintainer: Jane", "maintainer: Jane", 1)
	writeFile(t, cfg, strings.Replace(edited, "  linux: [tar.gz]\n", "  linux: [tar.gz, deb, rpm]\n", 1))
	dist := filepath.Join(t.TempDir(), "dist")
	for _, format := range []string{"deb", "rpm"} {
		b := runBundle(t, dir, []string{epoch}, "build", "--version", "1.0.0", "--dist", dist, "--target", "linux/amd64", "--format", format)
		msg := strings.TrimSpace(b.stderr)
		if b.code != 2 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, format+": description:") {
			t.Errorf("%s: exit %d\n%s", format, b.code, b.stderr)
		}
	}
	if entries, _ := os.ReadDir(dist); len(entries) != 0 {
		t.Errorf("dist has %d entries after refused builds", len(entries))
	}
	if b := runBundle(t, dir, []string{epoch}, "build", "--version", "1.0.0", "--dist", dist, "--target", "linux/amd64", "--format", "tar.gz"); b.code != 0 {
		t.Errorf("tar.gz: exit %d\n%s", b.code, b.stderr)
	}
}
