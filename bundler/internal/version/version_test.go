package version

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
)

func mustParse(t *testing.T, s string) *semver.Version {
	t.Helper()
	v, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1.2.3", "1.2.3", true},
		{"v1.2.3", "1.2.3", true},
		{"1.2.3-rc.1+build.7", "1.2.3-rc.1+build.7", true},
		{"0.0.0", "0.0.0", true},
		{"1.2", "", false},
		{"1", "", false},
		{"1.2.x", "", false},
		{"01.2.3", "", false},
		{"1.2.3-", "", false},
		{"1.2.3-01", "", false},
		{"vv1.2.3", "", false},
		{"", "", false},
		{" 1.2.3", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := Parse(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("Parse(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if tt.ok && v.String() != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, v, tt.want)
			}
			if !tt.ok && !strings.Contains(err.Error(), "MAJOR.MINOR.PATCH") {
				t.Errorf("error does not say what is expected: %v", err)
			}
		})
	}
}

func TestOSForms(t *testing.T) {
	tests := []struct {
		in                  string
		win                 string
		winErr              bool
		msi                 string
		msiErr              bool
		rpmVer, rpmRel      string
		macShort, macBundle string
	}{
		{in: "1.2.3", win: "1.2.3.0", msi: "1.2.3", rpmVer: "1.2.3", rpmRel: "1", macShort: "1.2.3", macBundle: "1.2.3"},
		{in: "v1.2.3-rc.2", win: "1.2.3.2", msi: "1.2.3", rpmVer: "1.2.3", rpmRel: "0.rc.2", macShort: "1.2.3", macBundle: "1.2.3"},
		{in: "1.2.3-beta", win: "1.2.3.0", msi: "1.2.3", rpmVer: "1.2.3", rpmRel: "0.beta", macShort: "1.2.3", macBundle: "1.2.3"},
		{in: "1.2.3-pre-release.4", win: "1.2.3.4", msi: "1.2.3", rpmVer: "1.2.3", rpmRel: "0.pre_release.4", macShort: "1.2.3", macBundle: "1.2.3"},
		{in: "1.2.3+build.9", win: "1.2.3.0", msi: "1.2.3", rpmVer: "1.2.3", rpmRel: "1", macShort: "1.2.3", macBundle: "1.2.3"},
		{in: "255.255.65535", win: "255.255.65535.0", msi: "255.255.65535", rpmVer: "255.255.65535", rpmRel: "1", macShort: "255.255.65535", macBundle: "255.255.65535"},
		{in: "256.0.0", win: "256.0.0.0", msiErr: true, rpmVer: "256.0.0", rpmRel: "1", macShort: "256.0.0", macBundle: "256.0.0"},
		{in: "1.256.0", win: "1.256.0.0", msiErr: true, rpmVer: "1.256.0", rpmRel: "1", macShort: "1.256.0", macBundle: "1.256.0"},
		{in: "1.2.65536", winErr: true, msiErr: true, rpmVer: "1.2.65536", rpmRel: "1", macShort: "1.2.65536", macBundle: "1.2.65536"},
		{in: "65535.65535.65535-rc.65535", win: "65535.65535.65535.65535", msiErr: true, rpmVer: "65535.65535.65535", rpmRel: "0.rc.65535", macShort: "65535.65535.65535", macBundle: "65535.65535.65535"},
		{in: "65536.0.0", winErr: true, msiErr: true, rpmVer: "65536.0.0", rpmRel: "1", macShort: "65536.0.0", macBundle: "65536.0.0"},
		{in: "1.0.0-rc.65536", winErr: true, msi: "1.0.0", rpmVer: "1.0.0", rpmRel: "0.rc.65536", macShort: "1.0.0", macBundle: "1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v := mustParse(t, tt.in)
			win, err := WindowsFile(v)
			if (err != nil) != tt.winErr {
				t.Fatalf("WindowsFile error = %v, want error %v", err, tt.winErr)
			}
			if err == nil && WindowsFileString(win) != tt.win {
				t.Errorf("WindowsFile = %s, want %s", WindowsFileString(win), tt.win)
			}
			msi, err := MSIProduct(v)
			if (err != nil) != tt.msiErr {
				t.Fatalf("MSIProduct error = %v, want error %v", err, tt.msiErr)
			}
			if err == nil && msi != tt.msi {
				t.Errorf("MSIProduct = %s, want %s", msi, tt.msi)
			}
			rv, rr := RPM(v)
			if rv != tt.rpmVer || rr != tt.rpmRel {
				t.Errorf("RPM = %s-%s, want %s-%s", rv, rr, tt.rpmVer, tt.rpmRel)
			}
			if got := MacShort(v); got != tt.macShort {
				t.Errorf("MacShort = %s, want %s", got, tt.macShort)
			}
			if got := MacBundle(v); got != tt.macBundle {
				t.Errorf("MacBundle = %s, want %s", got, tt.macBundle)
			}
			for _, s := range []string{rv, rr, MacShort(v), msi} {
				if strings.HasPrefix(s, "v") {
					t.Errorf("emitted a v prefix: %s", s)
				}
			}
		})
	}
}

