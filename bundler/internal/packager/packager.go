// Package packager defines what an artifact format is: one small interface
// that every format package implements, and the optional interfaces
// through which a format tells the pipeline what it knows about itself:
//
//	its tools                      Format.Tools
//	the operating systems it makes Format.Supports
//	the architectures it makes     ArchLimited
//	its staging layout             Staged (a plain folder unless it says .app)
//	whether its file is signed     SignedOutput
//	its configuration rules        ConfigChecker (bundle.yaml, with file:line)
//	its limits per target/version  Checker
//
// The list of formats lives in bundler/internal/formats; the pipeline and
// the config package only talk to these interfaces and never name a format.
package packager

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// Input is everything a format needs to make one artifact for one target.
type Input struct {
	Config  config.Config
	Dir     string // the project directory (bundle.yaml's folder)
	Version *semver.Version
	Target  platform.Target
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

// Checker is implemented by formats with limits on the configuration, the
// target or the version (MSI's ProductVersion and character set, wixl's
// architectures). The build calls Check for every target before anything
// is written, so such input fails cleanly instead of after other artifacts
// were made.
type Checker interface {
	Check(c config.Config, t platform.Target, v *semver.Version) error
}

// ConfigChecker is implemented by formats that need fields bundle.yaml
// may leave out (a maintainer for Linux packages, an id for a macOS .app).
// CheckConfig runs with the other checks of bundle.yaml, for every format
// configured for an OS the targets use, and returns p.Errorf's error, which
// points at the file, line and field.
type ConfigChecker interface {
	CheckConfig(p *config.Project) error
}

// ArchLimited is implemented by formats that cannot be made for every
// architecture of an OS they support (wixl makes no arm64 MSI). The plan
// leaves such a target out of that format, with a line saying why.
type ArchLimited interface {
	SupportsArch(arch string) (ok bool, why string)
}

// Layout is how the pipeline stages a target's app for a format, in
// Input.AppDir.
type Layout int

const (
	// PlainFolder is the executable and the configured files, side by side.
	PlainFolder Layout = iota
	// MacAppBundle is <Name>.app: Contents/MacOS, Info.plist, the icon and
	// the files in Resources; signed as a whole when sign.macos is set.
	MacAppBundle
)

// CheckMacAppBundle is bundle.yaml's rule for a format staged as a
// MacAppBundle, for its CheckConfig: the .app's Info.plist carries a
// bundle identifier (CFBundleIdentifier). app and dmg ship the same .app,
// so they ask the same.
func CheckMacAppBundle(p *config.Project) error {
	if p.Config.ID == "" {
		return p.Errorf("id", "a macOS .app needs a bundle identifier; add id: in reverse DNS, such as com.example.%s", p.Config.Binary)
	}
	return nil
}

// Staged is implemented by formats that want the app laid out other than
// as a plain folder.
type Staged interface {
	Layout() Layout
}

// LayoutOf is the layout f packages.
func LayoutOf(f Format) Layout {
	if s, ok := f.(Staged); ok {
		return s.Layout()
	}
	return PlainFolder
}

// How a format's own file is signed (SignedOutput).
const (
	SignAuthenticode = "authenticode" // a Windows program or installer database, with sign.windows
	SignDiskImage    = "macos-dmg"    // a macOS disk image, with sign.macos, then notarized and stapled
)

// SignedOutput is implemented by formats whose file is itself signed, not
// only the executables inside it: the pipeline signs the file in place
// after Package, before it hashes it and renames it into dist, so the
// checksums cover the signed bytes.
type SignedOutput interface {
	SignedAs() string
}

// Installer is implemented by formats whose artifact installs the app, so
// an update feed lists it: InstallKind is its kind in the feed (portable,
// app, nsis, msi, deb, …), which tells the app's update client how an
// install made from it is updated. A format without it (dmg, the SBOM) is
// left out of feeds.
type Installer interface {
	InstallKind() updatefeed.Kind
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
	// Package makes the artifact at dest, the absolute path of an empty
	// file in dist that the pipeline renames to FileName only when Package
	// returns nil. A
	// format run by a tool points the tool's output at dest; a format
	// written in Go writes it with WriteFile.
	Package(ctx context.Context, in Input, dest string) error
}

// WriteFile creates dest and fills it through write, buffered, failing
// every write once ctx is done so an interrupted build stops writing a
// large artifact at once.
func WriteFile(ctx context.Context, dest string, write func(w io.Writer) error) error {
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(StopWriter(ctx, f), 1<<20)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// StopWriter fails every Write to w once ctx is done, so a format that
// writes a big artifact in Go stops promptly when the build is interrupted
// (and the unfinished file is removed).
func StopWriter(ctx context.Context, w io.Writer) io.Writer { return stopWriter{ctx, w} }

type stopWriter struct {
	ctx context.Context
	w   io.Writer
}

func (s stopWriter) Write(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, err
	}
	return s.w.Write(p)
}
