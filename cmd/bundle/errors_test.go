package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
)

// TestBadInput runs bundle build on broken projects and checks what a user
// sees: exit code 2, one line on stderr that says where and how to fix it,
// no stack trace, and nothing new in dist.
func TestBadInput(t *testing.T) {
	t.Parallel()
	loc := `^bundle: bundle\.yaml:\d+:\d+: `
	tests := []struct {
		fixture string   // testdata/config/bad/<fixture>.yaml, "" for the valid base config
		args    []string // extra arguments to bundle build
		env     []string
		setup   func(t *testing.T, dir string)
		where   string // a regexp the line must start with
		want    string // a substring the line must hold
	}{
		{fixture: "unknown-key", where: loc, want: `unknown key "fromats" (did you mean "formats"?)`},
		{fixture: "unknown-nested-key", where: loc, want: `build: unknown key "ldflag" (did you mean "ldflags"?)`},
		{fixture: "wrong-type-bool", where: loc, want: "gui: expected true or false"},
		{fixture: "wrong-type-list", where: loc, want: "targets: expected a list"},
		{fixture: "wrong-type-mapping", where: loc, want: "formats: expected a mapping"},
		{fixture: "bad-semver", where: loc, want: `version: "1.2.x" is not valid; use a semantic version`},
		{fixture: "version-number", where: loc, want: "version: expected a string, got a number (1.2)"},
		{fixture: "unknown-target", where: loc, want: `targets[0]: "plan9/amd64" is not a GOOS/GOARCH pair`},
		{fixture: "target-typo", where: loc, want: `(did you mean "linux/amd64"?)`},
		{fixture: "duplicate-targets", where: loc, want: `targets[2]: "linux/amd64" is listed twice`},
		{fixture: "unknown-format", where: loc, want: `formats.linux[0]: "msi" is not a format for this OS`},
		{fixture: "empty-format-list", where: loc, want: "formats.linux: the list is empty"},
		{fixture: "missing-icon", where: loc, want: `icon: "assets/nope.png" does not exist`},
		{fixture: "non-square-icon", where: loc, want: "512×256 px, not square"},
		{fixture: "tiny-icon", where: loc, want: "64×64 px, too small; use at least 256×256 px"},
		{fixture: "jpeg-icon", where: loc, want: "is a JPEG image, not a PNG"},
		{fixture: "not-an-image-icon", where: loc, want: "is not a PNG image"},
		{fixture: "icon-outside", where: loc, want: `icon: "../icon.png" is not valid; use a path inside the project`},
		{fixture: "missing-main", where: loc, want: `main: "./cmd/nothere" does not exist`},
		{fixture: "main-not-main", where: loc, want: `main: "./lib" is package lib, not a main package`},
		{fixture: "main-not-relative", where: loc, want: `main: "cmd/fixture" is not valid; use a path relative to bundle.yaml that starts with ./`},
		{fixture: "files-dotdot", where: loc, want: `files[0].src: "../outside/LICENSE" is not valid; use a path inside the project`},
		{fixture: "files-nested-dotdot", where: loc, want: `files[0].src: "assets/../../LICENSE" is not valid`},
		{fixture: "files-absolute", where: loc, want: `files[0].src: "/etc/hostname" is not valid`},
		{fixture: "files-missing", where: loc, want: `files[0].src: "NOTICE" does not exist`},
		{fixture: "files-symlink-out", where: loc, want: "outside the project; copy the file into the project instead",
			setup: func(t *testing.T, dir string) {
				outside := filepath.Join(filepath.Dir(dir), "secret.txt")
				if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(outside, filepath.Join(dir, "escape")); err != nil {
					t.Fatal(err)
				}
			}},
		{fixture: "files-dst-escape", where: loc, want: `files[0].dst: "../LICENSE" is not valid`},
		{fixture: "files-dst-duplicate", where: loc, want: `files[1].dst: "LICENSE" is also the destination of files[0]`},
		{fixture: "files-no-src", where: loc, want: `files[0]: missing key "src"`},
		{fixture: "empty-name", where: loc, want: `name: "" is not valid; use a display name`},
		{fixture: "missing-name", where: loc, want: `missing key "name"; add name:`},
		{fixture: "null-name", where: loc, want: "name: has no value"},
		{fixture: "bad-id", where: loc, want: `id: "fixture" is not valid; use reverse DNS such as com.example.hello`},
		{fixture: "bad-binary", where: loc, want: `binary: "my app" is not valid`},
		{fixture: "bad-homepage", where: loc, want: `homepage: "example.com" is not valid; use an http(s) URL`},
		{fixture: "yaml-syntax", where: `^bundle: bundle\.yaml:\d+`, want: "invalid YAML"},
		{fixture: "duplicate-key", where: `^bundle: bundle\.yaml:\d+`, want: `"name"`},
		{fixture: "build-env", where: loc, want: `build.env[0]: "CGO_ENABLED" is not valid; use KEY=VALUE`},
		{fixture: "build-flag-output", where: loc, want: `build.flags[0]: "-o" is not valid`},
		{fixture: "build-flag-ldflags", where: loc, want: `build.flags[0]: "-ldflags=-s" is not valid`},
		{fixture: "version-var", where: loc, want: `build.version_var: "main version" is not valid`},
		{fixture: "list-item-null", where: loc, want: "targets[0]: has no value"},
		{fixture: "linux-bad-depends", where: loc, want: `linux.depends.deb[0]: "libc6 (>= 2.31" is not valid; use a Debian relation`},
		{fixture: "linux-bad-package-name", where: loc, want: `linux.package_name: "My_App" is not valid; use lower-case letters`},
		{fixture: "linux-gui-no-icon", where: loc, want: "gui: the deb package's desktop entry needs an icon"},
		{fixture: "linux-no-maintainer", where: `^bundle: bundle\.yaml: `, want: "maintainer: deb packages need a maintainer; add maintainer: Name <email>"},
		{fixture: "bad-maintainer", where: loc, want: `maintainer: "jane@example.com" is not valid; use Name <email>`},
		{fixture: "macos-old-minimum", where: loc, want: "macos.minimum_system_version: 10.15 is older than 12.0, the oldest macOS Go 1.26 binaries run on"},
		{fixture: "macos-universal-missing-arch", where: loc, want: "macos.universal: a universal binary needs both darwin/amd64 and darwin/arm64, and targets lacks darwin/amd64"},
		{fixture: "macos-bad-category", where: loc, want: `macos.category: "utilities" is not valid; use an LSApplicationCategoryType`},
		{fixture: "runtime-guard", where: loc, want: `runtime.guard: "allow" is not chain, refuse, warn or off`},
		{fixture: "runtime-grace", where: loc, want: `runtime.grace: "5 seconds" is not valid; use a duration such as 5s`},
		{fixture: "runtime-hook", where: loc, want: "runtime.hook: expected true or false"},
		{fixture: "files-backslash", where: loc, want: `files[0].src: "assets\\..\\..\\secret" is not valid; use a path inside the project`},
		{fixture: "maintainer-newline", where: loc, want: "maintainer: holds a line break (U+000A); keep it on one line"},
		{fixture: "license-newline", where: loc, want: "license: holds a line break (U+000A); keep it on one line"},
		{fixture: "description-tab", where: loc, want: "description: holds a tab (U+0009); use spaces"},
		{fixture: "name-bidi", where: loc, want: "name: holds a bidirectional override (U+202E)"},
		{fixture: "invalid-utf8", where: loc, want: "the file is not valid UTF-8 here; save bundle.yaml as UTF-8"},
		{fixture: "yaml-alias-key", where: loc, want: "anchors (&binary) are not supported in bundle.yaml"},
		{fixture: "yaml-merge-key", where: loc, want: "merge keys (<<) are not supported in bundle.yaml"},
		{fixture: "yaml-binary-tag", where: loc, want: `tags such as "!!binary" are not supported in bundle.yaml`},
		{fixture: "yaml-two-documents", where: loc, want: "a second YAML document starts here"},
		{fixture: "yaml-line-one", where: loc, want: "invalid YAML: found character that cannot start any token"},
		{fixture: "empty", where: `^bundle: bundle\.yaml: `, want: "the file is empty; run `bundle init`"},
		{fixture: "all-comments", where: `^bundle: bundle\.yaml: `, want: "the file is empty; run `bundle init`"},
		{fixture: "not-a-mapping", where: loc, want: "bundle.yaml must be a mapping of keys to values"},
		{args: []string{"--version", "1.2"}, where: `^bundle: --version: `, want: `"1.2" is not a semantic version`},
		{env: []string{"BUNDLE_VERSION=latest"}, args: []string{"--config", "nover.yaml"}, where: `^bundle: \$BUNDLE_VERSION: `, want: `"latest" is not a semantic version`,
			setup: func(t *testing.T, dir string) { writeConfigWithout(t, dir, "version: 1.0.0\n", "nover.yaml") }},
		{args: []string{"--target", "windows/386"}, where: `^bundle: --target windows/386: `, want: "not in targets of bundle.yaml"},
		{args: []string{"--format", "nope"}, where: `^bundle: --format nope: `, want: "not a format; use one of tar.gz, zip,"},
		{args: []string{"--format", "dmgg"}, where: `^bundle: --format dmgg: `, want: `not a format (did you mean "dmg"?); use one of`},
		{args: []string{"--format", "rpm"}, where: `^bundle: --format rpm: `, want: "not in formats of bundle.yaml; add it under formats: for an OS it supports"},
		{args: []string{"--target", "linux/amd46"}, where: `^bundle: --target linux/amd46: `, want: `(did you mean "linux/amd64"?); pick one of linux/amd64,`},
		{args: []string{"--target", " linux/amd64"}, where: `^bundle: --target " linux/amd64": `, want: "holds a space (U+0020); pass GOOS/GOARCH without spaces"},
		{args: []string{"--target", "linux/amd64,windows/amd64 "}, where: `^bundle: --target "windows/amd64 ": `, want: "holds a space (U+0020); pass GOOS/GOARCH without spaces"},
		{args: []string{"--target", "linux/amd64\t"}, where: `^bundle: --target "linux/amd64\\t": `, want: "holds a tab (U+0009); pass GOOS/GOARCH without spaces"},
		{args: []string{"--target", "linux/\x1bamd64"}, where: `^bundle: --target "linux/\\x1bamd64": `, want: "holds a control character (U+001B); pass GOOS/GOARCH without it"},
		{env: []string{"BUNDLE_TARGET=linux/amd64 "}, where: `^bundle: --target "linux/amd64 ": `, want: "holds a space (U+0020); pass GOOS/GOARCH without spaces"},
		{args: []string{"--format", "tar.gz "}, where: `^bundle: --format "tar.gz ": `, want: "holds a space (U+0020); pass the format's name without spaces"},
		{env: []string{"GOEXPERIMENT=nosuchthing"}, where: `^bundle: go version: go: `, want: "unknown GOEXPERIMENT suchthing; fix the setting go names (in the environment, go env -w or go.mod)"},
		{env: []string{"GOFLAGS=-nosuchflag"}, where: `^bundle: go version: go: `, want: "unknown flag -nosuchflag; fix the setting go names"},
		{args: []string{"--config", "nope.yaml"}, where: `^bundle: nope\.yaml: `, want: "no such file; run `bundle init`"},
		{args: []string{"--dist", "LICENSE/dist"}, where: `^bundle: dist folder "LICENSE/dist" `, want: "cannot be created (not a directory); pass --dist with a writable folder"},
		{args: []string{"--dist", "LICENSE"}, where: `^bundle: dist folder "LICENSE" `, want: "is a file, not a folder"},
		{env: []string{"TMPDIR=/nonexistent-tmp"}, where: `^bundle: build: the temporary folder /nonexistent-tmp does not exist`, want: "; set TMPDIR to a folder that exists, or unset it"},
		{env: []string{"SOURCE_DATE_EPOCH=yesterday"}, where: `^bundle: SOURCE_DATE_EPOCH=`, want: "is not a Unix time in seconds"},
		{args: []string{"--parallel", "0"}, where: `^bundle: --parallel 0`, want: "must be at least 1"},
		{args: []string{"--no-such-flag"}, where: `^bundle: flag provided but not defined`, want: "run `bundle build --help`"},
		{setup: func(t *testing.T, dir string) { writeManifest(t, dir, "Fixture", "0.9.0") }, where: `^bundle: dist folder "dist" `, want: "holds Fixture 0.9.0, not Fixture 1.0.0; pass --clean"},
		{setup: func(t *testing.T, dir string) { testfs.WriteFile(t, filepath.Join(dir, "dist", "notes.txt"), "mine") }, where: `^bundle: dist folder "dist" `, want: "holds notes.txt, which bundle did not write; move it out of dist, or pass another --dist"},
		{args: []string{"--clean", "--dist", "."}, where: `^bundle: refusing --clean: dist folder "\." is the project folder `, want: "; pass --dist with a folder for bundle's output only, such as dist"},
	}
	if len(tests) < 20 {
		t.Fatalf("only %d bad inputs", len(tests))
	}
	for _, tt := range tests {
		name := tt.fixture
		if name == "" {
			name = strings.Join(append(tt.env, tt.args...), " ")
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := testfs.CopyProject(t, "testdata/project")
			config := "testdata/config/good/full.yaml"
			if tt.fixture != "" {
				config = "testdata/config/bad/" + tt.fixture + ".yaml"
			}
			testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), config), filepath.Join(dir, "bundle.yaml"))
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before := listTree(t, filepath.Join(dir, "dist"))
			beforeAll := listTree(t, dir)

			r := runBundle(t, dir, append([]string{"SOURCE_DATE_EPOCH=1767225600"}, tt.env...), append([]string{"build"}, tt.args...)...)

			if r.code != 2 {
				t.Fatalf("exit code %d, want 2\nstderr: %s", r.code, r.stderr)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
				t.Errorf("stderr is not exactly one line:\n%s", r.stderr)
			}
			if !regexp.MustCompile(tt.where).MatchString(r.stderr) {
				t.Errorf("stderr does not start with %s:\n%s", tt.where, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, r.stderr)
			}
			for _, trace := range []string{"goroutine ", "panic", ".go:"} {
				if strings.Contains(r.stderr, trace) {
					t.Errorf("stderr looks like a stack trace (%q):\n%s", trace, r.stderr)
				}
			}
			if after := listTree(t, filepath.Join(dir, "dist")); after != before {
				t.Errorf("dist changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if after := listTree(t, dir); after != beforeAll {
				t.Errorf("the project changed:\nbefore:\n%s\nafter:\n%s", beforeAll, after)
			}
		})
	}
}

// writeConfigWithout writes the project's bundle.yaml without line as name.
func writeConfigWithout(t *testing.T, dir, line, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(dir, name), strings.Replace(string(data), line, "", 1))
}

func writeManifest(t *testing.T, dir, name, version string) {
	t.Helper()
	testfs.WriteFile(t, filepath.Join(dir, "dist", "artifacts.json"), `{"name":"`+name+`","version":"`+version+`","artifacts":[]}`)
}
