package config

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // named in the error when the icon is a GIF
	_ "image/jpeg" // named in the error when the icon is a JPEG
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bundlekit/bundle/bundler/internal/appfiles"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/gomod"
	"github.com/bundlekit/bundle/bundler/internal/icons"
)

// MinIconSize is the smallest icon side bundle accepts: the largest Windows
// icon entry is 256×256, and scaling up looks blurred everywhere.
const MinIconSize = icons.MinSize

// Errorf returns a configuration error located at the value of field (a
// path such as "icon" or "files[1].src"), or at the file when the field is
// not in bundle.yaml.
func (p *Project) Errorf(field, format string, args ...any) error {
	e := &Error{File: p.Path, Msg: field + ": " + fmt.Sprintf(format, args...)}
	if n := p.pos[field]; n != nil && n.Line > 0 {
		e.Line, e.Col = n.Line, n.Column
	}
	return exitcode.Config(e)
}

// Abs returns the absolute path of rel, a path relative to bundle.yaml.
func (p *Project) Abs(rel string) string { return filepath.Join(p.Dir, filepath.FromSlash(rel)) }

// ReadSmallFile reads a key, certificate or plist that bundle.yaml names
// relative to dir, its folder. The error says what is wrong with the path
// and how to fix it; the caller names the field.
func ReadSmallFile(dir, rel string) ([]byte, error) {
	p := rel
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, filepath.FromSlash(rel))
	}
	info, err := os.Stat(p)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s does not exist; fix the path (relative to bundle.yaml)", rel)
	case info.IsDir():
		return nil, fmt.Errorf("%s is a folder, not a file", rel)
	case info.Size() > 1<<20:
		return nil, fmt.Errorf("%s is over 1 MiB; is it the right file?", rel)
	}
	return os.ReadFile(p)
}

// Check validates what the field rules cannot see: that the files bundle.yaml
// names exist inside the project, that the icon is a usable PNG, and that
// main is a main package. env is passed to `go list` (GOFLAGS and the like).
func (p *Project) Check(ctx context.Context, env []string) error {
	c := p.Config
	if err := CheckProjectPath(p.Dir); err != nil {
		return err
	}
	if c.Icon != "" {
		if err := p.checkIcon(); err != nil {
			return err
		}
	}
	if err := p.checkScripts(); err != nil {
		return err
	}
	if err := p.checkMacOS(); err != nil {
		return err
	}
	if err := p.checkFormats(); err != nil {
		return err
	}
	dsts := map[string]string{}
	for i, f := range c.Files {
		field := fmt.Sprintf("files[%d]", i)
		if err := p.checkInside(field+".src", f.Src); err != nil {
			return err
		}
		dst := filepath.ToSlash(filepath.Clean(f.Dst))
		if prev, ok := dsts[dst]; ok {
			return p.Errorf(field+".dst", "%q is also the destination of %s; give each file its own dst", dst, prev)
		}
		if dst == c.Binary || dst == c.Binary+".exe" {
			return p.Errorf(field+".dst", "%q is the executable's own name; choose another dst", dst)
		}
		dsts[dst] = field
	}
	return p.checkMain(ctx, env)
}

// CheckProjectPath refuses a project folder whose path the go command
// cannot name: bytes that are not UTF-8, which go list's JSON and go build
// -overlay's turn into U+FFFD (the runtime hook would silently be left
// out), or a control character such as a line break, which the go command
// refuses as a package directory.
func CheckProjectPath(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	switch {
	case !utf8.ValidString(abs):
		return exitcode.Config(fmt.Errorf("the project's path %q holds bytes that are not UTF-8, which go list and go build -overlay cannot name (the runtime hook would be left out); move or rename the project's folder", abs))
	case strings.IndexFunc(abs, unicode.IsControl) >= 0:
		r := abs[strings.IndexFunc(abs, unicode.IsControl):]
		return exitcode.Config(fmt.Errorf("the project's path %q holds a control character (U+%04X), which the go command refuses in a package directory; move or rename the project's folder", abs, []rune(r)[0]))
	}
	return nil
}

