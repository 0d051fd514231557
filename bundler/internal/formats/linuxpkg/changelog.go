package linuxpkg

import (
	"os"
	"path/filepath"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/templates"
)

// writeChangelog writes a one-entry changelog for this version.
func writeChangelog(in packager.Input) (string, error) {
	data, err := templates.Render("linux/changelog.yml.tmpl", map[string]any{
		"Version":    in.Version.String(),
		"Date":       in.MTime.UTC().Format(time.RFC3339),
		"Maintainer": field(orDefault(in.Config.Maintainer, in.Config.Name)),
		"Note":       "Release " + in.Version.String() + ".",
	})
	if err != nil {
		return "", err
	}
	p := filepath.Join(in.WorkDir, "changelog.yml")
	return p, writeFile(p, data)
}

func writeFile(p string, data []byte) error { return os.WriteFile(p, data, 0o644) }
