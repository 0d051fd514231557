package bundler_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testfs"
)

// TestPackageManagerRefusals: what a manifest needs of bundle.yaml, and a
// --format that names a manager alone or one bundle.yaml does not ask
// for, is one line and exit 2, before anything is written to dist.
func TestPackageManagerRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(cfg string) string
		formats []string
		want    string
	}{
		{"a cask without a homepage", func(c string) string { return strings.Replace(c, "homepage: ", "# homepage: ", 1) }, nil,
			"homepage: a Homebrew cask needs the app's homepage"},
		{"a winget manifest without a publisher", func(c string) string { return strings.Replace(c, "publisher: ", "# publisher: ", 1) }, nil,
			"publisher: a winget manifest needs the publisher's name"},
		{"an AUR package without a maintainer", func(c string) string {
			c = strings.Replace(c, "maintainer: ", "# maintainer: ", 1)
			return strings.Replace(c, "formats:\n  linux: [tar.gz, deb, rpm, apk, archlinux]", "formats:\n  linux: [tar.gz]", 1)
		}, nil, "maintainer: an AUR package names its maintainer"},
		{"no download address", func(c string) string {
			return strings.Replace(c, "  url: https://github.com/bundlekit/bundle/releases/download/v{version}/\n", "", 1)
		}, nil, "package_managers: add url: with the folder the release's files are downloaded from"},
		{"a download address over http", func(c string) string {
			return strings.Replace(c, "url: https://github.com/bundlekit/bundle/releases/download/v{version}/", "url: http://example.com/", 1)
		}, nil, "package_managers.url"},
		{"a manager alone", nil, []string{"homebrew"}, "--format homebrew: a package manager's manifest comes with the artifacts it lists"},
		{"a manager bundle.yaml does not ask for", func(c string) string { return strings.Replace(c, "  scoop: {}\n", "", 1) },
			[]string{"zip", "scoop"}, "--format scoop: not in package_managers of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := testfs.CopyProject(t, "examples/hello")
			cfg := filepath.Join(dir, "bundle.yaml")
			if tt.edit != nil {
				data, err := os.ReadFile(cfg)
				if err != nil {
					t.Fatal(err)
				}
				edited := tt.edit(string(data))
				if edited == string(data) {
					t.Fatal("examples/hello/bundle.yaml no longer has the line the test changes")
				}
				testfs.WriteFile(t, cfg, edited)
			}
			dist := filepath.Join(t.TempDir(), "dist")
			_, err := bundler.Build(context.Background(), bundler.BuildOptions{Config: cfg, Dist: dist, Formats: tt.formats, SourceDateEpoch: "1767225600"})
			if bundler.ExitCode(err) != bundler.ExitUsage || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want exit %d and one line with %q", err, bundler.ExitUsage, tt.want)
			}
			if entries, _ := os.ReadDir(dist); len(entries) > 0 {
				t.Errorf("dist holds %d entries after the refusal", len(entries))
			}
		})
	}
}
