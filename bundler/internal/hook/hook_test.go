package hook

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

func TestHookFileName(t *testing.T) {
	tests := []struct {
		files []string
		want  string
	}{
		{nil, "zz_bundle_hook.go"},
		{[]string{"main.go", "util.go"}, "zz_bundle_hook.go"},
		{[]string{"main.go", "zz_bundle_hook.go"}, "zzz_bundle_hook.go"},
		{[]string{"zzzz_late.go", "main.go"}, "zzzzz_bundle_hook.go"},
	}
	for _, tt := range tests {
		if got := hookFileName(tt.files); got != tt.want {
			t.Errorf("hookFileName(%v) = %s, want %s", tt.files, got, tt.want)
		}
	}
}

func TestSplitOverlay(t *testing.T) {
	rest, overlays := splitOverlay([]string{"-mod=vendor", "-overlay=a.json", "--overlay=b.json", "-race"})
	if strings.Join(rest, " ") != "-mod=vendor -race" || strings.Join(overlays, " ") != "a.json b.json" {
		t.Errorf("rest %v overlays %v", rest, overlays)
	}
}

func TestMergeOverlay(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "user.json")
	os.WriteFile(user, []byte(`{"Replace": {"a.go": "gen/a.go", "/abs/b.go": ""}}`), 0o644)
	replace := map[string]string{"/proj/zz_bundle_hook.go": "/tmp/x"}
	if err := mergeOverlay(replace, user, "/proj"); err != nil {
		t.Fatal(err)
	}
	if replace["/proj/a.go"] != "/proj/gen/a.go" || replace["/abs/b.go"] != "" || len(replace) != 3 {
		t.Errorf("merged %v", replace)
	}
	clash := filepath.Join(dir, "clash.json")
	os.WriteFile(clash, []byte(`{"Replace": {"/proj/zz_bundle_hook.go": "mine.go"}}`), 0o644)
	err := mergeOverlay(replace, clash, "/proj")
	if err == nil || exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "also adds") {
		t.Errorf("clash: %v", err)
	}
}

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.21\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	work := t.TempDir()
	p, err := Prepare(context.Background(), Request{Dir: dir, Main: ".", Guard: "warn", Grace: "2s"}, work)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Injected || p.ImportPath != "example.com/app/internal/zzbundlert/worker" {
		t.Errorf("plan %+v", p)
	}
	data, _ := os.ReadFile(p.Overlay)
	var o struct{ Replace map[string]string }
	json.Unmarshal(data, &o)
	if _, ok := o.Replace[filepath.Join(dir, "zz_bundle_hook.go")]; !ok {
		t.Errorf("no hook file in overlay: %v", o.Replace)
	}
	if _, ok := o.Replace[filepath.Join(dir, "internal", "zzbundlert", "worker", "dispatch.go")]; !ok {
		t.Errorf("no worker source in overlay: %v", o.Replace)
	}
	if want := "-X=example.com/app/internal/zzbundlert/worker.buildGuard=warn"; p.Ldflags[0] != want {
		t.Errorf("ldflags %v", p.Ldflags)
	}
	if last := p.Ldflags[len(p.Ldflags)-1]; !strings.HasSuffix(last, ".buildStamp="+p.Stamp) || !strings.HasPrefix(p.Stamp, StampPrefix) {
		t.Errorf("stamp %q, last ldflag %q", p.Stamp, last)
	}
	// The program's identity: 16 hex digits, the same for the same build,
	// another for another version.
	id := regexp.MustCompile(`\.buildAppID=([0-9a-f]{16})$`)
	idOf := func(version string) string {
		q, err := Prepare(context.Background(), Request{Dir: dir, Main: ".", Guard: "warn", Grace: "2s", Version: version}, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range q.Ldflags {
			if m := id.FindStringSubmatch(f); m != nil {
				return m[1]
			}
		}
		t.Fatalf("no buildAppID in %v", q.Ldflags)
		return ""
	}
	if a, b, c := idOf("1.0.0"), idOf("1.0.0"), idOf("1.0.1"); a != b || a == c {
		t.Errorf("buildAppID %s, %s for one build, %s for another version", a, b, c)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("Prepare wrote into the project: %v", entries)
	}

	os.MkdirAll(filepath.Join(dir, "internal", "zzbundlert", "worker"), 0o755)
	if _, err := Prepare(context.Background(), Request{Dir: dir, Main: ".", Guard: "refuse", Grace: "5s"}, t.TempDir()); err == nil || !strings.Contains(err.Error(), "runtime.hook: false") {
		t.Errorf("existing injection folder: %v", err)
	}
}

