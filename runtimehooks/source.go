// Package runtimehooks holds the runtime code that bundle builds into apps,
// and exports its source so the bundler can inject it into modules that do
// not import it.
package runtimehooks

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed worker
var workerTree embed.FS

// WorkerSource returns the source of package worker, the non-test .go files
// by base name. The files never refer to their own import path, so they can
// be placed in any package directory (the bundler uses
// <module>/internal/zzbundlert/worker).
func WorkerSource() (map[string][]byte, error) {
	entries, err := fs.ReadDir(workerTree, "worker")
	if err != nil {
		return nil, fmt.Errorf("runtimehooks: read embedded worker source: %w", err)
	}
	files := make(map[string][]byte, len(entries))
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := workerTree.ReadFile(path.Join("worker", name))
		if err != nil {
			return nil, fmt.Errorf("runtimehooks: read embedded %s: %w", name, err)
		}
		files[name] = data
	}
	return files, nil
}
