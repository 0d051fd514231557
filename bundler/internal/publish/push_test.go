package publish

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/internal/forgetest"
	"github.com/bundlekit/bundle/internal/testgit"
	"github.com/bundlekit/bundle/internal/testtool"
)

// distWith writes a finished dist of version 1.2.3 holding files, each a
// name, its format and its content.
func distWith(t *testing.T, files [][3]string) string {
	t.Helper()
	dir := t.TempDir()
	m := artifact.Manifest{Name: "hello", Version: "1.2.3"}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f[0]), []byte(f[2]), 0o644); err != nil {
			t.Fatal(err)
		}
		size, sum, err := hashFile(dir, f[0])
		if err != nil {
			t.Fatal(err)
		}
		m.Artifacts = append(m.Artifacts, artifact.Artifact{Path: f[0], OS: "all", Arch: "all", Format: f[1], Size: size, SHA256: sum})
	}
	m.Sort()
	data, _ := m.JSON()
	os.WriteFile(filepath.Join(dir, artifact.ManifestName), data, 0o644)
	os.WriteFile(filepath.Join(dir, artifact.ChecksumsName), m.Checksums(), 0o644)
	return dir
}

// bareRepo is a git repository that stands for an AUR package's, with
// its first commit, as the AUR makes one.
func bareRepo(t *testing.T) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "hello-bin.git")
	testgit.Run(t, "", "init", "-q", "--bare", "--initial-branch=master", bare)
	seed := t.TempDir()
	testgit.Run(t, seed, "clone", "-q", bare, "w")
	w := filepath.Join(seed, "w")
	testgit.Run(t, w, "commit", "-q", "--allow-empty", "-m", "Initial")
	testgit.Run(t, w, "push", "-q", "origin", "HEAD:master")
	return bare
}

// TestPushManifests publishes a release whose manifests go to a tap and
// a bucket (the stand-in's contents API) and an AUR repository (git):
// one commit each; again, nothing; with a new cask, one more commit on
// top of the last, never a forced one.
func TestPushManifests(t *testing.T) {
	testtool.Need(t, "git", "git")
	g := forgetest.NewGitHub(t)
	g.AddRepo("octo-org/homebrew-tap", map[string][]byte{"README.md": []byte("tap\n")})
	g.AddRepo("octo-org/scoop-bucket", nil)
	bare := bareRepo(t)
	project := t.TempDir()
	cfg := filepath.Join(project, "bundle.yaml")
	os.WriteFile(cfg, []byte("name: Hello\nbinary: hello\npackage_managers:\n  url: https://example.com/d/\n"+
		"  homebrew: {tap: octo-org/homebrew-tap, token_env: TAP_TOKEN}\n  scoop: {bucket: octo-org/scoop-bucket}\n"+
		"  aur: {git: 'file://"+bare+"'}\n"), 0o644)
	files := [][3]string{
		{"hello.rb", "homebrew-cask", "cask \"hello\" do\nend\n"},
		{"hello.json", "scoop-manifest", "{}\n"},
		{"hello-bin.PKGBUILD", "aur-pkgbuild", "pkgname=hello-bin\n"},
		{"hello-bin.SRCINFO", "aur-srcinfo", "pkgbase = hello-bin\n"},
	}
	env := map[string]string{"GITHUB_TOKEN": g.Token, "TAP_TOKEN": g.Token}
	publish := func(dist string) (Summary, error) {
		return Release(context.Background(), Settings{Dist: dist, API: g.API(), Repo: g.Repo(), Project: project, Config: cfg,
			Getenv: func(k string) string { return env[k] }})
	}
	aurLog := func() []string {
		out, _ := exec.Command("git", "--git-dir", bare, "log", "--format=%s", "master").Output()
		return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(out)), " ", "_"))
	}

	dist := distWith(t, files)
	res, err := publish(dist)
	if err != nil || len(res.Pushed) != 3 {
		t.Fatalf("publish: %+v, %v", res, err)
	}
	tap, commits := g.Files("octo-org/homebrew-tap")
	if string(tap["Casks/hello.rb"]) != files[0][2] || string(tap["README.md"]) != "tap\n" || commits != 1 {
		t.Errorf("the tap: %q, %d commits", tap, commits)
	}
	bucket, commits := g.Files("octo-org/scoop-bucket")
	if string(bucket["bucket/hello.json"]) != files[1][2] || commits != 1 {
		t.Errorf("the bucket: %q, %d commits", bucket, commits)
	}
	show := func(path string) string {
		out, _ := exec.Command("git", "--git-dir", bare, "show", "master:"+path).Output()
		return string(out)
	}
	if show("PKGBUILD") != files[2][2] || show(".SRCINFO") != files[3][2] || len(aurLog()) != 2 {
		t.Errorf("the AUR repository: %q, %q, log %v", show("PKGBUILD"), show(".SRCINFO"), aurLog())
	}

	// Again: every file is there already.
	if res, err := publish(dist); err != nil || res.Published {
		t.Fatalf("second publish: %+v, %v", res, err)
	}
	if _, c1 := g.Files("octo-org/homebrew-tap"); c1 != 1 || len(aurLog()) != 2 {
		t.Errorf("the second run committed: tap %d, AUR %v", c1, aurLog())
	}

	// The next version (another tag) changes the cask and the PKGBUILD.
	os.WriteFile(cfg, append(mustRead(t, cfg), []byte("version: 1.2.4\n")...), 0o644)
	next := [][3]string{
		{"hello.rb", "homebrew-cask", "cask \"hello\" do\n  version \"1.2.4\"\nend\n"},
		{"hello.json", "scoop-manifest", "{}\n"},
		{"hello-bin.PKGBUILD", "aur-pkgbuild", "pkgname=hello-bin\npkgver=1.2.4\n"},
		{"hello-bin.SRCINFO", "aur-srcinfo", "pkgbase = hello-bin\n"},
	}
	dist2 := distWith(t, next)
	setVersion(t, dist2, "1.2.4")
	if _, err := publish(dist2); err != nil {
		t.Fatalf("publish 1.2.4: %v", err)
	}
	tap, commits = g.Files("octo-org/homebrew-tap")
	if string(tap["Casks/hello.rb"]) != next[0][2] || commits != 2 {
		t.Errorf("the tap after 1.2.4: %d commits", commits)
	}
	if _, c := g.Files("octo-org/scoop-bucket"); c != 1 {
		t.Errorf("the unchanged bucket got %d commits", c)
	}
	if l := aurLog(); len(l) != 3 || l[0] != "Update_to_1.2.4" || show("PKGBUILD") != next[2][2] {
		t.Errorf("the AUR log after 1.2.4: %v", l)
	}
}