// TestPrepareModuleCache: where go has no module cache (HOME unset, no
// GOPATH or GOMODCACHE) and so would refuse the overlay, the plan gives go
// build one in the work folder, and go build then builds the hooked app
// without writing to it; where go has one, the plan leaves it alone.
func TestPrepareModuleCache(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.21\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	cache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Empty is unset to the go command, and GOENV=off keeps `go env -w`
	// settings out.
	base := []string{"GOENV=off", "HOME=", "XDG_CONFIG_HOME=", "GOCACHE=" + strings.TrimSpace(string(cache))}
	tests := []struct {
		name  string
		env   []string
		stand bool // the plan sets a GOMODCACHE of its own
	}{
		{"no HOME", []string{"GOPATH=", "GOMODCACHE="}, true},
		{"GOPATH", []string{"GOPATH=" + filepath.Join(t.TempDir(), "gopath"), "GOMODCACHE="}, false},
		{"GOMODCACHE", []string{"GOPATH=", "GOMODCACHE=" + filepath.Join(t.TempDir(), "mod")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := append(slices.Clip(base), tt.env...)
			work := t.TempDir()
			p, err := Prepare(t.Context(), Request{Dir: dir, Main: ".", Env: env, Guard: "warn", Grace: "2s"}, work)
			if err != nil {
				t.Fatal(err)
			}
			stand := filepath.Join(work, "gomodcache")
			if want := []string{"GOMODCACHE=" + stand}; tt.stand && !slices.Equal(p.Env, want) || !tt.stand && p.Env != nil {
				t.Fatalf("plan's environment %q", p.Env)
			}
			build := exec.Command("go", "build", "-overlay="+p.Overlay, "-o", filepath.Join(work, "app"), ".")
			build.Dir, build.Env = dir, slices.Concat(os.Environ(), env, p.Env)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build with the plan: %v\n%s", err, out)
			}
			if _, err := os.Stat(stand); !os.IsNotExist(err) {
				t.Errorf("go build wrote to the plan's module cache: %v", err)
			}
		})
	}
}

func TestStamped(t *testing.T) {
	const stamp = StampPrefix + "guard=refuse;grace=5s;max_procs=64;end"
	piece := 1 << 20
	tests := []struct {
		name string
		at   int // where the stamp starts; -1: absent
		size int
	}{
		{"absent", -1, 3 * piece},
		{"start", 0, 3 * piece},
		{"end", 3*piece - len(stamp), 3 * piece},
		{"across the first piece's end", piece - 5, 3 * piece},
		{"across a later piece's end", 2*piece + len(stamp) - 7, 3 * piece},
		{"whole file", 0, len(stamp)},
		{"one byte short", -1, len(stamp) - 1},
		{"empty", -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := make([]byte, tt.size)
			if tt.at >= 0 {
				copy(data[tt.at:], stamp)
			} else if tt.size > 0 {
				copy(data, stamp[:tt.size%len(stamp)])
			}
			path := filepath.Join(t.TempDir(), "app")
			os.WriteFile(path, data, 0o755)
			got, err := Stamped(path, stamp)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.at >= 0; got != want {
				t.Errorf("Stamped = %v, want %v", got, want)
			}
		})
	}
	if _, err := Stamped(filepath.Join(t.TempDir(), "missing"), stamp); err == nil {
		t.Error("a missing file gave no error")
	}
}
