// Package packager defines what an artifact format is: one small interface
// that every format package implements. The list of formats lives in
// bundler/formats; the build pipeline only talks to this interface.
package packager

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/tool"
)

// Target is one GOOS/GOARCH pair.
type Target struct{ OS, Arch string }

func (t Target) String() string { return t.OS + "/" + t.Arch }

// Input is everything a format needs to make one artifact for one target.
type Input struct {
	Config  config.Config
	Dir     string // the project directory (bundle.yaml's folder)
	Version *semver.Version
	Target  Target
	AppDir  string     // the staged app: the executable and the configured files
	Exe     string     // the executable's file name inside AppDir ("hello", "hello.exe")
	Stem    string     // "<binary>_<version>_<os>_<arch>": the base of file names and of the folder inside archives
	MTime   time.Time  // the time every file in the artifact carries
	WorkDir string     // scratch space for this format and target, removed afterwards
	Icons   *icons.Set // the app icon in every size and format; nil when there is no icon
	// SignCommand signs the Windows program named by one more argument in
	// place, for programs a format makes inside its artifact (the NSIS
	// uninstaller); nil when nothing is signed.
	SignCommand []string
	// PassSignSecret, set along with SignCommand, readies the tool that
	// runs SignCommand (makensis) to hand the signing password down to it
	// without the environment: call it on the tool's command before it
	// starts, and done once the tool has finished.
	PassSignSecret func(tool *exec.Cmd) (done func(), err error)
}

// IconSet returns the build's icon set, or, when the caller made none (a
// format's own tests), one for Config.Icon; nil when there is no icon.
func (in Input) IconSet() *icons.Set {
	if in.Icons != nil || in.Config.Icon == "" {
		return in.Icons
	}
	return icons.NewSet(filepath.Join(in.Dir, filepath.FromSlash(in.Config.Icon)), "")
}

// Checker is implemented by formats with limits on the configuration, the
// target or the version (MSI's ProductVersion and character set, wixl's
// architectures). The build calls Check for every target before anything
// is written, so such input fails cleanly instead of after other artifacts
// were made.
type Checker interface {
	Check(c config.Config, t Target, v *semver.Version) error
}

// ArchLimited is implemented by formats that cannot be made for every
// architecture of an OS they support (wixl makes no arm64 MSI). The plan
// leaves such a target out of that format, with a line saying why.
type ArchLimited interface {
	SupportsArch(arch string) (ok bool, why string)
}

// AppBundler is implemented by formats that ship the macOS .app bundle:
// for them the build stages <Name>.app (Contents/MacOS, Info.plist, the
// icon) as in.AppDir instead of the plain app folder every other format
// gets, so an archive of the same target still holds the bare executable.
type AppBundler interface {
	AppBundle() bool
}

// WantsAppBundle reports whether f packages the .app bundle.
func WantsAppBundle(f Format) bool {
	b, ok := f.(AppBundler)
	return ok && b.AppBundle()
}

// How a format's own file is signed (SignedOutput).
const (
	SignAuthenticode = "authenticode" // a Windows program or installer database, with sign.windows
	SignDiskImage    = "macos-dmg"    // a macOS disk image, with sign.macos, then notarized and stapled
)

// SignedOutput is implemented by formats whose file is itself signed, not
// only the executables inside it: the build makes the file, signs it, and
// only then copies it into dist, so the checksums cover the signed bytes.
type SignedOutput interface {
	SignedAs() string
}

// Format makes one kind of artifact.
type Format interface {
	// Name is the format's name in bundle.yaml and on the command line.
	Name() string
	// Supports reports whether the format makes artifacts for goos.
	Supports(goos string) bool
	// Tools lists the external programs the format runs; empty when it is
	// pure Go.
	Tools() []tool.Tool
	// FileName is the artifact's file name in dist.
	FileName(in Input) string
	// Package writes the artifact to w. The caller writes w to a temporary
	// file and renames it into place only when Package returns nil.
	Package(ctx context.Context, in Input, w io.Writer) error
}