// checkFormats runs the checks of each format configured for an OS the
// targets use (Known.Checks), each once, in the order of formats:.
func (p *Project) checkFormats() error {
	seen := map[string]bool{}
	for _, goos := range p.known.OSes {
		if !p.Config.UsesOS(goos) {
			continue
		}
		for _, name := range p.Config.Formats.ForOS(goos) {
			check := p.known.Checks[name]
			if check == nil || seen[name] {
				continue
			}
			seen[name] = true
			if err := check(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkScripts makes sure each maintainer script is a file inside the
// project.
func (p *Project) checkScripts() error {
	sc := p.Config.Linux.Scripts
	for _, s := range []struct{ key, rel string }{
		{"preinstall", sc.PreInstall}, {"postinstall", sc.PostInstall},
		{"preremove", sc.PreRemove}, {"postremove", sc.PostRemove},
	} {
		if s.rel == "" {
			continue
		}
		field := "linux.scripts." + s.key
		if err := p.checkInside(field, s.rel); err != nil {
			return err
		}
		if info, err := os.Stat(p.Abs(s.rel)); err == nil && info.IsDir() {
			return p.Errorf(field, "%q is a folder; name the script file", s.rel)
		}
	}
	return nil
}

// checkMacOS checks the macOS settings against each other and the targets.
func (p *Project) checkMacOS() error {
	c := p.Config
	if c.MacOS.Universal != nil && *c.MacOS.Universal {
		for _, t := range []string{"darwin/amd64", "darwin/arm64"} {
			if !slices.Contains(c.Targets, t) {
				return p.Errorf("macos.universal", "a universal binary needs both darwin/amd64 and darwin/arm64, and targets lacks %s; add it, or set macos.universal: false", t)
			}
		}
	}
	if olderThan(c.MacOS.MinimumSystemVersion, MinMacOS) {
		return p.Errorf("macos.minimum_system_version", "%s is older than %s, the oldest macOS Go 1.26 binaries run on; use %s or later", c.MacOS.MinimumSystemVersion, MinMacOS, MinMacOS)
	}
	if c.Notarize.MacOS != nil && c.Sign.MacOS == nil {
		return p.Errorf("notarize.macos", "Apple notarizes only signed code; add sign.macos with your Developer ID Application certificate")
	}
	return nil
}

// olderThan compares dotted version numbers.
func olderThan(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			fmt.Sscan(as[i], &x)
		}
		if i < len(bs) {
			fmt.Sscan(bs[i], &y)
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// checkInside makes sure rel exists, that neither it nor anything under it
// resolves (through symlinks) to a place outside the project, and that
// everything in it is a regular file or a folder. The build copies what a
// symlink points to and descends into linked folders, so the walk does the
// same: a FIFO would block the copy forever, a device would be read
// without end, and a symlink loop would recurse without end.
func (p *Project) checkInside(field, rel string) error {
	root, err := filepath.EvalSymlinks(p.Dir)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	abs := p.Abs(rel)
	if _, err := os.Lstat(abs); err != nil {
		return p.Errorf(field, "%q does not exist; fix the path (it is relative to %s)", rel, filepath.Base(p.Path))
	}
	return p.walkInside(field, root, abs, nil)
}

// walkInside checks path and, for a folder, everything in it. open lists
// the real paths of the folders being walked, to catch symlink loops.
func (p *Project) walkInside(field, root, path string, open []string) error {
	shown := func() string {
		s, err := filepath.Rel(p.Dir, path)
		if err != nil {
			return path
		}
		return filepath.ToSlash(s)
	}
	// Names reach package manifests and installer scripts as they are.
	if msg := checkText(filepath.Base(path), false); msg != "" {
		what, _, _ := strings.Cut(msg, ";")
		return p.Errorf(field, "the name of %q %s; rename it", shown(), what)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return p.Errorf(field, "%q is a broken symlink or cannot be read; remove it or fix its target", shown())
	}
	if real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
		return p.Errorf(field, "%q is a symlink to %q, outside the project; copy the file into the project instead", shown(), real)
	}
	info, err := os.Stat(real)
	if err != nil {
		return p.Errorf(field, "%q cannot be read (%s)", shown(), reason(err))
	}
	switch {
	case info.Mode().IsRegular():
		return nil
	case !info.IsDir():
		return p.Errorf(field, "%q is %s, not a regular file; bundle ships files and folders only, so remove it or point %s elsewhere", shown(), appfiles.TypeName(info.Mode()), field)
	case slices.Contains(open, real):
		return p.Errorf(field, "%q is a symlink loop (it leads back to a folder that holds it); remove the link", shown())
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return p.Errorf(field, "%q cannot be read (%s)", shown(), reason(err))
	}
	open = append(open[:len(open):len(open)], real)
	for _, e := range entries {
		if appfiles.Excluded(e.Name()) != "" {
			continue // never packaged (appfiles.Copy says so), so not checked
		}
		if err := p.walkInside(field, root, filepath.Join(path, e.Name()), open); err != nil {
			return err
		}
	}
	return nil
}

// reason is what went wrong with a file, without its path (which the
// message quotes itself).
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (p *Project) checkIcon() error {
	rel := p.Config.Icon
	if err := p.checkInside("icon", rel); err != nil {
		return err
	}
	f, err := os.Open(p.Abs(rel))
	if err != nil {
		return p.Errorf("icon", "%q cannot be read: %v", rel, err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		format := "unknown"
		if _, err := f.Seek(0, 0); err == nil {
			if _, name, err := image.DecodeConfig(f); err == nil {
				format = name
			}
		}
		if format != "unknown" {
			return p.Errorf("icon", "%q is a %s image, not a PNG; convert it to a square PNG of at least %d×%d px", rel, strings.ToUpper(format), MinIconSize, MinIconSize)
		}
		return p.Errorf("icon", "%q is not a PNG image; use a square PNG of at least %d×%d px", rel, MinIconSize, MinIconSize)
	}
	if cfg.Width != cfg.Height {
		return p.Errorf("icon", "%q is %d×%d px, not square; pad or crop it to a square of at least %d×%d px", rel, cfg.Width, cfg.Height, MinIconSize, MinIconSize)
	}
	if cfg.Width < MinIconSize {
		return p.Errorf("icon", "%q is %d×%d px, too small; use at least %d×%d px (1024×1024 is best)", rel, cfg.Width, cfg.Height, MinIconSize, MinIconSize)
	}
	if cfg.Width > icons.MaxSize {
		return p.Errorf("icon", "%q is %d×%d px, larger than the %d×%d px bundle reads; scale it to 1024×1024 px", rel, cfg.Width, cfg.Height, icons.MaxSize, icons.MaxSize)
	}
	if info, err := f.Stat(); err == nil && info.Size() > icons.MaxFileSize {
		return p.Errorf("icon", "%q is %d MB, more than the %d MB bundle reads of an icon; export it again as a PNG of 1024×1024 px", rel, info.Size()>>20, icons.MaxFileSize>>20)
	}
	return nil
}

func (p *Project) checkMain(ctx context.Context, env []string) error {
	m := p.Config.Main
	if _, err := os.Stat(p.Abs(m)); errors.Is(err, fs.ErrNotExist) {
		return p.Errorf("main", "%q does not exist; set main: to the directory of your main package, such as ./cmd/%s", m, p.Config.Binary)
	}
	pkgs, err := gomod.List(ctx, p.Dir, env, nil, m)
	if err != nil {
		return p.Errorf("main", "%v", err)
	}
	if len(pkgs) != 1 {
		return p.Errorf("main", "%q names %d packages; name exactly one main package", m, len(pkgs))
	}
	pkg := pkgs[0]
	switch {
	case pkg.Error != nil:
		return p.Errorf("main", "%q: %s; set main: to the directory of your main package", m, firstLine(pkg.Error.Err))
	case pkg.Name != "main":
		return p.Errorf("main", "%q is package %s, not a main package; set main: to the directory that holds package main", m, pkg.Name)
	case pkg.Module == nil:
		return p.Errorf("main", "%q is not inside a Go module; run `go mod init` in the project", m)
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
