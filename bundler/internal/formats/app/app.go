// Package app ships a macOS .app bundle as a zip: the form Apple's notary
// service accepts, with the executable bit and symlinks kept.
package app

import (
	"context"
	"io"

	"github.com/bundlekit/bundle/bundler/internal/archive"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// Format is the app format. Its layout is the .app bundle: in.AppDir
// holds just <Name>.app.
type Format struct{}

func (Format) Layout() packager.Layout { return packager.MacAppBundle }

// CheckConfig asks what every .app asks.
func (Format) CheckConfig(p *config.Project) error { return packager.CheckMacAppBundle(p) }

func (Format) Name() string                      { return "app" }
func (Format) Supports(goos string) bool         { return goos == "darwin" }
func (Format) Tools() []tool.Tool                { return nil }
func (Format) FileName(in packager.Input) string { return in.Stem + ".app.zip" }

// InstallKind: an update replaces the .app bundle.
func (Format) InstallKind() updatefeed.Kind { return updatefeed.App }

// Package zips the bundle with <Name>.app at the top, as Finder's
// "Compress" and ditto do.
func (Format) Package(ctx context.Context, in packager.Input, dest string) error {
	return packager.WriteFile(ctx, dest, func(w io.Writer) error { return archive.Zip(w, in.AppDir, "", in.MTime) })
}
