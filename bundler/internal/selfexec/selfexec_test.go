package selfexec

import (
	"context"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fixtureEnv keeps the fixtures offline and independent of the machine running the tests.
var fixtureEnv = []string{"GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"}

// summary is a finding in the form the tests compare: where, which call, and where the path came from.
func summary(f Finding) string {
	if !f.Pos.IsValid() {
		return fmt.Sprintf("%s: %s (%s)", f.Module, f.Call, f.Via)
	}
	return fmt.Sprintf("%s:%d:%d: %s (%s)", filepath.ToSlash(f.Pos.Filename), f.Pos.Line, f.Pos.Column, f.Call, f.Via)
}

// appsFindings loads every package of the apps fixture in one Find, so the go command runs once;
// the cases below pick their package's findings out of it.
var appsFindings = sync.OnceValues(func() ([]Finding, error) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "apps", "cmd"))
	if err != nil {
		return nil, err
	}
	var patterns []string
	for _, d := range dirs {
		if d.Name() != "broken" {
			patterns = append(patterns, "./cmd/"+d.Name())
		}
	}
	return Find(context.Background(), Options{Dir: filepath.Join("testdata", "apps"), Patterns: patterns, Env: fixtureEnv})
})

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		dir  string // package directory under testdata/apps
		want []string
	}{
		{name: "direct", dir: "cmd/direct", want: []string{
			"cmd/direct/main.go:15:12: exec.Command (os.Executable())",
		}},
		{name: "variable through EvalSymlinks, Clean and Abs", dir: "cmd/evalsymlinks", want: []string{
			"cmd/evalsymlinks/main.go:24:9: exec.Command (os.Executable())",
		}},
		{name: "os.Args[0], as given and through LookPath", dir: "cmd/argszero", want: []string{
			"cmd/argszero/main.go:10:6: exec.Command (os.Args[0])",
			"cmd/argszero/main.go:16:6: exec.Command (os.Args[0])",
		}},
		{name: "/proc/self/exe, literal and constant", dir: "cmd/procself", want: []string{
			`cmd/procself/main.go:9:6: exec.Command ("/proc/self/exe")`,
			`cmd/procself/main.go:10:6: exec.Command ("/proc/self/exe")`,
		}},
		{name: "exec.CommandContext", dir: "cmd/commandcontext", want: []string{
			"cmd/commandcontext/main.go:15:6: exec.CommandContext (os.Executable())",
		}},
		{name: "os.StartProcess", dir: "cmd/startprocess", want: []string{
			"cmd/startprocess/main.go:12:12: os.StartProcess (os.Executable())",
		}},
		{name: "syscall.ForkExec and syscall.Exec", dir: "cmd/syscallexec", want: []string{
			"cmd/syscallexec/main.go:12:10: syscall.ForkExec (os.Executable())",
			"cmd/syscallexec/main.go:15:6: syscall.Exec (os.Executable())",
		}},
		{name: "renamed and dot imports", dir: "cmd/aliased", want: []string{
			"cmd/aliased/main.go:11:6: exec.Command (os.Executable())",
		}},
		{name: "exec.Cmd Path in literals and assigned", dir: "cmd/cmdpath", want: []string{
			"cmd/cmdpath/main.go:11:22: exec.Cmd.Path (os.Executable())",
			"cmd/cmdpath/main.go:15:2: exec.Cmd.Path (os.Executable())",
			"cmd/cmdpath/main.go:19:33: exec.Cmd.Path (os.Executable())",
		}},
		{name: "package-level variables", dir: "cmd/pkgvar", want: []string{
			"cmd/pkgvar/main.go:24:6: exec.Command (os.Executable())",
			`cmd/pkgvar/main.go:25:6: exec.Command ("/proc/self/exe")`,
			"cmd/pkgvar/main.go:26:6: exec.Command (os.Args[0])",
		}},
		{name: "through parameters, results and a struct field", dir: "cmd/helpers", want: []string{
			"cmd/helpers/main.go:23:9: exec.Command (os.Executable())",
			"cmd/helpers/main.go:31:9: exec.Command (os.Executable())",
			"cmd/helpers/main.go:35:6: exec.Command (os.Executable())",
		}},
		{name: "supervisor restarting itself in a loop", dir: "cmd/supervisor", want: []string{
			"cmd/supervisor/main.go:28:10: exec.Command (os.Executable())",
		}},
		{name: "own path from another package of the module", dir: "cmd/crosspkg", want: []string{
			"cmd/crosspkg/main.go:11:6: exec.Command (os.Executable())",
			"cmd/crosspkg/main.go:12:6: exec.Command (os.Executable())",
		}},
		{name: "launches in another package, given the path through a parameter and a field", dir: "internal/self", want: []string{
			"internal/self/self.go:30:9: exec.Command (os.Executable())",
			"internal/self/self.go:35:9: exec.Command (os.Executable())",
		}},
		{name: "file excluded by build tags", dir: "cmd/tagged"},
		{name: "file for another GOOS", dir: "cmd/crossos"},
		{name: "other programs, own path only as an argument", dir: "cmd/otherprograms"},
		{name: "local Command function and Path field", dir: "cmd/localcommand"},
		{name: "program from a flag or a config file", dir: "cmd/flagpath"},
		{name: "helper next to the executable", dir: "cmd/sibling"},
		{name: "no exec at all", dir: "cmd/noexec"},
	}
	findings, err := appsFindings()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inDir []Finding
			for _, f := range findings {
				if strings.HasPrefix(filepath.ToSlash(f.Pos.Filename), tt.dir+"/") {
					inDir = append(inDir, f)
				}
			}
			checkFindings(t, inDir, tt.want)
		})
	}
}

