package bundler_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/bundlekit/bundle/internal/testfs"
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

// appendConfig adds text to the end of the project's bundle.yaml.
func appendConfig(t *testing.T, dir, text string) {
	t.Helper()
	path := filepath.Join(dir, "bundle.yaml")
	cfg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, path, string(cfg)+text)
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
