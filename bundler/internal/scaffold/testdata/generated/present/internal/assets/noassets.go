//go:build noassets

package assets

// Files returns no files: a build without the generated ones.
func Files() map[string][]byte { return nil }
