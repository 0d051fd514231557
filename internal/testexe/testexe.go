// Package testexe builds a tiny real Windows or macOS program for tests that sign,
// package or run one, once per test binary.
package testexe

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var built struct {
	sync.Once
	data []byte
	err  string
}

// Windows returns a windows/amd64 Go program that prints "tiny" and its
// arguments, built reproducibly (-trimpath, no build id).
func Windows(t testing.TB) []byte {
	t.Helper()
	built.Do(func() {
		dir, err := os.MkdirTemp("", "bundle-testexe-")
		if err != nil {
			built.err = err.Error()
			return
		}
		defer os.RemoveAll(dir)
		files := map[string]string{
			"go.mod":  "module tiny\n\ngo 1.22\n",
			"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Println(\"tiny\", os.Args[1:]) }\n",
		}
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				built.err = err.Error()
				return
			}
		}
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", "tiny.exe", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = "go build: " + err.Error() + "\n" + string(out)
			return
		}
		if built.data, err = os.ReadFile(filepath.Join(dir, "tiny.exe")); err != nil {
			built.err = err.Error()
		}
	})
	if built.err != "" {
		t.Fatal(built.err)
	}
	return built.data
}

var darwin struct {
	sync.Mutex
	data map[string][]byte
}

// Darwin returns the same tiny program built for darwin/goarch.
func Darwin(t testing.TB, goarch string) []byte {
	t.Helper()
	darwin.Lock()
	defer darwin.Unlock()
	if data, ok := darwin.data[goarch]; ok {
		return data
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module tiny\n\ngo 1.22\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Println(\"tiny\", os.Args[1:]) }\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", "tiny", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=darwin", "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if darwin.data == nil {
		darwin.data = map[string][]byte{}
	}
	darwin.data[goarch] = data
	return data
}