// TestPushRefusals: a tap without its token, or a dist without the
// manifest a repository is named for, stops before anything is sent.
func TestPushRefusals(t *testing.T) {
	g := forgetest.NewGitHub(t)
	project := t.TempDir()
	cfg := filepath.Join(project, "bundle.yaml")
	dist := distWith(t, [][3]string{{"hello.rb", "homebrew-cask", "cask\n"}})
	for _, tt := range []struct{ yaml, want string }{
		{"  homebrew: {tap: octo-org/tap, token_env: TAP_TOKEN}\n", "package_managers.homebrew.token_env: $TAP_TOKEN is not set"},
		{"  scoop: {bucket: octo-org/bucket}\n", "package_managers.scoop.bucket: " + dist + " holds 0 Scoop manifests"},
		{"  aur: {git: 'ssh://aur@aur.archlinux.org/hello-bin.git', key_env: AUR_KEY}\n", "package_managers.aur"},
	} {
		os.WriteFile(cfg, []byte("name: Hello\nbinary: hello\npackage_managers:\n  url: https://example.com/d/\n"+tt.yaml), 0o644)
		_, err := Release(context.Background(), Settings{Dist: dist, API: g.API(), Repo: g.Repo(), Project: project, Config: cfg,
			Getenv: func(k string) string { return map[string]string{"GITHUB_TOKEN": g.Token}[k] }})
		if err == nil || !strings.Contains(err.Error(), tt.want) || exitcode.Of(err) != exitcode.Usage {
			t.Errorf("%s: %v; want exit 2 and %q", strings.TrimSpace(tt.yaml), err, tt.want)
		}
		if n := len(g.Log()); n > 0 {
			t.Errorf("%s: %d requests reached the server", strings.TrimSpace(tt.yaml), n)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// setVersion rewrites the version of dist's artifacts.json.
func setVersion(t *testing.T, dist, v string) {
	t.Helper()
	m, err := artifact.ReadManifest(dist)
	if err != nil {
		t.Fatal(err)
	}
	m.Version = v
	data, _ := m.JSON()
	os.WriteFile(filepath.Join(dist, artifact.ManifestName), data, 0o644)
}
