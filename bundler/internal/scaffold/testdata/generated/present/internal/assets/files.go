//go:build !noassets

package assets

// Files returns the generated files.
func Files() map[string][]byte { return map[string][]byte{"index.html": nil} }
