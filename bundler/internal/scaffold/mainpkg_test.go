package scaffold

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestChooseMain(t *testing.T) {
	c := func(main, ip string) candidate { return candidate{Main: main, ImportPath: ip} }
	for _, tc := range []struct {
		name     string
		cands    []candidate
		names    []string
		released []string
		want     []string
	}{
		{"gh: a dev tool sorts first by name but is not the app",
			[]candidate{c("./cmd/gen-docs", "github.com/cli/cli/v2/cmd/gen-docs"), c("./cmd/gh", "github.com/cli/cli/v2/cmd/gh"), c("./script", "github.com/cli/cli/v2/script")},
			[]string{"cli", "cli"}, nil,
			[]string{"./cmd/gh", "./script", "./cmd/gen-docs"}},
		{"GoReleaser's builds[].main wins",
			[]candidate{c("./cmd/gen-docs", "x/cmd/gen-docs"), c("./cmd/gh", "x/cmd/gh")},
			[]string{"cli"}, []string{"cmd/gen-docs/main.go"},
			[]string{"./cmd/gen-docs", "./cmd/gh"}},
		{"caddy: the one named after the module",
			[]candidate{c("./cmd/aaa", "github.com/caddyserver/caddy/v2/cmd/aaa"), c("./cmd/caddy", "github.com/caddyserver/caddy/v2/cmd/caddy")},
			[]string{"caddy"}, nil,
			[]string{"./cmd/caddy", "./cmd/aaa"}},
		{"fzf: the root, named after the module",
			[]candidate{c("./src/tools", "github.com/junegunn/fzf/src/tools"), c(".", "github.com/junegunn/fzf")},
			[]string{"fzf"}, nil,
			[]string{".", "./src/tools"}},
		{"the repository folder's name counts too",
			[]candidate{c("./cmd/a", "example.com/m/cmd/a"), c("./cmd/tool", "example.com/m/cmd/tool")},
			[]string{"m", "tool"}, nil,
			[]string{"./cmd/tool", "./cmd/a"}},
		{"root before cmd/, cmd/ before others, examples last",
			[]candidate{c("./examples/demo", "m/examples/demo"), c("./other", "m/other"), c("./cmd/x", "m/cmd/x"), c(".", "m")},
			[]string{"zzz"}, nil,
			[]string{".", "./cmd/x", "./other", "./examples/demo"}},
		{"shallower, then by path",
			[]candidate{c("./cmd/b/c", "m/cmd/b/c"), c("./cmd/b", "m/cmd/b"), c("./cmd/a", "m/cmd/a")},
			nil, nil,
			[]string{"./cmd/a", "./cmd/b", "./cmd/b/c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range chooseMain(tc.cands, tc.names, tc.released) {
				got = append(got, c.Main)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLastElem(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/cli/cli/v2": "cli", "github.com/junegunn/fzf": "fzf", "github.com/caddyserver/caddy/v2/cmd/caddy": "caddy",
		"tool": "tool", "v2": "v2", "example.com/x/v10": "x", "example.com/x/v2beta": "v2beta",
	} {
		if got := lastElem(in); got != want {
			t.Errorf("lastElem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReleasedMains(t *testing.T) {
	dir := t.TempDir()
	if got := releasedMains(dir); got != nil {
		t.Errorf("no config: %v", got)
	}
	cfg := "version: 2\nbuilds:\n  - id: macos\n    main: ./cmd/gh\n  - id: linux\n    main: ./cmd/gh/main.go\n"
	if err := os.WriteFile(filepath.Join(dir, ".goreleaser.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	got := releasedMains(dir)
	if !reflect.DeepEqual(got, []string{"./cmd/gh", "./cmd/gh/main.go"}) || !containsPath(got, "./cmd/gh") {
		t.Errorf("got %v", got)
	}
	if err := os.WriteFile(filepath.Join(dir, ".goreleaser.yml"), []byte("builds: [:"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := releasedMains(dir); got != nil {
		t.Errorf("broken config: %v", got)
	}
}

func TestReverseDNS(t *testing.T) {
	for _, tc := range []struct{ mod, binary, want string }{
		{"github.com/cli/cli/v2", "gh", "com.github.cli.cli"},
		{"github.com/junegunn/fzf", "fzf", "com.github.junegunn.fzf"},
		{"fixture", "fixture", "com.example.fixture"},
	} {
		if got := reverseDNS(tc.mod, tc.binary); got != tc.want {
			t.Errorf("reverseDNS(%q) = %q, want %q", tc.mod, got, tc.want)
		}
	}
}
