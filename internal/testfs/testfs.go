// Package testfs holds the file and process helpers the module's tests
// share: writing and copying files, finding the repository, running a
// program that must succeed, and reading a dist's manifest.
package testfs

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
)

// module is the first line of the repository's go.mod.
const module = "module github.com/bundlekit/bundle\n"

// WriteFile writes content at path, making its folders; any error fails t.
func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// CopyFile copies src to dst, making dst's folders.
func CopyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	WriteFile(t, dst, string(data))
}

// MustRun runs a program in dir and returns its combined output; a failure
// fails t.
func MustRun(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// RepoRoot is the top of the bundle repository: the nearest folder above
// the test's own (tests run in their package's folder) whose go.mod is the
// root module's. A path from runtime.Caller would not survive -trimpath.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(data, []byte(module)) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("not inside the bundle repository")
		}
		dir = parent
	}
}

// CopyProject copies a folder of the repository (such as testdata/project)
// into a fresh temporary folder and returns the copy.
func CopyProject(t testing.TB, rel string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(rel))
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(RepoRoot(t), rel))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// ReadManifest reads dist/artifacts.json; a missing or broken one fails t.
func ReadManifest(t testing.TB, dist string) bundler.Manifest {
	t.Helper()
	m, err := bundler.ReadManifest(dist)
	if err != nil || m == nil {
		t.Fatalf("read manifest in %s: %v", dist, err)
	}
	return *m
}

// ExtractAll unpacks a tar.gz or zip artifact into dst and returns the path
// of its executable.
func ExtractAll(t testing.TB, archive, dst string) string {
	t.Helper()
	var exe string
	write := func(name string, mode os.FileMode, r io.Reader) {
		p := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode.Perm())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, r); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if mode&0o111 != 0 || strings.HasSuffix(name, ".exe") {
			exe = p
		}
	}
	if strings.HasSuffix(archive, ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if f.Mode().IsRegular() {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				write(f.Name, f.Mode(), rc)
				rc.Close()
			}
		}
	} else {
		f, err := os.Open(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Typeflag == tar.TypeReg {
				write(h.Name, os.FileMode(h.Mode), tr)
			}
		}
	}
	if exe == "" {
		t.Fatalf("no executable in %s", archive)
	}
	return exe
}

// HelloWith is a copy of examples/hello whose Windows formats are
// windows (such as "[nsis]") and whose bundle.yaml ends with extra; the
// example itself is left alone.
func HelloWith(t testing.TB, windows, extra string) string {
	t.Helper()
	dir := CopyProject(t, "examples/hello")
	path := filepath.Join(dir, "bundle.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^  windows: \[.*\]$`)
	if !line.Match(data) {
		t.Fatalf("examples/hello/bundle.yaml has no formats.windows line to replace:\n%s", data)
	}
	WriteFile(t, path, line.ReplaceAllString(string(data), "  windows: "+windows)+extra)
	return dir
}
