// Package nsis makes a Windows installer with NSIS: bundle renders
// templates/windows/installer.nsi.tmpl for the staged app and runs makensis
// on it. The installer installs per user (no UAC prompt) or for every user
// (windows.install_scope), adds Start Menu (and optionally desktop)
// shortcuts and an Add/Remove Programs entry, replaces an installed older or
// newer version, runs silently with /S and carries the app's icon and
// version information.
package nsis

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/linktree"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
	"github.com/bundlekit/bundle/templates"
)

// Makensis is the NSIS compiler.
var Makensis = tool.Tool{
	Name:        "NSIS",
	Command:     "makensis",
	VersionArgs: []string{"-VERSION"},
	Debian:      "nsis",
	Homebrew:    "makensis",
	Windows:     "choco install nsis",
}

// Format is the nsis format.
type Format struct{}

// Check refuses, before anything is written, texts of c longer than an
// NSIS string holds (checkTexts).
func (Format) Check(c config.Config, _ platform.Target, _ *semver.Version) error {
	return checkTexts(c)
}

// SignedAs says the installer itself carries an Authenticode signature.
func (Format) SignedAs() string { return packager.SignAuthenticode }

func (Format) Name() string                      { return "nsis" }
func (Format) Supports(goos string) bool         { return goos == "windows" }
func (Format) Tools() []tool.Tool                { return []tool.Tool{Makensis} }
func (Format) FileName(in packager.Input) string { return in.Stem + "_setup.exe" }

// InstallKind: an update runs the new installer silently.
func (Format) InstallKind() updatefeed.Kind { return updatefeed.NSIS }

// Names of what Package writes into in.WorkDir.
const (
	scriptName = "installer.nsi"
	iconName   = "icon.ico"
	outLink    = "out"   // a link to dest's folder, where makensis writes the installer
	filesDir   = "files" // the app folder again, as hard links, for File /r
	signScript = "sign-uninstaller.sh"
)

// Package writes the script, the icon and links to the app's files into
// in.WorkDir and runs makensis there, which writes the installer at dest.
//
// The script installs the whole folder with one File /r: one File line per
// file made makensis read the folder of the file for each of them, so
// 10,000 files took minutes. The uninstaller still deletes each installed
// file by name, listed from the same staged folder, and removes folders
// only when they are empty: a folder the user chose may hold more.
func (f Format) Package(ctx context.Context, in packager.Input, dest string) error {
	path, err := tool.Find(Makensis, f.Name())
	if err != nil {
		return err
	}
	s, err := newScript(in)
	if err != nil {
		return err
	}
	if err := s.prepare(in); err != nil {
		return err
	}
	// OutFile names dest through a link to its folder: the folder's path
	// (dist, which may hold any character) never enters the script, only
	// dest's own name, which the pipeline chose.
	if !safeName.MatchString(filepath.Base(dest)) {
		return fmt.Errorf("nsis: cannot name %q in a script", filepath.Base(dest))
	}
	if err := os.Symlink(filepath.Dir(dest), filepath.Join(in.WorkDir, outLink)); err != nil {
		return err
	}
	s.OutFile = outLink + "/" + filepath.Base(dest)
	text, err := Render(s)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(in.WorkDir, scriptName), text, 0o644); err != nil {
		return err
	}
	// -NOCD with the work folder as the current one: the script names its
	// files relative to it. -V2: only warnings and errors.
	cmd := proc.Command(ctx, path, "-NOCD", "-V2", "-INPUTCHARSET", "UTF8", scriptName)
	cmd.Dir = in.WorkDir
	if in.PassSignSecret != nil {
		done, err := in.PassSignSecret(cmd)
		if err != nil {
			return err
		}
		defer done()
	}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("makensis: %v\n%s%s", err, strings.TrimSpace(log.String()), failedLine(log.String(), text))
	}
	return nil
}

// safeName is a file name that needs no quoting in an NSIS string.
var safeName = regexp.MustCompile(`^[A-Za-z0-9._+-]+$`)

// failedLine quotes the script line makensis names in "Error in script
// … on line N", since the script is gone with the work folder.
func failedLine(log string, script []byte) string {
	m := errorLine.FindStringSubmatch(log)
	if m == nil {
		return ""
	}
	n, _ := strconv.Atoi(m[1])
	lines := strings.Split(string(script), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return fmt.Sprintf("\n%s line %d: %s", scriptName, n, strings.TrimSpace(lines[n-1]))
}

var errorLine = regexp.MustCompile(`on line (\d+) -- aborting`)

// Render is the NSIS script for s.
func Render(s *Script) ([]byte, error) {
	return templates.Render("windows/installer.nsi.tmpl", s)
}

// prepare writes the icon and the links the script refers to.
func (s *Script) prepare(in packager.Input) error {
	if len(in.SignCommand) > 0 {
		// makensis runs this on the uninstaller it writes into the installer,
		// so the uninstaller is signed too (!uninstfinalize); the script keeps
		// every path out of the .nsi.
		var b strings.Builder
		b.WriteString("#!/bin/sh\nexec")
		for _, a := range in.SignCommand {
			b.WriteString(" '" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		}
		b.WriteString(" \"$1\"\n")
		if err := os.WriteFile(filepath.Join(in.WorkDir, signScript), []byte(b.String()), 0o755); err != nil {
			return err
		}
		s.SignScript = signScript
	}
	if in.Icons != nil {
		ico, err := in.Icons.ICO()
		if err != nil {
			return exitcode.Config(fmt.Errorf("icon: %w", err))
		}
		if err := os.WriteFile(filepath.Join(in.WorkDir, iconName), ico, 0o644); err != nil {
			return err
		}
	}
	dir := filepath.Join(in.WorkDir, filesDir)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	// The same tree under the work folder, so that no project or temp path
	// reaches the script and the same inputs give the same installer
	// (makensis sorts what File /r finds).
	return linktree.Mirror(in.AppDir, dir)
}