func TestLinuxForms(t *testing.T) {
	tests := []struct{ in, apkVer, apkSuffix, arch string }{
		{"1.2.3", "1.2.3", "", "1.2.3"},
		{"1.2.3-rc.1", "1.2.3", "rc1", "1.2.3rc.1"},
		{"1.2.3-beta.12", "1.2.3", "beta12", "1.2.3beta.12"},
		{"1.2.3-alpha", "1.2.3", "alpha0", "1.2.3alpha"},
		{"1.2.4-snapshot.abc1234", "1.2.4", "pre1767225600", "1.2.4snapshot.abc1234"},
		{"1.2.4-snapshot.g1234567", "1.2.4", "pre1767225600", "1.2.4snapshot.g1234567"},
		{"1.2.4-snapshot.1234567", "1.2.4", "pre1767225600", "1.2.4snapshot.1234567"},
		{"1.2.3-nightly", "1.2.3", "pre1767225600", "1.2.3nightly"},
		{"1.2.3-pre-release.2", "1.2.3", "pre2", "1.2.3pre_release.2"},
	}
	for _, tt := range tests {
		v := mustParse(t, tt.in)
		if ver, suf := APK(v, time.Unix(1767225600, 0)); ver != tt.apkVer || suf != tt.apkSuffix {
			t.Errorf("APK(%s) = %s _%s, want %s _%s", tt.in, ver, suf, tt.apkVer, tt.apkSuffix)
		}
		if got := Arch(v); got != tt.arch {
			t.Errorf("Arch(%s) = %s, want %s", tt.in, got, tt.arch)
		}
	}
}

func TestResolvePrecedence(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() // not a git checkout
	tests := []struct {
		name       string
		src        Sources
		want, from string
		wantErr    string
	}{
		{"flag wins", Sources{Flag: "2.0.0", Env: "1.5.0", Config: "1.0.0"}, "2.0.0", "--version", ""},
		{"env next", Sources{Env: "v1.5.0", Config: "1.0.0"}, "1.5.0", "$BUNDLE_VERSION", ""},
		{"config next", Sources{Config: "1.0.0"}, "1.0.0", "bundle.yaml", ""},
		{"bad flag", Sources{Flag: "1.2"}, "", "", "--version: \"1.2\" is not a semantic version"},
		{"bad env", Sources{Env: "latest"}, "", "", "$BUNDLE_VERSION: \"latest\""},
		{"nothing", Sources{}, "", "", "no version: pass --version"},
		{"snapshot of config without git", Sources{Config: "1.2.3", Snapshot: true}, "1.2.4-snapshot", "snapshot", ""},
		{"snapshot of nothing", Sources{Snapshot: true}, "0.0.1-snapshot", "snapshot", ""},
		{"snapshot of a pre-release keeps its core", Sources{Config: "2.0.0-rc.1", Snapshot: true}, "2.0.0-snapshot", "snapshot", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.src.Dir = dir
			r, err := Resolve(ctx, tt.src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Version.String() != tt.want || r.Source != tt.from {
				t.Errorf("got %s from %s, want %s from %s", r.Version, r.Source, tt.want, tt.from)
			}
			if IsSnapshot(r.Version.String()) != tt.src.Snapshot {
				t.Errorf("IsSnapshot(%s) = %v", r.Version, !tt.src.Snapshot)
			}
		})
	}
}

func TestResolveGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed: apt-get install git")
	}
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("add", "a")
	run("commit", "-qm", "one")
	run("tag", "v1.4.0")

	r, err := Resolve(ctx, Sources{Dir: dir})
	if err != nil || r.Version.String() != "1.4.0" || r.Source != "git tag v1.4.0" {
		t.Fatalf("tagged HEAD: got %v from %q, err %v", r.Version, r.Source, err)
	}

	run("commit", "-qm", "two", "--allow-empty")
	if _, err := Resolve(ctx, Sources{Dir: dir}); err == nil || !strings.Contains(err.Error(), "the latest tag is v1.4.0") {
		t.Fatalf("untagged HEAD: error = %v", err)
	}
	r, err = Resolve(ctx, Sources{Dir: dir, Snapshot: true})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^1\.4\.1-snapshot\.[0-9a-z]+$`).MatchString(r.Version.String()) {
		t.Errorf("snapshot = %s, want 1.4.1-snapshot.<sha>", r.Version)
	}
	if _, err := Parse(r.Version.String()); err != nil {
		t.Errorf("snapshot is not valid semver: %v", err)
	}
	if !IsSnapshot(r.Version.String()) {
		t.Errorf("IsSnapshot(%s) = false", r.Version)
	}
}

// TestIsSnapshot: only the versions --snapshot makes are snapshots, so a
// release or another pre-release in dist is never replaced as one.
func TestIsSnapshot(t *testing.T) {
	for v, want := range map[string]bool{
		"0.0.1-snapshot":          true,
		"1.2.4-snapshot.abc1234":  true,
		"1.2.4-snapshot.g0123456": true,
		"1.2.3":                   false,
		"1.2.4-rc.1":              false,
		"1.2.4-snapshots":         false,
		"1.2.4-rc.snapshot":       false,
		"snapshot":                false,
		"":                        false,
	} {
		if got := IsSnapshot(v); got != want {
			t.Errorf("IsSnapshot(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestIdentifier(t *testing.T) {
	for in, want := range map[string]string{"abc1234": "abc1234", "0123456": "g0123456", "1234567": "g1234567"} {
		if got := identifier(in); got != want {
			t.Errorf("identifier(%q) = %q, want %q", in, got, want)
		}
	}
}