// TestFindFixes checks that only an in-place exec, which keeps the process id, gets the in-place advice.
func TestFindFixes(t *testing.T) {
	findings, err := appsFindings()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		want := fixSpawn
		if f.Call == "syscall.Exec" {
			want = fixInPlace
		}
		if f.Fix != want {
			t.Errorf("%s: fix %q, want %q", summary(f), f.Fix, want)
		}
	}
}

func TestFindSeparateLoads(t *testing.T) {
	tests := []struct {
		name       string
		fixture    string // directory under testdata
		pkg        string
		buildFlags []string
		env        []string // replaces fixtureEnv's settings of the same variables
		want       []string
	}{
		{name: "build tags are passed on", fixture: "apps", pkg: "./cmd/tagged", buildFlags: []string{"-tags=relaunch"}, want: []string{
			"cmd/tagged/relaunch.go:11:6: exec.Command (os.Args[0])",
		}},
		{name: "cross-compiling for another GOOS", fixture: "apps", pkg: "./cmd/crossos", env: []string{"GOOS=windows", "GOARCH=amd64"}, want: []string{
			"cmd/crossos/relaunch_windows.go:11:9: exec.Command (os.Executable())",
		}},
		{name: "known library imported directly, after the app's own launch", fixture: "library", pkg: "./cmd/mobyapp", want: []string{
			"cmd/mobyapp/main.go:14:6: exec.Command (os.Args[0])",
			"github.com/moby/sys/reexec: github.com/moby/sys/reexec (github.com/moby/sys/reexec)",
		}},
		{name: "golang.org/x/telemetry, which starts the app again at once", fixture: "library", pkg: "./cmd/telemetryapp", want: []string{
			"golang.org/x/telemetry: golang.org/x/telemetry (golang.org/x/telemetry)",
		}},
		{name: "known libraries, one through another dependency, sorted by module", fixture: "library", pkg: "./cmd/dockerapp", want: []string{
			"github.com/docker/docker: github.com/docker/docker/pkg/reexec (github.com/docker/docker/pkg/reexec)",
			"github.com/moby/sys/reexec: github.com/moby/sys/reexec (github.com/moby/sys/reexec)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings, err := Find(context.Background(), Options{
				Dir:        filepath.Join("testdata", tt.fixture),
				Patterns:   []string{tt.pkg},
				Env:        withEnv(fixtureEnv, tt.env...),
				BuildFlags: tt.buildFlags,
			})
			if err != nil {
				t.Fatal(err)
			}
			checkFindings(t, findings, tt.want)
		})
	}
}

// withEnv returns env with the settings added, each replacing any earlier setting of its variable.
func withEnv(env []string, settings ...string) []string {
	out := slices.Clone(env)
	for _, s := range settings {
		name, _, _ := strings.Cut(s, "=")
		out = slices.DeleteFunc(out, func(e string) bool { return strings.HasPrefix(e, name+"=") })
		out = append(out, s)
	}
	return out
}

