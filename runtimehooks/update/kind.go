package update

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Detect says how the running copy was installed, from where its
// executable is: inside a .app bundle; listed by a package manager's
// database (dpkg, apk, pacman, rpm); beside the uninstaller an NSIS
// install writes; in the folder the app's MSI recorded as its InstallDir
// (in the registry key bundle compiles in); else a portable folder. An
// app that knows better sets Config.Kind.
func Detect() Kind {
	exe, err := os.Executable()
	if err != nil {
		return Portable
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return detect(runtime.GOOS, exe, fileExists, owner, msiDirs)
}

func detect(goos, exe string, exists func(string) bool, owner func(string) Kind, msiDirs func() []string) Kind {
	dir := filepath.Dir(exe)
	switch goos {
	case "darwin":
		if strings.HasSuffix(dir, ".app/Contents/MacOS") {
			return App
		}
	case "windows":
		if exists(filepath.Join(dir, "uninstall.exe")) {
			return NSIS
		}
		for _, d := range msiDirs() {
			if sameFolder(d, dir) {
				return MSI
			}
		}
	case "linux":
		if k := owner(exe); k != "" {
			return k
		}
	}
	return Portable
}

// sameFolder compares two Windows folder paths as Windows does: without
// regard to case or a trailing separator (Windows Installer writes one).
func sameFolder(a, b string) bool {
	return strings.EqualFold(strings.TrimRight(a, `\/`), strings.TrimRight(b, `\/`))
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// owner returns the kind of the Linux package that lists path, or "".
// Each database is read as text (rpm's through rpm -qf): only when Check
// picks a file, never at start-up.
func owner(path string) Kind {
	rel := strings.TrimPrefix(path, "/")
	if lists, _ := filepath.Glob("/var/lib/dpkg/info/*.list"); len(lists) > 0 {
		for _, l := range lists {
			if hasLine(l, func(line string) bool { return line == path }) {
				return Deb
			}
		}
	}
	// apk's database names a folder (F:usr/bin), then its files (R:hello).
	var folder string
	if hasLine("/lib/apk/db/installed", func(line string) bool {
		switch {
		case strings.HasPrefix(line, "F:"):
			folder = line[2:]
		case strings.HasPrefix(line, "R:"):
			return folder+"/"+line[2:] == rel
		}
		return false
	}) {
		return APK
	}
	if files, _ := filepath.Glob("/var/lib/pacman/local/*/files"); len(files) > 0 {
		for _, f := range files {
			if hasLine(f, func(line string) bool { return line == rel }) {
				return ArchLinux
			}
		}
	}
	if fileExists("/var/lib/rpm") {
		if rpm, err := exec.LookPath("rpm"); err == nil && exec.Command(rpm, "-qf", "--quiet", path).Run() == nil {
			return RPM
		}
	}
	return ""
}

// hasLine reports whether a line of the file at path satisfies match.
func hasLine(path string, match func(string) bool) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if match(sc.Text()) {
			return true
		}
	}
	return false
}
