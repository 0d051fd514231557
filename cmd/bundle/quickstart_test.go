package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testgit"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestQuickStart follows README's "Quick start for your app" as a newcomer
// does: the commands after `cd your-go-module`, as written, in a new Go
// module, in a fresh git repository and outside git. Each exits 0; the
// release replaces the snapshot, dist ends holding the release alone with a
// checksums.txt that sha256sum -c passes, and git leaves dist out.
func TestQuickStart(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "git", "git")
	testtool.Need(t, "coreutils", "sha256sum")
	commands := quickStart(t)
	release := flagValue(commands[len(commands)-1], "--version")
	if release == "" {
		t.Fatalf("the quick start's last command, %q, builds no release with --version", strings.Join(commands[len(commands)-1], " "))
	}
	// The user's git configuration must not ignore dist for init.
	env := []string{"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1"}
	tests := []struct {
		name     string
		git      bool
		snapshot string // what --snapshot's version matches
	}{
		{"in a git repository", true, `^0\.0\.1-snapshot\.[0-9a-f]{7,}$`},
		{"outside git", false, `^0\.0\.1-snapshot$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "greeter")
			testfs.WriteFile(t, filepath.Join(dir, "go.mod"), "module example.com/greeter\n\ngo 1.22\n")
			testfs.WriteFile(t, filepath.Join(dir, "main.go"), "// Greeter greets whoever runs it.\npackage main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n")
			testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "LICENSE"), filepath.Join(dir, "LICENSE"))
			if tt.git {
				testgit.Run(t, dir, "init", "-q")
				testgit.Run(t, dir, "add", "-A")
				testgit.Run(t, dir, "commit", "-q", "-m", "first")
			}
			dist := filepath.Join(dir, "dist")
			var last result
			for _, args := range commands {
				line := strings.Join(args, " ")
				last = runBundle(t, dir, env, args[1:]...)
				if last.code == 3 { // a tool the build needs is missing
					testtool.Missing(t, fmt.Sprintf("%s: %s", line, last.stderr))
				}
				if last.code != 0 {
					t.Fatalf("%s: exit %d\n%s%s", line, last.code, last.stdout, last.stderr)
				}
				if slices.Contains(args, "--snapshot") {
					if v := testfs.ReadManifest(t, dist).Version; !regexp.MustCompile(tt.snapshot).MatchString(v) {
						t.Errorf("%s built %s, want a version matching %s", line, v, tt.snapshot)
					}
				}
			}
			if !strings.Contains(last.stdout, "replaced the snapshot build Greeter 0.0.1-snapshot") {
				t.Errorf("the release does not say it replaced the snapshot:\n%s", last.stdout)
			}

			m := testfs.ReadManifest(t, dist)
			want := []string{"artifacts.json", "checksums.txt"}
			for _, a := range m.Artifacts {
				want = append(want, a.Path)
			}
			var got []string
			entries, err := os.ReadDir(dist)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if m.Version != release || len(m.Artifacts) == 0 || !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("dist holds %s: %v; want %s and only its artifacts", m.Version, got, release)
			}
			if r := runIn(t, dist, nil, "sha256sum", "--check", "--strict", "checksums.txt"); r.code != 0 || strings.Count(r.stdout, ": OK\n") != len(m.Artifacts) {
				t.Errorf("sha256sum -c checksums.txt: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			if !tt.git {
				testgit.Run(t, dir, "init", "-q") // what the newcomer does next
			}
			if status := testgit.Run(t, dir, "status", "--porcelain"); strings.Contains(status, "dist") {
				t.Errorf("git status shows dist, which `git add -A` would commit:\n%s", status)
			}
			if status := testgit.Run(t, dir, "status", "--porcelain", "--ignored"); !slices.Contains(strings.Split(status, "\n"), "!! dist/") {
				t.Errorf("git status --ignored does not show dist ignored:\n%s", status)
			}
		})
	}
}

// quickStart returns the commands of README's quick start that follow
// `cd your-go-module`, each as its words, comments left out. Each must be
// a bundle command that needs no shell.
func quickStart(t *testing.T) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testfs.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Quick start for your app\n")
	_, block, fenced := strings.Cut(section, "```sh\n")
	block, _, closed := strings.Cut(block, "\n```")
	if !ok || !fenced || !closed {
		t.Fatal("README.md has no ```sh block under ## Quick start for your app")
	}
	var commands [][]string
	started := false
	for line := range strings.Lines(block) {
		cmd, _, _ := strings.Cut(line, "#")
		cmd = strings.TrimSpace(cmd)
		switch {
		case cmd == "":
		case !started:
			started = strings.HasPrefix(cmd, "cd your-go-module")
		case strings.ContainsAny(cmd, "\"'`$|&;<>()*?\\"):
			t.Fatalf("README's quick start runs %q, which needs a shell; this test runs plain commands", cmd)
		case !strings.HasPrefix(cmd, "bundle "):
			t.Fatalf("README's quick start runs %q, which is not a bundle command", cmd)
		default:
			commands = append(commands, strings.Fields(cmd))
		}
	}
	if len(commands) == 0 {
		t.Fatal("README's quick start has no commands after cd your-go-module")
	}
	return commands
}

// flagValue is the value of a flag among args, written "--flag value" or
// "--flag=value"; "" when it is not there.
func flagValue(args []string, flag string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
