package macos

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/linktree"
	"github.com/bundlekit/bundle/bundler/internal/macho"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
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
//
// The executable is copied, not linked: signing the bundle changes it in
// place.
func stageAppBundle(ctx context.Context, b osstep.Build, appDir, exe string) (string, error) {
	c := b.Project.Config
	contents := filepath.Join(appDir, BundleName(c), "Contents")
	exeRel := filepath.Join(BundleName(c), "Contents", "MacOS", c.Binary)
	if err := linktree.Copy(exe, filepath.Join(appDir, exeRel)); err != nil {
		return "", err
	}
	iconFile := ""
	if b.Icons != nil {
		icns, err := b.Icons.ICNS()
		if err != nil {
			return "", exitcode.Config(fmt.Errorf("icon: %w", err))
		}
		iconFile = c.Binary + ".icns"
		if err := writeFile(filepath.Join(contents, "Resources", iconFile), icns); err != nil {
			return "", err
		}
	}
	shortName := c.Name
	if len([]rune(shortName)) > 15 { // CFBundleName: Apple asks for at most 15 characters
		shortName = c.Binary
	}
	plist, err := templates.Render("macos/Info.plist.tmpl", map[string]any{
		"Name": c.Name, "ShortName": shortName, "Executable": c.Binary, "IconFile": iconFile, "ID": c.ID,
		"ShortVersion": version.MacShort(b.Version), "BundleVersion": version.MacBundle(b.Version),
		"Category": c.MacOS.Category, "MinimumSystemVersion": c.MacOS.MinimumSystemVersion,
		"Agent": c.MacOS.Agent, "Copyright": c.Copyright,
	})
	if err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(contents, "Info.plist"), plist); err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(contents, "PkgInfo"), []byte("APPL????")); err != nil {
		return "", err
	}
	return exeRel, b.StageFiles(ctx, filepath.Join(contents, "Resources"))
}

// universal merges the executables at parts into one universal binary at
// out.
func universal(parts []string, out string) error {
	var slices [][]byte
	for _, part := range parts {
		data, err := os.ReadFile(part)
		if err != nil {
			return fmt.Errorf("universal: %w", err)
		}
		slices = append(slices, data)
	}
	var b bytes.Buffer
	if err := macho.Universal(&b, slices...); err != nil {
		return err
	}
	if err := writeFile(out, b.Bytes()); err != nil {
		return err
	}
	return os.Chmod(out, 0o755)
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
