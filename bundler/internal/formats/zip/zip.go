// Package zip makes a portable .zip of the staged app: unpack and run, the
// usual way to ship a Windows program without an installer.
package zip

import (
	"context"
	"io"

	"github.com/bundlekit/bundle/bundler/internal/archive"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// Format is the zip format.
type Format struct{}

func (Format) Name() string                      { return "zip" }
func (Format) Supports(string) bool              { return true }
func (Format) Tools() []tool.Tool                { return nil }
func (Format) FileName(in packager.Input) string { return in.Stem + ".zip" }

// InstallKind: an update replaces the app's folder.
func (Format) InstallKind() updatefeed.Kind { return updatefeed.Portable }

// Package archives the app directory under a folder named after the
// artifact.
func (Format) Package(ctx context.Context, in packager.Input, dest string) error {
	return packager.WriteFile(ctx, dest, func(w io.Writer) error { return archive.Zip(w, in.AppDir, in.Stem, in.MTime) })
}
