package runtimehooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestWorkerSource(t *testing.T) {
	files, err := WorkerSource()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"doc.go", "worker.go", "guard.go", "os_linux.go", "os_windows.go"} {
		if _, ok := files[want]; !ok {
			t.Errorf("WorkerSource lacks %s", want)
		}
	}
	fset := token.NewFileSet()
	for name, src := range files {
		if strings.HasSuffix(name, "_test.go") {
			t.Errorf("WorkerSource includes test file %s", name)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if f.Name.Name != "worker" {
			t.Errorf("%s: package %s, want worker", name, f.Name.Name)
		}
		// An import comment ("package worker // import ...") would pin the
		// package to one path; the bundler places it under the user's module.
		if bytes.Contains(src, []byte("// import \"")) {
			t.Errorf("%s has an import comment", name)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: the worker package may import only the standard library", name, path)
			}
		}
	}
}

// oldestGo is the oldest go directive of a user's go.mod that the injected
// worker source must compile under: the bundler places it inside the
// user's module, so the module's language version applies to it (fzf's
// go.mod says go 1.20, and built-in max, for one, needs 1.21).
const oldestGo = "1.16"

// TestWorkerSourceBuildsInOldModules compiles the worker source, as the
// bundler injects it, in a module whose go.mod says go 1.16, for each OS
// bundle targets.
func TestWorkerSourceBuildsInOldModules(t *testing.T) {
	files, err := WorkerSource()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkg := filepath.Join(dir, "internal", "zzbundlert", "worker")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(pkg, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/old\n\ngo "+oldestGo+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		cmd := exec.Command("go", "vet", "./...")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOFLAGS=", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=%s: the worker source does not compile in a go %s module: %v\n%s", goos, oldestGo, err, out)
		}
	}
}

// TestInjectedGuard injects the worker source into a naive program the way
// the bundler does (a new package inside the program's module, added with
// go build -overlay, plus a generated init that calls Dispatch) and checks
// that the program's self re-exec is refused, let through once in mode
// chain, or only warned about in mode warn, set with -ldflags -X.
func TestInjectedGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	files, err := WorkerSource()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mod := filepath.Join(dir, "app")
	gen := filepath.Join(dir, "gen")
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/app\n\ngo 1.21\n")
	writeFile(t, filepath.Join(mod, "main.go"), naiveProgram)

	overlay := map[string]string{}
	for name, src := range files {
		genPath := filepath.Join(gen, "worker", name)
		writeFile(t, genPath, string(src))
		overlay[filepath.Join(mod, "internal", "zzbundlert", "worker", name)] = genPath
	}
	hook := filepath.Join(gen, "zz_bundle_hook.go")
	writeFile(t, hook, generatedHook)
	overlay[filepath.Join(mod, "zz_bundle_hook.go")] = hook
	overlayJSON, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(gen, "overlay.json"), string(overlayJSON))
	jail := buildJail(t, dir)

	const pkg = "example.com/app/internal/zzbundlert/worker"
	for _, tt := range []struct {
		name, ldflags, want, message string
		messages                     int
	}{
		{name: "refuse", want: "generation 0\nchild exit 77\n", message: "refused to run main() again", messages: 1},
		{name: "chain", ldflags: "-X " + pkg + ".buildGuard=chain", want: "generation 0\ngeneration 1\nchild exit 77\n", message: "refused to run main() in the third copy of one call (the same arguments in the same folder), nested", messages: 1},
		{name: "warn", ldflags: "-X " + pkg + ".buildGuard=warn", want: "generation 0\ngeneration 1\ngeneration 2\n", message: "warning: main() runs again", messages: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			exe := filepath.Join(dir, "app-"+tt.name)
			build := exec.Command(gocmd, "build", "-overlay", filepath.Join(gen, "overlay.json"), "-ldflags", tt.ldflags, "-o", exe, ".")
			build.Dir = mod
			build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			if _, err := os.Stat(filepath.Join(mod, "internal")); err == nil {
				t.Fatal("the build wrote into the module directory")
			}
			run := exec.Command(jail, "-timeout", "30s", "--", exe)
			run.Env = append(os.Environ(), "BUNDLE_RT_GUARD=")
			var stdout, stderr bytes.Buffer
			run.Stdout, run.Stderr = &stdout, &stderr
			if err := run.Run(); err != nil {
				t.Fatalf("%s: %v\n%s", exe, err, stderr.String())
			}
			if stdout.String() != tt.want {
				t.Errorf("stdout %q, want %q; stderr %q", stdout.String(), tt.want, stderr.String())
			}
			if n := strings.Count(stderr.String(), tt.message); n != tt.messages {
				t.Errorf("stderr has %d times %q, want %d: %q", n, tt.message, tt.messages, stderr.String())
			}
		})
	}
}

// naiveProgram runs itself again expecting some other program: the
// frozen-app fork bomb, capped at three generations.
const naiveProgram = `package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
)

func main() {
	gen, _ := strconv.Atoi(os.Getenv("NAIVE_GENERATION"))
	fmt.Println("generation", gen)
	if gen >= 2 {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "NAIVE_GENERATION="+strconv.Itoa(gen+1))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	var exit *exec.ExitError
	if err := cmd.Run(); errors.As(err, &exit) {
		fmt.Println("child exit", exit.ExitCode())
	}
}
`

// generatedHook is the file the bundler generates in package main.
const generatedHook = `// Code generated by bundle. DO NOT EDIT.

package main

import bundlert "example.com/app/internal/zzbundlert/worker"

func init() { bundlert.Dispatch() }
`

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildJail builds internal/jail, which every run of a program that starts
// copies of itself goes through, and skips the test when it cannot jail
// anything here, or fails it when CI=true.
func buildJail(t *testing.T, dir string) string {
	t.Helper()
	jail := filepath.Join(dir, "jail")
	if out, err := exec.Command("go", "build", "-o", jail, "./internal/jail").CombinedOutput(); err != nil {
		t.Fatalf("go build ./internal/jail: %v\n%s", err, out)
	}
	if err := exec.Command(jail, "--", "true").Run(); err != nil {
		msg := fmt.Sprintf("cannot jail the programs (%v): run as root, or where a pids cgroup can be made", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return jail
}
