// Package packagertest runs a format as the pipeline does, for the tests of
// each format's own package: Package makes the artifact at a path, in a
// file that exists and is empty.
package packagertest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/packager"
)

// Make runs f.Package into a new, empty file in a temporary folder of t
// and returns what it made.
func Make(ctx context.Context, t testing.TB, f packager.Format, in packager.Input) ([]byte, error) {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "."+f.FileName(in)+".tmp")
	if err := os.WriteFile(dest, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Package(ctx, in, dest); err != nil {
		return nil, err
	}
	return os.ReadFile(dest)
}

// Bytes is Make that fails the test when Package fails.
func Bytes(t testing.TB, f packager.Format, in packager.Input) []byte {
	t.Helper()
	data, err := Make(context.Background(), t, f, in)
	if err != nil {
		t.Fatalf("%s: %v", f.Name(), err)
	}
	return data
}

// Into is Make that writes what Package made to w, for tests that read an
// artifact from a buffer.
func Into(ctx context.Context, t testing.TB, f packager.Format, in packager.Input, w io.Writer) error {
	t.Helper()
	data, err := Make(ctx, t, f, in)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}
