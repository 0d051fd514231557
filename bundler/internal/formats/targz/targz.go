// Package targz makes a .tar.gz of the staged app, the usual way to ship a
// Linux or macOS command-line program.
package targz

import (
	"context"
	"io"

	"github.com/bundlekit/bundle/bundler/internal/archive"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// Format is the tar.gz format.
type Format struct{}

func (Format) Name() string                      { return "tar.gz" }
func (Format) Supports(goos string) bool         { return goos != "windows" }
func (Format) Tools() []tool.Tool                { return nil }
func (Format) FileName(in packager.Input) string { return in.Stem + ".tar.gz" }

// InstallKind: an update replaces the app's folder.
func (Format) InstallKind() updatefeed.Kind { return updatefeed.Portable }

// Package archives the app directory under a folder named after the
// artifact, so unpacking never scatters files into the current directory.
func (Format) Package(ctx context.Context, in packager.Input, dest string) error {
	return packager.WriteFile(ctx, dest, func(w io.Writer) error { return archive.TarGz(w, in.AppDir, in.Stem, in.MTime) })
}
