package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/macho"
	"github.com/bundlekit/bundle/bundler/internal/version"
	"github.com/bundlekit/bundle/templates"
)

// BundleName is the .app folder's name: the display name without the
// characters a file name cannot hold.
func BundleName(c config.Config) string {
	return strings.NewReplacer("/", "-", ":", "-").Replace(c.Name) + ".app"
}

// stageAppBundle lays out <Name>.app in appDir:
//
//	Contents/Info.plist, Contents/PkgInfo, Contents/MacOS/<binary>,
//	Contents/Resources/<binary>.icns and the configured files.
func (r *runner) stageAppBundle(ctx context.Context, appDir, exe string) (string, error) {
	c := r.p.Config
	contents := filepath.Join(appDir, BundleName(c), "Contents")
	exeRel := filepath.Join(BundleName(c), "Contents", "MacOS", c.Binary)
	if err := copyFile(exe, filepath.Join(appDir, exeRel), 0o755); err != nil {
		return "", err
	}
	iconFile := ""
	if r.icons != nil {
		icns, err := r.icons.ICNS()
		if err != nil {
			return "", exitcode.Config(fmt.Errorf("icon: %w", err))
		}
		iconFile = c.Binary + ".icns"
		if err := writeStaged(filepath.Join(contents, "Resources", iconFile), icns); err != nil {
			return "", err
		}
	}
	shortName := c.Name
	if len([]rune(shortName)) > 15 { // CFBundleName: Apple asks for at most 15 characters
		shortName = c.Binary
	}
	plist, err := templates.Render("macos/Info.plist.tmpl", map[string]any{
		"Name": c.Name, "ShortName": shortName, "Executable": c.Binary, "IconFile": iconFile, "ID": c.ID,
		"ShortVersion": version.MacShort(r.v), "BundleVersion": version.MacBundle(r.v),
		"Category": c.MacOS.Category, "MinimumSystemVersion": c.MacOS.MinimumSystemVersion,
		"Agent": c.MacOS.Agent, "Copyright": c.Copyright,
	})
	if err != nil {
		return "", err
	}
	if err := writeStaged(filepath.Join(contents, "Info.plist"), plist); err != nil {
		return "", err
	}
	if err := writeStaged(filepath.Join(contents, "PkgInfo"), []byte("APPL????")); err != nil {
		return "", err
	}
	return exeRel, r.stageFiles(ctx, filepath.Join(contents, "Resources"))
}

// mergeUniversal merges the executables its parts compiled into one
// universal binary.
func (r *runner) mergeUniversal(job Job) (string, error) {
	var slices [][]byte
	for _, part := range job.Parts {
		data, err := os.ReadFile(filepath.Join(r.targetDir(part), "bin", r.exeName(part.OS)))
		if err != nil {
			return "", fmt.Errorf("universal: %w", err)
		}
		slices = append(slices, data)
	}
	var b bytes.Buffer
	if err := macho.Universal(&b, slices...); err != nil {
		return "", err
	}
	exe := filepath.Join(r.targetDir(job.Target), "bin", r.exeName("darwin"))
	if err := writeStaged(exe, b.Bytes()); err != nil {
		return "", err
	}
	return exe, os.Chmod(exe, 0o755)
}

func writeStaged(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