func checkFindings(t *testing.T, findings []Finding, want []string) {
	t.Helper()
	var got []string
	for _, f := range findings {
		got = append(got, summary(f))
		if f.Fix == "" {
			t.Errorf("%s: no fix", summary(f))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFindErrors(t *testing.T) {
	tests := []struct {
		name    string
		fixture string // directory under testdata
		pkg     string
		want    []string // parts of the error message
	}{
		{name: "type error", fixture: "apps", pkg: "./cmd/broken", want: []string{
			"selfexec: load ./cmd/broken: example.com/fixture/cmd/broken: ", "main.go:5:2: undefined: undefinedHelper",
		}},
		{name: "type error in a dependency", fixture: "library", pkg: "./cmd/brokendep", want: []string{
			"selfexec: load ./cmd/brokendep: github.com/docker/docker/pkg/broken: ", "broken.go:5:29: undefined: undefinedStarter",
		}},
		{name: "no such package", fixture: "apps", pkg: "./cmd/missing", want: []string{
			"selfexec: load ./cmd/missing: ./cmd/missing: ", "directory not found",
		}},
		{name: "no such directory", fixture: "missing", pkg: ".", want: []string{"selfexec: stat ", "missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Find(context.Background(), Options{Dir: filepath.Join("testdata", tt.fixture), Patterns: []string{tt.pkg}, Env: fixtureEnv})
			if err == nil {
				t.Fatal("no error")
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestFindingString(t *testing.T) {
	tests := []struct {
		name    string
		finding Finding
		want    string
	}{
		{
			name: "in the app's code",
			finding: Finding{
				Pos:  token.Position{Filename: "main.go", Line: 12, Column: 9},
				Call: "exec.Command",
				Via:  viaExecutable,
				Fix:  fixSpawn,
			},
			want: "main.go:12:9: exec.Command runs the app's own executable (os.Executable()); " + fixSpawn,
		},
		{
			name: "in-place exec",
			finding: Finding{
				Pos:  token.Position{Filename: "cmd/app/main.go", Line: 3, Column: 2},
				Call: "syscall.Exec",
				Via:  viaArgs0,
				Fix:  fixInPlace,
			},
			want: "cmd/app/main.go:3:2: syscall.Exec runs the app's own executable (os.Args[0]); " + fixInPlace,
		},
		{
			name:    "known library",
			finding: Finding{Call: "github.com/cloudflare/tableflip", Via: "github.com/cloudflare/tableflip", Module: "github.com/cloudflare/tableflip", Does: "it hands over", Fix: fixGuard},
			want:    "github.com/cloudflare/tableflip: known self-relaunch library: it hands over; " + fixGuard,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.finding.String(); got != tt.want {
				t.Errorf("String() = %q\nwant        %q", got, tt.want)
			}
		})
	}
}

// BenchmarkFind measures one Find over an app of two packages, as bundle build runs it for each
// target, with the build cache warmed by the first run.
func BenchmarkFind(b *testing.B) {
	o := Options{Dir: filepath.Join("testdata", "apps"), Patterns: []string{"./cmd/crosspkg"}, Env: fixtureEnv}
	for b.Loop() {
		findings, err := Find(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		if len(findings) != 4 {
			b.Fatalf("%d findings, want 4", len(findings))
		}
	}
}

// TestReport: under refuse a finding is a warning with its fix; under chain, warn and off it is a
// note saying what happens at run time.
func TestReport(t *testing.T) {
	spawn := Finding{Pos: token.Position{Filename: "main.go", Line: 27, Column: 10}, Call: "exec.Command", Via: viaExecutable, Fix: fixSpawn}
	inPlace := Finding{Pos: token.Position{Filename: "main.go", Line: 3, Column: 2}, Call: "syscall.Exec", Via: viaArgs0, Fix: fixInPlace}
	lib := Finding{Call: "golang.org/x/telemetry", Via: "golang.org/x/telemetry", Module: "golang.org/x/telemetry", Does: "it runs the app again", Chain: chainOtherCall, Fix: fixGuard}
	tests := []struct {
		finding Finding
		guard   string
		want    string
		warning bool
	}{
		{spawn, "chain", "main.go:27:10: exec.Command runs the app's own executable (os.Executable()); under runtime.guard: chain the copy runs main(), and a copy of a copy making the same call runs only once its starter has exited, so a naive relaunch cannot multiply", false},
		{spawn, "refuse", "main.go:27:10: exec.Command runs the app's own executable (os.Executable()); under runtime.guard: refuse the copy exits 77 at run time; " + fixSpawn, true},
		{spawn, "warn", "main.go:27:10: exec.Command runs the app's own executable (os.Executable()); under runtime.guard: warn the copy runs main() with a warning on stderr (the depth limit and runtime.max_procs still hold)", false},
		{spawn, "off", "main.go:27:10: exec.Command runs the app's own executable (os.Executable()); under runtime.guard: off the copy runs main() unchecked", false},
		{inPlace, "chain", "main.go:3:2: syscall.Exec replaces the app with its own executable (os.Args[0]); under runtime.guard: chain the new image runs main(): it starts no process", false},
		{inPlace, "refuse", "main.go:3:2: syscall.Exec replaces the app with its own executable (os.Args[0]); under runtime.guard: refuse it passes the guard once; " + fixInPlace, true},
		{lib, "chain", "golang.org/x/telemetry: known self-relaunch library: it runs the app again; under runtime.guard: chain the copy runs: it makes another call than the app", false},
		{lib, "refuse", "golang.org/x/telemetry: known self-relaunch library: it runs the app again; under runtime.guard: refuse the copy it starts exits 77 at run time; " + fixGuard, true},
		{lib, "warn", "golang.org/x/telemetry: known self-relaunch library: it runs the app again; under runtime.guard: warn the copy runs main() with a warning on stderr (the depth limit and runtime.max_procs still hold)", false},
	}
	for _, tt := range tests {
		got, warning := tt.finding.Report(tt.guard)
		if got != tt.want || warning != tt.warning {
			t.Errorf("Report(%s) = %q, %v\nwant             %q, %v", tt.guard, got, warning, tt.want, tt.warning)
		}
	}
}
