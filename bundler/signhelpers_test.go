package bundler_test

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// The helpers of the signing tests.

// secretName is an environment variable name of t's own, for a
// sign.*.password_env. A build reads signing passwords from its process's
// environment, which t.Setenv changes only for tests that do not run in
// parallel; a name per test lets the signing tests run in parallel.
func secretName(t *testing.T) string {
	return "BUNDLE_TEST_SECRET_" + strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToUpper(r)
		}
		return '_'
	}, t.Name())
}

// setSecret sets t's secret variable (secretName) to value until t ends
// and returns its name.
func setSecret(t *testing.T, value string) string {
	t.Helper()
	name := secretName(t)
	if err := os.Setenv(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Unsetenv(name) })
	return name
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// appendConfig adds text to the end of the project's bundle.yaml.
func appendConfig(t *testing.T, dir, text string) {
	t.Helper()
	path := filepath.Join(dir, "bundle.yaml")
	cfg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(cfg)+text)
}

// mustRun runs a program in dir and returns its output; a failure fails t.
func mustRun(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// emptyDir fails t unless dir holds nothing (or does not exist): what a
// refused build must leave.
func emptyDir(t *testing.T, dir string) {
	t.Helper()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("dist after a refused build: %v", names)
	}
}

// extractAll unpacks a tar.gz or zip artifact into dst and returns the path
// of its executable.
func extractAll(t *testing.T, archive, dst string) string {
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
				rc, _ := f.Open()
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
